/* lm-image-png.c: lm_writer_add_image_png, a PNG file the caller already
 * has (a figure a plotting library rendered, an image from an event file)
 * stored byte for byte.
 *
 * What it is for: checking that the bytes are one still PNG image that
 * readers decode (signature, chunk lengths and CRCs, IHDR, every row
 * inflated by libpng into a one-row buffer, so a damaged file is refused
 * now, not shown broken later) and queueing them as lm_writer_add_image
 * queues its own encoding.  The channels stored are those of the image as
 * decoded to 8-bit: 1 (grey), 3 (RGB, palette), 4 (alpha, tRNS).
 * Not for: animated PNGs (lm_writer_add_video_png) or re-encoding.
 */
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "lm-apng.h"
#include "lm-log-private.h"

typedef struct {
  const unsigned char *data;
  size_t len, pos;
  char msg[LM_PNG_MSG_LEN];
} png_source;

static void source_read(png_structp png, png_bytep out, size_t n) {
  png_source *s = png_get_io_ptr(png);
  if (n > s->len - s->pos)
    png_error(png, "the file ends in the middle of the image data");
  memcpy(out, s->data + s->pos, n);
  s->pos += n;
}

typedef struct {
  uint32_t width, height;
  int channels;
} png_shape;

/* The chunks: IHDR first (its size and colour type give the shape), no
 * acTL, IDAT before IEND, CRCs right. */
static int walk_chunks(const unsigned char *data, size_t len, png_shape *shape,
                       char *err, size_t errlen) {
  size_t pos = LM_PNG_SIGNATURE_LEN;
  lm_png_chunk c;
  int r, n = 0, color = 0;
  bool idat = false, trns = false;
  while ((r = lm_png_next_chunk(data, len, &pos, &c, err, errlen)) == 1) {
    if (n++ == 0 && (strcmp(c.type, "IHDR") != 0 || c.len != 13)) {
      snprintf(err, errlen, "the first chunk is %s%s, not IHDR", c.type,
               strcmp(c.type, "IHDR") ? "" : " of the wrong length");
      return -1;
    }
    if (n == 1) {
      shape->width = lm_png_get_u32(c.data);
      shape->height = lm_png_get_u32(c.data + 4);
      color = c.data[9];
    }
    if (!strcmp(c.type, "acTL")) {
      snprintf(err, errlen,
               "an animated PNG (acTL chunk); store it with "
               "lm_writer_add_video_png");
      return -1;
    }
    idat |= !strcmp(c.type, "IDAT");
    trns |= !strcmp(c.type, "tRNS");
    if (!strcmp(c.type, "IEND")) {
      if (!idat) {
        snprintf(err, errlen, "no IDAT chunk before IEND");
        return -1;
      }
      shape->channels = lm_png_decoded_channels(color, trns);
      return 0;
    }
  }
  if (r == 0)
    snprintf(err, errlen, "no IEND chunk (truncated after byte %zu)", pos);
  return -1;
}

int lm_check_png_signature(lm_writer *w, const char *what, const char *tag,
                           const char *arg, const void *png, size_t size) {
  if (!png)
    return lm_fail(w, LM_ERR_INVALID_ARG, "%s '%s': %s is NULL", what, tag,
                   arg);
  if (size < LM_PNG_SIGNATURE_LEN ||
      memcmp(png, LM_PNG_SIGNATURE, LM_PNG_SIGNATURE_LEN) != 0)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "%s '%s': not a PNG file (%zu bytes, no PNG signature)",
                   what, tag, size);
  return LM_OK;
}

/* Every row into one row buffer (lm-log-private.h). */
int lm_png_check_rows(const unsigned char *data, size_t len, char *err,
                      size_t errlen) {
  png_source src = {.data = data, .len = len};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, src.msg,
                                           lm_png_error, lm_png_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  unsigned char *volatile row = NULL;
  int rc = -1;
  if (!info) {
    snprintf(err, errlen, "out of memory");
    png_destroy_read_struct(&png, NULL, NULL);
    return -1;
  }
  if (setjmp(png_jmpbuf(png))) {
    snprintf(err, errlen, "%s", src.msg);
    goto out;
  }
  png_set_read_fn(png, &src, source_read);
  png_read_info(png, info);
  uint32_t h = png_get_image_height(png, info);
  int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  row = malloc(png_get_rowbytes(png, info));
  if (!row) {
    snprintf(err, errlen, "out of memory for a row");
    goto out;
  }
  for (int p = 0; p < passes; p++)
    for (uint32_t y = 0; y < h; y++)
      png_read_row(png, row, NULL);
  rc = 0;
out:
  free(row);
  png_destroy_read_struct(&png, &info, NULL);
  return rc;
}

int lm_writer_add_image_png(lm_writer *w, const char *tag, int64_t step,
                            const void *png, size_t size,
                            const char *caption) {
  char err[240];
  png_shape shape = {0};
  int rc = lm_check_writer_tag(w, tag);
  if (rc || (rc = lm_check_png_signature(w, "image", tag, "png", png, size)) ||
      (rc = lm_check_text(w, "caption", caption, true)))
    return rc;
  if (walk_chunks(png, size, &shape, err, sizeof err))
    return lm_fail(w, LM_ERR_INVALID_ARG, "image '%s': invalid PNG: %s", tag,
                   err);
  if (shape.width == 0 || shape.height == 0)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "image '%s': invalid PNG: its size is %ux%u", tag,
                   shape.width, shape.height);
  /* before inflating: a huge image is refused by its header */
  if ((rc = lm_image_size_check(w, tag, shape.width, shape.height,
                                (size_t)shape.channels)))
    return rc;
  if (lm_png_check_rows(png, size, err, sizeof err))
    return lm_fail(w, LM_ERR_INVALID_ARG, "image '%s': invalid PNG: %s", tag,
                   err);
  return lm_image_queue_blob(w, tag, step, png, size, (int)shape.width,
                             (int)shape.height, shape.channels, caption, NULL,
                             NULL, 0, 0.0);
}
