/* lm-tb-cli.h: what the command lines of lumen-import and lumen-export
 * share: reading "SRC DST [options]", printing errors only (-q) and the
 * kinds of record their summary lines count.
 *
 * What it is not for: the app (app/lumen), which has its own options. */
#ifndef LM_TB_CLI_H
#define LM_TB_CLI_H

#include <glib.h>

G_BEGIN_DECLS

/* Parses the options of ctx, then wants exactly SRC and DST, SRC a
 * folder.  0, or 2 after saying on stderr what was wrong, prefixed with
 * prog ("lumen-import") and, for a wrong count, with usage.  Ignores
 * SIGXFSZ first: a file size limit is then a write error. */
int  lm_tb_cli_parse (GOptionContext *ctx, int *argc, char ***argv, const char *prog,
                      const char *usage);
/* A message function for -q: errors to stderr, the rest unsaid. */
void lm_tb_cli_print_errors_only (const char *message, gboolean is_error, gpointer user_data);

/* The kinds of record a run's summary line counts ("imported 7 scalars,
 * 2 histograms, ..."), in lumen-import's order; lumen-export lists them
 * in an order of its own. */
typedef enum
{
  LM_TB_SCALAR,
  LM_TB_HISTOGRAM,
  LM_TB_IMAGE,
  LM_TB_VIDEO,
  LM_TB_AUDIO,
  LM_TB_TEXT,
  LM_TB_PR_CURVE,
  LM_TB_HPARAMS,
  LM_TB_EMBEDDING,
  LM_TB_CUSTOM,
  LM_TB_GRAPH,
  LM_TB_MESH,
  LM_TB_PROFILE,   /* a profiled step (a *.pt.trace.json's ProfilerStep#N) */
  LM_TB_N_KINDS
} LmTbKind;

/* "scalar" for n == 1, else "scalars" (and so on for each kind). */
const char *lm_tb_kind_name (LmTbKind kind, guint64 n);

G_END_DECLS

#endif /* LM_TB_CLI_H */
