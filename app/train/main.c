/* main.c: the lumen-train executable: handle Ctrl-C and SIGTERM, parse, run.
 *
 * The first Ctrl-C (SIGINT) or SIGTERM (what a job scheduler, `kill` or
 * tools/main.sh sends) asks the training to stop after the current step (it
 * then writes a checkpoint, marks the run 'stopped' and exits 0); a second
 * one quits at once, as impatient users expect.  The handlers are installed
 * before anything else, so a signal sent while lumen-train is still starting
 * (parsing, loading data) is not lost: training then stops after its first
 * step.  They replace an inherited SIG_IGN (a background job of a shell
 * script starts with SIGINT ignored).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lm-train-app.h"
#include "lm-train-cli.h"

static volatile sig_atomic_t interrupts;

static void on_stop_signal(int sig)
{
  if (interrupts++ == 0) {
    static const char int_msg[] = "\nlumen-train: stopping after this step (Ctrl-C again to quit at once)\n";
    static const char term_msg[] = "\nlumen-train: SIGTERM: stopping after this step (checkpoint, run marked "
                                   "'stopped'); send it again to quit at once\n";
    ssize_t r = sig == SIGTERM ? write(STDERR_FILENO, term_msg, sizeof term_msg - 1)
                               : write(STDERR_FILENO, int_msg, sizeof int_msg - 1);
    (void)r;
    lm_train_app_request_stop();
    return;
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

int main(int argc, char **argv)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  /* A file size limit (ulimit -f, a cluster's) reached by the run file or
   * a checkpoint is a write error ("File too large") that lumen-train
   * reports and survives, as Python ignores SIGXFSZ; by default the signal
   * killed it without a word. */
  signal(SIGXFSZ, SIG_IGN);

  lm_train_cli cli;
  lm_train_cli_defaults(&cli);
  switch (lm_train_cli_parse(&cli, argc, argv, stdout, stderr)) {
  case LM_CLI_EXIT_OK:
    return 0;
  case LM_CLI_USAGE:
    return 2;
  case LM_CLI_RUN:
    break;
  }
  return lm_train_app_run(&cli, stdout, stderr, NULL);
}
