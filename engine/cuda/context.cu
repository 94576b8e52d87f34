/* context.cu: finding GPUs, one context (stream + cuBLAS handle) per device,
 * host<->device copies, synchronisation, the TF32 switch and error reports.
 *
 * Nothing here runs at process start: the CUDA runtime loads the driver on the
 * first call (lm_cuda_device_count), so a CUDA build starts and does CPU work
 * on a machine without a driver or a GPU, and asking for cuda there gets one
 * sentence saying why (lm_cuda_unavailable_reason), never a raw error code.
 *
 * One stream per device, created non-blocking: every kernel, cuBLAS call and
 * copy of that device is queued on it, in program order, so the caching
 * allocator may hand a freed block to the next op without any event. Copies
 * to the host wait for the stream (the caller reads the bytes next); copies
 * from the host wait too, so the caller may free or reuse its buffer at once.
 * Those waits, and lm_cuda_synchronize, are also where a class label that a
 * loss kernel found out of range is reported (loss.cu): the GPU never makes
 * the host wait just to check labels, as PyTorch's device-side assert.
 *
 * Not for: kernels (their own files), memory (alloc.cu).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda-common.cuh"

#define LM_CUDA_MAX_DEVICES 64

/* ---- errors ---- */

bool lm_cuda_fail(const char *what, const char *call, const char *file, int line, const char *msg)
{
  /* Only the file's name: build directories make __FILE__ a long relative path. */
  const char *base = strrchr(file, '/');
  lm_error("cuda: %s call failed at %s:%d: %s (in %s)", what, base ? base + 1 : file, line, msg,
           call);
  return false;
}

/* ---- discovery ---- */

static pthread_once_t discover_once = PTHREAD_ONCE_INIT;
static int n_devices;
static char unavailable[512];

/* The driver's situation in words. cudaGetDeviceCount reports a machine with
 * no driver at all as "driver version is insufficient", which would send a
 * user looking for a driver update; check whether the driver library loads. */
static void describe_failure(cudaError_t e)
{
  const char *rt_msg = cudaGetErrorString(e);
  int rt_version = 0;
  (void)cudaRuntimeGetVersion(&rt_version);
  const char *visible = getenv("CUDA_VISIBLE_DEVICES");
  if (e == cudaErrorInsufficientDriver) {
    void *h = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (!h) {
      snprintf(unavailable, sizeof unavailable,
               "no CUDA GPU found: the NVIDIA driver is not installed (libcuda.so.1 cannot be "
               "loaded)");
      return;
    }
    dlclose(h);
    snprintf(unavailable, sizeof unavailable,
             "no CUDA GPU found: the NVIDIA driver is too old for the CUDA %d.%d runtime Lumen "
             "was built with (%s); update the driver",
             rt_version / 1000, (rt_version % 1000) / 10, rt_msg);
    return;
  }
  if (e == cudaErrorNoDevice || e == cudaSuccess) {
    if (visible)
      snprintf(unavailable, sizeof unavailable,
               "no CUDA GPU found: the driver sees no device (CUDA_VISIBLE_DEVICES is \"%s\")",
               visible);
    else
      snprintf(unavailable, sizeof unavailable,
               "no CUDA GPU found: the NVIDIA driver is loaded but reports no CUDA-capable device");
    return;
  }
  snprintf(unavailable, sizeof unavailable, "no CUDA GPU found: the driver says: %s", rt_msg);
}

static void discover(void)
{
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    n = 0;
  }
  if (n > LM_CUDA_MAX_DEVICES)
    n = LM_CUDA_MAX_DEVICES;
  n_devices = n;
  if (n == 0)
    describe_failure(e);
}

extern "C" int lm_cuda_device_count(void)
{
  pthread_once(&discover_once, discover);
  return n_devices;
}

extern "C" const char *lm_cuda_unavailable_reason(void)
{
  pthread_once(&discover_once, discover);
  return n_devices > 0 ? "" : unavailable;
}

extern "C" bool lm_cuda_get_device_name(int device, char *buf, size_t len)
{
  if (len)
    buf[0] = '\0';
  if (device < 0 || device >= lm_cuda_device_count())
    return false;
  cudaDeviceProp prop;
  if (!LM_CUDA_CHECK(cudaGetDeviceProperties(&prop, device)))
    return false;
  snprintf(buf, len, "%s", prop.name);
  return true;
}

/* ---- TF32 ---- */

static pthread_once_t tf32_once = PTHREAD_ONCE_INIT;
static int allow_tf32; /* read and written atomically */

static void tf32_init(void)
{
  const char *env = getenv("LUMEN_ALLOW_TF32");
  __atomic_store_n(&allow_tf32, env && env[0] == '1', __ATOMIC_RELAXED);
}

extern "C" bool lm_cuda_allow_tf32(void)
{
  pthread_once(&tf32_once, tf32_init);
  return __atomic_load_n(&allow_tf32, __ATOMIC_RELAXED) != 0;
}

extern "C" bool lm_cuda_set_allow_tf32(bool allow)
{
  pthread_once(&tf32_once, tf32_init);
  return __atomic_exchange_n(&allow_tf32, allow ? 1 : 0, __ATOMIC_RELAXED) != 0;
}

bool lm_cuda_blas_prepare(lm_cuda_ctx *ctx)
{
  int want = lm_cuda_allow_tf32() ? 1 : 0;
  if (ctx->blas_tf32 == want)
    return true;
  /* DEFAULT_MATH is strict float32 since CUDA 11; TF32 only on request. */
  if (!LM_CUBLAS_CHECK(cublasSetMathMode(ctx->blas, want ? CUBLAS_TF32_TENSOR_OP_MATH
                                                         : CUBLAS_DEFAULT_MATH)))
    return false;
  ctx->blas_tf32 = want;
  return true;
}

/* ---- contexts ---- */

static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static lm_cuda_ctx *contexts[LM_CUDA_MAX_DEVICES]; /* published under ctx_lock */
static int n_active;                                /* read without the lock */
static lm_cuda_ctx *only_ctx;                       /* the context while n_active == 1 */
static thread_local int current_device = -1;        /* cudaSetDevice done on this thread */

static bool make_current(int device)
{
  if (current_device == device)
    return true;
  if (!LM_CUDA_CHECK(cudaSetDevice(device)))
    return false;
  current_device = device;
  return true;
}

static lm_cuda_ctx *ctx_create(int device)
{
  lm_cuda_ctx *ctx = (lm_cuda_ctx *)calloc(1, sizeof *ctx);
  if (!ctx) {
    lm_error("cuda: out of host memory creating the context of cuda:%d", device);
    return NULL;
  }
  ctx->device = device;
  ctx->blas_tf32 = -1;
  const char *trace = getenv("LUMEN_CUDA_TRACE");
  lm_cuda_trace = trace && trace[0] == '1';
  if (!make_current(device) ||
      !LM_CUDA_CHECK(cudaDeviceGetAttribute(&ctx->sm_count, cudaDevAttrMultiProcessorCount,
                                            device)) ||
      !LM_CUDA_CHECK(cudaStreamCreateWithFlags(&ctx->stream, cudaStreamNonBlocking))) {
    free(ctx);
    return NULL;
  }
  if (!LM_CUBLAS_CHECK(cublasCreate(&ctx->blas))) {
    (void)cudaStreamDestroy(ctx->stream);
    free(ctx);
    return NULL;
  }
  if (!LM_CUBLAS_CHECK(cublasSetStream(ctx->blas, ctx->stream)) || !lm_cuda_blas_prepare(ctx)) {
    (void)cublasDestroy(ctx->blas);
    (void)cudaStreamDestroy(ctx->stream);
    free(ctx);
    return NULL;
  }
  /* The label-error record (loss.cu): pinned and mapped, so a kernel writes it
   * and the host reads it after a synchronisation it does anyway, no copy. */
  void *rec = NULL, *rec_dev = NULL;
  if (!LM_CUDA_CHECK(cudaHostAlloc(&rec, sizeof(lm_cuda_label_error), cudaHostAllocMapped)) ||
      !LM_CUDA_CHECK(cudaHostGetDevicePointer(&rec_dev, rec, 0))) {
    if (rec)
      (void)cudaFreeHost(rec);
    (void)cublasDestroy(ctx->blas);
    (void)cudaStreamDestroy(ctx->stream);
    free(ctx);
    return NULL;
  }
  void *bad = NULL;
  LM_CUDA_COUNT(cuda_mallocs);
  if (!LM_CUDA_CHECK(cudaMalloc(&bad, sizeof(unsigned long long))) ||
      !LM_CUDA_CHECK(lm_cuda_memset_async(bad, 0xff, sizeof(unsigned long long), ctx->stream))) {
    if (bad)
      (void)cudaFree(bad);
    (void)cudaFreeHost(rec);
    (void)cublasDestroy(ctx->blas);
    (void)cudaStreamDestroy(ctx->stream);
    free(ctx);
    return NULL;
  }
  ctx->loss_bad = (unsigned long long *)bad;
  memset(rec, 0, sizeof(lm_cuda_label_error));
  ctx->label_error = (lm_cuda_label_error *)rec;
  ctx->label_error_dev = (lm_cuda_label_error *)rec_dev;
  if (ctx->sm_count < 1)
    ctx->sm_count = 1;
  return ctx;
}

lm_cuda_ctx *lm_cuda_ctx_get(int device)
{
  if (device < 0 || device >= lm_cuda_device_count()) {
    if (lm_cuda_device_count() == 0)
      lm_error("cuda: %s", lm_cuda_unavailable_reason());
    else
      lm_error("cuda: device cuda:%d does not exist (%d available)", device,
               lm_cuda_device_count());
    return NULL;
  }
  lm_cuda_ctx *ctx = __atomic_load_n(&contexts[device], __ATOMIC_ACQUIRE);
  if (!ctx) {
    pthread_mutex_lock(&ctx_lock);
    ctx = contexts[device];
    if (!ctx) {
      ctx = ctx_create(device);
      if (ctx) {
        __atomic_store_n(&contexts[device], ctx, __ATOMIC_RELEASE);
        int n = __atomic_add_fetch(&n_active, 1, __ATOMIC_ACQ_REL);
        __atomic_store_n(&only_ctx, n == 1 ? ctx : (lm_cuda_ctx *)NULL, __ATOMIC_RELEASE);
      }
    }
    pthread_mutex_unlock(&ctx_lock);
    if (!ctx)
      return NULL;
  }
  return make_current(device) ? ctx : NULL;
}

int lm_cuda_active_devices(void)
{
  return __atomic_load_n(&n_active, __ATOMIC_ACQUIRE);
}

lm_cuda_ctx *lm_cuda_ctx_for(const void *ptr)
{
  /* The common case, one GPU in use: no lookup at all. */
  lm_cuda_ctx *only = __atomic_load_n(&only_ctx, __ATOMIC_ACQUIRE);
  if (only)
    return make_current(only->device) ? only : NULL;
  int device = lm_cuda_alloc_device_of(ptr);
  if (device < 0)
    device = current_device >= 0 ? current_device : 0;
  return lm_cuda_ctx_get(device);
}

/* ---- copies and synchronisation (table entries) ---- */

/* A label error left by a loss kernel, as the op would have worded it on the
 * CPU; reported once. Called with the stream idle. */
static void report_label_error(lm_cuda_ctx *ctx)
{
  lm_cuda_label_error *e = ctx->label_error;
  if (!e->set)
    return;
  const lm_cuda_label_error r = *e;
  e->set = 0;
  lm_error("%s: target %lld is out of bounds for %lld classes (at position %lld; found on "
           "cuda:%d, reported at the next synchronisation)",
           r.op == LM_CUDA_OP_NLL_LOSS ? "nll_loss" : "cross_entropy", r.label, r.classes,
           r.position, ctx->device);
}

lm_cuda_counters lm_cuda_counts;
bool lm_cuda_trace;

void lm_cuda_trace_call(const char *what, const char *file, int line)
{
  const char *base = strrchr(file, '/');
  fprintf(stderr, "cuda: %s at %s:%d\n", what, base ? base + 1 : file, line);
}

extern "C" void lm_cuda_get_counters(lm_cuda_counters *out)
{
  out->launches = __atomic_load_n(&lm_cuda_counts.launches, __ATOMIC_RELAXED);
  out->blas_calls = __atomic_load_n(&lm_cuda_counts.blas_calls, __ATOMIC_RELAXED);
  out->syncs = __atomic_load_n(&lm_cuda_counts.syncs, __ATOMIC_RELAXED);
  out->copies_to_host = __atomic_load_n(&lm_cuda_counts.copies_to_host, __ATOMIC_RELAXED);
  out->copies_from_host = __atomic_load_n(&lm_cuda_counts.copies_from_host, __ATOMIC_RELAXED);
  out->copies_on_device = __atomic_load_n(&lm_cuda_counts.copies_on_device, __ATOMIC_RELAXED);
  out->memsets = __atomic_load_n(&lm_cuda_counts.memsets, __ATOMIC_RELAXED);
  out->cuda_mallocs = __atomic_load_n(&lm_cuda_counts.cuda_mallocs, __ATOMIC_RELAXED);
  out->cuda_frees = __atomic_load_n(&lm_cuda_counts.cuda_frees, __ATOMIC_RELAXED);
  out->allocs = __atomic_load_n(&lm_cuda_counts.allocs, __ATOMIC_RELAXED);
}

bool lm_cuda_ctx_sync(lm_cuda_ctx *ctx, bool report)
{
  ctx->n_syncs++;
  LM_CUDA_COUNT(syncs);
  if (!LM_CUDA_CHECK(cudaStreamSynchronize(ctx->stream)))
    return false;
  if (report)
    report_label_error(ctx);
  return true;
}

extern "C" unsigned long long lm_cuda_host_syncs(int device)
{
  if (device < 0 || device >= lm_cuda_device_count())
    return 0;
  lm_cuda_ctx *ctx = __atomic_load_n(&contexts[device], __ATOMIC_ACQUIRE);
  return ctx ? ctx->n_syncs : 0;
}

extern "C" void lm_cuda_copy_from_host(int device, void *dst, const void *host_src, size_t nbytes)
{
  lm_cuda_ctx *ctx = lm_cuda_ctx_get(device);
  if (!ctx || nbytes == 0)
    return;
  LM_CUDA_COUNT(copies_from_host);
  if (LM_CUDA_CHECK(cudaMemcpyAsync(dst, host_src, nbytes, cudaMemcpyHostToDevice, ctx->stream)))
    (void)lm_cuda_ctx_sync(ctx, true);
}

extern "C" void lm_cuda_copy_to_host(int device, void *host_dst, const void *src, size_t nbytes)
{
  lm_cuda_ctx *ctx = lm_cuda_ctx_get(device);
  if (!ctx || nbytes == 0)
    return;
  LM_CUDA_COUNT(copies_to_host);
  if (LM_CUDA_CHECK(cudaMemcpyAsync(host_dst, src, nbytes, cudaMemcpyDeviceToHost, ctx->stream)))
    (void)lm_cuda_ctx_sync(ctx, true);
}

extern "C" void lm_cuda_copy_on_device(int device, void *dst, const void *src, size_t nbytes)
{
  lm_cuda_ctx *ctx = lm_cuda_ctx_get(device);
  if (!ctx || nbytes == 0 || dst == src)
    return;
  (void)LM_CUDA_CHECK(lm_cuda_copy_d2d_async(dst, src, nbytes, ctx->stream));
}

/* Waits for the device's stream; `report` as lm_cuda_ctx_sync. */
static void sync_device(int device, bool report)
{
  if (device < 0 || device >= lm_cuda_device_count())
    return;
  lm_cuda_ctx *ctx = __atomic_load_n(&contexts[device], __ATOMIC_ACQUIRE);
  if (!ctx)
    return; /* nothing was ever queued there */
  if (make_current(device))
    (void)lm_cuda_ctx_sync(ctx, report);
}

extern "C" void lm_cuda_synchronize(int device)
{
  sync_device(device, true);
}

void lm_cuda_synchronize_quiet(int device)
{
  sync_device(device, false);
}

extern "C" void *lm_cuda_stream(int device)
{
  if (device < 0 || device >= lm_cuda_device_count())
    return NULL;
  lm_cuda_ctx *ctx = lm_cuda_ctx_get(device);
  return ctx ? (void *)ctx->stream : NULL;
}
