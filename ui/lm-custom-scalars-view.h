/* lm-custom-scalars-view.h: TensorBoard's Custom Scalars, at the top of
 * the Scalars view.
 *
 * What it is for: the layouts the runs logged (lm_writer_add_custom_scalars),
 * merged as TensorBoard merges them, shown as one collapsible group per
 * category, above Pinned, each chart a card (lm_scalar_card_new_custom):
 * Multiline charts a line per (run, matching tag), Margin charts a line
 * per run over its lower..upper band.  The cards follow the run list's
 * visibility and filter, smoothing, x axis and tooltip settings like every
 * scalar card.  Followed live: a layout logged later shows up.  Hidden
 * while no run has a layout.  A section of the Scalars view rather than a
 * tenth view: the charts are scalar charts, and the header's nine views
 * (Ctrl+1..9) must fit 860 px.
 *
 * What it is not for: the tag cards below it (LmCardGrid) or reading files
 * (an LmRecordFeed of kind LM_RECORD_CUSTOM_SCALARS).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-chart-settings.h"
#include "lm-run-selection.h"
#include "lm-scalar-card.h"

G_BEGIN_DECLS

#define LM_TYPE_CUSTOM_SCALARS_VIEW (lm_custom_scalars_view_get_type ())
G_DECLARE_FINAL_TYPE (LmCustomScalarsView, lm_custom_scalars_view, LM, CUSTOM_SCALARS_VIEW, GtkBox)

GtkWidget      *lm_custom_scalars_view_new            (LmRunSelection  *selection,
                                                       LmChartSettings *settings);
/* Reads the runs' layouts (and follows them) while active; the Scalars
 * view makes it active while it is shown (the section itself is hidden
 * until a layout arrives, so its own mapping cannot tell). */
void            lm_custom_scalars_view_set_active     (LmCustomScalarsView *self, gboolean active);
/* The scrolled window the cards live in (charts off screen skip drawing). */
void            lm_custom_scalars_view_set_viewport   (LmCustomScalarsView *self, GtkWidget *viewport);
void            lm_custom_scalars_view_viewport_changed (LmCustomScalarsView *self);
/* Every run's layout was read and every card shown has drawn. */
gboolean        lm_custom_scalars_view_is_settled     (LmCustomScalarsView *self);
/* The merged layout shown (NULL before any), its cards in layout order. */
LmCustomScalars *lm_custom_scalars_view_get_layout    (LmCustomScalarsView *self);
guint           lm_custom_scalars_view_get_n_cards    (LmCustomScalarsView *self);
LmScalarCard   *lm_custom_scalars_view_get_card       (LmCustomScalarsView *self, guint i);
/* The header (a toggle button: active while open) of the category
 * titled `title`, NULL when there is none (tests). */
GtkWidget      *lm_custom_scalars_view_get_category_header (LmCustomScalarsView *self, const char *title);
/* The poll interval of its feed (tests). */
void            lm_custom_scalars_view_set_poll_interval (LmCustomScalarsView *self, guint poll_ms);

G_END_DECLS
