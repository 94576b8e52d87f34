/* test-chrome-trace.c: profiled steps as Chrome traces, both ways
 * (data/lm-chrome-trace.c).  No display needed.
 *
 * Export: a small known step (lumen-log writes it, lm_trace_data_load
 * reads it) written as torch's export_chrome_trace would, the JSON read
 * back with a generic reader (not the trace reader under test) and
 * checked field by field: the ProfilerStep#N span, each op's name, ts,
 * dur, input dims, module and phase, the [memory] events' Bytes and Total
 * Allocated, tensorboard_trace_handler's file name.  Round trip: the
 * export read back gives the same ops, starts, durations, shapes and
 * memory.  Import: a hand-written torch-style trace (nested ops, two
 * ProfilerStep spans, a backward span on the autograd thread, memory
 * events, ops outside the steps, a kernel), gzipped too; a trace without
 * ProfilerStep spans as one step; bad files named with their byte.
 */
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lm-chrome-trace.h"
#include "lm-graph-data.h"
#include "lm-json-private.h"
#include "lumen-log.h"

static char *tmpdir;

/* ------------------------------------------- a generic JSON reader
 * (objects a{sv}, arrays av, numbers d, strings s, true/false b, null
 * "mv"), to check the writer's text without the reader under test. */

static GVariant *json_value (LmJsonParser *ps);

static gboolean
json_member (LmJsonParser *ps, const char *key, gpointer data)
{
  GVariant *v = json_value (ps);

  if (v == NULL)
    return FALSE;
  g_variant_builder_add (data, "{sv}", key, v);
  return TRUE;
}

static gboolean
json_element (LmJsonParser *ps, guint i, gpointer data)
{
  GVariant *v = json_value (ps);

  if (v == NULL)
    return FALSE;
  g_variant_builder_add (data, "v", v);
  return TRUE;
}

static GVariant *
json_value (LmJsonParser *ps)
{
  lm_json_skip_ws (ps);
  if (*ps->p == '{')
    {
      GVariantBuilder b;
      g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
      if (!lm_json_parse_object (ps, "object", json_member, &b))
        {
          g_variant_builder_clear (&b);
          return NULL;
        }
      return g_variant_builder_end (&b);
    }
  if (*ps->p == '[')
    {
      GVariantBuilder b;
      g_variant_builder_init (&b, G_VARIANT_TYPE ("av"));
      if (!lm_json_parse_array (ps, "array", json_element, &b))
        {
          g_variant_builder_clear (&b);
          return NULL;
        }
      return g_variant_builder_end (&b);
    }
  if (*ps->p == '"')
    {
      g_autoptr (GString) s = g_string_new (NULL);
      return lm_json_parse_string (ps, s) ? g_variant_new_string (s->str) : NULL;
    }
  if (*ps->p == 't' || *ps->p == 'f')
    {
      gboolean t = *ps->p == 't';
      return lm_json_match_word (ps, t ? "true" : "false") ? g_variant_new_boolean (t) : NULL;
    }
  if (*ps->p == 'n')
    return lm_json_match_word (ps, "null") ? g_variant_new_maybe (G_VARIANT_TYPE_VARIANT, NULL) : NULL;
  double d;
  return lm_json_parse_number (ps, &d) ? g_variant_new_double (d) : NULL;
}

static GVariant *
json_parse (const char *text)
{
  LmJsonParser ps = { text, text, NULL, "exported trace" };
  GVariant *v = json_value (&ps);

  lm_json_skip_ws (&ps);
  if (v == NULL || *ps.p != '\0')
    g_error ("not JSON: %s", ps.error ? ps.error : "text after the value");
  return g_variant_ref_sink (v);
}

static GVariant *
member (GVariant *obj, const char *key)
{
  GVariant *v = g_variant_lookup_value (obj, key, NULL);

  if (v == NULL)
    g_error ("no member \"%s\" in %s", key, g_variant_print (obj, FALSE));
  return v;
}

static const char *
str_member (GVariant *obj, const char *key)
{
  g_autoptr (GVariant) v = member (obj, key);
  return g_variant_get_string (v, NULL);   /* obj keeps it alive */
}

static double
num_member (GVariant *obj, const char *key)
{
  g_autoptr (GVariant) v = member (obj, key);
  return g_variant_get_double (v);
}

/* A JSON value printed back compactly: [[64,784],[128]] */
static char *
dims_text (GVariant *v)
{
  GString *s = g_string_new (NULL);

  if (g_variant_is_of_type (v, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr (GVariant) in = g_variant_get_variant (v);
      g_string_free (s, TRUE);
      return dims_text (in);
    }
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
    g_string_append_printf (s, "%g", g_variant_get_double (v));
  else
    {
      g_string_append_c (s, '[');
      for (gsize i = 0; i < g_variant_n_children (v); i++)
        {
          g_autoptr (GVariant) c = g_variant_get_child_value (v, i);
          g_autofree char *t = dims_text (c);
          g_string_append_printf (s, "%s%s", i ? "," : "", t);
        }
      g_string_append_c (s, ']');
    }
  return g_string_free (s, FALSE);
}

/* ---------------------------------------------------- the known step */

/* Graph: 1 linear "0", 2 relu "1", 3 linear "2", 5 mm "2" (nested in 3),
 * 6 a parameter.  Step 7, 20 µs: linear 1-6 µs, relu 6-8, linear 9-13
 * with mm 10-12 inside, relu's backward 14-15, a parameter's gradient
 * (untimed).  Memory in bytes, consistent from op to op. */
typedef struct
{
  gint64 node;
  gboolean bwd;
  gint64 start, dur;
  const char *shapes;
  gint64 alloc, free, after, peak;
} KnownOp;

static const KnownOp known[] = {
  { 1, FALSE, 1000, 5000, "[[64, 784], [128, 784], [128]]", 32768, 0, 100000, 100000 },
  { 2, FALSE, 6000, 2000, "[[64, 128]]", 32768, 0, 132768, 132768 },
  { 3, FALSE, 9000, 4000, "[[64, 128], [10, 128], [10]]", 5000, 1000, 136768, 136768 },
  { 5, FALSE, 10000, 2000, "[[64, 128], [128, 10]]", 2000, 0, 136768, 136768 },
  { 2, TRUE, 14000, 1000, NULL, 0, 0, 136768, 136768 },
  { 6, TRUE, -1, -1, NULL, -1, -1, -1, -1 },
};

/* Peaks inside ops, as lumen-train --profile-memory records them (each
 * op's bytes count its nested ops' too; the peak is the most allocated
 * at any moment of it).  linear "0" 1-6 µs: +1000 (scratch), +2000, -1000;
 * the loop frees 4000 B; relu 7-9: three 1000 B buffers, two freed
 * between them; linear "2" 10-16: +500, then mm 11-13 (+2000 scratch,
 * +1000, -2000), then +3000 and -3500 (its peak, above mm's); the loop
 * allocates 1000 B; relu's backward 17-18 allocates nothing. */
static const KnownOp peaks[] = {
  { 1, FALSE, 1000, 5000, NULL, 3000, 1000, 12000, 13000 },
  { 2, FALSE, 7000, 2000, NULL, 3000, 2000, 9000, 9000 },
  { 3, FALSE, 10000, 6000, NULL, 6500, 5500, 10000, 13500 },
  { 5, FALSE, 11000, 2000, NULL, 3000, 2000, 10500, 12500 },
  { 2, TRUE, 17000, 1000, NULL, 0, 0, 11000, 11000 },
};

static char *
write_run_of (const KnownOp *ops, gsize n_ops)
{
  static const struct { gint64 id; const char *op, *module; } nodes[] = {
    { 1, "linear", "0" }, { 2, "relu", "1" }, { 3, "linear", "2" }, { 5, "mm", "2" },
    { 6, "parameter", "2" },
  };
  lm_writer *w = NULL;
  lm_graph *g = NULL;
  lm_trace *t = NULL;
  int64_t gid = -1;
  int64_t shape[] = { 64, 128 };
  static int runs;
  g_autofree char *name = g_strdup_printf ("known%d", runs++);

  g_assert_cmpint (lm_writer_open (&w, tmpdir, name), ==, LM_OK);
  g_assert_cmpint (lm_graph_new (&g, "mlp"), ==, LM_OK);
  for (guint i = 0; i < G_N_ELEMENTS (nodes); i++)
    {
      lm_graph_node n = { .id = nodes[i].id, .op = nodes[i].op, .module = nodes[i].module,
                          .shape = shape, .ndim = 2 };
      g_assert_cmpint (lm_graph_add_node (g, &n), ==, LM_OK);
    }
  g_assert_cmpint (lm_writer_add_graph (w, 7, g, &gid), ==, LM_OK);
  g_assert_cmpint (lm_trace_new (&t, gid, 7), ==, LM_OK);
  for (guint i = 0; i < n_ops; i++)
    {
      lm_trace_stats st = { 0, 1, 0.5, 0.1, 0, 0, 0 };
      g_assert_cmpint (lm_trace_add_event_stats (t, ops[i].node, ops[i].bwd ? LM_PHASE_BACKWARD
                                                                           : LM_PHASE_FORWARD,
                                                 shape, 2, 64 * 128, &st), ==, LM_OK);
      if (ops[i].start < 0)
        continue;
      g_assert_cmpint (lm_trace_set_event_time (t, ops[i].start, ops[i].dur), ==, LM_OK);
      if (ops[i].shapes)
        g_assert_cmpint (lm_trace_set_event_input_shapes (t, ops[i].shapes), ==, LM_OK);
      g_assert_cmpint (lm_trace_set_event_memory (t, ops[i].alloc, ops[i].free, ops[i].after,
                                                  ops[i].peak), ==, LM_OK);
    }
  g_assert_cmpint (lm_trace_set_step_time (t, 20000), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_trace (w, t, NULL), ==, LM_OK);
  lm_trace_free (t);
  lm_graph_free (g);
  lm_writer_close (w);
  return g_build_filename (tmpdir, name, "run.lumen", NULL);
}

static void
load_run_of (const KnownOp *ops, gsize n_ops, LmTraceData **t, LmGraphData **g)
{
  g_autofree char *path = write_run_of (ops, n_ops);
  g_autofree char *error = NULL;
  g_autoptr (GArray) list = lm_trace_data_list (path, -1, &error);

  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, ==, 1);
  *t = lm_trace_data_load (path, g_array_index (list, LmTraceInfo, 0).id, FALSE, &error);
  g_assert_nonnull (*t);
  *g = lm_graph_data_load (path, (*t)->graph_id, &error);
  g_assert_nonnull (*g);
}

static void
load_known (LmTraceData **t, LmGraphData **g)
{
  load_run_of (known, G_N_ELEMENTS (known), t, g);
}

static void
test_export_fields (void)
{
  g_autoptr (LmTraceData) t = NULL;
  g_autoptr (LmGraphData) g = NULL;
  LmChromeTraceOptions o = { "gpu1", 4242, "known" };
  g_autofree char *text = NULL;
  g_autoptr (GVariant) root = NULL, events = NULL;
  double base;
  /* the ops in the file's order, each followed by the memory events up
   * to the next op's start: linear "2"'s own bytes fall before mm and
   * after it (a free and an allocation again, its 1000 B beyond the net);
   * each allocation at the next addresses from 0x7f0000000000, mm's 2000
   * B as two pieces since the free at 12 µs takes the second one */
  static const struct
  {
    const char *name, *op, *module, *phase, *dims;
    double ts, dur;
    double mem[4][4];  /* ts, Bytes, Total Allocated, Addr less the first; Bytes 0: none */
  } want[] = {
    { "linear", "linear", "0", "forward", "[[64,784],[128,784],[128]]", 1, 5, { { 1, 32768, 100000, 0 } } },
    { "relu", "relu", "1", "forward", "[[64,128]]", 6, 2, { { 6, 32768, 132768, 32768 } } },
    { "linear", "linear", "2", "forward", "[[64,128],[10,128],[10]]", 9, 4,
      { { 9, 2000, 134768, 65536 } } },
    { "mm", "mm", "2", "forward", "[[64,128],[128,10]]", 10, 2,
      { { 10, 1000, 135768, 67536 }, { 10, 1000, 136768, 68536 }, { 12, -1000, 135768, 68536 },
        { 12, 1000, 136768, 69536 } } },
    { "ReluBackward0", "relu", "1", "backward", NULL, 14, 1, { { 0 } } },
  };
  gsize k = 3;

  load_known (&t, &g);
  g_assert_cmpint (t->dur_ns, ==, 20000);
  g_assert_cmpfloat (t->wall_time, >, 1.7e9);
  text = lm_chrome_trace_format (t, g, &o);
  root = json_parse (text);
  base = floor (t->wall_time * 1e6 - 20.0);

  g_assert_cmpfloat (num_member (root, "schemaVersion"), ==, 1);
  g_assert_cmpfloat (num_member (root, "profile_memory"), ==, 1);
  g_assert_cmpstr (str_member (root, "traceName"), ==, "known");
  g_assert_cmpfloat (fabs (num_member (root, "baseTimeNanoseconds") - base * 1000), <, 1e3);
  events = member (root, "traceEvents");

  g_autoptr (GVariant) pname = g_variant_get_child_value (events, 0);
  g_autoptr (GVariant) pn = g_variant_get_variant (pname);
  g_assert_cmpstr (str_member (pn, "ph"), ==, "M");
  g_assert_cmpstr (str_member (pn, "name"), ==, "process_name");
  {
    g_autoptr (GVariant) args = member (pn, "args");
    g_assert_cmpstr (str_member (args, "name"), ==, "gpu1");
  }

  g_autoptr (GVariant) stepv = g_variant_get_child_value (events, 2);
  g_autoptr (GVariant) step = g_variant_get_variant (stepv);
  g_assert_cmpstr (str_member (step, "ph"), ==, "X");
  g_assert_cmpstr (str_member (step, "cat"), ==, "user_annotation");
  g_assert_cmpstr (str_member (step, "name"), ==, "ProfilerStep#7");
  g_assert_cmpfloat (num_member (step, "ts"), ==, 0);
  g_assert_cmpfloat (num_member (step, "dur"), ==, 20.0);
  g_assert_cmpfloat (num_member (step, "pid"), ==, 4242);
  g_assert_cmpfloat (num_member (step, "tid"), ==, 4242);

  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_autoptr (GVariant) ev = g_variant_get_child_value (events, k++);
      g_autoptr (GVariant) e = g_variant_get_variant (ev);
      g_autoptr (GVariant) args = member (e, "args");
      g_autoptr (GVariant) dims = g_variant_lookup_value (args, "Input Dims", NULL);

      g_assert_cmpstr (str_member (e, "ph"), ==, "X");
      g_assert_cmpstr (str_member (e, "cat"), ==, "cpu_op");
      g_assert_cmpstr (str_member (e, "name"), ==, want[i].name);
      g_assert_cmpfloat (num_member (e, "ts"), ==, want[i].ts);
      g_assert_cmpfloat (num_member (e, "dur"), ==, want[i].dur);
      g_assert_cmpstr (str_member (args, "Op"), ==, want[i].op);
      g_assert_cmpstr (str_member (args, "Module"), ==, want[i].module);
      g_assert_cmpstr (str_member (args, "Phase"), ==, want[i].phase);
      if (want[i].dims)
        {
          g_autofree char *d = dims_text (dims);
          g_assert_nonnull (dims);
          g_assert_cmpstr (d, ==, want[i].dims);
        }
      else
        g_assert_null (dims);
      for (guint m = 0; m < 4 && want[i].mem[m][1] != 0; m++)
        {
          g_autoptr (GVariant) mv = g_variant_get_child_value (events, k++);
          g_autoptr (GVariant) me = g_variant_get_variant (mv);
          g_autoptr (GVariant) margs = member (me, "args");

          g_assert_cmpstr (str_member (me, "ph"), ==, "i");
          g_assert_cmpstr (str_member (me, "name"), ==, "[memory]");
          g_assert_cmpfloat (num_member (me, "ts"), ==, want[i].mem[m][0]);
          g_assert_cmpfloat (num_member (margs, "Bytes"), ==, want[i].mem[m][1]);
          g_assert_cmpfloat (num_member (margs, "Total Allocated"), ==, want[i].mem[m][2]);
          g_assert_cmpfloat (num_member (margs, "Addr"), ==, 0x7f0000000000 + want[i].mem[m][3]);
          g_assert_cmpfloat (num_member (margs, "Device Type"), ==, 0);
          g_assert_cmpfloat (num_member (margs, "Device Id"), ==, -1);
        }
    }
  /* the parameter's untimed gradient is not in it */
  g_assert_cmpuint (g_variant_n_children (events), ==, k);

  g_autofree char *name = lm_chrome_trace_file_name (t, "gpu1.lab");
  g_autofree char *want_name = g_strdup_printf ("gpu1_lab.%.0f.pt.trace.json", floor (base / 1000));
  g_assert_cmpstr (name, ==, want_name);
}

static void
test_round_trip (void)
{
  g_autoptr (LmTraceData) t = NULL;
  g_autoptr (LmGraphData) g = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "known.pt.trace.json", NULL);
  g_autofree char *error = NULL;
  g_autoptr (LmChromeTrace) ct = NULL;
  LmChromeStep *st;
  static const char *ops[] = { "linear", "relu", "linear", "mm", "relu" };
  static const char *modules[] = { "0", "1", "2", "2", "1" };

  load_known (&t, &g);
  g_assert_true (lm_chrome_trace_write (path, t, g, NULL, &error));
  ct = lm_chrome_trace_load (path, &error);
  g_assert_null (error);
  g_assert_nonnull (ct);
  g_assert_cmpuint (ct->warnings->len, ==, 0);
  g_assert_cmpuint (ct->steps->len, ==, 1);
  st = ct->steps->pdata[0];
  g_assert_cmpint (st->step, ==, 7);
  g_assert_cmpint (st->dur_ns, ==, 20000);
  g_assert_cmpfloat (fabs (st->wall_time - (t->wall_time - 20e-6)), <, 2e-6);
  g_assert_cmpuint (st->ops->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      LmChromeOp *o = &g_array_index (st->ops, LmChromeOp, i);

      g_assert_cmpstr (o->name, ==, ops[i]);
      g_assert_cmpstr (o->module, ==, modules[i]);
      g_assert_cmpint (o->backward, ==, known[i].bwd);
      g_assert_cmpint (o->start_ns, ==, known[i].start);
      g_assert_cmpint (o->dur_ns, ==, known[i].dur);
      g_assert_cmpstr (o->input_shapes, ==, known[i].shapes);
      g_assert_cmpint (o->alloc_bytes, ==, known[i].alloc);
      g_assert_cmpint (o->free_bytes, ==, known[i].free);
      g_assert_cmpint (o->mem_after, ==, known[i].after);
      g_assert_cmpint (o->mem_peak, ==, known[i].peak);
    }
}

/* Peaks inside ops, frees and allocations between them: read back, each
 * op has the bytes allocated and freed, the mem_after and the mem_peak
 * recorded (the export wrote one event per op for its net bytes: relu
 * came back with a 2000 B higher peak, linear "2" with a 1000 B lower one
 * and mm's mem_after as its own). */
static void
test_round_trip_peaks (void)
{
  g_autoptr (LmTraceData) t = NULL;
  g_autoptr (LmGraphData) g = NULL;
  g_autofree char *text = NULL;
  g_autofree char *error = NULL;
  g_autoptr (LmChromeTrace) ct = NULL;
  LmChromeStep *st;

  load_run_of (peaks, G_N_ELEMENTS (peaks), &t, &g);
  text = lm_chrome_trace_format (t, g, NULL);
  ct = lm_chrome_trace_parse (text, "peaks", &error);
  g_assert_null (error);
  g_assert_cmpuint (ct->warnings->len, ==, 0);
  st = ct->steps->pdata[0];
  g_assert_cmpuint (st->ops->len, ==, G_N_ELEMENTS (peaks));
  for (guint i = 0; i < st->ops->len; i++)
    {
      LmChromeOp *o = &g_array_index (st->ops, LmChromeOp, i);

      g_assert_cmpint (o->start_ns, ==, peaks[i].start);
      g_assert_cmpint (o->alloc_bytes, ==, peaks[i].alloc);
      g_assert_cmpint (o->free_bytes, ==, peaks[i].free);
      g_assert_cmpint (o->mem_after, ==, peaks[i].after);
      g_assert_cmpint (o->mem_peak, ==, peaks[i].peak);
    }
}

/* torch-tb-profiler's Memory Events table of an exported trace, read as
 * it reads it (run.py's get_memory_events): the [memory] events in time
 * order, an allocation kept by its Addr until a free of that Addr makes
 * its row (the free's bytes, both times); then the allocations never
 * freed, then the frees of memory allocated before the step.  A row per
 * line: "bytes B allocated-freed" (µs, "?" where there is none).  Also
 * checks what the table takes on trust: an allocation's bytes are its
 * free's, no Addr is allocated again while live, and no Addr is freed
 * twice. */
static char *
memory_events_table (const char *text)
{
  g_autoptr (GVariant) root = json_parse (text);
  g_autoptr (GVariant) events = member (root, "traceEvents");
  g_autoptr (GHashTable) alloc = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr (GHashTable) freed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr (GString) rows = g_string_new (NULL), unfreed = g_string_new (NULL);
  g_autoptr (GString) before = g_string_new (NULL);
  double last = -1;

  for (gsize i = 0; i < g_variant_n_children (events); i++)
    {
      g_autoptr (GVariant) ev = g_variant_get_child_value (events, i);
      g_autoptr (GVariant) e = g_variant_get_variant (ev);
      g_autoptr (GVariant) args = NULL;
      gint64 addr;
      double bytes, ts;

      if (strcmp (str_member (e, "ph"), "i") != 0)
        continue;
      args = member (e, "args");
      addr = (gint64) num_member (args, "Addr");
      bytes = num_member (args, "Bytes");
      ts = num_member (e, "ts");
      g_assert_cmpint (addr, !=, 0);
      g_assert_cmpfloat (ts, >=, last);  /* in time order already */
      last = ts;
      if (bytes > 0)
        {
          double *a = g_new (double, 2);

          g_assert_false (g_hash_table_contains (alloc, &addr));
          a[0] = bytes, a[1] = ts;
          g_hash_table_insert (alloc, g_memdup2 (&addr, sizeof addr), a);
          continue;
        }
      g_assert_false (g_hash_table_contains (freed, &addr));
      g_hash_table_add (freed, g_memdup2 (&addr, sizeof addr));
      double *a = g_hash_table_lookup (alloc, &addr);
      if (a != NULL)
        {
          g_assert_cmpfloat (a[0], ==, -bytes);
          g_string_append_printf (rows, "%g B %g-%g\n", -bytes, a[1], ts);
          a[0] = 0;
        }
      else
        g_string_append_printf (before, "%g B ?-%g\n", -bytes, ts);
    }
  /* the allocations never freed, in the order they were made */
  for (gsize i = 0; i < g_variant_n_children (events); i++)
    {
      g_autoptr (GVariant) ev = g_variant_get_child_value (events, i);
      g_autoptr (GVariant) e = g_variant_get_variant (ev);
      g_autoptr (GVariant) args = NULL;
      gint64 addr;
      double *a;

      if (strcmp (str_member (e, "ph"), "i") != 0)
        continue;
      args = member (e, "args");
      addr = (gint64) num_member (args, "Addr");
      a = g_hash_table_lookup (alloc, &addr);
      if (a != NULL && a[0] > 0 && num_member (args, "Bytes") > 0)
        g_string_append_printf (unfreed, "%g B %g-?\n", a[0], a[1]);
    }
  return g_strconcat (rows->str, unfreed->str, before->str, NULL);
}

/* Each allocation has an Addr its free shares: torch-tb-profiler's Memory
 * Events pair them into an allocation's bytes and lifetime (every Addr
 * was 0: each free paired with the latest allocation, whatever its
 * bytes).  The known step: mm's 2000 B in two pieces, the second freed
 * at 12 µs; the peaks step: each free taking the latest allocations
 * still live, the loop's 4000 B at 6 µs linear "0"'s 2000 B and 2000 B
 * allocated before the step. */
static void
test_export_addresses (void)
{
  g_autoptr (LmTraceData) t = NULL, tp = NULL;
  g_autoptr (LmGraphData) g = NULL, gp = NULL;
  g_autofree char *text = NULL, *table = NULL, *text_p = NULL, *table_p = NULL;

  load_known (&t, &g);
  text = lm_chrome_trace_format (t, g, NULL);
  table = memory_events_table (text);
  g_assert_cmpstr (table, ==,
                   "1000 B 10-12\n"
                   "32768 B 1-?\n32768 B 6-?\n2000 B 9-?\n1000 B 10-?\n1000 B 12-?\n");

  load_run_of (peaks, G_N_ELEMENTS (peaks), &tp, &gp);
  text_p = lm_chrome_trace_format (tp, gp, NULL);
  table_p = memory_events_table (text_p);
  g_assert_cmpstr (table_p, ==,
                   /* linear "0": 3000 B, the last 1000 freed at once; the
                    * loop's 4000 B at 6 µs: its other 2000 B and 2000 B
                    * from before the step */
                   "1000 B 1-1\n2000 B 1-6\n"
                   /* relu: 1000 B freed with 1000 B from before, then 2000 B */
                   "1000 B 7-7\n"
                   /* mm: 3000 B, 2000 freed at once; linear "2" frees its
                    * 3000 B and half of mm's last 1000 */
                   "2000 B 11-11\n3000 B 13-13\n500 B 11-13\n"
                   "2000 B 7-?\n500 B 10-?\n500 B 11-?\n1000 B 16-?\n"
                   "2000 B ?-6\n1000 B ?-7\n");
}

/* ------------------------------------------------ a torch-style trace */

/* tests/trace/fixtures/worker0.1700000000000.pt.trace.json: written by
 * hand as kineto writes a CPU profile with record_shapes and
 * profile_memory: aten::zeros before the first step, ProfilerStep#3 with
 * aten::linear and aten::addmm nested in it (32768 bytes allocated), a
 * GPU kernel, the backward on the autograd thread (aten::mm inside
 * evaluate_function, the bytes freed), ProfilerStep#4 with aten::relu. */
static const char *torch_trace = TORCH_TRACE;

static void
check_torch_trace (LmChromeTrace *ct)
{
  static const struct
  {
    const char *name;
    gboolean bwd;
    gint64 start, dur;
    const char *dims;
    gint64 alloc, free, after, peak;
  } want[] = {
    { "aten::linear", FALSE, 10500, 100000, "[[64, 784], [128, 784], [128]]", 32768, 0, 40000, 40000 },
    { "aten::addmm", FALSE, 20000, 80000, "[[128], [64, 784], [784, 128]]", 32768, 0, 40000, 40000 },
    { "autograd::engine::evaluate_function: AddmmBackward0", TRUE, 200000, 50000, NULL,
      0, 32768, 7232, 40000 },
    { "aten::mm", TRUE, 210000, 20000, "[[64, 128], [128, 784]]", 0, 32768, 7232, 40000 },
  };
  LmChromeStep *s3, *s4;
  LmChromeOp *relu;

  g_assert_cmpuint (ct->warnings->len, ==, 0);
  g_assert_cmpuint (ct->steps->len, ==, 2);
  s3 = ct->steps->pdata[0];
  s4 = ct->steps->pdata[1];
  g_assert_cmpint (s3->step, ==, 3);
  g_assert_cmpint (s3->dur_ns, ==, 500000);
  g_assert_cmpfloat (fabs (s3->wall_time - (1.7e9 + 1000.0 / 1e6)), <, 1e-6);
  g_assert_cmpuint (s3->ops->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      LmChromeOp *o = &g_array_index (s3->ops, LmChromeOp, i);

      g_assert_cmpstr (o->name, ==, want[i].name);
      g_assert_cmpstr (o->module, ==, "");
      g_assert_cmpint (o->backward, ==, want[i].bwd);
      g_assert_cmpint (o->start_ns, ==, want[i].start);
      g_assert_cmpint (o->dur_ns, ==, want[i].dur);
      g_assert_cmpstr (o->input_shapes, ==, want[i].dims);
      g_assert_cmpint (o->alloc_bytes, ==, want[i].alloc);
      g_assert_cmpint (o->free_bytes, ==, want[i].free);
      g_assert_cmpint (o->mem_after, ==, want[i].after);
      g_assert_cmpint (o->mem_peak, ==, want[i].peak);
    }
  /* step 4: its one op, no memory event inside it */
  g_assert_cmpint (s4->step, ==, 4);
  g_assert_cmpint (s4->dur_ns, ==, 300000);
  g_assert_cmpuint (s4->ops->len, ==, 1);
  relu = &g_array_index (s4->ops, LmChromeOp, 0);
  g_assert_cmpstr (relu->name, ==, "aten::relu");
  g_assert_cmpint (relu->start_ns, ==, 100000);
  g_assert_cmpint (relu->dur_ns, ==, 10000);
  g_assert_null (relu->input_shapes);
  g_assert_cmpint (relu->alloc_bytes, ==, -1);
  g_assert_cmpint (relu->mem_after, ==, -1);
}

static void
test_import_torch (void)
{
  g_autofree char *error = NULL;
  g_autoptr (LmChromeTrace) ct = lm_chrome_trace_load (torch_trace, &error);

  g_assert_null (error);
  g_assert_nonnull (ct);
  check_torch_trace (ct);
}

/* text gzipped into path */
static void
write_gzip (const char *path, const char *text)
{
  g_autoptr (GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  g_autoptr (GFile) f = g_file_new_for_path (path);
  g_autoptr (GError) err = NULL;
  g_autoptr (GFileOutputStream) out = g_file_replace (f, NULL, FALSE, 0, NULL, &err);
  g_autoptr (GOutputStream) zout = NULL;

  g_assert_no_error (err);
  zout = g_converter_output_stream_new (G_OUTPUT_STREAM (out), G_CONVERTER (z));
  g_assert_true (g_output_stream_write_all (zout, text, strlen (text), NULL, NULL, &err));
  g_assert_true (g_output_stream_close (zout, NULL, &err));
  g_assert_no_error (err);
}

static void
test_import_gzip (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "w.1700000000000.pt.trace.json.gz", NULL);
  g_autofree char *error = NULL, *text = NULL;
  g_autoptr (LmChromeTrace) ct = NULL;

  g_assert_true (g_file_get_contents (torch_trace, &text, NULL, NULL));
  write_gzip (path, text);
  ct = lm_chrome_trace_load (path, &error);
  g_assert_null (error);
  g_assert_nonnull (ct);
  check_torch_trace (ct);
}

/* Asked by a stoppable read: counts the asks, TRUE from the `data`th on. */
static guint asks, stop_at;

static gboolean
stop_when (gpointer data)
{
  return ++asks >= stop_at;
}

/* A stoppable read (lumen-import's Ctrl-C) asks every 4096 events, and
 * every megabyte a gzip unzips; once told to stop it ends, naming where;
 * never told, it reads the whole trace. */
static void
test_load_stoppable (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "big.pt.trace.json", NULL);
  g_autofree char *gz = g_build_filename (tmpdir, "big.pt.trace.json.gz", NULL);
  g_autoptr (GString) text = g_string_new ("{\"traceEvents\": [\n");
  g_autofree char *error = NULL, *want = NULL;
  const char *at;
  LmChromeTrace *ct;

  for (int i = 0; i < 30000; i++)
    g_string_append_printf (text, "%s{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"aten::add\", "
                                  "\"pid\": 1, \"tid\": 1, \"ts\": %d, \"dur\": 1}\n", i ? "," : "", 2 * i);
  g_string_append (text, "]}\n");
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  write_gzip (gz, text->str);

  /* never told: every event, 30000 / 4096 asks and one */
  asks = 0, stop_at = G_MAXUINT;
  ct = lm_chrome_trace_load_stoppable (path, stop_when, NULL, &error);
  g_assert_nonnull (ct);
  g_assert_cmpuint (((LmChromeStep *) ct->steps->pdata[0])->ops->len, ==, 30000);
  g_assert_cmpuint (asks, ==, 8);
  lm_chrome_trace_free (ct);
  /* told at the third ask: at event 8193 */
  asks = 0, stop_at = 3;
  ct = lm_chrome_trace_load_stoppable (path, stop_when, NULL, &error);
  g_assert_null (ct);
  at = strstr (text->str, "\"ts\": 16384,");
  while (*at != '{')
    at--;
  want = g_strdup_printf ("%s: interrupted at byte %ld of %zu", path, (long) (at - text->str), text->len);
  g_assert_cmpstr (error, ==, want);
  g_clear_pointer (&error, g_free);
  /* gzipped: while it unzips */
  asks = 0, stop_at = 1;
  ct = lm_chrome_trace_load_stoppable (gz, stop_when, NULL, &error);
  g_assert_null (ct);
  g_assert_true (g_str_has_prefix (error, gz));
  g_assert_nonnull (strstr (error, ": interrupted at byte "));
  g_assert_nonnull (strstr (error, " unzipped"));
}

/* export_chrome_trace without a schedule: no ProfilerStep spans; the
 * bare event array (the format's other form) is read too. */
static void
test_import_no_steps (void)
{
  const char *text =
    "[{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"aten::conv2d\", \"ts\": 50.0, \"dur\": 30.0},\n"
    " {\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"aten::relu\", \"ts\": 90.0, \"dur\": 10.25}]";
  g_autofree char *error = NULL;
  g_autoptr (LmChromeTrace) ct = lm_chrome_trace_parse (text, "trace.json", &error);
  LmChromeStep *s;

  g_assert_null (error);
  g_assert_cmpuint (ct->steps->len, ==, 1);
  s = ct->steps->pdata[0];
  g_assert_cmpint (s->step, ==, -1);
  g_assert_cmpint (s->dur_ns, ==, 50250);
  g_assert_cmpuint (s->ops->len, ==, 2);
  g_assert_cmpint (g_array_index (s->ops, LmChromeOp, 1).start_ns, ==, 40000);
  g_assert_cmpint (g_array_index (s->ops, LmChromeOp, 1).dur_ns, ==, 10250);
}

static void
test_import_bad (void)
{
  g_autofree char *error = NULL;
  g_autoptr (LmChromeTrace) ct = NULL;
  const char *bad_json =
    "{\"traceEvents\": [{\"ph\": \"X\", \"name\": \"aten::mm\", \"ts\": 1.0, \"dur\": }]}";
  const char *missing =
    "{\"traceEvents\": [\n"
    "{\"ph\": \"X\", \"cat\": \"user_annotation\", \"name\": \"ProfilerStep#1\", \"ts\": 0, \"dur\": 100},\n"
    "{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"aten::mm\", \"ts\": 10},\n"
    "{\"ph\": \"i\", \"name\": \"[memory]\", \"ts\": 20, \"args\": {\"Bytes\": 64}},\n"
    "{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"aten::add\", \"ts\": 30, \"dur\": 5},\n"
    "{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"aten::neg\", \"ts\": 40, \"dur\": -1}]}";
  g_autofree char *gz = g_build_filename (tmpdir, "broken.pt.trace.json.gz", NULL);

  ct = lm_chrome_trace_parse (bad_json, "runs/a/w.1.pt.trace.json", &error);
  g_assert_null (ct);
  g_assert_cmpstr (error, ==, "runs/a/w.1.pt.trace.json: expected a number at byte 67");
  g_clear_pointer (&error, g_free);

  ct = lm_chrome_trace_parse ("{\"schemaVersion\": 1}", "x.json", &error);
  g_assert_null (ct);
  g_assert_cmpstr (error, ==, "x.json: no \"traceEvents\" at byte 0");
  g_clear_pointer (&error, g_free);

  /* a missing field leaves that event out, named; the rest is read */
  ct = lm_chrome_trace_parse (missing, "w.pt.trace.json", &error);
  g_assert_null (error);
  g_assert_cmpuint (ct->warnings->len, ==, 3);
  g_assert_cmpstr (ct->warnings->pdata[0], ==,
                   "w.pt.trace.json: event 2 at byte 104: an op event without a number for \"dur\"");
  g_assert_cmpstr (ct->warnings->pdata[1], ==,
                   "w.pt.trace.json: event 3 at byte 164: a [memory] event without a number for "
                   "\"Total Allocated\"");
  g_assert_cmpstr (ct->warnings->pdata[2], ==,
                   "w.pt.trace.json: event 5 at byte 301: an op event with a negative \"dur\"");
  g_assert_cmpuint (ct->steps->len, ==, 1);
  g_assert_cmpuint (((LmChromeStep *) ct->steps->pdata[0])->ops->len, ==, 1);
  g_clear_pointer (&ct, lm_chrome_trace_free);

  g_assert_true (g_file_set_contents (gz, "not gzip at all", -1, NULL));
  ct = lm_chrome_trace_load (gz, &error);
  g_assert_null (ct);
  g_assert_true (g_str_has_prefix (error, gz));
  g_assert_nonnull (strstr (error, "not a gzip file"));
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("lumen-chrome-XXXXXX", NULL);
  g_test_add_func ("/chrome-trace/export-fields", test_export_fields);
  g_test_add_func ("/chrome-trace/round-trip", test_round_trip);
  g_test_add_func ("/chrome-trace/round-trip-peaks", test_round_trip_peaks);
  g_test_add_func ("/chrome-trace/export-addresses", test_export_addresses);
  g_test_add_func ("/chrome-trace/import-torch", test_import_torch);
  g_test_add_func ("/chrome-trace/import-gzip", test_import_gzip);
  g_test_add_func ("/chrome-trace/load-stoppable", test_load_stoppable);
  g_test_add_func ("/chrome-trace/import-no-steps", test_import_no_steps);
  g_test_add_func ("/chrome-trace/import-bad", test_import_bad);
  rc = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  return rc;
}
