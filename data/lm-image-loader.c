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

#include "lm-reader-private.h"

G_DEFINE_QUARK (lm-image-error-quark, lm_image_error)

#define DEFAULT_CACHE_BYTES (64u << 20)
#define DECODE_BUDGET (100u << 20)

struct _LmImageLoader
{
  GObject parent_instance;

  gsize cache_limit, cache_bytes;
  GHashTable *cache;     /* "path\nid" -> GList link in lru (data: Entry*) */
  GQueue lru;            /* most recent first */
  LmReaderPool *pool;    /* a connection per load in flight */
  guint n_decoded;
  GMutex gate_lock;
  GCond gate_cond;
  gsize decoding;        /* bytes of decodes in flight */
  gsize peak_decoding;   /* the most there have been */
};

G_DEFINE_FINAL_TYPE (LmImageLoader, lm_image_loader, G_TYPE_OBJECT)

typedef struct
{
  char *key;
  LmImagePixels *pixels;
} Entry;

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
  size = PNG_IMAGE_SIZE (image);
  gate_enter (gate, size);
  buf = g_malloc (size);
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
      rr->full = g_malloc (rr->gated);
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
  if (rc == SQLITE_ROW)
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
  else
    g_task_return_error (task, error);
}

/* ----------------------------------------------------------------- cache */

static void
entry_free (gpointer data)
{
  Entry *e = data;

  g_free (e->key);
  lm_image_pixels_unref (e->pixels);
  g_free (e);
}

static char *
make_key (const char *path, gint64 id, int factor)
{
  return g_strdup_printf ("%s\n%" G_GINT64_FORMAT "\n%d", path, id, MAX (factor, 1));
}

static void
cache_insert (LmImageLoader *self, const char *path, gint64 id, int factor, LmImagePixels *pixels)
{
  Entry *e;

  /* A full-size photo would push out a screenful of card images; whoever
   * asked for it holds it while it is needed. */
  if (g_bytes_get_size (pixels->rgba) > self->cache_limit / 3)
    return;
  e = g_new0 (Entry, 1);
  e->key = make_key (path, id, factor);
  if (g_hash_table_contains (self->cache, e->key))
    {
      entry_free (e);
      return;
    }
  e->pixels = lm_image_pixels_ref (pixels);
  g_queue_push_head (&self->lru, e);
  g_hash_table_insert (self->cache, e->key, self->lru.head);
  self->cache_bytes += g_bytes_get_size (pixels->rgba);
  while (self->cache_bytes > self->cache_limit && self->lru.length > 1)
    {
      Entry *old = g_queue_pop_tail (&self->lru);

      self->cache_bytes -= g_bytes_get_size (old->pixels->rgba);
      g_hash_table_remove (self->cache, old->key);
      entry_free (old);
    }
}

LmImagePixels *
lm_image_loader_lookup (LmImageLoader *self, const char *path, gint64 id)
{
  return lm_image_loader_lookup_reduced (self, path, id, 1);
}

LmImagePixels *
lm_image_loader_lookup_reduced (LmImageLoader *self, const char *path, gint64 id, int factor)
{
  g_autofree char *key = make_key (path, id, factor);
  GList *link = g_hash_table_lookup (self->cache, key);

  if (link == NULL)
    return NULL;
  g_queue_unlink (&self->lru, link);
  g_queue_push_head_link (&self->lru, link);
  return lm_image_pixels_ref (((Entry *) link->data)->pixels);
}

void
lm_image_loader_load_async (LmImageLoader *self, const char *path, gint64 id,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  lm_image_loader_load_reduced_async (self, path, id, 1, cancellable, callback, user_data);
}

void
lm_image_loader_load_reduced_async (LmImageLoader *self, const char *path, gint64 id, int factor,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  LoadData *d = g_new0 (LoadData, 1);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  d->path = g_strdup (path);
  d->id = id;
  d->factor = MAX (factor, 1);
  g_task_set_task_data (task, d, load_data_free);
  g_task_run_in_thread (task, load_thread);
  g_object_unref (task);
}

LmImagePixels *
lm_image_loader_load_finish (LmImageLoader *self, GAsyncResult *result, GError **error)
{
  LoadData *d = g_task_get_task_data (G_TASK (result));
  LmImagePixels *pixels = g_task_propagate_pointer (G_TASK (result), error);

  if (pixels != NULL)
    {
      self->n_decoded++;
      cache_insert (self, d->path, d->id, d->factor, pixels);
    }
  return pixels;
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
  return self->cache_limit;
}

static void
lm_image_loader_finalize (GObject *object)
{
  LmImageLoader *self = LM_IMAGE_LOADER (object);

  g_hash_table_unref (self->cache);
  g_queue_clear_full (&self->lru, entry_free);
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
  self->cache = g_hash_table_new (g_str_hash, g_str_equal);
  self->pool = lm_reader_pool_new ();
  g_mutex_init (&self->gate_lock);
  g_cond_init (&self->gate_cond);
}

LmImageLoader *
lm_image_loader_new (gsize cache_bytes)
{
  LmImageLoader *self = g_object_new (LM_TYPE_IMAGE_LOADER, NULL);

  self->cache_limit = cache_bytes ? cache_bytes : DEFAULT_CACHE_BYTES;
  return self;
}
