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

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/engine/nn/gradcheck/conv2d", test_conv2d_grad);
  g_test_add_func("/engine/nn/gradcheck/pool2d", test_pool_grad);
  g_test_add_func("/engine/nn/gradcheck/pool2d-values", test_pool_values);
  g_test_add_func("/engine/nn/gradcheck/dropout", test_dropout_grad);
  g_test_add_func("/engine/nn/gradcheck/dropout-semantics", test_dropout_semantics);
  g_test_add_func("/engine/nn/gradcheck/errors", test_errors);
  return g_test_run();
}
