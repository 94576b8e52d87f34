/* pool2d.cu: max_pool2d and avg_pool2d (NCHW) on the GPU, forward and
 * backward, with PyTorch's semantics as in cpu/pool2d.c.
 *
 * Forward: one thread per output pixel, scanning its window in the CPU's
 * order (rows, then columns), so the chosen index (first maximum, NaN wins)
 * and the float sums are the CPU's bit for bit.
 * Backward: one thread per INPUT pixel gathering from the output windows that
 * cover it, in increasing output order. That is the order in which the CPU's
 * scatter adds into the same pixel, so results are again identical, there are
 * no atomics (deterministic) and dx needs no zeroing pass.
 *
 * Not here: shape checks and autograd (engine/ops/pool2d.c).
 */
#include "cuda-common.cuh"

/* Outputs o along one axis whose window [o*s - pad, o*s - pad + k) covers i. */
__device__ __forceinline__ void covering(int64_t i, int64_t k, int64_t s, int64_t pad,
                                         int64_t n_out, int64_t *lo, int64_t *hi)
{
  const int64_t a = i + pad - k + 1;
  *lo = a <= 0 ? 0 : (a + s - 1) / s;
  const int64_t h = (i + pad) / s;
  *hi = h < n_out - 1 ? h : n_out - 1; /* inclusive */
}

__global__ void max_pool_forward_kernel(lm_pool2d_geom g, const float *x, float *out,
                                        int64_t *idx)
{
  const int64_t OHW = g.oh * g.ow;
  LM_GRID_STRIDE(t, g.planes * OHW) {
    const int64_t pl = t / OHW, r = t - pl * OHW;
    const int64_t oy = r / g.ow, ox = r - oy * g.ow;
    const float *xp = x + pl * g.h * g.w;
    int64_t y0 = oy * g.sh - g.ph, y1 = y0 + g.kh;
    int64_t x0 = ox * g.sw - g.pw, x1 = x0 + g.kw;
    y0 = y0 < 0 ? 0 : y0;
    y1 = y1 > g.h ? g.h : y1;
    x0 = x0 < 0 ? 0 : x0;
    x1 = x1 > g.w ? g.w : x1;
    float best = -INFINITY;
    int64_t bi = y0 * g.w + x0;
    for (int64_t iy = y0; iy < y1; iy++)
      for (int64_t ix = x0; ix < x1; ix++) {
        const float v = xp[iy * g.w + ix];
        if (v > best || isnan(v)) {
          best = v;
          bi = iy * g.w + ix;
        }
      }
    out[t] = best;
    idx[t] = bi;
  }
}

extern "C" void lm_cuda_max_pool2d_forward_f32(const lm_pool2d_geom *g, const float *x, float *out,
                                               int64_t *idx)
{
  const int64_t total = g->planes * g->oh * g->ow;
  if (total <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  max_pool_forward_kernel<<<lm_cuda_blocks(ctx, total, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                            ctx->stream>>>(*g, x, out, idx);
  (void)LM_CUDA_LAUNCHED();
}

/* dx[pl, iy, ix] = sum of dy over the windows whose recorded winner is (iy, ix). */
__global__ void max_pool_backward_kernel(lm_pool2d_geom g, const float *dy, const int64_t *idx,
                                         float *dx)
{
  const int64_t HW = g.h * g.w, OHW = g.oh * g.ow;
  LM_GRID_STRIDE(t, g.planes * HW) {
    const int64_t pl = t / HW, pos = t - pl * HW;
    const int64_t iy = pos / g.w, ix = pos - iy * g.w;
    int64_t oy0, oy1, ox0, ox1;
    covering(iy, g.kh, g.sh, g.ph, g.oh, &oy0, &oy1);
    covering(ix, g.kw, g.sw, g.pw, g.ow, &ox0, &ox1);
    const float *dyp = dy + pl * OHW;
    const int64_t *ip = idx + pl * OHW;
    float s = 0.0f;
    for (int64_t oy = oy0; oy <= oy1; oy++)
      for (int64_t ox = ox0; ox <= ox1; ox++)
        if (ip[oy * g.ow + ox] == pos)
          s += dyp[oy * g.ow + ox];
    dx[t] = s;
  }
}

extern "C" void lm_cuda_max_pool2d_backward_f32(const lm_pool2d_geom *g, const float *dy,
                                                const int64_t *idx, float *dx)
{
  const int64_t total = g->planes * g->h * g->w;
  if (total <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(dx);
  if (!ctx)
    return;
  max_pool_backward_kernel<<<lm_cuda_blocks(ctx, total, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                             ctx->stream>>>(*g, dy, idx, dx);
  (void)LM_CUDA_LAUNCHED();
}

/* The CPU's avg_window: the window clipped to the input, and PyTorch's divisor
 * (the window clipped to the padded input, count_include_pad=True, or to the
 * input, exclude_pad), or divisor_override. */
__device__ __forceinline__ int64_t avg_window(const lm_pool2d_geom &g, int64_t oy, int64_t ox,
                                              int64_t *y0, int64_t *y1, int64_t *x0, int64_t *x1)
{
  const int64_t hs = oy * g.sh - g.ph, ws = ox * g.sw - g.pw;
  int64_t he = hs + g.kh, we = ws + g.kw;
  if (he > g.h + g.ph)
    he = g.h + g.ph;
  if (we > g.w + g.pw)
    we = g.w + g.pw;
  const int64_t div = (he - hs) * (we - ws);
  *y0 = hs < 0 ? 0 : hs;
  *x0 = ws < 0 ? 0 : ws;
  *y1 = he > g.h ? g.h : he;
  *x1 = we > g.w ? g.w : we;
  if (g.divisor)
    return g.divisor;
  return g.exclude_pad ? (*y1 - *y0) * (*x1 - *x0) : div;
}

__global__ void avg_pool_forward_kernel(lm_pool2d_geom g, const float *x, float *out)
{
  const int64_t OHW = g.oh * g.ow;
  LM_GRID_STRIDE(t, g.planes * OHW) {
    const int64_t pl = t / OHW, r = t - pl * OHW;
    const int64_t oy = r / g.ow, ox = r - oy * g.ow;
    const float *xp = x + pl * g.h * g.w;
    int64_t y0, y1, x0, x1;
    const int64_t div = avg_window(g, oy, ox, &y0, &y1, &x0, &x1);
    float s = 0.0f;
    for (int64_t iy = y0; iy < y1; iy++)
      for (int64_t ix = x0; ix < x1; ix++)
        s += xp[iy * g.w + ix];
    out[t] = s / (float)div;
  }
}

extern "C" void lm_cuda_avg_pool2d_forward_f32(const lm_pool2d_geom *g, const float *x, float *out)
{
  const int64_t total = g->planes * g->oh * g->ow;
  if (total <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  avg_pool_forward_kernel<<<lm_cuda_blocks(ctx, total, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                            ctx->stream>>>(*g, x, out);
  (void)LM_CUDA_LAUNCHED();
}

/* dx[pl, iy, ix] = sum over the windows covering it of dy / divisor. A window
 * clipped to the input covers exactly the pixels its unclipped extent covers. */
__global__ void avg_pool_backward_kernel(lm_pool2d_geom g, const float *dy, float *dx)
{
  const int64_t HW = g.h * g.w, OHW = g.oh * g.ow;
  LM_GRID_STRIDE(t, g.planes * HW) {
    const int64_t pl = t / HW, pos = t - pl * HW;
    const int64_t iy = pos / g.w, ix = pos - iy * g.w;
    int64_t oy0, oy1, ox0, ox1;
    covering(iy, g.kh, g.sh, g.ph, g.oh, &oy0, &oy1);
    covering(ix, g.kw, g.sw, g.pw, g.ow, &ox0, &ox1);
    const float *dyp = dy + pl * OHW;
    float s = 0.0f;
    for (int64_t oy = oy0; oy <= oy1; oy++)
      for (int64_t ox = ox0; ox <= ox1; ox++) {
        int64_t y0, y1, x0, x1;
        const int64_t div = avg_window(g, oy, ox, &y0, &y1, &x0, &x1);
        s += dyp[oy * g.ow + ox] / (float)div;
      }
    dx[t] = s;
  }
}

extern "C" void lm_cuda_avg_pool2d_backward_f32(const lm_pool2d_geom *g, const float *dy, float *dx)
{
  const int64_t total = g->planes * g->h * g->w;
  if (total <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(dx);
  if (!ctx)
    return;
  avg_pool_backward_kernel<<<lm_cuda_blocks(ctx, total, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                             ctx->stream>>>(*g, dy, dx);
  (void)LM_CUDA_LAUNCHED();
}
