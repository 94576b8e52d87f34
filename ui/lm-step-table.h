/* lm-step-table.h: the data table under a scalar card's chart.
 *
 * What it is for: TensorBoard's data table of the step selection: per
 * shown run its colour and name and, at the selected step, the smoothed
 * value (when smoothing is on), the value, the step and the relative
 * time; over a range, the start and end value, the change, min, max and
 * mean.  Above it the step (or range), a Copy button (the table as
 * tab-separated text, for a spreadsheet) and a Clear button.  Hidden
 * while nothing is selected; it follows the chart's
 * "step-selection-changed".
 *
 * What it is not for: choosing the step (LmChart) or computing the values
 * (lm_plot_step_rows).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-chart.h"

G_BEGIN_DECLS

#define LM_TYPE_STEP_TABLE (lm_step_table_get_type ())
G_DECLARE_FINAL_TYPE (LmStepTable, lm_step_table, LM, STEP_TABLE, GtkBox)

GtkWidget *lm_step_table_new     (LmChart *chart);
/* The cell at (column, row) as shown, row 0 being the headings; NULL
 * outside the table (tests). */
const char *lm_step_table_get_cell (LmStepTable *self, int column, int row);
/* How many times the table was filled (tests: a live sweep's poll,
 * every run telling of new rows, fills it once, not once a run). */
guint      lm_step_table_get_n_refreshes (LmStepTable *self);
/* Puts the table's text on the clipboard, as the Copy button does. */
void       lm_step_table_copy    (LmStepTable *self);

G_END_DECLS
