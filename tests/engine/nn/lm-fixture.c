/* lm-fixture.c: the .lmfx reader and comparisons of lm-fixture.h. */
#include "lm-fixture.h"

#include <math.h>
#include <string.h>

static gboolean take(const guint8 **p, const guint8 *end, void *dst, size_t n)
{
  if ((size_t)(end - *p) < n)
    return FALSE;
  memcpy(dst, *p, n);
  *p += n;
  return TRUE;
}

lm_fx_file *lm_fx_load(const char *name)
{
  g_autofree char *path = g_test_build_filename(G_TEST_DIST, "engine", "fixtures", name, NULL);
  g_autofree guint8 *bytes = NULL;
  gsize len = 0;
  g_autoptr(GError) err = NULL;
  if (!g_file_get_contents(path, (char **)&bytes, &len, &err))
    g_error("fixture %s: %s (regenerate with tests/engine/gen_fixtures.py)", path, err->message);
  const guint8 *p = bytes, *end = bytes + len;
  char magic[4];
  guint32 version = 0, count = 0;
  if (!take(&p, end, magic, 4) || memcmp(magic, "LMFX", 4) != 0 ||
      !take(&p, end, &version, 4) || version != 1 || !take(&p, end, &count, 4))
    g_error("fixture %s: not an LMFX version 1 file", path);
  lm_fx_file *f = g_new0(lm_fx_file, 1);
  f->tensors = g_new0(lm_fx_tensor, count);
  for (guint32 i = 0; i < count; i++) {
    lm_fx_tensor *t = &f->tensors[i];
    guint16 nlen = 0;
    guint8 dtype = 0, ndim = 0;
    if (!take(&p, end, &nlen, 2))
      g_error("fixture %s: truncated at tensor %u", path, i);
    t->name = g_malloc0(nlen + 1u);
    if (!take(&p, end, t->name, nlen) || !take(&p, end, &dtype, 1) || !take(&p, end, &ndim, 1) ||
        dtype > 1 || ndim > LM_MAX_DIMS)
      g_error("fixture %s: bad header for tensor %u", path, i);
    f->n = (int)i + 1;
    t->dtype = dtype;
    t->ndim = ndim;
    t->numel = 1;
    for (int d = 0; d < ndim; d++) {
      if (!take(&p, end, &t->shape[d], 8) || t->shape[d] < 0)
        g_error("fixture %s: bad shape for %s", path, t->name);
      t->numel *= t->shape[d];
    }
    size_t nbytes = (size_t)t->numel * (dtype ? 8 : 4);
    t->data = g_malloc(nbytes ? nbytes : 1);
    if (!take(&p, end, t->data, nbytes))
      g_error("fixture %s: truncated data for %s", path, t->name);
  }
  if (p != end)
    g_error("fixture %s: %zu trailing bytes", path, (size_t)(end - p));
  return f;
}

void lm_fx_free(lm_fx_file *f)
{
  if (!f)
    return;
  for (int i = 0; i < f->n; i++) {
    g_free(f->tensors[i].name);
    g_free(f->tensors[i].data);
  }
  g_free(f->tensors);
  g_free(f);
}

const lm_fx_tensor *lm_fx_find(const lm_fx_file *f, const char *name)
{
  for (int i = 0; i < f->n; i++)
    if (strcmp(f->tensors[i].name, name) == 0)
      return &f->tensors[i];
  return NULL;
}

const lm_fx_tensor *lm_fx_get(const lm_fx_file *f, const char *name)
{
  const lm_fx_tensor *t = lm_fx_find(f, name);
  if (!t)
    g_error("fixture entry %s is missing (regenerate with tests/engine/gen_fixtures.py)", name);
  return t;
}

lm_tensor *lm_fx_tensor_new(const lm_fx_tensor *t)
{
  if (t->dtype == 1)
    return lm_tensor_from_int64(t->data, t->ndim, t->shape);
  return lm_tensor_from_data(t->data, t->ndim, t->shape);
}

double lm_fx_f64(const lm_fx_tensor *t, int64_t i)
{
  g_assert_cmpint(t->dtype, ==, 1);
  g_assert_cmpint(i, <, t->numel);
  double v;
  memcpy(&v, (const int64_t *)t->data + i, sizeof v);
  return v;
}

void lm_fx_assert_close(const lm_tensor *got, const lm_fx_tensor *want, double rtol, double atol,
                        const char *what)
{
  if (!got)
    g_error("%s: got NULL (%s)", what, lm_last_error() ? lm_last_error() : "no error message");
  if (got->ndim != want->ndim)
    g_error("%s: got %d dims, want %d", what, got->ndim, want->ndim);
  for (int d = 0; d < want->ndim; d++)
    if (got->shape[d] != want->shape[d])
      g_error("%s: dim %d is %lld, want %lld", what, d, (long long)got->shape[d],
              (long long)want->shape[d]);
  g_assert_cmpint(want->dtype, ==, 0);
  float *buf = g_new(float, want->numel ? want->numel : 1);
  lm_tensor_copy_to_host(got, buf);
  const float *w = want->data;
  for (int64_t i = 0; i < want->numel; i++) {
    double g = buf[i], e = w[i];
    if (isnan(g) && isnan(e))
      continue;
    if (!(fabs(g - e) <= atol + rtol * fabs(e)))
      g_error("%s: element %lld is %.9g, PyTorch gives %.9g (diff %.3g)", what, (long long)i, g,
              e, fabs(g - e));
  }
  g_free(buf);
}
