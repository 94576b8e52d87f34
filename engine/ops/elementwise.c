/* elementwise.c: arithmetic ops with PyTorch broadcasting (add, sub, mul, div,
 * pow), their scalar variants, and the unary math and activation ops
 * (neg, exp, log, sqrt, abs, clamp, relu, sigmoid, tanh, gelu), forward and
 * backward.
 *
 * Binary ops run one strided kernel over the broadcast shape (no expanded
 * copies); unary ops run on contiguous buffers (a strided input is copied
 * once). Backward of a broadcasting op returns output-shaped gradients and the
 * autograd engine sums them back to each input's shape.
 * Not for: reductions, matmul, softmax (their own files).
 */
#include <math.h>

#include "lm-backend.h"
#include "lm-engine-private.h"

/* ---- binary ---- */

/* out = a (op) b with broadcasting; no graph, no hook (scoped result). */
static lm_tensor *binary_raw(const char *name, lm_binary_op op, const lm_tensor *a,
                             const lm_tensor *b)
{
  if (!a || !b)
    return NULL;
  if (!lm_check_float(name, a) || !lm_check_float(name, b) || !lm_check_same_device(name, a, b))
    return NULL;
  int nd;
  int64_t shape[LM_MAX_DIMS];
  if (!lm_broadcast_shape(name, a, b, &nd, shape))
    return NULL;
  lm_tensor *out = lm_tensor_new_out(nd, shape, LM_FLOAT32, a->device);
  if (!out)
    return NULL;
  const lm_tensor *ops[3] = {out, a, b};
  lm_iter it;
  lm_iter_init(&it, nd, shape, 3, ops);
  lm_backend_of(a->device)->binary_f32(op, &it, lm_data_ptr(out), lm_data_ptr(a), lm_data_ptr(b));
  return out;
}

static void add_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  if (lm_node_input_needs_grad(node, 0))
    gin[0] = lm_tensor_retain((lm_tensor *)g);
  if (lm_node_input_needs_grad(node, 1))
    gin[1] = lm_tensor_retain((lm_tensor *)g);
}

static void sub_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  if (lm_node_input_needs_grad(node, 0))
    gin[0] = lm_tensor_retain((lm_tensor *)g);
  if (lm_node_input_needs_grad(node, 1))
    gin[1] = lm_neg(g);
}

static void mul_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  const lm_tensor *a = node->saved[0], *b = node->saved[1];
  if (lm_node_input_needs_grad(node, 0))
    gin[0] = lm_mul(g, b);
  if (lm_node_input_needs_grad(node, 1))
    gin[1] = lm_mul(g, a);
}

static void div_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  const lm_tensor *a = node->saved[0], *b = node->saved[1];
  if (lm_node_input_needs_grad(node, 0))
    gin[0] = lm_div(g, b);
  if (lm_node_input_needs_grad(node, 1)) /* -g a / b^2 */
    gin[1] = lm_neg(lm_div(lm_mul(g, a), lm_mul(b, b)));
}

static void pow_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  const lm_tensor *a = node->saved[0], *b = node->saved[1];
  if (lm_node_input_needs_grad(node, 0))
    gin[0] = lm_mul(g, binary_raw("pow", LM_BIN_POW_DA, a, b));
  if (lm_node_input_needs_grad(node, 1))
    gin[1] = lm_mul(g, binary_raw("pow", LM_BIN_POW_DB, a, b));
}

static lm_tensor *binary_op(const char *name, lm_binary_op op, const lm_tensor *a,
                            const lm_tensor *b, lm_backward_fn backward, bool save_inputs)
{
  int64_t t0 = lm_op_start(a);
  lm_tensor *out = binary_raw(name, op, a, b);
  if (!out)
    return NULL;
  lm_node *node = NULL;
  if (lm_needs_grad(a, b)) {
    const lm_tensor *in[2] = {a, b};
    node = lm_node_record(out, name, backward, 2, in);
    if (save_inputs) {
      lm_node_save(node, a);
      lm_node_save(node, b);
    }
  }
  lm_hook_forward(name, node, out, t0);
  return out;
}

lm_tensor *lm_add(const lm_tensor *a, const lm_tensor *b)
{
  return binary_op("add", LM_BIN_ADD, a, b, add_backward, false);
}

lm_tensor *lm_sub(const lm_tensor *a, const lm_tensor *b)
{
  return binary_op("sub", LM_BIN_SUB, a, b, sub_backward, false);
}

lm_tensor *lm_mul(const lm_tensor *a, const lm_tensor *b)
{
  return binary_op("mul", LM_BIN_MUL, a, b, mul_backward, true);
}

lm_tensor *lm_div(const lm_tensor *a, const lm_tensor *b)
{
  return binary_op("div", LM_BIN_DIV, a, b, div_backward, true);
}

lm_tensor *lm_pow(const lm_tensor *a, const lm_tensor *b)
{
  return binary_op("pow", LM_BIN_POW, a, b, pow_backward, true);
}

/* ---- unary ---- */

enum { NEED_X = 1, NEED_Y = 2 };

static void unary_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  if (!lm_node_input_needs_grad(node, 0))
    return;
  lm_unary_op op = (lm_unary_op)node->iargs[0];
  int need = (int)node->iargs[1];
  int k = 0;
  const lm_tensor *x = (need & NEED_X) ? node->saved[k++] : NULL;
  const lm_tensor *y = (need & NEED_Y) ? node->saved[k++] : NULL;
  lm_tensor *xc = x ? lm_contiguous_owned(x) : NULL;
  lm_tensor *out = lm_tensor_new_out(g->ndim, g->shape, LM_FLOAT32, g->device);
  if (out && (!x || xc))
    lm_backend_of(g->device)->unary_backward_f32(op, lm_numel(g), lm_data_ptr(g),
                                                 xc ? lm_data_ptr(xc) : NULL,
                                                 y ? lm_data_ptr(y) : NULL,
                                                 (float)node->fargs[0], (float)node->fargs[1],
                                                 lm_data_ptr(out));
  lm_tensor_release(xc);
  gin[0] = out;
}

static lm_tensor *unary_op(const char *name, lm_unary_op op, const lm_tensor *a, float p0, float p1,
                           int need)
{
  int64_t t0 = lm_op_start(a);
  if (!a || !lm_check_float(name, a))
    return NULL;
  lm_tensor *ac = lm_contiguous_owned(a);
  if (!ac)
    return NULL;
  lm_tensor *out = lm_tensor_new_out(a->ndim, a->shape, LM_FLOAT32, a->device);
  if (out)
    lm_backend_of(a->device)->unary_f32(op, lm_numel(a), lm_data_ptr(ac), p0, p1, lm_data_ptr(out));
  lm_tensor_release(ac);
  if (!out)
    return NULL;
  lm_node *node = NULL;
  if (lm_needs_grad(a, NULL)) {
    const lm_tensor *in[1] = {a};
    node = lm_node_record(out, name, unary_backward, 1, in);
    if (node) {
      node->iargs[0] = op;
      node->iargs[1] = need;
      node->fargs[0] = p0;
      node->fargs[1] = p1;
      if (need & NEED_X)
        lm_node_save(node, a);
      if (need & NEED_Y)
        lm_node_save_detached(node, out);
    }
  }
  lm_hook_forward(name, node, out, t0);
  return out;
}

lm_tensor *lm_neg(const lm_tensor *a) { return unary_op("neg", LM_UN_NEG, a, 0, 0, 0); }
lm_tensor *lm_exp(const lm_tensor *a) { return unary_op("exp", LM_UN_EXP, a, 0, 0, NEED_Y); }
lm_tensor *lm_log(const lm_tensor *a) { return unary_op("log", LM_UN_LOG, a, 0, 0, NEED_X); }
lm_tensor *lm_sqrt(const lm_tensor *a) { return unary_op("sqrt", LM_UN_SQRT, a, 0, 0, NEED_Y); }
lm_tensor *lm_abs(const lm_tensor *a) { return unary_op("abs", LM_UN_ABS, a, 0, 0, NEED_X); }
lm_tensor *lm_relu(const lm_tensor *a) { return unary_op("relu", LM_UN_RELU, a, 0, 0, NEED_Y); }
lm_tensor *lm_sigmoid(const lm_tensor *a) { return unary_op("sigmoid", LM_UN_SIGMOID, a, 0, 0, NEED_Y); }
lm_tensor *lm_tanh(const lm_tensor *a) { return unary_op("tanh", LM_UN_TANH, a, 0, 0, NEED_Y); }
lm_tensor *lm_gelu(const lm_tensor *a) { return unary_op("gelu", LM_UN_GELU, a, 0, 0, NEED_X); }

lm_tensor *lm_clamp(const lm_tensor *a, float min, float max)
{
  if (isnan(min) || isnan(max)) {
    lm_error("clamp: min and max must not be NaN (use -INFINITY/INFINITY for an open side)");
    return NULL;
  }
  return unary_op("clamp", LM_UN_CLAMP, a, min, max, NEED_X);
}

lm_tensor *lm_add_scalar(const lm_tensor *a, float s)
{
  return unary_op("add_scalar", LM_UN_ADD_SCALAR, a, s, 0, 0);
}

lm_tensor *lm_sub_scalar(const lm_tensor *a, float s)
{
  return unary_op("sub_scalar", LM_UN_ADD_SCALAR, a, -s, 0, 0);
}

lm_tensor *lm_mul_scalar(const lm_tensor *a, float s)
{
  return unary_op("mul_scalar", LM_UN_MUL_SCALAR, a, s, 0, 0);
}

lm_tensor *lm_div_scalar(const lm_tensor *a, float s)
{
  return unary_op("div_scalar", LM_UN_DIV_SCALAR, a, s, 0, 0);
}

lm_tensor *lm_pow_scalar(const lm_tensor *a, float exponent)
{
  return unary_op("pow_scalar", LM_UN_POW_SCALAR, a, exponent, 0, NEED_X);
}
