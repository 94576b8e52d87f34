/* test-log-video.c: videos (lm_writer_add_video, _f32, batches laid out by
 * lm_writer_add_videos_grid, _f32): the `images` rows
 * with frames and fps, the animated PNG chunk by chunk (order, sequence
 * numbers, CRCs, acTL, fcTL delays), each frame's pixels, what Pillow
 * reads of it, still images left without acTL, an older file getting the
 * columns, and bad input refused by name with nothing logged. */
#include <math.h>
#include <png.h>
#include <zlib.h>

#include "lm-apng.h"
#include "log-test-util.h"

/* The test pattern: pixel (x, y) of frame t, channel c. */
static guint8 pattern(int t, int x, int y, int c) {
  return (guint8)(c == 0 ? t * 80 + x * 10 : c == 1 ? y * 60 : c == 2 ? 255 - t * 100 : 200 - t);
}

static guint8 *make_frames(int n, int width, int height, int channels) {
  guint8 *f = g_malloc((size_t)n * width * height * channels);
  guint8 *p = f;
  for (int t = 0; t < n; t++)
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++)
        for (int c = 0; c < channels; c++)
          *p++ = pattern(t, x, y, c);
  return f;
}

/* The png blob of the images row logged under `tag` (g_free it). */
static guint8 *image_blob(sqlite3 *db, const char *tag, gsize *len) {
  char *sql = g_strdup_printf("SELECT png FROM images x JOIN tags t ON t.id = "
                              "x.tag_id WHERE t.name = '%s'",
                              tag);
  sqlite3_stmt *st = db_query(db, sql);
  g_free(sql);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  *len = (gsize)sqlite3_column_bytes(st, 0);
  guint8 *b = g_memdup2(sqlite3_column_blob(st, 0), *len);
  sqlite3_finalize(st);
  return b;
}

/* What a walk over an APNG found, every chunk checked on the way. */
typedef struct {
  guint32 num_frames, num_plays;
  int n_fctl;
  guint16 delay_num[8], delay_den[8];
  GByteArray *data[8]; /* each frame's IDAT / fdAT data, as zlib stream */
  guint8 ihdr[13];
  gboolean has_actl;
} apng_walk;

static void walk_free(apng_walk *a) {
  for (int i = 0; i < 8; i++)
    if (a->data[i])
      g_byte_array_unref(a->data[i]);
}

/* Walks the blob: signature; IHDR first; acTL before any IDAT; each fcTL
 * followed by its frame's data (IDAT for frame 0, fdAT after); sequence
 * numbers 0, 1, 2, ... across fcTL and fdAT; every CRC right (zlib's
 * crc32 computed here); IEND last. */
static void walk(const guint8 *b, gsize len, int width, int height, apng_walk *a) {
  memset(a, 0, sizeof *a);
  g_assert_cmpmem(b, 8, "\x89PNG\r\n\x1a\n", 8);
  gsize pos = 8;
  guint32 seq = 0;
  int chunk = 0;
  gboolean seen_idat = FALSE, seen_iend = FALSE;
  while (pos < len) {
    g_assert_false(seen_iend);
    g_assert_cmpuint(len - pos, >=, 12);
    guint32 n = lm_png_get_u32(b + pos);
    char type[5] = {0};
    memcpy(type, b + pos + 4, 4);
    g_assert_cmpuint(len - pos - 12, >=, n);
    const guint8 *d = b + pos + 8;
    guint32 crc = (guint32)crc32(crc32(0, b + pos + 4, 4), d, n);
    g_assert_cmphex(crc, ==, lm_png_get_u32(d + n));
    if (chunk == 0) {
      g_assert_cmpstr(type, ==, "IHDR");
      g_assert_cmpuint(n, ==, 13);
      memcpy(a->ihdr, d, 13);
      g_assert_cmpuint(lm_png_get_u32(d), ==, (guint)width);
      g_assert_cmpuint(lm_png_get_u32(d + 4), ==, (guint)height);
    } else if (!strcmp(type, "acTL")) {
      g_assert_false(seen_idat);
      g_assert_cmpuint(n, ==, 8);
      a->has_actl = TRUE;
      a->num_frames = lm_png_get_u32(d);
      a->num_plays = lm_png_get_u32(d + 4);
    } else if (!strcmp(type, "fcTL")) {
      g_assert_cmpuint(n, ==, 26);
      g_assert_cmpuint(lm_png_get_u32(d), ==, seq++);
      g_assert_cmpuint(lm_png_get_u32(d + 4), ==, (guint)width);
      g_assert_cmpuint(lm_png_get_u32(d + 8), ==, (guint)height);
      g_assert_cmpuint(lm_png_get_u32(d + 12), ==, 0); /* x offset */
      g_assert_cmpuint(lm_png_get_u32(d + 16), ==, 0); /* y offset */
      g_assert_cmpint(d[24], ==, 0);                   /* dispose OP_NONE */
      g_assert_cmpint(d[25], ==, 0);                   /* blend OP_SOURCE */
      g_assert_cmpint(a->n_fctl, <, 8);
      a->delay_num[a->n_fctl] = lm_png_get_u16(d + 20);
      a->delay_den[a->n_fctl] = lm_png_get_u16(d + 22);
      a->data[a->n_fctl] = g_byte_array_new();
      /* frame 0's fcTL comes before the first IDAT */
      g_assert_true(a->n_fctl > 0 || !seen_idat);
      a->n_fctl++;
    } else if (!strcmp(type, "IDAT")) {
      g_assert_cmpint(a->n_fctl, <=, 1);
      seen_idat = TRUE;
      if (a->n_fctl == 0) { /* a still image */
        if (!a->data[0])
          a->data[0] = g_byte_array_new();
      }
      g_byte_array_append(a->data[0], d, n);
    } else if (!strcmp(type, "fdAT")) {
      g_assert_cmpint(a->n_fctl, >=, 2);
      g_assert_true(seen_idat);
      g_assert_cmpuint(lm_png_get_u32(d), ==, seq++);
      g_byte_array_append(a->data[a->n_fctl - 1], d + 4, n - 4);
    } else if (!strcmp(type, "IEND")) {
      g_assert_cmpuint(n, ==, 0);
      seen_iend = TRUE;
    } else {
      g_error("unexpected chunk %s", type);
    }
    pos += 12 + n;
    chunk++;
  }
  g_assert_true(seen_iend);
  g_assert_cmpuint(pos, ==, len);
}

static void put_chunk(GByteArray *png, const char *type, const guint8 *d, guint32 n) {
  guint8 *buf = g_malloc(n + 12);
  lm_png_put_chunk(buf, type, NULL, d, n);
  g_byte_array_append(png, buf, n + 12);
  g_free(buf);
}

/* Frame i of a walk decoded by libpng as a one-frame PNG, as `channels`
 * channels (g_free it). */
static guint8 *decode_frame(const apng_walk *a, int i, int channels) {
  GByteArray *png = g_byte_array_new();
  g_byte_array_append(png, (const guint8 *)"\x89PNG\r\n\x1a\n", 8);
  put_chunk(png, "IHDR", a->ihdr, 13);
  put_chunk(png, "IDAT", a->data[i]->data, a->data[i]->len);
  put_chunk(png, "IEND", NULL, 0);
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  g_assert_true(png_image_begin_read_from_memory(&img, png->data, png->len));
  img.format = channels == 1 ? PNG_FORMAT_GRAY : channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_RGBA;
  guint8 *buf = g_malloc(PNG_IMAGE_SIZE(img));
  g_assert_true(png_image_finish_read(&img, NULL, buf, 0, NULL));
  g_byte_array_unref(png);
  return buf;
}

/* A still image and videos at add_video's fps 4, 30 and NTSC's 29.97 (RGB,
 * grey, RGBA): the rows' frames and fps, and the APNG of each. */
static void test_rows_and_chunks(void) {
  static const struct {
    const char *tag;
    int n, channels;
    double fps;
    guint16 num, den;
  } v[] = {
      {"video/4fps", 3, 3, 4, 1, 4},
      {"video/30fps", 2, 1, 30, 1, 30},
      {"video/ntsc", 5, 4, 29.97, 100, 2997},
      {"video/one", 1, 3, 4, 1, 4},
  };
  const int W = 5, H = 4;
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "vid");
  guint8 *still = make_frames(1, W, H, 3);
  assert_ok(lm_writer_add_image(w, "still", 0, still, W, H, 3));
  for (gsize k = 0; k < G_N_ELEMENTS(v); k++) {
    guint8 *f = make_frames(v[k].n, W, H, v[k].channels);
    assert_ok(lm_writer_add_video(w, v[k].tag, 9, f, v[k].n, W, H, v[k].channels, v[k].fps));
    g_free(f);
  }
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));

  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM images WHERE frames IS NULL AND "
                             "fps IS NULL AND width = 5"),
                  ==, 1);
  gsize len;
  guint8 *b = image_blob(db, "still", &len);
  apng_walk a;
  walk(b, len, W, H, &a);
  g_assert_false(a.has_actl);
  g_assert_cmpint(a.n_fctl, ==, 0);
  guint8 *dec = decode_frame(&a, 0, 3);
  g_assert_cmpmem(dec, W * H * 3, still, W * H * 3);
  g_free(dec);
  walk_free(&a);
  g_free(b);

  for (gsize k = 0; k < G_N_ELEMENTS(v); k++) {
    char *kind = db_text(db, "SELECT kind FROM tags WHERE name = '%s'", v[k].tag);
    g_assert_cmpstr(kind, ==, "image");
    g_free(kind);
    g_assert_cmpint(db_int(db,
                           "SELECT frames FROM images x JOIN tags t ON t.id = x.tag_id "
                           "WHERE t.name = '%s'",
                           v[k].tag),
                    ==, v[k].n);
    g_assert_cmpfloat(db_double(db,
                                "SELECT fps FROM images x JOIN tags t ON t.id = x.tag_id "
                                "WHERE t.name = '%s'",
                                v[k].tag),
                      ==, v[k].fps);
    g_assert_cmpint(db_int(db,
                           "SELECT width * 100 + height * 10 + channels FROM images x "
                           "JOIN tags t ON t.id = x.tag_id WHERE t.name = '%s'",
                           v[k].tag),
                    ==, W * 100 + H * 10 + v[k].channels);
    b = image_blob(db, v[k].tag, &len);
    walk(b, len, W, H, &a);
    g_assert_true(a.has_actl);
    g_assert_cmpuint(a.num_frames, ==, (guint)v[k].n);
    g_assert_cmpuint(a.num_plays, ==, 0);
    g_assert_cmpint(a.n_fctl, ==, v[k].n);
    guint8 *want = make_frames(v[k].n, W, H, v[k].channels);
    gsize fb = (gsize)W * H * v[k].channels;
    for (int i = 0; i < v[k].n; i++) {
      g_assert_cmpuint(a.delay_num[i], ==, v[k].num);
      g_assert_cmpuint(a.delay_den[i], ==, v[k].den);
      dec = decode_frame(&a, i, v[k].channels);
      g_assert_cmpmem(dec, fb, want + i * fb, fb);
      g_free(dec);
    }
    g_free(want);
    walk_free(&a);
    g_free(b);
  }
  sqlite3_close(db);
  g_free(still);
  g_free(path);
  tmpdir_free(dir);
}

/* What Pillow 9.4 (/usr/bin/python3, PIL.Image.open on the blob, then
 * seek(i) / convert('RGB') / info['duration'] / info['loop'] per frame)
 * read of the "video/ntsc"-like 3-frame RGB video at 29.97, 4 and 30 fps
 * this test logs: n_frames 3, is_animated True, loop 0, every frame equal
 * to pattern(), and these durations in ms (the same for every frame). */
static const struct {
  double fps, pillow_ms;
} pillow_durations[] = {
    {4, 250.0},
    {30, 33.333333333333336},
    {29.97, 33.3667000333667},
};
#define PILLOW_N_FRAMES 3

static void test_pillow_reads(void) {
  const int W = 5, H = 4;
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "pil");
  guint8 *f = make_frames(PILLOW_N_FRAMES, W, H, 3);
  for (gsize k = 0; k < G_N_ELEMENTS(pillow_durations); k++) {
    char tag[32];
    snprintf(tag, sizeof tag, "v%zu", k);
    assert_ok(lm_writer_add_video(w, tag, 0, f, PILLOW_N_FRAMES, W, H, 3, pillow_durations[k].fps));
  }
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  for (gsize k = 0; k < G_N_ELEMENTS(pillow_durations); k++) {
    char tag[32];
    snprintf(tag, sizeof tag, "v%zu", k);
    gsize len;
    guint8 *b = image_blob(db, tag, &len);
    apng_walk a;
    walk(b, len, W, H, &a);
    g_assert_cmpuint(a.num_frames, ==, PILLOW_N_FRAMES);
    for (int i = 0; i < PILLOW_N_FRAMES; i++) {
      double ms = 1000.0 * a.delay_num[i] / a.delay_den[i];
      g_assert_cmpfloat_with_epsilon(ms, pillow_durations[k].pillow_ms, 1e-9);
    }
    walk_free(&a);
    g_free(b);
  }
  sqlite3_close(db);
  g_free(f);
  g_free(path);
  tmpdir_free(dir);
}

/* add_video's float form: T x C x H x W in [0, 1] (LM_CHW) or T x H x W x C
 * (LM_HWC), * 255 truncated and clipped as add_image's. */
static void test_float_video(void) {
  enum { W = 2, H = 1, C = 3, T = 2 };
  /* frame t, channel c, pixel x */
  const float chw[T * C * H * W] = {0,    1,   0.5f, 1.2f, -0.1f, 0.25f,
                                    1.0f, 0.0f, 0.999f, 0.5f, 0.25f, 1.0f / 255};
  const guint8 want[T * H * W * C] = {0, 127, 0, 255, 255, 63, 255, 254, 63, 0, 127, 1};
  float hwc[T * H * W * C];
  for (int i = 0; i < T * H * W * C; i++)
    hwc[i] = (want[i] + 0.5f) / 255.0f; /* truncates back to want */
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "f32");
  assert_ok(lm_writer_add_video_f32(w, "chw", 0, chw, T, W, H, C, LM_CHW, 4));
  assert_ok(lm_writer_add_video_f32(w, "hwc", 0, hwc, T, W, H, C, LM_HWC, 4));
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  const char *tags[] = {"chw", "hwc"};
  for (int k = 0; k < 2; k++) {
    gsize len;
    guint8 *b = image_blob(db, tags[k], &len);
    apng_walk a;
    walk(b, len, W, H, &a);
    for (int t = 0; t < T; t++) {
      guint8 *dec = decode_frame(&a, t, C);
      g_assert_cmpmem(dec, W * H * C, want + t * W * H * C, W * H * C);
      g_free(dec);
    }
    walk_free(&a);
    g_free(b);
  }
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* A writer with small caps: a frame or image over 1000 bytes, a video
 * over 1600 bytes decoded as RGBA. */
static lm_writer *capped_writer(const char *dir, const char *run) {
  lm_writer_options o;
  lm_writer_options_init(&o);
  o.logdir = dir;
  o.run_name = run;
  o.quiet = TRUE;
  o.max_image_bytes = 1000;
  o.max_video_bytes = 1600;
  lm_writer *w = NULL;
  assert_ok(lm_writer_open_with(&w, &o));
  return w;
}

/* add_video's (N, T, C, H, W) batch laid out per frame as its
 * _prepare_video does.  Expected frames (T x rows*H x cols*W x C) from
 * /usr/bin/python3 with PyTorch 1.13's torch/utils/tensorboard/_utils.py:
 *   V = (np.arange(N*T*C*H*W) % 251 + 1).astype(np.uint8).reshape(N,T,C,H,W)
 *   (_prepare_video(V).astype(np.float32) * 255).astype(np.uint8)
 * (what summary.video does with it); N = 3 pads to 4 laid out 1 x 4,
 * N = 4 is 2 x 2, N = 1 the video itself. */
enum { VG_T = 2, VG_C = 3, VG_H = 2, VG_W = 2 };
static const guint8 vg_want1[] = {1,  5,  9,  2,  6,  10, 3,  7,  11, 4,  8,  12,
                                  13, 17, 21, 14, 18, 22, 15, 19, 23, 16, 20, 24};
static const guint8 vg_want3[] = {
    1,  5,  9,  2,  6,  10, 25, 29, 33, 26, 30, 34, 49, 53, 57, 50, 54, 58, 0,  0,  0,  0,
    0,  0,  3,  7,  11, 4,  8,  12, 27, 31, 35, 28, 32, 36, 51, 55, 59, 52, 56, 60, 0,  0,
    0,  0,  0,  0,  13, 17, 21, 14, 18, 22, 37, 41, 45, 38, 42, 46, 61, 65, 69, 62, 66, 70,
    0,  0,  0,  0,  0,  0,  15, 19, 23, 16, 20, 24, 39, 43, 47, 40, 44, 48, 63, 67, 71, 64,
    68, 72, 0,  0,  0,  0,  0,  0};
static const guint8 vg_want4[] = {
    1,  5,  9,  2,  6,  10, 25, 29, 33, 26, 30, 34, 3,  7,  11, 4,  8,  12, 27, 31, 35, 28,
    32, 36, 49, 53, 57, 50, 54, 58, 73, 77, 81, 74, 78, 82, 51, 55, 59, 52, 56, 60, 75, 79,
    83, 76, 80, 84, 13, 17, 21, 14, 18, 22, 37, 41, 45, 38, 42, 46, 15, 19, 23, 16, 20, 24,
    39, 43, 47, 40, 44, 48, 61, 65, 69, 62, 66, 70, 85, 89, 93, 86, 90, 94, 63, 67, 71, 64,
    68, 72, 87, 91, 95, 88, 92, 96};

static guint8 vg_value(int n, int t, int c, int y, int x) {
  int i = (((n * VG_T + t) * VG_C + c) * VG_H + y) * VG_W + x;
  return (guint8)(i % 251 + 1);
}

static void test_videos_grid(void) {
  static const struct {
    int n, rows, cols;
    const guint8 *want;
  } cases[] = {{1, 1, 1, vg_want1}, {3, 1, 4, vg_want3}, {4, 2, 2, vg_want4}};
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "grid");
  for (guint k = 0; k < G_N_ELEMENTS(cases); k++) {
    int n = cases[k].n;
    gsize count = (gsize)n * VG_T * VG_C * VG_H * VG_W;
    guint8 *nthwc = g_malloc(count);
    float *ntchw = g_malloc(count * sizeof(float));
    for (int v = 0; v < n; v++)
      for (int t = 0; t < VG_T; t++)
        for (int c = 0; c < VG_C; c++)
          for (int y = 0; y < VG_H; y++)
            for (int x = 0; x < VG_W; x++) {
              guint8 b = vg_value(v, t, c, y, x);
              nthwc[(((v * VG_T + t) * VG_H + y) * VG_W + x) * VG_C + c] = b;
              /* as _prepare_video scales uint8: V / 255 */
              ntchw[(((v * VG_T + t) * VG_C + c) * VG_H + y) * VG_W + x] = (float)b / 255.0f;
            }
    char *tag8 = g_strdup_printf("u8/%d", n), *tagf = g_strdup_printf("f32/%d", n);
    assert_ok(lm_writer_add_videos_grid(w, tag8, 0, nthwc, n, VG_T, VG_W, VG_H, VG_C, 4));
    assert_ok(lm_writer_add_videos_grid_f32(w, tagf, 0, ntchw, n, VG_T, VG_W, VG_H, VG_C,
                                            LM_CHW, 4));
    g_free(tag8);
    g_free(tagf);
    g_free(nthwc);
    g_free(ntchw);
  }
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  for (guint k = 0; k < G_N_ELEMENTS(cases); k++)
    for (int f = 0; f < 2; f++) {
      int gw = cases[k].cols * VG_W, gh = cases[k].rows * VG_H;
      char *tag = g_strdup_printf("%s/%d", f ? "f32" : "u8", cases[k].n);
      g_assert_cmpint(db_int(db,
                             "SELECT width * 1000 + height FROM images x JOIN tags t ON "
                             "t.id = x.tag_id WHERE t.name = '%s'",
                             tag),
                      ==, gw * 1000 + gh);
      g_assert_cmpint(db_int(db,
                             "SELECT frames FROM images x JOIN tags t ON t.id = x.tag_id "
                             "WHERE t.name = '%s'",
                             tag),
                      ==, VG_T);
      gsize len;
      guint8 *b = image_blob(db, tag, &len);
      apng_walk a;
      walk(b, len, gw, gh, &a);
      gsize frame = (gsize)gw * gh * VG_C;
      for (int t = 0; t < VG_T; t++) {
        guint8 *dec = decode_frame(&a, t, VG_C);
        g_assert_cmpmem(dec, frame, cases[k].want + t * frame, frame);
        g_free(dec);
      }
      walk_free(&a);
      g_free(b);
      g_free(tag);
    }
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* Bad batches are refused by name, the laid-out frames held to the caps. */
static void test_videos_grid_bad(void) {
  char *dir = tmpdir_new();
  lm_writer *w = capped_writer(dir, "bad-grid");
  guint8 f[3 * 2 * 10 * 10 * 3] = {0};
  float ff[3 * 2 * 10 * 10 * 3] = {0};
  assert_fails(lm_writer_add_videos_grid(w, "g", 0, f, 0, 2, 2, 2, 3, 4), LM_ERR_INVALID_ARG,
               "video grid 'g': n is 0, must be > 0");
  assert_fails(lm_writer_add_videos_grid(w, "g", 0, f, -1, 2, 2, 2, 3, 4), LM_ERR_INVALID_ARG,
               "video grid 'g': n is -1");
  assert_fails(lm_writer_add_videos_grid(w, "g", 0, NULL, 2, 2, 2, 2, 3, 4),
               LM_ERR_INVALID_ARG, "video 'g': pixels is NULL");
  assert_fails(lm_writer_add_videos_grid(w, "g", 0, f, 2, 0, 2, 2, 3, 4), LM_ERR_INVALID_ARG,
               "video 'g': n_frames is 0");
  assert_fails(lm_writer_add_videos_grid_f32(w, "g", 0, ff, 2, 2, 2, 2, 3,
                                             (lm_image_layout)5, 4),
               LM_ERR_INVALID_ARG, "video grid 'g': layout 5 is neither LM_HWC nor LM_CHW");
  /* one 10x10 frame fits both caps; three videos lay out 1 x 4, a 40x10
   * frame of 1200 bytes, over max_image_bytes */
  assert_ok(lm_writer_add_videos_grid(w, "one", 0, f, 1, 1, 10, 10, 3, 4));
  assert_fails(lm_writer_add_videos_grid(w, "g", 0, f, 3, 1, 10, 10, 3, 4), LM_ERR_TOO_LARGE,
               "video grid 'g': 3 videos of 10x10x3 laid out 1 x 4 (add_video's layout): "
               "video 'g': a frame of 40x10x3 is over the cap of 1000 bytes");
  /* 5x5 cells: 1 x 4 of them is 20x5, 400 bytes as RGBA a frame; 5 frames
   * are over max_video_bytes */
  assert_fails(lm_writer_add_videos_grid_f32(w, "g", 0, ff, 3, 5, 5, 5, 1, LM_CHW, 4),
               LM_ERR_TOO_LARGE,
               "video grid 'g': 3 videos of 5x5x1 laid out 1 x 4 (add_video's layout): "
               "video 'g' is 5 frames of 20x5x1");
  /* a count whose layout arithmetic would wrap, refused before reading */
  assert_fails(lm_writer_add_videos_grid(w, "g", 0, f, INT_MAX, 1, 2, 2, 3, 4),
               LM_ERR_TOO_LARGE, "video grid 'g': n is 2147483647, at most 16777216");
  g_assert_cmpint(writer_close_count(w, "images"), ==, 1);
  tmpdir_free(dir);
}

/* A run file from before videos (images without frames and fps) gets the
 * columns when reopened; stills read NULL there. */
static void test_old_file(void) {
  char *dir = tmpdir_new();
  char *path = old_run_file(dir, "old", "ALTER TABLE images DROP COLUMN frames; "
                                        "ALTER TABLE images DROP COLUMN fps");
  guint8 *f = make_frames(2, 3, 3, 1);
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM pragma_table_info('images') "
                             "WHERE name IN ('frames', 'fps')"),
                  ==, 0);
  sqlite3_close(db);

  lm_writer *w = writer_open(dir, "old");
  assert_ok(lm_writer_add_image(w, "still", 0, f, 3, 3, 1));
  assert_ok(lm_writer_add_video(w, "new", 1, f, 2, 3, 3, 1, 8));
  assert_ok(lm_writer_close(w));
  db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM images"), ==, 2);
  g_assert_cmpint(db_int(db, "SELECT frames IS NULL AND fps IS NULL FROM images "
                             "WHERE step = 0"),
                  ==, 1);
  g_assert_cmpint(db_int(db, "SELECT frames FROM images WHERE step = 1"), ==, 2);
  g_assert_cmpfloat(db_double(db, "SELECT fps FROM images WHERE step = 1"), ==, 8);
  sqlite3_close(db);
  g_free(f);
  g_free(path);
  tmpdir_free(dir);
}

static void test_bad_input(void) {
  char *dir = tmpdir_new();
  lm_writer_options o;
  lm_writer *w = capped_writer(dir, "bad");
  guint8 f[4 * 10 * 10 * 3] = {0};
  float ff[4 * 10 * 10 * 3] = {0};
  assert_fails(lm_writer_add_video(NULL, "v", 0, f, 4, 2, 2, 3, 4), LM_ERR_INVALID_ARG,
               "writer is NULL");
  assert_fails(lm_writer_add_video(w, NULL, 0, f, 4, 2, 2, 3, 4), LM_ERR_INVALID_ARG,
               "tag is NULL");
  assert_fails(lm_writer_add_video(w, "v", 0, NULL, 4, 2, 2, 3, 4), LM_ERR_INVALID_ARG,
               "video 'v': pixels is NULL");
  assert_fails(lm_writer_add_video(w, "v", 0, f, 0, 2, 2, 3, 4), LM_ERR_INVALID_ARG,
               "video 'v': n_frames is 0, must be >= 1");
  assert_fails(lm_writer_add_video(w, "v", 0, f, -2, 2, 2, 3, 4), LM_ERR_INVALID_ARG,
               "n_frames is -2");
  assert_fails(lm_writer_add_video(w, "v", 0, f, 4, 2, 2, 2, 4), LM_ERR_INVALID_ARG,
               "video 'v': channels is 2, must be 1 (grey), 3 (RGB) or 4");
  assert_fails(lm_writer_add_video(w, "v", 0, f, 4, 0, 2, 3, 4), LM_ERR_INVALID_ARG,
               "video 'v': size 0x2");
  assert_fails(lm_writer_add_video(w, "v", 0, f, 4, 2, 2, 3, 0), LM_ERR_INVALID_ARG,
               "video 'v': fps is 0, must be a finite 1/65535 .. 1000 (add_video's default is 4)");
  assert_fails(lm_writer_add_video(w, "v", 0, f, 4, 2, 2, 3, -4), LM_ERR_INVALID_ARG,
               "fps is -4");
  assert_fails(lm_writer_add_video(w, "v", 0, f, 4, 2, 2, 3, NAN), LM_ERR_INVALID_ARG,
               "fps is nan");
  assert_fails(lm_writer_add_video(w, "v", 0, f, 4, 2, 2, 3, INFINITY), LM_ERR_INVALID_ARG,
               "fps is inf");
  assert_fails(lm_writer_add_video(w, "v", 0, f, 4, 2, 2, 3, 1001), LM_ERR_INVALID_ARG,
               "fps is 1001");
  /* a frame is held to max_image_bytes: 20x20x3 is 1200 bytes */
  assert_fails(lm_writer_add_video(w, "v", 0, f, 1, 20, 20, 3, 4), LM_ERR_TOO_LARGE,
               "video 'v': a frame of 20x20x3 is over the cap of 1000 bytes an image or "
               "frame may take (lm_writer_options.max_image_bytes)");
  /* all the frames to max_video_bytes, as RGBA: 10x10 is 400 bytes a
   * frame, 4 fit the 1600-byte cap (1200 bytes of RGB, over
   * max_image_bytes: that one is for a frame), 5 do not */
  assert_ok(lm_writer_add_video(w, "fits", 0, f, 4, 10, 10, 3, 4));
  assert_fails(lm_writer_add_video(w, "v", 0, f, 5, 10, 10, 3, 4), LM_ERR_TOO_LARGE,
               "video 'v' is 5 frames of 10x10x3, 0.002 MB decoded as RGBA, over the cap of "
               "1600 bytes (lm_writer_options.max_video_bytes)");
  /* by default, what lumen can show (1 GiB of RGBA): 291 frames of 720p
   * fit, 292 are refused before the frames are read, named as the caller
   * gave them */
  lm_writer_options_init(&o);
  o.logdir = dir;
  o.run_name = "hd";
  o.quiet = TRUE;
  lm_writer *hd = NULL;
  assert_ok(lm_writer_open_with(&hd, &o));
  assert_fails(lm_writer_add_video(hd, "hd", 0, f, 292, 1280, 720, 3, 30), LM_ERR_TOO_LARGE,
               "video 'hd' is 292 frames of 1280x720x3, 1076 MB decoded as RGBA, over the cap "
               "of 1073741824 bytes (lm_writer_options.max_video_bytes)");
  /* a cap that one frame fits: n_frames * frame bytes must not wrap */
  assert_fails(lm_writer_add_video(hd, "hd", 0, f, INT_MAX, 1000, 1000, 4, 30),
               LM_ERR_TOO_LARGE, "is 2147483647 frames of 1000x1000x4");
  /* an RL episode of 1,000 Atari frames (210x160 RGB, 100.8 MB; the
   * 64 MiB image cap refused it) is logged by default */
  gsize atari = (gsize)1000 * 210 * 160 * 3;
  guint8 *episode = g_malloc0(atari);
  for (gsize i = 0; i < atari; i += 4099)
    episode[i] = (guint8)i;
  assert_ok(lm_writer_add_video(hd, "episode", 0, episode, 1000, 160, 210, 3, 30));
  g_free(episode);
  char *hd_path = g_strdup(lm_writer_file_path(hd));
  assert_ok(lm_writer_close(hd));
  sqlite3 *hd_db = db_open_ro(hd_path);
  g_assert_cmpint(db_int(hd_db, "SELECT frames FROM images"), ==, 1000);
  sqlite3_close(hd_db);
  g_free(hd_path);
  assert_fails(lm_writer_add_video_f32(w, "v", 0, ff, 5, 10, 10, 3, LM_CHW, 4), LM_ERR_TOO_LARGE,
               "max_video_bytes");
  assert_fails(lm_writer_add_video_f32(w, "v", 0, ff, 2, 2, 2, 3, (lm_image_layout)7, 4),
               LM_ERR_INVALID_ARG, "video 'v': layout 7 is neither LM_HWC nor LM_CHW");
  assert_fails(lm_writer_add_video_f32(w, "v", 0, ff, 2, 2, 2, 3, LM_CHW, NAN),
               LM_ERR_INVALID_ARG, "fps is nan");
  g_assert_cmpint(writer_close_count(w, "images"), ==, 1);
  tmpdir_free(dir);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/logging/video/rows-and-chunks", test_rows_and_chunks);
  g_test_add_func("/logging/video/pillow-reads", test_pillow_reads);
  g_test_add_func("/logging/video/float", test_float_video);
  g_test_add_func("/logging/video/grid", test_videos_grid);
  g_test_add_func("/logging/video/grid-bad-input", test_videos_grid_bad);
  g_test_add_func("/logging/video/old-file", test_old_file);
  g_test_add_func("/logging/video/bad-input", test_bad_input);
  return g_test_run();
}
