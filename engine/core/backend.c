/* backend.c: the dispatch point (device -> backend table) and the strided
 * iterator that elementwise kernels of every backend consume.
 *
 * This is the only file that knows which backends are built in. A CUDA build
 * defines LM_HAVE_CUDA_BACKEND and provides lm_cuda_backend(); without it a
 * cuda tensor is refused with a clear message. Not for: kernels.
 */
#include <string.h>

#include "lm-backend.h"
#include "lm-engine-private.h"

#include "cuda/lumen-cuda.h" /* lm_cuda_unavailable_reason(): why cuda cannot be used */

#ifdef LM_HAVE_CUDA_BACKEND
const lm_backend *lm_cuda_backend(void);
#endif

static const lm_backend *cuda_backend_or_null(void)
{
#ifdef LM_HAVE_CUDA_BACKEND
  return lm_cuda_backend();
#else
  return NULL;
#endif
}

const lm_backend *lm_backend_of(lm_device device)
{
  if (device.type == LM_DEVICE_CPU)
    return lm_cpu_backend();
  if (device.type == LM_DEVICE_CUDA) {
    const lm_backend *be = cuda_backend_or_null();
    if (!be) {
      lm_error("cuda: %s", lm_cuda_unavailable_reason());
      return NULL;
    }
    int count = be->device_count();
    if (device.index < 0 || device.index >= count) {
      if (count == 0)
        lm_error("cuda: %s (asked for cuda:%d)", lm_cuda_unavailable_reason(), device.index);
      else
        lm_error("cuda: device cuda:%d does not exist (%d device%s available)", device.index, count,
                 count == 1 ? "" : "s");
      return NULL;
    }
    return be;
  }
  lm_error("unknown device type %d", (int)device.type);
  return NULL;
}

const lm_backend *lm_backend_of_tensor(const lm_tensor *t)
{
  return t ? lm_backend_of(t->device) : NULL;
}

bool lm_cuda_is_available(void)
{
  const lm_backend *be = cuda_backend_or_null();
  return be && be->device_count() > 0;
}

bool lm_broadcast_shape(const char *op, const lm_tensor *a, const lm_tensor *b, int *ndim,
                        int64_t *shape)
{
  int n = a->ndim > b->ndim ? a->ndim : b->ndim;
  for (int i = 0; i < n; i++) {
    int ia = a->ndim - n + i, ib = b->ndim - n + i;
    int64_t sa = ia >= 0 ? a->shape[ia] : 1;
    int64_t sb = ib >= 0 ? b->shape[ib] : 1;
    if (sa != sb && sa != 1 && sb != 1) {
      char ba[LM_SHAPE_STR_LEN], bb[LM_SHAPE_STR_LEN];
      lm_error("%s: shapes %s and %s cannot be broadcast (size %lld vs %lld at dim %d)", op,
               lm_shape_str(a, ba, sizeof ba), lm_shape_str(b, bb, sizeof bb), (long long)sa,
               (long long)sb, i);
      return false;
    }
    shape[i] = sa == 1 ? sb : sa;
  }
  *ndim = n;
  return true;
}

void lm_iter_collapse(lm_iter *it, int n_ops)
{
  /* Drop size-1 dims (their strides never matter). */
  int n = 0;
  for (int d = 0; d < it->ndim; d++) {
    if (it->shape[d] == 1)
      continue;
    it->shape[n] = it->shape[d];
    for (int k = 0; k < n_ops; k++)
      it->stride[k][n] = it->stride[k][d];
    n++;
  }
  /* Merge dim d into the previous one when every operand steps over it
   * contiguously: stride[prev] == stride[d] * shape[d]. */
  int m = 0;
  for (int d = 0; d < n; d++) {
    if (m > 0) {
      bool ok = true;
      for (int k = 0; k < n_ops && ok; k++)
        ok = it->stride[k][m - 1] == it->stride[k][d] * it->shape[d];
      if (ok) {
        it->shape[m - 1] *= it->shape[d];
        for (int k = 0; k < n_ops; k++)
          it->stride[k][m - 1] = it->stride[k][d];
        continue;
      }
    }
    it->shape[m] = it->shape[d];
    for (int k = 0; k < n_ops; k++)
      it->stride[k][m] = it->stride[k][d];
    m++;
  }
  it->ndim = m;
  for (int d = m; d < LM_MAX_DIMS; d++) {
    it->shape[d] = 1;
    for (int k = 0; k < 3; k++)
      it->stride[k][d] = 0;
  }
}

void lm_iter_init(lm_iter *it, int ndim, const int64_t *shape, int n_ops,
                  const lm_tensor *const *ops)
{
  memset(it, 0, sizeof *it);
  it->ndim = ndim;
  for (int d = 0; d < ndim; d++)
    it->shape[d] = shape[d];
  for (int k = 0; k < n_ops; k++) {
    const lm_tensor *t = ops[k];
    for (int d = 0; d < ndim; d++) {
      int td = t->ndim - ndim + d;
      it->stride[k][d] = (td >= 0 && t->shape[td] != 1) ? t->stride[td] : 0;
    }
  }
  lm_iter_collapse(it, n_ops);
}
