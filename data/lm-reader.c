/* lm-reader.c: read-only SQLite access to run files (see lm-reader-private.h).
 *
 * Never blocking the writer: the file is opened with mode=ro, every read is
 * a single statement (or a short BEGIN..COMMIT for a consistent view of
 * tags and rows) that is reset as soon as it is done, so no read
 * transaction outlives one job and WAL checkpoints are never held back for
 * long.  A short busy timeout covers the moment a writer is recovering the
 * WAL; a longer lock is reported as a (transient) error for that run only.
 * A finished run is read as an immutable file, so reading it leaves no
 * -wal/-shm files behind.
 */
#include "lm-reader-private.h"
#include "lm-scan-private.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static void
chunk_series_free (gpointer data)
{
  LmChunkSeries *cs = data;

  g_free (cs->steps);
  g_free (cs->values);
  g_free (cs->walls);
  g_free (cs);
}

LmReadResult *
lm_read_result_new (const char *run_name, guint epoch)
{
  LmReadResult *r = g_new0 (LmReadResult, 1);

  r->run_name = g_strdup (run_name);
  r->epoch = epoch;
  r->series = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, chunk_series_free);
  return r;
}

static void
tag_row_clear (gpointer data)
{
  LmTagRow *t = data;

  g_free (t->name);
  g_free (t->kind);
}

void
lm_read_result_free (LmReadResult *r)
{
  if (r == NULL)
    return;
  g_free (r->run_name);
  g_free (r->error);
  g_clear_pointer (&r->run_kv, g_hash_table_unref);
  g_clear_pointer (&r->meta, g_hash_table_unref);
  g_clear_pointer (&r->tags, g_array_unref);
  g_hash_table_unref (r->series);
  g_free (r);
}

char *
lm_reader_describe_error (sqlite3 *db, int rc, const char *doing, gboolean *transient)
{
  const char *msg = db ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  gboolean t = FALSE;
  char *out;

  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      t = TRUE;
      out = g_strdup_printf ("run file is locked by another process while %s (%s); retrying", doing, msg);
      break;
    case SQLITE_NOTADB:
      out = g_strdup_printf ("not a Lumen run file: not an SQLite database (%s)", msg);
      break;
    case SQLITE_CORRUPT:
      out = g_strdup_printf ("corrupt or truncated run file while %s: %s", doing, msg);
      break;
    case SQLITE_CANTOPEN:
      t = TRUE;
      out = g_strdup_printf ("cannot open run file: %s", msg);
      break;
    case SQLITE_IOERR:
      out = g_strdup_printf ("I/O error while %s: %s", doing, msg);
      break;
    case SQLITE_NOMEM:
      t = TRUE;
      out = g_strdup_printf ("out of memory while %s", doing);
      break;
    default:
      out = g_strdup_printf ("SQLite error while %s: %s", doing, msg);
      break;
    }
  if (transient)
    *transient = t;
  return out;
}

/* Runs a query that yields one integer (a PRAGMA, an aggregate) into *out;
 * NULL gives `if_null`. Returns the SQLite result code (SQLITE_OK on success). */
static int
query_int64 (sqlite3 *db, const char *sql, gint64 if_null, gint64 *out)
{
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &st, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (st);
      if (rc == SQLITE_ROW)
        {
          *out = sqlite3_column_type (st, 0) == SQLITE_NULL ? if_null : sqlite3_column_int64 (st, 0);
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (st);
  return rc;
}

gboolean
lm_reader_table_exists (sqlite3 *db, const char *name, int *rc_out)
{
  sqlite3_stmt *st = NULL;
  gboolean found = FALSE;
  int rc;

  rc = sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1",
                           -1, &st, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
      rc = sqlite3_step (st);
      found = rc == SQLITE_ROW;
      if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  sqlite3_finalize (st);
  *rc_out = rc;
  return found;
}

/* docs/run-format.md's exact test: the live writer holds flock(LOCK_EX)
 * on run.lumen.lock, so a LOCK_SH that succeeds means nobody writes the
 * run (the writer retries its lock for ~100 ms, so the probe never makes
 * it fail).  Only on the writer's own host (the file says "<pid> <host>"):
 * flock across network file systems proves nothing.  No lock file (a run
 * written by other means) is unknown. */
LmWriterState
lm_reader_probe_writer (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *lock = g_build_filename (dir, "run.lumen.lock", NULL);
  char text[300], host[256] = "", here[256] = "";
  long pid = 0;
  ssize_t got;
  LmWriterState state;
  int fd = open (lock, O_RDONLY | O_CLOEXEC | O_NOCTTY);

  if (fd < 0)
    return LM_WRITER_UNKNOWN;
  got = pread (fd, text, sizeof text - 1, 0);
  text[got > 0 ? got : 0] = '\0';
  if (sscanf (text, "%ld %255s", &pid, host) != 2 || gethostname (here, sizeof here - 1) != 0 ||
      strcmp (host, here) != 0)
    state = LM_WRITER_UNKNOWN;
  else if (flock (fd, LOCK_SH | LOCK_NB) == 0)
    state = LM_WRITER_GONE;   /* closing the file lets go of the probe */
  else
    state = errno == EWOULDBLOCK ? LM_WRITER_ALIVE : LM_WRITER_UNKNOWN;
  close (fd);
  return state;
}

/* A run nobody writes whose WAL holds nothing: every row is in the main
 * file, so it can be read as an immutable file.  No -wal at all means no
 * connection has the file open (a WAL-mode connection keeps it until the
 * last one closes); an empty one, left by a reader that outlived the
 * writer's close (which checkpoints), counts only when the lock proves
 * nobody writes.  The writer check comes first: a writer starting after it
 * only appends to a new WAL, which lm_reader_is_stale() then sees. */
static gboolean
is_finished_file (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  LmWriterState writer = lm_reader_probe_writer (path);
  struct stat st;

  if (writer == LM_WRITER_ALIVE)
    return FALSE;
  if (stat (wal, &st) != 0)
    return errno == ENOENT;
  return st.st_size == 0 && writer == LM_WRITER_GONE;
}

gboolean
lm_reader_is_immutable (sqlite3 *db)
{
  const char *file = db != NULL ? sqlite3_db_filename (db, "main") : NULL;

  return file != NULL && sqlite3_uri_boolean (file, "immutable", 0);
}

gboolean
lm_reader_is_stale (sqlite3 *db)
{
  const char *file;

  if (!lm_reader_is_immutable (db))
    return FALSE;
  file = sqlite3_db_filename (db, "main");
  return sqlite3_uri_int64 (file, "lumen_stamp", 0) != lm_scan_stamp (file);
}

/* ------------------------------------------------------------------ pool */

#define POOL_IDLE_MAX 4

struct _LmReaderPool
{
  GMutex lock;
  GHashTable *idle;   /* path -> GPtrArray of idle sqlite3* */
};

static void
pool_close_db (gpointer db)
{
  sqlite3_close (db);
}

LmReaderPool *
lm_reader_pool_new (void)
{
  LmReaderPool *pool = g_new0 (LmReaderPool, 1);

  g_mutex_init (&pool->lock);
  pool->idle = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  return pool;
}

void
lm_reader_pool_free (LmReaderPool *pool)
{
  if (pool == NULL)
    return;
  g_hash_table_unref (pool->idle);
  g_mutex_clear (&pool->lock);
  g_free (pool);
}

sqlite3 *
lm_reader_pool_take (LmReaderPool *pool, const char *path, char **error)
{
  GPtrArray *idle;
  sqlite3 *db = NULL;
  gboolean transient;

  g_mutex_lock (&pool->lock);
  idle = g_hash_table_lookup (pool->idle, path);
  if (idle != NULL && idle->len > 0)
    db = g_ptr_array_steal_index_fast (idle, idle->len - 1);
  g_mutex_unlock (&pool->lock);
  if (db != NULL && !lm_reader_is_stale (db))
    return db;
  /* an immutable connection to a finished run that is written again
   * cannot see the new rows: open a new one */
  g_clear_pointer (&db, sqlite3_close);
  return lm_reader_open (path, error, &transient);
}

void
lm_reader_pool_give (LmReaderPool *pool, const char *path, sqlite3 *db)
{
  GPtrArray *idle;

  g_mutex_lock (&pool->lock);
  idle = g_hash_table_lookup (pool->idle, path);
  if (idle == NULL)
    {
      idle = g_ptr_array_new_with_free_func (pool_close_db);
      g_hash_table_insert (pool->idle, g_strdup (path), idle);
    }
  if (idle->len < POOL_IDLE_MAX)
    g_ptr_array_add (idle, db);
  else
    sqlite3_close (db);
  g_mutex_unlock (&pool->lock);
}

sqlite3 *
lm_reader_open_path (const char *path, char **error)
{
  gboolean transient = FALSE;
  char *msg = NULL;
  sqlite3 *db = lm_reader_open (path, &msg, &transient);

  if (db == NULL)
    {
      *error = g_strdup_printf ("%s: %s", path, msg);
      g_free (msg);
    }
  return db;
}

/* Why a run file that exists cannot be opened, where SQLite says only
 * "unable to open database file": the file itself is unreadable, or a
 * run with a write-ahead log (its writer is live, or did not finish) needs
 * a run.lumen-shm next to it that cannot be made (a read-only folder). */
static char *
describe_cantopen (const char *path, sqlite3 *db, gboolean *transient)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  int sys = db != NULL ? sqlite3_system_errno (db) : 0;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  *transient = TRUE; /* the user may fix it while lumen watches */
  if (fd < 0)
    return g_strdup_printf ("cannot read the run file: %s", g_strerror (errno));
  close (fd);
  fd = -1;
  if (g_file_test (wal, G_FILE_TEST_EXISTS))
    {
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);
      g_autofree char *dir = g_path_get_dirname (path);
      gboolean exists = g_file_test (shm, G_FILE_TEST_EXISTS);
      int why = 0;

      if (exists && (fd = open (shm, O_RDONLY | O_CLOEXEC)) < 0)
        why = errno;
      else if (!exists && access (dir, W_OK) != 0)
        why = errno;
      if (fd >= 0)
        close (fd);
      if (why != 0)
        return g_strdup_printf ("cannot open run file: reading its write-ahead log (run.lumen-wal, from a "
                                "writer that is live or did not finish) needs run.lumen-shm next to it, "
                                "which cannot be %s (%s); make the run's folder writable",
                                exists ? "opened" : "created", g_strerror (why));
    }
  return g_strdup_printf ("cannot open run file: %s%s%s", db != NULL ? sqlite3_errmsg (db) : "unable to open",
                          sys != 0 ? ": " : "", sys != 0 ? g_strerror (sys) : "");
}

sqlite3 *
lm_reader_open (const char *path, char **error, gboolean *transient)
{
  static const char *const required[] = { "meta", "run", "tags", "scalars" };
  g_autofree char *escaped = NULL;
  g_autofree char *uri = NULL;
  sqlite3 *db = NULL;
  gint64 version = -1;
  int rc, n_tables = 0;

  *transient = FALSE;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      *error = g_strdup ("run file is missing or not a regular file");
      *transient = TRUE;
      return NULL;
    }
  /* mode=ro: this process can never write the run, whatever it does. */
  escaped = g_uri_escape_string (path, "/", FALSE);
  for (int attempt = is_finished_file (path) ? 1 : 0; attempt < 2; attempt++)
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);

      /* A WAL-mode reader needs to create the -shm file next to the run
       * (and cannot remove it, nor the -wal, when it closes).  A finished
       * run is read as an immutable file from the start; on read-only
       * media a run whose -wal is gone is read so after the first try
       * fails.  lumen_stamp (ignored by SQLite) is for lm_reader_is_stale. */
      g_free (uri);
      if (attempt == 0)
        uri = g_strconcat ("file:", escaped, "?mode=ro", NULL);
      else
        uri = g_strdup_printf ("file:%s?mode=ro&immutable=1&lumen_stamp=%" G_GINT64_FORMAT, escaped,
                               lm_scan_stamp (path));
      rc = sqlite3_open_v2 (uri, &db,
                            SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                            NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_extended_result_codes (db, 1);
          /* Waits only for short locks (WAL recovery by the writer). */
          sqlite3_busy_timeout (db, 100);
          rc = query_int64 (db, "PRAGMA user_version", 0, &version);
        }
      if (rc == SQLITE_OK)
        break;
      if (attempt == 0
          && ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY)
          && !g_file_test (wal, G_FILE_TEST_EXISTS))
        {
          sqlite3_close (db);
          db = NULL;
          continue;
        }
      goto fail;
    }

  if (version > LM_READER_SCHEMA_VERSION)
    {
      *error = g_strdup_printf ("run file has schema version %" G_GINT64_FORMAT
                                ", newer than this Lumen reads (%d); update Lumen",
                                version, LM_READER_SCHEMA_VERSION);
      sqlite3_close (db);
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      if (lm_reader_table_exists (db, required[i], &rc))
        n_tables++;
      if (rc != SQLITE_OK)
        goto fail;
    }
  if (n_tables < (int) G_N_ELEMENTS (required))
    {
      gint64 any = 0;

      query_int64 (db, "SELECT count(*) FROM sqlite_master", 0, &any);
      if (any == 0)
        {
          /* A writer creates the file, then the schema, in its first
           * transaction: an empty database is usually a run being born. */
          *error = g_strdup ("incomplete run file: no tables yet (still being created?)");
          *transient = TRUE;
        }
      else if (n_tables == 0)
        *error = g_strdup ("not a Lumen run file: an SQLite database without Lumen's tables");
      else
        *error = g_strdup ("damaged Lumen run file: some of the tables meta, run, tags, scalars are missing");
      sqlite3_close (db);
      return NULL;
    }
  if (version != LM_READER_SCHEMA_VERSION)
    {
      *error = g_strdup_printf ("run file has schema version %" G_GINT64_FORMAT
                                ", expected %d", version, LM_READER_SCHEMA_VERSION);
      sqlite3_close (db);
      return NULL;
    }
  return db;

fail:
  if ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY)
    *error = describe_cantopen (path, db, transient);
  else
    *error = lm_reader_describe_error (db, rc, "opening the run file", transient);
  sqlite3_close (db);
  return NULL;
}

gboolean
lm_reader_data_version (sqlite3 *db, gint64 *version, char **error)
{
  int rc = query_int64 (db, "PRAGMA data_version", 0, version);

  if (rc != SQLITE_OK)
    {
      *error = lm_reader_describe_error (db, rc, "checking for new data", NULL);
      return FALSE;
    }
  return TRUE;
}

static GHashTable *
read_kv (sqlite3 *db, const char *sql, int *rc_out)
{
  GHashTable *kv = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &st, NULL);

  while (rc == SQLITE_OK && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      const char *k = (const char *) sqlite3_column_text (st, 0);
      const char *v = (const char *) sqlite3_column_text (st, 1);

      if (k != NULL)
        g_hash_table_replace (kv, g_strdup (k), g_strdup (v ? v : ""));
      rc = SQLITE_OK;
    }
  if (rc == SQLITE_DONE)
    rc = SQLITE_OK;
  sqlite3_finalize (st);
  *rc_out = rc;
  return kv;
}

gboolean
lm_reader_read_info (sqlite3      *db,
                     gint64        last_tag_id,
                     LmReadResult *r,
                     char        **error)
{
  sqlite3_stmt *st = NULL;
  int rc;

  g_clear_pointer (&r->run_kv, g_hash_table_unref);
  g_clear_pointer (&r->meta, g_hash_table_unref);
  g_clear_pointer (&r->tags, g_array_unref);

  r->run_kv = read_kv (db, "SELECT key, value FROM run", &rc);
  if (rc != SQLITE_OK)
    goto fail;
  r->meta = read_kv (db, "SELECT key, value FROM meta", &rc);
  if (rc != SQLITE_OK)
    goto fail;

  r->tags = g_array_new (FALSE, TRUE, sizeof (LmTagRow));
  g_array_set_clear_func (r->tags, tag_row_clear);
  rc = sqlite3_prepare_v2 (db, "SELECT id, name, kind FROM tags WHERE id > ?1 ORDER BY id",
                           -1, &st, NULL);
  if (rc == SQLITE_OK)
    sqlite3_bind_int64 (st, 1, last_tag_id);
  while (rc == SQLITE_OK && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      LmTagRow t;
      const char *name = (const char *) sqlite3_column_text (st, 1);
      const char *kind = (const char *) sqlite3_column_text (st, 2);

      t.id = sqlite3_column_int64 (st, 0);
      t.name = g_strdup (name ? name : "");
      t.kind = g_strdup (kind ? kind : "");
      /* Tag names come from the file: never trust them to be UTF-8. */
      if (!g_utf8_validate (t.name, -1, NULL))
        {
          char *fixed = g_utf8_make_valid (t.name, -1);

          g_free (t.name);
          t.name = fixed;
        }
      g_array_append_val (r->tags, t);
      rc = SQLITE_OK;
    }
  if (rc == SQLITE_DONE)
    rc = SQLITE_OK;
  sqlite3_finalize (st);
  if (rc != SQLITE_OK)
    goto fail;
  r->has_info = TRUE;
  return TRUE;

fail:
  *error = lm_reader_describe_error (db, rc, "reading run info", &r->transient);
  return FALSE;
}

gboolean
lm_reader_max_scalar_id (sqlite3 *db, gint64 *max_id, char **error)
{
  int rc = query_int64 (db, "SELECT max(id) FROM scalars", 0, max_id);

  if (rc != SQLITE_OK)
    {
      *error = lm_reader_describe_error (db, rc, "reading scalars", NULL);
      return FALSE;
    }
  return TRUE;
}

static LmChunkSeries *
chunk_for (LmReadResult *r, gint64 tag_id)
{
  LmChunkSeries *cs = g_hash_table_lookup (r->series, &tag_id);

  if (cs == NULL)
    {
      cs = g_new0 (LmChunkSeries, 1);
      cs->tag_id = tag_id;
      g_hash_table_insert (r->series, &cs->tag_id, cs);
    }
  return cs;
}

static inline void
chunk_push (LmChunkSeries *cs, gint64 step, float value, double wall)
{
  if (G_UNLIKELY (cs->n == cs->cap))
    {
      cs->cap = MAX (1024, cs->cap * 2);
      cs->steps = g_renew (gint64, cs->steps, cs->cap);
      cs->values = g_renew (float, cs->values, cs->cap);
      cs->walls = g_renew (double, cs->walls, cs->cap);
    }
  cs->steps[cs->n] = step;
  cs->values[cs->n] = value;
  cs->walls[cs->n] = wall;
  cs->n++;
}

gboolean
lm_reader_read_scalars (sqlite3      *db,
                        gint64        lo,
                        gint64        hi,
                        LmReadResult *r,
                        char        **error)
{
  sqlite3_stmt *st = NULL;
  LmChunkSeries *cs = NULL;
  LmChunkSeries *small[256] = { NULL };   /* lookups for the usual small tag ids */
  gint64 cur_tag = G_MININT64;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT tag_id, step, wall_time, value FROM scalars"
                           " WHERE id > ?1 AND id <= ?2 ORDER BY id",
                           -1, &st, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (st, 1, lo);
      sqlite3_bind_int64 (st, 2, hi);
    }
  while (rc == SQLITE_OK && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      gint64 tag = sqlite3_column_int64 (st, 0);
      gint64 step = sqlite3_column_int64 (st, 1);
      double wall = sqlite3_column_double (st, 2);
      float value = sqlite3_column_type (st, 3) == SQLITE_NULL
                    ? NAN : (float) sqlite3_column_double (st, 3);

      /* Writers usually log a few tags in turn; remember the last one. */
      if (tag != cur_tag)
        {
          if (tag >= 0 && tag < (gint64) G_N_ELEMENTS (small))
            {
              if (small[tag] == NULL)
                small[tag] = chunk_for (r, tag);
              cs = small[tag];
            }
          else
            cs = chunk_for (r, tag);
          cur_tag = tag;
        }
      chunk_push (cs, step, value, wall);
      r->n_rows++;
      rc = SQLITE_OK;
    }
  if (rc == SQLITE_DONE)
    rc = SQLITE_OK;
  sqlite3_finalize (st);
  if (rc != SQLITE_OK)
    {
      *error = lm_reader_describe_error (db, rc, "reading scalars", &r->transient);
      return FALSE;
    }
  return TRUE;
}

/* One representative point of a summary block. */
typedef struct
{
  gint64 step;
  double wall;
  float value;
} SumPoint;

static gboolean
sum_point (sqlite3_stmt *st, int col, gboolean has_value, SumPoint *p)
{
  if (sqlite3_column_type (st, col) == SQLITE_NULL)
    return FALSE;
  p->step = sqlite3_column_int64 (st, col);
  p->wall = sqlite3_column_double (st, col + 1);
  p->value = !has_value || sqlite3_column_type (st, col + 2) == SQLITE_NULL
             ? NAN : (float) sqlite3_column_double (st, col + 2);
  return TRUE;
}

gboolean
lm_reader_read_summaries (sqlite3      *db,
                          gint64        max_id,
                          LmReadResult *r,
                          gboolean     *covered,
                          char        **error)
{
  sqlite3_stmt *st = NULL;
  LmChunkSeries *cs = NULL;
  gint64 cur_tag = G_MININT64, total = 0;
  int rc;

  *covered = FALSE;
  if (!lm_reader_table_exists (db, "scalar_summaries", &rc))
    {
      if (rc == SQLITE_OK)
        return TRUE;
      *error = lm_reader_describe_error (db, rc, "reading scalar summaries", &r->transient);
      return FALSE;
    }
  rc = sqlite3_prepare_v2 (db,
                           "SELECT tag_id, count,"
                           " first_step, first_wall, first_value,"
                           " min_step, min_wall, min_value,"
                           " max_step, max_wall, max_value,"
                           " last_step, last_wall, last_value,"
                           " nan_step, nan_wall"
                           " FROM scalar_summaries ORDER BY tag_id, block",
                           -1, &st, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      gint64 tag = sqlite3_column_int64 (st, 0);
      SumPoint pts[5];
      int n = 0;

      total += sqlite3_column_int64 (st, 1);
      if (tag != cur_tag)
        {
          cs = chunk_for (r, tag);
          cur_tag = tag;
        }
      /* first, min, max, last, NaN: at most five real points, put back in
       * step order; the same point named twice (first = min) once. */
      for (int col = 2; col <= 11; col += 3)
        if (sum_point (st, col, TRUE, &pts[n]))
          n++;
      if (sum_point (st, 14, FALSE, &pts[n]))
        n++;
      for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && pts[j].step < pts[j - 1].step; j--)
          {
            SumPoint t = pts[j];
            pts[j] = pts[j - 1];
            pts[j - 1] = t;
          }
      for (int i = 0; i < n; i++)
        {
          gboolean dup = FALSE;

          for (int k = 0; k < i && !dup; k++)
            dup = pts[k].step == pts[i].step && pts[k].wall == pts[i].wall
                  && (pts[k].value == pts[i].value || (isnan (pts[k].value) && isnan (pts[i].value)));
          if (!dup)
            chunk_push (cs, pts[i].step, pts[i].value, pts[i].wall);
        }
      rc = SQLITE_OK;
    }
  if (rc == SQLITE_DONE)
    rc = SQLITE_OK;
  sqlite3_finalize (st);
  if (rc != SQLITE_OK)
    {
      g_hash_table_remove_all (r->series);
      *error = lm_reader_describe_error (db, rc, "reading scalar summaries", &r->transient);
      return FALSE;
    }
  /* Rows are numbered 1, 2, ... by the one writer, so summaries that count
   * max_id points account for every row. */
  *covered = total == max_id && max_id > 0;
  if (!*covered)
    g_hash_table_remove_all (r->series);
  return TRUE;
}
