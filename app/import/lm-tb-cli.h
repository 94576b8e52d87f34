/* lm-tb-cli.h: what the command lines of lumen-import and lumen-export
 * share: reading "SRC DST [options]" and printing errors only (-q).
 *
 * What it is not for: the app (app/lumen), which has its own options. */
#ifndef LM_TB_CLI_H
#define LM_TB_CLI_H

#include <glib.h>

G_BEGIN_DECLS

/* Parses the options of ctx, then wants exactly SRC and DST, SRC a
 * folder.  0, or 2 after saying on stderr what was wrong, prefixed with
 * prog ("lumen-import") and, for a wrong count, with usage. */
int  lm_tb_cli_parse (GOptionContext *ctx, int *argc, char ***argv, const char *prog,
                      const char *usage);
/* A message function for -q: errors to stderr, the rest unsaid. */
void lm_tb_cli_print_errors_only (const char *message, gboolean is_error, gpointer user_data);

G_END_DECLS

#endif /* LM_TB_CLI_H */
