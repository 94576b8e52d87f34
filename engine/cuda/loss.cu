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
 * trip). Options as PyTorch's: ignore_index rows add 0 and weigh 0, class
 * weights scale a row's loss and make the mean's divisor sum(w[target]),
 * label smoothing adds e/c * sum_j w_j (-logp_j) to each row.
 *
 * Class-probability targets (a float (N, C) target) take the same row
 * layout: the row kernel keeps log_softmax for backward and sums
 * w_j t'_j (lse - x_j) in double, and the same single-block reduction makes
 * the mean, over N rows of weight 1 each (PyTorch's divisor for them).
 *
 * Labels: a row whose label is outside [0, C) is skipped (no wild reads) and
 * its position recorded with an atomicMin in the context's bad-label word
 * (kept at "none" between losses: the single-block mean kernel that runs
 * next reads it and puts it back, so no memset starts a loss); that kernel
 * then writes NaN as the loss and copies that position, the label
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

/* The row losses v and the rows' weights rw (n doubles each: w[target], 0
 * for an ignored row) reduced into *out as float: sum(v) / sum(rw) (MEAN;
 * 0/0 = NaN), sum(v) (SUM), or v copied to out[0..n) (NONE); stats gets
 * sum(rw) and the sum of the c class weights (weight, or c ones). One block.
 * With a bad label (*bad set by the row kernel): NaN (the bad row's loss
 * with NONE), and the first such error since the host last looked goes into
 * rec (see the top of the file). */
__global__ void __launch_bounds__(1024)
reduce_rows_kernel(int64_t n, const double *v, const double *rw, int64_t c, const float *weight,
                   int reduction, float *out, float *stats, unsigned long long *bad,
                   const int64_t *target, int op, lm_cuda_label_error *rec)
{
  __shared__ double sh[32];
  double s = 0.0, sw = 0.0, all = 0.0;
  if (reduction == LM_REDUCTION_NONE) {
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
      out[i] = (float)v[i];
  } else {
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
      s += v[i];
    s = lm_block_sum(s, sh);
  }
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
    sw += rw[i];
  sw = lm_block_sum(sw, sh);
  if (weight) {
    for (int64_t j = threadIdx.x; j < c; j += blockDim.x)
      all += (double)weight[j];
    all = lm_block_sum(all, sh);
  } else {
    all = (double)c;
  }
  if (threadIdx.x != 0)
    return;
  stats[0] = (float)sw;
  stats[1] = (float)all;
  const unsigned long long pos = *bad;
  *bad = NO_BAD; /* ready for the next loss (ctx->loss_bad) */
  if (pos == NO_BAD) {
    if (reduction == LM_REDUCTION_SUM)
      *out = (float)s;
    else if (reduction == LM_REDUCTION_MEAN)
      *out = (float)(s / sw);
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

/* Queues the reduction of the row losses into loss and stats, with the label
 * check's outcome. */
static void reduce_launch(lm_cuda_ctx *ctx, int64_t n, int64_t c, const double *rowloss,
                          const double *roww, const lm_class_loss_args *a, float *loss,
                          float *stats, unsigned long long *bad, const int64_t *target,
                          int op)
{
  reduce_rows_kernel<<<1, 1024, 0, ctx->stream>>>(n, rowloss, roww, c, a->weight, a->reduction,
                                                  loss, stats, bad, target, op,
                                                  ctx->label_error_dev);
  (void)LM_CUDA_LAUNCHED();
}

/* Zero samples (or classes): NaN for MEAN, 0 for SUM, n zeros for NONE;
 * stats 0 and the class count (the backward has nothing to do). */
static void empty_loss(int64_t n, int64_t c, int reduction, float *loss, float *stats)
{
  if (reduction != LM_REDUCTION_NONE)
    lm_cuda_fill_f32(1, reduction == LM_REDUCTION_SUM ? 0.0f : __builtin_nanf(""), loss);
  else if (n > 0)
    lm_cuda_fill_f32(n, 0.0f, loss);
  lm_cuda_fill_f32(1, 0.0f, stats);
  lm_cuda_fill_f32(1, (float)c, stats + 1);
}

/* The factor row i's gradient is scaled by: d(reduced loss)/d(loss_i) * gout. */
__device__ __forceinline__ float row_scale(int reduction, const float *gout, const float *stats,
                                           int64_t i)
{
  if (reduction == LM_REDUCTION_NONE)
    return gout[i];
  return reduction == LM_REDUCTION_SUM ? gout[0] : gout[0] / stats[0];
}

/* A row's max (*mx) and sum_j exp(x_j - max) in double, all-reduced over
 * the TPR lanes of its group (every lane gets both; rows past the end,
 * !valid, take part in the reductions with -inf and 0). */
template <int TPR>
__device__ __forceinline__ double row_max_sumexp(const float *x, int64_t c, bool valid, int lane,
                                                 float *fsh, double *dsh, float *mx)
{
  float m = -INFINITY;
  if (valid)
    for (int64_t j = lane; j < c; j += TPR)
      m = x[j] > m ? x[j] : m;
  m = group_allreduce<TPR>(m, fsh, MaxOp());
  double s = 0.0;
  if (valid)
    for (int64_t j = lane; j < c; j += TPR)
      s += (double)expf(x[j] - m);
  *mx = m;
  return group_allreduce<TPR>(s, dsh, SumOp());
}

/* logits, probs (n, c), target (n) -> rowloss, roww (n); TPR threads per row. */
template <int TPR>
__global__ void cross_entropy_kernel(int64_t n, int64_t c, const float *logits,
                                     const int64_t *target, lm_class_loss_args a, float *probs,
                                     double *rowloss, double *roww, unsigned long long *bad)
{
  constexpr int RPB = LM_CUDA_THREADS / TPR;
  __shared__ float fsh[LM_CUDA_THREADS / 32];
  __shared__ double dsh[LM_CUDA_THREADS / 32];
  const int lane = threadIdx.x % TPR, grp = threadIdx.x / TPR;
  for (int64_t row0 = (int64_t)blockIdx.x * RPB; row0 < n; row0 += (int64_t)gridDim.x * RPB) {
    const int64_t row = row0 + grp;
    const bool valid = row < n;
    const float *x = logits + (valid ? row : 0) * c;
    float mx;
    const double s = row_max_sumexp<TPR>(x, c, valid, lane, fsh, dsh, &mx);
    const double lse = (double)mx + log(s);
    /* label smoothing: -sum_j w_j logp_j = sum_j w_j (lse - x_j) */
    double smooth = 0.0;
    if (a.label_smoothing > 0.0f) {
      if (valid)
        for (int64_t j = lane; j < c; j += TPR)
          smooth += (a.weight ? (double)a.weight[j] : 1.0) * (lse - (double)x[j]);
      smooth = group_allreduce<TPR>(smooth, dsh, SumOp());
    }
    if (!valid)
      continue;
    const float inv = (float)(1.0 / s);
    float *p = probs + row * c;
    for (int64_t j = lane; j < c; j += TPR)
      p[j] = expf(x[j] - mx) * inv;
    if (lane == 0) {
      const int64_t t = target[row];
      double loss = 0.0, wt = 0.0;
      if (t == a.ignore_index) {
      } else if (t < 0 || t >= c) {
        atomicMin(bad, (unsigned long long)row);
      } else {
        wt = a.weight ? (double)a.weight[t] : 1.0;
        loss = wt * (lse - (double)x[t]);
        if (a.label_smoothing > 0.0f) {
          const double e = a.label_smoothing;
          loss = (1 - e) * loss + e / (double)c * smooth;
        }
      }
      rowloss[row] = loss;
      roww[row] = wt;
    }
  }
}

/* Scratch of a loss: 64 bytes unused, then n row losses and n row weights.
 * The bad-label word is the context's (ctx->loss_bad), which the row kernel
 * lowers and the reduction reads and resets. */
static char *loss_scratch(lm_cuda_ctx *ctx, int64_t n, size_t *bytes)
{
  *bytes = (size_t)n * 2 * sizeof(double) + 64;
  return (char *)lm_cuda_scratch(ctx, *bytes);
}

static int64_t class_rows_loss(int64_t n, int64_t c, const float *logp, const int64_t *target,
                               const lm_class_loss_args *a, float *loss, float *stats, int op);

extern "C" int64_t lm_cuda_cross_entropy_f32(int64_t n, int64_t c, const float *logits,
                                             const int64_t *target, const lm_class_loss_args *a,
                                             float *loss, float *probs, float *stats)
{
  if (c <= 0 && n > 0) /* zero classes: every label is out of range or ignored, as in nll_loss */
    return class_rows_loss(n, c, logits, target, a, loss, stats, LM_CUDA_OP_CROSS_ENTROPY);
  if (n <= 0) {
    empty_loss(n, c, a->reduction, loss, stats);
    return -1;
  }
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(loss);
  if (!ctx)
    return -1;
  size_t bytes;
  char *scratch = loss_scratch(ctx, n, &bytes);
  if (!scratch)
    return -1;
  unsigned long long *bad = ctx->loss_bad;
  double *rowloss = (double *)(scratch + 64), *roww = rowloss + n;
  if (c <= 2048) {
    int64_t groups = (n + LM_CUDA_THREADS / 32 - 1) / (LM_CUDA_THREADS / 32);
    cross_entropy_kernel<32><<<lm_cuda_blocks(ctx, groups, 1), LM_CUDA_THREADS, 0, ctx->stream>>>(
      n, c, logits, target, *a, probs, rowloss, roww, bad);
  } else {
    cross_entropy_kernel<LM_CUDA_THREADS><<<lm_cuda_blocks(ctx, n, 1), LM_CUDA_THREADS, 0,
                                            ctx->stream>>>(n, c, logits, target, *a, probs,
                                                           rowloss, roww, bad);
  }
  (void)LM_CUDA_LAUNCHED();
  reduce_launch(ctx, n, c, rowloss, roww, a, loss, stats, bad, target, LM_CUDA_OP_CROSS_ENTROPY);
  lm_cuda_scratch_free(ctx, scratch, bytes); /* reused only by work queued after */
  return -1;
}

/* gin (n, c) = p ps - onehot ts - w ws with s_i = row_scale, ts = s_i (1-e) w[t],
 * ws = s_i e / c, ps = ts + ws W (the CPU kernel's order); 0 on ignored rows. */
__global__ void cross_entropy_backward_kernel(int64_t n, int64_t c, lm_class_loss_args a,
                                              const float *gout, const float *probs,
                                              const int64_t *target, const float *stats,
                                              float *gin)
{
  const float eps = a.label_smoothing;
  LM_GRID_STRIDE(t, n * c) {
    const int64_t i = t / c, j = t - i * c, ti = target[i];
    if (ti == a.ignore_index || ti < 0 || ti >= c) {
      gin[t] = 0.0f;
      continue;
    }
    const float scale = row_scale(a.reduction, gout, stats, i);
    const float wt = a.weight ? a.weight[ti] : 1.0f;
    const float ts = eps > 0.0f ? __fmul_rn(__fmul_rn(scale, 1.0f - eps), wt) : __fmul_rn(scale, wt);
    const float ws = __fdiv_rn(__fmul_rn(scale, eps), (float)c);
    const float ps = eps > 0.0f ? __fadd_rn(ts, __fmul_rn(ws, stats[1])) : ts;
    float v = __fmul_rn(probs[t], ps);
    if (eps > 0.0f)
      v = __fsub_rn(v, __fmul_rn(ws, a.weight ? a.weight[j] : 1.0f));
    if (ti == j)
      v = __fsub_rn(v, ts);
    gin[t] = v;
  }
}

extern "C" void lm_cuda_cross_entropy_backward_f32(int64_t n, int64_t c,
                                                   const lm_class_loss_args *a, const float *gout,
                                                   const float *probs, const int64_t *target,
                                                   const float *stats, float *gin)
{
  if (n <= 0 || c <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(gin);
  if (!ctx)
    return;
  cross_entropy_backward_kernel<<<lm_cuda_blocks(ctx, n * c, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                                  ctx->stream>>>(n, c, *a, gout, probs, target, stats, gin);
  (void)LM_CUDA_LAUNCHED();
}

/* ---- class-probability targets ---- */

/* Row j's smoothed target t' = (1-e) t + e/c (t itself without smoothing). */
__device__ __forceinline__ float smoothed(float t, float eps, int64_t c)
{
  return eps > 0.0f ? __fadd_rn(__fmul_rn(1.0f - eps, t), __fdiv_rn(eps, (float)c)) : t;
}

/* logits, target, logp (n, c) -> rowloss = sum_j w_j t'_j (lse - x_j) and
 * roww = 1 (n); TPR threads per row. */
template <int TPR>
__global__ void cross_entropy_prob_kernel(int64_t n, int64_t c, const float *logits,
                                          const float *target, lm_class_loss_args a, float *logp,
                                          double *rowloss, double *roww)
{
  constexpr int RPB = LM_CUDA_THREADS / TPR;
  __shared__ float fsh[LM_CUDA_THREADS / 32];
  __shared__ double dsh[LM_CUDA_THREADS / 32];
  const int lane = threadIdx.x % TPR, grp = threadIdx.x / TPR;
  for (int64_t row0 = (int64_t)blockIdx.x * RPB; row0 < n; row0 += (int64_t)gridDim.x * RPB) {
    const int64_t row = row0 + grp;
    const bool valid = row < n;
    const float *x = logits + (valid ? row : 0) * c, *t = target + (valid ? row : 0) * c;
    float mx;
    const double s = row_max_sumexp<TPR>(x, c, valid, lane, fsh, dsh, &mx);
    const double log_s = log(s);
    const float ls = (float)log_s;
    const double lse = (double)mx + log_s;
    double loss = 0.0;
    if (valid)
      for (int64_t j = lane; j < c; j += TPR) {
        const float tj = smoothed(t[j], a.label_smoothing, c);
        logp[row * c + j] = __fsub_rn(__fsub_rn(x[j], mx), ls);
        loss += (double)(a.weight ? __fmul_rn(a.weight[j], tj) : tj) * (lse - (double)x[j]);
      }
    loss = group_allreduce<TPR>(loss, dsh, SumOp());
    if (valid && lane == 0) {
      rowloss[row] = loss;
      roww[row] = 1.0;
    }
  }
}

extern "C" void lm_cuda_cross_entropy_prob_f32(int64_t n, int64_t c, const float *logits,
                                               const float *target, const lm_class_loss_args *a,
                                               float *loss, float *logp, float *stats)
{
  if (n <= 0 || c <= 0) { /* no value: the mean is NaN, not 0 over n rows */
    empty_loss(n, c, a->reduction, loss, stats);
    return;
  }
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(loss);
  if (!ctx)
    return;
  size_t bytes;
  char *scratch = loss_scratch(ctx, n, &bytes); /* the bad-label word stays "none" */
  if (!scratch)
    return;
  unsigned long long *bad = ctx->loss_bad;
  double *rowloss = (double *)(scratch + 64), *roww = rowloss + n;
  if (c <= 2048) {
    int64_t groups = (n + LM_CUDA_THREADS / 32 - 1) / (LM_CUDA_THREADS / 32);
    cross_entropy_prob_kernel<32><<<lm_cuda_blocks(ctx, groups, 1), LM_CUDA_THREADS, 0,
                                    ctx->stream>>>(n, c, logits, target, *a, logp, rowloss, roww);
  } else {
    cross_entropy_prob_kernel<LM_CUDA_THREADS><<<lm_cuda_blocks(ctx, n, 1), LM_CUDA_THREADS, 0,
                                                 ctx->stream>>>(n, c, logits, target, *a, logp,
                                                                rowloss, roww);
  }
  (void)LM_CUDA_LAUNCHED();
  reduce_launch(ctx, n, c, rowloss, roww, a, loss, stats, bad, NULL, LM_CUDA_OP_CROSS_ENTROPY);
  lm_cuda_scratch_free(ctx, scratch, bytes);
}

/* gx = s_i (exp(logp) T_i - w t'), T_i = sum_j w_j t'_j; gt = -s_i (1-e) w
 * logp (the CPU kernel's order); TPR threads per row. */
template <int TPR>
__global__ void cross_entropy_prob_backward_kernel(int64_t n, int64_t c, lm_class_loss_args a,
                                                   const float *gout, const float *logp,
                                                   const float *target, const float *stats,
                                                   float *gx, float *gt)
{
  constexpr int RPB = LM_CUDA_THREADS / TPR;
  __shared__ double dsh[LM_CUDA_THREADS / 32];
  const int lane = threadIdx.x % TPR, grp = threadIdx.x / TPR;
  const float eps = a.label_smoothing;
  for (int64_t row0 = (int64_t)blockIdx.x * RPB; row0 < n; row0 += (int64_t)gridDim.x * RPB) {
    const int64_t row = row0 + grp;
    const bool valid = row < n;
    const float *t = target + (valid ? row : 0) * c, *lp = logp + (valid ? row : 0) * c;
    double tw = 0.0;
    if (gx && valid)
      for (int64_t j = lane; j < c; j += TPR) {
        const float tj = smoothed(t[j], eps, c);
        tw += (double)(a.weight ? __fmul_rn(a.weight[j], tj) : tj);
      }
    if (gx)
      tw = group_allreduce<TPR>(tw, dsh, SumOp());
    if (!valid)
      continue;
    const float scale = row_scale(a.reduction, gout, stats, row);
    if (gx) {
      const float ps = __fmul_rn(scale, (float)tw);
      for (int64_t j = lane; j < c; j += TPR) {
        const float tj = smoothed(t[j], eps, c);
        gx[row * c + j] = __fsub_rn(__fmul_rn(expf(lp[j]), ps),
                                    __fmul_rn(scale, a.weight ? __fmul_rn(a.weight[j], tj) : tj));
      }
    }
    if (gt) {
      const float sk = __fmul_rn(scale, 1.0f - eps);
      for (int64_t j = lane; j < c; j += TPR)
        gt[row * c + j] = -__fmul_rn(sk, a.weight ? __fmul_rn(a.weight[j], lp[j]) : lp[j]);
    }
  }
}

extern "C" void lm_cuda_cross_entropy_prob_backward_f32(int64_t n, int64_t c,
                                                        const lm_class_loss_args *a,
                                                        const float *gout, const float *logp,
                                                        const float *target, const float *stats,
                                                        float *gx, float *gt)
{
  if (n <= 0 || c <= 0 || (!gx && !gt))
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(gx ? gx : gt);
  if (!ctx)
    return;
  if (c <= 2048) {
    int64_t groups = (n + LM_CUDA_THREADS / 32 - 1) / (LM_CUDA_THREADS / 32);
    cross_entropy_prob_backward_kernel<32><<<lm_cuda_blocks(ctx, groups, 1), LM_CUDA_THREADS, 0,
                                             ctx->stream>>>(n, c, *a, gout, logp, target, stats,
                                                            gx, gt);
  } else {
    cross_entropy_prob_backward_kernel<LM_CUDA_THREADS><<<lm_cuda_blocks(ctx, n, 1),
                                                          LM_CUDA_THREADS, 0, ctx->stream>>>(
      n, c, *a, gout, logp, target, stats, gx, gt);
  }
  (void)LM_CUDA_LAUNCHED();
}

/* rowloss[i] = -w[t] logp[i, t], roww[i] = w[t] (0 when ignored); bad labels
 * recorded and skipped. */
__global__ void nll_kernel(int64_t n, int64_t c, const float *logp, const int64_t *target,
                           lm_class_loss_args a, double *rowloss, double *roww,
                           unsigned long long *bad)
{
  LM_GRID_STRIDE(i, n) {
    const int64_t t = target[i];
    double loss = 0.0, wt = 0.0;
    if (t == a.ignore_index) {
    } else if (t < 0 || t >= c) {
      atomicMin(bad, (unsigned long long)i);
    } else {
      wt = a.weight ? (double)a.weight[t] : 1.0;
      loss = -wt * (double)logp[i * c + t];
    }
    rowloss[i] = loss;
    roww[i] = wt;
  }
}

/* nll_loss of logp (n, c), n > 0; op names the loss in a bad label's error. */
static int64_t class_rows_loss(int64_t n, int64_t c, const float *logp, const int64_t *target,
                               const lm_class_loss_args *a, float *loss, float *stats, int op)
{
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(loss);
  if (!ctx)
    return -1;
  size_t bytes;
  char *scratch = loss_scratch(ctx, n, &bytes);
  if (!scratch)
    return -1;
  unsigned long long *bad = ctx->loss_bad;
  double *rowloss = (double *)(scratch + 64), *roww = rowloss + n;
  nll_kernel<<<lm_cuda_blocks(ctx, n, LM_CUDA_THREADS), LM_CUDA_THREADS, 0, ctx->stream>>>(
    n, c, logp, target, *a, rowloss, roww, bad);
  (void)LM_CUDA_LAUNCHED();
  reduce_launch(ctx, n, c, rowloss, roww, a, loss, stats, bad, target, op);
  lm_cuda_scratch_free(ctx, scratch, bytes);
  return -1;
}

extern "C" int64_t lm_cuda_nll_loss_f32(int64_t n, int64_t c, const float *logp,
                                        const int64_t *target, const lm_class_loss_args *a,
                                        float *loss, float *stats)
{
  if (n <= 0) {
    empty_loss(n, c, a->reduction, loss, stats);
    return -1;
  }
  return class_rows_loss(n, c, logp, target, a, loss, stats, LM_CUDA_OP_NLL_LOSS);
}

/* gin (n, c) = 0 except gin[i, target[i]] = -s_i w[t] (gin zeroed before). */
__global__ void nll_backward_kernel(int64_t n, int64_t c, lm_class_loss_args a, const float *gout,
                                    const int64_t *target, const float *stats, float *gin)
{
  LM_GRID_STRIDE(i, n) {
    const int64_t t = target[i];
    if (t != a.ignore_index && t >= 0 && t < c)
      gin[i * c + t] =
        -__fmul_rn(row_scale(a.reduction, gout, stats, i), a.weight ? a.weight[t] : 1.0f);
  }
}

extern "C" void lm_cuda_nll_loss_backward_f32(int64_t n, int64_t c, const lm_class_loss_args *a,
                                              const float *gout, const int64_t *target,
                                              const float *stats, float *gin)
{
  if (n <= 0 || c <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(gin);
  if (!ctx || !LM_CUDA_CHECK(lm_cuda_memset_async(gin, 0, (size_t)(n * c) * sizeof(float), ctx->stream)))
    return;
  nll_backward_kernel<<<lm_cuda_blocks(ctx, n, LM_CUDA_THREADS), LM_CUDA_THREADS, 0, ctx->stream>>>(
    n, c, *a, gout, target, stats, gin);
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

/* ---- fit's per-step figures: loss and correct count, left on the device ---- */

/* One block: each thread takes rows i, i + blockDim, ...; the first maximum
 * of a row is its prediction (the CPU's and torch.argmax's rule; NaN never
 * wins a comparison, as on the CPU). */
__global__ void step_stats_kernel(int64_t n, int64_t c, const float *logits,
                                  const int64_t *labels, const float *loss, float *out)
{
  __shared__ int partial[32];
  int correct = 0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
    const float *row = logits + i * c;
    int64_t best = 0;
    for (int64_t k = 1; k < c; k++)
      if (row[k] > row[best])
        best = k;
    correct += best == labels[i];
  }
  correct = lm_block_sum(correct, partial);
  if (threadIdx.x == 0) {
    out[0] = loss[0];
    out[1] = (float)correct;
  }
}

extern "C" void lm_cuda_step_stats_f32(int64_t n, int64_t c, const float *logits,
                                       const int64_t *labels, const float *loss, float *out)
{
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  step_stats_kernel<<<1, LM_CUDA_THREADS, 0, ctx->stream>>>(n, c, logits, labels, loss, out);
  (void)LM_CUDA_LAUNCHED();
}
