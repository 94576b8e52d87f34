/* test-profile.c: op profiling, read back and shown (data/lm-profile.c,
 * ui/lm-profile-pane.c, the graph view's compute-time colouring).
 *
 * Without a display: key_averages-style sums of a hand-made trace (totals,
 * self times with a nested op, means, shares of the step, by node and by
 * op type, every sort), a trace without times giving no table, and a run
 * file from before op times (the columns dropped) reading as untimed.
 * With a display (Xvfb), on a real lumen-train --profile-steps run: the
 * Profile pane lists every timed node sorted by total time with the
 * percentages of the step, sorts by a column, and a click on a row selects
 * the node in the graph, the timeline's bars name their op under the
 * pointer and select it on a click; "Color: Compute time" fills the
 * slowest node's box with the dark end of the scale and a parameter (no
 * time) grey, where "Structure" had the kind's colour; the dark theme's
 * scale spans as much (CIELAB) as the light one's, the legend ending in
 * the boxes' fills; a 150-node step shows its first 100 rows and says so;
 * the timeline from the keyboard: focusable, a ring with the focus,
 * Left/Right/Home/End through the ops in time order, the keys' bar drawn
 * as the hovered one and named as its tooltip would (the
 * accessible description), Enter and space select its node;
 * `lumen --view profile --screenshot`, light and dark, has the timeline's
 * bars, the memory curve and the slowest box on it.
 * Memory (the fixture runs --profile-memory): "CPU Mem" and "Self CPU
 * Mem" sums with a nested op, their sorts, the curve's points and peak,
 * torch's byte units; in the pane, the columns' cells and sorts, the
 * curve's pixels and tooltips, and a step without memory hiding them.
 * "Export Chrome trace…" writes the step as export_chrome_trace() does,
 * read back with the same ops, times, shapes and memory.
 * lumen-train names the --profile-steps past the run's end.
 */
#include <glib.h>
#include <gtk/gtk.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "lm-chrome-trace.h"
#include "lm-graph-data.h"
#include "lm-graph-view.h"
#include "lm-profile-pane.h"
#include "lm-profile.h"
#include "lm-theme.h"
#include "lm-train-app.h"
#include "lumen-log.h"
#include "train-fixture.h"
#include "ui-test-util.h"
#include "widget-pixels.h"

static char *tmpdir, *run_file, *data_dir;
static gboolean have_display;

/* Events of a made-up step: node 1 forward 0-100 with node 4 nested in it
 * (20-50), node 2 forward 100-400, node 2 backward 500-1100, node 1
 * backward 1100-1200, node 3 a parameter gradient (untimed); step 2000 ns. */
static LmTraceData *
made_up_trace (void)
{
  static const struct { gint64 node; gboolean bwd; gint64 start, dur; } ev[] = {
    { 1, FALSE, 0, 100 }, { 4, FALSE, 20, 30 }, { 2, FALSE, 100, 300 },
    { 2, TRUE, 500, 600 }, { 3, TRUE, -1, -1 }, { 1, TRUE, 1100, 100 },
  };
  LmTraceData *t = g_new0 (LmTraceData, 1);

  t->step = 7;
  t->dur_ns = 2000;
  t->n_events = G_N_ELEMENTS (ev);
  t->events = g_new0 (LmTraceDataEvent, t->n_events);
  for (gsize i = 0; i < t->n_events; i++)
    {
      t->events[i].seq = (gint64) i;
      t->events[i].node_id = ev[i].node;
      t->events[i].backward = ev[i].bwd;
      t->events[i].start_ns = ev[i].start;
      t->events[i].dur_ns = ev[i].dur;
      /* no memory, as the reader gives a step profiled without it */
      t->events[i].alloc_bytes = t->events[i].free_bytes = -1;
      t->events[i].mem_after = t->events[i].mem_peak = -1;
    }
  t->n_ops = (gint64) t->n_events;
  return t;
}

/* made_up_trace with memory (bytes allocated, freed, allocated after,
 * most during): node 1's forward allocates 1000 and frees 100, node 4's
 * nested in it 400 and 100 of those; node 2's forward 32 KB; its backward
 * allocates 1 KB, frees 2 KB and peaks at 40000 in between; node 1's
 * backward frees 512. */
static LmTraceData *
made_up_memory_trace (void)
{
  static const gint64 mem[][4] = {
    { 1000, 100, 1900, 2000 }, { 400, 100, 1300, 1400 }, { 32768, 0, 34668, 34668 },
    { 1024, 2048, 33644, 40000 }, { -1, -1, -1, -1 }, { 0, 512, 33132, 33644 },
  };
  LmTraceData *t = made_up_trace ();

  for (gsize i = 0; i < t->n_events; i++)
    {
      t->events[i].alloc_bytes = mem[i][0];
      t->events[i].free_bytes = mem[i][1];
      t->events[i].mem_after = mem[i][2];
      t->events[i].mem_peak = mem[i][3];
    }
  return t;
}

static LmGraphData *
made_up_graph (void)
{
  static const char *const ops[] = { "linear", "relu", "parameter", "linear" };
  LmGraphData *g = g_new0 (LmGraphData, 1);

  g->n_nodes = 4;
  g->nodes = g_new0 (LmGraphDataNode, 4);
  g->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (int i = 0; i < 4; i++)
    {
      g->nodes[i].id = i + 1;
      g->nodes[i].op = g_strdup (ops[i]);
      g->nodes[i].name = g_strdup (ops[i]);
      g->nodes[i].module = g_strdup (i == 0 ? "fc1" : i == 3 ? "fc2" : "");
      g_hash_table_insert (g->by_id, &g->nodes[i].id, GINT_TO_POINTER (i + 1));
    }
  return g;
}

static const LmProfileRow *
row_of (const LmProfile *p, gint64 node)
{
  for (gsize i = 0; i < p->n_rows; i++)
    if (p->rows[i].node_id == node)
      return &p->rows[i];
  return NULL;
}

static void
test_sums (void)
{
  g_autoptr (LmTraceData) t = made_up_trace ();
  g_autoptr (LmGraphData) g = made_up_graph ();
  g_autoptr (LmProfile) p = lm_profile_compute (t, g, LM_PROFILE_BY_NODE);

  g_assert_nonnull (p);
  g_assert_cmpuint (p->n_timed, ==, 5);
  g_assert_cmpuint (p->n_rows, ==, 3);
  /* self: node 1's forward loses node 4's 30 ns */
  g_assert_cmpint (p->ops_ns, ==, 70 + 30 + 300 + 600 + 100);
  g_assert_cmpint (p->forward_ns, ==, 400);
  g_assert_cmpint (p->backward_ns, ==, 700);
  g_assert_true (p->step_measured);
  g_assert_cmpint (p->step_ns, ==, 2000);
  /* sorted by total, descending */
  g_assert_cmpint (p->rows[0].node_id, ==, 2);
  g_assert_cmpint (p->rows[1].node_id, ==, 1);
  g_assert_cmpint (p->rows[2].node_id, ==, 4);
  const LmProfileRow *r2 = row_of (p, 2), *r1 = row_of (p, 1), *r4 = row_of (p, 4);
  g_assert_cmpstr (r2->op, ==, "relu");
  /* one call: its forward, whose backward is part of it (it said 2) */
  g_assert_cmpuint (r2->calls, ==, 1);
  g_assert_cmpuint (r2->forward_calls, ==, 1);
  g_assert_cmpuint (r2->backward_calls, ==, 1);
  g_assert_cmpint (r2->forward_ns, ==, 300);
  g_assert_cmpint (r2->backward_ns, ==, 600);
  g_assert_cmpint (r2->total_ns, ==, 900);
  g_assert_cmpint (r2->self_ns, ==, 900);
  g_assert_cmpfloat_with_epsilon (r2->mean_ns, 900, 1e-9);
  g_assert_cmpfloat_with_epsilon (r2->percent, 45.0, 1e-9);
  g_assert_cmpstr (r1->module, ==, "fc1");
  g_assert_cmpint (r1->total_ns, ==, 200);
  g_assert_cmpint (r1->self_ns, ==, 170);
  g_assert_cmpfloat_with_epsilon (r1->percent, 10.0, 1e-9);
  g_assert_cmpint (r4->total_ns, ==, 30);
  g_assert_cmpuint (r4->calls, ==, 1);

  /* other columns */
  lm_profile_sort (p, LM_PROFILE_SORT_SELF);
  g_assert_cmpint (p->rows[0].node_id, ==, 2);
  lm_profile_sort (p, LM_PROFILE_SORT_FORWARD);
  g_assert_cmpint (p->rows[0].node_id, ==, 2);
  g_assert_cmpint (p->rows[1].node_id, ==, 1);
  lm_profile_sort (p, LM_PROFILE_SORT_CALLS);
  g_assert_cmpint (p->rows[2].node_id, ==, 4);
  lm_profile_sort (p, LM_PROFILE_SORT_NAME);
  g_assert_cmpstr (p->rows[0].op, ==, "linear");
  g_assert_cmpstr (p->rows[0].module, ==, "fc1");
  g_assert_cmpstr (p->rows[2].op, ==, "relu");
  lm_profile_sort (p, LM_PROFILE_SORT_BACKWARD);
  g_assert_cmpint (p->rows[0].node_id, ==, 2);
  g_assert_cmpint (p->rows[2].node_id, ==, 4);

  /* by op type: the two linears in one row, named by the slower node */
  g_autoptr (LmProfile) q = lm_profile_compute (t, g, LM_PROFILE_BY_OP);
  g_assert_cmpuint (q->n_rows, ==, 2);
  g_assert_cmpstr (q->rows[0].op, ==, "relu");
  g_assert_cmpstr (q->rows[1].op, ==, "linear");
  g_assert_cmpuint (q->rows[1].calls, ==, 2);
  g_assert_cmpuint (q->rows[1].nodes, ==, 2);
  g_assert_cmpint (q->rows[1].total_ns, ==, 230);
  g_assert_cmpint (q->rows[1].self_ns, ==, 200);
  g_assert_cmpint (q->rows[1].node_id, ==, 1);
  g_assert_cmpfloat_with_epsilon (q->rows[1].percent, 11.5, 1e-9);

  /* the colouring's times: forward + backward per node */
  g_autoptr (GHashTable) h = lm_profile_node_times (t);
  gint64 k = 2;
  g_assert_cmpint (*(gint64 *) g_hash_table_lookup (h, &k), ==, 900);
  k = 3;
  g_assert_null (g_hash_table_lookup (h, &k));

  /* no step time stored: shares of the ops' time */
  t->dur_ns = -1;
  g_autoptr (LmProfile) u = lm_profile_compute (t, g, LM_PROFILE_BY_NODE);
  g_assert_false (u->step_measured);
  g_assert_cmpint (u->step_ns, ==, 1100);
  double sum = 0;
  for (gsize i = 0; i < u->n_rows; i++)
    sum += u->rows[i].percent;
  /* totals count node 4 inside node 1 twice: over 100 by its 30 ns */
  g_assert_cmpfloat_with_epsilon (sum, 100.0 * 1130 / 1100, 1e-9);

  /* untimed: no table */
  for (gsize i = 0; i < t->n_events; i++)
    t->events[i].start_ns = t->events[i].dur_ns = -1;
  g_assert_null (lm_profile_compute (t, g, LM_PROFILE_BY_NODE));
  g_assert_null (lm_profile_node_times (t));

  char buf[32];
  g_assert_cmpstr (lm_profile_time_text (812, buf, sizeof buf), ==, "812 ns");
  g_assert_cmpstr (lm_profile_time_text (3250000, buf, sizeof buf), ==, "3.25 ms");
  g_assert_cmpstr (lm_profile_time_text (15800, buf, sizeof buf), ==, "15.8 µs");
}

/* A run file from before op times: its traces still read, untimed. */
/* torch's "CPU Mem" and "Self CPU Mem": allocated less freed by a row's
 * events and those nested in them / by its events alone; sorts by either;
 * the step's curve (each op's start and end, in time order, a nested op's
 * points inside its parent's) and its peak's op; bytes in torch's units. */
static void
test_memory_sums (void)
{
  g_autoptr (LmTraceData) t = made_up_memory_trace ();
  g_autoptr (LmGraphData) g = made_up_graph ();
  g_autoptr (LmProfile) p = lm_profile_compute (t, g, LM_PROFILE_BY_NODE);
  char b[32];

  g_assert_true (p->has_memory);
  g_assert_cmpint (row_of (p, 1)->mem_bytes, ==, 900 - 512);
  g_assert_cmpint (row_of (p, 1)->self_mem_bytes, ==, 900 - 300 - 512);
  g_assert_cmpint (row_of (p, 4)->mem_bytes, ==, 300);
  g_assert_cmpint (row_of (p, 4)->self_mem_bytes, ==, 300);
  g_assert_cmpint (row_of (p, 2)->mem_bytes, ==, 32768 + 1024 - 2048);
  g_assert_cmpint (row_of (p, 2)->self_mem_bytes, ==, 32768 + 1024 - 2048);
  lm_profile_sort (p, LM_PROFILE_SORT_MEM);
  g_assert_cmpint (p->rows[0].node_id, ==, 2);
  g_assert_cmpint (p->rows[1].node_id, ==, 1);
  g_assert_cmpint (p->rows[2].node_id, ==, 4);
  lm_profile_sort (p, LM_PROFILE_SORT_SELF_MEM);
  g_assert_cmpint (p->rows[0].node_id, ==, 2);
  g_assert_cmpint (p->rows[1].node_id, ==, 4);
  g_assert_cmpint (p->rows[2].node_id, ==, 1);

  static const LmProfileMemPoint curve[] = {
    { 0, 1000, 0, FALSE }, { 20, 1000, 1, FALSE }, { 50, 1300, 1, TRUE }, { 100, 1900, 0, TRUE },
    { 100, 1900, 2, FALSE }, { 400, 34668, 2, TRUE }, { 500, 34668, 3, FALSE }, { 1100, 33644, 3, TRUE },
    { 1100, 33644, 5, FALSE }, { 1200, 33132, 5, TRUE },
  };
  g_assert_cmpuint (p->n_mem_points, ==, G_N_ELEMENTS (curve));
  for (gsize i = 0; i < p->n_mem_points; i++)
    {
      g_assert_cmpint (p->mem_points[i].t_ns, ==, curve[i].t_ns);
      g_assert_cmpint (p->mem_points[i].bytes, ==, curve[i].bytes);
      g_assert_cmpuint (p->mem_points[i].event, ==, curve[i].event);
      g_assert_cmpint (p->mem_points[i].end, ==, curve[i].end);
    }
  g_assert_cmpint (p->mem_peak_bytes, ==, 40000);
  g_assert_cmpint (p->mem_peak_event, ==, 3);
  /* as drawn: op 3 (500..1100 ns, 34668 before, 33644 after) held 40000
   * at its busiest, a vertex at its middle, so the curve reaches the peak's
   * dot (it used to run straight from 34668 to 33644, under the dot) */
  {
    gsize nv;
    g_autofree LmProfileMemVertex *v = lm_profile_memory_outline (p, t, &nv);
    gsize k;

    for (k = 0; k + 2 < nv; k++)
      if (v[k].t_ns == 500 && v[k].bytes == 34668)
        break;
    g_assert_cmpuint (k + 2, <, nv);
    g_assert_cmpfloat (v[k + 1].t_ns, ==, 800);
    g_assert_cmpint (v[k + 1].bytes, ==, 40000);
    g_assert_cmpfloat (v[k + 2].t_ns, ==, 1100);
    g_assert_cmpint (v[k + 2].bytes, ==, 33644);
    /* the dot on that vertex; on an op that kept its peak to its end,
     * at the end (where the curve has it) */
    g_assert_cmpfloat (lm_profile_memory_peak_t_ns (p, t), ==, 800);
    LmTraceDataEvent *e3 = (LmTraceDataEvent *) &t->events[3];
    gint64 kept = e3->mem_peak;
    e3->mem_peak = e3->mem_after;
    g_assert_cmpfloat (lm_profile_memory_peak_t_ns (p, t), ==, 1100);
    e3->mem_peak = kept;
    /* every vertex of mem_points is there, in order */
    for (gsize i = 0, j = 0; i < p->n_mem_points; i++, j++)
      {
        while (j < nv && !(v[j].t_ns == p->mem_points[i].t_ns && v[j].bytes == p->mem_points[i].bytes))
          j++;
        g_assert_cmpuint (j, <, nv);
      }
  }

  /* by op type: the two linears' nodes together */
  g_autoptr (LmProfile) by_op = lm_profile_compute (t, g, LM_PROFILE_BY_OP);
  for (gsize i = 0; i < by_op->n_rows; i++)
    if (strcmp (by_op->rows[i].op, "linear") == 0)
      g_assert_cmpint (by_op->rows[i].mem_bytes, ==, 388 + 300);

  /* a step without memory has no columns' worth: all 0, no curve */
  g_autoptr (LmTraceData) plain = made_up_trace ();
  g_autoptr (LmProfile) none = lm_profile_compute (plain, g, LM_PROFILE_BY_NODE);
  g_assert_false (none->has_memory);
  g_assert_cmpuint (none->n_mem_points, ==, 0);
  g_assert_cmpint (none->mem_peak_event, ==, -1);
  g_assert_cmpint (row_of (none, 2)->mem_bytes, ==, 0);

  /* torch.autograd.profiler_util._format_memory's numbers (PyTorch 1.13:
   * 0 b, 512 b, 1023 b, 1.00 Kb, 1.50 Kb, 32.00 Kb, -1.50 Mb, 2.00 Gb),
   * with the usual unit names */
  g_assert_cmpstr (lm_profile_bytes_text (0, b, sizeof b), ==, "0 B");
  g_assert_cmpstr (lm_profile_bytes_text (512, b, sizeof b), ==, "512 B");
  g_assert_cmpstr (lm_profile_bytes_text (1023, b, sizeof b), ==, "1023 B");
  g_assert_cmpstr (lm_profile_bytes_text (1024, b, sizeof b), ==, "1.00 KB");
  g_assert_cmpstr (lm_profile_bytes_text (1536, b, sizeof b), ==, "1.50 KB");
  g_assert_cmpstr (lm_profile_bytes_text (32768, b, sizeof b), ==, "32.00 KB");
  g_assert_cmpstr (lm_profile_bytes_text (-1572864, b, sizeof b), ==, "-1.50 MB");
  g_assert_cmpstr (lm_profile_bytes_text ((gint64) 2 << 30, b, sizeof b), ==, "2.00 GB");
}

/* A copy of the fixture run (named name in the test's folder) as an older
 * lumen-log wrote it: sql (dropping columns) run on it. */
static char *
copy_of_run (const char *name, const char *sql)
{
  char *copy = g_build_filename (tmpdir, name, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *all = g_strconcat ("PRAGMA journal_mode = DELETE; ", sql, NULL);
  gsize len;
  sqlite3 *db;

  g_assert_true (g_file_get_contents (run_file, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (copy, contents, (gssize) len, NULL));
  g_assert_cmpint (sqlite3_open (copy, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, all, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  return copy;
}

static void
test_old_file (void)
{
  char *error = NULL;
  g_autofree char *copy = copy_of_run ("old.lumen", "ALTER TABLE trace_events DROP COLUMN start_ns; "
                                                    "ALTER TABLE trace_events DROP COLUMN dur_ns; "
                                                    "ALTER TABLE trace_events DROP COLUMN input_shapes; "
                                                    "ALTER TABLE traces DROP COLUMN dur_ns");
  GArray *list = lm_trace_data_list (copy, -1, &error);
  g_assert_null (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_false (g_array_index (list, LmTraceInfo, 0).timed);
  g_autoptr (LmTraceData) t = lm_trace_data_load (copy, g_array_index (list, LmTraceInfo, 0).id, FALSE, &error);
  g_assert_null (error);
  g_assert_cmpuint (t->n_events, >, 10);
  g_assert_cmpint (t->dur_ns, ==, -1);
  for (gsize i = 0; i < t->n_events; i++)
    {
      g_assert_cmpint (t->events[i].dur_ns, ==, -1);
      g_assert_null (t->events[i].input_shapes);
    }
  g_assert_null (lm_profile_compute (t, NULL, LM_PROFILE_BY_NODE));
  g_array_unref (list);

  /* the same run as written: timed */
  list = lm_trace_data_list (run_file, -1, &error);
  g_assert_true (g_array_index (list, LmTraceInfo, 0).timed);
  g_array_unref (list);

  /* a file from before memory profiling (times, no memory columns):
   * times and no memory */
  g_autofree char *copy2 = copy_of_run ("old-memory.lumen", "ALTER TABLE trace_events DROP COLUMN alloc_bytes; "
                                                            "ALTER TABLE trace_events DROP COLUMN free_bytes; "
                                                            "ALTER TABLE trace_events DROP COLUMN mem_after; "
                                                            "ALTER TABLE trace_events DROP COLUMN mem_peak");
  list = lm_trace_data_list (copy2, -1, &error);
  g_assert_null (error);
  g_autoptr (LmTraceData) nomem = lm_trace_data_load (copy2, g_array_index (list, LmTraceInfo, 0).id, FALSE, &error);
  g_assert_null (error);
  g_array_unref (list);
  for (gsize i = 0; i < nomem->n_events; i++)
    g_assert_cmpint (nomem->events[i].alloc_bytes, ==, -1);
  g_autoptr (LmProfile) p = lm_profile_compute (nomem, NULL, LM_PROFILE_BY_NODE);
  g_assert_nonnull (p);
  g_assert_false (p->has_memory);
  /* as written (--profile-memory): every op's memory */
  list = lm_trace_data_list (run_file, -1, &error);
  g_autoptr (LmTraceData) mem = lm_trace_data_load (run_file, g_array_index (list, LmTraceInfo, 0).id, FALSE, &error);
  g_array_unref (list);
  g_autoptr (LmProfile) pm = lm_profile_compute (mem, NULL, LM_PROFILE_BY_NODE);
  g_assert_true (pm->has_memory);
  g_assert_cmpuint (pm->n_mem_points, ==, 2 * pm->n_timed);
}

static void
box_centre (LmGraphView *view, gint64 id, int *x, int *y)
{
  graphene_rect_t r;

  g_assert_true (lm_graph_view_get_node_rect (view, id, &r));
  *x = (int) (r.origin.x + 4);
  *y = (int) (r.origin.y + r.size.height / 2);
}

/* The fixture run's graph and its profiled step, for a test that shows
 * them: NULL (the test skipped) without a display. */
static LmTraceData *
load_profiled (LmGraphData **g)
{
  char *error = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return NULL;
    }
  *g = lm_graph_data_load (run_file, -1, &error);
  GArray *list = lm_trace_data_list (run_file, -1, &error);
  LmTraceData *t = lm_trace_data_load (run_file, g_array_index (list, LmTraceInfo, 0).id, FALSE, &error);
  g_assert_null (error);
  g_array_unref (list);
  return t;
}

/* The label under w whose text starts with prefix. */
static GtkWidget *
find_label (GtkWidget *w, const char *prefix)
{
  if (GTK_IS_LABEL (w) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (w)), prefix))
    return w;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_label (c, prefix);
      if (found)
        return found;
    }
  return NULL;
}

/* A window with a graph view showing g and t and a profile pane beside
 * it, laid out; returns the pane. */
static GtkWidget *
show_view_and_pane (LmGraphData *g, LmTraceData *t, GtkWidget **win_out, GtkWidget **view_out)
{
  GtkWidget *win = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *view = lm_graph_view_new ();
  GtkWidget *pane = lm_profile_pane_new (LM_GRAPH_VIEW (view));

  gtk_window_set_default_size (GTK_WINDOW (win), 1300, 1000);
  gtk_widget_set_hexpand (view, TRUE);
  gtk_box_append (GTK_BOX (box), view);
  gtk_box_append (GTK_BOX (box), pane);
  gtk_window_set_child (GTK_WINDOW (win), box);
  gtk_window_present (GTK_WINDOW (win));
  lm_graph_view_set_graph (LM_GRAPH_VIEW (view), g);
  lm_graph_view_set_trace (LM_GRAPH_VIEW (view), t);
  lm_profile_pane_reload (LM_PROFILE_PANE (pane));
  widget_pixels_wait_laid_out (view);
  *win_out = win;
  *view_out = view;
  return pane;
}

static void
test_pane_and_colours (void)
{
  LmGraphData *g = NULL;
  LmTraceData *t = load_profiled (&g);

  if (t == NULL)
    return;

  GtkWidget *win, *view;
  GtkWidget *pane = show_view_and_pane (g, t, &win, &view);
  LmGraphView *gv = LM_GRAPH_VIEW (view);
  lm_graph_view_fit (gv);

  /* the table: every timed node once, by total time, shares of the step */
  const LmProfile *p = lm_profile_pane_get_profile (LM_PROFILE_PANE (pane));
  g_assert_nonnull (p);
  guint ops = 0;
  for (gsize i = 0; i < g->n_nodes; i++)
    ops += g_strcmp0 (g->nodes[i].op, "parameter") != 0 && g_strcmp0 (g->nodes[i].op, "input") != 0;
  g_assert_cmpuint (p->n_rows, ==, ops);
  g_assert_true (p->step_measured);
  double sum = 0;
  for (gsize i = 0; i < p->n_rows; i++)
    {
      if (i > 0)
        g_assert_cmpint (p->rows[i - 1].total_ns, >=, p->rows[i].total_ns);
      g_assert_cmpuint (p->rows[i].calls, ==, 1); /* one forward, with its backward */
      g_assert_cmpfloat_with_epsilon (p->rows[i].percent, 100.0 * (double) p->rows[i].total_ns / (double) p->step_ns,
                                      1e-9);
      sum += p->rows[i].percent;
    }
  g_assert_cmpfloat (sum, <=, 100.0);
  g_assert_nonnull (strstr (lm_profile_pane_get_summary (LM_PROFILE_PANE (pane)), "ops took"));
  /* a click on a row selects its node */
  lm_profile_pane_activate_row (LM_PROFILE_PANE (pane), 1);
  g_assert_cmpint (lm_graph_view_get_selected (gv), ==, p->rows[1].node_id);
  /* the Calls heading says what it counts: forward calls (it said a
   * forward and a backward made two, which the column no longer does) */
  GtkWidget *calls = find_label (pane, "Calls");
  g_assert_nonnull (calls);
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (calls), "forward calls"));
  g_assert_null (strstr (gtk_widget_get_tooltip_text (calls), "make two"));
  /* the timeline: the pointer over the longest forward bar names its op,
   * direction and time, and a click there selects its node */
  {
    GtkWidget *tl = lm_profile_pane_get_timeline (LM_PROFILE_PANE (pane));
    int tw = gtk_widget_get_width (tl);
    gint64 t0 = G_MAXINT64, t1 = 0;
    gssize longest = -1;
    char d[32];

    g_assert_cmpint (tw, >, 100);
    for (gsize i = 0; i < t->n_events; i++)
      if (t->events[i].dur_ns >= 0)
        {
          t0 = MIN (t0, t->events[i].start_ns);
          t1 = MAX (t1, t->events[i].start_ns + t->events[i].dur_ns);
          if (!t->events[i].backward && (longest < 0 || t->events[i].dur_ns > t->events[longest].dur_ns))
            longest = (gssize) i;
        }
    const LmTraceDataEvent *e = &t->events[longest];
    double bx = 4 + (e->start_ns - t0 + e->dur_ns / 2.0) * (tw - 8) / (double) (t1 - t0);
    g_autofree char *tip = lm_profile_pane_timeline_text (LM_PROFILE_PANE (pane), bx, 8);
    gssize ni = lm_graph_data_find (g, e->node_id);
    g_test_message ("timeline tooltip: %s", tip);
    g_assert_nonnull (tip);
    g_assert_true (g_str_has_prefix (tip, g->nodes[ni].op));
    g_assert_nonnull (strstr (tip, ", forward: "));
    g_assert_nonnull (strstr (tip, lm_profile_time_text ((double) e->dur_ns, d, sizeof d)));
    /* the backward half under the same x is another op, or nothing */
    g_autofree char *below = lm_profile_pane_timeline_text (LM_PROFILE_PANE (pane), bx, 40);
    g_assert_true (below == NULL || strstr (below, ", backward: ") != NULL);
    GListModel *ctl = gtk_widget_observe_controllers (tl);
    for (guint k = 0; k < g_list_model_get_n_items (ctl); k++)
      {
        g_autoptr (GObject) c = g_list_model_get_item (ctl, k);
        if (GTK_IS_GESTURE_CLICK (c))
          lm_ui_emit (c, "released", 1, bx, 8.0);
      }
    g_object_unref (ctl);
    g_assert_cmpint (lm_graph_view_get_selected (gv), ==, e->node_id);
  }
  lm_profile_pane_set_sort (LM_PROFILE_PANE (pane), LM_PROFILE_SORT_NAME);
  p = lm_profile_pane_get_profile (LM_PROFILE_PANE (pane));
  for (gsize i = 1; i < p->n_rows; i++)
    g_assert_cmpint (strcmp (p->rows[i - 1].op, p->rows[i].op), <=, 0);
  lm_profile_pane_set_group (LM_PROFILE_PANE (pane), LM_PROFILE_BY_OP);
  p = lm_profile_pane_get_profile (LM_PROFILE_PANE (pane));
  g_assert_cmpuint (p->n_rows, <, ops);
  {
    /* by op type and input shape: at least as many rows, each op's forward
     * calls with their shapes */
    gsize by_op = p->n_rows;

    lm_profile_pane_set_group (LM_PROFILE_PANE (pane), LM_PROFILE_BY_OP_SHAPE);
    p = lm_profile_pane_get_profile (LM_PROFILE_PANE (pane));
    g_assert_cmpuint (p->n_rows, >=, by_op);
    for (gsize i = 0; i < p->n_rows; i++)
      if (strcmp (p->rows[i].op, "linear") == 0)
        g_assert_true (g_str_has_prefix (p->rows[i].input_shapes, "[["));
    lm_profile_pane_set_group (LM_PROFILE_PANE (pane), LM_PROFILE_BY_OP);
  }
  lm_graph_view_select (gv, -1);

  /* colours: the slowest node dark red, a parameter grey, kind colours
   * back with Structure */
  gint64 slowest = -1, max_ns = -1, param = -1, linear = -1;
  for (gsize i = 0; i < g->n_nodes; i++)
    {
      gint64 ns = lm_graph_view_get_node_time (gv, g->nodes[i].id);
      if (ns > max_ns)
        max_ns = ns, slowest = g->nodes[i].id;
      if (param < 0 && g_strcmp0 (g->nodes[i].op, "parameter") == 0)
        param = g->nodes[i].id;
      if (linear < 0 && g_strcmp0 (g->nodes[i].op, "linear") == 0)
        linear = g->nodes[i].id;
      if (g_strcmp0 (g->nodes[i].op, "parameter") == 0)
        g_assert_cmpint (ns, ==, -1);
    }
  g_assert_cmpint (max_ns, >, 0);
  int w, h, x, y;
  gsize stride;
  lm_graph_view_set_color (gv, LM_GRAPH_COLOR_STRUCTURE);
  g_autofree guchar *before = widget_pixels_render (view, &w, &h, &stride);
  box_centre (gv, linear, &x, &y);
  g_assert_true (widget_pixels_near (before, stride, x, y, 0.78, 0.87, 0.98, 0.06));
  lm_graph_view_set_color (gv, LM_GRAPH_COLOR_COMPUTE_TIME);
  g_autofree guchar *after = widget_pixels_render (view, &w, &h, &stride);
  box_centre (gv, slowest, &x, &y);
  g_assert_true (widget_pixels_near (after, stride, x, y, 0.70, 0.05, 0.05, 0.06));
  /* its title is light on that dark red (it was the dark text of the
   * light boxes: unreadable) */
  {
    graphene_rect_t r;
    guint light = 0;

    g_assert_true (lm_graph_view_get_node_rect (gv, slowest, &r));
    for (int py = (int) r.origin.y + 2; py < (int) (r.origin.y + r.size.height) - 2 && py < h; py++)
      for (int px = (int) r.origin.x + 2; px < (int) (r.origin.x + r.size.width) - 2 && px < w; px++)
        light += widget_pixels_near (after, stride, px, py, 0.97, 0.97, 0.97, 0.08);
    g_test_message ("light text pixels in the slowest box: %u", light);
    g_assert_cmpuint (light, >, 20);
  }
  box_centre (gv, param, &x, &y);
  g_assert_true (widget_pixels_near (after, stride, x, y, 0.82, 0.82, 0.82, 0.06));
  /* a faster node is lighter, as the scale says */
  for (gsize i = 0; i < g->n_nodes; i++)
    {
      gint64 ns = lm_graph_view_get_node_time (gv, g->nodes[i].id);
      double rgb[3];
      if (ns < 0 || ns * 2 > max_ns)
        continue;
      lm_graph_view_time_colour (gv, ns, rgb);
      g_assert_cmpfloat (rgb[1], >, 0.5);
      box_centre (gv, g->nodes[i].id, &x, &y);
      g_assert_true (widget_pixels_near (after, stride, x, y, rgb[0], rgb[1], rgb[2], 0.06));
    }
  gtk_window_destroy (GTK_WINDOW (win));
}

/* Events a and b (indices into the test's trace) in the timeline's key
 * order: by start, the longer (a parent) first, forward before backward. */
static const LmTraceData *order_trace;

static int
key_order (gconstpointer a, gconstpointer b)
{
  const LmTraceDataEvent *ea = &order_trace->events[*(const guint *) a];
  const LmTraceDataEvent *eb = &order_trace->events[*(const guint *) b];

  if (ea->start_ns != eb->start_ns)
    return ea->start_ns < eb->start_ns ? -1 : 1;
  if (ea->dur_ns != eb->dur_ns)
    return ea->dur_ns > eb->dur_ns ? -1 : 1;
  if (ea->backward != eb->backward)
    return ea->backward ? 1 : -1;
  return *(const guint *) a < *(const guint *) b ? -1 : 1;
}

/* What the tooltip says for event e of t (graph g), built here. */
static char *
expected_text (const LmGraphData *g, const LmTraceData *t, const LmTraceDataEvent *e)
{
  gssize ni = lm_graph_data_find (g, e->node_id);
  gint64 t0 = G_MAXINT64;
  char d[32], at[32];

  for (gsize i = 0; i < t->n_events; i++)
    if (t->events[i].dur_ns >= 0)
      t0 = MIN (t0, t->events[i].start_ns);
  g_autofree char *name = *g->nodes[ni].module ? g_strdup_printf ("%s  %s", g->nodes[ni].op, g->nodes[ni].module)
                                               : g_strdup (g->nodes[ni].op);
  return g_strdup_printf ("%s, %s: %s at %s", name, e->backward ? "backward" : "forward",
                          lm_profile_time_text ((double) e->dur_ns, d, sizeof d),
                          lm_profile_time_text ((double) (e->start_ns - t0), at, sizeof at));
}

static void
assert_keys_on (LmProfilePane *pane, const LmGraphData *g, const LmTraceData *t, guint event)
{
  g_autofree char *want = expected_text (g, t, &t->events[event]);
  g_autofree char *got = lm_profile_pane_get_focus_text (pane);
  g_autofree char *error = NULL;

  g_assert_cmpstr (got, ==, want);
  error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (lm_profile_pane_get_timeline (pane)),
                                              GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, want);
  if (error != NULL)
    g_error ("timeline's description: %s", error);
}

/* The timeline without a mouse: it could not be reached at all.  It takes
 * the focus and rings it; Home, Right, Left, End walk its ops in time
 * order, each named as its tooltip names it (the accessible
 * description); that bar is drawn as the hovered one; Enter and
 * space select its node as a click does. */
static void
test_timeline_keys (void)
{
  LmGraphData *g = NULL;
  LmTraceData *t = load_profiled (&g);

  if (t == NULL)
    return;

  GtkWidget *win, *view;
  GtkWidget *pane = show_view_and_pane (g, t, &win, &view);
  LmGraphView *gv = LM_GRAPH_VIEW (view);
  LmProfilePane *pp = LM_PROFILE_PANE (pane);

  GtkWidget *tl = lm_profile_pane_get_timeline (pp);
  g_autoptr (GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < t->n_events; i++)
    if (t->events[i].dur_ns >= 0)
      g_array_append_val (order, i);
  order_trace = t;
  g_array_sort (order, key_order);
  g_assert_cmpuint (order->len, >, 3);
#define AT(k) g_array_index (order, guint, (k))

  /* focusable, a ring only with the focus */
  g_assert_true (gtk_widget_get_focusable (tl));
  int w, h;
  gsize stride;
  g_autofree guchar *plain = widget_pixels_render (tl, &w, &h, &stride);
  const GdkRGBA ring = LM_THEME_FOCUS_RGBA;
  g_assert_false (widget_pixels_near (plain, stride, 1, h / 2, ring.red, ring.green, ring.blue, 0.05));
  g_assert_true (gtk_widget_grab_focus (tl));
  gtk_window_set_focus_visible (GTK_WINDOW (win), TRUE);
  g_assert_true (gtk_widget_has_visible_focus (tl));
  g_autofree guchar *ringed = widget_pixels_render (tl, &w, &h, &stride);
  g_assert_true (widget_pixels_near (ringed, stride, 1, h / 2, ring.red, ring.green, ring.blue, 0.05));
  g_assert_true (widget_pixels_near (ringed, stride, w - 2, h / 2, ring.red, ring.green, ring.blue, 0.05));

  /* no op before a key; Home the first in time, Right the next, Left back,
   * End the last, Right there stays */
  g_assert_null (lm_profile_pane_get_focus_text (pp));
  g_assert_true (lm_ui_press_key (tl, GDK_KEY_Home, 0));
  assert_keys_on (pp, g, t, AT (0));
  {
    g_autofree char *first = lm_profile_pane_get_focus_text (pp);

    g_assert_true (g_str_has_suffix (first, " at 0 ns"));
  }
  g_assert_true (lm_ui_press_key (tl, GDK_KEY_Right, 0));
  assert_keys_on (pp, g, t, AT (1));
  g_assert_true (lm_ui_press_key (tl, GDK_KEY_Right, 0));
  assert_keys_on (pp, g, t, AT (2));
  g_assert_true (lm_ui_press_key (tl, GDK_KEY_Left, 0));
  assert_keys_on (pp, g, t, AT (1));
  g_assert_true (lm_ui_press_key (tl, GDK_KEY_End, 0));
  assert_keys_on (pp, g, t, AT (order->len - 1));
  g_assert_true (lm_ui_press_key (tl, GDK_KEY_Right, 0));
  assert_keys_on (pp, g, t, AT (order->len - 1));
  g_assert_true (lm_ui_press_key (tl, GDK_KEY_Left, 0));
  assert_keys_on (pp, g, t, AT (order->len - 2));
  /* every op once, in time order, from the first to the last */
  g_assert_true (lm_ui_press_key (tl, GDK_KEY_Home, 0));
  for (guint k = 1; k < order->len; k++)
    {
      g_assert_true (lm_ui_press_key (tl, GDK_KEY_Right, 0));
      assert_keys_on (pp, g, t, AT (k));
      g_assert_cmpint (t->events[AT (k - 1)].start_ns, <=, t->events[AT (k)].start_ns);
    }

  /* the keys' bar drawn as the hovered one: the longest forward op */
  guint longest = AT (0), at = 0;
  for (guint k = 0; k < order->len; k++)
    if (!t->events[AT (k)].backward && t->events[AT (k)].dur_ns > t->events[longest].dur_ns)
      longest = AT (k), at = k;
  gint64 t0 = t->events[AT (0)].start_ns, t1 = 0;
  for (guint k = 0; k < order->len; k++)
    t1 = MAX (t1, t->events[AT (k)].start_ns + t->events[AT (k)].dur_ns);
  const LmTraceDataEvent *e = &t->events[longest];
  double bx = 4 + (e->start_ns - t0 + e->dur_ns / 2.0) * (w - 8) / (double) (t1 - t0);
  g_autofree guchar *unlit = widget_pixels_render (tl, &w, &h, &stride);
  g_assert_true (widget_pixels_near (unlit, stride, (int) bx, 12, 0.25, 0.50, 0.85, 0.04));
  g_assert_true (lm_ui_press_key (tl, GDK_KEY_Home, 0));
  for (guint k = 0; k < at; k++)
    g_assert_true (lm_ui_press_key (tl, GDK_KEY_Right, 0));
  assert_keys_on (pp, g, t, longest);
  g_autofree guchar *keyed = widget_pixels_render (tl, &w, &h, &stride);
  g_assert_false (widget_pixels_near (keyed, stride, (int) bx, 12, 0.25, 0.50, 0.85, 0.04));
  /* the same bar under the pointer, the keys elsewhere */
  g_assert_true (lm_ui_press_key (tl, GDK_KEY_Home, 0));
  GtkEventController *motion = lm_ui_find_controller (tl, GTK_TYPE_EVENT_CONTROLLER_MOTION);
  g_assert_nonnull (motion);
  lm_ui_emit (motion, "motion", bx, 12.0);
  g_autofree guchar *hovered = widget_pixels_render (tl, &w, &h, &stride);
  guchar *kp = keyed + 12 * stride + 4 * (int) bx, *hp = hovered + 12 * stride + 4 * (int) bx;
  g_test_message ("keys' bar %u,%u,%u; hovered %u,%u,%u", kp[2], kp[1], kp[0], hp[2], hp[1], hp[0]);
  for (int c = 0; c < 3; c++)
    g_assert_cmpint (abs (kp[c] - hp[c]), <=, 2);
  lm_ui_emit (motion, "leave");

  /* Enter and space select the keys' node, as a click does */
  lm_graph_view_select (gv, -1);
  g_assert_true (lm_ui_press_key (tl, GDK_KEY_Return, 0));
  g_assert_cmpint (lm_graph_view_get_selected (gv), ==, t->events[AT (0)].node_id);
  g_assert_true (lm_ui_press_key (tl, GDK_KEY_End, 0));
  g_assert_true (lm_ui_press_key (tl, GDK_KEY_space, 0));
  g_assert_cmpint (lm_graph_view_get_selected (gv), ==, t->events[AT (order->len - 1)].node_id);
  /* another grouping keeps the keys on their op */
  lm_profile_pane_set_group (pp, LM_PROFILE_BY_OP);
  assert_keys_on (pp, g, t, AT (order->len - 1));
#undef AT
  gtk_window_destroy (GTK_WINDOW (win));
}

/* A step of 150 timed nodes, one op each, the last node the slowest. */
static LmTraceData *
big_trace (void)
{
  LmTraceData *t = g_new0 (LmTraceData, 1);

  t->step = 3;
  t->n_events = 150;
  t->events = g_new0 (LmTraceDataEvent, t->n_events);
  for (gsize i = 0; i < t->n_events; i++)
    {
      t->events[i].seq = (gint64) i;
      t->events[i].node_id = (gint64) i + 1;
      t->events[i].start_ns = (gint64) i * 1000;
      t->events[i].dur_ns = 100 + (gint64) i;
    }
  t->n_ops = (gint64) t->n_events;
  return t;
}

/* A big step (150 timed nodes): the table shows its first 100 rows, as
 * key_averages().table() does, and says how many it leaves out; before,
 * every row was made (a 4,000-op step took 4 s per sort). */
static void
test_row_limit (void)
{
  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  LmTraceData *t = big_trace ();
  GtkWidget *view = g_object_ref_sink (lm_graph_view_new ());
  lm_graph_view_set_trace (LM_GRAPH_VIEW (view), t);
  GtkWidget *pane = g_object_ref_sink (lm_profile_pane_new (LM_GRAPH_VIEW (view)));
  LmProfilePane *pp = LM_PROFILE_PANE (pane);

  g_assert_cmpuint (lm_profile_pane_get_profile (pp)->n_rows, ==, 150);
  g_assert_cmpuint (lm_profile_pane_get_n_shown (pp), ==, 100);
  g_assert_cmpint (lm_profile_pane_get_profile (pp)->rows[0].node_id, ==, 150);
  g_assert_cmpstr (lm_profile_pane_get_more (pp), ==,
                   "The first 100 of 150 rows in this order: 50 more (smaller); sort by another column, group "
                   "by op type, or show them all.");
  lm_profile_pane_set_sort (pp, LM_PROFILE_SORT_NAME);
  g_assert_cmpuint (lm_profile_pane_get_n_shown (pp), ==, 100);
  g_assert_nonnull (strstr (lm_profile_pane_get_more (pp), "50 more (later names)"));
  /* a step that fits shows every row and no such line */
  lm_graph_view_set_trace (LM_GRAPH_VIEW (view), made_up_trace ());
  lm_profile_pane_reload (pp);
  g_assert_cmpuint (lm_profile_pane_get_n_shown (pp), ==, lm_profile_pane_get_profile (pp)->n_rows);
  g_assert_null (lm_profile_pane_get_more (pp));
  g_object_unref (pane);
  g_object_unref (view);
}

/* "Show all 150 rows" shows every row (table(row_limit=-1)) and then
 * reads "Show the first 100 rows", which goes back; the choice stays for
 * another sort and another step; Tab reaches the button and space presses
 * it.  Before, rows past the 100th could not be reached at all. */
static void
test_show_all_rows (void)
{
  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  GtkWidget *win = gtk_window_new ();
  GtkWidget *view = g_object_ref_sink (lm_graph_view_new ());
  lm_graph_view_set_trace (LM_GRAPH_VIEW (view), big_trace ());
  GtkWidget *pane = lm_profile_pane_new (LM_GRAPH_VIEW (view));
  LmProfilePane *pp = LM_PROFILE_PANE (pane);
  GtkWidget *all = lm_profile_pane_get_all_button (pp);

  gtk_window_set_child (GTK_WINDOW (win), pane);
  gtk_window_present (GTK_WINDOW (win));
  for (gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
       gtk_widget_get_width (all) == 0 && g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (gtk_widget_get_visible (all));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (all)), ==, "Show all 150 rows");
  g_assert_cmpuint (lm_profile_pane_get_n_shown (pp), ==, 100);

  /* Tab reaches the button before the table's rows (each takes a Tab) */
  gboolean reached = FALSE;
  for (int i = 0; i < 4 && !reached; i++)
    {
      gtk_widget_child_focus (win, GTK_DIR_TAB_FORWARD);
      reached = gtk_root_get_focus (GTK_ROOT (win)) == all;
    }
  g_assert_true (reached);
  g_assert_true (lm_ui_press_key (all, GDK_KEY_space, 0));
  /* a button pressed from the keyboard clicks when its press is drawn */
  for (gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       lm_profile_pane_get_n_shown (pp) == 100 && g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (lm_profile_pane_get_n_shown (pp), ==, 150);
  g_assert_null (lm_profile_pane_get_more (pp));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (all)), ==, "Show the first 100 rows");
  g_assert_true (gtk_root_get_focus (GTK_ROOT (win)) == all);
  lm_profile_pane_set_sort (pp, LM_PROFILE_SORT_NAME);
  g_assert_cmpuint (lm_profile_pane_get_n_shown (pp), ==, 150);
  lm_graph_view_set_trace (LM_GRAPH_VIEW (view), big_trace ());
  lm_profile_pane_reload (pp);
  g_assert_cmpuint (lm_profile_pane_get_n_shown (pp), ==, 150);

  /* and back */
  lm_ui_emit (all, "clicked");
  g_assert_cmpuint (lm_profile_pane_get_n_shown (pp), ==, 100);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (all)), ==, "Show all 150 rows");
  g_assert_nonnull (strstr (lm_profile_pane_get_more (pp), "50 more (later names)"));
  /* a step that fits has no button */
  lm_graph_view_set_trace (LM_GRAPH_VIEW (view), made_up_trace ());
  lm_profile_pane_reload (pp);
  g_assert_false (gtk_widget_get_visible (all));
  gtk_window_destroy (GTK_WINDOW (win));
  g_object_unref (view);
}

/* --profile-steps past the run's last step: lumen-train names the steps
 * it did not profile (it said nothing, and the user looked for a trace
 * that was never written). */
static void
test_unreached_steps (void)
{
  lm_train_cli cli;
  FILE *err = tmpfile ();
  char text[1024] = "";

  lm_train_cli_defaults (&cli);
  cli.data_dir = data_dir;
  cli.epochs = 1; /* 640 examples less the validation ones, batches of 64 */
  cli.set_epochs = TRUE;
  cli.no_progress = TRUE;
  cli.logdir = tmpdir;
  cli.run = "beyond";
  cli.profile_steps[0] = 2;
  cli.profile_steps[1] = 50;
  cli.profile_steps[2] = 60;
  cli.n_profile_steps = 3;
  FILE *out = tmpfile ();
  lm_train_result res;
  g_assert_cmpint (lm_train_app_run (&cli, out, err, &res), ==, 0);
  fclose (out);
  rewind (err);
  text[fread (text, 1, sizeof text - 1, err)] = '\0';
  fclose (err);
  g_test_message ("%s", text);
  g_autofree char *want = g_strdup_printf ("lumen-train: note: --profile-steps: steps 50, 60 not profiled: "
                                           "this run trained steps 1 to %" G_GINT64_FORMAT "\n", (gint64) res.steps_done);
  g_assert_cmpint (res.steps_done, >=, 2);
  g_assert_cmpint (res.steps_done, <, 50);
  g_assert_nonnull (strstr (text, want));
  g_autofree char *dir = g_build_filename (tmpdir, "beyond", NULL);
  train_fixture_rmdir (dir);
}

/* CIELAB distance (CIE76) of two sRGB colours: how far apart a reader
 * sees them. */
static void
srgb_lab (const double c[3], double lab[3])
{
  double l[3], xyz[3], f[3];

  for (int i = 0; i < 3; i++)
    l[i] = c[i] <= 0.04045 ? c[i] / 12.92 : pow ((c[i] + 0.055) / 1.055, 2.4);
  xyz[0] = (0.4124 * l[0] + 0.3576 * l[1] + 0.1805 * l[2]) / 0.95047;
  xyz[1] = 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  xyz[2] = (0.0193 * l[0] + 0.1192 * l[1] + 0.9505 * l[2]) / 1.08883;
  for (int i = 0; i < 3; i++)
    f[i] = xyz[i] > 0.008856 ? cbrt (xyz[i]) : 7.787 * xyz[i] + 16.0 / 116;
  lab[0] = 116 * f[1] - 16;
  lab[1] = 500 * (f[0] - f[1]);
  lab[2] = 200 * (f[1] - f[2]);
}

static double
delta_e (const double a[3], const double b[3])
{
  double x[3], y[3];

  srgb_lab (a, x);
  srgb_lab (b, y);
  return sqrt ((x[0] - y[0]) * (x[0] - y[0]) + (x[1] - y[1]) * (x[1] - y[1]) + (x[2] - y[2]) * (x[2] - y[2]));
}

/* The scale in dark mode reads as well as in light: its ends as far apart
 * (the light scale tinted over the dark canvas was 36 apart against 89),
 * the slowest box painted with the scale's end, the legend's bar ending
 * in the boxes' fills. */
static void
test_dark_scale (void)
{
  double ends[2][2][3];
  LmThemeMode mode = lm_theme_get_mode ();
  LmGraphData *g = NULL;
  LmTraceData *t = load_profiled (&g);

  if (t == NULL)
    return;
  GtkWidget *win = gtk_window_new ();
  GtkWidget *view = lm_graph_view_new ();
  LmGraphView *gv = LM_GRAPH_VIEW (view);
  gtk_window_set_default_size (GTK_WINDOW (win), 1000, 900);
  gtk_window_set_child (GTK_WINDOW (win), view);
  gtk_window_present (GTK_WINDOW (win));
  lm_graph_view_set_graph (gv, g);
  lm_graph_view_set_trace (gv, t);
  lm_graph_view_set_color (gv, LM_GRAPH_COLOR_COMPUTE_TIME);
  widget_pixels_wait_laid_out (view);
  lm_graph_view_fit (gv);

  gint64 slowest = -1, max_ns = -1;
  for (gsize i = 0; i < g->n_nodes; i++)
    {
      gint64 ns = lm_graph_view_get_node_time (gv, g->nodes[i].id);
      if (ns > max_ns)
        max_ns = ns, slowest = g->nodes[i].id;
    }
  for (int dark = 0; dark < 2; dark++)
    {
      int w, h, x, y;
      gsize stride;

      lm_theme_set_mode (dark ? LM_THEME_DARK : LM_THEME_LIGHT);
      g_assert_cmpint (lm_theme_is_dark (), ==, dark);
      lm_graph_view_time_colour (gv, 0, ends[dark][0]);
      lm_graph_view_time_colour (gv, max_ns, ends[dark][1]);
      g_autofree guchar *px = widget_pixels_render (view, &w, &h, &stride);
      box_centre (gv, slowest, &x, &y);
      g_assert_true (widget_pixels_near (px, stride, x, y, ends[dark][1][0], ends[dark][1][1], ends[dark][1][2], 0.03));
      /* the legend's bar (12 px in from its box, 180 wide, 30 px above
       * the bottom): its ends are the scale's */
      for (int e = 0; e < 2; e++)
        g_assert_true (widget_pixels_near (px, stride, e ? 24 + 178 : 25, h - 25, ends[dark][e][0], ends[dark][e][1],
                                           ends[dark][e][2], 0.03));
    }
  double light = delta_e (ends[0][0], ends[0][1]), dark = delta_e (ends[1][0], ends[1][1]);
  g_test_message ("compute-time scale, fastest to slowest: %.0f apart in light, %.0f in dark", light, dark);
  g_assert_cmpfloat (dark, >=, 0.8 * light);
  lm_theme_set_mode (mode);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* lumen --view profile's screenshot, light and dark: the timeline's bars
 * (forward blue over backward orange) and the slowest box in the scale's
 * dark end are on screen. */
/* Sends a click to the first click gesture of w at (x, y). */
static void
click_on (GtkWidget *w, double x, double y)
{
  GListModel *ctl = gtk_widget_observe_controllers (w);

  for (guint k = 0; k < g_list_model_get_n_items (ctl); k++)
    {
      g_autoptr (GObject) c = g_list_model_get_item (ctl, k);
      if (GTK_IS_GESTURE_CLICK (c))
        {
          lm_ui_emit (c, "released", 1, x, y);
          break;
        }
    }
  g_object_unref (ctl);
}

/* The texts of the row whose first cell reads name. */
static GPtrArray *
row_texts (GtkWidget *pane, const char *name)
{
  GtkWidget *first = find_label (pane, name);
  GPtrArray *texts = g_ptr_array_new ();

  g_assert_nonnull (first);
  for (GtkWidget *c = first; c; c = gtk_widget_get_next_sibling (c))
    g_ptr_array_add (texts, (gpointer) gtk_label_get_text (GTK_LABEL (c)));
  return texts;
}

/* A step profiled with memory (the fixture runs --profile-memory): the
 * table has "CPU Mem" and "Self CPU Mem" (their tooltips say what they
 * count), each row's cells are its bytes in torch's units, and a click on
 * a heading sorts by it; the first Linear(784, 128)'s forward allocated
 * 64*128*4 bytes and freed none. Under the timeline the memory curve is
 * drawn (its line, and the red dot of the peak), its tooltip at the dot
 * names the peak's bytes and op, at the right end the bytes allocated
 * after the last op. A step without memory hides the columns and the
 * curve. */
static void
test_memory_pane (void)
{
  LmGraphData *g = NULL;
  LmTraceData *t = load_profiled (&g);
  char b[32];

  if (t == NULL)
    return;
  GtkWidget *win, *view;
  GtkWidget *pane = show_view_and_pane (g, t, &win, &view);
  LmProfilePane *pp = LM_PROFILE_PANE (pane);
  const LmProfile *p = lm_profile_pane_get_profile (pp);
  g_assert_true (p->has_memory);

  /* the first linear's forward, as the engine counts it */
  gint64 fc1 = -1;
  for (gsize i = 0; i < t->n_events; i++)
    if (!t->events[i].backward && g_strcmp0 (t->events[i].input_shapes, "[[64, 784], [128, 784], [128]]") == 0)
      {
        fc1 = t->events[i].node_id;
        g_assert_cmpint (t->events[i].alloc_bytes, ==, 64 * 128 * 4);
        g_assert_cmpint (t->events[i].free_bytes, ==, 0);
      }
  g_assert_cmpint (fc1, >, 0);

  GtkWidget *mem_head = find_label (pane, "CPU Mem"), *self_head = find_label (pane, "Self CPU Mem");
  g_assert_nonnull (mem_head);
  g_assert_nonnull (self_head);
  g_assert_true (gtk_widget_get_visible (mem_head) && gtk_widget_get_visible (self_head));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (mem_head), "freed"));
  click_on (mem_head, 2, 2);
  p = lm_profile_pane_get_profile (pp);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (mem_head)), ==, "CPU Mem ▾");
  for (gsize i = 1; i < p->n_rows; i++)
    g_assert_cmpint (p->rows[i - 1].mem_bytes, >=, p->rows[i].mem_bytes);
  click_on (self_head, 2, 2);
  p = lm_profile_pane_get_profile (pp);
  for (gsize i = 1; i < p->n_rows; i++)
    g_assert_cmpint (p->rows[i - 1].self_mem_bytes, >=, p->rows[i].self_mem_bytes);
  /* the rows' cells: the sums in torch's units */
  for (gsize i = 0; i < p->n_rows; i++)
    {
      const LmProfileRow *r = &p->rows[i];
      g_autofree char *name = *r->module ? g_strdup_printf ("%s  %s", r->op, r->module) : g_strdup (r->op);
      g_autoptr (GPtrArray) cells = row_texts (pane, name);
      gint64 net = 0;
      for (gsize k = 0; k < t->n_events; k++)
        if (t->events[k].node_id == r->node_id && t->events[k].dur_ns >= 0)
          net += t->events[k].alloc_bytes - t->events[k].free_bytes;
      g_assert_cmpint (r->mem_bytes, ==, net);
      g_assert_cmpuint (cells->len, ==, 10);
      g_assert_cmpstr (g_ptr_array_index (cells, 8), ==, lm_profile_bytes_text (r->mem_bytes, b, sizeof b));
      g_assert_cmpstr (g_ptr_array_index (cells, 9), ==, lm_profile_bytes_text (r->self_mem_bytes, b, sizeof b));
      if (r->node_id == fc1)
        g_test_message ("first linear: %s, %s", (char *) g_ptr_array_index (cells, 8),
                        (char *) g_ptr_array_index (cells, 9));
    }

  /* the curve */
  GtkWidget *curve = lm_profile_pane_get_memory (pp);
  g_assert_true (gtk_widget_get_visible (curve));
  int w, h;
  gsize stride;
  g_autofree guchar *px = widget_pixels_render (curve, &w, &h, &stride);
  guint line = widget_pixels_count (px, stride, w, h, 0.20, 0.52, 0.25, 0.04);
  guint dot = widget_pixels_count (px, stride, w, h, 0.85, 0.15, 0.15, 0.04);
  g_test_message ("memory curve: %u line pixels, %u peak dot pixels", line, dot);
  g_assert_cmpuint (line, >, 100);
  g_assert_cmpuint (dot, >, 10);
  gint64 t0 = G_MAXINT64, t1 = 0;
  for (gsize i = 0; i < t->n_events; i++)
    if (t->events[i].dur_ns >= 0)
      {
        t0 = MIN (t0, t->events[i].start_ns);
        t1 = MAX (t1, t->events[i].start_ns + t->events[i].dur_ns);
      }
  const LmTraceDataEvent *pe = &t->events[p->mem_peak_event];
  for (gsize i = 0; i < t->n_events; i++)
    if (t->events[i].dur_ns >= 0)
      g_assert_cmpint (t->events[i].mem_peak, <=, p->mem_peak_bytes);
  double peak_x = 4 + (lm_profile_memory_peak_t_ns (p, t) - t0) * (w - 8) / (double) (t1 - t0);
  /* the dot where the op held its peak: at its end when it kept it */
  if (pe->mem_after >= pe->mem_peak)
    g_assert_cmpfloat (lm_profile_memory_peak_t_ns (p, t), ==, (double) (pe->start_ns + pe->dur_ns));
  g_autofree char *tip = lm_profile_pane_memory_text (pp, peak_x, 8);
  g_test_message ("peak tooltip: %s", tip);
  g_assert_nonnull (tip);
  g_assert_true (g_str_has_prefix (tip, "Peak: "));
  g_assert_nonnull (strstr (tip, lm_profile_bytes_text (p->mem_peak_bytes, b, sizeof b)));
  g_assert_nonnull (strstr (tip, pe->backward ? ", backward" : ", forward"));
  g_assert_nonnull (strstr (lm_profile_pane_get_summary (pp), "Memory peaked at"));
  g_autofree char *end_tip = lm_profile_pane_memory_text (pp, w - 2, h - 4);
  g_test_message ("end tooltip: %s", end_tip);
  g_assert_nonnull (end_tip);
  const LmProfileMemPoint *last = &p->mem_points[p->n_mem_points - 1];
  g_assert_true (g_str_has_prefix (end_tip, lm_profile_bytes_text (last->bytes, b, sizeof b)));
  g_assert_nonnull (strstr (end_tip, " allocated after "));
  g_assert_null (lm_profile_pane_memory_text (pp, 1, h - 4));

  /* the same step without memory */
  LmTraceData *shown = (LmTraceData *) lm_graph_view_get_trace (LM_GRAPH_VIEW (view));
  for (gsize i = 0; i < shown->n_events; i++)
    shown->events[i].alloc_bytes = shown->events[i].free_bytes = shown->events[i].mem_after
      = shown->events[i].mem_peak = -1;
  lm_profile_pane_reload (pp);
  g_assert_false (lm_profile_pane_get_profile (pp)->has_memory);
  g_assert_false (gtk_widget_get_visible (mem_head));
  g_assert_false (gtk_widget_get_visible (self_head));
  g_assert_false (gtk_widget_get_visible (curve));
  g_assert_null (strstr (lm_profile_pane_get_summary (pp), "Memory"));
  gtk_window_destroy (GTK_WINDOW (win));
}

/* "Export Chrome trace…": the step as export_chrome_trace() writes it,
 * named after the run and step; read back, the same ops and times; the
 * button hidden for a step without op times. */
static void
test_export_chrome (void)
{
  LmGraphData *g = NULL;
  LmTraceData *t = load_profiled (&g);
  g_autofree char *path = NULL, *name = NULL, *error = NULL, *said = NULL;
  g_autoptr (LmChromeTrace) ct = NULL;
  LmChromeStep *st;
  gsize k = 0;

  if (t == NULL)
    return;
  GtkWidget *win, *view;
  GtkWidget *pane = show_view_and_pane (g, t, &win, &view);
  LmProfilePane *pp = LM_PROFILE_PANE (pane);
  GtkWidget *button = lm_profile_pane_get_export_button (pp);
  const LmProfile *p = lm_profile_pane_get_profile (pp);

  g_assert_true (gtk_widget_get_visible (button));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Export Chrome trace…");
  lm_profile_pane_set_run_name (pp, "mnist/mlp");
  /* the run's name outlives a reload of a step with memory (which freed
   * it: the name read freed memory, and the next one freed it again) */
  g_assert_true (p->has_memory);
  lm_profile_pane_reload (pp);
  p = lm_profile_pane_get_profile (pp);
  name = lm_profile_pane_get_export_name (pp);
  g_assert_cmpstr (name, ==, "mnist_mlp.step2.pt.trace.json");
  lm_profile_pane_set_run_name (pp, "mnist/mlp");

  path = g_build_filename (tmpdir, name, NULL);
  g_assert_true (lm_profile_pane_export (pp, path, &error));
  said = g_strdup_printf ("Saved step 2 (%u ops) to %s", p->n_timed, path);
  g_assert_nonnull (find_label (pane, said));
  ct = lm_chrome_trace_load (path, &error);
  g_assert_nonnull (ct);
  g_assert_cmpuint (ct->steps->len, ==, 1);
  st = ct->steps->pdata[0];
  g_assert_cmpint (st->step, ==, 2);
  g_assert_cmpint (st->dur_ns, ==, t->dur_ns);
  g_assert_cmpuint (st->ops->len, ==, p->n_timed);
  /* each timed event, in start order, with its time and shapes */
  for (gsize i = 0; i < t->n_events; i++)
    {
      const LmTraceDataEvent *e = &t->events[i];
      gboolean found = FALSE;

      if (e->dur_ns < 0)
        continue;
      k++;
      for (guint j = 0; j < st->ops->len && !found; j++)
        {
          const LmChromeOp *o = &g_array_index (st->ops, LmChromeOp, j);
          found = o->start_ns == e->start_ns && o->dur_ns == e->dur_ns && o->backward == e->backward
                  && g_strcmp0 (o->input_shapes, e->input_shapes) == 0
                  && o->alloc_bytes == e->alloc_bytes && o->free_bytes == e->free_bytes
                  && o->mem_after == e->mem_after;
        }
      g_assert_true (found);
    }
  g_assert_cmpuint (k, ==, st->ops->len);

  /* a file that cannot be written is said so */
  g_clear_pointer (&error, g_free);
  g_assert_false (lm_profile_pane_export (pp, "/nonexistent-dir/x.pt.trace.json", &error));
  g_assert_true (g_str_has_prefix (error, "cannot write /nonexistent-dir/x.pt.trace.json: "));

  /* a step without op times: no button, no name */
  LmTraceData *shown = (LmTraceData *) lm_graph_view_get_trace (LM_GRAPH_VIEW (view));
  for (gsize i = 0; i < shown->n_events; i++)
    shown->events[i].start_ns = shown->events[i].dur_ns = -1;
  lm_profile_pane_reload (pp);
  g_assert_false (gtk_widget_get_visible (button));
  g_assert_null (lm_profile_pane_get_export_name (pp));
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_app_screenshot (void)
{
  static const char *const themes[] = { "light", "dark" };
  /* the scale's slowest colour per theme (lm-theme.c) */
  static const double slow[2][3] = { { 0.70, 0.05, 0.05 }, { 0.96, 0.33, 0.24 } };

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  for (int k = 0; k < 2; k++)
    {
      g_autofree char *png = g_strdup_printf ("%s/profile-%s.png", tmpdir, themes[k]);
      const char *argv[] = { LM_LUMEN_BIN, "--logdir", tmpdir, "--view", "profile", "--theme", themes[k],
                             "--window-size", "1400x900", "--screenshot", png, NULL };
      GError *error = NULL;
      int status = 0, w, h;
      gsize stride;
      g_autofree char *err = NULL;
      guint blue = 0, orange = 0, hot = 0, curve = 0;
      double blue_y = 0, orange_y = 0;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status,
                                   &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_autofree guchar *buf = widget_pixels_load (png, &w, &h, &stride);
      g_assert_cmpint (w, ==, 1400);
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          {
            if (widget_pixels_near (buf, stride, x, y, 0.25, 0.50, 0.85, 0.02))
              blue++, blue_y += y;
            if (widget_pixels_near (buf, stride, x, y, 0.93, 0.55, 0.15, 0.02))
              orange++, orange_y += y;
            hot += widget_pixels_near (buf, stride, x, y, slow[k][0], slow[k][1], slow[k][2], 0.03);
            curve += widget_pixels_near (buf, stride, x, y, 0.20, 0.52, 0.25, 0.03);
          }
      g_test_message ("%s: %u forward, %u backward bar pixels, %u of the slowest colour", themes[k], blue, orange,
                      hot);
      g_assert_cmpuint (blue, >, 100);
      g_assert_cmpuint (orange, >, 100);
      g_assert_cmpfloat (blue_y / blue, <, orange_y / orange);
      g_assert_cmpuint (hot, >, 1000); /* a box, not only the legend's end */
      g_test_message ("%s: %u memory curve pixels", themes[k], curve);
      g_assert_cmpuint (curve, >, 100);
    }
}

/* By op type and input shape (key_averages(group_by_input_shape=True),
 * TensorBoard's "Operator + Input Shape"): the two linears, called with
 * different shapes, are two rows; relu's backward (no shapes of its own)
 * joins its forward call's row; the same shapes make one row again, as by
 * op type.  The other groupings' rows have no shapes. */
static void
test_by_input_shape (void)
{
  g_autoptr (LmTraceData) t = made_up_trace ();
  g_autoptr (LmGraphData) g = made_up_graph ();
  const char *shapes[] = { "[[64, 784], [128, 784]]", "[[64, 128], [10, 128]]", "[[64, 128]]", NULL, NULL,
                           NULL };

  for (gsize i = 0; i < t->n_events; i++)
    t->events[i].input_shapes = g_strdup (shapes[i]);
  {
    g_autoptr (LmProfile) p = lm_profile_compute (t, g, LM_PROFILE_BY_OP_SHAPE);

    lm_profile_sort (p, LM_PROFILE_SORT_NAME);
    g_assert_cmpuint (p->n_rows, ==, 3);
    g_assert_cmpstr (p->rows[0].op, ==, "linear");
    g_assert_cmpstr (p->rows[0].input_shapes, ==, "[[64, 128], [10, 128]]");
    g_assert_cmpint (p->rows[0].total_ns, ==, 30);
    g_assert_cmpuint (p->rows[0].calls, ==, 1);
    g_assert_cmpstr (p->rows[1].op, ==, "linear");
    g_assert_cmpstr (p->rows[1].input_shapes, ==, "[[64, 784], [128, 784]]");
    /* forward 100, its backward 100 */
    g_assert_cmpint (p->rows[1].total_ns, ==, 200);
    g_assert_cmpint (p->rows[1].backward_ns, ==, 100);
    g_assert_cmpstr (p->rows[1].module, ==, "");
    g_assert_cmpstr (p->rows[2].op, ==, "relu");
    g_assert_cmpstr (p->rows[2].input_shapes, ==, "[[64, 128]]");
    g_assert_cmpint (p->rows[2].forward_ns, ==, 300);
    g_assert_cmpint (p->rows[2].backward_ns, ==, 600);
    g_assert_cmpuint (p->rows[2].calls, ==, 1);
  }
  {
    g_autoptr (LmProfile) by_op = lm_profile_compute (t, g, LM_PROFILE_BY_OP);

    for (gsize i = 0; i < by_op->n_rows; i++)
      g_assert_cmpstr (by_op->rows[i].input_shapes, ==, "");
  }
  g_free (t->events[1].input_shapes);
  t->events[1].input_shapes = g_strdup (shapes[0]);
  {
    g_autoptr (LmProfile) p = lm_profile_compute (t, g, LM_PROFILE_BY_OP_SHAPE);

    g_assert_cmpuint (p->n_rows, ==, 2);
    for (gsize i = 0; i < p->n_rows; i++)
      if (strcmp (p->rows[i].op, "linear") == 0)
        {
          g_assert_cmpuint (p->rows[i].calls, ==, 2);
          g_assert_cmpint (p->rows[i].total_ns, ==, 230);
        }
  }
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  /* GTK's in-process accessibility backend, which keeps what is set on a
   * widget for gtk_test_accessible_check_property ("none" keeps nothing) */
  g_setenv ("GTK_A11Y", "test", TRUE);
  have_display = gtk_init_check ();
  if (have_display)
    g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", FALSE, NULL);
  tmpdir = g_dir_make_tmp ("lumen-profile-XXXXXX", NULL);
  {
    lm_train_cli cli;
    char *data = data_dir = train_fixture_make_data (tmpdir, 640, 64);
    lm_train_cli_defaults (&cli);
    cli.data_dir = data;
    cli.epochs = 1;
    cli.set_epochs = TRUE;
    cli.no_progress = TRUE;
    cli.logdir = tmpdir;
    cli.run = "mlp";
    cli.profile_steps[0] = 2;
    cli.n_profile_steps = 1;
    cli.profile_memory = TRUE;
    cli.stop_after_steps_set = TRUE;
    cli.stop_after_steps = 3;
    FILE *out = tmpfile ();
    g_assert_cmpint (lm_train_app_run (&cli, out, stderr, NULL), ==, 0);
    fclose (out);
    run_file = g_build_filename (tmpdir, "mlp", "run.lumen", NULL);
  }
  g_test_add_func ("/trace/profile/sums", test_sums);
  g_test_add_func ("/trace/profile/by-input-shape", test_by_input_shape);
  g_test_add_func ("/trace/profile/memory-sums", test_memory_sums);
  g_test_add_func ("/trace/profile/old-file", test_old_file);
  g_test_add_func ("/trace/profile/memory-pane", test_memory_pane);
  g_test_add_func ("/trace/profile/pane-and-colours", test_pane_and_colours);
  g_test_add_func ("/trace/profile/timeline-keys", test_timeline_keys);
  g_test_add_func ("/trace/profile/dark-scale", test_dark_scale);
  g_test_add_func ("/trace/profile/row-limit", test_row_limit);
  g_test_add_func ("/trace/profile/show-all-rows", test_show_all_rows);
  g_test_add_func ("/trace/profile/unreached-steps", test_unreached_steps);
  g_test_add_func ("/trace/profile/export-chrome", test_export_chrome);
  g_test_add_func ("/trace/profile/app-screenshot", test_app_screenshot);
  rc = g_test_run ();
  train_fixture_rmdir (tmpdir);
  g_free (tmpdir);
  g_free (run_file);
  g_free (data_dir);
  return rc;
}
