/* train-fixture.c: see train-fixture.h. */
#include "train-fixture.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lumen-train.h"

static void write_split(const char *dir, const char *prefix, int n, uint64_t seed)
{
  uint8_t *px = g_malloc((size_t)n * 784);
  uint8_t *lab = g_malloc((size_t)n);
  uint64_t s = seed;
  for (int i = 0; i < n; i++) {
    int c = (int)((i * 7 + 3) % 10);
    lab[i] = (uint8_t)c;
    for (int k = 0; k < 784; k++) {
      s = s * 6364136223846793005ull + 1442695040888963407ull;
      int row = k / 28;
      px[i * 784 + k] = (uint8_t)((s >> 33) % 200 + (row >= 2 * c + 4 && row < 2 * c + 7 ? 40 : 0));
    }
  }
  char *pi = g_strdup_printf("%s/%s-images-idx3-ubyte.gz", dir, prefix);
  char *pl = g_strdup_printf("%s/%s-labels-idx1-ubyte.gz", dir, prefix);
  char *err = NULL;
  if (!lm_idx_write(pi, LM_IDX_U8, 3, (int64_t[]){ n, 28, 28 }, px, true, &err) ||
      !lm_idx_write(pl, LM_IDX_U8, 1, (int64_t[]){ n }, lab, true, &err))
    g_error("cannot write the fixture: %s", err);
  g_free(pi);
  g_free(pl);
  g_free(px);
  g_free(lab);
}

char *train_fixture_make_data(const char *parent, int ntrain, int ntest)
{
  char *dir = g_build_filename(parent, "data", NULL);
  g_mkdir_with_parents(dir, 0755);
  write_split(dir, "train", ntrain, 1);
  write_split(dir, "t10k", ntest, 2);
  return dir;
}

gboolean train_fixture_have_fashion(void)
{
  /* LUMEN_TEST_NO_FASHION=1 tries the synthetic path on machines that have it */
  if (g_getenv("LUMEN_TEST_NO_FASHION"))
    return FALSE;
  return g_file_test(LM_FASHION_MNIST_DIR "/train-images-idx3-ubyte.gz", G_FILE_TEST_EXISTS);
}

sqlite3 *train_fixture_open_run(const char *path)
{
  sqlite3 *db = NULL;
  char *uri = g_strdup_printf("file:%s?mode=ro", path);
  int rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
  if (rc != SQLITE_OK)
    g_error("cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "?");
  g_free(uri);
  return db;
}

static sqlite3_stmt *one_row(sqlite3 *db, const char *sql)
{
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    g_error("%s: %s", sql, sqlite3_errmsg(db));
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    return NULL;
  }
  return st;
}

int64_t train_fixture_int(sqlite3 *db, const char *sql)
{
  sqlite3_stmt *st = one_row(db, sql);
  int64_t v = st ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  return v;
}

double train_fixture_double(sqlite3 *db, const char *sql)
{
  sqlite3_stmt *st = one_row(db, sql);
  double v = st && sqlite3_column_type(st, 0) != SQLITE_NULL ? sqlite3_column_double(st, 0) : NAN;
  sqlite3_finalize(st);
  return v;
}

char *train_fixture_text(sqlite3 *db, const char *sql)
{
  sqlite3_stmt *st = one_row(db, sql);
  char *v = st && sqlite3_column_text(st, 0) ? g_strdup((const char *)sqlite3_column_text(st, 0)) : NULL;
  sqlite3_finalize(st);
  return v;
}

void train_fixture_rmdir(const char *dir)
{
  char *cmd = g_strdup_printf("rm -rf '%s'", dir);
  if (system(cmd) != 0)
    g_printerr("could not remove %s\n", dir);
  g_free(cmd);
}
