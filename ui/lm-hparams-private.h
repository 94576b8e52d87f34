/* lm-hparams-private.h: the rows and columns the hparams table, the
 * parallel coordinates and the scatter plot matrix share (private to ui/).
 *
 * What it is for: one LmHparamsRow per run (its name, colour ordinal, colour and
 * a value per column) and the column list (every hparam name of any run,
 * or the experiment's hparams in its order, then every metric tag), each
 * titled by its display name where one is given, each column numeric when
 * all its values are.
 * Numbers are written one way in the table and on the axes: integers
 * in full, NaN and infinities as "NaN", "+Inf", "-Inf"; a numeric axis
 * spans the finite values and puts NaN and infinities in slots off its
 * ends, so they stay apart from a run that has no value ("–", no point).
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A column's visibility and filter, as in TensorBoard's left pane; the
 * view keeps them by column name across rebuilds of the columns. */
typedef struct
{
  gboolean hidden;        /* left out of the table and the plots */
  double min, max;        /* numeric columns: the interval kept (NAN: open) */
  GHashTable *unchecked;  /* discrete columns: the values left out (their table text) */
} LmHpFilter;

typedef struct
{
  char *name;          /* hparam name or metric tag */
  char *title;         /* its display name, else the name: the header and axis label */
  char *description;   /* its description (the header's tooltip), or NULL */
  gboolean is_metric;
  gboolean numeric;    /* every present value is a number (or bool) */
  gboolean boolean;    /* numeric and every present value a bool: labelled false/true */
  double lo, hi;       /* finite range over the rows (lo > hi when none) */
  gboolean has_nan, has_pos_inf, has_neg_inf;   /* numeric: values off the range */
  GPtrArray *categories;   /* !numeric: distinct strings, sorted */
  LmHpFilter *filter;      /* the view's, or NULL: none */
} LmHpColumn;

/* A column's header and axis label: its title, else its name. */
static inline const char *
lm_hp_column_title (const LmHpColumn *c)
{
  return c->title != NULL ? c->title : c->name;
}

/* Where a row's value sits on a column's axis. */
typedef enum
{
  LM_HP_PLACE_NONE,      /* the row has no value there */
  LM_HP_PLACE_RANGE,     /* on the axis: 0 (bottom) .. 1 (top) */
  LM_HP_PLACE_POS_INF,   /* the slot above the axis */
  LM_HP_PLACE_NEG_INF,   /* the slot below it */
  LM_HP_PLACE_NAN,       /* the slot below that (NaN sorts last) */
} LmHpPlace;

#define LM_TYPE_HPARAMS_ROW (lm_hparams_row_get_type ())
G_DECLARE_FINAL_TYPE (LmHparamsRow, lm_hparams_row, LM, HPARAMS_ROW, GObject)

struct _LmHparamsRow
{
  GObject parent_instance;
  char *run_name;
  guint ordinal;
  GdkRGBA color;    /* the run's colour (lm_palette_run_color) when the row was made */
  guint n;          /* columns */
  gboolean *present;
  gboolean *is_number;   /* a number or bool (NaN included), not a string */
  double *number;   /* the value where is_number */
  char **text;      /* display text ("" when absent) */
};

LmHparamsRow *lm_hparams_row_new (const char *run_name, guint ordinal, guint n_columns);
/* The table's text of column `index`: "–" where the run has no value. */
const char   *lm_hparams_row_cell_text (const LmHparamsRow *row, guint index);

/* A number as the table and the axes write it: integers up to 1e15 in
 * full (101770, not 1.0177e+05), others with `digits` significant
 * digits, and "NaN", "+Inf", "-Inf". */
void lm_hp_format_number (double v, int digits, char *buf, gsize len);

/* Where the row's value of column `index` sits on c's axis; *pos is set
 * for LM_HP_PLACE_RANGE. */
LmHpPlace lm_hp_column_place (const LmHpColumn *c, const LmHparamsRow *row, guint index, double *pos);
/* Whether a numeric column's axis is logarithmic (positive, >= 2 decades). */
gboolean lm_hp_column_is_log (const LmHpColumn *c);

/* Whether the column is filtered by value checkboxes (strings, bools)
 * rather than a min/max interval (numbers). */
gboolean lm_hp_column_is_discrete (const LmHpColumn *c);
gboolean lm_hp_column_is_hidden (const LmHpColumn *c);
/* Whether the runs hold more than one value in the column (NaN and +-Inf
 * count as values; runs without one do not). */
gboolean lm_hp_column_varies (const LmHpColumn *c);
/* Whether the row passes the column's filter: a discrete value not
 * unticked (a run without the value passes), a number inside the interval
 * (once a bound is set, a run without a number there, or with NaN, fails). */
gboolean lm_hp_filter_accepts (const LmHpColumn *c, const LmHparamsRow *row, guint index);
LmHpFilter *lm_hp_filter_new (void);
void        lm_hp_filter_free (gpointer filter);

#define LM_TYPE_PARALLEL_COORDS (lm_parallel_coords_get_type ())
G_DECLARE_FINAL_TYPE (LmParallelCoords, lm_parallel_coords, LM, PARALLEL_COORDS, GtkWidget)

/* rows: the table's (filtered, sorted) model of LmHparamsRow. */
GtkWidget *lm_parallel_coords_new         (GListModel *rows);
void       lm_parallel_coords_set_columns (LmParallelCoords *self, GPtrArray *columns);
void       lm_parallel_coords_set_highlighted (LmParallelCoords *self, const char *run_name);
/* The run whose line passes nearest to (x, y), or NULL. */
const char *lm_parallel_coords_pick       (LmParallelCoords *self, double x, double y);

/* A piece of text the parallel coordinates draw: an axis title or a value
 * label, elided to the room it has (the tooltip over it has it whole). */
typedef struct
{
  char *text;            /* the full text */
  PangoLayout *layout;   /* as drawn (ellipsized to fit) */
  graphene_rect_t rect;  /* its extents in widget coordinates */
  guint axis;            /* axis number, left to right */
  gboolean is_title;
} LmPcLabel;

/* The labels drawn at size width x height (the tests check that they
 * keep inside the widget and off each other). */
GPtrArray  *lm_parallel_coords_layout_labels (LmParallelCoords *self, int width, int height);

/* The scatter plot matrix: a plot per shown hparam (across) and shown
 * metric (down), a point per run in its colour.  Hover names the run and
 * its values and rings it in every plot; a click emits "run-picked", and
 * so do Enter and space on the run the arrow keys moved to. */
#define LM_TYPE_HPARAMS_SCATTER (lm_hparams_scatter_get_type ())
G_DECLARE_FINAL_TYPE (LmHparamsScatter, lm_hparams_scatter, LM, HPARAMS_SCATTER, GtkWidget)

typedef struct
{
  guint x_column, y_column;   /* column indices: the hparam, the metric */
  graphene_rect_t frame;      /* the plot's box */
  graphene_rect_t data;       /* where a numeric column's lo and hi fall (left/bottom, right/top) */
  guint n_plotted;            /* runs drawn (both values finite or categories) */
} LmHpPlot;

GtkWidget  *lm_hparams_scatter_new             (GListModel *rows);
void        lm_hparams_scatter_set_columns     (LmHparamsScatter *self, GPtrArray *columns);
void        lm_hparams_scatter_set_highlighted (LmHparamsScatter *self, const char *run_name);
/* The run under the pointer (ringed in every plot), or NULL. */
const char *lm_hparams_scatter_get_hovered     (LmHparamsScatter *self);
/* The plots at width x height (LmHpPlot), row by row. */
GArray     *lm_hparams_scatter_layout          (LmHparamsScatter *self, int width, int height);
/* Draws the matrix at width x height (what the widget shows). */
void        lm_hparams_scatter_draw            (LmHparamsScatter *self, cairo_t *cr, int width, int height);
/* The run whose point is nearest (x, y) (within a few pixels), or NULL. */
const char *lm_hparams_scatter_pick            (LmHparamsScatter *self, int width, int height, double x, double y);
/* The tooltip's markup at (x, y): the run there and its values, or the
 * plot's runs not plotted; NULL where there is none. */
char       *lm_hparams_scatter_tooltip         (LmHparamsScatter *self, int width, int height, double x, double y);
/* The keyboard's run (arrow keys; drawn as the hovered one), or NULL, and
 * its plot (an index into the layout). */
const char *lm_hparams_scatter_get_focused     (LmHparamsScatter *self);
guint       lm_hparams_scatter_get_focus_plot  (LmHparamsScatter *self);
/* The accessible description: the keyboard's plot and run with the run's
 * values, as its tooltip gives them; NULL without plots. */
char       *lm_hparams_scatter_get_focus_text  (LmHparamsScatter *self);
/* How often the matrix has drawn its texture (all but the hover, the
 * keyboard's run and the focus ring): tests check a hover leaves it. */
guint       lm_hparams_scatter_get_n_renders   (LmHparamsScatter *self);

G_END_DECLS
