/* lm-layout-setup.h: what the t-SNE and UMAP set-ups share (private).
 *
 * What it is for: the checks on a layout's input, with the method's name
 * ("t-SNE", "UMAP") in each message; the nearest neighbours both start
 * from (TensorBoard's projector's: cosine distance on the original
 * vectors, no PCA first); the stage hook tests cancel a set-up in; and
 * the (column, value) entries both sort a row of a sparse matrix by.
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

/* The k nearest rows of each row of the n x d `mat` (itself excluded,
 * 0 < k < n) by cosine distance 1 - cos(a, b), as TensorBoard's
 * projector finds them for t-SNE and UMAP (knn.ts, on the vectors as
 * loaded, no PCA): row i's into nbr[i k ..] and dist[i k ..], nearest
 * first, ties to the lower index.  A zero row is at distance 1 from
 * every other (as the inspector's lm_embedding_nearest has it).  Exact:
 * every pair's dot product of the unit rows, in float, in blocks (5,000
 * x 784 in about 1 s on one core).  FALSE when `cancellable` is
 * cancelled (checked every few rows). */
gboolean lm_layout_knn_cosine (const float *mat, gsize n, gsize d, gsize k, GCancellable *cancellable,
                               guint32 *nbr, double *dist);

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
