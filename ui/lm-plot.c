/* lm-plot.c: LmPlot state, view and rendering (see lm-plot.h).
 *
 * A render: pick the x range (data or zoom), decimate every run's series
 * for the plot's device-pixel width (cached per run until the data, view
 * or settings change), pick the y range from what is visible, lay out the
 * axes (the left margin follows the widest y label), then draw grid,
 * lines, markers and legend.  Everything happens in one image surface.
 */
#include "lm-plot-private.h"
#include "lm-axis.h"
#include "lm-natural.h"
#include "lm-palette.h"

#include <math.h>
#include <string.h>

#define PAD_RIGHT 14.0
#define PAD_TOP 10.0
#define TICK_LABEL_H 16.0
#define LEGEND_H 18.0
#define LINE_WIDTH 1.6
#define RAW_ALPHA_SMOOTHED 0.28

static void
line_free (gpointer data)
{
  LmPlotLine *l = data;

  if (l == NULL)
    return;
  g_free (l->tag);
  g_free (l->label);
  g_free (l->lower_tag);
  g_free (l->upper_tag);
  g_object_unref (l->run);
  lm_decimation_clear (&l->dec);
  g_free (l);
}

LmPlot *
lm_plot_new (const char *tag)
{
  LmPlot *p = g_new0 (LmPlot, 1);
  PangoFontMap *map = pango_cairo_font_map_get_default ();
  PangoContext *ctx = pango_font_map_create_context (map);

  p->tag = g_strdup (tag);
  p->lines = g_ptr_array_new_with_free_func (line_free);
  p->legend = g_string_new (NULL);
  p->axis = LM_X_STEP;
  p->auto_x = p->auto_y = TRUE;
  p->show_legend = TRUE;
  p->layout = pango_layout_new (ctx);
  g_object_unref (ctx);
  p->font = pango_font_description_from_string ("Sans 8.5");
  p->bold = pango_font_description_from_string ("Sans Bold 9.5");
  return p;
}

void
lm_plot_free (LmPlot *p)
{
  if (p == NULL)
    return;
  g_ptr_array_unref (p->lines);
  g_string_free (p->legend, TRUE);
  g_object_unref (p->layout);
  pango_font_description_free (p->font);
  pango_font_description_free (p->bold);
  g_free (p->tag);
  g_free (p->highlight);
  g_clear_pointer (&p->custom_layout, lm_custom_scalars_unref);
  g_free (p);
}

const char *
lm_plot_get_tag (LmPlot *p)
{
  return p->tag;
}

void
lm_plot_set_custom (LmPlot *p, LmCustomScalars *layout, const LmCustomChart *chart)
{
  lm_custom_scalars_ref (layout);
  g_clear_pointer (&p->custom_layout, lm_custom_scalars_unref);
  p->custom_layout = layout;
  p->custom = chart;
}

guint
lm_plot_get_n_bands_drawn (LmPlot *p)
{
  return p->n_bands_drawn;
}

guint
lm_plot_get_n_band_vertices (LmPlot *p)
{
  return p->n_band_vertices;
}

guint
lm_plot_get_n_legend_named (LmPlot *p)
{
  return p->n_legend_named;
}

const char *
lm_plot_get_legend_text (LmPlot *p)
{
  return p->legend->str;
}

/* The line of (run, tag) in p->lines, taken out of it (its decimation
 * cache goes on), or a new one; appended to `lines`. */
static LmPlotLine *
take_line (LmPlot *p, GPtrArray *lines, LmRun *run, const char *tag)
{
  LmPlotLine *l = NULL;

  for (guint k = 0; k < p->lines->len && l == NULL; k++)
    {
      LmPlotLine *o = g_ptr_array_index (p->lines, k);

      if (o != NULL && o->run == run && g_strcmp0 (o->tag, tag) == 0)
        {
          l = o;
          g_ptr_array_index (p->lines, k) = NULL;
        }
    }
  if (l == NULL)
    {
      l = g_new0 (LmPlotLine, 1);
      l->run = g_object_ref (run);
      l->tag = g_strdup (tag);
      lm_decimation_init (&l->dec);
    }
  g_ptr_array_add (lines, l);
  return l;
}

static const struct
{
  double pattern[4];
  int n;
} dashes[] = {
  { { 0 }, 0 }, { { 6, 4 }, 2 }, { { 0.5, 3.5 }, 2 }, { { 9, 3, 1, 3 }, 4 }, { { 3, 2.5 }, 2 },
};

void
lm_plot_set_dash (cairo_t *cr, guint dash)
{
  guint d = dash % G_N_ELEMENTS (dashes);

  cairo_set_dash (cr, dashes[d].pattern, dashes[d].n, 0);
}

typedef struct
{
  const char *tag;
  int regex;
} DashKey;

static int
compare_dash_keys (gconstpointer a, gconstpointer b)
{
  const DashKey *x = a, *y = b;

  return x->regex != y->regex ? (x->regex < y->regex ? -1 : 1) : lm_natural_compare (x->tag, y->tag);
}

/* One dash per tag of a multiline chart, the same for every run: the
 * tags in the order of the first regex they match, then by name, get
 * solid, dashed, dotted... (train/loss$, val/loss$: train solid, val
 * dashed). */
static void
set_dashes (LmPlot *p)
{
  GArray *keys = g_array_new (FALSE, FALSE, sizeof (DashKey));

  for (guint i = 0; i < p->lines->len; i++)
    {
      LmPlotLine *l = g_ptr_array_index (p->lines, i);
      DashKey key = { l->tag, lm_custom_chart_match_index (p->custom, l->tag) };
      gboolean seen = FALSE;

      for (guint k = 0; k < keys->len && !seen; k++)
        seen = strcmp (g_array_index (keys, DashKey, k).tag, l->tag) == 0;
      if (!seen)
        g_array_append_val (keys, key);
    }
  g_array_sort (keys, compare_dash_keys);
  for (guint i = 0; i < p->lines->len; i++)
    {
      LmPlotLine *l = g_ptr_array_index (p->lines, i);

      for (guint k = 0; k < keys->len; k++)
        if (strcmp (g_array_index (keys, DashKey, k).tag, l->tag) == 0)
          l->dash = k;
    }
  g_array_unref (keys);
}

/* A custom chart's lines for the shown runs (few: a linear search). */
static void
set_custom_runs (LmPlot *p, GPtrArray *runs)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (line_free);
  const LmCustomChart *c = p->custom;

  for (guint i = 0; i < runs->len; i++)
    {
      LmRun *run = g_ptr_array_index (runs, i);
      LmPlotLine *l;

      if (lm_custom_chart_get_kind (c) == LM_CUSTOM_CHART_MARGIN)
        {
          if (lm_custom_chart_get_error (c) != NULL)
            continue;
          l = take_line (p, lines, run, lm_custom_chart_get_tag (c, 0));
          lm_palette_run_color (run, &l->color);
          g_free (l->lower_tag);
          g_free (l->upper_tag);
          l->lower_tag = g_strdup (lm_custom_chart_get_tag (c, 1));
          l->upper_tag = g_strdup (lm_custom_chart_get_tag (c, 2));
          continue;
        }
      {
        GPtrArray *tags = lm_run_get_scalar_tags (run);
        g_autoptr (GArray) matched = g_array_new (FALSE, FALSE, sizeof (DashKey));

        /* in the layout's order (the regex a tag matched first, as the
         * dashes go: train, val, test as lumen-train lists them), then the
         * tags' own order */
        for (guint k = 0; tags != NULL && k < tags->len; k++)
          {
            DashKey key = { g_ptr_array_index (tags, k), 0 };

            key.regex = lm_custom_chart_match_index (c, key.tag);
            if (key.regex >= 0)
              g_array_append_val (matched, key);
          }
        g_array_sort (matched, compare_dash_keys);
        for (guint k = 0; k < matched->len; k++)
          {
            const char *tag = g_array_index (matched, DashKey, k).tag;

            l = take_line (p, lines, run, tag);
            lm_palette_run_color (run, &l->color);
            if (l->label == NULL)
              l->label = g_strdup_printf ("%s · %s", lm_run_get_name (run), tag);
          }
      }
    }
  g_ptr_array_unref (p->lines);
  p->lines = lines;
  if (lm_custom_chart_get_kind (c) == LM_CUSTOM_CHART_MULTILINE)
    set_dashes (p);
}

void
lm_plot_set_runs (LmPlot *p, GPtrArray *runs)
{
  GPtrArray *lines;
  GHashTable *old;

  if (p->custom != NULL)
    {
      set_custom_runs (p, runs);
      return;
    }
  lines = g_ptr_array_new_with_free_func (line_free);
  old = g_hash_table_new (NULL, NULL);   /* LmRun* -> index + 1 */

  /* Keep the lines (and decimation caches) of runs that stay. */
  for (guint k = 0; k < p->lines->len; k++)
    g_hash_table_insert (old, ((LmPlotLine *) g_ptr_array_index (p->lines, k))->run,
                         GUINT_TO_POINTER (k + 1));
  for (guint i = 0; i < runs->len; i++)
    {
      LmRun *run = g_ptr_array_index (runs, i);
      guint k = GPOINTER_TO_UINT (g_hash_table_lookup (old, run));
      LmPlotLine *l = NULL;

      if (k > 0 && g_ptr_array_index (p->lines, k - 1) != NULL)
        {
          l = g_ptr_array_index (p->lines, k - 1);
          g_ptr_array_index (p->lines, k - 1) = NULL;
        }
      else
        {
          l = g_new0 (LmPlotLine, 1);
          l->run = g_object_ref (run);
          lm_decimation_init (&l->dec);
        }
      lm_palette_run_color (run, &l->color);
      g_ptr_array_add (lines, l);
    }
  g_hash_table_unref (old);
  g_ptr_array_unref (p->lines);   /* frees the lines not taken over */
  p->lines = lines;
}

guint
lm_plot_get_n_runs (LmPlot *p)
{
  return p->lines->len;
}

void
lm_plot_set_x_axis (LmPlot *p, LmXAxis axis)
{
  if (p->axis == axis)
    return;
  p->axis = axis;
  p->auto_x = TRUE;   /* a zoom in steps means nothing in seconds */
  if (axis != LM_X_STEP)
    p->steps.active = FALSE;   /* TensorBoard selects steps on a Step axis only */
}

LmXAxis
lm_plot_get_x_axis (LmPlot *p)
{
  return p->axis;
}

void
lm_plot_set_highlight (LmPlot *p, const char *run_name)
{
  g_free (p->highlight);
  p->highlight = g_strdup (run_name);
}

void
lm_plot_set_smoothing (LmPlot *p, double weight)
{
  p->smoothing = CLAMP (weight, 0.0, 0.999);
}

double
lm_plot_get_smoothing (LmPlot *p)
{
  return p->smoothing;
}

void
lm_plot_set_log_y (LmPlot *p, gboolean log_y)
{
  if (p->log_y == !!log_y)
    return;
  p->log_y = !!log_y;
  p->auto_y = TRUE;
}

gboolean
lm_plot_get_log_y (LmPlot *p)
{
  return p->log_y;
}

void
lm_plot_set_ignore_outliers (LmPlot *p, gboolean ignore)
{
  p->ignore_outliers = !!ignore;
}

void
lm_plot_set_tooltip_sort (LmPlot *p, LmTooltipSort sort)
{
  p->tooltip_sort = sort;
}

void
lm_plot_set_show_title (LmPlot *p, gboolean show)
{
  p->show_title = !!show;
}

void
lm_plot_set_show_legend (LmPlot *p, gboolean show)
{
  p->show_legend = !!show;
}

/* ------------------------------------------------------------------ view */

void
lm_plot_reset_view (LmPlot *p)
{
  p->auto_x = p->auto_y = TRUE;
}

gboolean
lm_plot_is_zoomed (LmPlot *p)
{
  return !p->auto_x || !p->auto_y;
}

void
lm_plot_get_view (LmPlot *p, double *x0, double *x1, double *y0, double *y1)
{
  if (x0) *x0 = p->rx0;
  if (x1) *x1 = p->rx1;
  if (y0) *y0 = p->ry0;
  if (y1) *y1 = p->ry1;
}

gboolean
lm_plot_pixel_to_data (LmPlot *p, double px, double py, double *x, double *y)
{
  double t;

  if (!p->rendered || p->area.width <= 0 || p->area.height <= 0)
    return FALSE;
  if (x)
    *x = p->rx0 + (px - p->area.x) / p->area.width * (p->rx1 - p->rx0);
  if (y)
    {
      t = 1.0 - (py - p->area.y) / p->area.height;
      if (p->log_y)
        *y = pow (10, log10 (p->ry0) + t * (log10 (p->ry1) - log10 (p->ry0)));
      else
        *y = p->ry0 + t * (p->ry1 - p->ry0);
    }
  return TRUE;
}

gboolean
lm_plot_data_to_pixel (LmPlot *p, double x, double y, double *px, double *py)
{
  if (!p->rendered)
    return FALSE;
  if (px)
    *px = lm_plot_x_to_px (p, x);
  if (py)
    *py = (p->log_y && y <= 0) ? NAN : lm_plot_y_to_px (p, y);
  return TRUE;
}

void
lm_plot_zoom_box (LmPlot *p, double px0, double py0, double px1, double py1)
{
  double x0, x1, y0, y1;

  if (!lm_plot_pixel_to_data (p, MIN (px0, px1), MAX (py0, py1), &x0, &y0)
      || !lm_plot_pixel_to_data (p, MAX (px0, px1), MIN (py0, py1), &x1, &y1))
    return;
  if (!(x1 > x0) || !(y1 > y0))
    return;
  p->vx0 = x0, p->vx1 = x1, p->vy0 = y0, p->vy1 = y1;
  p->auto_x = p->auto_y = FALSE;
}

void
lm_plot_zoom_x_range (LmPlot *p, double px0, double px1)
{
  double x0, x1;

  if (!lm_plot_pixel_to_data (p, MIN (px0, px1), 0, &x0, NULL)
      || !lm_plot_pixel_to_data (p, MAX (px0, px1), 0, &x1, NULL) || !(x1 > x0))
    return;
  p->vx0 = x0, p->vx1 = x1;
  p->auto_x = FALSE;
}

void
lm_plot_zoom_x_at (LmPlot *p, double px, double factor)
{
  double x;

  if (!lm_plot_pixel_to_data (p, px, 0, &x, NULL))
    return;
  p->vx0 = x - (x - p->rx0) * factor;
  p->vx1 = x + (p->rx1 - x) * factor;
  p->auto_x = FALSE;
}

void
lm_plot_pan_begin (LmPlot *p)
{
  p->pan_x0 = p->rx0, p->pan_x1 = p->rx1;
  p->pan_y0 = p->ry0, p->pan_y1 = p->ry1;
}

void
lm_plot_pan_move (LmPlot *p, double dx, double dy)
{
  double sx, sy;

  if (!p->rendered || p->area.width <= 0 || p->area.height <= 0)
    return;
  sx = dx / p->area.width * (p->pan_x1 - p->pan_x0);
  p->vx0 = p->pan_x0 - sx;
  p->vx1 = p->pan_x1 - sx;
  if (p->log_y)
    {
      double l0 = log10 (p->pan_y0), l1 = log10 (p->pan_y1);

      sy = dy / p->area.height * (l1 - l0);
      p->vy0 = pow (10, l0 + sy);
      p->vy1 = pow (10, l1 + sy);
    }
  else
    {
      sy = dy / p->area.height * (p->pan_y1 - p->pan_y0);
      p->vy0 = p->pan_y0 + sy;
      p->vy1 = p->pan_y1 + sy;
    }
  p->auto_x = p->auto_y = FALSE;
}

/* ----------------------------------------------------------------- text */

void
lm_plot_text (LmPlot *p, cairo_t *cr, const char *text, gboolean bold,
              double x, double y, double xalign, double yalign,
              const GdkRGBA *color, double *out_w, double *out_h)
{
  int w, h;

  pango_cairo_update_layout (cr, p->layout);
  pango_layout_set_font_description (p->layout, bold ? p->bold : p->font);
  pango_layout_set_text (p->layout, text, -1);
  pango_layout_get_pixel_size (p->layout, &w, &h);
  if (out_w)
    *out_w = w;
  if (out_h)
    *out_h = h;
  if (color == NULL)
    return;   /* measure only */
  gdk_cairo_set_source_rgba (cr, color);
  cairo_move_to (cr, x - w * xalign, y - h * yalign);
  pango_cairo_show_layout (cr, p->layout);
}

/* --------------------------------------------------------------- ranges */

static gboolean
data_x_range (LmPlot *p, double *x0, double *x1)
{
  gboolean any = FALSE;

  *x0 = INFINITY, *x1 = -INFINITY;
  for (guint i = 0; i < p->lines->len; i++)
    {
      LmPlotLine *l = g_ptr_array_index (p->lines, i);
      LmSeries *s = lm_plot_line_series (p, l);
      double a, b;

      if (s != NULL && lm_series_x_range (s, p->axis, &a, &b))
        {
          *x0 = MIN (*x0, a);
          *x1 = MAX (*x1, b);
          any = TRUE;
        }
    }
  return any;
}

static void
decimate_lines (LmPlot *p, double x0, double x1, guint columns)
{
  for (guint i = 0; i < p->lines->len; i++)
    {
      LmPlotLine *l = g_ptr_array_index (p->lines, i);
      LmSeries *s = lm_plot_line_series (p, l);
      LmDecimateParams params = { p->axis, x0, x1, columns, p->smoothing, p->log_y };

      if (s == NULL)
        {
          l->key_valid = FALSE;
          g_array_set_size (l->dec.raw, 0);
          g_array_set_size (l->dec.smooth, 0);
          g_array_set_size (l->dec.markers, 0);
          l->dec.n_in_view = 0;
          l->dec.y_min = INFINITY, l->dec.y_max = -INFINITY;
          continue;
        }
      if (l->key_valid && l->key_series == s && l->key_generation == s->generation
          && l->key_axis == p->axis && l->key_x0 == x0 && l->key_x1 == x1
          && l->key_columns == columns && l->key_smoothing == p->smoothing
          && l->key_log == p->log_y)
        continue;
      lm_series_decimate (s, &params, &l->dec);
      l->key_series = s;
      l->key_generation = s->generation;
      l->key_axis = p->axis;
      l->key_x0 = x0, l->key_x1 = x1;
      l->key_columns = columns;
      l->key_smoothing = p->smoothing;
      l->key_log = p->log_y;
      l->key_valid = TRUE;
    }
}

/* A margin line's lower and upper series, FALSE unless it has both. */
static gboolean
band_series (LmPlot *p, LmPlotLine *l, LmSeries **lower, LmSeries **upper)
{
  if (l->lower_tag == NULL)
    return FALSE;
  *lower = lm_run_get_series (l->run, l->lower_tag);
  *upper = lm_run_get_series (l->run, l->upper_tag);
  return *lower != NULL && *upper != NULL && lm_series_get_n (*lower) > 0
         && lm_series_get_n (*upper) > 0;
}

/* Widens [lo, hi] to the finite band values with x in [x0, x1] (> 0 on
 * a log scale): the band is part of what the chart shows. */
static void
band_extent (LmPlot *p, LmPlotLine *l, double x0, double x1, double *lo, double *hi)
{
  LmSeries *s[2];

  if (!band_series (p, l, &s[0], &s[1]))
    return;
  for (int b = 0; b < 2; b++)
    for (gsize k = 0; k < lm_series_get_n (s[b]); k++)
      {
        double x = lm_series_x (s[b], p->axis, k), v = s[b]->value[k];

        if (x >= x0 && x <= x1 && isfinite (v) && !(p->log_y && v <= 0))
          *lo = MIN (*lo, v), *hi = MAX (*hi, v);
      }
}

/* Which side of the plot area a band point is on: -1 left, 0 in, 1 right. */
static int
band_side (LmPlot *p, double px)
{
  return px < p->area.x - 1 ? -1 : px > p->area.x + p->area.width + 1 ? 1 : 0;
}

/* Traces one side of a band (b 1: the upper series left to right, 0:
 * the lower right to left) with a vertex per pixel column at most: the
 * points in a column give their highest (upper) or lowest (lower) value,
 * and of the points off the plot only those next to a point elsewhere
 * (the edges into the view) are kept.  A series of a million steps drew
 * a million vertices each frame.  Returns the vertices traced. */
static guint
trace_band_side (LmPlot *p, cairo_t *cr, LmSeries *s, int b)
{
  gsize n = lm_series_get_n (s);
  guint traced = 0;
  gboolean have = FALSE;
  double col = 0, cx = 0, cy = 0;
  int prev_side = 2;

  for (gsize j = 0; j < n; j++)
    {
      gsize k = b == 1 ? j : n - 1 - j, next = b == 1 ? j + 1 : n - 2 - j;
      double v = s->value[k], px, py;
      int side, next_side = 2;

      if (!isfinite (v) || (p->log_y && v <= 0))
        continue;
      px = lm_plot_x_to_px (p, lm_series_x (s, p->axis, k));
      py = lm_plot_y_to_px (p, v);
      side = band_side (p, px);
      if (j + 1 < n)
        next_side = band_side (p, lm_plot_x_to_px (p, lm_series_x (s, p->axis, next)));
      if (side != 0 && side == prev_side && side == next_side)
        continue;
      prev_side = side;
      /* same column as the pending vertex: keep the outer value */
      if (have && side == 0 && floor (px) == col)
        {
          if (b == 1 ? py < cy : py > cy)
            cx = px, cy = py;
          continue;
        }
      if (have)
        {
          cairo_line_to (cr, cx, cy);
          traced++;
        }
      have = TRUE;
      col = side == 0 ? floor (px) : NAN;
      cx = px, cy = py;
    }
  if (have)
    {
      cairo_line_to (cr, cx, cy);
      traced++;
    }
  return traced;
}

/* A margin chart's band: the upper points left to right, the lower
 * right to left, filled in the line's colour at a fifth of its opacity
 * (TensorBoard's margin chart).  Non-finite points are left out. */
static void
draw_band (LmPlot *p, cairo_t *cr, LmPlotLine *l, double fade)
{
  LmSeries *s[2];
  guint traced = 0;

  if (!band_series (p, l, &s[0], &s[1]))
    return;
  cairo_new_path (cr);
  for (int b = 1; b >= 0; b--)
    traced += trace_band_side (p, cr, s[b], b);
  if (traced == 0)
    return;
  cairo_close_path (cr);
  cairo_set_source_rgba (cr, l->color.red, l->color.green, l->color.blue, 0.2 * fade);
  cairo_fill (cr);
  p->n_bands_drawn++;
  p->n_band_vertices += traced;
}

static gboolean
auto_y_range (LmPlot *p, double x0, double x1, double *y0, double *y1)
{
  double lo = INFINITY, hi = -INFINITY;

  for (guint i = 0; i < p->lines->len; i++)
    {
      LmPlotLine *l = g_ptr_array_index (p->lines, i);

      lo = MIN (lo, l->dec.y_min);
      hi = MAX (hi, l->dec.y_max);
      band_extent (p, l, x0, x1, &lo, &hi);
    }
  if (!(hi >= lo))
    return FALSE;

  if (p->ignore_outliers)
    {
      /* TensorBoard's rule (line_chart_v2 computeDataSeriesExtent): the
       * values of the lines drawn in full colour (the smoothed ones when
       * smoothing is on) of the shown runs, without those outside the
       * 5th..95th percentile. */
      GArray *vals = g_array_new (FALSE, FALSE, sizeof (double));
      gsize per_run = MAX ((gsize) 500, 40000 / MAX (p->lines->len, 1u));

      for (guint i = 0; i < p->lines->len; i++)
        {
          LmPlotLine *l = g_ptr_array_index (p->lines, i);
          LmSeries *s = lm_plot_line_series (p, l);

          if (s != NULL)
            lm_series_sample_values (s, p->axis, x0, x1, p->smoothing, p->log_y, per_run,
                                     vals);
        }
      lm_values_outlier_extent ((double *) vals->data, vals->len, &lo, &hi);
      g_array_unref (vals);
    }

  if (p->log_y)
    {
      double l0 = log10 (lo), l1 = log10 (hi), pad;

      if (l1 - l0 < 1e-9)
        l0 -= 0.5, l1 += 0.5;
      pad = (l1 - l0) * 0.05;
      *y0 = pow (10, l0 - pad);
      *y1 = pow (10, l1 + pad);
    }
  else
    {
      double span = hi - lo;
      double pad = span > 0 ? span * 0.05 : MAX (fabs (lo) * 0.1, 1e-3);

      *y0 = lo - pad;
      *y1 = hi + pad;
    }
  return TRUE;
}

/* ---------------------------------------------------------------- render */

static LmAxisKind
x_axis_kind (LmXAxis axis)
{
  switch (axis)
    {
    case LM_X_RELATIVE:
      return LM_AXIS_RELATIVE;
    case LM_X_WALL:
      return LM_AXIS_WALL;
    case LM_X_STEP:
    default:
      return LM_AXIS_STEP;
    }
}

static void
marker_glyph (cairo_t *cr, LmMarkKind kind, double x, double top, double bottom)
{
  switch (kind)
    {
    case LM_MARK_POSINF:   /* pointing up, off the top */
      cairo_move_to (cr, x, top);
      cairo_line_to (cr, x - 4, top + 7);
      cairo_line_to (cr, x + 4, top + 7);
      cairo_close_path (cr);
      break;
    case LM_MARK_NEGINF:   /* pointing down, off the bottom */
      cairo_move_to (cr, x, bottom);
      cairo_line_to (cr, x - 4, bottom - 7);
      cairo_line_to (cr, x + 4, bottom - 7);
      cairo_close_path (cr);
      break;
    case LM_MARK_NAN:
    default:
      cairo_new_sub_path (cr);
      cairo_arc (cr, x, top + 4, 3.2, 0, 2 * G_PI);
      break;
    }
}

static int
compare_px (gconstpointer a, gconstpointer b)
{
  double da = *(const double *) a, db = *(const double *) b;

  return da < db ? -1 : (da > db);
}

/* NaN and +-Inf values: a dot (NaN) or a triangle (+Inf at the top, -Inf
 * at the bottom) each; where many follow each other (a run that diverged)
 * they merge into a bar along the edge. */
static void
draw_markers (LmPlot *p, cairo_t *cr, LmPlotLine *l)
{
  double top = p->area.y + 1, bottom = p->area.y + p->area.height - 1;
  GArray *xs = g_array_new (FALSE, FALSE, sizeof (double));

  for (int kind = LM_MARK_NAN; kind <= LM_MARK_NEGINF; kind++)
    {
      g_array_set_size (xs, 0);
      for (guint i = 0; i < l->dec.markers->len; i++)
        {
          LmMarker *m = &g_array_index (l->dec.markers, LmMarker, i);
          double x = lm_plot_x_to_px (p, m->x);

          if ((int) m->kind == kind && x >= p->area.x - 1 && x <= p->area.x + p->area.width + 1)
            g_array_append_val (xs, x);
        }
      g_array_sort (xs, compare_px);
      for (guint i = 0; i < xs->len;)
        {
          double x0 = g_array_index (xs, double, i), x1 = x0;
          double y = kind == LM_MARK_NEGINF ? bottom - 3 : top + 3;
          guint j = i + 1;

          while (j < xs->len && g_array_index (xs, double, j) - x1 <= 6)
            x1 = g_array_index (xs, double, j++);
          cairo_new_path (cr);
          if (j - i == 1)
            marker_glyph (cr, kind, x0, top, bottom);
          else
            {
              cairo_move_to (cr, x0, y);
              cairo_line_to (cr, x1, y);
              gdk_cairo_set_source_rgba (cr, &l->color);
              cairo_set_line_width (cr, 4);
              cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
              cairo_stroke (cr);
              marker_glyph (cr, kind, x0, top, bottom);
              marker_glyph (cr, kind, x1, top, bottom);
            }
          gdk_cairo_set_source_rgba (cr, &l->color);
          cairo_fill_preserve (cr);
          lm_theme_set_ink (cr, 0.45);
          cairo_set_line_width (cr, 0.7);
          cairo_stroke (cr);
          i = j;
        }
    }
  g_array_unref (xs);
}

/* Length of the folder prefix ("sweep/") all the named runs share, so the
 * legend can show what tells them apart. */
static gsize
common_folder_prefix (LmPlot *p)
{
  const char *first = NULL;
  gsize len = 0;

  for (guint i = 0; i < p->lines->len; i++)
    {
      LmPlotLine *l = g_ptr_array_index (p->lines, i);
      const char *name = lm_run_get_name (l->run);
      gsize k = 0;

      if (lm_plot_line_series (p, l) == NULL)
        continue;
      if (first == NULL)
        {
          const char *slash = strrchr (name, '/');

          first = name;
          len = slash ? (gsize) (slash - name + 1) : 0;
          continue;
        }
      while (k < len && name[k] == first[k])
        k++;
      len = k;
    }
  while (len > 0 && first[len - 1] != '/')
    len--;
  return len;
}

static void
draw_legend (LmPlot *p, cairo_t *cr, double x, double y, double max_x)
{
  guint shown = 0, with_data = 0;
  gsize skip = common_folder_prefix (p);
  LmRun *one_run = NULL;
  gboolean several_runs = FALSE;

  for (guint i = 0; i < p->lines->len; i++)
    {
      LmPlotLine *l = g_ptr_array_index (p->lines, i);

      if (lm_plot_line_series (p, l) == NULL)
        continue;
      with_data++;
      several_runs |= one_run != NULL && l->run != one_run;
      one_run = l->run;
    }
  /* A single run keeps its full name (a custom chart's lines of one run
   * too). */
  if (!several_runs)
    skip = 0;

  for (guint i = 0; i < p->lines->len; i++)
    {
      LmPlotLine *l = g_ptr_array_index (p->lines, i);
      /* a custom chart's "run · tag" drops the runs' folder as a run's
       * name does */
      const char *name = lm_plot_line_label (l) + skip;
      g_autofree char *short_name = NULL;
      double w, h;
      char more[32];
      double more_w = 0;

      if (lm_plot_line_series (p, l) == NULL)
        continue;
      lm_plot_text (p, cr, name, FALSE, 0, 0, 0, 0, NULL, &w, &h);
      if (shown + 1 < with_data)
        {
          g_snprintf (more, sizeof more, "+%u more", with_data - shown - 1);
          lm_plot_text (p, cr, more, FALSE, 0, 0, 0, 0, NULL, &more_w, NULL);
        }
      if (shown == 0 && x + 18 + w + (shown + 1 < with_data ? 12 + more_w : 0) > max_x)
        {
          /* not even the first entry fits (a long "run · tag"): shorten it
           * in the middle rather than show "+N more" alone */
          double room = max_x - x - 18 - (shown + 1 < with_data ? 12 + more_w : 0);
          glong n = g_utf8_strlen (name, -1), lo = 1, hi = n - 1;
          double short_w = 0;

          /* the fewest characters cut that fit: a bisection, a handful
           * of measurements per frame rather than one per character */
          while (lo <= hi)
            {
              glong cut = (lo + hi) / 2;
              glong keep_head = (n - cut + 1) / 2, keep_tail = (n - cut) / 2;
              const char *tail = g_utf8_offset_to_pointer (name, n - keep_tail);
              g_autofree char *head = g_utf8_substring (name, 0, keep_head);
              g_autofree char *cand = g_strconcat (head, "\u2026", tail, NULL);
              double cw;

              lm_plot_text (p, cr, cand, FALSE, 0, 0, 0, 0, NULL, &cw, NULL);
              if (cw <= room)
                {
                  g_free (short_name);
                  short_name = g_steal_pointer (&cand);
                  short_w = cw;
                  hi = cut - 1;
                }
              else
                lo = cut + 1;
            }
          if (short_name != NULL && room > 40)
            {
              name = short_name;
              w = short_w;
            }
        }
      if (x + 18 + w + (shown + 1 < with_data ? 12 + more_w : 0) > max_x)
        {
          g_snprintf (more, sizeof more, "+%u more", with_data - shown);
          lm_plot_text (p, cr, more, FALSE, x, y, 0, 0.5, &lm_theme_colors ()->muted, NULL, NULL);
          return;
        }
      gdk_cairo_set_source_rgba (cr, &l->color);
      cairo_set_line_width (cr, l->dash > 0 ? 2 : 3);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      lm_plot_set_dash (cr, l->dash);
      cairo_move_to (cr, x + 2, y);
      cairo_line_to (cr, x + 13, y);
      cairo_stroke (cr);
      lm_plot_set_dash (cr, 0);
      lm_plot_text (p, cr, name, FALSE, x + 18, y, 0, 0.5, &lm_theme_colors ()->text, NULL, NULL);
      x += 18 + w + 12;
      shown++;
      p->n_legend_named++;
      g_string_append_printf (p->legend, "%s%s", p->legend->len ? "\n" : "", name);
    }
}

void
lm_plot_render (LmPlot          *p,
                cairo_surface_t *image,
                int              width,
                int              height,
                double           scale)
{
  cairo_t *cr = cairo_create (image);
  double x0, x1, y0 = 0, y1 = 1, top = PAD_TOP, bottom, left = 52, plot_w;
  LmTick yt[LM_AXIS_MAX_TICKS], xt[LM_AXIS_MAX_TICKS];
  guint nyt = 0, nxt, columns;
  gboolean have_x, no_positive = FALSE;

  cairo_scale (cr, scale, scale);
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->bg);
  cairo_paint (cr);

  if (p->show_title)
    {
      double th;

      lm_plot_text (p, cr, p->tag, TRUE, 12, top, 0, 0, &lm_theme_colors ()->title, NULL, &th);
      top += th + 6;
    }
  bottom = height - 6 - TICK_LABEL_H - (p->show_legend ? LEGEND_H : 0);

  have_x = data_x_range (p, &x0, &x1);
  if (!p->auto_x)
    x0 = p->vx0, x1 = p->vx1, have_x = TRUE;
  if (have_x && !(x1 > x0))
    {
      double d = MAX (fabs (x0) * 0.05, 1.0);

      x0 -= d, x1 += d;
    }

  /* The left margin depends on the y labels, which depend on the y range,
   * which depends on the decimation width: settle it in two passes. */
  if (p->rendered && p->last_width == width && p->area.x > 0)
    left = p->area.x;
  for (int pass = 0; pass < 2; pass++)
    {
      double widest = 0;

      plot_w = MAX (10.0, width - left - PAD_RIGHT);
      columns = (guint) MAX (1.0, floor (plot_w * scale));
      if (have_x)
        decimate_lines (p, x0, x1, columns);
      if (!p->auto_y)
        y0 = p->vy0, y1 = p->vy1;
      else if (!have_x || !auto_y_range (p, x0, x1, &y0, &y1))
        {
          y0 = p->log_y ? 0.1 : 0.0;
          y1 = p->log_y ? 10.0 : 1.0;
          no_positive = have_x && p->log_y;
        }
      else
        no_positive = FALSE;
      nyt = lm_axis_ticks (LM_AXIS_VALUE, p->log_y, y0, y1,
                           (guint) MAX (2.0, (bottom - top) / 42.0), yt);
      for (guint i = 0; i < nyt; i++)
        {
          double w;

          lm_plot_text (p, cr, yt[i].label, FALSE, 0, 0, 0, 0, NULL, &w, NULL);
          widest = MAX (widest, w);
        }
      if (fabs ((widest + 14) - left) < 0.5)
        break;
      left = widest + 14;
    }

  p->area = (LmRect) { left, top, plot_w, MAX (10.0, bottom - top) };
  p->rx0 = have_x ? x0 : 0, p->rx1 = have_x ? x1 : 1;
  p->ry0 = y0, p->ry1 = y1;
  p->last_width = width, p->last_height = height, p->last_scale = scale;
  p->rendered = TRUE;
  p->has_data = FALSE;

  /* Grid and y labels.  Labels at the ends of an axis are moved inward to
   * lie inside the chart, or left out (lm_axis_place_labels). */
  cairo_set_line_width (cr, 1);
  nxt = lm_axis_ticks (x_axis_kind (p->axis), FALSE, p->rx0, p->rx1,
                       (guint) MAX (2.0, plot_w / 90.0), xt);
  for (int horizontal = 0; horizontal < 2; horizontal++)
    {
      LmTick *t = horizontal ? xt : yt;
      guint n = horizontal ? nxt : nyt;
      double at[LM_AXIS_MAX_TICKS], size[LM_AXIS_MAX_TICKS], start[LM_AXIS_MAX_TICKS];

      for (guint i = 0; i < n; i++)
        {
          double w, h;

          at[i] = floor (horizontal ? lm_plot_x_to_px (p, t[i].value) : lm_plot_y_to_px (p, t[i].value)) + 0.5;
          lm_plot_text (p, cr, t[i].label, FALSE, 0, 0, 0, 0, NULL, &w, &h);
          size[i] = horizontal ? w : h;
          gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->grid);
          cairo_move_to (cr, horizontal ? at[i] : left, horizontal ? top : at[i]);
          cairo_line_to (cr, horizontal ? at[i] : left + plot_w, horizontal ? top + p->area.height : at[i]);
          cairo_stroke (cr);
        }
      lm_axis_place_labels (at, size, n, 1, (horizontal ? width : height) - 1, horizontal ? 8 : 0, start);
      for (guint i = 0; i < n; i++)
        if (!isnan (start[i]) && horizontal)
          lm_plot_text (p, cr, t[i].label, FALSE, start[i], top + p->area.height + 3, 0, 0,
                        &lm_theme_colors ()->muted, NULL, NULL);
        else if (!isnan (start[i]))
          lm_plot_text (p, cr, t[i].label, FALSE, left - 6, start[i], 1, 0, &lm_theme_colors ()->muted,
                        NULL, NULL);
    }

  /* Lines: faint raw lines first, then the solid ones on top. */
  cairo_save (cr);
  cairo_rectangle (cr, left, top, plot_w, p->area.height);
  cairo_clip (cr);
  p->n_bands_drawn = 0;
  p->n_band_vertices = 0;
  p->n_legend_named = 0;
  g_string_truncate (p->legend, 0);
  for (guint i = 0; i < p->lines->len; i++)
    {
      LmPlotLine *l = g_ptr_array_index (p->lines, i);
      gboolean faded = p->highlight != NULL && strcmp (lm_run_get_name (l->run), p->highlight) != 0;

      draw_band (p, cr, l, faded ? 0.25 : 1.0);
    }
  /* Layer 2 redraws a highlighted run on top of everything. */
  for (int layer = 0; layer < 3; layer++)
    for (guint i = 0; i < p->lines->len; i++)
      {
        LmPlotLine *l = g_ptr_array_index (p->lines, i);
        gboolean dense = l->dec.n_in_view > columns;
        gboolean smooth = p->smoothing > 0 && l->dec.smooth->len > 0;
        gboolean is_hl = p->highlight != NULL && strcmp (lm_run_get_name (l->run), p->highlight) == 0;
        double fade = p->highlight != NULL && !is_hl ? 0.25 : 1.0;

        /* A series of NaN/Inf only has no line but still has its markers
         * (a loss that is NaN from the first step must not look empty). */
        gboolean line = l->dec.raw->len > 0;

        if ((!line && l->dec.markers->len == 0) || (layer == 2 && !is_hl))
          continue;
        /* a dashed line is stroked (the spans have no dashes) */
        if (l->dash > 0)
          dense = FALSE;
        cairo_save (cr);
        lm_plot_set_dash (cr, l->dash);
        if (layer == 0 && smooth && line)
          lm_plot_draw_line (p, cr, image, scale, l->dec.raw, dense, &l->color,
                             RAW_ALPHA_SMOOTHED * fade, LINE_WIDTH);
        else if (layer == 1 && !is_hl && line)
          lm_plot_draw_line (p, cr, image, scale, smooth ? l->dec.smooth : l->dec.raw,
                             dense, &l->color, fade, LINE_WIDTH);
        else if (layer == 2 && line)
          lm_plot_draw_line (p, cr, image, scale, smooth ? l->dec.smooth : l->dec.raw,
                             dense, &l->color, 1.0, 2 * LINE_WIDTH);
        cairo_restore (cr);
        if ((layer == 1 && !is_hl) || layer == 2)
          draw_markers (p, cr, l);
        if (l->dec.n_in_view > 0 || l->dec.markers->len > 0)
          p->has_data = TRUE;
      }
  cairo_restore (cr);

  /* Axis lines. */
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->axis);
  cairo_move_to (cr, floor (left) + 0.5, top);
  cairo_line_to (cr, floor (left) + 0.5, floor (top + p->area.height) + 0.5);
  cairo_line_to (cr, left + plot_w, floor (top + p->area.height) + 0.5);
  cairo_stroke (cr);

  if (!have_x || no_positive)
    lm_plot_text (p, cr, !have_x ? (p->lines->len ? "No data yet for the shown runs" : "No runs shown")
                                 : "No positive values to show on a log scale",
                  FALSE, left + plot_w / 2, top + p->area.height / 2, 0.5, 0.5,
                  &lm_theme_colors ()->faint, NULL, NULL);

  if (p->show_legend)
    draw_legend (p, cr, left, height - 4 - LEGEND_H / 2, width - PAD_RIGHT);

  cairo_destroy (cr);
  cairo_surface_flush (image);
}

LmRect
lm_plot_get_area (LmPlot *p)
{
  return p->area;
}

gboolean
lm_plot_has_data (LmPlot *p)
{
  return p->has_data;
}
