/* lm-audio.h: audio clips of a run (the Audio dashboard's sound), decoded
 * and fetched off the main thread with a small LRU cache.
 *
 * What it is for: lm_wav_decode turns a stored WAV file into interleaved
 * float samples in [-1, 1] (every format lumen-log accepts: PCM 8, 16,
 * 24, 32-bit integer and 32-bit float, plain or WAVE_FORMAT_EXTENSIBLE,
 * 1..8 channels; the header parser is logging/lm-wav.h, shared with the
 * writer).  An LmAudioLoader reads one `audio` row's WAV on a GTask worker
 * (a pooled read-only connection per run file), decodes it, and keeps the
 * most recent clips by bytes, so a card that plays or draws a clip again
 * never reads it twice.  A missing row or a bad WAV fails with a message
 * saying so.
 *
 * What it is not for: playback or drawing (ui/), clip metadata
 * (LmRecordFeed of LM_RECORD_AUDIO lists the rows as LmAudioMeta).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LM_AUDIO_ERROR (lm_audio_error_quark ())
GQuark lm_audio_error_quark (void);

typedef enum {
  LM_AUDIO_ERROR_BAD_WAV,   /* not a WAV, truncated, an unsupported format */
  LM_AUDIO_ERROR_MISSING,   /* no such audio row in the run file */
  LM_AUDIO_ERROR_READ,      /* the run file could not be read */
} LmAudioError;

/* Decoded samples: frames x channels floats, interleaved (frame by frame),
 * in [-1, 1].  Integer PCM is scaled as WAV readers do (TensorFlow's
 * decode_wav, browsers): 16-bit v -> v / 32768, 8-bit (unsigned)
 * (v - 128) / 128, 24 and 32-bit alike; float samples are clamped to
 * [-1, 1], NaN -> 0.  sample_rate is the header's. */
typedef struct
{
  int channels;
  double sample_rate;
  gint64 frames;
  float *samples;
} LmWav;

/* FALSE with LM_AUDIO_ERROR_BAD_WAV naming what is wrong for anything the
 * writer would refuse; `out` is then cleared.  Clear it with lm_wav_clear. */
gboolean lm_wav_decode (const void *data, gsize size, LmWav *out, GError **error);
void     lm_wav_clear  (LmWav *wav);

/* A clip fetched off the main thread: its WAV bytes (as stored, for
 * playback) and decoded samples.  Immutable, atomically refcounted. */
typedef struct
{
  GBytes *wav;
  LmWav pcm;
} LmAudioClip;

LmAudioClip *lm_audio_clip_ref   (LmAudioClip *clip);
void         lm_audio_clip_unref (LmAudioClip *clip);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmAudioClip, lm_audio_clip_unref)

#define LM_TYPE_AUDIO_LOADER (lm_audio_loader_get_type ())
G_DECLARE_FINAL_TYPE (LmAudioLoader, lm_audio_loader, LM, AUDIO_LOADER, GObject)

/* cache_bytes: bytes of clips kept, WAV and samples (0: 64 MiB); a clip
 * over a third of it is not kept (whoever asked for it holds it). */
LmAudioLoader *lm_audio_loader_new    (gsize cache_bytes);
/* The cached clip of audio row `id` of the run file at `path` (a new
 * reference), or NULL.  Main thread. */
LmAudioClip   *lm_audio_loader_lookup (LmAudioLoader *self, const char *path, gint64 id);
void           lm_audio_loader_load_async  (LmAudioLoader      *self,
                                            const char         *path,
                                            gint64              id,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
/* A new reference to the clip (now cached), or NULL with the error. */
LmAudioClip   *lm_audio_loader_load_finish (LmAudioLoader *self,
                                            GAsyncResult  *result,
                                            GError       **error);
/* Clips read and decoded so far (tests: a cached clip is not read again). */
guint          lm_audio_loader_get_n_decoded (LmAudioLoader *self);

G_END_DECLS
