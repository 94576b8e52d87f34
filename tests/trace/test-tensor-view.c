/* test-tensor-view.c: the debugger's tensor heatmap, channel tiles and
 * value grid (ui/lm-tensor-view.c), the gradient-flow chart
 * (ui/lm-grad-flow.c), and --step/--op's target (lm_graph_page_set_target)
 * on a real lumen-train run traced at two steps.
 *
 * Needs a display (Xvfb); skips without one.
 */
#include <glib.h>
#include <gtk/gtk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "lm-grad-flow.h"
#include "lm-graph-page.h"
#include "lm-tensor-view.h"
#include "lm-train-app.h"
#include "train-fixture.h"
#include "ui-test-util.h"
#include "widget-pixels.h"

static gboolean have_display;
static char *tmpdir;

static void
spin (int n)
{
  for (int i = 0; i < n; i++)
    g_main_context_iteration (NULL, FALSE);
}

static GtkWidget *
show_in_window (GtkWidget *child, int w, int h)
{
  GtkWidget *win = gtk_window_new ();

  gtk_widget_set_size_request (child, w, h);
  gtk_window_set_child (GTK_WINDOW (win), child);
  gtk_window_present (GTK_WINDOW (win));
  for (gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       gtk_widget_get_width (child) < w && g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, FALSE);
  spin (10);
  g_assert_cmpint (gtk_widget_get_width (child), >=, w);
  return win;
}

static void
test_heatmap (void)
{
  float vals[4 * 5];
  LmTraceDataEvent e = { .ndim = 2, .shape = { 4, 5 }, .numel = 20, .values = vals };
  GtkWidget *tv, *win;
  int w, h;
  gsize stride;
  double x, y, r, g, b;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  for (int i = 0; i < 20; i++)
    vals[i] = (float) (i % 5) - 2.5f;   /* -2.5 .. 1.5 */
  vals[2 * 5 + 3] = 10;                 /* the max: full red */
  vals[0 * 5 + 1] = NAN;
  vals[3 * 5 + 0] = -INFINITY;
  tv = lm_tensor_view_new ();
  lm_tensor_view_set_event (LM_TENSOR_VIEW (tv), &e);
  g_assert_false (lm_tensor_view_is_image_grid (LM_TENSOR_VIEW (tv)));
  win = show_in_window (tv, 250, 214);
  g_autofree guchar *buf = widget_pixels_render (tv, &w, &h, &stride);

  g_assert_true (lm_tensor_view_cell_center (LM_TENSOR_VIEW (tv), 2, 3, &x, &y));
  lm_tensor_view_colour (10, 10, &r, &g, &b);
  g_assert_cmpfloat (r, >, 0.6);                /* red, not white or blue */
  g_assert_cmpfloat (b, <, 0.2);
  g_assert_true (widget_pixels_near (buf, stride, (int) x, (int) y, r, g, b, 0.03));
  /* a neighbour is not the max colour; NaN green, -Inf gold */
  g_assert_true (lm_tensor_view_cell_center (LM_TENSOR_VIEW (tv), 2, 2, &x, &y));
  g_assert_false (widget_pixels_near (buf, stride, (int) x, (int) y, r, g, b, 0.03));
  g_assert_true (lm_tensor_view_cell_center (LM_TENSOR_VIEW (tv), 0, 1, &x, &y));
  g_assert_true (widget_pixels_near (buf, stride, (int) x, (int) y, 0.0, 0.78, 0.0, 0.03));
  g_assert_true (lm_tensor_view_cell_center (LM_TENSOR_VIEW (tv), 3, 0, &x, &y));
  g_assert_true (widget_pixels_near (buf, stride, (int) x, (int) y, 1.0, 0.80, 0.0, 0.03));
  /* cell (0, 2) holds -0.5: a light blue */
  g_assert_true (lm_tensor_view_cell_center (LM_TENSOR_VIEW (tv), 0, 2, &x, &y));
  {
    const guchar *px = buf + (gsize) y * stride + (gsize) x * 4;
    g_assert_cmpint (px[0], >, px[2]);         /* more blue than red */
  }

  /* hover names index and value */
  g_assert_true (lm_tensor_view_cell_center (LM_TENSOR_VIEW (tv), 2, 3, &x, &y));
  g_autofree char *text = lm_tensor_view_describe_at (LM_TENSOR_VIEW (tv), x, y);
  g_assert_cmpstr (text, ==, "[2, 3] = 10");
  g_assert_null (lm_tensor_view_describe_at (LM_TENSOR_VIEW (tv), -5, 3));

  /* no values: nothing to point at */
  e.values = NULL;
  lm_tensor_view_set_event (LM_TENSOR_VIEW (tv), &e);
  g_assert_false (lm_tensor_view_cell_center (LM_TENSOR_VIEW (tv), 0, 0, &x, &y));
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_channel_tiles (void)
{
  /* N=2, C=4, H=3, W=3: tiles of sample 0, each normalised to its range */
  float vals[2 * 4 * 3 * 3];
  LmTraceDataEvent e = { .ndim = 4, .shape = { 2, 4, 3, 3 }, .numel = 72, .values = vals };
  GtkWidget *tv, *win, *grid;
  int w, h;
  gsize stride;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  for (int i = 0; i < 72; i++)
    vals[i] = (float) (i % 9) * (float) (1 + i / 9) * 100;  /* channel scales differ */
  tv = lm_tensor_view_new ();
  lm_tensor_view_set_event (LM_TENSOR_VIEW (tv), &e);
  g_assert_true (lm_tensor_view_is_image_grid (LM_TENSOR_VIEW (tv)));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  grid = lm_tensor_view_new_grid (LM_TENSOR_VIEW (tv));
  gtk_box_append (GTK_BOX (box), tv);
  gtk_box_append (GTK_BOX (box), grid);
  gtk_widget_set_size_request (tv, 214, 214);
  win = show_in_window (box, 214, 420);
  g_assert_cmpint (gtk_widget_get_height (tv), ==, 214);
  g_assert_cmpint (gtk_widget_get_height (grid), >, 100);
  g_autofree guchar *buf = widget_pixels_render (tv, &w, &h, &stride);
  /* 4 channels: a 2×2 grid of tiles below the 14-px note; each tile runs
   * black (its min, top left) to white (its max, bottom right) */
  for (int ch = 0; ch < 4; ch++)
    {
      double tile = MIN ((w - 4.0) / 2, (h - 14 - 4.0) / 2);
      double x0 = (ch % 2) * (tile + 2), y0 = 14 + (ch / 2) * (tile + 2);
      g_assert_true (widget_pixels_near (buf, stride, (int) (x0 + 3), (int) (y0 + 3), 0, 0, 0, 0.03));
      g_assert_true (widget_pixels_near (buf, stride, (int) (x0 + tile - 3), (int) (y0 + tile - 3), 1, 1, 1, 0.03));
    }
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_grad_flow (void)
{
  /* three parameters with stored gradients of norms 0.05, 200, 2 (3-4-5
   * triangles scaled), one with only statistics, and a non-parameter */
  float a[2] = { 0.03f, 0.04f }, b[2] = { 120, 160 }, c1[2] = { 1.2f, 0.6f }, c2[2] = { 0, 1.0f };
  LmGraphDataNode nodes[5] = {
    { .id = 1, .op = (char *) "parameter", .name = (char *) "fc1.weight" },
    { .id = 2, .op = (char *) "parameter", .name = (char *) "fc1.bias" },
    { .id = 3, .op = (char *) "linear", .name = (char *) "linear" },
    { .id = 4, .op = (char *) "parameter", .name = (char *) "fc2.weight" },
    { .id = 5, .op = (char *) "parameter", .name = (char *) "fc2.bias" },
  };
  LmGraphData g = { .n_nodes = 5, .nodes = nodes };
  LmTraceDataEvent ev[6] = {
    { .node_id = 3, .backward = FALSE, .numel = 2, .values = b },
    { .node_id = 3, .backward = TRUE, .numel = 2, .values = b },
    { .node_id = 1, .backward = TRUE, .numel = 2, .values = a },
    { .node_id = 2, .backward = TRUE, .numel = 2, .values = b },
    /* fc2.weight's gradient in two parts, summed: (1.2, 1.6) -> 2 */
    { .node_id = 4, .backward = TRUE, .numel = 2, .values = c1 },
    { .node_id = 4, .backward = TRUE, .numel = 2, .values = c2 },
  };
  LmTraceDataEvent ev2[7];
  LmTraceData t = { .n_events = 6, .events = ev };
  GtkWidget *flow, *win;
  double norm;
  graphene_rect_t r[4];

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  flow = lm_grad_flow_new ();
  lm_grad_flow_set_data (LM_GRAD_FLOW (flow), &g, &t);
  g_assert_cmpuint (lm_grad_flow_get_n_bars (LM_GRAD_FLOW (flow)), ==, 3);   /* fc2.bias: no event */
  g_assert_cmpstr (lm_grad_flow_get_bar (LM_GRAD_FLOW (flow), 0, &norm), ==, "fc1.weight");
  g_assert_cmpfloat_with_epsilon (norm, 0.05, 1e-6);
  g_assert_cmpstr (lm_grad_flow_get_bar (LM_GRAD_FLOW (flow), 1, &norm), ==, "fc1.bias");
  g_assert_cmpfloat_with_epsilon (norm, 200, 1e-3);
  g_assert_cmpstr (lm_grad_flow_get_bar (LM_GRAD_FLOW (flow), 2, &norm), ==, "fc2.weight");
  g_assert_cmpfloat_with_epsilon (norm, 2, 1e-6);

  /* fc2.bias from statistics only: sqrt(numel * (std² + mean²)) */
  memcpy (ev2, ev, sizeof ev);
  ev2[6] = (LmTraceDataEvent) { .node_id = 5, .backward = TRUE, .numel = 100, .mean = 3, .std = 4 };
  t.events = ev2;
  t.n_events = 7;
  lm_grad_flow_set_data (LM_GRAD_FLOW (flow), &g, &t);
  g_assert_cmpuint (lm_grad_flow_get_n_bars (LM_GRAD_FLOW (flow)), ==, 4);
  g_assert_cmpstr (lm_grad_flow_get_bar (LM_GRAD_FLOW (flow), 3, &norm), ==, "fc2.bias");
  g_assert_cmpfloat_with_epsilon (norm, 50, 1e-6);

  win = show_in_window (flow, 400, 260);
  for (guint i = 0; i < 4; i++)
    g_assert_true (lm_grad_flow_get_bar_rect (LM_GRAD_FLOW (flow), i, &r[i]));
  /* heights ordered like the norms: 200 > 50 > 2 > 0.05, bars side by side */
  g_assert_cmpfloat (r[1].size.height, >, r[3].size.height);
  g_assert_cmpfloat (r[3].size.height, >, r[2].size.height);
  g_assert_cmpfloat (r[2].size.height, >, r[0].size.height);
  g_assert_cmpfloat (r[0].size.height, >, 0);
  for (guint i = 1; i < 4; i++)
    g_assert_cmpfloat (r[i].origin.x, >=, r[i - 1].origin.x + r[i - 1].size.width);
  /* log scale: height steps compare as the logs of the ratios, 50/2 = 25
   * against 200/50 = 4 */
  {
    double d1 = r[3].size.height - r[2].size.height, d2 = r[1].size.height - r[3].size.height;
    g_assert_cmpfloat (fabs (d1 / d2 - log (25) / log (4)), <, 0.05);
  }
  /* the pixels: each bar's colour in its middle, the background above it */
  {
    int w, h;
    gsize stride;
    g_autofree guchar *buf = widget_pixels_render (flow, &w, &h, &stride);
    for (guint i = 0; i < 4; i++)
      {
        int x = (int) (r[i].origin.x + r[i].size.width / 2);
        g_assert_true (widget_pixels_near (buf, stride, x, (int) (r[i].origin.y + r[i].size.height / 2), 0.25, 0.45, 0.8, 0.03));
        if (r[i].origin.y > 12)
          g_assert_false (widget_pixels_near (buf, stride, x, (int) r[i].origin.y - 3, 0.25, 0.45, 0.8, 0.03));
      }
  }
  gtk_window_destroy (GTK_WINDOW (win));
}

/* --step/--op: a run traced at steps 1 and 3, shown at step 1, op 2. */
static gboolean
page_settled (gpointer p)
{
  return lm_graph_page_is_settled (p) && lm_graph_view_get_trace (lm_graph_page_get_view (p)) != NULL;
}

/* A lumen-train MLP run `name` in dir, 4 steps, traced at the steps given. */
static void
train_traced (const char *dir, const char *data, const char *name, gint64 step_a, gint64 step_b)
{
  lm_train_cli cli;
  FILE *out = tmpfile ();

  lm_train_cli_defaults (&cli);
  cli.data_dir = data;
  cli.epochs = 1;
  cli.set_epochs = TRUE;
  cli.no_progress = TRUE;
  cli.logdir = dir;
  cli.run = name;
  cli.trace_steps[0] = step_a;
  cli.n_trace_steps = 1;
  if (step_b >= 0)
    {
      cli.trace_steps[1] = step_b;
      cli.n_trace_steps = 2;
    }
  cli.stop_after_steps_set = TRUE;
  cli.stop_after_steps = 4;
  g_assert_cmpint (lm_train_app_run (&cli, out, stderr, NULL), ==, 0);
  fclose (out);
}

/* The graph page of logdir with the debugger at (step, op), in a window,
 * once its trace is loaded; the shown trace. */
static const LmTraceData *
open_at (const char *logdir, gint64 step, gint64 op, LmRunStore **store, GtkWidget **win, GtkWidget **page)
{
  gint64 end;

  *store = lm_run_store_new (logdir);
  *page = lm_graph_page_new (*store);
  lm_graph_page_show_debugger (LM_GRAPH_PAGE (*page), TRUE);
  lm_graph_page_set_target (LM_GRAPH_PAGE (*page), step, op);
  *win = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (*win), 1200, 900);
  gtk_window_set_child (GTK_WINDOW (*win), *page);
  gtk_window_present (GTK_WINDOW (*win));
  lm_run_store_start (*store);
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!page_settled (*page) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  spin (20);
  g_assert_true (page_settled (*page));
  return lm_graph_view_get_trace (lm_graph_page_get_view (LM_GRAPH_PAGE (*page)));
}

static void
test_target (void)
{
  g_autofree char *data = NULL;
  GtkWidget *page, *win;
  LmRunStore *store;
  LmDebuggerPane *dbg;
  const LmTraceData *t;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  data = train_fixture_make_data (tmpdir, 640, 64);
  train_traced (tmpdir, data, "mlp", 1, 3);

  for (int pass = 0; pass < 2; pass++)
    {
      gint64 step = pass == 0 ? 1 : 3, op = pass == 0 ? 2 : 5;

      t = open_at (tmpdir, step, op, &store, &win, &page);
      g_assert_cmpint (t->step, ==, step);
      dbg = lm_graph_page_get_debugger (LM_GRAPH_PAGE (page));
      g_assert_cmpint (lm_debugger_pane_get_current (dbg), ==, op - 1);
      g_assert_cmpint (lm_graph_view_get_selected (lm_graph_page_get_view (LM_GRAPH_PAGE (page))), ==,
                       t->events[op - 1].node_id);
      /* The op's heatmap has its whole height in the scrolling pane (it
       * had its minimum, 60 px: 46 px of rows, a conv's channels 6 px). */
      {
        GtkWidget *tv = lm_ui_find_descendant (GTK_WIDGET (dbg), LM_TYPE_TENSOR_VIEW);

        gint64 end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

        g_assert_nonnull (tv);
        g_assert_nonnull (t->events[op - 1].values);
        while (gtk_widget_get_height (tv) < 180 && g_get_monotonic_time () < end)
          g_main_context_iteration (NULL, FALSE);
        g_assert_cmpint (gtk_widget_get_height (tv), >=, 180);
      }
      /* Text never makes the pane wider than its rows of buttons (the
       * values grid's note and the gradient-flow heading did, by about
       * 80 px: in an 800 px window the graph was left 60 px). */
      {
        int rows = 0, pane = 0, m;

        for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (dbg)); c != NULL;
             c = gtk_widget_get_next_sibling (c))
          if (GTK_IS_BOX (c) && gtk_orientable_get_orientation (GTK_ORIENTABLE (c)) == GTK_ORIENTATION_HORIZONTAL)
            {
              gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &m, NULL, NULL, NULL);
              rows = MAX (rows, m);
            }
        gtk_widget_measure (GTK_WIDGET (dbg), GTK_ORIENTATION_HORIZONTAL, -1, &pane, NULL, NULL, NULL);
        g_assert_cmpint (rows, >, 100);
        g_assert_cmpint (pane, <=, rows + gtk_widget_get_margin_start (GTK_WIDGET (dbg))
                                   + gtk_widget_get_margin_end (GTK_WIDGET (dbg)));
      }
      gtk_window_destroy (GTK_WINDOW (win));
      g_clear_object (&store);
      spin (10);
    }
}

/* lumen-train's hint "lumen --logdir runs --view debugger --step 12 --op 3"
 * in a log directory of several runs: the run traced at that step is shown
 * (the first run in name order was, at its own last traced step).  And
 * the search steps through its matches. */
static void
test_target_run (void)
{
  g_autofree char *data = NULL, *dir = NULL;
  GtkWidget *page, *win;
  LmRunStore *store;
  const LmTraceData *t;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = g_build_filename (tmpdir, "several", NULL);
  data = train_fixture_make_data (tmpdir, 640, 64);
  train_traced (dir, data, "a-first", 1, -1);
  train_traced (dir, data, "b-traced-at-3", 3, -1);
  t = open_at (dir, 3, 2, &store, &win, &page);
  g_assert_cmpint (t->step, ==, 3);
  g_assert_cmpint (lm_debugger_pane_get_current (lm_graph_page_get_debugger (LM_GRAPH_PAGE (page))), ==, 1);

  /* The search reaches every match: Enter (or Ctrl+G) the next one, round
   * the end, Shift+Ctrl+G the previous (only the first was selected). */
  {
    LmGraphView *view = lm_graph_page_get_view (LM_GRAPH_PAGE (page));
    GtkWidget *entry = lm_graph_page_get_search_entry (LM_GRAPH_PAGE (page));
    const LmGraphData *g = lm_graph_view_get_graph (view);
    const char *names[3];

    gtk_editable_set_text (GTK_EDITABLE (entry), "weight");
    lm_ui_emit (entry, "search-changed");
    for (int k = 0; k < 3; k++)
      {
        gssize i = lm_graph_data_find (g, lm_graph_view_get_selected (view));

        g_assert_cmpint (i, >=, 0);
        names[k] = g->nodes[i].name;
        lm_ui_emit (entry, k < 2 ? "activate" : "previous-match");
      }
    g_assert_cmpstr (names[0], ==, "1.weight");
    g_assert_cmpstr (names[1], ==, "3.weight");
    g_assert_cmpstr (names[2], ==, "1.weight");   /* round the end */
    g_assert_cmpstr (g->nodes[lm_graph_data_find (g, lm_graph_view_get_selected (view))].name, ==, "3.weight");
  }
  gtk_window_destroy (GTK_WINDOW (win));
  g_clear_object (&store);
  spin (10);

  /* a step no run has: the first run with a graph, as without --step */
  t = open_at (dir, 7, 1, &store, &win, &page);
  g_assert_cmpint (t->step, ==, 1);
  gtk_window_destroy (GTK_WINDOW (win));
  g_clear_object (&store);
  spin (10);
}

/* lumen rejects bad --step/--op before opening anything */
static void
test_cli_checks (void)
{
  static const char *const bad[][3] = {
    { "--view", "scalars", "--step=3" },
    { "--view", "debugger", "--op=0" },
    { "--view", "debugger", "--step=-2" },
    { "--view", "debugger", "--step=x" },
  };

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *argv[] = { LM_LUMEN_BIN, "--logdir", tmpdir, bad[i][0], bad[i][1], bad[i][2], NULL };
      g_autofree char *err = NULL;
      g_autoptr (GError) error = NULL;
      int status;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                                   &status, &error));
      g_assert_false (g_spawn_check_wait_status (status, NULL));
      g_assert_cmpint (WEXITSTATUS (status), ==, 2);
      g_assert_nonnull (strstr (err, bad[i][2][2] == 's' ? "--step" : "--op"));
    }
}

/* An exploding step (lumen-train --lr 50: gradients from 1e-3 to 1e38)
 * in the pane's 180 px of plot: the decade labels left of the bars are
 * lines of text with blank rows between them, not one block of ink (a
 * label every decade was 4 px apart). */
static void
test_grad_flow_axis (void)
{
  float small[1] = { 1e-3f }, huge[1] = { 1e38f };
  LmGraphDataNode nodes[2] = {
    { .id = 1, .op = (char *) "parameter", .name = (char *) "1.weight" },
    { .id = 2, .op = (char *) "parameter", .name = (char *) "1.bias" },
  };
  LmGraphData g = { .n_nodes = 2, .nodes = nodes };
  LmTraceDataEvent ev[2] = {
    { .node_id = 1, .backward = TRUE, .numel = 1, .values = small },
    { .node_id = 2, .backward = TRUE, .numel = 1, .values = huge },
  };
  LmTraceData t = { .n_events = 2, .events = ev };
  int w, h, ink_rows = 0, runs = 0, run = 0, longest = 0;
  gsize stride;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  GtkWidget *flow = lm_grad_flow_new ();
  lm_grad_flow_set_data (LM_GRAD_FLOW (flow), &g, &t);
  GtkWidget *win = show_in_window (flow, 400, 258);
  g_autofree guchar *buf = widget_pixels_render (flow, &w, &h, &stride);
  const guchar *bg = buf;   /* (0, 0): the panel */

  /* rows of the axis column (x < 40) with any text pixel, in runs */
  for (int y = 0; y < h - 70; y++)
    {
      gboolean ink = FALSE;
      for (int x = 0; x < 40 && !ink; x++)
        for (int c = 0; c < 3; c++)
          ink |= abs ((int) buf[y * stride + x * 4 + c] - (int) bg[c]) > 40;
      ink_rows += ink;
      run = ink ? run + 1 : 0;
      runs += run == 1;
      longest = MAX (longest, run);
    }
  g_test_message ("axis: %d rows of ink in %d runs, the longest %d rows", ink_rows, runs, longest);
  g_assert_cmpint (runs, >=, 4);
  g_assert_cmpint (longest, <=, 12);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* A widget of type `type` under w, depth first (the nth one). */
static GtkWidget *
find_type (GtkWidget *w, GType type, int *nth)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && (*nth)-- == 0)
    return w;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *f = find_type (c, type, nth);
      if (f)
        return f;
    }
  return NULL;
}

static void
on_text_read (GObject *clip, GAsyncResult *res, gpointer data)
{
  *(char **) data = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (clip), res, NULL);
  if (*(char **) data == NULL)
    *(char **) data = g_strdup ("");
}

/* The value grid past its first page: a (500, 40) gradient whose rows from
 * 200 are +1 (red) and the others 0 (white). Its Row spin button shows rows
 * 200-399 (the note says so, the first cell is red), and "Copy values" puts
 * every value on the clipboard as numpy.loadtxt reads it (nan, inf,
 * float32 exactly); only the first 200 rows x 32 columns were reachable. */
static void
test_grid_pages_copy (void)
{
  static float vals[500 * 40];
  float small[4] = { 0.1f, NAN, -INFINITY, 16777217.0f };
  LmTraceDataEvent e = { .ndim = 2, .shape = { 500, 40 }, .numel = 500 * 40, .values = vals };
  LmTraceDataEvent e2 = { .ndim = 1, .shape = { 4 }, .numel = 4, .values = small };
  int w, h, nth;
  gsize stride;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  for (int i = 0; i < 500 * 40; i++)
    vals[i] = i >= 200 * 40 ? 1.0f : 0.0f;
  GtkWidget *tv = lm_tensor_view_new ();
  GtkWidget *grid = lm_tensor_view_new_grid (LM_TENSOR_VIEW (tv));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), tv);
  gtk_box_append (GTK_BOX (box), grid);
  lm_tensor_view_set_event (LM_TENSOR_VIEW (tv), &e);
  GtkWidget *win = show_in_window (box, 400, 500);
  GtkWidget *note = find_type (grid, GTK_TYPE_LABEL, (nth = 0, &nth));
  GtkWidget *rows = find_type (grid, GTK_TYPE_SPIN_BUTTON, (nth = 0, &nth));
  GtkWidget *area = find_type (grid, GTK_TYPE_DRAWING_AREA, (nth = 0, &nth));
  GtkWidget *copy = NULL, *b;
  /* the spin buttons hold buttons too: the one labelled "Copy values" */
  for (int k = 0; (b = find_type (grid, GTK_TYPE_BUTTON, (nth = k, &nth))) != NULL; k++)
    if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (b)), "Copy values") == 0)
      copy = b;
  g_assert_nonnull (copy);
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (rows)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (note)), ==,
                   "values (rows × last dim): rows 0–199 of 500, columns 0–31 of 40");
  gtk_spin_button_spin (GTK_SPIN_BUTTON (rows), GTK_SPIN_STEP_FORWARD, 0);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (note)), ==,
                   "values (rows × last dim): rows 200–399 of 500, columns 0–31 of 40");
  spin (10);
  {
    g_autofree guchar *buf = widget_pixels_render (area, &w, &h, &stride);
    /* the first cell (row 200) below the column numbers: +1, the map's red */
    g_assert_true (widget_pixels_near (buf, stride, 44 + 60, 16 + 2, 0.75, 0.05, 0.1, 0.03));
  }
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (rows), 450);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (note)), ==,
                   "values (rows × last dim): rows 450–499 of 500, columns 0–31 of 40");

  /* Copy values: every value, exactly */
  lm_tensor_view_set_event (LM_TENSOR_VIEW (tv), &e2);
  g_autofree char *text = lm_tensor_view_values_text (LM_TENSOR_VIEW (tv));
  g_assert_cmpstr (text, ==, "# shape (4,), as 1 rows x 4 (the last dim)\n0.100000001\tnan\t-inf\t16777216\n");
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (rows)));
  g_signal_emit_by_name (copy, "clicked");
  char *got = NULL;
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (copy), NULL, on_text_read, &got);
  for (gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC; got == NULL && g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpstr (got, ==, text);
  g_free (got);
  /* without values: nothing to copy */
  lm_tensor_view_set_event (LM_TENSOR_VIEW (tv), NULL);
  g_assert_null (lm_tensor_view_values_text (LM_TENSOR_VIEW (tv)));
  g_assert_false (gtk_widget_get_sensitive (copy));
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
  tmpdir = g_dir_make_tmp ("lumen-tensor-view-XXXXXX", NULL);
  g_test_add_func ("/trace/tensor-view/heatmap", test_heatmap);
  g_test_add_func ("/trace/tensor-view/channel-tiles", test_channel_tiles);
  g_test_add_func ("/trace/grad-flow/bars", test_grad_flow);
  g_test_add_func ("/trace/grad-flow/axis-labels-apart", test_grad_flow_axis);
  g_test_add_func ("/trace/tensor-view/grid-pages-copy", test_grid_pages_copy);
  g_test_add_func ("/trace/debugger/step-op-target", test_target);
  g_test_add_func ("/trace/debugger/step-target-run", test_target_run);
  g_test_add_func ("/trace/debugger/step-op-cli", test_cli_checks);
  rc = g_test_run ();
  train_fixture_rmdir (tmpdir);
  g_free (tmpdir);
  return rc;
}
