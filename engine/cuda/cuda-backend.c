/* cuda-backend.c: the CUDA backend's table, the GPU twin of cpu/cpu-backend.c.
 *
 * Every lm_backend entry points at a launcher of the .cu files (declared in
 * lm-cuda.h) with the CPU kernel's exact signature, so the ops in engine/ops/
 * run unchanged on cuda tensors. This file is only built when CUDA is (see
 * meson.build); backend.c returns the table for LM_DEVICE_CUDA devices.
 * Not for: kernels or device management (context.cu, alloc.cu).
 */
#include "cuda/lm-cuda.h"

static const lm_backend cuda_backend = {
  .name = "cuda",
  .type = LM_DEVICE_CUDA,
  .device_count = lm_cuda_device_count,
  .alloc = lm_cuda_alloc,
  .free = lm_cuda_free,
  .copy_from_host = lm_cuda_copy_from_host,
  .copy_to_host = lm_cuda_copy_to_host,
  .copy_on_device = lm_cuda_copy_on_device,
  .synchronize = lm_cuda_synchronize,
  .fill_f32 = lm_cuda_fill_f32,
  .fill_i64 = lm_cuda_fill_i64,
  .arange_f32 = lm_cuda_arange_f32,
  .copy_strided = lm_cuda_copy_strided,
  .rand_uniform_f32 = lm_cuda_rand_uniform_f32,
  .rand_normal_f32 = lm_cuda_rand_normal_f32,
  .binary_f32 = lm_cuda_binary_f32,
  .unary_f32 = lm_cuda_unary_f32,
  .unary_backward_f32 = lm_cuda_unary_backward_f32,
  .reduce_f32 = lm_cuda_reduce_f32,
  .scatter_dim_f32 = lm_cuda_scatter_dim_f32,
  .max_all_backward_f32 = lm_cuda_max_all_backward_f32,
  .gemm_f32 = lm_cuda_gemm_f32,
  .fill_rows_f32 = lm_cuda_fill_rows_f32,
  .softmax_f32 = lm_cuda_softmax_f32,
  .softmax_backward_f32 = lm_cuda_softmax_backward_f32,
  .cross_entropy_f32 = lm_cuda_cross_entropy_f32,
  .cross_entropy_backward_f32 = lm_cuda_cross_entropy_backward_f32,
  .nll_loss_f32 = lm_cuda_nll_loss_f32,
  .nll_loss_backward_f32 = lm_cuda_nll_loss_backward_f32,
  .cross_entropy_prob_f32 = lm_cuda_cross_entropy_prob_f32,
  .cross_entropy_prob_backward_f32 = lm_cuda_cross_entropy_prob_backward_f32,
  .mse_loss_f32 = lm_cuda_mse_loss_f32,
  .mse_loss_backward_f32 = lm_cuda_mse_loss_backward_f32,
  .conv2d_workspace_f32 = lm_cuda_conv2d_workspace_f32,
  .conv2d_forward_f32 = lm_cuda_conv2d_forward_f32,
  .conv2d_backward_f32 = lm_cuda_conv2d_backward_f32,
  .max_pool2d_forward_f32 = lm_cuda_max_pool2d_forward_f32,
  .max_pool2d_backward_f32 = lm_cuda_max_pool2d_backward_f32,
  .avg_pool2d_forward_f32 = lm_cuda_avg_pool2d_forward_f32,
  .avg_pool2d_backward_f32 = lm_cuda_avg_pool2d_backward_f32,
  .dropout_forward_f32 = lm_cuda_dropout_forward_f32,
  .dropout_backward_f32 = lm_cuda_dropout_backward_f32,
  .sgd_step_f32 = lm_cuda_sgd_step_f32,
  .adam_step_f32 = lm_cuda_adam_step_f32,
  .adam_multi_step_f32 = lm_cuda_adam_multi_step_f32,
  .adadelta_step_f32 = lm_cuda_adadelta_step_f32,
  .convert = lm_cuda_convert,
  .one_hot = lm_cuda_one_hot,
  .gather_rows = lm_cuda_gather_rows,
  .step_stats_f32 = lm_cuda_step_stats_f32,
};

const lm_backend *lm_cuda_backend(void)
{
  return &cuda_backend;
}
