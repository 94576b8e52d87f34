/* widget-pixels.h: a widget's own drawing as pixels, for the graph-view,
 * module-box and tensor-view tests.
 *
 * Not for taking screenshots of whole windows (LmWindow does those; this
 * only reads the PNG back) nor for checking anything: the callers assert.
 */
#pragma once

#include <gtk/gtk.h>

/* Renders the widget's snapshot (without waiting for a frame) with its
 * window's renderer; B8G8R8A8 rows of *stride bytes, free with g_free. */
guchar  *widget_pixels_render (GtkWidget *w, int *width, int *height, gsize *stride);

/* The pixels of a PNG file (a `lumen --screenshot`), in the same layout. */
guchar  *widget_pixels_load   (const char *png, int *width, int *height, gsize *stride);

/* Runs the main loop until the LmGraphView has laid its graph out and has
 * a size (20 s at most, then fails the test). */
void     widget_pixels_wait_laid_out (GtkWidget *graph_view);

/* Pixel (x, y) within tol of the colour (r, g, b) in 0..1, channel by channel. */
gboolean widget_pixels_near   (const guchar *buf, gsize stride, int x, int y,
                               double r, double g, double b, double tol);
/* How many of the width x height pixels are near (r, g, b) so. */
guint    widget_pixels_count  (const guchar *buf, gsize stride, int width, int height,
                               double r, double g, double b, double tol);
