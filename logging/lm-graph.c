/* lm-graph.c: the graph and trace builders, and how they are stored.
 *
 * What it is for: a generic DAG (nodes with caller ids, op, names, module
 * path, shape, dtype, device, JSON attributes; edges to input slots) and
 * an ordered list of op events with tensor statistics, so any engine can
 * log the autograd graph behind a step and replay it op by op.
 * Everything is copied in; the builders are single-threaded.
 * Not for: walking an engine's graph (that glue lives on the engine side).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lm-log-private.h"

typedef struct {
  int64_t id;
  char *op, *name, *module, *shape, *dtype, *device, *attrs;
} node_rec;

typedef struct {
  int64_t src, dst;
  int slot;
} edge_rec;

struct lm_graph {
  char *name;
  node_rec *nodes;
  size_t n_nodes, cap_nodes;
  edge_rec *edges;
  size_t n_edges, cap_edges;
  int64_t *ids; /* open-addressing set of node ids, index+1 (0 = empty) */
  size_t ids_cap;
  size_t bytes;
};

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* "[64,128]" for a known shape, NULL for ndim < 0. */
static int shape_json(const int64_t *shape, int ndim, char **out) {
  *out = NULL;
  if (ndim < 0)
    return LM_OK;
  if (ndim > 64)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "ndim %d is over 64", ndim);
  if (ndim > 0 && !shape)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "shape is NULL but ndim is %d",
                   ndim);
  char *s = malloc((size_t)ndim * 21 + 3);
  if (!s)
    return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
  size_t p = 0;
  s[p++] = '[';
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0) {
      free(s);
      return lm_fail(NULL, LM_ERR_INVALID_ARG, "shape[%d] is %lld (< 0)", i,
                     (long long)shape[i]);
    }
    p += (size_t)sprintf(s + p, i ? ",%lld" : "%lld", (long long)shape[i]);
  }
  s[p++] = ']';
  s[p] = '\0';
  *out = s;
  return LM_OK;
}

static uint64_t id_hash(int64_t id) {
  uint64_t x = (uint64_t)id * 0x9E3779B97F4A7C15ull;
  return x ^ (x >> 31);
}

/* Index of node id in g->nodes, or -1. */
static long find_node(const lm_graph *g, int64_t id) {
  if (!g->ids_cap)
    return -1;
  for (size_t i = id_hash(id) & (g->ids_cap - 1);;
       i = (i + 1) & (g->ids_cap - 1)) {
    if (!g->ids[i])
      return -1;
    if (g->nodes[g->ids[i] - 1].id == id)
      return (long)(g->ids[i] - 1);
  }
}

static bool ids_insert(lm_graph *g, size_t index) {
  if ((g->n_nodes + 1) * 2 > g->ids_cap) {
    size_t ncap = g->ids_cap ? g->ids_cap * 2 : 64;
    int64_t *ni = calloc(ncap, sizeof *ni);
    if (!ni)
      return false;
    for (size_t k = 0; k < g->n_nodes; k++) {
      size_t i = id_hash(g->nodes[k].id) & (ncap - 1);
      while (ni[i])
        i = (i + 1) & (ncap - 1);
      ni[i] = (int64_t)k + 1;
    }
    free(g->ids);
    g->ids = ni;
    g->ids_cap = ncap;
  }
  size_t i = id_hash(g->nodes[index].id) & (g->ids_cap - 1);
  while (g->ids[i])
    i = (i + 1) & (g->ids_cap - 1);
  g->ids[i] = (int64_t)index + 1;
  return true;
}

int lm_graph_new(lm_graph **out, const char *name) {
  if (!out)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "out (lm_graph **) is NULL");
  *out = NULL;
  int rc = lm_check_name(NULL, "graph name", name);
  if (rc)
    return rc;
  lm_graph *g = calloc(1, sizeof *g);
  if (!g || !(g->name = strdup(name))) {
    free(g);
    return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
  }
  g->bytes = sizeof *g + strlen(name);
  *out = g;
  return LM_OK;
}

void lm_graph_free(lm_graph *g) {
  if (!g)
    return;
  for (size_t i = 0; i < g->n_nodes; i++) {
    node_rec *n = &g->nodes[i];
    free(n->op);
    free(n->name);
    free(n->module);
    free(n->shape);
    free(n->dtype);
    free(n->device);
    free(n->attrs);
  }
  free(g->nodes);
  free(g->edges);
  free(g->ids);
  free(g->name);
  free(g);
}

size_t lm_graph_node_count(const lm_graph *g) { return g ? g->n_nodes : 0; }
size_t lm_graph_edge_count(const lm_graph *g) { return g ? g->n_edges : 0; }

int lm_graph_add_node(lm_graph *g, const lm_graph_node *node) {
  if (!g || !node)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "graph or node is NULL");
  int rc;
  if ((rc = lm_check_name(NULL, "node op", node->op)) ||
      (rc = lm_check_text(NULL, "node name", node->name, true)) ||
      (rc = lm_check_text(NULL, "node module", node->module, true)) ||
      (rc = lm_check_text(NULL, "node dtype", node->dtype, true)) ||
      (rc = lm_check_text(NULL, "node device", node->device, true)) ||
      (rc = lm_check_text(NULL, "node attrs_json", node->attrs_json, true)))
    return rc;
  if (node->attrs_json && !lm_json_valid(node->attrs_json))
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "node %lld: attrs_json is not valid JSON: %.80s",
                   (long long)node->id, node->attrs_json);
  if (find_node(g, node->id) >= 0)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "graph '%s' already has a node with id %lld", g->name,
                   (long long)node->id);
  char *shape;
  if ((rc = shape_json(node->shape, node->ndim, &shape)))
    return rc;
  if (g->n_nodes == g->cap_nodes) {
    size_t ncap = g->cap_nodes ? g->cap_nodes * 2 : 32;
    node_rec *nn = realloc(g->nodes, ncap * sizeof *nn);
    if (!nn) {
      free(shape);
      return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
    }
    g->nodes = nn;
    g->cap_nodes = ncap;
  }
  node_rec *n = &g->nodes[g->n_nodes];
  n->id = node->id;
  n->op = strdup(node->op);
  n->name = dup_or_null(node->name);
  n->module = strdup(node->module ? node->module : "");
  n->shape = shape;
  n->dtype = dup_or_null(node->dtype);
  n->device = dup_or_null(node->device);
  n->attrs = dup_or_null(node->attrs_json);
  if (!n->op || !n->module || (node->name && !n->name) ||
      (node->dtype && !n->dtype) || (node->device && !n->device) ||
      (node->attrs_json && !n->attrs) || !ids_insert(g, g->n_nodes)) {
    free(n->op);
    free(n->name);
    free(n->module);
    free(n->shape);
    free(n->dtype);
    free(n->device);
    free(n->attrs);
    return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
  }
  g->n_nodes++;
  g->bytes += sizeof *n + 16 + strlen(n->op) + strlen(n->module) +
              (n->name ? strlen(n->name) : 0) +
              (n->shape ? strlen(n->shape) : 0) +
              (n->attrs ? strlen(n->attrs) : 0);
  return LM_OK;
}

int lm_graph_add_edge(lm_graph *g, int64_t src, int64_t dst, int dst_slot) {
  if (!g)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "graph is NULL");
  if (dst_slot < 0)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "edge %lld -> %lld: dst_slot %d is negative",
                   (long long)src, (long long)dst, dst_slot);
  if (g->n_edges == g->cap_edges) {
    size_t ncap = g->cap_edges ? g->cap_edges * 2 : 32;
    edge_rec *ne = realloc(g->edges, ncap * sizeof *ne);
    if (!ne)
      return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
    g->edges = ne;
    g->cap_edges = ncap;
  }
  g->edges[g->n_edges++] = (edge_rec){src, dst, dst_slot};
  g->bytes += sizeof(edge_rec);
  return LM_OK;
}

int lm_graph_validate(lm_writer *w, const lm_graph *g) {
  for (size_t i = 0; i < g->n_edges; i++) {
    const edge_rec *e = &g->edges[i];
    if (find_node(g, e->src) < 0 || find_node(g, e->dst) < 0)
      return lm_fail(w, LM_ERR_INVALID_ARG,
                     "graph '%s': edge %zu (%lld -> %lld slot %d) names a "
                     "node that is not in the graph",
                     g->name, i, (long long)e->src, (long long)e->dst,
                     e->slot);
  }
  return LM_OK;
}

lm_graph *lm_graph_clone(const lm_graph *g) {
  lm_graph *c;
  if (lm_graph_new(&c, g->name) != LM_OK)
    return NULL;
  for (size_t i = 0; i < g->n_nodes; i++) {
    const node_rec *n = &g->nodes[i];
    /* Copy fields directly: they were validated when first added. */
    if (c->n_nodes == c->cap_nodes) {
      size_t ncap = c->cap_nodes ? c->cap_nodes * 2 : 32;
      node_rec *nn = realloc(c->nodes, ncap * sizeof *nn);
      if (!nn)
        goto fail;
      c->nodes = nn;
      c->cap_nodes = ncap;
    }
    node_rec *d = &c->nodes[c->n_nodes];
    memset(d, 0, sizeof *d);
    d->id = n->id;
    c->n_nodes++; /* owns whatever was copied, even on failure below */
    d->op = strdup(n->op);
    d->name = dup_or_null(n->name);
    d->module = strdup(n->module);
    d->shape = dup_or_null(n->shape);
    d->dtype = dup_or_null(n->dtype);
    d->device = dup_or_null(n->device);
    d->attrs = dup_or_null(n->attrs);
    if (!d->op || !d->module || (n->name && !d->name) ||
        (n->shape && !d->shape) || (n->dtype && !d->dtype) ||
        (n->device && !d->device) || (n->attrs && !d->attrs))
      goto fail;
  }
  if (g->n_edges) {
    c->edges = malloc(g->n_edges * sizeof *c->edges);
    if (!c->edges)
      goto fail;
    memcpy(c->edges, g->edges, g->n_edges * sizeof *c->edges);
    c->n_edges = c->cap_edges = g->n_edges;
  }
  c->bytes = g->bytes;
  return c;
fail:
  lm_graph_free(c);
  return NULL;
}

/* Runs in the writer thread, inside its transaction. */
int lm_graph_store(sqlite3 *db, int64_t graph_id, int64_t step,
                   double wall_time, const lm_graph *g) {
  sqlite3_stmt *sg = NULL, *sn = NULL, *se = NULL;
  int rc = sqlite3_prepare_v2(db,
                              "INSERT INTO graphs(id, name, step, wall_time) "
                              "VALUES (?1, ?2, ?3, ?4)",
                              -1, &sg, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(db,
                            "INSERT INTO graph_nodes(graph_id, node_id, op, "
                            "name, module, shape, dtype, device, attrs) "
                            "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                            -1, &sn, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(db,
                            "INSERT INTO graph_edges(graph_id, src, dst, "
                            "dst_slot) VALUES (?1, ?2, ?3, ?4)",
                            -1, &se, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(sg, 1, graph_id);
    sqlite3_bind_text(sg, 2, g->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(sg, 3, step);
    sqlite3_bind_double(sg, 4, wall_time);
    rc = sqlite3_step(sg) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
  }
  for (size_t i = 0; rc == SQLITE_OK && i < g->n_nodes; i++) {
    const node_rec *n = &g->nodes[i];
    sqlite3_bind_int64(sn, 1, graph_id);
    sqlite3_bind_int64(sn, 2, n->id);
    sqlite3_bind_text(sn, 3, n->op, -1, SQLITE_STATIC);
    sqlite3_bind_text(sn, 4, n->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(sn, 5, n->module, -1, SQLITE_STATIC);
    sqlite3_bind_text(sn, 6, n->shape, -1, SQLITE_STATIC);
    sqlite3_bind_text(sn, 7, n->dtype, -1, SQLITE_STATIC);
    sqlite3_bind_text(sn, 8, n->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(sn, 9, n->attrs, -1, SQLITE_STATIC);
    rc = sqlite3_step(sn) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
    sqlite3_reset(sn);
  }
  for (size_t i = 0; rc == SQLITE_OK && i < g->n_edges; i++) {
    const edge_rec *e = &g->edges[i];
    sqlite3_bind_int64(se, 1, graph_id);
    sqlite3_bind_int64(se, 2, e->src);
    sqlite3_bind_int64(se, 3, e->dst);
    sqlite3_bind_int(se, 4, e->slot);
    rc = sqlite3_step(se) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
    sqlite3_reset(se);
  }
  sqlite3_finalize(sg);
  sqlite3_finalize(sn);
  sqlite3_finalize(se);
  return rc;
}

int lm_writer_add_graph(lm_writer *w, int64_t step, const lm_graph *g,
                        int64_t *graph_id) {
  if (graph_id)
    *graph_id = -1;
  if (!w || !g)
    return lm_fail(w, LM_ERR_INVALID_ARG, "writer or graph is NULL");
  int rc = lm_graph_validate(w, g);
  if (rc)
    return rc;
  lm_graph_payload *p = malloc(sizeof *p);
  lm_graph *copy = lm_graph_clone(g);
  if (!p || !copy) {
    free(p);
    lm_graph_free(copy);
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for graph '%s'", g->name);
  }
  p->hdr.bytes = sizeof *p + copy->bytes;
  p->graph = copy;
  /* The id is handed out under the queue lock, in queue order, so ids
   * match what the writer thread inserts. */
  pthread_mutex_lock(&w->mu);
  rc = lm_queue_reserve_locked(w, 1, p->hdr.bytes);
  if (rc == LM_OK) {
    p->graph_id = w->next_graph_id++;
    lm_rec r = {.kind = LM_REC_GRAPH, .step = step, .wall_time = lm_writer_now(w)};
    r.u.payload = p;
    lm_queue_push_locked(w, &r);
    if (graph_id)
      *graph_id = p->graph_id;
  }
  pthread_mutex_unlock(&w->mu);
  if (rc)
    lm_payload_free(LM_REC_GRAPH, p);
  return rc;
}

/* ---------------------------------------------------------------- traces */

typedef struct {
  int64_t node_id;
  lm_phase phase;
  char *shape;
  int64_t numel;
  double min, max, mean, std;
  int64_t nan_count, inf_count, zero_count;
  float *vals; /* NULL when numel is over the cap */
  int64_t start_ns, dur_ns; /* dur_ns -1: not timed (NULL in the file) */
  char *input_shapes;       /* NULL: not given */
  /* bytes allocated, freed, allocated after, most during; alloc_bytes -1:
   * not given (NULL in the file) */
  int64_t alloc_bytes, free_bytes, mem_after, mem_peak;
} event_rec;

struct lm_trace {
  int64_t graph_id, step;
  int64_t dur_ns; /* the step's wall time, -1: not given */
  size_t values_cap;
  event_rec *ev;
  size_t n, cap;
  size_t bytes;
};

int lm_trace_new(lm_trace **out, int64_t graph_id, int64_t step) {
  if (!out)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "out (lm_trace **) is NULL");
  *out = NULL;
  if (graph_id < -1 || graph_id == 0)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "graph_id %lld: use an id from lm_writer_add_graph or -1",
                   (long long)graph_id);
  lm_trace *t = calloc(1, sizeof *t);
  if (!t)
    return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
  t->graph_id = graph_id;
  t->step = step;
  t->values_cap = LM_TRACE_DEFAULT_VALUES_CAP;
  t->dur_ns = -1;
  t->bytes = sizeof *t;
  *out = t;
  return LM_OK;
}

void lm_trace_free(lm_trace *t) {
  if (!t)
    return;
  for (size_t i = 0; i < t->n; i++) {
    free(t->ev[i].shape);
    free(t->ev[i].vals);
    free(t->ev[i].input_shapes);
  }
  free(t->ev);
  free(t);
}

void lm_trace_set_values_cap(lm_trace *t, size_t cap) {
  if (t)
    t->values_cap = cap;
}

size_t lm_trace_event_count(const lm_trace *t) { return t ? t->n : 0; }

/* min/max/mean/std over the finite values (std with Bessel's correction,
 * like torch.std; NaN when fewer than two), and NaN/Inf/zero counts. */
static void tensor_stats(const float *v, size_t n, event_rec *e) {
  double mn = INFINITY, mx = -INFINITY, sum = 0;
  int64_t nan = 0, inf = 0, zero = 0, fin = 0;
  for (size_t i = 0; i < n; i++) {
    float x = v[i];
    if (isnan(x)) {
      nan++;
    } else if (isinf(x)) {
      inf++;
    } else {
      zero += x == 0.0f;
      fin++;
      mn = x < mn ? x : mn;
      mx = x > mx ? x : mx;
      sum += x;
    }
  }
  double mean = fin ? sum / (double)fin : NAN;
  double ss = 0;
  for (size_t i = 0; fin > 1 && i < n; i++)
    if (isfinite(v[i])) {
      double d = v[i] - mean;
      ss += d * d;
    }
  e->min = fin ? mn : NAN;
  e->max = fin ? mx : NAN;
  e->mean = mean;
  e->std = fin > 1 ? sqrt(ss / (double)(fin - 1)) : NAN;
  e->nan_count = nan;
  e->inf_count = inf;
  e->zero_count = zero;
}

/* given: statistics the caller computed (then values is NULL and nothing
 * is stored but the statistics), or NULL to compute them from values. */
static int add_event(lm_trace *t, int64_t node_id, lm_phase phase,
                     const int64_t *shape, int ndim, const float *values,
                     size_t numel, const lm_trace_stats *given) {
  if (!t)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "trace is NULL");
  if (phase != LM_PHASE_FORWARD && phase != LM_PHASE_BACKWARD)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "node %lld: phase %d is neither LM_PHASE_FORWARD nor "
                   "LM_PHASE_BACKWARD",
                   (long long)node_id, (int)phase);
  if (numel && !values && !given)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "node %lld: values is NULL but numel is %zu",
                   (long long)node_id, numel);
  if (ndim >= 0) {
    uint64_t prod = 1;
    for (int i = 0; shape && i < ndim; i++)
      prod *= (uint64_t)(shape[i] < 0 ? 0 : shape[i]);
    if (shape || ndim == 0) {
      if (prod != (uint64_t)numel)
        return lm_fail(NULL, LM_ERR_INVALID_ARG,
                       "node %lld: shape holds %llu elements but numel is "
                       "%zu",
                       (long long)node_id, (unsigned long long)prod, numel);
    }
  }
  char *sj;
  int rc = shape_json(shape, ndim, &sj);
  if (rc)
    return rc;
  if (t->n == t->cap) {
    size_t ncap = t->cap ? t->cap * 2 : 32;
    event_rec *ne = realloc(t->ev, ncap * sizeof *ne);
    if (!ne) {
      free(sj);
      return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
    }
    t->ev = ne;
    t->cap = ncap;
  }
  event_rec *e = &t->ev[t->n];
  memset(e, 0, sizeof *e);
  e->node_id = node_id;
  e->phase = phase;
  e->shape = sj;
  e->numel = (int64_t)numel;
  e->dur_ns = -1;
  e->alloc_bytes = -1;
  if (given) {
    e->min = given->min;
    e->max = given->max;
    e->mean = given->mean;
    e->std = given->std;
    e->nan_count = given->nan_count;
    e->inf_count = given->inf_count;
    e->zero_count = given->zero_count;
  } else {
    tensor_stats(values, numel, e);
  }
  if (values && numel && numel <= t->values_cap) {
    e->vals = malloc(numel * sizeof(float));
    if (!e->vals) {
      free(sj);
      return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
    }
    memcpy(e->vals, values, numel * sizeof(float));
  }
  t->n++;
  t->bytes += sizeof *e + (sj ? strlen(sj) : 0) +
              (e->vals ? numel * sizeof(float) : 0);
  return LM_OK;
}

int lm_trace_add_event(lm_trace *t, int64_t node_id, lm_phase phase,
                       const int64_t *shape, int ndim, const float *values,
                       size_t numel) {
  return add_event(t, node_id, phase, shape, ndim, values, numel, NULL);
}

int lm_trace_add_event_stats(lm_trace *t, int64_t node_id, lm_phase phase,
                             const int64_t *shape, int ndim, size_t numel,
                             const lm_trace_stats *stats) {
  if (!stats)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "node %lld: stats is NULL",
                   (long long)node_id);
  return add_event(t, node_id, phase, shape, ndim, NULL, numel, stats);
}

int lm_trace_set_event_time(lm_trace *t, int64_t start_ns, int64_t dur_ns) {
  if (!t || t->n == 0)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "lm_trace_set_event_time: the trace has no event to time");
  if (start_ns < 0 || dur_ns < 0)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "event %zu: start_ns %lld and dur_ns %lld must be >= 0",
                   t->n - 1, (long long)start_ns, (long long)dur_ns);
  t->ev[t->n - 1].start_ns = start_ns;
  t->ev[t->n - 1].dur_ns = dur_ns;
  return LM_OK;
}

int lm_trace_set_event_memory(lm_trace *t, int64_t alloc_bytes,
                               int64_t free_bytes, int64_t mem_after,
                               int64_t mem_peak) {
  if (!t || t->n == 0)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "lm_trace_set_event_memory: the trace has no event");
  if (alloc_bytes < 0 || free_bytes < 0 || mem_after < 0 || mem_peak < 0)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "event %zu: alloc_bytes %lld, free_bytes %lld, mem_after "
                   "%lld and mem_peak %lld must be >= 0",
                   t->n - 1, (long long)alloc_bytes, (long long)free_bytes,
                   (long long)mem_after, (long long)mem_peak);
  event_rec *e = &t->ev[t->n - 1];
  e->alloc_bytes = alloc_bytes;
  e->free_bytes = free_bytes;
  e->mem_after = mem_after;
  e->mem_peak = mem_peak;
  return LM_OK;
}

int lm_trace_set_event_input_shapes(lm_trace *t, const char *input_shapes) {
  if (!t || t->n == 0 || !input_shapes)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "lm_trace_set_event_input_shapes: no event, or the shapes "
                   "are NULL");
  if (lm_utf8_check(input_shapes, strlen(input_shapes)) != 0)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "event %zu: input_shapes is not valid UTF-8", t->n - 1);
  char *c = strdup(input_shapes);
  if (!c)
    return lm_fail(NULL, LM_ERR_NOMEM, "out of memory");
  event_rec *e = &t->ev[t->n - 1];
  free(e->input_shapes);
  e->input_shapes = c;
  t->bytes += strlen(c);
  return LM_OK;
}

int lm_trace_set_step_time(lm_trace *t, int64_t dur_ns) {
  if (!t || dur_ns < 0)
    return lm_fail(NULL, LM_ERR_INVALID_ARG,
                   "lm_trace_set_step_time: no trace, or dur_ns %lld < 0",
                   (long long)dur_ns);
  t->dur_ns = dur_ns;
  return LM_OK;
}

lm_trace *lm_trace_clone(const lm_trace *t) {
  lm_trace *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  *c = *t;
  c->ev = t->n ? calloc(t->n, sizeof *c->ev) : NULL;
  c->n = 0;
  c->cap = t->n;
  if (t->n && !c->ev)
    goto fail;
  for (size_t i = 0; i < t->n; i++) {
    const event_rec *s = &t->ev[i];
    event_rec *d = &c->ev[i];
    *d = *s;
    d->shape = NULL;
    d->vals = NULL;
    d->input_shapes = NULL;
    c->n++;
    if (s->shape && !(d->shape = strdup(s->shape)))
      goto fail;
    if (s->input_shapes && !(d->input_shapes = strdup(s->input_shapes)))
      goto fail;
    if (s->vals) {
      d->vals = malloc((size_t)s->numel * sizeof(float));
      if (!d->vals)
        goto fail;
      memcpy(d->vals, s->vals, (size_t)s->numel * sizeof(float));
    }
  }
  return c;
fail:
  lm_trace_free(c);
  return NULL;
}

static void bind_real(sqlite3_stmt *st, int i, double v) {
  if (isnan(v))
    sqlite3_bind_null(st, i);
  else
    sqlite3_bind_double(st, i, v);
}

int lm_trace_store(sqlite3 *db, int64_t trace_id, double wall_time,
                   const lm_trace *t) {
  sqlite3_stmt *st = NULL, *se = NULL;
  int rc = sqlite3_prepare_v2(db,
                              "INSERT INTO traces(id, graph_id, step, "
                              "wall_time, dur_ns) VALUES (?1, ?2, ?3, ?4, ?5)",
                              -1, &st, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(
        db,
        "INSERT INTO trace_events(trace_id, seq, node_id, phase, shape, "
        "numel, min, max, mean, std, nan_count, inf_count, zero_count, vals, "
        "start_ns, dur_ns, input_shapes, alloc_bytes, free_bytes, mem_after, "
        "mem_peak) "
        "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,"
        "?18,?19,?20,?21)",
        -1, &se, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(st, 1, trace_id);
    if (t->graph_id > 0)
      sqlite3_bind_int64(st, 2, t->graph_id);
    else
      sqlite3_bind_null(st, 2);
    sqlite3_bind_int64(st, 3, t->step);
    sqlite3_bind_double(st, 4, wall_time);
    if (t->dur_ns >= 0)
      sqlite3_bind_int64(st, 5, t->dur_ns);
    else
      sqlite3_bind_null(st, 5);
    rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
  }
  for (size_t i = 0; rc == SQLITE_OK && i < t->n; i++) {
    const event_rec *e = &t->ev[i];
    sqlite3_bind_int64(se, 1, trace_id);
    sqlite3_bind_int64(se, 2, (int64_t)i);
    sqlite3_bind_int64(se, 3, e->node_id);
    sqlite3_bind_text(se, 4,
                      e->phase == LM_PHASE_FORWARD ? "forward" : "backward",
                      -1, SQLITE_STATIC);
    sqlite3_bind_text(se, 5, e->shape, -1, SQLITE_STATIC);
    sqlite3_bind_int64(se, 6, e->numel);
    bind_real(se, 7, e->min);
    bind_real(se, 8, e->max);
    bind_real(se, 9, e->mean);
    bind_real(se, 10, e->std);
    sqlite3_bind_int64(se, 11, e->nan_count);
    sqlite3_bind_int64(se, 12, e->inf_count);
    sqlite3_bind_int64(se, 13, e->zero_count);
    if (e->vals)
      sqlite3_bind_blob64(se, 14, e->vals, (uint64_t)e->numel * 4,
                          SQLITE_STATIC);
    else
      sqlite3_bind_null(se, 14);
    if (e->dur_ns >= 0) {
      sqlite3_bind_int64(se, 15, e->start_ns);
      sqlite3_bind_int64(se, 16, e->dur_ns);
    } else {
      sqlite3_bind_null(se, 15);
      sqlite3_bind_null(se, 16);
    }
    if (e->input_shapes)
      sqlite3_bind_text(se, 17, e->input_shapes, -1, SQLITE_STATIC);
    else
      sqlite3_bind_null(se, 17);
    if (e->alloc_bytes >= 0) {
      sqlite3_bind_int64(se, 18, e->alloc_bytes);
      sqlite3_bind_int64(se, 19, e->free_bytes);
      sqlite3_bind_int64(se, 20, e->mem_after);
      sqlite3_bind_int64(se, 21, e->mem_peak);
    } else {
      for (int k = 18; k <= 21; k++)
        sqlite3_bind_null(se, k);
    }
    rc = sqlite3_step(se) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
    sqlite3_reset(se);
  }
  sqlite3_finalize(st);
  sqlite3_finalize(se);
  return rc;
}

int lm_writer_add_trace(lm_writer *w, const lm_trace *t, int64_t *trace_id) {
  if (trace_id)
    *trace_id = -1;
  if (!w || !t)
    return lm_fail(w, LM_ERR_INVALID_ARG, "writer or trace is NULL");
  lm_trace_payload *p = malloc(sizeof *p);
  lm_trace *copy = lm_trace_clone(t);
  if (!p || !copy) {
    free(p);
    lm_trace_free(copy);
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for a trace");
  }
  p->hdr.bytes = sizeof *p + copy->bytes;
  p->trace = copy;
  pthread_mutex_lock(&w->mu);
  int rc = LM_OK;
  if (t->graph_id > 0 && t->graph_id >= w->next_graph_id)
    rc = lm_fail(w, LM_ERR_INVALID_ARG,
                 "trace refers to graph %lld, which this run does not have",
                 (long long)t->graph_id);
  if (rc == LM_OK)
    rc = lm_queue_reserve_locked(w, 1, p->hdr.bytes);
  if (rc == LM_OK) {
    p->trace_id = w->next_trace_id++;
    lm_rec r = {.kind = LM_REC_TRACE, .step = t->step, .wall_time = lm_writer_now(w)};
    r.u.payload = p;
    lm_queue_push_locked(w, &r);
    if (trace_id)
      *trace_id = p->trace_id;
  }
  pthread_mutex_unlock(&w->mu);
  if (rc)
    lm_payload_free(LM_REC_TRACE, p);
  return rc;
}
