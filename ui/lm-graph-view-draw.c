/* lm-graph-view-draw.c: the graph view's snapshot (see lm-graph-view.h).
 *
 * What it is for: drawing a laid-out graph fast enough to pan and zoom a
 * 2,000-node network within a 60 Hz frame with either GSK renderer
 * (bench/graph/bench-graph --frames prints the figures):
 *   - render nodes, not one big Cairo node: a window-sized Cairo node costs
 *     a rasterisation and an upload every frame (about 4 ms with the Cairo
 *     renderer on X11, 6.5 ms with GL on Mesa's llvmpipe) before anything
 *     is drawn; colour, border, texture and text nodes go to the target;
 *   - a uniform grid over the world: a frame visits the boxes and edges
 *     under the viewport, not the whole graph;
 *   - text layouts made once per distinct text (shared by the boxes and
 *     edges that show it), ahead of time in an idle callback, and drawn in
 *     batches under one transform whose glyph size is rounded to a twelfth
 *     of an octave (glyph caches are per size);
 *   - level of detail: no text once it would be under ~4 px tall, no
 *     edge labels below 55 %, plain rectangles instead of rounded boxes
 *     under 10 px, one dot per pixel for boxes under 2.5 px, edges as
 *     straight segments when short on screen and skipped under two
 *     pixels, no arrow heads under 3 px;
 *   - edges as chains of line segments: vertical ones are axis-aligned
 *     (GL batches them), slanted ones rotated; the curve is flattened to a
 *     few segments, as many as its sideways bend on screen needs. The Cairo renderer
 *     antialiases what it fills; for the others a segment is a "brush"
 *     texture (its cross-section with clear edges) that linear filtering
 *     smooths;
 *   - module boxes are opaque, square-cornered rectangles (their tint
 *     mixed beforehand, the boxes around them included): no blending over
 *     large areas, no rounded-corner masks or shaders over most of the
 *     window when zoomed in. A box holding the whole viewport is just the
 *     background's colour.
 * Colours of dimmed and highlighted items are mixed with the background
 * beforehand, so everything is opaque: overlapping segment ends and arrow
 * heads under boxes never show.
 *
 * What it is not for: the display graph itself, layout, input
 * (lm-graph-view.c).
 */
#include "lm-graph-view-private.h"
#include "lm-profile.h"
#include "lm-theme.h"

#include <math.h>
#include <string.h>

/* level-of-detail thresholds, in screen pixels or as a scale */
#define TEXT_MIN_PX 4.0       /* smallest text worth drawing */
#define TITLE_PX 12.0         /* Sans Bold 9 */
#define SMALL_PX 10.0         /* Sans 7.5 */
#define LABEL_MIN_SCALE 0.55  /* edge labels (shapes) clutter below this */
#define ROUNDED_MIN_PX 10.0   /* boxes smaller than this: plain rectangles */
#define DOT_MAX_PX 2.5        /* boxes smaller than this: one dot per pixel */
#define SEGMENT_PX 16.0       /* flattened curve: a segment per this much sideways */
#define ARROW_MIN_PX 3.0

static PangoFontDescription *
font_bold (void)
{
  static PangoFontDescription *f;

  if (f == NULL)
    f = pango_font_description_from_string ("Sans Bold 9");
  return f;
}

static PangoFontDescription *
font_small (void)
{
  static PangoFontDescription *f;

  if (f == NULL)
    f = pango_font_description_from_string ("Sans 7.5");
  return f;
}

/* c mixed over the background: what c at this alpha looks like there */
static GdkRGBA
over_bg (double r, double g, double b, double a)
{
  const GdkRGBA *bg = &lm_theme_colors ()->graph_bg;

  return (GdkRGBA) { r * a + bg->red * (1 - a), g * a + bg->green * (1 - a), b * a + bg->blue * (1 - a), 1 };
}

static GdkRGBA
over_bg_rgba (const GdkRGBA *c, double a)
{
  return over_bg (c->red, c->green, c->blue, a);
}

static gboolean prefetch_texts (gpointer data);

/* ---------------------------------------------------------------- grid */

static void
grid_clear (LmGraphGrid *g)
{
  g_clear_pointer (&g->start, g_free);
  g_clear_pointer (&g->items, g_free);
  g_clear_pointer (&g->mark, g_free);
  g->nx = g->ny = 0;
  g->n_marks = 0;
}

static void
cell_range (const LmGraphGrid *g, double x0, double y0, double x1, double y1, int *cx0, int *cy0,
            int *cx1, int *cy1)
{
  *cx0 = CLAMP ((int) floor ((x0 - g->x0) / g->cell), 0, g->nx - 1);
  *cx1 = CLAMP ((int) floor ((x1 - g->x0) / g->cell), 0, g->nx - 1);
  *cy0 = CLAMP ((int) floor ((y0 - g->y0) / g->cell), 0, g->ny - 1);
  *cy1 = CLAMP ((int) floor ((y1 - g->y0) / g->cell), 0, g->ny - 1);
}

/* ext: n rectangles, x0 y0 x1 y1 each */
static void
grid_build (LmGraphGrid *g, double world_w, double world_h, const double *ext, int n)
{
  int n_cells;

  grid_clear (g);
  /* cells of at least 256 units, at most ~16k of them */
  g->cell = MAX (256.0, sqrt (MAX (world_w, 1) * MAX (world_h, 1) / 16384.0));
  g->x0 = g->y0 = 0;
  g->nx = (int) MIN (ceil (MAX (world_w, 1) / g->cell), 4096);
  g->ny = (int) MIN (ceil (MAX (world_h, 1) / g->cell), 4096);
  n_cells = g->nx * g->ny;
  g->start = g_new0 (int, n_cells + 1);
  g->mark = g_new0 (guint, MAX (n, 1));
  g->n_marks = (guint) n;
  g->query = 0;
  for (int pass = 0; pass < 2; pass++)
    {
      g_autofree int *fill = pass ? g_memdup2 (g->start, sizeof (int) * (gsize) (n_cells + 1)) : NULL;

      for (int i = 0; i < n; i++)
        {
          int cx0, cy0, cx1, cy1;

          cell_range (g, ext[4 * i], ext[4 * i + 1], ext[4 * i + 2], ext[4 * i + 3], &cx0, &cy0, &cx1, &cy1);
          for (int cy = cy0; cy <= cy1; cy++)
            for (int cx = cx0; cx <= cx1; cx++)
              {
                if (pass == 0)
                  g->start[cy * g->nx + cx + 1]++;
                else
                  g->items[fill[cy * g->nx + cx]++] = i;
              }
        }
      if (pass == 0)
        {
          for (int c = 0; c < n_cells; c++)
            g->start[c + 1] += g->start[c];
          g->items = g_new (int, g->start[n_cells] + 1);
        }
    }
}

static int
cmp_int (gconstpointer a, gconstpointer b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return x < y ? -1 : x > y;
}

/* The items touching the world rectangle, each once, in index order (the
 * drawing order). */
static void
grid_query (LmGraphGrid *g, double x0, double y0, double x1, double y1, GArray *out)
{
  int cx0, cy0, cx1, cy1;

  g_array_set_size (out, 0);
  if (g->nx == 0 || x1 < g->x0 || y1 < g->y0)
    return;
  if (++g->query == 0)
    {
      memset (g->mark, 0, sizeof (guint) * MAX (g->n_marks, 1));
      g->query = 1;
    }
  cell_range (g, x0, y0, x1, y1, &cx0, &cy0, &cx1, &cy1);
  for (int cy = cy0; cy <= cy1; cy++)
    for (int cx = cx0; cx <= cx1; cx++)
      for (int k = g->start[cy * g->nx + cx]; k < g->start[cy * g->nx + cx + 1]; k++)
        {
          int i = g->items[k];

          if (g->mark[i] != g->query)
            {
              g->mark[i] = g->query;
              g_array_append_val (out, i);
            }
        }
  g_array_sort (out, cmp_int);
}

void
lm_graph_view_clear_index (LmGraphView *self)
{
  grid_clear (&self->box_grid);
  grid_clear (&self->link_grid);
}

/* After a layout: the links' widths and extents, and both grids. */
void
lm_graph_view_index (LmGraphView *self)
{
  guint nb = self->boxes->len, nl = self->links->len;
  g_autofree double *ext = g_new (double, 4 * (gsize) MAX (MAX (nb, nl), 1));

  for (guint i = 0; i < nb; i++)
    {
      LmGraphBox *b = &g_array_index (self->boxes, LmGraphBox, i);
      /* the first-anomaly badge and the breakpoint dot stick out */
      ext[4 * i] = b->x - b->w / 2 - 8;
      ext[4 * i + 1] = b->y - b->h / 2 - 12;
      ext[4 * i + 2] = b->x + b->w / 2 + 60;
      ext[4 * i + 3] = b->y + b->h / 2 + 8;
    }
  grid_build (&self->box_grid, self->world_w, self->world_h, ext, (int) nb);
  for (guint i = 0; i < nl; i++)
    {
      LmGraphLink *l = &g_array_index (self->links, LmGraphLink, i);
      double x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y1 = -G_MAXDOUBLE;

      l->lw = MIN (1 + 0.7 * log10 (MAX (l->numel, 1)), 6);
      for (int p = 0; p < l->n_pts; p++)
        {
          x0 = MIN (x0, l->pts[2 * p]);
          x1 = MAX (x1, l->pts[2 * p]);
          y0 = MIN (y0, l->pts[2 * p + 1]);
          y1 = MAX (y1, l->pts[2 * p + 1]);
        }
      if (l->n_pts < 2)
        x0 = y0 = x1 = y1 = -1e9;
      /* arrow head, line width, and the label right of the start */
      l->x0 = x0 - 8;
      l->y0 = y0 - 8;
      l->x1 = MAX (x1 + 8, l->n_pts ? l->pts[0] + 12 + 6.5 * (l->label ? strlen (l->label) : 0) : x1);
      l->y1 = y1 + 8;
      ext[4 * i] = l->x0;
      ext[4 * i + 1] = l->y0;
      ext[4 * i + 2] = l->x1;
      ext[4 * i + 3] = l->y1;
    }
  grid_build (&self->link_grid, self->world_w, self->world_h, ext, (int) nl);
  g_clear_handle_id (&self->prefetch_id, g_source_remove);
  self->prefetch_next = 0;
  self->prefetch_id = g_idle_add_full (G_PRIORITY_LOW, prefetch_texts, self, NULL);
}

/* ---------------------------------------------------------- primitives */

/* Relative luminance (Rec. 709 weights on the sRGB values, close enough
 * to pick light or dark text). */
static double
luminance (const GdkRGBA *c)
{
  return 0.2126 * c->red + 0.7152 * c->green + 0.0722 * c->blue;
}

static void
rounded_fill (GtkSnapshot *s, const graphene_rect_t *r, double radius, const GdkRGBA *c)
{
  GskRoundedRect rr;

  gsk_rounded_rect_init_from_rect (&rr, r, (float) radius);
  gtk_snapshot_push_rounded_clip (s, &rr);
  gtk_snapshot_append_color (s, c, r);
  gtk_snapshot_pop (s);
}

static void
rounded_border (GtkSnapshot *s, const graphene_rect_t *r, double radius, double width, const GdkRGBA *c)
{
  GskRoundedRect rr;
  float w = (float) width;

  gsk_rounded_rect_init_from_rect (&rr, r, (float) radius);
  gtk_snapshot_append_border (s, &rr, (float[4]) { w, w, w, w }, (GdkRGBA[4]) { *c, *c, *c, *c });
}

/* Text is drawn in batches, each under one extra scale that rounds the
 * glyphs' size down to a twelfth of an octave: a wheel zoom then reuses
 * rasterised glyphs (both renderers cache them per size) instead of
 * making every glyph again at every step, and a batch is one transform
 * for GL to draw in one go. The text is at most 6 % smaller than nominal,
 * never larger, so it still fits its box. */
typedef struct
{
  PangoLayout *pl;
  double x, y;     /* world */
  double dx, dy;   /* then this, in the text's own pixels (centring) */
  GdkRGBA c;
} TextReq;

static void
text_req (GArray *texts, PangoLayout *pl, double x, double y, double dx, double dy, const GdkRGBA *c)
{
  TextReq t = { pl, x, y, dx, dy, *c };

  g_array_append_val (texts, t);
}

static void
texts_flush (LmGraphView *self, GtkSnapshot *s, GArray *texts)
{
  double q = pow (2, floor (12 * log2 (self->scale) + 1e-9) / 12), k = q / self->scale;

  if (texts->len == 0)
    return;
  gtk_snapshot_save (s);
  gtk_snapshot_scale (s, (float) k, (float) k);
  for (guint i = 0; i < texts->len; i++)
    {
      TextReq *t = &g_array_index (texts, TextReq, i);

      gtk_snapshot_save (s);
      gtk_snapshot_translate (s, &GRAPHENE_POINT_INIT ((float) (t->x / k + t->dx), (float) (t->y / k + t->dy)));
      gtk_snapshot_append_layout (s, t->pl, &t->c);
      gtk_snapshot_restore (s);
    }
  gtk_snapshot_restore (s);
  g_array_set_size (texts, 0);
}

static void
text_at (GtkSnapshot *s, PangoLayout *pl, double x, double y, const GdkRGBA *c)
{

  gtk_snapshot_save (s);
  gtk_snapshot_translate (s, &GRAPHENE_POINT_INIT ((float) x, (float) y));
  gtk_snapshot_append_layout (s, pl, c);
  gtk_snapshot_restore (s);
}

static PangoLayout *
make_layout (LmGraphView *self, PangoFontDescription *font, const char *text, int *w, int *h)
{
  PangoLayout *pl = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);

  pango_layout_set_font_description (pl, font);
  if (w && h)
    pango_layout_get_pixel_size (pl, w, h);
  return pl;
}

/* A layout of text in the bold (title) or small font, made once for all
 * the boxes and edges that show the same text (ops, shapes repeat). */
static PangoLayout *
shared_layout (LmGraphView *self, gboolean bold, const char *text, int *w, int *h)
{
  g_autofree char *key = g_strconcat (bold ? "b" : "s", text, NULL);
  PangoLayout *pl;

  if (self->texts == NULL)
    self->texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  pl = g_hash_table_lookup (self->texts, key);
  if (pl == NULL)
    {
      pl = make_layout (self, bold ? font_bold () : font_small (), text, NULL, NULL);
      g_hash_table_insert (self->texts, g_steal_pointer (&key), pl);
    }
  if (w && h)
    pango_layout_get_pixel_size (pl, w, h);
  return pl;
}

void
lm_graph_view_clear_texts (LmGraphView *self)
{
  g_clear_handle_id (&self->prefetch_id, g_source_remove);
  for (guint i = 0; self->boxes && i < self->boxes->len; i++)
    {
      LmGraphBox *b = &g_array_index (self->boxes, LmGraphBox, i);
      b->title_pl = b->sub_pl = NULL;
    }
  for (guint i = 0; self->links && i < self->links->len; i++)
    g_array_index (self->links, LmGraphLink, i).label_pl = NULL;
  g_clear_pointer (&self->texts, g_hash_table_unref);
  for (int k = 0; k < LM_GRAPH_ARROW_STEPS; k++)
    for (int c = 0; c < 3; c++)
      g_clear_object (&self->arrows[k][c]);
  for (int c = 0; c < 3; c++)
    for (int k = 0; k < LM_GRAPH_BRUSH_PX; k++)
      for (int v = 0; v < 2; v++)
        g_clear_object (&self->brushes[c][k][v]);
}

/* How a renderer without antialiasing of its own (GL) gets smooth lines:
 * a brush, the line's cross-section as a texture (transparent, then
 * round(width) opaque pixels, then transparent), stretched along the
 * segment; linear filtering makes the edges. One per colour and width
 * in pixels, across (for slanted segments, rotated) or along (vertical
 * ones, which need no transform and so batch). */
static GdkTexture *
brush (LmGraphView *self, int colour, const GdkRGBA *rgb, int px, gboolean vertical)
{
  GdkTexture **t = &self->brushes[colour][px - 1][vertical];

  if (*t == NULL)
    {
      int n = px + 2;
      g_autofree guint32 *pix = g_new (guint32, n);
      guint32 argb = 0xff000000u | (guint32) (rgb->red * 255 + 0.5) << 16 | (guint32) (rgb->green * 255 + 0.5) << 8
                     | (guint32) (rgb->blue * 255 + 0.5);

      for (int i = 0; i < n; i++)
        pix[i] = i == 0 || i == n - 1 ? 0 : argb;
      GBytes *bytes = g_bytes_new (pix, sizeof (guint32) * n);
      /* GDK_MEMORY_DEFAULT is ARGB32 in native order, as written */
      *t = vertical ? gdk_memory_texture_new (n, 1, GDK_MEMORY_DEFAULT, bytes, sizeof (guint32) * n)
                    : gdk_memory_texture_new (1, n, GDK_MEMORY_DEFAULT, bytes, sizeof (guint32));
      g_bytes_unref (bytes);
    }
  return *t;
}

/* A line segment lw wide (world units) in colour ci; ends extended by
 * half the width so consecutive segments of a flattened curve join
 * without a notch. */
static void
segment (LmGraphView *self, GtkSnapshot *s, double x0, double y0, double x1, double y1, double lw, int ci,
         const GdkRGBA *c, gboolean brushed)
{
  double dx = x1 - x0, dy = y1 - y0, scale = self->scale;
  int px = CLAMP ((int) lround (lw * scale), 1, LM_GRAPH_BRUSH_PX);
  double bw = (px + 2) / scale; /* the brush's width, its clear edges included */

  if (fabs (dx) * scale < 0.35)
    {
      /* vertical on screen: a plain rectangle */
      graphene_rect_t r = GRAPHENE_RECT_INIT ((float) (x0 - lw / 2), (float) (MIN (y0, y1) - lw / 2), (float) lw,
                                              (float) (fabs (dy) + lw));
      if (brushed)
        {
          r.origin.x = (float) (x0 - bw / 2);
          r.size.width = (float) bw;
          gtk_snapshot_append_texture (s, brush (self, ci, c, px, TRUE), &r);
        }
      else
        gtk_snapshot_append_color (s, c, &r);
      return;
    }
  double len = hypot (dx, dy);
  gtk_snapshot_save (s);
  gtk_snapshot_translate (s, &GRAPHENE_POINT_INIT ((float) x0, (float) y0));
  gtk_snapshot_rotate (s, (float) (atan2 (dy, dx) * 180 / G_PI));
  if (brushed)
    gtk_snapshot_append_texture (s, brush (self, ci, c, px, FALSE),
                                 &GRAPHENE_RECT_INIT ((float) (-lw / 2), (float) (-bw / 2), (float) (len + lw), (float) bw));
  else
    gtk_snapshot_append_color (s, c, &GRAPHENE_RECT_INIT ((float) (-lw / 2), (float) (-lw / 2), (float) (len + lw),
                                                          (float) lw));
  gtk_snapshot_restore (s);
}

/* Arrow heads (8 x 7 units, tip at the bottom): an antialiased triangle
 * as a texture, which every renderer draws as an axis-aligned image. Made
 * per quarter octave of scale and colour, and drawn at most 9 % off their
 * size: a wheel zoom reuses them instead of uploading new ones each step. */
static GdkTexture *
arrow (LmGraphView *self, int colour, const GdkRGBA *rgb)
{
  int k = CLAMP ((int) lround (4 * log2 (self->scale)) + 12, 0, LM_GRAPH_ARROW_STEPS - 1);
  double s = pow (2, (k - 12) / 4.0);

  if (self->arrows[k][colour] == NULL)
    {
      int w = (int) ceil (10 * s), h = (int) ceil (9 * s);
      cairo_surface_t *surf = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
      cairo_t *cr = cairo_create (surf);

      /* the triangle in the middle of a 10 x 9 unit square */
      cairo_scale (cr, (double) w / 10, (double) h / 9);
      cairo_move_to (cr, 1, 1);
      cairo_line_to (cr, 9, 1);
      cairo_line_to (cr, 5, 8);
      cairo_close_path (cr);
      cairo_set_source_rgb (cr, rgb->red, rgb->green, rgb->blue);
      cairo_fill (cr);
      cairo_destroy (cr);
      cairo_surface_flush (surf);
      GBytes *bytes = g_bytes_new (cairo_image_surface_get_data (surf),
                                   (gsize) cairo_image_surface_get_stride (surf) * (gsize) h);
      self->arrows[k][colour] = gdk_memory_texture_new (w, h, GDK_MEMORY_DEFAULT, bytes,
                                                        (gsize) cairo_image_surface_get_stride (surf));
      g_bytes_unref (bytes);
      cairo_surface_destroy (surf);
    }
  return self->arrows[k][colour];
}

/* -------------------------------------------------------------- layers */


/* Whether f covers the whole viewport (its tint is then part of the
 * background: one full-window layer less to blend). */
static gboolean
covers (const LmGraphFrame *f, double vx0, double vy0, double vx1, double vy1)
{
  return f->x0 <= vx0 && f->y0 <= vy0 && f->x1 >= vx1 && f->y1 >= vy1;
}

/* c under one more module box's tint */
static GdkRGBA
tinted (GdkRGBA c)
{
  const GdkRGBA *tint = &lm_theme_colors ()->graph_frame;
  double a = tint->alpha;

  return (GdkRGBA) { tint->red * a + c.red * (1 - a), tint->green * a + c.green * (1 - a),
                     tint->blue * a + c.blue * (1 - a), 1 };
}

/* Inside a module box: the canvas under the tints of it and every box
 * around it, as one opaque colour (blending a translucent tint over most
 * of the window is what costs, with either renderer). */
static GdkRGBA
inside (LmGraphView *self, int frame)
{
  GdkRGBA c = lm_theme_colors ()->graph_bg;

  for (int f = frame; f >= 0; f = g_array_index (self->frames, LmGraphFrame, f).parent)
    c = tinted (c);
  return c;
}

/* The background: the canvas colour under the tints of the module boxes
 * that hold the whole viewport. */
static GdkRGBA
background (LmGraphView *self, double vx0, double vy0, double vx1, double vy1)
{
  GdkRGBA c = lm_theme_colors ()->graph_bg;

  for (guint i = 0; self->laid_out && i < self->frames->len; i++)
    if (covers (&g_array_index (self->frames, LmGraphFrame, i), vx0, vy0, vx1, vy1))
      c = tinted (c);
  return c;
}

/* Module boxes, in widget pixels and clipped to the widget here, outside
 * the view's transform: for GL, a plain rectangle with no transform is
 * the cheapest way to fill a large area. */
static void
draw_frames (LmGraphView *self, GtkSnapshot *s, double vx0, double vy0, double vx1, double vy1, int width,
             int height)
{
  double sc = self->scale, lw = MAX (1, sc);
  const GdkRGBA text = lm_theme_colors ()->graph_frame_text;
  const GdkRGBA *tint = &lm_theme_colors ()->graph_frame;
  gboolean heads = SMALL_PX * sc >= TEXT_MIN_PX;

  for (guint i = 0; i < self->frames->len; i++)
    {
      LmGraphFrame *f = &g_array_index (self->frames, LmGraphFrame, i);
      /* the box on screen, and what of it is in the widget */
      double fx0 = f->x0 * sc + self->tx, fy0 = f->y0 * sc + self->ty;
      double fx1 = f->x1 * sc + self->tx, fy1 = f->y1 * sc + self->ty;
      double x0 = MAX (fx0, 0), y0 = MAX (fy0, 0), x1 = MIN (fx1, width), y1 = MIN (fy1, height);

      if (x0 >= x1 || y0 >= y1 || f->x0 > f->x1 || covers (f, vx0, vy0, vx1, vy1))
        continue;
      GdkRGBA fill = inside (self, (int) i), out = inside (self, f->parent);
      GdkRGBA line = { tint->red * 0.45 + out.red * 0.55, tint->green * 0.45 + out.green * 0.55,
                       tint->blue * 0.45 + out.blue * 0.55, 1 };
      graphene_rect_t r = GRAPHENE_RECT_INIT ((float) x0, (float) y0, (float) (x1 - x0), (float) (y1 - y0));
      if (fx1 - fx0 < 2 * ROUNDED_MIN_PX || fy1 - fy0 < 2 * ROUNDED_MIN_PX)
        {
          /* too small for an outline: a stronger tint */
          fill = tinted (tinted (fill));
          gtk_snapshot_append_color (s, &fill, &r);
          continue;
        }
      gtk_snapshot_append_color (s, &fill, &r);
      /* the outline's sides that are in the widget */
      if (fy0 >= 0)
        gtk_snapshot_append_color (s, &line, &GRAPHENE_RECT_INIT ((float) x0, (float) fy0, (float) (x1 - x0), (float) lw));
      if (fy1 <= height)
        gtk_snapshot_append_color (s, &line, &GRAPHENE_RECT_INIT ((float) x0, (float) (fy1 - lw), (float) (x1 - x0),
                                                                  (float) lw));
      if (fx0 >= 0)
        gtk_snapshot_append_color (s, &line, &GRAPHENE_RECT_INIT ((float) fx0, (float) y0, (float) lw, (float) (y1 - y0)));
      if (fx1 <= width)
        gtk_snapshot_append_color (s, &line, &GRAPHENE_RECT_INIT ((float) (fx1 - lw), (float) y0, (float) lw,
                                                                  (float) (y1 - y0)));
      if (!heads || f->y0 < vy0)
        continue;
      if (f->head_pl == NULL)
        {
          g_autofree char *head = g_strdup_printf ("▾ %s", f->module);

          f->head_pl = make_layout (self, font_small (), head, NULL, NULL);
          pango_layout_set_width (f->head_pl, (int) (MAX (f->x1 - f->x0 - 12, 10) * PANGO_SCALE));
          pango_layout_set_ellipsize (f->head_pl, PANGO_ELLIPSIZE_START);
        }
      text_req (self->texts_later, f->head_pl, f->x0 + 6, f->y0 + 2, 0, 0, &text);
    }
}

static void
draw_links (LmGraphView *self, GtkSnapshot *s, double vx0, double vy0, double vx1, double vy1)
{
  double sc = self->scale, px = 1 / sc;
  gboolean dim_others = self->dep != NULL;
  gboolean arrows = 7 * sc >= ARROW_MIN_PX, labels = sc >= LABEL_MIN_SCALE;
  const LmThemeColors *tc = lm_theme_colors ();
  const GdkRGBA colours[3] = {
    over_bg_rgba (&tc->graph_edge, 0.65),     /* normal */
    over_bg_rgba (&tc->graph_edge_hi, 0.9),   /* on the selection's inputs */
    over_bg_rgba (&tc->graph_edge, 0.15),     /* dimmed */
  };
  const GdkRGBA label_colours[2] = { over_bg_rgba (&tc->graph_label, 0.9), over_bg_rgba (&tc->graph_label, 0.3) };

  /* the Cairo renderer antialiases what it fills; others get brushes */
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  GskRenderer *renderer = native ? gtk_native_get_renderer (native) : NULL;
  gboolean brushed = renderer != NULL && !GSK_IS_CAIRO_RENDERER (renderer);

  grid_query (&self->link_grid, vx0, vy0, vx1, vy1, self->visible);
  for (guint k = 0; k < self->visible->len; k++)
    {
      LmGraphLink *l = &g_array_index (self->links, LmGraphLink, g_array_index (self->visible, int, k));
      gboolean hi = dim_others && self->dep[l->a] && self->dep[l->b];
      int ci = hi ? 1 : dim_others ? 2 : 0;
      double lw = MAX (l->lw, px);

      if (l->n_pts < 2 || l->x1 < vx0 || l->x0 > vx1 || l->y1 < vy0 || l->y0 > vy1)
        continue;
      double rx0 = l->pts[0], rx1 = l->pts[0], ry0 = l->pts[1], ry1 = l->pts[1];
      for (int p = 1; p < l->n_pts; p++)
        {
          rx0 = MIN (rx0, l->pts[2 * p]);
          rx1 = MAX (rx1, l->pts[2 * p]);
          ry0 = MIN (ry0, l->pts[2 * p + 1]);
          ry1 = MAX (ry1, l->pts[2 * p + 1]);
        }
      if (MAX (rx1 - rx0, ry1 - ry0) * sc < 2)
        continue; /* a pixel or two: the boxes' dots say it all */
      for (int p = 0; p + 1 < l->n_pts; p++)
        {
          double x0 = l->pts[2 * p], y0 = l->pts[2 * p + 1];
          double x1 = l->pts[2 * p + 2], y1 = l->pts[2 * p + 3];
          /* the curve bends as far as its ends are apart sideways: that,
           * not its length, says how many segments look smooth */
          int n = CLAMP ((int) ceil (fabs (x1 - x0) * sc / SEGMENT_PX), 1, 6);
          double dy = (y1 - y0) / 2, qx = x0, qy = y0;

          if (y1 < vy0 - 8 || y0 > vy1 + 8)
            continue;
          /* the cubic with vertical tangents, flattened */
          for (int j = 1; j <= n; j++)
            {
              double t = (double) j / n, u = 1 - t;
              double bx = u * u * u * x0 + 3 * u * u * t * x0 + 3 * u * t * t * x1 + t * t * t * x1;
              double by = u * u * u * y0 + 3 * u * u * t * (y0 + dy) + 3 * u * t * t * (y1 - dy) + t * t * t * y1;

              segment (self, s, qx, qy, bx, by, lw, ci, &colours[ci], brushed);
              qx = bx;
              qy = by;
            }
        }
      if (arrows)
        {
          double x = l->pts[2 * l->n_pts - 2], y = l->pts[2 * l->n_pts - 1];

          gtk_snapshot_append_texture (s, arrow (self, ci, &colours[ci]), &GRAPHENE_RECT_INIT ((float) (x - 5),
                                                                                              (float) (y - 8), 10, 9));
        }
      if (labels && l->label)
        {
          if (l->label_pl == NULL)
            l->label_pl = shared_layout (self, FALSE, l->label, NULL, NULL);
          text_req (self->texts_now, l->label_pl, l->pts[0] + 5, l->pts[1] + 6, 0, 0,
                    &label_colours[dim_others && !hi]);
        }
    }
}

static void
ensure_box_text (LmGraphView *self, LmGraphBox *b)
{
  if (b->title_pl == NULL)
    b->title_pl = shared_layout (self, TRUE, b->title, &b->title_w, &b->title_h);
  if (b->subtitle && b->sub_pl == NULL)
    b->sub_pl = shared_layout (self, FALSE, b->subtitle, &b->sub_w, &b->sub_h);
}

/* Makes the text layouts of boxes and edge labels ahead of the frames
 * that show them (shaping a few hundred at once is what made the first
 * zoomed-in frame slow), a couple of milliseconds at a time when idle. */
static gboolean
prefetch_texts (gpointer data)
{
  LmGraphView *self = data;
  gint64 end = g_get_monotonic_time () + 2000;
  guint nb = self->boxes ? self->boxes->len : 0, nl = self->links ? self->links->len : 0;

  while (self->prefetch_next < nb + nl)
    {
      guint i = self->prefetch_next++;

      if (i < nb)
        ensure_box_text (self, &g_array_index (self->boxes, LmGraphBox, i));
      else
        {
          LmGraphLink *l = &g_array_index (self->links, LmGraphLink, i - nb);
          if (l->label && l->label_pl == NULL)
            l->label_pl = shared_layout (self, FALSE, l->label, NULL, NULL);
        }
      if ((i & 15) == 15 && g_get_monotonic_time () > end)
        return G_SOURCE_CONTINUE;
    }
  self->prefetch_id = 0;
  return G_SOURCE_REMOVE;
}

/* One dot per screen pixel for boxes too small to tell apart: FALSE when
 * this pixel already has one. */
static gboolean
claim_dot (LmGraphView *self, double sx, double sy, int width, int height)
{
  int x = (int) floor (sx), y = (int) floor (sy);
  gsize bit;

  if (x < 0 || y < 0 || x >= width || y >= height)
    return TRUE;
  bit = (gsize) y * (gsize) width + (gsize) x;
  if (self->dots[bit / 8] & (1u << (bit % 8)))
    return FALSE;
  self->dots[bit / 8] |= (guint8) (1u << (bit % 8));
  return TRUE;
}

static void
draw_badge (LmGraphView *self, GtkSnapshot *s, double x, double y)
{
  int tw, th;
  GdkRGBA red = { 0.85, 0.05, 0.05, 1 }, white = { 1, 1, 1, 1 };

  if (self->badge_pl == NULL)
    self->badge_pl = make_layout (self, font_small (), "first NaN/Inf", NULL, NULL);
  pango_layout_get_pixel_size (self->badge_pl, &tw, &th);
  rounded_fill (s, &GRAPHENE_RECT_INIT ((float) (x - tw / 2.0 - 4), (float) (y - th / 2.0 - 2), tw + 8.f, th + 4.f),
                4, &red);
  text_at (s, self->badge_pl, x - tw / 2.0, y - th / 2.0, &white);
}

static void
draw_boxes (LmGraphView *self, GtkSnapshot *s, double vx0, double vy0, double vx1, double vy1, int width,
            int height)
{
  const LmThemeColors *tc = lm_theme_colors ();
  double sc = self->scale, px = 1 / sc;
  gboolean dim_others = self->dep != NULL, dots_clear = FALSE;
  gboolean titles = TITLE_PX * sc >= TEXT_MIN_PX, subtitles = SMALL_PX * sc >= TEXT_MIN_PX;
  gsize need = ((gsize) MAX (width, 1) * (gsize) MAX (height, 1) + 7) / 8;

  if (self->n_dots < need)
    {
      g_free (self->dots);
      self->dots = g_malloc (need);
      self->n_dots = need;
    }
  grid_query (&self->box_grid, vx0, vy0, vx1, vy1, self->visible);
  for (guint k = 0; k < self->visible->len; k++)
    {
      int i = g_array_index (self->visible, int, k);
      LmGraphBox *b = &g_array_index (self->boxes, LmGraphBox, i);
      double rgb[3], x = b->x - b->w / 2, y = b->y - b->h / 2;
      gboolean dim = dim_others && !self->dep[i];
      gboolean breaks = lm_graph_view_box_breaks (self, i);
      gboolean special = i == self->selected || b->anomaly || (self->match && self->match[i]) || breaks;
      graphene_rect_t r = GRAPHENE_RECT_INIT ((float) x, (float) y, (float) b->w, (float) b->h);
      GdkRGBA fill, line;
      double lw, tint;

      if (b->x + b->w / 2 < vx0 || x > vx1 || b->y + b->h / 2 < vy0 || y > vy1)
        continue;
      /* a kind's colour as it is on the light canvas, a darker tint of
       * it on the dark one (where the titles are light); the compute-time
       * scale is the theme's own, untinted (tinted, the dark canvas washed
       * it out) */
      if (self->color == LM_GRAPH_COLOR_COMPUTE_TIME)
        lm_graph_view_time_colour (self, lm_graph_view_box_time (self, i), rgb);
      else
        lm_graph_view_kind_colour (b->kind, rgb);
      tint = self->color == LM_GRAPH_COLOR_COMPUTE_TIME ? 1 : tc->graph_node_tint;
      fill = over_bg (rgb[0], rgb[1], rgb[2], (dim ? 0.35 : 1) * tint);
      if (!special && b->h * sc < ROUNDED_MIN_PX)
        {
          if (b->h * sc < DOT_MAX_PX && b->w * sc < 4 * DOT_MAX_PX)
            {
              if (!dots_clear)
                {
                  memset (self->dots, 0, need);
                  dots_clear = TRUE;
                }
              if (!claim_dot (self, b->x * sc + self->tx, b->y * sc + self->ty, width, height))
                continue;
            }
          /* no room for corners or a border: a plain rectangle, in a
           * slightly darker shade so neighbours stay apart */
          fill = over_bg (rgb[0] * 0.85, rgb[1] * 0.85, rgb[2] * 0.85, (dim ? 0.35 : 1) * tint);
          gtk_snapshot_append_color (s, &fill, &GRAPHENE_RECT_INIT ((float) x, (float) y, (float) MAX (b->w, px),
                                                                    (float) MAX (b->h, px)));
          continue;
        }
      double radius = b->kind == KIND_PARAM || b->kind == KIND_INPUT ? 3 : 7;
      rounded_fill (s, &r, radius, &fill);
      if (i == self->selected)
        line = tc->graph_selected, lw = 3;
      else if (b->first_anomaly)
        line = (GdkRGBA) { 0.85, 0.05, 0.05, 1 }, lw = 4;
      else if (b->anomaly)
        line = over_bg (0.85, 0.1, 0.1, 0.55), lw = 1.5;
      else if (self->match && self->match[i])
        line = (GdkRGBA) { 0.95, 0.6, 0.0, 1 }, lw = 3;
      else
        line = over_bg_rgba (&tc->graph_label, dim ? 0.3 : 0.8), lw = b->kind == KIND_GROUP ? 1.6 : 1;
      /* a border is drawn inside the box: grow it by half the width so it
       * straddles the outline as a Cairo stroke would */
      graphene_rect_t outer = GRAPHENE_RECT_INIT ((float) (x - lw / 2), (float) (y - lw / 2), (float) (b->w + lw),
                                                  (float) (b->h + lw));
      rounded_border (s, &outer, radius + lw / 2, MAX (lw, px), &line);
      if (breaks)
        {
          /* the breakpoint marker: a red dot on the box's top-left corner */
          GskRoundedRect dot;
          gsk_rounded_rect_init_from_rect (&dot, &GRAPHENE_RECT_INIT ((float) (x - 3), (float) (y - 3), 10, 10), 5);
          gtk_snapshot_push_rounded_clip (s, &dot);
          gtk_snapshot_append_color (s, &(GdkRGBA) { LM_GRAPH_VIEW_BREAKPOINT_RGB, 1 }, &dot.bounds);
          gtk_snapshot_pop (s);
        }
      if (b->first_anomaly)
        draw_badge (self, s, x + b->w, y);
      if (!titles)
        continue;
      ensure_box_text (self, b);
      GdkRGBA t1 = tc->graph_node_text, t2 = tc->graph_node_subtext;
      if (dim)
        t1 = tc->graph_node_text_dim, t2 = tc->graph_node_subtext_dim;
      else if (luminance (&fill) < 0.3 && luminance (&t1) < 0.5)
        {
          /* dark text on a dark fill (the slowest ops' red by compute
           * time on the light canvas): light text, as on the dark canvas */
          t1 = (GdkRGBA) { 1, 1, 1, 1 };
          t2 = (GdkRGBA) { 0.93, 0.93, 0.93, 1 };
        }
      else if (luminance (&fill) > 0.42 && luminance (&t1) > 0.5)
        {
          /* light text on a bright fill (the slowest ops' red by compute
           * time on the dark canvas): dark text, as on the light canvas */
          t1 = (GdkRGBA) { 0.1, 0.1, 0.1, 1 };
          t2 = (GdkRGBA) { 0.25, 0.25, 0.25, 1 };
        }
      text_req (self->texts_later, b->title_pl, b->x, y + LM_GRAPH_PAD_Y, -b->title_w / 2.0, 0, &t1);
      if (b->sub_pl && subtitles)
        text_req (self->texts_later, b->sub_pl, b->x, y + LM_GRAPH_PAD_Y, -b->sub_w / 2.0, b->title_h, &t2);
    }
}

/* The compute-time scale, bottom left: a bar from 0 to the slowest box's
 * time, or why there is none. */
static void
draw_time_legend (LmGraphView *self, GtkSnapshot *s, int height)
{
  const LmThemeColors *tc = lm_theme_colors ();
  const float bw = 180, bh = 10, x = 12, y = (float) height - 30;
  char top[32];
  int tw, th;

  if (self->node_ns == NULL)
    {
      g_autoptr (PangoLayout) pl = make_layout (self, font_bold (),
                                                "No op times in this trace: lumen-train --profile-steps records them",
                                                &tw, &th);
      rounded_fill (s, &GRAPHENE_RECT_INIT (x - 6, y - 6, (float) tw + 12, (float) th + 8), 4, &tc->tooltip_bg);
      text_at (s, pl, x, y - 3, &tc->plot_index);
      return;
    }
  lm_graph_view_update_time_scale (self);
  lm_profile_time_text ((double) self->max_ns, top, sizeof top);
  g_autofree char *title = g_strdup_printf ("Compute time, forward + backward (step %" G_GINT64_FORMAT ")",
                                            self->trace ? self->trace->step : 0);
  g_autoptr (PangoLayout) tl = make_layout (self, font_bold (), title, &tw, &th);
  g_autoptr (PangoLayout) zl = make_layout (self, font_bold (), "0", NULL, NULL);
  int mw, mh;
  g_autoptr (PangoLayout) ml = make_layout (self, font_bold (), top, &mw, &mh);
  float boxw = MAX (bw + 20 + (float) mw, (float) tw) + 12;
  rounded_fill (s, &GRAPHENE_RECT_INIT (x - 6, y - (float) th - 8, boxw, (float) th + bh + 16), 4, &tc->tooltip_bg);
  text_at (s, tl, x, y - (float) th - 4, &tc->graph_label);
  GskColorStop stops[2];
  double lo[3], hi[3];
  lm_graph_view_time_colour (self, 0, lo);
  lm_graph_view_time_colour (self, self->max_ns, hi);
  /* the boxes' fills at both ends, and between as they are */
  stops[0] = (GskColorStop) { 0, { (float) lo[0], (float) lo[1], (float) lo[2], 1 } };
  stops[1] = (GskColorStop) { 1, { (float) hi[0], (float) hi[1], (float) hi[2], 1 } };
  gtk_snapshot_append_linear_gradient (s, &GRAPHENE_RECT_INIT (x + 12, y, bw, bh), &GRAPHENE_POINT_INIT (x + 12, y),
                                       &GRAPHENE_POINT_INIT (x + 12 + bw, y), stops, 2);
  text_at (s, zl, x, y - 3, &tc->graph_label);
  text_at (s, ml, x + 16 + bw, y - 3, &tc->graph_label);
}

void
lm_graph_view_draw (LmGraphView *self, GtkSnapshot *s, int width, int height)
{
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, width, height);
  double vx0 = -self->tx / self->scale, vy0 = -self->ty / self->scale;
  double vx1 = vx0 + width / self->scale, vy1 = vy0 + height / self->scale;
  GdkRGBA bg = background (self, vx0, vy0, vx1, vy1);

  gtk_snapshot_append_color (s, &bg, &bounds);
  if (!self->laid_out)
    {
      int tw, th;
      g_autoptr (PangoLayout) pl = make_layout (self, font_bold (), self->graph ? "Laying out the graph…" : "No graph",
                                                &tw, &th);
      text_at (s, pl, (width - tw) / 2.0, height / 2.0 - 8, &lm_theme_colors ()->plot_index);
      return;
    }
  if (self->visible == NULL)
    {
      self->visible = g_array_new (FALSE, FALSE, sizeof (int));
      self->texts_now = g_array_new (FALSE, FALSE, sizeof (TextReq));
      self->texts_later = g_array_new (FALSE, FALSE, sizeof (TextReq));
    }
  gtk_snapshot_push_clip (s, &bounds);
  draw_frames (self, s, vx0, vy0, vx1, vy1, width, height);
  gtk_snapshot_save (s);
  gtk_snapshot_translate (s, &GRAPHENE_POINT_INIT ((float) self->tx, (float) self->ty));
  gtk_snapshot_scale (s, (float) self->scale, (float) self->scale);
  draw_links (self, s, vx0, vy0, vx1, vy1);
  texts_flush (self, s, self->texts_now);     /* edge labels, under the boxes */
  draw_boxes (self, s, vx0, vy0, vx1, vy1, width, height);
  texts_flush (self, s, self->texts_later);   /* boxes' and frames' titles */
  gtk_snapshot_restore (s);
  if (self->color == LM_GRAPH_COLOR_COMPUTE_TIME)
    draw_time_legend (self, s, height);
  gtk_snapshot_pop (s);
}
