/* lm-tb-export-boxes.c: an image's boxes (lm_writer_add_image_with_boxes)
 * burned into its PNG for TensorBoard, which knows boxes only as pixels.
 *
 * What it is for: the picture PyTorch's add_image_with_boxes logs, drawn
 * with cairo: red outlines where PIL's 2-px lines through the corners lie
 * (lm_image_box_outline), each label in a small sans font, black on a red
 * rectangle at its box's bottom-left.  Cairo draws on a layer of its own
 * and only the pixels it inks are written into the image, decoded and
 * encoded by libpng as straight RGBA: cairo's premultiplied ARGB32 would
 * change every translucent pixel's colour, which PIL leaves as it was.
 * Not for: the app's overlay (ui/lm-image-canvas.c draws the same boxes
 * over untouched pixels).
 */
#include "lm-tb-export-private.h"

#include <cairo.h>
#include <math.h>
#include <png.h>
#include <string.h>

#include "lumen-data.h"

/* PIL's default bitmap font is 11 pixels high. */
#define LABEL_FONT_PX 10

static void
draw_label (cairo_t *cr, const LmImageBox *b)
{
  cairo_text_extents_t te;
  cairo_font_extents_t fe;
  double left = trunc (b->x0), bottom = trunc (b->y1) + 1, th, margin;

  cairo_text_extents (cr, b->label, &te);
  cairo_font_extents (cr, &fe);
  th = ceil (fe.ascent + fe.descent);
  margin = ceil (0.05 * th);
  cairo_set_source_rgb (cr, 1, 0, 0);
  cairo_rectangle (cr, left, bottom - th - 2 * margin, ceil (te.x_advance) + 2 * margin, th + 2 * margin);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_move_to (cr, left + margin, bottom - margin - fe.descent);
  cairo_show_text (cr, b->label);
}

/* The boxes and labels drawn on a transparent layer of w x h, with
 * whole pixels as PIL paints them (each inked pixel opaque). */
static cairo_surface_t *
draw_boxes (const LmImageBoxes *boxes, int w, int h)
{
  cairo_surface_t *ink = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create (ink);
  cairo_font_options_t *fo = cairo_font_options_create ();

  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  cairo_select_font_face (cr, "sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, LABEL_FONT_PX);
  /* crisp black text, as PIL's bitmap font is */
  cairo_font_options_set_antialias (fo, CAIRO_ANTIALIAS_NONE);
  cairo_set_font_options (cr, fo);
  cairo_font_options_destroy (fo);
  for (int i = 0; i < boxes->n; i++)
    {
      const LmImageBox *b = &boxes->boxes[i];
      double r[4][4];

      lm_image_box_outline (b, r);
      cairo_set_source_rgb (cr, 1, 0, 0);
      /* off the image by far: cairo's numbers stay in range, PIL clips */
      for (int k = 0; k < 4; k++)
        {
          for (int c = 0; c < 4; c++)
            r[k][c] = CLAMP (r[k][c], -16, (c % 2 ? h : w) + 16.0);
          cairo_rectangle (cr, r[k][0], r[k][1], r[k][2] - r[k][0], r[k][3] - r[k][1]);
        }
      cairo_fill (cr);
      if (b->label != NULL && *b->label != '\0' && fabs (b->x0) < 1e6 && fabs (b->y1) < 1e6)
        draw_label (cr, b);
    }
  cairo_destroy (cr);
  cairo_surface_flush (ink);
  return ink;
}

GBytes *
lm_tb_export_burn_boxes (const void *png, gsize len, const char *boxes_json, int *channels, GError **error)
{
  g_autoptr (LmImageBoxes) boxes = NULL;
  g_autofree char *why = NULL;
  g_autofree guint8 *px = NULL;
  png_image image;
  png_alloc_size_t out_len = 0;
  cairo_surface_t *ink;
  cairo_status_t st;
  int w, h;

  boxes = lm_image_boxes_parse (boxes_json, &why);
  if (boxes == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s", why);
      return NULL;
    }
  memset (&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory (&image, png, len))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "PNG does not decode: %s", image.message);
      png_image_free (&image);
      return NULL;
    }
  /* cairo's own limit on the layer drawn on */
  if (image.width > 32767 || image.height > 32767)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "PNG of %ux%u is over 32767 pixels a side", image.width, image.height);
      png_image_free (&image);
      return NULL;
    }
  /* PIL draws on RGB (or RGBA): a grey image's boxes are red too */
  *channels = image.format & PNG_FORMAT_FLAG_ALPHA ? 4 : 3;
  image.format = *channels == 4 ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
  /* 16-bit samples are sRGB, as the app's loader takes them */
  image.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
  px = g_try_malloc (PNG_IMAGE_SIZE (image));
  if (px == NULL || !png_image_finish_read (&image, NULL, px, 0, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "PNG of %ux%u does not decode: %s",
                   image.width, image.height, px ? image.message : "out of memory");
      png_image_free (&image);
      return NULL;
    }
  w = (int) image.width;
  h = (int) image.height;
  ink = draw_boxes (boxes, w, h);
  if ((st = cairo_surface_status (ink)) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "drawing the boxes failed: %s",
                   cairo_status_to_string (st));
      cairo_surface_destroy (ink);
      return NULL;
    }
  /* only the inked pixels change: opaque red or black, as PIL's fill */
  {
    const guint8 *row = cairo_image_surface_get_data (ink);
    int stride = cairo_image_surface_get_stride (ink);

    for (int y = 0; y < h; y++, row += stride)
      for (int x = 0; x < w; x++)
        {
          guint32 argb;
          guint8 *p = px + ((gsize) y * (gsize) w + (gsize) x) * (gsize) *channels;

          memcpy (&argb, row + 4 * x, 4);
          if ((argb >> 24) < 0x80)
            continue;
          p[0] = (guint8) (argb >> 16);
          p[1] = (guint8) (argb >> 8);
          p[2] = (guint8) argb;
          if (*channels == 4)
            p[3] = 255;
        }
  }
  cairo_surface_destroy (ink);
  /* png_image_write_to_memory: NULL first to learn the size */
  image.flags = 0;
  if (!png_image_write_to_memory (&image, NULL, &out_len, 0, px, 0, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "PNG encoding failed: %s", image.message);
      return NULL;
    }
  guint8 *out = g_malloc (out_len);
  if (!png_image_write_to_memory (&image, out, &out_len, 0, px, 0, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "PNG encoding failed: %s", image.message);
      g_free (out);
      return NULL;
    }
  return g_bytes_new_take (out, out_len);
}
