/* bench-cuda.c: the CUDA backend's speed and memory, to be set against
 * bench_torch.py run on the same GPU (tests/gpu/run-all.sh runs both and
 * prints the ratios).
 *
 * Measured, float32 with TF32 off unless said otherwise:
 *   - one training step (zero_grad, forward, cross-entropy, backward, Adam) of
 *     the MLP at batch 64 and of the CNN at batch 32, on a batch already on
 *     the GPU: 20 warm-up steps, then 7 runs of 50 steps, each timed with CUDA
 *     events on the engine's stream; the median run's time per step;
 *   - one full epoch of each (60,000 examples: Fashion-MNIST's training set
 *     when installed, else synthetic data of the same size), the whole data set
 *     copied to the GPU once and batches taken as views; median of 3 epochs;
 *   - a 4096x4096x4096 matmul through the engine against cuBLAS called
 *     directly on the same buffers, TF32 off and on;
 *   - peak GPU memory of each model's training, and whether memory stays flat
 *     over 1,000 steps (allocated and reserved bytes the same at step 10 and
 *     at step 1,000, no cudaMalloc in between).
 * Output: a readable table, and "RESULT key value" lines for run-all.sh.
 * `bench-cuda --check` only names the GPU (exit 0) or says why there is none
 * (exit 1): run-all.sh's first step on the machine.
 *
 * Not a test: it prints figures and exits 0 (1 only when no GPU is usable).
 */
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda/lm-cuda.h"
#include "cuda/lumen-cuda.h"
#include "lm-engine-private.h"
#include "lumen-engine.h"
#include "lumen-nn.h"
#include "lumen-train.h"

#define CK(call)                                                                      \
  do {                                                                                \
    cudaError_t e_ = (call);                                                          \
    if (e_ != cudaSuccess) {                                                          \
      fprintf(stderr, "bench-cuda: %s failed at %s:%d: %s\n", #call, __FILE__, __LINE__,\
              cudaGetErrorString(e_));                                                \
      exit(1);                                                                        \
    }                                                                                 \
  } while (0)

#define CKB(call)                                                                     \
  do {                                                                                \
    cublasStatus_t s_ = (call);                                                       \
    if (s_ != CUBLAS_STATUS_SUCCESS) {                                                \
      fprintf(stderr, "bench-cuda: %s failed at %s:%d: %s\n", #call, __FILE__, __LINE__,\
              cublasGetStatusString(s_));                                             \
      exit(1);                                                                        \
    }                                                                                 \
  } while (0)

static cudaStream_t stream;
static cudaEvent_t ev0, ev1;

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void result(const char *key, double value)
{
  printf("RESULT %s %.6g\n", key, value);
}

/* ---- data: 60,000 examples on the GPU ---- */

typedef struct {
  lm_tensor *x; /* (N, 1, 28, 28) float32 in [0, 1], cuda */
  lm_tensor *y; /* (N) int64, cuda */
  int64_t n;
  bool real;
} gpu_data;

static gpu_data load_data(void)
{
  gpu_data d = {0};
  const int64_t n = 60000;
  float *xs = malloc((size_t)n * 784 * sizeof(float));
  int64_t *ys = malloc((size_t)n * sizeof(int64_t));
  char *err = NULL;
  lm_dataset *ds = lm_dataset_load_dir(LM_FASHION_MNIST_DIR, "train", &err);
  if (ds && lm_dataset_len(ds) >= n) {
    for (int64_t i = 0; i < n; i++) {
      const uint8_t *img = lm_dataset_image(ds, i);
      for (int j = 0; j < 784; j++)
        xs[i * 784 + j] = img[j] / 255.0f;
      ys[i] = lm_dataset_label(ds, i);
    }
    d.real = true;
  } else {
    uint64_t s = 12345;
    for (int64_t i = 0; i < n * 784; i++) {
      s = s * 6364136223846793005ull + 1442695040888963407ull;
      xs[i] = (float)(s >> 40) / 16777216.0f;
    }
    for (int64_t i = 0; i < n; i++)
      ys[i] = i % 10;
  }
  free(err);
  lm_dataset_release(ds);
  lm_tensor *hx = lm_tensor_from_data(xs, LM_SHAPE(n, 1, 28, 28));
  lm_tensor *hy = lm_tensor_from_int64(ys, LM_SHAPE(n));
  d.x = lm_to(hx, LM_CUDA0); /* the one copy of the data set */
  d.y = lm_to(hy, LM_CUDA0);
  d.n = n;
  lm_tensor_release(hx);
  lm_tensor_release(hy);
  free(xs);
  free(ys);
  return d;
}

/* ---- training ---- */

static void train_step(lm_module *m, lm_optimizer *opt, const lm_tensor *x, const lm_tensor *y)
{
  lm_scope_begin();
  lm_optimizer_zero_grad(opt);
  lm_tensor *loss = lm_cross_entropy(lm_module_forward(m, x), y);
  lm_backward(loss, NULL, false);
  lm_optimizer_step(opt);
  lm_scope_end();
}

static float elapsed_ms(void)
{
  float ms = 0;
  CK(cudaEventSynchronize(ev1));
  CK(cudaEventElapsedTime(&ms, ev0, ev1));
  return ms;
}

typedef struct {
  const char *name;
  lm_module *(*build)(void);
  int64_t batch;
} model_case;

static void bench_model(const model_case *mc, const gpu_data *d)
{
  lm_manual_seed(0);
  lm_module *m = mc->build();
  if (!lm_module_to(m, LM_CUDA0))
    exit(1);
  lm_optimizer *opt = lm_optim_adam(m, NULL);
  const int64_t B = mc->batch;
  lm_tensor *xb = lm_slice(d->x, 0, 0, B, 1), *yb = lm_slice(d->y, 0, 0, B, 1);

  /* one step: warm-up, then 7 runs of 50 */
  for (int i = 0; i < 20; i++)
    train_step(m, opt, xb, yb);
  double runs[7];
  lm_cuda_counters k0, k1;
  lm_cuda_get_counters(&k0);
  for (int r = 0; r < 7; r++) {
    CK(cudaEventRecord(ev0, stream));
    for (int i = 0; i < 50; i++)
      train_step(m, opt, xb, yb);
    CK(cudaEventRecord(ev1, stream));
    runs[r] = elapsed_ms() / 50.0;
  }
  double step_ms = median(runs, 7);
  lm_cuda_get_counters(&k1);
  /* the host's work per step (each timed run ends with one wait: elapsed_ms) */
  const lm_cuda_counters k = lm_cuda_counters_diff(&k0, &k1);
  const double steps = 7 * 50;

  /* a full epoch, batches as views of the resident data set */
  double epochs[3];
  const int64_t nb = (d->n + B - 1) / B;
  for (int e = 0; e < 3; e++) {
    CK(cudaEventRecord(ev0, stream));
    for (int64_t b = 0; b < nb; b++) {
      int64_t lo = b * B, hi = lo + B < d->n ? lo + B : d->n;
      lm_scope_begin();
      train_step(m, opt, lm_slice(d->x, 0, lo, hi, 1), lm_slice(d->y, 0, lo, hi, 1));
      lm_scope_end();
    }
    CK(cudaEventRecord(ev1, stream));
    epochs[e] = elapsed_ms() / 1000.0;
  }
  double epoch_s = median(epochs, 3);

  /* memory over 1,000 steps */
  lm_cuda_synchronize(0);
  lm_cuda_reset_peak_memory_stats(0);
  lm_cuda_memory_stats s10 = {0}, s1000 = {0};
  for (int i = 1; i <= 1000; i++) {
    train_step(m, opt, xb, yb);
    if (i == 10)
      lm_cuda_get_memory_stats(0, &s10);
  }
  lm_cuda_synchronize(0);
  lm_cuda_get_memory_stats(0, &s1000);
  bool flat = s10.allocated == s1000.allocated && s10.reserved == s1000.reserved &&
              s10.n_cuda_mallocs == s1000.n_cuda_mallocs;

  printf("%-4s step (batch %lld): %8.3f ms   epoch (%lld steps): %7.3f s   peak %.1f MiB, "
         "reserved %.1f MiB, %s over 1000 steps\n",
         mc->name, (long long)B, step_ms, (long long)nb, epoch_s,
         s1000.peak_allocated / 1048576.0, s1000.reserved / 1048576.0,
         flat ? "flat" : "NOT flat");
  printf("     per step: %.1f launches, %.1f cuBLAS calls, %.1f memsets, %.2f waits, "
         "%.2f copies to / %.2f from the host, %.2f cudaMalloc, %.2f cudaFree, "
         "%.1f allocations\n",
         k.launches / steps, k.blas_calls / steps, k.memsets / steps, k.syncs / steps,
         k.copies_to_host / steps, k.copies_from_host / steps, k.cuda_mallocs / steps,
         k.cuda_frees / steps, k.allocs / steps);
  char key[64];
  snprintf(key, sizeof key, "%s_launches_per_step", mc->name);
  result(key, k.launches / steps);
  snprintf(key, sizeof key, "%s_blas_per_step", mc->name);
  result(key, k.blas_calls / steps);
  snprintf(key, sizeof key, "%s_syncs_per_step", mc->name);
  result(key, k.syncs / steps);
  snprintf(key, sizeof key, "%s_mallocs_per_step", mc->name);
  result(key, k.cuda_mallocs / steps);
  snprintf(key, sizeof key, "%s_step_ms", mc->name);
  result(key, step_ms);
  snprintf(key, sizeof key, "%s_epoch_s", mc->name);
  result(key, epoch_s);
  snprintf(key, sizeof key, "%s_peak_mib", mc->name);
  result(key, s1000.peak_allocated / 1048576.0);
  snprintf(key, sizeof key, "%s_flat", mc->name);
  result(key, flat ? 1 : 0);
  lm_tensor_release(xb);
  lm_tensor_release(yb);
  lm_optimizer_free(opt);
  lm_module_free(m);
}

/* ---- matmul: the engine against cuBLAS on the same buffers ---- */

static double tflops(double ms)
{
  return 2.0 * 4096.0 * 4096.0 * 4096.0 / (ms * 1e-3) / 1e12;
}

static void bench_matmul(bool tf32)
{
  const int64_t N = 4096;
  lm_manual_seed(1);
  lm_tensor *ha = lm_randn(LM_SHAPE(N, N)), *hb = lm_randn(LM_SHAPE(N, N));
  lm_tensor *a = lm_to(ha, LM_CUDA0), *b = lm_to(hb, LM_CUDA0);
  lm_tensor_release(ha);
  lm_tensor_release(hb);
  lm_cuda_set_allow_tf32(tf32);
  double lm_runs[10], cb_runs[10];
  for (int r = -3; r < 10; r++) {
    lm_scope_begin();
    CK(cudaEventRecord(ev0, stream));
    lm_matmul(a, b);
    CK(cudaEventRecord(ev1, stream));
    float ms = elapsed_ms();
    lm_scope_end();
    if (r >= 0)
      lm_runs[r] = ms;
  }
  /* cuBLAS directly: C^T = B^T A^T in column-major, as the engine maps it */
  cublasHandle_t h;
  CKB(cublasCreate(&h));
  CKB(cublasSetStream(h, stream));
  CKB(cublasSetMathMode(h, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
  float *c = NULL;
  CK(cudaMalloc((void **)&c, (size_t)(N * N) * sizeof(float)));
  const float one = 1.0f, zero = 0.0f;
  for (int r = -3; r < 10; r++) {
    CK(cudaEventRecord(ev0, stream));
    CKB(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, (int)N, (int)N, (int)N, &one, lm_data_ptr(b),
                    (int)N, lm_data_ptr(a), (int)N, &zero, c, (int)N));
    CK(cudaEventRecord(ev1, stream));
    float ms = elapsed_ms();
    if (r >= 0)
      cb_runs[r] = ms;
  }
  CK(cudaFree(c));
  CKB(cublasDestroy(h));
  lm_cuda_set_allow_tf32(false);
  double lm_t = tflops(median(lm_runs, 10)), cb_t = tflops(median(cb_runs, 10));
  printf("matmul 4096^3 %s: engine %6.1f TFLOPS, cuBLAS direct %6.1f TFLOPS (%.1f%%)\n",
         tf32 ? "TF32 " : "FP32 ", lm_t, cb_t, 100.0 * lm_t / cb_t);
  result(tf32 ? "matmul_tf32_tflops" : "matmul_fp32_tflops", lm_t);
  result(tf32 ? "cublas_tf32_tflops" : "cublas_fp32_tflops", cb_t);
  lm_tensor_release(a);
  lm_tensor_release(b);
}

static lm_module *build_mlp(void) { return lm_model_mlp(); }
static lm_module *build_cnn(void) { return lm_model_cnn(); }

int main(int argc, char **argv)
{
  const bool check_only = argc > 1 && strcmp(argv[1], "--check") == 0;
  if (argc > 1 && !check_only) {
    fprintf(stderr, "usage: bench-cuda [--check]\n"
                    "  --check  name the GPU the engine sees (exit 0), or say why none (exit 1)\n");
    return 2;
  }
  if (!lm_cuda_is_available()) {
    fprintf(stderr, "bench-cuda: %s\n", lm_cuda_unavailable_reason());
    return 1;
  }
  char name[256];
  lm_cuda_get_device_name(0, name, sizeof name);
  if (check_only) {
    printf("cuda:0 is %s (%d CUDA device%s)\n", name, lm_cuda_device_count(),
           lm_cuda_device_count() == 1 ? "" : "s");
    return 0;
  }
  lm_cuda_set_allow_tf32(false);
  stream = (cudaStream_t)lm_cuda_stream(0);
  CK(cudaEventCreate(&ev0));
  CK(cudaEventCreate(&ev1));
  gpu_data d = load_data();
  printf("Lumen CUDA benchmarks on %s (%s data, float32, TF32 off unless said)\n", name,
         d.real ? "Fashion-MNIST" : "synthetic");
  const model_case cases[2] = {{"mlp", build_mlp, 64}, {"cnn", build_cnn, 32}};
  for (int i = 0; i < 2; i++)
    bench_model(&cases[i], &d);
  bench_matmul(false);
  bench_matmul(true);
  lm_tensor_release(d.x);
  lm_tensor_release(d.y);
  CK(cudaEventDestroy(ev0));
  CK(cudaEventDestroy(ev1));
  return 0;
}
