/* bench-fixtures.c: benchmark log directories (see bench-fixtures.h). */
#include "bench-fixtures.h"
#include "lumen-log.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Writes <dir>/<name> unless a finished copy is already there, with
 * lumen-log (so the files are what users' runs look like, summaries
 * included). */
static void
write_fixture (const char *dir, const char *name, int runs, int tags, int points)
{
  g_autofree char *root = g_build_filename (dir, name, NULL);
  g_autofree char *stamp = g_build_filename (root, ".complete", NULL);
  double t0 = g_get_monotonic_time () / 1e6;

  if (g_file_test (stamp, G_FILE_TEST_EXISTS))
    return;
  printf ("writing fixture %s (%d runs x %d tags x %d points)...\n", root, runs, tags, points);
  fflush (stdout);
  for (int r = 0; r < runs; r++)
    {
      g_autofree char *run_name = runs == 1 ? g_strdup ("run") : g_strdup_printf ("sweep/run%03d", r);
      lm_writer *w = NULL;
      lm_writer_options opts;
      char tag[64];

      lm_writer_options_init (&opts);
      opts.logdir = root;
      opts.run_name = run_name;
      opts.quiet = TRUE;   /* the writer keeps up; waits here are expected */
      if (lm_writer_open_with (&w, &opts) != LM_OK)
        g_error ("cannot write fixture run %s: %s", run_name, lm_log_last_error ());
      for (int i = 0; i < points; i++)
        for (int t = 0; t < tags; t++)
          {
            double v = exp (-i / (points * 0.3)) * (1 + 0.1 * t) + 0.05 * sin (i * 0.37 + r + t);

            /* A few single-point spikes: the charts must show them. */
            if (i % 99991 == 5003)
              v += 3.0;

            snprintf (tag, sizeof tag, "%s/metric%02d", t % 2 ? "eval" : "train", t);
            lm_writer_add_scalar_at (w, tag, i, v, 1.7e9 + i * 0.05);
          }
      lm_writer_set_status (w, LM_RUN_FINISHED);
      if (lm_writer_close (w) != LM_OK)
        g_error ("cannot write fixture run %s: %s", run_name, lm_log_last_error ());
    }
  g_file_set_contents (stamp, "", 0, NULL);
  printf ("  written in %.1f s\n", g_get_monotonic_time () / 1e6 - t0);
}

char *
lm_bench_fixture (const char *dir, const char *name)
{
  if (strcmp (name, "big") == 0)
    write_fixture (dir, name, 1, 10, 1000000);
  else if (strcmp (name, "wide") == 0)
    write_fixture (dir, name, 200, 20, 10000);
  else if (strcmp (name, "pan") == 0)
    write_fixture (dir, name, 1, 1, 1000000);
  else
    g_error ("unknown fixture %s", name);
  return g_build_filename (dir, name, NULL);
}
