/* readme-examples.c: runs the README's lumen-log examples as a user who
 * copies them would.  test-readme-examples.sh extracts every ```c block of
 * README.md into readme-examples.inc, each as a function
 * README_EXAMPLE(n) { <the block> }; this file gives the blocks the
 * variables their text takes as already there (the writer w, step, epoch,
 * the data), built with plain cc, -Werror and the build's lumen-log.pc.
 * Block 1 opens and closes runs/exp1/lr0.1 itself; the others log into
 * runs/examples.  Any call that fails prints lm_log_last_error() and the
 * program exits 1; test-readme-examples.sh then checks the run files.
 *   readme-examples   (in an empty folder: writes runs/ there)
 */
#include <lumen-log.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the blocks take as already there. */
static int64_t step = 10, epoch = 1;
enum { N = 300, D = 16, N_WEIGHTS = 1000 };
static float weights[N_WEIGHTS];
static const size_t n_weights = N_WEIGHTS;
static uint8_t pixels[28 * 28];
static uint8_t is_k[N];
static float probs_k[N];
static const size_t n = N, d = D;
static float features[N * D];
static const char *names[N];
static float thumbs[N * 16 * 16];
static float output[16000];
static float frames[40 * 3 * 48 * 64];
static float points[2000 * 3];
static uint8_t colors[2000 * 3];
static float ico_v[42 * 3];
static uint8_t ico_c[42 * 3];
static int32_t ico_f[80 * 3];
static const char *twse[] = { "twse/0050", "twse/2330" };

static float loss_at(int64_t s) { return 2.3f * expf(-0.003f * (float)s); }

static void make_data(void) {
  for (int i = 0; i < N_WEIGHTS; i++)
    weights[i] = sinf((float)i);
  for (int i = 0; i < 28 * 28; i++)
    pixels[i] = (uint8_t)(i % 256);
  for (int i = 0; i < N; i++) {
    is_k[i] = i % 3 == 0;
    probs_k[i] = is_k[i] ? 0.7f : 0.2f;
    names[i] = i % 3 == 0 ? "ring" : i % 3 == 1 ? "square" : "cross";
    for (int j = 0; j < D; j++)
      features[i * D + j] = (float)((i * 7 + j) % 11);
  }
  for (size_t i = 0; i < sizeof thumbs / sizeof *thumbs; i++)
    thumbs[i] = (float)(i % 256) / 255.0f;
  for (int i = 0; i < 16000; i++)
    output[i] = 0.5f * sinf(2 * 3.14159265f * 440 * (float)i / 16000);
  for (size_t i = 0; i < sizeof frames / sizeof *frames; i++)
    frames[i] = (float)(i % 97) / 96.0f;
  for (int i = 0; i < 2000; i++)
    for (int k = 0; k < 3; k++) {
      points[i * 3 + k] = sinf((float)(i * 3 + k));
      colors[i * 3 + k] = (uint8_t)(i + k);
    }
  for (int i = 0; i < 42 * 3; i++) {
    ico_v[i] = cosf((float)i);
    ico_c[i] = (uint8_t)(i * 5);
  }
  for (int i = 0; i < 80 * 3; i++)
    ico_f[i] = (i * 7) % 42;
}

#include "checked-calls.h"

/* A block is the body of a function of the writer w; block 1 declares a
 * w of its own, in the inner braces. */
#define README_EXAMPLE(k) static int readme_example_##k(lm_writer *w)
#include "readme-examples.inc"

int main(void) {
  make_data();
  return run_blocks("readme-examples", readme_examples);
}
