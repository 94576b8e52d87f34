/* conv2d.c: CPU kernels for 2-D convolution (NCHW), forward and backward.
 *
 * im2col + sgemm, one sample at a time per thread (see the driver at the end):
 * a sample's im2col matrix (K = Cin*kh*kw rows, P = OH*OW columns) fits in L2,
 * the product writes straight into the NCHW output, and backward rebuilds the
 * block rather than storing the batch's. im2col/col2im have a block-copy path
 * for the common "same" convolution (stride 1, output as wide as the input)
 * and a general path for every stride, padding and dilation.
 *
 * Not here: shape checks, autograd, allocation (engine/ops/conv2d.c does those).
 */
#include "lm-nn-kernels.h"

#include <cblas.h>
#include <string.h>

/* Sum of n floats with 16 independent partial sums: the compiler turns the
 * inner loop into vector adds (no reassociation needed, so no -ffast-math),
 * and the partial sums each see only n/16 terms. */
double lm_cpu_sum_f32(const float *s, int64_t n)
{
  float acc[16] = {0};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    for (int j = 0; j < 16; j++)
      acc[j] += s[i + j];
  }
  double total = 0.0;
  for (int j = 0; j < 16; j++)
    total += acc[j];
  for (; i < n; i++)
    total += s[i];
  return total;
}

/* Valid output-column range [lo, hi) for one kernel column: the outputs whose
 * input column ox*sw + ix0 falls inside [0, w). */
static void valid_range(int64_t ix0, int64_t sw, int64_t w, int64_t ow, int64_t *lo, int64_t *hi)
{
  int64_t l = ix0 >= 0 ? 0 : (-ix0 + sw - 1) / sw;
  int64_t h = (w - 1 - ix0) < 0 ? 0 : (w - 1 - ix0) / sw + 1;
  if (h > ow)
    h = ow;
  if (l > ow)
    l = ow;
  if (h < l)
    h = l;
  *lo = l;
  *hi = h;
}

/* Stride 1 and dilation 1 along the width, stride 1 along the height, and an
 * output as wide as the input (the usual "same" 3x3/5x5 convolution). Then one
 * im2col row (c, ki, kj) is the input plane shifted by s = kj - pw columns:
 * consecutive output rows are consecutive input rows, so the valid block is
 * ONE contiguous copy, after which the s columns that wrapped around to the
 * neighbouring row are zeroed. This replaces OH tiny copies per row. */
static bool same_width_fast(const lm_conv2d_geom *g)
{
  return g->sw == 1 && g->dw == 1 && g->sh == 1 && g->ow == g->w && g->pw < g->w;
}

/* Valid output rows [oy0, oy1) of kernel row ki (input row oy - ph + ki*dh). */
static void valid_rows(const lm_conv2d_geom *g, int64_t ki, int64_t *oy0, int64_t *oy1)
{
  int64_t off = ki * g->dh - g->ph;  /* iy = oy + off */
  int64_t lo = off < 0 ? -off : 0, hi = g->h - off;
  if (hi > g->oh) hi = g->oh;
  if (lo > g->oh) lo = g->oh;
  if (hi < lo) hi = lo;
  *oy0 = lo;
  *oy1 = hi;
}

static void im2col_same_width(const lm_conv2d_geom *g, const float *x, float *col, int64_t ldc)
{
  const int64_t OH = g->oh, OW = g->ow, H = g->h, W = g->w;
  for (int64_t c = 0; c < g->c_in; c++) {
    const float *xc = x + c * H * W;
    for (int64_t ki = 0; ki < g->kh; ki++) {
      int64_t oy0, oy1;
      valid_rows(g, ki, &oy0, &oy1);
      /* (no valid rows: src is never read, so keep it inside the plane) */
      const float *src = oy1 > oy0 ? xc + (oy0 + ki * g->dh - g->ph) * W : xc;
      for (int64_t kj = 0; kj < g->kw; kj++) {
        float *d = col + ((c * g->kh + ki) * g->kw + kj) * ldc;
        const int64_t sft = kj - g->pw, n = (oy1 - oy0) * OW;
        memset(d, 0, (size_t)(oy0 * OW) * sizeof(float));
        memset(d + oy1 * OW, 0, (size_t)((OH - oy1) * OW) * sizeof(float));
        float *db = d + oy0 * OW;
        if (sft >= OW || -sft >= OW || n == 0) {
          memset(db, 0, (size_t)n * sizeof(float));
          continue;
        }
        if (sft >= 0) {
          memcpy(db, src + sft, (size_t)(n - sft) * sizeof(float));
          for (int64_t r = 0; r < oy1 - oy0; r++)
            for (int64_t ox = OW - sft; ox < OW; ox++)
              db[r * OW + ox] = 0.0f;
        } else {
          memcpy(db - sft, src, (size_t)(n + sft) * sizeof(float));
          for (int64_t r = 0; r < oy1 - oy0; r++)
            for (int64_t ox = 0; ox < -sft; ox++)
              db[r * OW + ox] = 0.0f;
        }
      }
    }
  }
}

/* The reverse of im2col_same_width, accumulating into dx (Cin,H,W) (already
 * zeroed). dcol is scratch: the wrapped-around columns are zeroed in it first
 * so that each row becomes one contiguous, vectorised add. */
static void col2im_same_width(const lm_conv2d_geom *g, float *dcol, int64_t ldc, float *dx)
{
  const int64_t OW = g->ow, H = g->h, W = g->w;
  for (int64_t c = 0; c < g->c_in; c++) {
    float *dxc = dx + c * H * W;
    for (int64_t ki = 0; ki < g->kh; ki++) {
      int64_t oy0, oy1;
      valid_rows(g, ki, &oy0, &oy1);
      float *dst = oy1 > oy0 ? dxc + (oy0 + ki * g->dh - g->ph) * W : dxc;
      for (int64_t kj = 0; kj < g->kw; kj++) {
        float *sb = dcol + ((c * g->kh + ki) * g->kw + kj) * ldc + oy0 * OW;
        const int64_t sft = kj - g->pw, n = (oy1 - oy0) * OW;
        if (sft >= OW || -sft >= OW || n == 0)
          continue;
        if (sft >= 0) {
          for (int64_t r = 0; r < oy1 - oy0; r++)
            for (int64_t ox = OW - sft; ox < OW; ox++)
              sb[r * OW + ox] = 0.0f;
          float *dd = dst + sft;
          for (int64_t j = 0; j < n - sft; j++)
            dd[j] += sb[j];
        } else {
          for (int64_t r = 0; r < oy1 - oy0; r++)
            for (int64_t ox = 0; ox < -sft; ox++)
              sb[r * OW + ox] = 0.0f;
          const float *ss = sb - sft;
          for (int64_t j = 0; j < n + sft; j++)
            dst[j] += ss[j];
        }
      }
    }
  }
}

/* One sample x (Cin,H,W) into its column block of col (K, ldc). */
static void im2col_sample(const lm_conv2d_geom *g, const float *x, float *col, int64_t ldc)
{
  if (same_width_fast(g)) {
    im2col_same_width(g, x, col, ldc);
    return;
  }
  const int64_t OH = g->oh, OW = g->ow, H = g->h, W = g->w;
  for (int64_t c = 0; c < g->c_in; c++) {
    const float *xc = x + c * H * W;
    for (int64_t ki = 0; ki < g->kh; ki++) {
      for (int64_t kj = 0; kj < g->kw; kj++) {
        int64_t row = (c * g->kh + ki) * g->kw + kj;
        float *dst = col + row * ldc;
        int64_t ix0 = kj * g->dw - g->pw;
        int64_t lo, hi;
        valid_range(ix0, g->sw, W, OW, &lo, &hi);
        for (int64_t oy = 0; oy < OH; oy++) {
          float *d = dst + oy * OW;
          int64_t iy = oy * g->sh - g->ph + ki * g->dh;
          if (iy < 0 || iy >= H) {
            memset(d, 0, (size_t)OW * sizeof(float));
            continue;
          }
          /* input column of output ox: ox*sw + ix0, inside the row for [lo, hi) */
          const float *src = xc + iy * W;
          for (int64_t ox = 0; ox < lo; ox++)
            d[ox] = 0.0f;
          if (g->sw == 1 && hi > lo) {
            memcpy(d + lo, src + lo + ix0, (size_t)(hi - lo) * sizeof(float));
          } else {
            for (int64_t ox = lo; ox < hi; ox++)
              d[ox] = src[ox * g->sw + ix0];
          }
          for (int64_t ox = hi; ox < OW; ox++)
            d[ox] = 0.0f;
        }
      }
    }
  }
}

/* The reverse of im2col_sample: dx (Cin,H,W) = sum of the column block of dcol
 * (K, ldc) scattered back onto the input positions it was read from. dcol is
 * scratch and may be modified. */
static void col2im_sample(const lm_conv2d_geom *g, float *dcol, int64_t ldc, float *dx)
{
  const int64_t OH = g->oh, OW = g->ow, H = g->h, W = g->w;
  memset(dx, 0, (size_t)(g->c_in * H * W) * sizeof(float));
  if (same_width_fast(g)) {
    col2im_same_width(g, dcol, ldc, dx);
    return;
  }
  for (int64_t c = 0; c < g->c_in; c++) {
    float *dxc = dx + c * H * W;
    for (int64_t ki = 0; ki < g->kh; ki++) {
      for (int64_t kj = 0; kj < g->kw; kj++) {
        int64_t row = (c * g->kh + ki) * g->kw + kj;
        const float *src = dcol + row * ldc;
        int64_t ix0 = kj * g->dw - g->pw;
        int64_t lo, hi;
        valid_range(ix0, g->sw, W, OW, &lo, &hi);
        for (int64_t oy = 0; oy < OH; oy++) {
          int64_t iy = oy * g->sh - g->ph + ki * g->dh;
          if (iy < 0 || iy >= H)
            continue;
          const float *s = src + oy * OW;
          float *d = dxc + iy * W;
          for (int64_t ox = lo; ox < hi; ox++)
            d[ox * g->sw + ix0] += s[ox];
        }
      }
    }
  }
}

/* ---- per-sample driver ----
 * Work is split over samples: each thread turns one sample at a time into its
 * own (K, P) im2col buffer, small enough to stay in its core's L2 cache, and
 * multiplies it with a single-threaded sgemm (PyTorch's slow_conv2d does the
 * same). With fewer samples than threads, the samples run one after the other
 * and OpenBLAS threads each product instead. Backward rebuilds a sample's
 * im2col block instead of keeping the whole batch's from the forward: a few
 * hundred KiB rebuilt in cache beats megabytes kept and read back from memory. */

typedef struct {
  const lm_conv2d_geom *g;
  const float *x, *wt, *bias, *dy;
  float *out, *dx, *dw, *db, *ws;
  int64_t per_thread;  /* workspace floats per thread */
} conv_job;

int64_t lm_cpu_conv2d_workspace(const lm_conv2d_geom *g, bool backward)
{
  const int64_t K = lm_conv2d_col_rows(g), P = g->oh * g->ow;
  /* forward: col; backward: col, dcol, dw and db partial sums */
  int64_t per = backward ? 2 * K * P + g->c_out * K + g->c_out : K * P;
  return per * lm_cpu_num_threads();
}

static bool per_sample_parallel(const lm_conv2d_geom *g)
{
  return lm_cpu_num_threads() > 1 && g->n >= lm_cpu_num_threads();
}

static void forward_range(void *ctx, int tid, int64_t n0, int64_t n1)
{
  const conv_job *j = ctx;
  const lm_conv2d_geom *g = j->g;
  const int64_t K = lm_conv2d_col_rows(g), P = g->oh * g->ow;
  float *col = j->ws + tid * j->per_thread;
  for (int64_t n = n0; n < n1; n++) {
    float *o = j->out + n * g->c_out * P;
    im2col_sample(g, j->x + n * g->c_in * g->h * g->w, col, P);
    if (j->bias) {
      for (int64_t co = 0; co < g->c_out; co++)
        for (int64_t p = 0; p < P; p++)
          o[co * P + p] = j->bias[co];
    }
    /* out_n (Cout, P) (+)= wt (Cout, K) * col (K, P) */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)g->c_out, (int)P, (int)K, 1.0f,
                j->wt, (int)K, col, (int)P, j->bias ? 1.0f : 0.0f, o, (int)P);
  }
}

void lm_cpu_conv2d_forward(const lm_conv2d_geom *g, const float *x, const float *wt,
                           const float *bias, float *out, float *ws)
{
  conv_job j = {.g = g, .x = x, .wt = wt, .bias = bias, .out = out, .ws = ws,
                .per_thread = lm_conv2d_col_rows(g) * g->oh * g->ow};
  if (per_sample_parallel(g)) {
    int prev = lm_cpu_blas_threads_begin();
    lm_cpu_parallel_for(g->n, forward_range, &j);
    lm_cpu_blas_threads_end(prev);
  } else {
    forward_range(&j, 0, 0, g->n);
  }
}

/* Backward over fixed groups of samples: group gi covers samples
 * [gi*n/G, (gi+1)*n/G) and accumulates its dw/db in its own partial sums
 * (group 0 straight into dw/db), added in group order afterwards. The grouping
 * does not depend on which thread runs which group, so gradients are the same
 * bits on every run (resume after a checkpoint relies on that). Scratch
 * (col, dcol) is per thread; partial sums are per group. */
static void backward_samples(const conv_job *j, float *col, float *dw, float *db, int64_t n0,
                             int64_t n1)
{
  const lm_conv2d_geom *g = j->g;
  const int64_t K = lm_conv2d_col_rows(g), P = g->oh * g->ow;
  float *dcol = col + K * P;
  for (int64_t n = n0; n < n1; n++) {
    const float *dy = j->dy + n * g->c_out * P;
    if (j->db) {
      for (int64_t co = 0; co < g->c_out; co++)
        db[co] += (float)lm_cpu_sum_f32(dy + co * P, P);
    }
    if (j->dw) {
      im2col_sample(g, j->x + n * g->c_in * g->h * g->w, col, P);
      /* dw (Cout, K) += dy_n (Cout, P) * col^T (P, K) */
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)g->c_out, (int)K, (int)P, 1.0f,
                  dy, (int)P, col, (int)P, 1.0f, dw, (int)K);
    }
    if (j->dx) {
      /* dcol (K, P) = wt^T (K, Cout) * dy_n (Cout, P), then scattered back */
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)P, (int)g->c_out, 1.0f,
                  j->wt, (int)K, dy, (int)P, 0.0f, dcol, (int)P);
      col2im_sample(g, dcol, P, j->dx + n * g->c_in * g->h * g->w);
    }
  }
}

typedef struct {
  const conv_job *j;
  int64_t groups;
} conv_group_job;

static void backward_groups(void *ctx, int tid, int64_t g0, int64_t g1)
{
  const conv_group_job *gj = ctx;
  const conv_job *j = gj->j;
  const lm_conv2d_geom *g = j->g;
  const int64_t K = lm_conv2d_col_rows(g), P = g->oh * g->ow;
  float *col = j->ws + tid * j->per_thread;
  for (int64_t gi = g0; gi < g1; gi++) {
    float *part = j->ws + gi * j->per_thread + 2 * K * P;
    float *dw = gi == 0 ? j->dw : part;
    float *db = gi == 0 ? j->db : part + g->c_out * K;
    backward_samples(j, col, dw, db, gi * g->n / gj->groups, (gi + 1) * g->n / gj->groups);
  }
}

void lm_cpu_conv2d_backward(const lm_conv2d_geom *g, const float *dy, const float *x,
                            const float *wt, float *dx, float *dw, float *db, float *ws)
{
  const int64_t K = lm_conv2d_col_rows(g), P = g->oh * g->ow;
  conv_job j = {.g = g, .x = x, .wt = wt, .dy = dy, .dx = dx, .dw = dw, .db = db, .ws = ws,
                .per_thread = 2 * K * P + g->c_out * K + g->c_out};
  if (dw)
    memset(dw, 0, (size_t)(g->c_out * K) * sizeof(float));
  if (db)
    memset(db, 0, (size_t)g->c_out * sizeof(float));
  if (!per_sample_parallel(g)) {
    backward_samples(&j, ws, dw, db, 0, g->n);
    return;
  }
  const int threads = lm_cpu_num_threads();
  for (int t = 1; t < threads; t++)
    memset(ws + t * j.per_thread + 2 * K * P, 0,
           (size_t)(g->c_out * K + g->c_out) * sizeof(float));
  int prev = lm_cpu_blas_threads_begin();
  conv_group_job gj = {.j = &j, .groups = threads};
  lm_cpu_parallel_for(threads, backward_groups, &gj);
  lm_cpu_blas_threads_end(prev);
  for (int t = 1; t < threads; t++) {
    const float *part = ws + t * j.per_thread + 2 * K * P;
    if (dw)
      for (int64_t i = 0; i < g->c_out * K; i++)
        dw[i] += part[i];
    if (db)
      for (int64_t i = 0; i < g->c_out; i++)
        db[i] += part[g->c_out * K + i];
  }
}
