/* lm-tfevents-write.c: the writing side of lm-tfevents.h, a protobuf wire
 * encoder and TFRecord framing, for lumen-export.  Fields are appended in
 * the order the caller gives, which for an event file that reads as
 * PyTorch's is field-number order (what the official runtime writes). */
#include "lm-tfevents.h"

#include <string.h>

static void
put_varint (GByteArray *b, guint64 v)
{
  guint8 buf[10];
  guint n = 0;

  do
    {
      buf[n++] = (guint8) ((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      v >>= 7;
    }
  while (v);
  g_byte_array_append (b, buf, n);
}

static void
put_le (GByteArray *b, guint64 bits, guint n)
{
  guint8 buf[8];

  for (guint i = 0; i < n; i++)
    buf[i] = (guint8) (bits >> (8 * i));
  g_byte_array_append (b, buf, n);
}

static void
put_key (GByteArray *b, guint32 field, guint32 wire)
{
  put_varint (b, (guint64) field << 3 | wire);
}

void
lm_pbw_varint (GByteArray *b, guint32 field, guint64 v)
{
  put_key (b, field, 0);
  put_varint (b, v);
}

void
lm_pbw_double (GByteArray *b, guint32 field, double v)
{
  guint64 bits;

  memcpy (&bits, &v, sizeof bits);
  put_key (b, field, 1);
  put_le (b, bits, 8);
}

void
lm_pbw_float (GByteArray *b, guint32 field, float v)
{
  guint32 bits;

  memcpy (&bits, &v, sizeof bits);
  put_key (b, field, 5);
  put_le (b, bits, 4);
}

void
lm_pbw_bytes_header (GByteArray *b, guint32 field, size_t len)
{
  put_key (b, field, 2);
  put_varint (b, len);
}

void
lm_pbw_bytes (GByteArray *b, guint32 field, const void *data, size_t len)
{
  lm_pbw_bytes_header (b, field, len);
  if (len)
    g_byte_array_append (b, data, (guint) len);
}

void
lm_pbw_string (GByteArray *b, guint32 field, const char *s)
{
  lm_pbw_bytes (b, field, s, strlen (s));
}

void
lm_pbw_message (GByteArray *b, guint32 field, const GByteArray *m)
{
  lm_pbw_bytes (b, field, m->data, m->len);
}

/* n values of w bytes (8: double, 4: float), packed. */
static void
put_packed (GByteArray *b, guint32 field, const void *v, size_t n, guint w)
{
  put_key (b, field, 2);
  put_varint (b, (guint64) n * w);
  for (size_t i = 0; i < n; i++)
    {
      guint64 bits = 0;
      if (w == 8)
        memcpy (&bits, (const guint8 *) v + i * 8, 8);
      else
        {
          guint32 b32;
          memcpy (&b32, (const guint8 *) v + i * 4, 4);
          bits = b32;
        }
      put_le (b, bits, w);
    }
}

void
lm_pbw_packed_doubles (GByteArray *b, guint32 field, const double *v, size_t n)
{
  put_packed (b, field, v, n, 8);
}

void
lm_pbw_packed_varints (GByteArray *b, guint32 field, const guint64 *v, size_t n)
{
  g_autoptr (GByteArray) body = g_byte_array_new ();

  for (size_t i = 0; i < n; i++)
    put_varint (body, v[i]);
  lm_pbw_message (b, field, body);
}

void
lm_pbw_packed_floats (GByteArray *b, guint32 field, const float *v, size_t n)
{
  put_packed (b, field, v, n, 4);
}

void
lm_tfrecord_frame (GByteArray *out, const void *data, size_t len)
{
  guint8 head[8];

  for (int i = 0; i < 8; i++)
    head[i] = (guint8) ((guint64) len >> (8 * i));
  g_byte_array_append (out, head, 8);
  put_le (out, lm_crc32c_masked (head, 8), 4);
  if (len)
    g_byte_array_append (out, data, (guint) len);
  put_le (out, lm_crc32c_masked (data, len), 4);
}
