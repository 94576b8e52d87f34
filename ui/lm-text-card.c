/* lm-text-card.c: text tag card (see lm-text-card.h). */
#include "lm-text-card.h"

#include "lm-axis.h"
#include "lm-dash-util.h"
#include "lm-markdown.h"

struct _LmTextCard
{
  GtkBox parent_instance;

  LmRecordFeed *feed;
  char *run_name, *tag;
  GtkWidget *view, *scroller, *placeholder, *scale, *step_label, *md_button;
  GtkAdjustment *adj;
  guint n_steps;
  int shown;
  gint64 shown_id;
  const char *error;
};

G_DEFINE_FINAL_TYPE (LmTextCard, lm_text_card, GTK_TYPE_BOX)

static LmTextRecord *
record_at (LmTextCard *self, guint index)
{
  LmRecordSeries *s = lm_record_feed_find (self->feed, self->run_name, self->tag);

  return s != NULL && index < s->items->len ? s->items->pdata[index] : NULL;
}

static void
show (LmTextCard *self, gboolean force)
{
  guint index = (guint) gtk_adjustment_get_value (self->adj);
  LmTextRecord *r = record_at (self, index);
  char step[32], wall[64];
  g_autofree char *label = NULL;

  if (r == NULL || (!force && r->id == self->shown_id))
    return;
  self->shown_id = r->id;
  lm_format_step (r->step, step, sizeof step);
  lm_format_wall (r->wall_time, wall, sizeof wall);
  label = g_strdup_printf ("step %s · %s", step, wall);
  gtk_label_set_text (GTK_LABEL (self->step_label), label);
  self->error = r->error;
  gtk_widget_set_visible (self->placeholder, r->error != NULL);
  gtk_widget_set_visible (self->scroller, r->error == NULL);
  if (r->error != NULL)
    {
      g_autofree char *t = g_strdup_printf ("Cannot show this text: %s", r->error);

      gtk_label_set_text (GTK_LABEL (self->placeholder), t);
      return;
    }
  lm_markdown_render (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->view)), r->value,
                      !gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->md_button)));
}

static void
on_value_changed (GtkAdjustment *adj, LmTextCard *self)
{
  show (self, FALSE);
}

static void
on_md_toggled (GtkToggleButton *b, LmTextCard *self)
{
  show (self, TRUE);
}

void
lm_text_card_refresh (LmTextCard *self)
{
  LmRecordSeries *s = lm_record_feed_find (self->feed, self->run_name, self->tag);
  guint n = s ? s->items->len : 0;
  gboolean at_end = self->n_steps == 0 || gtk_adjustment_get_value (self->adj) >= self->n_steps - 1;

  if (n == self->n_steps)
    return;
  self->n_steps = n;
  gtk_adjustment_configure (self->adj, gtk_adjustment_get_value (self->adj), 0, MAX (n, 1) - 1, 1, 10, 0);
  gtk_widget_set_sensitive (self->scale, n > 1);
  if (at_end && n > 0)
    gtk_adjustment_set_value (self->adj, n - 1);
  show (self, FALSE);
}

static void
lm_text_card_finalize (GObject *object)
{
  LmTextCard *self = LM_TEXT_CARD (object);

  g_clear_object (&self->feed);
  g_free (self->run_name);
  g_free (self->tag);
  G_OBJECT_CLASS (lm_text_card_parent_class)->finalize (object);
}

static void
lm_text_card_class_init (LmTextCardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lm_text_card_finalize;
}

static void
lm_text_card_init (LmTextCard *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);

  self->shown_id = -1;
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 2);
  self->step_label = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (self->step_label), 0);
  gtk_widget_add_css_class (self->step_label, "lm-status-line");
  gtk_widget_set_margin_start (self->step_label, 8);

  self->view = lm_dash_markdown_view_new ();
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_AUTOMATIC, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->view);
  gtk_widget_set_size_request (self->scroller, 380, 200);
  gtk_widget_set_vexpand (self->scroller, TRUE);

  self->placeholder = gtk_label_new ("");
  gtk_label_set_wrap (GTK_LABEL (self->placeholder), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->placeholder), 40);
  gtk_widget_add_css_class (self->placeholder, "lm-warning");
  gtk_widget_set_size_request (self->placeholder, 380, 200);
  gtk_widget_set_visible (self->placeholder, FALSE);

  self->adj = gtk_adjustment_new (0, 0, 0, 1, 10, 0);
  g_signal_connect (self->adj, "value-changed", G_CALLBACK (on_value_changed), self);
  self->scale = gtk_scale_new (GTK_ORIENTATION_HORIZONTAL, self->adj);
  gtk_scale_set_digits (GTK_SCALE (self->scale), 0);
  gtk_scale_set_draw_value (GTK_SCALE (self->scale), FALSE);
  gtk_widget_set_hexpand (self->scale, TRUE);
  gtk_widget_set_tooltip_text (self->scale, "Step");
  self->md_button = gtk_toggle_button_new_with_label ("Markdown");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->md_button), TRUE);
  gtk_widget_set_tooltip_text (self->md_button, "Render Markdown, or show the plain text");
  gtk_widget_add_css_class (self->md_button, "lm-card-button");
  g_signal_connect (self->md_button, "toggled", G_CALLBACK (on_md_toggled), self);

  gtk_box_append (GTK_BOX (row), self->scale);
  gtk_box_append (GTK_BOX (row), self->md_button);
  gtk_box_append (GTK_BOX (self), self->step_label);
  gtk_box_append (GTK_BOX (self), self->scroller);
  gtk_box_append (GTK_BOX (self), self->placeholder);
  gtk_box_append (GTK_BOX (self), row);
}

GtkWidget *
lm_text_card_new (LmRecordFeed *feed, const char *run_name, const char *tag)
{
  LmTextCard *self = g_object_new (LM_TYPE_TEXT_CARD, NULL);

  self->feed = g_object_ref (feed);
  self->run_name = g_strdup (run_name);
  self->tag = g_strdup (tag);
  lm_text_card_refresh (self);
  return GTK_WIDGET (self);
}

guint
lm_text_card_get_n_steps (LmTextCard *self)
{
  return self->n_steps;
}

void
lm_text_card_set_index (LmTextCard *self, guint index)
{
  gtk_adjustment_set_value (self->adj, index);
}

void
lm_text_card_set_markdown (LmTextCard *self, gboolean markdown)
{
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->md_button), markdown);
}

GtkTextBuffer *
lm_text_card_get_buffer (LmTextCard *self)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->view));
}

const char *
lm_text_card_get_error (LmTextCard *self)
{
  return self->error;
}
