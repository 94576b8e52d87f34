/* widget-pixels.c: see widget-pixels.h. */
#include "widget-pixels.h"

#include "lm-graph-view.h"

#include <math.h>

/* The texture's pixels (B8G8R8A8, g_free them); takes the texture. */
static guchar *
download (GdkTexture *tex, int *width, int *height, gsize *stride)
{
  guchar *buf;

  *width = gdk_texture_get_width (tex);
  *height = gdk_texture_get_height (tex);
  *stride = (gsize) *width * 4;
  buf = g_malloc (*stride * (gsize) *height);
  gdk_texture_download (tex, buf, *stride);
  g_object_unref (tex);
  return buf;
}

guchar *
widget_pixels_render (GtkWidget *w, int *width, int *height, gsize *stride)
{
  GtkSnapshot *s = gtk_snapshot_new ();
  GskRenderer *r = gtk_native_get_renderer (gtk_widget_get_native (w));
  GskRenderNode *node;
  GdkTexture *tex;

  GTK_WIDGET_GET_CLASS (w)->snapshot (w, s);
  node = gtk_snapshot_free_to_node (s);
  g_assert_nonnull (node);
  tex = gsk_renderer_render_texture (r, node, &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (w),
                                                                   gtk_widget_get_height (w)));
  gsk_render_node_unref (node);
  return download (tex, width, height, stride);
}

guchar *
widget_pixels_load (const char *png, int *width, int *height, gsize *stride)
{
  GError *error = NULL;
  GdkTexture *tex = gdk_texture_new_from_filename (png, &error);

  g_assert_no_error (error);
  return download (tex, width, height, stride);
}

gboolean
widget_pixels_near (const guchar *buf, gsize stride, int x, int y, double r, double g, double b, double tol)
{
  const guchar *px = buf + (gsize) y * stride + (gsize) x * 4;

  return fabs (px[2] / 255.0 - r) < tol && fabs (px[1] / 255.0 - g) < tol && fabs (px[0] / 255.0 - b) < tol;
}

guint
widget_pixels_count (const guchar *buf, gsize stride, int width, int height, double r, double g, double b, double tol)
{
  guint n = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      n += widget_pixels_near (buf, stride, x, y, r, g, b, tol);
  return n;
}

void
widget_pixels_wait_laid_out (GtkWidget *graph_view)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  LmGraphView *v = LM_GRAPH_VIEW (graph_view);

  while (!(lm_graph_view_is_laid_out (v) && gtk_widget_get_width (graph_view) > 0)
         && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (lm_graph_view_is_laid_out (v) && gtk_widget_get_width (graph_view) > 0);
}
