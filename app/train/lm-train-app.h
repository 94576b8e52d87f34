/* lm-train-app.h: lumen-train's whole run as a function.
 *
 * main.c parses the command line, installs the Ctrl-C handler and calls
 * lm_train_app_run(); the tests and the logging-overhead benchmark call it
 * directly with a filled lm_train_cli. Everything a run does (data, model,
 * optimizer, resume, fit with progress bar, logging, checkpoints, final test
 * accuracy) is in train-app.c.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lm-train-cli.h"

typedef struct {
  int status;              /* 1 finished, 2 failed, 3 stopped (lm_run_status values) */
  int64_t epochs_done;     /* epochs completed (including resumed ones) */
  int64_t steps_done;      /* optimizer steps in total */
  double test_loss, test_accuracy; /* NaN if no test set was evaluated */
  double val_loss, val_accuracy;   /* last epoch's; NaN without validation */
  double train_loss, train_accuracy; /* last epoch's */
  double train_seconds;    /* wall time of this process's training epochs: data,
                            * steps and per-step logging (no evaluation) */
  double train_cpu_seconds; /* the same in CPU time of the whole process
                            * (BLAS and logging writer threads included) */
  double total_seconds;    /* the whole run */
  int64_t train_examples;  /* examples trained on by this process */
  char run_dir[4096];
  char checkpoint[4096];   /* the last checkpoint written ("" if none) */
  char model_file[4096];   /* --save-model's file ("" if none) */
} lm_train_result;

/* Runs training as lumen-train does. Progress and summaries go to out,
 * errors to err. Returns the exit status: 0 finished or stopped, 1 failed.
 * While it runs, engine errors are caught (the run is marked 'failed'
 * instead of aborting); the engine's default error handler is back
 * afterwards. */
int lm_train_app_run(const lm_train_cli *cli, FILE *out, FILE *err, lm_train_result *result);

/* Async-signal-safe: asks the running training to stop after the current
 * step (what Ctrl-C does). */
void lm_train_app_request_stop(void);
/* Clears a pending stop request (between runs in one process). */
void lm_train_app_clear_stop(void);
