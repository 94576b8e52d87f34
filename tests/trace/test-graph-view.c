/* test-graph-view.c: reading graphs and traces back (data/lm-graph-data.c)
 * and the graph view (ui/lm-graph-view.c) on a real lumen-train run.
 *
 * Without a display: shape parsing, and the graph and trace of an MLP run
 * read back with the same nodes, edges and events the run file holds.
 * With a display (Xvfb): the view lays the graph out off the main thread,
 * draws one box per node where lm_graph_view_get_node_rect says (pixels of
 * the rendered widget have the colour of the node's kind there, and the
 * background elsewhere), collapsing a module box merges its nodes into
 * one box and expanding restores them, search selects and counts matches,
 * selection highlights dependencies and the details name the op and the
 * traced statistics.
 */
#include <glib.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "graph-fixture.h"
#include "lm-debugger-pane.h"
#include "lm-graph-data.h"
#include "lm-graph-view.h"
#include "lm-train-app.h"
#include "lumen-log.h"
#include "train-fixture.h"
#include "widget-pixels.h"

/* Time bounds are five times longer on a slow machine (LM_SLOW_MACHINE:
 * the sanitizer pass, where every allocation records its stack). */
#define SLOW (g_getenv ("LM_SLOW_MACHINE") ? 5 : 1)

static char *tmpdir, *run_file;
static gboolean have_display;

static void
make_run (void)
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
  cli.trace_steps[0] = 2;
  cli.n_trace_steps = 1;
  cli.stop_after_steps_set = TRUE;
  cli.stop_after_steps = 3;
  FILE *out = tmpfile ();
  g_assert_cmpint (lm_train_app_run (&cli, out, stderr, NULL), ==, 0);
  fclose (out);
  g_free (data);
  run_file = g_build_filename (tmpdir, "mlp", "run.lumen", NULL);
}

static void
test_shapes (void)
{
  gint64 s[LM_GRAPH_DATA_MAX_DIMS];
  g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL;

  g_assert_cmpint (lm_graph_data_parse_shape ("[64,128]", s), ==, 2);
  g_assert_cmpint (s[0], ==, 64);
  g_assert_cmpint (s[1], ==, 128);
  g_assert_cmpint (lm_graph_data_parse_shape ("[]", s), ==, 0);
  g_assert_cmpint (lm_graph_data_parse_shape (" [ 3 , 4 ] ", s), ==, 2);
  g_assert_cmpint (lm_graph_data_parse_shape (NULL, s), ==, -1);
  g_assert_cmpint (lm_graph_data_parse_shape ("[3,", s), ==, -1);
  g_assert_cmpint (lm_graph_data_parse_shape ("{}", s), ==, -1);
  g_assert_cmpint (lm_graph_data_parse_shape ("[1,2,3,4,5,6,7,8,9]", s), ==, -1);
  t1 = lm_graph_data_shape_text (2, (gint64[]) { 64, 128 });
  t2 = lm_graph_data_shape_text (0, NULL);
  t3 = lm_graph_data_shape_text (-1, NULL);
  g_assert_cmpstr (t1, ==, "64×128");
  g_assert_cmpstr (t2, ==, "scalar");
  g_assert_cmpstr (t3, ==, "?");
  /* a statistic with no value (no finite element) is a dash, not "nan" */
  {
    char buf[32];

    g_assert_cmpstr (lm_graph_data_stat_text (NAN, 5, buf, sizeof buf), ==, "–");
    g_assert_cmpstr (lm_graph_data_stat_text (0.123456789, 5, buf, sizeof buf), ==, "0.12346");
  }
}

static void
test_read_back (void)
{
  char *error = NULL;
  g_autoptr (LmGraphData) g = lm_graph_data_load (run_file, -1, &error);
  sqlite3 *db = train_fixture_open_run (run_file);

  g_assert_null (error);
  g_assert_nonnull (g);
  g_assert_cmpstr (g->name, ==, "train_step");
  g_assert_cmpint ((gint64) g->n_nodes, ==, train_fixture_int (db, "SELECT count(*) FROM graph_nodes"));
  g_assert_cmpint ((gint64) g->n_edges, ==, train_fixture_int (db, "SELECT count(*) FROM graph_edges"));
  gssize w = -1;
  for (gsize i = 0; i < g->n_nodes; i++)
    if (g_strcmp0 (g->nodes[i].name, "1.weight") == 0)
      w = (gssize) i;
  g_assert_cmpint (w, >=, 0);
  g_assert_cmpstr (g->nodes[w].op, ==, "parameter");
  g_assert_cmpstr (g->nodes[w].module, ==, "1");
  g_assert_cmpint (g->nodes[w].ndim, ==, 2);
  g_assert_cmpint (g->nodes[w].numel, ==, 128 * 784);
  g_assert_cmpint (lm_graph_data_find (g, g->nodes[w].id), ==, w);
  g_assert_cmpint (lm_graph_data_find (g, 123456789), ==, -1);

  g_autoptr (GArray) traces = lm_trace_data_list (run_file, g->id, &error);
  g_assert_nonnull (traces);
  g_assert_cmpuint (traces->len, ==, 1);
  LmTraceInfo *ti = &g_array_index (traces, LmTraceInfo, 0);
  g_assert_cmpint (ti->step, ==, 2);
  g_assert_cmpint (ti->n_anomalies, ==, 0);
  g_assert_cmpint ((gint64) ti->n_events, ==, train_fixture_int (db, "SELECT count(*) FROM trace_events"));

  g_autoptr (LmTraceData) t = lm_trace_data_load (run_file, ti->id, TRUE, &error);
  g_assert_nonnull (t);
  g_assert_cmpuint (t->n_events, ==, ti->n_events);
  for (gsize i = 0; i < t->n_events; i++)
    {
      LmTraceDataEvent *e = &t->events[i];
      g_assert_cmpint (e->seq, ==, (gint64) i);
      g_assert_cmpint (lm_graph_data_find (g, e->node_id), >=, 0);
      g_assert_nonnull (e->values);
      float mx = -INFINITY;
      for (gint64 k = 0; k < e->numel; k++)
        mx = fmaxf (mx, e->values[k]);
      g_assert_cmpfloat (mx, ==, e->max);
    }
  g_autoptr (LmTraceData) light = lm_trace_data_load (run_file, ti->id, FALSE, &error);
  g_assert_null (light->events[0].values);
  g_assert_cmpfloat (light->events[0].max, ==, t->events[0].max);

  /* bad requests say what is wrong */
  g_assert_null (lm_graph_data_load (run_file, 999, &error));
  g_assert_nonnull (strstr (error, "no graph 999"));
  g_clear_pointer (&error, g_free);
  g_assert_null (lm_trace_data_load (run_file, 999, FALSE, &error));
  g_assert_nonnull (strstr (error, "no trace 999"));
  g_clear_pointer (&error, g_free);
  g_autofree char *missing = g_build_filename (tmpdir, "nope", "run.lumen", NULL);
  g_assert_null (lm_graph_data_load (missing, -1, &error));
  g_assert_nonnull (error);
  g_clear_pointer (&error, g_free);

  /* A copy whose trace_events pages (after the first) are overwritten: the
   * file opens, the graph reads, and the trace fails with a message instead
   * of coming back short and clean (the debugger would call it all finite). */
  {
    g_autofree char *dir = g_build_filename (tmpdir, "damaged", NULL);
    g_autofree char *copy = g_build_filename (dir, "run.lumen", NULL);
    g_autofree char *bytes = NULL;
    gsize len = 0;
    sqlite3_stmt *st = NULL;
    gint64 page = train_fixture_int (db, "PRAGMA page_size");
    GArray *pages = g_array_new (FALSE, FALSE, sizeof (gint64));

    g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
    g_assert_true (g_file_get_contents (run_file, &bytes, &len, NULL));
    if (sqlite3_prepare_v2 (db, "SELECT pageno FROM dbstat WHERE name = 'trace_events' AND pagetype = 'leaf' "
                                "ORDER BY pageno", -1, &st, NULL) == SQLITE_OK)
      while (sqlite3_step (st) == SQLITE_ROW)
        {
          gint64 p = sqlite3_column_int64 (st, 0);
          g_array_append_val (pages, p);
        }
    sqlite3_finalize (st);
    if (pages->len < 2)
      g_test_message ("no dbstat table or a one-page trace: damaged-file check skipped");
    for (guint i = 1; i < pages->len; i++)
      {
        gint64 p = g_array_index (pages, gint64, i);
        g_assert_cmpint ((p - 1) * page + page, <=, (gint64) len);
        memset (bytes + (p - 1) * page, 0x5a, (gsize) page);
      }
    if (pages->len >= 2)
      {
        g_assert_true (g_file_set_contents (copy, bytes, (gssize) len, NULL));
        g_autoptr (LmGraphData) g2 = lm_graph_data_load (copy, -1, &error);
        g_assert_nonnull (g2);
        g_assert_null (lm_trace_data_load (copy, ti->id, TRUE, &error));
        g_assert_nonnull (error);
        g_test_message ("damaged trace: %s", error);
        g_assert_nonnull (strstr (error, "corrupt"));
        g_clear_pointer (&error, g_free);
      }
    g_array_unref (pages);
  }
  sqlite3_close (db);
}

/* ---------------------------------------------------------- display */

static void
test_view (void)
{
  char *error = NULL;
  LmGraphData *g;
  GtkWidget *win, *view;
  guint n_nodes, n_module1 = 0, n_found = 0;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g = lm_graph_data_load (run_file, -1, &error);
  g_assert_nonnull (g);
  n_nodes = (guint) g->n_nodes;
  for (gsize i = 0; i < g->n_nodes; i++)
    n_module1 += g_strcmp0 (g->nodes[i].module, "1") == 0;
  g_assert_cmpuint (n_module1, ==, 3); /* linear + weight + bias */

  win = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (win), 900, 1000);
  view = lm_graph_view_new ();
  gtk_window_set_child (GTK_WINDOW (win), view);
  gtk_window_present (GTK_WINDOW (win));
  lm_graph_view_set_graph (LM_GRAPH_VIEW (view), g);
  widget_pixels_wait_laid_out (view);
  lm_graph_view_fit (LM_GRAPH_VIEW (view));
  g_assert_cmpuint (lm_graph_view_get_n_boxes (LM_GRAPH_VIEW (view)), ==, n_nodes);
  g_test_message ("layout of %u nodes: %.2f ms", n_nodes, lm_graph_view_get_layout_ms (LM_GRAPH_VIEW (view)));

  /* every node has a box on screen, and the pixels there are the box's */
  int w, h;
  gsize stride;
  g_autofree guchar *buf = widget_pixels_render (view, &w, &h, &stride);
  g_assert_true (widget_pixels_near (buf, stride, 2, 2, 0.985, 0.985, 0.99, 0.06)); /* background */
  for (gsize i = 0; i < g->n_nodes; i++)
    {
      graphene_rect_t r;
      g_assert_true (lm_graph_view_get_node_rect (LM_GRAPH_VIEW (view), g->nodes[i].id, &r));
      g_assert_cmpfloat (r.origin.x, >=, 0);
      g_assert_cmpfloat (r.origin.y, >=, 0);
      g_assert_cmpfloat (r.origin.x + r.size.width, <=, w);
      g_assert_cmpfloat (r.origin.y + r.size.height, <=, h);
      int x = (int) (r.origin.x + 4), y = (int) (r.origin.y + r.size.height / 2);
      const char *op = g->nodes[i].op;
      double want[3] = { -1, -1, -1 };
      if (g_strcmp0 (op, "linear") == 0)
        memcpy (want, (double[3]) { 0.78, 0.87, 0.98 }, sizeof want);
      else if (g_strcmp0 (op, "parameter") == 0)
        memcpy (want, (double[3]) { 0.90, 0.90, 0.90 }, sizeof want);
      else if (g_strcmp0 (op, "cross_entropy") == 0)
        memcpy (want, (double[3]) { 0.98, 0.80, 0.82 }, sizeof want);
      if (want[0] >= 0)
        {
          g_assert_true (widget_pixels_near (buf, stride, x, y, want[0], want[1], want[2], 0.06));
          n_found++;
        }
      /* no other box covers this one's centre */
      for (gsize j = 0; j < i; j++)
        {
          graphene_rect_t q;
          lm_graph_view_get_node_rect (LM_GRAPH_VIEW (view), g->nodes[j].id, &q);
          g_assert_false (graphene_rect_intersection (&r, &q, NULL));
        }
    }
  g_assert_cmpuint (n_found, ==, 2 + 4 + 1);

  /* collapse module "1": its three nodes become one box; expand restores */
  lm_graph_view_set_collapsed (LM_GRAPH_VIEW (view), "1", TRUE);
  g_assert_true (lm_graph_view_get_collapsed (LM_GRAPH_VIEW (view), "1"));
  widget_pixels_wait_laid_out (view);
  g_assert_cmpuint (lm_graph_view_get_n_boxes (LM_GRAPH_VIEW (view)), ==, n_nodes - n_module1 + 1);
  {
    graphene_rect_t a, b;
    gint64 ids[3];
    int k = 0;
    for (gsize i = 0; i < g->n_nodes; i++)
      if (g_strcmp0 (g->nodes[i].module, "1") == 0)
        ids[k++] = g->nodes[i].id;
    lm_graph_view_get_node_rect (LM_GRAPH_VIEW (view), ids[0], &a);
    lm_graph_view_get_node_rect (LM_GRAPH_VIEW (view), ids[2], &b);
    g_assert_true (graphene_rect_equal (&a, &b));
    lm_graph_view_select (LM_GRAPH_VIEW (view), ids[1]);
    g_autofree char *d = lm_graph_view_describe_selected (LM_GRAPH_VIEW (view));
    g_assert_nonnull (strstr (d, "module 1"));
    g_assert_nonnull (strstr (d, "100.5k parameters")); /* 784*128 + 128 */
  }
  lm_graph_view_set_collapsed (LM_GRAPH_VIEW (view), "1", FALSE);
  widget_pixels_wait_laid_out (view);
  g_assert_cmpuint (lm_graph_view_get_n_boxes (LM_GRAPH_VIEW (view)), ==, n_nodes);

  /* search and details (with the trace's statistics) */
  g_assert_cmpuint (lm_graph_view_search (LM_GRAPH_VIEW (view), "RELU"), ==, 1);
  g_assert_cmpuint (lm_graph_view_search (LM_GRAPH_VIEW (view), "weight"), ==, 2);
  g_assert_cmpuint (lm_graph_view_search (LM_GRAPH_VIEW (view), "no such thing"), ==, 0);
  g_assert_cmpuint (lm_graph_view_search (LM_GRAPH_VIEW (view), "relu"), ==, 1);
  gint64 sel = lm_graph_view_get_selected (LM_GRAPH_VIEW (view));
  gssize si = lm_graph_data_find (g, sel);
  g_assert_cmpstr (g->nodes[si].op, ==, "relu");
  g_autoptr (GArray) traces = lm_trace_data_list (run_file, g->id, &error);
  lm_graph_view_set_trace (LM_GRAPH_VIEW (view),
                           lm_trace_data_load (run_file, g_array_index (traces, LmTraceInfo, 0).id, FALSE, &error));
  g_autofree char *d = lm_graph_view_describe_selected (LM_GRAPH_VIEW (view));
  g_test_message ("%s", d);
  g_assert_nonnull (strstr (d, "<tt>relu</tt>"));
  g_assert_nonnull (strstr (d, "Trace of step 2"));
  g_assert_nonnull (strstr (d, "forward (output)"));
  g_assert_nonnull (strstr (d, "backward (gradient)"));

  /* dependencies: the loss depends on everything, an input on nothing */
  lm_graph_view_select (LM_GRAPH_VIEW (view), -1);
  g_assert_cmpint (lm_graph_view_get_selected (LM_GRAPH_VIEW (view)), ==, -1);
  {
    /* nothing selected: the graph's own step, and which trace the values are from */
    g_autofree char *none = lm_graph_view_describe_selected (LM_GRAPH_VIEW (view));
    g_autofree char *logged = g_strdup_printf ("graph logged at step %" G_GINT64_FORMAT, g->step);
    g_assert_nonnull (strstr (none, logged));
    g_assert_nonnull (strstr (none, "the trace of step 2"));
  }
  gtk_window_destroy (GTK_WINDOW (win));
}

/* A 2,000-node graph: laid out off the main thread, and a zoomed or panned
 * frame rendered (snapshot + Cairo rasterisation) in well under 16 ms per
 * frame on a quiet machine (asserted loosely: the test machine is shared). */
static void
test_big_graph (void)
{
  GtkWidget *win, *view;
  LmGraphData *g;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g = graph_fixture_synthetic (1600);
  g_assert_cmpuint (g->n_nodes, ==, 2000);
  win = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (win), 1200, 900);
  view = lm_graph_view_new ();
  gtk_window_set_child (GTK_WINDOW (win), view);
  gtk_window_present (GTK_WINDOW (win));
  gint64 t0 = g_get_monotonic_time ();
  lm_graph_view_set_graph (LM_GRAPH_VIEW (view), g);
  widget_pixels_wait_laid_out (view);
  double total_ms = (g_get_monotonic_time () - t0) / 1000.0;
  double worst = 0, sum = 0;
  /* too big to fit readably: it opens readable (labels of 9 px or more),
   * and the fit button shows it all, smaller */
  g_assert_cmpfloat (lm_graph_view_get_scale (LM_GRAPH_VIEW (view)), >=, 0.7);
  int frames = 0;
  for (int k = 0; k < 3; k++)
    {
      /* fitted (everything tiny), then zoomed in twice: readable boxes */
      if (k == 0)
        {
          lm_graph_view_fit (LM_GRAPH_VIEW (view));
          g_assert_cmpfloat (lm_graph_view_get_scale (LM_GRAPH_VIEW (view)), <, 0.7);
        }
      else
        lm_graph_view_zoom (LM_GRAPH_VIEW (view), k == 1 ? 10 : 4);
      for (int f = 0; f < 5; f++, frames++)
        {
          int w, h;
          gsize stride;
          gint64 f0 = g_get_monotonic_time ();
          g_free (widget_pixels_render (view, &w, &h, &stride));
          double ms = (g_get_monotonic_time () - f0) / 1000.0;
          worst = MAX (worst, ms);
          sum += ms;
        }
    }
  g_test_message ("2000 nodes: layout %.1f ms in its thread, %.0f ms from set_graph to laid out; "
                  "frames: mean %.1f ms, worst %.1f ms (1200x900)",
                  lm_graph_view_get_layout_ms (LM_GRAPH_VIEW (view)), total_ms, sum / frames, worst);
  g_assert_cmpfloat (lm_graph_view_get_layout_ms (LM_GRAPH_VIEW (view)), <, 1000 * SLOW);
  g_assert_cmpfloat (sum / frames, <, 250 * SLOW);
  /* collapsing every module leaves one box per module */
  lm_graph_view_collapse_all (LM_GRAPH_VIEW (view), TRUE);
  widget_pixels_wait_laid_out (view);
  g_assert_cmpuint (lm_graph_view_get_n_boxes (LM_GRAPH_VIEW (view)), ==, 1);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* A node asked for before the graph is laid out or the window sized (the
 * debugger opened at --op K on a tall graph) is on screen once they are,
 * and stays on screen when the window grows while the view follows its
 * size; the fit button still shows everything. */
static gboolean
node_on_screen (GtkWidget *view, gint64 id)
{
  graphene_rect_t r;

  return lm_graph_view_get_node_rect (LM_GRAPH_VIEW (view), id, &r) && r.origin.x >= 0 && r.origin.y >= 0
         && r.origin.x + r.size.width <= gtk_widget_get_width (view)
         && r.origin.y + r.size.height <= gtk_widget_get_height (view);
}

static void
test_reveal_before_layout (void)
{
  GtkWidget *win, *view;
  LmGraphData *g;
  gint64 first, last;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g = graph_fixture_synthetic (120);
  first = g->nodes[0].id;
  last = g->nodes[g->n_nodes - 1].id;
  win = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (win), 700, 500);
  view = lm_graph_view_new ();
  gtk_window_set_child (GTK_WINDOW (win), view);
  lm_graph_view_set_graph (LM_GRAPH_VIEW (view), g);
  lm_graph_view_select (LM_GRAPH_VIEW (view), last);
  lm_graph_view_reveal (LM_GRAPH_VIEW (view), last);
  gtk_window_present (GTK_WINDOW (win));
  widget_pixels_wait_laid_out (view);
  /* too tall to fit readably: the top of the graph is off screen, the node is on */
  g_assert_cmpfloat (lm_graph_view_get_scale (LM_GRAPH_VIEW (view)), >=, 0.7);
  g_assert_true (node_on_screen (view, last));
  g_assert_false (node_on_screen (view, first));
  gtk_window_set_default_size (GTK_WINDOW (win), 900, 700);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (node_on_screen (view, last));
  lm_graph_view_fit (LM_GRAPH_VIEW (view));
  g_assert_true (node_on_screen (view, first));
  g_assert_true (node_on_screen (view, last));
  gtk_window_destroy (GTK_WINDOW (win));
}

/* The spawned lumen's environment: ours (cairo renderer, GL disabled). */
static char **
child_env (void)
{
  return g_get_environ ();
}

/* `lumen --view graph --screenshot`: the app opens on the graph page and
 * the PNG shows node boxes (pixels of the linear and loss colours, which
 * nothing else in the window uses). */
static void
test_app_screenshot (void)
{
  g_autofree char *png = g_build_filename (tmpdir, "graph.png", NULL);
  g_autofree char *out = NULL, *err = NULL;
  GError *error = NULL;
  int status = 0;
  const char *argv[] = { LM_LUMEN_BIN, "--logdir", tmpdir, "--view", "graph", "--screenshot", png, NULL };

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g_auto (GStrv) env = child_env ();
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  int w, h;
  gsize stride;
  g_autofree guchar *buf = widget_pixels_load (png, &w, &h, &stride);
  int linear = 0, loss = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        linear += widget_pixels_near (buf, stride, x, y, 0.78, 0.87, 0.98, 0.06);
        loss += widget_pixels_near (buf, stride, x, y, 0.98, 0.80, 0.82, 0.06);
      }
  g_test_message ("%dx%d: %d linear-box pixels, %d loss-box pixels", w, h, linear, loss);
  g_assert_cmpint (linear, >, 2 * 500); /* two linear boxes */
  g_assert_cmpint (loss, >, 500);       /* the cross_entropy box */
}

/* The demo of issue 8: a diverging MLP stopped by --trace-on-anomaly;
 * the debugger lands on the op that made the first NaN/Inf, steps, and
 * the histogram counts the stored values. */
static char *anom_dir;

static void
make_anomaly_run (void)
{
  lm_train_cli cli;
  char *data = train_fixture_make_data (tmpdir, 640, 64);

  anom_dir = g_build_filename (tmpdir, "anomaly", NULL);
  lm_train_cli_defaults (&cli);
  cli.data_dir = data;
  cli.epochs = 1;
  cli.set_epochs = TRUE;
  cli.no_progress = TRUE;
  cli.logdir = anom_dir;
  cli.run = "diverged";
  cli.optimizer = "sgd";
  cli.set_optimizer = TRUE;
  cli.lr = 1e6;
  cli.set_lr = TRUE;
  cli.trace_on_anomaly = TRUE;
  FILE *out = tmpfile ();
  FILE *err = tmpfile ();
  g_assert_cmpint (lm_train_app_run (&cli, out, err, NULL), ==, 1);
  fclose (out);
  fclose (err);
  g_free (data);
}

/* Is there a pixel of the breakpoint marker's colour within r of (cx, cy)? */
static gboolean
marker_near (const guchar *buf, gsize stride, int w, int h, double cx, double cy, int r)
{
  for (int y = MAX ((int) cy - r, 0); y <= MIN ((int) cy + r, h - 1); y++)
    for (int x = MAX ((int) cx - r, 0); x <= MIN ((int) cx + r, w - 1); x++)
      if (widget_pixels_near (buf, stride, x, y, LM_GRAPH_VIEW_BREAKPOINT_RGB, 0.06))
        return TRUE;
  return FALSE;
}

/* Persistent breakpoints: on a node, on an op type, none matching; the
 * red marker on the node's box. */
static void
check_breakpoints (LmGraphData *g, const LmTraceData *t, GtkWidget *view, GtkWidget *pane)
{
  LmDebuggerPane *dp = LM_DEBUGGER_PANE (pane);
  LmGraphView *gv = LM_GRAPH_VIEW (view);
  gint64 n0 = t->events[0].node_id;
  gssize node_next = -1, op_next = -1, op_prev = -1, last = (gssize) t->n_events - 1;
  const char *op;

  /* the op type of the second event, whose node differs from the first's */
  gsize j = 1;
  while (j < t->n_events && t->events[j].node_id == n0)
    j++;
  g_assert_cmpuint (j, <, t->n_events);
  op = g->nodes[lm_graph_data_find (g, t->events[j].node_id)].op;
  for (gssize i = 1; i < (gssize) t->n_events; i++)
    {
      const char *o = g->nodes[lm_graph_data_find (g, t->events[i].node_id)].op;
      if (node_next < 0 && t->events[i].node_id == n0)
        node_next = i;
      if (op_next < 0 && g_strcmp0 (o, op) == 0)
        op_next = i;
      if (i < last && g_strcmp0 (o, op) == 0)
        op_prev = i;
    }
  g_assert_cmpint (node_next, >, 0);
  g_assert_cmpint (op_next, >, 0);

  /* none set: "breakpoints" does not move, and says so */
  lm_graph_view_clear_breakpoints (gv);
  lm_debugger_pane_set_current (dp, 0);
  g_assert_false (lm_debugger_pane_run_to (dp, LM_BREAK_BREAKPOINTS));
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, 0);
  g_assert_nonnull (strstr (lm_debugger_pane_get_status (dp), "No breakpoints set"));

  /* a breakpoint on op 1's node: the dropdown switches to "breakpoints",
   * and Run to next lands on that node's next event (its backward) */
  lm_graph_view_set_node_breakpoint (gv, n0, TRUE);
  g_assert_true (lm_graph_view_get_node_breakpoint (gv, n0));
  g_assert_cmpint (lm_debugger_pane_get_break_kind (dp), ==, LM_BREAK_BREAKPOINTS);
  g_assert_true (lm_debugger_pane_run_to (dp, lm_debugger_pane_get_break_kind (dp)));
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, node_next);
  g_assert_nonnull (strstr (lm_debugger_pane_get_status (dp), "Stopped at op"));
  /* and back again */
  g_assert_true (lm_debugger_pane_run_to_previous (dp, LM_BREAK_BREAKPOINTS));
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, 0);

  /* nothing after: stays, and says so */
  lm_debugger_pane_set_current (dp, last);
  if (t->events[last].node_id != n0)
    {
      g_assert_false (lm_debugger_pane_run_to (dp, LM_BREAK_BREAKPOINTS));
      g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, last);
      g_assert_nonnull (strstr (lm_debugger_pane_get_status (dp), "stayed at op"));
    }

  /* an op-type breakpoint instead: the next op of that type */
  lm_graph_view_set_node_breakpoint (gv, n0, FALSE);
  lm_graph_view_set_op_breakpoint (gv, op, TRUE);
  g_assert_true (lm_graph_view_breaks_at (gv, t->events[j].node_id));
  lm_debugger_pane_set_current (dp, 0);
  g_assert_true (lm_debugger_pane_run_to (dp, LM_BREAK_BREAKPOINTS));
  g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, op_next);
  g_assert_cmpstr (g->nodes[lm_graph_data_find (g, t->events[op_next].node_id)].op, ==, op);
  if (op_prev > 0)
    {
      lm_debugger_pane_set_current (dp, last);
      g_assert_true (lm_debugger_pane_run_to_previous (dp, LM_BREAK_BREAKPOINTS));
      g_assert_cmpint (lm_debugger_pane_get_current (dp), ==, op_prev);
    }
  lm_graph_view_set_op_breakpoint (gv, op, FALSE);
  g_assert_cmpuint (lm_graph_view_get_n_breakpoints (gv), ==, 0);
  g_assert_cmpint (lm_debugger_pane_get_break_kind (dp), ==, LM_BREAK_ANOMALY);

  /* the marker: a red dot at the top-left corner of the node's box, only
   * while the breakpoint is set */
  {
    gint64 id = t->events[j].node_id;
    graphene_rect_t rect;
    int w, h;
    gsize stride;

    lm_debugger_pane_set_current (dp, (gssize) j);   /* selects and reveals it */
    g_assert_true (lm_graph_view_get_node_rect (gv, id, &rect));
    g_autofree guchar *before = widget_pixels_render (view, &w, &h, &stride);
    g_assert_false (marker_near (before, stride, w, h, rect.origin.x, rect.origin.y, 4));
    lm_graph_view_set_node_breakpoint (gv, id, TRUE);
    g_autofree guchar *after = widget_pixels_render (view, &w, &h, &stride);
    g_assert_true (marker_near (after, stride, w, h, rect.origin.x, rect.origin.y, 4));
    lm_graph_view_clear_breakpoints (gv);
  }
}

/* Redraw timing: step to every op of the traced step and render the
 * window (the pane and the graph) each time. The target is under
 * 50 ms; the assertion is loose since CI machines are shared. */
static void
time_redraw (const LmTraceData *t, GtkWidget *win, GtkWidget *pane)
{
  GtkWidget *box = gtk_window_get_child (GTK_WINDOW (win));
  int bw = gtk_widget_get_width (box), bh = gtk_widget_get_height (box);
  double total = 0, worst = 0;

  for (gsize i = 0; i < t->n_events; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      int w, h;
      gsize stride;

      lm_debugger_pane_set_current (LM_DEBUGGER_PANE (pane), (gssize) i);
      /* what the frame clock would do: lay the window's content out again
       * (the labels changed size), then snapshot and rasterise all of it */
      gtk_widget_size_allocate (box, &(GtkAllocation) { 0, 0, bw, bh }, -1);
      g_free (widget_pixels_render (box, &w, &h, &stride));
      double ms = (g_get_monotonic_time () - t0) / 1000.0;
      total += ms;
      worst = MAX (worst, ms);
    }
  g_test_message ("debugger redraw over %zu ops (%dx%d): mean %.2f ms, worst %.2f ms (target < 50 ms)",
                  t->n_events, bw, bh, total / t->n_events, worst);
  g_assert_cmpfloat (total / t->n_events, <, 250 * SLOW);
}

static void
test_debugger (void)
{
  char *error = NULL;
  g_autofree char *path = NULL;
  LmGraphData *g;
  LmTraceData *t;
  GtkWidget *win, *view, *pane;
  gssize first = -1;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  make_anomaly_run ();
  path = g_build_filename (anom_dir, "diverged", "run.lumen", NULL);
  g = lm_graph_data_load (path, -1, &error);
  g_assert_nonnull (g);
  g_autoptr (GArray) traces = lm_trace_data_list (path, g->id, &error);
  g_assert_cmpuint (traces->len, ==, 1);
  g_assert_cmpint (g_array_index (traces, LmTraceInfo, 0).n_anomalies, >, 0);
  t = lm_trace_data_load (path, g_array_index (traces, LmTraceInfo, 0).id, TRUE, &error);
  for (gsize i = 0; i < t->n_events && first < 0; i++)
    if (t->events[i].nan_count + t->events[i].inf_count)
      first = (gssize) i;
  g_assert_cmpint (first, >=, 0);

  win = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (win), 1000, 800);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  view = lm_graph_view_new ();
  gtk_box_append (GTK_BOX (box), view);
  gtk_window_set_child (GTK_WINDOW (win), box);
  lm_graph_view_set_graph (LM_GRAPH_VIEW (view), g);
  lm_graph_view_set_trace (LM_GRAPH_VIEW (view), t);
  pane = lm_debugger_pane_new (LM_GRAPH_VIEW (view));
  gtk_box_append (GTK_BOX (box), pane);
  gtk_window_present (GTK_WINDOW (win));
  widget_pixels_wait_laid_out (view);

  /* lands on the first anomaly, and the graph selects its node */
  g_assert_cmpint (lm_debugger_pane_get_current (LM_DEBUGGER_PANE (pane)), ==, first);
  g_assert_cmpint (lm_graph_view_get_selected (LM_GRAPH_VIEW (view)), ==, t->events[first].node_id);
  /* stepping */
  lm_debugger_pane_step (LM_DEBUGGER_PANE (pane), 1);
  g_assert_cmpint (lm_debugger_pane_get_current (LM_DEBUGGER_PANE (pane)), ==, first + 1);
  g_assert_cmpint (lm_graph_view_get_selected (LM_GRAPH_VIEW (view)), ==, t->events[first + 1].node_id);
  lm_debugger_pane_step (LM_DEBUGGER_PANE (pane), -1000);
  g_assert_cmpint (lm_debugger_pane_get_current (LM_DEBUGGER_PANE (pane)), ==, 0);
  lm_debugger_pane_set_current (LM_DEBUGGER_PANE (pane), 100000);
  g_assert_cmpint (lm_debugger_pane_get_current (LM_DEBUGGER_PANE (pane)), ==, (gssize) t->n_events - 1);
  g_assert_true (lm_debugger_pane_first_anomaly (LM_DEBUGGER_PANE (pane)));
  g_assert_cmpint (lm_debugger_pane_get_current (LM_DEBUGGER_PANE (pane)), ==, first);

  /* breakpoints: the next op of the same type, the same node's backward
   * event, the next anomaly after the first */
  lm_debugger_pane_set_current (LM_DEBUGGER_PANE (pane), 0);
  {
    gssize k0 = lm_graph_data_find (g, t->events[0].node_id), want = -1, back = -1, next_bad = -1;
    for (gsize i = 1; i < t->n_events; i++)
      {
        gssize k = lm_graph_data_find (g, t->events[i].node_id);
        if (want < 0 && g_strcmp0 (g->nodes[k].op, g->nodes[k0].op) == 0)
          want = (gssize) i;
        if (back < 0 && t->events[i].node_id == t->events[0].node_id)
          back = (gssize) i;
        if (next_bad < 0 && (gssize) i > first && t->events[i].nan_count + t->events[i].inf_count > 0)
          next_bad = (gssize) i;
      }
    g_assert_cmpint (want, >, 0);
    g_assert_true (lm_debugger_pane_run_to (LM_DEBUGGER_PANE (pane), LM_BREAK_OP_TYPE));
    g_assert_cmpint (lm_debugger_pane_get_current (LM_DEBUGGER_PANE (pane)), ==, want);
    lm_debugger_pane_set_current (LM_DEBUGGER_PANE (pane), 0);
    g_assert_true (lm_debugger_pane_run_to (LM_DEBUGGER_PANE (pane), LM_BREAK_NODE));
    g_assert_cmpint (lm_debugger_pane_get_current (LM_DEBUGGER_PANE (pane)), ==, back);
    g_assert_true (t->events[back].backward);
    lm_debugger_pane_set_current (LM_DEBUGGER_PANE (pane), 0);
    g_assert_true (lm_debugger_pane_run_to (LM_DEBUGGER_PANE (pane), LM_BREAK_ANOMALY));
    g_assert_cmpint (lm_debugger_pane_get_current (LM_DEBUGGER_PANE (pane)), ==, first);
    if (next_bad > 0)
      {
        g_assert_true (lm_debugger_pane_run_to (LM_DEBUGGER_PANE (pane), LM_BREAK_ANOMALY));
        g_assert_cmpint (lm_debugger_pane_get_current (LM_DEBUGGER_PANE (pane)), ==, next_bad);
      }
    /* nothing after the last op: no move */
    lm_debugger_pane_set_current (LM_DEBUGGER_PANE (pane), (gssize) t->n_events - 1);
    g_assert_false (lm_debugger_pane_run_to (LM_DEBUGGER_PANE (pane), LM_BREAK_OP_TYPE));
    g_assert_cmpint (lm_debugger_pane_get_current (LM_DEBUGGER_PANE (pane)), ==, (gssize) t->n_events - 1);
  }

  check_breakpoints (g, t, view, pane);
  time_redraw (t, win, pane);

  /* the histogram of op 0 (finite) counts every stored value */
  lm_debugger_pane_set_current (LM_DEBUGGER_PANE (pane), 0);
  guint nb = 0;
  double lo = 0, hi = 0;
  const guint *bins = lm_debugger_pane_get_histogram (LM_DEBUGGER_PANE (pane), &nb, &lo, &hi);
  g_assert_nonnull (bins);
  guint64 total = 0;
  for (guint i = 0; i < nb; i++)
    total += bins[i];
  gint64 finite = 0;
  for (gint64 k = 0; k < t->events[0].numel; k++)
    finite += isfinite (t->events[0].values[k]);
  g_assert_cmpint ((gint64) total, ==, finite);
  g_assert_cmpfloat (lo, ==, t->events[0].min);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* `lumen --view debugger`: the graph page with the debugger open on the
 * first anomaly: the red badge and the histogram's bars are on screen. */
static void
test_debugger_screenshot (void)
{
  g_autofree char *png = g_build_filename (tmpdir, "debugger.png", NULL);
  GError *error = NULL;
  int status = 0;

  if (!have_display || anom_dir == NULL)
    {
      g_test_skip ("no display");
      return;
    }
  const char *argv[] = { LM_LUMEN_BIN, "--logdir", anom_dir, "--view", "debugger", "--screenshot", png, NULL };
  g_auto (GStrv) env = child_env ();
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  int w, h;
  gsize stride;
  g_autofree guchar *buf = widget_pixels_load (png, &w, &h, &stride);
  int badge = 0, bars = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        badge += widget_pixels_near (buf, stride, x, y, 0.85, 0.05, 0.05, 0.06);
        bars += widget_pixels_near (buf, stride, x, y, 0.25, 0.45, 0.8, 0.06);
      }
  g_test_message ("%dx%d: %d badge pixels, %d histogram pixels", w, h, badge, bars);
  g_assert_cmpint (badge, >, 200);
  g_assert_cmpint (bars, >, 50);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  /* the cairo renderer and no GL at all: no OpenGL probe (Mesa's software
   * driver leaks a little under ASan); the spawned lumen inherits both */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  have_display = gtk_init_check ();
  tmpdir = g_dir_make_tmp ("lumen-graph-view-XXXXXX", NULL);
  make_run ();
  g_test_add_func ("/trace/graph-data/shapes", test_shapes);
  g_test_add_func ("/trace/graph-data/read-back", test_read_back);
  g_test_add_func ("/trace/graph-view/draw-collapse-search", test_view);
  g_test_add_func ("/trace/graph-view/app-screenshot", test_app_screenshot);
  g_test_add_func ("/trace/graph-view/2000-nodes", test_big_graph);
  g_test_add_func ("/trace/graph-view/reveal-before-layout", test_reveal_before_layout);
  g_test_add_func ("/trace/debugger/step-and-inspect", test_debugger);
  g_test_add_func ("/trace/debugger/app-screenshot", test_debugger_screenshot);
  rc = g_test_run ();
  train_fixture_rmdir (tmpdir);
  g_free (tmpdir);
  g_free (run_file);
  g_free (anom_dir);
  return rc;
}
