/* test-preview.c: the first load of a big run from its scalar summaries.
 *
 * What it checks: the overview read from scalar_summaries holds only real
 * points of the series (the same step with the same value), including the
 * first and last point, every spike, the global extremes and NaNs; an
 * LmRun shows that overview at once (complete, not yet loaded), keeps it
 * unchanged while rows arrive behind it, and swaps in every row when the
 * load ends; summaries that do not account for every row (no table, rows
 * deleted by hand, older rows without summaries) are not used; a store
 * with a low preview threshold loads a lumen-log run and an SQL-written
 * run without summaries to exactly their rows.
 */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "lm-run-private.h"
#include "lm-run-store.h"
#include "lm-series.h"
#include "lm-test-run.h"
#include "lumen-log.h"

#define N_POINTS 20000

static double
value_at (int tag, gint64 i)
{
  if (i == 7777 && tag == 0)
    return 40.0;                  /* a one-point spike */
  if (i == 12345 && tag == 0)
    return -40.0;                 /* a one-point dip */
  if (i == 15000 && tag == 1)
    return NAN;
  return exp (-i / 5000.0) * (1 + tag) + 0.01 * sin (i * 0.37);
}

/* Logs tags "loss" and "acc", N_POINTS steps each, with lumen-log. */
static char *
log_run (const char *logdir, const char *name, gint64 from, gint64 to)
{
  lm_writer *w = NULL;
  char *path;

  if (lm_writer_open (&w, logdir, name) != LM_OK)
    g_error ("lm_writer_open: %s", lm_log_last_error ());
  for (gint64 i = from; i < to; i++)
    {
      g_assert_cmpint (lm_writer_add_scalar_at (w, "loss", i, value_at (0, i), 1.7e9 + i), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_scalar_at (w, "acc", i, value_at (1, i), 1.7e9 + i), ==, LM_OK);
    }
  path = g_strdup (lm_writer_file_path (w));
  g_assert_cmpint (lm_writer_set_status (w, LM_RUN_FINISHED), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  return path;
}

static void
assert_value (float got, double want)
{
  if (isnan (want))
    g_assert_true (isnan (got));
  else
    g_assert_cmpfloat (got, ==, (float) want);
}

static gboolean
series_has_step (LmSeries *s, gint64 step)
{
  for (gsize i = 0; i < s->n; i++)
    if (lm_series_step (s, i) == step)
      return TRUE;
  return FALSE;
}

static LmReadResult *
read_range (sqlite3 *db, gint64 lo, gint64 hi)
{
  LmReadResult *r = lm_read_result_new ("p", 1);
  char *error = NULL;

  r->lo = lo;
  r->hi = hi;
  if (!lm_reader_read_scalars (db, lo, hi, r, &error))
    g_error ("reading rows: %s", error);
  return r;
}

static void
test_run_preview (void)
{
  g_autofree char *logdir = lm_test_tmpdir_new ("lumen-preview-XXXXXX");
  g_autofree char *path = log_run (logdir, "p", 0, N_POINTS);
  g_autoptr (LmRun) run = lm_run_new ("p", path, 0);
  LmReadResult *head = lm_read_result_new ("p", 1);
  char *error = NULL;
  gboolean transient = FALSE, tags_changed = FALSE;
  sqlite3 *db = lm_reader_open (path, &error, &transient);
  gint64 hi = 0;
  LmSeries *loss, *acc;
  guint64 generation;
  double lo_v = INFINITY, hi_v = -INFINITY;

  g_assert_nonnull (db);
  g_assert_true (lm_reader_read_info (db, 0, head, &error));
  g_assert_true (lm_reader_max_scalar_id (db, &hi, &error));
  g_assert_cmpint (hi, ==, 2 * N_POINTS);
  g_assert_true (lm_reader_read_summaries (db, hi, head, &head->preview, &error));
  g_assert_true (head->preview);
  head->is_head = TRUE;
  head->lo = head->hi = 0;
  head->load_hi = hi;

  /* The overview is on screen at once; no rows are counted yet. */
  g_assert_cmpuint (lm_run_apply_result (run, head, &tags_changed), >, 0);
  g_assert_true (tags_changed);
  g_assert_true (lm_run_get_complete (run));
  g_assert_false (lm_run_get_loaded (run));
  g_assert_cmpuint (lm_run_get_n_points (run), ==, 0);
  loss = lm_run_get_series (run, "loss");
  acc = lm_run_get_series (run, "acc");
  g_assert_nonnull (loss);
  g_assert_nonnull (acc);
  /* At most 5 points per block of 256, at least first and last. */
  g_assert_cmpuint (loss->n, <=, 5 * (N_POINTS / 256 + 1));
  g_assert_cmpuint (loss->n, >=, 2 * (N_POINTS / 256));
  for (gsize i = 0; i < loss->n; i++)
    {
      gint64 step = lm_series_step (loss, i);

      g_assert_cmpint (step, >=, 0);
      g_assert_cmpint (step, <, N_POINTS);
      assert_value (loss->value[i], value_at (0, step));
      g_assert_cmpfloat (lm_series_wall_time (loss, i), ==, 1.7e9 + step);
      if (i > 0)
        g_assert_cmpint (step, >, lm_series_step (loss, i - 1));
      lo_v = MIN (lo_v, loss->value[i]);
      hi_v = MAX (hi_v, loss->value[i]);
    }
  for (gsize i = 0; i < acc->n; i++)
    assert_value (acc->value[i], value_at (1, lm_series_step (acc, i)));
  g_assert_true (series_has_step (loss, 0));
  g_assert_true (series_has_step (loss, N_POINTS - 1));
  g_assert_true (series_has_step (loss, 7777));
  g_assert_true (series_has_step (loss, 12345));
  g_assert_cmpfloat (hi_v, ==, 40.0f);
  g_assert_cmpfloat (lo_v, ==, -40.0f);
  g_assert_true (series_has_step (acc, 15000));

  /* Rows arriving behind the overview do not touch what is shown. */
  generation = loss->generation;
  g_assert_cmpuint (lm_run_apply_result (run, read_range (db, 0, hi / 2), &tags_changed), ==, 0);
  g_assert_cmpuint (loss->generation, ==, generation);
  g_assert_cmpuint (lm_run_get_n_points (run), ==, (guint64) hi / 2);
  g_assert_false (lm_run_get_loaded (run));
  g_assert_true (lm_run_get_complete (run));

  /* The last rows end the load: every row replaces the overview. */
  g_assert_cmpuint (lm_run_apply_result (run, read_range (db, hi / 2, hi), &tags_changed), >, 0);
  g_assert_true (lm_run_get_loaded (run));
  g_assert_cmpuint (lm_run_get_n_points (run), ==, (guint64) hi);
  g_assert_true (lm_run_get_series (run, "loss") == loss);
  g_assert_cmpuint (loss->generation, !=, generation);
  g_assert_cmpstr (loss->tag, ==, "loss");
  g_assert_cmpuint (loss->n, ==, N_POINTS);
  g_assert_cmpuint (acc->n, ==, N_POINTS);
  for (gsize i = 0; i < loss->n; i++)
    {
      g_assert_cmpint (lm_series_step (loss, i), ==, (gint64) i);
      assert_value (loss->value[i], value_at (0, (gint64) i));
      assert_value (acc->value[i], value_at (1, (gint64) i));
    }
  sqlite3_close (db);
  lm_test_rm_rf (logdir);
}

static void
exec_sql (const char *path, const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static gboolean
summaries_cover (const char *path, LmReadResult *r)
{
  char *error = NULL;
  gboolean transient = FALSE, covered = TRUE;
  sqlite3 *db = lm_reader_open (path, &error, &transient);
  gint64 hi = 0;

  g_assert_nonnull (db);
  g_assert_true (lm_reader_max_scalar_id (db, &hi, &error));
  g_assert_true (lm_reader_read_summaries (db, hi, r, &covered, &error));
  sqlite3_close (db);
  return covered;
}

/* Summaries that do not account for every row are not used. */
static void
test_summaries_not_covering (void)
{
  g_autofree char *logdir = lm_test_tmpdir_new ("lumen-preview-XXXXXX");
  g_autofree char *path = NULL, *path2 = NULL;
  LmTestRun *sql = lm_test_run_create (logdir, "sql");
  LmReadResult *r = lm_read_result_new ("x", 1);

  /* An SQL-written file without the table. */
  lm_test_run_begin (sql);
  for (int i = 0; i < 1000; i++)
    lm_test_run_add_scalar (sql, "loss", i, 1.7e9 + i, value_at (0, i));
  lm_test_run_commit (sql);
  path = g_strdup (lm_test_run_path (sql));
  lm_test_run_close (sql);
  g_assert_false (summaries_cover (path, r));

  /* Rows deleted by hand (a diverged tail cut off with sqlite3). */
  path2 = log_run (logdir, "cut", 0, 1000);
  g_assert_true (summaries_cover (path2, r));
  g_assert_cmpuint (g_hash_table_size (r->series), ==, 2);
  exec_sql (path2, "DELETE FROM scalars WHERE step >= 900");
  g_assert_false (summaries_cover (path2, r));
  g_assert_cmpuint (g_hash_table_size (r->series), ==, 0);

  /* A file whose earlier rows have no summaries, appended to by lumen-log. */
  exec_sql (path2, "DROP TABLE scalar_summaries");
  g_free (log_run (logdir, "cut", 1000, 1100));
  g_assert_false (summaries_cover (path2, r));
  lm_read_result_free (r);
  lm_test_rm_rf (logdir);
}

static gboolean
wait_loaded (LmRunStore *store, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (lm_run_store_get_loading (store))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  return TRUE;
}

static void
assert_run_rows (LmRunStore *store, const char *name, const char *tag, int tag_no, gint64 n)
{
  LmRun *run = lm_run_store_find (store, name);
  LmSeries *s;

  g_assert_nonnull (run);
  g_assert_null (lm_run_get_error (run));
  g_assert_true (lm_run_get_loaded (run));
  g_assert_true (lm_run_get_complete (run));
  s = lm_run_get_series (run, tag);
  g_assert_nonnull (s);
  g_assert_cmpuint (s->n, ==, (gsize) n);
  for (gsize i = 0; i < s->n; i++)
    {
      g_assert_cmpint (lm_series_step (s, i), ==, (gint64) i);
      assert_value (s->value[i], value_at (tag_no, (gint64) i));
    }
}

/* The whole path through the watcher threads, with and without summaries. */
static void
test_store_loads (void)
{
  g_autofree char *logdir = lm_test_tmpdir_new ("lumen-preview-XXXXXX");
  LmTestRun *sql = lm_test_run_create (logdir, "sql");
  LmRunStore *store;

  g_free (log_run (logdir, "logged", 0, N_POINTS));
  lm_test_run_begin (sql);
  for (int i = 0; i < N_POINTS; i++)
    lm_test_run_add_scalar (sql, "loss", i, 1.7e9 + i, value_at (0, i));
  lm_test_run_set_status (sql, "finished");
  lm_test_run_commit (sql);
  lm_test_run_close (sql);

  store = lm_run_store_new (logdir);
  lm_run_store_set_intervals (store, 40, 100);
  lm_run_store_set_preview_rows (store, 1000);
  lm_run_store_start (store);
  g_assert_true (wait_loaded (store, 30000));
  g_assert_true (lm_run_store_get_complete (store));
  g_assert_cmpuint (lm_run_store_get_n_points (store), ==, 3 * N_POINTS);
  assert_run_rows (store, "logged", "loss", 0, N_POINTS);
  assert_run_rows (store, "logged", "acc", 1, N_POINTS);
  assert_run_rows (store, "sql", "loss", 0, N_POINTS);
  g_object_unref (store);
  lm_test_rm_rf (logdir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/preview/run", test_run_preview);
  g_test_add_func ("/preview/not-covering", test_summaries_not_covering);
  g_test_add_func ("/preview/store", test_store_loads);
  return g_test_run ();
}
