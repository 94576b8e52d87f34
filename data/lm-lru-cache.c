/* lm-lru-cache.c: see lm-lru-cache.h. */
#include "lm-lru-cache.h"

typedef struct
{
  char *key;
  gpointer value;
  gsize bytes;
  GDestroyNotify free_value;
} Entry;

struct _LmLruCache
{
  gsize limit, bytes;
  GHashTable *index;  /* key (the entry's) -> its link in lru */
  GQueue lru;         /* Entry*, most recent first */
};

static void
entry_free (gpointer data)
{
  Entry *e = data;

  g_free (e->key);
  if (e->free_value != NULL)
    e->free_value (e->value);
  g_free (e);
}

LmLruCache *
lm_lru_cache_new (gsize limit)
{
  LmLruCache *cache = g_new0 (LmLruCache, 1);

  cache->limit = limit;
  cache->index = g_hash_table_new (g_str_hash, g_str_equal);
  return cache;
}

void
lm_lru_cache_free (LmLruCache *cache)
{
  if (cache == NULL)
    return;
  g_hash_table_unref (cache->index);
  g_queue_clear_full (&cache->lru, entry_free);
  g_free (cache);
}

gsize
lm_lru_cache_limit (const LmLruCache *cache)
{
  return cache->limit;
}

gboolean
lm_lru_cache_insert (LmLruCache *cache, const char *key, gpointer value, gsize bytes,
                     GDestroyNotify free_value)
{
  Entry *e;

  if (bytes > cache->limit / 3 || g_hash_table_contains (cache->index, key))
    {
      if (free_value != NULL)
        free_value (value);
      return FALSE;
    }
  e = g_new (Entry, 1);
  *e = (Entry) { g_strdup (key), value, bytes, free_value };
  g_queue_push_head (&cache->lru, e);
  g_hash_table_insert (cache->index, e->key, cache->lru.head);
  cache->bytes += bytes;
  while (cache->bytes > cache->limit && cache->lru.length > 1)
    {
      Entry *old = g_queue_pop_tail (&cache->lru);

      cache->bytes -= old->bytes;
      g_hash_table_remove (cache->index, old->key);
      entry_free (old);
    }
  return TRUE;
}

gpointer
lm_lru_cache_lookup (LmLruCache *cache, const char *key)
{
  GList *link = g_hash_table_lookup (cache->index, key);

  if (link == NULL)
    return NULL;
  g_queue_unlink (&cache->lru, link);
  g_queue_push_head_link (&cache->lru, link);
  return ((Entry *) link->data)->value;
}
