/* lm-histogram.h: one logged histogram and the maths the views need.
 *
 * What it is for: a histogram row of a run file decoded and checked
 * (LmHistogram), TensorBoard's display re-binning (equal-width bins over a
 * shared range, each stored bucket's count spread uniformly over its
 * span) and TensorBoard's "compressed histogram" percentiles for the
 * distributions view (basis points 0, 668, 1587, 3085, 5000, 6915, 8413,
 * 9332, 10000, interpolated linearly within buckets).
 *
 * What it is not for: reading files (lm-records.c) or drawing (ui/).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LM_N_PERCENTILES 9
/* TensorBoard's NORMAL_HISTOGRAM_BPS: min, -1.5σ, -1σ, -0.5σ, median, ... max. */
extern const int lm_histogram_bps[LM_N_PERCENTILES];

typedef struct
{
  gint64 id, step;
  double wall_time;
  double count, min, max, sum, sum_squares;   /* NaN for NULL */
  gint64 nan_count;
  guint n_buckets;  /* as stored, less empty ones: a run of them is one */
  double *edges;    /* n_buckets + 1 ascending */
  double *counts;   /* n_buckets */
  char *error;      /* why this row cannot be drawn, or NULL */

  /* Values at -Inf and +Inf: 0 when min (max) is finite; the count of
   * the outermost bucket when it holds nothing else (the default
   * buckets put +-Inf, and values beyond +-1e20, in a bucket of their
   * own); -1 when there are some but their count is not known (uniform
   * or pre-computed buckets put them in the outermost bucket among
   * finite values). */
  double neg_inf, pos_inf;
  /* The buckets with finite values (first..last, no empty ones at the
   * ends) and the finite range they cover, pulled in to min and max. */
  guint first, last;
  double lo, hi;
} LmHistogram;

/* Decodes the blobs (little-endian float64) and checks them: an empty
 * histogram, blobs of the wrong length, NaN/unordered edges, negative
 * counts or no finite value at all set h->error (the row is kept so the
 * card can say so). */
LmHistogram *lm_histogram_new_from_blobs (gint64 id, gint64 step, double wall_time,
                                          double count, double min, double max,
                                          gint64 nan_count, guint bucket_count,
                                          const void *edges, gsize edges_len,
                                          const void *counts, gsize counts_len);
void         lm_histogram_free (LmHistogram *h);

/* The finite value range the histogram covers: the span of its
 * non-empty buckets, narrowed to [min, max] where those lie in it (a
 * fixed bucket grid often has empty buckets at both ends).  Buckets that
 * hold only infinities are left out.  FALSE for a histogram with an
 * error. */
gboolean     lm_histogram_range (const LmHistogram *h, double *lo, double *hi);

/* Spreads the buckets over n_bins equal-width bins spanning [lo, hi]
 * (TensorBoard's convertBins); out has n_bins entries.  Each bucket is
 * first clipped to lm_histogram_range; mass outside [lo, hi] and
 * buckets of infinities are dropped; a zero-width bucket counts fully
 * in its bin. */
void         lm_histogram_rebin (const LmHistogram *h, double lo, double hi,
                                 guint n_bins, double *out);

/* The nine values at lm_histogram_bps (TensorBoard's
 * compress_histogram, each bucket clipped to lm_histogram_range as
 * TensorBoard's data_compat clips the outer ones to min and max):
 * out[0] is the minimum, out[8] the maximum, every value within the
 * range.  Infinities count at the ends of the range. */
void         lm_histogram_percentiles (const LmHistogram *h, double out[LM_N_PERCENTILES]);

/* "2 NaN, 1 +Inf, 1 −Inf" for the values of the n histograms in `items`
 * that were not bucketed or are not drawn, summed over them ("… in 5
 * steps" when more than one step has some; "≥1 +Inf" where a count is
 * not known); NULL when every value is finite. */
char        *lm_histogram_describe_nonfinite (LmHistogram *const *items, guint n);

G_END_DECLS
