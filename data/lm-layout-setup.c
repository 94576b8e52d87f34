/* lm-layout-setup.c: what the t-SNE and UMAP set-ups share (see
 * lm-layout-setup.h). */
#include "lm-layout-setup.h"

#include <math.h>
#include <string.h>

void
lm_layout_stage (const LmLayoutStageHook *hook, const char *stage)
{
  if (hook->func != NULL)
    hook->func (stage, hook->data);
}

char *
lm_layout_cancelled (const char *method)
{
  return g_strdup_printf ("%s set-up cancelled", method);
}

gboolean
lm_layout_check_shape (const char *method, gsize n, gsize d, int dim, char **error)
{
  if (n < 2 || d == 0)
    {
      *error = g_strdup_printf ("%s needs at least 2 points of at least 1 dimension; this embedding has %zu "
                                "point%s of %zu", method, n, n == 1 ? "" : "s", d);
      return FALSE;
    }
  if (dim != 2 && dim != 3)
    {
      *error = g_strdup_printf ("%s into %d dimensions: only 2 or 3", method, dim);
      return FALSE;
    }
  return TRUE;
}

gboolean
lm_layout_check_finite (const char *method, const float *mat, gsize n, gsize d, GCancellable *cancellable,
                        char **error)
{
  for (gsize i = 0; i < n * d; i++)
    if (i % (64 * d) == 0 && g_cancellable_is_cancelled (cancellable))
      {
        *error = lm_layout_cancelled (method);
        return FALSE;
      }
    else if (!isfinite (mat[i]))
      {
        *error = g_strdup_printf ("%s cannot place point %zu: its value %zu is %s", method, i / d, i % d,
                                  isnan (mat[i]) ? "NaN" : "infinite");
        return FALSE;
      }
  return TRUE;
}

/* ------------------------------------------------ cosine neighbours */

/* Rows of the unit matrix compared at once: a block of BLOCK_J rows is
 * held transposed (d x BLOCK_J, a few hundred KB for d = 784) and
 * GROUP_I rows at a time take their dot products with it, a loop over
 * the block's columns the compiler vectorises without reordering sums. */
#define BLOCK_J 64
#define GROUP_I 8

/* A max-heap of a row's k nearest so far, on (distance, index): the
 * root is the farthest kept, and equal distances keep the lower index
 * whatever order the pairs come in. */
typedef struct
{
  double *dist;
  guint32 *idx;
  gsize len, cap;
} KnnHeap;

static inline gboolean
knn_after (double da, guint32 ia, double db, guint32 ib)
{
  return da > db || (da == db && ia > ib);
}

static void
knn_sift_down (KnnHeap *h, gsize p, double dist, guint32 j)
{
  for (;;)
    {
      gsize l = 2 * p + 1, r = l + 1, big = p;
      double bd = dist;
      guint32 bi = j;

      if (l < h->len && knn_after (h->dist[l], h->idx[l], bd, bi))
        big = l, bd = h->dist[l], bi = h->idx[l];
      if (r < h->len && knn_after (h->dist[r], h->idx[r], bd, bi))
        big = r;
      if (big == p)
        break;
      h->dist[p] = h->dist[big];
      h->idx[p] = h->idx[big];
      p = big;
    }
  h->dist[p] = dist;
  h->idx[p] = j;
}

static void
knn_offer (KnnHeap *h, double dist, guint32 j)
{
  gsize c;

  if (h->len == h->cap)
    {
      if (knn_after (h->dist[0], h->idx[0], dist, j))
        knn_sift_down (h, 0, dist, j);
      return;
    }
  c = h->len++;
  while (c > 0 && knn_after (dist, j, h->dist[(c - 1) / 2], h->idx[(c - 1) / 2]))
    {
      h->dist[c] = h->dist[(c - 1) / 2];
      h->idx[c] = h->idx[(c - 1) / 2];
      c = (c - 1) / 2;
    }
  h->dist[c] = dist;
  h->idx[c] = j;
}

/* Sorts a heap nearest first, in place. */
static void
knn_sort (KnnHeap *h)
{
  gsize len = h->len;

  while (h->len > 1)
    {
      double dist = h->dist[h->len - 1];
      guint32 j = h->idx[h->len - 1];

      h->dist[h->len - 1] = h->dist[0];
      h->idx[h->len - 1] = h->idx[0];
      h->len--;
      knn_sift_down (h, 0, dist, j);
    }
  h->len = len;
}

/* dots[r][c] = unit row (i0 + r) . block column c, for the GROUP_I rows
 * from i0 (fewer at the end: rows past n left out) and the block's bt. */
static void
knn_group_dots (const float *unit, gsize n, gsize d, gsize i0, const float *bt, float dots[GROUP_I][BLOCK_J])
{
  memset (dots, 0, sizeof (float) * GROUP_I * BLOCK_J);
  for (gsize c = 0; c < d; c++)
    {
      const float *b = bt + c * BLOCK_J;

      for (gsize r = 0; r < GROUP_I && i0 + r < n; r++)
        {
          float a = unit[(i0 + r) * d + c];

          for (gsize jj = 0; jj < BLOCK_J; jj++)
            dots[r][jj] += a * b[jj];
        }
    }
}

gboolean
lm_layout_knn_cosine (const float *mat, gsize n, gsize d, gsize k, GCancellable *cancellable, guint32 *nbr,
                      double *dist)
{
  g_return_val_if_fail (k > 0 && k < n, FALSE);

  float *unit = g_new (float, n * d), *bt = g_new0 (float, d * BLOCK_J);
  KnnHeap *heaps = g_new (KnnHeap, n);
  gboolean done = TRUE;

  /* unit rows, the norm taken in double; a zero row stays zero (its dot
   * with anything 0, so at distance 1) */
  for (gsize i = 0; i < n; i++)
    {
      const float *x = mat + i * d;
      double s = 0;

      for (gsize c = 0; c < d; c++)
        s += (double) x[c] * x[c];
      s = s > 0 ? 1 / sqrt (s) : 0;
      for (gsize c = 0; c < d; c++)
        unit[i * d + c] = (float) (x[c] * s);
      heaps[i] = (KnnHeap) { dist + i * k, nbr + i * k, 0, k };
    }
  /* each pair once (i < j), offered to both rows' heaps */
  for (gsize j0 = 0; j0 < n && done; j0 += BLOCK_J)
    {
      gsize bj = MIN (BLOCK_J, n - j0);
      float dots[GROUP_I][BLOCK_J];

      for (gsize c = 0; c < d; c++)
        for (gsize jj = 0; jj < BLOCK_J; jj++)
          bt[c * BLOCK_J + jj] = jj < bj ? unit[(j0 + jj) * d + c] : 0;
      for (gsize i0 = 0; i0 < j0 + bj; i0 += GROUP_I)
        {
          if (g_cancellable_is_cancelled (cancellable))
            {
              done = FALSE;
              break;
            }
          knn_group_dots (unit, n, d, i0, bt, dots);
          for (gsize r = 0; r < GROUP_I && i0 + r < n; r++)
            for (gsize jj = 0; jj < bj; jj++)
              {
                gsize i = i0 + r, j = j0 + jj;
                /* clamped: rounding can take a unit dot past +-1 */
                double cd = 1 - CLAMP ((double) dots[r][jj], -1.0, 1.0);

                if (j <= i)
                  continue;
                knn_offer (&heaps[i], cd, (guint32) j);
                knn_offer (&heaps[j], cd, (guint32) i);
              }
        }
    }
  for (gsize i = 0; i < n && done; i++)
    knn_sort (&heaps[i]);
  g_free (unit);
  g_free (bt);
  g_free (heaps);
  return done;
}

int
lm_layout_entry_cmp (const void *a, const void *b)
{
  guint32 x = ((const LmLayoutEntry *) a)->col, y = ((const LmLayoutEntry *) b)->col;

  return x < y ? -1 : x > y;
}
