/* rng.c: the engine's seedable random number generator.
 *
 * Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"),
 * counter-based: the global state is only (key = seed, counter). A draw of n
 * numbers reserves ceil(n/4) counters and element i comes from word i%4 of
 * philox(key, counter + i/4), so a CUDA kernel (one thread per 4 elements) and
 * the CPU produce the same numbers for the same seed. Not a cryptographic RNG.
 */
#include <stdatomic.h>

#include "lm-backend.h"
#include "lm-engine-private.h"

/* PyTorch's default seed, so an unseeded program is still reproducible. */
#define LM_DEFAULT_SEED 67280421310721ULL

static _Atomic uint64_t rng_key = LM_DEFAULT_SEED;
static _Atomic uint64_t rng_counter = 0;

void lm_manual_seed(uint64_t seed)
{
  atomic_store(&rng_key, seed);
  atomic_store(&rng_counter, 0);
}

lm_rng_state lm_rng_reserve(int64_t n)
{
  uint64_t blocks = n > 0 ? ((uint64_t)n + 3) / 4 : 0;
  lm_rng_state st;
  st.key = atomic_load(&rng_key);
  st.counter = atomic_fetch_add(&rng_counter, blocks);
  return st;
}

void lm_philox4x32(uint64_t key, uint64_t counter, uint32_t out[4])
{
  uint32_t c0 = (uint32_t)counter, c1 = (uint32_t)(counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
  for (int r = 0; r < 10; r++) {
    uint64_t p0 = (uint64_t)0xD2511F53u * c0;
    uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
    uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
    c1 = (uint32_t)p1;
    c3 = (uint32_t)p0;
    c0 = n0;
    c2 = n2;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

void lm_rng_uniform_fill(float *dst, int64_t n, float a, float b)
{
  lm_rng_state st = lm_rng_reserve(n);
  lm_cpu_backend()->rand_uniform_f32(n, st.key, st.counter, a, b, dst);
}

void lm_rng_normal_fill(float *dst, int64_t n, float mean, float std)
{
  lm_rng_state st = lm_rng_reserve(n);
  lm_cpu_backend()->rand_normal_f32(n, st.key, st.counter, mean, std, dst);
}
