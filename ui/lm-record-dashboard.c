/* lm-record-dashboard.c: card dashboards for non-scalar records (see
 * lm-record-dashboard.h).
 *
 * Cards are kept in a hash by "tag\nrun" and reconciled against the feed
 * and the run selection whenever either changes; a card that stays is
 * refreshed in place (its views re-read the series only when its version
 * moved), so a live update never rebuilds the dashboard.
 *
 * A dashboard off screen (Distributions beside Histograms share a feed;
 * every dashboard follows the run selection) only notes that its cards are
 * out of date, and reconciles them when it is mapped or asked about them:
 * 500 histogram cards cost the Histograms view's first frame about as
 * much again when the hidden Distributions page built its own.
 */
#include "lm-record-dashboard.h"

#include "lm-audio-card.h"
#include "lm-distribution-view.h"
#include "lm-histogram-view.h"
#include "lm-icon-tip.h"
#include "lm-image-card.h"
#include "lm-mesh-card.h"
#include "lm-dash-util.h"
#include "lm-palette.h"
#include "lm-text-card.h"
#include "lm-natural.h"
#include "lm-pins.h"
#include "lm-pr-curve-view.h"

struct _LmRecordDashboard
{
  GtkBox parent_instance;

  LmDashboardKind kind;
  LmRunSelection *selection;
  LmRecordFeed *feed;
  GObject *loader;    /* LmImageLoader, LmAudioLoader or LmMeshLoader */
  GRegex *regex;
  int hist_mode;
  LmXAxis x_axis;
  LmStepSelection linked;   /* link by step: what the cards follow */

  GtkWidget *entry, *warning, *stack, *empty_label, *flow, *mode_drop;
  GtkWidget *run_errors;   /* runs whose records could not all be read */
  GHashTable *cards;   /* key -> GtkFlowBoxChild (owned by the flow box) */
  gboolean stale;      /* a change came while unmapped: sync_cards on map */

  /* TensorBoard's pinned cards (not text): a second card per pinned key */
  GPtrArray *pinned;       /* keys in the order pinned, present or not */
  GHashTable *pin_cards;   /* key -> GtkFlowBoxChild of pin_flow */
  GtkWidget *pin_box, *pin_flow, *pin_count;

  /* histogram and distribution cards viewed larger, in windows of their
   * own: they follow the mode, axis and linked steps too (not owned) */
  GPtrArray *larger;
};

enum
{
  PINS_CHANGED,
  HISTOGRAM_MODE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LmRecordDashboard, lm_record_dashboard, GTK_TYPE_BOX)

static const char *
kind_noun (LmDashboardKind kind)
{
  static const char *const nouns[] = { "histograms", "histograms", "images", "text", "PR curves", "audio clips", "meshes" };

  return nouns[kind];
}

/* Text has no pins (as in TensorBoard). */
static gboolean
has_pins (LmDashboardKind kind)
{
  return kind != LM_DASHBOARD_TEXT;
}

/* A card's key: "tag\nrun", or "tag\n" for a PR curve card (one per tag,
 * a line per run), whatever run is named. */
static char *
card_key (LmRecordDashboard *self, const char *run_name, const char *tag)
{
  return g_strconcat (tag, "\n", self->kind == LM_DASHBOARD_PR_CURVES ? "" : run_name, NULL);
}

static GtkWidget *
body_of (GtkWidget *child)
{
  return g_object_get_data (G_OBJECT (child), "lm-body");
}

#define BADGE_TIP "values not drawn, summed over the steps: NaN are not bucketed, " \
                  "±Inf lie beyond every finite bucket.  Hover a step for its own counts."
/* Characters of a card's title kept on screen however long its badge is
 * (the badge is cut short instead, its whole text in the tooltip): "4 NaN,
 * ≥2 +Inf, ≥2 −Inf in 2 steps" left the title a bare "…". */
#define TITLE_MIN_CHARS 12
/* and the badge's widest, so that it never widens the card either */
#define BADGE_MAX_CHARS 24

/* The header badge of a histogram card: its NaN and +-Inf counts over
 * every step ("2 NaN, 1 +Inf, 1 −Inf"), hidden when all values are
 * finite.  Like the debugger's NaN/Inf badges, red. */
static void
update_badge (LmRecordDashboard *self, GtkWidget *child, LmRecordSeries *s)
{
  GtkWidget *badge = g_object_get_data (G_OBJECT (child), "lm-badge");
  g_autofree char *text = NULL, *markup = NULL, *tip = NULL;

  if (badge == NULL || s == NULL)
    return;
  text = lm_histogram_describe_nonfinite ((LmHistogram *const *) s->items->pdata, s->items->len);
  gtk_widget_set_visible (badge, text != NULL);
  if (text == NULL)
    return;
  markup = g_markup_printf_escaped ("<span foreground='#c00'><b>%s</b></span>", text);
  gtk_label_set_markup (GTK_LABEL (badge), markup);
  tip = g_strdup_printf ("%s: %s", text, BADGE_TIP);
  lm_set_tooltip (badge, tip);
}

static void
refresh_body (LmRecordDashboard *self, GtkWidget *body)
{
  switch (self->kind)
    {
    case LM_DASHBOARD_HISTOGRAMS: lm_histogram_view_refresh (LM_HISTOGRAM_VIEW (body)); break;
    case LM_DASHBOARD_DISTRIBUTIONS: lm_distribution_view_refresh (LM_DISTRIBUTION_VIEW (body)); break;
    case LM_DASHBOARD_IMAGES: lm_image_card_refresh (LM_IMAGE_CARD (body)); break;
    case LM_DASHBOARD_TEXT: lm_text_card_refresh (LM_TEXT_CARD (body)); break;
    case LM_DASHBOARD_PR_CURVES: lm_pr_curve_view_refresh (LM_PR_CURVE_VIEW (body)); break;
    case LM_DASHBOARD_AUDIO: lm_audio_card_refresh (LM_AUDIO_CARD (body)); break;
    case LM_DASHBOARD_MESH: lm_mesh_card_refresh (LM_MESH_CARD (body)); break;
    default: break;
    }
}

static void on_pin_toggled (GtkToggleButton *button, LmRecordDashboard *self);

/* Link by step: a histogram, image or audio card's body follows
 * self->linked (the other kinds have no step to follow). */
static void
link_card (LmRecordDashboard *self, GtkWidget *body)
{
  if (self->kind == LM_DASHBOARD_HISTOGRAMS)
    lm_histogram_view_set_linked_steps (LM_HISTOGRAM_VIEW (body), &self->linked);
  else if (self->kind == LM_DASHBOARD_IMAGES)
    lm_image_card_set_linked_steps (LM_IMAGE_CARD (body), &self->linked);
  else if (self->kind == LM_DASHBOARD_AUDIO)
    lm_audio_card_set_linked_steps (LM_AUDIO_CARD (body), &self->linked);
}

/* A histogram or distribution view's x axis; other bodies have none. */
static void
chart_body_set_x_axis (GtkWidget *body, LmXAxis axis)
{
  if (LM_IS_HISTOGRAM_VIEW (body))
    lm_histogram_view_set_x_axis (LM_HISTOGRAM_VIEW (body), axis);
  else if (LM_IS_DISTRIBUTION_VIEW (body))
    lm_distribution_view_set_x_axis (LM_DISTRIBUTION_VIEW (body), axis);
}

/* A histogram or distribution view of (run_name, tag) as the dashboard
 * shows it now: mode and x axis (the caller links it by step). */
static GtkWidget *
make_chart_body (LmRecordDashboard *self, const char *run_name, const char *tag, const GdkRGBA *color)
{
  GtkWidget *body;

  if (self->kind == LM_DASHBOARD_HISTOGRAMS)
    {
      body = lm_histogram_view_new (self->feed, run_name, tag, color);
      lm_histogram_view_set_mode (LM_HISTOGRAM_VIEW (body), self->hist_mode);
    }
  else
    body = lm_distribution_view_new (self->feed, run_name, tag, color);
  chart_body_set_x_axis (body, self->x_axis);
  return body;
}

static void
on_larger_feed_changed (LmRecordFeed *feed, GtkWidget *body)
{
  if (LM_IS_HISTOGRAM_VIEW (body))
    lm_histogram_view_refresh (LM_HISTOGRAM_VIEW (body));
  else
    lm_distribution_view_refresh (LM_DISTRIBUTION_VIEW (body));
}

static void
larger_gone (gpointer data, GObject *where)
{
  LmRecordDashboard *self = data;

  g_ptr_array_remove_fast (self->larger, where);
}

/* TensorBoard's "toggle full size" on a histogram card: the card's chart,
 * live, in a window of its own (Escape closes it), as a scalar card's
 * larger view. */
static void
on_view_larger (GtkButton *button, LmRecordDashboard *self)
{
  const char *run_name = g_object_get_data (G_OBJECT (button), "lm-run");
  const char *tag = g_object_get_data (G_OBJECT (button), "lm-tag");
  const char *shown = *tag ? tag : "(empty tag name)";
  const GdkRGBA *color = g_object_get_data (G_OBJECT (button), "lm-color");
  g_autofree char *title = g_strdup_printf ("%s · %s", shown, run_name);
  GtkWidget *window = lm_dash_larger_window (GTK_WIDGET (button), title);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *body = make_chart_body (self, run_name, tag, color);

  gtk_box_append (GTK_BOX (box), lm_dash_card_header (shown, run_name, color));
  gtk_widget_set_vexpand (body, TRUE);
  gtk_box_append (GTK_BOX (box), body);
  gtk_widget_add_css_class (box, "lm-card");
  gtk_window_set_child (GTK_WINDOW (window), box);
  if (self->linked.active)
    link_card (self, body);
  g_signal_connect_object (self->feed, "changed", G_CALLBACK (on_larger_feed_changed), body, 0);
  /* live while it shows, whichever page the main window shows */
  lm_dash_feed_follow_mapped (body, self->feed);
  g_ptr_array_add (self->larger, body);
  g_object_weak_ref (G_OBJECT (body), larger_gone, self);
  gtk_window_present (GTK_WINDOW (window));
}

static GtkWidget *
make_card (LmRecordDashboard *self, LmRecordSeries *s, LmRun *run, const char *key)
{
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *header, *body = NULL, *child;
  GdkRGBA color;

  lm_palette_run_color (run, &color);
  header = lm_dash_card_header (*s->tag ? s->tag : "(empty tag name)", s->run_name, &color);
  if (self->kind == LM_DASHBOARD_PR_CURVES)
    gtk_widget_set_visible (gtk_widget_get_last_child (header), FALSE);   /* a line per run: no run chip */
  if (self->kind == LM_DASHBOARD_HISTOGRAMS || self->kind == LM_DASHBOARD_DISTRIBUTIONS)
    {
      GtkWidget *badge = gtk_label_new (NULL);

      GtkWidget *title = gtk_widget_get_first_child (header);

      gtk_label_set_width_chars (GTK_LABEL (title), MIN (g_utf8_strlen (s->tag, -1), TITLE_MIN_CHARS));
      gtk_label_set_ellipsize (GTK_LABEL (badge), PANGO_ELLIPSIZE_END);
      gtk_label_set_max_width_chars (GTK_LABEL (badge), BADGE_MAX_CHARS);
      gtk_widget_set_visible (badge, FALSE);
      /* between the title and the run chip */
      gtk_box_insert_child_after (GTK_BOX (header), badge, gtk_widget_get_first_child (header));
      g_object_set_data (G_OBJECT (header), "lm-badge", badge);
    }

  switch (self->kind)
    {
    case LM_DASHBOARD_HISTOGRAMS:
    case LM_DASHBOARD_DISTRIBUTIONS:
      body = make_chart_body (self, s->run_name, s->tag, &color);
      break;
    case LM_DASHBOARD_IMAGES:
      body = lm_image_card_new (self->feed, LM_IMAGE_LOADER (self->loader), s->run_name, lm_run_get_path (run),
                                s->tag);
      break;
    case LM_DASHBOARD_AUDIO:
      body = lm_audio_card_new (self->feed, LM_AUDIO_LOADER (self->loader), s->run_name, lm_run_get_path (run),
                                s->tag, &color);
      break;
    case LM_DASHBOARD_MESH:
      body = lm_mesh_card_new (self->feed, LM_MESH_LOADER (self->loader), s->run_name, lm_run_get_path (run), s->tag,
                               &color);
      break;
    case LM_DASHBOARD_PR_CURVES:
      body = lm_pr_curve_view_new (self->feed, self->selection, s->tag);
      break;
    case LM_DASHBOARD_TEXT:
    default:
      body = lm_text_card_new (self->feed, s->run_name, s->tag);
      break;
    }
  /* linked by step already: the new card follows too (a new card starts
   * unlinked, so there is nothing to undo otherwise) */
  if (self->linked.active)
    link_card (self, body);
  if (has_pins (self->kind))
    {
      /* TensorBoard's pin, after the run chip as on a scalar card */
      GtkWidget *pin = lm_pin_button_new ();

      g_object_set_data_full (G_OBJECT (pin), "lm-key", g_strdup (key), g_free);
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (pin), lm_pins_index (self->pinned, key) >= 0);
      g_signal_connect (pin, "toggled", G_CALLBACK (on_pin_toggled), self);
      gtk_box_append (GTK_BOX (header), pin);
      g_object_set_data (G_OBJECT (body), "lm-pin", pin);
    }
  if (self->kind == LM_DASHBOARD_HISTOGRAMS || self->kind == LM_DASHBOARD_DISTRIBUTIONS)
    {
      /* TensorBoard's full size toggle, after the pin as on a scalar card */
      GtkWidget *larger = gtk_button_new_from_icon_name ("view-fullscreen-symbolic");

      gtk_button_set_has_frame (GTK_BUTTON (larger), FALSE);
      lm_icon_tip (larger, "View larger, in a window of its own");
      g_object_set_data_full (G_OBJECT (larger), "lm-run", g_strdup (s->run_name), g_free);
      g_object_set_data_full (G_OBJECT (larger), "lm-tag", g_strdup (s->tag), g_free);
      g_object_set_data_full (G_OBJECT (larger), "lm-color", gdk_rgba_copy (&color), (GDestroyNotify) gdk_rgba_free);
      g_signal_connect (larger, "clicked", G_CALLBACK (on_view_larger), self);
      gtk_box_append (GTK_BOX (header), larger);
      g_object_set_data (G_OBJECT (body), "lm-larger-button", larger);
    }
  gtk_widget_set_vexpand (body, TRUE);
  if (self->kind == LM_DASHBOARD_HISTOGRAMS || self->kind == LM_DASHBOARD_DISTRIBUTIONS)
    gtk_widget_set_size_request (body, 300, 220);
  gtk_widget_add_css_class (card, "lm-card");
  gtk_box_append (GTK_BOX (card), header);
  gtk_box_append (GTK_BOX (card), body);
  child = gtk_flow_box_child_new ();
  gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (child), card);
  gtk_widget_set_focusable (child, FALSE);
  g_object_set_data_full (G_OBJECT (child), "lm-key", g_strdup (key), g_free);
  g_object_set_data (G_OBJECT (child), "lm-body", body);
  /* the colour it was made with: a new one (the run list's swatch) remakes
   * it; a PR curve card, of every run, redraws in the new colours */
  if (self->kind != LM_DASHBOARD_PR_CURVES)
    g_object_set_data_full (G_OBJECT (child), "lm-color", gdk_rgba_copy (&color), (GDestroyNotify) gdk_rgba_free);
  g_object_set_data (G_OBJECT (child), "lm-badge", g_object_get_data (G_OBJECT (header), "lm-badge"));
  update_badge (self, child, s);
  return child;
}

/* The card of `s` in `flow` (its cards in `cards`), made, remade for a
 * new run colour, or refreshed; its key goes into `want`. */
static void
keep_card (LmRecordDashboard *self, GtkWidget *flow, GHashTable *cards, GHashTable *want, LmRecordSeries *s,
           LmRun *run, const char *key)
{
  GtkWidget *child = g_hash_table_lookup (cards, key);

  g_hash_table_add (want, g_strdup (key));
  if (child != NULL && g_object_get_data (G_OBJECT (child), "lm-color") != NULL)
    {
      GdkRGBA color;

      lm_palette_run_color (run, &color);
      if (!gdk_rgba_equal (&color, g_object_get_data (G_OBJECT (child), "lm-color")))
        {
          gtk_flow_box_remove (GTK_FLOW_BOX (flow), child);
          g_hash_table_remove (cards, key);
          child = NULL;
        }
    }
  if (child == NULL)
    {
      child = make_card (self, s, run, key);
      g_hash_table_insert (cards, g_strdup (key), child);
      gtk_flow_box_append (GTK_FLOW_BOX (flow), child);
    }
  else
    {
      refresh_body (self, body_of (child));
      update_badge (self, child, s);
    }
}

static void
drop_unwanted (GtkWidget *flow, GHashTable *cards, GHashTable *want)
{
  GHashTableIter it;
  gpointer k, v;

  g_hash_table_iter_init (&it, cards);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (!g_hash_table_contains (want, k))
      {
        gtk_flow_box_remove (GTK_FLOW_BOX (flow), v);
        g_hash_table_iter_remove (&it);
      }
}

/* The Pinned section shows a card for every pinned (tag, run) of a shown
 * run that has it (a pinned card not logged yet waits for it), in the
 * order pinned, whatever the tag filter; the other cards' pin buttons
 * follow. */
static void
sync_cards (LmRecordDashboard *self)
{
  GPtrArray *series = lm_record_feed_get_series (self->feed);
  GPtrArray *shown = lm_run_selection_get_shown (self->selection);
  g_autoptr (GHashTable) runs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) want = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) want_pins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter it;
  gpointer k, v;
  guint n_tags_total = 0;

  self->stale = FALSE;
  for (guint i = 0; i < shown->len; i++)
    g_hash_table_insert (runs, (gpointer) lm_run_get_name (shown->pdata[i]), shown->pdata[i]);
  for (guint i = 0; i < series->len; i++)
    {
      LmRecordSeries *s = series->pdata[i];
      LmRun *run = g_hash_table_lookup (runs, s->run_name);
      g_autofree char *key = NULL;

      n_tags_total++;
      if (run == NULL)
        continue;
      /* PR curves: one card per tag, for every run ("tag\n" keys) */
      key = card_key (self, s->run_name, s->tag);
      if (self->kind == LM_DASHBOARD_PR_CURVES && !g_hash_table_add (seen, g_strdup (key)))
        continue;
      if (lm_pins_index (self->pinned, key) >= 0)
        keep_card (self, self->pin_flow, self->pin_cards, want_pins, s, run, key);
      if (self->regex == NULL || g_regex_match (self->regex, s->tag, 0, NULL))
        keep_card (self, self->flow, self->cards, want, s, run, key);
    }
  drop_unwanted (self->flow, self->cards, want);
  drop_unwanted (self->pin_flow, self->pin_cards, want_pins);
  gtk_flow_box_invalidate_sort (GTK_FLOW_BOX (self->pin_flow));
  lm_pin_section_set_count (self->pin_box, self->pin_count, g_hash_table_size (self->pin_cards));
  g_hash_table_iter_init (&it, self->cards);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      GtkWidget *pin = g_object_get_data (G_OBJECT (body_of (v)), "lm-pin");

      if (pin != NULL)
        lm_pin_button_set_quietly (GTK_TOGGLE_BUTTON (pin), lm_pins_index (self->pinned, k) >= 0,
                                   on_pin_toggled, self);
    }

  {
    /* A run file that fails part-way (a damaged page) keeps the records read
     * before the failure on screen; say so, so they are not taken for all. */
    g_autoptr (GString) errs = g_string_new (NULL);
    guint n_err = 0;

    for (guint i = 0; i < shown->len; i++)
      {
        const char *e = lm_record_feed_get_run_error (self->feed, lm_run_get_name (shown->pdata[i]));

        if (e == NULL)
          continue;
        if (n_err++ < 5)
          g_string_append_printf (errs, "%s⚠ %s: cannot read its %s: %s; showing what was read before that",
                                  errs->len ? "\n" : "", lm_run_get_name (shown->pdata[i]), kind_noun (self->kind), e);
      }
    if (n_err > 5)
      g_string_append_printf (errs, "\n… and %u more runs", n_err - 5);
    gtk_label_set_text (GTK_LABEL (self->run_errors), errs->str);
    gtk_widget_set_visible (self->run_errors, n_err > 0);
  }

  if (g_hash_table_size (self->cards) > 0 || g_hash_table_size (self->pin_cards) > 0)
    gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "cards");
  else
    {
      g_autofree char *text = NULL;

      if (!lm_record_feed_get_loaded (self->feed))
        text = g_strdup ("Loading…");
      else if (n_tags_total == 0)
        text = g_strdup_printf ("No %s logged yet.\n\nLog some with %s; they appear here live.", kind_noun (self->kind),
                                self->kind == LM_DASHBOARD_IMAGES ? "lm_writer_add_image()"
                                : self->kind == LM_DASHBOARD_AUDIO
                                ? "lm_writer_add_audio() (SummaryWriter.add_audio's clip and sample_rate), or "
                                  "import TensorBoard event files holding audio with lumen-import"
                                : self->kind == LM_DASHBOARD_MESH
                                ? "lm_writer_add_mesh() (SummaryWriter.add_mesh's vertices, colors, faces and "
                                  "config_dict, one sample of the batch)"
                                : self->kind == LM_DASHBOARD_TEXT ? "lm_writer_add_text()"
                                : self->kind == LM_DASHBOARD_PR_CURVES
                                ? "lm_writer_add_pr_curve() (SummaryWriter.add_pr_curve's labels, predictions "
                                  "and num_thresholds), or with lumen-train, which logs one per class each epoch"
                                : "lm_writer_add_histogram()");
      else
        text = g_strdup_printf ("No %s match the run and tag filters.", kind_noun (self->kind));
      gtk_label_set_text (GTK_LABEL (self->empty_label), text);
      gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
    }
}

/* A change of the feed or the run selection: the cards follow now when
 * the dashboard is on screen, else once it is mapped (or asked). */
static void
on_source_changed (LmRecordDashboard *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    sync_cards (self);
  else
    self->stale = TRUE;
}

static void
ensure_synced (LmRecordDashboard *self)
{
  if (self->stale)
    sync_cards (self);
}

static int
sort_children (GtkFlowBoxChild *a, GtkFlowBoxChild *b, gpointer user_data)
{
  return lm_natural_compare (g_object_get_data (G_OBJECT (a), "lm-key"), g_object_get_data (G_OBJECT (b), "lm-key"));
}

static int
sort_pins (GtkFlowBoxChild *a, GtkFlowBoxChild *b, gpointer user_data)
{
  LmRecordDashboard *self = user_data;

  return lm_pins_index (self->pinned, g_object_get_data (G_OBJECT (a), "lm-key"))
         - lm_pins_index (self->pinned, g_object_get_data (G_OBJECT (b), "lm-key"));
}

static void
on_pin_toggled (GtkToggleButton *button, LmRecordDashboard *self)
{
  /* the key is the card's: copied, as unpinning removes the pinned card */
  g_autofree char *key = g_strdup (g_object_get_data (G_OBJECT (button), "lm-key"));

  lm_pin_button_hold (button);
  if (lm_pins_set (self->pinned, key, gtk_toggle_button_get_active (button)))
    {
      sync_cards (self);
      g_signal_emit (self, signals[PINS_CHANGED], 0);
    }
}

static void
on_entry_changed (GtkEditable *entry, LmRecordDashboard *self)
{
  g_autoptr (GError) error = NULL;

  lm_record_dashboard_set_filter (self, gtk_editable_get_text (entry), &error);
}

static void
on_mode_selected (GtkDropDown *drop, GParamSpec *pspec, LmRecordDashboard *self)
{
  lm_record_dashboard_set_histogram_mode (self, (int) gtk_drop_down_get_selected (drop));
}

static void
lm_record_dashboard_dispose (GObject *object)
{
  LmRecordDashboard *self = LM_RECORD_DASHBOARD (object);

  lm_dash_release_sources (self, &self->feed, &self->selection);
  g_clear_object (&self->loader);
  G_OBJECT_CLASS (lm_record_dashboard_parent_class)->dispose (object);
}

static void
lm_record_dashboard_finalize (GObject *object)
{
  LmRecordDashboard *self = LM_RECORD_DASHBOARD (object);

  g_clear_pointer (&self->regex, g_regex_unref);
  g_hash_table_unref (self->cards);
  g_hash_table_unref (self->pin_cards);
  g_ptr_array_unref (self->pinned);
  for (guint i = 0; i < self->larger->len; i++)
    g_object_weak_unref (self->larger->pdata[i], larger_gone, self);
  g_ptr_array_unref (self->larger);
  G_OBJECT_CLASS (lm_record_dashboard_parent_class)->finalize (object);
}

static void
lm_record_dashboard_class_init (LmRecordDashboardClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_record_dashboard_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_record_dashboard_finalize;
  signals[PINS_CHANGED] = g_signal_new ("pins-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[HISTOGRAM_MODE_CHANGED] = g_signal_new ("histogram-mode-changed", G_TYPE_FROM_CLASS (klass),
                                                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lm_record_dashboard_init (LmRecordDashboard *self)
{
  self->cards = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pin_cards = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pinned = g_ptr_array_new_with_free_func (g_free);
  self->larger = g_ptr_array_new ();
}

GtkWidget *
lm_record_dashboard_new (LmDashboardKind kind, LmRunSelection *selection, LmRecordFeed *feed,
                         gpointer loader)
{
  LmRecordDashboard *self = g_object_new (LM_TYPE_RECORD_DASHBOARD,
                                          "orientation", GTK_ORIENTATION_VERTICAL, NULL);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  guint per_line = kind == LM_DASHBOARD_IMAGES ? 6 : kind == LM_DASHBOARD_MESH ? 3 : 4;

  self->kind = kind;
  self->selection = g_object_ref (selection);
  self->feed = g_object_ref (feed);
  self->loader = loader ? g_object_ref (loader) : NULL;

  gtk_widget_add_css_class (bar, "lm-filter-bar");
  self->entry = gtk_search_entry_new ();
  g_object_set (self->entry, "placeholder-text", "Filter tags (regular expression)", NULL);
  gtk_widget_set_hexpand (self->entry, TRUE);
  g_signal_connect (self->entry, "search-changed", G_CALLBACK (on_entry_changed), self);
  gtk_box_append (GTK_BOX (bar), self->entry);
  if (kind == LM_DASHBOARD_HISTOGRAMS)
    {
      const char *modes[] = { "Offset", "Overlay", NULL };
      GtkWidget *drop = gtk_drop_down_new_from_strings (modes);

      self->mode_drop = drop;

      gtk_widget_set_tooltip_text (drop, "Histogram mode: one curve per step stacked by step (offset), "
                                         "or all steps on one baseline (overlay)");
      g_signal_connect (drop, "notify::selected", G_CALLBACK (on_mode_selected), self);
      gtk_box_append (GTK_BOX (bar), drop);
    }
  self->warning = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (self->warning), 0);
  gtk_widget_add_css_class (self->warning, "lm-warning");
  gtk_widget_set_visible (self->warning, FALSE);

  self->flow = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (self->flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (self->flow), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (self->flow), 1);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (self->flow), per_line);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (self->flow), 12);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (self->flow), 12);
  gtk_flow_box_set_sort_func (GTK_FLOW_BOX (self->flow), sort_children, NULL, NULL);
  gtk_widget_set_valign (self->flow, GTK_ALIGN_START);
  gtk_widget_add_css_class (self->flow, "lm-cards");
  /* the Pinned section above the cards */
  self->pin_box = lm_pin_section_new (per_line, sort_pins, self, &self->pin_flow, &self->pin_count);
  gtk_widget_set_valign (content, GTK_ALIGN_START);
  gtk_widget_add_css_class (content, "lm-sections");
  gtk_box_append (GTK_BOX (content), self->pin_box);
  gtk_box_append (GTK_BOX (content), self->flow);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), content);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);

  self->empty_label = gtk_label_new ("Loading…");
  gtk_label_set_justify (GTK_LABEL (self->empty_label), GTK_JUSTIFY_CENTER);
  /* wrapped to the page (PR Curves' hint is a line of 90 characters) */
  gtk_label_set_wrap (GTK_LABEL (self->empty_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->empty_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (self->empty_label), 72);
  gtk_widget_set_margin_start (self->empty_label, 24);
  gtk_widget_set_margin_end (self->empty_label, 24);
  gtk_widget_add_css_class (self->empty_label, "lm-status-line");
  self->stack = gtk_stack_new ();
  gtk_stack_add_named (GTK_STACK (self->stack), self->empty_label, "empty");
  gtk_stack_add_named (GTK_STACK (self->stack), scroller, "cards");
  gtk_widget_set_vexpand (self->stack, TRUE);

  gtk_box_append (GTK_BOX (self), bar);
  gtk_box_append (GTK_BOX (self), self->warning);
  self->run_errors = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (self->run_errors), 0);
  gtk_label_set_wrap (GTK_LABEL (self->run_errors), TRUE);
  gtk_widget_add_css_class (self->run_errors, "lm-warning");
  gtk_widget_set_visible (self->run_errors, FALSE);
  gtk_box_append (GTK_BOX (self), self->run_errors);
  gtk_box_append (GTK_BOX (self), self->stack);
  gtk_widget_add_css_class (GTK_WIDGET (self), "lm-dashboard");

  /* either change: resync the cards, now or once on screen */
  g_signal_connect_swapped (feed, "changed", G_CALLBACK (on_source_changed), self);
  g_signal_connect_swapped (selection, "changed", G_CALLBACK (on_source_changed), self);
  g_signal_connect (self, "map", G_CALLBACK (ensure_synced), NULL);
  lm_dash_feed_follow_mapped (GTK_WIDGET (self), feed);
  sync_cards (self);
  return GTK_WIDGET (self);
}

LmRecordFeed *
lm_record_dashboard_get_feed (LmRecordDashboard *self)
{
  return self->feed;
}

GtkWidget *
lm_record_dashboard_get_filter_entry (LmRecordDashboard *self)
{
  return self->entry;
}

gboolean
lm_record_dashboard_set_filter (LmRecordDashboard *self, const char *regex, GError **error)
{
  GRegex *re = NULL;

  if (regex != NULL && *regex)
    {
      re = g_regex_new (regex, G_REGEX_CASELESS, 0, error);
      if (re == NULL)
        {
          g_autofree char *t = g_strdup_printf ("Invalid regular expression; still showing the last valid filter (%s)",
                                                error && *error ? (*error)->message : "syntax error");

          gtk_label_set_text (GTK_LABEL (self->warning), t);
          gtk_widget_set_visible (self->warning, TRUE);
          return FALSE;
        }
    }
  gtk_widget_set_visible (self->warning, FALSE);
  g_clear_pointer (&self->regex, g_regex_unref);
  self->regex = re;
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->entry)), regex ? regex : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->entry), regex ? regex : "");
  sync_cards (self);
  return TRUE;
}

void
lm_record_dashboard_set_histogram_mode (LmRecordDashboard *self, int mode)
{
  GHashTableIter it;
  gpointer v;

  if (self->kind != LM_DASHBOARD_HISTOGRAMS || self->hist_mode == mode)
    return;
  self->hist_mode = mode;
  if (gtk_drop_down_get_selected (GTK_DROP_DOWN (self->mode_drop)) != (guint) mode)
    gtk_drop_down_set_selected (GTK_DROP_DOWN (self->mode_drop), (guint) mode);
  for (int t = 0; t < 2; t++)
    {
      g_hash_table_iter_init (&it, t ? self->pin_cards : self->cards);
      while (g_hash_table_iter_next (&it, NULL, &v))
        lm_histogram_view_set_mode (LM_HISTOGRAM_VIEW (body_of (v)), mode);
    }
  for (guint i = 0; i < self->larger->len; i++)
    lm_histogram_view_set_mode (self->larger->pdata[i], mode);
  g_signal_emit (self, signals[HISTOGRAM_MODE_CHANGED], 0);
}

int
lm_record_dashboard_get_histogram_mode (LmRecordDashboard *self)
{
  g_return_val_if_fail (LM_IS_RECORD_DASHBOARD (self), LM_HISTOGRAM_OFFSET);
  return self->hist_mode;
}

void
lm_record_dashboard_set_x_axis (LmRecordDashboard *self, LmXAxis axis)
{
  GHashTableIter it;
  gpointer v;

  g_return_if_fail (LM_IS_RECORD_DASHBOARD (self));
  self->x_axis = axis;
  for (int t = 0; t < 2; t++)
    {
      g_hash_table_iter_init (&it, t ? self->pin_cards : self->cards);
      while (g_hash_table_iter_next (&it, NULL, &v))
        chart_body_set_x_axis (body_of (v), axis);
    }
  for (guint i = 0; i < self->larger->len; i++)
    chart_body_set_x_axis (self->larger->pdata[i], axis);
}

void
lm_record_dashboard_set_linked_steps (LmRecordDashboard *self, const LmStepSelection *sel)
{
  GHashTableIter it;
  gpointer v;
  LmStepSelection want;

  g_return_if_fail (LM_IS_RECORD_DASHBOARD (self));
  want = lm_step_selection_normalize (sel);
  /* the same again (the other linked selection changed, or the axis):
   * a slider the user moved since stays */
  if (lm_step_selection_equal (&want, &self->linked))
    return;
  self->linked = want;
  for (int t = 0; t < 2; t++)
    {
      g_hash_table_iter_init (&it, t ? self->pin_cards : self->cards);
      while (g_hash_table_iter_next (&it, NULL, &v))
        link_card (self, body_of (v));
    }
  for (guint i = 0; i < self->larger->len; i++)
    link_card (self, self->larger->pdata[i]);
}

const char *
lm_record_dashboard_get_badge (LmRecordDashboard *self, const char *run_name, const char *tag)
{
  g_autofree char *key = card_key (self, run_name, tag);
  GtkWidget *child, *badge;

  g_return_val_if_fail (LM_IS_RECORD_DASHBOARD (self), NULL);
  ensure_synced (self);
  child = g_hash_table_lookup (self->cards, key);
  badge = child ? g_object_get_data (G_OBJECT (child), "lm-badge") : NULL;
  return badge != NULL && gtk_widget_get_visible (badge) ? gtk_label_get_text (GTK_LABEL (badge)) : NULL;
}

/* The body of (tag, run)'s card in `cards`, or NULL. */
static GtkWidget *
find_body (LmRecordDashboard *self, GHashTable *cards, const char *run_name, const char *tag)
{
  g_autofree char *key = card_key (self, run_name, tag);
  GtkWidget *child;

  ensure_synced (self);
  child = g_hash_table_lookup (cards, key);
  return child ? body_of (child) : NULL;
}

GtkWidget *
lm_record_dashboard_find_card (LmRecordDashboard *self, const char *run_name, const char *tag)
{
  return find_body (self, self->cards, run_name, tag);
}

guint
lm_record_dashboard_get_n_cards (LmRecordDashboard *self)
{
  ensure_synced (self);
  return g_hash_table_size (self->cards);
}

gboolean
lm_record_dashboard_is_settled (LmRecordDashboard *self)
{
  GHashTableIter it;
  gpointer v;

  if (!lm_record_feed_get_loaded (self->feed))
    return FALSE;
  if (self->kind != LM_DASHBOARD_IMAGES && self->kind != LM_DASHBOARD_AUDIO && self->kind != LM_DASHBOARD_MESH)
    return TRUE;
  ensure_synced (self);
  for (int t = 0; t < 2; t++)
    {
      g_hash_table_iter_init (&it, t ? self->pin_cards : self->cards);
      while (g_hash_table_iter_next (&it, NULL, &v))
        if (self->kind == LM_DASHBOARD_IMAGES  ? !lm_image_card_is_settled (LM_IMAGE_CARD (body_of (v)))
            : self->kind == LM_DASHBOARD_MESH ? !lm_mesh_card_is_settled (LM_MESH_CARD (body_of (v)))
                                              : !lm_audio_card_is_settled (LM_AUDIO_CARD (body_of (v))))
          return FALSE;
    }
  return TRUE;
}

const char *
lm_record_dashboard_get_run_errors (LmRecordDashboard *self)
{
  g_return_val_if_fail (LM_IS_RECORD_DASHBOARD (self), "");
  ensure_synced (self);
  return gtk_widget_get_visible (self->run_errors) ? gtk_label_get_text (GTK_LABEL (self->run_errors)) : "";
}

gboolean
lm_record_dashboard_set_pinned (LmRecordDashboard *self, const char *run_name, const char *tag, gboolean pinned)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (LM_IS_RECORD_DASHBOARD (self), FALSE);
  g_return_val_if_fail (run_name != NULL && tag != NULL, FALSE);
  key = card_key (self, run_name, tag);
  if (!has_pins (self->kind) || !lm_pins_set (self->pinned, key, pinned))
    return FALSE;
  sync_cards (self);
  g_signal_emit (self, signals[PINS_CHANGED], 0);
  return TRUE;
}

gboolean
lm_record_dashboard_is_pinned (LmRecordDashboard *self, const char *run_name, const char *tag)
{
  g_autofree char *key = card_key (self, run_name, tag);

  g_return_val_if_fail (LM_IS_RECORD_DASHBOARD (self), FALSE);
  return lm_pins_index (self->pinned, key) >= 0;
}

void
lm_record_dashboard_set_pinned_keys (LmRecordDashboard *self, const char *const *keys)
{
  g_return_if_fail (LM_IS_RECORD_DASHBOARD (self));
  if (!has_pins (self->kind))
    return;
  lm_pins_replace (self->pinned, keys);
  sync_cards (self);
}

GPtrArray *
lm_record_dashboard_get_pinned_keys (LmRecordDashboard *self)
{
  g_return_val_if_fail (LM_IS_RECORD_DASHBOARD (self), NULL);
  return self->pinned;
}

GtkWidget *
lm_record_dashboard_find_pinned_card (LmRecordDashboard *self, const char *run_name, const char *tag)
{
  return find_body (self, self->pin_cards, run_name, tag);
}

guint
lm_record_dashboard_get_n_pinned_shown (LmRecordDashboard *self)
{
  g_return_val_if_fail (LM_IS_RECORD_DASHBOARD (self), 0);
  ensure_synced (self);
  return g_hash_table_size (self->pin_cards);
}

GtkWidget *
lm_record_dashboard_get_larger_button (GtkWidget *card)
{
  return g_object_get_data (G_OBJECT (card), "lm-larger-button");
}

GtkToggleButton *
lm_record_dashboard_get_pin_button (GtkWidget *card)
{
  return g_object_get_data (G_OBJECT (card), "lm-pin");
}
