/* lm-run.h: one training run as the app sees it.
 *
 * What it is for: the main-thread view of one run file: its name (folder
 * path under the log directory), status ('running', 'finished', ...),
 * whether it is live (running with a recent heartbeat), an error message
 * when the file cannot be read, the user's visibility toggle, and its
 * scalar series (LmSeries, compact arrays) by tag.  Items of LmRunStore.
 *
 * What it is not for: reading the file (LmRunStore's worker threads do
 * that and hand results over on the main thread) or anything GTK.
 */
#pragma once

#include <glib-object.h>

#include "lm-series.h"

G_BEGIN_DECLS

typedef enum {
  LM_RUN_STATUS_UNKNOWN = 0,
  LM_RUN_STATUS_RUNNING,
  LM_RUN_STATUS_FINISHED,
  LM_RUN_STATUS_FAILED,
  LM_RUN_STATUS_STOPPED,
} LmRunStatus;

/* A 'running' run whose heartbeat is older than this is shown as stalled
 * when its lock cannot tell (no lock file, or written on another host). */
#define LM_RUN_STALE_SECONDS 60.0

#define LM_TYPE_RUN (lm_run_get_type ())
G_DECLARE_FINAL_TYPE (LmRun, lm_run, LM, RUN, GObject)

const char  *lm_run_get_name        (LmRun *run);
const char  *lm_run_get_path        (LmRun *run);
/* Discovery order in its store (0, 1, ...): the key for the run's colour,
 * stable while the app runs. */
guint        lm_run_get_ordinal     (LmRun *run);
LmRunStatus  lm_run_get_status      (LmRun *run);
const char  *lm_run_status_to_string (LmRunStatus status);
/* Running, and its writer process holds the run's lock (on this host);
 * for runs without a lock file, or written on another host: heard from
 * within LM_RUN_STALE_SECONDS. */
gboolean     lm_run_get_live        (LmRun *run);
/* Still 'running' in the file, but no process holds its lock: the writer
 * was killed or crashed without closing the run. */
gboolean     lm_run_get_writer_gone (LmRun *run);
/* NULL when the run reads fine. */
const char  *lm_run_get_error       (LmRun *run);
/* The first load of the file is complete (or failed). */
gboolean     lm_run_get_loaded      (LmRun *run);
/* Every scalar point of the first load is represented in the series:
 * loaded, or showing the file's summaries (first, smallest, largest and
 * last point of every block of 256) while the rows are still being read. */
gboolean     lm_run_get_complete    (LmRun *run);
guint64      lm_run_get_n_points    (LmRun *run);
/* Unix seconds; 0 when unknown. */
double       lm_run_get_start_time  (LmRun *run);
double       lm_run_get_heartbeat   (LmRun *run);
/* A key of the file's `run` table ('command_line', 'host', ...) or NULL. */
const char  *lm_run_get_info        (LmRun *run, const char *key);

gboolean     lm_run_get_visible     (LmRun *run);
void         lm_run_set_visible     (LmRun *run, gboolean visible);

/* The run's scalar series for a tag, NULL if it has none.  Owned by the
 * run; valid until the run is finalized or reset by a reload. */
LmSeries    *lm_run_get_series      (LmRun *run, const char *tag);
/* Sorted names of the run's scalar tags (owned by the run). */
GPtrArray   *lm_run_get_scalar_tags (LmRun *run);

G_END_DECLS
