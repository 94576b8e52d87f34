/* test-import-video.c: lumen-import's videos (app/import) end to end on
 * video/, the run make-gif-fixtures.py writes as PyTorch 1.13's
 * add_video logs it (a Summary.Image holding an animated GIF), with a
 * GIF of one frame, an APNG, a JPEG and three broken GIFs: every row's
 * size, channels, frames, fps and decoded pixels (gif/NAME.rgba,
 * Pillow 9.4's decode of the GIF); the broken ones are named and the rest
 * imported.  Then the run goes to event files with lumen-export and back:
 * every row comes back as it was.  An APNG whose frames have delays of
 * their own is stored byte for byte, its delays kept, and exported as
 * the same bytes. */
#include "lm-tb-export.h"
#include "lm-tb-import.h"
#include "tb-messages.h"
#include "../logging/log-test-util.h"

#include <lm-image-loader.h>
#include <png.h>

#include "lm-apng.h"
#include "lm-tfevents.h"

static void
add_chunk (GByteArray *out, const char *type, const guint8 *prefix, const guint8 *data, gsize len)
{
  guint old = out->len;

  g_byte_array_set_size (out, old + (guint) (len + LM_PNG_CHUNK_OVERHEAD + (prefix ? 4 : 0)));
  lm_png_put_chunk (out->data + old, type, prefix, data, len);
}

static GBytes *
fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "gif", name, NULL);
  char *data;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_bytes_new_take (data, len);
}

static char *
import_dir (const char *src, Messages *m, guint *errors)
{
  char *dst = tmpdir_new ();

  *errors = tb_import_once (src, dst, m);
  return dst;
}

typedef struct
{
  const char *tag;
  gint64 step;
  int width, height, channels, frames; /* frames 0: a still (NULL) */
  double fps;
  const char *rgba; /* gif/<rgba>: its first `frames` frames */
} Row;

static const Row rows[] = {
  /* add_video(fps=4): 25/100 s a frame */
  { "episode", 0, 40, 8, 3, 4, 4.0, "torch.rgba" },
  /* add_video(fps=30): 3/100 s a frame in the GIF, so 100/3 */
  { "episode", 1, 40, 8, 3, 3, 100.0 / 3, "torch30.rgba" },
  { "still", 1, 5, 3, 3, 0, 0, "still.rgba" },
  /* Pillow's APNG: 125/1000 s a frame, a transparent pixel */
  { "apng", 2, 4, 3, 4, 3, 8.0, "apng.rgba" },
  { "dispose", 3, 12, 10, 4, 4, 4.0, "dispose.rgba" },
};

static void
assert_rows (sqlite3 *db)
{
  sqlite3_stmt *st = db_query (db, "SELECT t.name, i.step, i.width, i.height, i.channels, "
                                   "i.frames, i.fps, i.png FROM images i JOIN tags t "
                                   "ON t.id = i.tag_id ORDER BY i.id");

  for (guint k = 0; k < G_N_ELEMENTS (rows); k++)
    {
      const Row *w = &rows[k];
      g_test_message ("%s at %" G_GINT64_FORMAT, w->tag, w->step);
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (st, 0), ==, w->tag);
      g_assert_cmpint (sqlite3_column_int64 (st, 1), ==, w->step);
      g_assert_cmpint (sqlite3_column_int (st, 2), ==, w->width);
      g_assert_cmpint (sqlite3_column_int (st, 3), ==, w->height);
      g_assert_cmpint (sqlite3_column_int (st, 4), ==, w->channels);
      if (w->frames == 0)
        {
          g_assert_cmpint (sqlite3_column_type (st, 5), ==, SQLITE_NULL);
          g_assert_cmpint (sqlite3_column_type (st, 6), ==, SQLITE_NULL);
        }
      else
        {
          g_assert_cmpint (sqlite3_column_int (st, 5), ==, w->frames);
          g_assert_cmpfloat_with_epsilon (sqlite3_column_double (st, 6), w->fps, 1e-9);
        }
      g_autoptr (GError) error = NULL;
      g_autoptr (LmImageAnimation) a = lm_image_decode_apng (sqlite3_column_blob (st, 7),
                                                             (gsize) sqlite3_column_bytes (st, 7),
                                                             1, &error);
      g_assert_no_error (error);
      g_assert_cmpint (a->n_frames, ==, w->frames ? w->frames : 1);
      g_autoptr (GBytes) want = fixture (w->rgba);
      gsize size = (gsize) w->width * w->height * 4, n;
      const guint8 *px = g_bytes_get_data (want, &n);
      g_assert_cmpuint (n, >=, size * (gsize) a->n_frames);
      for (int f = 0; f < a->n_frames; f++)
        {
          const guint8 *got = g_bytes_get_data (a->frames[f]->rgba, &n);
          g_assert_cmpint (a->frames[f]->width, ==, w->width);
          g_assert_cmpint (a->frames[f]->height, ==, w->height);
          g_assert_cmpmem (got, n, px + size * (gsize) f, size);
          if (w->frames)
            g_assert_cmpfloat_with_epsilon (a->delays[f], 1 / w->fps, 1e-9);
        }
    }
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
  sqlite3_finalize (st);
}

static void
test_fixture (void)
{
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "video", NULL);
  Messages m;
  guint errors;
  g_autofree char *dst = import_dir (src, &m, &errors);

  g_assert_cmpuint (errors, ==, 3);
  g_assert_cmpuint (m.errors->len, ==, 3);
  /* named by their frames, counted without decoding them: a GIF of two
   * or more is a video (it said "image"), of one an image */
  g_assert_nonnull (strstr (m.errors->pdata[0], "video: video 'broken' at step 2 not imported: "
                                                "GIF: truncated in frame 2's image data"));
  g_assert_nonnull (strstr (m.errors->pdata[1], "video: image 'broken' at step 2 not imported: "
                                                "GIF: frame 1: bad LZW code 7 (the table has 6)"));
  g_assert_nonnull (strstr (m.errors->pdata[2], "video: video 'broken' at step 2 not imported: "
                                                "GIF: frame 2 (3x2 at 4,2) lies outside the 6x4 "
                                                "canvas"));
  g_assert_cmpuint (m.infos->len, ==, 1);
  g_assert_nonnull (strstr (m.infos->pdata[0], ": imported 0 scalars, 1 image, 4 videos; skipped "
                                               "1 image (only PNG and GIF images are read)"));
  messages_clear (&m);
  g_autofree char *path = g_build_filename (dst, "video", "run.lumen", NULL);
  sqlite3 *db = db_open_ro (path);
  assert_rows (db);
  sqlite3_close (db);
  tmpdir_free (g_steal_pointer (&dst));
}

/* Export -> import: the videos come back with their frames, fps and
 * channels, the APNG byte for byte (the same frames encoded again). */
static void
test_round_trip (void)
{
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "video", NULL);
  g_autofree char *mid = tmpdir_new ();
  Messages m;
  guint errors;
  g_autofree char *first = import_dir (src, &m, &errors);
  messages_clear (&m);

  messages_init (&m);
  LmTbExportOptions o = { .message = collect, .message_data = &m };
  g_assert_cmpuint (lm_tb_export (first, mid, &o), ==, 0);
  g_assert_cmpuint (m.infos->len, ==, 1);
  g_assert_nonnull (strstr (m.infos->pdata[0], ": exported 0 scalars, 1 image, 4 videos"));
  messages_clear (&m);

  g_autofree char *back = import_dir (mid, &m, &errors);
  g_assert_cmpuint (errors, ==, 0);
  g_assert_nonnull (strstr (m.infos->pdata[0], ": imported 0 scalars, 1 image, 4 videos"));
  g_assert_null (strstr (m.infos->pdata[0], "skipped"));
  messages_clear (&m);

  g_autofree char *p1 = g_build_filename (first, "video", "run.lumen", NULL);
  g_autofree char *p2 = g_build_filename (back, "video", "run.lumen", NULL);
  sqlite3 *a = db_open_ro (p1), *b = db_open_ro (p2);
  const char *q = "SELECT t.name, i.step, i.wall_time, i.width, i.height, i.channels, i.frames, "
                  "i.fps, hex(i.png) FROM images i JOIN tags t ON t.id = i.tag_id ORDER BY i.id";
  sqlite3_stmt *sa = db_query (a, q), *sb = db_query (b, q);
  int rows_seen = 0;
  for (int rc; (rc = sqlite3_step (sa)) == SQLITE_ROW; rows_seen++)
    {
      g_assert_cmpint (sqlite3_step (sb), ==, SQLITE_ROW);
      for (int i = 0; i < sqlite3_column_count (sa); i++)
        {
          g_test_message ("row %d, %s", rows_seen, sqlite3_column_name (sa, i));
          g_assert_cmpint (sqlite3_column_type (sb, i), ==, sqlite3_column_type (sa, i));
          if (sqlite3_column_type (sa, i) == SQLITE_FLOAT)
            g_assert_cmpfloat (sqlite3_column_double (sb, i), ==, sqlite3_column_double (sa, i));
          else
            g_assert_cmpstr ((const char *) sqlite3_column_text (sb, i), ==,
                             (const char *) sqlite3_column_text (sa, i));
        }
    }
  g_assert_cmpint (sqlite3_step (sb), ==, SQLITE_DONE);
  g_assert_cmpint (rows_seen, ==, G_N_ELEMENTS (rows));
  sqlite3_finalize (sa);
  sqlite3_finalize (sb);
  assert_rows (b);
  sqlite3_close (a);
  sqlite3_close (b);
  tmpdir_free (g_steal_pointer (&first));
  tmpdir_free (g_steal_pointer (&mid));
  tmpdir_free (g_steal_pointer (&back));
}

/* An APNG of 3 RGB 6x4 frames shown 1/10, 3/10 (den 0: hundredths) and
 * 1/2 s, each frame's data encoded by libpng's simplified writer. */
static GByteArray *
varying_apng (void)
{
  static const guint16 delays[3][2] = { { 1, 10 }, { 30, 0 }, { 1, 2 } };
  GByteArray *out = g_byte_array_new ();
  guint8 ihdr[13] = { 0, 0, 0, 6, 0, 0, 0, 4, 8, 2 }, actl[8] = { 0, 0, 0, 3 };
  guint32 seq = 0;

  g_byte_array_append (out, (const guint8 *) LM_PNG_SIGNATURE, LM_PNG_SIGNATURE_LEN);
  add_chunk (out, "IHDR", NULL, ihdr, 13);
  add_chunk (out, "acTL", NULL, actl, 8);
  for (int f = 0; f < 3; f++)
    {
      png_image img = { .version = PNG_IMAGE_VERSION, .width = 6, .height = 4, .format = PNG_FORMAT_RGB };
      guint8 px[6 * 4 * 3], fctl[LM_APNG_FCTL_LEN] = { 0 }, s[4];
      png_alloc_size_t size = 0;
      gsize pos = LM_PNG_SIGNATURE_LEN;
      lm_png_chunk c;
      char err[100];

      for (gsize i = 0; i < sizeof px; i++)
        px[i] = (guint8) (i * 11 + (gsize) f * 70);
      g_assert_true (png_image_write_to_memory (&img, NULL, &size, 0, px, 0, NULL));
      g_autofree guint8 *png = g_malloc (size);
      g_assert_true (png_image_write_to_memory (&img, png, &size, 0, px, 0, NULL));
      lm_png_put_u32 (fctl, seq++);
      lm_png_put_u32 (fctl + 4, 6);
      lm_png_put_u32 (fctl + 8, 4);
      lm_png_put_u16 (fctl + 20, delays[f][0]);
      lm_png_put_u16 (fctl + 22, delays[f][1]);
      add_chunk (out, "fcTL", NULL, fctl, sizeof fctl);
      while (lm_png_next_chunk (png, size, &pos, &c, err, sizeof err) == 1)
        if (strcmp (c.type, "IDAT") == 0)
          {
            lm_png_put_u32 (s, seq);
            seq += f > 0;
            add_chunk (out, f ? "fdAT" : "IDAT", f ? s : NULL, c.data, c.len);
          }
    }
  add_chunk (out, "IEND", NULL, NULL, 0);
  return out;
}

/* The image row's APNG of the run under dir/run (g_free it). */
static guint8 *
stored_apng (const char *dir, gsize *len, int *frames, double *fps)
{
  g_autofree char *path = g_build_filename (dir, "run", "run.lumen", NULL);
  sqlite3 *db = db_open_ro (path);
  sqlite3_stmt *st = db_query (db, "SELECT png, frames, fps FROM images");

  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  *len = (gsize) sqlite3_column_bytes (st, 0);
  guint8 *png = g_memdup2 (sqlite3_column_blob (st, 0), *len);
  *frames = sqlite3_column_int (st, 1);
  *fps = sqlite3_column_double (st, 2);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return png;
}

/* An APNG whose frames have delays of their own is stored as it is: the
 * app's decoded animation has those delays (lumen-import played it at
 * their mean, 0.3 s each, before), the card's fps is 3 frames in 0.9 s,
 * and lumen-export gives back the same bytes. */
static void
test_varying_delays (void)
{
  g_autoptr (GByteArray) apng = varying_apng ();
  g_autofree char *src = tmpdir_new ();
  g_autofree char *run = g_build_filename (src, "run", NULL);
  g_autofree char *file = g_build_filename (run, "events.out.tfevents.1669111200.host.1.0", NULL);
  g_autoptr (GByteArray) img = g_byte_array_new (), value = g_byte_array_new ();
  g_autoptr (GByteArray) summary = g_byte_array_new (), ev = g_byte_array_new ();
  g_autoptr (GByteArray) rec = g_byte_array_new ();
  Messages m;
  guint errors;

  /* Event {wall_time, step 7, summary {value {tag, image {4, 6, 3, apng}}}} */
  lm_pbw_varint (img, 1, 4);
  lm_pbw_varint (img, 2, 6);
  lm_pbw_varint (img, 3, 3);
  lm_pbw_bytes (img, 4, apng->data, apng->len);
  lm_pbw_string (value, 1, "clip");
  lm_pbw_message (value, 4, img);
  lm_pbw_message (summary, 1, value);
  lm_pbw_double (ev, 1, 1669111200.0);
  lm_pbw_varint (ev, 2, 7);
  lm_pbw_message (ev, 5, summary);
  lm_tfrecord_frame (rec, ev->data, ev->len);
  g_assert_cmpint (g_mkdir (run, 0755), ==, 0);
  g_assert_true (g_file_set_contents (file, (const char *) rec->data, rec->len, NULL));

  g_autofree char *dst = import_dir (src, &m, &errors);
  g_assert_cmpuint (errors, ==, 0);
  g_assert_nonnull (strstr (m.infos->pdata[0], ": imported 0 scalars, 1 video"));
  messages_clear (&m);
  gsize len;
  int frames;
  double fps;
  g_autofree guint8 *stored = stored_apng (dst, &len, &frames, &fps);
  g_assert_cmpmem (stored, len, apng->data, apng->len);
  g_assert_cmpint (frames, ==, 3);
  g_assert_cmpfloat_with_epsilon (fps, 3 / 0.9, 1e-12);

  g_autoptr (GError) error = NULL;
  g_autoptr (LmImageAnimation) a = lm_image_decode_apng (stored, len, 1, &error);
  static const double want[3] = { 0.1, 0.3, 0.5 };
  g_assert_no_error (error);
  g_assert_cmpint (a->n_frames, ==, 3);
  for (int f = 0; f < 3; f++)
    g_assert_cmpfloat_with_epsilon (a->delays[f], want[f], 1e-12);

  /* exported: the event file holds the same bytes, imported again the
   * same row */
  g_autofree char *mid = tmpdir_new ();
  messages_init (&m);
  LmTbExportOptions o = { .message = collect, .message_data = &m };
  g_assert_cmpuint (lm_tb_export (dst, mid, &o), ==, 0);
  messages_clear (&m);
  g_autofree char *back = import_dir (mid, &m, &errors);
  g_assert_cmpuint (errors, ==, 0);
  messages_clear (&m);
  g_autofree guint8 *again = stored_apng (back, &len, &frames, &fps);
  g_assert_cmpmem (again, len, apng->data, apng->len);
  g_assert_cmpfloat_with_epsilon (fps, 3 / 0.9, 1e-12);

  tmpdir_free (g_steal_pointer (&src));
  tmpdir_free (g_steal_pointer (&dst));
  tmpdir_free (g_steal_pointer (&mid));
  tmpdir_free (g_steal_pointer (&back));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/import-video/fixture", test_fixture);
  g_test_add_func ("/import-video/round-trip", test_round_trip);
  g_test_add_func ("/import-video/varying-delays", test_varying_delays);
  return g_test_run ();
}
