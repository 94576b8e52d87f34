/* lm-records.h: histograms, images, texts, audio clips, meshes, PR curves and
 * hyperparameters of every run, live.
 *
 * What it is for: the data behind the non-scalar dashboards.  An
 * LmRecordFeed follows one kind of record (histograms, image metadata,
 * texts, audio clip or mesh metadata, PR curves, hparams or custom-scalar layouts) in every run of an LmRunStore: a worker thread keeps
 * one read-only connection per run, polls `PRAGMA data_version` and reads
 * only rows with an id above the last one seen (docs/run-format.md,
 * "Reading a run while it is written").  Results are merged on the main
 * thread into LmRecordSeries (one per run and tag) and announced with
 * "changed".  Image pixels, audio samples and mesh vertices are not held
 * here: lm-image-loader.h, lm-audio.h and lm-mesh.h fetch one on demand.
 *
 * What it is not for: scalars (LmRun holds those), drawing, GTK.
 */
#pragma once

#include <gio/gio.h>

#include "lm-custom-scalars.h"
#include "lm-histogram.h"
#include "lm-run-store.h"

G_BEGIN_DECLS

typedef enum {
  LM_RECORD_HISTOGRAM,
  LM_RECORD_IMAGE,
  LM_RECORD_TEXT,
  LM_RECORD_HPARAMS,
  LM_RECORD_PR_CURVE,
  LM_RECORD_CUSTOM_SCALARS,
  LM_RECORD_AUDIO,
  LM_RECORD_MESH,
} LmRecordKind;

/* The layout of an image grid logged with lm_writer_add_images_grid
 * (torchvision.utils.make_grid style, docs/run-format.md "images"):
 * image k sits at column k % nrow, row k / nrow, its top-left pixel at
 * (padding + col * (cell_width + padding), padding + row * (cell_height +
 * padding)).  Immutable once parsed and atomically reference counted, so
 * the feed's worker builds it and widgets on the main thread keep it. */
typedef struct
{
  int n, nrow, rows;
  int cell_width, cell_height, padding;
  char **labels;   /* n UTF-8 strings (NULL-terminated), or NULL: none given */
} LmImageGrid;

/* The boxes of an image logged with lm_writer_add_image_with_boxes
 * (docs/run-format.md "images", `boxes`), in the image's pixels as logged:
 * corners as given (xmin may be over xmax), anywhere (the image clips
 * them).  Immutable and atomically reference counted, as LmImageGrid. */
typedef struct
{
  float x0, y0, x1, y1;  /* xmin, ymin, xmax, ymax */
  char *label;           /* NULL: none */
} LmImageBox;

typedef struct
{
  int n;
  LmImageBox *boxes;
} LmImageBoxes;

typedef struct
{
  gint64 id, step;
  double wall_time;
  int width, height, channels;
  char *caption;   /* NULL if none */
  char *grid;      /* the grid JSON, NULL for a single image */
  LmImageGrid *layout;  /* `grid` parsed; NULL for a single image or a bad grid */
  char *grid_error;     /* why `grid` could not be used, NULL when fine */
  int n_frames;    /* a video's frames (lm_writer_add_video); 1 for a still image */
  double fps;      /* a video's frames a second; 0 for a still image */
  LmImageBoxes *boxes;  /* `boxes` parsed; NULL: none logged, or bad JSON */
  char *boxes_error;    /* why `boxes` could not be used, NULL when fine */
} LmImageMeta;

/* One logged audio clip (lm_writer_add_audio*, docs/run-format.md
 * "audio"): its row without the WAV, which LmAudioLoader fetches. */
typedef struct
{
  gint64 id, step;
  double wall_time;
  double sample_rate;
  int channels;
  gint64 frames;
  char *label;     /* Markdown, NULL if none (or not valid UTF-8) */
} LmAudioMeta;

/* One logged mesh or point cloud (lm_writer_add_mesh, docs/run-format.md
 * "meshes"): its row without the blobs, which LmMeshLoader fetches.  An
 * older run file without the table has no meshes. */
typedef struct
{
  gint64 id, step;
  double wall_time;
  gint64 n_vertices, n_faces;   /* n_faces 0: a point cloud */
  gboolean has_colors;
  char *config;    /* the config JSON object, NULL if none */
} LmMeshMeta;

typedef struct
{
  gint64 id, step;
  double wall_time;
  char *value;     /* valid UTF-8 (NULL when error is set) */
  char *error;     /* e.g. the stored text is not valid UTF-8 */
} LmTextRecord;

/* One logged PR curve (lm_writer_add_pr_curve): per threshold i (i /
 * (n_thresholds - 1)), the weighted counts and precision/recall TensorBoard
 * shows.  A curve whose points are missing or out of range keeps its row
 * with `error` set (and n_thresholds 0) so the card can say so.  A feed
 * reads each tag's newest curve first and the older curves' points right
 * after: until then an older curve is `pending` (n_thresholds 0, no
 * points) and is replaced by its whole self in the series. */
typedef struct
{
  gint64 id, step;
  double wall_time;
  guint n_thresholds;
  double *thresholds, *tp, *fp, *tn, *fn, *precision, *recall;   /* one block */
  char *error;
  gboolean pending;
} LmPrCurve;

typedef enum { LM_HP_NUMBER, LM_HP_STRING, LM_HP_BOOL } LmHpType;

typedef struct
{
  char *name;
  LmHpType type;
  double number;   /* NUMBER and BOOL (0/1) */
  char *string;    /* display text for every type */
} LmHpValue;

/* One run's hyperparameters and the final value (largest step, last
 * logged) of each of its metric tags. */
typedef struct
{
  GPtrArray *hparams;   /* LmHpValue*, sorted by name */
  GPtrArray *metrics;   /* char* tag names; "group.tag" for one of a sub-run
                         * (lm_writer_add_hparams_ex), as TensorBoard names it */
  double *metric_values;   /* NaN where the tag has no rows (or its value is NaN) */
  gint64 *metric_steps;
  gboolean *metric_logged;   /* the tag has rows: tells a NaN value from none */
  /* display names and descriptions (TensorBoard's HParamInfo and
   * MetricInfo), only of those given one: lm_hparams_label_key ->
   * LmHpLabel* */
  GHashTable *labels;
  /* the hparams to show as columns, in order (TensorBoard's
   * Experiment.hparam_infos, lm_writer_set_hparam_columns); NULL: every
   * one of hparams, by name */
  GPtrArray *columns;
} LmHparamsRecord;

typedef struct
{
  char *display_name;   /* NULL: none */
  char *description;    /* NULL: none */
} LmHpLabel;

/* The key of an hparam's (metric FALSE) or a metric's labels in
 * LmHparamsRecord.labels: 'h' or 'm', then the name ("group.tag" for a
 * metric of a sub-run).  Free it. */
char           *lm_hparams_label_key (const char *name, gboolean metric);

typedef struct
{
  char *run_name;
  char *tag;          /* "" for hparams and custom scalars */
  LmRecordKind kind;
  /* LmHistogram* / LmImageMeta* / LmTextRecord* / LmPrCurve* / LmAudioMeta* /
   * LmMeshMeta* in
   * (step, id) order, or
   * one LmHparamsRecord* or LmCustomScalars* (the run's layouts merged,
   * lm-custom-scalars.h), replaced when the file changes. */
  GPtrArray *items;
  guint64 version;    /* bumps whenever items change */
} LmRecordSeries;

#define LM_TYPE_RECORD_FEED (lm_record_feed_get_type ())
G_DECLARE_FINAL_TYPE (LmRecordFeed, lm_record_feed, LM, RECORD_FEED, GObject)

LmRecordFeed   *lm_record_feed_new        (LmRunStore *store, LmRecordKind kind);
LmRecordKind    lm_record_feed_get_kind   (LmRecordFeed *self);
LmRunStore     *lm_record_feed_get_store  (LmRecordFeed *self);
/* Polls every poll_ms (default 500) while active; starts inactive.  The
 * first activation reads everything there is. */
void            lm_record_feed_set_active (LmRecordFeed *self, gboolean active);
/* A count of users, for a feed that several views show (a dashboard page,
 * its cards' larger views): each holds it while it shows the feed's data,
 * and the feed is active while any holds it. */
void            lm_record_feed_hold       (LmRecordFeed *self);
void            lm_record_feed_release    (LmRecordFeed *self);
gboolean        lm_record_feed_get_active (LmRecordFeed *self);
void            lm_record_feed_set_poll_interval (LmRecordFeed *self, guint poll_ms);
/* Every run of the store has been read at least once. */
gboolean        lm_record_feed_get_loaded (LmRecordFeed *self);
/* All series, sorted by tag then run name (owned by the feed, valid until
 * the next "changed"). */
GPtrArray      *lm_record_feed_get_series (LmRecordFeed *self);
LmRecordSeries *lm_record_feed_find       (LmRecordFeed *self, const char *run_name, const char *tag);
/* Every record is read in full: no PR curve is still pending. */
gboolean        lm_record_feed_get_complete (LmRecordFeed *self);
/* Why a run's records could not be read (NULL when fine). */
const char     *lm_record_feed_get_run_error (LmRecordFeed *self, const char *run_name);

const char     *lm_record_kind_to_string  (LmRecordKind kind);

/* A feed of LM_RECORD_CUSTOM_SCALARS: every run's layout merged, runs in
 * name order (lm_custom_scalars_merge); empty (no categories) when no run
 * has one.  Unref it. */
LmCustomScalars *lm_record_feed_merge_custom_scalars (LmRecordFeed *self);

void            lm_hparams_record_free    (LmHparamsRecord *rec);
void            lm_image_meta_free        (LmImageMeta *meta);
void            lm_text_record_free       (LmTextRecord *rec);
void            lm_audio_meta_free        (LmAudioMeta *meta);
void            lm_mesh_meta_free         (LmMeshMeta *meta);
void            lm_pr_curve_free          (LmPrCurve *curve);

/* The `grid` JSON of an images row.  Only that fixed shape is accepted:
 * integer n, nrow, rows, cell_width, cell_height, padding and optionally
 * `labels`, an array of n strings; unknown keys are skipped.  The cells
 * must fit inside an image of width x height (a size not > 0 fits none).
 * Returns NULL and sets *error (if error is not NULL) to a message naming
 * what was wrong, for anything else; never reads past the terminating NUL. */
LmImageGrid    *lm_image_grid_parse       (const char *json, int width, int height, char **error);
LmImageGrid    *lm_image_grid_ref         (LmImageGrid *grid);
void            lm_image_grid_unref       (LmImageGrid *grid);
/* Label of image k, or NULL (no labels, or k out of range). */
const char     *lm_image_grid_get_label   (const LmImageGrid *grid, int k);
/* Top-left pixel of image k in the grid image; FALSE if k is out of range
 * (or the origin out of an int's, for a grid not made by the parser). */
gboolean        lm_image_grid_cell_origin (const LmImageGrid *grid, int k, int *x, int *y);
/* The image whose cell holds pixel position (x, y) of the grid image, or
 * -1 on padding, past the last image, or outside. */
int             lm_image_grid_cell_at     (const LmImageGrid *grid, double x, double y);
/* Splits a label of the form "pred P / true T" -- what lumen-train writes
 * for its sample grid, the caption of the PyTorch TensorBoard tutorial's
 * plot_classes_preds -- into P and T (newly allocated).  FALSE, outputs
 * untouched, for any other label. */
gboolean        lm_image_grid_split_prediction (const char *label, char **predicted, char **truth);

/* The `boxes` JSON of an images row; NULL with *error set when it is not
 * an array of [x0, y0, x1, y1] or [x0, y0, x1, y1, "label"] with finite
 * numbers. */
LmImageBoxes   *lm_image_boxes_parse      (const char *json, char **error);
LmImageBoxes   *lm_image_boxes_ref        (LmImageBoxes *boxes);
void            lm_image_boxes_unref      (LmImageBoxes *boxes);
/* The pixels PyTorch's add_image_with_boxes paints red for `box`, in
 * image pixels (edges between pixels): four rectangles x0, y0, x1, y1
 * (top-left, bottom-right), overlapping at the corners, one for each
 * LM_IMAGE_BOX_LINE-pixel line of PIL's path through the corners as given
 * and truncated towards zero (xmin, ymin) (xmin, ymax) (xmax, ymax) (xmax,
 * ymin) (xmin, ymin): a line drawn down or right covers the pixels right of
 * or below it, one drawn up or left those left of or above it, so for
 * xmin < xmax and ymin < ymax the outline covers columns xmin .. xmax and
 * rows ymin - 1 .. ymax + 1, and corners in the other order or a box of no
 * width lie otherwise.  The label's red box sits on (xmin, ymax + 1), its
 * bottom-left, as given. */
#define LM_IMAGE_BOX_LINE 2
void            lm_image_box_outline      (const LmImageBox *box, double r[4][4]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmImageGrid, lm_image_grid_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmImageBoxes, lm_image_boxes_unref)

/* Synchronous reads used by the feed's worker, exposed for tests and
 * benchmarks.  Each appends LmRecordSeries-ready rows with id > *last_id
 * to `out` (char* tag -> GPtrArray* of items) and advances *last_id. */
gboolean        lm_records_read (gpointer db, LmRecordKind kind, gint64 *last_id,
                                 GHashTable *out, char **error);

/* The sub-runs of the run being read: find gives the connection
 * (sqlite3*) of the sub-run `group` ("validation": the run in "<its
 * folder>/validation"), or NULL when there is none; list the groups of
 * the runs below it that no other run with hparams holds (TensorBoard's
 * longest parent session), sorted, freeing their strings. */
typedef struct
{
  gpointer   (*find) (const char *group, gpointer data);
  GPtrArray *(*list) (gpointer data);
} LmHparamsSubRun;

/* A run's LmHparamsRecord (as lm_records_read of LM_RECORD_HPARAMS), its
 * metrics of a sub-run (TensorBoard's MetricName.group) named "group.tag"
 * and their values read from sub_run's connections (no value where it
 * gives none, or sub_run is NULL).  A run with hparams that names no
 * metric has the scalar tags of itself and its listed sub-runs as its
 * metrics, as TensorBoard infers them. */
gboolean        lm_hparams_read (gpointer db, const LmHparamsSubRun *sub_run, gpointer data,
                                 GHashTable *out, char **error);
/* Whether the run file db holds hparams (is a TensorBoard session). */
gboolean        lm_hparams_present (gpointer db);

G_END_DECLS
