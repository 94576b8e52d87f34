/* linear.c: y = x W^T + b (torch.nn.functional.linear), the op behind
 * nn.Linear: the bias is broadcast into y first and one sgemm with beta = 1
 * adds x W^T (W is read transposed in place, never copied). Backward is two
 * sgemms (dx = g W, dW = g^T x) and a column sum for db, each skipped when
 * that input needs no gradient.
 * Not for: general matmul (matmul.c).
 */
#include "lm-backend.h"
#include "lm-engine-private.h"

/* W (out, in) as gemm operand; copies only a W gemm cannot read in place. */
static const float *weight_operand(const lm_tensor *w, bool transpose, lm_tensor **copy, bool *trans,
                                   int64_t *ld)
{
  int64_t r = w->shape[0], c = w->shape[1], sr = w->stride[0], sc = w->stride[1];
  bool ok = transpose ? lm_matrix_layout(c, r, sc, sr, trans, ld)
                      : lm_matrix_layout(r, c, sr, sc, trans, ld);
  *copy = NULL;
  if (ok)
    return lm_data_ptr(w);
  *copy = lm_contiguous_owned(w);
  if (!*copy)
    return NULL;
  if (transpose)
    lm_matrix_layout(c, r, 1, c, trans, ld);
  else
    lm_matrix_layout(r, c, c, 1, trans, ld);
  return lm_data_ptr(*copy);
}

static void linear_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  const lm_tensor *xc = node->saved[0], *w = node->saved[1];
  int64_t in_f = w->shape[1], out_f = w->shape[0];
  int64_t rows = out_f ? lm_numel(g) / out_f : 0;
  const lm_backend *be = lm_backend_of(g->device);
  const float *pg = lm_data_ptr(g);
  if (lm_node_input_needs_grad(node, 0)) {
    /* dx (rows, in) = g (rows, out) @ W (out, in) */
    lm_tensor *dx = lm_tensor_new_out(xc->ndim, xc->shape, LM_FLOAT32, g->device);
    lm_tensor *wc;
    bool tw;
    int64_t ldw;
    const float *pw = weight_operand(w, false, &wc, &tw, &ldw);
    if (dx && pw)
      be->gemm_f32(false, tw, rows, in_f, out_f, 1.0f, pg, out_f, 0, pw, ldw, 0, 0.0f,
                   lm_data_ptr(dx), in_f, 0, 1);
    lm_tensor_release(wc);
    gin[0] = dx;
  }
  if (lm_node_input_needs_grad(node, 1)) {
    /* dW (out, in) = g^T (out, rows) @ x (rows, in) */
    lm_tensor *dw = lm_tensor_new_out(2, w->shape, LM_FLOAT32, g->device);
    if (dw)
      be->gemm_f32(true, false, out_f, in_f, rows, 1.0f, pg, out_f, 0, lm_data_ptr(xc), in_f, 0,
                   0.0f, lm_data_ptr(dw), in_f, 0, 1);
    gin[1] = dw;
  }
  if (node->n_inputs > 2 && lm_node_input_needs_grad(node, 2)) {
    lm_tensor *db = lm_tensor_new_out(1, &out_f, LM_FLOAT32, g->device);
    if (db)
      be->reduce_f32(LM_RED_SUM, 1, rows, out_f, pg, lm_data_ptr(db), NULL);
    gin[2] = db;
  }
}

lm_tensor *lm_linear(const lm_tensor *x, const lm_tensor *weight, const lm_tensor *bias)
{
  int64_t t0 = lm_op_start(x);
  static const char *op = "linear";
  if (!x || !weight)
    return NULL;
  if (!lm_check_float(op, x) || !lm_check_float(op, weight) || !lm_check_same_device(op, x, weight))
    return NULL;
  if (bias && (!lm_check_float(op, bias) || !lm_check_same_device(op, x, bias)))
    return NULL;
  char b1[LM_SHAPE_STR_LEN], b2[LM_SHAPE_STR_LEN];
  if (weight->ndim != 2) {
    lm_error("linear: weight must be 2-D (out_features x in_features), got %s",
             lm_shape_str(weight, b1, sizeof b1));
    return NULL;
  }
  int64_t out_f = weight->shape[0], in_f = weight->shape[1];
  if (x->ndim < 1 || x->shape[x->ndim - 1] != in_f) {
    /* PyTorch's words (F.linear multiplies by weight.T: 128x10 for a
     * Linear(128, 10)), then what they mean for a layer. */
    lm_error("linear: mat1 and mat2 shapes cannot be multiplied (%s and %lldx%lld): the input "
             "has %lld features, the weight %s expects %lld",
             lm_shape_str_bare(x, b1, sizeof b1), (long long)in_f, (long long)out_f,
             x->ndim ? (long long)x->shape[x->ndim - 1] : 0LL, lm_shape_str(weight, b2, sizeof b2),
             (long long)in_f);
    return NULL;
  }
  if (bias && (bias->ndim != 1 || bias->shape[0] != out_f)) {
    lm_error("linear: bias of shape %s does not match %lld output features",
             lm_shape_str(bias, b1, sizeof b1), (long long)out_f);
    return NULL;
  }
  lm_tensor *xc = lm_contiguous_owned(x);
  lm_tensor *bc = bias ? lm_contiguous_owned(bias) : NULL;
  lm_tensor *wc = NULL;
  bool tw;
  int64_t ldw;
  const float *pw = xc ? weight_operand(weight, true, &wc, &tw, &ldw) : NULL;
  int64_t shape[LM_MAX_DIMS];
  for (int i = 0; i < x->ndim - 1; i++)
    shape[i] = x->shape[i];
  shape[x->ndim - 1] = out_f;
  lm_tensor *out = (pw && (!bias || bc)) ? lm_tensor_new_out(x->ndim, shape, LM_FLOAT32, x->device) : NULL;
  if (out) {
    const lm_backend *be = lm_backend_of(x->device);
    int64_t rows = in_f ? lm_numel(x) / in_f : lm_numel(out) / (out_f ? out_f : 1);
    float *py = lm_data_ptr(out);
    if (bc)
      be->fill_rows_f32(rows, out_f, lm_data_ptr(bc), py);
    be->gemm_f32(false, tw, rows, out_f, in_f, 1.0f, lm_data_ptr(xc), in_f, 0, pw, ldw, 0,
                 bc ? 1.0f : 0.0f, py, out_f, 0, 1);
  }
  lm_tensor_release(wc);
  lm_tensor_release(bc);
  lm_node *node = NULL;
  if (out) {
    const lm_tensor *in[3] = {x, weight, bias};
    if (lm_needs_grad_n(bias ? 3 : 2, in)) {
      node = lm_node_record(out, op, linear_backward, bias ? 3 : 2, in);
      lm_node_save(node, xc);
      lm_node_save(node, weight);
    }
  }
  lm_tensor_release(xc);
  lm_hook_forward(op, node, out, t0);
  return out;
}
