/* test-log-custom.c: custom-scalar layouts (lm_custom_layout,
 * lm_writer_add_custom_scalars and the two shortcuts): the rows they
 * store, an older file getting the tables, and bad input refused whole
 * with a message naming what was wrong. */
#include "log-test-util.h"

/* "category|title|kind|tag0,tag1,..." for every chart, in log order. */
static char *dump_charts(sqlite3 *db) {
  GString *out = g_string_new(NULL);
  sqlite3_stmt *st = db_query(
      db, "SELECT c.category, c.title, c.kind, group_concat(t.tag, ',') FROM "
          "custom_scalar_charts c JOIN (SELECT * FROM custom_scalar_tags "
          "ORDER BY chart_id, i) t ON t.chart_id = c.id GROUP BY c.id "
          "ORDER BY c.id");
  while (sqlite3_step(st) == SQLITE_ROW)
    g_string_append_printf(out, "%s|%s|%s|%s\n", sqlite3_column_text(st, 0),
                           sqlite3_column_text(st, 1),
                           sqlite3_column_text(st, 2),
                           sqlite3_column_text(st, 3));
  sqlite3_finalize(st);
  return g_string_free(out, FALSE);
}

static void test_rows(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "run");
  lm_custom_layout *l;
  assert_ok(lm_custom_layout_new(&l));
  const char *loss[] = {"train/loss$", "val/loss$"};
  const char *acc[] = {"(train|val)/acc.*"};
  assert_ok(lm_custom_layout_add_multiline(l, "Overview", "Loss", loss, 2));
  assert_ok(lm_custom_layout_add_multiline(l, "Overview", "Accuracy", acc, 1));
  assert_ok(lm_custom_layout_add_margin(l, "Bands", "Val", "val/acc",
                                        "val/acc_lo", "val/acc_hi"));
  g_assert_cmpuint(lm_custom_layout_chart_count(l), ==, 3);
  assert_ok(lm_writer_add_custom_scalars(w, l));
  lm_custom_layout_free(l);
  /* the shortcuts' defaults are PyTorch's: "default" / "untitled" */
  const char *twse[] = {"twse/0050", "twse/2330"};
  assert_ok(lm_writer_add_custom_scalars_multilinechart(w, twse, 2, NULL, NULL));
  assert_ok(lm_writer_add_custom_scalars_marginchart(w, "dow/a", "dow/b",
                                                     "dow/c", "USA", "dow"));
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));

  sqlite3 *db = db_open_ro(path);
  char *rows = dump_charts(db);
  g_assert_cmpstr(rows, ==,
                  "Overview|Loss|multiline|train/loss$,val/loss$\n"
                  "Overview|Accuracy|multiline|(train|val)/acc.*\n"
                  "Bands|Val|margin|val/acc,val/acc_lo,val/acc_hi\n"
                  "default|untitled|multiline|twse/0050,twse/2330\n"
                  "USA|dow|margin|dow/a,dow/b,dow/c\n");
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM custom_scalar_charts "
                             "WHERE wall_time > 1.6e9"),
                  ==, 5);
  /* layouts are not tagged records: the tags table is left alone */
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM tags"), ==, 0);
  g_free(rows);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* A run file from before custom scalars gets the tables when reopened. */
static void test_old_file(void) {
  char *dir = tmpdir_new();
  char *path = old_run_file(dir, "old", "DROP TABLE custom_scalar_tags; DROP "
                                        "TABLE custom_scalar_charts");
  lm_writer *w = writer_open(dir, "old");
  const char *tags[] = {"loss"};
  assert_ok(lm_writer_add_custom_scalars_multilinechart(w, tags, 1, "C", "T"));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==, 1);
  char *rows = dump_charts(db);
  g_assert_cmpstr(rows, ==, "C|T|multiline|loss\n");
  g_free(rows);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

static void expect_error(int rc, int code, const char *part) {
  g_assert_cmpstr(lm_error_name(rc), ==, lm_error_name(code));
  if (!strstr(lm_log_last_error(), part))
    g_error("message '%s' does not contain '%s'", lm_log_last_error(), part);
}

static void test_bad_input(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "bad");
  lm_custom_layout *l;
  assert_ok(lm_custom_layout_new(&l));
  const char *ok[] = {"loss"};
  const char *bad_re[] = {"loss", "train/(loss"};
  const char *py_re[] = {"layer\\d+/loss"};
  const char *py_group[] = {"(?:train|val)/loss"};
  const char *empty[] = {""};
  const char *bad_utf8[] = {"lo\xffss"};

  expect_error(lm_custom_layout_add_multiline(l, "", "Loss", ok, 1),
               LM_ERR_INVALID_ARG, "custom scalars: category is empty");
  expect_error(lm_custom_layout_add_multiline(l, "C", "", ok, 1),
               LM_ERR_INVALID_ARG, "custom scalars: chart title is empty");
  expect_error(lm_custom_layout_add_multiline(l, "C", NULL, ok, 1),
               LM_ERR_INVALID_ARG, "chart title is NULL");
  expect_error(lm_custom_layout_add_multiline(l, "C", "Loss", ok, 0),
               LM_ERR_INVALID_ARG, "multiline chart 'Loss' has no tags");
  expect_error(lm_custom_layout_add_multiline(l, "C", "Loss", bad_re, 2),
               LM_ERR_INVALID_ARG,
               "chart 'Loss' tags[1] 'train/(loss' is not a valid regular "
               "expression (POSIX extended)");
  expect_error(lm_custom_layout_add_multiline(l, "C", "Loss", py_re, 1),
               LM_ERR_INVALID_ARG, "'\\d' (write [0-9]) is Python regex syntax");
  expect_error(lm_custom_layout_add_multiline(l, "C", "Loss", py_group, 1),
               LM_ERR_INVALID_ARG, "'(?' groups");
  expect_error(lm_custom_layout_add_multiline(l, "C", "Loss", empty, 1),
               LM_ERR_INVALID_ARG, "tags[0] is empty");
  expect_error(lm_custom_layout_add_multiline(l, "C", "Loss", bad_utf8, 1),
               LM_ERR_UTF8, "tags[0] is not valid UTF-8");
  expect_error(lm_custom_layout_add_margin(l, "C", "M", "v", NULL, "u"),
               LM_ERR_INVALID_ARG, "margin chart 'M' lower tag is NULL");
  /* nothing was added by the failures; an empty layout is refused */
  g_assert_cmpuint(lm_custom_layout_chart_count(l), ==, 0);
  expect_error(lm_writer_add_custom_scalars(w, l), LM_ERR_INVALID_ARG,
               "the layout is empty");
  expect_error(lm_writer_add_custom_scalars(w, NULL), LM_ERR_INVALID_ARG,
               "the layout is NULL");
  assert_ok(lm_custom_layout_add_multiline(l, "C", "Loss", ok, 1));
  expect_error(lm_custom_layout_add_margin(l, "C", "Loss", "v", "l", "u"),
               LM_ERR_INVALID_ARG, "category 'C' already has a chart 'Loss'");
  /* the shortcuts name the problem on the writer too */
  expect_error(lm_writer_add_custom_scalars_multilinechart(w, bad_re, 2, NULL,
                                                           NULL),
               LM_ERR_INVALID_ARG, "chart 'untitled' tags[1] 'train/(loss'");
  g_assert_nonnull(strstr(lm_writer_error_message(w), "train/(loss"));
  expect_error(lm_writer_add_custom_scalars_marginchart(w, "v", "", "u", NULL,
                                                        NULL),
               LM_ERR_INVALID_ARG, "lower tag is empty");
  expect_error(lm_writer_add_custom_scalars(NULL, l), LM_ERR_INVALID_ARG,
               "writer is NULL");
  assert_ok(lm_writer_add_custom_scalars(w, l));
  lm_custom_layout_free(l);
  lm_custom_layout_free(NULL);
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));
  /* only the good layout was stored, whole */
  sqlite3 *db = db_open_ro(path);
  char *rows = dump_charts(db);
  g_assert_cmpstr(rows, ==, "C|Loss|multiline|loss\n");
  g_free(rows);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/logging/custom-scalars/rows", test_rows);
  g_test_add_func("/logging/custom-scalars/old-file", test_old_file);
  g_test_add_func("/logging/custom-scalars/bad-input", test_bad_input);
  return g_test_run();
}
