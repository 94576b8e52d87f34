/* test-keyboard.c: what a user without a mouse, or with a screen reader,
 * needs from the window's controls.
 *
 * What it checks: every icon-only button on every view (header bar, the
 * scalar cards, the graph page's toolbar, the debugger's stepping
 * buttons) has an accessible name, not just a tooltip: a screen reader
 * said "button" for each.  Runs with GTK's in-process "test" accessibility
 * backend (no D-Bus) so the names can be read back.  And the graph
 * canvas, which takes the keys (arrows pan, Ctrl +/-/0 zoom), shows when
 * it has the keyboard focus.  The hparams scatter plot matrix: Tab goes
 * from plot to plot, the arrow keys from run to run, drawn and described
 * to accessibility as the hovered run, Enter selects it (the table's row
 * too) and the table's selection is where the keys go on.  The keys: Ctrl+1 … Ctrl+9, Ctrl+0 pick the views,
 * N / P / A step the debugger (next op, previous op, first NaN/Inf) but
 * not while a search entry has the focus, and the buttons' tooltips say
 * them.  Skips without a display.
 */
#include <gtk/gtk.h>
#include <lumen-log.h>
#include <stdlib.h>
#include <string.h>

#include "graph-fixture.h"
#include "lm-dashboards.h"
#include "lm-debugger-pane.h"
#include "lm-graph-page.h"
#include "lm-graph-view.h"
#include "lm-hparams-private.h"
#include "lm-hparams-view.h"
#include "lm-pr-curve-view.h"
#include "lm-record-dashboard.h"
#include "lm-test-records.h"
#include "lm-test-run.h"
#include "ui-test-util.h"

static gboolean have_display;

/* A button or menu button whose only content is an icon. */
static gboolean
icon_only (GtkWidget *w)
{
  if (GTK_IS_MENU_BUTTON (w))
    return gtk_menu_button_get_label (GTK_MENU_BUTTON (w)) == NULL
           && gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (w)) != NULL;
  return GTK_IS_BUTTON (w) && gtk_button_get_label (GTK_BUTTON (w)) == NULL
         && GTK_IS_IMAGE (gtk_widget_get_first_child (w))
         && gtk_widget_get_next_sibling (gtk_widget_get_first_child (w)) == NULL;
}

/* The mapped icon-only buttons at or below root, except inside GTK's own
 * composite widgets (window controls, spin buttons): all of them into
 * `all`, those without an accessible name into `unnamed` too. */
static void
collect_icon_buttons (GtkWidget *root, GPtrArray *all, GPtrArray *unnamed)
{
  if (GTK_IS_WINDOW_CONTROLS (root) || GTK_IS_SPIN_BUTTON (root) || !gtk_widget_get_mapped (root))
    return;
  if (icon_only (root))
    {
      g_ptr_array_add (all, root);
      if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_LABEL))
        g_ptr_array_add (unnamed, root);
    }
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_icon_buttons (c, all, unnamed);
}

static gboolean
settled (LmWindow *win)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!lm_window_is_settled (win) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  return lm_window_is_settled (win);
}

static void
test_icon_buttons_named (void)
{
  g_autofree char *logdir = NULL;
  LmDashboards *dash;
  LmWindow *win;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  logdir = lm_test_logdir_with_scalar ("lumen-keys-XXXXXX", "train/loss", 10);

  win = lm_window_new (NULL, logdir);
  gtk_window_set_default_size (GTK_WINDOW (win), 1200, 800);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (settled (win));
  dash = lm_window_get_dashboards (win);
  for (guint v = 0; lm_dashboard_names[v] != NULL; v++)
    for (int debugger = 0; debugger < (g_str_equal (lm_dashboard_names[v], "graph") ? 2 : 1); debugger++)
      {
        g_autoptr (GPtrArray) all = g_ptr_array_new ();
        g_autoptr (GPtrArray) unnamed = g_ptr_array_new ();

        lm_dashboards_set_view (dash, lm_dashboard_names[v]);
        if (g_str_equal (lm_dashboard_names[v], "graph"))
          lm_graph_page_show_debugger (LM_GRAPH_PAGE (lm_dashboards_get_page (dash, "graph")), debugger);
        g_assert_true (settled (win));
        collect_icon_buttons (GTK_WIDGET (win), all, unnamed);
        for (guint i = 0; i < unnamed->len; i++)
          g_test_message ("%s view: unnamed icon button, tooltip '%s'", lm_dashboard_names[v],
                          gtk_widget_get_tooltip_text (unnamed->pdata[i]));
        g_assert_cmpuint (unnamed->len, ==, 0);
        /* it saw the buttons it is about: the header's two (reload,
         * menu), a scalar card's three, the graph toolbar's five, the
         * debugger's four */
        g_test_message ("%s%s: %u icon-only buttons", lm_dashboard_names[v], debugger ? " (debugger)" : "", all->len);
        g_assert_cmpuint (all->len, >=, (v == 0 ? 5u : debugger ? 11u : 2u));
      }
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (logdir);
}

/* The colour of the screenshot's pixel at (x, y) of widget. */
static void
pixel_of (const LmUiImage *img, GtkWidget *win, GtkWidget *widget, double x, double y, int rgb[3])
{
  graphene_point_t p;
  const guchar *px;

  g_assert_true (gtk_widget_compute_point (widget, win, &GRAPHENE_POINT_INIT (x, y), &p));
  px = img->pixels + (gsize) p.y * img->stride + (gsize) p.x * 4;
  rgb[0] = px[2], rgb[1] = px[1], rgb[2] = px[0];
}

static void
test_graph_focus_visible (void)
{
  const GdkRGBA ring = LM_GRAPH_VIEW_FOCUS_RGBA;
  g_autofree char *logdir = NULL, *png = NULL;
  g_autoptr (GError) error = NULL;
  LmDashboards *dash;
  LmWindow *win;
  GtkWidget *view;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  logdir = g_dir_make_tmp ("lumen-focus-XXXXXX", NULL);
  png = g_build_filename (logdir, "focus.png", NULL);
  win = lm_window_new (NULL, logdir);
  gtk_window_set_default_size (GTK_WINDOW (win), 1000, 700);
  gtk_window_present (GTK_WINDOW (win));
  dash = lm_window_get_dashboards (win);
  lm_dashboards_set_view (dash, "graph");
  g_assert_true (settled (win));
  view = GTK_WIDGET (lm_graph_page_get_view (LM_GRAPH_PAGE (lm_dashboards_get_page (dash, "graph"))));
  for (int focused = 0; focused < 2; focused++)
    {
      LmUiImage img = { 0 };
      int left[3], top[3];
      double h = gtk_widget_get_height (view);

      if (focused)
        {
          /* as after Tab: the focus, shown. GTK shows focus in the active
           * window only, and the UI tests share one X server (tools/test.sh
           * runs two at a time, and there is no window manager): a window
           * another test opened may hold the X focus for a moment, so ask
           * for it again until this one is active. */
          for (int i = 0; i < 60 && !gtk_window_is_active (GTK_WINDOW (win)); i++)
            {
              gtk_window_present (GTK_WINDOW (win));
              lm_test_spin (50);
            }
          if (!gtk_window_is_active (GTK_WINDOW (win)))
            {
              g_test_skip ("the window never became active (another window holds the X focus)");
              break;
            }
          g_assert_true (gtk_widget_grab_focus (view));
          gtk_window_set_focus_visible (GTK_WINDOW (win), TRUE);
        }
      lm_ui_save_screenshot (win, png, &error);
      g_assert_no_error (error);
      g_assert_true (lm_ui_image_load (png, &img, &error));
      pixel_of (&img, GTK_WIDGET (win), view, 2, h / 2, left);
      pixel_of (&img, GTK_WIDGET (win), view, gtk_widget_get_width (view) / 2.0, 2, top);
      g_free (img.pixels);
      for (int c = 0; c < 3; c++)
        {
          double want = c == 0 ? ring.red : c == 1 ? ring.green : ring.blue;
          gboolean is_ring = abs (left[c] - (int) (want * 255 + 0.5)) <= 12
                             && abs (top[c] - (int) (want * 255 + 0.5)) <= 12;

          if (focused && !is_ring)
            g_error ("focused graph: edge pixels (%d,%d,%d) (%d,%d,%d), no focus ring", left[0], left[1],
                     left[2], top[0], top[1], top[2]);
          if (!focused && c == 0)
            g_assert_cmpint (abs (left[0] - (int) (ring.red * 255 + 0.5)), >, 12);
        }
    }
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (logdir);
}

/* Four runs: width 40, 10, 30, 20 and acc 0.7, 0.5, 0.9, 0.6; act relu
 * and gelu by turns.  Plots: act x acc, width x acc. */
static const struct { const char *run; double width, acc; } kb_runs[] = {
  { "k0", 40, 0.7 }, { "k1", 10, 0.5 }, { "k2", 30, 0.9 }, { "k3", 20, 0.6 },
};

/* Keys pressed in width x acc, one after the other, and the run each goes
 * to: from none, Right is the first along x; the last stays the last. */
static const struct { guint key; const char *run; } kb_moves[] = {
  { GDK_KEY_Right, "k1" }, { GDK_KEY_Right, "k3" }, { GDK_KEY_Right, "k2" }, { GDK_KEY_Left, "k3" },
  { GDK_KEY_End, "k0" }, { GDK_KEY_Right, "k0" }, { GDK_KEY_Home, "k1" }, { GDK_KEY_Up, "k3" },
  { GDK_KEY_Up, "k0" }, { GDK_KEY_Down, "k3" },
};

/* Whether some pixel of row y between x0 and x1 is the focus ring's blue. */
static gboolean
has_ring_pixel (cairo_surface_t *s, int x0, int x1, int y)
{
  const GdkRGBA ring = LM_THEME_FOCUS_RGBA;
  const guchar *row = cairo_image_surface_get_data (s) + y * cairo_image_surface_get_stride (s);

  for (int x = MAX (x0, 0); x < x1; x++)
    if (abs (row[4 * x + 2] - (int) (ring.red * 255 + 0.5)) <= 12
        && abs (row[4 * x + 1] - (int) (ring.green * 255 + 0.5)) <= 12
        && abs (row[4 * x] - (int) (ring.blue * 255 + 0.5)) <= 12)
      return TRUE;
  return FALSE;
}

static int
luma_at (cairo_surface_t *s, double x, double y)
{
  const guchar *p = cairo_image_surface_get_data (s) + (int) y * cairo_image_surface_get_stride (s) + (int) x * 4;

  return (p[0] + p[1] + p[2]) / 3;
}

static void
assert_description (LmHparamsScatter *sc, const char *want)
{
  g_autofree char *error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (sc),
                                                               GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, want);

  if (error != NULL)
    g_error ("scatter matrix's description: %s", error);
}

/* The scatter plot matrix without a mouse: its points could not be reached
 * at all.  Tab enters at the first plot and goes from plot to plot, then
 * out; the arrow keys go from run to run along x or y in the focused
 * plot; that run is ringed as the hovered one is, in every plot, and the
 * accessible description names the plot, the run and its values; Enter
 * and space select it as a click does (the table's row too), Escape
 * clears the selection, and a row selected in the table is where the keys
 * go on from. */
static void
test_scatter_keys (void)
{
  g_autofree char *logdir = NULL;
  g_autoptr (GArray) plots = NULL;
  const char *metrics[] = { "acc" };
  LmRunSelection *selection;
  LmHparamsView *hp;
  LmHparamsScatter *sc;
  GtkWidget *widget;
  GtkSingleSelection *table;
  cairo_surface_t *s;
  const LmHpPlot *p;
  LmWindow *win;
  double x, y;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  logdir = g_dir_make_tmp ("lumen-scatter-keys-XXXXXX", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (kb_runs); i++)
    {
      lm_hparam h[2] = { LM_HP_NUMBER ("width", kb_runs[i].width), LM_HP_STRING ("act", i % 2 ? "gelu" : "relu") };
      lm_writer *w;

      g_assert_cmpint (lm_writer_open (&w, logdir, kb_runs[i].run), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_hparams (w, h, 2, metrics, 1), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_scalar (w, "acc", 1, kb_runs[i].acc), ==, LM_OK);
      g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
    }
  win = lm_window_new (NULL, logdir);
  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 900);
  gtk_window_present (GTK_WINDOW (win));
  lm_dashboards_set_view (lm_window_get_dashboards (win), "hparams");
  g_assert_true (settled (win));
  selection = lm_window_get_selection (win);
  hp = LM_HPARAMS_VIEW (lm_dashboards_get_page (lm_window_get_dashboards (win), "hparams"));
  table = GTK_SINGLE_SELECTION (gtk_column_view_get_model (lm_hparams_view_get_column_view (hp)));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 4);
  g_assert_true (lm_hparams_view_set_plot (hp, "scatter"));
  widget = lm_hparams_view_get_scatter (hp);
  sc = LM_HPARAMS_SCATTER (widget);
  for (int i = 0; i < 40 && gtk_widget_get_width (widget) == 0; i++)
    lm_test_spin (50);
  plots = lm_hparams_scatter_layout (sc, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  g_assert_cmpuint (plots->len, ==, 2);
  for (int i = 0; i < 60 && !gtk_window_is_active (GTK_WINDOW (win)); i++)
    {
      gtk_window_present (GTK_WINDOW (win));
      lm_test_spin (50);
    }
  if (!gtk_window_is_active (GTK_WINDOW (win)))
    {
      g_test_skip ("the window never became active (another window holds the X focus)");
      gtk_window_destroy (GTK_WINDOW (win));
      lm_test_rm_rf (logdir);
      return;
    }
  g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (sc), GTK_ACCESSIBLE_PROPERTY_LABEL));
  /* no hover from the real pointer, which may rest over a point */
  gtk_event_controller_set_propagation_phase (lm_ui_find_controller (widget, GTK_TYPE_EVENT_CONTROLLER_MOTION),
                                              GTK_PHASE_NONE);
  lm_ui_emit (lm_ui_find_controller (widget, GTK_TYPE_EVENT_CONTROLLER_MOTION), "leave");

  /* Tab: in at the first plot, on to the second, then out; Shift+Tab back */
  g_assert_true (gtk_widget_child_focus (widget, GTK_DIR_TAB_FORWARD));
  g_assert_true (gtk_widget_has_focus (widget));
  g_assert_cmpuint (lm_hparams_scatter_get_focus_plot (sc), ==, 0);
  assert_description (sc, "Plot of acc against act: arrow keys move from run to run, Enter selects one, "
                          "Tab goes to the next plot");
  g_assert_true (gtk_widget_child_focus (widget, GTK_DIR_TAB_FORWARD));
  g_assert_cmpuint (lm_hparams_scatter_get_focus_plot (sc), ==, 1);
  g_assert_false (gtk_widget_child_focus (widget, GTK_DIR_TAB_FORWARD));
  g_assert_true (gtk_widget_child_focus (widget, GTK_DIR_TAB_BACKWARD));
  g_assert_cmpuint (lm_hparams_scatter_get_focus_plot (sc), ==, 0);
  g_assert_false (gtk_widget_child_focus (widget, GTK_DIR_TAB_BACKWARD));
  g_assert_true (gtk_widget_grab_focus (lm_hparams_view_get_filter_entry (hp)));
  g_assert_true (gtk_widget_child_focus (widget, GTK_DIR_TAB_BACKWARD));   /* Shift+Tab in: the last plot */
  g_assert_cmpuint (lm_hparams_scatter_get_focus_plot (sc), ==, 1);
  g_assert_true (gtk_widget_has_focus (widget));

  /* width x acc: along x k1 (10), k3, k2, k0 (40); up k1 (0.5), k3, k0, k2 */
  g_assert_null (lm_hparams_scatter_get_focused (sc));
  for (guint i = 0; i < G_N_ELEMENTS (kb_moves); i++)
    {
      g_assert_true (lm_ui_press_key (widget, kb_moves[i].key, 0));
      g_assert_cmpstr (lm_hparams_scatter_get_focused (sc), ==, kb_moves[i].run);
    }
  assert_description (sc, "Plot of acc against width: k3\nact: gelu\nwidth: 20\nacc: 0.6");

  /* k3 ringed as if hovered, here (width 20: a third across 10..40, acc
   * 0.6: a quarter up 0.5..0.9), and the plot's cell ringed in blue, once
   * the focus shows */
  p = &g_array_index (plots, LmHpPlot, 1);
  x = p->data.origin.x + p->data.size.width / 3;
  y = p->data.origin.y + p->data.size.height * 0.75;
  gtk_window_set_focus_visible (GTK_WINDOW (win), FALSE);
  s = lm_ui_snapshot_widget (widget);
  g_assert_cmpint (luma_at (s, x + 7.5, y), >, 200);
  g_assert_false (has_ring_pixel (s, p->frame.origin.x - 60, p->frame.origin.x, p->frame.origin.y + 20));
  cairo_surface_destroy (s);
  gtk_window_set_focus_visible (GTK_WINDOW (win), TRUE);
  g_assert_true (gtk_widget_has_visible_focus (widget));
  s = lm_ui_snapshot_widget (widget);
  g_assert_cmpint (luma_at (s, x + 7.5, y), <, 100);
  g_assert_true (has_ring_pixel (s, p->frame.origin.x - 60, p->frame.origin.x, p->frame.origin.y + 20));
  /* and in the other plot (gelu: the first of two bands), without its ring */
  p = &g_array_index (plots, LmHpPlot, 0);
  g_assert_cmpint (luma_at (s, p->frame.origin.x + p->frame.size.width / 4 + 7.5, y), <, 100);
  g_assert_false (has_ring_pixel (s, p->frame.origin.x - 60, p->frame.origin.x, p->frame.origin.y + 20));
  cairo_surface_destroy (s);

  /* Enter selects k3: the run selection and the table's row; Escape clears */
  g_assert_null (lm_run_selection_get_highlighted (selection));
  g_assert_true (lm_ui_press_key (widget, GDK_KEY_Return, 0));
  g_assert_cmpstr (lm_run_selection_get_highlighted (selection), ==, "k3");
  g_assert_cmpstr (((LmHparamsRow *) gtk_single_selection_get_selected_item (table))->run_name, ==, "k3");
  g_assert_true (lm_ui_press_key (widget, GDK_KEY_Escape, 0));
  g_assert_null (lm_run_selection_get_highlighted (selection));
  g_assert_null (gtk_single_selection_get_selected_item (table));
  g_assert_false (lm_ui_press_key (widget, GDK_KEY_Escape, 0));   /* nothing to clear: the key goes on */
  g_assert_true (lm_ui_press_key (widget, GDK_KEY_Left, 0));
  g_assert_cmpstr (lm_hparams_scatter_get_focused (sc), ==, "k1");
  g_assert_true (lm_ui_press_key (widget, GDK_KEY_space, 0));
  g_assert_cmpstr (lm_run_selection_get_highlighted (selection), ==, "k1");

  /* a row picked in the table is where the keys go on from: k2 (30) */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (table)); i++)
    {
      g_autoptr (LmHparamsRow) row = g_list_model_get_item (G_LIST_MODEL (table), i);

      if (strcmp (row->run_name, "k2") == 0)
        gtk_single_selection_set_selected (table, i);
    }
  g_assert_cmpstr (lm_run_selection_get_highlighted (selection), ==, "k2");
  g_assert_cmpstr (lm_hparams_scatter_get_focused (sc), ==, "k2");
  g_assert_true (lm_ui_press_key (widget, GDK_KEY_Right, 0));
  g_assert_cmpstr (lm_hparams_scatter_get_focused (sc), ==, "k0");
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (logdir);
}

/* The icon-only button at or below root showing icon. */
static GtkWidget *
press_target_button (GtkWidget *root, const char *icon)
{
  if (GTK_IS_BUTTON (root) && GTK_IS_IMAGE (gtk_widget_get_first_child (root))
      && g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (gtk_widget_get_first_child (root))), icon) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *b = press_target_button (c, icon);

      if (b != NULL)
        return b;
    }
  return NULL;
}

/* Five ops in a chain, traced forward then backward (8 events); the
 * forward output of op 3 (event 2) holds a NaN. */
static void
load_trace (LmGraphView *view)
{
  GraphFixture *f = graph_fixture_begin ("chain");
  static const gint64 shape[] = { 2, 3 };
  LmTraceData *t = g_new0 (LmTraceData, 1);

  for (gint64 id = 1; id <= 5; id++)
    {
      g_autofree char *name = g_strdup_printf ("op%" G_GINT64_FORMAT, id);

      graph_fixture_node (f, id, "relu", name, "", 2, shape);
      if (id > 1)
        graph_fixture_edge (f, id - 1, id, 0);
    }
  lm_graph_view_set_graph (view, graph_fixture_end (f));
  t->n_events = 8;
  t->n_ops = 8;
  t->graph_id = -1;
  t->events = g_new0 (LmTraceDataEvent, t->n_events);
  for (gsize i = 0; i < t->n_events; i++)
    {
      LmTraceDataEvent *e = &t->events[i];

      e->seq = (gint64) i;
      e->backward = i >= 5;
      e->node_id = i < 5 ? (gint64) i + 1 : 5 - ((gint64) i - 5);
      e->ndim = 2;
      e->shape[0] = 2, e->shape[1] = 3;
      e->numel = 6;
      e->values_bytes = -1;
      e->nan_count = i == 2;
    }
  lm_graph_view_set_trace (view, t);
}

static void
test_shortcuts (void)
{
  g_autofree char *logdir = NULL;
  LmDashboards *dash;
  LmGraphPage *page;
  LmDebuggerPane *pane;
  GtkWidget *win, *first_tab;
  const char *tip;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  logdir = lm_test_logdir_with_scalar ("lumen-shortcuts-XXXXXX", "train/loss", 10);
  win = GTK_WIDGET (lm_window_new (NULL, logdir));
  gtk_window_set_default_size (GTK_WINDOW (win), 1200, 800);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (settled (LM_WINDOW (win)));
  dash = lm_window_get_dashboards (LM_WINDOW (win));

  /* Ctrl+N: the Nth view, as a browser's tabs */
  g_assert_cmpstr (lm_dashboards_get_view (dash), ==, "scalars");
  g_assert_true (lm_ui_press_key (win, GDK_KEY_3, GDK_CONTROL_MASK));
  g_assert_cmpstr (lm_dashboards_get_view (dash), ==, "distributions");
  g_assert_true (lm_ui_press_key (win, GDK_KEY_1, GDK_CONTROL_MASK));
  g_assert_cmpstr (lm_dashboards_get_view (dash), ==, "scalars");
  g_assert_true (lm_ui_press_key (win, GDK_KEY_5, GDK_CONTROL_MASK));
  g_assert_cmpstr (lm_dashboards_get_view (dash), ==, "audio");
  g_assert_true (lm_ui_press_key (win, GDK_KEY_7, GDK_CONTROL_MASK));
  g_assert_cmpstr (lm_dashboards_get_view (dash), ==, "pr_curves");
  /* the tenth view: Ctrl+0 (it was the charts' Reset Zoom, now Ctrl+Home) */
  g_assert_true (lm_ui_press_key (win, GDK_KEY_0, GDK_CONTROL_MASK));
  g_assert_cmpstr (lm_dashboards_get_view (dash), ==, "projector");
  g_assert_true (lm_ui_press_key (win, GDK_KEY_9, GDK_CONTROL_MASK));
  g_assert_cmpstr (lm_dashboards_get_view (dash), ==, "graph");
  first_tab = gtk_widget_get_first_child (lm_dashboards_get_switcher (dash));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (first_tab), ==, "Scalars (Ctrl+1)");
  /* the Keyboard Shortcuts window lists every view with its key, in
   * switcher order (it said Ctrl+6 HParams after a view was added) */
  {
    GtkWidget *tab = first_tab;
    GtkShortcutsWindow *help = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (win));

    guint n_tabs = 0;

    g_assert_nonnull (help);
    for (guint i = 0; tab != NULL; i++, tab = gtk_widget_get_next_sibling (tab))
      {
        g_autofree char *accel = g_strdup_printf ("<Primary>%u", (i + 1) % 10);
        g_autofree char *title = g_strdup (gtk_widget_get_tooltip_text (tab));
        GtkWidget *found = NULL;

        n_tabs++;
        if (i >= 10)
          {
            /* the eleventh view has no digit left: its button names it
             * alone (it crashed here on the missing " (Ctrl+") */
            g_assert_cmpstr (title, ==, "Mesh");
            continue;
          }
        *strstr (title, " (Ctrl+") = '\0';
        for (GtkWidget *w = GTK_WIDGET (help); w != NULL && found == NULL;)
          {
            if (GTK_IS_SHORTCUTS_SHORTCUT (w))
              {
                g_autofree char *t = NULL, *a = NULL;

                g_object_get (w, "title", &t, "accelerator", &a, NULL);
                if (g_strcmp0 (a, accel) == 0)
                  {
                    found = w;
                    g_assert_cmpstr (t, ==, title);
                  }
              }
            /* depth first over the window's widgets */
            if (gtk_widget_get_first_child (w) != NULL)
              w = gtk_widget_get_first_child (w);
            else
              {
                while (w != NULL && gtk_widget_get_next_sibling (w) == NULL)
                  w = w == GTK_WIDGET (help) ? NULL : gtk_widget_get_parent (w);
                if (w != NULL)
                  w = w == GTK_WIDGET (help) ? NULL : gtk_widget_get_next_sibling (w);
              }
          }
        if (found == NULL)
          g_error ("the shortcuts window has no %s for %s", accel, title);
      }
    g_assert_cmpuint (n_tabs, ==, 11);
    /* the Mesh cards' 3-D view keys */
    g_assert_true (lm_ui_shortcut_listed (GTK_WIDGET (help), "Orbit by 10° (3-D view focused; or drag)",
                                          "Left Right Up Down"));
    g_assert_true (lm_ui_shortcut_listed (GTK_WIDGET (help), "Back to the initial camera (3-D view focused; or "
                                                             "double-click)", "<Primary>0"));
    /* the Profile pane's timeline keys (it had none) */
    g_assert_true (lm_ui_shortcut_listed (GTK_WIDGET (help), "Previous, next op in time (timeline focused)",
                                          "Left Right"));
    g_assert_true (lm_ui_shortcut_listed (GTK_WIDGET (help), "First, last op (timeline focused)", "Home End"));
    /* the audio card's Space, and Reset Zoom off Ctrl+0 (the tenth view's) */
    g_assert_true (lm_ui_shortcut_listed (GTK_WIDGET (help), "Play, pause the clip (audio card focused)", "space"));
    g_assert_true (lm_ui_shortcut_listed (GTK_WIDGET (help), "Reset zoom of every chart", "<Primary>Home"));
    g_assert_true (lm_ui_shortcut_listed (GTK_WIDGET (help), "Select the op's node (timeline focused)",
                                          "Return space"));
    /* the debugger's graph-structure keys */
    g_assert_true (lm_ui_shortcut_listed (GTK_WIDGET (help), "To the op that made an input, that uses the output",
                                          "i c"));
  }

  /* the debugger: N next op, P previous, A the first NaN/Inf */
  page = LM_GRAPH_PAGE (lm_dashboards_get_page (dash, "graph"));
  pane = lm_graph_page_get_debugger (page);
  load_trace (lm_graph_page_get_view (page));
  lm_graph_page_show_debugger (page, TRUE);
  lm_debugger_pane_reload (pane);
  g_assert_true (settled (LM_WINDOW (win)));
  lm_debugger_pane_set_current (pane, 4);
  g_assert_true (lm_ui_press_key (GTK_WIDGET (pane), GDK_KEY_n, 0));
  g_assert_cmpint (lm_debugger_pane_get_current (pane), ==, 5);
  g_assert_true (lm_ui_press_key (GTK_WIDGET (pane), GDK_KEY_p, 0));
  g_assert_true (lm_ui_press_key (GTK_WIDGET (pane), GDK_KEY_p, 0));
  g_assert_cmpint (lm_debugger_pane_get_current (pane), ==, 3);
  g_assert_true (lm_ui_press_key (GTK_WIDGET (pane), GDK_KEY_a, 0));
  g_assert_cmpint (lm_debugger_pane_get_current (pane), ==, 2);
  /* I to the op that made the input (op2's), C to the one that uses the
   * output (op3's again) */
  g_assert_true (lm_ui_press_key (GTK_WIDGET (pane), GDK_KEY_i, 0));
  g_assert_cmpint (lm_debugger_pane_get_current (pane), ==, 1);
  g_assert_true (lm_ui_press_key (GTK_WIDGET (pane), GDK_KEY_c, 0));
  g_assert_cmpint (lm_debugger_pane_get_current (pane), ==, 2);

  /* typing "n" in the node search types it: no step */
  g_assert_true (gtk_widget_grab_focus (lm_graph_page_get_search_entry (page)));
  g_assert_false (lm_ui_press_key (GTK_WIDGET (pane), GDK_KEY_n, 0));
  g_assert_false (lm_ui_press_key (GTK_WIDGET (pane), GDK_KEY_p, 0));
  g_assert_false (lm_ui_press_key (GTK_WIDGET (pane), GDK_KEY_i, 0));
  g_assert_cmpint (lm_debugger_pane_get_current (pane), ==, 2);

  /* hidden, the debugger leaves the keys alone */
  lm_graph_page_show_debugger (page, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (lm_graph_page_get_view (page)));
  g_assert_false (lm_ui_press_key (GTK_WIDGET (pane), GDK_KEY_n, 0));
  g_assert_cmpint (lm_debugger_pane_get_current (pane), ==, 2);

  /* the stepping buttons' tooltips say their keys */
  tip = gtk_widget_get_tooltip_text (press_target_button (GTK_WIDGET (pane), "go-next-symbolic"));
  g_assert_nonnull (strstr (tip, "(N)"));

  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (logdir);
}

/* A PR curve card's step slider: its value is an index into the logged
 * steps, so a screen reader read "2" of an unnamed slider.  It names its
 * card's tag and says the step it shows. */
static void
test_pr_slider_named (void)
{
  g_autofree char *logdir = NULL;
  LmWindow *win;
  GtkWidget *page, *view;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  logdir = lm_test_tmpdir_new ("lumen-pr-keys-XXXXXX");
  lm_test_records_append_pr_curves (logdir, "a", "pr/cat", 0, 5, 3, 0);   /* steps 0, 5, 10 */
  win = lm_window_new (NULL, logdir);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (lm_dashboards_set_view (lm_window_get_dashboards (win), "pr_curves"));
  g_assert_true (settled (win));
  page = lm_dashboards_get_page (lm_window_get_dashboards (win), "pr_curves");
  view = lm_record_dashboard_find_card (LM_RECORD_DASHBOARD (page), "", "pr/cat");
  g_assert_nonnull (view);

  /* run a's slider: named for its run, and the arrow keys' step left
   * (GtkRange's move-slider) moves it one stop */
  GtkAccessible *slider = GTK_ACCESSIBLE (lm_pr_curve_view_get_run_slider (LM_PR_CURVE_VIEW (view), "a"));
  g_assert_nonnull (slider);
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (slider)));
  g_autofree char *e1 = gtk_test_accessible_check_property (slider, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                            "Step of a in pr/cat");
  g_autofree char *e2 = gtk_test_accessible_check_property (slider, GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, "step 10");
  g_assert_null (e1);
  g_assert_null (e2);
  lm_ui_emit (slider, "move-slider", GTK_SCROLL_STEP_LEFT);
  g_assert_cmpint (lm_pr_curve_view_get_run_selected (LM_PR_CURVE_VIEW (view), "a"), ==, 5);
  g_autofree char *e3 = gtk_test_accessible_check_property (slider, GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, "step 5");
  g_assert_null (e3);

  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (logdir);
}

int
main (int argc, char **argv)
{
  /* GTK's in-process accessibility backend, which keeps the properties
   * set on each widget for gtk_test_accessible_has_property (with "none",
   * as the other UI tests run, there is nothing to read back). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  have_display = lm_ui_test_init (&argc, &argv);
  g_test_add_func ("/ui/keyboard/icon-buttons-named", test_icon_buttons_named);
  g_test_add_func ("/ui/keyboard/graph-focus-visible", test_graph_focus_visible);
  g_test_add_func ("/ui/keyboard/scatter-keys", test_scatter_keys);
  g_test_add_func ("/ui/keyboard/shortcuts", test_shortcuts);
  g_test_add_func ("/ui/keyboard/pr-slider-named", test_pr_slider_named);
  return g_test_run ();
}
