/* conv2d.cu: 2-D convolution (NCHW) on the GPU: im2col kernels + cuBLAS.
 *
 * The whole batch is unfolded at once into col (K, N*P), K = Cin*kh*kw rows
 * and P = OH*OW output pixels per sample, so each pass is one or two large
 * GEMMs instead of one small GEMM per sample (the CPU's plan, which suits
 * caches, not a GPU):
 * Forward:  out_n (Cout, P) = w (Cout, K) . col[:, n*P : (n+1)*P]  for every n,
 *           one strided-batched GEMM writing NCHW directly, on top of the
 *           bias broadcast (beta = 1), the CPU's order of operations.
 * Backward: dyt (Cout, N*P) = dy transposed, db = row sums of dyt (in double),
 *           dw = dyt . col^T (one GEMM over all N*P pixels), then
 *           dcol = w^T . dyt into col's buffer and dx = col2im(dcol).
 * Workspace (floats, allocated by the op): forward K*N*P; backward
 * K*N*P + Cout*N*P (col, then dcol in the same place, and dyt).
 * col2im is a gather (each input pixel sums the column entries that read it),
 * not a scatter with atomics: deterministic, and dx needs no zeroing pass.
 * All GEMMs go through lm_cuda_gemm_f32 (gemm.cu), which owns the row-major
 * to column-major mapping; sizes are int64 throughout.
 *
 * Not here: shape checks, autograd (engine/ops/conv2d.c); cuDNN (im2col + GEMM
 * is plenty for the sizes this engine trains, and keeps the dependency list short).
 */
#include "cuda-common.cuh"

/* col[((c*kh + ki)*kw + kj), n*P + oy*OW + ox] = x[n, c, iy, ix] or 0 outside.
 * One thread per (c, n, oy, ox), looping over the kh*kw kernel taps. */
__global__ void im2col_kernel(lm_conv2d_geom g, const float *x, float *col)
{
  const int64_t P = g.oh * g.ow, NP = g.n * P;
  LM_GRID_STRIDE(t, g.c_in * NP) {
    const int64_t c = t / NP, np = t - c * NP;
    const int64_t n = np / P, p = np - n * P;
    const int64_t oy = p / g.ow, ox = p - oy * g.ow;
    const float *xc = x + (n * g.c_in + c) * g.h * g.w;
    float *dst = col + c * g.kh * g.kw * NP + np;
    for (int64_t ki = 0; ki < g.kh; ki++) {
      const int64_t iy = oy * g.sh - g.ph + ki * g.dh;
      const bool row_ok = iy >= 0 && iy < g.h;
      for (int64_t kj = 0; kj < g.kw; kj++) {
        const int64_t ix = ox * g.sw - g.pw + kj * g.dw;
        *dst = (row_ok && ix >= 0 && ix < g.w) ? xc[iy * g.w + ix] : 0.0f;
        dst += NP;
      }
    }
  }
}

/* out[n, co, p] = bias[co]: the starting value of the forward's beta = 1 GEMM. */
__global__ void bias_fill_kernel(lm_conv2d_geom g, const float *bias, float *out)
{
  const int64_t P = g.oh * g.ow;
  LM_GRID_STRIDE(t, g.n * g.c_out * P)
  out[t] = bias[(t / P) % g.c_out];
}

/* dyt[co, n*P + p] = dy[n, co, p]. */
__global__ void fold_kernel(lm_conv2d_geom g, const float *dy, float *dyt)
{
  const int64_t P = g.oh * g.ow, NP = g.n * P;
  LM_GRID_STRIDE(t, g.n * g.c_out * P) {
    const int64_t p = t % P, nc = t / P;
    const int64_t co = nc % g.c_out, n = nc / g.c_out;
    dyt[co * NP + n * P + p] = dy[t];
  }
}

/* dx[n, c, iy, ix] = sum of the dcol entries that im2col read from there. Along
 * one axis, tap k of output o reads input i when o*s - pad + k*d == i, i.e.
 * o = (i + pad - k*d) / s when that divides exactly and 0 <= o < OH. */
__global__ void col2im_kernel(lm_conv2d_geom g, const float *dcol, float *dx)
{
  const int64_t P = g.oh * g.ow, NP = g.n * P;
  LM_GRID_STRIDE(t, g.n * g.c_in * g.h * g.w) {
    const int64_t ix = t % g.w, iy = (t / g.w) % g.h;
    const int64_t nc = t / (g.h * g.w);
    const int64_t c = nc % g.c_in, n = nc / g.c_in;
    float s = 0.0f;
    for (int64_t ki = 0; ki < g.kh; ki++) {
      const int64_t ty = iy + g.ph - ki * g.dh;
      if (ty < 0 || ty % g.sh != 0)
        continue;
      const int64_t oy = ty / g.sh;
      if (oy >= g.oh)
        continue;
      for (int64_t kj = 0; kj < g.kw; kj++) {
        const int64_t tx = ix + g.pw - kj * g.dw;
        if (tx < 0 || tx % g.sw != 0)
          continue;
        const int64_t ox = tx / g.sw;
        if (ox >= g.ow)
          continue;
        const int64_t row = (c * g.kh + ki) * g.kw + kj;
        s += dcol[row * NP + n * P + oy * g.ow + ox];
      }
    }
    dx[t] = s;
  }
}

extern "C" int64_t lm_cuda_conv2d_workspace_f32(const lm_conv2d_geom *g, bool backward)
{
  const int64_t K = lm_conv2d_col_rows(g), NP = lm_conv2d_col_cols(g);
  const int64_t n = backward ? K * NP + g->c_out * NP : K * NP;
  return n > 0 ? n : 1;
}

extern "C" void lm_cuda_conv2d_forward_f32(const lm_conv2d_geom *g, const float *x, const float *w,
                                           const float *bias, float *out, float *ws)
{
  const int64_t K = lm_conv2d_col_rows(g), P = g->oh * g->ow, NP = lm_conv2d_col_cols(g);
  if (NP <= 0 || g->c_out <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  float *col = ws;
  if (K > 0) {
    im2col_kernel<<<lm_cuda_blocks(ctx, g->c_in * NP, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                    ctx->stream>>>(*g, x, col);
    if (!LM_CUDA_LAUNCHED())
      return;
  }
  if (bias) {
    bias_fill_kernel<<<lm_cuda_blocks(ctx, g->c_out * NP, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                       ctx->stream>>>(*g, bias, out);
    if (!LM_CUDA_LAUNCHED())
      return;
  }
  /* for each n: out_n (Cout, P) (+)= w (Cout, K) . col_n (K, P; row stride NP) */
  lm_cuda_gemm_f32(false, false, g->c_out, P, K, 1.0f, w, K, 0, col, NP, P, bias ? 1.0f : 0.0f,
                   out, P, g->c_out * P, g->n);
}

extern "C" void lm_cuda_conv2d_backward_f32(const lm_conv2d_geom *g, const float *dy,
                                            const float *x, const float *w, float *dx, float *dw,
                                            float *db, float *ws)
{
  const int64_t K = lm_conv2d_col_rows(g), NP = lm_conv2d_col_cols(g);
  float *col = ws, *dyt = ws + K * NP; /* col's place later holds dcol */
  void *any = dx ? (void *)dx : dw ? (void *)dw : (void *)db;
  if (!any)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(any);
  if (!ctx)
    return;
  if (NP <= 0 || g->c_out <= 0) {
    /* Nothing flows back: the gradients are zero (and must still be written). */
    if (dw)
      lm_cuda_fill_f32(g->c_out * K, 0.0f, dw);
    if (db)
      lm_cuda_fill_f32(g->c_out, 0.0f, db);
    if (dx)
      lm_cuda_fill_f32(g->n * g->c_in * g->h * g->w, 0.0f, dx);
    return;
  }
  fold_kernel<<<lm_cuda_blocks(ctx, g->c_out * NP, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                ctx->stream>>>(*g, dy, dyt);
  if (!LM_CUDA_LAUNCHED())
    return;
  if (db) /* db (Cout) = sums of dyt's rows */
    lm_cuda_reduce_f32(LM_RED_SUM, g->c_out, NP, 1, dyt, db, NULL);
  if (dw) {
    if (K > 0) {
      im2col_kernel<<<lm_cuda_blocks(ctx, g->c_in * NP, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                      ctx->stream>>>(*g, x, col);
      if (!LM_CUDA_LAUNCHED())
        return;
    }
    /* dw (Cout, K) = dyt (Cout, NP) . col^T (NP, K) */
    lm_cuda_gemm_f32(false, true, g->c_out, K, NP, 1.0f, dyt, NP, 0, col, NP, 0, 0.0f, dw, K, 0,
                     1);
  }
  if (dx) {
    if (K <= 0) {
      lm_cuda_fill_f32(g->n * g->c_in * g->h * g->w, 0.0f, dx);
      return;
    }
    /* dcol (K, NP) = w^T (K, Cout) . dyt (Cout, NP), queued after dw's read of col */
    float *dcol = col;
    lm_cuda_gemm_f32(true, false, K, NP, g->c_out, 1.0f, w, K, 0, dyt, NP, 0, 0.0f, dcol, NP, 0,
                     1);
    col2im_kernel<<<lm_cuda_blocks(ctx, g->n * g->c_in * g->h * g->w, LM_CUDA_THREADS),
                    LM_CUDA_THREADS, 0, ctx->stream>>>(*g, dcol, dx);
    (void)LM_CUDA_LAUNCHED();
  }
}
