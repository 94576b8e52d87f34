/* lm-tsne.h: t-SNE of an embedding, as TensorBoard's projector runs it.
 *
 * What it is for: van der Maaten's t-SNE of n points in d dimensions into
 * 2 or 3, one gradient step at a time so a caller can show the layout as
 * it forms: each point's 3 x perplexity nearest neighbours by cosine
 * distance on the original vectors (no PCA first: TensorBoard's data.ts
 * and knn.ts), its bandwidth found by binary search so that
 * exp(-beta d) over them (d the cosine distance, where TensorBoard's
 * bh_tsne puts it) has the asked-for perplexity, P symmetrised, Student-t Q, early
 * exaggeration (x12 for the first 100 iterations), momentum (0.5 then
 * 0.8 from iteration 250) and per-coordinate gains.  A seed fixes the
 * starting layout, so the same input and seed give the same result.
 * Plain C + GLib, synchronous: call it from a worker thread.
 *
 * P is kept for each point's 3 x perplexity nearest neighbours (all
 * points when there are fewer), as bhtsne and TensorBoard do; the
 * repulsion is exact, O(n^2) a step: fine up to a few thousand points.
 * Larger embeddings are sampled down to LM_TSNE_MAX_POINTS by the caller
 * (lm_tsne_sample).
 *
 * What it is not for: drawing, threads (ui/lm-projector-page.c runs it).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LM_TSNE_DEFAULT_PERPLEXITY     30.0
#define LM_TSNE_DEFAULT_LEARNING_RATE  10.0
#define LM_TSNE_EXAGGERATION           12.0
#define LM_TSNE_EXAGGERATION_ITERS     100
#define LM_TSNE_MOMENTUM_SWITCH_ITER   250
/* Beyond this many points the projector runs t-SNE on a random sample
 * (bench/data/bench-tsne prints the steps a second this costs). */
#define LM_TSNE_MAX_POINTS             5000

typedef struct _LmTsne LmTsne;

/* A t-SNE of the n x d row-major matrix mat into dim (2 or 3)
 * dimensions, at iteration 0 (the seeded random layout).  NULL with
 * *error naming what is wrong: fewer than 2 points, a perplexity not in
 * [1, n - 1], a learning rate not above 0, dim not 2 or 3, a NaN or an
 * infinity in the matrix (its row and column). */
LmTsne      *lm_tsne_new       (const float *mat, gsize n, gsize d, int dim, double perplexity,
                                double learning_rate, guint64 seed, char **error);
/* The same, giving up (NULL, *error "t-SNE set-up cancelled") soon after
 * `cancellable` is cancelled: the set-up (neighbours, perplexity
 * calibration) checks it every row, so a superseded set-up of 5,000
 * points stops within a few milliseconds instead of running seconds. */
LmTsne      *lm_tsne_new_cancellable (const float *mat, gsize n, gsize d, int dim, double perplexity,
                                      double learning_rate, guint64 seed, GCancellable *cancellable,
                                      char **error);
void         lm_tsne_free      (LmTsne *t);

/* One gradient step (early exaggeration, momentum and gains as above). */
void         lm_tsne_step      (LmTsne *t);
guint        lm_tsne_get_iteration (LmTsne *t);
/* The dimensions t-SNE ran on: the input's d (there is no PCA first). */
gsize        lm_tsne_get_input_dims (LmTsne *t);
/* Takes effect from the next step (TensorBoard's slider does too). */
void         lm_tsne_set_learning_rate (LmTsne *t, double learning_rate);

/* The layout, n x dim doubles (centred on 0). */
const double *lm_tsne_get_layout (LmTsne *t);
/* Replaces the layout (n x dim); for tests of the gradient. */
void         lm_tsne_set_layout (LmTsne *t, const double *y);
/* The layout as n x k floats (k >= dim; the columns past dim are 0),
 * what the projector view takes with k = 3. */
void         lm_tsne_copy_coords (LmTsne *t, float *out, int k);

/* KL(P || Q) of the current layout, with P not exaggerated. */
double       lm_tsne_kl        (LmTsne *t);
/* Its gradient with respect to the layout (n x dim), P not exaggerated. */
void         lm_tsne_gradient  (LmTsne *t, double *grad);

/* The conditional affinities p_{j|i} of each of the n points (n x d) to
 * its k nearest neighbours (k < n): nbr gets their indices (n x k,
 * nearest first) and p the affinities (n x k, each row summing to 1),
 * with each point's bandwidth found by binary search so the row's
 * entropy is log(perplexity) (to 1e-5 nats).  FALSE (and *error) for a
 * perplexity that k neighbours cannot reach (not in [1, k]). */
gboolean     lm_tsne_affinities (const float *x, gsize n, gsize d, double perplexity, gsize k,
                                 guint32 *nbr, double *p, char **error);

/* For tests: `hook` is called with each stage of a set-up as it begins
 * ("neighbours", "calibration", "symmetrise"), in the set-up's
 * thread; NULL removes it.  Not for use while a set-up runs. */
void         lm_tsne_set_stage_hook (void (*hook) (const char *stage, gpointer data), gpointer data);

/* `keep` of the indices 0..n-1, sorted, picked at random (seeded);
 * all of them when keep >= n.  Freed with g_free. */
guint32     *lm_tsne_sample    (gsize n, gsize keep, guint64 seed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmTsne, lm_tsne_free)

G_END_DECLS
