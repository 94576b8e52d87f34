/* test-cuda-train.c: training on the GPU: the caching allocator, model.to()
 * with gradients and optimizer state following, and a few training steps of
 * the MLP and the CNN giving the CPU's losses (suite 'gpu').
 *
 * The CPU and GPU runs start from the same seed, so they build the same
 * weights and draw the same dropout masks (the Philox contract); they see the
 * same synthetic batches. Losses must agree to 1e-4 relative after several
 * Adam steps (each step's arithmetic agrees to ~1e-6; Adam's normalised
 * updates let tiny differences grow a little), and memory must stay flat:
 * after warm-up a step allocates only from the cache.
 *
 * Without a GPU every test skips with "no CUDA GPU: <reason>".
 */
#include "gpu-test.h"

#include "lumen-nn.h"
#include "lumen-train.h"

static bool setup(void)
{
  if (!gt_need_gpu())
    return false;
  lm_cuda_set_allow_tf32(false);
  return true;
}

/* ---- the caching allocator ---- */

static void test_allocator_reuse(void)
{
  if (!setup())
    return;
  if (gt_caching_disabled()) {
    gt_skip("the cache is off (LUMEN_CUDA_NO_CACHING=1, as under compute-sanitizer)");
    return;
  }
  lm_cuda_memory_stats s0, s1;
  lm_tensor *host = lm_full(LM_SHAPE(500, 1000), 0.5f);
  /* round 0 warms the cache up: the copy, the sum, the mean and its scratch */
  for (int i = 0; i <= 20; i++) {
    if (i == 1)
      gt_assert(lm_cuda_get_memory_stats(0, &s0));
    lm_scope_begin();
    lm_tensor *g = lm_to(host, LM_CUDA0);
    lm_tensor *h = lm_add(g, g);
    gt_assert(lm_item(lm_mean(h)) == 1.0f);
    lm_scope_end();
  }
  gt_assert(lm_cuda_get_memory_stats(0, &s1));
  gt_message("20 rounds: %llu allocations, %llu from the cache, %llu cudaMalloc calls",
             (unsigned long long)(s1.n_allocs - s0.n_allocs),
             (unsigned long long)(s1.n_cache_hits - s0.n_cache_hits),
             (unsigned long long)(s1.n_cuda_mallocs - s0.n_cuda_mallocs));
  if (s1.n_cuda_mallocs != s0.n_cuda_mallocs)
    gt_fail("allocator: %llu cudaMalloc calls after warm-up (expected none: blocks are reused)",
            (unsigned long long)(s1.n_cuda_mallocs - s0.n_cuda_mallocs));
  gt_assert(s1.n_cache_hits - s0.n_cache_hits >= 60);
  gt_assert(s1.reserved == s0.reserved);
  gt_assert(s1.allocated == s0.allocated);
  /* A size in the same class (at most 25% larger) reuses the block too. */
  lm_scope_begin();
  lm_tensor *a = lm_to(lm_zeros(LM_SHAPE(510, 1000)), LM_CUDA0);
  lm_scope_end();
  (void)a;
  gt_assert(lm_cuda_get_memory_stats(0, &s1));
  gt_assert(s1.n_cuda_mallocs == s0.n_cuda_mallocs);
  /* peak statistics, and empty_cache gives cached blocks back */
  lm_cuda_reset_peak_memory_stats(0);
  size_t before = lm_cuda_memory_allocated(0);
  lm_tensor *zeros = lm_zeros(LM_SHAPE(1024, 1024));
  lm_tensor *big = lm_to(zeros, LM_CUDA0);
  lm_tensor_release(zeros);
  gt_assert(lm_cuda_memory_allocated(0) >= before + 4u * 1024 * 1024);
  gt_assert(lm_cuda_max_memory_allocated(0) >= before + 4u * 1024 * 1024);
  lm_tensor_release(big);
  gt_assert(lm_cuda_memory_allocated(0) == before);
  lm_cuda_empty_cache();
  gt_assert(lm_cuda_get_memory_stats(0, &s1));
  gt_assert(s1.n_cuda_frees > s0.n_cuda_frees);
  gt_assert(s1.reserved == s1.allocated); /* nothing cached any more */
  lm_tensor_release(host);
}

/* ---- model.to() with gradients and optimizer state ---- */

static double train_step_loss(lm_module *model, lm_optimizer *opt, const lm_tensor *x,
                              const lm_tensor *y, lm_loss_kind kind)
{
  lm_scope_begin();
  lm_optimizer_zero_grad(opt);
  lm_tensor *loss = lm_loss_of(kind, lm_module_forward(model, x), y);
  gt_assert(loss != NULL);
  lm_backward(loss, NULL, false);
  lm_optimizer_step(opt);
  double v = lm_item(loss);
  lm_scope_end();
  return v;
}

static double train_step(lm_module *model, lm_optimizer *opt, const lm_tensor *x,
                         const lm_tensor *y)
{
  return train_step_loss(model, opt, x, y, LM_LOSS_CROSS_ENTROPY);
}

/* Parameters of two models, norm-wise (see gt_check_close_rms). */
static void compare_params(const char *what, lm_module *gpu_model, lm_module *cpu_model, double tol)
{
  lm_named_tensor *pg = NULL, *pc = NULL;
  size_t n = lm_module_named_parameters(gpu_model, &pg);
  gt_assert(lm_module_named_parameters(cpu_model, &pc) == n);
  for (size_t i = 0; i < n; i++) {
    int64_t k = lm_numel(pc[i].tensor);
    float *a = malloc((size_t)k * sizeof(float)), *b = malloc((size_t)k * sizeof(float));
    lm_tensor_copy_to_host(pg[i].tensor, a);
    lm_tensor_copy_to_host(pc[i].tensor, b);
    char name[128];
    snprintf(name, sizeof name, "%s: parameter %s", what, pc[i].name);
    gt_check_close_rms(name, a, b, k, tol);
    free(a);
    free(b);
  }
  free(pg);
  free(pc);
}

static void random_batch(int64_t b, int64_t features, int classes, lm_tensor **x, lm_tensor **y)
{
  float *xv = gt_random(b * features, 0, 1);
  int64_t *yv = malloc((size_t)b * sizeof(int64_t));
  for (int64_t i = 0; i < b; i++)
    yv[i] = (int64_t)(gt_rand_u32() % (uint32_t)classes);
  *x = lm_tensor_from_data(xv, LM_SHAPE(b, features));
  *y = lm_tensor_from_int64(yv, LM_SHAPE(b));
  free(xv);
  free(yv);
}

static void test_module_to(void)
{
  if (!setup())
    return;
  lm_manual_seed(11);
  lm_module *mc = lm_model_mlp_ex(20, 16, 5);
  lm_manual_seed(11);
  lm_module *mg = lm_model_mlp_ex(20, 16, 5);
  lm_optimizer *oc = lm_optim_adam(mc, NULL), *og = lm_optim_adam(mg, NULL);
  lm_tensor *x, *y;
  random_batch(8, 20, 5, &x, &y);
  lm_tensor *xg = lm_to(x, LM_CUDA0), *yg = lm_to(y, LM_CUDA0);

  /* step 1 on the CPU for both: optimizer state is created on the CPU */
  train_step(mc, oc, x, y);
  train_step(mg, og, x, y);
  gt_assert(lm_optimizer_state(og, 0, 0)->device.type == LM_DEVICE_CPU);

  /* model.to(cuda): parameters and their .grad move, in place */
  lm_tensor *w0 = lm_module_parameter(mg, "1.weight");
  gt_assert(w0->grad != NULL);
  gt_assert(lm_module_to(mg, LM_CUDA0));
  gt_assert(lm_module_parameter(mg, "1.weight") == w0); /* same tensor object */
  gt_assert(w0->device.type == LM_DEVICE_CUDA && w0->grad->device.type == LM_DEVICE_CUDA);

  /* step 2: the GPU model; the optimizer's state follows its parameters */
  double lc = train_step(mc, oc, x, y), lg = train_step(mg, og, xg, yg);
  gt_assert(fabs(lc - lg) <= 1e-5 * fabs(lc));
  for (size_t i = 0; i < lm_optimizer_num_params(og); i++)
    for (int s = 0; s < 2; s++)
      gt_assert(lm_optimizer_state(og, i, s)->device.type == LM_DEVICE_CUDA);
  compare_params("after a CPU step and a GPU step", mg, mc, GT_TOL);

  /* and back: step 3 on the CPU again */
  gt_assert(lm_module_to(mg, LM_CPU));
  gt_assert(w0->device.type == LM_DEVICE_CPU);
  lc = train_step(mc, oc, x, y);
  lg = train_step(mg, og, x, y);
  gt_assert(fabs(lc - lg) <= 1e-5 * fabs(lc));
  gt_assert(lm_optimizer_state(og, 0, 1)->device.type == LM_DEVICE_CPU);
  compare_params("after moving back to the CPU", mg, mc, GT_TOL);

  lm_tensor_release(x), lm_tensor_release(y), lm_tensor_release(xg), lm_tensor_release(yg);
  lm_optimizer_free(oc), lm_optimizer_free(og);
  lm_module_free(mc), lm_module_free(mg);
}

/* ---- training steps: GPU losses = CPU losses ---- */

static void compare_training_loss(const char *name, lm_module *(*build)(void), int64_t batch,
                                  bool image, int steps, lm_loss_kind kind)
{
  lm_manual_seed(2024);
  lm_module *mc = build();
  lm_manual_seed(2024);
  lm_module *mg = build();
  gt_assert(lm_module_to(mg, LM_CUDA0));
  lm_optimizer *oc = lm_optim_adam(mc, NULL), *og = lm_optim_adam(mg, NULL);
  double worst = 0;
  for (int s = 0; s < steps; s++) {
    lm_tensor *x, *y;
    random_batch(batch, 784, 10, &x, &y);
    lm_tensor *xi = image ? lm_view(x, LM_SHAPE(batch, 1, 28, 28)) : lm_tensor_retain(x);
    lm_tensor *xg = lm_to(xi, LM_CUDA0), *yg = lm_to(y, LM_CUDA0);
    /* Same seed before each step's forward: the CNN's dropout draws the same mask. */
    lm_manual_seed(5000 + (uint64_t)s);
    double lc = train_step_loss(mc, oc, xi, y, kind);
    lm_manual_seed(5000 + (uint64_t)s);
    double lg = train_step_loss(mg, og, xg, yg, kind);
    double rel = fabs(lc - lg) / fabs(lc);
    worst = rel > worst ? rel : worst;
    gt_message("%s step %d: loss cpu %.7f cuda %.7f (rel. diff %.2g)", name, s, lc, lg, rel);
    if (!(rel <= 1e-4))
      gt_fail("%s step %d: GPU loss %.8f differs from CPU loss %.8f (relative %.3g > 1e-4)", name,
              s, lg, lc, rel);
    lm_tensor_release(xg), lm_tensor_release(yg), lm_tensor_release(xi);
    lm_tensor_release(x), lm_tensor_release(y);
  }
  gt_message("%s: %d Adam steps, worst relative loss difference %.3g", name, steps, worst);
  compare_params(name, mg, mc, 1e-3);
  lm_optimizer_free(oc), lm_optimizer_free(og);
  lm_module_free(mc), lm_module_free(mg);
}

static void compare_training(const char *name, lm_module *(*build)(void), int64_t batch,
                             bool image, int steps)
{
  compare_training_loss(name, build, batch, image, steps, LM_LOSS_CROSS_ENTROPY);
}

static void test_train_mlp(void)
{
  if (!setup())
    return;
  compare_training("MLP (batch 64)", lm_model_mlp, 64, false, 8);
}

static void test_train_cnn(void)
{
  if (!setup())
    return;
  compare_training("CNN (batch 32)", lm_model_cnn, 32, true, 5);
}

/* main.py's Net (log_softmax, nll_loss) and the Keras convnet (softmax,
 * Keras' clipped categorical cross-entropy): the same kernels as the CNN's,
 * plus log_softmax, softmax, clamp and log on the GPU */
static void test_train_net(void)
{
  if (!setup())
    return;
  compare_training_loss("Net (batch 8)", lm_model_mnist_net, 8, true, 3, LM_LOSS_NLL);
}

static void test_train_keras(void)
{
  if (!setup())
    return;
  compare_training_loss("Keras convnet (batch 16)", lm_model_keras_convnet, 16, true, 3,
                        LM_LOSS_CATEGORICAL_CROSSENTROPY);
}

/* ---- the data set on the GPU: loader and fit ---- */

static void test_loader_on_gpu(void)
{
  if (!setup())
    return;
  lm_dataset *ds = gt_synthetic_dataset(300);
  lm_loader_options o;
  lm_loader_options_init(&o);
  o.batch_size = 64;
  o.shuffle = true;
  o.seed = 7;
  o.mean = 0.2860f;
  o.std = 0.3530f;
  lm_loader *lc = lm_loader_new(ds, &o);
  o.device = LM_CUDA0;
  lm_loader *lg = lm_loader_new(ds, &o);
  gt_assert(lc && lg);
  for (int64_t epoch = 0; epoch < 2; epoch++) {
    lm_loader_start_epoch(lc, epoch);
    lm_loader_start_epoch(lg, epoch);
    int batches = 0;
    for (;;) {
      lm_scope_begin();
      lm_batch bc, bg;
      bool more = lm_loader_next(lc, &bc);
      gt_assert(lm_loader_next(lg, &bg) == more);
      if (!more) {
        lm_scope_end();
        break;
      }
      gt_assert(bg.x->device.type == LM_DEVICE_CUDA && bg.y->device.type == LM_DEVICE_CUDA);
      gt_assert(bg.size == bc.size && bg.x->ndim == 4 && bg.x->shape[0] == bc.size);
      int64_t nx = lm_numel(bc.x);
      float *a = malloc((size_t)nx * sizeof(float)), *b = malloc((size_t)nx * sizeof(float));
      float ya[64], yb[64];
      lm_tensor_copy_to_host(bg.x, a);
      lm_tensor_copy_to_host(bc.x, b);
      gt_check_identical("loader batch on the GPU", a, b, nx);
      lm_tensor_copy_to_host(bg.y, ya);
      lm_tensor_copy_to_host(bc.y, yb);
      gt_check_identical("loader labels on the GPU", ya, yb, bc.size);
      free(a), free(b);
      batches++;
      lm_scope_end();
    }
    gt_assert(batches == 5); /* 300 examples in batches of 64, the last one short */
  }
  lm_loader_free(lc);
  lm_loader_free(lg);
  lm_dataset_release(ds);
}

/* model.fit() on the GPU (what lumen-train --device cuda runs) = on the CPU. */
static void test_fit_on_gpu(void)
{
  if (!setup())
    return;
  lm_dataset *ds = gt_synthetic_dataset(640);
  lm_history hc = {0}, hg = {0};
  for (int dev = 0; dev < 2; dev++) {
    lm_manual_seed(21);
    lm_module *m = lm_model_cnn();
    if (dev)
      gt_assert(lm_module_to(m, LM_CUDA0));
    lm_optimizer *opt = lm_optim_adam(m, NULL);
    lm_fit_options fo;
    lm_fit_options_init(&fo);
    fo.epochs = 2;
    fo.batch_size = 32;
    fo.seed = 3;
    fo.validation_split = 0.2;
    fo.device = dev ? LM_CUDA0 : LM_CPU;
    char *err = NULL;
    lm_manual_seed(99); /* dropout draws: the same on both devices */
    if (!lm_fit(m, opt, ds, &fo, dev ? &hg : &hc, NULL, &err))
      gt_fail("fit on %s failed: %s", dev ? "cuda" : "cpu", err);
    lm_optimizer_free(opt);
    lm_module_free(m);
  }
  gt_assert(hc.epochs == 2 && hg.epochs == 2);
  for (int e = 0; e < 2; e++) {
    gt_message("fit epoch %d: loss cpu %.6f cuda %.6f, val_loss cpu %.6f cuda %.6f", e,
               hc.logs[e].loss, hg.logs[e].loss, hc.logs[e].val_loss, hg.logs[e].val_loss);
    gt_assert(fabs(hc.logs[e].loss - hg.logs[e].loss) <= 1e-4 * fabs(hc.logs[e].loss));
    gt_assert(fabs(hc.logs[e].val_loss - hg.logs[e].val_loss) <= 1e-4 * fabs(hc.logs[e].val_loss));
    gt_assert(fabs(hc.logs[e].accuracy - hg.logs[e].accuracy) <= 2.0 / 512);
  }
  lm_history_clear(&hc);
  lm_history_clear(&hg);
  lm_dataset_release(ds);
}

/* ---- no host waits inside a step ---- */

/* A training step queues its work and returns: the host waits for the GPU
 * only when it reads a value (here the loss), as in PyTorch. Cross-entropy's
 * label check used to wait once per step; a bad label is now found on the
 * device and reported at that next wait, with the same message. */
static void test_step_without_wait(void)
{
  if (!setup())
    return;
  lm_manual_seed(5);
  lm_module *m = lm_model_mlp();
  gt_assert(lm_module_to(m, LM_CUDA0));
  lm_optimizer *opt = lm_optim_adam(m, NULL);
  lm_tensor *x, *y;
  random_batch(16, 784, 10, &x, &y);
  lm_tensor *xg = lm_to(x, LM_CUDA0), *yg = lm_to(y, LM_CUDA0);
  for (int s = 0; s < 2; s++) /* optimizer state, cache filled */
    train_step(m, opt, xg, yg);

  lm_scope_begin();
  const unsigned long long before = gt_host_waits();
  lm_optimizer_zero_grad(opt);
  lm_tensor *loss = lm_cross_entropy(lm_module_forward(m, xg), yg);
  gt_assert(loss != NULL);
  lm_backward(loss, NULL, false);
  lm_optimizer_step(opt);
  const unsigned long long queued = gt_host_waits();
  const double v = lm_item(loss);
  const unsigned long long after = gt_host_waits();
  lm_scope_end();
  gt_message("host waits: %llu while queuing a step, %llu for lm_item", queued - before,
             after - queued);
  gt_assert(isfinite(v));
  if (!gt_caching_disabled()) /* without the cache every free waits */
    gt_assert(queued == before && after == before + 1);

  /* label 10 of 10 classes at position 5: the step still runs (NaN loss), the
   * loss read reports it */
  int64_t labels[16];
  for (int i = 0; i < 16; i++)
    labels[i] = i % 10;
  labels[5] = 10;
  lm_tensor *bad_host = lm_tensor_from_int64(labels, LM_SHAPE(16));
  lm_tensor *bad = lm_to(bad_host, LM_CUDA0);
  lm_tensor_release(bad_host);
  lm_set_error_handler(count_error, NULL);
  n_errors = 0;
  lm_scope_begin();
  loss = lm_cross_entropy(lm_module_forward(m, xg), bad);
  gt_assert(loss != NULL && n_errors == 0);
  const double nan_loss = lm_item(loss);
  lm_scope_end();
  gt_assert(n_errors == 1 && isnan(nan_loss));
  gt_assert(strstr(last_msg, "cross_entropy: target 10 is out of bounds for 10 classes "
                             "(at position 5") != NULL);
  lm_set_error_handler(NULL, NULL);
  lm_tensor_release(bad);

  /* model.fit() with a handler that returns (as lumen-train's): the step that
   * read the loss fails with that message; training does not go on with NaN */
  uint8_t px[64 * 784] = {0};
  int64_t lab[64];
  for (int i = 0; i < 64; i++)
    lab[i] = i % 12; /* 12 classes in the data, 10 outputs in the model */
  lm_dataset *ds = lm_dataset_from_memory(px, lab, 64, 1, 28, 28, 12, NULL);
  gt_assert(ds != NULL);
  lm_fit_options fo;
  lm_fit_options_init(&fo);
  fo.epochs = 3;
  fo.batch_size = 32;
  fo.device = LM_CUDA0;
  lm_history h = {0};
  char *err = NULL;
  lm_set_error_handler(count_error, NULL);
  gt_assert(!lm_fit(m, opt, ds, &fo, &h, NULL, &err));
  lm_set_error_handler(NULL, NULL);
  gt_message("fit: %s", err ? err : "(no message)");
  gt_assert(err && strstr(err, "fit: step 1 failed: cross_entropy: target 1") &&
            strstr(err, "is out of bounds for 10 classes"));
  gt_assert(h.epochs == 0);
  free(err);
  lm_history_clear(&h);
  lm_dataset_release(ds);
  lm_tensor_release(x), lm_tensor_release(y), lm_tensor_release(xg), lm_tensor_release(yg);
  lm_optimizer_free(opt);
  lm_module_free(m);
}

/* ---- flat memory over many steps ---- */

static void test_memory_flat(void)
{
  if (!setup())
    return;
  if (gt_caching_disabled()) {
    gt_skip("the cache is off (LUMEN_CUDA_NO_CACHING=1, as under compute-sanitizer)");
    return;
  }
  lm_manual_seed(3);
  lm_module *m = lm_model_cnn();
  gt_assert(lm_module_to(m, LM_CUDA0));
  lm_optimizer *opt = lm_optim_adam(m, NULL);
  lm_tensor *x, *y;
  random_batch(32, 784, 10, &x, &y);
  lm_tensor *xv = lm_view(x, LM_SHAPE(32, 1, 28, 28));
  lm_tensor *xg = lm_to(xv, LM_CUDA0), *yg = lm_to(y, LM_CUDA0);
  lm_tensor_release(xv);
  for (int s = 0; s < 3; s++) /* warm-up: optimizer state, cache filled */
    train_step(m, opt, xg, yg);
  lm_cuda_memory_stats s0, s1;
  lm_cuda_get_memory_stats(0, &s0);
  for (int s = 0; s < 100; s++)
    train_step(m, opt, xg, yg);
  lm_cuda_get_memory_stats(0, &s1);
  gt_message("CNN step: %.1f MiB in use between steps, %.1f MiB reserved, %llu cudaMalloc "
             "calls in 100 steps",
             s1.allocated / 1048576.0, s1.reserved / 1048576.0,
             (unsigned long long)(s1.n_cuda_mallocs - s0.n_cuda_mallocs));
  gt_assert(s1.allocated == s0.allocated);
  gt_assert(s1.reserved == s0.reserved);
  gt_assert(s1.n_cuda_mallocs == s0.n_cuda_mallocs);
  lm_tensor_release(x), lm_tensor_release(y), lm_tensor_release(xg), lm_tensor_release(yg);
  lm_optimizer_free(opt);
  lm_module_free(m);
}

int main(int argc, char **argv)
{
  gt_poison_gpu_memory();
  gt_init(&argc, &argv);
  gt_add("/cuda/train/allocator-reuse", test_allocator_reuse);
  gt_add("/cuda/train/module-to", test_module_to);
  gt_add("/cuda/train/mlp-steps", test_train_mlp);
  gt_add("/cuda/train/cnn-steps", test_train_cnn);
  gt_add("/cuda/train/net-steps", test_train_net);
  gt_add("/cuda/train/keras-steps", test_train_keras);
  gt_add("/cuda/train/loader-on-gpu", test_loader_on_gpu);
  gt_add("/cuda/train/fit", test_fit_on_gpu);
  gt_add("/cuda/train/memory-flat", test_memory_flat);
  gt_add("/cuda/train/step-without-wait", test_step_without_wait);
  return gt_run();
}
