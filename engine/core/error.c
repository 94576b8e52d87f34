/* error.c: how engine errors reach the caller, and the shape/dim checks ops use.
 *
 * An error formats one message naming the op and the shapes, stores it per
 * thread for lm_last_error() and calls the handler. The default handler prints
 * the message and exits with status 1, as an uncaught Python exception ends a
 * script (no core dump: the program did nothing wrong, its input was);
 * tests install one that returns, and then the failing op returns NULL (every
 * op given a NULL input returns NULL too, so the error reaches the caller).
 * Not for: warnings or logging.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lm-engine-private.h"

static void default_handler(const char *message, void *user_data)
{
  (void)user_data;
  fflush(stdout); /* what the program printed so far comes first */
  fprintf(stderr, "lumen: error: %s\n", message);
  fflush(stderr);
  exit(1);
}

static lm_error_handler error_handler = default_handler;
static void *error_user_data;
static _Thread_local char last_error[1024];
static _Thread_local uint64_t error_serial;

void lm_set_error_handler(lm_error_handler handler, void *user_data)
{
  error_handler = handler ? handler : default_handler;
  error_user_data = handler ? user_data : NULL;
}

const char *lm_last_error(void)
{
  return last_error;
}

uint64_t lm_error_serial(void)
{
  return error_serial;
}

void lm_error(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
  error_serial++;
  error_handler(last_error, error_user_data);
}

char *lm_shape_str_n(int ndim, const int64_t *shape, char *buf, size_t len)
{
  size_t pos = 0;
  if (len == 0)
    return buf;
  pos += (size_t)snprintf(buf + pos, len - pos, "(");
  for (int i = 0; i < ndim && pos < len; i++)
    pos += (size_t)snprintf(buf + pos, len - pos, i ? "x%lld" : "%lld", (long long)shape[i]);
  if (pos < len)
    snprintf(buf + pos, len - pos, ")");
  return buf;
}

char *lm_shape_str(const lm_tensor *t, char *buf, size_t len)
{
  return lm_shape_str_n(t->ndim, t->shape, buf, len);
}

char *lm_shape_str_bare(const lm_tensor *t, char *buf, size_t len)
{
  if (len < 2) {
    if (len)
      buf[0] = '\0';
    return buf;
  }
  lm_shape_str_n(t->ndim, t->shape, buf, len);
  size_t n = strlen(buf);
  if (n && buf[n - 1] == ')')
    buf[--n] = '\0';
  memmove(buf, buf + 1, n); /* drops '(' and keeps the terminator */
  return buf;
}

bool lm_check_dtype(const char *op, const lm_tensor *t, lm_dtype dtype, const char *what)
{
  if (t->dtype == dtype)
    return true;
  lm_error("%s: expected %s to have dtype %s, got %s", op, what, lm_dtype_name(dtype),
           lm_dtype_name(t->dtype));
  return false;
}

bool lm_check_float(const char *op, const lm_tensor *t)
{
  if (t->dtype == LM_FLOAT32)
    return true;
  lm_error("%s: expected a float32 tensor, got %s (only float32 is implemented for this op)", op,
           lm_dtype_name(t->dtype));
  return false;
}

bool lm_check_same_device(const char *op, const lm_tensor *a, const lm_tensor *b)
{
  if (a->device.type == b->device.type && a->device.index == b->device.index)
    return true;
  char da[32], db[32];
  lm_device_name(a->device, da, sizeof da);
  lm_device_name(b->device, db, sizeof db);
  lm_error("%s: expected all tensors to be on the same device, but found at least two "
           "devices, %s and %s",
           op, da, db);
  return false;
}

bool lm_check_dim(const char *op, int *dim, int ndim)
{
  int d = *dim;
  int n = ndim > 0 ? ndim : 1; /* a 0-d tensor accepts dim 0 and -1, as in PyTorch */
  if (d < -n || d >= n) {
    /* PyTorch's wording; for unsqueeze the range is one wider than the tensor */
    lm_error("%s: dimension out of range (expected to be in range of [%d, %d], but got %d)", op, -n,
             n - 1, d);
    return false;
  }
  *dim = d < 0 ? d + n : d;
  return true;
}

bool lm_shape_equal(int ndim_a, const int64_t *a, int ndim_b, const int64_t *b)
{
  if (ndim_a != ndim_b)
    return false;
  for (int i = 0; i < ndim_a; i++)
    if (a[i] != b[i])
      return false;
  return true;
}

bool lm_same_shape(const lm_tensor *a, const lm_tensor *b)
{
  return lm_shape_equal(a->ndim, a->shape, b->ndim, b->shape);
}
