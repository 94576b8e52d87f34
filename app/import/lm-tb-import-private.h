/* lm-tb-import-private.h: the converters lm-tb-import.c calls that have
 * files of their own (and tests of their own).  Not installed. */
#ifndef LM_TB_IMPORT_PRIVATE_H
#define LM_TB_IMPORT_PRIVATE_H

#include <glib.h>
#include <lumen-log.h>

#include "lm-chrome-trace.h"

G_BEGIN_DECLS

/* A TensorBoard tag regex (Python re) as a POSIX extended one that
 * matches the same tags (lm-tb-regex.c); NULL with *why (free it) naming
 * the part that has no exact POSIX spelling. */
char *lm_tb_regex_to_posix (const char *re, char **why);

/* A serialized GraphDef as Lumen's graph named `name` (lm-tb-graph.c);
 * NULL with error when the bytes are not a GraphDef or a node has no
 * name or op. */
lm_graph *lm_tb_graph_from_graphdef (const guint8 *data, size_t len, const char *name,
                                     GError **error);

/* The steps read from torch.profiler Chrome traces (LmChromeTrace *) as
 * profiled steps of w (lm-tb-profile.c): one graph named `name` of their
 * ops, a trace per step; a step without a ProfilerStep number takes
 * *next_step, which ends past every step written.  *n_steps: the traces
 * written; stop(stop_data) (may be NULL), asked before each step, ends
 * the writing there (Ctrl-C), the steps written whole.  An lm-log error
 * code (the writer's message says why). */
int lm_tb_profile_write (lm_writer *w, GPtrArray *traces, const char *name, gint64 *next_step,
                         guint *n_steps, LmChromeTraceStop stop, gpointer stop_data);

G_END_DECLS

#endif /* LM_TB_IMPORT_PRIVATE_H */
