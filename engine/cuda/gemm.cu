/* gemm.cu: row-major strided-batched sgemm on cuBLAS, and the bias row fill.
 *
 * cuBLAS is column-major. A row-major (r, c) matrix with row stride ld is, read
 * column-major, its transpose: a (c, r) matrix with leading dimension ld. So
 * the row-major product C = op(A) op(B) is computed as the column-major product
 *     C^T (n, m) = op(B)^T (n, k) . op(A)^T (k, m),
 * i.e. cuBLAS is called with the operands swapped (B first, then A), m and n
 * swapped, and the same transpose flags and leading dimensions. The engine's
 * lda/ldb/ldc (row strides, >= the row length) are exactly the column-major
 * leading dimensions cuBLAS wants.
 *
 * cuBLAS runs on the device's stream with DEFAULT_MATH (strict float32) unless
 * TF32 is allowed (lumen-cuda.h). The 64-bit API (cuBLAS 12+) takes int64
 * sizes, so no size is truncated; batch entries may share an operand (stride 0).
 *
 * Not for: choosing layouts (engine/ops/matmul.c, linear.c), im2col (conv2d.cu).
 */
#include <limits.h>

#include "cuda-common.cuh"

/* C = beta * C for an empty inner dimension (k == 0), which BLAS may reject. */
__global__ void scale_c_kernel(int64_t m, int64_t n, float beta, float *c, int64_t ldc,
                               int64_t stride_c, int64_t batch)
{
  LM_GRID_STRIDE(t, m * n * batch) {
    const int64_t b = t / (m * n), r = (t / n) % m, col = t % n;
    float *p = c + b * stride_c + r * ldc + col;
    *p = beta == 0.0f ? 0.0f : beta * *p;
  }
}

extern "C" void lm_cuda_gemm_f32(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                                 float alpha, const float *a, int64_t lda, int64_t stride_a,
                                 const float *b, int64_t ldb, int64_t stride_b, float beta,
                                 float *c, int64_t ldc, int64_t stride_c, int64_t batch)
{
  if (m <= 0 || n <= 0 || batch <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(c);
  if (!ctx)
    return;
  if (k <= 0) {
    /* Entries sharing one C (stride 0) scale it once each, in turn, as the CPU's loop. */
    const int64_t launches = stride_c == 0 ? batch : 1, per = stride_c == 0 ? 1 : batch;
    for (int64_t i = 0; i < launches; i++) {
      scale_c_kernel<<<lm_cuda_blocks(ctx, m * n * per, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                       ctx->stream>>>(m, n, beta, c, ldc, stride_c, per);
      if (!LM_CUDA_LAUNCHED())
        return;
    }
    return;
  }
  if (!lm_cuda_blas_prepare(ctx))
    return;
  const cublasOperation_t op_a = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_b = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  if (stride_c == 0 && batch > 1) {
    /* All entries write the same C: run them one after another, like the CPU. */
    for (int64_t i = 0; i < batch; i++)
      lm_cuda_gemm_f32(trans_a, trans_b, m, n, k, alpha, a + i * stride_a, lda, 0,
                       b + i * stride_b, ldb, 0, beta, c, ldc, 0, 1);
    return;
  }
  LM_CUDA_COUNT(blas_calls);
  if (lm_cuda_trace)
    lm_cuda_trace_call("cuBLAS sgemm", __FILE__, __LINE__);
#if CUBLAS_VER_MAJOR >= 12
  if (batch == 1)
    (void)LM_CUBLAS_CHECK(cublasSgemm_64(ctx->blas, op_b, op_a, n, m, k, &alpha, b, ldb, a, lda,
                                         &beta, c, ldc));
  else
    (void)LM_CUBLAS_CHECK(cublasSgemmStridedBatched_64(ctx->blas, op_b, op_a, n, m, k, &alpha, b,
                                                       ldb, stride_b, a, lda, stride_a, &beta, c,
                                                       ldc, stride_c, batch));
#else
  if (m > INT_MAX || n > INT_MAX || k > INT_MAX || lda > INT_MAX || ldb > INT_MAX ||
      ldc > INT_MAX || batch > INT_MAX) {
    lm_error("cuda: matrix product too large for this cuBLAS (%lld x %lld x %lld); "
             "build with CUDA 12 or newer", (long long)m, (long long)n, (long long)k);
    return;
  }
  if (batch == 1)
    (void)LM_CUBLAS_CHECK(cublasSgemm(ctx->blas, op_b, op_a, (int)n, (int)m, (int)k, &alpha, b,
                                      (int)ldb, a, (int)lda, &beta, c, (int)ldc));
  else
    (void)LM_CUBLAS_CHECK(cublasSgemmStridedBatched(ctx->blas, op_b, op_a, (int)n, (int)m, (int)k,
                                                    &alpha, b, (int)ldb, stride_b, a, (int)lda,
                                                    stride_a, &beta, c, (int)ldc, stride_c,
                                                    (int)batch));
#endif
}

/* out (rows, cols) = row (cols) repeated. */
__global__ void fill_rows_kernel(int64_t rows, int64_t cols, const float *row, float *out)
{
  LM_GRID_STRIDE(t, rows * cols)
  out[t] = row[t % cols];
}

extern "C" void lm_cuda_fill_rows_f32(int64_t rows, int64_t cols, const float *row, float *out)
{
  if (rows <= 0 || cols <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(out);
  if (!ctx)
    return;
  fill_rows_kernel<<<lm_cuda_blocks(ctx, rows * cols, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                     ctx->stream>>>(rows, cols, row, out);
  (void)LM_CUDA_LAUNCHED();
}
