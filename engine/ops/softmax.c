/* softmax.c: softmax and log_softmax over one dim, numerically stable (the
 * kernel subtracts the max), with backward from the saved (detached) output.
 * Not for: cross_entropy, which fuses log_softmax with the loss (loss.c).
 */
#include "lm-backend.h"
#include "lm-engine-private.h"

static void split(const lm_tensor *t, int dim, int64_t *outer, int64_t *n, int64_t *inner)
{
  *outer = 1;
  *inner = 1;
  for (int i = 0; i < dim; i++)
    *outer *= t->shape[i];
  *n = t->ndim ? t->shape[dim] : 1;
  for (int i = dim + 1; i < t->ndim; i++)
    *inner *= t->shape[i];
}

static void softmax_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  if (!lm_node_input_needs_grad(node, 0))
    return;
  const lm_tensor *y = node->saved[0];
  int64_t outer, n, inner;
  split(y, (int)node->iargs[0], &outer, &n, &inner);
  lm_tensor *out = lm_tensor_new_out(y->ndim, y->shape, LM_FLOAT32, y->device);
  if (out)
    lm_backend_of(y->device)->softmax_backward_f32(outer, n, inner, node->iargs[1] != 0,
                                                   lm_data_ptr(g), lm_data_ptr(y), lm_data_ptr(out));
  gin[0] = out;
}

static lm_tensor *softmax_op(const char *op, const lm_tensor *a, int dim, bool log)
{
  int64_t t0 = lm_op_start(a);
  if (!a || !lm_check_float(op, a) || !lm_check_dim(op, &dim, a->ndim))
    return NULL;
  int64_t outer, n, inner;
  split(a, dim, &outer, &n, &inner);
  lm_tensor *ac = lm_contiguous_owned(a);
  lm_tensor *out = ac ? lm_tensor_new_out(a->ndim, a->shape, LM_FLOAT32, a->device) : NULL;
  if (out)
    lm_backend_of(a->device)->softmax_f32(outer, n, inner, log, lm_data_ptr(ac), lm_data_ptr(out));
  lm_tensor_release(ac);
  if (!out)
    return NULL;
  lm_node *node = NULL;
  if (lm_needs_grad(a, NULL)) {
    const lm_tensor *in[1] = {a};
    node = lm_node_record(out, op, softmax_backward, 1, in);
    if (node) {
      node->iargs[0] = dim;
      node->iargs[1] = log;
      lm_node_save_detached(node, out);
    }
  }
  lm_hook_forward(op, node, out, t0);
  return out;
}

lm_tensor *lm_softmax(const lm_tensor *a, int dim)
{
  return softmax_op("softmax", a, dim, false);
}

lm_tensor *lm_log_softmax(const lm_tensor *a, int dim)
{
  return softmax_op("log_softmax", a, dim, true);
}
