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
#include <string.h>

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

/* The arguments of an example that takes only where to log:
 * `--logdir DIR` (default "runs") and `--run NAME` (default run_default).
 * Returns -1 when the program should go on, else its exit status (0 after
 * --help, 2 after anything else, with the usage on stderr). */
static inline int example_parse_run_args(int argc, char **argv, const char **logdir, const char **run,
                                         const char *run_default) {
  *logdir = "runs";
  *run = run_default;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--logdir") && i + 1 < argc)
      *logdir = argv[++i];
    else if (!strcmp(argv[i], "--run") && i + 1 < argc)
      *run = argv[++i];
    else {
      fprintf(stderr, "usage: %s [--logdir DIR (default: runs)] [--run NAME (default: %s)]\n", argv[0],
              run_default);
      return strcmp(argv[i], "--help") ? 2 : 0;
    }
  }
  return -1;
}

#endif /* LUMEN_EXAMPLE_UTIL_H */
