/* loader.c: the data loader: batches of normalised image tensors and labels.
 *
 * Like torch.utils.data.DataLoader over an MNIST-style data set with the
 * ToTensor (+ Normalize) transform: pixels become float32 in [0, 1], then
 * optionally (x - mean) / std. Shuffling draws a fresh permutation per epoch
 * from (seed, epoch) alone, so epoch 3 of a resumed run visits the examples
 * in exactly the order epoch 3 of an uninterrupted run did, and lm_loader_seek
 * can jump to the middle of an epoch.
 *
 * With a GPU device in the options, the whole normalised data set is copied
 * to the GPU once, in lm_loader_new, and each batch is gathered there by the
 * backend (gather_rows): a training step then moves only its B indices.
 *
 * Not here: reading files (idx.c, dataset.c).
 */
#include "lumen-train.h"
#include "lm-engine-private.h"
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
  lm_tensor *dev_x;   /* (n, C*H*W) normalised, on opt.device, or NULL (CPU batches) */
  lm_tensor *dev_y;   /* (n) int64 labels, on opt.device */
  lm_tensor *dev_order;  /* order on opt.device (one copy per epoch, not one per batch) */
  bool dev_order_fresh;  /* dev_order holds this epoch's order */
};

void lm_loader_options_init(lm_loader_options *opts)
{
  memset(opts, 0, sizeof *opts);
  opts->batch_size = 64;
}

/* One copy of the normalised data set on opt.device (owned by the loader). */
static lm_tensor *owned_on_device(lm_tensor *host, lm_device dev)
{
  lm_scope_begin();
  lm_tensor *t = lm_scope_keep(lm_to(host, dev));
  lm_scope_end();
  lm_tensor_release(host);
  return t;
}

static bool upload(lm_loader *l)
{
  const lm_dataset *ds = l->ds;
  const int64_t per = (int64_t)lm_dataset_channels(ds) * lm_dataset_height(ds) *
                      lm_dataset_width(ds);
  lm_tensor *hx = lm_tensor_new_unscoped(2, (int64_t[]){ l->n, per }, LM_FLOAT32, LM_CPU);
  lm_tensor *hy = lm_tensor_new_unscoped(1, (int64_t[]){ l->n }, LM_INT64, LM_CPU);
  if (!hx || !hy) {
    lm_tensor_release(hx);
    lm_tensor_release(hy);
    return false;
  }
  float *xd = lm_data_f32(hx);
  int64_t *yd = lm_data_i64(hy);
  for (int64_t i = 0; i < l->n; i++) {
    const uint8_t *px = lm_dataset_image(ds, i);
    for (int64_t k = 0; k < per; k++)
      xd[i * per + k] = l->lut[px[k]];
    yd[i] = lm_dataset_label(ds, i);
  }
  l->dev_x = owned_on_device(hx, l->opt.device);
  l->dev_y = owned_on_device(hy, l->opt.device);
  return l->dev_x && l->dev_y;
}

/* A batch gathered on the device from the resident data set; dev_indices
 * are the same n indices on the device, or NULL (then copied there). */
static void get_on_device(lm_loader *l, const int64_t *indices, const int64_t *dev_indices,
                          int64_t n, lm_batch *batch)
{
  const lm_dataset *ds = l->ds;
  int c = lm_dataset_channels(ds), h = lm_dataset_height(ds), w = lm_dataset_width(ds);
  const int64_t per = (int64_t)c * h * w;
  const lm_device dev = l->opt.device;
  const lm_backend *be = lm_backend_of(dev);
  lm_tensor *idx =
    be && !dev_indices ? lm_tensor_new_unscoped(1, (int64_t[]){ n }, LM_INT64, dev) : NULL;
  lm_tensor *x = NULL, *y = NULL;
  if (idx || (be && dev_indices)) {
    x = l->opt.flatten ? lm_tensor_new_out(2, (int64_t[]){ n, per }, LM_FLOAT32, dev)
                       : lm_tensor_new_out(4, (int64_t[]){ n, c, h, w }, LM_FLOAT32, dev);
    y = x ? lm_tensor_new_out(1, (int64_t[]){ n }, LM_INT64, dev) : NULL;
  }
  if (!y) { /* out of memory (reported): an empty batch ends the epoch early */
    if (!lm_scope_active())
      lm_tensor_release(x);
    lm_tensor_release(idx);
    *batch = (lm_batch){ .index = -1, .indices = indices };
    return;
  }
  if (!dev_indices) {
    be->copy_from_host(dev.index, lm_data_ptr(idx), indices, (size_t)n * sizeof(int64_t));
    dev_indices = lm_data_i64(idx);
  }
  be->gather_rows(n, (size_t)per * sizeof(float), dev_indices, lm_data_ptr(l->dev_x),
                  lm_data_ptr(x));
  be->gather_rows(n, sizeof(int64_t), dev_indices, lm_data_ptr(l->dev_y), lm_data_ptr(y));
  lm_tensor_release(idx); /* back to the device's cache, after the gathers in stream order */
  *batch = (lm_batch){ .x = x, .y = y, .size = n, .index = -1, .indices = indices };
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
  if (l->opt.device.type != LM_DEVICE_CPU && l->n > 0 && !upload(l)) {
    lm_loader_free(l);
    return NULL;
  }
  lm_loader_start_epoch(l, 0);
  return l;
}

void lm_loader_free(lm_loader *l)
{
  if (!l)
    return;
  lm_dataset_release(l->ds);
  lm_tensor_release(l->dev_x);
  lm_tensor_release(l->dev_y);
  lm_tensor_release(l->dev_order);
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

static const int64_t *epoch_order_on_device(lm_loader *l);

void lm_loader_start_epoch(lm_loader *l, int64_t epoch)
{
  l->epoch = epoch;
  l->next = 0;
  l->dev_order_fresh = false;
  for (int64_t i = 0; i < l->n; i++)
    l->order[i] = i;
  if (!l->opt.shuffle || l->n < 2) {
    if (l->dev_x)
      (void)epoch_order_on_device(l);
    return;
  }
  /* Fisher-Yates from a stream keyed by (seed, epoch) */
  uint64_t s = l->opt.seed * 0x2545f4914f6cdd1dull + (uint64_t)epoch;
  uint64_t state = lm_splitmix64(&s);
  for (int64_t i = l->n - 1; i > 0; i--) {
    int64_t j = (int64_t)lm_rand_below(&state, (uint64_t)i + 1);
    int64_t t = l->order[i];
    l->order[i] = l->order[j];
    l->order[j] = t;
  }
  if (l->dev_x) /* the epoch's one copy to the device, before its first step */
    (void)epoch_order_on_device(l);
}

void lm_loader_seek(lm_loader *l, int64_t batch_index)
{
  if (batch_index < 0)
    batch_index = 0;
  l->next = batch_index;
}

static void fill_batch(lm_loader *l, const int64_t *indices, int64_t n, lm_batch *batch);

bool lm_loader_get(lm_loader *l, const int64_t *indices, int64_t n, lm_batch *batch, char **error)
{
  memset(batch, 0, sizeof *batch);
  batch->index = -1;
  if (!l || n < 0 || (n > 0 && !indices)) {
    lm_train_set_error(error, "loader_get: expected a loader and %s", n < 0 ? "n >= 0" : "n indices");
    return false;
  }
  for (int64_t b = 0; b < n; b++)
    if (indices[b] < 0 || indices[b] >= l->n) {
      lm_train_set_error(error, "loader_get: index %lld is out of range for a data set of %lld examples",
                         (long long)indices[b], (long long)l->n);
      return false;
    }
  fill_batch(l, indices, n, batch);
  return batch->x != NULL;
}

static void fill_batch(lm_loader *l, const int64_t *indices, int64_t n, lm_batch *batch)
{
  if (l->dev_x) {
    get_on_device(l, indices, NULL, n, batch);
    return;
  }
  const lm_dataset *ds = l->ds;
  int c = lm_dataset_channels(ds), h = lm_dataset_height(ds), w = lm_dataset_width(ds);
  int64_t per = (int64_t)c * h * w;
  lm_tensor *x = l->opt.flatten ? lm_empty(LM_SHAPE(n, per)) : lm_empty(LM_SHAPE(n, c, h, w));
  int64_t *labels = malloc((size_t)(n ? n : 1) * sizeof *labels);
  if (!x || !labels) { /* out of memory: an empty batch ends the epoch early */
    free(labels);
    *batch = (lm_batch){ .index = -1, .indices = indices };
    return;
  }
  float *xd = lm_data_f32(x);
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

/* This epoch's order on the device, copied there at its first batch (one
 * copy and one wait per epoch instead of one per batch); NULL when that
 * fails (out of memory: batches then copy their own indices). */
static const int64_t *epoch_order_on_device(lm_loader *l)
{
  const lm_backend *be = lm_backend_of(l->opt.device);
  if (!be)
    return NULL;
  if (!l->dev_order)
    l->dev_order = lm_tensor_new_unscoped(1, (int64_t[]){ l->n }, LM_INT64, l->opt.device);
  if (!l->dev_order)
    return NULL;
  if (!l->dev_order_fresh) {
    be->copy_from_host(l->opt.device.index, lm_data_ptr(l->dev_order), l->order,
                       (size_t)l->n * sizeof *l->order);
    l->dev_order_fresh = true;
  }
  return lm_data_i64(l->dev_order);
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
  const int64_t *dev_order = l->dev_x ? epoch_order_on_device(l) : NULL;
  if (dev_order) /* the batch's indices are a slice of the epoch's order there */
    get_on_device(l, l->batch_idx, dev_order + start, n, batch);
  else
    fill_batch(l, l->batch_idx, n, batch);
  batch->index = l->next++;
  return true;
}
