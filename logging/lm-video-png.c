/* lm-video-png.c: lm_writer_add_video_png, an animated PNG (APNG) the
 * caller already has (one lumen-export wrote, an event file's video, an
 * animation a plotting library rendered) stored byte for byte as a video.
 *
 * What it is for: checking that the bytes are one APNG that readers play
 * (signature, chunk lengths and CRCs, IHDR, acTL before the image data
 * and its frame count, fcTL and fdAT sequence numbers, every frame inside
 * the canvas with known dispose and blend ops, every frame's data - and
 * a default image that is no frame - inflated by libpng), holding it to
 * the video caps before inflating anything, and queueing it as
 * lm_writer_add_video queues its own encoding, with its frames and the
 * frames a second of its delays.  Each frame's delay stays in the file:
 * the app plays those, the fps column is what the card says.
 * Not for: still PNGs (lm_writer_add_image_png), GIFs, re-encoding.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lm-apng.h"
#include "lm-log-private.h"

/* The shortest delay the fps counts: 1/1000 s, the fastest video
 * lm_writer_add_video writes (fps <= 1000, the column's range), so that
 * frames of delay 0 give a rate and a video of 1000 fps keeps it. */
#define MIN_DELAY_S 0.001

/* One frame: its fcTL and where its data chunks begin. */
typedef struct {
  lm_apng_fctl fctl;
  size_t first;  /* offset of its first IDAT or fdAT chunk; 0: none yet */
  size_t bytes;  /* of image data, fdAT sequence numbers not counted */
} apng_frame;

/* The chunk walk's state and findings. */
typedef struct {
  const unsigned char *ihdr; /* 13 bytes */
  lm_png_chunk plte, trns;
  uint32_t cw, ch, actl_frames, seq;
  bool actl, idat, fdat, after_idat; /* after_idat: the last chunk was IDAT */
  size_t idat_first, idat_bytes; /* the default image's data */
  apng_frame *frames;
  size_t n, cap;
} apng_walk;

static int walk_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int walk_fail(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return -1;
}

static apng_frame *last_frame(apng_walk *a) {
  return a->n ? &a->frames[a->n - 1] : NULL;
}

/* fcTL and fdAT sequence numbers count up from 0 across both. */
static int check_sequence(apng_walk *a, const lm_png_chunk *c, size_t at,
                          char *err, size_t errlen) {
  uint32_t s = lm_png_get_u32(c->data);
  if (s != a->seq)
    return walk_fail(err, errlen,
                     "%s chunk at byte %zu is out of sequence (number %u, "
                     "expected %u)",
                     c->type, at, s, a->seq);
  a->seq++;
  return 0;
}

static int take_actl(apng_walk *a, const lm_png_chunk *c, size_t at,
                     char *err, size_t errlen) {
  if (c->len != LM_APNG_ACTL_LEN || a->idat || a->actl)
    return walk_fail(err, errlen, "acTL chunk at byte %zu: %s", at,
                     c->len != LM_APNG_ACTL_LEN ? "not 8 bytes"
                     : a->idat                  ? "after the image data"
                                                : "a second acTL");
  a->actl = true;
  a->actl_frames = lm_png_get_u32(c->data);
  if (a->actl_frames == 0)
    return walk_fail(err, errlen, "acTL chunk says 0 frames");
  return 0;
}

static int take_fctl(apng_walk *a, const lm_png_chunk *c, size_t at,
                     char *err, size_t errlen) {
  apng_frame *cur = last_frame(a);
  char why[160];
  if (c->len != LM_APNG_FCTL_LEN)
    return walk_fail(err, errlen, "fcTL chunk at byte %zu is %u bytes, not 26",
                     at, c->len);
  if (!a->actl)
    return walk_fail(err, errlen, "fcTL chunk at byte %zu: no acTL before it",
                     at);
  if (check_sequence(a, c, at, err, errlen))
    return -1;
  if (cur && cur->bytes == 0)
    return walk_fail(err, errlen,
                     "fcTL chunk at byte %zu: frame %zu has no image data", at,
                     a->n - 1);
  if (a->n == a->cap) {
    size_t ncap = a->cap ? a->cap * 2 : 16;
    apng_frame *nf = realloc(a->frames, ncap * sizeof *nf);
    if (!nf)
      return walk_fail(err, errlen, "out of memory for %zu frames", ncap);
    a->frames = nf;
    a->cap = ncap;
  }
  apng_frame *f = &a->frames[a->n];
  memset(f, 0, sizeof *f);
  lm_apng_read_fctl(c->data, &f->fctl);
  if (!lm_apng_fctl_check(&f->fctl, (uint32_t)a->n, a->cw, a->ch, why,
                          sizeof why))
    return walk_fail(err, errlen, "fcTL chunk at byte %zu: %s", at, why);
  /* the default image is frame 0 when its fcTL comes before it, and
   * then covers the canvas */
  if (a->n == 0 && !a->idat &&
      (f->fctl.x || f->fctl.y || f->fctl.width != a->cw ||
       f->fctl.height != a->ch))
    return walk_fail(err, errlen,
                     "fcTL chunk at byte %zu: frame 0 is the default image "
                     "and must cover the %ux%u canvas at (0, 0), not %ux%u "
                     "at (%u, %u)",
                     at, a->cw, a->ch, f->fctl.width, f->fctl.height,
                     f->fctl.x, f->fctl.y);
  a->n++;
  return 0;
}

static int take_idat(apng_walk *a, const lm_png_chunk *c, size_t at,
                     char *err, size_t errlen) {
  apng_frame *cur = last_frame(a);
  if (a->idat && !a->after_idat)
    return walk_fail(err, errlen,
                     "IDAT chunk at byte %zu: the image data is not in "
                     "consecutive IDAT chunks",
                     at);
  if (!a->idat)
    a->idat_first = at;
  a->idat = true;
  a->idat_bytes += c->len;
  if (cur) { /* an fcTL came before: the default image is frame 0 */
    if (!cur->first)
      cur->first = at;
    cur->bytes += c->len;
  }
  return 0;
}

static int take_fdat(apng_walk *a, const lm_png_chunk *c, size_t at,
                     char *err, size_t errlen) {
  apng_frame *cur = last_frame(a);
  if (c->len < 4)
    return walk_fail(err, errlen,
                     "fdAT chunk at byte %zu: shorter than its sequence "
                     "number", at);
  if (!a->idat || !cur || (cur->first && cur->first == a->idat_first))
    return walk_fail(err, errlen, "fdAT chunk at byte %zu: %s", at,
                     !a->idat ? "before the image data (IDAT)"
                              : "no fcTL before it");
  if (check_sequence(a, c, at, err, errlen))
    return -1;
  a->fdat = true;
  if (!cur->first)
    cur->first = at;
  cur->bytes += c->len - 4;
  return 0;
}

/* Every chunk, in order, up to IEND: the structure an APNG reader
 * relies on.  No image data is inflated. */
static int walk(const unsigned char *data, size_t len, apng_walk *a,
                char *err, size_t errlen) {
  size_t pos = LM_PNG_SIGNATURE_LEN;
  lm_png_chunk c;
  int r, rc = 0;
  while ((r = lm_png_next_chunk(data, len, &pos, &c, err, errlen)) == 1) {
    size_t at = pos - LM_PNG_CHUNK_OVERHEAD - c.len;
    bool ihdr = !strcmp(c.type, "IHDR");
    if (!a->ihdr && (!ihdr || c.len != 13))
      return walk_fail(err, errlen, "the first chunk is %s%s, not IHDR",
                       c.type, ihdr ? " of the wrong length" : "");
    if (ihdr && a->ihdr)
      return walk_fail(err, errlen, "IHDR chunk at byte %zu: a second IHDR",
                       at);
    if (ihdr) {
      a->ihdr = c.data;
      a->cw = lm_png_get_u32(c.data);
      a->ch = lm_png_get_u32(c.data + 4);
      if (a->cw == 0 || a->ch == 0)
        return walk_fail(err, errlen, "its canvas is %ux%u", a->cw, a->ch);
    } else if (!strcmp(c.type, "PLTE"))
      a->plte = c;
    else if (!strcmp(c.type, "tRNS"))
      a->trns = c;
    else if (!strcmp(c.type, "acTL"))
      rc = take_actl(a, &c, at, err, errlen);
    else if (!strcmp(c.type, "fcTL"))
      rc = take_fctl(a, &c, at, err, errlen);
    else if (!strcmp(c.type, "IDAT"))
      rc = take_idat(a, &c, at, err, errlen);
    else if (!strcmp(c.type, "fdAT"))
      rc = take_fdat(a, &c, at, err, errlen);
    else if (!strcmp(c.type, "IEND"))
      break;
    if (rc)
      return -1;
    a->after_idat = !strcmp(c.type, "IDAT");
  }
  if (r < 0)
    return -1;
  if (r == 0)
    return walk_fail(err, errlen, "no IEND chunk (truncated after byte %zu)",
                     pos);
  if (!a->idat)
    return walk_fail(err, errlen, "no IDAT chunk before IEND");
  if (!a->actl)
    return 0; /* a still PNG: the caller names the right call */
  if (a->n && last_frame(a)->bytes == 0)
    return walk_fail(err, errlen, "frame %zu has no image data", a->n - 1);
  if (a->actl_frames != a->n)
    return walk_fail(err, errlen, "acTL chunk says %u frames, the file has %zu",
                     a->actl_frames, a->n);
  return 0;
}

/* The image data from the chunk at `first` on (IDAT, or fdAT less its
 * sequence number) up to the next fcTL or IEND, as one PNG of w x h with
 * the file's IHDR otherwise and its palette chunks; libpng then reads
 * every row of it, as data/'s decoder does with each frame.  `buf` is
 * reused between frames. */
static int check_frame(const unsigned char *data, size_t len,
                       const apng_walk *a, size_t first, size_t bytes,
                       uint32_t w, uint32_t h, unsigned char **buf,
                       size_t *cap, char *err, size_t errlen) {
  if (bytes > 0x7FFFFFFFu)
    return walk_fail(err, errlen, "%zu bytes of image data, over a PNG "
                     "chunk's 2^31-1", bytes);
  size_t need = LM_PNG_SIGNATURE_LEN + 4 * LM_PNG_CHUNK_OVERHEAD + 13 +
                a->plte.len + a->trns.len + bytes;
  if (need > *cap) {
    unsigned char *nb = realloc(*buf, need);
    if (!nb)
      return walk_fail(err, errlen, "out of memory for %zu bytes", need);
    *buf = nb;
    *cap = need;
  }
  unsigned char *out = *buf, hdr[13];
  size_t n = LM_PNG_SIGNATURE_LEN;
  memcpy(out, LM_PNG_SIGNATURE, LM_PNG_SIGNATURE_LEN);
  memcpy(hdr, a->ihdr, 13);
  lm_png_put_u32(hdr, w);
  lm_png_put_u32(hdr + 4, h);
  n += lm_png_put_chunk(out + n, "IHDR", NULL, hdr, 13);
  if (a->plte.data)
    n += lm_png_put_chunk(out + n, "PLTE", NULL, a->plte.data, a->plte.len);
  if (a->trns.data)
    n += lm_png_put_chunk(out + n, "tRNS", NULL, a->trns.data, a->trns.len);
  /* one IDAT of the frame's data: its length and type now, its CRC once
   * the data is in */
  unsigned char *idat = out + n, *p = idat + 8;
  lm_png_put_u32(idat, (uint32_t)bytes);
  memcpy(idat + 4, "IDAT", 4);
  size_t pos = first;
  lm_png_chunk c;
  while (lm_png_next_chunk(data, len, &pos, &c, err, errlen) == 1 &&
         strcmp(c.type, "fcTL") && strcmp(c.type, "IEND")) {
    size_t skip = !strcmp(c.type, "fdAT") ? 4 : 0;
    if (skip || !strcmp(c.type, "IDAT")) {
      memcpy(p, c.data + skip, c.len - skip);
      p += c.len - skip;
    }
  }
  lm_png_put_u32(p, lm_png_chunk_crc("IDAT", idat + 8, bytes));
  n += LM_PNG_CHUNK_OVERHEAD + bytes;
  n += lm_png_put_chunk(out + n, "IEND", NULL, NULL, 0);
  return lm_png_check_rows(out, n, err, errlen);
}

/* Every frame's data (and the default image's, when it is no frame)
 * read by libpng. */
static int check_frames(const unsigned char *data, size_t len,
                        const apng_walk *a, char *err, size_t errlen) {
  unsigned char *buf = NULL;
  size_t cap = 0;
  char why[200];
  int rc = 0;
  if (!a->n || a->frames[0].first != a->idat_first)
    if (check_frame(data, len, a, a->idat_first, a->idat_bytes, a->cw, a->ch,
                    &buf, &cap, why, sizeof why)) {
      snprintf(err, errlen, "the default image: %s", why);
      rc = -1;
    }
  for (size_t i = 0; i < a->n && !rc; i++) {
    const apng_frame *f = &a->frames[i];
    if (check_frame(data, len, a, f->first, f->bytes, f->fctl.width,
                    f->fctl.height, &buf, &cap, why, sizeof why)) {
      snprintf(err, errlen, "frame %zu: %s", i, why);
      rc = -1;
    }
  }
  free(buf);
  return rc;
}

/* A delay's denominator as the spec reads it: 0 is 100. */
static unsigned delay_den(const lm_apng_fctl *f) {
  return f->delay_den ? f->delay_den : 100;
}

/* Frames over their total time, each delay at least MIN_DELAY_S;
 * den/num exactly when every delay is the same, so that
 * an add_video at 29.97 fps reads 29.97 again. */
static double frames_per_second(const apng_walk *a) {
  const lm_apng_fctl *f0 = &a->frames[0].fctl;
  double total = 0;
  bool same = true;
  for (size_t i = 0; i < a->n; i++) {
    const lm_apng_fctl *f = &a->frames[i].fctl;
    double d = lm_apng_delay_seconds(f);
    total += d > MIN_DELAY_S ? d : MIN_DELAY_S;
    same = same && (uint64_t)f->delay_num * delay_den(f0) ==
                       (uint64_t)f0->delay_num * delay_den(f);
  }
  if (same && lm_apng_delay_seconds(f0) >= MIN_DELAY_S)
    return (double)delay_den(f0) / f0->delay_num;
  return (double)a->n / total;
}

int lm_writer_add_video_png(lm_writer *w, const char *tag, int64_t step,
                            const void *apng, size_t size) {
  char err[240];
  apng_walk a = {0};
  int rc = lm_check_writer_tag(w, tag);
  if (rc || (rc = lm_check_png_signature(w, "video", tag, "apng", apng, size)))
    return rc;
  if (walk(apng, size, &a, err, sizeof err))
    rc = lm_fail(w, LM_ERR_INVALID_ARG, "video '%s': invalid APNG: %s", tag,
                 err);
  else if (!a.actl)
    rc = lm_fail(w, LM_ERR_INVALID_ARG,
                 "video '%s': a still PNG (no acTL chunk), not an animated "
                 "one; store it with lm_writer_add_image_png",
                 tag);
  int channels =
      a.ihdr ? lm_png_decoded_channels(a.ihdr[9], a.trns.data != NULL) : 0;
  /* before inflating: a huge animation is refused by its header */
  if (!rc)
    rc = lm_video_size_check(w, tag, a.n, a.cw, a.ch, (size_t)channels);
  if (!rc && check_frames(apng, size, &a, err, sizeof err))
    rc = lm_fail(w, LM_ERR_INVALID_ARG, "video '%s': invalid APNG: %s", tag,
                 err);
  double fps = rc ? 0 : frames_per_second(&a);
  size_t n_frames = a.n;
  free(a.frames);
  if (rc)
    return rc;
  if (n_frames > INT32_MAX)
    return lm_fail(w, LM_ERR_TOO_LARGE, "video '%s': %zu frames", tag,
                   n_frames);
  return lm_image_queue_blob(w, tag, step, apng, size, (int)a.cw, (int)a.ch,
                             channels, NULL, NULL, NULL, (int)n_frames, fps);
}
