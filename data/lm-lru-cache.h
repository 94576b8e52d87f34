/* lm-lru-cache.h: a main-thread cache of decoded things by string key,
 * kept by bytes, least recently used dropped first.
 *
 * What it is for: the image and audio loaders (lm-image-loader.c,
 * lm-audio.c) keep what their workers decoded here, so a card that draws
 * or plays something again never decodes it twice.  A value over a third
 * of the limit is not kept (whoever asked for it holds it while it is
 * needed): one full-size photo must not push out a screenful of cards.
 * The most recent value is always kept, even alone over the limit.
 * Not for: use from several threads (no lock: the loaders touch it from
 * their finish callbacks on the main thread only).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _LmLruCache LmLruCache;

/* limit: the bytes kept at the most (> 0). */
LmLruCache *lm_lru_cache_new    (gsize limit);
void        lm_lru_cache_free   (LmLruCache *cache);
gsize       lm_lru_cache_limit  (const LmLruCache *cache);
/* Keeps `value` (bytes big, freed with `free_value` when dropped) under
 * key, now the most recent, and drops the oldest while over the limit.
 * A value too big to keep, or a key already kept, is freed at once.
 * TRUE when kept. */
gboolean    lm_lru_cache_insert (LmLruCache     *cache,
                                 const char     *key,
                                 gpointer        value,
                                 gsize           bytes,
                                 GDestroyNotify  free_value);
/* The value kept under key (owned by the cache), now the most recent;
 * NULL when none. */
gpointer    lm_lru_cache_lookup (LmLruCache *cache, const char *key);

G_END_DECLS
