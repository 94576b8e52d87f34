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
  et_assert_error("cross_entropy: expected target to hold int64 class indices, got dtype float32");
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
  g_test_add_func("/engine/ops/errors", test_errors);
  return g_test_run();
}
