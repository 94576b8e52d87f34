/* test-series.c: LmSeries storage, decimation and smoothing.
 *
 * What it checks: that per-column decimation keeps every column's first,
 * last, min and max (so spikes survive at any zoom, checked against brute
 * force over every point), that NaN/Inf become breaks and markers, that
 * TensorBoard's smoothing matches values worked out by hand, and that the
 * block/checkpoint shortcuts give the same smoothed values as the plain
 * reference.  Pure data tests: no files, no display.
 */
#include <math.h>

#include "lm-series.h"
#include "lm-decimate.h"

static LmSeries *
make_series (gsize n, const double *values, gint64 step0, gint64 dstep)
{
  LmSeries *s = lm_series_new ("t");
  gint64 *steps = g_new (gint64, n);
  float *v = g_new (float, n);
  double *w = g_new (double, n);

  for (gsize i = 0; i < n; i++)
    {
      steps[i] = step0 + (gint64) i * dstep;
      v[i] = (float) values[i];
      w[i] = 1.7e9 + i * 0.5;
    }
  lm_series_append (s, n, steps, v, w);
  g_free (steps);
  g_free (v);
  g_free (w);
  return s;
}

static double *
random_walk (gsize n, guint32 seed)
{
  GRand *r = g_rand_new_with_seed (seed);
  double *v = g_new (double, n);
  double x = 0;

  for (gsize i = 0; i < n; i++)
    {
      x += g_rand_double_range (r, -1, 1);
      v[i] = x;
    }
  g_rand_free (r);
  return v;
}

static gboolean
line_has_value (GArray *line, double x, double y)
{
  for (guint i = 0; i < line->len; i++)
    {
      LmPoint *p = &g_array_index (line, LmPoint, i);

      if (p->x == x && p->y == y)
        return TRUE;
    }
  return FALSE;
}

/* A single spike in a million points is in the decimated line at every
 * width; TensorBoard's 1000-point sampling would drop it 999 times in 1000. */
static void
test_decimate_keeps_spike (void)
{
  const gsize n = 1000000;
  double *v = random_walk (n, 7);
  LmSeries *s;
  LmDecimation d;
  const guint widths[] = { 37, 300, 1000, 1921 };

  v[654321] = 1e6;        /* the spike */
  v[123457] = -1e6;       /* and a dip */
  s = make_series (n, v, 0, 1);
  lm_decimation_init (&d);
  for (guint k = 0; k < G_N_ELEMENTS (widths); k++)
    {
      LmDecimateParams p = { LM_X_STEP, 0, n - 1, widths[k], 0.0, FALSE };

      lm_series_decimate (s, &p, &d);
      g_assert_cmpuint (d.n_in_view, ==, n);
      g_assert_true (line_has_value (d.raw, 654321, 1e6));
      g_assert_true (line_has_value (d.raw, 123457, -1e6));
      g_assert_cmpfloat (d.y_max, ==, 1e6);
      g_assert_cmpfloat (d.y_min, ==, -1e6);
      /* At most 4 points per column plus the two outside the view. */
      g_assert_cmpuint (d.raw->len, <=, 4 * widths[k] + 2);
    }
  /* Zoomed in on the spike, with smoothing on. */
  {
    LmDecimateParams p = { LM_X_STEP, 600000, 700000, 250, 0.6, FALSE };

    lm_series_decimate (s, &p, &d);
    g_assert_true (line_has_value (d.raw, 654321, 1e6));
    g_assert_cmpuint (d.smooth->len, >, 0);
  }
  lm_decimation_clear (&d);
  lm_series_free (s);
  g_free (v);
}

/* For random data, every column of the decimation has exactly the min,
 * max, first and last that a pass over all points finds. */
static void
test_decimate_matches_brute_force (void)
{
  const gsize n = 50000;
  double *v = random_walk (n, 11);
  LmSeries *s = make_series (n, v, 1000, 3);
  LmDecimation d;
  const double x0 = 1000 + 3 * 5000.5, x1 = 1000 + 3 * 47000.0;
  const guint cols = 173;
  double dx = (x1 - x0) / cols;

  lm_decimation_init (&d);
  {
    LmDecimateParams p = { LM_X_STEP, x0, x1, cols, 0.0, FALSE };
    lm_series_decimate (s, &p, &d);
  }
  for (guint c = 0; c < cols; c++)
    {
      double lo = x0 + c * dx, hi = (c + 1 == cols) ? x1 + 1e-9 : x0 + (c + 1) * dx;
      double bmin = INFINITY, bmax = -INFINITY, dmin = INFINITY, dmax = -INFINITY;
      double bfirst = NAN, blast = NAN, dfirst = NAN, dlast = NAN;

      for (gsize i = 0; i < n; i++)
        {
          double x = 1000 + 3.0 * i;
          double y = (float) v[i];

          if (x < lo || x >= hi)
            continue;
          if (isnan (bfirst))
            bfirst = y;
          blast = y;
          bmin = MIN (bmin, y);
          bmax = MAX (bmax, y);
        }
      for (guint k = 0; k < d.raw->len; k++)
        {
          LmPoint *p = &g_array_index (d.raw, LmPoint, k);

          if (p->x < lo || p->x >= hi)
            continue;
          if (isnan (dfirst))
            dfirst = p->y;
          dlast = p->y;
          dmin = MIN (dmin, p->y);
          dmax = MAX (dmax, p->y);
        }
      g_assert_cmpfloat (bmin, ==, dmin);
      g_assert_cmpfloat (bmax, ==, dmax);
      g_assert_cmpfloat (bfirst, ==, dfirst);
      g_assert_cmpfloat (blast, ==, dlast);
    }
  /* The points either side of the view are there for the line's ends. */
  g_assert_cmpfloat (g_array_index (d.raw, LmPoint, 0).x, <, x0);
  g_assert_cmpfloat (g_array_index (d.raw, LmPoint, d.raw->len - 1).x, >, x1);
  lm_decimation_clear (&d);
  lm_series_free (s);
  g_free (v);
}

static void
test_decimate_nan_inf (void)
{
  const gsize n = 20000;
  double *v = random_walk (n, 3);
  LmSeries *s;
  LmDecimation d;
  LmDecimateParams p = { LM_X_STEP, 0, n - 1, 200, 0.9, FALSE };
  gboolean nan = FALSE, pinf = FALSE, ninf = FALSE;
  guint breaks = 0;

  v[5000] = NAN;
  v[12000] = INFINITY;
  v[15000] = -INFINITY;
  s = make_series (n, v, 0, 1);
  lm_decimation_init (&d);
  lm_series_decimate (s, &p, &d);
  for (guint i = 0; i < d.markers->len; i++)
    {
      LmMarker *m = &g_array_index (d.markers, LmMarker, i);

      nan |= m->kind == LM_MARK_NAN && m->x == 5000;
      pinf |= m->kind == LM_MARK_POSINF && m->x == 12000;
      ninf |= m->kind == LM_MARK_NEGINF && m->x == 15000;
    }
  g_assert_true (nan && pinf && ninf);
  for (guint i = 0; i < d.raw->len; i++)
    if (isnan (g_array_index (d.raw, LmPoint, i).y))
      breaks++;
  g_assert_cmpuint (breaks, ==, 3);
  g_assert_true (isfinite (d.y_min) && isfinite (d.y_max));
  /* The smoothed line breaks at the same places. */
  breaks = 0;
  for (guint i = 0; i < d.smooth->len; i++)
    if (isnan (g_array_index (d.smooth, LmPoint, i).y))
      breaks++;
  g_assert_cmpuint (breaks, ==, 3);
  lm_decimation_clear (&d);
  lm_series_free (s);
  g_free (v);
}

static void
test_decimate_log_scale (void)
{
  double v[200];
  LmSeries *s;
  LmDecimation d;
  LmDecimateParams p = { LM_X_STEP, 0, 199, 100, 0.0, TRUE };

  for (int i = 0; i < 200; i++)
    v[i] = i == 50 ? -1.0 : (i == 51 ? 0.0 : 1.0 + i);
  s = make_series (200, v, 0, 1);
  lm_decimation_init (&d);
  lm_series_decimate (s, &p, &d);
  for (guint i = 0; i < d.raw->len; i++)
    g_assert_true (isnan (g_array_index (d.raw, LmPoint, i).y)
                   || g_array_index (d.raw, LmPoint, i).y > 0);
  g_assert_cmpfloat (d.y_min, ==, 1.0);
  g_assert_cmpfloat (d.y_max, ==, 200.0);
  lm_decimation_clear (&d);
  lm_series_free (s);
}

/* TensorBoard's smoothing, worked out by hand for weight 0.5:
 *   v = 1: last = 0.5,   debias 0.5   -> 1
 *   v = 2: last = 1.25,  debias 0.75  -> 1.666667
 *   v = 3: last = 2.125, debias 0.875 -> 2.428571 */
static void
test_smoothing_by_hand (void)
{
  const double in[] = { 1, 2, 3 };
  const double in_nan[] = { 1, NAN, 3, INFINITY, 4 };
  const double in_const[] = { 5, 5, 5, 5 };
  double out[5];
  LmSeries *s;

  lm_smooth_values (in, 3, 0.5, out);
  g_assert_cmpfloat_with_epsilon (out[0], 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (out[1], 5.0 / 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (out[2], 17.0 / 7.0, 1e-12);

  /* NaN and Inf pass through and do not enter the average:
   *   1 -> 1;  3: last = 0.25 + 1.5 = 1.75, debias 0.75 -> 2.333333
   *   4: last = 0.875 + 2 = 2.875, debias 0.875 -> 3.285714 */
  lm_smooth_values (in_nan, 5, 0.5, out);
  g_assert_cmpfloat_with_epsilon (out[0], 1.0, 1e-12);
  g_assert_true (isnan (out[1]));
  g_assert_cmpfloat_with_epsilon (out[2], 7.0 / 3.0, 1e-12);
  g_assert_true (isinf (out[3]) && out[3] > 0);
  g_assert_cmpfloat_with_epsilon (out[4], 23.0 / 7.0, 1e-12);

  /* A constant series is not smoothed at all (no debias round-off). */
  lm_smooth_values (in_const, 4, 0.99, out);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat (out[i], ==, 5.0);

  /* Weight 0 is the raw line. */
  lm_smooth_values (in, 3, 0.0, out);
  g_assert_cmpfloat (out[2], ==, 3.0);

  /* The series' own smoothing agrees. */
  s = make_series (5, in_nan, 0, 1);
  g_assert_cmpfloat_with_epsilon (lm_series_smoothed_at (s, 0.5, 2), 7.0 / 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (lm_series_smoothed_at (s, 0.5, 4), 23.0 / 7.0, 1e-12);
  g_assert_true (isnan (lm_series_smoothed_at (s, 0.5, 1)));
  lm_series_free (s);
}

/* Checkpointed smoothing (any index, any order) equals the reference, and
 * the decimated smoothed line takes its values from it. */
static void
test_smoothing_checkpoints (void)
{
  const gsize n = 30000;
  double *v = random_walk (n, 5);
  double *ref = g_new (double, n);
  double *vf = g_new (double, n);
  const double weights[] = { 0.3, 0.6, 0.95, 0.999 };
  LmSeries *s;
  LmDecimation d;

  v[777] = NAN;
  v[20000] = INFINITY;
  for (gsize i = 0; i < n; i++)
    vf[i] = (float) v[i];   /* the series stores float32 */
  s = make_series (n, v, 0, 1);
  lm_decimation_init (&d);
  for (guint k = 0; k < G_N_ELEMENTS (weights); k++)
    {
      LmDecimateParams p = { LM_X_STEP, 1000, 29000, 321, weights[k], FALSE };
      const gsize probes[] = { 29999, 0, 63, 64, 65, 777, 778, 12345, 20000, 20001 };

      lm_smooth_values (vf, n, weights[k], ref);
      for (guint j = 0; j < G_N_ELEMENTS (probes); j++)
        {
          double got = lm_series_smoothed_at (s, weights[k], probes[j]);

          if (isfinite (ref[probes[j]]))
            g_assert_cmpfloat_with_epsilon (got, ref[probes[j]], 1e-9 * (1 + fabs (ref[probes[j]])));
          else
            g_assert_true (got == ref[probes[j]] || (isnan (got) && isnan (ref[probes[j]])));
        }
      lm_series_decimate (s, &p, &d);
      g_assert_cmpuint (d.smooth->len, >, 100);
      for (guint j = 0; j < d.smooth->len; j++)
        {
          LmPoint *pt = &g_array_index (d.smooth, LmPoint, j);
          gsize i = (gsize) pt->x;

          if (isnan (pt->y))
            continue;
          g_assert_cmpfloat_with_epsilon (pt->y, ref[i], 1e-9 * (1 + fabs (ref[i])));
        }
    }
  lm_decimation_clear (&d);
  lm_series_free (s);
  g_free (v);
  g_free (vf);
  g_free (ref);
}

/* Points that arrive with smaller steps end up in step order. */
static void
test_out_of_order_steps (void)
{
  LmSeries *s = lm_series_new ("t");
  const gint64 st1[] = { 10, 20, 30 };
  const gint64 st2[] = { 15, 40 };
  const float v1[] = { 1, 2, 3 };
  const float v2[] = { 9, 4 };
  const double w1[] = { 100, 101, 102 };
  const double w2[] = { 103, 104 };

  lm_series_append (s, 3, st1, v1, w1);
  g_assert_true (lm_series_x_monotone (s, LM_X_WALL));
  lm_series_append (s, 2, st2, v2, w2);
  g_assert_cmpuint (lm_series_get_n (s), ==, 5);
  g_assert_cmpint (lm_series_step (s, 1), ==, 15);
  g_assert_cmpfloat (s->value[1], ==, 9);
  g_assert_cmpint (lm_series_step (s, 4), ==, 40);
  /* Wall times are no longer in order once sorted by step. */
  g_assert_false (lm_series_x_monotone (s, LM_X_WALL));
  g_assert_cmpuint (lm_series_nearest (s, LM_X_STEP, 16), ==, 1);
  g_assert_cmpfloat_with_epsilon (lm_series_wall_time (s, 1), 103, 1e-3);
  g_assert_nonnull (s->step32);
  lm_series_free (s);

  /* Steps that do not fit 32 bits above the first one switch the series
   * to 64-bit steps without losing any. */
  {
    const gint64 big[] = { 5, 1LL << 40, -7 };
    const float bv[] = { 1, 2, 3 };
    const double bw[] = { 1, 2, 3 };

    s = lm_series_new ("t");
    lm_series_append (s, 3, big, bv, bw);
    g_assert_nonnull (s->step64);
    g_assert_cmpint (lm_series_step (s, 0), ==, -7);
    g_assert_cmpint (lm_series_step (s, 1), ==, 5);
    g_assert_cmpint (lm_series_step (s, 2), ==, 1LL << 40);
    g_assert_cmpfloat (s->value[0], ==, 3);
    lm_series_free (s);
  }
}

/* Wall-time axes when wall times are not in step order (a run that
 * re-logged earlier steps later): every point still lands in its column. */
static void
test_decimate_unordered_wall (void)
{
  const gsize n = 5000;
  LmSeries *s = lm_series_new ("t");
  gint64 *steps = g_new (gint64, n);
  float *v = g_new (float, n);
  double *w = g_new (double, n);
  GRand *r = g_rand_new_with_seed (9);
  LmDecimation d;
  double bmin = INFINITY, bmax = -INFINITY;

  for (gsize i = 0; i < n; i++)
    {
      steps[i] = (gint64) ((i * 7919) % n);     /* steps shuffled */
      w[i] = 1.7e9 + i;                         /* wall in arrival order */
      v[i] = (float) g_rand_double_range (r, -5, 5);
      if (i == 1234)
        v[i] = 77;
      bmin = MIN (bmin, v[i]);
      bmax = MAX (bmax, v[i]);
    }
  lm_series_append (s, n, steps, v, w);
  g_assert_false (lm_series_x_monotone (s, LM_X_WALL));
  lm_decimation_init (&d);
  {
    LmDecimateParams p = { LM_X_RELATIVE, 0, n - 1, 100, 0.5, FALSE };

    lm_series_decimate (s, &p, &d);
  }
  g_assert_cmpuint (d.n_in_view, ==, n);
  g_assert_cmpfloat (d.y_max, ==, 77);
  g_assert_cmpfloat (d.y_min, ==, bmin);
  g_assert_true (line_has_value (d.raw, 1234, 77));
  lm_decimation_clear (&d);
  lm_series_free (s);
  g_rand_free (r);
  g_free (steps);
  g_free (v);
  g_free (w);
}

/* Wall times no axis can use (a hand-written file: NaN, +Inf, 1e300) take
 * their predecessor's time, so the rest of the series still has a range
 * on the time axes. */
static void
test_bad_wall_times (void)
{
  const gint64 steps[] = { 0, 1, 2, 3, 4 };
  const float v[] = { 1, 2, 3, 4, 5 };
  const double w[] = { INFINITY, 1.7e9, NAN, 1.7e9 + 2, 1e300 };
  LmSeries *s = lm_series_new ("t");
  double lo, hi;

  lm_series_append (s, 5, steps, v, w);
  g_assert_cmpfloat (lm_series_wall_time (s, 0), ==, 1.7e9);
  g_assert_cmpfloat (lm_series_wall_time (s, 1), ==, 1.7e9);
  g_assert_cmpfloat (lm_series_wall_time (s, 2), ==, 1.7e9);
  g_assert_cmpfloat (lm_series_wall_time (s, 3), ==, 1.7e9 + 2);
  g_assert_cmpfloat_with_epsilon (lm_series_wall_time (s, 4), 1e15, 1e9);   /* clamped */
  g_assert_true (lm_series_x_range (s, LM_X_RELATIVE, &lo, &hi));
  g_assert_true (isfinite (lo) && isfinite (hi) && hi > lo);
  lm_series_free (s);
}

/* "Ignore outliers in chart scaling", TensorBoard's rule
 * (line_chart_v2/line_chart_internal_utils.ts): drop the values outside
 * d3.quantile 0.05..0.95, keep the extent of the rest, that is
 * sorted[ceil(0.05 (n-1))] .. sorted[floor(0.95 (n-1))]; from 3 values on. */
static void
test_outlier_extent (void)
{
  double v10[] = { 7, 1000, 3, 1, 9, 2, 5, 4, 8, 6 };
  double v30[30], v21[21], v3[] = { 5, -100, 7 }, v2[] = { 3, 1 };
  double lo = 0, hi = 0;

  /* 10 values: h5 = 0.45 -> index 1 (2), h95 = 8.55 -> index 8 (9).  The
   * old rule left fewer than 20 values alone: 1 .. 1000. */
  g_assert_true (lm_values_outlier_extent (v10, 10, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 2);
  g_assert_cmpfloat (hi, ==, 9);

  /* 0..29: h5 = 1.45 -> 2 (the old nearest-below rule took 1), h95 = 27.55 -> 27. */
  for (int i = 0; i < 30; i++)
    v30[i] = 29 - i;
  g_assert_true (lm_values_outlier_extent (v30, 30, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 2);
  g_assert_cmpfloat (hi, ==, 27);

  /* 0..20: exact indices 1 and 19, not pushed past by round-off. */
  for (int i = 0; i < 21; i++)
    v21[i] = i;
  g_assert_true (lm_values_outlier_extent (v21, 21, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 1);
  g_assert_cmpfloat (hi, ==, 19);

  /* 3 values: quantiles -89.5 and 6.8, only 5 lies between. */
  g_assert_true (lm_values_outlier_extent (v3, 3, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 5);
  g_assert_cmpfloat (hi, ==, 5);

  /* 2 values: kept, sorted. */
  g_assert_true (lm_values_outlier_extent (v2, 2, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 1);
  g_assert_cmpfloat (hi, ==, 3);

  lo = hi = 42;
  g_assert_false (lm_values_outlier_extent (v2, 0, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 42);
}

/* The sample the outlier rule works on is the smoothed line when
 * smoothing is on (TensorBoard scales to the full-colour line, not the
 * faded raw one), without non-finite values, limited to the x range. */
static void
test_sample_values_smoothed (void)
{
  const double v[] = { 1, 2, NAN, 3, 100, 4 };
  double ref[6];
  LmSeries *s = make_series (6, v, 0, 1);
  g_autoptr (GArray) got = g_array_new (FALSE, FALSE, sizeof (double));

  lm_smooth_values (v, 6, 0.5, ref);
  g_assert_cmpuint (lm_series_sample_values (s, LM_X_STEP, 0, 5, 0.5, FALSE, 100, got), ==, 5);
  g_assert_cmpfloat_with_epsilon (g_array_index (got, double, 0), ref[0], 1e-9);
  g_assert_cmpfloat_with_epsilon (g_array_index (got, double, 1), ref[1], 1e-9);
  g_assert_cmpfloat_with_epsilon (g_array_index (got, double, 2), ref[3], 1e-9);
  g_assert_cmpfloat_with_epsilon (g_array_index (got, double, 3), ref[4], 1e-9);
  g_assert_cmpfloat_with_epsilon (g_array_index (got, double, 4), ref[5], 1e-9);
  /* By hand: 1 -> 1, 2 -> 1.25 / 0.75 = 5/3, NaN skipped, 3 -> (0.625 + 1.5) / 0.875 = 17/7. */
  g_assert_cmpfloat_with_epsilon (g_array_index (got, double, 2), 17.0 / 7.0, 1e-9);

  /* Smoothing off: the raw values of steps 1..4. */
  g_array_set_size (got, 0);
  g_assert_cmpuint (lm_series_sample_values (s, LM_X_STEP, 1, 4, 0.0, FALSE, 100, got), ==, 3);
  g_assert_cmpfloat (g_array_index (got, double, 0), ==, 2);
  g_assert_cmpfloat (g_array_index (got, double, 1), ==, 3);
  g_assert_cmpfloat (g_array_index (got, double, 2), ==, 100);
  lm_series_free (s);

  /* Over many blocks, every stride (the sample walks the EMA on within a
   * block): the very values lm_series_smoothed_at gives. */
  double many[1000];
  for (int i = 0; i < 1000; i++)
    many[i] = i % 97 == 5 ? NAN : sin (i * 0.37) * (1 + i % 13);
  s = make_series (1000, many, 0, 1);
  for (gsize max = 2000; max >= 9; max /= 3)
    {
      gsize stride = MAX ((gsize) 1, 1000 / max), k = 0;

      g_array_set_size (got, 0);
      lm_series_sample_values (s, LM_X_STEP, 0, 999, 0.6, FALSE, max, got);
      for (gsize i = 0; i < 1000; i += stride)
        if (isfinite (many[i]))
          g_assert_cmpfloat (g_array_index (got, double, k++), ==, lm_series_smoothed_at (s, 0.6, i));
      g_assert_cmpuint (k, ==, got->len);
    }
  lm_series_free (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/series/decimate/keeps-spike", test_decimate_keeps_spike);
  g_test_add_func ("/series/decimate/brute-force", test_decimate_matches_brute_force);
  g_test_add_func ("/series/decimate/nan-inf", test_decimate_nan_inf);
  g_test_add_func ("/series/decimate/log-scale", test_decimate_log_scale);
  g_test_add_func ("/series/smoothing/by-hand", test_smoothing_by_hand);
  g_test_add_func ("/series/smoothing/checkpoints", test_smoothing_checkpoints);
  g_test_add_func ("/series/out-of-order", test_out_of_order_steps);
  g_test_add_func ("/series/decimate/unordered-wall", test_decimate_unordered_wall);
  g_test_add_func ("/series/bad-wall-times", test_bad_wall_times);
  g_test_add_func ("/series/outliers/extent", test_outlier_extent);
  g_test_add_func ("/series/outliers/sample-smoothed", test_sample_values_smoothed);
  return g_test_run ();
}
