/* example-util.h: what the lumen-log examples share that is not logging:
 * the made-up numbers they log (a seeded generator, uniform and normal
 * draws) and failing with lumen-log's message.  Header-only, so that
 * `cc examples/log-scalars.c $(pkg-config --cflags --libs lumen-log) -lm`
 * still builds an example on its own (the file sits next to it).
 *
 * Not for: programs of your own (use your data and error handling), nor
 * installed with lumen-log.
 */
#ifndef LUMEN_EXAMPLE_UTIL_H
#define LUMEN_EXAMPLE_UTIL_H

#include <lumen-log.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t example_rng_state = 0x9E3779B97F4A7C15ull;

/* Uniform in [0, 1), the same sequence on every run. */
static inline double example_uniform01(void) {
  example_rng_state = example_rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(example_rng_state >> 11) * (1.0 / 9007199254740992.0);
}

/* Standard normal (Box-Muller). */
static inline double example_normal(void) {
  double u = example_uniform01(), v = example_uniform01();
  return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

/* Exits with lumen-log's own message, which names what was wrong:
 * "log-scalars: logging a histogram failed: ... (LM_ERR_INVALID_ARG)". */
static inline void example_check(const char *program, int rc, const char *what) {
  if (rc != LM_OK) {
    fprintf(stderr, "%s: %s failed: %s (%s)\n", program, what, lm_log_last_error(),
            lm_error_name(rc));
    exit(1);
  }
}

#endif /* LUMEN_EXAMPLE_UTIL_H */
