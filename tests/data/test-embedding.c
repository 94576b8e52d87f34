/* test-embedding.c: the projector's data side: lm_embedding_pca against
 * numpy (both the covariance and the Gram path, a rank-deficient matrix),
 * and lm_embedding_list/_load on run files written by lumen-log, one from
 * before embeddings (no tables) and one with a damaged row; metadata
 * columns (metadata_header) read back, kept by a subset, a file from
 * before columns read as one "label" column, and damaged values named;
 * lm_embedding_nearest (the inspector's neighbours) on a hand-made set,
 * both metrics, and against a full sort on a bigger one; "Sphereize
 * data" and its effect on the PCA, a row of NaN left out of the PCA, and
 * the Custom projection's searches, axes and coordinates, all by hand.
 */
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "lm-embedding.h"
#include "lumen-log.h"

/* The matrix the numpy reference below was computed on:
 *   mat(n, d) = sin(i*0.7 + j*1.3) + 0.05*i*((j % 3) - 1) + 0.3*cos(i*j*0.11)
 * in float64, stored as float32. */
static float *
test_matrix (gsize n, gsize d)
{
  float *m = g_new (float, n * d);

  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < d; j++)
      m[i * d + j] = (float) (sin (i * 0.7 + j * 1.3) + 0.05 * i * ((double) (j % 3) - 1)
                              + 0.3 * cos (i * j * 0.11));
  return m;
}

/* Scores agree with numpy's up to each component's sign. */
static void
assert_scores (const float *got, const double *want, gsize n, int k, double tol)
{
  for (int c = 0; c < k; c++)
    {
      double sign = got[c] * want[c] < 0 ? -1 : 1;

      for (gsize i = 0; i < n; i++)
        g_assert_cmpfloat_with_epsilon (sign * got[i * k + c], want[i * 3 + c], tol);
    }
}

/* Reference numbers: numpy 1.x, from the script
 *   x = mat(n, d).astype(np.float32).astype(np.float64); xc = x - x.mean(0)
 *   u, s, vt = np.linalg.svd(xc, full_matrices=False)
 *   explained = s**2 / (s**2).sum(); scores = xc @ vt[:3].T
 * run with /usr/bin/python3 (printed to 9 and 7 significant digits). */
static void
test_pca_covariance (void)
{
  /* n 12 > d 5: the 5 x 5 scatter matrix. */
  static const double explained[3] = { 0.503951338, 0.443174922, 0.0523687569 };
  static const double scores[12 * 3] = {
    0.6346211, 0.5014333, 0.7428832, -0.3268062, 0.9027432, 0.5541515,
    -1.258079, 0.6094427, 0.3026448, -1.686161, -0.2194769, 0.07184364,
    -1.371562, -1.165239, -0.07263286, -0.424464, -1.749419, -0.1119707,
    0.7432612, -1.662768, -0.0805805, 1.608378, -0.9145819, -0.04720255,
    1.780166, 0.1681541, -0.07984055, 1.18367, 1.091903, -0.2112783,
    0.09633432, 1.427221, -0.4216382, -0.9793586, 1.010588, -0.6463795,
  };
  g_autofree float *m = test_matrix (12, 5);
  float coords[12 * 3], comp[3 * 5];
  double got[3];
  char *error = NULL;

  g_assert_true (lm_embedding_pca (m, 12, 5, 3, coords, got, comp, &error));
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat_with_epsilon (got[c], explained[c], 1e-6);
  assert_scores (coords, scores, 12, 3, 2e-5);
  /* Components are unit vectors, orthogonal, largest loading positive. */
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++)
      {
        double dot = 0, big = 0;

        for (int j = 0; j < 5; j++)
          {
            dot += comp[a * 5 + j] * comp[b * 5 + j];
            if (fabs (comp[a * 5 + j]) > fabs (big))
              big = comp[a * 5 + j];
          }
        g_assert_cmpfloat_with_epsilon (dot, a == b, 1e-5);
        g_assert_cmpfloat (big, >, 0);
      }
  /* Two components (the 2D view) are the first two of three. */
  float two[12 * 2];
  g_assert_true (lm_embedding_pca (m, 12, 5, 2, two, got, NULL, &error));
  for (int i = 0; i < 12; i++)
    for (int c = 0; c < 2; c++)
      g_assert_cmpfloat_with_epsilon (two[i * 2 + c], coords[i * 3 + c], 1e-5);
}

static void
test_pca_gram (void)
{
  /* n 4 < d 7: the 4 x 4 Gram matrix. */
  static const double explained[3] = { 0.889093524, 0.110868536, 3.79401473e-05 };
  static const double scores[4 * 3] = {
    -1.575951, 0.4599418, -0.004224515, -0.6943295, -0.4263499, 0.01065109,
    0.5927982, -0.4472899, -0.01061895, 1.677483, 0.413698, 0.004192372,
  };
  g_autofree float *m = test_matrix (4, 7);
  float coords[4 * 3];
  double got[3];
  char *error = NULL;

  g_assert_true (lm_embedding_pca (m, 4, 7, 3, coords, got, NULL, &error));
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat_with_epsilon (got[c], explained[c], 1e-6);
  assert_scores (coords, scores, 4, 3, 2e-5);
}

/* Matrices bigger than the iteration's block of 9 vectors: 40 x 12 (a
 * 12 x 12 scatter matrix) and 11 x 30 (an 11 x 11 Gram matrix) converge by
 * subspace iteration rather than in one exact step. Same numpy script;
 * scores of rows 0, 1 and n - 1. */
static void
test_pca_iterative (void)
{
  static const struct {
    gsize n, d;
    double explained[3], rows[3][3];
  } cases[] = {
    { 40, 12, { 0.410202599, 0.344351556, 0.213629605 },
      { { -0.9205913, 2.103399, 2.402529 }, { -2.281908, 2.174476, 1.532383 },
        { -0.3947493, -0.4425142, -2.513073 } } },
    { 11, 30, { 0.490738215, 0.418565301, 0.0339181406 },
      { { -2.783199, 1.237255, -1.644121 }, { -2.972072, -1.339663, -0.7648957 },
        { -3.016346, -1.104236, 1.431259 } } },
  };

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      gsize n = cases[t].n, d = cases[t].d;
      g_autofree float *m = test_matrix (n, d);
      g_autofree float *coords = g_new (float, n * 3);
      double got[3];
      char *error = NULL;
      const gsize rows[3] = { 0, 1, n - 1 };

      g_assert_true (lm_embedding_pca (m, n, d, 3, coords, got, NULL, &error));
      for (int c = 0; c < 3; c++)
        {
          double sign = coords[c] * cases[t].rows[0][c] < 0 ? -1 : 1;

          g_assert_cmpfloat_with_epsilon (got[c], cases[t].explained[c], 1e-6);
          for (int r = 0; r < 3; r++)
            g_assert_cmpfloat_with_epsilon (sign * coords[rows[r] * 3 + c], cases[t].rows[r][c], 5e-5);
        }
    }
}

static void
test_pca_degenerate (void)
{
  /* Two points: one component holds all the variance; the others are 0. */
  const float two[2 * 3] = { 1, 2, 3, 3, 2, 1 };
  float coords[2 * 3];
  double got[3];
  char *error = NULL;

  g_assert_true (lm_embedding_pca (two, 2, 3, 3, coords, got, NULL, &error));
  g_assert_cmpfloat_with_epsilon (got[0], 1.0, 1e-9);
  g_assert_cmpfloat (got[1], ==, 0);
  g_assert_cmpfloat (got[2], ==, 0);
  g_assert_cmpfloat_with_epsilon (fabs (coords[0]), sqrt (2.0), 1e-6); /* half of |(2,0,-2)| */
  g_assert_cmpfloat_with_epsilon (coords[0], -coords[3], 1e-6);
  g_assert_cmpfloat (coords[1], ==, 0);
  /* One point: no variance at all, every score 0. */
  g_assert_true (lm_embedding_pca (two, 1, 3, 3, coords, got, NULL, &error));
  g_assert_cmpfloat (got[0], ==, 0);
  g_assert_cmpfloat (coords[0], ==, 0);
  g_assert_false (lm_embedding_pca (two, 2, 3, LM_EMBEDDING_PCA_MAX_K + 1, coords, got, NULL, &error));
  g_assert_nonnull (strstr (error, "1 to 50 components"));
  g_free (error);
}

/* TensorBoard's sphereize on four 2-d points whose mean is (2, 2), the
 * last one the mean itself (it stays zero), and the PCA that follows,
 * worked by hand: sphereized, the points are (-a, -a), (a, -a), (0, 1),
 * (0, 0) with a = 1/sqrt 2; their mean (0, (1 - 2a)/4); the components
 * are the axes, y first, with sums of squares 1.9571068 and 2a^2 = 1.
 * Unsphereized, the PCA is y (-1, -1, 2, 0) then x, 75% + 25%. */
static void
test_sphereize (void)
{
  const float raw[4 * 2] = { 1, 1, 3, 1, 2, 4, 2, 2 };
  const double a = sqrt (0.5), my = (1 - 2 * a) / 4;
  const double sphered[4 * 2] = { -a, -a, a, -a, 0, 1, 0, 0 };
  const double pc1[4] = { -a - my, -a - my, 1 - my, -my }, pc2[4] = { -a, a, 0, 0 };
  float mat[4 * 2], coords[4 * 2];
  double explained[2];
  char *error = NULL;

  memcpy (mat, raw, sizeof raw);
  lm_embedding_sphereize (mat, 4, 2);
  for (int i = 0; i < 8; i++)
    g_assert_cmpfloat_with_epsilon (mat[i], sphered[i], 1e-6);
  g_assert_true (lm_embedding_pca (mat, 4, 2, 2, coords, explained, NULL, &error));
  g_assert_cmpfloat_with_epsilon (explained[0], 1.9571067811865472 / 2.9571067811865472, 1e-6);
  g_assert_cmpfloat_with_epsilon (explained[1], 1 / 2.9571067811865472, 1e-6);
  for (int i = 0; i < 4; i++)
    {
      g_assert_cmpfloat_with_epsilon (coords[i * 2], pc1[i], 1e-6);
      g_assert_cmpfloat_with_epsilon (fabs (coords[i * 2 + 1]), fabs (pc2[i]), 1e-6);
    }
  /* the raw points' PCA differs */
  g_assert_true (lm_embedding_pca (raw, 4, 2, 2, coords, explained, NULL, &error));
  g_assert_cmpfloat_with_epsilon (explained[0], 0.75, 1e-9);
  g_assert_cmpfloat_with_epsilon (fabs (coords[0]), 1, 1e-6);
  g_assert_cmpfloat_with_epsilon (fabs (coords[4]), 2, 1e-6);
  /* a row of NaN is left as it is, out of the mean */
  float bad[3 * 2] = { 1, 1, NAN, 5, 3, 1 };
  gsize first = 99;

  g_assert_cmpuint (lm_embedding_count_nonfinite (bad, 3, 2, &first), ==, 1);
  g_assert_cmpuint (first, ==, 1);
  lm_embedding_sphereize (bad, 3, 2);
  g_assert_cmpfloat (bad[0], ==, -1);
  g_assert_cmpfloat (bad[1], ==, 0);
  g_assert_true (isnan (bad[2]));
  g_assert_cmpfloat (bad[3], ==, 5);
  g_assert_cmpfloat (bad[4], ==, 1);
}

/* The PCA of the sphereized vectors, as the projector's "Sphereize data"
 * runs it: the same scores and variance as sphereizing a copy and taking
 * its PCA, the given matrix untouched, a NaN row NaN; each row's
 * finiteness looked at once (the PCA looked at every row again after the
 * sphereizing had). */
static void
test_pca_sphereized (void)
{
  const float raw[5 * 3] = { 1, 2, 0, 3, 1, 1, NAN, 0, 2, 2, 4, 5, 0, 0, 1 };
  float mat[5 * 3], copy[5 * 3], want[5 * 3], got[5 * 3];
  double ew[3], eg[3];
  char *error = NULL;
  guint before;

  memcpy (mat, raw, sizeof raw);
  memcpy (copy, raw, sizeof raw);
  lm_embedding_sphereize (copy, 5, 3);
  g_assert_true (lm_embedding_pca (copy, 5, 3, 3, want, ew, NULL, &error));
  before = lm_embedding_rows_scanned ();
  g_assert_true (lm_embedding_pca_sphereized (mat, 5, 3, 3, got, eg, &error));
  g_assert_cmpuint (lm_embedding_rows_scanned () - before, ==, 5);
  g_assert_null (error);
  g_assert_cmpmem (mat, sizeof mat, raw, sizeof raw);
  for (int i = 0; i < 15; i++)
    if (i / 3 == 2)
      g_assert_true (isnan (got[i]) && isnan (want[i]));
    else
      g_assert_cmpfloat (got[i], ==, want[i]);
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat (eg[c], ==, ew[c]);
}

/* A row holding a NaN (or an infinity) is left out of the PCA, which the
 * other rows get as if it were not there; its scores are NaN. */
static void
test_pca_nonfinite (void)
{
  g_autofree float *m = test_matrix (12, 5), *with = g_new (float, 13 * 5);
  float want[12 * 3], got[13 * 3];
  double ew[3], eg[3];
  char *error = NULL;

  memcpy (with, m, 4 * 5 * sizeof (float));
  for (int j = 0; j < 5; j++)
    with[4 * 5 + j] = j == 2 ? NAN : 1;
  memcpy (with + 5 * 5, m + 4 * 5, 8 * 5 * sizeof (float));
  g_assert_true (lm_embedding_pca (m, 12, 5, 3, want, ew, NULL, &error));
  g_assert_true (lm_embedding_pca (with, 13, 5, 3, got, eg, NULL, &error));
  for (int c = 0; c < 3; c++)
    {
      g_assert_cmpfloat_with_epsilon (eg[c], ew[c], 1e-9);
      g_assert_true (isnan (got[4 * 3 + c]));
    }
  for (int i = 0; i < 12; i++)
    for (int c = 0; c < 3; c++)
      g_assert_cmpfloat_with_epsilon (got[(i < 4 ? i : i + 1) * 3 + c], want[i * 3 + c], 1e-5);
  /* the Gram path too (n < d), and an infinity: rows 2..5 of `with`
   * against rows 2..4 of m */
  with[4 * 5 + 2] = INFINITY;
  g_assert_true (lm_embedding_pca (m + 2 * 5, 3, 5, 3, want, ew, NULL, &error));
  g_assert_true (lm_embedding_pca (with + 2 * 5, 4, 5, 3, got, eg, NULL, &error));
  for (int c = 0; c < 2; c++)
    {
      g_assert_cmpfloat_with_epsilon (eg[c], ew[c], 1e-9);
      g_assert_true (isnan (got[2 * 3 + c]));
      for (int i = 0; i < 3; i++)
        g_assert_cmpfloat_with_epsilon (fabs (got[(i < 2 ? i : i + 1) * 3 + c]), fabs (want[i * 3 + c]), 1e-5);
    }
}

/* The Custom projection on five labelled 3-d points, by hand:
 * X from "cat" (mean (2,0,0)) to "dog" (mean (0,3,1)), (-2,3,1)/sqrt 14;
 * Y from "cat" to "bird", (-1,1,1)/sqrt 3; their cosine 6/sqrt 42. */
static void
test_custom (void)
{
  const float mat[6 * 3] = { 1, 0, 0, 3, 0, 0, 0, 2, 0, 0, 4, 2, 1, 1, 1, NAN, 0, 0 };
  char *labels[7] = { "cat", "cat", "dog", "dog", "bird", "Cat", NULL };
  const double want_x[5] = { -0.5345224838248488, -1.6035674514745464, 1.6035674514745464, 3.7416573867739418,
                             0.5345224838248488 };
  const double want_y[5] = { -0.5773502691896258, -1.7320508075688776, 1.1547005383792517, 3.4641016151377553,
                             0.5773502691896258 };
  guint32 left[6], right[6], down[6], up[6];
  double x[3], y[3];
  float coords[6 * 3];
  char *error = NULL;

  /* TensorBoard's search: a case-insensitive substring, or a regex */
  g_assert_cmpint (lm_embedding_match (labels, 6, "CA", FALSE, left, &error), ==, 3);
  g_assert_cmpuint (left[2], ==, 5);
  g_assert_cmpint (lm_embedding_match (labels, 6, "^(dog|bird)$", TRUE, up, &error), ==, 3);
  g_assert_cmpint (lm_embedding_match (labels, 6, "^(dog|bird)$", FALSE, up, &error), ==, 0);
  g_assert_cmpint (lm_embedding_match (labels, 6, "", FALSE, up, &error), ==, 0);
  g_assert_cmpint (lm_embedding_match (NULL, 6, "cat", FALSE, up, &error), ==, 0);
  g_assert_cmpint (lm_embedding_match (labels, 6, "ca[", TRUE, up, &error), ==, -1);
  g_assert_nonnull (strstr (error, "invalid regex “ca[”"));
  g_clear_pointer (&error, g_free);
  /* beyond ASCII, Unicode's case folding: ß folds to ss, Ä to ä */
  char *words[4] = { "Straße", "ÄRMEL", "strasse", NULL };

  g_assert_cmpint (lm_embedding_match (words, 3, "STRASSE", FALSE, up, &error), ==, 2);
  g_assert_cmpint (lm_embedding_match (words, 3, "ärm", FALSE, up, &error), ==, 1);
  g_assert_cmpuint (up[0], ==, 1);
  g_assert_cmpint (lm_embedding_match (words, 3, "sse", FALSE, up, &error), ==, 2);

  gssize nl = lm_embedding_match (labels, 6, "cat", FALSE, left, &error);
  gssize nr = lm_embedding_match (labels, 6, "dog", FALSE, right, &error);
  gssize nu = lm_embedding_match (labels, 6, "bird", FALSE, up, &error);
  gssize nd = lm_embedding_match (labels, 6, "cat", FALSE, down, &error);

  /* the NaN "Cat" is left out of the mean */
  g_assert_true (lm_embedding_custom_axis (mat, 6, 3, left, (gsize) nl, right, (gsize) nr, "Left", "Right", x,
                                           &error));
  g_assert_true (lm_embedding_custom_axis (mat, 6, 3, down, (gsize) nd, up, (gsize) nu, "Down", "Up", y, &error));
  g_assert_cmpfloat_with_epsilon (x[0], -2 / sqrt (14), 1e-12);
  g_assert_cmpfloat_with_epsilon (y[2], 1 / sqrt (3), 1e-12);
  g_assert_cmpfloat_with_epsilon (lm_embedding_cosine (x, y, 3), 6 / sqrt (42), 1e-12);
  lm_embedding_project_axis (mat, 6, 3, x, coords, 3);
  lm_embedding_project_axis (mat, 6, 3, y, coords + 1, 3);
  for (int i = 0; i < 5; i++)
    {
      g_assert_cmpfloat_with_epsilon (coords[i * 3], want_x[i], 1e-6);
      g_assert_cmpfloat_with_epsilon (coords[i * 3 + 1], want_y[i], 1e-6);
    }
  g_assert_true (isnan (coords[5 * 3]));
  /* the same points at both ends: no direction */
  g_assert_false (lm_embedding_custom_axis (mat, 6, 3, left, (gsize) nl, left, (gsize) nl, "Left", "Right", x,
                                            &error));
  g_assert_cmpstr (error, ==, "Left and Right have the same mean vector, so the axis has no direction");
  g_clear_pointer (&error, g_free);
  /* an end whose only point is NaN */
  guint32 nan_row = 5;

  g_assert_false (lm_embedding_custom_axis (mat, 6, 3, left, (gsize) nl, &nan_row, 1, "Left", "Right", x, &error));
  g_assert_cmpstr (error, ==, "every point Right matches holds NaN or infinite values");
  g_clear_pointer (&error, g_free);
}

/* A writer on run "r" of dir. */
static lm_writer *
open_run (const char *dir)
{
  lm_writer_options o;
  lm_writer *w = NULL;

  lm_writer_options_init (&o);
  o.logdir = dir;
  o.run_name = "r";
  o.quiet = TRUE;
  g_assert_cmpint (lm_writer_open_with (&w, &o), ==, LM_OK);
  return w;
}

static char *
write_run (const char *dir, gboolean with_embedding)
{
  lm_writer *w = open_run (dir);

  g_assert_cmpint (lm_writer_add_scalar (w, "loss", 0, 1), ==, LM_OK);
  if (with_embedding)
    {
      const float mat[3 * 2] = { 1, 2, 3, 4, 5, 6.5f };
      const char *labels[3] = { "cat", "dog", "cat" };
      float img[3 * 2 * 2];

      for (int i = 0; i < 12; i++)
        img[i] = i < 4 ? 1.0f : 0.0f; /* thumbnail 0 white, the others black */
      g_assert_cmpint (lm_writer_add_embedding (w, "features", 5, mat, 3, 2, labels, img, 1, 2, 2), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_embedding (w, NULL, 9, mat, 2, 3, NULL, NULL, 0, 0, 0), ==, LM_OK);
    }
  char *path = g_strdup (lm_writer_file_path (w));
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  return path;
}

static void
exec_rw (const char *path, const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_read (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lm-emb-XXXXXX", NULL);
  g_autofree char *path = write_run (dir, TRUE);
  char *error = NULL;
  GPtrArray *list = lm_embedding_list (path, &error);

  g_assert_null (error);
  g_assert_cmpuint (list->len, ==, 2);
  /* (tag, step) order: "default" before "features". */
  LmEmbeddingInfo *a = g_ptr_array_index (list, 0), *b = g_ptr_array_index (list, 1);
  g_assert_cmpstr (a->tag, ==, "default");
  g_assert_cmpint (a->step, ==, 9);
  g_assert_cmpint (a->n, ==, 2);
  g_assert_cmpint (a->d, ==, 3);
  g_assert_false (a->has_labels);
  g_assert_false (a->has_sprite);
  g_assert_cmpstr (b->tag, ==, "features");
  g_assert_true (b->has_labels);
  g_assert_true (b->has_sprite);

  LmEmbedding *e = lm_embedding_load (path, b->id, &error);
  g_assert_null (error);
  g_assert_cmpuint (e->n, ==, 3);
  g_assert_cmpuint (e->d, ==, 2);
  g_assert_cmpfloat (e->mat[5], ==, 6.5f);
  g_assert_cmpstr (e->labels[0], ==, "cat");
  g_assert_cmpstr (e->labels[1], ==, "dog");
  g_assert_cmpint (e->thumb_width, ==, 2);
  g_assert_cmpint (e->sprite_cols, ==, 2);
  g_assert_cmpint (e->sprite->width, ==, 4);
  g_assert_cmpint (e->sprite->height, ==, 4);
  const guint8 *px = g_bytes_get_data (e->sprite->rgba, NULL);
  g_assert_cmpint (px[0], ==, 255);                            /* thumbnail 0 */
  g_assert_cmpint (px[2 * 4], ==, 0);                          /* thumbnail 1 */
  g_assert_cmpint (px[3], ==, 255);                            /* opaque */

  /* Rows 2 and 1 alone (t-SNE's sample): values, labels, thumbnails. */
  {
    const guint32 idx[2] = { 2, 1 };
    LmEmbedding *sub = lm_embedding_subset (e, idx, 2);
    const guint8 *spx = g_bytes_get_data (sub->sprite->rgba, NULL);

    g_assert_cmpuint (sub->n, ==, 2);
    g_assert_cmpuint (sub->d, ==, 2);
    g_assert_cmpfloat (sub->mat[1], ==, 6.5f);
    g_assert_cmpfloat (sub->mat[2], ==, e->mat[2]);
    g_assert_cmpstr (sub->labels[0], ==, e->labels[2]);
    g_assert_cmpstr (sub->labels[1], ==, "dog");
    g_assert_null (sub->labels[2]);
    g_assert_cmpint (sub->sprite_cols, ==, 2);
    g_assert_cmpint (sub->sprite->width, ==, 4);
    g_assert_cmpint (sub->sprite->height, ==, 2);
    /* thumbnail 1 now second in the first row; thumbnail 2 (row 2 of the
     * old sprite) first */
    g_assert_cmpmem (spx + 2 * 4, 8, px + 2 * 4, 8);
    g_assert_cmpmem (spx, 8, px + 2 * e->sprite->stride, 8);
    g_assert_cmpmem (spx + sub->sprite->stride, 8, px + 3 * e->sprite->stride, 8);
    lm_embedding_free (sub);
  }
  lm_embedding_free (e);

  e = lm_embedding_load (path, a->id, &error);
  g_assert_null (error);
  g_assert_null (e->labels);
  g_assert_null (e->sprite);
  lm_embedding_free (e);
  g_assert_null (lm_embedding_load (path, 999, &error));
  g_assert_nonnull (strstr (error, "has no embedding 999"));
  g_clear_pointer (&error, g_free);

  /* A damaged row: a tensor blob cut short is named, not shown short. */
  exec_rw (path, "UPDATE embeddings SET tensor = substr(tensor, 1, 10) WHERE tag = 'default'");
  g_assert_null (lm_embedding_load (path, a->id, &error));
  g_assert_nonnull (strstr (error, "its tensor holds 10 bytes, not 2 x 3 float32"));
  g_clear_pointer (&error, g_free);
  g_ptr_array_unref (list);
  g_unlink (path);
}

static void
test_old_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lm-emb-XXXXXX", NULL);
  g_autofree char *path = write_run (dir, FALSE);
  char *error = NULL;

  /* A file from before embeddings: no tables, no embeddings, no error. */
  exec_rw (path, "DROP TABLE embedding_metadata; DROP TABLE embeddings; DROP TABLE embedding_columns; "
                 "DROP TABLE embedding_values");
  GPtrArray *list = lm_embedding_list (path, &error);
  g_assert_null (error);
  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, ==, 0);
  g_ptr_array_unref (list);
  g_assert_null (lm_embedding_load (path, 1, &error));
  g_assert_nonnull (strstr (error, "has no embeddings"));
  g_free (error);
  error = NULL;
  /* Not a run file at all: an error, not an empty list. */
  g_assert_null (lm_embedding_list ("/nonexistent/run.lumen", &error));
  g_assert_nonnull (error);
  g_free (error);
  g_unlink (path);
}

static void
test_columns (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lm-emb-XXXXXX", NULL);
  const float mat[3 * 2] = { 1, 2, 3, 4, 5, 6 };
  const char *header[3] = { "label", "split", "index" };
  const char *meta[3 * 3] = { "cat", "train", "0", "dog", "test", "1", "cat", "test", "2" };
  const char *labels[3] = { "a", "b", "c" };
  lm_writer *w = open_run (dir);
  char *error = NULL;

  g_assert_cmpint (lm_writer_add_embedding_columns (w, "f", 1, mat, 3, 2, header, 3, meta, NULL, 0, 0, 0), ==,
                   LM_OK);
  g_assert_cmpint (lm_writer_add_embedding (w, "g", 1, mat, 3, 2, labels, NULL, 0, 0, 0), ==, LM_OK);
  g_autofree char *path = g_strdup (lm_writer_file_path (w));
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);

  LmEmbedding *e = lm_embedding_load (path, 1, &error);
  g_assert_null (error);
  g_assert_cmpuint (e->n_columns, ==, 3);
  g_assert_cmpstr (e->column_names[1], ==, "split");
  g_assert_cmpstr (e->column_names[2], ==, "index");
  g_assert_null (e->column_names[3]);
  g_assert_true (e->columns[0] == e->labels);
  g_assert_cmpstr (e->labels[1], ==, "dog");
  g_assert_cmpstr (e->columns[1][0], ==, "train");
  g_assert_cmpstr (e->columns[2][2], ==, "2");
  /* a subset keeps every column of its points */
  const guint32 idx[2] = { 2, 0 };
  LmEmbedding *sub = lm_embedding_subset (e, idx, 2);
  g_assert_cmpuint (sub->n_columns, ==, 3);
  g_assert_cmpstr (sub->column_names[2], ==, "index");
  g_assert_cmpstr (sub->columns[1][0], ==, "test");
  g_assert_cmpstr (sub->columns[2][1], ==, "0");
  g_assert_true (sub->columns[0] == sub->labels);
  lm_embedding_free (sub);
  lm_embedding_free (e);
  /* one label a point: one column, TensorBoard's "label" */
  e = lm_embedding_load (path, 2, &error);
  g_assert_null (error);
  g_assert_cmpuint (e->n_columns, ==, 1);
  g_assert_cmpstr (e->column_names[0], ==, "label");
  g_assert_cmpstr (e->columns[0][2], ==, "c");
  lm_embedding_free (e);
  /* a value row gone is named, not shown empty */
  exec_rw (path, "DELETE FROM embedding_values WHERE i = 1 AND col = 2");
  g_assert_null (lm_embedding_load (path, 1, &error));
  g_assert_nonnull (strstr (error, "embedding 'f' at step 1: 3 values for 3 points x 2 columns"));
  g_clear_pointer (&error, g_free);
  /* a file from before columns: its labels, as one column */
  exec_rw (path, "DROP TABLE embedding_columns; DROP TABLE embedding_values");
  e = lm_embedding_load (path, 1, &error);
  g_assert_null (error);
  g_assert_cmpuint (e->n_columns, ==, 1);
  g_assert_cmpstr (e->column_names[0], ==, "label");
  g_assert_cmpstr (e->labels[1], ==, "dog");
  lm_embedding_free (e);
  g_unlink (path);
}

/* Seven points in 2D where the metrics disagree; the distances are
 * PyTorch's (1.13, float64):
 *   x = torch.tensor(POINTS); n = torch.nn.functional.normalize(x, dim=1)
 *   cosine: 1 - n[q] @ n[i]; euclidean: (x[q] - x[i]).norm()
 * normalize leaves the zero vector (row 4) zero, so it is at cosine
 * distance 1 from everything, as in TensorBoard. */
static const float nn_points[7 * 2] = {
  1, 0,   2, 0,   0, 1,   1, 1,   0, 0,   -3, 0,   10, 0.5f,
};

static void
assert_nearest (gsize query, gsize k, LmEmbeddingMetric metric, const guint32 *want_idx,
                const double *want_dist, gsize want_n)
{
  guint32 idx[8];
  float dist[8];
  gssize got = lm_embedding_nearest (nn_points, 7, 2, query, k, metric, NULL, idx, dist);

  g_assert_cmpint (got, ==, (gssize) want_n);
  for (gsize i = 0; i < want_n; i++)
    {
      g_assert_cmpuint (idx[i], ==, want_idx[i]);
      g_assert_cmpfloat_with_epsilon (dist[i], want_dist[i], 1e-6);
    }
}

static void
test_nearest (void)
{
  /* cosine from (1, 0): (2, 0) is the same direction, (10, 0.5) almost;
   * (0, 1) and the zero vector tie at 1 and go by index */
  assert_nearest (0, 6, LM_EMBEDDING_COSINE, (const guint32[]) { 1, 6, 3, 2, 4, 5 },
                  (const double[]) { 0, 0.001248, 0.292893, 1, 1, 2 }, 6);
  /* euclidean: (2, 0), (1, 1) and (0, 0) all at 1, by index; (10, 0.5),
   * cosine's second, is last */
  assert_nearest (0, 6, LM_EMBEDDING_EUCLIDEAN, (const guint32[]) { 1, 3, 4, 2, 5, 6 },
                  (const double[]) { 1, 1, 1, 1.414214, 4, 9.013878 }, 6);
  /* k below n - 1 keeps the nearest; k above gives the n - 1 others */
  assert_nearest (0, 2, LM_EMBEDDING_COSINE, (const guint32[]) { 1, 6 }, (const double[]) { 0, 0.001248 }, 2);
  assert_nearest (0, 100, LM_EMBEDDING_EUCLIDEAN, (const guint32[]) { 1, 3, 4, 2, 5, 6 },
                  (const double[]) { 1, 1, 1, 1.414214, 4, 9.013878 }, 6);
  /* the zero vector as the query: every cosine distance is 1 (no NaN),
   * so they come in index order, itself left out */
  assert_nearest (4, 6, LM_EMBEDDING_COSINE, (const guint32[]) { 0, 1, 2, 3, 5, 6 },
                  (const double[]) { 1, 1, 1, 1, 1, 1 }, 6);
  assert_nearest (4, 6, LM_EMBEDDING_EUCLIDEAN, (const guint32[]) { 0, 2, 3, 1, 5, 6 },
                  (const double[]) { 1, 1, 1.414214, 2, 3, 10.012492 }, 6);
  /* one point has no neighbours; a query outside the matrix is refused */
  guint32 idx[1];
  float dist[1];
  g_assert_cmpint (lm_embedding_nearest (nn_points, 1, 2, 0, 5, LM_EMBEDDING_COSINE, NULL, idx, dist), ==, 0);
  g_assert_cmpint (lm_embedding_nearest (nn_points, 7, 2, 7, 1, LM_EMBEDDING_COSINE, NULL, idx, dist), ==, -1);
}

/* A row with a NaN (a diverged model's feature) is the farthest of all,
 * its distance NaN; the others keep their order.  Row 0 being NaN used to
 * sit at the heap's root for good, so with k below n - 1 the nearest
 * rows after it were left out: from row 2, k 2 gave rows 0 and 1 (the
 * NaN and the farthest) instead of the two nearest.  Distances as
 * PyTorch's in test_nearest: cosine 1 - 3 / sqrt (10) = 0.051317. */
static void
test_nearest_nan (void)
{
  static const float pts[5 * 2] = { NAN, 0, 5, 5, 1, 1, 0, 0, 2, 1 };
  static const guint32 want[2][3] = { { 1, 4, 3 }, { 4, 3, 1 } };
  static const double want_dist[2][3] = { { 0, 0.051317, 1 }, { 1, G_SQRT2, 5.656854 } };
  guint32 idx[4];
  float dist[4];

  for (int metric = LM_EMBEDDING_COSINE; metric <= LM_EMBEDDING_EUCLIDEAN; metric++)
    {
      g_assert_cmpint (lm_embedding_nearest (pts, 5, 2, 2, 2, metric, NULL, idx, dist), ==, 2);
      for (int i = 0; i < 2; i++)
        {
          g_assert_cmpuint (idx[i], ==, want[metric][i]);
          g_assert_cmpfloat_with_epsilon (dist[i], want_dist[metric][i], 1e-6);
        }
      g_assert_cmpint (lm_embedding_nearest (pts, 5, 2, 2, 4, metric, NULL, idx, dist), ==, 4);
      for (int i = 0; i < 3; i++)
        g_assert_cmpuint (idx[i], ==, want[metric][i]);
      g_assert_cmpuint (idx[3], ==, 0);
      g_assert_true (isnan (dist[3]));
    }
}

typedef struct
{
  double dist;
  guint32 idx;
} Ranked;

static int
ranked_cmp (gconstpointer a, gconstpointer b)
{
  const Ranked *x = a, *y = b;

  return x->dist < y->dist ? -1 : x->dist > y->dist ? 1 : (int) x->idx - (int) y->idx;
}

/* On 3,000 x 37 small integers (so distances tie; the reference computes
 * them as lm-embedding.c does, so ties are exact in both), the 50 nearest are the head
 * of every other point sorted by (distance, index); cancelled, -1. */
static void
test_nearest_sorted (void)
{
  const gsize n = 3000, d = 37, k = 50, query = 1234;
  g_autoptr (GRand) r = g_rand_new_with_seed (11);
  g_autofree float *mat = g_new (float, n * d);
  g_autofree Ranked *all = g_new (Ranked, n - 1);
  guint32 idx[50];
  float dist[50];

  for (gsize i = 0; i < n * d; i++)
    mat[i] = (float) g_rand_int_range (r, -2, 3);
  for (int metric = LM_EMBEDDING_COSINE; metric <= LM_EMBEDDING_EUCLIDEAN; metric++)
    {
      const float *q = mat + query * d;
      gsize m = 0;

      for (gsize i = 0; i < n; i++)
        {
          double dot = 0, qq = 0, xx = 0, dd = 0;

          if (i == query)
            continue;
          for (gsize j = 0; j < d; j++)
            {
              dot += q[j] * mat[i * d + j];
              qq += q[j] * q[j];
              xx += mat[i * d + j] * mat[i * d + j];
              dd += (q[j] - mat[i * d + j]) * (q[j] - mat[i * d + j]);
            }
          all[m].dist = metric == LM_EMBEDDING_EUCLIDEAN ? sqrt (dd)
                        : qq == 0 || xx == 0             ? 1
                                                         : 1 - dot / (sqrt (qq) * sqrt (xx));
          all[m++].idx = (guint32) i;
        }
      qsort (all, m, sizeof *all, ranked_cmp);
      g_assert_cmpint (lm_embedding_nearest (mat, n, d, query, k, metric, NULL, idx, dist), ==, (gssize) k);
      for (gsize i = 0; i < k; i++)
        {
          g_assert_cmpfloat_with_epsilon (dist[i], all[i].dist, 1e-6);
          g_assert_cmpuint (idx[i], ==, all[i].idx);
        }
    }
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_cancellable_cancel (cancel);
  g_assert_cmpint (lm_embedding_nearest (mat, n, d, query, k, LM_EMBEDDING_COSINE, cancel, idx, dist), ==, -1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/embedding/pca-covariance", test_pca_covariance);
  g_test_add_func ("/data/embedding/pca-gram", test_pca_gram);
  g_test_add_func ("/data/embedding/pca-iterative", test_pca_iterative);
  g_test_add_func ("/data/embedding/pca-degenerate", test_pca_degenerate);
  g_test_add_func ("/data/embedding/pca-nonfinite", test_pca_nonfinite);
  g_test_add_func ("/data/embedding/sphereize", test_sphereize);
  g_test_add_func ("/data/embedding/pca-sphereized", test_pca_sphereized);
  g_test_add_func ("/data/embedding/custom", test_custom);
  g_test_add_func ("/data/embedding/read", test_read);
  g_test_add_func ("/data/embedding/old-file", test_old_file);
  g_test_add_func ("/data/embedding/columns", test_columns);
  g_test_add_func ("/data/embedding/nearest", test_nearest);
  g_test_add_func ("/data/embedding/nearest-nan", test_nearest_nan);
  g_test_add_func ("/data/embedding/nearest-sorted", test_nearest_sorted);
  return g_test_run ();
}
