/* bench-startup.c: from launching `lumen` to its first complete frame.
 *
 * What it measures: runs the real binary, `lumen --logdir FIXTURE
 * --timings --screenshot ... --window-size 1400x900`, on the two
 * shapes ("big": 1 run x 10 tags x 1M points; "wide": 200 runs x 20 tags x
 * 10k points), and prints lumen's own milestones (runs listed, first
 * screen of cards drawn, first complete frame with every point loaded,
 * resident memory) plus the wall time of the whole process as seen from
 * here.  Each shape runs with the default GSK renderer and with the cairo
 * renderer (the fast one without a GPU, e.g. under Xvfb).
 * Needs a display: `xvfb-run -a bench-startup`.
 *
 * Usage: bench-startup [--dir DIR] [--only big|wide] [--repeat N]
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "bench-fixtures.h"

static void
run_once (const char *logdir, const char *renderer, const char *shape)
{
  g_autofree char *png = g_build_filename (g_get_tmp_dir (), "lumen-bench-startup.png", NULL);
  const char *argv[] = { LUMEN_BIN, "--logdir", logdir, "--timings", "--screenshot", png,
                         "--window-size", "1400x900", NULL };
  g_auto (GStrv) env = g_get_environ ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status;
  gint64 t0;
  char *line;

  if (renderer != NULL)
    env = g_environ_setenv (env, "GSK_RENDERER", renderer, TRUE);
  env = g_environ_setenv (env, "GTK_A11Y", "none", TRUE);
  env = g_environ_setenv (env, "NO_AT_BRIDGE", "1", TRUE);
  t0 = g_get_monotonic_time ();
  if (!g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error))
    {
      printf ("cannot run %s: %s\n", LUMEN_BIN, error->message);
      return;
    }
  line = strstr (out, "lumen timings: ");
  if (line && strchr (line, '\n'))
    *strchr (line, '\n') = '\0';
  printf ("%-5s %-8s process %5.0f ms | %s\n", shape, renderer ? renderer : "default",
          (g_get_monotonic_time () - t0) / 1e3,
          line ? line + strlen ("lumen timings: ") : "(no timings printed)");
  if (!g_spawn_check_wait_status (status, NULL))
    printf ("  lumen failed: %s\n", err);
}

int
main (int argc, char **argv)
{
  const char *dir = "/tmp/lumen-bench", *only = NULL;
  int repeat = 2;
  const char *shapes[] = { "big", "wide" };
  const char *renderers[] = { NULL, "cairo" };

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--dir") == 0 && i + 1 < argc)
        dir = argv[++i];
      else if (strcmp (argv[i], "--only") == 0 && i + 1 < argc)
        only = argv[++i];
      else if (strcmp (argv[i], "--repeat") == 0 && i + 1 < argc)
        repeat = atoi (argv[++i]);
      else
        {
          fprintf (stderr, "usage: %s [--dir DIR] [--only big|wide] [--repeat N]\n", argv[0]);
          return 2;
        }
    }
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      printf ("bench-startup needs a display; run it as: xvfb-run -a %s\n", argv[0]);
      return 0;
    }
  printf ("cores: %u\n", g_get_num_processors ());
  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      g_autofree char *path = NULL;

      if (only && strcmp (only, shapes[s]) != 0)
        continue;
      path = lm_bench_fixture (dir, shapes[s]);
      for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
        for (int k = 0; k < repeat; k++)
          run_once (path, renderers[r], shapes[s]);
    }
  return 0;
}
