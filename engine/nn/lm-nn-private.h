/* lm-nn-private.h: the module struct and what the files of engine/nn/ and
 * engine/optim/ share. Users see lm_module only as an opaque pointer
 * (lumen-nn.h).
 *
 * A module is one struct for every layer type: a class (type name, forward,
 * repr), up to LM_NN_MAX_PARAMS parameters with local names ("weight",
 * "bias"), children with names (containers), and a few integer/float
 * attributes whose meaning the class defines. Keeping one struct keeps the
 * tree walks (names, train/eval, to(device), free) in one place.
 *
 * Not for users: nothing here is installed.
 */
#pragma once

#include "lumen-nn.h"
#include "lm-engine-private.h"

#define LM_NN_MAX_PARAMS 2

typedef struct {
  const char *type;  /* PyTorch class name: "Linear" */
  /* y = f(x); x is never NULL here. */
  lm_tensor *(*forward)(lm_module *m, const lm_tensor *x);
  /* The text inside the parentheses of print(module), e.g.
   * "in_features=784, out_features=128, bias=True"; may be NULL (empty). */
  void (*extra_repr)(const lm_module *m, char *buf, size_t len);
  bool container;
} lm_module_class;

struct lm_module {
  const lm_module_class *klass;
  bool training;
  lm_module *parent;                       /* the container holding it, or NULL */

  int n_params;
  const char *param_names[LM_NN_MAX_PARAMS];  /* static strings: "weight", "bias" */
  lm_tensor *params[LM_NN_MAX_PARAMS];     /* owned, unscoped, requires_grad */

  int n_children, cap_children;
  lm_module **children;                    /* owned */
  char **child_names;                      /* malloc'd */

  int64_t iargs[8];                        /* layer attributes (sizes, stride, ...) */
  double fargs[2];                         /* (dropout p, ...) */
};

/* A module of class k with no parameters or children, in train mode. NULL
 * (after lm_error) when out of memory. */
lm_module *lm_nn_module_new(const lm_module_class *k);
/* Adds an unscoped parameter tensor of the given shape, initialised from
 * U(-bound, bound), requires_grad, named `name` (static string). */
lm_tensor *lm_nn_add_param(lm_module *m, const char *name, int ndim, const int64_t *shape,
                           float bound);

/* Moves t to `device` in place: t keeps its identity (pointer, name, .grad
 * link) and gets a copy of its data on the new device, as module.to() does to
 * parameters. The backend of `device` must exist. */
bool lm_nn_tensor_move(lm_tensor *t, lm_device device);

/* Summary recording (summary.c): while a summary runs, lm_module_forward calls
 * this after each leaf layer's forward. */
void lm_nn_summary_record(const lm_module *m, const lm_tensor *out);
bool lm_nn_summary_active(void);

/* The optimizer's hyperparameters besides lr, as checkpoint metadata
 * (torch.optim param_groups names: "momentum", "betas" as "[b1, b2]",
 * "eps", "weight_decay", "nesterov"/"amsgrad"): up to max entries; returns
 * how many (optim/optimizer.c). */
int lm_optimizer_hparams(const lm_optimizer *opt, char keys[][16], char values[][64], int max);
