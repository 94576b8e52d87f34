/* lm-plot-lines.c: drawing decimated lines (see lm-plot-private.h).
 *
 * Dense lines (more points than pixel columns) are rasterised as vertical
 * spans: for every device-pixel column the polyline's y extent inside the
 * column (its own points plus where the segments cross the column edges),
 * widened by the line width, is filled with anti-aliased ends.  That is
 * exactly the pixels a line through all the points would touch, at a cost
 * of one span per column, where cairo's stroker spends microseconds per
 * zig-zag segment.  Sparse lines are stroked by cairo with round joins.
 */
#include "lm-plot-private.h"

#include <math.h>
#include <string.h>

typedef struct
{
  guint8 *data;
  int stride, width, height;
  int cx0, cx1;            /* clip columns [cx0, cx1) */
  double cy0, cy1;         /* clip rows */
  double half;             /* half line width, device px */
  guint32 r8, g8, b8;      /* source colour, 0..255 */
  double sa8;              /* source alpha, 0..255 */
  double *lo, *hi;         /* per-column extent */
  int tmin, tmax;          /* touched columns */
} Spans;

static void
spans_touch (Spans *sp, int c, double a, double b)
{
  if (c < sp->cx0 || c >= sp->cx1)
    return;
  if (a > b)
    {
      double t = a;
      a = b, b = t;
    }
  sp->lo[c - sp->cx0] = MIN (sp->lo[c - sp->cx0], a);
  sp->hi[c - sp->cx0] = MAX (sp->hi[c - sp->cx0], b);
  sp->tmin = MIN (sp->tmin, c);
  sp->tmax = MAX (sp->tmax, c);
}

/* Source-over of the line colour at coverage `cov` onto one premultiplied
 * ARGB32 pixel, in integers (one float conversion per pixel). */
static inline void
blend (guint32 *px, double cov, const Spans *sp)
{
  guint32 a = (guint32) (sp->sa8 * cov + 0.5);    /* 0..255 */
  guint32 inv = 255 - a;
  guint32 d = *px;
  guint32 oa = a + (((d >> 24) & 0xff) * inv + 127) / 255;
  guint32 orr = (sp->r8 * a + ((d >> 16) & 0xff) * inv + 127) / 255;
  guint32 og = (sp->g8 * a + ((d >> 8) & 0xff) * inv + 127) / 255;
  guint32 ob = (sp->b8 * a + (d & 0xff) * inv + 127) / 255;

  *px = (oa << 24) | (orr << 16) | (og << 8) | ob;
}

/* Fills the touched columns.  A column's span is its own extent widened
 * by half the line width vertically; horizontally the pen is as wide as
 * the line too, so neighbouring columns' extents spill over with partial
 * coverage (a vertical spike is as thick as a flat line). */
static void
spans_flush (Spans *sp)
{
  double w[3] = { 1.0, CLAMP (sp->half - 0.5, 0.0, 1.0), CLAMP (sp->half - 1.5, 0.0, 1.0) };
  int reach = w[2] > 0 ? 2 : (w[1] > 0 ? 1 : 0);
  int c0, c1;

  if (sp->tmin > sp->tmax)
    return;
  c0 = MAX (sp->tmin - reach, sp->cx0);
  c1 = MIN (sp->tmax + reach, sp->cx1 - 1);
  for (int c = c0; c <= c1; c++)
    {
      double ulo = INFINITY, uhi = -INFINITY;
      int r0, r1;

      for (int d = -reach; d <= reach; d++)
        {
          int cc = c + d - sp->cx0;

          if (cc < 0 || cc >= sp->cx1 - sp->cx0 || sp->lo[cc] > sp->hi[cc])
            continue;
          ulo = MIN (ulo, sp->lo[cc] - sp->half);
          uhi = MAX (uhi, sp->hi[cc] + sp->half);
        }
      ulo = MAX (ulo, sp->cy0);
      uhi = MIN (uhi, sp->cy1);
      if (uhi <= ulo)
        continue;
      r0 = MAX ((int) floor (ulo), 0);
      r1 = MIN ((int) ceil (uhi), sp->height);
      {
        int own = c - sp->cx0;
        gboolean has_own = sp->lo[own] <= sp->hi[own];
        /* Rows wholly inside the column's own span are fully covered;
         * only the rows at the ends need the neighbours' partial cover. */
        int full0 = has_own ? (int) ceil (MAX (sp->lo[own] - sp->half, sp->cy0)) : r1;
        int full1 = has_own ? (int) floor (MIN (sp->hi[own] + sp->half, sp->cy1)) : r1;

        for (int r = r0; r < r1; r++)
          {
            double cov = 0;

            if (r >= full0 && r + 1 <= full1)
              {
                blend ((guint32 *) (sp->data + r * sp->stride) + c, 1.0, sp);
                continue;
              }
            for (int d = -reach; d <= reach; d++)
              {
                int cc = c + d - sp->cx0;
                double a, b, o;

                if (cc < 0 || cc >= sp->cx1 - sp->cx0 || sp->lo[cc] > sp->hi[cc])
                  continue;
                a = MAX (sp->lo[cc] - sp->half, MAX (sp->cy0, (double) r));
                b = MIN (sp->hi[cc] + sp->half, MIN (sp->cy1, r + 1.0));
                o = b - a;
                if (o > 0)
                  cov = MAX (cov, w[ABS (d)] * MIN (o, 1.0));
              }
            if (cov > 0)
              blend ((guint32 *) (sp->data + r * sp->stride) + c, cov, sp);
          }
      }
    }
  for (int c = sp->tmin; c <= sp->tmax; c++)
    {
      sp->lo[c - sp->cx0] = INFINITY;
      sp->hi[c - sp->cx0] = -INFINITY;
    }
  sp->tmin = G_MAXINT;
  sp->tmax = G_MININT;
}

static void
spans_segment (Spans *sp, double x0, double y0, double x1, double y1)
{
  int c0, c1;

  if (x1 < x0)
    {
      double t;

      t = x0, x0 = x1, x1 = t;
      t = y0, y0 = y1, y1 = t;
    }
  c0 = (int) floor (x0);
  c1 = (int) floor (x1);
  if (c1 < sp->cx0 || c0 >= sp->cx1)
    return;
  c0 = MAX (c0, sp->cx0 - 1);
  c1 = MIN (c1, sp->cx1);
  if (c0 == c1 || x1 - x0 < 1e-9)
    {
      spans_touch (sp, c0, y0, y1);
      return;
    }
  for (int c = c0; c <= c1; c++)
    {
      double xa = MAX (x0, (double) c), xb = MIN (x1, c + 1.0);
      double ya = y0 + (y1 - y0) * (xa - x0) / (x1 - x0);
      double yb = y0 + (y1 - y0) * (xb - x0) / (x1 - x0);

      spans_touch (sp, c, ya, yb);
    }
}

static gboolean
point_px (LmPlot *p, const LmPoint *pt, double scale, double *x, double *y)
{
  if (isnan (pt->y) || (p->log_y && pt->y <= 0))
    return FALSE;
  *x = lm_plot_x_to_px (p, pt->x) * scale;
  *y = lm_plot_y_to_px (p, pt->y) * scale;
  /* Keep far-off points finite and within reach of the int casts. */
  *x = CLAMP (*x, -1e6, 1e6);
  *y = CLAMP (*y, -1e6, 1e6);
  return TRUE;
}

static void
draw_spans (LmPlot *p, cairo_surface_t *image, double scale, GArray *points,
            const GdkRGBA *color, double alpha, double line_width)
{
  Spans sp = { 0 };
  double px = 0, py = 0;
  gboolean have_prev = FALSE;
  int ncols;

  cairo_surface_flush (image);
  sp.data = cairo_image_surface_get_data (image);
  sp.stride = cairo_image_surface_get_stride (image);
  sp.width = cairo_image_surface_get_width (image);
  sp.height = cairo_image_surface_get_height (image);
  sp.cx0 = MAX (0, (int) floor (p->area.x * scale));
  sp.cx1 = MIN (sp.width, (int) ceil ((p->area.x + p->area.width) * scale));
  sp.cy0 = MAX (0.0, p->area.y * scale);
  sp.cy1 = MIN ((double) sp.height, (p->area.y + p->area.height) * scale);
  sp.half = line_width * scale / 2;
  sp.r8 = (guint32) CLAMP (color->red * 255 + 0.5, 0, 255);
  sp.g8 = (guint32) CLAMP (color->green * 255 + 0.5, 0, 255);
  sp.b8 = (guint32) CLAMP (color->blue * 255 + 0.5, 0, 255);
  sp.sa8 = CLAMP (alpha * color->alpha, 0.0, 1.0) * 255.0;
  ncols = sp.cx1 - sp.cx0;
  if (ncols <= 0 || sp.data == NULL)
    return;
  sp.lo = g_new (double, ncols);
  sp.hi = g_new (double, ncols);
  for (int i = 0; i < ncols; i++)
    sp.lo[i] = INFINITY, sp.hi[i] = -INFINITY;
  sp.tmin = G_MAXINT;
  sp.tmax = G_MININT;

  for (guint i = 0; i < points->len; i++)
    {
      double x, y;

      if (!point_px (p, &g_array_index (points, LmPoint, i), scale, &x, &y))
        {
          /* A break: finish this piece so it does not merge with the next. */
          spans_flush (&sp);
          have_prev = FALSE;
          continue;
        }
      if (have_prev)
        spans_segment (&sp, px, py, x, y);
      else
        spans_touch (&sp, (int) floor (x), y, y);
      px = x, py = y;
      have_prev = TRUE;
    }
  spans_flush (&sp);
  g_free (sp.lo);
  g_free (sp.hi);
  cairo_surface_mark_dirty (image);
}

static void
draw_stroke (LmPlot *p, cairo_t *cr, GArray *points, const GdkRGBA *color,
             double alpha, double line_width)
{
  gboolean have_prev = FALSE;
  guint run_len = 0;
  double lx = 0, ly = 0;

  cairo_save (cr);
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, alpha * color->alpha);
  cairo_set_line_width (cr, line_width);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_new_path (cr);
  for (guint i = 0; i <= points->len; i++)
    {
      double x = 0, y = 0;
      gboolean ok = i < points->len && point_px (p, &g_array_index (points, LmPoint, i), 1.0, &x, &y);

      if (!ok)
        {
          /* A lone point between breaks gets a dot so it is not lost. */
          if (run_len == 1)
            {
              cairo_new_sub_path (cr);
              cairo_arc (cr, lx, ly, line_width, 0, 2 * G_PI);
            }
          have_prev = FALSE;
          run_len = 0;
          continue;
        }
      if (have_prev)
        cairo_line_to (cr, x, y);
      else
        cairo_move_to (cr, x, y);
      lx = x, ly = y;
      have_prev = TRUE;
      run_len++;
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
lm_plot_draw_line (LmPlot          *p,
                   cairo_t         *cr,
                   cairo_surface_t *image,
                   double           scale,
                   GArray          *points,
                   gboolean         dense,
                   const GdkRGBA   *color,
                   double           alpha,
                   double           line_width)
{
  if (points->len == 0)
    return;
  if (dense && cairo_surface_get_type (image) == CAIRO_SURFACE_TYPE_IMAGE
      && cairo_image_surface_get_format (image) == CAIRO_FORMAT_ARGB32)
    draw_spans (p, image, scale, points, color, alpha, line_width);
  else
    draw_stroke (p, cr, points, color, alpha, line_width);
}
