/* cuda-absent.c: lumen-cuda.h for builds without CUDA (-Dcuda=disabled, or no
 * toolkit found at configure time).
 *
 * There is no CUDA backend table in such a build: backend.c then refuses cuda
 * devices with lm_cuda_unavailable_reason()'s sentence, and lm_cuda_is_available()
 * is false. The functions below keep programs that query the GPU (benchmarks,
 * lumen-train --device) linking and running unchanged: zero devices, zero
 * bytes, nothing to wait for.
 */
#include <string.h>

#include "cuda/lm-cuda.h"

int lm_cuda_device_count(void)
{
  return 0;
}

const char *lm_cuda_unavailable_reason(void)
{
  return "CUDA requested but Lumen was built without CUDA (reconfigure with -Dcuda=enabled on "
         "a machine with the CUDA toolkit)";
}

bool lm_cuda_get_device_name(int device, char *buf, size_t len)
{
  (void)device;
  if (len)
    buf[0] = '\0';
  return false;
}

static bool allow_tf32;

bool lm_cuda_set_allow_tf32(bool allow)
{
  bool prev = allow_tf32;
  allow_tf32 = allow; /* remembered, so a program can read back what it set */
  return prev;
}

bool lm_cuda_allow_tf32(void)
{
  return allow_tf32;
}

void lm_cuda_synchronize(int device)
{
  (void)device;
}

unsigned long long lm_cuda_host_syncs(int device)
{
  (void)device;
  return 0;
}

void lm_cuda_get_counters(lm_cuda_counters *out)
{
  memset(out, 0, sizeof *out);
}

void *lm_cuda_stream(int device)
{
  (void)device;
  return NULL;
}

bool lm_cuda_get_memory_stats(int device, lm_cuda_memory_stats *stats)
{
  (void)device;
  memset(stats, 0, sizeof *stats);
  return false;
}

size_t lm_cuda_memory_allocated(int device)
{
  (void)device;
  return 0;
}

size_t lm_cuda_max_memory_allocated(int device)
{
  (void)device;
  return 0;
}

size_t lm_cuda_memory_reserved(int device)
{
  (void)device;
  return 0;
}

void lm_cuda_reset_peak_memory_stats(int device)
{
  (void)device;
}

void lm_cuda_empty_cache(void)
{
}
