/* test-records.c: the read side of the non-scalar dashboards.
 *
 * What it checks: TensorBoard's compressed-histogram percentiles against
 * values computed by hand (uniform buckets, an empty bucket, min/max
 * inside the outer buckets, empty buckets at both ends of a fixed grid,
 * a constant in equal-width buckets), always within [min, max]; NaN and
 * +-Inf counted, left out of the range and the drawing, and described;
 * display re-binning conserving counts; bad
 * histogram rows (zero buckets, NaN edge, short blob) flagged with a
 * message; PNG decoding of a logged image and the rejection of a corrupt
 * blob; the live feed reading histograms, image metadata, text (invalid
 * UTF-8 flagged) and hparams with final metric values (a NaN one told
 * from one never logged), then only the new rows after more are logged;
 * hparams metrics of a sub-run (Keras' "train" and "validation" groups)
 * named "group.tag" and valued from that run, followed live, and a file
 * from before them read as before;
 * PR curves read per threshold (a damaged curve flagged, a file from
 * before PR curves read without error, only new curves read live);
 * the image loader's cache, and its reduced loads (block averages
 * weighted by alpha, cached per factor; the factor for a card's size);
 * PNGs decoded row by row and reduced as the rows arrive: a known
 * pattern's block averages, the same pixels as libpng's simplified API
 * for every colour type and depth (interlaced, 16-bit and gamma-1.0 ones
 * decoded whole), truncated and corrupt data named in the message (size,
 * rows decoded), and a reduced load holding no more than the reduced
 * image and a few rows; audio: WAVs of every accepted format decoded to
 * known samples, every truncation and header damage refused with a
 * message, clips of two runs listed in (step, id) order and followed
 * live, a long clip's peak summary (the decoded samples' least and
 * greatest per block), and the audio loader's peaks, cache and errors,
 * a long clip's WAV written to a file as stored.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <math.h>
#include <png.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include <lumen-log.h>

#include "lumen-data.h"
#include "lm-records-private.h"
#include "lm-test-records.h"
#include "../wav-test-util.h"

#include <lumen-log.h>

static LmHistogram *
make (guint n, const double *edges, const double *counts, double min, double max)
{
  double total = 0;

  for (guint i = 0; i < n; i++)
    total += counts[i];
  /* The blobs are little-endian; so is every machine this runs on, but
   * go through the decoder anyway. */
  return lm_histogram_new_from_blobs (1, 0, 0, total, min, max, 0, n,
                                      edges, 8 * (n + 1), counts, 8 * n);
}

static void
test_percentiles_uniform (void)
{
  const double edges[] = { 0, 1, 2, 3, 4 }, counts[] = { 1, 1, 1, 1 };
  /* Uniform on [0, 4]: percentile p (in basis points) is 4p/10000. */
  const double want[LM_N_PERCENTILES] = { 0, 0.2672, 0.6348, 1.234, 2.0, 2.766, 3.3652, 3.7328, 4 };
  g_autoptr (GError) error = NULL;
  LmHistogram *h = make (4, edges, counts, 0, 4);
  double p[LM_N_PERCENTILES];

  g_assert_null (h->error);
  lm_histogram_percentiles (h, p);
  for (guint k = 0; k < LM_N_PERCENTILES; k++)
    g_assert_cmpfloat_with_epsilon (p[k], want[k], 1e-9);
  lm_histogram_free (h);
}

static void
test_percentiles_skewed (void)
{
  /* 3 values in [-1, 0), none in [0, 1), 1 in [1, 2]: cumulative basis
   * points 7500, 7500, 10000.  Worked by hand from compress_histogram:
   * bp 668 -> -1 + 668/7500; bp 8413 skips the empty bucket and
   * interpolates in [1, 2] from 7500: 1 + 913/2500. */
  const double edges[] = { -1, 0, 1, 2 }, counts[] = { 3, 0, 1 };
  const double want[LM_N_PERCENTILES] = {
    -1, -1 + 668 / 7500.0, -1 + 1587 / 7500.0, -1 + 3085 / 7500.0, -1 + 5000 / 7500.0,
    -1 + 6915 / 7500.0, 1 + 913 / 2500.0, 1 + 1832 / 2500.0, 2 };
  LmHistogram *h = make (3, edges, counts, -1, 2);
  double p[LM_N_PERCENTILES];

  lm_histogram_percentiles (h, p);
  for (guint k = 0; k < LM_N_PERCENTILES; k++)
    g_assert_cmpfloat_with_epsilon (p[k], want[k], 1e-9);
  lm_histogram_free (h);
}

static void
test_percentiles_min_max (void)
{
  /* One wide bucket [0, 10) but the values lie in [2, 6]: TensorBoard
   * uses min/max for the outer edges, so the median is 4. */
  const double edges[] = { 0, 10 }, counts[] = { 8 };
  LmHistogram *h = make (1, edges, counts, 2, 6);
  double p[LM_N_PERCENTILES], lo, hi;

  lm_histogram_percentiles (h, p);
  g_assert_cmpfloat_with_epsilon (p[0], 2, 1e-12);
  g_assert_cmpfloat_with_epsilon (p[4], 4, 1e-12);
  g_assert_cmpfloat_with_epsilon (p[8], 6, 1e-12);
  g_assert_true (lm_histogram_range (h, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 2);
  g_assert_cmpfloat (hi, ==, 6);
  lm_histogram_free (h);
}

static void
test_percentiles_empty_edges (void)
{
  /* np.histogram(x, bins=20, range=(-1, 1)) style: only [0.1, 0.5) holds
   * values, min 0.15 and max 0.45.  Cumulative basis points 2000, 6000,
   * 8000, 10000.  compress_histogram with the buckets clipped to
   * [min, max], by hand: bp 668 in [0.15, 0.2): 0.15 + 668/2000 * 0.05;
   * bp 3085 in [0.2, 0.3): 0.2 + 1085/4000 * 0.1; bp 8413 in [0.4, 0.45]:
   * 0.4 + 413/2000 * 0.05. */
  double edges[21], counts[20] = { 0 };
  const double want[LM_N_PERCENTILES] = {
    0.15, 0.15 + 668 / 2000.0 * 0.05, 0.15 + 1587 / 2000.0 * 0.05, 0.2 + 1085 / 4000.0 * 0.1,
    0.2 + 3000 / 4000.0 * 0.1, 0.3 + 915 / 2000.0 * 0.1, 0.4 + 413 / 2000.0 * 0.05,
    0.4 + 1332 / 2000.0 * 0.05, 0.45 };
  LmHistogram *h;
  double p[LM_N_PERCENTILES], lo, hi, out[4];

  for (int i = 0; i <= 20; i++)
    edges[i] = -1 + 0.1 * i;
  counts[11] = 2;
  counts[12] = 4;
  counts[13] = 2;
  counts[14] = 2;
  h = make (20, edges, counts, 0.15, 0.45);
  lm_histogram_percentiles (h, p);
  for (guint k = 0; k < LM_N_PERCENTILES; k++)
    g_assert_cmpfloat_with_epsilon (p[k], want[k], 1e-9);
  /* The envelope is min..max, not the grid's -1..1. */
  g_assert_true (lm_histogram_range (h, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 0.15);
  g_assert_cmpfloat (hi, ==, 0.45);
  /* Re-binned over that range: [0.15, 0.225) gets all of [0.15, 0.2)
   * (spread over its clipped span) and a quarter of [0.2, 0.3). */
  lm_histogram_rebin (h, 0.15, 0.45, 4, out);
  g_assert_cmpfloat_with_epsilon (out[0], 2 + 4 * 0.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (out[0] + out[1] + out[2] + out[3], 10, 1e-9);

  /* No min/max stored: the non-empty buckets' span. */
  lm_histogram_free (h);
  h = make (20, edges, counts, NAN, NAN);
  g_assert_true (lm_histogram_range (h, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (lo, 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (hi, 0.5, 1e-12);
  lm_histogram_percentiles (h, p);
  g_assert_cmpfloat_with_epsilon (p[0], 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (p[4], 0.275, 1e-12);
  g_assert_cmpfloat_with_epsilon (p[8], 0.5, 1e-12);
  lm_histogram_free (h);
}

static void
test_percentiles_constant (void)
{
  /* lm_writer_add_histogram_uniform of 1000 values 3.0: 30 buckets over
   * [2.5, 3.5], min = max = 3.  Every band is 3, whichever of the two
   * buckets meeting at 3.0 holds the values. */
  for (guint b = 14; b <= 15; b++)
    {
      double edges[31], counts[30] = { 0 }, p[LM_N_PERCENTILES], lo, hi, out[LM_N_PERCENTILES];
      LmHistogram *h;

      for (int i = 0; i <= 30; i++)
        edges[i] = 2.5 + i / 30.0;
      counts[b] = 1000;
      h = make (30, edges, counts, 3, 3);
      lm_histogram_percentiles (h, p);
      for (guint k = 0; k < LM_N_PERCENTILES; k++)
        g_assert_cmpfloat (p[k], ==, 3);
      g_assert_true (lm_histogram_range (h, &lo, &hi));
      g_assert_cmpfloat (lo, ==, 3);
      g_assert_cmpfloat (hi, ==, 3);
      /* Drawn as one spike in the middle of the view's [2.5, 3.5]. */
      lm_histogram_rebin (h, 2.5, 3.5, LM_N_PERCENTILES, out);
      g_assert_cmpfloat (out[4], ==, 1000);
      lm_histogram_free (h);
    }
}

/* What lm_writer_add_histogram stores for `values`, read back. */
static LmHistogram *
from_values (const float *values, size_t n)
{
  static double edges[LM_HISTOGRAM_MAX_BUCKETS + 1], counts[LM_HISTOGRAM_MAX_BUCKETS];
  lm_histogram lh;

  g_assert_cmpint (lm_histogram_compute (values, n, &lh, edges, counts), ==, LM_OK);
  return lm_histogram_new_from_blobs (1, 0, 0, lh.count, lh.min, lh.max, lh.nan_count,
                                      (guint) lh.bucket_count, edges, 8 * (lh.bucket_count + 1),
                                      counts, 8 * lh.bucket_count);
}

static void
test_nonfinite (void)
{
  float v[1000];
  LmHistogram *h;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) lm_histogram_free);
  g_autofree char *one = NULL, *two = NULL;
  double p[LM_N_PERCENTILES], lo, hi, out[10], sum = 0;

  /* 996 values in [-5, 5), 2 NaN, one +Inf, one -Inf. */
  for (int i = 0; i < 996; i++)
    v[i] = (float) (i / 99.6 - 5);
  v[996] = v[997] = NAN;
  v[998] = INFINITY;
  v[999] = -INFINITY;
  h = from_values (v, 1000);
  g_assert_null (h->error);
  g_assert_cmpint (h->nan_count, ==, 2);
  g_assert_cmpfloat (h->neg_inf, ==, 1);
  g_assert_cmpfloat (h->pos_inf, ==, 1);
  /* The range is the finite data's (bucket edges 10% apart), not +-1e20. */
  g_assert_true (lm_histogram_range (h, &lo, &hi));
  g_assert_cmpfloat (lo, <=, -5);
  g_assert_cmpfloat (lo, >=, -5.5);
  g_assert_cmpfloat (hi, >=, 4.98);
  g_assert_cmpfloat (hi, <=, 5.5);
  /* The infinities are not drawn; the finite values all are. */
  lm_histogram_rebin (h, lo, hi, 10, out);
  for (int i = 0; i < 10; i++)
    sum += out[i];
  g_assert_cmpfloat_with_epsilon (sum, 996, 1e-6);
  /* Percentiles stay in the finite range; the infinities count at its ends. */
  lm_histogram_percentiles (h, p);
  g_assert_cmpfloat (p[0], ==, lo);
  g_assert_cmpfloat (p[8], ==, hi);
  g_assert_cmpfloat (fabs (p[4]), <, 0.2);
  g_ptr_array_add (items, h);
  one = lm_histogram_describe_nonfinite ((LmHistogram **) items->pdata, items->len);
  g_assert_cmpstr (one, ==, "2 NaN, 1 +Inf, 1 −Inf");

  /* Only infinities: nothing to draw, and the card says why. */
  for (int i = 0; i < 100; i++)
    v[i] = i % 2 ? INFINITY : -INFINITY;
  h = from_values (v, 100);
  g_assert_nonnull (h->error);
  g_assert_nonnull (strstr (h->error, "no finite values"));
  g_assert_false (lm_histogram_range (h, &lo, &hi));
  g_assert_cmpfloat (h->neg_inf, ==, 50);
  g_assert_cmpfloat (h->pos_inf, ==, 50);
  g_ptr_array_add (items, h);
  two = lm_histogram_describe_nonfinite ((LmHistogram **) items->pdata, items->len);
  g_assert_cmpstr (two, ==, "2 NaN, 51 +Inf, 51 −Inf in 2 steps");
  g_ptr_array_set_size (items, 0);

  /* Equal-width buckets put +Inf among finite values: the count is not
   * known, the bucket is drawn, the range stays finite. */
  {
    const double edges[] = { 0, 1, 2 }, counts[] = { 3, 2 };
    g_autofree char *text = NULL;

    h = make (2, edges, counts, 0, INFINITY);
    g_assert_null (h->error);
    g_assert_cmpfloat (h->pos_inf, ==, -1);
    g_assert_cmpfloat (h->neg_inf, ==, 0);
    g_assert_true (lm_histogram_range (h, &lo, &hi));
    g_assert_cmpfloat (hi, ==, 2);
    lm_histogram_percentiles (h, p);
    g_assert_cmpfloat (p[8], ==, 2);
    g_ptr_array_add (items, h);
    text = lm_histogram_describe_nonfinite ((LmHistogram **) items->pdata, items->len);
    g_assert_cmpstr (text, ==, "≥1 +Inf");
  }

  /* Finite data: nothing to say. */
  g_ptr_array_set_size (items, 0);
  for (int i = 0; i < 10; i++)
    v[i] = (float) i;
  g_ptr_array_add (items, from_values (v, 10));
  g_assert_null (lm_histogram_describe_nonfinite ((LmHistogram **) items->pdata, items->len));
}

static void
test_rebin (void)
{
  const double edges[] = { 0, 1, 2 }, counts[] = { 2, 4 };
  LmHistogram *h = make (2, edges, counts, 0, 2);
  double out[4], wide[3], sum = 0;

  lm_histogram_rebin (h, 0, 2, 4, out);
  g_assert_cmpfloat_with_epsilon (out[0], 1, 1e-12);
  g_assert_cmpfloat_with_epsilon (out[1], 1, 1e-12);
  g_assert_cmpfloat_with_epsilon (out[2], 2, 1e-12);
  g_assert_cmpfloat_with_epsilon (out[3], 2, 1e-12);
  /* Bins that straddle bucket edges get each bucket's share. */
  lm_histogram_rebin (h, 0, 2, 3, wide);
  g_assert_cmpfloat_with_epsilon (wide[0], 2 * 2 / 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (wide[1], 2 / 3.0 + 4 / 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (wide[2], 4 * 2 / 3.0, 1e-12);
  for (int i = 0; i < 3; i++)
    sum += wide[i];
  g_assert_cmpfloat_with_epsilon (sum, 6, 1e-12);
  lm_histogram_free (h);
}

/* Runs of empty buckets are kept as one bucket each (the default
 * buckets are mostly empty ones), and what is drawn does not change:
 * percentiles and display bins worked out by hand on the 7 buckets. */
static void
test_empty_buckets_merged (void)
{
  const double edges[] = { 0, 1, 2, 3, 4, 5, 6, 7 }, counts[] = { 0, 0, 3, 0, 0, 0, 5 };
  const double bad[] = { 0, 0, 1, 0, 0, -1, 0 };
  const double want_edges[] = { 0, 2, 3, 6, 7 }, want_counts[] = { 0, 3, 0, 5 };
  /* cumulative 3/8 at 3, 8/8 at 7: p < 3750 lies in [2, 3), the rest in
   * [6, 7); 10000 is the top of the range */
  const double want_p[LM_N_PERCENTILES] = { 2, 2 + 668 / 3750.0, 2 + 1587 / 3750.0, 2 + 3085 / 3750.0,
                                            6 + 1250 / 6250.0, 6 + 3165 / 6250.0, 6 + 4663 / 6250.0,
                                            6 + 5582 / 6250.0, 7 };
  LmHistogram *h = make (7, edges, counts, 2, 7);
  double p[LM_N_PERCENTILES], out[5], lo, hi;

  g_assert_null (h->error);
  g_assert_cmpuint (h->n_buckets, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpfloat (h->edges[i], ==, want_edges[i]);
      g_assert_cmpfloat (h->counts[i], ==, want_counts[i]);
    }
  g_assert_cmpfloat (h->edges[4], ==, 7);
  g_assert_true (lm_histogram_range (h, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 2);
  g_assert_cmpfloat (hi, ==, 7);
  lm_histogram_percentiles (h, p);
  for (guint k = 0; k < LM_N_PERCENTILES; k++)
    g_assert_cmpfloat_with_epsilon (p[k], want_p[k], 1e-12);
  lm_histogram_rebin (h, 2, 7, 5, out);
  g_assert_cmpfloat (out[0], ==, 3);
  g_assert_cmpfloat (out[1] + out[2] + out[3], ==, 0);
  g_assert_cmpfloat (out[4], ==, 5);
  lm_histogram_free (h);

  /* a bad count is named by its place among all the buckets */
  h = make (6, edges, bad, 0, 6);
  g_assert_cmpstr (h->error, ==, "bucket 5 has an invalid count");
  g_assert_cmpuint (h->n_buckets, ==, 0);
  lm_histogram_free (h);
}

static void
test_bad_histograms (void)
{
  const double nan_edges[] = { 0, NAN, 2 }, counts[] = { 1, 1 }, down[] = { 0, 2, 1 };
  LmHistogram *h;
  double p[LM_N_PERCENTILES], out[4], lo, hi;

  h = lm_histogram_new_from_blobs (1, 0, 0, 0, NAN, NAN, 0, 0, "", 0, "", 0);
  g_assert_nonnull (h->error);
  g_assert_nonnull (strstr (h->error, "no buckets"));
  g_assert_false (lm_histogram_range (h, &lo, &hi));
  lm_histogram_percentiles (h, p);
  g_assert_true (isnan (p[4]));
  lm_histogram_rebin (h, 0, 1, 4, out);   /* no crash, all zero */
  g_assert_cmpfloat (out[0] + out[1] + out[2] + out[3], ==, 0);
  lm_histogram_free (h);

  h = make (2, nan_edges, counts, 0, 2);
  g_assert_nonnull (strstr (h->error, "NaN"));
  lm_histogram_free (h);
  h = make (2, down, counts, 0, 2);
  g_assert_nonnull (strstr (h->error, "ascending"));
  lm_histogram_free (h);
  h = lm_histogram_new_from_blobs (1, 0, 0, 2, 0, 2, 0, 2, down, 16, counts, 16);
  g_assert_nonnull (strstr (h->error, "bucket_count"));
  lm_histogram_free (h);
}

static void
test_png_decode (void)
{
  static const guint8 garbage[] = "this is not a PNG file at all";
  static const guint8 truncated[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H' };
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-dash-XXXXXX");
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  LmImagePixels *p;
  sqlite3 *db;
  sqlite3_stmt *st;
  guint8 rgb[3];

  p = lm_image_decode_png (garbage, sizeof garbage, &error);
  g_assert_null (p);
  g_assert_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG);
  g_assert_nonnull (strstr (error->message, "not a PNG"));
  g_clear_error (&error);
  p = lm_image_decode_png (truncated, sizeof truncated, &error);
  g_assert_null (p);
  g_assert_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG);
  g_clear_error (&error);

  /* A PNG as lumen-log stores it decodes to the pixels that were logged. */
  lm_test_records_write (dir, "run", 0.1, "sgd", 0.5, FALSE);
  path = g_build_filename (dir, "run", "run.lumen", NULL);
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT png FROM images ORDER BY step DESC LIMIT 1", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  p = lm_image_decode_png (sqlite3_column_blob (st, 0), sqlite3_column_bytes (st, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpint (p->width, ==, LM_TR_IMAGE_W);
  g_assert_cmpint (p->height, ==, LM_TR_IMAGE_W);
  lm_test_records_image_color (LM_TR_IMAGE_STEPS - 1, rgb);
  {
    const guint8 *px = g_bytes_get_data (p->rgba, NULL);
    const guint8 *right = px + 3 * p->stride + (LM_TR_IMAGE_W - 1) * 4;

    g_assert_cmpmem (px + 3 * p->stride, 3, rgb, 3);   /* left half, row 3 */
    g_assert_cmpint (px[3 * p->stride + 3], ==, 255);
    g_assert_cmpint (right[0] + right[1] + right[2], ==, 0);
  }
  lm_image_pixels_unref (p);
  sqlite3_finalize (st);
  sqlite3_close (db);
  lm_test_rm_rf (dir);
}


static gboolean
has_20_steps (gpointer data)
{
  LmRecordSeries *s = lm_record_feed_find (data, "a", "live/h");

  return s != NULL && s->items->len == 20;
}

static void
test_feed (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-dash-XXXXXX");
  g_autoptr (LmRunStore) store = NULL;
  g_autoptr (LmRecordFeed) hist = NULL, images = NULL, texts = NULL, hparams = NULL;
  LmRecordSeries *s;
  LmHparamsRecord *rec;
  guint64 version;

  lm_test_records_write (dir, "a", 0.1, "adam", 0.9, TRUE);
  lm_test_records_write (dir, "b", 0.01, "sgd", 0.7, FALSE);
  {
    /* a metric whose last value is NaN, and one never logged */
    const char *metrics[] = { "m/nan", "m/none" };
    lm_hparam hp[] = { LM_HP_NUMBER ("lr", 0.1) };
    lm_writer *w;

    g_assert_cmpint (lm_writer_open (&w, dir, "c"), ==, LM_OK);
    g_assert_cmpint (lm_writer_add_hparams (w, hp, 1, metrics, 2), ==, LM_OK);
    g_assert_cmpint (lm_writer_add_scalar (w, "m/nan", 3, NAN), ==, LM_OK);
    g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  }
  store = lm_test_store_open (dir);

  hist = lm_test_feed_open (store, LM_RECORD_HISTOGRAM);
  s = lm_record_feed_find (hist, "a", LM_TR_HIST_TAG);
  g_assert_nonnull (s);
  g_assert_cmpuint (s->items->len, ==, LM_TR_HIST_STEPS);
  g_assert_cmpint (((LmHistogram *) s->items->pdata[3])->step, ==, 3);
  g_assert_cmpfloat (((LmHistogram *) s->items->pdata[3])->counts[6], ==, 103);
  g_assert_nonnull (strstr (((LmHistogram *) lm_record_feed_find (hist, "a", "bad/empty")->items->pdata[0])->error, "no buckets"));
  g_assert_nonnull (strstr (((LmHistogram *) lm_record_feed_find (hist, "a", "bad/nan")->items->pdata[0])->error, "NaN"));
  g_assert_null (lm_record_feed_find (hist, "b", "bad/nan"));
  /* Sorted by tag, then run. */
  g_assert_cmpstr (((LmRecordSeries *) lm_record_feed_get_series (hist)->pdata[0])->tag, ==, "bad/empty");

  images = lm_test_feed_open (store, LM_RECORD_IMAGE);
  s = lm_record_feed_find (images, "b", LM_TR_IMAGE_TAG);
  g_assert_cmpuint (s->items->len, ==, LM_TR_IMAGE_STEPS);
  g_assert_cmpint (((LmImageMeta *) s->items->pdata[4])->step, ==, 40);
  g_assert_cmpstr (((LmImageMeta *) s->items->pdata[4])->caption, ==, "left half coloured");
  g_assert_cmpint (((LmImageMeta *) s->items->pdata[4])->width, ==, LM_TR_IMAGE_W);

  texts = lm_test_feed_open (store, LM_RECORD_TEXT);
  s = lm_record_feed_find (texts, "a", LM_TR_TEXT_TAG);
  g_assert_cmpuint (s->items->len, ==, 2);
  g_assert_true (g_str_has_prefix (((LmTextRecord *) s->items->pdata[1])->value, "## Results"));
  s = lm_record_feed_find (texts, "a", "bad/utf8");
  g_assert_null (((LmTextRecord *) s->items->pdata[0])->value);
  g_assert_nonnull (strstr (((LmTextRecord *) s->items->pdata[0])->error, "UTF-8"));

  hparams = lm_test_feed_open (store, LM_RECORD_HPARAMS);
  s = lm_record_feed_find (hparams, "b", "");
  rec = s->items->pdata[0];
  g_assert_cmpuint (rec->hparams->len, ==, 3);
  g_assert_cmpstr (((LmHpValue *) rec->hparams->pdata[0])->name, ==, "augment");
  g_assert_cmpstr (((LmHpValue *) rec->hparams->pdata[0])->string, ==, "false");
  g_assert_cmpfloat (((LmHpValue *) rec->hparams->pdata[1])->number, ==, 0.01);
  g_assert_cmpstr (((LmHpValue *) rec->hparams->pdata[2])->string, ==, "sgd");
  g_assert_cmpstr (rec->metrics->pdata[0], ==, LM_TR_METRIC_TAG);
  g_assert_cmpfloat_with_epsilon (rec->metric_values[0], 0.7, 1e-6);   /* the value at the last step */
  g_assert_cmpint (rec->metric_steps[0], ==, 100);
  g_assert_true (rec->metric_logged[0]);
  /* NaN is a value (stored as NULL), told apart from no rows */
  rec = lm_record_feed_find (hparams, "c", "")->items->pdata[0];
  g_assert_true (rec->metric_logged[0] && isnan (rec->metric_values[0]));
  g_assert_cmpint (rec->metric_steps[0], ==, 3);
  g_assert_false (rec->metric_logged[1]);
  g_assert_true (isnan (rec->metric_values[1]));

  /* Live: more rows after the first read arrive, and only those are read. */
  lm_test_records_append_histograms (dir, "a", "live/h", 0, 12);
  s = lm_record_feed_find (hist, "a", LM_TR_HIST_TAG);
  version = s->version;
  lm_test_records_append_histograms (dir, "a", "live/h", 12, 8);
  g_assert_true (lm_test_wait_for (has_20_steps, hist, 10000));
  g_assert_cmpuint (lm_record_feed_find (hist, "a", LM_TR_HIST_TAG)->version, ==, version);
  s = lm_record_feed_find (hist, "a", "live/h");
  for (guint i = 0; i < 20; i++)
    g_assert_cmpint (((LmHistogram *) s->items->pdata[i])->step, ==, i);
  g_assert_cmpuint (((LmHistogram *) s->items->pdata[19])->n_buckets, ==, 30);

  g_clear_object (&hist);
  g_clear_object (&images);
  g_clear_object (&texts);
  g_clear_object (&hparams);
  g_clear_object (&store);
  lm_test_rm_rf (dir);
}

/* Writes run `name` under dir with `tag` = value at `step`. */
static void
write_scalar_run (const char *dir, const char *name, const char *tag, gint64 step, double value)
{
  lm_writer *w = NULL;

  g_assert_cmpint (lm_writer_open (&w, dir, name), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_scalar (w, tag, step, value), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
}

/* The value of hparams metric `name` of run `run` (NaN when not logged). */
static double
hparams_metric (LmRecordFeed *feed, const char *run, const char *name)
{
  LmRecordSeries *s = lm_record_feed_find (feed, run, "");
  LmHparamsRecord *rec = s != NULL ? s->items->pdata[0] : NULL;

  for (guint i = 0; rec != NULL && i < rec->metrics->len; i++)
    if (strcmp (rec->metrics->pdata[i], name) == 0)
      return rec->metric_logged[i] ? rec->metric_values[i] : NAN;
  g_assert_not_reached ();
}

static gboolean
validation_at_0_9 (gpointer data)
{
  return hparams_metric (data, "s", "validation.epoch_accuracy") == 0.9;
}

/* Keras' layout: the hparams in the session's run, the metrics' scalars
 * in its sub-runs "train" and "validation" (MetricName.group).  Each
 * metric is named "group.tag" and valued from its sub-run, also when only
 * the sub-run changes; a group without a run has no value. */
static void
test_hparams_groups (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-hpgroup-XXXXXX");
  g_autoptr (LmRunStore) store = NULL;
  g_autoptr (LmRecordFeed) feed = NULL;
  lm_writer *w = NULL;
  lm_hparam hp[] = { LM_HP_NUMBER ("lr", 0.01) };
  lm_hparam_metric metrics[] = {
    LM_HP_METRIC ("epoch_accuracy", "validation"), LM_HP_METRIC ("epoch_loss", "train"),
    LM_HP_METRIC ("epoch_loss", "validation"), LM_HP_METRIC ("epoch_loss", "test"),
    LM_HP_METRIC ("wall", "."), LM_HP_METRIC ("epoch_loss", NULL),
  };
  LmHparamsRecord *rec;

  g_assert_cmpint (lm_writer_open (&w, dir, "s"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_hparams_ex (w, hp, 1, metrics, G_N_ELEMENTS (metrics)), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_scalar (w, "wall", 3, 12.5), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  write_scalar_run (dir, "s/train", "epoch_loss", 4, 0.25);
  write_scalar_run (dir, "s/validation", "epoch_loss", 4, 0.5);
  write_scalar_run (dir, "s/validation", "epoch_accuracy", 4, 0.75);
  /* a file from before groups: no hparam_group_metrics table */
  {
    const char *acc[] = { "acc" };
    g_autofree char *old = g_build_filename (dir, "old", "run.lumen", NULL);
    sqlite3 *db = NULL;

    g_assert_cmpint (lm_writer_open (&w, dir, "old"), ==, LM_OK);
    g_assert_cmpint (lm_writer_add_hparams (w, hp, 1, acc, 1), ==, LM_OK);
    g_assert_cmpint (lm_writer_add_scalar (w, "acc", 1, 0.5), ==, LM_OK);
    g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
    g_assert_cmpint (sqlite3_open (old, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "DROP TABLE hparam_group_metrics", NULL, NULL, NULL), ==,
                     SQLITE_OK);
    sqlite3_close (db);
  }

  store = lm_test_store_open (dir);
  feed = lm_test_feed_open (store, LM_RECORD_HPARAMS);
  rec = lm_record_feed_find (feed, "s", "")->items->pdata[0];
  g_assert_cmpuint (rec->metrics->len, ==, 6);
  g_assert_cmpstr (rec->metrics->pdata[0], ==, "epoch_loss");
  g_assert_cmpstr (rec->metrics->pdata[1], ==, "wall");
  g_assert_cmpstr (rec->metrics->pdata[2], ==, "test.epoch_loss");
  g_assert_cmpstr (rec->metrics->pdata[3], ==, "train.epoch_loss");
  g_assert_cmpstr (rec->metrics->pdata[4], ==, "validation.epoch_accuracy");
  g_assert_cmpstr (rec->metrics->pdata[5], ==, "validation.epoch_loss");
  g_assert_cmpfloat (hparams_metric (feed, "s", "train.epoch_loss"), ==, 0.25);
  g_assert_cmpfloat (hparams_metric (feed, "s", "validation.epoch_loss"), ==, 0.5);
  g_assert_cmpfloat (hparams_metric (feed, "s", "validation.epoch_accuracy"), ==, 0.75);
  g_assert_cmpint (rec->metric_steps[4], ==, 4);
  g_assert_cmpfloat (hparams_metric (feed, "s", "wall"), ==, 12.5);   /* "." is the run itself */
  g_assert_true (isnan (hparams_metric (feed, "s", "epoch_loss")));
  g_assert_true (isnan (hparams_metric (feed, "s", "test.epoch_loss")));
  /* the sub-runs have no hparams of their own: not listed */
  g_assert_null (lm_record_feed_find (feed, "s/validation", ""));
  g_assert_null (lm_record_feed_get_run_error (feed, "old"));
  g_assert_cmpfloat (hparams_metric (feed, "old", "acc"), ==, 0.5);

  /* a later epoch in the sub-run alone reaches the session's row */
  write_scalar_run (dir, "s/validation", "epoch_accuracy", 5, 0.9);
  g_assert_true (lm_test_wait_for (validation_at_0_9, feed, 10000));

  g_clear_object (&feed);
  g_clear_object (&store);
  lm_test_rm_rf (dir);
}

/* The display name and description run `run` gives hparam or metric
 * `name` (NULL, NULL when it gives none). */
static const LmHpLabel *
hparams_label (LmRecordFeed *feed, const char *run, const char *name, gboolean metric)
{
  LmHparamsRecord *rec = lm_record_feed_find (feed, run, "")->items->pdata[0];
  g_autofree char *key = lm_hparams_label_key (name, metric);
  static const LmHpLabel none = { NULL, NULL };
  const LmHpLabel *l = g_hash_table_lookup (rec->labels, key);

  return l != NULL ? l : &none;
}

/* Display names and descriptions (TensorBoard's HParamInfo and
 * MetricInfo): kept for an hparam, a metric of the run and one of a
 * sub-run; a later call without one leaves the earlier; a file from
 * before them reads with none and gains them when reopened; a display
 * name that is not UTF-8 is refused by name. */
static void
test_hparams_labels (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-hplabel-XXXXXX");
  g_autofree char *old = g_build_filename (dir, "old", "run.lumen", NULL);
  g_autoptr (LmRunStore) store = NULL;
  g_autoptr (LmRecordFeed) feed = NULL;
  lm_writer *w = NULL;
  lm_hparam hp[] = { LM_HP_NUMBER ("lr", 0.01), LM_HP_NUMBER ("wd", 0.1) };
  lm_hparam_metric metrics[] = { LM_HP_METRIC ("epoch_accuracy", "validation"), LM_HP_METRIC ("loss", NULL) };
  sqlite3 *db = NULL;

  hp[0].display_name = "Learning rate";
  hp[0].description = "Adam's step size";
  metrics[0].display_name = "Val. accuracy";
  metrics[1].description = "cross-entropy";
  g_assert_cmpint (lm_writer_open (&w, dir, "s"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_hparams_ex (w, hp, 2, metrics, 2), ==, LM_OK);
  /* again without them: they stay */
  g_assert_cmpint (lm_writer_add_hparams (w, hp + 1, 1, NULL, 0), ==, LM_OK);
  hp[1].display_name = "\xff";
  g_assert_cmpint (lm_writer_add_hparams (w, hp, 2, NULL, 0), ==, LM_ERR_UTF8);
  g_assert_nonnull (strstr (lm_log_last_error (), "hparam 'wd' display_name is not valid UTF-8"));
  hp[1].display_name = NULL;
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);

  /* a file from before display names */
  g_assert_cmpint (lm_writer_open (&w, dir, "old"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_hparams (w, hp, 1, NULL, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  g_assert_cmpint (sqlite3_open (old, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE hparam_labels", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = lm_test_store_open (dir);
  feed = lm_test_feed_open (store, LM_RECORD_HPARAMS);
  g_assert_cmpstr (hparams_label (feed, "s", "lr", FALSE)->display_name, ==, "Learning rate");
  g_assert_cmpstr (hparams_label (feed, "s", "lr", FALSE)->description, ==, "Adam's step size");
  g_assert_null (hparams_label (feed, "s", "wd", FALSE)->display_name);
  g_assert_cmpstr (hparams_label (feed, "s", "validation.epoch_accuracy", TRUE)->display_name, ==, "Val. accuracy");
  g_assert_null (hparams_label (feed, "s", "validation.epoch_accuracy", TRUE)->description);
  g_assert_null (hparams_label (feed, "s", "loss", TRUE)->display_name);
  g_assert_cmpstr (hparams_label (feed, "s", "loss", TRUE)->description, ==, "cross-entropy");
  /* an hparam's label is not a metric's of the same name */
  g_assert_null (hparams_label (feed, "s", "lr", TRUE)->display_name);
  g_assert_null (lm_record_feed_get_run_error (feed, "old"));
  g_assert_null (hparams_label (feed, "old", "lr", FALSE)->display_name);
  g_clear_object (&feed);
  g_clear_object (&store);

  /* reopened, the old file gains the table */
  g_assert_cmpint (lm_writer_open (&w, dir, "old"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_hparams (w, hp, 1, NULL, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  store = lm_test_store_open (dir);
  feed = lm_test_feed_open (store, LM_RECORD_HPARAMS);
  g_assert_cmpstr (hparams_label (feed, "old", "lr", FALSE)->display_name, ==, "Learning rate");

  g_clear_object (&feed);
  g_clear_object (&store);
  lm_test_rm_rf (dir);
}

/* The hparam columns run `run` names, joined by spaces ("(none)" for
 * none). */
static char *
hparams_columns (LmRecordFeed *feed, const char *run)
{
  LmHparamsRecord *rec = lm_record_feed_find (feed, run, "")->items->pdata[0];
  GString *out = g_string_new (NULL);

  if (rec->columns == NULL)
    return g_string_free (g_string_append (out, "(none)"), FALSE);
  for (guint i = 0; i < rec->columns->len; i++)
    g_string_append_printf (out, "%s%s", i ? " " : "", (char *) rec->columns->pdata[i]);
  return g_string_free (out, FALSE);
}

/* An experiment's hparam list (TensorBoard's hparam_infos,
 * lm_writer_set_hparam_columns): read in its order, a later list replaces
 * it, an empty one clears it; a file from before it has none; a bad name
 * is refused by its place. */
static void
test_hparams_columns (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-hpcols-XXXXXX");
  g_autofree char *old = g_build_filename (dir, "old", "run.lumen", NULL);
  g_autoptr (LmRunStore) store = NULL;
  g_autoptr (LmRecordFeed) feed = NULL;
  lm_writer *w = NULL;
  lm_hparam hp[] = { LM_HP_NUMBER ("lr", 0.01), LM_HP_NUMBER ("width", 64), LM_HP_NUMBER ("seed", 7) };
  const char *first[] = { "lr", "seed" }, *cols[] = { "width", "lr", "dropout" }, *bad[] = { "lr", "" };
  g_autofree char *s = NULL, *c = NULL, *o = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (lm_writer_open (&w, dir, "s"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_hparams (w, hp, 3, NULL, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_set_hparam_columns (w, first, 2), ==, LM_OK);
  g_assert_cmpint (lm_writer_set_hparam_columns (w, cols, 3), ==, LM_OK);
  g_assert_cmpint (lm_writer_set_hparam_columns (w, bad, 2), ==, LM_ERR_INVALID_ARG);
  g_assert_nonnull (strstr (lm_log_last_error (), "hparam column 1"));
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  g_assert_cmpint (lm_writer_open (&w, dir, "c"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_hparams (w, hp, 3, NULL, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_set_hparam_columns (w, cols, 3), ==, LM_OK);
  g_assert_cmpint (lm_writer_set_hparam_columns (w, NULL, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  g_assert_cmpint (lm_writer_open (&w, dir, "old"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_hparams (w, hp, 1, NULL, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  g_assert_cmpint (sqlite3_open (old, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE hparam_columns", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = lm_test_store_open (dir);
  feed = lm_test_feed_open (store, LM_RECORD_HPARAMS);
  s = hparams_columns (feed, "s");
  c = hparams_columns (feed, "c");
  o = hparams_columns (feed, "old");
  g_assert_cmpstr (s, ==, "width lr dropout");
  g_assert_cmpstr (c, ==, "(none)");
  g_assert_cmpstr (o, ==, "(none)");
  g_assert_null (lm_record_feed_get_run_error (feed, "old"));
  g_clear_object (&feed);
  g_clear_object (&store);
  lm_test_rm_rf (dir);
}

static gboolean
has_test_metric (gpointer data)
{
  LmRecordSeries *s = lm_record_feed_find (data, "s", "");
  LmHparamsRecord *rec = s != NULL ? s->items->pdata[0] : NULL;

  return rec != NULL && rec->metrics->len == 4 && hparams_metric (data, "s", "test.epoch_loss") == 0.125;
}

/* hparams that name no metric (TensorBoard's hp.hparams() without
 * hp.hparams_config): the metrics are every scalar tag of the run and of
 * the runs below it, each of a sub-run named "group.tag", as TensorBoard
 * infers them; a run below with hparams of its own is a session of its
 * own, its scalars and its sub-runs' not the outer one's; a sub-run
 * created later adds its tags. */
static void
test_hparams_inferred (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-hpinfer-XXXXXX");
  g_autoptr (LmRunStore) store = NULL;
  g_autoptr (LmRecordFeed) feed = NULL;
  lm_writer *w = NULL;
  lm_hparam hp[] = { LM_HP_NUMBER ("lr", 0.01) };
  LmHparamsRecord *rec;

  g_assert_cmpint (lm_writer_open (&w, dir, "s"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_hparams (w, hp, 1, NULL, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_scalar (w, "wall", 3, 12.5), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  write_scalar_run (dir, "s/train", "epoch_loss", 4, 0.25);
  write_scalar_run (dir, "s/validation", "epoch_accuracy", 4, 0.75);
  g_assert_cmpint (lm_writer_open (&w, dir, "s/inner"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_hparams (w, hp, 1, NULL, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_scalar (w, "x", 1, 2.0), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  write_scalar_run (dir, "s/inner/deep", "y", 1, 3.0);

  store = lm_test_store_open (dir);
  feed = lm_test_feed_open (store, LM_RECORD_HPARAMS);
  rec = lm_record_feed_find (feed, "s", "")->items->pdata[0];
  g_assert_cmpuint (rec->metrics->len, ==, 3);
  g_assert_cmpstr (rec->metrics->pdata[0], ==, "wall");
  g_assert_cmpstr (rec->metrics->pdata[1], ==, "train.epoch_loss");
  g_assert_cmpstr (rec->metrics->pdata[2], ==, "validation.epoch_accuracy");
  g_assert_cmpfloat (hparams_metric (feed, "s", "wall"), ==, 12.5);
  g_assert_cmpfloat (hparams_metric (feed, "s", "train.epoch_loss"), ==, 0.25);
  g_assert_cmpfloat (hparams_metric (feed, "s", "validation.epoch_accuracy"), ==, 0.75);
  rec = lm_record_feed_find (feed, "s/inner", "")->items->pdata[0];
  g_assert_cmpuint (rec->metrics->len, ==, 2);
  g_assert_cmpfloat (hparams_metric (feed, "s/inner", "x"), ==, 2.0);
  g_assert_cmpfloat (hparams_metric (feed, "s/inner", "deep.y"), ==, 3.0);

  write_scalar_run (dir, "s/test", "epoch_loss", 4, 0.125);
  g_assert_true (lm_test_wait_for (has_test_metric, feed, 10000));

  g_clear_object (&feed);
  g_clear_object (&store);
  lm_test_rm_rf (dir);
}

static gboolean
has_3_curves (gpointer data)
{
  LmRecordSeries *s = lm_record_feed_find (data, "a", "pr/cat");

  return s != NULL && s->items->len == 3;
}

/* PR curves: every threshold's numbers as lumen-log computed them, a
 * damaged curve flagged, a run file from before PR curves (no tables) read
 * without an error, and only new curves read live. */
static void
test_pr_curves (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-dash-XXXXXX");
  g_autofree char *a_path = NULL, *old_path = NULL;
  g_autoptr (LmRunStore) store = NULL;
  g_autoptr (LmRecordFeed) feed = NULL;
  g_autoptr (GHashTable) rows = NULL;
  guint8 labels[LM_TR_PR_N];
  float preds[LM_TR_PR_N];
  double want[6 * 127];
  LmRecordSeries *s;
  LmPrCurve *c;
  sqlite3 *db;
  gint64 last_id = 0;
  char *error = NULL;
  guint64 version;

  lm_test_records_append_pr_curves (dir, "a", "pr/cat", 0, 5, 2, 0);
  lm_test_records_append_pr_curves (dir, "a", "pr/dog", 0, 1, 1, 5);
  a_path = g_build_filename (dir, "a", "run.lumen", NULL);
  g_assert_cmpint (sqlite3_open (a_path, &db), ==, SQLITE_OK);
  /* a curve of 4 thresholds with only 2 points */
  g_assert_cmpint (sqlite3_exec (db,
      "INSERT INTO tags (name, kind) VALUES ('bad/pr', 'pr_curve');"
      "INSERT INTO pr_curves (tag_id, step, wall_time, num_thresholds) "
      "SELECT id, 0, 1700000000, 4 FROM tags WHERE name = 'bad/pr';"
      "INSERT INTO pr_curve_points SELECT max(id), 0, 0, 1, 1, 0, 0, 0.5, 1 FROM pr_curves;"
      "INSERT INTO pr_curve_points SELECT max(id), 1, 0.33, 1, 0, 1, 0, 1, 1 FROM pr_curves;",
      NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  /* a schema-1 file written before PR curves: no pr_curves tables */
  lm_test_records_write (dir, "old", 0.1, "adam", 0.9, FALSE);
  old_path = g_build_filename (dir, "old", "run.lumen", NULL);
  g_assert_cmpint (sqlite3_open (old_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE pr_curve_points; DROP TABLE pr_curves", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);

  /* the synchronous read: rows above last_id only */
  g_assert_cmpint (sqlite3_open_v2 (a_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  g_assert_true (lm_records_read (db, LM_RECORD_PR_CURVE, &last_id, rows, &error));
  g_assert_null (error);
  g_assert_cmpint (last_id, ==, 4);
  g_assert_cmpuint (((GPtrArray *) g_hash_table_lookup (rows, "pr/cat"))->len, ==, 2);
  g_hash_table_remove_all (rows);
  g_assert_true (lm_records_read (db, LM_RECORD_PR_CURVE, &last_id, rows, &error));
  g_assert_cmpuint (g_hash_table_size (rows), ==, 0);
  sqlite3_close (db);
  g_assert_cmpint (sqlite3_open_v2 (old_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  last_id = 0;
  g_assert_true (lm_records_read (db, LM_RECORD_PR_CURVE, &last_id, rows, &error));
  g_assert_null (error);
  g_assert_cmpuint (g_hash_table_size (rows), ==, 0);
  sqlite3_close (db);

  store = lm_test_store_open (dir);
  feed = lm_test_feed_open (store, LM_RECORD_PR_CURVE);
  g_assert_null (lm_record_feed_get_run_error (feed, "old"));
  g_assert_null (lm_record_feed_find (feed, "old", "pr/cat"));
  s = lm_record_feed_find (feed, "a", "pr/cat");
  g_assert_nonnull (s);
  g_assert_cmpuint (s->items->len, ==, 2);
  c = s->items->pdata[1];
  g_assert_cmpint (c->step, ==, 5);
  g_assert_null (c->error);
  g_assert_cmpuint (c->n_thresholds, ==, 127);
  lm_test_records_pr_samples (5, labels, preds);
  g_assert_cmpint (lm_pr_curve_compute (labels, preds, LM_TR_PR_N, 127, NULL, want), ==, LM_OK);
  for (guint i = 0; i < 127; i++)
    {
      g_assert_cmpfloat (c->thresholds[i], ==, i / 126.0);
      g_assert_cmpfloat (c->tp[i], ==, want[i]);
      g_assert_cmpfloat (c->fp[i], ==, want[127 + i]);
      g_assert_cmpfloat (c->tn[i], ==, want[2 * 127 + i]);
      g_assert_cmpfloat (c->fn[i], ==, want[3 * 127 + i]);
      g_assert_cmpfloat (c->precision[i], ==, want[4 * 127 + i]);
      g_assert_cmpfloat (c->recall[i], ==, want[5 * 127 + i]);
    }
  /* 100 positives of 300: everything is predicted positive at threshold 0 */
  g_assert_cmpfloat (c->tp[0], ==, 100);
  g_assert_cmpfloat (c->fp[0], ==, 200);
  g_assert_cmpfloat (c->recall[0], ==, 1);
  c = ((LmRecordSeries *) lm_record_feed_find (feed, "a", "pr/dog"))->items->pdata[0];
  g_assert_cmpuint (c->n_thresholds, ==, 5);
  c = ((LmRecordSeries *) lm_record_feed_find (feed, "a", "bad/pr"))->items->pdata[0];
  g_assert_cmpuint (c->n_thresholds, ==, 0);
  g_assert_cmpstr (c->error, ==, "threshold 2 of 4 has no point");

  /* live: a third curve arrives; the others are not read again */
  version = lm_record_feed_find (feed, "a", "pr/dog")->version;
  lm_test_records_append_pr_curves (dir, "a", "pr/cat", 10, 5, 1, 0);
  g_assert_true (lm_test_wait_for (has_3_curves, feed, 10000));
  g_assert_cmpuint (lm_record_feed_find (feed, "a", "pr/dog")->version, ==, version);
  g_assert_cmpint (((LmPrCurve *) lm_record_feed_find (feed, "a", "pr/cat")->items->pdata[2])->step, ==, 10);

  g_clear_object (&feed);
  g_clear_object (&store);
  lm_test_rm_rf (dir);
}

/* What lm_records_read fills: tag -> its rows. */
static GHashTable *
rows_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
}

/* Two curves are equal: same id, step, error and every point. */
static void
assert_same_curve (const LmPrCurve *a, const LmPrCurve *b)
{
  g_assert_cmpint (a->id, ==, b->id);
  g_assert_cmpint (a->step, ==, b->step);
  g_assert_cmpuint (a->n_thresholds, ==, b->n_thresholds);
  g_assert_cmpstr (a->error, ==, b->error);
  g_assert_false (a->pending || b->pending);
  if (a->n_thresholds > 0)
    g_assert_cmpmem (a->thresholds, 7 * a->n_thresholds * sizeof (double),
                     b->thresholds, 7 * b->n_thresholds * sizeof (double));
}

/* Complete, with pr/cat's 6 curves of test_pr_curves_newest_first. */
static gboolean
feed_complete_6 (gpointer data)
{
  LmRecordSeries *s = lm_record_feed_find (data, "a", "pr/cat");

  return lm_record_feed_get_complete (data) && s != NULL && s->items->len == 6;
}

/* PR curves are read newest first: each tag's newest curve in full, the
 * others pending (no points) with their ids listed, then read in full by
 * id; the feed ends with every curve exactly as one full read gives it,
 * once each, also with curves logged while it was still reading.  (Before,
 * a feed read every point of every step before its first "changed": 50
 * runs x 10 tags x 20 steps took 1.3 s to show one frame.) */
static void
test_pr_curves_newest_first (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-dash-XXXXXX");
  g_autofree char *a_path = NULL;
  g_autoptr (LmRunStore) store = NULL;
  g_autoptr (LmRecordFeed) feed = NULL;
  g_autoptr (GHashTable) full = rows_new ();
  g_autoptr (GHashTable) rows = rows_new ();
  g_autoptr (GHashTable) filled = rows_new ();
  g_autoptr (GArray) pending = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *tags[] = { "pr/cat", "pr/dog", "bad/pr" };
  GPtrArray *cat, *full_cat;
  gint64 last_full = 0, last = 0;
  char *error = NULL;
  sqlite3 *db;

  lm_test_records_append_pr_curves (dir, "a", "pr/cat", 0, 5, 3, 0);   /* steps 0, 5, 10 */
  lm_test_records_append_pr_curves (dir, "a", "pr/dog", 0, 1, 1, 5);
  lm_test_records_append_pr_curves (dir, "a", "pr/cat", 7, 1, 1, 0);   /* step 7, logged last */
  a_path = g_build_filename (dir, "a", "run.lumen", NULL);
  g_assert_cmpint (sqlite3_open (a_path, &db), ==, SQLITE_OK);
  /* a damaged curve: never pending, its error straight away */
  g_assert_cmpint (sqlite3_exec (db,
      "INSERT INTO tags (name, kind) VALUES ('bad/pr', 'pr_curve');"
      "INSERT INTO pr_curves (tag_id, step, wall_time, num_thresholds) "
      "SELECT id, 3, 1700000000, 1 FROM tags WHERE name = 'bad/pr';",
      NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_assert_cmpint (sqlite3_open_v2 (a_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_true (lm_records_read (db, LM_RECORD_PR_CURVE, &last_full, full, &error));
  g_assert_true (lm_pr_curves_read_newest (db, &last, rows, pending, &error));
  g_assert_null (error);
  g_assert_cmpint (last, ==, last_full);
  /* pr/cat in id order: steps 0, 5, 10 pending but 10, the newest; then 7 */
  cat = g_hash_table_lookup (rows, "pr/cat");
  full_cat = g_hash_table_lookup (full, "pr/cat");
  g_assert_cmpuint (cat->len, ==, 4);
  g_assert_cmpuint (pending->len, ==, 3);
  for (guint i = 0; i < cat->len; i++)
    {
      const LmPrCurve *c = cat->pdata[i];

      if (c->step == 10)
        assert_same_curve (c, full_cat->pdata[2]);
      else
        {
          g_assert_true (c->pending);
          g_assert_cmpuint (c->n_thresholds, ==, 0);
          g_assert_null (c->thresholds);
        }
    }
  assert_same_curve (((GPtrArray *) g_hash_table_lookup (rows, "pr/dog"))->pdata[0],
                     ((GPtrArray *) g_hash_table_lookup (full, "pr/dog"))->pdata[0]);
  g_assert_cmpstr (((LmPrCurve *) ((GPtrArray *) g_hash_table_lookup (rows, "bad/pr"))->pdata[0])->error, ==,
                   "num_thresholds is 1, not 2..10000");
  /* the pending ids read in full: as the full read has them */
  g_assert_true (lm_pr_curves_read_ids (db, pending, filled, &error));
  cat = g_hash_table_lookup (filled, "pr/cat");
  g_assert_cmpuint (cat->len, ==, 3);
  for (guint i = 0; i < cat->len; i++)
    for (guint k = 0; k < full_cat->len; k++)
      if (((LmPrCurve *) full_cat->pdata[k])->id == ((LmPrCurve *) cat->pdata[i])->id)
        assert_same_curve (cat->pdata[i], full_cat->pdata[k]);
  /* nothing new: nothing read */
  g_hash_table_remove_all (rows);
  g_array_set_size (pending, 0);
  g_assert_true (lm_pr_curves_read_newest (db, &last, rows, pending, &error));
  g_assert_cmpuint (g_hash_table_size (rows), ==, 0);
  g_assert_cmpuint (pending->len, ==, 0);
  sqlite3_close (db);

  /* the feed, with two more steps logged as it starts */
  store = lm_test_store_open (dir);
  feed = lm_test_feed_open (store, LM_RECORD_PR_CURVE);
  lm_test_records_append_pr_curves (dir, "a", "pr/cat", 1, 1, 2, 0);   /* steps 1, 2 */
  g_assert_true (lm_test_wait_for (feed_complete_6, feed, 10000));
  g_assert_cmpint (sqlite3_open_v2 (a_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_hash_table_remove_all (full);
  last_full = 0;
  g_assert_true (lm_records_read (db, LM_RECORD_PR_CURVE, &last_full, full, &error));
  sqlite3_close (db);
  for (guint t = 0; t < G_N_ELEMENTS (tags); t++)
    {
      LmRecordSeries *s = lm_record_feed_find (feed, "a", tags[t]);
      GPtrArray *want = g_hash_table_lookup (full, tags[t]);

      g_assert_nonnull (s);
      g_assert_cmpuint (s->items->len, ==, want->len);
      for (guint i = 0; i < s->items->len; i++)
        {
          const LmPrCurve *c = s->items->pdata[i];

          /* in (step, id) order */
          g_assert_true (i == 0 || ((LmPrCurve *) s->items->pdata[i - 1])->step <= c->step);
          for (guint k = 0; k < want->len; k++)
            if (((LmPrCurve *) want->pdata[k])->id == c->id)
              assert_same_curve (c, want->pdata[k]);
        }
    }
  g_assert_cmpuint (lm_record_feed_find (feed, "a", "pr/cat")->items->len, ==, 6);
  g_assert_cmpint (((LmPrCurve *) lm_record_feed_find (feed, "a", "pr/cat")->items->pdata[5])->step, ==, 10);

  g_clear_object (&feed);
  g_clear_object (&store);
  lm_test_rm_rf (dir);
}

typedef struct
{
  LmRecordFeed *feed;
  guint opens;
} OpensCond;

static gboolean
more_opens (gpointer data)
{
  OpensCond *c = data;

  return lm_record_feed_get_n_opens (c->feed) > c->opens;
}

/* A run file that fails to open (not a database) is not opened again on
 * every poll, only once it changes; its error stays reported. */
static void
test_feed_bad_file (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-dash-XXXXXX");
  g_autofree char *bad_dir = g_build_filename (dir, "bad", NULL);
  g_autofree char *bad = g_build_filename (bad_dir, "run.lumen", NULL);
  g_autoptr (LmRunStore) store = NULL;
  g_autoptr (LmRecordFeed) feed = NULL;
  char junk[4096];
  guint opens;

  memset (junk, 'x', sizeof junk);
  lm_test_records_write (dir, "a", 0.1, "adam", 0.9, TRUE);
  g_assert_cmpint (g_mkdir (bad_dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (bad, junk, sizeof junk, NULL));
  store = lm_test_store_open (dir);
  feed = lm_test_feed_open (store, LM_RECORD_HPARAMS);
  g_assert_nonnull (lm_record_feed_find (feed, "a", ""));
  g_assert_nonnull (strstr (lm_record_feed_get_run_error (feed, "bad"), "not an SQLite database"));

  /* ten polls of 50 ms: the good run stays open, the bad one is left alone */
  opens = lm_record_feed_get_n_opens (feed);
  lm_test_spin (500);
  g_assert_cmpuint (lm_record_feed_get_n_opens (feed), ==, opens);
  g_assert_nonnull (strstr (lm_record_feed_get_run_error (feed, "bad"), "not an SQLite database"));

  /* a change to the file (size and mtime) is tried again */
  g_assert_true (g_file_set_contents (bad, junk, sizeof junk / 2, NULL));
  g_assert_true (lm_test_wait_for (more_opens, &(OpensCond) { feed, opens }, 5000));
  lm_test_spin (200);
  g_assert_cmpuint (lm_record_feed_get_n_opens (feed), ==, opens + 1);
  g_assert_nonnull (strstr (lm_record_feed_get_run_error (feed, "bad"), "not an SQLite database"));

  g_clear_object (&feed);
  g_clear_object (&store);
  lm_test_rm_rf (dir);
}


typedef struct
{
  LmImagePixels *pixels;
  GError *error;
  gboolean done;
} LoadResult;

static void
on_loaded (GObject *source, GAsyncResult *res, gpointer data)
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

static void
test_loader (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-dash-XXXXXX");
  g_autofree char *path = NULL;
  g_autoptr (LmRunStore) store = NULL;
  g_autoptr (LmRecordFeed) images = NULL;
  g_autoptr (LmImageLoader) loader = lm_image_loader_new (3 * LM_TR_IMAGE_W * LM_TR_IMAGE_W * 4);
  LmRecordSeries *s;
  LoadResult r = { 0 };
  LmImagePixels *cached;

  lm_test_records_write (dir, "a", 0.1, "adam", 0.9, TRUE);
  path = g_build_filename (dir, "a", "run.lumen", NULL);
  store = lm_test_store_open (dir);
  images = lm_test_feed_open (store, LM_RECORD_IMAGE);

  s = lm_record_feed_find (images, "a", "bad/blob");
  lm_image_loader_load_async (loader, path, ((LmImageMeta *) s->items->pdata[0])->id, NULL, on_loaded, &r);
  g_assert_true (lm_test_wait_for (load_done, &r, 10000));
  g_assert_null (r.pixels);
  g_assert_error (r.error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG);
  g_clear_error (&r.error);

  /* Four loads through a cache of three images: the first is evicted. */
  s = lm_record_feed_find (images, "a", LM_TR_IMAGE_TAG);
  for (guint i = 0; i < 4; i++)
    {
      LoadResult one = { 0 };

      lm_image_loader_load_async (loader, path, ((LmImageMeta *) s->items->pdata[i])->id, NULL, on_loaded, &one);
      g_assert_true (lm_test_wait_for (load_done, &one, 10000));
      g_assert_no_error (one.error);
      g_assert_cmpint (one.pixels->width, ==, LM_TR_IMAGE_W);
      lm_image_pixels_unref (one.pixels);
    }
  g_assert_cmpuint (lm_image_loader_get_n_decoded (loader), ==, 4);
  g_assert_null (lm_image_loader_lookup (loader, path, ((LmImageMeta *) s->items->pdata[0])->id));
  cached = lm_image_loader_lookup (loader, path, ((LmImageMeta *) s->items->pdata[3])->id);
  g_assert_nonnull (cached);
  lm_image_pixels_unref (cached);

  /* Reduced loads are cached apart from the whole image. */
  {
    LoadResult one = { 0 };
    gint64 id = ((LmImageMeta *) s->items->pdata[3])->id;

    lm_image_loader_load_reduced_async (loader, path, id, 4, NULL, on_loaded, &one);
    g_assert_true (lm_test_wait_for (load_done, &one, 10000));
    g_assert_no_error (one.error);
    g_assert_cmpint (one.pixels->width, ==, LM_TR_IMAGE_W / 4);
    g_assert_cmpint (one.pixels->full_width, ==, LM_TR_IMAGE_W);
    g_assert_cmpint (one.pixels->factor, ==, 4);
    lm_image_pixels_unref (one.pixels);
    cached = lm_image_loader_lookup_reduced (loader, path, id, 4);
    g_assert_nonnull (cached);
    g_assert_cmpint (cached->width, ==, LM_TR_IMAGE_W / 4);
    lm_image_pixels_unref (cached);
    g_assert_null (lm_image_loader_lookup_reduced (loader, path, id, 2));
    cached = lm_image_loader_lookup (loader, path, id);
    g_assert_nonnull (cached);
    g_assert_cmpint (cached->factor, ==, 1);
    lm_image_pixels_unref (cached);
  }

  /* An image bigger than a third of the cache is returned, not kept. */
  {
    g_autoptr (LmImageLoader) small = lm_image_loader_new (2 * LM_TR_IMAGE_W * LM_TR_IMAGE_W * 4);
    LoadResult one = { 0 };
    gint64 id = ((LmImageMeta *) s->items->pdata[0])->id;

    lm_image_loader_load_async (small, path, id, NULL, on_loaded, &one);
    g_assert_true (lm_test_wait_for (load_done, &one, 10000));
    g_assert_nonnull (one.pixels);
    lm_image_pixels_unref (one.pixels);
    g_assert_null (lm_image_loader_lookup (small, path, id));
  }

  /* A row id that does not exist. */
  lm_image_loader_load_async (loader, path, 999999, NULL, on_loaded, &r);
  r.done = FALSE;
  g_assert_true (lm_test_wait_for (load_done, &r, 10000));
  g_assert_error (r.error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_MISSING);
  g_clear_error (&r.error);

  g_clear_object (&images);
  g_clear_object (&store);
  lm_test_rm_rf (dir);
}

/* RGBA pixels from a generator, for the reduction tests. */
static LmImagePixels *
make_pixels (int w, int h, void (*pixel) (int x, int y, guint8 out[4]))
{
  guint8 *buf = g_malloc ((gsize) w * h * 4);
  LmImagePixels *p;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      pixel (x, y, buf + ((gsize) y * w + x) * 4);
  /* as lm_image_decode_png makes them */
  p = g_atomic_rc_box_new0 (LmImagePixels);
  p->width = p->full_width = w;
  p->height = p->full_height = h;
  p->factor = 1;
  p->stride = (gsize) w * 4;
  p->rgba = g_bytes_new_take (buf, (gsize) w * h * 4);
  return p;
}

/* w x h pixels held (rows packed) of a full_w x full_h image. */
static void
assert_reduced_size (LmImagePixels *p, int w, int h, int full_w, int full_h, int factor)
{
  g_assert_cmpint (p->width, ==, w);
  g_assert_cmpint (p->height, ==, h);
  g_assert_cmpint (p->full_width, ==, full_w);
  g_assert_cmpint (p->full_height, ==, full_h);
  g_assert_cmpint (p->factor, ==, factor);
  g_assert_cmpuint (p->stride, ==, (gsize) w * 4);
}

static void
ramp (int x, int y, guint8 out[4])
{
  out[0] = (guint8) (10 * x);
  out[1] = (guint8) (20 * y);
  out[2] = 7;
  out[3] = 255;
}

/* Left column opaque red, the rest fully transparent (whatever colour
 * it claims). */
static void
red_edge (int x, int y, guint8 out[4])
{
  out[0] = x == 0 ? 255 : 0;
  out[1] = 0;
  out[2] = x == 0 ? 0 : 255;
  out[3] = x == 0 ? 255 : 0;
}

static void
test_reduce (void)
{
  g_autoptr (LmImagePixels) src = make_pixels (5, 3, ramp);
  g_autoptr (LmImagePixels) same = lm_image_pixels_reduce (src, 1);
  g_autoptr (LmImagePixels) half = lm_image_pixels_reduce (src, 2);
  g_autoptr (LmImagePixels) edge = make_pixels (4, 4, red_edge);
  g_autoptr (LmImagePixels) edge4 = lm_image_pixels_reduce (edge, 4);
  g_autoptr (LmImagePixels) twice = lm_image_pixels_reduce (half, 2);
  const guint8 *px;

  g_assert_true (same == src);
  /* ceil (5/2) x ceil (3/2); the image as logged is still 5x3 */
  assert_reduced_size (half, 3, 2, 5, 3, 2);
  px = g_bytes_get_data (half->rgba, NULL);
  /* (0,0): x 0..1, y 0..1: r (0+10)/2 = 5, g (0+20)/2 = 10 */
  g_assert_cmpint (px[0], ==, 5);
  g_assert_cmpint (px[1], ==, 10);
  g_assert_cmpint (px[2], ==, 7);
  g_assert_cmpint (px[3], ==, 255);
  /* (1,1): x 2..3, y 2: r 25, g 40 */
  g_assert_cmpint (px[4 * 4 + 0], ==, 25);
  g_assert_cmpint (px[4 * 4 + 1], ==, 40);
  /* (2,1): the corner block is the single pixel (4,2) */
  g_assert_cmpint (px[5 * 4 + 0], ==, 40);
  g_assert_cmpint (px[5 * 4 + 1], ==, 40);
  /* Transparent pixels lend no colour: pure red at a quarter opacity. */
  px = g_bytes_get_data (edge4->rgba, NULL);
  g_assert_cmpint (edge4->width, ==, 1);
  g_assert_cmpint (px[0], ==, 255);
  g_assert_cmpint (px[2], ==, 0);
  g_assert_cmpint (px[3], ==, 64);
  /* Reductions compose. */
  g_assert_cmpint (twice->factor, ==, 4);
  g_assert_cmpint (twice->width, ==, 2);
  g_assert_cmpint (twice->full_width, ==, 5);
}

static void
test_reduce_factor (void)
{
  /* A 4000x3000 photo in a 290x217 card: 13 (308x231 kept). */
  g_assert_cmpint (lm_image_reduce_factor (4000, 3000, 290, 217), ==, 13);
  /* Never below the fitted size, never more than twice it. */
  for (int w = 1; w <= 5000; w += 37)
    for (int box = 50; box <= 600; box += 55)
      {
        int f = lm_image_reduce_factor (w, 3000, box, box);
        double fitted = MIN ((double) box / w, (double) box / 3000);

        g_assert_cmpint (f, >=, 1);
        g_assert_cmpfloat ((double) ((3000 + f - 1) / f), >=, 3000 * fitted - 1e-9);
        if (f > 1)
          g_assert_cmpfloat ((double) (3000 / f), <, 2 * 3000 * fitted + 1);
      }
  g_assert_cmpint (lm_image_reduce_factor (1000, 1, 290, 217), ==, 3);
  g_assert_cmpint (lm_image_reduce_factor (28, 28, 290, 217), ==, 1);
  g_assert_cmpint (lm_image_reduce_factor (4000, 3000, 0, 217), ==, 1);
}

/* ------------------------------------------------- PNGs of every kind */

static void
write_to_array (png_structp png, png_bytep data, size_t n)
{
  g_byte_array_append (png_get_io_ptr (png), data, (guint) n);
}

/* A PNG of w x h pixels given in the PNG's own sample layout (rows of
 * w * channels * depth / 8 bytes, 16-bit samples big-endian), written with
 * libpng's low-level API (which can interlace). */
static GBytes *
encode_png (const guint8 *samples, int w, int h, int color, int depth, int interlace,
            const png_color *palette, int n_palette, const guint8 *trans, int n_trans,
            double file_gamma)
{
  GByteArray *out = g_byte_array_new ();
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  g_autofree png_bytep *rows = g_new (png_bytep, h);
  size_t rowbytes;

  png_set_write_fn (png, out, write_to_array, NULL);
  png_set_IHDR (png, info, w, h, depth, color, interlace, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (palette != NULL)
    png_set_PLTE (png, info, palette, n_palette);
  if (trans != NULL)
    png_set_tRNS (png, info, trans, n_trans, NULL);
  if (file_gamma > 0)
    png_set_gAMA (png, info, file_gamma);
  png_write_info (png, info);
  rowbytes = png_get_rowbytes (png, info);
  for (int y = 0; y < h; y++)
    rows[y] = (png_bytep) samples + (gsize) y * rowbytes;
  png_write_image (png, rows);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  return g_byte_array_free_to_bytes (out);
}

static GBytes *
encode_rgba (const guint8 *rgba, int w, int h, int interlace)
{
  return encode_png (rgba, w, h, PNG_COLOR_TYPE_RGB_ALPHA, 8, interlace, NULL, 0, NULL, 0, 0);
}

static const guint8 *
pixel_at (LmImagePixels *p, int x, int y)
{
  return (const guint8 *) g_bytes_get_data (p->rgba, NULL) + (gsize) y * p->stride + (gsize) x * 4;
}

static void
assert_rgba (LmImagePixels *p, int x, int y, int r, int g, int b, int a)
{
  const guint8 *px = pixel_at (p, x, y);

  if (px[0] != r || px[1] != g || px[2] != b || px[3] != a)
    g_error ("pixel (%d,%d) of a %dx%d image is %d,%d,%d,%d; want %d,%d,%d,%d", x, y, p->width, p->height,
             px[0], px[1], px[2], px[3], r, g, b, a);
}

/* Same size and factor, every sample within `tol`. */
static void
assert_same_pixels (LmImagePixels *a, LmImagePixels *b, int tol, const char *what)
{
  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  g_assert_cmpint (a->full_width, ==, b->full_width);
  g_assert_cmpint (a->factor, ==, b->factor);
  for (int y = 0; y < a->height; y++)
    for (int x = 0; x < a->width; x++)
      for (int c = 0; c < 4; c++)
        if (abs (pixel_at (a, x, y)[c] - pixel_at (b, x, y)[c]) > tol)
          g_error ("%s: pixel (%d,%d) channel %d: %d vs %d", what, x, y, c, pixel_at (a, x, y)[c],
                   pixel_at (b, x, y)[c]);
}

/* A 7x5 RGBA pattern: r 10x, g 20y, b 7; columns 0-4 opaque, column 5
 * r 250 at alpha 51, column 6 transparent.  Reduced by 3 (3x2 blocks of
 * at most 3x3), by hand: block x 0-2 averages r 10 and g 20 (rows 0-2)
 * or 70 (rows 3-4); block x 3-5 weighs column 5 by its alpha: r (30*255
 * + 40*255 + 250*51) / 561 = 54.5 -> 55, alpha 561 * rows / (3 * rows)
 * = 187; block x 6 lends no colour and no alpha. */
static void
pattern_pixel (int x, int y, guint8 out[4])
{
  out[0] = (guint8) (x == 5 ? 250 : 10 * x);
  out[1] = (guint8) (20 * y);
  out[2] = 7;
  out[3] = x < 5 ? 255 : x == 5 ? 51 : 0;
}

static void
test_decode_reduced (void)
{
  guint8 rgba[7 * 5 * 4];
  g_autoptr (GBytes) png = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (LmImagePixels) rows = NULL, whole = NULL, reduced = NULL;

  for (int y = 0; y < 5; y++)
    for (int x = 0; x < 7; x++)
      pattern_pixel (x, y, rgba + (y * 7 + x) * 4);
  png = encode_rgba (rgba, 7, 5, PNG_INTERLACE_NONE);
  rows = lm_image_decode_png_reduced (g_bytes_get_data (png, NULL), g_bytes_get_size (png), 3, &error);
  g_assert_no_error (error);
  assert_reduced_size (rows, 3, 2, 7, 5, 3);
  assert_rgba (rows, 0, 0, 10, 20, 7, 255);
  assert_rgba (rows, 1, 0, 55, 20, 7, 187);
  assert_rgba (rows, 2, 0, 0, 0, 0, 0);
  assert_rgba (rows, 0, 1, 10, 70, 7, 255);
  assert_rgba (rows, 1, 1, 55, 70, 7, 187);
  assert_rgba (rows, 2, 1, 0, 0, 0, 0);

  /* The same pixels as the whole decode reduced afterwards. */
  whole = lm_image_decode_png (g_bytes_get_data (png, NULL), g_bytes_get_size (png), &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (whole->rgba, NULL), 7 * 5 * 4, rgba, sizeof rgba);
  reduced = lm_image_pixels_reduce (whole, 3);
  assert_same_pixels (rows, reduced, 0, "rows vs whole");
}

/* Every colour type and depth decodes to the same RGBA row by row as
 * libpng's simplified API gives (the whole decode, reduced afterwards);
 * interlaced, 16-bit and gamma-1.0 PNGs (decoded whole) too.  The
 * source pixels are a deterministic hash, so blocks are not uniform. */
static void
test_decode_formats (void)
{
  const int w = 37, h = 23;
  const png_color palette[4] = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 }, { 40, 80, 120 } };
  const guint8 palette_alpha[3] = { 0, 128, 255 };
  const guint8 grey_trans[2] = { 0, 77 };   /* grey 77 is transparent */
  struct { const char *name; int color, depth, interlace; gboolean pal, trans; double gamma; } kinds[] = {
    { "grey 8", PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, FALSE, FALSE, 0 },
    { "grey 2", PNG_COLOR_TYPE_GRAY, 2, PNG_INTERLACE_NONE, FALSE, FALSE, 0 },
    { "grey 8 tRNS", PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, FALSE, TRUE, 0 },
    { "grey+alpha 8", PNG_COLOR_TYPE_GRAY_ALPHA, 8, PNG_INTERLACE_NONE, FALSE, FALSE, 0 },
    { "RGB 8", PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, FALSE, FALSE, 0 },
    { "RGBA 8", PNG_COLOR_TYPE_RGB_ALPHA, 8, PNG_INTERLACE_NONE, FALSE, FALSE, 0 },
    { "RGBA 8 sRGB gamma", PNG_COLOR_TYPE_RGB_ALPHA, 8, PNG_INTERLACE_NONE, FALSE, FALSE, 1 / 2.2 },
    { "palette 2 tRNS", PNG_COLOR_TYPE_PALETTE, 2, PNG_INTERLACE_NONE, TRUE, TRUE, 0 },
    { "RGBA 16", PNG_COLOR_TYPE_RGB_ALPHA, 16, PNG_INTERLACE_NONE, FALSE, FALSE, 0 },
    { "grey 16", PNG_COLOR_TYPE_GRAY, 16, PNG_INTERLACE_NONE, FALSE, FALSE, 0 },
    { "RGB 8 gamma 1.0", PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, FALSE, FALSE, 1.0 },
    { "RGB 8 Adam7", PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_ADAM7, FALSE, FALSE, 0 },
    { "RGBA 8 Adam7", PNG_COLOR_TYPE_RGB_ALPHA, 8, PNG_INTERLACE_ADAM7, FALSE, FALSE, 0 },
    { "palette 2 Adam7", PNG_COLOR_TYPE_PALETTE, 2, PNG_INTERLACE_ADAM7, TRUE, TRUE, 0 },
  };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      int channels = kinds[k].color == PNG_COLOR_TYPE_RGB_ALPHA ? 4 : kinds[k].color == PNG_COLOR_TYPE_RGB ? 3
                     : kinds[k].color == PNG_COLOR_TYPE_GRAY_ALPHA ? 2 : 1;
      int bits = channels * kinds[k].depth;
      gsize rowbytes = ((gsize) w * bits + 7) / 8;
      g_autofree guint8 *samples = g_malloc0 (rowbytes * h);
      g_autoptr (GBytes) png = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (LmImagePixels) whole = NULL;

      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          for (int c = 0; c < bits / kinds[k].depth; c++)
            {
              guint v = (guint) (x * 7919 + y * 104729 + c * 1299709) * 2654435761u >> 7;
              gsize bit = (gsize) x * bits + (gsize) c * kinds[k].depth;
              guint8 *row = samples + y * rowbytes;

              if (kinds[k].depth < 8)   /* MSB first */
                row[bit / 8] |= (guint8) ((v % (kinds[k].pal ? 4u : 1u << kinds[k].depth))
                                          << (8 - kinds[k].depth - bit % 8));
              else if (kinds[k].depth == 8)
                row[bit / 8] = (guint8) (kinds[k].trans && v % 5 == 0 ? 77 : v);
              else
                {
                  row[bit / 8] = (guint8) (v >> 8);
                  row[bit / 8 + 1] = (guint8) v;
                }
            }
      png = encode_png (samples, w, h, kinds[k].color, kinds[k].depth, kinds[k].interlace,
                        kinds[k].pal ? palette : NULL, 4,
                        !kinds[k].trans ? NULL : kinds[k].pal ? palette_alpha : grey_trans,
                        kinds[k].pal ? 3 : 1, kinds[k].gamma);
      whole = lm_image_decode_png (g_bytes_get_data (png, NULL), g_bytes_get_size (png), &error);
      g_assert_no_error (error);
      g_assert_cmpint (whole->width, ==, w);
      g_assert_cmpint (whole->height, ==, h);
      if (kinds[k].color == PNG_COLOR_TYPE_RGB && kinds[k].depth == 8 && kinds[k].gamma == 0)
        {
          /* opaque, the logged samples as they were */
          for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
              {
                g_assert_cmpmem (pixel_at (whole, x, y), 3, samples + y * rowbytes + x * 3, 3);
                g_assert_cmpint (pixel_at (whole, x, y)[3], ==, 255);
              }
        }
      if (kinds[k].depth == 16 && kinds[k].gamma == 0)
        {
          /* no gAMA chunk: sRGB samples, as browsers (so TensorBoard) show
           * them; the high byte, not libpng's linear-light 0x8080 -> 186 */
          for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
              for (int c = 0; c < 3; c++)
                {
                  const guint8 *s = samples + y * rowbytes + (gsize) x * channels * 2;
                  int want = s[(kinds[k].color == PNG_COLOR_TYPE_GRAY ? 0 : c) * 2];

                  if (kinds[k].color == PNG_COLOR_TYPE_GRAY || s[6] == 0xff)
                    g_assert_cmpint (abs (pixel_at (whole, x, y)[c] - want), <=, 1);
                }
        }
      for (int factor = 1; factor <= 5; factor += 2)
        {
          g_autoptr (LmImagePixels) rows = lm_image_decode_png_reduced (g_bytes_get_data (png, NULL),
                                                                        g_bytes_get_size (png), factor, &error);
          g_autoptr (LmImagePixels) want = lm_image_pixels_reduce (whole, factor);

          g_assert_no_error (error);
          assert_same_pixels (rows, want, 0, kinds[k].name);
        }
    }
}

/* A damaged PNG fails with a message that says what is wrong with it,
 * whichever decoder reads it. */
static void
test_decode_damaged (void)
{
  const int w = 64, h = 48;
  g_autofree guint8 *rgba = g_malloc ((gsize) w * h * 4);
  const int interlaces[] = { PNG_INTERLACE_NONE, PNG_INTERLACE_ADAM7 };

  /* noise, so the image data does not compress to a few bytes */
  for (int i = 0; i < w * h * 4; i++)
    rgba[i] = (guint8) ((guint) i * 2654435761u >> 13);
  for (guint k = 0; k < G_N_ELEMENTS (interlaces); k++)
    {
      g_autoptr (GBytes) png = encode_rgba (rgba, w, h, interlaces[k]);
      gsize len = g_bytes_get_size (png);
      g_autofree guint8 *bytes = g_memdup2 (g_bytes_get_data (png, NULL), len);

      for (int factor = 1; factor <= 4; factor += 3)
        {
          g_autoptr (GError) error = NULL;
          LmImagePixels *p;

          /* cut in the middle of the image data */
          p = lm_image_decode_png_reduced (bytes, len * 6 / 10, factor, &error);
          g_assert_null (p);
          g_assert_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG);
          g_test_message ("truncated, %s, factor %d: %s", k ? "Adam7" : "plain", factor, error->message);
          g_assert_true (g_str_has_prefix (error->message, "invalid PNG (64x48): "));
          if (k == 0)
            {
              g_assert_nonnull (strstr (error->message, "truncated"));
              g_assert_nonnull (strstr (error->message, " of 48 rows decoded"));
            }
          else
            g_assert_nonnull (strstr (error->message, "end of data"));
          g_clear_error (&error);

          /* a flipped byte in the image data (zlib or the CRC finds it) */
          bytes[len / 2] ^= 0x5a;
          p = lm_image_decode_png_reduced (bytes, len, factor, &error);
          bytes[len / 2] ^= 0x5a;
          g_assert_null (p);
          g_assert_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG);
          g_test_message ("corrupt, %s, factor %d: %s", k ? "Adam7" : "plain", factor, error->message);
          g_assert_true (g_str_has_prefix (error->message, "invalid PNG (64x48): "));
        }
      /* and whole it decodes */
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (LmImagePixels) p = lm_image_decode_png (bytes, len, &error);

        g_assert_no_error (error);
        g_assert_cmpmem (g_bytes_get_data (p->rgba, NULL), (gsize) w * h * 4, rgba, (gsize) w * h * 4);
      }
    }
}

/* Image row `id` of `path` reduced by `factor` through `loader`, which
 * must load, w x h pixels. */
static LmImagePixels *
load_reduced (LmImageLoader *loader, const char *path, gint64 id, int factor, int w, int h)
{
  LoadResult r = { 0 };

  lm_image_loader_load_reduced_async (loader, path, id, factor, NULL, on_loaded, &r);
  g_assert_true (lm_test_wait_for (load_done, &r, 10000));
  g_assert_no_error (r.error);
  g_assert_cmpint (r.pixels->width, ==, w);
  g_assert_cmpint (r.pixels->height, ==, h);
  return r.pixels;
}

/* Through the loader: a 1000x800 photo reduced by 10 for a card holds
 * the reduced image and a few rows while it is decoded, not the 3.2 MB of
 * the whole image; an interlaced PNG (which is decoded whole) still loads,
 * with its pixels. */
static void
test_loader_rows (void)
{
  const int w = 1000, h = 800, aw = 40, ah = 30;
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-dash-XXXXXX");
  g_autofree char *path = NULL;
  g_autofree guint8 *rgba = g_malloc ((gsize) w * h * 4);
  g_autoptr (LmImageLoader) loader = lm_image_loader_new (0);
  g_autoptr (GBytes) adam7 = NULL;
  gint64 photo_id, adam7_id;
  gsize row_budget;
  lm_writer *wr;
  sqlite3 *db;
  sqlite3_stmt *st;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      pattern_pixel (x % 7, y % 5, rgba + ((gsize) y * w + x) * 4);
  g_assert_cmpint (lm_writer_open (&wr, dir, "big"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_image (wr, "photo", 0, rgba, w, h, 4), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (wr), ==, LM_OK);
  path = g_build_filename (dir, "big", "run.lumen", NULL);

  {
    g_autofree guint8 *crop = g_malloc ((gsize) aw * ah * 4);

    for (int y = 0; y < ah; y++)
      memcpy (crop + (gsize) y * aw * 4, rgba + (gsize) y * w * 4, (gsize) aw * 4);
    adam7 = encode_rgba (crop, aw, ah, PNG_INTERLACE_ADAM7);
  }
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO tags (name, kind) VALUES ('adam7', 'image')", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO images (tag_id, step, wall_time, width, height, channels, png) "
                                           "SELECT id, 0, 1700000000, ?2, ?3, 4, ?1 FROM tags WHERE name = 'adam7'",
                                       -1, &st, NULL), ==, SQLITE_OK);
  sqlite3_bind_blob (st, 1, g_bytes_get_data (adam7, NULL), (int) g_bytes_get_size (adam7), SQLITE_STATIC);
  sqlite3_bind_int (st, 2, aw);
  sqlite3_bind_int (st, 3, ah);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
  sqlite3_finalize (st);
  adam7_id = sqlite3_last_insert_rowid (db);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT images.id FROM images JOIN tags ON tags.id = tag_id "
                                           "WHERE name = 'photo'", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  photo_id = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);

  {
    g_autoptr (LmImagePixels) p = load_reduced (loader, path, photo_id, 10, 100, 80);

    /* block (0,0): x 0-9, y 0-9 of the 7x5 tiles (columns 0-6, 0-2),
     * by hand from pattern_pixel: alpha a row 8*255 + 51 + 0 = 2091,
     * 209.1 -> 209 a pixel; r (255*(0+10+20+30+40+0+10+20) + 250*51)
     * / 2091 = 21.95 -> 22; g 20*(0+1+2+3+4)*2/10 = 40 */
    assert_rgba (p, 0, 0, 22, 40, 7, 209);
    row_budget = (gsize) 100 * 80 * 4 + 4 * (gsize) w * 4;
    g_test_message ("peak decode bytes %zu (reduced image %d, one full row %d)",
                    (size_t) lm_image_loader_get_peak_decode_bytes (loader), 100 * 80 * 4, w * 4);
    g_assert_cmpuint (lm_image_loader_get_peak_decode_bytes (loader), >, 0);
    g_assert_cmpuint (lm_image_loader_get_peak_decode_bytes (loader), <=, row_budget);
  }
  {
    g_autoptr (LmImagePixels) p = load_reduced (loader, path, adam7_id, 3, 14, 10);

    /* the 40x30 crop of the same tiles: blocks (0,0) and (1,0) as in
     * test_decode_reduced */
    assert_rgba (p, 0, 0, 10, 20, 7, 255);
    assert_rgba (p, 1, 0, 55, 20, 7, 187);
  }
  lm_test_rm_rf (dir);
}

/* ------------------------------------------------------------------ audio */

static void
assert_samples (const LmWav *wav, const float *want, gsize n)
{
  g_assert_cmpint (wav->frames * wav->channels, ==, (gint64) n);
  for (gsize i = 0; i < n; i++)
    if (wav->samples[i] != want[i])
      g_error ("sample %zu is %.9g, expected %.9g", i, wav->samples[i], want[i]);
}

/* Decodes a WAV built by wav_build; asserts it works. */
static void
decode_ok (GBytes *bytes, LmWav *out)
{
  g_autoptr (GError) error = NULL;
  gsize size;
  const void *data = g_bytes_get_data (bytes, &size);

  g_assert_true (lm_wav_decode (data, size, out, &error));
  g_assert_no_error (error);
  g_bytes_unref (bytes);
}

/* Every format lumen-log accepts, against samples worked out by hand:
 * integers over 2^(bits-1) (8-bit: unsigned, around 128), floats clamped. */
static void
test_wav_decode (void)
{
  LmWav w;

  {
    const guint8 s8[4] = { 0, 128, 255, 64 };
    const float want[4] = { -1.0f, 0.0f, 127 / 128.0f, -0.5f };

    decode_ok (wav_build (1, 8, 1, 8000, s8, sizeof s8, FALSE, FALSE), &w);
    g_assert_cmpint (w.channels, ==, 1);
    g_assert_cmpfloat (w.sample_rate, ==, 8000);
    assert_samples (&w, want, 4);
    lm_wav_clear (&w);
  }
  {
    const gint16 s16[4] = { -32768, 0, 16384, 32767 };   /* 2 stereo frames */
    const float want[4] = { -1.0f, 0.0f, 0.5f, 32767 / 32768.0f };

    decode_ok (wav_build (1, 16, 2, 44100, s16, sizeof s16, FALSE, TRUE), &w);
    g_assert_cmpint (w.channels, ==, 2);
    g_assert_cmpint (w.frames, ==, 2);
    g_assert_cmpfloat (w.sample_rate, ==, 44100);
    assert_samples (&w, want, 4);
    lm_wav_clear (&w);
  }
  {
    /* -8388608, 4194304, -1, 8388607 */
    const guint8 s24[12] = { 0x00, 0x00, 0x80, 0x00, 0x00, 0x40, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f };
    const float want[4] = { -1.0f, 0.5f, -1 / 8388608.0f, (float) (8388607 / 8388608.0) };

    decode_ok (wav_build (1, 24, 1, 16000, s24, sizeof s24, FALSE, FALSE), &w);
    assert_samples (&w, want, 4);
    lm_wav_clear (&w);
    decode_ok (wav_build (1, 24, 1, 16000, s24, sizeof s24, TRUE, TRUE), &w);   /* extensible */
    assert_samples (&w, want, 4);
    lm_wav_clear (&w);
  }
  {
    const gint32 s32[3] = { G_MININT32, 1 << 30, -(1 << 29) };
    const float want[3] = { -1.0f, 0.5f, -0.25f };

    decode_ok (wav_build (1, 32, 1, 22050, s32, sizeof s32, FALSE, FALSE), &w);
    assert_samples (&w, want, 3);
    lm_wav_clear (&w);
  }
  {
    const float f[6] = { 0.25f, -0.75f, 2.0f, NAN, -INFINITY, 1e-3f };
    const float want[6] = { 0.25f, -0.75f, 1.0f, 0.0f, -1.0f, 1e-3f };

    decode_ok (wav_build (3, 32, 3, 48000, f, sizeof f, FALSE, FALSE), &w);
    g_assert_cmpint (w.channels, ==, 3);
    g_assert_cmpint (w.frames, ==, 2);
    assert_samples (&w, want, 6);
    lm_wav_clear (&w);
    decode_ok (wav_build (3, 32, 3, 48000, f, sizeof f, TRUE, FALSE), &w);
    assert_samples (&w, want, 6);
    lm_wav_clear (&w);
  }
}

static void
assert_decode_fails (const guint8 *data, gsize size, const char *needle)
{
  LmWav w = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_false (lm_wav_decode (data, size, &w, &error));
  g_assert_error (error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_BAD_WAV);
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_error ("\"%s\" lacks \"%s\"", error->message, needle);
  g_assert_null (w.samples);
}

/* Every cut of a WAV and every byte of its header set to each of a few
 * values: a message, never a crash or a read past the end (ASan). */
static void
test_wav_damaged (void)
{
  const gint16 s[6] = { 1, -2, 3, -4, 5, -6 };
  g_autoptr (GBytes) ok = wav_build (1, 16, 2, 16000, s, sizeof s, TRUE, TRUE);
  gsize size;
  const guint8 *good = g_bytes_get_data (ok, &size);
  static const guint8 values[] = { 0x00, 0x01, 0x03, 0x18, 0x7f, 0xfe, 0xff };
  LmWav w;

  for (gsize cut = 0; cut < size; cut++)
    {
      /* a copy of just `cut` bytes, so ASan sees any read past it */
      g_autofree guint8 *part = g_memdup2 (good, MAX (cut, 1));

      assert_decode_fails (part, cut, NULL);
    }
  for (gsize i = 0; i < size - sizeof s; i++)
    for (gsize k = 0; k < G_N_ELEMENTS (values); k++)
      {
        g_autofree guint8 *copy = g_memdup2 (good, size);
        g_autoptr (GError) error = NULL;

        copy[i] = values[k];
        if (lm_wav_decode (copy, size, &w, &error))
          {
            g_assert_cmpint (w.frames * w.channels, <=, (gint64) (sizeof s));
            lm_wav_clear (&w);
          }
        else
          g_assert_true (error != NULL && error->message[0] != '\0');
      }
  assert_decode_fails (NULL, 0, "WAV data is NULL");
  assert_decode_fails ((const guint8 *) "\x89PNG\r\n\x1a\n....", 12, "not a WAV file (12 bytes");
  assert_decode_fails (good, size - 1, "WAV is truncated: data chunk says 12 bytes, 11 present");
  assert_decode_fails (good, 30, "WAV is truncated: fmt chunk of 40 bytes");
  {
    g_autofree guint8 *copy = g_memdup2 (good, size);

    copy[20] = 0x55;   /* MPEG-3 format tag */
    copy[21] = 0x00;
    assert_decode_fails (copy, size, "WAV format tag is 0x0055");
  }
}

/* What PyTorch's add_audio clip decodes to: its int16 over 32768. */
static void
test_wav_decode_logged (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-audio-XXXXXX");
  const float clip[4] = { 0.5f, -1.0f, 1.5f, NAN };
  const float want[4] = { 16383 / 32768.0f, -32767 / 32768.0f, 32767 / 32768.0f, 0.0f };
  g_autofree char *path = NULL;
  lm_writer *w;
  sqlite3 *db;
  sqlite3_stmt *st;
  LmWav pcm;

  g_assert_cmpint (lm_writer_open (&w, dir, "a"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_audio (w, "clip", 0, clip, 4, 1, 16000), ==, LM_OK);
  path = g_strdup (lm_writer_file_path (w));
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT wav FROM audio", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_true (lm_wav_decode (sqlite3_column_blob (st, 0), sqlite3_column_bytes (st, 0), &pcm, NULL));
  g_assert_cmpfloat (pcm.sample_rate, ==, 16000);
  assert_samples (&pcm, want, 4);
  lm_wav_clear (&pcm);
  sqlite3_finalize (st);
  sqlite3_close (db);
  lm_test_rm_rf (dir);
}

/* Logs one clip of `frames` mono frames, sample i = (i + 1) / 100 * sign. */
static void
log_clips (const char *dir, const char *run, const char *tag, const int *steps, int n, const char *label)
{
  lm_writer *w;

  g_assert_cmpint (lm_writer_open (&w, dir, run), ==, LM_OK);
  for (int k = 0; k < n; k++)
    {
      float s[3] = { 0.01f * (steps[k] + 1), -0.5f, 0.25f };

      g_assert_cmpint (lm_writer_add_audio_label (w, tag, steps[k], s, 3, 1, 22050, label), ==, LM_OK);
    }
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
}

static gboolean
has_5_clips (gpointer data)
{
  LmRecordSeries *s = lm_record_feed_find (data, "b", "speech");

  return s != NULL && s->items->len == 5;
}

static void
test_audio_feed (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-audio-XXXXXX");
  g_autoptr (LmRunStore) store = NULL;
  g_autoptr (LmRecordFeed) feed = NULL;
  const int steps_a[3] = { 5, 1, 3 }, steps_b[2] = { 2, 2 }, more_b[3] = { 0, 9, 2 };
  const gint64 want_b[5] = { 0, 2, 2, 2, 9 };
  LmRecordSeries *s;
  LmAudioMeta *m;

  log_clips (dir, "a", "speech", steps_a, 3, "**said** this");
  log_clips (dir, "b", "speech", steps_b, 2, NULL);
  lm_test_records_write (dir, "c", 0.1, "adam", 0.9, FALSE);   /* no audio */
  store = lm_test_store_open (dir);
  feed = lm_test_feed_open (store, LM_RECORD_AUDIO);
  g_assert_cmpstr (lm_record_kind_to_string (LM_RECORD_AUDIO), ==, "audio");
  g_assert_cmpuint (lm_record_feed_get_series (feed)->len, ==, 2);
  g_assert_null (lm_record_feed_get_run_error (feed, "c"));

  s = lm_record_feed_find (feed, "a", "speech");
  g_assert_cmpint (s->kind, ==, LM_RECORD_AUDIO);
  g_assert_cmpuint (s->items->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      m = s->items->pdata[i];
      g_assert_cmpint (m->step, ==, 1 + 2 * i);   /* 1, 3, 5: in step order */
      g_assert_cmpfloat (m->sample_rate, ==, 22050);
      g_assert_cmpint (m->channels, ==, 1);
      g_assert_cmpint (m->frames, ==, 3);
      g_assert_cmpstr (m->label, ==, "**said** this");
      g_assert_cmpfloat (m->wall_time, >, 1.6e9);
    }
  g_assert_cmpint (((LmAudioMeta *) s->items->pdata[0])->id, ==, 2);

  /* live: new clips (one at an earlier step) are merged in (step, id) order */
  log_clips (dir, "b", "speech", more_b, 3, NULL);
  g_assert_true (lm_test_wait_for (has_5_clips, feed, 10000));
  s = lm_record_feed_find (feed, "b", "speech");
  for (guint i = 0; i < 5; i++)
    {
      m = s->items->pdata[i];
      g_assert_cmpint (m->step, ==, want_b[i]);
      g_assert_null (m->label);
      if (i > 0 && m->step == ((LmAudioMeta *) s->items->pdata[i - 1])->step)
        g_assert_cmpint (m->id, >, ((LmAudioMeta *) s->items->pdata[i - 1])->id);
    }

  g_clear_object (&feed);
  g_clear_object (&store);
  lm_test_rm_rf (dir);
}

typedef struct
{
  LmAudioClip *clip;
  GError *error;
} ClipResult;

static void
keep_result (GObject *source, GAsyncResult *res, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (res);
}

static gboolean
have_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* One load, waited for on the main loop (where its result is cached). */
static ClipResult
load_clip (LmAudioLoader *loader, const char *path, gint64 id)
{
  g_autoptr (GAsyncResult) res = NULL;
  ClipResult r = { 0 };

  lm_audio_loader_load_async (loader, path, id, NULL, keep_result, &res);
  g_assert_true (lm_test_wait_for (have_result, &res, 10000));
  r.clip = lm_audio_loader_load_finish (loader, res, &r.error);
  return r;
}

static void
test_audio_loader (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-audio-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "a", "run.lumen", NULL);
  g_autofree char *old = NULL;
  /* a clip is 44 + 6 WAV bytes and 3 + 3 floats (its peaks): 74 bytes;
   * room for three */
  g_autoptr (LmAudioLoader) loader = lm_audio_loader_new (3 * 74);
  const int steps[4] = { 0, 1, 2, 3 };
  ClipResult r;
  LmAudioClip *cached;
  sqlite3 *db;

  log_clips (dir, "a", "speech", steps, 4, NULL);
  r = load_clip (loader, path, 2);
  g_assert_no_error (r.error);
  g_assert_cmpint (r.clip->peaks.channels, ==, 1);
  g_assert_cmpint (r.clip->peaks.frames, ==, 3);
  g_assert_cmpfloat (r.clip->peaks.sample_rate, ==, 22050);
  /* a short clip's peaks are its samples: blocks of one frame */
  g_assert_cmpint (r.clip->peaks.block, ==, 1);
  g_assert_cmpint (r.clip->peaks.n_peaks, ==, 3);
  /* step 1: 0.02 * 32767 = 655.34 -> 655; -0.5 -> -16383; 0.25 -> 8191 */
  g_assert_cmpfloat (r.clip->peaks.min[0], ==, 655 / 32768.0f);
  g_assert_cmpfloat (r.clip->peaks.min[1], ==, -16383 / 32768.0f);
  g_assert_cmpfloat (r.clip->peaks.min[2], ==, 8191 / 32768.0f);
  g_assert_cmpmem (r.clip->peaks.max, 3 * sizeof (float), r.clip->peaks.min, 3 * sizeof (float));
  g_assert_cmpuint (g_bytes_get_size (r.clip->wav), ==, 50);
  g_assert_cmpmem (g_bytes_get_data (r.clip->wav, NULL), 4, "RIFF", 4);
  g_assert_cmpuint (lm_audio_loader_get_n_decoded (loader), ==, 1);
  cached = lm_audio_loader_lookup (loader, path, 2);
  g_assert_true (cached == r.clip);   /* the same clip, not read again */
  lm_audio_clip_unref (cached);
  lm_audio_clip_unref (r.clip);

  /* three more through a cache of three: the first is evicted */
  for (gint64 id = 1; id <= 4; id++)
    if (id != 2)
      {
        r = load_clip (loader, path, id);
        g_assert_no_error (r.error);
        lm_audio_clip_unref (r.clip);
      }
  g_assert_cmpuint (lm_audio_loader_get_n_decoded (loader), ==, 4);
  g_assert_null (lm_audio_loader_lookup (loader, path, 2));
  cached = lm_audio_loader_lookup (loader, path, 4);
  g_assert_nonnull (cached);
  g_assert_cmpfloat (cached->peaks.max[0], ==, 1310 / 32768.0f);   /* 0.04 * 32767 */
  lm_audio_clip_unref (cached);

  /* a clip over a third of the cache is returned, not kept */
  {
    g_autoptr (LmAudioLoader) small = lm_audio_loader_new (150);

    r = load_clip (small, path, 1);
    g_assert_nonnull (r.clip);
    lm_audio_clip_unref (r.clip);
    g_assert_null (lm_audio_loader_lookup (small, path, 1));
  }

  /* a row that is not there; a blob that is not a WAV */
  r = load_clip (loader, path, 99);
  g_assert_error (r.error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_MISSING);
  g_assert_nonnull (strstr (r.error->message, "audio row 99 is not in the run file"));
  g_clear_error (&r.error);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE audio SET wav = x'52494646000000005741' WHERE id = 3",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  r = load_clip (loader, path, 3);
  g_assert_error (r.error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_BAD_WAV);
  g_assert_nonnull (strstr (r.error->message, "audio row 3: not a WAV file (10 bytes"));
  g_clear_error (&r.error);

  /* a file from before audio: no table, so no such row */
  lm_test_records_write (dir, "old", 0.1, "adam", 0.9, FALSE);
  old = g_build_filename (dir, "old", "run.lumen", NULL);
  g_assert_cmpint (sqlite3_open (old, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE audio", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  r = load_clip (loader, old, 1);
  g_assert_error (r.error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_MISSING);
  g_clear_error (&r.error);

  /* not a run file at all */
  r = load_clip (loader, "/nonexistent/run.lumen", 1);
  g_assert_error (r.error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_READ);
  g_assert_nonnull (strstr (r.error->message, "/nonexistent/run.lumen: "));
  g_clear_error (&r.error);
  lm_test_rm_rf (dir);
}

/* A long clip's peak summary: per block of frames the least and greatest
 * sample of every channel, the same as the decoded samples' (so a one-
 * sample click stays in the waveform), the last block shorter; and what
 * the loader keeps of a ten-second 48 kHz stereo clip is its WAV and at
 * most LM_AUDIO_MAX_PEAKS blocks, not its 3.8 MB of floats. */
static void
test_audio_peaks (void)
{
  enum { FRAMES = 100001, CH = 2 };
  g_autofree gint16 *s = g_new (gint16, FRAMES * CH);
  g_autoptr (GBytes) bytes = NULL;
  LmAudioPeaks p;
  LmWav w;
  gsize size;
  const void *data;

  for (int i = 0; i < FRAMES; i++)
    {
      s[i * CH] = (gint16) (3000 * sin (i * 0.01));
      s[i * CH + 1] = (gint16) (i % 7 - 3);
    }
  s[77777 * CH] = 32767;     /* clicks, one sample each */
  s[12345 * CH + 1] = -32768;
  bytes = wav_build (1, 16, CH, 48000, s, FRAMES * CH * 2, FALSE, FALSE);
  data = g_bytes_get_data (bytes, &size);
  g_assert_true (lm_audio_peaks_from_wav (data, size, 1000, &p, NULL));
  g_assert_cmpint (p.channels, ==, CH);
  g_assert_cmpint (p.frames, ==, FRAMES);
  g_assert_cmpfloat (p.sample_rate, ==, 48000);
  g_assert_cmpint (p.block, ==, 101);    /* ceil (100001 / 1000) */
  g_assert_cmpint (p.n_peaks, ==, 991);  /* ceil (100001 / 101) */
  g_assert_cmpfloat (p.max[(77777 / 101) * CH], ==, 32767 / 32768.0f);
  g_assert_cmpfloat (p.min[(12345 / 101) * CH + 1], ==, -1.0f);
  g_assert_true (lm_wav_decode (data, size, &w, NULL));
  for (gint64 k = 0; k < p.n_peaks; k++)
    for (int c = 0; c < CH; c++)
      {
        float lo = 2, hi = -2;

        for (gint64 f = k * p.block; f < MIN ((k + 1) * p.block, FRAMES); f++)
          lo = MIN (lo, w.samples[f * CH + c]), hi = MAX (hi, w.samples[f * CH + c]);
        if (p.min[k * CH + c] != lo || p.max[k * CH + c] != hi)
          g_error ("block %" G_GINT64_FORMAT " channel %d: %g..%g, the samples' %g..%g", k, c, p.min[k * CH + c],
                   p.max[k * CH + c], lo, hi);
      }
  lm_wav_clear (&w);
  lm_audio_peaks_clear (&p);
  g_assert_null (p.min);

  /* a bad WAV: the decoder's message, nothing kept */
  g_assert_false (lm_audio_peaks_from_wav ("RIFF", 4, 1000, &p, NULL));
  g_assert_null (p.min);

  /* through the loader */
  {
    g_autofree char *dir = lm_test_tmpdir_new ("lumen-audio-XXXXXX");
    g_autofree char *path = g_build_filename (dir, "a", "run.lumen", NULL);
    g_autofree float *clip = g_new0 (float, 480000 * 2);
    g_autoptr (LmAudioLoader) loader = lm_audio_loader_new (0);
    ClipResult r;
    lm_writer *lw;

    clip[123456 * 2 + 1] = 1.0f;
    g_assert_cmpint (lm_writer_open (&lw, dir, "a"), ==, LM_OK);
    g_assert_cmpint (lm_writer_add_audio (lw, "music", 0, clip, 480000, 2, 48000), ==, LM_OK);
    g_assert_cmpint (lm_writer_close (lw), ==, LM_OK);
    r = load_clip (loader, path, 1);
    g_assert_no_error (r.error);
    g_assert_cmpint (r.clip->peaks.frames, ==, 480000);
    g_assert_cmpint (r.clip->peaks.block, ==, 30);    /* ceil (480000 / 16384) */
    g_assert_cmpint (r.clip->peaks.n_peaks, ==, 16000);
    g_assert_cmpint (r.clip->peaks.n_peaks, <=, LM_AUDIO_MAX_PEAKS);
    g_assert_cmpfloat (r.clip->peaks.max[(123456 / 30) * 2 + 1], ==, 32767 / 32768.0f);
    g_assert_cmpfloat (r.clip->peaks.max[(123456 / 30) * 2], ==, 0);
    g_assert_cmpuint (g_bytes_get_size (r.clip->wav), ==, 44 + 480000 * 2 * 2);
    lm_audio_clip_unref (r.clip);
    lm_test_rm_rf (dir);
  }
}

/* A clip over LM_AUDIO_KEEP_WAV (30 s of 44.1 kHz stereo, 5.3 MB): the
 * loader keeps its peaks, not its WAV, and writes the WAV for playback
 * into a file, byte for byte as stored; a row that is not there says so
 * and a cancelled write stops. */
static void
test_audio_save (void)
{
  enum { FRAMES = 44100 * 30 };
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-audio-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "a", "run.lumen", NULL);
  g_autofree char *out = g_build_filename (dir, "out.wav", NULL);
  g_autofree float *clip = g_new (float, FRAMES * 2);
  g_autoptr (LmAudioLoader) loader = lm_audio_loader_new (0);
  g_autofree char *saved = NULL;
  gsize saved_len;
  ClipResult r;
  lm_writer *lw;
  sqlite3 *db;
  sqlite3_stmt *st;

  for (int i = 0; i < FRAMES * 2; i++)
    clip[i] = (float) sin (i * 0.001);
  g_assert_cmpint (lm_writer_open (&lw, dir, "a"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_audio (lw, "music", 0, clip, FRAMES, 2, 44100), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (lw), ==, LM_OK);
  r = load_clip (loader, path, 1);
  g_assert_no_error (r.error);
  g_assert_null (r.clip->wav);
  g_assert_cmpint (r.clip->peaks.frames, ==, FRAMES);
  g_assert_cmpint (r.clip->peaks.n_peaks, <=, LM_AUDIO_MAX_PEAKS);
  lm_audio_clip_unref (r.clip);

  for (int k = 0; k < 3; k++)
    {
      g_autoptr (GAsyncResult) res = NULL;
      g_autoptr (GCancellable) cancel = g_cancellable_new ();
      g_autoptr (GError) error = NULL;
      int fd = g_open (out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

      g_assert_cmpint (fd, >=, 0);
      if (k == 2)
        g_cancellable_cancel (cancel);
      lm_audio_loader_save_async (loader, path, k == 1 ? 99 : 1, fd, cancel, keep_result, &res);
      g_assert_true (lm_test_wait_for (have_result, &res, 10000));
      if (k == 0)
        g_assert_true (lm_audio_loader_save_finish (loader, res, &error));
      else if (k == 1)
        {
          g_assert_false (lm_audio_loader_save_finish (loader, res, &error));
          g_assert_error (error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_MISSING);
          g_assert_nonnull (strstr (error->message, "audio row 99 is not in the run file"));
          continue;
        }
      else
        {
          g_assert_false (lm_audio_loader_save_finish (loader, res, &error));
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          continue;
        }
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (out, &saved, &saved_len, NULL));
    }
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT wav FROM audio WHERE id = 1", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpuint (saved_len, ==, 44 + FRAMES * 2 * 2);
  g_assert_cmpmem (saved, saved_len, sqlite3_column_blob (st, 0), sqlite3_column_bytes (st, 0));
  sqlite3_finalize (st);
  sqlite3_close (db);
  lm_test_rm_rf (dir);
}


int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/records/percentiles/uniform", test_percentiles_uniform);
  g_test_add_func ("/records/percentiles/skewed", test_percentiles_skewed);
  g_test_add_func ("/records/percentiles/min-max", test_percentiles_min_max);
  g_test_add_func ("/records/percentiles/empty-edges", test_percentiles_empty_edges);
  g_test_add_func ("/records/percentiles/constant", test_percentiles_constant);
  g_test_add_func ("/records/nonfinite", test_nonfinite);
  g_test_add_func ("/records/rebin", test_rebin);
  g_test_add_func ("/records/bad-histograms", test_bad_histograms);
  g_test_add_func ("/records/empty-buckets-merged", test_empty_buckets_merged);
  g_test_add_func ("/records/png-decode", test_png_decode);
  g_test_add_func ("/records/feed", test_feed);
  g_test_add_func ("/records/hparams-groups", test_hparams_groups);
  g_test_add_func ("/records/hparams-inferred", test_hparams_inferred);
  g_test_add_func ("/records/hparams-labels", test_hparams_labels);
  g_test_add_func ("/records/hparams-columns", test_hparams_columns);
  g_test_add_func ("/records/feed-bad-file", test_feed_bad_file);
  g_test_add_func ("/records/pr-curves", test_pr_curves);
  g_test_add_func ("/records/pr-curves-newest-first", test_pr_curves_newest_first);
  g_test_add_func ("/records/image-loader", test_loader);
  g_test_add_func ("/records/image-reduce", test_reduce);
  g_test_add_func ("/records/image-reduce-factor", test_reduce_factor);
  g_test_add_func ("/records/image-decode-reduced", test_decode_reduced);
  g_test_add_func ("/records/image-decode-formats", test_decode_formats);
  g_test_add_func ("/records/image-decode-damaged", test_decode_damaged);
  g_test_add_func ("/records/image-loader-rows", test_loader_rows);
  g_test_add_func ("/records/audio/wav-decode", test_wav_decode);
  g_test_add_func ("/records/audio/wav-damaged", test_wav_damaged);
  g_test_add_func ("/records/audio/wav-decode-logged", test_wav_decode_logged);
  g_test_add_func ("/records/audio/feed", test_audio_feed);
  g_test_add_func ("/records/audio/loader", test_audio_loader);
  g_test_add_func ("/records/audio/peaks", test_audio_peaks);
  g_test_add_func ("/records/audio/save", test_audio_save);
  return g_test_run ();
}
