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
  float *values;                /* numel floats, or NULL (over the cap / not loaded) */
} LmTraceDataEvent;

typedef struct
{
  gint64 id, step, graph_id;
  gsize n_events;
  LmTraceDataEvent *events;     /* in seq order */
} LmTraceData;

/* The graphs of a run (LmTraceInfo-like rows: id, step; name in *names,
 * parallel array, may be NULL). Returns FALSE with *error set when the file
 * cannot be read. */
gboolean     lm_graph_data_list   (const char   *path,
                                   GArray      **ids_steps,  /* gint64 pairs: id, step */
                                   GPtrArray   **names,
                                   char        **error);
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
