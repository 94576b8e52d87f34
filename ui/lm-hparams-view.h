/* lm-hparams-view.h: the hyperparameters dashboard.
 *
 * What it is for: TensorBoard's HParams table, parallel-coordinates and
 * scatter-plot-matrix views in one page: a row per shown run that logged
 * hparams, a column per hyperparameter and per metric tag (its final
 * value: the last row at the largest step), sortable by any column (click
 * a header) and filterable with a regex over run names and values; below
 * the table, a switcher between the parallel coordinates and the scatter
 * plot matrix.  A left pane, as TensorBoard's, shows or hides each column
 * (in the table and both plots) and filters runs by it: a checkbox per
 * value of a string or bool hparam, a min/max interval for numbers.
 * Selecting a run in the table or clicking its line or point in a plot
 * highlights it everywhere (LmRunSelection's highlighted run, which the
 * scalar charts draw on top).  Live: follows its LmRecordFeed while on
 * screen.
 *
 * What it is not for: editing hparams or launching runs.
 */
#pragma once

#include <gtk/gtk.h>

#include "lumen-data.h"
#include "lm-run-selection.h"

G_BEGIN_DECLS

#define LM_TYPE_HPARAMS_VIEW (lm_hparams_view_get_type ())
G_DECLARE_FINAL_TYPE (LmHparamsView, lm_hparams_view, LM, HPARAMS_VIEW, GtkBox)

/* feed: an LM_RECORD_HPARAMS feed. */
GtkWidget   *lm_hparams_view_new        (LmRunSelection *selection, LmRecordFeed *feed);
gboolean     lm_hparams_view_set_filter (LmHparamsView *self, const char *regex, GError **error);
GtkWidget   *lm_hparams_view_get_filter_entry (LmHparamsView *self);
GtkColumnView *lm_hparams_view_get_column_view (LmHparamsView *self);
GtkWidget   *lm_hparams_view_get_parallel_coords (LmHparamsView *self);
/* Rows after filtering, in display order. */
guint        lm_hparams_view_get_n_rows (LmHparamsView *self);
/* Run name and the display text of column `column` (0 = run) of row i. */
char        *lm_hparams_view_get_cell   (LmHparamsView *self, guint row, guint column);
/* Sorts by a column (0 = run), as clicking its header does. */
void         lm_hparams_view_sort_by    (LmHparamsView *self, guint column, gboolean descending);
gboolean     lm_hparams_view_is_settled (LmHparamsView *self);
GtkWidget   *lm_hparams_view_get_scatter (LmHparamsView *self);
/* The plot under the table: "parallel" or "scatter"; FALSE for another name. */
gboolean     lm_hparams_view_set_plot   (LmHparamsView *self, const char *name);
const char  *lm_hparams_view_get_plot   (LmHparamsView *self);
/* The left pane, as clicks on it would (column as in get_cell: 1 is the
 * first hparam); FALSE when the column has no such control.  min/max:
 * the entries' text, NULL or "" for no bound. */
gboolean     lm_hparams_view_set_column_visible (LmHparamsView *self, guint column, gboolean visible);
gboolean     lm_hparams_view_set_value_shown    (LmHparamsView *self, guint column, const char *value,
                                                 gboolean shown);
gboolean     lm_hparams_view_set_interval       (LmHparamsView *self, guint column, const char *min,
                                                 const char *max);

G_END_DECLS
