/* dropout.c: the dropout op, F.dropout(x, p, training).
 *
 * In training, each element is zeroed with probability p and the survivors are
 * scaled by 1/(1-p), so evaluation needs no rescaling (inverted dropout, as
 * PyTorch). The draws come from the engine's seeded Philox generator through
 * the backend (same seed, same mask, on the CPU and on a GPU); the mask keeps
 * the scale, so backward is dy * mask. Outside training, or with p == 0, the
 * input itself is returned (a new reference, as PyTorch returns the input).
 *
 * Not here: the Dropout module and its train/eval flag (engine/nn/layers.c).
 */
#include "lm-backend.h"
#include "lm-engine-private.h"

static void dropout_backward(lm_node *node, const lm_tensor *grad_out, lm_tensor **grad_in)
{
  const lm_backend *be = lm_backend_of(grad_out->device);
  lm_tensor *dx = be ? lm_tensor_new_out(grad_out->ndim, grad_out->shape, LM_FLOAT32,
                                         grad_out->device) : NULL;
  if (!dx)
    return;
  be->dropout_backward_f32(lm_numel(grad_out), lm_data_ptr(grad_out),
                           lm_data_ptr(node->saved[0]), lm_data_ptr(dx));
  grad_in[0] = dx;
}

lm_tensor *lm_dropout(const lm_tensor *x, float p, bool training)
{
  int64_t t0 = lm_op_start(x);
  if (!x || !lm_check_float("dropout", x))
    return NULL;
  if (!(p >= 0.0f && p <= 1.0f)) {
    lm_error("dropout: probability has to be between 0 and 1, but got %g", (double)p);
    return NULL;
  }
  if (!training || p == 0.0f)
    return lm_scope_adopt(lm_tensor_retain((lm_tensor *)x));

  const lm_backend *be = lm_backend_of(x->device);
  if (!be)
    return NULL;
  const int64_t n = lm_numel(x);
  lm_tensor *xc = lm_contiguous_owned(x);
  lm_tensor *out = lm_tensor_new_out(x->ndim, x->shape, LM_FLOAT32, x->device);
  lm_tensor *mask = lm_tensor_new_unscoped(x->ndim, x->shape, LM_FLOAT32, x->device);
  if (!xc || !out || !mask) {
    lm_tensor_release(xc);
    lm_tensor_release(mask);
    return NULL;
  }
  /* Draw straight into the mask; the kernel turns each draw into 0 or 1/(1-p). */
  lm_rng_state rng = lm_rng_reserve(n);
  be->rand_uniform_f32(n, rng.key, rng.counter, 0.0f, 1.0f, lm_data_ptr(mask));
  be->dropout_forward_f32(n, lm_data_ptr(xc), lm_data_ptr(mask), p, lm_data_ptr(out),
                          lm_data_ptr(mask));
  lm_node *node = NULL;
  if (lm_needs_grad(x, NULL)) {
    node = lm_node_record(out, "dropout", dropout_backward, 1, (const lm_tensor *[]){x});
    if (node) {
      node->fargs[0] = p;
      lm_node_save(node, mask);
    }
  }
  lm_tensor_release(mask);
  lm_tensor_release(xc);
  lm_hook_forward("dropout", node, out, t0);
  return out;
}
