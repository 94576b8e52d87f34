/* lm-embedding.c: reading embeddings and their PCA (see lm-embedding.h).
 *
 * The PCA works on the smaller of the d x d scatter matrix Xc^T Xc and the
 * n x n Gram matrix Xc Xc^T (same non-zero eigenvalues), built in double.
 * Its top eigenpairs come from subspace iteration on a block of k + 6
 * vectors with a Rayleigh-Ritz step (a small Jacobi eigen-solve) each
 * round: the block converges at the rate of eigenvalue k+7 over k, far
 * faster than one power iteration per component with deflation, and is
 * exact in one round when the matrix is no bigger than the block.  The
 * many components of a reduction before t-SNE (k up to 50) take a block
 * of k + 10 and at most REDUCE_PASSES rounds: their eigenvalues crowd, so
 * the last ones would take thousands of rounds to settle to the last
 * digit, and t-SNE only needs the subspace that holds the variance.
 */
#include "lm-embedding.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "lm-reader-private.h"

#define REDUCE_PASSES 20

/* ------------------------------------------------------------- reading */

static void
info_free (gpointer p)
{
  LmEmbeddingInfo *info = p;

  g_free (info->tag);
  g_free (info);
}

/* Whether the file has the embeddings tables (files from before them do
 * not: they have no embeddings). */
static gboolean
has_tables (sqlite3 *db)
{
  int rc;

  return lm_reader_table_exists (db, "embeddings", &rc) && lm_reader_table_exists (db, "embedding_metadata", &rc);
}

GPtrArray *
lm_embedding_list (const char *path, char **error)
{
  sqlite3 *db = lm_reader_open_path (path, error);
  sqlite3_stmt *st = NULL;
  GPtrArray *list;
  int rc = SQLITE_DONE;

  if (db == NULL)
    return NULL;
  list = g_ptr_array_new_with_free_func (info_free);
  if (!has_tables (db))
    {
      sqlite3_close (db);
      return list;
    }
  if (sqlite3_prepare_v2 (db, "SELECT id, step, tag, n, d, sprite IS NOT NULL, EXISTS (SELECT 1 FROM "
                          "embedding_metadata WHERE embedding_id = embeddings.id) FROM embeddings "
                          "ORDER BY tag, step, id", -1, &st, NULL) != SQLITE_OK)
    rc = sqlite3_errcode (db);
  while (st != NULL && (rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      LmEmbeddingInfo *info = g_new0 (LmEmbeddingInfo, 1);
      const char *tag = (const char *) sqlite3_column_text (st, 2);

      info->id = sqlite3_column_int64 (st, 0);
      info->step = sqlite3_column_int64 (st, 1);
      info->tag = g_strdup (tag ? tag : "");
      info->n = sqlite3_column_int64 (st, 3);
      info->d = sqlite3_column_int64 (st, 4);
      info->has_sprite = sqlite3_column_int (st, 5);
      info->has_labels = sqlite3_column_int (st, 6);
      g_ptr_array_add (list, info);
    }
  if (rc != SQLITE_DONE)
    {
      *error = lm_reader_describe_error (db, rc, "reading the embeddings", NULL);
      g_clear_pointer (&list, g_ptr_array_unref);
    }
  sqlite3_finalize (st);
  sqlite3_close (db);
  return list;
}

void
lm_embedding_free (LmEmbedding *e)
{
  if (e == NULL)
    return;
  g_free (e->tag);
  g_free (e->mat);
  g_strfreev (e->column_names);
  /* columns[0] is labels */
  for (guint c = 1; c < e->n_columns; c++)
    g_strfreev (e->columns[c]);
  g_free (e->columns);
  g_strfreev (e->labels);
  g_clear_pointer (&e->sprite, lm_image_pixels_unref);
  g_free (e);
}

LmEmbedding *
lm_embedding_subset (const LmEmbedding *e, const guint32 *idx, gsize m)
{
  LmEmbedding *s;

  g_return_val_if_fail (e != NULL && (idx != NULL || m == 0), NULL);
  s = g_new0 (LmEmbedding, 1);
  s->id = e->id;
  s->step = e->step;
  s->tag = g_strdup (e->tag);
  s->n = m;
  s->d = e->d;
  s->mat = g_new (float, m * e->d);
  for (gsize i = 0; i < m; i++)
    memcpy (s->mat + i * e->d, e->mat + (gsize) idx[i] * e->d, e->d * sizeof *s->mat);
  if (e->labels != NULL)
    {
      s->n_columns = e->n_columns;
      s->column_names = g_strdupv (e->column_names);
      s->columns = g_new0 (char **, e->n_columns);
      for (guint c = 0; c < e->n_columns; c++)
        {
          s->columns[c] = g_new0 (char *, m + 1);
          for (gsize i = 0; i < m; i++)
            s->columns[c][i] = g_strdup (e->columns[c][idx[i]]);
        }
      s->labels = s->columns[0];
    }
  if (e->sprite != NULL && m > 0)
    {
      /* the kept thumbnails in a sprite of their own, as many columns */
      int tw = e->thumb_width, th = e->thumb_height, cols = e->sprite_cols;
      gsize rows = (m + (gsize) cols - 1) / (gsize) cols, stride = (gsize) cols * tw * 4;
      guint8 *out = g_malloc0 (stride * rows * th);
      const guint8 *in = g_bytes_get_data (e->sprite->rgba, NULL);
      LmImagePixels *px = g_atomic_rc_box_new0 (LmImagePixels);

      for (gsize i = 0; i < m; i++)
        {
          gsize sx = idx[i] % (guint32) cols * (gsize) tw, sy = idx[i] / (guint32) cols * (gsize) th;
          gsize dx = i % (gsize) cols * (gsize) tw, dy = i / (gsize) cols * (gsize) th;

          for (int y = 0; y < th; y++)
            memcpy (out + (dy + y) * stride + dx * 4, in + (sy + y) * e->sprite->stride + sx * 4, (gsize) tw * 4);
        }
      px->width = px->full_width = cols * tw;
      px->height = px->full_height = (int) rows * th;
      px->factor = 1;
      px->stride = stride;
      px->rgba = g_bytes_new_take (out, stride * rows * th);
      s->sprite = px;
      s->thumb_width = tw;
      s->thumb_height = th;
      s->sprite_cols = cols;
    }
  return s;
}

/* The names of e's header's columns (embedding_columns) into names;
 * FALSE (and *error) when they are damaged or cannot be read. */
static gboolean
load_column_names (sqlite3 *db, LmEmbedding *e, GPtrArray *names, char **error)
{
  sqlite3_stmt *st = NULL;
  int rc;

  if (lm_reader_table_exists (db, "embedding_columns", &rc)
      && (rc = sqlite3_prepare_v2 (db, "SELECT col, name FROM embedding_columns WHERE embedding_id = ?1 "
                                   "ORDER BY col", -1, &st, NULL)) == SQLITE_OK)
    {
      sqlite3_bind_int64 (st, 1, e->id);
      while ((rc = sqlite3_step (st)) == SQLITE_ROW && sqlite3_column_int64 (st, 0) == (gint64) names->len)
        g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (st, 1)));
      sqlite3_finalize (st);
    }
  if (rc == SQLITE_ROW)
    {
      *error = g_strdup_printf ("embedding '%s' at step %" G_GINT64_FORMAT ": its column names are damaged",
                                e->tag, e->step);
      return FALSE;
    }
  if (rc != SQLITE_OK && rc != SQLITE_DONE)
    {
      *error = lm_reader_describe_error (db, rc, "reading the embedding's columns", NULL);
      return FALSE;
    }
  return TRUE;
}

/* Columns 1..k-1 of e's points (embedding_values), point by point;
 * FALSE (and *error) when some are missing or cannot be read. */
static gboolean
load_column_values (sqlite3 *db, LmEmbedding *e, gsize k, char **error)
{
  sqlite3_stmt *st = NULL;
  gsize got = 0;
  int rc;

  if (lm_reader_table_exists (db, "embedding_values", &rc)
      && (rc = sqlite3_prepare_v2 (db, "SELECT i, col, value FROM embedding_values WHERE embedding_id = ?1 "
                                   "ORDER BY i, col", -1, &st, NULL)) == SQLITE_OK)
    {
      sqlite3_bind_int64 (st, 1, e->id);
      /* point by point, its columns 1.. */
      while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        {
          gsize i = got / (k - 1), c = got % (k - 1) + 1;
          const char *v = (const char *) sqlite3_column_text (st, 2);

          if (i >= e->n || sqlite3_column_int64 (st, 0) != (gint64) i || sqlite3_column_int64 (st, 1) != (gint64) c)
            break;
          e->columns[c][i] = g_strdup (v ? v : "");
          got++;
        }
      sqlite3_finalize (st);
    }
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      *error = lm_reader_describe_error (db, rc, "reading the embedding's columns", NULL);
      return FALSE;
    }
  if (got != e->n * (k - 1))
    {
      *error = g_strdup_printf ("embedding '%s' at step %" G_GINT64_FORMAT ": %zu values for %zu points x %zu "
                                "columns (the metadata rows are damaged)", e->tag, e->step, got, e->n, k - 1);
      return FALSE;
    }
  return TRUE;
}

/* The names of a header's columns (embedding_columns) and the columns
 * after the first (embedding_values), once the labels are in; without a
 * header (or in a file from before columns) the one column is "label". */
static gboolean
load_columns (sqlite3 *db, LmEmbedding *e, char **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gsize k;

  if (!load_column_names (db, e, names, error))
    return FALSE;
  if (names->len > 0 && e->labels == NULL)
    {
      *error = g_strdup_printf ("embedding '%s' at step %" G_GINT64_FORMAT ": %u metadata columns but no labels "
                                "(the metadata rows are damaged)", e->tag, e->step, names->len);
      return FALSE;
    }
  if (e->labels == NULL)
    return TRUE;
  if (names->len == 0)
    g_ptr_array_add (names, g_strdup ("label"));
  k = names->len;
  e->n_columns = names->len;
  e->columns = g_new0 (char **, k);
  e->columns[0] = e->labels;
  for (gsize c = 1; c < k; c++)
    e->columns[c] = g_new0 (char *, e->n + 1);
  g_ptr_array_add (names, NULL);
  e->column_names = (char **) g_ptr_array_steal (names, NULL);
  return k == 1 || load_column_values (db, e, k, error);
}

static gboolean
load_labels (sqlite3 *db, LmEmbedding *e, char **error)
{
  sqlite3_stmt *st = NULL;
  gsize got = 0;
  int rc;

  if (sqlite3_prepare_v2 (db, "SELECT i, label FROM embedding_metadata WHERE embedding_id = ?1 ORDER BY i",
                          -1, &st, NULL) != SQLITE_OK)
    {
      *error = lm_reader_describe_error (db, sqlite3_errcode (db), "reading the embedding's labels", NULL);
      return FALSE;
    }
  sqlite3_bind_int64 (st, 1, e->id);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      const char *label = (const char *) sqlite3_column_text (st, 1);

      if (e->labels == NULL)
        e->labels = g_new0 (char *, e->n + 1);
      if (sqlite3_column_int64 (st, 0) != (gint64) got || got >= e->n)
        break;
      e->labels[got++] = g_strdup (label ? label : "");
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      *error = lm_reader_describe_error (db, rc, "reading the embedding's labels", NULL);
      return FALSE;
    }
  if (e->labels != NULL && got != e->n)
    {
      *error = g_strdup_printf ("embedding '%s' at step %" G_GINT64_FORMAT ": %zu labels for %zu points "
                                "(the metadata rows are damaged)", e->tag, e->step, got, e->n);
      return FALSE;
    }
  return TRUE;
}

LmEmbedding *
lm_embedding_load (const char *path, gint64 id, char **error)
{
  sqlite3 *db = lm_reader_open_path (path, error);
  sqlite3_stmt *st = NULL;
  LmEmbedding *e = NULL;
  int rc;

  if (db == NULL)
    return NULL;
  if (!has_tables (db))
    {
      *error = g_strdup_printf ("%s has no embeddings", path);
      sqlite3_close (db);
      return NULL;
    }
  if (sqlite3_prepare_v2 (db, "SELECT tag, step, n, d, tensor, sprite, thumb_width, thumb_height, "
                          "sprite_cols FROM embeddings WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
    {
      *error = lm_reader_describe_error (db, sqlite3_errcode (db), "reading the embeddings", NULL);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_bind_int64 (st, 1, id);
  rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    {
      const char *tag = (const char *) sqlite3_column_text (st, 0);
      gint64 n = sqlite3_column_int64 (st, 2), d = sqlite3_column_int64 (st, 3);
      gint64 bytes = sqlite3_column_bytes (st, 4);

      e = g_new0 (LmEmbedding, 1);
      e->id = id;
      e->tag = g_strdup (tag ? tag : "");
      e->step = sqlite3_column_int64 (st, 1);
      if (n <= 0 || d <= 0 || n > G_MAXINT32 || bytes != n * d * (gint64) sizeof (float))
        {
          *error = g_strdup_printf ("embedding '%s' at step %" G_GINT64_FORMAT ": its tensor holds %"
                                    G_GINT64_FORMAT " bytes, not %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
                                    " float32 (the row is damaged)", e->tag, e->step, bytes, n, d);
          g_clear_pointer (&e, lm_embedding_free);
        }
      else
        {
          e->n = (gsize) n;
          e->d = (gsize) d;
          e->mat = g_memdup2 (sqlite3_column_blob (st, 4), (gsize) bytes);
        }
      if (e != NULL && sqlite3_column_type (st, 5) == SQLITE_BLOB)
        {
          GError *png_error = NULL;

          e->sprite = lm_image_decode_png (sqlite3_column_blob (st, 5), (gsize) sqlite3_column_bytes (st, 5),
                                           &png_error);
          e->thumb_width = sqlite3_column_int (st, 6);
          e->thumb_height = sqlite3_column_int (st, 7);
          e->sprite_cols = sqlite3_column_int (st, 8);
          if (e->sprite == NULL || e->thumb_width <= 0 || e->thumb_height <= 0 || e->sprite_cols <= 0
              || (gsize) e->sprite_cols * (gsize) e->thumb_width > (gsize) e->sprite->width
              || (e->n + (gsize) e->sprite_cols - 1) / (gsize) e->sprite_cols * (gsize) e->thumb_height
                 > (gsize) e->sprite->height)
            {
              *error = g_strdup_printf ("embedding '%s' at step %" G_GINT64_FORMAT ": its thumbnail sprite "
                                        "cannot be read (%s)", e->tag, e->step,
                                        png_error ? png_error->message : "its size does not match");
              g_clear_pointer (&e, lm_embedding_free);
            }
          g_clear_error (&png_error);
        }
    }
  else if (rc == SQLITE_DONE)
    *error = g_strdup_printf ("%s has no embedding %" G_GINT64_FORMAT, path, id);
  else
    *error = lm_reader_describe_error (db, rc, "reading the embeddings", NULL);
  sqlite3_finalize (st);
  if (e != NULL && (!load_labels (db, e, error) || !load_columns (db, e, error)))
    g_clear_pointer (&e, lm_embedding_free);
  sqlite3_close (db);
  return e;
}

/* ------------------------------------------------ sphereize, finiteness */

/* Rows lm_embedding_count_nonfinite has looked at (for tests that count
 * the scans). */
static gint rows_scanned;

guint
lm_embedding_rows_scanned (void)
{
  return (guint) g_atomic_int_get (&rows_scanned);
}

gsize
lm_embedding_count_nonfinite (const float *mat, gsize n, gsize d, gsize *first)
{
  gsize bad = 0;

  g_atomic_int_add (&rows_scanned, (gint) n);
  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < d; j++)
      if (!isfinite (mat[i * d + j]))
        {
          if (bad++ == 0 && first != NULL)
            *first = i;
          break;
        }
  return bad;
}

/* Sphereize, each row's finiteness into bad[i] (1: a NaN or an infinity;
 * the row is left as it is, and the others stay finite). */
static void
sphereize_rows (float *mat, gsize n, gsize d, guint8 *bad)
{
  double *mean = g_new0 (double, d);
  gsize n_good = 0;

  for (gsize i = 0; i < n; i++)
    {
      bad[i] = lm_embedding_count_nonfinite (mat + i * d, 1, d, NULL) > 0;
      n_good += !bad[i];
      for (gsize j = 0; j < d && !bad[i]; j++)
        mean[j] += mat[i * d + j];
    }
  for (gsize j = 0; j < d && n_good > 0; j++)
    mean[j] /= (double) n_good;
  for (gsize i = 0; i < n; i++)
    {
      float *row = mat + i * d;
      double norm = 0;

      if (bad[i])
        continue;
      for (gsize j = 0; j < d; j++)
        norm += (row[j] - mean[j]) * (row[j] - mean[j]);
      norm = sqrt (norm);
      for (gsize j = 0; j < d; j++)
        row[j] = norm > 0 ? (float) ((row[j] - mean[j]) / norm) : 0;
    }
  g_free (mean);
}

void
lm_embedding_sphereize (float *mat, gsize n, gsize d)
{
  g_autofree guint8 *bad = g_new (guint8, n);

  sphereize_rows (mat, n, d, bad);
}

/* ----------------------------------------------------------------- PCA */

/* Eigen-decomposition of a small symmetric b x b matrix a (destroyed) by
 * cyclic Jacobi rotations: eigenvalues into w, eigenvectors into the
 * columns of v. */
static void
jacobi_eigen (double *a, gsize b, double *w, double *v)
{
  for (gsize i = 0; i < b; i++)
    for (gsize j = 0; j < b; j++)
      v[i * b + j] = i == j;
  for (int sweep = 0; sweep < 100; sweep++)
    {
      double off = 0, diag = 0;

      for (gsize p = 0; p < b; p++)
        {
          diag += a[p * b + p] * a[p * b + p];
          for (gsize q = p + 1; q < b; q++)
            off += a[p * b + q] * a[p * b + q];
        }
      if (off <= 1e-30 * diag || off == 0)
        break;
      for (gsize p = 0; p < b; p++)
        for (gsize q = p + 1; q < b; q++)
          {
            double apq = a[p * b + q];

            if (apq == 0)
              continue;
            double theta = (a[q * b + q] - a[p * b + p]) / (2 * apq);
            double t = (theta >= 0 ? 1 : -1) / (fabs (theta) + sqrt (theta * theta + 1));
            double c = 1 / sqrt (t * t + 1), s = t * c;

            for (gsize k = 0; k < b; k++)
              {
                double akp = a[k * b + p], akq = a[k * b + q];

                a[k * b + p] = c * akp - s * akq;
                a[k * b + q] = s * akp + c * akq;
              }
            for (gsize k = 0; k < b; k++)
              {
                double apk = a[p * b + k], aqk = a[q * b + k];

                a[p * b + k] = c * apk - s * aqk;
                a[q * b + k] = s * apk + c * aqk;
              }
            for (gsize k = 0; k < b; k++)
              {
                double vkp = v[k * b + p], vkq = v[k * b + q];

                v[k * b + p] = c * vkp - s * vkq;
                v[k * b + q] = s * vkp + c * vkq;
              }
          }
    }
  for (gsize i = 0; i < b; i++)
    w[i] = a[i * b + i];
}

/* Orthonormalises the b columns of x (m x b, row-major) in place by
 * modified Gram-Schmidt, twice for accuracy; a column that vanishes
 * (rank below b) becomes zero. */
static void
orthonormalise (double *x, gsize m, gsize b)
{
  for (int pass = 0; pass < 2; pass++)
    for (gsize c = 0; c < b; c++)
      {
        for (gsize o = 0; o < c; o++)
          {
            double dot = 0;

            for (gsize i = 0; i < m; i++)
              dot += x[i * b + c] * x[i * b + o];
            for (gsize i = 0; i < m; i++)
              x[i * b + c] -= dot * x[i * b + o];
          }
        double norm = 0;

        for (gsize i = 0; i < m; i++)
          norm += x[i * b + c] * x[i * b + c];
        norm = sqrt (norm);
        for (gsize i = 0; i < m; i++)
          x[i * b + c] = norm > 1e-300 ? x[i * b + c] / norm : 0;
      }
}

/* y = M x for the symmetric m x m matrix M (upper triangle filled) and b
 * columns x (m x b).  FALSE (y unfinished) when cancelled. */
static gboolean
sym_mul (const double *M, gsize m, const double *x, gsize b, double *y, GCancellable *cancel)
{
  memset (y, 0, m * b * sizeof *y);
  for (gsize i = 0; i < m; i++)
    {
      const double *row = M + i * m;

      if (i % 16 == 0 && g_cancellable_is_cancelled (cancel))
        return FALSE;

      for (gsize c = 0; c < b; c++)
        y[i * b + c] += row[i] * x[i * b + c];
      for (gsize j = i + 1; j < m; j++)
        for (gsize c = 0; c < b; c++)
          {
            y[i * b + c] += row[j] * x[j * b + c];
            y[j * b + c] += row[j] * x[i * b + c];
          }
    }
  return TRUE;
}

/* Upper triangle of Xc^T Xc (d x d), four rows of Xc at a time so each
 * pass over M does four rows' work.  FALSE when cancelled. */
static gboolean
scatter_matrix (const double *xc, gsize n, gsize d, double *M, GCancellable *cancel)
{
  memset (M, 0, d * d * sizeof *M);
  for (gsize r = 0; r < n; r += 4)
    {
      if (g_cancellable_is_cancelled (cancel))
        return FALSE;
      const double *x0 = xc + r * d;
      const double *x1 = r + 1 < n ? x0 + d : NULL, *x2 = r + 2 < n ? x0 + 2 * d : NULL;
      const double *x3 = r + 3 < n ? x0 + 3 * d : NULL;

      if (x3 != NULL)
        for (gsize i = 0; i < d; i++)
          {
            double a0 = x0[i], a1 = x1[i], a2 = x2[i], a3 = x3[i];
            double *row = M + i * d;

            for (gsize j = i; j < d; j++)
              row[j] += a0 * x0[j] + a1 * x1[j] + a2 * x2[j] + a3 * x3[j];
          }
      else
        for (const double *x = x0; x < xc + n * d; x += d)
          for (gsize i = 0; i < d; i++)
            for (gsize j = i; j < d; j++)
              M[i * d + j] += x[i] * x[j];
    }
  return TRUE;
}

/* Upper triangle of Xc Xc^T (n x n).  FALSE when cancelled. */
static gboolean
gram_matrix (const double *xc, gsize n, gsize d, double *M, GCancellable *cancel)
{
  for (gsize a = 0; a < n; a++)
    {
      if (g_cancellable_is_cancelled (cancel))
        return FALSE;
      for (gsize b = a; b < n; b++)
        {
          double s = 0;

          for (gsize j = 0; j < d; j++)
            s += xc[a * d + j] * xc[b * d + j];
          M[a * n + b] = s;
        }
    }
  return TRUE;
}

/* Top k eigenpairs of the symmetric m x m matrix M: values (descending)
 * into lambda, unit vectors into the columns of vec (m x k).  FALSE when
 * cancelled (checked each round). */
static gboolean
top_eigen (const double *M, gsize m, gsize k, double *lambda, double *vec, GCancellable *cancel)
{
  gboolean cancelled = FALSE;
  gboolean many = k > 3;
  gsize b = MIN (m, k + (many ? 10 : 6));
  double *v = g_new (double, m * b), *w = g_new (double, m * b);
  double *t = g_new (double, b * b), *y = g_new (double, b * b), *theta = g_new (double, b);
  guint64 seed = 0x9e3779b97f4a7c15ull;
  gsize *order = g_new (gsize, b);

  if (b == m)
    for (gsize i = 0; i < m * b; i++)
      v[i] = i / b == i % b;
  else
    for (gsize i = 0; i < m * b; i++)
      {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        v[i] = (double) (seed >> 11) / 9007199254740992.0 - 0.5;
      }
  orthonormalise (v, m, b);
  for (int iter = 0; iter < (many ? REDUCE_PASSES : 2000); iter++)
    {
      if ((cancelled = !sym_mul (M, m, v, b, w, cancel)))
        break;
      /* Rayleigh-Ritz: T = V^T M V, its eigenvectors rotate V. */
      for (gsize p = 0; p < b; p++)
        for (gsize q = 0; q < b; q++)
          {
            double s = 0;

            for (gsize i = 0; i < m; i++)
              s += v[i * b + p] * w[i * b + q];
            t[p * b + q] = s;
          }
      for (gsize p = 0; p < b; p++)
        for (gsize q = p + 1; q < b; q++)
          t[p * b + q] = t[q * b + p] = (t[p * b + q] + t[q * b + p]) / 2;
      jacobi_eigen (t, b, theta, y);
      for (gsize p = 0; p < b; p++)
        order[p] = p;
      for (gsize p = 1; p < b; p++)
        for (gsize q = p; q > 0 && theta[order[q]] > theta[order[q - 1]]; q--)
          {
            gsize tmp = order[q];
            order[q] = order[q - 1];
            order[q - 1] = tmp;
          }
      /* Residual ||M x - theta x|| of the top k Ritz pairs. */
      double worst = 0, scale = fabs (theta[order[0]]);

      for (gsize c = 0; c < k; c++)
        {
          gsize o = order[c];
          double r2 = 0;

          for (gsize i = 0; i < m; i++)
            {
              double mx = 0, x = 0;

              for (gsize p = 0; p < b; p++)
                {
                  mx += w[i * b + p] * y[p * b + o];
                  x += v[i * b + p] * y[p * b + o];
                }
              r2 += (mx - theta[o] * x) * (mx - theta[o] * x);
              vec[i * k + c] = x;
            }
          lambda[c] = MAX (theta[o], 0);
          worst = MAX (worst, sqrt (r2));
        }
      if (b == m || worst <= 1e-11 * scale || scale == 0)
        break;
      memcpy (v, w, m * b * sizeof *v);
      orthonormalise (v, m, b);
    }
  g_free (v);
  g_free (w);
  g_free (t);
  g_free (y);
  g_free (theta);
  g_free (order);
  return !cancelled;
}

gboolean
lm_embedding_pca (const float *mat, gsize n, gsize d, int k, float *coords, double *explained,
                  float *components, char **error)
{
  return lm_embedding_pca_cancellable (mat, n, d, k, coords, explained, components, NULL, error);
}

static gboolean pca_rows (const float *mat, const guint8 *known_bad, gsize n, gsize d, int k, float *coords,
                          double *explained, float *components, GCancellable *cancellable, char **error);

gboolean
lm_embedding_pca_cancellable (const float *mat, gsize n, gsize d, int k, float *coords, double *explained,
                              float *components, GCancellable *cancellable, char **error)
{
  return pca_rows (mat, NULL, n, d, k, coords, explained, components, cancellable, error);
}

gboolean
lm_embedding_pca_sphereized (const float *mat, gsize n, gsize d, int k, float *coords, double *explained,
                             char **error)
{
  g_autofree float *copy = g_memdup2 (mat, n * d * sizeof *mat);
  g_autofree guint8 *bad = g_new (guint8, n);

  sphereize_rows (copy, n, d, bad);
  return pca_rows (copy, bad, n, d, k, coords, explained, NULL, NULL, error);
}

/* The PCA; known_bad (may be NULL: each row is looked at) tells which
 * rows hold a NaN or an infinity when the caller knows already. */
static gboolean
pca_rows (const float *mat, const guint8 *known_bad, gsize n, gsize d, int k, float *coords,
          double *explained, float *components, GCancellable *cancellable, char **error)
{
  if (k < 1 || k > LM_EMBEDDING_PCA_MAX_K || n == 0 || d == 0)
    {
      *error = g_strdup_printf ("PCA of %zu x %zu into %d components: needs at least one point and "
                                "dimension, and 1 to %d components", n, d, k, LM_EMBEDDING_PCA_MAX_K);
      return FALSE;
    }
  double *xc = g_new (double, n * d), *mean = g_new0 (double, d);
  gboolean gram = n < d;
  gsize m = gram ? n : d, kk = MIN ((gsize) k, m);
  double *M = g_new (double, m * m), *lambda = g_new0 (double, k), *vec = g_new0 (double, m * k);
  double *comp = g_new0 (double, (gsize) k * d), trace = 0;

  gboolean done = TRUE;
  /* rows with a NaN or an infinity: out of the mean, zero in xc (so out
   * of the components), NaN scores */
  guint8 *bad = g_new0 (guint8, n);
  gsize n_good = 0;

  for (gsize i = 0; i < n && done; i++)
    {
      done = i % 64 != 0 || !g_cancellable_is_cancelled (cancellable);
      bad[i] = known_bad != NULL ? known_bad[i] : lm_embedding_count_nonfinite (mat + i * d, 1, d, NULL) > 0;
      n_good += !bad[i];
      for (gsize j = 0; j < d && !bad[i]; j++)
        mean[j] += mat[i * d + j];
    }
  for (gsize j = 0; j < d && n_good > 0; j++)
    mean[j] /= (double) n_good;
  for (gsize i = 0; i < n && done; i++)
    {
      done = i % 64 != 0 || !g_cancellable_is_cancelled (cancellable);
      for (gsize j = 0; j < d; j++)
        xc[i * d + j] = bad[i] ? 0 : mat[i * d + j] - mean[j];
    }
  done = done && (gram ? gram_matrix (xc, n, d, M, cancellable) : scatter_matrix (xc, n, d, M, cancellable));

  for (gsize i = 0; i < m; i++)
    trace += M[i * m + i];
  done = done && top_eigen (M, m, kk, lambda, vec, cancellable);

  for (gsize c = 0; c < kk && done; c++)
    {
      double *v = comp + c * d, norm = 0, big = 0;

      /* The component as a unit vector in the d-space: v itself, or
       * Xc^T u / sqrt(lambda) from the Gram matrix's u. */
      for (gsize j = 0; j < d; j++)
        {
          if (gram)
            {
              double s = 0;

              for (gsize i = 0; i < n; i++)
                s += xc[i * d + j] * vec[i * kk + c];
              v[j] = s;
            }
          else
            v[j] = vec[j * kk + c];
          norm += v[j] * v[j];
        }
      norm = sqrt (norm);
      if (lambda[c] <= 1e-12 * trace || norm == 0)
        {
          memset (v, 0, d * sizeof *v);
          lambda[c] = 0;
          continue;
        }
      for (gsize j = 0; j < d; j++)
        {
          v[j] /= norm;
          if (fabs (v[j]) > fabs (big))
            big = v[j];
        }
      if (big < 0)
        for (gsize j = 0; j < d; j++)
          v[j] = -v[j];
    }
  for (gsize i = 0; i < n && done; i++)
    {
      if (!(done = !g_cancellable_is_cancelled (cancellable)))
        break;
      for (int c = 0; c < k; c++)
        {
          double s = 0;

          if ((gsize) c < kk)
            for (gsize j = 0; j < d; j++)
              s += xc[i * d + j] * comp[c * d + j];
          coords[i * (gsize) k + (gsize) c] = bad[i] ? NAN : (float) s;
        }
    }
  if (!done)
    *error = g_strdup ("PCA cancelled");
  for (int c = 0; c < k && done; c++)
    {
      if (explained)
        explained[c] = (gsize) c < kk && trace > 0 ? lambda[c] / trace : 0;
      if (components)
        for (gsize j = 0; j < d; j++)
          components[c * d + j] = (float) comp[c * d + j];
    }
  g_free (xc);
  g_free (mean);
  g_free (bad);
  g_free (M);
  g_free (vec);
  g_free (comp);
  g_free (lambda);
  return done;
}

/* ------------------------------------------------- custom projection */

static gboolean
is_ascii (const char *s)
{
  for (; *s; s++)
    if ((guchar) *s >= 0x80)
      return FALSE;
  return TRUE;
}

/* Whether `hay` holds `needle` (lower case) ignoring ASCII case: the
 * casefold's answer for ASCII text, without a copy of every label (a
 * search of 10,000 labels takes about a millisecond). */
static gboolean
ascii_contains_nocase (const char *hay, const char *needle)
{
  gsize m = strlen (needle);

  for (; *hay; hay++)
    {
      gsize k = 0;

      while (k < m && hay[k] != '\0' && g_ascii_tolower (hay[k]) == needle[k])
        k++;
      if (k == m)
        return TRUE;
    }
  return m == 0;
}

gssize
lm_embedding_match (char *const *labels, gsize n, const char *pattern, gboolean regex, guint32 *out_idx,
                    char **error)
{
  g_autoptr (GRegex) re = NULL;
  g_autofree char *needle = NULL;
  gboolean ascii_needle;
  gsize got = 0;

  if (pattern == NULL || *pattern == '\0' || labels == NULL)
    return 0;
  if (regex)
    {
      g_autoptr (GError) e = NULL;

      if ((re = g_regex_new (pattern, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, &e)) == NULL)
        {
          *error = g_strdup_printf ("invalid regex “%s”: %s", pattern, e->message);
          return -1;
        }
    }
  else
    needle = g_utf8_casefold (pattern, -1);
  ascii_needle = needle != NULL && is_ascii (needle);
  for (gsize i = 0; i < n; i++)
    {
      gboolean hit;

      if (re != NULL)
        hit = g_regex_match (re, labels[i], 0, NULL);
      else if (ascii_needle && is_ascii (labels[i]))
        hit = ascii_contains_nocase (labels[i], needle);
      else
        {
          g_autofree char *label = g_utf8_casefold (labels[i], -1);

          hit = strstr (label, needle) != NULL;
        }
      if (hit)
        out_idx[got++] = (guint32) i;
    }
  return (gssize) got;
}

/* The mean of the finite rows idx[0..m) into mean (d doubles); how many. */
static gsize
rows_mean (const float *mat, gsize d, const guint32 *idx, gsize m, double *mean)
{
  gsize used = 0;

  memset (mean, 0, d * sizeof *mean);
  for (gsize k = 0; k < m; k++)
    {
      const float *row = mat + (gsize) idx[k] * d;

      if (lm_embedding_count_nonfinite (row, 1, d, NULL) > 0)
        continue;
      used++;
      for (gsize j = 0; j < d; j++)
        mean[j] += row[j];
    }
  for (gsize j = 0; j < d && used > 0; j++)
    mean[j] /= (double) used;
  return used;
}

gboolean
lm_embedding_custom_axis (const float *mat, gsize n, gsize d, const guint32 *from, gsize n_from,
                          const guint32 *to, gsize n_to, const char *from_name, const char *to_name,
                          double *dir, char **error)
{
  g_autofree double *a = g_new (double, d);
  double norm = 0;

  g_return_val_if_fail (mat != NULL || n == 0, FALSE);
  gboolean from_empty = rows_mean (mat, d, from, n_from, a) == 0;

  if (from_empty || rows_mean (mat, d, to, n_to, dir) == 0)
    {
      *error = g_strdup_printf ("every point %s matches holds NaN or infinite values",
                                from_empty ? from_name : to_name);
      return FALSE;
    }
  for (gsize j = 0; j < d; j++)
    {
      dir[j] -= a[j];
      norm += dir[j] * dir[j];
    }
  norm = sqrt (norm);
  if (!(norm > 0) || !isfinite (norm))
    {
      *error = norm > 0 ? g_strdup_printf ("%s and %s are too far apart for float32", from_name, to_name)
                        : g_strdup_printf ("%s and %s have the same mean vector, so the axis has no direction",
                                           from_name, to_name);
      return FALSE;
    }
  for (gsize j = 0; j < d; j++)
    dir[j] /= norm;
  return TRUE;
}

void
lm_embedding_project_axis (const float *mat, gsize n, gsize d, const double *dir, float *out, gsize stride)
{
  for (gsize i = 0; i < n; i++)
    {
      const float *row = mat + i * d;
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      gsize j = 0;

      /* four sums: one would wait on each add */
      for (; j + 4 <= d; j += 4)
        {
          s0 += row[j] * dir[j];
          s1 += row[j + 1] * dir[j + 1];
          s2 += row[j + 2] * dir[j + 2];
          s3 += row[j + 3] * dir[j + 3];
        }
      for (; j < d; j++)
        s0 += row[j] * dir[j];
      out[i * stride] = (float) (s0 + s1 + s2 + s3);
    }
}

double
lm_embedding_cosine (const double *a, const double *b, gsize d)
{
  double ab = 0, aa = 0, bb = 0;

  for (gsize j = 0; j < d; j++)
    {
      ab += a[j] * b[j];
      aa += a[j] * a[j];
      bb += b[j] * b[j];
    }
  return aa > 0 && bb > 0 ? ab / sqrt (aa * bb) : 0;
}

/* ----------------------------------------------------- nearest points */

/* (distance, index) pairs, a max-heap on distance then index: its root is
 * the farthest of the k kept so far.  A NaN distance (a row with a NaN or
 * an infinity) is farther than any number: without a total order a NaN at
 * the root was never replaced and the nearest rows were left out. */
typedef struct
{
  double dist;
  guint32 idx;
} Neighbour;

static gboolean
farther (const Neighbour *a, const Neighbour *b)
{
  gboolean an = isnan (a->dist), bn = isnan (b->dist);

  if (an != bn)
    return an;
  if (!an && a->dist != b->dist)
    return a->dist > b->dist;
  return a->idx > b->idx;
}

static void
heap_sift_down (Neighbour *h, gsize len, gsize at)
{
  for (;;)
    {
      gsize big = at, l = 2 * at + 1, r = l + 1;

      if (l < len && farther (&h[l], &h[big]))
        big = l;
      if (r < len && farther (&h[r], &h[big]))
        big = r;
      if (big == at)
        return;
      Neighbour t = h[at];
      h[at] = h[big];
      h[big] = t;
      at = big;
    }
}

static void
heap_offer (Neighbour *h, gsize *len, gsize k, double dist, guint32 idx)
{
  Neighbour cand = { dist, idx };

  if (*len < k)
    {
      /* sift up */
      gsize at = (*len)++;

      h[at] = cand;
      while (at > 0 && farther (&h[at], &h[(at - 1) / 2]))
        {
          Neighbour t = h[at];
          h[at] = h[(at - 1) / 2];
          h[(at - 1) / 2] = t;
          at = (at - 1) / 2;
        }
    }
  else if (farther (&h[0], &cand))
    {
      h[0] = cand;
      heap_sift_down (h, *len, 0);
    }
}

static int
neighbour_cmp (gconstpointer a, gconstpointer b)
{
  return farther (a, b) ? 1 : farther (b, a) ? -1 : 0;
}

/* The distance from q (norm qn) to row x, in double. */
static double
row_distance (const float *q, double qn, const float *x, gsize d, LmEmbeddingMetric metric)
{
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  gsize j = 0;

  if (metric == LM_EMBEDDING_EUCLIDEAN)
    {
      for (; j + 4 <= d; j += 4)
        {
          double a = (double) q[j] - x[j], b = (double) q[j + 1] - x[j + 1];
          double c = (double) q[j + 2] - x[j + 2], e = (double) q[j + 3] - x[j + 3];

          s0 += a * a;
          s1 += b * b;
          s2 += c * c;
          s3 += e * e;
        }
      for (; j < d; j++)
        s0 += ((double) q[j] - x[j]) * ((double) q[j] - x[j]);
      return sqrt (s0 + s1 + s2 + s3);
    }
  double n0 = 0, n1 = 0;

  for (; j + 2 <= d; j += 2)
    {
      s0 += (double) q[j] * x[j];
      s1 += (double) q[j + 1] * x[j + 1];
      n0 += (double) x[j] * x[j];
      n1 += (double) x[j + 1] * x[j + 1];
    }
  for (; j < d; j++)
    {
      s0 += (double) q[j] * x[j];
      n0 += (double) x[j] * x[j];
    }
  double xn = sqrt (n0 + n1);

  /* a zero vector normalises to zero: cos 0, distance 1 (never NaN) */
  if (qn == 0 || xn == 0)
    return 1;
  return CLAMP (1 - (s0 + s1) / (qn * xn), 0, 2);
}

gssize
lm_embedding_nearest (const float *mat, gsize n, gsize d, gsize query, gsize k, LmEmbeddingMetric metric,
                      GCancellable *cancellable, guint32 *out_idx, float *out_dist)
{
  g_return_val_if_fail (mat != NULL || n == 0, -1);
  if (query >= n)
    return -1;
  k = MIN (k, n - 1);
  if (k == 0)
    return 0;

  const float *q = mat + query * d;
  double qn = 0;
  Neighbour *heap = g_new (Neighbour, k);
  gsize len = 0;

  for (gsize j = 0; j < d; j++)
    qn += (double) q[j] * q[j];
  qn = sqrt (qn);
  for (gsize i = 0; i < n; i++)
    {
      if (i % 256 == 0 && g_cancellable_is_cancelled (cancellable))
        {
          g_free (heap);
          return -1;
        }
      if (i != query)
        heap_offer (heap, &len, k, row_distance (q, qn, mat + i * d, d, metric), (guint32) i);
    }
  qsort (heap, len, sizeof *heap, neighbour_cmp);
  for (gsize i = 0; i < len; i++)
    {
      out_idx[i] = heap[i].idx;
      out_dist[i] = (float) heap[i].dist;
    }
  g_free (heap);
  return (gssize) len;
}
