/* lm-image-loader.c: PNG fetch, decode and cache (see lm-image-loader.h).
 *
 * The cache and its LRU order live on the main thread; workers only read
 * the blob and decode it.  Connections are pooled per run file behind a
 * mutex so parallel loads (a prefetch of the neighbouring steps) each get
 * their own.
 *
 * A reduced load reads the PNG row by row with libpng and averages the
 * rows into the reduced image as they arrive: a 4000x3000 photo for a card
 * holds about 0.3 MB (the reduced image, a row, a row of sums), not the
 * 48 MB of its full decode.  Full decodes remain for full-size views and
 * for the PNGs the row reader leaves to libpng's simplified API
 * (interlaced, 16-bit, gamma other than sRGB): the decode gate lets a
 * worker start one only while the full decodes in flight stay under
 * DECODE_BUDGET bytes (one alone always may), so twelve of them load two
 * at a time instead of 600 MB at once.
 */
#include "lm-image-loader.h"

#include <math.h>
#include <png.h>
#include <string.h>
#include <sqlite3.h>

#include "lm-apng.h"
#include "lm-lru-cache.h"
#include "lm-reader-private.h"

G_DEFINE_QUARK (lm-image-error-quark, lm_image_error)

#define DEFAULT_CACHE_BYTES (64u << 20)
#define DECODE_BUDGET (100u << 20)

struct _LmImageLoader
{
  GObject parent_instance;

  LmLruCache *cache;     /* make_key () -> LmImagePixels* or LmImageAnimation* */
  LmReaderPool *pool;    /* a connection per load in flight */
  guint n_decoded;
  GMutex gate_lock;
  GCond gate_cond;
  gsize decoding;        /* bytes of decodes in flight */
  gsize peak_decoding;   /* the most there have been */
};

G_DEFINE_FINAL_TYPE (LmImageLoader, lm_image_loader, G_TYPE_OBJECT)

LmImagePixels *
lm_image_pixels_ref (LmImagePixels *pixels)
{
  return g_atomic_rc_box_acquire (pixels);
}

static void
pixels_clear (gpointer data)
{
  LmImagePixels *p = data;

  g_bytes_unref (p->rgba);
}

void
lm_image_pixels_unref (LmImagePixels *pixels)
{
  if (pixels != NULL)
    g_atomic_rc_box_release_full (pixels, pixels_clear);
}

static void
gate_enter (LmImageLoader *gate, gsize size)
{
  if (gate == NULL)
    return;
  g_mutex_lock (&gate->gate_lock);
  while (gate->decoding > 0 && gate->decoding + size > DECODE_BUDGET)
    g_cond_wait (&gate->gate_cond, &gate->gate_lock);
  gate->decoding += size;
  gate->peak_decoding = MAX (gate->peak_decoding, gate->decoding);
  g_mutex_unlock (&gate->gate_lock);
}

static void
gate_leave (LmImageLoader *gate, gsize size)
{
  if (gate == NULL)
    return;
  g_mutex_lock (&gate->gate_lock);
  gate->decoding -= size;
  g_cond_broadcast (&gate->gate_cond);
  g_mutex_unlock (&gate->gate_lock);
}

/* ----------------------------------------------------------- reducing */

/* A box filter fed one full-size row at a time, top to bottom: each
 * factor x factor block of the image becomes one pixel, the average of its
 * colours weighted by alpha (transparent pixels lend no colour) and of its
 * alphas.  It holds the reduced image and one row of sums, never the full
 * image. */
typedef struct
{
  int factor, width, height;   /* the rows fed in */
  int out_w, out_h;
  guint8 *out;                 /* out_w x out_h RGBA */
  guint64 *acc;                /* per output pixel of a row: r*a, g*a, b*a, a */
  int y;                       /* rows fed so far */
} Reducer;

static void
reducer_init (Reducer *r, int width, int height, int factor)
{
  r->factor = factor;
  r->width = width;
  r->height = height;
  r->out_w = (width + factor - 1) / factor;
  r->out_h = (height + factor - 1) / factor;
  r->out = g_malloc ((gsize) r->out_w * r->out_h * 4);
  r->acc = g_new0 (guint64, (gsize) r->out_w * 4);
  r->y = 0;
}

static void
reducer_clear (Reducer *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->acc, g_free);
}

/* The output row of the block that row r->y - 1 closed. */
static void
reducer_flush (Reducer *r)
{
  int oy = (r->y - 1) / r->factor, rows = r->y - oy * r->factor;
  guint8 *o = r->out + (gsize) oy * r->out_w * 4;

  for (int ox = 0; ox < r->out_w; ox++, o += 4)
    {
      const guint64 *a = r->acc + (gsize) ox * 4;
      guint64 n = (guint64) (MIN ((ox + 1) * r->factor, r->width) - ox * r->factor) * rows;

      if (a[3] == 0)
        {
          o[0] = o[1] = o[2] = o[3] = 0;
          continue;
        }
      for (int c = 0; c < 3; c++)
        o[c] = (guint8) ((a[c] + a[3] / 2) / a[3]);
      o[3] = (guint8) ((a[3] + n / 2) / n);
    }
  memset (r->acc, 0, (gsize) r->out_w * 4 * sizeof *r->acc);
}

/* `row`: r->width RGBA pixels, the next row of the image. */
static void
reducer_add_row (Reducer *r, const guint8 *row)
{
  for (int ox = 0, x = 0; ox < r->out_w; ox++)
    {
      guint64 *a = r->acc + (gsize) ox * 4;
      int x1 = MIN (x + r->factor, r->width);

      for (; x < x1; x++)
        {
          const guint8 *px = row + (gsize) x * 4;
          guint alpha = px[3];

          a[0] += px[0] * alpha;
          a[1] += px[1] * alpha;
          a[2] += px[2] * alpha;
          a[3] += alpha;
        }
    }
  r->y++;
  if (r->y % r->factor == 0 || r->y == r->height)
    reducer_flush (r);
}

/* The reduced image (every row fed); r->out moves into it. */
static LmImagePixels *
reducer_finish (Reducer *r, int full_width, int full_height, int factor_before)
{
  LmImagePixels *p = g_atomic_rc_box_new0 (LmImagePixels);

  p->width = r->out_w;
  p->height = r->out_h;
  p->stride = (gsize) r->out_w * 4;
  p->rgba = g_bytes_new_take (g_steal_pointer (&r->out), (gsize) r->out_w * r->out_h * 4);
  p->full_width = full_width;
  p->full_height = full_height;
  p->factor = factor_before * r->factor;
  reducer_clear (r);
  return p;
}

LmImagePixels *
lm_image_pixels_reduce (LmImagePixels *src, int factor)
{
  const guint8 *in;
  Reducer r;

  g_return_val_if_fail (src != NULL, NULL);
  if (factor <= 1)
    return lm_image_pixels_ref (src);
  in = g_bytes_get_data (src->rgba, NULL);
  reducer_init (&r, src->width, src->height, factor);
  for (int y = 0; y < src->height; y++)
    reducer_add_row (&r, in + (gsize) y * src->stride);
  return reducer_finish (&r, src->full_width, src->full_height, src->factor);
}

/* ----------------------------------------------------------- decoding */

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

static gboolean
size_in_range (png_uint_32 width, png_uint_32 height, GError **error)
{
  if (width > 0 && height > 0 && width <= 32768 && height <= 32768)
    return TRUE;
  g_set_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG,
               "PNG size %ux%u is out of range", (unsigned) width, (unsigned) height);
  return FALSE;
}

/* g_try_malloc for a decode's big buffers: an image whose pixels do not
 * fit in memory fails with LM_IMAGE_ERROR_TOO_LARGE, as a message on its
 * card, where g_malloc would abort the app. */
static guint8 *
try_alloc_pixels (gsize size, gboolean zeroed, guint32 width, guint32 height, GError **error)
{
  guint8 *buf = zeroed ? g_try_malloc0 (size) : g_try_malloc (size);

  if (buf == NULL)
    g_set_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_TOO_LARGE,
                 "not enough memory to decode the %ux%u image (%.0f MiB as RGBA)", (unsigned) width,
                 (unsigned) height, (double) size / (1 << 20));
  return buf;
}

/* libpng's simplified API: the whole image decoded at once, then reduced.
 * For the PNGs the row reader leaves to it (interlaced, 16-bit, a gamma
 * other than sRGB's), so their colours stay exactly what they were.  The
 * full decode counts against the gate of `gate` (NULL: no gate) until it
 * is reduced and freed. */
static LmImagePixels *
decode_whole (const void *data, gsize len, int factor, LmImageLoader *gate, GError **error)
{
  png_image image;
  LmImagePixels *p, *reduced;
  guint8 *buf;
  gsize size;

  memset (&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory (&image, data, len))
    {
      g_set_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG,
                   "invalid PNG: %s", image.message);
      png_image_free (&image);
      return NULL;
    }
  if (!size_in_range (image.width, image.height, error))
    {
      png_image_free (&image);
      return NULL;
    }
  image.format = PNG_FORMAT_RGBA;
  /* a 16-bit PNG without gAMA or sRGB chunks holds sRGB samples, as
   * browsers (so TensorBoard) take it; libpng would take linear light and
   * brighten it (0x8080 -> 186, not 128) */
  image.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
  size = PNG_IMAGE_SIZE (image);
  gate_enter (gate, size);
  buf = try_alloc_pixels (size, FALSE, image.width, image.height, error);
  if (buf == NULL)
    {
      png_image_free (&image);
      gate_leave (gate, size);
      return NULL;
    }
  if (!png_image_finish_read (&image, NULL, buf, 0, NULL))
    {
      g_set_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG,
                   "invalid PNG (%ux%u): %s", image.width, image.height, image.message);
      png_image_free (&image);
      g_free (buf);
      gate_leave (gate, size);
      return NULL;
    }
  p = g_atomic_rc_box_new0 (LmImagePixels);
  p->width = p->full_width = image.width;
  p->height = p->full_height = image.height;
  p->factor = 1;
  p->stride = PNG_IMAGE_ROW_STRIDE (image);
  p->rgba = g_bytes_new_take (buf, size);
  reduced = lm_image_pixels_reduce (p, factor);
  lm_image_pixels_unref (p);
  gate_leave (gate, size);
  return reduced;
}

/* The row reader's state.  It lives in the caller's frame, outside the
 * function that calls setjmp, so what it holds is still known after
 * libpng jumps back from an error. */
typedef struct
{
  const guint8 *data;
  gsize len, pos;
  char message[160];     /* libpng's last error */
  png_uint_32 width, height;
  gboolean whole;        /* leave this PNG to decode_whole */
  int factor;
  LmImageLoader *gate;
  gsize gated;           /* bytes entered in the gate */
  guint8 *row;           /* one full-size row (reduced reads) */
  Reducer reducer;       /* reduced reads */
  guint8 *full;          /* the whole image (factor 1) */
  png_uint_32 rows_read;
} RowRead;

static void
row_read_data (png_structp png, png_bytep out, size_t n)
{
  RowRead *rr = png_get_io_ptr (png);

  if (n > rr->len - rr->pos)
    png_error (png, "the PNG data ends early (truncated)");
  memcpy (out, rr->data + rr->pos, n);
  rr->pos += n;
}

static void
row_read_error (png_structp png, png_const_charp message)
{
  RowRead *rr = png_get_error_ptr (png);

  g_strlcpy (rr->message, message, sizeof rr->message);
  png_longjmp (png, 1);
}

static void
row_read_warning (png_structp png, png_const_charp message)
{
  /* ancillary-chunk complaints; the pixels are still good */
}

/* A gAMA chunk other than sRGB's 1/2.2 (within libpng's 5 % threshold):
 * the simplified API corrects such files to sRGB. */
static gboolean
gamma_not_srgb (png_structp png, png_infop info)
{
  png_fixed_point g;

  if (!png_get_gAMA_fixed (png, info, &g) || g <= 0)
    return FALSE;
  return fabs (g / 100000.0 * 2.2 - 1) >= 0.05;
}

/* Reads the header, and the rows unless rr->whole is set on return.
 * FALSE on a libpng error (rr->message). */
static gboolean
read_rows (png_structp png, png_infop info, RowRead *rr, GError **error)
{
  int depth, color, interlace;

  if (setjmp (png_jmpbuf (png)))
    return FALSE;
  png_set_read_fn (png, rr, row_read_data);
  png_read_info (png, info);
  png_get_IHDR (png, info, &rr->width, &rr->height, &depth, &color, &interlace, NULL, NULL);
  if (!size_in_range (rr->width, rr->height, error))
    return TRUE;
  if (interlace != PNG_INTERLACE_NONE || depth > 8 || gamma_not_srgb (png, info))
    {
      rr->whole = TRUE;
      return TRUE;
    }
  /* To 8-bit RGBA, as the simplified API gives it: palette and grey
   * expanded, tRNS to alpha, opaque where there is no alpha. */
  png_set_expand (png);
  if (!(color & PNG_COLOR_MASK_COLOR))
    png_set_gray_to_rgb (png);
  if (!(color & PNG_COLOR_MASK_ALPHA) && !png_get_valid (png, info, PNG_INFO_tRNS))
    png_set_add_alpha (png, 0xff, PNG_FILLER_AFTER);
  png_read_update_info (png, info);
  if (png_get_rowbytes (png, info) != (size_t) rr->width * 4)
    png_error (png, "unexpected row layout after conversion to RGBA");

  if (rr->factor <= 1)
    {
      rr->gated = (gsize) rr->width * rr->height * 4;
      gate_enter (rr->gate, rr->gated);
      rr->full = try_alloc_pixels (rr->gated, FALSE, rr->width, rr->height, error);
      if (rr->full == NULL)
        return TRUE;
      for (; rr->rows_read < rr->height; rr->rows_read++)
        png_read_row (png, rr->full + (gsize) rr->rows_read * rr->width * 4, NULL);
    }
  else
    {
      int out_w = (int) (rr->width + rr->factor - 1) / rr->factor;

      /* the reduced image, a row of sums, a row */
      rr->gated = (gsize) out_w * ((rr->height + rr->factor - 1) / rr->factor) * 4
                  + (gsize) out_w * 4 * sizeof (guint64) + (gsize) rr->width * 4;
      gate_enter (rr->gate, rr->gated);
      rr->row = g_malloc ((gsize) rr->width * 4);
      reducer_init (&rr->reducer, rr->width, rr->height, rr->factor);
      for (; rr->rows_read < rr->height; rr->rows_read++)
        {
          png_read_row (png, rr->row, NULL);
          reducer_add_row (&rr->reducer, rr->row);
        }
    }
  return TRUE;
}

/* Decodes and reduces by `factor`.  Plain PNGs are read row by row and
 * reduced as the rows arrive, so a reduced load holds the reduced image
 * and one row; the others take decode_whole.  What a decode holds counts
 * against the gate of `gate` (NULL: no gate) while it is made. */
static LmImagePixels *
decode_png (const void *data, gsize len, int factor, LmImageLoader *gate, GError **error)
{
  RowRead rr = { .data = data, .len = len, .factor = factor, .gate = gate };
  png_structp png;
  png_infop info;
  GError *local = NULL;
  LmImagePixels *p = NULL;

  if (data == NULL || len < 8 || memcmp (data, png_signature, 8) != 0)
    {
      g_set_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG,
                   "image data is not a PNG file (%zu bytes, no PNG signature)", (size_t) len);
      return NULL;
    }
  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &rr, row_read_error, row_read_warning);
  info = png ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    {
      png_destroy_read_struct (&png, NULL, NULL);
      g_set_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG, "invalid PNG: out of memory");
      return NULL;
    }
  if (!read_rows (png, info, &rr, &local))
    {
      if (rr.width > 0)
        g_set_error (&local, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG,
                     "invalid PNG (%ux%u): %s; %u of %u rows decoded", (unsigned) rr.width, (unsigned) rr.height,
                     rr.message, (unsigned) rr.rows_read, (unsigned) rr.height);
      else
        g_set_error (&local, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG, "invalid PNG: %s", rr.message);
    }
  else if (local == NULL && rr.full != NULL)
    {
      p = g_atomic_rc_box_new0 (LmImagePixels);
      p->width = p->full_width = rr.width;
      p->height = p->full_height = rr.height;
      p->factor = 1;
      p->stride = (gsize) rr.width * 4;
      p->rgba = g_bytes_new_take (g_steal_pointer (&rr.full), (gsize) rr.width * rr.height * 4);
    }
  else if (local == NULL && rr.reducer.out != NULL)
    p = reducer_finish (&rr.reducer, rr.width, rr.height, 1);
  png_destroy_read_struct (&png, &info, NULL);
  g_free (rr.row);
  g_free (rr.full);
  reducer_clear (&rr.reducer);
  gate_leave (gate, rr.gated);
  if (local == NULL && rr.whole)
    return decode_whole (data, len, factor, gate, error);
  if (local != NULL)
    g_propagate_error (error, local);
  return p;
}

LmImagePixels *
lm_image_decode_png (const void *data, gsize len, GError **error)
{
  return decode_png (data, len, 1, NULL, error);
}

LmImagePixels *
lm_image_decode_png_reduced (const void *data, gsize len, int factor, GError **error)
{
  return decode_png (data, len, MAX (factor, 1), NULL, error);
}

/* ------------------------------------------------------------ animations */

/* The biggest animation decoded: its composed frames at the size asked. */
#define MAX_ANIMATION_BYTES ((gsize) 1 << 30)

LmImageAnimation *
lm_image_animation_ref (LmImageAnimation *anim)
{
  return g_atomic_rc_box_acquire (anim);
}

static void
animation_clear (gpointer data)
{
  LmImageAnimation *a = data;

  for (int i = 0; i < a->n_frames; i++)
    lm_image_pixels_unref (a->frames[i]);
  g_free (a->frames);
  g_free (a->delays);
}

void
lm_image_animation_unref (LmImageAnimation *anim)
{
  if (anim != NULL)
    g_atomic_rc_box_release_full (anim, animation_clear);
}

static gsize
animation_bytes (const LmImageAnimation *a)
{
  gsize bytes = 0;

  for (int i = 0; i < a->n_frames; i++)
    bytes += g_bytes_get_size (a->frames[i]->rgba);
  return bytes;
}

/* One fcTL and the image data (IDAT or fdAT payloads) that follows it. */
typedef struct
{
  guint32 width, height, x, y;
  guint16 delay_num, delay_den;
  guint8 dispose, blend;
  GByteArray *data;
} ApngFrame;

static void
apng_frame_clear (gpointer data)
{
  ApngFrame *f = data;

  g_clear_pointer (&f->data, g_byte_array_unref);
}

G_GNUC_PRINTF (2, 3) static void
apng_fail (GError **error, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG, "invalid APNG: %s", msg);
}

static void
append_chunk (GByteArray *png, const char *type, const guint8 *data, gsize len)
{
  guint oldlen = png->len;

  g_byte_array_set_size (png, oldlen + (guint) (len + LM_PNG_CHUNK_OVERHEAD));
  lm_png_put_chunk (png->data + oldlen, type, NULL, data, len);
}

/* Frame f decoded by libpng as a PNG of its own: the IHDR with the
 * frame's size, the palette chunks, its data as one IDAT. */
static LmImagePixels *
decode_frame (const guint8 *ihdr, const lm_png_chunk *plte, const lm_png_chunk *trns,
              const ApngFrame *f, int index, LmImageLoader *gate, GError **error)
{
  g_autoptr (GByteArray) png = g_byte_array_new ();
  guint8 hdr[13];
  GError *local = NULL;
  LmImagePixels *p;

  if (f->data->len > G_MAXUINT - 1024)
    {
      apng_fail (error, "frame %d has over 4 GiB of data", index);
      return NULL;
    }
  memcpy (hdr, ihdr, 13);
  lm_png_put_u32 (hdr, f->width);
  lm_png_put_u32 (hdr + 4, f->height);
  g_byte_array_append (png, (const guint8 *) LM_PNG_SIGNATURE, LM_PNG_SIGNATURE_LEN);
  append_chunk (png, "IHDR", hdr, 13);
  if (plte->data != NULL)
    append_chunk (png, "PLTE", plte->data, plte->len);
  if (trns->data != NULL)
    append_chunk (png, "tRNS", trns->data, trns->len);
  append_chunk (png, "IDAT", f->data->data, f->data->len);
  append_chunk (png, "IEND", NULL, 0);
  p = decode_png (png->data, png->len, 1, gate, &local);
  if (p == NULL)
    {
      apng_fail (error, "frame %d: %s", index, local->message);
      g_error_free (local);
    }
  return p;
}

/* Puts `src` (w x h RGBA) on the canvas at (x, y): replacing what is
 * there (OP_SOURCE) or over it (OP_OVER, alpha compositing of
 * non-premultiplied colours, rounded). */
static void
blend_frame (guint8 *canvas, gsize cstride, const LmImagePixels *src, guint32 x, guint32 y, int blend)
{
  const guint8 *in = g_bytes_get_data (src->rgba, NULL);

  for (int r = 0; r < src->height; r++)
    {
      const guint8 *s = in + (gsize) r * src->stride;
      guint8 *d = canvas + (gsize) (y + r) * cstride + (gsize) x * 4;

      if (blend == LM_APNG_BLEND_SOURCE)
        {
          memcpy (d, s, (gsize) src->width * 4);
          continue;
        }
      for (int c = 0; c < src->width; c++, s += 4, d += 4)
        {
          guint sa = s[3], da = d[3];
          guint oa; /* out alpha * 255 */

          if (sa == 255 || da == 0)
            {
              memcpy (d, s, 4);
              continue;
            }
          if (sa == 0)
            continue;
          /* out = src + dst * (1 - src alpha), in alpha*255 units */
          oa = sa * 255 + da * (255 - sa);
          for (int k = 0; k < 3; k++)
            d[k] = (guint8) ((s[k] * sa * 255 + d[k] * da * (255 - sa) + oa / 2) / oa);
          d[3] = (guint8) ((oa + 127) / 255);
        }
    }
}

static void
clear_rect (guint8 *canvas, gsize cstride, guint32 x, guint32 y, guint32 w, guint32 h)
{
  for (guint32 r = 0; r < h; r++)
    memset (canvas + (gsize) (y + r) * cstride + (gsize) x * 4, 0, (gsize) w * 4);
}

/* The chunks of an APNG: the frames (fcTL + data) in order, checked
 * against the spec's sequence numbering and the canvas.  `seq`, the
 * canvas size and seen_idat are the parse's state. */
typedef struct
{
  const guint8 *ihdr;
  lm_png_chunk plte, trns;
  gboolean have_actl, default_is_frame;
  guint32 num_frames, num_plays;
  GArray *frames; /* ApngFrame */
  guint32 seq, cw, ch;
  gboolean seen_idat;
} ApngParse;

static ApngFrame *
apng_last_frame (ApngParse *ap)
{
  return ap->frames->len ? &g_array_index (ap->frames, ApngFrame, ap->frames->len - 1) : NULL;
}

/* Each apng_parse_* takes one chunk `c` at byte `at` of the file. */
static gboolean
apng_parse_ihdr (ApngParse *ap, const lm_png_chunk *c, gsize at, GError **error)
{
  if (ap->ihdr != NULL || c->len != 13)
    {
      apng_fail (error, "IHDR chunk at byte %zu: %s", at, ap->ihdr ? "a second IHDR" : "not 13 bytes");
      return FALSE;
    }
  ap->ihdr = c->data;
  ap->cw = lm_png_get_u32 (c->data);
  ap->ch = lm_png_get_u32 (c->data + 4);
  return size_in_range (ap->cw, ap->ch, error);
}

static gboolean
apng_parse_actl (ApngParse *ap, const lm_png_chunk *c, gsize at, GError **error)
{
  if (c->len != LM_APNG_ACTL_LEN || ap->seen_idat || ap->have_actl)
    {
      apng_fail (error, "acTL chunk at byte %zu: %s", at,
                 c->len != LM_APNG_ACTL_LEN ? "not 8 bytes" : ap->seen_idat ? "after the image data" : "a second acTL");
      return FALSE;
    }
  ap->have_actl = TRUE;
  ap->num_frames = lm_png_get_u32 (c->data);
  ap->num_plays = lm_png_get_u32 (c->data + 4);
  if (ap->num_frames == 0)
    {
      apng_fail (error, "acTL chunk says 0 frames");
      return FALSE;
    }
  return TRUE;
}

/* A chunk's sequence number (fcTL, fdAT), which must count up from 0. */
static gboolean
apng_check_sequence (ApngParse *ap, const lm_png_chunk *c, gsize at, GError **error)
{
  if (lm_png_get_u32 (c->data) != ap->seq)
    {
      apng_fail (error, "%s chunk at byte %zu is out of sequence (number %u, expected %u)", c->type, at,
                 lm_png_get_u32 (c->data), ap->seq);
      return FALSE;
    }
  ap->seq++;
  return TRUE;
}

static gboolean
apng_parse_fctl (ApngParse *ap, const lm_png_chunk *c, gsize at, GError **error)
{
  ApngFrame f = { 0 };
  ApngFrame *cur = apng_last_frame (ap);
  lm_apng_fctl fc;
  char why[160];

  if (c->len != LM_APNG_FCTL_LEN)
    {
      apng_fail (error, "fcTL chunk at byte %zu is %u bytes, not 26", at, c->len);
      return FALSE;
    }
  if (!apng_check_sequence (ap, c, at, error))
    return FALSE;
  lm_apng_read_fctl (c->data, &fc);
  if (!lm_apng_fctl_check (&fc, ap->frames->len, ap->cw, ap->ch, why, sizeof why))
    {
      apng_fail (error, "fcTL chunk at byte %zu: %s", at, why);
      return FALSE;
    }
  f.width = fc.width;
  f.height = fc.height;
  f.x = fc.x;
  f.y = fc.y;
  f.delay_num = fc.delay_num;
  f.delay_den = fc.delay_den;
  f.dispose = fc.dispose;
  f.blend = fc.blend;
  if (cur != NULL && cur->data->len == 0)
    {
      apng_fail (error, "fcTL chunk at byte %zu: frame %u has no image data", at, ap->frames->len - 1);
      return FALSE;
    }
  if (!ap->seen_idat)
    ap->default_is_frame = TRUE;
  f.data = g_byte_array_new ();
  g_array_append_val (ap->frames, f);
  return TRUE;
}

static gboolean
apng_parse_idat (ApngParse *ap, const lm_png_chunk *c, gsize at, GError **error)
{
  ApngFrame *cur = apng_last_frame (ap);

  if (ap->default_is_frame && ap->frames->len > 1)
    {
      apng_fail (error, "IDAT chunk at byte %zu comes after fdAT chunks", at);
      return FALSE;
    }
  ap->seen_idat = TRUE;
  /* the default image is frame 0 when an fcTL came before it */
  if (ap->default_is_frame && cur != NULL)
    g_byte_array_append (cur->data, c->data, c->len);
  return TRUE;
}

static gboolean
apng_parse_fdat (ApngParse *ap, const lm_png_chunk *c, gsize at, GError **error)
{
  ApngFrame *cur = apng_last_frame (ap);

  if (c->len < 4 || cur == NULL || !ap->seen_idat || (ap->default_is_frame && ap->frames->len == 1))
    {
      apng_fail (error, "fdAT chunk at byte %zu: %s", at,
                 c->len < 4 ? "shorter than its sequence number" : "no fcTL before it");
      return FALSE;
    }
  if (!apng_check_sequence (ap, c, at, error))
    return FALSE;
  g_byte_array_append (cur->data, c->data + 4, c->len - 4);
  return TRUE;
}

/* What must hold once every chunk is read. */
static gboolean
apng_check_end (ApngParse *ap, GError **error)
{
  ApngFrame *last = apng_last_frame (ap);

  if (last != NULL && last->data->len == 0)
    {
      apng_fail (error, "frame %u has no image data", ap->frames->len - 1);
      return FALSE;
    }
  if (ap->have_actl && ap->num_frames != ap->frames->len)
    {
      apng_fail (error, "acTL chunk says %u frames, the file has %u", ap->num_frames, ap->frames->len);
      return FALSE;
    }
  return TRUE;
}

static gboolean
apng_parse (const guint8 *data, gsize len, ApngParse *ap, GError **error)
{
  gsize pos = LM_PNG_SIGNATURE_LEN;
  lm_png_chunk c;
  char err[200];
  gboolean seen_iend = FALSE, ok = TRUE;
  int r = 1;

  while (ok && !seen_iend && (r = lm_png_next_chunk (data, len, &pos, &c, err, sizeof err)) == 1)
    {
      gsize at = pos - LM_PNG_CHUNK_OVERHEAD - c.len;

      if (ap->ihdr == NULL && strcmp (c.type, "IHDR") != 0)
        {
          apng_fail (error, "the first chunk is %s, not IHDR", c.type);
          return FALSE;
        }
      if (!strcmp (c.type, "IHDR"))
        ok = apng_parse_ihdr (ap, &c, at, error);
      else if (!strcmp (c.type, "PLTE"))
        ap->plte = c;
      else if (!strcmp (c.type, "tRNS"))
        ap->trns = c;
      else if (!strcmp (c.type, "acTL"))
        ok = apng_parse_actl (ap, &c, at, error);
      else if (!strcmp (c.type, "fcTL"))
        ok = apng_parse_fctl (ap, &c, at, error);
      else if (!strcmp (c.type, "IDAT"))
        ok = apng_parse_idat (ap, &c, at, error);
      else if (!strcmp (c.type, "fdAT"))
        ok = apng_parse_fdat (ap, &c, at, error);
      else if (!strcmp (c.type, "IEND"))
        seen_iend = TRUE;
    }
  if (!ok)
    return FALSE;
  if (!seen_iend)
    {
      if (r < 0)
        apng_fail (error, "%s", err);
      else
        apng_fail (error, "no IEND chunk (truncated after byte %zu)", pos);
      return FALSE;
    }
  return apng_check_end (ap, error);
}

/* A decoded animation of one frame: a PNG without acTL. */
static LmImageAnimation *
animation_of_still (LmImagePixels *still)
{
  LmImageAnimation *a = g_atomic_rc_box_new0 (LmImageAnimation);

  a->n_frames = 1;
  a->frames = g_new (LmImagePixels *, 1);
  a->frames[0] = still;
  a->delays = g_new0 (double, 1);
  a->num_plays = 1;
  return a;
}

/* FALSE with LM_IMAGE_ERROR_TOO_LARGE when the parsed animation's frames
 * (reduced by `factor`) or its canvas are more than a video may take;
 * else the bytes of one reduced frame in *out_bytes. */
static gboolean
apng_check_size (const ApngParse *ap, int factor, gsize *out_bytes, GError **error)
{
  guint32 cw = ap->cw, ch = ap->ch;
  gsize cstride = (gsize) cw * 4;

  *out_bytes = (gsize) ((cw + factor - 1) / factor) * ((ch + factor - 1) / factor) * 4;
  if (*out_bytes > MAX_ANIMATION_BYTES / ap->frames->len || cstride * ch > MAX_ANIMATION_BYTES)
    {
      /* a valid file, only too big to hold: not "invalid APNG" */
      g_set_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_TOO_LARGE,
                   "%u frames of %ux%u are %.0f MiB decoded, more than the %zu MiB a video may take",
                   ap->frames->len, cw, ch, MAX ((double) *out_bytes * ap->frames->len, (double) cstride * ch) / (1 << 20),
                   MAX_ANIMATION_BYTES >> 20);
      return FALSE;
    }
  return TRUE;
}

/* The canvas (cw x ch RGBA) as a frame of the animation, reduced. */
static LmImagePixels *
canvas_frame (const guint8 *canvas, guint32 cw, guint32 ch, int factor)
{
  LmImagePixels *whole = g_atomic_rc_box_new0 (LmImagePixels);
  LmImagePixels *frame;

  whole->width = whole->full_width = (int) cw;
  whole->height = whole->full_height = (int) ch;
  whole->factor = 1;
  whole->stride = (gsize) cw * 4;
  whole->rgba = g_bytes_new (canvas, whole->stride * ch);
  frame = lm_image_pixels_reduce (whole, factor);
  lm_image_pixels_unref (whole);
  return frame;
}

/* Decodes and composes the parsed frames in order on a canvas, as the
 * spec's blend and dispose operations say.  The caller gates the memory. */
static LmImageAnimation *
apng_compose (const ApngParse *ap, int factor, GError **error)
{
  guint32 cw = ap->cw, ch = ap->ch;
  gsize cstride = (gsize) cw * 4;
  guint8 *canvas = try_alloc_pixels (cstride * ch, TRUE, cw, ch, error), *saved = NULL;
  LmImageAnimation *anim;

  if (canvas == NULL)
    return NULL;
  anim = g_atomic_rc_box_new0 (LmImageAnimation);
  anim->frames = g_new0 (LmImagePixels *, ap->frames->len);
  anim->delays = g_new0 (double, ap->frames->len);
  anim->num_plays = (int) MIN (ap->num_plays, G_MAXINT);
  for (guint i = 0; i < ap->frames->len; i++)
    {
      const ApngFrame *f = &g_array_index (ap->frames, ApngFrame, i);
      LmImagePixels *pix = decode_frame (ap->ihdr, &ap->plte, &ap->trns, f, (int) i, NULL, error);
      int dispose = f->dispose;

      if (pix == NULL)
        {
          g_clear_pointer (&anim, lm_image_animation_unref);
          break;
        }
      /* the spec: a first frame's PREVIOUS is BACKGROUND */
      if (i == 0 && dispose == LM_APNG_DISPOSE_PREVIOUS)
        dispose = LM_APNG_DISPOSE_BACKGROUND;
      if (dispose == LM_APNG_DISPOSE_PREVIOUS)
        saved = g_memdup2 (canvas, cstride * ch);
      blend_frame (canvas, cstride, pix, f->x, f->y, f->blend);
      lm_image_pixels_unref (pix);

      anim->frames[i] = canvas_frame (canvas, cw, ch, factor);
      anim->n_frames++;
      /* the spec: a denominator of 0 is 100 (hundredths of a second) */
      anim->delays[i] = (double) f->delay_num / (f->delay_den ? f->delay_den : 100);

      if (dispose == LM_APNG_DISPOSE_BACKGROUND)
        clear_rect (canvas, cstride, f->x, f->y, f->width, f->height);
      else if (dispose == LM_APNG_DISPOSE_PREVIOUS)
        {
          g_free (canvas);
          canvas = g_steal_pointer (&saved);
        }
    }
  g_free (canvas);
  g_free (saved);
  return anim;
}

static LmImageAnimation *
decode_apng (const void *data, gsize len, int factor, LmImageLoader *gate, GError **error)
{
  ApngParse ap = { 0 };
  LmImageAnimation *anim = NULL;
  gsize out_bytes, gated;

  factor = MAX (factor, 1);
  if (data == NULL || len < LM_PNG_SIGNATURE_LEN || memcmp (data, png_signature, LM_PNG_SIGNATURE_LEN) != 0)
    {
      g_set_error (error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_BAD_PNG,
                   "image data is not a PNG file (%zu bytes, no PNG signature)", (size_t) len);
      return NULL;
    }
  ap.frames = g_array_new (FALSE, TRUE, sizeof (ApngFrame));
  g_array_set_clear_func (ap.frames, apng_frame_clear);
  if (!apng_parse (data, len, &ap, error))
    anim = NULL;
  else if (!ap.have_actl)
    {
      LmImagePixels *still = decode_png (data, len, factor, gate, error);

      anim = still ? animation_of_still (still) : NULL;
    }
  else if (apng_check_size (&ap, factor, &out_bytes, error))
    {
      /* What composing holds, counted against the gate once for the
       * whole decode: the canvas, its copy for dispose_op PREVIOUS, a
       * frame as libpng gives it, the canvas copied into a frame before
       * it is reduced, and the frames made.  The frames' own libpng
       * decodes go ungated: they are inside this count (and would wait
       * on it). */
      gated = 4 * (gsize) ap.cw * 4 * ap.ch + out_bytes * ap.frames->len;
      gate_enter (gate, gated);
      anim = apng_compose (&ap, factor, error);
      gate_leave (gate, gated);
    }
  g_array_unref (ap.frames);
  return anim;
}

LmImageAnimation *
lm_image_decode_apng (const void *data, gsize len, int factor, GError **error)
{
  return decode_apng (data, len, factor, NULL, error);
}

int
lm_image_reduce_factor (int width, int height, int box_width, int box_height)
{
  double f;

  if (width <= 0 || height <= 0 || box_width <= 0 || box_height <= 0)
    return 1;
  f = MAX ((double) width / box_width, (double) height / box_height);
  return f >= 2 ? (int) MIN (f, 32768) : 1;
}

typedef struct
{
  char *path;
  gint64 id;
  int factor;
  gboolean animation;  /* lm_image_loader_load_animation_async */
} LoadData;

static void
load_data_free (gpointer data)
{
  LoadData *d = data;

  g_free (d->path);
  g_free (d);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LmImageLoader *self = source;
  LoadData *d = task_data;
  GError *error = NULL;
  sqlite3 *db;
  sqlite3_stmt *st = NULL;
  LmImagePixels *pixels = NULL;
  LmImageAnimation *anim = NULL;
  g_autofree char *msg = NULL;
  int rc;

  if ((db = lm_reader_pool_take (self->pool, d->path, &msg)) == NULL)
    {
      g_task_return_new_error (task, LM_IMAGE_ERROR, LM_IMAGE_ERROR_READ, "%s", msg);
      return;
    }
  rc = sqlite3_prepare_v2 (db, "SELECT png FROM images WHERE id = ?1", -1, &st, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (st, 1, d->id);
      rc = sqlite3_step (st);
    }
  if (rc == SQLITE_ROW && d->animation)
    anim = decode_apng (sqlite3_column_blob (st, 0), sqlite3_column_bytes (st, 0), d->factor, self, &error);
  else if (rc == SQLITE_ROW)
    pixels = decode_png (sqlite3_column_blob (st, 0), sqlite3_column_bytes (st, 0), d->factor, self, &error);
  else if (rc == SQLITE_DONE)
    g_set_error (&error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_MISSING,
                 "image row %" G_GINT64_FORMAT " is not in the run file", d->id);
  else
    {
      msg = lm_reader_describe_error (db, rc, "reading an image", NULL);
      g_set_error (&error, LM_IMAGE_ERROR, LM_IMAGE_ERROR_READ, "%s", msg);
    }
  sqlite3_finalize (st);
  lm_reader_pool_give (self->pool, d->path, db);
  if (pixels != NULL)
    g_task_return_pointer (task, pixels, (GDestroyNotify) lm_image_pixels_unref);
  else if (anim != NULL)
    g_task_return_pointer (task, anim, (GDestroyNotify) lm_image_animation_unref);
  else
    g_task_return_error (task, error);
}

/* ----------------------------------------------------------------- cache */

/* Stills and animations of a row are cached apart ("a": animation). */
static char *
make_key (const char *path, gint64 id, int factor, gboolean animation)
{
  return g_strdup_printf ("%s\n%" G_GINT64_FORMAT "\n%d%s", path, id, MAX (factor, 1), animation ? "a" : "");
}

LmImagePixels *
lm_image_loader_lookup (LmImageLoader *self, const char *path, gint64 id)
{
  return lm_image_loader_lookup_reduced (self, path, id, 1);
}

LmImagePixels *
lm_image_loader_lookup_reduced (LmImageLoader *self, const char *path, gint64 id, int factor)
{
  g_autofree char *key = make_key (path, id, factor, FALSE);
  LmImagePixels *p = lm_lru_cache_lookup (self->cache, key);

  return p ? lm_image_pixels_ref (p) : NULL;
}

LmImageAnimation *
lm_image_loader_lookup_animation (LmImageLoader *self, const char *path, gint64 id, int factor)
{
  g_autofree char *key = make_key (path, id, factor, TRUE);
  LmImageAnimation *a = lm_lru_cache_lookup (self->cache, key);

  return a ? lm_image_animation_ref (a) : NULL;
}

void
lm_image_loader_load_async (LmImageLoader *self, const char *path, gint64 id,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  lm_image_loader_load_reduced_async (self, path, id, 1, cancellable, callback, user_data);
}

static void
start_load (LmImageLoader *self, const char *path, gint64 id, int factor, gboolean animation,
            GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  LoadData *d = g_new0 (LoadData, 1);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  d->path = g_strdup (path);
  d->id = id;
  d->factor = MAX (factor, 1);
  d->animation = animation;
  g_task_set_task_data (task, d, load_data_free);
  g_task_run_in_thread (task, load_thread);
  g_object_unref (task);
}

/* The load's pixels or animation, counted and cached. */
static gpointer
finish_load (LmImageLoader *self, GAsyncResult *result, gboolean animation, GError **error)
{
  LoadData *d = g_task_get_task_data (G_TASK (result));
  gpointer out;

  g_return_val_if_fail (d->animation == animation, NULL);
  out = g_task_propagate_pointer (G_TASK (result), error);
  if (out != NULL)
    {
      g_autofree char *key = make_key (d->path, d->id, d->factor, animation);

      self->n_decoded++;
      if (animation)
        lm_lru_cache_insert (self->cache, key, lm_image_animation_ref (out), animation_bytes (out),
                             (GDestroyNotify) lm_image_animation_unref);
      else
        lm_lru_cache_insert (self->cache, key, lm_image_pixels_ref (out),
                             g_bytes_get_size (((LmImagePixels *) out)->rgba),
                             (GDestroyNotify) lm_image_pixels_unref);
    }
  return out;
}

void
lm_image_loader_load_reduced_async (LmImageLoader *self, const char *path, gint64 id, int factor,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  start_load (self, path, id, factor, FALSE, cancellable, callback, user_data);
}

void
lm_image_loader_load_animation_async (LmImageLoader *self, const char *path, gint64 id, int factor,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  start_load (self, path, id, factor, TRUE, cancellable, callback, user_data);
}

LmImageAnimation *
lm_image_loader_load_animation_finish (LmImageLoader *self, GAsyncResult *result, GError **error)
{
  return finish_load (self, result, TRUE, error);
}

LmImagePixels *
lm_image_loader_load_finish (LmImageLoader *self, GAsyncResult *result, GError **error)
{
  return finish_load (self, result, FALSE, error);
}

guint
lm_image_loader_get_n_decoded (LmImageLoader *self)
{
  return self->n_decoded;
}

gsize
lm_image_loader_get_peak_decode_bytes (LmImageLoader *self)
{
  gsize peak;

  g_return_val_if_fail (LM_IS_IMAGE_LOADER (self), 0);
  g_mutex_lock (&self->gate_lock);
  peak = self->peak_decoding;
  g_mutex_unlock (&self->gate_lock);
  return peak;
}

gsize
lm_image_loader_get_cache_limit (LmImageLoader *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_LOADER (self), 0);
  return lm_lru_cache_limit (self->cache);
}

static void
lm_image_loader_finalize (GObject *object)
{
  LmImageLoader *self = LM_IMAGE_LOADER (object);

  lm_lru_cache_free (self->cache);
  lm_reader_pool_free (self->pool);
  g_mutex_clear (&self->gate_lock);
  g_cond_clear (&self->gate_cond);
  G_OBJECT_CLASS (lm_image_loader_parent_class)->finalize (object);
}

static void
lm_image_loader_class_init (LmImageLoaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lm_image_loader_finalize;
}

static void
lm_image_loader_init (LmImageLoader *self)
{
  self->pool = lm_reader_pool_new ();
  g_mutex_init (&self->gate_lock);
  g_cond_init (&self->gate_cond);
}

LmImageLoader *
lm_image_loader_new (gsize cache_bytes)
{
  LmImageLoader *self = g_object_new (LM_TYPE_IMAGE_LOADER, NULL);

  self->cache = lm_lru_cache_new (cache_bytes ? cache_bytes : DEFAULT_CACHE_BYTES);
  return self;
}
