/* lm-embedding.h: a run's logged embeddings (the projector's data), read
 * back, and their PCA.
 *
 * What it is for: the list of embeddings of a run (embeddings table: tag,
 * step, n x d, whether labels and thumbnails came with it), one embedding
 * loaded whole (matrix, labels and the other metadata columns, sprite
 * decoded to RGBA), the PCA the
 * projector shows (centre, top components, variance explained) and a
 * point's nearest neighbours in the original space (its inspector), all
 * synchronous: call them from a worker thread or a GTask.  A run file
 * from before embeddings (no table) has none; that is not an error.
 *
 * What it is not for: following a run live (the projector reloads on
 * demand), drawing (ui/lm-projector-view.h).
 */
#pragma once

#include <glib.h>

#include "lm-image-loader.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 id, step;
  char *tag;
  gint64 n, d;
  gboolean has_labels, has_sprite;
} LmEmbeddingInfo;

typedef struct
{
  gint64 id, step;
  char *tag;
  gsize n, d;
  float *mat;               /* n x d, row-major */
  char **labels;            /* n labels, or NULL (none logged): columns[0] */
  /* the metadata's columns (add_embedding's metadata_header): n_columns
   * names (NULL-terminated; one column without a header is "label", as
   * TensorBoard names it) and n_columns arrays of n values, the first
   * being `labels` itself; 0 and NULL without labels */
  guint n_columns;
  char **column_names;
  char ***columns;
  LmImagePixels *sprite;    /* RGBA sprite, or NULL */
  int thumb_width, thumb_height, sprite_cols;
} LmEmbedding;

/* The embeddings of the run at path in (tag, step) order, as
 * LmEmbeddingInfo* (freed with the array); an empty array for a run
 * without any.  NULL with *error when the file cannot be read. */
GPtrArray   *lm_embedding_list (const char *path, char **error);
/* Embedding `id` (from the list); NULL with *error when it is not there
 * or its rows are damaged (a matrix blob of the wrong size, a bad sprite). */
LmEmbedding *lm_embedding_load (const char *path, gint64 id, char **error);
void         lm_embedding_free (LmEmbedding *e);
/* A new embedding of the m rows idx[0..m) of e (their values, metadata
 * columns and thumbnails, in a sprite of their own), for t-SNE on a
 * sample. */
LmEmbedding *lm_embedding_subset (const LmEmbedding *e, const guint32 *idx, gsize m);

/* The most components lm_embedding_pca finds (t-SNE's reduction to 50). */
#define LM_EMBEDDING_PCA_MAX_K 50

/* PCA of an n x d matrix: the points centred, projected on the top k
 * (1..LM_EMBEDDING_PCA_MAX_K) principal components.  coords: n x k floats (point i's score on
 * component c at [i * k + c]); explained: k fractions of the total
 * variance (TensorBoard's "variance described"); components (may be NULL):
 * k x d unit vectors.  Uses the d x d covariance or the n x n Gram matrix,
 * whichever is smaller; a component's sign is chosen so its largest
 * loading is positive (signs are arbitrary in PCA).  Components beyond the
 * matrix's rank get zero scores and zero variance.  Beyond 3 components
 * (a reduction before t-SNE) the eigenvectors are found to the subspace
 * rather than to the last digit (see lm-embedding.c).  FALSE (and *error)
 * only for sizes it refuses (k outside 1..LM_EMBEDDING_PCA_MAX_K, n or d 0). */
gboolean     lm_embedding_pca  (const float *mat, gsize n, gsize d, int k,
                                float *coords, double *explained,
                                float *components, char **error);
/* The same, stopping early (FALSE, *error "PCA cancelled") once
 * `cancellable` is cancelled: it is checked every few rows and each round
 * of the eigen-solver, so a 5,000 x 784 PCA stops within milliseconds. */
gboolean     lm_embedding_pca_cancellable (const float *mat, gsize n, gsize d, int k,
                                           float *coords, double *explained, float *components,
                                           GCancellable *cancellable, char **error);

/* The inspector's distance between two rows, as TensorBoard's projector:
 * cosine distance 1 - cos(a, b) (in [0, 2]; a zero vector is at distance
 * 1 from everything, as TensorBoard's normalised zero vector is), or the
 * Euclidean distance. */
typedef enum
{
  LM_EMBEDDING_COSINE,
  LM_EMBEDDING_EUCLIDEAN,
} LmEmbeddingMetric;

/* The k rows of the n x d matrix nearest row `query` (itself excluded),
 * nearest first, ties to the lower index: their indices into out_idx and
 * distances into out_dist (k entries each); a row whose distance is NaN
 * (a NaN or infinite value in it or the query) comes after every other,
 * its distance NaN.  Brute force over the
 * original vectors in double (10,000 x 784 takes a few milliseconds);
 * `cancellable` is checked every few hundred rows.  Returns how many it
 * wrote, MIN (k, n - 1), or -1 when cancelled (or query >= n). */
gssize       lm_embedding_nearest (const float *mat, gsize n, gsize d, gsize query, gsize k,
                                   LmEmbeddingMetric metric, GCancellable *cancellable,
                                   guint32 *out_idx, float *out_dist);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmEmbedding, lm_embedding_free)

G_END_DECLS
