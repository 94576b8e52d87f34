/* test-resume.c: --resume continues a run with the same results as an
 * uninterrupted one.
 *
 * For the MLP with Adam and the CNN (dropout: the generator's position
 * matters) with SGD + momentum, a run is stopped in the middle of an epoch
 * (the code path of Ctrl-C) and resumed from its checkpoint; the final
 * parameters and optimizer state must be bit for bit those of a run that
 * was never interrupted, and so must the test accuracy. Resuming from an
 * epoch checkpoint, and refusals (conflicting options, another model, a
 * corrupt file), are checked too.
 *
 * The engine's multi-threaded conv2d backward adds per-thread partial sums
 * whose split depends on scheduling, so two CNN runs with several threads
 * differ in the last bits (as PyTorch's non-deterministic algorithms do).
 * This program runs the engine on one thread (LM_NUM_THREADS=1) to check
 * the resume logic bit for bit; test-cli checks a multi-threaded resume of
 * the CNN to a tolerance.
 */
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lm-train-app.h"
#include "lumen-log.h"
#include "lumen-train.h"
#include "train-fixture.h"

static char *tmpdir, *data;

static void base_cli(lm_train_cli *cli, const char *model, const char *run)
{
  lm_train_cli_defaults(cli);
  cli->model = model;
  cli->set_model = true;
  cli->data_dir = data;
  cli->epochs = 2;
  cli->set_epochs = true;
  cli->no_progress = true;
  cli->log_every = 5;
  cli->logdir = tmpdir;
  cli->run = run;
}

static int run(lm_train_cli *cli, lm_train_result *res, char **errout)
{
  FILE *out = tmpfile(), *err = tmpfile();
  int rc = lm_train_app_run(cli, out, err, res);
  fclose(out);
  if (errout) {
    rewind(err);
    char buf[4096] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, err);
    buf[n] = '\0';
    *errout = g_strdup(buf);
  }
  fclose(err);
  return rc;
}

/* Every tensor of the two checkpoints is byte for byte the same. */
static void assert_same_tensors(const char *a, const char *b)
{
  lm_safetensors *x = lm_safetensors_read(a, NULL), *y = lm_safetensors_read(b, NULL);
  g_assert_nonnull(x);
  g_assert_nonnull(y);
  g_assert_cmpuint(lm_safetensors_count(x), ==, lm_safetensors_count(y));
  for (size_t i = 0; i < lm_safetensors_count(x); i++) {
    const lm_st_tensor *t = lm_safetensors_tensor(x, i);
    const lm_st_tensor *u = lm_safetensors_find(y, t->name);
    g_assert_nonnull(u);
    if (t->nbytes != u->nbytes || memcmp(t->data, u->data, t->nbytes) != 0)
      g_error("tensor %s differs between %s and %s", t->name, a, b);
  }
  g_assert_cmpstr(lm_safetensors_metadata(x, "step"), ==, lm_safetensors_metadata(y, "step"));
  g_assert_cmpstr(lm_safetensors_metadata(x, "rng_counter"), ==, lm_safetensors_metadata(y, "rng_counter"));
  g_assert_cmpstr(lm_safetensors_metadata(x, "lr_scheduler_state"), ==,
                  lm_safetensors_metadata(y, "lr_scheduler_state"));
  lm_safetensors_free(x);
  lm_safetensors_free(y);
}

/* ReduceLROnPlateau with patience 0 and factor 0.5: the lr halves after
 * any epoch whose val loss is no better than the best so far, which on this
 * small set happens after the stop, so the resumed run must know the best
 * val loss of the epochs before it (its state_dict in the checkpoint). */
static void set_schedule(lm_train_cli *cli, const char *sched)
{
  cli->lr_scheduler = sched;
  if (strcmp(sched, "plateau") == 0) {
    cli->lr_step = 0;
    cli->set_lr_step = true;
    cli->lr_gamma = 0.5;
    cli->set_lr_gamma = true;
    cli->lr = 0.02;
    cli->set_lr = true;
    cli->epochs = 4;
  }
}

static void check_resume(const char *model, const char *optimizer, const char *sched,
                         int64_t stop_after)
{
  char *full_name = g_strdup_printf("%s-%s-%s-full", model, optimizer, sched);
  char *cut_name = g_strdup_printf("%s-%s-%s-cut", model, optimizer, sched);
  lm_train_cli cli;
  lm_train_result full, cut, resumed;

  base_cli(&cli, model, full_name);
  cli.optimizer = optimizer;
  set_schedule(&cli, sched);
  g_assert_cmpint(run(&cli, &full, NULL), ==, 0);
  g_assert_cmpint(full.status, ==, LM_RUN_FINISHED);

  base_cli(&cli, model, cut_name);
  cli.optimizer = optimizer;
  set_schedule(&cli, sched);
  cli.stop_after_steps_set = true;
  cli.stop_after_steps = stop_after;
  g_assert_cmpint(run(&cli, &cut, NULL), ==, 0);
  g_assert_cmpint(cut.status, ==, LM_RUN_STOPPED);
  g_assert_cmpint(cut.steps_done, ==, stop_after);
  g_assert_true(g_str_has_suffix(cut.checkpoint, ".safetensors"));
  g_assert_nonnull(strstr(cut.checkpoint, "checkpoint-step-"));

  /* resume with no other options: model, optimizer, seed... come from the checkpoint */
  lm_train_cli_defaults(&cli);
  cli.data_dir = data;
  cli.no_progress = true;
  cli.logdir = tmpdir;
  cli.resume = cut.checkpoint;
  g_assert_cmpint(run(&cli, &resumed, NULL), ==, 0);
  g_assert_cmpint(resumed.status, ==, LM_RUN_FINISHED);
  g_assert_cmpint(resumed.steps_done, ==, full.steps_done);
  g_assert_cmpstr(resumed.run_dir, ==, cut.run_dir); /* it continues the same run */
  g_test_message("%s: test accuracy %.6f uninterrupted, %.6f resumed", model, full.test_accuracy,
                 resumed.test_accuracy);
  g_assert_cmpfloat(resumed.test_accuracy, ==, full.test_accuracy);
  g_assert_cmpfloat(resumed.test_loss, ==, full.test_loss);
  g_assert_cmpfloat(resumed.train_loss, ==, full.train_loss);
  assert_same_tensors(full.checkpoint, resumed.checkpoint);

  /* the continued run file: one status, finished; the loss series goes on
   * past the stop without repeating steps */
  char *path = g_build_filename(cut.run_dir, "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(path);
  char *status = train_fixture_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(status, ==, "finished");
  g_free(status);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) - count(DISTINCT step) FROM scalars s JOIN tags t "
                                        "ON t.id = s.tag_id WHERE t.name = 'train/loss'"), ==, 0);
  g_assert_cmpint(train_fixture_int(db, "SELECT max(step) FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                        "WHERE t.name = 'test/accuracy'"), ==, full.steps_done);
  sqlite3_close(db);
  g_free(path);
  g_free(full_name);
  g_free(cut_name);
}

static void test_mlp_adam(void) { check_resume("mlp", "adam", "step", 13); }
static void test_cnn_sgd(void) { check_resume("cnn", "sgd", "step", 4); }
/* PyTorch's MNIST example: Adadelta (lr 1.0) with StepLR(step_size=1,
 * gamma=0.7), stopped in the second epoch, after the lr has stepped once;
 * and a cosine schedule, replayed on resume like the others */
static void test_mlp_adadelta(void) { check_resume("mlp", "adadelta", "step", 13); }
static void test_mlp_cosine(void) { check_resume("mlp", "sgd", "cosine", 12); }
static void test_mlp_plateau(void) { check_resume("mlp", "adam", "plateau", 13); }

static void test_epoch_checkpoint(void)
{
  lm_train_cli cli;
  lm_train_result full, resumed;
  base_cli(&cli, "mlp", "epochs-full");
  cli.optimizer = "adamw";
  g_assert_cmpint(run(&cli, &full, NULL), ==, 0);
  char *ck1 = g_build_filename(full.run_dir, "checkpoint-epoch-001.safetensors", NULL);
  lm_train_cli_defaults(&cli);
  cli.data_dir = data;
  cli.no_progress = true;
  cli.logdir = tmpdir;
  cli.run = "epochs-resumed";
  cli.resume = ck1;
  g_assert_cmpint(run(&cli, &resumed, NULL), ==, 0);
  g_assert_cmpfloat(resumed.test_accuracy, ==, full.test_accuracy);
  assert_same_tensors(full.checkpoint, resumed.checkpoint);
  /* training longer than first planned: --epochs may change on resume */
  cli.resume = full.checkpoint;
  cli.epochs = 3;
  cli.set_epochs = true;
  cli.run = "epochs-longer";
  g_assert_cmpint(run(&cli, &resumed, NULL), ==, 0);
  g_assert_cmpint(resumed.epochs_done, ==, 3);
  g_assert_cmpint(resumed.steps_done, ==, full.steps_done * 3 / 2);
  g_free(ck1);
}

static void test_refusals(void)
{
  lm_train_cli cli;
  lm_train_result res;
  base_cli(&cli, "mlp", "refuse");
  cli.epochs = 1;
  g_assert_cmpint(run(&cli, &res, NULL), ==, 0);
  char *ck = g_strdup(res.checkpoint);
  char *err = NULL;

  lm_train_cli_defaults(&cli);
  cli.data_dir = data;
  cli.no_progress = true;
  cli.logdir = tmpdir;
  cli.resume = ck;
  cli.batch_size = 32;
  cli.set_batch_size = true;
  g_assert_cmpint(run(&cli, &res, &err), ==, 1);
  g_test_message("%s", err);
  g_assert_nonnull(strstr(err, "the checkpoint was trained with --batch-size 64, not 32"));
  g_free(err);

  cli.set_batch_size = false;
  cli.model = "cnn";
  cli.set_model = true;
  g_assert_cmpint(run(&cli, &res, &err), ==, 1);
  g_assert_nonnull(strstr(err, "checkpoint is for model 'mlp', not 'cnn'"));
  g_free(err);

  cli.set_model = false;
  cli.optimizer = "sgd";
  cli.set_optimizer = true;
  g_assert_cmpint(run(&cli, &res, &err), ==, 1);
  g_assert_nonnull(strstr(err, "--optimizer adam, not sgd"));
  g_free(err);

  /* a damaged checkpoint */
  gchar *raw;
  gsize len;
  g_assert_true(g_file_get_contents(ck, &raw, &len, NULL));
  char *bad = g_build_filename(tmpdir, "damaged.safetensors", NULL);
  raw[9] = '#'; /* the header's first key loses its opening quote */
  g_assert_true(g_file_set_contents(bad, raw, (gssize)len, NULL));
  lm_train_cli_defaults(&cli);
  cli.data_dir = data;
  cli.no_progress = true;
  cli.logdir = tmpdir;
  cli.resume = bad;
  g_assert_cmpint(run(&cli, &res, &err), ==, 1);
  g_test_message("%s", err);
  g_assert_nonnull(strstr(err, "damaged.safetensors"));
  g_assert_nonnull(strstr(err, "invalid JSON"));
  g_free(err);
  cli.resume = "/nonexistent/ck.safetensors";
  g_assert_cmpint(run(&cli, &res, &err), ==, 1);
  g_assert_nonnull(strstr(err, "/nonexistent/ck.safetensors: cannot open"));
  g_free(err);
  g_free(raw);
  g_free(bad);
  g_free(ck);
}

int main(int argc, char **argv)
{
  g_setenv("LM_NUM_THREADS", "1", TRUE); /* before the engine's first parallel region */
  g_test_init(&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp("lumen-test-resume-XXXXXX", NULL);
  data = train_fixture_make_data(tmpdir, 600, 100); /* 540 train: 9 steps per epoch */
  g_test_add_func("/train/resume/mlp-adam", test_mlp_adam);
  g_test_add_func("/train/resume/cnn-sgd", test_cnn_sgd);
  g_test_add_func("/train/resume/mlp-adadelta", test_mlp_adadelta);
  g_test_add_func("/train/resume/mlp-cosine", test_mlp_cosine);
  g_test_add_func("/train/resume/mlp-plateau", test_mlp_plateau);
  g_test_add_func("/train/resume/epoch-checkpoint", test_epoch_checkpoint);
  g_test_add_func("/train/resume/refusals", test_refusals);
  int rc = g_test_run();
  train_fixture_rmdir(tmpdir);
  g_free(data);
  g_free(tmpdir);
  return rc;
}
