/* bench-ui-util.c: see bench-ui-util.h. */
#include "bench-ui-util.h"

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
