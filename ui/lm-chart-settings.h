/* lm-chart-settings.h: settings every scalar chart shares.
 *
 * What it is for: TensorBoard's scalar settings in one object the sidebar
 * edits and every chart listens to: smoothing weight (0..0.999, default
 * 0.6 like TensorBoard), horizontal axis (step / relative / wall),
 * "ignore outliers in chart scaling", the tooltip sorting method and
 * "enable step selection and data table" (on by default; it acts on a
 * Step axis only, as in TensorBoard).  Log scale is per card.
 */
#pragma once

#include <glib-object.h>

#include "lumen-data.h"
#include "lm-plot.h"

G_BEGIN_DECLS

#define LM_TYPE_CHART_SETTINGS (lm_chart_settings_get_type ())
G_DECLARE_FINAL_TYPE (LmChartSettings, lm_chart_settings, LM, CHART_SETTINGS, GObject)

#define LM_DEFAULT_SMOOTHING 0.6

LmChartSettings *lm_chart_settings_new (void);

double   lm_chart_settings_get_smoothing       (LmChartSettings *self);
void     lm_chart_settings_set_smoothing       (LmChartSettings *self, double weight);
LmXAxis  lm_chart_settings_get_x_axis          (LmChartSettings *self);
void     lm_chart_settings_set_x_axis          (LmChartSettings *self, LmXAxis axis);
gboolean lm_chart_settings_get_ignore_outliers (LmChartSettings *self);
void     lm_chart_settings_set_ignore_outliers (LmChartSettings *self, gboolean ignore);
LmTooltipSort lm_chart_settings_get_tooltip_sort (LmChartSettings *self);
void     lm_chart_settings_set_tooltip_sort    (LmChartSettings *self, LmTooltipSort sort);
gboolean lm_chart_settings_get_step_selection  (LmChartSettings *self);
void     lm_chart_settings_set_step_selection  (LmChartSettings *self, gboolean enabled);

/* Every setting of other into self (a window opened from another starts
 * with its settings; a setting added later comes along by itself). */
void     lm_chart_settings_copy_from           (LmChartSettings *self, LmChartSettings *other);

/* "step" / "relative" / "wall" <-> LmXAxis; FALSE for an unknown name. */
gboolean lm_x_axis_from_string (const char *name, LmXAxis *axis);

G_END_DECLS
