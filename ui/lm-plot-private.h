/* lm-plot-private.h: LmPlot internals shared by lm-plot*.c.
 *
 * What it is for: the plot struct (view state, per-run decimation caches,
 * last layout) and the line rasteriser entry points.  Not for other code.
 */
#pragma once

#include <math.h>
#include <pango/pangocairo.h>

#include "lm-plot.h"
#include "lm-theme.h"

G_BEGIN_DECLS

typedef struct
{
  LmRun *run;
  /* A custom chart's line (lm_plot_set_custom): its own tag (NULL: the
   * plot's), its name in the legend and tooltip (NULL: the run's), and a
   * margin chart's band between the run's lower and upper tags. */
  char *tag, *label;
  char *lower_tag, *upper_tag;
  guint dash;               /* a multiline chart's pattern for the tag (0: solid) */
  GdkRGBA color;
  LmDecimation dec;
  /* Cache key: the decimation is reused while all of these match. */
  LmSeries *key_series;
  guint64 key_generation;
  LmXAxis key_axis;
  double key_x0, key_x1, key_smoothing;
  guint key_columns;
  gboolean key_log;
  gboolean key_valid;
} LmPlotLine;

struct _LmPlot
{
  char *tag;
  /* A custom-scalars chart (lm_plot_set_custom), NULL for a tag's chart;
   * the layout keeps the chart alive. */
  LmCustomScalars *custom_layout;
  const LmCustomChart *custom;
  guint n_bands_drawn;      /* margin bands filled by the last render */
  guint n_band_vertices;    /* their outlines' vertices */
  guint n_legend_named;     /* legend entries drawn with their name, last render */
  GString *legend;          /* their names as drawn, a line each (tests) */
  GPtrArray *lines;         /* LmPlotLine* */
  LmXAxis axis;
  double smoothing;
  gboolean log_y;
  gboolean ignore_outliers;
  LmTooltipSort tooltip_sort;
  gboolean show_title;
  gboolean show_legend;
  char *highlight;          /* run drawn on top, the others faded; NULL: none */
  LmStepSelection steps;    /* step selection (lm-plot-steps.c) */

  /* View: fixed ranges apply when the auto flag is off. */
  gboolean auto_x, auto_y;
  double vx0, vx1, vy0, vy1;
  /* Pan start. */
  double pan_x0, pan_x1, pan_y0, pan_y1;

  /* Last render: the plot area and the ranges it showed. */
  LmRect area;
  double rx0, rx1, ry0, ry1;
  int last_width, last_height;
  double last_scale;
  gboolean rendered;
  gboolean has_data;

  PangoLayout *layout;      /* reused for every label */
  PangoFontDescription *font;
  PangoFontDescription *bold;
};

/* The series a line draws, NULL if its run has none. */
static inline LmSeries *
lm_plot_line_series (const LmPlot *p, const LmPlotLine *l)
{
  return lm_run_get_series (l->run, l->tag != NULL ? l->tag : p->tag);
}

static inline const char *
lm_plot_line_label (const LmPlotLine *l)
{
  return l->label != NULL ? l->label : lm_run_get_name (l->run);
}

/* Sets the dash of a custom chart's tag (lm_plot_set_custom) on cr;
 * 0 is solid. */
void lm_plot_set_dash (cairo_t *cr, guint dash);

/* y in data units -> pixel, honouring log scale. */
static inline double
lm_plot_y_to_px (const LmPlot *p, double y)
{
  double t;

  if (p->log_y)
    t = (log10 (y) - log10 (p->ry0)) / (log10 (p->ry1) - log10 (p->ry0));
  else
    t = (y - p->ry0) / (p->ry1 - p->ry0);
  return p->area.y + p->area.height * (1.0 - t);
}

static inline double
lm_plot_x_to_px (const LmPlot *p, double x)
{
  return p->area.x + (x - p->rx0) / (p->rx1 - p->rx0) * p->area.width;
}

/* Draws a decimated line (data units) into the image: spans when dense,
 * a cairo stroke otherwise.  `cr` draws on `image` with the device scale
 * already applied. */
void lm_plot_draw_line (LmPlot          *plot,
                        cairo_t         *cr,
                        cairo_surface_t *image,
                        double           scale,
                        GArray          *points,
                        gboolean         dense,
                        const GdkRGBA   *color,
                        double           alpha,
                        double           line_width);

void lm_plot_text (LmPlot *plot, cairo_t *cr, const char *text, gboolean bold,
                   double x, double y, double xalign, double yalign,
                   const GdkRGBA *color, double *out_w, double *out_h);   /* color NULL: measure only */

G_END_DECLS
