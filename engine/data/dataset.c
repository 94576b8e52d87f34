/* dataset.c: image classification data sets built from IDX files.
 *
 * A data set is a view (start, count) onto shared, reference-counted pixel
 * and label arrays, so a validation split or a --limit subset costs nothing.
 * Loading checks that the two files agree with each other (same number of
 * examples, images really are images, labels are small non-negative
 * integers) and names the file at fault when they do not.
 *
 * Not here: batching, shuffling, normalisation (loader.c).
 */
#include "lumen-train.h"
#include "train/lm-train-private.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const lm_fashion_mnist_classes[10] = {
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
};

typedef struct {
  int refcount;
  uint8_t *pixels; /* n * c * h * w */
  int64_t *labels; /* n */
  int64_t n;
} ds_storage;

struct lm_dataset {
  int refcount;
  ds_storage *st;
  int64_t start, count;
  int channels, height, width, num_classes;
};

static lm_dataset *ds_new_owned(uint8_t *pixels, int64_t *labels, int64_t n,
                                int c, int h, int w, int num_classes)
{
  ds_storage *st = calloc(1, sizeof *st);
  lm_dataset *ds = calloc(1, sizeof *ds);
  if (!st || !ds) {
    free(st);
    free(ds);
    free(pixels);
    free(labels);
    return NULL;
  }
  *st = (ds_storage){ .refcount = 1, .pixels = pixels, .labels = labels, .n = n };
  *ds = (lm_dataset){ .refcount = 1, .st = st, .start = 0, .count = n, .channels = c,
                      .height = h, .width = w, .num_classes = num_classes };
  return ds;
}

lm_dataset *lm_dataset_from_memory(const uint8_t *pixels, const int64_t *labels, int64_t n,
                                   int channels, int height, int width, int num_classes,
                                   char **error)
{
  if (n < 0 || channels < 1 || height < 1 || width < 1 || num_classes < 1) {
    lm_train_set_error(error,
                       "dataset_from_memory: expected n >= 0 and channels, height, width and "
                       "num_classes >= 1, found n %lld, %dx%dx%d, %d classes",
                       (long long)n, channels, height, width, num_classes);
    return NULL;
  }
  if (n > 0 && (!pixels || !labels)) {
    lm_train_set_error(error, "dataset_from_memory: %s is NULL", pixels ? "labels" : "pixels");
    return NULL;
  }
  for (int64_t i = 0; i < n; i++)
    if (labels[i] < 0 || labels[i] >= num_classes) {
      lm_train_set_error(error, "dataset_from_memory: label %lld of example %lld is outside [0, %d)",
                         (long long)labels[i], (long long)i, num_classes);
      return NULL;
    }
  size_t px = (size_t)n * (size_t)channels * (size_t)height * (size_t)width;
  uint8_t *p = malloc(px ? px : 1);
  int64_t *l = malloc(n ? (size_t)n * sizeof *l : 1);
  if (!p || !l) {
    free(p);
    free(l);
    return NULL;
  }
  if (n > 0) {
    memcpy(p, pixels, px);
    memcpy(l, labels, (size_t)n * sizeof *l);
  }
  return ds_new_owned(p, l, n, channels, height, width, num_classes);
}

lm_dataset *lm_dataset_load_idx(const char *images_path, const char *labels_path, char **error)
{
  lm_idx *img = lm_idx_read(images_path, error);
  if (!img)
    return NULL;
  lm_idx *lab = lm_idx_read(labels_path, error);
  if (!lab) {
    lm_idx_free(img);
    return NULL;
  }
  lm_dataset *ds = NULL;
  if (img->type != LM_IDX_U8) {
    lm_train_set_error(error, "%s: wrong element type for images: expected unsigned byte (0x08), found %s (0x%02X)",
                       images_path, lm_idx_type_name(img->type), img->type);
    goto out;
  }
  if (img->ndim != 3 && img->ndim != 4) {
    lm_train_set_error(error,
                       "%s: wrong dimensions for images: expected 3 (N x rows x cols) or 4 "
                       "(N x channels x rows x cols), found %d%s",
                       images_path, img->ndim, img->ndim == 1 ? " (is this a labels file?)" : "");
    goto out;
  }
  if (lab->ndim != 1) {
    lm_train_set_error(error, "%s: wrong dimensions for labels: expected 1 (N), found %d%s",
                       labels_path, lab->ndim, lab->ndim >= 3 ? " (is this an images file?)" : "");
    goto out;
  }
  if (lab->type == LM_IDX_F32 || lab->type == LM_IDX_F64) {
    lm_train_set_error(error, "%s: wrong element type for labels: expected integers, found %s",
                       labels_path, lm_idx_type_name(lab->type));
    goto out;
  }
  if (img->dims[0] != lab->dims[0]) {
    lm_train_set_error(error, "%s and %s disagree: %lld images but %lld labels",
                       lm_train_basename(images_path), lm_train_basename(labels_path),
                       (long long)img->dims[0], (long long)lab->dims[0]);
    goto out;
  }
  int c = img->ndim == 4 ? (int)img->dims[1] : 1;
  int h = (int)img->dims[img->ndim - 2], w = (int)img->dims[img->ndim - 1];
  if (c < 1 || h < 1 || w < 1 || c > 4) {
    lm_train_set_error(error, "%s: unusable image shape %dx%dx%d (channels x rows x cols)",
                       images_path, c, h, w);
    goto out;
  }
  int64_t n = img->dims[0];
  int64_t *labels = malloc(n ? (size_t)n * sizeof *labels : 1);
  if (!labels) {
    lm_train_set_error(error, "%s: out of memory", labels_path);
    goto out;
  }
  int64_t max_label = -1;
  for (int64_t i = 0; i < n; i++) {
    double v = lm_idx_get(lab, i);
    if (v < 0 || v > 65535) {
      lm_train_set_error(error, "%s: label %lld is %g: expected a class index from 0 to 65535",
                         labels_path, (long long)i, v);
      free(labels);
      goto out;
    }
    labels[i] = (int64_t)v;
    if (labels[i] > max_label)
      max_label = labels[i];
  }
  /* take over the pixel buffer instead of copying 47 MB */
  uint8_t *pixels = img->data;
  img->data = NULL;
  ds = ds_new_owned(pixels, labels, n, c, h, w, (int)(max_label + 1 > 0 ? max_label + 1 : 1));
  if (!ds)
    lm_train_set_error(error, "%s: out of memory", images_path);
out:
  lm_idx_free(img);
  lm_idx_free(lab);
  return ds;
}

static bool file_exists(const char *path)
{
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Finds DIR/<prefix>-<kind>-idxN-ubyte[.gz] (or the "<prefix>-<kind>.idxN-ubyte"
 * spelling of some MNIST mirrors). */
static bool find_file(const char *dir, const char *prefix, const char *kind, int n,
                      char *out, size_t len, char *tried, size_t tried_len)
{
  const char *forms[] = { "%s/%s-%s-idx%d-ubyte.gz", "%s/%s-%s-idx%d-ubyte",
                          "%s/%s-%s.idx%d-ubyte.gz", "%s/%s-%s.idx%d-ubyte" };
  for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
    snprintf(out, len, forms[i], dir, prefix, kind, n);
    if (file_exists(out))
      return true;
  }
  snprintf(tried, tried_len, "%s-%s-idx%d-ubyte.gz or %s-%s-idx%d-ubyte",
           prefix, kind, n, prefix, kind, n);
  return false;
}

lm_dataset *lm_dataset_load_dir(const char *dir, const char *split, char **error)
{
  if (!dir)
    dir = LM_FASHION_MNIST_DIR;
  const char *prefix;
  if (!split || strcmp(split, "train") == 0)
    prefix = "train";
  else if (strcmp(split, "test") == 0 || strcmp(split, "t10k") == 0)
    prefix = "t10k";
  else {
    lm_train_set_error(error, "unknown data set split '%s': expected 'train' or 'test'", split);
    return NULL;
  }
  struct stat sb;
  if (stat(dir, &sb) != 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      lm_train_set_error(error, "%s: no such data directory%s", dir,
                         strcmp(dir, LM_FASHION_MNIST_DIR) == 0
                           ? " (install Debian's dataset-fashion-mnist package)" : "");
    else
      lm_train_set_error(error, "%s: cannot read the data directory: %s", dir, strerror(errno));
    return NULL;
  }
  if (!S_ISDIR(sb.st_mode)) {
    lm_train_set_error(error, "%s is %s: a data set is the folder that holds "
                       "%s-images-idx3-ubyte[.gz] and %s-labels-idx1-ubyte[.gz]",
                       dir, S_ISREG(sb.st_mode) ? "a file, not a directory" : "not a directory", prefix, prefix);
    return NULL;
  }
  char images[PATH_MAX], labels[PATH_MAX], tried[256];
  if (!find_file(dir, prefix, "images", 3, images, sizeof images, tried, sizeof tried) ||
      !find_file(dir, prefix, "labels", 1, labels, sizeof labels, tried, sizeof tried)) {
    lm_train_set_error(error, "%s: no %s set found: expected %s", dir,
                       strcmp(prefix, "t10k") == 0 ? "test" : "training", tried);
    return NULL;
  }
  return lm_dataset_load_idx(images, labels, error);
}

lm_dataset *lm_dataset_retain(lm_dataset *ds)
{
  if (ds)
    ds->refcount++;
  return ds;
}

void lm_dataset_release(lm_dataset *ds)
{
  if (!ds || --ds->refcount > 0)
    return;
  if (--ds->st->refcount == 0) {
    free(ds->st->pixels);
    free(ds->st->labels);
    free(ds->st);
  }
  free(ds);
}

lm_dataset *lm_dataset_slice(const lm_dataset *ds, int64_t start, int64_t count)
{
  if (!ds || start < 0 || count < 0 || start > ds->count)
    return NULL;
  if (count > ds->count - start)
    count = ds->count - start;
  lm_dataset *v = malloc(sizeof *v);
  if (!v)
    return NULL;
  *v = *ds;
  v->refcount = 1;
  v->start = ds->start + start;
  v->count = count;
  v->st->refcount++;
  return v;
}

void lm_dataset_split(const lm_dataset *ds, double val_fraction, lm_dataset **train, lm_dataset **val)
{
  if (!ds || !(val_fraction >= 0 && val_fraction < 1)) {
    *train = *val = NULL;
    return;
  }
  int64_t nval = (int64_t)(ds->count * val_fraction); /* Keras rounds down too */
  *train = lm_dataset_slice(ds, 0, ds->count - nval);
  *val = nval > 0 ? lm_dataset_slice(ds, ds->count - nval, nval) : NULL;
}

int64_t lm_dataset_len(const lm_dataset *ds) { return ds ? ds->count : 0; }
int lm_dataset_channels(const lm_dataset *ds) { return ds ? ds->channels : 0; }
int lm_dataset_height(const lm_dataset *ds) { return ds ? ds->height : 0; }
int lm_dataset_width(const lm_dataset *ds) { return ds ? ds->width : 0; }
int lm_dataset_num_classes(const lm_dataset *ds) { return ds ? ds->num_classes : 0; }

const uint8_t *lm_dataset_image(const lm_dataset *ds, int64_t i)
{
  if (!ds || i < 0 || i >= ds->count)
    return NULL;
  size_t sz = (size_t)ds->channels * (size_t)ds->height * (size_t)ds->width;
  return ds->st->pixels + (size_t)(ds->start + i) * sz;
}

int64_t lm_dataset_label(const lm_dataset *ds, int64_t i)
{
  if (!ds || i < 0 || i >= ds->count)
    return -1;
  return ds->st->labels[ds->start + i];
}
