/* log-scalars.c: a small user program that logs a (simulated) training run
 * with lumen-log's public API only, the way a PyTorch user would with
 * SummaryWriter: scalars every step, a weight histogram and a sample image
 * now and then, the hyperparameters and a note.
 *
 * Not for: real training (see lumen-train), or anything beyond the
 * public header; it is also what the install test builds against the
 * installed pkg-config file (example-util.h, the made-up numbers, next to
 * it):
 *
 *   cc log-scalars.c $(pkg-config --cflags --libs lumen-log) -o log-scalars
 *   ./log-scalars --logdir runs --run demo --steps 1000
 */
#include <lumen-log.h>
#include "example-util.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s [LOGDIR | --logdir LOGDIR] [--run NAME] [--steps N]\n"
          "  --logdir DIR  where runs go (default: runs)\n"
          "  --run NAME    run name, may be nested like exp1/lr0.1\n"
          "                (default: date, time and host, like TensorBoard)\n"
          "  --steps N     training steps to simulate (default: 1000)\n",
          argv0);
}

static void check(int rc, const char *what) { example_check("log-scalars", rc, what); }

int main(int argc, char **argv) {
  const char *logdir = "runs", *run = NULL;
  long steps = 1000;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--logdir") && i + 1 < argc)
      logdir = argv[++i];
    else if (!strcmp(argv[i], "--run") && i + 1 < argc)
      run = argv[++i];
    else if (!strcmp(argv[i], "--steps") && i + 1 < argc)
      steps = strtol(argv[++i], NULL, 10);
    else if (argv[i][0] != '-' && i == 1)
      logdir = argv[i]; /* `log-scalars runs` like `tensorboard --logdir runs` */
    else {
      usage(argv[0]);
      return strcmp(argv[i], "--help") ? 2 : 0;
    }
  }
  if (steps < 1) {
    fprintf(stderr, "log-scalars: --steps must be at least 1\n");
    return 2;
  }

  lm_writer *w;
  check(lm_writer_open(&w, logdir, run), "opening the run");

  const double lr = 0.05;
  lm_hparam hps[] = {LM_HP_NUMBER("lr", lr), LM_HP_STRING("optimizer", "sgd"),
                     LM_HP_NUMBER("batch_size", 64), LM_HP_BOOL("augment", 1)};
  const char *metrics[] = {"train/loss", "train/accuracy"};
  check(lm_writer_add_hparams(w, hps, 4, metrics, 2), "logging hparams");
  check(lm_writer_add_text(w, "notes", 0,
                           "# Demo run\nA *simulated* training run written "
                           "by `examples/log-scalars.c`."),
        "logging text");

  enum { N_WEIGHTS = 10000, IMG = 64 };
  static float weights[N_WEIGHTS];
  static uint8_t image[IMG * IMG * 3];
  long scalars = 0, histograms = 0, images = 0;
  for (long step = 0; step < steps; step++) {
    double t = (double)step / (double)steps;
    double loss = 2.3 * exp(-4.0 * t) + 0.05 + 0.03 * example_normal();
    double acc = 0.1 + 0.85 * (1.0 - exp(-5.0 * t)) + 0.01 * example_normal();
    const char *tags[] = {"train/loss", "train/accuracy", "lr"};
    double values[] = {loss, acc, lr * 0.5 * (1.0 + cos(3.14159265 * t))};
    check(lm_writer_add_scalars(w, step, 3, tags, values), "logging scalars");
    scalars += 3;

    if (step % 100 == 0 || step == steps - 1) {
      /* Weights spread out as training goes on, as they tend to. */
      for (int i = 0; i < N_WEIGHTS; i++)
        weights[i] = (float)((0.05 + 0.2 * t) * example_normal());
      check(lm_writer_add_histogram(w, "fc1/weight", step, weights, N_WEIGHTS),
            "logging a histogram");
      histograms++;
    }
    if (step % 250 == 0 || step == steps - 1) {
      /* A pattern that sharpens with training, standing in for a sample. */
      for (int y = 0; y < IMG; y++)
        for (int x = 0; x < IMG; x++) {
          double r = hypot(x - IMG / 2.0, y - IMG / 2.0) / (IMG / 2.0);
          double v = 0.5 + 0.5 * cos(r * (4.0 + 20.0 * t));
          uint8_t *p = &image[(y * IMG + x) * 3];
          p[0] = (uint8_t)(255.0 * v);
          p[1] = (uint8_t)(255.0 * (1.0 - r > 0 ? 1.0 - r : 0));
          p[2] = (uint8_t)(255.0 * t);
        }
      check(lm_writer_add_image(w, "samples/pattern", step, image, IMG, IMG,
                                3),
            "logging an image");
      images++;
    }
  }

  char path[4096];
  snprintf(path, sizeof path, "%s", lm_writer_file_path(w));
  check(lm_writer_close(w), "closing the run");

  printf("wrote %s: 3 tags, %ld scalars, %ld histograms, %ld images\n", path,
         scalars, histograms, images);
  printf("look inside with:\n"
         "  sqlite3 %s \"SELECT step, value FROM scalars JOIN tags ON "
         "tags.id = scalars.tag_id WHERE tags.name = 'train/loss' ORDER BY "
         "step DESC LIMIT 5\"\n",
         path);
  return 0;
}
