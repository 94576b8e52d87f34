/* lumen-log.h: the public API of lumen-log, Lumen's C logging library.
 *
 * What it is for: a C training program logs scalars, histograms, images,
 * text, audio clips, meshes and point clouds, PR curves, hyperparameters,
 * custom-scalar layouts, graphs and op-by-op traces into one SQLite "run file" per run
 * (<logdir>/<run>/run.lumen), much like PyTorch's
 * torch.utils.tensorboard.SummaryWriter writes event files.  The file
 * format is public and documented in docs/run-format.md.
 *
 * What it is not for: reading runs back (that is data/ in the Lumen tree,
 * or plain sqlite3/pandas), and it knows nothing about the engine's
 * tensors: callers hand it plain floats, bytes and strings.
 *
 * Use from outside the tree:   cc prog.c $(pkg-config --cflags --libs lumen-log)
 * and  #include <lumen-log.h>  (or <lumen/lumen-log.h>; both work with the
 * installed pkg-config file).
 *
 * Threads: every lm_writer_* call is thread-safe; many threads may log to
 * one writer.  A background thread owns the SQLite connection: logging
 * calls copy their data into a queue and return; the queue is committed at
 * least every flush_interval_ms (250 ms by default), on lm_writer_flush()
 * and on lm_writer_close().  When the queue is full the caller waits (no
 * data is ever dropped) and the waits are counted (lm_writer_get_stats()).
 *
 * Errors: functions returning int give 0 (LM_OK) on success or a negative
 * lm_error code.  A message naming what was wrong is then available from
 * lm_log_last_error() (per calling thread, always set) and
 * lm_writer_error_message(w) (per writer).  Faults found by the background
 * thread (disk full, I/O errors) are sticky: they are returned by the next
 * call on that writer, by lm_writer_flush() and by lm_writer_close().
 *
 * Builders (lm_graph, lm_trace) are plain single-threaded objects owned by
 * the caller.  A writer belongs to the process that opened it: after
 * fork() only the parent may use (and close) it; the child lets go of the
 * run's lock at once, so a forked helper that outlives the writer does not
 * keep the run locked, and every call the child makes on it (close
 * included, which frees nothing there) fails with LM_ERR_INVALID_ARG
 * naming both processes; a child logs through a writer of its own, on
 * another run.  Do not call other
 * functions on a writer while lm_writer_close() runs on it.
 *
 *   lm_writer *w;
 *   if (lm_writer_open(&w, "runs", "exp1/lr0.1") != LM_OK) {
 *     fprintf(stderr, "%s\n", lm_log_last_error());
 *     return 1;
 *   }
 *   for (int step = 0; step < 1000; step++)
 *     lm_writer_add_scalar(w, "train/loss", step, loss);
 *   lm_writer_close(w);    // runs/exp1/lr0.1/run.lumen
 */
#ifndef LUMEN_LOG_H
#define LUMEN_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LM_LOG_VERSION_STRING "0.1.0"
/* The run-file schema this library writes (PRAGMA user_version). */
#define LM_RUN_SCHEMA_VERSION 1

/* ------------------------------------------------------------------ errors */

typedef enum {
  LM_OK = 0,
  LM_ERR_INVALID_ARG = -1, /* NULL/empty tag or pointer, bad size, bad JSON... */
  LM_ERR_UTF8 = -2,        /* a tag, name or text is not valid UTF-8 */
  LM_ERR_IO = -3,          /* log dir or run file cannot be created/written */
  LM_ERR_LOCKED = -4,      /* another live writer (process) owns this run */
  LM_ERR_DISK_FULL = -5,   /* the disk (or file system quota) is full */
  LM_ERR_TOO_LARGE = -6,   /* image over lm_writer_options.max_image_bytes,
                            * video over .max_video_bytes, mesh over
                            * .max_mesh_bytes */
  LM_ERR_NOMEM = -7,       /* out of memory */
  LM_ERR_SQLITE = -8,      /* any other SQLite failure (message has details) */
  LM_ERR_FORMAT = -9,      /* existing file is not a (compatible) run file */
  LM_ERR_CLOSED = -10,     /* the writer is being closed */
} lm_error;

/* Message of the last failing lumen-log call made by this thread ("" if
 * none).  Valid until this thread's next failing lumen-log call. */
const char *lm_log_last_error(void);

/* Last error message recorded on this writer ("" if none): the sticky
 * background fault if there is one, else the last failed call on it from
 * any thread.  Valid until the next call on the writer; multi-threaded
 * callers should prefer lm_log_last_error(). */
typedef struct lm_writer lm_writer;
const char *lm_writer_error_message(lm_writer *w);

/* "LM_ERR_LOCKED" and so on, for a code; "LM_OK" for 0. */
const char *lm_error_name(int code);

/* ------------------------------------------------------------ the writer */

typedef enum {
  LM_RUN_RUNNING = 0,
  LM_RUN_FINISHED = 1,
  LM_RUN_FAILED = 2,
  LM_RUN_STOPPED = 3,
} lm_run_status;

typedef struct {
  const char *logdir;       /* NULL -> "runs" (like SummaryWriter) */
  const char *run_name;     /* NULL -> "Nov21_07-45-12_host" + comment;
                             * may be nested: "exp1/lr0.1" */
  const char *comment;      /* suffix for the default run name, or NULL */
  const char *command_line; /* NULL -> read from /proc/self/cmdline */
  unsigned flush_interval_ms; /* 0 -> 250: max time before data is visible */
  size_t queue_capacity;    /* records in the queue; 0 -> 65536 */
  size_t queue_max_bytes;   /* payload bytes (images, histograms, traces)
                             * queued at once; 0 -> 64 MiB */
  size_t max_image_bytes;   /* cap on width*height*channels of an image
                             * or a video's frame; 0 -> 64 MiB */
  bool quiet;               /* don't print the queue-wait note at close */
  /* SummaryWriter's purge_step: when set, records of an existing run with
   * step >= purge_step (scalars, histograms, images, texts, audio, meshes,
   * PR curves,
   * graphs, traces) are deleted at open, e.g. those a crashed or interrupted run
   * logged after the checkpoint it resumes from, so the resumed run does
   * not show two values per step. */
  bool purge;
  int64_t purge_step;
  /* Cap on a video's frames decoded as RGBA (n_frames*width*height*4,
   * what lumen and a browser hold to play it); 0 -> 1 GiB, the most
   * lumen shows: 291 frames of 1280x720, 7,989 Atari frames (210x160).
   * Each frame is also held to max_image_bytes.  PyTorch's add_video has
   * no cap. */
  size_t max_video_bytes;
  /* Cap on a mesh's vertex + colour + face bytes (n_vertices * 12, + 3
   * each with colours, + n_faces * 12); 0 -> 256 MiB (about 22 million
   * vertices).  PyTorch's add_mesh has no cap. */
  size_t max_mesh_bytes;
} lm_writer_options;

/* Fills *opts with the defaults (all zero/NULL, meaning "default"). */
void lm_writer_options_init(lm_writer_options *opts);

/* Opens (or creates) the run <logdir>/<run_name>/run.lumen, creating the
 * folders.  An existing run is appended to (like SummaryWriter appending
 * event files to an existing log dir) unless another live process writes
 * it (LM_ERR_LOCKED, the message names its pid).  On failure *out is NULL. */
int lm_writer_open(lm_writer **out, const char *logdir, const char *run_name);
int lm_writer_open_with(lm_writer **out, const lm_writer_options *opts);
/* Whether run_name is acceptable to lm_writer_open (a relative path of
 * non-empty components, none "." or ".."), without opening anything:
 * LM_OK, or LM_ERR_INVALID_ARG with the reason in lm_log_last_error(). */
int lm_writer_check_run_name(const char *run_name);
/* What lm_writer_open does when run_name is NULL, on its own: SummaryWriter's
 * default name ("Nov21_07-45-12_host" + comment) under logdir, "_2", "_3"...
 * when taken, claimed by creating its folder (so two processes starting in
 * the same second never share a run). Returns the name (free() it) or NULL
 * with the reason in lm_log_last_error(). For programs that need the run
 * folder before or without a run file (lumen-train's checkpoints). */
char *lm_writer_claim_default_run_name(const char *logdir, const char *comment);

/* Blocks until everything logged before the call is committed to disk
 * (visible to readers).  Returns a sticky background error if any. */
int lm_writer_flush(lm_writer *w);

/* Counters, readable at any time. */
typedef struct {
  uint64_t records;        /* records logged (scalars, images, ...) */
  uint64_t commits;        /* transactions committed */
  uint64_t queue_waits;    /* times a caller waited because the queue was full */
  uint64_t queue_wait_ns;  /* total time callers spent waiting */
} lm_writer_stats;
void lm_writer_get_stats(lm_writer *w, lm_writer_stats *stats);

/* Flushes, marks the run 'finished' unless lm_writer_set_status() chose
 * another status, records end_time, stops the thread, closes the file and
 * frees w (always, even on error).  A writer still open when the process
 * exits (exit(), a return from main, the engine's default error handler)
 * is closed for you after your atexit() handlers: every row logged is
 * committed and the run marked 'failed' unless lm_writer_set_status()
 * chose a status, since a C program reaching exit with a writer open is
 * almost always on an error path.  That close waits for the writer thread
 * only while it makes progress (5 s without any gives up, with a note on
 * stderr); a fork() child never closes its parent's writers
 * (docs/run-format.md).  If callers waited on a full queue a
 * one-line note goes to stderr (unless opts.quiet); the count is also
 * stored in the file (run key 'queue_waits').  Returns the sticky error if
 * any data could not be written; the run is then marked 'failed' (or the
 * status the program chose) with its end_time, where the disk takes that
 * much.  NULL is accepted and ignored. */
int lm_writer_close(lm_writer *w);
/* Same, copying the final counters to *stats (may be NULL) first. */
int lm_writer_close_stats(lm_writer *w, lm_writer_stats *stats);

int lm_writer_set_status(lm_writer *w, lm_run_status status);
/* Why a run is incomplete although everything it logged is whole (a
 * checkpoint or model file that could not be written): stored as the run
 * key 'error', which the Lumen app shows beside the run's status, with the
 * status left as it is ('finished' stays 'finished').  A write fault of
 * the writer itself replaces it at close; reopening the run removes it.
 * NULL or "" is LM_ERR_INVALID_ARG. */
int lm_writer_set_error(lm_writer *w, const char *message);

/* The wall time (unix seconds) of every record logged on w from now on,
 * as SummaryWriter's add_*(..., walltime=t) gives one per call: scalars,
 * histograms, images, texts, PR curves, hyperparameters, graphs, traces
 * and embeddings (lm_writer_add_scalar_at's own argument still wins for
 * that call).  0 goes back to the clock, the default.  For importers and
 * replays (lumen-import keeps each TensorBoard event's wall_time).  The
 * same checks as lm_writer_add_scalar_at: finite, years 1 to 9999, else
 * LM_ERR_INVALID_ARG and the setting is unchanged.  The setting is the
 * writer's, not the calling thread's. */
int lm_writer_set_wall_time(lm_writer *w, double wall_time);

/* Where the run lives; owned by w. */
const char *lm_writer_run_name(lm_writer *w); /* e.g. "exp1/lr0.1" */
const char *lm_writer_run_dir(lm_writer *w);  /* e.g. "runs/exp1/lr0.1" */
const char *lm_writer_file_path(lm_writer *w); /* ".../run.lumen" */

/* ---------------------------------------------------------------- scalars */

/* Wall time is taken now (unix seconds).  NaN and +-Inf are stored as they
 * are (NaN as SQL NULL); negative and repeated steps are kept.  _at takes
 * the wall time (like SummaryWriter's walltime=): unix seconds in the
 * years 1 to 9999; NaN, +-Inf or a time outside them (milliseconds, say)
 * is LM_ERR_INVALID_ARG. */
int lm_writer_add_scalar(lm_writer *w, const char *tag, int64_t step,
                         double value);
int lm_writer_add_scalar_at(lm_writer *w, const char *tag, int64_t step,
                            double value, double wall_time);
/* n scalars at one step, one wall time: tags[i] -> values[i]. */
int lm_writer_add_scalars(lm_writer *w, int64_t step, size_t n,
                          const char *const *tags, const double *values);

/* ------------------------------------------------------------- histograms */

/* From raw values.  Buckets: torch.utils.tensorboard's default
 * (add_histogram(bins='tensorflow')): edges 0, +-1e-12 * 1.1^k up to 1e20,
 * trimmed to the buckets from the first to the last non-empty one.  NaNs
 * are left out of the buckets and counted in nan_count; +-Inf and values
 * beyond +-1e20 fall into the outermost bucket (min/max stay exact). */
int lm_writer_add_histogram(lm_writer *w, const char *tag, int64_t step,
                            const float *values, size_t n);
int lm_writer_add_histogram_f64(lm_writer *w, const char *tag, int64_t step,
                                const double *values, size_t n);
/* Same with n_buckets equal-width buckets between min and max (what
 * tf.summary.histogram does with buckets=30). */
int lm_writer_add_histogram_uniform(lm_writer *w, const char *tag,
                                    int64_t step, const float *values,
                                    size_t n, size_t n_buckets);

/* Pre-computed (like add_histogram_raw): bucket i spans
 * [edges[i], edges[i+1]) and holds counts[i].  edges has bucket_count + 1
 * ascending finite entries. */
typedef struct {
  double count;       /* number of non-NaN values */
  double min, max, sum, sum_squares;
  int64_t nan_count;
  size_t bucket_count;
  const double *edges;  /* bucket_count + 1 */
  const double *counts; /* bucket_count */
} lm_histogram;
int lm_writer_add_histogram_buckets(lm_writer *w, const char *tag,
                                    int64_t step, const lm_histogram *h);

/* The statistics and buckets lm_writer_add_histogram() would store, into
 * caller-provided storage (edges: LM_HISTOGRAM_MAX_BUCKETS + 1, counts:
 * LM_HISTOGRAM_MAX_BUCKETS); h->edges/counts point at them.  For tests and
 * for callers who want to look before logging. */
#define LM_HISTOGRAM_MAX_BUCKETS 1600
int lm_histogram_compute(const float *values, size_t n, lm_histogram *h,
                         double *edges, double *counts);

/* ---------------------------------------------------------------- images */

/* pixels: height x width x channels bytes, row-major (HWC), 8 bits per
 * sample; channels 1 (grey), 3 (RGB) or 4 (RGBA).  Encoded to PNG now, in
 * the calling thread.  LM_ERR_TOO_LARGE over opts.max_image_bytes, or
 * over 1,000,000 pixels a side (PNG readers' limit; grids too). */
int lm_writer_add_image(lm_writer *w, const char *tag, int64_t step,
                        const uint8_t *pixels, int width, int height,
                        int channels);
/* Same with a caption (UTF-8, may be NULL). */
int lm_writer_add_image_caption(lm_writer *w, const char *tag, int64_t step,
                                const uint8_t *pixels, int width, int height,
                                int channels, const char *caption);

/* A PNG file you already have, stored byte for byte: a figure your
 * plotting library rendered (SummaryWriter.add_figure's picture), an
 * image read from elsewhere.  Any still PNG (8 or 16-bit, grey, RGB,
 * palette, alpha, interlaced, with its gamma and colour chunks) is
 * checked in full now: a file that is not a PNG, damaged (a chunk's CRC,
 * image data that does not inflate) or animated (acTL: use
 * lm_writer_add_video_png) is LM_ERR_INVALID_ARG naming what is wrong; over
 * opts.max_image_bytes (as 8-bit samples) LM_ERR_TOO_LARGE.  caption:
 * UTF-8 or NULL. */
int lm_writer_add_image_png(lm_writer *w, const char *tag, int64_t step,
                            const void *png, size_t size,
                            const char *caption);

/* Float images the way SummaryWriter.add_image takes a float tensor:
 * samples in [0, 1] become 8-bit by * 255, clipped to 0..255 and truncated
 * (0.5 -> 127; NaN -> 0), in layout LM_CHW (add_image's default
 * dataformats='CHW', a tensor's own layout) or LM_HWC.  channels 1, 3 or 4
 * as above. */
typedef enum {
  LM_HWC = 0,
  LM_CHW = 1,
} lm_image_layout;
int lm_writer_add_image_f32(lm_writer *w, const char *tag, int64_t step,
                            const float *pixels, int width, int height,
                            int channels, lm_image_layout layout);
/* The conversion alone, into dst (height x width x channels bytes, HWC),
 * e.g. for each image of a batch before lm_writer_add_images_grid. */
int lm_image_from_f32(const float *src, int width, int height, int channels,
                      lm_image_layout layout, uint8_t *dst);

/* A batch of n images (n x height x width x channels, NHWC) laid out as a
 * grid like torchvision.utils.make_grid: nrow images per row (<= 0 -> 8),
 * `padding` pixels of pad_value between cells and around the border
 * (padding < 0 -> 2).  labels: NULL or n UTF-8 strings (per-cell labels,
 * stored in the 'grid' column with the layout). */
int lm_writer_add_images_grid(lm_writer *w, const char *tag, int64_t step,
                              const uint8_t *pixels, int n, int width,
                              int height, int channels, int nrow,
                              int padding, uint8_t pad_value,
                              const char *const *labels);

/* SummaryWriter.add_image_with_boxes: an image (as lm_writer_add_image)
 * and n_boxes boxes, boxes[4*i .. 4*i+3] = xmin, ymin, xmax, ymax in
 * pixels (box_tensor's xyxy); labels NULL or n_boxes UTF-8 strings (a
 * NULL or empty one: that box has no label).  PyTorch burns the boxes into
 * the pixels; Lumen stores the image untouched and the boxes with it (the
 * `boxes` column, docs/run-format.md), the app draws them over the image
 * (a toggle hides them) and lumen-export burns them in as PyTorch does.
 * Boxes partly or wholly outside the image are kept (drawn clipped);
 * xmin > xmax or ymin > ymax draw the same outline, the label at (xmin,
 * ymax) as given, as PIL does.  Refused by name: n_boxes < 0, a NaN or
 * infinite coordinate, a label that is not UTF-8.  add_image_with_boxes'
 * rescale (a Lanczos resize of the burned image) is not offered: the app
 * zooms. */
int lm_writer_add_image_with_boxes(lm_writer *w, const char *tag,
                                   int64_t step, const uint8_t *pixels,
                                   int width, int height, int channels,
                                   const float *boxes, int n_boxes,
                                   const char *const *labels);
/* Float pixels in [0, 1] as lm_writer_add_image_f32 takes them (LM_CHW:
 * add_image_with_boxes' default dataformats='CHW'). */
int lm_writer_add_image_with_boxes_f32(lm_writer *w, const char *tag,
                                       int64_t step, const float *pixels,
                                       int width, int height, int channels,
                                       lm_image_layout layout,
                                       const float *boxes, int n_boxes,
                                       const char *const *labels);

/* ---------------------------------------------------------------- videos */

/* SummaryWriter.add_video for one video: n_frames frames of height x
 * width x channels 8-bit pixels (THWC, channels 1, 3 or 4), played at fps
 * frames a second (add_video's default 4; 1/65535 .. 1000), stored as an
 * animated PNG (an `images` row with frames and fps; PNG readers without
 * APNG support see the first frame).  It plays forever, as add_video's
 * GIF loops.  A batch (N, T, C, H, W): lm_writer_add_videos_grid.
 * LM_ERR_TOO_LARGE when n_frames*width*height*4 (the frames decoded as
 * RGBA) is over opts.max_video_bytes (1 GiB by default), or a frame's
 * width*height*channels over opts.max_image_bytes. */
int lm_writer_add_video(lm_writer *w, const char *tag, int64_t step,
                        const uint8_t *frames, int n_frames, int width,
                        int height, int channels, double fps);
/* add_video's float form: frames in [0, 1] (converted as
 * lm_writer_add_image_f32 does), each frame laid out as `layout` (LM_CHW:
 * add_video's T x C x H x W). */
int lm_writer_add_video_f32(lm_writer *w, const char *tag, int64_t step,
                            const float *frames, int n_frames, int width,
                            int height, int channels, lm_image_layout layout,
                            double fps);

/* add_video with a batch of n videos (n x n_frames x height x width x
 * channels, 8-bit), laid out per frame as add_video's _prepare_video
 * does: n padded with black videos to the next power of two, in rows =
 * 2^((bit_length(n) - 1) / 2) rows of padded / rows videos, no padding
 * between (n = 3: 1 x 4, n = 4: 2 x 2, n = 1: the video itself).  The
 * laid-out frames are held to max_image_bytes and max_video_bytes as
 * lm_writer_add_video's are. */
int lm_writer_add_videos_grid(lm_writer *w, const char *tag, int64_t step,
                              const uint8_t *videos, int n, int n_frames,
                              int width, int height, int channels,
                              double fps);
/* The same for float videos in [0, 1], each frame laid out as `layout`
 * (LM_CHW: add_video's (N, T, C, H, W)). */
int lm_writer_add_videos_grid_f32(lm_writer *w, const char *tag,
                                  int64_t step, const float *videos, int n,
                                  int n_frames, int width, int height,
                                  int channels, lm_image_layout layout,
                                  double fps);

/* An animated PNG (APNG) the caller already has - one lumen-export wrote,
 * an event file's video, an animation a plotting library rendered -
 * stored byte for byte as a video, as lm_writer_add_image_png stores a
 * still: each frame keeps its own delay, offset, blend and dispose op,
 * and the app plays those.  The row's frames is acTL's count, its fps
 * the frames over their total time (a delay under 1/1000 s counts as
 * 1/1000 s, add_video's fastest; den/num exactly when all are the same),
 * its channels those a frame decodes to (1, 3 or 4).  Checked before it
 * is queued, each refusal LM_ERR_INVALID_ARG naming the chunk and what
 * is wrong: the signature, every chunk's length and CRC, IHDR first,
 * acTL before the image data with the number of frames the file has,
 * fcTL and fdAT sequence numbers, each frame inside the canvas with a
 * known dispose and blend op, and every frame's image data (and a
 * default image that is no frame) read row by row by libpng.  A still PNG
 * (no acTL) is refused, naming lm_writer_add_image_png: the bytes say
 * what the record is, as TensorBoard shows them.  LM_ERR_TOO_LARGE, from
 * the header before anything is inflated, as lm_writer_add_video's
 * frames: frames*width*height*4 over opts.max_video_bytes, or the canvas
 * over opts.max_image_bytes. */
int lm_writer_add_video_png(lm_writer *w, const char *tag, int64_t step,
                            const void *apng, size_t size);

/* -------------------------------------------------------------- PR curves */

/* A precision-recall curve, as SummaryWriter.add_pr_curve logs it
 * (TensorBoard's PR Curves dashboard).  labels[i] is 0 or 1 (the ground
 * truth: is sample i of the positive class), predictions[i] the
 * classifier's probability of the positive class, in [0, 1]; weights is
 * NULL (every sample counts 1) or n finite weights >= 0.  num_thresholds
 * (0 -> 127, add_pr_curve's default; at least 2, at most
 * LM_PR_CURVE_MAX_THRESHOLDS) thresholds i / (num_thresholds - 1): a
 * prediction falls in bucket floor(p * (num_thresholds - 1)) and counts
 * as positive at every threshold at or below its bucket's.  For each
 * threshold the row stores TP, FP, TN, FN (weighted counts), precision =
 * TP / max(TP + FP, 1e-7) and recall = TP / max(TP + FN, 1e-7): the
 * numbers torch.utils.tensorboard.summary.compute_curve gives.  A NaN or
 * out-of-range prediction, a label other than 0/1, a bad weight, n == 0
 * or a NULL array is LM_ERR_INVALID_ARG naming the first bad entry, and
 * nothing is logged. */
#define LM_PR_CURVE_DEFAULT_THRESHOLDS 127
#define LM_PR_CURVE_MAX_THRESHOLDS 10000
int lm_writer_add_pr_curve(lm_writer *w, const char *tag, int64_t step,
                           const uint8_t *labels, const float *predictions,
                           size_t n, size_t num_thresholds,
                           const float *weights);

/* Pre-computed (like add_pr_curve_raw): the six arrays of num_thresholds
 * entries each, threshold i being i / (num_thresholds - 1).  Counts must
 * be finite and >= 0, precision and recall finite in [0, 1]. */
int lm_writer_add_pr_curve_raw(lm_writer *w, const char *tag, int64_t step,
                               const double *tp, const double *fp,
                               const double *tn, const double *fn,
                               const double *precision, const double *recall,
                               size_t num_thresholds);

/* The curve lm_writer_add_pr_curve would store, into out: 6 rows of
 * num_thresholds doubles, TP, FP, TN, FN, precision, recall (the layout
 * of compute_curve's np.stack).  Same checks (num_thresholds 0 -> 127). */
int lm_pr_curve_compute(const uint8_t *labels, const float *predictions,
                        size_t n, size_t num_thresholds, const float *weights,
                        double *out);

/* ------------------------------------------------------------------ audio */

/* An audio clip, as SummaryWriter.add_audio logs it (TensorBoard's Audio
 * dashboard): `frames` frames of `channels` (1..LM_AUDIO_MAX_CHANNELS)
 * interleaved float samples at sample_rate Hz (add_audio's default is
 * 44100), clipped to [-1, 1] (NaN -> 0) and stored as a 16-bit PCM WAV
 * file the way torch.utils.tensorboard.summary.audio encodes it:
 * value * 32767 in float32, truncated toward zero (0.5 -> 16383,
 * -1 -> -32767); the header holds the rate rounded to whole Hz, the row
 * the rate as given.  Encoded now, in the calling thread.  NULL samples,
 * frames <= 0, a bad channel count, a sample rate that is not a finite
 * 1..4294967295, or one whose bytes a second (rate x channels x 2) are
 * over the header's 4294967295 (as Python's wave refuses) is
 * LM_ERR_INVALID_ARG; a WAV over 1,000,000,000 bytes LM_ERR_TOO_LARGE. */
#define LM_AUDIO_MAX_CHANNELS 8
int lm_writer_add_audio(lm_writer *w, const char *tag, int64_t step,
                        const float *samples, int64_t frames, int channels,
                        double sample_rate);
/* The same with a Markdown label shown with the clip (TensorBoard's audio
 * labels / description); label may be NULL. */
int lm_writer_add_audio_label(lm_writer *w, const char *tag, int64_t step,
                              const float *samples, int64_t frames,
                              int channels, double sample_rate,
                              const char *label);
/* An encoded RIFF WAVE file stored as it is (what event files hold): PCM
 * 8/16/24/32-bit integer or 32-bit IEEE float, WAVE_FORMAT_EXTENSIBLE
 * too, 1..LM_AUDIO_MAX_CHANNELS channels.  Its header is checked and
 * gives the row's sample_rate, channels and frames; a bad or truncated
 * header, or no samples at all, is LM_ERR_INVALID_ARG naming what is
 * wrong.  label may be NULL. */
int lm_writer_add_audio_wav(lm_writer *w, const char *tag, int64_t step,
                            const void *wav, size_t size, const char *label);

/* ----------------------------------------------------------------- meshes */

/* A point cloud or triangle mesh, as SummaryWriter.add_mesh logs one
 * sample of its batch (B = 1; log each sample under its own tag or step)
 * for TensorBoard's Mesh dashboard.  vertices: n_vertices xyz float
 * triples, all finite.  colors: n_vertices RGB byte triples, or NULL (the
 * viewer's default colour).  faces: n_faces triangles of vertex indices
 * (0 <= index < n_vertices), or NULL with n_faces 0 for a point cloud.
 * config_json: add_mesh's config_dict as a JSON object, e.g.
 *   {"material":{"cls":"PointsMaterial","size":0.05},
 *    "camera":{"cls":"PerspectiveCamera","fov":75}}
 * or NULL.  Copied now, in the calling thread, and stored as it is
 * (docs/run-format.md, "Meshes").  Bad input is LM_ERR_INVALID_ARG naming
 * it ("vertex 12 has a NaN coordinate", "face 3 refers to vertex 9 of 8",
 * "config is not a JSON object"); more than
 * lm_writer_options.max_mesh_bytes (256 MiB by default) of vertex, colour
 * and face data is LM_ERR_TOO_LARGE. */
int lm_writer_add_mesh(lm_writer *w, const char *tag, int64_t step,
                       const float *vertices, int64_t n_vertices,
                       const uint8_t *colors, const int32_t *faces,
                       int64_t n_faces, const char *config_json);

/* --------------------------------------------------------- custom scalars */

/* TensorBoard's Custom Scalars (SummaryWriter.add_custom_scalars): a
 * layout of categories, each with charts that gather scalar tags logged
 * as usual.  A Multiline chart draws every scalar tag of a run that
 * matches any of its regexes, one line per (run, tag); a Margin chart
 * draws a value tag as a line with a shaded band between a lower and an
 * upper tag, per run.  Regexes are POSIX extended (regcomp REG_EXTENDED:
 * `.*`, `[0-9]+`, `a|b`, `\.`; not Python's `\d` or `(?:...)`) and,
 * as TensorBoard's re.match, match at the start of the tag: "loss" matches
 * "loss/train", "train/loss$" only that tag.  Margin tags are exact names.
 * The viewer merges the layouts of every run, as TensorBoard does:
 * categories of the same title become one, a chart already there is not
 * repeated.  Unlike TensorBoard (which reads a run's first layout only) a
 * run may log several; they merge the same way.
 *
 *   lm_custom_layout *l;
 *   lm_custom_layout_new(&l);
 *   const char *loss[] = {"train/loss$", "val/loss$"};
 *   lm_custom_layout_add_multiline(l, "Overview", "Loss", loss, 2);
 *   lm_custom_layout_add_margin(l, "Overview", "Accuracy", "val/acc",
 *                               "val/acc_low", "val/acc_high");
 *   lm_writer_add_custom_scalars(w, l);
 *   lm_custom_layout_free(l);
 *
 * Tables custom_scalar_charts and custom_scalar_tags (docs/run-format.md). */
typedef struct lm_custom_layout lm_custom_layout;

int lm_custom_layout_new(lm_custom_layout **out);
void lm_custom_layout_free(lm_custom_layout *layout);
/* Category and title: non-empty UTF-8; a title may appear once per
 * category.  tags: n >= 1 regexes (each checked with regcomp). */
int lm_custom_layout_add_multiline(lm_custom_layout *layout,
                                   const char *category, const char *title,
                                   const char *const *tags, size_t n);
/* value, lower, upper: the three scalar tags of a margin chart. */
int lm_custom_layout_add_margin(lm_custom_layout *layout,
                                const char *category, const char *title,
                                const char *value, const char *lower,
                                const char *upper);
size_t lm_custom_layout_chart_count(const lm_custom_layout *layout);

/* Stores the layout (a copy; it needs at least one chart). */
int lm_writer_add_custom_scalars(lm_writer *w, const lm_custom_layout *layout);
/* One-chart shortcuts, as add_custom_scalars_multilinechart and
 * add_custom_scalars_marginchart: category NULL -> "default", title NULL
 * -> "untitled" (their defaults). */
int lm_writer_add_custom_scalars_multilinechart(lm_writer *w,
                                                const char *const *tags,
                                                size_t n,
                                                const char *category,
                                                const char *title);
int lm_writer_add_custom_scalars_marginchart(lm_writer *w, const char *value,
                                             const char *lower,
                                             const char *upper,
                                             const char *category,
                                             const char *title);

/* ------------------------------------------------------------------ text */

/* UTF-8, Markdown allowed. */
int lm_writer_add_text(lm_writer *w, const char *tag, int64_t step,
                       const char *text);

/* -------------------------------------------------------- hyperparameters */

typedef enum {
  LM_HPARAM_NUMBER = 0,
  LM_HPARAM_STRING = 1,
  LM_HPARAM_BOOL = 2,
} lm_hparam_type;

typedef struct {
  const char *name;
  lm_hparam_type type;
  double number;      /* LM_HPARAM_NUMBER */
  const char *string; /* LM_HPARAM_STRING */
  bool boolean;       /* LM_HPARAM_BOOL */
  /* Optional (NULL: none), TensorBoard's HParamInfo.display_name and
   * description: a viewer titles the column with display_name where the
   * name would be, and shows description as its tooltip. */
  const char *display_name;
  const char *description;
} lm_hparam;

/* Convenience initialisers: lm_hparam hp[] = { LM_HP_NUMBER("lr", 0.1), ... } */
#define LM_HP_NUMBER(n, v) ((lm_hparam){ .name = (n), .type = LM_HPARAM_NUMBER, .number = (v) })
#define LM_HP_STRING(n, v) ((lm_hparam){ .name = (n), .type = LM_HPARAM_STRING, .string = (v) })
#define LM_HP_BOOL(n, v)   ((lm_hparam){ .name = (n), .type = LM_HPARAM_BOOL, .boolean = (v) })

/* Records the run's hyperparameters (a later call with the same name
 * replaces the value) and the scalar tags that measure it (log those with
 * lm_writer_add_scalar as usual).  metric_tags may be NULL when n_metrics
 * is 0. */
int lm_writer_add_hparams(lm_writer *w, const lm_hparam *hps, size_t n,
                          const char *const *metric_tags, size_t n_metrics);

/* A metric of lm_writer_add_hparams_ex, TensorBoard's hp.Metric(tag,
 * group=...): the scalar `tag` logged in the sub-run `group` of this run
 * (a relative run name: "validation" is the run "<this run>/validation",
 * as Keras' TensorBoard callback writes "train" and "validation").  A NULL,
 * "" or "." group is this run itself.  A viewer names the metric
 * "group.tag", as TensorBoard does. */
typedef struct {
  const char *tag;
  const char *group;
  /* Optional (NULL: none), TensorBoard's MetricInfo.display_name and
   * description, shown as lm_hparam's are. */
  const char *display_name;
  const char *description;
} lm_hparam_metric;

#define LM_HP_METRIC(t, g) ((lm_hparam_metric){ .tag = (t), .group = (g) })

/* lm_writer_add_hparams with metrics that may live in sub-runs:
 * lm_hparam_metric m[] = { LM_HP_METRIC("epoch_accuracy", "validation") }.
 * A group with an empty, "." or ".." component, or starting with '/', is
 * refused. */
int lm_writer_add_hparams_ex(lm_writer *w, const lm_hparam *hps, size_t n,
                             const lm_hparam_metric *metrics, size_t n_metrics);

/* The hparams a viewer shows as columns for this run, in this order,
 * TensorBoard's Experiment.hparam_infos (hp.hparams_config(hparams=...)):
 * an hparam the run logged that is not named is left out, one named that
 * it did not log shows no value.  A later call replaces the list; n 0
 * clears it (every hparam logged is shown, sorted by name). */
int lm_writer_set_hparam_columns(lm_writer *w, const char *const *names,
                                 size_t n);

/* ----------------------------------------------------------------- graphs */

/* A generic DAG: nodes with caller-chosen ids, edges from a node's output
 * to an input slot of another node.  Build, log, free. */
typedef struct lm_graph lm_graph;

typedef struct {
  int64_t id;              /* unique within the graph */
  const char *op;          /* required: "matmul", "conv2d", "parameter"... */
  const char *name;        /* display name, may be NULL */
  const char *module;      /* module path like "features.3", NULL -> "" */
  const int64_t *shape;    /* output shape, ndim entries; NULL if unknown */
  int ndim;                /* -1: shape unknown (stored as NULL) */
  const char *dtype;       /* "float32"..., may be NULL */
  const char *device;      /* "cpu", "cuda:0"..., may be NULL */
  const char *attrs_json;  /* a JSON object, may be NULL */
} lm_graph_node;

int lm_graph_new(lm_graph **out, const char *name);
void lm_graph_free(lm_graph *g);
/* Copies everything it is given. */
int lm_graph_add_node(lm_graph *g, const lm_graph_node *node);
int lm_graph_add_edge(lm_graph *g, int64_t src, int64_t dst, int dst_slot);
size_t lm_graph_node_count(const lm_graph *g);
size_t lm_graph_edge_count(const lm_graph *g);

/* Stores the graph; *graph_id (may be NULL) receives its id in the file,
 * to pass to lm_trace_new().  Fails if an edge names an unknown node. */
int lm_writer_add_graph(lm_writer *w, int64_t step, const lm_graph *g,
                        int64_t *graph_id);

/* ----------------------------------------------------------------- traces */

/* An ordered list of op events for step-through debugging.  Each event
 * records a tensor's statistics (computed here from all values) and the
 * values themselves when numel <= the trace's values cap. */
typedef struct lm_trace lm_trace;

/* Also defined, identically, by lumen-engine.h: a program may include both. */
#ifndef LM_PHASE_DEFINED
#define LM_PHASE_DEFINED
typedef enum {
  LM_PHASE_FORWARD = 0,
  LM_PHASE_BACKWARD = 1,
} lm_phase;
#endif

#define LM_TRACE_DEFAULT_VALUES_CAP 65536 /* floats stored per event */

/* graph_id: from lm_writer_add_graph, or -1 for none. */
int lm_trace_new(lm_trace **out, int64_t graph_id, int64_t step);
void lm_trace_free(lm_trace *t);
/* Max numel whose values are stored (0: statistics only). */
void lm_trace_set_values_cap(lm_trace *t, size_t cap);
/* values: numel float32 (may be NULL only when numel is 0).  shape may be
 * NULL with ndim -1 (unknown). */
int lm_trace_add_event(lm_trace *t, int64_t node_id, lm_phase phase,
                       const int64_t *shape, int ndim, const float *values,
                       size_t numel);
size_t lm_trace_event_count(const lm_trace *t);
/* For a tensor whose values the caller did not keep (too big): statistics
 * it computed itself, with the definitions above; no values are stored. */
typedef struct {
  double min, max, mean, std; /* NaN where undefined */
  int64_t nan_count, inf_count, zero_count;
} lm_trace_stats;
int lm_trace_add_event_stats(lm_trace *t, int64_t node_id, lm_phase phase,
                             const int64_t *shape, int ndim, size_t numel,
                             const lm_trace_stats *stats);

/* Profiling (torch.profiler's view of a step): the time of the event added
 * last, start_ns from the step's start and dur_ns its duration, both in
 * nanoseconds (trace_events.start_ns, dur_ns; NULL for events never timed). */
int lm_trace_set_event_time(lm_trace *t, int64_t start_ns, int64_t dur_ns);
/* Memory profiling (torch.profiler's profile_memory): for the event added
 * last, the bytes its op allocated and freed, the bytes allocated on its
 * device at its end and the most allocated during it (trace_events
 * alloc_bytes, free_bytes, mem_after, mem_peak; NULL for events without). */
int lm_trace_set_event_memory(lm_trace *t, int64_t alloc_bytes,
                              int64_t free_bytes, int64_t mem_after,
                              int64_t mem_peak);
/* The input shapes of the event added last, as text such as
 * "[[64, 784], [128, 784], [128]]" (trace_events.input_shapes). */
int lm_trace_set_event_input_shapes(lm_trace *t, const char *input_shapes);
/* The profiled step's wall time in nanoseconds (traces.dur_ns). */
int lm_trace_set_step_time(lm_trace *t, int64_t dur_ns);

int lm_writer_add_trace(lm_writer *w, const lm_trace *t, int64_t *trace_id);

/* ------------------------------------------------------------- embeddings */

/* SummaryWriter.add_embedding for the projector: mat is n points x d
 * dimensions, float32 row-major, every value finite.  tag NULL ->
 * "default" (add_embedding's tag).  metadata: NULL or n UTF-8 labels (the
 * projector colours and searches by them).  label_img: NULL (then c, h,
 * w_px are 0) or n thumbnails of c x h x w_px floats in [0, 1] (CHW, the
 * layout of add_embedding's N x C x H x W label_img), c 1 or 3; they are
 * tiled into one sprite PNG as TensorBoard's make_sprite does.  n * d * 4
 * bytes must stay under 1,000,000,000 (LM_ERR_TOO_LARGE), the sprite under
 * lm_writer_options.max_image_bytes.  The table layout is in
 * docs/run-format.md ("Embeddings"). */
int lm_writer_add_embedding(lm_writer *w, const char *tag, int64_t step,
                            const float *mat, size_t n, size_t d,
                            const char *const *metadata,
                            const float *label_img, int c, int h, int w_px);
/* add_embedding(metadata=rows, metadata_header=header): as
 * lm_writer_add_embedding with several metadata columns a point.  header:
 * n_columns (>= 1) distinct, non-empty UTF-8 column names; metadata:
 * n x n_columns UTF-8 values, row-major (point i's column j at
 * metadata[i * n_columns + j]).  No name or value may hold a tab or a line
 * break (metadata.tsv could not hold it).  The first column is the label
 * (what lm_writer_add_embedding's metadata is); the projector colours,
 * labels and searches by any column.  Refused, naming the argument: a
 * NULL header, metadata or value, n_columns 0, an empty or repeated
 * name, a tab or line break, non-UTF-8 (LM_ERR_UTF8). */
int lm_writer_add_embedding_columns(lm_writer *w, const char *tag,
                                    int64_t step, const float *mat, size_t n,
                                    size_t d, const char *const *header,
                                    size_t n_columns,
                                    const char *const *metadata,
                                    const float *label_img, int c, int h,
                                    int w_px);

#ifdef __cplusplus
}
#endif

#endif /* LUMEN_LOG_H */
