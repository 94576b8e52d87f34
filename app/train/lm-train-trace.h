/* lm-train-trace.h: a recorded training step (lumen-trace.h) as a run-file
 * trace whose node ids are those of the logged graph.
 *
 * The engine numbers autograd nodes afresh every step, while a run logs its
 * graph once (lm_train_log_graph numbers op nodes by the engine ids of the
 * step it was logged at, and leaves after them). An lm_train_tracer keeps
 * the numbering of the step whose graph it logged; a later step with the
 * same structure (same ops in the same order, same number of leaves) is
 * mapped onto it position by position, so every trace of the run points
 * into one graph. A step whose graph differs gets its graph logged again
 * ("and again if it changes").
 *
 * Events map as follows: a forward event and a backward event for an op's
 * output -> that op's graph node; a backward event for a leaf's gradient
 * (a parameter's) -> the leaf's "parameter" node. Ops that are not behind
 * the loss have no graph node and are left out of the written trace.
 *
 *   lm_train_tracer *tt = lm_train_tracer_new(w, model, LM_TRACER_DEFAULT_VALUES_CAP);
 *   lm_tracer_attach(lm_train_tracer_recorder(tt));
 *   ... each step: lm_tracer_reset(lm_train_tracer_recorder(tt), step);
 *       forward, backward, optimizer step;
 *       if (want this step) lm_train_tracer_write(tt, loss, NULL);
 *   lm_train_tracer_free(tt);   (detaches)
 */
#pragma once

#include <stdint.h>

#include "lm-train-log.h"
#include "lumen-trace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lm_train_tracer lm_train_tracer;

/* w: the run to write to; model (may be NULL) names parameter leaves.
 * Returns NULL when out of memory. */
lm_train_tracer *lm_train_tracer_new(lm_writer *w, const lm_module *model, size_t values_cap);
void lm_train_tracer_free(lm_train_tracer *tt);
/* The engine-side recorder (attach it, reset it at each step). */
lm_tracer *lm_train_tracer_recorder(lm_train_tracer *tt);

/* Logs the graph behind loss as "train_step" at step and makes it the
 * graph later traces refer to. *graph_id (may be NULL) gets its id. */
int lm_train_tracer_log_graph(lm_train_tracer *tt, int64_t step, const lm_tensor *loss,
                              int64_t *graph_id);

/* Writes the recorded step (the recorder's events, its step number) as a
 * trace of the graph behind loss, logging that graph first when none is
 * logged yet or the step's structure differs. loss must be the root of
 * the recorded step's graph, still alive. *trace_id may be NULL.
 * Returns LM_OK or a lumen-log error code (message in lm_log_last_error). */
int lm_train_tracer_write(lm_train_tracer *tt, const lm_tensor *loss, int64_t *trace_id);

/* Graphs logged by this tracer so far. */
int lm_train_tracer_graphs_logged(const lm_train_tracer *tt);

#ifdef __cplusplus
}
#endif
