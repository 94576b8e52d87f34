/* loss.c: cross_entropy (fused log_softmax + nll, int64 class labels) and
 * nll_loss, each with reduction 'mean' (default), 'sum' or 'none', and
 * mse_loss (mean, broadcasting like PyTorch).
 *
 * cross_entropy keeps the softmax probabilities for backward, which is then a
 * single pass: (softmax - onehot) * g / N ('mean'; g or g_i otherwise). Labels out of range are reported by
 * the kernel and become an error naming the label and its position (on the
 * CUDA backend at the next synchronisation, as PyTorch's device-side assert).
 * Not for: softmax itself (softmax.c).
 */
#include "lm-backend.h"
#include "lm-engine-private.h"

/* Checks (N,C) scores against (N) int64 targets; (C) with a 0-d target is one sample. */
static bool check_class_inputs(const char *op, const lm_tensor *x, const lm_tensor *target,
                               int64_t *n, int64_t *c)
{
  char b1[LM_SHAPE_STR_LEN], b2[LM_SHAPE_STR_LEN];
  if (!lm_check_float(op, x) || !lm_check_same_device(op, x, target))
    return false;
  if (target->dtype != LM_INT64) {
    lm_error("%s: expected target to hold int64 class indices, got dtype %s", op,
             lm_dtype_name(target->dtype));
    return false;
  }
  if (x->ndim == 2 && target->ndim == 1 && target->shape[0] == x->shape[0]) {
    *n = x->shape[0];
    *c = x->shape[1];
    return true;
  }
  if (x->ndim == 1 && target->ndim == 0) {
    *n = 1;
    *c = x->shape[0];
    return true;
  }
  if (x->ndim != 2 && x->ndim != 1)
    lm_error("%s: expected input of shape (N, C), got %s", op, lm_shape_str(x, b1, sizeof b1));
  else
    lm_error("%s: expected target of shape (%lld) for input %s, got %s", op,
             (long long)(x->ndim == 2 ? x->shape[0] : 1), lm_shape_str(x, b1, sizeof b1),
             lm_shape_str(target, b2, sizeof b2));
  return false;
}

static bool check_reduction(const char *op, lm_reduction reduction)
{
  if (reduction == LM_REDUCTION_MEAN || reduction == LM_REDUCTION_SUM ||
      reduction == LM_REDUCTION_NONE)
    return true;
  lm_error("%s: %d is not a valid value for reduction (LM_REDUCTION_MEAN, _SUM or _NONE)", op,
           (int)reduction);
  return false;
}

/* The loss tensor: () when reduced, the target's shape ((N), or () for one
 * sample) with reduction 'none'. */
static lm_tensor *loss_out(const lm_tensor *x, const lm_tensor *target, lm_reduction reduction)
{
  if (reduction == LM_REDUCTION_NONE)
    return lm_tensor_new_unscoped(target->ndim, target->shape, LM_FLOAT32, x->device);
  return lm_tensor_new_unscoped(0, NULL, LM_FLOAT32, x->device);
}

static void bad_label(const char *op, const lm_tensor *target, int64_t pos, int64_t c)
{
  int64_t idx[1] = {pos};
  float v = target->ndim ? lm_get(target, idx) : lm_item(target);
  lm_error("%s: target %lld is out of bounds for %lld classes (at position %lld)", op,
           (long long)v, (long long)c, (long long)pos);
}

static void cross_entropy_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  if (!lm_node_input_needs_grad(node, 0))
    return;
  const lm_tensor *probs = node->saved[0], *target = node->saved[1];
  const lm_tensor *x = node->inputs[0];
  lm_tensor *out = lm_tensor_new_out(x->ndim, x->shape, LM_FLOAT32, x->device);
  if (out)
    lm_backend_of(x->device)->cross_entropy_backward_f32(node->iargs[0], node->iargs[1],
                                                         (int)node->iargs[2], lm_data_ptr(g),
                                                         lm_data_ptr(probs), lm_data_ptr(target),
                                                         lm_data_ptr(out));
  gin[0] = out;
}

lm_tensor *lm_cross_entropy_ex(const lm_tensor *logits, const lm_tensor *target,
                               lm_reduction reduction)
{
  static const char *op = "cross_entropy";
  if (!logits || !target)
    return NULL;
  int64_t n, c;
  if (!check_reduction(op, reduction) || !check_class_inputs(op, logits, target, &n, &c))
    return NULL;
  lm_tensor *xc = lm_contiguous_owned(logits);
  lm_tensor *tc = lm_contiguous_owned(target);
  lm_tensor *probs = (xc && tc) ? lm_tensor_new_unscoped(logits->ndim, logits->shape, LM_FLOAT32,
                                                         logits->device)
                                : NULL;
  lm_tensor *out = probs ? loss_out(logits, target, reduction) : NULL;
  if (out) {
    int64_t bad = lm_backend_of(logits->device)->cross_entropy_f32(
      n, c, lm_data_ptr(xc), lm_data_ptr(tc), (int)reduction, lm_data_ptr(out),
      lm_data_ptr(probs));
    if (bad >= 0) {
      bad_label(op, target, bad, c);
      lm_tensor_release(out);
      out = NULL;
    }
  }
  lm_scope_adopt(out);
  lm_node *node = NULL;
  if (out && lm_needs_grad(logits, NULL)) {
    const lm_tensor *in[2] = {logits, target};
    node = lm_node_record(out, op, cross_entropy_backward, 2, in);
    if (node) {
      node->iargs[0] = n;
      node->iargs[1] = c;
      node->iargs[2] = reduction;
      lm_node_save(node, probs);
      lm_node_save(node, tc);
    }
  }
  lm_tensor_release(probs);
  lm_tensor_release(xc);
  lm_tensor_release(tc);
  lm_hook_forward(op, node, out);
  return out;
}

lm_tensor *lm_cross_entropy(const lm_tensor *logits, const lm_tensor *target)
{
  return lm_cross_entropy_ex(logits, target, LM_REDUCTION_MEAN);
}

static void nll_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  if (!lm_node_input_needs_grad(node, 0))
    return;
  const lm_tensor *target = node->saved[0];
  const lm_tensor *x = node->inputs[0];
  lm_tensor *out = lm_tensor_new_out(x->ndim, x->shape, LM_FLOAT32, x->device);
  if (out)
    lm_backend_of(x->device)->nll_loss_backward_f32(node->iargs[0], node->iargs[1],
                                                    (int)node->iargs[2], lm_data_ptr(g),
                                                    lm_data_ptr(target), lm_data_ptr(out));
  gin[0] = out;
}

lm_tensor *lm_nll_loss_ex(const lm_tensor *log_probs, const lm_tensor *target,
                          lm_reduction reduction)
{
  static const char *op = "nll_loss";
  if (!log_probs || !target)
    return NULL;
  int64_t n, c;
  if (!check_reduction(op, reduction) || !check_class_inputs(op, log_probs, target, &n, &c))
    return NULL;
  lm_tensor *xc = lm_contiguous_owned(log_probs);
  lm_tensor *tc = lm_contiguous_owned(target);
  lm_tensor *out = (xc && tc) ? loss_out(log_probs, target, reduction) : NULL;
  if (out) {
    int64_t bad = lm_backend_of(log_probs->device)->nll_loss_f32(n, c, lm_data_ptr(xc),
                                                                 lm_data_ptr(tc), (int)reduction,
                                                                 lm_data_ptr(out));
    if (bad >= 0) {
      bad_label(op, target, bad, c);
      lm_tensor_release(out);
      out = NULL;
    }
  }
  lm_scope_adopt(out);
  lm_node *node = NULL;
  if (out && lm_needs_grad(log_probs, NULL)) {
    const lm_tensor *in[2] = {log_probs, target};
    node = lm_node_record(out, op, nll_backward, 2, in);
    if (node) {
      node->iargs[0] = n;
      node->iargs[1] = c;
      node->iargs[2] = reduction;
      lm_node_save(node, tc);
    }
  }
  lm_tensor_release(xc);
  lm_tensor_release(tc);
  lm_hook_forward(op, node, out);
  return out;
}

lm_tensor *lm_nll_loss(const lm_tensor *log_probs, const lm_tensor *target)
{
  return lm_nll_loss_ex(log_probs, target, LM_REDUCTION_MEAN);
}

static void mse_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  const lm_tensor *a = node->saved[0], *b = node->saved[1];
  bool need_a = lm_node_input_needs_grad(node, 0), need_b = lm_node_input_needs_grad(node, 1);
  lm_tensor *ga = need_a ? lm_tensor_new_out(a->ndim, a->shape, LM_FLOAT32, a->device) : NULL;
  lm_tensor *gb = need_b ? lm_tensor_new_out(b->ndim, b->shape, LM_FLOAT32, b->device) : NULL;
  if ((!need_a || ga) && (!need_b || gb))
    lm_backend_of(a->device)->mse_loss_backward_f32(lm_numel(a), lm_data_ptr(g), lm_data_ptr(a),
                                                    lm_data_ptr(b), ga ? lm_data_ptr(ga) : NULL,
                                                    gb ? lm_data_ptr(gb) : NULL);
  gin[0] = ga;
  gin[1] = gb;
}

/* Owned contiguous copy of t broadcast to shape (t itself when it already has it). */
static lm_tensor *broadcast_owned(const lm_tensor *t, int nd, const int64_t *shape)
{
  if (lm_shape_equal(t->ndim, t->shape, nd, shape))
    return lm_contiguous_owned(t);
  lm_tensor *out = lm_tensor_new_unscoped(nd, shape, t->dtype, t->device);
  if (!out)
    return NULL;
  const lm_tensor *ops[2] = {out, t};
  lm_iter it;
  lm_iter_init(&it, nd, shape, 2, ops);
  lm_backend_of(t->device)->copy_strided(&it, 4, lm_data_ptr(out), lm_data_ptr(t));
  return out;
}

lm_tensor *lm_mse_loss(const lm_tensor *input, const lm_tensor *target)
{
  static const char *op = "mse_loss";
  if (!input || !target)
    return NULL;
  if (!lm_check_float(op, input) || !lm_check_float(op, target) ||
      !lm_check_same_device(op, input, target))
    return NULL;
  int nd;
  int64_t shape[LM_MAX_DIMS];
  if (!lm_broadcast_shape(op, input, target, &nd, shape))
    return NULL;
  lm_tensor *ac = broadcast_owned(input, nd, shape);
  lm_tensor *bc = ac ? broadcast_owned(target, nd, shape) : NULL;
  lm_tensor *out = bc ? lm_tensor_new_out(0, NULL, LM_FLOAT32, input->device) : NULL;
  if (out)
    lm_backend_of(input->device)->mse_loss_f32(lm_numel(ac), lm_data_ptr(ac), lm_data_ptr(bc),
                                               lm_data_ptr(out));
  lm_node *node = NULL;
  if (out && lm_needs_grad(input, target)) {
    const lm_tensor *in[2] = {input, target};
    node = lm_node_record(out, op, mse_backward, 2, in);
    lm_node_save(node, ac);
    lm_node_save(node, bc);
  }
  lm_tensor_release(ac);
  lm_tensor_release(bc);
  lm_hook_forward(op, node, out);
  return out;
}
