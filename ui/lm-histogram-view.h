/* lm-histogram-view.h: one run's histogram tag over steps.
 *
 * What it is for: TensorBoard's histogram card body.  "Offset" mode
 * stacks one curve per step (oldest at the back/top, newest in front/at
 * the bottom), each at its own place on the offset axis: its step,
 * relative time or wall time (the sidebar's horizontal axis), so unevenly
 * spaced steps are spaced unevenly; "overlay" mode draws every step on one baseline, older
 * steps lighter.  Each step is re-binned into 30 equal-width bins over the
 * range all shown steps share (finite values only: the card header counts
 * NaN and +-Inf).  Hovering names the step, the bin's value range and its
 * count; dragging vertically (offset mode) selects a step
 * range, double-click resets it.  Of more than 50 steps (TensorBoard's
 * samples per tag), or more than the pixel rows can show, evenly spaced
 * steps (always the first and last) are drawn.
 * Link by step (lm-chart-settings.h): the histogram nearest the
 * selected step, as TensorBoard's closest step, is drawn in the run's
 * colour over the others, which fade, or for a range every step in it
 * (clipped to the card's steps); the top right says which ("step 120
 * (nearest to 125)").
 *
 * What it is not for: reading data (the LmRecordFeed holds it).
 */
#pragma once

#include <gtk/gtk.h>

#include "lumen-data.h"
#include "lm-plot.h"

G_BEGIN_DECLS

typedef enum { LM_HISTOGRAM_OFFSET, LM_HISTOGRAM_OVERLAY } LmHistogramMode;

/* "offset" or "overlay" (any case), as --histogram-mode and settings.ini
 * spell them: FALSE for anything else. */
gboolean    lm_histogram_mode_from_string (const char *text, LmHistogramMode *mode);
const char *lm_histogram_mode_to_string   (LmHistogramMode mode);

#define LM_HISTOGRAM_BINS 30

#define LM_TYPE_HISTOGRAM_VIEW (lm_histogram_view_get_type ())
G_DECLARE_FINAL_TYPE (LmHistogramView, lm_histogram_view, LM, HISTOGRAM_VIEW, GtkWidget)

GtkWidget *lm_histogram_view_new       (LmRecordFeed *feed, const char *run_name,
                                        const char *tag, const GdkRGBA *color);
void       lm_histogram_view_set_mode  (LmHistogramView *self, LmHistogramMode mode);
/* What the offset axis shows: step, relative or wall time. */
void       lm_histogram_view_set_x_axis (LmHistogramView *self, LmXAxis axis);
/* Steps shown, inclusive; lo > hi shows all. */
void       lm_histogram_view_set_step_range (LmHistogramView *self, gint64 lo, gint64 hi);
gboolean   lm_histogram_view_get_step_range (LmHistogramView *self, gint64 *lo, gint64 *hi);
/* Link by step: the steps to emphasise (NULL or !active: none). */
void       lm_histogram_view_set_linked_steps (LmHistogramView *self, const LmStepSelection *sel);
/* The feed changed: re-read the series. */
void       lm_histogram_view_refresh   (LmHistogramView *self);

/* For tests: the plot box in widget coordinates, the x of a value, and
 * the hover text at a point (NULL when nothing is under it). */
gboolean   lm_histogram_view_get_plot_area (LmHistogramView *self, graphene_rect_t *area);
double     lm_histogram_view_value_to_x    (LmHistogramView *self, double value);
char      *lm_histogram_view_describe_at   (LmHistogramView *self, double x, double y);
/* Steps drawn in the last frame (none by a card skipped off screen). */
guint      lm_histogram_view_get_n_drawn   (LmHistogramView *self);
/* Offset mode: the y of a shown step's baseline (NaN if not shown), and
 * the y where the offset axis puts value t (its tick labels' place). */
double     lm_histogram_view_get_baseline  (LmHistogramView *self, gint64 step);
double     lm_histogram_view_axis_to_y     (LmHistogramView *self, double t);

G_END_DECLS
