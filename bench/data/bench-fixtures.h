/* bench-fixtures.h: big log directories for the benchmarks.
 *
 * What it is for: writing (once, then reusing) the benchmark
 * shapes with the SQL fixture writer: "big" (1 run x 10 tags x 1,000,000
 * points), "wide" (200 runs x 20 tags x 10,000 points) and "pan" (1 run x
 * 1 tag x 1,000,000 points with spikes), under a folder such as
 * /tmp/lumen-bench.
 */
#pragma once

#include <glib.h>

/* Returns <dir>/<name> (g_free it), writing it first if needed. */
char *lm_bench_fixture (const char *dir, const char *name);
