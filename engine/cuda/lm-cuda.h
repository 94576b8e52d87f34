/* lm-cuda.h: the CUDA backend's entry points, as listed in its table
 * (cuda-backend.c), shared by the C table and the .cu files.
 *
 * Every function here has the signature of one lm_backend entry (lm-backend.h
 * says what each computes; the shapes are repeated next to the kernels). They
 * take device pointers, queue work on the stream of the device that owns the
 * output and return without waiting, except where the contract needs a value
 * on the host (copies to the host). The loss entries check labels on the
 * device and report a bad one at the next synchronisation (context.cu).
 *
 * Not for: ops (they reach these only through lm_backend_of), or users (see
 * lumen-cuda.h).
 */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

#include "lm-backend.h"
#include "lm-engine-private.h"
#include "cuda/lumen-cuda.h"

/* ---- devices and memory (context.cu, alloc.cu) ---- */
/* device_count and synchronize are lumen-cuda.h's lm_cuda_device_count and
 * lm_cuda_synchronize. */
void *lm_cuda_alloc(int device, size_t nbytes);
void lm_cuda_free(int device, void *ptr, size_t nbytes);
void lm_cuda_copy_from_host(int device, void *dst, const void *host_src, size_t nbytes);
void lm_cuda_copy_to_host(int device, void *host_dst, const void *src, size_t nbytes);
void lm_cuda_copy_on_device(int device, void *dst, const void *src, size_t nbytes);
/* How many times the engine made the host wait for the device's stream (copies,
 * lm_cuda_synchronize, the allocator): tests check a training step waits only
 * where it reads a value back. 0 for a device never used. */
unsigned long long lm_cuda_host_syncs(int device);

/* What the backend asked of the CUDA runtime, process-wide over all devices
 * since start: the host overhead of a step, which for small models is what a
 * GPU step costs (a launch or a cuBLAS call ~3-5 us of host time, a wait
 * for the stream the whole queue). Always counted (one relaxed atomic add per
 * call); tests assert per-step budgets on them, bench-cuda prints them. Take
 * two snapshots and subtract (lm_cuda_counters_diff). Zero in a build without
 * CUDA. */
typedef struct {
  uint64_t launches;         /* kernel launches */
  uint64_t blas_calls;       /* cuBLAS calls that queue work (gemms) */
  uint64_t syncs;            /* host waits for a stream (copies, synchronize, allocator) */
  uint64_t copies_to_host;   /* device -> host copies (each also a wait) */
  uint64_t copies_from_host; /* host -> device copies (each also a wait) */
  uint64_t copies_on_device; /* device -> device copies */
  uint64_t memsets;          /* cudaMemsetAsync calls */
  uint64_t cuda_mallocs;     /* cudaMalloc calls (the cache's misses) */
  uint64_t cuda_frees;       /* cudaFree calls */
  uint64_t allocs;           /* requests to the caching allocator (a lock each) */
} lm_cuda_counters;
void lm_cuda_get_counters(lm_cuda_counters *out);
/* b - a, field by field (the counts between two snapshots). */
static inline lm_cuda_counters lm_cuda_counters_diff(const lm_cuda_counters *a,
                                                     const lm_cuda_counters *b)
{
  lm_cuda_counters d = {
    b->launches - a->launches, b->blas_calls - a->blas_calls, b->syncs - a->syncs,
    b->copies_to_host - a->copies_to_host, b->copies_from_host - a->copies_from_host,
    b->copies_on_device - a->copies_on_device, b->memsets - a->memsets,
    b->cuda_mallocs - a->cuda_mallocs, b->cuda_frees - a->cuda_frees, b->allocs - a->allocs,
  };
  return d;
}

/* ---- filling, copying, random numbers (fill.cu) ---- */
void lm_cuda_fill_f32(int64_t n, float value, float *out);
void lm_cuda_fill_i64(int64_t n, int64_t value, int64_t *out);
void lm_cuda_arange_f32(int64_t n, double start, double step, float *out);
void lm_cuda_copy_strided(const lm_iter *it, size_t elem_size, void *out, const void *a);
void lm_cuda_rand_uniform_f32(int64_t n, uint64_t key, uint64_t counter, float lo, float hi,
                              float *out);
void lm_cuda_rand_normal_f32(int64_t n, uint64_t key, uint64_t counter, float mean, float std,
                             float *out);

/* ---- elementwise (elementwise.cu) ---- */
void lm_cuda_binary_f32(lm_binary_op op, const lm_iter *it, float *out, const float *a,
                        const float *b);
void lm_cuda_unary_f32(lm_unary_op op, int64_t n, const float *a, float p0, float p1, float *out);
void lm_cuda_unary_backward_f32(lm_unary_op op, int64_t n, const float *gout, const float *x,
                                const float *y, float p0, float p1, float *gin);

/* ---- reductions (reduce.cu) ---- */
void lm_cuda_reduce_f32(lm_reduce_op op, int64_t outer, int64_t n, int64_t inner, const float *in,
                        float *out, int64_t *idx);
void lm_cuda_max_all_backward_f32(int64_t n, const float *x, const float *value,
                                  const float *gout, float *gin);
void lm_cuda_scatter_dim_f32(int64_t outer, int64_t n, int64_t inner, const float *gout,
                             const int64_t *idx, float *gin);

/* ---- BLAS (gemm.cu) ---- */
void lm_cuda_gemm_f32(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                      const float *a, int64_t lda, int64_t stride_a, const float *b, int64_t ldb,
                      int64_t stride_b, float beta, float *c, int64_t ldc, int64_t stride_c,
                      int64_t batch);
void lm_cuda_fill_rows_f32(int64_t rows, int64_t cols, const float *row, float *out);

/* ---- softmax family and losses (softmax.cu, loss.cu) ---- */
void lm_cuda_softmax_f32(int64_t outer, int64_t n, int64_t inner, bool log, const float *in,
                         float *out);
void lm_cuda_softmax_backward_f32(int64_t outer, int64_t n, int64_t inner, bool log,
                                  const float *gout, const float *y, float *gin);
int64_t lm_cuda_cross_entropy_f32(int64_t n, int64_t c, const float *logits, const int64_t *target,
                                  const lm_class_loss_args *a, float *loss, float *probs,
                                  float *stats);
void lm_cuda_cross_entropy_backward_f32(int64_t n, int64_t c, const lm_class_loss_args *a,
                                        const float *gout, const float *probs,
                                        const int64_t *target, const float *stats, float *gin);
int64_t lm_cuda_nll_loss_f32(int64_t n, int64_t c, const float *logp, const int64_t *target,
                             const lm_class_loss_args *a, float *loss, float *stats);
void lm_cuda_nll_loss_backward_f32(int64_t n, int64_t c, const lm_class_loss_args *a,
                                   const float *gout, const int64_t *target, const float *stats,
                                   float *gin);
void lm_cuda_cross_entropy_prob_f32(int64_t n, int64_t c, const float *logits,
                                    const float *target, const lm_class_loss_args *a, float *loss,
                                    float *logp, float *stats);
void lm_cuda_cross_entropy_prob_backward_f32(int64_t n, int64_t c, const lm_class_loss_args *a,
                                             const float *gout, const float *logp,
                                             const float *target, const float *stats, float *gx,
                                             float *gt);
void lm_cuda_mse_loss_f32(int64_t n, const float *a, const float *b, float *loss);
void lm_cuda_mse_loss_backward_f32(int64_t n, const float *gout, const float *a, const float *b,
                                   float *ga, float *gb);

/* ---- conv2d, pooling, dropout, optimizer steps ---- */
int64_t lm_cuda_conv2d_workspace_f32(const lm_conv2d_geom *g, bool backward);
void lm_cuda_conv2d_forward_f32(const lm_conv2d_geom *g, const float *x, const float *w,
                                const float *bias, float *out, float *ws);
void lm_cuda_conv2d_backward_f32(const lm_conv2d_geom *g, const float *dy, const float *x,
                                 const float *w, float *dx, float *dw, float *db, float *ws);
void lm_cuda_max_pool2d_forward_f32(const lm_pool2d_geom *g, const float *x, float *out,
                                    int64_t *idx);
void lm_cuda_max_pool2d_backward_f32(const lm_pool2d_geom *g, const float *dy, const int64_t *idx,
                                     float *dx);
void lm_cuda_avg_pool2d_forward_f32(const lm_pool2d_geom *g, const float *x, float *out);
void lm_cuda_avg_pool2d_backward_f32(const lm_pool2d_geom *g, const float *dy, float *dx);
void lm_cuda_dropout_forward_f32(int64_t n, const float *x, const float *u, float p, float *out,
                                 float *mask);
void lm_cuda_dropout_backward_f32(int64_t n, const float *dy, const float *mask, float *dx);
void lm_cuda_sgd_step_f32(int64_t n, float *p, const float *g, float *buf, double lr,
                          double momentum, double dampening, double weight_decay, bool nesterov,
                          bool first_step);
void lm_cuda_adam_step_f32(int64_t n, float *p, const float *g, float *m, float *v, float *vmax,
                           const lm_adam_hparams *h);
void lm_cuda_adam_multi_step_f32(int count, const lm_adam_tensors *t, const lm_adam_hparams *h);
void lm_cuda_adadelta_step_f32(int64_t n, float *p, const float *g, float *square_avg,
                               float *acc_delta, double lr, double rho, double eps,
                               double weight_decay);

/* ---- data loading (fill.cu) ---- */
void lm_cuda_convert(int64_t n, lm_dtype from, const void *in, lm_dtype to, void *out);
void lm_cuda_one_hot(int64_t n, int64_t c, const int64_t *labels, bool as_float, void *out);
void lm_cuda_gather_rows(int64_t n, size_t row_bytes, const int64_t *idx, const void *src,
                         void *dst);

/* ---- training bookkeeping (loss.cu) ---- */
void lm_cuda_step_stats_f32(int64_t n, int64_t c, const float *logits, const int64_t *labels,
                            const float *loss, float *out);

/* The table itself (cuda-backend.c); backend.c's dispatch returns it for cuda
 * devices (built with LM_HAVE_CUDA_BACKEND). */
const lm_backend *lm_cuda_backend(void);

#ifdef __cplusplus
}
#endif
