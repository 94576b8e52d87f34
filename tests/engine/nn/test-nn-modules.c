/* test-nn-modules.c: modules and optimizers as a PyTorch user sees them:
 * parameter names and counts, default initialisation, train/eval, module
 * paths in the autograd graph, print(model), the summary, to(device), the
 * optimizers' bookkeeping (zero_grad, skipped parameters, lr), and clear
 * errors for bad arguments. The arithmetic is checked against PyTorch in
 * test-nn-fixtures.c.
 */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lumen-nn.h"

/* ---- error capture: the handler returns, so calls fail with NULL/false ---- */

static char last_msg[1024];
static int n_errors;

static void capture(const char *message, void *data)
{
  g_strlcpy(last_msg, message, sizeof last_msg);
  n_errors++;
}

static void expect_error_begin(void)
{
  last_msg[0] = '\0';
  n_errors = 0;
  lm_set_error_handler(capture, NULL);
}

/* Asserts an error was reported and its message contains every given piece. */
static void expect_error_end(const char *piece1, const char *piece2)
{
  lm_set_error_handler(NULL, NULL);
  if (n_errors == 0)
    g_error("expected an error containing \"%s\", got none", piece1);
  if (!strstr(last_msg, piece1) || (piece2 && !strstr(last_msg, piece2)))
    g_error("error \"%s\" does not mention \"%s\"%s%s", last_msg, piece1, piece2 ? " and " : "",
            piece2 ? piece2 : "");
}

static lm_module *make_cnn(void)
{
  return LM_SEQUENTIAL(
    lm_nn_conv2d(1, 32, 3, 1, 1), lm_nn_relu(), lm_nn_max_pool2d(2, 0, 0),
    lm_nn_conv2d(32, 64, 3, 1, 1), lm_nn_relu(), lm_nn_max_pool2d(2, 0, 0),
    lm_nn_flatten(), lm_nn_linear(3136, 128), lm_nn_relu(), lm_nn_dropout(0.5f),
    lm_nn_linear(128, 10));
}

/* features (conv stack) + classifier, named like torchvision models */
static lm_module *make_named_model(void)
{
  lm_module *model = lm_nn_sequential_new();
  g_assert_nonnull(model);
  g_assert_true(lm_module_add(model, "features",
    LM_SEQUENTIAL(lm_nn_conv2d(1, 4, 3, 1, 1), lm_nn_relu(), lm_nn_max_pool2d(2, 0, 0),
                  lm_nn_conv2d(4, 8, 3, 1, 1), lm_nn_relu())));
  g_assert_true(lm_module_add(model, "classifier",
    LM_SEQUENTIAL(lm_nn_flatten(), lm_nn_linear(8 * 4 * 4, 10))));
  return model;
}

static void test_names(void)
{
  lm_manual_seed(1);
  lm_module *model = make_named_model();
  lm_named_tensor *p;
  size_t n = lm_module_named_parameters(model, &p);
  const char *want[] = {"features.0.weight", "features.0.bias", "features.3.weight",
                        "features.3.bias", "classifier.1.weight", "classifier.1.bias"};
  g_assert_cmpuint(n, ==, G_N_ELEMENTS(want));
  for (size_t i = 0; i < n; i++) {
    g_assert_cmpstr(p[i].name, ==, want[i]);
    /* The tensor carries its full name too (graphs show it). */
    g_assert_cmpstr(p[i].tensor->name, ==, want[i]);
    g_assert_true(p[i].tensor->requires_grad);
  }
  g_assert_true(lm_module_parameter(model, "features.3.bias") == p[3].tensor);
  free(p);

  /* Names relative to a sub-module, as features.named_parameters() gives. */
  lm_module *features = lm_module_get(model, "features");
  g_assert_cmpstr(lm_module_type(features), ==, "Sequential");
  n = lm_module_named_parameters(features, &p);
  g_assert_cmpuint(n, ==, 4);
  g_assert_cmpstr(p[2].name, ==, "3.weight");
  free(p);
  g_assert_cmpstr(lm_module_type(lm_module_get(model, "features.3")), ==, "Conv2d");
  g_assert_cmpstr(lm_module_child_name(model, 1), ==, "classifier");
  g_assert_cmpint(lm_module_num_children(features), ==, 5);

  expect_error_begin();
  g_assert_null(lm_module_get(model, "features.9"));
  expect_error_end("features.9", NULL);
  expect_error_begin();
  g_assert_null(lm_module_parameter(model, "features.0.gamma"));
  expect_error_end("features.0.gamma", NULL);
  expect_error_begin();
  g_assert_false(lm_module_add(model, "features", lm_nn_relu()));
  expect_error_end("features", "already");
  expect_error_begin();
  g_assert_false(lm_module_add(model, "a.b", lm_nn_relu()));
  expect_error_end("a.b", NULL);
  lm_module_free(model);
}

static void test_parameter_counts(void)
{
  lm_module *mlp = LM_SEQUENTIAL(lm_nn_linear(784, 128), lm_nn_relu(), lm_nn_linear(128, 10));
  g_assert_cmpint(lm_module_num_parameters(mlp), ==, 101770);
  lm_module *cnn = make_cnn();
  g_assert_cmpint(lm_module_num_parameters(cnn), ==, 421642);
  lm_module *nb = lm_nn_linear_ex(10, 3, false);
  g_assert_cmpint(lm_module_num_parameters(nb), ==, 30);
  lm_module_free(mlp);
  lm_module_free(cnn);
  lm_module_free(nb);
}

/* U(-b, b): all inside, mean ~0, variance ~b^2/3. */
static void check_uniform(const lm_tensor *t, double bound)
{
  const float *d = lm_data_f32(t);
  int64_t n = lm_numel(t);
  double sum = 0, sq = 0, maxabs = 0;
  for (int64_t i = 0; i < n; i++) {
    sum += d[i];
    sq += (double)d[i] * d[i];
    maxabs = fmax(maxabs, fabs(d[i]));
  }
  double mean = sum / n, var = sq / n - mean * mean;
  g_assert_cmpfloat(maxabs, <=, bound);
  g_assert_cmpfloat(maxabs, >, 0.9 * bound);
  g_assert_cmpfloat(fabs(mean), <, 4 * bound / sqrt(3.0 * n));
  g_assert_cmpfloat(fabs(var / (bound * bound / 3) - 1), <, 0.1);
}

static void test_init(void)
{
  lm_manual_seed(42);
  lm_module *lin = lm_nn_linear(500, 300);
  check_uniform(lm_module_parameter(lin, "weight"), 1 / sqrt(500.0));
  check_uniform(lm_module_parameter(lin, "bias"), 1 / sqrt(500.0));
  lm_module *conv = lm_nn_conv2d(16, 64, 3, 1, 1);
  check_uniform(lm_module_parameter(conv, "weight"), 1 / sqrt(16 * 9.0));
  check_uniform(lm_module_parameter(conv, "bias"), 1 / sqrt(16 * 9.0));
  /* Same seed, same weights. */
  lm_manual_seed(42);
  lm_module *lin2 = lm_nn_linear(500, 300);
  g_assert_cmpmem(lm_data_f32(lm_module_parameter(lin, "weight")), 500 * 300 * 4,
                  lm_data_f32(lm_module_parameter(lin2, "weight")), 500 * 300 * 4);
  lm_module_free(lin);
  lm_module_free(lin2);
  lm_module_free(conv);
}

/* nn.init.xavier_uniform_ (Keras' glorot_uniform) and zeros_: the fans
 * count the receptive field, gain scales the bound, and what cannot be
 * initialised in place is refused with its name. */
static void test_init_xavier(void)
{
  lm_manual_seed(7);
  lm_module *lin = lm_nn_linear(500, 300);
  lm_tensor *w = lm_module_parameter(lin, "weight"), *b = lm_module_parameter(lin, "bias");
  g_assert_true(lm_nn_init_xavier_uniform(w, 1.0));
  check_uniform(w, sqrt(6.0 / (500 + 300)));
  g_assert_true(lm_nn_init_xavier_uniform(w, 2.0));
  check_uniform(w, 2 * sqrt(6.0 / (500 + 300)));
  g_assert_true(lm_nn_init_zeros(b));
  for (int i = 0; i < 300; i++)
    g_assert_cmpfloat(lm_data_f32(b)[i], ==, 0.0f);
  /* Conv2d(16, 64, 3): fan_in 16 * 9, fan_out 64 * 9 */
  lm_module *conv = lm_nn_conv2d(16, 64, 3, 1, 1);
  lm_tensor *cw = lm_module_parameter(conv, "weight");
  g_assert_true(lm_nn_init_xavier_uniform(cw, 1.0));
  check_uniform(cw, sqrt(6.0 / (16 * 9 + 64 * 9)));

  lm_tensor_set_name(b, "fc.bias");
  expect_error_begin();
  g_assert_false(lm_nn_init_xavier_uniform(b, 1.0));
  expect_error_end("xavier_uniform_: fan in and fan out cannot be computed for fc.bias with 1 dimension",
                   "2 or more");
  lm_scope_begin();
  lm_tensor *view = lm_transpose(w, 0, 1);
  expect_error_begin();
  g_assert_false(lm_nn_init_zeros(view));
  expect_error_end("zeros_:", "must be a contiguous float32 tensor on the CPU");
  lm_scope_end();
  expect_error_begin();
  g_assert_false(lm_nn_init_zeros(NULL));
  expect_error_end("zeros_: tensor is NULL", NULL);
  lm_module_free(lin);
  lm_module_free(conv);
}

static void test_train_eval_dropout(void)
{
  lm_manual_seed(3);
  lm_module *model = LM_SEQUENTIAL(lm_nn_relu(), lm_nn_dropout(0.25f));
  g_assert_true(lm_module_is_training(model));
  g_assert_true(lm_module_is_training(lm_module_child(model, 1)));
  lm_scope_begin();
  lm_tensor *x = lm_add_scalar(lm_rand(LM_SHAPE(40, 50)), 0.5f);
  lm_tensor *y = lm_module_forward(model, x);
  const float *xd = lm_data_f32(x), *yd = lm_data_f32(y);
  int zeros = 0;
  for (int i = 0; i < 2000; i++) {
    if (yd[i] == 0.0f)
      zeros++;
    else
      g_assert_cmpfloat_with_epsilon(yd[i], xd[i] / 0.75f, 1e-5);
  }
  g_assert_cmpint(zeros, >, 400);
  g_assert_cmpint(zeros, <, 600);
  lm_module_eval(model);
  g_assert_false(lm_module_is_training(lm_module_child(model, 1)));
  lm_tensor *z = lm_module_forward(model, x);
  g_assert_cmpmem(lm_data_f32(z), 2000 * 4, xd, 2000 * 4);
  lm_module_train(model, true);
  g_assert_true(lm_module_is_training(lm_module_child(model, 1)));
  lm_scope_end();
  lm_module_free(model);
}

static void test_module_paths(void)
{
  lm_manual_seed(5);
  lm_module *model = make_named_model();
  lm_scope_begin();
  lm_tensor *x = lm_randn(LM_SHAPE(2, 1, 8, 8));
  lm_tensor *loss = lm_sum(lm_module_forward(model, x));
  const lm_node **nodes;
  size_t n = lm_graph_nodes(loss, &nodes);
  int seen = 0;
  for (size_t i = 0; i < n; i++) {
    const char *op = lm_node_op(nodes[i]), *mod = lm_node_module(nodes[i]);
    if (strcmp(op, "conv2d") == 0) {
      g_assert_true(strcmp(mod, "features.0") == 0 || strcmp(mod, "features.3") == 0);
      seen |= strcmp(mod, "features.0") == 0 ? 1 : 2;
    } else if (strcmp(op, "max_pool2d") == 0) {
      g_assert_cmpstr(mod, ==, "features.2");
      seen |= 4;
    } else if (strcmp(op, "sum") == 0) {
      g_assert_cmpstr(mod, ==, "");
      seen |= 8;
    } else if (strstr(mod, "classifier.1")) {
      seen |= 16;
    }
  }
  g_assert_cmpint(seen, ==, 31);
  free(nodes);
  /* The path stack is back to empty after the forward. */
  g_assert_cmpstr(lm_module_path(), ==, "");
  lm_scope_end();
  lm_module_free(model);
}

static void test_print(void)
{
  lm_module *model = LM_SEQUENTIAL(
    lm_nn_conv2d(1, 32, 3, 1, 1), lm_nn_max_pool2d(2, 0, 0), lm_nn_flatten(),
    lm_nn_linear(6272, 10), lm_nn_dropout(0.5f), lm_nn_avg_pool2d(3, 2, 1), lm_nn_gelu(),
    lm_nn_linear_ex(10, 2, false), lm_nn_sigmoid(), lm_nn_tanh(), lm_nn_relu(),
    lm_nn_softmax(1), lm_nn_log_softmax(-1));
  lm_module_add(model, "head", LM_SEQUENTIAL(lm_nn_conv2d_ex(2, 3, 1, 5,
    &(lm_conv2d_options){.stride_h = 2, .dilation_w = 2, .no_bias = true})));
  /* nn.MaxPool2d((2, 3), stride=(1, 2), padding=(0, 1), ceil_mode=True),
   * nn.MaxPool2d(3, 2, 1, ceil_mode=True), nn.AvgPool2d((2, 3), padding=(1, 0)),
   * nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False) */
  lm_module_add(model, "pools", LM_SEQUENTIAL(
    lm_nn_max_pool2d_ex(2, 3, &(lm_pool2d_options){.stride_h = 1, .stride_w = 2, .padding_w = 1,
                                                   .ceil_mode = true}),
    lm_nn_max_pool2d_ex(3, 3, &(lm_pool2d_options){.stride_h = 2, .stride_w = 2, .padding_h = 1,
                                                   .padding_w = 1, .ceil_mode = true}),
    lm_nn_avg_pool2d_ex(2, 3, &(lm_pool2d_options){.padding_h = 1}),
    lm_nn_avg_pool2d_ex(3, 3, &(lm_pool2d_options){.stride_h = 2, .stride_w = 2, .padding_h = 1,
                                                   .padding_w = 1, .ceil_mode = true,
                                                   .no_count_include_pad = true,
                                                   /* not printed, as PyTorch */
                                                   .divisor_override = 2})));
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  lm_module_print(model, f);
  fclose(f);
  /* print(model) in PyTorch 1.13 for the same model: */
  const char *want =
    "Sequential(\n"
    "  (0): Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
    "  (1): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
    "  (2): Flatten(start_dim=1, end_dim=-1)\n"
    "  (3): Linear(in_features=6272, out_features=10, bias=True)\n"
    "  (4): Dropout(p=0.5, inplace=False)\n"
    "  (5): AvgPool2d(kernel_size=3, stride=2, padding=1)\n"
    "  (6): GELU(approximate='none')\n"
    "  (7): Linear(in_features=10, out_features=2, bias=False)\n"
    "  (8): Sigmoid()\n"
    "  (9): Tanh()\n"
    "  (10): ReLU()\n"
    "  (11): Softmax(dim=1)\n"
    "  (12): LogSoftmax(dim=-1)\n"
    "  (head): Sequential(\n"
    "    (0): Conv2d(2, 3, kernel_size=(1, 5), stride=(2, 1), dilation=(1, 2), bias=False)\n"
    "  )\n"
    "  (pools): Sequential(\n"
    "    (0): MaxPool2d(kernel_size=(2, 3), stride=(1, 2), padding=(0, 1), dilation=1, "
    "ceil_mode=True)\n"
    "    (1): MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True)\n"
    "    (2): AvgPool2d(kernel_size=(2, 3), stride=(2, 3), padding=(1, 0))\n"
    "    (3): AvgPool2d(kernel_size=3, stride=2, padding=1)\n"
    "  )\n"
    ")\n";
  g_assert_cmpstr(buf, ==, want);
  free(buf);
  lm_module_free(model);
}

static void test_summary(void)
{
  lm_manual_seed(9);
  lm_module *cnn = make_cnn();
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  g_assert_true(lm_module_summary(cnn, LM_SHAPE(32, 1, 28, 28), f));
  fclose(f);
  g_test_message("%s", buf);
  /* One row per layer with its output shape and parameter count. */
  const char *rows[][3] = {
    {"0 (Conv2d)", "(32, 32, 28, 28)", "320"},
    {"2 (MaxPool2d)", "(32, 32, 14, 14)", "0"},
    {"3 (Conv2d)", "(32, 64, 14, 14)", "18,496"},
    {"6 (Flatten)", "(32, 3136)", "0"},
    {"7 (Linear)", "(32, 128)", "401,536"},
    {"9 (Dropout)", "(32, 128)", "0"},
    {"10 (Linear)", "(32, 10)", "1,290"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    char *line = strstr(buf, rows[i][0]);
    g_assert_nonnull(line);
    char *eol = strchr(line, '\n');
    g_autofree char *l = g_strndup(line, (gsize)(eol - line));
    g_assert_nonnull(strstr(l, rows[i][1]));
    g_assert_true(g_str_has_suffix(l, rows[i][2]));
  }
  g_assert_nonnull(strstr(buf, "Total params: 421,642\n"));
  g_assert_nonnull(strstr(buf, "Trainable params: 421,642\n"));
  g_assert_nonnull(strstr(buf, "Non-trainable params: 0\n"));
  free(buf);
  /* The summary leaves modes as they were and draws no random numbers. */
  g_assert_true(lm_module_is_training(lm_module_child(cnn, 9)));
  /* A shape the model cannot take fails with the op's message. */
  expect_error_begin();
  f = open_memstream(&buf, &len);
  g_assert_false(lm_module_summary(cnn, LM_SHAPE(2, 3, 28, 28), f));
  fclose(f);
  free(buf);
  expect_error_end("conv2d", "channels");
  lm_module_free(cnn);
}

static void test_to_device(void)
{
  lm_module *m = lm_nn_linear(4, 3);
  lm_tensor *w = lm_module_parameter(m, "weight");
  float before = lm_data_f32(w)[0];
  g_assert_true(lm_module_to(m, LM_CPU));
  g_assert_true(lm_module_parameter(m, "weight") == w);
  g_assert_cmpfloat(lm_data_f32(w)[0], ==, before);
  if (!lm_cuda_is_available()) {
    expect_error_begin();
    g_assert_false(lm_module_to(m, LM_CUDA0));
    expect_error_end("cuda", NULL);
    g_assert_cmpint(w->device.type, ==, LM_DEVICE_CPU);
    g_assert_cmpfloat(lm_data_f32(w)[0], ==, before);
  }
  lm_module_free(m);
}

static void test_optimizer_bookkeeping(void)
{
  lm_manual_seed(11);
  lm_module *m = LM_SEQUENTIAL(lm_nn_linear(3, 2), lm_nn_linear(2, 1));
  lm_optimizer *opt = lm_optim_sgd(m, 0.5, NULL);
  g_assert_cmpstr(lm_optimizer_name(opt), ==, "SGD");
  lm_tensor *w0 = lm_module_parameter(m, "0.weight"), *w1 = lm_module_parameter(m, "1.weight");
  float w0_before = lm_data_f32(w0)[0], w1_before = lm_data_f32(w1)[0];
  lm_scope_begin();
  /* Only layer 1 gets a gradient: layer 0 must be skipped, not zeroed. */
  lm_tensor *x = lm_ones(LM_SHAPE(1, 2));
  lm_backward(lm_sum(lm_module_forward(lm_module_child(m, 1), x)), NULL, false);
  g_assert_null(w0->grad);
  g_assert_nonnull(w1->grad);
  lm_optimizer_step(opt);
  g_assert_cmpfloat(lm_data_f32(w0)[0], ==, w0_before);
  g_assert_cmpfloat_with_epsilon(lm_data_f32(w1)[0], w1_before - 0.5f, 1e-6); /* grad is 1 */
  lm_optimizer_zero_grad(opt);
  g_assert_null(w1->grad);
  lm_scope_end();
  lm_optimizer_set_lr(opt, 0.01);
  g_assert_cmpfloat(lm_optimizer_get_lr(opt), ==, 0.01);
  lm_optimizer_free(opt);

  opt = lm_optim_adamw(m, NULL);
  g_assert_cmpstr(lm_optimizer_name(opt), ==, "AdamW");
  g_assert_cmpfloat(lm_optimizer_get_lr(opt), ==, 1e-3);
  lm_optimizer_free(opt);
  lm_module_zero_grad(m);

  /* Bad hyper-parameters are refused with PyTorch's wording. */
  expect_error_begin();
  g_assert_null(lm_optim_adam(m, &(lm_adam_options){.lr = 1e-3, .beta1 = 1.0, .beta2 = 0.999}));
  expect_error_end("Adam", "betas");
  expect_error_begin();
  g_assert_null(lm_optim_sgd(m, -1.0, NULL));
  expect_error_end("SGD", "learning rate");
  expect_error_begin();
  g_assert_null(lm_optim_sgd(m, 0.1, &(lm_sgd_options){.nesterov = true}));
  expect_error_end("nesterov", NULL);
  expect_error_begin();
  g_assert_null(lm_optim_adam_tensors(NULL, 0, NULL));
  expect_error_end("empty", NULL);
  expect_error_begin();
  g_assert_null(lm_step_lr(NULL, 1, 0.1));
  expect_error_end("StepLR", NULL);
  lm_optimizer *sopt = lm_optim_sgd(m, 0.1, NULL);
  expect_error_begin();
  g_assert_null(lm_cosine_annealing_lr(sopt, 0, 0.0));
  expect_error_end("CosineAnnealingLR: T_max must be positive, got 0", NULL);
  expect_error_begin();
  g_assert_null(lm_exponential_lr(sopt, -0.5));
  expect_error_end("ExponentialLR: gamma must be non-negative, got -0.5", NULL);
  lm_plateau_options po = LM_PLATEAU_DEFAULTS;
  po.factor = 1.0;
  expect_error_begin();
  g_assert_null(lm_reduce_lr_on_plateau(sopt, &po));
  expect_error_end("ReduceLROnPlateau: Factor should be < 1.0, got 1", NULL);
  {
    /* a state_dict no schedule can be in is refused, naming what is wrong */
    lm_lr_scheduler *pl = lm_reduce_lr_on_plateau(sopt, NULL);
    lm_lr_scheduler_state st = {.last_epoch = -1, .last_lr = 0.1, .best = INFINITY};
    expect_error_begin();
    g_assert_false(lm_lr_scheduler_load_state_dict(pl, &st));
    expect_error_end("load_state_dict: invalid state", "last_epoch -1");
    st.last_epoch = 3;
    st.best = NAN;
    expect_error_begin();
    g_assert_false(lm_lr_scheduler_load_state_dict(pl, &st));
    expect_error_end("load_state_dict: invalid state", "best nan");
    st.best = 0.5;
    st.last_lr = INFINITY; /* an infinite lr is no state a schedule can be in */
    expect_error_begin();
    g_assert_false(lm_lr_scheduler_load_state_dict(pl, &st));
    expect_error_end("load_state_dict: invalid state", "last_lr inf");
    lm_lr_scheduler_free(pl);
  }
  po = LM_PLATEAU_DEFAULTS;
  po.mode = (lm_plateau_mode)7;
  expect_error_begin();
  g_assert_null(lm_reduce_lr_on_plateau(sopt, &po));
  expect_error_end("ReduceLROnPlateau: mode 7 is unknown!", NULL);
  lm_lr_scheduler *plateau = lm_reduce_lr_on_plateau(sopt, NULL);
  expect_error_begin();
  lm_lr_scheduler_step(plateau); /* it needs the metric: the lr stays */
  expect_error_end("ReduceLROnPlateau: step needs the metric it watches", NULL);
  g_assert_cmpfloat(lm_optimizer_get_lr(sopt), ==, 0.1);
  lm_lr_scheduler_free(plateau);
  expect_error_begin();
  g_assert_null(lm_multistep_lr(sopt, (int[]){3, -1}, 2, 0.1));
  expect_error_end("MultiStepLR: milestones must be epochs >= 0, got -1", NULL);
  expect_error_begin();
  g_assert_null(lm_multistep_lr(NULL, (int[]){3}, 1, 0.1));
  expect_error_end("MultiStepLR: optimizer is NULL", NULL);
  lm_optimizer_free(sopt);
  lm_module_free(m);
}

/* ceil_mode, count_include_pad and non-square windows through the modules
 * (lm_nn_max_pool2d_ex, lm_nn_avg_pool2d_ex): outputs and input gradients
 * from PyTorch 1.13,
 *   y = F.max_pool2d(x, (kh, kw), (sh, sw), (ph, pw), ceil_mode=c)  # or
 *   y = F.avg_pool2d(x, (kh, kw), (sh, sw), (ph, pw), ceil_mode=c, count_include_pad=i)
 *   y.backward(torch.arange(1., y.numel() + 1).reshape(y.shape) / 4)
 * over x = [round(math.sin(i * 1.7) * 3, 3) for i in range(30)] shaped (1, 1, 5, 6). */
static const float x[30] = {
  0.0f,    2.975f,  -0.767f, -2.777f, 1.482f,  2.395f,  -2.1f,   -1.854f, 2.577f, 1.19f,
  -2.884f, -0.447f, 2.999f,  -0.326f, -2.915f, 1.077f,  2.638f,  -1.757f, -2.185f, 2.32f,
  1.587f,  -2.729f, -0.884f, 2.957f,  0.122f,  -2.988f, 0.648f,  2.821f,  -1.375f, -2.467f};

static void test_pool_options(void)
{
  static const struct {
    int avg, kh, kw, sh, sw, ph, pw, ceil, count_include_pad, oh, ow;
    float y[30], dx[30];
  } cases[] = {
    {0, 2, 2, 2, 2, 0, 0, 1, 1, 3, 3,
     {2.9749999f, 2.5769999f, 2.39499998f, 2.99900007f, 1.58700001f, 2.95700002f,
      0.122000001f, 2.8210001f, -1.375f},
     {0.0f, 0.25f, 0.0f, 0.0f, 0.0f, 0.75f,
      0.0f, 0.0f, 0.5f, 0.0f, 0.0f, 0.0f,
      1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f,
      0.0f, 0.0f, 1.25f, 0.0f, 0.0f, 1.5f,
      1.75f, 0.0f, 0.0f, 2.0f, 2.25f, 0.0f}},
    {0, 2, 3, 1, 2, 1, 1, 1, 1, 6, 4,
     {2.9749999f, 2.9749999f, 2.39499998f, 2.39499998f, 2.9749999f, 2.9749999f,
      2.39499998f, 2.39499998f, 2.99900007f, 2.5769999f, 2.63800001f, -0.446999997f,
      2.99900007f, 2.31999993f, 2.95700002f, 2.95700002f, 2.31999993f, 2.8210001f,
      2.95700002f, 2.95700002f, 0.122000001f, 2.8210001f, 2.8210001f, -2.46700001f},
     {0.0f, 3.5f, 0.0f, 0.0f, 0.0f, 5.5f,
      0.0f, 0.0f, 2.5f, 0.0f, 0.0f, 3.0f,
      5.5f, 0.0f, 0.0f, 0.0f, 2.75f, 0.0f,
      0.0f, 7.75f, 0.0f, 0.0f, 0.0f, 17.5f,
      5.25f, 0.0f, 0.0f, 15.75f, 0.0f, 6.0f}},
    {0, 3, 3, 2, 2, 1, 1, 1, 1, 3, 4,
     {2.9749999f, 2.9749999f, 2.39499998f, 2.39499998f, 2.99900007f, 2.5769999f,
      2.95700002f, 2.95700002f, 2.31999993f, 2.8210001f, 2.95700002f, 2.95700002f},
     {0.0f, 0.75f, 0.0f, 0.0f, 0.0f, 1.75f,
      0.0f, 0.0f, 1.5f, 0.0f, 0.0f, 0.0f,
      1.25f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f,
      0.0f, 2.25f, 0.0f, 0.0f, 0.0f, 9.5f,
      0.0f, 0.0f, 0.0f, 2.5f, 0.0f, 0.0f}},
    {1, 3, 3, 2, 2, 1, 1, 1, 1, 3, 4,
     {-0.108777776f, 0.149333343f, -0.11566668f, 0.324666649f, -0.127333328f, 0.103000008f,
      -0.0932222456f, 0.125500008f, -0.303444445f, 0.184333354f, -0.186333343f, 0.0816666707f},
     {0.027777778f, 0.0833333358f, 0.055555556f, 0.138888896f, 0.0833333358f, 0.25f,
      0.166666672f, 0.388888896f, 0.222222224f, 0.5f, 0.277777791f, 0.777777791f,
      0.138888896f, 0.305555582f, 0.166666672f, 0.361111104f, 0.194444448f, 0.527777791f,
      0.388888896f, 0.833333373f, 0.444444478f, 0.944444418f, 0.5f, 1.33333337f,
      0.25f, 0.527777791f, 0.277777791f, 0.583333373f, 0.305555552f, 0.805555582f}},
    {1, 3, 3, 2, 2, 1, 1, 1, 0, 3, 4,
     {-0.244749993f, 0.224000022f, -0.173500016f, 0.973999977f, -0.190999985f, 0.103000008f,
      -0.0932222456f, 0.251000017f, -0.682749987f, 0.276500016f, -0.279500008f, 0.245000005f},
     {0.0625f, 0.145833343f, 0.0833333358f, 0.208333343f, 0.125f, 0.625f,
      0.270833313f, 0.520833373f, 0.25f, 0.569444418f, 0.319444448f, 1.48611116f,
      0.208333328f, 0.375f, 0.166666672f, 0.361111104f, 0.194444448f, 0.861111164f,
      0.770833313f, 1.35416663f, 0.583333313f, 1.23611116f, 0.652777791f, 2.81944466f,
      0.5625f, 0.979166627f, 0.416666657f, 0.875f, 0.458333343f, 1.95833337f}},
    {1, 2, 2, 2, 2, 0, 0, 1, 1, 3, 3,
     {-0.244749993f, 0.0557500124f, 0.136499941f, 0.702000022f, -0.745000005f, 0.738499999f,
      -1.43299997f, 1.73450005f, -1.921f},
     {0.0625f, 0.0625f, 0.125f, 0.125f, 0.1875f, 0.1875f,
      0.0625f, 0.0625f, 0.125f, 0.125f, 0.1875f, 0.1875f,
      0.25f, 0.25f, 0.3125f, 0.3125f, 0.375f, 0.375f,
      0.25f, 0.25f, 0.3125f, 0.3125f, 0.375f, 0.375f,
      0.875f, 0.875f, 1.0f, 1.0f, 1.125f, 1.125f}},
    {1, 3, 2, 2, 1, 1, 0, 0, 0, 3, 5,
     {-0.244749993f, 0.732749939f, 0.0557500124f, -0.747249961f, 0.136499941f, -0.190999985f,
      0.23149997f, 0.131166652f, -0.265333384f, -0.0628333464f, -0.682749987f, 0.391750038f,
      0.581750035f, -0.541750014f, -0.442250013f},
     {0.0625f, 0.1875f, 0.3125f, 0.4375f, 0.5625f, 0.3125f,
      0.3125f, 0.729166627f, 0.9375f, 1.14583337f, 1.35416663f, 0.729166627f,
      0.25f, 0.541666627f, 0.625f, 0.708333373f, 0.791666627f, 0.416666657f,
      0.9375f, 1.97916663f, 2.1875f, 2.39583349f, 2.60416651f, 1.35416663f,
      0.6875f, 1.4375f, 1.5625f, 1.6875f, 1.8125f, 0.9375f}},
    {1, 2, 4, 3, 3, 1, 2, 1, 0, 2, 3,
     {1.48749995f, 0.228249997f, 1.93849993f, 0.702000022f, 0.0959999934f, 0.738499999f},
     {0.125f, 0.25f, 0.125f, 0.125f, 0.5f, 0.375f,
      0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f,
      0.25f, 0.40625f, 0.15625f, 0.15625f, 0.53125f, 0.375f,
      0.25f, 0.40625f, 0.15625f, 0.15625f, 0.53125f, 0.375f,
      0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f}},
  };
  for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
    lm_scope_begin();
    lm_pool2d_options o = {.stride_h = cases[k].sh, .stride_w = cases[k].sw,
                           .padding_h = cases[k].ph, .padding_w = cases[k].pw,
                           .ceil_mode = cases[k].ceil,
                           .no_count_include_pad = !cases[k].count_include_pad};
    lm_module *m = cases[k].avg ? lm_nn_avg_pool2d_ex(cases[k].kh, cases[k].kw, &o)
                                : lm_nn_max_pool2d_ex(cases[k].kh, cases[k].kw, &o);
    g_assert_nonnull(m);
    lm_tensor *in = lm_tensor_from_data(x, 4, (int64_t[]){1, 1, 5, 6});
    lm_tensor_set_requires_grad(in, true);
    lm_tensor *y = lm_module_forward(m, in);
    g_assert_nonnull(y);
    g_assert_cmpint(y->shape[2], ==, cases[k].oh);
    g_assert_cmpint(y->shape[3], ==, cases[k].ow);
    int64_t ny = lm_numel(y);
    float *g = malloc((size_t)ny * sizeof *g);
    for (int64_t i = 0; i < ny; i++) {
      g_assert_cmpfloat_with_epsilon(lm_data_f32(y)[i], cases[k].y[i], 1e-6);
      g[i] = (float)(i + 1) / 4;
    }
    lm_backward(y, lm_tensor_from_data(g, y->ndim, y->shape), false);
    for (int i = 0; i < 30; i++)
      g_assert_cmpfloat_with_epsilon(lm_data_f32(in->grad)[i], cases[k].dx[i], 1e-5);
    free(g);
    lm_module_free(m);
    lm_scope_end();
  }
  /* PyTorch's shape check: a window that does not fit the padded input */
  expect_error_begin();
  lm_scope_begin();
  g_assert_null(lm_max_pool2d_ex(lm_zeros(4, (int64_t[]){1, 1, 2, 2}), 3, 3, 1, 1, 0, 0, true));
  lm_scope_end();
  expect_error_end("max_pool2d", "smaller than the 3x3 window");
  expect_error_begin();
  g_assert_null(lm_nn_avg_pool2d_ex(2, 4, &(lm_pool2d_options){.padding_w = 3}));
  expect_error_end("AvgPool2d: pad should be at most half of kernel size, but got pad=(0, 3) "
                   "and kernel_size=(2, 4)", NULL);
}

static void test_bad_layers(void)
{
  expect_error_begin();
  g_assert_null(lm_nn_linear(0, 5));
  expect_error_end("Linear", "positive");
  expect_error_begin();
  g_assert_null(lm_nn_conv2d(3, 8, 3, 0, 1));
  expect_error_end("Conv2d", "stride");
  expect_error_begin();
  g_assert_null(lm_nn_max_pool2d(2, 2, 2));
  expect_error_end("MaxPool2d", "half of kernel size");
  expect_error_begin();
  g_assert_null(lm_nn_dropout(1.5f));
  expect_error_end("Dropout", "between 0 and 1");
  /* A failed constructor inside LM_SEQUENTIAL: no container, nothing leaked. */
  expect_error_begin();
  g_assert_null(LM_SEQUENTIAL(lm_nn_linear(4, 4), lm_nn_linear(-1, 2), lm_nn_relu()));
  expect_error_end("Linear", NULL);
  /* A layer given the wrong input says which op and which shapes. */
  lm_module *lin = lm_nn_linear(784, 128);
  lm_scope_begin();
  expect_error_begin();
  g_assert_null(lm_module_forward(lin, lm_zeros(LM_SHAPE(64, 100))));
  expect_error_end("64x100", NULL);
  lm_scope_end();
  lm_module_free(lin);
}

static void test_sequential_forward(void)
{
  /* Nested containers compute exactly the composition of their layers. */
  lm_manual_seed(13);
  lm_module *inner = LM_SEQUENTIAL(lm_nn_linear(6, 5), lm_nn_tanh());
  lm_module *model = LM_SEQUENTIAL(inner, lm_nn_linear(5, 2));
  lm_scope_begin();
  lm_tensor *x = lm_randn(LM_SHAPE(3, 6));
  lm_tensor *y = lm_module_forward(model, x);
  lm_tensor *ref = lm_linear(lm_tanh(lm_linear(x, lm_module_parameter(model, "0.0.weight"),
                                               lm_module_parameter(model, "0.0.bias"))),
                             lm_module_parameter(model, "1.weight"),
                             lm_module_parameter(model, "1.bias"));
  g_assert_cmpint(y->ndim, ==, 2);
  g_assert_cmpint(y->shape[1], ==, 2);
  g_assert_cmpmem(lm_data_f32(y), 6 * 4, lm_data_f32(ref), 6 * 4);
  /* Flatten keeps the batch dim. */
  lm_module *flat = lm_nn_flatten();
  lm_tensor *f = lm_module_forward(flat, lm_zeros(LM_SHAPE(4, 2, 3, 5)));
  g_assert_cmpint(f->ndim, ==, 2);
  g_assert_cmpint(f->shape[0], ==, 4);
  g_assert_cmpint(f->shape[1], ==, 30);
  /* LogSoftmax(dim=1) / Softmax(dim=0) are the functional ops along that dim
   * (PyTorch's MNIST example ends with log_softmax(x, dim=1)). */
  lm_module *lsm = lm_nn_log_softmax(1), *sm = lm_nn_softmax(0);
  g_assert_cmpstr(lm_module_type(lsm), ==, "LogSoftmax");
  g_assert_cmpstr(lm_module_type(sm), ==, "Softmax");
  lm_tensor *ly = lm_module_forward(lsm, y), *ly_ref = lm_log_softmax(y, 1);
  g_assert_cmpmem(lm_data_f32(ly), 6 * 4, lm_data_f32(ly_ref), 6 * 4);
  lm_tensor *sy = lm_module_forward(sm, y), *sy_ref = lm_softmax(y, 0);
  g_assert_cmpmem(lm_data_f32(sy), 6 * 4, lm_data_f32(sy_ref), 6 * 4);
  lm_scope_end();
  lm_module_free(lsm);
  lm_module_free(sm);
  lm_module_free(flat);
  lm_module_free(model);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/engine/nn/modules/names", test_names);
  g_test_add_func("/engine/nn/modules/parameter-counts", test_parameter_counts);
  g_test_add_func("/engine/nn/modules/init", test_init);
  g_test_add_func("/engine/nn/modules/init-xavier", test_init_xavier);
  g_test_add_func("/engine/nn/modules/train-eval-dropout", test_train_eval_dropout);
  g_test_add_func("/engine/nn/modules/module-paths", test_module_paths);
  g_test_add_func("/engine/nn/modules/print", test_print);
  g_test_add_func("/engine/nn/modules/summary", test_summary);
  g_test_add_func("/engine/nn/modules/to-device", test_to_device);
  g_test_add_func("/engine/nn/modules/optimizer-bookkeeping", test_optimizer_bookkeeping);
  g_test_add_func("/engine/nn/modules/bad-layers", test_bad_layers);
  g_test_add_func("/engine/nn/modules/pool-options", test_pool_options);
  g_test_add_func("/engine/nn/modules/sequential-forward", test_sequential_forward);
  return g_test_run();
}
