/* train-log.c: parameter/gradient histograms, sample image grids, per-class
 * PR curves and the model printout, from engine objects into lumen-log
 * records.
 *
 * Each function copies what it needs to the host and hands lumen-log plain
 * floats, bytes and strings; lumen-log queues them for its writer thread, so
 * the cost paid by the training loop is the copy and (for images) the PNG
 * encoding, both small next to an epoch.
 *
 * Not here: the graph (train-log-graph.c), scalars (plain lm_writer calls).
 */
#define _GNU_SOURCE
#include "lm-train-log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lm_train_log_histograms(lm_writer *w, int64_t step, const lm_module *model,
                            bool parameters, bool gradients)
{
  lm_named_tensor *params = NULL;
  size_t n = lm_module_named_parameters(model, &params);
  int first_rc = LM_OK;
  float *buf = NULL;
  size_t cap = 0;
  char tag[512];
  for (size_t i = 0; i < n; i++) {
    for (int kind = 0; kind < 2; kind++) {
      const lm_tensor *t = kind == 0 ? params[i].tensor : params[i].tensor->grad;
      if (!t || (kind == 0 && !parameters) || (kind == 1 && !gradients))
        continue;
      size_t numel = (size_t)lm_numel(t);
      if (numel > cap) {
        float *nb = realloc(buf, numel * sizeof *nb);
        if (!nb) {
          first_rc = first_rc ? first_rc : LM_ERR_NOMEM;
          continue;
        }
        buf = nb;
        cap = numel;
      }
      lm_tensor_copy_to_host(t, buf);
      snprintf(tag, sizeof tag, "%s/%s", kind == 0 ? "parameters" : "gradients", params[i].name);
      int rc = lm_writer_add_histogram(w, tag, step, buf, numel);
      if (rc && !first_rc)
        first_rc = rc;
    }
  }
  free(buf);
  free(params);
  return first_rc;
}

void lm_train_cell_label(char *buf, size_t len, int64_t pred, int64_t truth,
                         const char *const *class_names, int num_class_names)
{
  char p[64], t[64];
  if (class_names && pred >= 0 && pred < num_class_names)
    snprintf(p, sizeof p, "%s", class_names[pred]);
  else
    snprintf(p, sizeof p, "%lld", (long long)pred);
  if (class_names && truth >= 0 && truth < num_class_names)
    snprintf(t, sizeof t, "%s", class_names[truth]);
  else
    snprintf(t, sizeof t, "%lld", (long long)truth);
  if (pred < 0)
    snprintf(buf, len, "true %s", t);
  else
    snprintf(buf, len, "pred %s / true %s", p, t);
}

int lm_train_log_image_grid(lm_writer *w, const char *tag, int64_t step, const lm_dataset *ds,
                            const int64_t *indices, int n, const int64_t *pred,
                            const char *const *class_names, int num_class_names)
{
  if (n <= 0)
    return LM_ERR_INVALID_ARG;
  int c = lm_dataset_channels(ds), h = lm_dataset_height(ds), wd = lm_dataset_width(ds);
  if (c != 1 && c != 3)
    return LM_ERR_INVALID_ARG;
  size_t per = (size_t)c * (size_t)h * (size_t)wd;
  uint8_t *px = malloc(per * (size_t)n);
  char **labels = calloc((size_t)n, sizeof *labels);
  if (!px || !labels) {
    free(px);
    free(labels);
    return LM_ERR_NOMEM;
  }
  int rc = LM_OK;
  for (int i = 0; i < n; i++) {
    const uint8_t *src = lm_dataset_image(ds, indices[i]);
    uint8_t *dst = px + per * (size_t)i;
    if (c == 1) {
      memcpy(dst, src, per);
    } else { /* CHW -> HWC */
      for (int y = 0; y < h; y++)
        for (int x = 0; x < wd; x++)
          for (int k = 0; k < c; k++)
            dst[((size_t)y * wd + x) * c + k] = src[((size_t)k * h + y) * wd + x];
    }
    labels[i] = malloc(160);
    if (!labels[i]) {
      rc = LM_ERR_NOMEM;
      break;
    }
    lm_train_cell_label(labels[i], 160, pred ? pred[i] : -1, lm_dataset_label(ds, indices[i]),
                        class_names, num_class_names);
  }
  if (rc == LM_OK)
    rc = lm_writer_add_images_grid(w, tag, step, px, n, wd, h, c, 8, 2, 0,
                                   (const char *const *)labels);
  for (int i = 0; i < n; i++)
    free(labels[i]);
  free(labels);
  free(px);
  return rc;
}

int lm_train_log_embedding(lm_writer *w, const char *tag, int64_t step, const lm_dataset *ds,
                           const int64_t *indices, int n, const char *const *class_names,
                           int num_class_names)
{
  if (n <= 0)
    return LM_ERR_INVALID_ARG;
  int c = lm_dataset_channels(ds), h = lm_dataset_height(ds), wd = lm_dataset_width(ds);
  size_t per = (size_t)c * (size_t)h * (size_t)wd;
  float *px = malloc(per * (size_t)n * sizeof *px);
  /* two columns a point: its class name and its index in the data set */
  char **meta = calloc((size_t)n * 2, sizeof *meta);
  int rc = px && meta ? LM_OK : LM_ERR_NOMEM;
  for (int i = 0; rc == LM_OK && i < n; i++) {
    const uint8_t *src = lm_dataset_image(ds, indices[i]); /* CHW bytes */
    for (size_t k = 0; k < per; k++)
      px[per * (size_t)i + k] = (float)src[k] / 255.0f;
    int64_t y = lm_dataset_label(ds, indices[i]);
    char *label = meta[2 * i] = malloc(64), *index = meta[2 * i + 1] = malloc(24);
    if (!label || !index)
      rc = LM_ERR_NOMEM;
    else if (class_names && y >= 0 && y < num_class_names)
      snprintf(label, 64, "%s", class_names[y]);
    else
      snprintf(label, 64, "%lld", (long long)y);
    if (index)
      snprintf(index, 24, "%lld", (long long)indices[i]);
  }
  /* the pixels are both the features (n x c*h*w) and the thumbnails */
  static const char *const header[2] = {"label", "index"};
  if (rc == LM_OK)
    rc = lm_writer_add_embedding_columns(w, tag, step, px, (size_t)n, per, header, 2,
                                         (const char *const *)meta, px, c, h, wd);
  for (int i = 0; meta && i < 2 * n; i++)
    free(meta[i]);
  free(meta);
  free(px);
  return rc;
}

int lm_train_log_model_text(lm_writer *w, const char *tag, int64_t step, const lm_module *model)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f)
    return LM_ERR_NOMEM;
  fputs("```\n", f);
  lm_module_print(model, f);
  fprintf(f, "```\n\n%lld parameters\n", (long long)lm_module_num_parameters(model));
  fclose(f);
  int rc = lm_writer_add_text(w, tag, step, text);
  free(text);
  return rc;
}

int lm_train_log_pr_curves(lm_writer *w, int64_t step, const lm_tensor *logits, const lm_dataset *ds,
                           const char *const *class_names, int num_class_names)
{
  if (!logits || logits->ndim != 2 || logits->shape[0] != lm_dataset_len(ds) || logits->shape[0] < 1)
    return LM_ERR_INVALID_ARG;
  int64_t n = logits->shape[0], c = logits->shape[1];
  const float *z = lm_data_f32(logits);
  float *probs = malloc((size_t)(n * c) * sizeof *probs);
  uint8_t *labels = malloc((size_t)n);
  float *column = malloc((size_t)n * sizeof *column);
  int first_rc = LM_OK;
  if (!probs || !labels || !column) {
    free(probs);
    free(labels);
    free(column);
    return LM_ERR_NOMEM;
  }
  /* softmax per row, max subtracted first, as torch.softmax */
  for (int64_t i = 0; i < n; i++) {
    const float *row = z + i * c;
    float *p = probs + i * c;
    float mx = row[0];
    for (int64_t k = 1; k < c; k++)
      mx = row[k] > mx ? row[k] : mx;
    double sum = 0;
    for (int64_t k = 0; k < c; k++)
      sum += p[k] = expf(row[k] - mx);
    for (int64_t k = 0; k < c; k++) {
      p[k] = (float)(p[k] / sum);
      /* a NaN logit (a diverged model) leaves the curve at 0 rather than
       * refusing it */
      if (!(p[k] >= 0.0f))
        p[k] = 0.0f;
      else if (p[k] > 1.0f)
        p[k] = 1.0f;
    }
  }
  char tag[256];
  for (int64_t k = 0; k < c; k++) {
    for (int64_t i = 0; i < n; i++) {
      labels[i] = lm_dataset_label(ds, i) == k;
      column[i] = probs[i * c + k];
    }
    if (class_names && k < num_class_names)
      snprintf(tag, sizeof tag, "pr/%s", class_names[k]);
    else
      snprintf(tag, sizeof tag, "pr/%lld", (long long)k);
    int rc = lm_writer_add_pr_curve(w, tag, step, labels, column, (size_t)n, 0, NULL);
    if (rc && !first_rc)
      first_rc = rc;
  }
  free(probs);
  free(labels);
  free(column);
  return first_rc;
}
