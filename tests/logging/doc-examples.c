/* doc-examples.c: runs the lumen-log examples of docs/run-format.md and
 * docs/tensorboard.md as a user who copies them would.
 * test-doc-examples.sh extracts every ```c block of the two documents
 * into doc-examples.inc (c-blocks.sh), each as a function
 * DOC_EXAMPLE(n) { <the block> }; this file gives the blocks the
 * variables their text takes as already there (the writer w, step, the
 * data).  Blocks that open a writer of their own (run-format.md's
 * runs/exp1/lr0.1, tensorboard.md's runs/port) close it; the others log
 * into runs/examples.  Any call that fails prints lm_log_last_error() and
 * the program exits 1; test-doc-examples.sh then checks the run files.
 *   doc-examples   (in an empty folder: writes runs/ there)
 */
#include <lumen-log.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the blocks take as already there. */
enum { N = 300, D = 16, WIDTH = 32, HEIGHT = 24, FRAMES = 16000 };
static int64_t step = 10;
static float loss = 0.5f, val_loss = 0.6f;
static float weights[1000];
static uint8_t pixels[WIDTH * HEIGHT * 3];
static const int width = WIDTH, height = HEIGHT;
static uint8_t labels[N];
static float probs[N];
static float samples[FRAMES];
static const int64_t frames = FRAMES;
static float xyz[N * 3];
static uint8_t rgb[N * 3];
static float mat[N * D];
static const char *names[N];
static const size_t n = N, d = D;
static const char *tags[] = { "train/loss$", "val/loss$" };

static void make_data(void) {
  for (int i = 0; i < 1000; i++)
    weights[i] = sinf((float)i);
  for (int i = 0; i < WIDTH * HEIGHT * 3; i++)
    pixels[i] = (uint8_t)(i % 256);
  for (int i = 0; i < FRAMES; i++)
    samples[i] = 0.5f * sinf(2 * 3.14159265f * 440 * (float)i / FRAMES);
  for (int i = 0; i < N; i++) {
    labels[i] = i % 3 == 0;
    probs[i] = labels[i] ? 0.7f : 0.2f;
    names[i] = i % 2 ? "cat" : "dog";
    for (int k = 0; k < 3; k++) {
      xyz[i * 3 + k] = cosf((float)(i * 3 + k));
      rgb[i * 3 + k] = (uint8_t)(i + k);
    }
    for (int j = 0; j < D; j++)
      mat[i * D + j] = (float)((i * 5 + j) % 13);
  }
}

#include "checked-calls.h"

/* A block is the body of a function of the writer w; the blocks that
 * open a run declare a w of their own, in the inner braces. */
#define DOC_EXAMPLE(k) static int doc_example_##k(lm_writer *w)
#include "doc-examples.inc"

int main(void) {
  make_data();
  return run_blocks("doc-examples", doc_examples);
}
