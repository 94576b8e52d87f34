/* lm-tb-follow.c: a thread that keeps a cache of a TensorBoard log folder
 * (see lm-tb-follow.h). */
#include "lm-tb-follow.h"
#include "lm-tb-import.h"

#include <stdio.h>

struct _LmTbFollower
{
  LmTbImport *imp;
  char *src;
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

LmTbFollower *
lm_tb_follower_new (const char *src, const char *cache, guint interval_ms, gboolean wait_first)
{
  LmTbFollower *f = g_new0 (LmTbFollower, 1);

  f->src = g_strdup (src);
  f->interval_ms = interval_ms ? interval_ms : 1000;
  f->imp = lm_tb_import_new (src, cache, LM_TB_IMPORT_OVERWRITE);
  lm_tb_import_set_message_func (f->imp, on_message, NULL);
  g_mutex_init (&f->mu);
  g_cond_init (&f->cond);
  f->thread = g_thread_new ("lumen-tfevents", follow_thread, f);
  if (wait_first)
    {
      g_mutex_lock (&f->mu);
      while (!f->first_done)
        g_cond_wait (&f->cond, &f->mu);
      g_mutex_unlock (&f->mu);
      lm_tb_import_flush (f->imp);
    }
  return f;
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
lm_tb_follower_free (LmTbFollower *f)
{
  if (f == NULL)
    return;
  g_mutex_lock (&f->mu);
  f->stop = TRUE;
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->mu);
  g_thread_join (f->thread);
  lm_tb_import_finish (f->imp, TRUE);
  lm_tb_import_free (f->imp);
  g_mutex_clear (&f->mu);
  g_cond_clear (&f->cond);
  g_free (f->src);
  g_free (f);
}
