/* pool2d.c: CPU kernels for max_pool2d and avg_pool2d (NCHW), forward and backward.
 *
 * Every (n, c) plane is independent, so the kernels loop over planes and then
 * over output pixels. The common 2x2/stride-2/no-padding max pool gets its own
 * loop (no bounds checks, two rows at a time); everything else goes through
 * the general window loop. Large inputs are split over threads by plane.
 * Semantics follow PyTorch: max_pool2d records the
 * flat index iy*W+ix of the winner (NaN wins, padding never does);
 * avg_pool2d divides by the window size counted with padding
 * (count_include_pad=True) or without (exclude_pad); with ceil_mode a last
 * window hangs over the edge and is clipped like a padded one.
 *
 * Not here: shape checks and autograd (engine/ops/pool2d.c).
 */
#include "lm-nn-kernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if defined(__SSE2__)
/* Outputs ox..ox+3 of one 2x2/stride-2 row (see max_pool_2x2_row). */
static inline void max_pool_2x2_sse(int64_t W, int64_t iy, int64_t ox, const float *r0,
                                    const float *r1, float *op, int64_t *ip)
{
  const __m128i one = _mm_set1_epi32(1), two = _mm_set1_epi32(2), three = _mm_set1_epi32(3);
  const __m128i zero = _mm_setzero_si128();
  __m128 lo0 = _mm_loadu_ps(r0 + 2 * ox), hi0 = _mm_loadu_ps(r0 + 2 * ox + 4);
  __m128 lo1 = _mm_loadu_ps(r1 + 2 * ox), hi1 = _mm_loadu_ps(r1 + 2 * ox + 4);
  __m128 a = _mm_shuffle_ps(lo0, hi0, _MM_SHUFFLE(2, 0, 2, 0));
  __m128 b = _mm_shuffle_ps(lo0, hi0, _MM_SHUFFLE(3, 1, 3, 1));
  __m128 c = _mm_shuffle_ps(lo1, hi1, _MM_SHUFFLE(2, 0, 2, 0));
  __m128 d = _mm_shuffle_ps(lo1, hi1, _MM_SHUFFLE(3, 1, 3, 1));
  __m128 best = a;
  __m128i k = zero;
  __m128 t = _mm_or_ps(_mm_cmpgt_ps(b, best), _mm_cmpunord_ps(b, b));
  best = _mm_or_ps(_mm_and_ps(t, b), _mm_andnot_ps(t, best));
  k = _mm_or_si128(_mm_and_si128(_mm_castps_si128(t), one), _mm_andnot_si128(_mm_castps_si128(t), k));
  t = _mm_or_ps(_mm_cmpgt_ps(c, best), _mm_cmpunord_ps(c, c));
  best = _mm_or_ps(_mm_and_ps(t, c), _mm_andnot_ps(t, best));
  k = _mm_or_si128(_mm_and_si128(_mm_castps_si128(t), two), _mm_andnot_si128(_mm_castps_si128(t), k));
  t = _mm_or_ps(_mm_cmpgt_ps(d, best), _mm_cmpunord_ps(d, d));
  best = _mm_or_ps(_mm_and_ps(t, d), _mm_andnot_ps(t, best));
  k = _mm_or_si128(_mm_and_si128(_mm_castps_si128(t), three), _mm_andnot_si128(_mm_castps_si128(t), k));
  _mm_storeu_ps(op + ox, best);
  /* index = (iy + k/2) * W + 2*ox + 2*lane + k%2, in 32 bits, widened to 64 */
  __m128i base = _mm_add_epi32(_mm_set1_epi32((int32_t)(iy * W + 2 * ox)), _mm_set_epi32(6, 4, 2, 0));
  __m128i row = _mm_and_si128(_mm_cmpgt_epi32(k, one), _mm_set1_epi32((int32_t)W));
  __m128i idx = _mm_add_epi32(_mm_add_epi32(base, row), _mm_and_si128(k, one));
  _mm_storeu_si128((__m128i *)(ip + ox), _mm_unpacklo_epi32(idx, zero));
  _mm_storeu_si128((__m128i *)(ip + ox + 2), _mm_unpackhi_epi32(idx, zero));
}
#endif

/* One output row of the 2x2/stride-2 case: r0, r1 are the two input rows, iy
 * the index of r0. Scan order (r0[2x], r0[2x+1], r1[2x], r1[2x+1]) with ">"
 * keeps the first maximum and "|| NaN" the last NaN, as PyTorch's kernel
 * does. On x86-64 four outputs go at a time with SSE2 (always present there):
 * compiled C turned the selects into branches, which random data made
 * mispredict half the time, and rows are too short (7 to 14 outputs) for
 * wider vectors. Rows under 4 outputs take the scalar loop. */
static void max_pool_2x2_row(int64_t OW, int64_t W, int64_t iy, const float *r0,
                             const float *r1, float *op, int64_t *ip)
{
  int64_t ox = 0;
#if defined(__SSE2__)
  if (OW >= 4 && (iy + 1) * W < INT32_MAX) {
    for (; ox + 4 <= OW; ox += 4)
      max_pool_2x2_sse(W, iy, ox, r0, r1, op, ip);
    /* The last 1-3 outputs: one more overlapping group of 4 (recomputing a few
     * outputs is cheaper than a branchy scalar tail on 7- or 14-wide rows). */
    if (ox < OW)
      max_pool_2x2_sse(W, iy, OW - 4, r0, r1, op, ip);
    return;
  }
#endif
  for (; ox < OW; ox++) {
    float best = r0[2 * ox];
    int k = 0;
    const float v[3] = {r0[2 * ox + 1], r1[2 * ox], r1[2 * ox + 1]};
    for (int j = 0; j < 3; j++) {
      if (v[j] > best || isnan(v[j])) {
        best = v[j];
        k = j + 1;
      }
    }
    op[ox] = best;
    ip[ox] = (iy + (k >> 1)) * W + 2 * ox + (k & 1);
  }
}

static void max_pool_2x2(const lm_pool2d_geom *g, const float *x, float *out, int64_t *idx,
                         int64_t pl0, int64_t pl1)
{
  const int64_t H = g->h, W = g->w, OH = g->oh, OW = g->ow;
  for (int64_t pl = pl0; pl < pl1; pl++) {
    const float *xp = x + pl * H * W;
    for (int64_t oy = 0; oy < OH; oy++)
      max_pool_2x2_row(OW, W, 2 * oy, xp + 2 * oy * W, xp + (2 * oy + 1) * W,
                       out + (pl * OH + oy) * OW, idx + (pl * OH + oy) * OW);
  }
}

static void max_pool_fwd_planes(const lm_pool2d_geom *g, const float *x, float *out,
                                int64_t *idx, int64_t pl0, int64_t pl1)
{
  /* (not with ceil_mode's last window hanging over an odd edge) */
  if (g->kh == 2 && g->kw == 2 && g->sh == 2 && g->sw == 2 && g->ph == 0 && g->pw == 0 &&
      2 * g->oh <= g->h && 2 * g->ow <= g->w) {
    max_pool_2x2(g, x, out, idx, pl0, pl1);
    return;
  }
  const int64_t H = g->h, W = g->w, OH = g->oh, OW = g->ow;
  for (int64_t pl = pl0; pl < pl1; pl++) {
    const float *xp = x + pl * H * W;
    float *op = out + pl * OH * OW;
    int64_t *ip = idx + pl * OH * OW;
    for (int64_t oy = 0; oy < OH; oy++) {
      int64_t y0 = oy * g->sh - g->ph, y1 = y0 + g->kh;
      if (y0 < 0) y0 = 0;
      if (y1 > H) y1 = H;
      for (int64_t ox = 0; ox < OW; ox++) {
        int64_t x0 = ox * g->sw - g->pw, x1 = x0 + g->kw;
        if (x0 < 0) x0 = 0;
        if (x1 > W) x1 = W;
        float best = -INFINITY;
        int64_t bi = y0 * W + x0;
        for (int64_t iy = y0; iy < y1; iy++) {
          for (int64_t ix = x0; ix < x1; ix++) {
            float v = xp[iy * W + ix];
            int t = (v > best) | (v != v); /* branch-free, see max_pool_2x2_row */
            best = t ? v : best;
            bi = t ? iy * W + ix : bi;
          }
        }
        op[oy * OW + ox] = best;
        ip[oy * OW + ox] = bi;
      }
    }
  }
}

static void max_pool_bwd_planes(const lm_pool2d_geom *g, const float *dy, const int64_t *idx,
                                float *dx, int64_t pl0, int64_t pl1)
{
  const int64_t HW = g->h * g->w, OHW = g->oh * g->ow;
  memset(dx + pl0 * HW, 0, (size_t)((pl1 - pl0) * HW) * sizeof(float));
  for (int64_t pl = pl0; pl < pl1; pl++) {
    const float *dyp = dy + pl * OHW;
    const int64_t *ip = idx + pl * OHW;
    float *dxp = dx + pl * HW;
    for (int64_t i = 0; i < OHW; i++)
      dxp[ip[i]] += dyp[i];
  }
}

/* Window of output (oy, ox) clipped to the input, and PyTorch's divisor: the
 * window clipped to the padded input (count_include_pad=True), or to the
 * input itself (exclude_pad); divisor_override replaces both. */
static inline int64_t avg_window(const lm_pool2d_geom *g, int64_t oy, int64_t ox,
                                 int64_t *y0, int64_t *y1, int64_t *x0, int64_t *x1)
{
  int64_t hs = oy * g->sh - g->ph, ws = ox * g->sw - g->pw;
  int64_t he = hs + g->kh, we = ws + g->kw;
  if (he > g->h + g->ph) he = g->h + g->ph;
  if (we > g->w + g->pw) we = g->w + g->pw;
  int64_t div = (he - hs) * (we - ws);
  *y0 = hs < 0 ? 0 : hs;
  *x0 = ws < 0 ? 0 : ws;
  *y1 = he > g->h ? g->h : he;
  *x1 = we > g->w ? g->w : we;
  if (g->divisor)
    return g->divisor;
  return g->exclude_pad ? (*y1 - *y0) * (*x1 - *x0) : div;
}

static void avg_pool_fwd_planes(const lm_pool2d_geom *g, const float *x, float *out,
                                int64_t pl0, int64_t pl1)
{
  const int64_t H = g->h, W = g->w, OH = g->oh, OW = g->ow;
  for (int64_t pl = pl0; pl < pl1; pl++) {
    const float *xp = x + pl * H * W;
    float *op = out + pl * OH * OW;
    for (int64_t oy = 0; oy < OH; oy++) {
      for (int64_t ox = 0; ox < OW; ox++) {
        int64_t y0, y1, x0, x1;
        int64_t div = avg_window(g, oy, ox, &y0, &y1, &x0, &x1);
        float s = 0.0f;
        for (int64_t iy = y0; iy < y1; iy++)
          for (int64_t ix = x0; ix < x1; ix++)
            s += xp[iy * W + ix];
        op[oy * OW + ox] = s / (float)div;
      }
    }
  }
}

static void avg_pool_bwd_planes(const lm_pool2d_geom *g, const float *dy, float *dx,
                                int64_t pl0, int64_t pl1)
{
  const int64_t H = g->h, W = g->w, OH = g->oh, OW = g->ow;
  memset(dx + pl0 * H * W, 0, (size_t)((pl1 - pl0) * H * W) * sizeof(float));
  for (int64_t pl = pl0; pl < pl1; pl++) {
    const float *dyp = dy + pl * OH * OW;
    float *dxp = dx + pl * H * W;
    for (int64_t oy = 0; oy < OH; oy++) {
      for (int64_t ox = 0; ox < OW; ox++) {
        int64_t y0, y1, x0, x1;
        int64_t div = avg_window(g, oy, ox, &y0, &y1, &x0, &x1);
        float v = dyp[oy * OW + ox] / (float)div;
        for (int64_t iy = y0; iy < y1; iy++)
          for (int64_t ix = x0; ix < x1; ix++)
            dxp[iy * W + ix] += v;
      }
    }
  }
}

/* ---- entry points: planes are independent, so big inputs are split over
 * threads by plane ---- */

typedef enum { MAX_FWD, MAX_BWD, AVG_FWD, AVG_BWD } pool_kind;

typedef struct {
  pool_kind kind;
  const lm_pool2d_geom *g;
  const float *in;
  float *out;
  int64_t *idx;
  const int64_t *cidx;
} pool_job;

static void pool_range(void *ctx, int tid, int64_t pl0, int64_t pl1)
{
  const pool_job *j = ctx;
  switch (j->kind) {
  case MAX_FWD: max_pool_fwd_planes(j->g, j->in, j->out, j->idx, pl0, pl1); break;
  case MAX_BWD: max_pool_bwd_planes(j->g, j->in, j->cidx, j->out, pl0, pl1); break;
  case AVG_FWD: avg_pool_fwd_planes(j->g, j->in, j->out, pl0, pl1); break;
  case AVG_BWD: avg_pool_bwd_planes(j->g, j->in, j->out, pl0, pl1); break;
  }
}

static void pool_run(const pool_job *j)
{
  /* Below ~64K input elements a thread hand-off costs more than it saves. */
  if (j->g->planes * j->g->h * j->g->w >= 65536)
    lm_cpu_parallel_for(j->g->planes, pool_range, (void *)j);
  else
    pool_range((void *)j, 0, 0, j->g->planes);
}

void lm_cpu_max_pool2d_forward(const lm_pool2d_geom *g, const float *x, float *out, int64_t *idx)
{
  pool_run(&(pool_job){.kind = MAX_FWD, .g = g, .in = x, .out = out, .idx = idx});
}

void lm_cpu_max_pool2d_backward(const lm_pool2d_geom *g, const float *dy, const int64_t *idx,
                                float *dx)
{
  pool_run(&(pool_job){.kind = MAX_BWD, .g = g, .in = dy, .out = dx, .cidx = idx});
}

void lm_cpu_avg_pool2d_forward(const lm_pool2d_geom *g, const float *x, float *out)
{
  pool_run(&(pool_job){.kind = AVG_FWD, .g = g, .in = x, .out = out});
}

void lm_cpu_avg_pool2d_backward(const lm_pool2d_geom *g, const float *dy, float *dx)
{
  pool_run(&(pool_job){.kind = AVG_BWD, .g = g, .in = dy, .out = dx});
}
