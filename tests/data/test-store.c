/* test-store.c: LmRunStore on real run files.
 *
 * What it checks: discovery (nested run names, a run at the top, hidden
 * folders skipped), runs appearing, finishing and disappearing while the
 * store runs, live tailing while a writer thread logs (every point arrives
 * once, in order, within a second, and the writer never sees a lock), and
 * per-run errors for corrupt, truncated, foreign, half-written, locked and
 * future-schema files while good runs next to them load normally.
 */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lm-reader-private.h"
#include "lm-run-private.h"
#include "lm-run-store.h"
#include "lm-test-run.h"
#ifdef HAVE_LUMEN_LOG
#include "lumen-log.h"
#endif


static gboolean
store_loaded (gpointer data)
{
  return !lm_run_store_get_loading (data);
}

static void
write_run (const char *logdir, const char *name, int n, double scale, const char *status)
{
  LmTestRun *run = lm_test_run_create (logdir, name);

  lm_test_run_begin (run);
  for (int i = 0; i < n; i++)
    {
      lm_test_run_add_scalar (run, "loss/train", i, 1.7e9 + i, scale * i);
      lm_test_run_add_scalar (run, "acc", i * 10, 1.7e9 + i, 0.5);
    }
  if (status)
    lm_test_run_set_status (run, status);
  lm_test_run_commit (run);
  lm_test_run_close (run);
}

static LmRunStore *
new_store (const char *logdir)
{
  LmRunStore *store = lm_run_store_new (logdir);

  lm_run_store_set_intervals (store, 40, 100);
  lm_run_store_start (store);
  return store;
}

static const char *
run_name_at (LmRunStore *store, guint i)
{
  g_autoptr (LmRun) run = g_list_model_get_item (G_LIST_MODEL (store), i);

  return run ? lm_run_get_name (run) : NULL;
}

/* ------------------------------------------------------------ discovery */

typedef struct
{
  LmRunStore *store;
  const char *name;
  gboolean present;
  LmRunStatus status;
} RunCond;

static gboolean
run_presence (gpointer data)
{
  RunCond *c = data;

  return (lm_run_store_find (c->store, c->name) != NULL) == c->present;
}

static gboolean
run_status (gpointer data)
{
  RunCond *c = data;
  LmRun *run = lm_run_store_find (c->store, c->name);

  return run != NULL && lm_run_get_status (run) == c->status;
}

typedef struct
{
  LmRunStore *store;
  const char *name;
  guint64 points;
} PointsCond;

static gboolean
run_has_points (gpointer data)
{
  PointsCond *c = data;
  LmRun *run = lm_run_store_find (c->store, c->name);

  return run != NULL && lm_run_get_n_points (run) == c->points && lm_run_get_error (run) == NULL;
}

static void
test_discovery (void)
{
  g_autofree char *logdir = lm_test_tmpdir_new ("lumen-test-XXXXXX");
  g_autofree char *hidden = g_build_filename (logdir, ".cache", NULL);
  g_autofree char *junk_dir = g_build_filename (logdir, "notes", NULL);
  g_autofree char *junk = g_build_filename (junk_dir, "README", NULL);
  g_autofree char *gone = g_build_filename (logdir, "a", NULL);
  LmRunStore *store;
  LmRun *run;
  LmSeries *s;
  RunCond c;

  write_run (logdir, "a", 50, 1.0, NULL);
  write_run (logdir, "exp1/lr0.1", 20, 2.0, NULL);
  write_run (logdir, "exp1/lr0.01", 30, 3.0, "finished");
  write_run (logdir, ".", 10, 4.0, "finished");
  write_run (logdir, ".cache/x", 10, 4.0, NULL);    /* hidden: skipped */
  g_mkdir_with_parents (hidden, 0755);
  g_mkdir_with_parents (junk_dir, 0755);
  g_file_set_contents (junk, "not a run", -1, NULL);

  store = new_store (logdir);
  g_assert_true (lm_test_wait_for (store_loaded, store, 10000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 4);
  g_assert_cmpstr (run_name_at (store, 0), ==, ".");
  g_assert_cmpstr (run_name_at (store, 1), ==, "a");
  g_assert_cmpstr (run_name_at (store, 2), ==, "exp1/lr0.01");
  g_assert_cmpstr (run_name_at (store, 3), ==, "exp1/lr0.1");

  run = lm_run_store_find (store, "exp1/lr0.1");
  g_assert_nonnull (run);
  g_assert_null (lm_run_get_error (run));
  g_assert_cmpint (lm_run_get_status (run), ==, LM_RUN_STATUS_RUNNING);
  g_assert_true (lm_run_get_live (run));
  s = lm_run_get_series (run, "loss/train");
  g_assert_nonnull (s);
  g_assert_cmpuint (lm_series_get_n (s), ==, 20);
  g_assert_cmpfloat (s->value[7], ==, 14.0);
  g_assert_cmpint (lm_series_step (s, 19), ==, 19);
  g_assert_cmpfloat_with_epsilon (lm_series_wall_time (s, 19), 1.7e9 + 19, 1e-3);
  g_assert_cmpint (lm_series_step (lm_run_get_series (run, "acc"), 3), ==, 30);
  g_assert_cmpint (lm_run_get_status (lm_run_store_find (store, "exp1/lr0.01")), ==,
                   LM_RUN_STATUS_FINISHED);
  g_assert_false (lm_run_get_live (lm_run_store_find (store, "exp1/lr0.01")));
  g_assert_cmpuint (lm_run_store_get_scalar_tags (store)->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (lm_run_store_get_scalar_tags (store), 0), ==, "acc");
  g_assert_cmpuint (lm_run_store_get_n_points (store), ==, 2 * (50 + 20 + 30 + 10));

  /* A run appears... */
  write_run (logdir, "b/deep/er", 5, 1.0, NULL);
  c = (RunCond) { store, "b/deep/er", TRUE, 0 };
  g_assert_true (lm_test_wait_for (run_presence, &c, 5000));
  g_assert_true (lm_test_wait_for (store_loaded, store, 5000));
  /* listed before it is read: its points come after (late on a slow run) */
  g_assert_true (lm_test_wait_for (run_has_points, &(PointsCond) { store, "b/deep/er", 10 }, 5000));
  g_assert_cmpuint (lm_series_get_n (lm_run_get_series (lm_run_store_find (store, "b/deep/er"), "acc")), ==, 5);

  /* ...one is deleted and written anew under the same name (a restarted
   * experiment): the store follows the new file... */
  {
    g_autofree char *dir = g_build_filename (logdir, "b", NULL);

    lm_test_rm_rf (dir);
    write_run (logdir, "b/deep/er", 9, 1.0, NULL);
    g_assert_true (lm_test_wait_for (run_has_points, &(PointsCond) { store, "b/deep/er", 18 }, 5000));
  }

  /* ...one finishes... */
  {
    g_autofree char *path = g_build_filename (logdir, "exp1", "lr0.1", "run.lumen", NULL);
    sqlite3 *db;

    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "INSERT OR REPLACE INTO run VALUES ('status','finished')",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  c = (RunCond) { store, "exp1/lr0.1", TRUE, LM_RUN_STATUS_FINISHED };
  g_assert_true (lm_test_wait_for (run_status, &c, 5000));
  g_assert_false (lm_run_get_live (lm_run_store_find (store, "exp1/lr0.1")));

  /* ...and one disappears. */
  lm_test_rm_rf (gone);
  c = (RunCond) { store, "a", FALSE, 0 };
  g_assert_true (lm_test_wait_for (run_presence, &c, 5000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 4);

  g_object_unref (store);
  lm_test_rm_rf (logdir);
}

static void
test_missing_logdir (void)
{
  g_autofree char *logdir = lm_test_tmpdir_new ("lumen-test-XXXXXX");
  g_autofree char *missing = g_build_filename (logdir, "not-yet", NULL);
  LmRunStore *store = new_store (missing);
  RunCond c = { store, "r", TRUE, 0 };

  g_assert_true (lm_test_wait_for (store_loaded, store, 5000));
  g_assert_nonnull (lm_run_store_get_error (store));
  g_assert_nonnull (strstr (lm_run_store_get_error (store), "not-yet"));
  g_assert_cmpstr (lm_run_store_get_error_title (store), ==, "Log directory not found");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  /* Training starts later and creates the folder: the store follows. */
  write_run (missing, "r", 3, 1.0, NULL);
  g_assert_true (lm_test_wait_for (run_presence, &c, 5000));
  g_assert_null (lm_run_store_get_error (store));
  g_object_unref (store);
  lm_test_rm_rf (logdir);
}

/* The app's store: the log directory and, beside it, the folder its
 * TensorBoard event files are imported into (empty without them).  A
 * missing log directory (`lumen` before training made ./runs) is still
 * the window's "Log directory not found", where it was a run named by its
 * path ("1 run found, none with scalars"); a run in the other root shows. */
static void
test_missing_logdir_beside_cache (void)
{
  g_autofree char *top = lm_test_tmpdir_new ("lumen-test-XXXXXX");
  g_autofree char *missing = g_build_filename (top, "runs", NULL);
  g_autofree char *cache = g_build_filename (top, "cache", NULL);
  LmRunStore *store = lm_run_store_new (missing);
  RunCond c = { store, "imported", TRUE, 0 };

  g_assert_cmpint (g_mkdir (cache, 0700), ==, 0);
  lm_run_store_add_root (store, "", cache);
  lm_run_store_set_intervals (store, 40, 100);
  lm_run_store_start (store);
  g_assert_true (lm_test_wait_for (store_loaded, store, 5000));
  g_assert_cmpstr (lm_run_store_get_error_title (store), ==, "Log directory not found");
  g_assert_nonnull (strstr (lm_run_store_get_error (store), missing));
  g_assert_null (strstr (lm_run_store_get_error (store), cache));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  /* a run beside it: the folder's error is an entry of its own again */
  write_run (cache, "imported", 3, 1.0, NULL);
  g_assert_true (lm_test_wait_for (run_presence, &c, 5000));
  g_assert_null (lm_run_store_get_error (store));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  g_object_unref (store);
  lm_test_rm_rf (top);
}

/* A file given as the log directory is named as such, not "not found". */
static void
test_logdir_is_a_file (void)
{
  g_autofree char *logdir = lm_test_tmpdir_new ("lumen-test-XXXXXX");
  g_autofree char *file = g_build_filename (logdir, "hostname", NULL);
  LmRunStore *store;

  g_assert_true (g_file_set_contents (file, "gpu1\n", -1, NULL));
  store = new_store (file);
  g_assert_true (lm_test_wait_for (store_loaded, store, 5000));
  g_assert_cmpstr (lm_run_store_get_error_title (store), ==, "Log directory is not a folder");
  g_assert_nonnull (strstr (lm_run_store_get_error (store), "is not a folder"));
  g_object_unref (store);
  lm_test_rm_rf (logdir);
}

/* Folders the user may not read: the log directory itself says "Permission
 * denied" (not "No runs yet"), a sub-folder is a run with an error badge
 * naming it (not skipped silently), next to a good run; once readable, the
 * run inside shows. Root reads everything, so the test needs another user. */
static void
test_unreadable_folders (void)
{
  g_autofree char *logdir = NULL, *secret = NULL, *top = NULL;
  LmRunStore *store;
  LmRun *run;
  RunCond c;

  if (geteuid () == 0)
    {
      g_test_skip ("running as root, for whom every folder is readable; run this test as another user");
      return;
    }
  logdir = lm_test_tmpdir_new ("lumen-test-XXXXXX");
  top = g_build_filename (logdir, "top", NULL);
  secret = g_build_filename (top, "secret", NULL);
  write_run (top, "good", 5, 1.0, "finished");
  write_run (secret, "exp", 5, 1.0, "finished");

  /* the log directory itself */
  g_assert_cmpint (g_chmod (top, 0300), ==, 0);   /* -wx: not listable */
  store = new_store (top);
  g_assert_true (lm_test_wait_for (store_loaded, store, 5000));
  g_assert_cmpstr (lm_run_store_get_error_title (store), ==, "Log directory cannot be read");
  g_assert_nonnull (strstr (lm_run_store_get_error (store), top));
  g_assert_nonnull (strstr (lm_run_store_get_error (store), "Permission denied"));
  g_object_unref (store);
  g_assert_cmpint (g_chmod (top, 0700), ==, 0);

  /* a sub-folder: unlistable, then listable but not searchable */
  for (int mode = 0; mode < 2; mode++)
    {
      g_assert_cmpint (g_chmod (secret, mode == 0 ? 0 : 0400), ==, 0);
      store = new_store (top);
      g_assert_true (lm_test_wait_for (store_loaded, store, 5000));
      g_assert_null (lm_run_store_get_error (store));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
      g_assert_cmpuint (lm_run_get_n_points (lm_run_store_find (store, "good")), ==, 10);
      run = lm_run_store_find (store, "secret");
      g_assert_nonnull (run);
      g_test_message ("mode %o: %s", mode == 0 ? 0 : 0400, lm_run_get_error (run));
      g_assert_nonnull (lm_run_get_error (run));
      g_assert_true (g_str_has_prefix (lm_run_get_error (run), "cannot read folder secret: Permission denied"));
      g_object_unref (store);
    }

  /* readable again while watched: the run inside replaces the error */
  g_assert_cmpint (g_chmod (secret, 0), ==, 0);
  store = new_store (top);
  g_assert_true (lm_test_wait_for (store_loaded, store, 5000));
  g_assert_cmpint (g_chmod (secret, 0700), ==, 0);
  c = (RunCond) { store, "secret/exp", TRUE, 0 };
  g_assert_true (lm_test_wait_for (run_presence, &c, 5000));
  c = (RunCond) { store, "secret", FALSE, 0 };
  g_assert_true (lm_test_wait_for (run_presence, &c, 5000));
  g_object_unref (store);
  lm_test_rm_rf (logdir);
}

/* A folder named run.lumen (a mistaken mkdir -p, a copy gone wrong) is a
 * run with an error badge saying so, where the walk skipped it without a
 * word; a run inside that folder still shows. */
static void
test_run_file_is_a_folder (void)
{
  g_autofree char *logdir = lm_test_tmpdir_new ("lumen-test-XXXXXX");
  g_autofree char *folder = g_build_filename (logdir, "exp", "run.lumen", NULL);
  LmRunStore *store;
  LmRun *run;

  write_run (logdir, "good", 5, 1.0, "finished");
  write_run (folder, "inner", 5, 1.0, "finished");
  store = new_store (logdir);
  g_assert_true (lm_test_wait_for (store_loaded, store, 5000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 3);
  g_assert_null (lm_run_get_error (lm_run_store_find (store, "good")));
  g_assert_null (lm_run_get_error (lm_run_store_find (store, "exp/run.lumen/inner")));
  run = lm_run_store_find (store, "exp");
  g_assert_nonnull (run);
  g_assert_cmpstr (lm_run_get_error (run), ==, "run.lumen is a directory, not a run file");
  g_object_unref (store);
  lm_test_rm_rf (logdir);
}

/* -------------------------------------------------------------- tailing */

#define TAIL_POINTS 6000
#define TAIL_BATCH 100

typedef struct
{
  char *logdir;
  gint done;              /* atomic */
  gint64 last_commit_us;  /* monotonic time of the last commit */
  int busy_errors;
} Writer;

/* Commits a batch every ~10 ms with busy_timeout 0: any lock held by the
 * reader would fail a commit at once. */
static gpointer
sql_writer (gpointer data)
{
  Writer *w = data;
  LmTestRun *run = lm_test_run_create (w->logdir, "live");
  sqlite3 *db = lm_test_run_db (run);

  sqlite3_busy_timeout (db, 0);
  for (int i = 0; i < TAIL_POINTS; i += TAIL_BATCH)
    {
      if (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        {
          w->busy_errors++;
          i -= TAIL_BATCH;
          continue;
        }
      for (int k = i; k < i + TAIL_BATCH; k++)
        lm_test_run_add_scalar (run, "loss", k, 1.7e9 + k * 0.01, sin (k * 0.01));
      if (i + TAIL_BATCH >= TAIL_POINTS)
        lm_test_run_set_status (run, "finished");
      if (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        w->busy_errors++;
      w->last_commit_us = g_get_monotonic_time ();
      g_usleep (10000);
    }
  lm_test_run_close (run);
  g_atomic_int_set (&w->done, 1);
  return NULL;
}

typedef struct
{
  LmRunStore *store;
  guint64 partial_seen;   /* a count seen while the writer was still going */
  Writer *writer;
  int target;
} TailCond;

static gboolean
tail_complete (gpointer data)
{
  TailCond *t = data;
  LmRun *run = lm_run_store_find (t->store, "live");
  guint64 n = run ? lm_run_get_n_points (run) : 0;

  if (n > 0 && n < (guint64) t->target && !g_atomic_int_get (&t->writer->done))
    t->partial_seen = MAX (t->partial_seen, n);
  return run != NULL && n == (guint64) t->target
         && lm_run_get_status (run) == LM_RUN_STATUS_FINISHED;
}

static void
check_tail_series (LmRun *run, const char *tag, int n)
{
  LmSeries *s = lm_run_get_series (run, tag);

  g_assert_nonnull (s);
  g_assert_cmpuint (lm_series_get_n (s), ==, (gsize) n);
  for (int i = 0; i < n; i++)
    {
      g_assert_cmpint (lm_series_step (s, i), ==, i);
      g_assert_cmpfloat_with_epsilon (s->value[i], (float) sin (i * 0.01), 1e-6);
    }
}

static void
test_live_tail_sql (void)
{
  g_autofree char *logdir = lm_test_tmpdir_new ("lumen-test-XXXXXX");
  Writer w = { logdir, 0, 0, 0 };
  LmRunStore *store = new_store (logdir);
  TailCond t = { store, 0, &w, TAIL_POINTS };
  GThread *thread = g_thread_new ("writer", sql_writer, &w);
  gint64 seen_at;

  g_assert_true (lm_test_wait_for (tail_complete, &t, 30000));
  seen_at = g_get_monotonic_time ();
  g_thread_join (thread);

  g_assert_cmpint (w.busy_errors, ==, 0);
  /* It was followed live, not read once at the end... */
  g_assert_cmpuint (t.partial_seen, >, 0);
  /* ...and the last commit reached the store well within a second. */
  g_assert_cmpint (seen_at - w.last_commit_us, <, G_USEC_PER_SEC);
  check_tail_series (lm_run_store_find (store, "live"), "loss", TAIL_POINTS);
  g_object_unref (store);
  lm_test_rm_rf (logdir);
}

#ifdef HAVE_LUMEN_LOG
/* The real writer: lumen-log's background thread commits every 250 ms. */
static gpointer
log_writer (gpointer data)
{
  Writer *w = data;
  lm_writer *lw = NULL;

  g_assert_cmpint (lm_writer_open (&lw, w->logdir, "live"), ==, LM_OK);
  for (int i = 0; i < TAIL_POINTS; i++)
    {
      g_assert_cmpint (lm_writer_add_scalar (lw, "loss", i, sin (i * 0.01)), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_scalar (lw, "lr", i, i % 7 == 0 ? NAN : 0.1), ==, LM_OK);
      if (i % 200 == 0)
        g_usleep (20000);
    }
  g_assert_cmpint (lm_writer_flush (lw), ==, LM_OK);
  w->last_commit_us = g_get_monotonic_time ();
  g_assert_cmpint (lm_writer_close (lw), ==, LM_OK);
  g_atomic_int_set (&w->done, 1);
  return NULL;
}

static void
test_live_tail_lumen_log (void)
{
  g_autofree char *logdir = lm_test_tmpdir_new ("lumen-test-XXXXXX");
  Writer w = { logdir, 0, 0, 0 };
  LmRunStore *store = new_store (logdir);
  TailCond t = { store, 0, &w, 2 * TAIL_POINTS };
  GThread *thread = g_thread_new ("writer", log_writer, &w);
  LmSeries *lr;

  g_assert_true (lm_test_wait_for (tail_complete, &t, 30000));
  g_thread_join (thread);
  g_assert_cmpuint (t.partial_seen, >, 0);
  check_tail_series (lm_run_store_find (store, "live"), "loss", TAIL_POINTS);
  lr = lm_run_get_series (lm_run_store_find (store, "live"), "lr");
  g_assert_true (isnan (lr->value[0]) && isnan (lr->value[7]));
  g_assert_cmpfloat_with_epsilon (lr->value[1], 0.1, 1e-7);
  g_object_unref (store);
  lm_test_rm_rf (logdir);
}
#endif

/* ------------------------------------------- no -wal/-shm left behind */
#ifdef HAVE_LUMEN_LOG

/* -1: the file does not exist, else its size */
static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : -1;
}

static void
assert_no_wal (const char *path, const char *when)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  if (file_size (wal) >= 0 || file_size (shm) >= 0)
    g_error ("%s: %s left (-wal %" G_GINT64_FORMAT " bytes, -shm %" G_GINT64_FORMAT ")", when, path,
             file_size (wal), file_size (shm));
}

static gint64
count_scalars (sqlite3 *db)
{
  sqlite3_stmt *st = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM scalars", -1, &st, NULL), ==, SQLITE_OK);
  if (sqlite3_step (st) == SQLITE_ROW)
    n = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  return n;
}

static sqlite3 *
open_reader (const char *path)
{
  g_autofree char *error = NULL;
  gboolean transient = FALSE;
  sqlite3 *db = lm_reader_open (path, &error, &transient);

  if (db == NULL)
    g_error ("lm_reader_open %s: %s", path, error);
  return db;
}

static void
log_points (const char *logdir, const char *name, gint64 first, int n)
{
  lm_writer *lw = NULL;

  g_assert_cmpint (lm_writer_open (&lw, logdir, name), ==, LM_OK);
  for (int i = 0; i < n; i++)
    g_assert_cmpint (lm_writer_add_scalar (lw, "loss", first + i, 1.0 / (first + i + 1)), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (lw), ==, LM_OK);
}

/* docs/run-format.md: run.lumen-wal and -shm exist while the run is open
 * (and after a crash).  A cleanly closed run has neither, and reading it
 * (lm_reader_open, the store's watcher) does not make them: a read-only
 * WAL connection would create both and could not remove them. */
static void
test_finished_run_no_wal (void)
{
  g_autofree char *logdir = lm_test_tmpdir_new ("lumen-test-XXXXXX");
  g_autofree char *path = g_build_filename (logdir, "done", "run.lumen", NULL);
  g_autofree char *path2 = g_build_filename (logdir, "watched", "run.lumen", NULL);
  g_autofree char *wal2 = g_strconcat (path2, "-wal", NULL);
  LmRunStore *store;
  PointsCond pc = { NULL, "done", 100 };
  lm_writer *lw = NULL;
  sqlite3 *db, *db2;

  log_points (logdir, "done", 0, 100);
  assert_no_wal (path, "after the writer's close");

  db = open_reader (path);
  g_assert_cmpint (count_scalars (db), ==, 100);
  sqlite3_close (db);
  assert_no_wal (path, "after lm_reader_open and close");
  db = open_reader (path);
  g_assert_true (lm_reader_is_immutable (db));   /* how: read as a finished file */
  g_assert_false (lm_reader_is_stale (db));
  sqlite3_close (db);

  store = new_store (logdir);
  pc.store = store;
  g_assert_true (lm_test_wait_for (run_has_points, &pc, 10000));
  g_object_unref (store);
  assert_no_wal (path, "after the store loaded it");

  /* A finished run written again (resumed): an immutable connection is
   * stale and a new one sees the new rows. */
  db = open_reader (path);
  log_points (logdir, "done", 100, 50);
  g_assert_true (lm_reader_is_stale (db));
  sqlite3_close (db);
  db = open_reader (path);
  g_assert_cmpint (count_scalars (db), ==, 150);
  sqlite3_close (db);
  assert_no_wal (path, "after a second writer and reader");

  /* A reader that has the run open while the writer closes (lumen watching
   * it live) keeps both files; the writer's close still moved every row
   * into run.lumen, so the -wal is empty and the run is read as a
   * finished one afterwards. */
  g_assert_cmpint (lm_writer_open (&lw, logdir, "watched"), ==, LM_OK);
  for (int i = 0; i < 100; i++)
    g_assert_cmpint (lm_writer_add_scalar (lw, "loss", i, i), ==, LM_OK);
  g_assert_cmpint (lm_writer_flush (lw), ==, LM_OK);
  db2 = open_reader (path2);
  g_assert_false (lm_reader_is_immutable (db2));   /* a live run: read as WAL */
  g_assert_cmpint (count_scalars (db2), ==, 100);
  g_assert_cmpint (lm_writer_close (lw), ==, LM_OK);
  g_assert_cmpint (file_size (wal2), ==, 0);
  sqlite3_close (db2);
  db2 = open_reader (path2);
  g_assert_true (lm_reader_is_immutable (db2));
  g_assert_cmpint (count_scalars (db2), ==, 100);
  sqlite3_close (db2);
  g_assert_cmpint (file_size (wal2), ==, 0);

  lm_test_rm_rf (logdir);
}
#endif

/* ----------------------------------------------------- live or crashed */

static gboolean
run_is_crashed (gpointer data)
{
  LmRun *run = lm_run_store_find (((RunCond *) data)->store, ((RunCond *) data)->name);

  return run != NULL && !lm_run_get_live (run) && lm_run_get_writer_gone (run);
}

static gboolean
run_is_live (gpointer data)
{
  LmRun *run = lm_run_store_find (((RunCond *) data)->store, ((RunCond *) data)->name);

  return run != NULL && lm_run_get_loaded (run) && lm_run_get_live (run);
}

/* A 'running' run is live while its writer holds run.lumen.lock; once the
 * lock is free (the writer was killed) it is crashed at the next check,
 * not "live" for a minute.  A lock written on another host proves nothing:
 * the heartbeat decides there. */
static void
test_live_by_lock (void)
{
  g_autofree char *logdir = lm_test_tmpdir_new ("lumen-test-XXXXXX");
  g_autofree char *lock = g_build_filename (logdir, "job", "run.lumen.lock", NULL);
  g_autofree char *text = NULL;
  char host[256] = "";
  LmTestRun *run = lm_test_run_create (logdir, "job");
  LmRunStore *store;
  RunCond c = { NULL, "job", TRUE, 0 };
  LmRun *r;
  int fd;

  lm_test_run_begin (run);
  lm_test_run_add_scalar (run, "loss", 0, 1.7e9, 1.0);
  lm_test_run_commit (run);
  lm_test_run_close (run);
  g_assert_cmpint (gethostname (host, sizeof host - 1), ==, 0);
  text = g_strdup_printf ("%d %s\n", (int) getpid (), host);
  g_assert_true (g_file_set_contents (lock, text, -1, NULL));
  fd = open (lock, O_RDWR | O_CLOEXEC);
  g_assert_cmpint (flock (fd, LOCK_EX | LOCK_NB), ==, 0);   /* a writer holds it */

  store = new_store (logdir);
  c.store = store;
  g_assert_true (lm_test_wait_for (run_is_live, &c, 10000));
  r = lm_run_store_find (store, "job");
  g_assert_false (lm_run_get_writer_gone (r));
  close (fd);                                                 /* kill -9 */
  g_assert_true (lm_test_wait_for (run_is_crashed, &c, 10000));
  g_assert_cmpint (lm_run_get_status (r), ==, LM_RUN_STATUS_RUNNING);

  /* written on another machine: no verdict from the lock */
  g_assert_true (g_file_set_contents (lock, "4242 some-other-host\n", -1, NULL));
  g_assert_true (lm_test_wait_for (run_is_live, &c, 10000));   /* no heartbeat row: live */
  g_assert_false (lm_run_get_writer_gone (r));
  g_object_unref (store);
  lm_test_rm_rf (logdir);
}

static gboolean
run_is_finished (gpointer data)
{
  LmRun *run = lm_run_store_find (((RunCond *) data)->store, ((RunCond *) data)->name);

  return run != NULL && lm_run_get_status (run) == LM_RUN_STATUS_FINISHED;
}

/* The end of a run is not a crash: lm_writer_close commits 'finished' and
 * then lets go of the lock, and a look at the lock in between (before the
 * store had read that last commit) called the run crashed, in red, until
 * the next read.  A writer whose process ends without closing is still
 * crashed, once its lock has stayed free for a moment. */
static void
test_close_not_crash (void)
{
  g_autofree char *logdir = lm_test_tmpdir_new ("lumen-test-XXXXXX");
  RunCond c = { NULL, "job", TRUE, 0 };
  LmRunStore *store;
  lm_writer *w = NULL;
  LmRun *r;
  int status = -1;
  pid_t pid;

  /* a process that logs, then exits without closing (kill -9 or a crash) */
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      lm_writer *dead = NULL;

      if (lm_writer_open (&dead, logdir, "killed") != LM_OK || lm_writer_add_scalar (dead, "loss", 0, 1.0) != LM_OK
          || lm_writer_flush (dead) != LM_OK)
        _exit (1);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  g_assert_cmpint (lm_writer_open (&w, logdir, "job"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_scalar (w, "loss", 0, 1.0), ==, LM_OK);
  g_assert_cmpint (lm_writer_flush (w), ==, LM_OK);
  store = new_store (logdir);
  c.store = store;
  g_assert_true (lm_test_wait_for (run_is_live, &c, 10000));
  r = lm_run_store_find (store, "job");

  /* No main loop turn between the close and the look at the lock: the
   * store has not read 'finished' yet. */
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  lm_run_update_live (r, g_get_real_time () / 1e6 + 1.5);   /* past the once-a-second probe limit */
  g_assert_cmpint (lm_run_get_status (r), ==, LM_RUN_STATUS_RUNNING);
  g_assert_false (lm_run_get_writer_gone (r));
  g_assert_true (lm_test_wait_for (run_is_finished, &c, 10000));
  g_assert_false (lm_run_get_writer_gone (r));
  g_assert_false (lm_run_get_live (r));

  c.name = "killed";
  g_assert_true (lm_test_wait_for (run_is_crashed, &c, 10000));
  g_assert_cmpint (lm_run_get_status (lm_run_store_find (store, "killed")), ==, LM_RUN_STATUS_RUNNING);
  g_object_unref (store);
  lm_test_rm_rf (logdir);
}

/* ------------------------------------------------------------ bad files */

static void
write_file (const char *logdir, const char *name, const void *data, gsize len)
{
  g_autofree char *dir = g_build_filename (logdir, name, NULL);
  g_autofree char *path = g_build_filename (dir, "run.lumen", NULL);

  g_mkdir_with_parents (dir, 0755);
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
}

static void
assert_error (LmRunStore *store, const char *name, const char *fragment)
{
  LmRun *run = lm_run_store_find (store, name);

  g_assert_nonnull (run);
  if (lm_run_get_error (run) == NULL || strstr (lm_run_get_error (run), fragment) == NULL)
    g_error ("run %s: expected an error with '%s', got '%s'", name, fragment,
             lm_run_get_error (run) ? lm_run_get_error (run) : "(none)");
  g_assert_true (lm_run_get_loaded (run));
  g_assert_false (lm_run_get_live (run));
}

static gboolean
run_error_cleared (gpointer data)
{
  RunCond *c = data;
  LmRun *run = lm_run_store_find (c->store, c->name);

  return run && lm_run_get_error (run) == NULL && lm_run_get_n_points (run) > 0;
}

static void
test_bad_files (void)
{
  g_autofree char *logdir = lm_test_tmpdir_new ("lumen-test-XXXXXX");
  g_autofree char *trunc_path = g_build_filename (logdir, "truncated", "run.lumen", NULL);
  g_autofree char *locked_path = g_build_filename (logdir, "locked", "run.lumen", NULL);
  g_autofree char *future_path = g_build_filename (logdir, "future", "run.lumen", NULL);
  g_autofree char *foreign_dir = g_build_filename (logdir, "foreign", NULL);
  g_autofree char *foreign_path = g_build_filename (foreign_dir, "run.lumen", NULL);
  char garbage[8192];
  sqlite3 *db, *lock_db;
  LmRunStore *store;
  RunCond c;

  write_run (logdir, "good", 100, 1.0, "finished");

  for (guint i = 0; i < sizeof garbage; i++)
    garbage[i] = (char) (i * 7 + 3);
  write_file (logdir, "garbage", garbage, sizeof garbage);
  write_file (logdir, "empty", "", 0);

  /* Truncated: a real run cut to 40% of its size. */
  write_run (logdir, "truncated", 20000, 1.0, "finished");
  {
    gsize len;
    g_autofree char *contents = NULL;

    /* Fold the WAL into the file first, so the cut hits table pages. */
    g_assert_cmpint (sqlite3_open (trunc_path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
    g_assert_true (g_file_get_contents (trunc_path, &contents, &len, NULL));
    g_assert_true (g_file_set_contents (trunc_path, contents, (gssize) (len * 2 / 5), NULL));
  }

  /* Foreign: somebody else's SQLite database. */
  g_mkdir_with_parents (foreign_dir, 0755);
  g_assert_cmpint (sqlite3_open (foreign_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE customers (id INTEGER, name TEXT)", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);

  /* From the future: schema version 2. */
  write_run (logdir, "future", 5, 1.0, NULL);
  g_assert_cmpint (sqlite3_open (future_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version=2", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  /* Locked: a connection in exclusive locking mode keeps everyone out. */
  write_run (logdir, "locked", 10, 1.0, NULL);
  g_assert_cmpint (sqlite3_open (locked_path, &lock_db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (lock_db, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;"
                                 "INSERT OR REPLACE INTO run VALUES ('x','y');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);

  store = new_store (logdir);
  g_assert_true (lm_test_wait_for (store_loaded, store, 20000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 7);

  /* The good run is untouched by its neighbours. */
  g_assert_null (lm_run_get_error (lm_run_store_find (store, "good")));
  g_assert_cmpuint (lm_run_get_n_points (lm_run_store_find (store, "good")), ==, 200);

  assert_error (store, "garbage", "not an SQLite database");
  assert_error (store, "empty", "no tables yet");
  assert_error (store, "truncated", "corrupt");
  assert_error (store, "foreign", "without Lumen's tables");
  assert_error (store, "future", "schema version 2");
  assert_error (store, "locked", "locked");

  /* The lock goes away: the run recovers on its own. */
  g_assert_cmpint (sqlite3_exec (lock_db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (lock_db);
  c = (RunCond) { store, "locked", TRUE, 0 };
  g_assert_true (lm_test_wait_for (run_error_cleared, &c, 10000));
  g_assert_cmpuint (lm_run_get_n_points (lm_run_store_find (store, "locked")), ==, 20);

  /* A half-written run becomes a good one once its writer gets going. */
  {
    g_autofree char *empty_path = g_build_filename (logdir, "empty", "run.lumen", NULL);

    g_unlink (empty_path);
    write_run (logdir, "empty", 7, 1.0, NULL);
    c = (RunCond) { store, "empty", TRUE, 0 };
    g_assert_true (lm_test_wait_for (run_error_cleared, &c, 10000));
    g_assert_cmpuint (lm_run_get_n_points (lm_run_store_find (store, "empty")), ==, 14);
  }

  g_object_unref (store);
  lm_test_rm_rf (logdir);
}

/* TensorBoard's --logdir_spec syntax, and what is refused with a message
 * naming the entry. */
static void
test_logdir_spec_parse (void)
{
  static const struct
  {
    const char *spec, *message;
  } bad[] = {
    { "", "--logdir_spec is empty" },
    { "a:/x,,b:/y", "entry 2 of 'a:/x,,b:/y' is empty" },
    { "a:/x,b:", "'b:' names no folder after the ':'" },
    { "a:/x,b:/y,a:/z", "the name 'a' is given twice" },
    { "gs://bucket/runs", "'gs://bucket/runs' is a URL" },
    { "cloud:s3://bucket/runs", "'cloud:s3://bucket/runs' is a URL" },
  };
  g_auto (GStrv) names = NULL, paths = NULL;
  g_autofree char *home = g_build_filename (g_get_home_dir (), "runs", NULL);
  GError *error = NULL;

  g_assert_true (lm_logdir_spec_parse ("base:/r/a,/r/b,new:~/runs,rel:x:y", &names, &paths, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 4);
  g_assert_cmpuint (g_strv_length (paths), ==, 4);
  g_assert_cmpstr (names[0], ==, "base");
  g_assert_cmpstr (paths[0], ==, "/r/a");
  g_assert_cmpstr (names[1], ==, "");        /* a bare path: no name */
  g_assert_cmpstr (paths[1], ==, "/r/b");
  g_assert_cmpstr (names[2], ==, "new");
  g_assert_cmpstr (paths[2], ==, home);      /* "~/" expanded */
  g_assert_cmpstr (names[3], ==, "rel");     /* the first ':' ends the name */
  g_assert_cmpstr (paths[3], ==, "x:y");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto (GStrv) n2 = NULL, p2 = NULL;

      g_assert_false (lm_logdir_spec_parse (bad[i].spec, &n2, &p2, &error));
      g_assert_nonnull (error);
      g_test_message ("'%s': %s", bad[i].spec, error->message);
      if (strstr (error->message, bad[i].message) == NULL)
        g_error ("'%s': expected '%s' in '%s'", bad[i].spec, bad[i].message, error->message);
      g_assert_null (n2);
      g_assert_null (p2);
      g_clear_error (&error);
    }
}

static LmRunStore *
new_spec_store (const char *const *names, const char *const *paths)
{
  LmRunStore *store = lm_run_store_new_spec (names, paths);

  lm_run_store_set_intervals (store, 40, 100);
  lm_run_store_start (store);
  return store;
}

/* Several log directories in one store: runs named "name/<run>" (the run
 * file at the top of a root is "name", the entry's name the runs'
 * experiment), a bare root's runs under their own names (no experiment),
 * a same-named run of a second bare root told apart by its folder, a
 * missing root shown as a run with the error (the others load) until
 * the folder appears; no root readable is the store's error. */
static void
test_logdir_spec_runs (void)
{
  g_autofree char *top = lm_test_tmpdir_new ("lumen-test-XXXXXX");
  g_autofree char *a = g_build_filename (top, "a", NULL);
  g_autofree char *b = g_build_filename (top, "b", NULL);
  g_autofree char *c = g_build_filename (top, "c", NULL);
  g_autofree char *d = g_build_filename (top, "d", NULL);
  g_autofree char *missing = g_build_filename (top, "later", NULL);
  g_autofree char *twin = NULL;
  const char *names[] = { "base", "", "", "new", NULL };
  const char *paths[] = { a, b, c, missing, NULL };
  LmRunStore *store;
  LmRun *run;
  RunCond cond;

  write_run (a, ".", 4, 1.0, "finished");
  write_run (a, "exp1", 5, 1.0, "finished");
  write_run (b, "exp1", 6, 1.0, "finished");
  write_run (c, "exp1", 7, 1.0, "finished");
  write_run (c, "exp2", 8, 1.0, NULL);
  store = new_spec_store (names, paths);
  g_assert_true (lm_run_store_is_spec (store));
  g_assert_cmpstr (lm_run_store_get_paths (store)[1], ==, b);
  {
    g_autofree char *expect = g_strdup_printf ("base:%s,%s,%s,new:%s", a, b, c, missing);

    g_assert_cmpstr (lm_run_store_get_logdir (store), ==, expect);
  }
  g_assert_true (lm_test_wait_for (store_loaded, store, 10000));
  g_assert_null (lm_run_store_get_error (store));
  twin = g_strdup_printf ("exp1 [%s]", c);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 6);
  g_assert_cmpstr (run_name_at (store, 0), ==, "base");
  g_assert_cmpstr (run_name_at (store, 1), ==, "base/exp1");
  g_assert_cmpstr (run_name_at (store, 2), ==, "exp1");
  g_assert_cmpstr (run_name_at (store, 3), ==, twin);
  g_assert_cmpstr (run_name_at (store, 4), ==, "exp2");
  g_assert_cmpstr (run_name_at (store, 5), ==, "new");
  /* each name is the run of its own folder */
  g_assert_cmpuint (lm_run_get_n_points (lm_run_store_find (store, "base")), ==, 8);
  g_assert_cmpuint (lm_run_get_n_points (lm_run_store_find (store, "base/exp1")), ==, 10);
  g_assert_cmpuint (lm_run_get_n_points (lm_run_store_find (store, "exp1")), ==, 12);
  g_assert_cmpuint (lm_run_get_n_points (lm_run_store_find (store, twin)), ==, 14);
  g_assert_cmpuint (lm_run_get_n_points (lm_run_store_find (store, "exp2")), ==, 16);
  /* the experiment of each ("Color runs by Experiment"): the entry's name */
  g_assert_cmpstr (lm_run_store_get_experiment (store, lm_run_store_find (store, "base")), ==, "base");
  g_assert_cmpstr (lm_run_store_get_experiment (store, lm_run_store_find (store, "base/exp1")), ==, "base");
  g_assert_cmpstr (lm_run_store_get_experiment (store, lm_run_store_find (store, "exp1")), ==, "");
  g_assert_cmpstr (lm_run_store_get_experiment (store, lm_run_store_find (store, twin)), ==, "");
  run = lm_run_store_find (store, "new");
  g_test_message ("missing root: %s", lm_run_get_error (run));
  g_assert_nonnull (strstr (lm_run_get_error (run), missing));
  g_assert_nonnull (strstr (lm_run_get_error (run), "No such file or directory"));

  /* training starts writing into the missing folder: its run replaces the error */
  write_run (missing, "exp3", 3, 1.0, NULL);
  cond = (RunCond) { store, "new/exp3", TRUE, 0 };
  g_assert_true (lm_test_wait_for (run_presence, &cond, 5000));
  cond = (RunCond) { store, "new", FALSE, 0 };
  g_assert_true (lm_test_wait_for (run_presence, &cond, 5000));
  g_object_unref (store);

  /* no root can be read: the window's error page, naming both */
  {
    g_autofree char *gone = g_build_filename (top, "gone", NULL);
    const char *n2[] = { "x", "y", NULL };
    const char *p2[] = { gone, d, NULL };

    store = new_spec_store (n2, p2);
    g_assert_true (lm_test_wait_for (store_loaded, store, 5000));
    g_assert_cmpstr (lm_run_store_get_error_title (store), ==, "Log directories not found");
    g_assert_nonnull (strstr (lm_run_store_get_error (store), gone));
    g_assert_nonnull (strstr (lm_run_store_get_error (store), d));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
    g_object_unref (store);
  }
  lm_test_rm_rf (top);
}

/* Copies src to dst (a small file). */
static void
copy_file (const char *src, const char *dst)
{
  g_autofree char *text = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (src, &text, &len, NULL));
  g_assert_true (g_file_set_contents (dst, text, (gssize) len, NULL));
}

/* A run file lumen cannot open says why, not SQLite's bare "unable to
 * open database file": a file the user may not read, and a run with a
 * write-ahead log (copied while its writer ran, or left by a crash) in a
 * read-only folder, where SQLite cannot create the run.lumen-shm it needs.
 * Root reads and writes everything, so the test needs another user. */
static void
test_cannot_open_says_why (void)
{
  g_autofree char *logdir = NULL, *copy = NULL, *copy_file_path = NULL, *copy_wal = NULL;
  g_autofree char *error = NULL;
  LmTestRun *run;
  gboolean transient = FALSE;

  if (geteuid () == 0)
    {
      g_test_skip ("running as root, for whom every file is readable and every folder writable; run this "
                   "test as another user");
      return;
    }
  logdir = lm_test_tmpdir_new ("lumen-test-XXXXXX");
  run = lm_test_run_create (logdir, "live");
  lm_test_run_begin (run);
  lm_test_run_add_scalar (run, "loss", 0, 1.7e9, 1.0);
  lm_test_run_commit (run);
  /* the writer is still open: its rows are in run.lumen-wal */
  copy = g_build_filename (logdir, "copy", NULL);
  g_assert_cmpint (g_mkdir (copy, 0700), ==, 0);
  copy_file_path = g_build_filename (copy, "run.lumen", NULL);
  copy_wal = g_strconcat (copy_file_path, "-wal", NULL);
  copy_file (lm_test_run_path (run), copy_file_path);
  g_autofree char *wal = g_strconcat (lm_test_run_path (run), "-wal", NULL);
  copy_file (wal, copy_wal);
  lm_test_run_close (run);

  g_assert_cmpint (g_chmod (copy, 0500), ==, 0);
  g_assert_null (lm_reader_open (copy_file_path, &error, &transient));
  g_test_message ("%s", error);
  g_assert_cmpstr (error, ==, "cannot open run file: reading its write-ahead log (run.lumen-wal, from a writer "
                              "that is live or did not finish) needs run.lumen-shm next to it, which cannot be "
                              "created (Permission denied); make the run's folder writable");
  g_clear_pointer (&error, g_free);
  g_assert_cmpint (g_chmod (copy, 0700), ==, 0);

  g_assert_cmpint (g_chmod (copy_file_path, 0), ==, 0);
  g_assert_null (lm_reader_open (copy_file_path, &error, &transient));
  g_assert_cmpstr (error, ==, "cannot read the run file: Permission denied");
  g_clear_pointer (&error, g_free);
  g_assert_cmpint (g_chmod (copy_file_path, 0600), ==, 0);
  lm_test_rm_rf (logdir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/discovery", test_discovery);
  g_test_add_func ("/store/missing-logdir", test_missing_logdir);
  g_test_add_func ("/store/missing-logdir-beside-cache", test_missing_logdir_beside_cache);
  g_test_add_func ("/store/logdir-is-a-file", test_logdir_is_a_file);
  g_test_add_func ("/store/unreadable-folders", test_unreadable_folders);
  g_test_add_func ("/store/run-file-is-a-folder", test_run_file_is_a_folder);
  g_test_add_func ("/store/cannot-open-says-why", test_cannot_open_says_why);
  g_test_add_func ("/store/live-tail/sql", test_live_tail_sql);
#ifdef HAVE_LUMEN_LOG
  g_test_add_func ("/store/live-tail/lumen-log", test_live_tail_lumen_log);
  g_test_add_func ("/store/finished-run-no-wal", test_finished_run_no_wal);
#endif
  g_test_add_func ("/store/live-by-lock", test_live_by_lock);
  g_test_add_func ("/store/close-not-crash", test_close_not_crash);
  g_test_add_func ("/store/bad-files", test_bad_files);
  g_test_add_func ("/store/logdir-spec/parse", test_logdir_spec_parse);
  g_test_add_func ("/store/logdir-spec/runs", test_logdir_spec_runs);
  return g_test_run ();
}
