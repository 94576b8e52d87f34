/* test-idx.c: the IDX reader and the data sets built on it.
 *
 * Small IDX files are generated here (plain and gzipped, every element
 * type), read back and compared; then every way a file can be broken is
 * tried and the message is checked for the file name, what was expected and
 * what was found. Last, the installed Fashion-MNIST (when present) loads
 * with its known shape and first labels.
 */
#include <glib.h>
#include <stdlib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "lumen-train.h"

static char *tmpdir;

static char *tmp_path(const char *name)
{
  return g_build_filename(tmpdir, name, NULL);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
  GError *err = NULL;
  g_assert_true(g_file_set_contents(path, data, (gssize)len, &err));
  g_assert_no_error(err);
}

static void write_gz(const char *path, const void *data, size_t len)
{
  gzFile gz = gzopen(path, "wb");
  g_assert_nonnull(gz);
  g_assert_cmpint(gzwrite(gz, data, (unsigned)len), ==, (int)len);
  g_assert_cmpint(gzclose(gz), ==, Z_OK);
}

/* Reads path expecting failure; checks that the message contains every
 * fragment given (NULL-terminated). */
static void expect_error(lm_idx *(*reader)(const char *, char **), const char *path, ...)
{
  char *err = NULL;
  lm_idx *idx = reader(path, &err);
  g_assert_null(idx);
  g_assert_nonnull(err);
  g_test_message("%s", err);
  g_assert_nonnull(strstr(err, path)); /* the message names the file */
  va_list ap;
  va_start(ap, path);
  for (const char *frag = va_arg(ap, const char *); frag; frag = va_arg(ap, const char *)) {
    if (!strstr(err, frag))
      g_error("message \"%s\" lacks \"%s\"", err, frag);
  }
  va_end(ap);
  g_free(err);
}

static lm_idx *read_plain(const char *path, char **err) { return lm_idx_read(path, err); }

static void test_roundtrip(void)
{
  const int64_t dims[3] = { 5, 3, 4 };
  uint8_t u8[60];
  for (int i = 0; i < 60; i++)
    u8[i] = (uint8_t)(i * 7);
  for (int gz = 0; gz < 2; gz++) {
    char *p = tmp_path(gz ? "rt.gz" : "rt.idx");
    char *err = NULL;
    g_assert_true(lm_idx_write(p, LM_IDX_U8, 3, dims, u8, gz, &err));
    g_assert_null(err);
    /* gzip is detected from the content: check the file really is gzip */
    gchar *raw;
    gsize len;
    g_assert_true(g_file_get_contents(p, &raw, &len, NULL));
    g_assert_cmpint(gz, ==, len >= 2 && (uint8_t)raw[0] == 0x1f && (uint8_t)raw[1] == 0x8b);
    if (!gz) {
      g_assert_cmpuint(len, ==, 16 + 60);
      g_assert_cmpint(raw[2], ==, 0x08);
      g_assert_cmpint(raw[3], ==, 3);
      g_assert_cmpint(raw[7], ==, 5); /* big-endian 5 */
    }
    lm_idx *idx = lm_idx_read(p, &err);
    g_assert_nonnull(idx);
    g_assert_cmpint(idx->type, ==, LM_IDX_U8);
    g_assert_cmpint(idx->ndim, ==, 3);
    g_assert_cmpint(idx->dims[0], ==, 5);
    g_assert_cmpint(idx->dims[2], ==, 4);
    g_assert_cmpint(idx->numel, ==, 60);
    g_assert_cmpmem(idx->data, 60, u8, 60);
    lm_idx_free(idx);
    /* the in-memory parser agrees */
    idx = lm_idx_parse(raw, len, "mem", &err);
    g_assert_nonnull(idx);
    g_assert_cmpmem(idx->data, 60, u8, 60);
    lm_idx_free(idx);
    g_free(raw);
    g_free(p);
  }
}

static void test_types(void)
{
  /* every element type survives a round trip, byte order included */
  const int64_t dims[1] = { 4 };
  int16_t i16[4] = { -300, 2, 30000, -1 };
  int32_t i32[4] = { -70000, 1 << 30, 5, -1 };
  float f32[4] = { 1.5f, -2.25f, 1e-3f, 3e8f };
  double f64[4] = { 1.0 / 3, -1e300, 0, 42 };
  int8_t i8[4] = { -128, 127, 0, -5 };
  struct { lm_idx_type t; const void *d; size_t es; } cases[] = {
    { LM_IDX_I16, i16, 2 }, { LM_IDX_I32, i32, 4 }, { LM_IDX_F32, f32, 4 }, { LM_IDX_F64, f64, 8 },
    { LM_IDX_I8, i8, 1 },
  };
  for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
    char *p = tmp_path("types.idx.gz");
    g_assert_true(lm_idx_write(p, cases[c].t, 1, dims, cases[c].d, true, NULL));
    lm_idx *idx = lm_idx_read(p, NULL);
    g_assert_nonnull(idx);
    g_assert_cmpint(idx->type, ==, cases[c].t);
    g_assert_cmpuint(idx->elem_size, ==, cases[c].es);
    g_assert_cmpmem(idx->data, 4 * cases[c].es, cases[c].d, 4 * cases[c].es);
    lm_idx_free(idx);
    g_free(p);
  }
  lm_idx *idx;
  char *p = tmp_path("f.idx");
  g_assert_true(lm_idx_write(p, LM_IDX_F32, 1, dims, f32, false, NULL));
  idx = lm_idx_read(p, NULL);
  g_assert_cmpfloat(lm_idx_get(idx, 1), ==, -2.25);
  lm_idx_free(idx);
  g_assert_true(lm_idx_write(p, LM_IDX_I16, 1, dims, i16, false, NULL));
  idx = lm_idx_read(p, NULL);
  g_assert_cmpfloat(lm_idx_get(idx, 0), ==, -300);
  lm_idx_free(idx);
  /* read_expect refuses the wrong type and the wrong rank */
  expect_error(read_plain, "/nonexistent/x.idx", "cannot open", NULL);
  char *err = NULL;
  g_assert_null(lm_idx_read_expect(p, LM_IDX_U8, 1, &err));
  g_assert_nonnull(strstr(err, "expected unsigned byte"));
  g_assert_nonnull(strstr(err, "found int16"));
  g_free(err);
  err = NULL;
  g_assert_null(lm_idx_read_expect(p, LM_IDX_I16, 3, &err));
  g_assert_nonnull(strstr(err, "expected 3 dimensions, found 1 (4)"));
  g_free(err);
  g_free(p);
}

static void test_corrupt(void)
{
  uint8_t good[16 + 24];
  const uint8_t hdr[16] = { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4 };
  memcpy(good, hdr, 16);
  memset(good + 16, 9, 24);
  char *p = tmp_path("bad.idx");

  write_bytes(p, "", 0);
  expect_error(read_plain, p, "empty file", NULL);

  write_bytes(p, good, 3);
  expect_error(read_plain, p, "truncated", "expected a 4-byte IDX magic number", "found 3 bytes", NULL);

  /* an HTML error page saved under the data set's name */
  write_bytes(p, "<html>not found</html>", 22);
  expect_error(read_plain, p, "not an IDX file", "bad magic number 0x3c68746d", "expected 0x0000", NULL);

  uint8_t b[40];
  memcpy(b, good, sizeof good);
  b[2] = 0x07; /* unknown type */
  write_bytes(p, b, sizeof good);
  expect_error(read_plain, p, "bad magic number 0x00000703", NULL);
  memcpy(b, good, sizeof good);
  b[3] = 0; /* zero dimensions */
  write_bytes(p, b, sizeof good);
  expect_error(read_plain, p, "not an IDX file", NULL);
  memcpy(b, good, sizeof good);
  b[1] = 1;
  write_bytes(p, b, sizeof good);
  expect_error(read_plain, p, "bad magic number 0x00010803", NULL);

  /* header cut in the middle of the dimensions */
  write_bytes(p, good, 10);
  expect_error(read_plain, p, "truncated", "expected a 16-byte header (3 dimensions)", "found 10 bytes", NULL);

  /* data cut short: plain and gzipped */
  write_bytes(p, good, 30);
  expect_error(read_plain, p, "truncated", "expected 40 bytes (16-byte header + 2x3x4 unsigned byte values)",
               "found 30", NULL);
  char *pg = tmp_path("bad.idx.gz");
  write_gz(pg, good, 30);
  expect_error(read_plain, pg, "truncated", "expected 40 bytes", "found 30", NULL);

  /* longer than the header says (wrong dimensions) */
  uint8_t longer[50];
  memcpy(longer, good, 40);
  memset(longer + 40, 1, 10);
  write_bytes(p, longer, 50);
  expect_error(read_plain, p, "trailing data", "expected 40 bytes", "found more", NULL);
  write_gz(pg, longer, 50);
  expect_error(read_plain, pg, "trailing data", NULL);

  /* a dimension field promising terabytes: refused before allocating */
  uint8_t huge[16] = { 0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 4 };
  write_bytes(p, huge, 16);
  expect_error(read_plain, p, "corrupt header", NULL);
  /* large but plausible size with a short file: truncated, no huge buffer */
  uint8_t big[16] = { 0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28 };
  write_bytes(p, big, 16);
  expect_error(read_plain, p, "truncated", "expected 47040016 bytes", "60000x28x28", "found 16", NULL);

  /* a gzip file cut short (a broken download) */
  write_gz(pg, good, sizeof good);
  gchar *raw;
  gsize len;
  g_assert_true(g_file_get_contents(pg, &raw, &len, NULL));
  write_bytes(pg, raw, len - 12);
  expect_error(read_plain, pg, "gzip", NULL);
  /* the in-memory parser reports it the same way */
  char *err = NULL;
  g_assert_null(lm_idx_parse(raw, len - 12, "mem.gz", &err));
  g_assert_nonnull(strstr(err, "mem.gz"));
  g_assert_nonnull(strstr(err, "gzip"));
  g_free(err);
  /* corrupted bytes inside the gzip stream */
  raw[len / 2] ^= 0x55;
  raw[len / 2 + 1] ^= 0x55;
  write_bytes(pg, raw, len);
  expect_error(read_plain, pg, "gzip", NULL);
  g_free(raw);
  g_free(pg);
  g_free(p);
}

static void write_set(const char *dir, const char *prefix, int n, int h, int w, const int64_t *label_dims,
                      int label_ndim, lm_idx_type label_type, bool gz)
{
  char *pi = g_strdup_printf("%s/%s-images-idx3-ubyte%s", dir, prefix, gz ? ".gz" : "");
  char *pl = g_strdup_printf("%s/%s-labels-idx1-ubyte%s", dir, prefix, gz ? ".gz" : "");
  uint8_t *px = g_malloc0((size_t)n * h * w + 1);
  for (int i = 0; i < n * h * w; i++)
    px[i] = (uint8_t)i;
  g_assert_true(lm_idx_write(pi, LM_IDX_U8, 3, (int64_t[]){ n, h, w }, px, gz, NULL));
  int64_t nl = 1;
  for (int i = 0; i < label_ndim; i++)
    nl *= label_dims[i];
  int32_t *lab = g_malloc0((size_t)nl * 4 + 4);
  uint8_t *lab8 = g_malloc0((size_t)nl + 1);
  for (int64_t i = 0; i < nl; i++) {
    lab[i] = (int32_t)(i % 10);
    lab8[i] = (uint8_t)(i % 10);
  }
  g_assert_true(lm_idx_write(pl, label_type, label_ndim, label_dims,
                             label_type == LM_IDX_U8 ? (void *)lab8 : (void *)lab, gz, NULL));
  g_free(px);
  g_free(lab);
  g_free(lab8);
  g_free(pi);
  g_free(pl);
}

static void expect_dataset_error(const char *dir, const char *split, const char *frag1, const char *frag2)
{
  char *err = NULL;
  g_assert_null(lm_dataset_load_dir(dir, split, &err));
  g_assert_nonnull(err);
  g_test_message("%s", err);
  if (!strstr(err, frag1) || (frag2 && !strstr(err, frag2)))
    g_error("message \"%s\" lacks \"%s\" / \"%s\"", err, frag1, frag2 ? frag2 : "");
  g_free(err);
}

static void test_dataset(void)
{
  char *dir = tmp_path("ds");
  g_mkdir_with_parents(dir, 0755);
  write_set(dir, "train", 12, 4, 5, (int64_t[]){ 12 }, 1, LM_IDX_U8, true);
  write_set(dir, "t10k", 7, 4, 5, (int64_t[]){ 7 }, 1, LM_IDX_I32, false);
  char *err = NULL;
  lm_dataset *tr = lm_dataset_load_dir(dir, "train", &err);
  g_assert_nonnull(tr);
  g_assert_cmpint(lm_dataset_len(tr), ==, 12);
  g_assert_cmpint(lm_dataset_height(tr), ==, 4);
  g_assert_cmpint(lm_dataset_width(tr), ==, 5);
  g_assert_cmpint(lm_dataset_channels(tr), ==, 1);
  g_assert_cmpint(lm_dataset_num_classes(tr), ==, 10);
  g_assert_cmpint(lm_dataset_label(tr, 11), ==, 1);
  g_assert_cmpint(lm_dataset_image(tr, 2)[3], ==, (uint8_t)(2 * 20 + 3));
  lm_dataset *te = lm_dataset_load_dir(dir, "test", &err);
  g_assert_nonnull(te);
  g_assert_cmpint(lm_dataset_len(te), ==, 7);
  g_assert_cmpint(lm_dataset_label(te, 6), ==, 6);
  lm_dataset_release(te);

  /* views share pixels and count from their start */
  lm_dataset *s = lm_dataset_slice(tr, 3, 100);
  g_assert_cmpint(lm_dataset_len(s), ==, 9);
  g_assert_true(lm_dataset_image(s, 0) == lm_dataset_image(tr, 3));
  g_assert_cmpint(lm_dataset_label(s, 0), ==, 3);
  lm_dataset *a, *b;
  lm_dataset_split(tr, 0.25, &a, &b); /* Keras: the last 25% */
  g_assert_cmpint(lm_dataset_len(a), ==, 9);
  g_assert_cmpint(lm_dataset_len(b), ==, 3);
  g_assert_cmpint(lm_dataset_label(b, 0), ==, 9);
  lm_dataset_release(tr); /* views keep the storage alive */
  g_assert_cmpint(lm_dataset_label(s, 8), ==, 1);
  lm_dataset_release(s);
  lm_dataset_release(a);
  lm_dataset_release(b);
  tr = lm_dataset_load_dir(dir, "train", NULL);
  lm_dataset_split(tr, 0.0, &a, &b);
  g_assert_null(b);
  g_assert_cmpint(lm_dataset_len(a), ==, 12);
  lm_dataset_release(a);
  lm_dataset_release(tr);

  /* mismatched and misplaced files */
  char *bad = tmp_path("bad-ds");
  g_mkdir_with_parents(bad, 0755);
  write_set(bad, "train", 12, 4, 5, (int64_t[]){ 11 }, 1, LM_IDX_U8, true);
  expect_dataset_error(bad, "train", "12 images but 11 labels", "train-images-idx3-ubyte.gz");
  write_set(bad, "train", 12, 4, 5, (int64_t[]){ 12, 2 }, 2, LM_IDX_U8, true);
  expect_dataset_error(bad, "train", "wrong dimensions for labels: expected 1 (N), found 2", "train-labels");
  /* labels file given as images */
  char *pi = g_strdup_printf("%s/train-images-idx3-ubyte.gz", bad);
  char *pl = g_strdup_printf("%s/train-labels-idx1-ubyte.gz", bad);
  g_assert_true(lm_idx_write(pl, LM_IDX_U8, 1, (int64_t[]){ 12 }, "abcdefghijkl", true, NULL));
  g_assert_true(lm_idx_write(pi, LM_IDX_U8, 1, (int64_t[]){ 12 }, "abcdefghijkl", true, NULL));
  expect_dataset_error(bad, "train", "wrong dimensions for images", "is this a labels file?");
  float fl[12] = { 0 };
  write_set(bad, "train", 12, 4, 5, (int64_t[]){ 12 }, 1, LM_IDX_U8, true);
  g_assert_true(lm_idx_write(pl, LM_IDX_F32, 1, (int64_t[]){ 12 }, fl, true, NULL));
  expect_dataset_error(bad, "train", "wrong element type for labels", "float32");
  int32_t neg[12] = { 0, 1, -4 };
  g_assert_true(lm_idx_write(pl, LM_IDX_I32, 1, (int64_t[]){ 12 }, neg, true, NULL));
  expect_dataset_error(bad, "train", "label 2 is -4", "expected a class index");
  expect_dataset_error(bad, "test", "no test set found", "t10k-images-idx3-ubyte.gz");
  expect_dataset_error("/nonexistent-dir", "train", "/nonexistent-dir: no such data directory", NULL);
  expect_dataset_error(bad, "validation", "unknown data set split 'validation'", NULL);
  g_free(pi);
  g_free(pl);
  g_free(bad);
  g_free(dir);
}

static void test_fashion_mnist(void)
{
  if (!g_file_test(LM_FASHION_MNIST_DIR, G_FILE_TEST_IS_DIR)) {
    g_test_skip("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)");
    return;
  }
  char *err = NULL;
  lm_dataset *te = lm_dataset_load_dir(NULL, "test", &err);
  g_assert_nonnull(te);
  g_assert_cmpint(lm_dataset_len(te), ==, 10000);
  g_assert_cmpint(lm_dataset_height(te), ==, 28);
  g_assert_cmpint(lm_dataset_num_classes(te), ==, 10);
  /* the first test labels of Fashion-MNIST: ankle boot, pullover, trouser, trouser, shirt */
  int64_t want[5] = { 9, 2, 1, 1, 6 };
  for (int i = 0; i < 5; i++)
    g_assert_cmpint(lm_dataset_label(te, i), ==, want[i]);
  g_assert_cmpstr(lm_fashion_mnist_classes[9], ==, "Ankle boot");
  lm_dataset_release(te);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp("lumen-test-idx-XXXXXX", NULL);
  g_test_add_func("/train/idx/roundtrip", test_roundtrip);
  g_test_add_func("/train/idx/types", test_types);
  g_test_add_func("/train/idx/corrupt", test_corrupt);
  g_test_add_func("/train/dataset/load", test_dataset);
  g_test_add_func("/train/dataset/fashion-mnist", test_fashion_mnist);
  int rc = g_test_run();
  char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
  if (system(cmd) != 0)
    g_printerr("could not remove %s\n", tmpdir);
  g_free(cmd);
  g_free(tmpdir);
  return rc;
}
