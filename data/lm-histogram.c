/* lm-histogram.c: histogram rows, re-binning and percentiles (see lm-histogram.h). */
#include "lm-histogram.h"

#include <math.h>
#include <string.h>

const int lm_histogram_bps[LM_N_PERCENTILES] = { 0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000 };

/* The i-th little-endian float64 of a blob. */
static double
f64_at (const void *blob, guint i)
{
  guint64 bits;
  double v;

  memcpy (&bits, (const guint8 *) blob + 8 * (gsize) i, 8);
  bits = GUINT64_FROM_LE (bits);
  memcpy (&v, &bits, 8);
  return v;
}

/* The default buckets' outermost bucket starts at 1e-12 * 1.1^772, about
 * 9.02e19; only it reaches past this, and it holds +-Inf and the values
 * beyond +-1e20. */
#define OVERFLOW_EDGE 9e19

/* Sets the infinity counts, the buckets with finite values and their
 * range (see LmHistogram). */
static void
find_finite (LmHistogram *h)
{
  int first = 0, last = (int) h->n_buckets - 1;

  while (first < last && h->counts[first] == 0)
    first++;
  while (last > first && h->counts[last] == 0)
    last--;
  if (h->min == -INFINITY)
    {
      h->neg_inf = -1;
      if (h->counts[first] > 0 && h->edges[first + 1] <= -OVERFLOW_EDGE)
        h->neg_inf = h->counts[first++];
    }
  if (h->max == INFINITY)
    {
      h->pos_inf = -1;
      if (last >= first && h->counts[last] > 0 && h->edges[last] >= OVERFLOW_EDGE)
        h->pos_inf = h->counts[last--];
    }
  while (first < last && h->counts[first] == 0)
    first++;
  while (last > first && h->counts[last] == 0)
    last--;
  if (first == last && h->counts[first] == 0 && h->neg_inf <= 0 && h->pos_inf <= 0)
    {
      first = 0;   /* all counts zero: the whole grid, drawn flat */
      last = (int) h->n_buckets - 1;
    }
  if (first > last || (h->counts[first] == 0 && (h->neg_inf > 0 || h->pos_inf > 0)))
    {
      h->error = g_strdup_printf ("no finite values (%s)",
                                  h->neg_inf > 0 && h->pos_inf > 0 ? "only -Inf and +Inf"
                                  : h->neg_inf > 0 ? "only -Inf" : "only +Inf");
      return;
    }
  h->first = (guint) first;
  h->last = (guint) last;
  h->lo = h->edges[first];
  h->hi = h->edges[last + 1];
  /* TensorBoard's data_compat pulls the outer edges in to min and max;
   * a fixed grid may have them buckets further in. */
  if (isfinite (h->min) && h->min > h->lo && h->min <= h->hi)
    h->lo = h->min;
  if (isfinite (h->max) && h->max < h->hi && h->max >= h->lo)
    h->hi = h->max;
}

/* Bucket i's span clipped to the finite range: a narrow distribution in
 * wide buckets is drawn where its values are, and a bucket of
 * infinities shrinks to the end of the range. */
static void
bucket_span (const LmHistogram *h, guint i, double *l, double *r)
{
  *l = CLAMP (h->edges[i], h->lo, h->hi);
  *r = CLAMP (h->edges[i + 1], h->lo, h->hi);
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
  for (guint i = 0; i <= bucket_count; i++)
    {
      double e = f64_at (edges, i);

      if (!isfinite (e))
        {
          h->error = g_strdup_printf ("bucket edge %u is %s", i, isnan (e) ? "NaN" : "infinite");
          return h;
        }
      if (i > 0 && e < f64_at (edges, i - 1))
        {
          h->error = g_strdup_printf ("bucket edges are not ascending at edge %u", i);
          return h;
        }
    }
  /* Each run of empty buckets is kept as one: the default buckets of
   * values around 0 are some 550, four in five of them empty between
   * 1e-12 and the values' scale, and a sweep holds thousands of rows.
   * An empty bucket adds nothing to a display bin or a percentile, so
   * what is drawn is the same. */
  for (guint i = 0; i < bucket_count; i++)
    {
      double c = f64_at (counts, i);

      if (!(c >= 0) || isinf (c))
        {
          h->error = g_strdup_printf ("bucket %u has an invalid count", i);
          h->n_buckets = 0;
          return h;
        }
      h->n_buckets += c != 0 || i == 0 || f64_at (counts, i - 1) != 0;
    }
  h->edges = g_new (double, h->n_buckets + 1);
  h->counts = g_new (double, h->n_buckets);
  for (guint i = 0, k = 0; i < bucket_count; i++)
    {
      double c = f64_at (counts, i);

      if (c != 0 || i == 0 || f64_at (counts, i - 1) != 0)
        {
          h->edges[k] = f64_at (edges, i);
          h->counts[k++] = c;
        }
    }
  h->edges[h->n_buckets] = f64_at (edges, bucket_count);
  find_finite (h);
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

gboolean
lm_histogram_range (const LmHistogram *h, double *lo, double *hi)
{
  if (h->error != NULL)
    return FALSE;
  *lo = h->lo;
  *hi = h->hi;
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
        for (guint i = h->first; i <= h->last; i++)
          out[n_bins / 2] += h->counts[i];
      return;
    }
  for (guint i = h->first; i <= h->last; i++)
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
  double total = 0;
  g_autofree double *weights = NULL;

  if (h->error != NULL || n == 0)
    {
      for (guint k = 0; k < LM_N_PERCENTILES; k++)
        out[k] = NAN;
      return;
    }
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
          double cum = weights[i], prev = i ? weights[i - 1] : 0, lhs, rhs;

          if (cum == prev)
            continue;
          /* compress_histogram's lhs = max(left edge, minmin), rhs =
           * min(right edge, maxmax), with minmin/maxmax the range. */
          bucket_span (h, i, &lhs, &rhs);
          out[bp] = CLAMP (lhs + (target - prev) * (rhs - lhs) / (cum - prev), h->lo, h->hi);
          found = TRUE;
          break;
        }
      if (!found)
        break;
      bp++;
    }
  for (; bp < LM_N_PERCENTILES; bp++)
    out[bp] = h->hi;
}

static void
append_count (GString *s, double count, const char *what)
{
  if (count == 0)
    return;
  if (s->len > 0)
    g_string_append (s, ", ");
  if (count < 0)
    g_string_append_printf (s, "≥%.0f %s", -count, what);
  else
    g_string_append_printf (s, "%.0f %s", count, what);
}

char *
lm_histogram_describe_nonfinite (LmHistogram *const *items, guint n)
{
  /* Known counts add up; an unknown one counts as at least 1, and makes
   * the total a lower bound (kept negative while it is one). */
  double nan = 0, neg = 0, pos = 0;
  gboolean neg_lb = FALSE, pos_lb = FALSE;
  guint n_steps = 0;
  GString *s;

  for (guint i = 0; i < n; i++)
    {
      const LmHistogram *h = items[i];

      if (h->nan_count <= 0 && h->neg_inf == 0 && h->pos_inf == 0)
        continue;
      n_steps++;
      nan += MAX (h->nan_count, 0);
      neg += fabs (h->neg_inf);
      pos += fabs (h->pos_inf);
      neg_lb |= h->neg_inf < 0;
      pos_lb |= h->pos_inf < 0;
    }
  if (n_steps == 0)
    return NULL;
  s = g_string_new (NULL);
  append_count (s, nan, "NaN");
  append_count (s, pos_lb ? -pos : pos, "+Inf");
  append_count (s, neg_lb ? -neg : neg, "−Inf");
  if (n_steps > 1)
    g_string_append_printf (s, " in %u steps", n_steps);
  return g_string_free (s, FALSE);
}
