/* fit.c: Keras-style model.fit / evaluate / predict for classifiers.
 *
 * fit() is the explicit PyTorch loop (zero_grad, forward, cross-entropy,
 * backward, step) wrapped with the bookkeeping every training script
 * rewrites: epochs, shuffled batches, running loss and accuracy, validation,
 * a learning-rate schedule, per-epoch history and callbacks. Each step runs
 * in its own engine scope, so a fit of any length runs in flat memory.
 *
 * Resuming: the train state (epoch, batch, step, the epoch's running sums)
 * goes in and comes out through the callbacks; together with the loader's
 * (seed, epoch) order and the engine generator restored from a checkpoint, a
 * resumed fit takes exactly the steps the uninterrupted one would have.
 *
 * Not here: logging (app/train/), progress bars (callbacks do that).
 */
#include "lm-backend.h"
#include "lm-engine-private.h"
#include "lumen-train.h"
#include "train/lm-train-private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

lm_tensor *lm_loss_of(lm_loss_kind kind, const lm_tensor *output, const lm_tensor *target)
{
  switch (kind) {
  case LM_LOSS_CROSS_ENTROPY:
    return lm_cross_entropy(output, target);
  case LM_LOSS_NLL:
    return lm_nll_loss(output, target);
  case LM_LOSS_CATEGORICAL_CROSSENTROPY: {
    /* Keras' clip, in float32 as Keras computes it: epsilon() = 1e-7; only
     * the target's term of -sum(one_hot * log(p)) is non-zero */
    const float eps = 1e-7f;
    return lm_nll_loss(lm_log(lm_clamp(output, eps, 1.0f - eps)), target);
  }
  }
  lm_error("loss: unknown loss kind %d", (int)kind);
  return NULL;
}

void lm_fit_options_init(lm_fit_options *opts)
{
  memset(opts, 0, sizeof *opts);
  opts->epochs = 1;
  opts->batch_size = 32;
  opts->device = LM_CPU;
}

void lm_history_clear(lm_history *h)
{
  if (!h)
    return;
  free(h->logs);
  h->logs = NULL;
  h->epochs = 0;
}

int64_t lm_count_correct(const lm_tensor *logits, const lm_tensor *labels)
{
  if (!logits || !labels) {
    lm_error("count_correct: %s is NULL", logits ? "labels" : "logits");
    return -1;
  }
  if (logits->ndim != 2 || labels->ndim != 1 || labels->shape[0] != logits->shape[0]) {
    char a[LM_SHAPE_STR_LEN], b[LM_SHAPE_STR_LEN];
    lm_error("count_correct: expected logits (N, C) and labels (N), got logits %s and labels %s",
             lm_shape_str(logits, a, sizeof a), lm_shape_str(labels, b, sizeof b));
    return -1;
  }
  if (!lm_check_dtype("count_correct", labels, LM_INT64, "labels") ||
      !lm_check_float("count_correct", logits))
    return -1;
  int64_t b = logits->shape[0], c = logits->shape[1];
  float *host = malloc((size_t)(b * c > 0 ? b * c : 1) * sizeof *host);
  int64_t *lab = malloc((size_t)(b ? b : 1) * sizeof *lab);
  int64_t correct = 0;
  if (host && lab) {
    lm_tensor_copy_to_host(logits, host);
    if (labels->device.type == LM_DEVICE_CPU && lm_is_contiguous(labels)) {
      memcpy(lab, lm_data_i64(labels), (size_t)b * sizeof *lab);
    } else {
      lm_scope_begin();
      lm_tensor *cpu = lm_contiguous(lm_to(labels, LM_CPU));
      if (cpu)
        memcpy(lab, lm_data_i64(cpu), (size_t)b * sizeof *lab);
      lm_scope_end();
    }
    for (int64_t i = 0; i < b; i++) {
      const float *row = host + i * c;
      int64_t best = 0;
      for (int64_t k = 1; k < c; k++)
        if (row[k] > row[best]) /* first maximum wins, like torch.argmax */
          best = k;
      correct += best == lab[i];
    }
  }
  free(host);
  free(lab);
  return correct;
}

/* ---- the steps' figures, read back in batches ----
 * Each step's loss and correct count go to one row of a small (cap, 2)
 * tensor on the step's device (one kernel, lm_backend.step_stats_f32); the
 * host reads the rows back together, one copy and one wait for cap steps,
 * and adds them up in double in step order, as it would one by one. */
typedef struct {
  lm_tensor *rows;     /* (cap, 2) float32 on the device: loss, correct */
  float *host;         /* (cap, 2) */
  int64_t *sizes;      /* batch size of each pending row */
  int64_t cap, n;      /* rows, rows written and not read yet */
  lm_train_state *st;  /* the sums a read adds to */
  lm_step_info *info;  /* the step a read reports to (NULL: none) */
} step_stats;

static bool stats_init(step_stats *s, int64_t cap, lm_device dev, lm_train_state *st)
{
  memset(s, 0, sizeof *s);
  s->cap = cap;
  s->st = st;
  s->rows = lm_tensor_new_unscoped(2, (const int64_t[]){ cap, 2 }, LM_FLOAT32, dev);
  s->host = malloc((size_t)cap * 2 * sizeof *s->host);
  s->sizes = malloc((size_t)cap * sizeof *s->sizes);
  return s->rows && s->host && s->sizes;
}

static void stats_free(step_stats *s)
{
  lm_tensor_release(s->rows);
  free(s->host);
  free(s->sizes);
}

/* Adds one step's figures to the sums and the reported window. */
static void stats_add(step_stats *s, double l, int64_t c, int64_t size)
{
  s->st->loss_sum += l * (double)size;
  s->st->correct += c;
  s->st->seen += size;
  lm_step_info *i = s->info;
  if (i) {
    i->synced = true;
    i->loss = l;
    i->accuracy = (double)c / (double)size;
    i->window_steps++;
    i->window_loss_sum += l * (double)size;
    i->window_correct += c;
    i->window_examples += size;
  }
}

/* Reads the pending rows back (one wait) and adds them up. */
static void stats_read(step_stats *s)
{
  if (s->n == 0)
    return;
  lm_tensor_copy_to_host(s->rows, s->host);
  for (int64_t r = 0; r < s->n; r++)
    stats_add(s, s->host[2 * r], (int64_t)s->host[2 * r + 1], s->sizes[r]);
  s->n = 0;
}

/* Queues the step's figures; reads them (and the pending ones) back when
 * read_now. Logits that are not (N, C) float32 with N int64 labels are
 * counted on the host at once (lm_count_correct says what is wrong). */
static void stats_step(step_stats *s, lm_tensor *out, lm_tensor *y, lm_tensor *loss, int64_t size,
                       bool read_now)
{
  const lm_backend *be = lm_backend_of_tensor(out);
  if (out->ndim == 2 && out->dtype == LM_FLOAT32 && y->ndim == 1 && y->dtype == LM_INT64 &&
      y->shape[0] == out->shape[0] && loss->dtype == LM_FLOAT32 && lm_numel(loss) == 1 && be &&
      be == lm_backend_of_tensor(y) && be == lm_backend_of_tensor(loss)) {
    lm_tensor *o = lm_contiguous(out), *t = lm_contiguous(y);
    be->step_stats_f32(o->shape[0], o->shape[1], lm_data_f32(o), lm_data_i64(t), lm_data_f32(loss),
                       lm_data_f32(s->rows) + 2 * s->n);
    s->sizes[s->n++] = size;
    if (read_now || s->n == s->cap)
      stats_read(s);
    return;
  }
  stats_read(s);
  const double l = lm_item(loss);
  stats_add(s, l, lm_count_correct(out, y), size);
}

void lm_step_info_sync(const lm_step_info *info)
{
  if (!info || info->synced || !info->fit_private)
    return;
  stats_read(info->fit_private);
}

static lm_loader *make_loader(lm_dataset *ds, const lm_fit_options *o, int64_t batch, bool shuffle)
{
  lm_loader_options lo;
  lm_loader_options_init(&lo);
  lo.batch_size = batch;
  lo.shuffle = shuffle;
  lo.seed = o ? o->seed : 0;
  lo.flatten = o && o->flatten;
  lo.mean = o ? o->mean : 0;
  lo.std = o ? o->std : 0;
  lo.device = o ? o->device : LM_CPU; /* on a GPU: the data set goes there once */
  return lm_loader_new(ds, &lo);
}

/* Runs the model over one pass of loader l (unshuffled, restarted here)
 * without gradients in eval mode. Either accumulates loss/accuracy or copies
 * outputs into *out (n x classes, malloc'd). The loader is the caller's, so
 * fit() keeps one for its validation set across epochs: on a GPU the data
 * set is copied there once, not once per epoch. */
static bool run_eval_loader(lm_module *model, lm_loader *l, lm_device dev, lm_loss_kind kind,
                            double *loss, double *accuracy, float **out, int64_t *out_cols,
                            char **error)
{
  lm_loader_start_epoch(l, 0);
  bool was_training = lm_module_is_training(model);
  lm_module_eval(model);
  bool prev = lm_set_grad_enabled(false);
  int64_t seen = 0, n = lm_loader_num_examples(l);
  bool ok = true;
  float *res = NULL;
  /* the batches' losses and correct counts stay on the device until the end */
  lm_train_state sums = { 0 };
  step_stats stats = { 0 };
  const bool on_cpu = dev.type == LM_DEVICE_CPU;
  const uint64_t errors = lm_error_serial();
  if (!out && !stats_init(&stats, on_cpu ? 1 : lm_loader_num_batches(l) + 1, dev, &sums)) {
    stats_free(&stats);
    lm_set_grad_enabled(prev);
    lm_module_train(model, was_training);
    lm_train_set_error(error, "evaluate: out of memory");
    return false;
  }
  for (;;) {
    lm_scope_begin();
    lm_batch b;
    if (!lm_loader_next(l, &b)) {
      lm_scope_end();
      break;
    }
    lm_tensor *x = lm_to(b.x, dev), *y = lm_to(b.y, dev);
    lm_tensor *o = lm_module_forward(model, x);
    if (!o || o->ndim != 2) {
      lm_train_set_error(error, "evaluate: the model failed on a batch: %s",
                         o ? "its output is not (batch, classes)" : lm_last_error());
      lm_scope_end();
      ok = false;
      break;
    }
    if (out) {
      if (!res) {
        *out_cols = o->shape[1];
        res = malloc((size_t)(n * o->shape[1] > 0 ? n * o->shape[1] : 1) * sizeof *res);
        if (!res) {
          lm_train_set_error(error, "predict: out of memory");
          lm_scope_end();
          ok = false;
          break;
        }
      }
      lm_tensor_copy_to_host(o, res + seen * *out_cols);
    } else {
      lm_tensor *lt = lm_loss_of(kind, o, y);
      if (lt)
        stats_step(&stats, o, y, lt, b.size, on_cpu);
      if (!lt || lm_error_serial() != errors) {
        lm_train_set_error(error, "evaluate: %s", lm_last_error());
        lm_scope_end();
        ok = false;
        break;
      }
    }
    seen += b.size;
    lm_scope_end();
  }
  if (!out) {
    stats_read(&stats); /* a GPU reports a bad label here */
    if (ok && lm_error_serial() != errors) {
      lm_train_set_error(error, "evaluate: %s", lm_last_error());
      ok = false;
    }
    stats_free(&stats);
  }
  lm_set_grad_enabled(prev);
  lm_module_train(model, was_training);
  if (!ok) {
    free(res);
    return false;
  }
  if (loss)
    *loss = seen ? sums.loss_sum / (double)seen : NAN;
  if (accuracy)
    *accuracy = seen ? (double)sums.correct / (double)seen : NAN;
  if (out) {
    if (!res) { /* empty data set */
      res = malloc(sizeof *res);
      *out_cols = 0;
    }
    *out = res;
  }
  return true;
}

static int64_t eval_batch_size(int64_t batch_size)
{
  return batch_size > 0 ? batch_size : 256;
}

/* run_eval_loader over a loader of its own for ds. */
static bool run_eval(lm_module *model, lm_dataset *ds, int64_t batch_size, const lm_fit_options *opts,
                     double *loss, double *accuracy, float **out, int64_t *out_cols, char **error)
{
  if (!model || !ds) {
    lm_train_set_error(error, "evaluate: model and data set are required");
    return false;
  }
  lm_loader *l = make_loader(ds, opts, eval_batch_size(batch_size), false);
  if (!l) {
    lm_train_set_error(error, "evaluate: out of memory");
    return false;
  }
  bool ok = run_eval_loader(model, l, opts ? opts->device : LM_CPU,
                            opts ? opts->loss : LM_LOSS_CROSS_ENTROPY, loss, accuracy, out, out_cols,
                            error);
  lm_loader_free(l);
  return ok;
}

bool lm_evaluate(lm_module *model, lm_dataset *ds, int64_t batch_size, const lm_fit_options *opts,
                 double *loss, double *accuracy, char **error)
{
  return run_eval(model, ds, batch_size, opts, loss, accuracy, NULL, NULL, error);
}

lm_tensor *lm_predict(lm_module *model, lm_dataset *ds, int64_t batch_size, const lm_fit_options *opts,
                      char **error)
{
  float *res = NULL;
  int64_t cols = 0;
  if (!run_eval(model, ds, batch_size, opts, NULL, NULL, &res, &cols, error))
    return NULL;
  lm_tensor *t = lm_tensor_from_data(res, 2, (int64_t[]){ lm_dataset_len(ds), cols });
  free(res);
  return t;
}

static bool history_push(lm_history *h, const lm_epoch_logs *logs)
{
  if (!h)
    return true;
  lm_epoch_logs *n = realloc(h->logs, (size_t)(h->epochs + 1) * sizeof *n);
  if (!n)
    return false;
  h->logs = n;
  h->logs[h->epochs++] = *logs;
  return true;
}

bool lm_fit(lm_module *model, lm_optimizer *opt, lm_dataset *train,
            const lm_fit_options *opts, lm_history *history, bool *stopped, char **error)
{
  lm_fit_options o;
  if (opts)
    o = *opts;
  else
    lm_fit_options_init(&o);
  if (o.epochs <= 0)
    o.epochs = 1;
  if (o.batch_size <= 0)
    o.batch_size = 32;
  if (stopped)
    *stopped = false;
  if (history)
    memset(history, 0, sizeof *history);
  if (!model || !opt || !train) {
    lm_train_set_error(error, "fit: model, optimizer and training data are required");
    return false;
  }
  if (o.loss < LM_LOSS_CROSS_ENTROPY || o.loss > LM_LOSS_CATEGORICAL_CROSSENTROPY) {
    lm_train_set_error(error, "fit: unknown loss kind %d", (int)o.loss);
    return false;
  }
  if (!(o.validation_split >= 0 && o.validation_split < 1)) {
    lm_train_set_error(error, "fit: validation_split must be in [0, 1), got %g", o.validation_split);
    return false;
  }

  lm_dataset *train_ds = NULL, *val_ds = NULL;
  if (o.validation_data) {
    train_ds = lm_dataset_retain(train);
    val_ds = lm_dataset_retain(o.validation_data);
  } else if (o.validation_split > 0) {
    lm_dataset_split(train, o.validation_split, &train_ds, &val_ds);
  } else {
    train_ds = lm_dataset_retain(train);
  }
  if (!train_ds || lm_dataset_len(train_ds) == 0) {
    lm_train_set_error(error, "fit: no training examples (data set of %lld, validation_split %g)",
                       (long long)lm_dataset_len(train), o.validation_split);
    lm_dataset_release(train_ds);
    lm_dataset_release(val_ds);
    return false;
  }
  if (lm_lr_scheduler_needs_metric(o.scheduler) && (!val_ds || lm_dataset_len(val_ds) == 0)) {
    /* a NaN val loss each epoch would count as bad and cut the lr */
    lm_train_set_error(error, "fit: ReduceLROnPlateau steps on the validation loss: give "
                              "validation_split or validation_data (at least one example)");
    lm_dataset_release(train_ds);
    lm_dataset_release(val_ds);
    return false;
  }
  lm_loader *loader = make_loader(train_ds, &o, o.batch_size, !o.no_shuffle);
  /* One validation loader for every epoch (no copy to the device per epoch). */
  lm_loader *val_loader =
    val_ds ? make_loader(val_ds, &o, o.batch_size > 256 ? o.batch_size : 256, false) : NULL;
  if (!loader || (val_ds && !val_loader)) { /* out of memory, on the host or the device */
    lm_train_set_error(error, "fit: cannot make the data loader: %s",
                       lm_last_error()[0] ? lm_last_error() : "out of memory");
    lm_loader_free(loader);
    lm_loader_free(val_loader);
    lm_dataset_release(train_ds);
    lm_dataset_release(val_ds);
    return false;
  }
  const lm_callbacks *cb = o.callbacks;
  void *ud = cb ? cb->user_data : NULL;
  lm_train_state st = o.initial_state ? *o.initial_state : (lm_train_state){ 0 };
  int64_t nb = lm_loader_num_batches(loader);
  if (o.max_batches > 0 && o.max_batches < nb)
    nb = o.max_batches;
  bool ok = true, stop = false;
  const bool on_cpu = o.device.type == LM_DEVICE_CPU;
  const int64_t sync_every = on_cpu || o.sync_every < 1 ? 1 : o.sync_every;
  step_stats stats;
  if (!stats_init(&stats, sync_every, o.device, &st)) {
    lm_train_set_error(error, "fit: out of memory");
    stats_free(&stats);
    lm_loader_free(loader);
    lm_loader_free(val_loader);
    lm_dataset_release(train_ds);
    lm_dataset_release(val_ds);
    return false;
  }

  if (cb && cb->on_train_begin)
    cb->on_train_begin(ud, &st);

  for (int64_t epoch = st.epoch; ok && !stop && epoch < o.epochs; epoch++) {
    lm_loader_start_epoch(loader, epoch);
    if (st.batch > 0)
      lm_loader_seek(loader, st.batch);
    else
      st.loss_sum = 0, st.correct = 0, st.seen = 0;
    if (cb && cb->on_epoch_begin)
      cb->on_epoch_begin(ud, epoch, nb);
    lm_module_train(model, true);
    double lr = lm_optimizer_get_lr(opt);
    double t_train = 0;
    int64_t seen_here = 0;

    while (st.batch < nb) {
      lm_scope_begin();
      lm_batch b;
      if (!lm_loader_next(loader, &b)) {
        lm_scope_end();
        break;
      }
      double t0 = now_seconds();
      const uint64_t errors = lm_error_serial();
      lm_tensor *x = lm_to(b.x, o.device), *y = lm_to(b.y, o.device);
      lm_optimizer_zero_grad(opt);
      lm_tensor *out = lm_module_forward(model, x);
      lm_tensor *loss = lm_loss_of(o.loss, out, y);
      if (!loss) {
        lm_train_set_error(error, "fit: step %lld failed: %s", (long long)st.step + 1, lm_last_error());
        lm_scope_end();
        ok = false;
        break;
      }
      lm_backward(loss, NULL, false);
      lm_optimizer_step(opt);
      lm_step_info info = {
        .epoch = epoch, .batch = b.index, .num_batches = nb, .step = st.step + 1, .loss = NAN,
        .accuracy = NAN, .batch_size = b.size, .data = &b, .output = out, .loss_tensor = loss,
        .state = &st, .fit_private = &stats,
      };
      stats.info = &info;
      /* the read waits for an asynchronous device */
      stats_step(&stats, out, y, loss, b.size,
                 (st.step + 1) % sync_every == 0 || b.index + 1 == nb);
      if (lm_error_serial() != errors) { /* e.g. a bad label, found by the GPU */
        lm_train_set_error(error, "fit: step %lld failed: %s", (long long)st.step + 1, lm_last_error());
        stats.info = NULL;
        lm_scope_end();
        ok = false;
        break;
      }
      double dt = now_seconds() - t0;
      info.step_seconds = dt;
      t_train += dt;
      seen_here += b.size;
      st.batch++;
      st.step++;
      if (info.synced && !isfinite(info.window_loss_sum) && o.verbose)
        fprintf(stderr, "fit: warning: loss is %g by step %lld\n",
                info.window_loss_sum / (double)info.window_examples, (long long)st.step);
      if (cb && cb->on_batch_end && !cb->on_batch_end(ud, &info))
        stop = true;
      stats.info = NULL;
      if (lm_error_serial() != errors) { /* a read the callback asked for (lm_step_info_sync) */
        lm_train_set_error(error, "fit: step %lld failed: %s", (long long)st.step, lm_last_error());
        lm_scope_end();
        ok = false;
        break;
      }
      lm_scope_end();
      if (stop)
        break;
    }
    if (!ok || (stop && st.batch < nb))
      break; /* stopped mid-epoch: no epoch summary, the state says where */

    lm_epoch_logs logs = {
      .epoch = epoch, .loss = st.seen ? st.loss_sum / (double)st.seen : NAN,
      .accuracy = st.seen ? (double)st.correct / (double)st.seen : NAN,
      .val_loss = NAN, .val_accuracy = NAN, .lr = lr, .seconds = t_train,
      .examples_per_sec = t_train > 0 ? (double)seen_here / t_train : 0,
    };
    if (val_loader && !run_eval_loader(model, val_loader, o.device, o.loss, &logs.val_loss,
                                       &logs.val_accuracy, NULL, NULL, error)) {
      ok = false;
      break;
    }
    if (o.scheduler) /* ReduceLROnPlateau watches the val loss; the others ignore it */
      lm_lr_scheduler_step_metric(o.scheduler, logs.val_loss);
    st.epoch = epoch + 1;
    st.batch = 0;
    if (!history_push(history, &logs)) {
      lm_train_set_error(error, "fit: out of memory");
      ok = false;
      break;
    }
    if (o.verbose) {
      printf("Epoch %lld/%d - %.1fs - loss: %.4f - accuracy: %.4f", (long long)epoch + 1, o.epochs,
             logs.seconds, logs.loss, logs.accuracy);
      if (val_ds)
        printf(" - val_loss: %.4f - val_accuracy: %.4f", logs.val_loss, logs.val_accuracy);
      printf("\n");
      fflush(stdout);
    }
    if (cb && cb->on_epoch_end && !cb->on_epoch_end(ud, &logs, &st))
      stop = true;
    st.loss_sum = 0, st.correct = 0, st.seen = 0;
  }
  if (cb && cb->on_train_end)
    cb->on_train_end(ud, history, stop);
  if (stopped)
    *stopped = stop;
  stats_free(&stats);
  lm_loader_free(loader);
  lm_loader_free(val_loader);
  lm_dataset_release(train_ds);
  lm_dataset_release(val_ds);
  return ok;
}
