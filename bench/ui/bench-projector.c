/* bench-projector.c: the Projector on a big embedding (10,000 x 784, the
 * size of Fashion-MNIST's test set as raw pixels): writing it, reading it
 * back, the PCA (which runs off the main thread), and the frame time of
 * the 3D view with dots and with thumbnails while it rotates, and a
 * keystroke in one of Custom's searches on the page.  Prints its
 * figures.  Needs a display for GTK: xvfb-run -a build/bench/ui/bench-projector
 *
 * Usage: bench-projector [N [D]]
 */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lumen-log.h>

#include "lm-embedding.h"
#include "lm-projector-page.h"
#include "lm-projector-view.h"
#include "lm-run-store.h"

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* The main thread's CPU time, ms: a figure the other processes on a
 * shared machine do not change. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Runs the main loop until done(data) holds (or 60 s pass). */
static void
wait_for (gboolean (*done) (gpointer data), gpointer data)
{
  double t0 = now_ms ();

  while (!done (data) && now_ms () - t0 < 60000)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
has_run (gpointer data)
{
  return g_list_model_get_n_items (data) >= 1;
}

static gboolean
page_settled (gpointer data)
{
  return lm_projector_page_is_settled (data);
}

/* Custom on the page: Left "class 1" to Right, Up "class 3" from Down
 * "class 4"; Right typed "class 2" a key at a time and erased with
 * Backspace, three times, each key timed. */
static void
bench_custom (const char *dir)
{
  LmRunStore *store = lm_run_store_new (dir);
  GtkWidget *win = gtk_window_new ();
  LmProjectorPage *page;
  GtkEditable *right;
  const char *typed = "class 2";
  const int len = (int) strlen (typed);
  double total = 0, cpu = 0;
  int keys = 0;

  lm_run_store_start (store);
  wait_for (has_run, store);
  page = LM_PROJECTOR_PAGE (lm_projector_page_new (store));
  gtk_window_set_child (GTK_WINDOW (win), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (win));
  wait_for (page_settled, page);
  lm_projector_page_set_custom_search (page, LM_PROJECTOR_CUSTOM_LEFT, "class 1", FALSE);
  lm_projector_page_set_custom_search (page, LM_PROJECTOR_CUSTOM_UP, "class 3", FALSE);
  lm_projector_page_set_custom_search (page, LM_PROJECTOR_CUSTOM_DOWN, "class 4", FALSE);
  lm_projector_page_set_method (page, LM_PROJECTOR_CUSTOM);
  wait_for (page_settled, page);
  right = GTK_EDITABLE (lm_projector_page_get_control (page, "right"));
  for (int round = 0; round < 3; round++)
    for (int k = 0; k < 2 * len; k++, keys++)
      {
        double t0 = now_ms (), c0 = cpu_ms ();
        int at = k;

        if (k < len)
          gtk_editable_insert_text (right, typed + k, 1, &at);
        else
          gtk_editable_delete_text (right, 2 * len - k - 1, 2 * len - k);
        total += now_ms () - t0;
        cpu += cpu_ms () - c0;
      }
  printf ("  Custom, a keystroke in Right  %8.1f ms mean, %.1f ms of CPU (%d keys)\n", total / keys, cpu / keys,
          keys);
  gtk_window_destroy (GTK_WINDOW (win));
  g_object_unref (store);
}

int
main (int argc, char **argv)
{
  gsize n = argc > 1 ? (gsize) atoi (argv[1]) : 10000, d = argc > 2 ? (gsize) atoi (argv[2]) : 784;
  gsize side = (gsize) sqrt ((double) d);
  float *mat = g_new (float, n * d);
  char **labels = g_new0 (char *, n + 1);
  GRand *r = g_rand_new_with_seed (1);

  gtk_init ();
  /* Ten clusters with noise, pixel-like values in [0, 1]. */
  for (gsize i = 0; i < n; i++)
    {
      guint c = (guint) (i % 10);

      labels[i] = g_strdup_printf ("class %u", c);
      for (gsize j = 0; j < d; j++)
        mat[i * d + j] = (float) CLAMP (0.5 * sin ((double) (c + 1) * (double) j * 0.01)
                                        + 0.5 + g_rand_double_range (r, -0.3, 0.3), 0, 1);
    }
  char *dir = g_dir_make_tmp ("bench-proj-XXXXXX", NULL);
  lm_writer *w = NULL;
  lm_writer_options o;

  lm_writer_options_init (&o);
  o.logdir = dir;
  o.run_name = "r";
  o.quiet = TRUE;
  if (lm_writer_open_with (&w, &o) != LM_OK)
    g_error ("%s", lm_log_last_error ());
  double t0 = now_ms ();
  if (side * side != d)
    side = 0;
  int rc = lm_writer_add_embedding (w, "features", 0, mat, n, d, (const char *const *) labels,
                                    side ? mat : NULL, side ? 1 : 0, (int) side, (int) side);
  if (rc != LM_OK)
    g_error ("%s", lm_log_last_error ());
  double t_call = now_ms () - t0;
  g_autofree char *path = g_strdup (lm_writer_file_path (w));
  lm_writer_close (w);
  double t_written = now_ms () - t0;

  char *error = NULL;
  t0 = now_ms ();
  GPtrArray *list = lm_embedding_list (path, &error);
  LmEmbedding *e = lm_embedding_load (path, ((LmEmbeddingInfo *) g_ptr_array_index (list, 0))->id, &error);
  double t_load = now_ms () - t0;
  float *coords = g_new (float, n * 3);
  double explained[3];
  t0 = now_ms ();
  lm_embedding_pca (e->mat, n, d, 3, coords, explained, NULL, &error);
  double t_pca = now_ms () - t0;
  printf ("embedding %zu x %zu%s\n", n, d, side ? " with 28x28 thumbnails" : "");
  printf ("  lm_writer_add_embedding call  %8.1f ms (checks, sprite PNG), written and closed %.1f ms\n", t_call,
          t_written);
  printf ("  list + load (+ sprite decode) %8.1f ms\n", t_load);
  printf ("  PCA, 3 components             %8.1f ms   variance %.1f%% %.1f%% %.1f%%\n", t_pca,
          100 * explained[0], 100 * explained[1], 100 * explained[2]);

  LmProjectorView *view = LM_PROJECTOR_VIEW (g_object_ref_sink (lm_projector_view_new ()));
  lm_projector_view_set_data (view, e, coords);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1400, 800);
  cairo_t *cr = cairo_create (s);
  for (int thumbs = 0; thumbs < 2; thumbs++)
    {
      const int frames = 20;
      double worst = 0, total = 0;

      lm_projector_view_set_thumbnails (view, thumbs);
      for (int f = 0; f < frames; f++)
        {
          lm_projector_view_set_rotation (view, 0.6 + f * 0.05, 0.35);
          t0 = now_ms ();
          lm_projector_view_draw (view, cr, 1400, 800);
          double t = now_ms () - t0;
          total += t;
          worst = MAX (worst, t);
        }
      printf ("  frame, 1400x800, %-10s     %8.1f ms mean, %.1f ms worst (%d frames while rotating)\n",
              thumbs ? "thumbnails" : "dots", total / frames, worst, frames);
    }
  double t_pick = now_ms ();
  for (int k = 0; k < 100; k++)
    lm_projector_view_pick (view, 700 + k, 400, 1400, 800, 10);
  printf ("  hover pick                    %8.3f ms\n", (now_ms () - t_pick) / 100);
  bench_custom (dir);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  g_object_unref (view);
  g_ptr_array_unref (list);
  g_strfreev (labels);
  g_free (mat);
  g_rand_free (r);
  g_unlink (path);
  g_free (dir);
  return 0;
}
