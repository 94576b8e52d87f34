/* log-test-util.h: helpers shared by the lumen-log tests.
 *
 * What it is for: a scratch log directory per test, and one-line SQLite
 * queries on a run file (opened read-only, the way readers open it), so
 * the tests check what is really in the file.  Not for: production code.
 */
#ifndef LOG_TEST_UTIL_H
#define LOG_TEST_UTIL_H

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "lumen-log.h"

static inline void rm_rf(const char *path) {
  if (g_file_test(path, G_FILE_TEST_IS_DIR) &&
      !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
    GDir *d = g_dir_open(path, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
      char *child = g_build_filename(path, name, NULL);
      rm_rf(child);
      g_free(child);
    }
    if (d)
      g_dir_close(d);
  }
  g_remove(path);
}

/* A fresh directory; remove it with tmpdir_free(). */
static inline char *tmpdir_new(void) {
  GError *err = NULL;
  char *dir = g_dir_make_tmp("lumen-log-test-XXXXXX", &err);
  g_assert_no_error(err);
  return dir;
}

static inline void tmpdir_free(char *dir) {
  if (dir)
    rm_rf(dir);
  g_free(dir);
}

/* Opens a run file read-only, as a reader would. */
static inline sqlite3 *db_open_ro(const char *path) {
  char *uri = g_strdup_printf("file:%s?mode=ro", path);
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                           NULL);
  g_free(uri);
  if (rc != SQLITE_OK)
    g_error("cannot open %s: %s", path, sqlite3_errmsg(db));
  sqlite3_busy_timeout(db, 2000);
  return db;
}

static inline sqlite3_stmt *db_query(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    g_error("%s: %s", sql, sqlite3_errmsg(db));
  return st;
}

static inline gint64 db_int(sqlite3 *db, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static inline gint64 db_int(sqlite3 *db, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *sql = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  sqlite3_stmt *st = db_query(db, sql);
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW)
    g_error("%s: no row (%s)", sql, sqlite3_errmsg(db));
  gint64 v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  g_free(sql);
  return v;
}

static inline double db_double(sqlite3 *db, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static inline double db_double(sqlite3 *db, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *sql = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  sqlite3_stmt *st = db_query(db, sql);
  if (sqlite3_step(st) != SQLITE_ROW)
    g_error("%s: no row", sql);
  double v = sqlite3_column_double(st, 0);
  sqlite3_finalize(st);
  g_free(sql);
  return v;
}

/* Text of the first column of the first row, or NULL; g_free it. */
static inline char *db_text(sqlite3 *db, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static inline char *db_text(sqlite3 *db, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *sql = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  sqlite3_stmt *st = db_query(db, sql);
  char *v = NULL;
  if (sqlite3_step(st) == SQLITE_ROW &&
      sqlite3_column_type(st, 0) != SQLITE_NULL)
    v = g_strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  g_free(sql);
  return v;
}

/* Opens <dir>/<run> with quiet options; asserts success. */
static inline lm_writer *writer_open(const char *dir, const char *run) {
  lm_writer_options o;
  lm_writer_options_init(&o);
  o.logdir = dir;
  o.run_name = run;
  o.quiet = TRUE;
  lm_writer *w = NULL;
  int rc = lm_writer_open_with(&w, &o);
  if (rc != LM_OK)
    g_error("lm_writer_open_with(%s, %s): %s: %s", dir, run,
            lm_error_name(rc), lm_log_last_error());
  return w;
}

/* Reopens <dir>/<run> with purge_step `step` (SummaryWriter(purge_step=))
 * and closes it again; asserts success. */
static inline void writer_purge(const char *dir, const char *run,
                                int64_t step) {
  lm_writer_options o;
  lm_writer_options_init(&o);
  o.logdir = dir;
  o.run_name = run;
  o.quiet = TRUE;
  o.purge = TRUE;
  o.purge_step = step;
  lm_writer *w = NULL;
  int rc = lm_writer_open_with(&w, &o);
  if (rc != LM_OK)
    g_error("lm_writer_open_with(%s, %s, purge %lld): %s: %s", dir, run,
            (long long)step, lm_error_name(rc), lm_log_last_error());
  rc = lm_writer_close(w);
  if (rc != LM_OK)
    g_error("lm_writer_close: %s: %s", lm_error_name(rc), lm_log_last_error());
}

#define assert_ok(expr)                                                        \
  do {                                                                         \
    int rc_ = (expr);                                                          \
    if (rc_ != LM_OK)                                                          \
      g_error("%s: %s: %s", #expr, lm_error_name(rc_), lm_log_last_error());   \
  } while (0)

/* Asserts a call fails with `code` and a message containing `needle`. */
#define assert_fails(expr, code, needle)                                       \
  do {                                                                         \
    int rc_ = (expr);                                                          \
    g_assert_cmpstr(lm_error_name(rc_), ==, lm_error_name(code));              \
    if (!strstr(lm_log_last_error(), (needle)))                                \
      g_error("%s: message \"%s\" lacks \"%s\"", #expr, lm_log_last_error(),   \
              (needle));                                                       \
  } while (0)

/* Closes w and counts the rows of `table` in its run file: what bad input
 * left behind. */
static inline gint64 writer_close_count(lm_writer *w, const char *table) {
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  gint64 n = db_int(db, "SELECT count(*) FROM %s", table);
  sqlite3_close(db);
  g_free(path);
  return n;
}

/* <dir>/<run> as an older lumen-log left it: one scalar ("loss" 1.5 at
 * step 0), without the tables drop_sql drops (those it did not have yet).
 * Returns the run file's path (g_free it). */
static inline char *old_run_file(const char *dir, const char *run,
                                 const char *drop_sql) {
  lm_writer *w = writer_open(dir, run);
  assert_ok(lm_writer_add_scalar(w, "loss", 0, 1.5));
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = NULL;
  g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_exec(db, drop_sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close(db);
  return path;
}

#endif /* LOG_TEST_UTIL_H */
