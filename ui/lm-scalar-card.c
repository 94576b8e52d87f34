/* lm-scalar-card.c: a tag's card (see lm-scalar-card.h). */
#include "lm-scalar-card.h"

#include "lm-dash-util.h"
#include "lm-icon-tip.h"
#include "lm-pins.h"
#include "lm-step-table.h"

struct _LmScalarCard
{
  GtkBox parent_instance;
  char *tag;
  LmChart *chart;
  GtkWidget *log_button;
  LmRunSelection *selection;  /* for the larger view's card */
  LmChartSettings *settings;
  GSimpleActionGroup *actions; /* "card.*" */
  GtkWidget *enlarge_button;
  GtkWidget *pin_button;
  /* a custom-scalars chart's card: its layout (a ref) and chart */
  LmCustomScalars *layout;
  const LmCustomChart *custom;
};

G_DEFINE_FINAL_TYPE (LmScalarCard, lm_scalar_card, GTK_TYPE_BOX)

static void
lm_scalar_card_finalize (GObject *object)
{
  LmScalarCard *self = LM_SCALAR_CARD (object);

  g_free (self->tag);
  g_clear_object (&self->selection);
  g_clear_object (&self->settings);
  g_clear_object (&self->actions);
  g_clear_pointer (&self->layout, lm_custom_scalars_unref);
  G_OBJECT_CLASS (lm_scalar_card_parent_class)->finalize (object);
}

static void
lm_scalar_card_class_init (LmScalarCardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lm_scalar_card_finalize;
}

static void
lm_scalar_card_init (LmScalarCard *self)
{
}

/* "train/loss" -> "train_loss.png" */
static char *
suggested_name (LmScalarCard *self, const char *ext)
{
  g_autofree char *base = g_strdup (self->tag);

  g_strdelimit (base, "/\\:*?\"<>| ", '_');
  return g_strconcat (base, ".", ext, NULL);
}

static void
show_error (LmScalarCard *self, const char *what, GError *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = gtk_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                              GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE,
                                              "%s", what);

  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", error->message);
  g_signal_connect (dialog, "response", G_CALLBACK (gtk_window_destroy), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef enum
{
  EXPORT_PNG,
  EXPORT_CSV,
  EXPORT_JSON,
} ExportFormat;

static const struct
{
  const char *ext, *title, *failure;
} export_formats[] = {
  [EXPORT_PNG] = { "png", "Export Chart as PNG", "Could not export the chart" },
  [EXPORT_CSV] = { "csv", "Export Data as CSV", "Could not export the data" },
  [EXPORT_JSON] = { "json", "Export Data as JSON", "Could not export the data" },
};

typedef struct
{
  LmScalarCard *card;
  ExportFormat format;
} ExportJob;

static gboolean
export_to (LmChart *chart, ExportFormat format, const char *path, GError **error)
{
  switch (format)
    {
    case EXPORT_PNG:
      return lm_chart_export_png (chart, path, error);
    case EXPORT_CSV:
      return lm_chart_export_csv (chart, path, error);
    case EXPORT_JSON:
    default:
      return lm_chart_export_json (chart, path, error);
    }
}

static void
on_export_response (GtkNativeDialog *dialog, int response, ExportJob *job)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr (GError) error = NULL;
      gboolean ok;

      if (path == NULL)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "only local files can be written");
      ok = path != NULL && export_to (job->card->chart, job->format, path, &error);
      if (!ok)
        show_error (job->card, export_formats[job->format].failure, error);
    }
  g_object_unref (job->card);
  g_free (job);
  g_object_unref (dialog);
}

static void
start_export (LmScalarCard *self, ExportFormat format)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;
  g_autofree char *name = suggested_name (self, export_formats[format].ext);
  ExportJob *job = g_new0 (ExportJob, 1);

  dialog = gtk_file_chooser_native_new (export_formats[format].title,
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, "_Export", "_Cancel");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  job->card = g_object_ref (self);
  job->format = format;
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), job);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
action_export_png (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  start_export (user_data, EXPORT_PNG);
}

static void
action_export_csv (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  start_export (user_data, EXPORT_CSV);
}

static void
action_export_json (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  start_export (user_data, EXPORT_JSON);
}

static void
action_reset_zoom (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  LmScalarCard *self = user_data;

  lm_chart_reset_view (self->chart);
}

static void
on_log_toggled (GtkToggleButton *button, LmScalarCard *self)
{
  lm_chart_set_log_y (self->chart, gtk_toggle_button_get_active (button));
}

static void
action_log_scale (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  LmScalarCard *self = user_data;

  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->log_button),
                                !gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->log_button)));
}

/* TensorBoard's "toggle full size": the same card, live, in a window of
 * its own (Escape closes it); log scale and step selection carry over. */
static void
action_enlarge (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  LmScalarCard *self = user_data;
  GtkWidget *window = lm_dash_larger_window (GTK_WIDGET (self), *self->tag ? self->tag : "(empty tag name)");
  LmScalarCard *card = LM_SCALAR_CARD (self->custom != NULL
                                       ? lm_scalar_card_new_custom (self->layout, self->custom,
                                                                    self->selection, self->settings)
                                       : lm_scalar_card_new (self->tag, self->selection, self->settings));

  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (card->log_button), lm_chart_get_log_y (self->chart));
  /* so is the step selection: a range's table may only fit there */
  {
    LmStepSelection sel = lm_plot_get_step_selection (lm_chart_get_plot (self->chart));

    if (sel.active)
      lm_chart_select_steps (card->chart, sel.start, sel.end);
  }
  /* a larger view offers no larger view */
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (card->actions),
                                                                            "enlarge")), FALSE);
  gtk_widget_set_visible (card->enlarge_button, FALSE);
  gtk_widget_set_visible (card->pin_button, FALSE);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (card));
  gtk_window_present (GTK_WINDOW (window));
}

static void
on_table_visible (GtkWidget *table, GParamSpec *pspec, GtkWidget *chart)
{
  gtk_widget_set_size_request (chart, -1, gtk_widget_get_visible (table) ? LM_CHART_NATURAL_HEIGHT : -1);
}

static LmScalarCard *card_new (const char *tag, LmCustomScalars *layout, const LmCustomChart *custom,
                               LmRunSelection *selection, LmChartSettings *settings);

GtkWidget *
lm_scalar_card_new (const char *tag, LmRunSelection *selection, LmChartSettings *settings)
{
  return GTK_WIDGET (card_new (tag, NULL, NULL, selection, settings));
}

/* "Multiline: train/loss$, val/loss$" / "Margin: value v, lower l, upper u" */
static char *
custom_tooltip (const LmCustomChart *chart)
{
  GString *out = g_string_new (lm_custom_chart_get_title (chart));
  guint n = lm_custom_chart_get_n_tags (chart);

  if (lm_custom_chart_get_kind (chart) == LM_CUSTOM_CHART_MARGIN && n == 3)
    g_string_append_printf (out, "\nMargin: value %s, lower %s, upper %s",
                            lm_custom_chart_get_tag (chart, 0), lm_custom_chart_get_tag (chart, 1),
                            lm_custom_chart_get_tag (chart, 2));
  else
    {
      g_string_append (out, "\nMultiline, tags matching:");
      for (guint i = 0; i < n; i++)
        g_string_append_printf (out, "%s %s", i ? "," : "", lm_custom_chart_get_tag (chart, i));
    }
  if (lm_custom_chart_get_error (chart) != NULL)
    g_string_append_printf (out, "\n%s", lm_custom_chart_get_error (chart));
  return g_string_free (out, FALSE);
}

GtkWidget *
lm_scalar_card_new_custom (LmCustomScalars *layout, const LmCustomChart *chart,
                           LmRunSelection *selection, LmChartSettings *settings)
{
  g_autofree char *tip = custom_tooltip (chart);
  LmScalarCard *self = card_new (lm_custom_chart_get_title (chart), layout, chart, selection, settings);

  /* pinning is by tag: a layout's chart has none */
  gtk_widget_set_visible (self->pin_button, FALSE);
  gtk_widget_set_tooltip_text (gtk_widget_get_first_child (gtk_widget_get_first_child (GTK_WIDGET (self))),
                               tip);
  if (lm_custom_chart_get_error (chart) != NULL)
    {
      GtkWidget *error = gtk_label_new (lm_custom_chart_get_error (chart));

      gtk_label_set_wrap (GTK_LABEL (error), TRUE);
      gtk_label_set_xalign (GTK_LABEL (error), 0);
      gtk_widget_add_css_class (error, "error");
      gtk_box_insert_child_after (GTK_BOX (self), error, gtk_widget_get_first_child (GTK_WIDGET (self)));
    }
  return GTK_WIDGET (self);
}

static LmScalarCard *
card_new (const char *tag, LmCustomScalars *layout, const LmCustomChart *custom,
          LmRunSelection *selection, LmChartSettings *settings)
{
  static const GActionEntry entries[] = {
    { "export-png", action_export_png, NULL, NULL, NULL, { 0 } },
    { "export-csv", action_export_csv, NULL, NULL, NULL, { 0 } },
    { "export-json", action_export_json, NULL, NULL, NULL, { 0 } },
    { "reset-zoom", action_reset_zoom, NULL, NULL, NULL, { 0 } },
    { "log-scale", action_log_scale, NULL, NULL, NULL, { 0 } },
    { "enlarge", action_enlarge, NULL, NULL, NULL, { 0 } },
  };
  LmScalarCard *self = g_object_new (LM_TYPE_SCALAR_CARD,
                                     "orientation", GTK_ORIENTATION_VERTICAL,
                                     "spacing", 2, NULL);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  GtkWidget *title = gtk_label_new (*tag ? tag : "(empty tag name)");
  GtkWidget *fit = gtk_button_new_from_icon_name ("zoom-fit-best-symbolic");
  GtkWidget *enlarge = gtk_button_new_from_icon_name ("view-fullscreen-symbolic");
  GtkWidget *menu_button = gtk_menu_button_new ();
  GSimpleActionGroup *group = g_simple_action_group_new ();
  GMenu *menu = g_menu_new ();
  GtkWidget *table;

  self->tag = g_strdup (tag);
  if (custom != NULL)
    {
      self->layout = lm_custom_scalars_ref (layout);
      self->custom = custom;
    }
  self->selection = g_object_ref (selection);
  self->settings = g_object_ref (settings);
  gtk_widget_add_css_class (GTK_WIDGET (self), "lm-card");

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_MIDDLE);
  /* A natural width of one character: the title takes what the buttons
   * leave (it expands), so a long tag never widens the card; 24 characters
   * made a card of "train/a_long_metric_name..." wider than the others,
   * and the flow box then laid its whole group out two a row. */
  gtk_label_set_max_width_chars (GTK_LABEL (title), 1);
  gtk_widget_set_hexpand (title, TRUE);
  lm_set_tooltip (title, tag);
  gtk_widget_add_css_class (title, "lm-card-title");
  gtk_box_append (GTK_BOX (header), title);

  self->log_button = gtk_toggle_button_new_with_label ("log");
  lm_set_tooltip (self->log_button, "Log scale for the y axis");
  g_signal_connect (self->log_button, "toggled", G_CALLBACK (on_log_toggled), self);
  gtk_box_append (GTK_BOX (header), self->log_button);

  /* TensorBoard's pin: the card also shows in a Pinned section on top
   * (lm-card-grid.c listens to the button) */
  self->pin_button = lm_pin_button_new ();
  gtk_box_append (GTK_BOX (header), self->pin_button);

  lm_icon_tip (fit, "Reset zoom (or double-click the chart)");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (fit), "card.reset-zoom");
  gtk_box_append (GTK_BOX (header), fit);

  lm_icon_tip (enlarge, "View larger, in a window of its own");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (enlarge), "card.enlarge");
  gtk_box_append (GTK_BOX (header), enlarge);
  self->enlarge_button = enlarge;

  g_menu_append (menu, "Log Scale", "card.log-scale");
  g_menu_append (menu, "Reset Zoom", "card.reset-zoom");
  g_menu_append (menu, "View Larger", "card.enlarge");
  g_menu_append (menu, "Export Chart as PNG…", "card.export-png");
  g_menu_append (menu, "Export Data as CSV…", "card.export-csv");
  g_menu_append (menu, "Export Data as JSON…", "card.export-json");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), G_MENU_MODEL (menu));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "view-more-symbolic");
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (menu_button), FALSE);
  lm_icon_tip (menu_button, "Export and more");
  gtk_box_append (GTK_BOX (header), menu_button);
  g_object_unref (menu);

  for (GtkWidget *b = gtk_widget_get_first_child (header); b; b = gtk_widget_get_next_sibling (b))
    if (b != title)
      {
        gtk_widget_add_css_class (b, "flat");
        gtk_widget_add_css_class (b, "lm-card-button");
      }

  g_action_map_add_action_entries (G_ACTION_MAP (group), entries, G_N_ELEMENTS (entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "card", G_ACTION_GROUP (group));
  self->actions = group;

  self->chart = LM_CHART (custom != NULL ? lm_chart_new_custom (layout, custom, selection, settings)
                                         : lm_chart_new (tag, selection, settings));
  gtk_widget_set_vexpand (GTK_WIDGET (self->chart), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->chart), TRUE);

  gtk_box_append (GTK_BOX (self), header);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->chart));
  table = lm_step_table_new (self->chart);
  /* the card grows for the table; the chart keeps its height */
  g_signal_connect (table, "notify::visible", G_CALLBACK (on_table_visible), self->chart);
  gtk_box_append (GTK_BOX (self), table);
  gtk_widget_set_size_request (GTK_WIDGET (self), 330, 290);
  return self;
}

const char *
lm_scalar_card_get_tag (LmScalarCard *self)
{
  g_return_val_if_fail (LM_IS_SCALAR_CARD (self), NULL);
  return self->tag;
}

LmChart *
lm_scalar_card_get_chart (LmScalarCard *self)
{
  g_return_val_if_fail (LM_IS_SCALAR_CARD (self), NULL);
  return self->chart;
}

GtkToggleButton *
lm_scalar_card_get_pin_button (LmScalarCard *self)
{
  g_return_val_if_fail (LM_IS_SCALAR_CARD (self), NULL);
  return GTK_TOGGLE_BUTTON (self->pin_button);
}
