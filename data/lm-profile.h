/* lm-profile.h: a profiled step's op times, summed as torch.profiler's
 * key_averages() table sums them.
 *
 * What it is for: the Graph page's Profile pane and its "Color: Compute
 * time" mode. From a trace whose events carry op times (lumen-train
 * --profile-steps), one row per graph node (or per op type) with its
 * calls, forward, backward, total and self time, mean per call and share
 * of the step, sorted by a column. Self time is the total less the time
 * of events nested inside it (an op built from other timed ops); for the
 * engine's flat ops the two are equal.
 *
 * What it is not for: reading the file (lm-graph-data.h), drawing.
 */
#pragma once

#include "lm-graph-data.h"

G_BEGIN_DECLS

typedef enum {
  LM_PROFILE_BY_NODE,  /* one row per graph node: "linear" in module "0" */
  LM_PROFILE_BY_OP,    /* one row per op type, as key_averages() groups */
  LM_PROFILE_BY_OP_SHAPE,  /* one row per op type and input shapes, as
                            * key_averages(group_by_input_shape=True) and
                            * torch-tb-profiler's "Operator + Input Shape" */
} LmProfileGroup;

typedef enum {
  LM_PROFILE_SORT_TOTAL,    /* descending, the default */
  LM_PROFILE_SORT_SELF,
  LM_PROFILE_SORT_FORWARD,
  LM_PROFILE_SORT_BACKWARD,
  LM_PROFILE_SORT_CALLS,
  LM_PROFILE_SORT_MEAN,
  LM_PROFILE_SORT_NAME,     /* ascending */
  LM_PROFILE_SORT_MEM,      /* CPU Mem, descending */
  LM_PROFILE_SORT_SELF_MEM, /* Self CPU Mem, descending */
} LmProfileSort;

typedef struct
{
  char *op;             /* "linear", "conv2d", ... */
  char *module;         /* "features.0"; "" for a by-op row */
  char *input_shapes;   /* by op and shape: "[[64, 784], [128, 784]]" ("" for
                         * calls without shapes); else "" */
  gint64 node_id;       /* the node (by op: the slowest node of that type) */
  guint calls;          /* calls of the op, as torch.profiler and
                         * torch-tb-profiler count them: its forward events
                         * and, for an imported torch.profiler op, its
                         * backward ones too (aten::mm once in forward and
                         * twice in backward: 3); a Lumen backward event is
                         * its forward call's backward, not a call (its
                         * backward events when it has no timed forward) */
  guint forward_calls, backward_calls;
  guint nodes;          /* nodes summed (1 by node) */
  gint64 forward_ns, backward_ns, total_ns, self_ns;
  double mean_ns;       /* total / calls: forward and backward time per call */
  double percent;       /* total as a share of the step (0-100) */
  /* torch.profiler's "CPU Mem" and "Self CPU Mem" (profile_memory): bytes
   * allocated less bytes freed by the row's events and the events nested
   * in them / by its events alone; 0 when the trace has no memory */
  gint64 mem_bytes, self_mem_bytes;
} LmProfileRow;

/* One point of the step's memory curve: bytes allocated at time t_ns
 * (from the step's start). */
typedef struct
{
  gint64 t_ns, bytes;
  gsize event;          /* the trace event it starts or ends */
  gboolean end;         /* at that event's end (else its start) */
} LmProfileMemPoint;

typedef struct
{
  gsize n_rows;
  LmProfileRow *rows;
  gint64 ops_ns;        /* sum of every event's self time */
  gint64 forward_ns, backward_ns;
  /* the step's wall time (traces.dur_ns), or ops_ns when not stored; the
   * percentages are shares of it */
  gint64 step_ns;
  gboolean step_measured;
  guint n_timed;        /* timed events */
  /* Memory (lumen-train --profile-memory): whether any timed event holds
   * it; the curve of allocated bytes over the step, one point at each
   * such op's start and end in time order (forward, then backward); its
   * peak, the most allocated at any moment of an op (mem_peak), and that
   * op's event. */
  gboolean has_memory;
  gsize n_mem_points;
  LmProfileMemPoint *mem_points;
  gint64 mem_peak_bytes;
  gssize mem_peak_event;  /* index into the trace's events, -1: none */
} LmProfile;

/* NULL when the trace holds no op time (a step that was not profiled, a
 * file from before op times). g may be NULL (rows then show no op name
 * beyond "node N"). */
LmProfile   *lm_profile_compute   (const LmTraceData *t,
                                   const LmGraphData *g,
                                   LmProfileGroup     group);
void         lm_profile_sort      (LmProfile         *p,
                                   LmProfileSort      sort);
void         lm_profile_free      (LmProfile         *p);
/* The memory curve as drawn: the points of p->mem_points, and between an
 * op's start and end with nothing nested in it, when the op held more
 * than at either end (its mem_peak), a vertex at its middle with that
 * peak, so the curve reaches the peak instead of passing under it.  n
 * vertices (x: ns from the step's start as mem_points' t_ns, y: bytes);
 * NULL when p has no curve.  Free with g_free. */
typedef struct
{
  double t_ns;
  gint64 bytes;
} LmProfileMemVertex;
LmProfileMemVertex *lm_profile_memory_outline (const LmProfile   *p,
                                               const LmTraceData *t,
                                               gsize             *n);
/* Where the peak's dot goes on the curve (ns from the step's start, as
 * t_ns): the peak op's end when it held its peak there (mem_after), its
 * start when it held it on entry, else its middle (the outline's vertex).
 * -1 when p has no peak. */
double              lm_profile_memory_peak_t_ns (const LmProfile   *p,
                                                 const LmTraceData *t);
/* Each node's forward + backward time in ns (gint64 id -> gint64 * ns),
 * for shading the graph; NULL when the trace has no op time. */
GHashTable  *lm_profile_node_times (const LmTraceData *t);
/* Bytes as torch's table prints them, with the usual unit names: "512 B",
 * "32.00 KB", "-1.50 MB", "2.00 GB" (powers of 1024) into buf. */
const char  *lm_profile_bytes_text (gint64            bytes,
                                    char             *buf,
                                    gsize             len);
/* "812 µs", "3.25 ms", "1.20 s", "90 ns" into buf. */
const char  *lm_profile_time_text (double             ns,
                                   char              *buf,
                                   gsize              len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmProfile, lm_profile_free)

G_END_DECLS
