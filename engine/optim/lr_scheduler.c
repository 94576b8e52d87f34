/* lr_scheduler.c: learning-rate schedules, torch.optim.lr_scheduler's StepLR,
 * MultiStepLR, ExponentialLR, CosineAnnealingLR and ReduceLROnPlateau (which
 * steps on a metric, e.g. the validation loss, and keeps its best value,
 * bad-epoch count and cooldown as state).
 *
 * Like PyTorch's chainable forms, each lm_lr_scheduler_step() derives the
 * new learning rate from the optimizer's current one (StepLR multiplies it by
 * gamma when the epoch count reaches a multiple of step_size, MultiStepLR at
 * each milestone, ExponentialLR every epoch, CosineAnnealingLR by the ratio
 * of consecutive points of the cosine), so a learning rate set by hand in
 * between is respected the way PyTorch respects it, and the doubles follow
 * the same arithmetic as PyTorch's (equal to the last bit for the products).
 * The others hold no state beyond their epoch count: resuming replays them.
 *
 * Not here: the optimizers (optimizer.c).
 */
#include "lumen-nn.h"
#include "lm-engine-private.h"

#include <math.h>
#include <stdlib.h>

typedef enum { SCHED_STEP, SCHED_MULTISTEP, SCHED_EXPONENTIAL, SCHED_COSINE, SCHED_PLATEAU } sched_kind;

struct lm_lr_scheduler {
  lm_optimizer *opt;  /* not owned */
  sched_kind kind;
  int step_size;      /* StepLR; CosineAnnealingLR's T_max */
  double gamma;
  double eta_min;     /* CosineAnnealingLR */
  double base_lr;     /* the optimizer's lr at construction (PyTorch's initial_lr) */
  int *milestones;    /* MultiStepLR, n_milestones of them (repeats count twice) */
  size_t n_milestones;
  int64_t last_epoch; /* 0 after construction, as PyTorch's initial step() leaves it */
  double last_lr;
  /* ReduceLROnPlateau */
  lm_plateau_options plateau;
  double best;        /* +inf (min) or -inf (max) until the first metric */
  int num_bad_epochs;
  int cooldown_counter;
};

static lm_lr_scheduler *sched_new(const char *name, lm_optimizer *opt, sched_kind kind)
{
  if (!opt) {
    lm_error("%s: optimizer is NULL", name);
    return NULL;
  }
  lm_lr_scheduler *s = calloc(1, sizeof *s);
  if (!s) {
    lm_error("%s: out of memory", name);
    return NULL;
  }
  s->opt = opt;
  s->kind = kind;
  s->base_lr = s->last_lr = lm_optimizer_get_lr(opt);
  return s;
}

static bool check_gamma(const char *name, double gamma)
{
  if (gamma >= 0.0)
    return true;
  lm_error("%s: gamma must be non-negative, got %g", name, gamma);
  return false;
}

lm_lr_scheduler *lm_step_lr(lm_optimizer *opt, int step_size, double gamma)
{
  if (opt && step_size <= 0) {
    lm_error("StepLR: step_size must be positive, got %d", step_size);
    return NULL;
  }
  if (opt && !check_gamma("StepLR", gamma))
    return NULL;
  lm_lr_scheduler *s = sched_new("StepLR", opt, SCHED_STEP);
  if (s) {
    s->step_size = step_size;
    s->gamma = gamma;
  }
  return s;
}

lm_lr_scheduler *lm_multistep_lr(lm_optimizer *opt, const int *milestones, size_t n,
                                 double gamma)
{
  if (opt && n > 0 && !milestones) {
    lm_error("MultiStepLR: milestones is NULL");
    return NULL;
  }
  for (size_t i = 0; opt && i < n; i++)
    if (milestones[i] < 0) {
      lm_error("MultiStepLR: milestones must be epochs >= 0, got %d", milestones[i]);
      return NULL;
    }
  if (opt && !check_gamma("MultiStepLR", gamma))
    return NULL;
  lm_lr_scheduler *s = sched_new("MultiStepLR", opt, SCHED_MULTISTEP);
  if (s && n > 0) {
    s->milestones = malloc(n * sizeof *s->milestones);
    if (!s->milestones) {
      lm_error("MultiStepLR: out of memory");
      free(s);
      return NULL;
    }
    for (size_t i = 0; i < n; i++)
      s->milestones[i] = milestones[i];
    s->n_milestones = n;
  }
  if (s)
    s->gamma = gamma;
  return s;
}

lm_lr_scheduler *lm_exponential_lr(lm_optimizer *opt, double gamma)
{
  if (opt && !check_gamma("ExponentialLR", gamma))
    return NULL;
  lm_lr_scheduler *s = sched_new("ExponentialLR", opt, SCHED_EXPONENTIAL);
  if (s)
    s->gamma = gamma;
  return s;
}

lm_lr_scheduler *lm_cosine_annealing_lr(lm_optimizer *opt, int t_max, double eta_min)
{
  if (opt && t_max <= 0) {
    lm_error("CosineAnnealingLR: T_max must be positive, got %d", t_max);
    return NULL;
  }
  if (opt && !(eta_min >= 0.0)) {
    lm_error("CosineAnnealingLR: eta_min must be non-negative, got %g", eta_min);
    return NULL;
  }
  lm_lr_scheduler *s = sched_new("CosineAnnealingLR", opt, SCHED_COSINE);
  if (s) {
    s->step_size = t_max;
    s->eta_min = eta_min;
  }
  return s;
}

lm_lr_scheduler *lm_reduce_lr_on_plateau(lm_optimizer *opt, const lm_plateau_options *options)
{
  static const char *name = "ReduceLROnPlateau";
  const lm_plateau_options o = options ? *options : LM_PLATEAU_DEFAULTS;
  if (opt && o.mode != LM_PLATEAU_MIN && o.mode != LM_PLATEAU_MAX) {
    lm_error("%s: mode %d is unknown! (LM_PLATEAU_MIN or LM_PLATEAU_MAX)", name, (int)o.mode);
    return NULL;
  }
  if (opt && o.threshold_mode != LM_THRESHOLD_REL && o.threshold_mode != LM_THRESHOLD_ABS) {
    lm_error("%s: threshold mode %d is unknown! (LM_THRESHOLD_REL or LM_THRESHOLD_ABS)", name,
             (int)o.threshold_mode);
    return NULL;
  }
  if (opt && !(o.factor < 1.0)) {
    lm_error("%s: Factor should be < 1.0, got %g", name, o.factor);
    return NULL;
  }
  if (opt && (o.patience < 0 || o.cooldown < 0 || !(o.min_lr >= 0.0))) {
    lm_error("%s: patience (%d), cooldown (%d) and min_lr (%g) must be non-negative", name,
             o.patience, o.cooldown, o.min_lr);
    return NULL;
  }
  lm_lr_scheduler *s = sched_new(name, opt, SCHED_PLATEAU);
  if (s) {
    s->plateau = o;
    s->best = o.mode == LM_PLATEAU_MIN ? INFINITY : -INFINITY;
  }
  return s;
}

/* PyTorch's is_better, with its arithmetic: rel compares against
 * best * (1 -/+ threshold), abs against best -/+ threshold. NaN is never
 * better. */
static bool plateau_better(const lm_plateau_options *o, double a, double best)
{
  if (o->mode == LM_PLATEAU_MIN)
    return o->threshold_mode == LM_THRESHOLD_REL ? a < best * (1.0 - o->threshold)
                                                 : a < best - o->threshold;
  return o->threshold_mode == LM_THRESHOLD_REL ? a > best * (o->threshold + 1.0)
                                               : a > best + o->threshold;
}

/* One ReduceLROnPlateau.step(metric): a bad epoch unless the metric beats
 * the best so far; more than patience of them in a row (not counting those
 * in cooldown) multiply the lr by factor, down to min_lr, skipping changes
 * smaller than eps. */
static void plateau_step(lm_lr_scheduler *s, double metric)
{
  const lm_plateau_options *o = &s->plateau;
  s->last_epoch++;
  if (plateau_better(o, metric, s->best)) {
    s->best = metric;
    s->num_bad_epochs = 0;
  } else {
    s->num_bad_epochs++;
  }
  if (s->cooldown_counter > 0) {
    s->cooldown_counter--;
    s->num_bad_epochs = 0;
  }
  if (s->num_bad_epochs > o->patience) {
    const double old_lr = lm_optimizer_get_lr(s->opt);
    const double new_lr = fmax(old_lr * o->factor, o->min_lr);
    if (old_lr - new_lr > o->eps)
      lm_optimizer_set_lr(s->opt, new_lr);
    s->cooldown_counter = o->cooldown;
    s->num_bad_epochs = 0;
  }
  s->last_lr = lm_optimizer_get_lr(s->opt);
}

bool lm_lr_scheduler_needs_metric(const lm_lr_scheduler *s)
{
  return s && s->kind == SCHED_PLATEAU;
}

void lm_lr_scheduler_step_metric(lm_lr_scheduler *s, double metric)
{
  if (s && s->kind == SCHED_PLATEAU)
    plateau_step(s, metric);
  else
    lm_lr_scheduler_step(s);
}

/* CosineAnnealingLR's chainable step (PyTorch's get_lr): from the current lr
 * at epoch e-1 to epoch e of eta_min + (base - eta_min)(1 + cos(pi e/T))/2,
 * restarting the climb at e = T + 1 (mod 2T) as PyTorch does. */
static double cosine_lr(const lm_lr_scheduler *s, double lr)
{
  const int64_t e = s->last_epoch, t = s->step_size;
  if ((e - 1 - t) % (2 * t) == 0)
    return lr + (s->base_lr - s->eta_min) * (1 - cos(M_PI / (double)t)) / 2;
  return (1 + cos(M_PI * (double)e / (double)t)) / (1 + cos(M_PI * (double)(e - 1) / (double)t)) *
           (lr - s->eta_min) +
         s->eta_min;
}

void lm_lr_scheduler_step(lm_lr_scheduler *s)
{
  if (!s)
    return;
  if (s->kind == SCHED_PLATEAU) {
    lm_error("ReduceLROnPlateau: step needs the metric it watches: call "
             "lm_lr_scheduler_step_metric(scheduler, val_loss)");
    return;
  }
  s->last_epoch++;
  double lr = lm_optimizer_get_lr(s->opt);
  switch (s->kind) {
  case SCHED_STEP:
    if (s->last_epoch % s->step_size == 0)
      lr *= s->gamma;
    break;
  case SCHED_MULTISTEP: {
    int hits = 0;
    for (size_t i = 0; i < s->n_milestones; i++)
      hits += s->milestones[i] == s->last_epoch;
    if (hits)
      lr *= pow(s->gamma, hits);
    break;
  }
  case SCHED_EXPONENTIAL:
    lr *= s->gamma;
    break;
  case SCHED_COSINE:
    lr = cosine_lr(s, lr);
    break;
  case SCHED_PLATEAU:
    break;
  }
  lm_optimizer_set_lr(s->opt, lr);
  s->last_lr = lr;
}

double lm_lr_scheduler_get_last_lr(const lm_lr_scheduler *s)
{
  return s ? s->last_lr : 0.0;
}

void lm_lr_scheduler_state_dict(const lm_lr_scheduler *s, lm_lr_scheduler_state *out)
{
  if (!s || !out)
    return;
  *out = (lm_lr_scheduler_state){ .last_epoch = s->last_epoch, .last_lr = s->last_lr, .best = s->best,
                                  .num_bad_epochs = s->num_bad_epochs,
                                  .cooldown_counter = s->cooldown_counter };
}

bool lm_lr_scheduler_load_state_dict(lm_lr_scheduler *s, const lm_lr_scheduler_state *state)
{
  if (!s || !state) {
    lm_error("lr_scheduler.load_state_dict: %s is NULL", !s ? "the scheduler" : "the state");
    return false;
  }
  if (state->last_epoch < 0 || state->num_bad_epochs < 0 || state->cooldown_counter < 0 ||
      !(state->last_lr >= 0) || isinf(state->last_lr) || isnan(state->best)) {
    lm_error("lr_scheduler.load_state_dict: invalid state (last_epoch %lld, last_lr %g, best %g, "
             "num_bad_epochs %d, cooldown_counter %d)",
             (long long)state->last_epoch, state->last_lr, state->best, state->num_bad_epochs,
             state->cooldown_counter);
    return false;
  }
  s->last_epoch = state->last_epoch;
  s->last_lr = state->last_lr;
  s->best = state->best;
  s->num_bad_epochs = state->num_bad_epochs;
  s->cooldown_counter = state->cooldown_counter;
  return true;
}

void lm_lr_scheduler_free(lm_lr_scheduler *s)
{
  if (s)
    free(s->milestones);
  free(s);
}
