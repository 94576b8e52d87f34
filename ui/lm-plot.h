/* lm-plot.h: one scalar chart, drawn into an image surface.
 *
 * What it is for: everything a scalar card shows, independent of any
 * widget: the lines of a tag for a set of runs (decimated per device pixel
 * column, so every spike shows), smoothing over a faint raw line, NaN/Inf
 * markers, axes with readable ticks for step / relative / wall time, log
 * scale, "ignore outliers" scaling, zoom and pan state, the hover readout,
 * and PNG/CSV export.  LmChart wraps it in a GtkWidget; the benchmark and
 * the exporters use it offscreen.
 *
 * What it is not for: input handling (LmChart) or reading files (data/).
 * Dense lines are rasterised by hand as per-column spans straight into the
 * image (cairo's stroker is far too slow for 4 points per pixel column);
 * sparse lines use cairo strokes.
 */
#pragma once

#include <cairo.h>
#include <gdk/gdk.h>

#include "lumen-data.h"

G_BEGIN_DECLS

typedef struct _LmPlot LmPlot;

/* The order of the hover tooltip's rows, TensorBoard's "tooltip sorting
 * method": run order, by the value shown (smoothed when smoothing is on)
 * descending or ascending, or nearest the pointer first. */
typedef enum
{
  LM_TOOLTIP_SORT_DEFAULT = 0,
  LM_TOOLTIP_SORT_DESCENDING,
  LM_TOOLTIP_SORT_ASCENDING,
  LM_TOOLTIP_SORT_NEAREST,
} LmTooltipSort;

/* "default" / "descending" / "ascending" / "nearest" <-> LmTooltipSort. */
gboolean    lm_tooltip_sort_from_string (const char *name, LmTooltipSort *sort);
const char *lm_tooltip_sort_to_string   (LmTooltipSort sort);

typedef struct
{
  double x, y, width, height;
} LmRect;

/* What the hover readout shows for one run. */
typedef struct
{
  LmRun *run;           /* borrowed */
  const char *label;    /* the run's name, or "run · tag" in a custom chart (borrowed) */
  guint dash;           /* a custom chart's dash for the tag, 0: solid */
  GdkRGBA color;
  gint64 step;
  double value;         /* raw */
  double smoothed;      /* = value when smoothing is off */
  double wall;          /* unix seconds */
  double relative;      /* seconds since the series' first point */
  double px, py;        /* where the point is drawn (py NaN if off-chart) */
} LmHoverRow;

LmPlot     *lm_plot_new              (const char *tag);
void        lm_plot_free             (LmPlot *plot);
const char *lm_plot_get_tag          (LmPlot *plot);

/* Runs to draw, in order (LmRun*, refs taken).  Colours come from the
 * runs' ordinals. */
void        lm_plot_set_runs         (LmPlot *plot, GPtrArray *runs);
/* TensorBoard's Custom Scalars: from now on the runs given to
 * lm_plot_set_runs draw this chart of the layout (a ref is taken): a
 * Multiline chart a line per (run, tag) whose tag one of its regexes
 * matches, in the run's colour with a dash per tag (solid, dashed, dotted,
 * dash-dot, short dashes, again: the tags in the order of the regexes
 * they match, then by name) and named "run · tag"; a Margin chart
 * per run the value tag in the run's colour over a band of the same
 * colour, translucent, between the lower and upper tags.  Call
 * lm_plot_set_runs again when a run gains tags. */
void        lm_plot_set_custom       (LmPlot                *plot,
                                      LmCustomScalars       *layout,
                                      const LmCustomChart   *chart);
/* Margin bands filled by the last render (tests). */
guint       lm_plot_get_n_bands_drawn (LmPlot *plot);
/* The vertices of their outlines (at most about two per pixel column
 * per band, however many steps the series have). */
guint       lm_plot_get_n_band_vertices (LmPlot *plot);
/* Legend entries the last render drew with their (maybe shortened) name,
 * not counting the "+N more" that stands for the rest. */
guint       lm_plot_get_n_legend_named (LmPlot *plot);
/* Their names as drawn, one a line. */
const char *lm_plot_get_legend_text (LmPlot *plot);
guint       lm_plot_get_n_runs       (LmPlot *plot);
void        lm_plot_set_x_axis       (LmPlot *plot, LmXAxis axis);
LmXAxis     lm_plot_get_x_axis       (LmPlot *plot);
void        lm_plot_set_smoothing    (LmPlot *plot, double weight);
double      lm_plot_get_smoothing    (LmPlot *plot);
/* The run picked in the hparams view: drawn last and thicker, the others
 * faded.  NULL for none. */
void        lm_plot_set_highlight    (LmPlot *plot, const char *run_name);
void        lm_plot_set_log_y        (LmPlot *plot, gboolean log_y);
gboolean    lm_plot_get_log_y        (LmPlot *plot);
void        lm_plot_set_ignore_outliers (LmPlot *plot, gboolean ignore);
void        lm_plot_set_tooltip_sort (LmPlot *plot, LmTooltipSort sort);
/* Title (the tag) drawn inside the image: for exports. */
void        lm_plot_set_show_title   (LmPlot *plot, gboolean show);
void        lm_plot_set_show_legend  (LmPlot *plot, gboolean show);

/* The view.  Auto ranges follow the data (and new data as it arrives);
 * zooming or panning fixes them until lm_plot_reset_view(). */
void        lm_plot_reset_view       (LmPlot *plot);
gboolean    lm_plot_is_zoomed        (LmPlot *plot);
void        lm_plot_get_view         (LmPlot *plot, double *x0, double *x1, double *y0, double *y1);
/* Box zoom in pixel coordinates of the last render. */
void        lm_plot_zoom_box         (LmPlot *plot, double px0, double py0, double px1, double py1);
/* Zoom x only to a pixel range (y keeps following the data). */
void        lm_plot_zoom_x_range     (LmPlot *plot, double px0, double px1);
/* Zoom x by factor (< 1 zooms in) keeping the point under px fixed. */
void        lm_plot_zoom_x_at        (LmPlot *plot, double px, double factor);
/* Pan: begin remembers the view; move shifts it by a pixel offset. */
void        lm_plot_pan_begin        (LmPlot *plot);
void        lm_plot_pan_move         (LmPlot *plot, double dx, double dy);

/* Draws everything into `image` (an ARGB32 image surface of
 * width*scale x height*scale device pixels). */
void        lm_plot_render           (LmPlot          *plot,
                                      cairo_surface_t *image,
                                      int              width,
                                      int              height,
                                      double           scale);
/* Geometry of the last render (logical pixels). */
LmRect      lm_plot_get_area         (LmPlot *plot);
gboolean    lm_plot_data_to_pixel    (LmPlot *plot, double x, double y, double *px, double *py);
gboolean    lm_plot_pixel_to_data    (LmPlot *plot, double px, double py, double *x, double *y);
/* TRUE once something was drawn with every run's data in view. */
gboolean    lm_plot_has_data         (LmPlot *plot);

/* Hover readout at logical (px, py): one row per run with data, in the
 * plot's tooltip order (py matters for "nearest" only). */
GArray     *lm_plot_hover_rows       (LmPlot *plot, double px, double py);
/* Crosshair, dots and the tooltip table, drawn over the plot. */
void        lm_plot_render_hover     (LmPlot  *plot,
                                      cairo_t *cr,
                                      double   px,
                                      double   py,
                                      int      width,
                                      int      height);
/* The tooltip as text, one run per line (tests, accessibility). */
char       *lm_plot_hover_text       (LmPlot *plot, double px, double py);

/* TensorBoard's step selection (2.11+): one step, or a range of steps,
 * picked on a Step axis.  The data table lists, per run, the point at or
 * before the selected step (the step TensorBoard reports), or for a range
 * the points from start to end inclusive and their statistics. */
typedef struct
{
  gboolean active;
  gboolean range;       /* end is set too */
  gint64 start, end;    /* start <= end for a range */
} LmStepSelection;

/* One run's row of the data table. */
typedef struct
{
  LmRun *run;           /* borrowed */
  const char *label;    /* as LmHoverRow's */
  GdkRGBA color;
  /* One step: the point at or before it. */
  gint64 step;
  double value, smoothed, wall, relative;
  /* A range: the points with start <= step <= end (n of them; the rest
   * is NaN when n is 0).  min, max and mean are over the raw values; a
   * NaN among them makes the mean NaN (nothing hidden), min and max skip
   * it. */
  guint n;
  gint64 start_step, end_step;
  double start_value, end_value, change, min, max, mean;
} LmStepRow;

/* sel as kept: none for NULL or !active (all zero), a range ordered,
 * end == start for a single step. */
LmStepSelection lm_step_selection_normalize (const LmStepSelection *sel);
/* The same selection once normalized. */
gboolean    lm_step_selection_equal    (const LmStepSelection *a, const LmStepSelection *b);

/* The selection; NULL or !active clears it.  A range is kept ordered. */
void        lm_plot_set_step_selection (LmPlot *plot, const LmStepSelection *sel);
LmStepSelection lm_plot_get_step_selection (LmPlot *plot);
/* The logged step (of any shown run) nearest to logical x px; FALSE
 * without data or off a Step axis. */
gboolean    lm_plot_step_at_pixel    (LmPlot *plot, double px, gint64 *step);
/* The logged step (of any shown run) just before (dir < 0) or after
 * (dir > 0) step; FALSE when there is none. */
gboolean    lm_plot_adjacent_step    (LmPlot *plot, gint64 step, int dir, gint64 *out);
/* Where step is drawn (logical x of the last render). */
double      lm_plot_step_to_pixel    (LmPlot *plot, gint64 step);
/* The data table's rows, one per shown run with data, in run order;
 * empty without a selection.  At a single step a run whose first point
 * comes later has no row. */
GArray     *lm_plot_step_rows        (LmPlot *plot);
/* The data table as tab-separated text with a header line (the copy
 * action, tests); NULL without a selection. */
char       *lm_plot_step_text        (LmPlot *plot);
/* The selector lines, their handles and the runs' dots at the step. */
void        lm_plot_render_steps     (LmPlot *plot, cairo_t *cr);

/* Exports: every point of every run (not decimated), and the card as a
 * PNG at the given size with title and legend. */
gboolean    lm_plot_write_csv        (LmPlot *plot, const char *path, GError **error);
/* {"run": [[wall_time, step, value], ...]}: per run, TensorBoard's JSON. */
gboolean    lm_plot_write_json       (LmPlot *plot, const char *path, GError **error);
gboolean    lm_plot_write_png        (LmPlot     *plot,
                                      const char *path,
                                      int         width,
                                      int         height,
                                      GError    **error);

G_END_DECLS
