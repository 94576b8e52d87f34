/* lm-card-grid.h: the scalar dashboard: cards grouped by tag prefix.
 *
 * What it is for: one LmScalarCard per scalar tag of any run, grouped by
 * the part of the tag before the first '/' (TensorBoard's grouping) into
 * collapsible sections (train, val, eval and test first, then by name), with a regex tag filter (an invalid regex shows a
 * warning and keeps the last good filter) and an explanatory page when
 * there is nothing to show (no log directory, no runs, no scalars yet,
 * nothing matches).  Cards appear as tags appear, live.
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
GtkWidget    *lm_card_grid_get_filter_entry (LmCardGrid *self);
LmScalarCard *lm_card_grid_find_card      (LmCardGrid *self, const char *tag);
/* Cards the filter lets through. */
guint         lm_card_grid_get_n_shown    (LmCardGrid *self);
/* Every card on screen has drawn its current data. */
gboolean      lm_card_grid_is_up_to_date  (LmCardGrid *self);
/* Every card on screen has drawn some data (the first screen is up,
 * perhaps still filling in). */
gboolean      lm_card_grid_first_screen_drawn (LmCardGrid *self);
/* Resets the zoom of every chart. */
void          lm_card_grid_reset_zoom     (LmCardGrid *self);

G_END_DECLS
