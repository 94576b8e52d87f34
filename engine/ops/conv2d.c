/* conv2d.c: the conv2d op (forward, backward, checks), F.conv2d with groups=1.
 *
 * Input (N, Cin, H, W) or unbatched (Cin, H, W), weight (Cout, Cin, kh, kw),
 * optional bias (Cout); stride, zero padding and dilation per axis. The
 * arithmetic is the backend's (im2col + sgemm on the CPU, engine/cpu/conv2d.c);
 * this file checks shapes, allocates the output and the kernels' scratch, and
 * records the autograd node (saving the input and the weight).
 *
 * Not here: the kernels, the Conv2d module (engine/nn/layers.c).
 */
#include "lm-backend.h"
#include "lm-engine-private.h"

/* iargs layout of a conv2d node: the geometry, field by field. */
enum { G_N, G_CIN, G_H, G_W, G_COUT, G_KH, G_KW, G_OH, G_OW, G_SH, G_SW, G_PH, G_PW, G_DH, G_DW };
enum { SAVED_INPUT = 0, SAVED_WEIGHT = 1 };

static void geom_to_node(const lm_conv2d_geom *g, lm_node *node)
{
  int64_t v[] = {g->n, g->c_in, g->h, g->w, g->c_out, g->kh, g->kw, g->oh, g->ow,
                 g->sh, g->sw, g->ph, g->pw, g->dh, g->dw};
  for (int i = 0; i < (int)(sizeof v / sizeof v[0]); i++)
    node->iargs[i] = v[i];
}

static lm_conv2d_geom geom_from_node(const lm_node *node)
{
  const int64_t *a = node->iargs;
  return (lm_conv2d_geom){.n = a[G_N], .c_in = a[G_CIN], .h = a[G_H], .w = a[G_W],
                          .c_out = a[G_COUT], .kh = a[G_KH], .kw = a[G_KW], .oh = a[G_OH],
                          .ow = a[G_OW], .sh = a[G_SH], .sw = a[G_SW], .ph = a[G_PH],
                          .pw = a[G_PW], .dh = a[G_DH], .dw = a[G_DW]};
}

static void conv2d_backward(lm_node *node, const lm_tensor *grad_out, lm_tensor **grad_in)
{
  lm_conv2d_geom g = geom_from_node(node);
  const lm_tensor *xc = node->saved[SAVED_INPUT];
  const lm_tensor *w = node->saved[SAVED_WEIGHT];
  const lm_backend *be = lm_backend_of(grad_out->device);
  if (!be)
    return;
  const bool want_dx = lm_node_input_needs_grad(node, 0);
  const bool want_dw = lm_node_input_needs_grad(node, 1);
  const bool want_db = node->n_inputs > 2 && lm_node_input_needs_grad(node, 2);
  const lm_device dev = grad_out->device;

  /* The input may have been unbatched (Cin,H,W); dx takes the input's shape. */
  const lm_tensor *x = node->inputs[0];
  lm_tensor *dx = want_dx ? lm_tensor_new_out(x->ndim, x->shape, LM_FLOAT32, dev) : NULL;
  lm_tensor *dw = want_dw ? lm_tensor_new_out(4, (int64_t[]){g.c_out, g.c_in, g.kh, g.kw}, LM_FLOAT32, dev) : NULL;
  lm_tensor *db = want_db ? lm_tensor_new_out(1, (int64_t[]){g.c_out}, LM_FLOAT32, dev) : NULL;
  lm_tensor *ws = lm_tensor_new_unscoped(1, (int64_t[]){be->conv2d_workspace_f32(&g, true)},
                                         LM_FLOAT32, dev);
  if ((want_dx && !dx) || (want_dw && !dw) || (want_db && !db) || !ws) {
    lm_tensor_release(ws);
    return; /* allocation failed and was reported; scoped outputs go with the scope */
  }
  be->conv2d_backward_f32(&g, lm_data_ptr(grad_out), lm_data_ptr(xc), lm_data_ptr(w),
                          dx ? lm_data_ptr(dx) : NULL, dw ? lm_data_ptr(dw) : NULL,
                          db ? lm_data_ptr(db) : NULL, lm_data_ptr(ws));
  lm_tensor_release(ws);
  grad_in[0] = dx;
  grad_in[1] = dw;
  if (node->n_inputs > 2)
    grad_in[2] = db;
}

/* Output size of one axis, PyTorch's formula; <= 0 means the input is too small. */
static int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d)
{
  return (in + 2 * p - d * (k - 1) - 1) / s + 1;
}

lm_tensor *lm_conv2d(const lm_tensor *x, const lm_tensor *weight, const lm_tensor *bias,
                     int stride_h, int stride_w, int pad_h, int pad_w, int dil_h, int dil_w)
{
  int64_t t0 = lm_op_start(x);
  char xs[LM_SHAPE_STR_LEN], wss[LM_SHAPE_STR_LEN], bs[LM_SHAPE_STR_LEN];
  if (!x || !weight)
    return NULL;
  if (!lm_check_float("conv2d", x) || !lm_check_float("conv2d", weight) ||
      (bias && !lm_check_float("conv2d", bias)) || !lm_check_same_device("conv2d", x, weight) ||
      (bias && !lm_check_same_device("conv2d", x, bias)))
    return NULL;
  lm_shape_str(x, xs, sizeof xs);
  lm_shape_str(weight, wss, sizeof wss);
  if (weight->ndim != 4) {
    lm_error("conv2d: weight must be 4-D (out_channels x in_channels x kh x kw), got %s", wss);
    return NULL;
  }
  if (x->ndim != 4 && x->ndim != 3) {
    lm_error("conv2d: expected 3-D (C x H x W) or 4-D (N x C x H x W) input, got %s", xs);
    return NULL;
  }
  const bool batched = x->ndim == 4;
  const int64_t cin = x->shape[batched ? 1 : 0];
  if (weight->shape[1] != cin) {
    lm_error("conv2d: weight %s expects input with %lld channels, but input %s has %lld channels",
             wss, (long long)weight->shape[1], xs, (long long)cin);
    return NULL;
  }
  if (bias && (bias->ndim != 1 || bias->shape[0] != weight->shape[0])) {
    lm_error("conv2d: bias must be 1-D with %lld elements (one per output channel), got %s",
             (long long)weight->shape[0], lm_shape_str(bias, bs, sizeof bs));
    return NULL;
  }
  if (stride_h <= 0 || stride_w <= 0 || dil_h <= 0 || dil_w <= 0 || pad_h < 0 || pad_w < 0) {
    lm_error("conv2d: stride (%d, %d) and dilation (%d, %d) must be positive and padding "
             "(%d, %d) non-negative", stride_h, stride_w, dil_h, dil_w, pad_h, pad_w);
    return NULL;
  }

  lm_conv2d_geom g = {
    .n = batched ? x->shape[0] : 1, .c_in = cin,
    .h = x->shape[batched ? 2 : 1], .w = x->shape[batched ? 3 : 2],
    .c_out = weight->shape[0], .kh = weight->shape[2], .kw = weight->shape[3],
    .sh = stride_h, .sw = stride_w, .ph = pad_h, .pw = pad_w, .dh = dil_h, .dw = dil_w,
  };
  g.oh = out_size(g.h, g.kh, g.sh, g.ph, g.dh);
  g.ow = out_size(g.w, g.kw, g.sw, g.pw, g.dw);
  if (g.oh <= 0 || g.ow <= 0 || g.h + 2 * g.ph < g.dh * (g.kh - 1) + 1 ||
      g.w + 2 * g.pw < g.dw * (g.kw - 1) + 1) {
    lm_error("conv2d: input %s with padding (%d, %d) is smaller than the dilated kernel "
             "(%lld x %lld); output size would be (%lld x %lld)", xs, pad_h, pad_w,
             (long long)(g.dh * (g.kh - 1) + 1), (long long)(g.dw * (g.kw - 1) + 1),
             (long long)g.oh, (long long)g.ow);
    return NULL;
  }
  const lm_backend *be = lm_backend_of(x->device);
  if (!be)
    return NULL;

  lm_tensor *xc = lm_contiguous_owned(x);
  lm_tensor *wc = lm_contiguous_owned(weight);
  lm_tensor *bc = bias ? lm_contiguous_owned(bias) : NULL;
  int64_t out_shape[4] = {g.n, g.c_out, g.oh, g.ow};
  lm_tensor *out = batched ? lm_tensor_new_out(4, out_shape, LM_FLOAT32, x->device)
                           : lm_tensor_new_out(3, out_shape + 1, LM_FLOAT32, x->device);
  lm_tensor *ws = lm_tensor_new_unscoped(1, (int64_t[]){be->conv2d_workspace_f32(&g, false)},
                                         LM_FLOAT32, x->device);
  if (!xc || !wc || (bias && !bc) || !out || !ws) {
    lm_tensor_release(xc);
    lm_tensor_release(wc);
    lm_tensor_release(bc);
    lm_tensor_release(ws);
    return NULL;
  }

  be->conv2d_forward_f32(&g, lm_data_ptr(xc), lm_data_ptr(wc), bc ? lm_data_ptr(bc) : NULL,
                         lm_data_ptr(out), lm_data_ptr(ws));
  lm_tensor_release(ws);

  const lm_tensor *inputs[3] = {x, weight, bias};
  lm_node *node = NULL;
  if (lm_needs_grad_n(bias ? 3 : 2, inputs)) {
    node = lm_node_record(out, "conv2d", conv2d_backward, bias ? 3 : 2, inputs);
    if (node) {
      geom_to_node(&g, node);
      /* Backward rebuilds im2col blocks from the input: keep x, not the
       * (Cin*kh*kw)-times larger im2col matrix. */
      lm_node_save(node, xc);  /* SAVED_INPUT */
      lm_node_save(node, wc);  /* SAVED_WEIGHT */
    }
  }
  lm_tensor_release(xc);
  lm_tensor_release(wc);
  lm_tensor_release(bc);
  lm_hook_forward("conv2d", node, out, t0);
  return out;
}
