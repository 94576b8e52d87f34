/* cuda-common.cuh: what every .cu file of the CUDA backend shares: the error
 * checks, the per-device context (stream, cuBLAS handle), launch sizing, warp
 * and block reductions, and the Philox generator on the device.
 *
 * Conventions (llm.c's, mostly):
 *   - every CUDA and cuBLAS call goes through LM_CUDA_CHECK / LM_CUBLAS_CHECK,
 *     which report the failing call with file and line through lm_error() and
 *     evaluate to false, so the caller can stop;
 *   - every kernel launch is followed by LM_CUDA_LAUNCHED() (cudaGetLastError);
 *   - a launcher finds its stream with lm_cuda_ctx_for(output pointer), which
 *     also makes that pointer's device current on the calling thread;
 *   - kernels loop grid-stride with int64 indices, so any size works with a
 *     grid sized for the GPU (lm_cuda_blocks), never one block per element.
 *
 * Not for: C files (lm-cuda.h is the C side).
 */
#pragma once

#include <cuda_runtime.h>
#include <cublas_v2.h>
#include <stdint.h>

#include "lm-cuda.h"

/* A class label out of range, found by a loss kernel (loss.cu) and reported by
 * the host at its next synchronisation with the stream (PyTorch's device-side
 * assert, as one clear message). Lives in pinned host memory mapped into the
 * device: written by one GPU thread, read by the host after the stream is idle. */
typedef struct {
  long long position; /* row of the first bad label in that call */
  long long label;    /* its value */
  long long classes;  /* the class count it was checked against */
  int op;             /* LM_CUDA_OP_CROSS_ENTROPY or LM_CUDA_OP_NLL_LOSS */
  int set;            /* 1 while a report is pending (the first error is kept) */
} lm_cuda_label_error;

enum { LM_CUDA_OP_CROSS_ENTROPY = 0, LM_CUDA_OP_NLL_LOSS = 1 };

/* One device's state: created on first use, never destroyed (like PyTorch's
 * per-device default stream and cuBLAS handle). */
struct lm_cuda_ctx {
  int device;
  cudaStream_t stream;   /* every kernel, copy and cuBLAS call of this device */
  cublasHandle_t blas;   /* bound to `stream` */
  int sm_count;
  int blas_tf32;         /* math mode currently set on `blas` (-1 = unknown) */
  lm_cuda_label_error *label_error;     /* host view of the pending label error */
  lm_cuda_label_error *label_error_dev; /* the same record as kernels address it */
  unsigned long long n_syncs;           /* host waits on `stream` (lm_cuda_host_syncs) */
  /* The class losses' "first bad label" word (loss.cu), device memory kept
   * at "none" (all ones) between losses: the reduction that reads it puts it
   * back, so a loss needs no memset to start. */
  unsigned long long *loss_bad;
};

/* Reports a failed call; always returns false. */
bool lm_cuda_fail(const char *what, const char *call, const char *file, int line, const char *msg);

static inline bool lm_cuda_check_(cudaError_t e, const char *call, const char *file, int line)
{
  if (e == cudaSuccess)
    return true;
  (void)cudaGetLastError(); /* clear a non-sticky error so the next call starts clean */
  return lm_cuda_fail("CUDA", call, file, line, cudaGetErrorString(e));
}

static inline bool lm_cublas_check_(cublasStatus_t s, const char *call, const char *file, int line)
{
  if (s == CUBLAS_STATUS_SUCCESS)
    return true;
  return lm_cuda_fail("cuBLAS", call, file, line, cublasGetStatusString(s));
}

/* The process-wide counts behind lm_cuda_get_counters (context.cu). */
extern lm_cuda_counters lm_cuda_counts;
#define LM_CUDA_COUNT(field) ((void)__atomic_fetch_add(&lm_cuda_counts.field, 1, __ATOMIC_RELAXED))
/* LUMEN_CUDA_TRACE=1: every launch and cuBLAS call printed to stderr with
 * its file and line ("cuda: launch at softmax.cu:131"), to see which op a
 * step's launches come from. Read when the first device context is made. */
extern bool lm_cuda_trace;
void lm_cuda_trace_call(const char *what, const char *file, int line);

#define LM_CUDA_CHECK(call) lm_cuda_check_((call), #call, __FILE__, __LINE__)
#define LM_CUBLAS_CHECK(call) lm_cublas_check_((call), #call, __FILE__, __LINE__)
/* After a <<<...>>> launch (exactly one per launch: it also counts it): a bad
 * configuration shows up here, a fault in the kernel at the next
 * synchronising call (also checked). */
#define LM_CUDA_LAUNCHED() lm_cuda_launched_(__FILE__, __LINE__)
static inline bool lm_cuda_launched_(const char *file, int line)
{
  LM_CUDA_COUNT(launches);
  if (lm_cuda_trace)
    lm_cuda_trace_call("launch", file, line);
  return lm_cuda_check_(cudaGetLastError(), "cudaGetLastError()", file, line);
}

/* cudaMemsetAsync, counted. */
static inline cudaError_t lm_cuda_memset_async(void *p, int value, size_t n, cudaStream_t s)
{
  LM_CUDA_COUNT(memsets);
  return cudaMemsetAsync(p, value, n, s);
}

/* cudaMemcpyAsync device to device, counted. */
static inline cudaError_t lm_cuda_copy_d2d_async(void *dst, const void *src, size_t n,
                                                 cudaStream_t s)
{
  LM_CUDA_COUNT(copies_on_device);
  return cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToDevice, s);
}

/* Waits for everything queued on ctx's stream (checked), counting the wait;
 * with `report`, then reports a label error the loss kernels left (the user
 * facing synchronisation points: copies, lm_cuda_synchronize). */
bool lm_cuda_ctx_sync(lm_cuda_ctx *ctx, bool report);
/* lm_cuda_synchronize without the report: the allocator's waits. */
void lm_cuda_synchronize_quiet(int device);

/* The context of `device`, initialised on first use and made current on this
 * thread; NULL (after lm_error) when the device cannot be used. */
lm_cuda_ctx *lm_cuda_ctx_get(int device);
/* The context of the device that owns the allocation `ptr` points into (any
 * pointer the caching allocator handed out, or into one); falls back to the
 * thread's current device for foreign pointers. */
lm_cuda_ctx *lm_cuda_ctx_for(const void *ptr);
/* Which device an allocation belongs to, or -1 when the allocator does not
 * know the pointer (alloc.cu). Only consulted when more than one GPU is in use. */
int lm_cuda_alloc_device_of(const void *ptr);
/* Number of devices whose context exists (context.cu). */
int lm_cuda_active_devices(void);

/* Scratch memory for a kernel's temporaries, from the caching allocator; free
 * it right after queueing the kernels that use it: the cache only hands it out
 * again to work queued later on the same stream. */
void *lm_cuda_scratch(lm_cuda_ctx *ctx, size_t nbytes);
void lm_cuda_scratch_free(lm_cuda_ctx *ctx, void *ptr, size_t nbytes);

/* cuBLAS math mode for the current TF32 setting (gemm.cu, conv2d.cu). */
bool lm_cuda_blas_prepare(lm_cuda_ctx *ctx);

/* ---- launch sizing ---- */
#define LM_CUDA_THREADS 256

/* Blocks for a grid-stride loop over n items with `threads` per block: enough
 * to fill the GPU several times over, never more than the items need. */
static inline unsigned lm_cuda_blocks(const lm_cuda_ctx *ctx, int64_t n, int threads)
{
  int64_t need = (n + threads - 1) / threads;
  int64_t cap = (int64_t)ctx->sm_count * 16;
  if (need > cap)
    need = cap;
  return need < 1 ? 1u : (unsigned)need;
}

#define LM_GRID_STRIDE(i, n)                                                         \
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n);          \
       i += (int64_t)gridDim.x * blockDim.x)

/* ---- reductions inside a warp / block (deterministic: fixed tree order) ---- */
template <typename T>
__device__ __forceinline__ T lm_warp_sum(T v)
{
  for (int o = 16; o > 0; o >>= 1)
    v += __shfl_down_sync(0xffffffffu, v, o);
  return v; /* lane 0 holds the sum */
}

/* Sum over a block of blockDim.x threads (a multiple of 32, at most 1024);
 * every thread gets the result. `shared` holds 32 values. Only warp 0 reads
 * the partial sums: thread 0 then overwrites shared[0] with the total, which
 * no other warp may still be reading (compute-sanitizer's racecheck). */
template <typename T>
__device__ T lm_block_sum(T v, T *shared)
{
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
  v = lm_warp_sum(v);
  __syncthreads(); /* shared may still be read by a previous call */
  if (lane == 0)
    shared[warp] = v;
  __syncthreads();
  if (warp == 0) {
    T r = lane < nwarps ? shared[lane] : T(0);
    r = lm_warp_sum(r);
    if (lane == 0)
      shared[0] = r;
  }
  __syncthreads();
  return shared[0];
}

/* Reduction across the TPR threads of a row group (TPR 32 or a multiple of
 * it; shared holds one value per warp), result in every thread of it.
 * Lane 0 combines in a fixed tree and broadcasts, so all threads see the same
 * bits (a butterfly would give each lane its own rounding). */
template <int TPR, typename T, typename Op>
__device__ T group_allreduce(T v, T *shared, Op op)
{
  for (int off = 16; off > 0; off >>= 1)
    v = op(v, __shfl_down_sync(0xffffffffu, v, off));
  v = __shfl_sync(0xffffffffu, v, 0);
  if (TPR == 32)
    return v;
  const int warp = threadIdx.x >> 5;
  __syncthreads();
  if ((threadIdx.x & 31) == 0)
    shared[warp] = v;
  __syncthreads();
  T r = shared[0];
  for (int w = 1; w < TPR / 32; w++)
    r = op(r, shared[w]);
  return r;
}

struct MaxOp {
  __device__ float operator()(float a, float b) const { return b > a ? b : a; }
};
struct SumOp {
  __device__ double operator()(double a, double b) const { return a + b; }
};

/* ---- Philox-4x32-10, bit for bit the CPU's lm_philox4x32 (core/rng.c) ---- */
__device__ __forceinline__ void lm_philox_dev(uint64_t key, uint64_t counter, uint32_t out[4])
{
  uint32_t c0 = (uint32_t)counter, c1 = (uint32_t)(counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
#pragma unroll
  for (int r = 0; r < 10; r++) {
    uint32_t hi0 = __umulhi(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
    uint32_t hi1 = __umulhi(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
    uint32_t n0 = hi1 ^ c1 ^ k0;
    uint32_t n2 = hi0 ^ c3 ^ k1;
    c1 = lo1;
    c3 = lo0;
    c0 = n0;
    c2 = n2;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/* ---- strided iteration (lm_iter, collapsed by the core) ----
 * Element offsets of linear index i for the first NOPS operands; the last
 * dim varies fastest, as in the CPU's ITER_ROWS. */
template <int NOPS>
__device__ __forceinline__ void lm_iter_offsets(const lm_iter &it, int64_t i, int64_t off[NOPS])
{
#pragma unroll
  for (int k = 0; k < NOPS; k++)
    off[k] = 0;
  for (int d = it.ndim - 1; d >= 0; d--) {
    int64_t s = it.shape[d];
    int64_t q = d > 0 ? i / s : 0;
    int64_t r = d > 0 ? i - q * s : i;
#pragma unroll
    for (int k = 0; k < NOPS; k++)
      off[k] += r * it.stride[k][d];
    i = q;
  }
}

static inline int64_t lm_iter_total(const lm_iter *it)
{
  int64_t n = 1;
  for (int d = 0; d < it->ndim; d++)
    n *= it->shape[d];
  return n;
}

/* True when every operand of the first nops walks memory contiguously (so
 * the kernel can index all of them with i). */
static inline bool lm_iter_contiguous(const lm_iter *it, int nops)
{
  if (it->ndim == 0)
    return true;
  if (it->ndim != 1)
    return false;
  for (int k = 0; k < nops; k++)
    if (it->stride[k][0] != 1)
      return false;
  return true;
}
