/* lm-run-store.h: the runs under one log directory, live.
 *
 * What it is for: a GListModel of LmRun (sorted by name) for a log
 * directory, like `tensorboard --logdir`: every `run.lumen` below it is a
 * run, named by its folder path.  Runs that appear, grow, finish or
 * disappear while the app is open are noticed within about a second; new
 * points reach the runs' series within the poll interval (250 ms) of the
 * writer's commit.  All file access happens on worker threads; the store,
 * its runs and their series are used from the main thread only.
 *
 * Signals: "tags-changed", "run-data-changed" (LmRun *: rows were merged
 * into it) and "run-file-read" (LmRun *: its file was read again after a
 * change, whatever the change held: the graph page lists new graphs and
 * traces on it, which bring no scalar rows).
 *
 * What it is not for: drawing, colours (ui/ maps a run's ordinal to a
 * colour) or writing run files (the logging library does that).
 */
#pragma once

#include <gio/gio.h>

#include "lm-run.h"

G_BEGIN_DECLS

#define LM_TYPE_RUN_STORE (lm_run_store_get_type ())
G_DECLARE_FINAL_TYPE (LmRunStore, lm_run_store, LM, RUN_STORE, GObject)

LmRunStore *lm_run_store_new          (const char *logdir);
/* Several log directories in one window, as TensorBoard's --logdir_spec:
 * the runs under paths[i] are named "names[i]/<run>" (the run file at the
 * top of paths[i] is "names[i]"), or keep their own names where names[i]
 * is "".  Both arrays NULL-terminated, of the same length.  A folder that
 * cannot be read shows as a run with an error; the store's error is set
 * only when none can. */
LmRunStore *lm_run_store_new_spec     (const char *const *names,
                                       const char *const *paths);
/* TensorBoard's --logdir_spec syntax: comma-separated entries, each
 * "name:path" or a bare path ("~/" expanded).  Fills names ("" for a bare
 * path) and paths for lm_run_store_new_spec; FALSE with an error naming the
 * bad entry (empty, no path, a URL, a name given twice). */
gboolean    lm_logdir_spec_parse      (const char *spec,
                                       GStrv      *names,
                                       GStrv      *paths,
                                       GError    **error);
/* One more folder to watch, before lm_run_store_start(): its runs are
 * named as an entry "name:path" of lm_run_store_new_spec would name them
 * (name NULL or "": by their paths in it).  The logdir and
 * lm_run_store_is_spec() stay as they were: the app adds the cache of a
 * folder of TensorBoard event files this way. */
void        lm_run_store_add_root     (LmRunStore *store,
                                       const char *name,
                                       const char *path);
/* Tuning, before lm_run_store_start(): data_version poll interval and
 * directory walk interval in milliseconds (0 keeps the default). */
void        lm_run_store_set_intervals (LmRunStore *store,
                                        guint       poll_ms,
                                        guint       scan_ms);
/* Tuning, before lm_run_store_start(): a first load of at least this many
 * rows starts from the file's scalar summaries (0 keeps the default). */
void        lm_run_store_set_preview_rows (LmRunStore *store, guint rows);
void        lm_run_store_start        (LmRunStore *store);
/* Walk the folder now and retry runs that failed to read. */
void        lm_run_store_reload       (LmRunStore *store);

/* The folder given to lm_run_store_new, or the spec "name:path,..." */
const char *lm_run_store_get_logdir   (LmRunStore *store);
/* Made by lm_run_store_new_spec. */
gboolean    lm_run_store_is_spec      (LmRunStore *store);
/* The folders watched (NULL-terminated; one for lm_run_store_new). */
const char *const *lm_run_store_get_paths (LmRunStore *store);
LmRun      *lm_run_store_find         (LmRunStore *store, const char *name);
/* The --logdir_spec entry name a run is shown under ("name" of
 * "name/<run>"), or "" for a run of --logdir or of an entry without a
 * name: the run's experiment, as "Color runs by Experiment" groups them. */
const char *lm_run_store_get_experiment (LmRunStore *store, LmRun *run);
/* Sorted names of every scalar tag of any run (owned by the store). */
GPtrArray  *lm_run_store_get_scalar_tags (LmRunStore *store);

/* Progress: the first walk has finished and every run found so far has
 * had its first load (or failed to). */
gboolean    lm_run_store_get_loading  (LmRunStore *store);
guint       lm_run_store_get_n_loaded (LmRunStore *store);
/* The first walk has finished and every run is complete (lm_run_get_complete):
 * every point is on the charts, perhaps still as the summaries' overview. */
gboolean    lm_run_store_get_complete (LmRunStore *store);
guint64     lm_run_store_get_n_points (LmRunStore *store);
/* Why the log directory cannot be read, or NULL. */
const char *lm_run_store_get_error    (LmRunStore *store);
/* A heading for that: "Log directory not found", "Log directory is not a
 * folder" or "Log directory cannot be read"; NULL without an error. */
const char *lm_run_store_get_error_title (LmRunStore *store);

G_END_DECLS
