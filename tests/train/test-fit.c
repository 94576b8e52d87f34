/* test-fit.c: Keras-style fit / evaluate / predict.
 *
 * On a small synthetic data set (each class a bar at its own height, plus
 * noise) the MLP must learn: the loss falls and accuracy beats chance by
 * far. The history, the callbacks' order and arguments, stopping from a
 * callback, the validation split and resuming from a train state are
 * checked; evaluate and predict agree with each other.
 */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "lumen-train.h"

static lm_dataset *make_bars(int n, uint64_t seed)
{
  uint8_t *px = g_malloc((size_t)n * 784);
  int64_t *lab = g_malloc((size_t)n * sizeof *lab);
  uint64_t s = seed;
  for (int i = 0; i < n; i++) {
    int c = i % 10;
    lab[i] = c;
    for (int k = 0; k < 784; k++) {
      s = s * 6364136223846793005ull + 1442695040888963407ull;
      int noise = (int)((s >> 33) % 60);
      int row = k / 28;
      px[i * 784 + k] = (uint8_t)(noise + (row >= 2 * c + 4 && row < 2 * c + 7 ? 180 : 0));
    }
  }
  lm_dataset *ds = lm_dataset_from_memory(px, lab, n, 1, 28, 28, 10, NULL);
  g_free(px);
  g_free(lab);
  return ds;
}

typedef struct {
  GString *events;
  int64_t batches, last_step;
  int stop_at; /* stop after this many steps (0: never) */
  lm_train_state last_state;
} recorder;

static void rec_train_begin(void *ud, const lm_train_state *s)
{
  recorder *r = ud;
  g_string_append_printf(r->events, "B%lld ", (long long)s->epoch);
}

static void rec_epoch_begin(void *ud, int64_t epoch, int64_t nb)
{
  recorder *r = ud;
  g_string_append_printf(r->events, "e%lld/%lld ", (long long)epoch, (long long)nb);
}

static bool rec_batch_end(void *ud, const lm_step_info *s)
{
  recorder *r = ud;
  r->batches++;
  g_assert_cmpint(s->step, ==, r->last_step + 1);
  r->last_step = s->step;
  g_assert_nonnull(s->loss_tensor);
  g_assert_nonnull(s->output);
  g_assert_cmpint(s->output->shape[0], ==, s->batch_size);
  g_assert_cmpint(s->output->shape[1], ==, 10);
  g_assert_cmpfloat(s->loss, ==, lm_item(s->loss_tensor));
  g_assert_true(s->accuracy >= 0 && s->accuracy <= 1);
  /* the CPU reads every step back, whatever sync_every says: a window of one */
  g_assert_true(s->synced);
  g_assert_cmpint(s->window_steps, ==, 1);
  g_assert_cmpint(s->window_examples, ==, s->batch_size);
  g_assert_cmpfloat(s->window_loss_sum, ==, s->loss * (double)s->batch_size);
  g_assert_cmpfloat((double)s->window_correct, ==, s->accuracy * (double)s->batch_size);
  lm_step_info_sync(s); /* nothing to read: the figures stay */
  g_assert_cmpfloat(s->loss, ==, lm_item(s->loss_tensor));
  g_assert_cmpint(s->window_steps, ==, 1);
  g_assert_true(s->step_seconds >= 0);
  r->last_state = *s->state;
  return !(r->stop_at && s->step >= r->stop_at);
}

static bool rec_epoch_end(void *ud, const lm_epoch_logs *l, const lm_train_state *s)
{
  recorder *r = ud;
  g_string_append_printf(r->events, "E%lld ", (long long)l->epoch);
  g_assert_cmpint(s->epoch, ==, l->epoch + 1);
  g_assert_cmpint(s->batch, ==, 0);
  return true;
}

static void rec_train_end(void *ud, const lm_history *h, bool stopped)
{
  recorder *r = ud;
  g_string_append_printf(r->events, "T%s", stopped ? "stopped" : "done");
}

/* Each epoch's trained batches' example indices, for max_batches. */
typedef struct {
  int64_t batches;
  int64_t idx[4][16]; /* [epoch][i], batches of 16 */
  int64_t nb[4];
} batch_log;

static void log_epoch_begin(void *ud, int64_t epoch, int64_t nb)
{
  ((batch_log *)ud)->nb[epoch] = nb;
}

static bool log_batch_end(void *ud, const lm_step_info *s)
{
  batch_log *l = ud;
  l->batches++;
  g_assert_cmpint(s->batch, ==, 0);
  g_assert_cmpint(s->batch_size, ==, 16);
  memcpy(l->idx[s->epoch], s->data->indices, 16 * sizeof(int64_t));
  return true;
}

/* max_batches 1 (lumen-train --dry-run, main.py's `break` after batch 0 of
 * its shuffled DataLoader): each epoch trains one batch, the first of that
 * epoch's shuffled order over the whole set (the loader's, for the same
 * seed), so a different batch each epoch and for another seed; the
 * validation set is still evaluated whole. */
static void fit_first_batches(uint64_t seed, batch_log *log, lm_history *h)
{
  lm_dataset *ds = make_bars(200, 1);
  lm_manual_seed(0);
  lm_module *m = lm_model_mlp();
  lm_optimizer *opt = lm_optim_sgd(m, 0.01, NULL);
  lm_callbacks cb = { .user_data = log, .on_epoch_begin = log_epoch_begin, .on_batch_end = log_batch_end };
  lm_fit_options fo;
  lm_fit_options_init(&fo);
  fo.epochs = 4;
  fo.batch_size = 16;
  fo.validation_split = 0.2;
  fo.seed = seed;
  fo.max_batches = 1;
  fo.callbacks = &cb;
  char *err = NULL;
  g_assert_true(lm_fit(m, opt, ds, &fo, h, NULL, &err));
  g_assert_null(err);
  lm_optimizer_free(opt);
  lm_module_free(m);
  lm_dataset_release(ds);
}

static void test_fit_max_batches(void)
{
  batch_log a = { 0 }, b = { 0 };
  lm_history ha, hb;
  fit_first_batches(5, &a, &ha);
  fit_first_batches(6, &b, &hb);
  g_assert_cmpint(a.batches, ==, 4);
  g_assert_cmpint(ha.epochs, ==, 4);
  /* the loader fit makes: the 160 training examples (the first 80%),
   * shuffled from (seed, epoch) */
  lm_dataset *ds = make_bars(200, 1), *train = NULL, *val = NULL;
  lm_dataset_split(ds, 0.2, &train, &val);
  lm_loader_options lo;
  lm_loader_options_init(&lo);
  lo.batch_size = 16;
  lo.shuffle = true;
  lo.seed = 5;
  lm_loader *l = lm_loader_new(train, &lo);
  for (int e = 0; e < 4; e++) {
    g_assert_cmpint(a.nb[e], ==, 1);
    lm_loader_start_epoch(l, e);
    lm_scope_begin();
    lm_batch batch;
    g_assert_true(lm_loader_next(l, &batch));
    g_assert_cmpmem(a.idx[e], sizeof a.idx[e], batch.indices, 16 * sizeof(int64_t));
    lm_scope_end();
    /* every epoch's loss and accuracy are that one batch's; the validation
     * set's figures are there */
    g_assert_false(isnan(ha.logs[e].loss) || isnan(ha.logs[e].val_loss));
    /* another epoch, another batch; another seed, another batch */
    if (e > 0)
      g_assert_true(memcmp(a.idx[e], a.idx[e - 1], sizeof a.idx[e]) != 0);
    g_assert_true(memcmp(a.idx[e], b.idx[e], sizeof a.idx[e]) != 0);
  }
  lm_loader_free(l);
  lm_dataset_release(train);
  lm_dataset_release(val);
  lm_dataset_release(ds);
  lm_history_clear(&ha);
  lm_history_clear(&hb);
}

static void test_fit_learns(void)
{
  lm_dataset *ds = make_bars(600, 1);
  lm_manual_seed(0);
  lm_module *m = lm_model_mlp();
  lm_optimizer *opt = lm_optim_adam(m, NULL);
  recorder r = { .events = g_string_new(NULL) };
  lm_callbacks cb = { .user_data = &r, .on_train_begin = rec_train_begin, .on_epoch_begin = rec_epoch_begin,
                      .on_batch_end = rec_batch_end, .on_epoch_end = rec_epoch_end,
                      .on_train_end = rec_train_end };
  lm_fit_options fo;
  lm_fit_options_init(&fo);
  g_assert_cmpint(fo.batch_size, ==, 32); /* Keras' default */
  fo.epochs = 3;
  fo.validation_split = 0.2;
  fo.sync_every = 7; /* a GPU's; the CPU reads every step */
  fo.callbacks = &cb;
  lm_history h;
  bool stopped = true;
  char *err = NULL;
  g_assert_true(lm_fit(m, opt, ds, &fo, &h, &stopped, &err));
  g_assert_null(err);
  g_assert_false(stopped);
  /* 480 training examples in batches of 32: 15 per epoch */
  g_assert_cmpstr(r.events->str, ==, "B0 e0/15 E0 e1/15 E1 e2/15 E2 Tdone");
  g_assert_cmpint(r.batches, ==, 45);
  g_assert_cmpint(h.epochs, ==, 3);
  g_assert_cmpfloat(h.logs[2].loss, <, h.logs[0].loss * 0.5);
  g_assert_cmpfloat(h.logs[2].accuracy, >, 0.9);
  g_assert_false(isnan(h.logs[2].val_loss));
  g_assert_cmpfloat(h.logs[2].val_accuracy, >, 0.9);
  g_assert_cmpfloat(h.logs[0].lr, ==, 1e-3);
  g_assert_cmpfloat(h.logs[0].examples_per_sec, >, 0);

  /* evaluate on the held-out part matches the history's val numbers */
  lm_dataset *tr, *val;
  lm_dataset_split(ds, 0.2, &tr, &val);
  double loss, acc;
  g_assert_true(lm_evaluate(m, val, 64, NULL, &loss, &acc, NULL));
  g_assert_cmpfloat_with_epsilon(loss, h.logs[2].val_loss, 1e-5);
  g_assert_cmpfloat_with_epsilon(acc, h.logs[2].val_accuracy, 1e-9);
  g_assert_true(lm_module_is_training(m)); /* mode restored */

  /* predict: (N, 10) logits whose argmax gives evaluate's accuracy */
  lm_tensor *p = lm_predict(m, val, 50, NULL, NULL);
  g_assert_nonnull(p);
  g_assert_cmpint(p->shape[0], ==, 120);
  g_assert_cmpint(p->shape[1], ==, 10);
  int64_t labels[120];
  for (int i = 0; i < 120; i++)
    labels[i] = lm_dataset_label(val, i);
  lm_tensor *y = lm_tensor_from_int64(labels, 1, (int64_t[]){ 120 });
  g_assert_cmpfloat_with_epsilon((double)lm_count_correct(p, y) / 120.0, acc, 1e-9);
  lm_tensor_release(y);
  lm_tensor_release(p);

  lm_history_clear(&h);
  g_string_free(r.events, TRUE);
  lm_dataset_release(tr);
  lm_dataset_release(val);
  lm_optimizer_free(opt);
  lm_module_free(m);
  lm_dataset_release(ds);
}

/* Stopping at step 20 then resuming from the reported state gives the same
 * parameters as training straight through. */
static void test_stop_and_resume(void)
{
  lm_dataset *ds = make_bars(320, 2);
  lm_fit_options fo;
  lm_fit_options_init(&fo);
  fo.epochs = 3;
  fo.seed = 7;

  lm_manual_seed(0);
  lm_module *a = lm_model_mlp();
  lm_optimizer *oa = lm_optim_adam(a, NULL);
  lm_history ha;
  g_assert_true(lm_fit(a, oa, ds, &fo, &ha, NULL, NULL));

  lm_manual_seed(0);
  lm_module *b = lm_model_mlp();
  lm_optimizer *ob = lm_optim_adam(b, NULL);
  recorder r = { .events = g_string_new(NULL), .stop_at = 13 };
  lm_callbacks cb = { .user_data = &r, .on_batch_end = rec_batch_end, .on_train_end = rec_train_end };
  fo.callbacks = &cb;
  bool stopped = false;
  lm_history hb;
  g_assert_true(lm_fit(b, ob, ds, &fo, &hb, &stopped, NULL));
  g_assert_true(stopped);
  g_assert_cmpstr(r.events->str, ==, "Tstopped");
  g_assert_cmpint(hb.epochs, ==, 1); /* epoch 0 done (10 batches), stopped in epoch 1 */
  g_assert_cmpint(r.last_state.epoch, ==, 1);
  g_assert_cmpint(r.last_state.batch, ==, 3);
  g_assert_cmpint(r.last_state.step, ==, 13);
  lm_history_clear(&hb);

  lm_train_state resume = r.last_state;
  fo.callbacks = NULL;
  fo.initial_state = &resume;
  g_assert_true(lm_fit(b, ob, ds, &fo, &hb, &stopped, NULL));
  g_assert_false(stopped);
  g_assert_cmpint(hb.epochs, ==, 2);
  /* the resumed epoch's mean loss includes the steps before the stop */
  g_assert_cmpfloat(hb.logs[0].loss, ==, ha.logs[1].loss);
  g_assert_cmpfloat(hb.logs[1].loss, ==, ha.logs[2].loss);
  lm_named_tensor *pa, *pb;
  size_t n = lm_module_named_parameters(a, &pa);
  lm_module_named_parameters(b, &pb);
  for (size_t i = 0; i < n; i++)
    g_assert_cmpmem(lm_data_f32(pa[i].tensor), (size_t)lm_numel(pa[i].tensor) * 4, lm_data_f32(pb[i].tensor),
                    (size_t)lm_numel(pb[i].tensor) * 4);
  free(pa);
  free(pb);
  lm_history_clear(&ha);
  lm_history_clear(&hb);
  g_string_free(r.events, TRUE);
  lm_optimizer_free(oa);
  lm_optimizer_free(ob);
  lm_module_free(a);
  lm_module_free(b);
  lm_dataset_release(ds);
}

static void quiet_handler(const char *message, void *user_data)
{
  g_test_message("engine error: %s", message);
}

static void test_bad_arguments(void)
{
  lm_dataset *ds = make_bars(10, 3);
  lm_module *m = lm_model_mlp();
  lm_optimizer *opt = lm_optim_sgd(m, 0.1, NULL);
  char *err = NULL;
  g_assert_false(lm_fit(NULL, opt, ds, NULL, NULL, NULL, &err));
  g_assert_nonnull(strstr(err, "required"));
  g_free(err);
  err = NULL;
  lm_fit_options fo;
  lm_fit_options_init(&fo);
  fo.validation_split = 1.5;
  g_assert_false(lm_fit(m, opt, ds, &fo, NULL, NULL, &err));
  g_assert_nonnull(strstr(err, "validation_split must be in [0, 1), got 1.5"));
  g_free(err);
  err = NULL;
  lm_fit_options_init(&fo);
  fo.loss = (lm_loss_kind)7;
  g_assert_false(lm_fit(m, opt, ds, &fo, NULL, NULL, &err));
  g_assert_cmpstr(err, ==, "fit: unknown loss kind 7");
  g_free(err);
  err = NULL;
  /* the CNN fed flattened images: the engine's shape error reaches the caller */
  lm_module *cnn = lm_model_cnn();
  lm_optimizer *oc = lm_optim_sgd(cnn, 0.1, NULL);
  lm_fit_options_init(&fo);
  fo.flatten = true;
  lm_set_error_handler(quiet_handler, NULL);
  g_assert_false(lm_fit(cnn, oc, ds, &fo, NULL, NULL, &err));
  lm_set_error_handler(NULL, NULL);
  g_assert_nonnull(err);
  g_test_message("%s", err);
  g_assert_nonnull(strstr(err, "fit: step 1 failed: "));
  g_assert_nonnull(strstr(err, "conv2d"));
  g_free(err);
  lm_optimizer_free(oc);
  lm_module_free(cnn);

  /* count_correct: first maximum wins; wrong shapes or dtypes are errors, not 0 */
  lm_tensor *logits = lm_tensor_from_data((float[]){ 1, 3, 3, 0, 5, 2 }, 2, (int64_t[]){ 2, 3 });
  lm_tensor *lab = lm_tensor_from_int64((int64_t[]){ 1, 1 }, 1, (int64_t[]){ 2 });
  g_assert_cmpint(lm_count_correct(logits, lab), ==, 2);
  lm_tensor *lab3 = lm_tensor_from_int64((int64_t[]){ 1, 1, 1 }, 1, (int64_t[]){ 3 });
  lm_tensor *labf = lm_tensor_from_data((float[]){ 1, 1 }, 1, (int64_t[]){ 2 });
  lm_set_error_handler(quiet_handler, NULL);
  g_assert_cmpint(lm_count_correct(logits, lab3), ==, -1);
  g_assert_cmpstr(lm_last_error(), ==,
                  "count_correct: expected logits (N, C) and labels (N), got logits (2x3) and labels (3)");
  g_assert_cmpint(lm_count_correct(logits, labf), ==, -1);
  g_assert_nonnull(strstr(lm_last_error(), "expected labels to have dtype int64, got float32"));
  g_assert_cmpint(lm_count_correct(NULL, lab), ==, -1);
  lm_set_error_handler(NULL, NULL);
  lm_tensor_release(logits);
  lm_tensor_release(lab);
  lm_tensor_release(lab3);
  lm_tensor_release(labf);

  lm_optimizer_free(opt);
  lm_module_free(m);
  lm_dataset_release(ds);
}

static void test_models(void)
{
  lm_module *m = lm_model_mlp();
  g_assert_cmpint(lm_module_num_parameters(m), ==, 784 * 128 + 128 + 128 * 10 + 10);
  g_assert_nonnull(lm_module_parameter(m, "1.weight"));
  g_assert_nonnull(lm_module_parameter(m, "3.bias"));
  lm_module_free(m);
  m = lm_model_cnn();
  g_assert_cmpint(lm_module_num_parameters(m), ==,
                  32 * 9 + 32 + 64 * 32 * 9 + 64 + 3136 * 128 + 128 + 128 * 10 + 10);
  g_assert_nonnull(lm_module_parameter(m, "0.weight"));
  g_assert_nonnull(lm_module_parameter(m, "10.bias"));
  lm_module_free(m);
  char *err = NULL;
  g_assert_null(lm_model_by_name("resnet", &err));
  g_assert_cmpstr(err, ==, "unknown model 'resnet': expected 'mlp', 'cnn', 'net' or 'keras-cnn'");
  g_free(err);
}

/* The parameters' names and shapes, in order, and the total. */
static void check_params(lm_module *m, const char *const *names, const int64_t (*shapes)[4], size_t n,
                         int64_t total)
{
  lm_named_tensor *params;
  g_assert_cmpuint(lm_module_named_parameters(m, &params), ==, n);
  for (size_t i = 0; i < n; i++) {
    g_assert_cmpstr(params[i].name, ==, names[i]);
    for (int d = 0; d < 4 && shapes[i][d]; d++)
      g_assert_cmpint(params[i].tensor->shape[d], ==, shapes[i][d]);
  }
  free(params);
  g_assert_cmpint(lm_module_num_parameters(m), ==, total);
}

/* Keras' model.summary(): every layer by its name, and the total. */
static void check_summary(lm_module *m, const char *const *lines, size_t n)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  g_assert_true(lm_module_summary(m, LM_SHAPE(2, 1, 28, 28), f));
  fclose(f);
  g_test_message("%s", text);
  for (size_t i = 0; i < n; i++)
    if (!strstr(text, lines[i]))
      g_error("the summary lacks \"%s\":\n%s", lines[i], text);
  free(text);
}

/* Two images through the model in eval mode: (2, 10) rows whose
 * exp(log-probabilities) (net) or probabilities (keras-cnn) sum to 1. */
static void check_outputs(lm_module *m, bool log_probs)
{
  lm_scope_begin();
  lm_module_eval(m);
  lm_tensor *y = lm_module_forward(m, lm_rand(LM_SHAPE(2, 1, 28, 28)));
  g_assert_cmpint(y->ndim, ==, 2);
  g_assert_cmpint(y->shape[0], ==, 2);
  g_assert_cmpint(y->shape[1], ==, 10);
  for (int r = 0; r < 2; r++) {
    double sum = 0;
    for (int c = 0; c < 10; c++) {
      double v = lm_data_f32(y)[r * 10 + c];
      g_assert_true(log_probs ? v <= 0 : v >= 0 && v <= 1);
      sum += log_probs ? exp(v) : v;
    }
    g_assert_cmpfloat_with_epsilon(sum, 1.0, 1e-5);
  }
  lm_module_train(m, true);
  lm_scope_end();
}

/* pytorch/examples' mnist/main.py Net: its state_dict names, 1,199,882
 * parameters, PyTorch's init (U(+-1/sqrt(fan_in))). */
static void test_mnist_net(void)
{
  lm_manual_seed(1);
  lm_module *m = lm_model_mnist_net();
  static const char *const names[] = { "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                                       "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" };
  static const int64_t shapes[][4] = { {32, 1, 3, 3}, {32}, {64, 32, 3, 3}, {64}, {128, 9216}, {128},
                                       {10, 128}, {10} };
  check_params(m, names, shapes, G_N_ELEMENTS(names), 1199882);
  float maxabs = 0;
  const lm_tensor *w = lm_module_parameter(m, "fc1.weight");
  for (int64_t i = 0; i < lm_numel(w); i++)
    maxabs = fmaxf(maxabs, fabsf(lm_data_f32(w)[i]));
  g_assert_cmpfloat(maxabs, <=, 1 / 96.0f);
  g_assert_cmpfloat(maxabs, >, 0.99f / 96);
  static const char *const lines[] = {
    "conv1 (Conv2d)", "(2, 32, 26, 26)", "conv2 (Conv2d)", "(2, 64, 24, 24)", "18,496",
    "max_pool2d (MaxPool2d)", "(2, 64, 12, 12)", "dropout1 (Dropout)", "flatten (Flatten)", "(2, 9216)",
    "fc1 (Linear)", "1,179,776", "dropout2 (Dropout)", "fc2 (Linear)", "log_softmax (LogSoftmax)",
    "Total params: 1,199,882\n",
  };
  check_summary(m, lines, G_N_ELEMENTS(lines));
  check_outputs(m, true);
  lm_module_free(m);
  char *err = NULL;
  m = lm_model_by_name("mnist-net", &err);
  g_assert_null(err);
  g_assert_cmpint(lm_module_num_parameters(m), ==, 1199882);
  lm_module_free(m);
  g_assert_cmpint(lm_model_loss("net"), ==, LM_LOSS_NLL);
  g_assert_cmpint(lm_model_loss("mnist-net"), ==, LM_LOSS_NLL);
  g_assert_cmpint(lm_model_loss("cnn"), ==, LM_LOSS_CROSS_ENTROPY);
}

/* keras.io's Simple MNIST convnet: Keras' layer names, 34,826 parameters,
 * glorot_uniform kernels and zero biases. */
static void test_keras_convnet(void)
{
  lm_manual_seed(1);
  lm_module *m = lm_model_keras_convnet();
  static const char *const names[] = { "conv2d.weight", "conv2d.bias", "conv2d_1.weight", "conv2d_1.bias",
                                       "dense.weight", "dense.bias" };
  static const int64_t shapes[][4] = { {32, 1, 3, 3}, {32}, {64, 32, 3, 3}, {64}, {10, 1600}, {10} };
  check_params(m, names, shapes, G_N_ELEMENTS(names), 34826);
  /* glorot_uniform: U(+-sqrt(6 / (fan_in + fan_out))) */
  static const double bounds[] = { 0.14213381090374033 /* sqrt(6 / (9 + 288)) */, 0,
                                   0.08333333333333333 /* sqrt(6 / (288 + 576)) */, 0,
                                   0.06104676956673597 /* sqrt(6 / (1600 + 10)) */, 0 };
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    const lm_tensor *t = lm_module_parameter(m, names[i]);
    float maxabs = 0;
    for (int64_t k = 0; k < lm_numel(t); k++)
      maxabs = fmaxf(maxabs, fabsf(lm_data_f32(t)[k]));
    g_assert_cmpfloat(maxabs, <=, bounds[i]);
    if (bounds[i] > 0)
      g_assert_cmpfloat(maxabs, >, 0.95 * bounds[i]);
  }
  static const char *const lines[] = {
    "conv2d (Conv2d)", "(2, 32, 26, 26)", "320", "max_pooling2d (MaxPool2d)", "(2, 32, 13, 13)",
    "conv2d_1 (Conv2d)", "(2, 64, 11, 11)", "18,496", "max_pooling2d_1 (MaxPool2d)", "(2, 64, 5, 5)",
    "flatten (Flatten)", "(2, 1600)", "dropout (Dropout)", "dense (Linear)", "16,010", "softmax (Softmax)",
    "Total params: 34,826\n",
  };
  check_summary(m, lines, G_N_ELEMENTS(lines));
  check_outputs(m, false);
  lm_module_free(m);
  g_assert_cmpint(lm_model_loss("keras-cnn"), ==, LM_LOSS_CATEGORICAL_CROSSENTROPY);
}

/* lm_loss_of: each kind on outputs worked out by hand; Keras' clip keeps
 * log(0) finite: -log(1e-7) = 16.118. */
static void test_loss_of(void)
{
  lm_scope_begin();
  lm_tensor *target = lm_tensor_from_int64((const int64_t[]){0, 2}, LM_SHAPE(2));
  lm_tensor *probs = lm_tensor_from_data((const float[]){0.7f, 0.2f, 0.1f, 0.5f, 0.5f, 0.0f}, LM_SHAPE(2, 3));
  g_assert_cmpfloat_with_epsilon(lm_item(lm_loss_of(LM_LOSS_CATEGORICAL_CROSSENTROPY, probs, target)),
                                 (-log(0.7) - log(1e-7)) / 2, 1e-5);
  lm_tensor *logp = lm_log(probs);
  lm_tensor *first = lm_slice(logp, 0, 0, 1, 1);
  g_assert_cmpfloat_with_epsilon(lm_item(lm_loss_of(LM_LOSS_NLL, first, lm_slice(target, 0, 0, 1, 1))),
                                 -log(0.7), 1e-6);
  lm_tensor *logits = lm_tensor_from_data((const float[]){1, 2, 3, 0, 0, 0}, LM_SHAPE(2, 3));
  g_assert_cmpfloat_with_epsilon(lm_item(lm_loss_of(LM_LOSS_CROSS_ENTROPY, logits, target)),
                                 ((log(exp(1) + exp(2) + exp(3)) - 1) + log(3.0)) / 2, 1e-6);
  lm_scope_end();
}

/* fit steps a ReduceLROnPlateau on each epoch's validation loss: the lr
 * each epoch ran with (History's lr) is what the same schedule gives when
 * stepped by hand on History's val losses. */
static void test_fit_plateau(void)
{
  lm_dataset *ds = make_bars(600, 1);
  lm_manual_seed(0);
  lm_module *m = lm_model_mlp();
  lm_optimizer *opt = lm_optim_sgd(m, 0.5, NULL);
  lm_plateau_options po = LM_PLATEAU_DEFAULTS;
  po.patience = 0;
  po.factor = 0.5;
  po.threshold = 0.3; /* val losses must fall by 30% a step, or the lr halves */
  lm_lr_scheduler *s = lm_reduce_lr_on_plateau(opt, &po);
  lm_fit_options fo;
  lm_fit_options_init(&fo);
  fo.epochs = 5;
  fo.validation_split = 0.2;
  fo.scheduler = s;
  lm_history h;
  g_assert_true(lm_fit(m, opt, ds, &fo, &h, NULL, NULL));
  g_assert_cmpint(h.epochs, ==, 5);
  lm_tensor *p = lm_zeros(LM_SHAPE(1));
  lm_optimizer *ref = lm_optim_sgd_tensors(&p, 1, 0.5, NULL);
  lm_lr_scheduler *rs = lm_reduce_lr_on_plateau(ref, &po);
  int halvings = 0;
  for (int64_t e = 0; e < h.epochs; e++) {
    g_assert_false(isnan(h.logs[e].val_loss));
    g_assert_cmpfloat(h.logs[e].lr, ==, lm_optimizer_get_lr(ref));
    double before = lm_optimizer_get_lr(ref);
    lm_lr_scheduler_step_metric(rs, h.logs[e].val_loss);
    halvings += lm_optimizer_get_lr(ref) < before;
  }
  g_assert_cmpint(halvings, >, 0); /* the schedule did act */
  g_assert_cmpfloat(lm_optimizer_get_lr(opt), ==, lm_optimizer_get_lr(ref));
  /* no validation data (none asked for, or a split too small to hold an
   * example): each epoch's val loss would be NaN, a bad epoch, and the lr
   * would halve every epoch; fit refuses instead, before training */
  const double lr_before = lm_optimizer_get_lr(opt);
  char *err = NULL;
  fo.validation_split = 0;
  g_assert_false(lm_fit(m, opt, ds, &fo, NULL, NULL, &err));
  g_assert_cmpstr(err, ==, "fit: ReduceLROnPlateau steps on the validation loss: give "
                           "validation_split or validation_data (at least one example)");
  g_free(err);
  err = NULL;
  fo.validation_split = 0.001; /* 0 of 600 examples */
  g_assert_false(lm_fit(m, opt, ds, &fo, NULL, NULL, &err));
  g_assert_nonnull(strstr(err, "ReduceLROnPlateau steps on the validation loss"));
  g_free(err);
  g_assert_cmpfloat(lm_optimizer_get_lr(opt), ==, lr_before);
  lm_lr_scheduler_free(rs);
  lm_optimizer_free(ref);
  lm_tensor_release(p);
  lm_history_clear(&h);
  lm_lr_scheduler_free(s);
  lm_optimizer_free(opt);
  lm_module_free(m);
  lm_dataset_release(ds);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/train/models", test_models);
  g_test_add_func("/train/models/mnist-net", test_mnist_net);
  g_test_add_func("/train/models/keras-convnet", test_keras_convnet);
  g_test_add_func("/train/loss-of", test_loss_of);
  g_test_add_func("/train/fit/learns", test_fit_learns);
  g_test_add_func("/train/fit/plateau", test_fit_plateau);
  g_test_add_func("/train/fit/max-batches", test_fit_max_batches);
  g_test_add_func("/train/fit/stop-and-resume", test_stop_and_resume);
  g_test_add_func("/train/fit/bad-arguments", test_bad_arguments);
  return g_test_run();
}
