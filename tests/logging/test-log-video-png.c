/* test-log-video-png.c: lm_writer_add_video_png, an animated PNG the
 * caller already has stored byte for byte as a video: the row's bytes,
 * canvas, channels (RGBA, RGB, grey), frames and fps (the frames over
 * their total time; den/num when every delay is the same), a default
 * image that is no frame; each kind of damaged APNG (a bad CRC, an fdAT
 * out of sequence, a frame outside the canvas, a wrong acTL count, data
 * that does not inflate, an unknown dispose_op, every truncation) and a
 * still PNG refused by name with nothing logged; one over
 * max_video_bytes refused by its header before its data is read. */
#include <png.h>

#include "lm-apng.h"
#include "log-test-util.h"

typedef struct {
  guint32 w, h, x, y;
  guint8 dispose, blend;
  guint16 num, den;
} test_frame;

static void add_chunk(GByteArray *out, const char *type, const guint8 *prefix,
                      const guint8 *data, gsize len) {
  guint old = out->len;
  g_byte_array_set_size(out, old + (guint)len + 12 + (prefix ? 4 : 0));
  lm_png_put_chunk(out->data + old, type, prefix, data, len);
}

/* Frame i's pixels: a pattern of its index, `channels` a pixel. */
static guint8 *frame_pixels(const test_frame *f, int i, int channels) {
  gsize n = (gsize)f->w * f->h * (gsize)channels;
  guint8 *p = g_malloc(n);
  for (gsize k = 0; k < n; k++)
    p[k] = (guint8)(k * 13 + (gsize)i * 40 + (k % 4 == 3 ? 128 : 0));
  return p;
}

/* The IDAT payload of one frame, encoded by libpng's simplified writer
 * (format PNG_FORMAT_GRAY, _RGB or _RGBA). */
static GByteArray *frame_data(const test_frame *f, int i, guint32 format) {
  png_image img = {.version = PNG_IMAGE_VERSION, .width = f->w,
                   .height = f->h, .format = format};
  png_alloc_size_t size = 0;
  guint8 *px = frame_pixels(f, i, (int)PNG_IMAGE_PIXEL_CHANNELS(format));
  g_assert_true(png_image_write_to_memory(&img, NULL, &size, 0, px, 0, NULL));
  guint8 *png = g_malloc(size);
  g_assert_true(png_image_write_to_memory(&img, png, &size, 0, px, 0, NULL));
  GByteArray *data = g_byte_array_new();
  gsize pos = 8;
  lm_png_chunk c;
  char err[100];
  while (lm_png_next_chunk(png, size, &pos, &c, err, sizeof err) == 1)
    if (!strcmp(c.type, "IDAT"))
      g_byte_array_append(data, c.data, c.len);
  g_free(png);
  g_free(px);
  return data;
}

/* An APNG of n frames on a cw x ch canvas, acTL saying actl_frames.
 * Frame 0 is the default image (IDAT), unless `hidden` puts a default
 * image of its own before the first fcTL; the others are fdAT, each
 * frame's data split in two chunks to check that they are joined. */
static GByteArray *build_apng(guint32 cw, guint32 ch, const test_frame *frames,
                              int n, guint32 actl_frames, guint32 format,
                              gboolean hidden) {
  GByteArray *out = g_byte_array_new();
  guint32 seq = 0;
  guint8 actl[8], ihdr[13] = {0};
  g_byte_array_append(out, (const guint8 *)LM_PNG_SIGNATURE, 8);
  lm_png_put_u32(ihdr, cw);
  lm_png_put_u32(ihdr + 4, ch);
  ihdr[8] = 8;
  ihdr[9] = format == PNG_FORMAT_GRAY ? 0 : format == PNG_FORMAT_RGB ? 2 : 6;
  add_chunk(out, "IHDR", NULL, ihdr, 13);
  lm_png_put_u32(actl, actl_frames);
  lm_png_put_u32(actl + 4, 0);
  add_chunk(out, "acTL", NULL, actl, 8);
  if (hidden) {
    test_frame whole = {cw, ch, 0, 0, 0, 0, 1, 1};
    GByteArray *d = frame_data(&whole, 9, format);
    add_chunk(out, "IDAT", NULL, d->data, d->len);
    g_byte_array_unref(d);
  }
  for (int i = 0; i < n; i++) {
    const test_frame *f = &frames[i];
    guint8 fctl[26];
    lm_apng_fctl fc = {seq++, f->w, f->h, f->x, f->y,
                       f->num, f->den, f->dispose, f->blend};
    lm_apng_write_fctl(fctl, &fc);
    add_chunk(out, "fcTL", NULL, fctl, 26);
    GByteArray *d = frame_data(f, i, format);
    guint half = d->len / 2;
    for (int part = 0; part < 2; part++) {
      const guint8 *p = d->data + (part ? half : 0);
      guint len = part ? d->len - half : half;
      guint8 s[4];
      if (i == 0 && !hidden) {
        add_chunk(out, "IDAT", NULL, p, len);
        continue;
      }
      lm_png_put_u32(s, seq++);
      add_chunk(out, "fdAT", s, p, len);
    }
    g_byte_array_unref(d);
  }
  add_chunk(out, "IEND", NULL, NULL, 0);
  return out;
}

/* Delays 1/10, 2/100 (den 0), 3/4, 1/1 s; offsets, blend OVER, dispose
 * BACKGROUND and PREVIOUS, as tests/data/test-video.c composes them. */
static const test_frame varied[4] = {
    {4, 2, 0, 0, LM_APNG_DISPOSE_NONE, LM_APNG_BLEND_SOURCE, 1, 10},
    {2, 1, 1, 1, LM_APNG_DISPOSE_BACKGROUND, LM_APNG_BLEND_OVER, 2, 0},
    {1, 1, 3, 0, LM_APNG_DISPOSE_PREVIOUS, LM_APNG_BLEND_SOURCE, 3, 4},
    {1, 1, 0, 0, LM_APNG_DISPOSE_NONE, LM_APNG_BLEND_OVER, 1, 1},
};
/* 29.97 fps as lumen-log writes it, and frames of no delay */
static const test_frame ntsc[3] = {
    {5, 3, 0, 0, 0, 0, 100, 2997},
    {5, 3, 0, 0, 0, 0, 100, 2997},
    {5, 3, 0, 0, 0, 0, 100, 2997},
};
static const test_frame instant[2] = {
    {5, 3, 0, 0, 0, 0, 0, 7},
    {5, 3, 0, 0, 0, 0, 0, 0},
};

typedef struct {
  const char *tag;
  const test_frame *frames;
  int n, width, height;
  guint32 format;
  gboolean hidden;
  int channels;
  double fps;
} video_case;

static const video_case cases[] = {
    /* 4 frames in 0.1 + 0.02 + 0.75 + 1 s */
    {"varied", varied, 4, 4, 2, PNG_FORMAT_RGBA, FALSE, 4, 4 / 1.87},
    {"ntsc", ntsc, 3, 5, 3, PNG_FORMAT_RGB, FALSE, 3, 29.97},
    /* a delay of 0 counts as 1/1000 s, add_video's fastest */
    {"instant", instant, 2, 5, 3, PNG_FORMAT_GRAY, FALSE, 1, 1000},
    {"hidden", ntsc, 2, 5, 3, PNG_FORMAT_RGBA, TRUE, 4, 29.97},
};

static lm_writer *open_writer(const char *dir, size_t max_video_bytes) {
  lm_writer_options o;
  lm_writer_options_init(&o);
  o.logdir = dir;
  o.run_name = "run";
  o.quiet = TRUE;
  o.max_video_bytes = max_video_bytes;
  lm_writer *w = NULL;
  g_assert_cmpint(lm_writer_open_with(&w, &o), ==, LM_OK);
  return w;
}

/* Each APNG is stored as given, with its canvas, the channels its frames
 * decode to, its frames and their rate. */
static void test_stored(void) {
  char *dir = tmpdir_new();
  lm_writer *w = open_writer(dir, 0);
  GByteArray *apngs[G_N_ELEMENTS(cases)];
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    const video_case *c = &cases[i];
    apngs[i] = build_apng((guint32)c->width, (guint32)c->height, c->frames,
                          c->n, (guint32)c->n, c->format, c->hidden);
    assert_ok(lm_writer_add_video_png(w, c->tag, 10 + (int64_t)i,
                                      apngs[i]->data, apngs[i]->len));
  }
  lm_writer_close(w);

  char *path = g_build_filename(dir, "run", "run.lumen", NULL);
  sqlite3 *db = db_open_ro(path);
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    const video_case *c = &cases[i];
    char *sql = g_strdup_printf(
        "SELECT png, width, height, channels, step, frames, fps, caption "
        "FROM images x JOIN tags t ON t.id = x.tag_id WHERE t.name = '%s' "
        "AND t.kind = 'image'",
        c->tag);
    sqlite3_stmt *st = db_query(db, sql);
    g_free(sql);
    g_test_message("%s", c->tag);
    g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
    g_assert_cmpmem(sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0),
                    apngs[i]->data, apngs[i]->len);
    g_assert_cmpint(sqlite3_column_int(st, 1), ==, c->width);
    g_assert_cmpint(sqlite3_column_int(st, 2), ==, c->height);
    g_assert_cmpint(sqlite3_column_int(st, 3), ==, c->channels);
    g_assert_cmpint(sqlite3_column_int(st, 4), ==, 10 + (int)i);
    g_assert_cmpint(sqlite3_column_int(st, 5), ==, c->n);
    g_assert_cmpfloat_with_epsilon(sqlite3_column_double(st, 6), c->fps,
                                   1e-12);
    g_assert_cmpint(sqlite3_column_type(st, 7), ==, SQLITE_NULL);
    g_assert_cmpint(sqlite3_step(st), ==, SQLITE_DONE);
    sqlite3_finalize(st);
    g_byte_array_unref(apngs[i]);
  }
  /* 29.97 exactly, as lm_writer_add_video stores it */
  g_assert_cmpfloat(db_double(db, "SELECT fps FROM images WHERE step = 11"),
                    ==, 29.97);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* The offset of the `nth` (from 0) chunk of `type`. */
static gsize find_chunk(const GByteArray *a, const char *type, int nth) {
  gsize pos = 8;
  while (pos + 12 <= a->len) {
    if (memcmp(a->data + pos + 4, type, 4) == 0 && nth-- == 0)
      return pos;
    pos += 12 + lm_png_get_u32(a->data + pos);
  }
  g_assert_not_reached();
}

/* After changing a chunk's data: its CRC made right again. */
static void fix_crc(GByteArray *a, gsize at) {
  guint32 n = lm_png_get_u32(a->data + at);
  char type[5] = {0};
  memcpy(type, a->data + at + 4, 4);
  lm_png_put_u32(a->data + at + 8 + n,
                 lm_png_chunk_crc(type, a->data + at + 8, n));
}

static GByteArray *copy_of(const GByteArray *a) {
  GByteArray *b = g_byte_array_new();
  g_byte_array_append(b, a->data, a->len);
  return b;
}

static void expect_refused(lm_writer *w, const void *apng, size_t len,
                           int code, const char *message) {
  g_assert_cmpint(lm_writer_add_video_png(w, "bad", 0, apng, len), ==, code);
  g_assert_cmpstr(lm_log_last_error(), ==, message);
}

/* Refused with "video 'bad': invalid APNG: " and `what` (a printf
 * format of one %zu: the chunk's offset). */
static void expect_invalid(lm_writer *w, GByteArray *a, gsize at,
                           const char *what) {
  char *tail = g_strdup_printf(what, at);
  char *want = g_strdup_printf("video 'bad': invalid APNG: %s", tail);
  expect_refused(w, a->data, a->len, LM_ERR_INVALID_ARG, want);
  g_free(want);
  g_free(tail);
  g_byte_array_unref(a);
}

/* Each kind of bad file is refused naming what is wrong, and nothing of
 * it reaches the run file. */
static void test_refused(void) {
  char *dir = tmpdir_new();
  /* 4 frames of 4x2 RGBA are 128 bytes */
  lm_writer *w = open_writer(dir, 128);
  GByteArray *good =
      build_apng(4, 2, varied, 4, 4, PNG_FORMAT_RGBA, FALSE), *a;
  gsize at;

  g_assert_cmpint(lm_writer_add_video_png(NULL, "v", 0, good->data,
                                          good->len),
                  ==, LM_ERR_INVALID_ARG);
  g_assert_cmpint(lm_writer_add_video_png(w, "", 0, good->data, good->len),
                  ==, LM_ERR_INVALID_ARG);
  g_assert_cmpstr(lm_log_last_error(), ==, "tag is empty");
  expect_refused(w, NULL, 10, LM_ERR_INVALID_ARG,
                 "video 'bad': apng is NULL");
  expect_refused(w, "GIF89a....", 10, LM_ERR_INVALID_ARG,
                 "video 'bad': not a PNG file (10 bytes, no PNG signature)");

  /* a still PNG: what lm_writer_add_image_png takes */
  {
    png_image img = {.version = PNG_IMAGE_VERSION, .width = 2, .height = 2,
                     .format = PNG_FORMAT_GRAY};
    static const guint8 px[4] = {1, 2, 3, 4};
    guint8 png[256];
    png_alloc_size_t size = sizeof png;
    g_assert_true(png_image_write_to_memory(&img, png, &size, 0, px, 0, NULL));
    expect_refused(w, png, size, LM_ERR_INVALID_ARG,
                   "video 'bad': a still PNG (no acTL chunk), not an "
                   "animated one; store it with lm_writer_add_image_png");
  }

  /* a flipped bit in frame 1's data */
  a = copy_of(good);
  at = find_chunk(a, "fdAT", 0);
  a->data[at + 14] ^= 0x10;
  expect_invalid(w, a, at, "fdAT chunk at byte %zu has a bad CRC");

  /* one field of one chunk changed, its CRC made right */
  static const struct {
    const char *type;
    int nth, at, size; /* the field: offset in the chunk's data, bytes */
    guint32 value;
    const char *what;
  } patches[] = {
      {"fdAT", 1, 0, 4, 9,
       "fdAT chunk at byte %zu is out of sequence (number 9, expected 3)"},
      /* frame 2 moved to x 4: outside the 4-wide canvas */
      {"fcTL", 2, 12, 4, 4,
       "fcTL chunk at byte %zu: frame 2 is 1x1 at (4, 0), outside the 4x2 "
       "canvas"},
      /* frame 0, the default image, narrower than the canvas */
      {"fcTL", 0, 4, 4, 3,
       "fcTL chunk at byte %zu: frame 0 is the default image and must "
       "cover the 4x2 canvas at (0, 0), not 3x2 at (0, 0)"},
      {"fcTL", 1, 24, 1, 7, "fcTL chunk at byte %zu: unknown dispose_op 7"},
      {"fcTL", 3, 25, 1, 2, "fcTL chunk at byte %zu: unknown blend_op 2"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(patches); i++) {
    a = copy_of(good);
    at = find_chunk(a, patches[i].type, patches[i].nth);
    if (patches[i].size == 4)
      lm_png_put_u32(a->data + at + 8 + patches[i].at, patches[i].value);
    else
      a->data[at + 8 + patches[i].at] = (guint8)patches[i].value;
    fix_crc(a, at);
    expect_invalid(w, a, at, patches[i].what);
  }

  /* acTL says 3 frames, and 5 */
  for (guint32 n = 3; n <= 5; n += 2) {
    char *want = g_strdup_printf("acTL chunk says %u frames, the file has 4",
                                 n);
    a = build_apng(4, 2, varied, 4, n, PNG_FORMAT_RGBA, FALSE);
    expect_invalid(w, a, 0, want);
    g_free(want);
  }

  /* an acTL after the image data: a still PNG to APNG readers */
  {
    guint8 actl[8] = {0, 0, 0, 1, 0, 0, 0, 0};
    a = copy_of(good);
    at = find_chunk(a, "IDAT", 1) + 12 + lm_png_get_u32(a->data +
                                                     find_chunk(a, "IDAT", 1));
    g_byte_array_set_size(a, a->len + 20);
    memmove(a->data + at + 20, a->data + at, a->len - 20 - at);
    lm_png_put_chunk(a->data + at, "acTL", NULL, actl, 8);
    expect_invalid(w, a, at, "acTL chunk at byte %zu: after the image data");
  }

  /* frame 1's data is not zlib data (its CRCs right): only inflating
   * finds it */
  a = copy_of(good);
  for (int k = 0; k < 2; k++) {
    at = find_chunk(a, "fdAT", k);
    memset(a->data + at + 12, 0xAB, lm_png_get_u32(a->data + at) - 4);
    fix_crc(a, at);
  }
  g_assert_cmpint(lm_writer_add_video_png(w, "bad", 0, a->data, a->len), ==,
                  LM_ERR_INVALID_ARG);
  g_assert_true(g_str_has_prefix(lm_log_last_error(),
                                 "video 'bad': invalid APNG: frame 1: "));
  g_assert_null(strstr(lm_log_last_error(), "CRC"));
  g_byte_array_unref(a);

  /* the default image that is no frame does not inflate */
  a = build_apng(4, 2, varied + 2, 2, 2, PNG_FORMAT_RGBA, TRUE);
  at = find_chunk(a, "IDAT", 0);
  memset(a->data + at + 8, 0xAB, lm_png_get_u32(a->data + at));
  fix_crc(a, at);
  g_assert_cmpint(lm_writer_add_video_png(w, "bad", 0, a->data, a->len), ==,
                  LM_ERR_INVALID_ARG);
  g_assert_true(g_str_has_prefix(lm_log_last_error(),
                                 "video 'bad': invalid APNG: the default "
                                 "image: "));
  g_byte_array_unref(a);

  /* every truncation is refused by name, none crashes */
  for (gsize n = 0; n < good->len; n++) {
    g_assert_cmpint(lm_writer_add_video_png(w, "bad", 0, good->data, n), ==,
                    LM_ERR_INVALID_ARG);
    g_assert_true(g_str_has_prefix(lm_log_last_error(), "video 'bad': "));
  }
  {
    char *want = g_strdup_printf("video 'bad': invalid APNG: no IEND chunk "
                                 "(truncated after byte %u)",
                                 good->len - 12);
    expect_refused(w, good->data, good->len - 12, LM_ERR_INVALID_ARG, want);
    g_free(want);
  }

  /* 5 frames of 4x2 RGBA are 160 bytes, over the 128 allowed: refused by
   * the header, before the data (garbage here) is read */
  {
    test_frame five[5] = {varied[0], varied[0], varied[0], varied[0],
                          varied[0]};
    a = build_apng(4, 2, five, 5, 5, PNG_FORMAT_RGBA, FALSE);
    at = find_chunk(a, "fdAT", 0);
    memset(a->data + at + 12, 0xAB, lm_png_get_u32(a->data + at) - 4);
    fix_crc(a, at);
    expect_refused(w, a->data, a->len, LM_ERR_TOO_LARGE,
                   "video 'bad' is 5 frames of 4x2x4, 0.00016 MB decoded as "
                   "RGBA, over the cap of 128 bytes "
                   "(lm_writer_options.max_video_bytes)");
    g_byte_array_unref(a);
  }

  assert_ok(lm_writer_add_video_png(w, "good", 3, good->data, good->len));
  g_assert_cmpint(writer_close_count(w, "images"), ==, 1);
  g_byte_array_unref(good);
  tmpdir_free(dir);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/log/video-png/stored", test_stored);
  g_test_add_func("/log/video-png/refused", test_refused);
  return g_test_run();
}
