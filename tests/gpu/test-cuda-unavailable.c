/* test-cuda-unavailable.c: asking for CUDA where it cannot be had gives one
 * clear sentence and leaves the CPU engine working (suite 'gpu'; runs, and
 * must pass, on every machine: CI has no GPU).
 *
 * Three situations, one program:
 *   - a build without CUDA: "CUDA requested but Lumen was built without CUDA";
 *   - a CUDA build on a machine without a driver or a GPU (CI, laptops):
 *     "no CUDA GPU found: <what the driver situation is>";
 *   - a GPU machine: asking for a device index past the last one names it.
 * In each case: exactly one error through a non-aborting handler, no CUDA
 * error codes in the text, the failing call returns NULL/false, nothing is
 * half-moved, and CPU tensors keep working.
 */
#include "gpu-test.h"

#include "lumen-nn.h"

#ifndef LM_TEST_HAVE_CUDA
#define LM_TEST_HAVE_CUDA 0
#endif

static int n_errors;
static char last_msg[1024];

static void record_error(const char *message, void *user_data)
{
  (void)user_data;
  n_errors++;
  snprintf(last_msg, sizeof last_msg, "%s", message);
}

/* The one error since the last call reads well: the expected words, no raw codes. */
static void expect_one_error(const char *needle)
{
  if (n_errors != 1)
    gt_fail("expected exactly one error, got %d (last: \"%s\")", n_errors, last_msg);
  if (!strstr(last_msg, needle))
    gt_fail("error \"%s\" does not say \"%s\"", last_msg, needle);
  if (strstr(last_msg, "cudaError") || strstr(last_msg, "CUDA_ERROR") || strstr(last_msg, "code "))
    gt_fail("error \"%s\" shows a raw CUDA error code", last_msg);
  n_errors = 0;
}

/* The device that cannot be had here, and what the message must say. */
static lm_device missing_device(const char **needle)
{
  if (lm_cuda_is_available()) {
    *needle = "does not exist";
    return (lm_device){LM_DEVICE_CUDA, lm_cuda_device_count()};
  }
  *needle = LM_TEST_HAVE_CUDA ? "no CUDA GPU found: " : "CUDA requested but Lumen was built without CUDA";
  return LM_CUDA0;
}

static void test_to_missing_device(void)
{
  const char *needle;
  lm_device dev = missing_device(&needle);
  gt_message("this machine: %s", lm_cuda_is_available() ? "has a GPU" : lm_cuda_unavailable_reason());
  lm_set_error_handler(record_error, NULL);
  n_errors = 0;
  lm_scope_begin();
  lm_tensor *t = lm_ones(LM_SHAPE(2, 3));
  gt_assert(lm_to(t, dev) == NULL);
  expect_one_error(needle);
  if (!lm_cuda_is_available()) {
    gt_assert(strstr(last_msg, lm_cuda_unavailable_reason()) != NULL);
    gt_assert(lm_cuda_device_count() == 0);
    gt_assert(strlen(lm_cuda_unavailable_reason()) > 20);
  } else {
    gt_assert(lm_cuda_unavailable_reason()[0] == '\0');
  }
  /* CPU work is unaffected. */
  lm_tensor *s = lm_sum(lm_add(t, t));
  gt_assert(s && lm_item(s) == 12.0f);
  gt_assert(n_errors == 0);
  lm_scope_end();
  lm_set_error_handler(NULL, NULL);
}

static void test_module_to_missing_device(void)
{
  const char *needle;
  lm_device dev = missing_device(&needle);
  lm_set_error_handler(record_error, NULL);
  n_errors = 0;
  lm_module *m = lm_nn_linear(4, 3);
  gt_assert(m != NULL);
  gt_assert(!lm_module_to(m, dev));
  expect_one_error(needle);
  /* nothing moved: the module still trains on the CPU */
  lm_named_tensor *params = NULL;
  size_t n = lm_module_named_parameters(m, &params);
  for (size_t i = 0; i < n; i++)
    gt_assert(params[i].tensor->device.type == LM_DEVICE_CPU);
  free(params);
  lm_scope_begin();
  lm_tensor *y = lm_module_forward(m, lm_ones(LM_SHAPE(2, 4)));
  gt_assert(y && y->shape[0] == 2 && y->shape[1] == 3);
  lm_scope_end();
  gt_assert(n_errors == 0);
  lm_module_free(m);
  lm_set_error_handler(NULL, NULL);
}

static void test_cuda_api_without_gpu(void)
{
  if (lm_cuda_is_available()) {
    gt_skip("this machine has a GPU: the no-GPU answers of lumen-cuda.h do not apply");
    return;
  }
  lm_cuda_memory_stats st;
  gt_assert(!lm_cuda_get_memory_stats(0, &st));
  gt_assert(st.allocated == 0 && st.reserved == 0 && st.n_allocs == 0);
  gt_assert(lm_cuda_memory_allocated(0) == 0 && lm_cuda_memory_reserved(0) == 0);
  gt_assert(lm_cuda_max_memory_allocated(0) == 0);
  char name[64] = "x";
  gt_assert(!lm_cuda_get_device_name(0, name, sizeof name) && name[0] == '\0');
  /* these do nothing, and must not fail or print */
  lm_set_error_handler(record_error, NULL);
  n_errors = 0;
  lm_cuda_synchronize(0);
  lm_cuda_empty_cache();
  lm_cuda_reset_peak_memory_stats(0);
  bool prev = lm_cuda_set_allow_tf32(true);
  gt_assert(lm_cuda_allow_tf32());
  lm_cuda_set_allow_tf32(prev);
  gt_assert(n_errors == 0);
  lm_set_error_handler(NULL, NULL);
}

#ifdef LM_GPU_TEST_GLIB
/* With the default handler, the program ends with that one sentence on
 * stderr (as an uncaught Python exception would), not with a crash. */
static void test_default_handler_message(void)
{
  const char *needle;
  lm_device dev = missing_device(&needle);
  if (g_test_subprocess()) {
    lm_tensor *t = lm_ones(LM_SHAPE(2));
    lm_to(t, dev);
    return; /* not reached: the default handler exits */
  }
  g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed();
  g_test_trap_assert_stderr("*lumen: error: cuda: *");
  char pattern[256];
  snprintf(pattern, sizeof pattern, "*%s*", needle);
  g_test_trap_assert_stderr(pattern);
}
#endif

int main(int argc, char **argv)
{
  gt_init(&argc, &argv);
  gt_add("/cuda/unavailable/to", test_to_missing_device);
  gt_add("/cuda/unavailable/module-to", test_module_to_missing_device);
  gt_add("/cuda/unavailable/api", test_cuda_api_without_gpu);
#ifdef LM_GPU_TEST_GLIB
  gt_add("/cuda/unavailable/default-handler", test_default_handler_message);
#endif
  return gt_run();
}
