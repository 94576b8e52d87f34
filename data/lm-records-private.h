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

G_END_DECLS
