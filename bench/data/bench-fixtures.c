/* bench-fixtures.c: benchmark log directories (see bench-fixtures.h). */
#include "bench-fixtures.h"
#include "lm-test-run.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Writes <dir>/<name> unless a finished copy is already there. */
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
      LmTestRun *run = lm_test_run_create (root, run_name);
      char tag[64];

      sqlite3_exec (lm_test_run_db (run), "PRAGMA synchronous=OFF", NULL, NULL, NULL);
      lm_test_run_begin (run);
      for (int i = 0; i < points; i++)
        for (int t = 0; t < tags; t++)
          {
            double v = exp (-i / (points * 0.3)) * (1 + 0.1 * t) + 0.05 * sin (i * 0.37 + r + t);

            /* A few single-point spikes: the charts must show them. */
            if (i % 99991 == 5003)
              v += 3.0;

            snprintf (tag, sizeof tag, "%s/metric%02d", t % 2 ? "eval" : "train", t);
            lm_test_run_add_scalar (run, tag, i, 1.7e9 + i * 0.05, v);
          }
      lm_test_run_set_status (run, "finished");
      lm_test_run_commit (run);
      lm_test_run_close (run);
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
