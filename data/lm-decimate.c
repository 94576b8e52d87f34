/* lm-decimate.c: first/min/max/last per pixel column (see lm-decimate.h).
 *
 * Three paths:
 *  - sparse views (a few points per column at most) copy every point;
 *  - dense views with x monotone walk the columns, finding each column's
 *    index range by binary search and its extremes from the block
 *    summaries, so the cost is about columns * LM_SERIES_BLOCK, not n;
 *  - time axes with out-of-order wall times fall back to one pass over
 *    every point, binning by column (no line breaks at NaN there).
 * The smoothed line rides along: the EMA state is carried from column to
 * column and jumps over whole blocks using the series' checkpoints.
 */
#include "lm-decimate.h"
#include "lm-series-private.h"

#include <math.h>
#include <stdlib.h>

#define SPECIAL_FLAGS (LM_BLOCK_HAS_NAN | LM_BLOCK_HAS_POSINF | LM_BLOCK_HAS_NEGINF)

void
lm_decimation_init (LmDecimation *d)
{
  d->raw = g_array_new (FALSE, FALSE, sizeof (LmPoint));
  d->smooth = g_array_new (FALSE, FALSE, sizeof (LmPoint));
  d->markers = g_array_new (FALSE, FALSE, sizeof (LmMarker));
  d->n_in_view = 0;
  d->y_min = INFINITY;
  d->y_max = -INFINITY;
}

void
lm_decimation_clear (LmDecimation *d)
{
  g_clear_pointer (&d->raw, g_array_unref);
  g_clear_pointer (&d->smooth, g_array_unref);
  g_clear_pointer (&d->markers, g_array_unref);
}

typedef struct
{
  LmSeries *s;
  const LmDecimateParams *p;
  LmDecimation *out;
  gboolean smooth;       /* produce a separate smoothed line */
  double w;
  LmEma ema;             /* state after every point before ema_pos */
  gsize ema_pos;
  guint8 breaks;         /* flags that break the line */
} Ctx;

static inline gboolean
is_break (const Ctx *c, double v)
{
  return !isfinite (v) || (c->p->log_y && v <= 0.0);
}

static void
push (GArray *line, double x, double y)
{
  LmPoint pt = { x, y };

  /* No leading break and no two breaks in a row. */
  if (isnan (y) && (line->len == 0 || isnan (g_array_index (line, LmPoint, line->len - 1).y)))
    return;
  g_array_append_val (line, pt);
}

static void
grow_range (Ctx *c, double v)
{
  if (!is_break (c, v))
    {
      c->out->y_min = MIN (c->out->y_min, v);
      c->out->y_max = MAX (c->out->y_max, v);
    }
}

static inline void
ema_move_to (Ctx *c, gsize i)
{
  if (!c->smooth || c->ema_pos == i)
    return;
  if (i > c->ema_pos && i - c->ema_pos <= LM_SERIES_BLOCK)
    {
      for (gsize j = c->ema_pos; j < i; j++)
        lm_ema_step (&c->ema, c->s->value[j]);
    }
  else
    lm_ema_seek (&c->ema, c->s, c->w, i);
  c->ema_pos = i;
}

/* Smoothed value of point i, advancing the EMA past it. */
static inline double
ema_take (Ctx *c, gsize i)
{
  double v;

  ema_move_to (c, i);
  v = lm_ema_step (&c->ema, c->s->value[i]);
  c->ema_pos = i + 1;
  return v;
}

static void
mark (Ctx *c, gsize i, guint *seen)
{
  float v = c->s->value[i];
  LmMarker m;

  if (isfinite (v))
    return;
  m.x = lm_series_x (c->s, c->p->axis, i);
  m.kind = isnan (v) ? LM_MARK_NAN : (v > 0 ? LM_MARK_POSINF : LM_MARK_NEGINF);
  if (*seen & (1u << m.kind))
    return;
  *seen |= 1u << m.kind;
  g_array_append_val (c->out->markers, m);
}

/* One point on its own (sparse views and the points either side). */
static void
emit_single (Ctx *c, gsize i, gboolean in_view, guint *seen)
{
  double x = lm_series_x (c->s, c->p->axis, i);
  double v = c->s->value[i];
  double sm = c->smooth ? ema_take (c, i) : v;

  if (is_break (c, v))
    {
      push (c->out->raw, x, NAN);
      if (c->smooth)
        push (c->out->smooth, x, NAN);
      if (in_view)
        mark (c, i, seen);
      return;
    }
  push (c->out->raw, x, v);
  if (c->smooth)
    push (c->out->smooth, x, sm);
  if (in_view)
    {
      grow_range (c, v);
      if (c->smooth)
        grow_range (c, sm);
    }
}

/* A run of points with no breaks: first/min/max/last in index order. */
typedef struct
{
  gsize first, last, mi, ma;
  double sm_first, sm_last, sm_mi_v, sm_ma_v;
  gsize sm_mi, sm_ma;
  gboolean any;
} Seg;

static void
seg_reset (Seg *g)
{
  g->any = FALSE;
}

static inline void
seg_add (Ctx *c, Seg *g, gsize i, double sm)
{
  float v = c->s->value[i];

  if (!g->any)
    {
      g->any = TRUE;
      g->first = g->mi = g->ma = g->sm_mi = g->sm_ma = i;
      g->sm_first = g->sm_mi_v = g->sm_ma_v = sm;
    }
  else
    {
      if (v < c->s->value[g->mi])
        g->mi = i;
      if (v > c->s->value[g->ma])
        g->ma = i;
      if (sm < g->sm_mi_v)
        g->sm_mi = i, g->sm_mi_v = sm;
      if (sm > g->sm_ma_v)
        g->sm_ma = i, g->sm_ma_v = sm;
    }
  g->last = i;
  g->sm_last = sm;
}

static void
emit_sorted (Ctx *c, GArray *line, gsize idx[4], double val[4])
{
  /* Sort the four (index, value) pairs by index; drop repeats. */
  for (int a = 1; a < 4; a++)
    for (int b = a; b > 0 && idx[b] < idx[b - 1]; b--)
      {
        gsize ti = idx[b];
        double tv = val[b];

        idx[b] = idx[b - 1], val[b] = val[b - 1];
        idx[b - 1] = ti, val[b - 1] = tv;
      }
  for (int a = 0; a < 4; a++)
    {
      if (a > 0 && idx[a] == idx[a - 1])
        continue;
      push (line, lm_series_x (c->s, c->p->axis, idx[a]), val[a]);
      grow_range (c, val[a]);
    }
}

static void
seg_flush (Ctx *c, Seg *g)
{
  const float *v = c->s->value;

  if (!g->any)
    return;
  {
    gsize idx[4] = { g->first, g->mi, g->ma, g->last };
    double val[4] = { v[g->first], v[g->mi], v[g->ma], v[g->last] };

    emit_sorted (c, c->out->raw, idx, val);
  }
  if (c->smooth)
    {
      gsize idx[4] = { g->first, g->sm_mi, g->sm_ma, g->last };
      double val[4] = { g->sm_first, g->sm_mi_v, g->sm_ma_v, g->sm_last };

      emit_sorted (c, c->out->smooth, idx, val);
    }
  g->any = FALSE;
}

/* Points [lo, hi) one by one: exact, handles breaks and markers. */
static void
column_slow (Ctx *c, gsize lo, gsize hi)
{
  Seg g;
  guint seen = 0;

  seg_reset (&g);
  for (gsize i = lo; i < hi; i++)
    {
      double v = c->s->value[i];
      double sm = c->smooth ? ema_take (c, i) : v;

      if (is_break (c, v))
        {
          double x = lm_series_x (c->s, c->p->axis, i);

          seg_flush (c, &g);
          push (c->out->raw, x, NAN);
          if (c->smooth)
            push (c->out->smooth, x, NAN);
          mark (c, i, &seen);
          continue;
        }
      seg_add (c, &g, i, sm);
    }
  seg_flush (c, &g);
}

/* Points [lo, hi) with whole blocks read from the summaries.  Returns
 * FALSE, having changed nothing but the EMA cursor, when the range holds a
 * value that breaks the line (the caller then takes the slow path). */
static gboolean
column_fast (Ctx *c, gsize lo, gsize hi)
{
  const LmSeries *s = c->s;
  Seg g;
  gsize i = lo;

  seg_reset (&g);
  ema_move_to (c, lo);
  while (i < hi)
    {
      gsize b = i / LM_SERIES_BLOCK;

      if (i % LM_SERIES_BLOCK == 0 && i + LM_SERIES_BLOCK <= hi && b < s->n_blocks)
        {
          guint8 f = s->blk_flags[b];
          gsize mi, ma;

          if ((f & c->breaks) != 0)
            return FALSE;
          mi = i + s->blk_min[b];
          ma = i + s->blk_max[b];
          if (!g.any)
            {
              /* The block's first point opens the segment. */
              double sm0 = NAN;

              if (c->smooth)
                {
                  LmEma tmp = c->ema;
                  sm0 = lm_ema_step (&tmp, s->value[i]);
                }
              seg_add (c, &g, i, sm0);
            }
          if (s->value[mi] < s->value[g.mi])
            g.mi = mi;
          if (s->value[ma] > s->value[g.ma])
            g.ma = ma;
          if (c->smooth)
            {
              if (s->sm_min_val[b] < g.sm_mi_v)
                g.sm_mi = i + s->sm_min[b], g.sm_mi_v = s->sm_min_val[b];
              if (s->sm_max_val[b] > g.sm_ma_v)
                g.sm_ma = i + s->sm_max[b], g.sm_ma_v = s->sm_max_val[b];
              lm_ema_init (&c->ema, c->w, s->sm_last[b + 1], s->sm_count[b + 1]);
              c->ema_pos = i + LM_SERIES_BLOCK;
              g.sm_last = lm_ema_current (&c->ema);
            }
          g.last = i + LM_SERIES_BLOCK - 1;
          i += LM_SERIES_BLOCK;
          continue;
        }
      if (is_break (c, s->value[i]))
        return FALSE;
      seg_add (c, &g, i, c->smooth ? ema_take (c, i) : s->value[i]);
      i++;
    }
  seg_flush (c, &g);
  return TRUE;
}

static void
decimate_monotone (Ctx *c)
{
  LmSeries *s = c->s;
  const LmDecimateParams *p = c->p;
  gsize a = lm_series_lower_bound (s, p->axis, p->x0);
  gsize b = a;
  guint seen = 0;

  /* b: first index with x > x1. */
  {
    gsize lo = a, hi = s->n;

    while (lo < hi)
      {
        gsize mid = lo + (hi - lo) / 2;

        if (lm_series_x (s, p->axis, mid) <= p->x1)
          lo = mid + 1;
        else
          hi = mid;
      }
    b = lo;
  }
  c->out->n_in_view = b - a;

  if (a > 0)
    emit_single (c, a - 1, FALSE, &seen);

  if (b - a <= 4 * (gsize) p->columns)
    {
      for (gsize i = a; i < b; i++)
        {
          seen = 0;
          emit_single (c, i, TRUE, &seen);
        }
    }
  else
    {
      double dx = (p->x1 - p->x0) / p->columns;
      gsize lo = a;

      for (guint col = 0; col < p->columns && lo < b; col++)
        {
          gsize hi;

          if (col + 1 == p->columns)
            hi = b;
          else
            {
              double edge = p->x0 + (col + 1) * dx;
              gsize l = lo, h = b;

              while (l < h)
                {
                  gsize mid = l + (h - l) / 2;

                  if (lm_series_x (s, p->axis, mid) < edge)
                    l = mid + 1;
                  else
                    h = mid;
                }
              hi = l;
            }
          if (hi > lo)
            {
              LmEma saved = c->ema;
              gsize saved_pos = c->ema_pos;

              if (!column_fast (c, lo, hi))
                {
                  c->ema = saved;
                  c->ema_pos = saved_pos;
                  column_slow (c, lo, hi);
                }
            }
          lo = hi;
        }
    }

  if (b < s->n)
    emit_single (c, b, FALSE, &seen);
}

/* Wall-time axes when wall times go backwards somewhere: bin every point. */
static void
decimate_unordered (Ctx *c)
{
  LmSeries *s = c->s;
  const LmDecimateParams *p = c->p;
  guint cols = p->columns;
  Seg *segs = g_new0 (Seg, cols);
  guint *seen = g_new0 (guint, cols);
  double scale = cols / (p->x1 - p->x0);

  ema_move_to (c, 0);
  for (gsize i = 0; i < s->n; i++)
    {
      double x = lm_series_x (s, p->axis, i);
      double v = s->value[i];
      double sm = c->smooth ? ema_take (c, i) : v;
      gint64 col;

      if (x < p->x0 || x > p->x1)
        continue;
      c->out->n_in_view++;
      col = (gint64) ((x - p->x0) * scale);
      col = CLAMP (col, 0, (gint64) cols - 1);
      if (is_break (c, v))
        {
          mark (c, i, &seen[col]);
          continue;
        }
      seg_add (c, &segs[col], i, sm);
    }
  for (guint col = 0; col < cols; col++)
    seg_flush (c, &segs[col]);
  g_free (segs);
  g_free (seen);
}

void
lm_series_decimate (LmSeries               *s,
                    const LmDecimateParams *p,
                    LmDecimation           *out)
{
  Ctx c = { 0 };

  g_return_if_fail (s != NULL && p != NULL && out != NULL);
  g_array_set_size (out->raw, 0);
  g_array_set_size (out->smooth, 0);
  g_array_set_size (out->markers, 0);
  out->n_in_view = 0;
  out->y_min = INFINITY;
  out->y_max = -INFINITY;
  if (s->n == 0 || p->columns == 0 || !(p->x1 > p->x0))
    return;

  c.s = s;
  c.p = p;
  c.out = out;
  c.w = CLAMP (p->smoothing, 0.0, 0.999);
  c.smooth = c.w > 0.0 && !s->all_equal;
  c.breaks = SPECIAL_FLAGS | (p->log_y ? LM_BLOCK_HAS_NONPOS : 0);
  if (c.smooth)
    {
      lm_series_ensure_smoothing (s, c.w, s->n_blocks);
      lm_ema_init (&c.ema, c.w, 0.0, 0);
      c.ema_pos = 0;
    }

  if (lm_series_x_monotone (s, p->axis))
    decimate_monotone (&c);
  else
    decimate_unordered (&c);

  /* A constant series is drawn unsmoothed (TensorBoard's rule); give the
   * caller the same line so it need not special-case it. */
  if (p->smoothing > 0.0 && !c.smooth)
    g_array_append_vals (out->smooth, out->raw->data, out->raw->len);
}

gsize
lm_series_sample_values (LmSeries *s,
                         LmXAxis   axis,
                         double    lo,
                         double    hi,
                         double    smoothing,
                         gboolean  positive_only,
                         gsize     max_sample,
                         GArray   *values_out)
{
  gsize a = 0, b = s->n, stride, used = 0;
  gboolean monotone = lm_series_x_monotone (s, axis);
  double w = CLAMP (smoothing, 0.0, 0.999);
  LmEma e = { 0 };
  gsize ema_block = G_MAXSIZE, next = 0; /* e's block; the index it takes next */

  if (monotone)
    {
      a = lm_series_lower_bound (s, axis, lo);
      b = a;
      while (b < s->n && lm_series_x (s, axis, b) <= hi)
        b++;
    }
  if (b <= a || max_sample == 0)
    return 0;
  stride = MAX ((gsize) 1, (b - a) / max_sample);
  if (w > 0.0 && !s->all_equal)
    lm_series_ensure_smoothing (s, w, (b - 1) / LM_SERIES_BLOCK);
  for (gsize i = a; i < b; i += stride)
    {
      double v = s->value[i];

      /* lm_series_smoothed_at's value, but one walk per block: a sample
       * in the block of the previous one takes the EMA on from there
       * instead of from the block's start again. */
      if (w > 0.0 && !s->all_equal && isfinite (v))
        {
          if (ema_block != i / LM_SERIES_BLOCK)
            {
              lm_ema_seek (&e, s, w, i);
              ema_block = i / LM_SERIES_BLOCK;
            }
          else
            for (; next < i; next++)
              lm_ema_step (&e, s->value[next]);
          v = lm_ema_step (&e, s->value[i]);
          next = i + 1;
        }

      if (!isfinite (v) || (positive_only && v <= 0))
        continue;
      if (!monotone)
        {
          double x = lm_series_x (s, axis, i);

          if (x < lo || x > hi)
            continue;
        }
      g_array_append_val (values_out, v);
      used++;
    }
  return used;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double da = *(const double *) a, db = *(const double *) b;

  return da < db ? -1 : (da > db);
}

gboolean
lm_values_outlier_extent (double *values, gsize n, double *lo, double *hi)
{
  gsize first = 0, last = n - 1;

  if (n == 0)
    return FALSE;
  qsort (values, n, sizeof (double), compare_doubles);
  if (n > 2)
    {
      /* Integer arithmetic, so that an exact index (n - 1 a multiple of
       * 20) does not round up past its value. */
      first = ((n - 1) * 5 + 99) / 100;
      last = (n - 1) * 95 / 100;
    }
  *lo = values[first];
  *hi = values[last];
  return TRUE;
}
