/* pool2d.c: the max_pool2d and avg_pool2d ops (forward, backward, checks).
 *
 * PyTorch's F.max_pool2d / F.avg_pool2d with dilation 1, ceil_mode and (avg)
 * count_include_pad (and avg's divisor_override): input (N, C, H, W) or (C, H, W); a stride of 0 means
 * "the kernel size" (PyTorch's stride=None). The output size is PyTorch's
 * pooling_output_shape: with ceil_mode the last window may start in the
 * right padding but not past it (PyTorch drops such a window). max_pool2d keeps the
 * winners' indices for backward, as PyTorch's return_indices does internally.
 *
 * Not here: the kernels (engine/cpu/pool2d.c), the modules (engine/nn/layers.c).
 */
#include "lm-backend.h"
#include "lm-engine-private.h"

enum { G_PLANES, G_H, G_W, G_OH, G_OW, G_KH, G_KW, G_SH, G_SW, G_PH, G_PW, G_EXCL, G_DIV };

static void geom_to_node(const lm_pool2d_geom *g, lm_node *node)
{
  int64_t v[] = {g->planes, g->h, g->w, g->oh, g->ow, g->kh, g->kw, g->sh, g->sw, g->ph, g->pw,
                 g->exclude_pad, g->divisor};
  for (int i = 0; i < (int)(sizeof v / sizeof v[0]); i++)
    node->iargs[i] = v[i];
}

static lm_pool2d_geom geom_from_node(const lm_node *node)
{
  const int64_t *a = node->iargs;
  return (lm_pool2d_geom){.planes = a[G_PLANES], .h = a[G_H], .w = a[G_W], .oh = a[G_OH],
                          .ow = a[G_OW], .kh = a[G_KH], .kw = a[G_KW], .sh = a[G_SH],
                          .sw = a[G_SW], .ph = a[G_PH], .pw = a[G_PW],
                          .exclude_pad = a[G_EXCL], .divisor = a[G_DIV]};
}

/* Output size along one axis, PyTorch's pooling_output_shape (dilation 1):
 * with ceil_mode a window that would start past the right padding is dropped. */
static int64_t pool_out_size(int64_t in, int64_t k, int64_t s, int64_t pad, bool ceil_mode)
{
  int64_t num = in + 2 * pad - k + (ceil_mode ? s - 1 : 0);
  int64_t out = (num >= 0 ? num / s : -((-num + s - 1) / s)) + 1; /* floor division */
  if (ceil_mode && (out - 1) * s >= in + pad)
    out--;
  return out;
}

/* Checks and fills the geometry; the message names op, input and window. */
static bool pool_geom(const char *op, const lm_tensor *x, int kh, int kw, int sh, int sw,
                      int ph, int pw, bool ceil_mode, lm_pool2d_geom *g)
{
  char xs[LM_SHAPE_STR_LEN];
  if (!lm_check_float(op, x))
    return false;
  lm_shape_str(x, xs, sizeof xs);
  if (x->ndim != 3 && x->ndim != 4) {
    lm_error("%s: expected 3-D (C x H x W) or 4-D (N x C x H x W) input, got %s", op, xs);
    return false;
  }
  if (sh == 0)
    sh = kh;
  if (sw == 0)
    sw = kw;
  if (kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || ph < 0 || pw < 0) {
    lm_error("%s: kernel size (%d, %d) and stride (%d, %d) must be positive and padding "
             "(%d, %d) non-negative", op, kh, kw, sh, sw, ph, pw);
    return false;
  }
  if (ph > kh / 2 || pw > kw / 2) {
    lm_error("%s: pad should be at most half of kernel size, but got pad=(%d, %d) and "
             "kernel_size=(%d, %d)", op, ph, pw, kh, kw);
    return false;
  }
  const int b = x->ndim == 4;
  g->planes = (b ? x->shape[0] : 1) * x->shape[b];
  g->h = x->shape[b + 1];
  g->w = x->shape[b + 2];
  g->kh = kh; g->kw = kw; g->sh = sh; g->sw = sw; g->ph = ph; g->pw = pw;
  g->exclude_pad = 0;
  g->divisor = 0;
  g->oh = pool_out_size(g->h, kh, sh, ph, ceil_mode);
  g->ow = pool_out_size(g->w, kw, sw, pw, ceil_mode);
  if (g->h + 2 * ph < kh || g->w + 2 * pw < kw || g->oh <= 0 || g->ow <= 0) {
    lm_error("%s: input %s with padding (%d, %d) is smaller than the %dx%d window", op, xs,
             ph, pw, kh, kw);
    return false;
  }
  return true;
}

static lm_tensor *pool_out(const lm_tensor *x, const lm_pool2d_geom *g)
{
  int64_t shape[4];
  for (int i = 0; i < x->ndim - 2; i++)
    shape[i] = x->shape[i];
  shape[x->ndim - 2] = g->oh;
  shape[x->ndim - 1] = g->ow;
  return lm_tensor_new_out(x->ndim, shape, LM_FLOAT32, x->device);
}

static void max_pool2d_backward(lm_node *node, const lm_tensor *grad_out, lm_tensor **grad_in)
{
  lm_pool2d_geom g = geom_from_node(node);
  const lm_backend *be = lm_backend_of(grad_out->device);
  const lm_tensor *x = node->inputs[0];
  lm_tensor *dx = be ? lm_tensor_new_out(x->ndim, x->shape, LM_FLOAT32, grad_out->device) : NULL;
  if (!dx)
    return;
  be->max_pool2d_backward_f32(&g, lm_data_ptr(grad_out), lm_data_ptr(node->saved[0]),
                              lm_data_ptr(dx));
  grad_in[0] = dx;
}

lm_tensor *lm_max_pool2d_ex(const lm_tensor *x, int kh, int kw, int sh, int sw, int ph, int pw,
                            bool ceil_mode)
{
  int64_t t0 = lm_op_start(x);
  lm_pool2d_geom g;
  if (!x || !pool_geom("max_pool2d", x, kh, kw, sh, sw, ph, pw, ceil_mode, &g))
    return NULL;
  const lm_backend *be = lm_backend_of(x->device);
  if (!be)
    return NULL;
  lm_tensor *xc = lm_contiguous_owned(x);
  lm_tensor *out = pool_out(x, &g);
  lm_tensor *idx = out ? lm_tensor_new_unscoped(out->ndim, out->shape, LM_INT64, x->device) : NULL;
  if (!xc || !out || !idx) {
    lm_tensor_release(xc);
    lm_tensor_release(idx);
    return NULL;
  }
  be->max_pool2d_forward_f32(&g, lm_data_ptr(xc), lm_data_ptr(out), lm_data_ptr(idx));
  lm_node *node = NULL;
  if (lm_needs_grad(x, NULL)) {
    node = lm_node_record(out, "max_pool2d", max_pool2d_backward, 1, (const lm_tensor *[]){x});
    if (node) {
      geom_to_node(&g, node);
      lm_node_save(node, idx);
    }
  }
  lm_tensor_release(idx);
  lm_tensor_release(xc);
  lm_hook_forward("max_pool2d", node, out, t0);
  return out;
}

lm_tensor *lm_max_pool2d(const lm_tensor *x, int kh, int kw, int sh, int sw, int ph, int pw)
{
  return lm_max_pool2d_ex(x, kh, kw, sh, sw, ph, pw, false);
}

static void avg_pool2d_backward(lm_node *node, const lm_tensor *grad_out, lm_tensor **grad_in)
{
  lm_pool2d_geom g = geom_from_node(node);
  const lm_backend *be = lm_backend_of(grad_out->device);
  const lm_tensor *x = node->inputs[0];
  lm_tensor *dx = be ? lm_tensor_new_out(x->ndim, x->shape, LM_FLOAT32, grad_out->device) : NULL;
  if (!dx)
    return;
  be->avg_pool2d_backward_f32(&g, lm_data_ptr(grad_out), lm_data_ptr(dx));
  grad_in[0] = dx;
}

/* avg_pool2d with count_include_pad and divisor_override (0: none). */
static lm_tensor *avg_pool2d(const lm_tensor *x, int kh, int kw, int sh, int sw, int ph, int pw,
                             bool ceil_mode, bool count_include_pad, int divisor)
{
  int64_t t0 = lm_op_start(x);
  lm_pool2d_geom g;
  if (!x || !pool_geom("avg_pool2d", x, kh, kw, sh, sw, ph, pw, ceil_mode, &g))
    return NULL;
  g.exclude_pad = !count_include_pad;
  g.divisor = divisor;
  const lm_backend *be = lm_backend_of(x->device);
  if (!be)
    return NULL;
  lm_tensor *xc = lm_contiguous_owned(x);
  lm_tensor *out = pool_out(x, &g);
  if (!xc || !out) {
    lm_tensor_release(xc);
    return NULL;
  }
  be->avg_pool2d_forward_f32(&g, lm_data_ptr(xc), lm_data_ptr(out));
  lm_node *node = NULL;
  if (lm_needs_grad(x, NULL)) {
    node = lm_node_record(out, "avg_pool2d", avg_pool2d_backward, 1, (const lm_tensor *[]){x});
    if (node)
      geom_to_node(&g, node);
  }
  lm_tensor_release(xc);
  lm_hook_forward("avg_pool2d", node, out, t0);
  return out;
}

lm_tensor *lm_avg_pool2d_ex(const lm_tensor *x, int kh, int kw, int sh, int sw, int ph, int pw,
                            bool ceil_mode, bool count_include_pad)
{
  return avg_pool2d(x, kh, kw, sh, sw, ph, pw, ceil_mode, count_include_pad, 0);
}

lm_tensor *lm_avg_pool2d_opts(const lm_tensor *x, int kh, int kw, const lm_pool2d_options *o)
{
  const lm_pool2d_options d = {0};
  if (!o)
    o = &d;
  return avg_pool2d(x, kh, kw, o->stride_h, o->stride_w, o->padding_h, o->padding_w, o->ceil_mode,
                    !o->no_count_include_pad, o->divisor_override);
}

lm_tensor *lm_max_pool2d_opts(const lm_tensor *x, int kh, int kw, const lm_pool2d_options *o)
{
  const lm_pool2d_options d = {0};
  if (!o)
    o = &d;
  return lm_max_pool2d_ex(x, kh, kw, o->stride_h, o->stride_w, o->padding_h, o->padding_w,
                          o->ceil_mode);
}

lm_tensor *lm_avg_pool2d(const lm_tensor *x, int kh, int kw, int sh, int sw, int ph, int pw)
{
  return lm_avg_pool2d_ex(x, kh, kw, sh, sw, ph, pw, false, true);
}
