/* lm-test-records.h: run files with every kind of record, for the
 * dashboard tests and benchmarks.
 *
 * What it is for: a run written with lumen-log (histograms, images, text,
 * hparams and a metric scalar) plus, optionally, rows no writer would
 * produce, inserted with SQL afterwards: a non-PNG image blob, a histogram
 * with zero buckets and one with a NaN edge, text that is not UTF-8.
 */
#pragma once

#include <glib.h>

#include "lm-records.h"
#include "lm-run-store.h"
#include "lm-test-run.h"

G_BEGIN_DECLS

/* The fixture's distinctive values. */
#define LM_TR_HIST_TAG    "weights/peak"     /* edges 0..10, bucket [6,7) holds the peak */
#define LM_TR_HIST_STEPS  10
#define LM_TR_IMAGE_TAG   "samples/pattern"  /* 16x16 RGB, one image a step */
#define LM_TR_IMAGE_STEPS 5
#define LM_TR_IMAGE_W     16
#define LM_TR_TEXT_TAG    "notes"
#define LM_TR_METRIC_TAG  "val/accuracy"

/* The colour of image `step`: its left half; the right half is black. */
void lm_test_records_image_color (int step, guint8 rgb[3]);

/* Writes <logdir>/<run>/run.lumen.  lr and optimizer are the run's
 * hparams, metric the final value of LM_TR_METRIC_TAG. */
void lm_test_records_write (const char *logdir, const char *run, double lr,
                            const char *optimizer, double metric, gboolean bad_rows);

/* Appends `n` histogram rows for steps from `first_step` on (uniform
 * buckets), for live tests. */
void lm_test_records_append_histograms (const char *logdir, const char *run,
                                        const char *tag, int first_step, int n);

/* PR curves: sample i of step s has label (i % 3 == 0) and a prediction
 * that separates the classes better as s grows; lm_test_records_pr_samples
 * fills LM_TR_PR_N labels and predictions for a step (to compute the
 * expected curve with lm_pr_curve_compute). */
#define LM_TR_PR_N 300
void lm_test_records_pr_samples (int step, guint8 *labels, float *predictions);
/* Logs `n` curves for steps first_step, first_step + step_stride, ...
 * (num_thresholds 0: the default 127) into <logdir>/<run>. */
void lm_test_records_append_pr_curves (const char *logdir, const char *run, const char *tag,
                                       int first_step, int step_stride, int n, size_t num_thresholds);

/* The run store of logdir, started, scanning every 50 ms. */
LmRunStore   *lm_test_store_open (const char *logdir);
/* A feed of `kind` on store, active, polling every 50 ms, once it has read
 * every run (fails the test after 10 s). */
LmRecordFeed *lm_test_feed_open (LmRunStore *store, LmRecordKind kind);

/* Temporary folders: lm_test_tmpdir_new / lm_test_rm_rf of lm-test-run.h. */

G_END_DECLS
