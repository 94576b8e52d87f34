/* lm-records-private.h: what lm-records.c and lm-records-read.c share.
 * Not for ui/ or app/.
 */
#pragma once

#include "lm-records.h"

G_BEGIN_DECLS

/* The destructor of one item of a series of this kind. */
GDestroyNotify lm_record_item_free_func (LmRecordKind kind);

G_END_DECLS
