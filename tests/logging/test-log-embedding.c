/* test-log-embedding.c: lm_writer_add_embedding (add_embedding for the
 * projector): the rows it writes (matrix blob, labels, sprite PNG), the
 * default tag, bad input refused with a message and nothing written, and
 * a run file from before embeddings reopened and appended to;
 * lm_writer_add_embedding_columns (metadata_header): its names and values
 * rows (the first column still the label), its refusals by name, and a
 * file from before columns reopened.
 */
#include <math.h>
#include <png.h>

#include "log-test-util.h"

static guint8 *png_gray(const void *data, size_t len, int *w, int *h) {
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  g_assert_true(png_image_begin_read_from_memory(&img, data, len));
  img.format = PNG_FORMAT_GRAY;
  guint8 *buf = g_malloc(PNG_IMAGE_SIZE(img));
  g_assert_true(png_image_finish_read(&img, NULL, buf, 0, NULL));
  *w = (int)img.width;
  *h = (int)img.height;
  return buf;
}

static void test_embedding_rows(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "emb");
  enum { N = 5, D = 3, H = 2, W = 3 };
  float mat[N * D], img[N * H * W];
  for (int i = 0; i < N * D; i++)
    mat[i] = (float)i * 0.5f - 3.0f;
  for (int i = 0; i < N; i++)
    for (int p = 0; p < H * W; p++)
      img[i * H * W + p] = (float)(i + 1) / 5.0f; /* thumbnail i is flat */
  const char *labels[N] = {"T-shirt/top", "Trouser", "Bag ✓", "", "Bag ✓"};
  assert_ok(lm_writer_add_embedding(w, NULL, 7, mat, N, D, labels, img, 1, H,
                                    W));
  assert_ok(lm_writer_add_embedding(w, "features", 9, mat, 2, 2, NULL, NULL,
                                    0, 0, 0));
  assert_ok(lm_writer_flush(w));

  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM embeddings"), ==, 2);
  sqlite3_stmt *st = db_query(
      db, "SELECT tag, step, n, d, tensor, sprite, thumb_width, "
          "thumb_height, thumb_channels, sprite_cols, id FROM embeddings "
          "ORDER BY id");
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  g_assert_cmpstr((const char *)sqlite3_column_text(st, 0), ==, "default");
  g_assert_cmpint(sqlite3_column_int64(st, 1), ==, 7);
  g_assert_cmpint(sqlite3_column_int(st, 2), ==, N);
  g_assert_cmpint(sqlite3_column_int(st, 3), ==, D);
  g_assert_cmpint(sqlite3_column_bytes(st, 4), ==, sizeof mat);
  g_assert_cmpmem(sqlite3_column_blob(st, 4), sizeof mat, mat, sizeof mat);
  g_assert_cmpint(sqlite3_column_int(st, 6), ==, W);
  g_assert_cmpint(sqlite3_column_int(st, 7), ==, H);
  g_assert_cmpint(sqlite3_column_int(st, 8), ==, 1);
  g_assert_cmpint(sqlite3_column_int(st, 9), ==, 3); /* ceil(sqrt(5)) */
  /* The sprite: 3 x 2 cells of 3x2 pixels, thumbnails row by row, the
   * sixth cell black; thumbnail i is (i+1)/5 * 255 truncated. */
  int sw, sh;
  guint8 *px = png_gray(sqlite3_column_blob(st, 5),
                        (size_t)sqlite3_column_bytes(st, 5), &sw, &sh);
  g_assert_cmpint(sw, ==, 3 * W);
  g_assert_cmpint(sh, ==, 2 * H);
  const int want[6] = {51, 102, 153, 204, 255, 0};
  for (int cell = 0; cell < 6; cell++)
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++)
        g_assert_cmpint(px[((cell / 3) * H + y) * sw + (cell % 3) * W + x], ==,
                        want[cell]);
  g_free(px);
  gint64 id = sqlite3_column_int64(st, 10);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  g_assert_cmpstr((const char *)sqlite3_column_text(st, 0), ==, "features");
  g_assert_cmpint(sqlite3_column_int(st, 2), ==, 2);
  g_assert_cmpint(sqlite3_column_int(st, 3), ==, 2);
  g_assert_cmpint(sqlite3_column_type(st, 5), ==, SQLITE_NULL);
  sqlite3_finalize(st);
  /* Labels: one row each, in order, for the first embedding only. */
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM embedding_metadata"), ==, N);
  for (int i = 0; i < N; i++) {
    char *l = db_text(db,
                      "SELECT label FROM embedding_metadata WHERE "
                      "embedding_id = %" G_GINT64_FORMAT " AND i = %d",
                      id, i);
    g_assert_cmpstr(l, ==, labels[i]);
    g_free(l);
  }
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  tmpdir_free(dir);
}

static void test_embedding_bad_input(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "bad");
  float mat[6] = {1, 2, 3, 4, 5, 6};
  float img[2 * 4] = {0};
  const char *labels[2] = {"a", "b"};
  assert_fails(lm_writer_add_embedding(NULL, "t", 0, mat, 2, 3, NULL, NULL, 0,
                                       0, 0),
               LM_ERR_INVALID_ARG, "writer is NULL");
  assert_fails(lm_writer_add_embedding(w, "t", 0, NULL, 2, 3, NULL, NULL, 0, 0,
                                       0),
               LM_ERR_INVALID_ARG, "embedding 't': mat is NULL");
  assert_fails(lm_writer_add_embedding(w, "t", 0, mat, 0, 3, NULL, NULL, 0, 0,
                                       0),
               LM_ERR_INVALID_ARG, "mat is 0 x 3; it needs at least one point");
  assert_fails(lm_writer_add_embedding(w, "t", 0, mat, 2, 0, NULL, NULL, 0, 0,
                                       0),
               LM_ERR_INVALID_ARG, "mat is 2 x 0");
  assert_fails(lm_writer_add_embedding(w, "", 0, mat, 2, 3, NULL, NULL, 0, 0,
                                       0),
               LM_ERR_INVALID_ARG, "embedding tag is empty");
  /* Sizes a run file cannot hold: refused before mat is read. */
  assert_fails(lm_writer_add_embedding(w, "t", 0, mat, 1000000, 1000, NULL,
                                       NULL, 0, 0, 0),
               LM_ERR_TOO_LARGE, "1000000 x 1000 float32");
  assert_fails(lm_writer_add_embedding(w, "t", 0, mat, SIZE_MAX, SIZE_MAX,
                                       NULL, NULL, 0, 0, 0),
               LM_ERR_TOO_LARGE, "over the 1000000000 bytes");
  mat[4] = NAN;
  assert_fails(lm_writer_add_embedding(w, "t", 0, mat, 2, 3, NULL, NULL, 0, 0,
                                       0),
               LM_ERR_INVALID_ARG, "mat[1][1] is NaN");
  mat[4] = -INFINITY;
  assert_fails(lm_writer_add_embedding(w, "t", 0, mat, 2, 3, NULL, NULL, 0, 0,
                                       0),
               LM_ERR_INVALID_ARG, "mat[1][1] is Inf");
  mat[4] = 5;
  const char *bad_utf8[2] = {"fine", "caf\xe9"};
  assert_fails(lm_writer_add_embedding(w, "t", 0, mat, 2, 3, bad_utf8, NULL,
                                       0, 0, 0),
               LM_ERR_UTF8, "metadata[1] is not valid UTF-8");
  const char *null_label[2] = {"fine", NULL};
  assert_fails(lm_writer_add_embedding(w, "t", 0, mat, 2, 3, null_label, NULL,
                                       0, 0, 0),
               LM_ERR_INVALID_ARG, "metadata[1] is NULL");
  assert_fails(lm_writer_add_embedding(w, "t", 0, mat, 2, 3, labels, img, 2,
                                       2, 2),
               LM_ERR_INVALID_ARG, "label_img has 2 channels");
  assert_fails(lm_writer_add_embedding(w, "t", 0, mat, 2, 3, labels, img, 1,
                                       0, 2),
               LM_ERR_INVALID_ARG, "label_img is 0x2");
  assert_fails(lm_writer_add_embedding(w, "t", 0, mat, 2, 3, labels, NULL, 1,
                                       2, 2),
               LM_ERR_INVALID_ARG, "label_img is NULL but its size");
  assert_fails(lm_writer_add_embedding(w, "t", 0, mat, 2, 3, labels, img, 1,
                                       2, 600000),
               LM_ERR_TOO_LARGE, "over 1000000 pixels a side");
  assert_fails(lm_writer_add_embedding(w, "t", 0, mat, 2, 3, labels, img, 3,
                                       5000, 5000),
               LM_ERR_TOO_LARGE, "max_image_bytes");
  /* Nothing of the refused calls reached the file; a good call after them
   * does. */
  assert_ok(lm_writer_add_embedding(w, "t", 0, mat, 2, 3, labels, img, 1, 2,
                                    2));
  assert_ok(lm_writer_flush(w));
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM embeddings"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM embedding_metadata"), ==, 2);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  tmpdir_free(dir);
}

static void exec_rw(const char *path, const char *sql) {
  sqlite3 *db = NULL;
  g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_exec(db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close(db);
}

/* A file written before embeddings existed (no embeddings tables) keeps
 * schema 1: a newer writer reopening it adds the tables and appends, and
 * what was there stays. */
static void test_embedding_old_file(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "old");
  assert_ok(lm_writer_add_scalar(w, "loss", 0, 2.5));
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));
  exec_rw(path, "DROP TABLE embedding_metadata; DROP TABLE embeddings; "
                "DROP TABLE embedding_columns; DROP TABLE embedding_values");
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM sqlite_master WHERE "
                             "name LIKE 'embedding%%'"),
                  ==, 0);
  sqlite3_close(db);

  w = writer_open(dir, "old");
  const float mat[4] = {1, 2, 3, 4};
  assert_ok(lm_writer_add_embedding(w, "e", 3, mat, 2, 2, NULL, NULL, 0, 0,
                                    0));
  assert_ok(lm_writer_close(w));
  db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM embeddings WHERE "
                             "tag = 'e' AND step = 3"),
                  ==, 1);
  g_assert_cmpfloat(db_double(db, "SELECT value FROM scalars"), ==, 2.5);
  sqlite3_close(db);

  /* purge_step (a resumed run) removes embeddings of the steps it drops. */
  writer_purge(dir, "old", 3);
  db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM embeddings"), ==, 0);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* Three points with a "label" and a "split" column: the label is
 * embedding_metadata's as ever, the names and the second column have rows
 * of their own. */
static void test_embedding_columns(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "cols");
  const float mat[3 * 2] = {1, 2, 3, 4, 5, 6};
  const char *header[2] = {"label", "split"};
  const char *meta[3 * 2] = {"cat", "train", "dog", "test", "cat ✓", "test"};
  assert_ok(lm_writer_add_embedding_columns(w, "f", 4, mat, 3, 2, header, 2,
                                            meta, NULL, 0, 0, 0));
  const char *one[1] = {"digit"};
  const char *digits[3] = {"7", "2", "1"};
  assert_ok(lm_writer_add_embedding_columns(w, "g", 4, mat, 3, 2, one, 1,
                                            digits, NULL, 0, 0, 0));
  assert_ok(lm_writer_flush(w));
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  g_autofree char *labels = db_text(
      db, "SELECT group_concat(label, '|') FROM (SELECT label FROM "
          "embedding_metadata WHERE embedding_id = 1 ORDER BY i)");
  g_assert_cmpstr(labels, ==, "cat|dog|cat ✓");
  g_autofree char *names = db_text(
      db, "SELECT group_concat(name, '|') FROM (SELECT name FROM "
          "embedding_columns WHERE embedding_id = 1 ORDER BY col)");
  g_assert_cmpstr(names, ==, "label|split");
  g_autofree char *split = db_text(
      db, "SELECT group_concat(i || ':' || col || '=' || value, '|') FROM "
          "(SELECT * FROM embedding_values WHERE embedding_id = 1 ORDER BY "
          "i, col)");
  g_assert_cmpstr(split, ==, "0:1=train|1:1=test|2:1=test");
  /* one named column: its name, and nothing in embedding_values */
  g_autofree char *digit = db_text(
      db, "SELECT name FROM embedding_columns WHERE embedding_id = 2");
  g_assert_cmpstr(digit, ==, "digit");
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM embedding_values WHERE "
                             "embedding_id = 2"),
                  ==, 0);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM embedding_metadata WHERE "
                             "embedding_id = 2"),
                  ==, 3);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  tmpdir_free(dir);
}

static void test_embedding_columns_refused(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "bad");
  const float mat[2 * 2] = {1, 2, 3, 4};
  const char *header[2] = {"label", "split"};
  const char *meta[2 * 2] = {"cat", "train", "dog", "test"};
  assert_fails(lm_writer_add_embedding_columns(w, "t", 0, mat, 2, 2, NULL, 2,
                                               meta, NULL, 0, 0, 0),
               LM_ERR_INVALID_ARG, "embedding 't': header is NULL");
  assert_fails(lm_writer_add_embedding_columns(w, "t", 0, mat, 2, 2, header,
                                               0, meta, NULL, 0, 0, 0),
               LM_ERR_INVALID_ARG, "n_columns is 0");
  assert_fails(lm_writer_add_embedding_columns(w, "t", 0, mat, 2, 2, header,
                                               2, NULL, NULL, 0, 0, 0),
               LM_ERR_INVALID_ARG, "embedding 't': metadata is NULL");
  const char *null_name[2] = {"label", NULL};
  assert_fails(lm_writer_add_embedding_columns(w, "t", 0, mat, 2, 2,
                                               null_name, 2, meta, NULL, 0,
                                               0, 0),
               LM_ERR_INVALID_ARG, "embedding 't': header[1] is NULL");
  const char *empty[2] = {"label", ""};
  assert_fails(lm_writer_add_embedding_columns(w, "t", 0, mat, 2, 2, empty, 2,
                                               meta, NULL, 0, 0, 0),
               LM_ERR_INVALID_ARG, "header[1] is empty");
  const char *twice[2] = {"label", "label"};
  assert_fails(lm_writer_add_embedding_columns(w, "t", 0, mat, 2, 2, twice, 2,
                                               meta, NULL, 0, 0, 0),
               LM_ERR_INVALID_ARG, "header[1] 'label' repeats header[0]");
  const char *tab_name[2] = {"label", "sp\tlit"};
  assert_fails(lm_writer_add_embedding_columns(w, "t", 0, mat, 2, 2, tab_name,
                                               2, meta, NULL, 0, 0, 0),
               LM_ERR_INVALID_ARG, "header[1] 'sp\tlit' holds a tab");
  const char *bad_name[2] = {"label", "caf\xe9"};
  assert_fails(lm_writer_add_embedding_columns(w, "t", 0, mat, 2, 2, bad_name,
                                               2, meta, NULL, 0, 0, 0),
               LM_ERR_UTF8, "header[1] is not valid UTF-8");
  const char *tab[2 * 2] = {"cat", "train", "dog", "te\tst"};
  assert_fails(lm_writer_add_embedding_columns(w, "t", 0, mat, 2, 2, header,
                                               2, tab, NULL, 0, 0, 0),
               LM_ERR_INVALID_ARG,
               "metadata[1][1] (column 'split') holds a tab");
  const char *line[2 * 2] = {"c\nat", "train", "dog", "test"};
  assert_fails(lm_writer_add_embedding_columns(w, "t", 0, mat, 2, 2, header,
                                               2, line, NULL, 0, 0, 0),
               LM_ERR_INVALID_ARG,
               "metadata[0][0] (column 'label') holds a line break");
  const char *bad[2 * 2] = {"cat", "train", "caf\xe9", "test"};
  assert_fails(lm_writer_add_embedding_columns(w, "t", 0, mat, 2, 2, header,
                                               2, bad, NULL, 0, 0, 0),
               LM_ERR_UTF8, "metadata[1][0] is not valid UTF-8");
  const char *null_value[2 * 2] = {"cat", "train", "dog", NULL};
  assert_fails(lm_writer_add_embedding_columns(w, "t", 0, mat, 2, 2, header,
                                               2, null_value, NULL, 0, 0, 0),
               LM_ERR_INVALID_ARG, "metadata[1][1] is NULL");
  assert_ok(lm_writer_flush(w));
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM embeddings"), ==, 0);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM embedding_columns"), ==, 0);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  tmpdir_free(dir);
}

/* A file from before metadata columns (embeddings without the column
 * tables) gets them when a newer writer reopens it; its embedding stays. */
static void test_embedding_columns_old_file(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "old");
  const float mat[4] = {1, 2, 3, 4};
  const char *labels[2] = {"a", "b"};
  assert_ok(lm_writer_add_embedding(w, "e", 1, mat, 2, 2, labels, NULL, 0, 0,
                                    0));
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));
  exec_rw(path, "DROP TABLE embedding_columns; DROP TABLE embedding_values");
  w = writer_open(dir, "old");
  const char *header[2] = {"label", "n"};
  const char *meta[4] = {"c", "1", "d", "2"};
  assert_ok(lm_writer_add_embedding_columns(w, "e", 2, mat, 2, 2, header, 2,
                                            meta, NULL, 0, 0, 0));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM embeddings"), ==, 2);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM embedding_values"), ==, 2);
  g_autofree char *first = db_text(
      db, "SELECT label FROM embedding_metadata WHERE embedding_id = 1 AND "
          "i = 1");
  g_assert_cmpstr(first, ==, "b");
  sqlite3_close(db);
  /* purge_step drops a purged step's columns and values with it */
  writer_purge(dir, "old", 2);
  db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM embedding_values"), ==, 0);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM embedding_columns"), ==, 0);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM embeddings"), ==, 1);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/logging/embedding/rows", test_embedding_rows);
  g_test_add_func("/logging/embedding/bad-input", test_embedding_bad_input);
  g_test_add_func("/logging/embedding/old-file", test_embedding_old_file);
  g_test_add_func("/logging/embedding/columns", test_embedding_columns);
  g_test_add_func("/logging/embedding/columns-refused",
                  test_embedding_columns_refused);
  g_test_add_func("/logging/embedding/columns-old-file",
                  test_embedding_columns_old_file);
  return g_test_run();
}
