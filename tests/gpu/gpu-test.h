/* gpu-test.h: what the GPU test programs share: a test harness, the skip rule,
 * and the helpers that compare a GPU result with the CPU's.
 *
 * Harness: with GLib (the normal build) the gt_* macros are GLib's g_test_*.
 * A bare GPU machine may have the CUDA toolkit, a compiler, meson and a BLAS
 * but no GLib (GPU.md), so without it the same programs compile against a
 * forty-line runner below that prints TAP like GLib does: one process, tests
 * run in order, a failed assertion aborts with its message, skipped tests say
 * "# SKIP reason". Either way meson runs them with protocol 'tap'.
 *
 * Comparisons: relative error = max |gpu - cpu| / max |cpu| over a buffer
 * (the error a reader of the tensor sees, robust where single elements cancel
 * to near zero), plus an element-by-element NaN check, so an output element
 * the GPU never wrote (left at its 0xff.. poison, a NaN) fails even when the
 * rest is right.
 */
#pragma once

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lumen-engine.h"
#include "lumen-train.h"
#include "cuda/lumen-cuda.h"

#ifdef LM_GPU_TEST_GLIB
#include <glib.h>
#define gt_init(argc, argv) g_test_init((argc), (argv), NULL)
#define gt_add(path, fn) g_test_add_func((path), (fn))
#define gt_run() g_test_run()
#define gt_skip(msg) g_test_skip(msg)
#define gt_message(...) g_test_message(__VA_ARGS__)
#define gt_assert(expr) g_assert_true(expr)
#define gt_fail(...) g_error(__VA_ARGS__)
#else
typedef struct {
  const char *path;
  void (*fn)(void);
} gt_case;
static gt_case gt_cases[128];
static int gt_n_cases;
static bool gt_skipped;
static const char *gt_skip_reason;
static inline void gt_init(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
}
static inline void gt_add(const char *path, void (*fn)(void))
{
  if (gt_n_cases < 128)
    gt_cases[gt_n_cases++] = (gt_case){path, fn};
}
static inline void gt_skip(const char *msg)
{
  gt_skipped = true;
  gt_skip_reason = msg;
}
#define gt_message(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))
#define gt_fail(...)                                                                 \
  do {                                                                               \
    fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                             \
    fprintf(stderr, __VA_ARGS__);                                                    \
    fprintf(stderr, "\n");                                                           \
    printf("Bail out! %s:%d\n", __FILE__, __LINE__);                                 \
    fflush(stdout);                                                                  \
    abort();                                                                         \
  } while (0)
#define gt_assert(expr)                                                              \
  do {                                                                               \
    if (!(expr))                                                                     \
      gt_fail("assertion failed: %s", #expr);                                        \
  } while (0)
static inline int gt_run(void)
{
  printf("TAP version 13\n1..%d\n", gt_n_cases);
  for (int i = 0; i < gt_n_cases; i++) {
    gt_skipped = false;
    gt_cases[i].fn();
    if (gt_skipped)
      printf("ok %d %s # SKIP %s\n", i + 1, gt_cases[i].path, gt_skip_reason);
    else
      printf("ok %d %s\n", i + 1, gt_cases[i].path);
    fflush(stdout);
  }
  return 0;
}
#endif

/* ---- the skip rule ---- */

/* True when a GPU is usable; otherwise marks the running test skipped with
 * "no CUDA GPU: <why>" and returns false (the test then returns at once). */
static inline bool gt_need_gpu(void)
{
  if (lm_cuda_is_available())
    return true;
  static char msg[600];
  const char *why = lm_cuda_unavailable_reason(), *prefix = "no CUDA GPU found: ";
  if (strncmp(why, prefix, strlen(prefix)) == 0)
    why += strlen(prefix);
  snprintf(msg, sizeof msg, "no CUDA GPU: %s", why);
  gt_skip(msg);
  return false;
}

/* Called first in main(): new GPU blocks are filled with NaN bytes, so an
 * output element a kernel does not write shows up as NaN. */
static inline void gt_poison_gpu_memory(void)
{
  setenv("LUMEN_CUDA_POISON", "1", 0);
}

/* Times the host has waited for cuda:0's stream so far. On the CUDA emulator
 * every cudaStreamSynchronize counts (lm_emu_stream_syncs, a weak reference
 * resolved only when the emulator is linked), so a wait the engine does not
 * count itself shows too; on a GPU, the engine's count (lm_cuda_host_syncs). */
extern unsigned long long lm_emu_stream_syncs(void) __attribute__((weak));
unsigned long long lm_cuda_host_syncs(int device);
static inline unsigned long long gt_host_waits(void)
{
  return lm_emu_stream_syncs ? lm_emu_stream_syncs() : lm_cuda_host_syncs(0);
}

/* LUMEN_CUDA_NO_CACHING=1 (as under compute-sanitizer): every free then waits. */
static inline bool gt_caching_disabled(void)
{
  const char *e = getenv("LUMEN_CUDA_NO_CACHING");
  return e && e[0] == '1';
}

/* ---- random data ---- */

static uint64_t gt_rng_state = 0x243F6A8885A308D3ull;

static inline uint32_t gt_rand_u32(void)
{
  gt_rng_state = gt_rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(gt_rng_state >> 33);
}

/* Uniform in [lo, hi). */
static inline float gt_uniform(float lo, float hi)
{
  return lo + (hi - lo) * (float)(gt_rand_u32() & 0xffffff) / 16777216.0f;
}

static inline float *gt_random(int64_t n, float lo, float hi)
{
  float *v = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
  for (int64_t i = 0; i < n; i++)
    v[i] = gt_uniform(lo, hi);
  return v;
}

/* ---- comparisons ---- */

/* max |a - b| / max |b|, or INFINITY when their NaNs differ anywhere. */
static inline double gt_rel_err(const float *a, const float *b, int64_t n, int64_t *worst)
{
  double maxdiff = 0, maxref = 0;
  if (worst)
    *worst = -1;
  for (int64_t i = 0; i < n; i++) {
    if (isnan(a[i]) != isnan(b[i])) {
      if (worst)
        *worst = i;
      return INFINITY;
    }
    if (isnan(b[i]))
      continue;
    if (isinf(a[i]) || isinf(b[i])) {
      if (a[i] != b[i]) {
        if (worst)
          *worst = i;
        return INFINITY;
      }
      continue;
    }
    double d = fabs((double)a[i] - (double)b[i]);
    if (d > maxdiff) {
      maxdiff = d;
      if (worst)
        *worst = i;
    }
    if (fabs((double)b[i]) > maxref)
      maxref = fabs((double)b[i]);
  }
  if (maxdiff == 0)
    return 0;
  return maxdiff / (maxref > 0 ? maxref : 1e-30);
}

/* Fails the test with the op's name and the worst element when the relative
 * error exceeds tol. */
static inline void gt_check_close(const char *what, const float *gpu, const float *cpu, int64_t n,
                                  double tol)
{
  int64_t w;
  double e = gt_rel_err(gpu, cpu, n, &w);
  if (!(e <= tol))
    gt_fail("%s: GPU differs from CPU: relative error %.3g > %.3g (element %lld: gpu %.9g, "
            "cpu %.9g, n = %lld)",
            what, e, tol, (long long)w, w >= 0 ? (double)gpu[w] : 0.0,
            w >= 0 ? (double)cpu[w] : 0.0, (long long)n);
}

/* Norm-wise: ||gpu - cpu||_2 / ||cpu||_2 <= tol (and the same NaNs). For
 * parameters after several training steps, where Adam may turn a gradient
 * element that is zero up to rounding into a full +-lr step on one device and
 * not the other: one such element must not fail the whole comparison. */
static inline void gt_check_close_rms(const char *what, const float *gpu, const float *cpu,
                                      int64_t n, double tol)
{
  double d2 = 0, r2 = 0;
  for (int64_t i = 0; i < n; i++) {
    if (isnan(gpu[i]) != isnan(cpu[i]))
      gt_fail("%s: NaN at element %lld on one device only (gpu %g, cpu %g)", what, (long long)i,
              (double)gpu[i], (double)cpu[i]);
    if (isnan(cpu[i]))
      continue;
    double d = (double)gpu[i] - (double)cpu[i];
    d2 += d * d;
    r2 += (double)cpu[i] * (double)cpu[i];
  }
  double e = r2 > 0 ? sqrt(d2 / r2) : sqrt(d2);
  if (!(e <= tol))
    gt_fail("%s: GPU differs from CPU: norm-wise relative error %.3g > %.3g (n = %lld)", what, e,
            tol, (long long)n);
}

static inline void gt_check_equal_i64(const char *what, const int64_t *gpu, const int64_t *cpu,
                                      int64_t n)
{
  for (int64_t i = 0; i < n; i++)
    if (gpu[i] != cpu[i])
      gt_fail("%s: GPU index %lld differs from CPU %lld at element %lld of %lld", what,
              (long long)gpu[i], (long long)cpu[i], (long long)i, (long long)n);
}

/* Same bits (for the random generator, copies and the optimizer steps). */
static inline void gt_check_identical(const char *what, const float *gpu, const float *cpu,
                                      int64_t n)
{
  for (int64_t i = 0; i < n; i++)
    if (memcmp(&gpu[i], &cpu[i], sizeof(float)) != 0)
      gt_fail("%s: GPU value %.9g is not bit-identical to CPU %.9g at element %lld of %lld", what,
              (double)gpu[i], (double)cpu[i], (long long)i, (long long)n);
}

/* n random 28x28 grey images with labels 0..9 (a Fashion-MNIST stand-in). */
static inline lm_dataset *gt_synthetic_dataset(int64_t n)
{
  uint8_t *px = malloc((size_t)n * 784);
  int64_t *lab = malloc((size_t)n * sizeof *lab);
  for (int64_t i = 0; i < n * 784; i++)
    px[i] = (uint8_t)(gt_rand_u32() & 0xff);
  for (int64_t i = 0; i < n; i++)
    lab[i] = (int64_t)(gt_rand_u32() % 10);
  lm_dataset *ds = lm_dataset_from_memory(px, lab, n, 1, 28, 28, 10, NULL);
  free(px);
  free(lab);
  return ds;
}

/* An engine error handler for tests that expect errors: it counts them and
 * keeps the last message (lm_set_error_handler(count_error, NULL)). */
static int n_errors;
static char last_msg[1024];
static inline void count_error(const char *message, void *user_data)
{
  (void)user_data;
  n_errors++;
  snprintf(last_msg, sizeof last_msg, "%s", message);
}

/* The tolerance of every float32 comparison with TF32 off (the bound). */
#define GT_TOL 1e-5
