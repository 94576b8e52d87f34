/* lm-image.c: images (PNG via libpng), image grids, images with boxes,
 * videos (animated PNG) and text.
 *
 * What it is for: lm_writer_add_image*, lm_writer_add_images_grid (a
 * batch laid out like torchvision.utils.make_grid),
 * lm_writer_add_image_with_boxes* (the boxes stored as JSON beside the
 * untouched image), lm_writer_add_video* (each frame encoded by libpng,
 * its IDAT data re-wrapped as APNG fdAT chunks, lm-apng.h), a batch of
 * videos laid out as add_video's _prepare_video does, and
 * lm_writer_add_text.
 * Encoding happens in the calling thread, so the caller learns about bad
 * input at once and the writer thread only stores bytes.
 * Not for: decoding (readers use any PNG decoder).
 */
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "lm-apng.h"
#include "lm-log-private.h"

typedef struct {
  unsigned char *buf;
  size_t len, cap;
  bool oom;
  char msg[LM_PNG_MSG_LEN];
} png_sink;

static void sink_write(png_structp png, png_bytep data, png_size_t len) {
  png_sink *s = png_get_io_ptr(png);
  if (s->len + len > s->cap) {
    size_t ncap = s->cap ? s->cap * 2 : 4096;
    while (ncap < s->len + len)
      ncap *= 2;
    unsigned char *nb = realloc(s->buf, ncap);
    if (!nb) {
      s->oom = true;
      png_error(png, "out of memory");
    }
    s->buf = nb;
    s->cap = ncap;
  }
  memcpy(s->buf + s->len, data, len);
  s->len += len;
}

static void sink_flush(png_structp png) { (void)png; }

void lm_png_error(png_structp png, png_const_charp msg) {
  char *buf = png_get_error_ptr(png);
  snprintf(buf, LM_PNG_MSG_LEN, "%s", msg);
  png_longjmp(png, 1);
}

void lm_png_warning(png_structp png, png_const_charp msg) {
  (void)png;
  (void)msg;
}

int lm_png_encode(const uint8_t *pixels, int width, int height, int channels,
                  unsigned char **out, size_t *out_len, char *err,
                  size_t errlen) {
  static const int color[] = {0, PNG_COLOR_TYPE_GRAY, 0, PNG_COLOR_TYPE_RGB,
                              PNG_COLOR_TYPE_RGB_ALPHA};
  png_sink *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, errlen, "out of memory");
    return LM_ERR_NOMEM;
  }
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, s->msg, lm_png_error,
                              lm_png_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!info) {
    png_destroy_write_struct(&png, NULL);
    free(s);
    snprintf(err, errlen, "out of memory");
    return LM_ERR_NOMEM;
  }
  if (setjmp(png_jmpbuf(png))) {
    int code = s->oom ? LM_ERR_NOMEM : LM_ERR_INVALID_ARG;
    snprintf(err, errlen, "PNG encoding failed: %s", s->msg);
    png_destroy_write_struct(&png, &info);
    free(s->buf);
    free(s);
    return code;
  }
  png_set_write_fn(png, s, sink_write, sink_flush);
  /* Level 4: most of level 6's size at about twice its speed. */
  png_set_compression_level(png, 4);
  png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
               color[channels], PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  size_t stride = (size_t)width * (size_t)channels;
  for (int y = 0; y < height; y++)
    png_write_row(png, (png_const_bytep)(pixels + (size_t)y * stride));
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  *out = s->buf;
  *out_len = s->len;
  free(s);
  return LM_OK;
}

/* ----------------------------------------------------------- images */

static int check_image_args(lm_writer *w, const char *tag, const void *pixels,
                            int width, int height, int channels,
                            const char *what) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  if (!tag || !*tag)
    return lm_fail(w, LM_ERR_INVALID_ARG, "tag is %s",
                   tag ? "empty" : "NULL");
  if (!pixels)
    return lm_fail(w, LM_ERR_INVALID_ARG, "%s '%s': pixels is NULL", what,
                   tag);
  if (channels != 1 && channels != 3 && channels != 4)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "%s '%s': channels is %d, must be 1 (grey), 3 (RGB) or 4 "
                   "(RGBA)",
                   what, tag, channels);
  if (width <= 0 || height <= 0)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "%s '%s': size %dx%d, width and height must be > 0", what,
                   tag, width, height);
  return LM_OK;
}

static int cap_check(lm_writer *w, const char *tag, const char *what,
                     size_t width, size_t height, size_t channels) {
  size_t limit = w->max_image_bytes;
  /* Overflow-safe: width * height * channels > limit. */
  if (width > limit || height > limit / width ||
      width * height > limit / channels)
    return lm_fail(w, LM_ERR_TOO_LARGE,
                   "%s '%s' is %zux%zux%zu, over the cap of %zu bytes "
                   "(lm_writer_options.max_image_bytes)",
                   what, tag, width, height, channels, limit);
  return LM_OK;
}

/* libpng (and so most PNG readers, the app's included) refuses an image
 * over a million pixels a side; without this check such an image failed
 * in the encoder with "PNG encoding failed: Invalid IHDR data". */
#define LM_PNG_MAX_SIDE 1000000u

static int side_check(lm_writer *w, const char *tag, const char *what,
                      size_t width, size_t height) {
  if (width > LM_PNG_MAX_SIDE || height > LM_PNG_MAX_SIDE)
    return lm_fail(w, LM_ERR_TOO_LARGE,
                   "%s '%s' is %zux%zu; a PNG may be at most %u pixels a "
                   "side",
                   what, tag, width, height, LM_PNG_MAX_SIDE);
  return LM_OK;
}

int lm_image_size_check(lm_writer *w, const char *tag, size_t width,
                        size_t height, size_t channels) {
  int rc = cap_check(w, tag, "image", width, height, channels);
  return rc ? rc : side_check(w, tag, "image", width, height);
}

/* Everything a single image's arguments must pass. */
static int check_one_image(lm_writer *w, const char *tag, const void *pixels,
                           int width, int height, int channels) {
  int rc = check_image_args(w, tag, pixels, width, height, channels, "image");
  return rc ? rc
            : lm_image_size_check(w, tag, (size_t)width, (size_t)height,
                                  (size_t)channels);
}

int lm_image_queue_blob(lm_writer *w, const char *tag, int64_t step,
                        const unsigned char *png, size_t png_len, int width,
                        int height, int channels, const char *caption,
                        const char *grid, const char *boxes, int n_frames,
                        double fps) {
  size_t cl = caption ? strlen(caption) + 1 : 0;
  size_t gl = grid ? strlen(grid) + 1 : 0;
  size_t bl = boxes ? strlen(boxes) + 1 : 0;
  size_t bytes = sizeof(lm_image_payload) + png_len + cl + gl + bl;
  lm_image_payload *p = malloc(bytes);
  if (!p)
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for %s '%s'",
                   n_frames ? "video" : "image", tag);
  p->hdr.bytes = bytes;
  p->width = width;
  p->height = height;
  p->channels = channels;
  p->n_frames = n_frames;
  p->fps = fps;
  p->png_len = png_len;
  p->png = (unsigned char *)(p + 1);
  memcpy(p->png, png, png_len);
  char *tail = (char *)p->png + png_len;
  p->caption = caption ? memcpy(tail, caption, cl) : NULL;
  p->grid = grid ? memcpy(tail + cl, grid, gl) : NULL;
  p->boxes = boxes ? memcpy(tail + cl + gl, boxes, bl) : NULL;
  return lm_queue_payload(w, LM_REC_IMAGE, tag, LM_TAG_IMAGE, step, lm_writer_now(w),
                          p);
}

static int queue_png(lm_writer *w, const char *tag, int64_t step,
                     const uint8_t *pixels, int width, int height,
                     int channels, const char *caption, const char *grid,
                     const char *boxes) {
  unsigned char *png = NULL;
  size_t png_len = 0;
  char err[256];
  int rc = lm_png_encode(pixels, width, height, channels, &png, &png_len, err,
                         sizeof err);
  if (rc)
    return lm_fail(w, rc, "image '%s': %s", tag, err);
  rc = lm_image_queue_blob(w, tag, step, png, png_len, width, height,
                           channels, caption, grid, boxes, 0, 0.0);
  free(png);
  return rc;
}

int lm_writer_add_image_caption(lm_writer *w, const char *tag, int64_t step,
                                const uint8_t *pixels, int width, int height,
                                int channels, const char *caption) {
  int rc = check_one_image(w, tag, pixels, width, height, channels);
  if (rc || (rc = lm_check_text(w, "caption", caption, true)))
    return rc;
  return queue_png(w, tag, step, pixels, width, height, channels, caption,
                   NULL, NULL);
}

int lm_writer_add_image(lm_writer *w, const char *tag, int64_t step,
                        const uint8_t *pixels, int width, int height,
                        int channels) {
  return lm_writer_add_image_caption(w, tag, step, pixels, width, height,
                                     channels, NULL);
}

/* SummaryWriter's float conversion, (x * 255).astype(uint8), with the
 * clip later PyTorch versions apply (1.13 wrapped 1.2 to 50). */
static inline uint8_t float_sample(float v) {
  float s = v * 255.0f;
  if (!(s > 0.0f)) /* NaN too */
    return 0;
  return s >= 255.0f ? 255 : (uint8_t)s;
}

int lm_image_from_f32(const float *src, int width, int height, int channels,
                      lm_image_layout layout, uint8_t *dst) {
  if (!src || !dst)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "image: %s is NULL",
                   src ? "dst" : "pixels");
  if (layout != LM_HWC && layout != LM_CHW)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "image: layout %d is neither LM_HWC nor LM_CHW",
                   (int)layout);
  if (channels != 1 && channels != 3 && channels != 4)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "image: channels is %d, must be 1 (grey), 3 (RGB) or 4 "
                   "(RGBA)",
                   channels);
  if (width <= 0 || height <= 0)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "image: size %dx%d, width and height must be > 0", width,
                   height);
  size_t plane = (size_t)width * (size_t)height, nc = (size_t)channels;
  if (layout == LM_HWC) {
    for (size_t i = 0; i < plane * nc; i++)
      dst[i] = float_sample(src[i]);
  } else {
    for (size_t c = 0; c < nc; c++)
      for (size_t i = 0; i < plane; i++)
        dst[i * nc + c] = float_sample(src[c * plane + i]);
  }
  return LM_OK;
}

/* A float image whose other arguments check_one_image passed, converted
 * and queued with `boxes` (NULL or JSON). */
static int queue_f32(lm_writer *w, const char *tag, int64_t step,
                     const float *pixels, int width, int height, int channels,
                     lm_image_layout layout, const char *boxes) {
  if (layout != LM_HWC && layout != LM_CHW)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "image '%s': layout %d is neither LM_HWC nor LM_CHW", tag,
                   (int)layout);
  uint8_t *u8 = malloc((size_t)width * (size_t)height * (size_t)channels);
  if (!u8)
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for image '%s'", tag);
  /* cannot fail: every argument was checked */
  lm_image_from_f32(pixels, width, height, channels, layout, u8);
  int rc = queue_png(w, tag, step, u8, width, height, channels, NULL, NULL,
                     boxes);
  free(u8);
  return rc;
}

int lm_writer_add_image_f32(lm_writer *w, const char *tag, int64_t step,
                            const float *pixels, int width, int height,
                            int channels, lm_image_layout layout) {
  int rc = check_one_image(w, tag, pixels, width, height, channels);
  if (rc)
    return rc;
  return queue_f32(w, tag, step, pixels, width, height, channels, layout,
                   NULL);
}

/* torchvision.utils.make_grid: xmaps = min(nrow, n) cells per row,
 * ymaps = ceil(n / xmaps) rows, each cell (h + pad) x (w + pad), plus one
 * more pad on the right and bottom; image k sits at row k / xmaps,
 * column k % xmaps. */
int lm_writer_add_images_grid(lm_writer *w, const char *tag, int64_t step,
                              const uint8_t *pixels, int n, int width,
                              int height, int channels, int nrow,
                              int padding, uint8_t pad_value,
                              const char *const *labels) {
  int rc = check_image_args(w, tag, pixels, width, height, channels,
                            "image grid");
  if (rc)
    return rc;
  if (n <= 0)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "image grid '%s': n is %d, must be > 0", tag, n);
  if (nrow <= 0)
    nrow = 8;
  if (padding < 0)
    padding = 2;
  if (padding > 1024)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "image grid '%s': padding %d is too large", tag, padding);
  size_t xmaps = (size_t)(nrow < n ? nrow : n);
  size_t ymaps = ((size_t)n + xmaps - 1) / xmaps;
  size_t cw = (size_t)width + (size_t)padding;
  size_t ch = (size_t)height + (size_t)padding;
  size_t gw = xmaps * cw + (size_t)padding, gh = ymaps * ch + (size_t)padding;
  if ((rc = cap_check(w, tag, "image grid", gw, gh, (size_t)channels)) ||
      (rc = cap_check(w, tag, "image batch", (size_t)width,
                      (size_t)height * (size_t)n, (size_t)channels)))
    return rc;
  if ((rc = side_check(w, tag, "image grid", gw, gh)))
    return rc;
  for (int i = 0; labels && i < n; i++) {
    char what[80];
    snprintf(what, sizeof what, "image grid '%.40s': labels[%d]", tag, i);
    if ((rc = lm_check_text(w, what, labels[i], false)))
      return rc;
  }

  uint8_t *grid = malloc(gw * gh * (size_t)channels);
  if (!grid)
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for image grid '%s'", tag);
  memset(grid, pad_value, gw * gh * (size_t)channels);
  size_t row_bytes = (size_t)width * (size_t)channels;
  size_t img_bytes = row_bytes * (size_t)height;
  for (int k = 0; k < n; k++) {
    size_t gy = (size_t)k / xmaps, gx = (size_t)k % xmaps;
    size_t y0 = gy * ch + (size_t)padding, x0 = gx * cw + (size_t)padding;
    for (int y = 0; y < height; y++)
      memcpy(grid + ((y0 + (size_t)y) * gw + x0) * (size_t)channels,
             pixels + (size_t)k * img_bytes + (size_t)y * row_bytes,
             row_bytes);
  }

  /* Layout and labels as JSON, so a viewer can outline and label cells. */
  size_t cap = 256;
  for (int i = 0; labels && i < n; i++)
    cap += strlen(labels[i]) * 6 + 4;
  char *json = malloc(cap);
  if (!json) {
    free(grid);
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for image grid '%s'", tag);
  }
  size_t pos = (size_t)snprintf(
      json, cap,
      "{\"n\":%d,\"nrow\":%zu,\"rows\":%zu,\"cell_width\":%d,"
      "\"cell_height\":%d,\"padding\":%d",
      n, xmaps, ymaps, width, height, padding);
  if (labels) {
    memcpy(json + pos, ",\"labels\":[", 11);
    pos += 11;
    for (int i = 0; i < n; i++) {
      if (i)
        json[pos++] = ',';
      lm_json_append_string(json, cap, &pos, labels[i]);
    }
    json[pos++] = ']';
  }
  json[pos++] = '}';
  json[pos] = '\0';
  rc = queue_png(w, tag, step, grid, (int)gw, (int)gh, channels, NULL, json,
                 NULL);
  free(json);
  free(grid);
  return rc;
}

/* ------------------------------------------------------ images with boxes */

/* The boxes' arguments; the JSON [[x0,y0,x1,y1,"label"],...] (no label:
 * four numbers) into *json, malloc'd. */
static int boxes_json(lm_writer *w, const char *tag, const float *boxes,
                      int n_boxes, const char *const *labels, char **json) {
  if (n_boxes < 0)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "image with boxes '%s': n_boxes is %d, must be >= 0", tag,
                   n_boxes);
  if (n_boxes > 0 && !boxes)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "image with boxes '%s': boxes is NULL with n_boxes %d",
                   tag, n_boxes);
  static const char *const coord[] = {"xmin", "ymin", "xmax", "ymax"};
  size_t cap = 3;
  for (int i = 0; i < n_boxes; i++) {
    for (int c = 0; c < 4; c++)
      if (!isfinite(boxes[4 * (size_t)i + (size_t)c]))
        return lm_fail(w, LM_ERR_INVALID_ARG,
                       "image with boxes '%s': box %d's %s is %g, must be "
                       "finite",
                       tag, i, coord[c], (double)boxes[4 * (size_t)i + (size_t)c]);
    const char *label = labels ? labels[i] : NULL;
    if (label) {
      char what[96];
      snprintf(what, sizeof what, "image with boxes '%.40s': labels[%d]", tag,
               i);
      int rc = lm_check_text(w, what, label, false);
      if (rc)
        return rc;
      cap += strlen(label) * 6 + 4;
    }
    cap += 4 * 18 + 4;
  }
  char *j = malloc(cap);
  if (!j)
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for image '%s'", tag);
  size_t pos = 0;
  j[pos++] = '[';
  for (int i = 0; i < n_boxes; i++) {
    if (i)
      j[pos++] = ',';
    j[pos++] = '[';
    for (int c = 0; c < 4; c++) {
      /* %.9g gives back the float exactly; a locale's decimal comma is
       * not JSON */
      size_t start = pos;
      pos += (size_t)snprintf(j + pos, cap - pos, "%s%.9g", c ? "," : "",
                              (double)boxes[4 * (size_t)i + (size_t)c]);
      for (size_t k = start + (c ? 1 : 0); k < pos; k++)
        if (j[k] == ',')
          j[k] = '.';
    }
    if (labels && labels[i]) {
      j[pos++] = ',';
      lm_json_append_string(j, cap, &pos, labels[i]);
    }
    j[pos++] = ']';
  }
  j[pos++] = ']';
  j[pos] = '\0';
  *json = j;
  return LM_OK;
}

/* Both forms: 8-bit HWC pixels (u8) or float ones in `layout` (f32). */
static int add_with_boxes(lm_writer *w, const char *tag, int64_t step,
                          const uint8_t *u8, const float *f32, int width,
                          int height, int channels, lm_image_layout layout,
                          const float *boxes, int n_boxes,
                          const char *const *labels) {
  char *json = NULL;
  const void *pixels = u8 ? (const void *)u8 : (const void *)f32;
  int rc = check_one_image(w, tag, pixels, width, height, channels);
  if (rc || (rc = boxes_json(w, tag, boxes, n_boxes, labels, &json)))
    return rc;
  rc = u8 ? queue_png(w, tag, step, u8, width, height, channels, NULL, NULL,
                      json)
          : queue_f32(w, tag, step, f32, width, height, channels, layout,
                      json);
  free(json);
  return rc;
}

int lm_writer_add_image_with_boxes(lm_writer *w, const char *tag,
                                   int64_t step, const uint8_t *pixels,
                                   int width, int height, int channels,
                                   const float *boxes, int n_boxes,
                                   const char *const *labels) {
  return add_with_boxes(w, tag, step, pixels, NULL, width, height, channels,
                        LM_HWC, boxes, n_boxes, labels);
}

int lm_writer_add_image_with_boxes_f32(lm_writer *w, const char *tag,
                                       int64_t step, const float *pixels,
                                       int width, int height, int channels,
                                       lm_image_layout layout,
                                       const float *boxes, int n_boxes,
                                       const char *const *labels) {
  return add_with_boxes(w, tag, step, NULL, pixels, width, height, channels,
                        layout, boxes, n_boxes, labels);
}

/* ------------------------------------------------------------- videos */

void lm_apng_delay(double fps, unsigned *num, unsigned *den) {
  /* The smallest numerator whose fraction is exact (to 1e-9), else the
   * closest fraction with both parts in 1..65535. */
  double best = INFINITY;
  *num = 1;
  *den = 1;
  for (unsigned n = 1; n <= 65535; n++) {
    double d = nearbyint((double)n * fps);
    if (d < 1 || d > 65535)
      continue;
    double e = fabs(d / n - fps) / fps;
    if (e < best) {
      best = e;
      *num = n;
      *den = (unsigned)d;
    }
    if (e < 1e-9)
      break;
  }
}

/* One frame's PNG as libpng wrote it: where its IHDR and IDAT data lie. */
typedef struct {
  const unsigned char *ihdr; /* 13 bytes */
  size_t idat_bytes, n_idat;
} frame_chunks;

static int scan_frame(const unsigned char *png, size_t len, frame_chunks *fc,
                      char *err, size_t errlen) {
  memset(fc, 0, sizeof *fc);
  size_t pos = LM_PNG_SIGNATURE_LEN;
  lm_png_chunk c;
  int r;
  while ((r = lm_png_next_chunk(png, len, &pos, &c, err, errlen)) == 1) {
    if (!strcmp(c.type, "IHDR") && c.len == 13)
      fc->ihdr = c.data;
    else if (!strcmp(c.type, "IDAT")) {
      fc->idat_bytes += c.len;
      fc->n_idat++;
    }
  }
  if (r < 0)
    return -1;
  if (!fc->ihdr || !fc->n_idat) {
    snprintf(err, errlen, "libpng wrote no IHDR or IDAT");
    return -1;
  }
  return 0;
}

static size_t put_fctl(unsigned char *out, uint32_t seq, int width,
                       int height, unsigned num, unsigned den) {
  unsigned char f[LM_APNG_FCTL_LEN];
  lm_apng_fctl fc = {.seq = seq,
                     .width = (uint32_t)width,
                     .height = (uint32_t)height, /* at (0, 0) */
                     .delay_num = (uint16_t)num,
                     .delay_den = (uint16_t)den,
                     .dispose = LM_APNG_DISPOSE_NONE,
                     .blend = LM_APNG_BLEND_SOURCE};
  lm_apng_write_fctl(f, &fc);
  return lm_png_put_chunk(out, "fcTL", NULL, f, sizeof f);
}

int lm_apng_encode(const uint8_t *frames, int n_frames, int width, int height,
                   int channels, double fps, unsigned char **out,
                   size_t *out_len, char *err, size_t errlen) {
  unsigned num, den;
  lm_apng_delay(fps, &num, &den);
  size_t frame_bytes = (size_t)width * (size_t)height * (size_t)channels;
  unsigned char *buf = NULL;
  size_t len = 0, cap = 0;
  uint32_t seq = 0;
  int rc = LM_OK;
  for (int i = 0; i < n_frames && rc == LM_OK; i++) {
    unsigned char *png = NULL;
    size_t png_len = 0;
    rc = lm_png_encode(frames + (size_t)i * frame_bytes, width, height,
                       channels, &png, &png_len, err, errlen);
    if (rc)
      break;
    frame_chunks fc;
    if (scan_frame(png, png_len, &fc, err, errlen)) {
      free(png);
      rc = LM_ERR_INVALID_ARG;
      break;
    }
    /* this frame's chunks (fdAT: 4 more bytes each), and IEND after */
    size_t need = fc.idat_bytes + fc.n_idat * (LM_PNG_CHUNK_OVERHEAD + 4) +
                  LM_APNG_FCTL_LEN + LM_PNG_CHUNK_OVERHEAD * 2;
    if (i == 0)
      need += LM_PNG_SIGNATURE_LEN + 13 + LM_APNG_ACTL_LEN +
              2 * LM_PNG_CHUNK_OVERHEAD;
    if (len + need > cap) {
      size_t ncap = cap ? cap * 2 : need * (size_t)n_frames + 64;
      while (ncap < len + need)
        ncap *= 2;
      unsigned char *nb = realloc(buf, ncap);
      if (!nb) {
        free(png);
        snprintf(err, errlen, "out of memory");
        rc = LM_ERR_NOMEM;
        break;
      }
      buf = nb;
      cap = ncap;
    }
    if (i == 0) {
      memcpy(buf, LM_PNG_SIGNATURE, LM_PNG_SIGNATURE_LEN);
      len = LM_PNG_SIGNATURE_LEN;
      len += lm_png_put_chunk(buf + len, "IHDR", NULL, fc.ihdr, 13);
      unsigned char actl[LM_APNG_ACTL_LEN];
      lm_png_put_u32(actl, (uint32_t)n_frames);
      lm_png_put_u32(actl + 4, 0); /* num_plays: forever */
      len += lm_png_put_chunk(buf + len, "acTL", NULL, actl, sizeof actl);
    }
    len += put_fctl(buf + len, seq++, width, height, num, den);
    size_t pos = LM_PNG_SIGNATURE_LEN;
    lm_png_chunk c;
    while (lm_png_next_chunk(png, png_len, &pos, &c, err, errlen) == 1) {
      if (strcmp(c.type, "IDAT"))
        continue;
      if (i == 0) {
        len += lm_png_put_chunk(buf + len, "IDAT", NULL, c.data, c.len);
      } else {
        unsigned char s[4];
        lm_png_put_u32(s, seq++);
        len += lm_png_put_chunk(buf + len, "fdAT", s, c.data, c.len);
      }
    }
    free(png);
  }
  if (rc) {
    free(buf);
    return rc;
  }
  len += lm_png_put_chunk(buf + len, "IEND", NULL, NULL, 0);
  *out = buf;
  *out_len = len;
  return LM_OK;
}

/* What both video calls check before converting or encoding. */
static int check_video(lm_writer *w, const char *tag, const void *frames,
                       int n_frames, int width, int height, int channels,
                       double fps) {
  int rc = check_image_args(w, tag, frames, width, height, channels, "video");
  if (rc)
    return rc;
  if (n_frames < 1)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "video '%s': n_frames is %d, must be >= 1", tag, n_frames);
  /* APNG delays are 16-bit fractions: at most 65535 s a frame */
  if (!(fps >= 1.0 / 65535 && fps <= 1000))
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "video '%s': fps is %g, must be a finite 1/65535 .. 1000 "
                   "(add_video's default is 4)",
                   tag, fps);
  return lm_video_size_check(w, tag, (size_t)n_frames, (size_t)width,
                             (size_t)height, (size_t)channels);
}

int lm_video_size_check(lm_writer *w, const char *tag, size_t n_frames,
                        size_t width, size_t height, size_t channels) {
  /* Each frame is held to the still images' cap; all the frames together,
   * decoded as RGBA (what a viewer holds to play them), to the videos'.
   * The message names the frames and their size as the caller gave them
   * (it said "1280x216000x3" for 300 frames of 1280x720 RGB). */
  size_t limit = w->max_image_bytes;
  if (width > limit || height > limit / width ||
      width * height > limit / channels)
    return lm_fail(w, LM_ERR_TOO_LARGE,
                   "video '%s': a frame of %zux%zux%zu is over the cap of %zu "
                   "bytes an image or frame may take "
                   "(lm_writer_options.max_image_bytes)",
                   tag, width, height, channels, limit);
  size_t frame = width * height;
  limit = w->max_video_bytes;
  if (frame > limit / 4 || n_frames > limit / (frame * 4))
    return lm_fail(w, LM_ERR_TOO_LARGE,
                   "video '%s' is %zu frames of %zux%zux%zu, %.4g MB decoded "
                   "as RGBA, over the cap of %zu bytes "
                   "(lm_writer_options.max_video_bytes)",
                   tag, n_frames, width, height, channels,
                   (double)frame * 4 * (double)n_frames / 1e6, limit);
  return side_check(w, tag, "video", width, height);
}

static int queue_video(lm_writer *w, const char *tag, int64_t step,
                       const uint8_t *frames, int n_frames, int width,
                       int height, int channels, double fps) {
  unsigned char *png = NULL;
  size_t png_len = 0;
  char err[256];
  int rc = lm_apng_encode(frames, n_frames, width, height, channels, fps,
                          &png, &png_len, err, sizeof err);
  if (rc)
    return lm_fail(w, rc, "video '%s': %s", tag, err);
  rc = lm_image_queue_blob(w, tag, step, png, png_len, width, height,
                           channels, NULL, NULL, NULL, n_frames, fps);
  free(png);
  return rc;
}

int lm_writer_add_video(lm_writer *w, const char *tag, int64_t step,
                        const uint8_t *frames, int n_frames, int width,
                        int height, int channels, double fps) {
  int rc = check_video(w, tag, frames, n_frames, width, height, channels, fps);
  if (rc)
    return rc;
  return queue_video(w, tag, step, frames, n_frames, width, height, channels,
                     fps);
}

int lm_writer_add_video_f32(lm_writer *w, const char *tag, int64_t step,
                            const float *frames, int n_frames, int width,
                            int height, int channels, lm_image_layout layout,
                            double fps) {
  int rc = check_video(w, tag, frames, n_frames, width, height, channels, fps);
  if (rc)
    return rc;
  if (layout != LM_HWC && layout != LM_CHW)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "video '%s': layout %d is neither LM_HWC nor LM_CHW", tag,
                   (int)layout);
  size_t frame = (size_t)width * (size_t)height * (size_t)channels;
  uint8_t *u8 = malloc(frame * (size_t)n_frames);
  if (!u8)
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for video '%s'", tag);
  /* cannot fail: every argument was checked above */
  for (int i = 0; i < n_frames; i++)
    lm_image_from_f32(frames + (size_t)i * frame, width, height, channels,
                      layout, u8 + (size_t)i * frame);
  rc = queue_video(w, tag, step, u8, n_frames, width, height, channels, fps);
  free(u8);
  return rc;
}

/* add_video's _prepare_video: n videos padded with black ones to the next
 * power of two, laid out rows x cols with rows = 2^((bit_length(n) - 1)
 * / 2) (n itself, not the padded count), no padding between. */
static void video_grid_shape(int n, int *rows, int *cols) {
  int bits = 0, padded = 1;
  for (int v = n; v; v >>= 1)
    bits++;
  while (padded < n)
    padded *= 2;
  *rows = 1 << ((bits - 1) / 2);
  *cols = padded / *rows;
}

/* Checks a batch's arguments; the laid-out frames' size in *gw, *gh. */
static int check_videos_grid(lm_writer *w, const char *tag, const void *videos,
                             int n, int n_frames, int width, int height,
                             int channels, double fps, int *gw, int *gh) {
  int rc = check_video(w, tag, videos, n_frames, width, height, channels, fps);
  if (rc)
    return rc;
  if (n <= 0)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "video grid '%s': n is %d, must be > 0", tag, n);
  if (n > (1 << 24))
    return lm_fail(w, LM_ERR_TOO_LARGE,
                   "video grid '%s': n is %d, at most %d videos a grid", tag,
                   n, 1 << 24);
  int rows, cols;
  video_grid_shape(n, &rows, &cols);
  size_t sw = (size_t)cols * (size_t)width, sh = (size_t)rows * (size_t)height;
  if ((rc = side_check(w, tag, "video grid", sw, sh)))
    return rc;
  *gw = (int)sw;
  *gh = (int)sh;
  rc = check_video(w, tag, videos, n_frames, *gw, *gh, channels, fps);
  if (rc == LM_ERR_TOO_LARGE) {
    /* the caps speak of the laid-out frames: say where those came from
     * (100 videos of 160x210 make frames of 2560x1680) */
    char why[320];
    snprintf(why, sizeof why, "%s", lm_log_last_error());
    return lm_fail(w, rc,
                   "video grid '%s': %d videos of %dx%dx%d laid out %d x %d "
                   "(add_video's layout): %s",
                   tag, n, width, height, channels, rows, cols, why);
  }
  return rc;
}

/* Video k's frame (height x width x channels, HWC) into its cell of the
 * laid-out frame `grid` (gw pixels wide). */
static void place_frame(uint8_t *grid, int gw, int cols, int k,
                        const uint8_t *frame, int width, int height,
                        int channels) {
  size_t row = (size_t)width * (size_t)channels;
  size_t x0 = (size_t)(k % cols) * (size_t)width;
  size_t y0 = (size_t)(k / cols) * (size_t)height;
  for (int y = 0; y < height; y++)
    memcpy(grid + ((y0 + (size_t)y) * (size_t)gw + x0) * (size_t)channels,
           frame + (size_t)y * row, row);
}

/* The batch laid out (frames n_frames x gh x gw x channels, black where
 * no video is) and queued; from 8-bit HWC videos (u8) or float ones
 * (f32, each frame in `layout`). */
static int queue_videos_grid(lm_writer *w, const char *tag, int64_t step,
                             const uint8_t *u8, const float *f32, int n,
                             int n_frames, int width, int height,
                             int channels, lm_image_layout layout, double fps,
                             int gw, int gh) {
  int rows, cols;
  video_grid_shape(n, &rows, &cols);
  size_t frame = (size_t)width * (size_t)height * (size_t)channels;
  size_t grid_frame = (size_t)gw * (size_t)gh * (size_t)channels;
  uint8_t *grid = calloc(grid_frame, (size_t)n_frames);
  uint8_t *tmp = f32 ? malloc(frame) : NULL;
  if (!grid || (f32 && !tmp)) {
    free(grid);
    free(tmp);
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for video grid '%s'", tag);
  }
  for (int k = 0; k < n; k++)
    for (int t = 0; t < n_frames; t++) {
      size_t at = ((size_t)k * (size_t)n_frames + (size_t)t) * frame;
      const uint8_t *src = u8 ? u8 + at : tmp;
      if (f32) /* cannot fail: every argument was checked */
        lm_image_from_f32(f32 + at, width, height, channels, layout, tmp);
      place_frame(grid + (size_t)t * grid_frame, gw, cols, k, src, width,
                  height, channels);
    }
  free(tmp);
  int rc = queue_video(w, tag, step, grid, n_frames, gw, gh, channels, fps);
  free(grid);
  return rc;
}

/* Both forms: 8-bit HWC videos (u8) or float ones in `layout` (f32). */
static int add_videos_grid(lm_writer *w, const char *tag, int64_t step,
                           const uint8_t *u8, const float *f32, int n,
                           int n_frames, int width, int height, int channels,
                           lm_image_layout layout, double fps) {
  int gw = 0, gh = 0;
  const void *videos = u8 ? (const void *)u8 : (const void *)f32;
  int rc = check_videos_grid(w, tag, videos, n, n_frames, width, height,
                             channels, fps, &gw, &gh);
  if (rc)
    return rc;
  if (layout != LM_HWC && layout != LM_CHW)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "video grid '%s': layout %d is neither LM_HWC nor LM_CHW",
                   tag, (int)layout);
  return queue_videos_grid(w, tag, step, u8, f32, n, n_frames, width, height,
                           channels, layout, fps, gw, gh);
}

int lm_writer_add_videos_grid(lm_writer *w, const char *tag, int64_t step,
                              const uint8_t *videos, int n, int n_frames,
                              int width, int height, int channels,
                              double fps) {
  return add_videos_grid(w, tag, step, videos, NULL, n, n_frames, width,
                         height, channels, LM_HWC, fps);
}

int lm_writer_add_videos_grid_f32(lm_writer *w, const char *tag,
                                  int64_t step, const float *videos, int n,
                                  int n_frames, int width, int height,
                                  int channels, lm_image_layout layout,
                                  double fps) {
  return add_videos_grid(w, tag, step, NULL, videos, n, n_frames, width,
                         height, channels, layout, fps);
}

/* -------------------------------------------------------------- text */

int lm_writer_add_text(lm_writer *w, const char *tag, int64_t step,
                       const char *text) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  if (!tag || !*tag)
    return lm_fail(w, LM_ERR_INVALID_ARG, "tag is %s",
                   tag ? "empty" : "NULL");
  char what[80];
  snprintf(what, sizeof what, "text for tag '%.40s'", tag);
  int rc = lm_check_text(w, what, text, false);
  if (rc)
    return rc;
  size_t len = strlen(text) + 1;
  lm_text_payload *p = malloc(sizeof *p + len);
  if (!p)
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for text '%s'", tag);
  p->hdr.bytes = sizeof *p + len;
  memcpy(p->text, text, len);
  return lm_queue_payload(w, LM_REC_TEXT, tag, LM_TAG_TEXT, step, lm_writer_now(w), p);
}
