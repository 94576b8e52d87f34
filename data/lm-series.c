/* lm-series.c: compact scalar series, block summaries and smoothing.
 *
 * What it is for: see lm-series.h.  The block summaries are the reason a
 * chart of a million points redraws in a millisecond or two: a pixel
 * column that spans thousands of points reads one byte pair per block of
 * LM_SERIES_BLOCK points instead of every value.  Smoothing keeps only the
 * EMA state at each block start (16 bytes per 64 points) for the weight in
 * use, so changing the slider costs one pass over the data, not memory.
 */
#include "lm-series.h"
#include "lm-series-private.h"

#include <math.h>
#include <string.h>

/* One counter for all series, so that a cache keyed on (series pointer,
 * generation) can never mistake a new series at a reused address for an
 * old one. */
static guint64
next_generation (void)
{
  static guint64 counter = 0;

  return __atomic_add_fetch (&counter, 1, __ATOMIC_RELAXED);
}

LmSeries *
lm_series_new (const char *tag)
{
  LmSeries *s = g_new0 (LmSeries, 1);

  s->tag = g_strdup (tag);
  s->wall_monotone = TRUE;
  s->all_equal = TRUE;
  s->sm_weight = -1.0;
  s->generation = next_generation ();
  return s;
}

void
lm_series_free (LmSeries *s)
{
  if (s == NULL)
    return;
  g_free (s->tag);
  g_free (s->step32);
  g_free (s->step64);
  g_free (s->value);
  g_free (s->wall);
  g_free (s->blk_min);
  g_free (s->blk_max);
  g_free (s->blk_flags);
  g_free (s->sm_last);
  g_free (s->sm_count);
  g_free (s->sm_min);
  g_free (s->sm_max);
  g_free (s->sm_min_val);
  g_free (s->sm_max_val);
  g_free (s);
}

static void
invalidate_smoothing (LmSeries *s)
{
  s->sm_weight = -1.0;
  s->sm_blocks = 0;
}

void
lm_series_swap_data (LmSeries *a, LmSeries *b)
{
  LmSeries t = *a;
  char *tag = a->tag;

  *a = *b;
  *b = t;
  b->tag = a->tag;
  a->tag = tag;
  a->generation = next_generation ();
  b->generation = next_generation ();
}

void
lm_series_clear (LmSeries *s)
{
  s->n = 0;
  s->n_blocks = 0;
  s->wall_monotone = TRUE;
  s->all_equal = TRUE;
  invalidate_smoothing (s);
  s->generation = next_generation ();
}

/* Every per-point and per-block array sized for cap points (the smoothing
 * state has one more block entry: the state after the last block). */
static void
resize_arrays (LmSeries *s, gsize cap)
{
  gsize nb = cap / LM_SERIES_BLOCK + 1;

  if (s->step64 != NULL)
    s->step64 = g_renew (gint64, s->step64, cap);
  else
    s->step32 = g_renew (guint32, s->step32, cap);
  s->value = g_renew (float, s->value, cap);
  s->wall = g_renew (float, s->wall, cap);
  s->blk_min = g_renew (guint8, s->blk_min, nb);
  s->blk_max = g_renew (guint8, s->blk_max, nb);
  s->blk_flags = g_renew (guint8, s->blk_flags, nb);
  s->sm_last = g_renew (double, s->sm_last, nb + 1);
  s->sm_count = g_renew (gint64, s->sm_count, nb + 1);
  s->sm_min = g_renew (guint8, s->sm_min, nb);
  s->sm_max = g_renew (guint8, s->sm_max, nb);
  s->sm_min_val = g_renew (double, s->sm_min_val, nb);
  s->sm_max_val = g_renew (double, s->sm_max_val, nb);
  s->cap = cap;
}

static void
ensure_capacity (LmSeries *s, gsize need)
{
  if (need <= s->cap)
    return;
  resize_arrays (s, MAX (need, MAX (s->cap * 2, 256)));
}

void
lm_series_trim (LmSeries *s)
{
  /* Growth by doubling leaves up to half the capacity unused: hand it back
   * once a run is loaded (a live run grows again from here as needed). */
  if (s->cap > s->n + 256)
    resize_arrays (s, s->n + 256);
}

static guint8
value_flags (float v)
{
  if (isnan (v))
    return LM_BLOCK_HAS_NAN;
  if (isinf (v))
    return v > 0 ? LM_BLOCK_HAS_POSINF : LM_BLOCK_HAS_NEGINF;
  return v <= 0.0f ? LM_BLOCK_HAS_NONPOS : 0;
}

static void
summarise_blocks (LmSeries *s)
{
  gsize total = s->n / LM_SERIES_BLOCK;

  for (gsize b = s->n_blocks; b < total; b++)
    {
      const float *v = s->value + b * LM_SERIES_BLOCK;
      guint8 mi = LM_NO_OFFSET, ma = LM_NO_OFFSET, flags = 0;

      for (guint i = 0; i < LM_SERIES_BLOCK; i++)
        {
          flags |= value_flags (v[i]);
          if (!isfinite (v[i]))
            continue;
          if (mi == LM_NO_OFFSET || v[i] < v[mi])
            mi = i;
          if (ma == LM_NO_OFFSET || v[i] > v[ma])
            ma = i;
        }
      s->blk_min[b] = mi;
      s->blk_max[b] = ma;
      s->blk_flags[b] = flags;
    }
  s->n_blocks = total;
}

/* Stores step j, switching the series to 64-bit steps the first time one
 * does not fit in 32 bits above step_base. */
static void
store_step (LmSeries *s, gsize j, gint64 step)
{
  if (s->step64 == NULL)
    {
      if (step >= s->step_base && step - s->step_base <= (gint64) G_MAXUINT32)
        {
          s->step32[j] = (guint32) (step - s->step_base);
          return;
        }
      s->step64 = g_new (gint64, s->cap);
      for (gsize i = 0; i < j; i++)
        s->step64[i] = s->step_base + (gint64) s->step32[i];
      g_clear_pointer (&s->step32, g_free);
    }
  s->step64[j] = step;
}

typedef struct
{
  gint64 step;
  gsize index;
} SortKey;

static int
compare_keys (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const SortKey *ka = a, *kb = b;

  if (ka->step != kb->step)
    return ka->step < kb->step ? -1 : 1;
  return ka->index < kb->index ? -1 : (ka->index > kb->index);
}

/* Stable sort of all points by step (rare: only when a writer logs a step
 * smaller than one it logged before). */
static void
sort_by_step (LmSeries *s)
{
  SortKey *keys = g_new (SortKey, s->n);
  float *value = g_new (float, s->cap);
  float *wall = g_new (float, s->cap);

  for (gsize i = 0; i < s->n; i++)
    {
      keys[i].step = lm_series_step (s, i);
      keys[i].index = i;
    }
  g_qsort_with_data (keys, (gint) s->n, sizeof (SortKey), compare_keys, NULL);
  for (gsize i = 0; i < s->n; i++)
    {
      /* The same steps in another order: the storage mode still fits. */
      if (s->step64)
        s->step64[i] = keys[i].step;
      else
        s->step32[i] = (guint32) (keys[i].step - s->step_base);
      value[i] = s->value[keys[i].index];
      wall[i] = s->wall[keys[i].index];
    }
  g_free (keys);
  g_free (s->value);
  g_free (s->wall);
  s->value = value;
  s->wall = wall;

  s->wall_monotone = TRUE;
  for (gsize i = 1; i < s->n; i++)
    if (s->wall[i] < s->wall[i - 1])
      {
        s->wall_monotone = FALSE;
        break;
      }
  s->n_blocks = 0;
  invalidate_smoothing (s);
}

/* A wall time the axes can use: a file written by hand (or by an old
 * writer) may hold NaN/Inf or 1e300, which would blank the whole series on
 * the time axes; such a point takes its predecessor's time. */
static double
sane_wall (double w, double prev)
{
  if (!isfinite (w))
    return prev;
  return CLAMP (w, -1e15, 1e15);   /* 30 million years either way */
}

void
lm_series_append (LmSeries     *s,
                  gsize         n,
                  const gint64 *steps,
                  const float  *values,
                  const double *walls)
{
  gsize start = s->n;
  gboolean unsorted = FALSE;

  if (n == 0)
    return;
  if (s->n > (gsize) G_MAXINT - n)
    {
      /* g_qsort_with_data takes a gint count; two billion points of one
       * tag in memory is far past anything useful anyway. */
      g_warning ("series '%s' is too long; dropping %" G_GSIZE_FORMAT " points", s->tag, n);
      return;
    }
  ensure_capacity (s, s->n + n);
  if (start == 0)
    {
      gsize first = 0;

      while (first + 1 < n && !isfinite (walls[first]))
        first++;
      s->wall_base = sane_wall (walls[first], 0.0);
      s->step_base = steps[0];
    }

  for (gsize i = 0; i < n; i++)
    {
      gsize j = start + i;
      double prev = j > 0 ? lm_series_wall_time (s, j - 1) : s->wall_base;

      store_step (s, j, steps[i]);
      s->value[j] = values[i];
      s->wall[j] = (float) (sane_wall (walls[i], prev) - s->wall_base);
      if (j > 0)
        {
          if (steps[i] < lm_series_step (s, j - 1))
            unsorted = TRUE;
          if (s->wall[j] < s->wall[j - 1])
            s->wall_monotone = FALSE;
        }
      /* TensorBoard's constant-series test compares with ===, so a NaN
       * anywhere makes the series non-constant. */
      if (s->all_equal && !(s->value[j] == s->value[0]))
        s->all_equal = FALSE;
    }
  s->n += n;

  /* Complete blocks never change on append, so summaries and smoothing
   * checkpoints stay valid unless the points had to be re-sorted. */
  if (unsorted)
    sort_by_step (s);
  summarise_blocks (s);
  s->generation = next_generation ();
}

gboolean
lm_series_x_monotone (const LmSeries *s, LmXAxis axis)
{
  return axis == LM_X_STEP || s->wall_monotone;
}

gsize
lm_series_lower_bound (const LmSeries *s, LmXAxis axis, double x)
{
  gsize lo = 0, hi = s->n;

  /* Integer comparison for steps keeps huge step values exact. */
  if (axis == LM_X_STEP)
    {
      while (lo < hi)
        {
          gsize mid = lo + (hi - lo) / 2;

          if ((double) lm_series_step (s, mid) < x)
            lo = mid + 1;
          else
            hi = mid;
        }
      return lo;
    }
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (lm_series_x (s, axis, mid) < x)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

gsize
lm_series_nearest (const LmSeries *s, LmXAxis axis, double x)
{
  gsize best = s->n;
  double best_d = INFINITY;

  if (s->n == 0)
    return s->n;
  if (lm_series_x_monotone (s, axis))
    {
      gsize i = lm_series_lower_bound (s, axis, x);

      if (i >= s->n)
        return s->n - 1;
      if (i > 0 && fabs (lm_series_x (s, axis, i - 1) - x) <= fabs (lm_series_x (s, axis, i) - x))
        return i - 1;
      return i;
    }
  for (gsize i = 0; i < s->n; i++)
    {
      double d = fabs (lm_series_x (s, axis, i) - x);

      if (d < best_d)
        {
          best_d = d;
          best = i;
        }
    }
  return best;
}

gboolean
lm_series_x_range (const LmSeries *s, LmXAxis axis, double *x_min, double *x_max)
{
  double lo = INFINITY, hi = -INFINITY;

  if (s->n == 0)
    return FALSE;
  if (lm_series_x_monotone (s, axis))
    {
      lo = lm_series_x (s, axis, 0);
      hi = lm_series_x (s, axis, s->n - 1);
    }
  else
    {
      for (gsize i = 0; i < s->n; i++)
        {
          double x = lm_series_x (s, axis, i);

          lo = MIN (lo, x);
          hi = MAX (hi, x);
        }
    }
  *x_min = lo;
  *x_max = hi;
  return TRUE;
}

/* ----------------------------------------------------------- smoothing */

void
lm_smooth_values (const double *in, gsize n, double weight, double *out)
{
  gboolean constant = TRUE;
  double last = 0.0;
  gint64 count = 0;

  weight = CLAMP (weight, 0.0, 0.999);
  for (gsize i = 1; i < n && constant; i++)
    if (!(in[i] == in[0]))
      constant = FALSE;
  if (n > 0 && isnan (in[0]))
    constant = FALSE;

  for (gsize i = 0; i < n; i++)
    {
      if (constant || !isfinite (in[i]))
        {
          out[i] = in[i];
          continue;
        }
      last = last * weight + (1.0 - weight) * in[i];
      count++;
      out[i] = last / (1.0 - pow (weight, (double) count));
    }
}

void
lm_series_ensure_smoothing (LmSeries *s, double weight, gsize upto_block)
{
  LmEma e;

  if (s->sm_weight != weight)
    {
      s->sm_weight = weight;
      s->sm_blocks = 0;
    }
  if (s->cap == 0)
    return;
  if (s->sm_blocks == 0)
    {
      s->sm_last[0] = 0.0;
      s->sm_count[0] = 0;
    }
  upto_block = MIN (upto_block, s->n_blocks);
  if (s->sm_blocks >= upto_block)
    return;

  lm_ema_init (&e, weight, s->sm_last[s->sm_blocks], s->sm_count[s->sm_blocks]);
  for (gsize b = s->sm_blocks; b < upto_block; b++)
    {
      const float *v = s->value + b * LM_SERIES_BLOCK;
      guint8 mi = LM_NO_OFFSET, ma = LM_NO_OFFSET;
      double vmin = 0, vmax = 0;

      for (guint i = 0; i < LM_SERIES_BLOCK; i++)
        {
          double sm = lm_ema_step (&e, v[i]);

          if (!isfinite (sm))
            continue;
          if (mi == LM_NO_OFFSET || sm < vmin)
            mi = i, vmin = sm;
          if (ma == LM_NO_OFFSET || sm > vmax)
            ma = i, vmax = sm;
        }
      s->sm_min[b] = mi;
      s->sm_max[b] = ma;
      s->sm_min_val[b] = vmin;
      s->sm_max_val[b] = vmax;
      s->sm_last[b + 1] = e.last;
      s->sm_count[b + 1] = e.count;
    }
  s->sm_blocks = upto_block;
}

double
lm_series_smoothed_at (LmSeries *s, double weight, gsize i)
{
  gsize b;
  LmEma e;
  double sm = NAN;

  g_return_val_if_fail (i < s->n, NAN);
  weight = CLAMP (weight, 0.0, 0.999);
  if (s->all_equal || weight == 0.0 || !isfinite (s->value[i]))
    return s->value[i];

  b = i / LM_SERIES_BLOCK;
  lm_series_ensure_smoothing (s, weight, b);
  lm_ema_init (&e, weight, s->sm_last[b], s->sm_count[b]);
  for (gsize j = b * LM_SERIES_BLOCK; j <= i; j++)
    sm = lm_ema_step (&e, s->value[j]);
  return sm;
}
