/* wav-test-util.h: builds small RIFF WAVE files for the audio tests of
 * logging/ (lm_writer_add_audio_wav) and data/ (lm_wav_decode).
 *
 * What it is for: a WAV of any format the parser accepts (PCM 8..32-bit,
 * float32, WAVE_FORMAT_EXTENSIBLE) or a deliberately odd one, with an
 * extra chunk before "data" when asked, so the tests need no files.
 * Not for: production code.
 */
#ifndef WAV_TEST_UTIL_H
#define WAV_TEST_UTIL_H

#include <glib.h>
#include <string.h>

static inline void wav_put16(GByteArray *a, unsigned v) {
  guint8 b[2] = {(guint8)v, (guint8)(v >> 8)};
  g_byte_array_append(a, b, 2);
}

static inline void wav_put32(GByteArray *a, guint32 v) {
  wav_put16(a, v & 0xFFFF);
  wav_put16(a, v >> 16);
}

/* A WAV file of `data_len` bytes of samples; format_tag 1 (PCM) or 3
 * (float), written as WAVE_FORMAT_EXTENSIBLE when `extensible`; with a
 * "LIST" chunk of 3 bytes (odd: padded) before "data" when `list_chunk`. */
static inline GBytes *wav_build(unsigned format_tag, unsigned bits,
                                unsigned channels, guint32 rate,
                                const void *data, guint32 data_len,
                                gboolean extensible, gboolean list_chunk) {
  GByteArray *a = g_byte_array_new();
  unsigned align = channels * bits / 8;
  guint32 fmt_len = extensible ? 40 : 16;
  guint32 riff = 4 + 8 + fmt_len + (list_chunk ? 8 + 4 : 0) + 8 + data_len;
  g_byte_array_append(a, (const guint8 *)"RIFF", 4);
  wav_put32(a, riff);
  g_byte_array_append(a, (const guint8 *)"WAVEfmt ", 8);
  wav_put32(a, fmt_len);
  wav_put16(a, extensible ? 0xFFFE : format_tag);
  wav_put16(a, channels);
  wav_put32(a, rate);
  wav_put32(a, rate * align);
  wav_put16(a, align);
  wav_put16(a, bits);
  if (extensible) {
    static const guint8 tail[14] = {0x00, 0x00, 0x00, 0x00, 0x10,
                                    0x00, 0x80, 0x00, 0x00, 0xaa,
                                    0x00, 0x38, 0x9b, 0x71};
    wav_put16(a, 22);         /* cbSize */
    wav_put16(a, bits);       /* valid bits */
    wav_put32(a, 0);          /* channel mask */
    wav_put16(a, format_tag); /* sub-format GUID */
    g_byte_array_append(a, tail, sizeof tail);
  }
  if (list_chunk) {
    g_byte_array_append(a, (const guint8 *)"LIST", 4);
    wav_put32(a, 3);
    g_byte_array_append(a, (const guint8 *)"ab\0\0", 4); /* 3 + pad */
  }
  g_byte_array_append(a, (const guint8 *)"data", 4);
  wav_put32(a, data_len);
  g_byte_array_append(a, data, data_len);
  return g_byte_array_free_to_bytes(a);
}

#endif /* WAV_TEST_UTIL_H */
