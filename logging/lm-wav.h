/* lm-wav.h: the one RIFF WAVE header parser, shared by the write and the
 * read side.
 *
 * What it is for: lumen-log checks a WAV file given to
 * lm_writer_add_audio_wav with it (and takes the sample rate, channels
 * and frames for the `audio` row from it); data/ decodes stored clips
 * with it (lm_wav_decode), so what the writer accepts is exactly what the
 * app can play.  Header-only, static functions, plain C: data/ builds
 * without lumen-log (meson -Dlogging=disabled), so it includes this file
 * rather than linking a shared helper.
 * Accepted: PCM integer 8 (unsigned), 16, 24, 32 bits; IEEE float 32 bits;
 * the same inside WAVE_FORMAT_EXTENSIBLE; 1..LM_WAV_MAX_CHANNELS channels.
 * Chunks other than "fmt " and "data" are skipped (odd sizes padded).
 * Not for: compressed formats (A-law, ADPCM...), RF64, writing.
 */
#ifndef LM_WAV_H
#define LM_WAV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* 7.1 surround: what audio players and browsers play. */
#define LM_WAV_MAX_CHANNELS 8

enum {
  LM_WAV_PCM = 1,        /* integer samples (8-bit unsigned, others signed) */
  LM_WAV_FLOAT = 3,      /* IEEE 754 float32 */
  LM_WAV_EXTENSIBLE = 0xFFFE,
};

typedef struct {
  int encoding;       /* LM_WAV_PCM or LM_WAV_FLOAT (extensible resolved) */
  int bits;           /* bits per sample: 8, 16, 24 or 32 */
  int channels;       /* 1..LM_WAV_MAX_CHANNELS */
  uint32_t sample_rate;
  int64_t frames;
  const unsigned char *data; /* the first frame, inside the parsed buffer */
  size_t data_size;          /* frames * channels * bits / 8 */
} lm_wav_info;

static inline uint32_t lm_wav_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static inline unsigned lm_wav_u16(const unsigned char *p) {
  return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static inline int lm_wav_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline int lm_wav_fail(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return -1;
}

/* Checks the "fmt " chunk body (len bytes) into info. */
static inline int lm_wav_parse_fmt(const unsigned char *f, uint32_t len,
                                   lm_wav_info *info, char *err,
                                   size_t errlen) {
  if (len < 16)
    return lm_wav_fail(err, errlen, "WAV fmt chunk is %u bytes, needs 16",
                       (unsigned)len);
  unsigned tag = lm_wav_u16(f), channels = lm_wav_u16(f + 2);
  uint32_t rate = lm_wav_u32(f + 4);
  unsigned align = lm_wav_u16(f + 12), bits = lm_wav_u16(f + 14);
  if (tag == LM_WAV_EXTENSIBLE) {
    /* the sub-format GUID is 0000000X-0000-0010-8000-00aa00389b71 with X
     * the plain format tag */
    static const unsigned char guid_tail[14] = {
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
        0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71};
    if (len < 40 || lm_wav_u16(f + 16) < 22)
      return lm_wav_fail(err, errlen,
                         "WAV fmt chunk is WAVE_FORMAT_EXTENSIBLE but %u "
                         "bytes long, needs 40",
                         (unsigned)len);
    if (memcmp(f + 26, guid_tail, sizeof guid_tail) != 0)
      return lm_wav_fail(err, errlen,
                         "WAV WAVE_FORMAT_EXTENSIBLE sub-format is not a "
                         "standard one");
    tag = lm_wav_u16(f + 24);
  }
  if (tag != LM_WAV_PCM && tag != LM_WAV_FLOAT)
    return lm_wav_fail(err, errlen,
                       "WAV format tag is 0x%04x; only PCM (1) and IEEE "
                       "float (3) are supported",
                       tag);
  if (tag == LM_WAV_PCM && bits != 8 && bits != 16 && bits != 24 &&
      bits != 32)
    return lm_wav_fail(err, errlen,
                       "WAV PCM has %u bits per sample; 8, 16, 24 or 32 are "
                       "supported",
                       bits);
  if (tag == LM_WAV_FLOAT && bits != 32)
    return lm_wav_fail(err, errlen,
                       "WAV float has %u bits per sample; 32 is supported",
                       bits);
  if (channels < 1 || channels > LM_WAV_MAX_CHANNELS)
    return lm_wav_fail(err, errlen, "WAV has %u channels, must be 1..%d",
                       channels, LM_WAV_MAX_CHANNELS);
  if (rate == 0)
    return lm_wav_fail(err, errlen, "WAV sample rate is 0");
  if (align != channels * bits / 8)
    return lm_wav_fail(err, errlen,
                       "WAV block align is %u, expected %u (%u channels x "
                       "%u bits)",
                       align, channels * bits / 8, channels, bits);
  info->encoding = (int)tag;
  info->bits = (int)bits;
  info->channels = (int)channels;
  info->sample_rate = rate;
  return 0;
}

/* Parses a whole RIFF WAVE file of `size` bytes.  0 with *info filled, or
 * -1 with a message naming what is wrong in err. */
static inline int lm_wav_parse(const void *wav, size_t size,
                               lm_wav_info *info, char *err, size_t errlen) {
  const unsigned char *b = wav;
  memset(info, 0, sizeof *info);
  if (!wav)
    return lm_wav_fail(err, errlen, "WAV data is NULL");
  if (size < 12 || memcmp(b, "RIFF", 4) != 0 || memcmp(b + 8, "WAVE", 4) != 0)
    return lm_wav_fail(err, errlen,
                       "not a WAV file (%zu bytes, no RIFF/WAVE header)",
                       size);
  bool have_fmt = false;
  size_t pos = 12;
  while (pos + 8 <= size) {
    const unsigned char *id = b + pos;
    uint32_t len = lm_wav_u32(b + pos + 4);
    size_t body = pos + 8, avail = size - body;
    if (memcmp(id, "fmt ", 4) == 0) {
      if (len > avail)
        return lm_wav_fail(err, errlen,
                           "WAV is truncated: fmt chunk of %u bytes, %zu "
                           "left",
                           (unsigned)len, avail);
      if (lm_wav_parse_fmt(b + body, len, info, err, errlen))
        return -1;
      have_fmt = true;
    } else if (memcmp(id, "data", 4) == 0) {
      if (!have_fmt)
        return lm_wav_fail(err, errlen, "WAV data chunk comes before fmt");
      if (len > avail)
        return lm_wav_fail(err, errlen,
                           "WAV is truncated: data chunk says %u bytes, "
                           "%zu present",
                           (unsigned)len, avail);
      size_t frame = (size_t)info->channels * (size_t)info->bits / 8;
      if (len % frame)
        return lm_wav_fail(err, errlen,
                           "WAV data chunk is %u bytes, not whole frames of "
                           "%zu bytes",
                           (unsigned)len, frame);
      info->data = b + body;
      info->data_size = len;
      info->frames = (int64_t)(len / frame);
      return 0;
    }
    if (len > avail)
      return lm_wav_fail(err, errlen,
                         "WAV is truncated: chunk '%.4s' of %u bytes, %zu "
                         "left",
                         (const char *)id, (unsigned)len, avail);
    pos = body + len + (len & 1);
  }
  return lm_wav_fail(err, errlen, "WAV has no %s chunk (%zu bytes)",
                     have_fmt ? "data" : "fmt", size);
}

#endif /* LM_WAV_H */
