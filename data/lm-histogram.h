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
  guint n_buckets;
  double *edges;    /* n_buckets + 1 ascending */
  double *counts;   /* n_buckets */
  char *error;      /* why this row cannot be drawn, or NULL */
} LmHistogram;

/* Decodes the blobs (little-endian float64) and checks them: an empty
 * histogram, blobs of the wrong length, NaN/unordered edges or negative
 * counts set h->error (the row is kept so the card can say so). */
LmHistogram *lm_histogram_new_from_blobs (gint64 id, gint64 step, double wall_time,
                                          double count, double min, double max,
                                          gint64 nan_count, guint bucket_count,
                                          const void *edges, gsize edges_len,
                                          const void *counts, gsize counts_len);
void         lm_histogram_free (LmHistogram *h);

/* The value range the histogram covers: [min, max] where those are
 * finite, else the outer edges.  FALSE for a histogram with an error. */
gboolean     lm_histogram_range (const LmHistogram *h, double *lo, double *hi);

/* Spreads the buckets over n_bins equal-width bins spanning [lo, hi]
 * (TensorBoard's convertBins); out has n_bins entries.  Mass outside the
 * range is dropped; a zero-width bucket counts fully in its bin. */
void         lm_histogram_rebin (const LmHistogram *h, double lo, double hi,
                                 guint n_bins, double *out);

/* The nine values at lm_histogram_bps (TensorBoard's
 * compress_histogram): out[0] is the minimum, out[8] the maximum. */
void         lm_histogram_percentiles (const LmHistogram *h, double out[LM_N_PERCENTILES]);

G_END_DECLS
