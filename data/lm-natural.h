/* lm-natural.h: the order names are shown in (tags, tag groups, runs).
 *
 * What it is for: comparing two names the way TensorBoard does, numbers
 * by their value, so layer_2 comes before layer_10, metric_12 before
 * metric_100, and a sweep's lr0.001, lr0.01, lr0.05, lr0.1 (or lr1e-4,
 * lr3e-4, lr1e-3) in the order of their learning rates.  Not for: locale
 * collation (other text is compared byte by byte, which for UTF-8 is code
 * point order).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* < 0, 0, > 0 like strcmp.  Numbers compare by value: a run of ASCII
 * digits with its fraction (0.05) and exponent (1e-4, 2.5E+3), as
 * TensorBoard reads them; but a number right after a '.' (the 10 of
 * blocks.1.10) or followed by two ".digits" (1.10.2) has no fraction, so
 * module paths and versions compare part by part.  Everything else byte
 * by byte; names equal that way (a01 and a1, lr1e-3 and lr0.001) are
 * ordered by strcmp, so the order is total: 0 only for equal strings. */
int lm_natural_compare (const char *a, const char *b);
/* For g_ptr_array_sort on an array of char *. */
int lm_natural_compare_ptrs (gconstpointer a, gconstpointer b);

G_END_DECLS
