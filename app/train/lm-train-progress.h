/* lm-train-progress.h: lumen-train's per-epoch progress bar.
 *
 *   Epoch 3/10 [=========>          ] 420/844 ETA 0:12 loss 0.3521 acc 87.3% 5234 ex/s
 *
 * On a terminal the line is redrawn in place (\r, at most ~10 times a
 * second, fitted to the terminal width); into a file or pipe it prints a
 * plain line every 10% of the epoch instead, so logs stay readable.
 * Plain C, no GLib; the clock is passed in so tests can drive it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
  FILE *out;
  bool tty;          /* redraw in place */
  int width;         /* terminal columns (tty only) */
  int epoch, epochs; /* 1-based for display */
  int64_t total;     /* steps in this epoch */
  int64_t first;     /* step the epoch (re)started at (resume) */
  double t_start;    /* seconds, when `first` began */
  double last_draw;
  int64_t last_plain; /* last step printed as a plain line */
  bool drawn;        /* a \r line is on screen */
} lm_progress;

/* out: where to draw; tty: -1 to detect with isatty(). */
void lm_progress_init(lm_progress *p, FILE *out, int tty);
void lm_progress_begin(lm_progress *p, int epoch, int epochs, int64_t total, int64_t first, double now);
/* done: steps finished in this epoch (including resumed ones); loss and acc
 * are the epoch's running means; examples_per_sec the current rate. */
void lm_progress_update(lm_progress *p, int64_t done, double loss, double acc,
                        double examples_per_sec, double now);
/* Draws the bar at `done` now (no throttling, even between 10% lines) and
 * leaves it on its own line, as tqdm's close(): for a run stopped mid-epoch
 * (Ctrl-C, --stop-after-steps), whose last bar would otherwise show an
 * earlier step, or be cleared. */
void lm_progress_close(lm_progress *p, int64_t done, double loss, double acc,
                       double examples_per_sec, double now);
/* Clears the bar (tty) so the epoch summary line can take its place. */
void lm_progress_end(lm_progress *p);
/* Formats one line (no newline) into buf: used by update, and by tests. */
void lm_progress_format(const lm_progress *p, int64_t done, double loss, double acc,
                        double examples_per_sec, double now, char *buf, size_t len);
/* "1:02:03" / "2:03" */
void lm_progress_format_duration(double seconds, char *buf, size_t len);
double lm_now_seconds(void); /* monotonic */
