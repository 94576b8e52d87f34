/* loss.cu: CUDA cross_entropy (fused log_softmax + nll), nll_loss and
 * mse_loss, forward and backward, mirroring cpu/softmax-loss.c.
 *
 * cross_entropy does one pass per row (a warp per row for up to 2048
 * classes, a block above): row max, sum of exp in double, the probabilities
 * kept for backward, and the row's loss max + log(sum) - x[target] in double.
 * The batch mean (or sum) is then a single-block sum of the row losses in a
 * fixed order, so the loss is deterministic; reduction 'none' copies the row
 * losses out instead. Backward is one elementwise pass, (p - onehot) * g / N
 * ('mean'; g or g_i otherwise), with g read on the device (no host round
 * trip).
 *
 * Labels: a row whose label is outside [0, C) is skipped (no wild reads) and
 * its position recorded with an atomicMin; the single-block mean kernel that
 * runs next then writes NaN as the loss and copies that position, the label
 * and C into the context's label-error record (pinned host memory, first
 * error kept). The host reads the record after its next wait for the stream
 * (a copy such as lm_item, lm_cuda_synchronize) and reports
 * "cross_entropy: target 12 is out of bounds for 10 classes (at position 3
 * ...)" there, as PyTorch reports a device-side assert at its next
 * synchronisation. So a training step never waits for the GPU just to check
 * its labels, and the entries return -1 (nothing known yet) to the op.
 *
 * Not for: softmax/log_softmax themselves (softmax.cu).
 */
#include "cuda-common.cuh"

#define NO_BAD 0xffffffffffffffffull

/* The row losses v (n doubles) reduced into *out as float: their sum / n
 * (MEAN; NaN when n == 0), their sum (SUM), or copied to out[0..n) (NONE).
 * One block. With a bad label (*bad set by the row kernel): NaN (the bad
 * row's loss with NONE), and the first such error since the host last looked
 * goes into rec (see the top of the file). */
__global__ void __launch_bounds__(1024)
reduce_rows_kernel(int64_t n, const double *v, int reduction, float *out,
                   const unsigned long long *bad, const int64_t *target, int64_t c, int op,
                   lm_cuda_label_error *rec)
{
  __shared__ double sh[32];
  double s = 0.0;
  if (reduction == LM_REDUCTION_NONE) {
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
      out[i] = (float)v[i];
    __syncthreads();
  } else {
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
      s += v[i];
    s = lm_block_sum(s, sh);
  }
  if (threadIdx.x != 0)
    return;
  const unsigned long long pos = *bad;
  if (pos == NO_BAD) {
    if (reduction == LM_REDUCTION_SUM)
      *out = (float)s;
    else if (reduction == LM_REDUCTION_MEAN)
      *out = n ? (float)(s / (double)n) : __int_as_float(0x7fc00000);
    return;
  }
  out[reduction == LM_REDUCTION_NONE ? pos : 0] = __int_as_float(0x7fc00000);
  if (!rec->set) {
    rec->position = (long long)pos;
    rec->label = (long long)target[pos];
    rec->classes = (long long)c;
    rec->op = op;
    rec->set = 1;
  }
}

/* Queues the reduction of rowloss into loss, with the label check's outcome. */
static void reduce_launch(lm_cuda_ctx *ctx, int64_t n, const double *rowloss, int reduction,
                          float *loss, const unsigned long long *bad, const int64_t *target,
                          int64_t c, int op)
{
  reduce_rows_kernel<<<1, 1024, 0, ctx->stream>>>(n, rowloss, reduction, loss, bad, target, c, op,
                                                  ctx->label_error_dev);
  (void)LM_CUDA_LAUNCHED();
}

/* The loss over zero samples: NaN for MEAN, 0 for SUM, nothing for NONE. */
static void empty_loss(int reduction, float *loss)
{
  if (reduction != LM_REDUCTION_NONE)
    lm_cuda_fill_f32(1, reduction == LM_REDUCTION_SUM ? 0.0f : __builtin_nanf(""), loss);
}

/* The factor row i's gradient is scaled by: d(reduced loss)/d(loss_i) * gout. */
__device__ __forceinline__ float row_scale(int64_t n, int reduction, const float *gout, int64_t i)
{
  if (reduction == LM_REDUCTION_NONE)
    return gout[i];
  return reduction == LM_REDUCTION_SUM ? gout[0] : gout[0] / (float)n;
}

/* logits, probs (n, c), target (n) -> rowloss (n); TPR threads per row. */
template <int TPR>
__global__ void cross_entropy_kernel(int64_t n, int64_t c, const float *logits,
                                     const int64_t *target, float *probs, double *rowloss,
                                     unsigned long long *bad)
{
  constexpr int RPB = LM_CUDA_THREADS / TPR;
  __shared__ float fsh[LM_CUDA_THREADS / 32];
  __shared__ double dsh[LM_CUDA_THREADS / 32];
  const int lane = threadIdx.x % TPR, grp = threadIdx.x / TPR;
  for (int64_t row0 = (int64_t)blockIdx.x * RPB; row0 < n; row0 += (int64_t)gridDim.x * RPB) {
    const int64_t row = row0 + grp;
    const bool valid = row < n;
    const float *x = logits + (valid ? row : 0) * c;
    float mx = -INFINITY;
    if (valid)
      for (int64_t j = lane; j < c; j += TPR)
        mx = x[j] > mx ? x[j] : mx;
    /* all-reduce of the max, then of the double sum (lane 0's tree, broadcast) */
    for (int off = 16; off > 0; off >>= 1) {
      float o = __shfl_down_sync(0xffffffffu, mx, off);
      mx = o > mx ? o : mx;
    }
    mx = __shfl_sync(0xffffffffu, mx, 0);
    if (TPR > 32) {
      __syncthreads();
      if ((threadIdx.x & 31) == 0)
        fsh[threadIdx.x >> 5] = mx;
      __syncthreads();
      mx = fsh[0];
      for (int w = 1; w < TPR / 32; w++)
        mx = fsh[w] > mx ? fsh[w] : mx;
    }
    double s = 0.0;
    if (valid)
      for (int64_t j = lane; j < c; j += TPR)
        s += (double)expf(x[j] - mx);
    s = lm_warp_sum(s);
    s = __shfl_sync(0xffffffffu, s, 0);
    if (TPR > 32) {
      __syncthreads();
      if ((threadIdx.x & 31) == 0)
        dsh[threadIdx.x >> 5] = s;
      __syncthreads();
      s = dsh[0];
      for (int w = 1; w < TPR / 32; w++)
        s += dsh[w];
    }
    if (!valid)
      continue;
    const float inv = (float)(1.0 / s);
    float *p = probs + row * c;
    for (int64_t j = lane; j < c; j += TPR)
      p[j] = expf(x[j] - mx) * inv;
    if (lane == 0) {
      const int64_t t = target[row];
      if (t < 0 || t >= c) {
        atomicMin(bad, (unsigned long long)row);
        rowloss[row] = 0.0;
      } else {
        rowloss[row] = (double)mx + log(s) - (double)x[t];
      }
    }
  }
}

extern "C" int64_t lm_cuda_cross_entropy_f32(int64_t n, int64_t c, const float *logits,
                                             const int64_t *target, int reduction, float *loss,
                                             float *probs)
{
  if (n <= 0 || c <= 0) {
    if (n > 0) /* zero classes: every label is out of range */
      return 0;
    empty_loss(reduction, loss);
    return -1;
  }
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(loss);
  if (!ctx)
    return -1;
  const size_t bytes = (size_t)n * sizeof(double) + 64;
  char *scratch = (char *)lm_cuda_scratch(ctx, bytes);
  if (!scratch)
    return -1;
  unsigned long long *bad = (unsigned long long *)scratch;
  double *rowloss = (double *)(scratch + 64);
  if (!LM_CUDA_CHECK(cudaMemsetAsync(bad, 0xff, sizeof *bad, ctx->stream))) {
    lm_cuda_scratch_free(ctx, scratch, bytes);
    return -1;
  }
  if (c <= 2048) {
    int64_t groups = (n + LM_CUDA_THREADS / 32 - 1) / (LM_CUDA_THREADS / 32);
    cross_entropy_kernel<32><<<lm_cuda_blocks(ctx, groups, 1), LM_CUDA_THREADS, 0, ctx->stream>>>(
      n, c, logits, target, probs, rowloss, bad);
  } else {
    cross_entropy_kernel<LM_CUDA_THREADS><<<lm_cuda_blocks(ctx, n, 1), LM_CUDA_THREADS, 0,
                                            ctx->stream>>>(n, c, logits, target, probs, rowloss,
                                                           bad);
  }
  (void)LM_CUDA_LAUNCHED();
  reduce_launch(ctx, n, rowloss, reduction, loss, bad, target, c, LM_CUDA_OP_CROSS_ENTROPY);
  lm_cuda_scratch_free(ctx, scratch, bytes); /* reused only by work queued after */
  return -1;
}

/* gin (n, c) = (probs - onehot(target)) * s_i (see row_scale) */
__global__ void cross_entropy_backward_kernel(int64_t n, int64_t c, int reduction,
                                              const float *gout, const float *probs,
                                              const int64_t *target, float *gin)
{
  LM_GRID_STRIDE(t, n * c) {
    const int64_t i = t / c, j = t - i * c;
    const float scale = row_scale(n, reduction, gout, i);
    float v = __fmul_rn(probs[t], scale);
    if (target[i] == j)
      v = __fsub_rn(v, scale);
    gin[t] = v;
  }
}

extern "C" void lm_cuda_cross_entropy_backward_f32(int64_t n, int64_t c, int reduction,
                                                   const float *gout, const float *probs,
                                                   const int64_t *target, float *gin)
{
  if (n <= 0 || c <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(gin);
  if (!ctx)
    return;
  cross_entropy_backward_kernel<<<lm_cuda_blocks(ctx, n * c, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                                  ctx->stream>>>(n, c, reduction, gout, probs, target, gin);
  (void)LM_CUDA_LAUNCHED();
}

/* rowloss[i] = -logp[i, target[i]]; bad labels recorded and skipped. */
__global__ void nll_kernel(int64_t n, int64_t c, const float *logp, const int64_t *target,
                           double *rowloss, unsigned long long *bad)
{
  LM_GRID_STRIDE(i, n) {
    const int64_t t = target[i];
    if (t < 0 || t >= c) {
      atomicMin(bad, (unsigned long long)i);
      rowloss[i] = 0.0;
    } else {
      rowloss[i] = -(double)logp[i * c + t];
    }
  }
}

extern "C" int64_t lm_cuda_nll_loss_f32(int64_t n, int64_t c, const float *logp,
                                        const int64_t *target, int reduction, float *loss)
{
  if (n <= 0) {
    empty_loss(reduction, loss);
    return -1;
  }
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(loss);
  if (!ctx)
    return -1;
  const size_t bytes = (size_t)n * sizeof(double) + 64;
  char *scratch = (char *)lm_cuda_scratch(ctx, bytes);
  if (!scratch)
    return -1;
  unsigned long long *bad = (unsigned long long *)scratch;
  double *rowloss = (double *)(scratch + 64);
  if (!LM_CUDA_CHECK(cudaMemsetAsync(bad, 0xff, sizeof *bad, ctx->stream))) {
    lm_cuda_scratch_free(ctx, scratch, bytes);
    return -1;
  }
  nll_kernel<<<lm_cuda_blocks(ctx, n, LM_CUDA_THREADS), LM_CUDA_THREADS, 0, ctx->stream>>>(
    n, c, logp, target, rowloss, bad);
  (void)LM_CUDA_LAUNCHED();
  reduce_launch(ctx, n, rowloss, reduction, loss, bad, target, c, LM_CUDA_OP_NLL_LOSS);
  lm_cuda_scratch_free(ctx, scratch, bytes);
  return -1;
}

/* gin (n, c) = 0 except gin[i, target[i]] = -s_i (gin zeroed before). */
__global__ void nll_backward_kernel(int64_t n, int64_t c, int reduction, const float *gout,
                                    const int64_t *target, float *gin)
{
  LM_GRID_STRIDE(i, n) {
    const int64_t t = target[i];
    if (t >= 0 && t < c)
      gin[i * c + t] = -row_scale(n, reduction, gout, i);
  }
}

extern "C" void lm_cuda_nll_loss_backward_f32(int64_t n, int64_t c, int reduction,
                                              const float *gout, const int64_t *target, float *gin)
{
  if (n <= 0 || c <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(gin);
  if (!ctx || !LM_CUDA_CHECK(cudaMemsetAsync(gin, 0, (size_t)(n * c) * sizeof(float), ctx->stream)))
    return;
  nll_backward_kernel<<<lm_cuda_blocks(ctx, n, LM_CUDA_THREADS), LM_CUDA_THREADS, 0, ctx->stream>>>(
    n, c, reduction, gout, target, gin);
  (void)LM_CUDA_LAUNCHED();
}

/* ---- mse ---- */

/* Deterministic two-stage sum: the number of partial sums depends on n only. */
static int64_t mse_parts(int64_t n)
{
  int64_t p = (n + 4095) / 4096;
  return p < 1 ? 1 : (p > 1024 ? 1024 : p);
}

/* part[b] = sum over block b's share of (a - b)^2, in double. */
__global__ void mse_partial_kernel(int64_t n, const float *a, const float *b, double *part)
{
  __shared__ double sh[32];
  double s = 0.0;
  LM_GRID_STRIDE(i, n) {
    double d = (double)a[i] - (double)b[i];
    s += d * d;
  }
  s = lm_block_sum(s, sh);
  if (threadIdx.x == 0)
    part[blockIdx.x] = s;
}

/* loss = sum(part) / n (NaN when n == 0). */
__global__ void __launch_bounds__(1024)
mse_final_kernel(int64_t parts, int64_t n, const double *part, float *loss)
{
  __shared__ double sh[32];
  double s = 0.0;
  for (int64_t i = threadIdx.x; i < parts; i += blockDim.x)
    s += part[i];
  s = lm_block_sum(s, sh);
  if (threadIdx.x == 0)
    *loss = n ? (float)(s / (double)n) : __int_as_float(0x7fc00000);
}

extern "C" void lm_cuda_mse_loss_f32(int64_t n, const float *a, const float *b, float *loss)
{
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(loss);
  if (!ctx)
    return;
  if (n <= 0) {
    lm_cuda_fill_f32(1, __builtin_nanf(""), loss);
    return;
  }
  const int64_t parts = mse_parts(n);
  const size_t bytes = (size_t)parts * sizeof(double);
  double *part = (double *)lm_cuda_scratch(ctx, bytes);
  if (!part)
    return;
  mse_partial_kernel<<<(unsigned)parts, LM_CUDA_THREADS, 0, ctx->stream>>>(n, a, b, part);
  (void)LM_CUDA_LAUNCHED();
  mse_final_kernel<<<1, 1024, 0, ctx->stream>>>(parts, n, part, loss);
  (void)LM_CUDA_LAUNCHED();
  lm_cuda_scratch_free(ctx, part, bytes);
}

/* ga = 2 (a - b) gout[0] / n, gb = -ga; either may be NULL. */
__global__ void mse_backward_kernel(int64_t n, const float *gout, const float *a, const float *b,
                                    float *ga, float *gb)
{
  const float scale = 2.0f * gout[0] / (float)n;
  LM_GRID_STRIDE(i, n) {
    const float d = __fmul_rn(__fsub_rn(a[i], b[i]), scale);
    if (ga)
      ga[i] = d;
    if (gb)
      gb[i] = -d;
  }
}

extern "C" void lm_cuda_mse_loss_backward_f32(int64_t n, const float *gout, const float *a,
                                              const float *b, float *ga, float *gb)
{
  if (n <= 0 || (!ga && !gb))
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(ga ? ga : gb);
  if (!ctx)
    return;
  mse_backward_kernel<<<lm_cuda_blocks(ctx, n, LM_CUDA_THREADS), LM_CUDA_THREADS, 0, ctx->stream>>>(
    n, gout, a, b, ga, gb);
  (void)LM_CUDA_LAUNCHED();
}
