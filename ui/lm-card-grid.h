/* lm-card-grid.h: the scalar dashboard: cards grouped by tag prefix.
 *
 * What it is for: one LmScalarCard per scalar tag of any run, grouped by
 * the part of the tag before the first '/' (TensorBoard's grouping) into
 * collapsible sections (train, val, eval and test first, then by name), with a regex tag filter (an invalid regex shows a
 * warning and keeps the last good filter) and an explanatory page when
 * there is nothing to show (no log directory, no runs, no scalars yet,
 * nothing matches).  Cards appear as tags appear, live.
 *
 * Pinned cards (TensorBoard's pin): a card's pin button puts a second card
 * for its tag in a Pinned section above the groups, in the order pinned;
 * the tag filter does not hide it; unpinning works from either card.  A
 * pinned tag no run has (yet) is kept and shows when a run logs it.
 *
 * Signals: "pins-changed" (the user pinned or unpinned a tag).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-scalar-card.h"

G_BEGIN_DECLS

#define LM_TYPE_CARD_GRID (lm_card_grid_get_type ())
G_DECLARE_FINAL_TYPE (LmCardGrid, lm_card_grid, LM, CARD_GRID, GtkBox)

GtkWidget    *lm_card_grid_new            (LmRunSelection  *selection,
                                           LmChartSettings *settings);
/* Sets the entry text too.  FALSE (and *error) for an invalid regex. */
gboolean      lm_card_grid_set_filter     (LmCardGrid *self, const char *regex, GError **error);
/* The Custom Scalars section on top (an LmCustomScalarsView). */
GtkWidget    *lm_card_grid_get_custom_scalars (LmCardGrid *self);
GtkWidget    *lm_card_grid_get_filter_entry (LmCardGrid *self);
LmScalarCard *lm_card_grid_find_card      (LmCardGrid *self, const char *tag);
/* Cards the filter lets through. */
guint         lm_card_grid_get_n_shown    (LmCardGrid *self);
/* Every card on screen has drawn its current data. */
gboolean      lm_card_grid_is_up_to_date  (LmCardGrid *self);
/* Every card on screen has drawn some data (the first screen is up,
 * perhaps still filling in). */
gboolean      lm_card_grid_first_screen_drawn (LmCardGrid *self);
/* Resets the zoom of every chart, the Custom Scalars ones and those of
 * cards viewed larger in windows of their own included. */
void          lm_card_grid_reset_zoom     (LmCardGrid *self);

/* Pins or unpins a tag (pinned last); TRUE and "pins-changed" when that
 * changed anything. */
gboolean      lm_card_grid_set_pinned     (LmCardGrid *self, const char *tag, gboolean pinned);
gboolean      lm_card_grid_is_pinned      (LmCardGrid *self, const char *tag);
/* Replaces the pinned tags (the saved ones, in order); no signal. */
void          lm_card_grid_set_pinned_tags (LmCardGrid *self, const char *const *tags);
/* The pinned tags in order, shown or not (owned by the grid). */
GPtrArray    *lm_card_grid_get_pinned_tags (LmCardGrid *self);
/* The card in the Pinned section (NULL when the tag is not pinned or no
 * run has it). */
LmScalarCard *lm_card_grid_find_pinned_card (LmCardGrid *self, const char *tag);
guint         lm_card_grid_get_n_pinned_shown (LmCardGrid *self);

G_END_DECLS
