/* lm-hparams.c: hyperparameters and the metric tags they relate to.
 *
 * What it is for: lm_writer_add_hparams, the counterpart of
 * SummaryWriter.add_hparams.  Values are numbers, strings or booleans;
 * the metric tags name scalar series (logged as usual) that a viewer
 * shows next to the hyperparameters.  Unlike add_hparams this does not
 * log metric values itself and does not create a sub-run.
 * Not for: anything else.
 */
#include <stdlib.h>
#include <string.h>

#include "lm-log-private.h"

int lm_writer_add_hparams(lm_writer *w, const lm_hparam *hps, size_t n,
                          const char *const *metric_tags, size_t n_metrics) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  if ((n && !hps) || (n_metrics && !metric_tags))
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "hps or metric_tags is NULL with a non-zero count");
  if (n == 0 && n_metrics == 0)
    return LM_OK;
  size_t bytes = sizeof(lm_hparams_payload) + n * sizeof(lm_hparam) +
                 n_metrics * sizeof(char *);
  char what[64];
  int rc;
  for (size_t i = 0; i < n; i++) {
    snprintf(what, sizeof what, "hparam %zu name", i);
    if ((rc = lm_check_name(w, what, hps[i].name)))
      return rc;
    bytes += strlen(hps[i].name) + 1;
    switch (hps[i].type) {
    case LM_HPARAM_NUMBER:
    case LM_HPARAM_BOOL:
      break;
    case LM_HPARAM_STRING:
      snprintf(what, sizeof what, "hparam '%.40s' value", hps[i].name);
      if ((rc = lm_check_text(w, what, hps[i].string, false)))
        return rc;
      bytes += strlen(hps[i].string) + 1;
      break;
    default:
      return lm_fail(w, LM_ERR_INVALID_ARG,
                     "hparam '%s': unknown type %d (use LM_HPARAM_NUMBER, "
                     "_STRING or _BOOL)",
                     hps[i].name, (int)hps[i].type);
    }
  }
  for (size_t i = 0; i < n_metrics; i++) {
    snprintf(what, sizeof what, "metric tag %zu", i);
    if ((rc = lm_check_name(w, what, metric_tags[i])))
      return rc;
    bytes += strlen(metric_tags[i]) + 1;
  }

  lm_hparams_payload *p = malloc(bytes);
  if (!p)
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for hparams");
  p->hdr.bytes = bytes;
  p->n = n;
  p->n_metrics = n_metrics;
  p->hps = (lm_hparam *)(p + 1);
  p->metric_tags = (char **)(p->hps + n);
  char *s = (char *)(p->metric_tags + n_metrics);
  for (size_t i = 0; i < n; i++) {
    p->hps[i] = hps[i];
    size_t l = strlen(hps[i].name) + 1;
    p->hps[i].name = memcpy(s, hps[i].name, l);
    s += l;
    if (hps[i].type == LM_HPARAM_STRING) {
      l = strlen(hps[i].string) + 1;
      p->hps[i].string = memcpy(s, hps[i].string, l);
      s += l;
    } else {
      p->hps[i].string = NULL;
    }
  }
  for (size_t i = 0; i < n_metrics; i++) {
    size_t l = strlen(metric_tags[i]) + 1;
    p->metric_tags[i] = memcpy(s, metric_tags[i], l);
    s += l;
  }
  return lm_queue_payload(w, LM_REC_HPARAMS, NULL, 0, 0, lm_writer_now(w), p);
}
