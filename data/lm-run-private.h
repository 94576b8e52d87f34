/* lm-run-private.h: how LmRunStore feeds an LmRun (main thread only).
 *
 * What it is for: creating runs and merging read results into them in id
 * order (results of parallel range reads may arrive in any order; rows
 * are appended only once everything before them has arrived).
 * Not for ui/ or app/.
 */
#pragma once

#include "lm-run.h"
#include "lm-reader-private.h"

G_BEGIN_DECLS

LmRun *lm_run_new (const char *name, const char *path, guint ordinal);

/* Takes ownership of result.  Returns the number of rows appended;
 * *tags_changed is set when the run's scalar tag set changed. */
gsize  lm_run_apply_result (LmRun        *run,
                            LmReadResult *result,
                            gboolean     *tags_changed);

/* Re-evaluates "live" against the clock (heartbeats age). */
void   lm_run_update_live (LmRun *run, double now);

G_END_DECLS
