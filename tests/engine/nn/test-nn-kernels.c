/* test-nn-kernels.c: the raw-buffer CPU kernels of conv2d, pooling, dropout and
 * the optimizers against direct double-precision loops written from the
 * definitions (no im2col, no gemm, no vector code).
 *
 * This pins down the kernels on their own, over many geometries (stride,
 * padding, dilation, non-square, odd sizes), before the autograd-level tests
 * (test-nn-ops.c) and PyTorch's numbers (test-nn-fixtures.c) look at them
 * through the op layer.
 */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/lm-nn-kernels.h"
#include "lumen-engine.h"

static float *rand_buf(GRand *r, int64_t n)
{
  float *b = g_new(float, n);
  for (int64_t i = 0; i < n; i++)
    b[i] = (float)g_rand_double_range(r, -1.0, 1.0);
  return b;
}

static void assert_close(const float *got, const double *want, int64_t n, double tol, const char *what)
{
  for (int64_t i = 0; i < n; i++) {
    double scale = fabs(want[i]) > 1.0 ? fabs(want[i]) : 1.0;
    if (fabs((double)got[i] - want[i]) > tol * scale)
      g_error("%s[%" G_GINT64_FORMAT "]: got %.7g, want %.7g", what, (gint64)i, got[i], want[i]);
  }
}

static void check_conv(int64_t N, int64_t Ci, int64_t H, int64_t W, int64_t Co, int64_t kh,
                       int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t dh,
                       int64_t dil_w, gboolean bias)
{
  lm_conv2d_geom g = {.n = N, .c_in = Ci, .h = H, .w = W, .c_out = Co, .kh = kh, .kw = kw,
                      .sh = sh, .sw = sw, .ph = ph, .pw = pw, .dh = dh, .dw = dil_w};
  g.oh = (H + 2 * g.ph - g.dh * (kh - 1) - 1) / g.sh + 1;
  g.ow = (W + 2 * g.pw - g.dw * (kw - 1) - 1) / g.sw + 1;
  g_assert_cmpint(g.oh, >, 0);
  g_assert_cmpint(g.ow, >, 0);
  GRand *r = g_rand_new_with_seed((guint32)(N * 131 + Ci * 17 + H + kh * 7 + sh * 3 + ph + dh));
  int64_t K = Ci * kh * kw, NP = N * g.oh * g.ow;
  int64_t nx = N * Ci * H * W, nw = Co * K, ny = N * Co * g.oh * g.ow;
  float *x = rand_buf(r, nx), *w = rand_buf(r, nw), *b = rand_buf(r, Co), *dy = rand_buf(r, ny);
  float *y = g_new(float, ny);
  float *ws = g_new(float, lm_cpu_conv2d_workspace(&g, true));
  float *dx = g_new(float, nx), *dw = g_new(float, nw), *db = g_new(float, Co);
  (void)K;
  (void)NP;
  double *ry = g_new0(double, ny), *rdx = g_new0(double, nx), *rdw = g_new0(double, nw);
  double *rdb = g_new0(double, Co);

  for (int64_t n = 0; n < N; n++)
    for (int64_t co = 0; co < Co; co++)
      for (int64_t oy = 0; oy < g.oh; oy++)
        for (int64_t ox = 0; ox < g.ow; ox++) {
          int64_t yi = ((n * Co + co) * g.oh + oy) * g.ow + ox;
          double acc = bias ? b[co] : 0.0;
          for (int64_t c = 0; c < Ci; c++)
            for (int64_t ki = 0; ki < kh; ki++)
              for (int64_t kj = 0; kj < kw; kj++) {
                int64_t iy = oy * g.sh - g.ph + ki * g.dh, ix = ox * g.sw - g.pw + kj * g.dw;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                  continue;
                int64_t xi = ((n * Ci + c) * H + iy) * W + ix;
                int64_t wi = ((co * Ci + c) * kh + ki) * kw + kj;
                acc += (double)x[xi] * w[wi];
                rdx[xi] += (double)dy[yi] * w[wi];
                rdw[wi] += (double)dy[yi] * x[xi];
              }
          ry[yi] = acc;
          rdb[co] += dy[yi];
        }

  lm_cpu_conv2d_forward(&g, x, w, bias ? b : NULL, y, ws);
  assert_close(y, ry, ny, 1e-5, "conv2d out");
  lm_cpu_conv2d_backward(&g, dy, x, w, dx, dw, bias ? db : NULL, ws);
  assert_close(dx, rdx, nx, 1e-5, "conv2d dx");
  assert_close(dw, rdw, nw, 1e-5, "conv2d dw");
  if (bias)
    assert_close(db, rdb, Co, 1e-5, "conv2d db");
  /* Only some gradients wanted: the others are NULL and the rest still right. */
  memset(dw, 0, (size_t)nw * sizeof(float));
  lm_cpu_conv2d_backward(&g, dy, x, w, NULL, dw, NULL, ws);
  assert_close(dw, rdw, nw, 1e-5, "conv2d dw (no dx)");
  memset(dx, 0, (size_t)nx * sizeof(float));
  lm_cpu_conv2d_backward(&g, dy, x, w, dx, NULL, NULL, ws);
  assert_close(dx, rdx, nx, 1e-5, "conv2d dx (no dw)");

  g_free(x); g_free(w); g_free(b); g_free(dy); g_free(y); g_free(ws);
  g_free(dx); g_free(dw); g_free(db);
  g_free(ry); g_free(rdx); g_free(rdw); g_free(rdb);
  g_rand_free(r);
}

static void test_conv2d_kernel(void)
{
  /* N, Cin, H, W, Cout, kh, kw, stride h/w, padding h/w, dilation h/w, bias */
  check_conv(2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 0, 1, 1, TRUE);
  check_conv(1, 1, 5, 5, 1, 1, 1, 1, 1, 0, 0, 1, 1, FALSE);   /* 1x1: same width, no shift */
  check_conv(3, 2, 9, 8, 5, 3, 2, 2, 3, 1, 0, 1, 1, TRUE);
  check_conv(2, 2, 10, 9, 3, 3, 3, 1, 1, 2, 1, 2, 1, TRUE);
  check_conv(2, 4, 8, 8, 2, 2, 3, 3, 3, 0, 0, 1, 1, FALSE);
  check_conv(1, 3, 6, 11, 6, 5, 5, 2, 2, 2, 2, 1, 1, TRUE);
  check_conv(2, 1, 4, 4, 3, 4, 4, 1, 2, 3, 2, 1, 1, TRUE);    /* padding bigger than most windows */
  check_conv(1, 2, 12, 5, 2, 3, 1, 1, 2, 1, 0, 3, 1, TRUE);   /* dilation with a 1-wide kernel */
  check_conv(1, 2, 6, 7, 3, 3, 3, 1, 1, 0, 0, 1, 2, TRUE);    /* dilation along the width */
  /* "same" convolutions, the im2col/col2im block-copy path */
  check_conv(2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, TRUE);
  check_conv(2, 2, 9, 9, 3, 5, 5, 1, 1, 2, 2, 1, 1, TRUE);
  check_conv(1, 2, 8, 5, 2, 3, 3, 1, 1, 2, 1, 2, 1, FALSE);   /* dilated rows, same width */
  check_conv(2, 2, 3, 4, 2, 5, 3, 1, 1, 2, 1, 1, 1, TRUE);    /* kernel taller than input */
  check_conv(1, 1, 4, 2, 1, 3, 3, 1, 1, 1, 1, 1, 1, TRUE);    /* width 2: shifts of a full row */
}

static void check_pool(int64_t planes, int64_t H, int64_t W, int64_t k, int64_t s, int64_t p)
{
  lm_pool2d_geom g = {.planes = planes, .h = H, .w = W, .kh = k, .kw = k, .sh = s, .sw = s,
                      .ph = p, .pw = p};
  g.oh = (H + 2 * p - k) / s + 1;
  g.ow = (W + 2 * p - k) / s + 1;
  GRand *r = g_rand_new_with_seed((guint32)(planes + H * 3 + k * 5 + s * 7 + p));
  int64_t nx = planes * H * W, ny = planes * g.oh * g.ow;
  float *x = rand_buf(r, nx), *dy = rand_buf(r, ny);
  float *y = g_new(float, ny), *dx = g_new(float, nx);
  int64_t *idx = g_new(int64_t, ny);
  double *ry = g_new0(double, ny), *rdx = g_new0(double, nx);
  double *ay = g_new0(double, ny), *adx = g_new0(double, nx);

  for (int64_t pl = 0; pl < planes; pl++)
    for (int64_t oy = 0; oy < g.oh; oy++)
      for (int64_t ox = 0; ox < g.ow; ox++) {
        int64_t yi = (pl * g.oh + oy) * g.ow + ox;
        double best = -INFINITY, sum = 0.0;
        int64_t bi = -1;
        for (int64_t ki = 0; ki < k; ki++)
          for (int64_t kj = 0; kj < k; kj++) {
            int64_t iy = oy * s - p + ki, ix = ox * s - p + kj;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W)
              continue;
            double v = x[(pl * H + iy) * W + ix];
            sum += v;
            if (v > best) {
              best = v;
              bi = (pl * H + iy) * W + ix;
            }
          }
        ry[yi] = best;
        rdx[bi] += dy[yi];
        ay[yi] = sum / (double)(k * k);
        for (int64_t ki = 0; ki < k; ki++)
          for (int64_t kj = 0; kj < k; kj++) {
            int64_t iy = oy * s - p + ki, ix = ox * s - p + kj;
            if (iy >= 0 && iy < H && ix >= 0 && ix < W)
              adx[(pl * H + iy) * W + ix] += dy[yi] / (double)(k * k);
          }
      }

  lm_cpu_max_pool2d_forward(&g, x, y, idx);
  assert_close(y, ry, ny, 0.0, "max_pool2d out");
  for (int64_t i = 0; i < ny; i++) {
    int64_t pl = i / (g.oh * g.ow);
    g_assert_cmpfloat(x[pl * H * W + idx[i]], ==, y[i]);
  }
  lm_cpu_max_pool2d_backward(&g, dy, idx, dx);
  assert_close(dx, rdx, nx, 1e-6, "max_pool2d dx");
  lm_cpu_avg_pool2d_forward(&g, x, y);
  assert_close(y, ay, ny, 1e-6, "avg_pool2d out");
  lm_cpu_avg_pool2d_backward(&g, dy, dx);
  assert_close(dx, adx, nx, 1e-6, "avg_pool2d dx");

  g_free(x); g_free(dy); g_free(y); g_free(dx); g_free(idx);
  g_free(ry); g_free(rdx); g_free(ay); g_free(adx);
  g_rand_free(r);
}

static void test_pool2d_kernel(void)
{
  check_pool(6, 8, 8, 2, 2, 0);   /* the fast 2x2 path */
  check_pool(3, 9, 7, 2, 2, 0);   /* odd sizes drop the last row/column */
  check_pool(4, 7, 7, 3, 2, 1);
  check_pool(2, 6, 5, 3, 1, 1);   /* overlapping windows accumulate in backward */
  check_pool(2, 5, 5, 5, 1, 2);
  /* big enough to be split over threads by plane */
  check_pool(90, 28, 28, 2, 2, 0);
  check_pool(75, 30, 32, 3, 2, 1);
}

static void test_max_pool_nan(void)
{
  /* PyTorch propagates NaN through max pooling; the general and 2x2 paths agree. */
  float x[16];
  for (int i = 0; i < 16; i++)
    x[i] = (float)i;
  x[5] = NAN;
  float y[4];
  int64_t idx[4];
  lm_pool2d_geom g = {.planes = 1, .h = 4, .w = 4, .oh = 2, .ow = 2, .kh = 2, .kw = 2, .sh = 2, .sw = 2};
  lm_cpu_max_pool2d_forward(&g, x, y, idx);
  g_assert_true(isnan(y[0]));
  g_assert_cmpint(idx[0], ==, 5);
  g_assert_cmpfloat(y[3], ==, 15.0f);
  lm_pool2d_geom g3 = {.planes = 1, .h = 4, .w = 4, .oh = 2, .ow = 2, .kh = 3, .kw = 3,
                       .sh = 2, .sw = 2, .ph = 1, .pw = 1};
  lm_cpu_max_pool2d_forward(&g3, x, y, idx);
  g_assert_true(isnan(y[0]));
  g_assert_cmpint(idx[0], ==, 5);
}

/* The vectorised 2x2 path on wide rows: ties (first maximum wins) and NaNs
 * (the last NaN wins) must match PyTorch's scalar scan, lane by lane. */
static void test_max_pool_ties_nan(void)
{
  enum { PL = 3, H = 6, W = 22, OH = 3, OW = 11 };
  GRand *r = g_rand_new_with_seed(5);
  float x[PL * H * W], y[PL * OH * OW];
  int64_t idx[PL * OH * OW];
  for (int i = 0; i < PL * H * W; i++) {
    x[i] = (float)g_rand_int_range(r, 0, 3); /* many ties */
    if (g_rand_int_range(r, 0, 9) == 0)
      x[i] = NAN;
  }
  lm_pool2d_geom g = {.planes = PL, .h = H, .w = W, .oh = OH, .ow = OW, .kh = 2, .kw = 2,
                      .sh = 2, .sw = 2};
  lm_cpu_max_pool2d_forward(&g, x, y, idx);
  for (int pl = 0; pl < PL; pl++)
    for (int oy = 0; oy < OH; oy++)
      for (int ox = 0; ox < OW; ox++) {
        float best = -INFINITY;
        int64_t bi = 0;
        for (int ki = 0; ki < 2; ki++)
          for (int kj = 0; kj < 2; kj++) {
            int64_t j = (2 * oy + ki) * W + 2 * ox + kj;
            float v = x[pl * H * W + j];
            if (v > best || isnan(v)) {
              best = v;
              bi = j;
            }
          }
        int o = (pl * OH + oy) * OW + ox;
        g_assert_cmpint(idx[o], ==, bi);
        g_assert_true(isnan(best) ? isnan(y[o]) : y[o] == best);
      }
  g_rand_free(r);
}

static void test_dropout_kernel(void)
{
  enum { N = 1000 };
  GRand *r = g_rand_new_with_seed(7);
  float *x = rand_buf(r, N), u[N], y[N], mask[N], dy[N], dx[N];
  for (int i = 0; i < N; i++) {
    u[i] = (float)g_rand_double(r);
    dy[i] = (float)i;
  }
  lm_cpu_dropout_forward(N, x, u, 0.3f, y, mask);
  int kept = 0;
  for (int i = 0; i < N; i++) {
    if (u[i] >= 0.3f) {
      kept++;
      g_assert_cmpfloat_with_epsilon(y[i], x[i] / 0.7f, 1e-6);
      g_assert_cmpfloat_with_epsilon(mask[i], 1.0f / 0.7f, 1e-6);
    } else {
      g_assert_cmpfloat(y[i], ==, 0.0f);
      g_assert_cmpfloat(mask[i], ==, 0.0f);
    }
  }
  g_assert_cmpint(kept, >, 600);
  g_assert_cmpint(kept, <, 800);
  lm_cpu_dropout_backward(N, dy, mask, dx);
  for (int i = 0; i < N; i++)
    g_assert_cmpfloat(dx[i], ==, dy[i] * mask[i]);
  /* p = 1 zeroes everything (no division by zero), p = 0 keeps everything. */
  lm_cpu_dropout_forward(N, x, u, 1.0f, y, mask);
  for (int i = 0; i < N; i++)
    g_assert_cmpfloat(y[i], ==, 0.0f);
  lm_cpu_dropout_forward(N, x, u, 0.0f, y, mask);
  for (int i = 0; i < N; i++)
    g_assert_cmpfloat(y[i], ==, x[i]);
  g_free(x);
  g_rand_free(r);
}

static void test_sgd_kernel(void)
{
  /* Three steps of momentum SGD with dampening, nesterov and weight decay, against
   * torch.optim.SGD's update written out in double. */
  enum { N = 37 };
  float p[N], g[N], buf[N];
  double rp[N], rbuf[N];
  GRand *r = g_rand_new_with_seed(3);
  for (int i = 0; i < N; i++)
    rp[i] = p[i] = (float)g_rand_double_range(r, -1, 1);
  const double lr = 0.1, mom = 0.9, damp = 0.1, wd = 0.01;
  for (int nest = 0; nest < 2; nest++) {
    for (int step = 0; step < 3; step++) {
      for (int i = 0; i < N; i++)
        g[i] = (float)g_rand_double_range(r, -1, 1);
      lm_cpu_sgd_step(N, p, g, buf, lr, mom, nest ? 0.0 : damp, wd, nest, step == 0);
      for (int i = 0; i < N; i++) {
        double d = g[i] + wd * rp[i];
        rbuf[i] = step == 0 ? d : mom * rbuf[i] + (1 - (nest ? 0.0 : damp)) * d;
        d = nest ? d + mom * rbuf[i] : rbuf[i];
        rp[i] -= lr * d;
      }
      assert_close(p, rp, N, 1e-5, "sgd p");
      assert_close(buf, rbuf, N, 1e-5, "sgd buf");
    }
  }
  /* Plain SGD needs no buffer. */
  lm_cpu_sgd_step(N, p, g, NULL, 0.5, 0.0, 0.0, 0.0, false, true);
  for (int i = 0; i < N; i++)
    rp[i] -= 0.5 * g[i];
  assert_close(p, rp, N, 1e-5, "sgd plain p");
  g_rand_free(r);
}

static void test_adam_kernel(void)
{
  /* Adam, AdamW and AMSGrad over an odd length (vector body + scalar tail). */
  enum { N = 53 };
  for (int variant = 0; variant < 3; variant++) {
    float p[N], g[N], m[N] = {0}, v[N] = {0}, vmax[N] = {0};
    double rp[N], rm[N] = {0}, rv[N] = {0}, rvmax[N] = {0};
    GRand *r = g_rand_new_with_seed(11 + variant);
    for (int i = 0; i < N; i++)
      rp[i] = p[i] = (float)g_rand_double_range(r, -1, 1);
    lm_adam_hparams h = {.lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
                         .weight_decay = variant == 2 ? 0.0 : 0.05,
                         .decoupled = variant == 1, .amsgrad = variant == 2};
    for (int step = 1; step <= 4; step++) {
      for (int i = 0; i < N; i++)
        g[i] = (float)g_rand_double_range(r, -1, 1) * (step == 3 ? 0.01f : 1.0f);
      h.step = step;
      lm_cpu_adam_step(N, p, g, m, v, vmax, &h);
      double bc1 = 1 - pow(0.9, step), bc2 = 1 - pow(0.999, step);
      for (int i = 0; i < N; i++) {
        double gi = g[i];
        if (h.decoupled)
          rp[i] *= 1 - 0.01 * 0.05;
        else
          gi += h.weight_decay * rp[i];
        rm[i] = 0.9 * rm[i] + 0.1 * gi;
        rv[i] = 0.999 * rv[i] + 0.001 * gi * gi;
        double vv = rv[i];
        if (h.amsgrad) {
          rvmax[i] = fmax(rvmax[i], rv[i]);
          vv = rvmax[i];
        }
        rp[i] -= 0.01 / bc1 * rm[i] / (sqrt(vv) / sqrt(bc2) + 1e-8);
      }
      assert_close(p, rp, N, 2e-5, "adam p");
      assert_close(m, rm, N, 1e-5, "adam m");
      assert_close(v, rv, N, 1e-5, "adam v");
    }
    g_rand_free(r);
  }
}

/* The thread pool: every item exactly once, thread ids in range, over many
 * regions of many sizes (run under LM_NUM_THREADS=1..N to vary the pool). */
typedef struct {
  int *hits;
  int bad_tid;
} pool_check;

static void mark_range(void *ctx, int tid, int64_t b, int64_t e)
{
  pool_check *c = ctx;
  if (tid < 0 || tid >= lm_cpu_num_threads())
    __atomic_store_n(&c->bad_tid, 1, __ATOMIC_RELAXED);
  for (int64_t i = b; i < e; i++)
    c->hits[i]++; /* chunks are disjoint: no two threads touch one item */
}

static void test_parallel_for(void)
{
  const int64_t sizes[] = {0, 1, 2, 3, 7, 64, 1000, 4099};
  int *hits = g_new(int, 4099);
  /* the count follows lm_set_num_threads at any time, like
   * torch.set_num_threads: workers already started beyond it sit out */
  const int counts[] = {lm_get_num_threads(), 4, 1, 3, lm_get_num_threads()};
  for (int rep = 0; rep < 50; rep++) {
    lm_set_num_threads(counts[rep / 10]);
    g_assert_cmpint(lm_get_num_threads(), ==, counts[rep / 10]);
    g_assert_cmpint(lm_cpu_num_threads(), ==, counts[rep / 10]);
    for (size_t k = 0; k < G_N_ELEMENTS(sizes); k++) {
      int64_t n = sizes[k];
      memset(hits, 0, 4099 * sizeof(int));
      pool_check c = {.hits = hits};
      lm_cpu_parallel_for(n, mark_range, &c);
      g_assert_cmpint(c.bad_tid, ==, 0);
      for (int64_t i = 0; i < n; i++)
        g_assert_cmpint(hits[i], ==, 1);
    }
  }
  g_free(hits);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/engine/nn/kernels/conv2d", test_conv2d_kernel);
  g_test_add_func("/engine/nn/kernels/pool2d", test_pool2d_kernel);
  g_test_add_func("/engine/nn/kernels/max-pool-nan", test_max_pool_nan);
  g_test_add_func("/engine/nn/kernels/max-pool-ties-nan", test_max_pool_ties_nan);
  g_test_add_func("/engine/nn/kernels/dropout", test_dropout_kernel);
  g_test_add_func("/engine/nn/kernels/sgd", test_sgd_kernel);
  g_test_add_func("/engine/nn/kernels/parallel-for", test_parallel_for);
  g_test_add_func("/engine/nn/kernels/adam", test_adam_kernel);
  return g_test_run();
}
