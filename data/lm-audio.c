/* lm-audio.c: WAV decoding and the audio clip loader (see lm-audio.h).
 *
 * The header is parsed by logging/lm-wav.h, the same code that checks a
 * WAV handed to lumen-log, so a clip the writer stored always decodes
 * here; only turning samples into floats lives in this file.  The cache
 * and its LRU order live on the main thread; workers only read the blob
 * and decode it, each on its own pooled connection (lm-reader-private.h).
 */
#include "lm-audio.h"

#include <math.h>
#include <string.h>
#include <sqlite3.h>

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

gboolean
lm_wav_decode (const void *data, gsize size, LmWav *out, GError **error)
{
  lm_wav_info info;
  char msg[200];
  gsize n, width;
  const guint8 *p;

  memset (out, 0, sizeof *out);
  if (lm_wav_parse (data, size, &info, msg, sizeof msg) != 0)
    {
      g_set_error_literal (error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_BAD_WAV, msg);
      return FALSE;
    }
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

  g_bytes_unref (clip->wav);
  lm_wav_clear (&clip->pcm);
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
  return g_bytes_get_size (clip->wav)
         + (gsize) clip->pcm.frames * (gsize) clip->pcm.channels * sizeof (float);
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

/* The clip of row r->id, or NULL with *error set. */
static LmAudioClip *
read_clip (sqlite3 *db, const ClipRequest *r, GError **error)
{
  sqlite3_stmt *st = NULL;
  LmAudioClip *clip = NULL;
  int rc = sqlite3_prepare_v2 (db, "SELECT wav FROM audio WHERE id = ?1", -1, &st, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (st, 1, r->id);
      rc = sqlite3_step (st);
    }
  if (rc == SQLITE_ROW)
    {
      GBytes *wav = g_bytes_new (sqlite3_column_blob (st, 0), (gsize) sqlite3_column_bytes (st, 0));
      LmWav pcm;
      g_autoptr (GError) local = NULL;
      gsize size;
      const void *bytes = g_bytes_get_data (wav, &size);

      if (lm_wav_decode (bytes, size, &pcm, &local))
        {
          clip = g_atomic_rc_box_new0 (LmAudioClip);
          clip->wav = wav;
          clip->pcm = pcm;
        }
      else
        {
          g_set_error (error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_BAD_WAV,
                       "audio row %" G_GINT64_FORMAT ": %s", r->id, local->message);
          g_bytes_unref (wav);
        }
    }
  else if (rc == SQLITE_DONE || strstr (sqlite3_errmsg (db), "no such table") != NULL)
    g_set_error (error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_MISSING,
                 "audio row %" G_GINT64_FORMAT " is not in the run file", r->id);
  else
    {
      g_autofree char *msg = lm_reader_describe_error (db, rc, "reading an audio clip", NULL);

      g_set_error_literal (error, LM_AUDIO_ERROR, LM_AUDIO_ERROR_READ, msg);
    }
  sqlite3_finalize (st);
  return clip;
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LmAudioLoader *self = source;
  ClipRequest *r = task_data;
  g_autofree char *msg = NULL;
  GError *error = NULL;
  LmAudioClip *clip;
  sqlite3 *db = lm_reader_pool_take (self->pool, r->path, &msg);

  if (db == NULL)
    {
      g_task_return_new_error (task, LM_AUDIO_ERROR, LM_AUDIO_ERROR_READ, "%s: %s", r->path, msg);
      return;
    }
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
