/* lm-engine-private.h: the op kit shared by the engine's own source files.
 *
 * How an op is written (engine/ops/*.c):
 *   1. check inputs (lm_check_* helpers call the error handler with op name and shapes),
 *   2. allocate the output with lm_tensor_new_out() (owned by the current scope),
 *   3. run the kernel through the backend of the inputs' device (lm_backend_of()),
 *      the ONE dispatch point between CPU and CUDA: op code never #ifdefs CUDA,
 *   4. if lm_needs_grad(inputs...), record a node with lm_node_record(), saving what
 *      backward needs (a saved output must be lm_detach'ed first to avoid a cycle),
 *   5. call lm_hook_forward(node, out).
 * A backward function receives the gradient of the node's output and fills
 * grad_in[i] (new references, or NULL when input i needs no gradient); the autograd
 * engine reduces broadcast gradients, accumulates and releases them.
 *
 * Not for users: nothing here is installed.
 */
#pragma once

#include "lumen-engine.h"

#define LM_MAX_INPUTS 4
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
  char *module;                      /* module path at creation, malloc'd */
  int n_inputs;
  lm_tensor *inputs[LM_MAX_INPUTS];  /* retained */
  int n_saved;
  lm_tensor *saved[LM_MAX_SAVED];    /* retained; released after backward unless retained */
  double fargs[8];                   /* op attributes (p, eps, scalar operand, ...) */
  int64_t iargs[16];                 /* op attributes (dims, stride, padding, ...) */
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
/* "(64x784)" style shape text into buf; returns buf. */
char *lm_shape_str(const lm_tensor *t, char *buf, size_t len);

/* ---- allocation ---- */
lm_tensor *lm_tensor_new_out(int ndim, const int64_t *shape, lm_dtype dtype, lm_device device);
/* Same, but not owned by any scope (for .grad, optimizer state, parameters). */
lm_tensor *lm_tensor_new_unscoped(int ndim, const int64_t *shape, lm_dtype dtype, lm_device device);

/* ---- autograd plumbing ---- */
bool lm_needs_grad(const lm_tensor *a, const lm_tensor *b);  /* grad mode on and any requires_grad; b may be NULL */
lm_node *lm_node_record(lm_tensor *out, const char *op, lm_backward_fn backward,
                        int n_inputs, const lm_tensor *const *inputs);
void lm_node_save(lm_node *node, const lm_tensor *t);
void lm_hook_forward(const char *op, const lm_node *node, const lm_tensor *out);
/* Sum a broadcast gradient back to `shape` (used by backward of broadcasting ops). */
lm_tensor *lm_sum_to_shape(const lm_tensor *grad, int ndim, const int64_t *shape);
