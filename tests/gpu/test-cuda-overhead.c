/* test-cuda-overhead.c: the host's work per training step on the GPU (suite
 * 'gpu', and 'gpu-emu' on the emulator, where the counts are the same as on
 * a GPU: they are what the host asks of the CUDA runtime).
 *
 * For small models a GPU step costs what the host spends queuing it: kernel
 * launches and cuBLAS calls (a few microseconds each), waits for the stream
 * (the whole queue drains, the GPU then idles while the host queues again)
 * and cudaMalloc/cudaFree (a device-wide synchronisation). The tests train
 * the MLP (batch 64) and the CNN (batch 32) with Adam through lm_fit() with
 * sync_every as lumen-train sets it (--log-every), count per step with
 * lm_cuda_get_counters, print the counts and assert the budgets of the
 * steady state (the second epoch): no cudaMalloc or cudaFree, no copy from
 * the host, and one wait per read of the losses (every sync_every steps and
 * at the epoch's end), none in between. Before fit kept the step figures on
 * the device, every step waited three times (loss.item(), the logits and the
 * labels for the accuracy).
 *
 * Without a GPU (and no emulator) every test skips.
 */
#include "gpu-test.h"

#include "cuda/lm-cuda.h"
#include "lm-backend.h"
#include "lumen-nn.h"
#include "lumen-train.h"

#define MAX_STEPS 64

typedef struct {
  int64_t epoch;                   /* the epoch being measured (the second) */
  lm_cuda_counters last;           /* at the previous step's end, or the epoch's start */
  lm_cuda_counters step[MAX_STEPS];/* per step of the measured epoch */
  bool synced[MAX_STEPS];
  int n;
  lm_cuda_counters validation;     /* the measured epoch's validation pass */
} step_counts;

static void on_epoch_begin(void *ud, int64_t epoch, int64_t num_batches)
{
  step_counts *c = ud;
  (void)num_batches;
  if (epoch == c->epoch)
    lm_cuda_get_counters(&c->last);
}

static bool on_batch_end(void *ud, const lm_step_info *s)
{
  step_counts *c = ud;
  if (s->epoch != c->epoch || c->n >= MAX_STEPS)
    return true;
  lm_cuda_counters now;
  lm_cuda_get_counters(&now);
  c->synced[c->n] = s->synced;
  c->step[c->n++] = lm_cuda_counters_diff(&c->last, &now);
  c->last = now;
  return true;
}

static bool on_epoch_end(void *ud, const lm_epoch_logs *logs, const lm_train_state *state)
{
  step_counts *c = ud;
  (void)state;
  if (logs->epoch == c->epoch) {
    lm_cuda_counters now;
    lm_cuda_get_counters(&now);
    c->validation = lm_cuda_counters_diff(&c->last, &now);
  }
  return true;
}

/* Trains two epochs of `steps` steps and checks the second one's counts. */
static void check_step_budget(const char *name, lm_module *(*build)(void), int64_t batch,
                              bool flatten, int steps, int sync_every, uint64_t max_launches)
{
  if (!gt_need_gpu())
    return;
  lm_cuda_set_allow_tf32(false);
  lm_dataset *ds = gt_synthetic_dataset(batch * steps);
  lm_dataset *val = gt_synthetic_dataset(600); /* 3 batches of 256 */
  lm_manual_seed(7);
  lm_module *m = build();
  gt_assert(lm_module_to(m, LM_CUDA0));
  lm_optimizer *opt = lm_optim_adam(m, NULL);
  step_counts c = { .epoch = 1 };
  lm_callbacks cb = { .user_data = &c, .on_epoch_begin = on_epoch_begin,
                      .on_batch_end = on_batch_end, .on_epoch_end = on_epoch_end };
  lm_fit_options fo;
  lm_fit_options_init(&fo);
  fo.epochs = 2;
  fo.batch_size = batch;
  fo.flatten = flatten;
  fo.seed = 1;
  fo.device = LM_CUDA0;
  fo.sync_every = sync_every;
  fo.validation_data = val;
  fo.callbacks = &cb;
  lm_history h = { 0 };
  char *err = NULL;
  if (!lm_fit(m, opt, ds, &fo, &h, NULL, &err))
    gt_fail("%s: fit failed: %s", name, err);
  gt_assert(c.n == steps && h.epochs == 2);
  gt_assert(isfinite(h.logs[1].loss) && h.logs[1].accuracy >= 0 && h.logs[1].accuracy <= 1);

  const bool caching = !gt_caching_disabled(); /* without the cache every free waits */
  int reads = 0;
  for (int i = 0; i < c.n; i++) {
    const lm_cuda_counters *k = &c.step[i];
    gt_message("%s step %d: %llu launches, %llu cuBLAS calls, %llu memsets, %llu device copies, "
               "%llu waits (%llu copies to the host), %llu copies from the host, %llu cudaMalloc, "
               "%llu cudaFree, %llu allocations from the cache%s",
               name, i, (unsigned long long)k->launches, (unsigned long long)k->blas_calls,
               (unsigned long long)k->memsets, (unsigned long long)k->copies_on_device,
               (unsigned long long)k->syncs, (unsigned long long)k->copies_to_host,
               (unsigned long long)k->copies_from_host, (unsigned long long)k->cuda_mallocs,
               (unsigned long long)k->cuda_frees, (unsigned long long)k->allocs,
               c.synced[i] ? " (losses read back)" : "");
    /* reads at steps sync_every, 2 sync_every, ... and the epoch's last */
    const int64_t step = (int64_t)steps + i + 1;
    gt_assert(c.synced[i] == (step % sync_every == 0 || i == c.n - 1));
    reads += c.synced[i];
    gt_assert(k->launches > 0 && k->blas_calls > 0);
    gt_assert(k->copies_from_host == 0);
    /* no memset either (the losses' bad-label word needs none; a poisoned
     * allocator, LUMEN_CUDA_POISON=1, fills new blocks) */
    if (!getenv("LUMEN_CUDA_POISON"))
      gt_assert(k->memsets == 0);
    if (caching) {
      if (k->cuda_mallocs || k->cuda_frees)
        gt_fail("%s step %d: %llu cudaMalloc and %llu cudaFree calls after warm-up (expected "
                "none: the cache serves every block)", name, i,
                (unsigned long long)k->cuda_mallocs, (unsigned long long)k->cuda_frees);
      if (k->syncs != (c.synced[i] ? 1u : 0u) || k->copies_to_host != k->syncs)
        gt_fail("%s step %d: %llu waits for the GPU (expected %d: the losses and accuracies "
                "are read back once per %d steps)", name, i, (unsigned long long)k->syncs,
                c.synced[i] ? 1 : 0, sync_every);
    }
    /* the same work every step, within the launch budget */
    gt_assert(k->launches == c.step[0].launches && k->blas_calls == c.step[0].blas_calls);
    if (k->launches > max_launches)
      gt_fail("%s step %d: %llu kernel launches (the budget is %llu)", name, i,
              (unsigned long long)k->launches, (unsigned long long)max_launches);
  }
  gt_message("%s: %d steps, %d reads of the losses", name, c.n, reads);
  /* validation: the order's copy to the device and one read at the end
   * (before: 4 waits per batch) */
  const lm_cuda_counters *v = &c.validation;
  gt_message("%s validation (3 batches): %llu launches, %llu cuBLAS calls, %llu waits, %llu "
             "cudaMalloc", name, (unsigned long long)v->launches,
             (unsigned long long)v->blas_calls, (unsigned long long)v->syncs,
             (unsigned long long)v->cuda_mallocs);
  gt_assert(isfinite(h.logs[1].val_loss));
  if (caching && (v->syncs != 2 || v->copies_to_host != 1 || v->copies_from_host != 1))
    gt_fail("%s: the validation pass waited %llu times (expected 2: the order, the losses)", name,
            (unsigned long long)v->syncs);
  lm_history_clear(&h);
  lm_optimizer_free(opt);
  lm_module_free(m);
  lm_dataset_release(ds);
  lm_dataset_release(val);
}

/* Adam over several parameters in one launch gives the bits of one launch
 * per parameter (the same per-element code, each tensor its own step). */
static void test_adam_multi(void)
{
  if (!gt_need_gpu())
    return;
  const lm_backend *be = lm_backend_of(LM_CUDA0);
  gt_assert(be && be->adam_multi_step_f32);
  enum { K = 5 };
  const int64_t sizes[K] = { 1000, 1, 0, 333, 4096 };
  lm_tensor *dev[2][K][4]; /* [path][tensor][p, g, m, v] */
  lm_adam_tensors t[2][K];
  lm_adam_hparams h[K];
  for (int k = 0; k < K; k++) {
    float *host[4];
    for (int j = 0; j < 4; j++)
      host[j] = gt_random(sizes[k] > 0 ? sizes[k] : 1, j == 3 ? 0.0f : -1.0f, 1.0f);
    for (int path = 0; path < 2; path++) {
      for (int j = 0; j < 4; j++) {
        lm_tensor *c = lm_tensor_from_data(host[j], LM_SHAPE(sizes[k] > 0 ? sizes[k] : 1));
        dev[path][k][j] = lm_to(c, LM_CUDA0);
        lm_tensor_release(c);
      }
      t[path][k] = (lm_adam_tensors){ sizes[k], lm_data_f32(dev[path][k][0]),
                                      lm_data_f32(dev[path][k][1]), lm_data_f32(dev[path][k][2]),
                                      lm_data_f32(dev[path][k][3]), NULL };
    }
    for (int j = 0; j < 4; j++)
      free(host[j]);
    /* each parameter its own step count (one may have had no gradient for a while) */
    h[k] = (lm_adam_hparams){ .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
                              .weight_decay = 0.01, .step = 1 + 3 * k };
  }
  lm_cuda_counters c0, c1;
  lm_cuda_get_counters(&c0);
  be->adam_multi_step_f32(K, t[1], h);
  lm_cuda_get_counters(&c1);
  gt_assert(c1.launches - c0.launches == 1);
  for (int k = 0; k < K; k++)
    be->adam_step_f32(t[0][k].n, t[0][k].p, t[0][k].g, t[0][k].m, t[0][k].v, NULL, &h[k]);
  for (int k = 0; k < K; k++) {
    const int64_t n = sizes[k] > 0 ? sizes[k] : 1;
    for (int j = 0; j < 4; j++) {
      float *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b);
      lm_tensor_copy_to_host(dev[1][k][j], a);
      lm_tensor_copy_to_host(dev[0][k][j], b);
      gt_check_identical("Adam, multi-tensor against one launch per tensor", a, b, n);
      free(a), free(b);
      lm_tensor_release(dev[0][k][j]);
      lm_tensor_release(dev[1][k][j]);
    }
  }
}

static lm_module *mlp(void)
{
  return lm_model_mlp();
}

static lm_module *cnn(void)
{
  return lm_model_cnn();
}

static void test_mlp_step_budget(void)
{
  /* 14 launches: 2 gathers (the batch), 2 bias broadcasts, ReLU forward and
   * backward, cross-entropy (2 forward, 1 backward), the loss's seed
   * gradient, 2 bias gradients, Adam (one for the 4 parameters), the step
   * figures; and 5 cuBLAS calls. Before: 16 launches (Adam one per
   * parameter, no step-figures kernel), 1 memset and 4 waits per step. */
  check_step_budget("MLP (batch 64)", mlp, 64, true, 6, 4, 14);
}

static void test_cnn_step_budget(void)
{
  /* 36 launches and 11 cuBLAS calls; before: 42 launches (Adam one per
   * parameter: 8), 1 memset and 4 waits per step. */
  check_step_budget("CNN (batch 32)", cnn, 32, false, 5, 2, 36);
}

/* The counters count what they name: one launch per kernel, one cuBLAS call
 * per matrix product, one wait and one copy per read back. */
static void test_counters(void)
{
  if (!gt_need_gpu())
    return;
  lm_scope_begin();
  lm_tensor *a = lm_to(lm_full(LM_SHAPE(8, 8), 2.0f), LM_CUDA0);
  lm_cuda_counters c0, c1;
  lm_cuda_get_counters(&c0);
  lm_tensor *p = lm_matmul(a, a);
  lm_tensor *r = lm_relu(p);
  lm_cuda_get_counters(&c1);
  lm_cuda_counters d = lm_cuda_counters_diff(&c0, &c1);
  gt_assert(d.blas_calls == 1 && d.launches == 1 && d.syncs == 0 && d.copies_to_host == 0);
  gt_assert(lm_item(lm_sum(r)) == 8.0f * 8 * 32);
  lm_cuda_get_counters(&c0);
  d = lm_cuda_counters_diff(&c1, &c0);
  gt_assert(d.syncs == 1 && d.copies_to_host == 1 && d.blas_calls == 0);
  lm_scope_end();
}

/* cross_entropy forward is two kernels and nothing else (its bad-label word
 * is put back by the kernel that reads it: no memset per loss), and a bad
 * label in one loss leaves the next one clean. */
static void test_loss_launches(void)
{
  if (!gt_need_gpu())
    return;
  lm_scope_begin();
  float xv[4 * 3] = { 1, 2, 3, 0, 0, 0, 3, 2, 1, -1, 0, 1 };
  int64_t good[4] = { 2, 0, 0, 1 }, bad[4] = { 2, 0, 3, 1 };
  lm_tensor *x = lm_to(lm_tensor_from_data(xv, LM_SHAPE(4, 3)), LM_CUDA0);
  lm_tensor *yg = lm_to(lm_tensor_from_int64(good, LM_SHAPE(4)), LM_CUDA0);
  lm_tensor *yb = lm_to(lm_tensor_from_int64(bad, LM_SHAPE(4)), LM_CUDA0);
  lm_cuda_counters c0, c1;
  lm_cuda_get_counters(&c0);
  lm_tensor *l1 = lm_cross_entropy(x, yg);
  lm_cuda_get_counters(&c1);
  const lm_cuda_counters d = lm_cuda_counters_diff(&c0, &c1);
  gt_message("cross_entropy forward: %llu launches, %llu memsets", (unsigned long long)d.launches,
             (unsigned long long)d.memsets);
  gt_assert(d.launches == 2 && d.memsets == 0);
  gt_assert(gt_caching_disabled() || d.syncs == 0); /* without the cache a free waits */
  const float v1 = lm_item(l1);
  gt_assert(isfinite(v1));
  lm_set_error_handler(count_error, NULL);
  n_errors = 0;
  gt_assert(isnan(lm_item(lm_cross_entropy(x, yb))));
  gt_assert(n_errors == 1 && strstr(last_msg, "target 3 is out of bounds for 3 classes"));
  gt_assert(lm_item(lm_cross_entropy(x, yg)) == v1); /* the word was put back */
  const float nll = lm_item(lm_nll_loss(lm_log_softmax(x, 1), yg));
  gt_assert(fabsf(nll - v1) <= 1e-6f * v1); /* nll_loss's word too */
  gt_assert(n_errors == 1);
  lm_set_error_handler(NULL, NULL);
  lm_scope_end();
}

int main(int argc, char **argv)
{
  gt_init(&argc, &argv);
  gt_add("/cuda/overhead/counters", test_counters);
  gt_add("/cuda/overhead/adam-multi", test_adam_multi);
  gt_add("/cuda/overhead/loss-launches", test_loss_launches);
  gt_add("/cuda/overhead/mlp-step", test_mlp_step_budget);
  gt_add("/cuda/overhead/cnn-step", test_cnn_step_budget);
  return gt_run();
}
