/* lm-hparams-scatter.c: TensorBoard's scatter plot matrix of runs over
 * hparams and metrics (see lm-hparams-private.h).
 *
 * One small plot per shown hparam column (across, in table order) and
 * shown metric (down), the hparam on x and the metric on y; a point per
 * run in its run colour.  Numeric axes span the column's finite range with
 * ticks (lm-axis.c; log scale where the parallel coordinates use one);
 * string and bool columns place their values evenly, in the table's order.
 * A run without a value, or with NaN or an infinity, is not plotted there:
 * each plot counts them in its corner, and its tooltip names them.
 * Hovering a point names the run and its values and rings the run in every
 * plot; the highlighted (selected) run is drawn large on top, the rest
 * faded; a click emits "run-picked" (NULL off every point).
 *
 * Drawing: what does not change with the pointer (frames, ticks, titles,
 * every point) is drawn once into a texture, again only when the rows
 * (data, filters, sort order, run colours), the columns, the highlighted
 * run, the size or the theme change; the hovered and the keyboard's run
 * and the focus ring are drawn over it each frame.  At 300 runs x 18
 * plots that is the difference between 100 ms and well under 1 ms a
 * hover change (bench/ui/bench-features).
 *
 * Keyboard, as the scalar charts and the graph: Tab focuses the matrix's
 * first plot (Shift+Tab its last), Tab and Shift+Tab go from plot to plot
 * and then on out of it; a ring marks the focused plot.  Left/Right move
 * to the run whose point is next along x in that plot, Up/Down next along
 * y, Home/End the first and last along x; that run is drawn as the hovered
 * one is, its tooltip text is the matrix's accessible description (and
 * its keyboard tooltip), and Enter or space selects it as a click does;
 * Escape clears the selection.  A run selected elsewhere (the table)
 * becomes the keyboard's run.
 */
#include "lm-hparams-private.h"

#include <math.h>
#include <string.h>

#include "lm-axis.h"
#include "lm-dash-util.h"
#include "lm-theme.h"

#define HEADER_H   22   /* hparam names over the columns of plots */
#define NOTE_H     18   /* over them, "n hyperparameters with one value not plotted" */
#define SIDE_W     22   /* metric names (turned) left of the rows */
#define CELL_MIN_W 190
#define CELL_MIN_H 150
#define CELL_MAX_H 300
#define PAD_L      48   /* in a cell: room for the y tick labels */
#define PAD_B      20   /* the x tick labels */
#define PAD_T      18   /* the "n not plotted" note */
#define PAD_R      10
#define INSET      8    /* between the frame and where lo/hi fall */
#define RADIUS     3.5
#define PICK_PX    8

struct _LmHparamsScatter
{
  GtkWidget parent_instance;
  GListModel *rows;
  GPtrArray *columns;   /* borrowed LmHpColumn*, owned by the view */
  char *highlighted;
  char *hovered;
  char *focused;        /* the run the arrow keys are on, or NULL */
  guint focus_plot;     /* the plot they move in, in layout order */

  GArray *plots;        /* the layout at plots_w x plots_h, or NULL: out of date */
  int plots_w, plots_h;
  GdkTexture *texture;  /* everything but the hover and focus, or NULL: out of date */
  int tex_w, tex_h, tex_scale;
  guint n_renders;      /* of the texture */
};

G_DEFINE_FINAL_TYPE (LmHparamsScatter, lm_hparams_scatter, GTK_TYPE_WIDGET)

enum { RUN_PICKED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The hover or the keyboard's run moved: the texture stays. */
static void
redraw_overlay (LmHparamsScatter *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The highlighted run or the colours changed: the same layout, drawn anew. */
static void
invalidate_pixels (LmHparamsScatter *self)
{
  g_clear_object (&self->texture);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The rows or the columns changed: the plots and their points move. */
static void
invalidate_layout (LmHparamsScatter *self)
{
  g_clear_pointer (&self->plots, g_array_unref);
  invalidate_pixels (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* ------------------------------------------------------------- layout */

/* The columns plotted: every shown metric, down; the shown hyperparameters
 * across, less those with one value in every run (as the parallel
 * coordinates leave them out: a column of identical points says nothing),
 * unless that would leave none.  Returns how many were left out. */
static guint
shown_columns (LmHparamsScatter *self, GArray *hparams, GArray *metrics)
{
  guint n_constant = 0;
  gboolean several = self->rows != NULL && g_list_model_get_n_items (self->rows) > 1;

  for (guint c = 0; self->columns != NULL && c < self->columns->len; c++)
    {
      LmHpColumn *col = self->columns->pdata[c];

      if (lm_hp_column_is_hidden (col))
        continue;
      if (!col->is_metric && several && !lm_hp_column_varies (col))
        n_constant++;
      else
        g_array_append_val (col->is_metric ? metrics : hparams, c);
    }
  if (hparams->len == 0 && n_constant > 0)
    {
      for (guint c = 0; c < self->columns->len; c++)
        {
          LmHpColumn *col = self->columns->pdata[c];

          if (!col->is_metric && !lm_hp_column_is_hidden (col))
            g_array_append_val (hparams, c);
        }
      n_constant = 0;
    }
  return n_constant;
}

/* Above the plots: their column titles, and a line naming the columns left
 * out when there are any. */
static double
header_height (guint n_constant)
{
  return HEADER_H + (n_constant > 0 ? NOTE_H : 0);
}

/* Where the row's value of column c falls along an axis: 0 .. 1, or FALSE
 * when it is not plotted (missing, NaN, infinite).  Categories (and
 * false/true) sit in the middle of equal bands. */
static gboolean
axis_pos (const LmHpColumn *col, const LmHparamsRow *row, guint c, double *pos)
{
  double p = 0;

  if (c >= row->n || !row->present[c])
    return FALSE;
  if (col->boolean)
    {
      if (isnan (row->number[c]))
        return FALSE;
      *pos = row->number[c] != 0 ? 0.75 : 0.25;
      return TRUE;
    }
  if (!col->numeric)
    {
      guint n = col->categories->len;

      for (guint k = 0; k < n; k++)
        if (g_strcmp0 (col->categories->pdata[k], row->text[c]) == 0)
          {
            *pos = (k + 0.5) / n;
            return TRUE;
          }
      return FALSE;
    }
  if (lm_hp_column_place (col, row, c, &p) != LM_HP_PLACE_RANGE)
    return FALSE;
  *pos = p;
  return TRUE;
}

static gboolean
is_banded (const LmHpColumn *col)
{
  return col->boolean || !col->numeric;
}

/* The point of the row in plot p, FALSE when not plotted. */
static gboolean
plot_point (LmHparamsScatter *self, const LmHpPlot *p, const LmHparamsRow *row, double *x, double *y)
{
  const LmHpColumn *cx = self->columns->pdata[p->x_column], *cy = self->columns->pdata[p->y_column];
  const graphene_rect_t *rx = is_banded (cx) ? &p->frame : &p->data;
  const graphene_rect_t *ry = is_banded (cy) ? &p->frame : &p->data;
  double fx, fy;

  if (!axis_pos (cx, row, p->x_column, &fx) || !axis_pos (cy, row, p->y_column, &fy))
    return FALSE;
  *x = rx->origin.x + fx * rx->size.width;
  *y = ry->origin.y + (1 - fy) * ry->size.height;
  return TRUE;
}

static GArray *
compute_layout (LmHparamsScatter *self, int width, int height)
{
  GArray *plots = g_array_new (FALSE, TRUE, sizeof (LmHpPlot));
  g_autoptr (GArray) hparams = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) metrics = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n_rows = g_list_model_get_n_items (self->rows);
  double cw, ch, top = header_height (shown_columns (self, hparams, metrics));

  if (hparams->len == 0 || metrics->len == 0)
    return plots;
  cw = MAX (CELL_MIN_W, (double) (width - SIDE_W) / hparams->len);
  ch = CLAMP ((double) (height - top) / metrics->len, CELL_MIN_H, MIN (CELL_MAX_H, cw));
  for (guint m = 0; m < metrics->len; m++)
    for (guint h = 0; h < hparams->len; h++)
      {
        LmHpPlot p = { .x_column = g_array_index (hparams, guint, h), .y_column = g_array_index (metrics, guint, m) };
        double x = SIDE_W + h * cw, y = top + m * ch;

        p.frame = GRAPHENE_RECT_INIT (floor (x + PAD_L) + 0.5, floor (y + PAD_T) + 0.5,
                                      floor (cw - PAD_L - PAD_R), floor (ch - PAD_T - PAD_B));
        p.data = GRAPHENE_RECT_INIT (p.frame.origin.x + INSET, p.frame.origin.y + INSET,
                                     p.frame.size.width - 2 * INSET, p.frame.size.height - 2 * INSET);
        for (guint i = 0; i < n_rows; i++)
          {
            g_autoptr (LmHparamsRow) row = g_list_model_get_item (self->rows, i);
            double px, py;

            p.n_plotted += plot_point (self, &p, row, &px, &py);
          }
        g_array_append_val (plots, p);
      }
  return plots;
}

/* The layout at width x height, kept until the rows, the columns or the
 * size change (every motion picks in it). */
static GArray *
get_plots (LmHparamsScatter *self, int width, int height)
{
  if (self->plots == NULL || self->plots_w != width || self->plots_h != height)
    {
      g_clear_pointer (&self->plots, g_array_unref);
      self->plots = compute_layout (self, width, height);
      self->plots_w = width, self->plots_h = height;
    }
  return self->plots;
}

GArray *
lm_hparams_scatter_layout (LmHparamsScatter *self, int width, int height)
{
  return g_array_copy (get_plots (self, width, height));
}

/* The row of the run named run_name, or NULL (not shown). */
static LmHparamsRow *
find_row (LmHparamsScatter *self, const char *run_name)
{
  for (guint i = 0; run_name != NULL && i < g_list_model_get_n_items (self->rows); i++)
    {
      LmHparamsRow *row = g_list_model_get_item (self->rows, i);

      if (strcmp (row->run_name, run_name) == 0)
        return row;
      g_object_unref (row);
    }
  return NULL;
}

/* The plot's whole cell: its frame and the room for its ticks and note. */
static graphene_rect_t
plot_cell (const LmHpPlot *p)
{
  return GRAPHENE_RECT_INIT (p->frame.origin.x - 0.5 - PAD_L, p->frame.origin.y - 0.5 - PAD_T,
                             p->frame.size.width + PAD_L + PAD_R, p->frame.size.height + PAD_T + PAD_B);
}

/* ------------------------------------------------------------ drawing */

static PangoLayout *
make_layout (LmHparamsScatter *self, const char *text, int px, double max_width, PangoEllipsizeMode mode)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoFontDescription *font = pango_font_description_from_string ("Sans");

  pango_font_description_set_absolute_size (font, px * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  pango_layout_set_width (layout, (int) MAX (1, max_width) * PANGO_SCALE);
  pango_layout_set_ellipsize (layout, mode);
  return layout;
}

/* Text centred on (x, y), cut to max_width; turned upright when vertical. */
static void
draw_text (LmHparamsScatter *self, cairo_t *cr, const char *text, int px, double x, double y,
           double max_width, gboolean vertical)
{
  PangoLayout *layout = make_layout (self, text, px, max_width, PANGO_ELLIPSIZE_MIDDLE);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_save (cr);
  cairo_translate (cr, x, y);
  if (vertical)
    cairo_rotate (cr, -G_PI / 2);
  cairo_move_to (cr, -w / 2.0, -h / 2.0);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  g_object_unref (layout);
}

/* Ticks of one axis of plot p: numbers from lm-axis, or the categories. */
static void
draw_ticks (LmHparamsScatter *self, cairo_t *cr, const LmHpPlot *p, const LmHpColumn *col, gboolean horizontal)
{
  const graphene_rect_t *f = &p->frame, *d = &p->data;

  if (is_banded (col))
    {
      static const char *const bools[] = { "false", "true" };
      guint n = col->boolean ? 2 : col->categories->len;
      double band = (horizontal ? f->size.width : f->size.height) / MAX (n, 1);
      double last = -G_MAXDOUBLE;

      for (guint k = 0; k < n; k++)
        {
          const char *text = col->boolean ? bools[k] : col->categories->pdata[k];
          double at = horizontal ? f->origin.x + (k + 0.5) * band : f->origin.y + f->size.height - (k + 0.5) * band;

          lm_theme_set_ink (cr, 0.08);
          cairo_set_line_width (cr, 1);
          if (horizontal)
            {
              cairo_move_to (cr, floor (at) + 0.5, f->origin.y);
              cairo_line_to (cr, floor (at) + 0.5, f->origin.y + f->size.height);
            }
          else
            {
              cairo_move_to (cr, f->origin.x, floor (at) + 0.5);
              cairo_line_to (cr, f->origin.x + f->size.width, floor (at) + 0.5);
            }
          cairo_stroke (cr);
          lm_theme_set_ink (cr, 0.75);
          if (horizontal)
            draw_text (self, cr, text, 10, at, f->origin.y + f->size.height + PAD_B / 2.0, band - 4, FALSE);
          else if (at - last >= 12 || last == -G_MAXDOUBLE)   /* upward; skip labels that would touch */
            {
              PangoLayout *layout = make_layout (self, text, 10, PAD_L - 6, PANGO_ELLIPSIZE_END);
              int w, h;

              pango_layout_get_pixel_size (layout, &w, &h);
              if (last == -G_MAXDOUBLE || last - at >= h)
                {
                  cairo_move_to (cr, f->origin.x - 4 - w, at - h / 2.0);
                  pango_cairo_show_layout (cr, layout);
                  last = at;
                }
              g_object_unref (layout);
            }
        }
      return;
    }
  if (!(col->lo <= col->hi))
    return;
  if (col->lo == col->hi)   /* one value: a single tick in the middle */
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      lm_hp_format_number (col->lo, 5, buf, sizeof buf);
      lm_theme_set_ink (cr, 0.75);
      if (horizontal)
        lm_dash_text (cr, d->origin.x + d->size.width / 2, f->origin.y + f->size.height + 3, buf,
                      LM_ALIGN_CENTER, LM_ALIGN_START, 10);
      else
        lm_dash_text (cr, f->origin.x - 4, d->origin.y + d->size.height / 2, buf, LM_ALIGN_END, LM_ALIGN_CENTER, 10);
      return;
    }
  if (horizontal)
    lm_dash_axis (cr, d->origin.x, f->origin.y, d->size.width, f->size.height, LM_AXIS_VALUE,
                  lm_hp_column_is_log (col), col->lo, col->hi, TRUE);
  else
    lm_dash_axis (cr, f->origin.x, d->origin.y, f->size.width, d->size.height, LM_AXIS_VALUE,
                  lm_hp_column_is_log (col), col->lo, col->hi, FALSE);
}

static void
draw_point (cairo_t *cr, const GdkRGBA *color, double x, double y, double radius, double alpha)
{
  cairo_arc (cr, x, y, radius, 0, 2 * G_PI);
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, alpha);
  cairo_fill_preserve (cr);
  lm_theme_set_paper (cr, 0.9);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
}

/* The plot's frame, ticks, note and every point; the highlighted run large
 * on top, the others faded under it. */
static void
draw_plot (LmHparamsScatter *self, cairo_t *cr, const LmHpPlot *p)
{
  const LmHpColumn *cx = self->columns->pdata[p->x_column], *cy = self->columns->pdata[p->y_column];
  guint n_rows = g_list_model_get_n_items (self->rows);
  g_autoptr (LmHparamsRow) hl = NULL;
  double x, y;

  cairo_save (cr);
  cairo_rectangle (cr, p->frame.origin.x - PAD_L, p->frame.origin.y - PAD_T,
                   p->frame.size.width + PAD_L + PAD_R, p->frame.size.height + PAD_T + PAD_B);
  cairo_clip (cr);
  draw_ticks (self, cr, p, cx, TRUE);
  draw_ticks (self, cr, p, cy, FALSE);
  lm_theme_set_ink (cr, 0.35);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, p->frame.origin.x, p->frame.origin.y, p->frame.size.width, p->frame.size.height);
  cairo_stroke (cr);
  if (p->n_plotted < n_rows)
    {
      g_autofree char *note = g_strdup_printf ("%u not plotted", n_rows - p->n_plotted);

      lm_theme_set_ink (cr, 0.5);
      lm_dash_text (cr, p->frame.origin.x + p->frame.size.width, p->frame.origin.y - 1, note,
                    LM_ALIGN_END, LM_ALIGN_END, 9);
    }
  cairo_rectangle (cr, p->frame.origin.x, p->frame.origin.y, p->frame.size.width, p->frame.size.height);
  cairo_clip (cr);
  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr (LmHparamsRow) row = g_list_model_get_item (self->rows, i);

      if (self->highlighted && strcmp (row->run_name, self->highlighted) == 0)
        hl = g_object_ref (row);
      else if (plot_point (self, p, row, &x, &y))
        draw_point (cr, &row->color, x, y, RADIUS, self->highlighted ? 0.35 : 0.9);
    }
  if (hl != NULL && plot_point (self, p, hl, &x, &y))
    draw_point (cr, &hl->color, x, y, RADIUS + 1.5, 1);
  cairo_restore (cr);
}

/* Over plot p's points: the hovered or focused run at full strength (the
 * highlighted one kept on top of it) and ringed. */
static void
draw_emphasis (LmHparamsScatter *self, cairo_t *cr, const LmHpPlot *p, LmHparamsRow *row, LmHparamsRow *hl)
{
  double x, y, hx, hy;

  if (!plot_point (self, p, row, &x, &y))
    return;
  cairo_save (cr);
  cairo_rectangle (cr, p->frame.origin.x, p->frame.origin.y, p->frame.size.width, p->frame.size.height);
  cairo_clip (cr);
  if (row != hl)
    {
      /* on the plot's background, as if drawn last, not over its own
       * (perhaps faded) point in the texture */
      gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->bg);
      cairo_arc (cr, x, y, RADIUS + 1, 0, 2 * G_PI);
      cairo_fill (cr);
      draw_point (cr, &row->color, x, y, RADIUS, 0.9);
      if (hl != NULL && plot_point (self, p, hl, &hx, &hy))
        draw_point (cr, &hl->color, hx, hy, RADIUS + 1.5, 1);
    }
  lm_theme_set_ink (cr, 0.9);
  cairo_set_line_width (cr, 1.5);
  cairo_arc (cr, x, y, RADIUS + 4, 0, 2 * G_PI);
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* A ring just inside plot p's cell, round its ticks too. */
static void
draw_focus_ring (cairo_t *cr, const LmHpPlot *p)
{
  const GdkRGBA ring = LM_THEME_FOCUS_RGBA;
  graphene_rect_t cell = plot_cell (p);

  gdk_cairo_set_source_rgba (cr, &ring);
  cairo_set_line_width (cr, 2);
  cairo_rectangle (cr, cell.origin.x + 2, cell.origin.y + 2, cell.size.width - 4, cell.size.height - 4);
  cairo_stroke (cr);
}

/* What moves without the texture changing, for plot i: the hovered run,
 * the keyboard's run and the focus ring (those two while the keyboard
 * focus shows). */
static gboolean
has_overlay (LmHparamsScatter *self, guint i, LmHparamsRow *hover, LmHparamsRow *focus)
{
  const LmHpPlot *p = &g_array_index (self->plots, LmHpPlot, i);
  gboolean keys = gtk_widget_has_visible_focus (GTK_WIDGET (self));
  double x, y;

  return (keys && i == self->focus_plot) || (hover != NULL && plot_point (self, p, hover, &x, &y))
         || (keys && focus != NULL && plot_point (self, p, focus, &x, &y));
}

static void
draw_overlay (LmHparamsScatter *self, cairo_t *cr, guint i, LmHparamsRow *hover, LmHparamsRow *focus,
              LmHparamsRow *hl)
{
  const LmHpPlot *p = &g_array_index (self->plots, LmHpPlot, i);
  gboolean keys = gtk_widget_has_visible_focus (GTK_WIDGET (self));

  if (hover != NULL)
    draw_emphasis (self, cr, p, hover, hl);
  if (keys && focus != NULL && focus != hover)
    draw_emphasis (self, cr, p, focus, hl);
  if (keys && i == self->focus_plot)
    draw_focus_ring (cr, p);
}

/* Everything but the overlay. */
static void
draw_static (LmHparamsScatter *self, cairo_t *cr, int width, int height)
{
  GArray *plots = get_plots (self, width, height);
  g_autoptr (GArray) hparams = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) metrics = g_array_new (FALSE, FALSE, sizeof (guint));
  const char *empty = NULL;
  guint n_constant;
  double top;

  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->bg);
  cairo_paint (cr);
  n_constant = shown_columns (self, hparams, metrics);
  top = header_height (n_constant);
  if (g_list_model_get_n_items (self->rows) == 0)
    empty = "No runs with hyperparameters match the filters";
  else if (metrics->len == 0)
    empty = "No metric to plot: the runs logged none (lm_writer_add_hparams' metrics), or every metric column is hidden";
  else if (hparams->len == 0)
    empty = "Every hyperparameter column is hidden";
  if (empty != NULL)
    {
      lm_theme_set_ink (cr, 0.5);
      lm_dash_text (cr, width / 2.0, MIN (height / 2.0, 60), empty, LM_ALIGN_CENTER, LM_ALIGN_CENTER, 12);
      return;
    }
  if (n_constant > 0)
    {
      g_autofree char *note = g_strdup_printf ("%u hyperparameter%s with one value in every run not plotted",
                                               n_constant, n_constant == 1 ? "" : "s");

      lm_theme_set_ink (cr, 0.5);
      lm_dash_text (cr, SIDE_W, NOTE_H / 2.0, note, LM_ALIGN_START, LM_ALIGN_CENTER, 10);
    }
  for (guint i = 0; i < plots->len; i++)
    {
      const LmHpPlot *p = &g_array_index (plots, LmHpPlot, i);
      const LmHpColumn *cx = self->columns->pdata[p->x_column], *cy = self->columns->pdata[p->y_column];
      double cell_w = p->frame.size.width + PAD_L + PAD_R;

      draw_plot (self, cr, p);
      if (i < hparams->len)   /* the first row: titles over the columns */
        {
          g_autofree char *title = lm_hp_column_is_log (cx) ? g_strdup_printf ("%s (log)", lm_hp_column_title (cx))
                                                             : g_strdup (lm_hp_column_title (cx));

          gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->hparam_title);
          draw_text (self, cr, title, 11, p->frame.origin.x + p->frame.size.width / 2, top - HEADER_H / 2.0,
                     cell_w - 8, FALSE);
        }
      if (i % hparams->len == 0)   /* the first column: titles left of the rows */
        {
          g_autofree char *title = lm_hp_column_is_log (cy) ? g_strdup_printf ("%s (log)", lm_hp_column_title (cy))
                                                             : g_strdup (lm_hp_column_title (cy));

          gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->metric_title);
          draw_text (self, cr, title, 11, SIDE_W / 2.0, p->frame.origin.y + p->frame.size.height / 2,
                     p->frame.size.height + PAD_T, TRUE);
        }
    }
}

void
lm_hparams_scatter_draw (LmHparamsScatter *self, cairo_t *cr, int width, int height)
{
  g_autoptr (LmHparamsRow) hover = NULL;
  g_autoptr (LmHparamsRow) focus = NULL;
  g_autoptr (LmHparamsRow) hl = NULL;

  draw_static (self, cr, width, height);
  hover = find_row (self, self->hovered);
  focus = find_row (self, self->focused);
  hl = find_row (self, self->highlighted);
  for (guint i = 0; i < self->plots->len; i++)
    draw_overlay (self, cr, i, hover, focus, hl);
}

static void
render_texture (LmHparamsScatter *self, int width, int height, int scale)
{
  cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale, height * scale);
  cairo_t *cr = cairo_create (img);
  GBytes *bytes;

  cairo_scale (cr, scale, scale);
  draw_static (self, cr, width, height);
  cairo_destroy (cr);
  cairo_surface_flush (img);
  bytes = g_bytes_new (cairo_image_surface_get_data (img),
                       (gsize) cairo_image_surface_get_stride (img) * height * scale);
  g_clear_object (&self->texture);
  self->texture = gdk_memory_texture_new (width * scale, height * scale, GDK_MEMORY_DEFAULT, bytes,
                                          cairo_image_surface_get_stride (img));
  g_bytes_unref (bytes);
  cairo_surface_destroy (img);
  self->tex_w = width, self->tex_h = height, self->tex_scale = scale;
  self->n_renders++;
}

static void
lm_hparams_scatter_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LmHparamsScatter *self = LM_HPARAMS_SCATTER (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  g_autoptr (LmHparamsRow) hover = NULL;
  g_autoptr (LmHparamsRow) focus = NULL;
  g_autoptr (LmHparamsRow) hl = NULL;

  if (w <= 0 || h <= 0)
    return;
  if (self->texture == NULL || self->tex_w != w || self->tex_h != h || self->tex_scale != scale
      || self->plots == NULL)
    render_texture (self, w, h, scale);
  gtk_snapshot_append_texture (snapshot, self->texture, &GRAPHENE_RECT_INIT (0, 0, w, h));
  hover = find_row (self, self->hovered);
  focus = find_row (self, self->focused);
  hl = find_row (self, self->highlighted);
  /* a small Cairo node per plot with something on it, not one the size
   * of the matrix */
  for (guint i = 0; i < self->plots->len; i++)
    if (has_overlay (self, i, hover, focus))
      {
        graphene_rect_t cell = plot_cell (&g_array_index (self->plots, LmHpPlot, i));
        cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &cell);

        draw_overlay (self, cr, i, hover, focus, hl);
        cairo_destroy (cr);
      }
}

/* -------------------------------------------------------------- input */

/* The row of the point nearest (x, y) within PICK_PX, and its plot. */
static LmHparamsRow *
pick_row (LmHparamsScatter *self, int width, int height, double x, double y, LmHpPlot *plot_out)
{
  GArray *plots = get_plots (self, width, height);
  LmHparamsRow *best_row = NULL;
  double best = PICK_PX;

  for (guint i = 0; i < plots->len; i++)
    {
      const LmHpPlot *p = &g_array_index (plots, LmHpPlot, i);

      if (x < p->frame.origin.x - PICK_PX || x > p->frame.origin.x + p->frame.size.width + PICK_PX
          || y < p->frame.origin.y - PICK_PX || y > p->frame.origin.y + p->frame.size.height + PICK_PX)
        continue;
      if (plot_out != NULL)
        *plot_out = *p;
      for (guint r = 0; r < g_list_model_get_n_items (self->rows); r++)
        {
          LmHparamsRow *row = g_list_model_get_item (self->rows, r);
          double px, py, d;

          /* the highlighted run is drawn on top, so it wins a tie */
          if (plot_point (self, p, row, &px, &py)
              && ((d = hypot (px - x, py - y)) < best
                  || (d == best && self->highlighted && strcmp (row->run_name, self->highlighted) == 0)))
            {
              best = d;
              g_clear_object (&best_row);
              best_row = g_steal_pointer (&row);
            }
          g_clear_object (&row);
        }
    }
  return best_row;
}

const char *
lm_hparams_scatter_pick (LmHparamsScatter *self, int width, int height, double x, double y)
{
  g_autoptr (LmHparamsRow) row = pick_row (self, width, height, x, y, NULL);

  return row != NULL ? row->run_name : NULL;   /* the model keeps the row alive */
}

/* Metric names in the tooltip.  GTK's tooltips are white on 80% black in
 * its light and dark styles alike, so this is the light blue of the dark
 * set's metric titles (6:1 there); the light set's dark blue was under 2:1. */
#define TIP_METRIC "#8ab4f8"

/* One "name: value" line; the metric names in TIP_METRIC as markup. */
static void
append_value (GString *out, const LmHpColumn *col, const LmHparamsRow *row, guint c, gboolean markup)
{
  const char *text = lm_hparams_row_cell_text (row, c);

  if (!markup)
    {
      g_string_append_printf (out, "\n%s: %s", lm_hp_column_title (col), text);
      return;
    }
  {
    g_autofree char *name = g_markup_escape_text (lm_hp_column_title (col), -1);
    g_autofree char *value = g_markup_escape_text (text, -1);

    g_string_append_printf (out, "\n%s%s%s: %s", col->is_metric ? "<span foreground='" TIP_METRIC "'>" : "",
                            name, col->is_metric ? "</span>" : "", value);
  }
}

/* A run's name (bold in markup), then its shown values a line each. */
static char *
run_text (LmHparamsScatter *self, const LmHparamsRow *row, gboolean markup)
{
  GString *out = g_string_new (NULL);

  if (markup)
    {
      g_autofree char *name = g_markup_escape_text (row->run_name, -1);

      g_string_append_printf (out, "<b>%s</b>", name);
    }
  else
    g_string_append (out, row->run_name);
  for (guint c = 0; c < self->columns->len; c++)
    if (!lm_hp_column_is_hidden (self->columns->pdata[c]))
      append_value (out, self->columns->pdata[c], row, c, markup);
  return g_string_free (out, FALSE);
}

/* Over a point: the run and its shown values; elsewhere in a plot: the
 * runs it leaves out and why. */
char *
lm_hparams_scatter_tooltip (LmHparamsScatter *self, int width, int height, double x, double y)
{
  LmHpPlot plot = { .x_column = G_MAXUINT };
  g_autoptr (LmHparamsRow) row = NULL;
  GString *out;

  if (self->columns == NULL)
    return NULL;
  row = pick_row (self, width, height, x, y, &plot);
  if (row != NULL)
    return run_text (self, row, TRUE);
  if (plot.x_column == G_MAXUINT || plot.n_plotted >= g_list_model_get_n_items (self->rows))
    return NULL;
  out = g_string_new ("Not plotted (no value, NaN or ±Inf):");
  for (guint r = 0; r < g_list_model_get_n_items (self->rows); r++)
    {
      g_autoptr (LmHparamsRow) other = g_list_model_get_item (self->rows, r);
      double px, py;

      if (plot_point (self, &plot, other, &px, &py))
        continue;
      {
        g_autofree char *name = g_markup_escape_text (other->run_name, -1);

        g_string_append_printf (out, "\n<b>%s</b>", name);
      }
      append_value (out, self->columns->pdata[plot.x_column], other, plot.x_column, TRUE);
      append_value (out, self->columns->pdata[plot.y_column], other, plot.y_column, TRUE);
    }
  return g_string_free (out, FALSE);
}

/* The keyboard's plot at the widget's size, or NULL (no plots). */
static const LmHpPlot *
focus_plot (LmHparamsScatter *self)
{
  GArray *plots;

  if (self->columns == NULL)
    return NULL;
  plots = get_plots (self, gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)));
  if (plots->len == 0)
    return NULL;
  self->focus_plot = MIN (self->focus_plot, plots->len - 1);
  return &g_array_index (plots, LmHpPlot, self->focus_plot);
}

char *
lm_hparams_scatter_get_focus_text (LmHparamsScatter *self)
{
  const LmHpPlot *p = focus_plot (self);
  g_autoptr (LmHparamsRow) row = find_row (self, self->focused);
  const LmHpColumn *cx, *cy;
  g_autofree char *values = NULL;
  double x, y;

  if (p == NULL)
    return NULL;
  cx = self->columns->pdata[p->x_column];
  cy = self->columns->pdata[p->y_column];
  if (row == NULL)
    return g_strdup_printf ("Plot of %s against %s: arrow keys move from run to run, Enter selects one, "
                            "Tab goes to the next plot", lm_hp_column_title (cy), lm_hp_column_title (cx));
  values = run_text (self, row, FALSE);
  return g_strdup_printf ("Plot of %s against %s%s: %s", lm_hp_column_title (cy), lm_hp_column_title (cx),
                          plot_point (self, p, row, &x, &y) ? "" : " (not plotted here)", values);
}

/* The accessible description says where the keys are: the plot, and the
 * run with its values as its tooltip gives them. */
static void
update_accessible (LmHparamsScatter *self)
{
  g_autofree char *text = lm_hparams_scatter_get_focus_text (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text != NULL ? text : "No plots", -1);
}

static gboolean
on_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  LmHparamsScatter *self = LM_HPARAMS_SCATTER (widget);
  g_autofree char *markup = NULL;

  if (keyboard)   /* Ctrl+F1 shows the keyboard's run */
    {
      g_autoptr (LmHparamsRow) row = find_row (self, self->focused);

      markup = row != NULL && self->columns != NULL ? run_text (self, row, TRUE) : NULL;
    }
  else
    markup = lm_hparams_scatter_tooltip (self, gtk_widget_get_width (widget), gtk_widget_get_height (widget), x, y);
  if (markup == NULL)
    return FALSE;
  gtk_tooltip_set_markup (tooltip, markup);
  return TRUE;
}

static void
set_hovered (LmHparamsScatter *self, const char *run_name)
{
  if (g_strcmp0 (self->hovered, run_name) == 0)
    return;
  g_free (self->hovered);
  self->hovered = g_strdup (run_name);
  redraw_overlay (self);
}

/* Scrolls the matrix's scrolled window to show the keyboard's plot. */
static void
reveal_focus_plot (LmHparamsScatter *self)
{
  GtkWidget *sw = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLED_WINDOW);
  const LmHpPlot *p = focus_plot (self);
  graphene_rect_t cell;

  if (sw == NULL || p == NULL)
    return;
  /* the matrix is the viewport's child: its coordinates are the content's */
  cell = plot_cell (p);
  gtk_adjustment_clamp_page (gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (sw)),
                             cell.origin.x, cell.origin.x + cell.size.width);
  gtk_adjustment_clamp_page (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (sw)),
                             cell.origin.y, cell.origin.y + cell.size.height);
}

static void
set_focused (LmHparamsScatter *self, const char *run_name)
{
  if (g_strcmp0 (self->focused, run_name) != 0)
    {
      g_free (self->focused);
      self->focused = g_strdup (run_name);
    }
  update_accessible (self);
  redraw_overlay (self);
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, LmHparamsScatter *self)
{
  set_hovered (self, lm_hparams_scatter_pick (self, gtk_widget_get_width (GTK_WIDGET (self)),
                                              gtk_widget_get_height (GTK_WIDGET (self)), x, y));
}

static void
on_leave (GtkEventControllerMotion *motion, LmHparamsScatter *self)
{
  set_hovered (self, NULL);
}

/* A click selects the run under it and leaves the keys in its plot, on
 * that run. */
static void
on_click (GtkGestureClick *g, int n, double x, double y, LmHparamsScatter *self)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  LmHpPlot plot = { .x_column = G_MAXUINT };
  g_autoptr (LmHparamsRow) row = self->columns != NULL ? pick_row (self, w, h, x, y, &plot) : NULL;

  for (guint i = 0; plot.x_column != G_MAXUINT && i < self->plots->len; i++)
    {
      const LmHpPlot *p = &g_array_index (self->plots, LmHpPlot, i);

      if (p->x_column == plot.x_column && p->y_column == plot.y_column)
        self->focus_plot = i;
    }
  gtk_widget_grab_focus (GTK_WIDGET (self));
  set_focused (self, row != NULL ? row->run_name : NULL);
  g_signal_emit (self, signals[RUN_PICKED], 0, row != NULL ? row->run_name : NULL);
}

/* ------------------------------------------------------------ keyboard */

enum { KEY_LEFT = -1, KEY_RIGHT = 1, KEY_DOWN = -2, KEY_UP = 2, KEY_HOME = -3, KEY_END = 3,
       KEY_ACTIVATE = 10, KEY_ESCAPE = 11 };

typedef struct
{
  double x, y;   /* along the keys' axis first: (x, y) for Left/Right, (-y, x) for Up/Down */
  guint index;   /* in the rows */
  const char *run_name;
} KeyPoint;

static int
compare_key_points (gconstpointer a, gconstpointer b)
{
  const KeyPoint *pa = a, *pb = b;

  if (pa->x != pb->x)
    return pa->x < pb->x ? -1 : 1;
  if (pa->y != pb->y)
    return pa->y < pb->y ? -1 : 1;
  return pa->index < pb->index ? -1 : pa->index > pb->index;
}

/* The run an arrow key goes to in the keyboard's plot from the keyboard's
 * run (or, before there is one, the highlighted run): the next point along
 * x (Left/Right) or up the plot (Up/Down), ties in the other direction,
 * then in table order; from none, the first or the last.  NULL: no point. */
static const char *
run_after_key (LmHparamsScatter *self, const LmHpPlot *p, int key, GArray *points)
{
  const char *from = self->focused != NULL ? self->focused : self->highlighted;
  gboolean vertical = key == KEY_UP || key == KEY_DOWN;
  int at = -1, to;

  for (guint i = 0; i < g_list_model_get_n_items (self->rows); i++)
    {
      g_autoptr (LmHparamsRow) row = g_list_model_get_item (self->rows, i);
      KeyPoint k = { .index = i, .run_name = row->run_name };   /* the model keeps the row */
      double x, y;

      if (!plot_point (self, p, row, &x, &y))
        continue;
      k.x = vertical ? -y : x;
      k.y = vertical ? x : -y;
      g_array_append_val (points, k);
    }
  if (points->len == 0)
    return NULL;
  g_array_sort (points, compare_key_points);
  for (guint i = 0; from != NULL && i < points->len; i++)
    if (strcmp (g_array_index (points, KeyPoint, i).run_name, from) == 0)
      at = (int) i;
  if (key == KEY_HOME)
    to = 0;
  else if (key == KEY_END)
    to = (int) points->len - 1;
  else if (at < 0)
    to = key > 0 ? 0 : (int) points->len - 1;
  else
    to = CLAMP (at + (key > 0 ? 1 : -1), 0, (int) points->len - 1);
  return g_array_index (points, KeyPoint, to).run_name;
}

static gboolean
on_key (GtkWidget *widget, GVariant *args, gpointer data)
{
  LmHparamsScatter *self = LM_HPARAMS_SCATTER (widget);
  int key = g_variant_get_int32 (args);
  const LmHpPlot *p = focus_plot (self);
  g_autoptr (GArray) points = NULL;
  g_autoptr (LmHparamsRow) row = NULL;

  if (key == KEY_ESCAPE)   /* as a click off every point */
    {
      if (self->highlighted == NULL)
        return FALSE;
      g_signal_emit (self, signals[RUN_PICKED], 0, NULL);
      return TRUE;
    }
  if (key == KEY_ACTIVATE)
    {
      if ((row = find_row (self, self->focused)) == NULL)
        return FALSE;
      g_signal_emit (self, signals[RUN_PICKED], 0, row->run_name);
      return TRUE;
    }
  if (p == NULL)
    return FALSE;
  points = g_array_new (FALSE, FALSE, sizeof (KeyPoint));
  set_focused (self, run_after_key (self, p, key, points));
  reveal_focus_plot (self);
  return TRUE;
}

/* Tab enters at the first plot (Shift+Tab at the last), goes from plot to
 * plot, and leaves after the last (before the first), as Tab through the
 * scalar cards does. */
static gboolean
lm_hparams_scatter_focus (GtkWidget *widget, GtkDirectionType direction)
{
  LmHparamsScatter *self = LM_HPARAMS_SCATTER (widget);
  GArray *plots = self->columns != NULL ? get_plots (self, gtk_widget_get_width (widget), gtk_widget_get_height (widget))
                                        : NULL;
  guint n = plots != NULL ? plots->len : 0;

  if (n == 0)   /* nothing to move between */
    return FALSE;
  self->focus_plot = MIN (self->focus_plot, n - 1);
  if (!gtk_widget_has_focus (widget))
    {
      if (direction == GTK_DIR_TAB_FORWARD)
        self->focus_plot = 0;
      else if (direction == GTK_DIR_TAB_BACKWARD)
        self->focus_plot = n - 1;
      gtk_widget_grab_focus (widget);
    }
  else if (direction == GTK_DIR_TAB_FORWARD && self->focus_plot + 1 < n)
    self->focus_plot++;
  else if (direction == GTK_DIR_TAB_BACKWARD && self->focus_plot > 0)
    self->focus_plot--;
  else
    return FALSE;
  set_focused (self, self->focused);
  reveal_focus_plot (self);
  return TRUE;
}

static void
lm_hparams_scatter_state_flags_changed (GtkWidget *widget, GtkStateFlags previous)
{
  GtkStateFlags now = gtk_widget_get_state_flags (widget);

  GTK_WIDGET_CLASS (lm_hparams_scatter_parent_class)->state_flags_changed (widget, previous);
  if ((now ^ previous) & (GTK_STATE_FLAG_FOCUSED | GTK_STATE_FLAG_FOCUS_VISIBLE))
    redraw_overlay (LM_HPARAMS_SCATTER (widget));
}

static void
on_rows_changed (GListModel *model, guint pos, guint removed, guint added, LmHparamsScatter *self)
{
  invalidate_layout (self);
}

/* ------------------------------------------------------------- object */

static void
lm_hparams_scatter_measure (GtkWidget *widget, GtkOrientation o, int for_size,
                            int *min, int *nat, int *min_base, int *nat_base)
{
  LmHparamsScatter *self = LM_HPARAMS_SCATTER (widget);
  g_autoptr (GArray) hparams = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) metrics = g_array_new (FALSE, FALSE, sizeof (guint));

  double top = header_height (shown_columns (self, hparams, metrics));

  if (o == GTK_ORIENTATION_HORIZONTAL)
    *min = *nat = SIDE_W + MAX (1, hparams->len) * CELL_MIN_W;
  else
    {
      *min = top + MAX (1, metrics->len) * CELL_MIN_H;
      *nat = top + MAX (1, metrics->len) * (CELL_MIN_H + CELL_MAX_H) / 2;
    }
}

static void
lm_hparams_scatter_dispose (GObject *object)
{
  LmHparamsScatter *self = LM_HPARAMS_SCATTER (object);

  if (self->rows != NULL)
    g_signal_handlers_disconnect_by_data (self->rows, self);
  g_clear_object (&self->rows);
  g_clear_object (&self->texture);
  G_OBJECT_CLASS (lm_hparams_scatter_parent_class)->dispose (object);
}

static void
lm_hparams_scatter_finalize (GObject *object)
{
  LmHparamsScatter *self = LM_HPARAMS_SCATTER (object);

  g_free (self->highlighted);
  g_free (self->hovered);
  g_free (self->focused);
  g_clear_pointer (&self->plots, g_array_unref);
  G_OBJECT_CLASS (lm_hparams_scatter_parent_class)->finalize (object);
}

static void
lm_hparams_scatter_class_init (LmHparamsScatterClass *klass)
{
  GtkWidgetClass *wc = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = lm_hparams_scatter_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_hparams_scatter_finalize;
  wc->snapshot = lm_hparams_scatter_snapshot;
  wc->measure = lm_hparams_scatter_measure;
  wc->focus = lm_hparams_scatter_focus;
  wc->state_flags_changed = lm_hparams_scatter_state_flags_changed;
  gtk_widget_class_set_css_name (wc, "lm-hparams-scatter");
  signals[RUN_PICKED] = g_signal_new ("run-picked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
lm_hparams_scatter_init (LmHparamsScatter *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *keys = gtk_shortcut_controller_new ();
  static const struct { guint keyval; int key; } bindings[] = {
    { GDK_KEY_Left, KEY_LEFT }, { GDK_KEY_Right, KEY_RIGHT }, { GDK_KEY_Up, KEY_UP }, { GDK_KEY_Down, KEY_DOWN },
    { GDK_KEY_Home, KEY_HOME }, { GDK_KEY_End, KEY_END }, { GDK_KEY_Return, KEY_ACTIVATE },
    { GDK_KEY_KP_Enter, KEY_ACTIVATE }, { GDK_KEY_space, KEY_ACTIVATE }, { GDK_KEY_Escape, KEY_ESCAPE },
  };

  g_signal_connect (click, "released", G_CALLBACK (on_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  for (guint i = 0; i < G_N_ELEMENTS (bindings); i++)
    {
      GtkShortcut *sc = gtk_shortcut_new (gtk_keyval_trigger_new (bindings[i].keyval, 0),
                                          gtk_callback_action_new (on_key, NULL, NULL));

      gtk_shortcut_set_arguments (sc, g_variant_new_int32 (bindings[i].key));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys), sc);
    }
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, "Scatter plot matrix", -1);
  /* the texture is drawn in the old colours */
  g_signal_connect_object (lm_theme_get_default (), "notify::dark", G_CALLBACK (invalidate_pixels), self,
                           G_CONNECT_SWAPPED);
}

GtkWidget *
lm_hparams_scatter_new (GListModel *rows)
{
  LmHparamsScatter *self = g_object_new (LM_TYPE_HPARAMS_SCATTER, NULL);

  self->rows = g_object_ref (rows);
  g_signal_connect (rows, "items-changed", G_CALLBACK (on_rows_changed), self);
  return GTK_WIDGET (self);
}

void
lm_hparams_scatter_set_columns (LmHparamsScatter *self, GPtrArray *columns)
{
  self->columns = columns;
  invalidate_layout (self);
  if (gtk_widget_has_focus (GTK_WIDGET (self)))
    update_accessible (self);
}

void
lm_hparams_scatter_set_highlighted (LmHparamsScatter *self, const char *run_name)
{
  if (g_strcmp0 (self->highlighted, run_name) == 0)
    return;
  g_free (self->highlighted);
  self->highlighted = g_strdup (run_name);
  /* the keys go on from the run selected, in the table too */
  if (run_name != NULL)
    set_focused (self, run_name);
  invalidate_pixels (self);
}

const char *
lm_hparams_scatter_get_hovered (LmHparamsScatter *self)
{
  return self->hovered;
}

const char *
lm_hparams_scatter_get_focused (LmHparamsScatter *self)
{
  return self->focused;
}

guint
lm_hparams_scatter_get_focus_plot (LmHparamsScatter *self)
{
  return self->focus_plot;
}

guint
lm_hparams_scatter_get_n_renders (LmHparamsScatter *self)
{
  return self->n_renders;
}
