/* lumen-engine.h: the public API of Lumen's training engine.
 *
 * Tensors, define-by-run autograd, ops, nn modules and optimizers, in plain C.
 * This header is what users include; it does not expose kernels or backends
 * (see lm-engine-private.h). It knows nothing of SQLite, GLib or GTK.
 *
 * ---------------------------------------------------------------------------
 * Memory model: reference counting plus scopes.
 *
 *   Every function that returns an lm_tensor* returns a NEW reference. Who owns
 *   that reference depends on whether a scope is open on the calling thread:
 *
 *   - inside lm_scope_begin() ... lm_scope_end(), the innermost scope owns it and
 *     drops it at lm_scope_end(); the caller frees nothing by hand. A training
 *     step is one scope: activations, the autograd graph and the loss all go
 *     away at its end. lm_scope_keep(t) moves one tensor out of the scope so it
 *     survives (the caller then owns it and calls lm_tensor_release).
 *   - outside any scope, the caller owns the reference and calls
 *     lm_tensor_release() when done.
 *
 *   The autograd graph holds references to the tensors it needs, so releasing a
 *   tensor early never breaks backward. Parameters, their .grad and optimizer
 *   state are owned by modules/optimizers and never by a scope.
 *
 *   Details: scopes nest; lm_scope_keep() only takes tensors from the innermost
 *   one (a tensor it does not own there is returned as is). Never call
 *   lm_tensor_release() on a tensor a scope owns (keep it first). Ops that
 *   return an input unchanged (lm_contiguous of a contiguous tensor, lm_to the
 *   same device) still return a new reference. Refcounts are not atomic: share
 *   tensors between threads only read-only and with outside synchronisation.
 *
 * Errors: a shape, dim, dtype or device error calls the error handler with a
 * message naming the op and the shapes, e.g.
 *   "matmul: mat1 and mat2 shapes cannot be multiplied (64x784 and 128x10)",
 * PyTorch's wording where PyTorch has one.
 * The default handler prints the message to stderr and exits with status 1
 * (as an uncaught Python exception ends a script). lm_set_error_handler() replaces it; if
 * the handler returns, the failing op returns NULL and every op given a NULL
 * input returns NULL, so an error propagates to the caller without a crash.
 * lm_last_error() returns the last message on this thread.
 * --------------------------------------------------------------------------- */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LM_MAX_DIMS 8

typedef enum {
  LM_FLOAT32 = 0,
  LM_FLOAT16,   /* reserved: not implemented yet */
  LM_BFLOAT16,  /* reserved: not implemented yet */
  LM_INT64,     /* indices and class labels (argmax output, cross_entropy targets) */
} lm_dtype;

typedef enum {
  LM_DEVICE_CPU = 0,
  LM_DEVICE_CUDA,
} lm_device_type;

typedef struct {
  lm_device_type type;
  int index; /* cuda:0, cuda:1, ... (0 for the CPU) */
} lm_device;

#define LM_CPU ((lm_device){LM_DEVICE_CPU, 0})
#define LM_CUDA0 ((lm_device){LM_DEVICE_CUDA, 0})

typedef struct lm_storage lm_storage;
typedef struct lm_node lm_node;
typedef struct lm_tensor lm_tensor;

/* Fields are readable by users; change them only through the API. */
struct lm_tensor {
  int ndim;
  int64_t shape[LM_MAX_DIMS];
  int64_t stride[LM_MAX_DIMS]; /* in elements */
  int64_t offset;              /* in elements, into storage */
  lm_dtype dtype;
  lm_device device;
  lm_storage *storage;         /* shared by views */
  bool requires_grad;
  lm_tensor *grad;             /* leaves: accumulated gradient, NULL until backward */
  lm_node *grad_fn;            /* the op that produced this tensor; NULL for leaves */
  int refcount;
  char *name;                  /* optional, e.g. "features.0.weight" */
};

/* ---- errors ---- */
typedef void (*lm_error_handler)(const char *message, void *user_data);
void lm_set_error_handler(lm_error_handler handler, void *user_data);
const char *lm_last_error(void);

/* ---- memory ---- */
void lm_scope_begin(void);
void lm_scope_end(void);
lm_tensor *lm_scope_keep(lm_tensor *t);   /* returns t, now owned by the caller */
lm_tensor *lm_tensor_retain(lm_tensor *t);
void lm_tensor_release(lm_tensor *t);

/* ---- random numbers (seedable, same seed -> same numbers on every run) ---- */
void lm_manual_seed(uint64_t seed);

/* ---- creation (all float32 on the CPU unless said otherwise) ---- */
lm_tensor *lm_tensor_from_data(const float *data, int ndim, const int64_t *shape);
lm_tensor *lm_tensor_from_int64(const int64_t *data, int ndim, const int64_t *shape);
lm_tensor *lm_empty(int ndim, const int64_t *shape);
lm_tensor *lm_zeros(int ndim, const int64_t *shape);
lm_tensor *lm_ones(int ndim, const int64_t *shape);
lm_tensor *lm_full(int ndim, const int64_t *shape, float value);
lm_tensor *lm_arange(double start, double end, double step);
lm_tensor *lm_rand(int ndim, const int64_t *shape);   /* U[0,1) */
lm_tensor *lm_randn(int ndim, const int64_t *shape);  /* N(0,1) */
lm_tensor *lm_zeros_like(const lm_tensor *t);
lm_tensor *lm_ones_like(const lm_tensor *t);
/* Convenience: LM_SHAPE(2, 3) builds the (ndim, shape) argument pair. */
#define LM_SHAPE(...) \
  (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), (const int64_t[]){__VA_ARGS__}

/* ---- inspection ---- */
int64_t lm_numel(const lm_tensor *t);
bool lm_is_contiguous(const lm_tensor *t);
float *lm_data_f32(const lm_tensor *t);      /* &storage[offset] (a device pointer for CUDA tensors) */
int64_t *lm_data_i64(const lm_tensor *t);
float lm_item(const lm_tensor *t);           /* one-element tensor -> float (copies from GPU) */
float lm_get(const lm_tensor *t, const int64_t *index); /* strided element read */
void lm_tensor_copy_to_host(const lm_tensor *t, float *out); /* logical order, any layout */
void lm_tensor_set_requires_grad(lm_tensor *t, bool requires_grad);
void lm_tensor_set_name(lm_tensor *t, const char *name);
const char *lm_dtype_name(lm_dtype dtype);   /* "torch.float32"-like: "float32" */
void lm_device_name(lm_device device, char *buf, size_t len); /* "cpu", "cuda:0" */
/* The inverse, with torch.device's spellings: "cpu", "cuda" (cuda:0),
 * "cuda:N". False (and *device untouched) for anything else; whether
 * cuda:N exists is checked where the device is used (lm_to). */
bool lm_device_parse(const char *text, lm_device *device);
/* Printing as PyTorch's print(tensor): values (abridged past 1000 elements)
 * then shape, dtype, device and grad_fn, e.g.
 *   tensor([[0.1000, 0.2000],
 *           [0.3000, 0.4000]], shape=(2, 2), dtype=float32, device=cpu)
 * The returned string is malloc'd; lm_tensor_print writes to a FILE. */
char *lm_tensor_to_string(const lm_tensor *t);
void lm_tensor_print(const lm_tensor *t, FILE *out);

/* ---- devices ---- */
bool lm_cuda_is_available(void);
/* CPU threads for BLAS and for conv2d/pooling (torch.set_num_threads; takes
 * effect at once). The default is LM_NUM_THREADS if set, else OpenBLAS's own
 * (OPENBLAS_NUM_THREADS, else one per core). On a busy machine 1 is often
 * faster: idle BLAS workers spin and compete with the main thread. */
void lm_set_num_threads(int n);
int lm_get_num_threads(void);
lm_tensor *lm_to(const lm_tensor *t, lm_device device); /* same tensor (+ref) if already there */
/* tensor.to(dtype) between LM_FLOAT32 and LM_INT64: float to int truncates
 * toward zero, as PyTorch (y.float() is lm_to_dtype(y, LM_FLOAT32)); the same
 * tensor (+ref) when it already has the dtype. No gradient flows through a
 * conversion to int64. */
lm_tensor *lm_to_dtype(const lm_tensor *t, lm_dtype dtype);

/* ---- views (share storage) and layout ---- */
lm_tensor *lm_view(const lm_tensor *t, int ndim, const int64_t *shape); /* -1 infers one dim */
lm_tensor *lm_reshape(const lm_tensor *t, int ndim, const int64_t *shape); /* view if possible */
lm_tensor *lm_transpose(const lm_tensor *t, int dim0, int dim1);
lm_tensor *lm_permute(const lm_tensor *t, const int *dims);
lm_tensor *lm_slice(const lm_tensor *t, int dim, int64_t start, int64_t end, int64_t step);
lm_tensor *lm_select(const lm_tensor *t, int dim, int64_t index);
lm_tensor *lm_unsqueeze(const lm_tensor *t, int dim);
lm_tensor *lm_squeeze(const lm_tensor *t, int dim); /* dim = LM_ALL_DIMS squeezes all size-1 */
lm_tensor *lm_flatten(const lm_tensor *t, int start_dim, int end_dim);
lm_tensor *lm_contiguous(const lm_tensor *t);
lm_tensor *lm_detach(const lm_tensor *t);
lm_tensor *lm_clone(const lm_tensor *t);
lm_tensor *lm_cat(lm_tensor *const *tensors, int n, int dim);
/* Broadcast view (stride 0) to a larger shape; -1 keeps a size (torch.expand). */
lm_tensor *lm_expand(const lm_tensor *t, int ndim, const int64_t *shape);
#define LM_ALL_DIMS 0x7fffffff

/* ---- elementwise (broadcasting with PyTorch's rules) ---- */
lm_tensor *lm_add(const lm_tensor *a, const lm_tensor *b);
lm_tensor *lm_sub(const lm_tensor *a, const lm_tensor *b);
lm_tensor *lm_mul(const lm_tensor *a, const lm_tensor *b);
lm_tensor *lm_div(const lm_tensor *a, const lm_tensor *b);
lm_tensor *lm_pow(const lm_tensor *a, const lm_tensor *b);
lm_tensor *lm_add_scalar(const lm_tensor *a, float s);
lm_tensor *lm_sub_scalar(const lm_tensor *a, float s);
lm_tensor *lm_mul_scalar(const lm_tensor *a, float s);
lm_tensor *lm_div_scalar(const lm_tensor *a, float s);
lm_tensor *lm_pow_scalar(const lm_tensor *a, float exponent);
lm_tensor *lm_neg(const lm_tensor *a);
lm_tensor *lm_exp(const lm_tensor *a);
lm_tensor *lm_log(const lm_tensor *a);
lm_tensor *lm_sqrt(const lm_tensor *a);
lm_tensor *lm_abs(const lm_tensor *a);
lm_tensor *lm_clamp(const lm_tensor *a, float min, float max); /* use +-INFINITY for one side */
lm_tensor *lm_relu(const lm_tensor *a);
lm_tensor *lm_sigmoid(const lm_tensor *a);
lm_tensor *lm_tanh(const lm_tensor *a);
lm_tensor *lm_gelu(const lm_tensor *a); /* exact (erf) form, PyTorch's default */

/* ---- reductions ---- */
lm_tensor *lm_sum(const lm_tensor *a);                       /* all elements -> 0-d */
lm_tensor *lm_mean(const lm_tensor *a);
lm_tensor *lm_max(const lm_tensor *a);   /* gradient split evenly among tied maxima, as torch.max(x) */
lm_tensor *lm_sum_dim(const lm_tensor *a, int dim, bool keepdim);
lm_tensor *lm_mean_dim(const lm_tensor *a, int dim, bool keepdim);
lm_tensor *lm_max_dim(const lm_tensor *a, int dim, bool keepdim); /* values; gradient to the first maximum (max(dim)) */
lm_tensor *lm_argmax(const lm_tensor *a, int dim, bool keepdim);  /* int64, no grad; dim LM_ALL_DIMS: flattened */

/* ---- linear algebra ---- */
lm_tensor *lm_matmul(const lm_tensor *a, const lm_tensor *b); /* 1-D/2-D/batched, torch.matmul rules */

/* ---- nn functional ---- */
lm_tensor *lm_softmax(const lm_tensor *a, int dim);
lm_tensor *lm_log_softmax(const lm_tensor *a, int dim);
/* cross_entropy's target is either int64 class indices (N) or, as PyTorch's
 * since 1.10 and Keras's categorical_crossentropy, float32 class
 * probabilities of the logits' shape (N, C) (one-hot rows from
 * lm_to_categorical, or soft labels): the loss of sample i is then
 * -sum_c w_c t_ic log_softmax(x_i)_c, 'mean' divides by N, and the gradient
 * also flows into the target if it requires grad. */
/* Both losses also take PyTorch's K-dimensional form (segmentation-style):
 * input (N, C, d1, ..., dk) with int64 targets (N, d1, ..., dk) or float32
 * probabilities of the input's shape; every position is a sample (the loss
 * of the input with C moved last and flattened to (N*d1*...*dk, C)), and
 * reduction 'none' gives (N, d1, ..., dk). */
lm_tensor *lm_cross_entropy(const lm_tensor *logits, const lm_tensor *target); /* (N,C), int64 (N), mean, ignore_index -100 */
lm_tensor *lm_nll_loss(const lm_tensor *log_probs, const lm_tensor *target);   /* mean */
/* PyTorch's reduction= argument: 'mean' (the default, the functions above),
 * 'sum' (e.g. F.nll_loss(output, target, reduction='sum') to total a test
 * set's loss), 'none' (one loss per sample: shape (N), or () for a (C)
 * input). Over zero samples 'mean' is NaN and 'sum' is 0, as in PyTorch. */
typedef enum { LM_REDUCTION_MEAN = 0, LM_REDUCTION_SUM, LM_REDUCTION_NONE } lm_reduction;
lm_tensor *lm_cross_entropy_ex(const lm_tensor *logits, const lm_tensor *target,
                               lm_reduction reduction);
lm_tensor *lm_nll_loss_ex(const lm_tensor *log_probs, const lm_tensor *target,
                          lm_reduction reduction);
/* The rest of F.cross_entropy's and F.nll_loss's keyword arguments, with
 * PyTorch's defaults in LM_LOSS_DEFAULTS (a NULL options pointer means those):
 *   ignore_index   targets equal to it add nothing to the loss or the
 *                  gradient, and 'mean' divides by the number of the others
 *                  (-100, as PyTorch: so -100 marks padding); a mean over
 *                  only ignored targets is NaN, as in PyTorch.
 *   weight         (C) float32 class weights on the input's device, or NULL:
 *                  sample i's loss is scaled by weight[target[i]] and 'mean'
 *                  divides by the sum of the targets' weights (no gradient
 *                  flows into weight, as in PyTorch).
 *   label_smoothing in [0, 1], cross_entropy only: the target becomes
 *                  (1 - e) onehot + e / C, i.e. the loss is
 *                  (1 - e) nll + e/C sum_c (-w_c log p_c); a probability
 *                  target t becomes (1 - e) t + e / C.
 * With a probability target ignore_index does not apply (an ignore_index >= 0
 * is an error, as in PyTorch) and 'mean' divides by N even with weights.
 * E.g. lm_loss_options o = LM_LOSS_DEFAULTS; o.label_smoothing = 0.1;
 *      lm_tensor *loss = lm_cross_entropy_opts(logits, target, &o); */
typedef struct {
  lm_reduction reduction;
  int64_t ignore_index;
  const lm_tensor *weight;
  double label_smoothing;
} lm_loss_options;
#define LM_IGNORE_INDEX_DEFAULT (-100)
#define LM_LOSS_DEFAULTS                                                                  \
  ((lm_loss_options){.reduction = LM_REDUCTION_MEAN, .ignore_index = LM_IGNORE_INDEX_DEFAULT, \
                     .weight = NULL, .label_smoothing = 0.0})
lm_tensor *lm_cross_entropy_opts(const lm_tensor *logits, const lm_tensor *target,
                                 const lm_loss_options *options);
lm_tensor *lm_nll_loss_opts(const lm_tensor *log_probs, const lm_tensor *target,
                            const lm_loss_options *options);
lm_tensor *lm_mse_loss(const lm_tensor *input, const lm_tensor *target);       /* mean */
/* F.one_hot(labels, num_classes): int64 labels of any shape S -> int64 (S, C)
 * with C = num_classes, or the largest label + 1 when num_classes is -1. A
 * label outside [0, C) is an error naming it and its position.
 * lm_to_categorical is Keras's keras.utils.to_categorical: the same rows as
 * float32, ready as a cross_entropy target. */
lm_tensor *lm_one_hot(const lm_tensor *labels, int64_t num_classes);
lm_tensor *lm_to_categorical(const lm_tensor *labels, int64_t num_classes);
lm_tensor *lm_linear(const lm_tensor *x, const lm_tensor *weight, const lm_tensor *bias); /* x W^T + b */
lm_tensor *lm_conv2d(const lm_tensor *x, const lm_tensor *weight, const lm_tensor *bias,
                     int stride_h, int stride_w, int pad_h, int pad_w, int dil_h, int dil_w);
lm_tensor *lm_max_pool2d(const lm_tensor *x, int kh, int kw, int sh, int sw, int ph, int pw);
lm_tensor *lm_avg_pool2d(const lm_tensor *x, int kh, int kw, int sh, int sw, int ph, int pw);
/* F.max_pool2d(..., ceil_mode=) and F.avg_pool2d(..., ceil_mode=,
 * count_include_pad=): ceil_mode rounds the output size up (a last window
 * may hang over the edge, as long as it starts inside the input or its left
 * padding); count_include_pad=false divides by the pixels actually in the
 * window. The functions above are ceil_mode=false, count_include_pad=true. */
lm_tensor *lm_max_pool2d_ex(const lm_tensor *x, int kh, int kw, int sh, int sw, int ph, int pw,
                            bool ceil_mode);
lm_tensor *lm_avg_pool2d_ex(const lm_tensor *x, int kh, int kw, int sh, int sw, int ph, int pw,
                            bool ceil_mode, bool count_include_pad);
/* All of F.max_pool2d's and F.avg_pool2d's arguments but dilation, and
 * nn.MaxPool2d's/nn.AvgPool2d's (lm_nn_*_pool2d_ex). A zero-initialised
 * struct (or NULL) gives PyTorch's defaults: stride = the kernel size (0,
 * like stride=None), padding 0, ceil_mode=False and, for avg,
 * count_include_pad=True (set no_count_include_pad for False) and
 * divisor_override=None (0): a non-zero divisor_override divides every
 * window's sum by it instead of by the window's size. E.g.
 * F.avg_pool2d(x, 2, divisor_override=1), a 2x2 sum pooling:
 *   lm_avg_pool2d_opts(x, 2, 2, &(lm_pool2d_options){.divisor_override = 1}) */
typedef struct {
  int stride_h, stride_w;
  int padding_h, padding_w;
  bool ceil_mode;
  bool no_count_include_pad; /* avg only */
  int divisor_override;      /* avg only; 0: None */
} lm_pool2d_options;
lm_tensor *lm_max_pool2d_opts(const lm_tensor *x, int kh, int kw, const lm_pool2d_options *options);
lm_tensor *lm_avg_pool2d_opts(const lm_tensor *x, int kh, int kw, const lm_pool2d_options *options);
lm_tensor *lm_dropout(const lm_tensor *x, float p, bool training);

/* ---- autograd ---- */
void lm_backward(lm_tensor *root, const lm_tensor *grad_output, bool retain_graph);
void lm_tensor_zero_grad(lm_tensor *t); /* sets .grad to NULL, like set_to_none=True */
bool lm_grad_enabled(void);
bool lm_set_grad_enabled(bool enabled); /* returns the previous state; torch.no_grad() */

/* Graph as data. Nodes are listed in topological order, inputs before users. */
/* Also defined, identically, by lumen-log.h: a program may include both. */
#ifndef LM_PHASE_DEFINED
#define LM_PHASE_DEFINED
typedef enum { LM_PHASE_FORWARD = 0, LM_PHASE_BACKWARD = 1 } lm_phase;
#endif
uint64_t lm_node_id(const lm_node *n);        /* unique, increasing in creation order */
const char *lm_node_op(const lm_node *n);     /* "matmul", "conv2d", "add", ... */
const char *lm_node_module(const lm_node *n); /* "features.3", "" at top level */
int lm_node_num_inputs(const lm_node *n);
const lm_tensor *lm_node_input(const lm_node *n, int i); /* a leaf when its grad_fn is NULL */
int lm_node_ndim(const lm_node *n);
const int64_t *lm_node_shape(const lm_node *n);
lm_dtype lm_node_dtype(const lm_node *n);
lm_device lm_node_device(const lm_node *n);
/* Fills a malloc'd array of the nodes behind root; returns the count, caller frees the array
 * (not the nodes; they live as long as root does). */
size_t lm_graph_nodes(const lm_tensor *root, const lm_node ***nodes_out);

/* Hook called after every forward op (node is NULL when no graph is recorded) and
 * after every backward op. For the forward phase `tensor` is the op's output; for
 * the backward phase it is the gradient with respect to that output, and
 * grad_inputs[i] is the gradient the op produced for input i (NULL if none).
 * While op timing is on (lm_set_op_timing), start_ns and end_ns bracket the op's
 * own work on lm_clock_ns()'s clock (a backward event: the op's backward
 * function); the hooks themselves run after end_ns and are in no op's time.
 * Both are 0 while timing is off. */
typedef struct {
  lm_phase phase;
  const char *op;
  const lm_node *node;
  const lm_tensor *tensor;
  int n_grad_inputs;
  const lm_tensor *const *grad_inputs;
  int64_t start_ns, end_ns;
  /* While memory profiling is on (lm_set_op_memory), memory is true and, on
   * the op's device (its output's; a backward event: its gradient's), the
   * bytes of tensor storage the op (or backward function) allocated and
   * freed, the bytes allocated on that device at its end and the most
   * allocated at any moment during it. All 0 while memory profiling is off. */
  bool memory;
  int64_t alloc_bytes, free_bytes, mem_after, mem_peak;
} lm_hook_event;
typedef void (*lm_op_hook)(const lm_hook_event *event, void *user_data);
/* Installs a hook next to any others (they run in the order they were
 * added), like PyTorch's register_module_forward_hook: returns a handle for
 * lm_remove_op_hook, or 0 (with an error) when the hook is NULL or
 * LM_OP_HOOKS_MAX hooks are installed. Hooks are process-wide: add and
 * remove them while no op runs on another thread. */
#define LM_OP_HOOKS_MAX 16
int lm_add_op_hook(lm_op_hook hook, void *user_data);
void lm_remove_op_hook(int handle); /* unknown handles are ignored */
/* The one-hook shortcut: replaces the hook an earlier lm_set_op_hook call
 * installed (NULL removes it) and leaves lm_add_op_hook's hooks alone. */
void lm_set_op_hook(lm_op_hook hook, void *user_data);

/* Op timing, what torch.profiler's CPU activity measures: while on, every op
 * and every backward function reads a monotonic clock before and after its
 * work and hands both to the op hooks (lm_hook_event.start_ns/end_ns). Off
 * (the default), an op pays one branch. On a CUDA tensor the op waits for its
 * device (lm_cuda_synchronize) before each reading, so a time is the kernels'
 * real time rather than their launch's, at the cost of the overlap CUDA
 * would give otherwise: turn it on for the steps being profiled only.
 * Process-wide, like the hooks. Returns the previous setting. */
bool lm_set_op_timing(bool enabled);
bool lm_op_timing(void);
/* Memory profiling, what torch.profiler's profile_memory=True records:
 * while on, the tensor allocator counts the bytes every op and every
 * backward function asks it for and gives back, and hands them to the op
 * hooks (lm_hook_event.memory and after). A byte count is what the op
 * requested (a tensor of numel elements: numel * element size; an empty
 * one 64), on CUDA too, where the caching allocator may hand out a larger
 * cached block. Counts are per thread: an op counts what its own thread
 * allocates and frees. Off (the default), an allocation pays one branch.
 * Independent of op timing; process-wide. Returns the previous setting. */
bool lm_set_op_memory(bool enabled);
bool lm_op_memory(void);
/* Bytes of tensor storage allocated now on devices of device's type (all
 * CUDA devices together), as torch.cuda.memory_allocated(); counted
 * whether memory profiling is on or not. */
int64_t lm_memory_allocated(lm_device device);
/* Nanoseconds on CLOCK_MONOTONIC: the clock op times are read on. */
int64_t lm_clock_ns(void);

/* Module path recorded in new nodes (Sequential pushes "0", "features.3", ...). */
void lm_module_path_push(const char *name);
void lm_module_path_pop(void);
const char *lm_module_path(void);

#ifdef __cplusplus
}
#endif
