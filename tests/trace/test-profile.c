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
 * the node in the graph; "Color: Compute time" fills the slowest node's box
 * with the dark end of the scale and a parameter (no time) grey, where
 * "Structure" had the kind's colour.
 */
#include <glib.h>
#include <gtk/gtk.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "lm-graph-data.h"
#include "lm-graph-view.h"
#include "lm-profile-pane.h"
#include "lm-profile.h"
#include "lm-train-app.h"
#include "lumen-log.h"
#include "train-fixture.h"
#include "widget-pixels.h"

static char *tmpdir, *run_file;
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
    }
  t->n_ops = (gint64) t->n_events;
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
static void
test_old_file (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "old", NULL);
  g_autofree char *copy = g_build_filename (tmpdir, "old.lumen", NULL);
  g_autofree char *contents = NULL;
  gsize len;
  char *error = NULL;
  sqlite3 *db;

  g_assert_true (g_file_get_contents (run_file, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (copy, contents, (gssize) len, NULL));
  g_assert_cmpint (sqlite3_open (copy, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA journal_mode = DELETE; "
                                     "ALTER TABLE trace_events DROP COLUMN start_ns; "
                                     "ALTER TABLE trace_events DROP COLUMN dur_ns; "
                                     "ALTER TABLE trace_events DROP COLUMN input_shapes; "
                                     "ALTER TABLE traces DROP COLUMN dur_ns",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
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
}

static void
box_centre (LmGraphView *view, gint64 id, int *x, int *y)
{
  graphene_rect_t r;

  g_assert_true (lm_graph_view_get_node_rect (view, id, &r));
  *x = (int) (r.origin.x + 4);
  *y = (int) (r.origin.y + r.size.height / 2);
}

static void
test_pane_and_colours (void)
{
  char *error = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  LmGraphData *g = lm_graph_data_load (run_file, -1, &error);
  GArray *list = lm_trace_data_list (run_file, -1, &error);
  LmTraceData *t = lm_trace_data_load (run_file, g_array_index (list, LmTraceInfo, 0).id, FALSE, &error);
  g_assert_null (error);
  g_array_unref (list);

  GtkWidget *win = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *view = lm_graph_view_new ();
  LmGraphView *gv = LM_GRAPH_VIEW (view);
  gtk_window_set_default_size (GTK_WINDOW (win), 1300, 1000);
  gtk_widget_set_hexpand (view, TRUE);
  gtk_box_append (GTK_BOX (box), view);
  GtkWidget *pane = lm_profile_pane_new (gv);
  gtk_box_append (GTK_BOX (box), pane);
  gtk_window_set_child (GTK_WINDOW (win), box);
  gtk_window_present (GTK_WINDOW (win));
  lm_graph_view_set_graph (gv, g);
  lm_graph_view_set_trace (gv, t);
  lm_profile_pane_reload (LM_PROFILE_PANE (pane));
  widget_pixels_wait_laid_out (view);
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
  lm_profile_pane_set_sort (LM_PROFILE_PANE (pane), LM_PROFILE_SORT_NAME);
  p = lm_profile_pane_get_profile (LM_PROFILE_PANE (pane));
  for (gsize i = 1; i < p->n_rows; i++)
    g_assert_cmpint (strcmp (p->rows[i - 1].op, p->rows[i].op), <=, 0);
  lm_profile_pane_set_group (LM_PROFILE_PANE (pane), LM_PROFILE_BY_OP);
  p = lm_profile_pane_get_profile (LM_PROFILE_PANE (pane));
  g_assert_cmpuint (p->n_rows, <, ops);
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

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  have_display = gtk_init_check ();
  if (have_display)
    g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", FALSE, NULL);
  tmpdir = g_dir_make_tmp ("lumen-profile-XXXXXX", NULL);
  {
    lm_train_cli cli;
    char *data = train_fixture_make_data (tmpdir, 640, 64);
    lm_train_cli_defaults (&cli);
    cli.data_dir = data;
    cli.epochs = 1;
    cli.set_epochs = TRUE;
    cli.no_progress = TRUE;
    cli.logdir = tmpdir;
    cli.run = "mlp";
    cli.profile_steps[0] = 2;
    cli.n_profile_steps = 1;
    cli.stop_after_steps_set = TRUE;
    cli.stop_after_steps = 3;
    FILE *out = tmpfile ();
    g_assert_cmpint (lm_train_app_run (&cli, out, stderr, NULL), ==, 0);
    fclose (out);
    g_free (data);
    run_file = g_build_filename (tmpdir, "mlp", "run.lumen", NULL);
  }
  g_test_add_func ("/trace/profile/sums", test_sums);
  g_test_add_func ("/trace/profile/old-file", test_old_file);
  g_test_add_func ("/trace/profile/pane-and-colours", test_pane_and_colours);
  rc = g_test_run ();
  train_fixture_rmdir (tmpdir);
  g_free (tmpdir);
  g_free (run_file);
  return rc;
}
