/* lm-tsne.c: t-SNE (see lm-tsne.h).
 *
 * The layout y (n x dim) follows the gradient of KL(P || Q),
 *   dC/dy_i = 4 sum_j (p_ij - q_ij) w_ij (y_i - y_j),  w_ij = 1 / (1 + |y_i - y_j|^2),
 * q_ij = w_ij / Z, Z = sum_{k != l} w_kl.  The attraction (the p_ij part)
 * runs over P's non-zero entries only (a sparse, symmetric matrix in rows);
 * the repulsion, sum_j w_ij^2 (y_i - y_j) / Z, over every pair once,
 * with Z summed in the same pass, so no n x n matrix is ever held.
 *
 * The conditional affinities use distances less the row's smallest, so
 * exp() never underflows for far-apart inputs (the shift cancels when the
 * row is normalised); the binary search is on beta = 1 / (2 sigma^2).
 */
#include "lm-tsne.h"

#include <math.h>
#include <string.h>

#include "lm-embedding.h"
#include "lm-layout-setup.h"

#define ENTROPY_TOL 1e-5
#define MIN_GAIN 0.01

static LmLayoutStageHook stage_hook;

void
lm_tsne_set_stage_hook (void (*hook) (const char *stage, gpointer data), gpointer data)
{
  stage_hook = (LmLayoutStageHook) { hook, data };
}

struct _LmTsne
{
  gsize n, dims;            /* points, input dimensions */
  int dim;                  /* 2 or 3 */
  double learning_rate;
  guint iteration;
  /* symmetric P as rows: row i's entries are col[row[i]..row[i+1]) */
  gsize *row;
  guint32 *col;
  double *val;
  double *y, *step, *gains, *grad, *attr, *rep;
};

/* ------------------------------------------------------ affinities */

/* p (k values summing to 1) from the distances d2 (ascending: the
 * cosine distances, where TensorBoard's bh_tsne.ts puts them, in place of
 * the squared Euclidean ones of van der Maaten's paper) at
 * the beta whose entropy is log(perplexity). */
static void
calibrate_row (const double *d2, gsize k, double perplexity, double *p)
{
  double target = log (perplexity), lo = 0, hi = INFINITY, mean = 0;
  double beta;

  for (gsize j = 0; j < k; j++)
    mean += d2[j] - d2[0];
  mean /= (double) k;
  beta = mean > 0 ? 1 / mean : 1;
  for (int iter = 0; iter < 200; iter++)
    {
      double sum = 0, dsum = 0, h;

      for (gsize j = 0; j < k; j++)
        {
          p[j] = exp (-beta * (d2[j] - d2[0]));
          sum += p[j];
          dsum += (d2[j] - d2[0]) * p[j];
        }
      h = log (sum) + beta * dsum / sum;
      for (gsize j = 0; j < k; j++)
        p[j] /= sum;
      if (fabs (h - target) < ENTROPY_TOL)
        break;
      if (h > target)
        {
          lo = beta;
          beta = isinf (hi) ? beta * 2 : (beta + hi) / 2;
        }
      else
        {
          hi = beta;
          beta = (beta + lo) / 2;
        }
    }
}

#define METHOD "t-SNE"

/* lm_tsne_affinities, checking `cancel` every row. */
static gboolean
affinities (const float *x, gsize n, gsize d, double perplexity, gsize k, guint32 *nbr, double *p,
            GCancellable *cancel, char **error)
{
  if (k == 0 || k >= n || !(perplexity >= 1 && perplexity <= (double) k))
    {
      *error = g_strdup_printf ("t-SNE perplexity %g with %zu neighbours of %zu points: the perplexity must be "
                                "between 1 and the number of neighbours, which must be fewer than the points",
                                perplexity, k, n);
      return FALSE;
    }
  double *d2 = g_new (double, n * k);
  gboolean done;

  lm_layout_stage (&stage_hook, "neighbours");
  done = lm_layout_knn_cosine (x, n, d, k, cancel, nbr, d2);
  if (done)
    lm_layout_stage (&stage_hook, "calibration");
  for (gsize i = 0; i < n && done; i++)
    {
      if (!(done = !g_cancellable_is_cancelled (cancel)))
        break;
      calibrate_row (d2 + i * k, k, perplexity, p + i * k);
    }
  g_free (d2);
  if (!done)
    *error = lm_layout_cancelled (METHOD);
  return done;
}

gboolean
lm_tsne_affinities (const float *x, gsize n, gsize d, double perplexity, gsize k, guint32 *nbr, double *p,
                    char **error)
{
  return affinities (x, n, d, perplexity, k, nbr, p, NULL, error);
}

/* ----------------------------------------------------------- set up */

static int
u32_cmp (const void *a, const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

/* P = (P_cond + P_cond^T) / 2n as rows: row i gets its k neighbours'
 * p_{j|i} and the p_{i|j} of the points that have i among theirs, sorted
 * by column a row at a time (a pair in both lists is summed), so the
 * work is cancellable between rows.  FALSE when cancelled. */
static gboolean
symmetrise (LmTsne *t, const guint32 *nbr, const double *p, gsize k, GCancellable *cancel)
{
  gsize n = t->n, out = 0;
  gsize *start = g_new0 (gsize, n + 1), *fill = g_new (gsize, n);
  LmLayoutEntry *e = g_new (LmLayoutEntry, 2 * n * k);
  gboolean done = TRUE;

  for (gsize i = 0; i < n * k; i++)
    start[nbr[i] + 1]++;
  for (gsize i = 0; i < n; i++)
    start[i + 1] += start[i] + k;
  memcpy (fill, start, n * sizeof *fill);
  for (gsize i = 0; i < n && done; i++)
    {
      if (i % 64 == 0 && !(done = !g_cancellable_is_cancelled (cancel)))
        break;
      for (gsize a = 0; a < k; a++)
        {
          guint32 j = nbr[i * k + a];
          double v = p[i * k + a] / (2.0 * n);

          e[fill[i]++] = (LmLayoutEntry) { j, v };
          e[fill[j]++] = (LmLayoutEntry) { (guint32) i, v };
        }
    }
  t->row = g_new0 (gsize, n + 1);
  t->col = g_new (guint32, 2 * n * k);
  t->val = g_new (double, 2 * n * k);
  for (gsize i = 0; i < n && done; i++)
    {
      if (!(done = !g_cancellable_is_cancelled (cancel)))
        break;
      qsort (e + start[i], start[i + 1] - start[i], sizeof *e, lm_layout_entry_cmp);
      for (gsize a = start[i]; a < start[i + 1]; a++)
        {
          if (a > start[i] && e[a].col == e[a - 1].col)
            {
              t->val[out - 1] += e[a].v;
              continue;
            }
          t->col[out] = e[a].col;
          t->val[out] = e[a].v;
          out++;
        }
      t->row[i + 1] = out;
    }
  g_free (start);
  g_free (fill);
  g_free (e);
  return done;
}

static double
gaussian (GRand *r)
{
  double u = g_rand_double (r), v = g_rand_double (r);

  /* Box-Muller; 1 - u is in (0, 1] */
  return sqrt (-2 * log (1 - u)) * cos (2 * G_PI * v);
}

static void
centre (LmTsne *t)
{
  for (int c = 0; c < t->dim; c++)
    {
      double mean = 0;

      for (gsize i = 0; i < t->n; i++)
        mean += t->y[i * t->dim + c];
      mean /= (double) t->n;
      for (gsize i = 0; i < t->n; i++)
        t->y[i * t->dim + c] -= mean;
    }
}

LmTsne *
lm_tsne_new (const float *mat, gsize n, gsize d, int dim, double perplexity, double learning_rate, guint64 seed,
             char **error)
{
  return lm_tsne_new_cancellable (mat, n, d, dim, perplexity, learning_rate, seed, NULL, error);
}

LmTsne *
lm_tsne_new_cancellable (const float *mat, gsize n, gsize d, int dim, double perplexity, double learning_rate,
                         guint64 seed, GCancellable *cancellable, char **error)
{
  if (!lm_layout_check_shape (METHOD, n, d, dim, error))
    return NULL;
  if (!(perplexity >= 1 && perplexity <= (double) (n - 1)))
    {
      if (perplexity >= 1 && isfinite (perplexity))
        *error = g_strdup_printf ("t-SNE perplexity %g needs at least %.0f points; this embedding has %zu "
                                  "(set the perplexity to at most %zu)", perplexity, ceil (perplexity) + 1, n, n - 1);
      else
        *error = g_strdup_printf ("t-SNE perplexity %g: must be between 1 and %zu (the points less one)",
                                  perplexity, n - 1);
      return NULL;
    }
  if (!(learning_rate > 0) || !isfinite (learning_rate))
    {
      *error = g_strdup_printf ("t-SNE learning rate %g: must be above 0", learning_rate);
      return NULL;
    }
  if (!lm_layout_check_finite (METHOD, mat, n, d, cancellable, error))
    return NULL;

  LmTsne *t = g_new0 (LmTsne, 1);
  gsize k = MIN (n - 1, (gsize) floor (3 * perplexity));

  t->n = n;
  t->dim = dim;
  t->learning_rate = learning_rate;
  t->dims = d;
  guint32 *nbr = g_new (guint32, n * k);
  double *p = g_new (double, n * k);

  if (!affinities (mat, n, d, perplexity, k, nbr, p, cancellable, error))
    {
      g_free (nbr);
      g_free (p);
      g_free (t);
      return NULL;
    }
  lm_layout_stage (&stage_hook, "symmetrise");
  if (!symmetrise (t, nbr, p, k, cancellable))
    {
      *error = lm_layout_cancelled (METHOD);
      g_free (nbr);
      g_free (p);
      lm_tsne_free (t);
      return NULL;
    }
  g_free (nbr);
  g_free (p);

  gsize m = n * (gsize) dim;
  guint32 words[2] = { (guint32) seed, (guint32) (seed >> 32) };
  GRand *r = g_rand_new_with_seed_array (words, 2);

  t->y = g_new (double, m);
  t->step = g_new0 (double, m);
  t->gains = g_new (double, m);
  t->grad = g_new (double, m);
  t->attr = g_new (double, m);
  t->rep = g_new (double, m);
  for (gsize i = 0; i < m; i++)
    {
      t->y[i] = 1e-4 * gaussian (r);
      t->gains[i] = 1;
    }
  g_rand_free (r);
  centre (t);
  return t;
}

void
lm_tsne_free (LmTsne *t)
{
  if (t == NULL)
    return;
  g_free (t->row);
  g_free (t->col);
  g_free (t->val);
  g_free (t->y);
  g_free (t->step);
  g_free (t->gains);
  g_free (t->grad);
  g_free (t->attr);
  g_free (t->rep);
  g_free (t);
}

/* --------------------------------------------------------- gradient */

/* Sum over all pairs of w_ij^2 (y_i - y_j) into rep, and Z, for a
 * fixed number of dimensions D (so the inner loops unroll). */
#define REPULSION(D)                                                            \
  static double repulsion_##D (const double *y, gsize n, double *rep)           \
  {                                                                             \
    double z = 0;                                                               \
    memset (rep, 0, n * D * sizeof *rep);                                       \
    for (gsize i = 0; i < n; i++)                                               \
      {                                                                         \
        const double *yi = y + i * D;                                           \
        double ri[D] = { 0 }, zi = 0;                                           \
        for (gsize j = i + 1; j < n; j++)                                       \
          {                                                                     \
            const double *yj = y + j * D;                                       \
            double diff[D], s = 1;                                              \
            for (int c = 0; c < D; c++)                                         \
              {                                                                 \
                diff[c] = yi[c] - yj[c];                                        \
                s += diff[c] * diff[c];                                         \
              }                                                                 \
            double w = 1 / s, w2 = w * w;                                       \
            zi += w;                                                            \
            for (int c = 0; c < D; c++)                                         \
              {                                                                 \
                ri[c] += w2 * diff[c];                                          \
                rep[j * D + c] -= w2 * diff[c];                                 \
              }                                                                 \
          }                                                                     \
        z += 2 * zi;                                                            \
        for (int c = 0; c < D; c++)                                             \
          rep[i * D + c] += ri[c];                                              \
      }                                                                         \
    return z;                                                                   \
  }
REPULSION (2)
REPULSION (3)

/* The gradient with P times `exaggeration`; returns Z. */
static double
gradient (LmTsne *t, double exaggeration, double *grad)
{
  gsize n = t->n;
  int dim = t->dim;
  double z = dim == 2 ? repulsion_2 (t->y, n, t->rep) : repulsion_3 (t->y, n, t->rep);

  memset (t->attr, 0, n * dim * sizeof *t->attr);
  for (gsize i = 0; i < n; i++)
    {
      const double *yi = t->y + i * dim;

      for (gsize a = t->row[i]; a < t->row[i + 1]; a++)
        {
          const double *yj = t->y + (gsize) t->col[a] * dim;
          double s = 1;

          for (int c = 0; c < dim; c++)
            s += (yi[c] - yj[c]) * (yi[c] - yj[c]);
          double f = exaggeration * t->val[a] / s;
          for (int c = 0; c < dim; c++)
            t->attr[i * dim + c] += f * (yi[c] - yj[c]);
        }
    }
  for (gsize i = 0; i < n * dim; i++)
    grad[i] = 4 * (t->attr[i] - t->rep[i] / z);
  return z;
}

void
lm_tsne_gradient (LmTsne *t, double *grad)
{
  g_return_if_fail (t != NULL && grad != NULL);
  gradient (t, 1, grad);
}

double
lm_tsne_kl (LmTsne *t)
{
  g_return_val_if_fail (t != NULL, NAN);
  double z = t->dim == 2 ? repulsion_2 (t->y, t->n, t->rep) : repulsion_3 (t->y, t->n, t->rep);
  double kl = 0;

  for (gsize i = 0; i < t->n; i++)
    for (gsize a = t->row[i]; a < t->row[i + 1]; a++)
      {
        const double *yi = t->y + i * t->dim, *yj = t->y + (gsize) t->col[a] * t->dim;
        double s = 1, pij = t->val[a];

        for (int c = 0; c < t->dim; c++)
          s += (yi[c] - yj[c]) * (yi[c] - yj[c]);
        if (pij > 0)
          kl += pij * log (pij * z * s);   /* log (p / q), q = (1 / s) / z */
      }
  return kl;
}

void
lm_tsne_step (LmTsne *t)
{
  g_return_if_fail (t != NULL);
  gsize m = t->n * (gsize) t->dim;
  double ex = t->iteration < LM_TSNE_EXAGGERATION_ITERS ? LM_TSNE_EXAGGERATION : 1;
  double momentum = t->iteration < LM_TSNE_MOMENTUM_SWITCH_ITER ? 0.5 : 0.8;

  gradient (t, ex, t->grad);
  for (gsize i = 0; i < m; i++)
    {
      /* a gain grows while the step keeps being reversed by the gradient
       * (the step goes against it: progress) and shrinks when they agree */
      if ((t->grad[i] > 0) != (t->step[i] > 0))
        t->gains[i] += 0.2;
      else
        t->gains[i] *= 0.8;
      if (t->gains[i] < MIN_GAIN)
        t->gains[i] = MIN_GAIN;
      t->step[i] = momentum * t->step[i] - t->learning_rate * t->gains[i] * t->grad[i];
      t->y[i] += t->step[i];
    }
  centre (t);
  t->iteration++;
}

/* ------------------------------------------------------- accessors */

guint
lm_tsne_get_iteration (LmTsne *t)
{
  g_return_val_if_fail (t != NULL, 0);
  return t->iteration;
}

gsize
lm_tsne_get_input_dims (LmTsne *t)
{
  g_return_val_if_fail (t != NULL, 0);
  return t->dims;
}

void
lm_tsne_set_learning_rate (LmTsne *t, double learning_rate)
{
  g_return_if_fail (t != NULL);
  if (learning_rate > 0 && isfinite (learning_rate))
    t->learning_rate = learning_rate;
}

const double *
lm_tsne_get_layout (LmTsne *t)
{
  g_return_val_if_fail (t != NULL, NULL);
  return t->y;
}

void
lm_tsne_set_layout (LmTsne *t, const double *y)
{
  g_return_if_fail (t != NULL && y != NULL);
  memcpy (t->y, y, t->n * t->dim * sizeof *t->y);
}

void
lm_tsne_copy_coords (LmTsne *t, float *out, int k)
{
  g_return_if_fail (t != NULL && k >= t->dim);
  for (gsize i = 0; i < t->n; i++)
    for (int c = 0; c < k; c++)
      out[i * k + c] = c < t->dim ? (float) t->y[i * t->dim + c] : 0;
}

guint32 *
lm_tsne_sample (gsize n, gsize keep, guint64 seed)
{
  guint32 *idx = g_new (guint32, n);
  guint32 words[2] = { (guint32) seed, (guint32) (seed >> 32) };
  GRand *r = g_rand_new_with_seed_array (words, 2);

  for (gsize i = 0; i < n; i++)
    idx[i] = (guint32) i;
  keep = MIN (keep, n);
  /* the first `keep` of a partial Fisher-Yates shuffle */
  for (gsize i = 0; i < keep && keep < n; i++)
    {
      gsize j = i + (gsize) (g_rand_double (r) * (double) (n - i));
      guint32 tmp;

      j = MIN (j, n - 1);
      tmp = idx[i];
      idx[i] = idx[j];
      idx[j] = tmp;
    }
  g_rand_free (r);
  qsort (idx, keep, sizeof *idx, u32_cmp);
  return idx;
}
