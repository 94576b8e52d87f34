/* lm-gif.c: GIF87a/GIF89a -> whole RGBA frames (see lm-gif.h).
 *
 * Composition follows what browsers do, as TensorBoard shows a GIF
 * through one: the canvas starts transparent, a frame's transparent
 * index leaves the canvas as it was, disposal 2 clears the frame's
 * rectangle to transparent (not to the background colour, which browsers
 * ignore), disposal 3 restores the canvas from before the frame, and a
 * delay under 2/100 s plays as 1/10 s.
 */
#include "lm-gif.h"

#include <string.h>

G_DEFINE_QUARK (lm-gif-error-quark, lm_gif_error)

#define MAX_CODES 4096

typedef struct
{
  const guint8 *p;
  gsize len, pos;
} Reader;

typedef struct
{
  guint16 prefix[MAX_CODES]; /* 0xFFFF: a root code */
  guint16 length[MAX_CODES];
  guint8 suffix[MAX_CODES];
  guint8 first[MAX_CODES];
} LzwTable;

void
lm_gif_free (LmGif *gif)
{
  if (gif == NULL)
    return;
  for (int i = 0; i < gif->n_frames; i++)
    g_free (gif->frames[i]);
  g_free (gif->frames);
  g_free (gif->delays);
  g_free (gif);
}

double
lm_gif_fps (const LmGif *gif)
{
  double total = 0;

  for (int i = 0; i < gif->n_frames; i++)
    total += gif->delays[i];
  return total > 0 ? gif->n_frames / total : 10;
}

static gboolean
fail (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError **error, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, LM_GIF_ERROR, 0, msg);
  return FALSE;
}

static gboolean
need (Reader *r, gsize n)
{
  return r->len - r->pos >= n;
}

static guint
u16 (const guint8 *p)
{
  return (guint) p[0] | ((guint) p[1] << 8);
}

/* The data sub-blocks that follow an extension or an image: each a
 * length byte and that many bytes, up to a zero length.  out NULL skips
 * them. */
static gboolean
read_sub_blocks (Reader *r, GByteArray *out, const char *what, GError **error)
{
  for (;;)
    {
      if (!need (r, 1))
        return fail (error, "truncated in %s", what);
      guint n = r->p[r->pos++];
      if (n == 0)
        return TRUE;
      if (!need (r, n))
        return fail (error, "truncated in %s", what);
      if (out)
        g_byte_array_append (out, r->p + r->pos, n);
      r->pos += n;
    }
}

/* Writes code's string at out[pos...] (the part inside npix). */
static void
emit (const LzwTable *t, guint code, guint8 *out, gsize pos, gsize npix)
{
  gsize p = pos + t->length[code];

  for (guint c = code;; c = t->prefix[c])
    {
      p--;
      if (p < npix)
        out[p] = t->suffix[c];
      if (t->prefix[c] == 0xFFFF)
        break;
    }
}

/* LZW with codes of min_size + 1 bits growing to 12, clear and end
 * codes; a full table is kept (no entries added) until the next clear,
 * as encoders may defer it.  Fills npix indices or fails. */
static gboolean
lzw_decode (const guint8 *data, gsize dlen, int min_size, guint8 *out, gsize npix, int frame,
            GError **error)
{
  g_autofree LzwTable *t = g_new (LzwTable, 1);
  guint clear = 1u << min_size, eoi = clear + 1, next = clear + 2;
  int width = min_size + 1;
  guint prev = 0xFFFF;
  guint32 bits = 0;
  int nbits = 0;
  gsize bp = 0, pos = 0;

  for (guint i = 0; i < clear; i++)
    {
      t->prefix[i] = 0xFFFF;
      t->length[i] = 1;
      t->suffix[i] = t->first[i] = (guint8) i;
    }
  for (;;)
    {
      while (nbits < width && bp < dlen)
        {
          bits |= (guint32) data[bp++] << nbits;
          nbits += 8;
        }
      if (nbits < width)
        break; /* no end code: the pixels decide */
      guint code = bits & ((1u << width) - 1);
      bits >>= width;
      nbits -= width;
      if (code == clear)
        {
          width = min_size + 1;
          next = clear + 2;
          prev = 0xFFFF;
          continue;
        }
      if (code == eoi)
        break;
      if (prev == 0xFFFF)
        {
          if (code >= clear)
            return fail (error, "frame %d: bad LZW code %u after a clear code (%u colours)",
                         frame, code, clear);
          emit (t, code, out, pos, npix);
          pos += 1;
          prev = code;
          continue;
        }
      if (code > next || (code == next && next >= MAX_CODES))
        return fail (error, "frame %d: bad LZW code %u (the table has %u)", frame, code, next);
      if (next < MAX_CODES)
        {
          /* code == next: the string is prev's and prev's first byte */
          guint8 f = code == next ? t->first[prev] : t->first[code];
          t->prefix[next] = (guint16) prev;
          t->suffix[next] = f;
          t->first[next] = t->first[prev];
          t->length[next] = (guint16) (t->length[prev] + 1);
          next++;
          if (next == (1u << width) && width < 12)
            width++;
        }
      emit (t, code, out, pos, npix);
      pos += t->length[code];
      prev = code;
      if (pos >= npix)
        break; /* what follows is not shown (browsers ignore it too) */
    }
  if (pos < npix)
    return fail (error, "frame %d: its image data ends after %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
                 " pixels", frame, pos, npix);
  return TRUE;
}

typedef struct
{
  int disposal, delay_cs, transparent; /* transparent: -1 none */
} Control;

static gboolean
read_header (Reader *r, LmGif *gif, guint8 *gct, int *gct_n, GError **error)
{
  if (!need (r, 13) || (memcmp (r->p, "GIF87a", 6) != 0 && memcmp (r->p, "GIF89a", 6) != 0))
    return fail (error, "not a GIF (no GIF87a/GIF89a header)");
  gif->width = (int) u16 (r->p + 6);
  gif->height = (int) u16 (r->p + 8);
  guint flags = r->p[10];
  r->pos = 13;
  if (gif->width == 0 || gif->height == 0)
    return fail (error, "its canvas is %dx%d", gif->width, gif->height);
  *gct_n = 0;
  if (flags & 0x80)
    {
      *gct_n = 2 << (flags & 7);
      if (!need (r, 3 * (gsize) *gct_n))
        return fail (error, "truncated in the global colour table");
      memcpy (gct, r->p + r->pos, 3 * (gsize) *gct_n);
      r->pos += 3 * (gsize) *gct_n;
    }
  return TRUE;
}

static gboolean
read_extension (Reader *r, LmGif *gif, Control *ctl, GError **error)
{
  if (!need (r, 1))
    return fail (error, "truncated in an extension");
  guint label = r->p[r->pos++];

  if (label == 0xF9)
    {
      g_autoptr (GByteArray) b = g_byte_array_new ();
      if (!read_sub_blocks (r, b, "a graphic control extension", error))
        return FALSE;
      if (b->len < 4)
        return fail (error, "a graphic control extension of %u bytes (not 4)", b->len);
      ctl->disposal = (b->data[0] >> 2) & 7;
      ctl->delay_cs = (int) u16 (b->data + 1);
      ctl->transparent = (b->data[0] & 1) ? b->data[3] : -1;
      return TRUE;
    }
  if (label == 0xFF)
    {
      g_autoptr (GByteArray) b = g_byte_array_new ();
      /* the application name is the first sub-block, its data the next */
      if (!read_sub_blocks (r, b, "an application extension", error))
        return FALSE;
      if (b->len >= 14
          && (memcmp (b->data, "NETSCAPE2.0", 11) == 0 || memcmp (b->data, "ANIMEXTS1.0", 11) == 0)
          && b->data[11] == 1)
        {
          guint loops = u16 (b->data + 12);
          gif->num_plays = loops == 0 ? 0 : (int) loops + 1;
        }
      return TRUE;
    }
  return read_sub_blocks (r, NULL, "an extension", error);
}

/* Composes one image (descriptor, palette, data) onto canvas. */
static gboolean
read_image (Reader *r, LmGif *gif, const guint8 *gct, int gct_n, const Control *ctl,
            guint8 *canvas, int frame, GError **error)
{
  if (!need (r, 9))
    return fail (error, "frame %d: truncated in its image descriptor", frame);
  const guint8 *d = r->p + r->pos;
  int x = (int) u16 (d), y = (int) u16 (d + 2), w = (int) u16 (d + 4), h = (int) u16 (d + 6);
  guint flags = d[8];
  r->pos += 9;

  if (x + w > gif->width || y + h > gif->height)
    return fail (error, "frame %d (%dx%d at %d,%d) lies outside the %dx%d canvas", frame, w, h, x, y,
                 gif->width, gif->height);
  const guint8 *pal = gct;
  int pal_n = gct_n;
  if (flags & 0x80)
    {
      pal_n = 2 << (flags & 7);
      if (!need (r, 3 * (gsize) pal_n))
        return fail (error, "frame %d: truncated in its colour table", frame);
      pal = r->p + r->pos;
      r->pos += 3 * (gsize) pal_n;
    }
  if (pal_n == 0)
    return fail (error, "frame %d has no colour table (neither global nor local)", frame);
  if (!need (r, 1))
    return fail (error, "frame %d: truncated before its image data", frame);
  int min_size = r->p[r->pos++];
  if (min_size < 2 || min_size > 11)
    return fail (error, "frame %d: LZW minimum code size %d (not 2..11)", frame, min_size);

  g_autofree char *what = g_strdup_printf ("frame %d's image data", frame);
  g_autoptr (GByteArray) data = g_byte_array_new ();
  if (!read_sub_blocks (r, data, what, error))
    return FALSE;
  gsize npix = (gsize) w * (gsize) h;
  g_autofree guint8 *idx = g_malloc (npix ? npix : 1);
  if (!lzw_decode (data->data, data->len, min_size, idx, npix, frame, error))
    return FALSE;

  /* interlaced: rows 0, 8, 16...; then 4, 12...; 2, 6...; 1, 3... */
  g_autofree int *rows = g_new (int, h ? h : 1);
  static const int start[4] = { 0, 4, 2, 1 }, step[4] = { 8, 8, 4, 2 };
  int n = 0;
  for (int pass = 0; pass < 4; pass++)
    for (int row = start[pass]; (flags & 0x40) && row < h; row += step[pass])
      rows[n++] = row;
  for (int i = 0; i < h; i++)
    {
      int dst_row = (flags & 0x40) ? rows[i] : i;
      const guint8 *src = idx + (gsize) i * (gsize) w;
      guint8 *out = canvas + (((gsize) (y + dst_row) * (gsize) gif->width + (gsize) x) * 4);
      for (int c = 0; c < w; c++, out += 4)
        {
          int k = src[c];
          if (k == ctl->transparent)
            continue;
          if (k < pal_n)
            memcpy (out, pal + 3 * k, 3);
          else
            out[0] = out[1] = out[2] = 0; /* outside the palette: black */
          out[3] = 255;
        }
    }
  return TRUE;
}

LmGif *
lm_gif_decode (const guint8 *data, gsize len, gsize max_bytes, GError **error)
{
  g_autoptr (LmGif) gif = g_new0 (LmGif, 1);
  Reader r = { data, len, 0 };
  guint8 gct[768];
  int gct_n = 0;
  Control ctl = { 0, 0, -1 };
  g_autoptr (GPtrArray) frames = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) delays = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree guint8 *canvas = NULL, *saved = NULL;
  int prev_disposal = 0, px = 0, py = 0, pw = 0, ph = 0;

  gif->num_plays = 1;
  if (!read_header (&r, gif, gct, &gct_n, error))
    return NULL;
  gsize frame_bytes = (gsize) gif->width * (gsize) gif->height * 4;
  if (max_bytes && frame_bytes > max_bytes)
    {
      fail (error, "its %dx%d canvas is over %" G_GSIZE_FORMAT " bytes", gif->width, gif->height,
            max_bytes);
      return NULL;
    }
  canvas = g_try_malloc0 (frame_bytes);
  if (canvas == NULL)
    {
      fail (error, "out of memory for its %dx%d canvas", gif->width, gif->height);
      return NULL;
    }
  for (;;)
    {
      if (!need (&r, 1))
        {
          if (frames->len > 0)
            break; /* no trailer: what is there is whole */
          fail (error, "truncated before its first frame");
          return NULL;
        }
      guint8 b = r.p[r.pos++];
      if (b == 0x3B)
        break;
      if (b == 0x21)
        {
          if (!read_extension (&r, gif, &ctl, error))
            return NULL;
          continue;
        }
      if (b != 0x2C)
        {
          fail (error, "an unknown block (0x%02x) at byte %" G_GSIZE_FORMAT, b, r.pos - 1);
          return NULL;
        }
      int frame = (int) frames->len + 1;
      if (max_bytes && frame_bytes * frames->len + frame_bytes > max_bytes)
        {
          fail (error, "its frames are over %" G_GSIZE_FORMAT " bytes decoded (%d frames of %dx%d)",
                max_bytes, frame, gif->width, gif->height);
          return NULL;
        }
      /* the previous frame's disposal */
      if (prev_disposal == 2)
        for (int row = py; row < py + ph; row++)
          memset (canvas + ((gsize) row * (gsize) gif->width + (gsize) px) * 4, 0, (gsize) pw * 4);
      else if (prev_disposal == 3 && saved)
        memcpy (canvas, saved, frame_bytes);
      if (ctl.disposal == 3)
        {
          if (saved == NULL)
            saved = g_malloc (frame_bytes);
          memcpy (saved, canvas, frame_bytes);
        }
      if (need (&r, 9))
        {
          px = (int) u16 (r.p + r.pos);
          py = (int) u16 (r.p + r.pos + 2);
          pw = (int) u16 (r.p + r.pos + 4);
          ph = (int) u16 (r.p + r.pos + 6);
        }
      if (!read_image (&r, gif, gct, gct_n, &ctl, canvas, frame, error))
        return NULL;
      prev_disposal = ctl.disposal;
      g_ptr_array_add (frames, g_memdup2 (canvas, frame_bytes));
      double delay = (ctl.delay_cs < 2 ? 10 : ctl.delay_cs) / 100.0;
      g_array_append_val (delays, delay);
      ctl = (Control) { 0, 0, -1 };
    }
  for (guint i = 0; i < frames->len && !gif->has_alpha; i++)
    {
      const guint8 *f = frames->pdata[i];
      for (gsize k = 3; k < frame_bytes; k += 4)
        if (f[k] != 255)
          {
            gif->has_alpha = TRUE;
            break;
          }
    }
  gif->n_frames = (int) frames->len;
  gif->delays = (double *) g_array_free (g_steal_pointer (&delays), FALSE);
  gif->frames = (guint8 **) g_ptr_array_free (g_steal_pointer (&frames), FALSE);
  return g_steal_pointer (&gif);
}

int
lm_gif_count_frames (const guint8 *data, gsize len, gboolean *whole)
{
  Reader r = { data, len, 0 };
  int n = 0;

  *whole = FALSE;
  if (!need (&r, 13) || (memcmp (data, "GIF87a", 6) != 0 && memcmp (data, "GIF89a", 6) != 0))
    return 0;
  r.pos = 13;
  gsize gct = data[10] & 0x80 ? 3 * ((gsize) 2 << (data[10] & 7)) : 0;
  if (!need (&r, gct))
    return 0;
  r.pos += gct;
  while (r.pos < len)
    {
      guint8 b = r.p[r.pos++];
      if (b == 0x3B)
        break;
      if (b == 0x21 && need (&r, 1))
        r.pos++; /* the label */
      else if (b == 0x2C && need (&r, 9))
        {
          guint flags = r.p[r.pos + 8];
          gsize lct = flags & 0x80 ? 3 * ((gsize) 2 << (flags & 7)) : 0;
          n++;
          r.pos += 9;
          if (!need (&r, lct + 1))
            return n;
          r.pos += lct;
          r.pos++; /* the LZW minimum code size */
        }
      else
        return n;
      if (!read_sub_blocks (&r, NULL, "", NULL))
        return n;
    }
  *whole = n > 0;
  return n;
}
