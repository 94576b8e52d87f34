/* lm-image-canvas.c: crisp image drawing (see lm-image-canvas.h). */
#include "lm-image-canvas.h"

#include "lm-dash-util.h"

struct _LmImageCanvas
{
  GtkWidget parent_instance;

  LmImagePixels *pixels;
  cairo_surface_t *surface;   /* premultiplied copy of pixels */
  char *error;
  gboolean fit;
  double brightness, contrast;
};

G_DEFINE_FINAL_TYPE (LmImageCanvas, lm_image_canvas, GTK_TYPE_WIDGET)

static cairo_surface_t *
to_surface (LmImagePixels *p)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, p->width, p->height);
  const guint8 *src = g_bytes_get_data (p->rgba, NULL);
  guint8 *dst;
  int stride;

  cairo_surface_flush (s);
  dst = cairo_image_surface_get_data (s);
  stride = cairo_image_surface_get_stride (s);
  for (int y = 0; y < p->height; y++)
    {
      const guint8 *in = src + y * p->stride;
      guint32 *out = (guint32 *) (dst + (gsize) y * stride);

      for (int x = 0; x < p->width; x++, in += 4)
        {
          guint a = in[3];

          out[x] = (a << 24) | ((in[0] * a / 255) << 16) | ((in[1] * a / 255) << 8) | (in[2] * a / 255);
        }
    }
  cairo_surface_mark_dirty (s);
  return s;
}

static void
lm_image_canvas_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LmImageCanvas *self = LM_IMAGE_CANVAS (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr;
  double scale = 1, ox, oy;
  gboolean adjust = self->brightness != 0 || self->contrast != 1;

  if (self->surface == NULL)
    {
      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
      if (self->error != NULL)
        lm_dash_placeholder (cr, w, h, "Cannot show this image", self->error);
      cairo_destroy (cr);
      return;
    }
  if (self->fit)
    scale = MIN ((double) w / self->pixels->width, (double) h / self->pixels->height);
  ox = (w - self->pixels->width * scale) / 2;
  oy = (h - self->pixels->height * scale) / 2;
  if (adjust)
    {
      graphene_matrix_t m;
      graphene_vec4_t off;
      double c = self->contrast, o = 0.5 - 0.5 * c + self->brightness;

      graphene_matrix_init_from_float (&m, (float[16]) { c, 0, 0, 0, 0, c, 0, 0, 0, 0, c, 0, 0, 0, 0, 1 });
      graphene_vec4_init (&off, o, o, o, 0);
      gtk_snapshot_push_color_matrix (snapshot, &m, &off);
    }
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cairo_translate (cr, ox, oy);
  cairo_scale (cr, scale, scale);
  cairo_set_source_surface (cr, self->surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), scale >= 1 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
  cairo_rectangle (cr, 0, 0, self->pixels->width, self->pixels->height);
  cairo_fill (cr);
  cairo_destroy (cr);
  if (adjust)
    gtk_snapshot_pop (snapshot);
}

static void
lm_image_canvas_measure (GtkWidget *widget, GtkOrientation o, int for_size,
                         int *min, int *nat, int *min_base, int *nat_base)
{
  LmImageCanvas *self = LM_IMAGE_CANVAS (widget);
  int size = 0;

  if (self->pixels != NULL)
    size = o == GTK_ORIENTATION_HORIZONTAL ? self->pixels->width : self->pixels->height;
  if (self->fit)
    {
      *min = 64;
      *nat = 240;
    }
  else
    *min = *nat = MAX (size, 64);
}

static void
lm_image_canvas_finalize (GObject *object)
{
  LmImageCanvas *self = LM_IMAGE_CANVAS (object);

  lm_image_pixels_unref (self->pixels);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_free (self->error);
  G_OBJECT_CLASS (lm_image_canvas_parent_class)->finalize (object);
}

static void
lm_image_canvas_class_init (LmImageCanvasClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lm_image_canvas_finalize;
  GTK_WIDGET_CLASS (klass)->snapshot = lm_image_canvas_snapshot;
  GTK_WIDGET_CLASS (klass)->measure = lm_image_canvas_measure;
}

static void
lm_image_canvas_init (LmImageCanvas *self)
{
  self->fit = TRUE;
  self->contrast = 1;
}

GtkWidget *
lm_image_canvas_new (void)
{
  return g_object_new (LM_TYPE_IMAGE_CANVAS, NULL);
}

void
lm_image_canvas_set_pixels (LmImageCanvas *self, LmImagePixels *pixels, const char *error)
{
  gboolean resized = pixels == NULL || self->pixels == NULL
                     || pixels->width != self->pixels->width || pixels->height != self->pixels->height;

  if (pixels != self->pixels)
    {
      g_clear_pointer (&self->pixels, lm_image_pixels_unref);
      g_clear_pointer (&self->surface, cairo_surface_destroy);
      if (pixels != NULL)
        {
          self->pixels = lm_image_pixels_ref (pixels);
          self->surface = to_surface (pixels);
        }
    }
  g_free (self->error);
  self->error = g_strdup (error);
  if (resized && !self->fit)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

LmImagePixels *
lm_image_canvas_get_pixels (LmImageCanvas *self)
{
  return self->pixels;
}

void
lm_image_canvas_set_fit (LmImageCanvas *self, gboolean fit)
{
  self->fit = fit;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
lm_image_canvas_set_adjust (LmImageCanvas *self, double brightness, double contrast)
{
  self->brightness = brightness;
  self->contrast = contrast;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
