/* lm-run-selection.h: which runs the charts draw.
 *
 * What it is for: the run list's regex filter (a GtkFilterListModel over
 * the store, which the list shows) combined with each run's visibility
 * toggle; charts ask for the shown runs and redraw on "changed".  Also
 * relays the store's "run-data-changed" so a chart needs one connection.
 *
 * What it is not for: reading data or choosing colours.
 */
#pragma once

#include <gtk/gtk.h>

#include "lumen-data.h"

G_BEGIN_DECLS

#define LM_TYPE_RUN_SELECTION (lm_run_selection_get_type ())
G_DECLARE_FINAL_TYPE (LmRunSelection, lm_run_selection, LM, RUN_SELECTION, GObject)

LmRunSelection *lm_run_selection_new        (LmRunStore *store);
LmRunStore     *lm_run_selection_get_store  (LmRunSelection *self);
/* The runs that match the filter (the run list's model). */
GListModel     *lm_run_selection_get_model  (LmRunSelection *self);
/* Regex over run names (case-insensitive, like TensorBoard); "" shows
 * all.  An invalid regex leaves the filter as it was and sets *error. */
gboolean        lm_run_selection_set_filter (LmRunSelection *self,
                                             const char     *regex,
                                             GError        **error);
const char     *lm_run_selection_get_filter (LmRunSelection *self);
/* Runs matching the filter with their toggle on, in list order (owned by
 * the selection, valid until the next "changed"). */
GPtrArray      *lm_run_selection_get_shown  (LmRunSelection *self);
/* Turns every run matching the filter on or off. */
void            lm_run_selection_set_all_visible (LmRunSelection *self, gboolean visible);
/* One run picked by the user (hparams table or parallel coordinates):
 * charts draw it on top, the others faded.  NULL for none.  Emits
 * "highlight-changed". */
void            lm_run_selection_set_highlighted (LmRunSelection *self, const char *run_name);
const char     *lm_run_selection_get_highlighted (LmRunSelection *self);
/* A run's colour changed (lm_palette_set_run_color): emits "changed" so
 * every chart, card and table draws the new one. */
void            lm_run_selection_colors_changed (LmRunSelection *self);

G_END_DECLS
