/* lm-image-loader.h: PNG blobs of image records, fetched and decoded off
 * the main thread, with a small LRU cache.
 *
 * What it is for: the image cards' pixels.  A load runs on a GTask worker
 * thread (its own read-only connection per run file, pooled), decodes the
 * PNG with libpng into 8-bit RGBA and keeps the most recent images (by
 * bytes) so scrubbing back and forth never decodes twice.  A blob that is
 * not a valid PNG fails with a message saying so.
 *
 * What it is not for: GDK textures (ui/ wraps the pixels), image metadata
 * (LmRecordFeed lists the rows).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LM_IMAGE_ERROR (lm_image_error_quark ())
GQuark lm_image_error_quark (void);

typedef enum {
  LM_IMAGE_ERROR_BAD_PNG,
  LM_IMAGE_ERROR_MISSING,
  LM_IMAGE_ERROR_READ,
} LmImageError;

/* Decoded pixels: RGBA, 8 bits a sample, not premultiplied, rows of
 * width * 4 bytes.  Immutable and reference counted. */
typedef struct
{
  int width, height;
  gsize stride;
  GBytes *rgba;
} LmImagePixels;

LmImagePixels *lm_image_pixels_ref   (LmImagePixels *pixels);
void           lm_image_pixels_unref (LmImagePixels *pixels);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmImagePixels, lm_image_pixels_unref)

/* Any 8/16-bit grey, grey+alpha, RGB, RGBA or palette PNG. */
LmImagePixels *lm_image_decode_png (const void *data, gsize len, GError **error);

#define LM_TYPE_IMAGE_LOADER (lm_image_loader_get_type ())
G_DECLARE_FINAL_TYPE (LmImageLoader, lm_image_loader, LM, IMAGE_LOADER, GObject)

/* cache_bytes: decoded bytes kept (0: 64 MiB). */
LmImageLoader *lm_image_loader_new    (gsize cache_bytes);
/* Cached pixels of image row `id` of the run file at `path`, or NULL. */
LmImagePixels *lm_image_loader_lookup (LmImageLoader *self, const char *path, gint64 id);
void           lm_image_loader_load_async  (LmImageLoader      *self,
                                            const char         *path,
                                            gint64              id,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
LmImagePixels *lm_image_loader_load_finish (LmImageLoader *self,
                                            GAsyncResult  *result,
                                            GError       **error);
guint          lm_image_loader_get_n_decoded (LmImageLoader *self);

G_END_DECLS
