/* lm-reader-private.h: SQLite access to one run file, for worker threads.
 *
 * What it is for: opening a run file read-only without ever blocking its
 * writer, checking that it is a Lumen run (and saying clearly what it is
 * when it is not), and reading what is new since the last read: run
 * key/values, tags, and scalar rows in an id range, grouped by tag into
 * flat arrays ready to append to LmSeries.
 *
 * What it is not for: threads, polling or GObject signals (lm-watcher.c
 * and lm-run-store.c do those).  Every function here is synchronous and
 * uses only the connection it is given.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define LM_RUN_FILE_NAME "run.lumen"
#define LM_READER_SCHEMA_VERSION 1

typedef struct
{
  gint64 id;
  char *name;
  char *kind;    /* 'scalar' | 'histogram' | 'image' | 'text' */
} LmTagRow;

/* Rows of one tag within one read. */
typedef struct
{
  gint64 tag_id;
  gsize n, cap;
  gint64 *steps;
  float *values;   /* NaN for NULL */
  double *walls;   /* unix seconds */
} LmChunkSeries;

/* What one read job found.  Covers scalar ids in (lo, hi]. */
typedef struct
{
  char *run_name;
  guint epoch;
  gboolean reset;          /* drop what the run holds before merging */
  gint64 lo, hi;
  char *error;             /* NULL when the read worked */
  gboolean transient;      /* error that may clear by itself (locked, no schema yet) */
  gboolean has_info;       /* run_kv, meta and tags below are filled */
  GHashTable *run_kv;      /* char* -> char* ('status', 'heartbeat', ...) */
  GHashTable *meta;        /* char* -> char* */
  GArray *tags;            /* LmTagRow, tags with id > the last one known */
  GHashTable *series;      /* gint64* tag_id -> LmChunkSeries* */
  gsize n_rows;
  gboolean is_head;        /* first result of a load (it did the open/info) */
  gboolean preview;        /* head only: series hold the summaries' overview
                            * of ids <= load_hi, not rows (lo == hi) */
  gint64 load_hi;          /* head only: the load covers ids up to this */
} LmReadResult;

LmReadResult *lm_read_result_new  (const char *run_name, guint epoch);
void          lm_read_result_free (LmReadResult *result);

/* Opens `path` read-only (URI mode=ro) and checks the schema.  On failure
 * returns NULL with a message in *error and *transient set when trying
 * again later may succeed (locked, file still being created).
 *
 * A finished run (no live writer holds its lock, its -wal is gone or
 * empty) is opened as an immutable file: a read-only connection in WAL
 * mode would create run.lumen-wal and -shm and, unable to checkpoint,
 * leave them behind (docs/run-format.md).  Such a connection never sees
 * later writes: keep it only while lm_reader_is_stale() says FALSE. */
sqlite3 *lm_reader_open (const char  *path,
                         char       **error,
                         gboolean    *transient);

/* lm_reader_open for a one-off read (graphs, traces, embeddings): the
 * message in *error starts with the path. */
sqlite3 *lm_reader_open_path (const char *path, char **error);

/* Idle read-only connections kept per run file, for loaders whose worker
 * threads each need one (image and audio blobs): take one (opening it
 * when none is idle, or when the idle one is stale), give it back after
 * the read.  At most a few are kept per file.  Thread-safe. */
typedef struct _LmReaderPool LmReaderPool;
LmReaderPool *lm_reader_pool_new  (void);
void          lm_reader_pool_free (LmReaderPool *pool);
/* NULL with the reason in *error (g_free it) when the file cannot be opened. */
sqlite3      *lm_reader_pool_take (LmReaderPool *pool, const char *path, char **error);
void          lm_reader_pool_give (LmReaderPool *pool, const char *path, sqlite3 *db);

/* Whether the file has the table `name`; *rc is SQLITE_OK, or the error
 * of the query. */
gboolean lm_reader_table_exists (sqlite3 *db, const char *name, int *rc);

/* TRUE when db was opened as an immutable file (a finished run). */
gboolean lm_reader_is_immutable (sqlite3 *db);

/* TRUE when db is immutable and the file or its -wal has changed since it
 * was opened (a writer resumed the run): close it and open it again. */
gboolean lm_reader_is_stale (sqlite3 *db);

typedef enum
{
  LM_WRITER_UNKNOWN,   /* no lock file, another host's, or the probe failed */
  LM_WRITER_ALIVE,     /* a process holds the run's lock */
  LM_WRITER_GONE,      /* nobody does: finished, stopped or crashed */
} LmWriterState;

/* docs/run-format.md's liveness test on the run file `path`: a brief
 * flock(LOCK_SH | LOCK_NB) on the run.lumen.lock beside it. */
LmWriterState lm_reader_probe_writer (const char *path);

/* PRAGMA data_version: changes when another connection commits. */
gboolean lm_reader_data_version (sqlite3 *db, gint64 *version, char **error);

/* Fills result->run_kv/meta and the tags with id > last_tag_id. */
gboolean lm_reader_read_info (sqlite3      *db,
                              gint64        last_tag_id,
                              LmReadResult *result,
                              char        **error);

gboolean lm_reader_max_scalar_id (sqlite3 *db, gint64 *max_id, char **error);

/* Scalar rows with lo < id <= hi into result->series. */
gboolean lm_reader_read_scalars (sqlite3      *db,
                                 gint64        lo,
                                 gint64        hi,
                                 LmReadResult *result,
                                 char        **error);

/* The overview of every scalar row with id <= max_id, from the file's
 * scalar_summaries table: for each block of consecutive points of a tag,
 * its first, smallest, largest and last point and one NaN point (all
 * real points of the series), into result->series.  A few thousand rows
 * for millions of points, so the first frame of a huge run needs no full
 * read.  *covered is FALSE (and result->series left empty) when the file
 * has no summaries or they do not account for exactly max_id rows (an
 * older file, rows deleted by hand): the caller then reads the rows. */
gboolean lm_reader_read_summaries (sqlite3      *db,
                                   gint64        max_id,
                                   LmReadResult *result,
                                   gboolean     *covered,
                                   char        **error);

/* A message for a failed SQLite call, naming what it means for a run. */
char *lm_reader_describe_error (sqlite3 *db, int rc, const char *doing, gboolean *transient);

G_END_DECLS
