/* log-classifier.c: what a classifier logs for TensorBoard's PR Curves and
 * Projector dashboards, with lumen-log's public API only.  A made-up
 * 3-class problem (points in the plane around three centres, classes
 * "ring", "square" and "cross") and a made-up classifier that gets
 * sharper each epoch; each epoch logs the test loss and accuracy and one
 * PR curve per class, and the end logs the test points' features as an
 * embedding with three metadata columns (class name, predicted class,
 * probability of the true class) and a thumbnail each.  The PyTorch
 * call each lumen-log call stands for is in the comment next to it.
 *
 * Not for: real training (see lumen-train, which logs the same for
 * Fashion-MNIST), or anything beyond the public header; the install test
 * builds it against the installed pkg-config file (example-util.h,
 * the made-up numbers, next to it):
 *
 *   cc log-classifier.c $(pkg-config --cflags --libs lumen-log) -o log-classifier
 *   ./log-classifier --logdir runs --run classifier --epochs 5
 *   lumen --logdir runs --view pr_curves          (or --view projector)
 */
#include <lumen-log.h>
#include "example-util.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  N_CLASSES = 3,
  PER_CLASS = 100,             /* test points per class */
  N = N_CLASSES * PER_CLASS,   /* test points */
  D = 16,                      /* embedding dimensions */
  THUMB = 16,                  /* thumbnail side, pixels */
};

static const char *const class_names[N_CLASSES] = {"ring", "square", "cross"};

static void usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s [--logdir LOGDIR] [--run NAME] [--epochs N]\n"
          "  --logdir DIR  where runs go (default: runs)\n"
          "  --run NAME    run name, may be nested like exp1/lr0.1\n"
          "                (default: date, time and host, like TensorBoard)\n"
          "  --epochs N    epochs to simulate, a PR curve per class each "
          "(default: 5)\n",
          argv0);
}

static void check(int rc, const char *what) { example_check("log-classifier", rc, what); }

/* Thumbnail of class k: its shape drawn in white on black, 1 x THUMB x
 * THUMB floats in [0, 1] (CHW with one channel, as a grey label_img). */
static void draw_thumbnail(int k, float *px) {
  const double c = (THUMB - 1) / 2.0;
  for (int y = 0; y < THUMB; y++)
    for (int x = 0; x < THUMB; x++) {
      double dx = x - c, dy = y - c, r = hypot(dx, dy);
      int on;
      if (k == 0)
        on = r > 4.5 && r < 6.5;
      else if (k == 1)
        on = fmax(fabs(dx), fabs(dy)) > 4.5 && fmax(fabs(dx), fabs(dy)) < 6.5;
      else
        on = (fabs(dx - dy) < 1.5 || fabs(dx + dy) < 1.5) && r < 7.0;
      px[y * THUMB + x] = on ? 1.0f : 0.0f;
    }
}

int main(int argc, char **argv) {
  const char *logdir = "runs", *run = NULL;
  long epochs = 5;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--logdir") && i + 1 < argc)
      logdir = argv[++i];
    else if (!strcmp(argv[i], "--run") && i + 1 < argc)
      run = argv[++i];
    else if (!strcmp(argv[i], "--epochs") && i + 1 < argc)
      epochs = strtol(argv[++i], NULL, 10);
    else {
      usage(argv[0]);
      return strcmp(argv[i], "--help") ? 2 : 0;
    }
  }
  if (epochs < 1) {
    fprintf(stderr, "log-classifier: --epochs must be at least 1\n");
    return 2;
  }

  /* The test set: PER_CLASS points of each class around its centre. */
  static double xy[N][2];
  static int label[N];
  for (int i = 0; i < N; i++) {
    int k = i / PER_CLASS;
    double a = 1.5707963 + k * 2.0943951; /* centres 120 degrees apart */
    label[i] = k;
    xy[i][0] = 1.5 * cos(a) + 0.9 * example_normal();
    xy[i][1] = 1.5 * sin(a) + 0.9 * example_normal();
  }

  lm_writer *w;
  /* writer = SummaryWriter("runs/classifier") */
  check(lm_writer_open(&w, logdir, run), "opening the run");

  static float probs[N][N_CLASSES];
  static float pred_k[N];
  static uint8_t is_k[N];
  static int predicted[N]; /* the last epoch's */
  for (long epoch = 1; epoch <= epochs; epoch++) {
    /* The "model": a softmax over minus the squared distance to where
     * it believes each centre is; training moves those guesses onto the
     * true centres and makes the softmax sharper. */
    double t = (double)epoch / (double)epochs;
    double sharpness = 0.3 + 1.2 * t, off = 1.2 * (1.0 - t);
    double loss = 0;
    int correct = 0;
    for (int i = 0; i < N; i++) {
      double logit[N_CLASSES], max = -INFINITY, sum = 0;
      for (int k = 0; k < N_CLASSES; k++) {
        double a = 1.5707963 + k * 2.0943951 + off;
        double dx = xy[i][0] - 1.5 * cos(a), dy = xy[i][1] - 1.5 * sin(a);
        logit[k] = -sharpness * (dx * dx + dy * dy);
        max = fmax(max, logit[k]);
      }
      int best = 0;
      for (int k = 0; k < N_CLASSES; k++) {
        sum += exp(logit[k] - max);
        if (logit[k] > logit[best])
          best = k;
      }
      for (int k = 0; k < N_CLASSES; k++)
        probs[i][k] = (float)(exp(logit[k] - max) / sum);
      loss -= log(probs[i][label[i]] + 1e-12) / N;
      correct += best == label[i];
      predicted[i] = best;
    }
    /* writer.add_scalar("test/loss", loss, epoch) */
    check(lm_writer_add_scalar(w, "test/loss", epoch, loss), "logging a scalar");
    /* writer.add_scalar("test/accuracy", correct / N, epoch) */
    check(lm_writer_add_scalar(w, "test/accuracy", epoch, (double)correct / N),
          "logging a scalar");

    /* One curve per class, one against the rest, as in PyTorch's
     * TensorBoard tutorial:
     *   writer.add_pr_curve("pr/" + classes[k], labels == k, probs[:, k], epoch)
     * num_thresholds 0 is add_pr_curve's default, 127; NULL weights count
     * every point once. */
    for (int k = 0; k < N_CLASSES; k++) {
      char tag[64];
      for (int i = 0; i < N; i++) {
        is_k[i] = label[i] == k;
        pred_k[i] = probs[i][k];
      }
      snprintf(tag, sizeof tag, "pr/%s", class_names[k]);
      check(lm_writer_add_pr_curve(w, tag, epoch, is_k, pred_k, N, 0, NULL),
            "logging a PR curve");
    }
  }

  /* The projector: each test point's features (here D made-up hidden
   * units, tanh of fixed random mixes of x and y), three metadata columns
   * and a thumbnail:
   *   writer.add_embedding(features,
   *                        metadata=[[classes[k], classes[p], f"{q:.3f}"]
   *                                  for k, p, q in zip(labels, preds, p_true)],
   *                        metadata_header=["label", "predicted", "p_true"],
   *                        label_img=thumbs, global_step=epochs,
   *                        tag="test_points")
   * thumbs is N x 1 x THUMB x THUMB, as add_embedding's N x C x H x W.
   * The projector colours by any column: "predicted" shows the mistakes,
   * "p_true" (numbers) a gradient. */
  static float features[N][D];
  static float thumbs[N][THUMB * THUMB];
  static char p_true[N][16];
  const char *metadata[N * 3];
  const char *const header[3] = {"label", "predicted", "p_true"};
  double mix[D][3];
  for (int j = 0; j < D; j++)
    for (int m = 0; m < 3; m++)
      mix[j][m] = example_normal();
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < D; j++)
      features[i][j] = (float)tanh(mix[j][0] * xy[i][0] + mix[j][1] * xy[i][1] + mix[j][2]);
    snprintf(p_true[i], sizeof p_true[i], "%.3f", probs[i][label[i]]);
    metadata[i * 3] = class_names[label[i]];
    metadata[i * 3 + 1] = class_names[predicted[i]];
    metadata[i * 3 + 2] = p_true[i];
    draw_thumbnail(label[i], thumbs[i]);
  }
  check(lm_writer_add_embedding_columns(w, "test_points", epochs, &features[0][0],
                                        N, D, header, 3, metadata,
                                        &thumbs[0][0], 1, THUMB, THUMB),
        "logging the embedding");

  char path[4096];
  snprintf(path, sizeof path, "%s", lm_writer_file_path(w));
  /* writer.close() */
  check(lm_writer_close(w), "closing the run");

  printf("wrote %s: %ld epochs, %ld PR curves, 1 embedding of %d points x %d\n",
         path, epochs, epochs * N_CLASSES, N, D);
  printf("look inside with:\n"
         "  sqlite3 %s \"SELECT t.name, c.step, p.threshold, p.precision, "
         "p.recall FROM pr_curves c JOIN tags t ON t.id = c.tag_id JOIN "
         "pr_curve_points p ON p.curve_id = c.id WHERE p.i = 63\"\n",
         path);
  return 0;
}
