/* lm-engine-private.h: the op kit shared by the engine's own source files.
 *
 * How an op is written (the files of engine/ops/):
 *   1. check inputs (lm_check_* helpers call the error handler with op name and shapes),
 *   2. allocate the output with lm_tensor_new_out() (owned by the current scope),
 *   3. run the kernel through the backend of the inputs' device (lm_backend_of()),
 *      the ONE dispatch point between CPU and CUDA: op code never #ifdefs CUDA,
 *   4. if lm_needs_grad(inputs...), record a node with lm_node_record(), saving what
 *      backward needs (the op's own output only through lm_node_save_detached(),
 *      which avoids an output -> node -> output cycle),
 *   5. call lm_hook_forward(op, node, out, t0) (node NULL when none was recorded),
 *      t0 being lm_op_start(input) taken once the inputs are checked, before any
 *      work: the op's start time when op timing is on, else 0.
 * A backward function receives the gradient of the node's output and fills
 * grad_in[i] (new references, or NULL when input i needs no gradient); the autograd
 * engine reduces broadcast gradients, accumulates and releases them.
 *
 * Backward functions in detail:
 *   - grad_out is always contiguous, on the node's device, shaped like the output.
 *   - They run with grad mode off, inside a scope the engine opens for them: any
 *     tensor made by an op (or lm_tensor_new_out) in there is freed when they
 *     return unless it is stored in grad_in[]. A pass-through gradient is given
 *     as lm_tensor_retain(grad_out). Give distinct references (retain twice when
 *     the same tensor is the gradient of two inputs).
 *   - grad_in[i] may have the broadcast (output) shape; the engine sums it to
 *     input i's shape. Skip inputs where !lm_node_input_needs_grad(node, i).
 *   - Values needed from the forward are read from node->saved[] (lm_node_save);
 *     a graph freed by backward without retain_graph has them released.
 *
 * Temporaries inside an op's forward: make them unscoped (lm_tensor_new_unscoped,
 * lm_contiguous_owned) and release them, or open an lm_scope_begin/_end around
 * composite code and lm_scope_keep + lm_scope_adopt the result. A tensor created
 * inside a user's scope is otherwise kept until that scope ends.
 *
 * Not for users: nothing here is installed.
 */
#pragma once

#include "lumen-engine.h"
#include "lm-backend.h" /* lm_backend_of(): the dispatch point, and the kernel table */

#ifdef __cplusplus
extern "C" {
#endif

#define LM_MAX_INPUTS 4  /* inputs stored inline in the node; more are malloc'd (cat) */
#define LM_MAX_SAVED 4

struct lm_storage {
  int refcount;
  void *data;
  size_t nbytes;
  lm_device device;
};

typedef void (*lm_backward_fn)(lm_node *node, const lm_tensor *grad_out, lm_tensor **grad_in);

struct lm_node {
  int refcount;
  uint64_t id;
  const char *op;                    /* static string */
  char *module;                      /* module path at creation, malloc'd (NULL = top level) */
  int n_inputs;
  lm_tensor **inputs;                /* retained; points at inline_inputs unless n_inputs > LM_MAX_INPUTS */
  lm_tensor *inline_inputs[LM_MAX_INPUTS];
  int n_saved;
  lm_tensor *saved[LM_MAX_SAVED];    /* retained; released after backward unless retained */
  double fargs[8];                   /* op attributes (p, eps, scalar operand, ...) */
  int64_t iargs[16];                 /* op attributes (dims, stride, padding, ...) */
  void *extra;                       /* op-owned data, free()d with the node (may be NULL) */
  lm_backward_fn backward;
  int out_ndim;
  int64_t out_shape[LM_MAX_DIMS];
  lm_dtype out_dtype;
  lm_device out_device;
  bool released;                     /* saved tensors freed by a backward */
  /* scratch for the backward pass */
  lm_tensor *grad_accum;
  int pending;
};

/* ---- errors ---- */
/* Formats the message, stores it for lm_last_error(), calls the handler. */
void lm_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* PyTorch's grad_fn class name for a node: MulBackward0, MmBackward0,
 * NllLossBackward0 (engine/core/print.c). */
void lm_grad_fn_name(const lm_node *node, char *out, size_t len);
/* How many errors this thread has raised so far: a loop whose handler returns
 * compares it around a step to notice an error raised where no NULL comes back
 * (the CUDA backend reports a bad label at the next lm_item, say). */
uint64_t lm_error_serial(void);
/* "(64x784)" style shape text into buf; returns buf. */
char *lm_shape_str(const lm_tensor *t, char *buf, size_t len);
char *lm_shape_str_n(int ndim, const int64_t *shape, char *buf, size_t len);
/* "64x784", without the parentheses, for messages that put two shapes in one
 * pair as PyTorch does: "(64x784 and 128x10)". */
char *lm_shape_str_bare(const lm_tensor *t, char *buf, size_t len);
#define LM_SHAPE_STR_LEN 160

/* Checks that call lm_error() with the op name and return false on failure. */
bool lm_check_float(const char *op, const lm_tensor *t);            /* float32 */
bool lm_check_dtype(const char *op, const lm_tensor *t, lm_dtype dtype, const char *what);
bool lm_check_same_device(const char *op, const lm_tensor *a, const lm_tensor *b);
/* Normalises a possibly negative dim into [0, ndim); "sum_dim: dim 3 out of range
 * for tensor of 2 dims". For ops like unsqueeze, pass ndim + 1. */
bool lm_check_dim(const char *op, int *dim, int ndim);
bool lm_same_shape(const lm_tensor *a, const lm_tensor *b);
bool lm_shape_equal(int ndim_a, const int64_t *a, int ndim_b, const int64_t *b);

/* ---- allocation ---- */
lm_tensor *lm_tensor_new_out(int ndim, const int64_t *shape, lm_dtype dtype, lm_device device);
/* Same, but not owned by any scope (for .grad, optimizer state, parameters). */
lm_tensor *lm_tensor_new_unscoped(int ndim, const int64_t *shape, lm_dtype dtype, lm_device device);
/* A new tensor header over t's storage (retained) with the given geometry; scoped. */
lm_tensor *lm_tensor_new_view(const lm_tensor *t, int ndim, const int64_t *shape,
                              const int64_t *stride, int64_t offset);
/* Owned (unscoped) detached alias of t: same storage and geometry, no grad. */
lm_tensor *lm_detach_owned(const lm_tensor *t);
/* Owned (unscoped) reference to a contiguous version of t: t itself retained when
 * already contiguous, else a copy. No graph is recorded. Release when done. */
lm_tensor *lm_contiguous_owned(const lm_tensor *t);
/* Raw data pointer (device pointer for CUDA tensors): storage + offset. */
void *lm_data_ptr(const lm_tensor *t);
size_t lm_dtype_size(lm_dtype dtype);
void lm_contiguous_strides(int ndim, const int64_t *shape, int64_t *stride);
int64_t lm_shape_numel(int ndim, const int64_t *shape);

/* ---- live object counts (tests, leak hunting) ---- */
typedef struct {
  int64_t tensors, storages, nodes;
  int64_t storage_bytes;
} lm_live_counts;
lm_live_counts lm_debug_live(void);

/* ---- scopes (internal side) ---- */
/* Hands an owned reference to the innermost scope (if one is open); returns t. */
lm_tensor *lm_scope_adopt(lm_tensor *t);
bool lm_scope_active(void);

/* ---- autograd plumbing ---- */
bool lm_needs_grad(const lm_tensor *a, const lm_tensor *b);  /* grad mode on and any requires_grad; b may be NULL */
bool lm_needs_grad_n(int n, const lm_tensor *const *ts);     /* NULL entries are skipped */
lm_node *lm_node_record(lm_tensor *out, const char *op, lm_backward_fn backward,
                        int n_inputs, const lm_tensor *const *inputs);
void lm_node_save(lm_node *node, const lm_tensor *t);
/* Saves a detached alias of t (use for the op's own output: no cycle). */
void lm_node_save_detached(lm_node *node, const lm_tensor *t);
bool lm_node_input_needs_grad(const lm_node *node, int i);
void lm_hook_forward(const char *op, const lm_node *node, const lm_tensor *out, int64_t t0);
/* Op timing (lm_set_op_timing) and memory profiling (lm_set_op_memory):
 * lm_op_start is an op's start time, or 0 while both are off, which is the
 * whole cost then; the op hands it to lm_hook_forward. With memory
 * profiling on, lm_op_begin also marks the allocator's counts, which
 * lm_hook_forward looks up by that value (negative while timing is off).
 * lm_op_clock waits for x's CUDA device first (x may be NULL or a CPU
 * tensor: no wait). */
extern bool lm_op_timing_on;
extern bool lm_op_memory_on;
int64_t lm_op_clock(const lm_tensor *x);
int64_t lm_op_begin(const lm_tensor *x);
static inline int64_t lm_op_start(const lm_tensor *x)
{
  return (lm_op_timing_on || lm_op_memory_on) ? lm_op_begin(x) : 0;
}
/* Sum a broadcast gradient back to `shape` (used by backward of broadcasting ops).
 * Returns a new (scoped) reference; grad itself retained when already that shape. */
lm_tensor *lm_sum_to_shape(const lm_tensor *grad, int ndim, const int64_t *shape);
/* Forward hooks are muted while the engine runs backward functions or an op is
 * built from other ops; these nest. */
void lm_hooks_mute(void);
void lm_hooks_unmute(void);

/* ---- random numbers ----
 * Counter-based Philox-4x32-10: element i of a draw made at counter offset `c`
 * with key `k` is word i%4 of philox(k, c + i/4), so a CUDA kernel given (k, c)
 * reproduces the CPU's numbers exactly. lm_rng_reserve(n) returns the current
 * (key, counter) and advances the counter past n elements (thread-safe). */
typedef struct { uint64_t key; uint64_t counter; } lm_rng_state;
lm_rng_state lm_rng_reserve(int64_t n);
void lm_philox4x32(uint64_t key, uint64_t counter, uint32_t out[4]);
static inline float lm_u32_to_uniform(uint32_t x) { return (float)(x >> 8) * (1.0f / 16777216.0f); }
/* Host buffer of n uniform floats in [a, b) from the global generator (for the
 * nn initialisers: kaiming_uniform, bias init, ...). */
void lm_rng_uniform_fill(float *dst, int64_t n, float a, float b);
void lm_rng_normal_fill(float *dst, int64_t n, float mean, float std);

/* ---- broadcasting ---- */
/* PyTorch's rules (align right, size 1 stretches). On failure calls lm_error:
 * "add: shapes (2x3) and (4) cannot be broadcast (size 3 vs 4 at dim 1)". */
bool lm_broadcast_shape(const char *op, const lm_tensor *a, const lm_tensor *b, int *ndim,
                        int64_t *shape);

/* ---- matrices for gemm ----
 * Whether a (rows, cols) matrix with strides (srow, scol) can be handed to
 * gemm_f32 as is: untransposed with row stride *ld, or as the transpose of a
 * stored (cols, rows) matrix (*trans = true). False means copy it first. */
bool lm_matrix_layout(int64_t rows, int64_t cols, int64_t srow, int64_t scol, bool *trans,
                      int64_t *ld);

/* ---- learning-rate schedules ----
 * Whether s steps on a metric (ReduceLROnPlateau), so lm_fit can refuse it
 * when there is no validation loss to give it. */
struct lm_lr_scheduler;
bool lm_lr_scheduler_needs_metric(const struct lm_lr_scheduler *s);

#ifdef __cplusplus
}
#endif
