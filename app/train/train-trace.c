/* train-trace.c: recorded steps (engine/trace) -> run-file traces (lumen-log).
 *
 * The one subtle part is numbering: lm_train_build_graph gives op nodes
 * their engine ids and numbers leaves after the largest op id, in the order
 * a walk of the topologically sorted nodes meets them (inputs in slot
 * order). step_layout repeats that walk so a later step's ids can be
 * translated position by position into the ids of the logged graph.
 *
 * Not here: recording (engine/trace/tracer.c), building the graph itself
 * (train-log-graph.c).
 */
#include "lm-train-trace.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  uint64_t id;
  size_t index;
} id_index;

typedef struct {
  size_t n_ops;
  const char **ops;      /* engine op names (string literals) */
  int64_t *op_ids;       /* engine ids in topological order */
  id_index *by_id;       /* sorted by id, for lookups */
  size_t n_leaves;
  const lm_tensor **leaves;
  int64_t *leaf_ids;
} step_layout;

struct lm_train_tracer {
  lm_writer *w;
  const lm_module *model;
  lm_tracer *rec;
  step_layout ref;       /* the logged graph's numbering */
  bool have_ref;
  int64_t graph_id;
  int graphs_logged;
};

static void layout_clear(step_layout *L)
{
  free(L->ops);
  free(L->op_ids);
  free(L->by_id);
  free(L->leaves);
  free(L->leaf_ids);
  memset(L, 0, sizeof *L);
}

static int cmp_id(const void *a, const void *b)
{
  uint64_t x = ((const id_index *)a)->id, y = ((const id_index *)b)->id;
  return x < y ? -1 : x > y;
}

static bool layout_of(const lm_tensor *root, step_layout *L)
{
  memset(L, 0, sizeof *L);
  const lm_node **nodes = NULL;
  size_t n = lm_graph_nodes(root, &nodes);
  L->n_ops = n;
  L->ops = calloc(n ? n : 1, sizeof *L->ops);
  L->op_ids = calloc(n ? n : 1, sizeof *L->op_ids);
  L->by_id = calloc(n ? n : 1, sizeof *L->by_id);
  size_t leaf_cap = 16;
  L->leaves = calloc(leaf_cap, sizeof *L->leaves);
  L->leaf_ids = calloc(leaf_cap, sizeof *L->leaf_ids);
  bool ok = L->ops && L->op_ids && L->by_id && L->leaves && L->leaf_ids;
  int64_t next_id = 0;
  for (size_t i = 0; ok && i < n; i++) {
    L->ops[i] = lm_node_op(nodes[i]);
    L->op_ids[i] = (int64_t)lm_node_id(nodes[i]);
    L->by_id[i] = (id_index){ lm_node_id(nodes[i]), i };
    if (L->op_ids[i] >= next_id)
      next_id = L->op_ids[i] + 1;
  }
  for (size_t i = 0; ok && i < n; i++) {
    for (int k = 0; ok && k < lm_node_num_inputs(nodes[i]); k++) {
      const lm_tensor *in = lm_node_input(nodes[i], k);
      if (!in || in->grad_fn)
        continue;
      bool seen = false;
      for (size_t j = 0; j < L->n_leaves && !seen; j++)
        seen = L->leaves[j] == in;
      if (seen)
        continue;
      if (L->n_leaves == leaf_cap) {
        leaf_cap *= 2;
        const lm_tensor **nl = realloc(L->leaves, leaf_cap * sizeof *nl);
        if (nl)
          L->leaves = nl;
        int64_t *ni = realloc(L->leaf_ids, leaf_cap * sizeof *ni);
        if (ni)
          L->leaf_ids = ni;
        if (!nl || !ni) {
          ok = false;
          break;
        }
      }
      L->leaves[L->n_leaves] = in;
      L->leaf_ids[L->n_leaves++] = next_id++;
    }
  }
  free(nodes);
  if (ok)
    qsort(L->by_id, n, sizeof *L->by_id, cmp_id);
  else
    layout_clear(L);
  return ok;
}

static bool same_structure(const step_layout *a, const step_layout *b)
{
  if (a->n_ops != b->n_ops || a->n_leaves != b->n_leaves)
    return false;
  for (size_t i = 0; i < a->n_ops; i++)
    if (strcmp(a->ops[i], b->ops[i]) != 0)
      return false;
  return true;
}

lm_train_tracer *lm_train_tracer_new(lm_writer *w, const lm_module *model, size_t values_cap)
{
  lm_train_tracer *tt = calloc(1, sizeof *tt);
  if (!tt)
    return NULL;
  tt->rec = lm_tracer_new(values_cap);
  if (!tt->rec) {
    free(tt);
    return NULL;
  }
  tt->w = w;
  tt->model = model;
  tt->graph_id = -1;
  return tt;
}

void lm_train_tracer_free(lm_train_tracer *tt)
{
  if (!tt)
    return;
  lm_tracer_free(tt->rec);
  layout_clear(&tt->ref);
  free(tt);
}

lm_tracer *lm_train_tracer_recorder(lm_train_tracer *tt)
{
  return tt ? tt->rec : NULL;
}

int lm_train_tracer_graphs_logged(const lm_train_tracer *tt)
{
  return tt ? tt->graphs_logged : 0;
}

/* Logs the graph behind loss and makes `cur` (its layout) the reference. */
static int adopt_graph(lm_train_tracer *tt, int64_t step, const lm_tensor *loss, step_layout *cur)
{
  int64_t gid = -1;
  int rc = lm_train_log_graph(tt->w, step, "train_step", loss, tt->model, &gid);
  if (rc != LM_OK)
    return rc;
  layout_clear(&tt->ref);
  tt->ref = *cur;
  memset(cur, 0, sizeof *cur);
  tt->have_ref = true;
  tt->graph_id = gid;
  tt->graphs_logged++;
  return LM_OK;
}

int lm_train_tracer_log_graph(lm_train_tracer *tt, int64_t step, const lm_tensor *loss,
                              int64_t *graph_id)
{
  if (graph_id)
    *graph_id = -1;
  if (!tt || !loss)
    return LM_ERR_INVALID_ARG;
  step_layout cur;
  if (!layout_of(loss, &cur))
    return LM_ERR_NOMEM;
  int rc = adopt_graph(tt, step, loss, &cur);
  layout_clear(&cur);
  if (rc == LM_OK && graph_id)
    *graph_id = tt->graph_id;
  return rc;
}

int lm_train_tracer_write(lm_train_tracer *tt, const lm_tensor *loss, int64_t *trace_id)
{
  if (trace_id)
    *trace_id = -1;
  if (!tt || !loss)
    return LM_ERR_INVALID_ARG;
  int64_t step = lm_tracer_step(tt->rec);
  step_layout cur;
  if (!layout_of(loss, &cur))
    return LM_ERR_NOMEM;
  int rc = LM_OK;
  /* positions in the step -> ids in the logged graph */
  const int64_t *ref_ops = NULL, *ref_leaves = NULL;
  if (!tt->have_ref || !same_structure(&tt->ref, &cur)) {
    step_layout keep = cur; /* adopt_graph takes cur; the ids are the same */
    if (!layout_of(loss, &keep)) {
      layout_clear(&cur);
      return LM_ERR_NOMEM;
    }
    rc = adopt_graph(tt, step, loss, &keep);
    layout_clear(&keep);
    if (rc != LM_OK) {
      layout_clear(&cur);
      return rc;
    }
  }
  ref_ops = tt->ref.op_ids;
  ref_leaves = tt->ref.leaf_ids;

  lm_trace *tr = NULL;
  rc = lm_trace_new(&tr, tt->graph_id, step);
  if (rc != LM_OK) {
    layout_clear(&cur);
    return rc;
  }
  lm_trace_set_values_cap(tr, lm_tracer_values_cap(tt->rec));
  int64_t t_step = lm_tracer_step_start_ns(tt->rec);
  size_t n = lm_tracer_count(tt->rec);
  for (size_t i = 0; rc == LM_OK && i < n; i++) {
    const lm_traced_op *e = lm_tracer_event(tt->rec, i);
    int64_t id = -1;
    if (e->input_slot >= 0) {
      for (size_t j = 0; j < cur.n_leaves; j++)
        if (cur.leaves[j] == e->leaf) {
          id = ref_leaves[j];
          break;
        }
    } else {
      id_index key = { e->node_id, 0 };
      const id_index *hit = bsearch(&key, cur.by_id, cur.n_ops, sizeof key, cmp_id);
      if (hit)
        id = ref_ops[hit->index];
    }
    if (id < 0)
      continue; /* not behind the loss: no node in the graph to point at */
    if (e->values || e->numel == 0) {
      rc = lm_trace_add_event(tr, id, e->phase, e->shape, e->ndim, e->values, (size_t)e->numel);
    } else {
      lm_trace_stats st = {
        .min = e->min, .max = e->max, .mean = e->mean, .std = e->std,
        .nan_count = e->nan_count, .inf_count = e->inf_count, .zero_count = e->zero_count,
      };
      rc = lm_trace_add_event_stats(tr, id, e->phase, e->shape, e->ndim, (size_t)e->numel, &st);
    }
    /* op times count from the step's start (lm_tracer_reset) */
    if (rc == LM_OK && e->timed && t_step > 0 && e->start_ns >= t_step)
      rc = lm_trace_set_event_time(tr, e->start_ns - t_step, e->dur_ns);
    if (rc == LM_OK && e->memory)
      rc = lm_trace_set_event_memory(tr, e->alloc_bytes, e->free_bytes, e->mem_after, e->mem_peak);
    if (rc == LM_OK && e->input_shapes && e->input_slot < 0)
      rc = lm_trace_set_event_input_shapes(tr, e->input_shapes);
  }
  if (rc == LM_OK && t_step > 0)
    rc = lm_trace_set_step_time(tr, lm_clock_ns() - t_step);
  if (rc == LM_OK)
    rc = lm_writer_add_trace(tt->w, tr, trace_id);
  lm_trace_free(tr);
  layout_clear(&cur);
  return rc;
}
