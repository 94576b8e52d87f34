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
};

G_DEFINE_FINAL_TYPE (LmHparamsScatter, lm_hparams_scatter, GTK_TYPE_WIDGET)

enum { RUN_PICKED, N_SIGNALS };
static guint signals[N_SIGNALS];

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

GArray *
lm_hparams_scatter_layout (LmHparamsScatter *self, int width, int height)
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

static void
draw_plot (LmHparamsScatter *self, cairo_t *cr, const LmHpPlot *p)
{
  const LmHpColumn *cx = self->columns->pdata[p->x_column], *cy = self->columns->pdata[p->y_column];
  guint n_rows = g_list_model_get_n_items (self->rows);
  g_autoptr (LmHparamsRow) hl = NULL;
  g_autoptr (LmHparamsRow) hover = NULL;
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
      if (self->hovered && strcmp (row->run_name, self->hovered) == 0)
        hover = g_object_ref (row);
      if (row != hl && row != hover && plot_point (self, p, row, &x, &y))
        draw_point (cr, &row->color, x, y, RADIUS, self->highlighted ? 0.35 : 0.9);
    }
  /* the hovered run at full strength, then the highlighted one on top */
  if (hover != NULL && hover != hl && plot_point (self, p, hover, &x, &y))
    draw_point (cr, &hover->color, x, y, RADIUS, 0.9);
  if (hl != NULL && plot_point (self, p, hl, &x, &y))
    draw_point (cr, &hl->color, x, y, RADIUS + 1.5, 1);
  if (hover != NULL && plot_point (self, p, hover, &x, &y))
    {
      lm_theme_set_ink (cr, 0.9);
      cairo_set_line_width (cr, 1.5);
      cairo_arc (cr, x, y, RADIUS + 4, 0, 2 * G_PI);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

void
lm_hparams_scatter_draw (LmHparamsScatter *self, cairo_t *cr, int width, int height)
{
  g_autoptr (GArray) plots = lm_hparams_scatter_layout (self, width, height);
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
          g_autofree char *title = lm_hp_column_is_log (cx) ? g_strdup_printf ("%s (log)", cx->name)
                                                             : g_strdup (cx->name);

          gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->hparam_title);
          draw_text (self, cr, title, 11, p->frame.origin.x + p->frame.size.width / 2, top - HEADER_H / 2.0,
                     cell_w - 8, FALSE);
        }
      if (i % hparams->len == 0)   /* the first column: titles left of the rows */
        {
          g_autofree char *title = lm_hp_column_is_log (cy) ? g_strdup_printf ("%s (log)", cy->name)
                                                             : g_strdup (cy->name);

          gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->metric_title);
          draw_text (self, cr, title, 11, SIDE_W / 2.0, p->frame.origin.y + p->frame.size.height / 2,
                     p->frame.size.height + PAD_T, TRUE);
        }
    }
}

static void
lm_hparams_scatter_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));

  lm_hparams_scatter_draw (LM_HPARAMS_SCATTER (widget), cr, w, h);
  cairo_destroy (cr);
}

/* -------------------------------------------------------------- input */

/* The row of the point nearest (x, y) within PICK_PX, and its plot. */
static LmHparamsRow *
pick_row (LmHparamsScatter *self, int width, int height, double x, double y, LmHpPlot *plot_out)
{
  g_autoptr (GArray) plots = lm_hparams_scatter_layout (self, width, height);
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

static void
append_value (GString *out, const LmHpColumn *col, const LmHparamsRow *row, guint c)
{
  g_autofree char *name = g_markup_escape_text (col->name, -1);
  g_autofree char *value = g_markup_escape_text (lm_hparams_row_cell_text (row, c), -1);

  g_string_append_printf (out, "\n%s%s%s: %s", col->is_metric ? "<span foreground='" TIP_METRIC "'>" : "",
                          name, col->is_metric ? "</span>" : "", value);
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
  if (row == NULL && (plot.x_column == G_MAXUINT || plot.n_plotted >= g_list_model_get_n_items (self->rows)))
    return NULL;
  out = g_string_new (NULL);
  if (row != NULL)
    {
      g_autofree char *name = g_markup_escape_text (row->run_name, -1);

      g_string_append_printf (out, "<b>%s</b>", name);
      for (guint c = 0; c < self->columns->len; c++)
        if (!lm_hp_column_is_hidden (self->columns->pdata[c]))
          append_value (out, self->columns->pdata[c], row, c);
      return g_string_free (out, FALSE);
    }
  g_string_append (out, "Not plotted (no value, NaN or ±Inf):");
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
      append_value (out, self->columns->pdata[plot.x_column], other, plot.x_column);
      append_value (out, self->columns->pdata[plot.y_column], other, plot.y_column);
    }
  return g_string_free (out, FALSE);
}

static gboolean
on_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  g_autofree char *markup = NULL;

  if (keyboard)
    return FALSE;
  markup = lm_hparams_scatter_tooltip (LM_HPARAMS_SCATTER (widget), gtk_widget_get_width (widget),
                                       gtk_widget_get_height (widget), x, y);
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
  gtk_widget_queue_draw (GTK_WIDGET (self));
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

static void
on_click (GtkGestureClick *g, int n, double x, double y, LmHparamsScatter *self)
{
  g_signal_emit (self, signals[RUN_PICKED], 0,
                 lm_hparams_scatter_pick (self, gtk_widget_get_width (GTK_WIDGET (self)),
                                          gtk_widget_get_height (GTK_WIDGET (self)), x, y));
}

static void
on_rows_changed (GListModel *model, guint pos, guint removed, guint added, LmHparamsScatter *self)
{
  gtk_widget_queue_resize (GTK_WIDGET (self));
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
  G_OBJECT_CLASS (lm_hparams_scatter_parent_class)->dispose (object);
}

static void
lm_hparams_scatter_finalize (GObject *object)
{
  LmHparamsScatter *self = LM_HPARAMS_SCATTER (object);

  g_free (self->highlighted);
  g_free (self->hovered);
  G_OBJECT_CLASS (lm_hparams_scatter_parent_class)->finalize (object);
}

static void
lm_hparams_scatter_class_init (LmHparamsScatterClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_hparams_scatter_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_hparams_scatter_finalize;
  GTK_WIDGET_CLASS (klass)->snapshot = lm_hparams_scatter_snapshot;
  GTK_WIDGET_CLASS (klass)->measure = lm_hparams_scatter_measure;
  signals[RUN_PICKED] = g_signal_new ("run-picked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
lm_hparams_scatter_init (LmHparamsScatter *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();

  g_signal_connect (click, "released", G_CALLBACK (on_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
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
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
lm_hparams_scatter_set_highlighted (LmHparamsScatter *self, const char *run_name)
{
  g_free (self->highlighted);
  self->highlighted = g_strdup (run_name);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
lm_hparams_scatter_get_hovered (LmHparamsScatter *self)
{
  return self->hovered;
}
