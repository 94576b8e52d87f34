/* lm-fixture.h: reads the .lmfx known-answer files written by
 * tests/engine/gen_fixtures.py (format described there) and compares engine
 * tensors with them. Test-only code. */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "lumen-engine.h"

typedef struct {
  char *name;
  int dtype;               /* 0 float32, 1 int64 */
  int ndim;
  int64_t shape[LM_MAX_DIMS];
  int64_t numel;
  void *data;
} lm_fx_tensor;

typedef struct {
  int n;
  lm_fx_tensor *tensors;
} lm_fx_file;

/* Loads tests/engine/fixtures/<name>; fails the test on a missing or corrupt file. */
lm_fx_file *lm_fx_load(const char *name);
void lm_fx_free(lm_fx_file *f);
/* The tensor called `name`, or NULL. */
const lm_fx_tensor *lm_fx_find(const lm_fx_file *f, const char *name);
/* Same, but fails the test when it is missing. */
const lm_fx_tensor *lm_fx_get(const lm_fx_file *f, const char *name);
/* A new engine tensor (CPU; float32 or int64) holding the fixture's values. */
lm_tensor *lm_fx_tensor_new(const lm_fx_tensor *t);
/* Element i of an int64 entry that stores float64 bit patterns ("*64"). */
double lm_fx_f64(const lm_fx_tensor *t, int64_t i);
/* Asserts got matches want in shape and values: |g - w| <= atol + rtol * |w|
 * (NaN == NaN). `what` names the comparison in the failure message. */
void lm_fx_assert_close(const lm_tensor *got, const lm_fx_tensor *want, double rtol, double atol,
                        const char *what);
