/* test-log-image-png.c: lm_writer_add_image_png, a PNG the caller already
 * has stored byte for byte: the row's bytes, size, channels (grey, RGB,
 * palette, alpha, tRNS, 16-bit, interlaced) and caption; a damaged,
 * truncated, animated or non-PNG file refused by name with nothing
 * logged; a huge one refused by its header. */
#include <png.h>
#include <zlib.h>

#include "lm-apng.h"
#include "log-test-util.h"

typedef struct {
  unsigned char *buf;
  size_t len;
} sink;

static void sink_write(png_structp png, png_bytep data, size_t n) {
  sink *s = png_get_io_ptr(png);
  s->buf = g_realloc(s->buf, s->len + n);
  memcpy(s->buf + s->len, data, n);
  s->len += n;
}

static void sink_flush(png_structp png) { (void)png; }

/* A width x height PNG written by libpng's full API: colour type, bit
 * depth, interlace as given (a palette of 4 colours, tRNS when `trns`),
 * samples a gradient.  g_free the buffer. */
static unsigned char *make_png(int width, int height, int color, int depth,
                               int interlace, gboolean trns, size_t *len) {
  sink s = {0};
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct(png);
  g_assert_nonnull(info);
  g_assert_cmpint(setjmp(png_jmpbuf(png)), ==, 0);
  png_set_write_fn(png, &s, sink_write, sink_flush);
  png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, depth,
               color, interlace, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (color == PNG_COLOR_TYPE_PALETTE) {
    png_color pal[4] = {{0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
    png_set_PLTE(png, info, pal, 4);
  }
  if (trns) {
    png_byte alpha[4] = {0, 128, 255, 255};
    png_color_16 grey = {0};
    if (color == PNG_COLOR_TYPE_PALETTE)
      png_set_tRNS(png, info, alpha, 4, NULL);
    else
      png_set_tRNS(png, info, NULL, 0, &grey);
  }
  png_write_info(png, info);
  size_t rowbytes = png_get_rowbytes(png, info);
  guint8 *image = g_malloc0(rowbytes * (size_t)height);
  png_bytep *rows = g_new(png_bytep, height);
  for (int y = 0; y < height; y++) {
    rows[y] = image + (size_t)y * rowbytes;
    for (size_t i = 0; i < rowbytes; i++)
      rows[y][i] = color == PNG_COLOR_TYPE_PALETTE
                       ? (guint8)((i + (size_t)y) & (depth == 8 ? 3 : 0x1b))
                       : (guint8)(i * 7 + (size_t)y * 3);
  }
  png_write_image(png, rows);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  g_free(rows);
  g_free(image);
  *len = s.len;
  return s.buf;
}

static lm_writer *open_writer(const char *dir, size_t max_image_bytes) {
  lm_writer_options o;
  lm_writer_options_init(&o);
  o.logdir = dir;
  o.run_name = "run";
  o.quiet = TRUE;
  o.max_image_bytes = max_image_bytes;
  lm_writer *w = NULL;
  g_assert_cmpint(lm_writer_open_with(&w, &o), ==, LM_OK);
  return w;
}

typedef struct {
  const char *tag;
  int color, depth, interlace;
  gboolean trns;
  int channels; /* as stored */
} png_case;

static const png_case cases[] = {
    {"grey", PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, FALSE, 1},
    {"grey-trns", PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, TRUE, 4},
    {"grey-alpha", PNG_COLOR_TYPE_GRAY_ALPHA, 8, PNG_INTERLACE_NONE, FALSE, 4},
    {"rgb", PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, FALSE, 3},
    {"rgb16", PNG_COLOR_TYPE_RGB, 16, PNG_INTERLACE_NONE, FALSE, 3},
    {"rgba-interlaced", PNG_COLOR_TYPE_RGBA, 8, PNG_INTERLACE_ADAM7, FALSE, 4},
    {"palette", PNG_COLOR_TYPE_PALETTE, 8, PNG_INTERLACE_NONE, FALSE, 3},
    {"palette-trns", PNG_COLOR_TYPE_PALETTE, 2, PNG_INTERLACE_NONE, TRUE, 4},
};

/* Every kind of still PNG is stored as given, with its size and the
 * channels it decodes to. */
static void test_stored(void) {
  char *dir = tmpdir_new();
  lm_writer *w = open_writer(dir, 0);
  unsigned char *pngs[G_N_ELEMENTS(cases)];
  size_t lens[G_N_ELEMENTS(cases)];
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    const png_case *c = &cases[i];
    pngs[i] = make_png(37, 21, c->color, c->depth, c->interlace, c->trns,
                       &lens[i]);
    g_assert_cmpint(lm_writer_add_image_png(w, c->tag, (int64_t)i, pngs[i],
                                            lens[i],
                                            i == 3 ? "a *figure*" : NULL),
                    ==, LM_OK);
  }
  lm_writer_close(w);

  char *path = g_build_filename(dir, "run", "run.lumen", NULL);
  sqlite3 *db = db_open_ro(path);
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    const png_case *c = &cases[i];
    char *sql = g_strdup_printf(
        "SELECT png, width, height, channels, caption, step, frames FROM "
        "images x JOIN tags t ON t.id = x.tag_id WHERE t.name = '%s' AND "
        "t.kind = 'image'",
        c->tag);
    sqlite3_stmt *st = db_query(db, sql);
    g_free(sql);
    g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
    g_assert_cmpmem(sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0),
                    pngs[i], lens[i]);
    g_assert_cmpint(sqlite3_column_int(st, 1), ==, 37);
    g_assert_cmpint(sqlite3_column_int(st, 2), ==, 21);
    g_assert_cmpint(sqlite3_column_int(st, 3), ==, c->channels);
    g_assert_cmpstr((const char *)sqlite3_column_text(st, 4), ==,
                    i == 3 ? "a *figure*" : NULL);
    g_assert_cmpint(sqlite3_column_int(st, 5), ==, (int)i);
    g_assert_cmpint(sqlite3_column_type(st, 6), ==, SQLITE_NULL); /* a still */
    sqlite3_finalize(st);
    g_free(pngs[i]);
  }
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* The offset of the first chunk of `type` in a PNG. */
static size_t chunk_at(const unsigned char *b, size_t len, const char *type) {
  size_t pos = 8;
  while (pos + 12 <= len) {
    if (memcmp(b + pos + 4, type, 4) == 0)
      return pos;
    pos += 12 + lm_png_get_u32(b + pos);
  }
  g_assert_not_reached();
}

static void expect_refused(lm_writer *w, const void *png, size_t len,
                           int code, const char *message) {
  g_assert_cmpint(lm_writer_add_image_png(w, "bad", 0, png, len, NULL), ==,
                  code);
  g_assert_cmpstr(lm_log_last_error(), ==, message);
}

/* Each kind of bad file is refused naming what is wrong, and nothing of
 * it reaches the run file. */
static void test_refused(void) {
  char *dir = tmpdir_new();
  lm_writer *w = open_writer(dir, 4096);
  size_t len;
  unsigned char *png = make_png(16, 8, PNG_COLOR_TYPE_RGB, 8,
                                PNG_INTERLACE_NONE, FALSE, &len);
  unsigned char *bad = g_memdup2(png, len);
  size_t idat = chunk_at(png, len, "IDAT");
  guint32 idat_len = lm_png_get_u32(png + idat);

  g_assert_cmpint(lm_writer_add_image_png(NULL, "t", 0, png, len, NULL), ==,
                  LM_ERR_INVALID_ARG);
  expect_refused(w, NULL, len, LM_ERR_INVALID_ARG,
                 "image 'bad': png is NULL");
  expect_refused(w, "GIF89a....", 10, LM_ERR_INVALID_ARG,
                 "image 'bad': not a PNG file (10 bytes, no PNG signature)");
  g_assert_cmpint(lm_writer_add_image_png(w, "", 0, png, len, NULL), ==,
                  LM_ERR_INVALID_ARG);
  g_assert_cmpstr(lm_log_last_error(), ==, "tag is empty");

  /* a flipped bit in the image data: the chunk's CRC no longer matches */
  bad[idat + 8 + idat_len / 2] ^= 0x10;
  g_assert_cmpint(lm_writer_add_image_png(w, "bad", 0, bad, len, NULL), ==,
                  LM_ERR_INVALID_ARG);
  g_assert_nonnull(strstr(lm_log_last_error(), "image 'bad': invalid PNG: "));
  g_assert_nonnull(strstr(lm_log_last_error(), "CRC"));

  /* the same with the CRC made right: the data no longer inflates, which
   * only decoding finds */
  guint32 crc = (guint32)crc32(crc32(0, bad + idat + 4, 4), bad + idat + 8,
                               idat_len);
  lm_png_put_u32(bad + idat + 8 + idat_len, crc);
  g_assert_cmpint(lm_writer_add_image_png(w, "bad", 0, bad, len, NULL), ==,
                  LM_ERR_INVALID_ARG);
  g_assert_true(g_str_has_prefix(lm_log_last_error(),
                                 "image 'bad': invalid PNG: "));
  g_assert_null(strstr(lm_log_last_error(), "CRC"));

  /* cut before IEND */
  {
    char *want = g_strdup_printf("image 'bad': invalid PNG: no IEND chunk "
                                 "(truncated after byte %zu)",
                                 len - 12);
    expect_refused(w, png, len - 12, LM_ERR_INVALID_ARG, want);
    g_free(want);
  }

  /* an acTL after IHDR: an animated PNG */
  {
    unsigned char actl[8] = {0, 0, 0, 1, 0, 0, 0, 0};
    GByteArray *a = g_byte_array_new();
    g_byte_array_append(a, png, 33);
    g_byte_array_set_size(a, 33 + 20);
    lm_png_put_chunk(a->data + 33, "acTL", NULL, actl, 8);
    g_byte_array_append(a, png + 33, (guint)(len - 33));
    expect_refused(w, a->data, a->len, LM_ERR_INVALID_ARG,
                   "image 'bad': invalid PNG: an animated PNG (acTL chunk); "
                   "store it with lm_writer_add_video_png");
    g_byte_array_unref(a);
  }

  /* over max_image_bytes (4096): 64x32x3 is 6144 */
  {
    size_t big_len;
    unsigned char *big = make_png(64, 32, PNG_COLOR_TYPE_RGB, 8,
                                  PNG_INTERLACE_NONE, FALSE, &big_len);
    expect_refused(w, big, big_len, LM_ERR_TOO_LARGE,
                   "image 'bad' is 64x32x3, over the cap of 4096 bytes "
                   "(lm_writer_options.max_image_bytes)");
    g_free(big);
  }
  g_assert_cmpint(lm_writer_add_image_png(w, "good", 3, png, len, NULL), ==,
                  LM_OK);
  lm_writer_close(w);

  char *path = g_build_filename(dir, "run", "run.lumen", NULL);
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT COUNT(*) FROM images"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT COUNT(*) FROM tags WHERE name = 'bad'"),
                  ==, 0);
  sqlite3_close(db);
  g_free(path);
  g_free(bad);
  g_free(png);
  tmpdir_free(dir);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/log/image-png/stored", test_stored);
  g_test_add_func("/log/image-png/refused", test_refused);
  return g_test_run();
}
