/* test-log-records.c: every record kind lumen-log writes, read back from
 * the run file with the SQLite API (PNGs decoded with libpng), plus run
 * names and run metadata.  Bad input and concurrency have their own test
 * programs.
 */
#include <math.h>
#include <png.h>
#include <unistd.h>

#include "log-test-util.h"

/* ------------------------------------------------------------- scalars */

/* lm_writer_set_wall_time: every kind of record logged after it carries the
 * given time (as SummaryWriter's walltime=), 0 goes back to the clock, and
 * a bad time is refused without changing the setting. */
static void test_set_wall_time(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "wt");
  const float vals[3] = {1, 2, 3};
  const uint8_t px[3] = {1, 2, 3};
  const double tp[2] = {1, 0}, fp[2] = {1, 0}, tn[2] = {0, 1}, fn[2] = {0, 1};
  const double pr[2] = {0.5, 1}, rc[2] = {1, 0};
  const float mat[2] = {1, 2};
  lm_hparam hp = LM_HP_NUMBER("lr", 0.1);

  assert_ok(lm_writer_set_wall_time(w, 1669111200.25));
  assert_ok(lm_writer_add_scalar(w, "s", 1, 0.5));
  const char *tags[1] = {"s2"};
  const double v2[1] = {2};
  assert_ok(lm_writer_add_scalars(w, 1, 1, tags, v2));
  assert_ok(lm_writer_add_histogram(w, "h", 1, vals, 3));
  assert_ok(lm_writer_add_image(w, "i", 1, px, 1, 1, 3));
  assert_ok(lm_writer_add_text(w, "t", 1, "x"));
  assert_ok(lm_writer_add_pr_curve_raw(w, "p", 1, tp, fp, tn, fn, pr, rc, 2));
  assert_ok(lm_writer_add_hparams(w, &hp, 1, NULL, 0));
  assert_ok(lm_writer_add_embedding(w, "e", 1, mat, 1, 2, NULL, NULL, 0, 0, 0));
  /* refused: the setting stays */
  g_assert_cmpint(lm_writer_set_wall_time(w, 1.7e12), ==, LM_ERR_INVALID_ARG);
  g_assert_nonnull(strstr(lm_log_last_error(), "milliseconds?"));
  g_assert_cmpint(lm_writer_set_wall_time(w, NAN), ==, LM_ERR_INVALID_ARG);
  assert_ok(lm_writer_add_scalar(w, "s", 2, 0.25));
  /* _at's own time wins */
  assert_ok(lm_writer_add_scalar_at(w, "s", 3, 0.25, 1000.5));
  assert_ok(lm_writer_set_wall_time(w, 0));
  double before = (double)g_get_real_time() / 1e6;
  assert_ok(lm_writer_add_scalar(w, "s", 4, 0.125));
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));

  sqlite3 *db = db_open_ro(path);
  const char *const tables[] = {"scalars", "histograms", "images", "texts",
                                "pr_curves", "embeddings"};
  for (size_t i = 0; i < G_N_ELEMENTS(tables); i++)
    g_assert_cmpfloat(db_double(db, "SELECT wall_time FROM %s WHERE step = 1 LIMIT 1",
                                tables[i]), ==, 1669111200.25);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars WHERE step = 1 AND wall_time = 1669111200.25"), ==, 2);
  g_assert_cmpfloat(db_double(db, "SELECT wall_time FROM scalars WHERE step = 2"), ==, 1669111200.25);
  g_assert_cmpfloat(db_double(db, "SELECT wall_time FROM scalars WHERE step = 3"), ==, 1000.5);
  g_assert_cmpfloat(db_double(db, "SELECT wall_time FROM scalars WHERE step = 4"), >=, before - 1);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

static void test_scalars_roundtrip(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "s");
  double t0 = (double)g_get_real_time() / 1e6;
  assert_ok(lm_writer_add_scalar(w, "loss", 0, 1.5));
  assert_ok(lm_writer_add_scalar(w, "loss", 1, NAN));
  assert_ok(lm_writer_add_scalar(w, "loss", 2, INFINITY));
  assert_ok(lm_writer_add_scalar(w, "loss", 3, -INFINITY));
  assert_ok(lm_writer_add_scalar(w, "loss", -5, -0.25)); /* negative step */
  assert_ok(lm_writer_add_scalar(w, "loss", 3, 7.0));    /* repeated step */
  assert_ok(lm_writer_add_scalar_at(w, "acc", 10, 0.5, 1234.5));
  const char *tags[] = {"a", "b", "loss"};
  const double vals[] = {1.0, 2.0, 3.0};
  assert_ok(lm_writer_add_scalars(w, 42, 3, tags, vals));
  assert_ok(lm_writer_flush(w));
  double t1 = (double)g_get_real_time() / 1e6;

  char *path = g_strdup(lm_writer_file_path(w));
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==, 10);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM tags WHERE kind = 'scalar'"),
                  ==, 4);
  /* Rows come back in logging order, with the schema's NaN = NULL. */
  sqlite3_stmt *st = db_query(
      db, "SELECT step, value, wall_time FROM scalars JOIN tags ON "
          "tags.id = scalars.tag_id WHERE tags.name = 'loss' ORDER BY "
          "scalars.id");
  const gint64 steps[] = {0, 1, 2, 3, -5, 3, 42};
  const double want[] = {1.5, NAN, INFINITY, -INFINITY, -0.25, 7.0, 3.0};
  for (int i = 0; i < 7; i++) {
    g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
    g_assert_cmpint(sqlite3_column_int64(st, 0), ==, steps[i]);
    if (isnan(want[i]))
      g_assert_cmpint(sqlite3_column_type(st, 1), ==, SQLITE_NULL);
    else
      g_assert_cmpfloat(sqlite3_column_double(st, 1), ==, want[i]);
    double wt = sqlite3_column_double(st, 2);
    g_assert_cmpfloat(wt, >=, t0 - 1);
    g_assert_cmpfloat(wt, <=, t1 + 1);
  }
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_DONE);
  sqlite3_finalize(st);
  g_assert_cmpfloat(db_double(db, "SELECT wall_time FROM scalars JOIN tags ON "
                                  "tags.id = tag_id WHERE name = 'acc'"),
                    ==, 1234.5);
  /* One wall time for a batch. */
  g_assert_cmpint(db_int(db, "SELECT count(DISTINCT wall_time) FROM scalars "
                             "WHERE step = 42"),
                  ==, 1);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  g_free(path);
  tmpdir_free(dir);
}

/* ------------------------------------------------------ scalar summaries */

enum { SUM_BLOCK = 256 };

/* What a summary row must hold for values[from, to) logged at steps
 * 2*i: computed here from the values themselves. */
typedef struct {
  gint64 count, nan_count, first_i, last_i, min_i, max_i, nan_i;
} SumWant;

static SumWant sum_want(const double *v, int from, int to) {
  SumWant w = {to - from, 0, from, to - 1, -1, -1, -1};
  for (int i = from; i < to; i++) {
    if (isnan(v[i])) {
      if (w.nan_count++ == 0)
        w.nan_i = i;
      continue;
    }
    if (w.min_i < 0 || v[i] < v[w.min_i])
      w.min_i = i;
    if (w.max_i < 0 || v[i] > v[w.max_i])
      w.max_i = i;
  }
  return w;
}

static void check_point(sqlite3_stmt *st, int col, const double *v, gint64 i,
                        gboolean with_value) {
  if (i < 0) {
    g_assert_cmpint(sqlite3_column_type(st, col), ==, SQLITE_NULL);
    return;
  }
  g_assert_cmpint(sqlite3_column_int64(st, col), ==, 2 * i);
  if (!with_value)
    return;
  if (isnan(v[i]))
    g_assert_cmpint(sqlite3_column_type(st, col + 2), ==, SQLITE_NULL);
  else
    g_assert_cmpfloat(sqlite3_column_double(st, col + 2), ==, v[i]);
}

/* Checks the summary rows of tag `name` against values v[0..n), the rows
 * of block `first_block` on holding v[start..n). */
static void check_summaries(sqlite3 *db, const char *name, const double *v,
                            int start, int n, int first_block) {
  char *sql = g_strdup_printf(
      "SELECT block, count, nan_count, first_step, first_wall, first_value, "
      "last_step, last_wall, last_value, min_step, min_wall, min_value, "
      "max_step, max_wall, max_value, nan_step, nan_wall FROM "
      "scalar_summaries JOIN tags ON tags.id = tag_id WHERE name = '%s' "
      "AND block >= %d AND block < %d ORDER BY block",
      name, first_block,
      first_block + (n - start + SUM_BLOCK - 1) / SUM_BLOCK);
  sqlite3_stmt *st = db_query(db, sql);
  int block = first_block;
  for (int from = start; from < n; from += SUM_BLOCK, block++) {
    int to = MIN(from + SUM_BLOCK, n);
    SumWant w = sum_want(v, from, to);
    g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
    g_assert_cmpint(sqlite3_column_int64(st, 0), ==, block);
    g_assert_cmpint(sqlite3_column_int64(st, 1), ==, w.count);
    g_assert_cmpint(sqlite3_column_int64(st, 2), ==, w.nan_count);
    check_point(st, 3, v, w.first_i, TRUE);
    check_point(st, 6, v, w.last_i, TRUE);
    check_point(st, 9, v, w.min_i, TRUE);
    check_point(st, 12, v, w.max_i, TRUE);
    check_point(st, 15, v, w.nan_i, FALSE);
  }
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_DONE);
  sqlite3_finalize(st);
  g_free(sql);
}

static void test_scalar_summaries(void) {
  enum { N = 1000, M = 700 };
  static double loss[N + 10], acc[M];
  for (int i = 0; i < N + 10; i++)
    loss[i] = sin(i * 0.1);
  loss[300] = 50.0;       /* a spike must be a block's max */
  loss[10] = NAN;
  loss[600] = NAN;
  loss[601] = NAN;
  loss[700] = INFINITY;   /* beats every finite value */
  loss[701] = -INFINITY;
  for (int i = 0; i < M; i++)
    acc[i] = i % 7 == 0 ? NAN : 1.0 - 1.0 / (i + 1);
  for (int i = 256; i < 512; i++)
    acc[i] = NAN;         /* a block with nothing but NaN */

  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "sum");
  for (int i = 0; i < N; i++) {
    assert_ok(lm_writer_add_scalar(w, "loss", 2 * i, loss[i]));
    if (i < M)
      assert_ok(lm_writer_add_scalar(w, "acc", 2 * i, acc[i]));
  }
  assert_ok(lm_writer_flush(w));
  char *path = g_strdup(lm_writer_file_path(w));
  sqlite3 *db = db_open_ro(path);
  /* After a commit the summaries cover every row, open blocks included. */
  g_assert_cmpint(db_int(db, "SELECT sum(count) FROM scalar_summaries"), ==,
                  N + M);
  g_assert_cmpint(db_int(db, "SELECT max(id) FROM scalars"), ==, N + M);
  check_summaries(db, "loss", loss, 0, N, 0);
  check_summaries(db, "acc", acc, 0, M, 0);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));

  /* A resumed run continues after the blocks of the first session. */
  w = writer_open(dir, "sum");
  for (int i = N; i < N + 10; i++)
    assert_ok(lm_writer_add_scalar(w, "loss", 2 * i, loss[i]));
  assert_ok(lm_writer_close(w));
  db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT sum(count) FROM scalar_summaries"), ==,
                  N + M + 10);
  check_summaries(db, "loss", loss, 0, N, 0);
  check_summaries(db, "loss", loss, N, N + 10, (N + SUM_BLOCK - 1) / SUM_BLOCK);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* ----------------------------------------------------------- histograms */

/* The bucket edges SummaryWriter builds for bins='tensorflow'. */
static int tf_edges(double *e) {
  double pos[800];
  int np = 0;
  for (double v = 1e-12; v < 1e20; v *= 1.1)
    pos[np++] = v;
  int n = 0;
  for (int i = np - 1; i >= 0; i--)
    e[n++] = -pos[i];
  e[n++] = 0;
  for (int i = 0; i < np; i++)
    e[n++] = pos[i];
  return n;
}

/* numpy.histogram by linear search, clamping out-of-range values into the
 * outer buckets as lumen-log documents. */
static int ref_bucket(const double *e, int ne, double x) {
  if (x < e[1])
    return 0;
  if (x >= e[ne - 2])
    return ne - 2;
  for (int i = 1; i < ne - 2; i++)
    if (x >= e[i] && x < e[i + 1])
      return i;
  g_assert_not_reached();
}

static void test_histogram_known_answer(void) {
  /* Computed with numpy.histogram on SummaryWriter's default bins (the
   * values are float32, as torch tensors would be). */
  const float v[] = {0.5f, -0.25f, 3.0f, 0.0f, 0.5f, 1e-13f, -2.0f, NAN};
  double edges[LM_HISTOGRAM_MAX_BUCKETS + 1], counts[LM_HISTOGRAM_MAX_BUCKETS];
  lm_histogram h;
  assert_ok(lm_histogram_compute(v, 8, &h, edges, counts));
  g_assert_cmpfloat(h.count, ==, 7);
  g_assert_cmpint(h.nan_count, ==, 1);
  g_assert_cmpfloat(h.min, ==, -2.0);
  g_assert_cmpfloat(h.max, ==, 3.0);
  g_assert_cmpfloat_with_epsilon(h.sum, 1.7500000000001, 1e-12);
  g_assert_cmpfloat_with_epsilon(h.sum_squares, 13.5625, 1e-12);
  g_assert_cmpuint(h.bucket_count, ==, 602);
  g_assert_cmpfloat(edges[0], ==, -2.1628190051144287);
  g_assert_cmpfloat(edges[602], ==, 3.1665833053880363);
  struct {
    int i;
    double n, lo, hi;
  } nz[] = {{0, 1, -2.1628190051144287, -1.9661990955585713},
            {22, 1, -0.2656936063469233, -0.24153964213356663},
            {299, 2, 0.0, 1e-12},
            {582, 2, 0.47069243095356195, 0.5177616740489182},
            {601, 1, 2.8787120958073054, 3.1665833053880363}};
  double total = 0;
  for (size_t b = 0; b < h.bucket_count; b++)
    total += counts[b];
  g_assert_cmpfloat(total, ==, 7);
  for (size_t k = 0; k < G_N_ELEMENTS(nz); k++) {
    g_assert_cmpfloat(counts[nz[k].i], ==, nz[k].n);
    g_assert_cmpfloat(edges[nz[k].i], ==, nz[k].lo);
    g_assert_cmpfloat(edges[nz[k].i + 1], ==, nz[k].hi);
  }
}

static void test_histogram_vs_reference(void) {
  static double e[1600];
  int ne = tf_edges(e);
  g_assert_cmpint(ne, ==, 1549);
  enum { N = 20000 };
  float *v = g_new(float, N);
  GRand *r = g_rand_new_with_seed(7);
  for (int i = 0; i < N; i++) {
    switch (i % 5) {
    case 0: v[i] = (float)g_rand_double_range(r, -1, 1); break;
    case 1: v[i] = (float)(g_rand_double_range(r, -1, 1) * 1e-8); break;
    case 2: v[i] = (float)(g_rand_double_range(r, -1, 1) * 1e6); break;
    case 3: v[i] = (float)e[g_rand_int_range(r, 1, ne - 1)]; break; /* edges */
    default: v[i] = (float)exp(g_rand_double_range(r, -40, 40)); break;
    }
  }
  v[0] = INFINITY;
  v[1] = -INFINITY;
  v[2] = 3e38f; /* beyond the last edge */
  v[3] = -0.0f;
  static double ref[1600];
  memset(ref, 0, sizeof ref);
  double sum = 0, sq = 0;
  for (int i = 0; i < N; i++) {
    ref[ref_bucket(e, ne, v[i])]++;
    sum += v[i];
    sq += (double)v[i] * v[i];
  }
  double edges[LM_HISTOGRAM_MAX_BUCKETS + 1], counts[LM_HISTOGRAM_MAX_BUCKETS];
  lm_histogram h;
  assert_ok(lm_histogram_compute(v, N, &h, edges, counts));
  int lo = 0, hi = ne - 2;
  while (!ref[lo])
    lo++;
  while (!ref[hi])
    hi--;
  g_assert_cmpuint(h.bucket_count, ==, (size_t)(hi - lo + 1));
  for (int b = lo; b <= hi; b++) {
    g_assert_cmpfloat(edges[b - lo], ==, e[b]);
    g_assert_cmpfloat(counts[b - lo], ==, ref[b]);
  }
  g_assert_cmpfloat(edges[h.bucket_count], ==, e[hi + 1]);
  g_assert_cmpfloat(h.min, ==, -INFINITY);
  g_assert_cmpfloat(h.max, ==, INFINITY);
  g_assert_true(isnan(h.sum) && isnan(sum)); /* +Inf + -Inf */
  g_assert_cmpfloat(h.sum_squares, ==, sq);
  g_rand_free(r);
  g_free(v);
}

static const double *blob_f64(sqlite3_stmt *st, int col, int n) {
  g_assert_cmpint(sqlite3_column_bytes(st, col), ==, n * 8);
  return sqlite3_column_blob(st, col);
}

static void test_histogram_stored(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "h");
  float v[1000];
  for (int i = 0; i < 1000; i++)
    v[i] = (float)sin(i * 0.37) * 3.0f;
  v[10] = NAN;
  v[11] = NAN;
  assert_ok(lm_writer_add_histogram(w, "w", 5, v, 1000));
  assert_ok(lm_writer_add_histogram(w, "empty", 0, NULL, 0));
  const float u[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  assert_ok(lm_writer_add_histogram_uniform(w, "uni", 1, u, 10, 5));
  const float c[] = {2, 2, 2};
  assert_ok(lm_writer_add_histogram_uniform(w, "const", 1, c, 3, 4));
  const double re[] = {-1, 0, 1, 3}, rc[] = {4, 0, 2.5};
  lm_histogram raw = {.count = 6.5, .min = -1, .max = 2.5, .sum = 1,
                      .sum_squares = 9, .nan_count = 2, .bucket_count = 3,
                      .edges = re, .counts = rc};
  assert_ok(lm_writer_add_histogram_buckets(w, "raw", -3, &raw));
  double d[4] = {1e-3, -1e5, 2, NAN};
  assert_ok(lm_writer_add_histogram_f64(w, "f64", 0, d, 4));
  assert_ok(lm_writer_flush(w));

  double edges[LM_HISTOGRAM_MAX_BUCKETS + 1], counts[LM_HISTOGRAM_MAX_BUCKETS];
  lm_histogram h;
  assert_ok(lm_histogram_compute(v, 1000, &h, edges, counts));
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  sqlite3_stmt *st = db_query(
      db, "SELECT step, count, min, max, sum, sum_squares, nan_count, "
          "bucket_count, edges, counts FROM histograms JOIN tags ON "
          "tags.id = tag_id WHERE name = ?1 AND kind = 'histogram'");
  sqlite3_bind_text(st, 1, "w", -1, SQLITE_STATIC);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  g_assert_cmpint(sqlite3_column_int64(st, 0), ==, 5);
  g_assert_cmpfloat(sqlite3_column_double(st, 1), ==, 998);
  g_assert_cmpfloat(sqlite3_column_double(st, 2), ==, h.min);
  g_assert_cmpfloat(sqlite3_column_double(st, 3), ==, h.max);
  g_assert_cmpfloat(sqlite3_column_double(st, 4), ==, h.sum);
  g_assert_cmpfloat(sqlite3_column_double(st, 5), ==, h.sum_squares);
  g_assert_cmpint(sqlite3_column_int(st, 6), ==, 2);
  int bc = sqlite3_column_int(st, 7);
  g_assert_cmpint(bc, ==, (int)h.bucket_count);
  const double *se = blob_f64(st, 8, bc + 1), *sc = blob_f64(st, 9, bc);
  double total = 0;
  for (int i = 0; i < bc; i++) {
    g_assert_cmpfloat(se[i], ==, edges[i]);
    g_assert_cmpfloat(sc[i], ==, counts[i]);
    g_assert_cmpfloat(se[i], <, se[i + 1]);
    total += sc[i];
  }
  g_assert_cmpfloat(total, ==, 998);
  g_assert_cmpfloat(se[bc], ==, edges[bc]);

  /* Empty: count 0, no buckets, empty blobs. */
  sqlite3_reset(st);
  sqlite3_bind_text(st, 1, "empty", -1, SQLITE_STATIC);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  g_assert_cmpfloat(sqlite3_column_double(st, 1), ==, 0);
  g_assert_cmpint(sqlite3_column_type(st, 2), ==, SQLITE_NULL);
  g_assert_cmpint(sqlite3_column_int(st, 7), ==, 0);
  g_assert_cmpint(sqlite3_column_bytes(st, 8), ==, 0);

  /* Uniform: 0..9 in 5 buckets of width 1.8 -> two values each. */
  sqlite3_reset(st);
  sqlite3_bind_text(st, 1, "uni", -1, SQLITE_STATIC);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  g_assert_cmpint(sqlite3_column_int(st, 7), ==, 5);
  se = blob_f64(st, 8, 6);
  sc = blob_f64(st, 9, 5);
  for (int i = 0; i < 5; i++) {
    g_assert_cmpfloat_with_epsilon(se[i], 1.8 * i, 1e-12);
    g_assert_cmpfloat(sc[i], ==, 2);
  }
  g_assert_cmpfloat(se[5], ==, 9);

  /* Constant input: [v - 0.5, v + 0.5], all values in one bucket. */
  sqlite3_reset(st);
  sqlite3_bind_text(st, 1, "const", -1, SQLITE_STATIC);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  se = blob_f64(st, 8, 5);
  sc = blob_f64(st, 9, 4);
  g_assert_cmpfloat(se[0], ==, 1.5);
  g_assert_cmpfloat(se[4], ==, 2.5);
  g_assert_cmpfloat(sc[0] + sc[1] + sc[2] + sc[3], ==, 3);
  g_assert_cmpfloat(sc[2], ==, 3);

  /* Pre-computed buckets are stored as given. */
  sqlite3_reset(st);
  sqlite3_bind_text(st, 1, "raw", -1, SQLITE_STATIC);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  g_assert_cmpint(sqlite3_column_int64(st, 0), ==, -3);
  g_assert_cmpfloat(sqlite3_column_double(st, 1), ==, 6.5);
  g_assert_cmpint(sqlite3_column_int(st, 6), ==, 2);
  se = blob_f64(st, 8, 4);
  sc = blob_f64(st, 9, 3);
  g_assert_cmpmem(se, 32, re, 32);
  g_assert_cmpmem(sc, 24, rc, 24);

  /* float64 input: 3 values, one NaN. */
  sqlite3_reset(st);
  sqlite3_bind_text(st, 1, "f64", -1, SQLITE_STATIC);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  g_assert_cmpfloat(sqlite3_column_double(st, 1), ==, 3);
  g_assert_cmpfloat(sqlite3_column_double(st, 2), ==, -1e5);
  g_assert_cmpint(sqlite3_column_int(st, 6), ==, 1);
  sqlite3_finalize(st);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  tmpdir_free(dir);
}

/* --------------------------------------------------------------- images */

/* Decodes a PNG blob with libpng into the format given by `channels`;
 * also returns the channels the file itself declares. */
static guint8 *png_decode(const void *data, size_t len, int channels, int *w,
                          int *h, int *file_channels) {
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  g_assert_true(png_image_begin_read_from_memory(&img, data, len));
  *file_channels = PNG_IMAGE_SAMPLE_CHANNELS(img.format);
  img.format = channels == 1   ? PNG_FORMAT_GRAY
               : channels == 3 ? PNG_FORMAT_RGB
                               : PNG_FORMAT_RGBA;
  guint8 *buf = g_malloc(PNG_IMAGE_SIZE(img));
  g_assert_true(png_image_finish_read(&img, NULL, buf, 0, NULL));
  *w = (int)img.width;
  *h = (int)img.height;
  return buf;
}

static void test_images(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "img");
  GRand *r = g_rand_new_with_seed(3);
  guint8 *px[5] = {NULL};
  const int W = 37, H = 23;
  for (int c = 1; c <= 4; c++) {
    if (c == 2)
      continue;
    px[c] = g_malloc((size_t)W * H * c);
    for (int i = 0; i < W * H * c; i++)
      px[c][i] = (guint8)g_rand_int(r);
    char tag[32];
    snprintf(tag, sizeof tag, "img%d", c);
    if (c == 4)
      assert_ok(lm_writer_add_image_caption(w, tag, 7, px[c], W, H, c,
                                            "a caption ✓"));
    else
      assert_ok(lm_writer_add_image(w, tag, 7, px[c], W, H, c));
  }
  assert_ok(lm_writer_flush(w));
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  sqlite3_stmt *st = db_query(
      db, "SELECT width, height, channels, png, caption, grid, step FROM "
          "images JOIN tags ON tags.id = tag_id WHERE name = ?1 AND "
          "kind = 'image'");
  for (int c = 1; c <= 4; c++) {
    if (c == 2)
      continue;
    char tag[32];
    snprintf(tag, sizeof tag, "img%d", c);
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, tag, -1, SQLITE_TRANSIENT);
    g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
    g_assert_cmpint(sqlite3_column_int(st, 0), ==, W);
    g_assert_cmpint(sqlite3_column_int(st, 1), ==, H);
    g_assert_cmpint(sqlite3_column_int(st, 2), ==, c);
    g_assert_cmpint(sqlite3_column_int(st, 6), ==, 7);
    int dw, dh, fc;
    guint8 *dec = png_decode(sqlite3_column_blob(st, 3),
                             (size_t)sqlite3_column_bytes(st, 3), c, &dw, &dh,
                             &fc);
    g_assert_cmpint(dw, ==, W);
    g_assert_cmpint(dh, ==, H);
    g_assert_cmpint(fc, ==, c);
    g_assert_cmpmem(dec, (size_t)W * H * c, px[c], (size_t)W * H * c);
    g_free(dec);
    if (c == 4)
      g_assert_cmpstr((const char *)sqlite3_column_text(st, 4), ==,
                      "a caption ✓");
    else
      g_assert_cmpint(sqlite3_column_type(st, 4), ==, SQLITE_NULL);
    g_assert_cmpint(sqlite3_column_type(st, 5), ==, SQLITE_NULL);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  for (int c = 1; c <= 4; c++)
    g_free(px[c]);
  g_rand_free(r);
  tmpdir_free(dir);
}

/* Float images as SummaryWriter.add_image takes a float tensor: * 255 and
 * truncated, clipped to 0..255, CHW (the default dataformats) or HWC.
 * Reference, numpy as torch/utils/tensorboard/summary.py does it plus the
 * clip of later PyTorch versions:
 *   (np.float32([0, .5, 1, 1.2, -.1, .999, .25, 1/255]) * 255)
 *     .clip(0, 255).astype(np.uint8) -> [0, 127, 255, 255, 0, 254, 63, 1]
 * (float32 1/255 * 255 rounds to exactly 1.0). */
static void test_float_images(void) {
  static const float vals[8] = {0, .5f, 1, 1.2f, -.1f, .999f, .25f,
                                1.0f / 255.0f};
  static const guint8 want[8] = {0, 127, 255, 255, 0, 254, 63, 1};
  guint8 out[8];
  /* 1x8 grey: the samples in order, either layout */
  assert_ok(lm_image_from_f32(vals, 8, 1, 1, LM_HWC, out));
  g_assert_cmpmem(out, 8, want, 8);
  float nan_px = NAN;
  assert_ok(lm_image_from_f32(&nan_px, 1, 1, 1, LM_CHW, out));
  g_assert_cmpint(out[0], ==, 0);

  /* 2x2 RGB in CHW: planes R, G, B become interleaved pixels. */
  static const float chw[12] = {0, .2f, .4f, .6f,  /* R */
                                1, 1, 0, 0,        /* G */
                                .5f, 0, .5f, 0};   /* B */
  static const guint8 hwc[12] = {0, 255, 127, 51, 255, 0,
                                 102, 0, 127, 153, 0, 0};
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "float");
  assert_ok(lm_writer_add_image_f32(w, "chw", 1, chw, 2, 2, 3, LM_CHW));
  assert_ok(lm_writer_add_image_f32(w, "hwc", 1, vals, 4, 2, 1, LM_HWC));
  assert_fails(lm_writer_add_image_f32(w, "bad", 1, chw, 2, 2, 3, 7),
               LM_ERR_INVALID_ARG, "image 'bad': layout 7");
  assert_fails(lm_writer_add_image_f32(w, "bad", 1, chw, 2, 2, 2, LM_CHW),
               LM_ERR_INVALID_ARG, "channels is 2");
  assert_fails(lm_writer_add_image_f32(w, "bad", 1, NULL, 2, 2, 3, LM_CHW),
               LM_ERR_INVALID_ARG, "pixels is NULL");
  assert_fails(lm_image_from_f32(chw, 2, 2, 3, LM_CHW, NULL),
               LM_ERR_INVALID_ARG, "dst is NULL");
  assert_ok(lm_writer_flush(w));
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  sqlite3_stmt *st = db_query(
      db, "SELECT png, width, height, channels FROM images JOIN tags ON "
          "tags.id = tag_id WHERE name = ?1");
  const char *tags[2] = {"chw", "hwc"};
  for (int k = 0; k < 2; k++) {
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, tags[k], -1, SQLITE_STATIC);
    g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
    int c = sqlite3_column_int(st, 3), dw, dh, fc;
    guint8 *dec = png_decode(sqlite3_column_blob(st, 0),
                             (size_t)sqlite3_column_bytes(st, 0), c, &dw, &dh,
                             &fc);
    g_assert_cmpint(dw * dh * c, ==, k == 0 ? 12 : 8);
    if (k == 0)
      g_assert_cmpmem(dec, 12, hwc, 12);
    else
      g_assert_cmpmem(dec, 8, want, 8);
    g_free(dec);
  }
  sqlite3_finalize(st);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM images"), ==, 2);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  tmpdir_free(dir);
}

static void test_image_grid(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "grid");
  /* 5 RGB images of 3x2 (w x h), image k filled with 10 (k + 1) + channel;
   * nrow 2 and padding 1 give 2 columns and 3 rows. */
  enum { N = 5, W = 3, H = 2, C = 3 };
  guint8 px[N * H * W * C];
  for (int k = 0; k < N; k++)
    for (int i = 0; i < H * W * C; i++)
      px[k * H * W * C + i] = (guint8)(10 * (k + 1) + i % C);
  const char *labels[N] = {"zero", "one \"1\"", "two", "three", "four"};
  assert_ok(lm_writer_add_images_grid(w, "batch", 3, px, N, W, H, C, 2, 1, 7,
                                      labels));
  /* Defaults like make_grid: nrow 8, padding 2. */
  assert_ok(lm_writer_add_images_grid(w, "defaults", 3, px, N, W, H, C, 0, -1,
                                      0, NULL));
  assert_ok(lm_writer_flush(w));
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  sqlite3_stmt *st = db_query(
      db, "SELECT width, height, png, grid FROM images JOIN tags ON "
          "tags.id = tag_id WHERE name = ?1");
  sqlite3_bind_text(st, 1, "batch", -1, SQLITE_STATIC);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  const int GW = 2 * (W + 1) + 1, GH = 3 * (H + 1) + 1;
  g_assert_cmpint(sqlite3_column_int(st, 0), ==, GW);
  g_assert_cmpint(sqlite3_column_int(st, 1), ==, GH);
  int dw, dh, fc;
  guint8 *g = png_decode(sqlite3_column_blob(st, 2),
                         (size_t)sqlite3_column_bytes(st, 2), C, &dw, &dh, &fc);
  g_assert_cmpint(dw, ==, GW);
  g_assert_cmpint(dh, ==, GH);
  for (int y = 0; y < GH; y++)
    for (int x = 0; x < GW; x++)
      for (int c = 0; c < C; c++) {
        /* Which cell (if any) covers this pixel? */
        int cx = (x - 1) / (W + 1), ox = (x - 1) % (W + 1);
        int cy = (y - 1) / (H + 1), oy = (y - 1) % (H + 1);
        int k = cy * 2 + cx;
        bool inside = x >= 1 && y >= 1 && ox < W && oy < H && k < N;
        int want = inside ? 10 * (k + 1) + c : 7;
        g_assert_cmpint(g[(y * GW + x) * C + c], ==, want);
      }
  g_free(g);
  const char *grid = (const char *)sqlite3_column_text(st, 3);
  g_assert_cmpstr(grid, ==,
                  "{\"n\":5,\"nrow\":2,\"rows\":3,\"cell_width\":3,"
                  "\"cell_height\":2,\"padding\":1,\"labels\":[\"zero\","
                  "\"one \\\"1\\\"\",\"two\",\"three\",\"four\"]}");
  sqlite3_reset(st);
  sqlite3_bind_text(st, 1, "defaults", -1, SQLITE_STATIC);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  g_assert_cmpint(sqlite3_column_int(st, 0), ==, 5 * (W + 2) + 2);
  g_assert_cmpint(sqlite3_column_int(st, 1), ==, 1 * (H + 2) + 2);
  sqlite3_finalize(st);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  tmpdir_free(dir);
}

/* ------------------------------------------------------ text, hparams */

static void test_text_and_hparams(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "t");
  const char *md = "# Title\n\n*emph* — ünïcödé 日本 🚀\nline 2";
  assert_ok(lm_writer_add_text(w, "notes", 4, md));
  assert_ok(lm_writer_add_text(w, "notes", 5, ""));
  lm_hparam hp[] = {LM_HP_NUMBER("lr", 0.001), LM_HP_STRING("opt", "adam"),
                    LM_HP_BOOL("bn", true), LM_HP_BOOL("dropout", false),
                    LM_HP_NUMBER("layers", 3)};
  const char *metrics[] = {"val/loss", "val/acc"};
  assert_ok(lm_writer_add_hparams(w, hp, 5, metrics, 2));
  /* A later value replaces the earlier one; metric tags are a set. */
  lm_hparam again[] = {LM_HP_NUMBER("lr", 0.01)};
  assert_ok(lm_writer_add_hparams(w, again, 1, metrics, 1));
  assert_ok(lm_writer_flush(w));
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  char *s = db_text(db, "SELECT value FROM texts WHERE step = 4");
  g_assert_cmpstr(s, ==, md);
  g_free(s);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM texts JOIN tags ON "
                             "tags.id = tag_id WHERE name = 'notes' AND "
                             "kind = 'text'"),
                  ==, 2);
  g_assert_cmpfloat(db_double(db, "SELECT value FROM hparams WHERE name = 'lr'"),
                    ==, 0.01);
  s = db_text(db, "SELECT type || ':' || value FROM hparams WHERE name = 'opt'");
  g_assert_cmpstr(s, ==, "string:adam");
  g_free(s);
  g_assert_cmpint(db_int(db, "SELECT value FROM hparams WHERE name = 'bn' AND "
                             "type = 'bool' AND typeof(value) = 'integer'"),
                  ==, 1);
  g_assert_cmpint(db_int(db, "SELECT value FROM hparams WHERE name = 'dropout'"),
                  ==, 0);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM hparams WHERE type = "
                             "'number' AND typeof(value) = 'real'"),
                  ==, 2);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM hparam_metrics WHERE tag "
                             "IN ('val/loss', 'val/acc')"),
                  ==, 2);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  tmpdir_free(dir);
}

/* Keras' metrics: the same tag in two sub-runs ("train", "validation")
 * are two rows of hparam_group_metrics; a "." or NULL group is the run's
 * own, in hparam_metrics.  A file from before groups gets the table. */
static void test_hparams_groups(void) {
  char *dir = tmpdir_new();
  char *path = old_run_file(dir, "g", "DROP TABLE hparam_group_metrics");
  lm_writer *w = writer_open(dir, "g");
  lm_hparam_metric metrics[] = {
      LM_HP_METRIC("epoch_loss", "train"), LM_HP_METRIC("epoch_loss", "validation"),
      LM_HP_METRIC("epoch_accuracy", "validation"), LM_HP_METRIC("time", "."),
      LM_HP_METRIC("lr", NULL), LM_HP_METRIC("epoch_loss", "eval/holdout")};
  lm_hparam hp[] = {LM_HP_NUMBER("units", 64)};
  assert_ok(lm_writer_add_hparams_ex(w, hp, 1, metrics, 6));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  char *s = db_text(db, "SELECT group_concat(grp || ':' || tag, ',') FROM (SELECT * "
                        "FROM hparam_group_metrics ORDER BY grp, tag)");
  g_assert_cmpstr(s, ==, "eval/holdout:epoch_loss,train:epoch_loss,"
                         "validation:epoch_accuracy,validation:epoch_loss");
  g_free(s);
  s = db_text(db, "SELECT group_concat(tag, ',') FROM (SELECT tag FROM "
                  "hparam_metrics ORDER BY tag)");
  g_assert_cmpstr(s, ==, "lr,time");
  g_free(s);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* ------------------------------------------------------- graphs, traces */

static void test_graph_and_trace(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "g");
  lm_graph *g;
  assert_ok(lm_graph_new(&g, "train_step"));
  int64_t s_in[] = {64, 784}, s_w[] = {128, 784}, s_out[] = {64, 128};
  assert_ok(lm_graph_add_node(g, &(lm_graph_node){.id = 1, .op = "input",
                                                  .name = "x", .shape = s_in,
                                                  .ndim = 2,
                                                  .dtype = "float32",
                                                  .device = "cpu"}));
  assert_ok(lm_graph_add_node(g, &(lm_graph_node){.id = 2, .op = "parameter",
                                                  .name = "fc1.weight",
                                                  .module = "fc1",
                                                  .shape = s_w, .ndim = 2}));
  assert_ok(lm_graph_add_node(
      g, &(lm_graph_node){.id = 3, .op = "linear", .module = "fc1",
                          .shape = s_out, .ndim = 2,
                          .attrs_json = "{\"bias\": false, \"k\": [1, 2.5e-3]}"}));
  assert_ok(lm_graph_add_node(g, &(lm_graph_node){.id = 4, .op = "sum",
                                                  .ndim = 0}));
  assert_ok(lm_graph_add_edge(g, 1, 3, 0));
  assert_ok(lm_graph_add_edge(g, 2, 3, 1));
  assert_ok(lm_graph_add_edge(g, 3, 4, 0));
  g_assert_cmpuint(lm_graph_node_count(g), ==, 4);
  g_assert_cmpuint(lm_graph_edge_count(g), ==, 3);
  int64_t gid = 0, gid2 = 0;
  assert_ok(lm_writer_add_graph(w, 10, g, &gid));
  assert_ok(lm_writer_add_graph(w, 11, g, &gid2));
  lm_graph_free(g);
  g_assert_cmpint(gid, ==, 1);
  g_assert_cmpint(gid2, ==, 2);

  lm_trace *t;
  assert_ok(lm_trace_new(&t, gid, 10));
  const float a[] = {1, 2, 3, 4, NAN, INFINITY, 0};
  int64_t sh7[] = {7};
  assert_ok(lm_trace_add_event(t, 3, LM_PHASE_FORWARD, sh7, 1, a, 7));
  const float one[] = {-2.5f};
  assert_ok(lm_trace_add_event(t, 4, LM_PHASE_FORWARD, NULL, 0, one, 1));
  float big[100];
  for (int i = 0; i < 100; i++)
    big[i] = (float)i;
  lm_trace_set_values_cap(t, 50); /* over the cap: statistics only */
  int64_t sh100[] = {10, 10};
  assert_ok(lm_trace_add_event(t, 3, LM_PHASE_BACKWARD, sh100, 2, big, 100));
  g_assert_cmpuint(lm_trace_event_count(t), ==, 3);
  int64_t tid = 0;
  assert_ok(lm_writer_add_trace(w, t, &tid));
  lm_trace_free(t);
  g_assert_cmpint(tid, ==, 1);
  assert_ok(lm_trace_new(&t, -1, 12)); /* no graph */
  assert_ok(lm_writer_add_trace(w, t, &tid));
  lm_trace_free(t);
  g_assert_cmpint(tid, ==, 2);
  assert_ok(lm_writer_flush(w));

  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM graphs"), ==, 2);
  char *s = db_text(db, "SELECT name || '@' || step FROM graphs WHERE id = 1");
  g_assert_cmpstr(s, ==, "train_step@10");
  g_free(s);
  s = db_text(db, "SELECT group_concat(node_id || ':' || op || ':' || "
                  "ifnull(name, '-') || ':' || module || ':' || "
                  "ifnull(shape, '-') || ':' || ifnull(dtype, '-') || ':' || "
                  "ifnull(device, '-'), ' | ') FROM (SELECT * FROM "
                  "graph_nodes WHERE graph_id = 1 ORDER BY node_id)");
  g_assert_cmpstr(s, ==,
                  "1:input:x::[64,784]:float32:cpu | "
                  "2:parameter:fc1.weight:fc1:[128,784]:-:- | "
                  "3:linear:-:fc1:[64,128]:-:- | 4:sum:-::[]:-:-");
  g_free(s);
  s = db_text(db, "SELECT attrs FROM graph_nodes WHERE graph_id = 1 AND "
                  "node_id = 3");
  g_assert_cmpstr(s, ==, "{\"bias\": false, \"k\": [1, 2.5e-3]}");
  g_free(s);
  s = db_text(db, "SELECT group_concat(src || '>' || dst || '.' || dst_slot, "
                  "' ') FROM graph_edges WHERE graph_id = 2");
  g_assert_cmpstr(s, ==, "1>3.0 2>3.1 3>4.0");
  g_free(s);

  sqlite3_stmt *st = db_query(
      db, "SELECT seq, node_id, phase, shape, numel, min, max, mean, std, "
          "nan_count, inf_count, zero_count, vals FROM trace_events WHERE "
          "trace_id = 1 ORDER BY seq");
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  g_assert_cmpint(sqlite3_column_int(st, 0), ==, 0);
  g_assert_cmpint(sqlite3_column_int(st, 1), ==, 3);
  g_assert_cmpstr((const char *)sqlite3_column_text(st, 2), ==, "forward");
  g_assert_cmpstr((const char *)sqlite3_column_text(st, 3), ==, "[7]");
  g_assert_cmpint(sqlite3_column_int(st, 4), ==, 7);
  /* Finite values 1, 2, 3, 4, 0: mean 2, unbiased std sqrt(10 / 4). */
  g_assert_cmpfloat(sqlite3_column_double(st, 5), ==, 0);
  g_assert_cmpfloat(sqlite3_column_double(st, 6), ==, 4);
  g_assert_cmpfloat(sqlite3_column_double(st, 7), ==, 2);
  g_assert_cmpfloat_with_epsilon(sqlite3_column_double(st, 8), sqrt(2.5),
                                 1e-12);
  g_assert_cmpint(sqlite3_column_int(st, 9), ==, 1);
  g_assert_cmpint(sqlite3_column_int(st, 10), ==, 1);
  g_assert_cmpint(sqlite3_column_int(st, 11), ==, 1);
  g_assert_cmpint(sqlite3_column_bytes(st, 12), ==, 28);
  g_assert_cmpmem(sqlite3_column_blob(st, 12), 28, a, 28);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  g_assert_cmpstr((const char *)sqlite3_column_text(st, 3), ==, "[]");
  g_assert_cmpfloat(sqlite3_column_double(st, 7), ==, -2.5);
  g_assert_cmpint(sqlite3_column_type(st, 8), ==, SQLITE_NULL); /* n < 2 */
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  g_assert_cmpstr((const char *)sqlite3_column_text(st, 2), ==, "backward");
  g_assert_cmpint(sqlite3_column_int(st, 4), ==, 100);
  g_assert_cmpfloat(sqlite3_column_double(st, 7), ==, 49.5);
  g_assert_cmpint(sqlite3_column_type(st, 12), ==, SQLITE_NULL);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_DONE);
  sqlite3_finalize(st);
  g_assert_cmpint(db_int(db, "SELECT graph_id FROM traces WHERE id = 1"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT graph_id IS NULL AND step = 12 FROM "
                             "traces WHERE id = 2"),
                  ==, 1);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  tmpdir_free(dir);
}

/* ---------------------------------------------------------- run names */

static void test_default_run_name(void) {
  char *dir = tmpdir_new();
  lm_writer_options o;
  lm_writer_options_init(&o);
  o.logdir = dir;
  o.quiet = true;
  lm_writer *w1, *w2, *w3;
  assert_ok(lm_writer_open_with(&w1, &o));
  assert_ok(lm_writer_open_with(&w2, &o));
  o.comment = "_lr0.1";
  assert_ok(lm_writer_open_with(&w3, &o));
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  /* Like SummaryWriter: "%b%d_%H-%M-%S_" + hostname (+ comment), English
   * month; a second run in the same second gets "_2". */
  char *host_re = g_regex_escape_string(host, -1);
  char *re = g_strdup_printf("^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|"
                             "Dec)[0-3][0-9]_[0-2][0-9]-[0-5][0-9]-[0-6][0-9]_"
                             "%s(_[0-9]+)?$",
                             host_re);
  g_free(host_re);
  g_assert_true(g_regex_match_simple(re, lm_writer_run_name(w1), 0, 0));
  g_assert_true(g_regex_match_simple(re, lm_writer_run_name(w2), 0, 0));
  g_assert_cmpstr(lm_writer_run_name(w1), !=, lm_writer_run_name(w2));
  g_assert_true(g_str_has_suffix(lm_writer_run_name(w3), "_lr0.1"));
  char *want = g_build_filename(dir, lm_writer_run_name(w1), "run.lumen", NULL);
  g_assert_cmpstr(lm_writer_file_path(w1), ==, want);
  g_assert_true(g_file_test(want, G_FILE_TEST_IS_REGULAR));
  g_free(want);
  g_free(re);
  assert_ok(lm_writer_close(w1));
  assert_ok(lm_writer_close(w2));
  assert_ok(lm_writer_close(w3));
  /* NULL logdir means "runs" in the current directory, like SummaryWriter. */
  char *cwd = g_get_current_dir();
  g_assert_cmpint(chdir(dir), ==, 0);
  lm_writer *w;
  assert_ok(lm_writer_open(&w, NULL, "x"));
  g_assert_cmpstr(lm_writer_run_dir(w), ==, "runs/x");
  assert_ok(lm_writer_close(w));
  g_assert_true(g_file_test("runs/x/run.lumen", G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint(chdir(cwd), ==, 0);
  g_free(cwd);
  tmpdir_free(dir);
}

static void test_nested_run_name(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "exp1/lr0.1/");
  g_assert_cmpstr(lm_writer_run_name(w), ==, "exp1/lr0.1");
  char *want = g_build_filename(dir, "exp1", "lr0.1", "run.lumen", NULL);
  g_assert_cmpstr(lm_writer_file_path(w), ==, want);
  assert_ok(lm_writer_add_scalar(w, "x", 0, 1));
  assert_ok(lm_writer_close(w));
  g_assert_true(g_file_test(want, G_FILE_TEST_IS_REGULAR));
  sqlite3 *db = db_open_ro(want);
  char *s = db_text(db, "SELECT value FROM meta WHERE key = 'run_name'");
  g_assert_cmpstr(s, ==, "exp1/lr0.1");
  g_free(s);
  sqlite3_close(db);
  g_free(want);
  tmpdir_free(dir);
}

/* ------------------------------------------------------- run metadata */

/* SummaryWriter(purge_step=...): reopening with purge_step S drops the
 * records of steps >= S, keeps the others, and the summaries no longer
 * claim to cover the rows (readers then read them all). */
static void test_purge_step(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "p");
  float h[4] = {1, 2, 3, 4};
  for (int s = 0; s < 10; s++)
    assert_ok(lm_writer_add_scalar(w, "loss", s, 10.0 - s));
  assert_ok(lm_writer_add_histogram(w, "w", 2, h, 4));
  assert_ok(lm_writer_add_histogram(w, "w", 8, h, 4));
  assert_ok(lm_writer_add_text(w, "note", 7, "late"));
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));

  lm_writer_options o;
  lm_writer_options_init(&o);
  o.logdir = dir;
  o.run_name = "p";
  o.quiet = true;
  o.purge = true;
  o.purge_step = 5;
  assert_ok(lm_writer_open_with(&w, &o));
  assert_ok(lm_writer_add_scalar(w, "loss", 5, 99.0));
  assert_ok(lm_writer_flush(w));
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==, 6);
  g_assert_cmpint(db_int(db, "SELECT max(step) FROM scalars WHERE value != 99"), ==, 4);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars WHERE step = 5"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM histograms"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM texts"), ==, 0);
  g_assert_cmpint(db_int(db, "SELECT coalesce(sum(count), 0) FROM scalar_summaries"), !=,
                  db_int(db, "SELECT max(id) FROM scalars"));
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));

  /* purge unset (the default): nothing is deleted */
  w = writer_open(dir, "p");
  assert_ok(lm_writer_flush(w));
  db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==, 6);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  g_free(path);
  tmpdir_free(dir);
}

/* ------------------------------------------------------------ PR curves */

/* Twelve samples; 0.74999 and 0.75 fall either side of a bucket edge at
 * num_thresholds 5, 0 and 1 are the ends. */
static const uint8_t pr_labels[12] = {1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1};
static const float pr_preds[12] = {0.9f, 0.1f, 0.75f, 0.5f, 0.5f, 0.3f,
                                   0.2f, 0.8f, 1.0f, 0.0f, 0.6f, 0.74999f};
static const float pr_weights[12] = {1, 2, 0.5f, 1, 1, 3, 1, 0.25f, 2, 1, 1, 1.5f};

/* Reference numbers from a numpy reimplementation of
 * torch.utils.tensorboard.summary.compute_curve (torch 1.13: np.floor of
 * the float32 predictions * (num_thresholds - 1), np.histogram of the
 * weighted labels over (0, num_thresholds - 1), reverse cumsums,
 * precision/recall over max(1e-7, ...)), run with /usr/bin/python3 and
 * numpy 1.24 on the arrays above; rows TP, FP, TN, FN, precision, recall. */
static const double pr_ref5[6][5] = {
    {6.0, 5.0, 5.0, 3.0, 1.0},
    {6.0, 4.0, 3.0, 1.0, 0.0},
    {0.0, 2.0, 3.0, 5.0, 6.0},
    {0.0, 1.0, 1.0, 3.0, 5.0},
    {0.5, 0.5555555555555556, 0.625, 0.75, 1.0},
    {1.0, 0.8333333333333334, 0.8333333333333334, 0.5, 0.16666666666666666},
};
static const double pr_ref5_weighted[6][5] = {
    {7.0, 6.0, 6.0, 3.5, 2.0},
    {8.25, 5.25, 2.25, 0.25, 0.0},
    {0.0, 3.0, 6.0, 8.0, 8.25},
    {0.0, 1.0, 1.0, 3.5, 5.0},
    {0.45901639344262296, 0.5333333333333333, 0.7272727272727273,
     0.9333333333333333, 1.0},
    {1.0, 0.8571428571428571, 0.8571428571428571, 0.5, 0.2857142857142857},
};
/* num_thresholds 127 (the default), thresholds 0, 21, 42, ..., 126 */
static const double pr_ref127[6][7] = {
    {6.0, 6.0, 5.0, 5.0, 4.0, 2.0, 1.0},
    {6.0, 4.0, 3.0, 3.0, 1.0, 0.0, 0.0},
    {0.0, 2.0, 3.0, 3.0, 5.0, 6.0, 6.0},
    {0.0, 0.0, 1.0, 1.0, 2.0, 4.0, 5.0},
    {0.5, 0.6, 0.625, 0.625, 0.8, 1.0, 1.0},
    {1.0, 1.0, 0.8333333333333334, 0.8333333333333334, 0.6666666666666666,
     0.3333333333333333, 0.16666666666666666},
};

static void test_pr_curve_vs_reference(void) {
  double out[6 * 127];
  assert_ok(lm_pr_curve_compute(pr_labels, pr_preds, 12, 5, NULL, out));
  for (int k = 0; k < 6; k++)
    for (int i = 0; i < 5; i++)
      g_assert_cmpfloat_with_epsilon(out[k * 5 + i], pr_ref5[k][i], 1e-15);
  assert_ok(lm_pr_curve_compute(pr_labels, pr_preds, 12, 5, pr_weights, out));
  for (int k = 0; k < 6; k++)
    for (int i = 0; i < 5; i++)
      g_assert_cmpfloat_with_epsilon(out[k * 5 + i], pr_ref5_weighted[k][i],
                                     1e-15);
  /* 0 picks add_pr_curve's default of 127 thresholds */
  assert_ok(lm_pr_curve_compute(pr_labels, pr_preds, 12, 0, NULL, out));
  for (int k = 0; k < 6; k++)
    for (int i = 0; i < 7; i++)
      g_assert_cmpfloat_with_epsilon(out[k * 127 + i * 21], pr_ref127[k][i],
                                     1e-15);
}

static void test_pr_curve_stored(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "pr");
  assert_ok(lm_writer_add_pr_curve(w, "pr/cat", 3, pr_labels, pr_preds, 12, 5,
                                   pr_weights));
  assert_ok(lm_writer_add_pr_curve(w, "pr/cat", 4, pr_labels, pr_preds, 12, 0,
                                   NULL));
  /* the raw variant stores what it is given */
  double raw[6][3] = {{4, 2, 0}, {4, 1, 0}, {0, 3, 4}, {0, 2, 4},
                      {0.5, 2.0 / 3, 0}, {1, 0.5, 0}};
  assert_ok(lm_writer_add_pr_curve_raw(w, "pr/raw", 7, raw[0], raw[1], raw[2],
                                       raw[3], raw[4], raw[5], 3));
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));

  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM pr_curves"), ==, 3);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM tags WHERE kind = 'pr_curve'"),
                  ==, 2);
  g_assert_cmpint(db_int(db, "SELECT num_thresholds FROM pr_curves c JOIN tags t "
                             "ON t.id = c.tag_id WHERE t.name = 'pr/cat' AND step = 4"),
                  ==, 127);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM pr_curve_points p JOIN "
                             "pr_curves c ON c.id = p.curve_id WHERE c.step = 4"),
                  ==, 127);
  /* every column of the weighted curve, threshold by threshold */
  sqlite3_stmt *st = db_query(
      db, "SELECT i, threshold, tp, fp, tn, fn, precision, recall FROM "
          "pr_curve_points p JOIN pr_curves c ON c.id = p.curve_id WHERE "
          "c.step = 3 ORDER BY i");
  int rows = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    int i = sqlite3_column_int(st, 0);
    g_assert_cmpint(i, ==, rows);
    g_assert_cmpfloat(sqlite3_column_double(st, 1), ==, i / 4.0);
    for (int k = 0; k < 6; k++)
      g_assert_cmpfloat_with_epsilon(sqlite3_column_double(st, 2 + k),
                                     pr_ref5_weighted[k][i], 1e-15);
    rows++;
  }
  sqlite3_finalize(st);
  g_assert_cmpint(rows, ==, 5);
  g_assert_cmpfloat(db_double(db, "SELECT precision FROM pr_curve_points p "
                                  "JOIN pr_curves c ON c.id = p.curve_id "
                                  "WHERE c.step = 7 AND i = 1"),
                    ==, 2.0 / 3);
  g_assert_cmpfloat(db_double(db, "SELECT threshold FROM pr_curve_points p "
                                  "JOIN pr_curves c ON c.id = p.curve_id "
                                  "WHERE c.step = 7 AND i = 1"),
                    ==, 0.5);
  sqlite3_close(db);

  /* purge_step drops the curves at and after it, points included */
  lm_writer_options o;
  lm_writer_options_init(&o);
  o.logdir = dir;
  o.run_name = "pr";
  o.quiet = true;
  o.purge = true;
  o.purge_step = 4;
  assert_ok(lm_writer_open_with(&w, &o));
  assert_ok(lm_writer_close(w));
  db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM pr_curves"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM pr_curve_points"), ==, 5);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* A schema-1 run file written before PR curves existed (no pr_curves
 * tables): a newer writer reopening it adds the tables and appends. */
static void test_pr_curve_old_file(void) {
  char *dir = tmpdir_new();
  char *path = old_run_file(dir, "old", "DROP TABLE pr_curve_points; DROP "
                                        "TABLE pr_curves");
  lm_writer *w = writer_open(dir, "old");
  assert_ok(lm_writer_add_pr_curve(w, "pr/x", 1, pr_labels, pr_preds, 12, 5,
                                   NULL));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM pr_curve_points"), ==, 5);
  g_assert_cmpfloat(db_double(db, "SELECT recall FROM pr_curve_points WHERE "
                                  "i = 3"),
                    ==, 0.5);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* Op times (lumen-train --profile-steps): a timed event's start_ns,
 * dur_ns and input_shapes, the step's dur_ns; NULL for untimed events.
 * A file from before op times (the columns dropped) still opens, its old
 * traces keep their rows with NULL times, and a reopening writer adds the
 * columns so new traces carry times. Bad times are refused by name. */
static lm_trace *timed_trace(int64_t step) {
  lm_trace *t;
  float v[2] = {1, 2};
  int64_t shape[] = {2};
  assert_ok(lm_trace_new(&t, -1, step));
  assert_ok(lm_trace_add_event(t, 3, LM_PHASE_FORWARD, shape, 1, v, 2));
  assert_ok(lm_trace_set_event_time(t, 1500, 2500));
  assert_ok(lm_trace_set_event_input_shapes(t, "[[64, 784], [128, 784]]"));
  assert_ok(lm_trace_add_event(t, 2, LM_PHASE_BACKWARD, shape, 1, v, 2));
  assert_ok(lm_trace_set_step_time(t, 90000));
  return t;
}

/* The run file at path as an older lumen-log wrote it (drop_sql removes
 * the columns it lacked), reopened by a writer that adds trace t (freed). */
static void add_trace_to_older_file(const char *dir, const char *run, const char *path,
                                    const char *drop_sql, lm_trace *t) {
  sqlite3 *db;
  g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_exec(db, drop_sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close(db);
  lm_writer *w = writer_open(dir, run);
  assert_ok(lm_writer_add_trace(w, t, NULL));
  lm_trace_free(t);
  assert_ok(lm_writer_close(w));
}

static void test_trace_times(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "prof");
  lm_trace *t = timed_trace(5);
  g_assert_cmpint(lm_trace_set_event_time(t, -1, 10), ==, LM_ERR_INVALID_ARG);
  g_assert_nonnull(strstr(lm_log_last_error(), "start_ns -1"));
  assert_ok(lm_writer_add_trace(w, t, NULL));
  lm_trace_free(t);
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));

  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT dur_ns FROM traces WHERE step = 5"), ==, 90000);
  g_assert_cmpint(db_int(db, "SELECT start_ns FROM trace_events WHERE seq = 0"), ==, 1500);
  g_assert_cmpint(db_int(db, "SELECT dur_ns FROM trace_events WHERE seq = 0"), ==, 2500);
  char *s = db_text(db, "SELECT input_shapes FROM trace_events WHERE seq = 0");
  g_assert_cmpstr(s, ==, "[[64, 784], [128, 784]]");
  g_free(s);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM trace_events WHERE seq = 1 AND "
                             "start_ns IS NULL AND dur_ns IS NULL AND input_shapes IS NULL"),
                  ==, 1);
  sqlite3_close(db);

  /* the same file as a lumen-log from before op times wrote it */
  add_trace_to_older_file(dir, "prof", path,
                          "ALTER TABLE trace_events DROP COLUMN start_ns; "
                          "ALTER TABLE trace_events DROP COLUMN dur_ns; "
                          "ALTER TABLE trace_events DROP COLUMN input_shapes; "
                          "ALTER TABLE traces DROP COLUMN dur_ns",
                          timed_trace(6));
  db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM trace_events"), ==, 4);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM trace_events e JOIN traces t ON "
                             "t.id = e.trace_id WHERE t.step = 5 AND e.dur_ns IS NULL"),
                  ==, 2);
  g_assert_cmpint(db_int(db, "SELECT e.dur_ns FROM trace_events e JOIN traces t ON "
                             "t.id = e.trace_id WHERE t.step = 6 AND e.seq = 0"),
                  ==, 2500);
  g_assert_cmpint(db_int(db, "SELECT dur_ns FROM traces WHERE step = 6"), ==, 90000);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* Memory (lumen-train --profile-memory): an event's alloc_bytes,
 * free_bytes, mem_after and mem_peak; NULL for events without. A file
 * from before them (the columns dropped) gets them from a reopening
 * writer, its old rows NULL. Negative bytes are refused by name. */
static lm_trace *memory_trace(int64_t step) {
  lm_trace *t = timed_trace(step);
  /* the backward event added last */
  assert_ok(lm_trace_set_event_memory(t, 32768, 512, 1081344, 1114112));
  return t;
}

static void test_trace_memory(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "mem");
  lm_trace *t = memory_trace(5);
  g_assert_cmpint(lm_trace_set_event_memory(t, -1, 0, 0, 0), ==, LM_ERR_INVALID_ARG);
  g_assert_nonnull(strstr(lm_log_last_error(), "alloc_bytes -1"));
  assert_ok(lm_writer_add_trace(w, t, NULL));
  lm_trace_free(t);
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));

  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT alloc_bytes FROM trace_events WHERE seq = 1"), ==, 32768);
  g_assert_cmpint(db_int(db, "SELECT free_bytes FROM trace_events WHERE seq = 1"), ==, 512);
  g_assert_cmpint(db_int(db, "SELECT mem_after FROM trace_events WHERE seq = 1"), ==, 1081344);
  g_assert_cmpint(db_int(db, "SELECT mem_peak FROM trace_events WHERE seq = 1"), ==, 1114112);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM trace_events WHERE seq = 0 AND alloc_bytes IS NULL AND "
                             "free_bytes IS NULL AND mem_after IS NULL AND mem_peak IS NULL"),
                  ==, 1);
  sqlite3_close(db);

  /* the same file as a lumen-log from before memory profiling wrote it */
  add_trace_to_older_file(dir, "mem", path,
                          "ALTER TABLE trace_events DROP COLUMN alloc_bytes; "
                          "ALTER TABLE trace_events DROP COLUMN free_bytes; "
                          "ALTER TABLE trace_events DROP COLUMN mem_after; "
                          "ALTER TABLE trace_events DROP COLUMN mem_peak",
                          memory_trace(6));
  db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM trace_events"), ==, 4);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM trace_events e JOIN traces t ON "
                             "t.id = e.trace_id WHERE t.step = 5 AND e.alloc_bytes IS NULL"),
                  ==, 2);
  g_assert_cmpint(db_int(db, "SELECT e.mem_peak FROM trace_events e JOIN traces t ON "
                             "t.id = e.trace_id WHERE t.step = 6 AND e.seq = 1"),
                  ==, 1114112);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

static void test_run_metadata(void) {
  char *dir = tmpdir_new();
  lm_writer_options o;
  lm_writer_options_init(&o);
  o.logdir = dir;
  o.run_name = "meta";
  o.command_line = "train --lr 0.1";
  o.quiet = true;
  lm_writer *w;
  double t0 = (double)g_get_real_time() / 1e6;
  assert_ok(lm_writer_open_with(&w, &o));
  char *path = g_strdup(lm_writer_file_path(w));
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "PRAGMA user_version"), ==, LM_RUN_SCHEMA_VERSION);
  char *s = db_text(db, "PRAGMA journal_mode");
  g_assert_cmpstr(s, ==, "wal");
  g_free(s);
  s = db_text(db, "SELECT value FROM meta WHERE key = 'schema_version'");
  g_assert_cmpstr(s, ==, "1");
  g_free(s);
  s = db_text(db, "SELECT value FROM meta WHERE key = 'producer'");
  g_assert_cmpstr(s, ==, "lumen-log " LM_LOG_VERSION_STRING);
  g_free(s);
  s = db_text(db, "SELECT value FROM run WHERE key = 'command_line'");
  g_assert_cmpstr(s, ==, "train --lr 0.1");
  g_free(s);
  s = db_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(s, ==, "running");
  g_free(s);
  g_assert_cmpint(db_int(db, "SELECT value FROM run WHERE key = 'pid'"), ==,
                  getpid());
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  s = db_text(db, "SELECT value FROM run WHERE key = 'host'");
  g_assert_cmpstr(s, ==, host);
  g_free(s);
  double start = db_double(db, "SELECT value FROM run WHERE key = 'start_time'");
  g_assert_cmpfloat(fabs(start - t0), <, 5);
  double beat0 = db_double(db, "SELECT value FROM run WHERE key = 'heartbeat'");
  g_usleep(30000);
  assert_ok(lm_writer_add_scalar(w, "x", 0, 1));
  assert_ok(lm_writer_flush(w));
  double beat1 = db_double(db, "SELECT value FROM run WHERE key = 'heartbeat'");
  g_assert_cmpfloat(beat1, >, beat0); /* refreshed at each commit */
  g_assert_cmpint(db_int(db, "SELECT value IS NULL FROM run WHERE key = "
                             "'end_time'"),
                  ==, 1);
  assert_ok(lm_writer_set_status(w, LM_RUN_FAILED));
  lm_writer_stats st;
  assert_ok(lm_writer_close_stats(w, &st));
  g_assert_cmpuint(st.records, >=, 2); /* the scalar, the status, ... */
  g_assert_cmpuint(st.commits, >=, 2);
  s = db_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(s, ==, "failed"); /* close keeps a chosen status */
  g_free(s);
  g_assert_cmpfloat(db_double(db, "SELECT value FROM run WHERE key = "
                                  "'end_time'"),
                    >=, beat1);
  g_assert_cmpint(db_int(db, "SELECT value FROM run WHERE key = "
                             "'queue_waits'"),
                  ==, 0);
  sqlite3_close(db);

  /* Reopening appends: same tag id, earlier rows kept, status back to
   * running and then finished by close. */
  w = writer_open(dir, "meta");
  assert_ok(lm_writer_add_scalar(w, "x", 1, 2));
  assert_ok(lm_writer_add_scalar(w, "y", 1, 3));
  assert_ok(lm_writer_close(w));
  db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM tags"), ==, 2);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars WHERE tag_id = "
                             "(SELECT id FROM tags WHERE name = 'x')"),
                  ==, 2);
  s = db_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(s, ==, "finished");
  g_free(s);
  s = db_text(db, "PRAGMA integrity_check");
  g_assert_cmpstr(s, ==, "ok");
  g_free(s);
  sqlite3_close(db);

  /* lm_writer_set_error: what is missing beside a whole run, the status
   * left as it is; the next writer session removes it */
  w = writer_open(dir, "meta");
  assert_ok(lm_writer_set_error(w, "checkpoint not written: x/ckpt: No space left on device"));
  assert_ok(lm_writer_close(w));
  db = db_open_ro(path);
  s = db_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(s, ==, "finished");
  g_free(s);
  s = db_text(db, "SELECT value FROM run WHERE key = 'error'");
  g_assert_cmpstr(s, ==, "checkpoint not written: x/ckpt: No space left on device");
  g_free(s);
  sqlite3_close(db);
  w = writer_open(dir, "meta");
  assert_ok(lm_writer_close(w));
  db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM run WHERE key = 'error'"), ==, 0);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/logging/scalars/roundtrip", test_scalars_roundtrip);
  g_test_add_func("/logging/set-wall-time", test_set_wall_time);
  g_test_add_func("/logging/scalars/summaries", test_scalar_summaries);
  g_test_add_func("/logging/histogram/known-answer", test_histogram_known_answer);
  g_test_add_func("/logging/histogram/vs-reference", test_histogram_vs_reference);
  g_test_add_func("/logging/histogram/stored", test_histogram_stored);
  g_test_add_func("/logging/image/roundtrip", test_images);
  g_test_add_func("/logging/image/grid", test_image_grid);
  g_test_add_func("/logging/image/float", test_float_images);
  g_test_add_func("/logging/text-hparams", test_text_and_hparams);
  g_test_add_func("/logging/hparams-groups", test_hparams_groups);
  g_test_add_func("/logging/pr-curve/vs-reference", test_pr_curve_vs_reference);
  g_test_add_func("/logging/pr-curve/stored", test_pr_curve_stored);
  g_test_add_func("/logging/pr-curve/old-file", test_pr_curve_old_file);
  g_test_add_func("/logging/graph-trace", test_graph_and_trace);
  g_test_add_func("/logging/trace-times", test_trace_times);
  g_test_add_func("/logging/trace-memory", test_trace_memory);
  g_test_add_func("/logging/run/default-name", test_default_run_name);
  g_test_add_func("/logging/run/nested-name", test_nested_run_name);
  g_test_add_func("/logging/run/metadata", test_run_metadata);
  g_test_add_func("/logging/run/purge-step", test_purge_step);
  return g_test_run();
}
