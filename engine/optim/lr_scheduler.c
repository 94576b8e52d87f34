/* lr_scheduler.c: learning-rate schedules, torch.optim.lr_scheduler.StepLR.
 *
 * Like PyTorch's chainable form, each lm_lr_scheduler_step() multiplies the
 * optimizer's current learning rate by gamma when the epoch count reaches a
 * multiple of step_size, so a learning rate set by hand in between is
 * respected the way PyTorch respects it.
 *
 * Not here: the optimizers (optimizer.c).
 */
#include "lumen-nn.h"
#include "lm-engine-private.h"

#include <stdlib.h>

struct lm_lr_scheduler {
  lm_optimizer *opt;  /* not owned */
  int step_size;
  double gamma;
  int64_t last_epoch; /* 0 after construction, as PyTorch's initial step() leaves it */
  double last_lr;
};

lm_lr_scheduler *lm_step_lr(lm_optimizer *opt, int step_size, double gamma)
{
  if (!opt) {
    lm_error("StepLR: optimizer is NULL");
    return NULL;
  }
  if (step_size <= 0) {
    lm_error("StepLR: step_size must be positive, got %d", step_size);
    return NULL;
  }
  if (!(gamma >= 0.0)) {
    lm_error("StepLR: gamma must be non-negative, got %g", gamma);
    return NULL;
  }
  lm_lr_scheduler *s = calloc(1, sizeof *s);
  if (!s) {
    lm_error("StepLR: out of memory");
    return NULL;
  }
  s->opt = opt;
  s->step_size = step_size;
  s->gamma = gamma;
  s->last_lr = lm_optimizer_get_lr(opt);
  return s;
}

void lm_lr_scheduler_step(lm_lr_scheduler *s)
{
  if (!s)
    return;
  s->last_epoch++;
  double lr = lm_optimizer_get_lr(s->opt);
  if (s->last_epoch % s->step_size == 0) {
    lr *= s->gamma;
    lm_optimizer_set_lr(s->opt, lr);
  }
  s->last_lr = lr;
}

double lm_lr_scheduler_get_last_lr(const lm_lr_scheduler *s)
{
  return s ? s->last_lr : 0.0;
}

void lm_lr_scheduler_free(lm_lr_scheduler *s)
{
  free(s);
}
