/* cuda-emu.cpp: the CUDA emulator's runtime (see lm-cuda-emu.hpp): fibers for
 * threads, guard-paged device memory, copies, a reference cuBLAS sgemm.
 * Development tool for machines without a GPU; never linked into Lumen.
 */
#include "lm-cuda-emu.hpp"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

static void emu_die(const char *what)
{
  fprintf(stderr, "cuda-emu: %s\n", what);
  fflush(stderr);
  abort();
}

/* ---- device memory ---- */

struct emu_alloc {
  char *map;       /* the whole mapping */
  size_t map_len;
  char *data;      /* first byte handed out; data + len is the guard page */
  size_t len;      /* usable bytes (request rounded up to 4) */
  size_t data_pages_len;
};

static std::vector<emu_alloc> allocs; /* sorted by data */
static bool device_open;              /* device memory readable by the host right now */
static cudaError_t last_error = cudaSuccess;
static const size_t page = 4096;

static void set_prot(const emu_alloc &a, bool open)
{
  if (a.data_pages_len && mprotect(a.map, a.data_pages_len, open ? PROT_READ | PROT_WRITE : PROT_NONE))
    emu_die("mprotect failed");
}

static void open_device(void)
{
  if (device_open)
    return;
  for (const emu_alloc &a : allocs)
    set_prot(a, true);
  device_open = true;
}

static void close_device(void)
{
  if (!device_open)
    return;
  for (const emu_alloc &a : allocs)
    set_prot(a, false);
  device_open = false;
}

/* The allocation holding [p, p + n), or NULL. */
static const emu_alloc *find(const void *p, size_t n)
{
  const char *c = (const char *)p;
  auto it = std::upper_bound(allocs.begin(), allocs.end(), c,
                             [](const char *v, const emu_alloc &a) { return v < a.data; });
  if (it == allocs.begin())
    return NULL;
  --it;
  if (c >= it->data && c + n <= it->data + it->len && c <= it->data + it->len)
    return &*it;
  return NULL;
}

cudaError_t cudaMalloc(void **p, size_t n)
{
  /* 4-byte granularity: a float buffer ends exactly at the guard page (8-byte
   * element buffers are multiples of 8, so they stay 8-aligned). */
  const size_t len = ((n ? n : 1) + 3) & ~(size_t)3;
  const size_t data_pages = (len + page - 1) / page;
  const size_t map_len = (data_pages + 1) * page;
  if (getenv("LUMEN_EMU_MEMORY_LIMIT") && n > (size_t)atoll(getenv("LUMEN_EMU_MEMORY_LIMIT"))) {
    last_error = cudaErrorMemoryAllocation;
    return cudaErrorMemoryAllocation;
  }
  char *m = (char *)mmap(NULL, map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) {
    last_error = cudaErrorMemoryAllocation;
    return cudaErrorMemoryAllocation;
  }
  emu_alloc a = {m, map_len, m + data_pages * page - len, len, data_pages * page};
  auto it = std::upper_bound(allocs.begin(), allocs.end(), a.data,
                             [](const char *v, const emu_alloc &x) { return v < x.data; });
  allocs.insert(it, a);
  if (device_open)
    set_prot(a, true);
  *p = a.data;
  return cudaSuccess;
}

cudaError_t cudaFree(void *p)
{
  if (!p)
    return cudaSuccess;
  for (size_t i = 0; i < allocs.size(); i++)
    if (allocs[i].data == p) {
      munmap(allocs[i].map, allocs[i].map_len);
      allocs.erase(allocs.begin() + (long)i);
      return cudaSuccess;
    }
  emu_die("cudaFree of a pointer that cudaMalloc did not return");
  return cudaErrorInvalidValue;
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t n, cudaMemcpyKind k, cudaStream_t s)
{
  (void)s;
  if (n == 0)
    return cudaSuccess;
  bool dst_dev = find(dst, n) != NULL, src_dev = find(src, n) != NULL;
  bool want_dst = k == cudaMemcpyHostToDevice || k == cudaMemcpyDeviceToDevice;
  bool want_src = k == cudaMemcpyDeviceToHost || k == cudaMemcpyDeviceToDevice;
  if (dst_dev != want_dst || src_dev != want_src) {
    fprintf(stderr, "cuda-emu: cudaMemcpyAsync kind %d: dst %p is %s, src %p is %s (%zu bytes)\n",
            (int)k, dst, dst_dev ? "device" : "host/unknown", src, src_dev ? "device" : "host/unknown",
            n);
    emu_die("copy between the wrong memory spaces (or out of an allocation's bounds)");
  }
  open_device();
  memmove(dst, src, n);
  close_device();
  return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void *p, int v, size_t n, cudaStream_t s)
{
  (void)s;
  if (n == 0)
    return cudaSuccess;
  if (!find(p, n))
    emu_die("cudaMemsetAsync outside any device allocation");
  open_device();
  memset(p, v, n);
  close_device();
  return cudaSuccess;
}

cudaError_t cudaHostAlloc(void **p, size_t n, unsigned flags)
{
  if (flags != cudaHostAllocMapped)
    emu_die("cudaHostAlloc: only cudaHostAllocMapped is emulated");
  *p = calloc(1, n ? n : 1);
  return *p ? cudaSuccess : (last_error = cudaErrorMemoryAllocation);
}

cudaError_t cudaHostGetDevicePointer(void **dev, void *host, unsigned flags)
{
  if (flags != 0 || find(host, 1))
    emu_die("cudaHostGetDevicePointer: flags must be 0 and the pointer pinned host memory");
  *dev = host;
  return cudaSuccess;
}

cudaError_t cudaFreeHost(void *p)
{
  free(p);
  return cudaSuccess;
}

/* ---- devices, streams, errors ---- */

cudaError_t cudaGetDeviceCount(int *n)
{
  const char *e = getenv("LUMEN_EMU_NO_GPU");
  if (e && e[0] == '1') {
    *n = 0;
    return cudaErrorNoDevice;
  }
  *n = 1;
  return cudaSuccess;
}

cudaError_t cudaRuntimeGetVersion(int *v)
{
  *v = 13000;
  return cudaSuccess;
}

const char *cudaGetErrorString(cudaError_t e)
{
  switch (e) {
  case cudaSuccess: return "no error";
  case cudaErrorMemoryAllocation: return "out of memory";
  case cudaErrorInvalidConfiguration: return "invalid configuration argument";
  case cudaErrorNoDevice: return "no CUDA-capable device is detected";
  case cudaErrorInsufficientDriver: return "CUDA driver version is insufficient for CUDA runtime version";
  default: return "emulated CUDA error";
  }
}

cudaError_t cudaGetLastError(void)
{
  cudaError_t e = last_error;
  last_error = cudaSuccess;
  return e;
}

cudaError_t cudaSetDevice(int d)
{
  return d == 0 ? cudaSuccess : cudaErrorInvalidDevice;
}

cudaError_t cudaDeviceGetAttribute(int *v, cudaDeviceAttr a, int d)
{
  (void)a;
  (void)d;
  *v = 2; /* few "SMs": grids stay small, so grid-stride loops get exercised */
  return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp *p, int d)
{
  (void)d;
  snprintf(p->name, sizeof p->name, "Lumen CUDA emulator");
  return cudaSuccess;
}

struct lm_emu_stream {
  int unused;
};
cudaError_t cudaStreamCreateWithFlags(cudaStream_t *s, unsigned flags)
{
  (void)flags;
  *s = new lm_emu_stream();
  return cudaSuccess;
}
cudaError_t cudaStreamDestroy(cudaStream_t s)
{
  delete s;
  return cudaSuccess;
}
static unsigned long long n_stream_syncs;

cudaError_t cudaStreamSynchronize(cudaStream_t s)
{
  (void)s;
  n_stream_syncs++;
  return cudaSuccess;
}

/* For the tests (gpu-test.h's gt_host_waits): every wait for a stream. */
extern "C" unsigned long long lm_emu_stream_syncs(void)
{
  return n_stream_syncs;
}

/* ---- kernels: one fiber per thread ---- */

namespace lm_emu {
thread_state *cur;
uint3 block_idx;
dim3 block_dim, grid_dim;

enum { RUN, WAIT_SYNC, WAIT_SHFL, DONE };
struct fiber {
  ucontext_t ctx;
  thread_state st;
  int state;
  unsigned long syncs, shfls; /* barriers reached so far, by kind */
  char *stack;
};
static const size_t stack_size = 256 * 1024;
static ucontext_t sched;
static std::vector<fiber> fibers;
static fiber *running;
static void (*body_fn)(void *);
static void *body_ctx;
static unsigned long long slots[1024];

static void entry(void)
{
  body_fn(body_ctx);
  running->state = DONE; /* uc_link returns to the scheduler */
}

static void wait(int kind)
{
  running->state = kind;
  if (kind == WAIT_SYNC)
    running->syncs++;
  else
    running->shfls++;
  swapcontext(&running->ctx, &sched);
}

void barrier(void) { wait(WAIT_SYNC); }
void shfl_barrier(void) { wait(WAIT_SHFL); }

void *shfl_slots(void)
{
  return slots; /* indexed by the thread's linear id: warps never share slots */
}

static void fail_block(unsigned i, const char *why)
{
  const fiber &f = fibers[i];
  fprintf(stderr, "cuda-emu: block (%u,%u,%u) thread %u (%s, after %lu __syncthreads and %lu "
          "shuffle steps): %s\n", block_idx.x, block_idx.y, block_idx.z, i,
          f.state == WAIT_SYNC ? "at __syncthreads" : f.state == WAIT_SHFL ? "at a shuffle"
                                                                            : "exited",
          f.syncs, f.shfls, why);
  emu_die("invalid synchronisation in a kernel");
}

static void run_block(unsigned nthreads)
{
  while (fibers.size() < nthreads) {
    fiber f = {};
    f.stack = (char *)malloc(stack_size);
    if (!f.stack)
      emu_die("out of memory for fiber stacks");
    fibers.push_back(f);
  }
  for (unsigned i = 0; i < nthreads; i++) {
    fiber &f = fibers[i];
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = f.stack;
    f.ctx.uc_stack.ss_size = stack_size;
    f.ctx.uc_link = &sched;
    makecontext(&f.ctx, entry, 0);
    f.st.tid.x = i % block_dim.x;
    f.st.tid.y = (i / block_dim.x) % block_dim.y;
    f.st.tid.z = i / (block_dim.x * block_dim.y);
    f.st.linear = i;
    f.state = RUN;
    f.syncs = f.shfls = 0;
  }
  for (;;) {
    for (unsigned i = 0; i < nthreads; i++) {
      if (fibers[i].state != RUN)
        continue;
      running = &fibers[i];
      cur = &fibers[i].st;
      swapcontext(&sched, &fibers[i].ctx);
    }
    /* Nobody can run. A warp whose live lanes all wait at the same shuffle
     * step proceeds; failing that, a block whose live threads all wait at the
     * same __syncthreads proceeds; anything else is a bug in the kernel. */
    bool released = false, any_live = false;
    for (unsigned w = 0; w < nthreads; w += 32) {
      unsigned end = w + 32 < nthreads ? w + 32 : nthreads;
      int shfl = 0, live = 0;
      for (unsigned i = w; i < end; i++) {
        live += fibers[i].state != DONE;
        shfl += fibers[i].state == WAIT_SHFL;
      }
      any_live |= live > 0;
      if (!shfl)
        continue;
      for (unsigned i = w; i < end; i++) {
        if (fibers[i].state == DONE)
          fail_block(i, "a lane of this warp exited while the others shuffle (full mask)");
        if (fibers[i].state != WAIT_SHFL || fibers[i].shfls != fibers[w].shfls)
          fail_block(i, "lanes of one warp are at different shuffles");
      }
      for (unsigned i = w; i < end; i++)
        fibers[i].state = RUN;
      released = true;
    }
    if (released)
      continue;
    if (!any_live)
      break;
    unsigned first = 0;
    while (fibers[first].state == DONE)
      first++;
    for (unsigned i = 0; i < nthreads; i++) {
      if (fibers[i].state == DONE)
        continue;
      if (fibers[i].state != WAIT_SYNC || fibers[i].syncs != fibers[first].syncs)
        fail_block(i, "threads of the block wait at different __syncthreads (divergent barrier)");
      fibers[i].state = RUN;
    }
  }
}

void launch(dim3 grid, dim3 block, size_t smem, void *stream, void (*body)(void *), void *ctx)
{
  (void)stream;
  const unsigned long long nthreads = (unsigned long long)block.x * block.y * block.z;
  if (nthreads == 0 || nthreads > 1024 || block.z > 64 || grid.x == 0 || grid.y == 0 ||
      grid.z == 0 || grid.y > 65535 || grid.z > 65535 || grid.x > 2147483647u || smem > 48 * 1024) {
    fprintf(stderr, "cuda-emu: invalid launch grid (%u,%u,%u) block (%u,%u,%u)\n", grid.x, grid.y,
            grid.z, block.x, block.y, block.z);
    last_error = cudaErrorInvalidConfiguration;
    return;
  }
  body_fn = body;
  body_ctx = ctx;
  block_dim = block;
  grid_dim = grid;
  open_device();
  for (unsigned z = 0; z < grid.z; z++)
    for (unsigned y = 0; y < grid.y; y++)
      for (unsigned x = 0; x < grid.x; x++) {
        block_idx.x = x;
        block_idx.y = y;
        block_idx.z = z;
        run_block((unsigned)nthreads);
      }
  close_device();
}
} // namespace lm_emu

/* ---- cuBLAS: column-major reference ---- */

struct lm_emu_blas {
  int math;
};

cublasStatus_t cublasCreate(cublasHandle_t *h)
{
  *h = new lm_emu_blas();
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasDestroy(cublasHandle_t h)
{
  delete h;
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasSetStream(cublasHandle_t h, cudaStream_t s)
{
  (void)h;
  (void)s;
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasSetMathMode(cublasHandle_t h, cublasMath_t m)
{
  h->math = (int)m;
  return CUBLAS_STATUS_SUCCESS;
}
const char *cublasGetStatusString(cublasStatus_t s)
{
  return s == CUBLAS_STATUS_SUCCESS ? "CUBLAS_STATUS_SUCCESS" : "CUBLAS_STATUS_INVALID_VALUE";
}

static int64_t max1(int64_t v) { return v > 1 ? v : 1; }

/* Extent in elements of a column-major (rows x cols) matrix with leading dim ld. */
static size_t extent(int64_t rows, int64_t cols, int64_t ld)
{
  return rows > 0 && cols > 0 ? (size_t)((cols - 1) * ld + rows) : 0;
}

cublasStatus_t cublasSgemmStridedBatched_64(cublasHandle_t h, cublasOperation_t ta,
                                            cublasOperation_t tb, int64_t m, int64_t n, int64_t k,
                                            const float *alpha, const float *A, int64_t lda,
                                            long long sa, const float *B, int64_t ldb, long long sb,
                                            const float *beta, float *C, int64_t ldc, long long sc,
                                            int64_t batch)
{
  if (!h || m < 0 || n < 0 || k < 0 || batch < 0)
    return CUBLAS_STATUS_INVALID_VALUE;
  const int64_t arows = ta == CUBLAS_OP_N ? m : k, acols = ta == CUBLAS_OP_N ? k : m;
  const int64_t brows = tb == CUBLAS_OP_N ? k : n, bcols = tb == CUBLAS_OP_N ? n : k;
  if (lda < max1(arows) || ldb < max1(brows) || ldc < max1(m)) {
    fprintf(stderr, "cuda-emu: sgemm leading dimensions invalid (m=%lld n=%lld k=%lld lda=%lld "
            "ldb=%lld ldc=%lld)\n", (long long)m, (long long)n, (long long)k, (long long)lda,
            (long long)ldb, (long long)ldc);
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  for (int64_t b = 0; b < batch; b++) {
    const float *Ab = A + b * sa, *Bb = B + b * sb;
    float *Cb = C + b * sc;
    if ((k > 0 && m > 0 && !find(Ab, extent(arows, acols, lda) * 4)) ||
        (k > 0 && n > 0 && !find(Bb, extent(brows, bcols, ldb) * 4)) ||
        (m > 0 && n > 0 && !find(Cb, extent(m, n, ldc) * 4)))
      emu_die("sgemm operand outside device memory (or overrunning its allocation)");
  }
  lm_emu::block_dim = dim3(1);
  open_device();
  for (int64_t b = 0; b < batch; b++) {
    const float *Ab = A + b * sa, *Bb = B + b * sb;
    float *Cb = C + b * sc;
    for (int64_t j = 0; j < n; j++)
      for (int64_t i = 0; i < m; i++) {
        double acc = 0;
        for (int64_t p = 0; p < k; p++) {
          float a = ta == CUBLAS_OP_N ? Ab[i + p * lda] : Ab[p + i * lda];
          float bv = tb == CUBLAS_OP_N ? Bb[p + j * ldb] : Bb[j + p * ldb];
          acc += (double)a * bv;
        }
        float *c = &Cb[i + j * ldc];
        *c = (float)((double)*alpha * acc + (*beta == 0.0f ? 0.0 : (double)*beta * *c));
      }
  }
  close_device();
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSgemm_64(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int64_t m,
                              int64_t n, int64_t k, const float *alpha, const float *A, int64_t lda,
                              const float *B, int64_t ldb, const float *beta, float *C, int64_t ldc)
{
  return cublasSgemmStridedBatched_64(h, ta, tb, m, n, k, alpha, A, lda, 0, B, ldb, 0, beta, C, ldc,
                                      0, 1);
}
