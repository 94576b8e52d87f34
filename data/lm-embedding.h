/* lm-embedding.h: a run's logged embeddings (the projector's data), read
 * back, their PCA and TensorBoard's custom (linear) projection.
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

/* TensorBoard's "Sphereize data", in place: the mean of the n rows
 * subtracted from each, then each row divided by its norm (a row that is
 * then zero stays zero).  Rows holding a NaN or an infinity are left out
 * of the mean and left as they are. */
void         lm_embedding_sphereize (float *mat, gsize n, gsize d);

/* How many of the n x d rows hold a NaN or an infinity; the first one's
 * index into *first (may be NULL; untouched when none). */
gsize        lm_embedding_count_nonfinite (const float *mat, gsize n, gsize d, gsize *first);
/* How many rows lm_embedding_count_nonfinite has looked at since the
 * program started (for tests that count the scans). */
guint        lm_embedding_rows_scanned (void);

/* PCA of an n x d matrix: the points centred, projected on the top k
 * (1..LM_EMBEDDING_PCA_MAX_K) principal components.  coords: n x k floats (point i's score on
 * component c at [i * k + c]); explained: k fractions of the total
 * variance (TensorBoard's "variance described"); components (may be NULL):
 * k x d unit vectors.  Uses the d x d covariance or the n x n Gram matrix,
 * whichever is smaller; a component's sign is chosen so its largest
 * loading is positive (signs are arbitrary in PCA).  Components beyond the
 * matrix's rank get zero scores and zero variance.  A row holding a NaN
 * or an infinity is left out (of the mean and the components) and gets
 * NaN scores, so one bad row does not take the others with it.  Beyond 3 components
 * (a reduction before t-SNE) the eigenvectors are found to the subspace
 * rather than to the last digit (see lm-embedding.c).  FALSE (and *error)
 * only for sizes it refuses (k outside 1..LM_EMBEDDING_PCA_MAX_K, n or d 0). */
gboolean     lm_embedding_pca  (const float *mat, gsize n, gsize d, int k,
                                float *coords, double *explained,
                                float *components, char **error);
/* lm_embedding_pca of the sphereized vectors (TensorBoard's "Sphereize
 * data" on, mat itself untouched): each row's finiteness is told once,
 * by the sphereizing, and kept for the PCA. */
gboolean     lm_embedding_pca_sphereized (const float *mat, gsize n, gsize d, int k,
                                          float *coords, double *explained, char **error);
/* The same, stopping early (FALSE, *error "PCA cancelled") once
 * `cancellable` is cancelled: it is checked every few rows and each round
 * of the eigen-solver, so a 5,000 x 784 PCA stops within milliseconds. */
gboolean     lm_embedding_pca_cancellable (const float *mat, gsize n, gsize d, int k,
                                           float *coords, double *explained, float *components,
                                           GCancellable *cancellable, char **error);

/* TensorBoard's projector search on n labels: a case-insensitive
 * substring, or with `regex` a case-insensitive regular expression found
 * anywhere in the label.  The matching indices go to out_idx (room for n)
 * in order; returns how many, 0 for an empty pattern or no labels, or -1
 * with *error for a regex that does not compile. */
gssize       lm_embedding_match (char *const *labels, gsize n, const char *pattern, gboolean regex,
                                 guint32 *out_idx, char **error);

/* A custom projection's axis, as TensorBoard's Custom tab: the mean of
 * rows `to` minus the mean of rows `from` (in the original space), as a
 * unit vector into dir (d doubles).  Rows holding a NaN or an infinity
 * are left out of the means.  FALSE with *error, naming the ends by
 * from_name and to_name ("Left", "Right"), when an end has no finite row
 * or the two means are the same (no direction). */
gboolean     lm_embedding_custom_axis (const float *mat, gsize n, gsize d, const guint32 *from, gsize n_from,
                                       const guint32 *to, gsize n_to, const char *from_name,
                                       const char *to_name, double *dir, char **error);
/* Each row's dot product with dir (d doubles) into out[i * stride]: its
 * place on that axis (NaN for a row holding a NaN; an infinity where the
 * product passes float's range). */
void         lm_embedding_project_axis (const float *mat, gsize n, gsize d, const double *dir, float *out,
                                        gsize stride);
/* The cosine similarity of two d-vectors (0 when either is zero). */
double       lm_embedding_cosine (const double *a, const double *b, gsize d);

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
