/* lm-log-private.h: internals shared by the files of lumen-log.
 *
 * What it is for: the writer struct, the queue record layout, the payload
 * structs that travel from logging calls to the writer thread, and the
 * helpers (errors, UTF-8/JSON checks, schema) the files share.
 * Not installed, not for users: the public API is lumen-log.h.
 *
 * The queue is a ring of fixed 32-byte records guarded by one mutex.  A
 * scalar is one record (no allocation); bigger kinds carry a pointer to a
 * heap payload that the writer thread frees once stored.  Producers write
 * slots in [head, tail + capacity) under the mutex; the writer snapshots
 * [tail, head) under the mutex, stores it with the mutex released, then
 * advances tail.  The mutex hand-offs give the needed memory ordering.
 */
#ifndef LM_LOG_PRIVATE_H
#define LM_LOG_PRIVATE_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>

#include "lumen-log.h"

/* ---------------------------------------------------------------- records */

typedef enum {
  LM_REC_SCALAR = 1,
  LM_REC_TAG,       /* payload lm_tag_payload: a new row for `tags` */
  LM_REC_HISTOGRAM, /* payload lm_hist_payload */
  LM_REC_IMAGE,     /* payload lm_image_payload */
  LM_REC_TEXT,      /* payload lm_text_payload */
  LM_REC_HPARAMS,   /* payload lm_hparams_payload */
  LM_REC_GRAPH,     /* payload lm_graph_payload */
  LM_REC_TRACE,     /* payload lm_trace_payload */
  LM_REC_EMBEDDING, /* payload lm_embedding_payload (lm-embedding.c) */
  LM_REC_RUN_KV,    /* payload lm_kv_payload: a `run` key/value */
  LM_REC_PR_CURVE,  /* payload lm_pr_payload */
  LM_REC_CUSTOM_SCALARS, /* payload lm_custom_payload (lm-custom-scalars.c) */
  LM_REC_AUDIO,     /* payload lm_audio_payload (lm-audio.c) */
  LM_REC_MESH,      /* payload lm_mesh_payload (lm-mesh.c) */
} lm_rec_kind;

/* Tag kinds, as stored in tags.kind. */
typedef enum {
  LM_TAG_SCALAR = 0,
  LM_TAG_HISTOGRAM,
  LM_TAG_IMAGE,
  LM_TAG_TEXT,
  LM_TAG_PR_CURVE,
  LM_TAG_AUDIO,
  LM_TAG_MESH,
  LM_TAG_N_KINDS
} lm_tag_kind;
const char *lm_tag_kind_name(lm_tag_kind k);

typedef struct {
  uint32_t kind;   /* lm_rec_kind */
  uint32_t tag_id; /* tags.id for tagged kinds */
  int64_t step;
  double wall_time;
  union {
    double value;  /* LM_REC_SCALAR */
    void *payload; /* everything else; starts with lm_payload */
  } u;
} lm_rec;

/* Every payload starts with this: its size counts against queue_max_bytes. */
typedef struct {
  size_t bytes;
} lm_payload;

typedef struct {
  lm_payload hdr;
  lm_tag_kind kind;
  char name[];
} lm_tag_payload;

typedef struct {
  lm_payload hdr;
  double count, min, max, sum, sum_squares;
  int64_t nan_count;
  size_t bucket_count;
  double *edges;  /* bucket_count + 1, inside this allocation */
  double *counts; /* bucket_count, inside this allocation */
} lm_hist_payload;

typedef struct {
  lm_payload hdr;
  int width, height, channels;
  size_t png_len;
  unsigned char *png; /* inside this allocation */
  char *caption;      /* NULL or inside this allocation */
  char *grid;         /* NULL or JSON inside this allocation */
  int n_frames;       /* 0: a still image (frames and fps NULL) */
  double fps;
  char *boxes;        /* NULL or JSON inside this allocation */
} lm_image_payload;

typedef struct {
  lm_payload hdr;
  char text[];
} lm_text_payload;

typedef struct {
  lm_payload hdr;
  size_t num_thresholds;
  double *v; /* 6 x num_thresholds: tp, fp, tn, fn, precision, recall */
} lm_pr_payload;

typedef struct {
  lm_payload hdr;
  char *key;
  char *value; /* NULL stores SQL NULL */
} lm_kv_payload;

typedef struct {
  lm_payload hdr;
  size_t n, n_metrics;
  lm_hparam *hps;      /* names/strings point inside this allocation */
  char **metric_tags;  /* inside this allocation */
  char **metric_groups; /* inside this allocation; NULL: this run's own */
  char **metric_labels; /* display_name, description of metric i at 2i,
                         * 2i+1: inside this allocation or NULL */
  /* lm_writer_set_hparam_columns (n and n_metrics 0): the list that
   * replaces hparam_columns' rows, inside this allocation */
  bool set_columns;
  size_t n_columns;
  char **columns;
} lm_hparams_payload;

typedef struct {
  lm_payload hdr;
  int64_t graph_id;
  lm_graph *graph; /* a private deep copy */
} lm_graph_payload;

typedef struct {
  lm_payload hdr;
  int64_t trace_id;
  lm_trace *trace; /* a private deep copy */
} lm_trace_payload;

/* -------------------------------------------------------------- tag table */

typedef struct {
  uint64_t hash; /* 0 = empty slot */
  uint32_t id;
  uint32_t kind;
  char *name;
} lm_tag_entry;

typedef struct {
  lm_tag_entry *slots;
  size_t cap;   /* power of two */
  size_t count;
} lm_tag_table;

/* Scalar summaries: for every tag, consecutive blocks of
 * LM_SUMMARY_BLOCK scalars (in log order) with their count and four real
 * points (first, smallest, largest, last) plus one NaN point, so a reader
 * can draw a complete overview of millions of points from a few thousand
 * rows before it has read them all.  Written by the writer thread in the
 * same transaction as the rows they summarise (docs/run-format.md). */
#define LM_SUMMARY_BLOCK 256
#define LM_SCALAR_SUMMARIES_SQL                                              \
  "CREATE TABLE IF NOT EXISTS scalar_summaries (\n"                          \
  "  tag_id INTEGER NOT NULL REFERENCES tags(id),\n"                         \
  "  block INTEGER NOT NULL,\n"                                              \
  "  count INTEGER NOT NULL,\n"                                              \
  "  nan_count INTEGER NOT NULL,\n"                                          \
  "  first_step INTEGER NOT NULL, first_wall REAL NOT NULL, first_value REAL,\n" \
  "  last_step INTEGER NOT NULL, last_wall REAL NOT NULL, last_value REAL,\n" \
  "  min_step INTEGER, min_wall REAL, min_value REAL,\n"                     \
  "  max_step INTEGER, max_wall REAL, max_value REAL,\n"                     \
  "  nan_step INTEGER, nan_wall REAL,\n"                                     \
  "  PRIMARY KEY (tag_id, block)) WITHOUT ROWID;\n"

/* PR curves (lm_writer_add_pr_curve): one pr_curves row per logged curve
 * and one pr_curve_points row per threshold, so a curve reads back with a
 * plain SELECT.  IF NOT EXISTS: a run file from before PR curves gets the
 * tables when a newer writer reopens it (schema version 1 still). */
#define LM_PR_CURVES_SQL                                                     \
  "CREATE TABLE IF NOT EXISTS pr_curves (\n"                                 \
  "  id INTEGER PRIMARY KEY,\n"                                              \
  "  tag_id INTEGER NOT NULL REFERENCES tags(id),\n"                         \
  "  step INTEGER NOT NULL,\n"                                               \
  "  wall_time REAL NOT NULL,\n"                                             \
  "  num_thresholds INTEGER NOT NULL);\n"                                    \
  "CREATE INDEX IF NOT EXISTS pr_curves_tag_step ON pr_curves (tag_id, step);\n" \
  "CREATE TABLE IF NOT EXISTS pr_curve_points (\n"                           \
  "  curve_id INTEGER NOT NULL REFERENCES pr_curves(id),\n"                  \
  "  i INTEGER NOT NULL,\n"                                                  \
  "  threshold REAL NOT NULL,\n"                                             \
  "  tp REAL NOT NULL, fp REAL NOT NULL, tn REAL NOT NULL, fn REAL NOT NULL,\n" \
  "  precision REAL NOT NULL, recall REAL NOT NULL,\n"                        \
  "  PRIMARY KEY (curve_id, i)) WITHOUT ROWID;\n"

/* Custom-scalar layouts (lm_writer_add_custom_scalars): one
 * custom_scalar_charts row per chart in log order, its tags (regexes of a
 * multiline chart; value, lower, upper of a margin chart) in
 * custom_scalar_tags.  IF NOT EXISTS: an older run file gets the tables
 * when a newer writer reopens it (schema version 1 still). */
#define LM_CUSTOM_SCALARS_SQL                                                \
  "CREATE TABLE IF NOT EXISTS custom_scalar_charts (\n"                      \
  "  id INTEGER PRIMARY KEY,\n"                                              \
  "  wall_time REAL NOT NULL,\n"                                             \
  "  category TEXT NOT NULL,\n"                                              \
  "  title TEXT NOT NULL,\n"                                                 \
  "  kind TEXT NOT NULL);\n"                                                 \
  "CREATE TABLE IF NOT EXISTS custom_scalar_tags (\n"                        \
  "  chart_id INTEGER NOT NULL REFERENCES custom_scalar_charts(id),\n"       \
  "  i INTEGER NOT NULL,\n"                                                  \
  "  tag TEXT NOT NULL,\n"                                                   \
  "  PRIMARY KEY (chart_id, i)) WITHOUT ROWID;\n"

/* Audio clips (lm_writer_add_audio*): one row per clip, the whole WAV
 * file in `wav`.  IF NOT EXISTS: an older run file gets the table when a
 * newer writer reopens it (schema version 1 still). */
#define LM_AUDIO_SQL                                                         \
  "CREATE TABLE IF NOT EXISTS audio (\n"                                     \
  "  id INTEGER PRIMARY KEY,\n"                                              \
  "  tag_id INTEGER NOT NULL REFERENCES tags(id),\n"                         \
  "  step INTEGER NOT NULL,\n"                                               \
  "  wall_time REAL NOT NULL,\n"                                             \
  "  sample_rate REAL NOT NULL,\n"                                           \
  "  channels INTEGER NOT NULL,\n"                                           \
  "  frames INTEGER NOT NULL,\n"                                             \
  "  wav BLOB NOT NULL,\n"                                                   \
  "  label TEXT);\n"                                                         \
  "CREATE INDEX IF NOT EXISTS audio_tag_step ON audio (tag_id, step);\n"

typedef struct {
  lm_payload hdr;
  double sample_rate;
  int channels;
  int64_t frames;
  size_t wav_len;
  unsigned char *wav; /* inside this allocation */
  char *label;        /* NULL or inside this allocation */
} lm_audio_payload;

/* Metrics that live in a sub-run (lm_writer_add_hparams_ex, TensorBoard's
 * MetricName.group): the scalar `tag` of the run "<this run>/<grp>".  A
 * table of its own, as hparam_metrics' key is the tag alone and Keras
 * measures "epoch_loss" in both "train" and "validation".  IF NOT EXISTS:
 * an older run file gets it when a newer writer reopens it. */
#define LM_HPARAM_GROUPS_SQL                                                 \
  "CREATE TABLE IF NOT EXISTS hparam_group_metrics (\n"                      \
  "  grp TEXT NOT NULL,\n"                                                   \
  "  tag TEXT NOT NULL,\n"                                                   \
  "  PRIMARY KEY (grp, tag)) WITHOUT ROWID;\n"

/* Display names and descriptions of hparams and metrics (lm_hparam's and
 * lm_hparam_metric's, TensorBoard's HParamInfo and MetricInfo
 * display_name and description): kind 'hparam' (grp '') or 'metric' (grp
 * its group, '' for this run's own).  Only those given one have a row.
 * IF NOT EXISTS: an older run file gets it when a newer writer reopens
 * it; without it, every column is titled by its name. */
#define LM_HPARAM_LABELS_SQL                                                 \
  "CREATE TABLE IF NOT EXISTS hparam_labels (\n"                             \
  "  kind TEXT NOT NULL,\n"                                                  \
  "  grp TEXT NOT NULL,\n"                                                   \
  "  name TEXT NOT NULL,\n"                                                  \
  "  display_name TEXT,\n"                                                   \
  "  description TEXT,\n"                                                    \
  "  PRIMARY KEY (kind, grp, name)) WITHOUT ROWID;\n"

/* The hparams a viewer shows as columns, in order i
 * (lm_writer_set_hparam_columns, TensorBoard's Experiment.hparam_infos);
 * no rows: every hparam.  IF NOT EXISTS, as hparam_labels. */
#define LM_HPARAM_COLUMNS_SQL                                                \
  "CREATE TABLE IF NOT EXISTS hparam_columns (\n"                            \
  "  i INTEGER PRIMARY KEY,\n"                                               \
  "  name TEXT NOT NULL);\n"

/* Meshes and point clouds (lm_writer_add_mesh): one row per mesh, its
 * vertices, colours and faces as little-endian blobs.  IF NOT EXISTS: an
 * older run file gets the table when a newer writer reopens it (schema
 * version 1 still). */
#define LM_MESHES_SQL                                                        \
  "CREATE TABLE IF NOT EXISTS meshes (\n"                                    \
  "  id INTEGER PRIMARY KEY,\n"                                              \
  "  tag_id INTEGER NOT NULL REFERENCES tags(id),\n"                         \
  "  step INTEGER NOT NULL,\n"                                               \
  "  wall_time REAL NOT NULL,\n"                                             \
  "  n_vertices INTEGER NOT NULL,\n"                                         \
  "  n_faces INTEGER NOT NULL,\n"                                            \
  "  vertices BLOB NOT NULL,\n"                                              \
  "  colors BLOB,\n"                                                         \
  "  faces BLOB,\n"                                                          \
  "  config TEXT);\n"                                                        \
  "CREATE INDEX IF NOT EXISTS meshes_tag_step ON meshes (tag_id, step);\n"

typedef struct {
  lm_payload hdr;
  int64_t n_vertices, n_faces;
  float *vertices;   /* n_vertices x 3, inside this allocation */
  uint8_t *colors;   /* NULL or n_vertices x 3, inside this allocation */
  int32_t *faces;    /* NULL or n_faces x 3, inside this allocation */
  char *config;      /* NULL or JSON inside this allocation */
} lm_mesh_payload;

typedef enum {
  LM_CUSTOM_MULTILINE = 0,
  LM_CUSTOM_MARGIN = 1,
} lm_custom_kind;

/* One chart of a layout; in a payload its strings live in the same
 * allocation. */
typedef struct {
  lm_custom_kind kind;
  char *category, *title;
  size_t n_tags;
  char **tags;
} lm_custom_chart;

typedef struct {
  lm_payload hdr;
  size_t n;
  lm_custom_chart *charts; /* inside this allocation */
} lm_custom_payload;

/* One point of a summary (value NaN for a NaN). */
typedef struct {
  int64_t step;
  double wall, value;
} lm_summary_point;

/* The open block of one scalar tag, kept by the writer thread. */
typedef struct {
  int64_t block;   /* its number; -1 until looked up in the file */
  uint32_t count, nan_count;
  bool dirty;      /* has points not yet written to scalar_summaries */
  bool have_minmax;
  lm_summary_point first, last, min, max, nan;
} lm_summary_acc;

/* ----------------------------------------------------------------- writer */

struct lm_writer {
  /* fixed after open */
  char *logdir, *run_name, *run_dir, *path, *lock_path;
  int lock_fd;
  sqlite3 *db; /* owned by the writer thread while it runs */
  sqlite3_stmt *stmts[24]; /* prepared by lm_store_prepare() */
  /* scalar summaries being built, indexed by tag id (writer thread only) */
  lm_summary_acc *sums;
  size_t n_sums;
  unsigned flush_interval_ms;
  size_t max_image_bytes;
  size_t max_video_bytes; /* n_frames * width * height * 4 */
  size_t max_mesh_bytes;  /* vertex + colour + face bytes of a mesh */
  size_t queue_max_bytes;
  bool quiet;
  bool purge;              /* delete records with step >= purge_step at open */
  int64_t purge_step;
  /* lm_writer_set_wall_time(): the bits of the wall time given to records
   * logged from now on, 0 for the clock (read and written atomically). */
  uint64_t wall_time_bits;
  pthread_t thread;
  bool thread_started;

  pthread_mutex_t mu;
  pthread_cond_t work_cond;  /* writer waits for work / flush / stop */
  pthread_cond_t space_cond; /* producers wait for queue space */
  pthread_cond_t done_cond;  /* flushers wait for commits */

  /* queue (guarded by mu) */
  lm_rec *ring;
  size_t cap, mask;
  uint64_t head, tail;      /* monotonically increasing record counters */
  uint64_t committed;       /* records up to this counter are committed */
  uint64_t flush_target;    /* a flusher waits for committed >= this */
  size_t pending_bytes;
  int space_waiters;
  bool writer_waiting;
  bool stopping;
  /* this is a fork() child's copy of a writer of the parent: every call
   * fails (there is no writer thread here, and the connection is the
   * parent's); `stopping` is set too, so the hot path checks one flag */
  bool forked;
  long owner_pid;           /* the process that opened it */
  bool thread_exited;       /* the writer thread has left its loop */

  /* who closes it (guarded by the registry mutex in lm-writer.c): set once
   * lm_writer_open has started the thread; `closing` once lm_writer_close
   * or the exit handler has taken it, so a writer is never closed twice */
  bool open;
  bool closing;

  lm_tag_table tags;
  uint32_t next_tag_id;
  int64_t next_graph_id, next_trace_id;
  bool status_set;
  const char *status_chosen; /* lm_writer_set_status's, a static string */

  /* counters (guarded by mu) */
  uint64_t records, commits, queue_waits, queue_wait_ns;

  /* sticky background error (guarded by mu) */
  int bg_error;
  char bg_msg[512];

  /* last message on this writer (guarded by err_mu) */
  pthread_mutex_t err_mu;
  char errmsg[512];
};

/* ---------------------------------------------------------------- errors */

/* Formats the message into this thread's last-error buffer (and w's, when
 * w is not NULL) and returns code. */
int lm_fail(lm_writer *w, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Maps an SQLite result (and its errno) to an lm_error code. */
int lm_error_from_sqlite(sqlite3 *db, int rc);
/* sqlite3_errmsg, with the system's reason after an I/O or open error
 * ("disk I/O error: File too large"); valid until this thread's next
 * call. */
const char *lm_sqlite_errmsg(sqlite3 *db);

/* ---------------------------------------------------------------- checks */

/* 0 if s (len bytes) is valid UTF-8 (no overlongs, no surrogates, nothing
 * past U+10FFFF), else the offset of the first bad byte + 1. */
size_t lm_utf8_check(const char *s, size_t len);
/* A non-NULL writer and a non-empty tag (the first check of a logging
 * call): LM_OK, or LM_ERR_INVALID_ARG saying which is missing. */
int lm_check_writer_tag(lm_writer *w, const char *tag);
/* Validates a tag/name: LM_OK, or an error with a message naming `what`. */
int lm_check_name(lm_writer *w, const char *what, const char *s);
/* Validates a relative path name (a run name, a metric's group): one or
 * more non-empty components, none "." or "..", not starting with '/'
 * (the message says it must be relative to `base`). */
int lm_check_relative_name(lm_writer *w, const char *what, const char *s,
                           const char *base);
/* Validates optional UTF-8 text (NULL allowed when nullable). */
int lm_check_text(lm_writer *w, const char *what, const char *s, bool nullable);
/* True if s is exactly one JSON value (RFC 8259), whitespace around. */
bool lm_json_valid(const char *s);
/* Appends s as a JSON string literal (quotes included) to buf at *pos;
 * returns false if it does not fit in cap bytes. */
bool lm_json_append_string(char *buf, size_t cap, size_t *pos, const char *s);

/* --------------------------------------------------------------- schema */

/* The full CREATE script for a new run file (tables and indexes). */
extern const char lm_schema_sql[];
/* Per-connection settings for a writer connection (WAL, page size...). */
int lm_schema_configure(sqlite3 *db, char *err, size_t errlen);
/* Adds the columns schema 1 gained later (traces.dur_ns, trace_events
 * start_ns, dur_ns, input_shapes, alloc_bytes, free_bytes, mem_after,
 * mem_peak) to an older file that lacks them. */
int lm_schema_add_columns(sqlite3 *db, char *err, size_t errlen);

/* ---------------------------------------------------------------- queue */

/* Tag interning: finds or creates the id of (name, kind).  Must hold
 * w->mu; on creation also enqueues an LM_REC_TAG record (the caller has
 * made room for one extra record).  Returns LM_OK or an error. */
int lm_tag_intern_locked(lm_writer *w, const char *name, lm_tag_kind kind,
                         uint32_t *id);
/* Loads an existing tag row at open time. */
int lm_tag_table_insert(lm_tag_table *t, const char *name, lm_tag_kind kind,
                        uint32_t id);
void lm_tag_table_clear(lm_tag_table *t);

/* Waits (counting the wait) until `records` slots and `bytes` payload
 * bytes are free; returns an error if the writer failed meanwhile.  Must
 * hold w->mu. */
int lm_queue_reserve_locked(lm_writer *w, size_t records, size_t bytes);
/* The error every call on a fork() child's copy of a writer returns
 * (LM_ERR_INVALID_ARG, naming both processes).  Must hold w->mu. */
int lm_fail_forked_locked(lm_writer *w);
/* Appends one record; room must have been reserved.  Must hold w->mu. */
static inline void lm_queue_push_locked(lm_writer *w, const lm_rec *r) {
  w->ring[w->head & w->mask] = *r;
  w->head++;
  w->records++;
  if (r->kind != LM_REC_SCALAR)
    w->pending_bytes += ((lm_payload *)r->u.payload)->bytes;
}
/* Queues a payload record for a tagged kind (tag may be NULL for untagged
 * kinds).  Takes ownership of payload in every case. */
int lm_queue_payload(lm_writer *w, lm_rec_kind kind, const char *tag,
                     lm_tag_kind tag_kind, int64_t step, double wall_time,
                     void *payload);
void lm_payload_free(uint32_t kind, void *payload);

/* Wall clock in unix seconds. */
double lm_now(void);
/* The wall time of a record logged now on w: lm_writer_set_wall_time()'s,
 * or the clock's. */
double lm_writer_now(lm_writer *w);

/* --------------------------------------------------------- writer thread */

void *lm_writer_thread_main(void *arg);
/* Stores records [from, from+n) of the ring in the open transaction. */
int lm_store_records(lm_writer *w, uint64_t from, size_t n, char *err,
                     size_t errlen);
int lm_store_prepare(lm_writer *w, char *err, size_t errlen);
void lm_store_finalize(lm_writer *w);

/* ------------------------------------------------------ graphs & traces */

lm_graph *lm_graph_clone(const lm_graph *g);
lm_trace *lm_trace_clone(const lm_trace *t);
/* Checks edges name known nodes; message into w. */
int lm_graph_validate(lm_writer *w, const lm_graph *g);
int lm_graph_store(sqlite3 *db, int64_t graph_id, int64_t step,
                   double wall_time, const lm_graph *g);
int lm_trace_store(sqlite3 *db, int64_t trace_id, double wall_time,
                   const lm_trace *t);

/* ----------------------------------------------------------------- PNG */

/* Encodes HWC 8-bit pixels to a malloc'd PNG; returns 0 or an error
 * (message in err). */
int lm_png_encode(const uint8_t *pixels, int width, int height, int channels,
                  unsigned char **out, size_t *out_len, char *err,
                  size_t errlen);
/* n_frames HWC frames to a malloc'd animated PNG (lm-apng.h), each full
 * size, blend OP_SOURCE, dispose OP_NONE, shown 1/fps s, played forever. */
int lm_apng_encode(const uint8_t *frames, int n_frames, int width, int height,
                   int channels, double fps, unsigned char **out,
                   size_t *out_len, char *err, size_t errlen);
/* An image's size against opts.max_image_bytes and PNG's limit of a
 * million pixels a side (LM_ERR_TOO_LARGE naming the image). */
int lm_image_size_check(lm_writer *w, const char *tag, size_t width,
                        size_t height, size_t channels);
/* A video's n_frames frames of width x height x channels: each frame
 * against opts.max_image_bytes, all of them as RGBA against
 * opts.max_video_bytes, and PNG's limit of a million pixels a side
 * (LM_ERR_TOO_LARGE naming the video). */
int lm_video_size_check(lm_writer *w, const char *tag, size_t n_frames,
                        size_t width, size_t height, size_t channels);
/* libpng's error and warning callbacks for a png_struct whose error
 * pointer is a char[LM_PNG_MSG_LEN]: an error's message is kept there and
 * libpng longjmps to the caller's setjmp; warnings are ignored.  (struct
 * png_struct_def is png.h's png_struct, so this header needs no png.h.) */
#define LM_PNG_MSG_LEN 200
struct png_struct_def;
void lm_png_error(struct png_struct_def *png, const char *msg);
void lm_png_warning(struct png_struct_def *png, const char *msg);
/* LM_OK if png's size bytes start with PNG's signature, or
 * LM_ERR_INVALID_ARG "<what> '<tag>': <arg> is NULL" or "<what> '<tag>':
 * not a PNG file (<size> bytes, no PNG signature)". */
int lm_check_png_signature(lm_writer *w, const char *what, const char *tag,
                           const char *arg, const void *png, size_t size);
/* libpng reads every row of the PNG (every pass of an interlaced one):
 * its header is valid and its image data inflates and filters as a
 * reader will see it.  0, or -1 with libpng's message in err. */
int lm_png_check_rows(const unsigned char *png, size_t len, char *err,
                      size_t errlen);
/* Queues an encoded PNG (or APNG: n_frames > 0) for the images table,
 * with its caption, grid and boxes JSON (each may be NULL); `png` is
 * copied into the queued record, once. */
int lm_image_queue_blob(lm_writer *w, const char *tag, int64_t step,
                        const unsigned char *png, size_t png_len, int width,
                        int height, int channels, const char *caption,
                        const char *grid, const char *boxes, int n_frames,
                        double fps);
/* 1/fps as APNG's delay_num/delay_den (16 bits each): exact where it can
 * be (4 -> 1/4, 29.97 -> 100/2997), else the closest fraction. */
void lm_apng_delay(double fps, unsigned *num, unsigned *den);

/* ----------------------------------------------------------- embeddings */

/* lm_writer_add_embedding: one `embeddings` row per call, its labels in
 * `embedding_metadata`; lm_writer_add_embedding_columns' names in
 * `embedding_columns` and its columns after the first in
 * `embedding_values` (the first stays the label older readers read).
 * IF NOT EXISTS: init_file runs this on every file, so a run file from
 * before embeddings gets the tables when a newer writer reopens it (still
 * schema version 1; readers check for them). */
#define LM_EMBEDDINGS_SQL                                                    \
  "CREATE TABLE IF NOT EXISTS embeddings (\n"                                \
  "  id INTEGER PRIMARY KEY,\n"                                              \
  "  tag TEXT NOT NULL,\n"                                                   \
  "  step INTEGER NOT NULL,\n"                                               \
  "  wall_time REAL NOT NULL,\n"                                             \
  "  n INTEGER NOT NULL,\n"                                                  \
  "  d INTEGER NOT NULL,\n"                                                  \
  "  tensor BLOB NOT NULL,\n"                                                \
  "  sprite BLOB,\n"                                                         \
  "  thumb_width INTEGER, thumb_height INTEGER, thumb_channels INTEGER,\n"   \
  "  sprite_cols INTEGER);\n"                                                \
  "CREATE INDEX IF NOT EXISTS embeddings_tag_step ON embeddings (tag, step);\n" \
  "CREATE TABLE IF NOT EXISTS embedding_metadata (\n"                        \
  "  embedding_id INTEGER NOT NULL REFERENCES embeddings(id),\n"             \
  "  i INTEGER NOT NULL,\n"                                                  \
  "  label TEXT NOT NULL,\n"                                                 \
  "  PRIMARY KEY (embedding_id, i)) WITHOUT ROWID;\n"                        \
  "CREATE TABLE IF NOT EXISTS embedding_columns (\n"                         \
  "  embedding_id INTEGER NOT NULL REFERENCES embeddings(id),\n"             \
  "  col INTEGER NOT NULL,\n"                                                \
  "  name TEXT NOT NULL,\n"                                                  \
  "  PRIMARY KEY (embedding_id, col)) WITHOUT ROWID;\n"                      \
  "CREATE TABLE IF NOT EXISTS embedding_values (\n"                          \
  "  embedding_id INTEGER NOT NULL REFERENCES embeddings(id),\n"             \
  "  i INTEGER NOT NULL,\n"                                                  \
  "  col INTEGER NOT NULL,\n"                                                \
  "  value TEXT NOT NULL,\n"                                                 \
  "  PRIMARY KEY (embedding_id, i, col)) WITHOUT ROWID;\n"

typedef struct {
  lm_payload hdr;
  size_t n, d;
  float *mat;         /* n x d, inside this allocation */
  char *labels;       /* NULL or n x n_columns NUL-terminated strings back
                         to back, row-major: column 0 is the label */
  char *header;       /* NULL or n_columns names back to back */
  size_t n_columns;   /* 1 without a header */
  unsigned char *png; /* NULL or the sprite, png_len bytes */
  size_t png_len, sprite_cols;
  int channels, thumb_height, thumb_width;
  char *tag;
} lm_embedding_payload;

/* Writer thread: stores one embedding (an SQLite result code). */
int lm_embedding_store(sqlite3 *db, int64_t step, double wall_time,
                       const lm_embedding_payload *p);

#endif /* LM_LOG_PRIVATE_H */
