/* softmax-loss.c: CPU softmax / log_softmax and the classification and
 * regression losses (cross_entropy, nll_loss, mse_loss), forward and backward.
 *
 * Softmax subtracts the row max before exp (numerically stable); log_softmax
 * is (x - max) - log(sum(exp(x - max))), in that order. cross_entropy fuses log_softmax with
 * nll and keeps the probabilities, so its backward is (softmax - onehot) / N
 * (with reduction 'mean'). Sums over a row and over the batch are
 * accumulated in double.
 * Not for: other reductions (reduce.c).
 */
#include <math.h>
#include <string.h>

#include "cpu/lm-cpu.h"

void lm_cpu_softmax_f32(int64_t outer, int64_t n, int64_t inner, bool take_log, const float *in,
                        float *out)
{
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t i = 0; i < inner; i++) {
      const float *x = in + o * n * inner + i;
      float *y = out + o * n * inner + i;
      float mx = -INFINITY;
      for (int64_t j = 0; j < n; j++)
        mx = x[j * inner] > mx ? x[j * inner] : mx;
      if (isinf(mx) && mx < 0)
        mx = 0.0f; /* all -inf: keep exp(-inf - 0) = 0 rather than NaN from -inf - -inf */
      double s = 0;
      if (take_log) {
        for (int64_t j = 0; j < n; j++)
          s += expf(x[j * inner] - mx);
        /* (x - max) - log(sum), as PyTorch: max + log(sum) first would
         * lose log(sum) next to a large max (1e8 + 0.69 == 1e8 in float) */
        float ls = (float)log(s);
        for (int64_t j = 0; j < n; j++)
          y[j * inner] = (x[j * inner] - mx) - ls;
      } else {
        for (int64_t j = 0; j < n; j++) {
          float e = expf(x[j * inner] - mx);
          y[j * inner] = e;
          s += e;
        }
        float inv = (float)(1.0 / s);
        for (int64_t j = 0; j < n; j++)
          y[j * inner] *= inv;
      }
    }
  }
}

void lm_cpu_softmax_backward_f32(int64_t outer, int64_t n, int64_t inner, bool log,
                                 const float *gout, const float *y, float *gin)
{
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t i = 0; i < inner; i++) {
      int64_t base = o * n * inner + i;
      const float *g = gout + base, *yy = y + base;
      float *gi = gin + base;
      double s = 0;
      if (log) {
        for (int64_t j = 0; j < n; j++)
          s += g[j * inner];
        float sf = (float)s;
        for (int64_t j = 0; j < n; j++)
          gi[j * inner] = g[j * inner] - expf(yy[j * inner]) * sf;
      } else {
        for (int64_t j = 0; j < n; j++)
          s += (double)g[j * inner] * yy[j * inner];
        float sf = (float)s;
        for (int64_t j = 0; j < n; j++)
          gi[j * inner] = yy[j * inner] * (g[j * inner] - sf);
      }
    }
  }
}

/* Writes the reduced loss from the sum of the per-sample losses (NONE wrote
 * each sample's loss as it went). */
static void finish_loss(int64_t n, double total, int reduction, float *loss)
{
  if (reduction == LM_REDUCTION_SUM)
    *loss = (float)total;
  else if (reduction == LM_REDUCTION_MEAN)
    *loss = n ? (float)(total / (double)n) : NAN;
}

/* The factor sample i's gradient is scaled by: d(reduced loss)/d(loss_i) * gout. */
static inline float row_scale(int64_t n, int reduction, const float *gout, int64_t i)
{
  if (reduction == LM_REDUCTION_NONE)
    return gout[i];
  return reduction == LM_REDUCTION_SUM ? gout[0] : gout[0] / (float)n;
}

int64_t lm_cpu_cross_entropy_f32(int64_t n, int64_t c, const float *logits, const int64_t *target,
                                 int reduction, float *loss, float *probs)
{
  for (int64_t i = 0; i < n; i++)
    if (target[i] < 0 || target[i] >= c)
      return i;
  double total = 0;
  for (int64_t i = 0; i < n; i++) {
    const float *x = logits + i * c;
    float *p = probs + i * c;
    float mx = -INFINITY;
    for (int64_t j = 0; j < c; j++)
      mx = x[j] > mx ? x[j] : mx;
    double s = 0;
    for (int64_t j = 0; j < c; j++) {
      float e = expf(x[j] - mx);
      p[j] = e;
      s += e;
    }
    float inv = (float)(1.0 / s);
    for (int64_t j = 0; j < c; j++)
      p[j] *= inv;
    double row = (double)mx + log(s) - (double)x[target[i]];
    if (reduction == LM_REDUCTION_NONE)
      loss[i] = (float)row;
    total += row;
  }
  finish_loss(n, total, reduction, loss);
  return -1;
}

void lm_cpu_cross_entropy_backward_f32(int64_t n, int64_t c, int reduction, const float *gout,
                                       const float *probs, const int64_t *target, float *gin)
{
  for (int64_t i = 0; i < n; i++) {
    const float scale = row_scale(n, reduction, gout, i);
    const float *p = probs + i * c;
    float *g = gin + i * c;
    for (int64_t j = 0; j < c; j++)
      g[j] = p[j] * scale;
    g[target[i]] -= scale;
  }
}

int64_t lm_cpu_nll_loss_f32(int64_t n, int64_t c, const float *logp, const int64_t *target,
                            int reduction, float *loss)
{
  for (int64_t i = 0; i < n; i++)
    if (target[i] < 0 || target[i] >= c)
      return i;
  double total = 0;
  for (int64_t i = 0; i < n; i++) {
    double row = -(double)logp[i * c + target[i]];
    if (reduction == LM_REDUCTION_NONE)
      loss[i] = (float)row;
    total += row;
  }
  finish_loss(n, total, reduction, loss);
  return -1;
}

void lm_cpu_nll_loss_backward_f32(int64_t n, int64_t c, int reduction, const float *gout,
                                  const int64_t *target, float *gin)
{
  memset(gin, 0, (size_t)(n * c) * sizeof(float));
  for (int64_t i = 0; i < n; i++)
    gin[i * c + target[i]] = -row_scale(n, reduction, gout, i);
}

void lm_cpu_mse_loss_f32(int64_t n, const float *a, const float *b, float *loss)
{
  double s = 0;
  for (int64_t i = 0; i < n; i++) {
    double d = (double)a[i] - b[i];
    s += d * d;
  }
  *loss = n ? (float)(s / (double)n) : NAN;
}

void lm_cpu_mse_loss_backward_f32(int64_t n, const float *gout, const float *a, const float *b,
                                  float *ga, float *gb)
{
  float scale = 2.0f * gout[0] / (float)n;
  for (int64_t i = 0; i < n; i++) {
    float d = (a[i] - b[i]) * scale;
    if (ga)
      ga[i] = d;
    if (gb)
      gb[i] = -d;
  }
}
