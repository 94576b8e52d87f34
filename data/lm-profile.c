/* lm-profile.c: key_averages()-style sums of a profiled step's op times.
 *
 * Self times come from one pass over the timed events in start order with
 * a stack of the events still open: an event that ends inside the one on
 * top of the stack is its child, and its duration leaves the parent's self
 * time. Events are a step's worth (hundreds), so a table is built afresh
 * whenever the step or the grouping changes.
 * Not here: reading traces (lm-graph-data.c), the pane (ui/lm-profile-pane.c).
 */
#include "lm-profile.h"

#include <math.h>
#include <string.h>

typedef struct
{
  gint64 start, end;
  gsize event;
} span;

static int
by_start (gconstpointer a, gconstpointer b)
{
  const span *x = a, *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  /* the longer one first: a parent that starts with its first child */
  if (x->end != y->end)
    return x->end > y->end ? -1 : 1;
  return x->event < y->event ? -1 : x->event > y->event;
}

static gboolean
has_mem (const LmTraceDataEvent *e)
{
  return e->alloc_bytes >= 0;
}

static gint64
net_mem (const LmTraceDataEvent *e)
{
  return has_mem (e) ? e->alloc_bytes - e->free_bytes : 0;
}

/* self[i] for every event (0 for untimed ones), and self_mem[i], its net
 * bytes less those of the events nested in it; returns the timed count. */
static guint
self_times (const LmTraceData *t, gint64 *self, gint64 *self_mem)
{
  g_autofree span *s = g_new (span, t->n_events ? t->n_events : 1);
  g_autofree gsize *stack = g_new (gsize, t->n_events ? t->n_events : 1);
  gsize n = 0, depth = 0;

  for (gsize i = 0; i < t->n_events; i++)
    {
      const LmTraceDataEvent *e = &t->events[i];
      self[i] = 0;
      self_mem[i] = 0;
      if (e->dur_ns < 0)
        continue;
      s[n++] = (span){ e->start_ns, e->start_ns + e->dur_ns, i };
      self[i] = e->dur_ns;
      self_mem[i] = net_mem (e);
    }
  qsort (s, n, sizeof *s, by_start);
  for (gsize k = 0; k < n; k++)
    {
      while (depth > 0 && s[stack[depth - 1]].end <= s[k].start)
        depth--;
      if (depth > 0 && s[k].end <= s[stack[depth - 1]].end)
        {
          self[s[stack[depth - 1]].event] -= s[k].end - s[k].start;
          self_mem[s[stack[depth - 1]].event] -= net_mem (&t->events[s[k].event]);
        }
      stack[depth++] = k;
    }
  return (guint) n;
}

static void
row_clear (LmProfileRow *r)
{
  g_free (r->op);
  g_free (r->module);
  g_free (r->input_shapes);
}

void
lm_profile_free (LmProfile *p)
{
  if (p == NULL)
    return;
  for (gsize i = 0; i < p->n_rows; i++)
    row_clear (&p->rows[i]);
  g_free (p->rows);
  g_free (p->mem_points);
  g_free (p);
}

static int
by_time (gconstpointer a, gconstpointer b, gpointer data)
{
  const LmTraceDataEvent *ev = data;
  const LmTraceDataEvent *x = &ev[*(const gsize *) a], *y = &ev[*(const gsize *) b];

  if (x->start_ns != y->start_ns)
    return x->start_ns < y->start_ns ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
by_point_time (gconstpointer a, gconstpointer b)
{
  const LmProfileMemPoint *x = a, *y = b;

  if (x->t_ns != y->t_ns)
    return x->t_ns < y->t_ns ? -1 : 1;
  /* at one instant: an op's end before the next one's start */
  if (x->end != y->end)
    return x->end ? -1 : 1;
  return x->event < y->event ? -1 : x->event > y->event;
}

/* The curve: before each op, what was allocated at its end less what it
 * allocated plus what it freed; at its end, mem_after. An op nested in
 * another adds its own points inside its parent's. */
static void
memory_curve (LmProfile *p, const LmTraceData *t)
{
  g_autofree gsize *order = NULL;
  gsize n = 0;

  p->mem_peak_event = -1;
  if (!p->has_memory)
    return;
  order = g_new (gsize, t->n_events);
  for (gsize i = 0; i < t->n_events; i++)
    if (t->events[i].dur_ns >= 0 && has_mem (&t->events[i]))
      order[n++] = i;
  g_qsort_with_data (order, (gint) n, sizeof *order, by_time, (gpointer) t->events);
  p->mem_points = g_new (LmProfileMemPoint, 2 * n);
  for (gsize k = 0; k < n; k++)
    {
      const LmTraceDataEvent *e = &t->events[order[k]];
      gint64 before = MAX (e->mem_after - e->alloc_bytes + e->free_bytes, 0);
      p->mem_points[p->n_mem_points++] = (LmProfileMemPoint){ e->start_ns, before, order[k], FALSE };
      p->mem_points[p->n_mem_points++] = (LmProfileMemPoint){ e->start_ns + e->dur_ns, e->mem_after, order[k], TRUE };
      if (p->mem_peak_event < 0 || e->mem_peak > p->mem_peak_bytes)
        {
          p->mem_peak_bytes = e->mem_peak;
          p->mem_peak_event = (gssize) order[k];
        }
    }
  /* an op nested in another ends before its parent does */
  qsort (p->mem_points, p->n_mem_points, sizeof *p->mem_points, by_point_time);
}

LmProfileMemVertex *
lm_profile_memory_outline (const LmProfile *p, const LmTraceData *t, gsize *n)
{
  LmProfileMemVertex *v;
  gsize k = 0;

  *n = 0;
  if (p == NULL || p->n_mem_points == 0)
    return NULL;
  v = g_new (LmProfileMemVertex, 2 * p->n_mem_points);
  for (gsize i = 0; i < p->n_mem_points; i++)
    {
      const LmProfileMemPoint *m = &p->mem_points[i];
      const LmTraceDataEvent *e = &t->events[m->event];

      v[k++] = (LmProfileMemVertex){ (double) m->t_ns, m->bytes };
      if (!m->end && i + 1 < p->n_mem_points && p->mem_points[i + 1].event == m->event
          && e->mem_peak > MAX (m->bytes, p->mem_points[i + 1].bytes))
        v[k++] = (LmProfileMemVertex){ (double) e->start_ns + e->dur_ns / 2.0, e->mem_peak };
    }
  *n = k;
  return v;
}

double
lm_profile_memory_peak_t_ns (const LmProfile *p, const LmTraceData *t)
{
  const LmTraceDataEvent *e;

  if (p == NULL || p->mem_peak_event < 0)
    return -1;
  e = &t->events[p->mem_peak_event];
  if (e->mem_after >= e->mem_peak)
    return (double) (e->start_ns + e->dur_ns);
  if (MAX (e->mem_after - e->alloc_bytes + e->free_bytes, 0) >= e->mem_peak)
    return (double) e->start_ns;
  return e->start_ns + e->dur_ns / 2.0;
}

LmProfile *
lm_profile_compute (const LmTraceData *t, const LmGraphData *g, LmProfileGroup group)
{
  g_return_val_if_fail (t != NULL, NULL);
  g_autofree gint64 *self = g_new (gint64, t->n_events ? t->n_events : 1);
  g_autofree gint64 *self_mem = g_new (gint64, t->n_events ? t->n_events : 1);
  guint n_timed = self_times (t, self, self_mem);
  if (n_timed == 0)
    return NULL;

  LmProfile *p = g_new0 (LmProfile, 1);
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (LmProfileRow));
  g_autoptr (GHashTable) index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* the slowest node of each by-op row, for selecting it */
  g_autoptr (GHashTable) node_ns = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  /* by op and shape: a backward call without shapes of its own has its
   * node's forward call's (it is that call's backward) */
  g_autoptr (GHashTable) fwd_shapes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  if (group == LM_PROFILE_BY_OP_SHAPE)
    for (gsize i = 0; i < t->n_events; i++)
      if (!t->events[i].backward && t->events[i].input_shapes != NULL)
        g_hash_table_insert (fwd_shapes, g_memdup2 (&t->events[i].node_id, sizeof (gint64)),
                             t->events[i].input_shapes);

  p->n_timed = n_timed;
  for (gsize i = 0; i < t->n_events; i++)
    {
      const LmTraceDataEvent *e = &t->events[i];
      if (e->dur_ns < 0)
        continue;
      gssize ni = g != NULL ? lm_graph_data_find (g, e->node_id) : -1;
      const char *op = ni >= 0 ? g->nodes[ni].op : "node";
      const char *module = ni >= 0 ? g->nodes[ni].module : "";
      /* grouped by shape: the event's input shapes, else its forward call's */
      const char *shapes = group != LM_PROFILE_BY_OP_SHAPE ? NULL
                           : e->input_shapes != NULL ? e->input_shapes
                           : g_hash_table_lookup (fwd_shapes, &e->node_id);
      g_autofree char *key = group == LM_PROFILE_BY_OP ? g_strdup (op)
                             : group == LM_PROFILE_BY_OP_SHAPE ? g_strdup_printf ("%s\n%s", op, shapes ? shapes : "")
                             : g_strdup_printf ("%" G_GINT64_FORMAT, e->node_id);
      gpointer found;
      LmProfileRow *r;

      if (g_hash_table_lookup_extended (index, key, NULL, &found))
        r = &g_array_index (rows, LmProfileRow, GPOINTER_TO_SIZE (found) - 1);
      else
        {
          LmProfileRow nr = { 0 };
          nr.op = ni >= 0 ? g_strdup (op) : g_strdup_printf ("node %" G_GINT64_FORMAT, e->node_id);
          nr.module = g_strdup (group == LM_PROFILE_BY_NODE ? module : "");
          nr.input_shapes = g_strdup (shapes != NULL ? shapes : "");
          nr.node_id = e->node_id;
          g_array_append_val (rows, nr);
          g_hash_table_insert (index, g_steal_pointer (&key), GSIZE_TO_POINTER (rows->len));
          r = &g_array_index (rows, LmProfileRow, rows->len - 1);
        }
      if (e->backward)
        {
          r->backward_calls++;
          r->backward_ns += e->dur_ns;
        }
      else
        {
          r->forward_calls++;
          r->forward_ns += e->dur_ns;
        }
      /* a call: a forward event, or an imported torch.profiler op's in
       * backward (aten::mm run by AddmmBackward0), as torch-tb-profiler's
       * Operator view and key_averages() count every event of an op; not
       * Lumen's backward event, the backward of its node's forward call */
      if (!e->backward || (ni >= 0 && g->nodes[ni].backward_calls))
        r->calls++;
      r->total_ns += e->dur_ns;
      r->self_ns += self[i];
      r->mem_bytes += net_mem (e);
      r->self_mem_bytes += self_mem[i];
      p->has_memory |= has_mem (e);
      p->ops_ns += self[i];
      if (e->backward)
        p->backward_ns += self[i];
      else
        p->forward_ns += self[i];

      gint64 *ns = g_hash_table_lookup (node_ns, &e->node_id);
      if (ns == NULL)
        {
          ns = g_new0 (gint64, 1);
          g_hash_table_insert (node_ns, g_memdup2 (&e->node_id, sizeof e->node_id), ns);
        }
      *ns += e->dur_ns;
      gint64 *best = g_hash_table_lookup (node_ns, &r->node_id);
      if (best != NULL && *ns > *best)
        r->node_id = e->node_id;
    }

  p->step_measured = t->dur_ns > 0;
  p->step_ns = p->step_measured ? MAX (t->dur_ns, p->ops_ns) : p->ops_ns;
  p->n_rows = rows->len;
  p->rows = (LmProfileRow *) g_array_free (rows, FALSE);
  for (gsize i = 0; i < p->n_rows; i++)
    {
      LmProfileRow *r = &p->rows[i];
      if (r->calls == 0) /* backward events alone: their forward calls were not timed */
        r->calls = r->backward_calls;
      r->mean_ns = r->calls ? (double) r->total_ns / r->calls : 0;
      r->percent = p->step_ns > 0 ? 100.0 * (double) r->total_ns / (double) p->step_ns : 0;
      r->nodes = 1;
    }
  if (group == LM_PROFILE_BY_OP)
    {
      /* nodes per op type */
      for (gsize i = 0; i < p->n_rows; i++)
        p->rows[i].nodes = 0;
      GHashTableIter it;
      gpointer k;
      g_hash_table_iter_init (&it, node_ns);
      while (g_hash_table_iter_next (&it, &k, NULL))
        {
          gssize ni = g != NULL ? lm_graph_data_find (g, *(gint64 *) k) : -1;
          g_autofree char *name = ni >= 0 ? g_strdup (g->nodes[ni].op)
                                          : g_strdup_printf ("node %" G_GINT64_FORMAT, *(gint64 *) k);
          for (gsize i = 0; i < p->n_rows; i++)
            if (strcmp (p->rows[i].op, name) == 0)
              p->rows[i].nodes++;
        }
    }
  memory_curve (p, t);
  lm_profile_sort (p, LM_PROFILE_SORT_TOTAL);
  return p;
}

static LmProfileSort sort_key;

static int
cmp_rows (gconstpointer pa, gconstpointer pb)
{
  const LmProfileRow *a = pa, *b = pb;
  double x = 0, y = 0;

  switch (sort_key)
    {
    case LM_PROFILE_SORT_NAME:
      {
        int c = strcmp (a->op, b->op);
        if (c == 0)
          c = strcmp (a->module, b->module);
        if (c == 0)
          c = strcmp (a->input_shapes, b->input_shapes);
        if (c != 0)
          return c;
        break;
      }
    case LM_PROFILE_SORT_SELF: x = a->self_ns, y = b->self_ns; break;
    case LM_PROFILE_SORT_FORWARD: x = a->forward_ns, y = b->forward_ns; break;
    case LM_PROFILE_SORT_BACKWARD: x = a->backward_ns, y = b->backward_ns; break;
    case LM_PROFILE_SORT_CALLS: x = a->calls, y = b->calls; break;
    case LM_PROFILE_SORT_MEAN: x = a->mean_ns, y = b->mean_ns; break;
    case LM_PROFILE_SORT_MEM: x = (double) a->mem_bytes, y = (double) b->mem_bytes; break;
    case LM_PROFILE_SORT_SELF_MEM: x = (double) a->self_mem_bytes, y = (double) b->self_mem_bytes; break;
    case LM_PROFILE_SORT_TOTAL:
    default: x = a->total_ns, y = b->total_ns; break;
    }
  if (x != y)
    return x > y ? -1 : 1;
  /* ties: the bigger total, then graph order */
  if (a->total_ns != b->total_ns)
    return a->total_ns > b->total_ns ? -1 : 1;
  return a->node_id < b->node_id ? -1 : a->node_id > b->node_id;
}

void
lm_profile_sort (LmProfile *p, LmProfileSort sort)
{
  g_return_if_fail (p != NULL);
  /* main-thread only (the UI), so a static key is enough */
  sort_key = sort;
  qsort (p->rows, p->n_rows, sizeof *p->rows, cmp_rows);
}

GHashTable *
lm_profile_node_times (const LmTraceData *t)
{
  GHashTable *h = NULL;

  g_return_val_if_fail (t != NULL, NULL);
  for (gsize i = 0; i < t->n_events; i++)
    {
      const LmTraceDataEvent *e = &t->events[i];
      if (e->dur_ns < 0)
        continue;
      if (h == NULL)
        h = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
      gint64 *ns = g_hash_table_lookup (h, &e->node_id);
      if (ns == NULL)
        {
          ns = g_new0 (gint64, 1);
          g_hash_table_insert (h, g_memdup2 (&e->node_id, sizeof e->node_id), ns);
        }
      *ns += e->dur_ns;
    }
  return h;
}

const char *
lm_profile_bytes_text (gint64 bytes, char *buf, gsize len)
{
  static const char *units[] = { "KB", "MB", "GB", "TB" };
  double v = (double) bytes;
  double mag = fabs (v);
  int u = -1;

  while (mag >= 1024 && u < 3)
    {
      mag /= 1024;
      v /= 1024;
      u++;
    }
  if (u < 0)
    g_snprintf (buf, len, "%" G_GINT64_FORMAT " B", bytes);
  else
    g_snprintf (buf, len, "%.2f %s", v, units[u]);
  return buf;
}

const char *
lm_profile_time_text (double ns, char *buf, gsize len)
{
  if (ns < 1e3)
    g_snprintf (buf, len, "%.0f ns", ns);
  else if (ns < 1e6)
    g_snprintf (buf, len, "%.*f µs", ns < 1e5 ? 1 : 0, ns / 1e3);
  else if (ns < 1e9)
    g_snprintf (buf, len, "%.*f ms", ns < 1e8 ? 2 : 1, ns / 1e6);
  else
    g_snprintf (buf, len, "%.2f s", ns / 1e9);
  return buf;
}
