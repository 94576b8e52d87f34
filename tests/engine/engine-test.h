/* engine-test.h: small helpers shared by the engine's core test programs:
 * a non-aborting error handler that records messages, and value checks.
 * Header-only (static functions), so each test program stays one file. */
#pragma once

#include <glib.h>
#include <math.h>
#include <string.h>

#include "lumen-engine.h"

typedef struct {
  int count;
  char last[1024];
} et_errors;

static et_errors et_err;

static void et_error_handler(const char *message, void *user_data)
{
  et_errors *e = user_data;
  e->count++;
  g_strlcpy(e->last, message, sizeof e->last);
}

/* Installs the recording handler and clears the record. */
static inline void et_catch_errors(void)
{
  memset(&et_err, 0, sizeof et_err);
  lm_set_error_handler(et_error_handler, &et_err);
}

static inline void et_default_errors(void)
{
  lm_set_error_handler(NULL, NULL);
}

/* Asserts that exactly one error was raised since the last call and that its
 * message contains `needle`. */
#define et_assert_error(needle)                                                      \
  do {                                                                               \
    g_assert_cmpint(et_err.count, ==, 1);                                            \
    if (!strstr(et_err.last, (needle)))                                              \
      g_error("error message '%s' does not contain '%s'", et_err.last, (needle));    \
    et_err.count = 0;                                                                \
  } while (0)

/* Compares a tensor (any layout) with expected values. */
static inline void et_assert_values(const lm_tensor *t, const float *expect, int64_t n, double tol)
{
  g_assert_nonnull(t);
  g_assert_cmpint(lm_numel(t), ==, n);
  float *v = g_new(float, n ? n : 1);
  lm_tensor_copy_to_host(t, v);
  for (int64_t i = 0; i < n; i++) {
    if (isnan(expect[i]) && isnan(v[i]))
      continue;
    if (!(fabs((double)v[i] - expect[i]) <= tol * (1.0 + fabs(expect[i]))))
      g_error("element %" G_GINT64_FORMAT ": got %.7g, expected %.7g", (gint64)i, v[i], expect[i]);
  }
  g_free(v);
}

#define et_assert_shape(t, ...)                                                      \
  do {                                                                               \
    const int64_t et_s_[] = {__VA_ARGS__};                                           \
    int et_n_ = (int)(sizeof et_s_ / sizeof et_s_[0]);                               \
    g_assert_cmpint((t)->ndim, ==, et_n_);                                           \
    for (int et_i_ = 0; et_i_ < et_n_; et_i_++)                                      \
      g_assert_cmpint((t)->shape[et_i_], ==, et_s_[et_i_]);                          \
  } while (0)
