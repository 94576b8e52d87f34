/* tensorboard-port.c: a PyTorch SummaryWriter script ported to lumen-log,
 * line by line: a scalar per step, a histogram now and then and a Custom
 * Scalars layout.  docs/tensorboard.md walks through it; each call has the
 * Python it replaces above it.
 *
 *   # the Python original
 *   writer = SummaryWriter("runs/port")
 *   writer.add_custom_scalars({"Training": {"Loss": ["Multiline", ["train/loss$", "val/loss$"]]}})
 *   for step in range(100):
 *       writer.add_scalar("train/loss", loss, step)
 *       if step % 10 == 0:
 *           writer.add_scalar("val/loss", val_loss, step)
 *           writer.add_histogram("fc1/weight", weights, step)
 *   writer.close()
 *
 * Not for: anything beyond the public header (example-util.h only makes
 * up the numbers); the install test builds it against the installed
 * pkg-config file:
 *
 *   cc tensorboard-port.c $(pkg-config --cflags --libs lumen-log) -lm -o tensorboard-port
 *   ./tensorboard-port --logdir runs --run port
 */
#include <lumen-log.h>
#include "example-util.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static void check(int rc, const char *what) { example_check("tensorboard-port", rc, what); }

int main(int argc, char **argv) {
  const char *logdir, *run;
  int status = example_parse_run_args(argc, argv, &logdir, &run, "port");
  if (status >= 0)
    return status;

  /* writer = SummaryWriter(log_dir) -- a run is a folder holding run.lumen */
  lm_writer *w;
  check(lm_writer_open(&w, logdir, run), "opening the run");

  /* writer.add_custom_scalars({"Training": {"Loss": ["Multiline", [...]]}}) */
  lm_custom_layout *layout;
  check(lm_custom_layout_new(&layout), "making the layout");
  const char *loss_tags[] = {"train/loss$", "val/loss$"};
  check(lm_custom_layout_add_multiline(layout, "Training", "Loss", loss_tags, 2),
        "adding the Loss chart");
  check(lm_writer_add_custom_scalars(w, layout), "logging the layout");
  lm_custom_layout_free(layout);

  enum { STEPS = 100, N_WEIGHTS = 1000 };
  static float weights[N_WEIGHTS];
  for (int step = 0; step < STEPS; step++) {
    double t = (double)step / STEPS;
    /* writer.add_scalar("train/loss", loss, step) */
    check(lm_writer_add_scalar(w, "train/loss", step,
                               2.0 * exp(-3.0 * t) + 0.02 * example_normal()),
          "logging train/loss");
    if (step % 10 == 0) {
      /* writer.add_scalar("val/loss", val_loss, step) */
      check(lm_writer_add_scalar(w, "val/loss", step, 2.1 * exp(-2.5 * t) + 0.1),
            "logging val/loss");
      /* writer.add_histogram("fc1/weight", weights, step) */
      for (int i = 0; i < N_WEIGHTS; i++)
        weights[i] = (float)((0.1 + 0.2 * t) * example_normal());
      check(lm_writer_add_histogram(w, "fc1/weight", step, weights, N_WEIGHTS),
            "logging fc1/weight");
    }
  }

  /* writer.close() */
  char path[4096];
  snprintf(path, sizeof path, "%s", lm_writer_file_path(w));
  check(lm_writer_close(w), "closing the run");
  printf("wrote %s: 110 scalars, 10 histograms, 1 custom scalars chart\n", path);
  return 0;
}
