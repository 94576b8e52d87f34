/* alloc.cu: the caching allocator behind the CUDA backend's alloc/free entries.
 *
 * cudaMalloc and cudaFree are slow (cudaFree synchronises the whole device),
 * and a training step frees and reallocates the same activation sizes every
 * time, so freed blocks are kept in a per-device cache and handed out again:
 *
 *   - Sizes are rounded up to size classes: multiples of 512 bytes below 2 KiB,
 *     then four classes per power of two (2048, 2560, 3072, 3584, 4096, ...),
 *     so rounding wastes at most 25% and a class is one index computation.
 *   - Each class has a LIFO free list; a request takes the most recently freed
 *     block of its class (likely still in L2) or calls cudaMalloc once.
 *   - Stream ordering makes reuse safe without events: each device has one
 *     stream, frees happen after the freeing op's kernels were queued, and the
 *     next user of the block queues its kernels after them. (A second stream
 *     would need per-block events, as PyTorch's record_stream.)
 *   - When cudaMalloc fails, the device's cache is released and the call
 *     retried once, so memory cached for one shape can serve another.
 *
 * The backend's free() is given the size that was asked for, which names the
 * class, so no per-pointer map is needed; a segment table (one entry per
 * cudaMalloc) answers "which device owns this pointer" when several GPUs are
 * in use. Debug switches (environment, read once): LUMEN_CUDA_NO_CACHING=1 (exact
 * cudaMalloc/cudaFree per tensor, for compute-sanitizer), LUMEN_CUDA_POISON=1
 * (new blocks filled with 0xff bytes: NaN as float, -1 as int64, so a kernel
 * that leaves an output element unwritten shows in the tests).
 *
 * Not for: host memory, pinned memory, several streams per device.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cuda-common.cuh"

#define N_CLASSES 160 /* 512 B .. beyond 2^48 B */

typedef struct {
  void **v;
  size_t n, cap;
} ptr_stack;

typedef struct {
  pthread_mutex_t lock;
  ptr_stack free_list[N_CLASSES];
  lm_cuda_memory_stats stats;
} device_cache;

static device_cache caches[64];
static pthread_once_t caches_once = PTHREAD_ONCE_INIT;
static bool no_caching, poison;

typedef struct {
  uintptr_t base;
  size_t size;
  int device;
} segment;

/* Live cudaMalloc'd segments sorted by base (device lookup with several GPUs). */
static pthread_mutex_t seg_lock = PTHREAD_MUTEX_INITIALIZER;
static segment *segs;
static size_t n_segs, cap_segs;

static void caches_init(void)
{
  for (int d = 0; d < 64; d++)
    pthread_mutex_init(&caches[d].lock, NULL);
  const char *e = getenv("LUMEN_CUDA_NO_CACHING");
  no_caching = e && e[0] == '1';
  e = getenv("LUMEN_CUDA_POISON");
  poison = e && e[0] == '1';
}

/* Size class of a request: its rounded size and its index. */
static size_t size_class(size_t nbytes, int *index)
{
  if (nbytes <= 512) {
    *index = 0;
    return 512;
  }
  if (nbytes <= 2048) {
    size_t s = (nbytes + 511) & ~(size_t)511; /* 1024, 1536, 2048 */
    *index = (int)(s / 512) - 1;              /* 1, 2, 3 */
    return s;
  }
  /* 2^e <= nbytes-1 < 2^(e+1): step 2^(e-2), four classes per power of two. */
  int e = 63 - __builtin_clzll((unsigned long long)(nbytes - 1));
  size_t step = (size_t)1 << (e - 2);
  size_t s = (nbytes + step - 1) & ~(step - 1);
  int m = (int)(s >> (e - 2)); /* 5..8 */
  *index = 4 + (e - 11) * 4 + (m - 5);
  return s;
}

static bool push(ptr_stack *st, void *p)
{
  if (st->n == st->cap) {
    size_t cap = st->cap ? st->cap * 2 : 16;
    void **v = (void **)realloc(st->v, cap * sizeof *v);
    if (!v)
      return false;
    st->v = v;
    st->cap = cap;
  }
  st->v[st->n++] = p;
  return true;
}

static void seg_add(void *p, size_t size, int device)
{
  pthread_mutex_lock(&seg_lock);
  if (n_segs == cap_segs) {
    size_t cap = cap_segs ? cap_segs * 2 : 256;
    segment *v = (segment *)realloc(segs, cap * sizeof *v);
    if (!v) {
      pthread_mutex_unlock(&seg_lock);
      return; /* lookups for this segment fall back to the current device */
    }
    segs = v;
    cap_segs = cap;
  }
  uintptr_t b = (uintptr_t)p;
  size_t i = n_segs;
  while (i > 0 && segs[i - 1].base > b) {
    segs[i] = segs[i - 1];
    i--;
  }
  segs[i] = (segment){b, size, device};
  n_segs++;
  pthread_mutex_unlock(&seg_lock);
}

static void seg_remove(void *p)
{
  pthread_mutex_lock(&seg_lock);
  uintptr_t b = (uintptr_t)p;
  for (size_t i = 0; i < n_segs; i++) {
    if (segs[i].base == b) {
      memmove(segs + i, segs + i + 1, (n_segs - i - 1) * sizeof *segs);
      n_segs--;
      break;
    }
  }
  pthread_mutex_unlock(&seg_lock);
}

int lm_cuda_alloc_device_of(const void *ptr)
{
  uintptr_t p = (uintptr_t)ptr;
  int device = -1;
  pthread_mutex_lock(&seg_lock);
  size_t lo = 0, hi = n_segs;
  while (lo < hi) { /* last segment with base <= p */
    size_t mid = (lo + hi) / 2;
    if (segs[mid].base <= p)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo > 0 && p < segs[lo - 1].base + segs[lo - 1].size)
    device = segs[lo - 1].device;
  pthread_mutex_unlock(&seg_lock);
  return device;
}

/* Size of class k (the inverse of size_class). */
static size_t class_size(int k)
{
  if (k <= 3)
    return (size_t)(k + 1) * 512;
  int e = (k - 4) / 4 + 11, m = (k - 4) % 4 + 5;
  return (size_t)m << (e - 2);
}

/* Gives every cached block of one device back to the driver. Caller holds c->lock. */
static void release_cached(int device, device_cache *c)
{
  /* cudaFree waits for the device anyway; make the wait explicit and checked. */
  lm_cuda_synchronize_quiet(device);
  for (int k = 0; k < N_CLASSES; k++) {
    ptr_stack *st = &c->free_list[k];
    for (size_t i = 0; i < st->n; i++) {
      seg_remove(st->v[i]);
      if (LM_CUDA_CHECK(cudaFree(st->v[i]))) {
        c->stats.n_cuda_frees++;
      LM_CUDA_COUNT(cuda_frees);
        c->stats.reserved -= class_size(k);
      }
    }
    st->n = 0;
  }
}

extern "C" void *lm_cuda_alloc(int device, size_t nbytes)
{
  lm_cuda_ctx *ctx = lm_cuda_ctx_get(device);
  if (!ctx)
    return NULL;
  pthread_once(&caches_once, caches_init);
  int k = 0;
  size_t cls = no_caching ? (nbytes ? nbytes : 1) : size_class(nbytes, &k);
  if (k >= N_CLASSES || nbytes > ((size_t)1 << 48))
    return NULL; /* beyond any GPU; the core reports the size */
  device_cache *c = &caches[device];
  void *p = NULL;
  pthread_mutex_lock(&c->lock);
  c->stats.n_allocs++;
  LM_CUDA_COUNT(allocs);
  if (!no_caching && c->free_list[k].n > 0) {
    p = c->free_list[k].v[--c->free_list[k].n];
    c->stats.n_cache_hits++;
  } else {
    LM_CUDA_COUNT(cuda_mallocs);
    cudaError_t e = cudaMalloc(&p, cls);
    if (e == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();
      release_cached(device, c); /* everything cached, then one more try */
      LM_CUDA_COUNT(cuda_mallocs);
      e = cudaMalloc(&p, cls);
    }
    if (e != cudaSuccess) {
      (void)cudaGetLastError();
      p = NULL; /* the core reports "out of memory: could not allocate N bytes on cuda:D" */
    } else {
      c->stats.n_cuda_mallocs++;
      c->stats.reserved += cls;
      if (c->stats.reserved > c->stats.peak_reserved)
        c->stats.peak_reserved = c->stats.reserved;
      seg_add(p, cls, device);
    }
  }
  if (p) {
    c->stats.allocated += cls;
    if (c->stats.allocated > c->stats.peak_allocated)
      c->stats.peak_allocated = c->stats.allocated;
  }
  pthread_mutex_unlock(&c->lock);
  if (p && poison)
    (void)LM_CUDA_CHECK(lm_cuda_memset_async(p, 0xff, cls, ctx->stream));
  return p;
}

extern "C" void lm_cuda_free(int device, void *ptr, size_t nbytes)
{
  if (!ptr || device < 0 || device >= 64)
    return;
  pthread_once(&caches_once, caches_init);
  int k = 0;
  size_t cls = no_caching ? (nbytes ? nbytes : 1) : size_class(nbytes, &k);
  device_cache *c = &caches[device];
  pthread_mutex_lock(&c->lock);
  c->stats.allocated -= cls;
  bool cached = !no_caching && push(&c->free_list[k], ptr);
  if (!cached) {
    /* No caching (or no host memory for the list): straight back to the driver,
     * after the work that may still read the block. */
    seg_remove(ptr);
    lm_cuda_synchronize_quiet(device);
    if (LM_CUDA_CHECK(cudaFree(ptr))) {
      c->stats.n_cuda_frees++;
      LM_CUDA_COUNT(cuda_frees);
      c->stats.reserved -= cls;
    }
  }
  pthread_mutex_unlock(&c->lock);
}

void *lm_cuda_scratch(lm_cuda_ctx *ctx, size_t nbytes)
{
  void *p = lm_cuda_alloc(ctx->device, nbytes);
  if (!p)
    lm_error("cuda: out of memory: could not allocate %zu bytes of scratch space on cuda:%d",
             nbytes, ctx->device);
  return p;
}

void lm_cuda_scratch_free(lm_cuda_ctx *ctx, void *ptr, size_t nbytes)
{
  lm_cuda_free(ctx->device, ptr, nbytes);
}

/* ---- statistics (lumen-cuda.h) ---- */

extern "C" bool lm_cuda_get_memory_stats(int device, lm_cuda_memory_stats *stats)
{
  memset(stats, 0, sizeof *stats);
  if (device < 0 || device >= lm_cuda_device_count())
    return false;
  pthread_once(&caches_once, caches_init);
  device_cache *c = &caches[device];
  pthread_mutex_lock(&c->lock);
  *stats = c->stats;
  pthread_mutex_unlock(&c->lock);
  return true;
}

extern "C" size_t lm_cuda_memory_allocated(int device)
{
  lm_cuda_memory_stats s;
  lm_cuda_get_memory_stats(device, &s);
  return s.allocated;
}

extern "C" size_t lm_cuda_max_memory_allocated(int device)
{
  lm_cuda_memory_stats s;
  lm_cuda_get_memory_stats(device, &s);
  return s.peak_allocated;
}

extern "C" size_t lm_cuda_memory_reserved(int device)
{
  lm_cuda_memory_stats s;
  lm_cuda_get_memory_stats(device, &s);
  return s.reserved;
}

extern "C" void lm_cuda_reset_peak_memory_stats(int device)
{
  if (device < 0 || device >= lm_cuda_device_count())
    return;
  pthread_once(&caches_once, caches_init);
  device_cache *c = &caches[device];
  pthread_mutex_lock(&c->lock);
  c->stats.peak_allocated = c->stats.allocated;
  c->stats.peak_reserved = c->stats.reserved;
  pthread_mutex_unlock(&c->lock);
}

extern "C" void lm_cuda_empty_cache(void)
{
  int n = lm_cuda_device_count();
  pthread_once(&caches_once, caches_init);
  for (int d = 0; d < n && d < 64; d++) {
    if (!lm_cuda_memory_reserved(d))
      continue; /* never used: do not create a context just to find nothing */
    device_cache *c = &caches[d];
    pthread_mutex_lock(&c->lock);
    release_cached(d, c);
    pthread_mutex_unlock(&c->lock);
  }
}
