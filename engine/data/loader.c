/* loader.c: the data loader: batches of normalised image tensors and labels.
 *
 * Like torch.utils.data.DataLoader over an MNIST-style data set with the
 * ToTensor (+ Normalize) transform: pixels become float32 in [0, 1], then
 * optionally (x - mean) / std. Shuffling draws a fresh permutation per epoch
 * from (seed, epoch) alone, so epoch 3 of a resumed run visits the examples
 * in exactly the order epoch 3 of an uninterrupted run did, and lm_loader_seek
 * can jump to the middle of an epoch.
 *
 * Not here: reading files (idx.c, dataset.c), moving batches to a device.
 */
#include "lumen-train.h"
#include "train/lm-train-private.h"

#include <stdlib.h>
#include <string.h>

struct lm_loader {
  lm_dataset *ds;
  lm_loader_options opt;
  int64_t n;          /* examples in the data set */
  int64_t *order;     /* permutation of 0..n-1 for the current epoch */
  int64_t *batch_idx; /* indices of the batch handed out last */
  int64_t next;       /* next batch number */
  int64_t epoch;
  float lut[256];     /* byte -> normalised float */
};

void lm_loader_options_init(lm_loader_options *opts)
{
  memset(opts, 0, sizeof *opts);
  opts->batch_size = 64;
}

lm_loader *lm_loader_new(lm_dataset *ds, const lm_loader_options *opts)
{
  if (!ds)
    return NULL;
  lm_loader *l = calloc(1, sizeof *l);
  if (!l)
    return NULL;
  if (opts)
    l->opt = *opts;
  else
    lm_loader_options_init(&l->opt);
  if (l->opt.batch_size <= 0)
    l->opt.batch_size = 64;
  l->ds = lm_dataset_retain(ds);
  l->n = lm_dataset_len(ds);
  l->order = malloc((size_t)(l->n ? l->n : 1) * sizeof *l->order);
  l->batch_idx = malloc((size_t)l->opt.batch_size * sizeof *l->batch_idx);
  if (!l->order || !l->batch_idx) {
    lm_loader_free(l);
    return NULL;
  }
  /* A lookup table makes normalisation one load per pixel and guarantees
   * the same float for the same byte whatever the batch. */
  for (int v = 0; v < 256; v++) {
    float x = (float)v / 255.0f;
    if (l->opt.std > 0)
      x = (x - l->opt.mean) / l->opt.std;
    l->lut[v] = x;
  }
  lm_loader_start_epoch(l, 0);
  return l;
}

void lm_loader_free(lm_loader *l)
{
  if (!l)
    return;
  lm_dataset_release(l->ds);
  free(l->order);
  free(l->batch_idx);
  free(l);
}

int64_t lm_loader_num_batches(const lm_loader *l)
{
  int64_t b = l->opt.batch_size;
  return l->opt.drop_last ? l->n / b : (l->n + b - 1) / b;
}

int64_t lm_loader_num_examples(const lm_loader *l)
{
  return l->opt.drop_last ? (l->n / l->opt.batch_size) * l->opt.batch_size : l->n;
}

void lm_loader_start_epoch(lm_loader *l, int64_t epoch)
{
  l->epoch = epoch;
  l->next = 0;
  for (int64_t i = 0; i < l->n; i++)
    l->order[i] = i;
  if (!l->opt.shuffle || l->n < 2)
    return;
  /* Fisher-Yates from a stream keyed by (seed, epoch) */
  uint64_t s = l->opt.seed * 0x2545f4914f6cdd1dull + (uint64_t)epoch;
  uint64_t state = lm_splitmix64(&s);
  for (int64_t i = l->n - 1; i > 0; i--) {
    int64_t j = (int64_t)lm_rand_below(&state, (uint64_t)i + 1);
    int64_t t = l->order[i];
    l->order[i] = l->order[j];
    l->order[j] = t;
  }
}

void lm_loader_seek(lm_loader *l, int64_t batch_index)
{
  if (batch_index < 0)
    batch_index = 0;
  l->next = batch_index;
}

void lm_loader_get(lm_loader *l, const int64_t *indices, int64_t n, lm_batch *batch)
{
  const lm_dataset *ds = l->ds;
  int c = lm_dataset_channels(ds), h = lm_dataset_height(ds), w = lm_dataset_width(ds);
  int64_t per = (int64_t)c * h * w;
  lm_tensor *x = l->opt.flatten ? lm_empty(LM_SHAPE(n, per)) : lm_empty(LM_SHAPE(n, c, h, w));
  float *xd = lm_data_f32(x);
  int64_t *labels = malloc((size_t)(n ? n : 1) * sizeof *labels);
  for (int64_t b = 0; b < n; b++) {
    const uint8_t *px = lm_dataset_image(ds, indices[b]);
    float *dst = xd + b * per;
    for (int64_t k = 0; k < per; k++)
      dst[k] = l->lut[px[k]];
    labels[b] = lm_dataset_label(ds, indices[b]);
  }
  lm_tensor *y = lm_tensor_from_int64(labels, 1, (int64_t[]){ n });
  free(labels);
  *batch = (lm_batch){ .x = x, .y = y, .size = n, .index = -1, .indices = indices };
}

bool lm_loader_next(lm_loader *l, lm_batch *batch)
{
  int64_t bs = l->opt.batch_size;
  int64_t start = l->next * bs;
  if (l->next >= lm_loader_num_batches(l) || start >= l->n) {
    memset(batch, 0, sizeof *batch);
    return false;
  }
  int64_t n = l->n - start < bs ? l->n - start : bs;
  memcpy(l->batch_idx, l->order + start, (size_t)n * sizeof *l->batch_idx);
  lm_loader_get(l, l->batch_idx, n, batch);
  batch->index = l->next++;
  return true;
}
