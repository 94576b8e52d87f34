/* main.c: the lumen-train executable: parse, handle Ctrl-C, run.
 *
 * The first Ctrl-C asks the training to stop after the current step (it then
 * writes a checkpoint, marks the run 'stopped' and exits 0); a second one
 * quits at once, as impatient users expect.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lm-train-app.h"
#include "lm-train-cli.h"

static volatile sig_atomic_t interrupts;

static void on_sigint(int sig)
{
  (void)sig;
  if (interrupts++ == 0) {
    static const char msg[] = "\nlumen-train: stopping after this step (Ctrl-C again to quit at once)\n";
    ssize_t r = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)r;
    lm_train_app_request_stop();
    return;
  }
  signal(SIGINT, SIG_DFL);
  raise(SIGINT);
}

int main(int argc, char **argv)
{
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
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  return lm_train_app_run(&cli, stdout, stderr, NULL);
}
