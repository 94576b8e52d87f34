/* lm-image-loader.h: PNG blobs of image records, fetched and decoded off
 * the main thread, with a small LRU cache.
 *
 * What it is for: the image cards' pixels.  A load runs on a GTask worker
 * thread (its own read-only connection per run file, pooled), decodes the
 * PNG with libpng into 8-bit RGBA and keeps the most recent images (by
 * bytes) so scrubbing back and forth never decodes twice.  A load can ask
 * for the image reduced by a whole factor (an image card shows a 4000x3000
 * photo in some 300x220 pixels): the worker reduces the rows as libpng
 * decodes them, so what it holds is about what is on screen.
 * Full decodes of big images are taken a few at a time (by bytes), and
 * the cache keeps no image bigger than a third of it, so neither parallel
 * loads nor a full-size view can make memory balloon.  A blob that is
 * not a valid PNG fails with a message saying so.  Videos (animated PNG
 * rows) load as LmImageAnimation; their still loads give the first frame.
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
  LM_IMAGE_ERROR_TOO_LARGE,   /* a valid video with more frames than can be held */
} LmImageError;

/* Decoded pixels: RGBA, 8 bits a sample, not premultiplied, rows of
 * width * 4 bytes.  full_width x full_height is the image as logged;
 * width x height are the pixels held, the same unless reduced by
 * `factor` (then ceil (full / factor) each way).  Immutable and
 * reference counted. */
typedef struct
{
  int width, height;
  gsize stride;
  GBytes *rgba;
  int full_width, full_height;
  int factor;
} LmImagePixels;

LmImagePixels *lm_image_pixels_ref   (LmImagePixels *pixels);
void           lm_image_pixels_unref (LmImagePixels *pixels);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmImagePixels, lm_image_pixels_unref)

/* Any 8/16-bit grey, grey+alpha, RGB, RGBA or palette PNG. */
LmImagePixels *lm_image_decode_png (const void *data, gsize len, GError **error);
/* The same reduced by `factor` (lm_image_pixels_reduce's pixels), without
 * holding the full decode: rows are averaged as libpng reads them.
 * Interlaced, 16-bit and non-sRGB-gamma PNGs are decoded whole first. */
LmImagePixels *lm_image_decode_png_reduced (const void *data, gsize len, int factor, GError **error);
/* `pixels` reduced by a whole factor: each pixel the average of a
 * factor x factor block (weighted by alpha, so transparent pixels lend
 * no colour).  Factor 1 (or less) returns a new reference to `pixels`. */
LmImagePixels *lm_image_pixels_reduce (LmImagePixels *pixels, int factor);
/* The largest whole factor by which a width x height image can be
 * reduced and still cover its fitted size in a box_width x box_height
 * box (at most two image pixels per screen pixel each way); 1 when the
 * image is no bigger than the box, or the box is empty. */
int            lm_image_reduce_factor (int width, int height, int box_width, int box_height);

/* An animation (a video, lm_writer_add_video; any APNG): n_frames
 * composed RGBA frames (LmImagePixels, all the canvas size, reduced by
 * `factor` as the still loads are) and each frame's delay in seconds;
 * num_plays 0 plays forever.  Immutable, refcounted. */
typedef struct
{
  int n_frames;
  LmImagePixels **frames;
  double *delays;
  int num_plays;
} LmImageAnimation;

LmImageAnimation *lm_image_animation_ref   (LmImageAnimation *anim);
void              lm_image_animation_unref (LmImageAnimation *anim);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmImageAnimation, lm_image_animation_unref)

/* Any APNG (frame offsets, blend OVER, dispose BACKGROUND / PREVIOUS;
 * https://wiki.mozilla.org/APNG_Specification) composed frame by frame,
 * reduced by `factor` (1: full size).  A plain PNG gives one frame
 * (delay 0, num_plays 1).  Bad, truncated or inconsistent chunks fail
 * with a message naming the chunk and what is wrong with it. */
LmImageAnimation *lm_image_decode_apng (const void *data, gsize len, int factor, GError **error);

#define LM_TYPE_IMAGE_LOADER (lm_image_loader_get_type ())
G_DECLARE_FINAL_TYPE (LmImageLoader, lm_image_loader, LM, IMAGE_LOADER, GObject)

/* cache_bytes: decoded bytes kept (0: 64 MiB). */
LmImageLoader *lm_image_loader_new    (gsize cache_bytes);
gsize          lm_image_loader_get_cache_limit (LmImageLoader *self);
/* Cached pixels of image row `id` of the run file at `path`, or NULL. */
LmImagePixels *lm_image_loader_lookup (LmImageLoader *self, const char *path, gint64 id);
/* The same, reduced by `factor` (lm_image_pixels_reduce; 1: full size).
 * Each factor is cached on its own. */
LmImagePixels *lm_image_loader_lookup_reduced (LmImageLoader *self, const char *path, gint64 id, int factor);
void           lm_image_loader_load_async  (LmImageLoader      *self,
                                            const char         *path,
                                            gint64              id,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
void           lm_image_loader_load_reduced_async (LmImageLoader      *self,
                                                   const char         *path,
                                                   gint64              id,
                                                   int                 factor,
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
/* For either kind of load. */
LmImagePixels *lm_image_loader_load_finish (LmImageLoader *self,
                                            GAsyncResult  *result,
                                            GError       **error);
/* The animation of image row `id` (lm_image_decode_apng), loaded and
 * cached as the stills are (by bytes, kept apart from them; one bigger
 * than a third of the cache is returned but not kept). */
void              lm_image_loader_load_animation_async  (LmImageLoader      *self,
                                                         const char         *path,
                                                         gint64              id,
                                                         int                 factor,
                                                         GCancellable       *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer            user_data);
LmImageAnimation *lm_image_loader_load_animation_finish (LmImageLoader *self,
                                                         GAsyncResult  *result,
                                                         GError       **error);
LmImageAnimation *lm_image_loader_lookup_animation      (LmImageLoader *self,
                                                         const char    *path,
                                                         gint64         id,
                                                         int            factor);
guint          lm_image_loader_get_n_decoded (LmImageLoader *self);
/* The most bytes that decodes in progress held at once (full decodes, or
 * a reduced image and its working rows; for an animation, its canvases
 * and frames). */
gsize          lm_image_loader_get_peak_decode_bytes (LmImageLoader *self);

G_END_DECLS
