/* lm-plot-steps.c: LmPlot's step selection and its data table.
 *
 * What it is for: TensorBoard's "step selection and data table": the
 * selected step (or range of steps) of a card, each shown run's point at
 * or before that step (raw and smoothed value, step, relative time), or
 * over a range its start and end value, change, min, max and mean; the
 * same rows as tab-separated text; the selector lines and handles drawn
 * over the chart.  Steps only: on a time axis there is no selection.
 *
 * What it is not for: input (LmChart) or the table widget (LmScalarCard).
 */
#include "lm-plot-private.h"
#include "lm-axis.h"

#include <math.h>

/* Index of the last point with step <= step, or -1 (series are sorted by
 * step). */
static gssize
at_or_before (const LmSeries *s, gint64 step)
{
  gsize lo = 0, hi = lm_series_get_n (s);

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (lm_series_step (s, mid) <= step)
        lo = mid + 1;
      else
        hi = mid;
    }
  return (gssize) lo - 1;
}

static LmSeries *
line_series (LmPlot *p, guint i)
{
  LmPlotLine *l = g_ptr_array_index (p->lines, i);
  LmSeries *s = lm_plot_line_series (p, l);

  return s != NULL && lm_series_get_n (s) > 0 ? s : NULL;
}

LmStepSelection
lm_step_selection_normalize (const LmStepSelection *sel)
{
  LmStepSelection out = { 0 };

  if (sel == NULL || !sel->active)
    return out;
  out = *sel;
  out.active = TRUE;
  out.range = !!sel->range;
  if (!sel->range)
    out.end = sel->start;
  else if (sel->end < sel->start)
    out.start = sel->end, out.end = sel->start;
  return out;
}

gboolean
lm_step_selection_equal (const LmStepSelection *a, const LmStepSelection *b)
{
  LmStepSelection x = lm_step_selection_normalize (a), y = lm_step_selection_normalize (b);

  return x.active == y.active && x.range == y.range && x.start == y.start && x.end == y.end;
}

void
lm_plot_set_step_selection (LmPlot *p, const LmStepSelection *sel)
{
  p->steps = p->axis == LM_X_STEP ? lm_step_selection_normalize (sel) : (LmStepSelection) { 0 };
}

LmStepSelection
lm_plot_get_step_selection (LmPlot *p)
{
  return p->steps;
}

gboolean
lm_plot_step_at_pixel (LmPlot *p, double px, gint64 *step)
{
  double x, best_d = INFINITY;
  gboolean found = FALSE;

  if (p->axis != LM_X_STEP || !lm_plot_pixel_to_data (p, px, 0, &x, NULL))
    return FALSE;
  for (guint i = 0; i < p->lines->len; i++)
    {
      LmSeries *s = line_series (p, i);
      gsize k;
      double d;

      if (s == NULL)
        continue;
      k = lm_series_nearest (s, LM_X_STEP, x);
      d = fabs ((double) lm_series_step (s, k) - x);
      /* ties go to the smaller step, as at_or_before would */
      if (d < best_d || (d == best_d && lm_series_step (s, k) < *step))
        {
          best_d = d;
          *step = lm_series_step (s, k);
          found = TRUE;
        }
    }
  return found;
}

gboolean
lm_plot_adjacent_step (LmPlot *p, gint64 step, int dir, gint64 *out)
{
  gboolean found = FALSE;

  for (guint i = 0; i < p->lines->len; i++)
    {
      LmSeries *s = line_series (p, i);
      gssize k;
      gint64 cand;

      if (s == NULL)
        continue;
      k = at_or_before (s, dir < 0 ? step - 1 : step);
      if (dir < 0)
        {
          if (k < 0)
            continue;
        }
      else if ((gsize) ++k >= lm_series_get_n (s))
        continue;
      cand = lm_series_step (s, (gsize) k);
      if (!found || (dir < 0 ? cand > *out : cand < *out))
        *out = cand;
      found = TRUE;
    }
  return found;
}

double
lm_plot_step_to_pixel (LmPlot *p, gint64 step)
{
  return lm_plot_x_to_px (p, (double) step);
}

static void
range_stats (LmPlot *p, LmSeries *s, LmStepRow *row)
{
  gssize first = at_or_before (s, p->steps.start - 1) + 1, last = at_or_before (s, p->steps.end);
  double sum = 0;
  guint n_numbers = 0;

  row->start_value = row->end_value = row->change = row->min = row->max = row->mean = NAN;
  row->start_step = row->end_step = 0;
  if (last < first)
    return;
  row->n = (guint) (last - first + 1);
  row->start_step = lm_series_step (s, (gsize) first);
  row->end_step = lm_series_step (s, (gsize) last);
  row->start_value = s->value[first];
  row->end_value = s->value[last];
  row->change = row->end_value - row->start_value;
  for (gssize k = first; k <= last; k++)
    {
      double v = s->value[k];

      /* NaN steps are left out of min, max and mean alike (the mean of
       * the values logged as numbers; NaN when there are none) */
      if (!isnan (v))
        {
          row->min = isnan (row->min) ? v : MIN (row->min, v);
          row->max = isnan (row->max) ? v : MAX (row->max, v);
          sum += v;
          n_numbers++;
        }
    }
  row->mean = n_numbers > 0 ? sum / n_numbers : NAN;
}

GArray *
lm_plot_step_rows (LmPlot *p)
{
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (LmStepRow));

  if (!p->steps.active || p->axis != LM_X_STEP)
    return rows;
  for (guint i = 0; i < p->lines->len; i++)
    {
      LmPlotLine *l = g_ptr_array_index (p->lines, i);
      LmSeries *s = line_series (p, i);
      LmStepRow row = { 0 };
      gssize k;

      if (s == NULL)
        continue;
      row.run = l->run;
      row.label = lm_plot_line_label (l);
      row.color = l->color;
      if (p->steps.range)
        range_stats (p, s, &row);
      else
        {
          k = at_or_before (s, p->steps.start);
          if (k < 0)
            continue;
          row.step = lm_series_step (s, (gsize) k);
          row.value = s->value[k];
          row.smoothed = p->smoothing > 0 ? lm_series_smoothed_at (s, p->smoothing, (gsize) k) : row.value;
          row.wall = lm_series_wall_time (s, (gsize) k);
          row.relative = lm_series_x (s, LM_X_RELATIVE, (gsize) k);
        }
      g_array_append_val (rows, row);
    }
  return rows;
}

char *
lm_plot_step_text (LmPlot *p)
{
  g_autoptr (GArray) rows = NULL;
  GString *out;
  char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32];

  if (!p->steps.active || p->axis != LM_X_STEP)
    return NULL;
  rows = lm_plot_step_rows (p);
  out = g_string_new (p->steps.range ? "Run\tStart Step\tEnd Step\tStart Value\tEnd Value\tValue Change"
                                       "\tMin\tMax\tMean\n"
                                     : "Run\tSmoothed\tValue\tStep\tRelative\n");
  for (guint i = 0; i < rows->len; i++)
    {
      LmStepRow *r = &g_array_index (rows, LmStepRow, i);

      if (p->steps.range)
        {
          if (r->n == 0)
            {
              g_string_append_printf (out, "%s\t\t\t\t\t\t\t\t\n", r->label);
              continue;
            }
          lm_format_step (r->start_step, a, sizeof a);
          lm_format_step (r->end_step, b, sizeof b);
          lm_format_value (r->start_value, c, sizeof c);
          lm_format_value (r->end_value, d, sizeof d);
          lm_format_value (r->change, e, sizeof e);
          lm_format_value (r->min, f, sizeof f);
          lm_format_value (r->max, g, sizeof g);
          lm_format_value (r->mean, h, sizeof h);
          g_string_append_printf (out, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
                                  r->label, a, b, c, d, e, f, g, h);
        }
      else
        {
          lm_format_value (r->smoothed, a, sizeof a);
          lm_format_value (r->value, b, sizeof b);
          lm_format_step (r->step, c, sizeof c);
          lm_format_duration (r->relative, d, sizeof d);
          g_string_append_printf (out, "%s\t%s\t%s\t%s\t%s\n", r->label, a, b, c, d);
        }
    }
  return g_string_free (out, FALSE);
}

/* A selector: the line over the plot and, under it on the x axis, a
 * handle with the step in it (TensorBoard's fob). */
static void
draw_selector (LmPlot *p, cairo_t *cr, gint64 step)
{
  const LmThemeColors *tc = lm_theme_colors ();
  double x = lm_plot_step_to_pixel (p, step), w, h, bx, by, r = 3;
  char label[32];

  if (x < p->area.x - 0.5 || x > p->area.x + p->area.width + 0.5)
    return;
  x = floor (x) + 0.5;
  gdk_cairo_set_source_rgba (cr, &tc->accent);
  cairo_set_line_width (cr, 1.5);
  cairo_move_to (cr, x, p->area.y);
  cairo_line_to (cr, x, p->area.y + p->area.height);
  cairo_stroke (cr);

  lm_format_step (step, label, sizeof label);
  lm_plot_text (p, cr, label, FALSE, 0, 0, 0, 0, NULL, &w, &h);
  w += 8, h += 2;
  bx = CLAMP (x - w / 2, p->area.x - w / 2, p->area.x + p->area.width - w / 2);
  by = p->area.y + p->area.height + 1;
  cairo_new_sub_path (cr);
  cairo_arc (cr, bx + w - r, by + r, r, -G_PI / 2, 0);
  cairo_arc (cr, bx + w - r, by + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, bx + r, by + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, bx + r, by + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
  gdk_cairo_set_source_rgba (cr, &tc->accent);
  cairo_fill (cr);
  /* paper: white on the light theme's blue, dark on the dark theme's pale blue */
  lm_plot_text (p, cr, label, FALSE, bx + w / 2, by + h / 2, 0.5, 0.5, &tc->paper, NULL, NULL);
}

void
lm_plot_render_steps (LmPlot *p, cairo_t *cr)
{
  const LmThemeColors *tc = lm_theme_colors ();

  if (!p->rendered || !p->steps.active || p->axis != LM_X_STEP)
    return;
  cairo_save (cr);
  if (p->steps.range)
    {
      double x0 = CLAMP (lm_plot_step_to_pixel (p, p->steps.start), p->area.x, p->area.x + p->area.width);
      double x1 = CLAMP (lm_plot_step_to_pixel (p, p->steps.end), p->area.x, p->area.x + p->area.width);

      cairo_rectangle (cr, x0, p->area.y, x1 - x0, p->area.height);
      cairo_set_source_rgba (cr, tc->accent.red, tc->accent.green, tc->accent.blue, 0.10);
      cairo_fill (cr);
      draw_selector (p, cr, p->steps.start);
      draw_selector (p, cr, p->steps.end);
    }
  else
    {
      g_autoptr (GArray) rows = lm_plot_step_rows (p);

      draw_selector (p, cr, p->steps.start);
      /* each run's point at the step, as the hover dots */
      for (guint i = 0; i < rows->len; i++)
        {
          LmStepRow *r = &g_array_index (rows, LmStepRow, i);
          double shown = p->smoothing > 0 ? r->smoothed : r->value;
          double x = lm_plot_step_to_pixel (p, r->step), y;

          if (!isfinite (shown) || (p->log_y && shown <= 0))
            continue;
          y = lm_plot_y_to_px (p, shown);
          if (y < p->area.y - 1 || y > p->area.y + p->area.height + 1
              || x < p->area.x - 1 || x > p->area.x + p->area.width + 1)
            continue;
          /* a path of its own: the handle's label left a current point,
           * and an arc joins it with a line */
          cairo_new_path (cr);
          cairo_arc (cr, x, y, 3, 0, 2 * G_PI);
          gdk_cairo_set_source_rgba (cr, &r->color);
          cairo_fill_preserve (cr);
          lm_theme_set_paper (cr, 1);
          cairo_set_line_width (cr, 1);
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);
}
