/* optim.c: CPU kernels for the fused optimizer updates (SGD, Adam, AdamW,
 * Adadelta).
 *
 * One pass over a parameter tensor reads p, g and the state once and writes p
 * and the state once, instead of the five or six full-tensor passes an update
 * written with tensor ops would take. The arithmetic follows torch.optim's
 * single-tensor implementations (torch 1.13) operation by operation: the same
 * order of float operations, the same scalars rounded to float, so results
 * agree with PyTorch to the last bit in most elements.
 *
 * Not here: per-parameter bookkeeping, defaults, schedules (engine/optim/).
 */
#include "lm-nn-kernels.h"

#include <math.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define LM_OPTIM_X86 1
#endif

LM_CPU_CLONES
void lm_cpu_sgd_step(int64_t n, float *p, const float *g, float *buf, double lr,
                     double momentum, double dampening, double weight_decay, bool nesterov,
                     bool first_step)
{
  /* torch: d = g.add(p, alpha=wd); buf.mul_(mom).add_(d, alpha=1-damp);
   * d = d.add(buf, alpha=mom) (nesterov); p.add_(d, alpha=-lr) */
  const float wd = (float)weight_decay, neg_lr = (float)-lr;
  const float mom = (float)momentum, one_damp = (float)(1.0 - dampening);
  if (momentum == 0.0 || !buf) {
    for (int64_t i = 0; i < n; i++) {
      float d = g[i] + wd * p[i];
      p[i] = p[i] + neg_lr * d;
    }
    return;
  }
  for (int64_t i = 0; i < n; i++) {
    float d = g[i] + wd * p[i];
    float b = first_step ? d : buf[i] * mom + one_damp * d;
    buf[i] = b;
    d = nesterov ? d + mom * b : b;
    p[i] = p[i] + neg_lr * d;
  }
}

/* The float scalars of one Adam step, rounded as PyTorch rounds them. */
typedef struct {
  float b1, b2, one_b1, one_b2, eps, wd, decay, neg_step_size, bc2_sqrt;
  bool decoupled, amsgrad;
} adam_scalars;

/* Adam's update for elements [i0, n) in plain C: the reference the vector
 * versions below must match, and the tail they leave.
 * torch 1.13: p.mul_(1-lr*wd) (AdamW) | g = g.add(p, alpha=wd) (Adam);
 * m.mul_(b1).add_(g, alpha=1-b1); v.mul_(b2).addcmul_(g, g, value=1-b2);
 * denom = (v.sqrt() / bc2_sqrt).add_(eps); p.addcdiv_(m, denom, value=-step_size),
 * where addcmul is v + (s*g)*g and addcdiv is p + (s*m)/denom. */
static void adam_scalar(int64_t i0, int64_t n, float *p, const float *g, float *m, float *v,
                        float *vmax, const adam_scalars *s)
{
  for (int64_t i = i0; i < n; i++) {
    float pi = p[i], gi = g[i];
    if (s->decoupled)
      pi = pi * s->decay;
    else
      gi = gi + s->wd * pi;
    float mi = m[i] * s->b1 + s->one_b1 * gi;
    float vi = v[i] * s->b2 + (s->one_b2 * gi) * gi;
    m[i] = mi;
    v[i] = vi;
    if (s->amsgrad) {
      float mx = vmax[i] > vi ? vmax[i] : vi;
      vmax[i] = mx;
      vi = mx;
    }
    float denom = sqrtf(vi) / s->bc2_sqrt + s->eps;
    p[i] = pi + (s->neg_step_size * mi) / denom;
  }
}

#ifdef LM_OPTIM_X86
/* The same update 16 (8) lanes at a time. The compiler does not vectorise the C
 * loop: sqrtf may set errno, and GCC ignores a per-function -fno-math-errno.
 * Multiplies and adds stay separate (no FMA) so every lane rounds exactly like
 * adam_scalar and like PyTorch's unfused tensor ops. */
__attribute__((target("avx512f")))
static int64_t adam_avx512(int64_t n, float *p, const float *g, float *m, float *v,
                           float *vmax, const adam_scalars *s)
{
  const __m512 b1 = _mm512_set1_ps(s->b1), b2 = _mm512_set1_ps(s->b2);
  const __m512 ob1 = _mm512_set1_ps(s->one_b1), ob2 = _mm512_set1_ps(s->one_b2);
  const __m512 eps = _mm512_set1_ps(s->eps), wd = _mm512_set1_ps(s->wd);
  const __m512 dec = _mm512_set1_ps(s->decay), nss = _mm512_set1_ps(s->neg_step_size);
  const __m512 bc2s = _mm512_set1_ps(s->bc2_sqrt);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512 pi = _mm512_loadu_ps(p + i), gi = _mm512_loadu_ps(g + i);
    if (s->decoupled)
      pi = _mm512_mul_ps(pi, dec);
    else
      gi = _mm512_add_ps(gi, _mm512_mul_ps(wd, pi));
    __m512 mi = _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(m + i), b1), _mm512_mul_ps(ob1, gi));
    __m512 vi = _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(v + i), b2),
                              _mm512_mul_ps(_mm512_mul_ps(ob2, gi), gi));
    _mm512_storeu_ps(m + i, mi);
    _mm512_storeu_ps(v + i, vi);
    if (s->amsgrad) {
      vi = _mm512_max_ps(_mm512_loadu_ps(vmax + i), vi);
      _mm512_storeu_ps(vmax + i, vi);
    }
    __m512 denom = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(vi), bc2s), eps);
    _mm512_storeu_ps(p + i, _mm512_add_ps(pi, _mm512_div_ps(_mm512_mul_ps(nss, mi), denom)));
  }
  return i;
}

__attribute__((target("avx")))
static int64_t adam_avx(int64_t n, float *p, const float *g, float *m, float *v,
                        float *vmax, const adam_scalars *s)
{
  const __m256 b1 = _mm256_set1_ps(s->b1), b2 = _mm256_set1_ps(s->b2);
  const __m256 ob1 = _mm256_set1_ps(s->one_b1), ob2 = _mm256_set1_ps(s->one_b2);
  const __m256 eps = _mm256_set1_ps(s->eps), wd = _mm256_set1_ps(s->wd);
  const __m256 dec = _mm256_set1_ps(s->decay), nss = _mm256_set1_ps(s->neg_step_size);
  const __m256 bc2s = _mm256_set1_ps(s->bc2_sqrt);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 pi = _mm256_loadu_ps(p + i), gi = _mm256_loadu_ps(g + i);
    if (s->decoupled)
      pi = _mm256_mul_ps(pi, dec);
    else
      gi = _mm256_add_ps(gi, _mm256_mul_ps(wd, pi));
    __m256 mi = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(m + i), b1), _mm256_mul_ps(ob1, gi));
    __m256 vi = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(v + i), b2),
                              _mm256_mul_ps(_mm256_mul_ps(ob2, gi), gi));
    _mm256_storeu_ps(m + i, mi);
    _mm256_storeu_ps(v + i, vi);
    if (s->amsgrad) {
      vi = _mm256_max_ps(_mm256_loadu_ps(vmax + i), vi);
      _mm256_storeu_ps(vmax + i, vi);
    }
    __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), bc2s), eps);
    _mm256_storeu_ps(p + i, _mm256_add_ps(pi, _mm256_div_ps(_mm256_mul_ps(nss, mi), denom)));
  }
  return i;
}
#endif

void lm_cpu_adam_step(int64_t n, float *p, const float *g, float *m, float *v, float *vmax,
                      const lm_adam_hparams *h)
{
  /* Python computes these in double; the tensor ops then round them to float. */
  const double bc1 = 1.0 - pow(h->beta1, (double)h->step);
  const double bc2 = 1.0 - pow(h->beta2, (double)h->step);
  adam_scalars s = {
    .b1 = (float)h->beta1, .b2 = (float)h->beta2,
    .one_b1 = (float)(1.0 - h->beta1), .one_b2 = (float)(1.0 - h->beta2),
    .eps = (float)h->eps, .wd = (float)h->weight_decay,
    .decay = (float)(1.0 - h->lr * h->weight_decay),
    .neg_step_size = (float)-(h->lr / bc1),
    .bc2_sqrt = (float)sqrt(bc2),
    .decoupled = h->decoupled, .amsgrad = h->amsgrad,
  };
  int64_t done = 0;
#ifdef LM_OPTIM_X86
  if (__builtin_cpu_supports("avx512f"))
    done = adam_avx512(n, p, g, m, v, vmax, &s);
  else if (__builtin_cpu_supports("avx"))
    done = adam_avx(n, p, g, m, v, vmax, &s);
#endif
  adam_scalar(done, n, p, g, m, v, vmax, &s);
}

void lm_cpu_adadelta_step(int64_t n, float *p, const float *g, float *square_avg,
                          float *acc_delta, double lr, double rho, double eps,
                          double weight_decay)
{
  /* torch 1.13: g = g.add(p, alpha=wd); sq.mul_(rho).addcmul_(g, g, value=1-rho);
   * std = sq.add(eps).sqrt_(); delta = acc.add(eps).sqrt_().div_(std).mul_(g);
   * acc.mul_(rho).addcmul_(delta, delta, value=1-rho); p.add_(delta, alpha=-lr) */
  const float wd = (float)weight_decay, r = (float)rho, one_r = (float)(1.0 - rho);
  const float e = (float)eps, neg_lr = (float)-lr;
  for (int64_t i = 0; i < n; i++) {
    float gi = weight_decay != 0.0 ? g[i] + wd * p[i] : g[i];
    float sq = square_avg[i] * r + (one_r * gi) * gi;
    square_avg[i] = sq;
    float delta = sqrtf(acc_delta[i] + e) / sqrtf(sq + e) * gi;
    acc_delta[i] = acc_delta[i] * r + (one_r * delta) * delta;
    p[i] = p[i] + neg_lr * delta;
  }
}
