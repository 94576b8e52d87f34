/* test-video.c: the read side of videos (animated PNG image rows).
 *
 * What it checks: lm_image_decode_apng gives the exact frames and delays
 * of videos lumen-log wrote (RGB, grey, RGBA; fps 4 and 29.97), reduced
 * by 2 as the stills are; hand-built APNGs with frame offsets, blend OVER
 * and dispose BACKGROUND and PREVIOUS composed to pixels worked out from
 * the spec; a plain PNG as one frame; damaged files (a bad CRC, an fdAT
 * out of sequence, a frame outside the canvas, a wrong acTL count, bad
 * image data, every truncation) refused with a message naming the chunk
 * and the problem; the record feed's n_frames and fps (a file from before
 * videos read as stills); the loader's animation loads, cache and lookups
 * (kept apart from the stills, whose load of a video is its first frame).
 */
#include <glib.h>
#include <math.h>
#include <png.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/resource.h>

#include <lumen-log.h>

#include "lm-apng.h"
#include "lm-test-records.h"
#include "lumen-data.h"

/* ------------------------------------------------------------ helpers */

/* The pattern the videos are logged with: pixel (x, y) of frame t. */
static guint8
pattern (int t, int x, int y, int c)
{
  return (guint8) (c == 0 ? t * 50 + x * 9 : c == 1 ? y * 40 + t : c == 2 ? 250 - t * 60 : 255 - 30 * t - x);
}

static guint8 *
make_frames (int n, int w, int h, int channels)
{
  guint8 *f = g_malloc ((gsize) n * w * h * channels), *p = f;

  for (int t = 0; t < n; t++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        for (int c = 0; c < channels; c++)
          *p++ = pattern (t, x, y, c);
  return f;
}

/* Frame t of make_frames as the decoder gives it: RGBA. */
static void
assert_frame (const LmImagePixels *p, int t, int w, int h, int channels)
{
  const guint8 *px = g_bytes_get_data (p->rgba, NULL);

  g_assert_cmpint (p->width, ==, w);
  g_assert_cmpint (p->height, ==, h);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        const guint8 *o = px + (gsize) y * p->stride + (gsize) x * 4;
        guint8 want[4];

        if (channels == 1)
          want[0] = want[1] = want[2] = pattern (t, x, y, 0);
        else
          for (int c = 0; c < 3; c++)
            want[c] = pattern (t, x, y, c);
        want[3] = channels == 4 ? pattern (t, x, y, 3) : 255;
        g_assert_cmpmem (o, 4, want, 4);
      }
}

/* A run <dir>/<run> with one video logged under `tag` at step 0; returns
 * the blob (g_free it). */
static guint8 *
logged_video (const char *dir, const char *run, int n, int w, int h, int channels, double fps, gsize *len)
{
  g_autofree guint8 *f = make_frames (n, w, h, channels);
  g_autofree char *path = NULL;
  lm_writer *wr;
  sqlite3 *db;
  sqlite3_stmt *st;
  guint8 *blob;

  g_assert_cmpint (lm_writer_open (&wr, dir, run), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_video (wr, "v", 0, f, n, w, h, channels, fps), ==, LM_OK);
  path = g_strdup (lm_writer_file_path (wr));
  g_assert_cmpint (lm_writer_close (wr), ==, LM_OK);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT png FROM images", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  *len = sqlite3_column_bytes (st, 0);
  blob = g_memdup2 (sqlite3_column_blob (st, 0), *len);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return blob;
}

/* One frame of a hand-built APNG. */
typedef struct
{
  guint32 w, h, x, y;
  guint8 dispose, blend;
  guint16 num, den;
  const guint8 *rgba;
} TestFrame;

static void
add_chunk (GByteArray *out, const char *type, const guint8 *prefix, const guint8 *data, gsize len)
{
  guint old = out->len;

  g_byte_array_set_size (out, old + (guint) len + 12 + (prefix ? 4 : 0));
  lm_png_put_chunk (out->data + old, type, prefix, data, len);
}

/* An APNG of `n` RGBA frames on a cw x ch canvas, acTL saying
 * `actl_frames`: frame 0 is the default image (IDAT), the others fdAT,
 * each encoded by libpng's simplified writer. */
static GByteArray *
build_apng (guint32 cw, guint32 ch, const TestFrame *frames, int n, guint32 actl_frames)
{
  GByteArray *out = g_byte_array_new ();
  guint32 seq = 0;
  guint8 actl[8], ihdr[13] = { 0 };

  g_byte_array_append (out, (const guint8 *) LM_PNG_SIGNATURE, 8);
  lm_png_put_u32 (ihdr, cw);
  lm_png_put_u32 (ihdr + 4, ch);
  ihdr[8] = 8;
  ihdr[9] = 6; /* RGBA */
  add_chunk (out, "IHDR", NULL, ihdr, 13);
  lm_png_put_u32 (actl, actl_frames);
  lm_png_put_u32 (actl + 4, 0);
  add_chunk (out, "acTL", NULL, actl, 8);
  for (int i = 0; i < n; i++)
    {
      const TestFrame *f = &frames[i];
      png_image img = { .version = PNG_IMAGE_VERSION, .width = f->w, .height = f->h, .format = PNG_FORMAT_RGBA };
      png_alloc_size_t size = 0;
      guint8 fctl[26];
      g_autofree guint8 *png = NULL;
      gsize pos = 8;
      lm_png_chunk c;
      char err[100];

      g_assert_true (png_image_write_to_memory (&img, NULL, &size, 0, f->rgba, 0, NULL));
      png = g_malloc (size);
      g_assert_true (png_image_write_to_memory (&img, png, &size, 0, f->rgba, 0, NULL));
      lm_apng_fctl fc = { seq++, f->w, f->h, f->x, f->y, f->num, f->den, f->dispose, f->blend };

      lm_apng_write_fctl (fctl, &fc);
      add_chunk (out, "fcTL", NULL, fctl, 26);
      while (lm_png_next_chunk (png, size, &pos, &c, err, sizeof err) == 1)
        {
          guint8 s[4];

          if (strcmp (c.type, "IDAT") != 0)
            continue;
          lm_png_put_u32 (s, seq);
          if (i == 0)
            add_chunk (out, "IDAT", NULL, c.data, c.len);
          else
            {
              add_chunk (out, "fdAT", s, c.data, c.len);
              seq++;
            }
        }
    }
  add_chunk (out, "IEND", NULL, NULL, 0);
  return out;
}

/* The offset of the `nth` (from 0) chunk of `type` in an APNG. */
static gsize
find_chunk (const GByteArray *a, const char *type, int nth)
{
  gsize pos = 8;

  while (pos + 12 <= a->len)
    {
      if (memcmp (a->data + pos + 4, type, 4) == 0 && nth-- == 0)
        return pos;
      pos += 12 + lm_png_get_u32 (a->data + pos);
    }
  g_assert_not_reached ();
}

/* After changing a chunk's data: its CRC made right again. */
static void
fix_crc (GByteArray *a, gsize at)
{
  guint32 n = lm_png_get_u32 (a->data + at);
  char type[5] = { 0 };

  memcpy (type, a->data + at + 4, 4);
  lm_png_put_u32 (a->data + at + 8 + n, lm_png_chunk_crc (type, a->data + at + 8, n));
}

/* Decoding fails, with a message containing `needle`. */
static void
assert_refused (const guint8 *data, gsize len, const char *needle)
{
  GError *error = NULL;
  LmImageAnimation *a = lm_image_decode_apng (data, len, 1, &error);

  g_assert_null (a);
  g_assert_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG);
  if (strstr (error->message, needle) == NULL)
    g_error ("message \"%s\" lacks \"%s\"", error->message, needle);
  g_error_free (error);
}

/* -------------------------------------------------------------- tests */

/* Lumen's own videos decode to exactly the frames logged, each shown
 * 1/fps s, looping forever; reduced by 2 they are the frames reduced. */
static void
test_decode_logged (void)
{
  static const struct
  {
    int n, channels;
    double fps;
  } v[] = { { 3, 3, 4 }, { 2, 1, 29.97 }, { 4, 4, 30 }, { 1, 3, 4 } };
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-video-XXXXXX");
  const int W = 7, H = 5;

  for (gsize k = 0; k < G_N_ELEMENTS (v); k++)
    {
      g_autofree char *run = g_strdup_printf ("r%zu", k);
      gsize len;
      g_autofree guint8 *blob = logged_video (dir, run, v[k].n, W, H, v[k].channels, v[k].fps, &len);
      GError *error = NULL;
      g_autoptr (LmImageAnimation) a = lm_image_decode_apng (blob, len, 1, &error);
      g_autoptr (LmImageAnimation) half = lm_image_decode_apng (blob, len, 2, &error);
      g_autoptr (LmImagePixels) still = lm_image_decode_png (blob, len, &error);

      g_assert_no_error (error);
      g_assert_cmpint (a->n_frames, ==, v[k].n);
      g_assert_cmpint (a->num_plays, ==, 0);
      for (int t = 0; t < v[k].n; t++)
        {
          g_autoptr (LmImagePixels) want_half = lm_image_pixels_reduce (a->frames[t], 2);

          assert_frame (a->frames[t], t, W, H, v[k].channels);
          g_assert_cmpfloat_with_epsilon (a->delays[t], 1 / v[k].fps, 1e-12);
          g_assert_cmpint (a->frames[t]->full_width, ==, W);
          /* factor 2: ceil (7 / 2) x ceil (5 / 2), the frame's block averages */
          g_assert_cmpint (half->frames[t]->width, ==, 4);
          g_assert_cmpint (half->frames[t]->height, ==, 3);
          g_assert_cmpint (half->frames[t]->full_width, ==, W);
          g_assert_cmpint (half->frames[t]->factor, ==, 2);
          g_assert_true (g_bytes_equal (half->frames[t]->rgba, want_half->rgba));
        }
      /* a plain PNG reader sees the first frame */
      assert_frame (still, 0, W, H, v[k].channels);
    }
  lm_test_rm_rf (dir);
}

/* A 4x2 canvas, RGBA:
 *   0: the whole canvas red, delay 1/10, dispose NONE
 *   1: 2x1 at (1, 1), blue and green at alpha 51, blend OVER, dispose
 *      BACKGROUND, delay 2/0 (a 0 denominator is 100: 0.02 s)
 *   2: 1x1 white at (3, 0), blend SOURCE, dispose PREVIOUS, 3/4 s
 *   3: 1x1 transparent at (0, 0), blend OVER (no change), 1/1 s
 * By the spec: frame 1 has (1,1) blue and (2,1) green over red, which is
 * (204, 51, 0) opaque (0.2 * green + 0.8 * red; alpha 0.2 + 0.8 = 1);
 * after it (1,1) and (2,1) are cleared to transparent black; frame 2 adds
 * white at (3,0); PREVIOUS takes that back, so frame 3 is frame 1's
 * canvas after its disposal. */
#define R 255, 0, 0, 255
#define Z 0, 0, 0, 0
static const guint8 red8[32] = { R, R, R, R, R, R, R, R };
static const guint8 f1[8] = { 0, 0, 255, 255, 0, 255, 0, 51 };
static const guint8 white[4] = { 255, 255, 255, 255 };
static const guint8 clear[4] = { 0, 0, 0, 0 };
static const guint8 want_frames[4][32] = {
  { R, R, R, R, R, R, R, R },
  { R, R, R, R, R, 0, 0, 255, 255, 204, 51, 0, 255, R },
  { R, R, R, 255, 255, 255, 255, R, Z, Z, R },
  { R, R, R, R, R, Z, Z, R },
};
static const double want_delays[4] = { 0.1, 0.02, 0.75, 1.0 };
static const TestFrame ops_frames[4] = {
  { 4, 2, 0, 0, LM_APNG_DISPOSE_NONE, LM_APNG_BLEND_SOURCE, 1, 10, red8 },
  { 2, 1, 1, 1, LM_APNG_DISPOSE_BACKGROUND, LM_APNG_BLEND_OVER, 2, 0, f1 },
  { 1, 1, 3, 0, LM_APNG_DISPOSE_PREVIOUS, LM_APNG_BLEND_SOURCE, 3, 4, white },
  { 1, 1, 0, 0, LM_APNG_DISPOSE_NONE, LM_APNG_BLEND_OVER, 1, 1, clear },
};

static void
test_decode_ops (void)
{
  g_autoptr (GByteArray) a = build_apng (4, 2, ops_frames, 4, 4);
  GError *error = NULL;
  g_autoptr (LmImageAnimation) anim = lm_image_decode_apng (a->data, a->len, 1, &error);

  g_assert_no_error (error);
  g_assert_cmpint (anim->n_frames, ==, 4);
  for (int t = 0; t < 4; t++)
    {
      g_assert_cmpint (anim->frames[t]->width, ==, 4);
      g_assert_cmpint (anim->frames[t]->height, ==, 2);
      g_assert_cmpmem (g_bytes_get_data (anim->frames[t]->rgba, NULL), 32, want_frames[t], 32);
      g_assert_cmpfloat_with_epsilon (anim->delays[t], want_delays[t], 1e-12);
    }

  /* A plain PNG: one frame, shown once. */
  {
    png_image img = { .version = PNG_IMAGE_VERSION, .width = 4, .height = 2, .format = PNG_FORMAT_RGBA };
    png_alloc_size_t size = 0;
    g_autofree guint8 *png = NULL;
    g_autoptr (LmImageAnimation) one = NULL;

    g_assert_true (png_image_write_to_memory (&img, NULL, &size, 0, want_frames[2], 0, NULL));
    png = g_malloc (size);
    g_assert_true (png_image_write_to_memory (&img, png, &size, 0, want_frames[2], 0, NULL));
    one = lm_image_decode_apng (png, size, 1, &error);
    g_assert_no_error (error);
    g_assert_cmpint (one->n_frames, ==, 1);
    g_assert_cmpint (one->num_plays, ==, 1);
    g_assert_cmpmem (g_bytes_get_data (one->frames[0]->rgba, NULL), 32, want_frames[2], 32);
  }
}

/* Damaged files: refused with the chunk and the problem named. */
static void
test_decode_damaged (void)
{
  g_autoptr (GByteArray) good = build_apng (4, 2, ops_frames, 4, 4);
  GByteArray *a;
  gsize at;
  GError *error = NULL;

  /* a flipped bit in frame 1's data */
  a = g_byte_array_new ();
  g_byte_array_append (a, good->data, good->len);
  at = find_chunk (a, "fdAT", 0);
  a->data[at + 14] ^= 0x10;
  {
    g_autofree char *want = g_strdup_printf ("invalid APNG: fdAT chunk at byte %zu has a bad CRC", at);

    assert_refused (a->data, a->len, want);
  }
  g_byte_array_unref (a);

  /* an fdAT whose sequence number is not the next */
  a = g_byte_array_new ();
  g_byte_array_append (a, good->data, good->len);
  at = find_chunk (a, "fdAT", 1);
  lm_png_put_u32 (a->data + at + 8, 9);
  fix_crc (a, at);
  assert_refused (a->data, a->len, "fdAT chunk at byte");
  assert_refused (a->data, a->len, "is out of sequence (number 9, expected 4)");
  g_byte_array_unref (a);

  /* frame 2 moved to x 4: outside the 4-wide canvas */
  a = g_byte_array_new ();
  g_byte_array_append (a, good->data, good->len);
  at = find_chunk (a, "fcTL", 2);
  lm_png_put_u32 (a->data + at + 8 + 12, 4);
  fix_crc (a, at);
  assert_refused (a->data, a->len, "frame 2 is 1x1 at (4, 0), outside the 4x2 canvas");
  g_byte_array_unref (a);

  /* acTL says 5 frames, and 3 */
  for (guint32 n = 3; n <= 5; n += 2)
    {
      g_autoptr (GByteArray) wrong = build_apng (4, 2, ops_frames, 4, n);
      g_autofree char *want = g_strdup_printf ("acTL chunk says %u frames, the file has 4", n);

      assert_refused (wrong->data, wrong->len, want);
    }

  /* frame 1's data is not zlib data (its CRC right) */
  a = g_byte_array_new ();
  g_byte_array_append (a, good->data, good->len);
  at = find_chunk (a, "fdAT", 0);
  memset (a->data + at + 12, 0xAB, lm_png_get_u32 (a->data + at) - 4);
  fix_crc (a, at);
  assert_refused (a->data, a->len, "invalid APNG: frame 1: invalid PNG");
  g_byte_array_unref (a);

  /* an unknown dispose_op */
  a = g_byte_array_new ();
  g_byte_array_append (a, good->data, good->len);
  at = find_chunk (a, "fcTL", 1);
  a->data[at + 8 + 24] = 7;
  fix_crc (a, at);
  assert_refused (a->data, a->len, "unknown dispose_op 7");
  g_byte_array_unref (a);

  /* every truncation fails with a message, none crashes */
  for (gsize n = 0; n < good->len; n++)
    {
      LmImageAnimation *anim = lm_image_decode_apng (good->data, n, 1, &error);

      g_assert_null (anim);
      g_assert_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG);
      g_assert_cmpuint (strlen (error->message), >, 10);
      g_clear_error (&error);
    }
  assert_refused (good->data, good->len - 12, "no IEND chunk");
  assert_refused (good->data, find_chunk (good, "fdAT", 1) + 20, "fdAT chunk at byte");
  assert_refused (good->data, find_chunk (good, "fdAT", 1) + 20, "is truncated");
  assert_refused (good->data, 5, "not a PNG file");
}

/* A valid video too big to hold whole (300 frames of 720p are 1055 MiB
 * of RGBA) is refused as too large, not as a damaged file ("invalid
 * APNG"): lumen-import and the full-size window say so.  Frame 0 covers
 * the canvas, the others are one pixel each, so the file is small. */
static void
test_decode_too_large (void)
{
  enum { W = 1280, H = 720, N = 300 };
  g_autofree guint8 *black = g_malloc0 ((gsize) W * H * 4);
  static const guint8 dot[4] = { 255, 0, 0, 255 };
  g_autofree TestFrame *frames = g_new0 (TestFrame, N);
  GError *error = NULL;

  for (int i = 0; i < N; i++)
    frames[i] = (TestFrame) { i ? 1 : W, i ? 1 : H, 0, 0, LM_APNG_DISPOSE_NONE, LM_APNG_BLEND_SOURCE, 1, 30,
                              i ? dot : black };
  g_autoptr (GByteArray) a = build_apng (W, H, frames, N, N);

  g_assert_null (lm_image_decode_apng (a->data, a->len, 1, &error));
  g_assert_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "300 frames of 1280x720 are 1055 MiB decoded, more than the 1024 MiB "
                                       "a video may take");
  g_clear_error (&error);
}

#if !defined(__SANITIZE_ADDRESS__)
/* The process's address space in bytes (VmSize), 0 when unknown. */
static guint64
address_space_bytes (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) || !(line = strstr (status, "VmSize:")))
    return 0;
  return g_ascii_strtoull (line + strlen ("VmSize:"), NULL, 10) * 1024;
}
#endif

/* An image whose RGBA pixels do not fit in memory is refused with a
 * message (on its card), not an abort of the whole app: an 8192x8192
 * PNG is 256 MiB as RGBA, decoded with 128 MiB of address space left.
 * Reduced for a card (factor 8: 4 MiB) it still decodes.  Run in a
 * subprocess under RLIMIT_AS, which AddressSanitizer's shadow memory
 * cannot live with. */
static void
test_decode_out_of_memory (void)
{
#if defined(__SANITIZE_ADDRESS__)
  g_test_skip ("RLIMIT_AS and AddressSanitizer do not mix");
#else
  if (g_test_subprocess ())
    {
      enum { S = 8192 };
      png_image img = { .version = PNG_IMAGE_VERSION, .width = S, .height = S, .format = PNG_FORMAT_GRAY };
      guint8 *grey = g_malloc0 ((gsize) S * S);
      png_alloc_size_t size = 0;
      g_autofree guint8 *png = NULL;
      struct rlimit lim;
      GError *error = NULL;
      LmImagePixels *p;
      guint64 used;

      g_assert_true (png_image_write_to_memory (&img, NULL, &size, 0, grey, 0, NULL));
      png = g_malloc (size);
      g_assert_true (png_image_write_to_memory (&img, png, &size, 0, grey, 0, NULL));
      g_free (grey);
      used = address_space_bytes ();
      g_assert_cmpuint (used, >, 0);
      lim.rlim_cur = lim.rlim_max = used + (128u << 20);
      g_assert_cmpint (setrlimit (RLIMIT_AS, &lim), ==, 0);

      p = lm_image_decode_png (png, size, &error);
      g_assert_null (p);
      g_assert_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_TOO_LARGE);
      g_assert_cmpstr (error->message, ==, "not enough memory to decode the 8192x8192 image (256 MiB as RGBA)");
      g_clear_error (&error);

      p = lm_image_decode_png_reduced (png, size, 8, &error);
      g_assert_no_error (error);
      g_assert_cmpint (p->width, ==, S / 8);
      lm_image_pixels_unref (p);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
#endif
}

/* The feed lists videos with their frames and fps, stills with 1 and 0,
 * also from a file from before videos (no such columns). */
static void
test_feed (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-video-XXXXXX");
  g_autofree char *old_path = NULL;
  g_autofree guint8 *f = make_frames (3, 4, 4, 3);
  g_autoptr (LmRunStore) store = NULL;
  g_autoptr (LmRecordFeed) feed = NULL;
  LmRecordSeries *s;
  LmImageMeta *m;
  lm_writer *w;
  sqlite3 *db;

  g_assert_cmpint (lm_writer_open (&w, dir, "new"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_video (w, "episode", 5, f, 3, 4, 4, 3, 29.97), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_image (w, "still", 5, f, 4, 4, 3), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  g_assert_cmpint (lm_writer_open (&w, dir, "old"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_image (w, "still", 1, f, 4, 4, 3), ==, LM_OK);
  old_path = g_strdup (lm_writer_file_path (w));
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  g_assert_cmpint (sqlite3_open (old_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "ALTER TABLE images DROP COLUMN frames; ALTER TABLE images DROP COLUMN fps",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = lm_test_store_open (dir);
  feed = lm_test_feed_open (store, LM_RECORD_IMAGE);
  s = lm_record_feed_find (feed, "new", "episode");
  g_assert_nonnull (s);
  m = s->items->pdata[0];
  g_assert_cmpint (m->n_frames, ==, 3);
  g_assert_cmpfloat (m->fps, ==, 29.97);
  g_assert_cmpint (m->width, ==, 4);
  m = lm_record_feed_find (feed, "new", "still")->items->pdata[0];
  g_assert_cmpint (m->n_frames, ==, 1);
  g_assert_cmpfloat (m->fps, ==, 0);
  s = lm_record_feed_find (feed, "old", "still");
  g_assert_nonnull (s);
  m = s->items->pdata[0];
  g_assert_cmpint (m->step, ==, 1);
  g_assert_cmpint (m->n_frames, ==, 1);
  g_assert_cmpfloat (m->fps, ==, 0);
  g_clear_object (&feed);
  g_clear_object (&store);
  lm_test_rm_rf (dir);
}

typedef struct
{
  LmImageAnimation *anim;
  LmImagePixels *pixels;
  GError *error;
  gboolean done;
} LoadResult;

static void
on_animation (GObject *source, GAsyncResult *res, gpointer data)
{
  LoadResult *r = data;

  r->anim = lm_image_loader_load_animation_finish (LM_IMAGE_LOADER (source), res, &r->error);
  r->done = TRUE;
}

static void
on_still (GObject *source, GAsyncResult *res, gpointer data)
{
  LoadResult *r = data;

  r->pixels = lm_image_loader_load_finish (LM_IMAGE_LOADER (source), res, &r->error);
  r->done = TRUE;
}

static gboolean
load_done (gpointer data)
{
  return ((LoadResult *) data)->done;
}

static LmImageAnimation *
load_animation (LmImageLoader *loader, const char *path, gint64 id, int factor, GError **error)
{
  LoadResult r = { 0 };

  lm_image_loader_load_animation_async (loader, path, id, factor, NULL, on_animation, &r);
  g_assert_true (lm_test_wait_for (load_done, &r, 10000));
  if (r.error)
    g_propagate_error (error, r.error);
  return r.anim;
}

/* Animation loads: the frames, cached per factor apart from the stills;
 * one over a third of the cache returned but not kept; a missing row. */
static void
test_loader (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-video-XXXXXX");
  g_autofree char *path = NULL;
  gsize len;
  g_autofree guint8 *blob = logged_video (dir, "run", 3, 8, 6, 3, 4, &len);
  /* 3 frames of 8x6 RGBA are 576 bytes: a cache of 2000 keeps them */
  g_autoptr (LmImageLoader) loader = lm_image_loader_new (2000);
  g_autoptr (LmImageLoader) small = lm_image_loader_new (1500);
  LmImageAnimation *a, *cached;
  LoadResult still = { 0 };
  GError *error = NULL;

  path = g_build_filename (dir, "run", "run.lumen", NULL);
  g_assert_null (lm_image_loader_lookup_animation (loader, path, 1, 1));
  a = load_animation (loader, path, 1, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->n_frames, ==, 3);
  for (int t = 0; t < 3; t++)
    {
      assert_frame (a->frames[t], t, 8, 6, 3);
      g_assert_cmpfloat (a->delays[t], ==, 0.25);
    }
  cached = lm_image_loader_lookup_animation (loader, path, 1, 1);
  g_assert_true (cached == a);
  lm_image_animation_unref (cached);
  lm_image_animation_unref (a);
  g_assert_cmpuint (lm_image_loader_get_n_decoded (loader), ==, 1);
  /* the decode gate counted the composing: four 8x6 RGBA canvases (the
   * canvas, its copy for PREVIOUS, a frame from libpng, a frame before
   * reducing) and the three frames, 4 x 192 + 576; it counted only one
   * frame's libpng decode (192) and let any number of large videos
   * compose at once */
  g_assert_cmpuint (lm_image_loader_get_peak_decode_bytes (loader), ==, 4 * 192 + 3 * 192);
  /* the still of the same row is not the animation's entry */
  g_assert_null (lm_image_loader_lookup (loader, path, 1));
  g_assert_null (lm_image_loader_lookup_animation (loader, path, 1, 2));

  /* factor 2, cached on its own */
  a = load_animation (loader, path, 1, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->frames[2]->width, ==, 4);
  g_assert_cmpint (a->frames[2]->factor, ==, 2);
  cached = lm_image_loader_lookup_animation (loader, path, 1, 2);
  g_assert_true (cached == a);
  lm_image_animation_unref (cached);
  lm_image_animation_unref (a);

  /* a still load of a video is its first frame */
  lm_image_loader_load_async (loader, path, 1, NULL, on_still, &still);
  g_assert_true (lm_test_wait_for (load_done, &still, 10000));
  g_assert_no_error (still.error);
  assert_frame (still.pixels, 0, 8, 6, 3);
  lm_image_pixels_unref (still.pixels);

  /* 576 bytes are over a third of 1500: returned, not kept */
  a = load_animation (small, path, 1, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->n_frames, ==, 3);
  lm_image_animation_unref (a);
  g_assert_null (lm_image_loader_lookup_animation (small, path, 1, 1));

  a = load_animation (loader, path, 999, 1, &error);
  g_assert_null (a);
  g_assert_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_MISSING);
  g_clear_error (&error);
  lm_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/video/decode-logged", test_decode_logged);
  g_test_add_func ("/data/video/decode-ops", test_decode_ops);
  g_test_add_func ("/data/video/decode-damaged", test_decode_damaged);
  g_test_add_func ("/data/video/decode-too-large", test_decode_too_large);
  g_test_add_func ("/data/video/decode-out-of-memory", test_decode_out_of_memory);
  g_test_add_func ("/data/video/feed", test_feed);
  g_test_add_func ("/data/video/loader", test_loader);
  return g_test_run ();
}
