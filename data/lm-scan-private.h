/* lm-scan-private.h: finding run files under a log directory.
 *
 * What it is for: one recursive walk of the log directory that lists every
 * `run.lumen` with its run name (the folder path relative to the log
 * directory, "." for a run file at the top, like TensorBoard) and the
 * size/mtime of the file and its -wal, which is how runs without an open
 * connection are noticed to change.  Hidden folders are skipped; symlinked
 * folders are followed once (loops are cut).  A sub-folder that cannot be
 * read (another user's, mode 700) is listed as an entry of its own with the
 * reason in `error`, so it shows as a run with an error badge instead of
 * vanishing.
 *
 * What it is not for: opening the files (lm-reader.c) or deciding when to
 * walk (lm-watcher.c).
 */
#pragma once

#include <glib.h>
#include <sys/stat.h>

G_BEGIN_DECLS

typedef struct
{
  char *name;          /* "exp1/lr0.1" */
  char *path;          /* "<logdir>/exp1/lr0.1/run.lumen" */
  gint64 stamp;        /* changes when the file or its -wal changes */
  guint64 inode;       /* a new inode: the file was replaced */
  char *error;         /* NULL, or why the folder `name` cannot be read
                        * (then `path` is that folder, not a run file) */
} LmScanEntry;

void       lm_scan_entry_free (LmScanEntry *entry);

/* The folders a walk has met, by device and inode: a folder reached again
 * (a symlink back up the tree) is walked once, not over and over to the
 * depth limit.  lm_scan_seen_before adds the folder st describes, and
 * says whether it was there already. */
GArray    *lm_scan_visited_new (void);
gboolean   lm_scan_seen_before (GArray *visited, const struct stat *st);

/* Sorted by name.  NULL with *error when the log directory cannot be read,
 * and *title (a static heading: "Log directory not found", "... is not a
 * folder", "... cannot be read") when title is not NULL. */
GPtrArray *lm_scan_logdir (const char *logdir, char **error, const char **title);

/* A log directory of several roots (TensorBoard's --logdir_spec): each
 * root's runs are named "name/<run>" (a run file at the top of the root
 * being "name"), or as under one log directory when name is NULL. */
typedef struct
{
  char *name;          /* NULL: the runs keep their own names */
  char *path;
} LmScanRoot;

/* lm_scan_logdir over every root, the entries merged and sorted.  A root
 * that cannot be read is an entry with its reason in `error`, named as its
 * runs would be; only when no root holds a run and some cannot be read is
 * the result NULL with *error (and *title) as lm_scan_logdir gives them.  When roots without
 * names hold runs of the same name, the later ones are named
 * "<name> [<root path>]", so every name is one run. */
GPtrArray *lm_scan_roots (const LmScanRoot *roots, guint n, char **error, const char **title);

/* Size and mtime of path and path-wal folded into one number. */
gint64     lm_scan_stamp (const char *path);
/* The file's inode number, 0 if it cannot be stat'ed. */
guint64    lm_scan_inode (const char *path);

G_END_DECLS
