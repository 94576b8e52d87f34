/* lm-tb-export.c: Lumen runs -> TensorBoard event files (see
 * lm-tb-export.h).  Each run's records are written one value an event,
 * in wall-time order (then step, kind, logging order), with the messages
 * and field order torch.utils.tensorboard (1.13) gives them: simple_value
 * scalars, HistogramProto with PyTorch's empty first bucket (its limit is
 * the left edge), PNG Summary.Image, WAV Summary.Audio (a labelled clip as
 * the "audio" plugin's tensor), "text", "pr_curves", "hparams",
 * "custom_scalars" and "mesh" plugin tensors, Event.graph_def.  proto3
 * defaults (0, empty) are left out as the official runtime leaves them
 * out. */
#include "lm-tb-export.h"
#include "lm-tb-export-private.h"
#include "lm-tb-cli.h"
#include "lm-tb-import.h"
#include "lm-tfevents.h"

#include <lm-chrome-trace.h>
#include <lm-graph-data.h>
#include <lm-records.h>

#include <lm-reader-private.h>
#include <lm-scan-private.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 32

typedef LmTbKind Kind;

typedef struct
{
  const LmTbExportOptions *opts;
  const char *src, *dst;
  GRegex *filter;
  guint n_errors, n_runs;
} Export;

typedef struct
{
  Export *ex;
  char *path;    /* .../run.lumen */
  char *name;    /* the run's name under dst */
  char *out_dir;
  char *file;    /* the event file */
  sqlite3 *db;
  FILE *f;
  GByteArray *rec, *framed;
  guint64 counts[LM_TB_N_KINDS];
  guint64 traces;
  gboolean failed;
} Run;

G_GNUC_PRINTF (3, 4) static void
say (Export *ex, gboolean is_error, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (is_error)
    ex->n_errors++;
  if (ex->opts->message)
    ex->opts->message (msg, is_error, ex->opts->message_data);
  else
    fprintf (stderr, "%s\n", msg);
}

/* A table an older run file may lack; a file that cannot be asked reads
 * as lacking it. */
static gboolean
has_table (sqlite3 *db, const char *name)
{
  int rc;

  return lm_reader_table_exists (db, name, &rc);
}

/* A column an older run file may lack (images.frames before videos). */
static gboolean
has_column (sqlite3 *db, const char *table, const char *column)
{
  sqlite3_stmt *st = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &st,
                          NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (st, 1, table, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 2, column, -1, SQLITE_STATIC);
      found = sqlite3_step (st) == SQLITE_ROW;
    }
  sqlite3_finalize (st);
  return found;
}

/* A query's failure: named with the run file, counted once per run. */
static void
db_failed (Run *r, const char *what)
{
  if (!r->failed)
    say (r->ex, TRUE, "%s: cannot read %s: %s; the export of this run is incomplete", r->path,
         what, sqlite3_errmsg (r->db));
  r->failed = TRUE;
}

static sqlite3_stmt *
prepare (Run *r, const char *sql)
{
  sqlite3_stmt *st = NULL;

  if (sqlite3_prepare_v2 (r->db, sql, -1, &st, NULL) != SQLITE_OK)
    {
      db_failed (r, "its tables");
      sqlite3_finalize (st);
      return NULL;
    }
  return st;
}

/* ------------------------------------------------------------ events */

/* A message around at most one blob (an image's PNG, a clip's WAV) that
 * is written from SQLite's buffer as it is, never copied: pre, the blob,
 * post.  A 10-minute 48 kHz stereo clip (115 MB) was copied five times
 * (its field, the Value, the Summary, the Event, the framed record):
 * lumen-export took 681 MB for it. */
typedef struct
{
  GByteArray *pre, *post;
  const void *blob;
  gsize blob_len;
  gboolean has_blob;
} Body;

static void
body_init (Body *b)
{
  *b = (Body) { .pre = g_byte_array_new (), .post = g_byte_array_new () };
}

static void
body_clear (Body *b)
{
  g_byte_array_unref (b->pre);
  g_byte_array_unref (b->post);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Body, body_clear)

/* Where the next field goes: after the blob once there is one. */
static GByteArray *
body_tail (Body *b)
{
  return b->has_blob ? b->post : b->pre;
}

static gsize
body_len (const Body *b)
{
  return b->pre->len + b->blob_len + b->post->len;
}

/* The bytes field `field`: the blob, kept where it is. */
static void
body_blob (Body *b, guint32 field, const void *data, gsize len)
{
  g_assert (!b->has_blob);
  lm_pbw_bytes_header (b->pre, field, len);
  b->blob = data;
  b->blob_len = len;
  b->has_blob = TRUE;
}

/* inner as the message field `field` of outer. */
static void
body_message (Body *outer, guint32 field, const Body *inner)
{
  if (!inner->has_blob)
    {
      lm_pbw_message (body_tail (outer), field, inner->pre);
      return;
    }
  g_assert (!outer->has_blob);
  lm_pbw_bytes_header (outer->pre, field, body_len (inner));
  g_byte_array_append (outer->pre, inner->pre->data, inner->pre->len);
  outer->blob = inner->blob;
  outer->blob_len = inner->blob_len;
  outer->has_blob = TRUE;
  g_byte_array_append (outer->post, inner->post->data, inner->post->len);
}

/* An empty piece has no buffer at all (NULL): fwrite must not see it. */
static void
write_piece (const void *data, gsize len, FILE *f)
{
  if (len > 0)
    fwrite (data, 1, len, f);
}

/* Event {wall_time 1, step 2, <field> body}, framed (its CRC over the
 * pieces) and written piece by piece. */
static void
write_event_body (Run *r, double wall_time, gint64 step, guint32 field, const Body *body)
{
  GByteArray *rec = r->rec;
  guint8 head[8];

  g_byte_array_set_size (rec, 0);
  if (wall_time != 0)
    lm_pbw_double (rec, 1, wall_time);
  if (step != 0)
    lm_pbw_varint (rec, 2, (guint64) step);
  lm_pbw_bytes_header (rec, field, body_len (body));
  guint64 len = rec->len + body_len (body);
  for (int i = 0; i < 8; i++)
    head[i] = (guint8) (len >> (8 * i));
  guint32 crc = lm_crc32c_extend (lm_crc32c (rec->data, rec->len), body->pre->data, body->pre->len);
  if (body->blob_len)
    crc = lm_crc32c_extend (crc, body->blob, body->blob_len);
  crc = lm_crc32c_extend (crc, body->post->data, body->post->len);
  guint8 crcs[2][4];
  guint32 masked[2] = { lm_crc32c_masked (head, 8), lm_crc32c_mask (crc) };
  for (int k = 0; k < 2; k++)
    for (int i = 0; i < 4; i++)
      crcs[k][i] = (guint8) (masked[k] >> (8 * i));
  fwrite (head, 1, 8, r->f);
  fwrite (crcs[0], 1, 4, r->f);
  write_piece (rec->data, rec->len, r->f);
  write_piece (body->pre->data, body->pre->len, r->f);
  write_piece (body->blob, body->blob_len, r->f);
  write_piece (body->post->data, body->post->len, r->f);
  fwrite (crcs[1], 1, 4, r->f);
}

/* Event.summary {value [v]}, v around a blob. */
static void
write_value_body (Run *r, double wall_time, gint64 step, const Body *v, Kind k)
{
  g_auto (Body) summary;

  body_init (&summary);
  body_message (&summary, 1, v);
  write_event_body (r, wall_time, step, 5, &summary);
  r->counts[k]++;
}

/* Event {wall_time 1, step 2, <field> body}, framed and written. */
static void
write_event (Run *r, double wall_time, gint64 step, guint32 field, const GByteArray *body)
{
  g_auto (Body) b = { .pre = g_byte_array_ref ((GByteArray *) body), .post = g_byte_array_new () };

  write_event_body (r, wall_time, step, field, &b);
}

/* Event.summary {value [v]}. */
static void
write_value (Run *r, double wall_time, gint64 step, const GByteArray *v, Kind k)
{
  g_auto (Body) b = { .pre = g_byte_array_ref ((GByteArray *) v), .post = g_byte_array_new () };

  write_value_body (r, wall_time, step, &b, k);
}

/* SummaryMetadata {plugin_data {plugin_name, content}} as Value.metadata 9. */
static void
add_metadata (GByteArray *v, const char *plugin, const GByteArray *content)
{
  g_autoptr (GByteArray) pd = g_byte_array_new ();
  g_autoptr (GByteArray) md = g_byte_array_new ();

  lm_pbw_string (pd, 1, plugin);
  if (content && content->len)
    lm_pbw_message (pd, 2, content);
  lm_pbw_message (md, 1, pd);
  lm_pbw_message (v, 9, md);
}

static void
add_double (GByteArray *b, guint32 field, double x)
{
  guint64 bits;

  memcpy (&bits, &x, sizeof bits);
  if (bits != 0) /* proto3 leaves 0.0 out (-0.0 has bits) */
    lm_pbw_double (b, field, x);
}

static double
column_real (sqlite3_stmt *st, int i)
{
  return sqlite3_column_type (st, i) == SQLITE_NULL ? NAN : sqlite3_column_double (st, i);
}

static const char *
column_text (sqlite3_stmt *st, int i)
{
  const char *s = (const char *) sqlite3_column_text (st, i);

  return s ? s : "";
}

/* ------------------------------------------------------------- kinds */

/* summary.scalar: Value {tag 1, simple_value 2}. */
static void
export_scalar (Run *r, sqlite3_stmt *st, double wall_time, gint64 step)
{
  g_autoptr (GByteArray) v = g_byte_array_new ();
  float x = (float) column_real (st, 1);
  guint32 bits;

  lm_pbw_string (v, 1, column_text (st, 0));
  memcpy (&bits, &x, sizeof bits);
  if (bits != 0)
    lm_pbw_float (v, 2, x);
  write_value (r, wall_time, step, v, LM_TB_SCALAR);
}

/* summary.make_histogram: HistogramProto {min 1, max 2, num 3, sum 4,
 * sum_squares 5, bucket_limit 6, bucket 7}; bucket i holds (limit[i-1],
 * limit[i]], and PyTorch puts an empty bucket first so that its limit
 * keeps the left edge: limits are Lumen's edges, buckets 0 + counts. */
static void
export_histogram (Run *r, sqlite3_stmt *st, double wall_time, gint64 step)
{
  g_autoptr (GByteArray) v = g_byte_array_new ();
  g_autoptr (GByteArray) h = g_byte_array_new ();
  gint64 k = sqlite3_column_int64 (st, 6);
  const double *edges = sqlite3_column_blob (st, 7);
  size_t edges_len = (size_t) sqlite3_column_bytes (st, 7);
  const double *counts = sqlite3_column_blob (st, 8);
  size_t counts_len = (size_t) sqlite3_column_bytes (st, 8);

  if (k < 0 || (k > 0 && (edges_len != (size_t) (k + 1) * 8 || counts_len != (size_t) k * 8)))
    {
      say (r->ex, TRUE, "%s: histogram '%s' at step %" G_GINT64_FORMAT " not exported: "
           "%" G_GINT64_FORMAT " buckets but %zu edge and %zu count bytes", r->path,
           column_text (st, 0), step, k, edges_len, counts_len);
      return;
    }
  lm_pbw_string (v, 1, column_text (st, 0));
  if (k > 0)
    {
      add_double (h, 1, column_real (st, 2));
      add_double (h, 2, column_real (st, 3));
    }
  add_double (h, 3, sqlite3_column_double (st, 1));
  add_double (h, 4, k > 0 ? column_real (st, 4) : 0);
  add_double (h, 5, k > 0 ? column_real (st, 5) : 0);
  if (k > 0)
    {
      g_autofree double *limits = g_new (double, (size_t) k + 1);
      g_autofree double *buckets = g_new (double, (size_t) k + 1);
      memcpy (limits, edges, edges_len); /* the blob may be unaligned */
      buckets[0] = 0;
      memcpy (buckets + 1, counts, counts_len);
      lm_pbw_packed_doubles (h, 6, limits, (size_t) k + 1);
      lm_pbw_packed_doubles (h, 7, buckets, (size_t) k + 1);
    }
  lm_pbw_message (v, 5, h);
  write_value (r, wall_time, step, v, LM_TB_HISTOGRAM);
}

/* summary.make_image: Summary.Image {height 1, width 2, colorspace 3,
 * encoded_image_string 4}; Lumen's PNG is written as it is.  A video
 * (frames > 1) is its animated PNG, as add_video's Summary.Image holds
 * its GIF: TensorBoard shows it through the browser, which plays APNG.
 * An image with boxes gets them burned in, as add_image_with_boxes logs
 * it (TensorBoard has no other form for them). */
static void
export_image (Run *r, sqlite3_stmt *st, double wall_time, gint64 step)
{
  g_auto (Body) v;
  g_auto (Body) img;
  g_autoptr (GBytes) burned = NULL;
  int channels = sqlite3_column_int (st, 3);

  body_init (&v);
  body_init (&img);
  if (sqlite3_column_type (st, 6) == SQLITE_TEXT && sqlite3_column_int (st, 5) <= 1)
    {
      g_autoptr (GError) error = NULL;

      burned = lm_tb_export_burn_boxes (sqlite3_column_blob (st, 4), (gsize) sqlite3_column_bytes (st, 4),
                                        (const char *) sqlite3_column_text (st, 6), &channels, &error);
      if (burned == NULL)
        say (r->ex, FALSE, "%s: image '%s' at step %" G_GINT64_FORMAT " exported without its boxes: %s",
             r->path, column_text (st, 0), step, error->message);
    }
  lm_pbw_string (v.pre, 1, column_text (st, 0));
  lm_pbw_varint (img.pre, 1, (guint64) sqlite3_column_int64 (st, 2));
  lm_pbw_varint (img.pre, 2, (guint64) sqlite3_column_int64 (st, 1));
  lm_pbw_varint (img.pre, 3, (guint64) channels);
  if (burned != NULL)
    body_blob (&img, 4, g_bytes_get_data (burned, NULL), g_bytes_get_size (burned));
  else
    body_blob (&img, 4, sqlite3_column_blob (st, 4), (size_t) sqlite3_column_bytes (st, 4));
  body_message (&v, 4, &img);
  write_value_body (r, wall_time, step, &v, sqlite3_column_int (st, 5) > 1 ? LM_TB_VIDEO : LM_TB_IMAGE);
}

/* TensorShapeProto {dim {size}...}. */
static void
add_shape (GByteArray *t, const gint64 *dims, int n)
{
  g_autoptr (GByteArray) shape = g_byte_array_new ();

  for (int i = 0; i < n; i++)
    {
      g_autoptr (GByteArray) dim = g_byte_array_new ();
      if (dims[i])
        lm_pbw_varint (dim, 1, (guint64) dims[i]);
      lm_pbw_message (shape, 2, dim);
    }
  lm_pbw_message (t, 2, shape);
}

/* A clip without a label: summary.audio's Summary.Audio {sample_rate 1
 * (a float), num_channels 2, length_frames 3, encoded_audio_string 4,
 * content_type 5 "audio/wav"}, the stored WAV as it is.  With a label:
 * TensorBoard shows a clip's label only from the "audio" plugin's tensor
 * (a legacy Summary.Audio becomes one with an empty label), so the clip is
 * written as its summary ops write it, a DT_STRING [1, 2] tensor {WAV,
 * label} with AudioPluginData {version 1 (0), encoding 2: WAV = 11}. */
static void
export_audio (Run *r, sqlite3_stmt *st, double wall_time, gint64 step)
{
  g_auto (Body) v;
  g_auto (Body) a;
  const void *wav = sqlite3_column_blob (st, 4);
  size_t wav_len = (size_t) sqlite3_column_bytes (st, 4);
  const char *label = (const char *) sqlite3_column_text (st, 5);

  body_init (&v);
  body_init (&a);
  lm_pbw_string (v.pre, 1, column_text (st, 0));
  if (label && *label)
    {
      g_autoptr (GByteArray) pd = g_byte_array_new ();
      const gint64 dims[2] = { 1, 2 };
      lm_pbw_varint (a.pre, 1, LM_DT_STRING);
      add_shape (a.pre, dims, 2);
      body_blob (&a, 8, wav, wav_len);
      lm_pbw_string (body_tail (&a), 8, label);
      body_message (&v, 8, &a);
      lm_pbw_varint (pd, 2, 11);
      add_metadata (body_tail (&v), "audio", pd);
      write_value_body (r, wall_time, step, &v, LM_TB_AUDIO);
      return;
    }
  float rate = (float) sqlite3_column_double (st, 1);
  gint64 channels = sqlite3_column_int64 (st, 2), frames = sqlite3_column_int64 (st, 3);
  if (rate != 0)
    lm_pbw_float (a.pre, 1, rate);
  if (channels != 0)
    lm_pbw_varint (a.pre, 2, (guint64) channels);
  if (frames != 0)
    lm_pbw_varint (a.pre, 3, (guint64) frames);
  body_blob (&a, 4, wav, wav_len);
  lm_pbw_string (body_tail (&a), 5, "audio/wav");
  body_message (&v, 6, &a);
  write_value_body (r, wall_time, step, &v, LM_TB_AUDIO);
}

/* summary.text: TensorProto {dtype DT_STRING, shape [1], string_val},
 * plugin "text" (TextPluginData version 0: no content).  The tag is
 * Lumen's (add_text would append "/text_summary"). */
static void
export_text (Run *r, sqlite3_stmt *st, double wall_time, gint64 step)
{
  g_autoptr (GByteArray) v = g_byte_array_new ();
  g_autoptr (GByteArray) t = g_byte_array_new ();
  const gint64 one = 1;

  lm_pbw_string (v, 1, column_text (st, 0));
  lm_pbw_varint (t, 1, LM_DT_STRING);
  add_shape (t, &one, 1);
  lm_pbw_bytes (t, 8, sqlite3_column_blob (st, 1), (size_t) sqlite3_column_bytes (st, 1));
  lm_pbw_message (v, 8, t);
  add_metadata (v, "text", NULL);
  write_value (r, wall_time, step, v, LM_TB_TEXT);
}

/* summary.pr_curve_raw: a [6, n] DT_FLOAT tensor (tp, fp, tn, fn,
 * precision, recall), plugin "pr_curves" with PrCurvePluginData
 * {version 1 (0), num_thresholds 2}. */
static void
export_pr_curve (Run *r, sqlite3_stmt *st, sqlite3_stmt *pts, gint64 id, double wall_time,
                 gint64 step)
{
  g_autoptr (GByteArray) v = g_byte_array_new ();
  g_autoptr (GByteArray) t = g_byte_array_new ();
  g_autoptr (GByteArray) pd = g_byte_array_new ();
  GArray *cols[6];
  int rc;

  for (int c = 0; c < 6; c++)
    cols[c] = g_array_new (FALSE, FALSE, sizeof (float));
  sqlite3_reset (pts);
  sqlite3_bind_int64 (pts, 1, id);
  while ((rc = sqlite3_step (pts)) == SQLITE_ROW)
    for (int c = 0; c < 6; c++)
      {
        float x = (float) sqlite3_column_double (pts, c);
        g_array_append_val (cols[c], x);
      }
  guint n = cols[0]->len;
  g_autofree float *data = g_new (float, 6 * (size_t) MAX (n, 1));
  for (int c = 0; c < 6; c++)
    {
      memcpy (data + (size_t) c * n, cols[c]->data, n * sizeof (float));
      g_array_unref (cols[c]);
    }
  if (rc != SQLITE_DONE)
    {
      db_failed (r, "pr_curve_points");
      return;
    }
  gint64 dims[2] = { 6, n };
  lm_pbw_string (v, 1, column_text (st, 0));
  lm_pbw_varint (t, 1, LM_DT_FLOAT);
  add_shape (t, dims, 2);
  if (n)
    lm_pbw_packed_floats (t, 5, data, 6 * (size_t) n);
  lm_pbw_message (v, 8, t);
  lm_pbw_varint (pd, 2, n);
  add_metadata (v, "pr_curves", pd);
  write_value (r, wall_time, step, v, LM_TB_PR_CURVE);
}

static void
export_graph (Run *r, gint64 id, double wall_time, gint64 step)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) def = lm_tb_export_graphdef (r->db, id, &error);

  if (def == NULL)
    {
      say (r->ex, TRUE, "%s: graph not exported: %s", r->path, error->message);
      return;
    }
  write_event (r, wall_time, step, 4, def); /* Event.graph_def */
  r->counts[LM_TB_GRAPH]++;
}

/* ------------------------------------------------------------- meshes */

/* summary.py's _get_tensor_summary for one part of a mesh: Value {tag 1
 * "<name>_<TYPE>", tensor 8 {dtype DT_FLOAT, tensor_shape [1, rows, 3],
 * float_val packed}, metadata 9 {plugin_data {"mesh", MeshPluginData
 * {version 1 (0, left out), name 2, content_type 3, json_config 5, shape 6
 * packed, components 7}}}} (display_name and description unset, as
 * add_mesh leaves them), appended to the Summary being built. */
static void
add_mesh_part (GByteArray *summary, const char *name, LmMeshContentType type,
               const float *values, gint64 rows, guint components, const char *config)
{
  g_autoptr (GByteArray) v = g_byte_array_new ();
  g_autoptr (GByteArray) t = g_byte_array_new ();
  g_autoptr (GByteArray) pd = g_byte_array_new ();
  g_autofree char *tag = g_strdup_printf ("%s_%s", name, lm_mesh_content_type_name (type));
  const gint64 dims[3] = { 1, rows, 3 };
  const guint64 shape[3] = { 1, (guint64) rows, 3 };

  lm_pbw_string (v, 1, tag);
  lm_pbw_varint (t, 1, LM_DT_FLOAT);
  add_shape (t, dims, 3);
  if (rows > 0)
    lm_pbw_packed_floats (t, 5, values, (size_t) rows * 3);
  lm_pbw_message (v, 8, t);
  if (*name)
    lm_pbw_string (pd, 2, name);
  lm_pbw_varint (pd, 3, (guint64) type);
  lm_pbw_string (pd, 5, config);
  lm_pbw_packed_varints (pd, 6, shape, 3);
  lm_pbw_varint (pd, 7, components);
  add_metadata (v, "mesh", pd);
  lm_pbw_message (summary, 1, v);
}

/* A blob of `bytes` holds exactly `count` items of `each` bytes (counted
 * by division: a damaged count times `each` may wrap round to the size). */
static gboolean
blob_holds (size_t bytes, gint64 count, size_t each)
{
  return count >= 0 && bytes % each == 0 && bytes / each == (guint64) count;
}

/* summary.mesh (add_mesh of one sample, B = 1): one Event whose Summary
 * holds the VERTEX, FACE (when there are faces) and COLOR (when there are
 * colours) parts in that order, each a DT_FLOAT [1, N, 3] tensor (faces
 * and colours as floats, as add_mesh writes them).  json_config is the
 * stored config text as it is ("{}" when none, as _get_json_config
 * gives): lumen-import keeps PyTorch's text (json.dumps with sort_keys),
 * so a run imported and exported again has the same bytes, and
 * TensorBoard reads it with JSON.parse, to which key order and spacing
 * are the same. */
static void
export_mesh (Run *r, sqlite3_stmt *st, double wall_time, gint64 step)
{
  const char *name = column_text (st, 0);
  gint64 n = sqlite3_column_int64 (st, 1), nf = sqlite3_column_int64 (st, 2);
  size_t vbytes = (size_t) sqlite3_column_bytes (st, 3);
  size_t cbytes = (size_t) sqlite3_column_bytes (st, 4);
  size_t fbytes = (size_t) sqlite3_column_bytes (st, 5);
  gboolean has_colors = sqlite3_column_type (st, 4) != SQLITE_NULL;
  gboolean has_faces = nf > 0;
  const char *config = sqlite3_column_type (st, 6) == SQLITE_NULL ? "{}" : column_text (st, 6);

  if (nf < 0 || !blob_holds (vbytes, n, 12) || (has_colors && !blob_holds (cbytes, n, 3))
      || (has_faces && !blob_holds (fbytes, nf, 12)))
    {
      say (r->ex, TRUE, "%s: mesh '%s' at step %" G_GINT64_FORMAT " not exported: "
           "%" G_GINT64_FORMAT " vertices and %" G_GINT64_FORMAT " faces but %zu vertex, "
           "%zu colour and %zu face bytes", r->path, name, step, n, nf, vbytes, cbytes, fbytes);
      return;
    }
  guint components = 1u << LM_MESH_VERTEX | (has_faces ? 1u << LM_MESH_FACE : 0)
                     | (has_colors ? 1u << LM_MESH_COLOR : 0);
  g_autoptr (GByteArray) summary = g_byte_array_new ();
  g_autofree float *values = g_new (float, (size_t) MAX (n, nf) * 3 + 1);

  memcpy (values, sqlite3_column_blob (st, 3), vbytes); /* the blob may be unaligned */
  add_mesh_part (summary, name, LM_MESH_VERTEX, values, n, components, config);
  if (has_faces)
    {
      const guint8 *f = sqlite3_column_blob (st, 5);
      for (gint64 i = 0; i < nf * 3; i++)
        {
          gint32 x;
          memcpy (&x, f + i * 4, 4);
          values[i] = (float) x;
        }
      add_mesh_part (summary, name, LM_MESH_FACE, values, nf, components, config);
    }
  if (has_colors)
    {
      const guint8 *c = sqlite3_column_blob (st, 4);
      for (gint64 i = 0; i < n * 3; i++)
        values[i] = c[i];
      add_mesh_part (summary, name, LM_MESH_COLOR, values, n, components, config);
    }
  write_event (r, wall_time, step, 5, summary);
  r->counts[LM_TB_MESH]++;
}

/* ---------------------------------------------------- custom scalars */

typedef struct
{
  char *title;
  GByteArray *charts; /* Category.chart 2 fields */
} Category;

static void
category_free (Category *c)
{
  g_free (c->title);
  g_byte_array_unref (c->charts);
  g_free (c);
}

/* Chart {title 1, multiline 2 {tag 1...} | margin 3 {series 1 {value 1,
 * lower 2, upper 3}}} appended to its category. */
static void
layout_add_chart (Run *r, GPtrArray *cats, sqlite3_stmt *chart, sqlite3_stmt *tags, gint64 id)
{
  const char *cat = column_text (chart, 0);
  Category *c = NULL;
  g_autoptr (GByteArray) ch = g_byte_array_new ();
  g_autoptr (GByteArray) body = g_byte_array_new ();
  g_autoptr (GByteArray) series = g_byte_array_new ();
  gboolean margin = strcmp (column_text (chart, 2), "margin") == 0;
  int rc;

  for (guint i = 0; i < cats->len && c == NULL; i++)
    if (strcmp (((Category *) cats->pdata[i])->title, cat) == 0)
      c = cats->pdata[i];
  if (c == NULL)
    {
      c = g_new0 (Category, 1);
      c->title = g_strdup (cat);
      c->charts = g_byte_array_new ();
      g_ptr_array_add (cats, c);
    }
  lm_pbw_string (ch, 1, column_text (chart, 1));
  sqlite3_reset (tags);
  sqlite3_bind_int64 (tags, 1, id);
  for (guint32 i = 1; (rc = sqlite3_step (tags)) == SQLITE_ROW; i++)
    lm_pbw_string (margin ? series : body, margin ? i : 1, column_text (tags, 0));
  if (rc != SQLITE_DONE)
    db_failed (r, "custom_scalar_tags");
  if (margin)
    lm_pbw_message (body, 1, series);
  lm_pbw_message (ch, margin ? 3 : 2, body);
  lm_pbw_message (c->charts, 2, ch);
}

/* summary.custom_scalars: Layout {category 2 {title 1, chart 2}} in a
 * DT_STRING scalar tensor tagged custom_scalars__config__. */
static void
export_layout (Run *r, GPtrArray *cats, double wall_time)
{
  g_autoptr (GByteArray) layout = g_byte_array_new ();
  g_autoptr (GByteArray) v = g_byte_array_new ();
  g_autoptr (GByteArray) t = g_byte_array_new ();

  for (guint i = 0; i < cats->len; i++)
    {
      Category *c = cats->pdata[i];
      g_autoptr (GByteArray) cb = g_byte_array_new ();
      lm_pbw_string (cb, 1, c->title);
      g_byte_array_append (cb, c->charts->data, c->charts->len);
      lm_pbw_message (layout, 2, cb);
    }
  lm_pbw_string (v, 1, "custom_scalars__config__");
  lm_pbw_varint (t, 1, LM_DT_STRING);
  add_shape (t, NULL, 0);
  lm_pbw_message (t, 8, layout);
  lm_pbw_message (v, 8, t);
  add_metadata (v, "custom_scalars", NULL);
  write_value (r, wall_time, 0, v, LM_TB_CUSTOM);
  g_ptr_array_set_size (cats, 0);
}

/* ------------------------------------------------------------ hparams */

static GPtrArray *list_subdirs (const char *dir, GArray *visited);

/* HParamsPluginData {version 1 (0), experiment 2 | session_start_info 3
 * | session_end_info 4} as add_hparams writes them, one value each. */
static void
write_hparams_part (Run *r, double wall_time, const char *tag, guint32 field,
                    const GByteArray *body)
{
  g_autoptr (GByteArray) content = g_byte_array_new ();
  g_autoptr (GByteArray) v = g_byte_array_new ();
  g_autoptr (GByteArray) summary = g_byte_array_new ();

  lm_pbw_message (content, field, body);
  lm_pbw_string (v, 1, tag);
  add_metadata (v, "hparams", content);
  lm_pbw_message (summary, 1, v);
  write_event (r, wall_time, 0, 5, summary);
}

/* The display name and description of columns `from` and `from` + 1 of st,
 * where given: fields `field` and `field` + 1 of an HParamInfo (2) or a
 * MetricInfo (3). */
static void
write_labels (GByteArray *info, sqlite3_stmt *st, int from, guint32 field)
{
  for (int i = 0; i < 2; i++)
    if (sqlite3_column_type (st, from + i) == SQLITE_TEXT)
      lm_pbw_string (info, field + (guint32) i, (const char *) sqlite3_column_text (st, from + i));
}

/* The labels of hparam_labels for a query of `table`'s rows (aliased t:
 * "hparams t")
 * by name or by group and tag: "NULL, NULL" for a file from before them. */
static char *
labels_sql (Run *r, const char *columns, const char *table, const char *kind, const char *on, const char *order)
{
  if (!has_table (r->db, "hparam_labels"))
    return g_strdup_printf ("SELECT %s, NULL, NULL FROM %s ORDER BY %s", columns, table, order);
  return g_strdup_printf ("SELECT %s, l.display_name, l.description FROM %s LEFT JOIN hparam_labels l"
                          " ON l.kind = '%s' AND %s ORDER BY %s", columns, table, kind, on, order);
}

/* One of Experiment.metric_infos: MetricInfo {name 1: MetricName {group
 * 1, tag 2}}, with the display name and description of labels' columns 2
 * and 3 where given (st). */
static void
add_metric_info (GByteArray *exp, const char *group, const char *tag, sqlite3_stmt *labels)
{
  g_autoptr (GByteArray) mname = g_byte_array_new ();
  g_autoptr (GByteArray) info = g_byte_array_new ();

  if (*group)
    lm_pbw_string (mname, 1, group); /* MetricName.group */
  lm_pbw_string (mname, 2, tag);     /* MetricName.tag */
  lm_pbw_message (info, 1, mname);
  if (labels != NULL)
    write_labels (info, labels, 2, 3);
  lm_pbw_message (exp, 5, info);     /* Experiment.metric_infos */
}

/* Experiment.metric_infos from `table` (rows of group, tag; "" for none;
 * display name, description): MetricName {group 1, tag 2}, the group the
 * sub-run that holds the scalars, as Keras' TensorBoard callback writes
 * them, and MetricInfo's display_name 3 and description 4.  The count
 * written. */
static guint
write_metric_infos (Run *r, GByteArray *exp, const char *table, const char *sql)
{
  sqlite3_stmt *st;
  guint n = 0;
  int rc;

  if (!has_table (r->db, table) || (st = prepare (r, sql)) == NULL)
    return 0;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      add_metric_info (exp, column_text (st, 0), column_text (st, 1), st);
      n++;
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    db_failed (r, table);
  return n;
}

/* Experiment.metric_infos of db's scalar tags in group ("" for the
 * session's own): the metrics TensorBoard and the HParams view infer for
 * a session that names none.  The count written. */
static guint
write_scalar_metric_infos (GByteArray *exp, sqlite3 *db, const char *group)
{
  sqlite3_stmt *st = NULL;
  guint n = 0;

  if (sqlite3_prepare_v2 (db, "SELECT name FROM tags WHERE kind = 'scalar' ORDER BY name", -1, &st, NULL)
      == SQLITE_OK)
    for (; sqlite3_step (st) == SQLITE_ROW; n++)
      add_metric_info (exp, group, column_text (st, 0), NULL);
  sqlite3_finalize (st);
  return n;
}

/* The same for the runs in the folders below dir, each in the group of its
 * path under the session's folder ("validation"), but for those under
 * another session (a run with hparams: TensorBoard's longest parent
 * session). */
static guint
write_sub_run_metric_infos (GByteArray *exp, const char *dir, const char *group, int depth, GArray *visited)
{
  g_autoptr (GPtrArray) subdirs = NULL;
  guint n = 0;

  if (depth >= MAX_DEPTH)
    return 0;
  subdirs = list_subdirs (dir, visited);
  for (guint i = 0; i < subdirs->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, subdirs->pdata[i], NULL);
      g_autofree char *file = g_build_filename (path, "run.lumen", NULL);
      g_autofree char *sub = *group ? g_strconcat (group, "/", subdirs->pdata[i], NULL)
                                    : g_strdup (subdirs->pdata[i]);
      gboolean session = FALSE;

      if (g_file_test (file, G_FILE_TEST_IS_REGULAR))
        {
          g_autofree char *msg = NULL;
          sqlite3 *db = lm_reader_open_path (file, &msg);

          session = db != NULL && lm_hparams_present (db);
          if (db != NULL && !session)
            n += write_scalar_metric_infos (exp, db, sub);
          sqlite3_close (db);
        }
      if (!session)
        n += write_sub_run_metric_infos (exp, path, sub, depth + 1, visited);
    }
  return n;
}

/* The metrics TensorBoard infers for r's session: the scalar tags of the
 * session and of the runs below it (write_sub_run_metric_infos).  The
 * count written. */
static guint
write_inferred_metric_infos (Run *r, GByteArray *exp)
{
  g_autofree char *dir = g_path_get_dirname (r->path);
  g_autoptr (GArray) visited = lm_scan_visited_new ();
  struct stat top;

  if (stat (dir, &top) == 0)
    lm_scan_seen_before (visited, &top);
  return write_scalar_metric_infos (exp, r->db, "") + write_sub_run_metric_infos (exp, dir, "", 0, visited);
}

/* Whether `table` has a row. */
static gboolean
has_rows (Run *r, const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT 1 FROM %s LIMIT 1", table);
  sqlite3_stmt *st = prepare (r, sql);
  gboolean found = st != NULL && sqlite3_step (st) == SQLITE_ROW;

  sqlite3_finalize (st);
  return found;
}

/* Experiment.hparam_infos from hparam_columns, in its order, each with
 * its labels and the type of the run's value (none where it logged
 * none). */
static void
write_hparam_columns (Run *r, GByteArray *exp)
{
  g_autofree char *sql = labels_sql (r, "t.name, h.type",
                                     "hparam_columns t LEFT JOIN hparams h ON h.name = t.name",
                                     "hparam", "l.grp = '' AND l.name = t.name", "t.i");
  sqlite3_stmt *st = prepare (r, sql);
  int rc;

  if (st == NULL)
    return;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      g_autoptr (GByteArray) info = g_byte_array_new ();
      const char *type = (const char *) sqlite3_column_text (st, 1);

      lm_pbw_string (info, 1, column_text (st, 0));
      write_labels (info, st, 2, 2);
      if (type != NULL)   /* DataType: STRING 1, BOOL 2, FLOAT64 3 */
        lm_pbw_varint (info, 4, strcmp (type, "string") == 0 ? 1 : strcmp (type, "bool") == 0 ? 2 : 3);
      lm_pbw_message (exp, 4, info);
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    db_failed (r, "hparam_columns");
}

static void
export_hparams (Run *r, double wall_time)
{
  sqlite3_stmt *st;
  g_autoptr (GByteArray) exp = g_byte_array_new ();
  g_autoptr (GByteArray) ssi = g_byte_array_new ();
  g_autoptr (GByteArray) sei = g_byte_array_new ();
  guint n = 0;
  gboolean labelled = FALSE;
  int rc;

  if (!has_table (r->db, "hparams"))
    return;
  /* an experiment's hparam list (lumen-import's hparam_infos): its
   * HParamInfos, in its order, and no other, so TensorBoard shows the
   * same columns */
  gboolean columns = has_table (r->db, "hparam_columns") && has_rows (r, "hparam_columns");
  g_autofree char *sql = labels_sql (r, "t.name, t.type, t.value", "hparams t", "hparam",
                                     "l.grp = '' AND l.name = t.name", "t.name");
  if ((st = prepare (r, sql)) == NULL)
    return;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      const char *name = column_text (st, 0), *type = column_text (st, 1);
      g_autoptr (GByteArray) value = g_byte_array_new ();
      g_autoptr (GByteArray) entry = g_byte_array_new ();
      g_autoptr (GByteArray) info = g_byte_array_new ();
      int dt;
      /* google.protobuf.Value: number 2, string 3, bool 4 (a oneof: a
       * 0 or false is written) */
      if (strcmp (type, "string") == 0)
        lm_pbw_string (value, 3, column_text (st, 2)), dt = 1;
      else if (strcmp (type, "bool") == 0)
        lm_pbw_varint (value, 4, sqlite3_column_int64 (st, 2) != 0), dt = 2;
      else
        lm_pbw_double (value, 2, column_real (st, 2)), dt = 3;
      lm_pbw_string (entry, 1, name);
      lm_pbw_message (entry, 2, value);
      lm_pbw_message (ssi, 1, entry); /* map<string, Value> hparams */
      lm_pbw_string (info, 1, name);  /* HParamInfo {name 1, display_name 2, description 3, type 4} */
      write_labels (info, st, 3, 2);
      labelled |= sqlite3_column_type (st, 3) == SQLITE_TEXT || sqlite3_column_type (st, 4) == SQLITE_TEXT;
      lm_pbw_varint (info, 4, (guint64) dt);
      if (!columns)
        lm_pbw_message (exp, 4, info);
      n++;
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      db_failed (r, "hparams");
      return;
    }
  if (columns)
    write_hparam_columns (r, exp);
  g_autofree char *own = labels_sql (r, "'', t.tag", "hparam_metrics t", "metric",
                                     "l.grp = '' AND l.name = t.tag", "t.tag");
  g_autofree char *grouped = labels_sql (r, "t.grp, t.tag", "hparam_group_metrics t", "metric",
                                         "l.grp = t.grp AND l.name = t.tag", "t.grp, t.tag");
  guint n_metrics = write_metric_infos (r, exp, "hparam_metrics", own)
                    + write_metric_infos (r, exp, "hparam_group_metrics", grouped);
  if (n + n_metrics == 0)
    return;
  lm_pbw_varint (sei, 1, 1); /* STATUS_SUCCESS */
  /* No metric named: TensorBoard infers them from the scalar tags as the
   * HParams view does, but only without an experiment, where one without
   * metrics would show none.  Display names, descriptions and columns
   * need one: it then names the metrics the view infers, every scalar tag
   * of the session and of the runs below it. */
  if (n_metrics == 0 && (labelled || columns))
    n_metrics = write_inferred_metric_infos (r, exp);
  if (n_metrics > 0 || labelled || columns)
    write_hparams_part (r, wall_time, "_hparams_/experiment", 2, exp);
  write_hparams_part (r, wall_time, "_hparams_/session_start_info", 3, ssi);
  write_hparams_part (r, wall_time, "_hparams_/session_end_info", 4, sei);
  r->counts[LM_TB_HPARAMS]++;
}

/* --------------------------------------------------------- embeddings */

/* SummaryWriter._encode: the tag as one folder name. */
static char *
encode_tag (const char *tag)
{
  GString *s = g_string_new (NULL);

  for (const char *p = tag; *p; p++)
    if (*p == '%' || *p == '/' || *p == '\\')
      g_string_append_printf (s, "%%%02x", (guint8) *p);
    else
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

/* A string in protobuf text format's quotes. */
static void
append_quoted (GString *s, const char *text)
{
  g_string_append_c (s, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (s, '\\');
      if (*p == '\n')
        g_string_append (s, "\\n");
      else
        g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

static gboolean
write_file (Run *r, const char *path, const void *data, size_t len)
{
  g_autoptr (GError) error = NULL;

  if (!g_file_set_contents (path, data, (gssize) len, &error))
    {
      say (r->ex, TRUE, "%s: %s", r->path, error->message);
      return FALSE;
    }
  return TRUE;
}

/* Appends a TSV field: a tab or line break (which a label logged alone
 * may hold) becomes a space, as the file's lines and fields need. */
static void
append_field (GString *tsv, const char *text)
{
  gsize at = tsv->len;

  g_string_append (tsv, text);
  g_strdelimit (tsv->str + at, "\t\n\r", ' ');
}

/* The statements that read an embedding's metadata: its labels, and
 * (NULL in a file from before columns) its column names and values. */
typedef struct
{
  sqlite3_stmt *meta, *names, *values;
} MetadataQuery;

/* Embedding id's metadata.tsv into tsv as PyTorch's make_tsv writes it:
 * a label a line, or with several columns (metadata_header) their names
 * joined by tabs first, then a line of tab-joined values a point (one
 * named column has no header line: TensorBoard would read it as a
 * point).  Returns the points written. */
static guint
metadata_tsv (Run *r, MetadataQuery *q, gint64 id, GString *tsv)
{
  sqlite3_stmt *meta = q->meta, *names = q->names, *values = q->values;
  guint k = 0, points = 0;
  int rc;

  if (names)
    {
      sqlite3_reset (names);
      sqlite3_bind_int64 (names, 1, id);
      sqlite3_reset (values);
      sqlite3_bind_int64 (values, 1, id);
    }
  sqlite3_reset (meta);
  sqlite3_bind_int64 (meta, 1, id);
  g_autoptr (GString) head = g_string_new (NULL);
  while (names && (rc = sqlite3_step (names)) == SQLITE_ROW)
    {
      if (k++)
        g_string_append_c (head, '\t');
      append_field (head, column_text (names, 0));
    }
  if (k > 1)
    g_string_append_printf (tsv, "%s\n", head->str);
  while ((rc = sqlite3_step (meta)) == SQLITE_ROW)
    {
      append_field (tsv, column_text (meta, 0));
      for (guint c = 1; c < k; c++)
        {
          g_string_append_c (tsv, '\t');
          if (sqlite3_step (values) == SQLITE_ROW)
            append_field (tsv, column_text (values, 0));
        }
      g_string_append_c (tsv, '\n');
      points++;
    }
  if (rc != SQLITE_DONE)
    db_failed (r, "embedding_metadata");
  return points;
}

/* n x d floats (blob, possibly unaligned) as tensors.tsv: a point a line,
 * tab-separated. */
static GString *
tensors_tsv (const void *blob, gint64 n, gint64 d)
{
  g_autofree float *mat = g_new (float, (size_t) n * (size_t) d);
  GString *tsv = g_string_new (NULL);
  char num[G_ASCII_DTOSTR_BUF_SIZE];

  memcpy (mat, blob, (size_t) n * (size_t) d * sizeof (float));
  for (gint64 i = 0; i < n; i++)
    {
      for (gint64 j = 0; j < d; j++)
        {
          if (j)
            g_string_append_c (tsv, '\t');
          /* 9 digits give the float back exactly */
          g_string_append (tsv, g_ascii_formatd (num, sizeof num, "%.9g",
                                                 mat[i * d + j]));
        }
      g_string_append_c (tsv, '\n');
    }
  return tsv;
}

/* Embedding id's metadata.tsv in dir (sub from out_dir), and its
 * metadata_path in pbtxt, when it has labels. */
static void
export_metadata (Run *r, MetadataQuery *q, gint64 id, const char *dir, const char *sub, GString *pbtxt)
{
  g_autoptr (GString) mtsv = g_string_new (NULL);

  if (q->meta == NULL || metadata_tsv (r, q, id, mtsv) == 0)
    return;
  g_autofree char *mpath = g_build_filename (dir, "metadata.tsv", NULL);
  g_autofree char *rel = g_strconcat (sub, "/metadata.tsv", NULL);
  if (write_file (r, mpath, mtsv->str, mtsv->len))
    {
      g_string_append (pbtxt, "  metadata_path: ");
      append_quoted (pbtxt, rel);
      g_string_append_c (pbtxt, '\n');
    }
}

/* The sprite of st's embedding row, when it has one, as sprite.png in dir
 * (sub from out_dir), and its sprite block in pbtxt. */
static void
export_sprite (Run *r, sqlite3_stmt *st, const char *dir, const char *sub, GString *pbtxt)
{
  if (sqlite3_column_type (st, 6) != SQLITE_BLOB)
    return;
  g_autofree char *spath = g_build_filename (dir, "sprite.png", NULL);
  g_autofree char *rel = g_strconcat (sub, "/sprite.png", NULL);
  if (write_file (r, spath, sqlite3_column_blob (st, 6),
                  (size_t) sqlite3_column_bytes (st, 6)))
    {
      g_string_append (pbtxt, "  sprite {\n    image_path: ");
      append_quoted (pbtxt, rel);
      g_string_append_printf (pbtxt, "\n    single_image_dim: %" G_GINT64_FORMAT
                              "\n    single_image_dim: %" G_GINT64_FORMAT "\n  }\n",
                              (gint64) sqlite3_column_int64 (st, 7),
                              (gint64) sqlite3_column_int64 (st, 8));
    }
}

/* The embedding of st's row: its directory <step:05>/<tag>, its files,
 * and its block in pbtxt. */
static void
export_embedding (Run *r, sqlite3_stmt *st, MetadataQuery *q, GString *pbtxt)
{
  gint64 id = sqlite3_column_int64 (st, 0), step = sqlite3_column_int64 (st, 2);
  const char *tag = column_text (st, 1);
  gint64 n = sqlite3_column_int64 (st, 3), d = sqlite3_column_int64 (st, 4);
  size_t bytes = (size_t) sqlite3_column_bytes (st, 5);
  if (n <= 0 || d <= 0 || bytes != (size_t) n * (size_t) d * sizeof (float))
    {
      say (r->ex, TRUE, "%s: embedding '%s' not exported: %" G_GINT64_FORMAT "x%"
           G_GINT64_FORMAT " points in %zu bytes", r->path, tag, n, d, bytes);
      return;
    }
  g_autofree char *enc = encode_tag (tag);
  g_autofree char *sub = g_strdup_printf ("%05" G_GINT64_FORMAT "/%s", step, enc);
  g_autofree char *dir = g_build_filename (r->out_dir, sub, NULL);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      say (r->ex, TRUE, "%s: cannot create %s: %s", r->path, dir, g_strerror (errno));
      return;
    }
  g_autoptr (GString) tsv = tensors_tsv (sqlite3_column_blob (st, 5), n, d);
  g_autofree char *tpath = g_build_filename (dir, "tensors.tsv", NULL);
  if (!write_file (r, tpath, tsv->str, tsv->len))
    return;
  g_string_append (pbtxt, "embeddings {\n  tensor_name: ");
  g_autofree char *tname = g_strdup_printf ("%s:%05" G_GINT64_FORMAT, tag, step);
  append_quoted (pbtxt, tname);
  g_autofree char *tsv_rel = g_strconcat (sub, "/tensors.tsv", NULL);
  g_string_append (pbtxt, "\n  tensor_path: ");
  append_quoted (pbtxt, tsv_rel);
  g_string_append_c (pbtxt, '\n');
  export_metadata (r, q, id, dir, sub, pbtxt);
  export_sprite (r, st, dir, sub, pbtxt);
  g_string_append (pbtxt, "}\n");
  r->counts[LM_TB_EMBEDDING]++;
}

/* add_embedding's files: <step:05>/<tag>/tensors.tsv (a point a line,
 * tab-separated), metadata.tsv (a label a line, or a header and a line
 * of columns), sprite.png (Lumen's sprite is make_sprite's layout
 * already), and an "embeddings" block of projector_config.pbtxt each. */
static void
export_embeddings (Run *r)
{
  sqlite3_stmt *st;
  MetadataQuery q = { NULL, NULL, NULL };
  g_autoptr (GString) pbtxt = g_string_new (NULL);
  int rc;

  if (!has_table (r->db, "embeddings"))
    return;
  st = prepare (r, "SELECT id, tag, step, n, d, tensor, sprite, thumb_width, thumb_height "
                   "FROM embeddings ORDER BY id");
  if (st && has_table (r->db, "embedding_metadata"))
    q.meta = prepare (r, "SELECT label FROM embedding_metadata WHERE embedding_id = ?1 ORDER BY i");
  if (q.meta && has_table (r->db, "embedding_columns") && has_table (r->db, "embedding_values"))
    {
      q.names = prepare (r, "SELECT name FROM embedding_columns WHERE embedding_id = ?1 ORDER BY col");
      q.values = prepare (r, "SELECT value FROM embedding_values WHERE embedding_id = ?1 ORDER BY i, col");
    }
  while (st && (rc = sqlite3_step (st)) == SQLITE_ROW)
    export_embedding (r, st, &q, pbtxt);
  if (st && rc != SQLITE_DONE)
    db_failed (r, "embeddings");
  sqlite3_finalize (q.meta);
  sqlite3_finalize (q.names);
  sqlite3_finalize (q.values);
  sqlite3_finalize (st);
  if (pbtxt->len)
    {
      g_autofree char *path = g_build_filename (r->out_dir, "projector_config.pbtxt", NULL);
      write_file (r, path, pbtxt->str, pbtxt->len);
    }
}

/* -------------------------------------------------------------- runs */

/* Event files (and a projector config) already in the run's folder:
 * refused, or removed with --overwrite.  FALSE when refused. */
static gboolean
clear_output (Run *r)
{
  g_autoptr (GDir) d = g_dir_open (r->out_dir, 0, NULL);
  const char *name;
  gboolean overwrite = (r->ex->opts->flags & LM_TB_EXPORT_OVERWRITE) != 0;

  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      if (!strstr (name, "tfevents") && strcmp (name, "projector_config.pbtxt") != 0
          && !lm_tb_is_profile_file (name))
        continue;
      g_autofree char *path = g_build_filename (r->out_dir, name, NULL);
      if (!overwrite)
        {
          say (r->ex, TRUE, "%s: %s already exists; run not exported (--overwrite replaces it)",
               r->path, path);
          return FALSE;
        }
      if (unlink (path) != 0)
        {
          say (r->ex, TRUE, "%s: cannot replace %s: %s", r->path, path, g_strerror (errno));
          return FALSE;
        }
    }
  return TRUE;
}

static char *
run_summary (Run *r)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%s -> %s: exported ", r->path, r->file);
  /* the order lumen-export has always listed them in */
  static const Kind order[LM_TB_N_KINDS] = {
    LM_TB_SCALAR, LM_TB_HISTOGRAM, LM_TB_IMAGE, LM_TB_VIDEO, LM_TB_AUDIO, LM_TB_TEXT,
    LM_TB_PR_CURVE, LM_TB_GRAPH, LM_TB_CUSTOM, LM_TB_HPARAMS, LM_TB_EMBEDDING,
    LM_TB_MESH, LM_TB_PROFILE,
  };
  for (int i = 0; i < LM_TB_N_KINDS; i++)
    {
      Kind k = order[i];

      if (r->counts[k] == 0 && k != LM_TB_SCALAR)
        continue;
      if (k != LM_TB_SCALAR)
        g_string_append (s, ", ");
      g_string_append_printf (s, "%" G_GUINT64_FORMAT " %s", r->counts[k], lm_tb_kind_name (k, r->counts[k]));
    }
  if (r->traces)
    g_string_append_printf (s, "; skipped %" G_GUINT64_FORMAT " trace%s (no TensorBoard form)",
                            r->traces, r->traces == 1 ? "" : "s");
  return g_string_free (s, FALSE);
}

static const struct
{
  const char *table;
  const char *select; /* kind, id, step, wall_time */
} sources[] = {
  { "scalars", "SELECT 0, id, step, wall_time FROM scalars" },
  { "histograms", "SELECT 1, id, step, wall_time FROM histograms" },
  { "images", "SELECT 2, id, step, wall_time FROM images" },
  { "texts", "SELECT 3, id, step, wall_time FROM texts" },
  { "pr_curves", "SELECT 4, id, step, wall_time FROM pr_curves" },
  { "graphs", "SELECT 5, id, step, wall_time FROM graphs" },
  { "custom_scalar_charts", "SELECT 6, id, 0, wall_time FROM custom_scalar_charts" },
  { "audio", "SELECT 7, id, step, wall_time FROM audio" },
  { "meshes", "SELECT 8, id, step, wall_time FROM meshes" },
};

/* The kinds of record that become events, in the order the source list
 * numbers them (the first column of records_sql's rows). */
enum
{
  SRC_SCALAR,
  SRC_HISTOGRAM,
  SRC_IMAGE,
  SRC_TEXT,
  SRC_PR_CURVE,
  SRC_GRAPH,
  SRC_CHART,
  SRC_AUDIO,
  SRC_MESH,
};

/* Every event-bound record of the run (kind, id, step, wall_time) in
 * wall-time order, then step, kind and id; the tables an older file
 * lacks are left out. */
static char *
records_sql (Run *r)
{
  GString *sql = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    if (has_table (r->db, sources[i].table))
      g_string_append_printf (sql, "%s%s", sql->len ? " UNION ALL " : "", sources[i].select);
  g_string_append (sql, " ORDER BY 4, 3, 1, 2");
  return g_string_free (sql, FALSE);
}

/* The event file, named after the run's first time (first: the first
 * record's wall time, or 0 when none: now), and its first event, the
 * file_version.  FALSE when it cannot be created. */
static gboolean
open_event_file (Run *r, double *first)
{
  if (!(*first > 0) && !(*first = g_get_real_time () / 1e6))
    *first = 1;
  r->file = g_strdup_printf ("%s/events.out.tfevents.%010" G_GINT64_FORMAT ".%s.%d.0",
                             r->out_dir, (gint64) *first, g_get_host_name (), (int) getpid ());
  r->f = fopen (r->file, "wb");
  if (r->f == NULL)
    {
      say (r->ex, TRUE, "%s: cannot create %s: %s", r->path, r->file, g_strerror (errno));
      r->failed = TRUE;
      return FALSE;
    }
  g_autoptr (GByteArray) ev = g_byte_array_new ();
  lm_pbw_double (ev, 1, *first);
  lm_pbw_string (ev, 3, "brain.Event:2");
  lm_tfrecord_frame (r->framed, ev->data, ev->len);
  fwrite (r->framed->data, 1, r->framed->len, r->f);
  return TRUE;
}

/* The statements a run's records are read with, each prepared when its
 * kind first comes up, and the Custom Scalars layout being gathered: its
 * charts come one record each and are written as one layout when a
 * record of another kind or time follows. */
typedef struct
{
  sqlite3_stmt *by_id[G_N_ELEMENTS (sources)];
  sqlite3_stmt *pr_points, *chart_tags;
  GPtrArray *cats;
  double layout_wall;
} Readers;

static void
readers_clear (Readers *rd)
{
  for (guint i = 0; i < G_N_ELEMENTS (rd->by_id); i++)
    sqlite3_finalize (rd->by_id[i]);
  sqlite3_finalize (rd->pr_points);
  sqlite3_finalize (rd->chart_tags);
  g_ptr_array_unref (rd->cats);
}

/* The statement reading one record of kind k by its id, with the ones
 * its kind also needs (a PR curve's points, a chart's tags); NULL when
 * it cannot be prepared (said). */
static sqlite3_stmt *
reader_for (Run *r, Readers *rd, int k)
{
  static const char *const by_id[G_N_ELEMENTS (sources)] = {
    [SRC_SCALAR] = "SELECT t.name, s.value FROM scalars s JOIN tags t ON t.id = s.tag_id "
                   "WHERE s.id = ?1",
    [SRC_HISTOGRAM] = "SELECT t.name, h.count, h.min, h.max, h.sum, h.sum_squares, "
                      "h.bucket_count, h.edges, h.counts FROM histograms h "
                      "JOIN tags t ON t.id = h.tag_id WHERE h.id = ?1",
    [SRC_IMAGE] = NULL, /* below: images.frames and .boxes are newer than the table */
    [SRC_TEXT] = "SELECT t.name, x.value FROM texts x JOIN tags t ON t.id = x.tag_id "
                 "WHERE x.id = ?1",
    [SRC_PR_CURVE] = "SELECT t.name FROM pr_curves p JOIN tags t ON t.id = p.tag_id "
                     "WHERE p.id = ?1",
    [SRC_GRAPH] = NULL, /* lm_tb_export_graphdef reads its own */
    [SRC_CHART] = "SELECT category, title, kind FROM custom_scalar_charts WHERE id = ?1",
    [SRC_AUDIO] = "SELECT t.name, a.sample_rate, a.channels, a.frames, a.wav, a.label "
                  "FROM audio a JOIN tags t ON t.id = a.tag_id WHERE a.id = ?1",
    [SRC_MESH] = "SELECT t.name, m.n_vertices, m.n_faces, m.vertices, m.colors, m.faces, "
                 "m.config FROM meshes m JOIN tags t ON t.id = m.tag_id WHERE m.id = ?1",
  };

  if (rd->by_id[k] == NULL)
    {
      const char *sql = by_id[k];
      if (k == SRC_IMAGE)
        sql = has_column (r->db, "images", "boxes")
                ? "SELECT t.name, i.width, i.height, i.channels, i.png, i.frames, i.boxes FROM images i "
                  "JOIN tags t ON t.id = i.tag_id WHERE i.id = ?1"
              : has_column (r->db, "images", "frames")
                ? "SELECT t.name, i.width, i.height, i.channels, i.png, i.frames, NULL FROM images i "
                  "JOIN tags t ON t.id = i.tag_id WHERE i.id = ?1"
                : "SELECT t.name, i.width, i.height, i.channels, i.png, 1, NULL FROM images i "
                  "JOIN tags t ON t.id = i.tag_id WHERE i.id = ?1";
      if ((rd->by_id[k] = prepare (r, sql)) == NULL)
        return NULL;
    }
  if (k == SRC_PR_CURVE && rd->pr_points == NULL
      && (rd->pr_points = prepare (r, "SELECT tp, fp, tn, fn, precision, recall FROM "
                                      "pr_curve_points WHERE curve_id = ?1 ORDER BY i")) == NULL)
    return NULL;
  if (k == SRC_CHART && rd->chart_tags == NULL
      && (rd->chart_tags = prepare (r, "SELECT tag FROM custom_scalar_tags WHERE chart_id = ?1 "
                                       "ORDER BY i")) == NULL)
    return NULL;
  return rd->by_id[k];
}

/* One record of kind k: its event written (a chart added to the layout
 * being gathered).  FALSE when its row cannot be read (said). */
static gboolean
export_record (Run *r, Readers *rd, int k, gint64 id, gint64 step, double wall)
{
  if (rd->cats->len && (k != SRC_CHART || wall != rd->layout_wall))
    export_layout (r, rd->cats, rd->layout_wall);
  if (k == SRC_GRAPH)
    {
      export_graph (r, id, wall, step);
      return TRUE;
    }
  sqlite3_stmt *st = reader_for (r, rd, k);
  if (st == NULL)
    return FALSE;
  sqlite3_reset (st);
  sqlite3_bind_int64 (st, 1, id);
  if (sqlite3_step (st) != SQLITE_ROW)
    {
      db_failed (r, sources[k].table);
      return FALSE;
    }
  switch (k)
    {
    case SRC_SCALAR: export_scalar (r, st, wall, step); break;
    case SRC_HISTOGRAM: export_histogram (r, st, wall, step); break;
    case SRC_IMAGE: export_image (r, st, wall, step); break;
    case SRC_TEXT: export_text (r, st, wall, step); break;
    case SRC_PR_CURVE: export_pr_curve (r, st, rd->pr_points, id, wall, step); break;
    case SRC_AUDIO: export_audio (r, st, wall, step); break;
    case SRC_MESH: export_mesh (r, st, wall, step); break;
    default:
      layout_add_chart (r, rd->cats, st, rd->chart_tags, id);
      rd->layout_wall = wall;
      break;
    }
  return TRUE;
}

/* Every event-bound record of the run in wall-time order, after the
 * file_version and the hparams (at the run's first time). */
static void
export_events (Run *r)
{
  g_autofree char *sql = records_sql (r);
  sqlite3_stmt *all = prepare (r, sql);
  Readers rd = { .cats = g_ptr_array_new_with_free_func ((GDestroyNotify) category_free) };
  double first = 0;
  int rc;

  if (all == NULL)
    goto done;
  rc = sqlite3_step (all);
  if (rc == SQLITE_ROW)
    first = sqlite3_column_double (all, 3);
  if (!open_event_file (r, &first))
    goto done;
  export_hparams (r, first);
  for (; rc == SQLITE_ROW && !r->failed; rc = sqlite3_step (all))
    if (!export_record (r, &rd, sqlite3_column_int (all, 0), sqlite3_column_int64 (all, 1),
                        sqlite3_column_int64 (all, 2), sqlite3_column_double (all, 3)))
      break;
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    db_failed (r, "its records");
  if (rd.cats->len)
    export_layout (r, rd.cats, rd.layout_wall);

done:
  readers_clear (&rd);
  sqlite3_finalize (all);
}

/* Where trace file `name` (<host>.<ms>.pt.trace.json) goes in out_dir:
 * two steps in one ms, the later one a ms on (newly allocated). */
static char *
free_trace_path (Run *r, const char *name)
{
  char *file = g_build_filename (r->out_dir, name, NULL);

  for (gint64 bump = 1; g_file_test (file, G_FILE_TEST_EXISTS); bump++)
    {
      g_autofree char *base = g_strndup (name, strlen (name) - strlen (".pt.trace.json"));
      const char *dot = strrchr (base, '.');
      g_free (file);
      file = g_strdup_printf ("%s/%.*s.%" G_GINT64_FORMAT ".pt.trace.json", r->out_dir,
                              (int) (dot - base), base, g_ascii_strtoll (dot + 1, NULL, 10) + bump);
    }
  return file;
}

/* Each profiled step (a trace with op times) as
 * <out_dir>/<host>.<ms>.pt.trace.json, tensorboard_trace_handler's file,
 * which TensorBoard's PyTorch Profiler plugin reads beside the event
 * files; the other traces (step-through debugging) have no TensorBoard
 * form and are counted as skipped. */
static void
export_profiles (Run *r)
{
  g_autofree char *error = NULL;
  g_autoptr (GArray) list = lm_trace_data_list (r->path, -1, &error);
  g_autoptr (LmGraphData) g = NULL;
  LmChromeTraceOptions o = { g_get_host_name (), getpid (), r->name };

  if (list == NULL)
    {
      say (r->ex, TRUE, "%s: its traces: %s", r->path, error);
      return;
    }
  for (guint i = 0; i < list->len; i++)
    {
      const LmTraceInfo *info = &g_array_index (list, LmTraceInfo, i);
      g_autoptr (LmTraceData) t = NULL;
      g_autofree char *name = NULL, *file = NULL, *msg = NULL;

      if (!info->timed)
        {
          r->traces++;
          continue;
        }
      t = lm_trace_data_load (r->path, info->id, FALSE, &msg);
      if (t != NULL && t->graph_id >= 0 && (g == NULL || g->id != t->graph_id))
        {
          g_autofree char *why = NULL;
          g_clear_pointer (&g, lm_graph_data_free);
          /* without it the ops are named "node N" */
          g = lm_graph_data_load (r->path, t->graph_id, &why);
        }
      if (t != NULL)
        {
          name = lm_chrome_trace_file_name (t, o.worker);
          file = free_trace_path (r, name);
        }
      if (t == NULL || !lm_chrome_trace_write (file, t, t->graph_id >= 0 ? g : NULL, &o, &msg))
        {
          say (r->ex, TRUE, "%s: profiled step %" G_GINT64_FORMAT " not exported: %s", r->path,
               info->step, msg);
          continue;
        }
      r->counts[LM_TB_PROFILE]++;
    }
}

static void
export_run (Export *ex, const char *path, const char *name)
{
  Run run = { .ex = ex, .path = g_strdup (path), .name = g_strdup (name) }, *r = &run;
  char *msg = NULL;

  ex->n_runs++;
  r->out_dir = g_build_filename (ex->dst, name, NULL);
  r->rec = g_byte_array_new ();
  r->framed = g_byte_array_new ();
  r->db = lm_reader_open_path (path, &msg);
  if (r->db == NULL)
    {
      say (ex, TRUE, "%s; run not exported", msg);
      g_free (msg);
      goto done;
    }
  if (g_mkdir_with_parents (r->out_dir, 0755) != 0)
    {
      say (ex, TRUE, "%s: cannot create %s: %s", path, r->out_dir, g_strerror (errno));
      goto done;
    }
  if (!clear_output (r))
    goto done;
  export_events (r);
  if (r->f == NULL)
    goto done;
  {
    gboolean bad = ferror (r->f) != 0;
    int e = errno;
    if (fclose (r->f) != 0)
      bad = TRUE, e = errno;
    r->f = NULL;
    if (bad)
      {
        /* no "exported" line for what was cut short */
        say (ex, TRUE, "%s: writing %s failed: %s; run not exported whole", path, r->file, g_strerror (e));
        goto done;
      }
  }
  export_embeddings (r);
  if (has_table (r->db, "traces"))
    export_profiles (r);
  {
    g_autofree char *line = run_summary (r);
    say (ex, FALSE, "%s", line);
  }

done:
  if (r->f)
    fclose (r->f);
  sqlite3_close (r->db);
  g_byte_array_unref (r->rec);
  g_byte_array_unref (r->framed);
  g_free (r->path);
  g_free (r->name);
  g_free (r->out_dir);
  g_free (r->file);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The folders in dir not seen before (a symlink back up the tree), by
 * name, but hidden ones. */
static GPtrArray *
list_subdirs (const char *dir, GArray *visited)
{
  GPtrArray *subdirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      struct stat st;
      if (name[0] != '.' && stat (path, &st) == 0 && S_ISDIR (st.st_mode) && !lm_scan_seen_before (visited, &st))
        g_ptr_array_add (subdirs, g_strdup (name));
    }
  g_ptr_array_sort (subdirs, compare_names);
  return subdirs;
}

/* Runs are folders holding run.lumen, at any depth (to 32), named by
 * their path under src as lumen --logdir names them. */
static void
scan (Export *ex, const char *dir, const char *rel, int depth, GArray *visited)
{
  g_autofree char *file = g_build_filename (dir, "run.lumen", NULL);
  g_autoptr (GPtrArray) subdirs = NULL;

  if (g_file_test (file, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *run = NULL;
      if (*rel)
        run = g_strdup (rel);
      else
        {
          g_autofree char *abs = g_canonicalize_filename (dir, NULL);
          run = g_path_get_basename (abs);
          if (strcmp (run, "/") == 0 || strcmp (run, ".") == 0)
            g_free (run), run = g_strdup ("root");
        }
      if (ex->filter == NULL || g_regex_match (ex->filter, run, 0, NULL))
        export_run (ex, file, run);
    }
  if (depth >= MAX_DEPTH)
    return;
  subdirs = list_subdirs (dir, visited);
  for (guint i = 0; i < subdirs->len; i++)
    {
      const char *sub = subdirs->pdata[i];
      g_autofree char *path = g_build_filename (dir, sub, NULL);
      g_autofree char *srel = *rel ? g_strconcat (rel, "/", sub, NULL) : g_strdup (sub);
      scan (ex, path, srel, depth + 1, visited);
    }
}

guint
lm_tb_export (const char *src, const char *dst, const LmTbExportOptions *opts)
{
  static const LmTbExportOptions none = { 0 };
  Export ex = { .opts = opts ? opts : &none, .src = src, .dst = dst };
  g_autoptr (GError) error = NULL;

  if (ex.opts->runs)
    {
      ex.filter = g_regex_new (ex.opts->runs, 0, 0, &error);
      if (ex.filter == NULL)
        {
          say (&ex, TRUE, "--runs '%s' is not a valid regular expression: %s", ex.opts->runs,
               error->message);
          return ex.n_errors;
        }
    }
  if (!g_file_test (src, G_FILE_TEST_IS_DIR))
    say (&ex, TRUE, "%s: not a folder", src);
  else
    {
      g_autoptr (GArray) visited = lm_scan_visited_new ();
      struct stat root;

      /* a symlink back to SRC is not a run inside it */
      if (stat (src, &root) == 0)
        lm_scan_seen_before (visited, &root);
      scan (&ex, src, "", 0, visited);
      if (ex.n_runs == 0)
        say (&ex, TRUE, "%s: no Lumen runs (run.lumen)%s found", src,
             ex.filter ? " matching --runs" : "");
    }
  if (ex.filter)
    g_regex_unref (ex.filter);
  return ex.n_errors;
}
