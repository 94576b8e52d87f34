/* lumen-export: writes Lumen runs as TensorBoard event files, for
 * TensorBoard, `wandb sync`, MLflow and the other tools that read them.
 * The work is lm-tb-export.c's; this is the command line. */
#include "lm-tb-cli.h"
#include "lm-tb-export.h"

#include <stdio.h>

int
main (int argc, char **argv)
{
  gboolean overwrite = FALSE, quiet = FALSE;
  g_autofree char *runs = NULL;
  GOptionEntry entries[] = {
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite,
      "Replace event files already in DST/<run> (otherwise the run is refused)", NULL },
    { "runs", 0, 0, G_OPTION_ARG_STRING, &runs,
      "Export only the runs whose name REGEX matches (searched, as TensorBoard's run filter)",
      "REGEX" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print errors only", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("SRC DST");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_summary (ctx,
      "Writes Lumen runs as TensorBoard event files, as PyTorch's SummaryWriter does.\n"
      "Every run under SRC (a logdir, or one run's folder) becomes\n"
      "DST/<run name>/events.out.tfevents.<time>.<host>.<pid>.0 with each record's\n"
      "step and wall time: scalars, histograms, images (PNG), audio (WAV), text, PR\n"
      "curves, hparams, Custom Scalars layouts, graphs and meshes; embeddings become the\n"
      "projector's files (projector_config.pbtxt, <step>/<tag>/tensors.tsv,\n"
      "metadata.tsv, sprite.png).\n"
      "Profiled steps become DST/<run name>/<host>.<ms>.pt.trace.json, as torch.profiler's\n"
      "tensorboard_trace_handler writes them (TensorBoard's PyTorch Profiler plugin reads\n"
      "them); other traces have no TensorBoard form: they are counted and skipped.\n"
      "SRC is only read.\n"
      "Then:  tensorboard --logdir DST   or   wandb sync DST/<run name>");
  g_option_context_set_description (ctx,
      "Exit status: 0 when every run was exported whole, 1 when a run could not be\n"
      "read or written (the others are still exported), a run was refused or nothing\n"
      "was found, 2 on bad arguments.");
  int status = lm_tb_cli_parse (ctx, &argc, &argv, "lumen-export",
                                "lumen-export SRC DST [--overwrite] [--runs REGEX]");
  if (status != 0)
    return status;
  if (runs)
    {
      g_autoptr (GRegex) re = g_regex_new (runs, 0, 0, &error);
      if (re == NULL)
        {
          fprintf (stderr, "lumen-export: --runs '%s' is not a valid regular expression: %s\n",
                   runs, error->message);
          return 2;
        }
    }
  LmTbExportOptions opts = {
    .flags = overwrite ? LM_TB_EXPORT_OVERWRITE : 0,
    .runs = runs,
    .message = quiet ? lm_tb_cli_print_errors_only : NULL,
  };
  return lm_tb_export (argv[1], argv[2], &opts) ? 1 : 0;
}
