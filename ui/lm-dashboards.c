/* lm-dashboards.c: the view stack and its switcher (see lm-dashboards.h).
 *
 * The histogram and distribution dashboards share one histogram feed;
 * images, audio, text, PR curves, hparams and meshes have their own.  A feed polls only while a
 * dashboard using it is mapped (LmRecordDashboard/LmHparamsView turn it on
 * and off), so hidden views cost nothing.
 */
#include "lm-dashboards.h"

#include "lm-audio-card.h"
#include "lm-graph-page.h"
#include "lm-mesh.h"
#include "lm-projector-page.h"

const char *const lm_dashboard_names[] = {
  "scalars", "histograms", "distributions", "images", "audio", "text", "pr_curves", "hparams", "graph",
  "projector", "mesh", NULL
};

static const char *const titles[] = {
  "Scalars", "Histograms", "Distributions", "Images", "Audio", "Text", "PR Curves", "HParams", "Graph", "Projector",
  "Mesh",
};

struct _LmDashboards
{
  GtkBox parent_instance;

  GtkWidget *stack, *switcher;
  GtkWidget *pages[11];
  LmRecordFeed *hist_feed, *image_feed, *audio_feed, *text_feed, *pr_feed, *hp_feed, *mesh_feed;
  LmImageLoader *loader;
  LmAudioLoader *audio_loader;
  LmMeshLoader *mesh_loader;
  LmChartSettings *settings;
};

G_DEFINE_FINAL_TYPE (LmDashboards, lm_dashboards, GTK_TYPE_BOX)

static void
lm_dashboards_dispose (GObject *object)
{
  LmDashboards *self = LM_DASHBOARDS (object);

  g_clear_object (&self->hist_feed);
  g_clear_object (&self->image_feed);
  g_clear_object (&self->audio_feed);
  g_clear_object (&self->text_feed);
  g_clear_object (&self->pr_feed);
  g_clear_object (&self->hp_feed);
  g_clear_object (&self->mesh_feed);
  g_clear_object (&self->mesh_loader);
  g_clear_object (&self->loader);
  g_clear_object (&self->audio_loader);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (lm_dashboards_parent_class)->dispose (object);
}

static void
lm_dashboards_class_init (LmDashboardsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_dashboards_dispose;
}

static void
lm_dashboards_init (LmDashboards *self)
{
}

static void
ensure_css (void)
{
  static gboolean done;
  GtkCssProvider *provider;

  if (done || gdk_display_get_default () == NULL)
    return;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider,
                                   ".lm-view-switcher button { padding: 2px 3px; min-width: 0; font-size: 0.88em; }",
                                   -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_unref (provider);
  done = TRUE;
}

static GtkWidget *
filter_entry (GtkWidget *page, guint i)
{
  if (i == 0)
    return lm_card_grid_get_filter_entry (LM_CARD_GRID (page));
  if (LM_IS_PROJECTOR_PAGE (page))
    return NULL;   /* the projector searches labels, not tags */
  if (LM_IS_HPARAMS_VIEW (page) || LM_IS_GRAPH_PAGE (page))
    return NULL;   /* hparams filters runs and values, the graph has its search */
  return lm_record_dashboard_get_filter_entry (LM_RECORD_DASHBOARD (page));
}

/* The histogram offset axis and the distribution x axis follow the
 * scalar charts' horizontal axis, as in TensorBoard. */
static void
on_x_axis (LmChartSettings *settings, GParamSpec *pspec, LmDashboards *self)
{
  LmXAxis axis = lm_chart_settings_get_x_axis (settings);

  lm_record_dashboard_set_x_axis (LM_RECORD_DASHBOARD (self->pages[1]), axis);
  lm_record_dashboard_set_x_axis (LM_RECORD_DASHBOARD (self->pages[2]), axis);
}

/* Link by step: histogram, image and audio cards follow the scalar
 * cards' selection, as TensorBoard's linked time: histograms on a Step
 * axis only, images and audio (a slider in steps) on every axis. */
static void
on_linked_steps (LmChartSettings *settings, LmDashboards *self)
{
  LmStepSelection sel = lm_chart_settings_get_linked_steps (settings);
  LmStepSelection any = lm_chart_settings_get_linked_steps_any_axis (settings);

  lm_record_dashboard_set_linked_steps (LM_RECORD_DASHBOARD (self->pages[1]), &sel);
  lm_record_dashboard_set_linked_steps (LM_RECORD_DASHBOARD (self->pages[3]), &any);
  lm_record_dashboard_set_linked_steps (LM_RECORD_DASHBOARD (self->pages[4]), &any);
}

GtkWidget *
lm_dashboards_new (LmRunSelection *selection, GtkWidget *card_grid, LmChartSettings *settings)
{
  LmDashboards *self = g_object_new (LM_TYPE_DASHBOARDS, "orientation", GTK_ORIENTATION_VERTICAL, NULL);
  LmRunStore *store = lm_run_selection_get_store (selection);

  self->hist_feed = lm_record_feed_new (store, LM_RECORD_HISTOGRAM);
  self->image_feed = lm_record_feed_new (store, LM_RECORD_IMAGE);
  self->audio_feed = lm_record_feed_new (store, LM_RECORD_AUDIO);
  self->text_feed = lm_record_feed_new (store, LM_RECORD_TEXT);
  self->pr_feed = lm_record_feed_new (store, LM_RECORD_PR_CURVE);
  self->hp_feed = lm_record_feed_new (store, LM_RECORD_HPARAMS);
  self->mesh_feed = lm_record_feed_new (store, LM_RECORD_MESH);
  self->loader = lm_image_loader_new (0);
  self->audio_loader = lm_audio_loader_new (0);
  self->mesh_loader = lm_mesh_loader_new (0);

  self->pages[0] = card_grid;
  self->pages[1] = lm_record_dashboard_new (LM_DASHBOARD_HISTOGRAMS, selection, self->hist_feed, NULL);
  self->pages[2] = lm_record_dashboard_new (LM_DASHBOARD_DISTRIBUTIONS, selection, self->hist_feed, NULL);
  self->pages[3] = lm_record_dashboard_new (LM_DASHBOARD_IMAGES, selection, self->image_feed, self->loader);
  self->pages[4] = lm_record_dashboard_new (LM_DASHBOARD_AUDIO, selection, self->audio_feed, self->audio_loader);
  self->pages[5] = lm_record_dashboard_new (LM_DASHBOARD_TEXT, selection, self->text_feed, NULL);
  self->pages[6] = lm_record_dashboard_new (LM_DASHBOARD_PR_CURVES, selection, self->pr_feed, NULL);
  self->pages[7] = lm_hparams_view_new (selection, self->hp_feed);
  self->pages[8] = lm_graph_page_new (store);
  self->pages[9] = lm_projector_page_new (store);
  /* after the Projector, as TensorBoard lists its later plugins */
  self->pages[10] = lm_record_dashboard_new (LM_DASHBOARD_MESH, selection, self->mesh_feed, self->mesh_loader);
  self->settings = g_object_ref (settings);
  g_signal_connect (settings, "notify::x-axis", G_CALLBACK (on_x_axis), self);
  on_x_axis (settings, NULL, self);
  g_signal_connect (settings, "linked-steps-changed", G_CALLBACK (on_linked_steps), self);
  on_linked_steps (settings, self);

  self->stack = gtk_stack_new ();
  gtk_stack_set_transition_type (GTK_STACK (self->stack), GTK_STACK_TRANSITION_TYPE_NONE);
  /* Only the visible view's size counts: a wide page must not force a
   * wide window on every view. */
  gtk_stack_set_hhomogeneous (GTK_STACK (self->stack), FALSE);
  gtk_stack_set_vhomogeneous (GTK_STACK (self->stack), FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (self->pages); i++)
    {
      gtk_stack_add_titled (GTK_STACK (self->stack), self->pages[i], lm_dashboard_names[i], titles[i]);
      /* One tag filter for every dashboard: the entries mirror each other. */
      if (i > 0 && filter_entry (self->pages[i], i) != NULL)
        g_object_bind_property (filter_entry (self->pages[0], 0), "text",
                                filter_entry (self->pages[i], i), "text",
                                G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
    }
  gtk_widget_set_vexpand (self->stack, TRUE);
  gtk_widget_set_hexpand (self->stack, TRUE);
  gtk_box_append (GTK_BOX (self), self->stack);

  self->switcher = gtk_stack_switcher_new ();
  gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (self->switcher), GTK_STACK (self->stack));
  /* Compact: buttons as wide as their labels, so the header bar (and the
   * window) can still be narrow (860 px) with eleven views: with Mesh the
   * window could not be narrower than 887 px, at 3 px padding and 0.88em
   * it can be 847. */
  gtk_box_layout_set_homogeneous (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (self->switcher)), FALSE);
  gtk_widget_add_css_class (self->switcher, "lm-view-switcher");
  ensure_css ();
  return GTK_WIDGET (self);
}

GtkWidget *
lm_dashboards_get_switcher (LmDashboards *self)
{
  return self->switcher;
}

gboolean
lm_dashboards_set_view (LmDashboards *self, const char *name)
{
  for (guint i = 0; lm_dashboard_names[i]; i++)
    if (g_strcmp0 (name, lm_dashboard_names[i]) == 0)
      {
        gtk_stack_set_visible_child_name (GTK_STACK (self->stack), name);
        return TRUE;
      }
  return FALSE;
}

const char *
lm_dashboards_get_view (LmDashboards *self)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (self->stack));
}

GtkWidget *
lm_dashboards_get_page (LmDashboards *self, const char *name)
{
  for (guint i = 0; lm_dashboard_names[i]; i++)
    if (g_strcmp0 (name, lm_dashboard_names[i]) == 0)
      return self->pages[i];
  return NULL;
}

gboolean
lm_dashboards_set_tag_filter (LmDashboards *self, const char *regex, GError **error)
{
  /* The entries mirror each other's text, but a mirrored entry applies it
   * only after its typing delay: apply it to every page now. */
  if (!lm_card_grid_set_filter (LM_CARD_GRID (self->pages[0]), regex, error))
    return FALSE;
  for (guint i = 1; i < G_N_ELEMENTS (self->pages); i++)
    if (LM_IS_RECORD_DASHBOARD (self->pages[i]))
      lm_record_dashboard_set_filter (LM_RECORD_DASHBOARD (self->pages[i]), regex, NULL);
  return TRUE;
}

GtkWidget *
lm_dashboards_get_filter_entry (LmDashboards *self)
{
  GtkWidget *page = gtk_stack_get_visible_child (GTK_STACK (self->stack));

  if (LM_IS_RECORD_DASHBOARD (page))
    return lm_record_dashboard_get_filter_entry (LM_RECORD_DASHBOARD (page));
  if (LM_IS_HPARAMS_VIEW (page))
    return lm_hparams_view_get_filter_entry (LM_HPARAMS_VIEW (page));
  return NULL;
}

gboolean
lm_dashboards_is_settled (LmDashboards *self)
{
  GtkWidget *page = gtk_stack_get_visible_child (GTK_STACK (self->stack));

  if (LM_IS_RECORD_DASHBOARD (page))
    return lm_record_dashboard_is_settled (LM_RECORD_DASHBOARD (page));
  if (LM_IS_HPARAMS_VIEW (page))
    return lm_hparams_view_is_settled (LM_HPARAMS_VIEW (page));
  if (LM_IS_GRAPH_PAGE (page))
    return lm_graph_page_is_settled (LM_GRAPH_PAGE (page));
  if (LM_IS_PROJECTOR_PAGE (page))
    return lm_projector_page_is_settled (LM_PROJECTOR_PAGE (page));
  return TRUE;
}
