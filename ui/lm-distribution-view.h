/* lm-distribution-view.h: one run's histogram tag as bands over steps.
 *
 * What it is for: TensorBoard's distributions card body: for every step,
 * the nine compressed-histogram values (min, 7%, 16%, 31%, 50%, 69%, 84%,
 * 93%, max); nested bands between symmetric pairs, darker towards the
 * median, the min/max envelope outermost, the median as a line, against
 * step, relative or wall time (the sidebar's horizontal axis).  The
 * bands stay within the finite values' range (+-Inf count at its ends;
 * the card header counts NaN and +-Inf).
 * Hover names the step and its values.  Steps whose histogram cannot be used
 * leave a gap; a tag with no usable step shows a placeholder.
 *
 * What it is not for: reading data (the LmRecordFeed holds it).
 */
#pragma once

#include <gtk/gtk.h>

#include "lumen-data.h"

G_BEGIN_DECLS

#define LM_TYPE_DISTRIBUTION_VIEW (lm_distribution_view_get_type ())
G_DECLARE_FINAL_TYPE (LmDistributionView, lm_distribution_view, LM, DISTRIBUTION_VIEW, GtkWidget)

GtkWidget *lm_distribution_view_new     (LmRecordFeed *feed, const char *run_name,
                                         const char *tag, const GdkRGBA *color);
void       lm_distribution_view_refresh (LmDistributionView *self);
/* What the x axis shows: step, relative or wall time. */
void       lm_distribution_view_set_x_axis (LmDistributionView *self, LmXAxis axis);
/* For tests: steps with usable percentiles, and the hover text at x. */
guint      lm_distribution_view_get_n_steps (LmDistributionView *self);
char      *lm_distribution_view_describe_at (LmDistributionView *self, double x);
/* Steps drawn in the last frame (none by a card skipped off screen). */
guint      lm_distribution_view_get_n_drawn (LmDistributionView *self);
/* The x of axis value t (a step, or seconds), NaN with nothing drawn. */
double     lm_distribution_view_axis_to_x   (LmDistributionView *self, double t);
/* The y of value v, NaN with nothing drawn. */
double     lm_distribution_view_value_to_y  (LmDistributionView *self, double v);

G_END_DECLS
