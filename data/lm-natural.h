/* lm-natural.h: the order names are shown in (tags, tag groups, runs).
 *
 * What it is for: comparing two names the way TensorBoard does, digit runs
 * by their value, so layer_2 comes before layer_10 and metric_12 before
 * metric_100.  Not for: locale collation (other text is compared byte by
 * byte, which for UTF-8 is code point order).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* < 0, 0, > 0 like strcmp.  Runs of ASCII digits compare by value
 * (leading zeros aside), everything else byte by byte; names equal that
 * way (a01 and a1) are ordered by strcmp, so the order is total: 0 only
 * for equal strings. */
int lm_natural_compare (const char *a, const char *b);
/* For g_ptr_array_sort on an array of char *. */
int lm_natural_compare_ptrs (gconstpointer a, gconstpointer b);

G_END_DECLS
