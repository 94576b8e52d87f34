/* bench-image-boxes.c: the image canvas (ui/lm-image-canvas.c) drawing a
 * 1920x1080 image with 1,000 labelled boxes (lm_writer_add_image_with_boxes),
 * fitted to a card (330 px wide) and at 100% in a 1400x900 window, each
 * frame snapshotted again (as a redraw does) and rendered with the cairo
 * renderer: the image alone, the boxes drawn anew each frame (a step
 * with other boxes), and a redraw for anything else (a hover, a
 * brightness drag), which takes the boxes as they were last drawn.  Prints milliseconds per frame, wall
 * clock and the process's CPU time.  Run by hand under a display:
 * xvfb-run -a build/bench/ui/bench-image-boxes
 */
#include <gtk/gtk.h>
#include <stdio.h>
#include <time.h>

#include "lm-image-canvas.h"
#include "lumen-data.h"

#define IMG_W   1920
#define IMG_H   1080
#define N_BOXES 1000
#define FRAMES  20

static cairo_status_t
append (void *closure, const unsigned char *data, unsigned int n)
{
  g_byte_array_append (closure, data, n);
  return CAIRO_STATUS_SUCCESS;
}

/* A gradient picture as the loader would hand it over. */
static LmImagePixels *
make_pixels (void)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, IMG_W, IMG_H);
  cairo_t *cr = cairo_create (s);
  cairo_pattern_t *p = cairo_pattern_create_linear (0, 0, IMG_W, IMG_H);
  g_autoptr (GByteArray) png = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  LmImagePixels *pixels;

  cairo_pattern_add_color_stop_rgb (p, 0, 0.1, 0.2, 0.5);
  cairo_pattern_add_color_stop_rgb (p, 1, 0.9, 0.8, 0.3);
  cairo_set_source (cr, p);
  cairo_paint (cr);
  cairo_pattern_destroy (p);
  cairo_destroy (cr);
  cairo_surface_write_to_png_stream (s, append, png);
  cairo_surface_destroy (s);
  pixels = lm_image_decode_png (png->data, png->len, &error);
  g_assert_no_error (error);
  return pixels;
}

/* N_BOXES boxes 20..220 x 20..170 pixels, each labelled "person 12". */
static LmImageBoxes *
make_boxes (void)
{
  GString *json = g_string_new ("[");
  g_autofree char *error = NULL;
  LmImageBoxes *boxes;

  g_random_set_seed (1);
  for (int i = 0; i < N_BOXES; i++)
    {
      int x = g_random_int_range (0, IMG_W - 20), y = g_random_int_range (0, IMG_H - 20);

      g_string_append_printf (json, "%s[%d,%d,%d,%d,\"person %d\"]", i ? "," : "", x, y,
                              x + g_random_int_range (20, 220), y + g_random_int_range (20, 170), i);
    }
  g_string_append_c (json, ']');
  boxes = lm_image_boxes_parse (json->str, &error);
  g_assert_nonnull (boxes);
  g_string_free (json, TRUE);
  return boxes;
}

static void
frame_time (const char *what, int width, int height, gboolean fit, int boxes_mode)
{
  GtkWidget *win = gtk_window_new ();
  GtkWidget *canvas = lm_image_canvas_new ();
  g_autoptr (LmImagePixels) pixels = make_pixels ();
  g_autoptr (LmImageBoxes) boxes = make_boxes ();
  GskRenderer *renderer;
  double wall = 0, cpu = 0;

  lm_image_canvas_set_pixels (LM_IMAGE_CANVAS (canvas), pixels, NULL);
  lm_image_canvas_set_boxes (LM_IMAGE_CANVAS (canvas), boxes_mode ? boxes : NULL);
  lm_image_canvas_set_fit (LM_IMAGE_CANVAS (canvas), fit);
  gtk_window_set_child (GTK_WINDOW (win), canvas);
  gtk_window_set_default_size (GTK_WINDOW (win), width, height);
  gtk_window_present (GTK_WINDOW (win));
  while (gtk_widget_get_width (canvas) < width / 2)
    g_main_context_iteration (NULL, TRUE);
  renderer = gsk_cairo_renderer_new ();
  gsk_renderer_realize (renderer, gtk_native_get_surface (GTK_NATIVE (win)), NULL);
  for (int i = 0; i <= FRAMES; i++)
    {
      double w0 = g_get_monotonic_time () / 1e3, c0 = clock () * 1e3 / CLOCKS_PER_SEC;
      GtkSnapshot *snapshot = gtk_snapshot_new ();
      int w = gtk_widget_get_width (canvas), h = gtk_widget_get_height (canvas);
      GskRenderNode *node;

      if (boxes_mode == 1) /* new boxes: drawn again */
        {
          lm_image_canvas_set_boxes (LM_IMAGE_CANVAS (canvas), NULL);
          lm_image_canvas_set_boxes (LM_IMAGE_CANVAS (canvas), boxes);
        }
      GTK_WIDGET_GET_CLASS (canvas)->snapshot (canvas, snapshot);
      node = gtk_snapshot_free_to_node (snapshot);
      g_object_unref (gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h)));
      gsk_render_node_unref (node);
      if (i > 0) /* the first one warms the font caches */
        {
          wall += g_get_monotonic_time () / 1e3 - w0;
          cpu += clock () * 1e3 / CLOCKS_PER_SEC - c0;
        }
    }
  printf ("%-34s %4dx%-4d  %7.2f ms a frame (CPU %7.2f ms)\n", what, gtk_widget_get_width (canvas),
          gtk_widget_get_height (canvas), wall / FRAMES, cpu / FRAMES);
  gsk_renderer_unrealize (renderer);
  g_object_unref (renderer);
  gtk_window_destroy (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  gtk_init ();
  printf ("%d boxes with labels on a %dx%d image\n", N_BOXES, IMG_W, IMG_H);
  for (int b = 0; b < 3; b++)
    {
      printf ("%s\n", b == 0 ? "the image alone:"
                      : b == 1 ? "with the boxes, each frame drawing them (a new step):"
                               : "with the boxes, redrawn as they were (a hover, a brightness drag):");
      frame_time ("  card (fitted)", 330, 186, TRUE, b);
      frame_time ("  full-size window (100%)", 1400, 900, FALSE, b);
      frame_time ("  full-size window (fitted)", 1400, 900, TRUE, b);
    }
  return 0;
}
