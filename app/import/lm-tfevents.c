/* lm-tfevents.c: TFRecord framing and the protobuf wire format of
 * TensorBoard's event files (see lm-tfevents.h).  Field numbers are those
 * of tensorboard/compat/proto/{event,summary,tensor,tensor_shape}.proto. */
#include "lm-tfevents.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ CRC-32C */

static guint32 crc_table[256];

static void
crc_init_table (void)
{
  for (guint32 i = 0; i < 256; i++)
    {
      guint32 c = i;
      for (int k = 0; k < 8; k++)
        c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1; /* Castagnoli, reflected */
      crc_table[i] = c;
    }
}

guint32
lm_crc32c_extend (guint32 crc, const void *data, size_t n)
{
  static gsize once = 0;
  const guint8 *p = data;
  guint32 c = crc ^ 0xffffffffu;

  if (g_once_init_enter (&once))
    {
      crc_init_table ();
      g_once_init_leave (&once, 1);
    }
  for (size_t i = 0; i < n; i++)
    c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

guint32
lm_crc32c (const void *data, size_t n)
{
  return lm_crc32c_extend (0, data, n);
}

guint32
lm_crc32c_mask (guint32 c)
{
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

guint32
lm_crc32c_masked (const void *data, size_t n)
{
  return lm_crc32c_mask (lm_crc32c (data, n));
}

/* ------------------------------------------------------------ TFRecord */

/* A record longer than this is taken for a broken length (TensorFlow's
 * writers stay far below it; a 256 MiB image would be odd already). */
#define MAX_RECORD (1u << 30)

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

/* Reads n bytes at off; the count read (short at the end of the file), or
 * -1 with errno. */
static gssize
read_at (int fd, void *buf, size_t n, guint64 off)
{
  size_t got = 0;

  while (got < n)
    {
      ssize_t r = pread (fd, (char *) buf + got, n - got, (off_t) (off + got));
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      if (r == 0)
        break;
      got += (size_t) r;
    }
  return (gssize) got;
}

LmTfRecordStatus
lm_tfrecord_read (int fd, const char *path, guint64 *offset, GByteArray *out,
                  GError **error)
{
  guint8 head[12], tail[4];
  gssize r = read_at (fd, head, sizeof head, *offset);

  if (r < 0)
    goto io;
  if (r < (gssize) sizeof head)
    return LM_TFRECORD_END;
  if (le32 (head + 8) != lm_crc32c_masked (head, 8))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "%s: bad CRC of the record length at byte %" G_GUINT64_FORMAT
                   " (not an event file, or corrupt)", path, *offset);
      return LM_TFRECORD_CORRUPT;
    }
  guint64 len = (guint64) le32 (head) | (guint64) le32 (head + 4) << 32;
  if (len > MAX_RECORD)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "%s: record at byte %" G_GUINT64_FORMAT " claims %" G_GUINT64_FORMAT
                   " bytes (at most %u read)", path, *offset, len, MAX_RECORD);
      return LM_TFRECORD_CORRUPT;
    }
  g_byte_array_set_size (out, (guint) len);
  r = read_at (fd, out->data, len, *offset + 12);
  if (r < 0)
    goto io;
  if ((guint64) r < len)
    return LM_TFRECORD_END;
  r = read_at (fd, tail, 4, *offset + 12 + len);
  if (r < 0)
    goto io;
  if (r < 4)
    return LM_TFRECORD_END;
  if (le32 (tail) != lm_crc32c_masked (out->data, len))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "%s: bad CRC of the record data at byte %" G_GUINT64_FORMAT
                   " (%" G_GUINT64_FORMAT " bytes of data)", path, *offset, len);
      return LM_TFRECORD_CORRUPT;
    }
  *offset += 12 + len + 4;
  return LM_TFRECORD_OK;

io:
  {
    int e = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: %s", path,
                 g_strerror (e));
  }
  return LM_TFRECORD_IO;
}

/* ------------------------------------------------------ protobuf wire */

static gboolean
read_varint (LmPb *pb, guint64 *v)
{
  guint64 x = 0;

  for (int shift = 0; shift < 64 && pb->p < pb->end; shift += 7)
    {
      guint8 b = *pb->p++;
      x |= (guint64) (b & 0x7f) << shift;
      if (!(b & 0x80))
        {
          *v = x;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
lm_pb_next (LmPb *pb, LmPbField *f, gboolean *bad)
{
  guint64 key, len;

  if (pb->p >= pb->end)
    return FALSE;
  if (!read_varint (pb, &key) || (key >> 3) == 0 || (key >> 3) > G_MAXUINT32)
    goto bad;
  f->field = (guint32) (key >> 3);
  f->wire = (guint32) (key & 7);
  f->data = NULL;
  f->len = 0;
  f->varint = 0;
  switch (f->wire)
    {
    case 0:
      if (!read_varint (pb, &f->varint))
        goto bad;
      return TRUE;
    case 1:
    case 5:
      {
        size_t n = f->wire == 1 ? 8 : 4;
        if ((size_t) (pb->end - pb->p) < n)
          goto bad;
        for (size_t i = 0; i < n; i++)
          f->varint |= (guint64) pb->p[i] << (8 * i);
        pb->p += n;
        return TRUE;
      }
    case 2:
      if (!read_varint (pb, &len) || len > (guint64) (pb->end - pb->p))
        goto bad;
      f->data = pb->p;
      f->len = (size_t) len;
      pb->p += len;
      return TRUE;
    default: /* groups (3, 4) are not used by these messages */
      goto bad;
    }
bad:
  *bad = TRUE;
  pb->p = pb->end;
  return FALSE;
}

double
lm_pb_double (const LmPbField *f)
{
  double d;
  guint64 bits = f->varint;

  memcpy (&d, &bits, sizeof d);
  return d;
}

float
lm_pb_float (const LmPbField *f)
{
  float x;
  guint32 bits = (guint32) f->varint;

  memcpy (&x, &bits, sizeof x);
  return x;
}

gboolean
lm_pb_append_reals (const LmPbField *f, gboolean is_double, GArray *out)
{
  size_t w = is_double ? 8 : 4;

  if (f->wire == (is_double ? 1u : 5u))
    {
      double d = is_double ? lm_pb_double (f) : (double) lm_pb_float (f);
      g_array_append_val (out, d);
      return TRUE;
    }
  if (f->wire != 2 || f->len % w != 0)
    return FALSE;
  for (size_t i = 0; i < f->len; i += w)
    {
      LmPbField one = { .wire = (guint32) (is_double ? 1 : 5) };
      for (size_t k = 0; k < w; k++)
        one.varint |= (guint64) f->data[i + k] << (8 * k);
      double d = is_double ? lm_pb_double (&one) : (double) lm_pb_float (&one);
      g_array_append_val (out, d);
    }
  return TRUE;
}

gboolean
lm_pb_append_varints (const LmPbField *f, GArray *out)
{
  if (f->wire == 0)
    {
      g_array_append_val (out, f->varint);
      return TRUE;
    }
  if (f->wire != 2)
    return FALSE;
  LmPb pb;
  lm_pb_init (&pb, f->data, f->len);
  while (pb.p < pb.end)
    {
      guint64 v;
      if (!read_varint (&pb, &v))
        return FALSE;
      g_array_append_val (out, v);
    }
  return TRUE;
}

/* ------------------------------------------------------------- Event */

/* "brain.Event:2" -> 2, as TensorBoard's _ParseFileVersion reads it
 * (the text after the last "brain.Event:"); 0 when that is no number. */
static double
parse_file_version (const guint8 *data, size_t len)
{
  g_autofree char *s = g_strndup ((const char *) data, len);
  const char *num = s, *p;
  char *end;

  while ((p = strstr (num, "brain.Event:")) != NULL)
    num = p + strlen ("brain.Event:");
  double v = g_ascii_strtod (num, &end);
  while (g_ascii_isspace (*end))
    end++;
  return end == num || *end || !isfinite (v) ? 0 : v;
}

gboolean
lm_tf_event_parse (const guint8 *data, size_t len, LmTfEvent *ev)
{
  LmPb pb;
  LmPbField f;
  gboolean bad = FALSE;

  memset (ev, 0, sizeof *ev);
  lm_pb_init (&pb, data, len);
  while (lm_pb_next (&pb, &f, &bad))
    {
      switch (f.field)
        {
        case 1: /* double wall_time */
          if (f.wire == 1)
            ev->wall_time = lm_pb_double (&f);
          break;
        case 2: /* int64 step */
          if (f.wire == 0)
            ev->step = (gint64) f.varint;
          break;
        case 3: /* string file_version */
          ev->file_version = TRUE;
          if (f.wire == 2)
            ev->version = parse_file_version (f.data, f.len);
          break;
        case 4: /* bytes graph_def */
        case 9: /* bytes meta_graph_def */
          if (f.wire == 2)
            {
              ev->graph = f.data;
              ev->graph_len = f.len;
              ev->meta_graph = f.field == 9;
            }
          break;
        case 5: /* Summary summary */
          if (f.wire == 2)
            {
              ev->summary = f.data;
              ev->summary_len = f.len;
            }
          break;
        case 6: /* LogMessage log_message (deprecated) */
          ev->session_log = TRUE;
          break;
        case 7: /* SessionLog session_log */
          ev->session_log = TRUE;
          if (f.wire == 2)
            {
              LmPb ps;
              LmPbField g;
              gboolean sbad = FALSE; /* a bad SessionLog is still no data */
              lm_pb_init (&ps, f.data, f.len);
              while (lm_pb_next (&ps, &g, &sbad))
                if (g.field == 1 && g.wire == 0) /* SessionStatus status */
                  ev->session_status = (int) MIN (g.varint, G_MAXINT);
            }
          break;
        case 8: /* TaggedRunMetadata */
          ev->run_metadata = TRUE;
          break;
        default:
          break;
        }
    }
  return !bad;
}

/* --------------------------------------------------------- Summary */

void
lm_tf_value_clear (LmTfValue *v)
{
  g_clear_pointer (&v->tag, g_free);
  g_clear_pointer (&v->plugin_name, g_free);
  g_clear_pointer (&v->audio_type, g_free);
  g_clear_pointer (&v->description, g_free);
  g_clear_pointer (&v->histo.bucket_limit, g_array_unref);
  g_clear_pointer (&v->histo.bucket, g_array_unref);
  g_clear_pointer (&v->tensor.reals, g_array_unref);
  g_clear_pointer (&v->tensor.strings, g_ptr_array_unref);
}

static gboolean
parse_metadata (const guint8 *data, size_t len, LmTfValue *v)
{
  LmPb pb, pp;
  LmPbField f, g;
  gboolean bad = FALSE;

  lm_pb_init (&pb, data, len);
  while (lm_pb_next (&pb, &f, &bad))
    {
      if (f.field == 3 && f.wire == 2) /* string summary_description */
        {
          /* made valid as a tensor's labels are: lumen-log refuses a
           * label that is not UTF-8, and the clip would go with it */
          g_free (v->description);
          v->description = g_utf8_make_valid ((const char *) f.data, (gssize) f.len);
        }
      if (f.field != 1 || f.wire != 2) /* PluginData plugin_data */
        continue;
      lm_pb_init (&pp, f.data, f.len);
      while (lm_pb_next (&pp, &g, &bad))
        {
          if (g.field == 1 && g.wire == 2) /* string plugin_name */
            {
              g_free (v->plugin_name);
              v->plugin_name = g_strndup ((const char *) g.data, g.len);
            }
          else if (g.field == 2 && g.wire == 2) /* bytes content */
            {
              v->plugin_content = g.data;
              v->plugin_content_len = g.len;
            }
        }
    }
  return !bad;
}

static gboolean
parse_histo (const guint8 *data, size_t len, LmTfHisto *h)
{
  LmPb pb;
  LmPbField f;
  gboolean bad = FALSE, ok = TRUE;

  h->bucket_limit = g_array_new (FALSE, FALSE, sizeof (double));
  h->bucket = g_array_new (FALSE, FALSE, sizeof (double));
  lm_pb_init (&pb, data, len);
  while (lm_pb_next (&pb, &f, &bad))
    {
      if (f.field >= 1 && f.field <= 5 && f.wire == 1)
        {
          double d = lm_pb_double (&f);
          switch (f.field)
            {
            case 1: h->min = d; break;
            case 2: h->max = d; break;
            case 3: h->num = d; break;
            case 4: h->sum = d; break;
            default: h->sum_squares = d; break;
            }
        }
      else if (f.field == 6)
        ok = ok && lm_pb_append_reals (&f, TRUE, h->bucket_limit);
      else if (f.field == 7)
        ok = ok && lm_pb_append_reals (&f, TRUE, h->bucket);
    }
  return !bad && ok;
}

static gboolean
parse_shape (const guint8 *data, size_t len, LmTfTensor *t)
{
  LmPb pb, pd;
  LmPbField f, g;
  gboolean bad = FALSE;

  t->ndim = 0;
  lm_pb_init (&pb, data, len);
  while (lm_pb_next (&pb, &f, &bad))
    {
      if (f.field == 3 && f.wire == 0 && f.varint) /* bool unknown_rank */
        t->ndim = -1;
      if (f.field != 2 || f.wire != 2) /* repeated Dim dim */
        continue;
      gint64 size = 0;
      lm_pb_init (&pd, f.data, f.len);
      while (lm_pb_next (&pd, &g, &bad))
        if (g.field == 1 && g.wire == 0) /* int64 size */
          size = (gint64) g.varint;
      if (t->ndim < 0)
        continue;
      if (t->ndim >= LM_TF_MAX_DIMS)
        return FALSE;
      t->dims[t->ndim++] = size;
    }
  return !bad;
}

static gboolean
parse_tensor (const guint8 *data, size_t len, LmTfTensor *t)
{
  LmPb pb;
  LmPbField f;
  gboolean bad = FALSE, ok = TRUE;
  GArray *ints = NULL;

  t->reals = g_array_new (FALSE, FALSE, sizeof (double));
  t->strings = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  lm_pb_init (&pb, data, len);
  while (ok && lm_pb_next (&pb, &f, &bad))
    {
      switch (f.field)
        {
        case 1: /* DataType dtype */
          t->dtype = (int) f.varint;
          break;
        case 2: /* TensorShapeProto tensor_shape */
          ok = f.wire == 2 && parse_shape (f.data, f.len, t);
          break;
        case 4: /* bytes tensor_content */
          if (f.wire == 2)
            {
              t->content = f.data;
              t->content_len = f.len;
            }
          break;
        case 5: /* repeated float float_val */
          ok = lm_pb_append_reals (&f, FALSE, t->reals);
          break;
        case 6: /* repeated double double_val */
          ok = lm_pb_append_reals (&f, TRUE, t->reals);
          break;
        case 8: /* repeated bytes string_val */
          if (f.wire == 2)
            g_ptr_array_add (t->strings, g_bytes_new (f.data, f.len));
          break;
        case 7:  /* repeated int32 int_val (also int8/16, uint8) */
        case 10: /* repeated int64 int64_val */
        case 11: /* repeated bool bool_val */
        case 13: /* repeated int32 half_val (half and bfloat16 bits) */
          {
            if (!ints)
              ints = g_array_new (FALSE, FALSE, sizeof (guint64));
            g_array_set_size (ints, 0);
            ok = lm_pb_append_varints (&f, ints);
            for (guint i = 0; ok && i < ints->len; i++)
              {
                guint64 u = g_array_index (ints, guint64, i);
                double d;
                if (f.field == 13)
                  {
                    /* kept as bits; converted once the dtype is known */
                    d = (double) (guint16) u;
                  }
                else if (f.field == 7)
                  d = (double) (gint32) u;
                else
                  d = (double) (gint64) u;
                g_array_append_val (t->reals, d);
              }
            if (f.field == 13)
              t->half_bits = TRUE;
            break;
          }
        default:
          break;
        }
    }
  if (ints)
    g_array_unref (ints);
  return !bad && ok;
}

typedef struct
{
  LmTfValueFunc fn;
  gpointer user_data;
} ForeachCtx;

static gboolean
parse_value (const guint8 *data, size_t len, LmTfValue *v)
{
  LmPb pb, pi;
  LmPbField f, g;
  gboolean bad = FALSE, ok = TRUE;

  v->plugin_name = g_strdup ("");
  lm_pb_init (&pb, data, len);
  while (ok && lm_pb_next (&pb, &f, &bad))
    {
      switch (f.field)
        {
        case 1: /* string tag */
        case 7: /* string node_name (old writers' tag) */
          if (f.wire == 2 && (f.field == 1 || v->tag == NULL))
            {
              g_free (v->tag);
              v->tag = g_strndup ((const char *) f.data, f.len);
            }
          break;
        case 2: /* float simple_value */
          if (f.wire == 5)
            {
              v->kind = LM_TF_VALUE_SIMPLE;
              v->simple_value = lm_pb_float (&f);
            }
          break;
        case 3: /* bytes obsolete_old_style_histogram */
          v->kind = LM_TF_VALUE_OLD_HISTO;
          break;
        case 4: /* Image image */
          if (f.wire != 2)
            break;
          v->kind = LM_TF_VALUE_IMAGE;
          lm_pb_init (&pi, f.data, f.len);
          while (lm_pb_next (&pi, &g, &bad))
            if (g.field == 4 && g.wire == 2) /* bytes encoded_image_string */
              {
                v->image = g.data;
                v->image_len = g.len;
              }
            else if (g.field == 3 && g.wire == 0) /* int32 colorspace */
              v->image_colorspace = (int) MIN (g.varint, 4);
          break;
        case 5: /* HistogramProto histo */
          if (f.wire != 2)
            break;
          v->kind = LM_TF_VALUE_HISTO;
          ok = parse_histo (f.data, f.len, &v->histo);
          break;
        case 6: /* Audio audio: the WAV header gives sample_rate 1,
                 * num_channels 2 and length_frames 3 again */
          if (f.wire != 2)
            break;
          v->kind = LM_TF_VALUE_AUDIO;
          lm_pb_init (&pi, f.data, f.len);
          while (lm_pb_next (&pi, &g, &bad))
            if (g.field == 4 && g.wire == 2) /* bytes encoded_audio_string */
              {
                v->audio = g.data;
                v->audio_len = g.len;
              }
            else if (g.field == 5 && g.wire == 2) /* string content_type */
              {
                g_free (v->audio_type);
                v->audio_type = g_strndup ((const char *) g.data, g.len);
              }
          break;
        case 8: /* TensorProto tensor */
          if (f.wire != 2)
            break;
          v->kind = LM_TF_VALUE_TENSOR;
          ok = parse_tensor (f.data, f.len, &v->tensor);
          break;
        case 9: /* SummaryMetadata metadata */
          if (f.wire == 2)
            ok = parse_metadata (f.data, f.len, v);
          break;
        default:
          break;
        }
    }
  if (v->tag == NULL)
    v->tag = g_strdup ("");
  if (v->audio_type == NULL)
    v->audio_type = g_strdup ("");
  if (v->description == NULL)
    v->description = g_strdup ("");
  return !bad && ok;
}

gboolean
lm_tf_summary_foreach (const guint8 *data, size_t len, LmTfValueFunc fn, gpointer user_data)
{
  LmPb pb;
  LmPbField f;
  gboolean bad = FALSE;

  lm_pb_init (&pb, data, len);
  while (lm_pb_next (&pb, &f, &bad))
    {
      if (f.field != 1 || f.wire != 2) /* repeated Value value */
        continue;
      LmTfValue v = { 0 };
      gboolean ok = parse_value (f.data, f.len, &v);
      if (ok)
        fn (&v, user_data);
      lm_tf_value_clear (&v);
      if (!ok)
        return FALSE;
    }
  return !bad;
}

/* ----------------------------------------------------------- numbers */

char *
lm_tf_tensor_dup_shape (const LmTfTensor *t)
{
  GString *shape = g_string_new ("[");

  for (int i = 0; i < t->ndim; i++)
    g_string_append_printf (shape, "%s%" G_GINT64_FORMAT, i ? ", " : "", t->dims[i]);
  g_string_append_c (shape, ']');
  return g_string_free (shape, FALSE);
}

gint64
lm_tf_tensor_numel (const LmTfTensor *t)
{
  gint64 n = 1;

  if (t->ndim < 0)
    return -1;
  for (int i = 0; i < t->ndim; i++)
    {
      if (t->dims[i] < 0 || (t->dims[i] > 0 && n > G_MAXINT32 / t->dims[i]))
        return -1;
      n *= t->dims[i];
    }
  return n;
}

static double
half_to_double (guint16 h)
{
  int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  double s = (h & 0x8000) ? -1.0 : 1.0;

  if (e == 0)
    return s * ldexp (m, -24);
  if (e == 31)
    return m ? NAN : s * INFINITY;
  return s * ldexp (m + 1024, e - 25);
}

static double
bf16_to_double (guint16 b)
{
  guint32 bits = (guint32) b << 16;
  float x;

  memcpy (&x, &bits, sizeof x);
  return x;
}

static size_t
dtype_size (int dtype)
{
  switch (dtype)
    {
    case LM_DT_FLOAT: case LM_DT_INT32: return 4;
    case LM_DT_DOUBLE: case LM_DT_INT64: return 8;
    case LM_DT_HALF: case LM_DT_BFLOAT16: case LM_DT_INT16: return 2;
    case LM_DT_UINT8: case LM_DT_INT8: case LM_DT_BOOL: return 1;
    default: return 0;
    }
}

static double
content_at (int dtype, const guint8 *p)
{
  guint64 u = 0;
  size_t w = dtype_size (dtype);

  for (size_t k = 0; k < w; k++)
    u |= (guint64) p[k] << (8 * k);
  switch (dtype)
    {
    case LM_DT_FLOAT: { float x; guint32 b = (guint32) u; memcpy (&x, &b, 4); return x; }
    case LM_DT_DOUBLE: { double x; memcpy (&x, &u, 8); return x; }
    case LM_DT_HALF: return half_to_double ((guint16) u);
    case LM_DT_BFLOAT16: return bf16_to_double ((guint16) u);
    case LM_DT_INT32: return (gint32) u;
    case LM_DT_INT64: return (double) (gint64) u;
    case LM_DT_INT16: return (gint16) u;
    case LM_DT_INT8: return (gint8) u;
    default: return (double) u; /* uint8, bool */
    }
}

/* The one check before a tensor is expanded: its shape, not its bytes,
 * says how many values it holds (one float_val fills any shape, so a
 * 40-byte event can ask for [1, 100000000, 3]), and each becomes a
 * double.  Over LM_TF_MAX_NUMEL it is refused before anything is
 * allocated; *n is its element count otherwise. */
static gboolean
check_numel (const LmTfTensor *t, gint64 *n, GError **error)
{
  gint64 count = 1;

  if (t->ndim < 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "tensor has no known shape");
      return FALSE;
    }
  for (int i = 0; i < t->ndim; i++)
    if (t->dims[i] < 0)
      {
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "tensor has no known shape");
        return FALSE;
      }
  /* saturated past the cap, so the product cannot overflow */
  for (int i = 0; i < t->ndim; i++)
    count = MIN (count, LM_TF_MAX_NUMEL + 1) * MIN (t->dims[i], LM_TF_MAX_NUMEL + 1);
  if (count > LM_TF_MAX_NUMEL)
    {
      g_autofree char *shape = lm_tf_tensor_dup_shape (t);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "its tensor %s is over %d values (lumen-import's cap on a tensor)",
                   shape, LM_TF_MAX_NUMEL);
      return FALSE;
    }
  *n = count;
  return TRUE;
}

GArray *
lm_tf_tensor_numbers (const LmTfTensor *t, GError **error)
{
  gint64 n = 0;
  size_t w = dtype_size (t->dtype);

  if (w == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "tensor of dtype %d is not a number type", t->dtype);
      return NULL;
    }
  if (!check_numel (t, &n, error))
    return NULL;
  g_autoptr (GArray) out = g_array_sized_new (FALSE, FALSE, sizeof (double), (guint) n);
  gboolean half_bits = t->half_bits;
  if (t->content != NULL && t->content_len > 0)
    {
      if (t->content_len != (size_t) n * w)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "tensor_content holds %zu bytes, its shape %" G_GINT64_FORMAT
                       " values of %zu bytes", t->content_len, n, w);
          return NULL;
        }
      for (gint64 i = 0; i < n; i++)
        {
          double d = content_at (t->dtype, t->content + (size_t) i * w);
          g_array_append_val (out, d);
        }
      return g_steal_pointer (&out);
    }
  /* The *_val fields as TensorFlow's MakeNdarray reads them: none are
   * zeros, and fewer than the shape holds are followed by the last one
   * repeated (one value fills the tensor; [1, 2] in a [4] is 1, 2, 2, 2).
   * More than the shape holds is an error there too. */
  guint have = t->reals->len;
  if ((gint64) have > n)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "tensor holds %u values, its shape %" G_GINT64_FORMAT, have, n);
      return NULL;
    }
  for (gint64 i = 0; i < n; i++)
    {
      /* (0 is 0 as a half or bfloat16's bits too) */
      double d = have == 0 ? 0.0 : g_array_index (t->reals, double, MIN ((guint) i, have - 1));
      if (half_bits && t->dtype == LM_DT_HALF)
        d = half_to_double ((guint16) d);
      else if (half_bits && t->dtype == LM_DT_BFLOAT16)
        d = bf16_to_double ((guint16) d);
      g_array_append_val (out, d);
    }
  return g_steal_pointer (&out);
}

gboolean
lm_tf_tensor_check_strings (const LmTfTensor *t, gint64 *n, GError **error)
{
  if (t->dtype != LM_DT_STRING)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "tensor of dtype %d is not a string tensor", t->dtype);
      return FALSE;
    }
  *n = lm_tf_tensor_numel (t);
  if (*n < 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "tensor has no known shape");
      return FALSE;
    }
  if ((gint64) t->strings->len > *n)
    {
      g_autofree char *shape = lm_tf_tensor_dup_shape (t);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "its tensor %s holds %u %s, over the %" G_GINT64_FORMAT " its shape holds",
                   shape, t->strings->len, t->strings->len == 1 ? "string" : "strings", *n);
      return FALSE;
    }
  return TRUE;
}

const guint8 *
lm_tf_tensor_string (const LmTfTensor *t, gint64 i, gsize *len)
{
  guint have = t->strings->len;

  if (have == 0)
    {
      *len = 0;
      return (const guint8 *) "";
    }
  const guint8 *d = g_bytes_get_data (t->strings->pdata[MIN (i, (gint64) have - 1)], len);
  return d ? d : (const guint8 *) "";
}

const char *
lm_mesh_content_type_name (LmMeshContentType type)
{
  static const char *const names[] = { "UNDEFINED", "VERTEX", "FACE", "COLOR" };

  return (guint) type < G_N_ELEMENTS (names) ? names[type] : "UNDEFINED";
}
