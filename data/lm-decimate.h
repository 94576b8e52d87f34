/* lm-decimate.h: per-pixel-column decimation of a scalar series.
 *
 * What it is for: turning up to millions of points into the few that a
 * chart of `columns` pixel columns needs, without hiding anything.  For
 * every column the first, last, smallest and largest point are kept (in
 * index order), so a polyline through the result covers exactly the pixels
 * a polyline through every point covers (the "M4" rule): a single spike
 * stays visible at any zoom, unlike TensorBoard's 1,000-point reservoir.
 * NaN and +-Inf values break the line and come back as markers; in log
 * scale, values <= 0 break the line too.  The smoothed line is decimated
 * the same way from the same columns.
 *
 * What it is not for: drawing (ui/lm-plot.c maps the points to pixels) or
 * choosing the view (the caller passes the x range).
 */
#pragma once

#include <glib.h>

#include "lm-series.h"

G_BEGIN_DECLS

typedef struct
{
  double x;   /* data units of the chosen axis */
  double y;   /* value; NaN marks a break in the line */
} LmPoint;

typedef enum {
  LM_MARK_NAN = 0,
  LM_MARK_POSINF,
  LM_MARK_NEGINF,
} LmMarkKind;

typedef struct
{
  double x;
  LmMarkKind kind;
} LmMarker;

typedef struct
{
  LmXAxis axis;
  double x0, x1;       /* visible x range, x0 < x1 */
  guint columns;       /* pixel columns across [x0, x1] */
  double smoothing;    /* TensorBoard weight, 0 (off) to 0.999 */
  gboolean log_y;
} LmDecimateParams;

typedef struct
{
  GArray *raw;         /* LmPoint, index order, plus one point either side */
  GArray *smooth;      /* LmPoint, same columns; empty when smoothing is 0 */
  GArray *markers;     /* LmMarker for non-finite values inside the view */
  gsize n_in_view;     /* points with x0 <= x <= x1 */
  double y_min, y_max; /* finite values (raw and smoothed) inside the view;
                        * y_min > y_max when there are none */
} LmDecimation;

void lm_decimation_init  (LmDecimation *d);
void lm_decimation_clear (LmDecimation *d);

void lm_series_decimate (LmSeries               *series,
                         const LmDecimateParams *params,
                         LmDecimation           *out);

/* A strided sample of about `max_sample` of the values with
 * lo <= x <= hi, appended to values_out (doubles): the smoothed values
 * when `smoothing` > 0 (the line the chart draws in full colour), the raw
 * ones otherwise; non-finite values (and values <= 0 when positive_only)
 * are left out.  For "ignore outliers" scaling.  Returns how many values
 * were appended. */
gsize lm_series_sample_values (LmSeries *series,
                               LmXAxis   axis,
                               double    lo,
                               double    hi,
                               double    smoothing,
                               gboolean  positive_only,
                               gsize     max_sample,
                               GArray   *values_out);

/* The y extent TensorBoard's line chart takes with "Ignore outliers in
 * chart scaling" on: the values are sorted (in place), those below the
 * 5th or above the 95th percentile (R-7 interpolation, as d3.quantile)
 * are dropped, and the extent of the rest is returned: sorted[ceil(h5)]
 * to sorted[floor(h95)] with hp = p * (n - 1).  With 1 or 2 values
 * nothing is dropped.  FALSE (and lo, hi untouched) when n is 0. */
gboolean lm_values_outlier_extent (double *values,
                                   gsize   n,
                                   double *lo,
                                   double *hi);

G_END_DECLS
