/* test-keyboard.c: what a user without a mouse, or with a screen reader,
 * needs from the window's controls.
 *
 * What it checks: every icon-only button on every view (header bar, the
 * scalar cards, the graph page's toolbar, the debugger's stepping
 * buttons) has an accessible name, not just a tooltip: a screen reader
 * said "button" for each.  Runs with GTK's in-process "test" accessibility
 * backend (no D-Bus) so the names can be read back.  And the graph
 * canvas, which takes the keys (arrows pan, Ctrl +/-/0 zoom), shows when
 * it has the keyboard focus.  The keys: Ctrl+1 … Ctrl+8 pick the views,
 * N / P / A step the debugger (next op, previous op, first NaN/Inf) but
 * not while a search entry has the focus, and the buttons' tooltips say
 * them.  Skips without a display.
 */
#include <gtk/gtk.h>
#include <stdlib.h>
#include <string.h>

#include "graph-fixture.h"
#include "lm-dashboards.h"
#include "lm-debugger-pane.h"
#include "lm-graph-page.h"
#include "lm-graph-view.h"
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
        /* it saw the buttons it is about: the header's three, a scalar
         * card's three, the graph toolbar's five, the debugger's four */
        g_test_message ("%s%s: %u icon-only buttons", lm_dashboard_names[v], debugger ? " (debugger)" : "", all->len);
        g_assert_cmpuint (all->len, >=, (v == 0 ? 6u : debugger ? 12u : 3u));
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
  g_assert_true (lm_ui_press_key (win, GDK_KEY_6, GDK_CONTROL_MASK));
  g_assert_cmpstr (lm_dashboards_get_view (dash), ==, "pr_curves");
  g_assert_true (lm_ui_press_key (win, GDK_KEY_8, GDK_CONTROL_MASK));
  g_assert_cmpstr (lm_dashboards_get_view (dash), ==, "graph");
  first_tab = gtk_widget_get_first_child (lm_dashboards_get_switcher (dash));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (first_tab), ==, "Scalars (Ctrl+1)");

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

  /* typing "n" in the node search types it: no step */
  g_assert_true (gtk_widget_grab_focus (lm_graph_page_get_search_entry (page)));
  g_assert_false (lm_ui_press_key (GTK_WIDGET (pane), GDK_KEY_n, 0));
  g_assert_false (lm_ui_press_key (GTK_WIDGET (pane), GDK_KEY_p, 0));
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
  g_test_add_func ("/ui/keyboard/shortcuts", test_shortcuts);
  return g_test_run ();
}
