/* softmax.cu: CUDA softmax and log_softmax over the middle dim of
 * (outer, n, inner), forward and backward, mirroring cpu/softmax-loss.c.
 *
 * Numerically stable: the row max is subtracted before exp (a row of -inf
 * uses 0 instead, so exp gives 0 rather than NaN), the sum of exponentials
 * accumulates in double, and log_softmax is x - (max + log(sum)). When the
 * softmax dim is the last one (inner == 1, the classifier case) a warp or a
 * block cooperates on each row; otherwise one thread walks each column, its
 * loads coalesced with its neighbours' along inner.
 *
 * Not for: cross_entropy, which fuses this with the loss (loss.cu).
 */
#include "cuda-common.cuh"

/* in, out (outer, n); TPR threads per row. */
template <int TPR>
__global__ void softmax_rows_kernel(int64_t outer, int64_t n, bool log, const float *in,
                                    float *out)
{
  constexpr int RPB = LM_CUDA_THREADS / TPR;
  __shared__ float fsh[LM_CUDA_THREADS / 32];
  __shared__ double dsh[LM_CUDA_THREADS / 32];
  const int lane = threadIdx.x % TPR, grp = threadIdx.x / TPR;
  for (int64_t row0 = (int64_t)blockIdx.x * RPB; row0 < outer; row0 += (int64_t)gridDim.x * RPB) {
    const int64_t row = row0 + grp;
    const bool valid = row < outer;
    const float *x = in + (valid ? row : 0) * n;
    float *y = out + (valid ? row : 0) * n;
    float mx = -INFINITY;
    if (valid)
      for (int64_t j = lane; j < n; j += TPR)
        mx = x[j] > mx ? x[j] : mx; /* NaN never wins here, as on the CPU */
    mx = group_allreduce<TPR>(mx, fsh, MaxOp());
    if (isinf(mx) && mx < 0)
      mx = 0.0f;
    double s = 0.0;
    if (valid)
      for (int64_t j = lane; j < n; j += TPR)
        s += (double)expf(x[j] - mx);
    s = group_allreduce<TPR>(s, dsh, SumOp());
    if (!valid)
      continue;
    if (log) {
      const float ls = (float)::log(s); /* (x - max) - log(sum), as on the CPU */
      for (int64_t j = lane; j < n; j += TPR)
        y[j] = (x[j] - mx) - ls;
    } else {
      const float inv = (float)(1.0 / s);
      for (int64_t j = lane; j < n; j += TPR)
        y[j] = expf(x[j] - mx) * inv;
    }
  }
}

/* in, out (outer, n, inner), inner > 1: one thread per (o, i) column. */
__global__ void softmax_cols_kernel(int64_t outer, int64_t n, int64_t inner, bool log,
                                    const float *in, float *out)
{
  LM_GRID_STRIDE(t, outer * inner) {
    const int64_t o = t / inner, i = t - o * inner;
    const float *x = in + o * n * inner + i;
    float *y = out + o * n * inner + i;
    float mx = -INFINITY;
    for (int64_t j = 0; j < n; j++)
      mx = x[j * inner] > mx ? x[j * inner] : mx;
    if (isinf(mx) && mx < 0)
      mx = 0.0f;
    double s = 0.0;
    for (int64_t j = 0; j < n; j++)
      s += (double)expf(x[j * inner] - mx);
    if (log) {
      const float ls = (float)::log(s);
      for (int64_t j = 0; j < n; j++)
        y[j * inner] = (x[j * inner] - mx) - ls;
    } else {
      const float inv = (float)(1.0 / s);
      for (int64_t j = 0; j < n; j++)
        y[j * inner] = expf(x[j * inner] - mx) * inv;
    }
  }
}

extern "C" void lm_cuda_softmax_f32(int64_t outer, int64_t n, int64_t inner, bool log,
                                    const float *in, float *out)
{
  if (outer <= 0 || n <= 0 || inner <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  if (inner > 1) {
    softmax_cols_kernel<<<lm_cuda_blocks(ctx, outer * inner, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                          ctx->stream>>>(outer, n, inner, log, in, out);
  } else if (n <= 1024) {
    int64_t groups = (outer + LM_CUDA_THREADS / 32 - 1) / (LM_CUDA_THREADS / 32);
    softmax_rows_kernel<32><<<lm_cuda_blocks(ctx, groups, 1), LM_CUDA_THREADS, 0, ctx->stream>>>(
      outer, n, log, in, out);
  } else {
    softmax_rows_kernel<LM_CUDA_THREADS><<<lm_cuda_blocks(ctx, outer, 1), LM_CUDA_THREADS, 0,
                                           ctx->stream>>>(outer, n, log, in, out);
  }
  (void)LM_CUDA_LAUNCHED();
}

/* softmax:     gin = y * (gout - sum(gout * y))
 * log_softmax: gin = gout - exp(y) * sum(gout)          (rows of n, TPR threads each) */
template <int TPR>
__global__ void softmax_backward_rows_kernel(int64_t outer, int64_t n, bool log, const float *gout,
                                             const float *y, float *gin)
{
  constexpr int RPB = LM_CUDA_THREADS / TPR;
  __shared__ double dsh[LM_CUDA_THREADS / 32];
  const int lane = threadIdx.x % TPR, grp = threadIdx.x / TPR;
  for (int64_t row0 = (int64_t)blockIdx.x * RPB; row0 < outer; row0 += (int64_t)gridDim.x * RPB) {
    const int64_t row = row0 + grp;
    const bool valid = row < outer;
    const int64_t base = (valid ? row : 0) * n;
    const float *g = gout + base, *yy = y + base;
    double s = 0.0;
    if (valid)
      for (int64_t j = lane; j < n; j += TPR)
        s += log ? (double)g[j] : (double)g[j] * (double)yy[j];
    s = group_allreduce<TPR>(s, dsh, SumOp());
    if (!valid)
      continue;
    const float sf = (float)s;
    float *gi = gin + base;
    for (int64_t j = lane; j < n; j += TPR)
      gi[j] = log ? g[j] - expf(yy[j]) * sf : yy[j] * (g[j] - sf);
  }
}

__global__ void softmax_backward_cols_kernel(int64_t outer, int64_t n, int64_t inner, bool log,
                                             const float *gout, const float *y, float *gin)
{
  LM_GRID_STRIDE(t, outer * inner) {
    const int64_t o = t / inner, i = t - o * inner, base = o * n * inner + i;
    const float *g = gout + base, *yy = y + base;
    float *gi = gin + base;
    double s = 0.0;
    for (int64_t j = 0; j < n; j++)
      s += log ? (double)g[j * inner] : (double)g[j * inner] * (double)yy[j * inner];
    const float sf = (float)s;
    for (int64_t j = 0; j < n; j++)
      gi[j * inner] = log ? g[j * inner] - expf(yy[j * inner]) * sf
                          : yy[j * inner] * (g[j * inner] - sf);
  }
}

extern "C" void lm_cuda_softmax_backward_f32(int64_t outer, int64_t n, int64_t inner, bool log,
                                             const float *gout, const float *y, float *gin)
{
  if (outer <= 0 || n <= 0 || inner <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(gin);
  if (!ctx)
    return;
  if (inner > 1) {
    softmax_backward_cols_kernel<<<lm_cuda_blocks(ctx, outer * inner, LM_CUDA_THREADS),
                                   LM_CUDA_THREADS, 0, ctx->stream>>>(outer, n, inner, log, gout,
                                                                      y, gin);
  } else if (n <= 1024) {
    int64_t groups = (outer + LM_CUDA_THREADS / 32 - 1) / (LM_CUDA_THREADS / 32);
    softmax_backward_rows_kernel<32><<<lm_cuda_blocks(ctx, groups, 1), LM_CUDA_THREADS, 0,
                                       ctx->stream>>>(outer, n, log, gout, y, gin);
  } else {
    softmax_backward_rows_kernel<LM_CUDA_THREADS><<<lm_cuda_blocks(ctx, outer, 1),
                                                    LM_CUDA_THREADS, 0, ctx->stream>>>(
      outer, n, log, gout, y, gin);
  }
  (void)LM_CUDA_LAUNCHED();
}
