/* train-loop.c: training in the PyTorch style, an explicit loop in C.
 *
 * The classic tutorial: load Fashion-MNIST, build the MLP, and for each
 * batch zero_grad / forward / loss / backward / step, printing the running
 * loss and logging it (and the test accuracy per epoch) to a run file that
 * `lumen --logdir runs` shows live. Everything a step allocates belongs to
 * the step's scope and is freed at lm_scope_end(): nothing to free by hand.
 * On a machine with a CUDA GPU (and a CUDA build of Lumen) the model and the
 * data set go to the GPU, as PyTorch's quickstart does with
 * `device = "cuda" if torch.cuda.is_available() else "cpu"`; the loop is the
 * same either way.
 *
 *   ./train-loop [DATA_DIR] [EPOCHS]      (default: Fashion-MNIST, 2 epochs)
 *
 * Uses only public headers: lumen-train.h (data, models; it includes
 * lumen-nn.h and lumen-engine.h) and lumen-log.h. For the Keras-style
 * fit() see train-fit.c; for a full-featured trainer, lumen-train.
 */
#include <stdio.h>
#include <stdlib.h>

#include <lumen-log.h>
#include <lumen-train.h>

int main(int argc, char **argv)
{
  const char *dir = argc > 1 ? argv[1] : LM_FASHION_MNIST_DIR;
  int epochs = 2;
  if (argc > 2) {
    char *end;
    long e = strtol(argv[2], &end, 10);
    if (*end || end == argv[2] || e < 1 || e > 10000) {
      fprintf(stderr, "usage: %s [DATA_DIR] [EPOCHS]: EPOCHS must be a number from 1 to 10000, not '%s'\n",
              argv[0], argv[2]);
      return 2;
    }
    epochs = (int)e;
  }
  char *error = NULL;

  /* torchvision.datasets.FashionMNIST(train=True/False) */
  lm_dataset *train = lm_dataset_load_dir(dir, "train", &error);
  lm_dataset *test = train ? lm_dataset_load_dir(dir, "test", &error) : NULL;
  if (!train || !test) {
    fprintf(stderr, "train-loop: %s\n", error);
    free(error);
    lm_dataset_release(train);
    return 1;
  }

  lm_device device = lm_cuda_is_available() ? LM_CUDA0 : LM_CPU;
  char device_name[32];
  lm_device_name(device, device_name, sizeof device_name);
  printf("Using %s device\n", device_name);

  /* DataLoader(train, batch_size=64, shuffle=True) with ToTensor + Normalize;
   * on a GPU the whole normalised set is copied there once. */
  lm_loader_options lo;
  lm_loader_options_init(&lo);
  lo.batch_size = 64;
  lo.shuffle = true;
  lo.seed = 0;
  lo.mean = 0.2860f;
  lo.std = 0.3530f;
  lo.device = device;
  lm_loader *loader = lm_loader_new(train, &lo);
  lo.shuffle = false;
  lo.batch_size = 1000;
  lm_loader *test_loader = lm_loader_new(test, &lo);

  lm_manual_seed(0);
  lm_module *model = lm_model_mlp(); /* Flatten, Linear(784,128), ReLU, Linear(128,10) */
  lm_module_to(model, device);       /* model.to(device), before making the optimizer */
  lm_optimizer *opt = lm_optim_adam(model, NULL); /* lr 1e-3 */

  lm_writer *w = NULL;
  if (lm_writer_open(&w, "runs", "train-loop") != LM_OK)
    fprintf(stderr, "train-loop: not logging: %s\n", lm_log_last_error());

  int64_t step = 0;
  for (int epoch = 0; epoch < epochs; epoch++) {
    lm_module_train(model, true);
    lm_loader_start_epoch(loader, epoch);
    double running = 0;
    for (;;) {
      lm_scope_begin(); /* everything this step creates is freed at scope end */
      lm_batch b;
      if (!lm_loader_next(loader, &b)) {
        lm_scope_end();
        break;
      }
      lm_optimizer_zero_grad(opt);
      lm_tensor *logits = lm_module_forward(model, b.x);
      lm_tensor *loss = lm_cross_entropy(logits, b.y);
      lm_backward(loss, NULL, false);
      lm_optimizer_step(opt);
      running += lm_item(loss);
      step++;
      if (step % 100 == 0) {
        printf("epoch %d step %lld: loss %.4f\n", epoch + 1, (long long)step, running / 100);
        if (w)
          lm_writer_add_scalar(w, "train/loss", step, running / 100);
        running = 0;
      }
      lm_scope_end();
    }

    /* evaluation: model.eval() and torch.no_grad() */
    lm_module_eval(model);
    bool prev = lm_set_grad_enabled(false);
    int64_t correct = 0, total = 0;
    lm_loader_start_epoch(test_loader, 0);
    for (;;) {
      lm_scope_begin();
      lm_batch b;
      bool more = lm_loader_next(test_loader, &b);
      if (more) {
        correct += lm_count_correct(lm_module_forward(model, b.x), b.y);
        total += b.size;
      }
      lm_scope_end();
      if (!more)
        break;
    }
    lm_set_grad_enabled(prev);
    printf("epoch %d: test accuracy %.2f%%\n", epoch + 1, 100.0 * (double)correct / (double)total);
    if (w)
      lm_writer_add_scalar(w, "test/accuracy", step, (double)correct / (double)total);
  }

  lm_writer_close(w); /* marks the run 'finished' */
  lm_optimizer_free(opt);
  lm_module_free(model);
  lm_loader_free(test_loader);
  lm_loader_free(loader);
  lm_dataset_release(test);
  lm_dataset_release(train);
  return 0;
}
