/* lm-cpu.h: the CPU backend's kernels, as listed in its table (cpu-backend.c).
 * Raw pointers, shapes in comments: see lm-backend.h for each entry's contract.
 * Not for: ops, which reach these only through lm_backend_of(). */
#pragma once

#include "lm-backend.h"

void lm_cpu_copy_strided(const lm_iter *it, size_t elem_size, void *out, const void *a);
void lm_cpu_binary_f32(lm_binary_op op, const lm_iter *it, float *out, const float *a, const float *b);
void lm_cpu_unary_f32(lm_unary_op op, int64_t n, const float *a, float p0, float p1, float *out);
void lm_cpu_unary_backward_f32(lm_unary_op op, int64_t n, const float *gout, const float *x,
                               const float *y, float p0, float p1, float *gin);

void lm_cpu_reduce_f32(lm_reduce_op op, int64_t outer, int64_t n, int64_t inner, const float *in,
                       float *out, int64_t *idx);
void lm_cpu_scatter_dim_f32(int64_t outer, int64_t n, int64_t inner, const float *gout,
                            const int64_t *idx, float *gin);
void lm_cpu_max_all_backward_f32(int64_t n, const float *x, const float *value, const float *gout,
                                 float *gin);

void lm_cpu_gemm_f32(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                     const float *a, int64_t lda, int64_t stride_a, const float *b, int64_t ldb,
                     int64_t stride_b, float beta, float *c, int64_t ldc, int64_t stride_c,
                     int64_t batch);
void lm_cpu_fill_rows_f32(int64_t rows, int64_t cols, const float *row, float *out);

void lm_cpu_softmax_f32(int64_t outer, int64_t n, int64_t inner, bool log, const float *in, float *out);
void lm_cpu_softmax_backward_f32(int64_t outer, int64_t n, int64_t inner, bool log,
                                 const float *gout, const float *y, float *gin);
int64_t lm_cpu_cross_entropy_f32(int64_t n, int64_t c, const float *logits, const int64_t *target,
                                 const lm_class_loss_args *a, float *loss, float *probs,
                                 float *stats);
void lm_cpu_cross_entropy_backward_f32(int64_t n, int64_t c, const lm_class_loss_args *a,
                                       const float *gout, const float *probs,
                                       const int64_t *target, const float *stats, float *gin);
void lm_cpu_cross_entropy_prob_f32(int64_t n, int64_t c, const float *logits, const float *target,
                                   const lm_class_loss_args *a, float *loss, float *logp,
                                   float *stats);
void lm_cpu_cross_entropy_prob_backward_f32(int64_t n, int64_t c, const lm_class_loss_args *a,
                                            const float *gout, const float *logp,
                                            const float *target, const float *stats, float *gx,
                                            float *gt);
int64_t lm_cpu_nll_loss_f32(int64_t n, int64_t c, const float *logp, const int64_t *target,
                            const lm_class_loss_args *a, float *loss, float *stats);
void lm_cpu_nll_loss_backward_f32(int64_t n, int64_t c, const lm_class_loss_args *a,
                                  const float *gout, const int64_t *target, const float *stats,
                                  float *gin);
void lm_cpu_mse_loss_f32(int64_t n, const float *a, const float *b, float *loss);
void lm_cpu_mse_loss_backward_f32(int64_t n, const float *gout, const float *a, const float *b,
                                  float *ga, float *gb);
