/* lm-train-cli.h: lumen-train's command line: options, defaults, parsing.
 *
 * Kept apart from main.c so the tests can check parsing and the --help text
 * without running a training. Plain C, no GLib: lumen-train builds wherever
 * the engine and the logging library do.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
  const char *program;    /* for the commands hints give: argv[0] if it has a '/', else "lumen-train" */
  const char *model;      /* "mlp" | "cnn" | "net" | "keras-cnn" */
  const char *data_dir;   /* IDX directory */
  int epochs;             /* 0 -> 10 for mlp, 5 for cnn, 14 for net, 15 for keras-cnn */
  bool set_epochs;
  int batch_size;         /* 0 -> 64 for mlp and net, 32 for cnn, 128 for keras-cnn */
  double lr;              /* 0 -> 1e-3 (adam, adamw), 0.01 (sgd), 1.0 (adadelta) */
  const char *optimizer;  /* "sgd" | "adam" | "adamw" | "adadelta" */
  double momentum;        /* sgd only; -1 -> 0.9 */
  double weight_decay;    /* -1 -> PyTorch's default (0, adamw 0.01) */
  const char *lr_scheduler; /* "step" | "exponential" | "cosine" (T_max = epochs) | "plateau" */
  int lr_step;            /* StepLR step_size in epochs; -1 -> 70% of epochs (1 with
                             adadelta, as PyTorch's MNIST example), 0 off */
  int lr_patience;        /* ReduceLROnPlateau's patience in epochs; -1 -> 10 (PyTorch's) */
  double lr_gamma;        /* -1 -> 0.1 (step), 0.9 (exponential), 0.7 with adadelta */
  uint64_t seed;          /* 42 */
  const char *device;     /* "cpu" | "cuda" | "cuda:N" (lm_device_parse) */
  bool allow_tf32;        /* cuda: TF32 tensor cores in matmul/linear/conv2d */
  const char *logdir;     /* "runs" */
  const char *run;        /* NULL -> SummaryWriter-style default name */
  int log_every;          /* 50 steps */
  int test_batch_size;    /* batch of the test set's evaluation (main.py's --test-batch-size): 1000 */
  bool dry_run;           /* main.py's --dry-run: one batch per epoch */
  bool save_model;        /* main.py's --save-model: the final parameters as mnist_<model>.safetensors */
  bool no_cuda;           /* main.py's --no-cuda: --device cpu */
  int hist_every;         /* 0: histograms once per epoch only */
  int embedding_samples;  /* test images logged for the projector at the end; 100, 0 off */
  double val_split;       /* 0.1 */
  bool normalize;         /* mean/std of the training set (default on) */
  const char *resume;     /* checkpoint path or NULL */
  bool no_log;
  bool no_progress;
  bool no_pr_curves;      /* per-class PR curves of the test set each epoch (default on) */
  int64_t limit_train;    /* 0: all */
  int64_t limit_test;     /* 0: all */
  bool stop_after_steps_set; /* testing aid: pretend Ctrl-C after N steps */
  /* op-by-op traces: every N steps, listed steps, the step of the
   * first NaN/Inf; values kept up to trace_max_values elements per tensor */
  int64_t trace_every;    /* 0: off */
#define LM_CLI_MAX_TRACE_STEPS 256
  int64_t trace_steps[LM_CLI_MAX_TRACE_STEPS];
  int n_trace_steps;
  bool trace_on_anomaly;
  int64_t trace_max_values; /* -1: LM_TRACER_DEFAULT_VALUES_CAP */
  /* op profiling: these steps are traced with op times (--profile-steps),
   * or steps 2-4 of this run (--profile) */
  int64_t profile_steps[LM_CLI_MAX_TRACE_STEPS];
  int n_profile_steps;
  bool profile;
  /* and count each op's memory (--profile-memory; --profile turns it on) */
  bool profile_memory;
  int64_t stop_after_steps;
  /* which options were given explicitly (a resumed run adopts the
   * checkpoint's settings for the others) */
  bool set_model, set_batch_size, set_seed, set_val_split, set_limit_train, set_normalize,
       set_optimizer, set_lr, set_lr_scheduler, set_lr_step, set_lr_patience, set_lr_gamma, set_momentum, set_weight_decay,
       set_data_dir, set_logdir, set_limit_test, set_log_every, set_hist_every;
} lm_train_cli;

typedef enum {
  LM_CLI_RUN = 0,   /* parsed; go on */
  LM_CLI_EXIT_OK,   /* --help or --version printed */
  LM_CLI_USAGE,     /* bad usage; the message has been printed */
} lm_cli_result;

void lm_train_cli_defaults(lm_train_cli *cli);
/* The models --model takes, for messages */
#define LM_TRAIN_MODELS "mlp, cnn, net or keras-cnn"
/* A --model name as lumen-train stores it ("mnist-net" is "net"); NULL for
 * another name. */
const char *lm_train_cli_model_name(const char *name);
/* Parses argv (printing --help/--version to out, errors to err). The model's
 * example sets the defaults of the options not given: net (main.py's Net)
 * Adadelta, seed 1 and --val-split 0; keras-cnn no normalisation. Options
 * whose default depends on others (epochs, lr, momentum, weight decay,
 * lr step) stay "unset" (0 or -1) until lm_train_cli_resolve(). */
lm_cli_result lm_train_cli_parse(lm_train_cli *cli, int argc, char **argv, FILE *out, FILE *err);
/* Fills the dependent defaults: epochs 10 (mlp) / 5 (cnn) / 14 (net) / 15
 * (keras-cnn), batch 64 / 32 / 64 / 128, lr 1e-3 (0.01 for
 * sgd, 1.0 for adadelta), momentum 0.9 for sgd, weight decay 0.01 for adamw,
 * lr step 70% of the epochs (keras-cnn: 0, a constant lr, as the Keras
 * example) and gamma 0.1 (adadelta: step 1, gamma 0.7, as
 * PyTorch's MNIST example; exponential: gamma 0.9), plateau patience 10.
 * Idempotent. */
void lm_train_cli_resolve(lm_train_cli *cli);
/* The checks between options that lm_train_cli_parse makes once all are
 * read (with --resume and no --lr-scheduler, only after the resumed run
 * adopts its checkpoint's scheduler):
 * --lr-step is StepLR's and --lr-patience ReduceLROnPlateau's. Prints the
 * message to err; false when they do not fit. */
bool lm_train_cli_check(const lm_train_cli *cli, FILE *err);
void lm_train_cli_print_help(FILE *out);
