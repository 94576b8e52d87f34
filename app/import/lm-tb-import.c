/* lm-tb-import.c: TensorBoard event files -> lumen-log runs (see
 * lm-tb-import.h).  Each source folder with event files is one run; its
 * files are read in name order (as TensorBoard does), each from the byte
 * offset the last poll stopped at.  Conversions follow what TensorBoard
 * shows: a HistogramProto's first bucket starts at min and its last ends
 * at max, a text tensor of more than one string is a table, PyTorch's
 * add_hparams sub-folder is a run of its own. */
#include "lm-tb-import.h"
#include "lm-tb-import-private.h"
#include "lm-tb-cli.h"
#include "lm-tfevents.h"
#include "lm-gif.h"

#include <lm-apng.h>
#include <lm-image-loader.h>
#include <lm-scan-private.h>
#include <lumen-log.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <png.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 32
/* A run whose event files were all last changed this long ago, and are
 * read to their end, has its run file closed (finished), so that a
 * folder of 1,000 finished runs holds no writer thread and file
 * descriptors per run; it is opened again when one of them grows. */
#define IDLE_CLOSE_S 60

typedef LmTbKind Kind;
typedef struct _MeshParts MeshParts;
static void mesh_parts_free (MeshParts *m);

typedef struct
{
  guint64 offset;  /* the next record starts here */
  gboolean broken; /* a bad record: not read further */
  gboolean interrupted; /* its read stopped at the cancel flag */
} EventFile;

/* An event file or a profiler trace as the folder scan found it. */
typedef struct
{
  char *name;
  guint64 size;
  gint64 mtime; /* seconds */
} FileSeen;

/* An hparams Experiment (hp.hparams_config): its metrics, and the display
 * names and descriptions of its hparams and metrics (HParamInfo,
 * MetricInfo).  Shared by the sessions that take it (g_rc_box). */
typedef struct
{
  GPtrArray *metric_tags;   /* MetricName.tag */
  GPtrArray *metric_groups; /* their MetricName.group, "" for none */
  GPtrArray *metric_labels; /* display_name, description of metric i at 2i, 2i+1; NULL: none */
  GPtrArray *hparam_labels; /* name, display_name, description of each HParamInfo */
} Experiment;

static void
experiment_clear (gpointer data)
{
  Experiment *e = data;

  g_ptr_array_unref (e->metric_tags);
  g_ptr_array_unref (e->metric_groups);
  g_ptr_array_unref (e->metric_labels);
  g_ptr_array_unref (e->hparam_labels);
}

static void
experiment_unref (Experiment *e)
{
  g_rc_box_release_full (e, experiment_clear);
}

typedef struct
{
  LmTbImport *imp;
  char *src_dir;   /* the source folder */
  char *name;      /* the run's name under dst */
  lm_writer *w;     /* NULL while idle (IDLE_CLOSE_S) */
  gboolean refused; /* dst run exists, or cannot be opened */
  GHashTable *files; /* file name -> EventFile */
  guint64 counts[LM_TB_N_KINDS];
  GHashTable *skipped; /* reason -> count (GUINT_TO_POINTER) */
  GPtrArray *skip_order;
  Experiment *experiment;  /* the run's own hparams experiment, NULL: none read */
  /* the last session start's hparams (lm_hparam, their strings in
   * session_strings), kept while no experiment reached it so that one
   * read later (--follow) can be given to it; NULL otherwise */
  GArray *session_hps;
  GPtrArray *session_strings;
  GHashTable *embeddings; /* tensor names imported */
  gint64 pbtxt_stamp;
  guint64 pass;    /* the last poll that found its event files */
  /* SummaryWriter(purge_step=T) restarts: a SessionLog START at step T
   * (in a file of version >= 2, as TensorBoard asks) hides the steps >= T
   * logged before it */
  double file_version;
  gboolean purge_at_open; /* run_open purges from purge_step */
  gint64 purge_step;
  char *restart_file;     /* the last file with a START, NULL if none */
  gint64 restart_step;
  /* the event being converted */
  gint64 step;
  double wall_time; /* as given to the writer */
  GPtrArray *meshes; /* MeshParts: add_mesh's parts gathering in this file */
  /* torch.profiler traces (*.pt.trace.json): file name -> PROFILE_READ,
   * or its size and time when it failed (gint64 *): each file is read
   * once, a bad one again when it changes; the step a trace without
   * ProfilerStep spans gets */
  GHashTable *profiles;
  gint64 next_profile_step;
  gboolean interrupted; /* a poll stopped at the cancel flag in its files */
} Run;

struct _LmTbImport
{
  char *src, *dst;
  LmTbImportFlags flags;
  LmTbImportMessageFunc message;
  gpointer message_data;
  GHashTable *runs; /* relative folder ("" for the root) -> Run */
  guint64 pass;     /* polls so far */
  guint n_errors;
  guint64 imported;
  int root_errno;   /* why SRC could not be read at the last look; 0 */
  /* the first hparams experiment read (hp.hparams_config in the folder
   * above the sessions): for sessions without one of their own, NULL
   * until one is read */
  Experiment *experiment;
  const volatile sig_atomic_t *cancel; /* NULL, or non-zero: stop reading */
  gboolean interrupted; /* a poll stopped at it */
};

/* Whether the poll should stop now (Ctrl-C): checked after each record,
 * file and folder, so that a first read of a big tree or big files ends
 * within a record's time, not once everything is read. */
static gboolean
cancelled (LmTbImport *imp)
{
  if (imp->cancel == NULL || *imp->cancel == 0)
    return FALSE;
  imp->interrupted = TRUE;
  return TRUE;
}

static void
default_message (const char *message, gboolean is_error, gpointer user_data)
{
  (void) is_error;
  (void) user_data;
  fprintf (stderr, "%s\n", message);
}

G_GNUC_PRINTF (3, 4) static void
say (LmTbImport *imp, gboolean is_error, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (is_error)
    imp->n_errors++;
  imp->message (msg, is_error, imp->message_data);
}

static void
run_free (Run *r)
{
  if (r->w)
    lm_writer_close (r->w);
  g_free (r->src_dir);
  g_free (r->name);
  g_free (r->restart_file);
  g_hash_table_unref (r->files);
  g_hash_table_unref (r->skipped);
  g_hash_table_unref (r->profiles);
  g_ptr_array_unref (r->skip_order);
  g_clear_pointer (&r->experiment, experiment_unref);
  g_clear_pointer (&r->session_hps, g_array_unref);
  g_clear_pointer (&r->session_strings, g_ptr_array_unref);
  g_hash_table_unref (r->embeddings);
  g_ptr_array_unref (r->meshes);
  g_free (r);
}

static void
skip (Run *r, const char *reason)
{
  gpointer n = g_hash_table_lookup (r->skipped, reason);

  if (n == NULL)
    {
      char *key = g_strdup (reason);
      g_hash_table_insert (r->skipped, key, GUINT_TO_POINTER (1));
      g_ptr_array_add (r->skip_order, key);
    }
  else
    g_hash_table_insert (r->skipped, g_strdup (reason), GUINT_TO_POINTER (GPOINTER_TO_UINT (n) + 1));
}

/* A lumen-log call that failed: named with the run, counted. */
static void
log_failed (Run *r, const char *what, const char *tag)
{
  say (r->imp, TRUE, "%s: %s '%s' at step %" G_GINT64_FORMAT " not imported: %s", r->src_dir,
       what, tag, r->step, lm_log_last_error ());
}

static void
counted (Run *r, Kind k, int rc, const char *tag)
{
  if (rc == LM_OK)
    {
      r->counts[k]++;
      r->imp->imported++;
    }
  else
    log_failed (r, lm_tb_kind_name (k, 1), tag);
}

gboolean
lm_tb_is_event_file (const char *name)
{
  return strstr (name, "tfevents") != NULL;
}

gboolean
lm_tb_is_profile_file (const char *name)
{
  return g_str_has_suffix (name, ".pt.trace.json") || g_str_has_suffix (name, ".pt.trace.json.gz");
}

/* ------------------------------------------------------------ scalars */

static void
import_scalar (Run *r, const char *tag, double v)
{
  counted (r, LM_TB_SCALAR, lm_writer_add_scalar (r->w, tag, r->step, v), tag);
}

static void
import_tensor_scalar (Run *r, LmTfValue *v)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) num = lm_tf_tensor_numbers (&v->tensor, &error);

  if (num == NULL || num->len != 1)
    {
      say (r->imp, TRUE, "%s: scalar '%s' at step %" G_GINT64_FORMAT " not imported: %s",
           r->src_dir, v->tag, r->step,
           num == NULL ? error->message : "its tensor holds more than one value");
      return;
    }
  import_scalar (r, v->tag, g_array_index (num, double, 0));
}

/* --------------------------------------------------------- histograms */

static void
add_histogram (Run *r, const char *tag, lm_histogram *h)
{
  counted (r, LM_TB_HISTOGRAM, lm_writer_add_histogram_buckets (r->w, tag, r->step, h), tag);
}

/* HistogramProto: bucket i holds the values in (limit[i-1], limit[i]].
 * TensorBoard keeps the buckets from the first non-empty one to the last
 * (TensorFlow's writer adds an empty one up to DBL_MAX after them) and
 * draws the first from min and the last to max. */
static void
import_histo (Run *r, LmTfValue *v)
{
  LmTfHisto *hp = &v->histo;
  guint n = MIN (hp->bucket->len, hp->bucket_limit->len), first = 0, last = n;
  const double *counts = (const double *) hp->bucket->data;

  while (first < n && !(counts[first] > 0))
    first++;
  while (last > first && !(counts[last - 1] > 0))
    last--;
  guint k = last - first;
  g_autofree double *edges = g_new (double, k + 1);
  lm_histogram h = { .count = hp->num, .min = hp->min, .max = hp->max, .sum = hp->sum,
                     .sum_squares = hp->sum_squares, .bucket_count = k, .edges = edges,
                     .counts = counts + first };

  if (k == 0)
    {
      h.min = h.max = h.sum = h.sum_squares = 0;
      add_histogram (r, v->tag, &h);
      return;
    }
  edges[0] = hp->min;
  for (guint i = 1; i < k; i++)
    edges[i] = g_array_index (hp->bucket_limit, double, first + i - 1);
  edges[k] = hp->max;
  /* keep them finite and ascending whatever the writer did */
  for (guint i = 0; i <= k; i++)
    {
      if (!isfinite (edges[i]))
        edges[i] = i == 0 ? (isfinite (edges[1]) ? edges[1] : 0) : edges[i - 1];
      if (i > 0 && edges[i] < edges[i - 1])
        edges[i] = edges[i - 1];
    }
  add_histogram (r, v->tag, &h);
}

/* tf.summary.histogram (TF2): a [k, 3] tensor of left, right, count
 * ([0] or [0, 3] when there were no values). */
static void
import_tensor_histogram (Run *r, LmTfValue *v)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) num = lm_tf_tensor_numbers (&v->tensor, &error);
  LmTfTensor *t = &v->tensor;
  lm_histogram h = { 0 };

  if (num != NULL && num->len == 0)
    {
      add_histogram (r, v->tag, &h);
      return;
    }
  if (num == NULL || t->ndim != 2 || t->dims[1] != 3)
    {
      say (r->imp, TRUE, "%s: histogram '%s' at step %" G_GINT64_FORMAT " not imported: %s",
           r->src_dir, v->tag, r->step, num == NULL ? error->message : "its tensor is not [k, 3]");
      return;
    }
  guint k = (guint) t->dims[0];
  const double *b = (const double *) num->data;
  g_autofree double *edges = g_new (double, k + 1);
  g_autofree double *counts = g_new (double, k);
  h.bucket_count = k;
  h.edges = edges;
  h.counts = counts;
  for (guint i = 0; i < k; i++)
    {
      edges[i] = b[3 * i];
      counts[i] = b[3 * i + 2];
      double mid = (b[3 * i] + b[3 * i + 1]) / 2;
      /* the values are gone: the buckets' centres stand for them */
      h.count += counts[i];
      h.sum += mid * counts[i];
      h.sum_squares += mid * mid * counts[i];
    }
  edges[k] = b[3 * (k - 1) + 1];
  h.min = edges[0];
  h.max = edges[k];
  add_histogram (r, v->tag, &h);
}

/* ------------------------------------------------------------- images */

/* lumen-log's last message less the record it opens with, for a line
 * that names the record itself: "<what> '<tag>': <why>" gives <why>, and
 * "<what> '<tag>' is 17 frames of ..., over the cap ..." gives "17 frames
 * of ..., over the cap ...". */
static const char *
log_error_after_tag (const char *what, const char *tag)
{
  const char *why = lm_log_last_error ();
  g_autofree char *prefix = g_strdup_printf ("%s '%s'", what, tag);

  if (!g_str_has_prefix (why, prefix))
    return why;
  const char *rest = why + strlen (prefix);
  if (g_str_has_prefix (rest, ": "))
    return rest + 2;
  if (g_str_has_prefix (rest, " is "))
    return rest + 4;
  return why;
}

/* A still PNG is stored as it is in the event file (lumen-log checks
 * every row of it first): no decoding and encoding again, and lumen-export
 * gives back the same bytes.  lumen reads every PNG the event file may
 * hold (16-bit, palette, interlaced). */
static void
import_png (Run *r, const char *tag, const guint8 *data, size_t len)
{
  int rc = lm_writer_add_image_png (r->w, tag, r->step, data, len, NULL);

  if (rc == LM_OK)
    counted (r, LM_TB_IMAGE, rc, tag);
  else
    say (r->imp, TRUE, "%s: image '%s' at step %" G_GINT64_FORMAT " not imported: %s",
         r->src_dir, tag, r->step, log_error_after_tag ("image", tag));
}

/* lumen-log's default cap on a video (lm_writer_options.max_video_bytes:
 * n_frames*width*height*4, 1 GiB, what lumen shows) in the decoder's RGBA
 * frames: a 1,000-frame Atari episode (134 MB) is imported. */
#define VIDEO_MAX_BYTES ((gsize) 1 << 30)

G_GNUC_PRINTF (4, 5) static void
image_failed (Run *r, const char *tag, const char *what, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  g_autofree char *why = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  say (r->imp, TRUE, "%s: %s '%s' at step %" G_GINT64_FORMAT " not imported: %s", r->src_dir,
       what, tag, r->step, why);
}

/* Whole RGBA frames (n of `pixels` each) as lumen-log's THWC frames: as
 * many channels as Summary.Image's colorspace says (PyTorch writes the
 * tensor's), more where the pixels need them (colour, transparency),
 * what they need when it says none.  Logs a still image (n 1) or a
 * video. */
static void
add_frames (Run *r, const char *tag, guint8 *const *rgba, int n, int width, int height,
            int colorspace, double fps)
{
  gsize pixels = (gsize) width * (gsize) height;
  int channels = colorspace == 3 || colorspace == 4 ? colorspace : 1;

  for (int f = 0; f < n && channels < 4; f++)
    for (gsize i = 0; i < pixels && channels < 4; i++)
      {
        const guint8 *p = rgba[f] + 4 * i;
        if (p[3] != 255)
          channels = 4;
        else if (p[0] != p[1] || p[1] != p[2])
          channels = 3;
      }
  g_autofree guint8 *frames = g_try_malloc (pixels * (gsize) channels * (gsize) n);
  if (frames == NULL)
    {
      image_failed (r, tag, n > 1 ? "video" : "image", "out of memory");
      return;
    }
  guint8 *out = frames;
  for (int f = 0; f < n; f++)
    for (gsize i = 0; i < pixels; i++, out += channels)
      memcpy (out, rgba[f] + 4 * i, (size_t) channels);
  if (n == 1)
    counted (r, LM_TB_IMAGE, lm_writer_add_image (r->w, tag, r->step, frames, width, height, channels),
             tag);
  else
    counted (r, LM_TB_VIDEO,
             lm_writer_add_video (r->w, tag, r->step, frames, n, width, height, channels, fps),
             tag);
}

/* PyTorch's add_video: an animated GIF (moviepy's), stored as a video (an
 * APNG) at the frames per second of its mean delay; a GIF of one frame
 * is a still image. */
static void
import_gif (Run *r, const char *tag, const guint8 *data, size_t len, int colorspace)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LmGif) gif = lm_gif_decode (data, len, VIDEO_MAX_BYTES, &error);

  if (gif == NULL)
    {
      /* a broken GIF of add_video's is named a video: its frames are
       * counted without decoding them */
      gboolean whole = FALSE;
      int n = lm_gif_count_frames (data, len, &whole);
      image_failed (r, tag, n > 1 ? "video" : whole ? "image" : "image or video", "GIF: %s",
                    error->message);
    }
  else
    add_frames (r, tag, gif->frames, gif->n_frames, gif->width, gif->height, colorspace,
                lm_gif_fps (gif));
}

/* An animated PNG: an acTL chunk before the first IDAT. */
static gboolean
is_apng (const guint8 *data, size_t len)
{
  size_t pos = LM_PNG_SIGNATURE_LEN;
  lm_png_chunk c;
  char err[128];

  while (lm_png_next_chunk (data, len, &pos, &c, err, sizeof err) == 1)
    if (strcmp (c.type, "acTL") == 0)
      return TRUE;
    else if (strcmp (c.type, "IDAT") == 0 || strcmp (c.type, "IEND") == 0)
      break;
  return FALSE;
}

/* An APNG in a Summary.Image (what lumen-export writes for a video) is a
 * video again, stored as it is (lumen-log checks every frame of it
 * first): each frame keeps its own delay, no decoding and encoding again,
 * and lumen-export gives back the same bytes. */
static void
import_apng (Run *r, const char *tag, const guint8 *data, size_t len)
{
  int rc = lm_writer_add_video_png (r->w, tag, r->step, data, len);

  if (rc == LM_OK)
    counted (r, LM_TB_VIDEO, rc, tag);
  else
    say (r->imp, TRUE, "%s: video '%s' at step %" G_GINT64_FORMAT " not imported: %s",
         r->src_dir, tag, r->step, log_error_after_tag ("video", tag));
}

/* Summary.Image's encoded image: PNG (a still, or an APNG video), GIF
 * (add_video's); other encodings (JPEG) are skipped and counted. */
static void
import_image (Run *r, const char *tag, const guint8 *data, size_t len, int colorspace)
{
  if (len >= 6 && (memcmp (data, "GIF87a", 6) == 0 || memcmp (data, "GIF89a", 6) == 0))
    import_gif (r, tag, data, len, colorspace);
  else if (len >= 8 && png_sig_cmp (data, 0, 8) == 0 && is_apng (data, len))
    import_apng (r, tag, data, len);
  else if (len >= 8 && png_sig_cmp (data, 0, 8) == 0)
    import_png (r, tag, data, len);
  else
    skip (r, "image (only PNG and GIF images are read)");
}

/* The most bytes a string tensor filled out with its last string may
 * hold (64 MiB: the copies of an image or clip, a text table's cells),
 * and the most images, clips or cells it may so give: a small event can
 * ask for millions of them. */
#define MAX_PADDED_BYTES (64 << 20)
#define MAX_PADDED_ITEMS 65536

/* A string tensor of `items` images or clips (what: "image", "audio")
 * whose last `copies` repeat a string of len bytes: over the caps above
 * it is named and TRUE. */
static gboolean
padding_too_large (Run *r, LmTfValue *v, const char *what, gint64 items, gint64 copies, gsize len)
{
  g_autofree char *shape = lm_tf_tensor_dup_shape (&v->tensor);

  if (copies <= 0 || (items <= MAX_PADDED_ITEMS && (guint64) copies * len <= MAX_PADDED_BYTES))
    return FALSE;
  image_failed (r, v->tag, what, "its tensor %s of %u strings repeats the last one (%" G_GSIZE_FORMAT
                " bytes) %" G_GINT64_FORMAT " times to %" G_GINT64_FORMAT " %s, over lumen-import's cap "
                "of %d of them or %d bytes (64 MiB) on a tensor so filled", shape,
                v->tensor.strings->len, len, copies, items, strcmp (what, "image") == 0 ? "images" : "clips",
                MAX_PADDED_ITEMS, MAX_PADDED_BYTES);
  return TRUE;
}

/* tf.summary.image (TF2): strings [width, height, png, png...], read as
 * TensorBoard reads them (make_ndarray): a shape of k + 2 is k images,
 * those past the strings given repeating the last one. */
static void
import_tensor_images (Run *r, LmTfValue *v)
{
  g_autoptr (GError) error = NULL;
  LmTfTensor *t = &v->tensor;
  g_autofree char *shape = lm_tf_tensor_dup_shape (t);
  guint have = t->strings->len;
  gint64 n = 0;
  gsize len = 0;

  if (!lm_tf_tensor_check_strings (t, &n, &error))
    {
      image_failed (r, v->tag, "image", "%s", error->message);
      return;
    }
  if (t->ndim != 1)
    {
      image_failed (r, v->tag, "image", "its tensor %s is not [k + 2] strings (width, height, k images)",
                    shape);
      return;
    }
  if (n > 2 && have < 3)
    {
      image_failed (r, v->tag, "image", "its tensor %s holds %u strings, no encoded image "
                    "(make_ndarray would fill the %" G_GINT64_FORMAT " %s its shape says with %s)", shape,
                    have, n - 2, n == 3 ? "image" : "images",
                    have == 0 ? "empty strings" : have == 1 ? "its width" : "its height");
      return;
    }
  lm_tf_tensor_string (t, (gint64) have - 1, &len);
  if (padding_too_large (r, v, "image", n - 2, n - have, len))
    return;
  for (gint64 i = 2; i < n; i++)
    {
      const guint8 *d = lm_tf_tensor_string (t, i, &len);
      import_image (r, v->tag, d, len, 0);
    }
}

/* -------------------------------------------------------------- audio */

/* RIFF....WAVE: what lumen-log's WAV reader is given; other encodings
 * (TensorBoard plays what the browser can) are skipped, as non-PNG
 * images are.  A clip that says it is WAV, or has a WAV's first bytes,
 * is passed on, and lumen-log names what is wrong with its header. */
static gboolean
is_wav (const guint8 *data, size_t len, gboolean said_wav)
{
  return said_wav || (len >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WAVE", 4) == 0);
}

/* One clip: the label (Markdown) is the clip's own, else the value's
 * description (what TensorBoard shows above the clips of a tag). */
static void
import_wav (Run *r, LmTfValue *v, const guint8 *data, size_t len, gboolean said_wav,
            const char *label)
{
  if (!is_wav (data, len, said_wav))
    {
      skip (r, "audio clip (only WAV audio is read)");
      return;
    }
  if (label == NULL || *label == '\0')
    label = *v->description ? v->description : NULL;
  counted (r, LM_TB_AUDIO, lm_writer_add_audio_wav (r->w, v->tag, r->step, data, len, label), v->tag);
}

/* Summary.Audio (PyTorch's add_audio, TF1's tf.summary.audio with its
 * tags "name/audio/0", "name/audio/1"...): content_type "audio/wav". */
static void
import_audio (Run *r, LmTfValue *v)
{
  const char *type = v->audio_type;
  gboolean said_wav = g_ascii_strcasecmp (type, "audio/wav") == 0
                      || g_ascii_strcasecmp (type, "audio/x-wav") == 0
                      || g_ascii_strcasecmp (type, "audio/wave") == 0;

  import_wav (r, v, v->audio ? v->audio : (const guint8 *) "", v->audio_len, said_wav, NULL);
}

/* The audio plugin's tensor (tf.summary.audio in TF2, TensorBoard's own
 * summary ops): DT_STRING [k, 2], row i the encoded clip and its
 * Markdown label; AudioPluginData {version 1, encoding 2 (WAV = 11)}.
 * The k clips of a step are k rows of the tag at that step, in order:
 * TensorBoard's "samples" 0..k-1 (as the k images of an image tensor).
 * Short of its 2k strings, it is read as TensorBoard reads it
 * (dataclass_compat.py keeps string_val[::2], which make_ndarray then
 * fills out): the rows past the strings given repeat the last clip
 * given; a row without its label has none. */
static void
import_tensor_audio (Run *r, LmTfValue *v)
{
  LmTfTensor *t = &v->tensor;
  GPtrArray *s = t->strings;
  LmPb pb;
  LmPbField f;
  gboolean bad = FALSE, said_wav = FALSE;
  gint64 n = 0;
  g_autofree char *shape = lm_tf_tensor_dup_shape (t);

  if (!lm_tf_tensor_check_strings (t, &n, NULL) || t->ndim != 2 || t->dims[1] != 2)
    {
      say (r->imp, TRUE, "%s: audio '%s' at step %" G_GINT64_FORMAT " not imported: its tensor "
           "is not [k, 2] strings (clip, label): %s, %u strings", r->src_dir, v->tag, r->step, shape,
           s->len);
      return;
    }
  gint64 k = t->dims[0];
  if (k > 0 && s->len == 0)
    {
      image_failed (r, v->tag, "audio", "its tensor %s holds no strings (make_ndarray would fill its "
                    "%" G_GINT64_FORMAT " clips with empty ones)", shape, k);
      return;
    }
  gint64 given = (s->len + 1) / 2; /* clips given, the last perhaps without its label */
  if (padding_too_large (r, v, "audio", k, k - given,
                         k > given ? g_bytes_get_size (s->pdata[2 * (given - 1)]) : 0))
    return;
  lm_pb_init (&pb, v->plugin_content, v->plugin_content_len);
  while (lm_pb_next (&pb, &f, &bad))
    if (f.field == 2 && f.wire == 0)
      said_wav = f.varint == 11;
  for (gint64 i = 0; i < k; i++)
    {
      gsize n_clip, label_len = 0;
      const guint8 *d = g_bytes_get_data (s->pdata[2 * MIN (i, given - 1)], &n_clip);
      const char *l = 2 * i + 1 < (gint64) s->len ? g_bytes_get_data (s->pdata[2 * i + 1], &label_len) : NULL;
      g_autofree char *label = g_utf8_make_valid (l ? l : "", (gssize) label_len);
      import_wav (r, v, d ? d : (const guint8 *) "", n_clip, said_wav, label);
    }
}

/* --------------------------------------------------------------- text */

static void
append_cell (GString *md, const LmTfTensor *t, gint64 i)
{
  gsize n;
  const char *d = (const char *) lm_tf_tensor_string (t, i, &n);
  g_autofree char *s = g_utf8_make_valid (d, (gssize) n);

  g_string_append (md, "| ");
  for (const char *p = s; *p; p++)
    {
      if (*p == '|')
        g_string_append (md, "\\|");
      else if (*p == '\n')
        g_string_append (md, "<br>");
      else if (*p != '\r')
        g_string_append_c (md, *p);
    }
  g_string_append_c (md, ' ');
}

/* A string tensor as TensorBoard's text plugin shows it: a scalar as it
 * is, a vector as a one-column table, a matrix as a table (both without
 * a header, which Markdown needs: an empty one); higher ranks keep the
 * first 2-D slice (t[0, ..., 0, :, :]), as TensorBoard does with a
 * warning. */
static void
import_text (Run *r, LmTfValue *v)
{
  LmTfTensor *t = &v->tensor;
  GPtrArray *s = t->strings;
  g_autoptr (GString) md = g_string_new (NULL);

  if (t->dtype != LM_DT_STRING)
    {
      say (r->imp, TRUE, "%s: text '%s' at step %" G_GINT64_FORMAT " not imported: not a string tensor",
           r->src_dir, v->tag, r->step);
      return;
    }
  /* more strings than the shape holds: TensorBoard's make_ndarray fails
   * to reshape them and its text plugin shows nothing of the tag (one
   * string it repeats to fill the shape, as the padding below, but not
   * into a shape of 0 cells, [0] or [2, 0]: it cannot be reshaped to
   * that either).  A shape of unknown rank is [] there, one cell. */
  g_autoptr (GError) error = NULL;
  gint64 numel = lm_tf_tensor_numel (t);
  if ((s->len > 1 || (s->len == 1 && numel == 0)) && !lm_tf_tensor_check_strings (t, &numel, &error))
    {
      say (r->imp, TRUE, "%s: text '%s' at step %" G_GINT64_FORMAT " not imported: %s",
           r->src_dir, v->tag, r->step, error->message);
      return;
    }
  /* fewer strings than the shape holds: the last one repeated, none
   * empty strings, as TensorFlow's MakeNdarray reads them (up to a table
   * of 65,536 cells; past that, the first string); numel as the check
   * above left it, the shape's */
  if (t->ndim <= 0 || numel <= 1 || (numel > (gint64) s->len && numel > MAX_PADDED_ITEMS))
    {
      gsize n;
      const char *d = (const char *) lm_tf_tensor_string (t, 0, &n);
      g_autofree char *text = g_utf8_make_valid (d, (gssize) n);
      counted (r, LM_TB_TEXT, lm_writer_add_text (r->w, v->tag, r->step, text), v->tag);
      return;
    }
  guint rows = (guint) t->dims[MAX (t->ndim - 2, 0)];
  guint cols = t->ndim == 1 ? 1 : (guint) t->dims[t->ndim - 1];
  /* the repeated last string can make a small event a huge table: 65,535
   * copies of a string of a megabyte are 64 GiB */
  guint64 bytes = 0;
  gsize n, last = 0;
  for (guint i = 0; numel > (gint64) s->len && i < rows * cols; i++)
    {
      lm_tf_tensor_string (t, i, &n);
      bytes += n;
    }
  lm_tf_tensor_string (t, s->len, &last);
  if (bytes > MAX_PADDED_BYTES)
    {
      say (r->imp, TRUE, "%s: text '%s' at step %" G_GINT64_FORMAT " not imported: its %u cells repeat "
           "the last of its %u strings (%" G_GSIZE_FORMAT " bytes) to %" G_GUINT64_FORMAT " bytes, over "
           "lumen-import's cap of %d (64 MiB) on a table so filled",
           r->src_dir, v->tag, r->step, rows * cols, s->len, last, bytes,
           MAX_PADDED_BYTES);
      return;
    }
  for (guint c = 0; c < cols; c++)
    g_string_append (md, "| ");
  g_string_append (md, "|\n");
  for (guint c = 0; c < cols; c++)
    g_string_append (md, "|---");
  g_string_append (md, "|\n");
  for (guint i = 0; i < rows; i++)
    {
      for (guint c = 0; c < cols; c++)
        append_cell (md, t, i * cols + c);
      g_string_append (md, "|\n");
    }
  if (t->ndim > 2)
    g_string_append_printf (md, "\n*(the first %u x %u slice of a %d-D tensor)*\n", rows, cols,
                            t->ndim);
  counted (r, LM_TB_TEXT, lm_writer_add_text (r->w, v->tag, r->step, md->str), v->tag);
}

/* ---------------------------------------------------------- PR curves */

static void
import_pr_curve (Run *r, LmTfValue *v)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) num = lm_tf_tensor_numbers (&v->tensor, &error);
  LmTfTensor *t = &v->tensor;

  if (num == NULL || t->ndim != 2 || t->dims[0] != 6 || t->dims[1] < 2)
    {
      say (r->imp, TRUE, "%s: PR curve '%s' at step %" G_GINT64_FORMAT " not imported: %s",
           r->src_dir, v->tag, r->step,
           num == NULL ? error->message : "its tensor is not [6, num_thresholds]");
      return;
    }
  size_t n = (size_t) t->dims[1];
  double *d = (double *) num->data;
  /* TP, FP, TN, FN, precision, recall; float32 rounding may step out of
   * what lumen-log accepts by an ulp */
  for (size_t i = 0; i < 6 * n; i++)
    {
      if (!isfinite (d[i]) || d[i] < 0)
        d[i] = 0;
      if (i >= 4 * n && d[i] > 1)
        d[i] = 1;
    }
  counted (r, LM_TB_PR_CURVE,
           lm_writer_add_pr_curve_raw (r->w, v->tag, r->step, d, d + n, d + 2 * n, d + 3 * n,
                                       d + 4 * n, d + 5 * n, n),
           v->tag);
}

/* ------------------------------------------------------------ hparams */

static gboolean run_open (Run *r, const char *what);
static void give_late_experiment (LmTbImport *imp);
static void write_session (Run *r, GArray *hps, gboolean count);

/* The session kept for a later experiment (r->session_hps) written again
 * with the experiment it has now, then no longer kept. */
static void
rewrite_kept_session (Run *r)
{
  write_session (r, r->session_hps, FALSE);
  g_clear_pointer (&r->session_hps, g_array_unref);
  g_clear_pointer (&r->session_strings, g_ptr_array_unref);
}

static char *
pb_string (const LmPbField *f)
{
  return g_strndup ((const char *) f->data, f->len);
}

/* An HParamInfo (name 1, display_name 2, description 3) or MetricInfo
 * (name 1, a MetricName; display_name 3, description 4): its name field
 * and labels. */
static void
read_info (const LmPbField *f, guint display_field, LmPbField *name, char **display_name, char **description,
           gboolean *bad)
{
  LmPb pb;
  LmPbField g;

  memset (name, 0, sizeof *name);
  lm_pb_init (&pb, f->data, f->len);
  while (lm_pb_next (&pb, &g, bad))
    if (g.wire != 2)
      continue;
    else if (g.field == 1)
      *name = g;
    else if (g.field == display_field)
      g_free (*display_name), *display_name = pb_string (&g);
    else if (g.field == display_field + 1)
      g_free (*description), *description = pb_string (&g);
}

/* Experiment.hparam_infos (4) and metric_infos (5): the scalars that
 * measure the run, each tag with its group, the sub-run that holds it
 * (Keras' "train" and "validation"; lumen-log reads it as TensorBoard
 * does, in the run "<this run>/<group>"), and the display names and
 * descriptions of both. */
static void
read_experiment (Run *r, const guint8 *data, size_t len)
{
  LmPb pb, pn;
  LmPbField f, name, h;
  gboolean bad = FALSE;
  Experiment *e = g_rc_box_new0 (Experiment);

  e->metric_tags = g_ptr_array_new_with_free_func (g_free);
  e->metric_groups = g_ptr_array_new_with_free_func (g_free);
  e->metric_labels = g_ptr_array_new_with_free_func (g_free);
  e->hparam_labels = g_ptr_array_new_with_free_func (g_free);
  lm_pb_init (&pb, data, len);
  while (lm_pb_next (&pb, &f, &bad))
    {
      g_autofree char *display_name = NULL, *description = NULL;

      if (f.field == 4 && f.wire == 2) /* repeated HParamInfo hparam_infos */
        {
          read_info (&f, 2, &name, &display_name, &description, &bad);
          if (name.len == 0)
            continue;
          g_ptr_array_add (e->hparam_labels, pb_string (&name));
          g_ptr_array_add (e->hparam_labels, g_steal_pointer (&display_name));
          g_ptr_array_add (e->hparam_labels, g_steal_pointer (&description));
          continue;
        }
      if (f.field != 5 || f.wire != 2) /* repeated MetricInfo metric_infos */
        continue;
      read_info (&f, 3, &name, &display_name, &description, &bad);
      g_autofree char *group = NULL, *tag = NULL;
      lm_pb_init (&pn, name.data, name.len);
      while (lm_pb_next (&pn, &h, &bad))
        if (h.wire == 2 && h.field == 1)
          group = pb_string (&h);
        else if (h.wire == 2 && h.field == 2)
          tag = pb_string (&h);
      if (tag && *tag)
        {
          g_ptr_array_add (e->metric_tags, g_steal_pointer (&tag));
          g_ptr_array_add (e->metric_groups, group ? g_steal_pointer (&group) : g_strdup (""));
          g_ptr_array_add (e->metric_labels, g_steal_pointer (&display_name));
          g_ptr_array_add (e->metric_labels, g_steal_pointer (&description));
        }
    }
  g_clear_pointer (&r->experiment, experiment_unref);
  r->experiment = e;
  /* its own session was written before it (hp.hparams, then
   * hp.hparams_config in the same folder), with no experiment or with
   * another one (the folder above's, or the first read): it takes its
   * own now, as TensorBoard would at its next reload */
  if (r->session_hps != NULL)
    rewrite_kept_session (r);
  if (r->imp->experiment == NULL)
    {
      r->imp->experiment = g_rc_box_acquire (e);
      give_late_experiment (r->imp);
    }
}

/* The labels HParamInfo gives hparam `name` in e. */
static void
hparam_labels (const Experiment *e, lm_hparam *hp)
{
  for (guint i = 0; e != NULL && i + 2 < e->hparam_labels->len; i += 3)
    if (strcmp (e->hparam_labels->pdata[i], hp->name) == 0)
      {
        hp->display_name = e->hparam_labels->pdata[i + 1];
        hp->description = e->hparam_labels->pdata[i + 2];
      }
}

/* Writes a session's hparams with its experiment's metrics, labels and
 * columns.  A session without an experiment of its own takes the one read
 * elsewhere in the tree, as TensorBoard takes one experiment for all
 * sessions: hp.hparams_config writes it once into the folder above the
 * sessions, which is read before them.  With none at all, no metric is
 * named and the HParams view takes every scalar tag of the session and
 * its sub-runs, as TensorBoard does.  count: count the set (not when an
 * experiment read later is given to a session already written). */
static void
write_session (Run *r, GArray *hps, gboolean count)
{
  const Experiment *e = r->experiment != NULL ? r->experiment : r->imp->experiment;
  guint n_tags = e != NULL ? e->metric_tags->len : 0;
  for (guint i = 0; i < hps->len; i++)
    hparam_labels (e, &g_array_index (hps, lm_hparam, i));
  if (hps->len == 0 && n_tags == 0)
    return;
  g_autofree lm_hparam_metric *metrics = g_new0 (lm_hparam_metric, n_tags + 1);
  for (guint i = 0; i < n_tags; i++)
    {
      metrics[i] = LM_HP_METRIC (e->metric_tags->pdata[i], e->metric_groups->pdata[i]);
      metrics[i].display_name = e->metric_labels->pdata[2 * i];
      metrics[i].description = e->metric_labels->pdata[2 * i + 1];
    }
  /* TensorBoard shows the experiment's hparams as columns, in its order,
   * and no other */
  if (e != NULL && e->hparam_labels->len > 0)
    {
      guint n = e->hparam_labels->len / 3;
      g_autofree const char **names = g_new0 (const char *, n + 1);

      for (guint i = 0; i < n; i++)
        names[i] = e->hparam_labels->pdata[3 * i];
      if (lm_writer_set_hparam_columns (r->w, names, n) != LM_OK)
        say (r->imp, TRUE, "%s: the experiment's hparam columns not imported: %s", r->src_dir,
             lm_log_last_error ());
    }
  int rc = lm_writer_add_hparams_ex (r->w, (const lm_hparam *) hps->data, hps->len, metrics, n_tags);
  if (count)
    counted (r, LM_TB_HPARAMS, rc, "hparams");
  else if (rc != LM_OK)
    log_failed (r, lm_tb_kind_name (LM_TB_HPARAMS, 1), "hparams");
}

/* The first experiment read, from the folder above the sessions, after
 * sessions without one were written (--follow, hp.hparams_config run
 * after the sessions started): they take it now, as TensorBoard would at
 * its next reload, where they kept inferred metrics. */
static void
give_late_experiment (LmTbImport *imp)
{
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, imp->runs);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      Run *q = value;

      if (q->session_hps != NULL && q->experiment == NULL && run_open (q, "reopen"))
        rewrite_kept_session (q);
    }
}

/* SessionStartInfo.hparams: map<string, google.protobuf.Value>. */
static void
read_session_start (Run *r, const guint8 *data, size_t len)
{
  LmPb pb, pe, pv;
  LmPbField f, g, h;
  gboolean bad = FALSE;
  g_autoptr (GArray) hps = g_array_new (FALSE, TRUE, sizeof (lm_hparam));
  g_autoptr (GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);

  lm_pb_init (&pb, data, len);
  while (lm_pb_next (&pb, &f, &bad))
    {
      if (f.field != 1 || f.wire != 2) /* map entry */
        continue;
      char *key = NULL;
      lm_hparam hp = { 0 };
      gboolean have = FALSE;
      lm_pb_init (&pe, f.data, f.len);
      while (lm_pb_next (&pe, &g, &bad))
        {
          if (g.field == 1 && g.wire == 2)
            {
              key = pb_string (&g);
              g_ptr_array_add (strings, key);
            }
          else if (g.field == 2 && g.wire == 2)
            {
              lm_pb_init (&pv, g.data, g.len);
              while (lm_pb_next (&pv, &h, &bad))
                if (h.field == 2 && h.wire == 1) /* number_value */
                  hp = LM_HP_NUMBER (NULL, lm_pb_double (&h)), have = TRUE;
                else if (h.field == 3 && h.wire == 2) /* string_value */
                  {
                    char *s = pb_string (&h);
                    g_ptr_array_add (strings, s);
                    hp = LM_HP_STRING (NULL, s), have = TRUE;
                  }
                else if (h.field == 4 && h.wire == 0) /* bool_value */
                  hp = LM_HP_BOOL (NULL, h.varint != 0), have = TRUE;
            }
        }
      if (key == NULL)
        continue;
      if (!have)
        {
          skip (r, "hparam (null, list and struct values are not supported)");
          continue;
        }
      hp.name = key;
      g_array_append_val (hps, hp);
    }
  write_session (r, hps, TRUE);
  g_clear_pointer (&r->session_hps, g_array_unref);
  g_clear_pointer (&r->session_strings, g_ptr_array_unref);
  /* kept until the session's own experiment comes, with or without
   * another it took meanwhile (the folder above's, the first read) */
  if (r->experiment == NULL)
    {
      r->session_hps = g_steal_pointer (&hps);
      r->session_strings = g_steal_pointer (&strings);
    }
}

/* HParamsPluginData: version 1, then one of experiment 2,
 * session_start_info 3, session_end_info 4. */
static void
import_hparams (Run *r, LmTfValue *v)
{
  LmPb pb;
  LmPbField f;
  gboolean bad = FALSE;

  lm_pb_init (&pb, v->plugin_content, v->plugin_content_len);
  while (lm_pb_next (&pb, &f, &bad))
    {
      if (f.wire != 2)
        continue;
      if (f.field == 2)
        read_experiment (r, f.data, f.len);
      else if (f.field == 3)
        read_session_start (r, f.data, f.len);
    }
  if (bad)
    say (r->imp, TRUE, "%s: hparams '%s' at step %" G_GINT64_FORMAT " not imported: malformed plugin data",
         r->src_dir, v->tag, r->step);
}

/* ----------------------------------------------------- custom scalars */

/* A chart that is left out: counted, and named in a message. */
static void
skip_chart (Run *r, const char *category, const char *title, const char *reason,
            const char *detail)
{
  g_autofree char *why = g_strdup_printf ("custom scalars chart (%s)", reason);

  skip (r, why);
  say (r->imp, FALSE, "%s: custom scalars chart '%s' in '%s' at step %" G_GINT64_FORMAT
       " not imported: %s", r->src_dir, title, category, r->step, detail);
}

/* MultilineChartContent: repeated string tag 1 (Python regexes). */
static void
add_multiline (Run *r, lm_custom_layout *l, const char *category, const char *title,
               const guint8 *data, size_t len)
{
  LmPb pb;
  LmPbField f;
  gboolean bad = FALSE;
  g_autoptr (GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);

  lm_pb_init (&pb, data, len);
  while (lm_pb_next (&pb, &f, &bad))
    {
      if (f.field != 1 || f.wire != 2)
        continue;
      g_autofree char *re = pb_string (&f);
      g_autofree char *why = NULL;
      char *posix = lm_tb_regex_to_posix (re, &why);
      if (posix == NULL)
        {
          g_autofree char *detail = g_strdup_printf ("tag regex '%s': %s", re, why);
          skip_chart (r, category, title, "a tag regex with no POSIX equivalent", detail);
          return;
        }
      g_ptr_array_add (tags, posix);
    }
  if (tags->len == 0)
    {
      skip_chart (r, category, title, "no tags", "a Multiline chart without tag regexes");
      return;
    }
  if (lm_custom_layout_add_multiline (l, category, title, (const char *const *) tags->pdata,
                                      tags->len) != LM_OK)
    skip_chart (r, category, title, "refused by lumen-log", lm_log_last_error ());
}

/* MarginChartContent: repeated Series series 1 {value 1, lower 2,
 * upper 3}; a series after the first is a chart of its own titled
 * "title (value tag)", as Lumen's margin charts hold one series. */
static void
add_margin (Run *r, lm_custom_layout *l, const char *category, const char *title,
            const guint8 *data, size_t len)
{
  LmPb pb, ps;
  LmPbField f, g;
  gboolean bad = FALSE;
  guint n = 0;

  lm_pb_init (&pb, data, len);
  while (lm_pb_next (&pb, &f, &bad))
    {
      if (f.field != 1 || f.wire != 2)
        continue;
      char *t[3] = { NULL, NULL, NULL };
      lm_pb_init (&ps, f.data, f.len);
      while (lm_pb_next (&ps, &g, &bad))
        if (g.wire == 2 && g.field >= 1 && g.field <= 3)
          {
            g_free (t[g.field - 1]);
            t[g.field - 1] = pb_string (&g);
          }
      g_autofree char *own = n++ == 0 ? g_strdup (title)
                                      : g_strdup_printf ("%s (%s)", title, t[0] ? t[0] : "");
      if (!t[0] || !t[1] || !t[2] || !*t[0] || !*t[1] || !*t[2])
        skip_chart (r, category, own, "a margin series without its three tags",
                    "a Margin series needs value, lower and upper tags");
      else if (lm_custom_layout_add_margin (l, category, own, t[0], t[1], t[2]) != LM_OK)
        skip_chart (r, category, own, "refused by lumen-log", lm_log_last_error ());
      for (int k = 0; k < 3; k++)
        g_free (t[k]);
    }
  if (n == 0)
    skip_chart (r, category, title, "no tags", "a Margin chart without series");
}

/* Chart: title 1, then one of multiline 2, margin 3. */
static void
add_chart (Run *r, lm_custom_layout *l, const char *category, const guint8 *data, size_t len)
{
  LmPb pb;
  LmPbField f;
  gboolean bad = FALSE;
  g_autofree char *title = NULL;
  const guint8 *body = NULL;
  size_t body_len = 0;
  guint32 kind = 0;

  lm_pb_init (&pb, data, len);
  while (lm_pb_next (&pb, &f, &bad))
    {
      if (f.wire != 2)
        continue;
      if (f.field == 1)
        g_free (title), title = pb_string (&f);
      else if (f.field == 2 || f.field == 3)
        kind = f.field, body = f.data, body_len = f.len;
    }
  if (title == NULL || *title == '\0')
    g_free (title), title = g_strdup ("untitled"); /* TensorBoard's default */
  if (kind == 2)
    add_multiline (r, l, category, title, body, body_len);
  else if (kind == 3)
    add_margin (r, l, category, title, body, body_len);
  else
    skip_chart (r, category, title, "neither Multiline nor Margin",
                "the chart has neither Multiline nor Margin content");
}

/* add_custom_scalars: a string tensor holding a serialized Layout
 * (plugins/custom_scalar/layout.proto): Layout {version 1, repeated
 * Category category 2}, Category {title 1, repeated Chart chart 2}. */
static void
import_custom_scalars (Run *r, LmTfValue *v)
{
  LmTfTensor *t = &v->tensor;
  LmPb pb, pc;
  LmPbField f, g;
  gboolean bad = FALSE;
  lm_custom_layout *l = NULL;

  if (t->dtype != LM_DT_STRING || t->strings->len != 1)
    {
      say (r->imp, TRUE, "%s: custom scalars layout '%s' at step %" G_GINT64_FORMAT
           " not imported: not a single serialized Layout string", r->src_dir, v->tag, r->step);
      return;
    }
  if (lm_custom_layout_new (&l) != LM_OK)
    {
      log_failed (r, "custom scalars layout", v->tag);
      return;
    }
  gsize n;
  const guint8 *d = g_bytes_get_data (t->strings->pdata[0], &n);
  lm_pb_init (&pb, d, n);
  while (lm_pb_next (&pb, &f, &bad))
    {
      if (f.field != 2 || f.wire != 2)
        continue;
      g_autofree char *title = NULL;
      /* the title may follow the charts on the wire: find it first */
      lm_pb_init (&pc, f.data, f.len);
      while (lm_pb_next (&pc, &g, &bad))
        if (g.field == 1 && g.wire == 2)
          g_free (title), title = pb_string (&g);
      if (title == NULL || *title == '\0')
        g_free (title), title = g_strdup ("default");
      lm_pb_init (&pc, f.data, f.len);
      while (lm_pb_next (&pc, &g, &bad))
        if (g.field == 2 && g.wire == 2)
          add_chart (r, l, title, g.data, g.len);
    }
  if (bad)
    say (r->imp, TRUE, "%s: custom scalars layout '%s' at step %" G_GINT64_FORMAT
         " not imported: its Layout is malformed", r->src_dir, v->tag, r->step);
  else if (lm_custom_layout_chart_count (l) > 0)
    counted (r, LM_TB_CUSTOM, lm_writer_add_custom_scalars (r->w, l), v->tag);
  lm_custom_layout_free (l);
}

/* ------------------------------------------------------------- meshes */

/* add_mesh (PyTorch's summary.mesh, TensorBoard's mesh plugin): a mesh
 * "name" is up to three DT_FLOAT [B, N, 3] tensors tagged name_VERTEX,
 * name_FACE and name_COLOR, each with MeshPluginData {version 1, name 2,
 * content_type 3 (VERTEX 1, FACE 2, COLOR 3), json_config 5, shape 6,
 * components 7 (1 << content_type of each part written)}.  PyTorch puts
 * them in one Event; here the parts of one name are gathered while they
 * come at one step of one file, and the mesh is logged when its parts
 * are all there, another step of the name begins, or the file's records
 * end. */
struct _MeshParts
{
  char *name;
  gint64 step;
  double wall_time;
  guint components; /* what the writer said it wrote */
  guint have;       /* the parts come so far, 1 << content_type */
  GArray *parts[4]; /* [content_type]: doubles, B x N x 3 */
  gint64 batch[4], rows[4];
  char *config;     /* json_config, NULL when none */
};

static void
mesh_parts_free (MeshParts *m)
{
  g_free (m->name);
  for (int i = 0; i < 4; i++)
    if (m->parts[i])
      g_array_unref (m->parts[i]);
  g_free (m->config);
  g_free (m);
}

/* lumen-log's default cap on a mesh (lm_writer_options.max_mesh_bytes:
 * 12 bytes a vertex or face), and on a batch's part gathered before its
 * samples are logged. */
#define MESH_MAX_BYTES ((gint64) 256 << 20)
#define MESH_BATCH_MAX_BYTES ((gint64) 1 << 30)

/* A mesh lumen-log refuses (bad input, too large): counted and named on
 * the run's line, the rest imported. */
static void
mesh_refused (Run *r, const char *tag, gint64 step, const char *why)
{
  g_autofree char *reason = g_strdup_printf ("mesh ('%s' at step %" G_GINT64_FORMAT ": %s)",
                                             tag, step, why);
  skip (r, reason);
}

/* Sample b of the gathered parts, logged under tag: faces and colours
 * come as floats and are rounded, their range checked; a mesh refused is
 * counted and named. */
static void
log_mesh_sample (Run *r, const MeshParts *m, gint64 b, const char *tag)
{
  gint64 n = m->rows[LM_MESH_VERTEX];
  gint64 nf = m->have & (1u << LM_MESH_FACE) ? m->rows[LM_MESH_FACE] : 0;
  const double *v = &g_array_index (m->parts[LM_MESH_VERTEX], double, 0) + b * n * 3;
  g_autofree float *verts = g_new (float, (gsize) n * 3 + 1);
  g_autofree guint8 *colors = NULL;
  g_autofree gint32 *faces = NULL;

  for (gint64 i = 0; i < n * 3; i++)
    verts[i] = (float) v[i];
  if (m->have & (1u << LM_MESH_COLOR))
    {
      const double *c = &g_array_index (m->parts[LM_MESH_COLOR], double, 0) + b * n * 3;
      colors = g_new (guint8, (gsize) n * 3 + 1);
      for (gint64 i = 0; i < n * 3; i++)
        {
          double x = nearbyint (c[i]);
          if (!(x >= 0 && x <= 255))
            {
              g_autofree char *why = g_strdup_printf ("vertex %" G_GINT64_FORMAT " has colour "
                                                      "component %g, not in 0..255", i / 3, c[i]);
              mesh_refused (r, tag, m->step, why);
              return;
            }
          colors[i] = (guint8) x;
        }
    }
  if (nf > 0)
    {
      const double *f = &g_array_index (m->parts[LM_MESH_FACE], double, 0) + b * nf * 3;
      faces = g_new (gint32, (gsize) nf * 3);
      for (gint64 i = 0; i < nf * 3; i++)
        {
          double x = nearbyint (f[i]);
          if (!(x >= 0 && x <= G_MAXINT32))
            {
              g_autofree char *why = g_strdup_printf ("face %" G_GINT64_FORMAT " refers to "
                                                      "vertex %g", i / 3, f[i]);
              mesh_refused (r, tag, m->step, why);
              return;
            }
          faces[i] = (gint32) x;
        }
    }
  int rc = lm_writer_add_mesh (r->w, tag, m->step, verts, n, colors, faces, nf, m->config);
  if (rc == LM_ERR_INVALID_ARG || rc == LM_ERR_TOO_LARGE)
    {
      /* lumen-log's message less its "mesh 'tag': ", said here */
      mesh_refused (r, tag, m->step, log_error_after_tag ("mesh", tag));
    }
  else
    counted (r, LM_TB_MESH, rc, tag);
}

/* The gathered parts of one mesh logged: one mesh a sample, tagged name
 * for B = 1 and name/0, name/1, ... for B > 1 (TensorBoard's sample
 * index, from 0, as the TF1 summary ops tag the k images of a summary
 * tag/image/0, tag/image/1, ...).  Faces or colours without their
 * vertices are counted and skipped. */
static void
mesh_flush (Run *r, MeshParts *m)
{
  if (!(m->have & (1u << LM_MESH_VERTEX)))
    {
      for (int t = LM_MESH_FACE; t <= LM_MESH_COLOR; t++)
        if (m->have & (1u << t))
          {
            g_autofree char *why = g_strdup_printf ("mesh %s tensor (without the mesh's VERTEX "
                                                    "tensor)", lm_mesh_content_type_name (t));
            skip (r, why);
          }
      return;
    }
  gint64 nb = m->batch[LM_MESH_VERTEX];
  for (int t = LM_MESH_FACE; t <= LM_MESH_COLOR; t++)
    if ((m->have & (1u << t))
        && (m->batch[t] != nb
            || (t == LM_MESH_COLOR && m->rows[t] != m->rows[LM_MESH_VERTEX])))
      {
        g_autofree char *why = g_strdup_printf (
          "its %s tensor is [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 3], its VERTEX tensor "
          "[%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 3]", lm_mesh_content_type_name (t),
          m->batch[t], m->rows[t], nb, m->rows[LM_MESH_VERTEX]);
        mesh_refused (r, m->name, m->step, why);
        return;
      }
  gint64 step = r->step;
  r->step = m->step;
  if (m->wall_time != r->wall_time)
    lm_writer_set_wall_time (r->w, m->wall_time);
  for (gint64 b = 0; b < nb; b++)
    {
      g_autofree char *tag = nb == 1 ? g_strdup (m->name)
                                     : g_strdup_printf ("%s/%" G_GINT64_FORMAT, m->name, b);
      log_mesh_sample (r, m, b, tag);
    }
  if (m->wall_time != r->wall_time)
    lm_writer_set_wall_time (r->w, r->wall_time);
  r->step = step;
}

/* Every mesh still gathering: at the end of a file's records. */
static void
meshes_flush (Run *r)
{
  for (guint i = 0; i < r->meshes->len; i++)
    mesh_flush (r, r->meshes->pdata[i]);
  g_ptr_array_set_size (r->meshes, 0);
}

static void
import_mesh (Run *r, LmTfValue *v)
{
  LmTfTensor *t = &v->tensor;
  g_autofree char *name = NULL, *config = NULL;
  guint type = 0, components = 0;
  LmPb pb;
  LmPbField f;
  gboolean bad = FALSE;
  g_autoptr (GError) error = NULL;

  lm_pb_init (&pb, v->plugin_content, v->plugin_content_len);
  while (lm_pb_next (&pb, &f, &bad))
    if (f.field == 2 && f.wire == 2)
      g_free (name), name = pb_string (&f);
    else if (f.field == 3 && f.wire == 0)
      type = (guint) f.varint;
    else if (f.field == 5 && f.wire == 2)
      g_free (config), config = pb_string (&f);
    else if (f.field == 7 && f.wire == 0)
      components = (guint) f.varint;
  if (bad || type < LM_MESH_VERTEX || type > LM_MESH_COLOR)
    {
      skip (r, bad ? "mesh tensor (its MeshPluginData is malformed)"
                   : "mesh tensor (of a content type other than VERTEX, FACE and COLOR)");
      return;
    }
  if (name == NULL || *name == '\0')
    {
      /* the tag less its "_VERTEX" */
      const char *sfx = g_strrstr (v->tag, "_");
      g_free (name);
      name = sfx ? g_strndup (v->tag, (gsize) (sfx - v->tag)) : g_strdup (v->tag);
    }
  if (t->ndim != 3 || t->dims[2] != 3 || t->dims[0] < 1)
    {
      say (r->imp, TRUE, "%s: mesh '%s' at step %" G_GINT64_FORMAT " not imported: its %s "
           "tensor is not [B, N, 3]", r->src_dir, name, r->step,
           lm_mesh_content_type_name (type));
      return;
    }
  if (t->dims[1] > MESH_MAX_BYTES / 12 || t->dims[0] > MESH_BATCH_MAX_BYTES / 12 / MAX (t->dims[1], 1))
    {
      /* refused by its shape, before a value is read: one float_val
       * fills a tensor of any shape, so a small event could ask for
       * gigabytes */
      g_autofree char *why = g_strdup_printf ("its %s tensor [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                                              ", 3] is over %" G_GINT64_FORMAT " bytes a mesh or %"
                                              G_GINT64_FORMAT " a batch (lm_writer_options.max_mesh_bytes)",
                                              lm_mesh_content_type_name (type), t->dims[0], t->dims[1],
                                              MESH_MAX_BYTES, MESH_BATCH_MAX_BYTES);
      mesh_refused (r, name, r->step, why);
      return;
    }
  GArray *numbers = lm_tf_tensor_numbers (t, &error);
  if (numbers == NULL)
    {
      say (r->imp, TRUE, "%s: mesh '%s' at step %" G_GINT64_FORMAT " not imported: its %s "
           "tensor: %s", r->src_dir, name, r->step, lm_mesh_content_type_name (type),
           error->message);
      return;
    }

  MeshParts *m = NULL;
  for (guint i = 0; i < r->meshes->len && m == NULL; i++)
    if (strcmp (((MeshParts *) r->meshes->pdata[i])->name, name) == 0)
      m = r->meshes->pdata[i];
  if (m && (m->step != r->step || (m->have & (1u << type))))
    {
      mesh_flush (r, m);
      g_ptr_array_remove_fast (r->meshes, m);
      m = NULL;
    }
  if (m == NULL)
    {
      m = g_new0 (MeshParts, 1);
      m->name = g_steal_pointer (&name);
      m->step = r->step;
      m->wall_time = r->wall_time;
      g_ptr_array_add (r->meshes, m);
    }
  m->have |= 1u << type;
  m->components |= components | (1u << LM_MESH_VERTEX);
  m->parts[type] = numbers;
  m->batch[type] = t->dims[0];
  m->rows[type] = t->dims[1];
  if (config && m->config == NULL)
    m->config = g_steal_pointer (&config);
  if ((m->have & m->components) == m->components)
    {
      mesh_flush (r, m);
      g_ptr_array_remove_fast (r->meshes, m);
    }
}

/* ------------------------------------------------------------- values */

static void
import_value (LmTfValue *v, gpointer user_data)
{
  Run *r = user_data;
  const char *plugin = v->plugin_name;

  if (strcmp (plugin, "hparams") == 0)
    import_hparams (r, v);
  else if (v->kind == LM_TF_VALUE_TENSOR && strcmp (plugin, "custom_scalars") == 0)
    import_custom_scalars (r, v);
  else if (v->kind == LM_TF_VALUE_SIMPLE)
    import_scalar (r, v->tag, v->simple_value);
  else if (v->kind == LM_TF_VALUE_HISTO)
    import_histo (r, v);
  else if (v->kind == LM_TF_VALUE_IMAGE)
    import_image (r, v->tag, v->image, v->image_len, v->image_colorspace);
  else if (v->kind == LM_TF_VALUE_AUDIO)
    import_audio (r, v);
  else if (v->kind == LM_TF_VALUE_TENSOR && strcmp (plugin, "audio") == 0)
    import_tensor_audio (r, v);
  else if (v->kind == LM_TF_VALUE_OLD_HISTO)
    skip (r, "old-style histogram (not supported)");
  else if (v->kind == LM_TF_VALUE_TENSOR && strcmp (plugin, "scalars") == 0)
    import_tensor_scalar (r, v);
  else if (v->kind == LM_TF_VALUE_TENSOR && strcmp (plugin, "histograms") == 0)
    import_tensor_histogram (r, v);
  else if (v->kind == LM_TF_VALUE_TENSOR && strcmp (plugin, "images") == 0)
    import_tensor_images (r, v);
  else if (v->kind == LM_TF_VALUE_TENSOR && strcmp (plugin, "text") == 0)
    import_text (r, v);
  else if (v->kind == LM_TF_VALUE_TENSOR && strcmp (plugin, "pr_curves") == 0)
    import_pr_curve (r, v);
  else if (v->kind == LM_TF_VALUE_TENSOR && strcmp (plugin, "mesh") == 0)
    import_mesh (r, v);
  else
    {
      g_autofree char *why = g_strdup_printf ("value of plugin '%s' (not supported)",
                                              *plugin ? plugin : "(none)");
      skip (r, why);
    }
}

/* Event.graph_def (PyTorch's add_graph, TensorFlow) or the graph_def 2
 * of a meta_graph_def (TF1's MetaGraphDef). */
static void
import_graph (Run *r, const LmTfEvent *ev, const char *path, guint64 offset)
{
  const guint8 *data = ev->graph;
  size_t len = ev->graph_len;
  g_autoptr (GError) error = NULL;

  if (ev->meta_graph)
    {
      LmPb pb;
      LmPbField f;
      gboolean bad = FALSE;
      data = NULL;
      lm_pb_init (&pb, ev->graph, ev->graph_len);
      while (lm_pb_next (&pb, &f, &bad))
        if (f.field == 2 && f.wire == 2)
          data = f.data, len = f.len;
      if (data == NULL)
        {
          skip (r, "meta graph (without a graph_def)");
          return;
        }
    }
  lm_graph *g = lm_tb_graph_from_graphdef (data, len, "graph", &error);
  if (g == NULL)
    {
      say (r->imp, TRUE, "%s: graph at byte %" G_GUINT64_FORMAT " (step %" G_GINT64_FORMAT
           ") not imported: %s", path, offset, r->step, error->message);
      return;
    }
  counted (r, LM_TB_GRAPH, lm_writer_add_graph (r->w, r->step, g, NULL), "graph");
  lm_graph_free (g);
}

/* A SessionLog START at step T: a training run restarted from step T
 * (SummaryWriter(purge_step=T)).  As TensorBoard's event accumulator
 * does, what the run holds from steps >= T is purged: its writer is
 * opened again with lumen-log's purge. */
static void
restart (Run *r, const char *path, guint64 offset, gint64 step)
{
  g_autofree char *name = g_path_get_basename (path);
  gboolean any = FALSE;

  for (int k = 0; k < LM_TB_N_KINDS; k++)
    any |= r->counts[k] > 0;
  if (r->restart_file == NULL || strcmp (name, r->restart_file) >= 0)
    {
      g_free (r->restart_file);
      r->restart_file = g_steal_pointer (&name);
      r->restart_step = step;
    }
  if (!any) /* nothing before it (every purge_step writer's first file) */
    return;
  if (r->w != NULL)
    {
      if (lm_writer_close (r->w) != LM_OK)
        say (r->imp, TRUE, "%s: %s", r->name, lm_log_last_error ());
      r->w = NULL;
    }
  r->purge_at_open = TRUE;
  r->purge_step = step;
  if (run_open (r, "reopen"))
    say (r->imp, FALSE, "%s: restarted at step %" G_GINT64_FORMAT " (SessionLog START at byte "
         "%" G_GUINT64_FORMAT "): steps >= %" G_GINT64_FORMAT " imported before are purged",
         path, step, offset, step);
}

static void
import_event (Run *r, const guint8 *data, size_t len, const char *path, guint64 offset)
{
  LmTfEvent ev;

  if (!lm_tf_event_parse (data, len, &ev))
    {
      say (r->imp, TRUE, "%s: record at byte %" G_GUINT64_FORMAT " is not an Event; skipped", path,
           offset);
      return;
    }
  if (ev.file_version)
    r->file_version = ev.version;
  if (ev.session_status == LM_TF_SESSION_START && r->file_version >= 2)
    restart (r, path, offset, ev.step);
  if (ev.run_metadata)
    skip (r, "run metadata record (step stats and profiles are not supported)");
  if (ev.summary == NULL && ev.graph == NULL)
    return; /* file_version, other session_log statuses: not data */
  /* a crashed run's file read after its restart's (its last records
   * came late): what the restart purged stays purged */
  if (r->restart_file && ev.step >= r->restart_step)
    {
      g_autofree char *name = g_path_get_basename (path);
      if (strcmp (name, r->restart_file) < 0)
        {
          skip (r, "record (of a step a later file's restart purged)");
          return;
        }
    }
  r->step = ev.step;
  double t = ev.wall_time;
  r->wall_time = isfinite (t) && t > 0 ? t : 0;
  if (lm_writer_set_wall_time (r->w, r->wall_time) != LM_OK)
    lm_writer_set_wall_time (r->w, r->wall_time = 0);
  if (ev.graph)
    import_graph (r, &ev, path, offset);
  if (ev.summary == NULL)
    return;
  if (!lm_tf_summary_foreach (ev.summary, ev.summary_len, import_value, r))
    say (r->imp, TRUE, "%s: record at byte %" G_GUINT64_FORMAT " holds a malformed Summary; "
         "the values before the fault were imported", path, offset);
}

/* --------------------------------------------------------- embeddings */

/* The projector's config, in protobuf text format:
 *   embeddings { tensor_name: "tag:00005" tensor_path: "00005/tag/tensors.tsv"
 *     metadata_path: "..." sprite { image_path: "..." single_image_dim: 28
 *     single_image_dim: 28 } }
 * Only these fields are read; other fields and blocks are passed over. */
typedef struct
{
  char *tensor_name, *tensor_path, *metadata_path, *sprite_path;
  int dim[2];
  int n_dim;
} EmbeddingInfo;

static void
embedding_info_clear (EmbeddingInfo *e)
{
  g_free (e->tensor_name);
  g_free (e->tensor_path);
  g_free (e->metadata_path);
  g_free (e->sprite_path);
}

typedef struct
{
  const char *p;
} Lex;

/* The next token: '{', '}', ':', a "string" (its text, unescaped) or a
 * word/number; NULL at the end. */
static char *
lex_next (Lex *lx, char *kind)
{
  const char *p = lx->p;

  for (;;)
    {
      while (g_ascii_isspace (*p))
        p++;
      if (*p == '#')
        {
          while (*p && *p != '\n')
            p++;
          continue;
        }
      break;
    }
  if (*p == '\0')
    {
      lx->p = p;
      return NULL;
    }
  if (*p == '{' || *p == '}' || *p == ':' || *p == '<' || *p == '>')
    {
      *kind = *p == '<' ? '{' : *p == '>' ? '}' : *p;
      lx->p = p + 1;
      return g_strndup (p, 1);
    }
  if (*p == '"' || *p == '\'')
    {
      char q = *p++;
      GString *s = g_string_new (NULL);
      while (*p && *p != q)
        {
          if (*p == '\\' && p[1])
            p++;
          g_string_append_c (s, *p++);
        }
      if (*p)
        p++;
      lx->p = p;
      *kind = '"';
      return g_string_free (s, FALSE);
    }
  const char *start = p;
  while (*p && !g_ascii_isspace (*p) && !strchr ("{}:<>\"'#", *p))
    p++;
  if (p == start)
    p++;
  lx->p = p;
  *kind = 'w';
  return g_strndup (start, (gsize) (p - start));
}

/* Reads the fields of one block up to its '}', into e where known. */
static void
parse_block (Lex *lx, EmbeddingInfo *e, gboolean in_sprite)
{
  char kind;
  char *tok;

  while ((tok = lex_next (lx, &kind)) != NULL)
    {
      if (kind == '}')
        {
          g_free (tok);
          return;
        }
      g_autofree char *field = tok;
      char *v = lex_next (lx, &kind);
      if (v && kind == ':')
        {
          g_free (v);
          v = lex_next (lx, &kind);
        }
      if (v == NULL)
        return;
      if (kind == '{')
        {
          g_free (v);
          parse_block (lx, e, e && strcmp (field, "sprite") == 0);
          continue;
        }
      if (e && !in_sprite && strcmp (field, "tensor_name") == 0)
        g_free (e->tensor_name), e->tensor_name = v;
      else if (e && !in_sprite && strcmp (field, "tensor_path") == 0)
        g_free (e->tensor_path), e->tensor_path = v;
      else if (e && !in_sprite && strcmp (field, "metadata_path") == 0)
        g_free (e->metadata_path), e->metadata_path = v;
      else if (e && in_sprite && strcmp (field, "image_path") == 0)
        g_free (e->sprite_path), e->sprite_path = v;
      else if (e && in_sprite && strcmp (field, "single_image_dim") == 0 && e->n_dim < 2)
        {
          e->dim[e->n_dim++] = atoi (v);
          g_free (v);
        }
      else
        g_free (v);
    }
}

static GArray *
parse_projector_config (const char *text)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (EmbeddingInfo));
  Lex lx = { text };
  char kind;
  char *tok;

  g_array_set_clear_func (out, (GDestroyNotify) embedding_info_clear);
  while ((tok = lex_next (&lx, &kind)) != NULL)
    {
      g_autofree char *field = tok;
      char *v = lex_next (&lx, &kind);
      if (v && kind == ':')
        {
          g_free (v);
          v = lex_next (&lx, &kind);
        }
      if (v == NULL)
        break;
      gboolean block = kind == '{';
      g_free (v);
      if (!block)
        continue;
      if (strcmp (field, "embeddings") == 0)
        {
          EmbeddingInfo e = { 0 };
          parse_block (&lx, &e, FALSE);
          g_array_append_val (out, e);
        }
      else
        parse_block (&lx, NULL, FALSE);
    }
  return out;
}

/* tensors.tsv: one point a line, values separated by tabs. */
static GArray *
read_tensor_tsv (const char *path, size_t *n, size_t *d, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GArray) mat = g_array_new (FALSE, FALSE, sizeof (float));

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  *n = *d = 0;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_strchomp (lines[i]);
      if (!lines[i][0])
        continue;
      g_auto (GStrv) cells = g_strsplit (lines[i], "\t", -1);
      size_t k = g_strv_length (cells);
      if (*n > 0 && k != *d)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "%s: line %u has %zu values, the first had %zu", path, i + 1, k, *d);
          return NULL;
        }
      for (size_t c = 0; c < k; c++)
        {
          char *end;
          float x = (float) g_ascii_strtod (cells[c], &end);
          if (end == cells[c] || *end || !isfinite (x))
            {
              g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                           "%s: line %u: '%s' is not a finite number", path, i + 1, cells[c]);
              return NULL;
            }
          g_array_append_val (mat, x);
        }
      *d = k;
      (*n)++;
    }
  if (*n == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: no points", path);
      return NULL;
    }
  return g_steal_pointer (&mat);
}

/* The sprite (a square grid of ceil(sqrt(n)) thumbnails a row, each
 * dim[0] wide and dim[1] high) cut back into n RGB thumbnails, CHW floats
 * in [0, 1], as add_embedding's label_img. */
static float *
read_sprite (const char *path, size_t n, int tw, int th, GError **error)
{
  png_image img = { .version = PNG_IMAGE_VERSION };
  g_autofree guint8 *px = NULL;
  int per_row = (int) ceil (sqrt ((double) n));

  if (tw <= 0 || th <= 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "sprite %s: single_image_dim missing", path);
      return NULL;
    }
  if (!png_image_begin_read_from_file (&img, path))
    goto bad;
  img.format = PNG_FORMAT_RGB;
  px = g_malloc (PNG_IMAGE_SIZE (img));
  if (!png_image_finish_read (&img, NULL, px, 0, NULL))
    goto bad;
  if ((gint64) img.width < (gint64) per_row * tw
      || (gint64) img.height < (gint64) ((n + (size_t) per_row - 1) / (size_t) per_row) * th)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "sprite %s: %ux%u is too small for %zu images of %dx%d", path, img.width,
                   img.height, n, tw, th);
      return NULL;
    }
  float *out = g_new (float, n * 3 * (size_t) tw * (size_t) th);
  for (size_t i = 0; i < n; i++)
    {
      size_t x0 = (i % (size_t) per_row) * (size_t) tw, y0 = (i / (size_t) per_row) * (size_t) th;
      for (int c = 0; c < 3; c++)
        for (int y = 0; y < th; y++)
          for (int x = 0; x < tw; x++)
            out[((i * 3 + (size_t) c) * (size_t) th + (size_t) y) * (size_t) tw + (size_t) x] =
                px[((y0 + (size_t) y) * img.width + x0 + (size_t) x) * 3 + (size_t) c] / 255.0f;
    }
  return out;
bad:
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "sprite %s: %s", path, img.message);
  png_image_free (&img);
  return NULL;
}

/* The header's names made distinct for lumen-log, which refuses a
 * repeated or empty one where TensorBoard's projector lists it as it is
 * (a repeated name then shows the last such column's values under each):
 * an empty name is "column 3" (its place, from 1), a repeated one
 * "label (2)", "label (3)"; each renamed column noted. */
static void
distinct_column_names (GStrv names, const char *path, GPtrArray *notes)
{
  g_autoptr (GHashTable) taken = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) given = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint c = 0; names[c]; c++)
    g_hash_table_add (given, g_strdup (names[c]));
  for (guint c = 0; names[c]; c++)
    {
      char *name = names[c];
      g_autofree char *base = *name ? g_strdup (name) : g_strdup_printf ("column %u", c + 1);
      if (*name && !g_hash_table_contains (taken, name))
        {
          g_hash_table_add (taken, name);
          continue;
        }
      g_autofree char *unique = g_strdup (base);
      for (guint k = 2; g_hash_table_contains (taken, unique) || g_hash_table_contains (given, unique); k++)
        {
          g_free (unique);
          unique = g_strdup_printf ("%s (%u)", base, k);
        }
      g_ptr_array_add (notes, *name
                                  ? g_strdup_printf ("%s: column %u repeats the name '%s': imported as "
                                                     "'%s'", path, c + 1, name, unique)
                                  : g_strdup_printf ("%s: column %u has no name: imported as '%s'", path,
                                                     c + 1, unique));
      names[c] = g_steal_pointer (&unique);
      g_free (name);
      g_hash_table_add (taken, names[c]);
    }
}

/* "line 3 has" or "2 lines (the first line 3) have", for a note. */
static char *
lines_have (guint count, guint first)
{
  return count == 1 ? g_strdup_printf ("line %u has", first)
                    : g_strdup_printf ("%u lines (the first line %u) have", count, first);
}

/* metadata.tsv as TensorBoard's projector (vz-projector's parseMetadata)
 * reads it: a first line of several tab-separated fields names the
 * columns (add_embedding's metadata_header; names made distinct, above)
 * and each point's line gives their values, a missing field an empty
 * (missing) value and fields past the header's dropped; without a header
 * a line's first field is its label (a first line over n, as PyTorch
 * writes a one-column header, is dropped too).  Bytes that are not UTF-8
 * are U+FFFD, as the browser decodes them.  Returns the n labels (header
 * NULL) or n x *n_columns values row-major with *header, or NULL with
 * *error; what was changed is noted in notes. */
static GStrv
read_metadata_tsv (const char *path, size_t n, GStrv *header, gsize *n_columns, GPtrArray *notes,
                   GError **error)
{
  g_autofree char *raw = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &raw, &len, error))
    return NULL;
  if (!g_utf8_validate_len (raw, len, NULL))
    g_ptr_array_add (notes, g_strdup_printf ("%s: not UTF-8: its bad bytes are imported as U+FFFD, "
                                             "as TensorBoard shows them", path));
  g_autofree char *text = g_utf8_make_valid (raw, (gssize) len);
  len = strlen (text);
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
    text[--len] = '\0';
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n_lines = g_strv_length (lines);
  for (guint i = 0; i < n_lines; i++)
    {
      gsize l = strlen (lines[i]);
      if (l > 0 && lines[i][l - 1] == '\r')
        lines[i][l - 1] = '\0';
    }
  if (n_lines == 0 || !strchr (lines[0], '\t'))
    {
      if (n_lines == n + 1)
        {
          g_free (lines[0]);
          memmove (lines, lines + 1, n_lines * sizeof *lines);
        }
      else if (n_lines != n)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %u labels for %zu points", path, n_lines,
                       n);
          return NULL;
        }
      for (guint i = 0; lines[i]; i++)
        {
          char *tab = strchr (lines[i], '\t');
          if (tab)
            *tab = '\0';
        }
      *n_columns = 1;
      return g_steal_pointer (&lines);
    }
  if (n_lines != n + 1)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: a header and %u lines for %zu points", path,
                   n_lines - 1, n);
      return NULL;
    }
  g_auto (GStrv) names = g_strsplit (lines[0], "\t", -1);
  gsize k = g_strv_length (names);
  distinct_column_names (names, path, notes);
  g_autoptr (GPtrArray) values = g_ptr_array_new_full ((guint) (n * k + 1), g_free);
  guint n_short = 0, n_long = 0, first_short = 0, first_long = 0;
  for (guint i = 1; i < n_lines; i++)
    {
      g_auto (GStrv) cells = g_strsplit (lines[i], "\t", -1);
      gsize have = g_strv_length (cells);
      if (have < k && n_short++ == 0)
        first_short = i + 1;
      if (have > k && n_long++ == 0)
        first_long = i + 1;
      for (gsize c = 0; c < k; c++)
        g_ptr_array_add (values, g_strdup (c < have ? cells[c] : ""));
    }
  if (n_short > 0)
    {
      g_autofree char *which = lines_have (n_short, first_short);
      g_ptr_array_add (notes, g_strdup_printf ("%s: %s fewer fields than the header's %zu: the missing "
                                               "values are empty, as TensorBoard reads them", path, which,
                                               k));
    }
  if (n_long > 0)
    {
      g_autofree char *which = lines_have (n_long, first_long);
      g_ptr_array_add (notes, g_strdup_printf ("%s: %s more fields than the header's %zu: the fields "
                                               "past them are dropped, as TensorBoard drops them", path,
                                               which, k));
    }
  g_ptr_array_add (values, NULL);
  *n_columns = k;
  *header = g_steal_pointer (&names);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&values), FALSE);
}

/* A path of projector_config.pbtxt's as TensorBoard's projector plugin
 * takes it (_rel_to_abs_asset_path): "~" or "~/..." is under the home
 * folder ($HOME, else the user's, as os.path.expanduser), a relative path
 * under the config's folder, an absolute one (what TensorFlow's tutorials
 * write, os.path.join(log_dir, "metadata.tsv")) as it is. */
static char *
asset_path (Run *r, const char *path)
{
  if (path[0] == '~' && (path[1] == '\0' || G_IS_DIR_SEPARATOR (path[1])))
    {
      const char *home = g_getenv ("HOME");

      return g_build_filename (home && *home ? home : g_get_home_dir (), path + 1, NULL);
    }
  if (g_path_is_absolute (path))
    return g_strdup (path);
  return g_build_filename (r->src_dir, path, NULL);
}

static void
import_embedding (Run *r, const EmbeddingInfo *e)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tensor_path = asset_path (r, e->tensor_path);
  size_t n = 0, d = 0;
  g_autoptr (GArray) mat = read_tensor_tsv (tensor_path, &n, &d, &error);
  g_auto (GStrv) meta = NULL, header = NULL;
  gsize n_columns = 1;
  g_autofree float *sprite = NULL;
  g_autofree char *tag = g_strdup (e->tensor_name);
  gint64 step = 0;

  /* PyTorch names it "tag:00005" */
  char *colon = strrchr (tag, ':');
  if (colon && colon[1] && strspn (colon + 1, "0123456789") == strlen (colon + 1))
    {
      step = g_ascii_strtoll (colon + 1, NULL, 10);
      *colon = '\0';
    }
  if (mat && e->metadata_path)
    {
      g_autofree char *path = asset_path (r, e->metadata_path);
      g_autoptr (GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
      meta = read_metadata_tsv (path, n, &header, &n_columns, notes, &error);
      for (guint i = 0; meta && i < notes->len; i++)
        say (r->imp, FALSE, "%s: embedding '%s': %s", r->src_dir, e->tensor_name,
             (const char *) notes->pdata[i]);
    }
  if (mat && !error && e->sprite_path)
    {
      g_autofree char *path = asset_path (r, e->sprite_path);
      sprite = read_sprite (path, n, e->n_dim > 0 ? e->dim[0] : 0, e->n_dim > 1 ? e->dim[1] : 0,
                            &error);
    }
  if (mat == NULL || error)
    {
      say (r->imp, TRUE, "%s: embedding '%s' not imported: %s", r->src_dir, e->tensor_name,
           error->message);
      return;
    }
  r->step = step;
  lm_writer_set_wall_time (r->w, 0);
  counted (r, LM_TB_EMBEDDING,
           header != NULL
               ? lm_writer_add_embedding_columns (r->w, *tag ? tag : NULL, step, (const float *) mat->data, n, d,
                                                  (const char *const *) header, n_columns,
                                                  (const char *const *) meta, sprite, sprite ? 3 : 0,
                                                  sprite ? e->dim[1] : 0, sprite ? e->dim[0] : 0)
               : lm_writer_add_embedding (r->w, *tag ? tag : NULL, step, (const float *) mat->data, n, d,
                                          (const char *const *) meta, sprite, sprite ? 3 : 0,
                                          sprite ? e->dim[1] : 0, sprite ? e->dim[0] : 0),
           e->tensor_name);
}

/* Opens (or opens again, appending) the run's file; a failure refuses
 * the run.  what: "create" or "reopen", for the message. */
static gboolean
run_open (Run *r, const char *what)
{
  lm_writer_options opts;
  g_autofree char *cmd = g_strdup_printf ("lumen-import %s", r->src_dir);

  if (r->w != NULL || r->refused)
    return r->w != NULL;
  lm_writer_options_init (&opts);
  opts.logdir = r->imp->dst;
  opts.run_name = r->name;
  opts.quiet = TRUE;
  opts.command_line = cmd;
  opts.purge = r->purge_at_open;
  opts.purge_step = r->purge_step;
  if (lm_writer_open_with (&r->w, &opts) != LM_OK)
    {
      say (r->imp, TRUE, "%s: cannot %s run %s: %s", r->src_dir, what, r->name,
           lm_log_last_error ());
      r->refused = TRUE;
    }
  r->purge_at_open = FALSE;
  return r->w != NULL;
}

static void
poll_embeddings (Run *r)
{
  g_autofree char *path = g_build_filename (r->src_dir, "projector_config.pbtxt", NULL);
  struct stat st;
  g_autofree char *text = NULL;

  if (stat (path, &st) != 0)
    return;
  gint64 stamp = (gint64) st.st_size * 1000003 ^ (gint64) st.st_mtim.tv_sec * 1000000000
                 ^ st.st_mtim.tv_nsec;
  if (stamp == r->pbtxt_stamp || !g_file_get_contents (path, &text, NULL, NULL)
      || !run_open (r, "reopen"))
    return;
  r->pbtxt_stamp = stamp;
  g_autoptr (GArray) infos = parse_projector_config (text);
  for (guint i = 0; i < infos->len; i++)
    {
      EmbeddingInfo *e = &g_array_index (infos, EmbeddingInfo, i);
      if (!e->tensor_name || g_hash_table_contains (r->embeddings, e->tensor_name))
        continue;
      g_hash_table_add (r->embeddings, g_strdup (e->tensor_name));
      /* TensorFlow 1's projector.visualize_embeddings without a
       * tensor_path: the values are a variable of model_checkpoint_path */
      if (!e->tensor_path)
        skip (r, "embedding (in a TensorFlow checkpoint, not a tensors.tsv: not supported)");
      else
        import_embedding (r, e);
    }
}

/* -------------------------------------------------------------- runs */

static Run *
run_new (LmTbImport *imp, const char *src_dir, const char *rel)
{
  Run *r = g_new0 (Run, 1);

  r->imp = imp;
  r->src_dir = g_strdup (src_dir);
  if (*rel)
    r->name = g_strdup (rel);
  else
    {
      g_autofree char *abs = g_canonicalize_filename (imp->src, NULL);
      r->name = g_path_get_basename (abs);
      if (strcmp (r->name, "/") == 0 || strcmp (r->name, ".") == 0)
        g_free (r->name), r->name = g_strdup ("root");
    }
  r->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  r->skipped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r->skip_order = g_ptr_array_new (); /* keys of skipped */
  r->embeddings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r->meshes = g_ptr_array_new_with_free_func ((GDestroyNotify) mesh_parts_free);
  r->profiles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_autofree char *dir = g_build_filename (imp->dst, r->name, NULL);
  g_autofree char *file = g_build_filename (dir, "run.lumen", NULL);
  if (g_file_test (file, G_FILE_TEST_EXISTS))
    {
      if (!(imp->flags & LM_TB_IMPORT_OVERWRITE))
        {
          say (imp, TRUE, "%s: run %s already exists; not imported (--overwrite replaces it)",
               src_dir, file);
          r->refused = TRUE;
          return r;
        }
      static const char *const sfx[] = { "", "-wal", "-shm", ".lock" };
      for (guint i = 0; i < G_N_ELEMENTS (sfx); i++)
        {
          g_autofree char *p = g_strconcat (file, sfx[i], NULL);
          if (unlink (p) != 0 && errno != ENOENT)
            {
              say (imp, TRUE, "%s: cannot replace %s: %s", src_dir, p, g_strerror (errno));
              r->refused = TRUE;
              return r;
            }
        }
    }
  run_open (r, "create");
  return r;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Reads the new records of one event file.  One that has not grown
 * since is not opened: FALSE when it is read to its end. */
static gboolean
poll_file (Run *r, const FileSeen *seen)
{
  const char *name = seen->name;
  g_autofree char *path = g_build_filename (r->src_dir, name, NULL);
  EventFile *ef = g_hash_table_lookup (r->files, name);
  g_autoptr (GByteArray) buf = g_byte_array_new ();

  if (ef == NULL)
    {
      ef = g_new0 (EventFile, 1);
      g_hash_table_insert (r->files, g_strdup (name), ef);
    }
  /* a file cut shorter than what was read is waited for, as TensorBoard
   * does */
  if (ef->broken || seen->size <= ef->offset)
    return FALSE;
  if (!run_open (r, "reopen"))
    return FALSE;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      say (r->imp, TRUE, "%s: %s", path, g_strerror (errno));
      ef->broken = TRUE;
      return FALSE;
    }
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      guint64 at = ef->offset;
      LmTfRecordStatus st = lm_tfrecord_read (fd, path, &ef->offset, buf, &error);
      if (st == LM_TFRECORD_END)
        break;
      if (st != LM_TFRECORD_OK)
        {
          say (r->imp, TRUE, "%s; the rest of this file is not read", error->message);
          ef->broken = TRUE;
          break;
        }
      import_event (r, buf->data, buf->len, path, at);
      if (ef->offset < seen->size && cancelled (r->imp))
        {
          r->interrupted = ef->interrupted = TRUE;
          say (r->imp, FALSE, "%s: interrupted at byte %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
               "; the rest of this file is not read", path, ef->offset, seen->size);
          break;
        }
    }
  meshes_flush (r);
  close (fd);
  return !ef->broken && ef->offset < seen->size;
}

/* Closes the run's writer, marking it finished (it is opened again if
 * its files grow). */
static void
run_close_finished (Run *r)
{
  lm_writer_set_status (r->w, LM_RUN_FINISHED);
  if (lm_writer_close (r->w) != LM_OK)
    say (r->imp, TRUE, "%s: %s", r->name, lm_log_last_error ());
  r->w = NULL;
}

/* Returns whether a file holds more than was read (a record cut short). */
static gboolean
poll_run (Run *r, GArray *files)
{
  gboolean pending = FALSE;
  gint64 newest = 0;

  if (r->refused)
    return FALSE;
  g_array_sort (files, compare_names);
  for (guint i = 0; i < files->len; i++)
    {
      const FileSeen *seen = &g_array_index (files, FileSeen, i);
      if (cancelled (r->imp))
        {
          r->interrupted = TRUE;
          return TRUE;
        }
      pending |= poll_file (r, seen);
      newest = MAX (newest, seen->mtime);
    }
  if (cancelled (r->imp))
    return TRUE;
  poll_embeddings (r);
  if (r->w != NULL && !pending && !(r->imp->flags & LM_TB_IMPORT_ONCE)
      && newest < g_get_real_time () / G_USEC_PER_SEC - IDLE_CLOSE_S)
    run_close_finished (r);
  return pending;
}

/* The news of a few events a trace left out (a missing field), the first
 * ones named. */
#define MAX_PROFILE_WARNINGS 5
/* r->profiles' mark of a file read: not read again */
#define PROFILE_READ G_MININT64

/* cancelled, as a trace's reader (every few thousand events) and the
 * writing of its steps (before each step) ask it */
static gboolean
stop_reading (gpointer imp)
{
  return cancelled (imp);
}

/* Reads each torch.profiler trace not read yet (or changed since it
 * failed) into profiled steps: those read at one look share one graph,
 * so that the graph page's trace menu lists all their steps. */
static void
poll_profiles (Run *r, GArray *files)
{
  g_autoptr (GPtrArray) traces = g_ptr_array_new_with_free_func ((GDestroyNotify) lm_chrome_trace_free);
  g_autofree char *graph = NULL;
  guint n = 0;

  if (r->refused)
    return;
  g_array_sort (files, compare_names);
  for (guint i = 0; i < files->len; i++)
    {
      const FileSeen *seen = &g_array_index (files, FileSeen, i);
      gint64 stamp = (gint64) seen->size * 1000003 ^ seen->mtime;
      gint64 *was = g_hash_table_lookup (r->profiles, seen->name);
      g_autofree char *path = g_build_filename (r->src_dir, seen->name, NULL);
      g_autofree char *error = NULL;
      LmChromeTrace *ct;
      gint64 mark;

      if (was != NULL && (*was == stamp || *was == PROFILE_READ))
        continue;
      if (cancelled (r->imp))
        {
          r->interrupted = TRUE;
          break;
        }
      ct = lm_chrome_trace_load_stoppable (path, stop_reading, r->imp, &error);
      if (ct == NULL && cancelled (r->imp))
        {
          r->interrupted = TRUE;
          say (r->imp, FALSE, "%s; the rest of this file is not read", error);
          break;
        }
      /* read: never again; failed: again once it changes */
      mark = ct != NULL ? PROFILE_READ : stamp;
      g_hash_table_insert (r->profiles, g_strdup (seen->name), g_memdup2 (&mark, sizeof mark));
      if (ct == NULL)
        {
          say (r->imp, TRUE, "%s; the file is not imported", error);
          continue;
        }
      g_ptr_array_add (traces, ct);
      for (guint k = 0; k < MIN (ct->warnings->len, MAX_PROFILE_WARNINGS); k++)
        say (r->imp, TRUE, "%s; event left out", (const char *) ct->warnings->pdata[k]);
      if (ct->warnings->len > MAX_PROFILE_WARNINGS)
        say (r->imp, TRUE, "%s: %u more events left out", path,
             ct->warnings->len - MAX_PROFILE_WARNINGS);
      if (ct->steps->len == 0)
        say (r->imp, TRUE, "%s: no op events (cpu_op) to import", path);
      /* the graph's name: the first file's worker ("gpu1" of
       * gpu1.1700000000000.pt.trace.json) */
      if (graph == NULL)
        graph = g_strndup (seen->name, strcspn (seen->name, "."));
    }
  if (traces->len == 0 || !run_open (r, "reopen"))
    return;
  if (lm_tb_profile_write (r->w, traces, graph, &r->next_profile_step, &n, stop_reading, r->imp) != LM_OK)
    say (r->imp, TRUE, "%s: profiled steps not imported: %s", r->src_dir, lm_log_last_error ());
  r->counts[LM_TB_PROFILE] += n;
  if (cancelled (r->imp))
    r->interrupted = TRUE;
}

static void
file_seen_clear (FileSeen *f)
{
  g_free (f->name);
}

static void
scan_dir (LmTbImport *imp, const char *dir, const char *rel, int depth, GArray *visited)
{
  DIR *d = opendir (dir);
  struct dirent *de;
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (FileSeen));
  g_autoptr (GArray) profiles = g_array_new (FALSE, FALSE, sizeof (FileSeen));
  g_autoptr (GPtrArray) subdirs = g_ptr_array_new_with_free_func (g_free);

  g_array_set_clear_func (events, (GDestroyNotify) file_seen_clear);
  g_array_set_clear_func (profiles, (GDestroyNotify) file_seen_clear);
  if (d == NULL)
    {
      int err = errno;

      /* said once, not at every look while it lasts (a --logdir that
       * training has not made yet) */
      if (depth == 0 && err != imp->root_errno)
        say (imp, TRUE, "%s: %s", dir, g_strerror (err));
      if (depth == 0)
        imp->root_errno = err;
      return;
    }
  if (depth == 0)
    imp->root_errno = 0;
  while ((de = readdir (d)) != NULL && !cancelled (imp))
    {
      if (de->d_name[0] == '.')
        continue;
      g_autofree char *path = g_build_filename (dir, de->d_name, NULL);
      struct stat st;
      if (stat (path, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          if (!lm_scan_seen_before (visited, &st))
            g_ptr_array_add (subdirs, g_strdup (de->d_name));
        }
      else if (S_ISREG (st.st_mode))
        {
          GArray *into = lm_tb_is_event_file (de->d_name)     ? events
                         : lm_tb_is_profile_file (de->d_name) ? profiles
                                                              : NULL;
          FileSeen f = { NULL, (guint64) st.st_size, (gint64) st.st_mtime };

          if (into == NULL)
            continue;
          f.name = g_strdup (de->d_name);
          g_array_append_val (into, f);
        }
    }
  closedir (d);
  /* a folder listed in part: its run is not started */
  if (cancelled (imp))
    return;
  if (events->len > 0 || profiles->len > 0)
    {
      Run *r = g_hash_table_lookup (imp->runs, rel);
      if (r == NULL)
        {
          r = run_new (imp, dir, rel);
          g_hash_table_insert (imp->runs, g_strdup (rel), r);
        }
      r->pass = imp->pass;
      gboolean pending = poll_run (r, events);
      poll_profiles (r, profiles);
      if ((imp->flags & LM_TB_IMPORT_ONCE) && r->w != NULL && !pending && !r->interrupted)
        run_close_finished (r);
    }
  if (depth >= MAX_DEPTH)
    return;
  g_ptr_array_sort (subdirs, compare_names);
  for (guint i = 0; i < subdirs->len && !cancelled (imp); i++)
    {
      const char *name = subdirs->pdata[i];
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *sub = *rel ? g_strconcat (rel, "/", name, NULL) : g_strdup (name);
      scan_dir (imp, path, sub, depth + 1, visited);
    }
}

/* ------------------------------------------------------------ public */

/* "runs/" -> "runs", as the shell completes a folder, so that messages
 * name "lumen-runs/exp1/run.lumen", not "lumen-runs//exp1/run.lumen";
 * "/" stays "/". */
static char *
without_trailing_slashes (const char *path)
{
  size_t len = strlen (path);

  while (len > 1 && path[len - 1] == G_DIR_SEPARATOR)
    len--;
  return g_strndup (path, len);
}

LmTbImport *
lm_tb_import_new (const char *src, const char *dst, LmTbImportFlags flags)
{
  LmTbImport *imp = g_new0 (LmTbImport, 1);

  imp->src = without_trailing_slashes (src);
  imp->dst = without_trailing_slashes (dst);
  imp->flags = flags;
  imp->message = default_message;
  imp->runs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) run_free);
  return imp;
}

void
lm_tb_import_set_message_func (LmTbImport *imp, LmTbImportMessageFunc fn, gpointer user_data)
{
  imp->message = fn ? fn : default_message;
  imp->message_data = user_data;
}

/* LM_TB_IMPORT_MIRROR: the runs whose folders this poll found without
 * event files (deleted, moved) leave dst. */
static void
drop_gone_runs (LmTbImport *imp)
{
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, imp->runs);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      Run *r = v;
      if (r->pass == imp->pass)
        continue;
      gboolean ours = !r->refused;
      g_autofree char *dir = g_build_filename (imp->dst, r->name, NULL);
      g_hash_table_iter_remove (&it); /* closes its writer */
      if (!ours)
        continue;
      static const char *const files[] = { "run.lumen", "run.lumen-wal", "run.lumen-shm",
                                           "run.lumen.lock" };
      for (guint i = 0; i < G_N_ELEMENTS (files); i++)
        {
          g_autofree char *path = g_build_filename (dir, files[i], NULL);
          if (unlink (path) != 0 && errno != ENOENT)
            say (imp, TRUE, "%s: cannot remove %s: %s", imp->src, path, g_strerror (errno));
        }
      rmdir (dir); /* kept when it holds a nested run */
    }
}

guint64
lm_tb_import_poll (LmTbImport *imp)
{
  guint64 before = imp->imported;

  imp->pass++;
  g_autoptr (GArray) visited = lm_scan_visited_new ();
  struct stat root;

  /* a symlink back to SRC is not a run inside it */
  if (stat (imp->src, &root) == 0)
    lm_scan_seen_before (visited, &root);
  scan_dir (imp, imp->src, "", 0, visited);
  /* a poll cut short has not seen every folder: none is gone */
  if ((imp->flags & LM_TB_IMPORT_MIRROR) && !cancelled (imp))
    drop_gone_runs (imp);
  return imp->imported - before;
}

void
lm_tb_import_set_cancel_flag (LmTbImport *imp, const volatile sig_atomic_t *flag)
{
  imp->cancel = flag;
}

gboolean
lm_tb_import_was_interrupted (LmTbImport *imp)
{
  return imp->interrupted;
}

void
lm_tb_import_flush (LmTbImport *imp)
{
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, imp->runs);
  while (g_hash_table_iter_next (&it, NULL, &v))
    if (((Run *) v)->w)
      lm_writer_flush (((Run *) v)->w);
}

/* "1,234" */
static void
append_count (GString *s, guint64 n)
{
  char digits[32];
  int len = g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, n);

  for (int i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
}

static char *
run_summary (Run *r)
{
  GString *s = g_string_new (NULL);
  gboolean any = FALSE;

  g_string_append_printf (s, "%s -> %s/%s/run.lumen: imported ", r->src_dir, r->imp->dst, r->name);
  for (int k = 0; k < LM_TB_N_KINDS; k++)
    {
      if (r->counts[k] == 0 && k != LM_TB_SCALAR)
        continue;
      if (any)
        g_string_append (s, ", ");
      append_count (s, r->counts[k]);
      g_string_append_printf (s, " %s", lm_tb_kind_name (k, r->counts[k]));
      any = TRUE;
    }
  for (guint i = 0; i < r->skip_order->len; i++)
    {
      const char *why = r->skip_order->pdata[i];
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (r->skipped, why));
      g_string_append (s, i == 0 ? "; skipped " : ", ");
      append_count (s, n);
      /* "graph (why)" -> "graphs (why)", "mesh (why)" -> "meshes (why)" */
      const char *paren = strstr (why, " (");
      if (n != 1 && paren)
        g_string_append_printf (s, " %.*s%s%s", (int) (paren - why), why,
                                paren - why >= 2 && strncmp (paren - 2, "sh", 2) == 0 ? "es" : "s",
                                paren);
      else
        g_string_append_printf (s, " %s", why);
    }
  if (r->interrupted)
    g_string_append (s, "; interrupted before the end of its event files (marked stopped)");
  return g_string_free (s, FALSE);
}

static int
compare_runs (gconstpointer a, gconstpointer b)
{
  const Run *ra = *(Run *const *) a, *rb = *(Run *const *) b;

  return strcmp (ra->name, rb->name);
}

/* Says which of the run's event files end in a record cut short, not
 * read (not an error: a writer may still be adding to it, as TensorBoard
 * assumes), where the summary's counts alone left a truncated file looking
 * whole. */
static void
note_cut_short (Run *r)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  GHashTableIter it;
  gpointer k, v;

  g_hash_table_iter_init (&it, r->files);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_ptr_array_add (names, k);
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const EventFile *ef = g_hash_table_lookup (r->files, names->pdata[i]);
      g_autofree char *path = g_build_filename (r->src_dir, names->pdata[i], NULL);
      struct stat st;

      if (!ef->broken && !ef->interrupted && stat (path, &st) == 0 && (guint64) st.st_size > ef->offset)
        say (r->imp, FALSE, "%s: its last %" G_GUINT64_FORMAT " bytes are a record cut short (still being "
             "written, or the file was truncated); not read", path, (guint64) st.st_size - ef->offset);
    }
}

guint
lm_tb_import_finish (LmTbImport *imp, gboolean stopped)
{
  g_autoptr (GPtrArray) runs = g_ptr_array_new ();
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, imp->runs);
  while (g_hash_table_iter_next (&it, NULL, &v))
    g_ptr_array_add (runs, v);

  g_ptr_array_sort (runs, compare_runs);
  for (guint i = 0; i < runs->len; i++)
    {
      Run *r = runs->pdata[i];
      if (r->refused)
        continue;
      if (r->w != NULL) /* else closed when it went idle, as finished */
        {
          lm_writer_set_status (r->w, stopped || r->interrupted ? LM_RUN_STOPPED : LM_RUN_FINISHED);
          if (lm_writer_close (r->w) != LM_OK)
            say (imp, TRUE, "%s: %s", r->name, lm_log_last_error ());
          r->w = NULL;
        }
      note_cut_short (r);
      g_autofree char *line = run_summary (r);
      say (imp, FALSE, "%s", line);
    }
  if (runs->len == 0)
    say (imp, TRUE, "%s: no event files (events.out.tfevents.*) found", imp->src);
  return imp->n_errors;
}

guint
lm_tb_import_get_n_errors (LmTbImport *imp)
{
  return imp->n_errors;
}

guint
lm_tb_import_get_n_runs (LmTbImport *imp)
{
  return g_hash_table_size (imp->runs);
}

void
lm_tb_import_free (LmTbImport *imp)
{
  if (imp == NULL)
    return;
  g_hash_table_unref (imp->runs);
  g_clear_pointer (&imp->experiment, experiment_unref);
  g_free (imp->src);
  g_free (imp->dst);
  g_free (imp);
}

static gboolean
has_events (const char *dir, int depth, GArray *visited)
{
  DIR *d = opendir (dir);
  struct dirent *de;
  gboolean found = FALSE;

  if (d == NULL)
    return FALSE;
  while (!found && (de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.')
        continue;
      g_autofree char *path = g_build_filename (dir, de->d_name, NULL);
      struct stat st;
      if (stat (path, &st) != 0)
        continue;
      if (S_ISREG (st.st_mode)
          && (lm_tb_is_event_file (de->d_name) || lm_tb_is_profile_file (de->d_name)))
        found = TRUE;
      else if (S_ISDIR (st.st_mode) && depth < MAX_DEPTH && !lm_scan_seen_before (visited, &st))
        found = has_events (path, depth + 1, visited);
    }
  closedir (d);
  return found;
}

gboolean
lm_tb_has_event_files (const char *root)
{
  g_autoptr (GArray) visited = lm_scan_visited_new ();

  return has_events (root, 0, visited);
}
