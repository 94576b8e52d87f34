/* lm-mesh-card.c: mesh tag card (see lm-mesh-card.h).
 *
 * The slider holds an index into the series' items (step order), as the
 * audio card's does.  Moving it shows a cached mesh at once; otherwise it
 * starts one load and keeps the previous mesh on screen until the new one
 * arrives.  Nothing loads before the view is first drawn near the visible
 * part ("wants-mesh"): a sweep of 500 mesh cards reads the few on screen.
 */
#include "lm-mesh-card.h"

#include "lm-axis.h"
#include "lm-dash-util.h"
#include "lm-icon-tip.h"
#include "lm-mesh-view.h"

struct _LmMeshCard
{
  GtkBox parent_instance;

  LmRecordFeed *feed;
  LmMeshLoader *loader;
  char *run_name, *run_path, *tag;
  GCancellable *cancellable;

  GtkWidget *step_label, *info_label, *view, *message, *reset_button, *link_button, *scale;
  GtkAdjustment *adj;
  guint n_steps;
  gint64 shown_id;      /* mesh drawn (or whose error is shown), -1 if none */
  gint64 loading_id;    /* load in flight, 0 if none */
  gboolean wanted;      /* the view was drawn near the visible part */
  char *error;
  char *step_text, *info_text;
};

G_DEFINE_FINAL_TYPE (LmMeshCard, lm_mesh_card, GTK_TYPE_BOX)

static LmMeshMeta *
selected (LmMeshCard *self)
{
  LmRecordSeries *s = lm_record_feed_find (self->feed, self->run_name, self->tag);
  guint index = (guint) gtk_adjustment_get_value (self->adj);

  return s != NULL && index < s->items->len ? s->items->pdata[index] : NULL;
}

/* "1 point", "12,345 points" */
static char *
count_noun (gint64 n, const char *one, const char *many)
{
  g_autofree char *digits = lm_format_count ((guint64) MAX (n, 0));

  return g_strdup_printf ("%s %s", digits, n == 1 ? one : many);
}

static void
update_labels (LmMeshCard *self, LmMeshMeta *m)
{
  g_free (self->step_text);
  self->step_text = lm_dash_step_line (self->scale, m->step, "", m->wall_time);
  gtk_label_set_text (GTK_LABEL (self->step_label), self->step_text);
  g_free (self->info_text);
  if (m->n_faces > 0)
    {
      g_autofree char *v = count_noun (m->n_vertices, "vertex", "vertices");
      g_autofree char *f = count_noun (m->n_faces, "face", "faces");

      self->info_text = g_strdup_printf ("%s · %s", v, f);
    }
  else
    self->info_text = count_noun (m->n_vertices, "point", "points");
  gtk_label_set_text (GTK_LABEL (self->info_label), self->info_text);
}

static void show_index (LmMeshCard *self);

static void
show_mesh (LmMeshCard *self, LmMeshMeta *m, LmMesh *mesh, const char *error)
{
  g_clear_pointer (&self->error, g_free);
  self->shown_id = m->id;
  if (mesh == NULL)
    {
      /* the header names the tag and run */
      self->error = g_strdup_printf ("Step %" G_GINT64_FORMAT ": %s", m->step, error);
      lm_mesh_view_set_error (LM_MESH_VIEW (self->view), self->error);
      gtk_label_set_text (GTK_LABEL (self->message), self->error);
      gtk_widget_set_visible (self->message, TRUE);
      return;
    }
  /* what is drawn otherwise than logged: a config it could not use (the
   * defaults), faces that all have zero area (their vertices as points) */
  {
    g_autoptr (GString) text = g_string_new (NULL);

    if (mesh->config_warning != NULL)
      g_string_append_printf (text, "Step %" G_GINT64_FORMAT ": %s", m->step, mesh->config_warning);
    if (mesh->n_faces > 0 && mesh->n_flat_faces == mesh->n_faces)
      g_string_append_printf (text, "%sStep %" G_GINT64_FORMAT ": %s zero area; drawn as points",
                              text->len ? "\n" : "", m->step,
                              mesh->n_faces == 1 ? "its face has" : "every face has");
    gtk_label_set_text (GTK_LABEL (self->message), text->str);
    gtk_widget_set_visible (self->message, text->len > 0);
  }
  lm_mesh_view_set_mesh (LM_MESH_VIEW (self->view), mesh);
}

static void
on_loaded (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LmMeshCard *self = user_data;
  g_autoptr (GError) error = NULL;
  LmMesh *mesh = lm_mesh_loader_load_finish (LM_MESH_LOADER (source), res, &error);
  LmMeshMeta *m;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  m = selected (self);
  if (m != NULL && m->id == self->loading_id)
    {
      self->loading_id = 0;
      show_mesh (self, m, mesh, error != NULL ? error->message : "could not be read");
    }
  else
    {
      self->loading_id = 0;
      show_index (self);   /* the slider moved on while this loaded */
    }
  if (mesh != NULL)
    lm_mesh_unref (mesh);
  g_object_unref (self);
}

static void
show_index (LmMeshCard *self)
{
  LmMeshMeta *m = selected (self);
  LmMesh *mesh;

  if (m == NULL)
    return;
  update_labels (self, m);
  if (!self->wanted || m->id == self->shown_id)
    return;
  if ((mesh = lm_mesh_loader_lookup (self->loader, self->run_path, m->id)) != NULL)
    {
      show_mesh (self, m, mesh, NULL);
      lm_mesh_unref (mesh);
      return;
    }
  if (self->loading_id == 0)
    {
      self->loading_id = m->id;
      lm_mesh_loader_load_async (self->loader, self->run_path, m->id, self->cancellable, on_loaded,
                                 g_object_ref (self));
    }
}

static void
on_wants_mesh (LmMeshView *view, LmMeshCard *self)
{
  self->wanted = TRUE;
  show_index (self);
}

static void
on_value_changed (GtkAdjustment *adj, LmMeshCard *self)
{
  show_index (self);
}

static void
on_reset (GtkButton *button, LmMeshCard *self)
{
  lm_mesh_view_reset_camera (LM_MESH_VIEW (self->view));
}

static void
on_link_toggled (GtkToggleButton *button, LmMeshCard *self)
{
  lm_mesh_view_set_linked (LM_MESH_VIEW (self->view), gtk_toggle_button_get_active (button));
}

/* linked or unlinked from any card: every card's button shows it */
static void
on_linked_changed (LmMeshView *view, LmMeshCard *self)
{
  g_signal_handlers_block_by_func (self->link_button, on_link_toggled, self);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->link_button), lm_mesh_view_get_linked ());
  g_signal_handlers_unblock_by_func (self->link_button, on_link_toggled, self);
}

void
lm_mesh_card_refresh (LmMeshCard *self)
{
  LmRecordSeries *s;
  guint n, old_n = self->n_steps;

  g_return_if_fail (LM_IS_MESH_CARD (self));
  s = lm_record_feed_find (self->feed, self->run_name, self->tag);
  n = s ? s->items->len : 0;
  self->n_steps = n;
  /* follow the newest mesh, as TensorBoard's slider does */
  if (lm_dash_step_slider_set_count (self->adj, self->scale, old_n, n, TRUE))
    show_index (self);
}

static void
lm_mesh_card_dispose (GObject *object)
{
  LmMeshCard *self = LM_MESH_CARD (object);

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (lm_mesh_card_parent_class)->dispose (object);
}

static void
lm_mesh_card_finalize (GObject *object)
{
  LmMeshCard *self = LM_MESH_CARD (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->feed);
  g_clear_object (&self->loader);
  g_free (self->run_name);
  g_free (self->run_path);
  g_free (self->tag);
  g_free (self->error);
  g_free (self->step_text);
  g_free (self->info_text);
  G_OBJECT_CLASS (lm_mesh_card_parent_class)->finalize (object);
}

static void
lm_mesh_card_class_init (LmMeshCardClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_mesh_card_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_mesh_card_finalize;
}

static void
lm_mesh_card_init (LmMeshCard *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);

  self->cancellable = g_cancellable_new ();
  self->shown_id = -1;
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 2);

  self->step_label = lm_dash_status_label ();
  self->info_label = lm_dash_status_label ();

  self->view = lm_mesh_view_new ();
  gtk_widget_set_size_request (self->view, 300, 260);
  gtk_widget_set_vexpand (self->view, TRUE);
  g_signal_connect (self->view, "wants-mesh", G_CALLBACK (on_wants_mesh), self);

  /* the whole message (the view has room for a line of it) */
  self->message = lm_dash_warning_label ();

  self->reset_button = gtk_button_new_with_label ("Reset");
  gtk_widget_add_css_class (self->reset_button, "lm-card-button");
  lm_set_tooltip (self->reset_button, "Back to the initial camera (or double-click the view)");
  g_signal_connect (self->reset_button, "clicked", G_CALLBACK (on_reset), self);

  /* TensorBoard's shared camera */
  self->link_button = gtk_toggle_button_new_with_label ("Link");
  gtk_widget_add_css_class (self->link_button, "lm-card-button");
  lm_set_tooltip (self->link_button, "Link the cameras: orbiting or zooming one card's view turns every card's");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->link_button), lm_mesh_view_get_linked ());
  g_signal_connect (self->link_button, "toggled", G_CALLBACK (on_link_toggled), self);
  g_signal_connect (self->view, "linked-changed", G_CALLBACK (on_linked_changed), self);

  self->scale = lm_dash_step_slider_new (&self->adj, "Step (every logged mesh)");
  g_signal_connect (self->adj, "value-changed", G_CALLBACK (on_value_changed), self);

  gtk_box_append (GTK_BOX (row), self->reset_button);
  gtk_box_append (GTK_BOX (row), self->link_button);
  gtk_box_append (GTK_BOX (row), self->scale);
  gtk_box_append (GTK_BOX (self), self->step_label);
  gtk_box_append (GTK_BOX (self), self->info_label);
  gtk_box_append (GTK_BOX (self), self->view);
  gtk_box_append (GTK_BOX (self), self->message);
  gtk_box_append (GTK_BOX (self), row);
}

GtkWidget *
lm_mesh_card_new (LmRecordFeed *feed, LmMeshLoader *loader, const char *run_name, const char *run_path,
                  const char *tag, const GdkRGBA *color)
{
  LmMeshCard *self = g_object_new (LM_TYPE_MESH_CARD, NULL);

  self->feed = g_object_ref (feed);
  self->loader = g_object_ref (loader);
  self->run_name = g_strdup (run_name);
  self->run_path = g_strdup (run_path);
  self->tag = g_strdup (tag);
  if (color != NULL)
    lm_mesh_view_set_point_color (LM_MESH_VIEW (self->view), color);
  /* named as the audio cards' are: a screen reader tells the cards apart */
  {
    g_autofree char *slider = g_strdup_printf ("Step of %s in %s", run_name, tag);
    g_autofree char *view = g_strdup_printf ("3-D view of %s in %s", run_name, tag);

    gtk_accessible_update_property (GTK_ACCESSIBLE (self->scale), GTK_ACCESSIBLE_PROPERTY_LABEL, slider, -1);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_PROPERTY_LABEL, view, -1);
  }
  lm_mesh_card_refresh (self);
  return GTK_WIDGET (self);
}

guint
lm_mesh_card_get_n_steps (LmMeshCard *self)
{
  g_return_val_if_fail (LM_IS_MESH_CARD (self), 0);
  return self->n_steps;
}

void
lm_mesh_card_set_index (LmMeshCard *self, guint index)
{
  g_return_if_fail (LM_IS_MESH_CARD (self));
  gtk_adjustment_set_value (self->adj, index);
}

guint
lm_mesh_card_get_index (LmMeshCard *self)
{
  g_return_val_if_fail (LM_IS_MESH_CARD (self), 0);
  return (guint) gtk_adjustment_get_value (self->adj);
}

gboolean
lm_mesh_card_is_settled (LmMeshCard *self)
{
  LmMeshMeta *m;
  gboolean known;

  g_return_val_if_fail (LM_IS_MESH_CARD (self), TRUE);
  if (self->n_steps == 0 || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return TRUE;
  if (!lm_mesh_view_is_near_view (LM_MESH_VIEW (self->view), &known))
    return known;   /* drawn far off screen: nothing to wait for */
  m = selected (self);
  return m != NULL && self->shown_id == m->id && self->loading_id == 0
         && (self->error != NULL || lm_mesh_view_get_n_renders (LM_MESH_VIEW (self->view)) > 0);
}

const char *
lm_mesh_card_get_error (LmMeshCard *self)
{
  g_return_val_if_fail (LM_IS_MESH_CARD (self), NULL);
  return self->error;
}

const char *
lm_mesh_card_get_message (LmMeshCard *self)
{
  g_return_val_if_fail (LM_IS_MESH_CARD (self), NULL);
  return gtk_widget_get_visible (self->message) ? gtk_label_get_text (GTK_LABEL (self->message)) : NULL;
}

const char *
lm_mesh_card_get_step_text (LmMeshCard *self)
{
  g_return_val_if_fail (LM_IS_MESH_CARD (self), "");
  return self->step_text ? self->step_text : "";
}

const char *
lm_mesh_card_get_info_text (LmMeshCard *self)
{
  g_return_val_if_fail (LM_IS_MESH_CARD (self), "");
  return self->info_text ? self->info_text : "";
}

GtkWidget *
lm_mesh_card_get_view (LmMeshCard *self)
{
  g_return_val_if_fail (LM_IS_MESH_CARD (self), NULL);
  return self->view;
}

GtkWidget *
lm_mesh_card_get_slider (LmMeshCard *self)
{
  g_return_val_if_fail (LM_IS_MESH_CARD (self), NULL);
  return self->scale;
}

GtkWidget *
lm_mesh_card_get_link_button (LmMeshCard *self)
{
  g_return_val_if_fail (LM_IS_MESH_CARD (self), NULL);
  return self->link_button;
}

GtkWidget *
lm_mesh_card_get_reset_button (LmMeshCard *self)
{
  g_return_val_if_fail (LM_IS_MESH_CARD (self), NULL);
  return self->reset_button;
}
