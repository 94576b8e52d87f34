/* lm-audio.c: WAV decoding and the audio clip loader (see lm-audio.h).
 *
 * The header is parsed by logging/lm-wav.h, the same code that checks a
 * WAV handed to lumen-log, so a clip the writer stored always decodes
 * here; only turning samples into floats lives in this file.  The cache
 * and its LRU order live on the main thread; workers only read the blob
 * and decode it, each on its own pooled connection (lm-reader-private.h).
 */
#include "lm-audio.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include "lm-lru-cache.h"
#include "lm-reader-private.h"
#include "lm-wav.h"

G_DEFINE_QUARK (lm-audio-error-quark, lm_audio_error)

#define DEFAULT_CACHE_BYTES (64u << 20)

/* ------------------------------------------------------------- decoding */

static float
pcm_sample (const guint8 *p, int bits)
{
  switch (bits)
    {
    case 8:
      return (p[0] - 128) / 128.0f;
    case 16:
      return (gint16) (p[0] | p[1] << 8) / 32768.0f;
    case 24:
      /* into the top of a 32-bit word: the sign comes along */
      return (float) ((gint32) ((guint32) p[0] << 8 | (guint32) p[1] << 16 | (guint32) p[2] << 24)
                      / 2147483648.0);
    default:
      return (float) ((gint32) ((guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16
                                | (guint32) p[3] << 24)
                      / 2147483648.0);
    }
}

static float
float_sample (const guint8 *p)
{
  guint32 bits = (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
  float v;

  memcpy (&v, &bits, sizeof v);
  return isnan (v) ? 0.0f : CLAMP (v, -1.0f, 1.0f);
}

/* The WAV's header, or FALSE with the decoder's error. */
static gboolean
parse_header (const void *data, gsize size, lm_wav_info *info, GError **error)
{
  char msg[200];

  if (lm_wav_parse (data, size, info, msg, sizeof msg) == 0)
    return TRUE;
  g_set_error_literal (error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_BAD_WAV, msg);
  return FALSE;
}

gboolean
lm_wav_decode (const void *data, gsize size, LmWav *out, GError **error)
{
  lm_wav_info info;
  gsize n, width;
  const guint8 *p;

  memset (out, 0, sizeof *out);
  if (!parse_header (data, size, &info, error))
    return FALSE;
  n = (gsize) info.frames * (gsize) info.channels;
  out->samples = g_try_new (float, MAX (n, 1));
  if (out->samples == NULL)
    {
      g_set_error (error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_BAD_WAV,
                   "WAV of %" G_GINT64_FORMAT " frames x %d channels: out of memory for its samples",
                   info.frames, info.channels);
      return FALSE;
    }
  width = (gsize) info.bits / 8;
  p = info.data;
  for (gsize i = 0; i < n; i++, p += width)
    out->samples[i] = info.encoding == LM_WAV_FLOAT ? float_sample (p) : pcm_sample (p, info.bits);
  out->channels = info.channels;
  out->sample_rate = info.sample_rate;
  out->frames = info.frames;
  return TRUE;
}

gboolean
lm_audio_peaks_from_wav (const void *data, gsize size, gint64 max_peaks, LmAudioPeaks *out, GError **error)
{
  lm_wav_info info;
  gsize width, n;
  const guint8 *p;
  int c;

  g_return_val_if_fail (max_peaks >= 1, FALSE);
  memset (out, 0, sizeof *out);
  if (!parse_header (data, size, &info, error))
    return FALSE;
  c = info.channels;
  out->block = MAX ((info.frames + max_peaks - 1) / max_peaks, 1);
  out->n_peaks = (info.frames + out->block - 1) / out->block;
  n = (gsize) out->n_peaks * (gsize) c;
  out->min = g_try_new (float, MAX (n, 1));
  out->max = g_try_new (float, MAX (n, 1));
  if (out->min == NULL || out->max == NULL)
    {
      lm_audio_peaks_clear (out);
      g_set_error (error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_BAD_WAV,
                   "WAV of %" G_GINT64_FORMAT " frames x %d channels: out of memory for its waveform",
                   info.frames, c);
      return FALSE;
    }
  width = (gsize) info.bits / 8;
  p = info.data;
  for (gint64 k = 0; k < out->n_peaks; k++)
    {
      gint64 end = MIN ((k + 1) * out->block, info.frames);
      float *lo = out->min + (gsize) k * c, *hi = out->max + (gsize) k * c;

      for (gint64 f = k * out->block; f < end; f++)
        for (int ch = 0; ch < c; ch++, p += width)
          {
            float v = info.encoding == LM_WAV_FLOAT ? float_sample (p) : pcm_sample (p, info.bits);

            if (f == k * out->block)
              lo[ch] = hi[ch] = v;
            else
              {
                lo[ch] = MIN (lo[ch], v);
                hi[ch] = MAX (hi[ch], v);
              }
          }
    }
  out->channels = c;
  out->sample_rate = info.sample_rate;
  out->frames = info.frames;
  return TRUE;
}

void
lm_audio_peaks_clear (LmAudioPeaks *peaks)
{
  if (peaks == NULL)
    return;
  g_clear_pointer (&peaks->min, g_free);
  g_clear_pointer (&peaks->max, g_free);
  memset (peaks, 0, sizeof *peaks);
}

void
lm_wav_clear (LmWav *wav)
{
  if (wav == NULL)
    return;
  g_clear_pointer (&wav->samples, g_free);
  wav->frames = 0;
  wav->channels = 0;
  wav->sample_rate = 0;
}

/* ----------------------------------------------------------------- clips */

LmAudioClip *
lm_audio_clip_ref (LmAudioClip *clip)
{
  return g_atomic_rc_box_acquire (clip);
}

static void
clip_clear (gpointer data)
{
  LmAudioClip *clip = data;

  g_clear_pointer (&clip->wav, g_bytes_unref);
  lm_audio_peaks_clear (&clip->peaks);
}

void
lm_audio_clip_unref (LmAudioClip *clip)
{
  if (clip != NULL)
    g_atomic_rc_box_release_full (clip, clip_clear);
}

static gsize
clip_bytes (const LmAudioClip *clip)
{
  return (clip->wav != NULL ? g_bytes_get_size (clip->wav) : 0)
         + 2 * (gsize) clip->peaks.n_peaks * (gsize) clip->peaks.channels * sizeof (float);
}

/* ---------------------------------------------------------------- loader */

struct _LmAudioLoader
{
  GObject parent_instance;

  LmLruCache *cache;     /* "path\nid" -> LmAudioClip* */
  LmReaderPool *pool;
  guint n_decoded;
};

G_DEFINE_FINAL_TYPE (LmAudioLoader, lm_audio_loader, G_TYPE_OBJECT)

typedef struct
{
  char *path;
  gint64 id;
} ClipRequest;

static void
clip_request_free (gpointer data)
{
  ClipRequest *r = data;

  g_free (r->path);
  g_free (r);
}

/* Opens row `id`'s WAV for reading, or NULL with *error set. */
static sqlite3_blob *
open_wav (sqlite3 *db, gint64 id, GError **error)
{
  sqlite3_blob *blob = NULL;
  int rc = sqlite3_blob_open (db, "main", "audio", "wav", id, 0, &blob);
  const char *msg = sqlite3_errmsg (db);

  if (rc == SQLITE_OK)
    return blob;
  sqlite3_blob_close (blob);
  if (strstr (msg, "no such rowid") != NULL || strstr (msg, "no such table") != NULL)
    g_set_error (error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_MISSING,
                 "audio row %" G_GINT64_FORMAT " is not in the run file", id);
  else
    {
      g_autofree char *text = lm_reader_describe_error (db, rc, "reading an audio clip", NULL);

      g_set_error_literal (error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_READ, text);
    }
  return NULL;
}

static gboolean
blob_failed (sqlite3 *db, int rc, GError **error)
{
  g_autofree char *text = lm_reader_describe_error (db, rc, "reading an audio clip", NULL);

  g_set_error_literal (error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_READ, text);
  return FALSE;
}

/* The clip of row r->id, or NULL with *error set.  The blob is read
 * straight into one buffer (a SELECT would hold it twice, SQLite's copy
 * and ours); a long clip's WAV is dropped once summarised. */
static LmAudioClip *
read_clip (sqlite3 *db, const ClipRequest *r, GError **error)
{
  sqlite3_blob *blob = open_wav (db, r->id, error);
  g_autoptr (GError) local = NULL;
  LmAudioPeaks peaks;
  LmAudioClip *clip;
  gsize size;
  guint8 *data;
  int rc;

  if (blob == NULL)
    return NULL;
  size = (gsize) sqlite3_blob_bytes (blob);
  data = g_try_malloc (MAX (size, 1));
  if (data == NULL)
    {
      sqlite3_blob_close (blob);
      g_set_error (error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_READ,
                   "audio row %" G_GINT64_FORMAT ": out of memory for its %" G_GSIZE_FORMAT " bytes", r->id, size);
      return NULL;
    }
  rc = sqlite3_blob_read (blob, data, (int) size, 0);
  sqlite3_blob_close (blob);
  if (rc != SQLITE_OK)
    {
      g_free (data);
      blob_failed (db, rc, error);
      return NULL;
    }
  if (!lm_audio_peaks_from_wav (data, size, LM_AUDIO_MAX_PEAKS, &peaks, &local))
    {
      g_free (data);
      g_set_error (error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_BAD_WAV, "audio row %" G_GINT64_FORMAT ": %s", r->id,
                   local->message);
      return NULL;
    }
  clip = g_atomic_rc_box_new0 (LmAudioClip);
  clip->peaks = peaks;
  if (size <= LM_AUDIO_KEEP_WAV)
    clip->wav = g_bytes_new_take (data, size);
  else
    g_free (data);
  return clip;
}

/* A pooled connection to `path`, or NULL with the task failed. */
static sqlite3 *
take_db (LmAudioLoader *self, GTask *task, const char *path)
{
  g_autofree char *msg = NULL;
  sqlite3 *db = lm_reader_pool_take (self->pool, path, &msg);

  if (db == NULL)
    g_task_return_new_error (task, LM_AUDIO_ERROR, LM_AUDIO_ERROR_READ, "%s: %s", path, msg);
  return db;
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LmAudioLoader *self = source;
  ClipRequest *r = task_data;
  GError *error = NULL;
  LmAudioClip *clip;
  sqlite3 *db = take_db (self, task, r->path);

  if (db == NULL)
    return;
  clip = read_clip (db, r, &error);
  lm_reader_pool_give (self->pool, r->path, db);
  if (clip != NULL)
    g_task_return_pointer (task, clip, (GDestroyNotify) lm_audio_clip_unref);
  else
    g_task_return_error (task, error);
}

static char *
cache_key (const char *path, gint64 id)
{
  return g_strdup_printf ("%s\n%" G_GINT64_FORMAT, path, id);
}

LmAudioClip *
lm_audio_loader_lookup (LmAudioLoader *self, const char *path, gint64 id)
{
  g_autofree char *key = cache_key (path, id);
  LmAudioClip *clip;

  g_return_val_if_fail (LM_IS_AUDIO_LOADER (self), NULL);
  clip = lm_lru_cache_lookup (self->cache, key);
  return clip ? lm_audio_clip_ref (clip) : NULL;
}

void
lm_audio_loader_load_async (LmAudioLoader *self, const char *path, gint64 id,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  ClipRequest *r = g_new0 (ClipRequest, 1);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  r->path = g_strdup (path);
  r->id = id;
  g_task_set_task_data (task, r, clip_request_free);
  g_task_run_in_thread (task, load_thread);
  g_object_unref (task);
}

LmAudioClip *
lm_audio_loader_load_finish (LmAudioLoader *self, GAsyncResult *result, GError **error)
{
  ClipRequest *r = g_task_get_task_data (G_TASK (result));
  LmAudioClip *clip = g_task_propagate_pointer (G_TASK (result), error);

  if (clip != NULL)
    {
      g_autofree char *key = cache_key (r->path, r->id);

      self->n_decoded++;
      lm_lru_cache_insert (self->cache, key, lm_audio_clip_ref (clip), clip_bytes (clip),
                           (GDestroyNotify) lm_audio_clip_unref);
    }
  return clip;
}

typedef struct
{
  char *path;
  gint64 id;
  int fd;
} SaveRequest;

static void
save_request_free (gpointer data)
{
  SaveRequest *r = data;

  if (r->fd >= 0)
    close (r->fd);
  g_free (r->path);
  g_free (r);
}

/* Row r->id's WAV into r->fd, a chunk at a time: a long clip is never
 * all in memory. */
static gboolean
save_wav (sqlite3 *db, const SaveRequest *r, GCancellable *cancellable, GError **error)
{
  enum { CHUNK = 1 << 20 };
  sqlite3_blob *blob = open_wav (db, r->id, error);
  g_autofree guint8 *buf = NULL;
  int size, rc = SQLITE_OK;

  if (blob == NULL)
    return FALSE;
  size = sqlite3_blob_bytes (blob);
  buf = g_malloc (CHUNK);
  for (int at = 0; at < size && rc == SQLITE_OK; at += CHUNK)
    {
      int n = MIN (CHUNK, size - at);
      const guint8 *p = buf;
      gsize left = (gsize) n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          sqlite3_blob_close (blob);
          return FALSE;
        }
      if ((rc = sqlite3_blob_read (blob, buf, n, at)) != SQLITE_OK)
        break;
      while (left > 0)
        {
          gssize w = write (r->fd, p, left);

          if (w < 0 && errno == EINTR)
            continue;
          if (w <= 0)
            {
              int e = errno;

              sqlite3_blob_close (blob);
              g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot write the clip: %s",
                           g_strerror (e));
              return FALSE;
            }
          p += w;
          left -= (gsize) w;
        }
    }
  sqlite3_blob_close (blob);
  return rc == SQLITE_OK || blob_failed (db, rc, error);
}

static void
save_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LmAudioLoader *self = source;
  SaveRequest *r = task_data;
  GError *error = NULL;
  gboolean ok;
  sqlite3 *db = take_db (self, task, r->path);

  if (db == NULL)
    return;
  ok = save_wav (db, r, cancellable, &error);
  lm_reader_pool_give (self->pool, r->path, db);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lm_audio_loader_save_async (LmAudioLoader *self, const char *path, gint64 id, int fd,
                            GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  SaveRequest *r = g_new0 (SaveRequest, 1);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  r->path = g_strdup (path);
  r->id = id;
  r->fd = fd;
  g_task_set_task_data (task, r, save_request_free);
  g_task_run_in_thread (task, save_thread);
  g_object_unref (task);
}

gboolean
lm_audio_loader_save_finish (LmAudioLoader *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

guint
lm_audio_loader_get_n_decoded (LmAudioLoader *self)
{
  g_return_val_if_fail (LM_IS_AUDIO_LOADER (self), 0);
  return self->n_decoded;
}

static void
lm_audio_loader_finalize (GObject *object)
{
  LmAudioLoader *self = LM_AUDIO_LOADER (object);

  lm_lru_cache_free (self->cache);
  lm_reader_pool_free (self->pool);
  G_OBJECT_CLASS (lm_audio_loader_parent_class)->finalize (object);
}

static void
lm_audio_loader_class_init (LmAudioLoaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lm_audio_loader_finalize;
}

static void
lm_audio_loader_init (LmAudioLoader *self)
{
  self->pool = lm_reader_pool_new ();
}

LmAudioLoader *
lm_audio_loader_new (gsize cache_bytes)
{
  LmAudioLoader *self = g_object_new (LM_TYPE_AUDIO_LOADER, NULL);

  self->cache = lm_lru_cache_new (cache_bytes ? cache_bytes : DEFAULT_CACHE_BYTES);
  return self;
}
