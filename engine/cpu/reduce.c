/* reduce.c: CPU reductions over the middle dim of an (outer, n, inner) layout.
 *
 * inner == 1 (reducing the last dim, or everything) sums each row in double;
 * inner > 1 (e.g. a bias gradient: sum over the batch) accumulates whole rows
 * into the output, which vectorises over inner. max/argmax propagate NaN as
 * PyTorch does and return the first index of the maximum.
 * Not for: softmax or losses (softmax-loss.c).
 */
#include <math.h>
#include <string.h>

#include "cpu/lm-cpu.h"

static void reduce_sum(int64_t outer, int64_t n, int64_t inner, const float *in, float *out)
{
  if (inner == 1) {
    for (int64_t o = 0; o < outer; o++) {
      const float *row = in + o * n;
      /* Four double accumulators: exact enough, and not one long dependency chain. */
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      int64_t i = 0;
      for (; i + 4 <= n; i += 4) {
        s0 += row[i];
        s1 += row[i + 1];
        s2 += row[i + 2];
        s3 += row[i + 3];
      }
      for (; i < n; i++)
        s0 += row[i];
      out[o] = (float)((s0 + s1) + (s2 + s3));
    }
    return;
  }
  for (int64_t o = 0; o < outer; o++) {
    float *dst = out + o * inner;
    const float *src = in + o * n * inner;
    if (n == 0) {
      memset(dst, 0, (size_t)inner * sizeof(float));
      continue;
    }
    memcpy(dst, src, (size_t)inner * sizeof(float));
    for (int64_t j = 1; j < n; j++) {
      const float *r = src + j * inner;
      for (int64_t i = 0; i < inner; i++)
        dst[i] += r[i];
    }
  }
}

static void reduce_max(int64_t outer, int64_t n, int64_t inner, const float *in, float *out,
                       int64_t *idx)
{
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t i = 0; i < inner; i++) {
      const float *p = in + o * n * inner + i;
      float best = p[0];
      int64_t bi = 0;
      for (int64_t j = 1; j < n && !isnan(best); j++) {
        float v = p[j * inner];
        if (v > best || isnan(v)) {
          best = v;
          bi = j;
        }
      }
      if (out)
        out[o * inner + i] = best;
      if (idx)
        idx[o * inner + i] = bi;
    }
  }
}

void lm_cpu_reduce_f32(lm_reduce_op op, int64_t outer, int64_t n, int64_t inner, const float *in,
                       float *out, int64_t *idx)
{
  switch (op) {
  case LM_RED_SUM:
    reduce_sum(outer, n, inner, in, out);
    break;
  case LM_RED_MEAN:
    reduce_sum(outer, n, inner, in, out);
    for (int64_t i = 0; i < outer * inner; i++)
      out[i] = n ? out[i] / (float)n : NAN;
    break;
  case LM_RED_MAX:
    reduce_max(outer, n, inner, in, out, idx);
    break;
  case LM_RED_ARGMAX:
    reduce_max(outer, n, inner, in, NULL, idx);
    break;
  }
}

void lm_cpu_scatter_dim_f32(int64_t outer, int64_t n, int64_t inner, const float *gout,
                            const int64_t *idx, float *gin)
{
  memset(gin, 0, (size_t)(outer * n * inner) * sizeof(float));
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++)
      gin[(o * n + idx[o * inner + i]) * inner + i] = gout[o * inner + i];
}

/* A tie with the maximum: equal, or both NaN (max propagates NaN). */
static inline bool is_max(float v, float m)
{
  return v == m || (isnan(v) && isnan(m));
}

void lm_cpu_max_all_backward_f32(int64_t n, const float *x, const float *value, const float *gout,
                                 float *gin)
{
  int64_t k = 0;
  for (int64_t i = 0; i < n; i++)
    k += is_max(x[i], value[0]);
  const float share = k ? gout[0] / (float)k : 0.0f;
  for (int64_t i = 0; i < n; i++)
    gin[i] = is_max(x[i], value[0]) ? share : 0.0f;
}
