/* lm-custom-scalars-view.c: the Custom Scalars section (see
 * lm-custom-scalars-view.h).  Rebuilt whole when the merged layout
 * changes, which is rare (a layout is logged once per run); the feed's
 * re-reads that change nothing are compared away.  The categories the
 * user folded (by title) stay folded across rebuilds. */
#include "lm-custom-scalars-view.h"

struct _LmCustomScalarsView
{
  GtkBox parent_instance;

  LmRunSelection *selection;
  LmChartSettings *settings;
  LmRecordFeed *feed;
  LmCustomScalars *layout;   /* shown; NULL before the first */
  GPtrArray *cards;          /* LmScalarCard* (borrowed: the flows own them) */
  GtkWidget *viewport;       /* weak */
  GHashTable *folded;        /* titles of the categories the user folded */
};

G_DEFINE_FINAL_TYPE (LmCustomScalarsView, lm_custom_scalars_view, GTK_TYPE_BOX)

/* Shows or hides the header's flow to match it. */
static void
sync_category (GtkToggleButton *button)
{
  gboolean open = gtk_toggle_button_get_active (button);
  GtkWidget *arrow = g_object_get_data (G_OBJECT (button), "lm-arrow");

  gtk_widget_set_visible (g_object_get_data (G_OBJECT (button), "lm-flow"), open);
  gtk_image_set_from_icon_name (GTK_IMAGE (arrow), open ? "pan-down-symbolic" : "pan-end-symbolic");
}

static void
on_category_toggled (GtkToggleButton *button, LmCustomScalarsView *self)
{
  const char *title = g_object_get_data (G_OBJECT (button), "lm-category");

  if (gtk_toggle_button_get_active (button))
    g_hash_table_remove (self->folded, title);
  else
    g_hash_table_add (self->folded, g_strdup (title));
  sync_category (button);
}

/* A category: a header that folds it (arrow, title, chart count) over a
 * flow of its cards, as the tag groups below. */
static void
add_category (LmCustomScalarsView *self, LmCustomCategory *cat)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *header = gtk_toggle_button_new ();
  GtkWidget *header_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *arrow = gtk_image_new_from_icon_name ("pan-down-symbolic");
  GtkWidget *icon = gtk_image_new_from_icon_name ("view-grid-symbolic");
  GtkWidget *title = gtk_label_new (cat->title);
  g_autofree char *count = g_strdup_printf ("%u", cat->charts->len);
  GtkWidget *count_label = gtk_label_new (count);
  GtkWidget *flow = gtk_flow_box_new ();

  gtk_widget_add_css_class (box, "lm-custom-category");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (header), !g_hash_table_contains (self->folded, cat->title));
  gtk_widget_add_css_class (header, "flat");
  gtk_widget_add_css_class (header, "lm-section-header");
  gtk_widget_add_css_class (title, "lm-section-title");
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_set_tooltip_text (header, "Custom Scalars: a category of the layout the runs logged");
  gtk_widget_add_css_class (count_label, "lm-section-count");
  gtk_box_append (GTK_BOX (header_box), arrow);
  gtk_box_append (GTK_BOX (header_box), icon);
  gtk_box_append (GTK_BOX (header_box), title);
  gtk_box_append (GTK_BOX (header_box), count_label);
  gtk_button_set_child (GTK_BUTTON (header), header_box);
  gtk_widget_set_halign (header, GTK_ALIGN_START);
  g_object_set_data (G_OBJECT (header), "lm-arrow", arrow);
  g_object_set_data_full (G_OBJECT (header), "lm-category", g_strdup (cat->title), g_free);
  g_object_set_data (G_OBJECT (header), "lm-flow", flow);
  sync_category (GTK_TOGGLE_BUTTON (header));
  g_signal_connect (header, "toggled", G_CALLBACK (on_category_toggled), self);

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow), 1);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 8);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 12);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 12);
  gtk_flow_box_set_activate_on_single_click (GTK_FLOW_BOX (flow), FALSE);
  for (guint i = 0; i < cat->charts->len; i++)
    {
      GtkWidget *card = lm_scalar_card_new_custom (self->layout, cat->charts->pdata[i],
                                                   self->selection, self->settings);

      if (self->viewport != NULL)
        lm_chart_set_viewport (lm_scalar_card_get_chart (LM_SCALAR_CARD (card)), self->viewport);
      gtk_flow_box_append (GTK_FLOW_BOX (flow), card);
      g_ptr_array_add (self->cards, card);
    }
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), flow);
  gtk_box_append (GTK_BOX (self), box);
}

static void
on_feed_changed (LmRecordFeed *feed, LmCustomScalarsView *self)
{
  g_autoptr (LmCustomScalars) merged = lm_record_feed_merge_custom_scalars (feed);
  GtkWidget *child;

  if (self->layout != NULL && lm_custom_scalars_equal (merged, self->layout))
    return;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_box_remove (GTK_BOX (self), child);
  g_ptr_array_set_size (self->cards, 0);
  g_clear_pointer (&self->layout, lm_custom_scalars_unref);
  self->layout = g_steal_pointer (&merged);
  if (self->layout->categories->len > 0)
    {
      GtkWidget *heading = gtk_label_new ("Custom Scalars");

      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_widget_add_css_class (heading, "dim-label");
      gtk_widget_set_tooltip_text (heading, "The charts the runs' layouts ask for "
                                            "(lm_writer_add_custom_scalars, TensorBoard's Custom Scalars)");
      gtk_box_append (GTK_BOX (self), heading);
    }
  for (guint i = 0; i < self->layout->categories->len; i++)
    add_category (self, self->layout->categories->pdata[i]);
  gtk_widget_set_visible (GTK_WIDGET (self), self->cards->len > 0);
}

static void
lm_custom_scalars_view_dispose (GObject *object)
{
  LmCustomScalarsView *self = LM_CUSTOM_SCALARS_VIEW (object);

  if (self->feed != NULL)
    g_signal_handlers_disconnect_by_data (self->feed, self);
  g_clear_object (&self->feed);
  G_OBJECT_CLASS (lm_custom_scalars_view_parent_class)->dispose (object);
}

static void
lm_custom_scalars_view_finalize (GObject *object)
{
  LmCustomScalarsView *self = LM_CUSTOM_SCALARS_VIEW (object);

  g_clear_pointer (&self->layout, lm_custom_scalars_unref);
  g_ptr_array_unref (self->cards);
  g_hash_table_unref (self->folded);
  g_clear_object (&self->selection);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (lm_custom_scalars_view_parent_class)->finalize (object);
}

static void
lm_custom_scalars_view_class_init (LmCustomScalarsViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_custom_scalars_view_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_custom_scalars_view_finalize;
}

static void
lm_custom_scalars_view_init (LmCustomScalarsView *self)
{
  self->cards = g_ptr_array_new ();
  self->folded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

GtkWidget *
lm_custom_scalars_view_new (LmRunSelection *selection, LmChartSettings *settings)
{
  LmCustomScalarsView *self = g_object_new (LM_TYPE_CUSTOM_SCALARS_VIEW,
                                            "orientation", GTK_ORIENTATION_VERTICAL,
                                            "spacing", 10, NULL);

  self->selection = g_object_ref (selection);
  self->settings = g_object_ref (settings);
  self->feed = lm_record_feed_new (lm_run_selection_get_store (selection), LM_RECORD_CUSTOM_SCALARS);
  g_signal_connect (self->feed, "changed", G_CALLBACK (on_feed_changed), self);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  return GTK_WIDGET (self);
}

void
lm_custom_scalars_view_set_active (LmCustomScalarsView *self, gboolean active)
{
  g_return_if_fail (LM_IS_CUSTOM_SCALARS_VIEW (self));
  lm_record_feed_set_active (self->feed, active);
}

void
lm_custom_scalars_view_set_viewport (LmCustomScalarsView *self, GtkWidget *viewport)
{
  g_return_if_fail (LM_IS_CUSTOM_SCALARS_VIEW (self));
  self->viewport = viewport;
  for (guint i = 0; i < self->cards->len; i++)
    lm_chart_set_viewport (lm_scalar_card_get_chart (self->cards->pdata[i]), viewport);
}

void
lm_custom_scalars_view_viewport_changed (LmCustomScalarsView *self)
{
  g_return_if_fail (LM_IS_CUSTOM_SCALARS_VIEW (self));
  for (guint i = 0; i < self->cards->len; i++)
    lm_chart_viewport_changed (lm_scalar_card_get_chart (self->cards->pdata[i]));
}

gboolean
lm_custom_scalars_view_is_settled (LmCustomScalarsView *self)
{
  g_return_val_if_fail (LM_IS_CUSTOM_SCALARS_VIEW (self), FALSE);
  if (!lm_record_feed_get_loaded (self->feed))
    return FALSE;
  for (guint i = 0; i < self->cards->len; i++)
    {
      LmChart *chart = lm_scalar_card_get_chart (self->cards->pdata[i]);

      /* a folded category's cards are not drawn */
      if (gtk_widget_get_mapped (GTK_WIDGET (chart)) && !lm_chart_is_settled (chart))
        return FALSE;
    }
  return TRUE;
}

LmCustomScalars *
lm_custom_scalars_view_get_layout (LmCustomScalarsView *self)
{
  g_return_val_if_fail (LM_IS_CUSTOM_SCALARS_VIEW (self), NULL);
  return self->layout;
}

guint
lm_custom_scalars_view_get_n_cards (LmCustomScalarsView *self)
{
  g_return_val_if_fail (LM_IS_CUSTOM_SCALARS_VIEW (self), 0);
  return self->cards->len;
}

LmScalarCard *
lm_custom_scalars_view_get_card (LmCustomScalarsView *self, guint i)
{
  g_return_val_if_fail (LM_IS_CUSTOM_SCALARS_VIEW (self), NULL);
  return i < self->cards->len ? self->cards->pdata[i] : NULL;
}

GtkWidget *
lm_custom_scalars_view_get_category_header (LmCustomScalarsView *self, const char *title)
{
  g_return_val_if_fail (LM_IS_CUSTOM_SCALARS_VIEW (self), NULL);
  for (GtkWidget *box = gtk_widget_get_first_child (GTK_WIDGET (self)); box != NULL;
       box = gtk_widget_get_next_sibling (box))
    {
      GtkWidget *header = gtk_widget_get_first_child (box);

      if (GTK_IS_TOGGLE_BUTTON (header) && g_strcmp0 (g_object_get_data (G_OBJECT (header), "lm-category"), title) == 0)
        return header;
    }
  return NULL;
}

void
lm_custom_scalars_view_set_poll_interval (LmCustomScalarsView *self, guint poll_ms)
{
  g_return_if_fail (LM_IS_CUSTOM_SCALARS_VIEW (self));
  lm_record_feed_set_poll_interval (self->feed, poll_ms);
}
