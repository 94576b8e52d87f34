/* lm-step-table.c: a card's step selection data table (see lm-step-table.h). */
#include "lm-step-table.h"

#include "lm-axis.h"
#include "lm-icon-tip.h"

#include <math.h>

struct _LmStepTable
{
  GtkBox parent_instance;
  LmChart *chart;             /* weak: the card owns both */
  GtkWidget *title;
  GtkWidget *grid;
  GPtrArray *cells;           /* the grid's labels, N_RANGE a row, NULL where none yet */
  GtkWidget *scroller;
  GtkWidget *empty;           /* no run has a point at or before the step */
  LmStepSelection shown;      /* the selection the table was last filled for */
  double shown_smoothing;     /* and the smoothing then */
  int shown_rows;             /* and its number of rows (-1: none yet) */
  guint idle_id;              /* a refresh for new values, once per frame */
  guint n_refreshes;
};

G_DEFINE_FINAL_TYPE (LmStepTable, lm_step_table, GTK_TYPE_BOX)

/* Rows shown before the table scrolls. */
#define VISIBLE_ROWS 6
#define ROW_HEIGHT 20

#define N_ONE 5
#define N_RANGE 7

static const char *const one_heads[N_ONE] = { "Run", "Smoothed", "Value", "Step", "Relative" };
static const char *const range_heads[N_RANGE] = { "Run", "Start", "End", "Change", "Min", "Max", "Mean" };

/* The label at (col, row) or NULL: kept here, as gtk_grid_get_child_at
 * walks every cell of the grid. */
static GtkWidget *
cell_at (LmStepTable *self, int col, int row)
{
  guint i = (guint) row * N_RANGE + (guint) col;

  return i < self->cells->len ? g_ptr_array_index (self->cells, i) : NULL;
}

static GtkWidget *
cell (LmStepTable *self, int col, int row)
{
  GtkWidget *l = cell_at (self, col, row);

  if (l == NULL)
    {
      l = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (l), col == 0 ? 0 : 1);
      gtk_widget_add_css_class (l, row == 0 ? "lm-step-table-head" : "lm-step-table-cell");
      if (row == 0)
        gtk_widget_add_css_class (l, "dim-label");
      if (col == 0)
        {
          gtk_label_set_ellipsize (GTK_LABEL (l), PANGO_ELLIPSIZE_MIDDLE);
          gtk_label_set_max_width_chars (GTK_LABEL (l), 18);
          gtk_widget_set_hexpand (l, TRUE);
        }
      gtk_grid_attach (GTK_GRID (self->grid), l, col, row, 1, 1);
      if ((guint) (row + 1) * N_RANGE > self->cells->len)
        g_ptr_array_set_size (self->cells, (guint) (row + 1) * N_RANGE);
      self->cells->pdata[row * N_RANGE + col] = l;
    }
  return l;
}

static void
set_cell (LmStepTable *self, int col, int row, const char *text)
{
  GtkWidget *l = cell (self, col, row);

  /* a live run's poll leaves most cells as they were: GTK would lay
   * them out again even for the same text */
  if (g_strcmp0 (gtk_label_get_label (GTK_LABEL (l)), text) != 0)
    gtk_label_set_text (GTK_LABEL (l), text);
  gtk_widget_set_visible (l, TRUE);
}

/* The run's colour as a swatch before its name (the tooltip's square). */
static void
set_run_cell (LmStepTable *self, int row, const LmStepRow *r)
{
  GtkWidget *l = cell (self, 0, row);
  g_autofree char *name = g_markup_escape_text (r->label, -1);
  g_autofree char *markup = g_strdup_printf ("<span foreground=\"#%02x%02x%02x\">\u25a0</span> %s",
                                             (int) lrint (r->color.red * 255), (int) lrint (r->color.green * 255),
                                             (int) lrint (r->color.blue * 255), name);

  gtk_widget_set_visible (l, TRUE);
  if (g_strcmp0 (gtk_label_get_label (GTK_LABEL (l)), markup) == 0)
    return;
  gtk_label_set_markup (GTK_LABEL (l), markup);
  /* a narrow card scrolls the numbers sideways, but keeps the names
   * readable (an ellipsis alone said nothing) */
  gtk_label_set_width_chars (GTK_LABEL (l), (int) MIN (g_utf8_strlen (r->label, -1) + 2, 14));
  gtk_widget_set_tooltip_text (l, r->label);
}

static void
refresh (LmStepTable *self)
{
  LmPlot *plot = lm_chart_get_plot (self->chart);
  LmStepSelection sel = lm_plot_get_step_selection (plot);
  g_autoptr (GArray) rows = NULL;
  gboolean smoothed;
  int n_cols, last_row;
  char a[32], b[32], title[96];

  g_clear_handle_id (&self->idle_id, g_source_remove);
  self->shown = sel;
  self->shown_smoothing = lm_plot_get_smoothing (plot);
  gtk_widget_set_visible (GTK_WIDGET (self), sel.active);
  if (!sel.active)
    return;
  self->n_refreshes++;
  rows = lm_plot_step_rows (plot);
  n_cols = sel.range ? N_RANGE : N_ONE;
  /* smoothing off: no Smoothed column, as in the tooltip */
  smoothed = lm_plot_get_smoothing (plot) > 0;

  lm_format_step (sel.start, a, sizeof a);
  lm_format_step (sel.end, b, sizeof b);
  if (sel.range)
    g_snprintf (title, sizeof title, "Steps %s \u2013 %s", a, b);
  else
    g_snprintf (title, sizeof title, "Step %s", a);
  gtk_label_set_text (GTK_LABEL (self->title), title);

  for (int c = 0; c < n_cols; c++)
    set_cell (self, c, 0, sel.range ? range_heads[c] : one_heads[c]);
  for (guint i = 0; i < rows->len; i++)
    {
      LmStepRow *r = &g_array_index (rows, LmStepRow, i);
      int row = (int) i + 1;
      char v[N_RANGE][32];

      set_run_cell (self, row, r);
      if (sel.range)
        {
          double vals[N_RANGE - 1] = { r->start_value, r->end_value, r->change, r->min, r->max, r->mean };

          for (int c = 1; c < N_RANGE; c++)
            {
              if (r->n == 0)
                g_strlcpy (v[c], "\u2013", sizeof v[c]);   /* no point in the range */
              else
                lm_format_value (vals[c - 1], v[c], sizeof v[c]);
              set_cell (self, c, row, v[c]);
            }
        }
      else
        {
          lm_format_value (r->smoothed, v[1], sizeof v[1]);
          lm_format_value (r->value, v[2], sizeof v[2]);
          lm_format_step (r->step, v[3], sizeof v[3]);
          lm_format_duration (r->relative, v[4], sizeof v[4]);
          for (int c = 1; c < N_ONE; c++)
            set_cell (self, c, row, v[c]);
        }
    }
  /* Columns and rows left from a bigger table go. */
  last_row = (int) rows->len;
  for (int c = n_cols; c < N_RANGE; c++)
    for (int row = 0; row <= last_row; row++)
      {
        GtkWidget *l = cell_at (self, c, row);

        if (l != NULL)
          gtk_widget_set_visible (l, FALSE);
      }
  for (int row = (int) (self->cells->len / N_RANGE) - 1; row > last_row; row--)
    gtk_grid_remove_row (GTK_GRID (self->grid), row);
  if (self->cells->len > (guint) (last_row + 1) * N_RANGE)
    g_ptr_array_set_size (self->cells, (guint) (last_row + 1) * N_RANGE);
  if (!sel.range)
    for (int row = 0; row <= last_row; row++)
      gtk_widget_set_visible (cell (self, 1, row), smoothed);

  gtk_widget_set_visible (self->empty, rows->len == 0);
  gtk_widget_set_visible (self->scroller, rows->len > 0);
  if (rows->len == 0)
    gtk_label_set_text (GTK_LABEL (self->empty), sel.range ? "No run logged this tag in the range"
                                                           : "No run logged this tag at or before this step");
  else if ((int) rows->len != self->shown_rows)
    {
      /* the table takes its height (up to VISIBLE_ROWS) from the card,
       * which grows, instead of squeezing the chart */
      int nat = 0;

      gtk_widget_measure (self->grid, GTK_ORIENTATION_VERTICAL, -1, NULL, &nat, NULL, NULL);
      gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (self->scroller),
                                                  MIN (nat, ROW_HEIGHT * VISIBLE_ROWS));
    }
  self->shown_rows = (int) rows->len;
}

static gboolean
refresh_idle (gpointer data)
{
  LmStepTable *self = data;

  self->idle_id = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

/* A new selection or smoothing shows at once; new values under the same
 * ones (every run of a live sweep tells of its new rows, one by one) wait
 * for the next idle moment, so that one refresh takes them all. */
static void
on_step_selection_changed (LmStepTable *self)
{
  LmPlot *plot = lm_chart_get_plot (self->chart);
  LmStepSelection sel = lm_plot_get_step_selection (plot);

  if (sel.active != self->shown.active || sel.range != self->shown.range
      || sel.start != self->shown.start || sel.end != self->shown.end
      || lm_plot_get_smoothing (plot) != self->shown_smoothing)
    refresh (self);
  else if (sel.active && self->idle_id == 0)
    self->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, refresh_idle, self, NULL);
}

static void
on_copy (GtkButton *button, LmStepTable *self)
{
  lm_step_table_copy (self);
}

static void
on_clear (GtkButton *button, LmStepTable *self)
{
  lm_chart_clear_step_selection (self->chart);
}

static void
lm_step_table_dispose (GObject *object)
{
  LmStepTable *self = LM_STEP_TABLE (object);

  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->chart != NULL)
    g_signal_handlers_disconnect_by_data (self->chart, self);
  g_clear_weak_pointer (&self->chart);
  G_OBJECT_CLASS (lm_step_table_parent_class)->dispose (object);
}

static void
lm_step_table_finalize (GObject *object)
{
  g_ptr_array_unref (LM_STEP_TABLE (object)->cells);
  G_OBJECT_CLASS (lm_step_table_parent_class)->finalize (object);
}

static void
lm_step_table_class_init (LmStepTableClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_step_table_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_step_table_finalize;
}

static void
lm_step_table_init (LmStepTable *self)
{
  self->cells = g_ptr_array_new ();   /* borrowed: the grid owns them */
}

GtkWidget *
lm_step_table_new (LmChart *chart)
{
  LmStepTable *self;
  GtkWidget *bar, *copy, *clear;

  g_return_val_if_fail (LM_IS_CHART (chart), NULL);
  self = g_object_new (LM_TYPE_STEP_TABLE, "orientation", GTK_ORIENTATION_VERTICAL, "spacing", 0, NULL);
  g_set_weak_pointer (&self->chart, chart);
  gtk_widget_add_css_class (GTK_WIDGET (self), "lm-step-table");

  bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  self->title = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->title), 0);
  gtk_widget_set_hexpand (self->title, TRUE);
  gtk_widget_add_css_class (self->title, "lm-step-table-title");
  gtk_box_append (GTK_BOX (bar), self->title);
  copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  lm_icon_tip (copy, "Copy the table (tab-separated, for a spreadsheet)");
  g_signal_connect (copy, "clicked", G_CALLBACK (on_copy), self);
  clear = gtk_button_new_from_icon_name ("window-close-symbolic");
  lm_icon_tip (clear, "Clear the step selection (Esc)");
  g_signal_connect (clear, "clicked", G_CALLBACK (on_clear), self);
  for (GtkWidget *b = copy; b; b = b == copy ? clear : NULL)
    {
      gtk_widget_add_css_class (b, "flat");
      gtk_widget_add_css_class (b, "lm-card-button");
      gtk_box_append (GTK_BOX (bar), b);
    }
  gtk_box_append (GTK_BOX (self), bar);

  self->grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (self->grid), 10);
  gtk_grid_set_row_spacing (GTK_GRID (self->grid), 1);
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_AUTOMATIC,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (self->scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (self->scroller), ROW_HEIGHT * VISIBLE_ROWS);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->grid);
  gtk_box_append (GTK_BOX (self), self->scroller);
  self->empty = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->empty), 0);
  gtk_label_set_wrap (GTK_LABEL (self->empty), TRUE);
  gtk_widget_add_css_class (self->empty, "dim-label");
  gtk_box_append (GTK_BOX (self), self->empty);

  self->shown_rows = -1;
  g_signal_connect_swapped (chart, "step-selection-changed", G_CALLBACK (on_step_selection_changed), self);
  refresh (self);
  return GTK_WIDGET (self);
}

const char *
lm_step_table_get_cell (LmStepTable *self, int column, int row)
{
  GtkWidget *l;

  g_return_val_if_fail (LM_IS_STEP_TABLE (self), NULL);
  l = column >= 0 && column < N_RANGE && row >= 0 ? cell_at (self, column, row) : NULL;
  if (l == NULL || !gtk_widget_get_visible (l) || !gtk_widget_get_visible (GTK_WIDGET (self)))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (l));
}

guint
lm_step_table_get_n_refreshes (LmStepTable *self)
{
  g_return_val_if_fail (LM_IS_STEP_TABLE (self), 0);
  return self->n_refreshes;
}

void
lm_step_table_copy (LmStepTable *self)
{
  g_autofree char *text = NULL;

  g_return_if_fail (LM_IS_STEP_TABLE (self));
  if (self->chart == NULL || (text = lm_chart_dup_step_text (self->chart)) == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
}
