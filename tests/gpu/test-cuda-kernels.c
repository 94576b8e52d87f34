/* test-cuda-kernels.c: every entry of the CUDA backend table against the CPU
 * backend's, on random inputs (suite 'gpu').
 *
 * Each check builds host inputs, runs the CPU entry on host buffers and the
 * CUDA entry on device buffers that start out poisoned (NaN bytes), copies the
 * result back and compares: relative error under 1e-5 (TF32 off), identical
 * indices, and bit-identical values where the arithmetic is exact (fills,
 * copies, the Philox draws, dropout masks). Shapes are picked to reach every
 * code path of the kernels: warp-per-row and block-per-row reductions, the
 * split path for one huge row, column reductions, broadcast and transposed
 * operands, transposed and batched GEMMs, strided/padded/dilated convolutions
 * and overlapping pooling windows.
 *
 * Without a GPU every test skips with "no CUDA GPU: <reason>".
 */
#include "gpu-test.h"

#include "lm-backend.h"
#include "lm-engine-private.h"

static const lm_backend *C, *G;

/* ---- device buffers ---- */

static void *dnew(size_t bytes)
{
  void *p = G->alloc(0, bytes ? bytes : 4);
  if (!p)
    gt_fail("cuda alloc of %zu bytes failed: %s", bytes, lm_last_error());
  return p;
}

static void dfree(void *p, size_t bytes)
{
  G->free(0, p, bytes ? bytes : 4);
}

static void *dup_dev(const void *host, size_t bytes)
{
  void *d = dnew(bytes);
  G->copy_from_host(0, d, host, bytes);
  return d;
}

static float *fetch_f(const void *d, int64_t n)
{
  float *h = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
  G->copy_to_host(0, h, d, (size_t)n * sizeof(float));
  return h;
}

static int64_t *fetch_i(const void *d, int64_t n)
{
  int64_t *h = malloc((size_t)(n > 0 ? n : 1) * sizeof(int64_t));
  G->copy_to_host(0, h, d, (size_t)n * sizeof(int64_t));
  return h;
}

#define F4(n) ((size_t)(n) * sizeof(float))
#define I8(n) ((size_t)(n) * sizeof(int64_t))

static bool setup(void)
{
  if (!gt_need_gpu())
    return false;
  C = lm_cpu_backend();
  G = lm_backend_of(LM_CUDA0);
  gt_assert(G && G->type == LM_DEVICE_CUDA);
  lm_cuda_set_allow_tf32(false);
  return true;
}

/* ---- memory, fills, copies, random numbers ---- */

static void test_fill_copy(void)
{
  if (!setup())
    return;
  const int64_t n = 1000;
  float *h = gt_random(n, -1, 1), *ref = malloc(F4(n));

  float *d = dnew(F4(n));
  G->fill_f32(n, 2.5f, d);
  C->fill_f32(n, 2.5f, ref);
  float *got = fetch_f(d, n);
  gt_check_identical("fill_f32", got, ref, n);
  free(got);
  G->fill_f32(n, 0.0f, d);
  C->fill_f32(n, 0.0f, ref);
  got = fetch_f(d, n);
  gt_check_identical("fill_f32 zero", got, ref, n);
  free(got);
  G->arange_f32(n, -3.25, 0.1, d);
  C->arange_f32(n, -3.25, 0.1, ref);
  got = fetch_f(d, n);
  gt_check_identical("arange_f32", got, ref, n);
  free(got);

  int64_t *di = dnew(I8(n)), iref[1000];
  G->fill_i64(n, -7, di);
  C->fill_i64(n, -7, iref);
  int64_t *goti = fetch_i(di, n);
  gt_check_equal_i64("fill_i64", goti, iref, n);
  free(goti);

  /* copy_on_device and the host round trip */
  float *d2 = dup_dev(h, F4(n));
  G->copy_on_device(0, d, d2, F4(n));
  got = fetch_f(d, n);
  gt_check_identical("copy_on_device", got, h, n);
  free(got);

  /* copy_strided: a transpose of a (25, 40) matrix, float and int64 */
  lm_tensor src = {0}, dst = {0};
  src.ndim = dst.ndim = 2;
  dst.shape[0] = src.shape[0] = 40;
  dst.shape[1] = src.shape[1] = 25;
  dst.stride[0] = 25;
  dst.stride[1] = 1;
  src.stride[0] = 1; /* reading a (25, 40) row-major buffer transposed */
  src.stride[1] = 40;
  const lm_tensor *ops[2] = {&dst, &src};
  lm_iter it;
  lm_iter_init(&it, 2, dst.shape, 2, ops);
  G->copy_strided(&it, 4, d, d2);
  C->copy_strided(&it, 4, ref, h);
  got = fetch_f(d, n);
  gt_check_identical("copy_strided f32 (transpose)", got, ref, n);
  free(got);
  int64_t hi[1000];
  for (int i = 0; i < n; i++)
    hi[i] = (int64_t)i * 7919 - 5000;
  int64_t *dsrc = dup_dev(hi, I8(n));
  G->copy_strided(&it, 8, di, dsrc);
  C->copy_strided(&it, 8, iref, hi);
  goti = fetch_i(di, n);
  gt_check_equal_i64("copy_strided i64 (transpose)", goti, iref, n);
  free(goti);
  /* broadcast: one row (25) copied into all 40 rows */
  src.stride[0] = 0;
  src.stride[1] = 1;
  lm_iter_init(&it, 2, dst.shape, 2, ops);
  G->copy_strided(&it, 4, d, d2);
  C->copy_strided(&it, 4, ref, h);
  got = fetch_f(d, n);
  gt_check_identical("copy_strided broadcast", got, ref, n);
  free(got);

  dfree(d, F4(n));
  dfree(d2, F4(n));
  dfree(di, I8(n));
  dfree(dsrc, I8(n));
  free(h);
  free(ref);
}

static void test_random(void)
{
  if (!setup())
    return;
  /* Odd sizes and counter offsets: the last group of four is partial. */
  const int64_t sizes[] = {1, 7, 1001, 100003};
  for (int s = 0; s < 4; s++) {
    const int64_t n = sizes[s];
    const uint64_t key = 0x1234567890abcdefull + (uint64_t)s, counter = 977 * (uint64_t)s + 3;
    float *ref = malloc(F4(n)), *d = dnew(F4(n));
    C->rand_uniform_f32(n, key, counter, -0.5f, 2.0f, ref);
    G->rand_uniform_f32(n, key, counter, -0.5f, 2.0f, d);
    float *got = fetch_f(d, n);
    gt_check_identical("rand_uniform_f32", got, ref, n);
    free(got);
    C->rand_normal_f32(n, key, counter, 0.25f, 3.0f, ref);
    G->rand_normal_f32(n, key, counter, 0.25f, 3.0f, d);
    got = fetch_f(d, n);
    gt_check_close("rand_normal_f32", got, ref, n, 1e-6);
    free(got);
    free(ref);
    dfree(d, F4(n));
  }
}

/* ---- elementwise ---- */

/* A stack tensor header (geometry only) for lm_iter_init. */
static lm_tensor geom(int ndim, const int64_t *shape, const int64_t *stride)
{
  lm_tensor t;
  memset(&t, 0, sizeof t);
  t.ndim = ndim;
  for (int i = 0; i < ndim; i++) {
    t.shape[i] = shape[i];
    t.stride[i] = stride[i];
  }
  return t;
}

static void check_binary_case(const char *label, lm_binary_op op, int nd, const int64_t *shape,
                              lm_tensor ta, int64_t na, lm_tensor tb, int64_t nb, bool inplace)
{
  int64_t n = lm_shape_numel(nd, shape);
  int64_t ostride[LM_MAX_DIMS];
  lm_contiguous_strides(nd, shape, ostride);
  lm_tensor to = geom(nd, shape, ostride);
  const bool pow_like = op >= LM_BIN_POW;
  float *a = gt_random(na, pow_like ? 0.25f : -2.0f, 2.0f);
  float *b = gt_random(nb, pow_like ? -1.5f : 0.5f, 2.0f);
  if (pow_like) /* exact zeros exercise pow's derivative rules at 0 */
    for (int64_t i = 0; i < na; i += 5)
      a[i] = 0.0f;
  if (pow_like)
    for (int64_t i = 0; i < nb; i += 3)
      b[i] = fabsf(b[i]);
  const lm_tensor *ops[3] = {&to, &ta, &tb};
  lm_iter it;
  lm_iter_init(&it, nd, shape, 3, ops);
  float *ref = malloc(F4(n));
  float *da = dup_dev(a, F4(na)), *db = dup_dev(b, F4(nb));
  float *dout = inplace ? da : dnew(F4(n));
  if (inplace) { /* out aliases a: a has the output's shape and strides */
    memcpy(ref, a, F4(n));
    C->binary_f32(op, &it, ref, ref, b);
  } else {
    C->binary_f32(op, &it, ref, a, b);
  }
  G->binary_f32(op, &it, dout, da, db);
  float *got = fetch_f(dout, n);
  char what[128];
  snprintf(what, sizeof what, "binary_f32 op %d (%s)", (int)op, label);
  gt_check_close(what, got, ref, n, GT_TOL);
  free(got);
  free(ref);
  free(a);
  free(b);
  dfree(da, F4(na));
  dfree(db, F4(nb));
  if (!inplace)
    dfree(dout, F4(n));
}

static void test_binary(void)
{
  if (!setup())
    return;
  for (int op = LM_BIN_ADD; op <= LM_BIN_POW_DB; op++) {
    int64_t s2[2] = {13, 37}, c2[2] = {37, 1}, row[2] = {0, 1}, col[2] = {1, 0}, tr[2] = {1, 13};
    int64_t zero[2] = {0, 0};
    /* same shape (flat kernel) */
    check_binary_case("same shape", op, 2, s2, geom(2, s2, c2), 13 * 37, geom(2, s2, c2), 13 * 37,
                      false);
    /* bias over rows, and a column vector over columns (stride 0) */
    check_binary_case("row broadcast", op, 2, s2, geom(2, s2, c2), 13 * 37, geom(2, s2, row), 37,
                      false);
    check_binary_case("column broadcast", op, 2, s2, geom(2, s2, c2), 13 * 37, geom(2, s2, col),
                      13, false);
    /* a transposed operand and a scalar one */
    check_binary_case("transposed a, scalar b", op, 2, s2, geom(2, s2, tr), 13 * 37,
                      geom(2, s2, zero), 1, false);
    /* 3-D with a broadcast middle dim */
    int64_t s3[3] = {4, 5, 6}, c3[3] = {30, 6, 1}, m3[3] = {6, 0, 1};
    check_binary_case("3-d broadcast", op, 3, s3, geom(3, s3, c3), 120, geom(3, s3, m3), 24,
                      false);
    /* in place (out aliases a), as gradient accumulation does */
    check_binary_case("in place", op, 2, s2, geom(2, s2, c2), 13 * 37, geom(2, s2, row), 37, true);
  }
}

static void unary_domain(lm_unary_op op, float *lo, float *hi)
{
  *lo = -3.0f;
  *hi = 3.0f;
  if (op == LM_UN_LOG || op == LM_UN_SQRT || op == LM_UN_POW_SCALAR) {
    *lo = 0.05f;
    *hi = 4.0f;
  }
}

static void test_unary(void)
{
  if (!setup())
    return;
  const int64_t n = 4099;
  for (int op = LM_UN_NEG; op <= LM_UN_RSUB_SCALAR; op++) {
    const float p0s[4] = {2.0f, 1.0f, 0.5f, 3.0f};
    const int variants = op == LM_UN_POW_SCALAR ? 4 : 1;
    for (int v = 0; v < variants; v++) {
      float lo, hi;
      unary_domain(op, &lo, &hi);
      float p0 = op == LM_UN_CLAMP ? -0.5f : (op == LM_UN_POW_SCALAR ? p0s[v] : 0.75f);
      float p1 = op == LM_UN_CLAMP ? 0.7f : 0.0f;
      float *x = gt_random(n, lo, hi), *y = malloc(F4(n)), *g = gt_random(n, -1, 1);
      float *gin = malloc(F4(n));
      if (op == LM_UN_RELU || op == LM_UN_ABS || op == LM_UN_CLAMP)
        x[0] = 0.0f, x[1] = -0.5f, x[2] = 0.7f; /* the kinks */
      C->unary_f32(op, n, x, p0, p1, y);
      C->unary_backward_f32(op, n, g, x, y, p0, p1, gin);
      float *dx = dup_dev(x, F4(n)), *dy = dup_dev(y, F4(n)), *dg = dup_dev(g, F4(n));
      float *dout = dnew(F4(n));
      char what[96];
      G->unary_f32(op, n, dx, p0, p1, dout);
      float *got = fetch_f(dout, n);
      snprintf(what, sizeof what, "unary_f32 op %d (p0 %g)", op, (double)p0);
      gt_check_close(what, got, y, n, GT_TOL);
      free(got);
      G->unary_backward_f32(op, n, dg, dx, dy, p0, p1, dout);
      got = fetch_f(dout, n);
      snprintf(what, sizeof what, "unary_backward_f32 op %d (p0 %g)", op, (double)p0);
      gt_check_close(what, got, gin, n, GT_TOL);
      free(got);
      /* in place (out aliases a), as the scalar ops on a fresh result do */
      G->unary_f32(op, n, dx, p0, p1, dx);
      got = fetch_f(dx, n);
      snprintf(what, sizeof what, "unary_f32 op %d in place", op);
      gt_check_close(what, got, y, n, GT_TOL);
      free(got);
      free(x), free(y), free(g), free(gin);
      dfree(dx, F4(n)), dfree(dy, F4(n)), dfree(dg, F4(n)), dfree(dout, F4(n));
    }
  }
  /* p0 == 0 for pow's backward is all zeros */
  float x[5] = {1, 2, 3, 4, 5}, g[5] = {1, 1, 1, 1, 1}, ref[5];
  C->unary_backward_f32(LM_UN_POW_SCALAR, 5, g, x, NULL, 0.0f, 0, ref);
  float *dx = dup_dev(x, F4(5)), *dg = dup_dev(g, F4(5)), *dout = dnew(F4(5));
  G->unary_backward_f32(LM_UN_POW_SCALAR, 5, dg, dx, NULL, 0.0f, 0, dout);
  float *got = fetch_f(dout, 5);
  gt_check_identical("pow_scalar backward, exponent 0", got, ref, 5);
  free(got);
  dfree(dx, F4(5)), dfree(dg, F4(5)), dfree(dout, F4(5));
}

/* ---- reductions ---- */

static void check_reduce(lm_reduce_op op, int64_t outer, int64_t n, int64_t inner, bool ties,
                         bool with_nan)
{
  const int64_t total = outer * n * inner, nout = outer * inner;
  float *in = gt_random(total, -2, 2);
  if (ties) /* few distinct values: the first-index rule decides */
    for (int64_t i = 0; i < total; i++)
      in[i] = floorf(in[i] * 2.0f) / 2.0f;
  if (with_nan && total > 7) {
    in[total / 3] = NAN;
    in[total / 3 + inner] = NAN; /* two NaNs in one reduced line: the first wins */
  }
  float *ref = malloc(F4(nout));
  int64_t *iref = malloc(I8(nout));
  const bool want_vals = op != LM_RED_ARGMAX, want_idx = op >= LM_RED_MAX;
  C->reduce_f32(op, outer, n, inner, in, want_vals ? ref : NULL, want_idx ? iref : NULL);
  float *din = dup_dev(in, F4(total));
  float *dout = want_vals ? dnew(F4(nout)) : NULL;
  int64_t *didx = want_idx ? dnew(I8(nout)) : NULL;
  G->reduce_f32(op, outer, n, inner, din, dout, didx);
  char what[128];
  snprintf(what, sizeof what, "reduce_f32 op %d (%lld, %lld, %lld)%s%s", op, (long long)outer,
           (long long)n, (long long)inner, ties ? " ties" : "", with_nan ? " NaN" : "");
  if (want_vals) {
    float *got = fetch_f(dout, nout);
    gt_check_close(what, got, ref, nout, GT_TOL);
    free(got);
    dfree(dout, F4(nout));
  }
  if (want_idx) {
    int64_t *got = fetch_i(didx, nout);
    gt_check_equal_i64(what, got, iref, nout);
    /* max's backward: scatter the gradient to those indices */
    float *g = gt_random(nout, -1, 1), *sref = malloc(F4(total));
    C->scatter_dim_f32(outer, n, inner, g, iref, sref);
    float *dg = dup_dev(g, F4(nout)), *dsc = dnew(F4(total));
    G->scatter_dim_f32(outer, n, inner, dg, didx, dsc);
    float *sgot = fetch_f(dsc, total);
    gt_check_identical("scatter_dim_f32", sgot, sref, total);
    free(sgot), free(g), free(sref), free(got);
    dfree(dg, F4(nout)), dfree(dsc, F4(total)), dfree(didx, I8(nout));
  }
  dfree(din, F4(total));
  free(in), free(ref), free(iref);
}

static void test_reduce(void)
{
  if (!setup())
    return;
  const int64_t shapes[][3] = {
    {7, 10, 1},      /* short rows: a warp per row */
    {3, 3000, 1},    /* long rows: a block per row */
    {1, 200003, 1},  /* one huge row: split over blocks, then merged */
    {5, 33, 70},     /* columns (inner > 1) */
    {1, 64, 10},     /* a bias gradient over a batch */
    {2, 1, 9},       /* n == 1 */
  };
  for (int s = 0; s < 6; s++)
    for (int op = LM_RED_SUM; op <= LM_RED_ARGMAX; op++) {
      check_reduce(op, shapes[s][0], shapes[s][1], shapes[s][2], false, false);
      if (op >= LM_RED_MAX) {
        check_reduce(op, shapes[s][0], shapes[s][1], shapes[s][2], true, false);
        check_reduce(op, shapes[s][0], shapes[s][1], shapes[s][2], false, true);
      }
    }
  /* max over all elements, backward: ties (values rounded to a coarse grid,
   * so the maximum occurs many times), and a NaN that is the maximum */
  const int64_t sizes[] = {1, 1000, 200003};
  for (int s = 0; s < 3; s++) {
    const int64_t n = sizes[s];
    float *x = gt_random(n, -4, 4), g = 1.75f, m = -INFINITY, *ref = malloc(F4(n));
    for (int64_t i = 0; i < n; i++) {
      x[i] = roundf(x[i]);
      m = x[i] > m ? x[i] : m;
    }
    for (int nan = 0; nan < 2; nan++) {
      if (nan) {
        x[n / 2] = NAN;
        m = NAN;
      }
      C->max_all_backward_f32(n, x, &m, &g, ref);
      float *dx = dup_dev(x, F4(n)), *dm = dup_dev(&m, F4(1)), *dg = dup_dev(&g, F4(1));
      float *dgin = dnew(F4(n));
      G->max_all_backward_f32(n, dx, dm, dg, dgin);
      float *got = fetch_f(dgin, n);
      char what[96];
      snprintf(what, sizeof what, "max_all_backward_f32 n=%lld%s", (long long)n,
               nan ? " NaN" : "");
      gt_check_identical(what, got, ref, n);
      double total = 0;
      for (int64_t i = 0; i < n; i++)
        total += ref[i];
      gt_assert(fabs(total - g) < 1e-3);
      free(got);
      dfree(dx, F4(n)), dfree(dm, F4(1)), dfree(dg, F4(1)), dfree(dgin, F4(n));
    }
    free(x), free(ref);
  }
}

/* ---- BLAS ---- */

static void check_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, float beta,
                       int64_t pad, int64_t batch, bool share_a)
{
  /* Stored shapes: A is (m,k) or (k,m) when transposed, likewise B; rows padded. */
  const int64_t ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
  const int64_t lda = ac + pad, ldb = bc + pad, ldc = n + pad;
  const int64_t sa = share_a ? 0 : ar * lda, sb = br * ldb, sc = m * ldc;
  const int64_t na = (share_a ? 1 : batch) * ar * lda, nb = batch * sb, nc = batch * sc;
  float *a = gt_random(na > 0 ? na : 1, -1, 1), *b = gt_random(nb > 0 ? nb : 1, -1, 1);
  float *c = gt_random(nc > 0 ? nc : 1, -1, 1), *ref = malloc(F4(nc > 0 ? nc : 1));
  memcpy(ref, c, F4(nc));
  C->gemm_f32(ta, tb, m, n, k, alpha, a, lda, sa, b, ldb, sb, beta, ref, ldc, sc, batch);
  float *da = dup_dev(a, F4(na)), *db = dup_dev(b, F4(nb)), *dc = dup_dev(c, F4(nc));
  G->gemm_f32(ta, tb, m, n, k, alpha, da, lda, sa, db, ldb, sb, beta, dc, ldc, sc, batch);
  float *got = fetch_f(dc, nc);
  char what[160];
  snprintf(what, sizeof what, "gemm_f32 %c%c m=%lld n=%lld k=%lld alpha=%g beta=%g pad=%lld batch=%lld%s",
           ta ? 'T' : 'N', tb ? 'T' : 'N', (long long)m, (long long)n, (long long)k, (double)alpha,
           (double)beta, (long long)pad, (long long)batch, share_a ? " shared A" : "");
  gt_check_close(what, got, ref, nc, GT_TOL);
  free(got), free(a), free(b), free(c), free(ref);
  dfree(da, F4(na)), dfree(db, F4(nb)), dfree(dc, F4(nc));
}

static void test_gemm(void)
{
  if (!setup())
    return;
  for (int t = 0; t < 4; t++) {
    bool ta = t & 1, tb = t & 2;
    check_gemm(ta, tb, 33, 17, 29, 1.0f, 0.0f, 0, 1, false);
    check_gemm(ta, tb, 33, 17, 29, 0.5f, 1.0f, 3, 1, false);   /* accumulate, padded rows */
    check_gemm(ta, tb, 8, 12, 40, 1.0f, 0.0f, 1, 3, false);    /* strided batch */
    check_gemm(ta, tb, 8, 12, 40, 1.0f, 0.0f, 0, 4, true);     /* batch sharing A (stride 0) */
    check_gemm(ta, tb, 1, 50, 64, 1.0f, 0.0f, 0, 1, false);    /* a row vector */
  }
  check_gemm(false, false, 128, 256, 784, 1.0f, 0.0f, 0, 1, false); /* an MLP layer */
  check_gemm(false, true, 64, 128, 784, 1.0f, 0.0f, 0, 1, false);
  check_gemm(false, false, 5, 7, 0, 1.0f, 0.0f, 0, 2, false);  /* k == 0: C = 0 */
  check_gemm(false, false, 5, 7, 0, 1.0f, 0.5f, 2, 2, false);  /* k == 0: C = beta C */

  /* fill_rows: the bias broadcast */
  float row[37], *ref = malloc(F4(11 * 37));
  for (int i = 0; i < 37; i++)
    row[i] = gt_uniform(-1, 1);
  C->fill_rows_f32(11, 37, row, ref);
  float *drow = dup_dev(row, F4(37)), *dout = dnew(F4(11 * 37));
  G->fill_rows_f32(11, 37, drow, dout);
  float *got = fetch_f(dout, 11 * 37);
  gt_check_identical("fill_rows_f32", got, ref, 11 * 37);
  free(got), free(ref);
  dfree(drow, F4(37)), dfree(dout, F4(11 * 37));
}

/* ---- softmax and losses ---- */

static void test_softmax(void)
{
  if (!setup())
    return;
  const int64_t shapes[][3] = {{6, 10, 1}, {4, 3000, 1}, {3, 7, 5}, {64, 1, 1}};
  for (int s = 0; s < 4; s++)
    for (int lg = 0; lg < 2; lg++) {
      const int64_t outer = shapes[s][0], n = shapes[s][1], inner = shapes[s][2];
      const int64_t total = outer * n * inner;
      float *x = gt_random(total, -8, 8), *y = malloc(F4(total)), *g = gt_random(total, -1, 1);
      float *gin = malloc(F4(total));
      if (inner == 1 && n > 1) /* row 1 all -inf: NaN, as on the CPU */
        for (int64_t j = 0; j < n; j++)
          x[n + j] = -INFINITY;
      C->softmax_f32(outer, n, inner, lg, x, y);
      C->softmax_backward_f32(outer, n, inner, lg, g, y, gin);
      float *dx = dup_dev(x, F4(total)), *dy = dup_dev(y, F4(total)), *dg = dup_dev(g, F4(total));
      float *dout = dnew(F4(total));
      char what[96];
      G->softmax_f32(outer, n, inner, lg, dx, dout);
      float *got = fetch_f(dout, total);
      snprintf(what, sizeof what, "%s (%lld, %lld, %lld)", lg ? "log_softmax" : "softmax",
               (long long)outer, (long long)n, (long long)inner);
      gt_check_close(what, got, y, total, GT_TOL);
      free(got);
      G->softmax_backward_f32(outer, n, inner, lg, dg, dy, dout);
      got = fetch_f(dout, total);
      snprintf(what, sizeof what, "%s backward (%lld, %lld, %lld)", lg ? "log_softmax" : "softmax",
               (long long)outer, (long long)n, (long long)inner);
      gt_check_close(what, got, gin, total, GT_TOL);
      free(got), free(x), free(y), free(g), free(gin);
      dfree(dx, F4(total)), dfree(dy, F4(total)), dfree(dg, F4(total)), dfree(dout, F4(total));
    }
}

static void test_losses(void)
{
  if (!setup())
    return;
  const int64_t cases[][2] = {{64, 10}, {5, 3000}, {1, 1}, {300, 7}};
  for (int s = 0; s < 4; s++) {
    const int64_t n = cases[s][0], c = cases[s][1];
    float *x = gt_random(n * c, -6, 6), *probs = malloc(F4(n * c)), loss;
    int64_t *t = malloc(I8(n));
    for (int64_t i = 0; i < n; i++)
      t[i] = (int64_t)(gt_rand_u32() % (uint32_t)c);
    /* g holds one gradient per sample (reduction 'none' reads them all, the
     * others g[0]); losses has room for one per sample */
    float *g = gt_random(n, -2, 2), *losses = malloc(F4(n));
    float *dx = dup_dev(x, F4(n * c)), *dp = dnew(F4(n * c)), *dl = dnew(F4(n));
    float *dg = dup_dev(g, F4(n));
    int64_t *dt = dup_dev(t, I8(n));
    float *gin = malloc(F4(n * c)), *dgin = dnew(F4(n * c)), *got;
    float *logp = malloc(F4(n * c));
    C->softmax_f32(n, c, 1, true, x, logp);
    float *dlogp = dup_dev(logp, F4(n * c));
    static const char *const rnames[] = {"mean", "sum", "none"};
    static const char *const onames[] = {"", ", ignore_index", ", weight, smoothing"};
    /* class weights, and targets where every third sample is ignored (-100) */
    float *w = gt_random(c, 0.2f, 2), *dw = dup_dev(w, F4(c)), stats[2];
    float *dstats = dnew(F4(2));
    int64_t *t_ign = malloc(I8(n));
    for (int64_t i = 0; i < n; i++)
      t_ign[i] = i % 3 == 1 ? -100 : t[i];
    int64_t *dt_ign = dup_dev(t_ign, I8(n));
    for (int o = 0; o < 3; o++)
    for (int r = LM_REDUCTION_MEAN; r <= LM_REDUCTION_NONE; r++) {
      const int64_t nl = r == LM_REDUCTION_NONE ? n : 1;
      const int64_t *ht = o ? t_ign : t, *gtt = o ? dt_ign : dt;
      lm_class_loss_args ca = {.reduction = r, .ignore_index = -100,
                               .label_smoothing = o == 2 ? 0.1f : 0.0f,
                               .weight = o == 2 ? w : NULL};
      lm_class_loss_args ga = ca;
      ga.weight = o == 2 ? dw : NULL;
      char what[96];
      gt_assert(C->cross_entropy_f32(n, c, x, ht, &ca, losses, probs, stats) == -1);
      gt_assert(G->cross_entropy_f32(n, c, dx, gtt, &ga, dl, dp, dstats) == -1);
      got = fetch_f(dl, nl);
      snprintf(what, sizeof what, "cross_entropy loss (%s%s)", rnames[r], onames[o]);
      gt_check_close(what, got, losses, nl, GT_TOL);
      free(got);
      got = fetch_f(dstats, 2);
      gt_check_close("cross_entropy stats", got, stats, 2, GT_TOL);
      free(got);
      got = fetch_f(dp, n * c);
      gt_check_close("cross_entropy probs", got, probs, n * c, GT_TOL);
      free(got);
      /* backward from the kept probabilities (and the same stats on both) */
      G->copy_from_host(0, dstats, stats, F4(2));
      C->cross_entropy_backward_f32(n, c, &ca, g, probs, ht, stats, gin);
      G->cross_entropy_backward_f32(n, c, &ga, dg, dp, gtt, dstats, dgin);
      got = fetch_f(dgin, n * c);
      snprintf(what, sizeof what, "cross_entropy backward (%s%s)", rnames[r], onames[o]);
      gt_check_close(what, got, gin, n * c, GT_TOL);
      free(got);
      /* nll on log-probabilities */
      ca.label_smoothing = ga.label_smoothing = 0.0f;
      gt_assert(C->nll_loss_f32(n, c, logp, ht, &ca, losses, stats) == -1);
      gt_assert(G->nll_loss_f32(n, c, dlogp, gtt, &ga, dl, dstats) == -1);
      got = fetch_f(dl, nl);
      snprintf(what, sizeof what, "nll_loss (%s%s)", rnames[r], onames[o]);
      gt_check_close(what, got, losses, nl, GT_TOL);
      free(got);
      G->copy_from_host(0, dstats, stats, F4(2));
      C->nll_loss_backward_f32(n, c, &ca, g, ht, stats, gin);
      G->nll_loss_backward_f32(n, c, &ga, dg, gtt, dstats, dgin);
      got = fetch_f(dgin, n * c);
      snprintf(what, sizeof what, "nll_loss backward (%s%s)", rnames[r], onames[o]);
      gt_check_identical(what, got, gin, n * c);
      free(got);
    }
    free(w), free(t_ign);
    dfree(dw, F4(c)), dfree(dstats, F4(2)), dfree(dt_ign, I8(n));
    const lm_class_loss_args mean = {.reduction = LM_REDUCTION_MEAN, .ignore_index = -100};
    float *dst2 = dnew(F4(2));
    /* a label out of range: found on the device without a wait (the entry
     * returns -1), the loss is NaN, and the host's next wait for the stream
     * reports the first bad position with its label and the class count */
    if (n >= 5) {
      int64_t bad[2] = {c, -1};
      G->copy_from_host(0, dt + 3, &bad[0], I8(1));
      G->copy_from_host(0, dt + 4, &bad[1], I8(1));
      t[3] = c;
      t[4] = -1;
      gt_assert(C->cross_entropy_f32(n, c, x, t, &mean, &loss, probs, stats) == 3);
      gt_assert(C->nll_loss_f32(n, c, logp, t, &mean, &loss, stats) == 3);
      char want[160];
      snprintf(want, sizeof want, "target %lld is out of bounds for %lld classes (at position 3",
               (long long)c, (long long)c);
      lm_set_error_handler(count_error, NULL);
      const unsigned long long waits = gt_host_waits();
      n_errors = 0;
      gt_assert(G->cross_entropy_f32(n, c, dx, dt, &mean, dl, dp, dst2) == -1);
      gt_assert(gt_caching_disabled() || gt_host_waits() == waits);
      gt_assert(n_errors == 0);
      got = fetch_f(dl, 1);
      gt_assert(n_errors == 1 && strncmp(last_msg, "cross_entropy: ", 15) == 0 &&
                strstr(last_msg, want));
      gt_assert(isnan(got[0]));
      free(got);
      /* reported once; the next wait finds nothing */
      lm_cuda_synchronize(0);
      gt_assert(n_errors == 1);
      gt_assert(G->nll_loss_f32(n, c, dlogp, dt, &mean, dl, dst2) == -1);
      lm_cuda_synchronize(0);
      gt_assert(n_errors == 2 && strncmp(last_msg, "nll_loss: ", 10) == 0 &&
                strstr(last_msg, want));
      /* two bad calls before a wait: the first one's error is the one reported */
      G->copy_from_host(0, dt + 3, &t[0], I8(1));
      G->cross_entropy_f32(n, c, dx, dt, &mean, dl, dp, dst2);
      G->nll_loss_f32(n, c, dlogp, dt, &mean, dl, dst2);
      gt_assert(n_errors == 2);
      lm_cuda_synchronize(0);
      snprintf(want, sizeof want, "cross_entropy: target -1 is out of bounds for %lld classes "
               "(at position 4", (long long)c);
      gt_assert(n_errors == 3 && strstr(last_msg, want));
      lm_cuda_synchronize(0);
      gt_assert(n_errors == 3);
      lm_set_error_handler(NULL, NULL);
    }
    dfree(dst2, F4(2));
    free(x), free(probs), free(t), free(gin), free(logp), free(g), free(losses);
    dfree(dx, F4(n * c)), dfree(dp, F4(n * c)), dfree(dl, F4(n)), dfree(dg, F4(n));
    dfree(dt, I8(n)), dfree(dgin, F4(n * c)), dfree(dlogp, F4(n * c));
  }
  /* mse: sizes that use one and several partial sums */
  const int64_t msizes[] = {1, 1000, 100001};
  for (int s = 0; s < 3; s++) {
    const int64_t n = msizes[s];
    float *a = gt_random(n, -2, 2), *b = gt_random(n, -2, 2), loss, g1 = 1.3f;
    float *ga = malloc(F4(n)), *gb = malloc(F4(n));
    C->mse_loss_f32(n, a, b, &loss);
    C->mse_loss_backward_f32(n, &g1, a, b, ga, gb);
    float *da = dup_dev(a, F4(n)), *db = dup_dev(b, F4(n)), *dl = dnew(F4(1));
    float *dg1 = dup_dev(&g1, F4(1)), *dga = dnew(F4(n)), *dgb = dnew(F4(n));
    G->mse_loss_f32(n, da, db, dl);
    float *got = fetch_f(dl, 1);
    gt_check_close("mse_loss", got, &loss, 1, GT_TOL);
    free(got);
    G->mse_loss_backward_f32(n, dg1, da, db, dga, dgb);
    got = fetch_f(dga, n);
    gt_check_close("mse_loss backward (a)", got, ga, n, GT_TOL);
    free(got);
    got = fetch_f(dgb, n);
    gt_check_close("mse_loss backward (b)", got, gb, n, GT_TOL);
    free(got);
    G->mse_loss_backward_f32(n, dg1, da, db, NULL, dgb); /* one side only */
    got = fetch_f(dgb, n);
    gt_check_close("mse_loss backward (b only)", got, gb, n, GT_TOL);
    free(got), free(a), free(b), free(ga), free(gb);
    dfree(da, F4(n)), dfree(db, F4(n)), dfree(dl, F4(1)), dfree(dg1, F4(1));
    dfree(dga, F4(n)), dfree(dgb, F4(n));
  }
}

/* ---- conv2d, pooling, dropout, optimizers ---- */

static lm_conv2d_geom conv_geom(int64_t n, int64_t cin, int64_t h, int64_t w, int64_t cout,
                                int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph,
                                int64_t pw, int64_t dh, int64_t dw)
{
  lm_conv2d_geom g = {.n = n, .c_in = cin, .h = h, .w = w, .c_out = cout, .kh = kh, .kw = kw,
                      .sh = sh, .sw = sw, .ph = ph, .pw = pw, .dh = dh, .dw = dw};
  g.oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
  g.ow = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
  return g;
}

static void check_conv(const lm_conv2d_geom *g, bool bias, bool want_dx, bool want_dw,
                       bool want_db)
{
  const int64_t K = lm_conv2d_col_rows(g), nx = g->n * g->c_in * g->h * g->w;
  const int64_t nw = g->c_out * K, ny = g->n * g->c_out * g->oh * g->ow;
  float *x = gt_random(nx, -1, 1), *w = gt_random(nw, -0.5f, 0.5f), *b = gt_random(g->c_out, -1, 1);
  float *dy = gt_random(ny, -1, 1), *y = malloc(F4(ny));
  float *dx = malloc(F4(nx)), *dw = malloc(F4(nw)), *db = malloc(F4(g->c_out));
  int64_t cws_f = C->conv2d_workspace_f32(g, false), cws_b = C->conv2d_workspace_f32(g, true);
  float *cws = malloc(F4(cws_f > cws_b ? cws_f : cws_b));
  C->conv2d_forward_f32(g, x, w, bias ? b : NULL, y, cws);
  C->conv2d_backward_f32(g, dy, x, w, want_dx ? dx : NULL, want_dw ? dw : NULL,
                         want_db ? db : NULL, cws);
  int64_t gws_f = G->conv2d_workspace_f32(g, false), gws_b = G->conv2d_workspace_f32(g, true);
  float *d_x = dup_dev(x, F4(nx)), *d_w = dup_dev(w, F4(nw)), *d_b = dup_dev(b, F4(g->c_out));
  float *d_dy = dup_dev(dy, F4(ny)), *d_y = dnew(F4(ny)), *d_wsf = dnew(F4(gws_f));
  float *d_wsb = dnew(F4(gws_b)), *d_dx = dnew(F4(nx)), *d_dw = dnew(F4(nw));
  float *d_db = dnew(F4(g->c_out));
  G->conv2d_forward_f32(g, d_x, d_w, bias ? d_b : NULL, d_y, d_wsf);
  G->conv2d_backward_f32(g, d_dy, d_x, d_w, want_dx ? d_dx : NULL, want_dw ? d_dw : NULL,
                         want_db ? d_db : NULL, d_wsb);
  char what[200];
  snprintf(what, sizeof what,
           "conv2d N%lld Cin%lld %lldx%lld Cout%lld k%lldx%lld s%lld,%lld p%lld,%lld d%lld,%lld%s",
           (long long)g->n, (long long)g->c_in, (long long)g->h, (long long)g->w,
           (long long)g->c_out, (long long)g->kh, (long long)g->kw, (long long)g->sh,
           (long long)g->sw, (long long)g->ph, (long long)g->pw, (long long)g->dh,
           (long long)g->dw, bias ? " bias" : "");
  float *got = fetch_f(d_y, ny);
  gt_check_close(what, got, y, ny, GT_TOL);
  free(got);
  char sub[240];
  if (want_dx) {
    got = fetch_f(d_dx, nx);
    snprintf(sub, sizeof sub, "%s: dx", what);
    gt_check_close(sub, got, dx, nx, GT_TOL);
    free(got);
  }
  if (want_dw) {
    got = fetch_f(d_dw, nw);
    snprintf(sub, sizeof sub, "%s: dw", what);
    gt_check_close(sub, got, dw, nw, GT_TOL);
    free(got);
  }
  if (want_db) {
    got = fetch_f(d_db, g->c_out);
    snprintf(sub, sizeof sub, "%s: db", what);
    gt_check_close(sub, got, db, g->c_out, GT_TOL);
    free(got);
  }
  free(x), free(w), free(b), free(dy), free(y), free(dx), free(dw), free(db), free(cws);
  dfree(d_x, F4(nx)), dfree(d_w, F4(nw)), dfree(d_b, F4(g->c_out)), dfree(d_dy, F4(ny));
  dfree(d_y, F4(ny)), dfree(d_wsf, F4(gws_f)), dfree(d_wsb, F4(gws_b)), dfree(d_dx, F4(nx));
  dfree(d_dw, F4(nw)), dfree(d_db, F4(g->c_out));
}

static void test_conv2d(void)
{
  if (!setup())
    return;
  lm_conv2d_geom gs[] = {
    conv_geom(2, 3, 9, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1),     /* "same" 3x3 */
    conv_geom(3, 2, 11, 10, 5, 3, 2, 2, 1, 0, 1, 1, 2),   /* stride, asymmetric pad, dilation */
    conv_geom(2, 1, 28, 28, 32, 3, 3, 1, 1, 1, 1, 1, 1),  /* the CNN's first layer */
    conv_geom(4, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1), /* the CNN's second layer */
    conv_geom(1, 3, 5, 5, 2, 5, 5, 1, 1, 0, 0, 1, 1),     /* kernel as large as the input */
    conv_geom(2, 4, 7, 9, 3, 1, 1, 2, 3, 0, 0, 1, 1),     /* 1x1 with strides */
  };
  for (size_t i = 0; i < sizeof gs / sizeof gs[0]; i++) {
    check_conv(&gs[i], true, true, true, true);
    check_conv(&gs[i], false, true, true, false);
  }
  check_conv(&gs[3], true, false, true, true);  /* first layer: no dx wanted */
  check_conv(&gs[1], true, true, false, false); /* only dx */
}

static lm_pool2d_geom pool_geom(int64_t planes, int64_t h, int64_t w, int64_t k, int64_t s,
                                int64_t p)
{
  lm_pool2d_geom g = {.planes = planes, .h = h, .w = w, .kh = k, .kw = k, .sh = s, .sw = s,
                      .ph = p, .pw = p};
  g.oh = (h + 2 * p - k) / s + 1;
  g.ow = (w + 2 * p - k) / s + 1;
  return g;
}

/* ceil_mode (one more output where a last window hangs over the edge, as
 * PyTorch's pooling_output_shape gives for these sizes) and, for avg,
 * count_include_pad=False */
static lm_pool2d_geom pool_geom_ceil(int64_t planes, int64_t h, int64_t w, int64_t k, int64_t s,
                                     int64_t p, bool exclude_pad)
{
  lm_pool2d_geom g = pool_geom(planes, h, w, k, s, p);
  g.oh = (h + 2 * p - k + s - 1) / s + 1;
  g.ow = (w + 2 * p - k + s - 1) / s + 1;
  g.oh -= (g.oh - 1) * s >= h + p;
  g.ow -= (g.ow - 1) * s >= w + p;
  g.exclude_pad = exclude_pad;
  return g;
}

static void test_pool2d(void)
{
  if (!setup())
    return;
  lm_pool2d_geom gs[] = {
    pool_geom(6, 8, 8, 2, 2, 0),   /* the CNN's 2x2 */
    pool_geom(3, 7, 9, 3, 2, 1),   /* padded, odd sizes */
    pool_geom(2, 6, 6, 3, 1, 1),   /* overlapping windows: backward sums */
    pool_geom(64, 28, 28, 2, 2, 0),
    pool_geom_ceil(4, 7, 9, 2, 2, 0, false), /* 2x2 over odd sizes: a ragged last row/column */
    pool_geom_ceil(3, 8, 6, 3, 2, 1, true),
    pool_geom_ceil(2, 10, 11, 3, 3, 1, true),
    pool_geom(3, 7, 9, 3, 2, 1),
  };
  gs[sizeof gs / sizeof gs[0] - 1].exclude_pad = 1; /* count_include_pad=False alone */
  for (size_t i = 0; i < sizeof gs / sizeof gs[0]; i++) {
    const lm_pool2d_geom *g = &gs[i];
    const int64_t nx = g->planes * g->h * g->w, ny = g->planes * g->oh * g->ow;
    float *x = gt_random(nx, -2, 2), *dy = gt_random(ny, -1, 1);
    for (int64_t j = 0; j < nx; j += 3) /* ties */
      x[j] = floorf(x[j]);
    x[nx / 2] = NAN;
    float *y = malloc(F4(ny)), *dx = malloc(F4(nx));
    int64_t *idx = malloc(I8(ny));
    float *d_x = dup_dev(x, F4(nx)), *d_dy = dup_dev(dy, F4(ny)), *d_y = dnew(F4(ny));
    float *d_dx = dnew(F4(nx));
    int64_t *d_idx = dnew(I8(ny));
    char what[96];
    snprintf(what, sizeof what, "max_pool2d planes %lld %lldx%lld k%lld s%lld p%lld",
             (long long)g->planes, (long long)g->h, (long long)g->w, (long long)g->kh,
             (long long)g->sh, (long long)g->ph);
    C->max_pool2d_forward_f32(g, x, y, idx);
    G->max_pool2d_forward_f32(g, d_x, d_y, d_idx);
    float *got = fetch_f(d_y, ny);
    gt_check_identical(what, got, y, ny);
    free(got);
    int64_t *goti = fetch_i(d_idx, ny);
    gt_check_equal_i64(what, goti, idx, ny);
    free(goti);
    C->max_pool2d_backward_f32(g, dy, idx, dx);
    G->max_pool2d_backward_f32(g, d_dy, d_idx, d_dx);
    got = fetch_f(d_dx, nx);
    gt_check_identical("max_pool2d backward", got, dx, nx);
    free(got);
    x[nx / 2] = 0.5f; /* averages of NaN are NaN everywhere: test with numbers */
    G->copy_from_host(0, d_x, x, F4(nx));
    C->avg_pool2d_forward_f32(g, x, y);
    G->avg_pool2d_forward_f32(g, d_x, d_y);
    got = fetch_f(d_y, ny);
    snprintf(what, sizeof what, "avg_pool2d planes %lld k%lld s%lld p%lld", (long long)g->planes,
             (long long)g->kh, (long long)g->sh, (long long)g->ph);
    gt_check_close(what, got, y, ny, GT_TOL);
    free(got);
    C->avg_pool2d_backward_f32(g, dy, dx);
    G->avg_pool2d_backward_f32(g, d_dy, d_dx);
    got = fetch_f(d_dx, nx);
    gt_check_close("avg_pool2d backward", got, dx, nx, GT_TOL);
    free(got);
    free(x), free(dy), free(y), free(dx), free(idx);
    dfree(d_x, F4(nx)), dfree(d_dy, F4(ny)), dfree(d_y, F4(ny)), dfree(d_dx, F4(nx));
    dfree(d_idx, I8(ny));
  }
}

static void test_dropout(void)
{
  if (!setup())
    return;
  const int64_t n = 10007;
  const float ps[] = {0.3f, 0.5f, 1.0f, 0.0f};
  for (int k = 0; k < 4; k++) {
    float *x = gt_random(n, -2, 2), *dy = gt_random(n, -1, 1);
    float *u = malloc(F4(n)), *out = malloc(F4(n)), *mask = malloc(F4(n)), *dx = malloc(F4(n));
    C->rand_uniform_f32(n, 42, 1000 + (uint64_t)k, 0.0f, 1.0f, u);
    C->dropout_forward_f32(n, x, u, ps[k], out, mask);
    C->dropout_backward_f32(n, dy, mask, dx);
    float *d_x = dup_dev(x, F4(n)), *d_dy = dup_dev(dy, F4(n)), *d_out = dnew(F4(n));
    float *d_mask = dnew(F4(n)), *d_dx = dnew(F4(n));
    /* as the op does: draw into the mask, then turn it into the mask in place */
    G->rand_uniform_f32(n, 42, 1000 + (uint64_t)k, 0.0f, 1.0f, d_mask);
    G->dropout_forward_f32(n, d_x, d_mask, ps[k], d_out, d_mask);
    G->dropout_backward_f32(n, d_dy, d_mask, d_dx);
    float *got = fetch_f(d_mask, n);
    gt_check_identical("dropout mask", got, mask, n);
    free(got);
    got = fetch_f(d_out, n);
    gt_check_identical("dropout forward", got, out, n);
    free(got);
    got = fetch_f(d_dx, n);
    gt_check_identical("dropout backward", got, dx, n);
    free(got), free(x), free(dy), free(u), free(out), free(mask), free(dx);
    dfree(d_x, F4(n)), dfree(d_dy, F4(n)), dfree(d_out, F4(n)), dfree(d_mask, F4(n));
    dfree(d_dx, F4(n));
  }
}

static void test_optim(void)
{
  if (!setup())
    return;
  const int64_t n = 5003;
  /* SGD: plain, weight decay, momentum (first and later steps), nesterov */
  const struct { double mom, damp, wd; bool nesterov; } sgd[] = {
    {0, 0, 0, false}, {0, 0, 0.01, false}, {0.9, 0, 0, false}, {0.9, 0.1, 1e-4, false},
    {0.9, 0, 0.001, true},
  };
  for (size_t k = 0; k < sizeof sgd / sizeof sgd[0]; k++) {
    float *p = gt_random(n, -1, 1), *buf = gt_random(n, -0.1f, 0.1f);
    float *d_p = dup_dev(p, F4(n)), *d_buf = dup_dev(buf, F4(n));
    float *d_g = dnew(F4(n));
    for (int step = 0; step < 3; step++) {
      float *g = gt_random(n, -1, 1);
      G->copy_from_host(0, d_g, g, F4(n));
      C->sgd_step_f32(n, p, g, buf, 0.05, sgd[k].mom, sgd[k].damp, sgd[k].wd, sgd[k].nesterov,
                      step == 0);
      G->sgd_step_f32(n, d_p, d_g, d_buf, 0.05, sgd[k].mom, sgd[k].damp, sgd[k].wd,
                      sgd[k].nesterov, step == 0);
      free(g);
    }
    float *got = fetch_f(d_p, n);
    gt_check_close("sgd_step parameters", got, p, n, GT_TOL);
    free(got);
    if (sgd[k].mom != 0) {
      got = fetch_f(d_buf, n);
      gt_check_close("sgd_step momentum buffer", got, buf, n, GT_TOL);
      free(got);
    }
    free(p), free(buf);
    dfree(d_p, F4(n)), dfree(d_buf, F4(n)), dfree(d_g, F4(n));
  }
  /* Adam, AdamW, amsgrad */
  for (int k = 0; k < 4; k++) {
    lm_adam_hparams h = {.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
                         .weight_decay = k == 0 ? 0.0 : 0.01, .decoupled = k >= 2,
                         .amsgrad = k == 3};
    float *p = gt_random(n, -1, 1), *m = calloc((size_t)n, 4), *v = calloc((size_t)n, 4);
    float *vmax = calloc((size_t)n, 4);
    float *d_p = dup_dev(p, F4(n)), *d_m = dup_dev(m, F4(n)), *d_v = dup_dev(v, F4(n));
    float *d_vmax = dup_dev(vmax, F4(n)), *d_g = dnew(F4(n));
    for (int step = 1; step <= 4; step++) {
      float *g = gt_random(n, -1, 1);
      h.step = step;
      G->copy_from_host(0, d_g, g, F4(n));
      C->adam_step_f32(n, p, g, m, v, h.amsgrad ? vmax : NULL, &h);
      G->adam_step_f32(n, d_p, d_g, d_m, d_v, h.amsgrad ? d_vmax : NULL, &h);
      free(g);
    }
    const char *names[] = {"Adam", "Adam weight_decay", "AdamW", "AdamW amsgrad"};
    char what[64];
    float *got = fetch_f(d_p, n);
    snprintf(what, sizeof what, "%s parameters", names[k]);
    gt_check_close(what, got, p, n, GT_TOL);
    if (gt_rel_err(got, p, n, NULL) == 0)
      gt_message("%s: GPU parameters bit-identical to the CPU's", names[k]);
    free(got);
    got = fetch_f(d_m, n);
    snprintf(what, sizeof what, "%s exp_avg", names[k]);
    gt_check_close(what, got, m, n, GT_TOL);
    free(got);
    got = fetch_f(d_v, n);
    snprintf(what, sizeof what, "%s exp_avg_sq", names[k]);
    gt_check_close(what, got, v, n, GT_TOL);
    free(got), free(p), free(m), free(v), free(vmax);
    dfree(d_p, F4(n)), dfree(d_m, F4(n)), dfree(d_v, F4(n)), dfree(d_vmax, F4(n));
    dfree(d_g, F4(n));
  }
  /* Adadelta: PyTorch's defaults, then every option changed (weight decay on) */
  for (int k = 0; k < 2; k++) {
    const double lr = k ? 0.5 : 1.0, rho = k ? 0.8 : 0.9, eps = k ? 1e-4 : 1e-6;
    const double wd = k ? 0.1 : 0.0;
    float *p = gt_random(n, -1, 1), *sq = calloc((size_t)n, 4), *acc = calloc((size_t)n, 4);
    float *d_p = dup_dev(p, F4(n)), *d_sq = dup_dev(sq, F4(n)), *d_acc = dup_dev(acc, F4(n));
    float *d_g = dnew(F4(n));
    for (int step = 0; step < 3; step++) {
      float *g = gt_random(n, -1, 1);
      G->copy_from_host(0, d_g, g, F4(n));
      C->adadelta_step_f32(n, p, g, sq, acc, lr, rho, eps, wd);
      G->adadelta_step_f32(n, d_p, d_g, d_sq, d_acc, lr, rho, eps, wd);
      free(g);
    }
    float *got = fetch_f(d_p, n);
    gt_check_close("adadelta_step parameters", got, p, n, GT_TOL);
    free(got);
    got = fetch_f(d_sq, n);
    gt_check_close("adadelta_step square_avg", got, sq, n, GT_TOL);
    free(got);
    got = fetch_f(d_acc, n);
    gt_check_close("adadelta_step acc_delta", got, acc, n, GT_TOL);
    free(got), free(p), free(sq), free(acc);
    dfree(d_p, F4(n)), dfree(d_sq, F4(n)), dfree(d_acc, F4(n)), dfree(d_g, F4(n));
  }
}

/* ---- data loading ---- */

static void test_gather_rows(void)
{
  if (!setup())
    return;
  const int64_t rows = 500, n = 77;
  const size_t row_sizes[] = {784 * 4, 8, 12}; /* images (8-byte words), labels, odd rows */
  for (int s = 0; s < 3; s++) {
    const size_t rb = row_sizes[s];
    const int64_t words = (int64_t)(rb / 4);
    float *src = gt_random(rows * words, -1, 1), *ref = malloc(rb * (size_t)n);
    int64_t idx[77];
    for (int64_t i = 0; i < n; i++)
      idx[i] = (int64_t)(gt_rand_u32() % rows);
    idx[0] = rows - 1; /* the last row: no read past it */
    C->gather_rows(n, rb, idx, src, ref);
    float *dsrc = dup_dev(src, rb * (size_t)rows), *ddst = dnew(rb * (size_t)n);
    int64_t *didx = dup_dev(idx, I8(n));
    G->gather_rows(n, rb, didx, dsrc, ddst);
    float *got = fetch_f(ddst, n * words);
    gt_check_identical("gather_rows", got, ref, n * words);
    free(got), free(src), free(ref);
    dfree(dsrc, rb * (size_t)rows), dfree(ddst, rb * (size_t)n), dfree(didx, I8(n));
  }
}

/* ---- past 2^31 elements (a real GPU only) ----
 * Every kernel indexes with int64 and loops grid-stride over a grid capped
 * at 16 blocks per SM, cuBLAS takes int64 sizes: nothing should wrap at
 * 2^31 elements (8 GiB of float32). The emulator cannot run 2^31 threads in
 * reasonable time, so this runs on hardware only, where 8 GiB fit. */
static void test_past_int32(void)
{
  if (!setup())
    return;
  if (lm_emu_stream_syncs) {
    gt_skip("2^31 elements are too many for the CUDA emulator; runs on a real GPU");
    return;
  }
  const int64_t half = ((int64_t)1 << 30) + 3, n = 2 * half; /* 2^31 + 6 */
  float *d = G->alloc(0, F4(n));
  if (!d) {
    gt_skip("fewer than 8 GiB free on cuda:0");
    return;
  }
  G->fill_f32(n, 0.5f, d);
  /* The last element, past 2^31: mark it through the unary kernel's view
   * of the whole buffer (x * 2 + 0 elsewhere stays 1). */
  G->unary_f32(LM_UN_MUL_SCALAR, n, d, 2.0f, 0.0f, d);
  const float big = 3.0f;
  G->copy_from_host(0, d + n - 1, &big, sizeof big);
  float tail[4], *dv = dnew(F4(2));
  int64_t *di = dnew(I8(2)), idx[2];
  G->copy_to_host(0, tail, d + n - 4, sizeof tail);
  gt_assert(tail[0] == 1.0f && tail[2] == 1.0f && tail[3] == 3.0f);
  /* One long row: the chunked sum (a float sum of n - 1 ones and a 3). */
  G->reduce_f32(LM_RED_SUM, 1, n, 1, d, dv, NULL);
  G->copy_to_host(0, tail, dv, F4(1));
  gt_assert(tail[0] == (float)(double)(n + 2));
  /* Two rows of 2^30 + 3: each row's max and where it is. */
  G->reduce_f32(LM_RED_MAX, 2, half, 1, d, dv, di);
  G->copy_to_host(0, tail, dv, F4(2));
  G->copy_to_host(0, idx, di, I8(2));
  gt_assert(tail[0] == 1.0f && idx[0] == 0 && tail[1] == 3.0f && idx[1] == half - 1);
  /* Columns: (1, 2, 2^30 + 3) summed over the middle dim. */
  float *dc = dnew(F4(half));
  G->reduce_f32(LM_RED_SUM, 1, 2, half, d, dc, NULL);
  G->copy_to_host(0, tail, dc + half - 2, F4(2));
  gt_assert(tail[0] == 2.0f && tail[1] == 4.0f);
  dfree(dc, F4(half));
  dfree(di, I8(2));
  dfree(dv, F4(2));
  G->free(0, d, F4(n));
}

int main(int argc, char **argv)
{
  gt_poison_gpu_memory();
  gt_init(&argc, &argv);
  gt_add("/cuda/kernels/fill-copy", test_fill_copy);
  gt_add("/cuda/kernels/random", test_random);
  gt_add("/cuda/kernels/binary", test_binary);
  gt_add("/cuda/kernels/unary", test_unary);
  gt_add("/cuda/kernels/reduce", test_reduce);
  gt_add("/cuda/kernels/gemm", test_gemm);
  gt_add("/cuda/kernels/softmax", test_softmax);
  gt_add("/cuda/kernels/losses", test_losses);
  gt_add("/cuda/kernels/conv2d", test_conv2d);
  gt_add("/cuda/kernels/pool2d", test_pool2d);
  gt_add("/cuda/kernels/dropout", test_dropout);
  gt_add("/cuda/kernels/optim", test_optim);
  gt_add("/cuda/kernels/gather-rows", test_gather_rows);
  gt_add("/cuda/kernels/past-int32", test_past_int32);
  return gt_run();
}
