/* lm-hparams.c: hyperparameters and the metric tags they relate to.
 *
 * What it is for: lm_writer_add_hparams, the counterpart of
 * SummaryWriter.add_hparams.  Values are numbers, strings or booleans;
 * the metric tags name scalar series (logged as usual) that a viewer
 * shows next to the hyperparameters.  Unlike add_hparams this does not
 * log metric values itself and does not create a sub-run.
 * lm_writer_add_hparams_ex also takes metrics of a sub-run (TensorBoard's
 * MetricName.group, Keras' "train" and "validation"), and both take an
 * hparam's or metric's display name and description;
 * lm_writer_set_hparam_columns names the hparams a viewer shows, in order
 * (an experiment's hparam_infos).
 * Not for: anything else.
 */
#include <stdlib.h>
#include <string.h>

#include "lm-log-private.h"

/* The group a metric is stored with: NULL for this run's own ("", ".",
 * as TensorBoard reads them). */
static const char *metric_group(const lm_hparam_metric *m) {
  const char *g = m->group;
  return g && *g && strcmp(g, ".") != 0 ? g : NULL;
}

/* Checks an optional display name or description (NULL allowed) and adds
 * its bytes to *bytes. */
static int check_label(lm_writer *w, const char *kind, const char *name,
                       const char *label, const char *text, size_t *bytes) {
  char what[96];
  snprintf(what, sizeof what, "%s '%.40s' %s", kind, name, label);
  int rc = lm_check_text(w, what, text, true);
  if (!rc && text)
    *bytes += strlen(text) + 1;
  return rc;
}

static int check_labels(lm_writer *w, const char *kind, const char *name,
                        const char *display_name, const char *description,
                        size_t *bytes) {
  int rc = check_label(w, kind, name, "display_name", display_name, bytes);
  return rc ? rc : check_label(w, kind, name, "description", description, bytes);
}

/* A copy of the optional string src at *s (NULL for NULL). */
static char *copy_opt(char **s, const char *src) {
  if (!src)
    return NULL;
  size_t l = strlen(src) + 1;
  char *d = memcpy(*s, src, l);
  *s += l;
  return d;
}

int lm_writer_add_hparams_ex(lm_writer *w, const lm_hparam *hps, size_t n,
                             const lm_hparam_metric *metrics,
                             size_t n_metrics) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  if ((n && !hps) || (n_metrics && !metrics))
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "hps or metrics is NULL with a non-zero count");
  if (n == 0 && n_metrics == 0)
    return LM_OK;
  size_t bytes = sizeof(lm_hparams_payload) + n * sizeof(lm_hparam) +
                 4 * n_metrics * sizeof(char *);
  char what[64];
  int rc;
  for (size_t i = 0; i < n; i++) {
    snprintf(what, sizeof what, "hparam %zu name", i);
    if ((rc = lm_check_name(w, what, hps[i].name)))
      return rc;
    bytes += strlen(hps[i].name) + 1;
    if ((rc = check_labels(w, "hparam", hps[i].name, hps[i].display_name,
                           hps[i].description, &bytes)))
      return rc;
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
    if ((rc = lm_check_name(w, what, metrics[i].tag)))
      return rc;
    bytes += strlen(metrics[i].tag) + 1;
    if ((rc = check_labels(w, "metric", metrics[i].tag, metrics[i].display_name,
                           metrics[i].description, &bytes)))
      return rc;
    const char *g = metric_group(&metrics[i]);
    if (!g)
      continue;
    snprintf(what, sizeof what, "metric '%.40s' group", metrics[i].tag);
    if ((rc = lm_check_relative_name(w, what, g, "the run")))
      return rc;
    bytes += strlen(g) + 1;
  }

  lm_hparams_payload *p = calloc(1, bytes);
  if (!p)
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for hparams");
  p->hdr.bytes = bytes;
  p->n = n;
  p->n_metrics = n_metrics;
  p->hps = (lm_hparam *)(p + 1);
  p->metric_tags = (char **)(p->hps + n);
  p->metric_groups = p->metric_tags + n_metrics;
  p->metric_labels = p->metric_groups + n_metrics;
  char *s = (char *)(p->metric_labels + 2 * n_metrics);
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
    p->hps[i].display_name = copy_opt(&s, hps[i].display_name);
    p->hps[i].description = copy_opt(&s, hps[i].description);
  }
  for (size_t i = 0; i < n_metrics; i++) {
    size_t l = strlen(metrics[i].tag) + 1;
    p->metric_tags[i] = memcpy(s, metrics[i].tag, l);
    s += l;
    const char *g = metric_group(&metrics[i]);
    p->metric_groups[i] = NULL;
    if (g) {
      l = strlen(g) + 1;
      p->metric_groups[i] = memcpy(s, g, l);
      s += l;
    }
    p->metric_labels[2 * i] = copy_opt(&s, metrics[i].display_name);
    p->metric_labels[2 * i + 1] = copy_opt(&s, metrics[i].description);
  }
  return lm_queue_payload(w, LM_REC_HPARAMS, NULL, 0, 0, lm_writer_now(w), p);
}

int lm_writer_set_hparam_columns(lm_writer *w, const char *const *names,
                                 size_t n) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  if (n && !names)
    return lm_fail(w, LM_ERR_INVALID_ARG, "names is NULL with a non-zero count");
  size_t bytes = sizeof(lm_hparams_payload) + n * sizeof(char *);
  char what[64];
  int rc;
  for (size_t i = 0; i < n; i++) {
    snprintf(what, sizeof what, "hparam column %zu", i);
    if ((rc = lm_check_name(w, what, names[i])))
      return rc;
    bytes += strlen(names[i]) + 1;
  }
  lm_hparams_payload *p = calloc(1, bytes);
  if (!p)
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for hparam columns");
  p->hdr.bytes = bytes;
  p->set_columns = true;
  p->n_columns = n;
  p->columns = (char **)(p + 1);
  char *s = (char *)(p->columns + n);
  for (size_t i = 0; i < n; i++)
    p->columns[i] = copy_opt(&s, names[i]);
  return lm_queue_payload(w, LM_REC_HPARAMS, NULL, 0, 0, lm_writer_now(w), p);
}

int lm_writer_add_hparams(lm_writer *w, const lm_hparam *hps, size_t n,
                          const char *const *metric_tags, size_t n_metrics) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  if ((n && !hps) || (n_metrics && !metric_tags))
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "hps or metric_tags is NULL with a non-zero count");
  lm_hparam_metric *m = NULL;
  if (n_metrics && !(m = calloc(n_metrics, sizeof *m)))
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for hparams");
  for (size_t i = 0; i < n_metrics; i++)
    m[i].tag = metric_tags[i];
  int rc = lm_writer_add_hparams_ex(w, hps, n, m, n_metrics);
  free(m);
  return rc;
}
