/* lm-backend.h: the backend table, the one place where an op meets a device.
 *
 * Every op in engine/ops/ does its arithmetic by calling through the table of
 * its inputs' device: lm_backend_of(t->device)->binary_f32(...). The CPU backend
 * (engine/cpu/cpu-backend.c) fills it now; a CUDA backend fills the same table
 * with kernels of the same signatures, so op code never changes (and never
 * #ifdefs CUDA). Kernels take raw pointers (device pointers on CUDA) plus sizes
 * and strides, like llm.c's layer functions; shapes are written in the comments.
 * They never see lm_tensor, scopes or autograd, and never report errors through
 * lm_error (a kernel that finds bad data, e.g. a class label out of range,
 * returns a status the op turns into a message).
 *
 * Memory: alloc/free are the caching-allocator hook. The CPU backend uses
 * 64-byte aligned malloc (glibc already caches); a CUDA backend puts its
 * caching allocator (size buckets, stream-ordered reuse, like PyTorch's
 * CUDACachingAllocator) behind the same two entries. Storage objects are
 * refcounted by the core (engine/core/tensor.c) and call free() at zero.
 *
 * Not for users: nothing here is installed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lumen-engine.h"
#include "cpu/lm-nn-kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Iteration space of a strided elementwise kernel: up to three operands
 * (0 = out, 1 = a, 2 = b) over one shape, strides in elements (0 where an
 * operand is broadcast). Built by lm_iter_init(), which drops size-1 dims and
 * merges dims that are contiguous for every operand, so the common cases reach
 * the kernel as 1 or 2 dims. */
typedef struct {
  int ndim;
  int64_t shape[LM_MAX_DIMS];
  int64_t stride[3][LM_MAX_DIMS];
} lm_iter;

/* Binary elementwise ops. POW_DA/POW_DB are pow's partial derivatives
 * (b*a^(b-1) and a^b*log(a), 0 where a == 0 and b >= 0, as PyTorch). */
typedef enum {
  LM_BIN_ADD = 0,
  LM_BIN_SUB,
  LM_BIN_MUL,
  LM_BIN_DIV,
  LM_BIN_POW,
  LM_BIN_POW_DA,
  LM_BIN_POW_DB,
} lm_binary_op;

/* Unary elementwise ops; p0/p1 are the scalar parameters where one is used. */
typedef enum {
  LM_UN_NEG = 0,
  LM_UN_EXP,
  LM_UN_LOG,
  LM_UN_SQRT,
  LM_UN_ABS,
  LM_UN_RELU,
  LM_UN_SIGMOID,
  LM_UN_TANH,
  LM_UN_GELU,
  LM_UN_CLAMP,      /* p0 = min, p1 = max */
  LM_UN_ADD_SCALAR, /* p0 */
  LM_UN_MUL_SCALAR, /* p0 */
  LM_UN_DIV_SCALAR, /* p0 */
  LM_UN_POW_SCALAR, /* p0 = exponent */
  LM_UN_RSUB_SCALAR,/* p0 - x */
} lm_unary_op;

typedef enum {
  LM_RED_SUM = 0,
  LM_RED_MEAN,
  LM_RED_MAX,      /* values, and indices when idx != NULL */
  LM_RED_ARGMAX,   /* indices only (out may be NULL) */
} lm_reduce_op;

/* PyTorch's options of cross_entropy and nll_loss, as the loss kernels take
 * them (see the losses in the table). */
typedef struct {
  int reduction;         /* an lm_reduction */
  int64_t ignore_index;  /* targets equal to it have loss 0 and weight 0 */
  float label_smoothing; /* in [0, 1]; cross_entropy only */
  const float *weight;   /* (c) class weights on the kernel's device, or NULL (ones) */
} lm_class_loss_args;

/* One parameter of a multi-tensor optimizer step (adam_multi_step_f32). */
#define LM_ADAM_MULTI_MAX 16
typedef struct {
  int64_t n;
  float *p;
  const float *g;
  float *m, *v, *vmax; /* vmax NULL unless amsgrad */
} lm_adam_tensors;

typedef struct lm_backend {
  const char *name;          /* "cpu", "cuda" */
  lm_device_type type;

  /* ---- devices and memory ---- */
  int (*device_count)(void);
  void *(*alloc)(int device, size_t nbytes);                 /* NULL when out of memory */
  void (*free)(int device, void *ptr, size_t nbytes);
  void (*copy_from_host)(int device, void *dst, const void *host_src, size_t nbytes);
  void (*copy_to_host)(int device, void *host_dst, const void *src, size_t nbytes);
  void (*copy_on_device)(int device, void *dst, const void *src, size_t nbytes);
  void (*synchronize)(int device);

  /* ---- filling and copying ---- */
  void (*fill_f32)(int64_t n, float value, float *out);      /* out (n) */
  void (*fill_i64)(int64_t n, int64_t value, int64_t *out);  /* out (n) */
  void (*arange_f32)(int64_t n, double start, double step, float *out);
  /* out = a over it (operands 0 and 1), elements of elem_size bytes (4 or 8). */
  void (*copy_strided)(const lm_iter *it, size_t elem_size, void *out, const void *a);
  /* Philox draws (see lm-engine-private.h): element i uses philox(key, counter + i/4). */
  void (*rand_uniform_f32)(int64_t n, uint64_t key, uint64_t counter, float lo, float hi, float *out);
  void (*rand_normal_f32)(int64_t n, uint64_t key, uint64_t counter, float mean, float std, float *out);

  /* ---- elementwise ---- */
  /* out = a (op) b over it; out may alias a (in-place accumulation). */
  void (*binary_f32)(lm_binary_op op, const lm_iter *it, float *out, const float *a, const float *b);
  /* out (n) = op(a (n)), contiguous; out may alias a. */
  void (*unary_f32)(lm_unary_op op, int64_t n, const float *a, float p0, float p1, float *out);
  /* gin (n) = gout (n) * d op / dx, given the input x (n) and output y (n) of the
   * forward (either may be NULL when op's derivative does not use it). */
  void (*unary_backward_f32)(lm_unary_op op, int64_t n, const float *gout, const float *x,
                             const float *y, float p0, float p1, float *gin);

  /* ---- reductions: in (outer, n, inner) contiguous -> out (outer, inner) ---- */
  void (*reduce_f32)(lm_reduce_op op, int64_t outer, int64_t n, int64_t inner,
                     const float *in, float *out, int64_t *idx);
  /* gin (outer, n, inner) = 0, then gin[o, idx[o,i], i] = gout[o, i] (max backward). */
  void (*scatter_dim_f32)(int64_t outer, int64_t n, int64_t inner, const float *gout,
                          const int64_t *idx, float *gin);
  /* Backward of max over all n elements, as PyTorch's (ties share): gin (n) =
   * gout[0] / k where x equals value[0] (or both are NaN), k such elements,
   * 0 elsewhere; value and gout are one float each in device memory. */
  void (*max_all_backward_f32)(int64_t n, const float *x, const float *value, const float *gout,
                               float *gin);

  /* ---- BLAS ----
   * Row-major strided-batched sgemm: for each of `batch` matrices,
   *   C (m,n) = alpha * op(A) (m,k) @ op(B) (k,n) + beta * C,
   * op(X) = X^T when trans_x. lda/ldb/ldc are row strides of the stored
   * matrices, stride_a/b/c the distance between batch entries (0 = shared). */
  void (*gemm_f32)(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                   const float *a, int64_t lda, int64_t stride_a,
                   const float *b, int64_t ldb, int64_t stride_b, float beta,
                   float *c, int64_t ldc, int64_t stride_c, int64_t batch);
  /* out (rows, cols) = row (cols) repeated: bias broadcast before a beta=1 gemm. */
  void (*fill_rows_f32)(int64_t rows, int64_t cols, const float *row, float *out);

  /* ---- softmax family: over the middle dim of (outer, n, inner), contiguous ---- */
  void (*softmax_f32)(int64_t outer, int64_t n, int64_t inner, bool log, const float *in, float *out);
  /* softmax:     gin = y * (gout - sum(gout * y))
   * log_softmax: gin = gout - exp(y) * sum(gout) */
  void (*softmax_backward_f32)(int64_t outer, int64_t n, int64_t inner, bool log,
                               const float *gout, const float *y, float *gin);

  /* ---- losses; targets int64 class indices ----
   * a (lm_class_loss_args, below) holds PyTorch's options: reduction MEAN and
   * SUM write one float to loss, NONE writes n (one per sample); a target
   * equal to a->ignore_index has loss 0 and takes no part in the mean; with
   * a->weight (c floats on this backend, NULL for ones) sample i's loss is
   * scaled by weight[target[i]] and MEAN divides by the sum of those weights
   * (0/0 = NaN over zero or only ignored samples, as in PyTorch; SUM is 0).
   * stats (2 floats, this backend's memory) receives that divisor and the
   * sum of all c class weights; backward reads them, and reads gout as one
   * float (MEAN, SUM) or n floats (NONE).
   * Return -1, or the position of the first target outside [0, c) that is not
   * ignore_index. A backend that checks on the device (CUDA) returns -1,
   * writes NaN as the loss (the bad sample's loss with NONE) and reports the
   * bad target itself at its next synchronisation. */
  /* logits (n,c), target (n) -> loss, probs (n,c) = softmax(logits) for backward.
   * With label smoothing e, sample i's loss is
   *   (1 - e) w[t] (-logp[t]) + e/c sum_j w[j] (-logp[j]). */
  int64_t (*cross_entropy_f32)(int64_t n, int64_t c, const float *logits, const int64_t *target,
                               const lm_class_loss_args *a, float *loss, float *probs,
                               float *stats);
  /* gin (n,c) = s_i ((1-e) w[t] (probs - onehot(target)) + e/c (W probs - w)),
   * W = stats[1], s_i = gout[0] / stats[0] (MEAN), gout[0] (SUM) or gout[i]
   * (NONE), 0 for an ignored sample; gout is device memory */
  void (*cross_entropy_backward_f32)(int64_t n, int64_t c, const lm_class_loss_args *a,
                                     const float *gout, const float *probs, const int64_t *target,
                                     const float *stats, float *gin);
  /* logp (n,c), target (n) -> loss = -w[t] logp[i, target[i]], reduced
   * (a->label_smoothing is not used) */
  int64_t (*nll_loss_f32)(int64_t n, int64_t c, const float *logp, const int64_t *target,
                          const lm_class_loss_args *a, float *loss, float *stats);
  /* gin (n,c) = 0 except gin[i, target[i]] = -s_i w[t] (s_i as for cross_entropy) */
  void (*nll_loss_backward_f32)(int64_t n, int64_t c, const lm_class_loss_args *a,
                                const float *gout, const int64_t *target, const float *stats,
                                float *gin);
  /* Class-probability targets (a float target of the logits' shape, as
   * F.cross_entropy takes since PyTorch 1.10): logits, target (n,c) -> loss,
   * logp (n,c) = log_softmax(logits) for backward. With t' = (1-e) target +
   * e/c (e = a->label_smoothing), sample i's loss is
   *   -sum_j w[j] t'[i,j] logp[i,j];
   * MEAN divides by n (not by a sum of weights, as PyTorch), so stats[0] = n
   * and stats[1] is the sum of the class weights; ignore_index is unused. */
  void (*cross_entropy_prob_f32)(int64_t n, int64_t c, const float *logits, const float *target,
                                 const lm_class_loss_args *a, float *loss, float *logp,
                                 float *stats);
  /* gx (n,c) = s_i (exp(logp) T_i - w t'), T_i = sum_j w[j] t'[i,j];
   * gt (n,c) = -s_i (1-e) w logp; s_i as for cross_entropy; either output
   * may be NULL (not wanted). */
  void (*cross_entropy_prob_backward_f32)(int64_t n, int64_t c, const lm_class_loss_args *a,
                                          const float *gout, const float *logp,
                                          const float *target, const float *stats, float *gx,
                                          float *gt);
  /* a, b (n) -> loss () = mean((a - b)^2) */
  void (*mse_loss_f32)(int64_t n, const float *a, const float *b, float *loss);
  /* ga (n) = 2 (a - b) gout[0] / n, gb = -ga; either may be NULL */
  void (*mse_loss_backward_f32)(int64_t n, const float *gout, const float *a, const float *b,
                                float *ga, float *gb);

  /* ---- conv2d, pooling, dropout, optimizer steps (owned by the nn work) ----
   * Add the entries for engine/ops/{conv2d,pool2d,dropout}.c and engine/optim/
   * below this line, with raw-pointer signatures like the ones above (geometry
   * structs from cpu/lm-nn-kernels.h are fine), and point them at the CPU
   * kernels in engine/cpu/cpu-backend.c's table (marked block there too). */

  /* conv2d. ws is scratch of conv2d_workspace_f32(g, backward) floats, allocated
   * by the op on the device. x (N,Cin,H,W), w (Cout, Cin*kh*kw), bias (Cout) or
   * NULL -> out (N,Cout,OH,OW). */
  int64_t (*conv2d_workspace_f32)(const lm_conv2d_geom *g, bool backward);
  void (*conv2d_forward_f32)(const lm_conv2d_geom *g, const float *x, const float *w,
                             const float *bias, float *out, float *ws);
  /* dy (N,Cout,OH,OW), x and w of the forward -> dx (N,Cin,H,W), dw (Cout,K),
   * db (Cout): each overwritten, each NULL when not wanted. */
  void (*conv2d_backward_f32)(const lm_conv2d_geom *g, const float *dy, const float *x,
                              const float *w, float *dx, float *dw, float *db, float *ws);
  /* x (planes,H,W) -> out, idx (planes,OH,OW); idx = iy*W+ix within the plane */
  void (*max_pool2d_forward_f32)(const lm_pool2d_geom *g, const float *x, float *out, int64_t *idx);
  /* dx (planes,H,W) = 0, then dx[idx] += dy */
  void (*max_pool2d_backward_f32)(const lm_pool2d_geom *g, const float *dy, const int64_t *idx,
                                  float *dx);
  /* count_include_pad=True */
  void (*avg_pool2d_forward_f32)(const lm_pool2d_geom *g, const float *x, float *out);
  void (*avg_pool2d_backward_f32)(const lm_pool2d_geom *g, const float *dy, float *dx);
  /* u (n) uniform [0,1) (may alias mask) -> mask (n) = u >= p ? 1/(1-p) : 0, out = x*mask */
  void (*dropout_forward_f32)(int64_t n, const float *x, const float *u, float p,
                              float *out, float *mask);
  /* dx (n) = dy * mask */
  void (*dropout_backward_f32)(int64_t n, const float *dy, const float *mask, float *dx);
  /* In-place updates of one parameter (n elements); see cpu/lm-nn-kernels.h. */
  void (*sgd_step_f32)(int64_t n, float *p, const float *g, float *buf, double lr,
                       double momentum, double dampening, double weight_decay, bool nesterov,
                       bool first_step);
  void (*adam_step_f32)(int64_t n, float *p, const float *g, float *m, float *v, float *vmax,
                        const lm_adam_hparams *h);
  /* adam_step_f32 over count (1..LM_ADAM_MULTI_MAX) parameters in one go
   * (one kernel launch on a GPU instead of count, as PyTorch's foreach /
   * multi-tensor Adam), each with its own step count h[i].step and the same
   * other hyperparameters; element for element the same arithmetic. May be
   * NULL (the CPU: a launch costs nothing there). */
  void (*adam_multi_step_f32)(int count, const lm_adam_tensors *t, const lm_adam_hparams *h);
  void (*adadelta_step_f32)(int64_t n, float *p, const float *g, float *square_avg,
                            float *acc_delta, double lr, double rho, double eps,
                            double weight_decay);

  /* ---- dtype conversion and one_hot (engine/ops/one_hot.c) ----
   * out (n) = in (n) converted: float32 -> int64 truncates toward zero (NaN
   * and out-of-range values become INT64_MIN, as x86 and PyTorch there),
   * int64 -> float32 rounds to nearest. Same dtype: a copy. */
  void (*convert)(int64_t n, lm_dtype from, const void *in, lm_dtype to, void *out);
  /* labels (n), each in [0, c) (checked by the op) -> out (n,c) int64 or
   * float32 (as_float): 1 at [i, labels[i]], 0 elsewhere. */
  void (*one_hot)(int64_t n, int64_t c, const int64_t *labels, bool as_float, void *out);

  /* ---- data loading (engine/data/loader.c, a data set kept on the device) ----
   * dst (n, row_bytes) = rows idx[0..n) of src (rows, row_bytes); idx (n) is
   * on the same device, each in range (the loader's permutation). */
  void (*gather_rows)(int64_t n, size_t row_bytes, const int64_t *idx, const void *src,
                      void *dst);

  /* ---- training bookkeeping (engine/train/fit.c) ----
   * One step's figures for fit's running sums, written where the step ran so
   * that reading them back can wait (a GPU is read once per log interval, not
   * once per step): out[0] = loss[0], out[1] = how many rows i of logits
   * (n, c) have their first maximum at labels[i] (as torch.argmax; a float,
   * exact for n < 2^24). loss is one float, labels (n) int64, all on this
   * backend's device. */
  void (*step_stats_f32)(int64_t n, int64_t c, const float *logits, const int64_t *labels,
                         const float *loss, float *out);
} lm_backend;

/* The single dispatch point. Returns NULL (after lm_error) when the device's
 * backend is not built in or has no such device. */
const lm_backend *lm_backend_of(lm_device device);
/* Backend of a tensor; NULL-safe (returns NULL for NULL). */
const lm_backend *lm_backend_of_tensor(const lm_tensor *t);

/* The CPU table (engine/cpu/cpu-backend.c). */
const lm_backend *lm_cpu_backend(void);

/* Builds an iterator over `shape` for n_ops (1..3) tensors: operand 0 is usually
 * the output. Each operand's shape must broadcast to `shape` (aligned right). */
void lm_iter_init(lm_iter *it, int ndim, const int64_t *shape, int n_ops,
                  const lm_tensor *const *ops);
/* Same from explicit strides (for views not held in a tensor). */
void lm_iter_collapse(lm_iter *it, int n_ops);

#ifdef __cplusplus
}
#endif
