/* alloc-cache.c: keeps freed large CPU blocks for reuse (the CPU side of the
 * "caching allocator" hook in lm-backend.h).
 *
 * Why: a training step allocates the same large buffers every time
 * (activations, im2col scratch, gradients of a few hundred KiB to a few MiB).
 * glibc serves blocks that size with mmap, or returns them to the system when
 * the heap top shrinks, so every step paid page faults and kernel page
 * clearing again: about a fifth of the CNN step's CPU time. Here a freed block
 * of 64 KiB or more is parked by exact size and handed back to the next
 * allocation of that size, like PyTorch's CUDA caching allocator.
 *
 * Bounds: at most LM_CPU_CACHE_MB MiB parked (default 1024; 0 turns the cache
 * off); lm_cpu_cache_empty() gives everything back. Parked blocks stay
 * reachable, so leak checkers do not report them. Under AddressSanitizer the
 * cache is off, so use-after-free on large tensors is still caught.
 *
 * Not here: small blocks (glibc's bins already recycle them), the allocation
 * itself (cpu-backend.c).
 */
#include "lm-nn-kernels.h"

#include <pthread.h>
#include <stdlib.h>

#define CACHE_MIN_BYTES ((size_t)64 << 10)

#if defined(__SANITIZE_ADDRESS__)
#define LM_CACHE_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LM_CACHE_OFF 1
#endif
#endif

typedef struct {
  size_t size;
  void *ptr;
} parked;

static struct {
  pthread_mutex_t lock;
  pthread_once_t once;
  parked *v;
  size_t n, cap;
  size_t bytes, limit;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT};

static size_t key_of(size_t nbytes)
{
  return (nbytes + 63) & ~(size_t)63; /* the backend's own rounding */
}

static void cache_init(void)
{
  long mb = 1024;
  const char *env = getenv("LM_CPU_CACHE_MB");
  if (env)
    mb = atol(env);
  cache.limit = mb > 0 ? (size_t)mb << 20 : 0;
#ifdef LM_CACHE_OFF
  cache.limit = 0;
#endif
}

void *lm_cpu_cache_take(size_t nbytes)
{
  size_t key = key_of(nbytes);
  if (key < CACHE_MIN_BYTES)
    return NULL;
  void *p = NULL;
  pthread_mutex_lock(&cache.lock);
  /* Newest first: the block freed last is the likeliest to be in cache. */
  for (size_t i = cache.n; i-- > 0;) {
    if (cache.v[i].size == key) {
      p = cache.v[i].ptr;
      cache.bytes -= key;
      cache.v[i] = cache.v[--cache.n];
      break;
    }
  }
  pthread_mutex_unlock(&cache.lock);
  return p;
}

bool lm_cpu_cache_put(void *ptr, size_t nbytes)
{
  size_t key = key_of(nbytes);
  if (!ptr || key < CACHE_MIN_BYTES)
    return false;
  pthread_once(&cache.once, cache_init);
  bool kept = false;
  pthread_mutex_lock(&cache.lock);
  if (cache.bytes + key <= cache.limit) {
    if (cache.n == cache.cap) {
      size_t cap = cache.cap ? cache.cap * 2 : 64;
      parked *v = realloc(cache.v, cap * sizeof *v);
      if (v) {
        cache.v = v;
        cache.cap = cap;
      }
    }
    if (cache.n < cache.cap) {
      cache.v[cache.n++] = (parked){key, ptr};
      cache.bytes += key;
      kept = true;
    }
  }
  pthread_mutex_unlock(&cache.lock);
  return kept;
}

void lm_cpu_cache_empty(void)
{
  pthread_mutex_lock(&cache.lock);
  for (size_t i = 0; i < cache.n; i++)
    free(cache.v[i].ptr);
  cache.n = 0;
  cache.bytes = 0;
  pthread_mutex_unlock(&cache.lock);
}
