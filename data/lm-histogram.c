/* lm-histogram.c: histogram rows, re-binning and percentiles (see lm-histogram.h). */
#include "lm-histogram.h"

#include <math.h>
#include <string.h>

const int lm_histogram_bps[LM_N_PERCENTILES] = { 0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000 };

static double *
decode_f64 (const void *blob, guint n)
{
  const guint8 *p = blob;
  double *out = g_new (double, n);

  for (guint i = 0; i < n; i++)
    {
      guint64 bits;

      memcpy (&bits, p + 8 * (gsize) i, 8);
      bits = GUINT64_FROM_LE (bits);
      memcpy (&out[i], &bits, 8);
    }
  return out;
}

LmHistogram *
lm_histogram_new_from_blobs (gint64 id, gint64 step, double wall_time,
                             double count, double min, double max,
                             gint64 nan_count, guint bucket_count,
                             const void *edges, gsize edges_len,
                             const void *counts, gsize counts_len)
{
  LmHistogram *h = g_new0 (LmHistogram, 1);

  h->id = id;
  h->step = step;
  h->wall_time = wall_time;
  h->count = count;
  h->min = min;
  h->max = max;
  h->sum = h->sum_squares = NAN;
  h->nan_count = nan_count;

  if (bucket_count == 0)
    {
      h->error = g_strdup (nan_count > 0 ? "no buckets: every value was NaN"
                                         : "empty histogram (no buckets)");
      return h;
    }
  if (edges_len != 8 * ((gsize) bucket_count + 1) || counts_len != 8 * (gsize) bucket_count)
    {
      h->error = g_strdup_printf ("bucket blobs do not match bucket_count %u "
                                  "(edges %zu bytes, counts %zu bytes)",
                                  bucket_count, (size_t) edges_len, (size_t) counts_len);
      return h;
    }
  h->n_buckets = bucket_count;
  h->edges = decode_f64 (edges, bucket_count + 1);
  h->counts = decode_f64 (counts, bucket_count);
  for (guint i = 0; i <= bucket_count; i++)
    {
      if (!isfinite (h->edges[i]))
        {
          h->error = g_strdup_printf ("bucket edge %u is %s", i, isnan (h->edges[i]) ? "NaN" : "infinite");
          return h;
        }
      if (i > 0 && h->edges[i] < h->edges[i - 1])
        {
          h->error = g_strdup_printf ("bucket edges are not ascending at edge %u", i);
          return h;
        }
    }
  for (guint i = 0; i < bucket_count; i++)
    if (!(h->counts[i] >= 0) || isinf (h->counts[i]))
      {
        h->error = g_strdup_printf ("bucket %u has an invalid count", i);
        return h;
      }
  return h;
}

void
lm_histogram_free (LmHistogram *h)
{
  if (h == NULL)
    return;
  g_free (h->edges);
  g_free (h->counts);
  g_free (h->error);
  g_free (h);
}

/* Bucket i's span as TensorBoard sees it: the outer edges are pulled in
 * to the exact min and max when they are known (data_compat does this
 * with histo.min / histo.max), so a narrow distribution in the wide
 * 'tensorflow' buckets is drawn where its values are. */
static void
bucket_span (const LmHistogram *h, guint i, double *l, double *r)
{
  *l = h->edges[i];
  *r = h->edges[i + 1];
  if (i == 0 && isfinite (h->min) && h->min > *l && h->min <= *r)
    *l = h->min;
  if (i == h->n_buckets - 1 && isfinite (h->max) && h->max < *r && h->max >= *l)
    *r = h->max;
}

gboolean
lm_histogram_range (const LmHistogram *h, double *lo, double *hi)
{
  double l, r;

  if (h->error != NULL)
    return FALSE;
  bucket_span (h, 0, &l, &r);
  *lo = l;
  bucket_span (h, h->n_buckets - 1, &l, &r);
  *hi = r;
  return TRUE;
}

void
lm_histogram_rebin (const LmHistogram *h, double lo, double hi, guint n_bins, double *out)
{
  double width = (hi - lo) / n_bins;

  memset (out, 0, sizeof (double) * n_bins);
  if (h->error != NULL || n_bins == 0 || !(hi > lo))
    {
      /* Degenerate range: everything lands in the middle bin. */
      if (h->error == NULL && n_bins > 0)
        for (guint i = 0; i < h->n_buckets; i++)
          out[n_bins / 2] += h->counts[i];
      return;
    }
  for (guint i = 0; i < h->n_buckets; i++)
    {
      double l, r, c = h->counts[i];
      int b0, b1;

      if (c == 0)
        continue;
      bucket_span (h, i, &l, &r);
      if (r < lo || l > hi)
        continue;
      if (r <= l)
        {
          int b = (int) floor ((l - lo) / width);

          out[CLAMP (b, 0, (int) n_bins - 1)] += c;
          continue;
        }
      b0 = CLAMP ((int) floor ((MAX (l, lo) - lo) / width), 0, (int) n_bins - 1);
      b1 = CLAMP ((int) floor ((MIN (r, hi) - lo) / width), 0, (int) n_bins - 1);
      for (int b = b0; b <= b1; b++)
        {
          double bl = lo + b * width, br = bl + width;
          double inter = MIN (r, br) - MAX (l, bl);

          if (inter > 0)
            out[b] += c * inter / (r - l);
        }
    }
}

void
lm_histogram_percentiles (const LmHistogram *h, double out[LM_N_PERCENTILES])
{
  guint n = h->n_buckets, bp = 0;
  double total = 0, minmin, maxmax, dummy;
  g_autofree double *weights = NULL;

  if (h->error != NULL || n == 0)
    {
      for (guint k = 0; k < LM_N_PERCENTILES; k++)
        out[k] = NAN;
      return;
    }
  bucket_span (h, 0, &minmin, &dummy);
  bucket_span (h, n - 1, &dummy, &maxmax);
  for (guint i = 0; i < n; i++)
    total += h->counts[i];
  if (total == 0)
    total = 1;
  /* Cumulative weights scaled to 10000 basis points. */
  weights = g_new (double, n);
  for (guint i = 0; i < n; i++)
    weights[i] = (i ? weights[i - 1] : 0) + h->counts[i] * 10000.0 / total;

  while (bp < LM_N_PERCENTILES)
    {
      double target = lm_histogram_bps[bp];
      guint i = 0;
      gboolean found = FALSE;

      /* searchsorted(side='right'): the first cumulative weight > target. */
      while (i < n && weights[i] <= target)
        i++;
      for (; i < n; i++)
        {
          double cum = weights[i], prev = i ? weights[i - 1] : 0, l, r, lhs, rhs;

          if (cum == prev)
            continue;
          bucket_span (h, i, &l, &r);
          lhs = (i == 0 || prev == 0) ? minmin : MAX (h->edges[i], minmin);
          rhs = MIN (r, maxmax);
          out[bp] = lhs + (target - prev) * (rhs - lhs) / (cum - prev);
          found = TRUE;
          break;
        }
      if (!found)
        break;
      bp++;
    }
  for (; bp < LM_N_PERCENTILES; bp++)
    out[bp] = maxmax;
}
