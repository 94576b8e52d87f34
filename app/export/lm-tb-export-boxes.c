/* lm-tb-export-boxes.c: an image's boxes (lm_writer_add_image_with_boxes)
 * burned into its PNG for TensorBoard, which knows boxes only as pixels.
 *
 * What it is for: the picture PyTorch's add_image_with_boxes logs, drawn
 * with cairo: red outlines where PIL's 2-px lines through the corners lie
 * (lm_image_box_outline), each label in a small sans font, black on a red
 * rectangle at its box's bottom-left.  Not for: the app's overlay
 * (ui/lm-image-canvas.c draws the same boxes over untouched pixels).
 */
#include "lm-tb-export-private.h"

#include <cairo.h>
#include <math.h>
#include <string.h>

#include "lumen-data.h"

/* PIL's default bitmap font is 11 pixels high. */
#define LABEL_FONT_PX 10

typedef struct
{
  const guint8 *data;
  gsize len, pos;
} Reader;

static cairo_status_t
read_png (void *closure, unsigned char *out, unsigned int n)
{
  Reader *rd = closure;

  if (rd->len - rd->pos < n)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (out, rd->data + rd->pos, n);
  rd->pos += n;
  return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t
write_png (void *closure, const unsigned char *data, unsigned int n)
{
  g_byte_array_append (closure, data, n);
  return CAIRO_STATUS_SUCCESS;
}

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

GBytes *
lm_tb_export_burn_boxes (const void *png, gsize len, const char *boxes_json, int *channels, GError **error)
{
  Reader rd = { png, len, 0 };
  g_autoptr (LmImageBoxes) boxes = NULL;
  g_autofree char *why = NULL;
  cairo_surface_t *img, *out;
  cairo_t *cr;
  GByteArray *bytes;
  cairo_status_t st;
  int w, h;

  boxes = lm_image_boxes_parse (boxes_json, &why);
  if (boxes == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s", why);
      return NULL;
    }
  img = cairo_image_surface_create_from_png_stream (read_png, &rd);
  if ((st = cairo_surface_status (img)) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "PNG does not decode: %s",
                   cairo_status_to_string (st));
      cairo_surface_destroy (img);
      return NULL;
    }
  /* PIL draws on RGB (or RGBA): a grey image's boxes are red too */
  w = cairo_image_surface_get_width (img);
  h = cairo_image_surface_get_height (img);
  *channels = cairo_image_surface_get_format (img) == CAIRO_FORMAT_ARGB32 ? 4 : 3;
  out = cairo_image_surface_create (*channels == 4 ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24, w, h);
  cr = cairo_create (out);
  cairo_set_source_surface (cr, img, 0, 0);
  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_paint (cr);
  cairo_set_operator (cr, CAIRO_OPERATOR_OVER);
  cairo_surface_destroy (img);
  /* whole pixels, as PIL paints them */
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  cairo_select_font_face (cr, "sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, LABEL_FONT_PX);
  {
    /* crisp black text, as PIL's bitmap font is */
    cairo_font_options_t *fo = cairo_font_options_create ();

    cairo_font_options_set_antialias (fo, CAIRO_ANTIALIAS_NONE);
    cairo_set_font_options (cr, fo);
    cairo_font_options_destroy (fo);
  }
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
  bytes = g_byte_array_new ();
  st = cairo_surface_write_to_png_stream (out, write_png, bytes);
  cairo_surface_destroy (out);
  if (st != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "PNG encoding failed: %s", cairo_status_to_string (st));
      g_byte_array_unref (bytes);
      return NULL;
    }
  return g_byte_array_free_to_bytes (bytes);
}
