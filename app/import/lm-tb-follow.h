/* lm-tb-follow.h: following a TensorBoard log folder in the background.
 *
 * What it is for: `lumen --logdir DIR` where DIR holds event files: a
 * thread imports DIR (lm-tb-import.h) into a cache folder, again every
 * interval, so the app's run store, given the cache as one more root,
 * shows the runs live under their source names.
 *
 * What it is not for: the command line's --follow (app/import/main.c
 * polls in its own loop), or reading the runs (data/).
 */
#ifndef LM_TB_FOLLOW_H
#define LM_TB_FOLLOW_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct _LmTbFollower LmTbFollower;

/* g_get_user_cache_dir()/lumen/tfevents/<hash of the absolute root>: one
 * cache per source folder, replaced at each start. */
char *lm_tb_cache_dir (const char *root);

/* Starts importing src into cache (runs already there are replaced),
 * then every interval_ms (0: 1000).  With wait_first the first pass is
 * done before returning (a screenshot needs the runs there at once).
 * One follower per cache folder in a process: a second call for the same
 * cache returns the running one with one more reference.  When another
 * process (another lumen on the same folder) holds the cache's lock
 * (cache/.lumen-follow.lock), the follower imports nothing and leaves
 * that process's runs as they are: they are live all the same. */
LmTbFollower *lm_tb_follower_get (const char *src, const char *cache, guint interval_ms,
                                  gboolean wait_first);
/* FALSE for a follower that leaves the cache to another process. */
gboolean lm_tb_follower_is_importing (LmTbFollower *f);
/* Number of passes done so far. */
guint lm_tb_follower_get_n_passes (LmTbFollower *f);
/* Drops a reference; the last one stops the thread (the runs are marked
 * stopped and closed) and releases the cache's lock. */
void lm_tb_follower_unref (LmTbFollower *f);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmTbFollower, lm_tb_follower_unref)

G_END_DECLS

#endif /* LM_TB_FOLLOW_H */
