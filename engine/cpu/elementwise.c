/* elementwise.c: CPU kernels for strided copies and elementwise arithmetic.
 *
 * The iterator arrives collapsed (lm_iter_init merges dims that are contiguous
 * for every operand), so the hot cases are a single inner loop: all unit
 * strides (same-shape tensors), a stride-0 operand (scalar or bias broadcast
 * over rows), handled by specialised loops the compiler vectorises. Index
 * arithmetic happens once per row, never per element.
 * Not for: reductions (reduce.c) or anything that allocates.
 */
#include <math.h>
#include <string.h>

#include "cpu/lm-cpu.h"

/* Walks the outer dims of a collapsed iterator, calling BODY once per
 * innermost row with po/pa/pb the row's element offsets. */
#define ITER_ROWS(it, BODY)                                                          \
  do {                                                                               \
    int nd_ = (it)->ndim;                                                            \
    int64_t rows_ = 1;                                                               \
    for (int d_ = 0; d_ < nd_ - 1; d_++)                                             \
      rows_ *= (it)->shape[d_];                                                      \
    int64_t idx_[LM_MAX_DIMS] = {0};                                                 \
    int64_t po = 0, pa = 0, pb = 0;                                                  \
    for (int64_t r_ = 0; r_ < rows_; r_++) {                                         \
      BODY;                                                                          \
      for (int d_ = nd_ - 2; d_ >= 0; d_--) {                                        \
        po += (it)->stride[0][d_];                                                   \
        pa += (it)->stride[1][d_];                                                   \
        pb += (it)->stride[2][d_];                                                   \
        if (++idx_[d_] < (it)->shape[d_])                                            \
          break;                                                                     \
        po -= (it)->stride[0][d_] * (it)->shape[d_];                                 \
        pa -= (it)->stride[1][d_] * (it)->shape[d_];                                 \
        pb -= (it)->stride[2][d_] * (it)->shape[d_];                                 \
        idx_[d_] = 0;                                                                \
      }                                                                              \
    }                                                                                \
  } while (0)

void lm_cpu_copy_strided(const lm_iter *it, size_t elem_size, void *out, const void *a)
{
  if (it->ndim == 0) {
    memcpy(out, a, elem_size);
    return;
  }
  int64_t n = it->shape[it->ndim - 1];
  int64_t so = it->stride[0][it->ndim - 1], sa = it->stride[1][it->ndim - 1];
  if (elem_size == 4) {
    float *o = out;
    const float *x = a;
    ITER_ROWS(it, {
      float *orow = o + po;
      const float *xrow = x + pa;
      if (so == 1 && sa == 1)
        memcpy(orow, xrow, (size_t)n * 4);
      else if (so == 1 && sa == 0) {
        float v = xrow[0];
        for (int64_t i = 0; i < n; i++)
          orow[i] = v;
      } else
        for (int64_t i = 0; i < n; i++)
          orow[i * so] = xrow[i * sa];
    });
  } else {
    int64_t *o = out;
    const int64_t *x = a;
    ITER_ROWS(it, {
      int64_t *orow = o + po;
      const int64_t *xrow = x + pa;
      if (so == 1 && sa == 1)
        memcpy(orow, xrow, (size_t)n * 8);
      else
        for (int64_t i = 0; i < n; i++)
          orow[i * so] = xrow[i * sa];
    });
  }
}

static inline float pow_da(float x, float y)
{
  if (y == 0.0f)
    return 0.0f;
  return y * powf(x, y - 1.0f);
}

static inline float pow_db(float x, float y)
{
  if (x == 0.0f && y >= 0.0f)
    return 0.0f;
  return powf(x, y) * logf(x);
}

/* One inner row: o[i*so] = EXPR(x = a[i*sa], y = b[i*sb]), with fast paths. */
#define BIN_ROW(EXPR)                                                                \
  do {                                                                               \
    if (so == 1 && sa == 1 && sb == 1) {                                             \
      for (int64_t i = 0; i < n; i++) {                                              \
        float x = ar[i], y = br[i];                                                  \
        orw[i] = (EXPR);                                                             \
      }                                                                              \
    } else if (so == 1 && sa == 1 && sb == 0) {                                      \
      float y = br[0];                                                               \
      for (int64_t i = 0; i < n; i++) {                                              \
        float x = ar[i];                                                             \
        orw[i] = (EXPR);                                                             \
      }                                                                              \
    } else if (so == 1 && sa == 0 && sb == 1) {                                      \
      float x = ar[0];                                                               \
      for (int64_t i = 0; i < n; i++) {                                              \
        float y = br[i];                                                             \
        orw[i] = (EXPR);                                                             \
      }                                                                              \
    } else {                                                                         \
      for (int64_t i = 0; i < n; i++) {                                              \
        float x = ar[i * sa], y = br[i * sb];                                        \
        orw[i * so] = (EXPR);                                                        \
      }                                                                              \
    }                                                                                \
  } while (0)

#define BIN_KERNEL(EXPR)                                                             \
  ITER_ROWS(it, {                                                                    \
    float *orw = out + po;                                                           \
    const float *ar = a + pa;                                                        \
    const float *br = b + pb;                                                        \
    BIN_ROW(EXPR);                                                                   \
  })

void lm_cpu_binary_f32(lm_binary_op op, const lm_iter *it, float *out, const float *a, const float *b)
{
  if (it->ndim == 0) {
    lm_iter one = *it;
    one.ndim = 1;
    one.shape[0] = 1;
    lm_cpu_binary_f32(op, &one, out, a, b);
    return;
  }
  int64_t n = it->shape[it->ndim - 1];
  int64_t so = it->stride[0][it->ndim - 1];
  int64_t sa = it->stride[1][it->ndim - 1];
  int64_t sb = it->stride[2][it->ndim - 1];
  switch (op) {
  case LM_BIN_ADD: BIN_KERNEL(x + y); break;
  case LM_BIN_SUB: BIN_KERNEL(x - y); break;
  case LM_BIN_MUL: BIN_KERNEL(x * y); break;
  case LM_BIN_DIV: BIN_KERNEL(x / y); break;
  case LM_BIN_POW: BIN_KERNEL(powf(x, y)); break;
  case LM_BIN_POW_DA: BIN_KERNEL(pow_da(x, y)); break;
  case LM_BIN_POW_DB: BIN_KERNEL(pow_db(x, y)); break;
  }
}

static inline float gelu_f(float x)
{
  return 0.5f * x * (1.0f + erff(x * (float)M_SQRT1_2));
}

static inline float sigmoid_f(float x)
{
  return 1.0f / (1.0f + expf(-x));
}

#define UN_LOOP(EXPR)                                                                \
  for (int64_t i = 0; i < n; i++) {                                                  \
    float x = a[i];                                                                  \
    out[i] = (EXPR);                                                                 \
  }

void lm_cpu_unary_f32(lm_unary_op op, int64_t n, const float *a, float p0, float p1, float *out)
{
  switch (op) {
  case LM_UN_NEG: UN_LOOP(-x); break;
  case LM_UN_EXP: UN_LOOP(expf(x)); break;
  case LM_UN_LOG: UN_LOOP(logf(x)); break;
  case LM_UN_SQRT: UN_LOOP(sqrtf(x)); break;
  case LM_UN_ABS: UN_LOOP(fabsf(x)); break;
  /* NaN stays NaN, as torch.relu. */
  case LM_UN_RELU: UN_LOOP(x > 0.0f ? x : (x != x ? x : 0.0f)); break;
  case LM_UN_SIGMOID: UN_LOOP(sigmoid_f(x)); break;
  case LM_UN_TANH: UN_LOOP(tanhf(x)); break;
  case LM_UN_GELU: UN_LOOP(gelu_f(x)); break;
  case LM_UN_CLAMP: UN_LOOP((x < p0 ? p0 : x) > p1 ? p1 : (x < p0 ? p0 : x)); break; /* torch: min(max(x, lo), hi) */
  case LM_UN_ADD_SCALAR: UN_LOOP(x + p0); break;
  case LM_UN_MUL_SCALAR: UN_LOOP(x * p0); break;
  case LM_UN_DIV_SCALAR: UN_LOOP(x / p0); break;
  case LM_UN_POW_SCALAR:
    if (p0 == 2.0f)
      UN_LOOP(x * x)
    else if (p0 == 1.0f)
      UN_LOOP(x)
    else
      UN_LOOP(powf(x, p0))
    break;
  case LM_UN_RSUB_SCALAR: UN_LOOP(p0 - x); break;
  }
}

#define UNB_LOOP(EXPR)                                                               \
  for (int64_t i = 0; i < n; i++) {                                                  \
    float g = gout[i];                                                               \
    gin[i] = (EXPR);                                                                 \
  }

void lm_cpu_unary_backward_f32(lm_unary_op op, int64_t n, const float *gout, const float *x,
                               const float *y, float p0, float p1, float *gin)
{
  const float inv_sqrt_2pi = 0.3989422804014327f;
  switch (op) {
  case LM_UN_NEG: UNB_LOOP(-g); break;
  case LM_UN_EXP: UNB_LOOP(g * y[i]); break;
  case LM_UN_LOG: UNB_LOOP(g / x[i]); break;
  case LM_UN_SQRT: UNB_LOOP(g / (2.0f * y[i])); break;
  /* g * sgn(x), as PyTorch: sgn(0) = sgn(NaN) = 0, so an Inf or NaN g at 0 stays NaN */
  case LM_UN_ABS: UNB_LOOP(x[i] > 0.0f ? g : (x[i] < 0.0f ? -g : g * 0.0f)); break;
  /* threshold_backward: 0 where y <= 0, else g (y NaN lets a NaN through) */
  case LM_UN_RELU: UNB_LOOP(y[i] <= 0.0f ? 0.0f : g); break;
  case LM_UN_SIGMOID: UNB_LOOP(g * y[i] * (1.0f - y[i])); break;
  case LM_UN_TANH: UNB_LOOP(g * (1.0f - y[i] * y[i])); break;
  case LM_UN_GELU:
    UNB_LOOP(g * (0.5f * (1.0f + erff(x[i] * (float)M_SQRT1_2)) +
                  x[i] * inv_sqrt_2pi * expf(-0.5f * x[i] * x[i])));
    break;
  case LM_UN_CLAMP: UNB_LOOP((x[i] >= p0 && x[i] <= p1) ? g : 0.0f); break;
  case LM_UN_ADD_SCALAR: UNB_LOOP(g); break;
  case LM_UN_MUL_SCALAR: UNB_LOOP(g * p0); break;
  case LM_UN_DIV_SCALAR: UNB_LOOP(g / p0); break;
  case LM_UN_POW_SCALAR:
    if (p0 == 0.0f)
      memset(gin, 0, (size_t)n * sizeof(float));
    else if (p0 == 2.0f)
      UNB_LOOP(2.0f * g * x[i])
    else
      UNB_LOOP(g * p0 * powf(x[i], p0 - 1.0f))
    break;
  case LM_UN_RSUB_SCALAR: UNB_LOOP(-g); break;
  }
  (void)p1;
}
