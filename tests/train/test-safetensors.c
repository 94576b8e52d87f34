/* test-safetensors.c: the safetensors reader/writer and checkpoints.
 *
 * Round trips on raw buffers (every dtype, scalars, empty tensors, escaped
 * names, metadata), the byte layout PyTorch's safetensors expects, every
 * kind of corrupt file refused with a message, then checkpoints: parameters
 * and Adam/SGD state restored exactly (the next step matches), mismatched
 * checkpoints refused without touching the model, and the saved weights
 * giving the same outputs in PyTorch (when /usr/bin/python3 has torch).
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lumen-train.h"

static char *tmpdir;

static void le64(uint8_t *p, uint64_t v)
{
  for (int i = 0; i < 8; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static void test_roundtrip(void)
{
  lm_st_writer *w = lm_st_writer_new();
  float f[6] = { 1, -2, 3.5f, 0, 1e-30f, -0.0f };
  int64_t i64[3] = { -1, 1LL << 40, 7 };
  uint8_t u8[4] = { 0, 255, 7, 8 };
  double d = M_PI;
  g_assert_true(lm_st_writer_add(w, "0.weight", LM_ST_F32, 2, (int64_t[]){ 2, 3 }, f, NULL));
  g_assert_true(lm_st_writer_add(w, "idx", LM_ST_I64, 1, (int64_t[]){ 3 }, i64, NULL));
  g_assert_true(lm_st_writer_add(w, "bytes \"quoted\"\n", LM_ST_U8, 1, (int64_t[]){ 4 }, u8, NULL));
  g_assert_true(lm_st_writer_add(w, "scalar", LM_ST_F64, 0, NULL, &d, NULL));
  g_assert_true(lm_st_writer_add(w, "empty", LM_ST_F32, 2, (int64_t[]){ 0, 5 }, NULL, NULL));
  char *err = NULL;
  g_assert_false(lm_st_writer_add(w, "idx", LM_ST_F32, 0, NULL, f, &err));
  g_assert_nonnull(strstr(err, "duplicate tensor name 'idx'"));
  g_free(err);
  lm_st_writer_set_metadata(w, "epoch", "3");
  lm_st_writer_set_metadata(w, "note", "caf\xc3\xa9 \"x\"\t");
  lm_st_writer_set_metadata(w, "epoch", "4"); /* replaces */

  size_t len = 0;
  uint8_t *buf = lm_st_writer_serialize(w, &len);
  g_assert_nonnull(buf);
  /* layout: u64 LE header size, header padded to 8 with spaces, data after */
  uint64_t n = 0;
  for (int i = 7; i >= 0; i--)
    n = (n << 8) | buf[i];
  g_assert_cmpuint(n % 8, ==, 0);
  g_assert_cmpint(buf[8], ==, '{');
  g_assert_cmpuint(len, ==, 8 + n + 24 + 24 + 4 + 8);
  /* tensors packed in insertion order: the first tensor starts the data */
  float first;
  memcpy(&first, buf + 8 + n + 8, 4);
  g_assert_cmpfloat(first, ==, 3.5f);

  lm_safetensors *st = lm_safetensors_parse(buf, len, "rt", &err);
  g_assert_nonnull(st);
  g_assert_cmpuint(lm_safetensors_count(st), ==, 5);
  const lm_st_tensor *t = lm_safetensors_find(st, "0.weight");
  g_assert_nonnull(t);
  g_assert_cmpint(t->dtype, ==, LM_ST_F32);
  g_assert_cmpint(t->ndim, ==, 2);
  g_assert_cmpint(t->shape[1], ==, 3);
  g_assert_cmpmem(t->data, t->nbytes, f, sizeof f);
  t = lm_safetensors_find(st, "idx");
  g_assert_cmpmem(t->data, t->nbytes, i64, sizeof i64);
  t = lm_safetensors_find(st, "bytes \"quoted\"\n");
  g_assert_nonnull(t);
  g_assert_cmpmem(t->data, t->nbytes, u8, 4);
  t = lm_safetensors_find(st, "scalar");
  g_assert_cmpint(t->ndim, ==, 0);
  g_assert_cmpint(t->numel, ==, 1);
  double dd;
  memcpy(&dd, t->data, 8);
  g_assert_cmpfloat(dd, ==, M_PI);
  t = lm_safetensors_find(st, "empty");
  g_assert_cmpint(t->numel, ==, 0);
  g_assert_cmpuint(t->nbytes, ==, 0);
  g_assert_cmpstr(lm_safetensors_metadata(st, "epoch"), ==, "4");
  g_assert_cmpstr(lm_safetensors_metadata(st, "note"), ==, "caf\xc3\xa9 \"x\"\t");
  g_assert_null(lm_safetensors_metadata(st, "absent"));
  g_assert_cmpuint(lm_safetensors_metadata_count(st), ==, 2);
  lm_safetensors_free(st);

  /* save is atomic (no .tmp left) and read gives the same */
  char *path = g_build_filename(tmpdir, "rt.safetensors", NULL);
  g_assert_true(lm_st_writer_save(w, path, NULL));
  char *tmp = g_strconcat(path, ".tmp", NULL);
  g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));
  st = lm_safetensors_read(path, NULL);
  g_assert_nonnull(st);
  g_assert_cmpuint(lm_safetensors_count(st), ==, 5);
  lm_safetensors_free(st);
  /* an unwritable destination is an error naming it */
  err = NULL;
  g_assert_false(lm_st_writer_save(w, "/nonexistent-dir/x.safetensors", &err));
  g_assert_nonnull(strstr(err, "/nonexistent-dir/x.safetensors"));
  g_free(err);
  g_free(tmp);
  g_free(path);
  free(buf);
  lm_st_writer_free(w);
}

/* A file from a hand-written header and `data_len` bytes of data. */
static uint8_t *make_file(const char *header, size_t data_len, size_t *len)
{
  size_t hl = strlen(header);
  *len = 8 + hl + data_len;
  uint8_t *b = g_malloc0(*len);
  le64(b, hl);
  memcpy(b + 8, header, hl);
  return b;
}

static void expect_refused(const char *header, size_t data_len, const char *frag)
{
  size_t len;
  uint8_t *b = make_file(header, data_len, &len);
  char *err = NULL;
  lm_safetensors *st = lm_safetensors_parse(b, len, "bad.safetensors", &err);
  if (st)
    g_error("header %s was accepted", header);
  g_assert_nonnull(err);
  g_test_message("%s", err);
  g_assert_nonnull(strstr(err, "bad.safetensors"));
  if (!strstr(err, frag))
    g_error("message \"%s\" lacks \"%s\"", err, frag);
  g_free(err);
  g_free(b);
}

static void test_corrupt(void)
{
  char *err = NULL;
  g_assert_null(lm_safetensors_parse("abc", 3, "short", &err));
  g_assert_nonnull(strstr(err, "expected an 8-byte header length, found 3 bytes"));
  g_free(err);
  err = NULL;
  uint8_t big[16];
  le64(big, 1ull << 40);
  memcpy(big + 8, "{}      ", 8);
  g_assert_null(lm_safetensors_parse(big, 16, "huge", &err));
  g_assert_nonnull(strstr(err, "over the 100000000-byte limit"));
  g_free(err);
  err = NULL;
  le64(big, 100);
  g_assert_null(lm_safetensors_parse(big, 16, "cut", &err));
  g_assert_nonnull(strstr(err, "truncated: expected a 100-byte JSON header, found 8"));
  g_free(err);
  g_assert_null(lm_safetensors_read("/nonexistent.safetensors", NULL));

  const char *ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
  size_t len;
  uint8_t *b = make_file(ok, 8, &len);
  lm_safetensors *st = lm_safetensors_parse(b, len, "ok", NULL);
  g_assert_nonnull(st); /* the control case is accepted */
  lm_safetensors_free(st);
  g_free(b);

  expect_refused("[1, 2]   ", 0, "does not start with a JSON object");
  expect_refused("{\"a\":{\"dtype\":\"F32\",", 0, "invalid JSON");
  expect_refused("{\"a\":1} junk", 0, "invalid JSON");
  expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "needs dtype, shape and data_offsets");
  expect_refused("{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "unknown dtype 'Q7'");
  expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8,
                 "shape (3) of F32 needs 12 bytes, data_offsets [0, 8] give 8");
  expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "not a valid size");
  expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "begin <= end");
  expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4,
                 "truncated: tensor 'a' ends at data byte 8");
  expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12,
                 "4 bytes of data after the last tensor");
  expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "hole before it");
  expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                 "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "overlaps");
  expect_refused("{\"__metadata__\":{\"k\":1}}", 0, "is not a string");
  expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                 "\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", 0, "duplicate key");
  expect_refused("{\"a\xff\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", 0, "invalid UTF-8");
  expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4,
                 "at most 8 sizes");
  /* deep nesting does not blow the stack */
  GString *deep = g_string_new("{\"a\":");
  for (int i = 0; i < 10000; i++)
    g_string_append_c(deep, '[');
  expect_refused(deep->str, 0, "nested too deeply");
  g_string_free(deep, TRUE);
}

/* ---------------------------------------------------------- checkpoints */

static void random_batch(lm_tensor **x, lm_tensor **y, int b)
{
  *x = lm_randn(LM_SHAPE(b, 1, 28, 28));
  int64_t lab[16];
  for (int i = 0; i < b; i++)
    lab[i] = i % 10;
  *y = lm_tensor_from_int64(lab, 1, (int64_t[]){ b });
}

static void train_steps(lm_module *m, lm_optimizer *opt, int steps)
{
  for (int s = 0; s < steps; s++) {
    lm_scope_begin();
    lm_tensor *x, *y;
    random_batch(&x, &y, 16);
    lm_optimizer_zero_grad(opt);
    lm_backward(lm_cross_entropy(lm_module_forward(m, x), y), NULL, false);
    lm_optimizer_step(opt);
    lm_scope_end();
  }
}

static void assert_params_equal(lm_module *a, lm_module *b, bool equal)
{
  lm_named_tensor *pa, *pb;
  size_t na = lm_module_named_parameters(a, &pa), nb = lm_module_named_parameters(b, &pb);
  g_assert_cmpuint(na, ==, nb);
  bool all = true;
  for (size_t i = 0; i < na; i++) {
    g_assert_cmpstr(pa[i].name, ==, pb[i].name);
    all = all && memcmp(lm_data_f32(pa[i].tensor), lm_data_f32(pb[i].tensor),
                        (size_t)lm_numel(pa[i].tensor) * 4) == 0;
  }
  g_assert_true(all == equal);
  free(pa);
  free(pb);
}

/* One more step on the saved run and on the one resumed from its checkpoint,
 * with the same dropout draws, ends at the same parameters. */
static void assert_same_next_step(lm_module *m, lm_optimizer *opt, lm_module *m2,
                                  lm_optimizer *opt2)
{
  lm_manual_seed(5);
  train_steps(m, opt, 1);
  lm_manual_seed(5);
  train_steps(m2, opt2, 1);
  assert_params_equal(m, m2, true);
}

static void test_checkpoint_adam(void)
{
  char *path = g_build_filename(tmpdir, "ck.safetensors", NULL);
  lm_manual_seed(1);
  lm_module *m = lm_model_mlp();
  lm_optimizer *opt = lm_optim_adam(m, NULL);
  train_steps(m, opt, 3);
  lm_checkpoint_info info = { .model = "mlp", .seed = 1,
                              .state = { .epoch = 2, .batch = 5, .step = 3, .loss_sum = 1.25, .correct = 7, .seen = 9 } };
  char *err = NULL;
  g_assert_true(lm_checkpoint_save(path, m, opt, &info, &err));

  /* the file holds what lumen-train.h promises, under PyTorch's names */
  lm_safetensors *st = lm_safetensors_read(path, NULL);
  g_assert_nonnull(st);
  const char *names[] = { "1.weight", "1.bias", "3.weight", "3.bias", "optimizer.1.weight.exp_avg",
                          "optimizer.1.weight.exp_avg_sq", "optimizer.3.bias.step" };
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    g_assert_nonnull(lm_safetensors_find(st, names[i]));
  const lm_st_tensor *t = lm_safetensors_find(st, "1.weight");
  g_assert_cmpint(t->shape[0], ==, 128);
  g_assert_cmpint(t->shape[1], ==, 784);
  t = lm_safetensors_find(st, "optimizer.3.bias.step");
  g_assert_cmpint(t->dtype, ==, LM_ST_I64);
  g_assert_cmpint(t->ndim, ==, 0);
  g_assert_cmpint(*(const int64_t *)t->data, ==, 3);
  g_assert_cmpstr(lm_safetensors_metadata(st, "format"), ==, "lumen-checkpoint");
  g_assert_cmpstr(lm_safetensors_metadata(st, "model"), ==, "mlp");
  g_assert_cmpstr(lm_safetensors_metadata(st, "optimizer"), ==, "Adam");
  /* its hyperparameters, under torch.optim's param_group names */
  g_assert_cmpstr(lm_safetensors_metadata(st, "betas"), ==, "[0.9, 0.999]");
  g_assert_cmpstr(lm_safetensors_metadata(st, "eps"), ==, "1e-08");
  g_assert_cmpstr(lm_safetensors_metadata(st, "amsgrad"), ==, "false");
  g_assert_cmpstr(lm_safetensors_metadata(st, "weight_decay"), ==, "0");
  g_assert_cmpstr(lm_safetensors_metadata(st, "epoch"), ==, "2");
  g_assert_cmpstr(lm_safetensors_metadata(st, "step"), ==, "3");
  g_assert_nonnull(lm_safetensors_metadata(st, "rng_counter"));
  lm_safetensors_free(st);

  /* the generator position is part of the checkpoint */
  lm_tensor *after_save = lm_randn(LM_SHAPE(4));
  float expect_draw[4];
  memcpy(expect_draw, lm_data_f32(after_save), sizeof expect_draw);
  lm_tensor_release(after_save);

  lm_manual_seed(99); /* a different initialisation */
  lm_module *m2 = lm_model_mlp();
  lm_optimizer *opt2 = lm_optim_adam(m2, NULL);
  assert_params_equal(m, m2, false);
  lm_checkpoint_info got;
  g_assert_true(lm_checkpoint_load(path, "mlp", m2, opt2, &got, &err));
  g_assert_null(err);
  assert_params_equal(m, m2, true);
  g_assert_cmpint(got.state.epoch, ==, 2);
  g_assert_cmpint(got.state.batch, ==, 5);
  g_assert_cmpint(got.state.step, ==, 3);
  g_assert_cmpint(got.state.correct, ==, 7);
  g_assert_cmpint(got.state.seen, ==, 9);
  g_assert_cmpfloat(got.state.loss_sum, ==, 1.25);
  g_assert_cmpuint(got.seed, ==, 1);
  lm_tensor *draw = lm_randn(LM_SHAPE(4));
  g_assert_cmpmem(lm_data_f32(draw), sizeof expect_draw, expect_draw, sizeof expect_draw);
  lm_tensor_release(draw);
  g_assert_cmpint(lm_optimizer_state_step(opt2, 0), ==, 3);

  /* the next step is the same on both: moments and step count restored */
  assert_same_next_step(m, opt, m2, opt2);

  lm_optimizer_free(opt2);
  lm_module_free(m2);
  lm_optimizer_free(opt);
  lm_module_free(m);
  g_free(path);
}

static void test_checkpoint_sgd(void)
{
  char *path = g_build_filename(tmpdir, "sgd.safetensors", NULL);
  lm_manual_seed(3);
  lm_module *m = lm_model_mlp();
  lm_optimizer *opt = lm_optim_sgd(m, 0.1, &(lm_sgd_options){ .momentum = 0.9 });
  train_steps(m, opt, 2);
  g_assert_true(lm_checkpoint_save(path, m, opt, &(lm_checkpoint_info){ .model = "mlp" }, NULL));
  lm_safetensors *st = lm_safetensors_read(path, NULL);
  g_assert_nonnull(lm_safetensors_find(st, "optimizer.1.weight.momentum_buffer"));
  g_assert_null(lm_safetensors_find(st, "optimizer.1.weight.exp_avg"));
  lm_safetensors_free(st);
  lm_manual_seed(4);
  lm_module *m2 = lm_model_mlp();
  lm_optimizer *opt2 = lm_optim_sgd(m2, 0.1, &(lm_sgd_options){ .momentum = 0.9 });
  g_assert_true(lm_checkpoint_load(path, NULL, m2, opt2, NULL, NULL));
  assert_same_next_step(m, opt, m2, opt2); /* momentum buffers restored */

  /* Adam state cannot go into SGD, nor SGD state into Adam */
  lm_optimizer *adam = lm_optim_adam(m2, NULL);
  char *err = NULL;
  lm_module *m3 = lm_model_mlp();
  lm_optimizer *adam3 = lm_optim_adam(m3, NULL);
  g_assert_false(lm_checkpoint_load(path, NULL, m3, adam3, NULL, &err));
  g_assert_nonnull(strstr(err, "checkpoint holds SGD optimizer state, this run uses Adam"));
  g_free(err);
  lm_optimizer_free(adam3);
  lm_module_free(m3);
  lm_optimizer_free(adam);
  lm_optimizer_free(opt2);
  lm_module_free(m2);
  lm_optimizer_free(opt);
  lm_module_free(m);
  g_free(path);
}

static void test_checkpoint_adadelta(void)
{
  char *path = g_build_filename(tmpdir, "adadelta.safetensors", NULL);
  lm_manual_seed(3);
  lm_module *m = lm_model_mlp();
  lm_optimizer *opt = lm_optim_adadelta(m, NULL);
  train_steps(m, opt, 2);
  g_assert_true(lm_checkpoint_save(path, m, opt, &(lm_checkpoint_info){ .model = "mlp" }, NULL));
  lm_safetensors *st = lm_safetensors_read(path, NULL);
  g_assert_cmpstr(lm_safetensors_metadata(st, "optimizer"), ==, "Adadelta");
  g_assert_cmpstr(lm_safetensors_metadata(st, "rho"), ==, "0.9");
  g_assert_cmpstr(lm_safetensors_metadata(st, "eps"), ==, "1e-06");
  g_assert_nonnull(lm_safetensors_find(st, "optimizer.1.weight.square_avg"));
  g_assert_nonnull(lm_safetensors_find(st, "optimizer.3.bias.acc_delta"));
  lm_safetensors_free(st);
  lm_manual_seed(4);
  lm_module *m2 = lm_model_mlp();
  lm_optimizer *opt2 = lm_optim_adadelta(m2, NULL);
  g_assert_true(lm_checkpoint_load(path, NULL, m2, opt2, NULL, NULL));
  assert_same_next_step(m, opt, m2, opt2); /* square_avg and acc_delta restored */
  lm_optimizer_free(opt2);
  lm_module_free(m2);
  lm_optimizer_free(opt);
  lm_module_free(m);
  g_free(path);
}

static void test_checkpoint_mismatch(void)
{
  char *path = g_build_filename(tmpdir, "mlp.safetensors", NULL);
  lm_manual_seed(1);
  lm_module *m = lm_model_mlp();
  g_assert_true(lm_checkpoint_save(path, m, NULL, &(lm_checkpoint_info){ .model = "mlp" }, NULL));

  /* a model of another kind: refused by the metadata */
  lm_module *cnn = lm_model_cnn();
  char *err = NULL;
  g_assert_false(lm_checkpoint_load(path, "cnn", cnn, NULL, NULL, &err));
  g_assert_nonnull(strstr(err, "checkpoint is for model 'mlp', not 'cnn'"));
  g_free(err);
  err = NULL;
  /* without the kind check, by the parameters themselves */
  g_assert_false(lm_checkpoint_load(path, NULL, cnn, NULL, NULL, &err));
  g_assert_nonnull(strstr(err, "no tensor '0.weight'"));
  g_free(err);
  err = NULL;

  /* wrong shapes: the message names the tensor and both shapes, and the
   * model is left untouched */
  lm_manual_seed(2);
  lm_module *wide = lm_model_mlp_ex(784, 256, 10);
  lm_named_tensor *p;
  lm_module_named_parameters(wide, &p);
  float before = lm_data_f32(p[0].tensor)[0];
  g_assert_false(lm_checkpoint_load(path, NULL, wide, NULL, NULL, &err));
  g_assert_nonnull(strstr(err, "size mismatch for 1.weight: the checkpoint has shape (128, 784), the model has (256, 784)"));
  g_assert_cmpfloat(lm_data_f32(p[0].tensor)[0], ==, before);
  g_free(err);
  err = NULL;
  free(p);

  /* an optimizer asked for, none saved */
  lm_module *m2 = lm_model_mlp();
  lm_optimizer *opt2 = lm_optim_adam(m2, NULL);
  g_assert_false(lm_checkpoint_load(path, "mlp", m2, opt2, NULL, &err));
  g_assert_nonnull(strstr(err, "no optimizer state"));
  g_free(err);
  err = NULL;

  /* an extra tensor is refused (strict, like load_state_dict) */
  lm_st_writer *w = lm_st_writer_new();
  lm_named_tensor *pm;
  size_t n = lm_module_named_parameters(m, &pm);
  for (size_t i = 0; i < n; i++)
    lm_st_writer_add_tensor(w, pm[i].name, pm[i].tensor, NULL);
  float one = 1;
  lm_st_writer_add(w, "5.weight", LM_ST_F32, 1, (int64_t[]){ 1 }, &one, NULL);
  char *extra = g_build_filename(tmpdir, "extra.safetensors", NULL);
  g_assert_true(lm_st_writer_save(w, extra, NULL));
  g_assert_false(lm_checkpoint_load(extra, NULL, m2, NULL, NULL, &err));
  g_assert_nonnull(strstr(err, "unexpected tensor '5.weight'"));
  g_free(err);
  err = NULL;
  lm_st_writer_free(w);
  free(pm);

  /* a corrupt file: truncated by one byte */
  gchar *raw;
  gsize len;
  g_assert_true(g_file_get_contents(path, &raw, &len, NULL));
  char *cut = g_build_filename(tmpdir, "cut.safetensors", NULL);
  g_assert_true(g_file_set_contents(cut, raw, (gssize)len - 1, NULL));
  g_assert_false(lm_checkpoint_load(cut, NULL, m2, NULL, NULL, &err));
  g_assert_nonnull(strstr(err, "cut.safetensors"));
  g_assert_nonnull(strstr(err, "truncated"));
  g_free(err);
  err = NULL;
  /* not a safetensors file at all */
  g_assert_true(g_file_set_contents(cut, "PK\003\004 a zip file, as torch.save writes", -1, NULL));
  g_assert_false(lm_checkpoint_load(cut, NULL, m2, NULL, NULL, &err));
  g_assert_nonnull(strstr(err, "not a safetensors file"));
  g_free(err);
  g_free(raw);
  g_free(cut);
  g_free(extra);

  lm_optimizer_free(opt2);
  lm_module_free(m2);
  lm_module_free(wide);
  lm_module_free(cnn);
  lm_module_free(m);
  g_free(path);
}

static bool have_torch(void)
{
  if (!g_file_test("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE) ||
      system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0) {
    g_test_skip("/usr/bin/python3 with torch is not available");
    return false;
  }
  return true;
}

/* Runs load_checkpoint.py with the arguments; returns its JSON line. */
static char *run_script(char *a1, char *a2, char *a3)
{
  char *argv[] = { "/usr/bin/python3", (char *)LM_TEST_PYTHON_SCRIPT, a1, a2, a3, NULL };
  char *sout = NULL, *serr = NULL;
  int status = 0;
  GError *gerr = NULL;
  g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &sout, &serr, &status, &gerr));
  g_assert_no_error(gerr);
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("load_checkpoint.py failed: %s", serr);
  g_test_message("%s", sout);
  g_free(serr);
  return sout;
}

/* The model's logits on the script's input, x[i] = sin(0.01 i), eval mode. */
static void lumen_logits(lm_module *m, float out[20])
{
  float x[2 * 784];
  for (int i = 0; i < 2 * 784; i++)
    x[i] = (float)sin(0.01 * i);
  lm_module_eval(m);
  lm_tensor *in = lm_tensor_from_data(x, 4, (int64_t[]){ 2, 1, 28, 28 });
  bool prev = lm_set_grad_enabled(false);
  lm_tensor *o = lm_module_forward(m, in);
  lm_set_grad_enabled(prev);
  lm_tensor_copy_to_host(o, out);
  lm_tensor_release(o);
  lm_tensor_release(in);
}

static void assert_logits(const char *json, const float *ours)
{
  const char *l = strstr(json, "\"logits\": [");
  g_assert_nonnull(l);
  l += strlen("\"logits\": [");
  for (int i = 0; i < 20; i++) {
    char *end;
    double v = g_ascii_strtod(l, &end);
    g_assert_true(end != l);
    g_assert_cmpfloat_with_epsilon(v, ours[i], 1e-4 + 1e-4 * fabs(v));
    l = end + 1;
  }
}

/* Python's twin of the model, loaded from our file, gives our outputs. */
static void check_in_pytorch(const char *kind)
{
  if (!have_torch())
    return;
  char *path = g_strdup_printf("%s/%s-py.safetensors", tmpdir, kind);
  lm_manual_seed(11);
  lm_module *m = lm_model_by_name(kind, NULL);
  lm_optimizer *opt = lm_optim_adam(m, NULL);
  train_steps(m, opt, 2);
  g_assert_true(lm_checkpoint_save(path, m, opt, &(lm_checkpoint_info){ .model = kind, .state.step = 2 }, NULL));
  float ours[20];
  lumen_logits(m, ours);
  char *sout = run_script(path, (char *)kind, NULL);
  assert_logits(sout, ours);
  g_assert_nonnull(strstr(sout, "\"optimizer_state\": [\"exp_avg\", \"exp_avg_sq\", \"step\"]"));
  g_free(sout);

  /* and back: weights saved by PyTorch load into the Lumen model */
  char *exported = g_strdup_printf("%s/%s-from-torch.safetensors", tmpdir, kind);
  sout = run_script("--export", exported, (char *)kind);
  char *err = NULL;
  lm_safetensors *ck = lm_checkpoint_read(exported, kind, &err);
  g_assert_nonnull(ck);
  lm_module *m2 = lm_model_by_name(kind, NULL);
  g_assert_true(lm_checkpoint_load_model(ck, m2, &err));
  g_assert_null(err);
  lumen_logits(m2, ours);
  assert_logits(sout, ours);
  lm_safetensors_free(ck);
  lm_module_free(m2);
  g_free(sout);
  g_free(exported);
  lm_optimizer_free(opt);
  lm_module_free(m);
  g_free(path);
}

static void test_pytorch_mlp(void) { check_in_pytorch("mlp"); }
static void test_pytorch_cnn(void) { check_in_pytorch("cnn"); }
/* main.py's Net() takes the file with load_state_dict(strict=True) */
static void test_pytorch_net(void) { check_in_pytorch("net"); }
static void test_pytorch_keras_cnn(void) { check_in_pytorch("keras-cnn"); }

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp("lumen-test-st-XXXXXX", NULL);
  g_test_add_func("/train/safetensors/roundtrip", test_roundtrip);
  g_test_add_func("/train/safetensors/corrupt", test_corrupt);
  g_test_add_func("/train/checkpoint/adam", test_checkpoint_adam);
  g_test_add_func("/train/checkpoint/sgd", test_checkpoint_sgd);
  g_test_add_func("/train/checkpoint/adadelta", test_checkpoint_adadelta);
  g_test_add_func("/train/checkpoint/mismatch", test_checkpoint_mismatch);
  g_test_add_func("/train/checkpoint/pytorch-mlp", test_pytorch_mlp);
  g_test_add_func("/train/checkpoint/pytorch-cnn", test_pytorch_cnn);
  g_test_add_func("/train/checkpoint/pytorch-net", test_pytorch_net);
  g_test_add_func("/train/checkpoint/pytorch-keras-cnn", test_pytorch_keras_cnn);
  int rc = g_test_run();
  char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
  if (system(cmd) != 0)
    g_printerr("could not remove %s\n", tmpdir);
  g_free(cmd);
  g_free(tmpdir);
  return rc;
}
