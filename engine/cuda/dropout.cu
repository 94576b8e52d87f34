/* dropout.cu: dropout's mask-and-scale kernels on the GPU (cpu/dropout.c).
 *
 * The op draws the uniforms with the backend's Philox kernel (fill.cu) from the
 * engine generator's (key, counter), which the CPU reproduces exactly, so a
 * seeded run drops the same elements on either device. The mask keeps the
 * scale (0 or 1/(1-p)); u may alias mask, as each thread reads u[i] before it
 * writes mask[i].
 *
 * Not here: drawing the numbers (fill.cu), train/eval and autograd (ops/dropout.c).
 */
#include "cuda-common.cuh"

__global__ void dropout_forward_kernel(int64_t n, const float *x, const float *u, float p,
                                       float scale, float *out, float *mask)
{
  LM_GRID_STRIDE(i, n) {
    const float m = (p < 1.0f && u[i] >= p) ? scale : 0.0f;
    mask[i] = m;
    out[i] = x[i] * m;
  }
}

extern "C" void lm_cuda_dropout_forward_f32(int64_t n, const float *x, const float *u, float p,
                                            float *out, float *mask)
{
  if (n <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  const float scale = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f; /* computed on the host, as the CPU */
  dropout_forward_kernel<<<lm_cuda_blocks(ctx, n, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                           ctx->stream>>>(n, x, u, p, scale, out, mask);
  (void)LM_CUDA_LAUNCHED();
}

__global__ void dropout_backward_kernel(int64_t n, const float *dy, const float *mask, float *dx)
{
  LM_GRID_STRIDE(i, n)
  dx[i] = dy[i] * mask[i];
}

extern "C" void lm_cuda_dropout_backward_f32(int64_t n, const float *dy, const float *mask,
                                             float *dx)
{
  if (n <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(dx);
  if (!ctx)
    return;
  dropout_backward_kernel<<<lm_cuda_blocks(ctx, n, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                            ctx->stream>>>(n, dy, mask, dx);
  (void)LM_CUDA_LAUNCHED();
}
