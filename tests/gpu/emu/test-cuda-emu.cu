/* test-cuda-emu.cu: the CUDA emulator itself (lm-cuda-emu.hpp) does what a
 * real GPU would do where the backend's kernels could go wrong unnoticed:
 * refuses launches the hardware refuses, with CUDA's error codes; runs
 * blocks out of order and interleaved; gives each block its own, garbage
 * filled shared memory; rejects warp operations in partial or divergent
 * warps. Converted by cu2cpp.py like the engine's .cu files; suite gpu-emu.
 * Each check asserts what the old emulator (blocks in order, one at a time,
 * static shared memory, masks ignored) got differently.
 */
#include <cuda_runtime.h>
#include <glib.h>
#include <stdlib.h>

/* ---- device buffers ---- */

static int *dev_ints(size_t n)
{
  void *p = NULL;
  g_assert_cmpint(cudaMalloc(&p, n * sizeof(int)), ==, cudaSuccess);
  g_assert_cmpint(cudaMemsetAsync(p, 0, n * sizeof(int), NULL), ==, cudaSuccess);
  return (int *)p;
}

static void to_host(int *host, const int *dev, size_t n)
{
  g_assert_cmpint(cudaMemcpyAsync(host, dev, n * sizeof(int), cudaMemcpyDeviceToHost, NULL), ==,
                  cudaSuccess);
}

/* A launch the emulator must stop, with a message matching `pattern` (a
 * glob) on stderr; run in a child process. */
typedef struct {
  const char *path;
  void (*launch)(void);
  const char *pattern;
} stop_case;

static void test_stopped(const void *data)
{
  const stop_case *c = (const stop_case *)data;
  if (g_test_subprocess()) {
    c->launch();
    return;
  }
  g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed();
  g_test_trap_assert_stderr(c->pattern);
}

/* ---- launch limits ---- */

__global__ void count_kernel(int *n)
{
  if (threadIdx.x == 0 && threadIdx.y == 0 && threadIdx.z == 0)
    *n += 1;
}

__global__ void __launch_bounds__(1024) count_big_kernel(int *n)
{
  if (threadIdx.x == 0)
    *n += 1;
}

static void test_launch_limits(void)
{
  static const struct {
    dim3 grid, block;
    cudaError_t want;
  } cases[] = {
    {dim3(1), dim3(256), cudaSuccess},
    {dim3(2147483647u), dim3(0), cudaErrorInvalidConfiguration}, /* zero block */
    {dim3(0), dim3(32), cudaErrorInvalidConfiguration},          /* zero grid */
    {dim3(1, 0), dim3(32), cudaErrorInvalidConfiguration},
    {dim3(1), dim3(1025), cudaErrorInvalidConfiguration},        /* > 1024 threads */
    {dim3(1), dim3(64, 32), cudaErrorInvalidConfiguration},      /* 2048 threads */
    {dim3(1), dim3(1, 1, 65), cudaErrorInvalidConfiguration},    /* blockDim.z > 64 */
    {dim3(1, 65536), dim3(32), cudaErrorInvalidConfiguration},   /* gridDim.y > 65535 */
    {dim3(1, 1, 65536), dim3(32), cudaErrorInvalidConfiguration},
    {dim3(2147483648u), dim3(32), cudaErrorInvalidConfiguration}, /* gridDim.x > 2^31 - 1 */
    {dim3(1), dim3(512), cudaErrorLaunchOutOfResources},         /* > 256 without bounds */
    {dim3(3, 2), dim3(4, 4, 4), cudaSuccess},
  };
  int *n = dev_ints(1);
  int want_runs = 0;
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    count_kernel<<<cases[i].grid, cases[i].block>>>(n);
    g_assert_cmpint(cudaGetLastError(), ==, cases[i].want);
    g_assert_cmpint(cudaGetLastError(), ==, cudaSuccess); /* read once, then cleared */
    if (cases[i].want == cudaSuccess)
      want_runs += (int)(cases[i].grid.x * cases[i].grid.y * cases[i].grid.z);
  }
  /* With __launch_bounds__(1024): 1024 threads run, 1025 never do. */
  count_big_kernel<<<2, 1024>>>(n);
  g_assert_cmpint(cudaGetLastError(), ==, cudaSuccess);
  want_runs += 2;
  int runs = 0;
  to_host(&runs, n, 1);
  g_assert_cmpint(runs, ==, want_runs); /* refused launches ran no block */
  cudaFree(n);
}

__global__ void dynamic_smem_kernel(int *out, int n)
{
  extern __shared__ int dyn[];
  for (int i = threadIdx.x; i < n; i += blockDim.x)
    dyn[i] = i;
  __syncthreads();
  if (threadIdx.x == 0)
    *out = dyn[n - 1];
}

static void test_launch_dynamic_smem(void)
{
  int *out = dev_ints(1), v = 0;
  const int n48 = 48 * 1024 / 4, n64 = 64 * 1024 / 4;
  dynamic_smem_kernel<<<1, 256, 48 * 1024>>>(out, n48);
  g_assert_cmpint(cudaGetLastError(), ==, cudaSuccess);
  to_host(&v, out, 1);
  g_assert_cmpint(v, ==, n48 - 1);
  /* 64 KiB: "invalid argument" until the kernel opts in. */
  dynamic_smem_kernel<<<1, 256, 64 * 1024>>>(out, n64);
  g_assert_cmpint(cudaGetLastError(), ==, cudaErrorInvalidValue);
  g_assert_cmpint(cudaFuncSetAttribute(dynamic_smem_kernel,
                                       cudaFuncAttributeMaxDynamicSharedMemorySize, 64 * 1024),
                  ==, cudaSuccess);
  dynamic_smem_kernel<<<1, 256, 64 * 1024>>>(out, n64);
  g_assert_cmpint(cudaGetLastError(), ==, cudaSuccess);
  to_host(&v, out, 1);
  g_assert_cmpint(v, ==, n64 - 1);
  /* sm_90's most is 227 KiB. */
  g_assert_cmpint(cudaFuncSetAttribute(dynamic_smem_kernel,
                                       cudaFuncAttributeMaxDynamicSharedMemorySize, 228 * 1024),
                  ==, cudaErrorInvalidValue);
  (void)cudaGetLastError();
  cudaFree(out);
}

__global__ void static_smem_kernel(int *out)
{
  __shared__ float a[8192]; /* 32 KiB */
  __shared__ float b[8192]; /* 32 more: 64 KiB, which ptxas would refuse */
  a[threadIdx.x] = 1.0f;
  b[threadIdx.x] = 2.0f;
  __syncthreads();
  *out = (int)(a[0] + b[0]);
}

static void launch_static_smem(void)
{
  int *out = dev_ints(1);
  static_smem_kernel<<<1, 32>>>(out);
}

/* ---- block order and concurrency ---- */

/* Block 0 publishes a value the others read without a grid-wide sync. */
__global__ void first_block_kernel(int *flag, int *seen)
{
  if (threadIdx.x != 0)
    return;
  if (blockIdx.x == 0)
    *flag = 1;
  else
    seen[blockIdx.x] = *flag;
}

static int blocks_that_saw_block_0(void)
{
  const int nb = 16;
  int *flag = dev_ints(1), *seen = dev_ints(nb), host[16];
  first_block_kernel<<<nb, 32>>>(flag, seen);
  g_assert_cmpint(cudaGetLastError(), ==, cudaSuccess);
  to_host(host, seen, nb);
  int n = 0;
  for (int b = 1; b < nb; b++)
    n += host[b];
  cudaFree(flag);
  cudaFree(seen);
  return n;
}

static void test_order_not_block_0_first(void)
{
  /* In order, every block saw block 0's write: the bug hid. */
  g_setenv("LUMEN_EMU_BLOCK_ORDER", "forward", TRUE);
  g_assert_cmpint(blocks_that_saw_block_0(), ==, 15);
  /* Reversed: block 0 runs last (with block 1, interleaved): nobody saw it. */
  g_setenv("LUMEN_EMU_BLOCK_ORDER", "reverse", TRUE);
  g_assert_cmpint(blocks_that_saw_block_0(), ==, 0);
  /* Shuffled (the default): some did, some did not. */
  g_unsetenv("LUMEN_EMU_BLOCK_ORDER");
  const int n = blocks_that_saw_block_0();
  g_assert_cmpint(n, >, 0);
  g_assert_cmpint(n, <, 15);
}

/* A non-atomic read-modify-write of one counter by every block, the read and
 * the write on either side of a barrier. */
__global__ void racy_count_kernel(int *counter)
{
  __shared__ int v[1];
  if (threadIdx.x == 0)
    v[0] = *counter;
  __syncthreads();
  if (threadIdx.x == 0)
    *counter = v[0] + 1;
}

static int racy_count(void)
{
  int *c = dev_ints(1), v = 0;
  racy_count_kernel<<<8, 64>>>(c);
  g_assert_cmpint(cudaGetLastError(), ==, cudaSuccess);
  to_host(&v, c, 1);
  cudaFree(c);
  return v;
}

static void test_order_interleaved(void)
{
  g_setenv("LUMEN_EMU_INTERLEAVE", "0", TRUE);
  g_assert_cmpint(racy_count(), ==, 8); /* one block at a time: the race hid */
  g_unsetenv("LUMEN_EMU_INTERLEAVE");
  g_assert_cmpint(racy_count(), ==, 4); /* two blocks read before either writes */
}

/* ---- shared memory ---- */

/* Each block keeps its own id in shared memory across a barrier; with blocks
 * interleaved, one static array for all would give every block the same. */
__global__ void private_smem_kernel(int *out)
{
  __shared__ int id[1];
  if (threadIdx.x == 0)
    id[0] = (int)blockIdx.x;
  __syncthreads();
  if (threadIdx.x == 0)
    out[blockIdx.x] = id[0];
}

/* Reads shared memory nobody wrote: garbage on hardware, -1 here. */
__global__ void unwritten_smem_kernel(int *out)
{
  __shared__ int never[32];
  out[threadIdx.x] = never[threadIdx.x];
}

static void test_shared_memory(void)
{
  int *out = dev_ints(32), host[32];
  private_smem_kernel<<<8, 32>>>(out);
  to_host(host, out, 8);
  for (int b = 0; b < 8; b++)
    g_assert_cmpint(host[b], ==, b);
  unwritten_smem_kernel<<<1, 32>>>(out);
  to_host(host, out, 32);
  for (int i = 0; i < 32; i++)
    g_assert_cmpint(host[i], ==, -1);
  cudaFree(out);
}

/* ---- warps ---- */

__global__ void warp_sum_kernel(int *out)
{
  int v = (int)threadIdx.x;
  for (int o = 16; o > 0; o >>= 1)
    v += __shfl_down_sync(0xffffffffu, v, o);
  if ((threadIdx.x & 31) == 0)
    out[threadIdx.x / 32] = v;
}

__global__ void ballot_kernel(unsigned *out)
{
  const unsigned b = __ballot_sync(0xffffffffu, threadIdx.x & 1);
  __syncwarp();
  const unsigned half = threadIdx.x < 16 ? __ballot_sync(0x0000ffffu, threadIdx.x < 4) : 0u;
  const int all = __all_sync(0xffffffffu, 1);
  if (threadIdx.x == 0) {
    out[0] = b;
    out[1] = half;
    out[2] = (unsigned)all;
  }
}

static void test_warp_ok(void)
{
  int *out = dev_ints(4), host[4];
  warp_sum_kernel<<<1, 128>>>(out);
  to_host(host, out, 4);
  for (int w = 0; w < 4; w++) /* sum of 32w .. 32w + 31 */
    g_assert_cmpint(host[w], ==, 32 * 32 * w + 496);
  ballot_kernel<<<1, 32>>>((unsigned *)out);
  to_host(host, out, 3);
  g_assert_cmpuint((unsigned)host[0], ==, 0xaaaaaaaau);
  g_assert_cmpuint((unsigned)host[1], ==, 0xfu);
  g_assert_cmpuint((unsigned)host[2], ==, 1u);
  cudaFree(out);
}

/* A full-mask shuffle in a block of 48 threads: its second warp has 16 lanes. */
static void launch_warp_partial(void)
{
  int *out = dev_ints(2);
  warp_sum_kernel<<<1, 48>>>(out);
}

/* Lanes past the end of the data leave before the shuffle. */
__global__ void early_exit_kernel(int *out, int n)
{
  if ((int)threadIdx.x >= n)
    return;
  int v = __shfl_down_sync(0xffffffffu, (int)threadIdx.x, 1);
  out[threadIdx.x] = v;
}

static void launch_warp_exited(void)
{
  int *out = dev_ints(32);
  early_exit_kernel<<<1, 32>>>(out, 20);
}

/* A half mask, but lane 15 reads lane 16, outside it. */
__global__ void outside_mask_kernel(int *out)
{
  if (threadIdx.x < 16)
    out[threadIdx.x] = __shfl_down_sync(0x0000ffffu, (int)threadIdx.x, 1);
}

static void launch_warp_outside_mask(void)
{
  int *out = dev_ints(32);
  outside_mask_kernel<<<1, 32>>>(out);
}

static const stop_case stop_cases[] = {
  {"/cuda-emu/launch/static-shared-memory", launch_static_smem,
   "*static_smem_kernel: 65536 bytes of static shared memory*"},
  {"/cuda-emu/warp/partial", launch_warp_partial,
   "*warp_sum_kernel*mask 0xffffffff in a warp of 16 lanes*"},
  {"/cuda-emu/warp/exited", launch_warp_exited, "*a lane of the mask exited*"},
  {"/cuda-emu/warp/outside-mask", launch_warp_outside_mask,
   "*reads lane 16, which is not in the mask 0x0000ffff*"},
};

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cuda-emu/launch/limits", test_launch_limits);
  g_test_add_func("/cuda-emu/launch/dynamic-shared-memory", test_launch_dynamic_smem);
  g_test_add_func("/cuda-emu/order/not-block-0-first", test_order_not_block_0_first);
  g_test_add_func("/cuda-emu/order/interleaved", test_order_interleaved);
  g_test_add_func("/cuda-emu/shared-memory", test_shared_memory);
  g_test_add_func("/cuda-emu/warp/ok", test_warp_ok);
  for (size_t i = 0; i < G_N_ELEMENTS(stop_cases); i++)
    g_test_add_data_func(stop_cases[i].path, &stop_cases[i], test_stopped);
  return g_test_run();
}
