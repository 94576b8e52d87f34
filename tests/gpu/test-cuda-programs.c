/* test-cuda-programs.c: the programs a user runs, on the GPU: `lumen-train
 * --device cuda` (MLP and CNN) and the two training examples, which pick
 * the GPU when there is one, as PyTorch's quickstart does.
 *
 * Each program runs for real on a small synthetic IDX data set in a
 * temporary folder: exit status, what it prints, the run file it writes
 * (device recorded as cuda, losses logged) and, for lumen-train, the test
 * loss of the GPU run against the same run on the CPU (same seed, so the
 * same initialisation, batches and dropout masks: only float rounding may
 * differ).
 *
 * Which programs: LUMEN_TEST_TRAIN_EXE, LUMEN_TEST_TRAIN_LOOP and
 * LUMEN_TEST_TRAIN_FIT (set by meson). Where: on the GPU when this build
 * sees one, or when LUMEN_TEST_GPU=emulated says the programs were built on
 * the CUDA emulator (tests/gpu/emu); otherwise lumen-train's GPU runs skip
 * and the examples are checked on the CPU.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lumen-engine.h"
#include "train-fixture.h"

static char *tmpdir, *data;

static bool have_gpu(void)
{
  const char *e = g_getenv("LUMEN_TEST_GPU");
  if (e && strcmp(e, "emulated") == 0)
    return true;
  return lm_cuda_is_available();
}

static const char *program(const char *var)
{
  const char *p = g_getenv(var);
  if (!p || !*p)
    g_error("%s is not set (meson sets it)", var);
  return p;
}

/* Runs argv (NULL-terminated) in `cwd`; returns the exit status, output in *out. */
static int run(const char *cwd, const char *const *argv, char **out)
{
  char *err = NULL;
  int status = 0;
  GError *gerr = NULL;
  if (!g_spawn_sync(cwd, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, &err, &status,
                    &gerr))
    g_error("cannot run %s: %s", argv[0], gerr->message);
  char *joined = g_strconcat(*out, err, NULL);
  g_free(*out);
  g_free(err);
  *out = joined;
  if (!g_spawn_check_wait_status(status, NULL))
    g_test_message("%s exited with status %d:\n%s", argv[0], status, *out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* "Test accuracy: 87.49% (loss 0.3494) after ..." -> loss and accuracy. */
static void parse_test_line(const char *out, double *acc, double *loss)
{
  const char *p = strstr(out, "Test accuracy: ");
  g_assert_nonnull(p);
  g_assert_cmpint(sscanf(p, "Test accuracy: %lf%% (loss %lf)", acc, loss), ==, 2);
}

/* extra: more options (NULL-terminated), or NULL */
static void lumen_train_on_gpu_ex(const char *model, const char *const *extra)
{
  if (!have_gpu()) {
    g_test_skip("no CUDA GPU: lumen-train --device cuda is checked on one (or on the emulator)");
    return;
  }
  const char *exe = program("LUMEN_TEST_TRAIN_EXE");
  char *logdir = g_build_filename(tmpdir, model, NULL);
  double acc[2], loss[2];
  const char *devices[2] = { "cpu", "cuda" };
  for (int d = 0; d < 2; d++) {
    /* 1 epoch: 3-4 MLP or 7-8 CNN steps (batch 64 / 32 over 230 examples
     * after the 10% validation split), histograms and sample images included */
    const char *base[] = { exe, "--model", model, "--data", data, "--epochs", "1",
                           "--device", devices[d], "--logdir", logdir, "--run", devices[d],
                           "--log-every", "1" };
    GPtrArray *argv = g_ptr_array_new();
    for (size_t i = 0; i < G_N_ELEMENTS(base); i++)
      g_ptr_array_add(argv, (gpointer)base[i]);
    for (size_t i = 0; extra && extra[i]; i++)
      g_ptr_array_add(argv, (gpointer)extra[i]);
    g_ptr_array_add(argv, NULL);
    char *out = NULL;
    g_assert_cmpint(run(tmpdir, (const char *const *)argv->pdata, &out), ==, 0);
    g_ptr_array_free(argv, TRUE);
    parse_test_line(out, &acc[d], &loss[d]);
    g_assert_true(isfinite(loss[d]));
    g_free(out);

    char *path = g_build_filename(logdir, devices[d], "run.lumen", NULL);
    sqlite3 *db = train_fixture_open_run(path);
    char *dev = train_fixture_text(db, "SELECT value FROM hparams WHERE name = 'device'");
    g_assert_cmpstr(dev, ==, devices[d]);
    g_free(dev);
    /* TF32 off unless asked for; recorded for GPU runs only */
    g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM hparams WHERE name = 'allow_tf32' "
                                          "AND value = 0"),
                    ==, d == 1 ? 1 : 0);
    char *status = train_fixture_text(db, "SELECT value FROM run WHERE key = 'status'");
    g_assert_cmpstr(status, ==, "finished");
    g_free(status);
    g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM scalars s JOIN tags t ON "
                                          "t.id = s.tag_id WHERE t.name = 'train/loss'"),
                    >=, 3);
    g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM histograms"), >, 0);
    g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM images"), >, 0);
    /* every logged loss is a number: no NaN from an unwritten GPU buffer */
    g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM scalars WHERE value IS NULL "
                                          "OR value != value"),
                    ==, 0);
    sqlite3_close(db);
    g_free(path);
  }
  g_test_message("%s: test loss cpu %.6f, cuda %.6f; accuracy cpu %.2f%%, cuda %.2f%%", model,
                 loss[0], loss[1], acc[0], acc[1]);
  /* Same seed, same batches and dropout masks: the losses agree to float
   * rounding, accumulated over a few steps. */
  g_assert_cmpfloat(fabs(loss[1] - loss[0]), <=, 1e-3 * fmax(1.0, fabs(loss[0])));
  g_assert_cmpfloat(fabs(acc[1] - acc[0]), <=, 100.0 / 64 + 1e-9); /* one test image */
  g_free(logdir);
}

static void lumen_train_on_gpu(const char *model)
{
  lumen_train_on_gpu_ex(model, NULL);
}

static void test_lumen_train_mlp(void)
{
  lumen_train_on_gpu("mlp");
  if (!have_gpu())
    return;
  /* --allow-tf32 (torch.backends.cuda.matmul.allow_tf32) is recorded */
  char *logdir = g_build_filename(tmpdir, "tf32", NULL);
  const char *argv[] = { program("LUMEN_TEST_TRAIN_EXE"), "--data", data, "--epochs", "1",
                         "--limit-train", "64", "--device", "cuda:0", "--allow-tf32",
                         "--logdir", logdir, "--run", "tf32", NULL };
  char *out = NULL;
  g_assert_cmpint(run(tmpdir, argv, &out), ==, 0);
  g_free(out);
  char *path = g_build_filename(logdir, "tf32", "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(path);
  g_assert_cmpint(train_fixture_int(db, "SELECT value FROM hparams WHERE name = 'allow_tf32'"), ==,
                  1);
  sqlite3_close(db);
  g_free(path);

  /* torch.device's cuda:N: one past the GPUs there are is refused before
   * any work, naming them (cuda:0 above trained) */
  const char *past[] = { program("LUMEN_TEST_TRAIN_EXE"), "--data", data, "--device", "cuda:64",
                         "--logdir", logdir, "--run", "no-such-gpu", NULL };
  g_assert_cmpint(run(tmpdir, past, &out), ==, 1);
  g_test_message("%s", out);
  g_assert_nonnull(strstr(out, "lumen-train: --device cuda:64: no such GPU; this machine has "));
  g_assert_nonnull(strstr(out, "cuda:0"));
  g_free(out);
  g_free(logdir);
}

static void test_lumen_train_cnn(void)
{
  lumen_train_on_gpu("cnn");
}

/* main.py's Net (log_softmax, nll_loss; 3 steps of 32 of the first 96
 * examples, its heavier conv2 kept short) and the Keras convnet (softmax,
 * Keras' cross-entropy, its PR curves from the probabilities; 4 steps of 64
 * over 230) */
static void test_lumen_train_examples(void)
{
  lumen_train_on_gpu_ex("net", (const char *const[]){ "--batch-size", "32", "--limit-train", "96", NULL });
  lumen_train_on_gpu_ex("keras-cnn", (const char *const[]){ "--batch-size", "64", NULL });
}

/* epoch/train_loss of run `name` under logdir. */
static double epoch_train_loss(const char *logdir, const char *name)
{
  char *path = g_build_filename(logdir, name, "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(path);
  double v = train_fixture_double(db, "SELECT s.value FROM scalars s JOIN tags t ON "
                                      "t.id = s.tag_id WHERE t.name = 'epoch/train_loss'");
  sqlite3_close(db);
  g_free(path);
  return v;
}

/* On a GPU the losses are read back every --log-every steps; a run stopped
 * between two reads (--stop-after-steps, as Ctrl-C) still saves every
 * step's loss in its checkpoint, so the resumed run's epoch loss is the
 * uninterrupted one's. */
static void test_lumen_train_resume(void)
{
  if (!have_gpu()) {
    g_test_skip("no CUDA GPU: lumen-train --device cuda is checked on one (or on the emulator)");
    return;
  }
  const char *exe = program("LUMEN_TEST_TRAIN_EXE");
  char *logdir = g_build_filename(tmpdir, "resume", NULL);
  char *out = NULL;
  /* 4 steps; reads at steps 3 and 4 */
  const char *full[] = { exe, "--data", data, "--epochs", "1", "--device", "cuda",
                         "--logdir", logdir, "--run", "full", "--log-every", "3", NULL };
  g_assert_cmpint(run(tmpdir, full, &out), ==, 0);
  g_free(out);
  const char *cut[] = { exe, "--data", data, "--epochs", "1", "--device", "cuda",
                        "--logdir", logdir, "--run", "cut", "--log-every", "3",
                        "--stop-after-steps", "2", NULL };
  g_assert_cmpint(run(tmpdir, cut, &out), ==, 0);
  const char *p = strstr(out, "--resume ");
  g_assert_nonnull(p);
  char *ckpt = g_strstrip(g_strdup(p + strlen("--resume ")));
  g_free(out);
  const char *resume[] = { exe, "--resume", ckpt, "--logdir", logdir, NULL };
  g_assert_cmpint(run(tmpdir, resume, &out), ==, 0);
  g_free(out);
  const double a = epoch_train_loss(logdir, "full"), b = epoch_train_loss(logdir, "cut");
  g_test_message("epoch train loss: %.8f uninterrupted, %.8f stopped at step 2 and resumed", a, b);
  g_assert_true(isfinite(a));
  g_assert_cmpfloat(fabs(a - b), <=, 1e-6 * fabs(a));
  g_free(ckpt);
  g_free(logdir);
}

/* train-loop (MLP, explicit loop) and train-fit (CNN, fit/evaluate/predict,
 * checkpoint) in a folder of their own, one epoch each. */
static void test_examples(void)
{
  const char *expect = have_gpu() ? "cuda:0" : "cpu";
  char *cwd = g_build_filename(tmpdir, "examples", NULL);
  g_assert_cmpint(g_mkdir_with_parents(cwd, 0755), ==, 0);

  const char *loop[] = { program("LUMEN_TEST_TRAIN_LOOP"), data, "1", NULL };
  char *out = NULL;
  g_assert_cmpint(run(cwd, loop, &out), ==, 0);
  char *using = g_strdup_printf("Using %s device", expect);
  g_assert_nonnull(strstr(out, using));
  g_free(using);
  double acc = -1;
  const char *p = strstr(out, "epoch 1: test accuracy ");
  g_assert_nonnull(p);
  g_assert_cmpint(sscanf(p, "epoch 1: test accuracy %lf%%", &acc), ==, 1);
  g_assert_cmpfloat(acc, >=, 0);
  g_assert_cmpfloat(acc, <=, 100);
  g_free(out);
  char *path = g_build_filename(cwd, "runs", "train-loop", "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(path);
  double logged = train_fixture_double(db, "SELECT s.value FROM scalars s JOIN tags t ON "
                                           "t.id = s.tag_id WHERE t.name = 'test/accuracy'");
  g_assert_cmpfloat(fabs(100 * logged - acc), <, 0.01);
  sqlite3_close(db);
  g_free(path);

  const char *fit[] = { program("LUMEN_TEST_TRAIN_FIT"), data, "1", NULL };
  g_assert_cmpint(run(cwd, fit, &out), ==, 0);
  g_assert_nonnull(strstr(out, "test accuracy"));
  g_assert_nonnull(strstr(out, "image 7: predicted"));
  g_assert_nonnull(strstr(out, "saved cnn.safetensors"));
  g_free(out);
  char *ckpt = g_build_filename(cwd, "cnn.safetensors", NULL);
  g_assert_true(g_file_test(ckpt, G_FILE_TEST_IS_REGULAR));
  g_free(ckpt);
  path = g_build_filename(cwd, "runs", "train-fit", "run.lumen", NULL);
  db = train_fixture_open_run(path);
  double val = train_fixture_double(db, "SELECT s.value FROM scalars s JOIN tags t ON "
                                        "t.id = s.tag_id WHERE t.name = 'val/accuracy'");
  g_assert_cmpfloat(val, >=, 0);
  g_assert_cmpfloat(val, <=, 1);
  sqlite3_close(db);
  g_free(path);
  g_free(cwd);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp("lumen-gpu-programs-XXXXXX", NULL);
  g_assert_nonnull(tmpdir);
  /* 256 training examples (230 after the validation split), 64 test */
  data = train_fixture_make_data(tmpdir, 256, 64);
  g_test_add_func("/cuda/programs/lumen-train-mlp", test_lumen_train_mlp);
  g_test_add_func("/cuda/programs/lumen-train-cnn", test_lumen_train_cnn);
  g_test_add_func("/cuda/programs/lumen-train-examples", test_lumen_train_examples);
  g_test_add_func("/cuda/programs/lumen-train-resume", test_lumen_train_resume);
  g_test_add_func("/cuda/programs/examples", test_examples);
  int r = g_test_run();
  train_fixture_rmdir(tmpdir);
  g_free(tmpdir);
  g_free(data);
  return r;
}
