/* lm-hparams-private.h: the rows and columns the hparams table and the
 * parallel-coordinates view share (private to ui/).
 *
 * What it is for: one LmHparamsRow per run (its name, colour ordinal and
 * a value per column) and the column list (every hparam name of any run,
 * then every metric tag), each column numeric when all its values are.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct
{
  char *name;          /* hparam name or metric tag */
  gboolean is_metric;
  gboolean numeric;    /* every present value is a number (or bool) */
  double lo, hi;       /* numeric range over the rows */
  GPtrArray *categories;   /* !numeric: distinct strings, sorted */
} LmHpColumn;

#define LM_TYPE_HPARAMS_ROW (lm_hparams_row_get_type ())
G_DECLARE_FINAL_TYPE (LmHparamsRow, lm_hparams_row, LM, HPARAMS_ROW, GObject)

struct _LmHparamsRow
{
  GObject parent_instance;
  char *run_name;
  guint ordinal;
  guint n;          /* columns */
  gboolean *present;
  double *number;   /* NaN when not numeric */
  char **text;      /* display text ("" when absent) */
};

LmHparamsRow *lm_hparams_row_new (const char *run_name, guint ordinal, guint n_columns);

/* Where value v of column c sits on its axis, 0 (bottom) .. 1 (top);
 * NaN when the row has no value there. */
double lm_hp_column_position (const LmHpColumn *c, const LmHparamsRow *row, guint index);
/* Whether a numeric column's axis is logarithmic (positive, >= 2 decades). */
gboolean lm_hp_column_is_log (const LmHpColumn *c);

#define LM_TYPE_PARALLEL_COORDS (lm_parallel_coords_get_type ())
G_DECLARE_FINAL_TYPE (LmParallelCoords, lm_parallel_coords, LM, PARALLEL_COORDS, GtkWidget)

/* rows: the table's (filtered, sorted) model of LmHparamsRow. */
GtkWidget *lm_parallel_coords_new         (GListModel *rows);
void       lm_parallel_coords_set_columns (LmParallelCoords *self, GPtrArray *columns);
void       lm_parallel_coords_set_highlighted (LmParallelCoords *self, const char *run_name);
/* The run whose line passes nearest to (x, y), or NULL. */
const char *lm_parallel_coords_pick       (LmParallelCoords *self, double x, double y);

G_END_DECLS
