/* lm-graph-data.h: a run's logged graphs and op-by-op traces, read back.
 *
 * What it is for: the data behind the graph view and the debugger: the
 * nodes and edges of a graph (graphs, graph_nodes, graph_edges tables) and
 * the events of a trace (traces, trace_events), as plain structs, read
 * synchronously from a run file opened read-only (call these from a worker
 * thread or a GTask; a graph of thousands of nodes reads in milliseconds).
 * Shapes are parsed from their JSON text; values blobs are copied only
 * when asked for.
 *
 * What it is not for: following a run live (the graph is logged once; the
 * caller reloads on demand), drawing, layout (ui/lm-graph-layout.h).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LM_GRAPH_DATA_MAX_DIMS 8

typedef struct
{
  gint64 id;
  char *op;          /* "linear", "parameter", "input", ... */
  char *name;        /* display name ("features.0.weight"), never NULL */
  char *module;      /* "features.3", "" at top level */
  char *dtype, *device; /* may be NULL */
  int ndim;          /* -1: unknown shape */
  gint64 shape[LM_GRAPH_DATA_MAX_DIMS];
  gint64 numel;      /* -1 when the shape is unknown */
  /* attrs "backward_calls" (an imported torch.profiler op): its backward
   * events are calls of the op (aten::mm run by AddmmBackward0); else, as
   * in Lumen's own traces, each is the backward of a forward call */
  gboolean backward_calls;
} LmGraphDataNode;

typedef struct
{
  gint64 src, dst;   /* node ids */
  int slot;          /* dst's input number */
} LmGraphDataEdge;

typedef struct
{
  gint64 id, step;
  char *name;
  gsize n_nodes, n_edges;
  LmGraphDataNode *nodes;  /* in node_id order (topological for engine graphs) */
  LmGraphDataEdge *edges;  /* in (dst, slot) order */
  GHashTable *by_id;       /* gint64 id -> index + 1 (GINT_TO_POINTER) */
} LmGraphData;

typedef struct
{
  gint64 id, step, graph_id; /* graph_id -1: none */
  gsize n_events;
  int n_anomalies;           /* events with a NaN or an Inf */
  gboolean timed;            /* some event has an op time (a profiled step) */
} LmTraceInfo;

typedef struct
{
  gint64 seq, node_id;
  gboolean backward;
  int ndim;
  gint64 shape[LM_GRAPH_DATA_MAX_DIMS];
  gint64 numel;
  double min, max, mean, std;   /* NaN where stored as NULL */
  gint64 nan_count, inf_count, zero_count;
  float *values;                /* numel floats, or NULL (over the cap, not loaded, damaged) */
  /* Bytes in the stored values blob (-1: NULL, the values were over the
   * trace's cap). values_damaged: a blob that does not hold numel float32
   * values (numel * 4 bytes, and the shape's element count), e.g. cut
   * short; values is then NULL and the statistics are the stored ones. */
  gint64 values_bytes;
  gboolean values_damaged;
  /* Op time (lumen-train --profile-steps): start from the step's start and
   * duration in ns; -1 when not timed (a file from before op times, a
   * step not profiled, a parameter's gradient event). */
  gint64 start_ns, dur_ns;
  char *input_shapes;           /* "[[64, 784], [128, 784]]" or NULL */
  /* Memory (lumen-train --profile-memory): bytes the op allocated and
   * freed, bytes allocated on its device at its end and the most during
   * it; all -1 when not recorded (a file from before them, a step not
   * profiled for memory, a parameter's gradient event). */
  gint64 alloc_bytes, free_bytes, mem_after, mem_peak;
} LmTraceDataEvent;

typedef struct
{
  gint64 id, step, graph_id;
  gsize n_events;
  LmTraceDataEvent *events;     /* in seq order; seq is the stored op number - 1 */
  /* The trace's op count by its own numbering (last seq + 1), and how many
   * of those numbers have no event: rows lost or removed from the run
   * file. Op numbers stay the stored ones (op K is seq K - 1), so they
   * match messages such as lumen-train's "--op K". */
  gint64 n_ops;
  gint64 n_missing;
  gint64 dur_ns;                /* the step's wall time, -1: not profiled */
  double wall_time;             /* when the trace was logged (s since the epoch) */
} LmTraceData;

/* What lm_trace_data_first_anomaly looks for. */
typedef enum {
  LM_TRACE_NAN = 1 << 0,
  LM_TRACE_INF = 1 << 1,
  LM_TRACE_NONFINITE = LM_TRACE_NAN | LM_TRACE_INF,
} LmTraceNonfinite;

typedef struct
{
  /* The op that made it (index into events): a forward event whose output
   * holds it, or, as PyTorch's anomaly mode names it, the backward event of
   * the op whose backward returned the gradient holding it. -1: none. */
  gssize event;
  /* The event whose tensor holds it: `event` itself for a forward op, the
   * op that received the gradient for a backward one (or `event` when no
   * op of the graph returned it: the loss's incoming gradient). */
  gssize seen_at;
  int input;          /* event's input number the gradient was for (PyTorch's
                       * "its 0th output"); -1: in event's own tensor */
  guint n_producers;  /* ops whose gradients were summed into seen_at's; with
                       * more than one, `event` is the last of them to run */
} LmTraceAnomaly;

/* A graph of a run, as a chooser lists it (lm_graph_data_infos). */
typedef struct
{
  gint64 id, step;
  char *name;                /* may be NULL */
  gint64 n_nodes, n_edges;
  guint n_traces, n_timed;   /* its traces, and those with op times */
} LmGraphInfo;

/* The graphs of the run at path in id order (oldest first), with their
 * node, edge and trace counts; the array frees the names. NULL with
 * *error when the file cannot be read. */
GArray      *lm_graph_data_infos  (const char   *path,
                                   char        **error);
/* The graph a viewer opens: with want_step >= 0, the newest graph that has
 * a trace at that step (traces: lm_trace_data_list of every graph); else
 * with want_timed, the newest with a profiled (timed) trace; else, or when
 * none has one, the newest. In each case a graph with edges (a model graph)
 * comes before an edge-less one (torch.profiler's ops, imported). -1 when
 * there is no graph. */
gint64       lm_graph_data_choose (const GArray *infos,
                                   const GArray *traces,
                                   gint64        want_step,
                                   gboolean      want_timed);
/* Graph graph_id of the run at path; graph_id -1: the latest one. NULL
 * with *error when there is none or the file cannot be read. */
LmGraphData *lm_graph_data_load   (const char   *path,
                                   gint64        graph_id,
                                   char        **error);
void         lm_graph_data_free   (LmGraphData  *g);
/* Index of node id in g->nodes, or -1. */
gssize       lm_graph_data_find   (const LmGraphData *g,
                                   gint64             id);

/* The traces of graph graph_id (-1: of every graph) in step order. */
GArray      *lm_trace_data_list   (const char   *path,
                                   gint64        graph_id,
                                   char        **error);
LmTraceData *lm_trace_data_load   (const char   *path,
                                   gint64        trace_id,
                                   gboolean      with_values,
                                   char        **error);
void         lm_trace_data_free   (LmTraceData  *t);
/* Index of the event numbered seq (op seq + 1), or -1 when the trace has
 * none (out of range, or missing). */
gssize       lm_trace_data_find_seq (const LmTraceData *t,
                                     gint64             seq);
/* "3 ops missing from this trace (ops 5–7)", naming up to a few ranges of
 * op numbers; NULL when none is missing. */
char        *lm_trace_data_missing_text (const LmTraceData *t);
/* For backward event i: the event of the op whose backward returned the
 * gradient event i holds (a consumer of event i's node in graph g whose
 * backward ran before), or -1 (a forward event, no graph, the loss).
 * *input: that op's input number the gradient was for; *n_producers: how
 * many ops' gradients were summed into it. Either may be NULL. */
gssize       lm_trace_data_producer (const LmTraceData *t,
                                     const LmGraphData *g,
                                     gsize              i,
                                     int               *input,
                                     guint             *n_producers);
/* The first NaN, Inf or either in execution order, named by the op that
 * made it (see LmTraceAnomaly); FALSE when every value is finite. g may
 * be NULL (then a backward anomaly is named where it is seen). */
gboolean     lm_trace_data_first_anomaly (const LmTraceData *t,
                                          const LmGraphData *g,
                                          LmTraceNonfinite   what,
                                          LmTraceAnomaly    *out);
/* "values damaged: expected 24 bytes (6 float32), found 10" for an event
 * whose blob is damaged, else NULL. */
char        *lm_trace_data_damage_text (const LmTraceDataEvent *e);

/* "[64,128]" -> 2 dims; "[]" -> 0; NULL or bad text -> -1. */
int          lm_graph_data_parse_shape (const char *json,
                                        gint64     *shape);
/* A trace statistic (min, max, mean, std) as text: "–" when it has no
 * value (a tensor without finite values; the run file's NULL, read as
 * NaN), else %.*g. Returns buf. */
const char  *lm_graph_data_stat_text   (double        v,
                                        int           digits,
                                        char         *buf,
                                        gsize         len);
/* "64×128", "scalar" for 0 dims, "?" when unknown. */
char        *lm_graph_data_shape_text  (int           ndim,
                                        const gint64 *shape);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmGraphData, lm_graph_data_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmTraceData, lm_trace_data_free)

G_END_DECLS
