/* lm-watcher-private.h: the threads behind LmRunStore.
 *
 * What it is for: a poll thread that walks the log directory (about once a
 * second) and checks every open run for commits (PRAGMA data_version,
 * every poll_ms), plus a small pool of worker threads that read what is
 * new.  Large reads are split by id range across the pool, so a run of ten
 * million rows loads on every core.  Results come back on the main
 * context, in a GSource that works through them in slices of a few
 * milliseconds so the window never stalls.
 *
 * What it is not for: holding the data (LmRun does) or GObject API (the
 * store wraps this).
 */
#pragma once

#include <glib.h>

#include "lm-reader-private.h"

G_BEGIN_DECLS

typedef enum {
  LM_WATCH_MSG_SCAN,   /* entries (LmScanEntry) or error */
  LM_WATCH_MSG_READ,   /* read */
} LmWatchMsgKind;

typedef struct
{
  LmWatchMsgKind kind;
  GPtrArray *entries;     /* SCAN: LmScanEntry*, sorted by name */
  char *error;            /* SCAN: log directory problem */
  const char *error_title; /* SCAN: its heading (static), with error */
  LmReadResult *read;     /* READ: ownership passes to the callback */
} LmWatchMsg;

/* Called on the main context; may steal msg->read / msg->entries (set the
 * field to NULL). */
typedef void (*LmWatchFunc) (LmWatchMsg *msg, gpointer user_data);

typedef struct _LmWatcher LmWatcher;

typedef struct
{
  guint poll_ms;        /* data_version polls; default 250 */
  guint scan_ms;        /* directory walks; default 1000 */
  guint chunk_rows;     /* rows per read job; default 131072 */
  guint n_threads;      /* worker threads; default: cores, 2..6 */
  guint preview_rows;   /* a first load of at least this many rows starts
                         * from the scalar summaries; default 262144 */
} LmWatcherConfig;

/* The log directories to watch: paths (NULL-terminated) and, as
 * lm_scan_roots takes them, their names ("" for none; names NULL: none). */
LmWatcher *lm_watcher_new    (const char *const     *names,
                              const char *const     *paths,
                              const LmWatcherConfig *config,
                              GMainContext          *context,
                              LmWatchFunc            func,
                              gpointer               user_data);
void       lm_watcher_start  (LmWatcher *watcher);
/* Walk the folder now and retry failed runs at once. */
void       lm_watcher_reload (LmWatcher *watcher);
/* Stops and joins every thread, drops undelivered results. */
void       lm_watcher_free   (LmWatcher *watcher);

G_END_DECLS
