/* lumen-nn.h: modules, optimizers and learning-rate schedules for Lumen's engine.
 *
 * The C counterpart of torch.nn and torch.optim: layers with PyTorch's names,
 * defaults and initialisation, nested Sequential containers with named
 * parameters ("0.weight", "features.3.bias"), train/eval mode, a Keras-like
 * summary, SGD/Adam/AdamW/Adadelta with PyTorch's update rules, and StepLR. Tensors,
 * ops and autograd are in lumen-engine.h (included here).
 *
 * ---------------------------------------------------------------------------
 * Ownership.
 *   - A module owns its parameters (and their .grad): they are unscoped and
 *     live until lm_module_free(). A container owns the modules added to it;
 *     free the outermost one only.
 *   - lm_module_forward() returns a new reference like any op: call it inside
 *     the step's lm_scope_begin()/lm_scope_end() and it is freed with the step.
 *   - An optimizer keeps its own references to the parameters it updates and
 *     owns its state (momentum buffers, Adam moments); free it with
 *     lm_optimizer_free(). A scheduler is freed with lm_lr_scheduler_free().
 *
 * Errors (bad sizes, a name that does not exist, a shape a layer cannot take)
 * go through the engine's error handler like every op (see lumen-engine.h):
 * functions then return NULL / false / -1.
 *
 * CPU threads: conv2d and pooling split a batch over threads and BLAS runs
 * threaded; the count, one for both, is LM_NUM_THREADS if set, else
 * OpenBLAS's (which follows OPENBLAS_NUM_THREADS), else the number of CPUs,
 * and lm_set_num_threads() changes it at any time. Freed CPU blocks of 64 KiB
 * or more are kept for reuse by the next allocation of the same size (a
 * training step allocates the same buffers every time); LM_CPU_CACHE_MB caps
 * what is kept (default 1024, 0 turns it off).
 *
 * Example: the CNN of PyTorch's tutorials, trained with Adam.
 *
 *   #include <lumen-nn.h>
 *
 *   lm_manual_seed(0);
 *   lm_module *model = LM_SEQUENTIAL(
 *       lm_nn_conv2d(1, 32, 3, 1, 1), lm_nn_relu(), lm_nn_max_pool2d(2, 0, 0),
 *       lm_nn_conv2d(32, 64, 3, 1, 1), lm_nn_relu(), lm_nn_max_pool2d(2, 0, 0),
 *       lm_nn_flatten(),
 *       lm_nn_linear(3136, 128), lm_nn_relu(), lm_nn_dropout(0.5f),
 *       lm_nn_linear(128, 10));
 *   lm_module_summary(model, LM_SHAPE(32, 1, 28, 28), stdout);
 *
 *   lm_optimizer *opt = lm_optim_adam(model, NULL);            // lr 1e-3, betas (0.9, 0.999)
 *   lm_lr_scheduler *sched = lm_step_lr(opt, 10, 0.1);         // lr *= 0.1 every 10 epochs
 *   for (int epoch = 0; epoch < 20; epoch++) {
 *     lm_module_train(model, true);
 *     for (each batch) {
 *       lm_scope_begin();                                      // frees the step's tensors
 *       lm_tensor *x = lm_tensor_from_data(images, LM_SHAPE(32, 1, 28, 28));
 *       lm_tensor *y = lm_tensor_from_int64(labels, LM_SHAPE(32));
 *       lm_optimizer_zero_grad(opt);
 *       lm_tensor *loss = lm_cross_entropy(lm_module_forward(model, x), y);
 *       lm_backward(loss, NULL, false);
 *       lm_optimizer_step(opt);
 *       printf("loss %.4f\n", lm_item(loss));
 *       lm_scope_end();
 *     }
 *     lm_lr_scheduler_step(sched);
 *   }
 *
 *   lm_named_tensor *params;
 *   size_t n = lm_module_named_parameters(model, &params);    // "0.weight", "0.bias", ...
 *   for (size_t i = 0; i < n; i++)
 *     printf("%s %lld\n", params[i].name, (long long)lm_numel(params[i].tensor));
 *   free(params);
 *
 *   lm_lr_scheduler_free(sched);
 *   lm_optimizer_free(opt);
 *   lm_module_free(model);
 * --------------------------------------------------------------------------- */
#pragma once

#include "lumen-engine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lm_module lm_module;

/* ---- layers (torch.nn names and defaults) ----
 * Weights are initialised as PyTorch does: kaiming_uniform_(a=sqrt(5)), i.e.
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * drawn from the engine's generator (lm_manual_seed makes them reproducible). */

/* nn.Linear(in_features, out_features, bias=True): y = x W^T + b,
 * weight (out, in), bias (out). */
lm_module *lm_nn_linear(int64_t in_features, int64_t out_features);
lm_module *lm_nn_linear_ex(int64_t in_features, int64_t out_features, bool bias);

/* nn.Conv2d(in, out, kernel_size, stride, padding) with square kernel, stride
 * and padding, dilation 1, bias=True. Weight (out, in, k, k), bias (out). */
lm_module *lm_nn_conv2d(int64_t in_channels, int64_t out_channels, int kernel_size,
                        int stride, int padding);
/* All of nn.Conv2d's geometry (groups=1). A zero-initialised struct gives
 * PyTorch's defaults: stride 1 (0 means 1), padding 0, dilation 1 (0 means 1),
 * bias on (set no_bias for bias=False). */
typedef struct {
  int stride_h, stride_w;
  int padding_h, padding_w;
  int dilation_h, dilation_w;
  bool no_bias;
} lm_conv2d_options;
lm_module *lm_nn_conv2d_ex(int64_t in_channels, int64_t out_channels, int kernel_h,
                           int kernel_w, const lm_conv2d_options *options);

/* nn.MaxPool2d(kernel_size, stride=None, padding=0): stride 0 means
 * kernel_size, like stride=None. Square windows; lm_nn_max_pool2d_ex takes any. */
lm_module *lm_nn_max_pool2d(int kernel_size, int stride, int padding);
/* nn.AvgPool2d(kernel_size, stride=None, padding=0), count_include_pad=True. */
lm_module *lm_nn_avg_pool2d(int kernel_size, int stride, int padding);
/* The rest of nn.MaxPool2d's and nn.AvgPool2d's arguments: lm_pool2d_options
 * (lumen-engine.h, shared with lm_avg_pool2d_opts). E.g.
 * nn.MaxPool2d((2, 3), stride=(1, 2), ceil_mode=True):
 *   lm_nn_max_pool2d_ex(2, 3, &(lm_pool2d_options){.stride_h = 1, .stride_w = 2,
 *                                                  .ceil_mode = true})
 * and nn.AvgPool2d(2, divisor_override=1) (sum pooling):
 *   lm_nn_avg_pool2d_ex(2, 2, &(lm_pool2d_options){.divisor_override = 1})
 * Printed as PyTorch prints AvgPool2d: kernel_size, stride and padding only. */
lm_module *lm_nn_max_pool2d_ex(int kernel_h, int kernel_w, const lm_pool2d_options *options);
lm_module *lm_nn_avg_pool2d_ex(int kernel_h, int kernel_w, const lm_pool2d_options *options);

lm_module *lm_nn_relu(void);
lm_module *lm_nn_sigmoid(void);
lm_module *lm_nn_tanh(void);
lm_module *lm_nn_gelu(void);
/* nn.Softmax(dim) and nn.LogSoftmax(dim): LogSoftmax(dim=1) ends the model
 * of PyTorch's MNIST example, for lm_nll_loss; Softmax ends Keras's. (With
 * lm_cross_entropy, end the model with the logits instead: it applies
 * log_softmax itself.) */
lm_module *lm_nn_softmax(int dim);
lm_module *lm_nn_log_softmax(int dim);
/* nn.Dropout(p=0.5): active in train mode only, scales kept values by 1/(1-p). */
lm_module *lm_nn_dropout(float p);
/* nn.Flatten(start_dim=1, end_dim=-1) */
lm_module *lm_nn_flatten(void);
lm_module *lm_nn_flatten_ex(int start_dim, int end_dim);

/* nn.Sequential(*modules): children named "0", "1", ... Takes ownership of the
 * modules. Write LM_SEQUENTIAL(a, b, c): the argument list of
 * lm_nn_sequential() must end with LM_NN_END, which the macro adds. A NULL
 * argument (a constructor that failed) makes the whole call fail: the other
 * modules are freed and NULL is returned. lm_nn_sequential_new() makes an
 * empty one to fill with lm_module_add() / lm_module_append(). */
#define LM_NN_END ((lm_module *)(intptr_t)-1)
lm_module *lm_nn_sequential(lm_module *first, ...);
#define LM_SEQUENTIAL(...) lm_nn_sequential(__VA_ARGS__, LM_NN_END)
lm_module *lm_nn_sequential_new(void);
/* Appends a child named by its position ("3"), like Sequential.append. */
bool lm_module_append(lm_module *seq, lm_module *child);
/* Appends a named child, like Sequential(OrderedDict(...)) or add_module():
 * lm_module_add(model, "features", features) gives "features.0.weight".
 * Names are non-empty, contain no '.', and are unique within the container.
 * Takes ownership of child (also on failure, when it is freed). */
bool lm_module_add(lm_module *seq, const char *name, lm_module *child);

/* ---- using a module ---- */
/* Runs the module. Inside a container each child's ops record its path
 * ("features.3") in the autograd graph (lm_node_module). New reference. */
lm_tensor *lm_module_forward(lm_module *m, const lm_tensor *x);
/* model.train(mode) / model.eval(), recursively. Modules start in train mode. */
void lm_module_train(lm_module *m, bool mode);
void lm_module_eval(lm_module *m);
bool lm_module_is_training(const lm_module *m);
/* Frees the module, its children and its parameters. NULL is fine. */
void lm_module_free(lm_module *m);

/* ---- looking inside ---- */
/* "Linear", "Conv2d", "Sequential", ... (the PyTorch class name) */
const char *lm_module_type(const lm_module *m);
int lm_module_num_children(const lm_module *m);
lm_module *lm_module_child(const lm_module *m, int i);
const char *lm_module_child_name(const lm_module *m, int i);
/* model.get_submodule("features.3"); NULL (with an error) when there is none. */
lm_module *lm_module_get(const lm_module *m, const char *path);

typedef struct {
  const char *name;   /* "features.3.weight", relative to the module asked */
  lm_tensor *tensor;  /* owned by the module */
} lm_named_tensor;
/* model.named_parameters(): fills *out with a malloc'd array in registration
 * order (the names live in the same block); returns the count. free(*out). */
size_t lm_module_named_parameters(const lm_module *m, lm_named_tensor **out);
/* One parameter by its name ("0.weight"), or NULL (with an error). */
lm_tensor *lm_module_parameter(const lm_module *m, const char *name);
/* sum(p.numel() for p in model.parameters()) */
int64_t lm_module_num_parameters(const lm_module *m);
/* model.zero_grad(): every parameter's .grad set to NULL (set_to_none=True). */
void lm_module_zero_grad(lm_module *m);
/* model.to(device): moves every parameter (and its .grad) in place, so
 * optimizers and names keep working. false (with an error) if the device is
 * not available; the module is then unchanged. */
bool lm_module_to(lm_module *m, lm_device device);

/* print(model): the module tree as PyTorch prints it, e.g.
 *   Sequential(
 *     (0): Linear(in_features=784, out_features=128, bias=True)
 *     (1): ReLU()
 *   ) */
void lm_module_print(const lm_module *m, FILE *out);
/* Keras' model.summary(): runs one forward pass on zeros of the given input
 * shape (batch included; no grad, eval mode, the module's mode is restored)
 * and prints each layer's name, type, output shape and parameter count, then
 * the totals. Returns false (with an error) if the input does not fit. */
bool lm_module_summary(lm_module *m, int ndim, const int64_t *input_shape, FILE *out);

/* ---- initialisers (torch.nn.init) ----
 * They refill a parameter in place from the engine's generator, e.g. Keras'
 * defaults (glorot_uniform kernels, zero biases) on a PyTorch-initialised
 * layer:
 *   lm_nn_init_xavier_uniform(lm_module_parameter(model, "0.weight"), 1.0);
 *   lm_nn_init_zeros(lm_module_parameter(model, "0.bias"));
 * Call them before lm_module_to(): they take contiguous float32 CPU tensors
 * and refuse others (false, with an error naming the tensor). */
/* nn.init.xavier_uniform_(t, gain): U(-a, a) with
 * a = gain * sqrt(6 / (fan_in + fan_out)), fan_in = t.size(1) * receptive
 * field, fan_out = t.size(0) * receptive field (the receptive field is the
 * product of the dimensions after the second: kh * kw for a Conv2d weight).
 * Keras' glorot_uniform is gain 1: the same fans for a Dense kernel (in, out)
 * and a Conv2D kernel (kh, kw, in, out). Needs 2 or more dimensions. */
bool lm_nn_init_xavier_uniform(lm_tensor *t, double gain);
/* nn.init.zeros_(t): Keras' default bias initialiser. */
bool lm_nn_init_zeros(lm_tensor *t);

/* ---- optimizers (torch.optim) ---- */
typedef struct lm_optimizer lm_optimizer;

/* torch.optim.SGD(params, lr, momentum=0, dampening=0, weight_decay=0,
 * nesterov=False, maximize=False): a zero-initialised struct (or NULL) is
 * PyTorch's default. Every optimizer's maximize ascends the objective (the
 * gradient is negated first, as in torch.optim). */
typedef struct {
  double momentum;
  double dampening;
  double weight_decay;
  bool nesterov;
  bool maximize;
} lm_sgd_options;

/* torch.optim.Adam / AdamW. Start from LM_ADAM_DEFAULTS or LM_ADAMW_DEFAULTS
 * (NULL means those): lr 1e-3, betas (0.9, 0.999), eps 1e-8, amsgrad and
 * maximize off;
 * weight_decay 0 for Adam (added to the gradient, L2) and 1e-2 for AdamW
 * (decoupled: p *= 1 - lr * weight_decay before the update). */
typedef struct {
  double lr;
  double beta1, beta2;
  double eps;
  double weight_decay;
  bool amsgrad;
  bool maximize;
} lm_adam_options;
#define LM_ADAM_DEFAULTS \
  ((lm_adam_options){.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.0, \
                     .amsgrad = false, .maximize = false})
#define LM_ADAMW_DEFAULTS \
  ((lm_adam_options){.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 1e-2, \
                     .amsgrad = false, .maximize = false})

/* torch.optim.Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0),
 * the optimizer of PyTorch's MNIST example (with StepLR(step_size=1,
 * gamma=0.7)). Start from LM_ADADELTA_DEFAULTS (NULL means those). */
typedef struct {
  double lr;
  double rho;
  double eps;
  double weight_decay;
  bool maximize;
} lm_adadelta_options;
#define LM_ADADELTA_DEFAULTS \
  ((lm_adadelta_options){.lr = 1.0, .rho = 0.9, .eps = 1e-6, .weight_decay = 0.0, .maximize = false})

/* Over all of a module's parameters (model.parameters()). */
lm_optimizer *lm_optim_sgd(lm_module *model, double lr, const lm_sgd_options *options);
lm_optimizer *lm_optim_adam(lm_module *model, const lm_adam_options *options);
lm_optimizer *lm_optim_adamw(lm_module *model, const lm_adam_options *options);
lm_optimizer *lm_optim_adadelta(lm_module *model, const lm_adadelta_options *options);
/* Over an explicit list of leaf tensors that require grad. */
lm_optimizer *lm_optim_sgd_tensors(lm_tensor *const *params, size_t n, double lr,
                                   const lm_sgd_options *options);
lm_optimizer *lm_optim_adam_tensors(lm_tensor *const *params, size_t n,
                                    const lm_adam_options *options);
lm_optimizer *lm_optim_adamw_tensors(lm_tensor *const *params, size_t n,
                                     const lm_adam_options *options);
lm_optimizer *lm_optim_adadelta_tensors(lm_tensor *const *params, size_t n,
                                        const lm_adadelta_options *options);

/* optimizer.step(): updates every parameter that has a .grad (others are
 * skipped, as in PyTorch), one fused kernel per parameter. */
void lm_optimizer_step(lm_optimizer *opt);
/* optimizer.zero_grad(): .grad set to NULL (set_to_none=True). */
void lm_optimizer_zero_grad(lm_optimizer *opt);
double lm_optimizer_get_lr(const lm_optimizer *opt);
void lm_optimizer_set_lr(lm_optimizer *opt, double lr);
/* "SGD", "Adam", "AdamW", "Adadelta" */
const char *lm_optimizer_name(const lm_optimizer *opt);
void lm_optimizer_free(lm_optimizer *opt);

/* ---- optimizer state, for checkpoints (optimizer.state_dict()) ----
 * Parameter i is the i-th tensor the optimizer was built with (for a module:
 * named_parameters() order). Each has a step count and up to three state
 * buffers, named as in PyTorch's state_dict: SGD {"momentum_buffer"},
 * Adam/AdamW {"exp_avg", "exp_avg_sq", "max_exp_avg_sq" (amsgrad)},
 * Adadelta {"square_avg", "acc_delta"}. A buffer
 * is NULL until the first step that needs it, as in PyTorch. */
size_t lm_optimizer_num_params(const lm_optimizer *opt);
lm_tensor *lm_optimizer_param(const lm_optimizer *opt, size_t i);
/* Fills *names with the buffer names (static strings); returns how many. */
int lm_optimizer_state_names(const lm_optimizer *opt, const char *const **names);
lm_tensor *lm_optimizer_state(const lm_optimizer *opt, size_t i, int slot);
int64_t lm_optimizer_state_step(const lm_optimizer *opt, size_t i);
/* optimizer.load_state_dict() for one parameter: sets its step count and
 * each buffer from host float32 data (numel of the parameter, logical order;
 * NULL removes the buffer). false (with an error) on a bad index. */
bool lm_optimizer_load_state(lm_optimizer *opt, size_t i, int64_t step,
                             const float *const *buffers);

/* ---- learning-rate schedules (torch.optim.lr_scheduler) ---- */
typedef struct lm_lr_scheduler lm_lr_scheduler;
/* StepLR(optimizer, step_size, gamma=0.1): lr *= gamma every step_size calls
 * of lm_lr_scheduler_step() (call it once per epoch, after the epoch's steps). */
lm_lr_scheduler *lm_step_lr(lm_optimizer *opt, int step_size, double gamma);
/* MultiStepLR(opt, milestones, gamma): lr *= gamma at each of the n
 * milestone epochs (a milestone listed twice multiplies by gamma twice). */
lm_lr_scheduler *lm_multistep_lr(lm_optimizer *opt, const int *milestones, size_t n,
                                 double gamma);
/* ExponentialLR(opt, gamma): lr *= gamma every epoch. */
lm_lr_scheduler *lm_exponential_lr(lm_optimizer *opt, double gamma);
/* CosineAnnealingLR(opt, T_max, eta_min=0): from the initial lr down to
 * eta_min along half a cosine over t_max epochs (then back up, as PyTorch's
 * does past T_max). */
lm_lr_scheduler *lm_cosine_annealing_lr(lm_optimizer *opt, int t_max, double eta_min);
/* ReduceLROnPlateau(opt, mode='min', factor=0.1, patience=10,
 * threshold=1e-4, threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-8):
 * LM_PLATEAU_DEFAULTS (or NULL) holds those defaults. It steps on a metric
 * with lm_lr_scheduler_step_metric (scheduler.step(val_loss)): once the
 * metric has not improved on its best by threshold (relative: best * (1 -
 * threshold) in 'min' mode; absolute: best - threshold) for more than
 * patience epochs, lr = max(lr * factor, min_lr) (unless that changes it by
 * eps or less), then cooldown epochs pass before bad epochs count again.
 *   lm_plateau_options po = LM_PLATEAU_DEFAULTS; po.patience = 2;
 *   lm_lr_scheduler *sched = lm_reduce_lr_on_plateau(opt, &po);
 *   ... each epoch: lm_lr_scheduler_step_metric(sched, val_loss); */
typedef enum { LM_PLATEAU_MIN = 0, LM_PLATEAU_MAX } lm_plateau_mode;
typedef enum { LM_THRESHOLD_REL = 0, LM_THRESHOLD_ABS } lm_threshold_mode;
typedef struct {
  lm_plateau_mode mode;
  double factor;
  int patience;
  double threshold;
  lm_threshold_mode threshold_mode;
  int cooldown;
  double min_lr;
  double eps;
} lm_plateau_options;
#define LM_PLATEAU_DEFAULTS                                                                 \
  ((lm_plateau_options){.mode = LM_PLATEAU_MIN, .factor = 0.1, .patience = 10,              \
                        .threshold = 1e-4, .threshold_mode = LM_THRESHOLD_REL, .cooldown = 0, \
                        .min_lr = 0.0, .eps = 1e-8})
lm_lr_scheduler *lm_reduce_lr_on_plateau(lm_optimizer *opt, const lm_plateau_options *options);
/* The other schedules step with lm_lr_scheduler_step (ReduceLROnPlateau
 * refuses it: it needs the metric); lm_lr_scheduler_step_metric steps any
 * schedule, the others ignoring the metric. */
void lm_lr_scheduler_step(lm_lr_scheduler *s);
void lm_lr_scheduler_step_metric(lm_lr_scheduler *s, double metric);
/* scheduler.get_last_lr()[0] */
double lm_lr_scheduler_get_last_lr(const lm_lr_scheduler *s);
/* scheduler.state_dict() / load_state_dict(): what changes as a schedule
 * steps, so a checkpoint continues it exactly (ReduceLROnPlateau cannot be
 * replayed from the epoch count: it needs its best metric and its bad and
 * cooldown epochs). The settings (step size, gamma, patience...) come from
 * the scheduler's construction, and the optimizer's lr from its own state,
 * as in PyTorch. */
typedef struct {
  int64_t last_epoch;
  double last_lr;
  double best;          /* ReduceLROnPlateau; +-inf before the first metric */
  int num_bad_epochs;   /* ReduceLROnPlateau */
  int cooldown_counter; /* ReduceLROnPlateau */
} lm_lr_scheduler_state;
void lm_lr_scheduler_state_dict(const lm_lr_scheduler *s, lm_lr_scheduler_state *out);
/* false (lm_last_error says why) for a negative epoch or counter */
bool lm_lr_scheduler_load_state_dict(lm_lr_scheduler *s, const lm_lr_scheduler_state *state);
void lm_lr_scheduler_free(lm_lr_scheduler *s);

#ifdef __cplusplus
}
#endif
