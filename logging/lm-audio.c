/* lm-audio.c: audio clips (SummaryWriter.add_audio).
 *
 * What it is for: lm_writer_add_audio* encode float samples into the
 * 16-bit PCM WAV file torch.utils.tensorboard.summary.audio makes (Python's
 * wave module: a 44-byte RIFF header, interleaved little-endian int16),
 * and lm_writer_add_audio_wav checks a ready WAV file with the shared
 * parser in lm-wav.h, which also gives its rate, channels and frames.
 * Both run in the calling thread; the writer thread only stores bytes.
 * Not for: decoding or playing (data/lm-audio.c, ui/).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lm-log-private.h"
#include "lm-wav.h"

_Static_assert(LM_AUDIO_MAX_CHANNELS == LM_WAV_MAX_CHANNELS,
               "lumen-log.h and lm-wav.h agree on the channel limit");

/* What SQLite stores in one blob by default (SQLITE_MAX_LENGTH). */
#define LM_AUDIO_MAX_WAV 1000000000u
#define LM_WAV_HEADER 44

/* A payload with room for a wav_len-byte WAV and the label; NULL (and the
 * error set) when out of memory. */
static lm_audio_payload *payload_new(lm_writer *w, const char *tag,
                                     size_t wav_len, const char *label) {
  size_t ll = label ? strlen(label) + 1 : 0;
  size_t bytes = sizeof(lm_audio_payload) + wav_len + ll;
  lm_audio_payload *p = malloc(bytes);
  if (!p) {
    lm_fail(w, LM_ERR_NOMEM, "out of memory for audio '%s' (%zu bytes)", tag,
            bytes);
    return NULL;
  }
  p->hdr.bytes = bytes;
  p->wav_len = wav_len;
  p->wav = (unsigned char *)(p + 1);
  p->label = label ? memcpy(p->wav + wav_len, label, ll) : NULL;
  return p;
}

static void put_u16(unsigned char *p, unsigned v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
}

static void put_u32(unsigned char *p, uint32_t v) {
  put_u16(p, v & 0xFFFF);
  put_u16(p + 2, v >> 16);
}

/* summary.audio's conversion: clipped to [-1, 1], times 32767 in float32,
 * truncated toward zero by numpy's astype('<i2').  NaN -> 0 (numpy's cast
 * of NaN is undefined; 0 is silence). */
static int16_t pcm16(float v) {
  if (isnan(v))
    return 0;
  v = v < -1.0f ? -1.0f : v > 1.0f ? 1.0f : v;
  return (int16_t)(v * 32767.0f);
}

int lm_writer_add_audio_label(lm_writer *w, const char *tag, int64_t step,
                              const float *samples, int64_t frames,
                              int channels, double sample_rate,
                              const char *label) {
  int rc = lm_check_writer_tag(w, tag);
  if (rc || (rc = lm_check_text(w, "label", label, true)))
    return rc;
  if (!samples)
    return lm_fail(w, LM_ERR_INVALID_ARG, "audio '%s': samples is NULL", tag);
  if (channels < 1 || channels > LM_AUDIO_MAX_CHANNELS)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "audio '%s': channels is %d, must be 1..%d", tag, channels,
                   LM_AUDIO_MAX_CHANNELS);
  if (frames <= 0)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "audio '%s': frames is %lld, must be > 0", tag,
                   (long long)frames);
  /* the header's rate is a 32-bit integer: Python's wave rounds it */
  double rate = nearbyint(sample_rate); /* half to even, as Python */
  if (!(rate >= 1 && rate <= 4294967295.0))
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "audio '%s': sample_rate is %g, must be a finite 1 .. "
                   "4294967295 Hz (add_audio's default is 44100)",
                   tag, sample_rate);
  uint64_t bytes_per_frame = 2u * (uint64_t)channels;
  /* the header's byte rate is 32-bit too: Python's wave refuses more
   * (struct.error), and a wrapped one misleads players */
  if (rate * (double)bytes_per_frame > 4294967295.0)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "audio '%s': sample_rate %g Hz x %d channels x 2 bytes is "
                   "over the WAV header's byte rate limit of 4294967295 a "
                   "second",
                   tag, rate, channels);
  if ((uint64_t)frames > (LM_AUDIO_MAX_WAV - LM_WAV_HEADER) / bytes_per_frame)
    return lm_fail(w, LM_ERR_TOO_LARGE,
                   "audio '%s': %lld frames x %d channels is over %u bytes "
                   "of WAV",
                   tag, (long long)frames, channels, LM_AUDIO_MAX_WAV);
  size_t data = (size_t)frames * (size_t)bytes_per_frame;
  lm_audio_payload *p = payload_new(w, tag, LM_WAV_HEADER + data, label);
  if (!p)
    return LM_ERR_NOMEM;
  p->sample_rate = sample_rate;
  p->channels = channels;
  p->frames = frames;
  unsigned char *h = p->wav;
  memcpy(h, "RIFF", 4);
  put_u32(h + 4, (uint32_t)(36 + data));
  memcpy(h + 8, "WAVEfmt ", 8);
  put_u32(h + 16, 16);
  put_u16(h + 20, LM_WAV_PCM);
  put_u16(h + 22, (unsigned)channels);
  put_u32(h + 24, (uint32_t)rate);
  put_u32(h + 28, (uint32_t)rate * (uint32_t)bytes_per_frame);
  put_u16(h + 32, (unsigned)bytes_per_frame);
  put_u16(h + 34, 16);
  memcpy(h + 36, "data", 4);
  put_u32(h + 40, (uint32_t)data);
  unsigned char *out = h + LM_WAV_HEADER;
  size_t n = (size_t)frames * (size_t)channels;
  for (size_t i = 0; i < n; i++)
    put_u16(out + 2 * i, (uint16_t)pcm16(samples[i]));
  return lm_queue_payload(w, LM_REC_AUDIO, tag, LM_TAG_AUDIO, step,
                          lm_writer_now(w), p);
}

int lm_writer_add_audio(lm_writer *w, const char *tag, int64_t step,
                        const float *samples, int64_t frames, int channels,
                        double sample_rate) {
  return lm_writer_add_audio_label(w, tag, step, samples, frames, channels,
                                   sample_rate, NULL);
}

int lm_writer_add_audio_wav(lm_writer *w, const char *tag, int64_t step,
                            const void *wav, size_t size, const char *label) {
  int rc = lm_check_writer_tag(w, tag);
  if (rc || (rc = lm_check_text(w, "label", label, true)))
    return rc;
  if (size > LM_AUDIO_MAX_WAV)
    return lm_fail(w, LM_ERR_TOO_LARGE,
                   "audio '%s': the WAV is %zu bytes, over %u", tag, size,
                   LM_AUDIO_MAX_WAV);
  lm_wav_info info;
  char err[200];
  if (lm_wav_parse(wav, size, &info, err, sizeof err))
    return lm_fail(w, LM_ERR_INVALID_ARG, "audio '%s': %s", tag, err);
  if (info.frames == 0) /* as lm_writer_add_audio refuses frames 0 */
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "audio '%s': the WAV has no samples (its data chunk is "
                   "empty)",
                   tag);
  lm_audio_payload *p = payload_new(w, tag, size, label);
  if (!p)
    return LM_ERR_NOMEM;
  p->sample_rate = info.sample_rate;
  p->channels = info.channels;
  p->frames = info.frames;
  memcpy(p->wav, wav, size);
  return lm_queue_payload(w, LM_REC_AUDIO, tag, LM_TAG_AUDIO, step,
                          lm_writer_now(w), p);
}
