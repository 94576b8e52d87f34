/* lm-projector-view.c: the projector's scatter (see lm-projector-view.h).
 *
 * Points are normalised once (the cloud's largest PCA score maps to 1;
 * a t-SNE or UMAP layout, each time it changes, each axis's extent onto
 * [-1, 1] as TensorBoard's projector does), then each frame rotates and projects them orthographically.  Dots are
 * drawn one path per label colour (a 10,000-point cloud is then a dozen
 * fills, not 10,000), far points before near ones within a colour.
 * Thumbnails come from one Cairo surface of the sprite, each painted
 * through a clip; only the hover box draws a thumbnail large.
 *
 * The inspector's selection (a point and its neighbours, or a search's
 * matches) is drawn as TensorBoard does: the rest dimmed to faint dots,
 * the selected points larger (thumbnails too), the chosen point last,
 * ringed and labelled.  Without a selection the search does the same.
 *
 * Colour by a metadata column follows TensorBoard's projector: a column
 * of at most LM_PROJECTOR_MAX_CATEGORIES distinct values gets a colour a
 * value with the legend; beyond that a column whose every value is a
 * number gets TensorBoard's gradient (#ffffdd at its minimum to #1f2d86
 * at its maximum, linear in RGB) with the range in the legend, and a
 * column of more distinct strings no colour, the legend saying why.  An
 * empty value is a missing one, as TensorBoard reads metadata.tsv: it is
 * not counted among the distinct values nor makes a column of numbers
 * strings; the gradient draws it in the theme's muted colour, the legend
 * of categories names it "(no value)".  Unlike TensorBoard, "nan" (a NaN
 * as Python writes it) does not make a column of numbers strings either:
 * the gradient draws it as a gap.
 *
 * A point with a NaN or infinite coordinate (a NaN row of an imported
 * tensor, scores past float's range) is left out of the framing and not
 * drawn or picked; the others are drawn as usual (n_hidden counts it).
 */
#include "lm-projector-view.h"

#include <math.h>
#include <string.h>

#include "lm-natural.h"
#include "lm-palette.h"
#include "lm-theme.h"

#define DOT_RADIUS 3.0
#define THUMB_SIZE 22.0
/* a selected point's thumbnail, and the chosen one's */
#define THUMB_SELECTED 30.0
#define THUMB_CHOSEN 40.0

enum { POINT_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

struct _LmProjectorView
{
  GtkWidget parent_instance;

  LmEmbedding *e;
  float *pos;             /* n x 3, normalised to [-1, 1] */
  int color_col;          /* the Color by column, -1 none */
  guint label_col, search_col;
  LmProjectorColoring coloring;
  int *cls;               /* n category indices (categories), or NULL */
  GPtrArray *classes;     /* distinct values (borrowed from e), legend order */
  float *shade;           /* n positions in [0, 1] on the gradient, or NULL */
  double shade_min, shade_max;
  guint n_distinct;       /* the coloured column's distinct values */
  guint *class_counts;
  guint8 *match;          /* n flags, NULL without a search */
  guint n_matches;
  guint8 *sel;            /* n flags: the selection, NULL without one */
  int chosen;             /* the selected point (-1: none, or a search's) */
  gsize n_sel;
  gsize n_hidden;         /* points not drawn: a NaN or infinite coordinate */
  cairo_surface_t *sprite;
  double yaw, pitch, zoom, pan_x, pan_y;
  double drag_yaw, drag_pitch, drag_pan_x, drag_pan_y;
  gboolean flat, thumbs;
  int hover;
  /* scratch for draw: projected x, y, depth and a depth order */
  float *proj;
  guint *order;
};

G_DEFINE_FINAL_TYPE (LmProjectorView, lm_projector_view, GTK_TYPE_WIDGET)

static void
clear_colors (LmProjectorView *self)
{
  g_clear_pointer (&self->cls, g_free);
  g_clear_pointer (&self->classes, g_ptr_array_unref);
  g_clear_pointer (&self->class_counts, g_free);
  g_clear_pointer (&self->shade, g_free);
  self->coloring = LM_PROJECTOR_COLOR_NONE;
  self->n_distinct = 0;
}

static void
clear_data (LmProjectorView *self)
{
  g_clear_pointer (&self->e, lm_embedding_free);
  g_clear_pointer (&self->pos, g_free);
  clear_colors (self);
  g_clear_pointer (&self->match, g_free);
  g_clear_pointer (&self->sel, g_free);
  self->chosen = -1;
  self->n_sel = 0;
  g_clear_pointer (&self->sprite, cairo_surface_destroy);
  g_clear_pointer (&self->proj, g_free);
  g_clear_pointer (&self->order, g_free);
  self->n_matches = 0;
  self->n_hidden = 0;
  self->hover = -1;
}

static void
lm_projector_view_finalize (GObject *object)
{
  clear_data (LM_PROJECTOR_VIEW (object));
  G_OBJECT_CLASS (lm_projector_view_parent_class)->finalize (object);
}

static void
rotate (const LmProjectorView *self, const float *p, double *x, double *y, double *z)
{
  if (self->flat)
    {
      *x = p[0];
      *y = p[1];
      *z = 0;
      return;
    }
  double cy = cos (self->yaw), sy = sin (self->yaw), cp = cos (self->pitch), sp = sin (self->pitch);
  double x1 = p[0] * cy + p[2] * sy, z1 = -p[0] * sy + p[2] * cy;

  *x = x1;
  *y = p[1] * cp - z1 * sp;
  *z = p[1] * sp + z1 * cp;
}

/* A rotated point's (rx, ry) on a width x height screen: zoomed and panned. */
static void
to_screen (LmProjectorView *self, double rx, double ry, int width, int height, double *x, double *y)
{
  double s = 0.42 * MIN (width, height) * self->zoom;

  *x = width / 2.0 + self->pan_x + rx * s;
  *y = height / 2.0 + self->pan_y - ry * s;
}

void
lm_projector_view_project (LmProjectorView *self, guint i, int width, int height, double *x, double *y)
{
  double rx, ry, rz;

  g_return_if_fail (self->e != NULL && i < self->e->n);
  rotate (self, self->pos + (gsize) i * 3, &rx, &ry, &rz);
  to_screen (self, rx, ry, width, height, x, y);
}

int
lm_projector_view_pick (LmProjectorView *self, double x, double y, int width, int height, double radius)
{
  int best = -1;
  double best_d2 = radius * radius;

  for (guint i = 0; self->e != NULL && i < self->e->n; i++)
    {
      double px, py;

      lm_projector_view_project (self, i, width, height, &px, &py);
      double d2 = (px - x) * (px - x) + (py - y) * (py - y);
      if (d2 <= best_d2) /* never for a point not drawn: NaN */
        {
          best_d2 = d2;
          best = (int) i;
        }
    }
  return best;
}

static void
class_color (guint c, GdkRGBA *color)
{
  lm_palette_color (c, color);
}

/* TensorBoard's gradient for numeric columns: #ffffdd to #1f2d86. */
static void
gradient_color (double t, GdkRGBA *color)
{
  t = CLAMP (t, 0, 1);
  color->red = (0xff + t * (0x1f - 0xff)) / 255.0;
  color->green = (0xff + t * (0x2d - 0xff)) / 255.0;
  color->blue = (0xdd + t * (0x86 - 0xdd)) / 255.0;
  color->alpha = 1;
}

/* Point i's colour by the Color by column; FALSE (and the accent) when
 * the points are not coloured. */
static gboolean
point_color (LmProjectorView *self, guint i, GdkRGBA *color)
{
  gboolean in = self->e != NULL && i < self->e->n;

  if (in && self->cls != NULL)
    class_color ((guint) self->cls[i], color);
  else if (in && self->shade != NULL && isnan (self->shade[i]))
    *color = lm_theme_colors ()->muted; /* no value */
  else if (in && self->shade != NULL)
    gradient_color (self->shade[i], color);
  else
    {
      *color = lm_theme_colors ()->accent;
      return FALSE;
    }
  return TRUE;
}

/* Point i's value in column c (its label for c 0). */
static const char *
cell (const LmEmbedding *e, guint c, guint i)
{
  return e->columns != NULL && c < e->n_columns ? e->columns[c][i] : NULL;
}

/* Paints thumbnail i centred at (x, y), `size` pixels high. */
static void
paint_thumbnail (LmProjectorView *self, cairo_t *cr, guint i, double x, double y, double size)
{
  const LmEmbedding *e = self->e;
  double scale = size / e->thumb_height, w = e->thumb_width * scale;
  int col = (int) (i % (guint) e->sprite_cols), row = (int) (i / (guint) e->sprite_cols);

  cairo_save (cr);
  cairo_rectangle (cr, x - w / 2, y - size / 2, w, size);
  cairo_clip (cr);
  cairo_translate (cr, x - w / 2, y - size / 2);
  cairo_scale (cr, scale, scale);
  cairo_set_source_surface (cr, self->sprite, -col * e->thumb_width, -row * e->thumb_height);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_FAST);
  cairo_paint (cr);
  cairo_restore (cr);
}

/* Draws a disc straight into a premultiplied ARGB32 buffer, "over" what
 * is there, its edge antialiased: thousands of dots cost a few ms this
 * way, where a Cairo path of arcs cost ~80 ms for 10,000. */
static void
splat_disc (guint8 *buf, int stride, int width, int height, double cx, double cy, double r,
            const GdkRGBA *c, double alpha)
{
  int x0 = MAX (0, (int) floor (cx - r - 1)), x1 = MIN (width - 1, (int) ceil (cx + r + 1));
  int y0 = MAX (0, (int) floor (cy - r - 1)), y1 = MIN (height - 1, (int) ceil (cy + r + 1));

  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++)
      {
        double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
        double cover = CLAMP (r + 0.5 - sqrt (dx * dx + dy * dy), 0, 1) * alpha;

        if (cover <= 0)
          continue;
        guint32 *p = (guint32 *) (buf + (gsize) y * stride) + x;
        guint32 v = *p;
        double keep = 1 - cover;
        guint32 a = (guint32) (cover * 255 + keep * (v >> 24) + 0.5);
        guint32 rr = (guint32) (cover * c->red * 255 + keep * ((v >> 16) & 0xff) + 0.5);
        guint32 gg = (guint32) (cover * c->green * 255 + keep * ((v >> 8) & 0xff) + 0.5);
        guint32 bb = (guint32) (cover * c->blue * 255 + keep * (v & 0xff) + 0.5);

        *p = a << 24 | rr << 16 | gg << 8 | bb;
      }
}

/* Copies thumbnail i, scaled (nearest pixel) to `size` pixels high and
 * centred at (cx, cy), into the buffer, framed in `frame` when given. */
static void
splat_thumbnail (LmProjectorView *self, guint8 *buf, int stride, int width, int height, guint i, double cx,
                 double cy, double size, const GdkRGBA *frame)
{
  const LmEmbedding *e = self->e;
  const guint8 *src = g_bytes_get_data (e->sprite->rgba, NULL);
  int th = (int) size, tw = MAX (1, (int) (size * e->thumb_width / e->thumb_height));
  int left = (int) floor (cx - tw / 2.0), top = (int) floor (cy - th / 2.0);
  int sx0 = (int) (i % (guint) e->sprite_cols) * e->thumb_width;
  int sy0 = (int) (i / (guint) e->sprite_cols) * e->thumb_height;
  guint32 fc = 0;

  if (frame)
    fc = 0xff000000u | (guint32) (frame->red * 255) << 16 | (guint32) (frame->green * 255) << 8
         | (guint32) (frame->blue * 255);
  int xs[256];
  int xa = MAX (0, left), xb = MIN (width, left + MIN (tw, 256));

  for (int x = xa; x < xb; x++)
    xs[x - left] = (sx0 + (x - left) * e->thumb_width / tw) * 4;
  for (int y = MAX (0, top); y < MIN (height, top + th); y++)
    {
      const guint8 *row = src + (gsize) (sy0 + (y - top) * e->thumb_height / th) * e->sprite->stride;
      guint32 *dst = (guint32 *) (buf + (gsize) y * stride);
      gboolean edge_row = frame && (y == top || y == top + th - 1);

      for (int x = xa; x < xb; x++)
        {
          const guint8 *p = row + xs[x - left];
          guint32 a = p[3];

          if (edge_row || (frame && (x == left || x == left + tw - 1)))
            dst[x] = fc;
          else if (a == 255) /* the usual case: a thumbnail without transparency */
            dst[x] = 0xff000000u | (guint32) p[0] << 16 | (guint32) p[1] << 8 | p[2];
          else
            dst[x] = a << 24 | (p[0] * a / 255) << 16 | (p[1] * a / 255) << 8 | (p[2] * a / 255);
        }
    }
}

/* Whether point i has a place on screen (its projection is finite). */
static gboolean
drawable (const LmProjectorView *self, guint i)
{
  return isfinite (self->proj[i * 3]) && isfinite (self->proj[i * 3 + 1]);
}

static int
by_depth (gconstpointer a, gconstpointer b, gpointer data)
{
  const float *proj = data;
  float za = proj[*(const guint *) a * 3 + 2], zb = proj[*(const guint *) b * 3 + 2];

  return za < zb ? 1 : za > zb ? -1 : 0;
}

/* The legend of a gradient: the column's name, a bar from its minimum
 * to its maximum, the two values at its ends. */
static void
draw_gradient_legend (LmProjectorView *self, cairo_t *cr, const LmThemeColors *tc)
{
  double x = 12, y = 12, bar = 160;
  char lo[32], hi[32];
  const char *name = self->e->column_names[self->color_col];
  cairo_pattern_t *pat = cairo_pattern_create_linear (x, 0, x + bar, 0);
  cairo_text_extents_t ext;
  GdkRGBA c;

  g_snprintf (lo, sizeof lo, "%g", self->shade_min);
  g_snprintf (hi, sizeof hi, "%g", self->shade_max);
  cairo_set_font_size (cr, 12);
  cairo_text_extents (cr, name, &ext);
  cairo_set_source_rgba (cr, tc->paper.red, tc->paper.green, tc->paper.blue, 0.85);
  cairo_rectangle (cr, x - 6, y - 6, MAX (bar, ext.x_advance) + 12, 58);
  cairo_fill (cr);
  gdk_cairo_set_source_rgba (cr, &tc->text);
  cairo_move_to (cr, x, y + 10);
  cairo_show_text (cr, name);
  for (int k = 0; k <= 1; k++)
    {
      gradient_color (k, &c);
      cairo_pattern_add_color_stop_rgb (pat, k, c.red, c.green, c.blue);
    }
  cairo_set_source (cr, pat);
  cairo_rectangle (cr, x, y + 16, bar, 12);
  cairo_fill (cr);
  cairo_pattern_destroy (pat);
  gdk_cairo_set_source_rgba (cr, &tc->text);
  cairo_move_to (cr, x, y + 42);
  cairo_show_text (cr, lo);
  cairo_text_extents (cr, hi, &ext);
  cairo_move_to (cr, x + bar - ext.x_advance, y + 42);
  cairo_show_text (cr, hi);
}

/* The most characters of a value the legend, the hover box and the
 * chosen point's label show: a longer one is cut short. */
#define LABEL_MAX_CHARS 40

/* s, or its first LABEL_MAX_CHARS - 1 characters and "…" (newly
 * allocated). */
static char *
cut_short (const char *s)
{
  if (g_utf8_strlen (s, -1) <= LABEL_MAX_CHARS)
    return g_strdup (s);
  g_autofree char *cut = g_utf8_substring (s, 0, LABEL_MAX_CHARS - 1);
  return g_strconcat (cut, "…", NULL);
}

/* Category c's legend entry, "cat (1000)": a missing (empty) value says
 * so, a long one is cut short (newly allocated). */
static char *
legend_entry (LmProjectorView *self, guint c)
{
  const char *v = g_ptr_array_index (self->classes, c);
  g_autofree char *shown = cut_short (*v != '\0' ? v : "(no value)");

  return g_strdup_printf ("%s (%u)", shown, self->class_counts[c]);
}

static void
draw_legend (LmProjectorView *self, cairo_t *cr, const LmThemeColors *tc)
{
  guint n = self->classes ? self->classes->len : 0, shown = MIN (n, 20u);
  double x = 12, y = 12, row = 17, w = 0;
  cairo_text_extents_t ext;

  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 12);
  if (self->coloring == LM_PROJECTOR_COLOR_GRADIENT)
    {
      draw_gradient_legend (self, cr, tc);
      return;
    }
  if (self->coloring == LM_PROJECTOR_COLOR_TOO_MANY)
    {
      g_autofree char *note = lm_projector_view_get_color_note (self);

      cairo_text_extents (cr, note, &ext);
      cairo_set_source_rgba (cr, tc->paper.red, tc->paper.green, tc->paper.blue, 0.85);
      cairo_rectangle (cr, x - 6, y - 6, ext.x_advance + 12, row + 8);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, &tc->muted);
      cairo_move_to (cr, x, y + 11);
      cairo_show_text (cr, note);
      return;
    }
  if (n == 0)
    return;
  for (guint c = 0; c < shown; c++)
    {
      g_autofree char *s = legend_entry (self, c);
      cairo_text_extents (cr, s, &ext);
      w = MAX (w, ext.x_advance);
    }
  cairo_set_source_rgba (cr, tc->paper.red, tc->paper.green, tc->paper.blue, 0.85);
  cairo_rectangle (cr, x - 6, y - 6, w + 36, row * (shown + (n > shown)) + 10);
  cairo_fill (cr);
  for (guint c = 0; c < shown; c++)
    {
      GdkRGBA color;
      g_autofree char *s = legend_entry (self, c);

      class_color (c, &color);
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_arc (cr, x + 6, y + row * c + 7, 5, 0, 2 * G_PI);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, &tc->text);
      cairo_move_to (cr, x + 18, y + row * c + 11);
      cairo_show_text (cr, s);
    }
  if (n > shown)
    {
      g_autofree char *s = g_strdup_printf ("… %u more values", n - shown);
      gdk_cairo_set_source_rgba (cr, &tc->muted);
      cairo_move_to (cr, x + 18, y + row * shown + 11);
      cairo_show_text (cr, s);
    }
}

static void
draw_hover (LmProjectorView *self, cairo_t *cr, int width, int height, const LmThemeColors *tc)
{
  const LmEmbedding *e = self->e;
  int i = self->hover;
  double px = self->proj[i * 3], py = self->proj[i * 3 + 1];
  const char *value = cell (e, self->label_col, (guint) i);
  g_autofree char *label = value ? cut_short (value) : NULL;
  g_autofree char *text = label ? g_strdup_printf ("%s  #%d", label, i) : g_strdup_printf ("point #%d", i);
  gboolean thumb = self->sprite != NULL;
  double big = 64, pad = 6, bw, bh, bx, by;
  cairo_text_extents_t ext;

  cairo_set_font_size (cr, 13);
  cairo_text_extents (cr, text, &ext);
  bw = MAX (ext.x_advance, thumb ? big * e->thumb_width / e->thumb_height : 0) + 2 * pad;
  bh = 18 + (thumb ? big + pad : 0) + pad;
  bx = px + 12 + bw > width ? px - 12 - bw : px + 12;
  by = CLAMP (py - bh / 2, 2, MAX (2, height - bh - 2));
  /* the point itself, ringed */
  cairo_set_line_width (cr, 2);
  gdk_cairo_set_source_rgba (cr, &tc->strong);
  cairo_arc (cr, px, py, DOT_RADIUS + 4, 0, 2 * G_PI);
  cairo_stroke (cr);
  gdk_cairo_set_source_rgba (cr, &tc->tooltip_bg);
  cairo_rectangle (cr, bx, by, bw, bh);
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, 1);
  gdk_cairo_set_source_rgba (cr, &tc->tooltip_border);
  cairo_stroke (cr);
  gdk_cairo_set_source_rgba (cr, &tc->strong);
  cairo_move_to (cr, bx + pad, by + pad + 12);
  cairo_show_text (cr, text);
  if (thumb)
    paint_thumbnail (self, cr, (guint) i, bx + pad + big * e->thumb_width / e->thumb_height / 2,
                     by + 18 + pad + big / 2, big);
}

/* The chosen point: ringed, its label beside it. */
static void
draw_chosen (LmProjectorView *self, cairo_t *cr, gboolean thumbs, const LmThemeColors *tc)
{
  const LmEmbedding *e = self->e;
  int i = self->chosen;
  double px = self->proj[i * 3], py = self->proj[i * 3 + 1];
  double half = thumbs ? THUMB_CHOSEN / 2 + 3 : DOT_RADIUS + 6;
  const char *label = cell (e, self->label_col, (guint) i);
  g_autofree char *text = label ? cut_short (label) : g_strdup_printf ("#%d", i);
  cairo_text_extents_t ext;

  cairo_set_line_width (cr, 2);
  gdk_cairo_set_source_rgba (cr, &tc->strong);
  if (thumbs)
    cairo_rectangle (cr, px - half * e->thumb_width / e->thumb_height, py - half,
                     2 * half * e->thumb_width / e->thumb_height, 2 * half);
  else
    cairo_arc (cr, px, py, half, 0, 2 * G_PI);
  cairo_stroke (cr);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, 13);
  cairo_text_extents (cr, text, &ext);
  cairo_set_source_rgba (cr, tc->paper.red, tc->paper.green, tc->paper.blue, 0.8);
  cairo_rectangle (cr, px + half + 3, py - 10, ext.x_advance + 6, 18);
  cairo_fill (cr);
  gdk_cairo_set_source_rgba (cr, &tc->strong);
  cairo_move_to (cr, px + half + 6, py + 4);
  cairo_show_text (cr, text);
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
}

void
lm_projector_view_draw (LmProjectorView *self, cairo_t *cr, int width, int height)
{
  const LmThemeColors *tc = lm_theme_colors ();
  const LmEmbedding *e = self->e;

  gdk_cairo_set_source_rgba (cr, &tc->bg);
  cairo_paint (cr);
  if (e == NULL)
    return;
  for (guint i = 0; i < e->n; i++)
    {
      double x, y, rx, ry, rz;

      rotate (self, self->pos + (gsize) i * 3, &rx, &ry, &rz);
      to_screen (self, rx, ry, width, height, &x, &y);
      self->proj[i * 3] = (float) x;
      self->proj[i * 3 + 1] = (float) y;
      self->proj[i * 3 + 2] = (float) rz;
      self->order[i] = i;
    }
  if (!self->flat)
    g_qsort_with_data (self->order, (gint) e->n, sizeof (guint), by_depth, self->proj);

  gboolean thumbs = self->thumbs && self->sprite != NULL;
  cairo_surface_t *layer = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  guint8 *buf = cairo_image_surface_get_data (layer);
  int stride = cairo_image_surface_get_stride (layer);

  /* far to near, dimmed (outside the selection, else the search) before
   * the rest, the chosen point last */
  const guint8 *lit = self->sel != NULL ? self->sel : self->match;

  for (int pass = 0; pass < 3; pass++)
    for (guint k = 0; k < e->n; k++)
      {
        guint i = self->order[k];
        gboolean dim = lit != NULL && !lit[i], chosen = (int) i == self->chosen;
        GdkRGBA color;

        if ((pass == 0) != dim || (pass == 2) != chosen || !drawable (self, i))
          continue;
        gboolean colored = point_color (self, i, &color);
        double x = self->proj[i * 3], y = self->proj[i * 3 + 1];
        if (thumbs && !dim)
          splat_thumbnail (self, buf, stride, width, height, i, x, y,
                           chosen ? THUMB_CHOSEN : self->sel != NULL ? THUMB_SELECTED : THUMB_SIZE,
                           colored ? &color : NULL);
        else
          splat_disc (buf, stride, width, height, x, y,
                      chosen ? DOT_RADIUS + 3 : lit != NULL && !dim ? DOT_RADIUS + 1.5 : DOT_RADIUS, &color,
                      dim ? 0.15 : 0.85);
      }
  cairo_surface_mark_dirty (layer);
  cairo_set_source_surface (cr, layer, 0, 0);
  cairo_paint (cr);
  cairo_surface_destroy (layer);
  if (self->chosen >= 0 && (guint) self->chosen < e->n && drawable (self, (guint) self->chosen))
    draw_chosen (self, cr, thumbs, tc);
  draw_legend (self, cr, tc);
  if (self->hover >= 0 && (guint) self->hover < e->n && drawable (self, (guint) self->hover))
    draw_hover (self, cr, width, height, tc);
}

static void
lm_projector_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));

  lm_projector_view_draw (LM_PROJECTOR_VIEW (widget), cr, w, h);
  cairo_destroy (cr);
  lm_theme_snapshot_focus_ring (widget, snapshot);   /* where the keys go, as on the graph */
}

static void
lm_projector_view_class_init (LmProjectorViewClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lm_projector_view_finalize;
  GTK_WIDGET_CLASS (klass)->snapshot = lm_projector_view_snapshot;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "lm-projector-view");
  /* A click on a point, or Enter on the hovered one: its index; a click
   * on no point, or Escape: -1 (the page selects or clears). */
  signals[POINT_ACTIVATED] = g_signal_new ("point-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                           NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
on_drag_begin (GtkGestureDrag *g, double x, double y, LmProjectorView *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->drag_yaw = self->yaw;
  self->drag_pitch = self->pitch;
  self->drag_pan_x = self->pan_x;
  self->drag_pan_y = self->pan_y;
}

static void
on_drag_update (GtkGestureDrag *g, double dx, double dy, LmProjectorView *self)
{
  if (self->flat)
    {
      self->pan_x = self->drag_pan_x + dx;
      self->pan_y = self->drag_pan_y + dy;
    }
  else
    {
      self->yaw = self->drag_yaw + dx * 0.01;
      self->pitch = CLAMP (self->drag_pitch + dy * 0.01, -G_PI / 2, G_PI / 2);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
on_scroll (GtkEventControllerScroll *c, double dx, double dy, LmProjectorView *self)
{
  lm_projector_view_set_zoom (self, self->zoom * pow (1.1, -dy));
  return TRUE;
}

/* The graph view's keys: the arrow keys turn the cloud by 10 degrees as a
 * drag that way would (pan by a tenth of the view in 2D), Ctrl +/- zoom,
 * Ctrl 0 goes back to the opening view. */
enum { KEY_LEFT, KEY_RIGHT, KEY_UP, KEY_DOWN, KEY_ZOOM_IN, KEY_ZOOM_OUT, KEY_RESET, KEY_ACTIVATE, KEY_CLEAR };

static gboolean
on_shortcut (GtkWidget *widget, GVariant *args, gpointer data)
{
  LmProjectorView *self = LM_PROJECTOR_VIEW (widget);
  const double turn = G_PI / 18;
  double w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  int key = g_variant_get_int32 (args);
  double dx = key == KEY_LEFT ? -1 : key == KEY_RIGHT ? 1 : 0, dy = key == KEY_UP ? -1 : key == KEY_DOWN ? 1 : 0;

  if (key == KEY_ACTIVATE || key == KEY_CLEAR)
    {
      /* Enter selects the hovered point; Escape clears (only when there
       * is something to clear, so the key goes on otherwise) */
      if (key == KEY_ACTIVATE ? self->hover < 0 : self->sel == NULL)
        return FALSE;
      g_signal_emit (self, signals[POINT_ACTIVATED], 0, key == KEY_ACTIVATE ? self->hover : -1);
    }
  else if (key == KEY_ZOOM_IN || key == KEY_ZOOM_OUT)
    lm_projector_view_set_zoom (self, self->zoom * (key == KEY_ZOOM_IN ? 1.25 : 0.8));
  else if (key == KEY_RESET)
    lm_projector_view_reset_camera (self);
  else if (self->flat)
    {
      /* as the graph: Left shows what lies to the left */
      self->pan_x -= dx * w / 10;
      self->pan_y -= dy * h / 10;
      gtk_widget_queue_draw (widget);
    }
  else
    lm_projector_view_set_rotation (self, self->yaw + dx * turn, self->pitch + dy * turn);
  return TRUE;
}

static GtkEventController *
key_controller (void)
{
  static const struct { guint keyval; GdkModifierType mods; int key; } keys[] = {
    { GDK_KEY_Left, 0, KEY_LEFT }, { GDK_KEY_Right, 0, KEY_RIGHT }, { GDK_KEY_Up, 0, KEY_UP },
    { GDK_KEY_Down, 0, KEY_DOWN }, { GDK_KEY_plus, GDK_CONTROL_MASK, KEY_ZOOM_IN },
    { GDK_KEY_equal, GDK_CONTROL_MASK, KEY_ZOOM_IN }, { GDK_KEY_KP_Add, GDK_CONTROL_MASK, KEY_ZOOM_IN },
    { GDK_KEY_minus, GDK_CONTROL_MASK, KEY_ZOOM_OUT }, { GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, KEY_ZOOM_OUT },
    { GDK_KEY_0, GDK_CONTROL_MASK, KEY_RESET }, { GDK_KEY_KP_0, GDK_CONTROL_MASK, KEY_RESET },
    { GDK_KEY_Return, 0, KEY_ACTIVATE }, { GDK_KEY_KP_Enter, 0, KEY_ACTIVATE }, { GDK_KEY_Escape, 0, KEY_CLEAR },
  };
  GtkEventController *c = gtk_shortcut_controller_new ();

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (
      GTK_SHORTCUT_CONTROLLER (c),
      gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (keys[i].keyval, keys[i].mods),
                                       gtk_callback_action_new (on_shortcut, NULL, NULL), "i", keys[i].key));
  return c;
}

static void
on_motion (GtkEventControllerMotion *c, double x, double y, LmProjectorView *self)
{
  GtkWidget *w = GTK_WIDGET (self);

  lm_projector_view_set_hover (self, lm_projector_view_pick (self, x, y, gtk_widget_get_width (w),
                                                             gtk_widget_get_height (w), 10));
}

/* A click (no drag: the gesture stops past the drag threshold) selects
 * the point under it, or clears on empty space, as TensorBoard's. */
static void
on_click_released (GtkGestureClick *g, int n_press, double x, double y, LmProjectorView *self)
{
  GtkWidget *w = GTK_WIDGET (self);

  if (n_press != 1 || self->e == NULL)
    return;
  g_signal_emit (self, signals[POINT_ACTIVATED], 0,
                 lm_projector_view_pick (self, x, y, gtk_widget_get_width (w), gtk_widget_get_height (w), 10));
}

static void
on_leave (GtkEventControllerMotion *c, LmProjectorView *self)
{
  lm_projector_view_set_hover (self, -1);
}

static void
lm_projector_view_init (LmProjectorView *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  self->hover = -1;
  self->chosen = -1;
  g_signal_connect (click, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  self->zoom = 1;
  self->yaw = 0.6;
  self->pitch = 0.35;
  self->thumbs = TRUE;
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_add_controller (GTK_WIDGET (self), key_controller ());
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  lm_theme_redraw_on_focus (GTK_WIDGET (self));
  g_signal_connect_object (lm_theme_get_default (), "notify::dark", G_CALLBACK (gtk_widget_queue_draw), self,
                           G_CONNECT_SWAPPED);
}

GtkWidget *
lm_projector_view_new (void)
{
  return g_object_new (LM_TYPE_PROJECTOR_VIEW, NULL);
}

/* The sprite as a Cairo surface (premultiplied ARGB32). */
static cairo_surface_t *
sprite_surface (const LmImagePixels *px)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, px->width, px->height);
  const guint8 *src = g_bytes_get_data (px->rgba, NULL);
  guint8 *dst = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);

  for (int y = 0; y < px->height; y++)
    for (int x = 0; x < px->width; x++)
      {
        const guint8 *p = src + y * px->stride + x * 4;
        guint32 a = p[3];
        guint32 v = a << 24 | (p[0] * a / 255) << 16 | (p[1] * a / 255) << 8 | (p[2] * a / 255);

        memcpy (dst + y * stride + x * 4, &v, 4);
      }
  cairo_surface_mark_dirty (s);
  return s;
}

static int
class_cmp (gconstpointer a, gconstpointer b)
{
  return lm_natural_compare (*(const char *const *) a, *(const char *const *) b);
}

void
lm_projector_view_reset_camera (LmProjectorView *self)
{
  g_return_if_fail (LM_IS_PROJECTOR_VIEW (self));
  self->zoom = 1;
  self->pan_x = self->pan_y = 0;
  self->yaw = 0.6;
  self->pitch = 0.35;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Scales n x 3 coordinates into [-1, 1] (the camera's zoom 1 fits them);
 * NaN and infinities are left out of the scale (and stay so). */
static void
fit (float *coords, gsize n)
{
  float big = 0;

  for (gsize i = 0; i < n * 3; i++)
    if (isfinite (coords[i]))
      big = MAX (big, fabsf (coords[i]));
  for (gsize i = 0; big > 0 && i < n * 3; i++)
    coords[i] /= big;
}

/* How many of the n x 3 points have a NaN or infinite coordinate. */
static gsize
count_hidden (const float *coords, gsize n)
{
  gsize hidden = 0;

  for (gsize i = 0; i < n; i++)
    hidden += !isfinite (coords[i * 3]) || !isfinite (coords[i * 3 + 1]) || !isfinite (coords[i * 3 + 2]);
  return hidden;
}

/* TensorBoard's re-normalisation of a layout (projectorScatterPlotAdapter
 * generatePointPositionArray): each axis's [min, max] onto [-1, 1].  A
 * 3D layout is then brought inside the unit sphere (divided by its
 * farthest point's distance from the centre), so it stays in view however
 * it is turned (TensorBoard moves its camera back instead); a 2D one is
 * drawn flat, unturned, and fills the square.  Done on every new layout,
 * as TensorBoard does, so the frame follows the layout's bounds: they
 * move a little each step, so the cloud does not jump between frames. */
static void
fit_axes (float *coords, gsize n)
{
  double far = 0;
  gboolean deep = FALSE;

  for (int c = 0; c < 3; c++)
    {
      float lo = INFINITY, hi = -INFINITY;

      for (gsize i = 0; i < n; i++)
        if (isfinite (coords[i * 3 + c]))
          {
            lo = MIN (lo, coords[i * 3 + c]);
            hi = MAX (hi, coords[i * 3 + c]);
          }
      double mid = ((double) lo + hi) / 2, half = ((double) hi - lo) / 2;

      for (gsize i = 0; i < n; i++)
        coords[i * 3 + c] = !isfinite (coords[i * 3 + c]) ? coords[i * 3 + c]
                            : half > 0                    ? (float) ((coords[i * 3 + c] - mid) / half)
                                                          : 0;
      deep = c == 2 && half > 0;
    }
  for (gsize i = 0; deep && i < n; i++)
    if (count_hidden (coords + i * 3, 1) == 0)
      far = MAX (far, sqrt ((double) coords[i * 3] * coords[i * 3] + (double) coords[i * 3 + 1] * coords[i * 3 + 1]
                          + (double) coords[i * 3 + 2] * coords[i * 3 + 2]));
  for (gsize i = 0; far > 0 && i < n * 3; i++)
    coords[i] = (float) (coords[i] / far);
}

/* A column of numbers on TensorBoard's gradient: each point's place
 * between lo and hi (NaN for a missing value or "nan"). */
static void
color_gradient (LmProjectorView *self, char **values, gsize n, double lo, double hi)
{
  self->shade_min = lo;
  self->shade_max = hi;
  self->shade = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    {
      double v = *values[i] != '\0' ? g_ascii_strtod (values[i], NULL) : NAN;

      self->shade[i] = isnan (v) ? NAN : hi > lo ? (float) ((v - lo) / (hi - lo)) : 0.5f;
    }
}

/* A colour a value: the distinct values (self->classes) sorted for the
 * legend, each point's category and each category's count; `index` is
 * reused for the lookup. */
static void
color_categories (LmProjectorView *self, char **values, gsize n, GHashTable *index)
{
  g_ptr_array_sort (self->classes, class_cmp);
  g_hash_table_remove_all (index);
  for (guint c = 0; c < self->classes->len; c++)
    g_hash_table_insert (index, g_ptr_array_index (self->classes, c), GUINT_TO_POINTER (c));
  self->cls = g_new (int, n);
  self->class_counts = g_new0 (guint, self->classes->len);
  for (gsize i = 0; i < n; i++)
    {
      self->cls[i] = GPOINTER_TO_INT (g_hash_table_lookup (index, values[i]));
      self->class_counts[self->cls[i]]++;
    }
}

/* The colours of the Color by column (see the top of the file). */
static void
color_by (LmProjectorView *self)
{
  const LmEmbedding *e = self->e;
  GHashTable *index;
  gboolean numeric = TRUE;
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;

  clear_colors (self);
  if (e == NULL || self->color_col < 0 || (guint) self->color_col >= e->n_columns)
    return;
  char **values = e->columns[self->color_col];
  gboolean empty = FALSE;
  gsize numbers = 0;
  index = g_hash_table_new (g_str_hash, g_str_equal);
  self->classes = g_ptr_array_new ();
  for (gsize i = 0; i < e->n; i++)
    {
      /* an empty value is a missing one, as TensorBoard reads
       * metadata.tsv: it does not make a column of numbers a column of
       * strings, nor count towards the limit */
      if (*values[i] == '\0')
        empty = TRUE;
      else if (numeric)
        {
          char *end;
          double v = g_ascii_strtod (values[i], &end);

          while (g_ascii_isspace (*end))
            end++;
          numeric = end != values[i] && *end == '\0' && !isinf (v);
          /* "nan" (Python's str of a NaN, as a logged loss can be) is a
           * number without a value: drawn as a gap, not making the
           * column strings */
          if (numeric && !isnan (v))
            {
              numbers++;
              lo = MIN (lo, v);
              hi = MAX (hi, v);
            }
        }
      if (!g_hash_table_contains (index, values[i]))
        {
          g_hash_table_add (index, values[i]);
          g_ptr_array_add (self->classes, values[i]);
        }
    }
  self->n_distinct = self->classes->len - empty;
  numeric = numeric && numbers > 0;
  if (self->n_distinct > LM_PROJECTOR_MAX_CATEGORIES)
    {
      g_clear_pointer (&self->classes, g_ptr_array_unref);
      g_hash_table_unref (index);
      self->coloring = numeric ? LM_PROJECTOR_COLOR_GRADIENT : LM_PROJECTOR_COLOR_TOO_MANY;
      if (numeric)
        color_gradient (self, values, e->n, lo, hi);
      return;
    }
  self->coloring = LM_PROJECTOR_COLOR_CATEGORIES;
  color_categories (self, values, e->n, index);
  g_hash_table_unref (index);
}

/* Shows e with coords (both taken); the old data goes to *old (may be
 * NULL: freed). */
static void
take_data (LmProjectorView *self, LmEmbedding *e, float *coords, gboolean keep_camera, LmEmbedding **old)
{
  if (old != NULL)
    *old = g_steal_pointer (&self->e);
  clear_data (self);
  if (!keep_camera)
    lm_projector_view_reset_camera (self);
  if (e == NULL)
    {
      g_free (coords);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  self->e = e;
  self->pos = coords;
  fit (coords, e->n);
  self->n_hidden = count_hidden (coords, e->n);
  self->proj = g_new (float, e->n * 3);
  self->order = g_new (guint, e->n);
  /* the columns stay where the new data has them (a newer step) */
  if (e->n_columns == 0)
    self->color_col = -1;
  else if (self->color_col >= (int) e->n_columns)
    self->color_col = 0;
  if (self->label_col >= e->n_columns)
    self->label_col = 0;
  if (self->search_col >= e->n_columns)
    self->search_col = 0;
  color_by (self);
  if (e->sprite != NULL)
    self->sprite = sprite_surface (e->sprite);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lm_projector_view_set_data (LmProjectorView *self, LmEmbedding *e, float *coords)
{
  g_return_if_fail (LM_IS_PROJECTOR_VIEW (self));
  take_data (self, e, coords, FALSE, NULL);
}

void
lm_projector_view_update_data (LmProjectorView *self, LmEmbedding *e, float *coords)
{
  g_return_if_fail (LM_IS_PROJECTOR_VIEW (self));
  take_data (self, e, coords, TRUE, NULL);
}

LmEmbedding *
lm_projector_view_swap_data (LmProjectorView *self, LmEmbedding *e, float *coords)
{
  LmEmbedding *old = NULL;

  g_return_val_if_fail (LM_IS_PROJECTOR_VIEW (self), NULL);
  take_data (self, e, coords, TRUE, &old);
  return old;
}

void
lm_projector_view_set_coords (LmProjectorView *self, const float *coords)
{
  g_return_if_fail (LM_IS_PROJECTOR_VIEW (self));
  g_return_if_fail (self->e != NULL && coords != NULL);
  memcpy (self->pos, coords, self->e->n * 3 * sizeof *self->pos);
  fit_axes (self->pos, self->e->n);
  self->n_hidden = count_hidden (self->pos, self->e->n);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const float *
lm_projector_view_get_coords (LmProjectorView *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_VIEW (self), NULL);
  return self->pos;
}

const LmEmbedding *
lm_projector_view_get_embedding (LmProjectorView *self)
{
  return self->e;
}

void
lm_projector_view_set_2d (LmProjectorView *self, gboolean flat)
{
  self->flat = flat;
  self->pan_x = self->pan_y = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
lm_projector_view_get_2d (LmProjectorView *self)
{
  return self->flat;
}

void
lm_projector_view_set_thumbnails (LmProjectorView *self, gboolean on)
{
  self->thumbs = on;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
lm_projector_view_get_thumbnails (LmProjectorView *self)
{
  return self->thumbs;
}

void
lm_projector_view_set_rotation (LmProjectorView *self, double yaw, double pitch)
{
  self->yaw = yaw;
  self->pitch = CLAMP (pitch, -G_PI / 2, G_PI / 2);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lm_projector_view_get_rotation (LmProjectorView *self, double *yaw, double *pitch)
{
  *yaw = self->yaw;
  *pitch = self->pitch;
}

void
lm_projector_view_set_zoom (LmProjectorView *self, double zoom)
{
  self->zoom = CLAMP (zoom, 0.1, 100);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
lm_projector_view_get_zoom (LmProjectorView *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_VIEW (self), 1);
  return self->zoom;
}

guint
lm_projector_view_set_search (LmProjectorView *self, const char *text)
{
  g_clear_pointer (&self->match, g_free);
  self->n_matches = 0;
  if (text != NULL && *text && self->e != NULL)
    {
      /* TensorBoard's search, as Custom's: a case-insensitive substring */
      g_autofree guint32 *idx = g_new (guint32, self->e->n);
      char **values = self->e->columns != NULL ? self->e->columns[self->search_col] : NULL;
      gssize got = lm_embedding_match (values, self->e->n, text, FALSE, idx, NULL);

      self->match = g_new0 (guint8, self->e->n);
      for (gssize k = 0; k < got; k++)
        self->match[idx[k]] = 1;
      self->n_matches = (guint) MAX (got, 0);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return self->n_matches;
}

void
lm_projector_view_set_hover (LmProjectorView *self, int i)
{
  if (self->e == NULL || i < -1 || i >= (int) self->e->n)
    i = -1;
  if (i == self->hover)
    return;
  self->hover = i;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
lm_projector_view_get_hover (LmProjectorView *self)
{
  return self->hover;
}

guint
lm_projector_view_get_n_classes (LmProjectorView *self)
{
  return self->classes ? self->classes->len : 0;
}

const char *
lm_projector_view_get_class (LmProjectorView *self, guint c, GdkRGBA *color)
{
  g_return_val_if_fail (self->classes != NULL && c < self->classes->len, NULL);
  if (color)
    class_color (c, color);
  return g_ptr_array_index (self->classes, c);
}

int
lm_projector_view_get_point_class (LmProjectorView *self, guint i)
{
  return self->cls != NULL && self->e != NULL && i < self->e->n ? self->cls[i] : -1;
}

void
lm_projector_view_set_selection (LmProjectorView *self, int chosen, const guint32 *idx, gsize n)
{
  g_return_if_fail (LM_IS_PROJECTOR_VIEW (self));
  g_clear_pointer (&self->sel, g_free);
  self->chosen = -1;
  self->n_sel = 0;
  if (self->e != NULL && (chosen >= 0 || n > 0))
    {
      self->sel = g_new0 (guint8, self->e->n);
      if (chosen >= 0 && (gsize) chosen < self->e->n)
        {
          self->chosen = chosen;
          self->sel[chosen] = 1;
        }
      for (gsize k = 0; k < n; k++)
        if (idx[k] < self->e->n)
          self->sel[idx[k]] = 1;
      for (gsize i = 0; i < self->e->n; i++)
        self->n_sel += self->sel[i];
      if (self->n_sel == 0)
        g_clear_pointer (&self->sel, g_free);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
lm_projector_view_get_selected (LmProjectorView *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_VIEW (self), -1);
  return self->chosen;
}

LmProjectorMark
lm_projector_view_get_mark (LmProjectorView *self, guint i)
{
  const guint8 *lit;

  g_return_val_if_fail (LM_IS_PROJECTOR_VIEW (self), LM_PROJECTOR_MARK_PLAIN);
  if (self->e == NULL || i >= self->e->n)
    return LM_PROJECTOR_MARK_PLAIN;
  if ((int) i == self->chosen)
    return LM_PROJECTOR_MARK_CHOSEN;
  lit = self->sel != NULL ? self->sel : self->match;
  return lit == NULL ? LM_PROJECTOR_MARK_PLAIN : lit[i] ? LM_PROJECTOR_MARK_SELECTED : LM_PROJECTOR_MARK_DIMMED;
}

gsize
lm_projector_view_get_n_hidden (LmProjectorView *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_VIEW (self), 0);
  return self->n_hidden;
}

void
lm_projector_view_set_color_by (LmProjectorView *self, int column)
{
  g_return_if_fail (LM_IS_PROJECTOR_VIEW (self));
  /* new data is coloured as it comes (take_data): the same column again
   * (Label by or Search by changed, the page's columns synced after a
   * load) has its colours already */
  if (MAX (column, -1) == self->color_col)
    return;
  self->color_col = MAX (column, -1);
  color_by (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
lm_projector_view_get_color_by (LmProjectorView *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_VIEW (self), -1);
  return self->color_col;
}

LmProjectorColoring
lm_projector_view_get_coloring (LmProjectorView *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_VIEW (self), LM_PROJECTOR_COLOR_NONE);
  return self->coloring;
}

char *
lm_projector_view_get_color_note (LmProjectorView *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_VIEW (self), NULL);
  if (self->coloring != LM_PROJECTOR_COLOR_TOO_MANY)
    return NULL;
  return g_strdup_printf ("“%s” has %u distinct values, too many to colour by (%d at most, unless all are "
                          "numbers)", self->e->column_names[self->color_col], self->n_distinct,
                          LM_PROJECTOR_MAX_CATEGORIES);
}

gboolean
lm_projector_view_get_point_color (LmProjectorView *self, guint i, GdkRGBA *color)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_VIEW (self), FALSE);
  return point_color (self, i, color);
}

void
lm_projector_view_set_label_by (LmProjectorView *self, guint column)
{
  g_return_if_fail (LM_IS_PROJECTOR_VIEW (self));
  self->label_col = self->e != NULL && column < self->e->n_columns ? column : 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
lm_projector_view_get_label_by (LmProjectorView *self)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_VIEW (self), 0);
  return self->label_col;
}

const char *
lm_projector_view_get_point_label (LmProjectorView *self, guint i)
{
  g_return_val_if_fail (LM_IS_PROJECTOR_VIEW (self), NULL);
  return self->e != NULL && i < self->e->n ? cell (self->e, self->label_col, i) : NULL;
}

void
lm_projector_view_set_search_by (LmProjectorView *self, guint column)
{
  g_return_if_fail (LM_IS_PROJECTOR_VIEW (self));
  self->search_col = self->e != NULL && column < self->e->n_columns ? column : 0;
}
