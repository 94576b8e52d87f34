/* views.c: layout ops. Views share storage (view, reshape when possible,
 * transpose, permute, slice, select, unsqueeze, squeeze, flatten, expand,
 * detach); the others copy (contiguous, clone, cat, to).
 *
 * Backward of a view returns a view of the gradient (reshape, inverse
 * permute, ...) or scatters it into zeros (slice, select); the engine makes
 * gradients contiguous before an op's backward needs them to be.
 * Not for: arithmetic.
 */
#include <stdlib.h>
#include <string.h>

#include "lm-backend.h"
#include "lm-engine-private.h"

/* ---- copying helpers ---- */

/* dst (any layout) = src, same shape. */
static void copy_into(lm_tensor *dst, const lm_tensor *src)
{
  const lm_tensor *ops[2] = {dst, src};
  lm_iter it;
  lm_iter_init(&it, dst->ndim, dst->shape, 2, ops);
  lm_backend_of(dst->device)->copy_strided(&it, lm_dtype_size(dst->dtype), lm_data_ptr(dst),
                                           lm_data_ptr(src));
}

lm_tensor *lm_contiguous_owned(const lm_tensor *t)
{
  if (!t)
    return NULL;
  if (lm_is_contiguous(t))
    return lm_tensor_retain((lm_tensor *)t);
  lm_tensor *c = lm_tensor_new_unscoped(t->ndim, t->shape, t->dtype, t->device);
  if (c)
    copy_into(c, t);
  return c;
}

static void identity_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  if (lm_node_input_needs_grad(node, 0))
    gin[0] = lm_tensor_retain((lm_tensor *)g);
}

/* Records a single-input node when t needs grad and fires the hook. */
static lm_tensor *finish1(const char *op, const lm_tensor *t, lm_tensor *out, lm_backward_fn bw,
                          lm_node **node_out, int64_t t0)
{
  lm_node *node = NULL;
  if (out && lm_needs_grad(t, NULL)) {
    const lm_tensor *in[1] = {t};
    node = lm_node_record(out, op, bw, 1, in);
  }
  if (node_out)
    *node_out = node;
  lm_hook_forward(op, node, out, t0);
  return out;
}

/* ---- reshaping views ---- */

static void reshape_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  const lm_tensor *in = node->inputs[0];
  if (lm_node_input_needs_grad(node, 0))
    gin[0] = lm_reshape(g, in->ndim, in->shape); /* g is contiguous: a view */
}

/* Resolves -1 and checks the element count. */
static bool infer_shape(const char *op, const lm_tensor *t, int ndim, const int64_t *shape,
                        int64_t *out)
{
  if (ndim < 0 || ndim > LM_MAX_DIMS || (ndim > 0 && !shape)) {
    lm_error("%s: invalid number of dims %d (at most %d)", op, ndim, LM_MAX_DIMS);
    return false;
  }
  int infer = -1;
  int64_t known = 1;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] == -1) {
      if (infer >= 0) {
        lm_error("%s: only one dimension can be inferred", op);
        return false;
      }
      infer = i;
    } else if (shape[i] < 0) {
      lm_error("%s: invalid shape dimension %lld", op, (long long)shape[i]);
      return false;
    } else {
      known *= shape[i];
    }
    out[i] = shape[i];
  }
  int64_t numel = lm_numel(t);
  if (infer >= 0 && known != 0 && numel % known == 0)
    out[infer] = numel / known;
  if ((infer >= 0 && (known == 0 || numel % known != 0)) ||
      (infer < 0 && known != numel)) {
    char buf[LM_SHAPE_STR_LEN], tb[LM_SHAPE_STR_LEN];
    lm_error("%s: shape %s is invalid for input of size %lld (input shape %s)", op,
             lm_shape_str_n(ndim, shape, buf, sizeof buf), (long long)numel,
             lm_shape_str(t, tb, sizeof tb));
    return false;
  }
  return true;
}

/* PyTorch's computeStride: strides for viewing t as `shape` without a copy,
 * or false when some new dim would span two non-contiguous chunks. */
static bool view_strides(const lm_tensor *t, int ndim, const int64_t *shape, int64_t *stride)
{
  int64_t numel = lm_numel(t);
  if (numel == 0 || lm_is_contiguous(t)) {
    lm_contiguous_strides(ndim, shape, stride);
    return true;
  }
  int old_nd = t->ndim;
  const int64_t *os = t->shape, *ost = t->stride;
  int view_d = ndim - 1;
  int64_t chunk_base = ost[old_nd - 1];
  int64_t tensor_numel = 1, view_numel = 1;
  for (int td = old_nd - 1; td >= 0; td--) {
    tensor_numel *= os[td];
    if (td == 0 || (os[td - 1] != 1 && ost[td - 1] != tensor_numel * chunk_base)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        stride[view_d] = view_numel * chunk_base;
        view_numel *= shape[view_d];
        view_d--;
      }
      if (view_numel != tensor_numel)
        return false;
      if (td > 0) {
        chunk_base = ost[td - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  return view_d == -1;
}

static lm_tensor *reshape_impl(const char *op, const lm_tensor *t, int ndim, const int64_t *shape,
                               bool allow_copy)
{
  int64_t t0 = lm_op_start(t);
  if (!t)
    return NULL;
  int64_t sh[LM_MAX_DIMS], st[LM_MAX_DIMS];
  if (!infer_shape(op, t, ndim, shape, sh))
    return NULL;
  lm_tensor *out;
  if (view_strides(t, ndim, sh, st)) {
    out = lm_tensor_new_view(t, ndim, sh, st, t->offset);
  } else if (allow_copy) {
    lm_tensor *c = lm_contiguous_owned(t);
    if (!c)
      return NULL;
    lm_contiguous_strides(ndim, sh, st);
    out = lm_tensor_new_view(c, ndim, sh, st, c->offset);
    lm_tensor_release(c);
  } else {
    char buf[LM_SHAPE_STR_LEN];
    lm_error("%s: view size is not compatible with input tensor's size and stride (at least one "
             "dimension spans across two contiguous subspaces) for input %s; use lm_reshape() "
             "instead", op, lm_shape_str(t, buf, sizeof buf));
    return NULL;
  }
  return finish1(op, t, out, reshape_backward, NULL, t0);
}

lm_tensor *lm_view(const lm_tensor *t, int ndim, const int64_t *shape)
{
  return reshape_impl("view", t, ndim, shape, false);
}

lm_tensor *lm_reshape(const lm_tensor *t, int ndim, const int64_t *shape)
{
  return reshape_impl("reshape", t, ndim, shape, true);
}

lm_tensor *lm_flatten(const lm_tensor *t, int start_dim, int end_dim)
{
  if (!t)
    return NULL;
  if (t->ndim == 0)
    return reshape_impl("flatten", t, 1, (const int64_t[]){1}, true);
  if (!lm_check_dim("flatten", &start_dim, t->ndim) || !lm_check_dim("flatten", &end_dim, t->ndim))
    return NULL;
  if (start_dim > end_dim) {
    lm_error("flatten: start_dim (%d) cannot come after end_dim (%d)", start_dim, end_dim);
    return NULL;
  }
  int64_t sh[LM_MAX_DIMS];
  int n = 0;
  for (int i = 0; i < start_dim; i++)
    sh[n++] = t->shape[i];
  int64_t m = 1;
  for (int i = start_dim; i <= end_dim; i++)
    m *= t->shape[i];
  sh[n++] = m;
  for (int i = end_dim + 1; i < t->ndim; i++)
    sh[n++] = t->shape[i];
  return reshape_impl("flatten", t, n, sh, true);
}

lm_tensor *lm_unsqueeze(const lm_tensor *t, int dim)
{
  int64_t t0 = lm_op_start(t);
  if (!t)
    return NULL;
  if (t->ndim >= LM_MAX_DIMS) {
    lm_error("unsqueeze: tensor already has the maximum of %d dims", LM_MAX_DIMS);
    return NULL;
  }
  if (!lm_check_dim("unsqueeze", &dim, t->ndim + 1))
    return NULL;
  int64_t sh[LM_MAX_DIMS], st[LM_MAX_DIMS];
  int n = 0;
  for (int i = 0; i <= t->ndim; i++) {
    if (i == dim) {
      sh[n] = 1;
      st[n] = i < t->ndim ? t->shape[i] * t->stride[i] : 1;
      n++;
    }
    if (i < t->ndim) {
      sh[n] = t->shape[i];
      st[n] = t->stride[i];
      n++;
    }
  }
  lm_tensor *out = lm_tensor_new_view(t, n, sh, st, t->offset);
  return finish1("unsqueeze", t, out, reshape_backward, NULL, t0);
}

lm_tensor *lm_squeeze(const lm_tensor *t, int dim)
{
  int64_t t0 = lm_op_start(t);
  if (!t)
    return NULL;
  bool all = dim == LM_ALL_DIMS;
  if (!all && !lm_check_dim("squeeze", &dim, t->ndim))
    return NULL;
  int64_t sh[LM_MAX_DIMS], st[LM_MAX_DIMS];
  int n = 0;
  for (int i = 0; i < t->ndim; i++) {
    if (t->shape[i] == 1 && (all || i == dim))
      continue;
    sh[n] = t->shape[i];
    st[n] = t->stride[i];
    n++;
  }
  lm_tensor *out = lm_tensor_new_view(t, n, sh, st, t->offset);
  return finish1("squeeze", t, out, reshape_backward, NULL, t0);
}

/* ---- permutations ---- */

static void permute_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  if (!lm_node_input_needs_grad(node, 0))
    return;
  int inv[LM_MAX_DIMS];
  for (int i = 0; i < g->ndim; i++)
    inv[node->iargs[i]] = i;
  gin[0] = lm_permute(g, inv);
}

static lm_tensor *permute_impl(const char *op, const lm_tensor *t, const int *dims)
{
  int64_t t0 = lm_op_start(t);
  int64_t sh[LM_MAX_DIMS], st[LM_MAX_DIMS];
  for (int i = 0; i < t->ndim; i++) {
    sh[i] = t->shape[dims[i]];
    st[i] = t->stride[dims[i]];
  }
  lm_tensor *out = lm_tensor_new_view(t, t->ndim, sh, st, t->offset);
  lm_node *node;
  finish1(op, t, out, permute_backward, &node, t0);
  if (node)
    for (int i = 0; i < t->ndim; i++)
      node->iargs[i] = dims[i];
  return out;
}

lm_tensor *lm_permute(const lm_tensor *t, const int *dims)
{
  if (!t)
    return NULL;
  if (!dims && t->ndim > 0) {
    lm_error("permute: dims is NULL (expected %d dims)", t->ndim);
    return NULL;
  }
  int d[LM_MAX_DIMS];
  bool seen[LM_MAX_DIMS] = {false};
  for (int i = 0; i < t->ndim; i++) {
    d[i] = dims[i];
    if (!lm_check_dim("permute", &d[i], t->ndim))
      return NULL;
    if (seen[d[i]]) {
      lm_error("permute: dim %d appears more than once in the permutation", d[i]);
      return NULL;
    }
    seen[d[i]] = true;
  }
  return permute_impl("permute", t, d);
}

lm_tensor *lm_transpose(const lm_tensor *t, int dim0, int dim1)
{
  if (!t)
    return NULL;
  if (!lm_check_dim("transpose", &dim0, t->ndim) || !lm_check_dim("transpose", &dim1, t->ndim))
    return NULL;
  int d[LM_MAX_DIMS];
  for (int i = 0; i < t->ndim; i++)
    d[i] = i;
  if (t->ndim > 0) {
    d[dim0] = dim1;
    d[dim1] = dim0;
  }
  return permute_impl("transpose", t, d);
}

/* ---- slicing ---- */

/* gin = zeros(input shape), with g copied into the same view of it the
 * forward took (geometry in iargs: [0] dim, [1] start, [2] step, [3] select?). */
static void slice_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  if (!lm_node_input_needs_grad(node, 0))
    return;
  const lm_tensor *in = node->inputs[0];
  lm_tensor *z = lm_zeros_like(in);
  if (!z)
    return;
  int dim = (int)node->iargs[0];
  int64_t start = node->iargs[1], step = node->iargs[2];
  bool select = node->iargs[3] != 0;
  int64_t sh[LM_MAX_DIMS], st[LM_MAX_DIMS];
  int n = 0;
  for (int i = 0; i < z->ndim; i++) {
    if (i == dim && select)
      continue;
    sh[n] = i == dim ? g->shape[n] : z->shape[i];
    st[n] = i == dim ? z->stride[i] * step : z->stride[i];
    n++;
  }
  lm_tensor *v = lm_tensor_new_view(z, n, sh, st, z->offset + start * z->stride[dim]);
  if (v)
    copy_into(v, g);
  gin[0] = z;
}

lm_tensor *lm_slice(const lm_tensor *t, int dim, int64_t start, int64_t end, int64_t step)
{
  int64_t t0 = lm_op_start(t);
  if (!t)
    return NULL;
  if (t->ndim == 0) {
    lm_error("slice: cannot slice a 0-d tensor");
    return NULL;
  }
  if (!lm_check_dim("slice", &dim, t->ndim))
    return NULL;
  if (step <= 0) {
    lm_error("slice: step must be positive, got %lld", (long long)step);
    return NULL;
  }
  int64_t size = t->shape[dim];
  if (start < 0)
    start += size;
  if (end < 0)
    end += size;
  start = start < 0 ? 0 : start > size ? size : start;
  end = end < start ? start : end > size ? size : end;
  int64_t sh[LM_MAX_DIMS], st[LM_MAX_DIMS];
  memcpy(sh, t->shape, sizeof sh);
  memcpy(st, t->stride, sizeof st);
  sh[dim] = (end - start + step - 1) / step;
  st[dim] = t->stride[dim] * step;
  lm_tensor *out = lm_tensor_new_view(t, t->ndim, sh, st, t->offset + start * t->stride[dim]);
  lm_node *node;
  finish1("slice", t, out, slice_backward, &node, t0);
  if (node) {
    node->iargs[0] = dim;
    node->iargs[1] = start;
    node->iargs[2] = step;
    node->iargs[3] = 0;
  }
  return out;
}

lm_tensor *lm_select(const lm_tensor *t, int dim, int64_t index)
{
  int64_t t0 = lm_op_start(t);
  if (!t)
    return NULL;
  if (t->ndim == 0) {
    lm_error("select: cannot select on a 0-d tensor");
    return NULL;
  }
  if (!lm_check_dim("select", &dim, t->ndim))
    return NULL;
  int64_t size = t->shape[dim];
  if (index < -size || index >= size) {
    lm_error("select: index %lld out of range for dim %d of size %lld", (long long)index, dim,
             (long long)size);
    return NULL;
  }
  if (index < 0)
    index += size;
  int64_t sh[LM_MAX_DIMS], st[LM_MAX_DIMS];
  int n = 0;
  for (int i = 0; i < t->ndim; i++) {
    if (i == dim)
      continue;
    sh[n] = t->shape[i];
    st[n] = t->stride[i];
    n++;
  }
  lm_tensor *out = lm_tensor_new_view(t, n, sh, st, t->offset + index * t->stride[dim]);
  lm_node *node;
  finish1("select", t, out, slice_backward, &node, t0);
  if (node) {
    node->iargs[0] = dim;
    node->iargs[1] = index;
    node->iargs[2] = 1;
    node->iargs[3] = 1;
  }
  return out;
}

/* ---- expand ---- */

static void expand_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  /* The engine sums the output-shaped gradient back to the input's shape. */
  identity_backward(node, g, gin);
}

lm_tensor *lm_expand(const lm_tensor *t, int ndim, const int64_t *shape)
{
  int64_t t0 = lm_op_start(t);
  if (!t)
    return NULL;
  if (!shape && ndim > 0) {
    lm_error("expand: shape is NULL (expected %d sizes)", ndim);
    return NULL;
  }
  char b1[LM_SHAPE_STR_LEN], b2[LM_SHAPE_STR_LEN];
  if (ndim < t->ndim || ndim > LM_MAX_DIMS) {
    lm_error("expand: the number of sizes provided (%d) must be greater or equal to the number "
             "of dimensions in the tensor (%d)", ndim, t->ndim);
    return NULL;
  }
  int64_t sh[LM_MAX_DIMS], st[LM_MAX_DIMS];
  for (int i = 0; i < ndim; i++) {
    int td = i - (ndim - t->ndim);
    int64_t want = shape[i];
    if (td < 0) {
      if (want < 0) {
        lm_error("expand: -1 is not allowed in a leading, non-existing dimension (dim %d)", i);
        return NULL;
      }
      sh[i] = want;
      st[i] = 0;
      continue;
    }
    int64_t have = t->shape[td];
    if (want == -1)
      want = have;
    if (have == want) {
      sh[i] = have;
      st[i] = t->stride[td];
    } else if (have == 1 && want >= 0) {
      sh[i] = want;
      st[i] = 0;
    } else {
      lm_error("expand: the expanded size of the tensor (%lld) must match the existing size "
               "(%lld) at non-singleton dimension %d; target sizes %s, tensor sizes %s",
               (long long)want, (long long)have, i, lm_shape_str_n(ndim, shape, b1, sizeof b1),
               lm_shape_str(t, b2, sizeof b2));
      return NULL;
    }
  }
  lm_tensor *out = lm_tensor_new_view(t, ndim, sh, st, t->offset);
  return finish1("expand", t, out, expand_backward, NULL, t0);
}

/* ---- detach, contiguous, clone ---- */

lm_tensor *lm_detach(const lm_tensor *t)
{
  int64_t t0 = lm_op_start(t);
  if (!t)
    return NULL;
  lm_tensor *out = lm_scope_adopt(lm_detach_owned(t));
  lm_hook_forward("detach", NULL, out, t0);
  return out;
}

lm_tensor *lm_contiguous(const lm_tensor *t)
{
  int64_t t0 = lm_op_start(t);
  if (!t)
    return NULL;
  if (lm_is_contiguous(t))
    return lm_scope_adopt(lm_tensor_retain((lm_tensor *)t));
  lm_tensor *out = lm_tensor_new_out(t->ndim, t->shape, t->dtype, t->device);
  if (out)
    copy_into(out, t);
  return finish1("contiguous", t, out, identity_backward, NULL, t0);
}

lm_tensor *lm_clone(const lm_tensor *t)
{
  int64_t t0 = lm_op_start(t);
  if (!t)
    return NULL;
  lm_tensor *out = lm_tensor_new_out(t->ndim, t->shape, t->dtype, t->device);
  if (out)
    copy_into(out, t);
  return finish1("clone", t, out, identity_backward, NULL, t0);
}

/* ---- cat ---- */

static void cat_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  int dim = (int)node->iargs[0];
  int64_t pos = 0;
  for (int i = 0; i < node->n_inputs; i++) {
    const lm_tensor *in = node->inputs[i];
    int64_t len = in->shape[dim];
    if (lm_node_input_needs_grad(node, i)) {
      int64_t st[LM_MAX_DIMS];
      memcpy(st, g->stride, sizeof st);
      gin[i] = lm_tensor_new_view(g, g->ndim, in->shape, st, g->offset + pos * g->stride[dim]);
    }
    pos += len;
  }
}

lm_tensor *lm_cat(lm_tensor *const *tensors, int n, int dim)
{
  int64_t started = lm_op_start(n > 0 && tensors ? tensors[0] : NULL);
  if (!tensors || n <= 0) {
    lm_error("cat: expected a non-empty list of tensors");
    return NULL;
  }
  for (int i = 0; i < n; i++)
    if (!tensors[i])
      return NULL;
  const lm_tensor *t0 = tensors[0];
  if (t0->ndim == 0) {
    lm_error("cat: zero-dimensional tensor (at position 0) cannot be concatenated");
    return NULL;
  }
  if (!lm_check_dim("cat", &dim, t0->ndim))
    return NULL;
  int64_t total = 0;
  char b1[LM_SHAPE_STR_LEN], b2[LM_SHAPE_STR_LEN];
  for (int i = 0; i < n; i++) {
    const lm_tensor *t = tensors[i];
    if (t->dtype != t0->dtype) {
      lm_error("cat: expected all tensors to have dtype %s, got %s at position %d",
               lm_dtype_name(t0->dtype), lm_dtype_name(t->dtype), i);
      return NULL;
    }
    if (!lm_check_same_device("cat", t0, t))
      return NULL;
    bool ok = t->ndim == t0->ndim;
    for (int d = 0; ok && d < t->ndim; d++)
      ok = d == dim || t->shape[d] == t0->shape[d];
    if (!ok) {
      lm_error("cat: sizes of tensors must match except in dimension %d: got %s at position 0 "
               "and %s at position %d", dim, lm_shape_str(t0, b1, sizeof b1),
               lm_shape_str(t, b2, sizeof b2), i);
      return NULL;
    }
    total += t->shape[dim];
  }
  int64_t sh[LM_MAX_DIMS];
  memcpy(sh, t0->shape, sizeof sh);
  sh[dim] = total;
  lm_tensor *out = lm_tensor_new_out(t0->ndim, sh, t0->dtype, t0->device);
  if (!out)
    return NULL;
  int64_t pos = 0;
  for (int i = 0; i < n; i++) {
    const lm_tensor *t = tensors[i];
    lm_tensor view = *out; /* a stack header describing out's slice; never escapes */
    view.shape[dim] = t->shape[dim];
    view.offset = out->offset + pos * out->stride[dim];
    copy_into(&view, t);
    pos += t->shape[dim];
  }
  lm_node *node = NULL;
  if (lm_needs_grad_n(n, (const lm_tensor *const *)tensors)) {
    node = lm_node_record(out, "cat", cat_backward, n, (const lm_tensor *const *)tensors);
    if (node)
      node->iargs[0] = dim;
  }
  lm_hook_forward("cat", node, out, started);
  return out;
}

/* ---- devices ---- */

static void to_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  if (lm_node_input_needs_grad(node, 0))
    gin[0] = lm_to(g, node->inputs[0]->device);
}

lm_tensor *lm_to(const lm_tensor *t, lm_device device)
{
  int64_t t0 = lm_op_start(t);
  if (!t)
    return NULL;
  if (t->device.type == device.type && t->device.index == device.index)
    return lm_scope_adopt(lm_tensor_retain((lm_tensor *)t));
  const lm_backend *src_be = lm_backend_of(t->device);
  const lm_backend *dst_be = lm_backend_of(device);
  if (!src_be || !dst_be)
    return NULL;
  lm_tensor *c = lm_contiguous_owned(t);
  if (!c)
    return NULL;
  lm_tensor *out = lm_tensor_new_out(t->ndim, t->shape, t->dtype, device);
  size_t nbytes = (size_t)lm_numel(t) * lm_dtype_size(t->dtype);
  if (out) {
    if (t->device.type == LM_DEVICE_CPU) {
      dst_be->copy_from_host(device.index, lm_data_ptr(out), lm_data_ptr(c), nbytes);
    } else if (device.type == LM_DEVICE_CPU) {
      src_be->copy_to_host(t->device.index, lm_data_ptr(out), lm_data_ptr(c), nbytes);
    } else {
      /* Between two GPUs: stage through the host (rare; peer copies can come later). */
      void *host = malloc(nbytes ? nbytes : 1);
      if (host) {
        src_be->copy_to_host(t->device.index, host, lm_data_ptr(c), nbytes);
        dst_be->copy_from_host(device.index, lm_data_ptr(out), host, nbytes);
        free(host);
      } else {
        lm_error("to: out of memory staging %zu bytes", nbytes);
      }
    }
  }
  lm_tensor_release(c);
  return finish1("to", t, out, to_backward, NULL, t0);
}
