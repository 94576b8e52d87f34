/* cpu-backend.c: the CPU backend table, its memory entries and the small
 * fill/copy/random kernels.
 *
 * Memory is 64-byte aligned malloc: glibc already recycles freed blocks, which
 * is the CPU's "caching allocator". Kernels live in the neighbouring files
 * (elementwise.c, reduce.c, blas.c, softmax-loss.c) and the nn work's files.
 * Not for: anything that knows about tensors.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/lm-cpu.h"
#include "lm-engine-private.h"

static int cpu_device_count(void)
{
  return 1;
}

static void *cpu_alloc(int device, size_t nbytes)
{
  (void)device;
  void *p = lm_cpu_cache_take(nbytes); /* a parked block of this size (alloc-cache.c) */
  if (p)
    return p;
  size_t rounded = (nbytes + 63) & ~(size_t)63;
  if (posix_memalign(&p, 64, rounded ? rounded : 64) != 0)
    return NULL;
  return p;
}

static void cpu_free(int device, void *ptr, size_t nbytes)
{
  (void)device;
  if (lm_cpu_cache_put(ptr, nbytes)) /* large blocks are parked for reuse */
    return;
  free(ptr);
}

static void cpu_copy(int device, void *dst, const void *src, size_t nbytes)
{
  (void)device;
  if (nbytes)
    memmove(dst, src, nbytes);
}

static void cpu_synchronize(int device)
{
  (void)device;
}

static void cpu_fill_f32(int64_t n, float value, float *out)
{
  if (value == 0.0f && !signbit(value)) {
    memset(out, 0, (size_t)n * sizeof(float));
    return;
  }
  for (int64_t i = 0; i < n; i++)
    out[i] = value;
}

static void cpu_fill_i64(int64_t n, int64_t value, int64_t *out)
{
  for (int64_t i = 0; i < n; i++)
    out[i] = value;
}

static void cpu_arange_f32(int64_t n, double start, double step, float *out)
{
  for (int64_t i = 0; i < n; i++)
    out[i] = (float)(start + (double)i * step);
}

static void cpu_rand_uniform_f32(int64_t n, uint64_t key, uint64_t counter, float lo, float hi,
                                 float *out)
{
  uint32_t w[4];
  float span = hi - lo;
  for (int64_t i = 0; i < n; i += 4) {
    lm_philox4x32(key, counter + (uint64_t)(i / 4), w);
    for (int j = 0; j < 4 && i + j < n; j++) {
      float v = lo + span * lm_u32_to_uniform(w[j]);
      out[i + j] = v < hi ? v : lo; /* rounding can reach hi: keep the half-open interval */
    }
  }
}

static void cpu_rand_normal_f32(int64_t n, uint64_t key, uint64_t counter, float mean, float std,
                                float *out)
{
  uint32_t w[4];
  for (int64_t i = 0; i < n; i += 4) {
    lm_philox4x32(key, counter + (uint64_t)(i / 4), w);
    double z[4];
    for (int p = 0; p < 2; p++) {
      /* Box-Muller on (0,1] x [0,1): never log(0). */
      double u1 = ((double)(w[2 * p] >> 8) + 1.0) * (1.0 / 16777216.0);
      double u2 = (double)(w[2 * p + 1] >> 8) * (1.0 / 16777216.0);
      double r = sqrt(-2.0 * log(u1));
      z[2 * p] = r * cos(2.0 * M_PI * u2);
      z[2 * p + 1] = r * sin(2.0 * M_PI * u2);
    }
    for (int j = 0; j < 4 && i + j < n; j++)
      out[i + j] = (float)(mean + std * z[j]);
  }
}

/* OpenBLAS's thread controls, when the BLAS is OpenBLAS (weak: a generic
 * CBLAS has none, and then the setting is ignored). */
extern void openblas_set_num_threads(int num_threads) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

void lm_set_num_threads(int n)
{
  if (n < 1) {
    lm_error("set_num_threads: expected a positive number of threads, got %d", n);
    return;
  }
  if (openblas_set_num_threads)
    openblas_set_num_threads(n);
  lm_cpu_set_num_threads(n); /* conv2d and pooling too */
}

int lm_get_num_threads(void)
{
  return lm_cpu_num_threads();
}

static void cpu_gather_rows(int64_t n, size_t row_bytes, const int64_t *idx, const void *src,
                            void *dst)
{
  for (int64_t i = 0; i < n; i++)
    memcpy((char *)dst + (size_t)i * row_bytes, (const char *)src + (size_t)idx[i] * row_bytes,
           row_bytes);
}

static void cpu_step_stats(int64_t n, int64_t c, const float *logits, const int64_t *labels,
                           const float *loss, float *out)
{
  int64_t correct = 0;
  for (int64_t i = 0; i < n; i++) {
    const float *row = logits + i * c;
    int64_t best = 0;
    for (int64_t k = 1; k < c; k++)
      if (row[k] > row[best]) /* the first maximum wins */
        best = k;
    correct += best == labels[i];
  }
  out[0] = loss[0];
  out[1] = (float)correct;
}

static void cpu_convert(int64_t n, lm_dtype from, const void *in, lm_dtype to, void *out)
{
  if (from == to) {
    memcpy(out, in, (size_t)n * lm_dtype_size(from));
  } else if (from == LM_FLOAT32) {
    const float *x = in;
    int64_t *y = out;
    for (int64_t i = 0; i < n; i++) /* 2^63 is exactly representable: the bounds are exact */
      y[i] = x[i] >= -9223372036854775808.0f && x[i] < 9223372036854775808.0f ? (int64_t)x[i]
                                                                               : INT64_MIN;
  } else {
    const int64_t *x = in;
    float *y = out;
    for (int64_t i = 0; i < n; i++)
      y[i] = (float)x[i];
  }
}

static void cpu_one_hot(int64_t n, int64_t c, const int64_t *labels, bool as_float, void *out)
{
  if (as_float) {
    float *y = out;
    memset(y, 0, (size_t)(n * c) * sizeof(float));
    for (int64_t i = 0; i < n; i++)
      y[i * c + labels[i]] = 1.0f;
  } else {
    int64_t *y = out;
    memset(y, 0, (size_t)(n * c) * sizeof(int64_t));
    for (int64_t i = 0; i < n; i++)
      y[i * c + labels[i]] = 1;
  }
}

static const lm_backend cpu_backend = {
  .name = "cpu",
  .type = LM_DEVICE_CPU,
  .device_count = cpu_device_count,
  .alloc = cpu_alloc,
  .free = cpu_free,
  .copy_from_host = cpu_copy,
  .copy_to_host = cpu_copy,
  .copy_on_device = cpu_copy,
  .synchronize = cpu_synchronize,
  .fill_f32 = cpu_fill_f32,
  .fill_i64 = cpu_fill_i64,
  .arange_f32 = cpu_arange_f32,
  .copy_strided = lm_cpu_copy_strided,
  .rand_uniform_f32 = cpu_rand_uniform_f32,
  .rand_normal_f32 = cpu_rand_normal_f32,
  .binary_f32 = lm_cpu_binary_f32,
  .unary_f32 = lm_cpu_unary_f32,
  .unary_backward_f32 = lm_cpu_unary_backward_f32,
  .reduce_f32 = lm_cpu_reduce_f32,
  .scatter_dim_f32 = lm_cpu_scatter_dim_f32,
  .max_all_backward_f32 = lm_cpu_max_all_backward_f32,
  .gemm_f32 = lm_cpu_gemm_f32,
  .fill_rows_f32 = lm_cpu_fill_rows_f32,
  .softmax_f32 = lm_cpu_softmax_f32,
  .softmax_backward_f32 = lm_cpu_softmax_backward_f32,
  .cross_entropy_f32 = lm_cpu_cross_entropy_f32,
  .cross_entropy_backward_f32 = lm_cpu_cross_entropy_backward_f32,
  .nll_loss_f32 = lm_cpu_nll_loss_f32,
  .nll_loss_backward_f32 = lm_cpu_nll_loss_backward_f32,
  .cross_entropy_prob_f32 = lm_cpu_cross_entropy_prob_f32,
  .cross_entropy_prob_backward_f32 = lm_cpu_cross_entropy_prob_backward_f32,
  .mse_loss_f32 = lm_cpu_mse_loss_f32,
  .mse_loss_backward_f32 = lm_cpu_mse_loss_backward_f32,
  /* ---- conv2d, pooling, dropout, optimizer steps (owned by the nn work) ----
   * Point the entries added at the end of lm_backend (lm-backend.h) at the CPU
   * kernels of engine/cpu/lm-nn-kernels.h here. */
  .conv2d_workspace_f32 = lm_cpu_conv2d_workspace,
  .conv2d_forward_f32 = lm_cpu_conv2d_forward,
  .conv2d_backward_f32 = lm_cpu_conv2d_backward,
  .max_pool2d_forward_f32 = lm_cpu_max_pool2d_forward,
  .max_pool2d_backward_f32 = lm_cpu_max_pool2d_backward,
  .avg_pool2d_forward_f32 = lm_cpu_avg_pool2d_forward,
  .avg_pool2d_backward_f32 = lm_cpu_avg_pool2d_backward,
  .dropout_forward_f32 = lm_cpu_dropout_forward,
  .dropout_backward_f32 = lm_cpu_dropout_backward,
  .sgd_step_f32 = lm_cpu_sgd_step,
  .adam_step_f32 = lm_cpu_adam_step,
  .adadelta_step_f32 = lm_cpu_adadelta_step,
  .convert = cpu_convert,
  .one_hot = cpu_one_hot,
  .gather_rows = cpu_gather_rows,
  .step_stats_f32 = cpu_step_stats,
};

const lm_backend *lm_cpu_backend(void)
{
  return &cpu_backend;
}
