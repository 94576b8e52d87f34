/* test-import-profile.c: torch.profiler traces through lumen-import and
 * lumen-export (app/import/lm-tb-profile.c, app/export).
 *
 * Import: a folder as tensorboard_trace_handler leaves it (two cycles'
 * <worker>.<ms>.pt.trace.json, sharing one graph; a gzipped one in
 * another run; a broken one beside the first) becomes runs whose profiled steps hold the ops with
 * their starts, durations, input shapes, phases and memory, as the
 * Profile pane reads them (self time less the nested op); the broken file
 * is named with its byte and the rest is imported; following, a file is
 * read once, a bad one again when it changes.  Export: a run
 * profiled with lumen-log is written as <host>.<ms>.pt.trace.json beside
 * the event file, and imported back with the same ops and times; a
 * lumen-train --profile-memory run exported and imported back gives the
 * Profile pane the same table (calls, times, CPU Mem, Self CPU Mem), peak
 * and memory curve; an op's calls in backward are calls of their own in a
 * torch.profiler trace (not in a Lumen export's).
 */
#include "lm-tb-export.h"
#include "lm-tb-import.h"
#include "lm-tb-import-private.h"
#include "tb-messages.h"
#include "../logging/log-test-util.h"
#include "lm-train-app.h"
#include "lm-train-cli.h"
#include "train-fixture.h"

#include <gio/gio.h>
#include <lm-chrome-trace.h>
#include <lm-graph-data.h>
#include <lm-profile.h>

static void
copy_to (const char *from, const char *dir, const char *name, gboolean gzip)
{
  g_autofree char *text = NULL, *to = g_build_filename (dir, name, NULL);
  gsize len;

  g_assert_true (g_file_get_contents (from, &text, &len, NULL));
  g_mkdir_with_parents (dir, 0755);
  if (!gzip)
    {
      g_assert_true (g_file_set_contents (to, text, (gssize) len, NULL));
      return;
    }
  g_autoptr (GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  g_autoptr (GFile) f = g_file_new_for_path (to);
  g_autoptr (GFileOutputStream) out = g_file_replace (f, NULL, FALSE, 0, NULL, NULL);
  g_autoptr (GOutputStream) zout = g_converter_output_stream_new (G_OUTPUT_STREAM (out), G_CONVERTER (z));
  g_assert_true (g_output_stream_write_all (zout, text, len, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (zout, NULL, NULL));
}

/* The ops of the run's trace at `step`, one line each:
 * "op phase start dur shapes alloc free after peak". */
static char *
ops_text (const char *dst, const char *run, gint64 step)
{
  g_autofree char *path = g_build_filename (dst, run, "run.lumen", NULL);
  sqlite3 *db = db_open_ro (path);
  char *text = db_text (db,
                        "SELECT group_concat(line, '|') FROM (SELECT n.op || ' ' || e.phase || ' ' "
                        "|| e.start_ns || ' ' || e.dur_ns || ' ' || coalesce(e.input_shapes, '-') || ' ' "
                        "|| coalesce(e.alloc_bytes, '-') || ' ' || coalesce(e.free_bytes, '-') || ' ' "
                        "|| coalesce(e.mem_after, '-') || ' ' || coalesce(e.mem_peak, '-') AS line "
                        "FROM trace_events e JOIN traces t ON t.id = e.trace_id "
                        "JOIN graph_nodes n ON n.graph_id = t.graph_id AND n.node_id = e.node_id "
                        "WHERE t.step = %" G_GINT64_FORMAT " ORDER BY e.seq)", step);
  sqlite3_close (db);
  return text;
}

static void
test_import (void)
{
  char *src = tmpdir_new (), *dst = tmpdir_new ();
  g_autofree char *a = g_build_filename (src, "a", NULL), *b = g_build_filename (src, "b", NULL);
  g_autofree char *path = g_build_filename (dst, "a", "run.lumen", NULL);
  g_autofree char *steps = NULL, *s3 = NULL, *s4 = NULL, *gz3 = NULL, *dur = NULL;
  g_autofree char *error = NULL;
  Messages m;
  sqlite3 *db;

  copy_to (TORCH_TRACE, a, "worker0.1700000000000.pt.trace.json", FALSE);
  copy_to (TORCH_TRACE, b, "worker0.1700000000000.pt.trace.json.gz", TRUE);
  /* the schedule's next cycle (repeat=2): steps 5 and 6 */
  {
    g_autofree char *text = NULL, *later = g_build_filename (a, "worker0.1700000001000.pt.trace.json", NULL);
    g_assert_true (g_file_get_contents (TORCH_TRACE, &text, NULL, NULL));
    g_autoptr (GString) s = g_string_new (text);
    g_string_replace (s, "ProfilerStep#3", "ProfilerStep#5", 1);
    g_string_replace (s, "ProfilerStep#4", "ProfilerStep#6", 1);
    g_assert_true (g_file_set_contents (later, s->str, -1, NULL));
  }
  {
    g_autofree char *bad = g_build_filename (a, "worker0.1700000009999.pt.trace.json", NULL);
    g_assert_true (g_file_set_contents (bad, "{\"traceEvents\": [{\"ph\": \"X\", \"ts\": 1.0,,", -1, NULL));
  }
  g_assert_cmpuint (tb_import_once (src, dst, &m), ==, 1);
  g_assert_nonnull (find_message (m.errors,
                                  "a/worker0.1700000009999.pt.trace.json: expected a string at byte 39",
                                  "the file is not imported"));
  g_assert_nonnull (find_message (m.infos, "/a/run.lumen: imported 0 scalars, 4 profiled steps", NULL));
  g_assert_nonnull (find_message (m.infos, "/b/run.lumen: imported 0 scalars, 2 profiled steps", NULL));

  db = db_open_ro (path);
  steps = db_text (db, "SELECT group_concat(step || ':' || dur_ns || ':' || CAST(wall_time AS INTEGER)) "
                       "FROM (SELECT * FROM traces ORDER BY step)");
  g_assert_cmpstr (steps, ==, "3:500000:1700000000,4:300000:1700000000,5:500000:1700000000,"
                             "6:300000:1700000000");
  /* the files read together: one graph, so the trace menu lists every step */
  dur = db_text (db, "SELECT group_concat(name || ':' || (SELECT count(*) FROM traces t "
                     "WHERE t.graph_id = g.id)) FROM graphs g");
  g_assert_cmpstr (dur, ==, "worker0:4");
  sqlite3_close (db);

  s3 = ops_text (dst, "a", 3);
  g_assert_cmpstr (s3, ==,
                   "aten::linear forward 10500 100000 [[64, 784], [128, 784], [128]] 32768 0 40000 40000|"
                   "aten::addmm forward 20000 80000 [[128], [64, 784], [784, 128]] 32768 0 40000 40000|"
                   "autograd::engine::evaluate_function: AddmmBackward0 backward 200000 50000 - 0 32768 "
                   "7232 40000|"
                   "aten::mm backward 210000 20000 [[64, 128], [128, 784]] 0 32768 7232 40000");
  s4 = ops_text (dst, "a", 4);
  g_assert_cmpstr (s4, ==, "aten::relu forward 100000 10000 - - - - -");
  gz3 = ops_text (dst, "b", 3);
  g_assert_cmpstr (gz3, ==, s3);

  /* what the Profile pane makes of it: linear's self time less addmm's */
  {
    g_autoptr (GArray) list = lm_trace_data_list (path, -1, &error);
    g_autoptr (LmTraceData) t = lm_trace_data_load (path, g_array_index (list, LmTraceInfo, 0).id, FALSE,
                                                    &error);
    g_autoptr (LmGraphData) g = lm_graph_data_load (path, t->graph_id, &error);
    g_autoptr (LmProfile) p = lm_profile_compute (t, g, LM_PROFILE_BY_OP);
    gboolean seen = FALSE;

    g_assert_nonnull (p);
    g_assert_cmpuint (p->n_timed, ==, 4);
    g_assert_true (p->has_memory);
    g_assert_cmpint (p->step_ns, ==, 500000);
    for (gsize i = 0; i < p->n_rows; i++)
      if (strcmp (p->rows[i].op, "aten::linear") == 0)
        {
          g_assert_cmpint (p->rows[i].total_ns, ==, 100000);
          g_assert_cmpint (p->rows[i].self_ns, ==, 20000);
          g_assert_cmpint (p->rows[i].mem_bytes, ==, 32768);
          g_assert_cmpint (p->rows[i].self_mem_bytes, ==, 0);
          seen = TRUE;
        }
    g_assert_true (seen);
  }
  messages_clear (&m);
  tmpdir_free (dst);
  tmpdir_free (src);
}

static gint64
n_traces (const char *dst)
{
  g_autofree char *path = g_build_filename (dst, "a", "run.lumen", NULL);
  sqlite3 *db = db_open_ro (path);
  g_autofree char *n = db_text (db, "SELECT count(*) FROM traces");

  sqlite3_close (db);
  return g_ascii_strtoll (n, NULL, 10);
}

/* Following (lumen --logdir, --follow): a file is read once, a bad one
 * again once it changes. */
static void
test_follow (void)
{
  char *src = tmpdir_new (), *dst = tmpdir_new ();
  g_autofree char *a = g_build_filename (src, "a", NULL);
  g_autofree char *good = g_build_filename (a, "w.1.pt.trace.json", NULL);
  g_autofree char *bad = g_build_filename (a, "w.2.pt.trace.json", NULL);
  g_autofree char *text = NULL;
  Messages m;

  copy_to (TORCH_TRACE, a, "w.1.pt.trace.json", FALSE);
  g_assert_true (g_file_set_contents (bad, "{\"traceEvents\": [", -1, NULL));
  g_assert_true (g_file_get_contents (TORCH_TRACE, &text, NULL, NULL));
  messages_init (&m);
  LmTbImport *imp = lm_tb_import_new (src, dst, 0);
  lm_tb_import_set_message_func (imp, collect, &m);
  lm_tb_import_poll (imp);
  lm_tb_import_flush (imp);
  g_assert_cmpint (n_traces (dst), ==, 2);
  g_assert_cmpuint (m.errors->len, ==, 1);
  g_assert_nonnull (find_message (m.errors, "w.2.pt.trace.json: expected an event (an object) at the end", NULL));

  /* the good one changed: not read again; the bad one mended: read */
  g_assert_true (g_file_set_contents (good, "{\"traceEvents\": []}", -1, NULL));
  g_assert_true (g_file_set_contents (bad, text, -1, NULL));
  lm_tb_import_poll (imp);
  lm_tb_import_flush (imp);
  g_assert_cmpint (n_traces (dst), ==, 4);
  lm_tb_import_poll (imp);
  lm_tb_import_flush (imp);
  g_assert_cmpint (n_traces (dst), ==, 4);
  g_assert_cmpuint (m.errors->len, ==, 1);
  g_assert_cmpuint (lm_tb_import_finish (imp, TRUE), ==, 1);
  lm_tb_import_free (imp);
  messages_clear (&m);
  tmpdir_free (dst);
  tmpdir_free (src);
}

/* A run profiled with lumen-log: steps 5 and 6, linear then its backward. */
static void
write_profiled_run (const char *logdir)
{
  lm_writer *w = NULL;
  lm_graph *g = NULL;
  int64_t gid = -1, shape[] = { 8, 4 };
  lm_trace_stats st = { 0, 1, 0.5, 0.1, 0, 0, 0 };
  lm_graph_node n = { .id = 1, .op = "linear", .module = "fc1", .shape = shape, .ndim = 2 };

  g_assert_cmpint (lm_writer_open (&w, logdir, "mlp"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_scalar (w, "loss", 5, 0.5), ==, LM_OK);
  g_assert_cmpint (lm_graph_new (&g, "mlp"), ==, LM_OK);
  g_assert_cmpint (lm_graph_add_node (g, &n), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_graph (w, 5, g, &gid), ==, LM_OK);
  for (gint64 step = 5; step <= 7; step++)
    {
      lm_trace *t = NULL;
      g_assert_cmpint (lm_trace_new (&t, gid, step), ==, LM_OK);
      g_assert_cmpint (lm_trace_add_event_stats (t, 1, LM_PHASE_FORWARD, shape, 2, 32, &st), ==, LM_OK);
      if (step < 7)   /* step 7: a debugging trace, no times */
        {
          g_assert_cmpint (lm_trace_set_event_time (t, 1000 * step, 4000), ==, LM_OK);
          g_assert_cmpint (lm_trace_set_event_input_shapes (t, "[[8, 3], [4, 3], [4]]"), ==, LM_OK);
        }
      g_assert_cmpint (lm_trace_add_event_stats (t, 1, LM_PHASE_BACKWARD, shape, 2, 32, &st), ==, LM_OK);
      if (step < 7)
        {
          g_assert_cmpint (lm_trace_set_event_time (t, 9000, 2500), ==, LM_OK);
          g_assert_cmpint (lm_trace_set_step_time (t, 20000), ==, LM_OK);
        }
      g_assert_cmpint (lm_writer_add_trace (w, t, NULL), ==, LM_OK);
      lm_trace_free (t);
      g_usleep (2000);   /* the files' ms stamps differ */
    }
  lm_graph_free (g);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
}

static void
test_export_round_trip (void)
{
  char *logdir = tmpdir_new (), *out = tmpdir_new (), *back = tmpdir_new ();
  g_autofree char *run_out = g_build_filename (out, "mlp", NULL);
  g_autoptr (GDir) d = NULL;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *prefix = g_strdup_printf ("%s.", g_get_host_name ());
  g_autofree char *s5 = NULL, *s6 = NULL;
  const char *name;
  Messages m;

  g_strdelimit (prefix, ".", '_');
  prefix[strlen (prefix) - 1] = '.';
  write_profiled_run (logdir);
  LmTbExportOptions eo = { 0 };
  g_assert_cmpuint (lm_tb_export (logdir, out, &eo), ==, 0);
  d = g_dir_open (run_out, 0, NULL);
  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (lm_tb_is_profile_file (name))
      {
        g_assert_true (g_str_has_prefix (name, prefix));
        g_ptr_array_add (files, g_strdup (name));
      }
  g_assert_cmpuint (files->len, ==, 2);

  /* lumen-import reads them back: the run's two profiled steps */
  g_assert_cmpuint (tb_import_once (out, back, &m), ==, 0);
  g_assert_nonnull (find_message (m.infos, "/mlp/run.lumen: imported 1 scalar", "2 profiled steps"));
  s5 = ops_text (back, "mlp", 5);
  g_assert_cmpstr (s5, ==, "linear forward 5000 4000 [[8, 3], [4, 3], [4]] - - - -|"
                           "linear backward 9000 2500 - - - - -");
  s6 = ops_text (back, "mlp", 6);
  g_assert_cmpstr (s6, ==, "linear forward 6000 4000 [[8, 3], [4, 3], [4]] - - - -|"
                           "linear backward 9000 2500 - - - - -");
  messages_clear (&m);
  tmpdir_free (back);
  tmpdir_free (out);
  tmpdir_free (logdir);
}

/* The run's profiled steps: path's traces with op times, by step. */
static GPtrArray *
timed_traces (const char *path)
{
  g_autofree char *error = NULL;
  g_autoptr (GArray) list = lm_trace_data_list (path, -1, &error);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) lm_trace_data_free);

  g_assert_nonnull (list);
  for (guint i = 0; i < list->len; i++)
    if (g_array_index (list, LmTraceInfo, i).timed)
      {
        LmTraceData *t = lm_trace_data_load (path, g_array_index (list, LmTraceInfo, i).id, FALSE, &error);
        g_assert_nonnull (t);
        g_ptr_array_add (out, t);
      }
  return out;
}

/* The Profile pane's figures for t, by op and module, as text. */
static char *
profile_text (const char *path, const LmTraceData *t)
{
  g_autofree char *error = NULL;
  g_autoptr (LmGraphData) g = lm_graph_data_load (path, t->graph_id, &error);
  g_autoptr (LmProfile) p = lm_profile_compute (t, g, LM_PROFILE_BY_NODE);
  GString *s = g_string_new (NULL);

  g_assert_nonnull (p);
  lm_profile_sort (p, LM_PROFILE_SORT_NAME);
  g_string_append_printf (s, "step %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " ns, %u ops, peak %" G_GINT64_FORMAT
                             "\n", t->step, p->step_ns, p->n_timed, p->mem_peak_bytes);
  for (gsize i = 0; i < p->n_rows; i++)
    {
      const LmProfileRow *r = &p->rows[i];
      g_string_append_printf (s, "%s %s: %u calls (%u, %u) %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " self %"
                                 G_GINT64_FORMAT ", mem %" G_GINT64_FORMAT " self %" G_GINT64_FORMAT "\n",
                              r->op, r->module, r->calls, r->forward_calls, r->backward_calls, r->forward_ns,
                              r->backward_ns, r->self_ns, r->mem_bytes, r->self_mem_bytes);
    }
  {
    gsize n = 0;
    g_autofree LmProfileMemVertex *v = lm_profile_memory_outline (p, t, &n);
    g_string_append (s, "curve");
    for (gsize i = 0; i < n; i++)
      g_string_append_printf (s, " %.1f:%" G_GINT64_FORMAT, v[i].t_ns, v[i].bytes);
  }
  return g_string_free (s, FALSE);
}

/* lumen-train --model cnn --profile-memory, lumen-export, lumen-import:
 * the same Profile pane.  The loop's frees and allocations between ops
 * were left out of the export, so an op came back with the op before
 * it's last total as its start (conv2d's backward: a peak of 24156588 B
 * for 21062060 B). */
static void
test_train_round_trip (void)
{
  char *logdir = tmpdir_new (), *out = tmpdir_new (), *back = tmpdir_new ();
  g_autofree char *data = train_fixture_make_data (logdir, 256, 32);
  g_autofree char *path = g_build_filename (logdir, "cnn", "run.lumen", NULL);
  g_autofree char *back_path = g_build_filename (back, "cnn", "run.lumen", NULL);
  g_autoptr (GPtrArray) before = NULL, after = NULL;
  LmTbExportOptions eo = { 0 };
  lm_train_cli cli;
  Messages m;
  FILE *log = tmpfile ();

  lm_train_cli_defaults (&cli);
  cli.data_dir = data;
  cli.epochs = 1;
  cli.set_epochs = TRUE;
  cli.no_progress = TRUE;
  cli.logdir = logdir;
  cli.run = "cnn";
  cli.model = "cnn";
  cli.set_model = TRUE;
  cli.profile_steps[0] = 2;
  cli.profile_steps[1] = 3;
  cli.n_profile_steps = 2;
  cli.profile_memory = TRUE;
  cli.stop_after_steps_set = TRUE;
  cli.stop_after_steps = 3;
  g_assert_cmpint (lm_train_app_run (&cli, log, log, NULL), ==, 0);
  fclose (log);

  g_assert_cmpuint (lm_tb_export (logdir, out, &eo), ==, 0);
  g_assert_cmpuint (tb_import_once (out, back, &m), ==, 0);
  before = timed_traces (path);
  after = timed_traces (back_path);
  g_assert_cmpuint (before->len, ==, 2);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < before->len; i++)
    {
      g_autofree char *want = profile_text (path, before->pdata[i]);
      g_autofree char *got = profile_text (back_path, after->pdata[i]);

      g_test_message ("%s", want);
      g_assert_cmpstr (got, ==, want);
    }
  messages_clear (&m);
  tmpdir_free (back);
  tmpdir_free (out);
  tmpdir_free (logdir);
}

/* The Profile pane's calls of the step in the run file at path, by node
 * and by op: aten::mm 3 (1 forward, 2 backward), its mean the total over
 * 3; the backward function's span 1. */
static void
assert_backward_calls (const char *path)
{
  g_autofree char *error = NULL;
  g_autoptr (GArray) list = lm_trace_data_list (path, -1, &error);
  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, ==, 1);
  g_autoptr (LmTraceData) t = lm_trace_data_load (path, g_array_index (list, LmTraceInfo, 0).id, FALSE, &error);
  g_autoptr (LmGraphData) g = lm_graph_data_load (path, t->graph_id, &error);
  g_assert_nonnull (t);
  g_assert_nonnull (g);
  for (int group = LM_PROFILE_BY_NODE; group <= LM_PROFILE_BY_OP; group++)
    {
      g_autoptr (LmProfile) p = lm_profile_compute (t, g, group);

      g_assert_nonnull (p);
      lm_profile_sort (p, LM_PROFILE_SORT_NAME);
      g_assert_cmpuint (p->n_rows, ==, 2);
      g_assert_cmpstr (p->rows[0].op, ==, "aten::mm");
      g_assert_cmpuint (p->rows[0].forward_calls, ==, 1);
      g_assert_cmpuint (p->rows[0].backward_calls, ==, 2);
      g_assert_cmpuint (p->rows[0].calls, ==, 3);
      g_assert_cmpint (p->rows[0].total_ns, ==, 60000);
      g_assert_cmpfloat (p->rows[0].mean_ns, ==, 20000.0);
      g_assert_cmpstr (p->rows[1].op, ==, "autograd::engine::evaluate_function: MmBackward0");
      g_assert_cmpuint (p->rows[1].calls, ==, 1);
    }
}

/* Calls as torch-tb-profiler's Operator view counts them: aten::mm called
 * once in forward and twice in backward (under MmBackward0) is 3 calls,
 * by op and by node, its mean the total over 3, where Lumen counted its
 * forward call alone (1) and a mean of 3 times the Operator view's; the
 * backward function's own span is a call too.  Exported (aten::mm's
 * backward calls named so, not AtenMmBackward0) and imported back, the
 * same. */
static void
test_backward_calls (void)
{
  char *src = tmpdir_new (), *dst = tmpdir_new (), *mid = tmpdir_new (), *back = tmpdir_new ();
  g_autofree char *dir = g_build_filename (src, "r", NULL);
  g_autofree char *file = g_build_filename (dir, "w.1700000000000.pt.trace.json", NULL);
  g_autofree char *path = g_build_filename (dst, "r", "run.lumen", NULL);
  g_autofree char *back_path = g_build_filename (back, "r", "run.lumen", NULL);
  static const char trace[] =
    "{\"traceEvents\": [\n"
    "{\"ph\": \"X\", \"cat\": \"user_annotation\", \"name\": \"ProfilerStep#1\", \"pid\": 1, \"tid\": 1, "
    "\"ts\": 0, \"dur\": 1000},\n"
    "{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"aten::mm\", \"pid\": 1, \"tid\": 1, \"ts\": 10, "
    "\"dur\": 30},\n"
    "{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"autograd::engine::evaluate_function: MmBackward0\", "
    "\"pid\": 1, \"tid\": 2, \"ts\": 100, \"dur\": 100},\n"
    "{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"aten::mm\", \"pid\": 1, \"tid\": 2, \"ts\": 110, "
    "\"dur\": 20},\n"
    "{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"aten::mm\", \"pid\": 1, \"tid\": 2, \"ts\": 150, "
    "\"dur\": 10}\n"
    "]}\n";
  LmTbExportOptions eo = { 0 };
  Messages m;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (file, trace, -1, NULL));
  g_assert_cmpuint (tb_import_once (src, dst, &m), ==, 0);
  messages_clear (&m);
  assert_backward_calls (path);

  g_assert_cmpuint (lm_tb_export (dst, mid, &eo), ==, 0);
  g_assert_cmpuint (tb_import_once (mid, back, &m), ==, 0);
  messages_clear (&m);
  assert_backward_calls (back_path);
  tmpdir_free (back);
  tmpdir_free (mid);
  tmpdir_free (dst);
  tmpdir_free (src);
}

/* Asked before each step is written: TRUE from the second ask on. */
static gboolean
stop_after_one (gpointer data)
{
  return ++*(guint *) data > 1;
}

/* Ctrl-C while a trace's steps are written ends the writing before the
 * next step (lumen-import asks its cancel flag): the steps written are
 * whole, the rest not written, where every step was written first. */
static void
test_write_stops (void)
{
  char *dir = tmpdir_new ();
  g_autofree char *path = g_build_filename (dir, "r", "run.lumen", NULL);
  g_autofree char *error = NULL;
  g_autoptr (GPtrArray) traces = g_ptr_array_new_with_free_func ((GDestroyNotify) lm_chrome_trace_free);
  LmChromeTrace *ct = lm_chrome_trace_load (TORCH_TRACE, &error);
  lm_writer *w = NULL;
  gint64 next = 0;
  guint n = 0, asked = 0;
  sqlite3 *db;

  g_assert_nonnull (ct);
  g_assert_cmpuint (ct->steps->len, ==, 2);
  g_ptr_array_add (traces, ct);
  g_assert_cmpint (lm_writer_open (&w, dir, "r"), ==, LM_OK);
  g_assert_cmpint (lm_tb_profile_write (w, traces, "worker0", &next, &n, stop_after_one, &asked), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (asked, ==, 2);
  db = db_open_ro (path);
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM traces"), ==, 1);
  g_assert_cmpint (db_int (db, "SELECT step FROM traces"), ==, 3);
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM graphs"), ==, 1);
  sqlite3_close (db);
  tmpdir_free (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/import-profile/import", test_import);
  g_test_add_func ("/import-profile/follow", test_follow);
  g_test_add_func ("/import-profile/write-stops", test_write_stops);
  g_test_add_func ("/import-profile/export-round-trip", test_export_round_trip);
  g_test_add_func ("/import-profile/train-round-trip", test_train_round_trip);
  g_test_add_func ("/import-profile/backward-calls", test_backward_calls);
  return g_test_run ();
}
