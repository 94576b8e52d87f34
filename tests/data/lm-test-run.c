/* lm-test-run.c: SQL-written run files for tests (see lm-test-run.h). */
#include "lm-test-run.h"

#include <glib/gstdio.h>
#include <math.h>
#include <time.h>

struct _LmTestRun
{
  char *path;
  sqlite3 *db;
  sqlite3_stmt *insert;
  GHashTable *tags;   /* name -> gint64 id */
};

const char lm_test_run_schema[] =
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE run (key TEXT PRIMARY KEY, value TEXT);"
  "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,"
  "  UNIQUE (name, kind));"
  "CREATE TABLE scalars (id INTEGER PRIMARY KEY, tag_id INTEGER NOT NULL REFERENCES tags(id),"
  "  step INTEGER NOT NULL, wall_time REAL NOT NULL, value REAL);"
  "CREATE INDEX scalars_tag_step ON scalars (tag_id, step);"
  "CREATE TABLE histograms (id INTEGER PRIMARY KEY, tag_id INTEGER NOT NULL REFERENCES tags(id),"
  "  step INTEGER NOT NULL, wall_time REAL NOT NULL, count REAL NOT NULL,"
  "  min REAL, max REAL, sum REAL, sum_squares REAL, nan_count INTEGER NOT NULL DEFAULT 0,"
  "  bucket_count INTEGER NOT NULL, edges BLOB NOT NULL, counts BLOB NOT NULL);"
  "CREATE TABLE images (id INTEGER PRIMARY KEY, tag_id INTEGER NOT NULL REFERENCES tags(id),"
  "  step INTEGER NOT NULL, wall_time REAL NOT NULL, width INTEGER NOT NULL,"
  "  height INTEGER NOT NULL, channels INTEGER NOT NULL, png BLOB NOT NULL, caption TEXT);"
  "CREATE TABLE texts (id INTEGER PRIMARY KEY, tag_id INTEGER NOT NULL REFERENCES tags(id),"
  "  step INTEGER NOT NULL, wall_time REAL NOT NULL, value TEXT NOT NULL);"
  "CREATE TABLE hparams (name TEXT PRIMARY KEY, type TEXT NOT NULL, value);"
  "CREATE TABLE hparam_metrics (tag TEXT PRIMARY KEY);";

static void
exec_or_die (sqlite3 *db, const char *sql)
{
  char *err = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &err) != SQLITE_OK)
    g_error ("fixture SQL failed: %s (%s)", err, sql);
}

LmTestRun *
lm_test_run_create (const char *logdir, const char *name)
{
  LmTestRun *run = g_new0 (LmTestRun, 1);
  g_autofree char *dir = g_build_filename (logdir, name, NULL);
  g_autofree char *sql = NULL;
  double now = g_get_real_time () / 1e6;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  run->path = g_build_filename (dir, "run.lumen", NULL);
  g_assert_cmpint (sqlite3_open (run->path, &run->db), ==, SQLITE_OK);
  sqlite3_busy_timeout (run->db, 5000);
  /* lumen-log's page size, so readers see files shaped like real runs. */
  exec_or_die (run->db, "PRAGMA page_size=16384");
  exec_or_die (run->db, "PRAGMA journal_mode=WAL");
  exec_or_die (run->db, "PRAGMA synchronous=NORMAL");
  exec_or_die (run->db, "BEGIN");
  exec_or_die (run->db, lm_test_run_schema);
  exec_or_die (run->db, "PRAGMA user_version=1");
  sql = sqlite3_mprintf ("INSERT INTO meta VALUES ('schema_version','1'),"
                         "('producer','lm-test-run'),('run_name',%Q),('created','%f');"
                         "INSERT INTO run VALUES ('status','running'),('start_time','%f'),"
                         "('heartbeat','%f'),('host','test'),('pid','1');",
                         name, now, now, now);
  exec_or_die (run->db, sql);
  sqlite3_free (g_steal_pointer (&sql));
  exec_or_die (run->db, "COMMIT");
  g_assert_cmpint (sqlite3_prepare_v2 (run->db,
                                       "INSERT INTO scalars (tag_id, step, wall_time, value)"
                                       " VALUES (?1, ?2, ?3, ?4)", -1, &run->insert, NULL),
                   ==, SQLITE_OK);
  run->tags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return run;
}

const char *
lm_test_run_path (LmTestRun *run)
{
  return run->path;
}

sqlite3 *
lm_test_run_db (LmTestRun *run)
{
  return run->db;
}

void
lm_test_run_begin (LmTestRun *run)
{
  exec_or_die (run->db, "BEGIN");
}

void
lm_test_run_commit (LmTestRun *run)
{
  char *sql = sqlite3_mprintf ("INSERT OR REPLACE INTO run VALUES ('heartbeat','%f')",
                               g_get_real_time () / 1e6);

  exec_or_die (run->db, sql);
  sqlite3_free (sql);
  exec_or_die (run->db, "COMMIT");
}

static gint64
tag_id (LmTestRun *run, const char *tag)
{
  gint64 *id = g_hash_table_lookup (run->tags, tag);
  sqlite3_stmt *st;

  if (id != NULL)
    return *id;
  g_assert_cmpint (sqlite3_prepare_v2 (run->db, "INSERT INTO tags (name, kind) VALUES (?1, 'scalar')",
                                       -1, &st, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (st, 1, tag, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
  sqlite3_finalize (st);
  id = g_new (gint64, 1);
  *id = sqlite3_last_insert_rowid (run->db);
  g_hash_table_insert (run->tags, g_strdup (tag), id);
  return *id;
}

void
lm_test_run_add_scalar (LmTestRun *run, const char *tag, gint64 step, double wall, double value)
{
  sqlite3_bind_int64 (run->insert, 1, tag_id (run, tag));
  sqlite3_bind_int64 (run->insert, 2, step);
  sqlite3_bind_double (run->insert, 3, wall);
  if (isnan (value))
    sqlite3_bind_null (run->insert, 4);
  else
    sqlite3_bind_double (run->insert, 4, value);
  g_assert_cmpint (sqlite3_step (run->insert), ==, SQLITE_DONE);
  sqlite3_reset (run->insert);
}

void
lm_test_run_set_status (LmTestRun *run, const char *status)
{
  char *sql = sqlite3_mprintf ("INSERT OR REPLACE INTO run VALUES ('status',%Q)", status);

  exec_or_die (run->db, sql);
  sqlite3_free (sql);
}

void
lm_test_run_close (LmTestRun *run)
{
  if (run == NULL)
    return;
  sqlite3_finalize (run->insert);
  sqlite3_close (run->db);
  g_hash_table_unref (run->tags);
  g_free (run->path);
  g_free (run);
}

char *
lm_test_tmpdir_new (const char *pattern)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp (pattern, &error);

  if (dir == NULL)
    g_error ("cannot make a temporary folder: %s", error->message);
  return dir;
}

char *
lm_test_logdir_with_scalar (const char *pattern, const char *tag, int n_steps)
{
  char *logdir = lm_test_tmpdir_new (pattern);
  LmTestRun *run = lm_test_run_create (logdir, "a");

  lm_test_run_begin (run);
  for (int i = 0; i < n_steps; i++)
    lm_test_run_add_scalar (run, tag, i, 1.7e9 + i, 1.0 / (i + 1));
  lm_test_run_set_status (run, "finished");
  lm_test_run_commit (run);
  lm_test_run_close (run);
  return logdir;
}

void
lm_test_rm_rf (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  const char *name;

  if (d != NULL)
    {
      while ((name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            lm_test_rm_rf (child);
          else
            g_unlink (child);
        }
      g_dir_close (d);
    }
  g_rmdir (path);
}

gboolean
lm_test_wait_for (LmTestCond cond, gpointer data, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

void
lm_test_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

double
lm_test_nn_agreement (const float *y, gsize n, const int *labels)
{
  gsize agree = 0;

  for (gsize i = 0; i < n; i++)
    {
      double best = INFINITY;
      gsize nearest = i;

      for (gsize j = 0; j < n; j++)
        {
          double s = 0;

          if (j == i)
            continue;
          for (int c = 0; c < 3; c++)
            s += ((double) y[i * 3 + c] - y[j * 3 + c]) * ((double) y[i * 3 + c] - y[j * 3 + c]);
          if (s < best)
            best = s, nearest = j;
        }
      agree += labels[nearest] == labels[i];
    }
  return n > 0 ? (double) agree / (double) n : 0;
}

/* n points in d dimensions: `k` Gaussian clusters (sd 1) whose centres
 * are `sep` apart on the axes; labels[i] gets point i's cluster. */
float *
lm_test_clusters (gsize n, gsize d, int k, double sep, guint32 seed, int *labels)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (seed);
  float *x = g_new (float, n * d);

  for (gsize i = 0; i < n; i++)
    {
      int c = (int) (i % (gsize) k);

      for (gsize j = 0; j < d; j++)
        {
          double u = g_rand_double (r), v = g_rand_double (r);
          double g = sqrt (-2 * log (1 - u)) * cos (2 * G_PI * v);

          x[i * d + j] = (float) (g + (j == (gsize) c % d ? sep : 0));
        }
      if (labels)
        labels[i] = c;
    }
  return x;
}

static double
gauss (GRand *r)
{
  double u = g_rand_double (r), v = g_rand_double (r);

  return sqrt (-2 * log (1 - u)) * cos (2 * G_PI * v);
}

float *
lm_test_rays (gsize rays, gsize per_ray, gsize d, guint32 seed)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (seed);
  g_autofree double *dir = g_new (double, rays * d);
  gsize n = rays * per_ray;
  float *x = g_new (float, n * d);

  for (gsize a = 0; a < rays; a++)
    {
      double s = 0;

      for (gsize j = 0; j < d; j++)
        {
          dir[a * d + j] = gauss (r);
          s += dir[a * d + j] * dir[a * d + j];
        }
      for (gsize j = 0; j < d; j++)
        dir[a * d + j] /= sqrt (s);
    }
  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < d; j++)
      x[i * d + j] = (float) ((double) (i / rays + 1) * (dir[(i % rays) * d + j] + 0.01 * gauss (r) / sqrt ((double) d)));
  return x;
}

double
lm_test_thread_cpu_ms (pthread_t t)
{
  clockid_t clock;
  struct timespec ts;

  if (pthread_getcpuclockid (t, &clock) != 0 || clock_gettime (clock, &ts) != 0)
    return -1;
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
