/* optimizer.c: torch.optim.SGD, Adam, AdamW and Adadelta over a list of
 * parameters.
 *
 * The optimizer keeps a reference to each parameter and, per parameter, its
 * state (momentum buffer; Adam's exp_avg, exp_avg_sq and, with amsgrad,
 * max_exp_avg_sq; Adadelta's square_avg and acc_delta; the step count),
 * created lazily on the first step that sees
 * a gradient, on the parameter's device, as PyTorch does. Each step is one
 * fused backend kernel per parameter (engine/cpu/optim.c on the CPU).
 *
 * Not here: the update arithmetic (kernels), schedules (lr_scheduler.c).
 */
#include "lm-backend.h"
#include "nn/lm-nn-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { OPT_SGD, OPT_ADAM, OPT_ADAMW, OPT_ADADELTA } opt_kind;

typedef struct {
  lm_tensor *param;        /* retained */
  lm_tensor *state[3];     /* unscoped, NULL until first needed */
  int64_t step;
} param_state;

struct lm_optimizer {
  opt_kind kind;
  double lr;
  lm_sgd_options sgd;
  lm_adam_options adam;
  lm_adadelta_options adadelta;
  size_t n;
  param_state *ps;
};

static const char *kind_name(opt_kind k)
{
  static const char *const names[] = {"SGD", "Adam", "AdamW", "Adadelta"};
  return names[k];
}

static lm_optimizer *opt_new(opt_kind kind, lm_tensor *const *params, size_t n)
{
  const char *name = kind_name(kind);
  if (!params && n > 0) {
    lm_error("%s: params is NULL", name);
    return NULL;
  }
  if (n == 0) {
    lm_error("%s: optimizer got an empty parameter list", name);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    const lm_tensor *p = params[i];
    if (!p) {
      lm_error("%s: parameter %zu is NULL", name, i);
      return NULL;
    }
    if (p->grad_fn) {
      lm_error("%s: can't optimize a non-leaf tensor (parameter %zu%s%s)", name, i,
               p->name ? ", " : "", p->name ? p->name : "");
      return NULL;
    }
    if (!lm_check_float(name, p))
      return NULL;
    if (!lm_is_contiguous(p)) {
      lm_error("%s: parameter %zu%s%s is not contiguous", name, i, p->name ? ", " : "",
               p->name ? p->name : "");
      return NULL;
    }
  }
  lm_optimizer *opt = calloc(1, sizeof *opt);
  param_state *ps = calloc(n, sizeof *ps);
  if (!opt || !ps) {
    free(opt);
    free(ps);
    lm_error("%s: out of memory", name);
    return NULL;
  }
  opt->kind = kind;
  opt->n = n;
  opt->ps = ps;
  for (size_t i = 0; i < n; i++)
    ps[i].param = lm_tensor_retain(params[i]);
  return opt;
}

/* All of a module's parameters, in named_parameters() order. */
static lm_optimizer *opt_from_module(opt_kind kind, lm_module *model)
{
  if (!model) {
    lm_error("%s: model is NULL", kind_name(kind));
    return NULL;
  }
  lm_named_tensor *named = NULL;
  size_t n = lm_module_named_parameters(model, &named);
  lm_tensor **ts = malloc((n ? n : 1) * sizeof *ts);
  if (!ts) {
    free(named);
    lm_error("%s: out of memory", kind_name(kind));
    return NULL;
  }
  for (size_t i = 0; i < n; i++)
    ts[i] = named[i].tensor;
  lm_optimizer *opt = opt_new(kind, ts, n);
  free(ts);
  free(named);
  return opt;
}

static bool check_sgd(double lr, const lm_sgd_options *o)
{
  if (!(lr >= 0.0)) {
    lm_error("SGD: invalid learning rate: %g", lr);
    return false;
  }
  if (!(o->momentum >= 0.0) || !(o->weight_decay >= 0.0)) {
    lm_error("SGD: invalid momentum (%g) or weight_decay (%g): must be >= 0", o->momentum,
             o->weight_decay);
    return false;
  }
  if (o->nesterov && (o->momentum <= 0.0 || o->dampening != 0.0)) {
    lm_error("SGD: nesterov momentum requires a momentum and zero dampening");
    return false;
  }
  return true;
}

static bool check_adam(const char *name, const lm_adam_options *o)
{
  if (!(o->lr >= 0.0)) {
    lm_error("%s: invalid learning rate: %g", name, o->lr);
    return false;
  }
  if (!(o->eps >= 0.0)) {
    lm_error("%s: invalid epsilon value: %g", name, o->eps);
    return false;
  }
  if (!(o->beta1 >= 0.0 && o->beta1 < 1.0) || !(o->beta2 >= 0.0 && o->beta2 < 1.0)) {
    lm_error("%s: invalid betas (%g, %g): each must be in [0, 1)", name, o->beta1, o->beta2);
    return false;
  }
  if (!(o->weight_decay >= 0.0)) {
    lm_error("%s: invalid weight_decay value: %g", name, o->weight_decay);
    return false;
  }
  return true;
}

static bool check_adadelta(const lm_adadelta_options *o)
{
  if (!(o->lr >= 0.0)) {
    lm_error("Adadelta: invalid learning rate: %g", o->lr);
    return false;
  }
  if (!(o->rho >= 0.0 && o->rho <= 1.0)) {
    lm_error("Adadelta: invalid rho value: %g (must be in [0, 1])", o->rho);
    return false;
  }
  if (!(o->eps >= 0.0)) {
    lm_error("Adadelta: invalid epsilon value: %g", o->eps);
    return false;
  }
  if (!(o->weight_decay >= 0.0)) {
    lm_error("Adadelta: invalid weight_decay value: %g", o->weight_decay);
    return false;
  }
  return true;
}

static lm_optimizer *adadelta_common(lm_optimizer *opt, const lm_adadelta_options *o)
{
  if (opt) {
    opt->adadelta = *o;
    opt->lr = o->lr;
  }
  return opt;
}

lm_optimizer *lm_optim_adadelta_tensors(lm_tensor *const *params, size_t n,
                                        const lm_adadelta_options *options)
{
  lm_adadelta_options o = options ? *options : LM_ADADELTA_DEFAULTS;
  if (!check_adadelta(&o))
    return NULL;
  return adadelta_common(opt_new(OPT_ADADELTA, params, n), &o);
}

lm_optimizer *lm_optim_adadelta(lm_module *model, const lm_adadelta_options *options)
{
  lm_adadelta_options o = options ? *options : LM_ADADELTA_DEFAULTS;
  if (!check_adadelta(&o))
    return NULL;
  return adadelta_common(opt_from_module(OPT_ADADELTA, model), &o);
}

lm_optimizer *lm_optim_sgd_tensors(lm_tensor *const *params, size_t n, double lr,
                                   const lm_sgd_options *options)
{
  lm_sgd_options o = options ? *options : (lm_sgd_options){0};
  if (!check_sgd(lr, &o))
    return NULL;
  lm_optimizer *opt = opt_new(OPT_SGD, params, n);
  if (opt) {
    opt->lr = lr;
    opt->sgd = o;
  }
  return opt;
}

static lm_optimizer *adam_common(lm_optimizer *opt, const lm_adam_options *o)
{
  if (opt) {
    opt->adam = *o;
    opt->lr = o->lr;
  }
  return opt;
}

lm_optimizer *lm_optim_adam_tensors(lm_tensor *const *params, size_t n,
                                    const lm_adam_options *options)
{
  lm_adam_options o = options ? *options : LM_ADAM_DEFAULTS;
  if (!check_adam("Adam", &o))
    return NULL;
  return adam_common(opt_new(OPT_ADAM, params, n), &o);
}

lm_optimizer *lm_optim_adamw_tensors(lm_tensor *const *params, size_t n,
                                     const lm_adam_options *options)
{
  lm_adam_options o = options ? *options : LM_ADAMW_DEFAULTS;
  if (!check_adam("AdamW", &o))
    return NULL;
  return adam_common(opt_new(OPT_ADAMW, params, n), &o);
}

lm_optimizer *lm_optim_sgd(lm_module *model, double lr, const lm_sgd_options *options)
{
  lm_sgd_options o = options ? *options : (lm_sgd_options){0};
  if (!check_sgd(lr, &o))
    return NULL;
  lm_optimizer *opt = opt_from_module(OPT_SGD, model);
  if (opt) {
    opt->lr = lr;
    opt->sgd = o;
  }
  return opt;
}

lm_optimizer *lm_optim_adam(lm_module *model, const lm_adam_options *options)
{
  lm_adam_options o = options ? *options : LM_ADAM_DEFAULTS;
  if (!check_adam("Adam", &o))
    return NULL;
  return adam_common(opt_from_module(OPT_ADAM, model), &o);
}

lm_optimizer *lm_optim_adamw(lm_module *model, const lm_adam_options *options)
{
  lm_adam_options o = options ? *options : LM_ADAMW_DEFAULTS;
  if (!check_adam("AdamW", &o))
    return NULL;
  return adam_common(opt_from_module(OPT_ADAMW, model), &o);
}

/* A zero-filled state tensor like p (same shape and device), created on first
 * use; moved along if the parameter has moved to another device since. */
static lm_tensor *state_like(lm_tensor **slot, const lm_tensor *p, const lm_backend *be)
{
  if (*slot) {
    lm_tensor *s = *slot;
    if ((s->device.type != p->device.type || s->device.index != p->device.index) &&
        !lm_nn_tensor_move(s, p->device))
      return NULL;
    return s;
  }
  lm_tensor *s = lm_tensor_new_unscoped(p->ndim, p->shape, LM_FLOAT32, p->device);
  if (!s)
    return NULL;
  be->fill_f32(lm_numel(s), 0.0f, lm_data_ptr(s));
  *slot = s;
  return s;
}

static bool maximizes(const lm_optimizer *opt)
{
  return opt->kind == OPT_SGD ? opt->sgd.maximize
       : opt->kind == OPT_ADADELTA ? opt->adadelta.maximize : opt->adam.maximize;
}

/* -grad as an owned contiguous tensor (not recorded: the step is not part of
 * any graph). */
static lm_tensor *negated(const lm_tensor *grad)
{
  bool prev = lm_set_grad_enabled(false);
  lm_scope_begin();
  lm_tensor *n = lm_neg(grad);
  if (n)
    n = lm_scope_keep(n);
  lm_scope_end();
  lm_set_grad_enabled(prev);
  return n;
}

/* Adam steps gathered for one multi-tensor launch (adam_multi_step_f32):
 * the parameters of one device, with the gradients they read held until the
 * launch is queued. */
typedef struct {
  const lm_backend *be;
  int n;
  lm_adam_tensors t[LM_ADAM_MULTI_MAX];
  lm_adam_hparams h[LM_ADAM_MULTI_MAX];
  lm_tensor *g[LM_ADAM_MULTI_MAX];
} adam_batch;

static void adam_flush(adam_batch *b)
{
  if (b->n > 0)
    b->be->adam_multi_step_f32(b->n, b->t, b->h);
  for (int i = 0; i < b->n; i++)
    lm_tensor_release(b->g[i]);
  b->n = 0;
}

void lm_optimizer_step(lm_optimizer *opt)
{
  if (!opt) {
    lm_error("optimizer.step: optimizer is NULL");
    return;
  }
  const char *name = kind_name(opt->kind);
  adam_batch batch = { 0 };
  for (size_t i = 0; i < opt->n; i++) {
    param_state *ps = &opt->ps[i];
    lm_tensor *p = ps->param;
    if (!p->grad)
      continue; /* no gradient this step: skipped, as in PyTorch */
    if (!lm_same_shape(p, p->grad) || !lm_check_same_device(name, p, p->grad)) {
      char a[LM_SHAPE_STR_LEN], b[LM_SHAPE_STR_LEN];
      lm_error("%s: gradient %s does not match parameter %s%s%s", name,
               lm_shape_str(p->grad, b, sizeof b), lm_shape_str(p, a, sizeof a),
               p->name ? " " : "", p->name ? p->name : "");
      break;
    }
    const lm_backend *be = lm_backend_of(p->device);
    if (!be)
      break;
    /* maximize: the kernels descend along -grad, as torch.optim does */
    lm_tensor *g = maximizes(opt) ? negated(p->grad) : lm_contiguous_owned(p->grad);
    if (!g)
      break;
    int64_t n = lm_numel(p);
    ps->step++;
    if (opt->kind == OPT_SGD) {
      lm_tensor *buf = NULL;
      bool first = ps->state[0] == NULL;
      if (opt->sgd.momentum != 0.0 && !(buf = state_like(&ps->state[0], p, be))) {
        lm_tensor_release(g);
        return;
      }
      be->sgd_step_f32(n, lm_data_ptr(p), lm_data_ptr(g), buf ? lm_data_ptr(buf) : NULL,
                       opt->lr, opt->sgd.momentum, opt->sgd.dampening, opt->sgd.weight_decay,
                       opt->sgd.nesterov, first);
    } else if (opt->kind == OPT_ADADELTA) {
      lm_tensor *sq = state_like(&ps->state[0], p, be);
      lm_tensor *acc = sq ? state_like(&ps->state[1], p, be) : NULL;
      if (!acc) {
        lm_tensor_release(g);
        return;
      }
      be->adadelta_step_f32(n, lm_data_ptr(p), lm_data_ptr(g), lm_data_ptr(sq), lm_data_ptr(acc),
                            opt->lr, opt->adadelta.rho, opt->adadelta.eps,
                            opt->adadelta.weight_decay);
    } else {
      lm_tensor *m = state_like(&ps->state[0], p, be);
      lm_tensor *v = m ? state_like(&ps->state[1], p, be) : NULL;
      lm_tensor *vmax = v && opt->adam.amsgrad ? state_like(&ps->state[2], p, be) : NULL;
      if (!m || !v || (opt->adam.amsgrad && !vmax)) {
        lm_tensor_release(g);
        break;
      }
      lm_adam_hparams h = {
        .lr = opt->lr, .beta1 = opt->adam.beta1, .beta2 = opt->adam.beta2,
        .eps = opt->adam.eps, .weight_decay = opt->adam.weight_decay,
        .decoupled = opt->kind == OPT_ADAMW, .amsgrad = opt->adam.amsgrad, .step = ps->step,
      };
      if (be->adam_multi_step_f32) { /* one launch for many parameters */
        if (batch.n == LM_ADAM_MULTI_MAX || (batch.n > 0 && batch.be != be))
          adam_flush(&batch);
        batch.be = be;
        batch.t[batch.n] = (lm_adam_tensors){ n, lm_data_ptr(p), lm_data_ptr(g), lm_data_ptr(m),
                                              lm_data_ptr(v), vmax ? lm_data_ptr(vmax) : NULL };
        batch.h[batch.n] = h;
        batch.g[batch.n++] = g;
        continue;
      }
      be->adam_step_f32(n, lm_data_ptr(p), lm_data_ptr(g), lm_data_ptr(m), lm_data_ptr(v),
                        vmax ? lm_data_ptr(vmax) : NULL, &h);
    }
    lm_tensor_release(g);
  }
  adam_flush(&batch); /* also the parameters before an error */
}

void lm_optimizer_zero_grad(lm_optimizer *opt)
{
  if (!opt)
    return;
  for (size_t i = 0; i < opt->n; i++)
    lm_tensor_zero_grad(opt->ps[i].param);
}

double lm_optimizer_get_lr(const lm_optimizer *opt)
{
  return opt ? opt->lr : 0.0;
}

void lm_optimizer_set_lr(lm_optimizer *opt, double lr)
{
  if (!opt)
    return;
  if (!(lr >= 0.0)) {
    lm_error("%s: invalid learning rate: %g", kind_name(opt->kind), lr);
    return;
  }
  opt->lr = lr;
}

const char *lm_optimizer_name(const lm_optimizer *opt)
{
  return opt ? kind_name(opt->kind) : "";
}

void lm_optimizer_free(lm_optimizer *opt)
{
  if (!opt)
    return;
  for (size_t i = 0; i < opt->n; i++) {
    lm_tensor_release(opt->ps[i].param);
    for (int s = 0; s < 3; s++)
      lm_tensor_release(opt->ps[i].state[s]);
  }
  free(opt->ps);
  free(opt);
}

/* ---- state access for checkpoints (engine/train/checkpoint.c) ----
 * Slots: SGD uses state[0] as its momentum buffer; Adam/AdamW use state[0..2]
 * for exp_avg, exp_avg_sq and max_exp_avg_sq; Adadelta state[0..1] for
 * square_avg and acc_delta. */
static const char *const sgd_state_names[] = { "momentum_buffer" };
static const char *const adam_state_names[] = { "exp_avg", "exp_avg_sq", "max_exp_avg_sq" };
static const char *const adadelta_state_names[] = { "square_avg", "acc_delta" };

size_t lm_optimizer_num_params(const lm_optimizer *opt)
{
  return opt ? opt->n : 0;
}

lm_tensor *lm_optimizer_param(const lm_optimizer *opt, size_t i)
{
  return opt && i < opt->n ? opt->ps[i].param : NULL;
}

int lm_optimizer_state_names(const lm_optimizer *opt, const char *const **names)
{
  if (!opt) {
    *names = NULL;
    return 0;
  }
  if (opt->kind == OPT_SGD) {
    *names = sgd_state_names;
    return 1;
  }
  if (opt->kind == OPT_ADADELTA) {
    *names = adadelta_state_names;
    return 2;
  }
  *names = adam_state_names;
  return 3;
}

lm_tensor *lm_optimizer_state(const lm_optimizer *opt, size_t i, int slot)
{
  const char *const *names;
  int n = lm_optimizer_state_names(opt, &names);
  return opt && i < opt->n && slot >= 0 && slot < n ? opt->ps[i].state[slot] : NULL;
}

int64_t lm_optimizer_state_step(const lm_optimizer *opt, size_t i)
{
  return opt && i < opt->n ? opt->ps[i].step : 0;
}

bool lm_optimizer_load_state(lm_optimizer *opt, size_t i, int64_t step,
                             const float *const *buffers)
{
  if (!opt || i >= opt->n || step < 0) {
    lm_error("optimizer.load_state_dict: invalid parameter index %zu or step %lld", i,
             (long long)step);
    return false;
  }
  param_state *ps = &opt->ps[i];
  const lm_backend *be = lm_backend_of(ps->param->device);
  if (!be)
    return false;
  const char *const *names;
  int n = lm_optimizer_state_names(opt, &names);
  for (int s = 0; s < n; s++) {
    if (!buffers || !buffers[s]) {
      lm_tensor_release(ps->state[s]);
      ps->state[s] = NULL;
      continue;
    }
    lm_tensor *cpu = lm_tensor_new_unscoped(ps->param->ndim, ps->param->shape, LM_FLOAT32, LM_CPU);
    if (!cpu)
      return false;
    memcpy(lm_data_ptr(cpu), buffers[s], (size_t)lm_numel(cpu) * sizeof(float));
    if (ps->param->device.type != LM_DEVICE_CPU && !lm_nn_tensor_move(cpu, ps->param->device)) {
      lm_tensor_release(cpu);
      return false;
    }
    lm_tensor_release(ps->state[s]);
    ps->state[s] = cpu;
  }
  ps->step = step;
  return true;
}

/* The shortest %g form that reads back as v ("0.9", not "0.90000000000000002"). */
static const char *shortest(double v, char *buf, size_t len)
{
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, len, "%.*g", prec, v);
    if (strtod(buf, NULL) == v)
      break;
  }
  return buf;
}

int lm_optimizer_hparams(const lm_optimizer *opt, char keys[][16], char values[][64], int max)
{
  char a[26], b[26]; /* the longest %.17g: -1.2345678901234567e-308 */
  int n = 0;
#define HP(k, ...)                                                  \
  do {                                                              \
    if (n < max) {                                                  \
      snprintf(keys[n], sizeof keys[n], "%s", k);                   \
      snprintf(values[n], sizeof values[n], __VA_ARGS__);           \
      n++;                                                          \
    }                                                               \
  } while (0)
  if (!opt)
    return 0;
  if (opt->kind == OPT_SGD) {
    HP("momentum", "%s", shortest(opt->sgd.momentum, a, sizeof a));
    HP("dampening", "%s", shortest(opt->sgd.dampening, a, sizeof a));
    HP("weight_decay", "%s", shortest(opt->sgd.weight_decay, a, sizeof a));
    HP("nesterov", "%s", opt->sgd.nesterov ? "true" : "false");
    HP("maximize", "%s", opt->sgd.maximize ? "true" : "false");
  } else if (opt->kind == OPT_ADADELTA) {
    HP("rho", "%s", shortest(opt->adadelta.rho, a, sizeof a));
    HP("eps", "%s", shortest(opt->adadelta.eps, a, sizeof a));
    HP("weight_decay", "%s", shortest(opt->adadelta.weight_decay, a, sizeof a));
    HP("maximize", "%s", opt->adadelta.maximize ? "true" : "false");
  } else {
    HP("betas", "[%s, %s]", shortest(opt->adam.beta1, a, sizeof a), shortest(opt->adam.beta2, b, sizeof b));
    HP("eps", "%s", shortest(opt->adam.eps, a, sizeof a));
    HP("weight_decay", "%s", shortest(opt->adam.weight_decay, a, sizeof a));
    HP("amsgrad", "%s", opt->adam.amsgrad ? "true" : "false");
    HP("maximize", "%s", opt->adam.maximize ? "true" : "false");
  }
#undef HP
  return n;
}
