/* lm-test-records.c: dashboard fixtures (see lm-test-records.h). */
#include "lm-test-records.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include <lumen-log.h>

void
lm_test_records_image_color (int step, guint8 rgb[3])
{
  rgb[0] = 255;
  rgb[1] = (guint8) (20 + 40 * step);
  rgb[2] = 200;
}

static void
check (int rc, const char *what)
{
  if (rc != LM_OK)
    g_error ("%s: %s", what, lm_log_last_error ());
}

static void
sql (sqlite3 *db, const char *stmt)
{
  char *err = NULL;

  if (sqlite3_exec (db, stmt, NULL, NULL, &err) != SQLITE_OK)
    g_error ("fixture SQL failed: %s (%s)", err, stmt);
}

void
lm_test_records_write (const char *logdir, const char *run, double lr, const char *optimizer,
                       double metric, gboolean bad_rows)
{
  lm_writer *w;
  double edges[11], counts[10];
  guint8 pixels[LM_TR_IMAGE_W * LM_TR_IMAGE_W * 3];
  lm_hparam hp[] = { LM_HP_NUMBER ("lr", lr), LM_HP_STRING ("optimizer", optimizer),
                     LM_HP_BOOL ("augment", lr > 0.05) };
  const char *metrics[] = { LM_TR_METRIC_TAG };

  check (lm_writer_open (&w, logdir, run), "open");
  for (int i = 0; i <= 10; i++)
    edges[i] = i;
  for (int step = 0; step < LM_TR_HIST_STEPS; step++)
    {
      lm_histogram h = { 0 };
      double total = 0;

      for (int i = 0; i < 10; i++)
        total += counts[i] = i == 6 ? 100 + step : 5;
      h.count = total;
      h.min = 0;
      h.max = 10;
      h.sum = 6.5 * total;
      h.sum_squares = 42.25 * total;
      h.bucket_count = 10;
      h.edges = edges;
      h.counts = counts;
      check (lm_writer_add_histogram_buckets (w, LM_TR_HIST_TAG, step, &h), "histogram");
    }
  for (int step = 0; step < LM_TR_IMAGE_STEPS; step++)
    {
      guint8 rgb[3];

      lm_test_records_image_color (step, rgb);
      for (int y = 0; y < LM_TR_IMAGE_W; y++)
        for (int x = 0; x < LM_TR_IMAGE_W; x++)
          memcpy (pixels + (y * LM_TR_IMAGE_W + x) * 3,
                  x < LM_TR_IMAGE_W / 2 ? rgb : (guint8[3]) { 0, 0, 0 }, 3);
      check (lm_writer_add_image_caption (w, LM_TR_IMAGE_TAG, step * 10, pixels, LM_TR_IMAGE_W,
                                          LM_TR_IMAGE_W, 3, "left half coloured"), "image");
    }
  check (lm_writer_add_text (w, LM_TR_TEXT_TAG, 0, "# Notes\nplain **bold** and `code`"), "text");
  check (lm_writer_add_text (w, LM_TR_TEXT_TAG, 5,
                             "## Results\n- loss *went down*\n- accuracy up\n\n"
                             "| metric | value |\n|---|---|\n| acc | 0.91 |\n"), "text");
  check (lm_writer_add_hparams (w, hp, G_N_ELEMENTS (hp), metrics, 1), "hparams");
  check (lm_writer_add_scalar (w, LM_TR_METRIC_TAG, 0, metric / 2), "scalar");
  check (lm_writer_add_scalar (w, LM_TR_METRIC_TAG, 100, metric), "scalar");
  check (lm_writer_close (w), "close");

  if (bad_rows)
    {
      g_autofree char *path = g_build_filename (logdir, run, "run.lumen", NULL);
      sqlite3 *db;

      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      sql (db, "INSERT INTO tags (name, kind) VALUES ('bad/blob', 'image'), ('bad/empty', 'histogram'), "
               "('bad/nan', 'histogram'), ('bad/utf8', 'text')");
      sql (db, "INSERT INTO images (tag_id, step, wall_time, width, height, channels, png) "
               "SELECT id, 0, 1700000000, 4, 4, 3, x'89504e470d0a1a0a0000000d49484452ffff' FROM tags WHERE name = 'bad/blob'");
      sql (db, "INSERT INTO histograms (tag_id, step, wall_time, count, bucket_count, edges, counts) "
               "SELECT id, 0, 1700000000, 0, 0, x'', x'' FROM tags WHERE name = 'bad/empty'");
      /* edges [0, NaN, 2] as little-endian float64 */
      sql (db, "INSERT INTO histograms (tag_id, step, wall_time, count, min, max, bucket_count, edges, counts) "
               "SELECT id, 0, 1700000000, 2, 0, 2, 2, "
               "x'0000000000000000000000000000f87f0000000000000040', "
               "x'000000000000f03f000000000000f03f' FROM tags WHERE name = 'bad/nan'");
      sql (db, "INSERT INTO texts (tag_id, step, wall_time, value) "
               "SELECT id, 0, 1700000000, CAST(x'6f6bfffe' AS TEXT) FROM tags WHERE name = 'bad/utf8'");
      sqlite3_close (db);
    }
}

void
lm_test_records_append_histograms (const char *logdir, const char *run, const char *tag, int first_step, int n)
{
  lm_writer *w;
  float values[64];

  check (lm_writer_open (&w, logdir, run), "reopen");
  for (int s = first_step; s < first_step + n; s++)
    {
      for (int i = 0; i < 64; i++)
        values[i] = (float) (i / 64.0 + s * 0.01);
      check (lm_writer_add_histogram_uniform (w, tag, s, values, 64, 30), "histogram");
    }
  check (lm_writer_close (w), "close");
}

void
lm_test_records_pr_samples (int step, guint8 *labels, float *predictions)
{
  double q = MIN (3.0, 0.2 + 0.1 * step);

  for (int i = 0; i < LM_TR_PR_N; i++)
    {
      double u = (double) (i * 37 % 101) / 100.0;

      labels[i] = i % 3 == 0;
      /* positives pushed up, negatives down, more so at later steps */
      predictions[i] = (float) (labels[i] ? (u + q) / (1 + q) : u / (1 + q));
    }
}

void
lm_test_records_append_pr_curves (const char *logdir, const char *run, const char *tag, int first_step,
                                  int step_stride, int n, size_t num_thresholds)
{
  lm_writer *w;
  guint8 labels[LM_TR_PR_N];
  float predictions[LM_TR_PR_N];

  check (lm_writer_open (&w, logdir, run), "open for PR curves");
  for (int k = 0; k < n; k++)
    {
      int step = first_step + k * step_stride;

      lm_test_records_pr_samples (step, labels, predictions);
      check (lm_writer_add_pr_curve (w, tag, step, labels, predictions, LM_TR_PR_N, num_thresholds, NULL),
             "PR curve");
    }
  check (lm_writer_close (w), "close");
}

LmRunStore *
lm_test_store_open (const char *logdir)
{
  LmRunStore *store = lm_run_store_new (logdir);

  lm_run_store_set_intervals (store, 50, 100);
  lm_run_store_start (store);
  return store;
}

static gboolean
feed_loaded (gpointer data)
{
  return lm_record_feed_get_loaded (data);
}

LmRecordFeed *
lm_test_feed_open (LmRunStore *store, LmRecordKind kind)
{
  LmRecordFeed *feed = lm_record_feed_new (store, kind);

  lm_record_feed_set_poll_interval (feed, 50);
  lm_record_feed_set_active (feed, TRUE);
  g_assert_true (lm_test_wait_for (feed_loaded, feed, 10000));
  return feed;
}
