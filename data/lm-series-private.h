/* lm-series-private.h: internals shared by lm-series.c and lm-decimate.c.
 *
 * What it is for: the EMA stepping used by smoothing (so the decimator can
 * carry the smoothing state across pixel columns) and the "no finite value
 * in this block" marker.  Not for the ui/ or app/ code.
 */
#pragma once

#include <math.h>

#include "lm-series.h"

#define LM_NO_OFFSET 0xff

/* TensorBoard (vz_line_chart2): last = last * w + (1 - w) * v over finite
 * values, divided by the debias factor 1 - w^count.  The power is carried
 * multiplicatively between checkpoints; pow() runs once per resume. */
typedef struct
{
  double w, last, wp;
  gint64 count;
} LmEma;

static inline void
lm_ema_init (LmEma *e, double w, double last, gint64 count)
{
  e->w = w;
  e->last = last;
  e->count = count;
  e->wp = pow (w, (double) count);
}

static inline double
lm_ema_step (LmEma *e, double v)
{
  if (!isfinite (v))
    return v;
  e->last = e->last * e->w + (1.0 - e->w) * v;
  e->count++;
  /* Once w^count is below double precision the debias factor is exactly
   * 1: skip the division (and keep wp from going subnormal, which is slow). */
  if (e->wp < 1e-18)
    return e->last;
  e->wp *= e->w;
  return e->w >= 1.0 ? e->last : e->last / (1.0 - e->wp);
}


/* The EMA state just before index `i`, from the block checkpoints: the
 * state after every point up to i - 1.  Needs lm_series_ensure_smoothing
 * for block i / LM_SERIES_BLOCK first. */
static inline void
lm_ema_seek (LmEma *e, const LmSeries *s, double weight, gsize i)
{
  gsize b = i / LM_SERIES_BLOCK;

  lm_ema_init (e, weight, s->sm_last[b], s->sm_count[b]);
  for (gsize j = b * LM_SERIES_BLOCK; j < i; j++)
    lm_ema_step (e, s->value[j]);
}

/* Smoothed value of the last finite point the EMA has taken in. */
static inline double
lm_ema_current (const LmEma *e)
{
  if (e->count == 0)
    return NAN;
  if (e->wp < 1e-18)
    return e->last;
  return e->w >= 1.0 ? e->last : e->last / (1.0 - e->wp);
}
