/* bench-op-timing.c: what op timing (lm_set_op_timing) and memory
 * profiling (lm_set_op_memory) cost.
 *
 * Prints, on this CPU: the monotonic clock's cost per reading; a tiny op's
 * time (relu of 16 floats, so the op's fixed cost dominates) with timing
 * off, with an op hook installed, and with timing on; and the median MLP
 * (784-128-10, batch 64) and CNN training step with timing off and on
 * (with a hook that only counts, so recording statistics is not part of
 * the figure), and with timing and memory profiling on together (as
 * lumen-train --profile runs them) and memory profiling alone. Off, an op
 * and an allocation each pay one branch on a global flag, which the tiny
 * op's figure shows is within noise.
 *
 * Usage: bench-op-timing [--steps N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lumen-nn.h"

static int cmp_i64(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static double median_ns(int64_t *v, int n)
{
  qsort(v, (size_t)n, sizeof *v, cmp_i64);
  return (double)v[n / 2];
}

static void count_hook(const lm_hook_event *ev, void *data)
{
  (void)ev;
  (*(int64_t *)data)++;
}

/* ns per relu of 16 floats, median of 31 rounds of 20,000 calls */
static double tiny_op_ns(void)
{
  int64_t r[31];
  lm_tensor *x = lm_randn(LM_SHAPE(16));
  lm_tensor_set_requires_grad(x, true);
  for (int k = 0; k < 31; k++) {
    int64_t t0 = lm_clock_ns();
    lm_scope_begin();
    for (int i = 0; i < 20000; i++)
      lm_relu(x);
    lm_scope_end();
    r[k] = (lm_clock_ns() - t0) / 20000;
  }
  lm_tensor_release(x);
  return median_ns(r, 31);
}

static double step_ms(const char *model_name, int steps)
{
  lm_manual_seed(0);
  bool mlp = strcmp(model_name, "mlp") == 0;
  int batch = mlp ? 64 : 32;
  lm_module *model = mlp ? LM_SEQUENTIAL(lm_nn_linear(784, 128), lm_nn_relu(), lm_nn_linear(128, 10))
                         : LM_SEQUENTIAL(lm_nn_conv2d(1, 32, 3, 1, 1), lm_nn_relu(), lm_nn_max_pool2d(2, 0, 0),
                                         lm_nn_conv2d(32, 64, 3, 1, 1), lm_nn_relu(), lm_nn_max_pool2d(2, 0, 0),
                                         lm_nn_flatten(), lm_nn_linear(3136, 128), lm_nn_relu(),
                                         lm_nn_linear(128, 10));
  lm_optimizer *opt = lm_optim_adam(model, NULL);
  int64_t labels[64];
  for (int i = 0; i < batch; i++)
    labels[i] = (i * 7) % 10;
  lm_tensor *y = lm_tensor_from_int64(labels, LM_SHAPE(batch));
  lm_tensor *x = mlp ? lm_randn(LM_SHAPE(batch, 784)) : lm_randn(LM_SHAPE(batch, 1, 28, 28));
  int64_t *t = malloc((size_t)steps * sizeof *t);
  for (int i = -3; i < steps; i++) {
    int64_t t0 = lm_clock_ns();
    lm_scope_begin();
    lm_optimizer_zero_grad(opt);
    lm_tensor *loss = lm_cross_entropy(lm_module_forward(model, x), y);
    lm_backward(loss, NULL, false);
    lm_optimizer_step(opt);
    lm_scope_end();
    if (i >= 0)
      t[i] = lm_clock_ns() - t0;
  }
  double med = median_ns(t, steps) / 1e6;
  free(t);
  lm_tensor_release(x);
  lm_tensor_release(y);
  lm_optimizer_free(opt);
  lm_module_free(model);
  return med;
}

int main(int argc, char **argv)
{
  int steps = 50;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--steps") == 0 && i + 1 < argc) {
      steps = atoi(argv[++i]);
    } else {
      fprintf(stderr, "usage: bench-op-timing [--steps N]\n");
      return 2;
    }
  }
  if (steps < 1)
    steps = 1;

  int64_t c0 = lm_clock_ns();
  int64_t sink = 0;
  for (int i = 0; i < 1000000; i++)
    sink += lm_clock_ns() & 1;
  printf("clock (CLOCK_MONOTONIC) reading: %.1f ns%s\n", (double)(lm_clock_ns() - c0) / 1e6,
         sink < 0 ? "" : "");

  double off = tiny_op_ns();
  int64_t calls = 0;
  int h = lm_add_op_hook(count_hook, &calls);
  double hooked = tiny_op_ns();
  lm_set_op_timing(true);
  double on = tiny_op_ns();
  lm_set_op_memory(true);
  double on_mem = tiny_op_ns();
  lm_set_op_timing(false);
  double mem_only = tiny_op_ns();
  lm_set_op_memory(false);
  double off_again = tiny_op_ns();
  printf("relu of 16 floats (with autograd): %.0f ns timing off, no hook; %.0f ns off, a hook; "
         "%.0f ns timing on, a hook; %.0f ns timing and memory on; %.0f ns memory alone; "
         "%.0f ns off again\n", off, hooked, on, on_mem, mem_only, off_again);

  const char *models[] = {"mlp", "cnn"};
  for (int m = 0; m < 2; m++) {
    double s_off = step_ms(models[m], steps);
    lm_set_op_timing(true);
    double s_on = step_ms(models[m], steps);
    lm_set_op_memory(true);
    double s_mem = step_ms(models[m], steps);
    lm_set_op_timing(false);
    double s_mem_only = step_ms(models[m], steps);
    lm_set_op_memory(false);
    printf("%s training step (Adam, median of %d, a counting hook): %.3f ms timing off, %.3f ms on (%+.1f%%)\n",
           models[m], steps, s_off, s_on, 100.0 * (s_on - s_off) / s_off);
    printf("%s training step, memory profiling: %.3f ms off, %.3f ms on with timing (%+.1f%% over timing "
           "alone), %.3f ms on alone (%+.1f%% over off)\n",
           models[m], s_off, s_mem, 100.0 * (s_mem - s_on) / s_on, s_mem_only, 100.0 * (s_mem_only - s_off) / s_off);
  }
  lm_remove_op_hook(h);
  return 0;
}
