/* test-ops.c: forward values of the core ops against hand-computed answers
 * (and a naive reference for matmul/linear over layouts and batch
 * broadcasting), plus their error messages. Gradients are in test-grad.c. */
#include "engine-test.h"
#include "lm-engine-private.h"

#define T(...) lm_tensor_from_data((float[]){__VA_ARGS__}
#define V(...) (float[]){__VA_ARGS__}, (int64_t)(sizeof((float[]){__VA_ARGS__}) / sizeof(float))

static void test_binary(void)
{
  lm_scope_begin();
  lm_tensor *a = T(1, 2, 3, 4), LM_SHAPE(2, 2));
  lm_tensor *b = T(2, 4, 8, 16), LM_SHAPE(2, 2));
  et_assert_values(lm_add(a, b), V(3, 6, 11, 20), 0);
  et_assert_values(lm_sub(a, b), V(-1, -2, -5, -12), 0);
  et_assert_values(lm_mul(a, b), V(2, 8, 24, 64), 0);
  et_assert_values(lm_div(a, b), V(0.5f, 0.5f, 0.375f, 0.25f), 1e-7);
  et_assert_values(lm_pow(a, T(2, 0.5f), LM_SHAPE(2))), V(1, 1.4142135f, 9, 2), 1e-6);
  et_assert_values(lm_add_scalar(a, 1.5f), V(2.5f, 3.5f, 4.5f, 5.5f), 0);
  et_assert_values(lm_sub_scalar(a, 1), V(0, 1, 2, 3), 0);
  et_assert_values(lm_mul_scalar(a, -2), V(-2, -4, -6, -8), 0);
  et_assert_values(lm_div_scalar(a, 4), V(0.25f, 0.5f, 0.75f, 1), 0);
  et_assert_values(lm_pow_scalar(a, 2), V(1, 4, 9, 16), 0);
  et_assert_values(lm_pow_scalar(a, -1), V(1, 0.5f, 1.0f / 3, 0.25f), 1e-7);
  /* in-place-free: inputs unchanged */
  et_assert_values(a, V(1, 2, 3, 4), 0);
  /* bias-style broadcast over rows, and a column broadcast */
  lm_tensor *x = lm_reshape(lm_arange(0, 12, 1), LM_SHAPE(3, 4));
  et_assert_values(lm_add(x, T(10, 20, 30, 40), LM_SHAPE(4))),
                   V(10, 21, 32, 43, 14, 25, 36, 47, 18, 29, 40, 51), 0);
  et_assert_values(lm_mul(x, T(1, 0, -1), LM_SHAPE(3, 1))),
                   V(0, 1, 2, 3, 0, 0, 0, 0, -8, -9, -10, -11), 0);
  lm_scope_end();
}

static void test_unary(void)
{
  lm_scope_begin();
  lm_tensor *x = T(-2, -0.5f, 0, 1, 3), LM_SHAPE(5));
  et_assert_values(lm_neg(x), V(2, 0.5f, 0, -1, -3), 0);
  et_assert_values(lm_exp(x), V(0.13533528f, 0.60653066f, 1, 2.7182818f, 20.085537f), 1e-6);
  et_assert_values(lm_log(T(1, 2.7182818f, 0.5f), LM_SHAPE(3))), V(0, 1, -0.69314718f), 1e-6);
  et_assert_values(lm_sqrt(T(4, 2, 0), LM_SHAPE(3))), V(2, 1.4142135f, 0), 1e-7);
  et_assert_values(lm_abs(x), V(2, 0.5f, 0, 1, 3), 0);
  et_assert_values(lm_clamp(x, -1, 1), V(-1, -0.5f, 0, 1, 1), 0);
  et_assert_values(lm_clamp(x, 0, INFINITY), V(0, 0, 0, 1, 3), 0);
  et_assert_values(lm_clamp(x, -INFINITY, 0.5f), V(-2, -0.5f, 0, 0.5f, 0.5f), 0);
  /* min > max: torch.clamp gives max everywhere (min(max(x, min), max)); NaN stays NaN */
  et_assert_values(lm_clamp(x, 4, 2), V(2, 2, 2, 2, 2), 0);
  lm_tensor *nan_in = T(NAN), LM_SHAPE(1));
  lm_tensor *nan_out = lm_clamp(nan_in, -1, 1);
  g_assert_true(isnan(lm_data_f32(nan_out)[0]));
  et_assert_values(lm_relu(x), V(0, 0, 0, 1, 3), 0);
  et_assert_values(lm_sigmoid(x), V(0.11920292f, 0.37754067f, 0.5f, 0.73105858f, 0.95257413f), 1e-6);
  et_assert_values(lm_tanh(x), V(-0.96402758f, -0.46211716f, 0, 0.76159416f, 0.99505475f), 1e-6);
  /* exact gelu: x * Phi(x) (torch.nn.functional.gelu, approximate='none') */
  et_assert_values(lm_gelu(x), V(-0.04550026f, -0.15426877f, 0, 0.84134475f, 2.9959502f), 1e-6);
  /* a strided input */
  lm_tensor *m = lm_transpose(lm_reshape(lm_arange(-3, 3, 1), LM_SHAPE(2, 3)), 0, 1);
  et_assert_values(lm_relu(m), V(0, 0, 0, 1, 0, 2), 0);
  /* NaN propagates through relu and clamp as in PyTorch */
  lm_tensor *n = lm_relu(T(NAN, -1), LM_SHAPE(2)));
  g_assert_true(isnan(lm_data_f32(n)[0]));
  lm_scope_end();
}

static void test_reductions(void)
{
  lm_scope_begin();
  lm_tensor *x = T(1, 5, 3, 4, 2, 6), LM_SHAPE(2, 3));
  lm_tensor *s = lm_sum(x);
  g_assert_cmpint(s->ndim, ==, 0);
  g_assert_cmpfloat(lm_item(s), ==, 21);
  g_assert_cmpfloat(lm_item(lm_mean(x)), ==, 3.5f);
  g_assert_cmpfloat(lm_item(lm_max(x)), ==, 6);
  lm_tensor *s0 = lm_sum_dim(x, 0, false);
  et_assert_shape(s0, 3);
  et_assert_values(s0, V(5, 7, 9), 0);
  lm_tensor *s1 = lm_sum_dim(x, -1, true);
  et_assert_shape(s1, 2, 1);
  et_assert_values(s1, V(9, 12), 0);
  et_assert_values(lm_mean_dim(x, 1, false), V(3, 4), 1e-7);
  et_assert_values(lm_max_dim(x, 1, false), V(5, 6), 0);
  et_assert_values(lm_max_dim(x, 0, false), V(4, 5, 6), 0);
  lm_tensor *am = lm_argmax(x, 1, false);
  g_assert_true(am->dtype == LM_INT64);
  g_assert_cmpint(lm_data_i64(am)[0], ==, 1);
  g_assert_cmpint(lm_data_i64(am)[1], ==, 2);
  lm_tensor *amk = lm_argmax(x, 0, true);
  et_assert_shape(amk, 1, 3);
  et_assert_values(amk, V(1, 0, 1), 0);
  g_assert_cmpfloat(lm_item(lm_argmax(x, LM_ALL_DIMS, false)), ==, 5);
  /* torch.argmax(x, keepdim=True) over every dim: the flat index, (1, 1) */
  lm_tensor *amall = lm_argmax(x, LM_ALL_DIMS, true);
  et_assert_shape(amall, 1, 1);
  g_assert_cmpint(lm_data_i64(amall)[0], ==, 5);
  /* ties: the first maximum, as torch.argmax */
  lm_tensor *ties = T(1, 3, 3), LM_SHAPE(3));
  g_assert_cmpfloat(lm_item(lm_argmax(ties, 0, false)), ==, 1);
  /* middle dim of a 3-d, strided input */
  lm_tensor *y = lm_permute(lm_reshape(lm_arange(0, 24, 1), LM_SHAPE(2, 3, 4)), (int[]){2, 0, 1});
  lm_tensor *ys = lm_sum_dim(y, 1, false); /* (4,3): sum over the original dim 0 */
  et_assert_shape(ys, 4, 3);
  et_assert_values(ys, V(12, 20, 28, 14, 22, 30, 16, 24, 32, 18, 26, 34), 0);
  /* sum_to_shape: how broadcast gradients are reduced */
  lm_tensor *g = lm_ones(LM_SHAPE(4, 2, 3));
  et_assert_values(lm_sum_to_shape(g, 2, (int64_t[]){1, 3}), V(8, 8, 8), 0);
  et_assert_values(lm_sum_to_shape(g, 3, (int64_t[]){4, 1, 1}), V(6, 6, 6, 6), 0);
  et_assert_values(lm_sum_to_shape(g, 0, NULL), V(24), 0);
  lm_scope_end();
}

/* Naive reference: c (m,n) = a (m,k) @ b (k,n) read through lm_get. */
static void naive_mm(const lm_tensor *a, const lm_tensor *b, int64_t ab, int64_t bb, float *c)
{
  int64_t m = a->shape[a->ndim - 2], k = a->shape[a->ndim - 1], n = b->shape[b->ndim - 1];
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) {
      double s = 0;
      for (int64_t p = 0; p < k; p++) {
        int64_t ia[3] = {ab, i, p}, ib[3] = {bb, p, j};
        s += (double)lm_get(a, a->ndim == 3 ? ia : ia + 1) * lm_get(b, b->ndim == 3 ? ib : ib + 1);
      }
      c[i * n + j] = (float)s;
    }
}

static void check_mm(const lm_tensor *a, const lm_tensor *b)
{
  lm_tensor *c = lm_matmul(a, b);
  g_assert_nonnull(c);
  int64_t m = a->shape[a->ndim - 2], n = b->shape[b->ndim - 1];
  int64_t batch = c->ndim == 3 ? c->shape[0] : 1;
  float *ref = g_new(float, batch * m * n);
  for (int64_t i = 0; i < batch; i++)
    naive_mm(a, b, a->ndim == 3 && a->shape[0] > 1 ? i : 0, b->ndim == 3 && b->shape[0] > 1 ? i : 0,
             ref + i * m * n);
  et_assert_values(c, ref, batch * m * n, 1e-5);
  g_free(ref);
}

static void test_matmul(void)
{
  lm_scope_begin();
  lm_tensor *a = T(1, 2, 3, 4, 5, 6), LM_SHAPE(2, 3));
  lm_tensor *b = T(7, 8, 9, 10, 11, 12), LM_SHAPE(3, 2));
  lm_tensor *c = lm_matmul(a, b);
  et_assert_shape(c, 2, 2);
  et_assert_values(c, V(58, 64, 139, 154), 0);
  /* 1-D cases */
  lm_tensor *v = T(1, 0, -1), LM_SHAPE(3));
  lm_tensor *d = lm_matmul(v, v);
  g_assert_cmpint(d->ndim, ==, 0);
  g_assert_cmpfloat(lm_item(d), ==, 2);
  lm_tensor *vb = lm_matmul(v, b);
  et_assert_shape(vb, 2);
  et_assert_values(vb, V(-4, -4), 0);
  lm_tensor *av = lm_matmul(a, v);
  et_assert_shape(av, 2);
  et_assert_values(av, V(-2, -2), 0);
  /* layouts: transposed views go to BLAS with a flag, strided ones are copied */
  lm_manual_seed(1);
  lm_tensor *p = lm_randn(LM_SHAPE(5, 4));
  lm_tensor *q = lm_randn(LM_SHAPE(6, 5));
  check_mm(lm_transpose(p, 0, 1), lm_transpose(q, 0, 1));             /* (4,5)@(5,6) */
  check_mm(q, p);                                                     /* (6,5)@(5,4) */
  check_mm(lm_slice(q, 1, 0, 5, 2), lm_slice(p, 0, 0, 5, 2));         /* step 2 */
  check_mm(lm_slice(q, 0, 1, 4, 1), p);                               /* row window */
  /* batched, with broadcast batch dims */
  lm_tensor *ba = lm_randn(LM_SHAPE(3, 4, 5));
  lm_tensor *bb = lm_randn(LM_SHAPE(3, 5, 2));
  check_mm(ba, bb);
  check_mm(ba, lm_randn(LM_SHAPE(5, 2)));      /* folded into one gemm */
  check_mm(lm_randn(LM_SHAPE(4, 5)), bb);      /* left matrix shared */
  check_mm(lm_randn(LM_SHAPE(1, 4, 5)), bb);   /* size-1 batch broadcast */
  check_mm(lm_transpose(lm_randn(LM_SHAPE(3, 5, 4)), 1, 2), lm_transpose(lm_randn(LM_SHAPE(3, 2, 5)), 1, 2));
  lm_tensor *b4 = lm_matmul(lm_randn(LM_SHAPE(2, 1, 3, 4)), lm_randn(LM_SHAPE(5, 4, 2)));
  et_assert_shape(b4, 2, 5, 3, 2);
  lm_tensor *bv = lm_matmul(ba, lm_randn(LM_SHAPE(5)));
  et_assert_shape(bv, 3, 4);
  lm_tensor *vbm = lm_matmul(lm_randn(LM_SHAPE(4)), ba);
  et_assert_shape(vbm, 3, 5);
  /* the linear op: x W^T + b */
  lm_tensor *x = T(1, 2, 3, 4, 5, 6), LM_SHAPE(2, 3));
  lm_tensor *w = T(1, 0, 1, 0, 1, 0), LM_SHAPE(2, 3));
  lm_tensor *bias = T(10, -10), LM_SHAPE(2));
  lm_tensor *y = lm_linear(x, w, bias);
  et_assert_shape(y, 2, 2);
  et_assert_values(y, V(14, -8, 20, -5), 0);
  et_assert_values(lm_linear(x, w, NULL), V(4, 2, 10, 5), 0);
  lm_tensor *wt = lm_transpose(T(1, 0, 0, 1, 1, 0), LM_SHAPE(3, 2)), 0, 1); /* = w, strided */
  et_assert_values(lm_linear(x, wt, bias), V(14, -8, 20, -5), 0);
  lm_tensor *y3 = lm_linear(lm_reshape(x, LM_SHAPE(2, 1, 3)), w, bias);
  et_assert_shape(y3, 2, 1, 2);
  lm_scope_end();
}

static void test_softmax_losses(void)
{
  lm_scope_begin();
  lm_tensor *x = T(1, 2, 3), LM_SHAPE(3));
  et_assert_values(lm_softmax(x, 0), V(0.09003057f, 0.24472847f, 0.66524096f), 1e-6);
  et_assert_values(lm_log_softmax(x, -1), V(-2.40760596f, -1.40760596f, -0.40760596f), 1e-6);
  /* stable for large logits */
  et_assert_values(lm_softmax(T(1000, 1001), LM_SHAPE(2)), 0), V(0.26894142f, 0.73105858f), 1e-6);
  et_assert_values(lm_log_softmax(T(-1000, 0), LM_SHAPE(2)), 0), V(-1000, 0), 1e-6);
  /* (x - max) - log(sum): log 2 is not lost next to a large max (torch
   * gives -0.6931 for both), and nll(log_softmax) agrees with cross_entropy */
  et_assert_values(lm_log_softmax(T(1e8f, 1e8f), LM_SHAPE(2)), 0), V(-0.69314718f, -0.69314718f), 1e-6);
  {
    lm_tensor *big = T(1e4f, 1e4f, 1e4f, 1e4f), LM_SHAPE(1, 4));
    lm_tensor *t0 = lm_tensor_from_int64((int64_t[]){1}, LM_SHAPE(1));
    et_assert_values(lm_log_softmax(big, 1), V(-1.38629436f, -1.38629436f, -1.38629436f, -1.38629436f), 1e-6);
    g_assert_cmpfloat_with_epsilon(lm_item(lm_nll_loss(lm_log_softmax(big, 1), t0)),
                                   lm_item(lm_cross_entropy(big, t0)), 1e-6);
  }
  /* over dim 0 of a matrix */
  lm_tensor *m = T(0, 1, 0, 1), LM_SHAPE(2, 2));
  et_assert_values(lm_softmax(m, 0), V(0.5f, 0.5f, 0.5f, 0.5f), 1e-7);
  et_assert_values(lm_softmax(m, 1), V(0.26894142f, 0.73105858f, 0.26894142f, 0.73105858f), 1e-6);

  lm_tensor *logits = T(1, 2, 3, 1, 1, 1), LM_SHAPE(2, 3));
  lm_tensor *target = lm_tensor_from_int64((int64_t[]){2, 0}, LM_SHAPE(2));
  lm_tensor *ce = lm_cross_entropy(logits, target);
  g_assert_cmpint(ce->ndim, ==, 0);
  g_assert_cmpfloat_with_epsilon(lm_item(ce), (0.40760596 + 1.09861229) / 2, 1e-6);
  lm_tensor *nll = lm_nll_loss(lm_log_softmax(logits, 1), target);
  g_assert_cmpfloat_with_epsilon(lm_item(nll), lm_item(ce), 1e-6);
  /* one sample: (C) scores with a 0-d target */
  lm_tensor *ce1 = lm_cross_entropy(x, lm_tensor_from_int64((int64_t[]){2}, 0, NULL));
  g_assert_cmpfloat_with_epsilon(lm_item(ce1), 0.40760596, 1e-6);
  lm_tensor *mse = lm_mse_loss(x, T(1, 1, 1), LM_SHAPE(3)));
  g_assert_cmpfloat_with_epsilon(lm_item(mse), 5.0 / 3.0, 1e-6);
  lm_tensor *mseb = lm_mse_loss(lm_reshape(lm_arange(0, 6, 1), LM_SHAPE(2, 3)), T(1, 2), LM_SHAPE(2, 1)));
  /* rows (0,1,2)-1 and (3,4,5)-2: squares 1,0,1,1,4,9 */
  g_assert_cmpfloat_with_epsilon(lm_item(mseb), 16.0 / 6.0, 1e-6);
  lm_scope_end();
}

/* Gradients of max at ties, from PyTorch 1.13:
 *   x = torch.tensor([1., 3., 3.], requires_grad=True); x.max().backward()   -> 0, 0.5, 0.5
 *   x = torch.tensor([[1., 5., 5.], [5., 2., 0.]]); (x.max() * 1.5).backward()
 *                                                     -> [[0, .5, .5], [.5, 0, 0]]
 *   x = torch.tensor([[1., 3., 3.], [2., 2., 0.]]); x.max(dim=1).values.sum().backward()
 *                                                     -> [[0, 1, 0], [1, 0, 0]]
 *   x = torch.tensor([1., nan, 3., nan]); x.max().backward() -> 0, 0.5, 0, 0.5 */
static void test_max_ties(void)
{
  lm_scope_begin();
  lm_tensor *x = T(1, 3, 3), LM_SHAPE(3));
  lm_tensor_set_requires_grad(x, true);
  lm_backward(lm_max(x), NULL, false);
  et_assert_values(x->grad, V(0, 0.5f, 0.5f), 0);
  lm_tensor *y = T(1, 5, 5, 5, 2, 0), LM_SHAPE(2, 3));
  lm_tensor_set_requires_grad(y, true);
  lm_backward(lm_mul_scalar(lm_max(lm_transpose(y, 0, 1)), 1.5f), NULL, false);
  et_assert_values(y->grad, V(0, 0.5f, 0.5f, 0.5f, 0, 0), 0);
  /* max over a dim: the gradient follows the index max(dim) returns */
  lm_tensor *z = T(1, 3, 3, 2, 2, 0), LM_SHAPE(2, 3));
  lm_tensor_set_requires_grad(z, true);
  lm_backward(lm_sum(lm_max_dim(z, 1, false)), NULL, false);
  et_assert_values(z->grad, V(0, 1, 0, 1, 0, 0), 0);
  lm_tensor *w = T(1, NAN, 3, NAN), LM_SHAPE(4));
  lm_tensor_set_requires_grad(w, true);
  lm_tensor *m = lm_max(w);
  g_assert_true(isnan(lm_item(m)));
  lm_backward(m, NULL, false);
  et_assert_values(w->grad, V(0, 0.5f, 0, 0.5f), 0);
  lm_scope_end();
}

/* reduction='sum' and 'none' for cross_entropy and nll_loss(log_softmax),
 * values and gradients. Reference numbers from PyTorch 1.13:
 *   x = torch.tensor([[1.5, -0.5, 3.0, 0.25], [1e4, 0.0, -1e4, 2.0],
 *                     [-2.0, float('-inf'), 0.5, 1.0]], requires_grad=True)
 *   t = torch.tensor([2, 3, 0])
 *   F.cross_entropy(x, t, reduction=r).backward(g)   # and F.nll_loss(F.log_softmax(x, 1), t, ...)
 * with g = 1.5 for 'mean' and 'sum', g = [0.5, -1, 2] for 'none'. */
static void test_loss_reduction(void)
{
  static const float logits[] = {1.5f, -0.5f, 3.0f, 0.25f, 1e4f, 0.0f, -1e4f, 2.0f,
                                 -2.0f, -INFINITY, 0.5f, 1.0f};
  static const float want_loss[3][3] = {{3333.92676f}, {10001.7803f},
                                        {0.275550395f, 9998.0f, 3.50459695f}};
  static const float want_grad[3][12] = {
    {0.0846951008f, 0.0114622358f, -0.1204229f, 0.0242655519f, 0.5f, 0, 0, -0.5f,
     -0.48497057f, 0, 0.183096111f, 0.301874459f},
    {0.254085302f, 0.0343867093f, -0.361268699f, 0.0727966577f, 1.5f, 0, 0, -1.5f,
     -1.45491171f, 0, 0.549288332f, 0.905623376f},
    {0.0846951008f, 0.0114622358f, -0.1204229f, 0.0242655519f, -1.0f, 0, 0, 1.0f,
     -1.93988228f, 0, 0.732384443f, 1.20749784f},
  };
  for (int nll = 0; nll < 2; nll++)
    for (int r = LM_REDUCTION_MEAN; r <= LM_REDUCTION_NONE; r++) {
      lm_scope_begin();
      lm_tensor *x = lm_tensor_from_data(logits, LM_SHAPE(3, 4));
      lm_tensor_set_requires_grad(x, true);
      lm_tensor *t = lm_tensor_from_int64((int64_t[]){2, 3, 0}, LM_SHAPE(3));
      lm_tensor *l = nll ? lm_nll_loss_ex(lm_log_softmax(x, 1), t, r) : lm_cross_entropy_ex(x, t, r);
      lm_tensor *g;
      if (r == LM_REDUCTION_NONE) {
        et_assert_shape(l, 3);
        et_assert_values(l, want_loss[r], 3, 1e-6);
        g = T(0.5, -1, 2), LM_SHAPE(3));
      } else {
        g_assert_cmpint(l->ndim, ==, 0);
        et_assert_values(l, want_loss[r], 1, 1e-6);
        g = lm_full(0, NULL, 1.5f);
      }
      lm_backward(l, g, false);
      et_assert_values(x->grad, want_grad[r], 12, 1e-6);
      lm_scope_end();
    }
  lm_scope_begin();
  /* zero samples: 'sum' is 0, 'mean' NaN, 'none' an empty (0) tensor */
  lm_tensor *e = lm_zeros(LM_SHAPE(0, 4));
  lm_tensor *te = lm_tensor_from_int64((int64_t[]){0}, LM_SHAPE(0));
  g_assert_cmpfloat(lm_item(lm_cross_entropy_ex(e, te, LM_REDUCTION_SUM)), ==, 0.0);
  g_assert_true(isnan(lm_item(lm_nll_loss_ex(e, te, LM_REDUCTION_MEAN))));
  et_assert_shape(lm_cross_entropy_ex(e, te, LM_REDUCTION_NONE), 0);
  /* one (C) sample with 'none': a 0-d loss, F.cross_entropy([1, 2, 3], 1) = 1.40760596 */
  lm_tensor *one = lm_cross_entropy_ex(T(1, 2, 3), LM_SHAPE(3)),
                                       lm_tensor_from_int64((int64_t[]){1}, 0, NULL),
                                       LM_REDUCTION_NONE);
  g_assert_cmpint(one->ndim, ==, 0);
  g_assert_cmpfloat_with_epsilon(lm_item(one), 1.40760596, 1e-6);
  et_catch_errors();
  g_assert_null(lm_nll_loss_ex(e, te, (lm_reduction)7));
  et_assert_error("nll_loss: 7 is not a valid value for reduction");
  et_default_errors();
  lm_scope_end();
}

/* ignore_index, class weight and label_smoothing (lm_cross_entropy_opts,
 * lm_nll_loss_opts): values and gradients from PyTorch 1.13, produced by
 *   X = [[1.5, -0.5, 3.0, 0.25], [0.1, 2.0, -1.0, 0.5], [-2.0, 0.0, 0.5, 1.0],
 *        [4.0, -3.0, 0.0, 2.5]]; W = [0.5, 2.0, 1.0, 1.5]
 *   x = torch.tensor(X, requires_grad=True)
 *   l = F.cross_entropy(x, t, weight=W or None, ignore_index=i, reduction=r,
 *                       label_smoothing=e)  # nll: F.nll_loss(F.log_softmax(x, 1), t, ...)
 *   l.backward(g)  # g = 1.5, or [0.5, -1, 2, 1.25] for reduction='none' */
static void test_loss_options(void)
{
  static const float logits[] = {1.5f, -0.5f, 3.0f, 0.25f, 0.1f, 2.0f, -1.0f, 0.5f,
                                 -2.0f, 0.0f, 0.5f, 1.0f, 4.0f, -3.0f, 0.0f, 2.5f};
  static const struct {
    int nll;
    lm_reduction reduction;
    int64_t ignore_index;
    int weighted;
    float smoothing;
    int64_t target[4];
    float loss[4], grad[16];
  } cases[] = {
    {0, LM_REDUCTION_MEAN, -100, 0, 0.0f, {2, -100, 0, 3}, {1.89924479f},
     {0.0846951008f, 0.0114622358f, -0.1204229f, 0.0242655519f, 0.0f, 0.0f, 0.0f, 0.0f,
      -0.487702012f, 0.0908704549f, 0.14982006f, 0.247011513f, 0.402460575f, 0.000366996537f, 0.00737132225f, -0.410198927f}},
    {0, LM_REDUCTION_SUM, -100, 0, 0.0f, {2, -100, 0, 3}, {5.69773436f},
     {0.254085302f, 0.0343867093f, -0.361268699f, 0.0727966577f, 0.0f, 0.0f, 0.0f, 0.0f,
      -1.46310604f, 0.27261138f, 0.449460179f, 0.741034508f, 1.20738173f, 0.00110098964f, 0.0221139677f, -1.23059678f}},
    {0, LM_REDUCTION_NONE, -100, 0, 0.0f, {2, -100, 0, 3}, {0.275550395f, 0.0f, 3.70517302f, 1.71701097f},
     {0.0846951008f, 0.0114622358f, -0.1204229f, 0.0242655519f, 0.0f, 0.0f, 0.0f, 0.0f,
      -1.95080805f, 0.36348182f, 0.599280238f, 0.98804605f, 1.00615144f, 0.000917491328f, 0.0184283052f, -1.02549732f}},
    {0, LM_REDUCTION_MEAN, -100, 1, 0.0f, {2, -100, 0, 3}, {1.56788445f},
     {0.0846951008f, 0.0114622358f, -0.1204229f, 0.0242655519f, 0.0f, 0.0f, 0.0f, 0.0f,
      -0.243851006f, 0.0454352275f, 0.0749100298f, 0.123505756f, 0.603690863f, 0.00055049482f, 0.0110569838f, -0.61529839f}},
    {0, LM_REDUCTION_MEAN, -100, 0, 0.1f, {2, -100, 0, 3}, {1.95549476f},
     {0.0721950978f, -0.00103776436f, -0.0829229057f, 0.0117655518f, 0.0f, 0.0f, 0.0f, 0.0f,
      -0.450202018f, 0.0783704519f, 0.137320057f, 0.234511495f, 0.389960587f, -0.0121330032f, -0.00512867793f, -0.372698903f}},
    {0, LM_REDUCTION_MEAN, -100, 1, 0.2f, {2, -100, 0, 3}, {1.95620215f},
     {0.0764298588f, -0.0379646532f, -0.0264440291f, -0.01202117f, 0.0f, 0.0f, 0.0f, 0.0f,
      -0.204506323f, 0.00906579848f, 0.0723830462f, 0.123057492f, 0.57106787f, -0.0494678542f, -0.0143115828f, -0.507288456f}},
    {0, LM_REDUCTION_SUM, -100, 1, 0.2f, {2, -100, 0, 3}, {5.86860657f},
     {0.229289576f, -0.113893963f, -0.0793321952f, -0.0360635146f, 0.0f, 0.0f, 0.0f, 0.0f,
      -0.613519013f, 0.0271973852f, 0.217149124f, 0.369172454f, 1.71320343f, -0.14840357f, -0.042934753f, -1.52186525f}},
    {0, LM_REDUCTION_NONE, -100, 1, 0.2f, {2, -100, 0, 3}, {0.883077979f, 0.0f, 1.85836256f, 3.12716579f},
     {0.0764298588f, -0.0379646532f, -0.0264440291f, -0.01202117f, 0.0f, 0.0f, 0.0f, 0.0f,
      -0.818025291f, 0.0362631939f, 0.289532185f, 0.492229968f, 1.42766953f, -0.123669639f, -0.0357789584f, -1.26822102f}},
    {1, LM_REDUCTION_MEAN, -100, 1, 0.0f, {2, -100, 0, 3}, {1.56788445f},
     {0.0846951008f, 0.0114622358f, -0.1204229f, 0.0242655519f, 0.0f, 0.0f, 0.0f, 0.0f,
      -0.243851006f, 0.0454352275f, 0.0749100298f, 0.123505756f, 0.603690863f, 0.00055049482f, 0.0110569838f, -0.61529839f}},
    {1, LM_REDUCTION_SUM, -100, 1, 0.0f, {2, -100, 0, 3}, {4.70365334f},
     {0.254085302f, 0.0343867093f, -0.361268699f, 0.0727966577f, 0.0f, 0.0f, 0.0f, 0.0f,
      -0.731553018f, 0.13630569f, 0.224730089f, 0.370517254f, 1.81107259f, 0.0016514844f, 0.0331709497f, -1.84589505f}},
    {1, LM_REDUCTION_NONE, -100, 1, 0.0f, {2, -100, 0, 3}, {0.275550395f, 0.0f, 1.85258651f, 2.57551646f},
     {0.0846951008f, 0.0114622358f, -0.1204229f, 0.0242655519f, 0.0f, 0.0f, 0.0f, 0.0f,
      -0.975404024f, 0.18174091f, 0.299640119f, 0.494023025f, 1.50922716f, 0.00137623702f, 0.0276424587f, -1.53824592f}},
    {1, LM_REDUCTION_MEAN, 0, 0, 0.0f, {2, 1, 0, 3}, {0.781655788f},
     {0.0846951008f, 0.0114622358f, -0.1204229f, 0.0242655519f, 0.0525729768f, -0.148502648f, 0.0175000206f, 0.0784296617f,
      0.0f, 0.0f, 0.0f, 0.0f, 0.402460575f, 0.000366996537f, 0.00737132225f, -0.410198927f}},
  };
  for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
    lm_scope_begin();
    lm_tensor *x = lm_tensor_from_data(logits, LM_SHAPE(4, 4));
    lm_tensor_set_requires_grad(x, true);
    lm_tensor *t = lm_tensor_from_int64(cases[k].target, LM_SHAPE(4));
    lm_loss_options o = LM_LOSS_DEFAULTS;
    o.reduction = cases[k].reduction;
    o.ignore_index = cases[k].ignore_index;
    o.weight = cases[k].weighted ? T(0.5f, 2.0f, 1.0f, 1.5f), LM_SHAPE(4)) : NULL;
    o.label_smoothing = cases[k].smoothing;
    lm_tensor *l = cases[k].nll ? lm_nll_loss_opts(lm_log_softmax(x, 1), t, &o)
                                : lm_cross_entropy_opts(x, t, &o);
    g_assert_nonnull(l);
    bool none = cases[k].reduction == LM_REDUCTION_NONE;
    et_assert_values(l, cases[k].loss, none ? 4 : 1, 2e-6);
    lm_backward(l, none ? T(0.5f, -1.0f, 2.0f, 1.25f), LM_SHAPE(4)) : lm_full(0, NULL, 1.5f),
                false);
    et_assert_values(x->grad, cases[k].grad, 16, 2e-6);
    lm_scope_end();
  }
  lm_scope_begin();
  lm_tensor *x = lm_tensor_from_data(logits, LM_SHAPE(4, 4));
  lm_tensor_set_requires_grad(x, true);
  /* -100 is ignored by default; only ignored targets: a NaN mean and no gradient */
  lm_tensor *ign = lm_tensor_from_int64((int64_t[]){-100, -100, -100, -100}, LM_SHAPE(4));
  lm_tensor *l = lm_cross_entropy(x, ign);
  g_assert_true(isnan(lm_item(l)));
  lm_backward(l, NULL, false);
  et_assert_values(x->grad, (float[16]){0}, 16, 0);
  g_assert_cmpfloat(lm_item(lm_cross_entropy_ex(x, ign, LM_REDUCTION_SUM)), ==, 0.0);
  lm_loss_options o = LM_LOSS_DEFAULTS;
  o.label_smoothing = 0.1;
  g_assert_true(isnan(lm_item(lm_cross_entropy_opts(x, ign, &o))));
  /* PyTorch's messages for bad options */
  et_catch_errors();
  lm_tensor *t = lm_tensor_from_int64((int64_t[]){0, 1, 2, 3}, LM_SHAPE(4));
  o.label_smoothing = 1.5;
  g_assert_null(lm_cross_entropy_opts(x, t, &o));
  et_assert_error("cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: 1.5");
  o.label_smoothing = 0.1;
  g_assert_null(lm_nll_loss_opts(x, t, &o));
  et_assert_error("nll_loss: label_smoothing is an option of cross_entropy only");
  o = LM_LOSS_DEFAULTS;
  o.weight = lm_ones(LM_SHAPE(3));
  g_assert_null(lm_cross_entropy_opts(x, t, &o));
  et_assert_error("cross_entropy: weight tensor should be defined either for all 4 classes or no "
                  "classes but got weight tensor of shape: (3)");
  o.weight = lm_tensor_from_int64((int64_t[]){1, 1, 1, 1}, LM_SHAPE(4));
  g_assert_null(lm_nll_loss_opts(x, t, &o));
  et_assert_error("nll_loss: expected a float32 tensor, got int64");
  /* a target that is neither a class nor ignore_index */
  o = LM_LOSS_DEFAULTS;
  o.ignore_index = -1;
  g_assert_null(lm_cross_entropy_opts(x, ign, &o));
  et_assert_error("cross_entropy: target -100 is out of bounds for 4 classes (at position 0)");
  et_default_errors();
  lm_scope_end();
}

static void test_errors(void)
{
  et_catch_errors();
  lm_scope_begin();
  lm_tensor *a = lm_zeros(LM_SHAPE(64, 784));
  g_assert_null(lm_matmul(a, lm_zeros(LM_SHAPE(128, 10))));
  et_assert_error("matmul: mat1 and mat2 shapes cannot be multiplied (64x784 and 128x10)");
  g_assert_cmpstr(lm_last_error(), ==,
                  "matmul: mat1 and mat2 shapes cannot be multiplied (64x784 and 128x10)");
  g_assert_null(lm_matmul(lm_zeros(LM_SHAPE(2, 3, 4)), lm_zeros(LM_SHAPE(3, 4, 5))));
  et_assert_error("matmul: batch dimensions of (2x3x4) and (3x4x5) cannot be broadcast");
  g_assert_null(lm_matmul(lm_zeros(LM_SHAPE(3)), lm_zeros(LM_SHAPE(4))));
  et_assert_error("matmul: mat1 and mat2 shapes cannot be multiplied (3 and 4)");
  g_assert_null(lm_linear(a, lm_zeros(LM_SHAPE(10, 128)), NULL));
  /* nn.Linear(128, 10) on a (64, 784) batch: PyTorch's message, then the layer's view */
  g_assert_cmpstr(lm_last_error(), ==,
                  "linear: mat1 and mat2 shapes cannot be multiplied (64x784 and 128x10): the "
                  "input has 784 features, the weight (10x128) expects 128");
  et_err.count = 0;
  g_assert_null(lm_linear(lm_zeros(LM_SHAPE(2, 3)), lm_zeros(LM_SHAPE(4, 3)), lm_zeros(LM_SHAPE(3))));
  et_assert_error("linear: bias of shape (3) does not match 4 output features");
  lm_tensor *x = lm_zeros(LM_SHAPE(2, 3));
  g_assert_null(lm_sum_dim(x, 3, false));
  et_assert_error("sum_dim: dimension out of range (expected to be in range of [-2, 1], but got 3)");
  g_assert_null(lm_softmax(x, -3));
  et_assert_error("softmax: dimension out of range (expected to be in range of [-2, 1], but got -3)");
  g_assert_null(lm_max_dim(lm_zeros(LM_SHAPE(2, 0)), 1, false));
  et_assert_error("max_dim: cannot take the max of an empty dimension");
  g_assert_null(lm_cross_entropy(x, lm_tensor_from_int64((int64_t[]){0, 3}, LM_SHAPE(2))));
  et_assert_error("cross_entropy: target 3 is out of bounds for 3 classes (at position 1)");
  g_assert_null(lm_nll_loss(x, lm_tensor_from_int64((int64_t[]){-1, 0}, LM_SHAPE(2))));
  et_assert_error("nll_loss: target -1 is out of bounds for 3 classes (at position 0)");
  g_assert_null(lm_cross_entropy(x, lm_zeros(LM_SHAPE(2))));
  et_assert_error("cross_entropy: expected target to hold int64 class indices of shape (2) or "
                  "float32 class probabilities of the input's shape (2x3), got dtype float32");
  g_assert_null(lm_cross_entropy(x, lm_tensor_from_int64((int64_t[]){0, 1, 2}, LM_SHAPE(3))));
  et_assert_error("cross_entropy: expected target of shape (2) for input (2x3), got (3)");
  g_assert_null(lm_mse_loss(x, lm_zeros(LM_SHAPE(3, 2))));
  et_assert_error("mse_loss: shapes (2x3) and (3x2) cannot be broadcast");
  /* device mismatch, checked before any data is touched */
  lm_tensor fake = *x;
  fake.device = LM_CUDA0;
  g_assert_null(lm_add(x, &fake));
  et_assert_error("add: expected all tensors to be on the same device, but found at least two "
                  "devices, cpu and cuda:0");
  g_assert_null(lm_matmul(x, lm_tensor_from_int64((int64_t[]){1, 2, 3}, LM_SHAPE(3))));
  et_assert_error("matmul: expected a float32 tensor, got int64");
  lm_scope_end();
  et_default_errors();
}

/* Class-probability targets (F.cross_entropy with a float (N, C) target, as
 * Keras's categorical_crossentropy on to_categorical labels): values and
 * gradients (logits and target) from PyTorch 1.13, produced by
 *   X as in test_loss_options; W = [0.5, 2.0, 1.0, 1.5]
 *   T = [[0, 0, 1, 0], [0.25, 0.25, 0.25, 0.25], [0.7, 0.1, 0, 0.2], [0.5, 0, 0, 1]]
 *   x = torch.tensor(X, requires_grad=True); t = torch.tensor(T, requires_grad=True)
 *   l = F.cross_entropy(x, t, weight=W or None, reduction=r, label_smoothing=e)
 *   l.backward(g)  # g = 1.5, or [0.5, -1, 2, 1.25] for reduction='none'
 * (the last row does not sum to 1: PyTorch does not normalise, nor do we;
 * 'mean' divides by N = 4 even with weights). */
static void test_loss_prob_target(void)
{
  static const float logits[] = {1.5f, -0.5f, 3.0f, 0.25f, 0.1f, 2.0f, -1.0f, 0.5f,
                                 -2.0f, 0.0f, 0.5f, 1.0f, 4.0f, -3.0f, 0.0f, 2.5f};
  static const float probs[] = {0.0f, 0.0f, 1.0f, 0.0f, 0.25f, 0.25f, 0.25f, 0.25f,
                                0.7f, 0.1f, 0.0f, 0.2f, 0.5f, 0.0f, 0.0f, 1.0f};
  static const struct {
    lm_reduction reduction;
    int weighted;
    float smoothing;
    float loss[4], grad[16], tgrad[16];
  } cases[] = {
    {LM_REDUCTION_MEAN, 0, 0.0f, {1.73966134f},
     {0.0635213256f, 0.00859667733f, -0.0903171748f, 0.0181991644f, -0.0543202683f, 0.169873014f, -0.0806249827f, -0.0349277556f, -0.253276497f, 0.0306528397f, 0.112365045f, 0.110258631f, 0.265268147f, 0.000412871101f, 0.00829273742f, -0.273973763f},
     {0.665831387f, 1.41583133f, 0.103331402f, 1.13458133f, 0.844652176f, 0.13215223f, 1.25715232f, 0.6946522f, 1.38943982f, 0.63943994f, 0.45193994f, 0.26443994f, 0.0813791156f, 2.70637918f, 1.58137918f, 0.643879116f}},
    {LM_REDUCTION_SUM, 0, 0.0f, {6.95864534f},
     {0.254085302f, 0.0343867093f, -0.361268699f, 0.0727966577f, -0.217281073f, 0.679492056f, -0.322499931f, -0.139711022f, -1.01310599f, 0.122611359f, 0.449460179f, 0.441034526f, 1.06107259f, 0.0016514844f, 0.0331709497f, -1.09589505f},
     {2.66332555f, 5.66332531f, 0.413325608f, 4.53832531f, 3.3786087f, 0.528608918f, 5.02860928f, 2.7786088f, 5.55775928f, 2.55775976f, 1.80775976f, 1.05775976f, 0.325516462f, 10.8255167f, 6.3255167f, 2.57551646f}},
    {LM_REDUCTION_NONE, 0, 0.0f, {0.275550395f, 1.95240605f, 2.90517282f, 1.82551646f},
     {0.0846951008f, 0.0114622358f, -0.1204229f, 0.0242655519f, 0.144854039f, -0.452994704f, 0.214999959f, 0.0931406766f, -1.35080802f, 0.163481817f, 0.599280238f, 0.588046074f, 0.884227157f, 0.00137623702f, 0.0276424587f, -0.913245916f},
     {0.887775183f, 1.88777518f, 0.137775198f, 1.51277518f, -2.25240588f, -0.352405936f, -3.35240602f, -1.85240591f, 7.41034603f, 3.41034627f, 2.41034627f, 1.41034627f, 0.271263719f, 9.02126408f, 5.2712636f, 2.1462636f}},
    {LM_REDUCTION_MEAN, 1, 0.0f, {1.68630612f},
     {0.0635213256f, 0.00859667733f, -0.0903171748f, 0.0181991644f, 0.00241216575f, 0.142028764f, -0.0773437321f, -0.0670971945f, -0.123410031f, -0.0170700885f, 0.0955102891f, 0.0449698307f, 0.434479505f, 0.000481682946f, 0.00967486016f, -0.444636077f},
     {0.332915694f, 2.83166265f, 0.103331402f, 1.70187211f, 0.422326088f, 0.264304459f, 1.25715232f, 1.04197836f, 0.694719911f, 1.27887988f, 0.45193994f, 0.396659881f, 0.0406895578f, 5.41275835f, 1.58137918f, 0.965818644f}},
    {LM_REDUCTION_MEAN, 1, 0.2f, {1.9749912f},
     {0.0573223941f, -0.0284734908f, -0.0198330488f, -0.00901587866f, 0.00241216575f, 0.142028764f, -0.0773437321f, -0.0670971945f, -0.105797164f, -0.0341178663f, 0.0857494995f, 0.0541655347f, 0.413669944f, -0.0370458439f, -0.00962798949f, -0.366996169f},
     {0.266332567f, 2.26533008f, 0.082665123f, 1.36149776f, 0.337860882f, 0.211443573f, 1.00572193f, 0.833582699f, 0.55577594f, 1.02310395f, 0.36155197f, 0.317327917f, 0.0325516462f, 4.33020687f, 1.26510334f, 0.772654951f}},
    {LM_REDUCTION_SUM, 1, 0.2f, {7.89996481f},
     {0.229289576f, -0.113893963f, -0.0793321952f, -0.0360635146f, 0.00964866299f, 0.568115056f, -0.309374928f, -0.268388778f, -0.423188657f, -0.136471465f, 0.342997998f, 0.216662139f, 1.65467978f, -0.148183376f, -0.038511958f, -1.46798468f},
     {1.06533027f, 9.0613203f, 0.330660492f, 5.44599104f, 1.35144353f, 0.845774293f, 4.02288771f, 3.3343308f, 2.22310376f, 4.09241581f, 1.44620788f, 1.26931167f, 0.130206585f, 17.3208275f, 5.06041336f, 3.0906198f}},
    {LM_REDUCTION_NONE, 1, 0.2f, {0.883077979f, 1.99050748f, 1.85581112f, 3.17056823f},
     {0.0764298588f, -0.0379646532f, -0.0264440291f, -0.01202117f, -0.00643244199f, -0.37874338f, 0.206249952f, 0.178925842f, -0.564251542f, -0.181961924f, 0.457330674f, 0.288882911f, 1.37889981f, -0.123486139f, -0.032093294f, -1.22332048f},
     {0.355110079f, 3.02044034f, 0.110220157f, 1.81533015f, -0.900962353f, -0.563849509f, -2.68192482f, -2.22288704f, 2.96413851f, 5.45655394f, 1.92827702f, 1.6924156f, 0.108505487f, 14.4340229f, 4.21701097f, 2.57551646f}},
    {LM_REDUCTION_MEAN, 0, 0.1f, {1.79913616f},
     {0.0541463271f, -0.000778323505f, -0.0621921569f, 0.00882416405f, -0.0543202683f, 0.169873014f, -0.0806249827f, -0.0349277556f, -0.236401498f, 0.0250278451f, 0.102990046f, 0.108383633f, 0.259550869f, -0.0089758914f, -0.00135868764f, -0.249216303f},
     {0.59924823f, 1.27424812f, 0.0929982588f, 1.02112317f, 0.760186911f, 0.118937001f, 1.13143706f, 0.62518698f, 1.25049579f, 0.575495958f, 0.40674594f, 0.237995937f, 0.073241204f, 2.43574119f, 1.42324126f, 0.579491198f}},
  };
  for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
    lm_scope_begin();
    lm_tensor *x = lm_tensor_from_data(logits, LM_SHAPE(4, 4));
    lm_tensor *t = lm_tensor_from_data(probs, LM_SHAPE(4, 4));
    lm_tensor_set_requires_grad(x, true);
    lm_tensor_set_requires_grad(t, true);
    lm_loss_options o = LM_LOSS_DEFAULTS;
    o.reduction = cases[k].reduction;
    o.weight = cases[k].weighted ? T(0.5f, 2.0f, 1.0f, 1.5f), LM_SHAPE(4)) : NULL;
    o.label_smoothing = cases[k].smoothing;
    lm_tensor *l = lm_cross_entropy_opts(x, t, &o);
    g_assert_nonnull(l);
    bool none = cases[k].reduction == LM_REDUCTION_NONE;
    g_assert_cmpint(l->ndim, ==, none ? 1 : 0);
    et_assert_values(l, cases[k].loss, none ? 4 : 1, 2e-6);
    lm_backward(l, none ? T(0.5f, -1.0f, 2.0f, 1.25f), LM_SHAPE(4)) : lm_full(0, NULL, 1.5f),
                false);
    et_assert_values(x->grad, cases[k].grad, 16, 2e-6);
    et_assert_values(t->grad, cases[k].tgrad, 16, 2e-6);
    lm_scope_end();
  }
  lm_scope_begin();
  lm_tensor *x = lm_tensor_from_data(logits, LM_SHAPE(4, 4));
  /* one-hot rows give the class-index loss: F.cross_entropy(X, [2, 1, 0, 3]) = 1.51253510 */
  lm_tensor *y = lm_tensor_from_int64((int64_t[]){2, 1, 0, 3}, LM_SHAPE(4));
  g_assert_cmpfloat_with_epsilon(lm_item(lm_cross_entropy(x, lm_to_categorical(y, 4))),
                                 1.51253510f, 2e-6);
  g_assert_cmpfloat_with_epsilon(lm_item(lm_cross_entropy(x, y)), 1.51253510f, 2e-6);
  /* one sample: (C) logits and a (C) target; F.cross_entropy(X[2], T[2]) */
  lm_tensor *x1 = lm_tensor_from_data(logits + 8, LM_SHAPE(4));
  lm_tensor_set_requires_grad(x1, true);
  lm_tensor *l1 = lm_cross_entropy(x1, lm_tensor_from_data(probs + 8, LM_SHAPE(4)));
  g_assert_cmpint(l1->ndim, ==, 0);
  g_assert_cmpfloat_with_epsilon(lm_item(l1), 2.90517282f, 2e-6);
  lm_backward(l1, NULL, false);
  et_assert_values(x1->grad, (float[]){-0.675404012f, 0.0817409083f, 0.299640119f, 0.294023037f},
                   4, 2e-6);
  /* no samples: mean NaN, sum 0, as PyTorch */
  lm_tensor *e = lm_zeros(LM_SHAPE(0, 4));
  g_assert_true(isnan(lm_item(lm_cross_entropy(e, lm_zeros(LM_SHAPE(0, 4))))));
  g_assert_cmpfloat(lm_item(lm_cross_entropy_ex(e, lm_zeros(LM_SHAPE(0, 4)), LM_REDUCTION_SUM)),
                    ==, 0.0);
  /* no classes (N = 2, C = 0): no value either, so PyTorch 1.13's mean is
   * NaN too (it was 0, a sum of nothing over N), sum 0, 'none' two zeros:
   *   F.cross_entropy(torch.zeros(2, 0), torch.zeros(2, 0), reduction=r) */
  lm_tensor *e0 = lm_zeros(LM_SHAPE(2, 0));
  g_assert_true(isnan(lm_item(lm_cross_entropy(e0, lm_zeros(LM_SHAPE(2, 0))))));
  g_assert_cmpfloat(lm_item(lm_cross_entropy_ex(e0, lm_zeros(LM_SHAPE(2, 0)), LM_REDUCTION_SUM)),
                    ==, 0.0);
  et_assert_values(lm_cross_entropy_ex(e0, lm_zeros(LM_SHAPE(2, 0)), LM_REDUCTION_NONE),
                   (float[]){0, 0}, 2, 0);
  /* class indices with no class: every target ignored gives NaN (mean), 0
   * (sum), zeros (none), as PyTorch; any other target is out of bounds */
  lm_tensor *ign = lm_tensor_from_int64((int64_t[]){-100, -100}, LM_SHAPE(2));
  g_assert_true(isnan(lm_item(lm_cross_entropy(e0, ign))));
  g_assert_true(isnan(lm_item(lm_nll_loss(e0, ign))));
  g_assert_cmpfloat(lm_item(lm_cross_entropy_ex(e0, ign, LM_REDUCTION_SUM)), ==, 0.0);
  et_assert_values(lm_nll_loss_ex(e0, ign, LM_REDUCTION_NONE), (float[]){0, 0}, 2, 0);
  /* PyTorch's messages for targets that fit neither form */
  et_catch_errors();
  g_assert_null(lm_cross_entropy(x, lm_zeros(LM_SHAPE(3, 4))));
  et_assert_error("cross_entropy: Expected input batch_size (4) to match target batch_size (3).");
  g_assert_null(lm_cross_entropy(x, lm_zeros(LM_SHAPE(4, 5))));
  et_assert_error("cross_entropy: expected a target of class probabilities to have the input's "
                  "shape (4x4), got (4x5)");
  g_assert_null(lm_cross_entropy(x, lm_zeros(LM_SHAPE(4, 4, 1))));
  et_assert_error("got (4x4x1)");
  g_assert_null(lm_cross_entropy(x, lm_one_hot(y, 4)));
  et_assert_error("cross_entropy: Expected floating point type for target with class "
                  "probabilities, got int64");
  g_assert_null(lm_cross_entropy(x, lm_zeros(LM_SHAPE(4))));
  et_assert_error("cross_entropy: expected target to hold int64 class indices of shape (4) or "
                  "float32 class probabilities of the input's shape (4x4), got dtype float32");
  lm_loss_options o = LM_LOSS_DEFAULTS;
  o.ignore_index = 1;
  g_assert_null(lm_cross_entropy_opts(x, lm_zeros(LM_SHAPE(4, 4)), &o));
  et_assert_error("cross_entropy: ignore_index is not supported for floating point target");
  o.ignore_index = -5; /* PyTorch only refuses an index that could be a class */
  g_assert_nonnull(lm_cross_entropy_opts(x, lm_zeros(LM_SHAPE(4, 4)), &o));
  o = LM_LOSS_DEFAULTS;
  o.weight = lm_ones(LM_SHAPE(3));
  g_assert_null(lm_cross_entropy_opts(x, lm_zeros(LM_SHAPE(4, 4)), &o));
  et_assert_error("weight tensor should be defined either for all 4 classes");
  g_assert_null(lm_nll_loss(x, lm_zeros(LM_SHAPE(4, 4))));
  et_assert_error("nll_loss: expected target to hold int64 class indices, got dtype float32");
  g_assert_null(lm_cross_entropy(e0, lm_tensor_from_int64((int64_t[]){-100, 0}, LM_SHAPE(2))));
  et_assert_error("cross_entropy: target 0 is out of bounds for 0 classes (at position 1)");
  g_assert_cmpint(et_err.count, ==, 0);
  et_default_errors();
  lm_scope_end();
}

/* PyTorch's K-dimensional form: F.cross_entropy and F.nll_loss over an input
 * (N, C, d1, ..., dk), with int64 targets (N, d1, ..., dk) or probabilities
 * of the input's shape; 'none' gives (N, d1, ..., dk). Values and gradients
 * from PyTorch 1.13, produced by
 *   X = ((((torch.arange(24) * 7) % 11) - 5) * 0.5).reshape(2, 3, 2, 2)
 *   P = F.softmax(torch.cos(torch.arange(24.)).reshape(2, 3, 2, 2), 1)
 *   TA = [0, 2, 1, -100, 2, 1, 0, 1], TB = [0, 2, 1, 1, 2, 1, 0, 0] as (2, 2, 2)
 *   W = [0.5, 2.0, 1.5]; x = X.requires_grad_()
 *   l = F.cross_entropy(x, t, weight=W or None, ignore_index=i, reduction=r,
 *                       label_smoothing=e)  # nll: F.nll_loss(F.log_softmax(x, 1), t, ...)
 *   l.backward(g)  # g = 1.5, or G = [0.5, -1, 2, 1.25, 1, -0.5, 0.75, 3] as (2, 2, 2)
 *                  # for reduction='none' */
enum { ND_CE, ND_NLL, ND_PROB };
static void test_loss_nd(void)
{
  static const float logits[] = {-2.5f, 1.0f, -1.0f, 2.5f, 0.5f, -1.5f, 2.0f, 0.0f, -2.0f, 1.5f, -0.5f, -2.5f, 1.0f, -1.0f, 2.5f, 0.5f, -1.5f, 2.0f, 0.0f, -2.0f, 1.5f, -0.5f, -2.5f, 1.0f};
  static const float probs[] = {0.662507772f, 0.498037428f, 0.178081155f, 0.106126383f, 0.126771808f, 0.385304958f, 0.705252945f, 0.606998026f, 0.210720435f, 0.11665754f, 0.116665959f, 0.286875665f, 0.551932991f, 0.649419367f, 0.33234337f, 0.124999881f, 0.0910959393f, 0.199032575f, 0.561015308f, 0.718169332f, 0.356971055f, 0.151548028f, 0.10664127f, 0.156830847f};
  static const int64_t ta[] = {0, 2, 1, -100, 2, 1, 0, 1}, tb[] = {0, 2, 1, 1, 2, 1, 0, 0};
  static const struct {
    int kind;
    lm_reduction reduction;
    int64_t ignore_index;
    int weighted;
    float smoothing;
    char target;
    float loss[8], grad[24];
  } cases[] = {
    {ND_CE, LM_REDUCTION_MEAN, -100, 0, 0.0f, 'A', {1.13864386f},
     {-0.204860047f, 0.0784697533f, 0.00942567363f, 0.0f, 0.18931973f, 0.00644118991f, -0.0249659885f, 0.0f, 0.0155403093f, -0.0849109441f, 0.0155403093f, 0.0f, 0.0784697533f, 0.00942567363f, -0.0174807999f, 0.0784697533f, 0.00644118991f, -0.0249659885f, 0.0161547307f, -0.207844526f, -0.0849109441f, 0.0155403093f, 0.00132606109f, 0.129374772f}},
    {ND_CE, LM_REDUCTION_SUM, -100, 0, 0.0f, 'A', {7.97050667f},
     {-1.43402028f, 0.549288273f, 0.0659797192f, 0.0f, 1.32523811f, 0.0450883284f, -0.174761921f, 0.0f, 0.108782157f, -0.594376624f, 0.108782157f, 0.0f, 0.549288273f, 0.0659797192f, -0.122365594f, 0.549288273f, 0.0450883284f, -0.174761921f, 0.113083117f, -1.45491171f, -0.594376624f, 0.108782157f, 0.00928242784f, 0.905623376f}},
    {ND_CE, LM_REDUCTION_NONE, -100, 0, 0.0f, 'A', {3.123873f, 0.504596889f, 0.123872951f, 0.0f, 0.504596889f, 0.123872951f, 0.0850972608f, 3.50459695f},
     {-0.47800675f, -0.366192192f, 0.0879729539f, 0.0f, 0.441746026f, -0.0300588869f, -0.233015895f, 0.0f, 0.0362607203f, 0.396251082f, 0.145042881f, 0.0f, 0.366192192f, -0.0219932385f, -0.061182797f, 1.09857655f, 0.0300588869f, 0.0582539737f, 0.0565415584f, -2.90982342f, -0.396251082f, -0.0362607203f, 0.00464121392f, 1.81124675f}},
    {ND_CE, LM_REDUCTION_MEAN, -100, 1, 0.0f, 'A', {1.06229615f},
     {-0.07170102f, 0.0823932439f, 0.013195944f, 0.0f, 0.0662619099f, 0.00676324964f, -0.0349523872f, 0.0f, 0.00543910824f, -0.0891564935f, 0.021756433f, 0.0f, 0.0823932439f, 0.013195944f, -0.00611827988f, 0.109857664f, 0.00676324964f, -0.0349523872f, 0.00565415621f, -0.290982336f, -0.0891564935f, 0.021756433f, 0.000464121404f, 0.181124687f}},
    {ND_CE, LM_REDUCTION_MEAN, 1, 0, 0.0f, 'B', {1.04455221f},
     {-0.28680408f, 0.109857664f, 0.0f, 0.0f, 0.26504764f, 0.0090176668f, 0.0f, 0.0f, 0.021756433f, -0.118875332f, 0.0f, 0.0f, 0.109857664f, 0.0f, -0.0244731195f, -0.190142348f, 0.0090176668f, 0.0f, 0.0226166248f, 0.0090176668f, -0.118875332f, 0.0f, 0.00185648561f, 0.181124687f}},
    {ND_CE, LM_REDUCTION_MEAN, -100, 0, 0.1f, 'A', {1.2172153f},
     {-0.190574333f, 0.0713268965f, 0.00228281645f, 0.0f, 0.182176873f, -0.000701667101f, -0.010680276f, 0.0f, 0.0083974516f, -0.0706252307f, 0.0083974516f, 0.0f, 0.0713268965f, 0.00228281645f, -0.0031950858f, 0.0713268965f, -0.000701667101f, -0.010680276f, 0.00901187398f, -0.193558812f, -0.0706252307f, 0.0083974516f, -0.00581679586f, 0.122231916f}},
    {ND_CE, LM_REDUCTION_NONE, -100, 1, 0.2f, 'A', {1.63258207f, 1.1567421f, 0.581229568f, 0.0f, 1.1567421f, 0.581229568f, 0.890064895f, 6.15858078f},
     {-0.202004507f, -0.503748536f, 0.097549513f, 0.0f, 0.227830693f, 0.0892469734f, -0.168296352f, 0.0f, -0.0258261897f, 0.414501637f, 0.0707466975f, 0.0f, 0.503748536f, -0.0243873782f, 0.134211451f, 1.95067644f, -0.0892469734f, 0.042074088f, -0.0623056367f, -5.03167057f, -0.414501637f, -0.0176866744f, -0.0719058588f, 3.08099413f}},
    {ND_CE, LM_REDUCTION_SUM, 1, 1, 0.2f, 'B', {5.78919601f},
     {-0.606013536f, 0.755622864f, 0.0f, 0.0f, 0.683492064f, -0.133870453f, 0.0f, 0.0f, -0.0774785653f, -0.621752381f, 0.0f, 0.0f, 0.755622864f, 0.0f, 0.268422902f, -0.283807844f, -0.133870453f, 0.0f, -0.124611259f, -0.169941112f, -0.621752381f, 0.0f, -0.143811718f, 0.453748912f}},
    {ND_NLL, LM_REDUCTION_MEAN, -100, 1, 0.0f, 'A', {1.06229615f},
     {-0.07170102f, 0.0823932439f, 0.013195944f, 0.0f, 0.0662619099f, 0.00676324964f, -0.0349523872f, 0.0f, 0.00543910824f, -0.0891564935f, 0.021756433f, 0.0f, 0.0823932439f, 0.013195944f, -0.00611827988f, 0.109857664f, 0.00676324964f, -0.0349523872f, 0.00565415621f, -0.290982336f, -0.0891564935f, 0.021756433f, 0.000464121404f, 0.181124687f}},
    {ND_NLL, LM_REDUCTION_SUM, 1, 0, 0.0f, 'B', {5.22276115f},
     {-1.43402028f, 0.549288273f, 0.0f, 0.0f, 1.32523811f, 0.0450883284f, 0.0f, 0.0f, 0.108782157f, -0.594376624f, 0.0f, 0.0f, 0.549288273f, 0.0f, -0.122365594f, -0.950711727f, 0.0450883284f, 0.0f, 0.113083117f, 0.0450883284f, -0.594376624f, 0.0f, 0.00928242784f, 0.905623376f}},
    {ND_NLL, LM_REDUCTION_NONE, -100, 1, 0.0f, 'A', {1.5619365f, 0.756895304f, 0.247745901f, 0.0f, 0.756895304f, 0.247745901f, 0.0425486304f, 7.0091939f},
     {-0.239003375f, -0.549288273f, 0.175945908f, 0.0f, 0.220873013f, -0.0450883284f, -0.46603179f, 0.0f, 0.0181303602f, 0.594376624f, 0.290085763f, 0.0f, 0.549288273f, -0.043986477f, -0.0305913985f, 2.19715309f, 0.0450883284f, 0.116507947f, 0.0282707792f, -5.81964684f, -0.594376624f, -0.0725214407f, 0.00232060696f, 3.62249351f}},
    {ND_PROB, LM_REDUCTION_MEAN, -100, 0, 0.0f, 'P', {2.09772229f},
     {-0.115972742f, -0.0247209799f, -0.0251427516f, 0.152305618f, 0.141885057f, -0.0666086376f, 0.0334198549f, -0.0996767431f, -0.0259123109f, 0.0913296342f, -0.00827709492f, -0.0526288822f, -0.0348263979f, -0.11351867f, 0.109889917f, 0.0452235639f, -0.0114444485f, 0.128336146f, -0.091054976f, -0.129020721f, 0.0462708473f, -0.0148174856f, -0.0188349355f, 0.0837971494f}},
    {ND_PROB, LM_REDUCTION_SUM, -100, 1, 0.0f, 'P', {22.967207f},
     {-0.43744114f, 0.282659948f, -0.0230748337f, 2.25876427f, 0.813562572f, -1.10205173f, 0.103412494f, -1.6290499f, -0.376121521f, 0.819391787f, -0.080337733f, -0.629714549f, 0.131831348f, -0.424377412f, 1.74578321f, 0.858762741f, -0.228487387f, 0.662006736f, -1.51928294f, -2.07632113f, 0.096656099f, -0.237629473f, -0.226500392f, 1.21755862f}},
    {ND_PROB, LM_REDUCTION_NONE, -100, 1, 0.1f, 'P', {1.8975184f, 3.01083732f, 1.01236129f, 5.22591257f, 1.34295344f, 1.68562937f, 3.78332186f, 4.96936512f},
     {-0.136633247f, -0.201754928f, -0.0492933951f, 1.8263104f, 0.269634932f, 0.723889828f, 0.226359501f, -1.29255593f, -0.1330017f, -0.5221349f, -0.177066222f, -0.533754468f, 0.111257747f, 0.132714123f, 0.864944816f, 1.64224958f, -0.199751258f, -0.224168167f, -0.726138473f, -3.92535448f, 0.0884935334f, 0.0914540738f, -0.138806343f, 2.28310466f}},
    {ND_PROB, LM_REDUCTION_MEAN, -100, 1, 0.3f, 'P', {2.85616064f},
     {-0.0443521142f, 0.0428221561f, -0.00809506234f, 0.257148623f, 0.0999486297f, -0.131675109f, 0.0378104895f, -0.174387723f, -0.0555965193f, 0.088852942f, -0.029715443f, -0.0827608928f, 0.0296246577f, -0.0432090387f, 0.21226275f, 0.093231149f, -0.0552382283f, 0.0866874978f, -0.164783105f, -0.216923669f, 0.025613578f, -0.043478474f, -0.0474796593f, 0.123692535f}},
  };
  for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
    lm_scope_begin();
    lm_tensor *x = lm_tensor_from_data(logits, LM_SHAPE(2, 3, 2, 2));
    lm_tensor_set_requires_grad(x, true);
    lm_tensor *t = cases[k].target == 'P' ? lm_tensor_from_data(probs, LM_SHAPE(2, 3, 2, 2))
                   : lm_tensor_from_int64(cases[k].target == 'A' ? ta : tb, LM_SHAPE(2, 2, 2));
    lm_loss_options o = LM_LOSS_DEFAULTS;
    o.reduction = cases[k].reduction;
    o.ignore_index = cases[k].ignore_index;
    o.weight = cases[k].weighted ? T(0.5f, 2.0f, 1.5f), LM_SHAPE(3)) : NULL;
    o.label_smoothing = cases[k].smoothing;
    lm_tensor *l = cases[k].kind == ND_NLL ? lm_nll_loss_opts(lm_log_softmax(x, 1), t, &o)
                                           : lm_cross_entropy_opts(x, t, &o);
    g_assert_nonnull(l);
    bool none = cases[k].reduction == LM_REDUCTION_NONE;
    if (none)
      et_assert_shape(l, 2, 2, 2);
    else
      g_assert_cmpint(l->ndim, ==, 0);
    et_assert_values(l, cases[k].loss, none ? 8 : 1, 4e-6);
    lm_backward(l,
                none ? T(0.5f, -1.0f, 2.0f, 1.25f, 1.0f, -0.5f, 0.75f, 3.0f), LM_SHAPE(2, 2, 2))
                     : lm_full(0, NULL, 1.5f),
                false);
    et_assert_values(x->grad, cases[k].grad, 24, 4e-6);
    lm_scope_end();
  }
  lm_scope_begin();
  /* (N, C, d1): 'none' is (N, d1), and any layout of the input will do: a
   * (N, d1, C) tensor transposed gives the loss of its (N*d1, C) rows */
  lm_tensor *rows = lm_tensor_from_data(logits, LM_SHAPE(2, 4, 3));
  lm_tensor *t3 = lm_tensor_from_int64(tb, LM_SHAPE(2, 4));
  lm_tensor *l3 = lm_cross_entropy_ex(lm_transpose(rows, 1, 2), t3, LM_REDUCTION_NONE);
  et_assert_shape(l3, 2, 4);
  lm_tensor *flat = lm_cross_entropy_ex(lm_reshape(rows, LM_SHAPE(8, 3)),
                                        lm_reshape(t3, LM_SHAPE(8)), LM_REDUCTION_NONE);
  for (int64_t i = 0; i < 8; i++)
    g_assert_cmpfloat_with_epsilon(lm_get(l3, (int64_t[]){i / 4, i % 4}),
                                   lm_get(flat, (int64_t[]){i}), 1e-6);
  /* PyTorch's messages for a target that does not fit */
  lm_tensor *x = lm_tensor_from_data(logits, LM_SHAPE(2, 3, 2, 2));
  et_catch_errors();
  g_assert_null(lm_nll_loss(x, lm_to_dtype(lm_zeros(LM_SHAPE(3, 2, 2)), LM_INT64)));
  et_assert_error("nll_loss: Expected input batch_size (2) to match target batch_size (3).");
  g_assert_null(lm_cross_entropy(x, lm_zeros(LM_SHAPE(3, 3, 2, 2))));
  et_assert_error("cross_entropy: Expected input batch_size (2) to match target batch_size (3).");
  g_assert_null(lm_nll_loss(x, lm_to_dtype(lm_zeros(LM_SHAPE(2, 2, 3)), LM_INT64)));
  et_assert_error("nll_loss: Expected target size (2x2x2), got (2x2x3)");
  g_assert_null(lm_cross_entropy(x, lm_to_dtype(lm_zeros(LM_SHAPE(2, 4)), LM_INT64)));
  et_assert_error("cross_entropy: Expected target size (2x2x2), got (2x4)");
  g_assert_null(lm_cross_entropy(x, lm_zeros(LM_SHAPE(2, 3, 2, 3))));
  et_assert_error("cross_entropy: expected a target of class probabilities to have the input's "
                  "shape (2x3x2x2), got (2x3x2x3)");
  g_assert_null(lm_cross_entropy(x, lm_zeros(LM_SHAPE(2, 2, 2))));
  et_assert_error("cross_entropy: expected target to hold int64 class indices of shape (2x2x2) "
                  "or float32 class probabilities of the input's shape (2x3x2x2), got dtype "
                  "float32");
  g_assert_null(lm_cross_entropy(x, lm_to_dtype(lm_zeros(LM_SHAPE(2, 3, 2, 2)), LM_INT64)));
  et_assert_error("cross_entropy: Expected floating point type for target with class "
                  "probabilities, got int64");
  g_assert_null(lm_nll_loss(x, lm_to_dtype(lm_full(LM_SHAPE(2, 2, 2), 5.0f), LM_INT64)));
  et_assert_error("nll_loss: target 5 is out of bounds for 3 classes (at position 0)");
  g_assert_cmpint(et_err.count, ==, 0);
  et_default_errors();
  lm_scope_end();
}

/* F.one_hot and to_categorical; references from PyTorch 1.13:
 * F.one_hot(torch.tensor([[0, 2], [1, 0]])) (num_classes -1: 3 classes) and
 * its messages for bad labels. */
static void test_one_hot(void)
{
  lm_scope_begin();
  lm_tensor *y = lm_tensor_from_int64((int64_t[]){0, 2, 1, 0}, LM_SHAPE(2, 2));
  lm_tensor *h = lm_one_hot(y, -1);
  g_assert_cmpint(h->dtype, ==, LM_INT64);
  g_assert_cmpint(h->ndim, ==, 3);
  g_assert_cmpint(h->shape[2], ==, 3);
  et_assert_values(h, (float[]){1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0}, 12, 0);
  lm_tensor *h5 = lm_one_hot(lm_transpose(y, 0, 1), 5); /* any layout */
  g_assert_cmpint(h5->shape[2], ==, 5);
  et_assert_values(h5, (float[]){1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0},
                   20, 0);
  lm_tensor *c = lm_to_categorical(y, 3);
  g_assert_cmpint(c->dtype, ==, LM_FLOAT32);
  et_assert_values(c, (float[]){1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0}, 12, 0);
  /* tensor.to(dtype): int64 -> float32 and back (truncation toward zero) */
  lm_tensor *f = lm_to_dtype(h, LM_FLOAT32);
  g_assert_cmpint(f->dtype, ==, LM_FLOAT32);
  et_assert_values(f, (float[]){1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0}, 12, 0);
  lm_tensor *i = lm_to_dtype(T(2.7f, -2.7f, 0.5f, -0.0f), LM_SHAPE(4)), LM_INT64);
  g_assert_cmpint(i->dtype, ==, LM_INT64);
  et_assert_values(i, (float[]){2, -2, 0, 0}, 4, 0);
  g_assert_true(lm_to_dtype(f, LM_FLOAT32) == f);
  /* no labels: (0, C) for C >= 1; for num_classes 0 (or -1) PyTorch 1.13 raises
   * "Can not infer total number of classes from empty tensor." */
  lm_tensor *e3 = lm_one_hot(lm_tensor_from_int64((int64_t[]){0}, LM_SHAPE(2, 0)), 3);
  et_assert_shape(e3, 2, 0, 3);
  et_catch_errors();
  g_assert_null(lm_one_hot(lm_tensor_from_int64((int64_t[]){0}, LM_SHAPE(0)), 0));
  et_assert_error("one_hot: Can not infer total number of classes from empty tensor.");
  g_assert_null(lm_one_hot(lm_tensor_from_int64((int64_t[]){0, 5, 1}, LM_SHAPE(3)), 3));
  et_assert_error("one_hot: Class values must be smaller than num_classes (3), got 5 (at "
                  "position 1)");
  g_assert_null(lm_to_categorical(lm_tensor_from_int64((int64_t[]){0, -1}, LM_SHAPE(2)), 3));
  et_assert_error("to_categorical: Class values must be non-negative, got -1 (at position 1)");
  lm_tensor *fl = T(0.0f, 1.0f), LM_SHAPE(2));
  g_assert_null(lm_one_hot(fl, 2));
  et_assert_error("one_hot: one_hot is only applicable to index tensor (int64 class labels), got "
                  "dtype float32");
  g_assert_null(lm_one_hot(lm_tensor_from_int64((int64_t[]){0}, LM_SHAPE(0)), -1));
  et_assert_error("one_hot: Can not infer total number of classes from empty tensor.");
  g_assert_null(lm_one_hot(y, -2));
  et_assert_error("one_hot: num_classes must be positive or -1 (the largest label + 1), got -2");
  et_default_errors();
  lm_scope_end();
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/engine/ops/binary", test_binary);
  g_test_add_func("/engine/ops/unary", test_unary);
  g_test_add_func("/engine/ops/reductions", test_reductions);
  g_test_add_func("/engine/ops/max-ties", test_max_ties);
  g_test_add_func("/engine/ops/matmul-linear", test_matmul);
  g_test_add_func("/engine/ops/softmax-losses", test_softmax_losses);
  g_test_add_func("/engine/ops/loss-reduction", test_loss_reduction);
  g_test_add_func("/engine/ops/loss-options", test_loss_options);
  g_test_add_func("/engine/ops/loss-prob-target", test_loss_prob_target);
  g_test_add_func("/engine/ops/loss-nd", test_loss_nd);
  g_test_add_func("/engine/ops/one-hot", test_one_hot);
  g_test_add_func("/engine/ops/errors", test_errors);
  return g_test_run();
}
