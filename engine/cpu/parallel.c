/* parallel.c: a small fork-join thread pool for the CPU kernels of conv2d and
 * pooling, and the switch that keeps OpenBLAS single-threaded inside it.
 *
 * lm_cpu_parallel_for(n, fn, ctx) splits [0, n) into one contiguous range per
 * thread and runs fn on each, the calling thread taking the first range. The
 * workers are created on first use and then sleep on a condition variable
 * between calls (no spinning: the machine may be shared). Parallel regions do
 * not nest: a call made from inside one runs serially.
 *
 * Thread count: LM_NUM_THREADS if set, else OpenBLAS's own count (which
 * follows OPENBLAS_NUM_THREADS / OMP_NUM_THREADS), else the online CPUs.
 *
 * BLAS inside a region: each thread calls sgemm on its own slice, so OpenBLAS
 * must not fan out again (2 threads x 2 BLAS threads on 2 cores is slower than
 * either alone). lm_cpu_blas_threads_begin/_end switch OpenBLAS to one thread
 * for the region when the library is OpenBLAS (found through weak symbols, so
 * any other CBLAS works unchanged).
 *
 * Not here: the kernels themselves.
 */
#include "lm-nn-kernels.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define LM_MAX_THREADS 64

/* OpenBLAS's thread controls, when the BLAS is OpenBLAS. */
extern void openblas_set_num_threads(int n) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

static struct {
  pthread_once_t once;
  pthread_mutex_t lock;       /* one region at a time; protects the fields below */
  pthread_cond_t start, done;
  int n_threads;              /* including the caller */
  int started;                /* workers created */
  uint64_t generation;        /* bumped per region */
  int pending;                /* workers still running the current region */
  lm_cpu_range_fn fn;
  void *ctx;
  int64_t n;
} pool = {
  .once = PTHREAD_ONCE_INIT,
  .lock = PTHREAD_MUTEX_INITIALIZER,
  .start = PTHREAD_COND_INITIALIZER,
  .done = PTHREAD_COND_INITIALIZER,
};

static __thread int in_region;
static pthread_mutex_t region_lock = PTHREAD_MUTEX_INITIALIZER;

static void pool_init(void)
{
  int n = 0;
  const char *env = getenv("LM_NUM_THREADS");
  if (env)
    n = atoi(env);
  if (n <= 0 && openblas_get_num_threads)
    n = openblas_get_num_threads();
  if (n <= 0)
    n = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (n <= 0)
    n = 1;
  if (n > LM_MAX_THREADS)
    n = LM_MAX_THREADS;
  pool.n_threads = n;
}

int lm_cpu_num_threads(void)
{
  pthread_once(&pool.once, pool_init);
  return pool.n_threads;
}

static void range_of(int64_t n, int parts, int i, int64_t *begin, int64_t *end)
{
  *begin = n * i / parts;
  *end = n * (i + 1) / parts;
}

static void *worker_main(void *arg)
{
  int tid = (int)(intptr_t)arg;
  uint64_t seen = 0;
  in_region = 1; /* a worker never opens a nested region */
  pthread_mutex_lock(&pool.lock);
  for (;;) {
    while (pool.generation == seen)
      pthread_cond_wait(&pool.start, &pool.lock);
    seen = pool.generation;
    lm_cpu_range_fn fn = pool.fn;
    void *ctx = pool.ctx;
    int64_t n = pool.n, b, e;
    int parts = pool.n_threads;
    pthread_mutex_unlock(&pool.lock);
    range_of(n, parts, tid, &b, &e);
    if (b < e)
      fn(ctx, tid, b, e);
    pthread_mutex_lock(&pool.lock);
    if (--pool.pending == 0)
      pthread_cond_signal(&pool.done);
  }
  return NULL;
}

void lm_cpu_parallel_for(int64_t n, lm_cpu_range_fn fn, void *ctx)
{
  int threads = lm_cpu_num_threads();
  if (threads > n)
    threads = (int)n;
  if (threads <= 1 || in_region) {
    if (n > 0)
      fn(ctx, 0, 0, n);
    return;
  }
  /* One region at a time across user threads. */
  pthread_mutex_lock(&region_lock);
  pthread_mutex_lock(&pool.lock);
  while (pool.started < pool.n_threads - 1) {
    pthread_t th;
    if (pthread_create(&th, NULL, worker_main, (void *)(intptr_t)(pool.started + 1)) != 0)
      break;
    pthread_detach(th);
    pool.started++;
  }
  int workers = pool.started;
  if (workers == 0) {
    pthread_mutex_unlock(&pool.lock);
    pthread_mutex_unlock(&region_lock);
    fn(ctx, 0, 0, n);
    return;
  }
  /* Split over (workers + 1) parts (fewer workers than asked if a
   * pthread_create failed); with fewer items than threads some workers get an
   * empty range. */
  pool.n_threads = workers + 1;
  pool.fn = fn;
  pool.ctx = ctx;
  pool.n = n;
  pool.pending = workers;
  pool.generation++;
  pthread_cond_broadcast(&pool.start);
  pthread_mutex_unlock(&pool.lock);

  int64_t b, e;
  range_of(n, workers + 1, 0, &b, &e);
  in_region = 1;
  if (b < e)
    fn(ctx, 0, b, e);
  in_region = 0;

  pthread_mutex_lock(&pool.lock);
  while (pool.pending > 0)
    pthread_cond_wait(&pool.done, &pool.lock);
  pthread_mutex_unlock(&pool.lock);
  pthread_mutex_unlock(&region_lock);
}

int lm_cpu_blas_threads_begin(void)
{
  if (!openblas_set_num_threads || !openblas_get_num_threads)
    return 0;
  int prev = openblas_get_num_threads();
  if (prev > 1)
    openblas_set_num_threads(1);
  return prev;
}

void lm_cpu_blas_threads_end(int prev)
{
  if (prev > 1 && openblas_set_num_threads)
    openblas_set_num_threads(prev);
}
