/* optim.cu: fused SGD / Adam / AdamW / Adadelta steps on the GPU (cpu/optim.c).
 *
 * One kernel per parameter tensor reads p, g and the state once and writes
 * them once. The arithmetic is the CPU kernel's, which is torch.optim's
 * single-tensor path operation by operation: the scalars are rounded to float
 * on the host exactly as there, and each multiply and add is an explicit
 * round-to-nearest intrinsic so nvcc does not fuse them into FMAs the CPU
 * does not do. sqrtf and '/' are IEEE-correct (no --use_fast_math), so a step
 * on the GPU gives the CPU's bits.
 *
 * Not here: per-parameter state and hyper-parameter checks (engine/optim/).
 */
#include <math.h>
#include <string.h>

#include "cuda-common.cuh"

__global__ void sgd_plain_kernel(int64_t n, float *p, const float *g, float wd, float neg_lr)
{
  LM_GRID_STRIDE(i, n) {
    const float d = __fadd_rn(g[i], __fmul_rn(wd, p[i]));
    p[i] = __fadd_rn(p[i], __fmul_rn(neg_lr, d));
  }
}

__global__ void sgd_momentum_kernel(int64_t n, float *p, const float *g, float *buf, float wd,
                                    float neg_lr, float mom, float one_damp, bool nesterov,
                                    bool first_step)
{
  LM_GRID_STRIDE(i, n) {
    float d = __fadd_rn(g[i], __fmul_rn(wd, p[i]));
    const float b = first_step ? d : __fadd_rn(__fmul_rn(buf[i], mom), __fmul_rn(one_damp, d));
    buf[i] = b;
    d = nesterov ? __fadd_rn(d, __fmul_rn(mom, b)) : b;
    p[i] = __fadd_rn(p[i], __fmul_rn(neg_lr, d));
  }
}

extern "C" void lm_cuda_sgd_step_f32(int64_t n, float *p, const float *g, float *buf, double lr,
                                     double momentum, double dampening, double weight_decay,
                                     bool nesterov, bool first_step)
{
  if (n <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(p);
  if (!ctx)
    return;
  const float wd = (float)weight_decay, neg_lr = (float)-lr;
  const float mom = (float)momentum, one_damp = (float)(1.0 - dampening);
  const unsigned blocks = lm_cuda_blocks(ctx, n, LM_CUDA_THREADS);
  if (momentum == 0.0 || !buf)
    sgd_plain_kernel<<<blocks, LM_CUDA_THREADS, 0, ctx->stream>>>(n, p, g, wd, neg_lr);
  else
    sgd_momentum_kernel<<<blocks, LM_CUDA_THREADS, 0, ctx->stream>>>(n, p, g, buf, wd, neg_lr, mom,
                                                                     one_damp, nesterov,
                                                                     first_step);
  (void)LM_CUDA_LAUNCHED();
}

/* The float scalars of one Adam step, rounded as PyTorch (and cpu/optim.c) round them. */
struct adam_scalars {
  float b1, b2, one_b1, one_b2, eps, wd, decay, neg_step_size, bc2_sqrt;
};

/* One element's update (shared by the one- and the multi-tensor kernel, so
 * both give the same bits). */
template <bool DECOUPLED, bool AMSGRAD>
__device__ __forceinline__ void adam_element(int64_t i, float *p, const float *g, float *m,
                                             float *v, float *vmax, const adam_scalars &s)
{
  float pi = p[i], gi = g[i];
  if (DECOUPLED)
    pi = __fmul_rn(pi, s.decay);
  else
    gi = __fadd_rn(gi, __fmul_rn(s.wd, pi));
  const float mi = __fadd_rn(__fmul_rn(m[i], s.b1), __fmul_rn(s.one_b1, gi));
  float vi = __fadd_rn(__fmul_rn(v[i], s.b2), __fmul_rn(__fmul_rn(s.one_b2, gi), gi));
  m[i] = mi;
  v[i] = vi;
  if (AMSGRAD) {
    const float mx = vmax[i] > vi ? vmax[i] : vi;
    vmax[i] = mx;
    vi = mx;
  }
  const float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vi), s.bc2_sqrt), s.eps);
  p[i] = __fadd_rn(pi, __fdiv_rn(__fmul_rn(s.neg_step_size, mi), denom));
}

template <bool DECOUPLED, bool AMSGRAD>
__global__ void adam_kernel(int64_t n, float *p, const float *g, float *m, float *v, float *vmax,
                            adam_scalars s)
{
  LM_GRID_STRIDE(i, n)
    adam_element<DECOUPLED, AMSGRAD>(i, p, g, m, v, vmax, s);
}

/* Several parameters, passed by value (~1.2 KB of kernel arguments): their
 * elements one after another, element i of the whole in tensor k where
 * start[k] <= i < start[k + 1]. */
struct adam_multi_args {
  int count;
  int64_t start[LM_ADAM_MULTI_MAX + 1];
  lm_adam_tensors t[LM_ADAM_MULTI_MAX];
  float neg_step_size[LM_ADAM_MULTI_MAX], bc2_sqrt[LM_ADAM_MULTI_MAX];
};

template <bool DECOUPLED, bool AMSGRAD>
__global__ void adam_multi_kernel(adam_multi_args a, adam_scalars s)
{
  LM_GRID_STRIDE(i, a.start[a.count]) {
    int k = 0;
    while (i >= a.start[k + 1])
      k++;
    adam_scalars sk = s;
    sk.neg_step_size = a.neg_step_size[k];
    sk.bc2_sqrt = a.bc2_sqrt[k];
    const lm_adam_tensors &t = a.t[k];
    adam_element<DECOUPLED, AMSGRAD>(i - a.start[k], t.p, t.g, t.m, t.v, t.vmax, sk);
  }
}

/* Python computes these in double; the tensor ops then round them to float. */
static adam_scalars adam_scalars_of(const lm_adam_hparams *h)
{
  const double bc1 = 1.0 - pow(h->beta1, (double)h->step);
  const double bc2 = 1.0 - pow(h->beta2, (double)h->step);
  adam_scalars s;
  s.b1 = (float)h->beta1;
  s.b2 = (float)h->beta2;
  s.one_b1 = (float)(1.0 - h->beta1);
  s.one_b2 = (float)(1.0 - h->beta2);
  s.eps = (float)h->eps;
  s.wd = (float)h->weight_decay;
  s.decay = (float)(1.0 - h->lr * h->weight_decay);
  s.neg_step_size = (float)-(h->lr / bc1);
  s.bc2_sqrt = (float)sqrt(bc2);
  return s;
}

extern "C" void lm_cuda_adam_step_f32(int64_t n, float *p, const float *g, float *m, float *v,
                                      float *vmax, const lm_adam_hparams *h)
{
  if (n <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(p);
  if (!ctx)
    return;
  const adam_scalars s = adam_scalars_of(h);
  const bool ams = h->amsgrad && vmax;
  const unsigned blocks = lm_cuda_blocks(ctx, n, LM_CUDA_THREADS);
  cudaStream_t st = ctx->stream;
  if (h->decoupled && ams)
    adam_kernel<true, true><<<blocks, LM_CUDA_THREADS, 0, st>>>(n, p, g, m, v, vmax, s);
  else if (h->decoupled)
    adam_kernel<true, false><<<blocks, LM_CUDA_THREADS, 0, st>>>(n, p, g, m, v, vmax, s);
  else if (ams)
    adam_kernel<false, true><<<blocks, LM_CUDA_THREADS, 0, st>>>(n, p, g, m, v, vmax, s);
  else
    adam_kernel<false, false><<<blocks, LM_CUDA_THREADS, 0, st>>>(n, p, g, m, v, vmax, s);
  (void)LM_CUDA_LAUNCHED();
}

extern "C" void lm_cuda_adam_multi_step_f32(int count, const lm_adam_tensors *t,
                                            const lm_adam_hparams *h)
{
  if (count <= 0 || count > LM_ADAM_MULTI_MAX)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(t[0].p);
  if (!ctx)
    return;
  adam_multi_args a;
  memset(&a, 0, sizeof a);
  a.count = count;
  bool ams = h[0].amsgrad;
  for (int k = 0; k < count; k++) {
    const adam_scalars sk = adam_scalars_of(&h[k]);
    a.t[k] = t[k];
    a.start[k + 1] = a.start[k] + t[k].n;
    a.neg_step_size[k] = sk.neg_step_size;
    a.bc2_sqrt[k] = sk.bc2_sqrt;
    ams = ams && t[k].vmax;
  }
  if (a.start[count] == 0)
    return;
  const adam_scalars s = adam_scalars_of(&h[0]);
  const unsigned blocks = lm_cuda_blocks(ctx, a.start[count], LM_CUDA_THREADS);
  cudaStream_t st = ctx->stream;
  if (h->decoupled && ams)
    adam_multi_kernel<true, true><<<blocks, LM_CUDA_THREADS, 0, st>>>(a, s);
  else if (h->decoupled)
    adam_multi_kernel<true, false><<<blocks, LM_CUDA_THREADS, 0, st>>>(a, s);
  else if (ams)
    adam_multi_kernel<false, true><<<blocks, LM_CUDA_THREADS, 0, st>>>(a, s);
  else
    adam_multi_kernel<false, false><<<blocks, LM_CUDA_THREADS, 0, st>>>(a, s);
  (void)LM_CUDA_LAUNCHED();
}

/* Adadelta, lm_cpu_adadelta_step's arithmetic (torch.optim.Adadelta). */
__global__ void adadelta_kernel(int64_t n, float *p, const float *g, float *square_avg,
                                float *acc_delta, bool decay, float wd, float r, float one_r,
                                float e, float neg_lr)
{
  LM_GRID_STRIDE(i, n) {
    const float gi = decay ? __fadd_rn(g[i], __fmul_rn(wd, p[i])) : g[i];
    const float sq = __fadd_rn(__fmul_rn(square_avg[i], r), __fmul_rn(__fmul_rn(one_r, gi), gi));
    square_avg[i] = sq;
    const float delta =
      __fmul_rn(__fdiv_rn(__fsqrt_rn(__fadd_rn(acc_delta[i], e)), __fsqrt_rn(__fadd_rn(sq, e))), gi);
    acc_delta[i] = __fadd_rn(__fmul_rn(acc_delta[i], r), __fmul_rn(__fmul_rn(one_r, delta), delta));
    p[i] = __fadd_rn(p[i], __fmul_rn(neg_lr, delta));
  }
}

extern "C" void lm_cuda_adadelta_step_f32(int64_t n, float *p, const float *g, float *square_avg,
                                          float *acc_delta, double lr, double rho, double eps,
                                          double weight_decay)
{
  if (n <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(p);
  if (!ctx)
    return;
  adadelta_kernel<<<lm_cuda_blocks(ctx, n, LM_CUDA_THREADS), LM_CUDA_THREADS, 0, ctx->stream>>>(
    n, p, g, square_avg, acc_delta, weight_decay != 0.0, (float)weight_decay, (float)rho,
    (float)(1.0 - rho), (float)eps, (float)-lr);
  (void)LM_CUDA_LAUNCHED();
}
