/* lumen-import: converts TensorBoard log folders (event files written by
 * PyTorch's SummaryWriter, tensorboardX or tf.summary) into Lumen runs,
 * once or following them as they grow.  The work is lm-tb-import.c's; this
 * is the command line. */
#include "lm-tb-cli.h"
#include "lm-tb-import.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* the signal that ended the import (SIGINT, SIGTERM), 0 until then */
static volatile sig_atomic_t interrupted;

static void
on_signal (int sig)
{
  interrupted = sig;
}

int
main (int argc, char **argv)
{
  gboolean follow = FALSE, overwrite = FALSE, quiet = FALSE;
  double interval = 1.0;
  GOptionEntry entries[] = {
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &follow,
      "Keep running: read new records, files and folders every second (like tensorboard) "
      "until Ctrl-C", NULL },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite,
      "Replace runs that already exist in DST (otherwise they are refused)", NULL },
    { "interval", 0, 0, G_OPTION_ARG_DOUBLE, &interval,
      "Seconds between two looks with --follow (default 1)", "SECONDS" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print errors only", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("SRC DST");

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_summary (ctx,
      "Converts TensorBoard event files (events.out.tfevents.*) into Lumen runs.\n"
      "Every folder under SRC holding event files (or profiler traces) becomes\n"
      "DST/<same path>/run.lumen (SRC itself: DST/<SRC's name>/run.lumen), with each\n"
      "event's step and wall time: scalars, histograms, images (PNG), audio (WAV),\n"
      "text, PR curves, hparams, projector embeddings, Custom Scalars layouts, graphs\n"
      "and meshes; torch.profiler's traces (tensorboard_trace_handler's\n"
      "*.pt.trace.json, .gz too) become profiled steps, one per ProfilerStep#N, for\n"
      "the Profile pane.  Other audio, run metadata and other plugins are skipped and\n"
      "counted, as are custom charts whose Python regexes POSIX cannot spell.\n"
      "Then:  lumen --logdir DST   (lumen --logdir SRC also imports, by itself).");
  g_option_context_set_description (ctx,
      "Exit status: 0 when everything was read, 1 when a file had a bad record (the\n"
      "records before it are kept), a run was refused or nothing was found, 2 on bad\n"
      "arguments, 130 (143) when Ctrl-C (SIGTERM) stopped it while reading: the runs\n"
      "written so far are whole, the one being read marked stopped.  A record cut\n"
      "short at the end of a file (still being written) is not an error (it is named\n"
      "at the end): --follow reads it when it is complete.");
  int status = lm_tb_cli_parse (ctx, &argc, &argv, "lumen-import",
                                "lumen-import SRC DST [--follow] [--overwrite]");
  if (status != 0)
    return status;
  if (!(interval > 0 && interval <= 3600))
    {
      fprintf (stderr, "lumen-import: --interval must be more than 0 and at most 3600 seconds; got %g\n",
               interval);
      return 2;
    }

  g_autoptr (LmTbImport) imp =
      lm_tb_import_new (argv[1], argv[2],
                        (overwrite ? LM_TB_IMPORT_OVERWRITE : 0) | (follow ? 0 : LM_TB_IMPORT_ONCE));
  if (quiet)
    lm_tb_import_set_message_func (imp, lm_tb_cli_print_errors_only, NULL);
  struct sigaction sa;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  lm_tb_import_set_cancel_flag (imp, &interrupted);

  lm_tb_import_poll (imp);
  if (follow && !interrupted)
    {
      if (!quiet)
        fprintf (stderr, "lumen-import: following %s into %s (Ctrl-C ends)\n", argv[1], argv[2]);
      while (!interrupted)
        {
          struct timespec ts = { (time_t) interval, (long) ((interval - (time_t) interval) * 1e9) };
          nanosleep (&ts, NULL);
          if (!interrupted)
            lm_tb_import_poll (imp);
        }
    }
  guint errors = lm_tb_import_finish (imp, follow);
  /* Ctrl-C while reading: what was read is in the runs, but not all of
   * SRC; the shell's 128 + the signal says so (130 for SIGINT).  Ctrl-C
   * between two looks of --follow is its normal end: 0. */
  if (lm_tb_import_was_interrupted (imp))
    {
      int sig = interrupted;
      fprintf (stderr, "lumen-import: %s: interrupted before the end of %s; the runs written so far are "
               "closed, the one being read marked stopped (import again with --overwrite for all of it)\n",
               sig == SIGTERM ? "SIGTERM" : "SIGINT", argv[1]);
      return 128 + sig;
    }
  return errors ? 1 : 0;
}
