/* lm-plot-hover.c: the hover readout and the exports of LmPlot.
 *
 * What it is for: for a pointer position, each shown run's nearest point
 * (step, value, smoothed value, times), drawn as a crosshair with dots and
 * a TensorBoard-style tooltip table inside the chart; the same rows as
 * text; and the PNG/CSV exports of a card.
 */
#include "lm-plot-private.h"
#include "lm-axis.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *tooltip_sort_names[] = { "default", "descending", "ascending", "nearest" };

gboolean
lm_tooltip_sort_from_string (const char *name, LmTooltipSort *sort)
{
  for (guint i = 0; i < G_N_ELEMENTS (tooltip_sort_names); i++)
    if (g_strcmp0 (name, tooltip_sort_names[i]) == 0)
      {
        *sort = (LmTooltipSort) i;
        return TRUE;
      }
  return FALSE;
}

const char *
lm_tooltip_sort_to_string (LmTooltipSort sort)
{
  return (guint) sort < G_N_ELEMENTS (tooltip_sort_names) ? tooltip_sort_names[sort] : "default";
}

typedef struct
{
  LmPlot *p;
  double py;
} SortBy;

/* A row's place in the tooltip order (smaller first); NaN goes last. */
static double
sort_key (const SortBy *by, const LmHoverRow *r)
{
  double shown = by->p->smoothing > 0 ? r->smoothed : r->value;

  switch (by->p->tooltip_sort)
    {
    case LM_TOOLTIP_SORT_DESCENDING:
      return -shown;
    case LM_TOOLTIP_SORT_ASCENDING:
      return shown;
    case LM_TOOLTIP_SORT_NEAREST:
    default:
      return isnan (r->py) ? NAN : fabs (r->py - by->py);
    }
}

static int
by_key (gconstpointer a, gconstpointer b, gpointer data)
{
  double ka = sort_key (data, a), kb = sort_key (data, b);

  if (isnan (ka) != isnan (kb))
    return isnan (ka) ? 1 : -1;
  return isnan (ka) || ka == kb ? 0 : ka < kb ? -1 : 1;
}

/* Puts rows in the plot's tooltip order; ties keep run order (GLib's
 * sort is stable). */
static void
sort_rows (LmPlot *p, GArray *rows, double py)
{
  SortBy by = { p, py };

  if (p->tooltip_sort != LM_TOOLTIP_SORT_DEFAULT)
    g_array_sort_with_data (rows, by_key, &by);
}

GArray *
lm_plot_hover_rows (LmPlot *p, double px, double py)
{
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (LmHoverRow));
  double x;

  if (!lm_plot_pixel_to_data (p, px, 0, &x, NULL))
    return rows;
  for (guint i = 0; i < p->lines->len; i++)
    {
      LmPlotLine *l = g_ptr_array_index (p->lines, i);
      LmSeries *s = lm_plot_line_series (p, l);
      LmHoverRow row = { 0 };
      gsize k;
      double shown;

      if (s == NULL || lm_series_get_n (s) == 0)
        continue;
      k = lm_series_nearest (s, p->axis, x);
      row.run = l->run;
      row.label = lm_plot_line_label (l);
      row.dash = l->dash;
      row.color = l->color;
      row.step = lm_series_step (s, k);
      row.value = s->value[k];
      row.smoothed = p->smoothing > 0 ? lm_series_smoothed_at (s, p->smoothing, k) : row.value;
      row.wall = lm_series_wall_time (s, k);
      row.relative = lm_series_x (s, LM_X_RELATIVE, k);
      row.px = lm_plot_x_to_px (p, lm_series_x (s, p->axis, k));
      shown = p->smoothing > 0 ? row.smoothed : row.value;
      row.py = (isfinite (shown) && !(p->log_y && shown <= 0)) ? lm_plot_y_to_px (p, shown) : NAN;
      g_array_append_val (rows, row);
    }
  sort_rows (p, rows, py);
  return rows;
}

char *
lm_plot_hover_text (LmPlot *p, double px, double py)
{
  g_autoptr (GArray) rows = lm_plot_hover_rows (p, px, py);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < rows->len; i++)
    {
      LmHoverRow *r = &g_array_index (rows, LmHoverRow, i);
      char v[32], sm[32], st[32];

      lm_format_value (r->value, v, sizeof v);
      lm_format_value (r->smoothed, sm, sizeof sm);
      lm_format_step (r->step, st, sizeof st);
      g_string_append_printf (out, "%s\tstep %s\tvalue %s\tsmoothed %s\n",
                              r->label, st, v, sm);
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  LmHoverRow *row;
  guint order;
  double dist;
} Pick;

static int
by_distance (gconstpointer a, gconstpointer b)
{
  const Pick *pa = a, *pb = b;

  return pa->dist < pb->dist ? -1 : (pa->dist > pb->dist);
}

static int
by_order (gconstpointer a, gconstpointer b)
{
  const Pick *pa = a, *pb = b;

  return (int) pa->order - (int) pb->order;
}

#define N_COLS 5

void
lm_plot_render_hover (LmPlot  *p,
                      cairo_t *cr,
                      double   px,
                      double   py,
                      int      width,
                      int      height)
{
  g_autoptr (GArray) rows = NULL;
  const char *heads[N_COLS] = { "Run", "Smoothed", "Value", "Step", "Relative" };
  gboolean show_col[N_COLS] = { TRUE, p->smoothing > 0, TRUE, TRUE, TRUE };
  double colw[N_COLS] = { 0 }, row_h = 16, pad = 6, sw = 14, box_w = 0, box_h, bx, by;
  guint max_rows, n_show, hidden;
  Pick *picks;
  char cell[N_COLS][48];

  if (!p->rendered || px < p->area.x || px > p->area.x + p->area.width)
    return;
  rows = lm_plot_hover_rows (p, px, py);
  if (rows->len == 0)
    return;

  /* Crosshair and dots. */
  cairo_save (cr);
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->crosshair);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, floor (px) + 0.5, p->area.y);
  cairo_line_to (cr, floor (px) + 0.5, p->area.y + p->area.height);
  cairo_stroke (cr);
  for (guint i = 0; i < rows->len; i++)
    {
      LmHoverRow *r = &g_array_index (rows, LmHoverRow, i);

      if (isnan (r->py) || r->py < p->area.y - 1 || r->py > p->area.y + p->area.height + 1
          || r->px < p->area.x - 1 || r->px > p->area.x + p->area.width + 1)
        continue;
      cairo_arc (cr, r->px, r->py, 3.5, 0, 2 * G_PI);
      lm_theme_set_paper (cr, 1);
      cairo_fill_preserve (cr);
      gdk_cairo_set_source_rgba (cr, &r->color);
      cairo_set_line_width (cr, 2);
      cairo_stroke (cr);
    }

  /* Which rows fit: all, or the ones nearest the pointer, in tooltip order. */
  max_rows = (guint) MAX (1.0, floor ((height - 2 * pad - row_h - 4) / row_h));
  picks = g_new (Pick, rows->len);
  for (guint i = 0; i < rows->len; i++)
    {
      LmHoverRow *r = &g_array_index (rows, LmHoverRow, i);

      picks[i].row = r;
      picks[i].order = i;
      picks[i].dist = isnan (r->py) ? INFINITY : fabs (r->py - py);
    }
  n_show = rows->len;
  hidden = 0;
  if (rows->len > max_rows)
    {
      n_show = max_rows > 1 ? max_rows - 1 : 1;
      hidden = rows->len - n_show;
      qsort (picks, rows->len, sizeof (Pick), by_distance);
      qsort (picks, n_show, sizeof (Pick), by_order);
    }

  /* Column widths. */
  for (int c = 0; c < N_COLS; c++)
    if (show_col[c])
      lm_plot_text (p, cr, heads[c], FALSE, 0, 0, 0, 0, NULL, &colw[c], NULL);
  for (guint i = 0; i < n_show; i++)
    {
      LmHoverRow *r = picks[i].row;

      g_strlcpy (cell[0], r->label, sizeof cell[0]);
      lm_format_value (r->smoothed, cell[1], sizeof cell[1]);
      lm_format_value (r->value, cell[2], sizeof cell[2]);
      lm_format_step (r->step, cell[3], sizeof cell[3]);
      lm_format_duration (r->relative, cell[4], sizeof cell[4]);
      for (int c = 0; c < N_COLS; c++)
        if (show_col[c])
          {
            double w;

            lm_plot_text (p, cr, cell[c], FALSE, 0, 0, 0, 0, NULL, &w, NULL);
            colw[c] = MAX (colw[c], w);
          }
    }
  colw[0] = MIN (colw[0], 220.0);
  /* Fit the chart: drop the relative time, then shorten run names. */
  for (int attempt = 0; attempt < 3; attempt++)
    {
      box_w = pad * 2 + sw;
      for (int c = 0; c < N_COLS; c++)
        if (show_col[c])
          box_w += colw[c] + 12;
      if (box_w <= width - 4)
        break;
      if (attempt == 0)
        show_col[4] = FALSE;
      else
        colw[0] = MAX (40.0, colw[0] - (box_w - (width - 4)));
    }
  box_h = pad * 2 + row_h * (n_show + 1 + (hidden ? 1 : 0));

  bx = px + 14;
  if (bx + box_w > width - 2)
    bx = px - 14 - box_w;
  bx = MAX (2.0, bx);
  by = CLAMP (py + 12, 2.0, MAX (2.0, height - box_h - 2));

  /* Box. */
  cairo_new_path (cr);
  {
    double rad = 4;

    cairo_arc (cr, bx + box_w - rad, by + rad, rad, -G_PI / 2, 0);
    cairo_arc (cr, bx + box_w - rad, by + box_h - rad, rad, 0, G_PI / 2);
    cairo_arc (cr, bx + rad, by + box_h - rad, rad, G_PI / 2, G_PI);
    cairo_arc (cr, bx + rad, by + rad, rad, G_PI, 3 * G_PI / 2);
    cairo_close_path (cr);
  }
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->tooltip_bg);
  cairo_fill_preserve (cr);
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->tooltip_border);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);

  /* Header and rows. */
  {
    double x = bx + pad + sw, y = by + pad + row_h / 2;

    for (int c = 0; c < N_COLS; c++)
      if (show_col[c])
        {
          lm_plot_text (p, cr, heads[c], FALSE, x, y, 0, 0.5, &lm_theme_colors ()->tooltip_muted, NULL, NULL);
          x += colw[c] + 12;
        }
  }
  for (guint i = 0; i < n_show; i++)
    {
      LmHoverRow *r = picks[i].row;
      double x = bx + pad, y = by + pad + row_h * (i + 1.5);

      gdk_cairo_set_source_rgba (cr, &r->color);
      if (r->dash > 0)
        {
          /* a custom chart's tag: its line's dash, as the legend */
          cairo_save (cr);
          lm_plot_set_dash (cr, r->dash);
          cairo_set_line_width (cr, 2);
          cairo_move_to (cr, x, y);
          cairo_line_to (cr, x + 11, y);
          cairo_stroke (cr);
          cairo_restore (cr);
        }
      else
        {
          cairo_rectangle (cr, x + 1, y - 4, 9, 8);
          cairo_fill (cr);
        }
      x += sw;
      g_strlcpy (cell[0], r->label, sizeof cell[0]);
      lm_format_value (r->smoothed, cell[1], sizeof cell[1]);
      lm_format_value (r->value, cell[2], sizeof cell[2]);
      lm_format_step (r->step, cell[3], sizeof cell[3]);
      lm_format_duration (r->relative, cell[4], sizeof cell[4]);
      for (int c = 0; c < N_COLS; c++)
        if (show_col[c])
          {
            cairo_save (cr);
            cairo_rectangle (cr, x, y - row_h / 2, colw[c] + 6, row_h);
            cairo_clip (cr);
            lm_plot_text (p, cr, cell[c], FALSE, x, y, 0, 0.5,
                          &lm_theme_colors ()->title, NULL, NULL);
            cairo_restore (cr);
            x += colw[c] + 12;
          }
    }
  if (hidden)
    {
      char more[64];

      g_snprintf (more, sizeof more, "+%u more runs (nearest shown)", hidden);
      lm_plot_text (p, cr, more, FALSE, bx + pad + sw, by + pad + row_h * (n_show + 1.5), 0, 0.5,
                    &lm_theme_colors ()->tooltip_muted, NULL, NULL);
    }
  g_free (picks);
  cairo_restore (cr);
}

/* --------------------------------------------------------------- exports */

static void
csv_field (GString *out, const char *s)
{
  if (strpbrk (s, ",\"\n\r") == NULL)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *c = s; *c; c++)
    {
      if (*c == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

/* NaN and the infinities as Python writes them: csv's "nan", "inf", and
 * json's NaN, Infinity (TensorBoard's downloads are made by them). */
static void
write_number (GString *out, double v, const char *fmt, gboolean json)
{
  if (isnan (v))
    g_string_append (out, json ? "NaN" : "nan");
  else if (isinf (v))
    g_string_append (out, json ? (v > 0 ? "Infinity" : "-Infinity") : (v > 0 ? "inf" : "-inf"));
  else
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append (out, g_ascii_formatd (buf, sizeof buf, fmt, v));
    }
}

/* A logged value: the series holds it as float32 (TensorBoard's events do
 * too), so write the fewest digits that read back as that float: the 0.1
 * the program logged, not its float's 0.100000001. */
static void
value_number (GString *out, float v, gboolean json)
{
  static const char *const fmts[] = { "%.6g", "%.7g", "%.8g", "%.9g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (v))
    {
      write_number (out, v, "%g", json);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (fmts); i++)   /* 9 digits always read back */
    {
      g_ascii_formatd (buf, sizeof buf, fmts[i], v);
      if ((float) g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_string_append (out, buf);
}

/* Exports hold every point: not while a run's rows are still being read
 * (its chart may be showing the file's summaries meanwhile). */
static gboolean
all_loaded (LmPlot *p, GError **error)
{
  for (guint i = 0; i < p->lines->len; i++)
    {
      LmPlotLine *l = g_ptr_array_index (p->lines, i);

      if (lm_plot_line_series (p, l) != NULL && !lm_run_get_loaded (l->run))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                       "run '%s' is still loading; export again once its \"loading…\" marker is gone",
                       lm_run_get_name (l->run));
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
lm_plot_write_csv (LmPlot *p, const char *path, GError **error)
{
  GString *out;
  gboolean ok;

  if (!all_loaded (p, error))
    return FALSE;
  out = g_string_new ("run,tag,step,wall_time,value,smoothed\n");

  /* Long format (one row per point) reads straight into pandas. */
  for (guint i = 0; i < p->lines->len; i++)
    {
      LmPlotLine *l = g_ptr_array_index (p->lines, i);
      LmSeries *s = lm_plot_line_series (p, l);
      gsize n = s ? lm_series_get_n (s) : 0;
      double *vals, *sm;

      if (n == 0)
        continue;
      vals = g_new (double, n);
      sm = g_new (double, n);
      for (gsize k = 0; k < n; k++)
        vals[k] = s->value[k];
      lm_smooth_values (vals, n, p->smoothing, sm);
      for (gsize k = 0; k < n; k++)
        {
          csv_field (out, lm_run_get_name (l->run));
          g_string_append_c (out, ',');
          csv_field (out, l->tag != NULL ? l->tag : p->tag);
          g_string_append_printf (out, ",%" G_GINT64_FORMAT ",", lm_series_step (s, k));
          write_number (out, lm_series_wall_time (s, k), "%.3f", FALSE);
          g_string_append_c (out, ',');
          value_number (out, s->value[k], FALSE);
          g_string_append_c (out, ',');
          value_number (out, (float) sm[k], FALSE);   /* as precise as its inputs */
          g_string_append_c (out, '\n');
        }
      g_free (vals);
      g_free (sm);
    }
  ok = g_file_set_contents (path, out->str, (gssize) out->len, error);
  g_string_free (out, TRUE);
  return ok;
}

/* JSON text of a run name (quotes, backslashes and control characters
 * escaped; the name is UTF-8 already). */
static void
json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *c = (const unsigned char *) s; *c; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_printf (out, "\\%c", *c);
      else if (*c < 0x20)
        g_string_append_printf (out, "\\u%04x", *c);
      else
        g_string_append_c (out, (char) *c);
    }
  g_string_append_c (out, '"');
}

gboolean
lm_plot_write_json (LmPlot *p, const char *path, GError **error)
{
  GString *out;
  gboolean ok, first = TRUE;

  if (!all_loaded (p, error))
    return FALSE;
  out = g_string_new ("{");
  /* {"run": [[wall_time, step, value], ...], ...}: each run's list is what
   * TensorBoard's "JSON" download link gives for that run and tag. */
  for (guint i = 0; i < p->lines->len; i++)
    {
      LmPlotLine *l = g_ptr_array_index (p->lines, i);
      LmSeries *s = lm_plot_line_series (p, l);
      gsize n = s ? lm_series_get_n (s) : 0;

      if (n == 0)
        continue;
      g_string_append (out, first ? "\n  " : ",\n  ");
      first = FALSE;
      json_string (out, lm_plot_line_label (l));
      g_string_append (out, ": [");
      for (gsize k = 0; k < n; k++)
        {
          g_string_append (out, k ? ", [" : "[");
          write_number (out, lm_series_wall_time (s, k), "%.3f", TRUE);
          g_string_append_printf (out, ", %" G_GINT64_FORMAT ", ", lm_series_step (s, k));
          value_number (out, s->value[k], TRUE);
          g_string_append_c (out, ']');
        }
      g_string_append_c (out, ']');
    }
  g_string_append (out, first ? "}\n" : "\n}\n");
  ok = g_file_set_contents (path, out->str, (gssize) out->len, error);
  g_string_free (out, TRUE);
  return ok;
}

gboolean
lm_plot_write_png (LmPlot     *p,
                   const char *path,
                   int         width,
                   int         height,
                   GError    **error)
{
  /* Exports render at twice the size for crisp text; the on-screen layout
   * (used by hover and zoom) is put back afterwards. */
  const double scale = 2.0;
  LmRect area = p->area;
  double rx0 = p->rx0, rx1 = p->rx1, ry0 = p->ry0, ry1 = p->ry1;
  int lw = p->last_width, lh = p->last_height;
  double ls = p->last_scale;
  gboolean title = p->show_title, legend = p->show_legend, rendered = p->rendered;
  cairo_surface_t *img;
  cairo_status_t st;

  if (width <= 0 || height <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "cannot export a %dx%d chart", width, height);
      return FALSE;
    }
  img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) (width * scale), (int) (height * scale));
  p->show_title = TRUE;
  p->show_legend = TRUE;
  lm_plot_render (p, img, width, height, scale);
  p->show_title = title, p->show_legend = legend;
  p->area = area;
  p->rx0 = rx0, p->rx1 = rx1, p->ry0 = ry0, p->ry1 = ry1;
  p->last_width = lw, p->last_height = lh, p->last_scale = ls;
  p->rendered = rendered;

  st = cairo_surface_write_to_png (img, path);
  cairo_surface_destroy (img);
  if (st != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s: %s",
                   path, st == CAIRO_STATUS_WRITE_ERROR ? g_strerror (errno) : cairo_status_to_string (st));
      return FALSE;
    }
  return TRUE;
}
