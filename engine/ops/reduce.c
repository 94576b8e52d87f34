/* reduce.c: sum, mean and max over all elements or one dim (keepdim), argmax,
 * and lm_sum_to_shape (how broadcast gradients get back to an input's shape).
 *
 * Every reduction views its (contiguous) input as (outer, n, inner) with n the
 * reduced dim, so one kernel entry serves all dims and devices. Gradients of
 * max as PyTorch's: max over a dim sends it to the first maximal element
 * (the index max(dim) returns), max over all elements splits it evenly among
 * the tied maxima (torch.max(x) of [1, 3, 3] -> 0, 0.5, 0.5).
 * Not for: softmax or losses.
 */
#include <math.h>
#include <string.h>

#include "lm-backend.h"
#include "lm-engine-private.h"

#define LM_REDUCE_ALL (-100)

static void split_dims(const lm_tensor *t, int dim, int64_t *outer, int64_t *n, int64_t *inner)
{
  *outer = 1;
  *inner = 1;
  for (int i = 0; i < dim; i++)
    *outer *= t->shape[i];
  *n = t->ndim ? t->shape[dim] : 1;
  for (int i = dim + 1; i < t->ndim; i++)
    *inner *= t->shape[i];
}

/* Output shape of reducing `dim` of t (all dims when dim < 0). */
static int reduced_shape(const lm_tensor *t, int dim, bool keepdim, int64_t *shape)
{
  int n = 0;
  for (int i = 0; i < t->ndim; i++) {
    if (dim < 0 || i == dim) {
      if (keepdim)
        shape[n++] = 1;
    } else {
      shape[n++] = t->shape[i];
    }
  }
  return n;
}

/* gin (input shape) = g broadcast along the reduced dim, times scale. */
static lm_tensor *broadcast_back(const lm_tensor *g, const lm_tensor *in, int dim, float scale)
{
  lm_tensor *out = lm_tensor_new_out(in->ndim, in->shape, LM_FLOAT32, in->device);
  if (!out)
    return NULL;
  int64_t outer, n, inner;
  if (dim < 0) {
    outer = 1;
    n = lm_numel(in);
    inner = 1;
  } else {
    split_dims(in, dim, &outer, &n, &inner);
  }
  lm_iter it;
  memset(&it, 0, sizeof it);
  it.ndim = 3;
  it.shape[0] = outer;
  it.shape[1] = n;
  it.shape[2] = inner;
  it.stride[0][0] = n * inner;
  it.stride[0][1] = inner;
  it.stride[0][2] = 1;
  it.stride[1][0] = inner;
  it.stride[1][1] = 0;
  it.stride[1][2] = 1;
  lm_iter_collapse(&it, 2);
  const lm_backend *be = lm_backend_of(in->device);
  be->copy_strided(&it, 4, lm_data_ptr(out), lm_data_ptr(g));
  if (scale != 1.0f)
    be->unary_f32(LM_UN_MUL_SCALAR, lm_numel(out), lm_data_ptr(out), scale, 0, lm_data_ptr(out));
  return out;
}

static void sum_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  if (lm_node_input_needs_grad(node, 0))
    gin[0] = broadcast_back(g, node->inputs[0], (int)node->iargs[0], 1.0f);
}

static void mean_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  if (lm_node_input_needs_grad(node, 0))
    gin[0] = broadcast_back(g, node->inputs[0], (int)node->iargs[0], (float)node->fargs[0]);
}

static void max_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  if (!lm_node_input_needs_grad(node, 0))
    return;
  const lm_tensor *in = node->inputs[0];
  int dim = (int)node->iargs[0];
  lm_tensor *out = lm_tensor_new_out(in->ndim, in->shape, LM_FLOAT32, in->device);
  if (!out) {
    gin[0] = NULL;
    return;
  }
  const lm_backend *be = lm_backend_of(in->device);
  if (dim < 0) { /* saved: the contiguous input and the max */
    be->max_all_backward_f32(lm_numel(in), lm_data_ptr(node->saved[0]),
                             lm_data_ptr(node->saved[1]), lm_data_ptr(g), lm_data_ptr(out));
  } else {
    int64_t outer, n, inner;
    split_dims(in, dim, &outer, &n, &inner);
    be->scatter_dim_f32(outer, n, inner, lm_data_ptr(g), lm_data_ptr(node->saved[0]),
                        lm_data_ptr(out));
  }
  gin[0] = out;
}

/* dim == LM_REDUCE_ALL: over all elements (0-d result). */
static lm_tensor *reduce_op(const char *name, lm_reduce_op op, const lm_tensor *a, int dim,
                            bool keepdim)
{
  int64_t t0 = lm_op_start(a);
  if (!a || !lm_check_float(name, a))
    return NULL;
  int64_t outer, n, inner;
  int64_t shape[LM_MAX_DIMS];
  int nd;
  if (dim == LM_REDUCE_ALL) { /* all */
    outer = 1;
    n = lm_numel(a);
    inner = 1;
    nd = 0;
    dim = -1;
  } else {
    if (!lm_check_dim(name, &dim, a->ndim))
      return NULL;
    if (a->ndim == 0)
      dim = -1;
    split_dims(a, dim < 0 ? 0 : dim, &outer, &n, &inner);
    nd = reduced_shape(a, dim, keepdim, shape);
  }
  if ((op == LM_RED_MAX || op == LM_RED_ARGMAX) && n == 0) {
    char buf[LM_SHAPE_STR_LEN];
    lm_error("%s: cannot take the max of an empty dimension (input %s)", name,
             lm_shape_str(a, buf, sizeof buf));
    return NULL;
  }
  lm_tensor *ac = lm_contiguous_owned(a);
  if (!ac)
    return NULL;
  const lm_backend *be = lm_backend_of(a->device);
  lm_tensor *out = NULL, *idx = NULL;
  if (op == LM_RED_ARGMAX) {
    out = lm_tensor_new_out(nd, shape, LM_INT64, a->device);
    if (out)
      be->reduce_f32(op, outer, n, inner, lm_data_ptr(ac), NULL, lm_data_ptr(out));
    lm_tensor_release(ac);
    lm_hook_forward(name, NULL, out, t0);
    return out;
  }
  out = lm_tensor_new_out(nd, shape, LM_FLOAT32, a->device);
  bool grad = lm_needs_grad(a, NULL);
  if (out && op == LM_RED_MAX)
    idx = lm_tensor_new_unscoped(nd, shape, LM_INT64, a->device);
  if (out && (op != LM_RED_MAX || idx))
    be->reduce_f32(op, outer, n, inner, lm_data_ptr(ac), lm_data_ptr(out), idx ? lm_data_ptr(idx) : NULL);
  if (!out || (op == LM_RED_MAX && !idx)) {
    lm_tensor_release(ac);
    lm_tensor_release(idx);
    return NULL;
  }
  lm_node *node = NULL;
  if (grad) {
    const lm_tensor *in[1] = {a};
    lm_backward_fn bw = op == LM_RED_SUM ? sum_backward : op == LM_RED_MEAN ? mean_backward : max_backward;
    node = lm_node_record(out, name, bw, 1, in);
    if (node) {
      node->iargs[0] = dim;
      node->iargs[1] = keepdim;
      node->fargs[0] = n ? 1.0 / (double)n : NAN;
      if (idx && dim >= 0) {
        lm_node_save(node, idx);
      } else if (idx) { /* all elements: the ties are found again in backward */
        lm_node_save_detached(node, ac);
        lm_node_save_detached(node, out);
      }
    }
  }
  lm_tensor_release(ac);
  lm_tensor_release(idx);
  lm_hook_forward(name, node, out, t0);
  return out;
}

lm_tensor *lm_sum(const lm_tensor *a) { return reduce_op("sum", LM_RED_SUM, a, LM_REDUCE_ALL, false); }
lm_tensor *lm_mean(const lm_tensor *a) { return reduce_op("mean", LM_RED_MEAN, a, LM_REDUCE_ALL, false); }
lm_tensor *lm_max(const lm_tensor *a) { return reduce_op("max", LM_RED_MAX, a, LM_REDUCE_ALL, false); }

lm_tensor *lm_sum_dim(const lm_tensor *a, int dim, bool keepdim)
{
  return reduce_op("sum_dim", LM_RED_SUM, a, dim, keepdim);
}

lm_tensor *lm_mean_dim(const lm_tensor *a, int dim, bool keepdim)
{
  return reduce_op("mean_dim", LM_RED_MEAN, a, dim, keepdim);
}

lm_tensor *lm_max_dim(const lm_tensor *a, int dim, bool keepdim)
{
  return reduce_op("max_dim", LM_RED_MAX, a, dim, keepdim);
}

lm_tensor *lm_argmax(const lm_tensor *a, int dim, bool keepdim)
{
  if (dim == LM_ALL_DIMS) {
    lm_tensor *r = reduce_op("argmax", LM_RED_ARGMAX, a, LM_REDUCE_ALL, false);
    if (!r || !keepdim || a->ndim == 0)
      return r;
    /* torch.argmax(x, keepdim=True): the flat index, shaped (1, 1, ...) */
    int64_t ones[LM_MAX_DIMS];
    for (int i = 0; i < a->ndim; i++)
      ones[i] = 1;
    return lm_reshape(r, a->ndim, ones);
  }
  return reduce_op("argmax", LM_RED_ARGMAX, a, dim, keepdim);
}

/* ---- sum_to_shape ---- */

lm_tensor *lm_sum_to_shape(const lm_tensor *grad, int ndim, const int64_t *shape)
{
  if (!grad)
    return NULL;
  if (lm_shape_equal(grad->ndim, grad->shape, ndim, shape))
    return lm_scope_adopt(lm_tensor_retain((lm_tensor *)grad));
  char b1[LM_SHAPE_STR_LEN], b2[LM_SHAPE_STR_LEN];
  int lead = grad->ndim - ndim;
  bool ok = lead >= 0;
  for (int i = 0; ok && i < ndim; i++)
    ok = shape[i] == grad->shape[lead + i] || shape[i] == 1;
  if (!ok) {
    lm_error("sum_to_shape: gradient of shape %s cannot be summed to shape %s",
             lm_shape_str(grad, b1, sizeof b1), lm_shape_str_n(ndim, shape, b2, sizeof b2));
    return NULL;
  }
  const lm_backend *be = lm_backend_of(grad->device);
  lm_tensor *cur = lm_contiguous_owned(grad);
  if (!cur)
    return NULL;
  /* Current logical dims of `cur` (contiguous): start as grad's. */
  int cn = grad->ndim;
  int64_t cs[LM_MAX_DIMS];
  memcpy(cs, grad->shape, sizeof cs);
  /* 1. leading dims: (prod(lead), rest) -> (rest) */
  if (lead > 0) {
    int64_t outer_n = 1, rest = 1;
    for (int i = 0; i < lead; i++)
      outer_n *= cs[i];
    for (int i = lead; i < cn; i++)
      rest *= cs[i];
    lm_tensor *r = lm_tensor_new_unscoped(ndim, cs + lead, LM_FLOAT32, grad->device);
    if (r)
      be->reduce_f32(LM_RED_SUM, 1, outer_n, rest, lm_data_ptr(cur), lm_data_ptr(r), NULL);
    lm_tensor_release(cur);
    cur = r;
    if (!cur)
      return NULL;
    memmove(cs, cs + lead, (size_t)ndim * sizeof(int64_t));
    cn = ndim;
  }
  /* 2. dims where the target has size 1 */
  for (int d = 0; d < cn; d++) {
    if (shape[d] != 1 || cs[d] == 1)
      continue;
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < d; i++)
      outer *= cs[i];
    for (int i = d + 1; i < cn; i++)
      inner *= cs[i];
    int64_t ns[LM_MAX_DIMS];
    memcpy(ns, cs, sizeof ns);
    ns[d] = 1;
    lm_tensor *r = lm_tensor_new_unscoped(cn, ns, LM_FLOAT32, grad->device);
    if (r)
      be->reduce_f32(LM_RED_SUM, outer, cs[d], inner, lm_data_ptr(cur), lm_data_ptr(r), NULL);
    lm_tensor_release(cur);
    cur = r;
    if (!cur)
      return NULL;
    cs[d] = 1;
  }
  return lm_scope_adopt(cur);
}
