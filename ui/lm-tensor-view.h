/* lm-tensor-view.h: the values of one traced tensor, drawn.
 *
 * What it is for: the debugger's tensor inspector. A 4-D tensor (N,C,H,W,
 * an activation) is drawn as one small grey tile per channel of sample 0,
 * each tile normalised to its own min..max; any other tensor is a heatmap
 * (2-D as is, 1-D as one row, more dims folded into rows of the last dim)
 * on a diverging blue-white-red map centred on 0 and scaled by the largest
 * finite |value|; NaN is green and +-Inf gold in both. Hovering names the
 * index and the value (tooltip). lm_tensor_view_new_grid gives a scrolled
 * grid of the first rows and columns of the values, with their indices.
 *
 * What it is not for: statistics (the debugger pane shows those) or
 * tensors whose values were not stored (it says so and draws nothing).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-graph-data.h"

G_BEGIN_DECLS

#define LM_TYPE_TENSOR_VIEW (lm_tensor_view_get_type ())
G_DECLARE_FINAL_TYPE (LmTensorView, lm_tensor_view, LM, TENSOR_VIEW, GtkWidget)

/* Value grid caps: rows and columns shown. */
#define LM_TENSOR_GRID_MAX_ROWS 200
#define LM_TENSOR_GRID_MAX_COLS 32

GtkWidget *lm_tensor_view_new        (void);
/* Copies what it needs from e (NULL: nothing to show). */
void       lm_tensor_view_set_event  (LmTensorView            *self,
                                      const LmTraceDataEvent  *e);
/* Why the next events' values are missing, drawn where they would be
 * (NULL: "values not stored (over the trace's cap)"). */
void       lm_tensor_view_set_missing_note (LmTensorView *self,
                                            const char   *note);
const char *lm_tensor_view_get_missing_note (LmTensorView *self);
/* TRUE when it draws channel tiles (a 4-D tensor), FALSE for a heatmap. */
gboolean   lm_tensor_view_is_image_grid (LmTensorView *self);
/* The heatmap cell (row, col) under widget point (x, y): FALSE outside. */
gboolean   lm_tensor_view_cell_at    (LmTensorView *self,
                                      double        x,
                                      double        y,
                                      gint64       *row,
                                      gint64       *col);
/* The centre of heatmap cell (row, col) in widget coordinates. */
gboolean   lm_tensor_view_cell_center (LmTensorView *self,
                                       gint64        row,
                                       gint64        col,
                                       double       *x,
                                       double       *y);
/* The hover text for (x, y): "[r, c] = v", NULL outside. */
char      *lm_tensor_view_describe_at (LmTensorView *self,
                                       double        x,
                                       double        y);
/* The diverging map: v scaled by m (> 0) to an RGB in 0..1. */
void       lm_tensor_view_colour     (double        v,
                                      double        m,
                                      double       *r,
                                      double       *g,
                                      double       *b);
/* A scrolled value grid that follows self: 200 rows × 32 columns from a
 * first row and column the user picks (spin buttons, shown when the
 * tensor is bigger; their arrows move a page), a note saying which, and
 * "Copy values", which puts lm_tensor_view_values_text on the clipboard. */
GtkWidget *lm_tensor_view_new_grid   (LmTensorView *self);
/* Every stored value as text for numpy.loadtxt / pandas: a "# shape (...)"
 * line, then the rows × last dim, tab-separated, "%.9g" (a float32 reads
 * back exactly), nan/inf/-inf; NULL without values. Free it. */
char      *lm_tensor_view_values_text (LmTensorView *self);

G_END_DECLS
