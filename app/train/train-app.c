/* train-app.c: what lumen-train does, from options to a finished run.
 *
 * The training loop itself is lm_fit(); this file wires its callbacks to the
 * progress bar, the run file (scalars every --log-every steps, histograms,
 * sample grid, graph, hparams, status) and checkpoints, and handles the
 * edges: bad data, a missing GPU, Ctrl-C (finish the step, checkpoint, mark
 * the run 'stopped', exit 0) and --resume (adopt the checkpoint's settings so
 * the continued run takes exactly the steps the uninterrupted one would).
 *
 * Not here: option parsing (cli.c), drawing the bar (progress.c), turning
 * engine objects into records (train-log*.c).
 */
#define _GNU_SOURCE
#include "lm-train-app.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cuda/lumen-cuda.h" /* lm_cuda_unavailable_reason */
#include "lm-train-log.h"
#include "lm-train-progress.h"
#include "lm-train-trace.h"

#define N_SAMPLES 16

static volatile sig_atomic_t stop_requested;

void lm_train_app_request_stop(void)
{
  stop_requested = 1;
}

void lm_train_app_clear_stop(void)
{
  stop_requested = 0;
}

typedef struct {
  lm_train_cli cli;
  FILE *out, *err;
  lm_writer *w;
  lm_module *model;
  lm_optimizer *opt;
  lm_lr_scheduler *sched;
  lm_dataset *train, *val, *test;
  lm_device device;
  float mean, std;
  char run_name[1024];
  char run_dir[PATH_MAX];
  bool default_name;     /* run_name is SummaryWriter's default: claim a free one */
  int64_t log_failures;  /* records the run file refused (disk full...) */
  int checkpoint_failures;
  bool model_save_failed; /* --save-model's file */
  char checkpoint_error[PATH_MAX + 128]; /* the last failure's message */
  char model_error[PATH_MAX + 128];
  int64_t checkpoint_step; /* the step res->checkpoint holds */
  bool nan_warned;
  bool resumed;          /* started from a checkpoint: purge later steps */
  char ck_data_dir[PATH_MAX], ck_logdir[PATH_MAX]; /* adopted from a checkpoint */
  lm_train_result *res;

  lm_progress prog;
  lm_train_state last;   /* the latest state fit reported */
  bool graph_logged;
  int64_t step0;         /* steps done before this process started */
  double t_epoch;        /* wall clock at epoch start */
  double t_last_batch;   /* wall clock after the last step's callback */
  double cpu_epoch, cpu_last_batch; /* the same on the process CPU clock */
  int64_t epoch_examples;
  /* the --log-every window */
  double win_loss, win_step_time, win_wall; /* win_wall: time in the loop, evaluation excluded */
  int64_t win_correct, win_examples, win_steps;
  /* sample images: the first test examples */
  int64_t sample_idx[N_SAMPLES];
  int n_samples;
  bool stop;             /* a callback decided to stop */
  char engine_error[512];
  /* --trace-*: the recorder, and the first NaN/Inf it saw */
  lm_train_tracer *tracer;
  bool anomaly;
  int64_t anomaly_step, anomaly_op; /* op: 1-based, as the debugger counts */
  char anomaly_msg[512];
} app;

/* ---------------------------------------------------------------- helpers */

static void log_rc(app *a, int rc, const char *what)
{
  /* a logging failure (disk full...) must not kill the training: say it
   * once, count them, and exit non-zero at the end */
  if (rc == LM_OK)
    return;
  if (a->log_failures++ == 0)
    fprintf(a->err, "lumen-train: warning: logging %s failed: %s (training goes on)\n", what,
            lm_log_last_error());
}

/* CPU time of the whole process (training thread, BLAS threads and the
 * logging writer thread): the work logging adds, whatever else the machine
 * is doing. */
static double process_cpu_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* "1 epoch", "2 epochs" */
static const char *plural(long long n, const char *one, const char *many)
{
  return n == 1 ? one : many;
}

static void scalar(app *a, const char *tag, int64_t step, double v)
{
  if (a->w)
    log_rc(a, lm_writer_add_scalar(a->w, tag, step, v), tag);
}

static bool mkdir_p(const char *path)
{
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++)
    if (*p == '/') {
      *p = '\0';
      if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return false;
      *p = '/';
    }
  return mkdir(tmp, 0777) == 0 || errno == EEXIST;
}

static void engine_error_handler(const char *message, void *user_data)
{
  app *a = user_data;
  if (!a->engine_error[0])
    snprintf(a->engine_error, sizeof a->engine_error, "%s", message);
}

/* Mean and std over every pixel of ds, scaled to [0, 1] (what the
 * Normalize((0.2860,), (0.3530,)) constants of Fashion-MNIST tutorials are). */
static void pixel_stats(const lm_dataset *ds, float *mean, float *std)
{
  uint64_t hist[256] = { 0 };
  int64_t n = lm_dataset_len(ds);
  size_t per = (size_t)lm_dataset_channels(ds) * lm_dataset_height(ds) * lm_dataset_width(ds);
  for (int64_t i = 0; i < n; i++) {
    const uint8_t *p = lm_dataset_image(ds, i);
    for (size_t k = 0; k < per; k++)
      hist[p[k]]++;
  }
  double cnt = 0, s = 0, s2 = 0;
  for (int v = 0; v < 256; v++) {
    double x = v / 255.0;
    cnt += (double)hist[v];
    s += (double)hist[v] * x;
    s2 += (double)hist[v] * x * x;
  }
  double m = cnt > 0 ? s / cnt : 0, var = cnt > 1 ? (s2 - cnt * m * m) / (cnt - 1) : 1;
  *mean = (float)m;
  *std = (float)(var > 1e-12 ? sqrt(var) : 1.0);
}

/* One "key=value" of an lr_scheduler_state into *out: the whole value must
 * be a number (strtod's forms, "inf" included) in [lo, hi], and an integer
 * when integral. False, with why naming the field, otherwise. */
static bool sched_state_field(const char *tok, const char *key, bool integral, double lo,
                              double hi, double *out, char *why, size_t len)
{
  const size_t k = strlen(key);
  if (!tok || strncmp(tok, key, k) != 0 || tok[k] != '=') {
    snprintf(why, len, "expected %s=... as field %s", key, tok ? tok : "(missing)");
    return false;
  }
  const char *v = tok + k + 1;
  char *end;
  errno = 0;
  const double d = strtod(v, &end);
  if (end == v || *end || isnan(d) || d < lo || d > hi || (integral && d != floor(d)) ||
      (integral && errno == ERANGE)) {
    snprintf(why, len, "%s \"%s\" is not %s", key, v,
             integral ? "a count (a whole number >= 0)" : "a valid number");
    return false;
  }
  *out = d;
  return true;
}

/* Parses what save_checkpoint writes, "last_epoch=E last_lr=LR best=B
 * num_bad_epochs=N cooldown_counter=C", strictly: a hand-edited or damaged
 * value is an error, never a silent 0 (a best of 0 would make every val loss
 * a bad epoch and cut the lr). */
static bool parse_sched_state(const char *text, lm_lr_scheduler_state *st, char *why, size_t len)
{
  char buf[256];
  if (strlen(text) >= sizeof buf) {
    snprintf(why, len, "too long");
    return false;
  }
  strcpy(buf, text);
  char *save = NULL, *tok[6];
  for (int i = 0; i < 6; i++)
    tok[i] = strtok_r(i ? NULL : buf, " ", &save);
  if (tok[5]) {
    snprintf(why, len, "unexpected \"%s\" after the five fields", tok[5]);
    return false;
  }
  double e, lr, best, bad, cool;
  if (!sched_state_field(tok[0], "last_epoch", true, 0, 9007199254740992.0, &e, why, len) ||
      !sched_state_field(tok[1], "last_lr", false, 0, DBL_MAX, &lr, why, len) ||
      !sched_state_field(tok[2], "best", false, -INFINITY, INFINITY, &best, why, len) ||
      !sched_state_field(tok[3], "num_bad_epochs", true, 0, INT_MAX, &bad, why, len) ||
      !sched_state_field(tok[4], "cooldown_counter", true, 0, INT_MAX, &cool, why, len))
    return false;
  *st = (lm_lr_scheduler_state){.last_epoch = (int64_t)e, .last_lr = lr, .best = best,
                                .num_bad_epochs = (int)bad, .cooldown_counter = (int)cool};
  return true;
}

/* The checkpoint's "log_window": the train loss sum, correct count and
 * examples of the steps since the last --log-every step, so that the first
 * step a resumed run logs holds the mean over the same steps as in an
 * uninterrupted run (not only the steps after the stop). Checkpoints from
 * before it have none: that window then starts at the resume. The loss sum
 * may be NaN or infinite (a diverged run), never an unreadable value. */
static bool load_log_window(app *a, const lm_safetensors *ck)
{
  const char *text = lm_safetensors_metadata(ck, "log_window");
  if (!text)
    return true;
  char buf[160], why[160] = "";
  char *save = NULL, *tok[4], *end = NULL;
  double loss = NAN, correct, examples;
  bool ok = strlen(text) < sizeof buf;
  if (!ok)
    snprintf(why, sizeof why, "too long");
  if (ok) {
    strcpy(buf, text);
    for (int i = 0; i < 4; i++)
      tok[i] = strtok_r(i ? NULL : buf, " ", &save);
    ok = !tok[3];
    if (!ok)
      snprintf(why, sizeof why, "unexpected \"%s\" after the three fields", tok[3]);
  }
  if (ok && (!tok[0] || strncmp(tok[0], "loss_sum=", 9) != 0 ||
             (loss = strtod(tok[0] + 9, &end), end == tok[0] + 9 || *end))) {
    snprintf(why, sizeof why, "expected loss_sum=<number> as field %s", tok[0] ? tok[0] : "(missing)");
    ok = false;
  }
  ok = ok && sched_state_field(tok[1], "correct", true, 0, 9007199254740992.0, &correct, why, sizeof why) &&
       sched_state_field(tok[2], "examples", true, correct, 9007199254740992.0, &examples, why, sizeof why);
  if (!ok) {
    fprintf(a->err, "lumen-train: cannot resume: %s: unreadable log_window \"%s\": %s\n", a->cli.resume,
            text, why);
    return false;
  }
  a->win_loss = examples > 0 ? loss : 0;
  a->win_correct = (int64_t)correct;
  a->win_examples = (int64_t)examples;
  return true;
}

/* The schedule's state from the checkpoint's "lr_scheduler_state" (its
 * state_dict). Checkpoints from before it had none: their schedule is
 * replayed for the epochs done, which ReduceLROnPlateau cannot be (it needs
 * the past val losses: it starts afresh from the checkpoint's lr then, and
 * says so). */
static bool load_scheduler_state(app *a, const lm_safetensors *ck, int64_t epochs_done)
{
  const char *text = lm_safetensors_metadata(ck, "lr_scheduler_state");
  if (!text) {
    if (strcmp(a->cli.lr_scheduler, "plateau") == 0 && epochs_done > 0)
      fprintf(a->out, "Note: %s has no lr_scheduler_state (written by an older lumen-train): "
              "ReduceLROnPlateau starts afresh, without the best val loss of the %lld %s "
              "before it\n", a->cli.resume, (long long)epochs_done,
              plural(epochs_done, "epoch", "epochs"));
    for (int64_t e = 0; strcmp(a->cli.lr_scheduler, "plateau") != 0 && e < epochs_done; e++)
      lm_lr_scheduler_step(a->sched);
    return true;
  }
  lm_lr_scheduler_state st;
  char why[160];
  if (!parse_sched_state(text, &st, why, sizeof why)) {
    fprintf(a->err, "lumen-train: cannot resume: %s: unreadable lr_scheduler_state \"%s\": %s\n",
            a->cli.resume, text, why);
    return false;
  }
  if (!lm_lr_scheduler_load_state_dict(a->sched, &st)) {
    fprintf(a->err, "lumen-train: cannot resume: %s: %s\n", a->cli.resume, lm_last_error());
    return false;
  }
  return true;
}

static bool save_checkpoint(app *a, const char *file)
{
  char path[PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/%s", a->run_dir, file);
  char v[24][64];
  const char *keys[24], *vals[24];
  int k = 0;
  /* Where the run's data and log folder are, absolute, so that
   * `lumen-train --resume CHECKPOINT` from any folder continues the same run
   * on the same data. */
  char data_abs[PATH_MAX], logdir_abs[PATH_MAX];
  if (!realpath(a->cli.data_dir, data_abs))
    snprintf(data_abs, sizeof data_abs, "%s", a->cli.data_dir);
  if (!realpath(a->cli.logdir, logdir_abs))
    snprintf(logdir_abs, sizeof logdir_abs, "%s", a->cli.logdir);
  keys[k] = "data_dir"; vals[k] = data_abs; k++;
  keys[k] = "logdir"; vals[k] = logdir_abs; k++;
#define META(key, fmt, val) \
  do { snprintf(v[k], sizeof v[k], fmt, val); keys[k] = key; vals[k] = v[k]; k++; } while (0)
  const lm_train_cli *c = &a->cli;
  keys[k] = "run"; vals[k] = a->run_name; k++;
  keys[k] = "optimizer_option"; vals[k] = c->optimizer; k++;
  keys[k] = "lr_scheduler"; vals[k] = c->lr_scheduler; k++;
  /* the schedule's state_dict, so --resume continues it exactly */
  char sched_state[192];
  if (a->sched) {
    lm_lr_scheduler_state st;
    lm_lr_scheduler_state_dict(a->sched, &st);
    snprintf(sched_state, sizeof sched_state,
             "last_epoch=%lld last_lr=%.17g best=%.17g num_bad_epochs=%d cooldown_counter=%d",
             (long long)st.last_epoch, st.last_lr, st.best, st.num_bad_epochs, st.cooldown_counter);
    keys[k] = "lr_scheduler_state"; vals[k] = sched_state; k++;
  }
  /* the steps since the last --log-every step, for the resumed run's first */
  char log_window[128];
  snprintf(log_window, sizeof log_window, "loss_sum=%.17g correct=%" PRId64 " examples=%" PRId64,
           a->win_loss, a->win_correct, a->win_examples);
  keys[k] = "log_window"; vals[k] = log_window; k++;
  META("batch_size", "%d", c->batch_size);
  META("val_split", "%.17g", c->val_split);
  META("limit_train", "%" PRId64, c->limit_train);
  META("limit_test", "%" PRId64, c->limit_test);
  META("log_every", "%d", c->log_every);
  META("hist_every", "%d", c->hist_every);
  META("normalize", "%d", c->normalize ? 1 : 0);
  META("mean", "%.9g", (double)a->mean);
  META("std", "%.9g", (double)a->std);
  META("base_lr", "%.17g", c->lr);
  META("lr_step", "%d", c->lr_step);
  META("lr_patience", "%d", c->lr_patience);
  META("lr_gamma", "%.17g", c->lr_gamma);
  META("momentum", "%.17g", c->momentum);
  META("weight_decay", "%.17g", c->weight_decay);
  META("epochs", "%d", c->epochs);
#undef META
  lm_checkpoint_info info = {
    .model = c->model, .seed = c->seed, .state = a->last,
    .n_extra = (size_t)k, .extra_keys = keys, .extra_values = vals,
  };
  char *error = NULL;
  if (!lm_checkpoint_save(path, a->model, a->opt, &info, &error)) {
    fprintf(a->err, "lumen-train: cannot write checkpoint: %s\n", error);
    snprintf(a->checkpoint_error, sizeof a->checkpoint_error, "%s", error);
    free(error);
    a->checkpoint_failures++;
    return false;
  }
  size_t pl = strlen(path);
  if (pl >= sizeof a->res->checkpoint)
    pl = sizeof a->res->checkpoint - 1;
  memcpy(a->res->checkpoint, path, pl);
  a->res->checkpoint[pl] = '\0';
  a->checkpoint_step = a->last.step;
  return true;
}

/* A run that finished or stopped with a checkpoint or the --save-model
 * file missing: its data is whole, so the status stays, and the run key
 * `error` says what is missing, which the app shows beside the status
 * (the exit status is 1). */
static void note_missing_files(app *a)
{
  char why[2 * sizeof a->checkpoint_error + 64] = "";
  if (!a->w || a->log_failures || (!a->checkpoint_failures && !a->model_save_failed))
    return;
  if (a->checkpoint_failures == 1)
    snprintf(why, sizeof why, "checkpoint not written: %s", a->checkpoint_error);
  else if (a->checkpoint_failures > 1)
    snprintf(why, sizeof why, "%d checkpoints not written, the last: %s", a->checkpoint_failures,
             a->checkpoint_error);
  if (a->model_save_failed)
    snprintf(why + strlen(why), sizeof why - strlen(why), "%s--save-model file not written: %s",
             *why ? "; " : "", a->model_error);
  log_rc(a, lm_writer_set_error(a->w, why), "the missing files");
}

/* "Stopped at ...": the checkpoint of the stop and the command that
 * resumes from it; where that checkpoint could not be written, the last one
 * that was (this process's, or the one it resumed from), or none: a resume
 * command is only offered for a file that exists. */
static void print_stop(app *a)
{
  const char *prog = a->cli.program ? a->cli.program : "lumen-train";
  const char *last = a->res->checkpoint;
  int64_t last_step = a->checkpoint_step;
  if (!*last && a->cli.resume)
    last = a->cli.resume, last_step = a->step0;
  fprintf(a->out, "Stopped at epoch %lld, step %lld. ", (long long)a->last.epoch + (a->last.batch > 0),
          (long long)a->last.step);
  if (*last && last_step == a->last.step) {
    fprintf(a->out, "Checkpoint: %s\nResume with: %s --resume %s\n", last, prog, last);
    return;
  }
  fprintf(a->out, "Its checkpoint was not written (see above).\n");
  if (*last)
    fprintf(a->out, "Resume from the last checkpoint, step %lld, with: %s --resume %s\n", (long long)last_step,
            prog, last);
  else
    fprintf(a->out, "No checkpoint was written: there is nothing to resume from.\n");
}

static bool is_fashion_mnist(const app *a);

/* fit's options that every pass over the data shares: the normalisation,
 * the device and the model's loss (nll for net, Keras' categorical
 * cross-entropy for keras-cnn) */
static void data_options(const app *a, lm_fit_options *fo)
{
  lm_fit_options_init(fo);
  fo->mean = a->mean;
  fo->std = a->std;
  fo->device = a->device;
  fo->loss = lm_model_loss(a->cli.model);
}

/* --save-model: main.py's torch.save(model.state_dict(), "mnist_cnn.pt") at
 * the end, as safetensors: the parameters under their state_dict names,
 * float32, no optimizer state, in the run folder beside the checkpoints. */
static bool save_model(app *a)
{
  char path[PATH_MAX + 64];
  /* net is main.py's Net, which it saves as mnist_cnn.pt */
  snprintf(path, sizeof path, "%s/mnist_%s.safetensors", a->run_dir,
           strcmp(a->cli.model, "net") == 0 ? "cnn" : a->cli.model);
  lm_st_writer *w = lm_st_writer_new();
  lm_named_tensor *named = NULL;
  size_t n = lm_module_named_parameters(a->model, &named);
  char *error = NULL, epoch[32], step[32];
  bool ok = w != NULL;
  for (size_t i = 0; ok && i < n; i++)
    ok = lm_st_writer_add_tensor(w, named[i].name, named[i].tensor, &error);
  free(named);
  if (ok) {
    snprintf(epoch, sizeof epoch, "%lld", (long long)a->last.epoch);
    snprintf(step, sizeof step, "%lld", (long long)a->last.step);
    lm_st_writer_set_metadata(w, "model", a->cli.model);
    lm_st_writer_set_metadata(w, "epoch", epoch);
    lm_st_writer_set_metadata(w, "step", step);
    ok = lm_st_writer_save(w, path, &error);
  }
  lm_st_writer_free(w);
  if (!ok) {
    if (error) /* it names the file */
      snprintf(a->model_error, sizeof a->model_error, "%s", error);
    else
      snprintf(a->model_error, sizeof a->model_error, "cannot write %s: out of memory", path);
    fprintf(a->err, "lumen-train: --save-model: %s\n", a->model_error);
    free(error);
    return false;
  }
  snprintf(a->res->model_file, sizeof a->res->model_file, "%.4095s", path);
  fprintf(a->out, "Model saved (--save-model): %s\n", path);
  return true;
}

/* The projector's embedding, once at the end as in PyTorch's TensorBoard
 * tutorial (add_embedding of 100 random images): --embedding-samples test
 * images drawn with the run's seed, their raw pixels as the features. */
static void log_embedding(app *a)
{
  int64_t len = lm_dataset_len(a->test);
  int n = (int)(len < a->cli.embedding_samples ? len : a->cli.embedding_samples);
  if (n <= 0)
    return;
  int64_t *idx = malloc((size_t)len * sizeof *idx);
  if (!idx) {
    log_rc(a, LM_ERR_NOMEM, "the embedding");
    return;
  }
  for (int64_t i = 0; i < len; i++)
    idx[i] = i;
  uint64_t s = a->cli.seed * 6364136223846793005ull + 1442695040888963407ull;
  for (int i = 0; i < n; i++) { /* the first n of a Fisher-Yates shuffle */
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    int64_t j = i + (int64_t)((s >> 33) % (uint64_t)(len - i));
    int64_t t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  log_rc(a, lm_train_log_embedding(a->w, "test_images", a->last.step, a->test, idx, n,
                                   is_fashion_mnist(a) ? lm_fashion_mnist_classes : NULL, 10),
         "the embedding");
  free(idx);
}

/* The predicted class of each sample image, for the grid's labels. */
static void predict_samples(app *a, int64_t *pred)
{
  for (int i = 0; i < a->n_samples; i++)
    pred[i] = -1;
  lm_dataset *s = lm_dataset_slice(a->test, 0, a->n_samples);
  if (!s)
    return;
  lm_fit_options fo;
  data_options(a, &fo);
  lm_scope_begin();
  lm_tensor *logits = lm_predict(a->model, s, N_SAMPLES, &fo, NULL);
  if (logits && logits->ndim == 2) {
    int64_t c = logits->shape[1];
    const float *d = lm_data_f32(logits);
    for (int i = 0; i < a->n_samples; i++) {
      int64_t best = 0;
      for (int64_t k = 1; k < c; k++)
        if (d[i * c + k] > d[i * c + best])
          best = k;
      pred[i] = best;
    }
  }
  lm_scope_end();
  lm_dataset_release(s);
}

/* -------------------------------------------------------------- callbacks */

static void on_epoch_begin(void *ud, int64_t epoch, int64_t num_batches)
{
  app *a = ud;
  a->t_epoch = lm_now_seconds();
  a->t_last_batch = a->t_epoch;
  a->cpu_epoch = a->cpu_last_batch = process_cpu_seconds();
  a->epoch_examples = 0;
  if (!a->cli.no_progress)
    lm_progress_begin(&a->prog, (int)epoch + 1, a->cli.epochs, num_batches, a->last.batch, a->t_epoch);
}

/* ----------------------------------------------------------------- traces */

static bool trace_wanted(const app *a, int64_t step)
{
  if (a->cli.trace_every > 0 && step % a->cli.trace_every == 0)
    return true;
  for (int i = 0; i < a->cli.n_trace_steps; i++)
    if (a->cli.trace_steps[i] == step)
      return true;
  return false;
}

/* --profile-steps, or --profile: steps 2-4 of this process (its first
 * step warms up: first allocations, BLAS threads starting). */
static bool profile_wanted(const app *a, int64_t step)
{
  if (a->cli.profile)
    return step >= a->step0 + 2 && step <= a->step0 + 4;
  for (int i = 0; i < a->cli.n_profile_steps; i++)
    if (a->cli.profile_steps[i] == step)
      return true;
  return false;
}

/* After training: the chosen steps to profile that this process did not
 * train (past the run's end, or before the step it resumed from) are
 * named, not silently left out. */
static void note_unprofiled(const app *a)
{
  int64_t first = a->step0 + 1, last = a->last.step > a->step0 ? a->last.step : a->step0;
  int64_t want[3 + LM_CLI_MAX_TRACE_STEPS];
  int n = 0, missed = 0;
  char list[256] = "";

  if (!a->w)
    return; /* --no-log has said that nothing is written */
  if (a->cli.profile)
    for (int i = 2; i <= 4; i++)
      want[n++] = a->step0 + i;
  for (int i = 0; i < a->cli.n_profile_steps; i++)
    want[n++] = a->cli.profile_steps[i];
  for (int i = 0; i < n; i++) {
    if (want[i] >= first && want[i] <= last)
      continue;
    size_t len = strlen(list);
    if (len + 30 < sizeof list)
      snprintf(list + len, sizeof list - len, "%s%lld", missed ? ", " : "", (long long)want[i]);
    else if (!strstr(list, "..."))
      snprintf(list + len, sizeof list - len, ", ...");
    missed++;
  }
  if (missed == 0)
    return;
  if (last < first)
    fprintf(a->err, "lumen-train: note: %s: %s %s not profiled: this run trained no step\n",
            a->cli.profile ? "--profile" : "--profile-steps", plural(missed, "step", "steps"), list);
  else
    fprintf(a->err, "lumen-train: note: %s: %s %s not profiled: this run trained steps %lld to %lld\n",
            a->cli.profile ? "--profile" : "--profile-steps", plural(missed, "step", "steps"), list,
            (long long)first, (long long)last);
}

/* The recorder runs only for steps that may be written: chosen ones, or
 * all of them when any step may turn out to hold the first anomaly. Op
 * timing is on for profiled steps only (on CUDA it synchronises each op),
 * and before the reset, which takes the step's start time. */
static void trace_begin_step(app *a, int64_t step)
{
  lm_tracer *rec = lm_train_tracer_recorder(a->tracer);
  bool profiled = profile_wanted(a, step);
  lm_set_op_timing(profiled);
  lm_set_op_memory(profiled && a->cli.profile_memory);
  lm_tracer_reset(rec, step);
  lm_tracer_set_enabled(rec, a->cli.trace_on_anomaly || profiled || trace_wanted(a, step));
}

/* After step s: write its trace if chosen (or anomalous with
 * --trace-on-anomaly) and get the recorder ready for the next step.
 * Returns true when training must stop (the first anomaly). */
static bool trace_step_done(app *a, const lm_step_info *s)
{
  lm_tracer *rec = lm_train_tracer_recorder(a->tracer);
  bool bad = a->cli.trace_on_anomaly && lm_tracer_anomaly(rec) >= 0;
  if (!lm_tracer_ok(rec))
    log_rc(a, LM_ERR_NOMEM, "a trace (out of memory while recording)");
  if (a->w && (bad || trace_wanted(a, s->step) || profile_wanted(a, s->step)))
    log_rc(a, lm_train_tracer_write(a->tracer, s->loss_tensor, NULL), "a trace");
  if (bad) {
    lm_tracer_describe_anomaly(rec, a->anomaly_msg, sizeof a->anomaly_msg);
    a->anomaly = true;
    a->anomaly_step = s->step;
    a->anomaly_op = lm_tracer_anomaly(rec) + 1;
    a->stop = true;
    return true;
  }
  trace_begin_step(a, s->step + 1);
  return false;
}

/* -------------------------------------------------------------- callbacks */

static bool on_batch_end(void *ud, const lm_step_info *s)
{
  app *a = ud;
  bool stop = stop_requested ||
              (a->cli.stop_after_steps_set && s->step - a->step0 >= a->cli.stop_after_steps);
  if (stop) /* the state saved at the stop holds every step's loss, read back or not */
    lm_step_info_sync(s);
  a->last = *s->state;
  a->epoch_examples += s->batch_size;
  a->res->steps_done = s->step;
  if (a->w && !a->graph_logged && a->step0 == 0) {
    /* the model's graph once per run: the first step's, behind the loss (a
     * resumed run logged it before it stopped) */
    log_rc(a, a->tracer ? lm_train_tracer_log_graph(a->tracer, s->step, s->loss_tensor, NULL)
                        : lm_train_log_graph(a->w, s->step, "train_step", s->loss_tensor, a->model, NULL),
           "the graph");
    a->graph_logged = true;
  }
  if (a->tracer && trace_step_done(a, s))
    return false;
  if (s->synced && !isfinite(s->window_loss_sum) && !a->nan_warned) {
    /* PyTorch trains on through a NaN loss too; say it once, with the way to find its source */
    a->nan_warned = true;
    if (!a->cli.no_progress)
      fputc('\n', a->out);
    fprintf(a->err, "lumen-train: warning: the loss is %s at step %lld (training diverged?); "
            "--trace-on-anomaly stops at the first NaN/Inf and records the op it came from\n",
            isnan(s->window_loss_sum) ? "NaN" : "infinite", (long long)s->step);
  }
  /* on a GPU the losses arrive every --log-every steps (fit's sync_every) */
  a->win_loss += s->window_loss_sum;
  a->win_correct += s->window_correct;
  a->win_examples += s->window_examples;
  a->win_step_time += s->step_seconds;
  a->win_steps++;
  double now = lm_now_seconds();
  a->win_wall += now - a->t_last_batch;
  if (a->w && s->step % a->cli.log_every == 0) {
    double wall = a->win_wall;
    const char *tags[] = { "train/loss", "train/accuracy", "train/lr", "perf/examples_per_sec",
                           "perf/step_time_ms" };
    double vals[] = {
      a->win_loss / (double)a->win_examples, (double)a->win_correct / (double)a->win_examples,
      lm_optimizer_get_lr(a->opt), wall > 0 ? (double)a->win_examples / wall : 0,
      1000.0 * a->win_step_time / (double)a->win_steps,
    };
    log_rc(a, lm_writer_add_scalars(a->w, s->step, 5, tags, vals), "scalars");
    a->win_loss = a->win_step_time = a->win_wall = 0;
    a->win_correct = a->win_examples = a->win_steps = 0;
  }
  /* (the epoch's last step gets its histograms from on_epoch_end) */
  if (a->w && a->cli.hist_every > 0 && s->step % a->cli.hist_every == 0 && s->batch + 1 < s->num_batches)
    log_rc(a, lm_train_log_histograms(a->w, s->step, a->model, true, true), "histograms");
  if (!a->cli.no_progress) {
    /* a stop leaves the bar at the step it stopped at */
    double el = now - a->t_epoch;
    (stop ? lm_progress_close : lm_progress_update)(&a->prog, s->batch + 1,
                                                    a->last.loss_sum / (double)a->last.seen,
                                                    (double)a->last.correct / (double)a->last.seen,
                                                    el > 0 ? (double)a->epoch_examples / el : 0, now);
  }
  a->t_last_batch = lm_now_seconds();
  a->cpu_last_batch = process_cpu_seconds();
  if (stop)
    a->stop = true;
  return !stop;
}


/* Fashion-MNIST's class names label the sample grid only for Fashion-MNIST
 * (the default data, or a --data folder named like it); the IDX files of
 * MNIST look the same, and its classes are the digits themselves. */
static bool is_fashion_mnist(const app *a)
{
  if (lm_dataset_num_classes(a->test) > 10)
    return false;
  if (strcmp(a->cli.data_dir, LM_FASHION_MNIST_DIR) == 0)
    return true;
  for (const char *p = a->cli.data_dir; *p; p++)
    if (strncasecmp(p, "fashion", 7) == 0)
      return true;
  return false;
}

/* TensorBoard's Fashion-MNIST tutorial logs a PR curve per class of the
 * test set: the softmax probabilities come from one more forward pass over
 * it (lm_evaluate keeps only the loss and accuracy). */
static void log_pr_curves(app *a, int64_t step)
{
  lm_fit_options fo;
  data_options(a, &fo);
  char *error = NULL;
  lm_scope_begin();
  lm_tensor *logits = lm_predict(a->model, a->test, a->cli.test_batch_size, &fo, &error);
  /* keras-cnn's softmax outputs: their log is a logit whose softmax they are */
  if (logits && fo.loss == LM_LOSS_CATEGORICAL_CROSSENTROPY)
    logits = lm_log(logits);
  if (!logits) {
    fprintf(a->err, "lumen-train: no PR curves this epoch: %s\n", error ? error : "prediction failed");
    free(error);
  } else {
    log_rc(a, lm_train_log_pr_curves(a->w, step, logits, a->test,
                                     is_fashion_mnist(a) ? lm_fashion_mnist_classes : NULL, 10),
           "the PR curves");
  }
  lm_scope_end();
}

static bool on_epoch_end(void *ud, const lm_epoch_logs *logs, const lm_train_state *state)
{
  app *a = ud;
  a->last = *state;
  double train_wall = a->t_last_batch - a->t_epoch;
  a->res->train_seconds += train_wall;
  a->res->train_cpu_seconds += a->cpu_last_batch - a->cpu_epoch;
  a->res->train_examples += a->epoch_examples;
  if (!a->cli.no_progress)
    lm_progress_end(&a->prog);

  lm_fit_options fo;
  data_options(a, &fo);
  double tl = NAN, ta = NAN;
  char *error = NULL;
  if (a->test && !lm_evaluate(a->model, a->test, a->cli.test_batch_size, &fo, &tl, &ta, &error)) {
    fprintf(a->err, "lumen-train: test evaluation failed: %s\n", error);
    free(error);
  }
  a->res->test_loss = tl;
  a->res->test_accuracy = ta;
  a->res->val_loss = logs->val_loss;
  a->res->val_accuracy = logs->val_accuracy;
  a->res->train_loss = logs->loss;
  a->res->train_accuracy = logs->accuracy;
  a->res->epochs_done = state->epoch;

  int64_t step = state->step;
  if (a->w) {
    scalar(a, "epoch", step, (double)state->epoch);
    scalar(a, "epoch/train_loss", step, logs->loss);
    scalar(a, "epoch/train_accuracy", step, logs->accuracy);
    scalar(a, "epoch/lr", step, logs->lr);
    scalar(a, "perf/epoch_seconds", step, train_wall);
    if (a->val) {
      scalar(a, "val/loss", step, logs->val_loss);
      scalar(a, "val/accuracy", step, logs->val_accuracy);
    }
    if (a->test) {
      scalar(a, "test/loss", step, tl);
      scalar(a, "test/accuracy", step, ta);
    }
    log_rc(a, lm_train_log_histograms(a->w, step, a->model, true, true), "histograms");
    if (a->test && !a->cli.no_pr_curves)
      log_pr_curves(a, step);
    if (a->n_samples > 0) {
      int64_t pred[N_SAMPLES];
      predict_samples(a, pred);
      log_rc(a, lm_train_log_image_grid(a->w, "samples", step, a->test, a->sample_idx, a->n_samples, pred,
                                        is_fashion_mnist(a) ? lm_fashion_mnist_classes : NULL,
                                        10), "the sample images");
    }
  }

  fprintf(a->out, "Epoch %lld/%d: loss %.4f acc %.2f%%", (long long)state->epoch, a->cli.epochs,
          logs->loss, 100 * logs->accuracy);
  if (a->val)
    fprintf(a->out, " | val loss %.4f acc %.2f%%", logs->val_loss, 100 * logs->val_accuracy);
  if (a->test)
    fprintf(a->out, " | test loss %.4f acc %.2f%%", tl, 100 * ta);
  fprintf(a->out, " | %.1f s, %.0f ex/s, lr %.3g\n", train_wall,
          train_wall > 0 ? (double)a->epoch_examples / train_wall : 0, logs->lr);
  fflush(a->out);

  char file[64];
  snprintf(file, sizeof file, "checkpoint-epoch-%03lld.safetensors", (long long)state->epoch);
  save_checkpoint(a, file);
  if (a->w)
    lm_writer_flush(a->w);
  bool stop = stop_requested != 0;
  if (stop)
    a->stop = true;
  return !stop;
}

/* ----------------------------------------------------------------- resume */

static bool meta_num(const lm_safetensors *ck, const char *key, double *out)
{
  const char *v = lm_safetensors_metadata(ck, key);
  if (!v)
    return false;
  char *end;
  double d = strtod(v, &end);
  if (*end || end == v)
    return false;
  *out = d;
  return true;
}

/* The newest checkpoint-*.safetensors in dir (by modification time) into
 * out; false if there is none. */
static bool newest_checkpoint(const char *dir, char *out, size_t len)
{
  DIR *d = opendir(dir);
  if (!d)
    return false;
  struct dirent *e;
  struct timespec newest = { 0, 0 };
  bool found = false;
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (strncmp(e->d_name, "checkpoint-", 11) != 0 || n < 12 ||
        strcmp(e->d_name + n - 12, ".safetensors") != 0)
      continue;
    char path[PATH_MAX + sizeof e->d_name + 1];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    size_t plen = strlen(path);
    if (plen < len && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
        (!found || sb.st_mtim.tv_sec > newest.tv_sec ||
         (sb.st_mtim.tv_sec == newest.tv_sec && sb.st_mtim.tv_nsec > newest.tv_nsec))) {
      newest = sb.st_mtim;
      memcpy(out, path, plen + 1);
      found = true;
    }
  }
  closedir(d);
  return found;
}

/* Whether a live writer holds dir/run.lumen.lock (the probe readers use,
 * run-format.md: a brief shared flock), with the "pid host" it wrote
 * there into who. */
static bool run_is_being_written(const char *dir, char *who, size_t len)
{
  char lock[PATH_MAX + 24];
  snprintf(lock, sizeof lock, "%s/run.lumen.lock", dir);
  int fd = open(lock, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  const bool held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  if (!held)
    flock(fd, LOCK_UN);
  char buf[300] = "";
  ssize_t got = held ? pread(fd, buf, sizeof buf - 1, 0) : 0;
  close(fd);
  buf[got > 0 ? got : 0] = '\0';
  long pid = 0;
  char host[256] = "";
  if (sscanf(buf, "%ld %255s", &pid, host) >= 1 && pid > 0)
    snprintf(who, len, " (pid %ld%s%s)", pid, host[0] ? " on " : "", host);
  else
    snprintf(who, len, "%s", "");
  return held;
}

/* A new (not resumed) run named with --run whose folder already holds a
 * run: its steps would be added to that run file from step 1 again and
 * its checkpoints overwritten, so it is refused with the way to continue
 * that run instead (a default name is always a new folder).  A run that
 * another process is training now is named as such: removing its folder,
 * or resuming it, would lose that process's work. */
static bool run_folder_is_free(app *a)
{
  if (a->cli.resume || a->default_name)
    return true;
  char dir[PATH_MAX], file[PATH_MAX + 16], ck[PATH_MAX], who[300];
  snprintf(dir, sizeof dir, "%s/%s", a->cli.logdir, a->run_name);
  snprintf(file, sizeof file, "%s/run.lumen", dir);
  const bool has_run = access(file, F_OK) == 0, has_ck = newest_checkpoint(dir, ck, sizeof ck);
  if (!has_run && !has_ck)
    return true;
  if (run_is_being_written(dir, who, sizeof who)) {
    fprintf(a->err, "lumen-train: --run %s: %s is being written now by another process%s; choose another "
            "--run name (or, once that process has ended, continue the run with --resume)\n",
            a->run_name, dir, who);
    return false;
  }
  fprintf(a->err, "lumen-train: --run %s: %s already holds a run (%s); a new run there would "
          "overwrite its checkpoints%s. ", a->run_name, dir,
          has_run && has_ck ? "a run file and checkpoints" : has_run ? "a run file" : "checkpoints",
          has_run && !a->cli.no_log ? " and log its steps a second time into its run file" : "");
  if (has_ck)
    fprintf(a->err, "Continue it with --resume %s, or choose another --run name\n", ck);
  else
    fprintf(a->err, "Choose another --run name (or remove %s)\n", dir);
  return false;
}

/* --resume given a run folder or its run file (an easy slip: both sit next
 * to the checkpoints) gets a message naming a checkpoint to use instead of
 * the safetensors parser's complaint about a header length. */
static bool resume_target_is_checkpoint(app *a)
{
  const char *path = a->cli.resume;
  char dir[PATH_MAX], ck[PATH_MAX];
  const char *what;
  struct stat sb;
  if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    snprintf(dir, sizeof dir, "%s", path);
    what = "a folder";
  } else {
    static const char sqlite_magic[16] = "SQLite format 3";
    char head[16];
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
      fclose(f);
    if (got != sizeof head || memcmp(head, sqlite_magic, sizeof head) != 0)
      return true; /* the checkpoint reader says what is wrong with it */
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
      *slash = '\0';
    else
      snprintf(dir, sizeof dir, ".");
    what = "a run file (run.lumen, an SQLite database)";
  }
  fprintf(a->err, "lumen-train: cannot resume: %s is %s, not a checkpoint; checkpoints are the "
          "checkpoint-*.safetensors files in the run folder", path, what);
  if (newest_checkpoint(dir, ck, sizeof ck))
    fprintf(a->err, ", e.g. the newest: --resume %s\n", ck);
  else
    fprintf(a->err, " (%s has none)\n", dir);
  return false;
}

/* The option values a checkpoint holds are checked as the options would
 * be: a damaged (or hand-edited) one is refused naming its key, where it
 * trained on with a batch size of -5, took 'nan' or 'x' for "not saved"
 * (the default) or turned 1e400 into an int. */
static bool checkpoint_settings_valid(app *a, const lm_safetensors *ck)
{
  static const struct {
    const char *key;
    double min, max; /* max is exclusive where max_open */
    bool integer, min_open, max_open;
    const char *expected;
  } limits[] = {
    { "batch_size", 1, 1 << 20, true, false, false, "an integer from 1 to 1048576" },
    { "epochs", 1, 1000000, true, false, false, "an integer from 1 to 1000000" },
    { "val_split", 0, 1, false, false, true, "a fraction >= 0 and < 1" },
    { "limit_train", 0, 9e18, true, false, false, "an integer >= 0 (0: all)" },
    { "limit_test", 0, 9e18, true, false, false, "an integer >= 0 (0: all)" },
    { "log_every", 1, INT32_MAX, true, false, false, "an integer >= 1" },
    { "hist_every", 0, INT32_MAX, true, false, false, "an integer >= 0" },
    { "normalize", 0, 1, true, false, false, "0 or 1" },
    { "base_lr", 0, INFINITY, false, true, true, "a number > 0" },
    { "lr_step", 0, INT32_MAX, true, false, false, "an integer >= 0" },
    { "lr_patience", 0, INT32_MAX, true, false, false, "an integer >= 0" },
    { "lr_gamma", 0, INFINITY, false, false, true, "a number >= 0" },
    { "momentum", 0, INFINITY, false, false, true, "a number >= 0" },
    { "weight_decay", 0, INFINITY, false, false, true, "a number >= 0" },
  };
  for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
    const char *v = lm_safetensors_metadata(ck, limits[i].key);
    double d;
    if (!v)
      continue; /* an older checkpoint: the option's default */
    bool ok = meta_num(ck, limits[i].key, &d) && (limits[i].min_open ? d > limits[i].min : d >= limits[i].min) &&
              (limits[i].max_open ? d < limits[i].max : d <= limits[i].max) && (!limits[i].integer || d == floor(d));
    if (!ok) {
      fprintf(a->err, "lumen-train: cannot resume: %s: checkpoint metadata '%s' is '%s', expected %s\n",
              a->cli.resume, limits[i].key, v, limits[i].expected);
      return false;
    }
  }
  return true;
}

/* Takes the checkpoint's settings for every option not given explicitly;
 * an explicit option that disagrees is refused (it would not continue the
 * same run). */
static bool adopt_checkpoint_settings(app *a, const lm_safetensors *ck)
{
  lm_train_cli *c = &a->cli;
  const char *path = c->resume;
  const char *s;
  double d;
  if (!checkpoint_settings_valid(a, ck))
    return false;
#define CONFLICT(opt, fmt, was, now) \
  do { \
    fprintf(a->err, "lumen-train: %s: the checkpoint was trained with " opt " " fmt ", not " fmt \
            " (leave the option out to continue that run)\n", path, was, now); \
    return false; \
  } while (0)
  if ((s = lm_safetensors_metadata(ck, "model"))) {
    if (c->set_model && strcmp(s, c->model) != 0)
      CONFLICT("--model", "%s", s, c->model);
    c->model = lm_train_cli_model_name(s);
    if (!c->model) {
      fprintf(a->err, "lumen-train: %s: checkpoint is for model '%s', lumen-train trains %s\n",
              path, s, LM_TRAIN_MODELS);
      return false;
    }
  }
  if ((s = lm_safetensors_metadata(ck, "optimizer_option"))) {
    if (c->set_optimizer && strcmp(s, c->optimizer) != 0)
      CONFLICT("--optimizer", "%s", s, c->optimizer);
    c->optimizer = strcmp(s, "sgd") == 0        ? "sgd"
                   : strcmp(s, "adamw") == 0    ? "adamw"
                   : strcmp(s, "adadelta") == 0 ? "adadelta"
                                                : "adam";
  }
  /* checkpoints from before --lr-scheduler used StepLR */
  s = lm_safetensors_metadata(ck, "lr_scheduler");
  s = s ? s : "step";
  if (c->set_lr_scheduler && strcmp(s, c->lr_scheduler) != 0)
    CONFLICT("--lr-scheduler", "%s", s, c->lr_scheduler);
  c->lr_scheduler = strcmp(s, "exponential") == 0 ? "exponential"
                    : strcmp(s, "cosine") == 0    ? "cosine"
                    : strcmp(s, "plateau") == 0   ? "plateau"
                                                  : "step";
  /* --lr-step and --lr-patience against that scheduler, before their values */
  if (!lm_train_cli_check(c, a->err))
    return false;
  if ((s = lm_safetensors_metadata(ck, "seed"))) {
    uint64_t seed = strtoull(s, NULL, 10);
    if (c->set_seed && seed != c->seed)
      CONFLICT("--seed", "%llu", (unsigned long long)seed, (unsigned long long)c->seed);
    c->seed = seed;
  }
  if (meta_num(ck, "batch_size", &d)) {
    if (c->set_batch_size && (int)d != c->batch_size)
      CONFLICT("--batch-size", "%d", (int)d, c->batch_size);
    c->batch_size = (int)d;
  }
  if (meta_num(ck, "val_split", &d)) {
    if (c->set_val_split && d != c->val_split)
      CONFLICT("--val-split", "%g", d, c->val_split);
    c->val_split = d;
  }
  if (meta_num(ck, "limit_train", &d)) {
    if (c->set_limit_train && (int64_t)d != c->limit_train)
      CONFLICT("--limit-train", "%lld", (long long)d, (long long)c->limit_train);
    c->limit_train = (int64_t)d;
  }
  if (meta_num(ck, "normalize", &d)) {
    if (c->set_normalize && (d != 0) != c->normalize)
      CONFLICT("normalisation", "%s", d != 0 ? "on" : "off", c->normalize ? "on" : "off");
    c->normalize = d != 0;
  }
  if (meta_num(ck, "base_lr", &d)) {
    if (c->set_lr && d != c->lr)
      CONFLICT("--lr", "%g", d, c->lr);
    c->lr = d;
  }
  if (meta_num(ck, "lr_step", &d)) {
    if (c->set_lr_step && (int)d != c->lr_step)
      CONFLICT("--lr-step", "%d", (int)d, c->lr_step);
    c->lr_step = (int)d;
  }
  /* checkpoints from before --lr-patience kept plateau's patience in lr_step */
  if (meta_num(ck, "lr_patience", &d) ||
      (strcmp(c->lr_scheduler, "plateau") == 0 && meta_num(ck, "lr_step", &d))) {
    if (c->set_lr_patience && (int)d != c->lr_patience)
      CONFLICT("--lr-patience", "%d", (int)d, c->lr_patience);
    c->lr_patience = (int)d;
  }
  if (meta_num(ck, "lr_gamma", &d)) {
    if (c->set_lr_gamma && d != c->lr_gamma)
      CONFLICT("--lr-gamma", "%g", d, c->lr_gamma);
    c->lr_gamma = d;
  }
  if (meta_num(ck, "momentum", &d)) {
    if (c->set_momentum && d != c->momentum)
      CONFLICT("--momentum", "%g", d, c->momentum);
    c->momentum = d;
  }
  if (meta_num(ck, "weight_decay", &d)) {
    if (c->set_weight_decay && d != c->weight_decay)
      CONFLICT("--weight-decay", "%g", d, c->weight_decay);
    c->weight_decay = d;
  }
  if (!c->set_epochs && meta_num(ck, "epochs", &d))
    c->epochs = (int)d;
#undef CONFLICT
  if (!c->run && (s = lm_safetensors_metadata(ck, "run")))
    snprintf(a->run_name, sizeof a->run_name, "%s", s);
  /* The data, the test set's size and the log folder of the run, unless
   * given: the same data and the same run file as an uninterrupted run. */
  if (!c->set_data_dir && (s = lm_safetensors_metadata(ck, "data_dir"))) {
    snprintf(a->ck_data_dir, sizeof a->ck_data_dir, "%s", s);
    c->data_dir = a->ck_data_dir;
  }
  if (!c->set_limit_test && meta_num(ck, "limit_test", &d))
    c->limit_test = (int64_t)d;
  if (!c->set_log_every && meta_num(ck, "log_every", &d) && d >= 1)
    c->log_every = (int)d;
  if (!c->set_hist_every && meta_num(ck, "hist_every", &d) && d >= 0)
    c->hist_every = (int)d;
  if (!c->set_logdir && a->run_name[0]) {
    /* LOGDIR/RUN/checkpoint-....safetensors: the folder the checkpoint sits
     * in (it may have moved since), else the folder recorded in it. */
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
      *slash = '\0';
    else
      snprintf(dir, sizeof dir, ".");
    size_t dl = strlen(dir), rl = strlen(a->run_name);
    if (strcmp(dir, a->run_name) == 0) {
      snprintf(a->ck_logdir, sizeof a->ck_logdir, ".");
    } else if (dl > rl && strcmp(dir + dl - rl, a->run_name) == 0 && dir[dl - rl - 1] == '/') {
      dir[dl - rl - 1] = '\0';
      snprintf(a->ck_logdir, sizeof a->ck_logdir, "%s", dir[0] ? dir : "/");
    } else if ((s = lm_safetensors_metadata(ck, "logdir"))) {
      snprintf(a->ck_logdir, sizeof a->ck_logdir, "%s", s);
    }
    if (a->ck_logdir[0])
      c->logdir = a->ck_logdir;
  }
  return true;
}

/* ------------------------------------------------------------------- run */

static bool load_data(app *a)
{
  char *error = NULL;
  lm_dataset *train = lm_dataset_load_dir(a->cli.data_dir, "train", &error);
  if (!train) {
    fprintf(a->err, "lumen-train: --data: %s\n", error);
    free(error);
    return false;
  }
  if (lm_dataset_channels(train) != 1 || lm_dataset_height(train) != 28 || lm_dataset_width(train) != 28) {
    fprintf(a->err, "lumen-train: --data: %s: the %s model takes 1x28x28 images, the data set has %dx%dx%d\n",
            a->cli.data_dir, a->cli.model, lm_dataset_channels(train), lm_dataset_height(train),
            lm_dataset_width(train));
    lm_dataset_release(train);
    return false;
  }
  if (lm_dataset_num_classes(train) > 10) {
    fprintf(a->err, "lumen-train: --data: %s: the training labels (train-labels) go up to %d, the models have 10 outputs\n", a->cli.data_dir,
            lm_dataset_num_classes(train) - 1);
    lm_dataset_release(train);
    return false;
  }
  lm_dataset *test = lm_dataset_load_dir(a->cli.data_dir, "test", &error);
  if (!test) {
    fprintf(a->err, "lumen-train: --data: %s\n", error);
    free(error);
    lm_dataset_release(train);
    return false;
  }
  bool bad_data = false;
  char why[256];
  if (lm_dataset_len(train) == 0) {
    bad_data = true;
    snprintf(why, sizeof why, "the training set (train-images) has no images");
  } else if (lm_dataset_len(test) == 0) {
    bad_data = true;
    snprintf(why, sizeof why, "the test set (t10k-images) has no images");
  } else if (lm_dataset_channels(test) != 1 || lm_dataset_height(test) != 28 ||
             lm_dataset_width(test) != 28) {
    bad_data = true;
    snprintf(why, sizeof why, "the test images (t10k-images) are %dx%dx%d, the training images 1x28x28",
             lm_dataset_channels(test), lm_dataset_height(test), lm_dataset_width(test));
  } else if (lm_dataset_num_classes(test) > 10) {
    bad_data = true;
    snprintf(why, sizeof why, "the test labels (t10k-labels) go up to %d, the models have 10 outputs",
             lm_dataset_num_classes(test) - 1);
  }
  if (bad_data) {
    fprintf(a->err, "lumen-train: --data: %s: %s\n", a->cli.data_dir, why);
    lm_dataset_release(train);
    lm_dataset_release(test);
    return false;
  }
  if (a->cli.limit_train > 0 && a->cli.limit_train < lm_dataset_len(train)) {
    lm_dataset *s = lm_dataset_slice(train, 0, a->cli.limit_train);
    lm_dataset_release(train);
    train = s;
  }
  if (a->cli.limit_test > 0 && a->cli.limit_test < lm_dataset_len(test)) {
    lm_dataset *s = lm_dataset_slice(test, 0, a->cli.limit_test);
    lm_dataset_release(test);
    test = s;
  }
  lm_dataset_split(train, a->cli.val_split, &a->train, &a->val);
  lm_dataset_release(train);
  a->test = test;
  if (lm_dataset_len(a->train) == 0) {
    long long n = (long long)(lm_dataset_len(a->train) + (a->val ? lm_dataset_len(a->val) : 0));
    fprintf(a->err, "lumen-train: no training examples left after the validation split "
            "(--val-split %g of %lld %s)\n", a->cli.val_split, n, plural(n, "example", "examples"));
    return false;
  }
  a->n_samples = (int)(lm_dataset_len(test) < N_SAMPLES ? lm_dataset_len(test) : N_SAMPLES);
  for (int i = 0; i < a->n_samples; i++)
    a->sample_idx[i] = i;
  if (a->cli.normalize)
    pixel_stats(a->train, &a->mean, &a->std);
  else
    a->mean = 0, a->std = 0;
  return true;
}

static bool build_model(app *a)
{
  const lm_train_cli *c = &a->cli;
  char *error = NULL;
  lm_manual_seed(c->seed);
  a->model = lm_model_by_name(c->model, &error);
  if (!a->model) {
    fprintf(a->err, "lumen-train: %s\n", error ? error : a->engine_error);
    free(error);
    return false;
  }
  if (a->device.type != LM_DEVICE_CPU && !lm_module_to(a->model, a->device)) {
    fprintf(a->err, "lumen-train: cannot move the model to the GPU: %s\n", a->engine_error);
    return false;
  }
  if (strcmp(c->optimizer, "sgd") == 0) {
    lm_sgd_options so = { .momentum = c->momentum, .weight_decay = c->weight_decay };
    a->opt = lm_optim_sgd(a->model, c->lr, &so);
  } else if (strcmp(c->optimizer, "adadelta") == 0) {
    lm_adadelta_options ado = LM_ADADELTA_DEFAULTS;
    ado.lr = c->lr;
    ado.weight_decay = c->weight_decay;
    a->opt = lm_optim_adadelta(a->model, &ado);
  } else {
    lm_adam_options ao = strcmp(c->optimizer, "adamw") == 0 ? LM_ADAMW_DEFAULTS : LM_ADAM_DEFAULTS;
    if (strcmp(c->model, "keras-cnn") == 0)
      ao.eps = 1e-7; /* keras.optimizers.Adam's epsilon */
    ao.lr = c->lr;
    ao.weight_decay = c->weight_decay;
    a->opt = strcmp(c->optimizer, "adamw") == 0 ? lm_optim_adamw(a->model, &ao) : lm_optim_adam(a->model, &ao);
  }
  if (!a->opt) {
    fprintf(a->err, "lumen-train: cannot create the optimizer: %s\n", a->engine_error);
    return false;
  }
  if (strcmp(c->lr_scheduler, "exponential") == 0)
    a->sched = lm_exponential_lr(a->opt, c->lr_gamma);
  else if (strcmp(c->lr_scheduler, "cosine") == 0)
    a->sched = lm_cosine_annealing_lr(a->opt, c->epochs, 0.0);
  else if (strcmp(c->lr_scheduler, "plateau") == 0) {
    if (c->val_split <= 0) {
      fprintf(a->err, "lumen-train: --lr-scheduler plateau steps on the validation loss: it "
                      "needs --val-split > 0\n");
      return false;
    }
    if (!a->val || lm_dataset_len(a->val) == 0) { /* no val loss: each epoch would count as bad */
      const long long n = (long long)lm_dataset_len(a->train);
      fprintf(a->err, "lumen-train: --lr-scheduler plateau steps on the validation loss, but "
                      "--val-split %g of %lld %s leaves no validation example\n",
              c->val_split, n, plural(n, "example", "examples"));
      return false;
    }
    lm_plateau_options po = LM_PLATEAU_DEFAULTS;
    po.factor = c->lr_gamma;
    po.patience = c->lr_patience;
    a->sched = lm_reduce_lr_on_plateau(a->opt, &po);
  } else if (c->lr_step > 0)
    a->sched = lm_step_lr(a->opt, c->lr_step, c->lr_gamma);
  if ((strcmp(c->lr_scheduler, "step") != 0 || c->lr_step > 0) && !a->sched) {
    fprintf(a->err, "lumen-train: cannot create the lr schedule: %s\n", a->engine_error);
    return false;
  }
  return true;
}

/* Without --run: SummaryWriter's default name (runs/Nov21_07-45-12_host_mlp),
 * claimed through lumen-log so two runs started in the same second get NAME
 * and NAME_2 instead of one run file (also with --no-log: the checkpoints
 * need the folder). */
static bool claim_default_run(app *a)
{
  if (!a->default_name)
    return true;
  char comment[64];
  snprintf(comment, sizeof comment, "_%s", a->cli.model);
  char *name = lm_writer_claim_default_run_name(a->cli.logdir, comment);
  if (!name) {
    fprintf(a->err, "lumen-train: --logdir: %s\n", lm_log_last_error());
    return false;
  }
  snprintf(a->run_name, sizeof a->run_name, "%s", name);
  free(name);
  return true;
}

static bool open_writer(app *a)
{
  if (!claim_default_run(a))
    return false;
  if (a->cli.no_log) {
    snprintf(a->run_dir, sizeof a->run_dir, "%s/%s", a->cli.logdir, a->run_name);
    if (!mkdir_p(a->run_dir)) {
      fprintf(a->err, "lumen-train: --logdir: cannot create %s: %s\n", a->run_dir, strerror(errno));
      return false;
    }
    return true;
  }
  lm_writer_options wo;
  lm_writer_options_init(&wo);
  wo.logdir = a->cli.logdir;
  wo.run_name = a->run_name;
  wo.quiet = false;
  if (a->resumed) {
    /* What the run logged after the checkpoint (it went on, then crashed or
     * was resumed from an earlier epoch) is dropped, as SummaryWriter's
     * purge_step does, so no step shows two values. */
    wo.purge = true;
    wo.purge_step = a->step0 + 1;
  }
  if (lm_writer_open_with(&a->w, &wo) != LM_OK) {
    fprintf(a->err, "lumen-train: --logdir: cannot open the run: %s\n", lm_log_last_error());
    return false;
  }
  snprintf(a->run_dir, sizeof a->run_dir, "%s", lm_writer_run_dir(a->w));
  return true;
}

static void log_start(app *a)
{
  const lm_train_cli *c = &a->cli;
  if (!a->w)
    return;
  lm_hparam hp[] = {
    LM_HP_STRING("model", c->model), LM_HP_STRING("optimizer", c->optimizer),
    LM_HP_NUMBER("lr", c->lr), LM_HP_NUMBER("batch_size", c->batch_size),
    LM_HP_NUMBER("epochs", c->epochs), LM_HP_NUMBER("seed", (double)c->seed),
    LM_HP_NUMBER("momentum", c->momentum), LM_HP_NUMBER("weight_decay", c->weight_decay),
    LM_HP_STRING("lr_scheduler", c->lr_scheduler),
    LM_HP_NUMBER("lr_step", c->lr_step), LM_HP_NUMBER("lr_patience", c->lr_patience),
    LM_HP_NUMBER("lr_gamma", c->lr_gamma),
    LM_HP_NUMBER("val_split", c->val_split), LM_HP_BOOL("normalize", c->normalize),
    LM_HP_STRING("device", c->device), LM_HP_NUMBER("train_examples", (double)lm_dataset_len(a->train)),
    LM_HP_NUMBER("parameters", (double)lm_module_num_parameters(a->model)),
    /* last: GPU runs only */
    LM_HP_BOOL("allow_tf32", lm_cuda_allow_tf32()),
  };
  const char *metrics[] = { "test/accuracy", "test/loss", "val/accuracy", "val/loss" };
  size_t n_hp = sizeof hp / sizeof hp[0] - (a->device.type == LM_DEVICE_CUDA ? 0 : 1);
  log_rc(a, lm_writer_add_hparams(a->w, hp, n_hp, metrics, 4), "hparams");
  /* TensorBoard's Custom Scalars: train, val and test curves on one chart
   * each (the splits this run has); "$" keeps train/loss from taking a
   * longer tag that starts the same.  A resumed run logs it again, which
   * the viewer's merge leaves as one. */
  {
    const char *loss[3] = { "train/loss$" }, *acc[3] = { "train/accuracy$" };
    size_t n = 1;
    if (a->val)
      loss[n] = "val/loss$", acc[n++] = "val/accuracy$";
    if (a->test)
      loss[n] = "test/loss$", acc[n++] = "test/accuracy$";
    lm_custom_layout *layout = NULL;
    int rc = lm_custom_layout_new(&layout);
    if (rc == LM_OK)
      rc = lm_custom_layout_add_multiline(layout, "Overview", "Loss", loss, n);
    if (rc == LM_OK)
      rc = lm_custom_layout_add_multiline(layout, "Overview", "Accuracy", acc, n);
    if (rc == LM_OK)
      rc = lm_writer_add_custom_scalars(a->w, layout);
    log_rc(a, rc, "the custom scalars layout");
    lm_custom_layout_free(layout);
  }
  if (a->step0 == 0)
    log_rc(a, lm_train_log_model_text(a->w, "model/structure", 0, a->model), "the model text");
  char sched_text[96];
  if (strcmp(c->lr_scheduler, "exponential") == 0)
    snprintf(sched_text, sizeof sched_text, "ExponentialLR, gamma %g", c->lr_gamma);
  else if (strcmp(c->lr_scheduler, "cosine") == 0)
    snprintf(sched_text, sizeof sched_text, "CosineAnnealingLR, T_max %d", c->epochs);
  else if (strcmp(c->lr_scheduler, "plateau") == 0)
    snprintf(sched_text, sizeof sched_text, "ReduceLROnPlateau on val loss, factor %g, patience %d",
             c->lr_gamma, c->lr_patience);
  else if (c->lr_step > 0)
    snprintf(sched_text, sizeof sched_text, "StepLR, step %d, gamma %g", c->lr_step, c->lr_gamma);
  else
    snprintf(sched_text, sizeof sched_text, "constant");
  char cfg[2048];
  snprintf(cfg, sizeof cfg,
           "| option | value |\n|---|---|\n| model | %s |\n| data | %s |\n| epochs | %d |\n"
           "| batch size | %d |\n| optimizer | %s |\n| lr | %g |\n| lr schedule | %s |\n"
           "| seed | %llu |\n| device | %s |\n| normalisation | mean %.4f, std %.4f |\n"
           "| train / val / test examples | %lld / %lld / %lld |\n%s%s%s",
           c->model, c->data_dir, c->epochs, c->batch_size, c->optimizer, c->lr, sched_text,
           (unsigned long long)c->seed, c->device, (double)a->mean, (double)a->std,
           (long long)lm_dataset_len(a->train), (long long)(a->val ? lm_dataset_len(a->val) : 0),
           (long long)lm_dataset_len(a->test), c->resume ? "| resumed from | " : "",
           c->resume ? c->resume : "", c->resume ? " |\n" : "");
  log_rc(a, lm_writer_add_text(a->w, "run/config", a->step0, cfg), "the configuration");
}

int lm_train_app_run(const lm_train_cli *cli, FILE *out, FILE *err, lm_train_result *result)
{
  lm_train_result dummy;
  app a = { .cli = *cli, .out = out, .err = err, .res = result ? result : &dummy, .device = LM_CPU };
  memset(a.res, 0, sizeof *a.res);
  a.res->test_loss = a.res->test_accuracy = a.res->val_loss = a.res->val_accuracy = NAN;
  a.res->train_loss = a.res->train_accuracy = NAN;
  a.res->status = LM_RUN_FAILED;
  double t_start = lm_now_seconds();
  int rc = 1;
  lm_safetensors *ck = NULL;
  char *error = NULL;
  lm_set_error_handler(engine_error_handler, &a);

  if (a.cli.resume) {
    if (!resume_target_is_checkpoint(&a))
      goto done;
    ck = lm_checkpoint_read(a.cli.resume, a.cli.set_model ? a.cli.model : NULL, &error);
    if (!ck) {
      fprintf(err, "lumen-train: cannot resume: %s\n", error);
      goto done;
    }
    if (!adopt_checkpoint_settings(&a, ck))
      goto done;
  }
  lm_train_cli_resolve(&a.cli);
  if (!lm_train_cli_check(&a.cli, err))
    goto done;
  if (a.cli.run)
    snprintf(a.run_name, sizeof a.run_name, "%s", a.cli.run);
  else if (!a.run_name[0])
    a.default_name = true; /* claimed when the run opens (claim_default_run) */
  if (!run_folder_is_free(&a)) /* before the data loads: said at once */
    goto done;

  lm_device dev = LM_CPU;
  if (!lm_device_parse(a.cli.device, &dev)) { /* callers that skipped lm_train_cli_parse */
    fprintf(err, "lumen-train: --device: expected cpu, cuda or cuda:N, found '%s'\n", a.cli.device);
    goto done;
  }
  if (dev.type == LM_DEVICE_CUDA) {
    if (!lm_cuda_is_available()) {
      fprintf(err, "lumen-train: --device %s: %s; use --device cpu\n", a.cli.device,
              lm_cuda_unavailable_reason());
      goto done;
    }
    int n_gpus = lm_cuda_device_count();
    if (dev.index >= n_gpus) {
      if (n_gpus == 1)
        fprintf(err, "lumen-train: --device %s: no such GPU; this machine has one, cuda:0\n", a.cli.device);
      else
        fprintf(err, "lumen-train: --device %s: no such GPU; this machine has %d, cuda:0 to cuda:%d\n",
                a.cli.device, n_gpus, n_gpus - 1);
      goto done;
    }
    a.device = dev;
    if (a.cli.allow_tf32) /* else as set by the API or LUMEN_ALLOW_TF32=1 */
      lm_cuda_set_allow_tf32(true);
  } else if (a.cli.allow_tf32) {
    fprintf(err, "lumen-train: --allow-tf32 has no effect with --device cpu\n");
  }
  if (!load_data(&a) || !build_model(&a))
    goto done;

  lm_train_state start = { 0 };
  if (ck) {
    lm_checkpoint_info info;
    if (!lm_checkpoint_get_info(ck, &info, &error)) {
      fprintf(err, "lumen-train: cannot resume: %s: %s\n", a.cli.resume, error);
      goto done;
    }
    /* the schedule continues from its saved state; the checkpoint's lr
     * then overrides the optimizer's */
    if ((a.sched && !load_scheduler_state(&a, ck, info.state.epoch)) || !load_log_window(&a, ck))
      goto done;
    if (!lm_checkpoint_load_model(ck, a.model, &error) ||
        !lm_checkpoint_load_optimizer(ck, a.model, a.opt, &error) || !lm_checkpoint_load_rng(ck, &error)) {
      fprintf(err, "lumen-train: cannot resume: %s: %s\n", a.cli.resume, error);
      goto done;
    }
    start = info.state;
    a.resumed = true;
    a.last = start;
    a.step0 = start.step;
    a.res->steps_done = start.step;
    a.res->epochs_done = start.epoch;
  }

  if (!open_writer(&a))
    goto done;
  snprintf(a.res->run_dir, sizeof a.res->run_dir, "%s", a.run_dir);
  log_start(&a);

  fprintf(out, "lumen-train: %s on %s (%lld train, %lld val, %lld test), %s lr %g, batch %d, %d %s, seed %llu\n",
          a.cli.model, a.cli.data_dir, (long long)lm_dataset_len(a.train),
          (long long)(a.val ? lm_dataset_len(a.val) : 0), (long long)lm_dataset_len(a.test), a.cli.optimizer,
          a.cli.lr, a.cli.batch_size, a.cli.epochs, plural(a.cli.epochs, "epoch", "epochs"),
          (unsigned long long)a.cli.seed);
  if (ck)
    /* counted as "Stopped at epoch E, step S" counts: the epoch a mid-epoch
     * checkpoint is in, 1-based; an epoch checkpoint's last epoch done */
    fprintf(out, "Resuming from %s: %s %lld, step %lld\n", a.cli.resume,
            start.batch > 0 ? "epoch" : "after epoch", (long long)start.epoch + (start.batch > 0),
            (long long)start.step);
  if (ck && start.epoch >= a.cli.epochs && start.batch == 0)
    fprintf(out, "The checkpoint has finished %lld %s and --epochs is %d: nothing left to train; "
            "evaluating it (--epochs %lld or more trains on)\n",
            (long long)start.epoch, plural(start.epoch, "epoch", "epochs"), a.cli.epochs,
            (long long)start.epoch + 1);
  if (a.cli.dry_run)
    fprintf(out, "Dry run (--dry-run): each epoch trains on one batch of %lld examples, the first of "
            "its shuffled order\n", (long long)(a.cli.batch_size < lm_dataset_len(a.train) ? a.cli.batch_size : lm_dataset_len(a.train)));
  fprintf(out, "Run: %s%s\n", a.run_dir, a.w ? "" : " (not logged: --no-log)");
  fflush(out);

  bool tracing = a.cli.trace_every > 0 || a.cli.n_trace_steps > 0 || a.cli.trace_on_anomaly;
  if (tracing || a.cli.profile || a.cli.n_profile_steps > 0) {
    /* profiling alone keeps statistics only: values cost copies and file space */
    size_t cap = a.cli.trace_max_values >= 0 ? (size_t)a.cli.trace_max_values
                 : tracing                   ? LM_TRACER_DEFAULT_VALUES_CAP
                                             : 0;
    a.tracer = lm_train_tracer_new(a.w, a.model, cap);
    if (!a.tracer) {
      fprintf(err, "lumen-train: out of memory for the op tracer\n");
      goto done;
    }
    if (!a.w)
      fprintf(err, "lumen-train: warning: --no-log: traces are not written (anomalies still stop training)\n");
    lm_tracer_attach(lm_train_tracer_recorder(a.tracer));
    trace_begin_step(&a, a.step0 + 1);
  }
  if (!a.cli.no_progress)
    lm_progress_init(&a.prog, out, -1);
  lm_callbacks cb = { .user_data = &a, .on_epoch_begin = on_epoch_begin, .on_batch_end = on_batch_end,
                      .on_epoch_end = on_epoch_end };
  lm_fit_options fo;
  data_options(&a, &fo);
  fo.epochs = a.cli.epochs;
  fo.batch_size = a.cli.batch_size;
  fo.validation_data = a.val;
  fo.seed = a.cli.seed;
  fo.sync_every = a.cli.log_every; /* the loss is needed only then, as PyTorch's loss.item() */
  /* main.py's --dry-run: `break` after batch 0 of each epoch's shuffled
   * loader, so each epoch trains on a different random batch; the
   * validation and test sets are still evaluated whole */
  fo.max_batches = a.cli.dry_run ? 1 : 0;
  fo.scheduler = a.sched;
  fo.initial_state = &start;
  fo.callbacks = &cb;
  bool stopped = false;
  bool ok = lm_fit(a.model, a.opt, a.train, &fo, NULL, &stopped, &error);
  if (!a.cli.no_progress)
    lm_progress_end(&a.prog);

  if (!ok) {
    fprintf(err, "lumen-train: training failed: %s\n", error ? error : a.engine_error);
    if (a.w)
      lm_writer_set_status(a.w, LM_RUN_FAILED);
    goto done;
  }
  note_unprofiled(&a);
  if (a.anomaly) {
    fprintf(err, "lumen-train: anomaly: %s\n", a.anomaly_msg);
    fprintf(err, "lumen-train: stopped at step %lld; %s\n", (long long)a.anomaly_step,
            a.w ? "the step's op-by-op trace is in the run" : "no trace written (--no-log)");
    if (a.w)
      fprintf(err, "lumen-train: step through it: lumen --logdir %s --view debugger --step %lld --op %lld\n",
              a.cli.logdir, (long long)a.anomaly_step, (long long)a.anomaly_op);
    a.res->steps_done = a.anomaly_step;
    goto done; /* rc 1: the run is marked failed */
  }
  if (stopped || a.stop) {
    if (a.last.batch > 0) {
      /* stopped mid-epoch: this is the only checkpoint of where we are */
      a.res->train_seconds += a.t_last_batch - a.t_epoch;
      a.res->train_cpu_seconds += a.cpu_last_batch - a.cpu_epoch;
      a.res->train_examples += a.epoch_examples;
      char file[64];
      snprintf(file, sizeof file, "checkpoint-step-%06lld.safetensors", (long long)a.last.step);
      save_checkpoint(&a, file); /* a failure is named; the run is still 'stopped' */
    }
    if (a.w) {
      note_missing_files(&a);
      lm_writer_set_status(a.w, LM_RUN_STOPPED);
    }
    print_stop(&a);
    a.res->status = LM_RUN_STOPPED;
    a.res->steps_done = a.last.step;
    rc = 0;
    goto done;
  }
  if (isnan(a.res->test_accuracy)) {
    /* nothing left to train (resumed a finished run): still report the test set */
    lm_fit_options eo;
    data_options(&a, &eo);
    lm_evaluate(a.model, a.test, a.cli.test_batch_size, &eo, &a.res->test_loss, &a.res->test_accuracy, NULL);
  }
  fprintf(out, "Test accuracy: %.2f%% (loss %.4f) after %lld %s\n", 100 * a.res->test_accuracy,
          a.res->test_loss, (long long)a.res->epochs_done, plural(a.res->epochs_done, "epoch", "epochs"));
  if (a.cli.save_model && !save_model(&a))
    a.model_save_failed = true; /* the run is done; the exit status says the file is missing */
  if (a.w) {
    log_embedding(&a);
    note_missing_files(&a);
    lm_writer_set_status(a.w, LM_RUN_FINISHED);
  }
  a.res->status = LM_RUN_FINISHED;
  rc = 0;

done:
  if (a.tracer)
    lm_train_tracer_free(a.tracer); /* detaches the op hook */
  lm_set_op_timing(false);
  lm_set_op_memory(false);
  free(error);
  lm_safetensors_free(ck);
  if (a.w) {
    /* A run whose logging failed (a full disk) is not 'finished' or
     * 'stopped': it stops at the fault, which the writer records with the
     * status, and the exit status is 1.  The flush finds a fault the last
     * records met. */
    if (rc != 0 || a.log_failures || lm_writer_flush(a.w) != LM_OK)
      lm_writer_set_status(a.w, LM_RUN_FAILED);
    if (lm_writer_close(a.w) != LM_OK) {
      fprintf(err, "lumen-train: the run file may be incomplete: %s\n", lm_log_last_error());
      a.log_failures++;
    }
  }
  /* Training went on through write errors; the exit status still says that
   * something the user asked for (a checkpoint, the run file, the
   * --save-model file) is missing. */
  if (rc == 0 && (a.log_failures || a.checkpoint_failures || a.model_save_failed)) {
    char what[128] = "", logs[64] = "";
    if (a.checkpoint_failures)
      snprintf(what, sizeof what, "%d %s%s", a.checkpoint_failures,
               plural(a.checkpoint_failures, "checkpoint", "checkpoints"),
               a.log_failures || a.model_save_failed ? " and " : "");
    if (a.model_save_failed)
      snprintf(what + strlen(what), sizeof what - strlen(what), "the --save-model file%s",
               a.log_failures ? " and " : "");
    if (a.log_failures)
      snprintf(logs, sizeof logs, "%lld run file %s", (long long)a.log_failures,
               plural(a.log_failures, "write", "writes"));
    fprintf(err, "lumen-train: %s, but %s%s failed (see the messages above); exiting with status 1\n",
            a.res->status == LM_RUN_STOPPED ? "stopped" : "finished", what, logs);
    rc = 1;
  }
  lm_lr_scheduler_free(a.sched);
  lm_optimizer_free(a.opt);
  lm_module_free(a.model);
  lm_dataset_release(a.train);
  lm_dataset_release(a.val);
  lm_dataset_release(a.test);
  lm_set_error_handler(NULL, NULL);
  a.res->total_seconds = lm_now_seconds() - t_start;
  return rc;
}
