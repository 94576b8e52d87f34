/* lm-pins.c: pin button, Pinned section and pin list (see lm-pins.h). */
#include "lm-pins.h"

#include "lm-icon-tip.h"

static void
on_toggled (GtkToggleButton *button)
{
  lm_icon_tip (GTK_WIDGET (button), gtk_toggle_button_get_active (button) ? "Unpin this card"
                                                                          : "Pin this card to the top");
}

GtkWidget *
lm_pin_button_new (void)
{
  GtkWidget *button = gtk_toggle_button_new ();

  gtk_button_set_icon_name (GTK_BUTTON (button), "view-pin-symbolic");
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "lm-card-button");
  gtk_widget_add_css_class (button, "lm-pin");
  g_signal_connect (button, "toggled", G_CALLBACK (on_toggled), NULL);
  on_toggled (GTK_TOGGLE_BUTTON (button));
  return button;
}

void
lm_pin_button_set_quietly (GtkToggleButton *button, gboolean active, gpointer handler, gpointer data)
{
  g_signal_handlers_block_by_func (button, handler, data);
  gtk_toggle_button_set_active (button, active);
  g_signal_handlers_unblock_by_func (button, handler, data);
}

static gboolean
release_soon (gpointer data)
{
  return G_SOURCE_REMOVE;   /* the destroy notify unrefs */
}

void
lm_pin_button_hold (GtkToggleButton *button)
{
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, release_soon, g_object_ref (button), g_object_unref);
}

/* Above the groups or cards, never collapsed or filtered. */
GtkWidget *
lm_pin_section_new (guint max_per_line, GtkFlowBoxSortFunc sort, gpointer sort_data, GtkWidget **flow,
                    GtkWidget **count)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *title = gtk_label_new ("Pinned");

  gtk_widget_add_css_class (box, "lm-pinned");
  gtk_widget_add_css_class (header, "lm-pinned-header");
  gtk_widget_add_css_class (title, "lm-section-title");
  *count = gtk_label_new ("0");
  gtk_widget_add_css_class (*count, "lm-section-count");
  gtk_box_append (GTK_BOX (header), gtk_image_new_from_icon_name ("view-pin-symbolic"));
  gtk_box_append (GTK_BOX (header), title);
  gtk_box_append (GTK_BOX (header), *count);

  *flow = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (*flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (*flow), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (*flow), 1);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (*flow), max_per_line);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (*flow), 12);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (*flow), 12);
  gtk_flow_box_set_activate_on_single_click (GTK_FLOW_BOX (*flow), FALSE);
  gtk_flow_box_set_sort_func (GTK_FLOW_BOX (*flow), sort, sort_data, NULL);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), *flow);
  gtk_widget_set_visible (box, FALSE);
  return box;
}

void
lm_pin_section_set_count (GtkWidget *section, GtkWidget *count, guint n)
{
  char text[32];

  g_snprintf (text, sizeof text, "%u", n);
  gtk_label_set_text (GTK_LABEL (count), text);
  gtk_widget_set_visible (section, n > 0);
}

int
lm_pins_index (GPtrArray *pins, const char *key)
{
  for (guint i = 0; i < pins->len; i++)
    if (g_str_equal (g_ptr_array_index (pins, i), key))
      return (int) i;
  return -1;
}

gboolean
lm_pins_set (GPtrArray *pins, const char *key, gboolean pinned)
{
  int i = lm_pins_index (pins, key);

  if ((i >= 0) == !!pinned)
    return FALSE;
  if (pinned)
    g_ptr_array_add (pins, g_strdup (key));
  else
    g_ptr_array_remove_index (pins, i);
  return TRUE;
}

void
lm_pins_replace (GPtrArray *pins, const char *const *keys)
{
  g_ptr_array_set_size (pins, 0);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    if (lm_pins_index (pins, keys[i]) < 0)
      g_ptr_array_add (pins, g_strdup (keys[i]));
}
