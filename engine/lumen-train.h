/* lumen-train.h: data sets, data loading, checkpoints and training helpers.
 *
 * The training half of Lumen's engine, on top of lumen-engine.h (tensors,
 * autograd) and lumen-nn.h (modules, optimizers):
 *   - IDX files (the MNIST / Fashion-MNIST format), gzipped or plain;
 *   - image classification data sets and a data loader (batches, seeded
 *     shuffling, drop_last, normalisation, validation split);
 *   - safetensors files and checkpoints of parameters + optimizer state;
 *   - the tutorial models (the MLP and the CNN) and a Keras-style
 *     fit / evaluate / predict.
 * It knows nothing of SQLite, GLib or GTK: logging a run is the job of the
 * lumen-log library and of the small glue in app/train/.
 *
 * Errors: functions that read files or can fail on user input take an
 * optional `char **error`. On failure they return NULL/false and, when error
 * is non-NULL, set *error to a malloc'd one-line message naming the file,
 * what was expected and what was found, e.g.
 *   "train-images-idx3-ubyte.gz: truncated: expected 47040016 bytes
 *    (16-byte header + 60000x28x28 unsigned byte values), found 1000016"
 * The caller free()s it. As with GError, *error must be NULL on entry (a
 * message already there is kept, not replaced). Nothing here aborts on bad
 * input.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lumen-engine.h"
#include "lumen-nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================= */
/* IDX files                                                               */
/* ======================================================================= */

/* IDX element types (the third magic byte). */
typedef enum {
  LM_IDX_U8 = 0x08,
  LM_IDX_I8 = 0x09,
  LM_IDX_I16 = 0x0B,
  LM_IDX_I32 = 0x0C,
  LM_IDX_F32 = 0x0D,
  LM_IDX_F64 = 0x0E,
} lm_idx_type;

#define LM_IDX_MAX_DIMS 8

typedef struct {
  lm_idx_type type;
  int ndim;
  int64_t dims[LM_IDX_MAX_DIMS];
  int64_t numel;
  size_t elem_size;
  void *data; /* numel elements, converted to host byte order */
} lm_idx;

/* Reads an IDX file, gzip-compressed or plain (detected from the content,
 * not the name). Validates the magic number, the dimensions and the length:
 * a short file is "truncated", a long one has "trailing data". */
lm_idx *lm_idx_read(const char *path, char **error);
/* Same, also checking the element type and the number of dimensions
 * (ndim < 0: any). */
lm_idx *lm_idx_read_expect(const char *path, lm_idx_type type, int ndim, char **error);
/* Same as lm_idx_read, on bytes already in memory (gzip or plain); `name`
 * is used in messages. */
lm_idx *lm_idx_parse(const void *bytes, size_t len, const char *name, char **error);
void lm_idx_free(lm_idx *idx);
/* Element i as a double, whatever the type. */
double lm_idx_get(const lm_idx *idx, int64_t i);
/* "unsigned byte", "float32", ... */
const char *lm_idx_type_name(lm_idx_type type);

/* Writes an IDX file (gzip-compressed when gzip is true). For tests,
 * fixtures and users converting their own data. */
bool lm_idx_write(const char *path, lm_idx_type type, int ndim, const int64_t *dims,
                  const void *data, bool gzip, char **error);

/* ======================================================================= */
/* Data sets                                                               */
/* ======================================================================= */

/* An image classification data set: n images of channels x height x width
 * bytes (0..255) with an integer class label each. Views made by
 * lm_dataset_slice() share the pixels (reference counted). */
typedef struct lm_dataset lm_dataset;

/* Debian's dataset-fashion-mnist package puts the four files here. */
#define LM_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

/* The split of an IDX data set directory: "train" reads
 * train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz], "test" reads
 * t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] (the
 * "train-images.idx3-ubyte" spelling is accepted too). Works for MNIST,
 * Fashion-MNIST, KMNIST and any data set laid out the same way. */
lm_dataset *lm_dataset_load_dir(const char *dir, const char *split, char **error);
/* From two files: images (N x H x W, or N x C x H x W) and labels (N). */
lm_dataset *lm_dataset_load_idx(const char *images_path, const char *labels_path, char **error);
/* From memory (copied): n * c * h * w bytes and n labels in [0, num_classes)
 * (a label outside that range is refused, naming its index). */
lm_dataset *lm_dataset_from_memory(const uint8_t *pixels, const int64_t *labels, int64_t n,
                                   int channels, int height, int width, int num_classes,
                                   char **error);

lm_dataset *lm_dataset_retain(lm_dataset *ds);
void lm_dataset_release(lm_dataset *ds);

/* A view of examples [start, start + count). */
lm_dataset *lm_dataset_slice(const lm_dataset *ds, int64_t start, int64_t count);
/* Keras' validation_split: the LAST fraction of the examples (before any
 * shuffling) becomes *val, the rest *train. Both are views (release them).
 * fraction in [0, 1); when it leaves no validation example *val is NULL.
 * A fraction outside [0, 1) (or NaN) sets both to NULL. */
void lm_dataset_split(const lm_dataset *ds, double val_fraction,
                      lm_dataset **train, lm_dataset **val);

int64_t lm_dataset_len(const lm_dataset *ds);
int lm_dataset_channels(const lm_dataset *ds);
int lm_dataset_height(const lm_dataset *ds);
int lm_dataset_width(const lm_dataset *ds);
int lm_dataset_num_classes(const lm_dataset *ds);
/* Example i's c*h*w bytes and label; NULL and -1 when i is outside
 * [0, lm_dataset_len) (the getters above give 0 for a NULL data set). */
const uint8_t *lm_dataset_image(const lm_dataset *ds, int64_t i);
int64_t lm_dataset_label(const lm_dataset *ds, int64_t i);

/* Class names of Fashion-MNIST (10) and of digit data sets ("0".."9"). */
extern const char *const lm_fashion_mnist_classes[10];

/* ======================================================================= */
/* Data loader                                                             */
/* ======================================================================= */

typedef struct {
  int64_t batch_size; /* 0 -> 64 */
  bool shuffle;       /* reshuffle each epoch, from (seed, epoch) */
  uint64_t seed;
  bool drop_last;     /* drop the last incomplete batch */
  bool flatten;       /* x is (B, C*H*W) instead of (B, C, H, W) */
  /* Pixels are scaled to [0, 1] (ToTensor); then, when std > 0, the
   * Normalize((mean,), (std,)) transform: x = (x - mean) / std. */
  float mean, std;
  /* Where batches are made (zero-initialised: the CPU). A GPU device keeps the
   * whole normalised data set there, copied once by lm_loader_new, and each
   * batch is gathered on the GPU: no per-step host-to-device copy of images. */
  lm_device device;
} lm_loader_options;

/* Defaults: batch 64, no shuffle, keep the last batch, no mean/std. */
void lm_loader_options_init(lm_loader_options *opts);

typedef struct lm_loader lm_loader;

typedef struct {
  lm_tensor *x;           /* float32 (B, C, H, W) or (B, C*H*W) */
  lm_tensor *y;           /* int64 (B) */
  int64_t size;           /* B */
  int64_t index;          /* batch number within the epoch, from 0 */
  const int64_t *indices; /* the B example indices (into the data set) */
} lm_batch;

lm_loader *lm_loader_new(lm_dataset *ds, const lm_loader_options *opts);
void lm_loader_free(lm_loader *l);
int64_t lm_loader_num_batches(const lm_loader *l);
int64_t lm_loader_num_examples(const lm_loader *l); /* per epoch, after drop_last */
/* Starts epoch `epoch` (from 0): the order is a function of (seed, epoch)
 * only, so a resumed run sees the same batches (like
 * DistributedSampler.set_epoch). Then lm_loader_seek skips ahead. */
void lm_loader_start_epoch(lm_loader *l, int64_t epoch);
void lm_loader_seek(lm_loader *l, int64_t batch_index);
/* Fills *batch with the next batch and returns true, or returns false at the
 * end of the epoch. The tensors are new references (owned by the current
 * scope when one is open, else by the caller). */
bool lm_loader_next(lm_loader *l, lm_batch *batch);
/* One batch of the given example indices (for previews and predict), like
 * indexing a torch Dataset: an index outside [0, number of examples) is
 * refused (false, *batch empty, the message names the index), as Python's
 * IndexError would be. */
bool lm_loader_get(lm_loader *l, const int64_t *indices, int64_t n, lm_batch *batch, char **error);

/* ======================================================================= */
/* safetensors files                                                       */
/* ======================================================================= */

/* The safetensors format (https://github.com/huggingface/safetensors): an
 * 8-byte little-endian header length N, N bytes of JSON
 *   {"__metadata__": {"key": "value", ...},
 *    "0.weight": {"dtype": "F32", "shape": [128, 784], "data_offsets": [0, 401408]}, ...}
 * then the tensors' raw little-endian bytes, packed without holes. This
 * reader and writer work on plain buffers; the checkpoint functions below map
 * them to modules and optimizers. */
typedef enum {
  LM_ST_BOOL, LM_ST_U8, LM_ST_I8, LM_ST_I16, LM_ST_U16, LM_ST_F16, LM_ST_BF16,
  LM_ST_I32, LM_ST_U32, LM_ST_F32, LM_ST_F64, LM_ST_I64, LM_ST_U64,
} lm_st_dtype;

const char *lm_st_dtype_name(lm_st_dtype dtype); /* "F32", ... */
size_t lm_st_dtype_size(lm_st_dtype dtype);

typedef struct {
  const char *name;
  lm_st_dtype dtype;
  int ndim;
  int64_t shape[LM_MAX_DIMS];
  int64_t numel;
  const void *data; /* little-endian bytes inside the file buffer */
  size_t nbytes;
} lm_st_tensor;

typedef struct lm_safetensors lm_safetensors;

/* Reads and validates a whole file: header length, JSON syntax, known
 * dtypes, shapes matching byte ranges, ranges inside the file, no overlaps
 * or holes, nothing after the last tensor. */
lm_safetensors *lm_safetensors_read(const char *path, char **error);
/* Same on a buffer (copied); `name` is used in messages. */
lm_safetensors *lm_safetensors_parse(const void *bytes, size_t len, const char *name, char **error);
void lm_safetensors_free(lm_safetensors *st);
size_t lm_safetensors_count(const lm_safetensors *st);
const lm_st_tensor *lm_safetensors_tensor(const lm_safetensors *st, size_t i); /* file order */
const lm_st_tensor *lm_safetensors_find(const lm_safetensors *st, const char *name);
size_t lm_safetensors_metadata_count(const lm_safetensors *st);
void lm_safetensors_metadata_at(const lm_safetensors *st, size_t i,
                                const char **key, const char **value);
const char *lm_safetensors_metadata(const lm_safetensors *st, const char *key); /* NULL if absent */

/* Writer: collects tensors (the data is copied) and metadata, then saves.
 * Saving writes PATH.tmp and renames it, so a crash never leaves half a file
 * under the real name. */
typedef struct lm_st_writer lm_st_writer;
lm_st_writer *lm_st_writer_new(void);
void lm_st_writer_free(lm_st_writer *w);
/* data: numel host-order elements. Returns false on a duplicate or invalid name. */
bool lm_st_writer_add(lm_st_writer *w, const char *name, lm_st_dtype dtype,
                      int ndim, const int64_t *shape, const void *data, char **error);
/* Any float32 tensor, on any device and with any layout. */
bool lm_st_writer_add_tensor(lm_st_writer *w, const char *name, const lm_tensor *t, char **error);
void lm_st_writer_set_metadata(lm_st_writer *w, const char *key, const char *value);
/* The whole file as bytes (malloc'd), e.g. for tests. */
void *lm_st_writer_serialize(const lm_st_writer *w, size_t *len);
bool lm_st_writer_save(const lm_st_writer *w, const char *path, char **error);

/* ======================================================================= */
/* The tutorial models                                                     */
/* ======================================================================= */

/* What a model outputs, and so the loss lm_fit and lm_evaluate take of it. */
typedef enum {
  LM_LOSS_CROSS_ENTROPY = 0, /* logits: F.cross_entropy (the default) */
  LM_LOSS_NLL,               /* log-probabilities (a LogSoftmax ends the model):
                                F.nll_loss, as PyTorch's MNIST example */
  LM_LOSS_CATEGORICAL_CROSSENTROPY, /* probabilities (a Softmax ends the model):
                                Keras' categorical_crossentropy of the one-hot
                                labels, the batch mean of
                                -log(clip(p[target], 1e-7, 1 - 1e-7)) */
} lm_loss_kind;
/* The mean loss of output (N, C) against int64 labels (N). New reference. */
lm_tensor *lm_loss_of(lm_loss_kind kind, const lm_tensor *output, const lm_tensor *target);

/* The MLP: Sequential(Flatten, Linear(784, 128), ReLU, Linear(128, 10)).
 * Takes (B, 1, 28, 28) or (B, 784). Parameters 1.weight, 1.bias, 3.weight,
 * 3.bias, the names PyTorch gives the same nn.Sequential. */
lm_module *lm_model_mlp(void);
/* Same with other sizes: in_features -> hidden -> classes. */
lm_module *lm_model_mlp_ex(int64_t in_features, int64_t hidden, int64_t classes);
/* The CNN: Sequential(Conv2d(1, 32, 3, padding=1), ReLU, MaxPool2d(2),
 * Conv2d(32, 64, 3, padding=1), ReLU, MaxPool2d(2), Flatten,
 * Linear(3136, 128), ReLU, Dropout(0.5), Linear(128, 10)) for (B, 1, 28, 28).
 * Parameters 0.*, 3.*, 7.*, 10.*. */
lm_module *lm_model_cnn(void);
/* pytorch/examples' mnist/main.py Net: conv1 = Conv2d(1, 32, 3, 1), ReLU,
 * conv2 = Conv2d(32, 64, 3, 1), ReLU, max_pool2d(2), dropout1 = Dropout(0.25),
 * flatten, fc1 = Linear(9216, 128), ReLU, dropout2 = Dropout(0.5),
 * fc2 = Linear(128, 10), log_softmax(dim=1): 1,199,882 parameters, named as
 * Net's state_dict (conv1.weight, conv1.bias, conv2.*, fc1.*, fc2.*), so
 * Net().load_state_dict() takes them. It outputs log-probabilities: train it
 * with LM_LOSS_NLL (F.nll_loss). The functional steps are children too
 * (relu1, max_pool2d, flatten, log_softmax...), without parameters. */
lm_module *lm_model_mnist_net(void);
/* keras.io's "Simple MNIST convnet": conv2d = Conv2D(32, 3, relu),
 * max_pooling2d = MaxPooling2D(2), conv2d_1 = Conv2D(64, 3, relu),
 * max_pooling2d_1, flatten, dropout = Dropout(0.5), dense = Dense(10) and its
 * softmax (a child of its own): 34,826 parameters, with Keras' initialisers
 * (glorot_uniform kernels, zero biases). It outputs probabilities: train it
 * with LM_LOSS_CATEGORICAL_CROSSENTROPY. Channels first, as the rest of the
 * engine: weights are PyTorch-shaped (conv2d.weight (32, 1, 3, 3),
 * dense.weight (10, 1600)) and flatten takes (C, H, W) order where Keras'
 * channels-last Flatten takes (H, W, C); the same model, but loading Keras'
 * own weights would need the kernels transposed and dense's columns
 * permuted. */
lm_module *lm_model_keras_convnet(void);
/* "mlp", "cnn", "net" (or "mnist-net": lm_model_mnist_net) or "keras-cnn"
 * (lm_model_keras_convnet); NULL with *error for another name. */
lm_module *lm_model_by_name(const char *name, char **error);
/* The loss that model name trains with: LM_LOSS_NLL for "net",
 * LM_LOSS_CATEGORICAL_CROSSENTROPY for "keras-cnn", else cross-entropy. */
lm_loss_kind lm_model_loss(const char *name);

/* ======================================================================= */
/* Checkpoints                                                             */
/* ======================================================================= */

/* A checkpoint is a safetensors file holding
 *   - every parameter under its module name ("0.weight", "features.3.bias"),
 *     F32, so PyTorch users load it with safetensors.torch.load_file() and
 *     model.load_state_dict(..., strict=False) or pick the names they need;
 *   - the optimizer state under "optimizer.<param>.<buffer>", as in
 *     torch.optim's state_dict: "optimizer.0.weight.exp_avg",
 *     "optimizer.0.weight.exp_avg_sq", "optimizer.0.weight.momentum_buffer",
 *     and the step count "optimizer.0.weight.step" (I64, shape []);
 *   - string metadata: "format" = "lumen-checkpoint", "format_version" = "1",
 *     "model" (e.g. "mlp"), "epoch", "step", "batch_in_epoch", "seed",
 *     "rng_key"/"rng_counter" (the engine generator, to resume dropout
 *     exactly), "optimizer" ("Adam"...) and its hyperparameters ("lr",
 *     "betas", "eps", "weight_decay", "momentum", ...), plus any extra keys
 *     the caller adds (lumen-train stores its run's progress there).
 * Loading checks everything before changing anything: a file that is not a
 * checkpoint, was written for another model, lacks a parameter or has one
 * of another shape, or holds another optimizer's state is refused with a
 * message naming the tensor and both shapes. */

/* Where training stands; saved in and restored from checkpoints. */
typedef struct {
  int64_t epoch;          /* epochs completed */
  int64_t batch;          /* batches done in the current, unfinished epoch */
  int64_t step;           /* optimizer steps done in total */
  double loss_sum;        /* the current epoch's running sums: sum of the */
  int64_t correct;        /* per-example loss, correct predictions and */
  int64_t seen;           /* examples seen */
} lm_train_state;

typedef struct {
  const char *model;      /* kind checked on load ("mlp"); may be NULL */
  uint64_t seed;
  lm_train_state state;
  size_t n_extra;         /* extra string metadata */
  const char *const *extra_keys;
  const char *const *extra_values;
} lm_checkpoint_info;

/* Writes model parameters, the optimizer's state (opt may be NULL), the
 * engine generator's state and the metadata to path (atomically). */
bool lm_checkpoint_save(const char *path, const lm_module *model, const lm_optimizer *opt,
                        const lm_checkpoint_info *info, char **error);

/* Reads and validates a checkpoint file (safetensors structure, and when it
 * says it is a Lumen checkpoint, its format version and, if expected_model
 * is non-NULL, its model kind). The handle gives the metadata
 * (lm_safetensors_metadata) and the tensors; free it with
 * lm_safetensors_free. */
lm_safetensors *lm_checkpoint_read(const char *path, const char *expected_model, char **error);
/* Copies every parameter of model from ck (names and shapes must match
 * exactly; strict like load_state_dict). Works on any safetensors file,
 * e.g. one saved from PyTorch with safetensors.torch.save_file. */
bool lm_checkpoint_load_model(const lm_safetensors *ck, lm_module *model, char **error);
/* Restores the state of opt, an optimizer over model's parameters (same
 * optimizer kind; names are the model's parameter names). */
bool lm_checkpoint_load_optimizer(const lm_safetensors *ck, const lm_module *model, lm_optimizer *opt,
                                  char **error);
/* Restores the engine generator (lm_manual_seed + position). */
bool lm_checkpoint_load_rng(const lm_safetensors *ck, char **error);
/* Fills info->seed, info->state and info->model (a string inside ck, valid
 * until lm_safetensors_free) from the metadata; no extra keys. */
bool lm_checkpoint_get_info(const lm_safetensors *ck, lm_checkpoint_info *info, char **error);
/* All of the above in one call: model, optimizer (may be NULL), generator,
 * *info (may be NULL; its model string is left NULL). Nothing is changed
 * unless everything matches. */
bool lm_checkpoint_load(const char *path, const char *expected_model, lm_module *model,
                        lm_optimizer *opt, lm_checkpoint_info *info, char **error);

/* ======================================================================= */
/* Keras-style training: fit, evaluate, predict                            */
/* ======================================================================= */

/* What the callbacks see after each optimizer step. Tensors are valid only
 * during the callback (they belong to the step's scope). */
typedef struct {
  int64_t epoch;          /* 0-based epoch of this step */
  int64_t batch;          /* 0-based batch within the epoch */
  int64_t num_batches;    /* batches per epoch */
  int64_t step;           /* optimizer steps done in total, this one included */
  double loss;            /* this batch's mean loss (NaN when !synced) */
  double accuracy;        /* this batch's accuracy (NaN when !synced) */
  int64_t batch_size;
  /* Whether the host read the step figures back at this step (always on the
   * CPU; on a GPU every fit sync_every steps and at an epoch's end, see
   * lm_fit_options). The window: the steps read back at this one (this one
   * included, and the unread steps before it): their count, the sum of their
   * per-example losses (batch loss x batch size), correct predictions and
   * examples. Zero when !synced. state's sums include the window. */
  bool synced;
  int64_t window_steps;
  double window_loss_sum;
  int64_t window_correct;
  int64_t window_examples;
  double step_seconds;    /* forward + backward + optimizer step */
  const lm_batch *data;   /* the batch (x, y, indices) */
  lm_tensor *output;      /* the model's output (logits) */
  lm_tensor *loss_tensor; /* root of this step's autograd graph */
  const lm_train_state *state; /* after this step */
  void *fit_private;      /* lm_step_info_sync's */
} lm_step_info;

/* Reads this step's figures back now if fit left them on the device
 * (!info->synced), filling loss, accuracy, the window and *state as at a
 * synced step: for a callback that stops training or saves the state
 * between two reads. Waits for the GPU; nothing to do when synced. */
void lm_step_info_sync(const lm_step_info *info);

/* Per-epoch results, Keras' logs dict. NaN where there is no value (no
 * validation set). */
typedef struct {
  int64_t epoch;          /* 0-based */
  double loss, accuracy;  /* training, means over the epoch */
  double val_loss, val_accuracy;
  double lr;              /* the learning rate used during the epoch */
  double seconds;         /* training time of the epoch (validation excluded) */
  double examples_per_sec;
} lm_epoch_logs;

/* History.history: one entry per epoch run by fit. */
typedef struct {
  int64_t epochs;
  lm_epoch_logs *logs;    /* malloc'd; lm_history_clear frees it */
} lm_history;
void lm_history_clear(lm_history *h);

/* Keras' Callback: every member may be NULL. Returning false from
 * on_batch_end or on_epoch_end stops training (model.stop_training = True)
 * after that step; fit then returns with *stopped set. */
typedef struct {
  void *user_data;
  void (*on_train_begin)(void *user_data, const lm_train_state *state);
  void (*on_epoch_begin)(void *user_data, int64_t epoch, int64_t num_batches);
  bool (*on_batch_end)(void *user_data, const lm_step_info *info);
  bool (*on_epoch_end)(void *user_data, const lm_epoch_logs *logs, const lm_train_state *state);
  void (*on_train_end)(void *user_data, const lm_history *history, bool stopped);
} lm_callbacks;

typedef struct {
  int epochs;                 /* 0 -> 1 (Keras' default) */
  int64_t batch_size;         /* 0 -> 32 (Keras' default) */
  double validation_split;    /* last fraction of the training data (Keras) */
  lm_dataset *validation_data; /* or an explicit validation set (wins) */
  bool no_shuffle;            /* Keras shuffles by default */
  uint64_t seed;              /* shuffling order: a function of (seed, epoch) */
  bool flatten;               /* feed (B, C*H*W) instead of (B, C, H, W) */
  float mean, std;            /* normalisation after [0,1] scaling (std 0: none) */
  lm_device device;           /* where batches go (the model must be there) */
  lm_lr_scheduler *scheduler; /* stepped once after each epoch, may be NULL; a
                                 ReduceLROnPlateau steps on the epoch's val loss */
  int verbose;                /* 0 silent, 1 one line per epoch on stdout */
  /* On a GPU: read each step's loss and correct count back every sync_every
   * steps (when step % sync_every == 0) and at every epoch's end, not after
   * every step; between reads they stay on the device and the host queues
   * the next steps without waiting (PyTorch's loss.item() every
   * log_interval). 0 or 1: every step. A bad label found by the GPU is then
   * reported at the next read. The CPU reads every step (it costs nothing). */
  int sync_every;
  /* 0: each epoch trains on all its batches.  N > 0: on the first N of
   * the epoch's (shuffled) order only, a different N each epoch when
   * shuffling, as PyTorch's mnist/main.py --dry-run breaks its epoch loop
   * after batch 0; num_batches and the epoch's figures count those N.
   * Validation still runs over the whole validation set. */
  int64_t max_batches;
  lm_loss_kind loss;          /* what the model outputs: logits (0, cross-entropy) */
  const lm_train_state *initial_state; /* resume from here (NULL: from the start) */
  const lm_callbacks *callbacks;
} lm_fit_options;

void lm_fit_options_init(lm_fit_options *opts);

/* model.fit(): trains with opts->loss (cross-entropy) and reports accuracy. Fills
 * *history (may be NULL). Returns false (with *error) on bad arguments or
 * an engine error; *stopped (may be NULL) tells whether a callback stopped it. */
bool lm_fit(lm_module *model, lm_optimizer *opt, lm_dataset *train,
            const lm_fit_options *opts, lm_history *history, bool *stopped, char **error);

/* model.evaluate(): mean loss (opts->loss) and accuracy over ds, in eval
 * mode and without gradients (the model's mode is restored). */
bool lm_evaluate(lm_module *model, lm_dataset *ds, int64_t batch_size, const lm_fit_options *opts,
                 double *loss, double *accuracy, char **error);

/* model.predict(): the model's outputs (N, classes) for every example of ds,
 * a new CPU tensor (owned by the current scope if one is open). */
lm_tensor *lm_predict(lm_module *model, lm_dataset *ds, int64_t batch_size,
                      const lm_fit_options *opts, char **error);

/* Accuracy of logits (B, C) against int64 labels (B): correct count (the
 * first maximum of a row is its prediction, like torch.argmax). Other shapes
 * or dtypes: lm_error() naming them, and -1. */
int64_t lm_count_correct(const lm_tensor *logits, const lm_tensor *labels);

#ifdef __cplusplus
}
#endif
