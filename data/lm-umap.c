/* lm-umap.c: UMAP (see lm-umap.h).
 *
 * The fuzzy graph is kept as directed edges (head, tail, weight), each
 * pair once per direction, in row order, so an epoch is a pass over one
 * array.  An edge of weight w is sampled every epochs_per_sample =
 * max_w / w epochs (the strongest every epoch; edges below max_w /
 * n_epochs would never be sampled and are dropped), and at each sample
 * it pulls head and tail together with
 *   -2ab d^2(b-1) / (1 + a d^2b) (y_h - y_t)
 * (each coordinate clipped to +-4), then pushes head away from
 * LM_UMAP_NEGATIVE_SAMPLES random points for each epochs_per_sample
 * passed, with 2b / ((0.001 + d^2)(1 + a d^2b)) (y_h - y_r).  The learning
 * rate is 1 - (epoch - 1) / n_epochs, as umap-learn and umap-js lower it
 * after each epoch; epoch 0 samples nothing (no edge is due before 1).
 */
#include "lm-umap.h"

#include <math.h>
#include <string.h>

#include "lm-embedding.h"
#include "lm-layout-setup.h"

#define METHOD "UMAP"
/* umap-learn's smooth_knn_dist: tolerance, rounds, smallest sigma as a
 * fraction of the mean neighbour distance */
#define SMOOTH_K_TOLERANCE 1e-5
#define SMOOTH_K_ROUNDS 64
#define MIN_K_DIST_SCALE 1e-3
#define CLIP 4.0

static LmLayoutStageHook stage_hook;

void
lm_umap_set_stage_hook (void (*hook) (const char *stage, gpointer data), gpointer data)
{
  stage_hook = (LmLayoutStageHook) { hook, data };
}

struct _LmUmap
{
  gsize n, dims;            /* points, input dimensions */
  int dim;                  /* 2 or 3 */
  guint epoch, n_epochs;
  double a, b, alpha;
  guint64 rng;              /* xorshift64* state */
  gsize n_edges;
  guint32 *head, *tail;
  guint32 *nbr;             /* n x (k - 1): each point's neighbours */
  double *epochs_per_sample, *next_sample, *next_negative;
  double *y;
};

guint
lm_umap_default_epochs (gsize n)
{
  return n <= 2500 ? 500 : n <= 5000 ? 400 : n <= 7500 ? 300 : 200;
}

/* ---------------------------------------------------------- a and b */

/* Sum of squared residuals of 1 / (1 + a x^2b) against target, and
 * (when jtj is not NULL) the normal equations' J^T J and J^T r. */
static double
ab_residual (const double *x, const double *target, int m, double a, double b, double *jtj, double *jtr)
{
  double s = 0;

  if (jtj != NULL)
    {
      memset (jtj, 0, 4 * sizeof *jtj);
      memset (jtr, 0, 2 * sizeof *jtr);
    }
  for (int i = 0; i < m; i++)
    {
      double u = x[i] > 0 ? pow (x[i], 2 * b) : 0, den = 1 + a * u, r = 1 / den - target[i];

      s += r * r;
      if (jtj == NULL)
        continue;
      /* d/da and d/db of 1 / (1 + a x^2b) */
      double ja = -u / (den * den), jb = x[i] > 0 ? -a * u * 2 * log (x[i]) / (den * den) : 0;

      jtj[0] += ja * ja;
      jtj[1] += ja * jb;
      jtj[3] += jb * jb;
      jtr[0] += ja * r;
      jtr[1] += jb * r;
    }
  if (jtj != NULL)
    jtj[2] = jtj[1];
  return s;
}

gboolean
lm_umap_find_ab (double spread, double min_dist, double *a, double *b)
{
  enum { M = 300 };
  double x[M], target[M], pa = 1, pb = 1, lambda = 1e-3;

  if (!(spread > 0 && isfinite (spread)) || !(min_dist >= 0 && min_dist < spread))
    return FALSE;
  for (int i = 0; i < M; i++)
    {
      x[i] = 3 * spread * i / (M - 1);
      target[i] = x[i] < min_dist ? 1 : exp (-(x[i] - min_dist) / spread);
    }
  /* Levenberg-Marquardt from (1, 1), as scipy's curve_fit starts */
  for (int iter = 0; iter < 200; iter++)
    {
      double jtj[4], jtr[2];
      double s = ab_residual (x, target, M, pa, pb, jtj, jtr);
      gboolean better = FALSE;

      while (lambda < 1e12)
        {
          double m0 = jtj[0] * (1 + lambda), m3 = jtj[3] * (1 + lambda), det = m0 * m3 - jtj[1] * jtj[2];
          double da = -(m3 * jtr[0] - jtj[1] * jtr[1]) / det, db = -(m0 * jtr[1] - jtj[2] * jtr[0]) / det;

          if (pa + da > 0 && pb + db > 0 && ab_residual (x, target, M, pa + da, pb + db, NULL, NULL) < s)
            {
              pa += da;
              pb += db;
              lambda = MAX (lambda / 10, 1e-12);
              better = fabs (da) > 1e-12 * pa || fabs (db) > 1e-12 * pb;
              break;
            }
          lambda *= 10;
        }
      if (!better)
        break;
    }
  *a = pa;
  *b = pb;
  return TRUE;
}

/* ----------------------------------------------------------- set up */

/* sigma of one row's k - 1 neighbour distances dist (ascending) less rho,
 * so that sum exp(-max(d - rho, 0) / sigma) = log2(k). */
static double
smooth_sigma (const double *dist, gsize m, double rho, double target, double mean)
{
  double lo = 0, hi = INFINITY, mid = 1;

  for (int round = 0; round < SMOOTH_K_ROUNDS; round++)
    {
      double psum = 0;

      for (gsize j = 0; j < m; j++)
        {
          double e = dist[j] - rho;

          psum += e > 0 ? exp (-e / mid) : 1;
        }
      if (fabs (psum - target) < SMOOTH_K_TOLERANCE)
        break;
      if (psum > target)
        {
          hi = mid;
          mid = (lo + hi) / 2;
        }
      else
        {
          lo = mid;
          mid = isinf (hi) ? mid * 2 : (lo + hi) / 2;
        }
    }
  return MAX (mid, MIN_K_DIST_SCALE * mean);
}

/* The fuzzy union of the n rows of m memberships (w to nbr) as directed
 * edges both ways, a pair in both rows getting a + b - ab, edges below
 * max / n_epochs dropped.  FALSE when cancelled. */
static gboolean
fuzzy_union (LmUmap *u, const guint32 *nbr, const double *w, gsize m, GCancellable *cancel)
{
  gsize n = u->n, out = 0;
  gsize *start = g_new0 (gsize, n + 1), *fill = g_new (gsize, n);
  LmLayoutEntry *e = g_new (LmLayoutEntry, 2 * n * m);
  double *val = g_new (double, 2 * n * m), max = 0;
  gboolean done = TRUE;

  for (gsize i = 0; i < n * m; i++)
    start[nbr[i] + 1]++;
  for (gsize i = 0; i < n; i++)
    start[i + 1] += start[i] + m;
  memcpy (fill, start, n * sizeof *fill);
  for (gsize i = 0; i < n * m; i++)
    {
      gsize row = i / m;

      e[fill[row]++] = (LmLayoutEntry) { nbr[i], w[i] };
      e[fill[nbr[i]]++] = (LmLayoutEntry) { (guint32) row, w[i] };
    }
  u->head = g_new (guint32, 2 * n * m);
  u->tail = g_new (guint32, 2 * n * m);
  for (gsize i = 0; i < n && done; i++)
    {
      if (i % 64 == 0 && !(done = !g_cancellable_is_cancelled (cancel)))
        break;
      qsort (e + start[i], start[i + 1] - start[i], sizeof *e, lm_layout_entry_cmp);
      for (gsize a = start[i]; a < start[i + 1]; a++)
        {
          /* a pair appears at most twice in a row: once from each end's list */
          if (a > start[i] && e[a].col == e[a - 1].col)
            {
              val[out - 1] += e[a].v - val[out - 1] * e[a].v;
              continue;
            }
          u->head[out] = (guint32) i;
          u->tail[out] = e[a].col;
          val[out] = e[a].v;
          out++;
        }
    }
  g_free (start);
  g_free (fill);
  g_free (e);
  if (done)
    {
      gsize kept = 0;

      for (gsize a = 0; a < out; a++)
        max = MAX (max, val[a]);
      u->epochs_per_sample = g_new (double, MAX (out, 1));
      for (gsize a = 0; a < out; a++)
        if (max > 0 && val[a] >= max / u->n_epochs)
          {
            u->head[kept] = u->head[a];
            u->tail[kept] = u->tail[a];
            u->epochs_per_sample[kept++] = max / val[a];
          }
      u->n_edges = kept;
      u->next_sample = g_memdup2 (u->epochs_per_sample, MAX (kept, 1) * sizeof (double));
      u->next_negative = g_new (double, MAX (kept, 1));
      for (gsize a = 0; a < kept; a++)
        u->next_negative[a] = u->epochs_per_sample[a] / LM_UMAP_NEGATIVE_SAMPLES;
    }
  g_free (val);
  return done;
}

/* The k - 1 nearest neighbours of each row and their memberships.  FALSE
 * when cancelled. */
static gboolean
memberships (const float *x, gsize n, gsize d, guint k, guint32 *nbr, double *w, GCancellable *cancel)
{
  gsize m = k - 1;
  double *dist = g_new (double, n * m);
  double target = log2 ((double) k), all_mean = 0;
  gboolean done;

  lm_layout_stage (&stage_hook, "neighbours");
  done = lm_layout_knn_cosine (x, n, d, m, cancel, nbr, dist);
  if (done)
    lm_layout_stage (&stage_hook, "calibration");
  for (gsize i = 0; i < n * m && done; i++)
    all_mean += dist[i];
  all_mean /= (double) (n * m);
  for (gsize i = 0; i < n && done; i++)
    {
      const double *di = dist + i * m;
      double rho = 0, mean = 0, sigma;

      if (i % 64 == 0 && !(done = !g_cancellable_is_cancelled (cancel)))
        break;
      /* rho: the nearest distance above 0 (umap-learn's local_connectivity 1) */
      for (gsize j = 0; j < m; j++)
        {
          mean += di[j];
          if (rho == 0 && di[j] > 0)
            rho = di[j];
        }
      mean /= (double) m;
      sigma = smooth_sigma (di, m, rho, target, rho > 0 ? mean : all_mean);
      for (gsize j = 0; j < m; j++)
        w[i * m + j] = di[j] - rho > 0 ? exp (-(di[j] - rho) / sigma) : 1;
    }
  g_free (dist);
  return done;
}

static guint64
next_random (LmUmap *u)
{
  u->rng ^= u->rng >> 12;
  u->rng ^= u->rng << 25;
  u->rng ^= u->rng >> 27;
  return u->rng * 0x2545F4914F6CDD1DULL;
}

LmUmap *
lm_umap_new (const float *mat, gsize n, gsize d, int dim, guint k, guint n_epochs, guint64 seed, char **error)
{
  return lm_umap_new_cancellable (mat, n, d, dim, k, n_epochs, seed, NULL, error);
}

LmUmap *
lm_umap_new_cancellable (const float *mat, gsize n, gsize d, int dim, guint k, guint n_epochs, guint64 seed,
                         GCancellable *cancellable, char **error)
{
  if (!lm_layout_check_shape (METHOD, n, d, dim, error))
    return NULL;
  if (k < 2 || k >= n)
    {
      if (k >= 2)
        *error = g_strdup_printf ("UMAP with %u neighbors needs at least %u points; this embedding has %zu "
                                  "(set Neighbors to at most %zu)", k, k + 1, n, n - 1);
      else
        *error = g_strdup_printf ("UMAP Neighbors %u: at least 2 (the point itself and one more)", k);
      return NULL;
    }
  if (!lm_layout_check_finite (METHOD, mat, n, d, cancellable, error))
    return NULL;

  LmUmap *u = g_new0 (LmUmap, 1);
  gsize m = k - 1;

  u->n = n;
  u->dim = dim;
  u->dims = d;
  u->n_epochs = n_epochs > 0 ? n_epochs : lm_umap_default_epochs (n);
  u->alpha = 1;
  lm_umap_find_ab (LM_UMAP_SPREAD, LM_UMAP_MIN_DIST, &u->a, &u->b);

  guint32 *nbr = g_new (guint32, n * m);
  double *w = g_new (double, n * m);
  gboolean done = memberships (mat, n, d, k, nbr, w, cancellable);

  if (done)
    {
      lm_layout_stage (&stage_hook, "union");
      done = fuzzy_union (u, nbr, w, m, cancellable);
    }
  u->nbr = nbr;
  g_free (w);
  if (!done)
    {
      *error = lm_layout_cancelled (METHOD);
      lm_umap_free (u);
      return NULL;
    }

  /* splitmix64 of the seed: a non-zero xorshift state for any seed */
  guint64 z = seed + 0x9E3779B97F4A7C15ULL;

  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  u->rng = (z ^ (z >> 31)) | 1;
  u->y = g_new (double, n * (gsize) dim);
  for (gsize i = 0; i < n * (gsize) dim; i++)
    u->y[i] = 20 * ((next_random (u) >> 11) * 0x1.0p-53) - 10;
  return u;
}

void
lm_umap_free (LmUmap *u)
{
  if (u == NULL)
    return;
  g_free (u->head);
  g_free (u->tail);
  g_free (u->nbr);
  g_free (u->epochs_per_sample);
  g_free (u->next_sample);
  g_free (u->next_negative);
  g_free (u->y);
  g_free (u);
}

/* ------------------------------------------------------------ epochs */

static double
clip (double v)
{
  return CLAMP (v, -CLIP, CLIP);
}

void
lm_umap_step (LmUmap *u)
{
  g_return_if_fail (u != NULL);
  if (u->epoch >= u->n_epochs)
    return;

  double now = u->epoch, a = u->a, b = u->b, alpha = u->alpha;
  int dim = u->dim;

  for (gsize e = 0; e < u->n_edges; e++)
    {
      if (u->next_sample[e] > now)
        continue;

      double *yh = u->y + (gsize) u->head[e] * dim, *yt = u->y + (gsize) u->tail[e] * dim;
      double d2 = 0, coeff = 0;

      for (int c = 0; c < dim; c++)
        d2 += (yh[c] - yt[c]) * (yh[c] - yt[c]);
      if (d2 > 0)
        {
          double p = pow (d2, b);   /* d^2b; d^2(b-1) is p / d^2 */

          coeff = -2 * a * b * (p / d2) / (a * p + 1);
        }
      for (int c = 0; c < dim; c++)
        {
          double g = clip (coeff * (yh[c] - yt[c]));

          yh[c] += g * alpha;
          yt[c] -= g * alpha;
        }
      u->next_sample[e] += u->epochs_per_sample[e];

      double per_negative = u->epochs_per_sample[e] / LM_UMAP_NEGATIVE_SAMPLES;
      int negatives = (int) floor ((now - u->next_negative[e]) / per_negative);

      for (int s = 0; s < negatives; s++)
        {
          gsize r = (gsize) (next_random (u) % u->n);
          const double *yr = u->y + r * dim;

          d2 = 0;
          for (int c = 0; c < dim; c++)
            d2 += (yh[c] - yr[c]) * (yh[c] - yr[c]);
          if (d2 == 0 && r == u->head[e])
            continue;
          coeff = d2 > 0 ? 2 * b / ((0.001 + d2) * (a * pow (d2, b) + 1)) : 0;
          for (int c = 0; c < dim; c++)
            yh[c] += (coeff > 0 ? clip (coeff * (yh[c] - yr[c])) : CLIP) * alpha;
        }
      u->next_negative[e] += MAX (negatives, 0) * per_negative;
    }
  u->alpha = 1 - (double) u->epoch / u->n_epochs;
  u->epoch++;
}

/* ------------------------------------------------------- accessors */

guint
lm_umap_get_epoch (LmUmap *u)
{
  g_return_val_if_fail (u != NULL, 0);
  return u->epoch;
}

guint
lm_umap_get_n_epochs (LmUmap *u)
{
  g_return_val_if_fail (u != NULL, 0);
  return u->n_epochs;
}

gsize
lm_umap_get_input_dims (LmUmap *u)
{
  g_return_val_if_fail (u != NULL, 0);
  return u->dims;
}

const guint32 *
lm_umap_get_neighbors (LmUmap *u)
{
  g_return_val_if_fail (u != NULL, NULL);
  return u->nbr;
}

gsize
lm_umap_get_n_edges (LmUmap *u)
{
  g_return_val_if_fail (u != NULL, 0);
  return u->n_edges;
}

const double *
lm_umap_get_layout (LmUmap *u)
{
  g_return_val_if_fail (u != NULL, NULL);
  return u->y;
}

void
lm_umap_copy_coords (LmUmap *u, float *out, int k)
{
  g_return_if_fail (u != NULL && k >= u->dim);
  for (int c = 0; c < k; c++)
    {
      double mean = 0;

      for (gsize i = 0; i < u->n && c < u->dim; i++)
        mean += u->y[i * u->dim + c];
      mean /= (double) u->n;
      for (gsize i = 0; i < u->n; i++)
        out[i * k + c] = c < u->dim ? (float) (u->y[i * u->dim + c] - mean) : 0;
    }
}
