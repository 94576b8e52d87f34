/* lm-chrome-trace.h: profiled steps as Chrome traces, both ways, in the
 * form torch.profiler writes them (prof.export_chrome_trace(), and
 * tensorboard_trace_handler's <worker>.<ms>.pt.trace.json).
 *
 * What it is for: writing a profiled step (a trace with op times) as a
 * Chrome Trace Event Format file that chrome://tracing, ui.perfetto.dev
 * and TensorBoard's PyTorch Profiler plugin open: a ProfilerStep#N span,
 * one complete ("X") cpu_op event per timed op with its input dims, and
 * "[memory]" instant events for what the op allocated and freed; and
 * reading such a file (gzipped too) back into steps of ops: each
 * ProfilerStep#N span a step, its cpu_op events with their start from the
 * span's start, duration, input dims and memory.
 *
 * What it is not for: the run file (lumen-import and lumen-export store
 * and fetch the steps), GPU kernels (a trace's kernel, memcpy and runtime
 * events are not read: Lumen's profile is per op).
 */
#pragma once

#include "lm-graph-data.h"

G_BEGIN_DECLS

typedef struct
{
  const char *worker;    /* the process's name in the viewers: the host, "lumen" */
  gint64 pid;            /* pid and tid of every event; 0: 1 */
  const char *run;       /* the trace's name (traceName); may be NULL */
} LmChromeTraceOptions;

/* The step's Chrome trace as JSON text: g (may be NULL) names the ops and
 * their modules.  As kineto writes them, each ts is µs from
 * baseTimeNanoseconds, here the step's start (its trace's wall time less
 * its duration), so the ProfilerStep span is at 0.  Untimed events (a
 * parameter's gradient) are left out. */
char      *lm_chrome_trace_format (const LmTraceData          *t,
                                   const LmGraphData          *g,
                                   const LmChromeTraceOptions *opts);
/* Writes it to path; FALSE with *error ("cannot write PATH: reason"). */
gboolean   lm_chrome_trace_write  (const char                 *path,
                                   const LmTraceData          *t,
                                   const LmGraphData          *g,
                                   const LmChromeTraceOptions *opts,
                                   char                      **error);
/* "<worker>.<ms>.pt.trace.json", tensorboard_trace_handler's name, for the
 * trace (ms: the step's start in ms from the epoch; worker as given, its
 * '.' and '/' replaced by '_' since the plugin ends the name at the first
 * '.'). */
char      *lm_chrome_trace_file_name (const LmTraceData *t,
                                      const char        *worker);

/* One op read back. */
typedef struct
{
  char *name;            /* the event's name: "aten::addmm", "linear" */
  char *module;          /* args "Module" (a Lumen export's), "" when none */
  gboolean backward;     /* args "Phase": "backward", or inside (or being) an
                          * "autograd::engine::evaluate_function: ..." span */
  gint64 start_ns, dur_ns; /* from the step's start */
  char *input_shapes;    /* args "Input Dims" as "[[64, 784], [784]]", or NULL */
  /* From the "[memory]" events inside the op (those nested in it
   * included): bytes allocated and freed, the Total Allocated at its end
   * and the most during it; -1 when the file has no memory events. */
  gint64 alloc_bytes, free_bytes, mem_after, mem_peak;
  /* args "Op" (a Lumen export, which names each event's op): its backward
   * event is the backward of the op's forward call, where torch.profiler's
   * ops in backward (aten::mm under AddmmBackward0) are calls of their own */
  gboolean lumen_op;
} LmChromeOp;

typedef struct
{
  gint64 step;           /* N of ProfilerStep#N; -1: the file has no such span */
  gint64 dur_ns;         /* the span's duration (without one: first op's start
                          * to last op's end) */
  double wall_time;      /* the step's start, s from the epoch
                          * (baseTimeNanoseconds + ts) */
  GArray *ops;           /* LmChromeOp, in start order (a parent before its
                          * children) */
} LmChromeStep;

typedef struct
{
  GPtrArray *steps;      /* LmChromeStep *, in time order */
  GPtrArray *warnings;   /* char *: events left out, each named with its
                          * position ("event 12 at byte 3456: no \"dur\"") */
} LmChromeTrace;

/* Reads text (a JSON object with "traceEvents", or the bare event array).
 * what names it in messages (the file).  NULL with *error at the first
 * syntax error, naming what and the byte. */
LmChromeTrace *lm_chrome_trace_parse (const char  *text,
                                      const char  *what,
                                      char       **error);
/* Reads path; a name ending in ".gz" is gunzipped first (positions in
 * messages are then in the unzipped text). */
LmChromeTrace *lm_chrome_trace_load  (const char  *path,
                                      char       **error);
/* Whether a read should stop now (Ctrl-C). */
typedef gboolean (*LmChromeTraceStop) (gpointer data);
/* lm_chrome_trace_load, asking stop(data) every few thousand events (and
 * every megabyte a gzip unzips): once it answers TRUE the read
 * ends, NULL and *error "PATH: interrupted at byte N of M". */
LmChromeTrace *lm_chrome_trace_load_stoppable (const char        *path,
                                               LmChromeTraceStop  stop,
                                               gpointer           stop_data,
                                               char             **error);
void           lm_chrome_trace_free  (LmChromeTrace *ct);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmChromeTrace, lm_chrome_trace_free)

G_END_DECLS
