/* lm-record-dashboard.h: the histograms, distributions, images, audio,
 * text, PR curves and mesh dashboards.
 *
 * What it is for: one card per (tag, run) -- per tag for PR curves, whose
 * card draws a line per run, as TensorBoard's -- for the shown runs (the shared
 * LmRunSelection: run filter and visibility toggles), sorted by tag then
 * run, with a regex tag filter (an invalid regex shows a warning and keeps
 * the last good filter) and an explanatory page when there is nothing to
 * show.  Cards appear and grow live: the dashboard's LmRecordFeed polls
 * while the dashboard is on screen.  The histogram dashboard also offers
 * TensorBoard's offset/overlay mode; histogram and distribution cards
 * follow the horizontal axis setting (step / relative / wall) and show
 * their NaN and +-Inf counts in the card header.  Linked by step,
 * histogram, image and audio cards follow the step selected on a scalar
 * card.
 *
 * Pinned cards (TensorBoard's pin; histograms, distributions, images, audio,
 * PR curves and meshes): a card's pin button puts a second card for its
 * (tag, run) in a Pinned section above the cards, in the order pinned, as LmCardGrid does for
 * scalars: the tag filter does not hide it, unpinning works from either
 * card, and a pinned card no run has (yet) is kept and shows when logged.
 * A pin's key is "tag\nrun" ("tag\n" for a PR curve card).
 *
 * Signals: "pins-changed" (the user pinned or unpinned a card).
 *
 * What it is not for: scalars (LmCardGrid) or hparams (LmHparamsView).
 */
#pragma once

#include <gtk/gtk.h>

#include "lumen-data.h"
#include "lm-plot.h"
#include "lm-run-selection.h"

G_BEGIN_DECLS

typedef enum {
  LM_DASHBOARD_HISTOGRAMS,
  LM_DASHBOARD_DISTRIBUTIONS,
  LM_DASHBOARD_IMAGES,
  LM_DASHBOARD_TEXT,
  LM_DASHBOARD_PR_CURVES,
  LM_DASHBOARD_AUDIO,
  LM_DASHBOARD_MESH,
} LmDashboardKind;

#define LM_TYPE_RECORD_DASHBOARD (lm_record_dashboard_get_type ())
G_DECLARE_FINAL_TYPE (LmRecordDashboard, lm_record_dashboard, LM, RECORD_DASHBOARD, GtkBox)

/* feed: of the kind the dashboard shows (histograms for the histogram and
 * distribution dashboards).  loader: an LmImageLoader for images, an
 * LmAudioLoader for audio, an LmMeshLoader for meshes, else NULL. */
GtkWidget    *lm_record_dashboard_new          (LmDashboardKind kind, LmRunSelection *selection,
                                                LmRecordFeed *feed, gpointer loader);
LmRecordFeed *lm_record_dashboard_get_feed     (LmRecordDashboard *self);
GtkWidget    *lm_record_dashboard_get_filter_entry (LmRecordDashboard *self);
gboolean      lm_record_dashboard_set_filter   (LmRecordDashboard *self, const char *regex, GError **error);
/* Histograms only: the mode of every card (LmHistogramMode), as the
 * page's Offset/Overlay switch; "histogram-mode-changed" when it
 * changes. */
void          lm_record_dashboard_set_histogram_mode (LmRecordDashboard *self, int mode);
int           lm_record_dashboard_get_histogram_mode (LmRecordDashboard *self);
/* Histograms and distributions: the offset / x axis of every card. */
void          lm_record_dashboard_set_x_axis   (LmRecordDashboard *self, LmXAxis axis);
/* Link by step (lm-chart-settings.h): histogram cards emphasise the
 * selected steps, image and audio cards move their slider to the selected
 * step; cards made later start so.  Other kinds ignore it. */
void          lm_record_dashboard_set_linked_steps (LmRecordDashboard *self, const LmStepSelection *sel);
/* The NaN/Inf badge text of a histogram or distribution card ("2 NaN,
 * 1 +Inf"), NULL when it shows none. */
const char   *lm_record_dashboard_get_badge    (LmRecordDashboard *self, const char *run_name, const char *tag);
/* The card body (LmHistogramView, LmDistributionView, LmImageCard,
 * LmAudioCard, LmMeshCard, LmTextCard or LmPrCurveView) for a run and tag, or NULL; PR curve cards
 * are per tag: their run_name is ignored (pass ""). */
GtkWidget    *lm_record_dashboard_find_card    (LmRecordDashboard *self, const char *run_name, const char *tag);
guint         lm_record_dashboard_get_n_cards  (LmRecordDashboard *self);
/* The warning about runs whose records could not all be read ("" if none). */
const char   *lm_record_dashboard_get_run_errors (LmRecordDashboard *self);
/* The feed has read every run and the cards show it (images: every card
 * in or near the view has its selected image on screen; audio and mesh:
 * every card's selected clip or mesh is drawn, or its error shown). */
gboolean      lm_record_dashboard_is_settled   (LmRecordDashboard *self);

/* FALSE when it was already so (and for text, which has no pins).  A PR
 * curve card is per tag: its run_name is ignored ("" will do). */
gboolean      lm_record_dashboard_set_pinned   (LmRecordDashboard *self, const char *run_name, const char *tag,
                                                gboolean pinned);
gboolean      lm_record_dashboard_is_pinned    (LmRecordDashboard *self, const char *run_name, const char *tag);
/* Replaces the pins ("tag\nrun" keys, "tag\n" for PR curves, in order;
 * settings.ini), without
 * "pins-changed". */
void          lm_record_dashboard_set_pinned_keys (LmRecordDashboard *self, const char *const *keys);
/* The keys in the order pinned, shown or not (owned by the dashboard). */
GPtrArray    *lm_record_dashboard_get_pinned_keys (LmRecordDashboard *self);
/* The body of the Pinned section's card (as find_card), or NULL. */
GtkWidget    *lm_record_dashboard_find_pinned_card (LmRecordDashboard *self, const char *run_name, const char *tag);
guint         lm_record_dashboard_get_n_pinned_shown (LmRecordDashboard *self);
/* The pin button of a card's header (`card`: from find_card or
 * find_pinned_card); NULL for text. */
GtkToggleButton *lm_record_dashboard_get_pin_button (GtkWidget *card);
/* The "View larger" button of a histogram or distribution card's header
 * (TensorBoard's full size toggle): it opens the chart, live, in a window
 * titled "tag · run"; NULL for the other kinds. */
GtkWidget    *lm_record_dashboard_get_larger_button (GtkWidget *card);

G_END_DECLS
