/* bench-histograms.c: the Histograms and Distributions dashboards with
 * many runs and tags.
 *
 * What it measures, in the real LmWindow under a display (xvfb-run -a):
 * 50 runs x 10 tags x 20 steps of histograms of 1,000 values in
 * torch.utils.tensorboard's default buckets (10,000 rows, 500 cards), as a
 * sweep logging each layer's weights would:
 *   1. opening the window on Histograms until every card on screen has
 *      drawn its steps (all rows are read in one pass: a card draws every
 *      step);
 *   2. one card's frame (20 steps, rendered to a texture);
 *   3. and 4., the same for a window opened on Distributions.
 * Fixtures are written once with lumen-log under DIR (default
 * /tmp/lumen-bench-hist) and reused.
 *
 * On a shared 2-core machine under Xvfb the first complete frame took
 * 2.1-2.2 s (lumen --timings: 2.2-2.5 s) before the Distributions page
 * stopped building its cards while hidden, card tooltips stopped asking
 * the X server for the pointer, cards far below the view stopped drawing
 * and empty buckets were merged on reading; about 1.0 s after (RSS 353
 * MB before, 246 MB after).  Distributions, opened after Histograms: about
 * 1.25 s before its cards far below the view stopped drawing (and reading
 * their percentiles), about 0.62 s after (medians of 8 runs).
 *
 * Usage: xvfb-run -a bench-histograms [--dir DIR]
 */
#include <gtk/gtk.h>
#include <lumen-log.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench-ui-util.h"
#include "lm-distribution-view.h"
#include "lm-histogram-view.h"
#include "lm-window.h"

#define N_RUNS 50
#define N_TAGS 10
#define N_STEPS 20
#define N_VALUES 1000

static void
add_histogram (lm_writer *w, int r, int t, int s, guint32 seed)
{
  float values[N_VALUES];
  char tag[32];

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

static const char *view;   /* "histograms" or "distributions" */

static LmRecordDashboard *
hist_page (LmWindow *win)
{
  return LM_RECORD_DASHBOARD (lm_dashboards_get_page (lm_window_get_dashboards (win), view));
}

static GtkWidget *
nth_card (GtkWidget *page, guint i)
{
  char tag[32], run[16];

  g_snprintf (tag, sizeof tag, "layer%u/weight", i % N_TAGS);
  g_snprintf (run, sizeof run, "run%02u", i / N_TAGS);
  return lm_record_dashboard_find_card (LM_RECORD_DASHBOARD (page), run, tag);
}

static gboolean
steps_drawn (GtkWidget *card)
{
  return (LM_IS_HISTOGRAM_VIEW (card) ? lm_histogram_view_get_n_drawn (LM_HISTOGRAM_VIEW (card))
                                      : lm_distribution_view_get_n_drawn (LM_DISTRIBUTION_VIEW (card)))
         >= N_STEPS;
}

/* Every card in the first screen has drawn its steps. */
static gboolean
cards_drawn (GtkWindow *win)
{
  return bench_screen_drawn (win, view, N_RUNS * N_TAGS, nth_card, steps_drawn);
}

static void
bench (const char *dir, const char *name)
{
  LmWindow *win = lm_window_new (NULL, dir);
  double t0 = bench_now_ms (), t_first, frame = 0;
  gboolean painted;
  const int reps = 20;

  t_first = bench_first_frame (GTK_WINDOW (win), view, t0, cards_drawn, &painted);
  g_signal_handlers_disconnect_by_data (gtk_widget_get_frame_clock (GTK_WIDGET (win)), &painted);
  if (t_first < 0)
    {
      printf ("%s: no complete frame within 60 s\n", view);
      return;
    }

  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (win));
  GtkWidget *card = lm_record_dashboard_find_card (hist_page (win), "run00", "layer0/weight");

  for (int i = 0; i < reps; i++)
    frame += bench_render_widget (card, renderer);
  printf ("%s, %d runs x %d tags x %d steps (%d values each): first complete frame %.0f ms, %u cards\n",
          name, N_RUNS, N_TAGS, N_STEPS, N_VALUES, t_first, lm_record_dashboard_get_n_cards (hist_page (win)));
  printf ("  one card's frame (%d steps): %.1f ms\n", N_STEPS, frame / reps);
  gtk_window_destroy (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  const char *dir = bench_parse_dir (argc, argv, "/tmp/lumen-bench-hist");

  gtk_init ();
  bench_write_sweep (dir, N_RUNS, N_TAGS, N_STEPS, "histograms", add_histogram);
  view = "histograms";
  bench (dir, "Histograms");
  view = "distributions";
  bench (dir, "Distributions");
  return 0;
}
