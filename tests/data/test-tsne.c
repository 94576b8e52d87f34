/* test-tsne.c: t-SNE (data/lm-tsne.h): the perplexity calibration, the
 * gradient against finite differences, KL falling as it runs, clusters
 * kept apart, the same seed giving the same layout, the neighbours by
 * cosine distance on the original vectors, sampling, the errors for input it refuses, and a
 * cancelled set-up stopping at once. */
#include <math.h>
#include <string.h>

#include "lm-embedding.h"
#include "lm-test-run.h"
#include "lm-tsne.h"

static void
check_calibration (const float *x, gsize n, gsize d, double perp)
{
  gsize k = MIN (n - 1, (gsize) (3 * perp));
  guint32 *nbr = g_new (guint32, n * k);
  double *p = g_new (double, n * k);
  char *error = NULL;

  g_assert_true (lm_tsne_affinities (x, n, d, perp, k, nbr, p, &error));
  g_assert_null (error);
  for (gsize i = 0; i < n; i++)
    {
      double sum = 0, h = 0;

      for (gsize a = 0; a < k; a++)
        {
          g_assert_cmpuint (nbr[i * k + a], !=, i);
          sum += p[i * k + a];
          if (p[i * k + a] > 0)
            h -= p[i * k + a] * log (p[i * k + a]);
        }
      g_assert_cmpfloat_with_epsilon (sum, 1, 1e-9);
      g_assert_cmpfloat_with_epsilon (h, log (perp), 1e-3);
      /* nearest first, so the affinities do not rise along the row */
      for (gsize a = 1; a < k; a++)
        g_assert_cmpfloat (p[i * k + a], <=, p[i * k + a - 1] + 1e-12);
    }
  g_free (nbr);
  g_free (p);
}

static void
test_perplexity (void)
{
  g_autofree float *x = lm_test_clusters (200, 10, 4, 6, 1, NULL);
  g_autofree float *far = g_memdup2 (x, 200 * 10 * sizeof *x);

  check_calibration (x, 200, 10, 30);
  check_calibration (x, 200, 10, 5);
  check_calibration (x, 200, 10, 2);
  /* every point a neighbour (3 x 50 > 199) */
  check_calibration (x, 200, 10, 50);
  /* distances of 1e8: exp() of them would underflow without the shift */
  for (gsize i = 0; i < 200 * 10; i++)
    far[i] *= 1e4f;
  check_calibration (far, 200, 10, 30);
}

static void
check_gradient (int dim)
{
  const gsize n = 7, d = 4;
  g_autofree float *x = lm_test_clusters (n, d, 2, 3, 2, NULL);
  char *error = NULL;
  g_autoptr (LmTsne) t = lm_tsne_new (x, n, d, dim, 2, 10, 3, &error);
  g_autoptr (GRand) r = g_rand_new_with_seed (4);
  double y[7 * 3], grad[7 * 3];
  const double h = 1e-5;

  g_assert_null (error);
  g_assert_nonnull (t);
  for (gsize i = 0; i < n * dim; i++)
    y[i] = g_rand_double_range (r, -2, 2);
  lm_tsne_set_layout (t, y);
  lm_tsne_gradient (t, grad);
  for (gsize i = 0; i < n * dim; i++)
    {
      double keep = y[i], up, down, fd;

      y[i] = keep + h;
      lm_tsne_set_layout (t, y);
      up = lm_tsne_kl (t);
      y[i] = keep - h;
      lm_tsne_set_layout (t, y);
      down = lm_tsne_kl (t);
      y[i] = keep;
      fd = (up - down) / (2 * h);
      g_assert_cmpfloat (fabs (fd - grad[i]), <, 1e-6 + 1e-5 * fabs (grad[i]));
    }
}

static void
test_gradient (void)
{
  check_gradient (2);
  check_gradient (3);
}

static void
test_kl_decreases (void)
{
  const gsize n = 150, d = 20;
  g_autofree float *x = lm_test_clusters (n, d, 5, 8, 5, NULL);
  char *error = NULL;
  g_autoptr (LmTsne) t = lm_tsne_new (x, n, d, 2, 30, 10, 1, &error);
  double kl0, last;

  g_assert_nonnull (t);
  kl0 = lm_tsne_kl (t);
  g_assert_cmpuint (lm_tsne_get_iteration (t), ==, 0);
  while (lm_tsne_get_iteration (t) < LM_TSNE_EXAGGERATION_ITERS)
    lm_tsne_step (t);
  last = lm_tsne_kl (t);
  g_assert_cmpfloat (last, <, kl0);
  /* after the exaggeration, every 100 iterations lower it further */
  for (int round = 0; round < 5; round++)
    {
      for (int s = 0; s < 100; s++)
        lm_tsne_step (t);
      double kl = lm_tsne_kl (t);

      g_test_message ("KL at iteration %u: %.4f", lm_tsne_get_iteration (t), kl);
      /* falling clearly at first, then settled (not rising) */
      if (round < 2)
        g_assert_cmpfloat (kl, <, last - 1e-3);
      else
        g_assert_cmpfloat (kl, <=, last + 1e-6);
      last = kl;
    }
  g_assert_cmpuint (lm_tsne_get_iteration (t), ==, 600);
  g_assert_cmpfloat (last, <, 0.5 * kl0);
}

static void
check_clusters (gsize d, int dim)
{
  const gsize n = 250;
  int labels[250];
  g_autofree float *x = lm_test_clusters (n, d, 5, 10, 6, labels);
  char *error = NULL;
  g_autoptr (LmTsne) t = lm_tsne_new (x, n, d, dim, 30, 10, 9, &error);

  g_assert_nonnull (t);
  g_assert_cmpuint (lm_tsne_get_input_dims (t), ==, d);
  for (int s = 0; s < 500; s++)
    lm_tsne_step (t);
  float coords[250 * 3];
  lm_tsne_copy_coords (t, coords, 3);
  double agree = lm_test_nn_agreement (coords, n, labels);

  g_test_message ("%zu dims into %d: nearest-neighbour label agreement %.3f", d, dim, agree);
  g_assert_cmpfloat (agree, >, 0.95);
  /* and the clusters are apart: each centroid is further from the others
   * than its points are from it on average */
  const double *y = lm_tsne_get_layout (t);
  double cen[5][3] = { { 0 } }, spread[5] = { 0 };
  for (gsize i = 0; i < n; i++)
    for (int c = 0; c < dim; c++)
      cen[labels[i]][c] += y[i * dim + c] / (n / 5);
  for (gsize i = 0; i < n; i++)
    {
      double s = 0;
      for (int c = 0; c < dim; c++)
        s += (y[i * dim + c] - cen[labels[i]][c]) * (y[i * dim + c] - cen[labels[i]][c]);
      spread[labels[i]] += sqrt (s) / (n / 5);
    }
  for (int a = 0; a < 5; a++)
    for (int b = a + 1; b < 5; b++)
      {
        double s = 0;
        for (int c = 0; c < dim; c++)
          s += (cen[a][c] - cen[b][c]) * (cen[a][c] - cen[b][c]);
        g_assert_cmpfloat (sqrt (s), >, 2 * MAX (spread[a], spread[b]));
      }
}

static void
test_clusters (void)
{
  check_clusters (20, 2);
  check_clusters (20, 3);
  /* 120 dimensions, all of them (no PCA first) */
  check_clusters (120, 2);
}

static void
test_seed (void)
{
  const gsize n = 80, d = 6;
  g_autofree float *x = lm_test_clusters (n, d, 3, 6, 7, NULL);
  char *error = NULL;
  g_autoptr (LmTsne) a = lm_tsne_new (x, n, d, 2, 10, 10, 42, &error);
  g_autoptr (LmTsne) b = lm_tsne_new (x, n, d, 2, 10, 10, 42, &error);
  g_autoptr (LmTsne) c = lm_tsne_new (x, n, d, 2, 10, 10, 43, &error);

  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_nonnull (c);
  for (int s = 0; s < 150; s++)
    {
      lm_tsne_step (a);
      lm_tsne_step (b);
      lm_tsne_step (c);
    }
  g_assert_cmpmem (lm_tsne_get_layout (a), n * 2 * sizeof (double), lm_tsne_get_layout (b),
                   n * 2 * sizeof (double));
  g_assert_true (memcmp (lm_tsne_get_layout (a), lm_tsne_get_layout (c), n * 2 * sizeof (double)) != 0);

  float coords[80 * 3];
  lm_tsne_copy_coords (a, coords, 3);
  g_assert_cmpfloat (coords[0], ==, (float) lm_tsne_get_layout (a)[0]);
  g_assert_cmpfloat (coords[4], ==, (float) lm_tsne_get_layout (a)[3]);
  g_assert_cmpfloat (coords[5], ==, 0);
}

/* t-SNE's neighbours are TensorBoard's (data.ts: cosine distance on the
 * original vectors): on 4 rays of 6 points in 60 dimensions
 * (lm_test_rays), perplexity 5/3 (5 neighbours), each point's are the
 * rest of its ray, and its affinities fall along them; by Euclidean
 * distance after a PCA to 50 (as before) the short points of the other
 * rays came first. */
static void
test_cosine_neighbours (void)
{
  const gsize rays = 4, per = 6, n = rays * per, d = 60, k = per - 1;
  g_autofree float *x = lm_test_rays (rays, per, d, 3);
  guint32 nbr[24 * 5];
  double p[24 * 5];
  char *error = NULL;
  g_autoptr (LmTsne) t = lm_tsne_new (x, n, d, 2, 5.0 / 3, 10, 1, &error);

  g_assert_nonnull (t);
  g_assert_cmpuint (lm_tsne_get_input_dims (t), ==, d);
  g_assert_true (lm_tsne_affinities (x, n, d, 5.0 / 3, k, nbr, p, &error));
  for (gsize i = 0; i < n; i++)
    for (gsize a = 0; a < k; a++)
      {
        g_assert_cmpuint (nbr[i * k + a], !=, i);
        g_assert_cmpuint (nbr[i * k + a] % rays, ==, i % rays);
      }
}

static void
test_sample (void)
{
  g_autofree guint32 *a = lm_tsne_sample (1000, 100, 5);
  g_autofree guint32 *b = lm_tsne_sample (1000, 100, 5);
  g_autofree guint32 *all = lm_tsne_sample (10, 20, 5);

  g_assert_cmpmem (a, 100 * sizeof *a, b, 100 * sizeof *b);
  for (gsize i = 0; i < 100; i++)
    {
      g_assert_cmpuint (a[i], <, 1000);
      if (i > 0)
        g_assert_cmpuint (a[i], >, a[i - 1]);
    }
  /* spread over the whole range, not the first 100 */
  g_assert_cmpuint (a[99], >, 500);
  for (guint32 i = 0; i < 10; i++)
    g_assert_cmpuint (all[i], ==, i);
}

static void
expect_error (const float *x, gsize n, gsize d, int dim, double perp, double lr, const char *a, const char *b)
{
  char *error = NULL;
  LmTsne *t = lm_tsne_new (x, n, d, dim, perp, lr, 1, &error);

  g_assert_null (t);
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
  guint32 nbr[10];
  double p[10];

  for (int i = 0; i < 30; i++)
    x[i] = (float) (i * 7 % 11);
  expect_error (x, 1, 3, 2, 1, 10, "at least 2 points", "has 1 point ");
  expect_error (x, 0, 3, 2, 1, 10, "at least 2 points", NULL);
  expect_error (x, 10, 3, 2, 10, 10, "perplexity 10 needs at least 11 points", "has 10");
  expect_error (x, 10, 3, 2, 30, 10, "perplexity 30", "at most 9");
  expect_error (x, 10, 3, 2, NAN, 10, "perplexity nan", "between 1 and 9");
  expect_error (x, 10, 3, 4, 3, 10, "only 2 or 3", NULL);
  expect_error (x, 10, 3, 2, 3, 0, "learning rate 0", NULL);
  x[3 * 3 + 2] = NAN;
  expect_error (x, 10, 3, 2, 3, 10, "point 3", "value 2 is NaN");
  x[3 * 3 + 2] = INFINITY;
  expect_error (x, 10, 3, 2, 3, 10, "point 3", "infinite");
  x[3 * 3 + 2] = 1;
  /* the lowest perplexity and the most: both run */
  g_autoptr (LmTsne) lo = lm_tsne_new (x, 10, 3, 2, 1, 10, 1, &error);
  g_autoptr (LmTsne) hi = lm_tsne_new (x, 10, 3, 2, 9, 10, 1, &error);
  g_assert_nonnull (lo);
  g_assert_nonnull (hi);
  lm_tsne_step (hi);
  g_assert_true (isfinite (lm_tsne_get_layout (hi)[0]));
  /* identical points: no distances to calibrate on, still a layout */
  float same[4 * 2] = { 1, 1, 1, 1, 1, 1, 1, 1 };
  g_autoptr (LmTsne) flat = lm_tsne_new (same, 4, 2, 2, 2, 10, 1, &error);
  g_assert_nonnull (flat);
  for (int s = 0; s < 20; s++)
    lm_tsne_step (flat);
  for (int i = 0; i < 8; i++)
    g_assert_true (isfinite (lm_tsne_get_layout (flat)[i]));
  /* affinities asked for more neighbours than there are */
  g_assert_false (lm_tsne_affinities (x, 2, 3, 1, 2, nbr, p, &error));
  g_assert_nonnull (strstr (error, "fewer than the points"));
  g_free (error);
}

typedef struct
{
  const float *x;
  gsize n, d;
  GCancellable *cancel;
  char *error;
  pthread_t tid;
  gint started;      /* atomic: tid is set */
  double end_cpu_ms; /* the thread's CPU time when the set-up returned */
} SetUp;

static gpointer
set_up_thread (gpointer data)
{
  SetUp *s = data;
  LmTsne *t;

  s->tid = pthread_self ();
  g_atomic_int_set (&s->started, 1);
  t = lm_tsne_new_cancellable (s->x, s->n, s->d, 2, 30, 10, 1, s->cancel, &s->error);
  s->end_cpu_ms = lm_test_thread_cpu_ms (pthread_self ());
  return t;
}

/* A set-up of 5,000 points cancelled part way (in the neighbours of 784
 * or 50 dimensions, in the calibration) gives up within
 * 50 ms, NULL and said so; uncancelled it finishes.  (Before, nothing in
 * the set-up looked at a stop flag: it ran its seconds to the end.)  The
 * bound asserted is 300 ms of the set-up thread's CPU time after the
 * cancel (lm_test_thread_cpu_ms): it stops in 0-32 ms here (ASan included), and
 * without the fix it ran 750 ms past the cancel. */
static void
test_cancel (void)
{
  const gsize n = LM_TSNE_MAX_POINTS, d = 784;
  g_autofree float *x = lm_test_clusters (n, d, 10, 6, 13, NULL);
  const guint delays_ms[] = { 5, 60, 250, 600 };
  double worst = 0;

  for (guint a = 0; a < G_N_ELEMENTS (delays_ms); a++)
    for (gsize dims = 50; dims <= d; dims += d - 50)
      {
        SetUp s = { x, n, dims, g_cancellable_new (), NULL, 0, 0, 0 };
        GThread *th;
        LmTsne *t;
        double cancelled_cpu_ms;

        /* the first `dims` columns of each row: a 50-dimension matrix's
         * neighbours are found sooner, so its delays land later */
        g_autofree float *sub = NULL;
        if (dims < d)
          {
            sub = g_new (float, n * dims);
            for (gsize i = 0; i < n; i++)
              memcpy (sub + i * dims, x + i * d, dims * sizeof *sub);
            s.x = sub;
          }
        th = g_thread_new ("set-up", set_up_thread, &s);
        while (!g_atomic_int_get (&s.started))
          g_usleep (100);
        g_usleep (delays_ms[a] * 1000);
        cancelled_cpu_ms = lm_test_thread_cpu_ms (s.tid);
        g_cancellable_cancel (s.cancel);
        t = g_thread_join (th);
        if (t != NULL)
          {
            /* it finished before the cancel (a fast machine): fine, but
             * it must have finished before being asked to stop (or have
             * ended by then: no CPU clock any more) */
            g_assert_true (cancelled_cpu_ms < 0 || s.end_cpu_ms <= cancelled_cpu_ms + 300);
            lm_tsne_free (t);
          }
        else
          {
            double ms = s.end_cpu_ms - cancelled_cpu_ms;

            g_assert_cmpfloat (cancelled_cpu_ms, >=, 0);
            g_test_message ("%zu dims, cancelled after %u ms: stopped after %.1f ms more CPU", dims, delays_ms[a], ms);
            g_assert_cmpstr (s.error, ==, "t-SNE set-up cancelled");
            worst = MAX (worst, ms);
          }
        g_free (s.error);
        g_object_unref (s.cancel);
      }
  g_assert_cmpfloat (worst, <, 300);

  /* not cancelled: a layout, as lm_tsne_new gives */
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  char *error = NULL;
  g_autoptr (LmTsne) t = lm_tsne_new_cancellable (x, 200, 20, 2, 30, 10, 1, cancel, &error);
  g_autoptr (LmTsne) u = lm_tsne_new (x, 200, 20, 2, 30, 10, 1, &error);
  g_assert_null (error);
  g_assert_nonnull (t);
  g_assert_cmpmem (lm_tsne_get_layout (t), 200 * 2 * sizeof (double), lm_tsne_get_layout (u),
                   200 * 2 * sizeof (double));
}

static const char *cancel_at;
static double cancel_cpu_ms;   /* the set-up thread's CPU time at the cancel */
static pthread_t setup_tid;
static GThread *canceller;

static gpointer
cancel_soon (gpointer data)
{
  g_usleep (20000);
  cancel_cpu_ms = lm_test_thread_cpu_ms (setup_tid);
  g_cancellable_cancel (data);
  return NULL;
}

/* 20 ms into the stage, from another thread (a user's click) */
static void
cancel_in_stage (const char *stage, gpointer data)
{
  if (g_strcmp0 (stage, cancel_at) == 0)
    canceller = g_thread_new ("canceller", cancel_soon, data);
}

/* Cancelled 20 ms into each stage of the set-up, with perplexity 100 (300
 * neighbours a point, 3,000,000 entries of P to symmetrise), it stops
 * within 50 ms of CPU time (300 asserted, as above).  (Before, the symmetrising was one qsort of every entry,
 * some 600 ms that nothing could stop.) */
static void
test_cancel_stages (void)
{
  const gsize n = LM_TSNE_MAX_POINTS, d = 100;
  const char *stages[] = { "neighbours", "calibration", "symmetrise" };
  g_autofree float *x = lm_test_clusters (n, d, 10, 6, 17, NULL);

  for (guint a = 0; a < G_N_ELEMENTS (stages); a++)
    {
      g_autoptr (GCancellable) cancel = g_cancellable_new ();
      char *error = NULL;
      LmTsne *t;
      double ms;

      cancel_at = stages[a];
      cancel_cpu_ms = -1;
      setup_tid = pthread_self ();
      lm_tsne_set_stage_hook (cancel_in_stage, cancel);
      t = lm_tsne_new_cancellable (x, n, d, 2, 100, 10, 1, cancel, &error);
      lm_tsne_set_stage_hook (NULL, NULL);
      ms = lm_test_thread_cpu_ms (pthread_self ());
      g_assert_nonnull (canceller);
      g_thread_join (g_steal_pointer (&canceller));
      ms -= cancel_cpu_ms;
      g_test_message ("cancelled in '%s': stopped after %.1f ms more CPU", stages[a], ms);
      g_assert_cmpfloat (cancel_cpu_ms, >=, 0);
      g_assert_null (t);
      g_assert_cmpstr (error, ==, "t-SNE set-up cancelled");
      g_assert_cmpfloat (ms, <, 300);
      g_free (error);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/tsne/perplexity", test_perplexity);
  g_test_add_func ("/data/tsne/gradient", test_gradient);
  g_test_add_func ("/data/tsne/kl-decreases", test_kl_decreases);
  g_test_add_func ("/data/tsne/clusters", test_clusters);
  g_test_add_func ("/data/tsne/seed", test_seed);
  g_test_add_func ("/data/tsne/cosine-neighbours", test_cosine_neighbours);
  g_test_add_func ("/data/tsne/sample", test_sample);
  g_test_add_func ("/data/tsne/bad-input", test_bad_input);
  g_test_add_func ("/data/tsne/cancel", test_cancel);
  g_test_add_func ("/data/tsne/cancel-stages", test_cancel_stages);
  return g_test_run ();
}
