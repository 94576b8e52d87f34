/* softmax-loss.c: CPU softmax / log_softmax and the classification and
 * regression losses (cross_entropy with class indices or class probabilities,
 * nll_loss, mse_loss), forward and backward.
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

/* Position of the first target neither in [0, c) nor ignored, or -1. */
static int64_t first_bad_target(int64_t n, int64_t c, const int64_t *target, int64_t ignore)
{
  for (int64_t i = 0; i < n; i++)
    if (target[i] != ignore && (target[i] < 0 || target[i] >= c))
      return i;
  return -1;
}

/* Writes the reduced loss from the sum of the per-sample losses (NONE wrote
 * each sample's loss as it went), and stats: the mean's divisor (the sum of
 * the targets' weights) and the sum of all class weights. */
static void finish_loss(int64_t c, double total, double divisor, const lm_class_loss_args *a,
                        float *loss, float *stats)
{
  double all = 0;
  for (int64_t j = 0; j < c; j++)
    all += a->weight ? a->weight[j] : 1.0f;
  stats[0] = (float)divisor;
  stats[1] = (float)all;
  if (a->reduction == LM_REDUCTION_SUM)
    *loss = (float)total;
  else if (a->reduction == LM_REDUCTION_MEAN)
    *loss = (float)(total / divisor); /* 0/0: NaN, as PyTorch over no (unignored) target */
}

/* The factor sample i's gradient is scaled by: d(reduced loss)/d(loss_i) * gout. */
static inline float row_scale(int reduction, const float *gout, const float *stats, int64_t i)
{
  if (reduction == LM_REDUCTION_NONE)
    return gout[i];
  return reduction == LM_REDUCTION_SUM ? gout[0] : gout[0] / stats[0];
}

int64_t lm_cpu_cross_entropy_f32(int64_t n, int64_t c, const float *logits, const int64_t *target,
                                 const lm_class_loss_args *a, float *loss, float *probs,
                                 float *stats)
{
  int64_t bad = first_bad_target(n, c, target, a->ignore_index);
  if (bad >= 0)
    return bad;
  const double eps = a->label_smoothing;
  double total = 0, divisor = 0;
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
    double row = 0;
    if (target[i] != a->ignore_index) {
      const double lse = (double)mx + log(s), wt = a->weight ? a->weight[target[i]] : 1.0;
      row = wt * (lse - (double)x[target[i]]);
      if (eps > 0) {
        /* -sum_j w_j logp_j = sum_j w_j (lse - x_j) */
        double smooth = 0;
        for (int64_t j = 0; j < c; j++)
          smooth += (a->weight ? a->weight[j] : 1.0) * (lse - (double)x[j]);
        row = (1 - eps) * row + eps / (double)c * smooth;
      }
      divisor += wt;
    }
    if (a->reduction == LM_REDUCTION_NONE)
      loss[i] = (float)row;
    total += row;
  }
  finish_loss(c, total, divisor, a, loss, stats);
  return -1;
}

void lm_cpu_cross_entropy_backward_f32(int64_t n, int64_t c, const lm_class_loss_args *a,
                                       const float *gout, const float *probs,
                                       const int64_t *target, const float *stats, float *gin)
{
  const float eps = a->label_smoothing;
  for (int64_t i = 0; i < n; i++) {
    float *g = gin + i * c;
    if (target[i] == a->ignore_index) {
      memset(g, 0, (size_t)c * sizeof(float));
      continue;
    }
    const float scale = row_scale(a->reduction, gout, stats, i);
    const float wt = a->weight ? a->weight[target[i]] : 1.0f;
    /* s ((1-e) wt (p - onehot) + e/c (W p - w)) = p ps - onehot ts - w ws */
    const float ts = eps > 0 ? scale * (1 - eps) * wt : scale * wt;
    const float ws = scale * eps / (float)c;
    const float ps = eps > 0 ? ts + ws * stats[1] : ts;
    const float *p = probs + i * c;
    for (int64_t j = 0; j < c; j++)
      g[j] = p[j] * ps;
    if (eps > 0)
      for (int64_t j = 0; j < c; j++)
        g[j] -= ws * (a->weight ? a->weight[j] : 1.0f);
    g[target[i]] -= ts;
  }
}

/* Class-probability targets: t' = (1 - e) t + e/c, loss_i = sum_j w_j t'_j
 * (lse - x_j), logp kept for backward. */
void lm_cpu_cross_entropy_prob_f32(int64_t n, int64_t c, const float *logits, const float *target,
                                   const lm_class_loss_args *a, float *loss, float *logp,
                                   float *stats)
{
  const float eps = a->label_smoothing, keep = 1.0f - eps, spread = eps / (float)c;
  double total = 0;
  for (int64_t i = 0; i < n; i++) {
    const float *x = logits + i * c, *t = target + i * c;
    float *lp = logp + i * c;
    float mx = -INFINITY;
    for (int64_t j = 0; j < c; j++)
      mx = x[j] > mx ? x[j] : mx;
    double s = 0;
    for (int64_t j = 0; j < c; j++)
      s += expf(x[j] - mx);
    const float ls = (float)log(s);
    const double lse = (double)mx + log(s);
    double row = 0;
    for (int64_t j = 0; j < c; j++) {
      const float tj = eps > 0 ? keep * t[j] + spread : t[j];
      lp[j] = (x[j] - mx) - ls;
      row += (double)(a->weight ? a->weight[j] * tj : tj) * (lse - (double)x[j]);
    }
    if (a->reduction == LM_REDUCTION_NONE)
      loss[i] = (float)row;
    total += row;
  }
  /* the mean is over N rows, or NaN when there is no value at all (N or C
   * zero: PyTorch's sum().fill_(NAN)), not 0 over N rows of no classes */
  finish_loss(c, total, c > 0 ? (double)n : 0.0, a, loss, stats);
}

void lm_cpu_cross_entropy_prob_backward_f32(int64_t n, int64_t c, const lm_class_loss_args *a,
                                            const float *gout, const float *logp,
                                            const float *target, const float *stats, float *gx,
                                            float *gt)
{
  const float eps = a->label_smoothing, keep = 1.0f - eps, spread = eps / (float)c;
  for (int64_t i = 0; i < n; i++) {
    const float *t = target + i * c, *lp = logp + i * c;
    const float scale = row_scale(a->reduction, gout, stats, i);
    if (gx) {
      double tw = 0;
      for (int64_t j = 0; j < c; j++) {
        const float tj = eps > 0 ? keep * t[j] + spread : t[j];
        tw += a->weight ? a->weight[j] * tj : tj;
      }
      const float ps = scale * (float)tw;
      for (int64_t j = 0; j < c; j++) {
        const float tj = eps > 0 ? keep * t[j] + spread : t[j];
        gx[i * c + j] = expf(lp[j]) * ps - scale * (a->weight ? a->weight[j] * tj : tj);
      }
    }
    if (gt)
      for (int64_t j = 0; j < c; j++)
        gt[i * c + j] = -(scale * keep) * (a->weight ? a->weight[j] * lp[j] : lp[j]);
  }
}

int64_t lm_cpu_nll_loss_f32(int64_t n, int64_t c, const float *logp, const int64_t *target,
                            const lm_class_loss_args *a, float *loss, float *stats)
{
  int64_t bad = first_bad_target(n, c, target, a->ignore_index);
  if (bad >= 0)
    return bad;
  double total = 0, divisor = 0;
  for (int64_t i = 0; i < n; i++) {
    double row = 0;
    if (target[i] != a->ignore_index) {
      const double wt = a->weight ? a->weight[target[i]] : 1.0;
      row = -wt * (double)logp[i * c + target[i]];
      divisor += wt;
    }
    if (a->reduction == LM_REDUCTION_NONE)
      loss[i] = (float)row;
    total += row;
  }
  finish_loss(c, total, divisor, a, loss, stats);
  return -1;
}

void lm_cpu_nll_loss_backward_f32(int64_t n, int64_t c, const lm_class_loss_args *a,
                                  const float *gout, const int64_t *target, const float *stats,
                                  float *gin)
{
  memset(gin, 0, (size_t)(n * c) * sizeof(float));
  for (int64_t i = 0; i < n; i++)
    if (target[i] != a->ignore_index)
      gin[i * c + target[i]] = -(row_scale(a->reduction, gout, stats, i) *
                                 (a->weight ? a->weight[target[i]] : 1.0f));
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
