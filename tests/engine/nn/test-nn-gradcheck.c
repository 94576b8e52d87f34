/* test-nn-gradcheck.c: the conv2d, max_pool2d, avg_pool2d and dropout ops
 * through autograd: backward against finite differences (the core's
 * gradcheck helper) over stride/padding/dilation combinations, with and
 * without bias, batched and unbatched, contiguous and not; dropout's
 * train/eval semantics and seeding; and the ops' error messages.
 */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "gradcheck.h"
#include "lumen-engine.h"
#include "lumen-nn.h"

/* ---- conv2d ---- */

typedef struct {
  int sh, sw, ph, pw, dh, dw;
  bool permuted; /* input leaf is (N, H, C, W); the function permutes it to NCHW */
} conv_cfg;

static lm_tensor *conv_fn(lm_tensor *const *in, void *data)
{
  const conv_cfg *c = data;
  const lm_tensor *x = c->permuted ? lm_permute(in[0], (const int[]){0, 2, 1, 3}) : in[0];
  return lm_conv2d(x, in[1], in[2], c->sh, c->sw, c->ph, c->pw, c->dh, c->dw);
}

static void check_conv(const char *name, int n, int cin, int h, int w, int cout, int kh, int kw,
                       bool bias, conv_cfg cfg)
{
  lm_scope_begin();
  lm_tensor *in[3] = {NULL, lm_gradcheck_leaf(LM_SHAPE(cout, cin, kh, kw), -1, 1),
                      bias ? lm_gradcheck_leaf(LM_SHAPE(cout), -1, 1) : NULL};
  if (n == 0)
    in[0] = lm_gradcheck_leaf(LM_SHAPE(cin, h, w), -1, 1); /* unbatched (C, H, W) */
  else if (cfg.permuted)
    in[0] = lm_gradcheck_leaf(LM_SHAPE(n, h, cin, w), -1, 1);
  else
    in[0] = lm_gradcheck_leaf(LM_SHAPE(n, cin, h, w), -1, 1);
  g_assert_true(lm_gradcheck(name, conv_fn, &cfg, in, bias ? 3 : 2, NULL));
  lm_scope_end();
}

static void test_conv2d_grad(void)
{
  lm_manual_seed(1);
  check_conv("conv2d 3x3 s1 p1 bias", 2, 2, 5, 5, 3, 3, 3, true, (conv_cfg){1, 1, 1, 1, 1, 1, false});
  check_conv("conv2d 3x3 s2 p0", 2, 2, 7, 6, 2, 3, 3, false, (conv_cfg){2, 2, 0, 0, 1, 1, false});
  check_conv("conv2d 2x3 s(2,1) p(1,0) d(1,2)", 1, 3, 6, 7, 2, 2, 3, true,
             (conv_cfg){2, 1, 1, 0, 1, 2, false});
  check_conv("conv2d 3x3 d2 p2", 1, 2, 6, 6, 2, 3, 3, true, (conv_cfg){1, 1, 2, 2, 2, 2, false});
  check_conv("conv2d 1x1", 2, 4, 3, 3, 3, 1, 1, true, (conv_cfg){1, 1, 0, 0, 1, 1, false});
  check_conv("conv2d 4x4 s3 p2", 1, 1, 8, 8, 2, 4, 4, true, (conv_cfg){3, 3, 2, 2, 1, 1, false});
  check_conv("conv2d unbatched", 0, 2, 5, 4, 2, 3, 3, true, (conv_cfg){1, 1, 1, 1, 1, 1, false});
  check_conv("conv2d non-contiguous input", 2, 2, 5, 4, 2, 3, 2, true,
             (conv_cfg){1, 2, 1, 1, 1, 1, .permuted = true});
}

/* ---- pooling ---- */

typedef struct {
  bool max;
  int kh, kw, sh, sw, ph, pw;
} pool_cfg;

static lm_tensor *pool_fn(lm_tensor *const *in, void *data)
{
  const pool_cfg *c = data;
  return (c->max ? lm_max_pool2d : lm_avg_pool2d)(in[0], c->kh, c->kw, c->sh, c->sw, c->ph, c->pw);
}

static lm_tensor *pool_opts_fn(lm_tensor *const *in, void *data)
{
  return lm_avg_pool2d_opts(in[0], 3, 2, data);
}

/* Inputs for max pooling: a shuffled ladder with steps of 0.01, far wider than
 * the finite-difference eps, so no perturbation changes a window's winner. */
static lm_tensor *ladder_leaf(int n, int c, int h, int w)
{
  lm_tensor *x = lm_gradcheck_leaf(LM_SHAPE(n, c, h, w), -1, 1);
  int64_t count = lm_numel(x);
  float *d = lm_data_f32(x);
  GRand *r = g_rand_new_with_seed((guint32)count);
  for (int64_t i = 0; i < count; i++)
    d[i] = (float)i * 0.01f - (float)count * 0.005f;
  for (int64_t i = count - 1; i > 0; i--) {
    int64_t j = g_rand_int_range(r, 0, (gint32)i + 1);
    float t = d[i];
    d[i] = d[j];
    d[j] = t;
  }
  g_rand_free(r);
  return x;
}

static void check_pool(const char *name, int n, int c, int h, int w, pool_cfg cfg)
{
  lm_scope_begin();
  lm_tensor *in[1] = {cfg.max ? ladder_leaf(n, c, h, w)
                              : lm_gradcheck_leaf(LM_SHAPE(n, c, h, w), -1, 1)};
  g_assert_true(lm_gradcheck(name, pool_fn, &cfg, in, 1, NULL));
  lm_scope_end();
}

static void test_pool_grad(void)
{
  lm_manual_seed(2);
  check_pool("max_pool2d 2x2", 2, 2, 6, 6, (pool_cfg){true, 2, 2, 2, 2, 0, 0});
  check_pool("max_pool2d 3x3 s2 p1", 1, 2, 7, 5, (pool_cfg){true, 3, 3, 2, 2, 1, 1});
  check_pool("max_pool2d 3x3 s1 p1 (overlapping)", 1, 2, 5, 6, (pool_cfg){true, 3, 3, 1, 1, 1, 1});
  check_pool("max_pool2d 3x2 s(1,2)", 2, 1, 6, 7, (pool_cfg){true, 3, 2, 1, 2, 0, 1});
  check_pool("avg_pool2d 2x2", 2, 2, 6, 6, (pool_cfg){false, 2, 2, 2, 2, 0, 0});
  check_pool("avg_pool2d 3x3 s2 p1", 1, 2, 7, 5, (pool_cfg){false, 3, 3, 2, 2, 1, 1});
  check_pool("avg_pool2d 3x2 s(1,2) p(1,0)", 2, 1, 6, 7, (pool_cfg){false, 3, 2, 1, 2, 1, 0});
}

static void test_pool_values(void)
{
  /* avg_pool2d counts padding in the divisor (count_include_pad=True). */
  lm_scope_begin();
  lm_tensor *x = lm_ones(LM_SHAPE(1, 1, 3, 3));
  lm_tensor *y = lm_avg_pool2d(x, 3, 3, 2, 2, 1, 1);
  g_assert_cmpint(y->shape[2], ==, 2);
  g_assert_cmpint(y->shape[3], ==, 2);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon(lm_data_f32(y)[i], 4.0f / 9.0f, 1e-6);
  /* max_pool2d picks the largest; stride 0 means stride = kernel size. */
  lm_tensor *a = lm_reshape(lm_arange(0, 16, 1), 3, (const int64_t[]){1, 4, 4});
  lm_tensor *z = lm_max_pool2d(a, 2, 2, 0, 0, 0, 0);
  g_assert_cmpint(z->ndim, ==, 3);
  const float want[] = {5, 7, 13, 15};
  g_assert_cmpmem(lm_data_f32(z), sizeof want, want, sizeof want);
  lm_scope_end();
}

/* ---- dropout ---- */

static lm_tensor *dropout_fn(lm_tensor *const *in, void *data)
{
  lm_manual_seed(77); /* the same mask on every call: a fixed-mask function */
  return lm_dropout(in[0], 0.3f, true);
}

static void test_dropout_grad(void)
{
  lm_manual_seed(3);
  lm_scope_begin();
  lm_tensor *in[1] = {lm_gradcheck_leaf(LM_SHAPE(4, 5, 3), -1, 1)};
  g_assert_true(lm_gradcheck("dropout p=0.3", dropout_fn, NULL, in, 1, NULL));
  lm_scope_end();
}

static void test_dropout_semantics(void)
{
  lm_scope_begin();
  lm_tensor *x = lm_add_scalar(lm_rand(LM_SHAPE(100, 100)), 1.0f);
  lm_tensor_set_requires_grad(x, true);
  /* eval, and p = 0, give the input itself, as PyTorch does */
  g_assert_true(lm_dropout(x, 0.5f, false) == x);
  g_assert_true(lm_dropout(x, 0.0f, true) == x);
  /* seeded: same seed, same mask; different seed, different mask */
  lm_manual_seed(5);
  lm_tensor *y1 = lm_dropout(x, 0.5f, true);
  lm_manual_seed(5);
  lm_tensor *y2 = lm_dropout(x, 0.5f, true);
  lm_tensor *y3 = lm_dropout(x, 0.5f, true);
  g_assert_cmpmem(lm_data_f32(y1), 40000, lm_data_f32(y2), 40000);
  g_assert_true(memcmp(lm_data_f32(y1), lm_data_f32(y3), 40000) != 0);
  /* kept values scaled by 1/(1-p), about half dropped, gradient = the mask */
  const float *xd = lm_data_f32(x), *yd = lm_data_f32(y1);
  int dropped = 0;
  for (int i = 0; i < 10000; i++) {
    if (yd[i] == 0.0f)
      dropped++;
    else
      g_assert_cmpfloat_with_epsilon(yd[i], 2.0f * xd[i], 1e-5);
  }
  g_assert_cmpint(dropped, >, 4700);
  g_assert_cmpint(dropped, <, 5300);
  lm_backward(lm_sum(y1), NULL, false);
  for (int i = 0; i < 10000; i++)
    g_assert_cmpfloat(lm_data_f32(x->grad)[i], ==, yd[i] == 0.0f ? 0.0f : 2.0f);
  /* p = 1 drops everything */
  lm_tensor *y4 = lm_dropout(x, 1.0f, true);
  for (int i = 0; i < 10000; i++)
    g_assert_cmpfloat(lm_data_f32(y4)[i], ==, 0.0f);
  lm_tensor_zero_grad(x);
  lm_scope_end();
}

/* ---- errors ---- */

static char last_msg[1024];
static int n_errors;

static void capture(const char *message, void *data)
{
  g_strlcpy(last_msg, message, sizeof last_msg);
  n_errors++;
}

static void expect(lm_tensor *result, const char *piece1, const char *piece2)
{
  g_assert_null(result);
  g_assert_cmpint(n_errors, >, 0);
  if (!strstr(last_msg, piece1) || (piece2 && !strstr(last_msg, piece2)))
    g_error("error \"%s\" does not mention \"%s\" / \"%s\"", last_msg, piece1,
            piece2 ? piece2 : "");
  n_errors = 0;
  last_msg[0] = '\0';
}

static void test_errors(void)
{
  lm_set_error_handler(capture, NULL);
  lm_scope_begin();
  lm_tensor *x = lm_zeros(LM_SHAPE(8, 3, 10, 10));
  lm_tensor *w = lm_zeros(LM_SHAPE(16, 1, 3, 3));
  expect(lm_conv2d(x, w, NULL, 1, 1, 0, 0, 1, 1), "conv2d", "(8x3x10x10)");
  expect(lm_conv2d(x, lm_zeros(LM_SHAPE(16, 27)), NULL, 1, 1, 0, 0, 1, 1), "conv2d", "4-D");
  lm_tensor *w3 = lm_zeros(LM_SHAPE(16, 3, 3, 3));
  expect(lm_conv2d(x, w3, lm_zeros(LM_SHAPE(8)), 1, 1, 0, 0, 1, 1), "conv2d", "bias");
  expect(lm_conv2d(x, w3, NULL, 0, 1, 0, 0, 1, 1), "conv2d", "stride");
  expect(lm_conv2d(lm_zeros(LM_SHAPE(1, 3, 2, 2)), w3, NULL, 1, 1, 0, 0, 1, 1), "conv2d",
         "smaller than");
  expect(lm_conv2d(lm_zeros(LM_SHAPE(3, 10)), w3, NULL, 1, 1, 0, 0, 1, 1), "conv2d", "4-D");
  int64_t idx[2] = {0, 1};
  expect(lm_conv2d(lm_tensor_from_int64(idx, LM_SHAPE(1, 1, 1, 2)), w3, NULL, 1, 1, 0, 0, 1, 1),
         "conv2d", NULL);
  expect(lm_max_pool2d(x, 2, 2, 2, 2, 2, 2), "max_pool2d", "half of kernel size");
  expect(lm_avg_pool2d(x, 20, 20, 1, 1, 0, 0), "avg_pool2d", "smaller than");
  expect(lm_max_pool2d(lm_arange(0, 16, 1), 2, 2, 0, 0, 0, 0), "max_pool2d", "(16)");
  expect(lm_dropout(x, -0.1f, true), "dropout", "between 0 and 1");
  /* NULL in, NULL out: an earlier error propagates without a crash. */
  g_assert_null(lm_conv2d(NULL, w3, NULL, 1, 1, 0, 0, 1, 1));
  g_assert_null(lm_max_pool2d(NULL, 2, 2, 2, 2, 0, 0));
  g_assert_null(lm_dropout(NULL, 0.5f, true));
  g_assert_cmpint(n_errors, ==, 0);
  lm_scope_end();
  lm_set_error_handler(NULL, NULL);
}

/* F.avg_pool2d's divisor_override (lm_avg_pool2d_opts, nn.AvgPool2d's
 * option): values and input gradients from PyTorch 1.13,
 *   x = torch.arange(1., 13).reshape(1, 1, 3, 4).requires_grad_()
 *   y = F.avg_pool2d(x, **kw); y.backward(torch.arange(1., y.numel() + 1).reshape(y.shape))
 * then finite differences. */
static void test_pool_divisor_override(void)
{
  static const struct {
    int kh, kw;
    lm_pool2d_options o;
    int oh, ow;
    float y[20], dx[12];
  } cases[] = {
    /* kernel_size=2, divisor_override=1 (sum pooling) */
    {2, 2, {.divisor_override = 1}, 1, 2, {14, 22}, {1, 1, 2, 2, 1, 1, 2, 2, 0, 0, 0, 0}},
    /* kernel_size=2, stride=1, padding=1, divisor_override=3 */
    {2, 2, {.stride_h = 1, .stride_w = 1, .padding_h = 1, .padding_w = 1, .divisor_override = 3},
     4, 5,
     {0.333333343f, 1, 1.66666663f, 2.33333325f, 1.33333337f, 2, 4.66666651f, 6, 7.33333349f, 4,
      4.66666651f, 10, 11.333333f, 12.666667f, 6.66666651f, 3, 6.33333349f, 7, 7.66666651f, 4},
     {5.33333302f, 6.66666698f, 8, 9.33333302f, 12, 13.333334f, 14.666666f, 16, 18.666666f, 20,
      21.333334f, 22.666666f}},
    /* kernel_size=(3, 2), stride=(2, 3), padding=(1, 0), ceil_mode=True,
     * count_include_pad=False, divisor_override=5: the override wins */
    {3, 2, {.stride_h = 2, .stride_w = 3, .padding_h = 1, .ceil_mode = true,
            .no_count_include_pad = true, .divisor_override = 5}, 2, 2,
     {2.79999995f, 2.4000001f, 6, 4},
     {0.2f, 0.2f, 0, 0.4f, 0.8f, 0.8f, 0, 1.2f, 0.6f, 0.6f, 0, 0.8f}},
  };
  for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
    lm_scope_begin();
    lm_tensor *x = lm_reshape(lm_arange(1, 13, 1), LM_SHAPE(1, 1, 3, 4));
    x = lm_detach(x);
    lm_tensor_set_requires_grad(x, true);
    lm_tensor *y = lm_avg_pool2d_opts(x, cases[k].kh, cases[k].kw, &cases[k].o);
    g_assert_nonnull(y);
    g_assert_cmpint(y->shape[2], ==, cases[k].oh);
    g_assert_cmpint(y->shape[3], ==, cases[k].ow);
    const int64_t n = cases[k].oh * cases[k].ow;
    float got[20], dx[12];
    lm_tensor_copy_to_host(y, got);
    for (int64_t i = 0; i < n; i++)
      g_assert_cmpfloat_with_epsilon(got[i], cases[k].y[i], 1e-5);
    lm_backward(y, lm_reshape(lm_arange(1, (double)n + 1, 1), 4, y->shape), false);
    lm_tensor_copy_to_host(x->grad, dx);
    for (int i = 0; i < 12; i++)
      g_assert_cmpfloat_with_epsilon(dx[i], cases[k].dx[i], 1e-5);
    lm_scope_end();
  }
  lm_scope_begin();
  lm_tensor *x = lm_gradcheck_leaf(LM_SHAPE(2, 3, 5, 6), -1, 1);
  const lm_pool2d_options o = {.stride_h = 2, .stride_w = 1, .padding_h = 1, .padding_w = 1,
                               .ceil_mode = true, .divisor_override = 7};
  g_assert_true(lm_gradcheck("avg_pool2d divisor_override", pool_opts_fn, (void *)&o, &x, 1,
                             NULL));
  /* nn.AvgPool2d(2, divisor_override=1) forwards with it */
  lm_module *m = lm_nn_avg_pool2d_ex(2, 2, &(lm_pool2d_options){.divisor_override = 1});
  lm_tensor *ones = lm_ones(LM_SHAPE(1, 1, 4, 4));
  g_assert_cmpfloat(lm_item(lm_sum(lm_module_forward(m, ones))), ==, 16.0f);
  lm_module_free(m);
  lm_scope_end();
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/engine/nn/gradcheck/conv2d", test_conv2d_grad);
  g_test_add_func("/engine/nn/gradcheck/pool2d", test_pool_grad);
  g_test_add_func("/engine/nn/gradcheck/pool2d-values", test_pool_values);
  g_test_add_func("/engine/nn/gradcheck/pool2d-divisor-override", test_pool_divisor_override);
  g_test_add_func("/engine/nn/gradcheck/dropout", test_dropout_grad);
  g_test_add_func("/engine/nn/gradcheck/dropout-semantics", test_dropout_semantics);
  g_test_add_func("/engine/nn/gradcheck/errors", test_errors);
  return g_test_run();
}
