/* test-log-errors.c: bad input and faults give a clear error and no crash,
 * and lose nothing that was logged correctly: NULL/empty tags, invalid
 * UTF-8, bad JSON, unusable log directories and run names, a run locked by
 * another live process, a full disk (simulated by an SQLite VFS that fails
 * writes the way the unix VFS reports ENOSPC), images over the cap, and
 * files that are not run files.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lm-log-private.h" /* lm_utf8_check, lm_json_valid */
#include "log-test-util.h"

/* ----------------------------------------------------------- tags, UTF-8 */

static void test_bad_tags(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "tags");
  const float v[] = {1, 2};
  const guint8 px[12] = {0};
  assert_fails(lm_writer_add_scalar(w, NULL, 0, 1), LM_ERR_INVALID_ARG,
               "tag is NULL");
  assert_fails(lm_writer_add_scalar(w, "", 0, 1), LM_ERR_INVALID_ARG,
               "tag is empty");
  assert_fails(lm_writer_add_histogram(w, NULL, 0, v, 2), LM_ERR_INVALID_ARG,
               "tag is NULL");
  assert_fails(lm_writer_add_image(w, "", 0, px, 2, 2, 3), LM_ERR_INVALID_ARG,
               "tag is empty");
  assert_fails(lm_writer_add_text(w, NULL, 0, "x"), LM_ERR_INVALID_ARG,
               "tag is NULL");
  const char *tags[] = {"ok", NULL};
  const double vals[] = {1, 2};
  assert_fails(lm_writer_add_scalars(w, 0, 2, tags, vals), LM_ERR_INVALID_ARG,
               "tags[1] is NULL");
  /* Invalid UTF-8: a stray continuation byte, an overlong '/', a UTF-16
   * surrogate, a truncated sequence, and something past U+10FFFF. */
  const char *bad[] = {"loss\x80", "a\xc0\xaf", "\xed\xa0\x80", "x\xe2\x82",
                       "\xf4\x90\x80\x80"};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    assert_fails(lm_writer_add_scalar(w, bad[i], 0, 1), LM_ERR_UTF8,
                 "not valid UTF-8");
    assert_fails(lm_writer_add_histogram(w, bad[i], 0, v, 2), LM_ERR_UTF8,
                 "UTF-8");
  }
  const char *bad_batch[] = {"fine", "bad\xff"};
  assert_fails(lm_writer_add_scalars(w, 0, 2, bad_batch, vals), LM_ERR_UTF8,
               "tags[1]");
  assert_fails(lm_writer_add_text(w, "t", 0, "caf\xe9"), LM_ERR_UTF8,
               "offset 3");
  assert_fails(lm_writer_add_text(w, "t", 0, NULL), LM_ERR_INVALID_ARG,
               "is NULL");
  assert_fails(lm_writer_add_image_caption(w, "i", 0, px, 2, 2, 3, "\xff"),
               LM_ERR_UTF8, "caption");
  /* A wall time that is not a time: refused at the call, and the scalars
   * around it are kept (it used to fail the whole commit). */
  assert_ok(lm_writer_add_scalar(w, "ok", 1, 1));
  assert_fails(lm_writer_add_scalar_at(w, "ok", 2, 1, NAN), LM_ERR_INVALID_ARG,
               "wall_time must be finite (unix seconds), got nan");
  assert_fails(lm_writer_add_scalar_at(w, "ok", 2, 1, INFINITY), LM_ERR_INVALID_ARG,
               "got inf");
  assert_ok(lm_writer_add_scalar_at(w, "ok", 3, 1, -1e9)); /* 1938 is a time */
  /* time.time() * 1000, milliseconds: the year 55,800, which no calendar
   * (nor the app's wall axis, whose labels read "?") shows; named. */
  assert_fails(lm_writer_add_scalar_at(w, "ok", 4, 1, 1.7e12),
               LM_ERR_INVALID_ARG,
               "wall_time 1.7e+12 is after the year 9999: unix seconds are "
               "expected (milliseconds?)");
  assert_fails(lm_writer_add_scalar_at(w, "ok", 4, 1, -1e12),
               LM_ERR_INVALID_ARG, "before the year 1");
  /* The per-writer message matches the thread's. */
  g_assert_cmpstr(lm_writer_error_message(w), ==, lm_log_last_error());
  /* Valid UTF-8 of every length is fine, U+10FFFF included. */
  assert_ok(lm_writer_add_scalar(w, "ü/λ/日本/🚀/\xf4\x8f\xbf\xbf", 0, 1));
  assert_ok(lm_writer_add_scalar(w, "ok", 0, 1));
  assert_ok(lm_writer_flush(w));
  /* Nothing from the failed calls reached the file. */
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==, 4);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM tags"), ==, 2);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM histograms"), ==, 0);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM texts"), ==, 0);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM images"), ==, 0);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  assert_fails(lm_writer_add_scalar(NULL, "x", 0, 1), LM_ERR_INVALID_ARG,
               "writer is NULL");
  tmpdir_free(dir);
}

static void test_utf8_and_json_checkers(void) {
  g_assert_cmpuint(lm_utf8_check("plain", 5), ==, 0);
  g_assert_cmpuint(lm_utf8_check("\xc3\xa9", 2), ==, 0);
  g_assert_cmpuint(lm_utf8_check("\xc3", 1), ==, 1);
  g_assert_cmpuint(lm_utf8_check("ab\xe0\x80\x80", 5), ==, 3); /* overlong */
  g_assert_cmpuint(lm_utf8_check("\xef\xbf\xbf", 3), ==, 0);   /* U+FFFF */
  g_assert_cmpuint(lm_utf8_check("\xf0\x8f\xbf\xbf", 4), ==, 1); /* overlong */
  g_assert_cmpuint(lm_utf8_check("\xf8\x88\x80\x80\x80", 5), ==, 1);
  const char *good[] = {"{}", "[]", "null", " {\"a\": [1, -2.5e+3, true, "
                        "false, null, \"s\\u00e9\\n\"], \"b\": {}} ",
                        "0", "\"x\""};
  const char *badj[] = {"", "{", "{'a': 1}", "[1,]", "{\"a\" 1}",
                        "{\"a\":1} x", "01", "1.", "\"\\x\"", "nul",
                        "\"tab\there\""};
  for (size_t i = 0; i < G_N_ELEMENTS(good); i++)
    g_assert_true(lm_json_valid(good[i]));
  for (size_t i = 0; i < G_N_ELEMENTS(badj); i++)
    g_assert_false(lm_json_valid(badj[i]));
  /* Deep nesting is refused, not a stack overflow. */
  char deep[2001];
  memset(deep, '[', 1000);
  memset(deep + 1000, ']', 1000);
  deep[2000] = '\0';
  g_assert_false(lm_json_valid(deep));
}

static void test_bad_values(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "vals");
  const guint8 px[64] = {0};
  assert_fails(lm_writer_add_image(w, "i", 0, px, 2, 2, 2), LM_ERR_INVALID_ARG,
               "channels is 2");
  assert_fails(lm_writer_add_image(w, "i", 0, px, 0, 2, 3), LM_ERR_INVALID_ARG,
               "width and height");
  assert_fails(lm_writer_add_image(w, "i", 0, NULL, 2, 2, 3),
               LM_ERR_INVALID_ARG, "pixels is NULL");
  assert_fails(lm_writer_add_images_grid(w, "g", 0, px, 0, 2, 2, 1, 8, 2, 0,
                                         NULL),
               LM_ERR_INVALID_ARG, "n is 0");
  assert_fails(lm_writer_add_histogram(w, "h", 0, NULL, 3), LM_ERR_INVALID_ARG,
               "values is NULL");
  assert_fails(lm_writer_add_histogram_uniform(w, "h", 0, (float[]){1}, 1, 0),
               LM_ERR_INVALID_ARG, "n_buckets");
  const double desc[] = {0, 2, 1}, nanedge[] = {0, NAN, 1},
               counts[] = {1, 1}, negc[] = {1, -1};
  lm_histogram h = {.count = 2, .bucket_count = 2, .edges = desc,
                    .counts = counts};
  assert_fails(lm_writer_add_histogram_buckets(w, "h", 0, &h),
               LM_ERR_INVALID_ARG, "ascending");
  h.edges = nanedge;
  assert_fails(lm_writer_add_histogram_buckets(w, "h", 0, &h),
               LM_ERR_INVALID_ARG, "finite");
  h.edges = (const double[]){0, 1, 2};
  h.counts = negc;
  assert_fails(lm_writer_add_histogram_buckets(w, "h", 0, &h),
               LM_ERR_INVALID_ARG, "not a count");
  h.counts = NULL;
  assert_fails(lm_writer_add_histogram_buckets(w, "h", 0, &h),
               LM_ERR_INVALID_ARG, "NULL");

  lm_hparam hp_bad_name[] = {LM_HP_NUMBER(NULL, 1)};
  assert_fails(lm_writer_add_hparams(w, hp_bad_name, 1, NULL, 0),
               LM_ERR_INVALID_ARG, "hparam 0 name is NULL");
  lm_hparam hp_bad_str[] = {LM_HP_STRING("opt", "\xfe")};
  assert_fails(lm_writer_add_hparams(w, hp_bad_str, 1, NULL, 0), LM_ERR_UTF8,
               "hparam 'opt' value");
  lm_hparam hp_bad_type[] = {{.name = "x", .type = (lm_hparam_type)9}};
  assert_fails(lm_writer_add_hparams(w, hp_bad_type, 1, NULL, 0),
               LM_ERR_INVALID_ARG, "unknown type 9");
  const char *bad_metric[] = {""};
  assert_fails(lm_writer_add_hparams(w, NULL, 0, bad_metric, 1),
               LM_ERR_INVALID_ARG, "metric tag 0 is empty");
  lm_hparam_metric abs_group[] = {LM_HP_METRIC("acc", "/tmp/validation")};
  assert_fails(lm_writer_add_hparams_ex(w, NULL, 0, abs_group, 1),
               LM_ERR_INVALID_ARG,
               "metric 'acc' group '/tmp/validation' must be relative to the run");
  lm_hparam_metric up_group[] = {LM_HP_METRIC("acc", "train"),
                                 LM_HP_METRIC("acc", "../other")};
  assert_fails(lm_writer_add_hparams_ex(w, NULL, 0, up_group, 2),
               LM_ERR_INVALID_ARG,
               "metric 'acc' group '../other' has an empty, '.' or '..' component");
  lm_hparam_metric no_tag[] = {LM_HP_METRIC(NULL, "train")};
  assert_fails(lm_writer_add_hparams_ex(w, NULL, 0, no_tag, 1),
               LM_ERR_INVALID_ARG, "metric tag 0 is NULL");
  assert_fails(lm_writer_set_status(w, (lm_run_status)17), LM_ERR_INVALID_ARG,
               "unknown run status");
  assert_fails(lm_writer_set_error(w, NULL), LM_ERR_INVALID_ARG,
               "run error message is empty");
  assert_fails(lm_writer_set_error(w, ""), LM_ERR_INVALID_ARG,
               "run error message is empty");

  /* Graphs. */
  lm_graph *g;
  assert_fails(lm_graph_new(&g, ""), LM_ERR_INVALID_ARG, "graph name");
  assert_ok(lm_graph_new(&g, "net"));
  assert_ok(lm_graph_add_node(g, &(lm_graph_node){.id = 1, .op = "input",
                                                  .ndim = -1}));
  assert_fails(lm_graph_add_node(g, &(lm_graph_node){.id = 1, .op = "relu",
                                                     .ndim = -1}),
               LM_ERR_INVALID_ARG, "already has a node with id 1");
  assert_fails(lm_graph_add_node(g, &(lm_graph_node){.id = 2, .ndim = -1}),
               LM_ERR_INVALID_ARG, "node op is NULL");
  assert_fails(lm_graph_add_node(g, &(lm_graph_node){.id = 2, .op = "relu",
                                                     .ndim = -1,
                                                     .attrs_json = "{'a':1}"}),
               LM_ERR_INVALID_ARG, "not valid JSON");
  assert_fails(lm_graph_add_node(g, &(lm_graph_node){.id = 2, .op = "relu",
                                                     .ndim = 2}),
               LM_ERR_INVALID_ARG, "shape is NULL");
  assert_fails(lm_graph_add_node(g, &(lm_graph_node){.id = 2, .op = "relu",
                                                     .ndim = 1,
                                                     .shape = (int64_t[]){-3}}),
               LM_ERR_INVALID_ARG, "< 0");
  assert_fails(lm_graph_add_edge(g, 1, 2, -1), LM_ERR_INVALID_ARG,
               "dst_slot -1");
  assert_ok(lm_graph_add_edge(g, 1, 99, 0));
  int64_t gid = 123;
  assert_fails(lm_writer_add_graph(w, 0, g, &gid), LM_ERR_INVALID_ARG,
               "names a node that is not in the graph");
  g_assert_cmpint(gid, ==, -1);
  lm_graph_free(g);

  /* Traces. */
  lm_trace *t;
  assert_fails(lm_trace_new(&t, 0, 0), LM_ERR_INVALID_ARG, "graph_id 0");
  assert_ok(lm_trace_new(&t, 99, 0));
  const float f4[] = {1, 2, 3, 4};
  assert_fails(lm_trace_add_event(t, 1, LM_PHASE_FORWARD,
                                  (int64_t[]){2, 3}, 2, f4, 4),
               LM_ERR_INVALID_ARG, "shape holds 6 elements but numel is 4");
  assert_fails(lm_trace_add_event(t, 1, (lm_phase)5, NULL, -1, f4, 4),
               LM_ERR_INVALID_ARG, "phase 5");
  assert_fails(lm_trace_add_event(t, 1, LM_PHASE_FORWARD, NULL, -1, NULL, 4),
               LM_ERR_INVALID_ARG, "values is NULL");
  assert_ok(lm_trace_add_event(t, 1, LM_PHASE_FORWARD, NULL, -1, f4, 4));
  assert_fails(lm_writer_add_trace(w, t, NULL), LM_ERR_INVALID_ARG,
               "graph 99, which this run does not have");
  lm_trace_free(t);

  assert_ok(lm_writer_flush(w));
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  g_assert_cmpint(db_int(db, "SELECT (SELECT count(*) FROM images) + "
                             "(SELECT count(*) FROM histograms) + "
                             "(SELECT count(*) FROM hparams) + "
                             "(SELECT count(*) FROM hparam_metrics) + "
                             "(SELECT count(*) FROM hparam_group_metrics) + "
                             "(SELECT count(*) FROM graphs) + "
                             "(SELECT count(*) FROM traces)"),
                  ==, 0);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  tmpdir_free(dir);
}

static void test_bad_pr_curves(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "pr");
  const uint8_t lab[4] = {1, 0, 1, 0}, badlab[4] = {1, 0, 2, 0};
  const float pred[4] = {0.9f, 0.2f, 0.6f, 0.4f};
  const float nanp[4] = {0.9f, NAN, 0.6f, 0.4f};
  const float high[4] = {0.9f, 0.2f, 1.5f, 0.4f};
  const float negw[4] = {1, 1, 1, -2}, infw[4] = {INFINITY, 1, 1, 1};
  assert_fails(lm_writer_add_pr_curve(NULL, "pr", 0, lab, pred, 4, 0, NULL),
               LM_ERR_INVALID_ARG, "writer is NULL");
  assert_fails(lm_writer_add_pr_curve(w, "", 0, lab, pred, 4, 0, NULL),
               LM_ERR_INVALID_ARG, "tag is empty");
  assert_fails(lm_writer_add_pr_curve(w, "pr", 0, lab, nanp, 4, 0, NULL),
               LM_ERR_INVALID_ARG,
               "PR curve 'pr': predictions[1] is nan; predictions must be "
               "probabilities in [0, 1]");
  assert_fails(lm_writer_add_pr_curve(w, "pr", 0, lab, high, 4, 0, NULL),
               LM_ERR_INVALID_ARG, "predictions[2] is 1.5");
  assert_fails(lm_writer_add_pr_curve(w, "pr", 0, badlab, pred, 4, 0, NULL),
               LM_ERR_INVALID_ARG, "labels[2] is 2; labels must be 0 or 1");
  assert_fails(lm_writer_add_pr_curve(w, "pr", 0, lab, pred, 0, 0, NULL),
               LM_ERR_INVALID_ARG, "PR curve 'pr': n is 0");
  assert_fails(lm_writer_add_pr_curve(w, "pr", 0, lab, pred, 4, 1, NULL),
               LM_ERR_INVALID_ARG,
               "PR curve 'pr': num_thresholds is 1, must be 2..10000");
  assert_fails(lm_writer_add_pr_curve(w, "pr", 0, lab, pred, 4, 20000, NULL),
               LM_ERR_INVALID_ARG, "num_thresholds is 20000");
  assert_fails(lm_writer_add_pr_curve(w, "pr", 0, NULL, pred, 4, 0, NULL),
               LM_ERR_INVALID_ARG, "labels is NULL");
  assert_fails(lm_writer_add_pr_curve(w, "pr", 0, lab, NULL, 4, 0, NULL),
               LM_ERR_INVALID_ARG, "predictions is NULL");
  assert_fails(lm_writer_add_pr_curve(w, "pr", 0, lab, pred, 4, 0, negw),
               LM_ERR_INVALID_ARG, "weights[3] is -2");
  assert_fails(lm_writer_add_pr_curve(w, "pr", 0, lab, pred, 4, 0, infw),
               LM_ERR_INVALID_ARG, "weights[0] is inf");
  double c[3] = {3, 1, 0}, bad[3] = {3, NAN, 0}, p[3] = {0.5, 1.2, 0};
  assert_fails(lm_writer_add_pr_curve_raw(w, "raw", 0, c, c, c, c, c, c, 1),
               LM_ERR_INVALID_ARG, "num_thresholds is 1");
  assert_fails(lm_writer_add_pr_curve_raw(w, "raw", 0, c, NULL, c, c, p, p, 3),
               LM_ERR_INVALID_ARG, "PR curve 'raw': fp is NULL");
  assert_fails(lm_writer_add_pr_curve_raw(w, "raw", 0, c, c, bad, c, p, p, 3),
               LM_ERR_INVALID_ARG, "tn[1] is nan; counts must be finite");
  assert_fails(lm_writer_add_pr_curve_raw(w, "raw", 0, c, c, c, c, p, p, 3),
               LM_ERR_INVALID_ARG,
               "precision[1] is 1.2; precision and recall must be in [0, 1]");
  double out[6 * 2];
  assert_fails(lm_pr_curve_compute(lab, nanp, 4, 2, NULL, out),
               LM_ERR_INVALID_ARG, "predictions[1] is nan");

  /* nothing of any refused curve reached the file, the writer still works */
  assert_ok(lm_writer_add_pr_curve(w, "pr", 1, lab, pred, 4, 0, NULL));
  assert_ok(lm_writer_flush(w));
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM pr_curves"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM pr_curve_points"), ==, 127);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM tags"), ==, 1);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  tmpdir_free(dir);
}

static void test_image_cap(void) {
  char *dir = tmpdir_new();
  lm_writer_options o;
  lm_writer_options_init(&o);
  o.logdir = dir;
  o.run_name = "cap";
  o.max_image_bytes = 1000;
  lm_writer *w;
  assert_ok(lm_writer_open_with(&w, &o));
  guint8 *px = g_malloc0(20 * 20 * 3 * 8);
  assert_fails(lm_writer_add_image(w, "big", 0, px, 20, 20, 3),
               LM_ERR_TOO_LARGE, "20x20x3, over the cap of 1000 bytes");
  assert_ok(lm_writer_add_image(w, "fits", 0, px, 18, 18, 3)); /* 972 */
  /* A grid is checked as the image it becomes: 8 cells of 10x10 grey in
   * one row with padding 2 is 98x14 = 1372 bytes. */
  assert_fails(lm_writer_add_images_grid(w, "grid", 0, px, 8, 10, 10, 1, 8,
                                         -1, 0, NULL),
               LM_ERR_TOO_LARGE, "over the cap");
  assert_ok(lm_writer_add_images_grid(w, "grid", 0, px, 4, 10, 10, 1, 8, -1,
                                      0, NULL));
  /* Huge sizes do not overflow the check. */
  assert_fails(lm_writer_add_image(w, "huge", 0, px, 0x7fffffff, 0x7fffffff,
                                   4),
               LM_ERR_TOO_LARGE, "over the cap");
  assert_ok(lm_writer_flush(w));
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM images"), ==, 2);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  g_free(px);
  tmpdir_free(dir);
}

/* PNG (libpng, and the readers built on it) takes at most 1,000,000
 * pixels a side: a longer image within the byte cap is refused up front
 * with the limit named; it failed in the encoder with "PNG encoding
 * failed: Invalid IHDR data" (LM_ERR_INVALID_ARG). */
static void test_image_side_limit(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "sides");
  guint8 *px = g_malloc0(2000001);
  assert_fails(lm_writer_add_image(w, "long", 0, px, 2000000, 1, 1),
               LM_ERR_TOO_LARGE,
               "image 'long' is 2000000x1; a PNG may be at most 1000000 "
               "pixels a side");
  assert_fails(lm_writer_add_image(w, "tall", 0, px, 1, 1000001, 1),
               LM_ERR_TOO_LARGE, "1x1000001");
  assert_ok(lm_writer_add_image(w, "edge", 0, px, 1000000, 1, 1));
  /* 300,000 cells of 2x2 in one row: a grid 1,200,002 pixels wide */
  assert_fails(lm_writer_add_images_grid(w, "row", 0, px, 300000, 2, 2, 1,
                                         300000, 2, 0, NULL),
               LM_ERR_TOO_LARGE, "image grid 'row' is 1200002x6");
  const char *labels[] = {"a", NULL};
  assert_fails(lm_writer_add_images_grid(w, "named", 0, px, 2, 2, 2, 1, 2,
                                         1, 0, labels),
               LM_ERR_INVALID_ARG, "image grid 'named': labels[1] is NULL");
  assert_ok(lm_writer_flush(w));
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM images"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT width FROM images"), ==, 1000000);
  sqlite3_close(db);
  /* A NULL lm_histogram is named as such (the message spoke of values). */
  assert_fails(lm_writer_add_histogram_buckets(w, "h", 0, NULL),
               LM_ERR_INVALID_ARG, "histogram 'h': h (the lm_histogram) is NULL");
  assert_ok(lm_writer_close(w));
  g_free(px);
  tmpdir_free(dir);
}

/* ------------------------------------------------- directories, names */

static void test_bad_logdir_and_names(void) {
  char *dir = tmpdir_new();
  lm_writer *w = NULL;
  char *file = g_build_filename(dir, "file", NULL);
  g_assert_true(g_file_set_contents(file, "x", 1, NULL));
  assert_fails(lm_writer_open(&w, file, "r"), LM_ERR_IO, "in the way");
  g_assert_null(w);
  char *under = g_build_filename(file, "deeper", NULL);
  assert_fails(lm_writer_open(&w, under, "r"), LM_ERR_IO, file);
  assert_fails(lm_writer_open(&w, "/proc/lumen-log-test", "r"), LM_ERR_IO,
               "cannot create log directory '/proc/lumen-log-test'");
  if (geteuid() != 0) {
    char *ro = g_build_filename(dir, "ro", NULL);
    g_assert_cmpint(mkdir(ro, 0500), ==, 0);
    assert_fails(lm_writer_open(&w, ro, "r"), LM_ERR_IO, "Permission denied");
    chmod(ro, 0700);
    g_free(ro);
  } else {
    g_test_message("running as root: permission bits are not enforced, "
                   "skipping the read-only directory case");
  }
  assert_fails(lm_writer_open(&w, "", "r"), LM_ERR_INVALID_ARG,
               "logdir is empty");
  const char *names[] = {"../escape", "/abs", "a//b", "a/./b", "a/..", ""};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    int rc = lm_writer_open(&w, dir, names[i]);
    g_assert_cmpint(rc, ==, LM_ERR_INVALID_ARG);
    g_assert_nonnull(strstr(lm_log_last_error(), "run name"));
    g_assert_null(w);
  }
  assert_fails(lm_writer_open(&w, dir, "r\xff"), LM_ERR_UTF8, "run name");
  assert_fails(lm_writer_open(NULL, dir, "r"), LM_ERR_INVALID_ARG, "NULL");
  g_free(under);
  g_free(file);
  tmpdir_free(dir);
}

/* An existing run folder the user may not write in: the message gives the
 * reason open() had ("Permission denied"), not that of the check made
 * after it (it said "No such file or directory", of the lock file it
 * could not create).  As root, the check runs in a child that has
 * dropped to nobody, since root may write anywhere. */
static int open_in_read_only_run(const char *dir) {
  lm_writer *w = NULL;
  int rc = lm_writer_open(&w, dir, "ro");
  if (rc != LM_ERR_IO || w)
    return 20;
  if (!strstr(lm_log_last_error(), "cannot write in run directory") ||
      !strstr(lm_log_last_error(), "Permission denied"))
    return 21;
  return 0;
}

static void test_read_only_run_dir(void) {
  char *dir = tmpdir_new();
  g_assert_cmpint(chmod(dir, 0755), ==, 0);
  char *ro = g_build_filename(dir, "ro", NULL);
  g_assert_cmpint(mkdir(ro, 0555), ==, 0);
  if (geteuid() != 0) {
    g_assert_cmpint(open_in_read_only_run(dir), ==, 0);
  } else {
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
      if (setgid(65534) != 0 || setuid(65534) != 0)
        _exit(99);
      _exit(open_in_read_only_run(dir));
    }
    int status;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 99)
      g_test_skip("cannot switch to user nobody");
    else
      g_assert_cmpint(WEXITSTATUS(status), ==, 0);
  }
  chmod(ro, 0700);
  g_free(ro);
  tmpdir_free(dir);
}

static void test_not_a_run_file(void) {
  char *dir = tmpdir_new();
  char *sub = g_build_filename(dir, "junk", NULL);
  g_assert_cmpint(mkdir(sub, 0700), ==, 0);
  char *path = g_build_filename(sub, "run.lumen", NULL);
  char junk[8192];
  memset(junk, 'x', sizeof junk);
  g_assert_true(g_file_set_contents(path, junk, sizeof junk, NULL));
  lm_writer *w = NULL;
  assert_fails(lm_writer_open(&w, dir, "junk"), LM_ERR_FORMAT,
               "not a Lumen run file");
  g_assert_null(w);
  /* An SQLite file of some other program. */
  char *sub2 = g_build_filename(dir, "other", NULL);
  g_assert_cmpint(mkdir(sub2, 0700), ==, 0);
  char *path2 = g_build_filename(sub2, "run.lumen", NULL);
  sqlite3 *db;
  g_assert_cmpint(sqlite3_open(path2, &db), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), ==,
                  SQLITE_OK);
  sqlite3_close(db);
  assert_fails(lm_writer_open(&w, dir, "other"), LM_ERR_FORMAT,
               "not a Lumen run file");
  /* A run file from a newer lumen-log. */
  w = writer_open(dir, "newer");
  char *path3 = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));
  g_assert_cmpint(sqlite3_open(path3, &db), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_exec(db, "PRAGMA user_version = 2", NULL, NULL,
                               NULL),
                  ==, SQLITE_OK);
  sqlite3_close(db);
  assert_fails(lm_writer_open(&w, dir, "newer"), LM_ERR_FORMAT,
               "run-file schema 2");
  g_free(path3);
  g_free(path2);
  g_free(sub2);
  g_free(path);
  g_free(sub);
  tmpdir_free(dir);
}

/* ---------------------------------------------------------------- lock */

static void test_locked_by_live_process(void) {
  char *dir = tmpdir_new();
  /* In this process: a second writer on an open run is refused. */
  lm_writer *w = writer_open(dir, "busy"), *w2 = NULL;
  char *pid_s = g_strdup_printf("pid %d", (int)getpid());
  assert_fails(lm_writer_open(&w2, dir, "busy"), LM_ERR_LOCKED, pid_s);
  g_assert_nonnull(strstr(lm_log_last_error(), "this process"));
  g_assert_null(w2);
  assert_ok(lm_writer_close(w));
  g_free(pid_s);

  /* Another live process holds it: refused with that pid; once the
   * process is killed, the run opens again (the kernel drops the lock). */
  int ready[2], go[2];
  g_assert_cmpint(pipe(ready), ==, 0);
  g_assert_cmpint(pipe(go), ==, 0);
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0) {
    close(ready[0]);
    close(go[1]);
    lm_writer *cw;
    if (lm_writer_open(&cw, dir, "busy") != LM_OK)
      _exit(3);
    lm_writer_add_scalar(cw, "child", 0, 1);
    lm_writer_flush(cw);
    char c = 'r';
    if (write(ready[1], &c, 1) != 1)
      _exit(4);
    char buf;
    while (read(go[0], &buf, 1) < 0 && errno == EINTR)
      ;
    _exit(0);
  }
  close(ready[1]);
  close(go[0]);
  char c;
  g_assert_cmpint(read(ready[0], &c, 1), ==, 1);
  pid_s = g_strdup_printf("another live process (pid %d", (int)pid);
  assert_fails(lm_writer_open(&w2, dir, "busy"), LM_ERR_LOCKED, pid_s);
  g_free(pid_s);
  kill(pid, SIGKILL);
  int status;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFSIGNALED(status));
  w = writer_open(dir, "busy");
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==, 1);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  close(ready[0]);
  close(go[1]);
  tmpdir_free(dir);
}

/* A child forked while a writer is open (a data-loading worker, any
 * helper) does not keep the run locked once the parent closes it. */
static void test_lock_after_fork(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "forked");
  int go[2];
  g_assert_cmpint(pipe(go), ==, 0);
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0) {
    close(go[1]);
    char buf;
    while (read(go[0], &buf, 1) < 0 && errno == EINTR)
      ;
    _exit(0);
  }
  close(go[0]);
  assert_ok(lm_writer_add_scalar(w, "x", 0, 1));
  assert_ok(lm_writer_close(w));
  /* the child still runs: the run is free all the same */
  char *lock = g_build_filename(dir, "forked", "run.lumen.lock", NULL);
  int fd = open(lock, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint(fd, >=, 0);
  g_assert_cmpint(flock(fd, LOCK_SH | LOCK_NB), ==, 0); /* no live writer */
  close(fd);
  w = writer_open(dir, "forked");
  assert_ok(lm_writer_add_scalar(w, "x", 1, 2));
  assert_ok(lm_writer_close(w));
  close(go[1]);
  int status;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  g_free(lock);
  tmpdir_free(dir);
}

/* A fork() child's calls on its parent's writer fail, naming both
 * processes, instead of returning LM_OK and losing the rows (the child has
 * no writer thread) or, for flush and close, waiting forever.  The child
 * can still log to a writer of its own. */
static int child_uses_parents_writer(lm_writer *w, const char *dir) {
  alarm(20); /* a hang fails the test instead of stalling the suite */
  int rc = lm_writer_add_scalar(w, "child", 0, 1);
  if (rc != LM_ERR_INVALID_ARG || !strstr(lm_log_last_error(), "fork() child"))
    return 10;
  char parent[32];
  snprintf(parent, sizeof parent, "process %ld", (long)getppid());
  if (!strstr(lm_log_last_error(), parent))
    return 11;
  const float v[2] = {1, 2};
  if (lm_writer_add_histogram(w, "child", 0, v, 2) != LM_ERR_INVALID_ARG)
    return 12;
  if (lm_writer_add_text(w, "child", 0, "x") != LM_ERR_INVALID_ARG)
    return 13;
  if (lm_writer_set_status(w, LM_RUN_STOPPED) != LM_ERR_INVALID_ARG)
    return 14;
  if (lm_writer_flush(w) != LM_ERR_INVALID_ARG)
    return 15;
  if (lm_writer_close(w) != LM_ERR_INVALID_ARG)
    return 16;
  lm_writer *own = NULL;
  if (lm_writer_open(&own, dir, "child") != LM_OK)
    return 17;
  if (lm_writer_add_scalar(own, "child", 0, 7) != LM_OK ||
      lm_writer_close(own) != LM_OK)
    return 18;
  return 0;
}

static void test_fork_child_calls(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "parent");
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_add_scalar(w, "parent", 0, 1));
  assert_ok(lm_writer_flush(w));
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0)
    _exit(child_uses_parents_writer(w, dir));
  int status;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 0);
  /* The parent's writer is untouched by all that. */
  assert_ok(lm_writer_add_scalar(w, "parent", 1, 2));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==, 2);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM tags WHERE name = 'child'"),
                  ==, 0);
  char *status_text = db_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(status_text, ==, "finished");
  g_free(status_text);
  sqlite3_close(db);
  char *child_path = g_build_filename(dir, "child", "run.lumen", NULL);
  db = db_open_ro(child_path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==, 1);
  sqlite3_close(db);
  g_free(child_path);
  g_free(path);
  tmpdir_free(dir);
}

/* ------------------------------------------------------------ disk full */

/* A VFS over the default one whose writes fail with SQLITE_FULL while
 * `full_flag` is set: what the unix VFS returns when write() hits ENOSPC. */
typedef struct {
  sqlite3_file base;
  sqlite3_file *real;
} full_file;

static sqlite3_vfs *base_vfs;
static sqlite3_vfs full_vfs;
static sqlite3_io_methods full_methods;
static gint full_flag;

#define REAL(f) (((full_file *)(f))->real)
static int ff_close(sqlite3_file *f) {
  return REAL(f)->pMethods->xClose(REAL(f));
}
static int ff_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) {
  return REAL(f)->pMethods->xRead(REAL(f), b, n, o);
}
static int ff_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o) {
  if (g_atomic_int_get(&full_flag))
    return SQLITE_FULL;
  return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int ff_truncate(sqlite3_file *f, sqlite3_int64 s) {
  return REAL(f)->pMethods->xTruncate(REAL(f), s);
}
static int ff_sync(sqlite3_file *f, int fl) {
  return REAL(f)->pMethods->xSync(REAL(f), fl);
}
static int ff_size(sqlite3_file *f, sqlite3_int64 *s) {
  return REAL(f)->pMethods->xFileSize(REAL(f), s);
}
static int ff_lock(sqlite3_file *f, int l) {
  return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int ff_unlock(sqlite3_file *f, int l) {
  return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int ff_check(sqlite3_file *f, int *r) {
  return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r);
}
static int ff_fcntl(sqlite3_file *f, int op, void *a) {
  return REAL(f)->pMethods->xFileControl(REAL(f), op, a);
}
static int ff_sector(sqlite3_file *f) {
  return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int ff_dev(sqlite3_file *f) {
  return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int ff_shm_map(sqlite3_file *f, int i, int sz, int ext,
                      void volatile **p) {
  return REAL(f)->pMethods->xShmMap(REAL(f), i, sz, ext, p);
}
static int ff_shm_lock(sqlite3_file *f, int o, int n, int fl) {
  return REAL(f)->pMethods->xShmLock(REAL(f), o, n, fl);
}
static void ff_shm_barrier(sqlite3_file *f) {
  REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int ff_shm_unmap(sqlite3_file *f, int del) {
  return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int ff_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **p) {
  *p = NULL; /* no memory-mapped reads: every access goes through us */
  (void)f;
  (void)o;
  (void)n;
  return SQLITE_OK;
}
static int ff_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p) {
  (void)f;
  (void)o;
  (void)p;
  return SQLITE_OK;
}

static int ff_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
                   int flags, int *out_flags) {
  (void)vfs;
  full_file *ff = (full_file *)f;
  ff->real = (sqlite3_file *)(ff + 1);
  int rc = base_vfs->xOpen(base_vfs, name, ff->real, flags, out_flags);
  ff->base.pMethods = ff->real->pMethods ? &full_methods : NULL;
  return rc;
}

static void full_vfs_install(void) {
  base_vfs = sqlite3_vfs_find(NULL);
  full_methods = (sqlite3_io_methods){
      .iVersion = 3, .xClose = ff_close, .xRead = ff_read,
      .xWrite = ff_write, .xTruncate = ff_truncate, .xSync = ff_sync,
      .xFileSize = ff_size, .xLock = ff_lock, .xUnlock = ff_unlock,
      .xCheckReservedLock = ff_check, .xFileControl = ff_fcntl,
      .xSectorSize = ff_sector, .xDeviceCharacteristics = ff_dev,
      .xShmMap = ff_shm_map, .xShmLock = ff_shm_lock,
      .xShmBarrier = ff_shm_barrier, .xShmUnmap = ff_shm_unmap,
      .xFetch = ff_fetch, .xUnfetch = ff_unfetch};
  full_vfs = *base_vfs;
  full_vfs.zName = "lumen-test-full";
  full_vfs.szOsFile = (int)sizeof(full_file) + base_vfs->szOsFile;
  full_vfs.xOpen = ff_open;
  g_assert_cmpint(sqlite3_vfs_register(&full_vfs, 1), ==, SQLITE_OK);
}

static void full_vfs_remove(void) {
  sqlite3_vfs_register(base_vfs, 1);
  sqlite3_vfs_unregister(&full_vfs);
}

/* A file size limit (ulimit -f) that a commit runs into is an I/O error
 * whose message says why: "disk I/O error: File too large", not a bare
 * "disk I/O error" (SQLite keeps no errno for a failed write to the -wal).
 * XFSZ_HANDLER is SIGXFSZ's disposition meanwhile. */
static void check_file_size_limit(void (*xfsz_handler)(int)) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "fsize");
  struct rlimit old, rl;
  g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &old), ==, 0);
  void (*old_handler)(int) = signal(SIGXFSZ, xfsz_handler);
  rl = old;
  rl.rlim_cur = 2 * 1024 * 1024;
  g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &rl), ==, 0);
  /* noise does not compress: its PNG alone is over the limit */
  const int side = 1024;
  uint8_t *pixels = g_malloc((size_t)side * side * 3);
  for (size_t i = 0; i < (size_t)side * side * 3; i++)
    pixels[i] = (uint8_t)g_random_int();
  assert_ok(lm_writer_add_image(w, "noise", 0, pixels, side, side, 3));
  int rc = lm_writer_flush(w);
  char *msg = g_strdup(lm_log_last_error());
  g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &old), ==, 0);
  signal(SIGXFSZ, old_handler);
  g_test_message("%s", msg);
  g_assert_cmpint(rc, ==, LM_ERR_IO);
  g_assert_nonnull(strstr(msg, "(disk I/O error: File too large)"));
  lm_writer_close(w);
  g_free(msg);
  g_free(pixels);
  tmpdir_free(dir);
}

/* SIGXFSZ ignored, as Python and lumen-train have it. */
static void test_file_size_limit(void) { check_file_size_limit(SIG_IGN); }

/* SIGXFSZ at its default, as a C program has it: the writer thread blocks
 * it, so the limit is the same loud error (docs/run-format.md, "Faults are
 * loud"), where the signal ended the process and left the run 'running'.
 * In a subprocess, which the signal would kill. */
static void test_file_size_limit_default_signal(void) {
  if (g_test_subprocess()) {
    check_file_size_limit(SIG_DFL);
    return;
  }
  g_test_trap_subprocess(NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed();
}

static void test_disk_full(void) {
  char *dir = tmpdir_new();
  full_vfs_install();
  lm_writer *w = writer_open(dir, "full");
  char *path = g_strdup(lm_writer_file_path(w));
  for (int i = 0; i < 100; i++)
    assert_ok(lm_writer_add_scalar(w, "before", i, i));
  assert_ok(lm_writer_flush(w));

  g_atomic_int_set(&full_flag, 1);
  /* The call itself only queues; the writer thread hits the full disk
   * and the next call, flush or close reports it. */
  assert_ok(lm_writer_add_scalar(w, "after", 0, 1));
  assert_fails(lm_writer_flush(w), LM_ERR_DISK_FULL, "the disk is full");
  g_assert_nonnull(strstr(lm_log_last_error(), path));
  assert_fails(lm_writer_add_scalar(w, "after", 1, 1), LM_ERR_DISK_FULL,
               "disk is full");
  float v[3] = {1, 2, 3};
  assert_fails(lm_writer_add_histogram(w, "h", 0, v, 3), LM_ERR_DISK_FULL,
               "disk is full");
  assert_fails(lm_writer_close(w), LM_ERR_DISK_FULL, "disk is full");

  /* Opening a new run on a full disk fails at once. */
  lm_writer *w2 = NULL;
  assert_fails(lm_writer_open(&w2, dir, "full2"), LM_ERR_DISK_FULL, "full");
  g_assert_null(w2);
  g_atomic_int_set(&full_flag, 0);
  full_vfs_remove();

  /* Everything committed before the fault is there, and the file is sound. */
  sqlite3 *db = db_open_ro(path);
  char *s = db_text(db, "PRAGMA integrity_check");
  g_assert_cmpstr(s, ==, "ok");
  g_free(s);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars JOIN tags ON "
                             "tags.id = tag_id WHERE name = 'before'"),
                  ==, 100);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* A fault that clears before the close (space freed, or the rolled-back
 * WAL frames reused): the close records status 'failed' and the end time,
 * so the run does not say 'running' for ever (the app showed 'crashed'),
 * and still returns the fault.  A status the program chose is kept. */
static void close_after_fault(const char *dir, const char *run, int chosen,
                              const char *want) {
  full_vfs_install();
  lm_writer *w = writer_open(dir, run);
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_add_scalar(w, "before", 0, 1));
  assert_ok(lm_writer_flush(w));
  g_atomic_int_set(&full_flag, 1);
  assert_ok(lm_writer_add_scalar(w, "after", 0, 1));
  assert_fails(lm_writer_flush(w), LM_ERR_DISK_FULL, "the disk is full");
  g_atomic_int_set(&full_flag, 0);
  if (chosen >= 0)
    assert_fails(lm_writer_set_status(w, (lm_run_status)chosen),
                 LM_ERR_DISK_FULL, "disk is full");
  assert_fails(lm_writer_close(w), LM_ERR_DISK_FULL, "the disk is full");
  full_vfs_remove();
  sqlite3 *db = db_open_ro(path);
  char *s = db_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(s, ==, want);
  g_free(s);
  /* the fault itself, for the app to show beside the status */
  s = db_text(db, "SELECT value FROM run WHERE key = 'error'");
  g_assert_nonnull(s);
  g_assert_nonnull(strstr(s, "the disk is full while"));
  g_assert_nonnull(strstr(s, path));
  g_free(s);
  g_assert_cmpfloat(db_double(db, "SELECT CAST(value AS REAL) FROM run "
                                  "WHERE key = 'end_time'"), >, 1e9);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==, 1);
  s = db_text(db, "PRAGMA integrity_check");
  g_assert_cmpstr(s, ==, "ok");
  g_free(s);
  sqlite3_close(db);

  /* reopened (a resume): the new session has no error yet */
  w = writer_open(dir, run);
  assert_ok(lm_writer_flush(w));
  db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM run WHERE key = 'error'"), ==, 0);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  g_free(path);
}

static void test_close_after_fault(void) {
  char *dir = tmpdir_new();
  close_after_fault(dir, "failed", -1, "failed");
  close_after_fault(dir, "stopped", LM_RUN_STOPPED, "stopped");
  tmpdir_free(dir);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/logging/errors/tags", test_bad_tags);
  g_test_add_func("/logging/errors/checkers", test_utf8_and_json_checkers);
  g_test_add_func("/logging/errors/values", test_bad_values);
  g_test_add_func("/logging/errors/pr-curves", test_bad_pr_curves);
  g_test_add_func("/logging/errors/image-cap", test_image_cap);
  g_test_add_func("/logging/errors/image-sides", test_image_side_limit);
  g_test_add_func("/logging/errors/logdir-and-names", test_bad_logdir_and_names);
  g_test_add_func("/logging/errors/read-only-run-dir", test_read_only_run_dir);
  g_test_add_func("/logging/errors/not-a-run-file", test_not_a_run_file);
  g_test_add_func("/logging/errors/locked", test_locked_by_live_process);
  g_test_add_func("/logging/errors/lock-after-fork", test_lock_after_fork);
  g_test_add_func("/logging/errors/fork-child-calls", test_fork_child_calls);
  g_test_add_func("/logging/errors/disk-full", test_disk_full);
  g_test_add_func("/logging/errors/file-size-limit", test_file_size_limit);
  g_test_add_func("/logging/errors/file-size-limit-default-signal",
                  test_file_size_limit_default_signal);
  g_test_add_func("/logging/errors/close-after-fault", test_close_after_fault);
  return g_test_run();
}
