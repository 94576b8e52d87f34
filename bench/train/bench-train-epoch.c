/* bench-train-epoch.c: one training epoch on Fashion-MNIST, Lumen vs PyTorch.
 *
 * For each model it trains one epoch with lm_fit() exactly as lumen-train
 * does (batch 64 for the MLP, 32 for the CNN, Adam lr 1e-3, the last 10%
 * held out, normalised pixels;
 * the time covers batching, forward, loss, backward and the optimizer step,
 * not validation), then runs torch_train.py --epochs 1 --time-only (the same
 * model, data, batch size and optimizer; PyTorch at its fastest thread
 * setting, chosen by the script) and prints both times and the ratio
 * Lumen / PyTorch (below 1.0: Lumen is faster).
 *
 * Usage: bench-train-epoch [--models mlp,cnn] [--data DIR] [--limit N]
 *                          [--no-torch] [--python PATH]
 * Not a test: it prints figures. An epoch of the CNN takes a while on 2 cores.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lumen-train.h"

#ifndef LM_TORCH_SCRIPT
#define LM_TORCH_SCRIPT "torch_train.py"
#endif

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct {
  double t0, t_last;
} timing;

static void on_epoch_begin(void *ud, int64_t epoch, int64_t nb)
{
  timing *t = ud;
  t->t0 = t->t_last = now_s();
}

static bool on_batch_end(void *ud, const lm_step_info *s)
{
  timing *t = ud;
  t->t_last = now_s();
  return true;
}

/* Seconds for one epoch of Lumen, or -1. */
static double lumen_epoch(const char *model_name, lm_dataset *full, double *acc_out)
{
  lm_manual_seed(42);
  lm_module *model = lm_model_by_name(model_name, NULL);
  lm_optimizer *opt = lm_optim_adam(model, NULL);
  lm_dataset *train, *val;
  lm_dataset_split(full, 0.1, &train, &val);
  timing t = { 0 };
  lm_callbacks cb = { .user_data = &t, .on_epoch_begin = on_epoch_begin, .on_batch_end = on_batch_end };
  lm_fit_options fo;
  lm_fit_options_init(&fo);
  fo.epochs = 1;
  fo.batch_size = strcmp(model_name, "cnn") == 0 ? 32 : 64; /* lumen-train's defaults */
  fo.validation_data = val;
  fo.seed = 42;
  fo.mean = 0.2860f;
  fo.std = 0.3530f;
  fo.callbacks = &cb;
  lm_history h;
  char *err = NULL;
  bool ok = lm_fit(model, opt, train, &fo, &h, NULL, &err);
  if (!ok) {
    fprintf(stderr, "bench-train-epoch: %s\n", err);
    free(err);
  }
  *acc_out = ok && h.epochs ? h.logs[0].val_accuracy : NAN;
  lm_history_clear(&h);
  lm_dataset_release(train);
  lm_dataset_release(val);
  lm_optimizer_free(opt);
  lm_module_free(model);
  return ok ? t.t_last - t.t0 : -1;
}

/* Runs the PyTorch script and returns its epoch time, or -1. */
static double torch_epoch(const char *python, const char *model, const char *data, int *threads)
{
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' '%s' --model %s --data '%s' --epochs 1 --time-only", python,
           LM_TORCH_SCRIPT, model, data);
  FILE *p = popen(cmd, "r");
  if (!p)
    return -1;
  char line[4096];
  double secs = -1;
  while (fgets(line, sizeof line, p)) {
    const char *e = strstr(line, "\"epoch_seconds\": [");
    const char *th = strstr(line, "\"threads\": ");
    if (e)
      secs = strtod(e + strlen("\"epoch_seconds\": ["), NULL);
    if (th)
      *threads = atoi(th + strlen("\"threads\": "));
  }
  if (pclose(p) != 0)
    return -1;
  return secs;
}

int main(int argc, char **argv)
{
  const char *models = "mlp,cnn", *data = LM_FASHION_MNIST_DIR, *python = "/usr/bin/python3";
  bool torch = true;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--models") == 0 && i + 1 < argc)
      models = argv[++i];
    else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
      data = argv[++i];
    else if (strcmp(argv[i], "--python") == 0 && i + 1 < argc)
      python = argv[++i];
    else if (strcmp(argv[i], "--no-torch") == 0)
      torch = false;
    else {
      fprintf(stderr, "usage: bench-train-epoch [--models mlp,cnn] [--data DIR] [--no-torch] [--python PATH]\n");
      return 2;
    }
  }
  char *err = NULL;
  lm_dataset *full = lm_dataset_load_dir(data, "train", &err);
  if (!full) {
    fprintf(stderr, "bench-train-epoch: %s\n", err);
    free(err);
    return 1;
  }
  printf("One training epoch on %s (54000 examples, batch 64 for mlp / 32 for cnn, Adam lr 1e-3)\n", data);
  printf("%-5s %12s %14s %8s %s\n", "model", "Lumen (s)", "PyTorch (s)", "ratio", "");
  char list[256];
  snprintf(list, sizeof list, "%s", models);
  for (char *m = strtok(list, ","); m; m = strtok(NULL, ",")) {
    double acc = NAN;
    double tl = lumen_epoch(m, full, &acc);
    int threads = 0;
    double tp = torch ? torch_epoch(python, m, data, &threads) : -1;
    if (tp > 0)
      printf("%-5s %12.2f %14.2f %8.2f (Lumen val acc %.2f%% after 1 epoch; PyTorch %d thread%s)\n", m, tl, tp,
             tl / tp, 100 * acc, threads, threads == 1 ? "" : "s");
    else
      printf("%-5s %12.2f %14s %8s (Lumen val acc %.2f%% after 1 epoch)\n", m, tl, "n/a", "n/a", 100 * acc);
    fflush(stdout);
  }
  lm_dataset_release(full);
  return 0;
}
