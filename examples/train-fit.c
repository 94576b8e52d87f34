/* train-fit.c: training in the Keras style: fit, evaluate, predict.
 *
 * model.fit(x, y, epochs=5, batch_size=64, validation_split=0.1) in C, with
 * a callback that logs each epoch's metrics to a run file, then
 * model.evaluate on the test set, model.predict on a few test images, and a
 * safetensors checkpoint a PyTorch user can load
 * (safetensors.torch.load_file("cnn.safetensors")).
 *
 *   ./train-fit [DATA_DIR] [EPOCHS]     (default: Fashion-MNIST, 1 epoch)
 *
 * Trains on the GPU when there is one (model and batches on cuda:0), else on
 * the CPU. Uses only public headers (lumen-train.h and lumen-log.h). For the explicit
 * PyTorch-style loop see train-loop.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include <lumen-log.h>
#include <lumen-train.h>

/* A Keras Callback: on_epoch_end(epoch, logs) */
static bool log_epoch(void *user_data, const lm_epoch_logs *logs, const lm_train_state *state)
{
  lm_writer *w = user_data;
  const char *tags[] = { "epoch/loss", "epoch/accuracy", "val/loss", "val/accuracy" };
  double values[] = { logs->loss, logs->accuracy, logs->val_loss, logs->val_accuracy };
  if (w)
    lm_writer_add_scalars(w, state->step, 4, tags, values);
  return true; /* false would stop training, like model.stop_training = True */
}

int main(int argc, char **argv)
{
  const char *dir = argc > 1 ? argv[1] : LM_FASHION_MNIST_DIR;
  int epochs = 1;
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
  lm_dataset *train = lm_dataset_load_dir(dir, "train", &error);
  lm_dataset *test = train ? lm_dataset_load_dir(dir, "test", &error) : NULL;
  if (!train || !test) {
    fprintf(stderr, "train-fit: %s\n", error);
    free(error);
    lm_dataset_release(train);
    return 1;
  }

  lm_device device = lm_cuda_is_available() ? LM_CUDA0 : LM_CPU;
  lm_manual_seed(0);
  lm_module *model = lm_model_cnn();
  lm_module_to(model, device);
  lm_module_summary(model, LM_SHAPE(64, 1, 28, 28), stdout); /* model.summary() */
  lm_optimizer *opt = lm_optim_adam(model, NULL);

  lm_writer *w = NULL;
  if (lm_writer_open(&w, "runs", "train-fit") != LM_OK)
    fprintf(stderr, "train-fit: not logging: %s\n", lm_log_last_error());
  lm_callbacks callbacks = { .user_data = w, .on_epoch_end = log_epoch };

  lm_fit_options fo;
  lm_fit_options_init(&fo);
  fo.epochs = epochs;
  fo.batch_size = 64;
  fo.validation_split = 0.1;
  fo.mean = 0.2860f; /* Normalize((0.2860,), (0.3530,)) */
  fo.std = 0.3530f;
  fo.device = device;
  fo.verbose = 1;    /* one line per epoch */
  fo.callbacks = &callbacks;
  lm_history history;
  if (!lm_fit(model, opt, train, &fo, &history, NULL, &error)) {
    fprintf(stderr, "train-fit: %s\n", error);
    free(error);
    return 1;
  }
  printf("history: %lld epochs, final val_accuracy %.4f\n", (long long)history.epochs,
         history.logs[history.epochs - 1].val_accuracy);
  lm_history_clear(&history);

  double loss, acc;
  lm_evaluate(model, test, 1000, &fo, &loss, &acc, NULL);
  printf("test loss %.4f, test accuracy %.2f%%\n", loss, 100 * acc);

  /* predict the first 8 test images */
  lm_dataset *few = lm_dataset_slice(test, 0, 8);
  lm_scope_begin();
  lm_tensor *logits = lm_predict(model, few, 8, &fo, NULL);
  lm_tensor *pred = lm_argmax(logits, 1, false);
  for (int i = 0; i < 8; i++)
    printf("image %d: predicted %-12s true %s\n", i, lm_fashion_mnist_classes[lm_data_i64(pred)[i]],
           lm_fashion_mnist_classes[lm_dataset_label(few, i)]);
  lm_scope_end();
  lm_dataset_release(few);

  lm_checkpoint_info info = { .model = "cnn" };
  if (!lm_checkpoint_save("cnn.safetensors", model, opt, &info, &error)) {
    fprintf(stderr, "train-fit: %s\n", error);
    free(error);
  } else {
    printf("saved cnn.safetensors (parameters as 0.weight, 0.bias, ...; Adam state as optimizer.*)\n");
  }

  lm_writer_close(w);
  lm_optimizer_free(opt);
  lm_module_free(model);
  lm_dataset_release(test);
  lm_dataset_release(train);
  return 0;
}
