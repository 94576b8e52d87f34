/* lm-run-list.c: the sidebar run list (see lm-run-list.h). */
#include "lm-run-list.h"
#include "lm-color-group-dialog.h"
#include "lm-icon-tip.h"
#include "lm-palette.h"
#include "lm-run-color-group.h"

struct _LmRunList
{
  GtkBox parent_instance;
  LmRunSelection *selection;
  GtkWidget *entry;
  GtkWidget *warning;
  GtkWidget *count;
  GtkWidget *list;
  GHashTable *colors;   /* run name -> "#rrggbb" */
  LmRunColorGroup *color_group;
  GSimpleAction *color_group_action;   /* "runs.color-group": run, experiment or regex */
};

enum
{
  COLORS_CHANGED,
  COLOR_GROUP_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define RESPONSE_RESET 1

G_DEFINE_FINAL_TYPE (LmRunList, lm_run_list, GTK_TYPE_BOX)

typedef struct
{
  GtkWidget *check, *swatch, *swatch_button, *name, *status, *badge;
  LmRunList *list;
  LmRun *run;
  GBinding *binding;
  gulong handlers[4];
} Row;

static void
draw_swatch (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  Row *row = user_data;
  GdkRGBA color;

  if (row->run == NULL)
    return;
  lm_palette_run_color (row->run, &color);
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_arc (cr, width / 2.0, height / 2.0, MIN (width, height) / 2.0 - 1, 0, 2 * G_PI);
  cairo_fill (cr);
}

static void
update_row (Row *row)
{
  LmRun *run = row->run;
  const char *error = lm_run_get_error (run);
  const char *text = "";
  const char *css = "lm-status-done";
  g_autofree char *tip = NULL, *status_tip = NULL, *error_line = NULL;
  const char *logging_error = lm_run_get_info (run, "error");
  const char *why = "Logging failed: ";
  const char *cmd = lm_run_get_info (run, "command_line");
  const char *host = lm_run_get_info (run, "host");

  gtk_widget_remove_css_class (row->status, "lm-status-live");
  gtk_widget_remove_css_class (row->status, "lm-status-failed");
  gtk_widget_remove_css_class (row->status, "lm-status-stalled");
  gtk_widget_remove_css_class (row->status, "lm-status-done");
  if (!lm_run_get_loaded (run) && error == NULL)
    text = "loading…";
  else if (lm_run_get_live (run))
    text = "● live", css = "lm-status-live";
  else
    switch (lm_run_get_status (run))
      {
      case LM_RUN_STATUS_RUNNING:
        /* the writer's lock is free: it ended without closing the run */
        text = error ? "" : lm_run_get_writer_gone (run) ? "crashed" : "stalled";
        css = lm_run_get_writer_gone (run) ? "lm-status-failed" : "lm-status-stalled";
        break;
      /* a finished or stopped run with an `error` (lumen-train's
       * checkpoint that could not be written): its data is whole, but
       * something it was to write is missing */
      case LM_RUN_STATUS_FINISHED:
        text = "finished", why = "Finished, but ";
        if (logging_error != NULL)
          css = "lm-status-stalled";
        break;
      case LM_RUN_STATUS_FAILED:
        text = "failed", css = "lm-status-failed";
        break;
      case LM_RUN_STATUS_STOPPED:
        text = "stopped", why = "Stopped, but ";
        if (logging_error != NULL)
          css = "lm-status-stalled";
        break;
      case LM_RUN_STATUS_UNKNOWN:
      default:
        text = "";
        break;
      }
  gtk_label_set_text (GTK_LABEL (row->status), text);
  gtk_widget_add_css_class (row->status, css);
  /* the writer's fault (a full disk), recorded with the status: why the
   * run stops where it does; or what a finished run could not write */
  if (logging_error != NULL && *text != '\0' && !g_str_equal (text, "loading…"))
    status_tip = g_strconcat (why, logging_error, NULL);
  gtk_widget_set_tooltip_text (row->status,
                               g_str_equal (text, "crashed")
                               ? "The process writing this run ended without closing it (killed or "
                                 "crashed); everything it committed is shown"
                               : g_str_equal (text, "stalled")
                               ? "Still marked running, but nothing heard from the writer for over a minute"
                               : status_tip);
  gtk_widget_set_visible (row->badge, error != NULL);
  gtk_widget_set_tooltip_text (row->badge, error);

  if (logging_error != NULL)
    {
      error_line = g_strconcat ("\n", why, logging_error, NULL);
      error_line[1] = g_ascii_tolower (error_line[1]);
    }
  tip = g_strdup_printf ("%s\n%s%s%s%s%s\n%'" G_GUINT64_FORMAT " scalar points%s%s%s",
                         lm_run_get_path (run),
                         host ? "host " : "", host ? host : "", host && cmd ? "\n" : "",
                         cmd ? "command: " : "", cmd ? cmd : "",
                         lm_run_get_n_points (run),
                         error ? "\nerror: " : "", error ? error : "",
                         error_line ? error_line : "");
  gtk_widget_set_tooltip_text (row->name, tip);
  gtk_widget_queue_draw (row->swatch);
}

static void
on_run_notify (LmRun *run, GParamSpec *pspec, Row *row)
{
  update_row (row);
}

static void
on_color_response (GtkDialog *dialog, int response, LmRunList *self)
{
  LmRun *run = g_object_get_data (G_OBJECT (dialog), "lm-run");

  if (response == GTK_RESPONSE_OK)
    {
      GdkRGBA color;

      gtk_color_chooser_get_rgba (GTK_COLOR_CHOOSER (dialog), &color);
      lm_run_list_set_run_color (self, lm_run_get_name (run), &color);
    }
  else if (response == RESPONSE_RESET)
    lm_run_list_set_run_color (self, lm_run_get_name (run), NULL);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

GtkWidget *
lm_run_list_choose_color (LmRunList *self, LmRun *run)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *title = g_strdup_printf ("Colour of %s", lm_run_get_name (run));
  GtkWidget *dialog = gtk_color_chooser_dialog_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL);
  GtkWidget *reset;
  GdkRGBA color;

  g_return_val_if_fail (LM_IS_RUN_LIST (self), NULL);
  lm_palette_run_color (run, &color);
  gtk_color_chooser_set_use_alpha (GTK_COLOR_CHOOSER (dialog), FALSE);
  gtk_color_chooser_set_rgba (GTK_COLOR_CHOOSER (dialog), &color);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  reset = gtk_dialog_add_button (GTK_DIALOG (dialog), "_Reset to Default", RESPONSE_RESET);
  gtk_widget_set_tooltip_text (reset, lm_palette_get_run_group (run) == LM_PALETTE_BY_ORDINAL
                               ? "Back to the run's colour from the palette"
                               : "Back to the colour of the run's group (Color runs by)");
  gtk_widget_set_sensitive (reset, lm_palette_run_has_color (run));
  g_object_set_data_full (G_OBJECT (dialog), "lm-run", g_object_ref (run), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_color_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
on_swatch_clicked (GtkButton *button, Row *row)
{
  if (row->run != NULL)
    lm_run_list_choose_color (row->list, row->run);
}

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  Row *row = g_new0 (Row, 1);

  row->check = gtk_check_button_new ();
  gtk_widget_set_tooltip_text (row->check, "Show this run in the charts");
  row->swatch = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (row->swatch), 12);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (row->swatch), 12);
  gtk_widget_set_valign (row->swatch, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (row->swatch, "lm-swatch");
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (row->swatch), draw_swatch, row, NULL);
  /* the dot is a button: TensorBoard's colour swatch */
  row->swatch_button = gtk_button_new ();
  gtk_button_set_child (GTK_BUTTON (row->swatch_button), row->swatch);
  gtk_widget_add_css_class (row->swatch_button, "flat");
  gtk_widget_add_css_class (row->swatch_button, "lm-swatch-button");
  gtk_widget_set_valign (row->swatch_button, GTK_ALIGN_CENTER);
  lm_icon_tip (row->swatch_button, "Change the run's colour");
  g_signal_connect (row->swatch_button, "clicked", G_CALLBACK (on_swatch_clicked), row);
  row->list = user_data;
  row->name = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (row->name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (row->name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_hexpand (row->name, TRUE);
  row->status = gtk_label_new ("");
  gtk_widget_add_css_class (row->status, "lm-status");
  row->badge = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  gtk_widget_add_css_class (row->badge, "lm-error-badge");
  gtk_widget_set_visible (row->badge, FALSE);

  gtk_box_append (GTK_BOX (box), row->check);
  gtk_box_append (GTK_BOX (box), row->swatch_button);
  gtk_box_append (GTK_BOX (box), row->name);
  gtk_box_append (GTK_BOX (box), row->badge);
  gtk_box_append (GTK_BOX (box), row->status);
  gtk_widget_add_css_class (box, "lm-run-row");
  g_object_set_data_full (G_OBJECT (box), "lm-row", row, g_free);
  gtk_list_item_set_child (item, box);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  Row *row = g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "lm-row");
  LmRun *run = gtk_list_item_get_item (item);
  static const char *const props[] = { "notify::status", "notify::live", "notify::error", "notify::loaded" };

  row->run = run;
  gtk_label_set_text (GTK_LABEL (row->name), lm_run_get_name (run));
  row->binding = g_object_bind_property (run, "visible", row->check, "active",
                                         G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  for (guint i = 0; i < G_N_ELEMENTS (props); i++)
    row->handlers[i] = g_signal_connect (run, props[i], G_CALLBACK (on_run_notify), row);
  update_row (row);
}

static void
unbind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  Row *row = g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "lm-row");

  if (row->run == NULL)
    return;
  g_clear_pointer (&row->binding, g_binding_unbind);
  for (guint i = 0; i < G_N_ELEMENTS (row->handlers); i++)
    g_clear_signal_handler (&row->handlers[i], row->run);
  row->run = NULL;
}

static void
update_count (LmRunList *self)
{
  GListModel *model = lm_run_selection_get_model (self->selection);
  guint shown = g_list_model_get_n_items (model);
  guint total = g_list_model_get_n_items (G_LIST_MODEL (lm_run_selection_get_store (self->selection)));
  g_autofree char *text = shown == total ? g_strdup_printf ("%u", total)
                                         : g_strdup_printf ("%u of %u", shown, total);

  gtk_label_set_text (GTK_LABEL (self->count), text);
}

static void
on_model_changed (GListModel *model, guint pos, guint removed, guint added, LmRunList *self)
{
  update_count (self);
}

static void
on_entry_changed (GtkSearchEntry *entry, LmRunList *self)
{
  g_autoptr (GError) error = NULL;

  if (lm_run_selection_set_filter (self->selection, gtk_editable_get_text (GTK_EDITABLE (entry)), &error))
    {
      gtk_widget_set_visible (self->warning, FALSE);
      gtk_widget_remove_css_class (self->entry, "error");
    }
  else
    {
      g_autofree char *msg = g_strdup_printf ("Invalid regular expression: %s", error->message);

      gtk_label_set_text (GTK_LABEL (self->warning), msg);
      gtk_widget_set_visible (self->warning, TRUE);
      gtk_widget_add_css_class (self->entry, "error");
    }
}

static void
on_stop_search (GtkSearchEntry *entry, LmRunList *self)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

static void
on_show_all (GtkButton *button, LmRunList *self)
{
  lm_run_selection_set_all_visible (self->selection, TRUE);
}

static void
on_hide_all (GtkButton *button, LmRunList *self)
{
  lm_run_selection_set_all_visible (self->selection, FALSE);
}

static void
lm_run_list_dispose (GObject *object)
{
  LmRunList *self = LM_RUN_LIST (object);

  if (self->selection)
    g_signal_handlers_disconnect_by_data (lm_run_selection_get_model (self->selection), self);
  if (self->selection)
    g_signal_handlers_disconnect_by_data (lm_run_selection_get_store (self->selection), self);
  g_clear_object (&self->selection);
  G_OBJECT_CLASS (lm_run_list_parent_class)->dispose (object);
}

static void
lm_run_list_finalize (GObject *object)
{
  LmRunList *self = LM_RUN_LIST (object);

  g_hash_table_unref (self->colors);
  lm_run_color_group_free (self->color_group);
  g_clear_object (&self->color_group_action);
  G_OBJECT_CLASS (lm_run_list_parent_class)->finalize (object);
}

static void
lm_run_list_class_init (LmRunListClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_run_list_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_run_list_finalize;
  signals[COLORS_CHANGED] = g_signal_new ("colors-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[COLOR_GROUP_CHANGED] = g_signal_new ("color-group-changed", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lm_run_list_init (LmRunList *self)
{
  self->colors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->color_group = lm_run_color_group_new ("run", NULL);
}

/* Runs pos .. pos + n - 1 of the store take their group's colour, in the
 * store's order (the list's), so that groups are numbered in the order
 * they first appear there.  TRUE when a run's colour changed. */
static gboolean
assign_groups (LmRunList *self, guint pos, guint n)
{
  LmRunStore *store = lm_run_selection_get_store (self->selection);
  gboolean any = FALSE;

  for (guint i = pos; i < pos + n; i++)
    {
      g_autoptr (LmRun) run = g_list_model_get_item (G_LIST_MODEL (store), i);
      int group = lm_run_color_group_assign (self->color_group, store, run, NULL);

      if (group != lm_palette_get_run_group (run))
        {
          lm_palette_set_run_group (run, group);
          any = TRUE;
        }
    }
  return any;
}

/* A run appearing (or reappearing after a reset) takes its group's
 * colour and the colour chosen for its name. */
static void
on_store_items (GListModel *store, guint pos, guint removed, guint added, LmRunList *self)
{
  gboolean any = assign_groups (self, pos, added);

  for (guint i = pos; i < pos + added; i++)
    {
      g_autoptr (LmRun) run = g_list_model_get_item (store, i);
      const char *hex = g_hash_table_lookup (self->colors, lm_run_get_name (run));
      GdkRGBA color;

      if (hex != NULL && lm_palette_parse (hex, &color))
        {
          lm_palette_set_run_color (run, &color);
          any = TRUE;
        }
    }
  if (any)
    lm_run_selection_colors_changed (self->selection);
}

/* The rows' dots (a parent's redraw keeps its children's drawings). */
static void
redraw_swatches (GtkWidget *widget)
{
  if (gtk_widget_has_css_class (widget, "lm-swatch"))
    gtk_widget_queue_draw (widget);
  for (GtkWidget *w = gtk_widget_get_first_child (widget); w; w = gtk_widget_get_next_sibling (w))
    redraw_swatches (w);
}

void
lm_run_list_set_run_color (LmRunList *self, const char *run_name, const GdkRGBA *color)
{
  GListModel *store;

  g_return_if_fail (LM_IS_RUN_LIST (self));
  g_return_if_fail (run_name != NULL);
  store = G_LIST_MODEL (lm_run_selection_get_store (self->selection));
  if (color != NULL)
    g_hash_table_insert (self->colors, g_strdup (run_name), lm_palette_to_string (color));
  else
    g_hash_table_remove (self->colors, run_name);
  for (guint i = 0; i < g_list_model_get_n_items (store); i++)
    {
      g_autoptr (LmRun) run = g_list_model_get_item (store, i);

      if (g_str_equal (lm_run_get_name (run), run_name))
        lm_palette_set_run_color (run, color);
    }
  lm_run_selection_colors_changed (self->selection);
  redraw_swatches (self->list);
  g_signal_emit (self, signals[COLORS_CHANGED], 0);
}

GHashTable *
lm_run_list_get_run_colors (LmRunList *self)
{
  g_return_val_if_fail (LM_IS_RUN_LIST (self), NULL);
  return self->colors;
}

/* The menu's radio state: how runs are grouped, without the regex. */
static const char *
group_by_name (LmRunColorGroup *group)
{
  switch (lm_run_color_group_get_by (group))
    {
    case LM_RUN_COLOR_GROUP_EXPERIMENT:
      return "experiment";
    case LM_RUN_COLOR_GROUP_REGEX:
      return "regex";
    case LM_RUN_COLOR_GROUP_RUN:
    default:
      return "run";
    }
}

gboolean
lm_run_list_set_color_group (LmRunList *self, const char *text, GError **error)
{
  LmRunColorGroup *group;
  GListModel *store;

  g_return_val_if_fail (LM_IS_RUN_LIST (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  group = lm_run_color_group_new (text, error);
  if (group == NULL)
    return FALSE;
  if (g_str_equal (text, lm_run_color_group_to_string (self->color_group)))
    {
      lm_run_color_group_free (group);
      return TRUE;
    }
  /* a new grouping numbers its groups afresh, in the list's order */
  lm_run_color_group_free (self->color_group);
  self->color_group = group;
  store = G_LIST_MODEL (lm_run_selection_get_store (self->selection));
  if (assign_groups (self, 0, g_list_model_get_n_items (store)))
    {
      lm_run_selection_colors_changed (self->selection);
      redraw_swatches (self->list);
    }
  g_simple_action_set_state (self->color_group_action, g_variant_new_string (group_by_name (group)));
  g_signal_emit (self, signals[COLOR_GROUP_CHANGED], 0);
  return TRUE;
}

const char *
lm_run_list_get_color_group (LmRunList *self)
{
  g_return_val_if_fail (LM_IS_RUN_LIST (self), NULL);
  return lm_run_color_group_to_string (self->color_group);
}

static void
on_regex_response (GtkDialog *dialog, int response, LmRunList *self)
{
  if (response == GTK_RESPONSE_OK)
    {
      const char *regex = lm_color_group_dialog_get_regex (LM_COLOR_GROUP_DIALOG (dialog));
      g_autofree char *text = g_strconcat ("regex:", regex, NULL);

      /* OK is only sensitive for a regex that compiles */
      lm_run_list_set_color_group (self, text, NULL);
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
}

GtkWidget *
lm_run_list_edit_color_regex (LmRunList *self)
{
  GtkRoot *root;
  GtkWidget *dialog;

  g_return_val_if_fail (LM_IS_RUN_LIST (self), NULL);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = lm_color_group_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                      lm_run_selection_get_store (self->selection),
                                      self->color_group);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_regex_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

/* The menu's items: Experiment and Run apply at once, Regex… asks for the
 * regex first (the grouping stays as it is until OK). */
static void
on_color_group_activate (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  LmRunList *self = user_data;
  const char *by = g_variant_get_string (param, NULL);

  if (g_str_equal (by, "regex"))
    lm_run_list_edit_color_regex (self);
  else
    lm_run_list_set_color_group (self, by, NULL);
}

/* TensorBoard's "Color runs by" menu of the runs table. */
static GtkWidget *
color_group_button (LmRunList *self)
{
  static const char *const items[][2] = {
    { "Experiment", "experiment" }, { "Run", "run" }, { "Regex…", "regex" },
  };
  GtkWidget *button = gtk_menu_button_new ();
  g_autoptr (GSimpleActionGroup) actions = g_simple_action_group_new ();
  g_autoptr (GMenu) menu = g_menu_new ();
  g_autoptr (GMenu) section = g_menu_new ();

  self->color_group_action = g_simple_action_new_stateful ("color-group", G_VARIANT_TYPE_STRING,
                                                           g_variant_new_string ("run"));
  g_signal_connect (self->color_group_action, "activate", G_CALLBACK (on_color_group_activate), self);
  g_action_map_add_action (G_ACTION_MAP (actions), G_ACTION (self->color_group_action));
  gtk_widget_insert_action_group (GTK_WIDGET (self), "runs", G_ACTION_GROUP (actions));
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr (GMenuItem) item = g_menu_item_new (items[i][0], NULL);

      g_menu_item_set_action_and_target (item, "runs.color-group", "s", items[i][1]);
      g_menu_append_item (section, item);
    }
  g_menu_append_section (menu, "Color runs by", G_MENU_MODEL (section));
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "preferences-color-symbolic");
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (button), FALSE);
  lm_icon_tip (button, "Color runs by experiment, run or regex");
  return button;
}

GtkWidget *
lm_run_list_new (LmRunSelection *selection)
{
  LmRunList *self = g_object_new (LM_TYPE_RUN_LIST, "orientation", GTK_ORIENTATION_VERTICAL,
                                  "spacing", 6, NULL);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new ("Runs");
  GtkWidget *all = gtk_button_new_with_label ("All");
  GtkWidget *none = gtk_button_new_with_label ("None");
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkNoSelection *model;

  self->selection = g_object_ref (selection);
  gtk_widget_add_css_class (GTK_WIDGET (self), "lm-run-list");

  gtk_widget_add_css_class (title, "lm-sidebar-heading");
  self->count = gtk_label_new ("0");
  gtk_widget_add_css_class (self->count, "dim-label");
  gtk_widget_set_hexpand (self->count, TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->count), 0);
  gtk_widget_set_tooltip_text (all, "Show every run that matches the filter");
  gtk_widget_set_tooltip_text (none, "Hide every run that matches the filter");
  gtk_widget_add_css_class (all, "flat");
  gtk_widget_add_css_class (none, "flat");
  g_signal_connect (all, "clicked", G_CALLBACK (on_show_all), self);
  g_signal_connect (none, "clicked", G_CALLBACK (on_hide_all), self);
  gtk_box_append (GTK_BOX (header), title);
  gtk_box_append (GTK_BOX (header), self->count);
  gtk_box_append (GTK_BOX (header), color_group_button (self));
  gtk_box_append (GTK_BOX (header), all);
  gtk_box_append (GTK_BOX (header), none);
  gtk_box_append (GTK_BOX (self), header);

  self->entry = gtk_search_entry_new ();
  g_object_set (self->entry, "placeholder-text", "Filter runs (regex)", NULL);
  g_signal_connect (self->entry, "search-changed", G_CALLBACK (on_entry_changed), self);
  g_signal_connect (self->entry, "stop-search", G_CALLBACK (on_stop_search), self);
  gtk_box_append (GTK_BOX (self), self->entry);

  self->warning = gtk_label_new ("");
  gtk_label_set_wrap (GTK_LABEL (self->warning), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->warning), 0);
  gtk_widget_add_css_class (self->warning, "lm-warning");
  gtk_widget_set_visible (self->warning, FALSE);
  gtk_box_append (GTK_BOX (self), self->warning);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  model = gtk_no_selection_new (g_object_ref (lm_run_selection_get_model (selection)));
  self->list = gtk_list_view_new (GTK_SELECTION_MODEL (model), factory);
  gtk_widget_add_css_class (self->list, "lm-run-listview");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), self->list);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (self), scrolled);

  g_signal_connect (lm_run_selection_get_model (selection), "items-changed",
                    G_CALLBACK (on_model_changed), self);
  g_signal_connect (lm_run_selection_get_store (selection), "items-changed",
                    G_CALLBACK (on_store_items), self);
  update_count (self);
  return GTK_WIDGET (self);
}

GtkWidget *
lm_run_list_get_filter_entry (LmRunList *self)
{
  g_return_val_if_fail (LM_IS_RUN_LIST (self), NULL);
  return self->entry;
}

gboolean
lm_run_list_set_filter (LmRunList *self, const char *regex, GError **error)
{
  g_return_val_if_fail (LM_IS_RUN_LIST (self), FALSE);
  if (!lm_run_selection_set_filter (self->selection, regex, error))
    return FALSE;
  g_signal_handlers_block_by_func (self->entry, on_entry_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->entry), regex ? regex : "");
  g_signal_handlers_unblock_by_func (self->entry, on_entry_changed, self);
  return TRUE;
}
