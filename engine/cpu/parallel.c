/* parallel.c: a small fork-join thread pool for the CPU kernels of conv2d and
 * pooling, and the switch that keeps OpenBLAS single-threaded inside it.
 *
 * lm_cpu_parallel_for(n, fn, ctx) runs fn over [0, n) in contiguous chunks
 * claimed by the calling thread and the workers (about four chunks per
 * thread, so a descheduled thread's share is picked up by the others). The
 * workers are created on first use and then sleep on a condition variable
 * between calls (no spinning: the machine may be shared). Parallel regions do
 * not nest: a call made from inside one runs serially.
 *
 * Thread count: LM_NUM_THREADS if set (OpenBLAS is then set to it too),
 * else OpenBLAS's own count (which follows OPENBLAS_NUM_THREADS /
 * OMP_NUM_THREADS), else the online CPUs; lm_set_num_threads() changes both
 * at any time, like torch.set_num_threads (workers beyond the count sit
 * out).
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

/* One parallel region: lives on the caller's stack. Items are claimed in
 * chunks from `next`, so a thread that is descheduled (a shared machine) does
 * not hold the others up: whoever is running takes the remaining chunks. */
typedef struct {
  lm_cpu_range_fn fn;
  void *ctx;
  int64_t n, chunk;
  int64_t next;       /* atomic: first unclaimed item */
  int64_t done;       /* atomic: items finished */
  int refs;           /* workers holding this region (under pool.lock) */
  int next_tid;       /* thread slot handed to the next worker that joins */
  int threads;        /* slots in this region (tids 0 .. threads - 1) */
} region;

static struct {
  pthread_once_t once;
  pthread_mutex_t lock;       /* protects the fields below */
  pthread_cond_t start, done;
  int n_threads;              /* including the caller */
  int started;                /* workers created */
  uint64_t generation;        /* bumped per region */
  region *current;            /* NULL between regions */
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
  if (n > 0 && openblas_set_num_threads)
    openblas_set_num_threads(n);
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
  return __atomic_load_n(&pool.n_threads, __ATOMIC_RELAXED);
}

void lm_cpu_set_num_threads(int n)
{
  pthread_once(&pool.once, pool_init);
  if (n > LM_MAX_THREADS)
    n = LM_MAX_THREADS;
  pthread_mutex_lock(&pool.lock);
  __atomic_store_n(&pool.n_threads, n < 1 ? 1 : n, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&pool.lock);
}

/* Claims and runs chunks until none are left. */
static void run_chunks(region *r, int tid)
{
  for (;;) {
    int64_t b = __atomic_fetch_add(&r->next, r->chunk, __ATOMIC_RELAXED);
    if (b >= r->n)
      return;
    int64_t e = b + r->chunk < r->n ? b + r->chunk : r->n;
    r->fn(r->ctx, tid, b, e);
    if (__atomic_add_fetch(&r->done, e - b, __ATOMIC_ACQ_REL) == r->n) {
      pthread_mutex_lock(&pool.lock);
      pthread_cond_broadcast(&pool.done);
      pthread_mutex_unlock(&pool.lock);
    }
  }
}

static void *worker_main(void *arg)
{
  (void)arg;
  uint64_t seen = 0;
  in_region = 1; /* a worker never opens a nested region */
  pthread_mutex_lock(&pool.lock);
  for (;;) {
    while (pool.generation == seen)
      pthread_cond_wait(&pool.start, &pool.lock);
    seen = pool.generation;
    region *r = pool.current; /* NULL if the region already ended */
    if (!r || r->next_tid >= r->threads) /* ended, or full */
      continue;
    r->refs++;
    int tid = r->next_tid++;
    pthread_mutex_unlock(&pool.lock);
    run_chunks(r, tid);
    pthread_mutex_lock(&pool.lock);
    if (--r->refs == 0)
      pthread_cond_broadcast(&pool.done);
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
  while (pool.started < threads - 1) {
    pthread_t th;
    if (pthread_create(&th, NULL, worker_main, NULL) != 0) {
      pool.n_threads = pool.started + 1; /* run with the threads we have */
      threads = pool.n_threads;
      break;
    }
    pthread_detach(th);
    pool.started++;
  }
  /* About four chunks per thread: small enough to rebalance around a
   * descheduled thread, large enough that claiming costs nothing. */
  region r = {.fn = fn, .ctx = ctx, .n = n, .next_tid = 1, .threads = threads};
  r.chunk = n / ((int64_t)threads * 4);
  if (r.chunk < 1)
    r.chunk = 1;
  pool.current = &r;
  pool.generation++;
  pthread_cond_broadcast(&pool.start);
  pthread_mutex_unlock(&pool.lock);

  in_region = 1;
  run_chunks(&r, 0);
  in_region = 0;

  /* Wait for the items still running elsewhere, then for every worker that
   * joined to let go of the region (it lives on this stack). */
  pthread_mutex_lock(&pool.lock);
  while (__atomic_load_n(&r.done, __ATOMIC_ACQUIRE) < n)
    pthread_cond_wait(&pool.done, &pool.lock);
  pool.current = NULL;
  while (r.refs > 0)
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
