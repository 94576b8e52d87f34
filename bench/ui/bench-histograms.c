/* bench-histograms.c: the Histograms dashboard with many runs and tags.
 *
 * What it measures, in the real LmWindow under a display (xvfb-run -a):
 * 50 runs x 10 tags x 20 steps of histograms of 1,000 values in
 * torch.utils.tensorboard's default buckets (10,000 rows, 500 cards), as a
 * sweep logging each layer's weights would:
 *   1. opening the window on Histograms until every card on screen has
 *      drawn its steps, and until every record is read;
 *   2. one card's frame (20 steps, rendered to a texture).
 * Fixtures are written once with lumen-log under DIR (default
 * /tmp/lumen-bench-hist) and reused.
 *
 * Usage: xvfb-run -a bench-histograms [--dir DIR]
 */
#include <gtk/gtk.h>
#include <lumen-log.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench-ui-util.h"
#include "lm-histogram-view.h"
#include "lm-window.h"

#define N_RUNS 50
#define N_TAGS 10
#define N_STEPS 20
#define N_VALUES 1000

static void
write_fixtures (const char *dir)
{
  g_autofree char *last = g_strdup_printf ("%s/run%02d/run.lumen", dir, N_RUNS - 1);
  float values[N_VALUES];
  double t0 = bench_now_ms ();

  if (g_file_test (last, G_FILE_TEST_EXISTS))
    return;
  for (int r = 0; r < N_RUNS; r++)
    {
      g_autofree char *name = g_strdup_printf ("run%02d", r);
      lm_writer *w;

      if (lm_writer_open (&w, dir, name) != LM_OK)
        g_error ("%s", lm_log_last_error ());
      for (int s = 0; s < N_STEPS; s++)
        for (int t = 0; t < N_TAGS; t++)
          {
            char tag[32];
            guint32 seed = (guint32) (r * 7919 + t * 104729 + s * 31);

            g_snprintf (tag, sizeof tag, "layer%d/weight", t);
            for (int k = 0; k < N_VALUES; k++)
              {
                /* a bell (sum of three uniforms) that widens and drifts */
                double u = 0;

                for (int j = 0; j < 3; j++)
                  {
                    seed = seed * 1664525u + 1013904223u;
                    u += (seed >> 8) / 16777216.0 - 0.5;
                  }
                values[k] = (float) (u * (0.05 + 0.01 * s) + 0.002 * s * (t - 5));
              }
            if (lm_writer_add_histogram (w, tag, s, values, N_VALUES) != LM_OK)
              g_error ("%s", lm_log_last_error ());
          }
      lm_writer_close (w);
    }
  printf ("wrote %d histograms in %.0f ms\n", N_RUNS * N_TAGS * N_STEPS, bench_now_ms () - t0);
}

static LmRecordDashboard *
hist_page (LmWindow *win)
{
  return LM_RECORD_DASHBOARD (lm_dashboards_get_page (lm_window_get_dashboards (win), "histograms"));
}

/* Every card in the first screen has drawn its steps. */
static gboolean
cards_drawn (LmWindow *win, guint *n_cards)
{
  guint on_screen = 0;

  if (!lm_window_is_settled (win))
    return FALSE;
  *n_cards = lm_record_dashboard_get_n_cards (hist_page (win));
  if (*n_cards < N_RUNS * N_TAGS)
    return FALSE;
  for (int r = 0; r < N_RUNS; r++)
    for (int t = 0; t < N_TAGS; t++)
      {
        char tag[32], run[16];
        graphene_rect_t b;
        GtkWidget *view;

        g_snprintf (tag, sizeof tag, "layer%d/weight", t);
        g_snprintf (run, sizeof run, "run%02d", r);
        view = lm_record_dashboard_find_card (hist_page (win), run, tag);
        if (view == NULL || !gtk_widget_compute_bounds (view, GTK_WIDGET (win), &b) || b.origin.y > 800)
          continue;
        on_screen++;
        if (lm_histogram_view_get_n_drawn (LM_HISTOGRAM_VIEW (view)) < N_STEPS)
          return FALSE;
      }
  return on_screen > 0;
}

static void
on_after_paint (GdkFrameClock *clock, gboolean *painted)
{
  *painted = TRUE;
}

static void
bench (const char *dir)
{
  LmWindow *win = lm_window_new (NULL, dir);
  double t0 = bench_now_ms (), t_first = 0, t_all = 0, frame = 0;
  gboolean painted = FALSE;
  guint n_cards = 0;
  const int reps = 20;

  gtk_window_set_default_size (GTK_WINDOW (win), 1400, 900);
  lm_dashboards_set_view (lm_window_get_dashboards (win), "histograms");
  gtk_window_present (GTK_WINDOW (win));
  gulong id = g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (win)), "after-paint",
                                G_CALLBACK (on_after_paint), &painted);
  for (;;)
    {
      g_main_context_iteration (NULL, TRUE);
      if (painted && cards_drawn (win, &n_cards))
        {
          t_first = bench_now_ms () - t0;
          break;
        }
      if (bench_now_ms () - t0 > 60000)
        {
          printf ("histograms: no complete frame within 60 s\n");
          return;
        }
    }
  while (!lm_record_feed_get_complete (lm_record_dashboard_get_feed (hist_page (win))))
    g_main_context_iteration (NULL, TRUE);
  t_all = bench_now_ms () - t0;
  g_signal_handler_disconnect (gtk_widget_get_frame_clock (GTK_WIDGET (win)), id);

  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (win));
  GtkWidget *card = lm_record_dashboard_find_card (hist_page (win), "run00", "layer0/weight");

  for (int i = 0; i < reps; i++)
    frame += bench_render_widget (card, renderer);
  printf ("Histograms, %d runs x %d tags x %d steps (%d values each): first complete frame %.0f ms, %u cards\n",
          N_RUNS, N_TAGS, N_STEPS, N_VALUES, t_first, n_cards);
  printf ("  every record read: %.0f ms\n", t_all);
  printf ("  one card's frame (%d steps): %.1f ms\n", N_STEPS, frame / reps);
  gtk_window_destroy (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  const char *dir = bench_parse_dir (argc, argv, "/tmp/lumen-bench-hist");

  gtk_init ();
  write_fixtures (dir);
  bench (dir);
  return 0;
}
