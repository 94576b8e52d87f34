/* lumen-cuda.h: the CUDA-specific knobs of Lumen's engine (public API).
 *
 * Moving tensors and modules to a GPU needs nothing from here: lm_to(t, LM_CUDA0),
 * lm_module_to(model, LM_CUDA0) and lm_cuda_is_available() are in lumen-engine.h
 * and lumen-nn.h. This header has what PyTorch keeps under torch.cuda and
 * torch.backends.cuda: the TF32 switch, the caching allocator's statistics,
 * synchronisation and device names.
 *
 * Every function exists in every build of Lumen: in a build without CUDA (or on
 * a machine without a GPU) they report zero devices, zero bytes and do nothing,
 * so a program using them never needs an #ifdef.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Number of usable CUDA GPUs (0 without CUDA, a driver or a GPU). */
int lm_cuda_device_count(void);

/* Why CUDA cannot be used, as one sentence for the user ("CUDA requested but
 * Lumen was built without CUDA ...", "no CUDA GPU found: ..."), or "" when at
 * least one GPU is usable. */
const char *lm_cuda_unavailable_reason(void);

/* Device name ("NVIDIA H100 80GB HBM3"); false (buf "") when there is no such device. */
bool lm_cuda_get_device_name(int device, char *buf, size_t len);

/* TF32 tensor cores for float32 matrix products, in matmul, linear and conv2d
 * (torch.backends.cuda.matmul.allow_tf32 and torch.backends.cudnn.allow_tf32
 * together). Off by default, so GPU results match the CPU to float32 precision;
 * the environment variable LUMEN_ALLOW_TF32=1 turns it on at start-up.
 * Returns the previous setting. */
bool lm_cuda_set_allow_tf32(bool allow);
bool lm_cuda_allow_tf32(void);

/* Waits until every kernel queued on the device has finished (torch.cuda.synchronize). */
void lm_cuda_synchronize(int device);

/* The device's stream (a cudaStream_t), on which the engine queues all of
 * that device's work, like torch.cuda.current_stream(): for timing with CUDA
 * events or mixing in your own kernels. NULL when there is no such device. */
void *lm_cuda_stream(int device);

/* The caching allocator. GPU memory freed by tensors goes back to a per-device
 * cache of size classes (at most 25% rounding) and is reused by later
 * allocations of the same class, so a training step calls cudaMalloc only
 * while the cache warms up. LUMEN_CUDA_NO_CACHING=1 disables the cache (every
 * tensor gets its own exact cudaMalloc and cudaFree, which lets
 * compute-sanitizer see every out-of-bounds access). */
typedef struct {
  size_t allocated;       /* bytes handed to tensors now (rounded to size classes) */
  size_t peak_allocated;  /* highest `allocated` since start or the last reset */
  size_t reserved;        /* bytes obtained from cudaMalloc (in use + cached) */
  size_t peak_reserved;
  uint64_t n_allocs;      /* allocation requests */
  uint64_t n_cache_hits;  /* requests served from the cache */
  uint64_t n_cuda_mallocs;/* cudaMalloc calls */
  uint64_t n_cuda_frees;  /* cudaFree calls (empty_cache, out-of-memory retries) */
} lm_cuda_memory_stats;

/* false (and *stats zeroed) when there is no such device. */
bool lm_cuda_get_memory_stats(int device, lm_cuda_memory_stats *stats);
size_t lm_cuda_memory_allocated(int device);     /* torch.cuda.memory_allocated */
size_t lm_cuda_max_memory_allocated(int device); /* torch.cuda.max_memory_allocated */
size_t lm_cuda_memory_reserved(int device);      /* torch.cuda.memory_reserved */
void lm_cuda_reset_peak_memory_stats(int device);
/* Returns every cached (unused) block to the driver (torch.cuda.empty_cache). */
void lm_cuda_empty_cache(void);

#ifdef __cplusplus
}
#endif
