/* lm-image-canvas.c: crisp image drawing and grid cell labels (see
 * lm-image-canvas.h).
 *
 * Geometry is in the image's own pixels as logged (full_width x
 * full_height), whatever the pixels held: a reduced copy is stretched
 * over the same rectangle.  The two axes have their own scale so that a
 * fitted 1000x1 strip keeps one device pixel of height.
 *
 * The picture goes through the brightness/contrast colour matrix; the
 * boxes, label strips and the hover outline are drawn after it, so they
 * stay legible whatever the adjustment.  One PangoLayout is reused for every
 * cell of a frame (a 64-cell grid costs well under a millisecond).
 */
#include "lm-image-canvas.h"

#include <math.h>
#include <string.h>

#include "lm-dash-util.h"

/* Label strip geometry, in screen pixels. */
#define STRIP_PAD_X   2
#define STRIP_PAD_Y   1.5
#define FONT_MIN_PX   9
#define FONT_MAX_PX   13
/* Cells at least this high get up to two lines of label. */
#define TWO_LINE_CELL 80
/* A box's label strip: PIL's default font (11 px) and its margins, in
 * image pixels; screen pixels of text under which it is left out. */
#define LABEL_IMAGE_PX 13
#define LABEL_MIN_PX   6

struct _LmImageCanvas
{
  GtkWidget parent_instance;

  LmImagePixels *pixels;
  cairo_surface_t *surface;   /* premultiplied copy of pixels */
  char *error;
  gboolean fit;
  int zoom;
  double brightness, contrast;
  LmImageGrid *grid;
  gboolean show_labels;
  int hover_cell;             /* -1: none */
  LmImageBoxes *boxes;
  gboolean show_boxes;
  GskRenderNode *boxes_node;  /* the boxes as last drawn, for boxes_key */
  double boxes_key[7];        /* the geometry, size and scale they were drawn for */
  guint boxes_draws;
};

G_DEFINE_FINAL_TYPE (LmImageCanvas, lm_image_canvas, GTK_TYPE_WIDGET)

cairo_surface_t *
lm_image_pixels_to_surface (LmImagePixels *p)
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

/* Where the picture goes: image pixel (x, y) is drawn at
 * (ox + x * sx, oy + y * sy). */
typedef struct
{
  double sx, sy, ox, oy;
} Geometry;

/* FALSE without pixels. */
static gboolean
geometry (LmImageCanvas *self, Geometry *g)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  double device_px = 1.0 / gtk_widget_get_scale_factor (GTK_WIDGET (self));
  int iw, ih;

  if (self->pixels == NULL || self->surface == NULL || w <= 0 || h <= 0)
    return FALSE;
  iw = self->pixels->full_width;
  ih = self->pixels->full_height;
  if (self->fit)
    {
      g->sx = g->sy = MIN ((double) w / iw, (double) h / ih);
      /* TensorBoard shows a 1000x1 image as a thin strip, not as nothing. */
      g->sx = MAX (g->sx, device_px / iw);
      g->sy = MAX (g->sy, device_px / ih);
      /* On whole device pixels, so a one-pixel strip is one crisp row. */
      g->ox = round ((w - iw * g->sx) / 2 / device_px) * device_px;
      g->oy = round ((h - ih * g->sy) / 2 / device_px) * device_px;
    }
  else
    {
      g->sx = g->sy = self->zoom;
      g->ox = (w - iw * g->sx) / 2;
      g->oy = (h - ih * g->sy) / 2;
    }
  return TRUE;
}

static gboolean
cell_rect (LmImageCanvas *self, int k, const Geometry *g, graphene_rect_t *r)
{
  int x, y;

  if (self->grid == NULL || !lm_image_grid_cell_origin (self->grid, k, &x, &y))
    return FALSE;
  graphene_rect_init (r, g->ox + x * g->sx, g->oy + y * g->sy, self->grid->cell_width * g->sx,
                      self->grid->cell_height * g->sy);
  return TRUE;
}

static int
cell_at (LmImageCanvas *self, const Geometry *g, double x, double y)
{
  return lm_image_grid_cell_at (self->grid, (x - g->ox) / g->sx, (y - g->oy) / g->sy);
}

static gboolean
labels_drawn (LmImageCanvas *self, const Geometry *g)
{
  return self->show_labels && self->grid != NULL && self->grid->labels != NULL
         && self->grid->cell_height * g->sy >= LM_IMAGE_CANVAS_MIN_LABEL_CELL
         && self->grid->cell_width * g->sx >= LM_IMAGE_CANVAS_MIN_LABEL_CELL;
}

/* Sets the label strip's text in `layout`: the whole label when it fits
 * on the strip, else (for a "pred P / true T" label) the predicted class
 * alone, elided if even that does not fit.  Returns whether it fits
 * without eliding.  When `cr` is given, leaves the strip colour on it:
 * neutral, or green / red for a right / wrong prediction. */
static gboolean
fit_label (cairo_t *cr, PangoLayout *layout, const char *label)
{
  g_autofree char *pred = NULL, *truth = NULL;
  gboolean prediction = lm_image_grid_split_prediction (label, &pred, &truth);

  if (cr != NULL && !prediction)
    cairo_set_source_rgba (cr, 0, 0, 0, 0.66);
  else if (cr != NULL && strcmp (pred, truth) == 0)
    cairo_set_source_rgba (cr, 0.05, 0.38, 0.16, 0.85);
  else if (cr != NULL)
    cairo_set_source_rgba (cr, 0.62, 0.09, 0.09, 0.85);
  pango_layout_set_text (layout, label, -1);
  if (!pango_layout_is_ellipsized (layout))
    return TRUE;
  if (!prediction)
    return FALSE;
  pango_layout_set_text (layout, pred, -1);
  return !pango_layout_is_ellipsized (layout);
}

static void
draw_labels (LmImageCanvas *self, cairo_t *cr, const Geometry *geo)
{
  const LmImageGrid *g = self->grid;
  double cw = g->cell_width * geo->sx, ch = g->cell_height * geo->sy;
  double font_px = CLAMP (floor (ch * 0.16), FONT_MIN_PX, FONT_MAX_PX);
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string ("Sans");

  pango_font_description_set_absolute_size (font, font_px * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) ((cw - 2 * STRIP_PAD_X) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_height (layout, ch >= TWO_LINE_CELL ? -2 : -1);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  /* The condensed face for the whole grid when some label would be cut
   * short in the regular one: "Pullover" whole in a 40-px cell rather
   * than "Pullo…", and one face across the grid. */
  for (int k = 0; k < g->n; k++)
    if (!fit_label (NULL, layout, g->labels[k]))
      {
        pango_font_description_set_stretch (font, PANGO_STRETCH_CONDENSED);
        pango_layout_set_font_description (layout, font);
        break;
      }
  for (int k = 0; k < g->n; k++)
    {
      const char *label = g->labels[k];
      graphene_rect_t r;
      PangoRectangle ink, logical;
      double strip_h;

      if (*label == '\0' || !cell_rect (self, k, geo, &r))
        continue;
      cairo_save (cr);
      cairo_rectangle (cr, r.origin.x, r.origin.y, r.size.width, r.size.height);
      cairo_clip (cr);
      fit_label (cr, layout, label);
      pango_layout_get_pixel_extents (layout, &ink, &logical);
      strip_h = MIN (logical.height + 2 * STRIP_PAD_Y, ch);
      cairo_rectangle (cr, r.origin.x, r.origin.y + ch - strip_h, cw, strip_h);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_move_to (cr, r.origin.x + STRIP_PAD_X, r.origin.y + ch - strip_h + STRIP_PAD_Y);
      pango_cairo_show_layout (cr, layout);
      cairo_restore (cr);
    }
  pango_font_description_free (font);
  g_object_unref (layout);
}

static void
draw_hover (LmImageCanvas *self, cairo_t *cr, const Geometry *g)
{
  graphene_rect_t r;

  if (self->hover_cell < 0 || !cell_rect (self, self->hover_cell, g, &r))
    return;
  /* White over dark, visible on any picture. */
  cairo_set_line_width (cr, 3);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.55);
  cairo_rectangle (cr, r.origin.x - 1.5, r.origin.y - 1.5, r.size.width + 3, r.size.height + 3);
  cairo_stroke (cr);
  cairo_set_line_width (cr, 1.5);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, r.origin.x - 0.75, r.origin.y - 0.75, r.size.width + 1.5, r.size.height + 1.5);
  cairo_stroke (cr);
}

/* Where box coordinates become cairo's: far enough out to clip, near
 * enough for its fixed-point numbers (a box at 1e30 pixels). */
static double
screen_clamp (double v, double size)
{
  return CLAMP (v, -1000, size + 1000);
}

/* The screen rectangle x0, y0, x1, y1 of image rectangle r, at least a
 * device pixel each way. */
static void
screen_rect (const Geometry *g, int w, int h, double device_px, const double r[4], double out[4])
{
  out[0] = screen_clamp (g->ox + r[0] * g->sx, w);
  out[1] = screen_clamp (g->oy + r[1] * g->sy, h);
  out[2] = MAX (screen_clamp (g->ox + r[2] * g->sx, w), out[0] + device_px);
  out[3] = MAX (screen_clamp (g->oy + r[3] * g->sy, h), out[1] + device_px);
}

/* The layout box labels are drawn with: the widget's font, smaller where
 * PyTorch's label (LABEL_IMAGE_PX image pixels) would be smaller, and the
 * margin around its text in *margin.  NULL where it would be under
 * LABEL_MIN_PX high, too small to read. */
static PangoLayout *
label_layout (LmImageCanvas *self, const Geometry *g, double *margin)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), "Ag");
  double most = LABEL_IMAGE_PX * g->sy;
  PangoRectangle ink, logical;

  *margin = 2;
  pango_layout_get_pixel_extents (layout, &ink, &logical);
  if (logical.height + 2 * *margin > most)
    {
      PangoFontDescription *font = pango_font_description_copy (
        pango_context_get_font_description (pango_layout_get_context (layout)));
      double size = pango_font_description_get_size (font) * (most - 2 * *margin) / logical.height;

      if (pango_font_description_get_size_is_absolute (font))
        pango_font_description_set_absolute_size (font, MAX (size, 1));
      else
        pango_font_description_set_size (font, MAX ((int) size, 1));
      pango_layout_set_font_description (layout, font);
      pango_font_description_free (font);
      pango_layout_get_pixel_extents (layout, &ink, &logical);
      *margin = MAX (floor ((most - logical.height) / 2), 0);
    }
  if (logical.height < LABEL_MIN_PX)
    g_clear_object (&layout);
  return layout;
}

/* Box b's label, black on a red box at the box's bottom-left (moved into
 * the picture pic, whole where it fits). */
static void
draw_box_label (cairo_t *cr, PangoLayout *layout, double margin, const Geometry *g, int w, int h,
                const double pic[4], const LmImageBox *b)
{
  double lx = screen_clamp (g->ox + trunc (b->x0) * g->sx, w);
  double ly = screen_clamp (g->oy + (trunc (b->y1) + 1) * g->sy, h);
  double lw, lh;
  PangoRectangle ink, logical;

  pango_layout_set_text (layout, b->label, -1);
  pango_layout_get_pixel_extents (layout, &ink, &logical);
  lw = logical.width + 2 * margin;
  lh = logical.height + 2 * margin;
  lx = MAX (MIN (lx, pic[2] - lw), pic[0]);
  ly = MIN (MAX (ly, pic[1] + lh), pic[3]);
  cairo_set_source_rgb (cr, 1, 0, 0);
  cairo_rectangle (cr, lx, ly - lh, lw, lh);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_move_to (cr, lx + margin, ly - lh + margin);
  pango_cairo_show_layout (cr, layout);
}

/* add_image_with_boxes' boxes over the picture, clipped to it: PyTorch's
 * red lines (lm_image_box_outline) scaled with the picture, at least a
 * device pixel wide, and each label (label_layout, draw_box_label).  A
 * label is no taller than PyTorch's, so a fitted 1920x1080 picture is not
 * buried under its labels; where it could not be read, it is left out
 * (the full-size window shows it). */
static void
draw_boxes (LmImageCanvas *self, cairo_t *cr, const Geometry *g)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  double device_px = 1.0 / gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double pic[4] = { g->ox, g->oy, g->ox + self->pixels->full_width * g->sx,
                    g->oy + self->pixels->full_height * g->sy };
  double margin;
  PangoLayout *layout = label_layout (self, g, &margin);

  cairo_save (cr);
  cairo_rectangle (cr, pic[0], pic[1], pic[2] - pic[0], pic[3] - pic[1]);
  cairo_clip (cr);
  for (int i = 0; i < self->boxes->n; i++)
    {
      const LmImageBox *b = &self->boxes->boxes[i];
      double r[4][4], s[4], box[4] = { G_MAXDOUBLE, G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE };

      lm_image_box_outline (b, r);
      cairo_set_source_rgb (cr, 1, 0, 0);
      for (int k = 0; k < 4; k++)
        {
          screen_rect (g, w, h, device_px, r[k], s);
          cairo_rectangle (cr, s[0], s[1], s[2] - s[0], s[3] - s[1]);
          box[0] = MIN (box[0], s[0]);
          box[1] = MIN (box[1], s[1]);
          box[2] = MAX (box[2], s[2]);
          box[3] = MAX (box[3], s[3]);
        }
      cairo_fill (cr);
      /* a box off the picture shows nothing, its label neither */
      if (layout != NULL && b->label != NULL && *b->label != '\0' && box[0] < pic[2] && box[2] > pic[0]
          && box[1] < pic[3] && box[3] > pic[1])
        draw_box_label (cr, layout, margin, g, w, h, pic, b);
    }
  cairo_restore (cr);
  g_clear_object (&layout);
  self->boxes_draws++;
}

/* The boxes over the picture: the node drawn last time while nothing it
 * depends on has changed (a brightness drag or a hover redraws the
 * canvas, not 1,000 boxes and their labels). */
static void
snapshot_boxes (LmImageCanvas *self, GtkSnapshot *snapshot, const Geometry *g)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  double key[7] = { g->sx, g->sy, g->ox, g->oy, w, h, gtk_widget_get_scale_factor (GTK_WIDGET (self)) };

  if (self->boxes_node == NULL || memcmp (key, self->boxes_key, sizeof key) != 0)
    {
      GtkSnapshot *s = gtk_snapshot_new ();
      cairo_t *cr = gtk_snapshot_append_cairo (s, &GRAPHENE_RECT_INIT (0, 0, w, h));

      draw_boxes (self, cr, g);
      cairo_destroy (cr);
      g_clear_pointer (&self->boxes_node, gsk_render_node_unref);
      self->boxes_node = gtk_snapshot_free_to_node (s);
      memcpy (self->boxes_key, key, sizeof key);
    }
  if (self->boxes_node != NULL)
    gtk_snapshot_append_node (snapshot, self->boxes_node);
}

static void
lm_image_canvas_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LmImageCanvas *self = LM_IMAGE_CANVAS (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr;
  Geometry g;
  double px_w, px_h;
  gboolean adjust = self->brightness != 0 || self->contrast != 1;

  if (!geometry (self, &g))
    {
      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
      if (self->error != NULL)
        lm_dash_placeholder (cr, w, h, "Cannot show this image", self->error);
      cairo_destroy (cr);
      return;
    }
  if (adjust)
    {
      graphene_matrix_t m;
      graphene_vec4_t off;
      double c = self->contrast, o = 0.5 - 0.5 * c + self->brightness;

      graphene_matrix_init_from_float (&m, (float[16]) { c, 0, 0, 0, 0, c, 0, 0, 0, 0, c, 0, 0, 0, 0, 1 });
      graphene_vec4_init (&off, o, o, o, 0);
      gtk_snapshot_push_color_matrix (snapshot, &m, &off);
    }
  /* Screen pixels per pixel held (a reduced copy covers more of the
   * image with each). */
  px_w = g.sx * self->pixels->full_width / self->pixels->width;
  px_h = g.sy * self->pixels->full_height / self->pixels->height;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cairo_save (cr);
  cairo_translate (cr, g.ox, g.oy);
  cairo_scale (cr, px_w, px_h);
  cairo_set_source_surface (cr, self->surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), px_w >= 1 && px_h >= 1 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
  /* No fading towards transparent at the edges (a one-row strip is all edge). */
  cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
  cairo_rectangle (cr, 0, 0, self->pixels->width, self->pixels->height);
  cairo_fill (cr);
  cairo_restore (cr);
  cairo_destroy (cr);
  if (adjust)
    gtk_snapshot_pop (snapshot);
  /* after the colour matrix: red stays red whatever the adjustment */
  if (self->boxes != NULL && self->boxes->n > 0 && self->show_boxes)
    snapshot_boxes (self, snapshot, &g);
  if (self->grid == NULL)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (labels_drawn (self, &g))
    draw_labels (self, cr, &g);
  draw_hover (self, cr, &g);
  cairo_destroy (cr);
}

static void
lm_image_canvas_measure (GtkWidget *widget, GtkOrientation o, int for_size,
                         int *min, int *nat, int *min_base, int *nat_base)
{
  LmImageCanvas *self = LM_IMAGE_CANVAS (widget);
  int size = 0;

  if (self->pixels != NULL)
    size = o == GTK_ORIENTATION_HORIZONTAL ? self->pixels->full_width : self->pixels->full_height;
  if (self->fit)
    {
      *min = 64;
      *nat = 240;
    }
  else
    *min = *nat = MAX (size * self->zoom, 64);
}

static gboolean
lm_image_canvas_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip)
{
  g_autofree char *text = keyboard ? NULL : lm_image_canvas_describe_at (LM_IMAGE_CANVAS (widget), x, y);

  if (text != NULL)
    {
      gtk_tooltip_set_text (tooltip, text);
      return TRUE;
    }
  return GTK_WIDGET_CLASS (lm_image_canvas_parent_class)->query_tooltip (widget, x, y, keyboard, tooltip);
}

static void
set_hover (LmImageCanvas *self, int cell)
{
  if (cell == self->hover_cell)
    return;
  self->hover_cell = cell;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, LmImageCanvas *self)
{
  Geometry g;
  int cell = -1;

  if (self->grid != NULL && geometry (self, &g))
    cell = cell_at (self, &g, x, y);
  set_hover (self, cell);
}

static void
on_leave (GtkEventControllerMotion *motion, LmImageCanvas *self)
{
  set_hover (self, -1);
}

static void
lm_image_canvas_finalize (GObject *object)
{
  LmImageCanvas *self = LM_IMAGE_CANVAS (object);

  lm_image_pixels_unref (self->pixels);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_clear_pointer (&self->grid, lm_image_grid_unref);
  g_clear_pointer (&self->boxes, lm_image_boxes_unref);
  g_clear_pointer (&self->boxes_node, gsk_render_node_unref);
  g_free (self->error);
  G_OBJECT_CLASS (lm_image_canvas_parent_class)->finalize (object);
}

/* A theme or font change: the labels are drawn again in the new font. */
static void
lm_image_canvas_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  LmImageCanvas *self = LM_IMAGE_CANVAS (widget);

  GTK_WIDGET_CLASS (lm_image_canvas_parent_class)->css_changed (widget, change);
  g_clear_pointer (&self->boxes_node, gsk_render_node_unref);
}

static void
lm_image_canvas_class_init (LmImageCanvasClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lm_image_canvas_finalize;
  GTK_WIDGET_CLASS (klass)->snapshot = lm_image_canvas_snapshot;
  GTK_WIDGET_CLASS (klass)->measure = lm_image_canvas_measure;
  GTK_WIDGET_CLASS (klass)->query_tooltip = lm_image_canvas_query_tooltip;
  GTK_WIDGET_CLASS (klass)->css_changed = lm_image_canvas_css_changed;
}

static void
lm_image_canvas_init (LmImageCanvas *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->fit = TRUE;
  self->zoom = 1;
  self->contrast = 1;
  self->show_labels = TRUE;
  self->show_boxes = TRUE;
  self->hover_cell = -1;
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
}

GtkWidget *
lm_image_canvas_new (void)
{
  return g_object_new (LM_TYPE_IMAGE_CANVAS, NULL);
}

void
lm_image_canvas_set_pixels (LmImageCanvas *self, LmImagePixels *pixels, const char *error)
{
  lm_image_canvas_set_pixels_with_surface (self, pixels, NULL, error);
}

void
lm_image_canvas_set_pixels_with_surface (LmImageCanvas *self, LmImagePixels *pixels, cairo_surface_t *surface,
                                         const char *error)
{
  gboolean resized = pixels == NULL || self->pixels == NULL
                     || pixels->full_width != self->pixels->full_width
                     || pixels->full_height != self->pixels->full_height;

  g_return_if_fail (LM_IS_IMAGE_CANVAS (self));

  if (pixels != self->pixels)
    {
      g_clear_pointer (&self->pixels, lm_image_pixels_unref);
      g_clear_pointer (&self->surface, cairo_surface_destroy);
      if (pixels != NULL)
        {
          self->pixels = lm_image_pixels_ref (pixels);
          self->surface = surface != NULL ? cairo_surface_reference (surface) : lm_image_pixels_to_surface (pixels);
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
  g_return_val_if_fail (LM_IS_IMAGE_CANVAS (self), NULL);
  return self->pixels;
}

cairo_surface_t *
lm_image_canvas_get_surface (LmImageCanvas *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_CANVAS (self), NULL);
  return self->surface;
}

void
lm_image_canvas_set_fit (LmImageCanvas *self, gboolean fit)
{
  g_return_if_fail (LM_IS_IMAGE_CANVAS (self));
  self->fit = !!fit;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

gboolean
lm_image_canvas_get_fit (LmImageCanvas *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_CANVAS (self), TRUE);
  return self->fit;
}

void
lm_image_canvas_set_adjust (LmImageCanvas *self, double brightness, double contrast)
{
  g_return_if_fail (LM_IS_IMAGE_CANVAS (self));
  self->brightness = brightness;
  self->contrast = contrast;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lm_image_canvas_set_zoom (LmImageCanvas *self, int zoom)
{
  g_return_if_fail (LM_IS_IMAGE_CANVAS (self));
  zoom = CLAMP (zoom, 1, 64);
  if (zoom == self->zoom)
    return;
  self->zoom = zoom;
  if (!self->fit)
    gtk_widget_queue_resize (GTK_WIDGET (self));
}

int
lm_image_canvas_get_zoom (LmImageCanvas *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_CANVAS (self), 1);
  return self->zoom;
}

void
lm_image_canvas_set_grid (LmImageCanvas *self, LmImageGrid *grid)
{
  g_return_if_fail (LM_IS_IMAGE_CANVAS (self));
  if (grid == self->grid)
    return;
  g_clear_pointer (&self->grid, lm_image_grid_unref);
  self->grid = lm_image_grid_ref (grid);
  if (self->grid == NULL || self->hover_cell >= self->grid->n)
    self->hover_cell = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

LmImageGrid *
lm_image_canvas_get_grid (LmImageCanvas *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_CANVAS (self), NULL);
  return self->grid;
}

void
lm_image_canvas_set_show_labels (LmImageCanvas *self, gboolean show)
{
  g_return_if_fail (LM_IS_IMAGE_CANVAS (self));
  show = !!show;
  if (show == self->show_labels)
    return;
  self->show_labels = show;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
lm_image_canvas_get_show_labels (LmImageCanvas *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_CANVAS (self), FALSE);
  return self->show_labels;
}

void
lm_image_canvas_set_boxes (LmImageCanvas *self, LmImageBoxes *boxes)
{
  g_return_if_fail (LM_IS_IMAGE_CANVAS (self));
  if (boxes == self->boxes)
    return;
  g_clear_pointer (&self->boxes, lm_image_boxes_unref);
  g_clear_pointer (&self->boxes_node, gsk_render_node_unref);
  self->boxes = lm_image_boxes_ref (boxes);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

LmImageBoxes *
lm_image_canvas_get_boxes (LmImageCanvas *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_CANVAS (self), NULL);
  return self->boxes;
}

void
lm_image_canvas_set_show_boxes (LmImageCanvas *self, gboolean show)
{
  g_return_if_fail (LM_IS_IMAGE_CANVAS (self));
  show = !!show;
  if (show == self->show_boxes)
    return;
  self->show_boxes = show;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
lm_image_canvas_get_show_boxes (LmImageCanvas *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_CANVAS (self), FALSE);
  return self->show_boxes;
}

gboolean
lm_image_canvas_get_labels_drawn (LmImageCanvas *self)
{
  Geometry g;

  g_return_val_if_fail (LM_IS_IMAGE_CANVAS (self), FALSE);
  return geometry (self, &g) && labels_drawn (self, &g);
}

gboolean
lm_image_canvas_get_cell_rect (LmImageCanvas *self, int k, graphene_rect_t *rect)
{
  Geometry g;

  g_return_val_if_fail (LM_IS_IMAGE_CANVAS (self), FALSE);
  return geometry (self, &g) && cell_rect (self, k, &g, rect);
}

gboolean
lm_image_canvas_get_image_rect (LmImageCanvas *self, graphene_rect_t *rect)
{
  Geometry g;

  g_return_val_if_fail (LM_IS_IMAGE_CANVAS (self), FALSE);
  if (!geometry (self, &g))
    return FALSE;
  graphene_rect_init (rect, g.ox, g.oy, self->pixels->full_width * g.sx, self->pixels->full_height * g.sy);
  return TRUE;
}

char *
lm_image_canvas_describe_at (LmImageCanvas *self, double x, double y)
{
  Geometry g;
  const char *label;
  int k;

  g_return_val_if_fail (LM_IS_IMAGE_CANVAS (self), NULL);
  if (self->grid == NULL || !geometry (self, &g))
    return NULL;
  k = cell_at (self, &g, x, y);
  if (k < 0)
    return NULL;
  label = lm_image_grid_get_label (self->grid, k);
  return label != NULL ? g_strdup_printf ("image %d: %s", k, label) : g_strdup_printf ("image %d", k);
}

guint
lm_image_canvas_get_boxes_draws (LmImageCanvas *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_CANVAS (self), 0);
  return self->boxes_draws;
}
