/* dropout.c: CPU kernels for dropout, forward (with its mask) and backward.
 *
 * The random draws are made by the op from the engine's seeded generator and
 * passed in as uniforms, so the CPU and a future CUDA kernel make the same
 * decisions for the same seed. The mask stores the scale (0 or 1/(1-p)), so
 * backward is a single multiply.
 *
 * Not here: the generator, autograd, train/eval (engine/ops/dropout.c).
 */
#include "lm-nn-kernels.h"

void lm_cpu_dropout_forward(int64_t n, const float *x, const float *u, float p,
                            float *out, float *mask)
{
  const float scale = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
  for (int64_t i = 0; i < n; i++) {
    float m = (p < 1.0f && u[i] >= p) ? scale : 0.0f;
    mask[i] = m;
    out[i] = x[i] * m;
  }
}

void lm_cpu_dropout_backward(int64_t n, const float *dy, const float *mask, float *dx)
{
  for (int64_t i = 0; i < n; i++)
    dx[i] = dy[i] * mask[i];
}
