/* test-log-boxes.c: images with boxes (lm_writer_add_image_with_boxes,
 * _f32): the image stored untouched, the boxes as JSON in the `boxes`
 * column, an older file getting the column, and bad input refused by name
 * with nothing logged. */
#include <math.h>
#include <png.h>

#include "log-test-util.h"

/* The png of the images row logged under `tag`, decoded as RGB (g_free). */
static guint8 *decoded_rgb(sqlite3 *db, const char *tag, int *width, int *height) {
  char *sql = g_strdup_printf("SELECT png FROM images x JOIN tags t ON t.id = "
                              "x.tag_id WHERE t.name = '%s'",
                              tag);
  sqlite3_stmt *st = db_query(db, sql);
  g_free(sql);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  g_assert_true(png_image_begin_read_from_memory(&img, sqlite3_column_blob(st, 0),
                                                 (size_t)sqlite3_column_bytes(st, 0)));
  img.format = PNG_FORMAT_RGB;
  guint8 *buf = g_malloc(PNG_IMAGE_SIZE(img));
  g_assert_true(png_image_finish_read(&img, NULL, buf, 0, NULL));
  sqlite3_finalize(st);
  *width = (int)img.width;
  *height = (int)img.height;
  return buf;
}

static char *boxes_of(sqlite3 *db, const char *tag) {
  return db_text(db,
                 "SELECT boxes FROM images x JOIN tags t ON t.id = x.tag_id "
                 "WHERE t.name = '%s'",
                 tag);
}

static void test_rows(void) {
  enum { W = 6, H = 4 };
  guint8 px[W * H * 3];
  for (int i = 0; i < W * H * 3; i++)
    px[i] = (guint8)(i * 7);
  /* a box inside, one partly outside, one with its corners swapped, one
   * wholly outside; fractional pixels kept as given */
  const float boxes[] = {1, 1, 4, 3, -2, 0.5f, 10, 2.25f, 5, 3, 1, 0, 100, 100, 120, 130};
  const char *labels[] = {"cat 0.97", NULL, "", "dog \"x\"\n"};
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "boxes");
  assert_ok(lm_writer_add_image_with_boxes(w, "det", 3, px, W, H, 3, boxes, 4, labels));
  assert_ok(lm_writer_add_image_with_boxes(w, "nolabels", 3, px, W, H, 3, boxes, 1, NULL));
  assert_ok(lm_writer_add_image_with_boxes(w, "none", 3, px, W, H, 3, NULL, 0, NULL));
  assert_ok(lm_writer_add_image(w, "plain", 3, px, W, H, 3));
  /* float CHW in [0, 1]: channel c of pixel i is px[i * 3 + c] */
  float chw[3 * W * H];
  for (int c = 0; c < 3; c++)
    for (int i = 0; i < W * H; i++)
      chw[c * W * H + i] = (px[i * 3 + c] + 0.5f) / 255.0f;
  assert_ok(lm_writer_add_image_with_boxes_f32(w, "f32", 4, chw, W, H, 3, LM_CHW, boxes + 4, 1,
                                               labels + 1));
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));

  sqlite3 *db = db_open_ro(path);
  char *j = boxes_of(db, "det");
  g_assert_cmpstr(j, ==,
                  "[[1,1,4,3,\"cat 0.97\"],[-2,0.5,10,2.25],[5,3,1,0,\"\"],"
                  "[100,100,120,130,\"dog \\\"x\\\"\\u000a\"]]");
  g_free(j);
  j = boxes_of(db, "nolabels");
  g_assert_cmpstr(j, ==, "[[1,1,4,3]]");
  g_free(j);
  j = boxes_of(db, "none");
  g_assert_cmpstr(j, ==, "[]");
  g_free(j);
  j = boxes_of(db, "f32");
  g_assert_cmpstr(j, ==, "[[-2,0.5,10,2.25]]");
  g_free(j);
  g_assert_cmpint(db_int(db, "SELECT boxes IS NULL FROM images x JOIN tags t ON t.id = "
                             "x.tag_id WHERE t.name = 'plain'"),
                  ==, 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM images WHERE width = %d AND height = %d "
                             "AND channels = 3 AND grid IS NULL AND frames IS NULL",
                         W, H),
                  ==, 5);
  /* the pixels are stored untouched: no box burned in */
  const char *tags[] = {"det", "f32"};
  for (int k = 0; k < 2; k++) {
    int dw, dh;
    guint8 *dec = decoded_rgb(db, tags[k], &dw, &dh);
    g_assert_cmpint(dw, ==, W);
    g_assert_cmpint(dh, ==, H);
    g_assert_cmpmem(dec, sizeof px, px, sizeof px);
    g_free(dec);
  }
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* Coordinates keep every float exactly (%.9g). */
static void test_exact_numbers(void) {
  guint8 px[4 * 4] = {0};
  const float boxes[] = {0.1f, 1e-7f, 3.4028235e38f, -16777217.0f};
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "exact");
  assert_ok(lm_writer_add_image_with_boxes(w, "x", 0, px, 4, 4, 1, boxes, 1, NULL));
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  char *j = boxes_of(db, "x");
  g_assert_cmpstr(j, ==, "[[0.100000001,1.00000001e-07,3.40282347e+38,-16777216]]");
  float back[4];
  g_assert_cmpint(sscanf(j, "[[%g,%g,%g,%g]]", &back[0], &back[1], &back[2], &back[3]), ==, 4);
  for (int i = 0; i < 3; i++)
    g_assert_cmpfloat(back[i], ==, boxes[i]);
  g_free(j);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

static void test_old_file(void) {
  char *dir = tmpdir_new();
  char *path = old_run_file(dir, "old", "ALTER TABLE images DROP COLUMN boxes");
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM pragma_table_info('images') "
                             "WHERE name = 'boxes'"),
                  ==, 0);
  sqlite3_close(db);
  guint8 px[3 * 3] = {0};
  const float box[] = {0, 0, 2, 2};
  lm_writer *w = writer_open(dir, "old");
  assert_ok(lm_writer_add_image_with_boxes(w, "b", 1, px, 3, 3, 1, box, 1, NULL));
  assert_ok(lm_writer_close(w));
  db = db_open_ro(path);
  char *j = db_text(db, "SELECT boxes FROM images WHERE step = 1");
  g_assert_cmpstr(j, ==, "[[0,0,2,2]]");
  g_free(j);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

static void test_bad_input(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "bad");
  guint8 px[4 * 4 * 3] = {0};
  float fpx[4 * 4 * 3] = {0};
  const float ok[] = {0, 0, 2, 2, 1, 1, 3, 3};
  const char *labels[] = {"a", "b"};
  assert_fails(lm_writer_add_image_with_boxes(NULL, "b", 0, px, 4, 4, 3, ok, 1, NULL),
               LM_ERR_INVALID_ARG, "writer is NULL");
  assert_fails(lm_writer_add_image_with_boxes(w, "b", 0, NULL, 4, 4, 3, ok, 1, NULL),
               LM_ERR_INVALID_ARG, "image 'b': pixels is NULL");
  assert_fails(lm_writer_add_image_with_boxes(w, "b", 0, px, 4, 4, 3, ok, -1, NULL),
               LM_ERR_INVALID_ARG, "image with boxes 'b': n_boxes is -1, must be >= 0");
  assert_fails(lm_writer_add_image_with_boxes(w, "b", 0, px, 4, 4, 3, NULL, 2, NULL),
               LM_ERR_INVALID_ARG, "image with boxes 'b': boxes is NULL with n_boxes 2");
  const float nan_box[] = {0, 0, 2, 2, 1, NAN, 3, 3};
  assert_fails(lm_writer_add_image_with_boxes(w, "b", 0, px, 4, 4, 3, nan_box, 2, NULL),
               LM_ERR_INVALID_ARG, "image with boxes 'b': box 1's ymin is nan, must be finite");
  const float inf_box[] = {0, 0, INFINITY, 2};
  assert_fails(lm_writer_add_image_with_boxes(w, "b", 0, px, 4, 4, 3, inf_box, 1, NULL),
               LM_ERR_INVALID_ARG, "box 0's xmax is inf");
  const float ninf_box[] = {0, 0, 2, -INFINITY};
  assert_fails(lm_writer_add_image_with_boxes_f32(w, "b", 0, fpx, 4, 4, 3, LM_CHW, ninf_box, 1,
                                                  NULL),
               LM_ERR_INVALID_ARG, "box 0's ymax is -inf");
  const char *bad_labels[] = {"ok", "caf\xe9"};
  assert_fails(lm_writer_add_image_with_boxes(w, "b", 0, px, 4, 4, 3, ok, 2, bad_labels),
               LM_ERR_UTF8,
               "image with boxes 'b': labels[1] is not valid UTF-8 (bad byte 0xe9 at offset 3)");
  assert_fails(lm_writer_add_image_with_boxes(w, "b", 0, px, 4, 4, 2, ok, 2, labels),
               LM_ERR_INVALID_ARG, "image 'b': channels is 2");
  assert_fails(lm_writer_add_image_with_boxes_f32(w, "b", 0, fpx, 4, 4, 3, (lm_image_layout)9,
                                                  ok, 2, labels),
               LM_ERR_INVALID_ARG, "image 'b': layout 9 is neither LM_HWC nor LM_CHW");
  g_assert_cmpint(writer_close_count(w, "images"), ==, 0);
  tmpdir_free(dir);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/logging/boxes/rows", test_rows);
  g_test_add_func("/logging/boxes/exact-numbers", test_exact_numbers);
  g_test_add_func("/logging/boxes/old-file", test_old_file);
  g_test_add_func("/logging/boxes/bad-input", test_bad_input);
  return g_test_run();
}
