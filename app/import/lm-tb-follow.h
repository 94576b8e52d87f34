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
 * done before returning (a screenshot needs the runs there at once). */
LmTbFollower *lm_tb_follower_new (const char *src, const char *cache, guint interval_ms,
                                  gboolean wait_first);
/* Number of passes done so far. */
guint lm_tb_follower_get_n_passes (LmTbFollower *f);
/* Stops the thread; the runs are marked stopped and closed. */
void lm_tb_follower_free (LmTbFollower *f);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmTbFollower, lm_tb_follower_free)

G_END_DECLS

#endif /* LM_TB_FOLLOW_H */
