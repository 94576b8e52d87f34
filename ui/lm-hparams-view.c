/* lm-hparams-view.c: hparams table, parallel coordinates and scatter plot
 * matrix, with TensorBoard's left pane of column filters (see
 * lm-hparams-view.h).
 *
 * Model chain: GListStore of LmHparamsRow -> GtkFilterListModel (regex
 * and column filters) -> GtkSortListModel (the column view's sorter) ->
 * GtkSingleSelection; both plots draw the sorted model.  Column filters
 * (LmHpFilter) are kept by column name, so they outlive rebuilds.
 * Rows and columns are rebuilt from the feed when it or the run selection
 * changes (a few hundred runs at most, so a rebuild is cheap); the
 * selected run survives a rebuild by name.
 */
#include "lm-hparams-view.h"

#include <math.h>

#include "lm-axis.h"
#include "lm-hparams-private.h"
#include "lm-dash-util.h"
#include "lm-palette.h"
#include "lm-natural.h"

struct _LmHparamsView
{
  GtkBox parent_instance;

  LmRunSelection *selection;
  LmRecordFeed *feed;
  GRegex *regex;
  GPtrArray *columns;          /* LmHpColumn* */
  GListStore *store;
  GtkCustomFilter *filter;
  GtkSortListModel *sorted;
  GtkSorter *sorter;           /* the column view's */
  GtkSingleSelection *single;
  GtkWidget *column_view, *entry, *warning, *pc, *summary;
  GtkWidget *stack, *scatter;
  GHashTable *filters;         /* "h"/"m" + column name -> LmHpFilter* */
  GtkWidget *pane;             /* the left pane's box of column filters */
  char *pane_key;              /* what the pane was built for */
  gboolean building_pane;
  gboolean syncing;
  gboolean descending;   /* the table's sort order (NaN and missing stay last) */
};

G_DEFINE_FINAL_TYPE (LmHparamsView, lm_hparams_view, GTK_TYPE_BOX)

/* ------------------------------------------------------------------ rows */

G_DEFINE_FINAL_TYPE (LmHparamsRow, lm_hparams_row, G_TYPE_OBJECT)

static void
lm_hparams_row_finalize (GObject *object)
{
  LmHparamsRow *row = LM_HPARAMS_ROW (object);

  g_free (row->run_name);
  g_free (row->present);
  g_free (row->is_number);
  g_free (row->number);
  for (guint i = 0; i < row->n; i++)
    g_free (row->text[i]);
  g_free (row->text);
  G_OBJECT_CLASS (lm_hparams_row_parent_class)->finalize (object);
}

static void
lm_hparams_row_class_init (LmHparamsRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lm_hparams_row_finalize;
}

static void
lm_hparams_row_init (LmHparamsRow *row)
{
}

LmHparamsRow *
lm_hparams_row_new (const char *run_name, guint ordinal, guint n)
{
  LmHparamsRow *row = g_object_new (LM_TYPE_HPARAMS_ROW, NULL);

  row->run_name = g_strdup (run_name);
  row->ordinal = ordinal;
  row->n = n;
  row->present = g_new0 (gboolean, n + 1);
  row->is_number = g_new0 (gboolean, n + 1);
  row->number = g_new (double, n + 1);
  row->text = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    row->number[i] = NAN;
  return row;
}

const char *
lm_hparams_row_cell_text (const LmHparamsRow *row, guint i)
{
  return i < row->n && row->present[i] ? row->text[i] : "–";
}

void
lm_hp_format_number (double v, int digits, char *buf, gsize len)
{
  if (!isfinite (v))
    lm_format_value (v, buf, len);   /* "NaN", "+Inf", "-Inf", as the charts write them */
  else if (v == floor (v) && fabs (v) < 1e15)
    g_snprintf (buf, len, "%.0f", v + 0.0);   /* + 0.0: no "-0" */
  else
    g_snprintf (buf, len, "%.*g", digits, v);
}

gboolean
lm_hp_column_is_log (const LmHpColumn *c)
{
  /* positive values over two decades or more: a learning rate, a weight decay */
  return c->numeric && c->lo > 0 && isfinite (c->hi) && c->hi / c->lo >= 100;
}

LmHpPlace
lm_hp_column_place (const LmHpColumn *c, const LmHparamsRow *row, guint i, double *pos)
{
  if (i >= row->n || !row->present[i])
    return LM_HP_PLACE_NONE;
  if (c->numeric)
    {
      double v = row->number[i];

      if (isnan (v))
        return LM_HP_PLACE_NAN;
      if (isinf (v))
        return v > 0 ? LM_HP_PLACE_POS_INF : LM_HP_PLACE_NEG_INF;
      if (lm_hp_column_is_log (c))   /* lr 1e-1, 1e-2, 1e-3: evenly spaced, as on a log axis */
        *pos = log (v / c->lo) / log (c->hi / c->lo);
      else
        *pos = c->hi > c->lo ? (v - c->lo) / (c->hi - c->lo) : 0.5;
      return LM_HP_PLACE_RANGE;
    }
  for (guint k = 0; k < c->categories->len; k++)
    if (g_strcmp0 (c->categories->pdata[k], row->text[i]) == 0)
      {
        *pos = c->categories->len == 1 ? 0.5 : (double) k / (c->categories->len - 1);
        return LM_HP_PLACE_RANGE;
      }
  return LM_HP_PLACE_NONE;
}

gboolean
lm_hp_column_is_discrete (const LmHpColumn *c)
{
  return !c->numeric || c->boolean;
}

gboolean
lm_hp_column_varies (const LmHpColumn *c)
{
  int kinds;

  if (!c->numeric)
    return c->categories->len > 1;
  kinds = c->has_nan + c->has_pos_inf + c->has_neg_inf + (c->lo <= c->hi) + (c->lo < c->hi);
  return kinds > 1;
}

gboolean
lm_hp_column_is_hidden (const LmHpColumn *c)
{
  return c->filter != NULL && c->filter->hidden;
}

LmHpFilter *
lm_hp_filter_new (void)
{
  LmHpFilter *f = g_new0 (LmHpFilter, 1);

  f->min = f->max = NAN;
  f->unchecked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return f;
}

void
lm_hp_filter_free (gpointer data)
{
  LmHpFilter *f = data;

  g_hash_table_unref (f->unchecked);
  g_free (f);
}

gboolean
lm_hp_filter_accepts (const LmHpColumn *c, const LmHparamsRow *row, guint i)
{
  const LmHpFilter *f = c->filter;
  double v;

  if (f == NULL)
    return TRUE;
  if (lm_hp_column_is_discrete (c))
    return i >= row->n || !row->present[i] || !g_hash_table_contains (f->unchecked, row->text[i]);
  if (isnan (f->min) && isnan (f->max))
    return TRUE;
  if (i >= row->n || !row->present[i] || !row->is_number[i] || isnan (row->number[i]))
    return FALSE;
  v = row->number[i];
  return (isnan (f->min) || v >= f->min) && (isnan (f->max) || v <= f->max);
}

static void
column_free (gpointer data)
{
  LmHpColumn *c = data;

  g_free (c->name);
  g_free (c->title);
  g_free (c->description);
  g_ptr_array_unref (c->categories);
  g_free (c);
}

/* -------------------------------------------------------------- columns */

typedef struct
{
  LmHparamsView *self;
  int index;   /* 0: run name, else column index + 1 */
} SortKey;

/* 0: a value, 1: NaN, 2: none */
static int
sort_rank (const LmHparamsRow *row, guint c)
{
  if (!row->present[c])
    return 2;
  return row->is_number[c] && isnan (row->number[c]) ? 1 : 0;
}

/* Values in order (-Inf first, +Inf after every finite number), then NaN,
 * then runs without a value: those two stay last in either direction, as
 * in TensorBoard and pandas. */
static int
compare_rows (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const LmHparamsRow *ra = a, *rb = b;
  const SortKey *key = user_data;
  int c = key->index - 1;   /* -1: run name */
  int rank_a, rank_b;

  if (c < 0)
    return lm_natural_compare (ra->run_name, rb->run_name);
  if ((guint) c >= ra->n || (guint) c >= rb->n)
    return 0;
  rank_a = sort_rank (ra, c);
  rank_b = sort_rank (rb, c);
  if (rank_a != rank_b)   /* the column view inverts this when descending: undo that */
    return (rank_a < rank_b ? -1 : 1) * (key->self->descending ? -1 : 1);
  if (rank_a != 0)
    return 0;
  if (ra->is_number[c] && rb->is_number[c])
    return ra->number[c] < rb->number[c] ? -1 : ra->number[c] > rb->number[c];
  return g_utf8_collate (ra->text[c], rb->text[c]);
}

/* GTK 4.8 cannot tell the column view's sort order, so ask its sorter:
 * two rows, the first below the second in every column (connected before
 * the sort model, so the order is known before it sorts). */
static void
on_sorter_changed (GtkSorter *sorter, GtkSorterChange change, LmHparamsView *self)
{
  guint n = self->columns->len;
  g_autoptr (LmHparamsRow) lo = lm_hparams_row_new ("a", 0, n);
  g_autoptr (LmHparamsRow) hi = lm_hparams_row_new ("b", 0, n);

  for (guint c = 0; c < n; c++)
    {
      lo->present[c] = hi->present[c] = TRUE;
      lo->is_number[c] = hi->is_number[c] = TRUE;
      lo->number[c] = 0;
      hi->number[c] = 1;
      lo->text[c] = g_strdup ("a");
      hi->text[c] = g_strdup ("b");
    }
  self->descending = gtk_sorter_compare (sorter, lo, hi) == GTK_ORDERING_LARGER;
}

static void
setup_cell (GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_INT (data) == 0 ? 0 : 1);
  if (GPOINTER_TO_INT (data) == 0)   /* cut in the middle, as the run list does */
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  else
    {
      /* a long string value must not push every other column off screen
       * (bind_cell cuts it; the tooltip has it whole) */
      gtk_label_set_width_chars (GTK_LABEL (label), 6);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
    }
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
  LmHparamsRow *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  int c = GPOINTER_TO_INT (data) - 1;

  if (c < 0)
    {
      g_autofree char *hex = lm_palette_to_string (&row->color);
      g_autofree char *markup = g_markup_printf_escaped ("<span foreground='%s'>●</span> %s", hex, row->run_name);

      gtk_label_set_markup (GTK_LABEL (label), markup);
      gtk_widget_set_tooltip_text (label, row->run_name);
    }
  else
    {
      const char *t = lm_hparams_row_cell_text (row, c);

      /* a number is never cut: "0.07…" of 0.0794328 reads as another
       * value (the table is wider than the window with a dozen columns,
       * and each got only its six characters) */
      gtk_label_set_ellipsize (GTK_LABEL (label), c < (int) row->n && row->present[c] && row->is_number[c]
                                                  ? PANGO_ELLIPSIZE_NONE : PANGO_ELLIPSIZE_END);
      gtk_label_set_text (GTK_LABEL (label), t);
      gtk_widget_set_tooltip_text (label, g_utf8_strlen (t, -1) > 28 ? t : NULL);
    }
}

static GtkColumnViewColumn *
make_column (LmHparamsView *self, const char *title, int index)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;
  SortKey *key = g_new (SortKey, 1);
  g_autoptr (GtkCustomSorter) sorter = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (index));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (index));
  col = gtk_column_view_column_new (title, factory);
  key->self = self;
  key->index = index;
  /* the column takes its own reference */
  sorter = gtk_custom_sorter_new (compare_rows, key, g_free);
  gtk_column_view_column_set_sorter (col, GTK_SORTER (sorter));
  gtk_column_view_column_set_resizable (col, TRUE);
  if (index == 0)
    gtk_column_view_column_set_fixed_width (col, 230);
  return col;
}

/* Column titles longer than this are cut in the middle (the tooltip has
 * them whole): "model.encoder.layers.attention.dropout_probability" made
 * its column 400 px wide and pushed the metrics off screen. */
#define TITLE_MAX_CHARS 16

/* GTK 4.8 has no API for the column headers' labels: they are the labels
 * in the column view's "header" node, one per column in the columns'
 * order (*n counts them: 0 is the run's).  A column's tooltip is its
 * description (TensorBoard's), after the whole title where it is cut and
 * the name where a display name stands for it. */
static void
set_titles (LmHparamsView *self, GtkWidget *widget, gboolean in_header, guint *n)
{
  in_header = in_header || g_strcmp0 (gtk_widget_get_css_name (widget), "header") == 0;
  if (in_header && GTK_IS_LABEL (widget))
    {
      const char *title = gtk_label_get_text (GTK_LABEL (widget));
      gboolean long_title = g_utf8_strlen (title, -1) > TITLE_MAX_CHARS;
      LmHpColumn *c = *n > 0 && *n <= self->columns->len ? self->columns->pdata[*n - 1] : NULL;
      g_autoptr (GString) tip = g_string_new (long_title ? title : NULL);

      (*n)++;
      if (c != NULL && strcmp (lm_hp_column_title (c), c->name) != 0)
        g_string_append_printf (tip, "%s%s", tip->len ? "\n" : "", c->name);
      if (c != NULL && c->description != NULL)
        g_string_append_printf (tip, "%s%s", tip->len ? "\n" : "", c->description);
      /* short ones stay whole: an ellipsized label may be cut to "…" */
      gtk_label_set_ellipsize (GTK_LABEL (widget), long_title ? PANGO_ELLIPSIZE_MIDDLE : PANGO_ELLIPSIZE_NONE);
      gtk_label_set_width_chars (GTK_LABEL (widget), long_title ? TITLE_MAX_CHARS : -1);
      gtk_widget_set_tooltip_text (widget, tip->len ? tip->str : NULL);
      return;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (!GTK_IS_LIST_BASE (c) || in_header)   /* not into the rows */
      set_titles (self, c, in_header, n);
}

static gboolean
same_columns (GPtrArray *a, GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      LmHpColumn *ca = a->pdata[i], *cb = b->pdata[i];

      if (ca->is_metric != cb->is_metric || g_strcmp0 (ca->name, cb->name) != 0
          || g_strcmp0 (ca->title, cb->title) != 0 || g_strcmp0 (ca->description, cb->description) != 0)
        return FALSE;
    }
  return TRUE;
}

/* Shows the columns that are not hidden, in the table and both plots. */
static void
apply_visibility (LmHparamsView *self)
{
  GListModel *cols = gtk_column_view_get_columns (GTK_COLUMN_VIEW (self->column_view));

  for (guint i = 0; i < self->columns->len; i++)
    {
      g_autoptr (GtkColumnViewColumn) col = g_list_model_get_item (cols, i + 1);

      if (col != NULL)
        gtk_column_view_column_set_visible (col, !lm_hp_column_is_hidden (self->columns->pdata[i]));
    }
  lm_parallel_coords_set_columns (LM_PARALLEL_COORDS (self->pc), self->columns);
  lm_hparams_scatter_set_columns (LM_HPARAMS_SCATTER (self->scatter), self->columns);
}

static void rebuild_pane (LmHparamsView *self);

static void
rebuild_columns (LmHparamsView *self, GPtrArray *columns)
{
  GtkColumnView *cv = GTK_COLUMN_VIEW (self->column_view);
  GListModel *existing = gtk_column_view_get_columns (cv);
  gboolean same = same_columns (self->columns, columns);

  g_ptr_array_unref (self->columns);
  self->columns = g_ptr_array_ref (columns);
  rebuild_pane (self);
  if (same && g_list_model_get_n_items (existing) > 0)
    {
      apply_visibility (self);
      return;
    }
  while (g_list_model_get_n_items (existing) > 0)
    {
      g_autoptr (GtkColumnViewColumn) col = g_list_model_get_item (existing, 0);

      gtk_column_view_remove_column (cv, col);
    }
  {
    g_autoptr (GtkColumnViewColumn) run_col = make_column (self, "Run", 0);

    gtk_column_view_append_column (cv, run_col);
  }
  for (guint i = 0; i < columns->len; i++)
    {
      LmHpColumn *c = columns->pdata[i];
      g_autoptr (GtkColumnViewColumn) col = make_column (self, c->title, (int) i + 1);

      gtk_column_view_append_column (cv, col);
    }
  {
    guint n = 0;

    set_titles (self, self->column_view, FALSE, &n);
  }
  apply_visibility (self);
}

/* ------------------------------------------------------------ left pane */

static void update_summary (LmHparamsView *self);

static LmHpColumn *
widget_column (LmHparamsView *self, gpointer widget)
{
  guint c = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (widget), "lm-hp-column"));

  return c < self->columns->len ? self->columns->pdata[c] : NULL;
}

static void
filters_changed (LmHparamsView *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_summary (self);
}

static void
on_show_toggled (GtkCheckButton *check, LmHparamsView *self)
{
  LmHpColumn *col = widget_column (self, check);

  if (col == NULL || col->filter == NULL)
    return;
  col->filter->hidden = !gtk_check_button_get_active (check);
  apply_visibility (self);
}

static void
on_value_toggled (GtkCheckButton *check, LmHparamsView *self)
{
  LmHpColumn *col = widget_column (self, check);
  const char *value = g_object_get_data (G_OBJECT (check), "lm-hp-value");

  if (col == NULL || col->filter == NULL)
    return;
  if (gtk_check_button_get_active (check))
    g_hash_table_remove (col->filter->unchecked, value);
  else
    g_hash_table_add (col->filter->unchecked, g_strdup (value));
  filters_changed (self);
}

/* An entry's bound: NAN when it is empty or not a number (*valid FALSE
 * then). */
static double
parse_bound (GtkEditable *entry, gboolean *valid)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  char *end = NULL;
  double v;

  *valid = TRUE;
  if (*text == '\0')
    return NAN;
  v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || isnan (v))
    {
      *valid = FALSE;
      return NAN;
    }
  return v;
}

/* Marks a min or max entry that cannot work, naming why in its tooltip:
 * not a number, or a min above the max (no run passes). */
static void
mark_bound (GtkEditable *entry, const LmHpFilter *f)
{
  gboolean is_max = g_object_get_data (G_OBJECT (entry), "lm-hp-max") != NULL;
  gboolean valid;
  g_autofree char *tip = NULL;

  parse_bound (entry, &valid);
  if (!valid)
    tip = g_strdup_printf ("'%s' is not a number: no %s bound", gtk_editable_get_text (entry),
                           is_max ? "upper" : "lower");
  else if (f->min > f->max)
    {
      char lo[G_ASCII_DTOSTR_BUF_SIZE], hi[G_ASCII_DTOSTR_BUF_SIZE];

      tip = g_strdup_printf ("The smallest value kept, %s, is above the largest, %s: no run passes",
                             g_ascii_formatd (lo, sizeof lo, "%g", f->min), g_ascii_formatd (hi, sizeof hi, "%g", f->max));
    }
  if (tip != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (entry), tip != NULL ? tip
                               : is_max ? "Largest value kept (empty: no bound)" : "Smallest value kept (empty: no bound)");
}

static GtkWidget *pane_widget (LmHparamsView *self, guint c, const char *value, int bound);

/* A min or max entry: empty for an open bound; anything but a number is
 * marked, named in the tooltip, and leaves that end open; a min above the
 * max marks both. */
static void
on_bound_changed (GtkEditable *entry, LmHparamsView *self)
{
  LmHpColumn *col = widget_column (self, entry);
  gboolean is_max = g_object_get_data (G_OBJECT (entry), "lm-hp-max") != NULL;
  GtkWidget *other;
  gboolean valid;

  if (col == NULL || col->filter == NULL)
    return;
  *(is_max ? &col->filter->max : &col->filter->min) = parse_bound (entry, &valid);
  mark_bound (entry, col->filter);
  other = self->building_pane ? NULL
          : pane_widget (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (entry), "lm-hp-column")), NULL, !is_max);
  if (other != NULL)
    mark_bound (GTK_EDITABLE (other), col->filter);
  if (!self->building_pane)
    filters_changed (self);
}

static GtkWidget *
pane_check (LmHparamsView *self, guint c, const char *text, gboolean active, GCallback toggled)
{
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_tooltip_text (label, text);
  gtk_check_button_set_child (GTK_CHECK_BUTTON (check), label);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), active);
  g_object_set_data (G_OBJECT (check), "lm-hp-column", GUINT_TO_POINTER (c));
  g_signal_connect (check, "toggled", toggled, self);
  return check;
}

static GtkWidget *
pane_bound (LmHparamsView *self, guint c, double v, gboolean is_max)
{
  GtkWidget *entry = gtk_entry_new ();
  char buf[G_ASCII_DTOSTR_BUF_SIZE] = "";

  if (!isnan (v))
    g_ascii_dtostr (buf, sizeof buf, v);
  gtk_editable_set_text (GTK_EDITABLE (entry), buf);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), is_max ? "max" : "min");
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), 5);
  gtk_widget_set_hexpand (entry, TRUE);
  g_object_set_data (G_OBJECT (entry), "lm-hp-column", GUINT_TO_POINTER (c));
  if (is_max)
    g_object_set_data (G_OBJECT (entry), "lm-hp-max", GINT_TO_POINTER (1));
  g_signal_connect (entry, "changed", G_CALLBACK (on_bound_changed), self);
  on_bound_changed (GTK_EDITABLE (entry), self);
  return entry;
}

/* What the pane shows: the columns, their kinds and discrete values. */
static char *
pane_key (GPtrArray *columns)
{
  GString *key = g_string_new (NULL);

  for (guint c = 0; c < columns->len; c++)
    {
      LmHpColumn *col = columns->pdata[c];

      g_string_append_printf (key, "%c%s%c", col->is_metric ? 'm' : 'h', col->name,
                              col->boolean ? 'b' : col->numeric ? 'n' : 's');
      for (guint k = 0; !col->numeric && k < col->categories->len; k++)
        g_string_append_printf (key, "\x1f%s", (char *) col->categories->pdata[k]);
      g_string_append_c (key, '\x1e');
    }
  return g_string_free (key, FALSE);
}

/* TensorBoard's left pane: per column, a checkbox to show it, then a
 * checkbox per value (strings, bools) or a min/max interval (numbers).
 * Rebuilt only when the columns or their values change, so a live run
 * does not take the focus from an entry. */
static void
rebuild_pane (LmHparamsView *self)
{
  g_autofree char *key = pane_key (self->columns);
  GtkWidget *child;

  if (g_strcmp0 (key, self->pane_key) == 0)
    return;
  g_free (self->pane_key);
  self->pane_key = g_steal_pointer (&key);
  self->building_pane = TRUE;
  while ((child = gtk_widget_get_first_child (self->pane)) != NULL)
    gtk_box_remove (GTK_BOX (self->pane), child);
  for (guint c = 0; c < self->columns->len; c++)
    {
      LmHpColumn *col = self->columns->pdata[c];
      GtkWidget *values = gtk_box_new (col->numeric && !col->boolean ? GTK_ORIENTATION_HORIZONTAL
                                                                     : GTK_ORIENTATION_VERTICAL, 4);

      if (c == 0 || col->is_metric != ((LmHpColumn *) self->columns->pdata[c - 1])->is_metric)
        {
          GtkWidget *title = gtk_label_new (col->is_metric ? "Metrics" : "Hyperparameters");

          gtk_label_set_xalign (GTK_LABEL (title), 0);
          gtk_widget_add_css_class (title, "lm-section-title");
          gtk_widget_set_margin_top (title, c == 0 ? 0 : 8);
          gtk_box_append (GTK_BOX (self->pane), title);
        }
      gtk_box_append (GTK_BOX (self->pane), pane_check (self, c, lm_hp_column_title (col), !col->filter->hidden,
                                                        G_CALLBACK (on_show_toggled)));
      gtk_widget_set_margin_start (values, 24);
      gtk_widget_set_margin_bottom (values, 2);
      if (col->boolean || !col->numeric)
        {
          static const char *const bools[] = { "false", "true" };
          guint n = col->boolean ? 2 : col->categories->len;

          for (guint k = 0; k < n; k++)
            {
              const char *value = col->boolean ? bools[k] : col->categories->pdata[k];
              GtkWidget *check = pane_check (self, c, value, !g_hash_table_contains (col->filter->unchecked, value),
                                             G_CALLBACK (on_value_toggled));

              g_object_set_data_full (G_OBJECT (check), "lm-hp-value", g_strdup (value), g_free);
              gtk_box_append (GTK_BOX (values), check);
            }
        }
      else
        {
          gtk_box_append (GTK_BOX (values), pane_bound (self, c, col->filter->min, FALSE));
          gtk_box_append (GTK_BOX (values), gtk_label_new ("–"));
          gtk_box_append (GTK_BOX (values), pane_bound (self, c, col->filter->max, TRUE));
        }
      gtk_box_append (GTK_BOX (self->pane), values);
    }
  self->building_pane = FALSE;
}

/* The pane's widget for column c (0-based): its show checkbox, a value's
 * checkbox, or its min/max entry. */
static GtkWidget *
pane_widget (LmHparamsView *self, guint c, const char *value, int bound)
{
  guint seen = 0;

  for (GtkWidget *w = gtk_widget_get_first_child (self->pane); w; w = gtk_widget_get_next_sibling (w))
    {
      if (!GTK_IS_CHECK_BUTTON (w))
        continue;
      if (seen++ != c)
        continue;
      if (value == NULL && bound < 0)
        return w;
      for (GtkWidget *v = gtk_widget_get_first_child (gtk_widget_get_next_sibling (w)); v;
           v = gtk_widget_get_next_sibling (v))
        if (value != NULL ? GTK_IS_CHECK_BUTTON (v) && g_strcmp0 (g_object_get_data (G_OBJECT (v), "lm-hp-value"), value) == 0
                          : GTK_IS_ENTRY (v) && (g_object_get_data (G_OBJECT (v), "lm-hp-max") != NULL) == bound)
          return v;
      return NULL;
    }
  return NULL;
}

/* ----------------------------------------------------------------- sync */

/* The column of hparam or metric `name`, titled by the first display name
 * a run gives it (TensorBoard's column header), else its name. */
static LmHpColumn *
find_column (GPtrArray *columns, GHashTable *index, const LmHparamsRecord *rec, const char *name,
             gboolean metric)
{
  g_autofree char *key = lm_hparams_label_key (name, metric);
  LmHpColumn *c = g_hash_table_lookup (index, key);
  LmHpLabel *label = g_hash_table_lookup (rec->labels, key);

  if (c == NULL)
    {
      c = g_new0 (LmHpColumn, 1);
      c->name = g_strdup (name);
      c->is_metric = metric;
      c->numeric = TRUE;
      c->boolean = TRUE;
      c->lo = INFINITY;
      c->hi = -INFINITY;
      c->categories = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (index, g_steal_pointer (&key), c);
      g_ptr_array_add (columns, c);
    }
  if (label != NULL && label->display_name != NULL && *label->display_name && c->title == NULL)
    c->title = g_strdup (label->display_name);
  if (label != NULL && label->description != NULL && *label->description && c->description == NULL)
    c->description = g_strdup (label->description);
  return c;
}

/* Hparams first, then metrics; hparams in the experiment's order where
 * `order` (name -> position + 1) is given, else each by name. */
static int
compare_columns (gconstpointer a, gconstpointer b, gpointer order)
{
  const LmHpColumn *ca = *(LmHpColumn *const *) a, *cb = *(LmHpColumn *const *) b;

  if (ca->is_metric != cb->is_metric)
    return ca->is_metric ? 1 : -1;
  if (order != NULL && !ca->is_metric)
    return GPOINTER_TO_INT (g_hash_table_lookup (order, ca->name))
           - GPOINTER_TO_INT (g_hash_table_lookup (order, cb->name));
  return g_utf8_collate (ca->name, cb->name);
}

/* With an experiment's hparam list (TensorBoard's hparam_infos, the first
 * shown run's that has one), its hparams are the hparam columns, in its
 * order, also one no run logged (no values), as TensorBoard shows them;
 * the positions by name, or NULL without one. */
static GHashTable *
experiment_columns (GPtrArray *columns, GHashTable *index, GPtrArray *records)
{
  LmHparamsRecord *rec = NULL;
  GHashTable *order;

  for (guint i = 0; rec == NULL && i < records->len; i++)
    {
      LmHparamsRecord *r = ((LmRecordSeries *) records->pdata[i])->items->pdata[0];

      rec = r->columns != NULL ? r : NULL;
    }
  if (rec == NULL)
    return NULL;
  order = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint k = 0; k < rec->columns->len; k++)
    if (!g_hash_table_contains (order, rec->columns->pdata[k]))
      {
        g_hash_table_insert (order, rec->columns->pdata[k], GUINT_TO_POINTER (k + 1));
        find_column (columns, index, rec, rec->columns->pdata[k], FALSE);
      }
  for (guint c = columns->len; c-- > 0;)
    {
      LmHpColumn *col = columns->pdata[c];

      if (!col->is_metric && !g_hash_table_contains (order, col->name))
        {
          g_autofree char *key = lm_hparams_label_key (col->name, FALSE);

          g_hash_table_remove (index, key);
          g_ptr_array_remove_index (columns, c);
        }
    }
  return order;
}


/* The selection's highlighted run, selected in the table and the parallel
 * coordinates (on its changes, and after a rebuild of the rows). */
static void
show_highlight (LmRunSelection *selection, LmHparamsView *self)
{
  const char *hl = lm_run_selection_get_highlighted (selection);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->single)), pos = GTK_INVALID_LIST_POSITION;

  for (guint i = 0; hl && i < n; i++)
    {
      g_autoptr (LmHparamsRow) row = g_list_model_get_item (G_LIST_MODEL (self->single), i);

      if (strcmp (row->run_name, hl) == 0)
        pos = i;
    }
  self->syncing = TRUE;
  gtk_single_selection_set_selected (self->single, pos);
  self->syncing = FALSE;
  lm_parallel_coords_set_highlighted (LM_PARALLEL_COORDS (self->pc), hl);
  lm_hparams_scatter_set_highlighted (LM_HPARAMS_SCATTER (self->scatter), hl);
}

static void
sync_rows (LmHparamsView *self)
{
  GPtrArray *series = lm_record_feed_get_series (self->feed);
  GPtrArray *shown = lm_run_selection_get_shown (self->selection);
  g_autoptr (GHashTable) runs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) columns = g_ptr_array_new_with_free_func (column_free);
  g_autoptr (GPtrArray) records = g_ptr_array_new ();
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) order = NULL;

  for (guint i = 0; i < shown->len; i++)
    g_hash_table_insert (runs, (gpointer) lm_run_get_name (shown->pdata[i]), shown->pdata[i]);
  /* Columns: the union over the shown runs, hparams first, then metrics. */
  for (guint i = 0; i < series->len; i++)
    {
      LmRecordSeries *s = series->pdata[i];
      LmHparamsRecord *rec = s->items->len ? s->items->pdata[0] : NULL;

      if (rec == NULL || !g_hash_table_contains (runs, s->run_name))
        continue;
      g_ptr_array_add (records, s);
      for (guint k = 0; k < rec->hparams->len; k++)
        find_column (columns, index, rec, ((LmHpValue *) rec->hparams->pdata[k])->name, FALSE);
      for (guint k = 0; k < rec->metrics->len; k++)
        find_column (columns, index, rec, rec->metrics->pdata[k], TRUE);
    }
  order = experiment_columns (columns, index, records);
  for (guint c = 0; c < columns->len; c++)
    {
      LmHpColumn *col = columns->pdata[c];

      if (col->title == NULL)
        col->title = g_strdup (col->name);
    }
  g_ptr_array_sort_with_data (columns, compare_columns, order);
  for (guint c = 0; c < columns->len; c++)
    {
      LmHpColumn *col = columns->pdata[c];
      g_autofree char *key = g_strdup_printf ("%c%s", col->is_metric ? 'm' : 'h', col->name);

      col->filter = g_hash_table_lookup (self->filters, key);
      if (col->filter == NULL)
        {
          col->filter = lm_hp_filter_new ();
          g_hash_table_insert (self->filters, g_steal_pointer (&key), col->filter);
        }
    }

  for (guint i = 0; i < records->len; i++)
    {
      LmRecordSeries *s = records->pdata[i];
      LmHparamsRecord *rec = s->items->pdata[0];
      LmRun *run = g_hash_table_lookup (runs, s->run_name);
      LmHparamsRow *row = lm_hparams_row_new (s->run_name, lm_run_get_ordinal (run), columns->len);

      lm_palette_run_color (run, &row->color);

      for (guint c = 0; c < columns->len; c++)
        {
          LmHpColumn *col = columns->pdata[c];

          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          if (!col->is_metric)
            {
              for (guint k = 0; k < rec->hparams->len; k++)
                {
                  LmHpValue *v = rec->hparams->pdata[k];

                  if (strcmp (v->name, col->name) != 0)
                    continue;
                  row->present[c] = TRUE;
                  row->is_number[c] = v->type != LM_HP_STRING;
                  row->number[c] = row->is_number[c] ? v->number : NAN;
                  if (v->type == LM_HP_NUMBER)
                    lm_hp_format_number (v->number, 6, buf, sizeof buf);
                  row->text[c] = g_strdup (v->type == LM_HP_NUMBER ? buf : v->string);
                  col->boolean = col->boolean && v->type == LM_HP_BOOL;
                }
            }
          else
            for (guint k = 0; k < rec->metrics->len; k++)
              if (strcmp (rec->metrics->pdata[k], col->name) == 0 && rec->metric_logged[k])
                {
                  row->present[c] = TRUE;
                  row->is_number[c] = TRUE;
                  row->number[c] = rec->metric_values[k];
                  lm_hp_format_number (rec->metric_values[k], 5, buf, sizeof buf);
                  row->text[c] = g_strdup (buf);
                  col->boolean = FALSE;
                }
          if (row->present[c])
            {
              double v = row->number[c];

              if (!row->is_number[c])
                {
                  col->numeric = FALSE;
                  if (!g_ptr_array_find_with_equal_func (col->categories, row->text[c], g_str_equal, NULL))
                    g_ptr_array_add (col->categories, g_strdup (row->text[c]));
                }
              else if (isnan (v))
                col->has_nan = TRUE;
              else if (v > 0 && isinf (v))
                col->has_pos_inf = TRUE;
              else if (isinf (v))
                col->has_neg_inf = TRUE;
              else
                {
                  col->lo = MIN (col->lo, v);
                  col->hi = MAX (col->hi, v);
                }
            }
          if (row->text[c] == NULL)
            row->text[c] = g_strdup ("");
        }
      g_ptr_array_add (rows, row);
    }
  /* A column with any string value is categorical: numbers become labels. */
  for (guint c = 0; c < columns->len; c++)
    {
      LmHpColumn *col = columns->pdata[c];

      col->boolean = col->boolean && col->numeric;
      if (!col->numeric)
        {
          for (guint i = 0; i < rows->len; i++)
            {
              LmHparamsRow *row = rows->pdata[i];

              if (row->present[c] && !g_ptr_array_find_with_equal_func (col->categories, row->text[c], g_str_equal, NULL))
                g_ptr_array_add (col->categories, g_strdup (row->text[c]));
            }
          /* numbers among them (batch_size 32, 128, "auto") by value, as the table sorts them */
          g_ptr_array_sort (col->categories, lm_natural_compare_ptrs);
        }
    }

  self->syncing = TRUE;
  rebuild_columns (self, columns);
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       rows->pdata, rows->len);
  self->syncing = FALSE;
  update_summary (self);
  /* Keep the highlighted run selected across the rebuild. */
  show_highlight (self->selection, self);
}

static void
update_summary (LmHparamsView *self)
{
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  guint n = self->columns->len;
  g_autofree char *runs = NULL, *text = NULL;

  if (total == 0)
    {
      gtk_label_set_text (GTK_LABEL (self->summary),
                          lm_record_feed_get_loaded (self->feed)
                          ? "No shown run logged hyperparameters (lm_writer_add_hparams)." : "Loading…");
      return;
    }
  runs = shown < total ? g_strdup_printf ("%u of %u runs match the filters", shown, total)
                       : g_strdup_printf ("%u run%s", total, total == 1 ? "" : "s");
  text = g_strdup_printf ("%s · %u hyperparameter%s and metric%s · click a header to sort, a row or point to highlight the run",
                          runs, n, n == 1 ? "" : "s", n == 1 ? "" : "s");
  gtk_label_set_text (GTK_LABEL (self->summary), text);
}

static gboolean
filter_row (gpointer item, gpointer user_data)
{
  LmHparamsView *self = user_data;
  LmHparamsRow *row = item;

  for (guint c = 0; c < self->columns->len; c++)
    if (!lm_hp_filter_accepts (self->columns->pdata[c], row, c))
      return FALSE;
  if (self->regex == NULL || g_regex_match (self->regex, row->run_name, 0, NULL))
    return TRUE;
  for (guint c = 0; c < row->n; c++)
    if (row->present[c] && g_regex_match (self->regex, row->text[c], 0, NULL))
      return TRUE;
  return FALSE;
}

static void
on_selected (GtkSingleSelection *single, GParamSpec *pspec, LmHparamsView *self)
{
  LmHparamsRow *row = gtk_single_selection_get_selected_item (single);

  if (self->syncing)
    return;
  lm_run_selection_set_highlighted (self->selection, row ? row->run_name : NULL);
}


static void
on_picked (GtkWidget *plot, const char *run_name, LmHparamsView *self)
{
  lm_run_selection_set_highlighted (self->selection, run_name);
}

static void
on_entry_changed (GtkEditable *entry, LmHparamsView *self)
{
  g_autoptr (GError) error = NULL;

  lm_hparams_view_set_filter (self, gtk_editable_get_text (entry), &error);
}

/* --------------------------------------------------------------- object */

static void
lm_hparams_view_dispose (GObject *object)
{
  LmHparamsView *self = LM_HPARAMS_VIEW (object);

  lm_dash_release_sources (self, &self->feed, &self->selection);
  if (self->sorter != NULL)
    g_signal_handlers_disconnect_by_data (self->sorter, self);
  g_clear_object (&self->sorter);
  G_OBJECT_CLASS (lm_hparams_view_parent_class)->dispose (object);
}

static void
lm_hparams_view_finalize (GObject *object)
{
  LmHparamsView *self = LM_HPARAMS_VIEW (object);

  g_clear_pointer (&self->regex, g_regex_unref);
  g_ptr_array_unref (self->columns);
  g_hash_table_unref (self->filters);
  g_free (self->pane_key);
  G_OBJECT_CLASS (lm_hparams_view_parent_class)->finalize (object);
}

static void
lm_hparams_view_class_init (LmHparamsViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_hparams_view_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_hparams_view_finalize;
}

static void
lm_hparams_view_init (LmHparamsView *self)
{
  self->columns = g_ptr_array_new_with_free_func (column_free);
  self->filters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, lm_hp_filter_free);
}

static GtkWidget *
heading (const char *text)
{
  GtkWidget *l = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_widget_add_css_class (l, "lm-section-title");
  gtk_widget_set_margin_start (l, 16);
  gtk_widget_set_margin_top (l, 6);
  return l;
}

GtkWidget *
lm_hparams_view_new (LmRunSelection *selection, LmRecordFeed *feed)
{
  LmHparamsView *self = g_object_new (LM_TYPE_HPARAMS_VIEW, "orientation", GTK_ORIENTATION_VERTICAL, NULL);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *table_card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *pc_card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *main_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *body = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *pane_scroller = gtk_scrolled_window_new ();
  GtkWidget *scatter_scroller = gtk_scrolled_window_new ();
  GtkWidget *switcher = gtk_stack_switcher_new ();
  GtkFilterListModel *filtered;

  self->selection = g_object_ref (selection);
  self->feed = g_object_ref (feed);

  self->entry = gtk_search_entry_new ();
  g_object_set (self->entry, "placeholder-text", "Filter runs and values (regular expression)", NULL);
  gtk_widget_set_hexpand (self->entry, TRUE);
  g_signal_connect (self->entry, "search-changed", G_CALLBACK (on_entry_changed), self);
  gtk_widget_add_css_class (bar, "lm-filter-bar");
  gtk_box_append (GTK_BOX (bar), self->entry);
  self->warning = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (self->warning), 0);
  gtk_widget_add_css_class (self->warning, "lm-warning");
  gtk_widget_set_visible (self->warning, FALSE);
  self->summary = gtk_label_new ("Loading…");
  gtk_label_set_xalign (GTK_LABEL (self->summary), 0);
  gtk_widget_add_css_class (self->summary, "lm-status-line");
  gtk_widget_set_margin_start (self->summary, 16);

  self->store = g_list_store_new (LM_TYPE_HPARAMS_ROW);
  self->filter = gtk_custom_filter_new (filter_row, self, NULL);
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (self->store), GTK_FILTER (self->filter));
  self->column_view = gtk_column_view_new (NULL);
  self->sorter = g_object_ref (gtk_column_view_get_sorter (GTK_COLUMN_VIEW (self->column_view)));
  g_signal_connect (self->sorter, "changed", G_CALLBACK (on_sorter_changed), self);
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (filtered), g_object_ref (self->sorter));
  self->single = gtk_single_selection_new (G_LIST_MODEL (self->sorted));
  gtk_single_selection_set_autoselect (self->single, FALSE);
  gtk_single_selection_set_can_unselect (self->single, TRUE);
  gtk_single_selection_set_selected (self->single, GTK_INVALID_LIST_POSITION);
  gtk_column_view_set_model (GTK_COLUMN_VIEW (self->column_view), GTK_SELECTION_MODEL (self->single));
  gtk_column_view_set_show_column_separators (GTK_COLUMN_VIEW (self->column_view), TRUE);
  gtk_column_view_set_show_row_separators (GTK_COLUMN_VIEW (self->column_view), TRUE);
  g_signal_connect (self->single, "notify::selected", G_CALLBACK (on_selected), self);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), self->column_view);
  /* The table takes the height its rows need (up to a limit); the
   * parallel coordinates get the rest. */
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 360);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 120);

  self->pc = lm_parallel_coords_new (G_LIST_MODEL (self->sorted));
  g_signal_connect (self->pc, "run-picked", G_CALLBACK (on_picked), self);
  gtk_widget_set_size_request (self->pc, -1, 260);
  self->scatter = lm_hparams_scatter_new (G_LIST_MODEL (self->sorted));
  g_signal_connect (self->scatter, "run-picked", G_CALLBACK (on_picked), self);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scatter_scroller), self->scatter);
  /* TensorBoard's views of the runs: the table stays on top (as it does
   * under TensorBoard's plots), the plots switch below it. */
  self->stack = gtk_stack_new ();
  gtk_stack_add_titled (GTK_STACK (self->stack), self->pc, "parallel", "Parallel coordinates");
  gtk_stack_add_titled (GTK_STACK (self->stack), scatter_scroller, "scatter", "Scatter plot matrix");
  gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (switcher), GTK_STACK (self->stack));
  gtk_widget_set_halign (switcher, GTK_ALIGN_START);
  gtk_widget_set_margin_start (switcher, 16);
  gtk_widget_set_margin_top (switcher, 8);

  /* The left pane: column visibility and filters. */
  self->pane = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_margin_start (self->pane, 8);
  gtk_widget_set_margin_end (self->pane, 8);
  gtk_widget_set_margin_top (self->pane, 6);
  gtk_widget_set_margin_bottom (self->pane, 6);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (pane_scroller), self->pane);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (pane_scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_size_request (pane_scroller, 210, -1);
  /* its min/max entries fill it, but it keeps its width: a wide window
   * goes to the table and the plots */
  gtk_widget_set_hexpand (pane_scroller, FALSE);
  gtk_widget_add_css_class (pane_scroller, "lm-card");
  gtk_widget_set_margin_start (pane_scroller, 16);
  gtk_widget_set_margin_top (pane_scroller, 4);
  gtk_widget_set_margin_bottom (pane_scroller, 16);

  gtk_widget_add_css_class (table_card, "lm-card");
  gtk_widget_add_css_class (pc_card, "lm-card");
  gtk_box_append (GTK_BOX (table_card), scroller);
  gtk_box_append (GTK_BOX (pc_card), self->stack);
  gtk_widget_set_vexpand (pc_card, TRUE);
  gtk_widget_set_vexpand (self->stack, TRUE);
  for (GtkWidget *w = table_card; w; w = w == table_card ? pc_card : NULL)
    {
      gtk_widget_set_margin_start (w, 16);
      gtk_widget_set_margin_end (w, 16);
      gtk_widget_set_margin_top (w, 4);
    }
  gtk_widget_set_margin_bottom (pc_card, 16);

  gtk_box_append (GTK_BOX (self), bar);
  gtk_box_append (GTK_BOX (self), self->warning);
  gtk_box_append (GTK_BOX (self), self->summary);
  gtk_box_append (GTK_BOX (main_box), heading ("Table"));
  gtk_box_append (GTK_BOX (main_box), table_card);
  gtk_box_append (GTK_BOX (main_box), switcher);
  gtk_box_append (GTK_BOX (main_box), pc_card);
  gtk_widget_set_hexpand (main_box, TRUE);
  gtk_box_append (GTK_BOX (body), pane_scroller);
  gtk_box_append (GTK_BOX (body), main_box);
  gtk_widget_set_vexpand (body, TRUE);
  gtk_box_append (GTK_BOX (self), body);
  gtk_widget_add_css_class (GTK_WIDGET (self), "lm-dashboard");

  /* either change: rebuild the rows (swapped: sync_rows (self)) */
  g_signal_connect_swapped (feed, "changed", G_CALLBACK (sync_rows), self);
  g_signal_connect_swapped (selection, "changed", G_CALLBACK (sync_rows), self);
  g_signal_connect (selection, "highlight-changed", G_CALLBACK (show_highlight), self);
  lm_dash_feed_follow_mapped (GTK_WIDGET (self), feed);
  sync_rows (self);
  return GTK_WIDGET (self);
}

gboolean
lm_hparams_view_set_filter (LmHparamsView *self, const char *regex, GError **error)
{
  GRegex *re = NULL;

  if (regex != NULL && *regex && (re = g_regex_new (regex, G_REGEX_CASELESS, 0, error)) == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->warning), "Invalid regular expression; still showing the last valid filter");
      gtk_widget_set_visible (self->warning, TRUE);
      return FALSE;
    }
  gtk_widget_set_visible (self->warning, FALSE);
  g_clear_pointer (&self->regex, g_regex_unref);
  self->regex = re;
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->entry)), regex ? regex : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->entry), regex ? regex : "");
  filters_changed (self);
  return TRUE;
}

GtkWidget *
lm_hparams_view_get_filter_entry (LmHparamsView *self)
{
  return self->entry;
}

GtkColumnView *
lm_hparams_view_get_column_view (LmHparamsView *self)
{
  return GTK_COLUMN_VIEW (self->column_view);
}

GtkWidget *
lm_hparams_view_get_parallel_coords (LmHparamsView *self)
{
  return self->pc;
}

guint
lm_hparams_view_get_n_rows (LmHparamsView *self)
{
  return g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
}

char *
lm_hparams_view_get_cell (LmHparamsView *self, guint i, guint column)
{
  g_autoptr (LmHparamsRow) row = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);

  if (row == NULL)
    return NULL;
  if (column == 0)
    return g_strdup (row->run_name);
  return column - 1 < row->n ? g_strdup (lm_hparams_row_cell_text (row, column - 1)) : NULL;
}

void
lm_hparams_view_sort_by (LmHparamsView *self, guint column, gboolean descending)
{
  GListModel *cols = gtk_column_view_get_columns (GTK_COLUMN_VIEW (self->column_view));
  g_autoptr (GtkColumnViewColumn) col = g_list_model_get_item (cols, column);

  if (col != NULL)
    gtk_column_view_sort_by_column (GTK_COLUMN_VIEW (self->column_view), col,
                                    descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
}

gboolean
lm_hparams_view_is_settled (LmHparamsView *self)
{
  return lm_record_feed_get_loaded (self->feed);
}

GtkWidget *
lm_hparams_view_get_scatter (LmHparamsView *self)
{
  return self->scatter;
}

gboolean
lm_hparams_view_set_plot (LmHparamsView *self, const char *name)
{
  if (g_strcmp0 (name, "parallel") != 0 && g_strcmp0 (name, "scatter") != 0)
    return FALSE;
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), name);
  return TRUE;
}

const char *
lm_hparams_view_get_plot (LmHparamsView *self)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (self->stack));
}

/* The setters work the left pane's widgets, as a click would. */
gboolean
lm_hparams_view_set_column_visible (LmHparamsView *self, guint column, gboolean visible)
{
  GtkWidget *check = column >= 1 ? pane_widget (self, column - 1, NULL, -1) : NULL;

  if (check == NULL)
    return FALSE;
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), visible);
  return TRUE;
}

gboolean
lm_hparams_view_set_value_shown (LmHparamsView *self, guint column, const char *value, gboolean shown)
{
  GtkWidget *check = column >= 1 && value != NULL ? pane_widget (self, column - 1, value, -1) : NULL;

  if (check == NULL)
    return FALSE;
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), shown);
  return TRUE;
}

gboolean
lm_hparams_view_set_interval (LmHparamsView *self, guint column, const char *min, const char *max)
{
  GtkWidget *lo = column >= 1 ? pane_widget (self, column - 1, NULL, 0) : NULL;
  GtkWidget *hi = column >= 1 ? pane_widget (self, column - 1, NULL, 1) : NULL;

  if (lo == NULL || hi == NULL)
    return FALSE;
  gtk_editable_set_text (GTK_EDITABLE (lo), min ? min : "");
  gtk_editable_set_text (GTK_EDITABLE (hi), max ? max : "");
  return TRUE;
}
