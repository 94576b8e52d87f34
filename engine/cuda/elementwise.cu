/* elementwise.cu: CUDA kernels for binary ops with broadcasting (over an
 * lm_iter), unary ops and their backward, mirroring cpu/elementwise.c.
 *
 * Each op is a template instance, so the per-element switch disappears. The
 * binary kernel has two forms: a flat one when every operand is contiguous
 * (the same-shape case, the bulk of a training step) and a strided one that
 * turns each linear index into three offsets (broadcast operands have stride
 * 0). out may alias a (gradient accumulation): each thread reads its own
 * element before writing it.
 *
 * Formulas are the CPU's, including NaN behaviour (relu keeps NaN, clamp lets
 * it through) and pow's derivatives at 0. Transcendentals come from CUDA's
 * libdevice (expf, logf, erff, tanhf: within 2 ulp of glibc), which is why the
 * tests compare with a relative tolerance rather than bit for bit.
 *
 * Not for: reductions (reduce.cu), softmax (softmax.cu).
 */
#include "cuda-common.cuh"

__device__ __forceinline__ float pow_da(float x, float y)
{
  if (y == 0.0f)
    return 0.0f;
  return y * powf(x, y - 1.0f);
}

__device__ __forceinline__ float pow_db(float x, float y)
{
  if (x == 0.0f && y >= 0.0f)
    return 0.0f;
  return powf(x, y) * logf(x);
}

template <lm_binary_op OP>
__device__ __forceinline__ float binop(float x, float y)
{
  switch (OP) {
  case LM_BIN_ADD: return x + y;
  case LM_BIN_SUB: return x - y;
  case LM_BIN_MUL: return x * y;
  case LM_BIN_DIV: return x / y;
  case LM_BIN_POW: return powf(x, y);
  case LM_BIN_POW_DA: return pow_da(x, y);
  case LM_BIN_POW_DB: return pow_db(x, y);
  }
  return 0.0f;
}

template <lm_binary_op OP>
__global__ void binary_flat_kernel(int64_t n, float *out, const float *a, const float *b)
{
  LM_GRID_STRIDE(i, n)
  out[i] = binop<OP>(a[i], b[i]);
}

template <lm_binary_op OP>
__global__ void binary_strided_kernel(lm_iter it, int64_t total, float *out, const float *a,
                                      const float *b)
{
  LM_GRID_STRIDE(i, total) {
    int64_t off[3];
    lm_iter_offsets<3>(it, i, off);
    out[off[0]] = binop<OP>(a[off[1]], b[off[2]]);
  }
}

template <lm_binary_op OP>
static void binary_launch(lm_cuda_ctx *ctx, const lm_iter *it, int64_t total, float *out,
                          const float *a, const float *b)
{
  unsigned blocks = lm_cuda_blocks(ctx, total, LM_CUDA_THREADS);
  if (lm_iter_contiguous(it, 3))
    binary_flat_kernel<OP><<<blocks, LM_CUDA_THREADS, 0, ctx->stream>>>(total, out, a, b);
  else
    binary_strided_kernel<OP><<<blocks, LM_CUDA_THREADS, 0, ctx->stream>>>(*it, total, out, a, b);
}

extern "C" void lm_cuda_binary_f32(lm_binary_op op, const lm_iter *it, float *out, const float *a,
                                   const float *b)
{
  int64_t total = lm_iter_total(it);
  if (total <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  switch (op) {
  case LM_BIN_ADD: binary_launch<LM_BIN_ADD>(ctx, it, total, out, a, b); break;
  case LM_BIN_SUB: binary_launch<LM_BIN_SUB>(ctx, it, total, out, a, b); break;
  case LM_BIN_MUL: binary_launch<LM_BIN_MUL>(ctx, it, total, out, a, b); break;
  case LM_BIN_DIV: binary_launch<LM_BIN_DIV>(ctx, it, total, out, a, b); break;
  case LM_BIN_POW: binary_launch<LM_BIN_POW>(ctx, it, total, out, a, b); break;
  case LM_BIN_POW_DA: binary_launch<LM_BIN_POW_DA>(ctx, it, total, out, a, b); break;
  case LM_BIN_POW_DB: binary_launch<LM_BIN_POW_DB>(ctx, it, total, out, a, b); break;
  }
  (void)LM_CUDA_LAUNCHED();
}

/* ---- unary ---- */

template <lm_unary_op OP>
__device__ __forceinline__ float unop(float x, float p0, float p1)
{
  switch (OP) {
  case LM_UN_NEG: return -x;
  case LM_UN_EXP: return expf(x);
  case LM_UN_LOG: return logf(x);
  case LM_UN_SQRT: return sqrtf(x);
  case LM_UN_ABS: return fabsf(x);
  case LM_UN_RELU: return x > 0.0f ? x : (x != x ? x : 0.0f);
  case LM_UN_SIGMOID: return 1.0f / (1.0f + expf(-x));
  case LM_UN_TANH: return tanhf(x);
  case LM_UN_GELU: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752440f));
  case LM_UN_CLAMP: { const float t = x < p0 ? p0 : x; return t > p1 ? p1 : t; } /* torch: min(max(x, lo), hi) */
  case LM_UN_ADD_SCALAR: return x + p0;
  case LM_UN_MUL_SCALAR: return x * p0;
  case LM_UN_DIV_SCALAR: return x / p0;
  case LM_UN_POW_SCALAR: return p0 == 2.0f ? x * x : (p0 == 1.0f ? x : powf(x, p0));
  case LM_UN_RSUB_SCALAR: return p0 - x;
  }
  return 0.0f;
}

template <lm_unary_op OP>
__global__ void unary_kernel(int64_t n, const float *a, float p0, float p1, float *out)
{
  LM_GRID_STRIDE(i, n)
  out[i] = unop<OP>(a[i], p0, p1);
}

#define LM_UNARY_CASES(X)                                                                \
  X(LM_UN_NEG) X(LM_UN_EXP) X(LM_UN_LOG) X(LM_UN_SQRT) X(LM_UN_ABS) X(LM_UN_RELU)        \
  X(LM_UN_SIGMOID) X(LM_UN_TANH) X(LM_UN_GELU) X(LM_UN_CLAMP) X(LM_UN_ADD_SCALAR)         \
  X(LM_UN_MUL_SCALAR) X(LM_UN_DIV_SCALAR) X(LM_UN_POW_SCALAR) X(LM_UN_RSUB_SCALAR)

extern "C" void lm_cuda_unary_f32(lm_unary_op op, int64_t n, const float *a, float p0, float p1,
                                  float *out)
{
  if (n <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  unsigned blocks = lm_cuda_blocks(ctx, n, LM_CUDA_THREADS);
  switch (op) {
#define X(OP)                                                                            \
  case OP:                                                                               \
    unary_kernel<OP><<<blocks, LM_CUDA_THREADS, 0, ctx->stream>>>(n, a, p0, p1, out);    \
    break;
    LM_UNARY_CASES(X)
#undef X
  }
  (void)LM_CUDA_LAUNCHED();
}

/* gin = gout * d op/dx, from the forward's input x and/or output y. */
template <lm_unary_op OP>
__device__ __forceinline__ float unop_grad(float g, const float *x, const float *y, int64_t i,
                                           float p0, float p1)
{
  const float inv_sqrt_2pi = 0.3989422804014327f;
  switch (OP) {
  case LM_UN_NEG: return -g;
  case LM_UN_EXP: return g * y[i];
  case LM_UN_LOG: return g / x[i];
  case LM_UN_SQRT: return g / (2.0f * y[i]);
  case LM_UN_ABS: return x[i] > 0.0f ? g : (x[i] < 0.0f ? -g : g * 0.0f); /* as on the CPU */
  case LM_UN_RELU: return y[i] <= 0.0f ? 0.0f : g;
  case LM_UN_SIGMOID: return g * y[i] * (1.0f - y[i]);
  case LM_UN_TANH: return g * (1.0f - y[i] * y[i]);
  case LM_UN_GELU: {
    float xi = x[i];
    return g * (0.5f * (1.0f + erff(xi * 0.70710678118654752440f)) +
                xi * inv_sqrt_2pi * expf(-0.5f * xi * xi));
  }
  case LM_UN_CLAMP: return (x[i] >= p0 && x[i] <= p1) ? g : 0.0f;
  case LM_UN_ADD_SCALAR: return g;
  case LM_UN_MUL_SCALAR: return g * p0;
  case LM_UN_DIV_SCALAR: return g / p0;
  case LM_UN_POW_SCALAR:
    if (p0 == 0.0f)
      return 0.0f;
    return p0 == 2.0f ? 2.0f * g * x[i] : g * p0 * powf(x[i], p0 - 1.0f);
  case LM_UN_RSUB_SCALAR: return -g;
  }
  (void)p1;
  return 0.0f;
}

template <lm_unary_op OP>
__global__ void unary_backward_kernel(int64_t n, const float *gout, const float *x, const float *y,
                                      float p0, float p1, float *gin)
{
  LM_GRID_STRIDE(i, n)
  gin[i] = unop_grad<OP>(gout[i], x, y, i, p0, p1);
}

extern "C" void lm_cuda_unary_backward_f32(lm_unary_op op, int64_t n, const float *gout,
                                           const float *x, const float *y, float p0, float p1,
                                           float *gin)
{
  if (n <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(gin);
  if (!ctx)
    return;
  unsigned blocks = lm_cuda_blocks(ctx, n, LM_CUDA_THREADS);
  switch (op) {
#define X(OP)                                                                            \
  case OP:                                                                               \
    unary_backward_kernel<OP><<<blocks, LM_CUDA_THREADS, 0, ctx->stream>>>(n, gout, x, y, \
                                                                           p0, p1, gin); \
    break;
    LM_UNARY_CASES(X)
#undef X
  }
  (void)LM_CUDA_LAUNCHED();
}
