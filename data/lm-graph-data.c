/* lm-graph-data.c: reading graphs and traces (see lm-graph-data.h).
 *
 * Every function opens its own read-only connection (lm_reader_open, which
 * never blocks the writer) and closes it before returning: graph and trace
 * reads are rare, explicit requests, not a polling loop.
 */
#include "lm-graph-data.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "lm-reader-private.h"

int
lm_graph_data_parse_shape (const char *json, gint64 *shape)
{
  const char *p = json;
  int n = 0;

  if (p == NULL)
    return -1;
  while (*p == ' ')
    p++;
  if (*p++ != '[')
    return -1;
  while (*p == ' ')
    p++;
  if (*p == ']')
    return 0;
  for (;;)
    {
      char *end = NULL;
      gint64 v = g_ascii_strtoll (p, &end, 10);

      if (end == p || n >= LM_GRAPH_DATA_MAX_DIMS)
        return -1;
      shape[n++] = v;
      p = end;
      while (*p == ' ')
        p++;
      if (*p == ']')
        return n;
      if (*p++ != ',')
        return -1;
    }
}

const char *
lm_graph_data_stat_text (double v, int digits, char *buf, gsize len)
{
  if (isnan (v))
    g_strlcpy (buf, "–", len);
  else
    g_snprintf (buf, len, "%.*g", digits, v);
  return buf;
}

char *
lm_graph_data_shape_text (int ndim, const gint64 *shape)
{
  GString *s;

  if (ndim < 0)
    return g_strdup ("?");
  if (ndim == 0)
    return g_strdup ("scalar");
  s = g_string_new (NULL);
  for (int i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? "×" : "", shape[i]);
  return g_string_free (s, FALSE);
}

static gint64
numel_of (int ndim, const gint64 *shape)
{
  gint64 n = 1;

  if (ndim < 0)
    return -1;
  for (int i = 0; i < ndim; i++)
    n *= shape[i];
  return n;
}

static gboolean
prepare (sqlite3 *db, const char *sql, sqlite3_stmt **st, char **error)
{
  if (sqlite3_prepare_v2 (db, sql, -1, st, NULL) != SQLITE_OK)
    {
      *error = g_strdup_printf ("cannot read graphs/traces: %s", sqlite3_errmsg (db));
      return FALSE;
    }
  return TRUE;
}

static char *
col_text (sqlite3_stmt *st, int i)
{
  const unsigned char *t = sqlite3_column_text (st, i);
  return t ? g_strdup ((const char *) t) : NULL;
}

static double
col_real (sqlite3_stmt *st, int i)
{
  return sqlite3_column_type (st, i) == SQLITE_NULL ? NAN : sqlite3_column_double (st, i);
}

/* After a `while (step == SQLITE_ROW)` loop: rc is what ended it. Anything but
 * SQLITE_DONE (a page of the file that cannot be read) fails the whole load,
 * so a damaged trace is never shown as a short, clean one. */
static gboolean
rows_done (sqlite3 *db, int rc, const char *doing, char **error)
{
  if (rc == SQLITE_DONE)
    return TRUE;
  if (*error == NULL)
    *error = lm_reader_describe_error (db, rc, doing, NULL);
  return FALSE;
}

static void
graph_info_clear (gpointer p)
{
  g_free (((LmGraphInfo *) p)->name);
}

GArray *
lm_graph_data_infos (const char *path, char **error)
{
  sqlite3 *db = lm_reader_open_path (path, error);
  sqlite3_stmt *st = NULL;
  GArray *out, *traces;
  int rc;

  if (db == NULL)
    return NULL;
  if (!prepare (db, "SELECT g.id, g.step, g.name, "
                    "(SELECT count(*) FROM graph_nodes n WHERE n.graph_id = g.id), "
                    "(SELECT count(*) FROM graph_edges e WHERE e.graph_id = g.id) "
                    "FROM graphs g ORDER BY g.id", &st, error))
    {
      sqlite3_close (db);
      return NULL;
    }
  out = g_array_new (FALSE, TRUE, sizeof (LmGraphInfo));
  g_array_set_clear_func (out, graph_info_clear);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      LmGraphInfo gi = {
        .id = sqlite3_column_int64 (st, 0), .step = sqlite3_column_int64 (st, 1), .name = col_text (st, 2),
        .n_nodes = sqlite3_column_int64 (st, 3), .n_edges = sqlite3_column_int64 (st, 4),
      };
      g_array_append_val (out, gi);
    }
  if (!rows_done (db, rc, "reading the graphs", error))
    g_clear_pointer (&out, g_array_unref);
  sqlite3_finalize (st);
  sqlite3_close (db);
  if (out == NULL || out->len == 0)
    return out;
  traces = lm_trace_data_list (path, -1, error);
  if (traces == NULL)
    {
      g_array_unref (out);
      return NULL;
    }
  for (guint k = 0; k < traces->len; k++)
    {
      const LmTraceInfo *t = &g_array_index (traces, LmTraceInfo, k);
      for (guint i = 0; i < out->len; i++)
        if (g_array_index (out, LmGraphInfo, i).id == t->graph_id)
          {
            g_array_index (out, LmGraphInfo, i).n_traces++;
            g_array_index (out, LmGraphInfo, i).n_timed += t->timed ? 1 : 0;
          }
    }
  g_array_unref (traces);
  return out;
}

static gboolean
graph_suits (const LmGraphInfo *gi, const GArray *traces, gint64 want_step, gboolean want_timed)
{
  if (want_step >= 0)
    {
      for (guint k = 0; traces != NULL && k < traces->len; k++)
        if (g_array_index (traces, LmTraceInfo, k).graph_id == gi->id
            && g_array_index (traces, LmTraceInfo, k).step == want_step)
          return TRUE;
      return FALSE;
    }
  return !want_timed || gi->n_timed > 0;
}

gint64
lm_graph_data_choose (const GArray *infos, const GArray *traces, gint64 want_step, gboolean want_timed)
{
  if (infos == NULL || infos->len == 0)
    return -1;
  /* with edges first, then any; newest first */
  for (int any = 0; any < 2; any++)
    for (guint i = infos->len; i-- > 0;)
      {
        const LmGraphInfo *gi = &g_array_index (infos, LmGraphInfo, i);

        if ((any || gi->n_edges > 0) && graph_suits (gi, traces, want_step, want_timed))
          return gi->id;
      }
  return lm_graph_data_choose (infos, traces, -1, FALSE);
}

void
lm_graph_data_free (LmGraphData *g)
{
  if (g == NULL)
    return;
  for (gsize i = 0; i < g->n_nodes; i++)
    {
      g_free (g->nodes[i].op);
      g_free (g->nodes[i].name);
      g_free (g->nodes[i].module);
      g_free (g->nodes[i].dtype);
      g_free (g->nodes[i].device);
    }
  g_free (g->nodes);
  g_free (g->edges);
  g_free (g->name);
  if (g->by_id)
    g_hash_table_unref (g->by_id);
  g_free (g);
}

gssize
lm_graph_data_find (const LmGraphData *g, gint64 id)
{
  gpointer v;

  if (g == NULL || !g_hash_table_lookup_extended (g->by_id, &id, NULL, &v))
    return -1;
  return GPOINTER_TO_SIZE (v) - 1;
}

LmGraphData *
lm_graph_data_load (const char *path, gint64 graph_id, char **error)
{
  sqlite3 *db = lm_reader_open_path (path, error);
  sqlite3_stmt *st = NULL;
  LmGraphData *g;
  GArray *nodes, *edges;
  int rc;

  if (db == NULL)
    return NULL;
  if (!prepare (db, graph_id < 0 ? "SELECT id, step, name FROM graphs ORDER BY id DESC LIMIT 1"
                                 : "SELECT id, step, name FROM graphs WHERE id = ?1",
                &st, error))
    {
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_bind_int64 (st, 1, graph_id);
  if (sqlite3_step (st) != SQLITE_ROW)
    {
      *error = graph_id < 0 ? g_strdup ("this run has no graph (log one with lm_writer_add_graph, "
                                        "or train with lumen-train)")
                            : g_strdup_printf ("this run has no graph %" G_GINT64_FORMAT, graph_id);
      sqlite3_finalize (st);
      sqlite3_close (db);
      return NULL;
    }
  g = g_new0 (LmGraphData, 1);
  g->id = sqlite3_column_int64 (st, 0);
  g->step = sqlite3_column_int64 (st, 1);
  g->name = col_text (st, 2);
  sqlite3_finalize (st);

  g->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  nodes = g_array_new (FALSE, TRUE, sizeof (LmGraphDataNode));
  if (prepare (db, "SELECT node_id, op, name, module, shape, dtype, device, "
                   "CASE WHEN json_valid(attrs) THEN json_extract(attrs, '$.backward_calls') END "
                   "FROM graph_nodes WHERE graph_id = ?1 ORDER BY node_id", &st, error))
    {
      sqlite3_bind_int64 (st, 1, g->id);
      while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        {
          LmGraphDataNode n = { 0 };
          const char *shape = (const char *) sqlite3_column_text (st, 4);

          n.id = sqlite3_column_int64 (st, 0);
          n.op = col_text (st, 1);
          n.name = col_text (st, 2);
          if (n.name == NULL)
            n.name = g_strdup (n.op ? n.op : "?");
          if (n.op == NULL)
            n.op = g_strdup ("?");
          n.module = col_text (st, 3);
          if (n.module == NULL)
            n.module = g_strdup ("");
          n.ndim = lm_graph_data_parse_shape (shape, n.shape);
          n.numel = numel_of (n.ndim, n.shape);
          n.dtype = col_text (st, 5);
          n.device = col_text (st, 6);
          n.backward_calls = sqlite3_column_int (st, 7) != 0;
          g_array_append_val (nodes, n);
        }
      (void) rows_done (db, rc, "reading the graph's nodes", error);
      sqlite3_finalize (st);
    }
  g->n_nodes = nodes->len;
  g->nodes = (LmGraphDataNode *) g_array_free (nodes, FALSE);
  for (gsize i = 0; i < g->n_nodes; i++)
    g_hash_table_insert (g->by_id, g_memdup2 (&g->nodes[i].id, sizeof (gint64)),
                         GSIZE_TO_POINTER (i + 1));

  edges = g_array_new (FALSE, TRUE, sizeof (LmGraphDataEdge));
  if (*error == NULL
      && prepare (db, "SELECT src, dst, dst_slot FROM graph_edges WHERE graph_id = ?1 "
                      "ORDER BY dst, dst_slot", &st, error))
    {
      sqlite3_bind_int64 (st, 1, g->id);
      while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        {
          LmGraphDataEdge e = { sqlite3_column_int64 (st, 0), sqlite3_column_int64 (st, 1),
                                sqlite3_column_int (st, 2) };

          /* an edge naming a missing node would break every consumer */
          if (lm_graph_data_find (g, e.src) >= 0 && lm_graph_data_find (g, e.dst) >= 0)
            g_array_append_val (edges, e);
        }
      (void) rows_done (db, rc, "reading the graph's edges", error);
      sqlite3_finalize (st);
    }
  g->n_edges = edges->len;
  g->edges = (LmGraphDataEdge *) g_array_free (edges, FALSE);
  sqlite3_close (db);
  if (*error)
    {
      lm_graph_data_free (g);
      return NULL;
    }
  return g;
}

/* A run file from before op times has no start_ns, dur_ns, input_shapes
 * columns (a writer reopening it adds them): its traces read as untimed. */
static int
count_of (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *st = NULL;
  int n = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step (st) == SQLITE_ROW)
    n = sqlite3_column_int (st, 0);
  sqlite3_finalize (st);
  return n;
}

static gboolean
has_op_times (sqlite3 *db)
{
  return count_of (db, "SELECT count(*) FROM pragma_table_info('trace_events') "
                       "WHERE name IN ('start_ns', 'dur_ns', 'input_shapes')") == 3
         && count_of (db, "SELECT count(*) FROM pragma_table_info('traces') WHERE name = 'dur_ns'") == 1;
}

/* Files from before memory profiling lack alloc_bytes, free_bytes,
 * mem_after and mem_peak: their events read as without memory (-1). */
static gboolean
has_op_memory (sqlite3 *db)
{
  return count_of (db, "SELECT count(*) FROM pragma_table_info('trace_events') "
                       "WHERE name IN ('alloc_bytes', 'free_bytes', 'mem_after', 'mem_peak')") == 4;
}

GArray *
lm_trace_data_list (const char *path, gint64 graph_id, char **error)
{
  sqlite3 *db = lm_reader_open_path (path, error);
  sqlite3_stmt *st = NULL;
  GArray *out;
  int rc;

  if (db == NULL)
    return NULL;
  if (!prepare (db, has_op_times (db)
                    ? "SELECT t.id, t.step, coalesce(t.graph_id, -1), "
                      "(SELECT count(*) FROM trace_events e WHERE e.trace_id = t.id), "
                      "(SELECT count(*) FROM trace_events e WHERE e.trace_id = t.id "
                      "   AND e.nan_count + e.inf_count > 0), "
                      "EXISTS (SELECT 1 FROM trace_events e WHERE e.trace_id = t.id "
                      "   AND e.dur_ns IS NOT NULL) "
                      "FROM traces t WHERE ?1 < 0 OR t.graph_id = ?1 ORDER BY t.step, t.id"
                    : "SELECT t.id, t.step, coalesce(t.graph_id, -1), "
                      "(SELECT count(*) FROM trace_events e WHERE e.trace_id = t.id), "
                      "(SELECT count(*) FROM trace_events e WHERE e.trace_id = t.id "
                      "   AND e.nan_count + e.inf_count > 0), 0 "
                      "FROM traces t WHERE ?1 < 0 OR t.graph_id = ?1 ORDER BY t.step, t.id",
                &st, error))
    {
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_bind_int64 (st, 1, graph_id);
  out = g_array_new (FALSE, TRUE, sizeof (LmTraceInfo));
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      LmTraceInfo t = {
        .id = sqlite3_column_int64 (st, 0), .step = sqlite3_column_int64 (st, 1),
        .graph_id = sqlite3_column_int64 (st, 2), .n_events = (gsize) sqlite3_column_int64 (st, 3),
        .n_anomalies = sqlite3_column_int (st, 4), .timed = sqlite3_column_int (st, 5) != 0,
      };
      g_array_append_val (out, t);
    }
  if (!rows_done (db, rc, "reading the traces", error))
    g_clear_pointer (&out, g_array_unref);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return out;
}

void
lm_trace_data_free (LmTraceData *t)
{
  if (t == NULL)
    return;
  for (gsize i = 0; i < t->n_events; i++)
    {
      g_free (t->events[i].values);
      g_free (t->events[i].input_shapes);
    }
  g_free (t->events);
  g_free (t);
}

LmTraceData *
lm_trace_data_load (const char *path, gint64 trace_id, gboolean with_values, char **error)
{
  sqlite3 *db = lm_reader_open_path (path, error);
  sqlite3_stmt *st = NULL;
  LmTraceData *t;
  GArray *ev;
  gboolean timed, ok;
  char *sql;
  int rc;

  if (db == NULL)
    return NULL;
  timed = has_op_times (db);
  if (!prepare (db, timed ? "SELECT step, coalesce(graph_id, -1), coalesce(dur_ns, -1), wall_time "
                            "FROM traces WHERE id = ?1"
                          : "SELECT step, coalesce(graph_id, -1), -1, wall_time FROM traces WHERE id = ?1",
                &st, error))
    {
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_bind_int64 (st, 1, trace_id);
  if (sqlite3_step (st) != SQLITE_ROW)
    {
      *error = g_strdup_printf ("this run has no trace %" G_GINT64_FORMAT, trace_id);
      sqlite3_finalize (st);
      sqlite3_close (db);
      return NULL;
    }
  t = g_new0 (LmTraceData, 1);
  t->id = trace_id;
  t->step = sqlite3_column_int64 (st, 0);
  t->graph_id = sqlite3_column_int64 (st, 1);
  t->dur_ns = sqlite3_column_int64 (st, 2);
  t->wall_time = sqlite3_column_double (st, 3);
  sqlite3_finalize (st);

  ev = g_array_new (FALSE, TRUE, sizeof (LmTraceDataEvent));
  /* length(CAST(... AS BLOB)) counts bytes even for a value stored as text */
  sql = g_strdup_printf ("SELECT seq, node_id, phase, shape, numel, min, max, mean, std, nan_count, "
                         "inf_count, zero_count, %s, length(CAST(vals AS BLOB)), %s, %s FROM trace_events "
                         "WHERE trace_id = ?1 ORDER BY seq",
                         with_values ? "vals" : "NULL",
                         timed ? "coalesce(start_ns, -1), coalesce(dur_ns, -1), input_shapes"
                               : "-1, -1, NULL",
                         has_op_memory (db) ? "coalesce(alloc_bytes, -1), coalesce(free_bytes, -1), "
                                              "coalesce(mem_after, -1), coalesce(mem_peak, -1)"
                                            : "-1, -1, -1, -1");
  ok = prepare (db, sql, &st, error);
  g_free (sql);
  if (ok)
    {
      sqlite3_bind_int64 (st, 1, trace_id);
      while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        {
          LmTraceDataEvent e = { 0 };
          const void *blob;
          int bytes;

          e.seq = sqlite3_column_int64 (st, 0);
          e.node_id = sqlite3_column_int64 (st, 1);
          e.backward = g_strcmp0 ((const char *) sqlite3_column_text (st, 2), "backward") == 0;
          e.ndim = lm_graph_data_parse_shape ((const char *) sqlite3_column_text (st, 3), e.shape);
          e.numel = sqlite3_column_int64 (st, 4);
          e.min = col_real (st, 5);
          e.max = col_real (st, 6);
          e.mean = col_real (st, 7);
          e.std = col_real (st, 8);
          e.nan_count = sqlite3_column_int64 (st, 9);
          e.inf_count = sqlite3_column_int64 (st, 10);
          e.zero_count = sqlite3_column_int64 (st, 11);
          e.values_bytes = sqlite3_column_type (st, 13) == SQLITE_NULL ? -1 : sqlite3_column_int64 (st, 13);
          /* a blob that does not hold numel float32s of the recorded shape
           * is damaged: said so (not taken for one over the cap), and
           * never trusted */
          e.values_damaged = e.values_bytes >= 0
                             && (e.numel < 0 || e.values_bytes != e.numel * (gint64) sizeof (float)
                                 || (e.ndim >= 0 && numel_of (e.ndim, e.shape) != e.numel));
          blob = sqlite3_column_blob (st, 12);
          bytes = sqlite3_column_bytes (st, 12);
          if (blob && !e.values_damaged && e.numel > 0 && bytes == e.numel * (gint64) sizeof (float))
            e.values = g_memdup2 (blob, (gsize) bytes);
          e.start_ns = sqlite3_column_int64 (st, 14);
          e.dur_ns = sqlite3_column_int64 (st, 15);
          if (e.start_ns < 0 || e.dur_ns < 0)
            e.start_ns = e.dur_ns = -1;
          e.input_shapes = g_strdup ((const char *) sqlite3_column_text (st, 16));
          e.alloc_bytes = sqlite3_column_int64 (st, 17);
          e.free_bytes = sqlite3_column_int64 (st, 18);
          e.mem_after = sqlite3_column_int64 (st, 19);
          e.mem_peak = sqlite3_column_int64 (st, 20);
          if (e.alloc_bytes < 0 || e.free_bytes < 0 || e.mem_after < 0 || e.mem_peak < 0)
            e.alloc_bytes = e.free_bytes = e.mem_after = e.mem_peak = -1;
          g_array_append_val (ev, e);
        }
      (void) rows_done (db, rc, "reading the trace's ops", error);
      sqlite3_finalize (st);
    }
  t->n_events = ev->len;
  t->events = (LmTraceDataEvent *) g_array_free (ev, FALSE);
  sqlite3_close (db);
  if (*error)
    {
      lm_trace_data_free (t);
      return NULL;
    }
  /* seq counts from 0 in a whole trace; gaps are events the file lost */
  if (t->n_events > 0)
    {
      t->n_ops = MAX (t->events[t->n_events - 1].seq + 1, (gint64) t->n_events);
      t->n_missing = t->n_ops - (gint64) t->n_events;
    }
  return t;
}

/* The first of n records (stride bytes apart, sorted by the gint64 at
 * offset) whose key is >= key, or n. */
static gsize
lower_bound (gconstpointer base, gsize n, gsize stride, gsize offset, gint64 key)
{
  gsize lo = 0, hi = n;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      gint64 v;

      memcpy (&v, (const char *) base + mid * stride + offset, sizeof v);
      if (v < key)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

gssize
lm_trace_data_find_seq (const LmTraceData *t, gint64 seq)
{
  gsize i;

  if (t == NULL || t->n_events == 0)
    return -1;
  i = lower_bound (t->events, t->n_events, sizeof *t->events, G_STRUCT_OFFSET (LmTraceDataEvent, seq), seq);
  return i < t->n_events && t->events[i].seq == seq ? (gssize) i : -1;
}

char *
lm_trace_data_missing_text (const LmTraceData *t)
{
  GString *s;
  gint64 expect = 0;
  int ranges = 0;

  if (t == NULL || t->n_missing <= 0)
    return NULL;
  s = g_string_new (NULL);
  g_string_append_printf (s, "%" G_GINT64_FORMAT " op%s missing from this trace (op%s ", t->n_missing,
                          t->n_missing == 1 ? "" : "s", t->n_missing == 1 ? "" : "s");
  for (gsize i = 0; i <= t->n_events; i++)
    {
      gint64 next = i < t->n_events ? t->events[i].seq : t->n_ops;

      if (next <= expect)
        {
          expect = MAX (expect, next + 1);
          continue;
        }
      /* ops expect+1 .. next are missing (1-based) */
      if (ranges == 4)
        {
          g_string_append (s, ", …");
          break;
        }
      g_string_append (s, ranges ? ", " : "");
      if (next == expect + 1)
        g_string_append_printf (s, "%" G_GINT64_FORMAT, expect + 1);
      else
        g_string_append_printf (s, "%" G_GINT64_FORMAT "–%" G_GINT64_FORMAT, expect + 1, next);
      ranges++;
      expect = next + 1;
    }
  g_string_append (s, ")");
  return g_string_free (s, FALSE);
}

char *
lm_trace_data_damage_text (const LmTraceDataEvent *e)
{
  if (e == NULL || !e->values_damaged)
    return NULL;
  if (e->ndim >= 0 && numel_of (e->ndim, e->shape) != e->numel)
    return g_strdup_printf ("values damaged: the shape holds %" G_GINT64_FORMAT " values but numel is %"
                            G_GINT64_FORMAT "; found %" G_GINT64_FORMAT " bytes",
                            numel_of (e->ndim, e->shape), e->numel, e->values_bytes);
  return g_strdup_printf ("values damaged: expected %" G_GINT64_FORMAT " bytes (%" G_GINT64_FORMAT
                          " float32), found %" G_GINT64_FORMAT,
                          e->numel * (gint64) sizeof (float), e->numel, e->values_bytes);
}

/* Index of the first edge into node dst (edges are in (dst, slot) order),
 * or g->n_edges. */
static gsize
first_edge_into (const LmGraphData *g, gint64 dst)
{
  return g->n_edges ? lower_bound (g->edges, g->n_edges, sizeof *g->edges, G_STRUCT_OFFSET (LmGraphDataEdge, dst), dst)
                    : 0;
}

/* The slot at which src feeds dst, or -1. */
static int
feeds (const LmGraphData *g, gint64 src, gint64 dst)
{
  for (gsize k = first_edge_into (g, dst); k < g->n_edges && g->edges[k].dst == dst; k++)
    if (g->edges[k].src == src)
      return g->edges[k].slot;
  return -1;
}

gssize
lm_trace_data_producer (const LmTraceData *t, const LmGraphData *g, gsize i, int *input,
                        guint *n_producers)
{
  gssize found = -1;
  guint n = 0;
  gint64 node;
  gboolean leaf;
  g_autoptr (GHashTable) seen = NULL;

  if (input)
    *input = -1;
  if (n_producers)
    *n_producers = 0;
  if (t == NULL || g == NULL || i >= t->n_events || !t->events[i].backward)
    return -1;
  node = t->events[i].node_id;
  /* a leaf's gradient events come one per op that uses it, right after
   * that op's own backward event: the nearest consumer is exact */
  leaf = first_edge_into (g, node) >= g->n_edges || g->edges[first_edge_into (g, node)].dst != node;
  seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (gssize j = (gssize) i - 1; j >= 0; j--)
    {
      const LmTraceDataEvent *d = &t->events[j];
      int slot;

      if (!d->backward || d->node_id == node || g_hash_table_contains (seen, &d->node_id))
        continue;
      slot = feeds (g, node, d->node_id);
      if (slot < 0)
        continue;
      g_hash_table_add (seen, g_memdup2 (&d->node_id, sizeof d->node_id));
      n++;
      if (found < 0)
        {
          found = j;
          if (input)
            *input = slot;
          if (leaf)
            break;
        }
    }
  if (n_producers)
    *n_producers = n;
  return found;
}

gboolean
lm_trace_data_first_anomaly (const LmTraceData *t, const LmGraphData *g, LmTraceNonfinite what,
                             LmTraceAnomaly *out)
{
  LmTraceAnomaly best = { .event = -1, .seen_at = -1, .input = -1 };

  for (gsize i = 0; t && i < t->n_events; i++)
    {
      const LmTraceDataEvent *e = &t->events[i];
      LmTraceAnomaly a = { .event = (gssize) i, .seen_at = (gssize) i, .input = -1 };
      gssize p;

      /* a forward op is earlier than any backward op's producer */
      if (best.event >= 0 && !t->events[best.event].backward)
        break;
      if (!(((what & LM_TRACE_NAN) && e->nan_count > 0) || ((what & LM_TRACE_INF) && e->inf_count > 0)))
        continue;
      if (e->backward && (p = lm_trace_data_producer (t, g, i, &a.input, &a.n_producers)) >= 0)
        a.event = p;
      if (best.event < 0 || a.event < best.event)
        best = a;
    }
  if (out)
    *out = best;
  return best.event >= 0;
}
