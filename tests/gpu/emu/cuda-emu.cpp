/* cuda-emu.cpp: the CUDA emulator's runtime (see lm-cuda-emu.hpp): launch
 * checks, fibers for threads, blocks in a shuffled order two at a time,
 * per-block shared memory, guard-paged device memory, copies, a reference
 * cuBLAS sgemm.
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
  case cudaErrorInvalidValue: return "invalid argument";
  case cudaErrorLaunchOutOfResources: return "too many resources requested for launch";
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

/* ---- kernels: one fiber per thread, blocks in any order ---- */

namespace lm_emu {
thread_state *cur;
dim3 block_dim, grid_dim;

enum { RUN, WAIT_SYNC, WAIT_SHFL, DONE };
struct fiber {
  ucontext_t ctx;
  thread_state st;
  int state;
  unsigned mask;              /* the warp operation it waits at */
  unsigned long syncs, shfls; /* barriers reached so far, by kind */
  char *stack;
};
/* Blocks run together, interleaved at their barriers (a GPU runs many at once). */
enum { MAX_SLOTS = 2 };
static const size_t stack_size = 256 * 1024;
/* sm_90: 48 KiB per block without opting in, 227 KiB with cudaFuncSetAttribute. */
static const size_t smem_default = 48 * 1024, smem_optin_max = 227 * 1024;
static ucontext_t sched;
static std::vector<fiber> fibers; /* slot s's threads at [s * nthreads, (s + 1) * nthreads) */
static fiber *running;
static void (*body_fn)(void *);
static void *body_ctx;
static unsigned long long slots[MAX_SLOTS][1024];
static const char *kernel_name;
static size_t dyn_smem, smem_limit;

/* One running block's shared memory: dynamic first, then each __shared__
 * declaration at the offset its first use got. */
struct block_smem {
  alignas(16) unsigned char bytes[smem_optin_max];
  std::vector<std::pair<const void *, size_t>> sites;
  size_t used;
};
static block_smem *smem[MAX_SLOTS];

/* Kernels opted in to more dynamic shared memory (cudaFuncSetAttribute). */
static std::vector<std::pair<const void *, int>> smem_optin;

static void entry(void)
{
  body_fn(body_ctx);
  running->state = DONE; /* uc_link returns to the scheduler */
}

static void wait(int kind, unsigned mask)
{
  running->state = kind;
  running->mask = mask;
  if (kind == WAIT_SYNC)
    running->syncs++;
  else
    running->shfls++;
  swapcontext(&running->ctx, &sched);
}

void barrier(void) { wait(WAIT_SYNC, 0); }
void shfl_barrier(unsigned mask) { wait(WAIT_SHFL, mask); }

void *shfl_slots(void)
{
  return slots[cur->slot]; /* indexed by the thread's linear id: warps never share slots */
}

static void fail_thread(const fiber &f, const char *why)
{
  fprintf(stderr, "cuda-emu: %s: block (%u,%u,%u) of (%u,%u,%u), %u threads: thread %u (%s, after "
          "%lu __syncthreads and %lu warp steps): %s\n", kernel_name, f.st.bidx.x, f.st.bidx.y,
          f.st.bidx.z, grid_dim.x, grid_dim.y, grid_dim.z,
          block_dim.x * block_dim.y * block_dim.z, f.st.linear,
          f.state == WAIT_SYNC ? "at __syncthreads" : f.state == WAIT_SHFL ? "at a warp operation"
                                                                            : "exited",
          f.syncs, f.shfls, why);
  emu_die("invalid synchronisation in a kernel");
}

void check_src_lane(unsigned mask, unsigned src)
{
  if (!((mask >> src) & 1u)) {
    fiber *f = running;
    char why[160];
    snprintf(why, sizeof why, "reads lane %u, which is not in the mask 0x%08x (undefined on "
             "hardware)", src, mask);
    fail_thread(*f, why);
  }
}

void *shared_var(size_t size, size_t align, const void *site)
{
  block_smem *b = smem[cur->slot];
  for (const auto &s : b->sites)
    if (s.first == site)
      return b->bytes + s.second;
  size_t off = (b->used + align - 1) & ~(align - 1);
  if (off + size - dyn_smem > smem_default || off + size > smem_limit) {
    fprintf(stderr, "cuda-emu: %s: %zu bytes of static shared memory and %zu dynamic: over the "
            "limit of %zu bytes (48 KiB without cudaFuncSetAttribute; static alone at most "
            "48 KiB)\n", kernel_name, off + size - dyn_smem, dyn_smem, smem_limit);
    emu_die("too much shared memory for one block");
  }
  memset(b->bytes + off, 0xff, size); /* uninitialised on hardware */
  b->sites.push_back(std::make_pair(site, off));
  b->used = off + size;
  return b->bytes + off;
}

void *dynamic_shared(void)
{
  return smem[cur->slot]->bytes;
}

/* Lanes of the warps of [0, n) that wait at a warp operation: the lanes of a
 * mask go on once every lane it names waits at one with that mask (lanes of
 * one warp may be at different operations with disjoint masks, as Volta and
 * later allow). A mask naming a lane that does not exist or has exited, or a
 * lane outside its own mask, is reported. Returns whether any lane went on. */
static bool release_warps(fiber *fs, unsigned n)
{
  bool released = false;
  for (unsigned w = 0; w < n; w += 32) {
    const unsigned lanes = n - w < 32 ? n - w : 32;
    for (unsigned l = 0; l < lanes; l++) {
      const fiber &f = fs[w + l];
      if (f.state != WAIT_SHFL)
        continue;
      const unsigned mask = f.mask;
      if (!((mask >> l) & 1u))
        fail_thread(f, "a lane waits at a warp operation whose mask leaves it out");
      if (lanes < 32 && (mask >> lanes) != 0) {
        char why[200];
        snprintf(why, sizeof why, "warp operation with mask 0x%08x in a warp of %u lanes (the "
                 "block's size is not a multiple of 32): lanes %u..31 do not exist (undefined "
                 "on hardware)", mask, lanes, lanes);
        fail_thread(f, why);
      }
      bool ready = true;
      for (unsigned k = 0; k < lanes; k++) {
        if (!((mask >> k) & 1u))
          continue;
        if (fs[w + k].state == DONE)
          fail_thread(fs[w + k], "a lane of the mask exited while the others wait at a warp "
                      "operation");
        ready &= fs[w + k].state == WAIT_SHFL && fs[w + k].mask == mask;
      }
      if (!ready)
        continue;
      for (unsigned k = 0; k < lanes; k++)
        if ((mask >> k) & 1u)
          fs[w + k].state = RUN;
      released = true;
    }
  }
  return released;
}

/* All live threads of a block wait at the same __syncthreads: release them.
 * Returns false when the block has finished. */
static bool release_barrier(fiber *fs, unsigned n)
{
  int first = -1;
  for (unsigned i = 0; i < n && first < 0; i++)
    if (fs[i].state != DONE)
      first = (int)i;
  if (first < 0)
    return false;
  for (unsigned i = 0; i < n; i++) {
    if (fs[i].state == DONE)
      continue;
    if (fs[i].state == WAIT_SHFL)
      fail_thread(fs[i], "waits at a warp operation that the other lanes of its mask never "
                  "reach (they wait at __syncthreads or at one with another mask)");
    if (fs[i].syncs != fs[first].syncs)
      fail_thread(fs[i], "threads of the block wait at different __syncthreads (divergent "
                  "barrier)");
    fs[i].state = RUN;
  }
  return true;
}

/* Runs blocks ids[0..count) together: each round every block runs until all
 * its threads wait (at a barrier or a warp operation), the blocks taking turns
 * first, then each block's waiters are released. */
static void run_wave(const uint3 *ids, unsigned count, unsigned nthreads)
{
  while (fibers.size() < (size_t)count * nthreads) {
    fiber f = {};
    f.stack = (char *)malloc(stack_size);
    if (!f.stack)
      emu_die("out of memory for fiber stacks");
    fibers.push_back(f);
  }
  for (unsigned s = 0; s < count; s++) {
    smem[s]->sites.clear();
    smem[s]->used = dyn_smem;
    memset(smem[s]->bytes, 0xff, dyn_smem);
    for (unsigned i = 0; i < nthreads; i++) {
      fiber &f = fibers[s * nthreads + i];
      getcontext(&f.ctx);
      f.ctx.uc_stack.ss_sp = f.stack;
      f.ctx.uc_stack.ss_size = stack_size;
      f.ctx.uc_link = &sched;
      makecontext(&f.ctx, entry, 0);
      f.st.tid.x = i % block_dim.x;
      f.st.tid.y = (i / block_dim.x) % block_dim.y;
      f.st.tid.z = i / (block_dim.x * block_dim.y);
      f.st.linear = i;
      f.st.bidx = ids[s];
      f.st.slot = s;
      f.state = RUN;
      f.syncs = f.shfls = 0;
    }
  }
  bool live[MAX_SLOTS];
  for (unsigned s = 0; s < count; s++)
    live[s] = true;
  for (unsigned round = 0;; round++) {
    bool any = false;
    for (unsigned k = 0; k < count; k++) {
      const unsigned s = (k + round) % count; /* who goes first alternates */
      if (!live[s])
        continue;
      fiber *fs = &fibers[s * nthreads];
      for (unsigned i = 0; i < nthreads; i++) {
        if (fs[i].state != RUN)
          continue;
        running = &fs[i];
        cur = &fs[i].st;
        swapcontext(&sched, &fs[i].ctx);
      }
    }
    for (unsigned s = 0; s < count; s++) {
      if (!live[s])
        continue;
      fiber *fs = &fibers[s * nthreads];
      if (!release_warps(fs, nthreads))
        live[s] = release_barrier(fs, nthreads);
      any |= live[s];
    }
    if (!any)
      break;
  }
}

static const char *block_order(void)
{
  const char *e = getenv("LUMEN_EMU_BLOCK_ORDER");
  return e && *e ? e : "shuffle";
}

void launch(dim3 grid, dim3 block, size_t dsmem, void *stream, unsigned bound, const char *name,
            const void *fn, void (*body)(void *), void *ctx)
{
  (void)stream;
  static unsigned long long n_launches;
  n_launches++;
  const unsigned long long nthreads = (unsigned long long)block.x * block.y * block.z;
  if (nthreads == 0 || nthreads > 1024 || block.x > 1024 || block.y > 1024 || block.z > 64 ||
      grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.y > 65535 || grid.z > 65535 ||
      grid.x > 2147483647u) {
    fprintf(stderr, "cuda-emu: %s: invalid launch configuration: grid (%u,%u,%u) block "
            "(%u,%u,%u)\n", name, grid.x, grid.y, grid.z, block.x, block.y, block.z);
    last_error = cudaErrorInvalidConfiguration;
    return;
  }
  /* Without __launch_bounds__ ptxas may give a thread up to 255 registers, and
   * a block then needs more than an SM's 64K once it has over 256 threads. */
  if ((bound && nthreads > bound) || (!bound && nthreads > 256)) {
    fprintf(stderr, "cuda-emu: %s: %llu threads per block %s: the launch may fail on hardware "
            "with \"too many resources requested for launch\"\n", name, nthreads,
            bound ? "exceed its __launch_bounds__" : "without __launch_bounds__ allowing them");
    last_error = cudaErrorLaunchOutOfResources;
    return;
  }
  smem_limit = smem_default;
  for (const auto &o : smem_optin)
    if (o.first == fn)
      smem_limit = (size_t)o.second > smem_default ? (size_t)o.second : smem_default;
  if (dsmem > smem_limit) {
    fprintf(stderr, "cuda-emu: %s: %zu bytes of dynamic shared memory, over the %zu allowed (more "
            "than 48 KiB needs cudaFuncSetAttribute)\n", name, dsmem, smem_limit);
    last_error = cudaErrorInvalidValue;
    return;
  }
  kernel_name = name;
  dyn_smem = dsmem;
  body_fn = body;
  body_ctx = ctx;
  block_dim = block;
  grid_dim = grid;
  for (unsigned s = 0; s < MAX_SLOTS; s++)
    if (!smem[s] && !(smem[s] = new block_smem()))
      emu_die("out of memory for shared memory");

  /* The order blocks start in: a permutation of the linear block ids. */
  const unsigned long long total = (unsigned long long)grid.x * grid.y * grid.z;
  const char *order = block_order();
  const bool reverse = strcmp(order, "reverse") == 0;
  const bool shuffle = strcmp(order, "shuffle") == 0 && total <= (1ull << 24);
  if (!reverse && !shuffle && strcmp(order, "forward") != 0 && strcmp(order, "shuffle") != 0)
    emu_die("LUMEN_EMU_BLOCK_ORDER must be forward, reverse or shuffle");
  std::vector<unsigned> perm;
  if (shuffle) {
    perm.resize(total);
    for (unsigned i = 0; i < total; i++)
      perm[i] = i;
    const char *seed_env = getenv("LUMEN_EMU_SEED");
    unsigned long long x = (seed_env ? strtoull(seed_env, NULL, 10) : 1) * 0x9E3779B97F4A7C15ull +
                           n_launches;
    for (unsigned i = (unsigned)total; i > 1; i--) { /* Fisher-Yates on splitmix64 */
      unsigned long long z = (x += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      std::swap(perm[i - 1], perm[z % i]);
    }
  }
  const char *il = getenv("LUMEN_EMU_INTERLEAVE");
  const unsigned per_wave = il && il[0] == '0' ? 1 : MAX_SLOTS;

  open_device();
  for (unsigned long long k = 0; k < total; k += per_wave) {
    uint3 ids[MAX_SLOTS];
    unsigned count = 0;
    for (unsigned long long j = k; j < total && count < per_wave; j++) {
      const unsigned long long lin = shuffle ? perm[j] : reverse ? total - 1 - j : j;
      ids[count].x = (unsigned)(lin % grid.x);
      ids[count].y = (unsigned)((lin / grid.x) % grid.y);
      ids[count].z = (unsigned)(lin / ((unsigned long long)grid.x * grid.y));
      count++;
    }
    run_wave(ids, count, (unsigned)nthreads);
  }
  close_device();
}
} // namespace lm_emu

cudaError_t cudaFuncSetAttribute(const void *fn, cudaFuncAttribute attr, int value)
{
  if (attr != cudaFuncAttributeMaxDynamicSharedMemorySize || value < 0 ||
      (size_t)value > lm_emu::smem_optin_max) {
    last_error = cudaErrorInvalidValue;
    return cudaErrorInvalidValue;
  }
  for (auto &o : lm_emu::smem_optin)
    if (o.first == fn) {
      o.second = value;
      return cudaSuccess;
    }
  lm_emu::smem_optin.push_back(std::make_pair(fn, value));
  return cudaSuccess;
}

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
