/* lm-window.c: the main window (see lm-window.h). */
#include "lm-window.h"

#include "lm-dashboards.h"
#include "lm-icon-tip.h"
#include "lm-preferences.h"
#include "lm-theme.h"

#include <string.h>

struct _LmWindow
{
  GtkApplicationWindow parent_instance;

  LmRunStore *store;
  LmRunSelection *selection;
  LmChartSettings *settings;

  GtkWidget *paned;
  GtkWidget *run_list;
  GtkWidget *card_grid;
  GtkWidget *dashboards;      /* view stack: scalars, histograms, ... */
  GtkWidget *status_label;
  GtkWidget *status_spinner;
  guint status_timeout;
};

G_DEFINE_FINAL_TYPE (LmWindow, lm_window, GTK_TYPE_APPLICATION_WINDOW)

static const char css[] =
  ".lm-card { border-radius: 8px; padding: 4px 4px 6px 4px; }"
  ".lm-card-title { font-weight: bold; margin-left: 8px; }"
  ".lm-card-button { min-height: 24px; min-width: 24px; padding: 0 4px; font-size: 0.85em; }"
  ".lm-step-table { margin: 2px 4px 0 8px; font-size: 0.9em; }"
  ".lm-step-table-title { font-weight: bold; }"
  ".lm-sections { padding: 6px 16px 16px 16px; }"
  /* The dashboard sheet's colours (cards, text views, flat buttons, the
   * sheet's own text) are lm-theme.c's, light or dark as the Appearance
   * setting says, whatever the GTK theme: under GTK_THEME=Adwaita:dark
   * with Appearance Light, the text on the light sheet is dark too. */
  ".lm-filter-bar { padding: 10px 16px 4px 16px; }"
  ".lm-section-header, .lm-section-header:checked { background: none; box-shadow: none; padding: 2px 6px; }"
  ".lm-section-header:hover { background: alpha(currentColor, 0.07); }"
  ".lm-section-title { font-weight: bold; font-size: 1.05em; }"
  ".lm-section-count { color: alpha(currentColor, 0.55); }"
  ".lm-warning { padding: 2px 16px; }"
  /* The window's own background is not part of a screenshot (the window
   * class draws only its children there): what lies under the header bar
   * paints it, or the graph page's side pane came out transparent. */
  ".lm-content { background-color: @theme_bg_color; }"
  ".lm-sidebar { padding: 10px; background-color: @theme_bg_color; }"
  ".lm-sidebar-status { padding: 0 10px 10px 10px; }"
  ".lm-sidebar-heading { font-weight: bold; }"
  ".lm-settings-label { color: alpha(currentColor, 0.7); font-size: 0.9em; }"
  ".lm-run-listview { background: transparent; }"
  ".lm-run-row { padding: 1px 0; }"
  ".lm-swatch-button { padding: 2px; min-width: 0; min-height: 0; }"
  ".lm-status { font-size: 0.85em; color: alpha(currentColor, 0.55); }"
  ".lm-status-live { color: #188038; font-weight: bold; }"
  ".lm-status-failed { color: #c5221f; }"
  ".lm-status-stalled { color: #b06000; }"
  ".lm-error-badge { color: #c5221f; }"
  ".lm-status-line { font-size: 0.85em; color: alpha(currentColor, 0.65); }"
  ".lm-subtitle { font-size: 0.85em; color: alpha(currentColor, 0.6); }";

static void
ensure_css (void)
{
  static gboolean done = FALSE;
  GtkCssProvider *provider;

  if (done || gdk_display_get_default () == NULL)
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, css, -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_unref (provider);
  lm_theme_get_default ();   /* the sheet's colours */
  done = TRUE;
}

/* ---------------------------------------------------------------- status */

static void
format_count (guint64 n, char *buf, gsize len)
{
  if (n >= 10000000)
    g_snprintf (buf, len, "%.1fM", n / 1e6);
  else if (n >= 10000)
    g_snprintf (buf, len, "%.1fk", n / 1e3);
  else
    g_snprintf (buf, len, "%" G_GUINT64_FORMAT, n);
}

static gboolean
update_status (gpointer user_data)
{
  LmWindow *self = user_data;
  guint n_runs = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  guint n_loaded = lm_run_store_get_n_loaded (self->store);
  gboolean loading = lm_run_store_get_loading (self->store);
  guint n_errors = 0, n_live = 0;
  char points[32];
  g_autofree char *text = NULL;

  for (guint i = 0; i < n_runs; i++)
    {
      g_autoptr (LmRun) run = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      n_errors += lm_run_get_error (run) != NULL;
      n_live += lm_run_get_live (run);
    }
  format_count (lm_run_store_get_n_points (self->store), points, sizeof points);
  if (loading)
    text = g_strdup_printf ("Loading: %u of %u runs · %s scalar points", n_loaded, n_runs, points);
  else
    {
      char live[32] = "", errors[32] = "";

      if (n_live)
        g_snprintf (live, sizeof live, " · %u live", n_live);
      if (n_errors)
        g_snprintf (errors, sizeof errors, " · %u unreadable", n_errors);
      /* The store counts scalar points only: "0 points" on a logdir of
       * PR curves or images read as "no data". */
      text = g_strdup_printf ("%u run%s · %s scalar points%s%s", n_runs, n_runs == 1 ? "" : "s",
                              points, live, errors);
    }
  /* The same text again would still re-measure the window. */
  if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (self->status_label)), text) != 0)
    gtk_label_set_text (GTK_LABEL (self->status_label), text);
  gtk_widget_set_visible (self->status_spinner, loading);
  gtk_spinner_set_spinning (GTK_SPINNER (self->status_spinner), loading);
  self->status_timeout = 0;
  return G_SOURCE_REMOVE;
}

static void
queue_status (LmWindow *self)
{
  /* Point counts change with every batch: refresh a few times a second
   * while loading, once a second for live runs (a new text re-measures
   * the whole window). */
  if (self->status_timeout == 0)
    self->status_timeout = g_timeout_add (lm_run_store_get_loading (self->store) ? 150 : 1000,
                                          update_status, self);
}

static void
on_store_notify (GObject *object, GParamSpec *pspec, LmWindow *self)
{
  /* Loading state changes show at once; point counts are throttled. */
  if (g_strcmp0 (pspec->name, "n-points") != 0)
    {
      g_clear_handle_id (&self->status_timeout, g_source_remove);
      update_status (self);
    }
  else
    queue_status (self);
}

static void
on_store_items (GListModel *model, guint pos, guint removed, guint added, LmWindow *self)
{
  queue_status (self);
}

/* ---------------------------------------------------------------- actions */

static void
action_reload (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  LmWindow *self = user_data;

  lm_run_store_reload (self->store);
}

static void
action_focus_tag_filter (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  LmWindow *self = user_data;
  GtkWidget *entry = lm_dashboards_get_filter_entry (LM_DASHBOARDS (self->dashboards));

  gtk_widget_grab_focus (entry ? entry : lm_card_grid_get_filter_entry (LM_CARD_GRID (self->card_grid)));
}

static void
action_focus_run_filter (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  LmWindow *self = user_data;

  gtk_widget_grab_focus (lm_run_list_get_filter_entry (LM_RUN_LIST (self->run_list)));
}

static void
action_reset_zoom (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  LmWindow *self = user_data;

  lm_card_grid_reset_zoom (LM_CARD_GRID (self->card_grid));
}

static void
action_toggle_sidebar (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  LmWindow *self = user_data;
  GtkWidget *side = gtk_paned_get_start_child (GTK_PANED (self->paned));

  gtk_widget_set_visible (side, !gtk_widget_get_visible (side));
}

static void
action_view (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  LmWindow *self = user_data;

  if (!lm_dashboards_set_view (LM_DASHBOARDS (self->dashboards), g_variant_get_string (param, NULL)))
    gtk_widget_error_bell (GTK_WIDGET (self));
}

static void
action_close (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
}

static LmWindowNewFunc new_window_func;

void
lm_window_set_new_func (LmWindowNewFunc func)
{
  new_window_func = func;
}

LmWindow *
lm_window_open_logdir (LmWindow *self, const char *path)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  LmWindow *win = new_window_func ? new_window_func (app, path) : lm_window_new (app, path);
  const char *prefs = lm_preferences_get_path (self);

  gtk_window_set_default_size (GTK_WINDOW (win), gtk_widget_get_width (GTK_WIDGET (self)),
                               gtk_widget_get_height (GTK_WIDGET (self)));
  /* this window's chart settings, kept like this one's */
  lm_chart_settings_copy_from (win->settings, self->settings);
  if (prefs != NULL)
    {
      g_autoptr (GError) error = NULL;

      if (!lm_preferences_load_logdir (win, prefs, &error))
        g_printerr ("lumen: %s\n", error->message);
      lm_preferences_track (win, prefs);
    }
  gtk_window_present (GTK_WINDOW (win));
  return win;
}

static void
on_open_response (GtkNativeDialog *dialog, int response, LmWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) dir = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = dir ? g_file_get_path (dir) : NULL;

      if (path != NULL)
        lm_window_open_logdir (self, path);
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
action_open (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  LmWindow *self = user_data;
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new ("Open Log Directory", GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, "_Open", "_Cancel");

  g_signal_connect (dialog, "response", G_CALLBACK (on_open_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
action_about (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  gtk_show_about_dialog (GTK_WINDOW (user_data),
                         "program-name", "Lumen",
                         "comments", "Training workbench: live charts of training runs.",
                         "version", "0.1.0",
                         "license-type", GTK_LICENSE_MIT_X11,
                         "logo-icon-name", "utilities-system-monitor",
                         NULL);
}

/* One section of two columns: at a max-height of 24 the 43 keys took a
 * third column, which GTK 4.8 puts on a second page whose switcher label
 * reports a negative width (a GTK warning, fatal in the tests). */
static const char shortcuts_ui[] =
  "<interface>"
  " <object class='GtkShortcutsWindow' id='shortcuts'>"
  "  <property name='modal'>1</property>"
  "  <child><object class='GtkShortcutsSection'>"
  "   <property name='section-name'>main</property>"
  "   <property name='max-height'>32</property>"
  "   <child><object class='GtkShortcutsGroup'>"
  "    <property name='title'>General</property>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Reload runs now</property>"
  "     <property name='accelerator'>&lt;Primary&gt;r F5</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Filter tags</property>"
  "     <property name='accelerator'>&lt;Primary&gt;f</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Filter runs</property>"
  "     <property name='accelerator'>&lt;Primary&gt;l</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Open log directory</property>"
  "     <property name='accelerator'>&lt;Primary&gt;o</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Show or hide the sidebar</property>"
  "     <property name='accelerator'>F9</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Keyboard shortcuts</property>"
  "     <property name='accelerator'>&lt;Primary&gt;question F1</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Close window</property>"
  "     <property name='accelerator'>&lt;Primary&gt;w</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Quit</property>"
  "     <property name='accelerator'>&lt;Primary&gt;q</property></object></child>"
  "   </object></child>"
  "   <child><object class='GtkShortcutsGroup'>"
  "    <property name='title'>Views</property>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Scalars</property>"
  "     <property name='accelerator'>&lt;Primary&gt;1</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Histograms</property>"
  "     <property name='accelerator'>&lt;Primary&gt;2</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Distributions</property>"
  "     <property name='accelerator'>&lt;Primary&gt;3</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Images</property>"
  "     <property name='accelerator'>&lt;Primary&gt;4</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Audio</property>"
  "     <property name='accelerator'>&lt;Primary&gt;5</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Text</property>"
  "     <property name='accelerator'>&lt;Primary&gt;6</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>PR Curves</property>"
  "     <property name='accelerator'>&lt;Primary&gt;7</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>HParams</property>"
  "     <property name='accelerator'>&lt;Primary&gt;8</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Graph</property>"
  "     <property name='accelerator'>&lt;Primary&gt;9</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Projector</property>"
  "     <property name='accelerator'>&lt;Primary&gt;0</property></object></child>"
  "   </object></child>"
  "   <child><object class='GtkShortcutsGroup'>"
  "    <property name='title'>Graph</property>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Zoom in, out (graph focused)</property>"
  "     <property name='accelerator'>&lt;Primary&gt;plus &lt;Primary&gt;minus</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Fit the graph (graph focused)</property>"
  "     <property name='accelerator'>&lt;Primary&gt;0</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Pan (graph focused)</property>"
  "     <property name='accelerator'>Left Right Up Down</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Next, previous search match</property>"
  "     <property name='accelerator'>&lt;Primary&gt;g &lt;Primary&gt;&lt;Shift&gt;g</property></object></child>"
  "   </object></child>"
  "   <child><object class='GtkShortcutsGroup'>"
  "    <property name='title'>Projector</property>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Rotate by 10° (2D: pan) (projector focused)</property>"
  "     <property name='accelerator'>Left Right Up Down</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Zoom in, out (projector focused)</property>"
  "     <property name='accelerator'>&lt;Primary&gt;plus &lt;Primary&gt;minus</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Back to the opening view (projector focused)</property>"
  "     <property name='accelerator'>&lt;Primary&gt;0</property></object></child>"
  "   </object></child>"
  "   <child><object class='GtkShortcutsGroup'>"
  "    <property name='title'>Mesh</property>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Orbit by 10° (3-D view focused; or drag)</property>"
  "     <property name='accelerator'>Left Right Up Down</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Zoom in, out (3-D view focused; or the wheel)</property>"
  "     <property name='accelerator'>&lt;Primary&gt;plus &lt;Primary&gt;minus</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Back to the initial camera (3-D view focused; or double-click)</property>"
  "     <property name='accelerator'>&lt;Primary&gt;0</property></object></child>"
  "   </object></child>"
  "   <child><object class='GtkShortcutsGroup'>"
  "    <property name='title'>Audio</property>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Play, pause the clip (audio card focused)</property>"
  "     <property name='accelerator'>space</property></object></child>"
  "   </object></child>"
  "   <child><object class='GtkShortcutsGroup'>"
  "    <property name='title'>HParams scatter plot matrix</property>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Next, previous plot</property>"
  "     <property name='accelerator'>Tab &lt;Shift&gt;Tab</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Next run along x, along y (matrix focused)</property>"
  "     <property name='accelerator'>Left Right Up Down</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>First, last run along x</property>"
  "     <property name='accelerator'>Home End</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Select the run, clear the selection</property>"
  "     <property name='accelerator'>Return space Escape</property></object></child>"
  "   </object></child>"
  "   <child><object class='GtkShortcutsGroup'>"
  "    <property name='title'>Profile timeline</property>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Previous, next op in time (timeline focused)</property>"
  "     <property name='accelerator'>Left Right</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>First, last op (timeline focused)</property>"
  "     <property name='accelerator'>Home End</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Select the op's node (timeline focused)</property>"
  "     <property name='accelerator'>Return space</property></object></child>"
  "   </object></child>"
  "   <child><object class='GtkShortcutsGroup'>"
  "    <property name='title'>Debugger</property>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Step forward one op</property>"
  "     <property name='accelerator'>n</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Step back one op</property>"
  "     <property name='accelerator'>p</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>First NaN/Inf</property>"
  "     <property name='accelerator'>a</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>To the op that made an input, that uses the output</property>"
  "     <property name='accelerator'>i c</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Run to next, previous match</property>"
  "     <property name='accelerator'>F8 &lt;Shift&gt;F8</property></object></child>"
  "   </object></child>"
  "   <child><object class='GtkShortcutsGroup'>"
  "    <property name='title'>Charts</property>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Reset zoom of every chart</property>"
  "     <property name='accelerator'>&lt;Primary&gt;Home</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut' id='gesture-zoom'><property name='shortcut-type'>gesture</property>"
  "     <property name='title'>Zoom: drag a box (flat drag: x only)</property>"
  "     </object></child>"
  "    <child><object class='GtkShortcutsShortcut' id='gesture-scroll'><property name='shortcut-type'>gesture</property>"
  "     <property name='title'>Zoom x around the pointer: Ctrl (or Alt) + scroll</property>"
  "     </object></child>"
  "    <child><object class='GtkShortcutsShortcut' id='gesture-pan'><property name='shortcut-type'>gesture</property>"
  "     <property name='title'>Pan: Shift (or Ctrl, Alt) + drag, or middle-button drag</property>"
  "     </object></child>"
  "    <child><object class='GtkShortcutsShortcut' id='gesture-reset'><property name='shortcut-type'>gesture</property>"
  "     <property name='title'>Reset a chart: double-click it</property>"
  "     </object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Select a chart's last step (step selection on)</property>"
  "     <property name='accelerator'>Return</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Move the selected step, clear it</property>"
  "     <property name='accelerator'>Left Right Escape</property></object></child>"
  "    <child><object class='GtkShortcutsShortcut'><property name='title'>Close a chart's or image's larger view</property>"
  "     <property name='accelerator'>Escape</property></object></child>"
  "   </object></child>"
  "  </object></child>"
  " </object>"
  "</interface>";

static void
install_shortcuts_window (LmWindow *self)
{
  GtkBuilder *builder = gtk_builder_new_from_string (shortcuts_ui, -1);
  GtkShortcutsWindow *win = GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "shortcuts"));

  static const char *const icons[][2] = {
    { "gesture-zoom", "zoom-in-symbolic" },
    { "gesture-scroll", "input-mouse-symbolic" },
    { "gesture-pan", "object-move-symbolic" },
    { "gesture-reset", "zoom-fit-best-symbolic" },
  };

  /* Mouse gestures get theme icons (GtkShortcutsShortcut takes a GIcon). */
  for (guint i = 0; i < G_N_ELEMENTS (icons); i++)
    {
      GIcon *icon = g_themed_icon_new (icons[i][1]);

      g_object_set (gtk_builder_get_object (builder, icons[i][0]), "icon", icon, NULL);
      g_object_unref (icon);
    }
  gtk_application_window_set_help_overlay (GTK_APPLICATION_WINDOW (self), win);
  g_object_unref (builder);
}

/* Ctrl+1 … Ctrl+9, then Ctrl+0 for the tenth, pick the views in switcher
 * order, as Ctrl+N picks a browser tab (and so TensorBoard's).  On the window itself, not as
 * application accels, so every window has them with or without a
 * GtkApplication; the switcher's buttons say their key.  The eleventh
 * view (Mesh) has no digit left: its button names it alone.  (A browser's
 * Ctrl+9 is its last tab, but here it has long been the Graph's.) */
static void
add_view_shortcuts (LmWindow *self)
{
  GtkEventController *sc = gtk_shortcut_controller_new ();
  GtkWidget *b = gtk_widget_get_first_child (lm_dashboards_get_switcher (LM_DASHBOARDS (self->dashboards)));

  for (guint i = 0; lm_dashboard_names[i] != NULL; i++)
    {
      g_autofree char *tip = NULL;

      if (i < 10)
        gtk_shortcut_controller_add_shortcut (
            GTK_SHORTCUT_CONTROLLER (sc),
            gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (GDK_KEY_0 + (i + 1) % 10, GDK_CONTROL_MASK),
                                             gtk_named_action_new ("win.view"), "s", lm_dashboard_names[i]));
      if (b != NULL)
        {
          GtkWidget *page = lm_dashboards_get_page (LM_DASHBOARDS (self->dashboards), lm_dashboard_names[i]);
          GtkStackPage *sp = gtk_stack_get_page (GTK_STACK (gtk_widget_get_parent (page)), page);

          tip = i < 10 ? g_strdup_printf ("%s (Ctrl+%u)", gtk_stack_page_get_title (sp), (i + 1) % 10)
                       : g_strdup (gtk_stack_page_get_title (sp));
          gtk_widget_set_tooltip_text (b, tip);
          b = gtk_widget_get_next_sibling (b);
        }
    }
  gtk_widget_add_controller (GTK_WIDGET (self), sc);
}

void
lm_window_install_accels (GtkApplication *app)
{
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "win.reload", { "<Primary>r", "F5", NULL } },
    { "win.focus-tag-filter", { "<Primary>f", NULL } },
    { "win.focus-run-filter", { "<Primary>l", NULL } },
    /* Ctrl+0 is the tenth view's, as Ctrl+1 … 9 are the first nine */
    { "win.reset-zoom", { "<Primary>Home", NULL } },
    { "win.open", { "<Primary>o", NULL } },
    { "win.toggle-sidebar", { "F9", NULL } },
    { "win.close", { "<Primary>w", NULL } },
    { "win.show-help-overlay", { "<Primary>question", "F1", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (app, accels[i].action, accels[i].accels);
}

/* ------------------------------------------------------------ settings */

static void
on_axis_selected (GtkDropDown *drop, GParamSpec *pspec, LmWindow *self)
{
  lm_chart_settings_set_x_axis (self->settings, (LmXAxis) gtk_drop_down_get_selected (drop));
}

static void
on_axis_setting (LmChartSettings *settings, GParamSpec *pspec, GtkDropDown *drop)
{
  gtk_drop_down_set_selected (drop, lm_chart_settings_get_x_axis (settings));
}

static void
on_sort_selected (GtkDropDown *drop, GParamSpec *pspec, LmWindow *self)
{
  lm_chart_settings_set_tooltip_sort (self->settings, (LmTooltipSort) gtk_drop_down_get_selected (drop));
}

static void
on_sort_setting (LmChartSettings *settings, GParamSpec *pspec, GtkDropDown *drop)
{
  gtk_drop_down_set_selected (drop, lm_chart_settings_get_tooltip_sort (settings));
}

/* TensorBoard offers step selection on a Step axis only; the check box
 * says why it is greyed out on the others. */
static void
sync_step_selection (LmChartSettings *settings, GParamSpec *pspec, GtkWidget *check)
{
  gboolean on_steps = lm_chart_settings_get_x_axis (settings) == LM_X_STEP;

  gtk_widget_set_sensitive (check, on_steps);
  gtk_widget_set_tooltip_text (check, on_steps
                               ? "Click a chart to select a step, Shift+click for a range, or press "
                                 "Enter on a chart for its last step; a table under the chart lists "
                                 "each run's values there (← → move it, Esc clears it)"
                               : "Step selection works with the Step axis only (as in TensorBoard); "
                                 "set Horizontal axis to Step to use it (a selection made there is "
                                 "kept for it)");
}

/* Link by step needs step selection on a Step axis; greyed out, it says
 * which is missing. */
static void
sync_link_by_step (LmChartSettings *settings, GParamSpec *pspec, GtkWidget *check)
{
  gboolean on_steps = lm_chart_settings_get_x_axis (settings) == LM_X_STEP;
  gboolean usable = on_steps && lm_chart_settings_get_step_selection (settings);

  gtk_widget_set_sensitive (check, usable);
  gtk_widget_set_tooltip_text (check, usable
                               ? "A step (or range) selected on one scalar card is selected on every "
                                 "card: scalar cards select it, histogram cards emphasise the nearest "
                                 "curves, image and audio cards show the one at it or next to it "
                                 "(TensorBoard's linked time)"
                               : !on_steps
                               ? "Link by step selects steps on the Step axis only; set Horizontal axis "
                                 "to Step (meanwhile image and audio cards follow the selection made "
                                 "there)"
                               : "Link by step needs step selection: turn on \"Enable step selection and "
                                 "data table\"");
}

static void
on_theme_selected (GtkDropDown *drop, GParamSpec *pspec, gpointer data)
{
  lm_theme_set_mode ((LmThemeMode) gtk_drop_down_get_selected (drop));
}

static void
on_theme_mode (LmTheme *theme, GParamSpec *pspec, GtkDropDown *drop)
{
  gtk_drop_down_set_selected (drop, lm_theme_get_mode ());
}

static GtkWidget *
settings_label (const char *text)
{
  GtkWidget *l = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_widget_add_css_class (l, "lm-settings-label");
  return l;
}

static GtkWidget *
build_settings (LmWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkAdjustment *adj = gtk_adjustment_new (LM_DEFAULT_SMOOTHING, 0, 0.999, 0.001, 0.05, 0);
  GtkWidget *scale = gtk_scale_new (GTK_ORIENTATION_HORIZONTAL, adj);
  GtkWidget *spin = gtk_spin_button_new (adj, 0.01, 3);
  const char *axes[] = { "Step", "Relative", "Wall", NULL };
  GtkWidget *drop = gtk_drop_down_new_from_strings (axes);
  GtkWidget *outliers = gtk_check_button_new_with_label ("Ignore outliers in chart scaling");
  const char *sorts[] = { "Default", "Descending", "Ascending", "Nearest", NULL };
  GtkWidget *steps = gtk_check_button_new_with_label ("Enable step selection and data table");
  GtkWidget *link = gtk_check_button_new_with_label ("Link by step");
  GtkWidget *sort = gtk_drop_down_new_from_strings (sorts);
  const char *themes[] = { "System", "Light", "Dark", NULL };   /* LmThemeMode's order */
  GtkWidget *theme = gtk_drop_down_new_from_strings (themes);
  GtkWidget *heading = gtk_label_new ("Settings");

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "lm-sidebar-heading");
  gtk_box_append (GTK_BOX (box), heading);

  gtk_box_append (GTK_BOX (box), settings_label ("Smoothing"));
  gtk_scale_set_draw_value (GTK_SCALE (scale), FALSE);
  gtk_widget_set_hexpand (scale, TRUE);
  gtk_widget_set_tooltip_text (scale, "TensorBoard's exponential moving average (debiased); "
                                      "the raw line stays visible, faint");
  gtk_box_append (GTK_BOX (row), scale);
  gtk_box_append (GTK_BOX (row), spin);
  gtk_box_append (GTK_BOX (box), row);
  g_object_bind_property (self->settings, "smoothing", adj, "value",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (row), settings_label ("Horizontal axis"));
  gtk_widget_set_hexpand (drop, TRUE);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (drop), lm_chart_settings_get_x_axis (self->settings));
  g_signal_connect (drop, "notify::selected", G_CALLBACK (on_axis_selected), self);
  g_signal_connect_object (self->settings, "notify::x-axis", G_CALLBACK (on_axis_setting), drop, 0);
  gtk_box_append (GTK_BOX (row), drop);
  gtk_box_append (GTK_BOX (box), row);

  g_object_bind_property (self->settings, "ignore-outliers", outliers, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  gtk_box_append (GTK_BOX (box), outliers);

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (row), settings_label ("Tooltip sorting"));
  gtk_widget_set_hexpand (sort, TRUE);
  gtk_widget_set_tooltip_text (sort, "Order of the runs in the hover tooltip: run order, by value "
                                     "(descending or ascending), or nearest the pointer first");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (sort), lm_chart_settings_get_tooltip_sort (self->settings));
  g_signal_connect (sort, "notify::selected", G_CALLBACK (on_sort_selected), self);
  g_signal_connect_object (self->settings, "notify::tooltip-sort", G_CALLBACK (on_sort_setting), sort, 0);
  gtk_box_append (GTK_BOX (row), sort);
  gtk_box_append (GTK_BOX (box), row);

  g_object_bind_property (self->settings, "step-selection", steps, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  gtk_widget_add_css_class (steps, "lm-step-selection-check");
  sync_step_selection (self->settings, NULL, steps);
  g_signal_connect_object (self->settings, "notify::x-axis", G_CALLBACK (sync_step_selection), steps, 0);
  gtk_box_append (GTK_BOX (box), steps);

  /* TensorBoard's "Link by step", under step selection as there */
  g_object_bind_property (self->settings, "link-by-step", link, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  gtk_widget_add_css_class (link, "lm-link-by-step-check");
  gtk_widget_set_margin_start (link, 20);
  sync_link_by_step (self->settings, NULL, link);
  g_signal_connect_object (self->settings, "notify::x-axis", G_CALLBACK (sync_link_by_step), link, 0);
  g_signal_connect_object (self->settings, "notify::step-selection", G_CALLBACK (sync_link_by_step), link, 0);
  gtk_box_append (GTK_BOX (box), link);

  /* TensorBoard's theme setting: the system's, or light or dark */
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (row), settings_label ("Appearance"));
  gtk_widget_set_hexpand (theme, TRUE);
  gtk_widget_set_tooltip_text (theme, "Light or dark charts and dashboards; System follows the desktop's "
                                      "dark style (kept in settings.ini; --theme for one session)");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (theme), lm_theme_get_mode ());
  gtk_widget_add_css_class (theme, "lm-theme-drop");
  g_signal_connect (theme, "notify::selected", G_CALLBACK (on_theme_selected), NULL);
  g_signal_connect_object (lm_theme_get_default (), "notify::mode", G_CALLBACK (on_theme_mode), theme, 0);
  gtk_box_append (GTK_BOX (row), theme);
  gtk_box_append (GTK_BOX (box), row);
  return box;
}

/* ------------------------------------------------------------- object */

static void
lm_window_dispose (GObject *object)
{
  LmWindow *self = LM_WINDOW (object);

  g_clear_handle_id (&self->status_timeout, g_source_remove);
  if (self->store)
    g_signal_handlers_disconnect_by_data (self->store, self);
  G_OBJECT_CLASS (lm_window_parent_class)->dispose (object);
}

static void
lm_window_finalize (GObject *object)
{
  LmWindow *self = LM_WINDOW (object);

  g_clear_object (&self->selection);
  g_clear_object (&self->settings);
  /* Last: stops the store's threads. */
  g_clear_object (&self->store);
  G_OBJECT_CLASS (lm_window_parent_class)->finalize (object);
}

static void
lm_window_class_init (LmWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_window_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_window_finalize;
}

static void
lm_window_init (LmWindow *self)
{
}

static GtkWidget *
build_header (LmWindow *self)
{
  GtkWidget *header = gtk_header_bar_new ();
  GtkWidget *titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *title = gtk_label_new ("Lumen");
  g_autofree char *abs = lm_window_dup_logdir_key (self);
  GtkWidget *subtitle = gtk_label_new (abs);
  GtkWidget *reload = gtk_button_new_from_icon_name ("view-refresh-symbolic");
  GtkWidget *menu_button = gtk_menu_button_new ();
  GMenu *menu = g_menu_new ();

  gtk_widget_add_css_class (title, "title");
  gtk_widget_add_css_class (subtitle, "lm-subtitle");
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_START);
  /* the title gives way first in a narrow window (half a 1920-px screen
   * and less), so the nine views' buttons keep their room */
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (titles), title);
  gtk_box_append (GTK_BOX (titles), subtitle);
  gtk_widget_set_valign (titles, GTK_ALIGN_CENTER);
  gtk_header_bar_set_title_widget (GTK_HEADER_BAR (header), titles);

  /* Open is in the menu (and Ctrl+O), not a button of its own: the
   * header's room goes to the nine views' buttons */
  g_menu_append (menu, "_Open Log Directory…", "win.open");
  g_menu_append (menu, "_Reload", "win.reload");
  g_menu_append (menu, "Reset _Zoom", "win.reset-zoom");
  g_menu_append (menu, "_Keyboard Shortcuts", "win.show-help-overlay");
  g_menu_append (menu, "_About Lumen", "win.about");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), G_MENU_MODEL (menu));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "open-menu-symbolic");
  gtk_menu_button_set_primary (GTK_MENU_BUTTON (menu_button), TRUE);
  lm_icon_tip (menu_button, "Main menu (F10)");
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), menu_button);
  g_object_unref (menu);

  lm_icon_tip (reload, "Reload runs now (Ctrl+R); runs also update live");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (reload), "win.reload");
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), reload);
  return header;
}

char *
lm_window_dup_logdir_key (LmWindow *self)
{
  LmRunStore *store;

  g_return_val_if_fail (LM_IS_WINDOW (self), NULL);
  store = self->store;
  /* a spec's paths are made absolute by whoever parsed it */
  if (lm_run_store_is_spec (store))
    return g_strdup (lm_run_store_get_logdir (store));
  return g_canonicalize_filename (lm_run_store_get_logdir (store), NULL);
}


LmWindow *
lm_window_new (GtkApplication *app, const char *logdir)
{
  g_return_val_if_fail (logdir != NULL, NULL);
  return lm_window_new_for_store (app, lm_run_store_new (logdir));
}

LmWindow *
lm_window_new_spec (GtkApplication *app, const char *const *names, const char *const *paths)
{
  g_return_val_if_fail (names != NULL && paths != NULL && paths[0] != NULL, NULL);
  return lm_window_new_for_store (app, lm_run_store_new_spec (names, paths));
}

LmWindow *
lm_window_new_for_store (GtkApplication *app, LmRunStore *store)
{
  static const GActionEntry entries[] = {
    { "reload", action_reload, NULL, NULL, NULL, { 0 } },
    { "focus-tag-filter", action_focus_tag_filter, NULL, NULL, NULL, { 0 } },
    { "focus-run-filter", action_focus_run_filter, NULL, NULL, NULL, { 0 } },
    { "reset-zoom", action_reset_zoom, NULL, NULL, NULL, { 0 } },
    { "toggle-sidebar", action_toggle_sidebar, NULL, NULL, NULL, { 0 } },
    { "open", action_open, NULL, NULL, NULL, { 0 } },
    { "close", action_close, NULL, NULL, NULL, { 0 } },
    { "about", action_about, NULL, NULL, NULL, { 0 } },
    { "view", action_view, "s", NULL, NULL, { 0 } },
  };
  LmWindow *self;
  GtkWidget *sidebar, *side_scroll, *side, *status_row;
  g_autofree char *title = NULL;

  ensure_css ();
  self = g_object_new (LM_TYPE_WINDOW, "application", app, NULL);
  title = g_strdup_printf ("Lumen — %s", lm_run_store_get_logdir (store));
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_window_set_default_size (GTK_WINDOW (self), 1400, 900);

  self->store = store;
  self->selection = lm_run_selection_new (self->store);
  self->settings = lm_chart_settings_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  gtk_window_set_titlebar (GTK_WINDOW (self), build_header (self));
  install_shortcuts_window (self);

  sidebar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_add_css_class (sidebar, "lm-sidebar");
  gtk_box_append (GTK_BOX (sidebar), build_settings (self));
  gtk_box_append (GTK_BOX (sidebar), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  self->run_list = lm_run_list_new (self->selection);
  gtk_widget_set_vexpand (self->run_list, TRUE);
  gtk_box_append (GTK_BOX (sidebar), self->run_list);
  status_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->status_spinner = gtk_spinner_new ();
  self->status_label = gtk_label_new ("Looking for runs…");
  gtk_label_set_xalign (GTK_LABEL (self->status_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->status_label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (self->status_label, "lm-status-line");
  gtk_box_append (GTK_BOX (status_row), self->status_spinner);
  gtk_box_append (GTK_BOX (status_row), self->status_label);
  gtk_widget_add_css_class (status_row, "lm-sidebar-status");
  gtk_widget_set_size_request (sidebar, 250, -1);
  /* The sidebar scrolls in a short window: its settings and run list
   * (515 px at least) set the window's smallest height, so that
   * --window-size 900x500 made a 900x515 window and screenshot.  The
   * status line stays below it, always in view, where scrolled with it
   * the window's bottom edge cut it in half. */
  side_scroll = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (side_scroll), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (side_scroll), sidebar);
  gtk_widget_set_vexpand (side_scroll, TRUE);
  side = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (side), side_scroll);
  gtk_box_append (GTK_BOX (side), status_row);

  self->card_grid = lm_card_grid_new (self->selection, self->settings);
  gtk_widget_add_css_class (self->card_grid, "lm-dashboard");
  self->dashboards = lm_dashboards_new (self->selection, self->card_grid, self->settings);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (gtk_window_get_titlebar (GTK_WINDOW (self))),
                             lm_dashboards_get_switcher (LM_DASHBOARDS (self->dashboards)));
  add_view_shortcuts (self);

  self->paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  gtk_widget_add_css_class (self->paned, "lm-content");
  gtk_paned_set_start_child (GTK_PANED (self->paned), side);
  gtk_paned_set_end_child (GTK_PANED (self->paned), self->dashboards);
  gtk_paned_set_resize_start_child (GTK_PANED (self->paned), FALSE);
  gtk_paned_set_shrink_start_child (GTK_PANED (self->paned), FALSE);
  gtk_paned_set_position (GTK_PANED (self->paned), 290);
  gtk_window_set_child (GTK_WINDOW (self), self->paned);

  g_signal_connect (self->store, "notify::loading", G_CALLBACK (on_store_notify), self);
  g_signal_connect (self->store, "notify::n-loaded", G_CALLBACK (on_store_notify), self);
  g_signal_connect (self->store, "notify::n-points", G_CALLBACK (on_store_notify), self);
  g_signal_connect (self->store, "items-changed", G_CALLBACK (on_store_items), self);
  lm_run_store_start (self->store);
  return self;
}

LmRunStore *
lm_window_get_store (LmWindow *self)
{
  g_return_val_if_fail (LM_IS_WINDOW (self), NULL);
  return self->store;
}

LmRunSelection *
lm_window_get_selection (LmWindow *self)
{
  g_return_val_if_fail (LM_IS_WINDOW (self), NULL);
  return self->selection;
}

LmChartSettings *
lm_window_get_settings (LmWindow *self)
{
  g_return_val_if_fail (LM_IS_WINDOW (self), NULL);
  return self->settings;
}

LmCardGrid *
lm_window_get_card_grid (LmWindow *self)
{
  g_return_val_if_fail (LM_IS_WINDOW (self), NULL);
  return LM_CARD_GRID (self->card_grid);
}

LmDashboards *
lm_window_get_dashboards (LmWindow *self)
{
  g_return_val_if_fail (LM_IS_WINDOW (self), NULL);
  return LM_DASHBOARDS (self->dashboards);
}

const char *
lm_window_get_status (LmWindow *self)
{
  g_return_val_if_fail (LM_IS_WINDOW (self), NULL);
  if (self->status_timeout != 0)
    {
      g_clear_handle_id (&self->status_timeout, g_source_remove);
      update_status (self);
    }
  return gtk_label_get_text (GTK_LABEL (self->status_label));
}

LmRunList *
lm_window_get_run_list (LmWindow *self)
{
  g_return_val_if_fail (LM_IS_WINDOW (self), NULL);
  return LM_RUN_LIST (self->run_list);
}

gboolean
lm_window_is_settled (LmWindow *self)
{
  g_return_val_if_fail (LM_IS_WINDOW (self), FALSE);
  return !lm_run_store_get_loading (self->store) && lm_window_is_complete (self);
}

gboolean
lm_window_is_complete (LmWindow *self)
{
  g_return_val_if_fail (LM_IS_WINDOW (self), FALSE);
  return gtk_widget_get_mapped (GTK_WIDGET (self))
         && lm_run_store_get_complete (self->store)
         /* Hidden scalar cards never draw: only the visible view counts. */
         && (g_strcmp0 (lm_dashboards_get_view (LM_DASHBOARDS (self->dashboards)), "scalars") != 0
             || lm_card_grid_is_up_to_date (LM_CARD_GRID (self->card_grid)))
         && lm_dashboards_is_settled (LM_DASHBOARDS (self->dashboards));
}

static gboolean
save_screenshot_now (LmWindow *self, const char *path, GError **error)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  GskRenderer *renderer;
  GdkTexture *texture;
  gboolean ok;

  g_return_val_if_fail (LM_IS_WINDOW (self), FALSE);
  renderer = gtk_native_get_renderer (GTK_NATIVE (self));
  if (renderer == NULL || width <= 0 || height <= 0 || !gtk_widget_get_mapped (widget))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the window is not shown yet");
      return FALSE;
    }
  /* The window's own snapshot: its frame and background, then every child
   * (whose render nodes are cached from the last frame). */
  snapshot = gtk_snapshot_new ();
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the window drew nothing");
      return FALSE;
    }
  /* In the screen's pixels: on a HiDPI screen (GDK_SCALE=2) the window
   * is drawn at twice its size in GTK's units, charts included, and a
   * screenshot at one pixel per unit lost that detail (blurred curves and
   * text at half the resolution the user sees). */
  if (scale > 1)
    {
      GskTransform *zoom = gsk_transform_scale (NULL, (float) scale, (float) scale);
      GskRenderNode *scaled = gsk_transform_node_new (node, zoom);   /* takes its own reference */

      gsk_transform_unref (zoom);
      gsk_render_node_unref (node);
      node = scaled;
    }
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width * scale, height * scale));
  gsk_render_node_unref (node);
  ok = gdk_texture_save_to_png (texture, path);
  g_object_unref (texture);
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s", path);
  return ok;
}

typedef struct
{
  char *path;
  gulong handler;
  GdkFrameClock *clock;
} ShotData;

static void
shot_data_free (gpointer data)
{
  ShotData *d = data;

  g_free (d->path);
  g_clear_object (&d->clock);
  g_free (d);
}

static void
on_after_paint (GdkFrameClock *clock, GTask *task)
{
  ShotData *d = g_task_get_task_data (task);
  GError *error = NULL;

  /* Right after a paint: allocations are valid and render nodes fresh. */
  g_clear_signal_handler (&d->handler, clock);
  if (save_screenshot_now (g_task_get_source_object (task), d->path, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

void
lm_window_save_screenshot_async (LmWindow            *self,
                                 const char          *path,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  ShotData *d;
  GdkFrameClock *clock;

  g_return_if_fail (LM_IS_WINDOW (self));
  task = g_task_new (self, NULL, callback, user_data);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  if (clock == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "the window is not shown yet");
      g_object_unref (task);
      return;
    }
  d = g_new0 (ShotData, 1);
  d->path = g_strdup (path);
  d->clock = g_object_ref (clock);
  g_task_set_task_data (task, d, shot_data_free);
  d->handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), task);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
lm_window_save_screenshot_finish (LmWindow *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
