/* log-audio.c: audio clips for the Audio dashboard, the way a speech or
 * music model's training script logs them with SummaryWriter.add_audio.
 *
 * A made-up "model" learns to reproduce a one-second A-major chord: every
 * 10 steps it logs its output (noise fading into the chord as the loss
 * falls) under audio/output, with a Markdown label (a table of its loss
 * and share of noise), and
 * once the chord itself under audio/target, plus the loss as a scalar.
 * In lumen (`lumen --logdir runs --view audio`) the output's waveform turns
 * from noise into the chord's beating envelope as you move the step slider.
 *
 *   # the Python original
 *   writer.add_audio("audio/target", target, 0, sample_rate=16000)
 *   for step in range(100):
 *       writer.add_scalar("train/loss", loss, step)
 *       if step % 10 == 0:
 *           writer.add_audio("audio/output", output, step, sample_rate=16000)
 *
 * Not for: anything beyond the public header (example-util.h only makes up
 * the noise).  Built against the installed pkg-config file by the install
 * test:
 *
 *   cc log-audio.c $(pkg-config --cflags --libs lumen-log) -lm -o log-audio
 *   ./log-audio --logdir runs --run audio
 */
#include <lumen-log.h>
#include "example-util.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static void check(int rc, const char *what) { example_check("log-audio", rc, what); }

enum { RATE = 16000, FRAMES = RATE, STEPS = 100, EVERY = 10 };

/* A major: A4, C#5, E5, each at a third of full scale, faded in and out
 * over 50 ms so the clip starts and ends without a click. */
static float chord(int i) {
  static const double hz[] = {440.0, 554.37, 659.25};
  double t = (double)i / RATE, fade = fmin(1.0, fmin(t, 1.0 - t) / 0.05), v = 0;
  for (int k = 0; k < 3; k++)
    v += sin(6.283185307179586 * hz[k] * t) / 3.0;
  return (float)(0.9 * fade * v);
}

int main(int argc, char **argv) {
  const char *logdir, *run;
  int status = example_parse_run_args(argc, argv, &logdir, &run, "audio");
  if (status >= 0)
    return status;

  lm_writer *w;
  check(lm_writer_open(&w, logdir, run), "opening the run");

  static float target[FRAMES], output[FRAMES];
  for (int i = 0; i < FRAMES; i++)
    target[i] = chord(i);
  /* writer.add_audio("audio/target", target, 0, sample_rate=16000) */
  check(lm_writer_add_audio_label(w, "audio/target", 0, target, FRAMES, 1, RATE,
                                  "**Target**: A major (440, 554 and 659 Hz)"),
        "logging audio/target");

  int clips = 1;
  for (int step = 0; step < STEPS; step++) {
    double noise = exp(-4.0 * step / STEPS); /* the share of the output that is noise */
    check(lm_writer_add_scalar(w, "train/loss", step, noise * noise + 0.001 * example_uniform01()),
          "logging train/loss");
    if (step % EVERY == 0) {
      for (int i = 0; i < FRAMES; i++)
        output[i] = (float)((1.0 - noise) * target[i] + noise * 0.5 * example_normal());
      /* a Markdown label, as TensorBoard renders them: a table of metrics */
      char label[192];
      snprintf(label, sizeof label,
               "**Output** at step %d\n\n| loss | noise |\n|--:|--:|\n| %.3f | %.0f %% |", step,
               noise * noise, 100 * noise);
      /* writer.add_audio("audio/output", output, step, sample_rate=16000) */
      check(lm_writer_add_audio_label(w, "audio/output", step, output, FRAMES, 1, RATE, label),
            "logging audio/output");
      clips++;
    }
  }

  char path[4096];
  snprintf(path, sizeof path, "%s", lm_writer_file_path(w));
  check(lm_writer_close(w), "closing the run");
  printf("wrote %s: %d scalars, %d audio clips of 1 s at %d Hz\n", path, STEPS, clips, RATE);
  return 0;
}
