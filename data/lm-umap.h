/* lm-umap.h: UMAP of an embedding, as TensorBoard's projector runs it.
 *
 * What it is for: McInnes et al.'s UMAP of n points in d dimensions into
 * 2 or 3, one epoch at a time so a caller can show the layout as it
 * forms.  Each point's k - 1 nearest neighbours by cosine distance on
 * the original vectors, as TensorBoard's projector finds them for UMAP
 * (data.ts computeKnn, knn.ts: no PCA first; exact, 5,000 x 784 in about
 * 1 s; the point itself counting as the first of its k as in umap-learn)
 * get memberships exp(-(d - rho) / sigma), rho the nearest neighbour's
 * distance and sigma found by binary search so the memberships sum to
 * log2(k); the graph is their fuzzy union (a + b - ab); the layout starts
 * uniformly random in [-10, 10] (umap-js's, TensorBoard's: no spectral
 * initialisation) and follows SGD over the edges, each sampled in
 * proportion to its weight (epochs_per_sample) with 5 negative samples
 * per positive one, the learning rate falling linearly from 1 to 0 over
 * the epochs.  The curve 1 / (1 + a d^2b) is fitted to min_dist 0.1,
 * spread 1 (a ~1.577, b ~0.895).  A seed fixes the starting layout and
 * the negative samples, so the same input and seed give the same result.
 * Plain C + GLib, synchronous: call it from a worker thread.
 *
 * What it is not for: more than a few thousand points (the neighbour
 * search is brute force; the projector samples to LM_UMAP_MAX_POINTS),
 * drawing, threads (ui/lm-projector-page.c runs it).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* TensorBoard's "Neighbors" slider: its default and range */
#define LM_UMAP_DEFAULT_NEIGHBORS  15
#define LM_UMAP_MIN_NEIGHBORS      5
#define LM_UMAP_MAX_NEIGHBORS      50
#define LM_UMAP_MIN_DIST           0.1
#define LM_UMAP_SPREAD             1.0
#define LM_UMAP_NEGATIVE_SAMPLES   5
/* TensorBoard samples UMAP's input to this many points, as t-SNE's. */
#define LM_UMAP_MAX_POINTS         5000

typedef struct _LmUmap LmUmap;

/* The epochs a run of n points takes by default: umap-js's rule (what
 * TensorBoard runs): 500 up to 2,500 points, 400 up to 5,000, 300 up to
 * 7,500, 200 beyond (umap-learn's is 500 up to 10,000, then 200). */
guint        lm_umap_default_epochs (gsize n);

/* A UMAP of the n x d row-major matrix mat into dim (2 or 3) dimensions
 * with k neighbours (the point itself included, as umap-learn's
 * n_neighbors), set up to run n_epochs epochs (0: the default above), at
 * epoch 0 (the seeded random layout).  NULL with *error naming what is
 * wrong: fewer than 2 points, k below 2 or not below n, dim not 2 or 3,
 * a NaN or an infinity in the matrix (its row and column). */
LmUmap      *lm_umap_new       (const float *mat, gsize n, gsize d, int dim, guint k, guint n_epochs,
                                guint64 seed, char **error);
/* The same, giving up (NULL, *error "UMAP set-up cancelled") soon after
 * `cancellable` is cancelled: the set-up (neighbours, calibration,
 * fuzzy union) checks it every few rows. */
LmUmap      *lm_umap_new_cancellable (const float *mat, gsize n, gsize d, int dim, guint k, guint n_epochs,
                                      guint64 seed, GCancellable *cancellable, char **error);
void         lm_umap_free      (LmUmap *u);

/* One epoch of SGD; nothing once all n_epochs have run. */
void         lm_umap_step      (LmUmap *u);
/* Epochs run so far, and in all. */
guint        lm_umap_get_epoch (LmUmap *u);
guint        lm_umap_get_n_epochs (LmUmap *u);
/* The dimensions the neighbours were found in: the input's d. */
gsize        lm_umap_get_input_dims (LmUmap *u);
/* Row i's k - 1 nearest neighbours (nearest first, itself not among
 * them): the graph's kNN, n x (k - 1) indices. */
const guint32 *lm_umap_get_neighbors (LmUmap *u);
/* Edges of the fuzzy graph (each pair twice, one per direction) that the
 * SGD samples. */
gsize        lm_umap_get_n_edges (LmUmap *u);

/* The layout, n x dim doubles. */
const double *lm_umap_get_layout (LmUmap *u);
/* The layout as n x k floats (k >= dim; the columns past dim are 0),
 * centred on 0, what the projector view takes with k = 3. */
void         lm_umap_copy_coords (LmUmap *u, float *out, int k);

/* a and b of the curve 1 / (1 + a x^2b) fitted by least squares to 1
 * below min_dist and exp(-(x - min_dist) / spread) above, on 300 points
 * of [0, 3 spread] (umap-learn's find_ab_params).  FALSE for a spread
 * not above 0 or a min_dist not in [0, spread). */
gboolean     lm_umap_find_ab   (double spread, double min_dist, double *a, double *b);

/* For tests: `hook` is called with each stage of a set-up as it begins
 * ("neighbours", "calibration", "union"), in the set-up's thread;
 * NULL removes it.  Not for use while a set-up runs. */
void         lm_umap_set_stage_hook (void (*hook) (const char *stage, gpointer data), gpointer data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmUmap, lm_umap_free)

G_END_DECLS
