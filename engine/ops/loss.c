/* loss.c: cross_entropy (fused log_softmax + nll, int64 class labels, or
 * float32 class probabilities of the logits' shape as PyTorch >= 1.10) and
 * nll_loss, each with PyTorch's reduction ('mean', 'sum', 'none'),
 * ignore_index and class weight (and label_smoothing for cross_entropy), and
 * mse_loss (mean, broadcasting like PyTorch). Inputs (N, C, d1, ..., dk)
 * become (N*d1*...*dk, C) with C moved last (views and copies that autograd
 * follows), so the kernels only see (N, C).
 *
 * cross_entropy keeps the softmax probabilities for backward, which is then a
 * single pass: (softmax - onehot) * g / N ('mean'; g or g_i otherwise; weights
 * and smoothing as in lm-backend.h). Labels out of range are reported by
 * the kernel and become an error naming the label and its position (on the
 * CUDA backend at the next synchronisation, as PyTorch's device-side assert).
 * Not for: softmax itself (softmax.c).
 */
#include <string.h>

#include "lm-backend.h"
#include "lm-engine-private.h"

/* The error for an input that is neither (N, C), (C) nor (N, C, d1, ...). */
static void bad_input_shape(const char *op, const lm_tensor *x)
{
  char b1[LM_SHAPE_STR_LEN];
  lm_error("%s: expected input of shape (N, C) or (N, C, d1, ...), got %s", op,
           lm_shape_str(x, b1, sizeof b1));
}

/* Checks (N,C) scores against (N) int64 targets; (C) with a 0-d target is one sample. */
static bool check_class_inputs(const char *op, const lm_tensor *x, const lm_tensor *target,
                               int64_t *n, int64_t *c)
{
  char b1[LM_SHAPE_STR_LEN], b2[LM_SHAPE_STR_LEN];
  if (!lm_check_float(op, x) || !lm_check_same_device(op, x, target))
    return false;
  if (target->dtype != LM_INT64) {
    if (strcmp(op, "cross_entropy") == 0 && x->ndim == 2)
      lm_error("%s: expected target to hold int64 class indices of shape (%lld) or float32 "
               "class probabilities of the input's shape %s, got dtype %s", op,
               (long long)x->shape[0], lm_shape_str(x, b1, sizeof b1),
               lm_dtype_name(target->dtype));
    else
      lm_error("%s: expected target to hold int64 class indices, got dtype %s", op,
               lm_dtype_name(target->dtype));
    return false;
  }
  if (strcmp(op, "cross_entropy") == 0 && x->ndim >= 1 && target->ndim == x->ndim &&
      lm_same_shape(x, target)) {
    lm_error("%s: Expected floating point type for target with class probabilities, got %s", op,
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
    bad_input_shape(op, x);
  else
    lm_error("%s: expected target of shape (%lld) for input %s, got %s", op,
             (long long)(x->ndim == 2 ? x->shape[0] : 1), lm_shape_str(x, b1, sizeof b1),
             lm_shape_str(target, b2, sizeof b2));
  return false;
}

/* Checks the options against the input (N, C); fills the kernels' arguments
 * except the weight pointer. */
static bool check_options(const char *op, const lm_tensor *x, int64_t c,
                          const lm_loss_options *o, bool smoothing, lm_class_loss_args *a)
{
  char b1[LM_SHAPE_STR_LEN];
  if (o->reduction != LM_REDUCTION_MEAN && o->reduction != LM_REDUCTION_SUM &&
      o->reduction != LM_REDUCTION_NONE) {
    lm_error("%s: %d is not a valid value for reduction (LM_REDUCTION_MEAN, _SUM or _NONE)", op,
             (int)o->reduction);
    return false;
  }
  if (!(o->label_smoothing >= 0.0 && o->label_smoothing <= 1.0)) {
    lm_error("%s: label_smoothing must be between 0.0 and 1.0. Got: %g", op, o->label_smoothing);
    return false;
  }
  if (!smoothing && o->label_smoothing != 0.0) {
    lm_error("%s: label_smoothing is an option of cross_entropy only", op);
    return false;
  }
  if (o->weight) {
    if (!lm_check_float(op, o->weight) || !lm_check_same_device(op, x, o->weight))
      return false;
    if (o->weight->ndim != 1 || o->weight->shape[0] != c) {
      lm_error("%s: weight tensor should be defined either for all %lld classes or no classes "
               "but got weight tensor of shape: %s", op, (long long)c,
               lm_shape_str(o->weight, b1, sizeof b1));
      return false;
    }
  }
  *a = (lm_class_loss_args){.reduction = (int)o->reduction, .ignore_index = o->ignore_index,
                            .label_smoothing = (float)o->label_smoothing};
  return true;
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

/* The kernels' arguments back from a node: iargs n, c, reduction,
 * ignore_index; fargs label_smoothing; the weight saved at weight_slot (or
 * none when that slot is empty). */
static lm_class_loss_args node_args(const lm_node *node, int weight_slot)
{
  const lm_tensor *w = node->saved[weight_slot];
  return (lm_class_loss_args){.reduction = (int)node->iargs[2], .ignore_index = node->iargs[3],
                              .label_smoothing = (float)node->fargs[0],
                              .weight = w ? lm_data_ptr(w) : NULL};
}

/* node_args' inverse: the sizes and options into the node. */
static void args_to_node(lm_node *node, int64_t n, int64_t c, const lm_loss_options *o)
{
  node->iargs[0] = n;
  node->iargs[1] = c;
  node->iargs[2] = o->reduction;
  node->iargs[3] = o->ignore_index;
  node->fargs[0] = o->label_smoothing;
}

static void cross_entropy_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  if (!lm_node_input_needs_grad(node, 0))
    return;
  const lm_tensor *probs = node->saved[0], *target = node->saved[1], *stats = node->saved[2];
  const lm_tensor *x = node->inputs[0];
  const lm_class_loss_args a = node_args(node, 3);
  lm_tensor *out = lm_tensor_new_out(x->ndim, x->shape, LM_FLOAT32, x->device);
  if (out)
    lm_backend_of(x->device)->cross_entropy_backward_f32(node->iargs[0], node->iargs[1], &a,
                                                         lm_data_ptr(g), lm_data_ptr(probs),
                                                         lm_data_ptr(target), lm_data_ptr(stats),
                                                         lm_data_ptr(out));
  gin[0] = out;
}

static void nll_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  if (!lm_node_input_needs_grad(node, 0))
    return;
  const lm_tensor *target = node->saved[0], *stats = node->saved[1];
  const lm_tensor *x = node->inputs[0];
  const lm_class_loss_args a = node_args(node, 2);
  lm_tensor *out = lm_tensor_new_out(x->ndim, x->shape, LM_FLOAT32, x->device);
  if (out)
    lm_backend_of(x->device)->nll_loss_backward_f32(node->iargs[0], node->iargs[1], &a,
                                                    lm_data_ptr(g), lm_data_ptr(target),
                                                    lm_data_ptr(stats), lm_data_ptr(out));
  gin[0] = out;
}

/* cross_entropy (ce) or nll_loss over x (N, C) scores or log-probabilities. */
static lm_tensor *class_loss(const char *op, bool ce, const lm_tensor *x, const lm_tensor *target,
                             const lm_loss_options *options)
{
  int64_t t0 = lm_op_start(x);
  if (!x || !target)
    return NULL;
  const lm_loss_options o = options ? *options : LM_LOSS_DEFAULTS;
  int64_t n, c;
  lm_class_loss_args a;
  if (!check_class_inputs(op, x, target, &n, &c) || !check_options(op, x, c, &o, ce, &a))
    return NULL;
  lm_tensor *xc = lm_contiguous_owned(x);
  lm_tensor *tc = lm_contiguous_owned(target);
  lm_tensor *wc = o.weight ? lm_contiguous_owned(o.weight) : NULL;
  lm_tensor *stats = lm_tensor_new_unscoped(1, (int64_t[]){2}, LM_FLOAT32, x->device);
  lm_tensor *probs = ce ? lm_tensor_new_unscoped(x->ndim, x->shape, LM_FLOAT32, x->device) : NULL;
  lm_tensor *out = NULL;
  if (xc && tc && (wc || !o.weight) && stats && (probs || !ce))
    out = loss_out(x, target, o.reduction);
  if (out) {
    const lm_backend *be = lm_backend_of(x->device);
    a.weight = wc ? lm_data_ptr(wc) : NULL;
    int64_t bad = ce ? be->cross_entropy_f32(n, c, lm_data_ptr(xc), lm_data_ptr(tc), &a,
                                             lm_data_ptr(out), lm_data_ptr(probs),
                                             lm_data_ptr(stats))
                     : be->nll_loss_f32(n, c, lm_data_ptr(xc), lm_data_ptr(tc), &a,
                                        lm_data_ptr(out), lm_data_ptr(stats));
    if (bad >= 0) {
      bad_label(op, target, bad, c);
      lm_tensor_release(out);
      out = NULL;
    }
  }
  lm_scope_adopt(out);
  lm_node *node = NULL;
  if (out && lm_needs_grad(x, NULL)) {
    const lm_tensor *in[2] = {x, target};
    node = lm_node_record(out, op, ce ? cross_entropy_backward : nll_backward, 2, in);
    if (node) {
      args_to_node(node, n, c, &o);
      if (ce)
        lm_node_save(node, probs);
      lm_node_save(node, tc);
      lm_node_save(node, stats);
      if (wc)
        lm_node_save(node, wc);
    }
  }
  lm_tensor_release(probs);
  lm_tensor_release(stats);
  lm_tensor_release(wc);
  lm_tensor_release(xc);
  lm_tensor_release(tc);
  lm_hook_forward(op, node, out, t0);
  return out;
}

/* ---- class-probability targets ---- */

/* A float target for (N, C) or (C) logits: true when its shape is theirs. */
static bool check_prob_target(const char *op, const lm_tensor *x, const lm_tensor *target)
{
  char b1[LM_SHAPE_STR_LEN], b2[LM_SHAPE_STR_LEN];
  if (!lm_check_float(op, x) || !lm_check_same_device(op, x, target))
    return false;
  if (x->ndim != 2 && x->ndim != 1) {
    bad_input_shape(op, x);
    return false;
  }
  if (lm_same_shape(x, target))
    return true;
  if (x->ndim == 2 && target->ndim == 2 && target->shape[0] != x->shape[0])
    lm_error("%s: Expected input batch_size (%lld) to match target batch_size (%lld).", op,
             (long long)x->shape[0], (long long)target->shape[0]);
  else
    lm_error("%s: expected a target of class probabilities to have the input's shape %s, got %s",
             op, lm_shape_str(x, b1, sizeof b1), lm_shape_str(target, b2, sizeof b2));
  return false;
}

static void cross_entropy_prob_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  const bool need_x = lm_node_input_needs_grad(node, 0), need_t = lm_node_input_needs_grad(node, 1);
  const lm_tensor *logp = node->saved[0], *target = node->saved[1], *stats = node->saved[2];
  const lm_tensor *x = node->inputs[0];
  const lm_class_loss_args a = node_args(node, 3);
  lm_tensor *gx = need_x ? lm_tensor_new_out(x->ndim, x->shape, LM_FLOAT32, x->device) : NULL;
  lm_tensor *gt = need_t ? lm_tensor_new_out(x->ndim, x->shape, LM_FLOAT32, x->device) : NULL;
  if ((gx || !need_x) && (gt || !need_t) && (gx || gt))
    lm_backend_of(x->device)->cross_entropy_prob_backward_f32(
      node->iargs[0], node->iargs[1], &a, lm_data_ptr(g), lm_data_ptr(logp), lm_data_ptr(target),
      lm_data_ptr(stats), gx ? lm_data_ptr(gx) : NULL, gt ? lm_data_ptr(gt) : NULL);
  gin[0] = gx;
  gin[1] = gt;
}

/* F.cross_entropy with class probabilities: target float32 of the logits'
 * shape; 'mean' divides by N; weight and label_smoothing apply, ignore_index
 * is refused when it could match a class (>= 0), as PyTorch refuses it. */
static lm_tensor *prob_loss(const char *op, const lm_tensor *x, const lm_tensor *target,
                            const lm_loss_options *o)
{
  int64_t t0 = lm_op_start(x);
  lm_class_loss_args a;
  if (!check_prob_target(op, x, target))
    return NULL;
  const int64_t n = x->ndim == 2 ? x->shape[0] : 1, c = x->shape[x->ndim - 1];
  if (!check_options(op, x, c, o, true, &a))
    return NULL;
  if (o->ignore_index >= 0) {
    lm_error("%s: ignore_index is not supported for floating point target (got %lld; leave it "
             "at %d)", op, (long long)o->ignore_index, LM_IGNORE_INDEX_DEFAULT);
    return NULL;
  }
  lm_tensor *xc = lm_contiguous_owned(x);
  lm_tensor *tc = lm_contiguous_owned(target);
  lm_tensor *wc = o->weight ? lm_contiguous_owned(o->weight) : NULL;
  lm_tensor *stats = lm_tensor_new_unscoped(1, (int64_t[]){2}, LM_FLOAT32, x->device);
  lm_tensor *logp = lm_tensor_new_unscoped(x->ndim, x->shape, LM_FLOAT32, x->device);
  lm_tensor *out = NULL;
  if (xc && tc && (wc || !o->weight) && stats && logp)
    out = o->reduction == LM_REDUCTION_NONE
            ? lm_tensor_new_out(x->ndim - 1, x->shape, LM_FLOAT32, x->device)
            : lm_tensor_new_out(0, NULL, LM_FLOAT32, x->device);
  if (out) {
    a.weight = wc ? lm_data_ptr(wc) : NULL;
    lm_backend_of(x->device)->cross_entropy_prob_f32(n, c, lm_data_ptr(xc), lm_data_ptr(tc), &a,
                                                     lm_data_ptr(out), lm_data_ptr(logp),
                                                     lm_data_ptr(stats));
  }
  lm_node *node = NULL;
  if (out && lm_needs_grad(x, target)) {
    const lm_tensor *in[2] = {x, target};
    node = lm_node_record(out, op, cross_entropy_prob_backward, 2, in);
    if (node) {
      args_to_node(node, n, c, o);
      lm_node_save(node, logp);
      lm_node_save(node, tc);
      lm_node_save(node, stats);
      if (wc)
        lm_node_save(node, wc);
    }
  }
  lm_tensor_release(logp);
  lm_tensor_release(stats);
  lm_tensor_release(wc);
  lm_tensor_release(xc);
  lm_tensor_release(tc);
  lm_hook_forward(op, node, out, t0);
  return out;
}

/* ---- PyTorch's K-dimensional form: input (N, C, d1, ..., dk) ---- */

/* x (N, C, d1, ..., dk) as (N*d1*...*dk, C): C moved last, then flattened,
 * with differentiable views and copies so that autograd and every backend
 * follow; rows gets N*d1*...*dk. */
static lm_tensor *classes_last(const lm_tensor *x, int64_t *rows)
{
  int dims[LM_MAX_DIMS];
  *rows = x->shape[0];
  dims[0] = 0;
  for (int i = 2; i < x->ndim; i++) {
    dims[i - 1] = i;
    *rows *= x->shape[i];
  }
  dims[x->ndim - 1] = 1;
  return lm_reshape(lm_permute(x, dims), 2, (const int64_t[]){*rows, x->shape[1]});
}

/* Checks a target for x (N, C, d1, ..., dk): int64 class indices
 * (N, d1, ..., dk) or, for cross_entropy, float32 probabilities of x's
 * shape (then *prob). PyTorch's wording for a batch or size mismatch. */
static bool check_nd_target(const char *op, bool ce, const lm_tensor *x, const lm_tensor *target,
                            bool *prob)
{
  char b1[LM_SHAPE_STR_LEN], b2[LM_SHAPE_STR_LEN];
  int64_t want[LM_MAX_DIMS];
  if (!lm_check_float(op, x) || !lm_check_same_device(op, x, target))
    return false;
  want[0] = x->shape[0];
  for (int i = 2; i < x->ndim; i++)
    want[i - 1] = x->shape[i];
  lm_shape_str_n(x->ndim - 1, want, b1, sizeof b1);
  *prob = ce && target->dtype == LM_FLOAT32 && target->ndim == x->ndim;
  if (target->dtype != LM_INT64 && !*prob) {
    if (ce)
      lm_error("%s: expected target to hold int64 class indices of shape %s or float32 class "
               "probabilities of the input's shape %s, got dtype %s", op, b1,
               lm_shape_str(x, b2, sizeof b2), lm_dtype_name(target->dtype));
    else
      lm_error("%s: expected target to hold int64 class indices, got dtype %s", op,
               lm_dtype_name(target->dtype));
    return false;
  }
  if (ce && target->dtype == LM_INT64 && lm_same_shape(x, target)) {
    lm_error("%s: Expected floating point type for target with class probabilities, got %s", op,
             lm_dtype_name(target->dtype));
    return false;
  }
  if (target->ndim >= 1 && target->shape[0] != x->shape[0]) {
    lm_error("%s: Expected input batch_size (%lld) to match target batch_size (%lld).", op,
             (long long)x->shape[0], (long long)target->shape[0]);
    return false;
  }
  if (*prob ? lm_same_shape(x, target)
            : lm_shape_equal(target->ndim, target->shape, x->ndim - 1, want))
    return true;
  if (*prob)
    lm_error("%s: expected a target of class probabilities to have the input's shape %s, got %s",
             op, lm_shape_str(x, b1, sizeof b1), lm_shape_str(target, b2, sizeof b2));
  else
    lm_error("%s: Expected target size %s, got %s", op, b1, lm_shape_str(target, b2, sizeof b2));
  return false;
}

/* cross_entropy or nll_loss over (N, C, d1, ..., dk) as PyTorch's: the
 * (N, C) loss of the input with C moved last and flattened, and the target
 * likewise; 'none' gives (N, d1, ..., dk). */
static lm_tensor *nd_loss(const char *op, bool ce, const lm_tensor *x, const lm_tensor *target,
                          const lm_loss_options *options)
{
  bool prob;
  if (!check_nd_target(op, ce, x, target, &prob))
    return NULL;
  const lm_loss_options o = options ? *options : LM_LOSS_DEFAULTS;
  int64_t rows, shape[LM_MAX_DIMS];
  lm_scope_begin();
  lm_tensor *x2 = classes_last(x, &rows);
  lm_tensor *t2 = prob ? classes_last(target, &rows) : lm_reshape(target, 1, &rows);
  lm_tensor *out = NULL;
  if (x2 && t2)
    out = prob ? prob_loss(op, x2, t2, &o) : class_loss(op, ce, x2, t2, &o);
  if (out && o.reduction == LM_REDUCTION_NONE) {
    shape[0] = x->shape[0];
    for (int i = 2; i < x->ndim; i++)
      shape[i - 1] = x->shape[i];
    out = lm_reshape(out, x->ndim - 1, shape);
  }
  if (out)
    lm_scope_keep(out);
  lm_scope_end();
  return lm_scope_adopt(out);
}

lm_tensor *lm_cross_entropy_opts(const lm_tensor *logits, const lm_tensor *target,
                                 const lm_loss_options *options)
{
  /* float (N, C) targets, and any float target not shaped as class indices
   * (its shape is then what the error names) */
  if (logits && target && logits->ndim > 2)
    return nd_loss("cross_entropy", true, logits, target, options);
  if (logits && target && target->dtype == LM_FLOAT32 && target->ndim != logits->ndim - 1) {
    const lm_loss_options o = options ? *options : LM_LOSS_DEFAULTS;
    return prob_loss("cross_entropy", logits, target, &o);
  }
  return class_loss("cross_entropy", true, logits, target, options);
}

lm_tensor *lm_nll_loss_opts(const lm_tensor *log_probs, const lm_tensor *target,
                            const lm_loss_options *options)
{
  if (log_probs && target && log_probs->ndim > 2)
    return nd_loss("nll_loss", false, log_probs, target, options);
  return class_loss("nll_loss", false, log_probs, target, options);
}

lm_tensor *lm_cross_entropy_ex(const lm_tensor *logits, const lm_tensor *target,
                               lm_reduction reduction)
{
  lm_loss_options o = LM_LOSS_DEFAULTS;
  o.reduction = reduction;
  return lm_cross_entropy_opts(logits, target, &o);
}

lm_tensor *lm_cross_entropy(const lm_tensor *logits, const lm_tensor *target)
{
  return lm_cross_entropy_opts(logits, target, NULL);
}

lm_tensor *lm_nll_loss_ex(const lm_tensor *log_probs, const lm_tensor *target,
                          lm_reduction reduction)
{
  lm_loss_options o = LM_LOSS_DEFAULTS;
  o.reduction = reduction;
  return lm_nll_loss_opts(log_probs, target, &o);
}

lm_tensor *lm_nll_loss(const lm_tensor *log_probs, const lm_tensor *target)
{
  return lm_nll_loss_opts(log_probs, target, NULL);
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
  int64_t t0 = lm_op_start(input);
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
  lm_hook_forward(op, node, out, t0);
  return out;
}
