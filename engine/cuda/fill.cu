/* fill.cu: CUDA kernels that create values: fill, arange, strided copies and
 * the Philox random draws.
 *
 * The random kernels reproduce the CPU backend bit for bit: thread t computes
 * philox(key, counter + t) and writes elements 4t..4t+3, exactly the words the
 * CPU loop uses, and the float transforms use the CPU's operations in the
 * CPU's order with explicit round-to-nearest intrinsics (so nvcc cannot fuse a
 * multiply and an add into an FMA the CPU does not do). The normal draws use
 * double-precision log/sqrt/sin/cos, which agree with glibc to the last bit
 * nearly always and always after rounding to float but in rare ties.
 *
 * Also the data loader's row gather (a batch out of a data set kept on the
 * GPU), dtype conversion (lm_to_dtype) and one_hot.
 * Not for: arithmetic on existing values (elementwise.cu).
 */
#include "cuda-common.cuh"

template <typename T>
__global__ void fill_kernel(int64_t n, T value, T *out)
{
  LM_GRID_STRIDE(i, n)
  out[i] = value;
}

extern "C" void lm_cuda_fill_f32(int64_t n, float value, float *out)
{
  if (n <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  if (value == 0.0f && !signbit(value)) {
    (void)LM_CUDA_CHECK(lm_cuda_memset_async(out, 0, (size_t)n * sizeof(float), ctx->stream));
    return;
  }
  fill_kernel<float><<<lm_cuda_blocks(ctx, n, LM_CUDA_THREADS), LM_CUDA_THREADS, 0, ctx->stream>>>(
    n, value, out);
  (void)LM_CUDA_LAUNCHED();
}

extern "C" void lm_cuda_fill_i64(int64_t n, int64_t value, int64_t *out)
{
  if (n <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  if (value == 0) {
    (void)LM_CUDA_CHECK(lm_cuda_memset_async(out, 0, (size_t)n * sizeof(int64_t), ctx->stream));
    return;
  }
  fill_kernel<long long><<<lm_cuda_blocks(ctx, n, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                           ctx->stream>>>(n, (long long)value, (long long *)out);
  (void)LM_CUDA_LAUNCHED();
}

__global__ void arange_kernel(int64_t n, double start, double step, float *out)
{
  LM_GRID_STRIDE(i, n)
  out[i] = (float)__dadd_rn(start, __dmul_rn((double)i, step));
}

extern "C" void lm_cuda_arange_f32(int64_t n, double start, double step, float *out)
{
  if (n <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  arange_kernel<<<lm_cuda_blocks(ctx, n, LM_CUDA_THREADS), LM_CUDA_THREADS, 0, ctx->stream>>>(
    n, start, step, out);
  (void)LM_CUDA_LAUNCHED();
}

/* out (over it, operand 0) = a (operand 1); T is a 4- or 8-byte word. */
template <typename T>
__global__ void copy_strided_kernel(lm_iter it, int64_t total, T *out, const T *a)
{
  LM_GRID_STRIDE(i, total) {
    int64_t off[2];
    lm_iter_offsets<2>(it, i, off);
    out[off[0]] = a[off[1]];
  }
}

extern "C" void lm_cuda_copy_strided(const lm_iter *it, size_t elem_size, void *out, const void *a)
{
  int64_t total = lm_iter_total(it);
  if (total <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  if (lm_iter_contiguous(it, 2)) {
    (void)LM_CUDA_CHECK(lm_cuda_copy_d2d_async(out, a, (size_t)total * elem_size, ctx->stream));
    return;
  }
  unsigned blocks = lm_cuda_blocks(ctx, total, LM_CUDA_THREADS);
  if (elem_size == 8)
    copy_strided_kernel<unsigned long long><<<blocks, LM_CUDA_THREADS, 0, ctx->stream>>>(
      *it, total, (unsigned long long *)out, (const unsigned long long *)a);
  else
    copy_strided_kernel<unsigned int><<<blocks, LM_CUDA_THREADS, 0, ctx->stream>>>(
      *it, total, (unsigned int *)out, (const unsigned int *)a);
  (void)LM_CUDA_LAUNCHED();
}

/* dst row i = src row idx[i]; rows of row_bytes, copied in words of T, one
 * thread per word (consecutive threads read consecutive words of a row). */
template <typename T>
__global__ void gather_rows_kernel(int64_t n, int64_t words, const int64_t *idx, const T *src,
                                   T *dst)
{
  LM_GRID_STRIDE(t, n * words) {
    const int64_t i = t / words, w = t - i * words;
    dst[t] = src[idx[i] * words + w];
  }
}

extern "C" void lm_cuda_gather_rows(int64_t n, size_t row_bytes, const int64_t *idx,
                                    const void *src, void *dst)
{
  if (n <= 0 || row_bytes == 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(dst);
  if (!ctx)
    return;
  if (row_bytes % 8 == 0 && ((uintptr_t)src | (uintptr_t)dst) % 8 == 0) {
    const int64_t words = (int64_t)(row_bytes / 8);
    gather_rows_kernel<unsigned long long><<<lm_cuda_blocks(ctx, n * words, LM_CUDA_THREADS),
                                             LM_CUDA_THREADS, 0, ctx->stream>>>(
      n, words, idx, (const unsigned long long *)src, (unsigned long long *)dst);
  } else {
    const int64_t words = (int64_t)(row_bytes / 4); /* rows are whole float32/int64 elements */
    gather_rows_kernel<unsigned int><<<lm_cuda_blocks(ctx, n * words, LM_CUDA_THREADS),
                                       LM_CUDA_THREADS, 0, ctx->stream>>>(
      n, words, idx, (const unsigned int *)src, (unsigned int *)dst);
  }
  (void)LM_CUDA_LAUNCHED();
}

/* ---- dtype conversion and one_hot ---- */

/* float32 -> int64 truncates toward zero; NaN and values outside int64
 * become INT64_MIN (the CPU kernel's rule; 2^63 is exact in float). */
__global__ void f32_to_i64_kernel(int64_t n, const float *x, long long *y)
{
  LM_GRID_STRIDE(i, n) {
    const float v = x[i];
    y[i] = v >= -9223372036854775808.0f && v < 9223372036854775808.0f ? (long long)v
                                                                       : (long long)INT64_MIN;
  }
}

__global__ void i64_to_f32_kernel(int64_t n, const long long *x, float *y)
{
  LM_GRID_STRIDE(i, n)
    y[i] = (float)x[i];
}

extern "C" void lm_cuda_convert(int64_t n, lm_dtype from, const void *in, lm_dtype to, void *out)
{
  if (n <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  if (from == to) {
    (void)LM_CUDA_CHECK(
      lm_cuda_copy_d2d_async(out, in, (size_t)n * (from == LM_INT64 ? 8 : 4), ctx->stream));
    return;
  }
  if (from == LM_FLOAT32)
    f32_to_i64_kernel<<<lm_cuda_blocks(ctx, n, LM_CUDA_THREADS), LM_CUDA_THREADS, 0, ctx->stream>>>(
      n, (const float *)in, (long long *)out);
  else
    i64_to_f32_kernel<<<lm_cuda_blocks(ctx, n, LM_CUDA_THREADS), LM_CUDA_THREADS, 0, ctx->stream>>>(
      n, (const long long *)in, (float *)out);
  (void)LM_CUDA_LAUNCHED();
}

/* out (n, c) = labels[i] == j, one thread per element (labels checked by the op). */
template <typename T>
__global__ void one_hot_kernel(int64_t n, int64_t c, const int64_t *labels, T *out)
{
  LM_GRID_STRIDE(t, n * c) {
    const int64_t i = t / c, j = t - i * c;
    out[t] = labels[i] == j ? (T)1 : (T)0;
  }
}

extern "C" void lm_cuda_one_hot(int64_t n, int64_t c, const int64_t *labels, bool as_float,
                                void *out)
{
  if (n <= 0 || c <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  if (as_float)
    one_hot_kernel<float><<<lm_cuda_blocks(ctx, n * c, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                            ctx->stream>>>(n, c, labels, (float *)out);
  else
    one_hot_kernel<long long><<<lm_cuda_blocks(ctx, n * c, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                                ctx->stream>>>(n, c, labels, (long long *)out);
  (void)LM_CUDA_LAUNCHED();
}

/* ---- random numbers ---- */

/* (float)(x >> 8) / 2^24: lm_u32_to_uniform of lm-engine-private.h. */
__device__ __forceinline__ float u32_to_uniform(uint32_t x)
{
  return __fmul_rn((float)(x >> 8), 1.0f / 16777216.0f);
}

/* Thread t: philox(key, counter + t) -> out[4t .. 4t+3] (fewer at the end). */
__global__ void rand_uniform_kernel(int64_t n, uint64_t key, uint64_t counter, float lo, float hi,
                                    float *out)
{
  const int64_t groups = (n + 3) / 4;
  const float span = __fsub_rn(hi, lo);
  LM_GRID_STRIDE(t, groups) {
    uint32_t w[4];
    lm_philox_dev(key, counter + (uint64_t)t, w);
#pragma unroll
    for (int j = 0; j < 4; j++) {
      int64_t i = 4 * t + j;
      if (i < n) {
        float v = __fadd_rn(lo, __fmul_rn(span, u32_to_uniform(w[j])));
        out[i] = v < hi ? v : lo; /* as the CPU: rounding must not reach hi */
      }
    }
  }
}

extern "C" void lm_cuda_rand_uniform_f32(int64_t n, uint64_t key, uint64_t counter, float lo,
                                         float hi, float *out)
{
  if (n <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  int64_t groups = (n + 3) / 4;
  rand_uniform_kernel<<<lm_cuda_blocks(ctx, groups, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                        ctx->stream>>>(n, key, counter, lo, hi, out);
  (void)LM_CUDA_LAUNCHED();
}

/* Box-Muller on (0,1] x [0,1), words (0,1) and (2,3), as cpu-backend.c. */
__global__ void rand_normal_kernel(int64_t n, uint64_t key, uint64_t counter, float mean,
                                   float std, float *out)
{
  const int64_t groups = (n + 3) / 4;
  const double two_pi = 2.0 * 3.14159265358979323846;
  LM_GRID_STRIDE(t, groups) {
    uint32_t w[4];
    lm_philox_dev(key, counter + (uint64_t)t, w);
    double z[4];
#pragma unroll
    for (int p = 0; p < 2; p++) {
      double u1 = __dmul_rn((double)(w[2 * p] >> 8) + 1.0, 1.0 / 16777216.0);
      double u2 = __dmul_rn((double)(w[2 * p + 1] >> 8), 1.0 / 16777216.0);
      double r = sqrt(__dmul_rn(-2.0, log(u1)));
      double a = __dmul_rn(two_pi, u2);
      z[2 * p] = __dmul_rn(r, cos(a));
      z[2 * p + 1] = __dmul_rn(r, sin(a));
    }
#pragma unroll
    for (int j = 0; j < 4; j++) {
      int64_t i = 4 * t + j;
      if (i < n)
        out[i] = (float)__dadd_rn((double)mean, __dmul_rn((double)std, z[j]));
    }
  }
}

extern "C" void lm_cuda_rand_normal_f32(int64_t n, uint64_t key, uint64_t counter, float mean,
                                        float std, float *out)
{
  if (n <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  int64_t groups = (n + 3) / 4;
  rand_normal_kernel<<<lm_cuda_blocks(ctx, groups, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                       ctx->stream>>>(n, key, counter, mean, std, out);
  (void)LM_CUDA_LAUNCHED();
}
