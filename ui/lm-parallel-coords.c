/* lm-parallel-coords.c: parallel coordinates of runs over hparams and
 * metrics (see lm-hparams-private.h).
 *
 * One vertical axis per column that tells runs apart (a column where every
 * run has the same value is left out and counted in a note), evenly
 * spaced, titles staggered on two lines; numeric axes span the column's
 * finite range (labelled at both ends; bool axes false and true), with
 * NaN and infinities in labelled slots off the ends (+Inf above, -Inf
 * and then NaN below); string axes place their distinct values evenly.
 * Every title and label is cut to the room it has, so none runs into
 * another or off the widget, and the tooltip over it has it whole.  Each
 * run is a polyline in its colour; a highlighted run is drawn last and
 * thick, the rest faded.  Clicking a line emits "run-picked".
 */
#include "lm-hparams-private.h"

#include <math.h>

#include "lm-axis.h"
#include "lm-dash-util.h"
#include "lm-theme.h"

#define MARGIN_X 60
#define MARGIN_T 44
#define MARGIN_B 24
#define SLOT     16   /* between the axis end and a NaN/Inf slot, and between slots */
#define TITLE_PX 11
#define LABEL_PX 10

struct _LmParallelCoords
{
  GtkWidget parent_instance;
  GListModel *rows;
  GPtrArray *columns;   /* borrowed LmHpColumn*, owned by the view */
  GArray *axes;         /* guint: indices of the columns drawn as axes */
  guint n_shown;        /* columns not hidden in the left pane */
  char *highlighted;
  GPtrArray *labels;    /* LmPcLabel*, as last drawn (for tooltips) */
};

G_DEFINE_FINAL_TYPE (LmParallelCoords, lm_parallel_coords, GTK_TYPE_WIDGET)

enum { RUN_PICKED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* Vertical places, shared by every axis: the range, and the slots off its
 * ends (room is made for a slot when any axis needs it). */
typedef struct
{
  double top, bottom;
  double pos_inf, neg_inf, nan;
} Geometry;

static void
update_axes (LmParallelCoords *self)
{
  guint n_rows = g_list_model_get_n_items (self->rows);

  g_array_set_size (self->axes, 0);
  self->n_shown = 0;
  for (guint c = 0; self->columns != NULL && c < self->columns->len; c++)
    if (!lm_hp_column_is_hidden (self->columns->pdata[c]))
      {
        self->n_shown++;
        if (n_rows <= 1 || lm_hp_column_varies (self->columns->pdata[c]))
          g_array_append_val (self->axes, c);
      }
  if (self->axes->len == 0 && self->columns != NULL)   /* every column constant: show them all */
    for (guint c = 0; c < self->columns->len; c++)
      if (!lm_hp_column_is_hidden (self->columns->pdata[c]))
        g_array_append_val (self->axes, c);
}

static LmHpColumn *
axis_column (LmParallelCoords *self, guint a)
{
  return self->columns->pdata[g_array_index (self->axes, guint, a)];
}

static void
geometry (LmParallelCoords *self, int height, Geometry *g)
{
  gboolean pos_inf = FALSE, neg_inf = FALSE, nan = FALSE;

  for (guint a = 0; a < self->axes->len; a++)
    {
      LmHpColumn *col = axis_column (self, a);

      pos_inf |= col->numeric && col->has_pos_inf;
      neg_inf |= col->numeric && col->has_neg_inf;
      nan |= col->numeric && col->has_nan;
    }
  g->pos_inf = MARGIN_T;
  g->top = MARGIN_T + (pos_inf ? SLOT : 0);
  g->bottom = height - MARGIN_B - (neg_inf + nan) * SLOT;
  g->neg_inf = g->bottom + SLOT;
  g->nan = g->bottom + (neg_inf ? 2 : 1) * SLOT;
}

static double
axis_x (LmParallelCoords *self, guint c, int width)
{
  guint n = self->axes->len;

  if (n <= 1)
    return width / 2.0;
  return MARGIN_X + (double) c / (n - 1) * (width - 2 * MARGIN_X);
}

/* Distance between neighbouring axes. */
static double
axis_gap (LmParallelCoords *self, int width)
{
  return self->axes->len <= 1 ? width : (double) (width - 2 * MARGIN_X) / (self->axes->len - 1);
}

/* a: axis number (not column index). */
static gboolean
point (LmParallelCoords *self, LmHparamsRow *row, guint a, int width, const Geometry *g, double *x, double *y)
{
  guint c = g_array_index (self->axes, guint, a);
  double pos = 0;

  switch (lm_hp_column_place (self->columns->pdata[c], row, c, &pos))
    {
    case LM_HP_PLACE_NONE:
      return FALSE;
    case LM_HP_PLACE_RANGE:
      *y = g->top + (1 - pos) * (g->bottom - g->top);
      break;
    case LM_HP_PLACE_POS_INF:
      *y = g->pos_inf;
      break;
    case LM_HP_PLACE_NEG_INF:
      *y = g->neg_inf;
      break;
    case LM_HP_PLACE_NAN:
    default:
      *y = g->nan;
      break;
    }
  *x = axis_x (self, a, width);
  return TRUE;
}

/* ---------------------------------------------------------------- labels */

static void
label_free (gpointer data)
{
  LmPcLabel *l = data;

  g_free (l->text);
  g_object_unref (l->layout);
  g_free (l);
}

/* Adds `text` cut to the width of [x_lo, x_hi], anchored at (x, y) by
 * halign/valign and then moved inside [x_lo, x_hi]; returns it, or NULL
 * when not even an ellipsis fits. */
static LmPcLabel *
add_label (LmParallelCoords *self, GPtrArray *labels, const char *text, int px, gboolean is_title, guint axis,
           double x, LmAlign halign, double y, LmAlign valign, double x_lo, double x_hi)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoFontDescription *font = pango_font_description_from_string ("Sans");
  double max_width = x_hi - x_lo;
  PangoRectangle ink, logical;
  LmPcLabel *l;
  double left;

  pango_font_description_set_absolute_size (font, px * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  if (max_width >= 1)
    {
      pango_layout_set_width (layout, (int) floor (max_width) * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, is_title ? PANGO_ELLIPSIZE_MIDDLE : PANGO_ELLIPSIZE_END);
    }
  pango_layout_get_pixel_extents (layout, &ink, &logical);
  if (max_width < 1 || logical.width > max_width)
    {
      g_object_unref (layout);
      return NULL;
    }
  left = x - (halign == LM_ALIGN_CENTER ? logical.width / 2.0 : halign == LM_ALIGN_END ? logical.width : 0);
  left = CLAMP (left, x_lo, x_hi - logical.width);
  l = g_new0 (LmPcLabel, 1);
  l->text = g_strdup (text);
  l->layout = layout;
  l->axis = axis;
  l->is_title = is_title;
  l->rect = GRAPHENE_RECT_INIT (left, y - (valign == LM_ALIGN_CENTER ? logical.height / 2.0
                                          : valign == LM_ALIGN_END ? logical.height : 0),
                                logical.width, logical.height);
  g_ptr_array_add (labels, l);
  return l;
}

static void
format_axis_value (const LmHpColumn *col, double v, char *buf, gsize len)
{
  if (col->boolean)
    g_strlcpy (buf, v != 0 ? "true" : "false", len);
  else
    lm_hp_format_number (v, col->is_metric ? 5 : 6, buf, len);
}

GPtrArray *
lm_parallel_coords_layout_labels (LmParallelCoords *self, int w, int h)
{
  GPtrArray *labels = g_ptr_array_new_with_free_func (label_free);
  double gap = axis_gap (self, w);
  Geometry g;

  g_return_val_if_fail (LM_IS_PARALLEL_COORDS (self), labels);
  if (self->columns == NULL)
    return labels;
  geometry (self, h, &g);
  for (guint a = 0; a < self->axes->len; a++)
    {
      LmHpColumn *col = axis_column (self, a);
      double x = axis_x (self, a, w);
      /* values to the right of the axis, up to the next one (or the edge) */
      double v_lo = x + 4, v_hi = MIN (w - 2, x + gap - 4);
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      /* Titles alternate between two lines, so one may spread to
       * halfway to either neighbour on its line. */
      {
        g_autofree char *title = lm_hp_column_is_log (col) ? g_strdup_printf ("%s (log)", lm_hp_column_title (col))
                                                          : g_strdup (lm_hp_column_title (col));

        add_label (self, labels, title, TITLE_PX, TRUE, a, x, LM_ALIGN_CENTER,
                   6 + (self->axes->len > 1 ? (a % 2) * 15 : 0), LM_ALIGN_START,
                   MAX (2, x - gap + 4), MIN (w - 2, x + gap - 4));
      }
      if (col->numeric)
        {
          if (col->lo < col->hi)
            {
              format_axis_value (col, col->hi, buf, sizeof buf);
              add_label (self, labels, buf, LABEL_PX, FALSE, a, v_lo, LM_ALIGN_START, g.top, LM_ALIGN_CENTER, v_lo, v_hi);
              format_axis_value (col, col->lo, buf, sizeof buf);
              add_label (self, labels, buf, LABEL_PX, FALSE, a, v_lo, LM_ALIGN_START, g.bottom, LM_ALIGN_CENTER, v_lo, v_hi);
            }
          else if (col->lo == col->hi)
            {
              format_axis_value (col, col->lo, buf, sizeof buf);
              add_label (self, labels, buf, LABEL_PX, FALSE, a, v_lo, LM_ALIGN_START, (g.top + g.bottom) / 2,
                         LM_ALIGN_CENTER, v_lo, v_hi);
            }
          if (col->has_pos_inf)
            add_label (self, labels, "+Inf", LABEL_PX, FALSE, a, v_lo, LM_ALIGN_START, g.pos_inf, LM_ALIGN_CENTER, v_lo, v_hi);
          if (col->has_neg_inf)
            add_label (self, labels, "-Inf", LABEL_PX, FALSE, a, v_lo, LM_ALIGN_START, g.neg_inf, LM_ALIGN_CENTER, v_lo, v_hi);
          if (col->has_nan)
            add_label (self, labels, "NaN", LABEL_PX, FALSE, a, v_lo, LM_ALIGN_START, g.nan, LM_ALIGN_CENTER, v_lo, v_hi);
        }
      else
        {
          double last = -G_MAXDOUBLE;

          /* top down; a value too close to the one above goes unlabelled */
          for (guint k = col->categories->len; k-- > 0;)
            {
              double pos = col->categories->len == 1 ? 0.5 : (double) k / (col->categories->len - 1);
              double y = g.top + (1 - pos) * (g.bottom - g.top);
              LmPcLabel *l = add_label (self, labels, col->categories->pdata[k], LABEL_PX, FALSE, a,
                                        v_lo, LM_ALIGN_START, y, LM_ALIGN_CENTER, v_lo, v_hi);

              if (l == NULL)
                continue;
              if (l->rect.origin.y < last + 1)
                g_ptr_array_remove_index (labels, labels->len - 1);
              else
                last = l->rect.origin.y + l->rect.size.height;
            }
        }
    }
  return labels;
}

/* ------------------------------------------------------------- drawing */

static void
draw_row (LmParallelCoords *self, cairo_t *cr, LmHparamsRow *row, int w, const Geometry *g, double alpha, double lw)
{
  gboolean pen = FALSE;

  cairo_set_source_rgba (cr, row->color.red, row->color.green, row->color.blue, alpha);
  cairo_set_line_width (cr, lw);
  for (guint c = 0; c < self->axes->len; c++)
    {
      double x, y;

      if (!point (self, row, c, w, g, &x, &y))
        {
          pen = FALSE;   /* a missing value breaks the line */
          continue;
        }
      if (pen)
        cairo_line_to (cr, x, y);
      else
        cairo_move_to (cr, x, y);
      cairo_arc (cr, x, y, lw, 0, 2 * G_PI);
      cairo_move_to (cr, x, y);
      pen = TRUE;
    }
  cairo_stroke (cr);
}

/* The axis line over the range, dashed out to the slots it uses, each
 * slot with a tick. */
static void
draw_axis (cairo_t *cr, const LmHpColumn *col, double x, const Geometry *g)
{
  double top = g->top, bottom = g->bottom;
  double dash = 2;

  x = floor (x) + 0.5;
  lm_theme_set_ink (cr, 0.35);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, x, g->top);
  cairo_line_to (cr, x, g->bottom);
  cairo_stroke (cr);
  if (!col->numeric)
    return;
  if (col->has_pos_inf)
    top = g->pos_inf;
  if (col->has_neg_inf)
    bottom = g->neg_inf;
  if (col->has_nan)
    bottom = g->nan;
  cairo_set_dash (cr, &dash, 1, 0);
  cairo_move_to (cr, x, top);
  cairo_line_to (cr, x, g->top);
  cairo_move_to (cr, x, g->bottom);
  cairo_line_to (cr, x, bottom);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  for (int s = 0; s < 3; s++)
    {
      gboolean has = s == 0 ? col->has_pos_inf : s == 1 ? col->has_neg_inf : col->has_nan;
      double y = floor (s == 0 ? g->pos_inf : s == 1 ? g->neg_inf : g->nan) + 0.5;

      if (!has)
        continue;
      cairo_move_to (cr, x - 4, y);
      cairo_line_to (cr, x + 4, y);
    }
  cairo_stroke (cr);
}

static void
lm_parallel_coords_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LmParallelCoords *self = LM_PARALLEL_COORDS (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  guint n_rows = g_list_model_get_n_items (self->rows);
  LmHparamsRow *hl = NULL;
  Geometry g;

  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->bg);
  cairo_paint (cr);
  g_clear_pointer (&self->labels, g_ptr_array_unref);
  if (self->columns == NULL || self->axes->len == 0 || n_rows == 0)
    {
      lm_theme_set_ink (cr, 0.5);
      lm_dash_text (cr, w / 2.0, h / 2.0, n_rows > 0 && self->columns != NULL && self->columns->len > 0
                                          ? "Every column is hidden"
                                          : "No runs with hyperparameters match the filters",
                    LM_ALIGN_CENTER, LM_ALIGN_CENTER, 12);
      cairo_destroy (cr);
      return;
    }
  if (self->axes->len < self->n_shown)
    {
      g_autofree char *note = g_strdup_printf ("%u column%s with at most one distinct value (runs without it aside) not shown",
                                               self->n_shown - self->axes->len,
                                               self->n_shown - self->axes->len == 1 ? "" : "s");

      lm_theme_set_ink (cr, 0.5);
      lm_dash_text (cr, 8, h - 4, note, LM_ALIGN_START, LM_ALIGN_END, 10);
    }
  geometry (self, h, &g);
  for (guint a = 0; a < self->axes->len; a++)
    draw_axis (cr, axis_column (self, a), axis_x (self, a, w), &g);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr (LmHparamsRow) row = g_list_model_get_item (self->rows, i);

      if (self->highlighted && g_strcmp0 (row->run_name, self->highlighted) == 0)
        hl = g_object_ref (row);
      else
        draw_row (self, cr, row, w, &g, self->highlighted ? 0.25 : 0.85, 1.5);
    }
  if (hl != NULL)
    {
      draw_row (self, cr, hl, w, &g, 1.0, 3.5);
      g_object_unref (hl);
    }
  /* Labels over the lines, on a faint backing so a dense bundle of
   * lines does not hide them. */
  self->labels = lm_parallel_coords_layout_labels (self, w, h);
  for (guint i = 0; i < self->labels->len; i++)
    {
      LmPcLabel *l = self->labels->pdata[i];
      LmHpColumn *col = axis_column (self, l->axis);

      lm_theme_set_paper (cr, 0.75);
      cairo_rectangle (cr, l->rect.origin.x, l->rect.origin.y, l->rect.size.width, l->rect.size.height);
      cairo_fill (cr);
      if (l->is_title)
        gdk_cairo_set_source_rgba (cr, col->is_metric ? &lm_theme_colors ()->metric_title
                                                       : &lm_theme_colors ()->hparam_title);
      else
        lm_theme_set_ink (cr, 0.75);
      cairo_move_to (cr, l->rect.origin.x, l->rect.origin.y);
      pango_cairo_show_layout (cr, l->layout);
    }
  cairo_destroy (cr);
}

static double
segment_distance (double px, double py, double x0, double y0, double x1, double y1)
{
  double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? CLAMP (((px - x0) * dx + (py - y0) * dy) / len2, 0, 1) : 0;

  return hypot (px - (x0 + t * dx), py - (y0 + t * dy));
}

const char *
lm_parallel_coords_pick (LmParallelCoords *self, double px, double py)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  double best = 8;   /* pixels */
  const char *name = NULL;
  Geometry g;

  if (self->columns == NULL)
    return NULL;
  geometry (self, h, &g);
  for (guint i = 0; i < g_list_model_get_n_items (self->rows); i++)
    {
      g_autoptr (LmHparamsRow) row = g_list_model_get_item (self->rows, i);
      double lx = 0, ly = 0, x, y;
      gboolean have = FALSE;

      for (guint c = 0; c < self->axes->len; c++)
        {
          if (!point (self, row, c, w, &g, &x, &y))
            {
              have = FALSE;
              continue;
            }
          if ((have && segment_distance (px, py, lx, ly, x, y) < best)
              || hypot (px - x, py - y) < best)
            {
              best = have ? MIN (segment_distance (px, py, lx, ly, x, y), hypot (px - x, py - y)) : hypot (px - x, py - y);
              name = row->run_name;   /* the row stays alive in the model */
            }
          lx = x;
          ly = y;
          have = TRUE;
        }
    }
  return name;
}

/* Over a label: its whole text; over a line: the run's name. */
static gboolean
on_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  LmParallelCoords *self = LM_PARALLEL_COORDS (widget);
  const char *run;

  for (guint i = 0; self->labels != NULL && i < self->labels->len; i++)
    {
      LmPcLabel *l = self->labels->pdata[i];

      if (graphene_rect_contains_point (&l->rect, &GRAPHENE_POINT_INIT (x, y)))
        {
          gtk_tooltip_set_text (tooltip, l->text);
          return TRUE;
        }
    }
  if (keyboard || (run = lm_parallel_coords_pick (self, x, y)) == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, run);
  return TRUE;
}

static void
on_click (GtkGestureClick *g, int n, double x, double y, LmParallelCoords *self)
{
  g_signal_emit (self, signals[RUN_PICKED], 0, lm_parallel_coords_pick (self, x, y));
}

static void
on_rows_changed (GListModel *model, guint pos, guint removed, guint added, LmParallelCoords *self)
{
  update_axes (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
lm_parallel_coords_measure (GtkWidget *widget, GtkOrientation o, int for_size,
                            int *min, int *nat, int *min_base, int *nat_base)
{
  *min = o == GTK_ORIENTATION_HORIZONTAL ? 300 : 180;
  *nat = o == GTK_ORIENTATION_HORIZONTAL ? 800 : 260;
}

static void
lm_parallel_coords_dispose (GObject *object)
{
  LmParallelCoords *self = LM_PARALLEL_COORDS (object);

  if (self->rows != NULL)
    g_signal_handlers_disconnect_by_data (self->rows, self);
  g_clear_object (&self->rows);
  G_OBJECT_CLASS (lm_parallel_coords_parent_class)->dispose (object);
}

static void
lm_parallel_coords_finalize (GObject *object)
{
  LmParallelCoords *self = LM_PARALLEL_COORDS (object);

  g_free (self->highlighted);
  g_array_unref (self->axes);
  g_clear_pointer (&self->labels, g_ptr_array_unref);
  G_OBJECT_CLASS (lm_parallel_coords_parent_class)->finalize (object);
}

static void
lm_parallel_coords_class_init (LmParallelCoordsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_parallel_coords_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_parallel_coords_finalize;
  GTK_WIDGET_CLASS (klass)->snapshot = lm_parallel_coords_snapshot;
  GTK_WIDGET_CLASS (klass)->measure = lm_parallel_coords_measure;
  signals[RUN_PICKED] = g_signal_new ("run-picked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
lm_parallel_coords_init (LmParallelCoords *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->axes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_signal_connect (click, "released", G_CALLBACK (on_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
}

GtkWidget *
lm_parallel_coords_new (GListModel *rows)
{
  LmParallelCoords *self = g_object_new (LM_TYPE_PARALLEL_COORDS, NULL);

  self->rows = g_object_ref (rows);
  g_signal_connect (rows, "items-changed", G_CALLBACK (on_rows_changed), self);
  return GTK_WIDGET (self);
}

void
lm_parallel_coords_set_columns (LmParallelCoords *self, GPtrArray *columns)
{
  self->columns = columns;
  update_axes (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lm_parallel_coords_set_highlighted (LmParallelCoords *self, const char *run_name)
{
  g_free (self->highlighted);
  self->highlighted = g_strdup (run_name);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
