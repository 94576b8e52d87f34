/* lm-cuda-emu.hpp: a small CUDA emulator for checking the CUDA backend's logic
 * on a machine without a GPU (development tool, not part of the engine).
 *
 * The engine/cuda .cu files are converted by cu2cpp.py (the <<<...>>> launch
 * syntax and __shared__ declarations change) and compiled by g++ against this
 * header, which stands in for <cuda_runtime.h> and <cublas_v2.h>:
 *   - a launch is checked against the hardware's limits (block size <= 1024,
 *     blockDim.z <= 64, gridDim.y/z <= 65535, gridDim.x < 2^31, no zero
 *     dimension, dynamic shared memory <= 48 KiB unless opted in with
 *     cudaFuncSetAttribute, more than 256 threads only with __launch_bounds__
 *     allowing them) and a bad one is reported through cudaGetLastError with
 *     CUDA's error code, without running;
 *   - blocks run in a shuffled order (a fixed seed, different per launch), two
 *     at a time interleaved at their barriers, as a GPU runs them in any order
 *     and concurrently: a kernel that assumes block 0 runs first, or reads
 *     another block's output without a grid-wide sync, gets wrong results
 *     (LUMEN_EMU_BLOCK_ORDER=forward|reverse|shuffle, LUMEN_EMU_SEED=N,
 *     LUMEN_EMU_INTERLEAVE=0 to run one block at a time);
 *   - a block's threads are fibers (ucontext), so __syncthreads and the warp
 *     operations really synchronise (a shuffle is an exchange through the
 *     block's scratch); barriers reached a different number of times by the
 *     threads of one block are reported (divergent __syncthreads), and so are
 *     warp operations whose mask names lanes that do not take part (a full
 *     mask in a partial warp of a block that is not a multiple of 32, a lane
 *     that exited, lanes at different shuffles, reading a lane outside it);
 *   - each block has its own shared memory, starting as 0xff bytes (NaN),
 *     and static plus dynamic shared memory over the limit is reported;
 *   - "device" memory is mmap'd with the block ending exactly at a guard page
 *     and is PROT_NONE except while a kernel, a copy or a cuBLAS call runs:
 *     host code reading a device pointer, and kernels overrunning a buffer,
 *     crash at the faulting access;
 *   - copies check that each pointer lives where its cudaMemcpyKind says;
 *   - cuBLAS sgemm is a column-major reference that validates its arguments
 *     like cuBLAS (leading dimensions, sizes), accumulating in double.
 * What it cannot check: timing, real async behaviour, races inside a phase
 * between two barriers (fibers switch only at barriers, so a non-atomic
 * read-modify-write by two blocks is not caught unless a barrier separates
 * the read from the write), registers per thread, numerics of the GPU's
 * libdevice, memory coalescing.
 */
#pragma once

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- the CUDA C++ dialect ---- */
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
/* cu2cpp.py rewrites every __shared__ declaration; one left means it missed a form. */
#define __shared__ LM_EMU_SHARED_DECLARATION_NOT_REWRITTEN_BY_CU2CPP
#define __launch_bounds__(...)
static const int warpSize = 32;

struct dim3 {
  unsigned x, y, z;
  dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {}
};
struct uint3 {
  unsigned x, y, z;
};

namespace lm_emu {
struct thread_state {
  uint3 tid;
  unsigned linear; /* thread index within its block */
  uint3 bidx;      /* its block */
  unsigned slot;   /* which of the blocks running together it belongs to */
};
extern thread_state *cur;
extern dim3 block_dim, grid_dim;
void barrier(void);                                /* __syncthreads */
void shfl_barrier(unsigned mask);                  /* a warp operation's exchange */
void *shfl_slots(void);                            /* 1024 x 8 bytes, per block */
void check_src_lane(unsigned mask, unsigned src);  /* reading a lane outside the mask */
void *shared_var(size_t size, size_t align, const void *site);
void *dynamic_shared(void);
void launch(dim3 grid, dim3 block, size_t smem, void *stream, unsigned bound, const char *name,
            const void *fn, void (*body)(void *), void *ctx);
template <typename F> void body_thunk(void *f) { (*(F *)f)(); }
} // namespace lm_emu

#define threadIdx (lm_emu::cur->tid)
#define blockIdx (lm_emu::cur->bidx)
#define blockDim (lm_emu::block_dim)
#define gridDim (lm_emu::grid_dim)

/* cu2cpp.py turns  k<<<g, b, s, st>>>(args);  into
 * LM_EMU_LAUNCH(g, b, s, st, launch bound or 0, "k", (&k), k(args)); */
#define LM_EMU_LAUNCH(g, b, s, st, bound, name, fn, ...)                             \
  do {                                                                               \
    auto lm_emu_body_ = [&]() { __VA_ARGS__; };                                      \
    lm_emu::launch(dim3(g), dim3(b), (s), (void *)(st), (bound), (name),             \
                   (const void *)(fn), lm_emu::body_thunk<decltype(lm_emu_body_)>,   \
                   &lm_emu_body_);                                                   \
  } while (0)

static inline void __syncthreads(void) { lm_emu::barrier(); }

/* Lane `src` of this thread's warp after every lane of `mask` has published `v`. */
template <typename T> static inline T lm_emu_exchange(unsigned mask, T v, unsigned src_lane)
{
  T *slots = (T *)lm_emu::shfl_slots();
  const unsigned me = lm_emu::cur->linear;
  slots[me] = v;
  lm_emu::shfl_barrier(mask);
  lm_emu::check_src_lane(mask, src_lane & 31u);
  const unsigned base = me & ~31u;
  T r = slots[base + (src_lane & 31u)];
  lm_emu::shfl_barrier(mask);
  return r;
}
template <typename T> static inline T __shfl_down_sync(unsigned mask, T v, int off)
{
  unsigned lane = lm_emu::cur->linear & 31u;
  return lm_emu_exchange(mask, v, lane + (unsigned)off < 32 ? lane + (unsigned)off : lane);
}
template <typename T> static inline T __shfl_sync(unsigned mask, T v, int src)
{
  return lm_emu_exchange(mask, v, (unsigned)src);
}
template <typename T> static inline T __shfl_xor_sync(unsigned mask, T v, int m)
{
  return lm_emu_exchange(mask, v, (lm_emu::cur->linear & 31u) ^ (unsigned)m);
}
static inline void __syncwarp(unsigned mask = 0xffffffffu) { lm_emu::shfl_barrier(mask); }
/* Bit i set when lane i of mask has a true predicate. */
static inline unsigned __ballot_sync(unsigned mask, int pred)
{
  unsigned *slots = (unsigned *)lm_emu::shfl_slots();
  const unsigned me = lm_emu::cur->linear, base = me & ~31u;
  slots[2 * me] = pred != 0; /* slots are 8 bytes a thread */
  lm_emu::shfl_barrier(mask);
  unsigned r = 0;
  for (unsigned l = 0; l < 32; l++)
    if ((mask >> l) & 1u)
      r |= slots[2 * (base + l)] << l;
  lm_emu::shfl_barrier(mask);
  return r;
}
static inline int __any_sync(unsigned mask, int pred) { return __ballot_sync(mask, pred) != 0; }
static inline int __all_sync(unsigned mask, int pred) { return __ballot_sync(mask, pred) == mask; }

static inline float __fmul_rn(float a, float b) { return a * b; }
static inline float __fadd_rn(float a, float b) { return a + b; }
static inline float __fsub_rn(float a, float b) { return a - b; }
static inline float __fdiv_rn(float a, float b) { return a / b; }
static inline float __fsqrt_rn(float a) { return sqrtf(a); }
static inline double __dadd_rn(double a, double b) { return a + b; }
static inline double __dmul_rn(double a, double b) { return a * b; }
static inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((uint64_t)a * b) >> 32); }
static inline float __int_as_float(int i) { float f; memcpy(&f, &i, 4); return f; }
/* Fibers of a block never run at the same time: plain read-modify-write is atomic. */
static inline unsigned long long atomicMin(unsigned long long *p, unsigned long long v)
{
  unsigned long long old = *p;
  if (v < old)
    *p = v;
  return old;
}

/* ---- runtime API ---- */
typedef enum {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorInvalidDeviceFunction = 98,
  cudaErrorLaunchOutOfResources = 701,
  cudaErrorInvalidDevice = 101,
  cudaErrorInsufficientDriver = 35,
  cudaErrorNoDevice = 100,
  cudaErrorIllegalAddress = 700,
} cudaError_t;
typedef enum {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
} cudaMemcpyKind;
typedef enum { cudaDevAttrMultiProcessorCount = 16 } cudaDeviceAttr;
typedef enum { cudaFuncAttributeMaxDynamicSharedMemorySize = 8 } cudaFuncAttribute;
/* Opting a kernel in to more than 48 KiB of dynamic shared memory (sm_90: up to 227 KiB). */
cudaError_t cudaFuncSetAttribute(const void *fn, cudaFuncAttribute attr, int value);
template <typename T> static inline cudaError_t cudaFuncSetAttribute(T *fn, cudaFuncAttribute attr,
                                                                     int value)
{
  return cudaFuncSetAttribute((const void *)fn, attr, value);
}
typedef struct lm_emu_stream *cudaStream_t;
#define cudaStreamNonBlocking 0x01
struct cudaDeviceProp {
  char name[256];
};

cudaError_t cudaGetDeviceCount(int *n);
cudaError_t cudaRuntimeGetVersion(int *v);
const char *cudaGetErrorString(cudaError_t e);
cudaError_t cudaGetLastError(void);
cudaError_t cudaSetDevice(int d);
cudaError_t cudaDeviceGetAttribute(int *v, cudaDeviceAttr a, int d);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp *p, int d);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t *s, unsigned flags);
cudaError_t cudaStreamDestroy(cudaStream_t s);
cudaError_t cudaStreamSynchronize(cudaStream_t s);
cudaError_t cudaMalloc(void **p, size_t n);
template <typename T> static inline cudaError_t cudaMalloc(T **p, size_t n) { return cudaMalloc((void **)p, n); }
cudaError_t cudaFree(void *p);
cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t n, cudaMemcpyKind k, cudaStream_t s);
cudaError_t cudaMemsetAsync(void *p, int v, size_t n, cudaStream_t s);
/* Pinned host memory: plain host memory, which kernels may address (mapped, UVA). */
#define cudaHostAllocMapped 0x02
cudaError_t cudaHostAlloc(void **p, size_t n, unsigned flags);
cudaError_t cudaHostGetDevicePointer(void **dev, void *host, unsigned flags);
cudaError_t cudaFreeHost(void *p);

/* ---- cuBLAS ---- */
#define CUBLAS_VER_MAJOR 13
typedef struct lm_emu_blas *cublasHandle_t;
typedef enum {
  CUBLAS_STATUS_SUCCESS = 0,
  CUBLAS_STATUS_NOT_INITIALIZED = 1,
  CUBLAS_STATUS_INVALID_VALUE = 7,
} cublasStatus_t;
typedef enum { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1 } cublasOperation_t;
typedef enum { CUBLAS_DEFAULT_MATH = 0, CUBLAS_TF32_TENSOR_OP_MATH = 3 } cublasMath_t;
cublasStatus_t cublasCreate(cublasHandle_t *h);
cublasStatus_t cublasDestroy(cublasHandle_t h);
cublasStatus_t cublasSetStream(cublasHandle_t h, cudaStream_t s);
cublasStatus_t cublasSetMathMode(cublasHandle_t h, cublasMath_t m);
const char *cublasGetStatusString(cublasStatus_t s);
cublasStatus_t cublasSgemm_64(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int64_t m,
                              int64_t n, int64_t k, const float *alpha, const float *A, int64_t lda,
                              const float *B, int64_t ldb, const float *beta, float *C, int64_t ldc);
cublasStatus_t cublasSgemmStridedBatched_64(cublasHandle_t h, cublasOperation_t ta,
                                            cublasOperation_t tb, int64_t m, int64_t n, int64_t k,
                                            const float *alpha, const float *A, int64_t lda,
                                            long long sa, const float *B, int64_t ldb, long long sb,
                                            const float *beta, float *C, int64_t ldc, long long sc,
                                            int64_t batch);
