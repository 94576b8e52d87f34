/* lm-parallel-coords.c: parallel coordinates of runs over hparams and
 * metrics (see lm-hparams-private.h).
 *
 * One vertical axis per column that tells runs apart (a column where every
 * run has the same value is left out and counted in a note), evenly
 * spaced, titles staggered on two lines; numeric axes span the
 * column's range (labelled at both ends), string axes place their
 * distinct values evenly.  Each run is a polyline in its colour; a
 * highlighted run is drawn last and thick, the rest faded.  Clicking a
 * line emits "run-picked".
 */
#include "lm-hparams-private.h"

#include <math.h>

#include "lm-axis.h"
#include "lm-dash-util.h"
#include "lm-palette.h"

#define MARGIN_X 60
#define MARGIN_T 44
#define MARGIN_B 24

struct _LmParallelCoords
{
  GtkWidget parent_instance;
  GListModel *rows;
  GPtrArray *columns;   /* borrowed LmHpColumn*, owned by the view */
  GArray *axes;         /* guint: indices of the columns drawn as axes */
  char *highlighted;
};

G_DEFINE_FINAL_TYPE (LmParallelCoords, lm_parallel_coords, GTK_TYPE_WIDGET)

enum { RUN_PICKED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
update_axes (LmParallelCoords *self)
{
  guint n_rows = g_list_model_get_n_items (self->rows);

  g_array_set_size (self->axes, 0);
  for (guint c = 0; self->columns != NULL && c < self->columns->len; c++)
    {
      LmHpColumn *col = self->columns->pdata[c];
      gboolean constant = col->numeric ? !(col->hi > col->lo) : col->categories->len <= 1;

      if (n_rows <= 1 || !constant)
        g_array_append_val (self->axes, c);
    }
  if (self->axes->len == 0 && self->columns != NULL)   /* every column constant: show them all */
    for (guint c = 0; c < self->columns->len; c++)
      g_array_append_val (self->axes, c);
}

static double
axis_x (LmParallelCoords *self, guint c, int width)
{
  guint n = self->axes->len;

  if (n <= 1)
    return width / 2.0;
  return MARGIN_X + (double) c / (n - 1) * (width - 2 * MARGIN_X);
}

/* a: axis number (not column index). */
static gboolean
point (LmParallelCoords *self, LmHparamsRow *row, guint a, int width, int height, double *x, double *y)
{
  guint c = g_array_index (self->axes, guint, a);
  double pos = lm_hp_column_position (self->columns->pdata[c], row, c);

  if (isnan (pos))
    return FALSE;
  *x = axis_x (self, a, width);
  *y = MARGIN_T + (1 - pos) * (height - MARGIN_T - MARGIN_B);
  return TRUE;
}

static void
draw_row (LmParallelCoords *self, cairo_t *cr, LmHparamsRow *row, int w, int h, double alpha, double lw)
{
  GdkRGBA color;
  gboolean pen = FALSE;

  lm_palette_color (row->ordinal, &color);
  cairo_set_source_rgba (cr, color.red, color.green, color.blue, alpha);
  cairo_set_line_width (cr, lw);
  for (guint c = 0; c < self->axes->len; c++)
    {
      double x, y;

      if (!point (self, row, c, w, h, &x, &y))
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

static void
lm_parallel_coords_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LmParallelCoords *self = LM_PARALLEL_COORDS (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  guint n_rows = g_list_model_get_n_items (self->rows);
  LmHparamsRow *hl = NULL;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  if (self->columns == NULL || self->columns->len == 0 || n_rows == 0)
    {
      cairo_set_source_rgba (cr, 0, 0, 0, 0.5);
      lm_dash_text (cr, w / 2.0, h / 2.0, "No runs with hyperparameters match the filters",
                    LM_ALIGN_CENTER, LM_ALIGN_CENTER, 12);
      cairo_destroy (cr);
      return;
    }
  if (self->axes->len < self->columns->len)
    {
      g_autofree char *note = g_strdup_printf ("%u column%s with at most one distinct value (runs without it aside) not shown",
                                               self->columns->len - self->axes->len,
                                               self->columns->len - self->axes->len == 1 ? "" : "s");

      cairo_set_source_rgba (cr, 0, 0, 0, 0.5);
      lm_dash_text (cr, 8, h - 4, note, LM_ALIGN_START, LM_ALIGN_END, 10);
    }
  for (guint a = 0; a < self->axes->len; a++)
    {
      LmHpColumn *col = self->columns->pdata[g_array_index (self->axes, guint, a)];
      double x = axis_x (self, a, w);
      char buf[32];

      cairo_set_source_rgba (cr, 0, 0, 0, 0.35);
      cairo_set_line_width (cr, 1);
      cairo_move_to (cr, floor (x) + 0.5, MARGIN_T);
      cairo_line_to (cr, floor (x) + 0.5, h - MARGIN_B);
      cairo_stroke (cr);
      cairo_set_source_rgb (cr, col->is_metric ? 0.1 : 0.2, col->is_metric ? 0.35 : 0.2, col->is_metric ? 0.7 : 0.2);
      {
        g_autofree char *title = lm_hp_column_is_log (col) ? g_strdup_printf ("%s (log)", col->name)
                                                          : g_strdup (col->name);

        lm_dash_text (cr, x, 6 + (a % 2) * 15, title, LM_ALIGN_CENTER, LM_ALIGN_START, 11);
      }
      cairo_set_source_rgba (cr, 0, 0, 0, 0.6);
      if (col->numeric)
        {
          lm_format_value (col->hi, buf, sizeof buf);
          lm_dash_text (cr, x + 4, MARGIN_T, buf, LM_ALIGN_START, LM_ALIGN_CENTER, 10);
          lm_format_value (col->lo, buf, sizeof buf);
          lm_dash_text (cr, x + 4, h - MARGIN_B, buf, LM_ALIGN_START, LM_ALIGN_CENTER, 10);
        }
      else
        for (guint k = 0; k < col->categories->len; k++)
          {
            double pos = col->categories->len == 1 ? 0.5 : (double) k / (col->categories->len - 1);

            lm_dash_text (cr, x + 4, MARGIN_T + (1 - pos) * (h - MARGIN_T - MARGIN_B),
                          col->categories->pdata[k], LM_ALIGN_START, LM_ALIGN_CENTER, 10);
          }
    }
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr (LmHparamsRow) row = g_list_model_get_item (self->rows, i);

      if (self->highlighted && g_strcmp0 (row->run_name, self->highlighted) == 0)
        hl = g_object_ref (row);
      else
        draw_row (self, cr, row, w, h, self->highlighted ? 0.25 : 0.85, 1.5);
    }
  if (hl != NULL)
    {
      draw_row (self, cr, hl, w, h, 1.0, 3.5);
      g_object_unref (hl);
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

  if (self->columns == NULL)
    return NULL;
  for (guint i = 0; i < g_list_model_get_n_items (self->rows); i++)
    {
      g_autoptr (LmHparamsRow) row = g_list_model_get_item (self->rows, i);
      double lx = 0, ly = 0, x, y;
      gboolean have = FALSE;

      for (guint c = 0; c < self->axes->len; c++)
        {
          if (!point (self, row, c, w, h, &x, &y))
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
