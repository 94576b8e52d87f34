/* blas.c: matrix products on the CPU through OpenBLAS's cblas_sgemm.
 *
 * Row-major, with transposition flags so that a transposed view of a
 * contiguous matrix (W^T in linear, b^T in matmul's backward) is multiplied
 * without a copy. Strided batches loop over sgemm calls; OpenBLAS threads each.
 * Not for: deciding layouts (engine/ops/matmul.c does that).
 */
#include <cblas.h>
#include <string.h>

#include "cpu/lm-cpu.h"

void lm_cpu_gemm_f32(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                     const float *a, int64_t lda, int64_t stride_a, const float *b, int64_t ldb,
                     int64_t stride_b, float beta, float *c, int64_t ldc, int64_t stride_c,
                     int64_t batch)
{
  if (m == 0 || n == 0)
    return;
  for (int64_t bi = 0; bi < batch; bi++) {
    float *cb = c + bi * stride_c;
    if (k == 0) {
      /* Empty inner dim: C = beta * C (BLAS may reject lda = 0). */
      for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++)
          cb[i * ldc + j] = beta == 0.0f ? 0.0f : beta * cb[i * ldc + j];
      continue;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (blasint)m, (blasint)n, (blasint)k, alpha,
                a + bi * stride_a, (blasint)lda, b + bi * stride_b, (blasint)ldb, beta, cb,
                (blasint)ldc);
  }
}

void lm_cpu_fill_rows_f32(int64_t rows, int64_t cols, const float *row, float *out)
{
  for (int64_t r = 0; r < rows; r++)
    memcpy(out + r * cols, row, (size_t)cols * sizeof(float));
}
