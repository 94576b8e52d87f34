/* gradcheck.c: finite-difference gradient checks (see gradcheck.h).
 * Test helper only: it reaches into leaf storage to perturb elements. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gradcheck.h"
#include "lm-engine-private.h"

/* Fixed weights in [-1, 1) for the projection L = sum(out * R). */
static double proj_weight(int64_t i)
{
  uint64_t x = (uint64_t)i * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 32;
  return (double)(x >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

/* L(out) in double (any layout). */
static double project(const lm_tensor *out)
{
  int64_t n = lm_numel(out);
  float *v = malloc((size_t)(n ? n : 1) * sizeof(float));
  lm_tensor_copy_to_host(out, v);
  double s = 0;
  for (int64_t i = 0; i < n; i++)
    s += (double)v[i] * proj_weight(i);
  free(v);
  return s;
}

static double eval(lm_gradcheck_fn fn, void *ud, lm_tensor *const *inputs, bool *ok)
{
  lm_scope_begin();
  lm_tensor *out = fn(inputs, ud);
  double l = out ? project(out) : NAN;
  *ok = out != NULL;
  lm_scope_end();
  return l;
}

/* Storage position of logical element i of a tensor. */
static int64_t storage_pos(const lm_tensor *t, int64_t i)
{
  int64_t pos = t->offset;
  for (int d = t->ndim - 1; d >= 0; d--) {
    int64_t k = i % t->shape[d];
    i /= t->shape[d];
    pos += k * t->stride[d];
  }
  return pos;
}

bool lm_gradcheck(const char *name, lm_gradcheck_fn fn, void *user_data, lm_tensor *const *inputs,
                  int n_inputs, const lm_gradcheck_opts *opts)
{
  double eps = opts && opts->eps > 0 ? opts->eps : 1e-3;
  double atol = opts && opts->atol > 0 ? opts->atol : 3e-4;
  double rtol = opts && opts->rtol > 0 ? opts->rtol : 3e-3;

  for (int k = 0; k < n_inputs; k++)
    if (inputs[k])
      lm_tensor_zero_grad(inputs[k]);

  /* Analytic: backward of L = sum(out * R). */
  lm_scope_begin();
  lm_tensor *out = fn(inputs, user_data);
  if (!out) {
    lm_scope_end();
    fprintf(stderr, "gradcheck %s: the function returned NULL (%s)\n", name, lm_last_error());
    return false;
  }
  int64_t n_out = lm_numel(out);
  float *r = malloc((size_t)(n_out ? n_out : 1) * sizeof(float));
  for (int64_t i = 0; i < n_out; i++)
    r[i] = (float)proj_weight(i);
  lm_tensor *rt = lm_tensor_from_data(r, out->ndim, out->shape);
  free(r);
  lm_tensor *l = lm_sum(lm_mul(out, rt));
  bool any_grad = l && l->requires_grad;
  if (any_grad)
    lm_backward(l, NULL, false);
  lm_scope_end();
  if (!any_grad) {
    fprintf(stderr, "gradcheck %s: output does not require grad\n", name);
    return false;
  }

  bool ok = true;
  int reported = 0;
  bool prev = lm_set_grad_enabled(false);
  for (int k = 0; k < n_inputs; k++) {
    lm_tensor *x = inputs[k];
    if (!x || !x->requires_grad || x->dtype != LM_FLOAT32)
      continue;
    if (x->grad_fn) {
      fprintf(stderr, "gradcheck %s: input %d is not a leaf\n", name, k);
      ok = false;
      continue;
    }
    int64_t n = lm_numel(x);
    float *grad = malloc((size_t)(n ? n : 1) * sizeof(float));
    if (x->grad)
      lm_tensor_copy_to_host(x->grad, grad);
    else
      for (int64_t i = 0; i < n; i++)
        grad[i] = 0; /* no gradient reached x: it must be zero numerically */
    float *data = (float *)x->storage->data;
    for (int64_t i = 0; i < n; i++) {
      int64_t pos = storage_pos(x, i);
      float orig = data[pos];
      bool ok1, ok2;
      data[pos] = (float)(orig + eps);
      double lp = eval(fn, user_data, inputs, &ok1);
      double hp = (double)data[pos] - orig; /* the step actually taken in float */
      data[pos] = (float)(orig - eps);
      double lm = eval(fn, user_data, inputs, &ok2);
      double hm = orig - (double)data[pos];
      data[pos] = orig;
      double num = (lp - lm) / (hp + hm);
      double ana = grad[i];
      if (!ok1 || !ok2 || !(fabs(ana - num) <= atol + rtol * fabs(num))) {
        ok = false;
        if (reported++ < 8)
          fprintf(stderr, "gradcheck %s: input %d element %lld: analytic %.6g, numeric %.6g\n",
                  name, k, (long long)i, ana, num);
      }
    }
    free(grad);
    lm_tensor_zero_grad(x);
  }
  lm_set_grad_enabled(prev);
  return ok;
}

lm_tensor *lm_gradcheck_leaf(int ndim, const int64_t *shape, float lo, float hi)
{
  lm_tensor *t = lm_rand(ndim, shape);
  if (!t)
    return NULL;
  float *d = lm_data_f32(t);
  for (int64_t i = 0; i < lm_numel(t); i++)
    d[i] = lo + (hi - lo) * d[i];
  lm_tensor_set_requires_grad(t, true);
  return t;
}
