/* lm-layout-setup.h: what the t-SNE and UMAP set-ups share (private).
 *
 * What it is for: the checks on a layout's input, with the method's name
 * ("t-SNE", "UMAP") in each message; the PCA that brings wide inputs
 * down first; the stage hook tests cancel a set-up in; and the (column,
 * value) entries both sort a row of a sparse matrix by.
 *
 * What it is not for: anything of one method alone (its own parameters'
 * checks, neighbours, optimisation).  Every message is the method's
 * name followed by what was wrong; a cancelled set-up says
 * "<method> set-up cancelled".
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef void (*LmLayoutStageFunc) (const char *stage, gpointer data);

/* A set-up's stage hook: a method keeps one, static, set by its
 * lm_*_set_stage_hook(). */
typedef struct
{
  LmLayoutStageFunc func;
  gpointer data;
} LmLayoutStageHook;

/* Calls hook's function (if any) with `stage`. */
void     lm_layout_stage (const LmLayoutStageHook *hook, const char *stage);

/* FALSE, *error set, unless there are at least 2 points (n) of at least
 * 1 dimension (d) and dim is 2 or 3. */
gboolean lm_layout_check_shape (const char *method, gsize n, gsize d, int dim, char **error);

/* FALSE, *error set, when a value of the n x d `mat` is NaN or infinite
 * (naming the point and value) or when `cancellable` is cancelled. */
gboolean lm_layout_check_finite (const char *method, const float *mat, gsize n, gsize d,
                                 GCancellable *cancellable, char **error);

/* When d > dims: the stage "pca" and *out = mat's n x dims PCA (the
 * caller frees it); *out = NULL when d <= dims.  FALSE, *error set (a
 * cancelled PCA said as the method's set-up cancelled), on failure. */
gboolean lm_layout_reduce (const char *method, const float *mat, gsize n, gsize d, gsize dims,
                           const LmLayoutStageHook *hook, GCancellable *cancellable, float **out,
                           char **error);

/* "<method> set-up cancelled", newly allocated. */
char    *lm_layout_cancelled (const char *method);

/* One entry of a sparse row, and qsort's order for them: by column. */
typedef struct
{
  guint32 col;
  double v;
} LmLayoutEntry;

int      lm_layout_entry_cmp (const void *a, const void *b);

G_END_DECLS
