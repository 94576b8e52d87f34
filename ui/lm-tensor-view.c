/* lm-tensor-view.c: heatmap, channel tiles and value grid of one traced
 * tensor (see lm-tensor-view.h).
 *
 * The heatmap is one pixel per value in a Cairo image surface, scaled up
 * with the nearest filter: a 784×128 weight gradient costs one pass over
 * its values when the op changes, not 100k rectangles per frame. Tensors
 * with more rows than HEAT_MAX_ROWS show their first rows (noted).
 */
#include "lm-tensor-view.h"
#include "lm-theme.h"

#include <math.h>
#include <string.h>

#define HEAT_MAX_ROWS 512
#define MAX_TILES 64
#define NOTE_H 14.0

struct _LmTensorView
{
  GtkWidget parent_instance;

  int ndim;
  gint64 shape[LM_GRAPH_DATA_MAX_DIMS];
  gint64 numel;
  float *values;             /* owned copy, NULL when not stored */
  gboolean damaged;          /* the run file's blob did not match the shape */
  char *missing_note;        /* why values are not stored; NULL: the cap */
  gint64 rows, cols;         /* the 2-D reading of the values */
  double absmax;             /* largest finite |value| */
  cairo_surface_t *heat;     /* rows (capped) × cols, built lazily */
  GtkWidget *grid_area;      /* weak: the value grid's drawing area */
  GtkWidget *grid_note;
  GtkWidget *row_spin, *col_spin, *copy; /* the grid's first row and column; Copy values */
  gint64 row0, col0;         /* the grid's page: its first row and column */
  gboolean updating;
};

G_DEFINE_FINAL_TYPE (LmTensorView, lm_tensor_view, GTK_TYPE_WIDGET)

static const double NAN_RGB[3] = { 0.0, 0.78, 0.0 };
static const double INF_RGB[3] = { 1.0, 0.80, 0.0 };

void
lm_tensor_view_colour (double v, double m, double *r, double *g, double *b)
{
  /* blue (-m) .. white (0) .. red (+m), like matplotlib's "bwr" family */
  double t = m > 0 ? CLAMP (v / m, -1.0, 1.0) : 0;

  if (t < 0)
    {
      *r = 1 + t * (1 - 0.16);
      *g = 1 + t * (1 - 0.30);
      *b = 1 + t * (1 - 0.80);
    }
  else
    {
      *r = 1 - t * (1 - 0.75);
      *g = 1 - t * (1 - 0.05);
      *b = 1 - t * (1 - 0.10);
    }
}

static void
value_rgb (float v, double m, double rgb[3])
{
  if (isnan (v))
    memcpy (rgb, NAN_RGB, sizeof NAN_RGB);
  else if (isinf (v))
    memcpy (rgb, INF_RGB, sizeof INF_RGB);
  else
    lm_tensor_view_colour (v, m, &rgb[0], &rgb[1], &rgb[2]);
}

static guint32
pack (const double rgb[3])
{
  return 0xff000000u | ((guint32) lround (rgb[0] * 255) << 16) | ((guint32) lround (rgb[1] * 255) << 8)
         | (guint32) lround (rgb[2] * 255);
}

gboolean
lm_tensor_view_is_image_grid (LmTensorView *self)
{
  g_return_val_if_fail (LM_IS_TENSOR_VIEW (self), FALSE);
  return self->values && self->ndim == 4 && self->shape[1] > 0 && self->shape[2] > 0 && self->shape[3] > 0;
}

static gint64
shown_rows (LmTensorView *self)
{
  return MIN (self->rows, HEAT_MAX_ROWS);
}

static void
build_heat (LmTensorView *self)
{
  gint64 rows = shown_rows (self);

  if (self->heat || self->values == NULL || rows <= 0 || self->cols <= 0 || self->cols > 32767)
    return;
  self->heat = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) self->cols, (int) rows);
  cairo_surface_flush (self->heat);
  guchar *data = cairo_image_surface_get_data (self->heat);
  int stride = cairo_image_surface_get_stride (self->heat);
  for (gint64 r = 0; r < rows; r++)
    {
      guint32 *line = (guint32 *) (gpointer) (data + r * stride);
      for (gint64 c = 0; c < self->cols; c++)
        {
          double rgb[3];
          value_rgb (self->values[r * self->cols + c], self->absmax, rgb);
          line[c] = pack (rgb);
        }
    }
  cairo_surface_mark_dirty (self->heat);
}

/* The heatmap's rectangle in the widget: below the note line. */
static void
heat_rect (LmTensorView *self, double *x0, double *y0, double *w, double *h)
{
  *x0 = 0;
  *y0 = NOTE_H;
  *w = gtk_widget_get_width (GTK_WIDGET (self));
  *h = MAX (0, gtk_widget_get_height (GTK_WIDGET (self)) - NOTE_H);
}

gboolean
lm_tensor_view_cell_at (LmTensorView *self, double x, double y, gint64 *row, gint64 *col)
{
  double x0, y0, w, h;

  g_return_val_if_fail (LM_IS_TENSOR_VIEW (self), FALSE);
  if (self->values == NULL || lm_tensor_view_is_image_grid (self) || self->cols <= 0)
    return FALSE;
  heat_rect (self, &x0, &y0, &w, &h);
  if (w <= 0 || h <= 0 || x < x0 || y < y0 || x >= x0 + w || y >= y0 + h)
    return FALSE;
  *col = CLAMP ((gint64) ((x - x0) / w * self->cols), 0, self->cols - 1);
  *row = CLAMP ((gint64) ((y - y0) / h * shown_rows (self)), 0, shown_rows (self) - 1);
  return TRUE;
}

gboolean
lm_tensor_view_cell_center (LmTensorView *self, gint64 row, gint64 col, double *x, double *y)
{
  double x0, y0, w, h;

  g_return_val_if_fail (LM_IS_TENSOR_VIEW (self), FALSE);
  if (self->values == NULL || lm_tensor_view_is_image_grid (self) || row < 0 || col < 0
      || row >= shown_rows (self) || col >= self->cols)
    return FALSE;
  heat_rect (self, &x0, &y0, &w, &h);
  *x = x0 + (col + 0.5) * w / self->cols;
  *y = y0 + (row + 0.5) * h / shown_rows (self);
  return TRUE;
}

char *
lm_tensor_view_describe_at (LmTensorView *self, double x, double y)
{
  gint64 r, c;

  if (!lm_tensor_view_cell_at (self, x, y, &r, &c))
    return NULL;
  return g_strdup_printf ("[%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "] = %.6g", r, c,
                          (double) self->values[r * self->cols + c]);
}

static void
draw_note (cairo_t *cr, const char *text)
{
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->plot_note);
  cairo_set_font_size (cr, 10);
  cairo_move_to (cr, 2, NOTE_H - 3);
  cairo_show_text (cr, text);
}

/* Sample 0's channels, one grey tile each, normalised per tile. */
static void
draw_tiles (LmTensorView *self, cairo_t *cr, double w, double h)
{
  gint64 C = self->shape[1], H = self->shape[2], W = self->shape[3];
  gint64 n = MIN (C, MAX_TILES);
  int per_row = MAX (1, (int) ceil (sqrt ((double) n)));
  int n_rows = (int) ((n + per_row - 1) / per_row);
  double tile = MIN ((w - 2.0 * per_row) / per_row, (h - NOTE_H - 2.0 * n_rows) / n_rows);
  g_autofree char *note = g_strdup_printf ("sample 0: %" G_GINT64_FORMAT " channel%s of %" G_GINT64_FORMAT
                                           "×%" G_GINT64_FORMAT "%s",
                                           C, C == 1 ? "" : "s", H, W,
                                           C > n ? " (first 64 shown)" : ", each scaled to its own range");

  draw_note (cr, note);
  if (tile < 2)
    return;
  for (gint64 ch = 0; ch < n; ch++)
    {
      const float *v = self->values + ch * H * W;
      float lo = INFINITY, hi = -INFINITY;
      cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) W, (int) H);
      guchar *data;
      int stride;

      for (gint64 i = 0; i < H * W; i++)
        if (isfinite (v[i]))
          {
            lo = MIN (lo, v[i]);
            hi = MAX (hi, v[i]);
          }
      cairo_surface_flush (s);
      data = cairo_image_surface_get_data (s);
      stride = cairo_image_surface_get_stride (s);
      for (gint64 y = 0; y < H; y++)
        for (gint64 x = 0; x < W; x++)
          {
            float a = v[y * W + x];
            double rgb[3];
            if (!isfinite (a))
              value_rgb (a, 1, rgb);
            else
              rgb[0] = rgb[1] = rgb[2] = hi > lo ? (a - lo) / (hi - lo) : 0.5;
            ((guint32 *) (gpointer) (data + y * stride))[x] = pack (rgb);
          }
      cairo_surface_mark_dirty (s);
      cairo_save (cr);
      cairo_translate (cr, (double) (ch % per_row) * (tile + 2), NOTE_H + (double) (ch / per_row) * (tile + 2));
      cairo_scale (cr, tile / W, tile / H);
      cairo_set_source_surface (cr, s, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_surface_destroy (s);
    }
}

static void
lm_tensor_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LmTensorView *self = LM_TENSOR_VIEW (widget);
  double w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (w <= 0 || h <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->panel);
  cairo_paint (cr);
  if (self->values == NULL)
    draw_note (cr, self->numel <= 0 ? ""
                   : self->damaged ? "values damaged in the run file (not shown; statistics are the stored ones)"
                                   : lm_tensor_view_get_missing_note (self));
  else if (lm_tensor_view_is_image_grid (self))
    draw_tiles (self, cr, w, h);
  else
    {
      double x0, y0, hw, hh;
      g_autofree char *note = g_strdup_printf ("heatmap %" G_GINT64_FORMAT "×%" G_GINT64_FORMAT
                                               ", ±%.3g%s · NaN green, Inf gold",
                                               self->rows, self->cols, self->absmax,
                                               self->rows > HEAT_MAX_ROWS ? " (first 512 rows)" : "");
      build_heat (self);
      if (self->heat == NULL)  /* Cairo surfaces stop at 32767 pixels */
        {
          g_free (note);
          note = g_strdup_printf ("%" G_GINT64_FORMAT " columns: too wide for a heatmap; see the values below",
                                  self->cols);
        }
      draw_note (cr, note);
      heat_rect (self, &x0, &y0, &hw, &hh);
      if (self->heat && hw > 0 && hh > 0)
        {
          cairo_save (cr);
          cairo_translate (cr, x0, y0);
          cairo_scale (cr, hw / self->cols, hh / shown_rows (self));
          cairo_set_source_surface (cr, self->heat, 0, 0);
          cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
          cairo_paint (cr);
          cairo_restore (cr);
        }
    }
  cairo_destroy (cr);
}

static void
lm_tensor_view_measure (GtkWidget *widget, GtkOrientation o, int for_size, int *min, int *nat,
                        int *min_base, int *nat_base)
{
  LmTensorView *self = LM_TENSOR_VIEW (widget);

  /* In the debugger's pane, which scrolls, every child gets its minimum
   * height: with values it is the whole 180 px (at 60, a conv output's 32
   * channels were tiles of 6 px and a heatmap had 46 px of rows); with
   * only a note, the note's line. */
  *min = o == GTK_ORIENTATION_HORIZONTAL ? 100 : self->values != NULL ? 180 : (int) NOTE_H + 4;
  *nat = o == GTK_ORIENTATION_HORIZONTAL ? 300 : MAX (*min, 180);
}

static void
on_motion (GtkEventControllerMotion *m, double x, double y, LmTensorView *self)
{
  g_autofree char *text = lm_tensor_view_describe_at (self, x, y);

  gtk_widget_set_tooltip_text (GTK_WIDGET (self), text);
}

static void
lm_tensor_view_finalize (GObject *object)
{
  LmTensorView *self = LM_TENSOR_VIEW (object);

  if (self->grid_area)
    {
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->grid_area), NULL, NULL, NULL);
      g_object_remove_weak_pointer (G_OBJECT (self->grid_area), (gpointer *) &self->grid_area);
    }
  g_free (self->values);
  g_free (self->missing_note);
  g_clear_pointer (&self->heat, cairo_surface_destroy);
  G_OBJECT_CLASS (lm_tensor_view_parent_class)->finalize (object);
}

static void
lm_tensor_view_class_init (LmTensorViewClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lm_tensor_view_finalize;
  GTK_WIDGET_CLASS (klass)->snapshot = lm_tensor_view_snapshot;
  GTK_WIDGET_CLASS (klass)->measure = lm_tensor_view_measure;
}

static void
lm_tensor_view_init (LmTensorView *self)
{
  GtkEventController *m = gtk_event_controller_motion_new ();

  g_signal_connect (m, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self), m);
}

GtkWidget *
lm_tensor_view_new (void)
{
  return g_object_new (LM_TYPE_TENSOR_VIEW, NULL);
}

static void update_grid (LmTensorView *self);

void
lm_tensor_view_set_missing_note (LmTensorView *self, const char *note)
{
  g_return_if_fail (LM_IS_TENSOR_VIEW (self));
  if (g_strcmp0 (note, self->missing_note) == 0)
    return;
  g_free (self->missing_note);
  self->missing_note = g_strdup (note);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
lm_tensor_view_get_missing_note (LmTensorView *self)
{
  g_return_val_if_fail (LM_IS_TENSOR_VIEW (self), NULL);
  return self->missing_note ? self->missing_note : "values not stored (over the trace's cap)";
}

void
lm_tensor_view_set_event (LmTensorView *self, const LmTraceDataEvent *e)
{
  g_return_if_fail (LM_IS_TENSOR_VIEW (self));
  g_clear_pointer (&self->values, g_free);
  g_clear_pointer (&self->heat, cairo_surface_destroy);
  self->ndim = 0;
  self->numel = self->rows = self->cols = 0;
  self->absmax = 0;
  self->damaged = e != NULL && e->values_damaged;
  if (e != NULL)
    {
      self->ndim = CLAMP (e->ndim, 0, LM_GRAPH_DATA_MAX_DIMS);
      memcpy (self->shape, e->shape, sizeof self->shape);
      self->numel = MAX (e->numel, 0);
      if (e->values && self->numel > 0)
        {
          self->values = g_memdup2 (e->values, (gsize) self->numel * sizeof (float));
          self->cols = self->ndim >= 1 && e->shape[self->ndim - 1] > 0 ? e->shape[self->ndim - 1] : self->numel;
          self->rows = self->numel / self->cols;
          for (gint64 i = 0; i < self->numel; i++)
            if (isfinite (self->values[i]))
              self->absmax = MAX (self->absmax, fabs (self->values[i]));
        }
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), NULL);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  self->row0 = self->col0 = 0;
  update_grid (self);
}

/* ---- the value grid ---- */

#define CELL_W 74.0
#define IDX_W 44.0
#define ROW_H 16.0

static void
grid_size (LmTensorView *self, gint64 *rows, gint64 *cols)
{
  *rows = self->values ? CLAMP (self->rows - self->row0, 0, LM_TENSOR_GRID_MAX_ROWS) : 0;
  *cols = self->values ? CLAMP (self->cols - self->col0, 0, LM_TENSOR_GRID_MAX_COLS) : 0;
}

static void
draw_grid (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  LmTensorView *self = data;
  gint64 rows, cols;
  char buf[64];

  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->bg);
  cairo_paint (cr);
  grid_size (self, &rows, &cols);
  cairo_set_font_size (cr, 10);
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->plot_index);
  for (gint64 c = 0; c < cols; c++)
    {
      g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, self->col0 + c);
      cairo_move_to (cr, IDX_W + c * CELL_W + 4, ROW_H - 4);
      cairo_show_text (cr, buf);
    }
  for (gint64 r = 0; r < rows; r++)
    {
      double y = (r + 2) * ROW_H - 4;
      gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->plot_index);
      g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, self->row0 + r);
      cairo_move_to (cr, 4, y);
      cairo_show_text (cr, buf);
      for (gint64 c = 0; c < cols; c++)
        {
          float v = self->values[(self->row0 + r) * self->cols + self->col0 + c];
          double rgb[3];
          value_rgb (v, self->absmax, rgb);
          cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
          cairo_rectangle (cr, IDX_W + c * CELL_W, (r + 1) * ROW_H, CELL_W - 1, ROW_H - 1);
          cairo_fill (cr);
          cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);   /* on the value's colour, in both themes */
          if (isnan (v))   /* printf's "-nan" reads like a number */
            g_strlcpy (buf, "NaN", sizeof buf);
          else if (isinf (v))
            g_strlcpy (buf, v > 0 ? "+Inf" : "-Inf", sizeof buf);
          else
            g_snprintf (buf, sizeof buf, "%.4g", (double) v);
          cairo_move_to (cr, IDX_W + c * CELL_W + 4, y);
          cairo_show_text (cr, buf);
        }
    }
}

/* One of the pager's spin buttons: any of n first rows (or columns), a
 * page a click, showing `first`. */
static void
set_pager (GtkWidget *spin, gint64 n, int page, gint64 first)
{
  gtk_spin_button_set_range (GTK_SPIN_BUTTON (spin), 0, MAX (n - 1, 0));
  gtk_spin_button_set_increments (GTK_SPIN_BUTTON (spin), page, page * 10);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), (double) first);
}

static void
update_grid (LmTensorView *self)
{
  gint64 rows, cols;
  g_autofree char *note = NULL;

  if (self->grid_area == NULL || self->row_spin == NULL)
    return;
  grid_size (self, &rows, &cols);
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (self->grid_area), (int) (IDX_W + cols * CELL_W));
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->grid_area), (int) ((rows + 1) * ROW_H));
  gtk_widget_queue_draw (self->grid_area);
  /* the pager: any first row and column, a page a click */
  self->updating = TRUE;
  set_pager (self->row_spin, self->rows, LM_TENSOR_GRID_MAX_ROWS, self->row0);
  set_pager (self->col_spin, self->cols, LM_TENSOR_GRID_MAX_COLS, self->col0);
  self->updating = FALSE;
  gtk_widget_set_visible (gtk_widget_get_parent (self->row_spin),
                          self->values != NULL && (self->rows > LM_TENSOR_GRID_MAX_ROWS
                                                   || self->cols > LM_TENSOR_GRID_MAX_COLS));
  gtk_widget_set_sensitive (self->copy, self->values != NULL);
  if (self->values == NULL)
    note = g_strdup ("");
  else if (rows < self->rows || cols < self->cols)
    note = g_strdup_printf ("values (rows × last dim): rows %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT " of %"
                            G_GINT64_FORMAT ", columns %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT " of %"
                            G_GINT64_FORMAT, self->row0, self->row0 + rows - 1, self->rows, self->col0,
                            self->col0 + cols - 1, self->cols);
  else
    note = g_strdup_printf ("values (rows × last dim): all %" G_GINT64_FORMAT, self->numel);
  gtk_label_set_text (GTK_LABEL (self->grid_note), note);
}

static void
on_page_changed (GtkSpinButton *spin, LmTensorView *self)
{
  if (self->updating)
    return;
  self->row0 = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->row_spin));
  self->col0 = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->col_spin));
  update_grid (self);
}

char *
lm_tensor_view_values_text (LmTensorView *self)
{
  GString *s;

  g_return_val_if_fail (LM_IS_TENSOR_VIEW (self), NULL);
  if (self->values == NULL)
    return NULL;
  s = g_string_sized_new ((gsize) self->numel * 12 + 64);
  g_string_append (s, "# shape (");
  for (int d = 0; d < self->ndim; d++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, d ? ", " : "", self->shape[d]);
  g_string_append_printf (s, "%s), as %" G_GINT64_FORMAT " rows x %" G_GINT64_FORMAT " (the last dim)\n",
                          self->ndim == 1 ? "," : "", self->rows, self->cols);
  for (gint64 r = 0; r < self->rows; r++)
    for (gint64 c = 0; c < self->cols; c++)
      {
        float v = self->values[r * self->cols + c];
        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        /* numpy.loadtxt's and pandas' spellings; "%.9g" gives a float32 back exactly */
        if (isnan (v))
          g_strlcpy (buf, "nan", sizeof buf);
        else if (isinf (v))
          g_strlcpy (buf, v > 0 ? "inf" : "-inf", sizeof buf);
        else
          g_ascii_formatd (buf, sizeof buf, "%.9g", (double) v);
        g_string_append (s, buf);
        g_string_append_c (s, c + 1 < self->cols ? '\t' : '\n');
      }
  return g_string_free (s, FALSE);
}

static void
on_copy (GtkButton *b, LmTensorView *self)
{
  g_autofree char *text = lm_tensor_view_values_text (self);

  if (text)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (b)), text);
}

static void
spin_labelled (GtkWidget *row, const char *label, GtkWidget **spin, const char *tip, LmTensorView *self)
{
  *spin = gtk_spin_button_new_with_range (0, 0, 1);
  gtk_editable_set_width_chars (GTK_EDITABLE (*spin), 5);
  gtk_widget_set_tooltip_text (*spin, tip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (*spin), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_signal_connect (*spin, "value-changed", G_CALLBACK (on_page_changed), self);
  gtk_box_append (GTK_BOX (row), gtk_label_new (label));
  gtk_box_append (GTK_BOX (row), *spin);
}

GtkWidget *
lm_tensor_view_new_grid (LmTensorView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *scroll = gtk_scrolled_window_new ();
  /* pager and button one under the other: side by side they made the
   * debugger pane wider than its rows of buttons */
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *pager = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);

  g_return_val_if_fail (LM_IS_TENSOR_VIEW (self), NULL);
  g_return_val_if_fail (self->grid_area == NULL, NULL);
  self->grid_note = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->grid_note), 0);
  gtk_label_set_wrap (GTK_LABEL (self->grid_note), TRUE);
  gtk_widget_add_css_class (self->grid_note, "dim-label");
  self->grid_area = gtk_drawing_area_new ();
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->grid_area), draw_grid, self, NULL);
  g_object_add_weak_pointer (G_OBJECT (self->grid_area), (gpointer *) &self->grid_area);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), self->grid_area);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroll), 120);
  spin_labelled (pager, "Row", &self->row_spin, "First row shown (type one; the arrows move 200 rows, a page)", self);
  spin_labelled (pager, "Column", &self->col_spin, "First column shown (type one; the arrows move 32 columns, a page)", self);
  self->copy = gtk_button_new_with_label ("Copy values");
  gtk_widget_set_tooltip_text (self->copy, "Copy every stored value, tab-separated, one row per line "
                                           "(numpy.loadtxt, pandas.read_csv(sep='\\t', comment='#'))");
  g_signal_connect (self->copy, "clicked", G_CALLBACK (on_copy), self);
  gtk_widget_set_halign (self->copy, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (bar), pager);
  gtk_box_append (GTK_BOX (bar), self->copy);
  gtk_box_append (GTK_BOX (box), self->grid_note);
  gtk_box_append (GTK_BOX (box), bar);
  gtk_box_append (GTK_BOX (box), scroll);
  update_grid (self);
  return box;
}
