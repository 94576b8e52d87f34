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

/* Resumes from checkpoint into run_name with nothing else given, as
 * `lumen-train --resume CHECKPOINT` does. */
static int resume_from(const char *checkpoint, const char *run_name, lm_train_result *res, char **errout)
{
  lm_train_cli cli;
  lm_train_cli_defaults(&cli);
  cli.data_dir = data;
  cli.no_progress = true;
  cli.logdir = tmpdir;
  cli.run = run_name;
  cli.resume = checkpoint;
  return run(&cli, res, errout);
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

/* The train/loss and train/accuracy series of a run file after step
 * after, one "tag step value" line per point in step order (%.17g: bit for
 * bit). */
static char *train_series(const char *run_dir, int64_t after)
{
  char *path = g_build_filename(run_dir, "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(path);
  sqlite3_stmt *q;
  g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT t.name, s.step, s.value FROM scalars s JOIN tags t "
                                         "ON t.id = s.tag_id WHERE t.name IN ('train/loss', "
                                         "'train/accuracy') AND s.step > ?1 ORDER BY t.name, s.step, s.id",
                                     -1, &q, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64(q, 1, after);
  GString *out = g_string_new(NULL);
  while (sqlite3_step(q) == SQLITE_ROW)
    g_string_append_printf(out, "%s %lld %.17g\n", (const char *)sqlite3_column_text(q, 0),
                           (long long)sqlite3_column_int64(q, 1), sqlite3_column_double(q, 2));
  sqlite3_finalize(q);
  sqlite3_close(db);
  g_free(path);
  return g_string_free(out, FALSE);
}

/* A resumed run logs the same train/loss and train/accuracy points as an
 * uninterrupted one: the first --log-every step after the stop is the mean
 * over the steps since the last logged one, including those before the
 * stop (the checkpoint's log_window); it was the mean of the steps after
 * the resume only. */
static void assert_same_train_series(const char *full_dir, const char *resumed_dir, int64_t after)
{
  char *a = train_series(full_dir, after), *b = train_series(resumed_dir, after);
  g_assert_cmpuint(strlen(a), >, 0);
  g_assert_cmpstr(b, ==, a);
  g_free(a);
  g_free(b);
}

/* ReduceLROnPlateau with patience 0 and factor 0.5: the lr halves after
 * any epoch whose val loss is no better than the best so far, which on this
 * small set happens after the stop, so the resumed run must know the best
 * val loss of the epochs before it (its state_dict in the checkpoint). */
static void set_schedule(lm_train_cli *cli, const char *sched)
{
  cli->lr_scheduler = sched;
  if (strcmp(sched, "plateau") == 0) {
    cli->lr_patience = 0;
    cli->set_lr_patience = true;
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
  assert_same_train_series(full.run_dir, resumed.run_dir, 0);

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
  /* the new run file holds the second epoch, as logged by the full run */
  g_assert_cmpint(full.steps_done % 2, ==, 0);
  g_assert_cmpint(full.steps_done / 2 % 5, !=, 0); /* a --log-every window spans the epochs */
  assert_same_train_series(full.run_dir, resumed.run_dir, full.steps_done / 2);
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

/* A copy of checkpoint src at dst with its metadata key name replaced by
 * value (NULL: the key renamed away, as in a checkpoint from before
 * lumen-train wrote it). The safetensors header is rewritten with its new
 * length; the tensor bytes follow unchanged. */
static void write_meta(const char *src, const char *dst, const char *name, const char *state)
{
  gchar *raw;
  gsize len;
  g_assert_true(g_file_get_contents(src, &raw, &len, NULL));
  guint64 hlen = 0;
  for (int i = 7; i >= 0; i--)
    hlen = hlen << 8 | (guchar)raw[i];
  GString *h = g_string_new_len(raw + 8, (gssize)hlen);
  char *key = g_strdup_printf("\"%s\":\"", name);
  char *at = strstr(h->str, key);
  g_assert_nonnull(at);
  if (state) {
    gsize from = (gsize)(at - h->str) + strlen(key);
    gsize to = (gsize)(strchr(h->str + from, '"') - h->str);
    g_string_erase(h, (gssize)from, (gssize)(to - from));
    g_string_insert(h, (gssize)from, state);
  } else {
    at[1] = 'X'; /* "Xr_scheduler_state": unknown, ignored */
  }
  g_free(key);
  while (h->len % 8)
    g_string_append_c(h, ' ');
  GByteArray *b = g_byte_array_new();
  for (int i = 0; i < 8; i++)
    g_byte_array_append(b, (guint8[]){(guint8)(h->len >> (8 * i))}, 1);
  g_byte_array_append(b, (const guint8 *)h->str, (guint)h->len);
  g_byte_array_append(b, (const guint8 *)raw + 8 + hlen, (guint)(len - 8 - hlen));
  g_assert_true(g_file_set_contents(dst, (const char *)b->data, (gssize)b->len, NULL));
  g_byte_array_unref(b);
  g_string_free(h, TRUE);
  g_free(raw);
}

/* The checkpoint's log_window (the steps since the last --log-every step):
 * a damaged one is refused with the field named; a NaN loss sum (a run that
 * diverged) and a checkpoint without it (an older lumen-train) resume. */
static void test_log_window(void)
{
  lm_train_cli cli;
  lm_train_result cut, res;
  base_cli(&cli, "mlp", "log-window");
  cli.stop_after_steps_set = true;
  cli.stop_after_steps = 13; /* steps 11 to 13 are not logged yet */
  g_assert_cmpint(run(&cli, &cut, NULL), ==, 0);
  lm_safetensors *ck = lm_safetensors_read(cut.checkpoint, NULL);
  g_assert_nonnull(ck);
  const char *window = lm_safetensors_metadata(ck, "log_window");
  g_assert_nonnull(window);
  g_assert_true(g_str_has_prefix(window, "loss_sum="));
  g_assert_true(g_str_has_suffix(window, " examples=192")); /* 3 batches of 64 */
  lm_safetensors_free(ck);

  static const struct {
    const char *window, *error; /* error NULL: resumes */
  } cases[] = {
    {"loss_sum=x.5 correct=3 examples=64", "expected loss_sum=<number> as field loss_sum=x.5"},
    {"loss_sum=1.5 correct=3", "expected examples=... as field (missing)"},
    {"loss_sum=1.5 correct=-3 examples=64", "correct \"-3\" is not a count"},
    {"loss_sum=1.5 correct=65 examples=64", "examples \"64\" is not a count"},
    {"loss_sum=1.5 correct=3 examples=64 junk", "unexpected \"junk\" after the three fields"},
    {"loss_sum=nan correct=3 examples=64", NULL},
  };
  char *edited = g_build_filename(tmpdir, "window-edited.safetensors", NULL);
  for (size_t i = 0; i <= G_N_ELEMENTS(cases); i++) {
    const bool old = i == G_N_ELEMENTS(cases);
    write_meta(cut.checkpoint, edited, "log_window", old ? NULL : cases[i].window);
    char *err = NULL;
    int rc = resume_from(edited, "window-edited", &res, &err);
    g_test_message("%s", err);
    if (old || !cases[i].error) {
      g_assert_cmpint(rc, ==, 0);
      g_assert_cmpint(res.status, ==, LM_RUN_FINISHED);
    } else {
      g_assert_cmpint(rc, ==, 1);
      char *want = g_strdup_printf("lumen-train: cannot resume: %s: unreadable log_window \"%s\": %s",
                                   edited, cases[i].window, cases[i].error);
      g_assert_nonnull(strstr(err, want));
      g_free(want);
    }
    g_free(err);
  }
  g_free(edited);
}

/* A damaged or hand-edited option value in a checkpoint is refused naming
 * its key and what it should be, as the option would be; before, a
 * batch_size of -5 trained on ("batch -5"), 'nan' or 'x' fell back to the
 * default, a limit_train of -1 trained on the whole data set and 1e400
 * was turned into an int. limit_train 0 (no limit) still resumes. */
static void test_option_values(void)
{
  lm_train_cli cli;
  lm_train_result cut, res;
  base_cli(&cli, "mlp", "option-values");
  cli.stop_after_steps_set = true;
  cli.stop_after_steps = 13;
  g_assert_cmpint(run(&cli, &cut, NULL), ==, 0);

  static const struct {
    const char *key, *value, *expected; /* expected NULL: resumes */
  } cases[] = {
    {"batch_size", "-5", "an integer from 1 to 1048576"},
    {"batch_size", "nan", "an integer from 1 to 1048576"},
    {"batch_size", "x", "an integer from 1 to 1048576"},
    {"epochs", "0", "an integer from 1 to 1000000"},
    {"val_split", "1.5", "a fraction >= 0 and < 1"},
    {"limit_train", "-1", "an integer >= 0 (0: all)"},
    {"lr_step", "1e400", "an integer >= 0"},
    {"lr_step", "2.5", "an integer >= 0"},
    {"base_lr", "0", "a number > 0"},
    {"momentum", "inf", "a number >= 0"},
    {"weight_decay", "-1", "a number >= 0"},
    {"limit_train", "0", NULL},
  };
  char *edited = g_build_filename(tmpdir, "options-edited.safetensors", NULL);
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    write_meta(cut.checkpoint, edited, cases[i].key, cases[i].value);
    char *err = NULL;
    int rc = resume_from(edited, "options-edited", &res, &err);
    g_test_message("%s=%s: %s", cases[i].key, cases[i].value, err);
    if (!cases[i].expected) {
      g_assert_cmpint(rc, ==, 0);
      g_assert_cmpint(res.status, ==, LM_RUN_FINISHED);
    } else {
      g_assert_cmpint(rc, ==, 1);
      char *want = g_strdup_printf("lumen-train: cannot resume: %s: checkpoint metadata '%s' is '%s', "
                                   "expected %s\n", edited, cases[i].key, cases[i].value, cases[i].expected);
      g_assert_cmpstr(err, ==, want);
      g_free(want);
    }
    g_free(err);
  }
  g_free(edited);
}

/* A damaged or hand-edited lr_scheduler_state is refused with the field
 * named; before, sscanf + strtod read "best=x.61" as a best val loss of 0
 * (every later epoch then counted as bad and the lr was cut), ignored
 * trailing text and overflowed an int on "num_bad_epochs=99999999999". A
 * checkpoint without the state (from an older lumen-train) resumes, and
 * says that ReduceLROnPlateau starts afresh. */
static void test_scheduler_state(void)
{
  lm_train_cli cli;
  lm_train_result cut, res;
  base_cli(&cli, "mlp", "sched-state");
  set_schedule(&cli, "plateau");
  cli.stop_after_steps_set = true;
  cli.stop_after_steps = 13; /* one epoch done: the state holds a best val loss */
  g_assert_cmpint(run(&cli, &cut, NULL), ==, 0);
  lm_safetensors *ck = lm_safetensors_read(cut.checkpoint, NULL);
  g_assert_nonnull(ck);
  const char *state = lm_safetensors_metadata(ck, "lr_scheduler_state");
  g_assert_nonnull(state);
  g_assert_true(g_str_has_prefix(state, "last_epoch=1 last_lr=0.02 best=0."));
  char *good = g_strdup(state);
  lm_safetensors_free(ck);

  static const struct {
    const char *state, *error;
  } bad[] = {
    {"last_epoch=1 last_lr=0.02 best=x.61 num_bad_epochs=0 cooldown_counter=0",
     "best \"x.61\" is not a valid number"},
    {"last_epoch=1 last_lr=0.02 best=0.61x num_bad_epochs=0 cooldown_counter=0",
     "best \"0.61x\" is not a valid number"},
    {"last_epoch=1 last_lr=0.02 best=0.61 num_bad_epochs=99999999999 cooldown_counter=0",
     "num_bad_epochs \"99999999999\" is not a count (a whole number >= 0)"},
    {"last_epoch=1.5 last_lr=0.02 best=0.61 num_bad_epochs=0 cooldown_counter=0",
     "last_epoch \"1.5\" is not a count"},
    {"last_epoch=1 last_lr=inf best=0.61 num_bad_epochs=0 cooldown_counter=0",
     "last_lr \"inf\" is not a valid number"},
    {"last_epoch=1 last_lr=0.02 best=0.61 num_bad_epochs=0 cooldown_counter=0 junk",
     "unexpected \"junk\" after the five fields"},
    {"last_epoch=1 last_lr=0.02 best=0.61 cooldown_counter=0",
     "expected num_bad_epochs=... as field cooldown_counter=0"},
  };
  char *edited = g_build_filename(tmpdir, "sched-edited.safetensors", NULL);
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    write_meta(cut.checkpoint, edited, "lr_scheduler_state", bad[i].state);
    char *err = NULL;
    g_assert_cmpint(resume_from(edited, "sched-edited", &res, &err), ==, 1);
    g_test_message("%s", err);
    char *want = g_strdup_printf("lumen-train: cannot resume: %s: unreadable lr_scheduler_state "
                                 "\"%s\": %s", edited, bad[i].state, bad[i].error);
    g_assert_nonnull(strstr(err, want));
    g_free(want);
    g_free(err);
  }
  /* the rewrite itself keeps a good checkpoint good; and one without the state resumes */
  for (int k = 0; k < 2; k++) {
    write_meta(cut.checkpoint, edited, "lr_scheduler_state", k == 0 ? good : NULL);
    lm_train_cli_defaults(&cli);
    cli.data_dir = data;
    cli.no_progress = true;
    cli.logdir = tmpdir;
    cli.run = k == 0 ? "sched-good" : "sched-old";
    cli.resume = edited;
    FILE *out = tmpfile(), *err = tmpfile();
    g_assert_cmpint(lm_train_app_run(&cli, out, err, &res), ==, 0);
    g_assert_cmpint(res.status, ==, LM_RUN_FINISHED);
    rewind(out);
    char buf[8192] = "";
    buf[fread(buf, 1, sizeof buf - 1, out)] = '\0';
    const char *note = strstr(buf, "has no lr_scheduler_state (written by an older lumen-train): "
                                   "ReduceLROnPlateau starts afresh, without the best val loss of "
                                   "the 1 epoch before it\n");
    if (k == 0)
      g_assert_null(note);
    else
      g_assert_nonnull(note);
    fclose(out);
    fclose(err);
  }
  /* --lr-patience (ReduceLROnPlateau's patience) is kept in the checkpoint
   * and honoured on resume like the other options (check_resume's plateau
   * run needs it: its patience 0 cuts the lr after the stop); before
   * --lr-patience, plateau's patience was --lr-step, which a checkpoint
   * without lr_patience still gives (the cut run's lr_step is 3, 70% of 4
   * epochs), and --lr-step is refused for plateau */
  ck = lm_safetensors_read(cut.checkpoint, NULL);
  g_assert_cmpstr(lm_safetensors_metadata(ck, "lr_patience"), ==, "0");
  lm_safetensors_free(ck);
  write_meta(cut.checkpoint, edited, "lr_patience", NULL);
  static const struct {
    bool old;
    int patience, step;
    const char *error;
  } refused[] = {
    {false, 5, -1, "the checkpoint was trained with --lr-patience 0, not 5 (leave the option out"},
    {true, 0, -1, "the checkpoint was trained with --lr-patience 3, not 0"},
    {false, -1, 3, "lumen-train: --lr-step is StepLR's step size; ReduceLROnPlateau's patience "
                   "(--lr-scheduler plateau) is --lr-patience\n"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
    lm_train_cli_defaults(&cli);
    cli.data_dir = data;
    cli.no_progress = true;
    cli.logdir = tmpdir;
    cli.run = "sched-patience";
    cli.resume = refused[i].old ? edited : cut.checkpoint;
    cli.lr_patience = refused[i].patience;
    cli.set_lr_patience = refused[i].patience >= 0;
    cli.lr_step = refused[i].step;
    cli.set_lr_step = refused[i].step >= 0;
    char *err = NULL;
    g_assert_cmpint(run(&cli, &res, &err), ==, 1);
    g_test_message("%s", err);
    g_assert_nonnull(strstr(err, refused[i].error));
    g_free(err);
  }
  g_free(edited);
  g_free(good);
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
  g_test_add_func("/train/resume/scheduler-state", test_scheduler_state);
  g_test_add_func("/train/resume/log-window", test_log_window);
  g_test_add_func("/train/resume/option-values", test_option_values);
  g_test_add_func("/train/resume/refusals", test_refusals);
  int rc = g_test_run();
  train_fixture_rmdir(tmpdir);
  g_free(data);
  g_free(tmpdir);
  return rc;
}
