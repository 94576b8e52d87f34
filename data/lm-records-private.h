/* lm-records-private.h: what lm-records.c and lm-records-read.c share.
 * Not for ui/ or app/.
 */
#pragma once

#include "lm-records.h"

G_BEGIN_DECLS

/* The destructor of one item of a series of this kind. */
GDestroyNotify lm_record_item_free_func (LmRecordKind kind);

/* How many times the feed has tried to open a run file (tests: a file
 * that failed is not tried again until it changes). */
guint lm_record_feed_get_n_opens (LmRecordFeed *self);

/* PR curves in two passes, so that a card can draw before every step is
 * read: the curves with id > *last_id, each tag's newest (largest step,
 * then id) with its points and the others pending, their ids appended to
 * `pending`; then lm_pr_curves_read_ids reads those ids in full. */
gboolean lm_pr_curves_read_newest (gpointer db, gint64 *last_id, GHashTable *out, GArray *pending, char **error);
gboolean lm_pr_curves_read_ids    (gpointer db, GArray *ids, GHashTable *out, char **error);

G_END_DECLS
