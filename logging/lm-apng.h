/* lm-apng.h: PNG chunk walking and the animated-PNG (APNG) chunk layouts,
 * shared by the write and the read side.
 *
 * What it is for: lumen-log's videos (lm-image.c) re-wrap libpng's IDAT
 * data as APNG fdAT chunks, lm_writer_add_video_png (lm-video-png.c)
 * checks an APNG it is given, and data/ (lm_image_decode_apng) splits an
 * APNG back into frames; they walk chunks with lm_png_next_chunk, which
 * checks each chunk's length and CRC, and read and check fcTL chunks
 * with lm_apng_read_fctl and lm_apng_fctl_check.  Header-only, static functions,
 * plain C + zlib's crc32 (libpng needs zlib anyway): data/ builds without
 * lumen-log, as with lm-wav.h.  The layout is
 * https://wiki.mozilla.org/APNG_Specification.
 * Not for: pixel coding (libpng does that).
 */
#ifndef LM_APNG_H
#define LM_APNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#define LM_PNG_SIGNATURE "\x89PNG\r\n\x1a\n"
#define LM_PNG_SIGNATURE_LEN 8
/* length, type, CRC */
#define LM_PNG_CHUNK_OVERHEAD 12
#define LM_APNG_ACTL_LEN 8
#define LM_APNG_FCTL_LEN 26

enum {
  LM_APNG_DISPOSE_NONE = 0,
  LM_APNG_DISPOSE_BACKGROUND = 1,
  LM_APNG_DISPOSE_PREVIOUS = 2,
};
enum {
  LM_APNG_BLEND_SOURCE = 0,
  LM_APNG_BLEND_OVER = 1,
};

static inline uint32_t lm_png_get_u32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static inline uint16_t lm_png_get_u16(const unsigned char *p) {
  return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void lm_png_put_u32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

static inline void lm_png_put_u16(unsigned char *p, unsigned v) {
  p[0] = (unsigned char)(v >> 8);
  p[1] = (unsigned char)v;
}

/* The CRC of a chunk: over its type and data (zlib's CRC-32 is PNG's). */
static inline uint32_t lm_png_chunk_crc(const char type[4],
                                        const unsigned char *data,
                                        size_t len) {
  uLong crc = crc32(0L, (const Bytef *)type, 4);
  while (len > 0) { /* crc32 takes a uInt length */
    uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;
    crc = crc32(crc, (const Bytef *)data, n);
    data += n;
    len -= n;
  }
  return (uint32_t)crc;
}

typedef struct {
  char type[5];               /* NUL-terminated */
  const unsigned char *data;  /* inside the buffer walked */
  uint32_t len;
} lm_png_chunk;

/* The chunk at *pos of buf[0..len) into *chunk, *pos moved past it.
 * 1: a chunk; 0: the end of the buffer; -1: a bad chunk (err says which
 * and what: truncated, a length over 2^31 - 1, a wrong CRC). */
static inline int lm_png_next_chunk(const unsigned char *buf, size_t len,
                                    size_t *pos, lm_png_chunk *chunk,
                                    char *err, size_t errlen) {
  size_t at = *pos;
  if (at >= len)
    return 0;
  if (len - at < 8) {
    snprintf(err, errlen, "truncated chunk header at byte %zu", at);
    return -1;
  }
  uint32_t n = lm_png_get_u32(buf + at);
  memcpy(chunk->type, buf + at + 4, 4);
  chunk->type[4] = '\0';
  for (int i = 0; i < 4; i++) {
    unsigned char c = (unsigned char)chunk->type[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
      snprintf(err, errlen, "bad chunk type at byte %zu", at);
      return -1;
    }
  }
  if (n > 0x7FFFFFFFu) {
    snprintf(err, errlen, "%s chunk at byte %zu: length %u is over 2^31-1",
             chunk->type, at, n);
    return -1;
  }
  if (len - at - 8 < (size_t)n + 4) {
    snprintf(err, errlen,
             "%s chunk at byte %zu is truncated (%u data bytes, %zu left)",
             chunk->type, at, n, len - at - 8);
    return -1;
  }
  chunk->data = buf + at + 8;
  chunk->len = n;
  uint32_t want = lm_png_get_u32(chunk->data + n);
  if (lm_png_chunk_crc(chunk->type, chunk->data, n) != want) {
    snprintf(err, errlen, "%s chunk at byte %zu has a bad CRC", chunk->type,
             at);
    return -1;
  }
  *pos = at + LM_PNG_CHUNK_OVERHEAD + n;
  return 1;
}

/* Writes one chunk at out (room for LM_PNG_CHUNK_OVERHEAD + len bytes):
 * length, type, data, CRC.  `prefix` (NULL or 4 bytes, e.g. an fdAT
 * sequence number) goes before data and counts in the length.  Returns
 * the bytes written. */
static inline size_t lm_png_put_chunk(unsigned char *out, const char type[4],
                                      const unsigned char *prefix,
                                      const unsigned char *data, size_t len) {
  size_t plen = prefix ? 4 : 0;
  lm_png_put_u32(out, (uint32_t)(plen + len));
  memcpy(out + 4, type, 4);
  if (prefix)
    memcpy(out + 8, prefix, 4);
  if (len)
    memcpy(out + 8 + plen, data, len);
  uLong crc = crc32(0L, (const Bytef *)(out + 4), (uInt)(4 + plen));
  if (len) /* crc32 with a NULL buffer restarts */
    crc = crc32(crc, (const Bytef *)data, (uInt)len);
  lm_png_put_u32(out + 8 + plen + len, (uint32_t)crc);
  return LM_PNG_CHUNK_OVERHEAD + plen + len;
}

/* The 8-bit samples a PNG decodes to, from IHDR's colour type and whether
 * it has a tRNS chunk: alpha (its own or tRNS) makes RGBA, a palette
 * RGB, grey stays grey. */
static inline int lm_png_decoded_channels(int color_type, bool trns) {
  return (color_type & 4) || trns ? 4 : (color_type & 2) ? 3 : 1;
}

/* An fcTL chunk's 26 bytes, read (lm_apng_read_fctl) or to write
 * (lm_apng_write_fctl). */
typedef struct {
  uint32_t seq, width, height, x, y;
  uint16_t delay_num, delay_den;
  uint8_t dispose, blend;
} lm_apng_fctl;

static inline void lm_apng_read_fctl(const unsigned char *d,
                                     lm_apng_fctl *f) {
  f->seq = lm_png_get_u32(d);
  f->width = lm_png_get_u32(d + 4);
  f->height = lm_png_get_u32(d + 8);
  f->x = lm_png_get_u32(d + 12);
  f->y = lm_png_get_u32(d + 16);
  f->delay_num = lm_png_get_u16(d + 20);
  f->delay_den = lm_png_get_u16(d + 22);
  f->dispose = d[24];
  f->blend = d[25];
}

/* The 26 bytes of an fcTL chunk for f. */
static inline void lm_apng_write_fctl(unsigned char *d,
                                      const lm_apng_fctl *f) {
  lm_png_put_u32(d, f->seq);
  lm_png_put_u32(d + 4, f->width);
  lm_png_put_u32(d + 8, f->height);
  lm_png_put_u32(d + 12, f->x);
  lm_png_put_u32(d + 16, f->y);
  lm_png_put_u16(d + 20, f->delay_num);
  lm_png_put_u16(d + 22, f->delay_den);
  d[24] = f->dispose;
  d[25] = f->blend;
}

/* Frame `index` (from 0) of an animation on a cw x ch canvas: not empty,
 * inside the canvas, with a dispose and blend op the spec knows.  false
 * with err saying which ("frame 2 is 1x1 at (4, 0), outside the 4x2
 * canvas", "unknown dispose_op 7"). */
static inline bool lm_apng_fctl_check(const lm_apng_fctl *f, uint32_t index,
                                      uint32_t cw, uint32_t ch, char *err,
                                      size_t errlen) {
  if (f->width == 0 || f->height == 0 || f->x > cw || f->y > ch ||
      f->width > cw - f->x || f->height > ch - f->y) {
    snprintf(err, errlen,
             "frame %u is %ux%u at (%u, %u), outside the %ux%u canvas", index,
             f->width, f->height, f->x, f->y, cw, ch);
    return false;
  }
  if (f->dispose > LM_APNG_DISPOSE_PREVIOUS) {
    snprintf(err, errlen, "unknown dispose_op %u", f->dispose);
    return false;
  }
  if (f->blend > LM_APNG_BLEND_OVER) {
    snprintf(err, errlen, "unknown blend_op %u", f->blend);
    return false;
  }
  return true;
}

/* A frame's delay in seconds, delay_num / delay_den: the spec reads a
 * denominator of 0 as 100 (hundredths of a second). */
static inline double lm_apng_delay_seconds(const lm_apng_fctl *f) {
  return (double)f->delay_num / (f->delay_den ? f->delay_den : 100);
}

#endif
