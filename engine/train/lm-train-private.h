/* lm-train-private.h: helpers shared by engine/data/ and engine/train/.
 *
 * Error strings: the data and training functions report failures through an
 * optional `char **error` out-parameter (a malloc'd, one-line message naming
 * the file, what was expected and what was found; the caller free()s it).
 * This header holds the formatter for those and the little-endian helpers the
 * file formats (IDX is big-endian, safetensors little-endian) need.
 *
 * Not for users: nothing here is installed.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Sets *error (when error is non-NULL and *error is NULL) to a malloc'd
 * printf-style message. A message already there is kept: the first, most
 * specific failure wins. */
void lm_train_set_error(char **error, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* Last path component, for messages that name a file without its folder. */
const char *lm_train_basename(const char *path);

static inline uint32_t lm_read_be32(const uint8_t *p)
{
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t lm_read_le64(const uint8_t *p)
{
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

static inline void lm_write_le64(uint8_t *p, uint64_t v)
{
  for (int i = 0; i < 8; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

/* splitmix64: a small, well-mixed generator for shuffles and seeds derived
 * from (seed, epoch, step). Independent of the engine's tensor generator, so
 * data order never depends on how many random numbers the model drew. */
static inline uint64_t lm_splitmix64(uint64_t *state)
{
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Uniform integer in [0, n) without modulo bias (Lemire's method). */
static inline uint64_t lm_rand_below(uint64_t *state, uint64_t n)
{
  uint64_t x = lm_splitmix64(state);
  __uint128_t m = (__uint128_t)x * n;
  uint64_t low = (uint64_t)m;
  if (low < n) {
    uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      x = lm_splitmix64(state);
      m = (__uint128_t)x * n;
      low = (uint64_t)m;
    }
  }
  return (uint64_t)(m >> 64);
}
