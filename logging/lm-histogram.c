/* lm-histogram.c: histogram statistics and bucketing, and the histogram
 * logging calls.
 *
 * What it is for: turning raw values into what the `histograms` table
 * stores.  The default bucketing is exactly torch.utils.tensorboard's
 * add_histogram(bins='tensorflow'): edges 0 and +-1e-12 * 1.1^k (built by
 * repeated multiplication, as SummaryWriter does) up to 1e20, trimmed to
 * the span from the first to the last non-empty bucket, so a PyTorch user
 * sees the same buckets they would get from SummaryWriter.  Bucket i is
 * [edges[i], edges[i+1]) like numpy.histogram.  A uniform mode gives
 * tf.summary.histogram's equal-width buckets.
 * Not for: drawing (viewers rebin for display).
 *
 * Speed: one pass over the values; the bucket index comes from a table
 * indexed by the float's top bits plus one exact comparison, with no
 * branch on the sign, so 1,000,000 floats take a few milliseconds.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lm-log-private.h"

#define MAX_POS 800
static double g_pos[MAX_POS]; /* positive edges, ascending */
static int g_npos;
static double g_edges[2 * MAX_POS + 1];
/* g_q[k] is the k-th edge at or above zero: g_q[0] = 0, g_q[k] =
 * g_pos[k - 1], then a NaN sentinel that no comparison passes. */
static double g_q[MAX_POS + 2];
/* For |x| as a float, its bits >> 16 (exponent and 7 mantissa bits) name
 * a cell 1/128 of an octave wide; g_cell holds the largest k with
 * g_q[k] <= the cell's lowest value.  Edges are 10% apart, so a cell
 * holds at most one edge and one comparison finishes the lookup. */
static uint16_t g_cell[1u << 15];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void init_edges(void) {
  double v = 1e-12;
  while (v < 1e20 && g_npos < MAX_POS) {
    g_pos[g_npos++] = v;
    v *= 1.1;
  }
  for (int i = 0; i < g_npos; i++)
    g_edges[i] = -g_pos[g_npos - 1 - i];
  g_edges[g_npos] = 0.0;
  for (int k = 0; k < g_npos; k++)
    g_edges[g_npos + 1 + k] = g_pos[k];
  g_q[0] = 0.0;
  for (int k = 0; k < g_npos; k++)
    g_q[k + 1] = g_pos[k];
  g_q[g_npos + 1] = NAN;
  int k = 0;
  for (uint32_t c = 0; c < (1u << 15); c++) {
    uint32_t bits = c << 16;
    float lo;
    memcpy(&lo, &bits, sizeof lo);
    if (lo != lo) { /* NaN cells: never looked up */
      g_cell[c] = (uint16_t)g_npos;
      continue;
    }
    while (k < g_npos && g_q[k + 1] <= (double)lo)
      k++;
    g_cell[c] = (uint16_t)k;
  }
}

/* Bucket of x (not NaN) in the full 2*npos-bucket table, given k with
 * g_q[k] <= |x| < g_q[k + 1]; out-of-range values (beyond +-1e20, +-Inf)
 * go to the outermost buckets.  No branch on the sign, which is random
 * for typical data: both candidates are computed and one is selected. */
static inline int bucket_from_k(double x, double ax, int k) {
  const int np = g_npos;
  int pos_b = np + k;
  pos_b = pos_b > 2 * np - 1 ? 2 * np - 1 : pos_b;
  int j = k - 1 + (g_q[k] != ax); /* smallest j with g_pos[j] >= |x| */
  int neg_b = np - 1 - j;
  neg_b = neg_b < 0 ? 0 : neg_b;
  int neg = x < 0;
  return pos_b + neg * (neg_b - pos_b);
}

static inline int cell_of(float fa) {
  uint32_t bits;
  memcpy(&bits, &fa, sizeof bits);
  return g_cell[bits >> 16];
}

/* float input: the cell's estimate is at most one edge low, so a single
 * comparison makes it exact. */
static inline int exp_bucket_f32(float xf) {
  float fa = fabsf(xf);
  double ax = fa, x = xf;
  int k = cell_of(fa);
  k += ax >= g_q[k + 1];
  return bucket_from_k(x, ax, k);
}

/* double input: rounding to float may land in a neighbouring cell, so
 * correct in both directions (almost never more than one step). */
static inline int exp_bucket_f64(double x) {
  double ax = fabs(x);
  int k = cell_of((float)ax);
  while (k > 0 && ax < g_q[k])
    k--;
  while (ax >= g_q[k + 1])
    k++;
  return bucket_from_k(x, ax, k);
}

typedef struct {
  double count, min, max, sum, sum_squares;
  int64_t nan_count;
} hist_stats;

/* One pass: stats plus counts in the full exponential table.  Four values
 * per round, each counted in its own table so runs of equal buckets do
 * not serialise on one memory counter, with separate min/max/sum chains
 * (the sums' rounding differs from a sequential sum in the last bits,
 * as numpy's pairwise sum does). */
#define LM_SUB 4
#define ONE(x, mn, mx, sm, sq, tab, BUCKET)                                    \
  do {                                                                         \
    mn = (x) < mn ? (x) : mn;                                                  \
    mx = (x) > mx ? (x) : mx;                                                  \
    sm += (double)(x);                                                         \
    sq += (double)(x) * (double)(x);                                           \
    (tab)[BUCKET(x)]++;                                                        \
  } while (0)
#define DEFINE_EXP_PASS(NAME, T, BUCKET)                                       \
  static void NAME(const T *v, size_t n, hist_stats *s, uint64_t *counts,    \
                   uint32_t (*sub)[2 * MAX_POS]) {                             \
    double mn0 = INFINITY, mn1 = INFINITY, mx0 = -INFINITY, mx1 = -INFINITY;   \
    double s0 = 0, s1 = 0, q0 = 0, q1 = 0;                                     \
    int64_t nan = 0;                                                           \
    size_t i = 0;                                                              \
    while (i < n) {                                                            \
      /* uint32 sub-counts are flushed before they could overflow. */          \
      size_t end = n - i > ((size_t)1 << 30) ? i + ((size_t)1 << 30) : n;      \
      memset(sub, 0, LM_SUB * sizeof *sub);                                    \
      while (i < end) {                                                        \
      for (; i + 4 <= end; i += 4) {                                           \
        T x0 = v[i], x1 = v[i + 1], x2 = v[i + 2], x3 = v[i + 3];              \
        if (__builtin_expect(x0 != x0 || x1 != x1 || x2 != x2 || x3 != x3,    \
                             0))                                               \
          break; /* a NaN in this group: the careful loop below */             \
        ONE(x0, mn0, mx0, s0, q0, sub[0], BUCKET);                             \
        ONE(x1, mn1, mx1, s1, q1, sub[1], BUCKET);                             \
        ONE(x2, mn0, mx0, s0, q0, sub[2], BUCKET);                             \
        ONE(x3, mn1, mx1, s1, q1, sub[3], BUCKET);                             \
      }                                                                        \
      /* The tail, and groups holding a NaN, one value at a time. */          \
      size_t stop = i + 4 <= end ? i + 4 : end;                                \
      for (; i < stop; i++) {                                                  \
        T x = v[i];                                                            \
        if (x != x)                                                            \
          nan++;                                                               \
        else                                                                   \
          ONE(x, mn0, mx0, s0, q0, sub[0], BUCKET);                            \
      }                                                                        \
      } /* back to the fast loop, same sub-count block */                      \
      for (int b = 0; b < 2 * g_npos; b++)                                     \
        for (int k = 0; k < LM_SUB; k++)                                       \
          counts[b] += sub[k][b];                                              \
    }                                                                          \
    double mn = mn0 < mn1 ? mn0 : mn1, mx = mx0 > mx1 ? mx0 : mx1;             \
    s->count = (double)(n - (size_t)nan);                                      \
    s->nan_count = nan;                                                        \
    s->min = s->count > 0 ? mn : NAN;                                          \
    s->max = s->count > 0 ? mx : NAN;                                          \
    s->sum = s0 + s1;                                                          \
    s->sum_squares = q0 + q1;                                                  \
  }
DEFINE_EXP_PASS(exp_pass_f32, float, exp_bucket_f32)
DEFINE_EXP_PASS(exp_pass_f64, double, exp_bucket_f64)

/* Trims the full table to [first non-empty, last non-empty]. */
static size_t exp_trim(const uint64_t *full, double *edges, double *counts) {
  int nb = 2 * g_npos, lo = 0, hi = nb - 1;
  while (lo < nb && !full[lo])
    lo++;
  if (lo == nb)
    return 0;
  while (!full[hi])
    hi--;
  size_t bc = (size_t)(hi - lo + 1);
  for (size_t i = 0; i < bc; i++) {
    edges[i] = g_edges[lo + (int)i];
    counts[i] = (double)full[lo + (int)i];
  }
  edges[bc] = g_edges[hi + 1];
  return bc;
}

/* Scratch for one histogram: too big for small thread stacks. */
typedef struct {
  uint64_t full[2 * MAX_POS];
  uint32_t sub[LM_SUB][2 * MAX_POS];
} exp_scratch;

static int exp_histogram(const void *values, bool f64, size_t n,
                         lm_histogram *h, double *edges, double *counts) {
  pthread_once(&g_once, init_edges);
  exp_scratch *sc = malloc(sizeof *sc);
  if (!sc)
    return LM_ERR_NOMEM;
  memset(sc->full, 0, sizeof sc->full);
  hist_stats s;
  if (f64)
    exp_pass_f64(values, n, &s, sc->full, sc->sub);
  else
    exp_pass_f32(values, n, &s, sc->full, sc->sub);
  h->count = s.count;
  h->min = s.min;
  h->max = s.max;
  h->sum = s.sum;
  h->sum_squares = s.sum_squares;
  h->nan_count = s.nan_count;
  h->bucket_count = exp_trim(sc->full, edges, counts);
  h->edges = edges;
  h->counts = counts;
  free(sc);
  return LM_OK;
}

int lm_histogram_compute(const float *values, size_t n, lm_histogram *h,
                         double *edges, double *counts) {
  if (!h || !edges || !counts || (!values && n))
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "lm_histogram_compute: NULL argument");
  if (exp_histogram(values, false, n, h, edges, counts))
    return lm_fail(NULL, LM_ERR_NOMEM, "out of memory for a histogram");
  return LM_OK;
}

/* Equal-width buckets over the finite range; infinities land in the
 * outermost buckets.  A constant input gets [v - 0.5, v + 0.5]. */
static void uniform_histogram(const float *v, size_t n, size_t nb,
                              lm_histogram *h, double *edges,
                              double *counts) {
  double mn = INFINITY, mx = -INFINITY, fmn = INFINITY, fmx = -INFINITY;
  double sum = 0, sq = 0;
  int64_t nan = 0;
  for (size_t i = 0; i < n; i++) {
    double x = v[i];
    if (x != x) {
      nan++;
      continue;
    }
    mn = x < mn ? x : mn;
    mx = x > mx ? x : mx;
    if (isfinite(x)) {
      fmn = x < fmn ? x : fmn;
      fmx = x > fmx ? x : fmx;
    }
    sum += x;
    sq += x * x;
  }
  h->count = (double)(n - (size_t)nan);
  h->nan_count = nan;
  h->min = h->count > 0 ? mn : NAN;
  h->max = h->count > 0 ? mx : NAN;
  h->sum = sum;
  h->sum_squares = sq;
  h->edges = edges;
  h->counts = counts;
  if (h->count == 0) {
    h->bucket_count = 0;
    return;
  }
  if (fmn > fmx)
    fmn = fmx = 0; /* only infinities */
  double lo = fmn, hi = fmx;
  if (lo == hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  double width = (hi - lo) / (double)nb;
  for (size_t i = 0; i <= nb; i++)
    edges[i] = lo + width * (double)i;
  edges[nb] = hi;
  memset(counts, 0, nb * sizeof *counts);
  for (size_t i = 0; i < n; i++) {
    double x = v[i];
    if (x != x)
      continue;
    double f = (x - lo) / width;
    size_t b = f <= 0 ? 0 : f >= (double)nb ? nb - 1 : (size_t)f;
    /* Floating-point division can land one off next to an edge. */
    while (b > 0 && x < edges[b])
      b--;
    while (b + 1 < nb && x >= edges[b + 1])
      b++;
    counts[b] += 1;
  }
  h->bucket_count = nb;
}

/* ------------------------------------------------------ logging calls */

static int queue_histogram(lm_writer *w, const char *tag, int64_t step,
                           const lm_histogram *h) {
  size_t bc = h->bucket_count;
  size_t doubles = bc ? 2 * bc + 1 : 0;
  size_t bytes = sizeof(lm_hist_payload) + doubles * sizeof(double);
  lm_hist_payload *p = malloc(bytes);
  if (!p)
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for histogram '%s'", tag);
  p->hdr.bytes = bytes;
  p->count = h->count;
  p->min = h->min;
  p->max = h->max;
  p->sum = h->sum;
  p->sum_squares = h->sum_squares;
  p->nan_count = h->nan_count;
  p->bucket_count = bc;
  p->edges = (double *)(p + 1);
  p->counts = p->edges + (bc ? bc + 1 : 0);
  if (bc) {
    memcpy(p->edges, h->edges, (bc + 1) * sizeof(double));
    memcpy(p->counts, h->counts, bc * sizeof(double));
  }
  return lm_queue_payload(w, LM_REC_HISTOGRAM, tag, LM_TAG_HISTOGRAM, step,
                          lm_writer_now(w), p);
}

static int check_common(lm_writer *w, const char *tag, const void *values,
                        size_t n) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  if (!tag || !*tag)
    return lm_fail(w, LM_ERR_INVALID_ARG, "tag is %s",
                   tag ? "empty" : "NULL");
  if (!values && n)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "histogram '%s': values is NULL but n is %zu", tag, n);
  return LM_OK;
}

/* Edges and counts for one histogram, on the heap (26 KB). */
typedef struct {
  double edges[LM_HISTOGRAM_MAX_BUCKETS + 1];
  double counts[LM_HISTOGRAM_MAX_BUCKETS];
} bucket_buf;

static int add_exp(lm_writer *w, const char *tag, int64_t step,
                   const void *values, bool f64, size_t n) {
  int rc = check_common(w, tag, values, n);
  if (rc)
    return rc;
  bucket_buf *b = malloc(sizeof *b);
  lm_histogram h;
  if (!b || exp_histogram(values, f64, n, &h, b->edges, b->counts)) {
    free(b);
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for histogram '%s'", tag);
  }
  rc = queue_histogram(w, tag, step, &h);
  free(b);
  return rc;
}

int lm_writer_add_histogram(lm_writer *w, const char *tag, int64_t step,
                            const float *values, size_t n) {
  return add_exp(w, tag, step, values, false, n);
}

int lm_writer_add_histogram_f64(lm_writer *w, const char *tag, int64_t step,
                                const double *values, size_t n) {
  return add_exp(w, tag, step, values, true, n);
}

int lm_writer_add_histogram_uniform(lm_writer *w, const char *tag,
                                    int64_t step, const float *values,
                                    size_t n, size_t n_buckets) {
  int rc = check_common(w, tag, values, n);
  if (rc)
    return rc;
  if (n_buckets < 1 || n_buckets > LM_HISTOGRAM_MAX_BUCKETS)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "histogram '%s': n_buckets is %zu, must be 1..%d", tag,
                   n_buckets, LM_HISTOGRAM_MAX_BUCKETS);
  bucket_buf *b = malloc(sizeof *b);
  if (!b)
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for histogram '%s'", tag);
  lm_histogram h;
  uniform_histogram(values, n, n_buckets, &h, b->edges, b->counts);
  rc = queue_histogram(w, tag, step, &h);
  free(b);
  return rc;
}

#define LM_MAX_RAW_BUCKETS (1u << 20)

int lm_writer_add_histogram_buckets(lm_writer *w, const char *tag,
                                    int64_t step, const lm_histogram *h) {
  int rc = check_common(w, tag, h, 0);
  if (rc)
    return rc;
  if (!h)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "histogram '%s': h (the lm_histogram) is NULL", tag);
  size_t bc = h->bucket_count;
  if (bc > LM_MAX_RAW_BUCKETS)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "histogram '%s': %zu buckets, at most %u allowed", tag, bc,
                   LM_MAX_RAW_BUCKETS);
  if (bc && (!h->edges || !h->counts))
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "histogram '%s': edges or counts is NULL", tag);
  if (!(h->count >= 0) || h->nan_count < 0)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "histogram '%s': count and nan_count must be >= 0", tag);
  for (size_t i = 0; i < bc; i++) {
    if (!isfinite(h->edges[i]) || !isfinite(h->edges[i + 1]) ||
        h->edges[i] > h->edges[i + 1])
      return lm_fail(w, LM_ERR_INVALID_ARG,
                     "histogram '%s': edges must be finite and ascending "
                     "(edges[%zu] = %g, edges[%zu] = %g)",
                     tag, i, h->edges[i], i + 1, h->edges[i + 1]);
    if (!(h->counts[i] >= 0) || !isfinite(h->counts[i]))
      return lm_fail(w, LM_ERR_INVALID_ARG,
                     "histogram '%s': counts[%zu] = %g is not a count", tag,
                     i, h->counts[i]);
  }
  return queue_histogram(w, tag, step, h);
}
