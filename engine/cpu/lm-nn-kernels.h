/* lm-nn-kernels.h: raw-buffer CPU kernels for conv2d, pooling, dropout and the
 * fused optimizer updates.
 *
 * These functions know nothing of tensors, autograd or scopes: they take plain
 * float pointers to contiguous buffers whose shapes are written next to each
 * argument, like llm.c's layer_forward/layer_backward pairs. The ops in
 * engine/ops/ (conv2d.c, pool2d.c, dropout.c) and the optimizers in
 * engine/optim/ reach them only through the backend table (lm-backend.h), so a
 * CUDA backend supplies the same entry points with device pointers.
 *
 * Not for users: nothing here is installed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Geometry of one 2-D convolution (NCHW input, (Cout, Cin, kh, kw) weight). */
typedef struct {
  int64_t n, c_in, h, w;   /* input (N, Cin, H, W) */
  int64_t c_out, kh, kw;   /* weight (Cout, Cin, kh, kw) */
  int64_t oh, ow;          /* output (N, Cout, OH, OW) */
  int64_t sh, sw;          /* stride */
  int64_t ph, pw;          /* zero padding */
  int64_t dh, dw;          /* dilation */
} lm_conv2d_geom;

/* Rows of the im2col matrix (Cin*kh*kw) and its columns (N*OH*OW). */
static inline int64_t lm_conv2d_col_rows(const lm_conv2d_geom *g) { return g->c_in * g->kh * g->kw; }
static inline int64_t lm_conv2d_col_cols(const lm_conv2d_geom *g) { return g->n * g->oh * g->ow; }

/* Geometry of one 2-D pooling window over N*C independent planes. */
typedef struct {
  int64_t planes;          /* N * C */
  int64_t h, w;            /* input plane */
  int64_t oh, ow;          /* output plane */
  int64_t kh, kw, sh, sw, ph, pw;
  int64_t exclude_pad;     /* avg: count_include_pad=False (divide by the real pixels) */
  int64_t divisor;         /* avg: divisor_override (0: none, divide by the window) */
} lm_pool2d_geom;

/* ---- conv2d (im2col + sgemm, per sample) ----
 * Scratch floats the kernels need for this geometry (the op allocates them,
 * on the device, and passes them as ws). */
int64_t lm_cpu_conv2d_workspace(const lm_conv2d_geom *g, bool backward);
/* Forward: x (N,Cin,H,W), wt (Cout, Cin*kh*kw), bias (Cout) or NULL,
 * out (N,Cout,OH,OW). */
void lm_cpu_conv2d_forward(const lm_conv2d_geom *g, const float *x, const float *wt,
                           const float *bias, float *out, float *ws);
/* Backward: dy (N,Cout,OH,OW), x and wt as in the forward.
 *   dx (N,Cin,H,W), dw (Cout, Cin*kh*kw), db (Cout): each written (not
 *   accumulated), each may be NULL when that gradient is not wanted. */
void lm_cpu_conv2d_backward(const lm_conv2d_geom *g, const float *dy, const float *x,
                            const float *wt, float *dx, float *dw, float *db, float *ws);

/* ---- pooling ----
 * max: x (planes,H,W) -> out (planes,OH,OW), idx (planes,OH,OW) = flat index
 * iy*W+ix of the chosen input element in its plane (PyTorch's convention).
 * Padding never wins; NaN propagates as in PyTorch. */
void lm_cpu_max_pool2d_forward(const lm_pool2d_geom *g, const float *x, float *out, int64_t *idx);
/* dx (planes,H,W) is overwritten: zero, then dx[idx] += dy. */
void lm_cpu_max_pool2d_backward(const lm_pool2d_geom *g, const float *dy, const int64_t *idx, float *dx);
/* avg divides by the window clipped to the padded input (count_include_pad=True,
 * PyTorch's default) or, with g->exclude_pad, to the input. ceil_mode only
 * changes oh/ow (the op's business): a last window may hang over the edge. */
void lm_cpu_avg_pool2d_forward(const lm_pool2d_geom *g, const float *x, float *out);
void lm_cpu_avg_pool2d_backward(const lm_pool2d_geom *g, const float *dy, float *dx);

/* ---- dropout ----
 * u (n) are uniform [0,1) draws from the engine's generator. An element is kept
 * when u >= p; mask (n) gets 1/(1-p) for kept elements and 0 for dropped ones
 * (p == 1 drops everything), out = x * mask. u may alias mask (each element is
 * read before it is written), so the op can draw straight into the mask. */
void lm_cpu_dropout_forward(int64_t n, const float *x, const float *u, float p,
                            float *out, float *mask);
/* dx = dy * mask */
void lm_cpu_dropout_backward(int64_t n, const float *dy, const float *mask, float *dx);

/* ---- fused optimizer steps (one parameter tensor, n elements, in place) ----
 * SGD as torch.optim.SGD: d = g + wd*p; with momentum, buf = d on the first step
 * (first_step true) else buf = momentum*buf + (1-dampening)*d; d = nesterov ?
 * d + momentum*buf : buf; p -= lr*d. buf may be NULL when momentum == 0. */
void lm_cpu_sgd_step(int64_t n, float *p, const float *g, float *buf, double lr,
                     double momentum, double dampening, double weight_decay, bool nesterov,
                     bool first_step);

/* Hyper-parameters are doubles (Python floats in torch.optim); the kernels
 * round them to float exactly where PyTorch's tensor ops do, e.g. 1 - beta1 is
 * computed in double and then rounded. */
typedef struct {
  double lr, beta1, beta2, eps, weight_decay;
  bool decoupled;          /* AdamW: p *= 1 - lr*wd; Adam: g += wd*p */
  bool amsgrad;
  int64_t step;            /* 1 on the first step */
} lm_adam_hparams;
/* Adam/AdamW as torch.optim.Adam/AdamW (torch 1.13 single-tensor path):
 * m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g; (amsgrad: vmax = max(vmax, v),
 * used in place of v); denom = sqrt(v)/sqrt(1-b2^t) + eps;
 * p += (-lr/(1-b1^t) * m) / denom. vmax may be NULL unless amsgrad. */
void lm_cpu_adam_step(int64_t n, float *p, const float *g, float *m, float *v, float *vmax,
                      const lm_adam_hparams *h);
/* Adadelta as torch.optim.Adadelta (torch 1.13 single-tensor path): g += wd*p;
 * sq = rho*sq + (1-rho)*g*g; delta = sqrt(acc + eps) / sqrt(sq + eps) * g;
 * acc = rho*acc + (1-rho)*delta*delta; p -= lr*delta. */
void lm_cpu_adadelta_step(int64_t n, float *p, const float *g, float *square_avg,
                          float *acc_delta, double lr, double rho, double eps,
                          double weight_decay);

/* Sum of n floats, vectorised, accumulated in partial float sums then double. */
double lm_cpu_sum_f32(const float *s, int64_t n);

/* ---- threads (parallel.c) ----
 * fn(ctx, tid, begin, end) runs on contiguous chunks covering [0, n), each
 * chunk once; a thread may get several chunks, always with its own tid in
 * [0, lm_cpu_num_threads()), so per-thread scratch indexed by tid is safe.
 * Regions do not nest (an inner call runs serially). */
typedef void (*lm_cpu_range_fn)(void *ctx, int tid, int64_t begin, int64_t end);
void lm_cpu_parallel_for(int64_t n, lm_cpu_range_fn fn, void *ctx);
int lm_cpu_num_threads(void);
void lm_cpu_set_num_threads(int n);
/* Around a region whose threads call BLAS: OpenBLAS to 1 thread, then back. */
int lm_cpu_blas_threads_begin(void);
void lm_cpu_blas_threads_end(int prev);

/* Hot elementwise kernels are compiled for AVX-512, AVX2 and baseline x86-64
 * and picked at load time (GCC function multiversioning), since the engine is
 * built without -march=native. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define LM_CPU_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LM_CPU_CLONES
#endif

/* ---- large-block cache (alloc-cache.c), used by the CPU backend's alloc/free ----
 * take: a parked block of exactly this (64-byte rounded) size, or NULL.
 * put: parks the block (true) or leaves it to the caller to free (false).
 * empty: frees every parked block. */
void *lm_cpu_cache_take(size_t nbytes);
bool lm_cpu_cache_put(void *ptr, size_t nbytes);
void lm_cpu_cache_empty(void);
