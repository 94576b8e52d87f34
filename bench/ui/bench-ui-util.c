/* bench-ui-util.c: see bench-ui-util.h. */
#include "bench-ui-util.h"

#include "lm-window.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double
bench_now_ms (void)
{
  return g_get_monotonic_time () / 1e3;
}

double
bench_render_widget (GtkWidget *widget, GskRenderer *renderer)
{
  double t0 = bench_now_ms ();
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GdkPaintable *paintable = gtk_widget_paintable_new (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  GskRenderNode *node;

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node != NULL)
    {
      GdkTexture *tex = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));

      g_object_unref (tex);
      gsk_render_node_unref (node);
    }
  g_object_unref (paintable);
  return bench_now_ms () - t0;
}

static void
on_after_paint (GdkFrameClock *clock, gboolean *painted)
{
  *painted = TRUE;
}

double
bench_first_frame (GtkWindow *win, const char *view, double t0,
                   gboolean (*done) (GtkWindow *win), gboolean *painted)
{
  gtk_window_set_default_size (win, 1400, 900);
  lm_dashboards_set_view (lm_window_get_dashboards (LM_WINDOW (win)), view);
  gtk_window_present (win);
  *painted = FALSE;
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (win)), "after-paint",
                    G_CALLBACK (on_after_paint), painted);
  for (;;)
    {
      /* what done() counts is from the last paint; the window may settle
       * (every run's scalars read) after that paint, with nothing new to
       * paint */
      g_main_context_iteration (NULL, TRUE);
      if (*painted && done (win))
        return bench_now_ms () - t0;
      if (bench_now_ms () - t0 > 60000)
        return -1;
    }
}

gboolean
bench_screen_drawn (GtkWindow *win, const char *view, guint n_cards,
                    GtkWidget *(*nth_card) (GtkWidget *page, guint i), gboolean (*drawn) (GtkWidget *card))
{
  GtkWidget *page = lm_dashboards_get_page (lm_window_get_dashboards (LM_WINDOW (win)), view);
  guint on_screen = 0;

  if (!lm_window_is_settled (LM_WINDOW (win))
      || lm_record_dashboard_get_n_cards (LM_RECORD_DASHBOARD (page)) < n_cards)
    return FALSE;
  for (guint i = 0; i < n_cards; i++)
    {
      GtkWidget *card = nth_card (page, i);
      graphene_rect_t b;

      if (card == NULL || !gtk_widget_compute_bounds (card, GTK_WIDGET (win), &b) || b.origin.y > 800)
        continue;
      on_screen++;
      if (!drawn (card))
        return FALSE;
    }
  return on_screen > 0;
}

void
bench_write_sweep (const char *dir, int n_runs, int n_tags, int n_steps, const char *what,
                   void (*add) (lm_writer *w, int run, int tag, int step, guint32 seed))
{
  g_autofree char *last = g_strdup_printf ("%s/run%02d/run.lumen", dir, n_runs - 1);
  double t0 = bench_now_ms ();

  if (g_file_test (last, G_FILE_TEST_EXISTS))
    return;
  for (int r = 0; r < n_runs; r++)
    {
      g_autofree char *name = g_strdup_printf ("run%02d", r);
      lm_writer *w;

      if (lm_writer_open (&w, dir, name) != LM_OK)
        g_error ("%s", lm_log_last_error ());
      for (int s = 0; s < n_steps; s++)
        for (int t = 0; t < n_tags; t++)
          add (w, r, t, s, (guint32) (r * 7919 + t * 104729 + s * 31));
      lm_writer_close (w);
    }
  printf ("wrote %d %s in %.0f ms\n", n_runs * n_tags * n_steps, what, bench_now_ms () - t0);
}

const char *
bench_parse_dir (int argc, char **argv, const char *fallback)
{
  const char *dir = fallback;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--dir") == 0 && i + 1 < argc)
      dir = argv[++i];
    else
      {
        fprintf (stderr, "usage: %s [--dir DIR]\n", argv[0]);
        exit (2);
      }
  return dir;
}
