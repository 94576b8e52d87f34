/* gradcheck.h: finite-difference gradient checks for engine ops (test helper).
 *
 * lm_gradcheck() compares the gradients autograd computes for a function of
 * some leaf tensors with central differences. The function's output may have
 * any shape: it is reduced to the scalar L = sum(out * R) with a fixed
 * pseudo-random R, so every output element's gradient path is exercised. L and
 * the differences (L(x+eps) - L(x-eps)) / 2eps are accumulated in double; the
 * op itself runs in float32, so the default tolerances suit float32 ops.
 *
 * Build: add engine_gradcheck_dep (tests/engine/meson.build) to the test
 * executable's dependencies.
 *
 * Usage (e.g. for conv2d, in a GLib test):
 *
 *   #include "gradcheck.h"
 *
 *   static lm_tensor *conv_fn(lm_tensor *const *in, void *user_data)
 *   {
 *     return lm_conv2d(in[0], in[1], in[2], 1, 1, 1, 1, 1, 1);
 *   }
 *
 *   static void test_conv2d_grad(void)
 *   {
 *     lm_scope_begin();
 *     lm_tensor *in[3] = {
 *       lm_gradcheck_leaf(LM_SHAPE(2, 3, 5, 5), -1, 1),  // x
 *       lm_gradcheck_leaf(LM_SHAPE(4, 3, 3, 3), -1, 1),  // weight
 *       lm_gradcheck_leaf(LM_SHAPE(4), -1, 1),           // bias
 *     };
 *     g_assert_true(lm_gradcheck("conv2d", conv_fn, NULL, in, 3, NULL));
 *     lm_scope_end();
 *   }
 *
 * Inputs that do not require grad (int64 targets, constants) are passed
 * through unchecked. Only leaf inputs are perturbed: to check a non-contiguous
 * view, make the view inside the function (e.g. lm_transpose(in[0], 0, 1)).
 * Keep shapes small: each checked element costs two forward passes.
 * For ops with kinks (relu, max, pooling) draw inputs away from the kinks or
 * loosen opts. On failure the first mismatches are printed to stderr.
 * The input leaves' .grad are left cleared (NULL).
 */
#pragma once

#include <stdbool.h>

#include "lumen-engine.h"

typedef lm_tensor *(*lm_gradcheck_fn)(lm_tensor *const *inputs, void *user_data);

typedef struct {
  double eps;  /* perturbation; default 1e-3 */
  double atol; /* |analytic - numeric| <= atol + rtol * |numeric|; default 3e-4 */
  double rtol; /* default 3e-3 (the core ops pass at 3e-5 and 1e-3) */
} lm_gradcheck_opts;

/* True when every checked element matches. */
bool lm_gradcheck(const char *name, lm_gradcheck_fn fn, void *user_data, lm_tensor *const *inputs,
                  int n_inputs, const lm_gradcheck_opts *opts);

/* A float32 leaf that requires grad, uniform in [lo, hi) from the engine's
 * generator (a new reference, owned by the current scope if one is open). */
lm_tensor *lm_gradcheck_leaf(int ndim, const int64_t *shape, float lo, float hi);
