/* test-import-store.c: what `lumen --logdir DIR` does with a folder of
 * TensorBoard event files (app/lumen/main.c): a follower imports DIR into
 * a cache (app/import/lm-tb-follow.h) that is one more root of the run
 * store, and the store lists the runs under their source names with their
 * scalars, including a folder that appears while it runs and leaves the
 * list when it is deleted. */
#include "lm-run-store.h"
#include "lm-series.h"
#include "lm-tb-follow.h"
#include "lm-test-run.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

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

  return run != NULL && lm_run_get_n_points (run) == c->points;
}

typedef struct
{
  LmTbFollower *f;
  guint passes;
} PassesCond;

static gboolean
has_passes (gpointer data)
{
  PassesCond *c = data;

  return lm_tb_follower_get_n_passes (c->f) >= c->passes;
}

typedef struct
{
  LmRunStore *store;
  guint n;
} RunsCond;

static gboolean
has_runs (gpointer data)
{
  RunsCond *c = data;

  return g_list_model_get_n_items (G_LIST_MODEL (c->store)) == c->n;
}

/* The first n bytes of a fixture, as a new event file in dir. */
static void
copy_head (const char *fixture, const char *dir, const char *name, gsize n)
{
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "fixtures", fixture, NULL);
  g_autofree char *data = NULL;
  g_autofree char *dst = g_build_filename (dir, name, NULL);
  gsize len;

  g_assert_true (g_file_get_contents (src, &data, &len, NULL));
  g_assert_cmpuint (n, <=, len);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (dst, data, (gssize) n, NULL));
}

static void
test_store_follows (void)
{
  g_autofree char *src = lm_test_tmpdir_new ("lumen-tb-src-XXXXXX");
  g_autofree char *cache_home = lm_test_tmpdir_new ("lumen-tb-cache-XXXXXX");
  g_autofree char *exp = g_build_filename (src, "exp", NULL);
  g_autofree char *later = g_build_filename (src, "exp", "later", NULL);

  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  g_autofree char *cache = lm_tb_cache_dir (src);
  g_assert_true (g_str_has_prefix (cache, cache_home));
  g_assert_nonnull (strstr (cache, "/lumen/tfevents/"));

  /* file_version + y at steps 1 and 2 (the tail record cut short) */
  copy_head ("tail/events.out.tfevents.1669111200.host.2.0", exp, "events.out.tfevents.1.host.1.0", 137);
  LmTbFollower *f = lm_tb_follower_get (src, cache, 100, FALSE);
  LmRunStore *store = lm_run_store_new (src);
  lm_run_store_add_root (store, NULL, cache);
  g_assert_false (lm_run_store_is_spec (store));
  g_assert_cmpstr (lm_run_store_get_logdir (store), ==, src);
  lm_run_store_set_intervals (store, 40, 100);
  lm_run_store_start (store);

  g_assert_true (lm_test_wait_for (run_has_points, &(PointsCond) { store, "exp", 2 }, 10000));
  LmRun *run = lm_run_store_find (store, "exp");
  LmSeries *s = lm_run_get_series (run, "y");
  g_assert_nonnull (s);
  g_assert_cmpuint (lm_series_get_n (s), ==, 2);
  g_assert_cmpint (lm_series_step (s, 0), ==, 1);
  g_assert_cmpint (lm_series_step (s, 1), ==, 2);
  g_assert_cmpfloat (s->value[0], ==, 1.0f);
  g_assert_cmpfloat (s->value[1], ==, 2.0f);
  /* the events' wall times, not the import's */
  g_assert_cmpfloat_with_epsilon (lm_series_wall_time (s, 0), 1669111201.0, 1e-3);

  /* a folder that appears later: x at step 1 */
  copy_head ("bad/events.out.tfevents.1669111200.host.1.0", later, "events.out.tfevents.2.host.1.0", 79);
  g_assert_true (lm_test_wait_for (run_has_points, &(PointsCond) { store, "exp/later", 1 }, 10000));
  s = lm_run_get_series (lm_run_store_find (store, "exp/later"), "x");
  g_assert_cmpfloat (s->value[0], ==, 1.0f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  g_assert_cmpuint (lm_tb_follower_get_n_passes (f), >=, 2);

  /* a run folder deleted: gone from the list, as from TensorBoard's */
  g_autofree char *cached = g_build_filename (cache, "exp", "later", "run.lumen", NULL);
  g_assert_true (g_file_test (cached, G_FILE_TEST_EXISTS));
  lm_test_rm_rf (later);
  g_assert_true (lm_test_wait_for (has_runs, &(RunsCond) { store, 1 }, 10000));
  g_assert_nonnull (lm_run_store_find (store, "exp"));
  g_assert_null (lm_run_store_find (store, "exp/later"));
  g_assert_false (g_file_test (cached, G_FILE_TEST_EXISTS));

  g_object_unref (store);
  lm_tb_follower_unref (f);
  lm_test_rm_rf (src);
  lm_test_rm_rf (cache_home);
}

/* Two windows on one folder share a follower (a second importer would
 * replace the first's runs under its feet), and a cache that another
 * process follows (it holds the cache's lock) is left to it. */
static void
test_follower_shared (void)
{
  g_autofree char *src = lm_test_tmpdir_new ("lumen-tb-src-XXXXXX");
  g_autofree char *cache_home = lm_test_tmpdir_new ("lumen-tb-cache-XXXXXX");
  g_autofree char *exp = g_build_filename (src, "exp", NULL);

  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  g_autofree char *cache = lm_tb_cache_dir (src);
  g_autofree char *run_file = g_build_filename (cache, "exp", "run.lumen", NULL);
  g_autofree char *lock = g_build_filename (cache, ".lumen-follow.lock", NULL);
  copy_head ("tail/events.out.tfevents.1669111200.host.2.0", exp, "events.out.tfevents.1.host.1.0", 137);

  LmTbFollower *a = lm_tb_follower_get (src, cache, 50, TRUE);
  g_assert_true (lm_tb_follower_is_importing (a));
  g_assert_true (g_file_test (run_file, G_FILE_TEST_EXISTS));
  LmTbFollower *b = lm_tb_follower_get (src, cache, 50, TRUE);
  g_assert_true (a == b);
  lm_tb_follower_unref (b);
  /* still following for the first window */
  guint n = lm_tb_follower_get_n_passes (a);
  g_assert_true (lm_test_wait_for (has_passes, &(PassesCond) { a, n + 2 }, 10000));
  lm_tb_follower_unref (a);

  /* another process holds the lock: nothing is imported or replaced */
  GStatBuf before, after;
  g_assert_cmpint (g_stat (run_file, &before), ==, 0);
  int fd = open (lock, O_RDWR);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX | LOCK_NB), ==, 0);
  LmTbFollower *c = lm_tb_follower_get (src, cache, 50, TRUE);
  g_assert_false (lm_tb_follower_is_importing (c));
  g_assert_cmpuint (lm_tb_follower_get_n_passes (c), ==, 0);
  g_assert_cmpint (g_stat (run_file, &after), ==, 0);
  g_assert_cmpuint (before.st_ino, ==, after.st_ino);
  lm_tb_follower_unref (c);
  close (fd);

  /* the lock free again: this process takes the cache over */
  LmTbFollower *d = lm_tb_follower_get (src, cache, 50, TRUE);
  g_assert_true (lm_tb_follower_is_importing (d));
  lm_tb_follower_unref (d);
  lm_test_rm_rf (src);
  lm_test_rm_rf (cache_home);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/import/store-follows", test_store_follows);
  g_test_add_func ("/import/follower-shared", test_follower_shared);
  return g_test_run ();
}
