/* test-nn-fixtures.c: the engine against PyTorch's numbers.
 *
 * Reads the committed fixtures written by tests/engine/gen_fixtures.py
 * (torch 1.13) and checks, with rtol 1e-5 / atol 1e-6:
 *   - every op (core and nn): output and the gradient of every input for a
 *     random grad_out;
 *   - a tiny MLP and a tiny CNN built with lumen-nn.h, loaded with PyTorch's
 *     weights by parameter name: logits, loss, every parameter's gradient;
 *   - three Adam steps of the MLP, and four steps of SGD (momentum, dampening,
 *     nesterov, weight decay), Adam (weight decay, betas, eps, amsgrad) and
 *     AdamW on one parameter, plus StepLR's learning rates;
 *   - three Adadelta steps (PyTorch's MNIST example optimizer) and two steps
 *     of every optimizer with maximize, their numbers held as constants;
 *   - three steps of the MNIST examples' models (lm_model_mnist_net with
 *     nll_loss and Adadelta, lm_model_keras_convnet with Keras' categorical
 *     cross-entropy and Adam eps 1e-7) against main.py's Net and the Keras
 *     convnet written in PyTorch.
 */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lm-fixture.h"
#include "lumen-nn.h"
#include "lumen-train.h"

#define RTOL 1e-5
#define ATOL 1e-6

/* ---- ops ---- */

typedef struct {
  const lm_fx_file *f;
  const char *name;
  lm_tensor *in[4];      /* inputs in fixture order: a/x, b/w, bias or target */
  const char *keys[4];
  int n_in;
} op_case;

static const int64_t *case_args(const op_case *c)
{
  char key[128];
  snprintf(key, sizeof key, "%s.args", c->name);
  return lm_fx_get(c->f, key)->data;
}

static float case_farg(const op_case *c, int i)
{
  char key[128];
  snprintf(key, sizeof key, "%s.fargs", c->name);
  return ((const float *)lm_fx_get(c->f, key)->data)[i];
}

static lm_tensor *run_op(const op_case *c)
{
  const char *n = c->name;
  lm_tensor *a = c->in[0], *b = c->in[1], *d = c->in[2];
#define IS(s) (strcmp(n, s) == 0)
  if (IS("add")) return lm_add(a, b);
  if (IS("sub")) return lm_sub(a, b);
  if (IS("mul")) return lm_mul(a, b);
  if (IS("div")) return lm_div(a, b);
  if (IS("pow")) return lm_pow(a, b);
  if (IS("neg")) return lm_neg(a);
  if (IS("exp")) return lm_exp(a);
  if (IS("log")) return lm_log(a);
  if (IS("sqrt")) return lm_sqrt(a);
  if (IS("abs")) return lm_abs(a);
  if (IS("clamp")) return lm_clamp(a, case_farg(c, 0), case_farg(c, 1));
  if (IS("add_scalar")) return lm_add_scalar(a, case_farg(c, 0));
  if (IS("mul_scalar")) return lm_mul_scalar(a, case_farg(c, 0));
  if (IS("div_scalar")) return lm_div_scalar(a, case_farg(c, 0));
  if (IS("pow_scalar")) return lm_pow_scalar(a, case_farg(c, 0));
  if (IS("relu")) return lm_relu(a);
  if (IS("sigmoid")) return lm_sigmoid(a);
  if (IS("tanh")) return lm_tanh(a);
  if (IS("gelu")) return lm_gelu(a);
  if (IS("sum")) return lm_sum(a);
  if (IS("mean")) return lm_mean(a);
  if (IS("max")) return lm_max(a);
  if (IS("sum_dim")) return lm_sum_dim(a, (int)case_args(c)[0], case_args(c)[1]);
  if (IS("mean_dim")) return lm_mean_dim(a, (int)case_args(c)[0], case_args(c)[1]);
  if (IS("max_dim")) return lm_max_dim(a, (int)case_args(c)[0], case_args(c)[1]);
  if (IS("matmul") || IS("matmul_batched")) return lm_matmul(a, b);
  if (IS("softmax")) return lm_softmax(a, (int)case_args(c)[0]);
  if (IS("log_softmax")) return lm_log_softmax(a, (int)case_args(c)[0]);
  if (IS("cross_entropy")) return lm_cross_entropy(a, b);
  if (IS("nll_loss")) return lm_nll_loss(a, b);
  if (IS("mse_loss")) return lm_mse_loss(a, b);
  if (IS("linear")) return lm_linear(a, b, d);
  if (IS("cat")) return lm_cat((lm_tensor *const[]){a, b}, 2, (int)case_args(c)[0]);
  if (IS("transpose")) return lm_transpose(a, (int)case_args(c)[0], (int)case_args(c)[1]);
  if (IS("reshape")) return lm_reshape(a, 2, case_args(c));
  if (g_str_has_prefix(n, "conv2d")) {
    const int64_t *g = case_args(c);
    return lm_conv2d(a, b, d, (int)g[0], (int)g[1], (int)g[2], (int)g[3], (int)g[4], (int)g[5]);
  }
  if (g_str_has_prefix(n, "max_pool2d") || g_str_has_prefix(n, "avg_pool2d")) {
    const int64_t *g = case_args(c);
    lm_tensor *(*fn)(const lm_tensor *, int, int, int, int, int, int) =
      n[0] == 'm' ? lm_max_pool2d : lm_avg_pool2d;
    return fn(a, (int)g[0], (int)g[1], (int)g[2], (int)g[3], (int)g[4], (int)g[5]);
  }
#undef IS
  g_error("fixture case %s has no runner in test-nn-fixtures.c", n);
  return NULL;
}

static void check_op_case(const lm_fx_file *f, const char *name)
{
  static const char *const roles[] = {"a", "x", "b", "w", "target", "bias"};
  op_case c = {.f = f, .name = name};
  char key[160];
  lm_scope_begin();
  for (size_t r = 0; r < G_N_ELEMENTS(roles); r++) {
    snprintf(key, sizeof key, "%s.%s", name, roles[r]);
    const lm_fx_tensor *t = lm_fx_find(f, key);
    if (!t)
      continue;
    lm_tensor *x = lm_fx_tensor_new(t);
    if (t->dtype == 0)
      lm_tensor_set_requires_grad(x, true);
    c.keys[c.n_in] = roles[r];
    c.in[c.n_in++] = x;
  }
  g_assert_cmpint(c.n_in, >, 0);
  lm_tensor *out = run_op(&c);
  snprintf(key, sizeof key, "%s.out", name);
  char what[200];
  snprintf(what, sizeof what, "%s forward", name);
  lm_fx_assert_close(out, lm_fx_get(f, key), RTOL, ATOL, what);

  snprintf(key, sizeof key, "%s.grad_out", name);
  lm_tensor *gout = lm_fx_tensor_new(lm_fx_get(f, key));
  lm_backward(out, gout, false);
  for (int i = 0; i < c.n_in; i++) {
    if (strcmp(c.keys[i], "target") == 0)
      continue;
    snprintf(key, sizeof key, "%s.grad_%s", name, c.keys[i]);
    snprintf(what, sizeof what, "%s grad of %s", name, c.keys[i]);
    lm_fx_assert_close(c.in[i]->grad, lm_fx_get(f, key), RTOL, ATOL, what);
  }
  for (int i = 0; i < c.n_in; i++)
    lm_tensor_zero_grad(c.in[i]);
  lm_scope_end();
}

static void test_ops(void)
{
  lm_fx_file *f = lm_fx_load("ops.lmfx");
  int cases = 0;
  for (int i = 0; i < f->n; i++) {
    const char *dot = strrchr(f->tensors[i].name, '.');
    if (!dot || strcmp(dot, ".out") != 0)
      continue;
    g_autofree char *name = g_strndup(f->tensors[i].name, (gsize)(dot - f->tensors[i].name));
    g_test_message("op %s", name);
    check_op_case(f, name);
    cases++;
  }
  /* Every op of the issue is in the file: catch a generator that lost some. */
  g_assert_cmpint(cases, >=, 40);

  /* argmax: forward only, int64 indices */
  lm_scope_begin();
  const lm_fx_tensor *want = lm_fx_get(f, "argmax.idx");
  lm_tensor *idx = lm_argmax(lm_fx_tensor_new(lm_fx_get(f, "argmax.a")), 1, false);
  g_assert_nonnull(idx);
  g_assert_cmpint(idx->dtype, ==, LM_INT64);
  g_assert_cmpint(lm_numel(idx), ==, want->numel);
  g_assert_cmpmem(lm_data_i64(idx), (gsize)want->numel * 8, want->data, (gsize)want->numel * 8);
  lm_scope_end();
  lm_fx_free(f);
}

/* ---- models ---- */

/* Copies PyTorch's weights into the module, by parameter name. */
static void load_params(lm_module *m, const lm_fx_file *f, const char *prefix)
{
  lm_named_tensor *params;
  size_t n = lm_module_named_parameters(m, &params);
  g_assert_cmpuint(n, >, 0);
  for (size_t i = 0; i < n; i++) {
    char key[200];
    snprintf(key, sizeof key, "%s.param.%s", prefix, params[i].name);
    const lm_fx_tensor *t = lm_fx_get(f, key);
    g_assert_cmpint(lm_numel(params[i].tensor), ==, t->numel);
    memcpy(lm_data_f32(params[i].tensor), t->data, (size_t)t->numel * sizeof(float));
  }
  free(params);
}

static void check_model(lm_module *m, const lm_fx_file *f, const char *prefix)
{
  char key[200], what[200];
  load_params(m, f, prefix);
  lm_scope_begin();
  snprintf(key, sizeof key, "%s.x", prefix);
  lm_tensor *x = lm_fx_tensor_new(lm_fx_get(f, key));
  snprintf(key, sizeof key, "%s.target", prefix);
  lm_tensor *target = lm_fx_tensor_new(lm_fx_get(f, key));
  lm_tensor *logits = lm_module_forward(m, x);
  snprintf(key, sizeof key, "%s.logits", prefix);
  snprintf(what, sizeof what, "%s logits", prefix);
  lm_fx_assert_close(logits, lm_fx_get(f, key), RTOL, ATOL, what);
  lm_tensor *loss = lm_cross_entropy(logits, target);
  snprintf(key, sizeof key, "%s.loss", prefix);
  snprintf(what, sizeof what, "%s loss", prefix);
  lm_fx_assert_close(lm_reshape(loss, 1, (const int64_t[]){1}), lm_fx_get(f, key), RTOL, ATOL, what);
  lm_backward(loss, NULL, false);
  lm_named_tensor *params;
  size_t n = lm_module_named_parameters(m, &params);
  for (size_t i = 0; i < n; i++) {
    snprintf(key, sizeof key, "%s.grad.%s", prefix, params[i].name);
    snprintf(what, sizeof what, "%s grad of %s", prefix, params[i].name);
    lm_fx_assert_close(params[i].tensor->grad, lm_fx_get(f, key), RTOL, ATOL, what);
  }
  free(params);
  lm_scope_end();
}

static void test_mlp(void)
{
  lm_fx_file *f = lm_fx_load("models.lmfx");
  lm_module *mlp = LM_SEQUENTIAL(lm_nn_linear(12, 16), lm_nn_relu(), lm_nn_linear(16, 5));
  check_model(mlp, f, "mlp");
  lm_module_free(mlp);
  lm_fx_free(f);
}

static void test_cnn(void)
{
  lm_fx_file *f = lm_fx_load("models.lmfx");
  lm_module *cnn = LM_SEQUENTIAL(
    lm_nn_conv2d(1, 4, 3, 1, 1), lm_nn_relu(), lm_nn_max_pool2d(2, 0, 0),
    lm_nn_conv2d(4, 6, 3, 1, 1), lm_nn_tanh(), lm_nn_avg_pool2d(2, 0, 0),
    lm_nn_flatten(), lm_nn_dropout(0.5f), lm_nn_linear(24, 5), lm_nn_sigmoid());
  lm_module_eval(cnn);
  check_model(cnn, f, "cnn");
  lm_module_free(cnn);
  lm_fx_free(f);
}

static void test_mlp_adam(void)
{
  lm_fx_file *f = lm_fx_load("models.lmfx");
  lm_module *mlp = LM_SEQUENTIAL(lm_nn_linear(12, 16), lm_nn_relu(), lm_nn_linear(16, 5));
  load_params(mlp, f, "mlp");
  lm_adam_options o = LM_ADAM_DEFAULTS;
  o.lr = 0.01;
  lm_optimizer *opt = lm_optim_adam(mlp, &o);
  lm_tensor *x = lm_fx_tensor_new(lm_fx_get(f, "mlp_adam.x"));
  lm_tensor *target = lm_fx_tensor_new(lm_fx_get(f, "mlp_adam.target"));
  const float *want_losses = lm_fx_get(f, "mlp_adam.losses")->data;
  for (int step = 0; step < 3; step++) {
    lm_scope_begin();
    lm_optimizer_zero_grad(opt);
    lm_tensor *loss = lm_cross_entropy(lm_module_forward(mlp, x), target);
    g_assert_cmpfloat_with_epsilon(lm_item(loss), want_losses[step], 1e-5);
    lm_backward(loss, NULL, false);
    lm_optimizer_step(opt);
    lm_scope_end();
  }
  lm_named_tensor *params;
  size_t n = lm_module_named_parameters(mlp, &params);
  for (size_t i = 0; i < n; i++) {
    char key[200];
    snprintf(key, sizeof key, "mlp_adam.param.%s", params[i].name);
    lm_fx_assert_close(params[i].tensor, lm_fx_get(f, key), RTOL, ATOL, key);
  }
  free(params);
  lm_tensor_release(x);
  lm_tensor_release(target);
  lm_optimizer_free(opt);
  lm_module_free(mlp);
  lm_fx_free(f);
}

/* ---- the MNIST examples' models ---- */

/* gen_fixtures.py's fill_example_params: parameter j, element i is
 * s * sin(0.37 i + j), s = 1/sqrt(fan_in) for a weight, 0.1 for a bias */
static void fill_example_params(lm_module *m)
{
  lm_named_tensor *params;
  size_t n = lm_module_named_parameters(m, &params);
  for (size_t j = 0; j < n; j++) {
    const lm_tensor *t = params[j].tensor;
    const int64_t numel = lm_numel(t);
    const double s = t->ndim >= 2 ? 1.0 / sqrt((double)numel / (double)t->shape[0]) : 0.1;
    float *d = lm_data_f32(t);
    for (int64_t i = 0; i < numel; i++)
      d[i] = (float)(s * sin(0.37 * (double)i + (double)j));
  }
  free(params);
}

static void check_example(lm_module *m, lm_loss_kind kind, lm_optimizer *opt, const char *name)
{
  lm_fx_file *f = lm_fx_load("examples.lmfx");
  char key[128];
  fill_example_params(m);
  lm_module_eval(m);
  float xs[4 * 784];
  for (int i = 0; i < 4 * 784; i++)
    xs[i] = (float)sin(0.013 * i);
  lm_tensor *x = lm_tensor_from_data(xs, LM_SHAPE(4, 1, 28, 28));
  lm_tensor *target = lm_tensor_from_int64((const int64_t[]){3, 1, 4, 1}, LM_SHAPE(4));
  snprintf(key, sizeof key, "%s.losses", name);
  const float *want = lm_fx_get(f, key)->data;
  for (int step = 0; step < 3; step++) {
    lm_scope_begin();
    lm_optimizer_zero_grad(opt);
    lm_tensor *out = lm_module_forward(m, x);
    if (step == 0) {
      snprintf(key, sizeof key, "%s.out", name);
      lm_fx_assert_close(out, lm_fx_get(f, key), 1e-4, 1e-5, key);
    }
    lm_tensor *loss = lm_loss_of(kind, out, target);
    g_test_message("%s step %d: loss %.7f, PyTorch %.7f", name, step, lm_item(loss), want[step]);
    g_assert_cmpfloat_with_epsilon(lm_item(loss), want[step], 1e-4 * fabs(want[step]) + 1e-5);
    lm_backward(loss, NULL, false);
    lm_optimizer_step(opt);
    lm_scope_end();
  }
  lm_tensor_release(x);
  lm_tensor_release(target);
  lm_fx_free(f);
}

static void test_mnist_net(void)
{
  lm_module *m = lm_model_mnist_net();
  lm_optimizer *opt = lm_optim_adadelta(m, NULL); /* main.py: Adadelta(lr=1.0) */
  check_example(m, LM_LOSS_NLL, opt, "mnist_net");
  lm_optimizer_free(opt);
  lm_module_free(m);
}

static void test_keras_convnet(void)
{
  lm_module *m = lm_model_keras_convnet();
  lm_adam_options o = LM_ADAM_DEFAULTS;
  o.eps = 1e-7; /* keras.optimizers.Adam's */
  lm_optimizer *opt = lm_optim_adam(m, &o);
  check_example(m, LM_LOSS_CATEGORICAL_CROSSENTROPY, opt, "keras_convnet");
  lm_optimizer_free(opt);
  lm_module_free(m);
}

/* ---- optimizers ---- */

static void check_optim(const lm_fx_file *f, const char *name)
{
  char key[128];
  const lm_fx_tensor *p0 = lm_fx_get(f, "optim.p0");
  const lm_fx_tensor *grads = lm_fx_get(f, "optim.grads");
  snprintf(key, sizeof key, "%s.params", name);
  const lm_fx_tensor *want = lm_fx_get(f, key);
  snprintf(key, sizeof key, "%s.fargs64", name);
  const lm_fx_tensor *h = lm_fx_get(f, key);

  lm_tensor *p = lm_fx_tensor_new(p0);
  lm_tensor_set_requires_grad(p, true);
  lm_optimizer *opt;
  if (g_str_has_prefix(name, "sgd")) {
    lm_sgd_options o = {.momentum = lm_fx_f64(h, 1), .dampening = lm_fx_f64(h, 2),
                        .weight_decay = lm_fx_f64(h, 3), .nesterov = lm_fx_f64(h, 4) != 0};
    opt = lm_optim_sgd_tensors(&p, 1, lm_fx_f64(h, 0), &o);
  } else {
    lm_adam_options o = {.lr = lm_fx_f64(h, 0), .beta1 = lm_fx_f64(h, 1),
                         .beta2 = lm_fx_f64(h, 2), .eps = lm_fx_f64(h, 3),
                         .weight_decay = lm_fx_f64(h, 4), .amsgrad = lm_fx_f64(h, 5) != 0};
    /* The defaults cases go through NULL options: they must be PyTorch's. */
    bool defaults = strcmp(name, "adam") == 0 || strcmp(name, "adamw") == 0;
    if (g_str_has_prefix(name, "adamw"))
      opt = lm_optim_adamw_tensors(&p, 1, defaults ? NULL : &o);
    else
      opt = lm_optim_adam_tensors(&p, 1, defaults ? NULL : &o);
  }
  g_assert_nonnull(opt);
  const int64_t steps = grads->shape[0], n = p0->numel;
  for (int64_t s = 0; s < steps; s++) {
    lm_scope_begin();
    lm_optimizer_zero_grad(opt);
    /* d/dp sum(p * g) = g exactly: the gradient PyTorch's run was given. */
    lm_tensor *g = lm_tensor_from_data((const float *)grads->data + s * n, p0->ndim, p0->shape);
    lm_backward(lm_sum(lm_mul(p, g)), NULL, false);
    lm_optimizer_step(opt);
    lm_fx_tensor step_want = {.ndim = p0->ndim, .numel = n, .dtype = 0,
                              .data = (float *)want->data + s * n};
    memcpy(step_want.shape, p0->shape, sizeof step_want.shape);
    char what[160];
    snprintf(what, sizeof what, "%s after step %lld", name, (long long)s + 1);
    lm_fx_assert_close(p, &step_want, RTOL, ATOL, what);
    lm_scope_end();
  }
  lm_optimizer_free(opt);
  lm_tensor_release(p);
}

static void test_optimizers(void)
{
  lm_fx_file *f = lm_fx_load("optim.lmfx");
  const char *cases[] = {"sgd", "sgd_momentum", "sgd_dampening", "sgd_nesterov", "adam",
                         "adam_lr_wd", "adam_betas", "adam_amsgrad", "adamw", "adamw_lr_wd"};
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_test_message("optimizer %s", cases[i]);
    check_optim(f, cases[i]);
  }
  lm_fx_free(f);
}

/* torch.optim.Adadelta, the optimizer of PyTorch's MNIST example, three steps
 * with its defaults and with every option changed, and its state. Reference
 * numbers from PyTorch 1.13:
 *   p = torch.tensor(P0, requires_grad=True); o = torch.optim.Adadelta([p], **kw)
 *   for g in GRADS: o.zero_grad(); (p * torch.tensor(g)).sum().backward(); o.step()
 * with kw = {} and dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1). */
static void test_adadelta(void)
{
  static const float p0[5] = {0.5f, -1.25f, 2.0f, 0.0f, 3.0f};
  static const float grads[3][5] = {{0.1f, -0.4f, 2.5f, 0.0f, -1.0f},
                                    {0.3f, 0.2f, -1.5f, 0.7f, -0.01f},
                                    {-0.2f, 0.9f, 0.05f, -3.0f, 1e-4f}};
  static const float want[2][3][5] = {
    {{0.496839315f, -1.24683785f, 1.99683774f, 0.0f, 3.00316215f},
     {0.492576569f, -1.24892294f, 1.99922824f, -0.0031622455f, 3.00320935f},
     {0.495969683f, -1.2533257f, 1.9991349f, 0.00120416773f, 3.00320888f}},
    {{0.488941848f, -1.23882973f, 1.98882008f, 0.0f, 3.01117468f},
     {0.474290609f, -1.24135578f, 1.99631929f, -0.0111746388f, 3.0045135f},
     {0.482957989f, -1.25468361f, 1.99462187f, 0.00429915171f, 2.99733663f}},
  };
  static const float want_state[2][2][5] = {
    {{0.012910001f, 0.0975599959f, 0.708999991f, 0.944100022f, 0.0810089931f},
     {3.59589717e-06f, 3.13959572e-06f, 1.32515493e-06f, 2.80653808e-06f, 8.10191921e-07f}},
    {{0.0270119272f, 0.156600133f, 1.21644855f, 1.87974119f, 0.094346121f},
     {0.00026008932f, 0.000210072991f, 0.000102292724f, 0.000271469005f, 0.000133538968f}},
  };
  const lm_adadelta_options changed = {.lr = 0.5, .rho = 0.8, .eps = 1e-4, .weight_decay = 0.1};
  for (int c = 0; c < 2; c++) {
    lm_tensor *p = lm_tensor_from_data(p0, LM_SHAPE(5));
    lm_tensor_set_requires_grad(p, true);
    lm_optimizer *opt = lm_optim_adadelta_tensors(&p, 1, c ? &changed : NULL);
    g_assert_nonnull(opt);
    g_assert_cmpstr(lm_optimizer_name(opt), ==, "Adadelta");
    g_assert_cmpfloat(lm_optimizer_get_lr(opt), ==, c ? 0.5 : 1.0);
    for (int s = 0; s < 3; s++) {
      lm_scope_begin();
      lm_optimizer_zero_grad(opt);
      lm_backward(lm_sum(lm_mul(p, lm_tensor_from_data(grads[s], LM_SHAPE(5)))), NULL, false);
      lm_optimizer_step(opt);
      lm_fx_tensor step_want = {.ndim = 1, .shape = {5}, .numel = 5, .data = (float *)want[c][s]};
      lm_fx_assert_close(p, &step_want, RTOL, ATOL, c ? "Adadelta (options)" : "Adadelta");
      lm_scope_end();
    }
    const char *const *names;
    g_assert_cmpint(lm_optimizer_state_names(opt, &names), ==, 2);
    g_assert_cmpstr(names[0], ==, "square_avg");
    g_assert_cmpstr(names[1], ==, "acc_delta");
    for (int k = 0; k < 2; k++) {
      lm_fx_tensor st = {.ndim = 1, .shape = {5}, .numel = 5, .data = (float *)want_state[c][k]};
      lm_fx_assert_close(lm_optimizer_state(opt, 0, k), &st, 1e-6, 1e-12, names[k]);
    }
    lm_optimizer_free(opt);
    lm_tensor_release(p);
  }
}

/* maximize=True on every optimizer: two steps that ascend. Reference numbers
 * from PyTorch 1.13: p = torch.tensor([0.5, -1.25, 2.0]) and gradients
 * [0.1, -0.4, 2.5] then [0.3, 0.2, -1.5] (as in test_adadelta) with
 *   SGD(lr=0.1, momentum=0.9, weight_decay=0.1, maximize=True),
 *   Adam(lr=0.01, weight_decay=0.1, maximize=True), AdamW(lr=0.01, maximize=True),
 *   Adadelta(weight_decay=0.1, maximize=True). */
static void test_maximize(void)
{
  static const float p0[3] = {0.5f, -1.25f, 2.0f};
  static const float grads[2][3] = {{0.1f, -0.4f, 2.5f}, {0.3f, 0.2f, -1.5f}};
  static const float want[4][3] = {
    {0.534449995f, -1.26947498f, 2.26469994f},
    {0.518614411f, -1.25863004f, 2.0109601f},
    {0.519076765f, -1.26241231f, 2.01151395f},
    {0.507544756f, -1.24967337f, 2.00041342f},
  };
  static const char *const names[4] = {"SGD", "Adam", "AdamW", "Adadelta"};
  for (int k = 0; k < 4; k++) {
    lm_tensor *p = lm_tensor_from_data(p0, LM_SHAPE(3));
    lm_tensor_set_requires_grad(p, true);
    lm_adam_options ao = k == 1 ? LM_ADAM_DEFAULTS : LM_ADAMW_DEFAULTS;
    ao.lr = 0.01;
    ao.weight_decay = k == 1 ? 0.1 : ao.weight_decay;
    ao.maximize = true;
    lm_adadelta_options dd = LM_ADADELTA_DEFAULTS;
    dd.weight_decay = 0.1;
    dd.maximize = true;
    lm_optimizer *opt =
      k == 0 ? lm_optim_sgd_tensors(&p, 1, 0.1, &(lm_sgd_options){.momentum = 0.9,
                                                                   .weight_decay = 0.1,
                                                                   .maximize = true})
      : k == 1 ? lm_optim_adam_tensors(&p, 1, &ao)
      : k == 2 ? lm_optim_adamw_tensors(&p, 1, &ao)
      : lm_optim_adadelta_tensors(&p, 1, &dd);
    g_assert_nonnull(opt);
    for (int s = 0; s < 2; s++) {
      lm_scope_begin();
      lm_optimizer_zero_grad(opt);
      lm_backward(lm_sum(lm_mul(p, lm_tensor_from_data(grads[s], LM_SHAPE(3)))), NULL, false);
      lm_optimizer_step(opt);
      lm_scope_end();
    }
    lm_fx_tensor w = {.ndim = 1, .shape = {3}, .numel = 3, .data = (float *)want[k]};
    lm_fx_assert_close(p, &w, RTOL, ATOL, names[k]);
    /* the gradient itself is left as it was (not negated in place) */
    g_assert_cmpfloat(lm_get(p->grad, (int64_t[]){2}), ==, -1.5f);
    lm_optimizer_free(opt);
    lm_tensor_release(p);
  }
}

static void test_step_lr(void)
{
  lm_fx_file *f = lm_fx_load("optim.lmfx");
  const lm_fx_tensor *lrs = lm_fx_get(f, "step_lr.lrs64");
  lm_tensor *p = lm_zeros(LM_SHAPE(3));
  lm_tensor_set_requires_grad(p, true);
  lm_optimizer *opt = lm_optim_sgd_tensors(&p, 1, 0.1, NULL);
  lm_lr_scheduler *s = lm_step_lr(opt, 2, 0.5);
  g_assert_cmpfloat(lm_lr_scheduler_get_last_lr(s), ==, 0.1);
  for (int64_t e = 0; e < lrs->numel; e++) {
    lm_optimizer_step(opt); /* no grad: skipped, as PyTorch skips it */
    lm_lr_scheduler_step(s);
    /* Same double arithmetic as Python: equal to the last bit. */
    g_assert_cmpfloat(lm_lr_scheduler_get_last_lr(s), ==, lm_fx_f64(lrs, e));
    g_assert_cmpfloat(lm_optimizer_get_lr(opt), ==, lm_fx_f64(lrs, e));
  }
  lm_lr_scheduler_free(s);
  lm_optimizer_free(opt);
  lm_tensor_release(p);
  lm_fx_free(f);
}

/* ReduceLROnPlateau against PyTorch 1.13: the lr after each of 20
 * scheduler.step(metric) calls, from
 *   o = torch.optim.SGD([p], lr=0.1); s = ReduceLROnPlateau(o, **cfg)
 *   for m in M: o.step(); s.step(m); print('%.17g' % o.param_groups[0]['lr'])
 * cfg: patience=2 | mode='max', factor=0.5, patience=1, threshold=0.01,
 * threshold_mode='abs', cooldown=2, min_lr=0.004 | factor=0.3, patience=0,
 * cooldown=1, min_lr=0.01, eps=1e-3 (the min_lr step, then eps stops it) | the
 * defaults. Equal to the last bit. */
static void test_plateau_lr(void)
{
  static const double metrics[20] = {1.0,  0.9,  0.95,    0.9,  0.91, 0.92, 0.89999,
                                     0.93, 0.94, 0.95,    0.96, 0.97, 0.5,  0.6,
                                     0.7,  0.8,  0.9,     NAN,  1.0,  1.1};
  static const double lrs[4][20] = {
    {0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.00010000000000000003, 0.00010000000000000003, 0.00010000000000000003, 0.00010000000000000003, 0.00010000000000000003, 1.0000000000000004e-05, 1.0000000000000004e-05, 1.0000000000000004e-05, 1.0000000000000004e-06, 1.0000000000000004e-06},
     {0.10000000000000001, 0.10000000000000001, 0.050000000000000003, 0.050000000000000003, 0.050000000000000003, 0.050000000000000003, 0.025000000000000001, 0.025000000000000001, 0.025000000000000001, 0.025000000000000001, 0.012500000000000001, 0.012500000000000001, 0.012500000000000001, 0.012500000000000001, 0.0062500000000000003, 0.0062500000000000003, 0.0062500000000000003, 0.0062500000000000003, 0.0040000000000000001, 0.0040000000000000001},
     {0.10000000000000001, 0.10000000000000001, 0.029999999999999999, 0.029999999999999999, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01},
     {0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001, 0.10000000000000001}};
  lm_plateau_options cfg[4] = {LM_PLATEAU_DEFAULTS, LM_PLATEAU_DEFAULTS, LM_PLATEAU_DEFAULTS,
                               LM_PLATEAU_DEFAULTS};
  cfg[0].patience = 2;
  cfg[1] = (lm_plateau_options){.mode = LM_PLATEAU_MAX, .factor = 0.5, .patience = 1,
                                .threshold = 0.01, .threshold_mode = LM_THRESHOLD_ABS,
                                .cooldown = 2, .min_lr = 0.004, .eps = 1e-8};
  cfg[2].factor = 0.3;
  cfg[2].patience = 0;
  cfg[2].cooldown = 1;
  cfg[2].min_lr = 0.01;
  cfg[2].eps = 1e-3;
  lm_tensor *p = lm_zeros(LM_SHAPE(3));
  lm_tensor_set_requires_grad(p, true);
  for (int k = 0; k < 4; k++) {
    lm_optimizer *opt = lm_optim_sgd_tensors(&p, 1, 0.1, NULL);
    lm_lr_scheduler *s = lm_reduce_lr_on_plateau(opt, k == 3 ? NULL : &cfg[k]);
    /* a checkpoint after epoch 7: a new optimizer at that lr and a new
     * scheduler given the state_dict go on exactly as the first pair */
    lm_optimizer *opt2 = NULL;
    lm_lr_scheduler *s2 = NULL;
    g_assert_nonnull(s);
    for (int e = 0; e < 20; e++) {
      lm_lr_scheduler_step_metric(s, metrics[e]);
      g_assert_cmpfloat(lm_optimizer_get_lr(opt), ==, lrs[k][e]);
      g_assert_cmpfloat(lm_lr_scheduler_get_last_lr(s), ==, lrs[k][e]);
      if (s2) {
        lm_lr_scheduler_step_metric(s2, metrics[e]);
        g_assert_cmpfloat(lm_optimizer_get_lr(opt2), ==, lrs[k][e]);
        g_assert_cmpfloat(lm_lr_scheduler_get_last_lr(s2), ==, lrs[k][e]);
      } else if (e == 6) {
        lm_lr_scheduler_state st;
        lm_lr_scheduler_state_dict(s, &st);
        g_assert_cmpint(st.last_epoch, ==, 7);
        opt2 = lm_optim_sgd_tensors(&p, 1, lm_optimizer_get_lr(opt), NULL);
        s2 = lm_reduce_lr_on_plateau(opt2, k == 3 ? NULL : &cfg[k]);
        g_assert_true(lm_lr_scheduler_load_state_dict(s2, &st));
      }
    }
    lm_lr_scheduler_free(s);
    lm_lr_scheduler_free(s2);
    lm_optimizer_free(opt);
    lm_optimizer_free(opt2);
  }
  lm_tensor_release(p);
}

/* ExponentialLR, MultiStepLR and CosineAnnealingLR against PyTorch 1.13's
 * get_last_lr() after each of 12 epochs, from
 *   o = torch.optim.SGD([p], lr=0.1); s = ExponentialLR(o, 0.7)  # MultiStepLR(o,
 *   # [2, 5, 5, 9], 0.5), CosineAnnealingLR(o, 5, 0.01)
 *   for e in range(12): o.step(); s.step(); print('%.17g' % s.get_last_lr()[0])
 * The products are equal to the last bit; the cosine's ratios within 1e-15. */
static void test_schedulers(void)
{
  static const double want[3][12] = {
    {0.069999999999999993, 0.048999999999999995, 0.034299999999999997, 0.024009999999999997,
     0.016806999999999996, 0.011764899999999997, 0.0082354299999999967, 0.0057648009999999974,
     0.0040353606999999981, 0.0028247524899999983, 0.0019773267429999985, 0.0013841287200999988},
    {0.10000000000000001, 0.050000000000000003, 0.050000000000000003, 0.050000000000000003,
     0.012500000000000001, 0.012500000000000001, 0.012500000000000001, 0.012500000000000001,
     0.0062500000000000003, 0.0062500000000000003, 0.0062500000000000003, 0.0062500000000000003},
    {0.091405764746872634, 0.068905764746872628, 0.041094235253127359, 0.018594235253127367, 0.01,
     0.018594235253127367, 0.041094235253127387, 0.068905764746872669, 0.091405764746872689,
     0.10000000000000006, 0.091405764746872717, 0.068905764746872683},
  };
  for (int k = 0; k < 3; k++) {
    lm_tensor *p = lm_zeros(LM_SHAPE(3));
    lm_tensor_set_requires_grad(p, true);
    lm_optimizer *opt = lm_optim_sgd_tensors(&p, 1, 0.1, NULL);
    lm_lr_scheduler *s = k == 0   ? lm_exponential_lr(opt, 0.7)
                         : k == 1 ? lm_multistep_lr(opt, (int[]){2, 5, 5, 9}, 4, 0.5)
                                  : lm_cosine_annealing_lr(opt, 5, 0.01);
    g_assert_nonnull(s);
    g_assert_cmpfloat(lm_lr_scheduler_get_last_lr(s), ==, 0.1);
    for (int e = 0; e < 12; e++) {
      lm_optimizer_step(opt);
      lm_lr_scheduler_step(s);
      if (k < 2)
        g_assert_cmpfloat(lm_lr_scheduler_get_last_lr(s), ==, want[k][e]);
      else
        g_assert_cmpfloat_with_epsilon(lm_lr_scheduler_get_last_lr(s), want[k][e], 1e-15);
      g_assert_cmpfloat(lm_optimizer_get_lr(opt), ==, lm_lr_scheduler_get_last_lr(s));
    }
    lm_lr_scheduler_free(s);
    lm_optimizer_free(opt);
    lm_tensor_release(p);
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/engine/nn/fixtures/ops", test_ops);
  g_test_add_func("/engine/nn/fixtures/mlp", test_mlp);
  g_test_add_func("/engine/nn/fixtures/cnn", test_cnn);
  g_test_add_func("/engine/nn/fixtures/mlp-adam", test_mlp_adam);
  g_test_add_func("/engine/nn/fixtures/mnist-net", test_mnist_net);
  g_test_add_func("/engine/nn/fixtures/keras-convnet", test_keras_convnet);
  g_test_add_func("/engine/nn/fixtures/adadelta", test_adadelta);
  g_test_add_func("/engine/nn/fixtures/maximize", test_maximize);
  g_test_add_func("/engine/nn/fixtures/optimizers", test_optimizers);
  g_test_add_func("/engine/nn/fixtures/step-lr", test_step_lr);
  g_test_add_func("/engine/nn/fixtures/plateau-lr", test_plateau_lr);
  g_test_add_func("/engine/nn/fixtures/schedulers", test_schedulers);
  return g_test_run();
}
