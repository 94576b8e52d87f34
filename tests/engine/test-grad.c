/* test-grad.c: every core op's backward against central finite differences
 * (gradcheck.c), on small random shapes including broadcasting, batched
 * matmul and non-contiguous views (made inside the checked functions). */
#include "engine-test.h"
#include "gradcheck.h"

#define FN(name, expr)                                                               \
  static lm_tensor *name(lm_tensor *const *in, void *ud)                             \
  {                                                                                  \
    (void)ud;                                                                        \
    return (expr);                                                                   \
  }

#define LEAF(lo, hi, ...) lm_gradcheck_leaf(LM_SHAPE(__VA_ARGS__), lo, hi)

static void check(const char *name, lm_gradcheck_fn fn, int n, lm_tensor **in)
{
  if (!lm_gradcheck(name, fn, NULL, in, n, NULL))
    g_error("gradient check failed for %s", name);
}

/* ---- elementwise ---- */
FN(f_add, lm_add(in[0], in[1]))
FN(f_sub, lm_sub(in[0], in[1]))
FN(f_mul, lm_mul(in[0], in[1]))
FN(f_div, lm_div(in[0], in[1]))
FN(f_pow, lm_pow(in[0], in[1]))
FN(f_add_t, lm_add(lm_transpose(in[0], 0, 1), in[1]))
FN(f_mul_self, lm_mul(in[0], in[0]))
FN(f_add_scalar, lm_add_scalar(in[0], 2.5f))
FN(f_sub_scalar, lm_sub_scalar(in[0], 2.5f))
FN(f_mul_scalar, lm_mul_scalar(in[0], -3))
FN(f_div_scalar, lm_div_scalar(in[0], 4))
FN(f_pow3, lm_pow_scalar(in[0], 3))
FN(f_powh, lm_pow_scalar(in[0], 0.5f))
FN(f_neg, lm_neg(in[0]))
FN(f_exp, lm_exp(in[0]))
FN(f_log, lm_log(in[0]))
FN(f_sqrt, lm_sqrt(in[0]))
FN(f_abs, lm_abs(in[0]))
FN(f_clamp, lm_clamp(in[0], -0.5f, 0.5f))
FN(f_relu, lm_relu(in[0]))
FN(f_sigmoid, lm_sigmoid(in[0]))
FN(f_tanh, lm_tanh(in[0]))
FN(f_gelu, lm_gelu(in[0]))
FN(f_relu_t, lm_relu(lm_transpose(in[0], 0, 1)))

static void test_elementwise(void)
{
  lm_scope_begin();
  lm_manual_seed(10);
  check("add broadcast", f_add, 2, (lm_tensor *[]){LEAF(-1, 1, 2, 3), LEAF(-1, 1, 3)});
  check("add 3-d broadcast", f_add, 2, (lm_tensor *[]){LEAF(-1, 1, 2, 1, 3), LEAF(-1, 1, 4, 1)});
  check("add transposed", f_add_t, 2, (lm_tensor *[]){LEAF(-1, 1, 3, 2), LEAF(-1, 1, 2, 1)});
  check("sub broadcast", f_sub, 2, (lm_tensor *[]){LEAF(-1, 1, 3), LEAF(-1, 1, 2, 3)});
  check("mul broadcast", f_mul, 2, (lm_tensor *[]){LEAF(-1, 1, 2, 3), LEAF(-1, 1, 2, 1)});
  check("mul self", f_mul_self, 1, (lm_tensor *[]){LEAF(-1, 1, 5)});
  check("div broadcast", f_div, 2, (lm_tensor *[]){LEAF(-1, 1, 2, 3), LEAF(0.5f, 2, 3)});
  check("pow", f_pow, 2, (lm_tensor *[]){LEAF(0.5f, 2, 2, 3), LEAF(-1, 2, 3)});
  lm_tensor *x = LEAF(-1, 1, 2, 3);
  check("add_scalar", f_add_scalar, 1, &x);
  check("sub_scalar", f_sub_scalar, 1, &x);
  check("mul_scalar", f_mul_scalar, 1, &x);
  check("div_scalar", f_div_scalar, 1, &x);
  check("pow_scalar 3", f_pow3, 1, &x);
  check("neg", f_neg, 1, &x);
  check("exp", f_exp, 1, &x);
  check("abs", f_abs, 1, &x);
  check("clamp", f_clamp, 1, &x);
  check("relu", f_relu, 1, &x);
  check("relu transposed", f_relu_t, 1, &x);
  check("sigmoid", f_sigmoid, 1, &x);
  check("tanh", f_tanh, 1, &x);
  check("gelu", f_gelu, 1, &x);
  lm_tensor *pos = LEAF(0.5f, 2, 2, 3);
  check("log", f_log, 1, &pos);
  check("sqrt", f_sqrt, 1, &pos);
  check("pow_scalar 0.5", f_powh, 1, &pos);
  lm_scope_end();
}

/* ---- reductions ---- */
FN(f_sum, lm_sum(in[0]))
FN(f_mean, lm_mean(in[0]))
FN(f_max, lm_max(in[0]))
FN(f_sum0, lm_sum_dim(in[0], 0, false))
FN(f_sum1k, lm_sum_dim(in[0], -1, true))
FN(f_mean1, lm_mean_dim(in[0], 1, false))
FN(f_max0, lm_max_dim(in[0], 0, false))
FN(f_max1k, lm_max_dim(in[0], 1, true))
FN(f_sum_perm, lm_sum_dim(lm_permute(in[0], (int[]){2, 0, 1}), 1, false))
FN(f_mean_t, lm_mean(lm_transpose(in[0], 0, 1)))

static void test_reductions(void)
{
  lm_scope_begin();
  lm_manual_seed(11);
  lm_tensor *x = LEAF(-1, 1, 3, 4);
  check("sum", f_sum, 1, &x);
  check("mean", f_mean, 1, &x);
  check("max", f_max, 1, &x);
  check("sum_dim 0", f_sum0, 1, &x);
  check("sum_dim -1 keepdim", f_sum1k, 1, &x);
  check("mean_dim 1", f_mean1, 1, &x);
  check("max_dim 0", f_max0, 1, &x);
  check("max_dim 1 keepdim", f_max1k, 1, &x);
  check("mean transposed", f_mean_t, 1, &x);
  lm_tensor *y = LEAF(-1, 1, 2, 3, 4);
  check("sum_dim permuted", f_sum_perm, 1, &y);
  lm_scope_end();
}

/* ---- matmul and linear ---- */
FN(f_mm, lm_matmul(in[0], in[1]))
FN(f_mm_tt, lm_matmul(lm_transpose(in[0], 0, 1), lm_transpose(in[1], 0, 1)))
FN(f_mm_step, lm_matmul(lm_slice(in[0], 1, 0, 6, 2), in[1]))
FN(f_linear, lm_linear(in[0], in[1], in[2]))
FN(f_linear_nb, lm_linear(in[0], in[1], NULL))
FN(f_linear_wt, lm_linear(in[0], lm_transpose(in[1], 0, 1), in[2]))

static void test_matmul(void)
{
  lm_scope_begin();
  lm_manual_seed(12);
  check("mm", f_mm, 2, (lm_tensor *[]){LEAF(-1, 1, 3, 4), LEAF(-1, 1, 4, 2)});
  check("mm transposed", f_mm_tt, 2, (lm_tensor *[]){LEAF(-1, 1, 4, 3), LEAF(-1, 1, 2, 4)});
  check("mm strided", f_mm_step, 2, (lm_tensor *[]){LEAF(-1, 1, 3, 6), LEAF(-1, 1, 3, 2)});
  check("dot", f_mm, 2, (lm_tensor *[]){LEAF(-1, 1, 4), LEAF(-1, 1, 4)});
  check("vec @ mat", f_mm, 2, (lm_tensor *[]){LEAF(-1, 1, 4), LEAF(-1, 1, 4, 3)});
  check("mat @ vec", f_mm, 2, (lm_tensor *[]){LEAF(-1, 1, 3, 4), LEAF(-1, 1, 4)});
  check("bmm", f_mm, 2, (lm_tensor *[]){LEAF(-1, 1, 2, 3, 4), LEAF(-1, 1, 2, 4, 2)});
  check("bmm @ mat", f_mm, 2, (lm_tensor *[]){LEAF(-1, 1, 2, 3, 4), LEAF(-1, 1, 4, 2)});
  check("mat @ bmm", f_mm, 2, (lm_tensor *[]){LEAF(-1, 1, 3, 4), LEAF(-1, 1, 2, 4, 2)});
  check("bmm broadcast", f_mm, 2, (lm_tensor *[]){LEAF(-1, 1, 2, 1, 3, 4), LEAF(-1, 1, 2, 4, 2)});
  check("vec @ bmm", f_mm, 2, (lm_tensor *[]){LEAF(-1, 1, 4), LEAF(-1, 1, 2, 4, 3)});
  check("bmm @ vec", f_mm, 2, (lm_tensor *[]){LEAF(-1, 1, 2, 3, 4), LEAF(-1, 1, 4)});
  check("linear", f_linear, 3, (lm_tensor *[]){LEAF(-1, 1, 4, 3), LEAF(-1, 1, 2, 3), LEAF(-1, 1, 2)});
  check("linear no bias", f_linear_nb, 2, (lm_tensor *[]){LEAF(-1, 1, 4, 3), LEAF(-1, 1, 2, 3)});
  check("linear 3-d", f_linear, 3, (lm_tensor *[]){LEAF(-1, 1, 2, 2, 3), LEAF(-1, 1, 2, 3), LEAF(-1, 1, 2)});
  check("linear W^T", f_linear_wt, 3, (lm_tensor *[]){LEAF(-1, 1, 4, 3), LEAF(-1, 1, 3, 2), LEAF(-1, 1, 2)});
  /* only some inputs require grad */
  lm_tensor *x = lm_rand(LM_SHAPE(4, 3));
  check("linear, constant x", f_linear, 3, (lm_tensor *[]){x, LEAF(-1, 1, 2, 3), LEAF(-1, 1, 2)});
  lm_scope_end();
}

/* ---- softmax and losses ---- */
FN(f_softmax1, lm_softmax(in[0], 1))
FN(f_softmax0, lm_softmax(in[0], 0))
FN(f_logsoftmax1, lm_log_softmax(in[0], -1))
FN(f_logsoftmax_mid, lm_log_softmax(in[0], 1))
FN(f_ce, lm_cross_entropy(in[0], in[1]))
FN(f_nll, lm_nll_loss(lm_log_softmax(in[0], 1), in[1]))
FN(f_mse, lm_mse_loss(in[0], in[1]))
FN(f_ce_t, lm_cross_entropy(lm_transpose(in[0], 0, 1), in[1]))

/* cross_entropy with class probabilities, with every option that applies to
 * them (user_data: the reduction) */
static lm_tensor *f_ce_prob(lm_tensor *const *in, void *user_data)
{
  lm_loss_options o = LM_LOSS_DEFAULTS;
  o.reduction = (lm_reduction)GPOINTER_TO_INT(user_data);
  o.weight = in[2];
  o.label_smoothing = 0.15;
  return lm_cross_entropy_opts(in[0], in[1], &o);
}

static void test_softmax_losses(void)
{
  lm_scope_begin();
  lm_manual_seed(13);
  lm_tensor *x = LEAF(-2, 2, 3, 5);
  check("softmax dim 1", f_softmax1, 1, &x);
  check("softmax dim 0", f_softmax0, 1, &x);
  check("log_softmax dim -1", f_logsoftmax1, 1, &x);
  lm_tensor *y = LEAF(-2, 2, 2, 3, 4);
  check("log_softmax middle dim", f_logsoftmax_mid, 1, &y);
  lm_tensor *target = lm_tensor_from_int64((int64_t[]){4, 0, 2}, LM_SHAPE(3));
  check("cross_entropy", f_ce, 2, (lm_tensor *[]){x, target});
  check("nll_loss(log_softmax)", f_nll, 2, (lm_tensor *[]){x, target});
  check("cross_entropy transposed", f_ce_t, 2, (lm_tensor *[]){LEAF(-2, 2, 5, 3), target});
  /* probability targets: gradients w.r.t. logits and the (soft) target */
  check("cross_entropy probs", f_ce, 2, (lm_tensor *[]){x, LEAF(0, 1, 3, 5)});
  lm_tensor *w = lm_tensor_from_data((float[]){0.5f, 2.0f, 1.0f, 1.5f, 0.25f}, LM_SHAPE(5));
  for (int r = LM_REDUCTION_MEAN; r <= LM_REDUCTION_NONE; r++)
    if (!lm_gradcheck("cross_entropy probs, weight, smoothing", f_ce_prob, GINT_TO_POINTER(r),
                      (lm_tensor *[]){x, LEAF(0, 1, 3, 5), w}, 3, NULL))
      g_error("gradient check failed for cross_entropy probs, reduction %d", r);
  check("mse_loss", f_mse, 2, (lm_tensor *[]){LEAF(-1, 1, 3, 2), LEAF(-1, 1, 3, 2)});
  check("mse_loss broadcast", f_mse, 2, (lm_tensor *[]){LEAF(-1, 1, 3, 2), LEAF(-1, 1, 2)});
  lm_scope_end();
}

/* ---- views ---- */
FN(f_reshape_t, lm_mul(lm_reshape(lm_transpose(in[0], 0, 1), LM_SHAPE(2, 6)), in[1]))
FN(f_view, lm_mul(lm_view(in[0], LM_SHAPE(4, 3)), in[1]))
FN(f_permute, lm_mul(lm_permute(in[0], (int[]){2, 0, 1}), in[1]))
FN(f_slice, lm_mul(lm_slice(in[0], 1, 1, 4, 2), in[1]))
FN(f_select, lm_mul(lm_select(in[0], 0, -1), in[1]))
FN(f_unsq, lm_mul(lm_squeeze(lm_unsqueeze(in[0], 1), LM_ALL_DIMS), in[1]))
FN(f_flatten, lm_mul(lm_flatten(in[0], 0, -1), in[1]))
FN(f_expand, lm_mul(lm_expand(in[0], LM_SHAPE(2, 3, 4)), in[1]))
FN(f_cat, lm_mul(lm_cat((lm_tensor *[]){in[0], lm_transpose(in[1], 0, 1), in[0]}, 3, 1), in[2]))
FN(f_cat6, lm_cat((lm_tensor *[]){in[0], in[1], in[0], in[1], in[0], in[1]}, 6, 0))
FN(f_contig, lm_mul(lm_contiguous(lm_transpose(in[0], 0, 1)), in[1]))
FN(f_clone, lm_mul(lm_clone(in[0]), in[1]))
FN(f_detach, lm_mul(in[0], lm_detach(in[0])))

static void test_views(void)
{
  lm_scope_begin();
  lm_manual_seed(14);
  check("reshape (copy)", f_reshape_t, 2, (lm_tensor *[]){LEAF(-1, 1, 4, 3), LEAF(-1, 1, 2, 6)});
  check("view", f_view, 2, (lm_tensor *[]){LEAF(-1, 1, 2, 6), LEAF(-1, 1, 4, 3)});
  check("permute", f_permute, 2, (lm_tensor *[]){LEAF(-1, 1, 2, 3, 4), LEAF(-1, 1, 4, 2, 3)});
  check("slice", f_slice, 2, (lm_tensor *[]){LEAF(-1, 1, 2, 5), LEAF(-1, 1, 2, 2)});
  check("select", f_select, 2, (lm_tensor *[]){LEAF(-1, 1, 3, 4), LEAF(-1, 1, 4)});
  check("unsqueeze/squeeze", f_unsq, 2, (lm_tensor *[]){LEAF(-1, 1, 3, 1), LEAF(-1, 1, 3)});
  check("flatten", f_flatten, 2, (lm_tensor *[]){LEAF(-1, 1, 2, 3), LEAF(-1, 1, 6)});
  check("expand", f_expand, 2, (lm_tensor *[]){LEAF(-1, 1, 3, 1), LEAF(-1, 1, 2, 3, 4)});
  check("cat", f_cat, 3, (lm_tensor *[]){LEAF(-1, 1, 2, 2), LEAF(-1, 1, 3, 2), LEAF(-1, 1, 2, 7)});
  check("cat of 6", f_cat6, 2, (lm_tensor *[]){LEAF(-1, 1, 1, 3), LEAF(-1, 1, 2, 3)});
  check("contiguous", f_contig, 2, (lm_tensor *[]){LEAF(-1, 1, 3, 2), LEAF(-1, 1, 2, 3)});
  check("clone", f_clone, 2, (lm_tensor *[]){LEAF(-1, 1, 3), LEAF(-1, 1, 3)});
  /* detach: the gradient flows only through the first factor: d(x * c)/dx = c */
  lm_tensor *x = LEAF(-1, 1, 4);
  lm_scope_begin();
  lm_tensor *y = f_detach(&x, NULL);
  lm_backward(lm_sum(y), NULL, false);
  et_assert_values(x->grad, lm_data_f32(x), 4, 0);
  lm_tensor_zero_grad(x);
  lm_scope_end();
  lm_scope_end();
}

/* ---- a whole MLP ---- */
static lm_tensor *f_mlp(lm_tensor *const *in, void *ud)
{
  lm_tensor *h = lm_relu(lm_linear(in[0], in[1], in[2]));
  return lm_cross_entropy(lm_linear(h, in[3], in[4]), in[5]);
}

static void test_mlp(void)
{
  lm_scope_begin();
  lm_manual_seed(15);
  lm_tensor *x = lm_randn(LM_SHAPE(4, 5));
  lm_tensor *t = lm_tensor_from_int64((int64_t[]){0, 2, 1, 2}, LM_SHAPE(4));
  check("mlp", f_mlp, 6,
        (lm_tensor *[]){x, LEAF(-0.5f, 0.5f, 6, 5), LEAF(-0.5f, 0.5f, 6), LEAF(-0.5f, 0.5f, 3, 6),
                        LEAF(-0.5f, 0.5f, 3), t});
  lm_scope_end();
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/engine/grad/elementwise", test_elementwise);
  g_test_add_func("/engine/grad/reductions", test_reductions);
  g_test_add_func("/engine/grad/matmul-linear", test_matmul);
  g_test_add_func("/engine/grad/softmax-losses", test_softmax_losses);
  g_test_add_func("/engine/grad/views", test_views);
  g_test_add_func("/engine/grad/mlp", test_mlp);
  return g_test_run();
}
