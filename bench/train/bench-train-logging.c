/* bench-train-logging.c: what full logging costs lumen-train.
 *
 * Runs lumen-train's training (lm_train_app_run, the code behind the CLI)
 * for one epoch twice with logging and twice without, alternating, and
 * prints the best training time of each and the overhead in percent (the
 * issue's target: within 3%). "Training time" is the wall time of the epoch's
 * steps including the per-step logging calls; the per-epoch records
 * (histograms, sample grid, scalars) and the one-off graph are timed
 * separately as the whole-run time. The training thread's CPU time is
 * printed too (all threads, the logging writer's included): on a busy
 * machine it is the steadier measure of the work logging adds.
 *
 * Usage: bench-train-logging [--model mlp|cnn] [--data DIR] [--limit N] [--reps N]
 * Not a test: it prints figures. Runs go to a temporary log dir, removed after.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lm-train-app.h"

int main(int argc, char **argv)
{
  const char *model = "mlp", *data = NULL;
  long limit = 0, reps = 2;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--model") == 0 && i + 1 < argc)
      model = argv[++i];
    else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
      data = argv[++i];
    else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc)
      limit = atol(argv[++i]);
    else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
      reps = atol(argv[++i]);
    else {
      fprintf(stderr, "usage: bench-train-logging [--model mlp|cnn] [--data DIR] [--limit N] [--reps N]\n");
      return 2;
    }
  }
  char logdir[] = "/tmp/lumen-bench-logging-XXXXXX";
  if (!mkdtemp(logdir)) {
    perror("mkdtemp");
    return 1;
  }
  double best[2] = { 1e30, 1e30 }, best_total[2] = { 1e30, 1e30 }, best_cpu[2] = { 1e30, 1e30 };
  FILE *devnull = fopen("/dev/null", "w");
  for (long r = 0; r < reps; r++) {
    for (int log = 1; log >= 0; log--) {
      lm_train_cli cli;
      lm_train_cli_defaults(&cli);
      cli.model = model;
      if (data)
        cli.data_dir = data;
      cli.epochs = 1;
      cli.set_epochs = true;
      cli.limit_train = limit;
      cli.no_log = !log;
      cli.no_progress = true;
      cli.logdir = logdir;
      char run[64];
      snprintf(run, sizeof run, "rep%ld-%s", r, log ? "log" : "nolog");
      cli.run = run;
      lm_train_result res;
      if (lm_train_app_run(&cli, devnull, stderr, &res) != 0)
        return 1;
      if (res.train_seconds < best[log])
        best[log] = res.train_seconds;
      if (res.train_cpu_seconds < best_cpu[log])
        best_cpu[log] = res.train_cpu_seconds;
      if (res.total_seconds < best_total[log])
        best_total[log] = res.total_seconds;
      printf("rep %ld, logging %-3s: epoch %.3f s (CPU %.3f s), whole run %.3f s\n", r,
             log ? "on" : "off", res.train_seconds, res.train_cpu_seconds, res.total_seconds);
      fflush(stdout);
    }
  }
  fclose(devnull);
  printf("\n%s, 1 epoch, best of %ld:\n", model, reps);
  printf("  training epoch: logging off %.3f s, on %.3f s, overhead %+.2f%% (target: within 3%%)\n", best[0],
         best[1], 100 * (best[1] / best[0] - 1));
  printf("  CPU time (all threads): off %.3f s, on %.3f s, overhead %+.2f%%\n", best_cpu[0], best_cpu[1],
         100 * (best_cpu[1] / best_cpu[0] - 1));
  printf("  whole run (with evaluation, histograms, images, graph, checkpoint): off %.3f s, on %.3f s, "
         "overhead %+.2f%%\n", best_total[0], best_total[1], 100 * (best_total[1] / best_total[0] - 1));
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", logdir);
  if (system(cmd) != 0)
    fprintf(stderr, "bench-train-logging: could not remove %s\n", logdir);
  return 0;
}
