/* lm-layout-setup.c: what the t-SNE and UMAP set-ups share (see
 * lm-layout-setup.h). */
#include "lm-layout-setup.h"

#include <math.h>

#include "lm-embedding.h"

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

gboolean
lm_layout_reduce (const char *method, const float *mat, gsize n, gsize d, gsize dims, const LmLayoutStageHook *hook,
                  GCancellable *cancellable, float **out, char **error)
{
  char *pca_error = NULL;

  *out = NULL;
  if (d <= dims)
    return TRUE;
  *out = g_new (float, n * dims);
  lm_layout_stage (hook, "pca");
  if (lm_embedding_pca_cancellable (mat, n, d, (int) dims, *out, NULL, NULL, cancellable, &pca_error))
    return TRUE;
  /* cancelled is said as the set-up's, not the PCA's */
  *error = g_cancellable_is_cancelled (cancellable) ? lm_layout_cancelled (method) : g_steal_pointer (&pca_error);
  g_free (pca_error);
  g_clear_pointer (out, g_free);
  return FALSE;
}

int
lm_layout_entry_cmp (const void *a, const void *b)
{
  guint32 x = ((const LmLayoutEntry *) a)->col, y = ((const LmLayoutEntry *) b)->col;

  return x < y ? -1 : x > y;
}
