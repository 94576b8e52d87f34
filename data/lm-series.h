/* lm-series.h: one scalar tag of one run, held as compact arrays.
 *
 * What it is for: the in-memory copy of a scalar series that charts read
 * on the main thread: steps, values and wall times in flat arrays (16 bytes
 * a point, no per-point objects), kept sorted by step, with small per-block
 * summaries (min/max offsets every LM_SERIES_BLOCK points) so that
 * decimating a million points for a few hundred pixel columns touches a few
 * thousand entries, and TensorBoard's smoothing computed lazily with
 * checkpoints instead of a second full-size array.  A point costs 12
 * bytes: a 32-bit step offset, a float32 value, a float32 wall-time offset.
 *
 * What it is not for: reading SQLite (lm-run-store does that off the main
 * thread and appends here) or drawing (ui/ does that from the decimation
 * in lm-decimate.h).  Values are stored as float32, the precision
 * TensorBoard's own scalar summaries have.
 *
 * Not thread-safe: owned and used by the main thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Horizontal axis choices, TensorBoard's "Step", "Relative" and "Wall". */
typedef enum {
  LM_X_STEP = 0,
  LM_X_RELATIVE,  /* seconds since the series' first point */
  LM_X_WALL,      /* unix seconds */
} LmXAxis;

#define LM_SERIES_BLOCK 64

/* Block flags: what kinds of values a block holds besides finite ones. */
enum {
  LM_BLOCK_HAS_NAN = 1 << 0,
  LM_BLOCK_HAS_POSINF = 1 << 1,
  LM_BLOCK_HAS_NEGINF = 1 << 2,
  LM_BLOCK_HAS_NONPOS = 1 << 3,   /* a finite value <= 0 (breaks log scale) */
};

typedef struct _LmSeries LmSeries;

struct _LmSeries {
  char *tag;
  gsize n, cap;
  /* Steps as 32-bit offsets from step_base while they fit (almost always:
   * 12 bytes a point instead of 16), else as int64; one of the two is set.
   * Read them with lm_series_step(). */
  gint64 step_base;
  guint32 *step32;
  gint64 *step64;
  float *value;
  float *wall;          /* seconds since wall_base */
  double wall_base;     /* wall time of the first point ever appended */
  gboolean wall_monotone;  /* wall times non-decreasing in index order */
  gboolean all_equal;   /* every value equal to the first (no smoothing then) */
  guint64 generation;   /* bumped on every change; caches compare it */

  /* Summaries of complete blocks: offsets (within the block) of the
   * smallest and largest finite value, 0xff when the block has none. */
  guint8 *blk_min, *blk_max, *blk_flags;
  gsize n_blocks;       /* complete blocks summarised */

  /* Smoothing cache for one weight: EMA state at the start of every block
   * and the blocks' smoothed min/max offsets. */
  double sm_weight;     /* < 0: nothing cached */
  double *sm_last;      /* EMA accumulator at block start */
  gint64 *sm_count;     /* finite values seen before block start */
  guint8 *sm_min, *sm_max;
  double *sm_min_val, *sm_max_val;
  gsize sm_blocks;      /* blocks whose smoothing state is known */
};

LmSeries *lm_series_new (const char *tag);
void      lm_series_free (LmSeries *series);

/* Appends points (wall in unix seconds).  Keeps the series sorted by step:
 * points that arrive with a smaller step than the last one are inserted
 * in step order (stable), which costs a re-sort of the series. */
void      lm_series_append (LmSeries     *series,
                            gsize         n,
                            const gint64 *steps,
                            const float  *values,
                            const double *walls);
void      lm_series_clear  (LmSeries *series);
/* Exchanges the points of two series (tags stay); both count as changed. */
void      lm_series_swap_data (LmSeries *a, LmSeries *b);
/* Gives back unused capacity (after a load; appends still work). */
void      lm_series_trim   (LmSeries *series);

static inline gsize
lm_series_get_n (const LmSeries *series)
{
  return series->n;
}

static inline gint64
lm_series_step (const LmSeries *s, gsize i)
{
  return s->step64 ? s->step64[i] : s->step_base + (gint64) s->step32[i];
}

/* x of point i for an axis. */
static inline double
lm_series_x (const LmSeries *s, LmXAxis axis, gsize i)
{
  switch (axis)
    {
    case LM_X_RELATIVE:
      return (double) s->wall[i];
    case LM_X_WALL:
      return s->wall_base + (double) s->wall[i];
    case LM_X_STEP:
    default:
      return (double) lm_series_step (s, i);
    }
}

static inline double
lm_series_wall_time (const LmSeries *s, gsize i)
{
  return s->wall_base + (double) s->wall[i];
}

/* TRUE when x is non-decreasing in index order for the axis (always for
 * steps; for time axes unless steps were logged out of time order). */
gboolean  lm_series_x_monotone (const LmSeries *series, LmXAxis axis);

/* First index whose x >= x (n if none); x must be monotone. */
gsize     lm_series_lower_bound (const LmSeries *series, LmXAxis axis, double x);

/* Index of the point whose x is nearest to x (any order); n when empty. */
gsize     lm_series_nearest (const LmSeries *series, LmXAxis axis, double x);

/* Range of x over all points; FALSE when empty. */
gboolean  lm_series_x_range (const LmSeries *series, LmXAxis axis,
                             double *x_min, double *x_max);

/* TensorBoard's smoothed value of point i for a weight in [0, 1): the
 * debiased exponential moving average over the finite values up to i;
 * non-finite values (and every value of a constant series) pass through. */
double    lm_series_smoothed_at (LmSeries *series, double weight, gsize i);

/* Reference implementation over a plain array, for tests and exports:
 * out[i] = smoothed in[i]. */
void      lm_smooth_values (const double *in, gsize n, double weight, double *out);

/* Internal helpers shared with lm-decimate.c. */
void      lm_series_ensure_smoothing (LmSeries *series, double weight, gsize upto_block);

G_END_DECLS
