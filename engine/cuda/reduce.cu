/* reduce.cu: CUDA reductions over the middle dim of (outer, n, inner), and
 * max's backward scatter, mirroring cpu/reduce.c.
 *
 * Three shapes of work, one accumulator type per op:
 *   - rows (inner == 1: a last dim, or everything): a warp per row when rows
 *     are short, a block per row when they are long;
 *   - long rows and few of them (a full sum of a big tensor): each row is cut
 *     into chunks reduced by separate blocks, then a second kernel merges the
 *     chunk results, so the whole GPU works on one row;
 *   - columns (inner > 1, e.g. a bias gradient summed over the batch): a
 *     32-wide tile of columns per block, 16 threads down each column, so loads
 *     are coalesced along inner.
 * Sums accumulate in double (as the CPU's row sums) and combine in a fixed
 * tree, so results are deterministic run to run. max/argmax return the first
 * index of the maximum, and the first NaN when there is one (PyTorch, CPU).
 *
 * Not for: softmax and losses (softmax.cu, loss.cu).
 */
#include "cuda-common.cuh"

/* ---- accumulators ---- */

struct SumAcc {
  double s;
  __device__ void init() { s = 0.0; }
  __device__ void add(float v, int64_t) { s += (double)v; }
  __device__ void merge(const SumAcc &o) { s += o.s; }
  __device__ SumAcc shfl_down(int off) const
  {
    SumAcc r;
    r.s = __shfl_down_sync(0xffffffffu, s, off);
    return r;
  }
};

/* Running (value, index) of the maximum; i < 0 while empty. add() sees indices
 * in increasing order (the CPU's scan: keep the first maximum, stop at the
 * first NaN); merge() combines any two ranges with the same outcome. */
struct MaxAcc {
  float v;
  long long i;
  __device__ void init()
  {
    v = 0.0f;
    i = -1;
  }
  __device__ void add(float x, int64_t j)
  {
    if (i < 0) {
      v = x;
      i = j;
    } else if (!isnan(v) && (x > v || isnan(x))) {
      v = x;
      i = j;
    }
  }
  __device__ void merge(const MaxAcc &o)
  {
    if (o.i < 0)
      return;
    if (i < 0) {
      *this = o;
      return;
    }
    bool an = isnan(v), bn = isnan(o.v);
    if (an || bn) {
      if ((an && bn && o.i < i) || (!an && bn))
        *this = o;
      return;
    }
    if (o.v > v || (o.v == v && o.i < i))
      *this = o;
  }
  __device__ MaxAcc shfl_down(int off) const
  {
    MaxAcc r;
    r.v = __shfl_down_sync(0xffffffffu, v, off);
    r.i = __shfl_down_sync(0xffffffffu, i, off);
    return r;
  }
};

enum { K_SUM = 0, K_MEAN = 1, K_MAX = 2 };
template <int K> struct AccOf { typedef SumAcc type; };
template <> struct AccOf<K_MAX> { typedef MaxAcc type; };

__device__ __forceinline__ void acc_write(const SumAcc &a, int kind, int64_t n, int64_t pos,
                                          float *out, int64_t *)
{
  float s = (float)a.s;
  out[pos] = kind == K_MEAN ? (n ? s / (float)n : __int_as_float(0x7fc00000)) : s;
}

__device__ __forceinline__ void acc_write(const MaxAcc &a, int, int64_t, int64_t pos, float *out,
                                          int64_t *idx)
{
  if (out)
    out[pos] = a.i < 0 ? __int_as_float(0x7fc00000) : a.v;
  if (idx)
    idx[pos] = a.i < 0 ? 0 : a.i;
}

/* Reduction across the TPR threads of a group (TPR = 32: a warp; 256: the
 * block). The result is valid in the group's first thread. */
template <typename Acc, int TPR>
__device__ Acc group_reduce(Acc a, Acc *shared)
{
  for (int off = 16; off > 0; off >>= 1) {
    Acc o = a.shfl_down(off);
    a.merge(o);
  }
  if (TPR == 32)
    return a;
  const int warp = threadIdx.x >> 5;
  __syncthreads();
  if ((threadIdx.x & 31) == 0)
    shared[warp] = a;
  __syncthreads();
  if (threadIdx.x == 0)
    for (int w = 1; w < TPR / 32; w++)
      a.merge(shared[w]);
  return a;
}

/* in (outer, n) -> one value per row; TPR threads per row. */
template <int K, int TPR>
__global__ void reduce_rows_kernel(int kind, int64_t outer, int64_t n, const float *in, float *out,
                                   int64_t *idx)
{
  typedef typename AccOf<K>::type Acc;
  constexpr int RPB = LM_CUDA_THREADS / TPR;
  __shared__ Acc shared[LM_CUDA_THREADS / 32];
  const int lane = threadIdx.x % TPR, grp = threadIdx.x / TPR;
  for (int64_t row0 = (int64_t)blockIdx.x * RPB; row0 < outer; row0 += (int64_t)gridDim.x * RPB) {
    const int64_t row = row0 + grp;
    Acc a;
    a.init();
    if (row < outer) {
      const float *p = in + row * n;
      for (int64_t j = lane; j < n; j += TPR)
        a.add(p[j], j);
    }
    a = group_reduce<Acc, TPR>(a, shared);
    if (lane == 0 && row < outer)
      acc_write(a, kind, n, row, out, idx);
  }
}

/* Long rows: block (s, row) reduces chunk s of row into part[row * S + s]. */
template <int K>
__global__ void reduce_chunks_kernel(int64_t n, int64_t chunk, const float *in,
                                     typename AccOf<K>::type *part)
{
  typedef typename AccOf<K>::type Acc;
  __shared__ Acc shared[LM_CUDA_THREADS / 32];
  const int64_t row = blockIdx.y, s = blockIdx.x;
  const int64_t j0 = s * chunk, j1 = j0 + chunk < n ? j0 + chunk : n;
  const float *p = in + row * n;
  Acc a;
  a.init();
  for (int64_t j = j0 + threadIdx.x; j < j1; j += LM_CUDA_THREADS)
    a.add(p[j], j);
  a = group_reduce<Acc, LM_CUDA_THREADS>(a, shared);
  if (threadIdx.x == 0)
    part[row * gridDim.x + s] = a;
}

/* part (outer, S) -> one value per row, a warp per row. */
template <int K>
__global__ void reduce_merge_kernel(int kind, int64_t outer, int64_t n, int64_t S,
                                    const typename AccOf<K>::type *part, float *out, int64_t *idx)
{
  typedef typename AccOf<K>::type Acc;
  const int lane = threadIdx.x & 31;
  const int64_t row = (int64_t)blockIdx.x * (LM_CUDA_THREADS / 32) + (threadIdx.x >> 5);
  if (row >= outer)
    return; /* whole warps leave together */
  Acc a;
  a.init();
  for (int64_t s = lane; s < S; s += 32)
    a.merge(part[row * S + s]);
  a = group_reduce<Acc, 32>(a, nullptr);
  if (lane == 0)
    acc_write(a, kind, n, row, out, idx);
}

/* in (outer, n, inner) -> out (outer, inner), inner > 1. Block (32, 16). */
#define COL_Y 16
template <int K>
__global__ void __launch_bounds__(32 * COL_Y)
reduce_cols_kernel(int kind, int64_t outer, int64_t n, int64_t inner, const float *in, float *out,
                   int64_t *idx)
{
  typedef typename AccOf<K>::type Acc;
  __shared__ Acc shared[COL_Y][32];
  const int64_t tiles = (inner + 31) / 32, total = outer * tiles;
  for (int64_t t = blockIdx.x; t < total; t += gridDim.x) {
    const int64_t o = t / tiles, i = (t % tiles) * 32 + threadIdx.x;
    Acc a;
    a.init();
    if (i < inner)
      for (int64_t j = threadIdx.y; j < n; j += COL_Y)
        a.add(in[(o * n + j) * inner + i], j);
    __syncthreads(); /* the previous tile's readers are done with `shared` */
    shared[threadIdx.y][threadIdx.x] = a;
    __syncthreads();
    if (threadIdx.y == 0 && i < inner) {
      for (int y = 1; y < COL_Y; y++)
        a.merge(shared[y][threadIdx.x]);
      acc_write(a, kind, n, o * inner + i, out, idx);
    }
  }
}

template <int K>
static void reduce_launch(lm_cuda_ctx *ctx, int kind, int64_t outer, int64_t n, int64_t inner,
                          const float *in, float *out, int64_t *idx)
{
  typedef typename AccOf<K>::type Acc;
  cudaStream_t st = ctx->stream;
  if (inner > 1) {
    int64_t tiles = outer * ((inner + 31) / 32);
    reduce_cols_kernel<K><<<lm_cuda_blocks(ctx, tiles, 1), dim3(32, COL_Y), 0, st>>>(
      kind, outer, n, inner, in, out, idx);
    (void)LM_CUDA_LAUNCHED();
    return;
  }
  if (n >= 65536 && outer < 2 * (int64_t)ctx->sm_count) {
    /* Few long rows: spread each over S blocks of about 8K elements at least. */
    int64_t S = (n + 8191) / 8192, want = (4 * (int64_t)ctx->sm_count + outer - 1) / outer;
    if (S > want)
      S = want;
    if (S > 1024)
      S = 1024;
    if (S < 1)
      S = 1;
    int64_t chunk = (n + S - 1) / S;
    size_t bytes = (size_t)(outer * S) * sizeof(Acc);
    Acc *part = (Acc *)lm_cuda_scratch(ctx, bytes);
    if (!part)
      return;
    reduce_chunks_kernel<K><<<dim3((unsigned)S, (unsigned)outer), LM_CUDA_THREADS, 0, st>>>(
      n, chunk, in, part);
    (void)LM_CUDA_LAUNCHED();
    unsigned blocks = (unsigned)((outer + LM_CUDA_THREADS / 32 - 1) / (LM_CUDA_THREADS / 32));
    reduce_merge_kernel<K><<<blocks, LM_CUDA_THREADS, 0, st>>>(kind, outer, n, S, part, out, idx);
    (void)LM_CUDA_LAUNCHED();
    lm_cuda_scratch_free(ctx, part, bytes);
    return;
  }
  if (n <= 512) {
    int64_t groups = (outer + LM_CUDA_THREADS / 32 - 1) / (LM_CUDA_THREADS / 32);
    reduce_rows_kernel<K, 32><<<lm_cuda_blocks(ctx, groups, 1), LM_CUDA_THREADS, 0, st>>>(
      kind, outer, n, in, out, idx);
  } else {
    reduce_rows_kernel<K, LM_CUDA_THREADS><<<lm_cuda_blocks(ctx, outer, 1), LM_CUDA_THREADS, 0,
                                              st>>>(kind, outer, n, in, out, idx);
  }
  (void)LM_CUDA_LAUNCHED();
}

extern "C" void lm_cuda_reduce_f32(lm_reduce_op op, int64_t outer, int64_t n, int64_t inner,
                                   const float *in, float *out, int64_t *idx)
{
  if (outer <= 0 || inner <= 0)
    return;
  void *dst = out ? (void *)out : (void *)idx;
  if (!dst)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(dst);
  if (!ctx)
    return;
  switch (op) {
  case LM_RED_SUM:
    reduce_launch<K_SUM>(ctx, K_SUM, outer, n, inner, in, out, NULL);
    break;
  case LM_RED_MEAN:
    reduce_launch<K_SUM>(ctx, K_MEAN, outer, n, inner, in, out, NULL);
    break;
  case LM_RED_MAX:
    reduce_launch<K_MAX>(ctx, K_MAX, outer, n, inner, in, out, idx);
    break;
  case LM_RED_ARGMAX:
    reduce_launch<K_MAX>(ctx, K_MAX, outer, n, inner, in, NULL, idx);
    break;
  }
}

/* gin (outer, n, inner) = 0, then gin[o, idx[o, i], i] = gout[o, i]. */
__global__ void scatter_dim_kernel(int64_t outer, int64_t n, int64_t inner, const float *gout,
                                   const int64_t *idx, float *gin)
{
  LM_GRID_STRIDE(t, outer * inner) {
    const int64_t o = t / inner, i = t - o * inner, j = idx[t];
    if (j >= 0 && j < n)
      gin[(o * n + j) * inner + i] = gout[t];
  }
}

extern "C" void lm_cuda_scatter_dim_f32(int64_t outer, int64_t n, int64_t inner, const float *gout,
                                        const int64_t *idx, float *gin)
{
  const int64_t total = outer * n * inner;
  if (total <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(gin);
  if (!ctx ||
      !LM_CUDA_CHECK(lm_cuda_memset_async(gin, 0, (size_t)total * sizeof(float), ctx->stream)))
    return;
  scatter_dim_kernel<<<lm_cuda_blocks(ctx, outer * inner, LM_CUDA_THREADS), LM_CUDA_THREADS, 0,
                       ctx->stream>>>(outer, n, inner, gout, idx, gin);
  (void)LM_CUDA_LAUNCHED();
}

/* A tie with the maximum: equal, or both NaN (max propagates NaN). */
__device__ __forceinline__ bool is_max(float v, float m)
{
  return v == m || (isnan(v) && isnan(m));
}

/* *k = the number of elements of x (n) tied with value[0], in one block (an
 * exact count in double: the same on every run). */
__global__ void __launch_bounds__(1024)
count_max_kernel(int64_t n, const float *x, const float *value, double *k)
{
  __shared__ double sh[32];
  const float m = value[0];
  double c = 0.0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
    c += is_max(x[i], m) ? 1.0 : 0.0;
  c = lm_block_sum(c, sh);
  if (threadIdx.x == 0)
    *k = c;
}

/* gin = gout[0] / k on the ties, 0 elsewhere (the CPU kernel's division). */
__global__ void max_share_kernel(int64_t n, const float *x, const float *value, const float *gout,
                                 const double *k, float *gin)
{
  const float m = value[0], share = __fdiv_rn(gout[0], (float)*k);
  LM_GRID_STRIDE(i, n) {
    gin[i] = is_max(x[i], m) ? share : 0.0f;
  }
}

extern "C" void lm_cuda_max_all_backward_f32(int64_t n, const float *x, const float *value,
                                             const float *gout, float *gin)
{
  if (n <= 0)
    return;
  lm_cuda_ctx *ctx = lm_cuda_ctx_for(gin);
  if (!ctx)
    return;
  double *k = (double *)lm_cuda_scratch(ctx, sizeof(double));
  if (!k)
    return;
  count_max_kernel<<<1, 1024, 0, ctx->stream>>>(n, x, value, k);
  (void)LM_CUDA_LAUNCHED();
  max_share_kernel<<<lm_cuda_blocks(ctx, n, LM_CUDA_THREADS), LM_CUDA_THREADS, 0, ctx->stream>>>(
    n, x, value, gout, k, gin);
  (void)LM_CUDA_LAUNCHED();
  lm_cuda_scratch_free(ctx, k, sizeof(double));
}
