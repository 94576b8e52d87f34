/* lumen-trace.h: record one training step op by op, in memory.
 *
 * An lm_tracer sits on an engine op hook (lm_add_op_hook) and keeps, for
 * the step that is running, every forward op and every backward op in the
 * order they ran: op name, autograd node id, module path, phase, output
 * shape, statistics (min, max, mean, std over the finite values, NaN, Inf
 * and zero counts) and a copy of the values when the tensor holds at most
 * `values_cap` elements. Backward ops also report the gradients they hand
 * to leaves that require grad (the parameters), one event per leaf input,
 * so a step's trace shows every parameter gradient as it is produced.
 *
 * It is what PyTorch users get from register_forward_hook plus
 * torch.autograd.detect_anomaly, kept as data: the first op whose output,
 * or whose backward's returned gradient, holds a NaN or an Inf is the
 * anomaly (lm_tracer_anomaly), and the caller
 * decides what to keep. A training loop resets the tracer at each step
 * boundary (lm_tracer_reset); the buffers are reused, so tracing every step
 * costs copies, not allocations. Nothing is written anywhere: turning a
 * step into a run-file trace is the job of lumen-train-log
 * (lm_train_tracer_write, lm-train-trace.h), because the engine knows
 * nothing of SQLite (DESIGN.md).
 *
 * Only ops that recorded an autograd node are kept (those of the training
 * graph); ops run under no-grad (evaluation, accuracy, the optimizer) are
 * not part of a step's graph and are skipped.
 *
 * Threads: the op hook is process-wide and the tracer is not locked; trace
 * one training thread at a time. Other op hooks (the caller's own, another
 * tracer) keep running next to it.
 *
 *   lm_tracer *tr = lm_tracer_new(LM_TRACER_DEFAULT_VALUES_CAP);
 *   lm_tracer_attach(tr);
 *   for (step = 1; ...; step++) {
 *     lm_tracer_reset(tr, step);
 *     ... forward, loss, backward ...
 *     if (lm_tracer_anomaly(tr) >= 0) {
 *       char msg[256];
 *       lm_tracer_describe_anomaly(tr, msg, sizeof msg);   // "NaN in the output of log ..."
 *       break;
 *     }
 *   }
 *   lm_tracer_detach(tr);
 *   lm_tracer_free(tr);
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lumen-engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Keeps the values of every activation and gradient of the tutorial MLP
 * (batch 64) and CNN (batch 32; its largest tensor, the first conv's
 * output, holds 802,816 floats). 4 MiB per event at most. */
#define LM_TRACER_DEFAULT_VALUES_CAP ((size_t)1 << 20)

typedef struct lm_tracer lm_tracer;

typedef struct {
  size_t seq;              /* execution order in the step, from 0 */
  lm_phase phase;
  const char *op;          /* "matmul", "log", ... */
  uint64_t node_id;        /* lm_node_id() of the op's node */
  const char *module;      /* module path, "" at top level */
  /* -1: the op's output (forward) or the gradient of its output (backward).
   * >= 0: a backward event for the gradient this op gave its input number
   * input_slot, a leaf (`leaf`), such as a parameter. */
  int input_slot;
  const lm_tensor *leaf;   /* that leaf (identity only: do not dereference
                            * after the step), else NULL */
  const char *leaf_name;   /* its name (lm_tensor_set_name) or NULL */
  int ndim;
  int64_t shape[LM_MAX_DIMS];
  int64_t numel;
  /* over the finite values; NaN when there are none (std: fewer than two;
   * Bessel's correction as torch.std) */
  double min, max, mean, std;
  int64_t nan_count, inf_count, zero_count;
  const float *values;     /* numel floats, or NULL when numel > values cap;
                            * valid until the next reset or event */
  /* With op timing on (lm_set_op_timing) for an op's own event (input_slot
   * -1): its start on lm_clock_ns()'s clock and its duration, the forward op
   * or the backward function alone; timed is false, and both 0, otherwise. */
  bool timed;
  int64_t start_ns, dur_ns;
  /* With memory profiling on (lm_set_op_memory), for an op's own event:
   * memory is true and the rest are lm_hook_event's (bytes the op allocated
   * and freed, allocated at its end, most allocated during it); all 0
   * otherwise. */
  bool memory;
  int64_t alloc_bytes, free_bytes, mem_after, mem_peak;
  /* the op's input shapes as torch.profiler's record_shapes lists them,
   * "[[64, 784], [128, 784], [128]]" ([] for an input that is not a tensor) */
  const char *input_shapes;
} lm_traced_op;

/* values_cap: most elements whose values are copied (0: statistics only).
 * Returns NULL when out of memory. */
lm_tracer *lm_tracer_new(size_t values_cap);
void lm_tracer_free(lm_tracer *t); /* detaches it first if attached */
size_t lm_tracer_values_cap(const lm_tracer *t);

/* Adds the tracer's op hook (next to any other hooks) / removes it. */
void lm_tracer_attach(lm_tracer *t);
void lm_tracer_detach(lm_tracer *t);
/* Pauses and resumes recording without touching the hook. */
void lm_tracer_set_enabled(lm_tracer *t, bool enabled);

/* Forgets the recorded events and starts the trace of `step`. */
void lm_tracer_reset(lm_tracer *t, int64_t step);
int64_t lm_tracer_step(const lm_tracer *t);
/* lm_clock_ns() at the last reset when op timing was on then, else 0: the
 * step's start, which op start times are measured from in a run file. */
int64_t lm_tracer_step_start_ns(const lm_tracer *t);

size_t lm_tracer_count(const lm_tracer *t);
/* Event i in execution order (NULL when out of range); valid until the next
 * event or reset. */
const lm_traced_op *lm_tracer_event(const lm_tracer *t, size_t i);
/* Bytes held for the current step (events and values). */
size_t lm_tracer_bytes(const lm_tracer *t);
/* False when memory ran out while recording (events were lost). */
bool lm_tracer_ok(const lm_tracer *t);

/* Index of the event of the op that made the first NaN or Inf, or -1: a
 * forward event whose output has one, or, as in PyTorch's anomaly mode,
 * the backward event of the op whose backward *returned* a gradient with
 * one (not the op that receives that gradient). An incoming gradient that
 * no traced backward returned (a NaN in the caller's grad_output) is
 * blamed on the op that receives it. */
int64_t lm_tracer_anomaly(const lm_tracer *t);
/* For a backward anomaly: the input whose gradient the op's backward
 * returned with the NaN/Inf (PyTorch's "its 0th output"); -1 when the
 * NaN/Inf are in the anomaly event's own tensor, or there is none. */
int lm_tracer_anomaly_input(const lm_tracer *t);
/* A sentence naming the anomaly's op, module, phase and step, e.g.
 *   "NaN in the output of log (module 'head') at step 7 (op 5 of 12,
 *    forward op 5 of 6; 1 NaN, 0 Inf of 3 values)"
 *   "Function 'SqrtBackward0' returned inf values in its 0th output: the
 *    gradient of sqrt for input 0 (the output of abs) at step 7 (op 9 of
 *    12, backward op 3 of 6; 0 NaN, 1 Inf of 3 values)"
 * where "op 5 of 12" is the number `lumen --view debugger --op 5` takes.
 * Writes "" and returns false when there is none. */
bool lm_tracer_describe_anomaly(const lm_tracer *t, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
