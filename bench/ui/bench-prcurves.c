/* bench-prcurves.c: the PR Curves dashboard with many runs and tags.
 *
 * What it measures, in the real LmWindow under a display (xvfb-run -a):
 * 50 runs x 10 tags x 20 steps of 127-threshold curves (10,000 rows), as a
 * sweep with lumen-train's per-class curves would log them:
 *   1. opening the window on PR Curves until every card on screen has
 *      drawn its 50 lines (each tag's newest step, read first), and until
 *      every step is read;
 *   2. one card's frame (50 lines of 127 points, rendered to a texture);
 *   3. moving one run's step slider on a card one stop, until the window's
 *      next frame;
 *   4. hiding one run in the run list (every card resynced) and showing it
 *      again;
 *   5. a live poll that finds nothing new, on the main thread;
 *   6. the pointer moving over a card: the window's frame, from the frame
 *      clock's before-paint to its after-paint (the read-out of 50 runs'
 *      points drawn over the chart).
 * Fixtures are written once with lumen-log under DIR (default
 * /tmp/lumen-bench-pr) and reused.
 *
 * Usage: xvfb-run -a bench-prcurves [--dir DIR]
 */
#include <gtk/gtk.h>
#include <lumen-log.h>
#include <stdio.h>
#include <string.h>

#include "lm-pr-curve-view.h"
#include "bench-ui-util.h"
#include "lm-window.h"

#define N_RUNS 50
#define N_TAGS 10
#define N_STEPS 20
#define N_SAMPLES 500

static void
add_curve (lm_writer *w, int r, int t, int s, guint32 seed)
{
  guint8 labels[N_SAMPLES];
  float predictions[N_SAMPLES];
  char tag[32];

  g_snprintf (tag, sizeof tag, "pr/class%d", t);
  for (int k = 0; k < N_SAMPLES; k++)
    {
      seed = seed * 1664525u + 1013904223u;
      labels[k] = (guint8) (k % 3 == 0);
      /* better separated as training goes on */
      predictions[k] = (float) CLAMP ((labels[k] ? 0.3 + 0.03 * s : 0.6 - 0.02 * s)
                                      + ((seed >> 8) / 16777216.0 - 0.5), 0, 1);
    }
  if (lm_writer_add_pr_curve (w, tag, s, labels, predictions, N_SAMPLES, 127, NULL) != LM_OK)
    g_error ("%s", lm_log_last_error ());
}

static LmRecordDashboard *
pr_page (LmWindow *win)
{
  return LM_RECORD_DASHBOARD (lm_dashboards_get_page (lm_window_get_dashboards (win), "pr_curves"));
}

static GtkWidget *
nth_card (GtkWidget *page, guint i)
{
  char tag[32];

  g_snprintf (tag, sizeof tag, "pr/class%u", i);
  return lm_record_dashboard_find_card (LM_RECORD_DASHBOARD (page), "", tag);
}

static gboolean
lines_drawn (GtkWidget *card)
{
  return lm_pr_curve_view_get_n_drawn (LM_PR_CURVE_VIEW (card)) >= N_RUNS;
}

/* Every card in the first screen has drawn every run's line. */
static gboolean
cards_drawn (GtkWindow *win)
{
  return bench_screen_drawn (win, "pr_curves", N_TAGS, nth_card, lines_drawn);
}

static void
on_before_paint (GdkFrameClock *clock, double *t)
{
  *t = bench_now_ms ();
}

/* The mean frame, before-paint to after-paint, of the pointer moving
 * over the card's plot, a few pixels at a time. */
static double
hover_frames (GtkWidget *win, LmPrCurveView *card, gboolean *painted, int reps)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (win);
  double t = 0, sum = 0;
  gulong id = g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), &t);
  graphene_rect_t area;

  lm_pr_curve_view_get_plot_area (card, &area);
  for (int i = 0; i < reps; i++)
    {
      lm_pr_curve_view_set_hover (card, area.origin.x + area.size.width * (0.4 + 0.01 * i),
                                  area.origin.y + area.size.height * 0.3);
      for (*painted = FALSE; !*painted;)
        g_main_context_iteration (NULL, TRUE);
      sum += bench_now_ms () - t;
    }
  lm_pr_curve_view_clear_hover (card);
  g_signal_handler_disconnect (clock, id);
  return sum / reps;
}

static void
bench (const char *dir)
{
  LmWindow *win = lm_window_new (NULL, dir);
  double t0 = bench_now_ms (), t_first = 0, t_all = 0, frame = 0, slider = 0, hide = 0, show = 0, hover = 0;
  gboolean painted = FALSE;
  guint n_cards = 0;
  const int reps = 20;

  t_first = bench_first_frame (GTK_WINDOW (win), "pr_curves", t0, cards_drawn, &painted);
  if (t_first < 0)
    {
      printf ("PR curves: no complete frame within 60 s\n");
      return;
    }
  n_cards = lm_record_dashboard_get_n_cards (pr_page (win));
  /* each tag's newest curve comes first, the older steps' points after:
   * the slider below moves over those (and the frame after the last) */
  while (!lm_record_feed_get_complete (lm_record_dashboard_get_feed (pr_page (win))))
    g_main_context_iteration (NULL, TRUE);
  t_all = bench_now_ms () - t0;
  gtk_widget_queue_draw (GTK_WIDGET (win));
  for (painted = FALSE; !painted;)
    g_main_context_iteration (NULL, TRUE);

  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (win));
  GtkWidget *card = lm_record_dashboard_find_card (pr_page (win), "", "pr/class0");
  guint n_steps = 0;
  const gint64 *steps = lm_pr_curve_view_get_run_steps (LM_PR_CURVE_VIEW (card), "run00", &n_steps);

  for (int i = 0; i < reps; i++)
    frame += bench_render_widget (card, renderer);
  for (int i = 0; i < reps; i++)
    {
      double t = bench_now_ms ();

      lm_pr_curve_view_set_run_step (LM_PR_CURVE_VIEW (card), "run00", steps[(guint) (i + 1) % n_steps]);
      g_assert (lm_pr_curve_view_get_run_selected (LM_PR_CURVE_VIEW (card), "run00")
                == steps[(guint) (i + 1) % n_steps]);
      /* the window's next frame: the label's new size laid out and the
       * card drawn (before, pending events alone often ended before the
       * frame, leaving the card undrawn and its render below empty) */
      for (painted = FALSE; !painted;)
        g_main_context_iteration (NULL, TRUE);
      bench_render_widget (card, renderer);
      slider += bench_now_ms () - t;
    }
  hover = hover_frames (GTK_WIDGET (win), LM_PR_CURVE_VIEW (card), &painted, reps);
  g_signal_handlers_disconnect_by_data (gtk_widget_get_frame_clock (GTK_WIDGET (win)), &painted);
  LmRun *run = lm_run_store_find (lm_window_get_store (win), "run07");
  for (int i = 0; i < reps; i++)
    {
      double t = bench_now_ms ();

      lm_run_set_visible (run, FALSE);
      hide += bench_now_ms () - t;
      t = bench_now_ms ();
      lm_run_set_visible (run, TRUE);
      show += bench_now_ms () - t;
    }
  /* a few idle seconds: the feed's polls find nothing; what the main loop
   * spends meanwhile is the dashboard's live cost */
  double busy = 0, t_idle = bench_now_ms ();
  while (bench_now_ms () - t_idle < 2000)
    {
      double t = bench_now_ms ();

      if (g_main_context_iteration (NULL, FALSE))
        busy += bench_now_ms () - t;
      else
        g_usleep (1000);
    }
  printf ("PR curves, %d runs x %d tags x %d steps (127 thresholds): first complete frame %.0f ms, %u cards\n",
          N_RUNS, N_TAGS, N_STEPS, t_first, n_cards);
  printf ("  every step's curves read: %.0f ms\n", t_all);
  printf ("  one card's frame (%d lines): %.1f ms\n", N_RUNS, frame / reps);
  printf ("  a run's slider to another step, until the window's next frame: %.1f ms\n", slider / reps);
  printf ("  the pointer over a card (%d runs' points read out): %.1f ms a frame\n", N_RUNS, hover);
  printf ("  hide a run in the run list (every card resynced): %.1f ms, show it again %.1f ms\n", hide / reps,
          show / reps);
  printf ("  idle: main loop busy %.1f%% of 2 s\n", busy / 20.0);
  gtk_window_destroy (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  const char *dir = bench_parse_dir (argc, argv, "/tmp/lumen-bench-pr");

  gtk_init ();
  bench_write_sweep (dir, N_RUNS, N_TAGS, N_STEPS, "PR curves", add_curve);
  bench (dir);
  return 0;
}
