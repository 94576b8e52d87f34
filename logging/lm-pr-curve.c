/* lm-pr-curve.c: precision-recall curves and their logging calls.
 *
 * What it is for: turning labels and predicted probabilities into what
 * the `pr_curves` / `pr_curve_points` tables store, with exactly the
 * arithmetic of torch.utils.tensorboard.summary.compute_curve (what
 * SummaryWriter.add_pr_curve logs): predictions bucketed by
 * floor(p * (num_thresholds - 1)) in float32, weighted TP and FP counts
 * per bucket summed in float64, reverse cumulative sums from the top
 * bucket, TN and FN from the totals, and precision/recall over
 * max(count, 1e-7).  So a PyTorch user sees the curve TensorBoard would.
 * Every input is checked before anything is queued: a bad curve is
 * refused whole, never half-stored.
 * Not for: drawing or reading (data/, ui/).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lm-log-private.h"

/* compute_curve's _MINIMUM_COUNT */
#define PR_MIN_COUNT 1e-7

static int check_thresholds(lm_writer *w, const char *tag, size_t nt) {
  if (nt < 2 || nt > LM_PR_CURVE_MAX_THRESHOLDS)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "PR curve '%s': num_thresholds is %zu, must be 2..%d "
                   "(0 means %d)",
                   tag, nt, LM_PR_CURVE_MAX_THRESHOLDS,
                   LM_PR_CURVE_DEFAULT_THRESHOLDS);
  return LM_OK;
}

/* Checks the inputs of a curve from samples; `tag` only names it. */
static int check_samples(lm_writer *w, const char *tag, const uint8_t *labels,
                         const float *predictions, size_t n,
                         const float *weights) {
  if (!labels || !predictions)
    return lm_fail(w, LM_ERR_INVALID_ARG, "PR curve '%s': %s is NULL", tag,
                   !labels ? "labels" : "predictions");
  if (n == 0)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "PR curve '%s': n is 0 (no samples to make a curve of)",
                   tag);
  for (size_t i = 0; i < n; i++) {
    float p = predictions[i];
    if (!(p >= 0.0f && p <= 1.0f))
      return lm_fail(w, LM_ERR_INVALID_ARG,
                     "PR curve '%s': predictions[%zu] is %g; predictions "
                     "must be probabilities in [0, 1] (apply a sigmoid or "
                     "softmax to logits first)",
                     tag, i, (double)p);
    if (labels[i] > 1)
      return lm_fail(w, LM_ERR_INVALID_ARG,
                     "PR curve '%s': labels[%zu] is %u; labels must be 0 or "
                     "1 (is sample i of the positive class)",
                     tag, i, (unsigned)labels[i]);
    if (weights && !(weights[i] >= 0.0f && isfinite(weights[i])))
      return lm_fail(w, LM_ERR_INVALID_ARG,
                     "PR curve '%s': weights[%zu] is %g; weights must be "
                     "finite and >= 0",
                     tag, i, (double)weights[i]);
  }
  return LM_OK;
}

/* out: 6 x nt (tp, fp, tn, fn, precision, recall); inputs checked. */
static void compute(const uint8_t *labels, const float *predictions,
                    size_t n, size_t nt, const float *weights, double *out) {
  double *tp = out, *fp = out + nt, *tn = out + 2 * nt, *fn = out + 3 * nt;
  double *prec = out + 4 * nt, *rec = out + 5 * nt;
  float scale = (float)(nt - 1);
  memset(out, 0, 4 * nt * sizeof(double));
  /* the buckets: numpy multiplies the float32 predictions by an int in
   * float32, then floors; the weighted counts are float64 */
  for (size_t i = 0; i < n; i++) {
    float x = predictions[i] * scale;
    size_t b = (size_t)floorf(x);
    double wgt = weights ? (double)weights[i] : 1.0;
    if (b > nt - 1)
      b = nt - 1;
    if (labels[i])
      tp[b] += wgt;
    else
      fp[b] += wgt;
  }
  /* reverse cumulative sums: a threshold counts everything at or above it */
  for (size_t i = nt - 1; i-- > 0;) {
    tp[i] += tp[i + 1];
    fp[i] += fp[i + 1];
  }
  for (size_t i = 0; i < nt; i++) {
    tn[i] = fp[0] - fp[i];
    fn[i] = tp[0] - tp[i];
    prec[i] = tp[i] / fmax(PR_MIN_COUNT, tp[i] + fp[i]);
    rec[i] = tp[i] / fmax(PR_MIN_COUNT, tp[i] + fn[i]);
  }
}

int lm_pr_curve_compute(const uint8_t *labels, const float *predictions,
                        size_t n, size_t num_thresholds, const float *weights,
                        double *out) {
  size_t nt = num_thresholds ? num_thresholds : LM_PR_CURVE_DEFAULT_THRESHOLDS;
  int rc = check_thresholds(NULL, "(compute)", nt);
  if (!rc)
    rc = check_samples(NULL, "(compute)", labels, predictions, n, weights);
  if (!rc && !out)
    rc = lm_fail(NULL, LM_ERR_INVALID_ARG, "PR curve: out is NULL");
  if (rc)
    return rc;
  compute(labels, predictions, n, nt, weights, out);
  return LM_OK;
}

static lm_pr_payload *payload_new(lm_writer *w, const char *tag, size_t nt) {
  size_t bytes = sizeof(lm_pr_payload) + 6 * nt * sizeof(double);
  lm_pr_payload *p = malloc(bytes);
  if (!p) {
    lm_fail(w, LM_ERR_NOMEM, "out of memory for PR curve '%s'", tag);
    return NULL;
  }
  p->hdr.bytes = bytes;
  p->num_thresholds = nt;
  p->v = (double *)(p + 1);
  return p;
}

int lm_writer_add_pr_curve(lm_writer *w, const char *tag, int64_t step,
                           const uint8_t *labels, const float *predictions,
                           size_t n, size_t num_thresholds,
                           const float *weights) {
  size_t nt = num_thresholds ? num_thresholds : LM_PR_CURVE_DEFAULT_THRESHOLDS;
  int rc = lm_check_writer_tag(w, tag);
  if (!rc)
    rc = check_thresholds(w, tag, nt);
  if (!rc)
    rc = check_samples(w, tag, labels, predictions, n, weights);
  if (rc)
    return rc;
  lm_pr_payload *p = payload_new(w, tag, nt);
  if (!p)
    return LM_ERR_NOMEM;
  compute(labels, predictions, n, nt, weights, p->v);
  return lm_queue_payload(w, LM_REC_PR_CURVE, tag, LM_TAG_PR_CURVE, step,
                          lm_writer_now(w), p);
}

int lm_writer_add_pr_curve_raw(lm_writer *w, const char *tag, int64_t step,
                               const double *tp, const double *fp,
                               const double *tn, const double *fn,
                               const double *precision, const double *recall,
                               size_t num_thresholds) {
  static const char *const names[6] = {"tp", "fp", "tn", "fn", "precision",
                                       "recall"};
  const double *arrays[6] = {tp, fp, tn, fn, precision, recall};
  int rc = lm_check_writer_tag(w, tag);
  if (!rc)
    rc = check_thresholds(w, tag, num_thresholds);
  if (rc)
    return rc;
  for (int k = 0; k < 6; k++) {
    if (!arrays[k])
      return lm_fail(w, LM_ERR_INVALID_ARG, "PR curve '%s': %s is NULL", tag,
                     names[k]);
    for (size_t i = 0; i < num_thresholds; i++) {
      double v = arrays[k][i];
      bool ok = k < 4 ? v >= 0 && isfinite(v) : v >= 0 && v <= 1;
      if (!ok)
        return lm_fail(w, LM_ERR_INVALID_ARG,
                       "PR curve '%s': %s[%zu] is %g; %s", tag, names[k], i,
                       v,
                       k < 4 ? "counts must be finite and >= 0"
                             : "precision and recall must be in [0, 1]");
    }
  }
  lm_pr_payload *p = payload_new(w, tag, num_thresholds);
  if (!p)
    return LM_ERR_NOMEM;
  for (int k = 0; k < 6; k++)
    memcpy(p->v + (size_t)k * num_thresholds, arrays[k],
           num_thresholds * sizeof(double));
  return lm_queue_payload(w, LM_REC_PR_CURVE, tag, LM_TAG_PR_CURVE, step,
                          lm_writer_now(w), p);
}
