/* lm-audio.h: audio clips of a run (the Audio dashboard's sound), decoded
 * and fetched off the main thread with a small LRU cache.
 *
 * What it is for: lm_wav_decode turns a stored WAV file into interleaved
 * float samples in [-1, 1] (every format lumen-log accepts: PCM 8, 16,
 * 24, 32-bit integer and 32-bit float, plain or WAVE_FORMAT_EXTENSIBLE,
 * 1..8 channels; the header parser is logging/lm-wav.h, shared with the
 * writer), and lm_audio_peaks_from_wav into a waveform's summary: the
 * least and greatest sample of each block of frames, at most
 * LM_AUDIO_MAX_PEAKS blocks, so a ten-minute 48 kHz stereo clip is drawn
 * from 256 KB, not 230 MB of floats.  An LmAudioLoader reads one `audio`
 * row's WAV on a GTask worker (a pooled read-only connection per run
 * file), summarises it, and keeps the most recent clips by bytes (a
 * short clip's WAV too), so a card that plays or draws a clip again
 * never reads it twice; a long clip's WAV is written to a file for
 * playback straight from the run file.  A missing
 * row or a bad WAV fails with a message saying so.
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

/* Blocks in a clip's peak summary at most: with a card a few hundred
 * pixels wide (a few thousand on a wide HiDPI screen) each pixel column
 * still covers several blocks, so the drawing is the same as from every
 * sample. */
#define LM_AUDIO_MAX_PEAKS 16384

/* A waveform's summary of a clip: for each block of `block` consecutive
 * frames (the last one may be shorter) and channel, its least and
 * greatest sample, in [-1, 1] as lm_wav_decode gives them.  A clip of at
 * most max_peaks frames has a block of 1: min and max are its samples. */
typedef struct
{
  int channels;
  double sample_rate;
  gint64 frames;
  gint64 block;       /* frames per peak, >= 1 */
  gint64 n_peaks;     /* ceil (frames / block) */
  float *min, *max;   /* n_peaks x channels, interleaved */
} LmAudioPeaks;

/* FALSE as lm_wav_decode (`out` cleared); max_peaks >= 1.  Reads the
 * samples once, holds no more than the summary.  Clear it with
 * lm_audio_peaks_clear. */
gboolean lm_audio_peaks_from_wav (const void *data, gsize size, gint64 max_peaks, LmAudioPeaks *out,
                                  GError **error);
void     lm_audio_peaks_clear    (LmAudioPeaks *peaks);

/* A clip's WAV is kept with it (for playback) up to this size, about 45 s
 * of 44.1 kHz mono; a longer one is written out when it is played
 * (lm_audio_loader_save_async), never held. */
#define LM_AUDIO_KEEP_WAV (4u << 20)

/* A clip fetched off the main thread: its WAV bytes as stored (NULL when
 * over LM_AUDIO_KEEP_WAV) and its peak summary (for drawing; at most
 * LM_AUDIO_MAX_PEAKS blocks).  Immutable, atomically refcounted. */
typedef struct
{
  GBytes *wav;
  LmAudioPeaks peaks;
} LmAudioClip;

LmAudioClip *lm_audio_clip_ref   (LmAudioClip *clip);
void         lm_audio_clip_unref (LmAudioClip *clip);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmAudioClip, lm_audio_clip_unref)

#define LM_TYPE_AUDIO_LOADER (lm_audio_loader_get_type ())
G_DECLARE_FINAL_TYPE (LmAudioLoader, lm_audio_loader, LM, AUDIO_LOADER, GObject)

/* cache_bytes: bytes of clips kept, WAV and peaks (0: 64 MiB); a clip
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
/* Writes audio row `id`'s WAV, as stored, to `fd` (which it closes, done
 * or not) on a worker, a chunk at a time.  Fails as a load does, or with
 * G_FILE_ERROR naming what the write met, or G_IO_ERROR_CANCELLED. */
void           lm_audio_loader_save_async  (LmAudioLoader      *self,
                                            const char         *path,
                                            gint64              id,
                                            int                 fd,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean       lm_audio_loader_save_finish (LmAudioLoader  *self,
                                            GAsyncResult   *result,
                                            GError        **error);
/* Clips read and decoded so far (tests: a cached clip is not read again). */
guint          lm_audio_loader_get_n_decoded (LmAudioLoader *self);

G_END_DECLS
