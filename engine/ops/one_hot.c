/* one_hot.c: F.one_hot, Keras's to_categorical and tensor.to(dtype).
 *
 * one_hot checks its labels on the host (a CUDA tensor's are copied over, as
 * PyTorch's one_hot synchronises to find the min and max): a label below 0 or
 * not below num_classes is an error naming the label and its position, and
 * num_classes = -1 takes the largest label + 1. The backend then writes the
 * (..., C) int64 or float32 rows. lm_to_dtype converts between float32 and
 * int64 (PyTorch's rules: truncation toward zero), so
 * lm_to_dtype(lm_one_hot(y, 10), LM_FLOAT32) is one_hot(y, 10).float() and
 * lm_to_categorical(y, 10) is the same in one kernel.
 *
 * Not for: gathering or scattering by index in general.
 */
#include <stdlib.h>

#include "lm-backend.h"
#include "lm-engine-private.h"

/* Host copy of a contiguous int64 tensor's n values (malloc'd), or NULL. */
static int64_t *labels_to_host(const char *op, const lm_tensor *c, int64_t n)
{
  int64_t *h = malloc((size_t)(n ? n : 1) * sizeof *h);
  if (!h) {
    lm_error("%s: out of memory reading %lld labels", op, (long long)n);
    return NULL;
  }
  lm_backend_of(c->device)->copy_to_host(c->device.index, h, lm_data_ptr(c),
                                         (size_t)n * sizeof *h);
  return h;
}

static lm_tensor *one_hot(const char *op, const lm_tensor *labels, int64_t num_classes,
                          bool as_float)
{
  int64_t t0 = lm_op_start(labels);
  char b1[LM_SHAPE_STR_LEN];
  if (!labels)
    return NULL;
  if (labels->dtype != LM_INT64) {
    lm_error("%s: one_hot is only applicable to index tensor (int64 class labels), got dtype %s",
             op, lm_dtype_name(labels->dtype));
    return NULL;
  }
  if (labels->ndim >= LM_MAX_DIMS) {
    lm_error("%s: labels %s have too many dims for a one-hot (at most %d)", op,
             lm_shape_str(labels, b1, sizeof b1), LM_MAX_DIMS - 1);
    return NULL;
  }
  const int64_t n = lm_numel(labels);
  /* PyTorch 1.13 refuses num_classes <= 0 for no labels with this message
   * (it does not give an empty (..., 0) tensor for num_classes 0) */
  if (n == 0 && num_classes <= 0) {
    lm_error("%s: Can not infer total number of classes from empty tensor.", op);
    return NULL;
  }
  if (num_classes < -1 || num_classes == 0) {
    lm_error("%s: num_classes must be positive or -1 (the largest label + 1), got %lld", op,
             (long long)num_classes);
    return NULL;
  }
  lm_tensor *lc = lm_contiguous_owned(labels);
  int64_t *h = lc ? labels_to_host(op, lc, n) : NULL;
  if (!h) {
    lm_tensor_release(lc);
    return NULL;
  }
  int64_t mx = -1;
  for (int64_t i = 0; i < n; i++)
    mx = h[i] > mx ? h[i] : mx;
  const int64_t c = num_classes != -1 ? num_classes : mx < INT64_MAX ? mx + 1 : mx;
  for (int64_t i = 0; i < n; i++) {
    if (h[i] < 0 || h[i] >= c) {
      if (h[i] < 0)
        lm_error("%s: Class values must be non-negative, got %lld (at position %lld)", op,
                 (long long)h[i], (long long)i);
      else
        lm_error("%s: Class values must be smaller than num_classes (%lld), got %lld (at "
                 "position %lld)", op, (long long)c, (long long)h[i], (long long)i);
      free(h);
      lm_tensor_release(lc);
      return NULL;
    }
  }
  free(h);
  int64_t shape[LM_MAX_DIMS];
  for (int d = 0; d < labels->ndim; d++)
    shape[d] = labels->shape[d];
  shape[labels->ndim] = c;
  lm_tensor *out = lm_tensor_new_out(labels->ndim + 1, shape, as_float ? LM_FLOAT32 : LM_INT64,
                                     labels->device);
  if (out && n * c > 0)
    lm_backend_of(labels->device)->one_hot(n, c, lm_data_ptr(lc), as_float, lm_data_ptr(out));
  lm_tensor_release(lc);
  lm_hook_forward(op, NULL, out, t0);
  return out;
}

lm_tensor *lm_one_hot(const lm_tensor *labels, int64_t num_classes)
{
  return one_hot("one_hot", labels, num_classes, false);
}

lm_tensor *lm_to_categorical(const lm_tensor *labels, int64_t num_classes)
{
  return one_hot("to_categorical", labels, num_classes, true);
}

lm_tensor *lm_to_dtype(const lm_tensor *t, lm_dtype dtype)
{
  int64_t t0 = lm_op_start(t);
  if (!t)
    return NULL;
  if (dtype != LM_FLOAT32 && dtype != LM_INT64) {
    lm_error("to: dtype %s is not supported yet (float32 and int64 are)", lm_dtype_name(dtype));
    return NULL;
  }
  if (t->dtype == dtype)
    return lm_scope_adopt(lm_tensor_retain((lm_tensor *)t));
  lm_tensor *c = lm_contiguous_owned(t);
  lm_tensor *out = c ? lm_tensor_new_out(t->ndim, t->shape, dtype, t->device) : NULL;
  if (out && lm_numel(t) > 0)
    lm_backend_of(t->device)->convert(lm_numel(t), t->dtype, lm_data_ptr(c), dtype,
                                      lm_data_ptr(out));
  lm_tensor_release(c);
  lm_hook_forward("to", NULL, out, t0);
  return out;
}
