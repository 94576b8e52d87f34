/* trace-capture.c: op-by-op traces and NaN hunting in your own training loop.
 *
 * What lumen-train's --trace-steps and --trace-on-anomaly do, by hand: an
 * lm_tracer (engine, lumen-trace.h) records each step's forward and
 * backward ops with statistics and values; lm_train_tracer (the glue
 * library lumen-train-log, lm-train-trace.h) writes the steps you choose
 * into the run file as traces of the logged autograd graph, for
 * `lumen --logdir runs` to step through.
 *
 * A small MLP learns random data; steps 1 and 10 are traced. At step
 * NAN_STEP (default 15) one input value is made NaN, as a corrupt batch
 * would be: the tracer sees the first op whose output holds a NaN, the
 * program writes that step's trace, names the op and stops (as PyTorch's
 * torch.autograd.detect_anomaly would raise).
 *
 *   ./trace-capture [LOGDIR] [NAN_STEP]     (default: runs, 15; 0: no NaN)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lm-train-trace.h>   /* lumen-train-log: graphs and traces of engine steps */
#include <lumen-log.h>
#include <lumen-train.h>

#define BATCH 32
#define FEATURES 16
#define CLASSES 4

int main(int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (argv[i][0] == '-' || i > 2) { /* --help, or anything it does not take */
      fprintf(i > 2 || strcmp(argv[i], "--help") ? stderr : stdout,
              "usage: %s [LOGDIR] [NAN_STEP]\n"
              "  trains a small MLP, traces steps 1 and 10 and the step whose input\n"
              "  holds a NaN (default 15; 0: none) into LOGDIR/trace-capture (default runs)\n",
              argv[0]);
      return i <= 2 && !strcmp(argv[i], "--help") ? 0 : 2;
    }
  const char *logdir = argc > 1 ? argv[1] : "runs";
  char *end = NULL;
  long nan_step = argc > 2 ? strtol(argv[2], &end, 10) : 15;
  if (argc > 2 && (end == argv[2] || *end != '\0' || nan_step < 0)) {
    fprintf(stderr, "trace-capture: NAN_STEP must be a step number >= 0 (0: no NaN); got '%s'\n",
            argv[2]);
    return 2;
  }

  lm_manual_seed(0);
  lm_module *model = lm_model_mlp_ex(FEATURES, 32, CLASSES); /* Flatten, Linear, ReLU, Linear */
  lm_optimizer *opt = lm_optim_sgd(model, 0.1, NULL);
  lm_writer *w = NULL;
  if (lm_writer_open(&w, logdir, "trace-capture") != LM_OK) {
    fprintf(stderr, "trace-capture: %s\n", lm_log_last_error());
    return 1;
  }

  /* values of tensors up to 1M elements are kept; bigger ones: statistics */
  lm_train_tracer *tt = lm_train_tracer_new(w, model, LM_TRACER_DEFAULT_VALUES_CAP);
  lm_tracer *rec = lm_train_tracer_recorder(tt);
  lm_tracer_attach(rec); /* from now on every op with a graph node is seen */

  int status = 0;
  for (int64_t step = 1; step <= 20; step++) {
    lm_scope_begin();
    lm_tracer_reset(rec, step); /* the trace of this step starts empty */
    lm_tensor *x = lm_randn(LM_SHAPE(BATCH, FEATURES));
    int64_t labels[BATCH];
    for (int i = 0; i < BATCH; i++)
      labels[i] = i % CLASSES;
    lm_tensor *y = lm_tensor_from_int64(labels, LM_SHAPE(BATCH));
    if (step == nan_step)
      lm_data_f32(x)[5] = NAN; /* the corrupt batch */

    lm_optimizer_zero_grad(opt);
    lm_tensor *loss = lm_cross_entropy(lm_module_forward(model, x), y);
    lm_backward(loss, NULL, false);

    if (step == 1) /* the graph once; later traces point into it */
      lm_train_tracer_log_graph(tt, step, loss, NULL);
    bool anomaly = lm_tracer_anomaly(rec) >= 0;
    if (step == 1 || step == 10 || anomaly) {
      if (lm_train_tracer_write(tt, loss, NULL) != LM_OK)
        fprintf(stderr, "trace-capture: %s\n", lm_log_last_error());
      printf("step %lld: traced %zu ops (%.1f KiB in memory)\n", (long long)step,
             lm_tracer_count(rec), (double)lm_tracer_bytes(rec) / 1024);
    }
    if (anomaly) {
      char msg[512];
      lm_tracer_describe_anomaly(rec, msg, sizeof msg);
      fprintf(stderr, "trace-capture: %s\n", msg);
      lm_scope_end();
      status = 1;
      break;
    }
    lm_optimizer_step(opt);
    lm_writer_add_scalar(w, "train/loss", step, lm_item(loss));
    lm_scope_end();
  }

  lm_train_tracer_free(tt); /* detaches the tracer from the engine */
  if (status)
    lm_writer_set_status(w, LM_RUN_FAILED);
  lm_writer_close(w);
  lm_optimizer_free(opt);
  lm_module_free(model);
  printf("Open the run with: lumen --logdir %s\n", logdir);
  return status;
}
