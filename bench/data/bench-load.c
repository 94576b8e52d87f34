/* bench-load.c: how fast the read side loads big log directories.
 *
 * What it measures: wall time from LmRunStore start to "every run loaded"
 * and the process's resident memory after, for the two shapes:
 *   big:  1 run x 10 tags x 1,000,000 points (10 M rows)
 *   wide: 200 runs x 20 tags x 10,000 points (40 M rows)
 * plus the time to decimate one million-point series for a chart.
 * The fixtures are written once with plain SQL into --dir (default
 * /tmp/lumen-bench) and reused on later runs.
 *
 * Usage: bench-load [--dir DIR] [--only big|wide]
 */
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lumen-data.h"
#include "bench-fixtures.h"

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static long
rss_kb (const char *field)
{
  g_autofree char *status = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  p = strstr (status, field);
  return p ? atol (p + strlen (field) + 1) : -1;
}

static gboolean
loaded (LmRunStore *store)
{
  return !lm_run_store_get_loading (store);
}

static void
bench_store (const char *dir, const char *name, guint64 expect_points)
{
  g_autofree char *root = g_build_filename (dir, name, NULL);
  long rss0 = rss_kb ("VmRSS:");
  LmRunStore *store = lm_run_store_new (root);
  double t0 = now_s (), t_list = 0;

  lm_run_store_start (store);
  while (!loaded (store))
    {
      g_main_context_iteration (NULL, TRUE);
      if (t_list == 0 && g_list_model_get_n_items (G_LIST_MODEL (store)) > 0)
        t_list = now_s () - t0;
    }
  printf ("%-5s: %u runs listed after %.3f s, %" G_GUINT64_FORMAT " points loaded in %.3f s"
          " (%.1f M points/s), RSS +%.0f MB (total %.0f MB)\n",
          name, g_list_model_get_n_items (G_LIST_MODEL (store)), t_list,
          lm_run_store_get_n_points (store), now_s () - t0,
          lm_run_store_get_n_points (store) / (now_s () - t0) / 1e6,
          (rss_kb ("VmRSS:") - rss0) / 1024.0, rss_kb ("VmRSS:") / 1024.0);
  if (lm_run_store_get_n_points (store) != expect_points)
    printf ("  WARNING: expected %" G_GUINT64_FORMAT " points\n", expect_points);

  if (strcmp (name, "big") == 0)
    {
      LmRun *run = lm_run_store_find (store, "run");
      LmSeries *s = lm_run_get_series (run, "train/metric00");
      LmDecimation d;
      const int frames = 200;
      double t1;

      lm_decimation_init (&d);
      /* Panning across the whole series at 1000 px, smoothing on. */
      t1 = now_s ();
      for (int f = 0; f < frames; f++)
        {
          LmDecimateParams p = { LM_X_STEP, f * 100.0, f * 100.0 + 1e6, 1000, 0.6, FALSE };

          lm_series_decimate (s, &p, &d);
        }
      printf ("decimate 1M points -> 1000 columns (+smoothing): %.3f ms/frame, %u raw points drawn\n",
              (now_s () - t1) * 1e3 / frames, d.raw->len);
      t1 = now_s ();
      for (int f = 0; f < frames; f++)
        {
          LmDecimateParams p = { LM_X_STEP, f * 100.0, f * 100.0 + 1e6, 1000, 0.0, FALSE };

          lm_series_decimate (s, &p, &d);
        }
      printf ("decimate 1M points -> 1000 columns (raw only): %.3f ms/frame\n",
              (now_s () - t1) * 1e3 / frames);
      lm_decimation_clear (&d);
    }
  g_object_unref (store);
}

int
main (int argc, char **argv)
{
  const char *dir = "/tmp/lumen-bench";
  const char *only = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--dir") == 0 && i + 1 < argc)
        dir = argv[++i];
      else if (strcmp (argv[i], "--only") == 0 && i + 1 < argc)
        only = argv[++i];
      else
        {
          fprintf (stderr, "usage: %s [--dir DIR] [--only big|wide]\n", argv[0]);
          return 2;
        }
    }
  printf ("cores: %u\n", g_get_num_processors ());
  if (only == NULL || strcmp (only, "big") == 0)
    {
      g_free (lm_bench_fixture (dir, "big"));
      bench_store (dir, "big", 10000000);
    }
  if (only == NULL || strcmp (only, "wide") == 0)
    {
      g_free (lm_bench_fixture (dir, "wide"));
      bench_store (dir, "wide", 40000000);
    }
  return 0;
}
