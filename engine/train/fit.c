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
static bool run_eval_loader(lm_module *model, lm_loader *l, lm_device dev, double *loss,
                            double *accuracy, float **out, int64_t *out_cols, char **error)
{
  lm_loader_start_epoch(l, 0);
  bool was_training = lm_module_is_training(model);
  lm_module_eval(model);
  bool prev = lm_set_grad_enabled(false);
  double loss_sum = 0;
  int64_t correct = 0, seen = 0, n = lm_loader_num_examples(l);
  bool ok = true;
  float *res = NULL;
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
      const uint64_t errors = lm_error_serial();
      lm_tensor *lt = lm_cross_entropy(o, y);
      const double v = lt ? lm_item(lt) : 0.0; /* a GPU reports a bad label here */
      if (!lt || lm_error_serial() != errors) {
        lm_train_set_error(error, "evaluate: %s", lm_last_error());
        lm_scope_end();
        ok = false;
        break;
      }
      loss_sum += v * (double)b.size;
      correct += lm_count_correct(o, y);
    }
    seen += b.size;
    lm_scope_end();
  }
  lm_set_grad_enabled(prev);
  lm_module_train(model, was_training);
  if (!ok) {
    free(res);
    return false;
  }
  if (loss)
    *loss = seen ? loss_sum / (double)seen : NAN;
  if (accuracy)
    *accuracy = seen ? (double)correct / (double)seen : NAN;
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
  bool ok = run_eval_loader(model, l, opts ? opts->device : LM_CPU, loss, accuracy, out, out_cols,
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
  bool ok = true, stop = false;

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

    for (;;) {
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
      lm_tensor *loss = lm_cross_entropy(out, y);
      if (!loss) {
        lm_train_set_error(error, "fit: step %lld failed: %s", (long long)st.step + 1, lm_last_error());
        lm_scope_end();
        ok = false;
        break;
      }
      lm_backward(loss, NULL, false);
      lm_optimizer_step(opt);
      double l = lm_item(loss); /* also waits for an asynchronous device */
      if (lm_error_serial() != errors) { /* e.g. a bad label, found by the GPU */
        lm_train_set_error(error, "fit: step %lld failed: %s", (long long)st.step + 1, lm_last_error());
        lm_scope_end();
        ok = false;
        break;
      }
      double dt = now_seconds() - t0;
      int64_t c = lm_count_correct(out, y);
      t_train += dt;
      seen_here += b.size;
      st.batch++;
      st.step++;
      st.loss_sum += l * (double)b.size;
      st.correct += c;
      st.seen += b.size;
      if (!isfinite(l) && o.verbose)
        fprintf(stderr, "fit: warning: loss is %g at step %lld\n", l, (long long)st.step);
      if (cb && cb->on_batch_end) {
        lm_step_info info = {
          .epoch = epoch, .batch = b.index, .num_batches = nb, .step = st.step, .loss = l,
          .accuracy = (double)c / (double)b.size, .batch_size = b.size, .step_seconds = dt,
          .data = &b, .output = out, .loss_tensor = loss, .state = &st,
        };
        if (!cb->on_batch_end(ud, &info))
          stop = true;
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
    if (val_loader && !run_eval_loader(model, val_loader, o.device, &logs.val_loss,
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
  lm_loader_free(loader);
  lm_loader_free(val_loader);
  lm_dataset_release(train_ds);
  lm_dataset_release(val_ds);
  return ok;
}
