/* bench-train-step.c: Lumen's training step against PyTorch's, on this CPU.
 *
 * For the MLP (784-128-10, ReLU, batch 64) and CNN (Conv-ReLU-Pool x2,
 * Linear-ReLU-Dropout-Linear, batch 32) it times one training step (zero_grad,
 * forward, cross-entropy, backward, Adam step, inside a per-step scope) and
 * prints the median over the timed steps. Then it runs
 * bench_vs_pytorch.py (same models, same batch, same optimizer) with 1 and 2
 * threads, keeps PyTorch's faster setting per model, and prints the ratio
 * Lumen / PyTorch (below 1.0: Lumen is faster). Last, it runs 10,000 MLP steps
 * and prints the resident memory after step 1,000 and step 10,000.
 *
 * Usage: bench-train-step [--models mlp,cnn] [--steps N] [--no-torch]
 *                         [--no-memory] [--python PATH] [--script PATH]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lumen-nn.h"

#ifndef LM_BENCH_SCRIPT
#define LM_BENCH_SCRIPT "bench_vs_pytorch.py"
#endif

static double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

typedef struct {
  const char *name;
  const char *title;
  int batch;
} model_info;

static const model_info MODELS[] = {
  {"mlp", "MLP 784-128-10", 64},
  {"cnn", "CNN conv32-conv64-fc128", 32},
};

static lm_module *make_model(const char *name)
{
  if (strcmp(name, "mlp") == 0)
    return LM_SEQUENTIAL(lm_nn_linear(784, 128), lm_nn_relu(), lm_nn_linear(128, 10));
  return LM_SEQUENTIAL(
    lm_nn_conv2d(1, 32, 3, 1, 1), lm_nn_relu(), lm_nn_max_pool2d(2, 0, 0),
    lm_nn_conv2d(32, 64, 3, 1, 1), lm_nn_relu(), lm_nn_max_pool2d(2, 0, 0),
    lm_nn_flatten(), lm_nn_linear(3136, 128), lm_nn_relu(), lm_nn_dropout(0.5f),
    lm_nn_linear(128, 10));
}

/* One training step, as a user writes it. Returns the loss. */
static float train_step(lm_module *model, lm_optimizer *opt, const lm_tensor *x,
                        const lm_tensor *y)
{
  lm_scope_begin();
  lm_optimizer_zero_grad(opt);
  lm_tensor *loss = lm_cross_entropy(lm_module_forward(model, x), y);
  lm_backward(loss, NULL, false);
  lm_optimizer_step(opt);
  float l = lm_item(loss);
  lm_scope_end();
  return l;
}

static void make_data(const model_info *mi, lm_tensor **x, lm_tensor **y)
{
  int64_t labels[64];
  for (int i = 0; i < mi->batch; i++)
    labels[i] = (i * 7) % 10;
  *y = lm_tensor_from_int64(labels, LM_SHAPE(mi->batch));
  *x = strcmp(mi->name, "mlp") == 0 ? lm_randn(LM_SHAPE(mi->batch, 784))
                                    : lm_randn(LM_SHAPE(mi->batch, 1, 28, 28));
}

static double time_lumen(const model_info *mi, int steps, int warmup)
{
  lm_manual_seed(0);
  lm_module *model = make_model(mi->name);
  lm_optimizer *opt = lm_optim_adam(model, NULL);
  lm_tensor *x, *y;
  make_data(mi, &x, &y);
  double *t = malloc((size_t)steps * sizeof *t);
  for (int i = 0; i < warmup; i++)
    train_step(model, opt, x, y);
  for (int i = 0; i < steps; i++) {
    double t0 = now_ms();
    train_step(model, opt, x, y);
    t[i] = now_ms() - t0;
  }
  double med = median(t, steps);
  free(t);
  lm_tensor_release(x);
  lm_tensor_release(y);
  lm_optimizer_free(opt);
  lm_module_free(model);
  return med;
}

static long rss_kib(void)
{
  FILE *f = fopen("/proc/self/statm", "r");
  long size = 0, resident = -1;
  if (f) {
    if (fscanf(f, "%ld %ld", &size, &resident) != 2)
      resident = -1;
    fclose(f);
  }
  return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void memory_run(void)
{
  const model_info *mi = &MODELS[0];
  lm_manual_seed(1);
  lm_module *model = make_model("mlp");
  lm_optimizer *opt = lm_optim_adam(model, NULL);
  lm_tensor *x, *y;
  make_data(mi, &x, &y);
  long rss1000 = 0;
  double t0 = now_ms();
  float first = 0, last = 0;
  for (int step = 1; step <= 10000; step++) {
    float l = train_step(model, opt, x, y);
    if (step == 1)
      first = l;
    last = l;
    if (step == 1000)
      rss1000 = rss_kib();
  }
  long rss10000 = rss_kib();
  printf("\nmemory: 10,000 Adam steps of the MLP (batch 64) in %.1f s, loss %.3f -> %.5f\n",
         (now_ms() - t0) / 1e3, first, last);
  printf("  RSS after step 1,000: %ld KiB   after step 10,000: %ld KiB   growth: %+ld KiB\n",
         rss1000, rss10000, rss10000 - rss1000);
  lm_tensor_release(x);
  lm_tensor_release(y);
  lm_optimizer_free(opt);
  lm_module_free(model);
}

/* Runs the PyTorch script; fills best[] (ms) and threads[] per model, 0 if absent. */
static int run_torch(const char *python, const char *script, const char *models, int steps,
                     double *best, int *threads)
{
  char cmd[2048];
  char steps_arg[32] = "";
  if (steps > 0)
    snprintf(steps_arg, sizeof steps_arg, " --steps %d", steps);
  snprintf(cmd, sizeof cmd, "'%s' '%s' --models %s --threads 1,2%s", python, script, models,
           steps_arg);
  FILE *p = popen(cmd, "r");
  if (!p) {
    fprintf(stderr, "bench-train-step: cannot run %s\n", cmd);
    return -1;
  }
  static int header_shown;
  char line[512];
  while (fgets(line, sizeof line, p)) {
    char model[16];
    int th = 0;
    double ms = 0;
    if (sscanf(line, "RESULT %15s threads=%d median_ms=%lf", model, &th, &ms) == 3) {
      for (size_t i = 0; i < sizeof MODELS / sizeof MODELS[0]; i++) {
        if (strcmp(model, MODELS[i].name) == 0 && (best[i] == 0 || ms < best[i])) {
          best[i] = ms;
          threads[i] = th;
        }
      }
    } else if (line[0] == '#' && !header_shown) {
      fputs(line, stdout);
      header_shown = 1;
    }
  }
  int rc = pclose(p);
  if (rc != 0)
    fprintf(stderr, "bench-train-step: %s exited with status %d\n", cmd, rc);
  return rc;
}

int main(int argc, char **argv)
{
  const char *models = "mlp,cnn", *python = "/usr/bin/python3", *script = LM_BENCH_SCRIPT;
  int steps = 0, torch = 1, memory = 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--models") == 0 && i + 1 < argc)
      models = argv[++i];
    else if (strcmp(argv[i], "--steps") == 0 && i + 1 < argc)
      steps = atoi(argv[++i]);
    else if (strcmp(argv[i], "--python") == 0 && i + 1 < argc)
      python = argv[++i];
    else if (strcmp(argv[i], "--script") == 0 && i + 1 < argc)
      script = argv[++i];
    else if (strcmp(argv[i], "--no-torch") == 0)
      torch = 0;
    else if (strcmp(argv[i], "--no-memory") == 0)
      memory = 0;
    else {
      fprintf(stderr, "usage: %s [--models mlp,cnn] [--steps N] [--no-torch] [--no-memory] "
                      "[--python PATH] [--script PATH]\n", argv[0]);
      return 2;
    }
  }
  if (getenv("LM_PYTHON"))
    python = getenv("LM_PYTHON");

  const size_t n_models = sizeof MODELS / sizeof MODELS[0];
  double lumen[2] = {0}, best[2] = {0};
  int threads[2] = {0};
  if (torch && access(script, R_OK) != 0) {
    fprintf(stderr, "bench-train-step: %s not found; PyTorch column left empty\n", script);
    torch = 0;
  }
  /* Model by model, Lumen then PyTorch right after, so both see the same
   * machine (load on a shared machine drifts over minutes). */
  for (size_t i = 0; i < n_models; i++) {
    if (!strstr(models, MODELS[i].name))
      continue;
    int s = steps > 0 ? steps : (i == 0 ? 200 : 40);
    lumen[i] = time_lumen(&MODELS[i], s, 10);
    if (torch)
      run_torch(python, script, MODELS[i].name, steps, best, threads);
  }

  printf("\none training step (zero_grad, forward, cross-entropy, backward, Adam), median\n");
  printf("%-26s %5s %12s %18s %7s\n", "model", "batch", "Lumen ms", "PyTorch ms (thr)", "ratio");
  for (size_t i = 0; i < n_models; i++) {
    if (lumen[i] == 0)
      continue;
    printf("%-26s %5d %12.3f", MODELS[i].title, MODELS[i].batch, lumen[i]);
    if (best[i] > 0)
      printf(" %13.3f (%d) %7.2f\n", best[i], threads[i], lumen[i] / best[i]);
    else
      printf(" %18s %7s\n", "-", "-");
  }
  fflush(stdout);
  if (memory)
    memory_run();
  return 0;
}
