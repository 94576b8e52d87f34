/* progress.c: the progress bar of lm-train-progress.h.
 *
 * Drawing is throttled (a step of the MLP takes well under a millisecond, and
 * a terminal write per step would cost more than the step). The ETA is the
 * mean time per step since the epoch began times the steps left, which is
 * steady after the first few steps and needs no smoothing state.
 */
#include "lm-train-progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

double lm_now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void lm_progress_format_duration(double seconds, char *buf, size_t len)
{
  if (!isfinite(seconds) || seconds < 0)
    seconds = 0;
  long s = (long)(seconds + 0.5);
  if (s >= 3600)
    snprintf(buf, len, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    snprintf(buf, len, "%ld:%02ld", s / 60, s % 60);
}

void lm_progress_init(lm_progress *p, FILE *out, int tty)
{
  memset(p, 0, sizeof *p);
  p->out = out;
  p->tty = tty < 0 ? isatty(fileno(out)) : tty != 0;
  p->width = 80;
  if (p->tty) {
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
      p->width = ws.ws_col;
  }
}

void lm_progress_begin(lm_progress *p, int epoch, int epochs, int64_t total, int64_t first, double now)
{
  p->epoch = epoch;
  p->epochs = epochs;
  p->total = total;
  p->first = first;
  p->t_start = now;
  p->last_draw = -1;
  p->last_plain = first;
  p->drawn = false;
}

void lm_progress_format(const lm_progress *p, int64_t done, double loss, double acc,
                        double examples_per_sec, double now, char *buf, size_t len)
{
  char eta[32];
  int64_t ran = done - p->first;
  double per_step = ran > 0 ? (now - p->t_start) / (double)ran : 0;
  lm_progress_format_duration(per_step * (double)(p->total - done), eta, sizeof eta);
  char stats[160];
  if (isnan(acc)) /* nothing read back yet (a GPU reads the losses every --log-every steps) */
    snprintf(stats, sizeof stats, " %lld/%lld ETA %s loss - acc - %.0f ex/s", (long long)done,
             (long long)p->total, eta, examples_per_sec);
  else
    snprintf(stats, sizeof stats, " %lld/%lld ETA %s loss %.4f acc %.1f%% %.0f ex/s",
             (long long)done, (long long)p->total, eta, loss, 100.0 * acc, examples_per_sec);
  char head[32];
  snprintf(head, sizeof head, "Epoch %d/%d ", p->epoch, p->epochs);

  /* the bar takes what the terminal width leaves, between 10 and 30 cells */
  int bar = p->tty ? p->width - 1 - (int)strlen(head) - (int)strlen(stats) - 2 : 20;
  if (bar > 30)
    bar = 30;
  if (bar < 10)
    bar = 10;
  char cells[40];
  int filled = p->total > 0 ? (int)((double)bar * (double)done / (double)p->total) : bar;
  if (filled > bar)
    filled = bar;
  for (int i = 0; i < bar; i++)
    cells[i] = i < filled ? '=' : (i == filled ? '>' : ' ');
  if (filled == bar && bar > 0)
    cells[bar - 1] = '=';
  cells[bar] = '\0';
  snprintf(buf, len, "%s[%s]%s", head, cells, stats);
}

void lm_progress_update(lm_progress *p, int64_t done, double loss, double acc,
                        double examples_per_sec, double now)
{
  char line[320];
  if (p->tty) {
    if (done < p->total && p->last_draw >= 0 && now - p->last_draw < 0.1)
      return;
    p->last_draw = now;
    lm_progress_format(p, done, loss, acc, examples_per_sec, now, line, sizeof line);
    fprintf(p->out, "\r%s\033[K", line);
    fflush(p->out);
    p->drawn = true;
    return;
  }
  /* plain output: a line at every 10% boundary crossed */
  int64_t tenth = p->total >= 10 ? p->total / 10 : 1;
  if (done / tenth == p->last_plain / tenth && done != p->total)
    return;
  if (done == p->last_plain)
    return;
  p->last_plain = done;
  lm_progress_format(p, done, loss, acc, examples_per_sec, now, line, sizeof line);
  fprintf(p->out, "%s\n", line);
  fflush(p->out);
}

void lm_progress_close(lm_progress *p, int64_t done, double loss, double acc,
                       double examples_per_sec, double now)
{
  char line[320];
  lm_progress_format(p, done, loss, acc, examples_per_sec, now, line, sizeof line);
  if (p->tty)
    fprintf(p->out, "\r%s\033[K\n", line); /* unthrottled: this is the step it stopped at */
  else if (done != p->last_plain)
    fprintf(p->out, "%s\n", line);
  fflush(p->out);
  p->last_plain = done;
  p->drawn = false; /* left on screen: end() must not clear it */
}

void lm_progress_end(lm_progress *p)
{
  if (p->tty && p->drawn) {
    fputs("\r\033[K", p->out);
    fflush(p->out);
  }
  p->drawn = false;
}
