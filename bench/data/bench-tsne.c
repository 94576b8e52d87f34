/* bench-tsne.c: how fast t-SNE (data/lm-tsne.c) and UMAP (data/lm-umap.c)
 * run, for the projector.
 *
 * What it measures: for N = 100, 1000, 5000 and 10000 points of 784
 * dimensions (ten Gaussian clusters, an MNIST-sized row), the set-up
 * (nearest neighbours by cosine distance on all 784 dimensions, as
 * TensorBoard's; perplexity calibration) and the gradient steps a
 * second in 2D and 3D, at the projector's defaults
 * (perplexity 30, learning rate 10).  The steps are timed after the
 * early exaggeration has started; each step costs the same.
 * LM_TSNE_MAX_POINTS (the projector's cap before it samples) is chosen
 * from these figures.  Then UMAP at N = 100, 1000, 5000 (its cap, as
 * TensorBoard's): the set-up (exact cosine neighbours on all 784
 * dimensions, calibration, fuzzy union) and the epochs a second at 15
 * neighbours, timed over the run's first epochs (later ones cost the same: each samples the same
 * edges on average).
 *
 * Usage: bench-tsne [--max N] [--steps S] [--umap-only]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lm-tsne.h"
#include "lm-umap.h"

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static float *
make_points (gsize n, gsize d)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (1);
  float *x = g_new (float, n * d);

  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < d; j++)
      x[i * d + j] = (float) (g_rand_double (r) + (j % 10 == i % 10 ? 3 : 0));
  return x;
}

int
main (int argc, char **argv)
{
  gint64 max = 10000, steps = 0;
  gboolean umap_only = FALSE;
  GOptionEntry entries[] = {
    { "max", 0, 0, G_OPTION_ARG_INT64, &max, "Largest N (default 10000)", "N" },
    { "steps", 0, 0, G_OPTION_ARG_INT64, &steps, "Steps to time (default: about 2 s worth; UMAP: all its epochs)",
      "S" },
    { "umap-only", 0, 0, G_OPTION_ARG_NONE, &umap_only, "Only UMAP's table", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- t-SNE steps and UMAP epochs a second");
  g_autoptr (GError) error = NULL;
  const gsize sizes[] = { 100, 1000, 5000, 10000 }, d = 784;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "bench-tsne: %s\n", error->message);
      return 1;
    }
  if (!umap_only)
    printf ("%7s %4s %10s %12s %10s\n", "points", "dim", "set-up s", "iterations/s", "1000 its s");
  for (gsize s = 0; s < G_N_ELEMENTS (sizes) && (gint64) sizes[s] <= max && !umap_only; s++)
    for (int dim = 2; dim <= 3; dim++)
      {
        gsize n = sizes[s];
        g_autofree float *x = make_points (n, d);
        char *err = NULL;
        double t0 = now_s ();
        LmTsne *t = lm_tsne_new (x, n, d, dim, LM_TSNE_DEFAULT_PERPLEXITY, LM_TSNE_DEFAULT_LEARNING_RATE, 1, &err);
        double setup = now_s () - t0;

        if (t == NULL)
          {
            fprintf (stderr, "bench-tsne: %s\n", err);
            return 1;
          }
        /* about two seconds' worth, at least 3 steps */
        gint64 want = steps > 0 ? steps : MAX (3, (gint64) (2e9 / ((double) n * n * 10)));
        lm_tsne_step (t);
        t0 = now_s ();
        for (gint64 k = 0; k < want; k++)
          lm_tsne_step (t);
        double per_s = want / (now_s () - t0);

        printf ("%7zu %4d %10.2f %12.1f %10.1f\n", n, dim, setup, per_s, setup + 1000 / per_s);
        fflush (stdout);
        lm_tsne_free (t);
      }
  printf ("%s%7s %4s %10s %12s %10s\n", umap_only ? "" : "\n", "points", "dim", "set-up s", "UMAP epochs/s",
          "run s");
  for (gsize s = 0; s < 3 && (gint64) sizes[s] <= max; s++)
    for (int dim = 2; dim <= 3; dim++)
      {
        gsize n = sizes[s];
        g_autofree float *x = make_points (n, d);
        char *err = NULL;
        double t0 = now_s ();
        LmUmap *u = lm_umap_new (x, n, d, dim, LM_UMAP_DEFAULT_NEIGHBORS, 0, 1, &err);
        double setup = now_s () - t0;

        if (u == NULL)
          {
            fprintf (stderr, "bench-tsne: %s\n", err);
            return 1;
          }
        guint epochs = lm_umap_get_n_epochs (u);
        gint64 want = steps > 0 ? MIN (steps, (gint64) epochs) : epochs;

        t0 = now_s ();
        for (gint64 k = 0; k < want; k++)
          lm_umap_step (u);
        double per_s = want / (now_s () - t0);

        printf ("%7zu %4d %10.2f %12.1f %10.1f\n", n, dim, setup, per_s, setup + epochs / per_s);
        fflush (stdout);
        lm_umap_free (u);
      }
  return 0;
}
