/* bench-dashboards.c: histogram dashboard first frame and image scrubbing.
 *
 * What it measures (issue 7's speed targets), in the real LmWindow under a
 * display (xvfb-run -a):
 *   1. A run with 50 histogram tags x 1,000 steps x 30 buckets: from
 *      creating the window on the histograms view to the first frame in
 *      which every card on screen has drawn its steps (target < 1 s).
 *   2. 1,000 images of 28x28 under one tag: moving the slider one step and
 *      redrawing the card (load/decode if not cached, then render the
 *      card's render nodes to a texture), per step, forwards then
 *      backwards (target < 16 ms per step).
 * Fixtures are written once with lumen-log under DIR (default
 * /tmp/lumen-bench-dash) and reused.
 *
 * Usage: xvfb-run -a bench-dashboards [--dir DIR]
 */
#include <gtk/gtk.h>
#include <lumen-log.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench-ui-util.h"
#include "lm-window.h"
#include "lm-histogram-view.h"
#include "lm-image-card.h"

#define N_TAGS 50
#define N_STEPS 1000
#define N_IMAGES 1000

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1e3;
}

static void
write_fixtures (const char *dir)
{
  g_autofree char *h = g_build_filename (dir, "hist", "run", "run.lumen", NULL);
  g_autofree char *i = g_build_filename (dir, "images", "run", "run.lumen", NULL);
  g_autofree char *hdir = g_build_filename (dir, "hist", NULL);
  g_autofree char *idir = g_build_filename (dir, "images", NULL);
  lm_writer *w;
  float values[256];
  guint8 pixels[28 * 28];
  double t0 = now_ms ();

  if (!g_file_test (h, G_FILE_TEST_EXISTS))
    {
      if (lm_writer_open (&w, hdir, "run") != LM_OK)
        g_error ("%s", lm_log_last_error ());
      for (int s = 0; s < N_STEPS; s++)
        for (int t = 0; t < N_TAGS; t++)
          {
            char tag[32];

            g_snprintf (tag, sizeof tag, "layer%02d/weight", t);
            for (int k = 0; k < 256; k++)   /* a bell that drifts and widens */
              values[k] = (float) ((k - 128) / 64.0 * (1 + s / 500.0) + sin (t + s / 100.0));
            lm_writer_add_histogram_uniform (w, tag, s, values, 256, 30);
          }
      lm_writer_close (w);
      printf ("wrote %d histogram rows in %.0f ms\n", N_TAGS * N_STEPS, now_ms () - t0);
    }
  if (!g_file_test (i, G_FILE_TEST_EXISTS))
    {
      t0 = now_ms ();
      if (lm_writer_open (&w, idir, "run") != LM_OK)
        g_error ("%s", lm_log_last_error ());
      for (int s = 0; s < N_IMAGES; s++)
        {
          for (int k = 0; k < 28 * 28; k++)
            pixels[k] = (guint8) ((k * 7 + s * 13) & 0xff);
          lm_writer_add_image (w, "samples", s, pixels, 28, 28, 1);
        }
      lm_writer_close (w);
      printf ("wrote %d images in %.0f ms\n", N_IMAGES, now_ms () - t0);
    }
}

typedef struct
{
  LmWindow *win;
  gboolean painted;
} FrameWait;

static void
on_after_paint (GdkFrameClock *clock, FrameWait *fw)
{
  fw->painted = TRUE;
}

static gboolean
histograms_drawn (LmWindow *win, guint *n_cards)
{
  GtkWidget *page = lm_dashboards_get_page (lm_window_get_dashboards (win), "histograms");
  guint on_screen = 0;
  char tag[32];

  if (!lm_window_is_settled (win))
    return FALSE;
  *n_cards = lm_record_dashboard_get_n_cards (LM_RECORD_DASHBOARD (page));
  if (*n_cards < N_TAGS)
    return FALSE;
  /* The cards in the first screen (the first rows) must have drawn. */
  for (int t = 0; t < N_TAGS; t++)
    {
      GtkWidget *view;
      graphene_rect_t b;

      g_snprintf (tag, sizeof tag, "layer%02d/weight", t);
      view = lm_record_dashboard_find_card (LM_RECORD_DASHBOARD (page), "run", tag);
      if (!gtk_widget_compute_bounds (view, GTK_WIDGET (win), &b) || b.origin.y > 800)
        continue;
      on_screen++;
      if (lm_histogram_view_get_n_drawn (LM_HISTOGRAM_VIEW (view)) == 0)
        return FALSE;
    }
  return on_screen > 0;
}


static void
on_run_found (double *t)
{
  if (*t == 0)
    *t = now_ms ();
}

static void
bench_histograms (const char *dir)
{
  g_autofree char *logdir = g_build_filename (dir, "hist", NULL);
  double t0 = now_ms (), t_first = 0, t_loaded = 0, t_settled = 0, t_found = 0;
  LmWindow *win = lm_window_new (NULL, logdir);
  FrameWait fw = { win, FALSE };
  guint n_cards = 0;
  gulong id;

  gtk_window_set_default_size (GTK_WINDOW (win), 1400, 900);
  g_signal_connect_swapped (lm_window_get_store (win), "items-changed", G_CALLBACK (on_run_found), &t_found);
  lm_dashboards_set_view (lm_window_get_dashboards (win), "histograms");
  gtk_window_present (GTK_WINDOW (win));
  id = g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (win)), "after-paint",
                         G_CALLBACK (on_after_paint), &fw);
  for (;;)
    {
      LmRecordFeed *feed = lm_record_dashboard_get_feed (LM_RECORD_DASHBOARD (
          lm_dashboards_get_page (lm_window_get_dashboards (win), "histograms")));

      fw.painted = FALSE;
      g_main_context_iteration (NULL, TRUE);
      if (t_loaded == 0 && lm_record_feed_get_loaded (feed))
        t_loaded = now_ms () - t0;
      if (t_settled == 0 && lm_window_is_settled (win))
        t_settled = now_ms () - t0;
      if (fw.painted && histograms_drawn (win, &n_cards))
        {
          t_first = now_ms () - t0;
          break;
        }
      if (now_ms () - t0 > 60000)
        {
          printf ("histograms: no complete frame within 60 s\n");
          break;
        }
    }
  g_signal_handler_disconnect (gtk_widget_get_frame_clock (GTK_WIDGET (win)), id);
  printf ("histogram dashboard, %d tags x %d steps x 30 buckets: first complete frame %.0f ms "
          "(target < 1000 ms), %u cards; records read at %.0f ms, window settled at %.0f ms; run found at %.0f ms\n",
          N_TAGS, N_STEPS, t_first, n_cards, t_loaded, t_settled, t_found - t0);
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
image_shown (LmImageCard *card, guint i)
{
  return lm_image_card_get_shown_index (card) == (int) i;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
bench_images (const char *dir)
{
  g_autofree char *logdir = g_build_filename (dir, "images", NULL);
  LmWindow *win = lm_window_new (NULL, logdir);
  GtkWidget *page;
  LmImageCard *card;
  GskRenderer *renderer;
  double *times = g_new (double, N_IMAGES), worst = 0, total = 0;
  double t0 = now_ms ();

  gtk_window_set_default_size (GTK_WINDOW (win), 1400, 900);
  lm_dashboards_set_view (lm_window_get_dashboards (win), "images");
  gtk_window_present (GTK_WINDOW (win));
  while (!lm_window_is_settled (win) && now_ms () - t0 < 60000)
    g_main_context_iteration (NULL, TRUE);
  page = lm_dashboards_get_page (lm_window_get_dashboards (win), "images");
  card = LM_IMAGE_CARD (lm_record_dashboard_find_card (LM_RECORD_DASHBOARD (page), "run", "samples"));
  g_assert (card != NULL && lm_image_card_get_n_steps (card) == N_IMAGES);
  renderer = gtk_native_get_renderer (GTK_NATIVE (win));
  printf ("images view settled in %.0f ms (%u steps on the slider)\n", now_ms () - t0,
          lm_image_card_get_n_steps (card));

  for (int pass = 0; pass < 2; pass++)
    {
      int worst_k = 0;

      total = worst = 0;
      for (int k = 0; k < N_IMAGES; k++)
        {
          guint i = pass == 0 ? (guint) k : (guint) (N_IMAGES - 1 - k);
          double s = now_ms ();

          lm_image_card_set_index (card, i);
          while (!image_shown (card, i))
            g_main_context_iteration (NULL, TRUE);
          bench_render_widget (GTK_WIDGET (card), renderer);
          times[k] = now_ms () - s;
          total += times[k];
          if (times[k] > worst)
            {
              worst = times[k];
              worst_k = (int) i;
            }
          g_main_context_iteration (NULL, FALSE);   /* let prefetches land */
        }
      qsort (times, N_IMAGES, sizeof (double), compare_doubles);
      printf ("image slider, %s over %d steps: %.2f ms/step mean, %.2f ms p95, %.2f ms worst "
              "at step %d (target < 16 ms)\n", pass == 0 ? "forwards" : "backwards", N_IMAGES,
              total / N_IMAGES, times[N_IMAGES * 95 / 100], worst, worst_k);
    }
  g_free (times);
  gtk_window_destroy (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  const char *dir = bench_parse_dir (argc, argv, "/tmp/lumen-bench-dash");

  g_setenv ("GTK_A11Y", "none", FALSE);
  if (!gtk_init_check ())
    {
      fprintf (stderr, "bench-dashboards needs a display: xvfb-run -a %s\n", argv[0]);
      return 77;
    }
  write_fixtures (dir);
  bench_histograms (dir);
  bench_images (dir);
  return 0;
}
