/* test-umap.c: UMAP (data/lm-umap.h): a and b against umap-learn's,
 * clusters kept apart, the same seed giving the same layout, the epoch
 * count and steps, the errors for input it refuses, and a cancelled
 * set-up stopping at once. */
#include <math.h>
#include <string.h>

#include "lm-layout-setup.h"
#include "lm-test-run.h"
#include "lm-umap.h"

/* umap-learn's find_ab_params, i.e. scipy.optimize.curve_fit of
 * 1 / (1 + a x^2b) on linspace(0, 3 spread, 300), run with
 * /usr/bin/python3 (scipy) to give these:
 *   min_dist 0.1, spread 1: a 1.57694346, b 0.89506088
 *   min_dist 0.5, spread 1: a 0.58303002, b 1.33416699 */
static void
test_ab (void)
{
  double a = 0, b = 0;

  g_assert_true (lm_umap_find_ab (1, 0.1, &a, &b));
  g_test_message ("min_dist 0.1: a %.8f b %.8f", a, b);
  g_assert_cmpfloat_with_epsilon (a, 1.57694346, 1e-4);
  g_assert_cmpfloat_with_epsilon (b, 0.89506088, 1e-4);
  g_assert_true (lm_umap_find_ab (1, 0.5, &a, &b));
  g_assert_cmpfloat_with_epsilon (a, 0.58303002, 1e-4);
  g_assert_cmpfloat_with_epsilon (b, 1.33416699, 1e-4);
  g_assert_false (lm_umap_find_ab (0, 0.1, &a, &b));
  g_assert_false (lm_umap_find_ab (1, 1, &a, &b));
  g_assert_false (lm_umap_find_ab (1, -0.1, &a, &b));
}

/* The layout's centroids of `k` labelled clusters, each further from the
 * others than twice its points' mean distance from it. */
static void
check_apart (const float *y, gsize n, const int *labels, int k)
{
  double cen[8][3] = { { 0 } }, spread[8] = { 0 };
  gsize count[8] = { 0 };

  g_assert_cmpint (k, <=, 8);
  for (gsize i = 0; i < n; i++)
    {
      count[labels[i]]++;
      for (int c = 0; c < 3; c++)
        cen[labels[i]][c] += y[i * 3 + c];
    }
  for (int a = 0; a < k; a++)
    for (int c = 0; c < 3; c++)
      cen[a][c] /= (double) count[a];
  for (gsize i = 0; i < n; i++)
    {
      double s = 0;

      for (int c = 0; c < 3; c++)
        s += (y[i * 3 + c] - cen[labels[i]][c]) * (y[i * 3 + c] - cen[labels[i]][c]);
      spread[labels[i]] += sqrt (s) / (double) count[labels[i]];
    }
  for (int a = 0; a < k; a++)
    for (int b = a + 1; b < k; b++)
      {
        double s = 0;

        for (int c = 0; c < 3; c++)
          s += (cen[a][c] - cen[b][c]) * (cen[a][c] - cen[b][c]);
        g_test_message ("clusters %d and %d: %.2f apart, spreads %.2f %.2f", a, b, sqrt (s), spread[a], spread[b]);
        g_assert_cmpfloat (sqrt (s), >, 2 * MAX (spread[a], spread[b]));
      }
}

static void
check_clusters (gsize d, int dim, int k)
{
  const gsize n = 300;
  int labels[300];
  g_autofree float *x = lm_test_clusters (n, d, k, 10, 6, labels);
  char *error = NULL;
  g_autoptr (LmUmap) u = lm_umap_new (x, n, d, dim, LM_UMAP_DEFAULT_NEIGHBORS, 0, 9, &error);
  float y[300 * 3];

  g_assert_null (error);
  g_assert_nonnull (u);
  g_assert_cmpuint (lm_umap_get_input_dims (u), ==, d);
  g_assert_cmpuint (lm_umap_get_n_epochs (u), ==, 500);
  while (lm_umap_get_epoch (u) < lm_umap_get_n_epochs (u))
    lm_umap_step (u);
  lm_umap_copy_coords (u, y, 3);
  double agree = lm_test_nn_agreement (y, n, labels);

  g_test_message ("%zu dims into %d, %d clusters: nearest-neighbour label agreement %.3f", d, dim, k, agree);
  /* every point's nearest layout neighbour is in its own cluster */
  g_assert_cmpfloat (agree, ==, 1);
  check_apart (y, n, labels, k);
}

/* Well-separated Gaussian blobs stay apart, in 2D and 3D, and in 120
 * dimensions (no PCA first). */
static void
test_clusters (void)
{
  check_clusters (20, 2, 3);
  check_clusters (20, 3, 3);
  check_clusters (120, 2, 5);
}

/* The set-ups' neighbours (lm_layout_knn_cosine) on six points whose
 * cosine distances 1 - cos are known by hand: p0 (1, 0), p1 (1, 1),
 * p2 (0, 2), p3 (-3, 0), p4 (0, 0), p5 (2, 0).  From p0: p5 0, p1
 * 1 - 1/sqrt(2), p2 1 and p4 1 (the zero vector: 1 from everything), p3 2;
 * equal distances keep the lower index. */
static void
test_knn_cosine (void)
{
  const float x[] = { 1, 0, 1, 1, 0, 2, -3, 0, 0, 0, 2, 0 };
  const double h = 1 - 1 / sqrt (2);
  /* each row's 3 nearest, and their distances */
  const guint32 want_idx[6][3] = { { 5, 1, 2 }, { 0, 2, 5 }, { 1, 0, 3 }, { 2, 4, 1 }, { 0, 1, 2 }, { 0, 1, 2 } };
  const double want_dist[6][3] = { { 0, h, 1 }, { h, h, h }, { h, 1, 1 }, { 1, 1, 1 + 1 / sqrt (2) },
                                   { 1, 1, 1 }, { 0, h, 1 } };
  guint32 nbr[6 * 3];
  double dist[6 * 3];

  g_assert_true (lm_layout_knn_cosine (x, 6, 2, 3, NULL, nbr, dist));
  for (int i = 0; i < 6; i++)
    for (int a = 0; a < 3; a++)
      {
        g_assert_cmpuint (nbr[i * 3 + a], ==, want_idx[i][a]);
        g_assert_cmpfloat_with_epsilon (dist[i * 3 + a], want_dist[i][a], 1e-6);
      }
}

/* UMAP's kNN graph is TensorBoard's: by cosine distance on the original
 * 60 dimensions.  On 4 rays of 6 points (lm_test_rays) each point's 5
 * neighbours are the rest of its ray; by Euclidean distance (after a PCA
 * to 50, as before) the short points of the other rays came first. */
static void
test_cosine_neighbours (void)
{
  const gsize rays = 4, per = 6, n = rays * per, d = 60, m = per - 1;
  g_autofree float *x = lm_test_rays (rays, per, d, 3);
  char *error = NULL;
  g_autoptr (LmUmap) u = lm_umap_new (x, n, d, 2, per, 10, 1, &error);

  g_assert_null (error);
  g_assert_nonnull (u);
  g_assert_cmpuint (lm_umap_get_input_dims (u), ==, d);
  for (gsize i = 0; i < n; i++)
    for (gsize a = 0; a < m; a++)
      {
        guint32 j = lm_umap_get_neighbors (u)[i * m + a];

        g_assert_cmpuint (j, !=, i);
        g_assert_cmpuint (j % rays, ==, i % rays);
      }
}

static void
test_seed (void)
{
  const gsize n = 120, d = 6;
  g_autofree float *x = lm_test_clusters (n, d, 3, 6, 7, NULL);
  char *error = NULL;
  g_autoptr (LmUmap) a = lm_umap_new (x, n, d, 2, 10, 100, 42, &error);
  g_autoptr (LmUmap) b = lm_umap_new (x, n, d, 2, 10, 100, 42, &error);
  g_autoptr (LmUmap) c = lm_umap_new (x, n, d, 2, 10, 100, 43, &error);

  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_nonnull (c);
  for (int s = 0; s < 100; s++)
    {
      lm_umap_step (a);
      lm_umap_step (b);
      lm_umap_step (c);
    }
  g_assert_cmpmem (lm_umap_get_layout (a), n * 2 * sizeof (double), lm_umap_get_layout (b),
                   n * 2 * sizeof (double));
  g_assert_true (memcmp (lm_umap_get_layout (a), lm_umap_get_layout (c), n * 2 * sizeof (double)) != 0);
}

/* The epoch count (umap-js's rule), a layout that starts in [-10, 10]
 * and moves each epoch from the first, and nothing past the last. */
static void
test_epochs (void)
{
  const gsize n = 60, d = 4;
  g_autofree float *x = lm_test_clusters (n, d, 2, 5, 3, NULL);
  char *error = NULL;
  g_autoptr (LmUmap) u = lm_umap_new (x, n, d, 2, 15, 0, 1, &error);
  g_autoptr (LmUmap) short_run = lm_umap_new (x, n, d, 2, 15, 3, 1, &error);
  g_autofree double *before = NULL;

  g_assert_cmpuint (lm_umap_default_epochs (100), ==, 500);
  g_assert_cmpuint (lm_umap_default_epochs (2500), ==, 500);
  g_assert_cmpuint (lm_umap_default_epochs (2501), ==, 400);
  g_assert_cmpuint (lm_umap_default_epochs (5000), ==, 400);
  g_assert_cmpuint (lm_umap_default_epochs (7500), ==, 300);
  g_assert_cmpuint (lm_umap_default_epochs (20000), ==, 200);
  g_assert_nonnull (u);
  g_assert_cmpuint (lm_umap_get_n_epochs (u), ==, 500);
  g_assert_cmpuint (lm_umap_get_epoch (u), ==, 0);
  /* each pair both ways, at most k - 1 neighbours from each end */
  g_assert_cmpuint (lm_umap_get_n_edges (u), >=, n * 14);
  g_assert_cmpuint (lm_umap_get_n_edges (u), <=, 2 * n * 14);
  for (gsize i = 0; i < n * 2; i++)
    {
      g_assert_cmpfloat (lm_umap_get_layout (u)[i], >=, -10);
      g_assert_cmpfloat (lm_umap_get_layout (u)[i], <=, 10);
    }
  lm_umap_step (u);   /* epoch 0: no edge is due yet (as umap-learn) */
  before = g_memdup2 (lm_umap_get_layout (u), n * 2 * sizeof (double));
  for (guint e = 1; e < 4; e++)
    {
      lm_umap_step (u);
      g_assert_cmpuint (lm_umap_get_epoch (u), ==, e + 1);
      g_assert_true (memcmp (before, lm_umap_get_layout (u), n * 2 * sizeof (double)) != 0);
      memcpy (before, lm_umap_get_layout (u), n * 2 * sizeof (double));
    }
  for (int s = 0; s < 5; s++)
    lm_umap_step (short_run);
  g_assert_cmpuint (lm_umap_get_epoch (short_run), ==, 3);
}

static void
expect_error (const float *x, gsize n, gsize d, int dim, guint k, const char *a, const char *b)
{
  char *error = NULL;
  LmUmap *u = lm_umap_new (x, n, d, dim, k, 0, 1, &error);

  g_assert_null (u);
  g_assert_nonnull (error);
  g_test_message ("%s", error);
  g_assert_nonnull (strstr (error, a));
  if (b)
    g_assert_nonnull (strstr (error, b));
  g_free (error);
}

static void
test_bad_input (void)
{
  float x[10 * 3];
  char *error = NULL;

  for (int i = 0; i < 30; i++)
    x[i] = (float) (i * 7 % 11);
  expect_error (x, 1, 3, 2, 15, "at least 2 points", "has 1 point ");
  expect_error (x, 0, 3, 2, 15, "at least 2 points", NULL);
  expect_error (x, 10, 3, 2, 10, "10 neighbors needs at least 11 points", "at most 9");
  expect_error (x, 10, 3, 2, 15, "15 neighbors", "has 10");
  expect_error (x, 10, 3, 2, 1, "at least 2", NULL);
  expect_error (x, 10, 3, 4, 5, "only 2 or 3", NULL);
  x[3 * 3 + 2] = NAN;
  expect_error (x, 10, 3, 2, 5, "point 3", "value 2 is NaN");
  x[3 * 3 + 2] = INFINITY;
  expect_error (x, 10, 3, 2, 5, "point 3", "infinite");
  x[3 * 3 + 2] = 1;
  /* the fewest neighbours and the most: both run */
  g_autoptr (LmUmap) lo = lm_umap_new (x, 10, 3, 2, 2, 0, 1, &error);
  g_autoptr (LmUmap) hi = lm_umap_new (x, 10, 3, 2, 9, 0, 1, &error);
  g_assert_nonnull (lo);
  g_assert_nonnull (hi);
  for (int s = 0; s < 20; s++)
    lm_umap_step (hi);
  for (int i = 0; i < 20; i++)
    g_assert_true (isfinite (lm_umap_get_layout (hi)[i]));
  /* identical points: every distance 0, still a finite layout */
  float same[4 * 2] = { 1, 1, 1, 1, 1, 1, 1, 1 };
  g_autoptr (LmUmap) flat = lm_umap_new (same, 4, 2, 2, 3, 0, 1, &error);
  g_assert_nonnull (flat);
  for (int s = 0; s < 20; s++)
    lm_umap_step (flat);
  for (int i = 0; i < 8; i++)
    g_assert_true (isfinite (lm_umap_get_layout (flat)[i]));
}

static const char *cancel_at;
static guint cancel_after_ms;
static double cancel_cpu_ms;   /* the set-up thread's CPU time at the cancel */
static pthread_t setup_tid;
static GThread *canceller;

static gpointer
cancel_soon (gpointer data)
{
  g_usleep (cancel_after_ms * 1000);
  cancel_cpu_ms = lm_test_thread_cpu_ms (setup_tid);
  g_cancellable_cancel (data);
  return NULL;
}

static void
cancel_in_stage (const char *stage, gpointer data)
{
  if (g_strcmp0 (stage, cancel_at) != 0)
    return;
  if (cancel_after_ms > 0)
    canceller = g_thread_new ("canceller", cancel_soon, data);
  else
    cancel_soon (data);
}

/* A set-up of 5,000 points x 784 dims with 50 neighbours cancelled part
 * way into each stage (20 ms in, from another thread, as a user's click;
 * the fuzzy union, a few ms long, as it begins) gives up within 50 ms
 * of its thread's CPU time (lm_test_thread_cpu_ms),
 * NULL and said so.  Uncancelled, the same set-up runs about a second. */
static void
test_cancel (void)
{
  const gsize n = 5000;
  /* the neighbour search in 784 dimensions, long enough to cancel in;
   * the later stages after a search in 32, which costs a sanitizer build
   * seconds where 784 took half a minute each */
  const gsize dims[] = { 784, 32, 32 };
  g_autofree float *x784 = lm_test_clusters (n, 784, 10, 6, 17, NULL);
  g_autofree float *x32 = lm_test_clusters (n, 32, 10, 6, 17, NULL);
  const char *stages[] = { "neighbours", "calibration", "union" };
  const guint after[] = { 20, 20, 0 };
  /* CPU after the cancel, at most: calibration checks every 64 points,
   * and without those checks it runs on for about 18 ms */
  const double bound_ms[] = { 50, 8, 50 };
  /* a slow machine (LM_SLOW_MACHINE, set for the sanitizer pass, where
   * every allocation records its stack) gets five times that */
  const double slow = g_getenv ("LM_SLOW_MACHINE") ? 5 : 1;

  for (guint a = 0; a < G_N_ELEMENTS (stages); a++)
    {
      g_autoptr (GCancellable) cancel = g_cancellable_new ();
      char *error = NULL;
      LmUmap *u;
      double ms;

      cancel_at = stages[a];
      cancel_after_ms = after[a];
      cancel_cpu_ms = -1;
      setup_tid = pthread_self ();
      lm_umap_set_stage_hook (cancel_in_stage, cancel);
      u = lm_umap_new_cancellable (dims[a] == 784 ? x784 : x32, n, dims[a], 2, LM_UMAP_MAX_NEIGHBORS, 0, 1,
                                   cancel, &error);
      lm_umap_set_stage_hook (NULL, NULL);
      ms = lm_test_thread_cpu_ms (pthread_self ());
      if (canceller != NULL)
        g_thread_join (g_steal_pointer (&canceller));
      ms -= cancel_cpu_ms;
      g_test_message ("cancelled in '%s': stopped after %.1f ms more CPU", stages[a], ms);
      g_assert_cmpfloat (cancel_cpu_ms, >=, 0);
      g_assert_null (u);
      g_assert_cmpstr (error, ==, "UMAP set-up cancelled");
      g_assert_cmpfloat (ms, <, bound_ms[a] * slow);
      g_free (error);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/umap/ab", test_ab);
  g_test_add_func ("/data/umap/clusters", test_clusters);
  g_test_add_func ("/data/umap/knn-cosine", test_knn_cosine);
  g_test_add_func ("/data/umap/cosine-neighbours", test_cosine_neighbours);
  g_test_add_func ("/data/umap/seed", test_seed);
  g_test_add_func ("/data/umap/epochs", test_epochs);
  g_test_add_func ("/data/umap/bad-input", test_bad_input);
  g_test_add_func ("/data/umap/cancel", test_cancel);
  return g_test_run ();
}
