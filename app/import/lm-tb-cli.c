/* lm-tb-cli.c: the command-line parts lumen-import and lumen-export share
 * (see lm-tb-cli.h). */
#include "lm-tb-cli.h"

#include <signal.h>
#include <stdio.h>

int
lm_tb_cli_parse (GOptionContext *ctx, int *argc, char ***argv, const char *prog, const char *usage)
{
  g_autoptr (GError) error = NULL;

  /* A file size limit (ulimit -f) reached by an output file is a write
   * error that names the file and lets the other runs go on, as Python
   * ignores SIGXFSZ; by default the signal killed the program mid-run. */
  signal (SIGXFSZ, SIG_IGN);
  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      fprintf (stderr, "%s: %s (see %s --help)\n", prog, error->message, prog);
      return 2;
    }
  if (*argc != 3)
    {
      fprintf (stderr, "%s: %s (usage: %s)\n", prog,
               *argc < 3 ? "SRC and DST are needed" : "too many arguments", usage);
      return 2;
    }
  if (!g_file_test ((*argv)[1], G_FILE_TEST_IS_DIR))
    {
      fprintf (stderr, "%s: SRC %s is not a folder\n", prog, (*argv)[1]);
      return 2;
    }
  return 0;
}

void
lm_tb_cli_print_errors_only (const char *message, gboolean is_error, gpointer user_data)
{
  (void) user_data;
  if (is_error)
    fprintf (stderr, "%s\n", message);
}

const char *
lm_tb_kind_name (LmTbKind kind, guint64 n)
{
  static const char *const names[LM_TB_N_KINDS][2] = {
    { "scalar", "scalars" },
    { "histogram", "histograms" },
    { "image", "images" },
    { "video", "videos" },
    { "audio clip", "audio clips" },
    { "text", "texts" },
    { "PR curve", "PR curves" },
    { "hparams set", "hparams sets" },
    { "embedding", "embeddings" },
    { "custom scalars layout", "custom scalars layouts" },
    { "graph", "graphs" },
    { "mesh", "meshes" },
    { "profiled step", "profiled steps" },
  };

  g_return_val_if_fail (kind < LM_TB_N_KINDS, "");
  return names[kind][n == 1 ? 0 : 1];
}
