/* lm-tb-follow.c: a thread that keeps a cache of a TensorBoard log folder
 * (see lm-tb-follow.h). */
#include "lm-tb-follow.h"
#include "lm-tb-import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gstdio.h>

struct _LmTbFollower
{
  guint refs;
  LmTbImport *imp;          /* NULL: another process follows this cache */
  int lock_fd;              /* cache/.lumen-follow.lock, flock()ed; -1 */
  char *src, *cache;
  guint interval_ms;
  GThread *thread;
  GMutex mu;
  GCond cond;
  gboolean stop;
  gboolean first_done;
  guint n_passes;
};

char *
lm_tb_cache_dir (const char *root)
{
  g_autofree char *abs = g_canonicalize_filename (root, NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, abs, -1);

  hash[16] = '\0';
  return g_build_filename (g_get_user_cache_dir (), "lumen", "tfevents", hash, NULL);
}

/* Errors only, named as the app's: the per-run counts are for the CLI. */
static void
on_message (const char *message, gboolean is_error, gpointer user_data)
{
  (void) user_data;
  if (is_error)
    fprintf (stderr, "lumen: %s\n", message);
}

static gpointer
follow_thread (gpointer data)
{
  LmTbFollower *f = data;

  g_mutex_lock (&f->mu);
  while (!f->stop)
    {
      g_mutex_unlock (&f->mu);
      lm_tb_import_poll (f->imp);
      /* what the first pass read is in the files before anyone is told it
       * is done (a screenshot waits for it); later ones the writers commit
       * within 250 ms by themselves */
      if (!f->first_done)
        lm_tb_import_flush (f->imp);
      g_mutex_lock (&f->mu);
      f->n_passes++;
      f->first_done = TRUE;
      g_cond_broadcast (&f->cond);
      gint64 until = g_get_monotonic_time () + (gint64) f->interval_ms * 1000;
      while (!f->stop && g_cond_wait_until (&f->cond, &f->mu, until))
        ;
    }
  g_mutex_unlock (&f->mu);
  return NULL;
}

/* The followers of this process by cache folder: two windows on one
 * folder share one (a second importer would replace the first's runs). */
G_LOCK_DEFINE_STATIC (followers);
static GHashTable *followers;

/* Takes the cache's lock: FALSE when another process (another lumen on
 * the same folder) holds it, and then that one keeps the cache. */
static gboolean
take_cache_lock (LmTbFollower *f)
{
  g_autofree char *path = g_build_filename (f->cache, ".lumen-follow.lock", NULL);

  if (g_mkdir_with_parents (f->cache, 0700) != 0)
    {
      fprintf (stderr, "lumen: cannot create the cache folder %s for %s: %s\n", f->cache,
               f->src, g_strerror (errno));
      return FALSE;
    }
  f->lock_fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (f->lock_fd < 0)
    {
      fprintf (stderr, "lumen: cannot open %s: %s\n", path, g_strerror (errno));
      return FALSE;
    }
  if (flock (f->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (f->lock_fd);
      f->lock_fd = -1;
      return FALSE;
    }
  return TRUE;
}

LmTbFollower *
lm_tb_follower_get (const char *src, const char *cache, guint interval_ms, gboolean wait_first)
{
  LmTbFollower *f;

  G_LOCK (followers);
  if (followers == NULL)
    followers = g_hash_table_new (g_str_hash, g_str_equal);
  f = g_hash_table_lookup (followers, cache);
  if (f != NULL)
    f->refs++;
  else
    {
      f = g_new0 (LmTbFollower, 1);
      f->refs = 1;
      f->lock_fd = -1;
      f->src = g_strdup (src);
      f->cache = g_strdup (cache);
      f->interval_ms = interval_ms ? interval_ms : 1000;
      g_mutex_init (&f->mu);
      g_cond_init (&f->cond);
      g_hash_table_insert (followers, f->cache, f);
      if (take_cache_lock (f))
        {
          f->imp = lm_tb_import_new (src, cache,
                                     LM_TB_IMPORT_OVERWRITE | LM_TB_IMPORT_MIRROR);
          lm_tb_import_set_message_func (f->imp, on_message, NULL);
          f->thread = g_thread_new ("lumen-tfevents", follow_thread, f);
        }
    }
  G_UNLOCK (followers);
  if (wait_first && f->imp != NULL)
    {
      g_mutex_lock (&f->mu);
      while (!f->first_done)
        g_cond_wait (&f->cond, &f->mu);
      g_mutex_unlock (&f->mu);
    }
  return f;
}

gboolean
lm_tb_follower_is_importing (LmTbFollower *f)
{
  return f->imp != NULL;
}

guint
lm_tb_follower_get_n_passes (LmTbFollower *f)
{
  g_mutex_lock (&f->mu);
  guint n = f->n_passes;
  g_mutex_unlock (&f->mu);
  return n;
}

void
lm_tb_follower_unref (LmTbFollower *f)
{
  if (f == NULL)
    return;
  G_LOCK (followers);
  if (--f->refs > 0)
    {
      G_UNLOCK (followers);
      return;
    }
  g_hash_table_remove (followers, f->cache);
  G_UNLOCK (followers);
  if (f->imp != NULL)
    {
      g_mutex_lock (&f->mu);
      f->stop = TRUE;
      g_cond_broadcast (&f->cond);
      g_mutex_unlock (&f->mu);
      g_thread_join (f->thread);
      lm_tb_import_finish (f->imp, TRUE);
      lm_tb_import_free (f->imp);
    }
  if (f->lock_fd >= 0)
    close (f->lock_fd); /* releases the flock */
  g_mutex_clear (&f->mu);
  g_cond_clear (&f->cond);
  g_free (f->src);
  g_free (f->cache);
  g_free (f);
}
