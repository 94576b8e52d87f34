/* bench-features.c: per-frame costs of the scalar step selection and the
 * hparams scatter plot matrix.
 *
 * What it measures, in the real LmWindow under a display (xvfb-run -a):
 *   1. A live sweep's poll with a step selected: 200 runs x 1 tag x 2,000
 *      points on one card, a step selected on it; every run reports new
 *      data ("run-data-changed", as the store does when a poll finds rows)
 *      and the main loop runs until idle: the card's data table follows.
 *      The same without a selection is the baseline.
 *   2. The scatter plot matrix of 300 runs x 6 hparams (2 of them
 *      categorical) x 3 metrics at 1400x700: one draw of the whole
 *      matrix, and one pick (as each pointer motion does).
 *   3. A hover change on that matrix as the window shows it: the pointer
 *      moves onto another run's point (the motion handler), then the
 *      widget's snapshot is taken and drawn as GTK's Cairo renderer draws
 *      a frame (gsk_render_node_draw).
 * Medians of several repeats.  Fixtures are written once with lumen-log
 * under DIR (default /tmp/lumen-bench-features) and reused.
 *
 * Usage: xvfb-run -a bench-features [--dir DIR] [--repeat N (default 9)]
 */
#include <gtk/gtk.h>
#include <lumen-log.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lm-window.h"
#include "lm-hparams-view.h"
#include "lm-hparams-private.h"

#define N_SWEEP 200
#define N_POINTS 2000
#define N_HP_RUNS 300
#define MAX_REPEATS 99

static int repeats = 9;   /* --repeat */

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1e3;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v, int n)
{
  qsort (v, n, sizeof (double), compare_doubles);
  return v[n / 2];
}

static void
write_fixtures (const char *dir)
{
  g_autofree char *sweep = g_build_filename (dir, "sweep", NULL);
  g_autofree char *hp = g_build_filename (dir, "hparams", NULL);
  g_autofree char *sweep_done = g_build_filename (sweep, ".complete", NULL);
  g_autofree char *hp_done = g_build_filename (hp, ".complete", NULL);
  static const char *const acts[] = { "relu", "gelu", "tanh", "silu", "elu" };
  static const char *const opts[] = { "sgd", "adam", "adamw", "lamb", "rmsprop", "adagrad", "lion" };
  const char *metrics[] = { "acc", "loss", "val/loss" };
  lm_writer *w;

  if (!g_file_test (sweep_done, G_FILE_TEST_EXISTS))
    {
      for (int r = 0; r < N_SWEEP; r++)
        {
          g_autofree char *name = g_strdup_printf ("run%03d", r);

          if (lm_writer_open (&w, sweep, name) != LM_OK)
            g_error ("%s", lm_log_last_error ());
          for (int i = 0; i < N_POINTS; i++)
            lm_writer_add_scalar (w, "loss", i, exp (-i / 600.0) * (1 + r * 0.01) + 0.02 * sin (i + r));
          lm_writer_close (w);
        }
      g_file_set_contents (sweep_done, "", 0, NULL);
    }
  if (!g_file_test (hp_done, G_FILE_TEST_EXISTS))
    {
      for (int r = 0; r < N_HP_RUNS; r++)
        {
          g_autofree char *name = g_strdup_printf ("trial%03d", r);
          lm_hparam h[6] = {
            LM_HP_NUMBER ("lr", pow (10, -1 - (r % 40) / 10.0)),
            LM_HP_NUMBER ("batch", 16 << (r % 5)),
            LM_HP_NUMBER ("dropout", (r % 11) / 20.0),
            LM_HP_NUMBER ("width", 64 + (r * 37) % 512),
            LM_HP_STRING ("act", acts[r % G_N_ELEMENTS (acts)]),
            LM_HP_STRING ("opt", opts[(r / 3) % G_N_ELEMENTS (opts)]),
          };

          if (lm_writer_open (&w, hp, name) != LM_OK)
            g_error ("%s", lm_log_last_error ());
          lm_writer_add_hparams (w, h, 6, metrics, 3);
          lm_writer_add_scalar (w, "acc", 1, 0.5 + 0.4 * sin (r * 0.7) * sin (r * 0.7));
          lm_writer_add_scalar (w, "loss", 1, 0.1 + (r % 17) / 10.0);
          lm_writer_add_scalar (w, "val/loss", 1, 0.2 + (r % 13) / 9.0);
          lm_writer_close (w);
        }
      g_file_set_contents (hp_done, "", 0, NULL);
    }
}

static LmWindow *
open_window (const char *logdir, const char *view, int width, int height)
{
  LmWindow *win = lm_window_new (NULL, logdir);
  double t0 = now_ms ();

  gtk_window_set_default_size (GTK_WINDOW (win), width, height);
  if (view != NULL)
    lm_dashboards_set_view (lm_window_get_dashboards (win), view);
  gtk_window_present (GTK_WINDOW (win));
  while ((!lm_window_is_settled (win) || g_main_context_pending (NULL)) && now_ms () - t0 < 60000)
    g_main_context_iteration (NULL, TRUE);
  return win;
}

/* Every run tells of new data once; the loop runs until idle. */
static double
poll_once (LmWindow *win)
{
  GListModel *runs = G_LIST_MODEL (lm_window_get_store (win));
  double t0 = now_ms ();

  for (guint i = 0; i < g_list_model_get_n_items (runs); i++)
    {
      g_autoptr (LmRun) run = g_list_model_get_item (runs, i);

      g_signal_emit_by_name (lm_window_get_selection (win), "run-data-changed", run);
    }
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  return now_ms () - t0;
}

static void
bench_steps (const char *dir)
{
  g_autofree char *logdir = g_build_filename (dir, "sweep", NULL);
  LmWindow *win = open_window (logdir, NULL, 1400, 900);
  LmScalarCard *card = lm_card_grid_find_card (lm_window_get_card_grid (win), "loss");
  LmChart *chart;
  double plain[MAX_REPEATS], selected[MAX_REPEATS], ranged[MAX_REPEATS];

  g_assert (card != NULL);
  chart = lm_scalar_card_get_chart (card);
  for (int k = 0; k < repeats; k++)
    plain[k] = poll_once (win);
  lm_chart_select_steps (chart, 1000, 1000);
  for (int k = 0; k < repeats; k++)
    selected[k] = poll_once (win);
  lm_chart_select_steps (chart, 200, 1800);
  for (int k = 0; k < repeats; k++)
    ranged[k] = poll_once (win);
  printf ("live sweep poll, %d runs x %d points: no selection %.1f ms, a step selected %.1f ms, "
          "a range selected %.1f ms (medians of %d)\n", N_SWEEP, N_POINTS, median (plain, repeats),
          median (selected, repeats), median (ranged, repeats), repeats);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* The widget's frame after the pointer moved to (x, y): its motion handler
 * and snapshot (*snap), and the drawing of that snapshot onto the window's
 * pixels (*render), as GTK's Cairo renderer does (gsk_render_node_draw). */
static void
hover_frame (GtkWidget *widget, GtkEventController *motion, cairo_surface_t *window, double x, double y,
             double *snap, double *render)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  cairo_t *cr;
  double t0 = now_ms (), t1;

  g_signal_emit_by_name (motion, "motion", x, y);
  /* the widget's own snapshot, as the frame clock calls it (a
   * GtkWidgetPaintable would show the last frame's) */
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  t1 = now_ms ();
  cr = cairo_create (window);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (window);
  *snap = t1 - t0;
  *render = now_ms () - t1;
  gsk_render_node_unref (node);
}

/* Hover changes as the window draws them: the pointer onto a run's point,
 * a different run each time, then off every point. */
static void
bench_hover (LmHparamsScatter *sc)
{
  GtkWidget *widget = GTK_WIDGET (sc);
  GtkEventController *motion = NULL;
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  double snap[2][MAX_REPEATS], render[2][MAX_REPEATS], total[2][MAX_REPEATS], spots[MAX_REPEATS][2];
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);
  const char *last = NULL;
  double t0 = now_ms ();
  cairo_surface_t *window;
  int n = 0;

  /* the stack's page is laid out at the next frame */
  while ((w = gtk_widget_get_width (widget)) == 0 && now_ms () - t0 < 5000)
    g_main_context_iteration (NULL, TRUE);
  h = gtk_widget_get_height (widget);
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && motion == NULL; i++)
    {
      g_autoptr (GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (c))
        motion = GTK_EVENT_CONTROLLER (c);
    }
  g_assert (motion != NULL);
  window = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  /* points of different runs, found along a diagonal of the matrix */
  for (double t = 0; t < 1 && n < repeats; t += 0.0005)
    {
      double x = t * w, y = t * h;
      const char *run = lm_hparams_scatter_pick (sc, w, h, x, y);

      if (run != NULL && g_strcmp0 (run, last) != 0)
        {
          spots[n][0] = x, spots[n][1] = y;
          last = run;
          n++;
        }
    }
  if (n == 0)
    g_error ("no point found along the diagonal of the %dx%d matrix", w, h);
  hover_frame (widget, motion, window, 1, 1, &snap[0][0], &render[0][0]);   /* whatever is cached gets made */
  for (int k = 0; k < n; k++)
    for (int off = 0; off < 2; off++)
      {
        hover_frame (widget, motion, window, off ? 1 : spots[k][0], off ? 1 : spots[k][1], &snap[off][k],
                     &render[off][k]);
        total[off][k] = snap[off][k] + render[off][k];
      }
  for (int off = 0; off < 2; off++)
    printf ("scatter hover change at %dx%d, %s: %.2f ms a frame (motion and snapshot %.2f ms, "
            "drawing it %.2f ms; medians of %d)\n", w, h, off ? "off every point" : "onto a point",
            median (total[off], n), median (snap[off], n), median (render[off], n), n);
  cairo_surface_destroy (window);
}

static void
bench_scatter (const char *dir)
{
  g_autofree char *logdir = g_build_filename (dir, "hparams", NULL);
  LmWindow *win = open_window (logdir, "hparams", 1400, 900);
  LmHparamsView *hp = LM_HPARAMS_VIEW (lm_dashboards_get_page (lm_window_get_dashboards (win), "hparams"));
  LmHparamsScatter *sc;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1400, 700);
  double draw[MAX_REPEATS], pick[MAX_REPEATS], layout[MAX_REPEATS];
  g_autoptr (GArray) plots = NULL;
  int n_picked = 0;

  lm_hparams_view_set_plot (hp, "scatter");
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  sc = LM_HPARAMS_SCATTER (lm_hparams_view_get_scatter (hp));
  plots = lm_hparams_scatter_layout (sc, 1400, 700);
  for (int k = 0; k < repeats; k++)
    {
      cairo_t *cr = cairo_create (surface);
      double t0 = now_ms ();

      lm_hparams_scatter_draw (sc, cr, 1400, 700);
      cairo_surface_flush (surface);
      draw[k] = now_ms () - t0;
      cairo_destroy (cr);
    }
  for (int k = 0; k < repeats; k++)
    {
      double t0 = now_ms ();

      g_array_unref (lm_hparams_scatter_layout (sc, 1400, 700));
      layout[k] = now_ms () - t0;
    }
  for (int k = 0; k < repeats; k++)
    {
      double t0 = now_ms ();

      /* a pointer crossing the matrix: 50 motions */
      for (int m = 0; m < 50; m++)
        n_picked += lm_hparams_scatter_pick (sc, 1400, 700, 120 + m * 25.0, 60 + m * 12.0) != NULL;
      pick[k] = (now_ms () - t0) / 50;
    }
  printf ("scatter matrix, %u runs, %u plots at 1400x700: draw %.2f ms (its layout %.2f ms), "
          "pick %.3f ms per motion (medians of %d; %d picks hit)\n", lm_hparams_view_get_n_rows (hp), plots->len,
          median (draw, repeats), median (layout, repeats), median (pick, repeats), repeats, n_picked);
  bench_hover (sc);
  cairo_surface_destroy (surface);
  gtk_window_destroy (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  const char *dir = "/tmp/lumen-bench-features";

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--dir") == 0 && i + 1 < argc)
      dir = argv[++i];
    else if (strcmp (argv[i], "--repeat") == 0 && i + 1 < argc)
      {
        int n = atoi (argv[++i]);

        repeats = CLAMP (n, 1, MAX_REPEATS);
      }
    else
      {
        fprintf (stderr, "usage: %s [--dir DIR] [--repeat N]\n", argv[0]);
        return 2;
      }
  g_setenv ("GTK_A11Y", "none", FALSE);
  if (!gtk_init_check ())
    {
      fprintf (stderr, "bench-features needs a display: xvfb-run -a %s\n", argv[0]);
      return 77;
    }
  write_fixtures (dir);
  bench_steps (dir);
  bench_scatter (dir);
  return 0;
}
