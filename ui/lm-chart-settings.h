/* lm-chart-settings.h: settings every scalar chart shares.
 *
 * What it is for: TensorBoard's scalar settings in one object the sidebar
 * edits and every chart listens to: smoothing weight (0..0.999, default
 * 0.6 like TensorBoard), horizontal axis (step / relative / wall),
 * "ignore outliers in chart scaling", the tooltip sorting method and
 * "enable step selection and data table" (on by default; it acts on a
 * Step axis only, as in TensorBoard) and "link by step" (off by default,
 * as in TensorBoard).  Log scale is per card.
 *
 * Link by step (TensorBoard's linked time): the step or range last
 * selected on any scalar card is kept here (lm_chart_settings_set_linked_steps,
 * which the charts call for every selection the user makes); while the
 * link is on, with step selection on and a Step axis, it is the "linked
 * selection" every card follows: scalar cards select it, histogram cards
 * emphasise its steps.  Image and audio cards, whose slider is in steps
 * whatever the axis, move it to the selection on every axis, as
 * TensorBoard's image cards follow linked time.  Another axis keeps the
 * selection, hidden, for the Step axis again.  A card made later starts
 * from it.  "linked-steps-changed" is emitted whenever either linked
 * selection (lm_chart_settings_get_linked_steps, ..._any_axis) changes,
 * including when the link, step selection or the axis turn it on or off.
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
gboolean lm_chart_settings_get_link_by_step    (LmChartSettings *self);
void     lm_chart_settings_set_link_by_step    (LmChartSettings *self, gboolean linked);

/* The selection a scalar card made last (NULL or !active: none; a range
 * is kept ordered, a single step has end == start). */
void     lm_chart_settings_set_linked_steps    (LmChartSettings *self, const LmStepSelection *sel);
/* What linked cards show: that selection while the link is in effect
 * (link by step, step selection, a Step axis), else none. */
LmStepSelection lm_chart_settings_get_linked_steps (LmChartSettings *self);
/* What linked image and audio cards show: that selection while link by
 * step and step selection are on, on any axis. */
LmStepSelection lm_chart_settings_get_linked_steps_any_axis (LmChartSettings *self);
/* The link is in effect (the three settings above). */
gboolean lm_chart_settings_steps_linked        (LmChartSettings *self);

/* Every setting of other into self (a window opened from another starts
 * with its settings; a setting added later comes along by itself); the
 * selection is not a setting and stays. */
void     lm_chart_settings_copy_from           (LmChartSettings *self, LmChartSettings *other);

/* "step" / "relative" / "wall" <-> LmXAxis; FALSE for an unknown name. */
gboolean lm_x_axis_from_string (const char *name, LmXAxis *axis);

G_END_DECLS
