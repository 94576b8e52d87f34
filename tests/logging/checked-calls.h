/* checked-calls.h: for the harnesses that run a document's ```c blocks
 * (readme-examples.c, doc-examples.c; c-blocks.sh builds them).  Every
 * call of the library a block makes returns through CHECKED, so a call
 * that fails is reported, though the block drops the status; FAILURES
 * counts them.  RUN_BLOCKS runs the blocks.
 */
#ifndef CHECKED_CALLS_H
#define CHECKED_CALLS_H

#include <lumen-log.h>
#include <stdio.h>

static int failures;
static int checked(int status, const char *call) {
  if (status != LM_OK) {
    fprintf(stderr, "%s failed: %s\n", call, lm_log_last_error());
    failures++;
  }
  return status;
}

/* The blocks' calls, checked (a function-like macro is not expanded
 * where its name is the one being defined, so these reach the library).
 * A call a new block makes that is not listed here still builds and runs,
 * unchecked: add it. */
#define lm_writer_open(...) checked(lm_writer_open(__VA_ARGS__), "lm_writer_open")
#define lm_writer_add_scalar(...) checked(lm_writer_add_scalar(__VA_ARGS__), "lm_writer_add_scalar")
#define lm_writer_add_histogram(...) checked(lm_writer_add_histogram(__VA_ARGS__), "lm_writer_add_histogram")
#define lm_writer_add_image(...) checked(lm_writer_add_image(__VA_ARGS__), "lm_writer_add_image")
#define lm_writer_set_status(...) checked(lm_writer_set_status(__VA_ARGS__), "lm_writer_set_status")
#define lm_writer_close(...) checked(lm_writer_close(__VA_ARGS__), "lm_writer_close")
#define lm_writer_add_pr_curve(...) checked(lm_writer_add_pr_curve(__VA_ARGS__), "lm_writer_add_pr_curve")
#define lm_writer_add_embedding(...) checked(lm_writer_add_embedding(__VA_ARGS__), "lm_writer_add_embedding")
#define lm_writer_add_audio(...) checked(lm_writer_add_audio(__VA_ARGS__), "lm_writer_add_audio")
#define lm_writer_add_audio_label(...) checked(lm_writer_add_audio_label(__VA_ARGS__), "lm_writer_add_audio_label")
#define lm_writer_add_video_f32(...) checked(lm_writer_add_video_f32(__VA_ARGS__), "lm_writer_add_video_f32")
#define lm_writer_add_mesh(...) checked(lm_writer_add_mesh(__VA_ARGS__), "lm_writer_add_mesh")
#define lm_custom_layout_new(...) checked(lm_custom_layout_new(__VA_ARGS__), "lm_custom_layout_new")
#define lm_custom_layout_add_multiline(...) \
  checked(lm_custom_layout_add_multiline(__VA_ARGS__), "lm_custom_layout_add_multiline")
#define lm_custom_layout_add_margin(...) \
  checked(lm_custom_layout_add_margin(__VA_ARGS__), "lm_custom_layout_add_margin")
#define lm_writer_add_custom_scalars(...) \
  checked(lm_writer_add_custom_scalars(__VA_ARGS__), "lm_writer_add_custom_scalars")
#define lm_writer_add_custom_scalars_multilinechart(...) \
  checked(lm_writer_add_custom_scalars_multilinechart(__VA_ARGS__), \
          "lm_writer_add_custom_scalars_multilinechart")
#define lm_writer_add_custom_scalars_marginchart(...) \
  checked(lm_writer_add_custom_scalars_marginchart(__VA_ARGS__), \
          "lm_writer_add_custom_scalars_marginchart")

/* Runs the N blocks, each a function of a writer open on runs/examples
 * (a block that opens a run of its own logs there instead), and closes it
 * finished.  The program's exit status: 0, or 1 when a call failed. */
#define run_blocks(name, blocks) run_blocks_(name, blocks, (int)(sizeof blocks / sizeof *blocks))
static int run_blocks_(const char *name, int (*const blocks[])(lm_writer *), int n) {
  lm_writer *w;
  if (lm_writer_open(&w, "runs", "examples") != LM_OK)
    return 1;
  for (int k = 0; k < n; k++)
    if (blocks[k](w) != 0) {
      fprintf(stderr, "%s: block %d returned non-zero\n", name, k + 1);
      failures++;
    }
  lm_writer_set_status(w, LM_RUN_FINISHED);
  lm_writer_close(w);
  printf("%s: %d blocks run, %d failures\n", name, n, failures);
  return failures ? 1 : 0;
}

#endif
