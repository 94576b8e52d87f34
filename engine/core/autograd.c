/* autograd.c: define-by-run graph recording, the backward pass, graph walks,
 * op hooks and module paths.
 *
 * Recording: an op whose inputs require grad (with grad mode on) attaches an
 * lm_node to its output; the node holds references to its inputs and to the
 * tensors backward needs, never to its own output (saved outputs are detached),
 * so graphs are acyclic and die with their last tensor.
 *
 * Backward: the nodes behind the root are collected iteratively (no recursion:
 * graphs can be thousands of nodes deep) and run in decreasing creation order,
 * which is a reverse topological order because a node is always created after
 * the nodes of its inputs. Gradients flowing into a node are summed in its
 * grad_accum; leaves accumulate into .grad (an unscoped tensor, made on first
 * use); non-leaf gradients are dropped once used, as in PyTorch.
 * Not for: the ops' own backward formulas (engine/ops/).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lm-backend.h"
#include "lm-core.h"

static _Thread_local bool grad_disabled;
static _Thread_local int hooks_mute_depth;
/* Installed op hooks, in the order they run.  Process-wide: install and
 * remove them while no op runs on another thread. */
typedef struct {
  lm_op_hook fn;
  void *data;
  int handle;
} op_hook_slot;
static op_hook_slot op_hooks[LM_OP_HOOKS_MAX];
static int n_op_hooks;
static int next_hook_handle = 1;
static int set_hook_handle; /* the one lm_set_op_hook installed, 0 if none */
static _Atomic uint64_t next_node_id = 1;

/* ---- grad mode ---- */

bool lm_grad_enabled(void)
{
  return !grad_disabled;
}

bool lm_set_grad_enabled(bool enabled)
{
  bool prev = !grad_disabled;
  grad_disabled = !enabled;
  return prev;
}

bool lm_needs_grad(const lm_tensor *a, const lm_tensor *b)
{
  if (grad_disabled)
    return false;
  return (a && a->requires_grad) || (b && b->requires_grad);
}

bool lm_needs_grad_n(int n, const lm_tensor *const *ts)
{
  if (grad_disabled)
    return false;
  for (int i = 0; i < n; i++)
    if (ts[i] && ts[i]->requires_grad)
      return true;
  return false;
}

/* ---- module paths ---- */

#define LM_MODULE_PATH_MAX 512
#define LM_MODULE_DEPTH_MAX 64
static _Thread_local char module_path[LM_MODULE_PATH_MAX];
static _Thread_local size_t module_lens[LM_MODULE_DEPTH_MAX];
static _Thread_local int module_depth;

void lm_module_path_push(const char *name)
{
  if (module_depth >= LM_MODULE_DEPTH_MAX) {
    lm_error("module_path_push: modules nested more than %d deep", LM_MODULE_DEPTH_MAX);
    return;
  }
  size_t len = strlen(module_path);
  module_lens[module_depth++] = len;
  if (!name || !*name)
    return;
  snprintf(module_path + len, sizeof module_path - len, "%s%s", len ? "." : "", name);
}

void lm_module_path_pop(void)
{
  if (module_depth == 0) {
    lm_error("module_path_pop: no module path was pushed");
    return;
  }
  module_path[module_lens[--module_depth]] = '\0';
}

const char *lm_module_path(void)
{
  return module_path;
}

/* ---- hooks ---- */

int lm_add_op_hook(lm_op_hook hook, void *user_data)
{
  if (!hook) {
    lm_error("add_op_hook: the hook function is NULL");
    return 0;
  }
  if (n_op_hooks == LM_OP_HOOKS_MAX) {
    lm_error("add_op_hook: %d hooks are installed already (the most there can be)",
             LM_OP_HOOKS_MAX);
    return 0;
  }
  op_hooks[n_op_hooks++] = (op_hook_slot){hook, user_data, next_hook_handle};
  return next_hook_handle++;
}

void lm_remove_op_hook(int handle)
{
  for (int i = 0; i < n_op_hooks; i++)
    if (op_hooks[i].handle == handle) {
      memmove(&op_hooks[i], &op_hooks[i + 1], (size_t)(n_op_hooks - i - 1) * sizeof op_hooks[0]);
      n_op_hooks--;
      return;
    }
}

void lm_set_op_hook(lm_op_hook hook, void *user_data)
{
  if (set_hook_handle)
    lm_remove_op_hook(set_hook_handle);
  set_hook_handle = hook ? lm_add_op_hook(hook, user_data) : 0;
}

/* Calls every hook on a copy of the table, so a hook may add or remove
 * hooks (itself included) without upsetting this loop. */
static void dispatch(const lm_hook_event *ev)
{
  op_hook_slot now[LM_OP_HOOKS_MAX];
  int n = n_op_hooks;
  memcpy(now, op_hooks, (size_t)n * sizeof now[0]);
  for (int i = 0; i < n; i++)
    now[i].fn(ev, now[i].data);
}

void lm_hooks_mute(void)
{
  hooks_mute_depth++;
}

void lm_hooks_unmute(void)
{
  if (hooks_mute_depth > 0)
    hooks_mute_depth--;
}

bool lm_hooks_muted(void)
{
  return hooks_mute_depth > 0;
}

/* ---- op timing ---- */

bool lm_op_timing_on;

bool lm_set_op_timing(bool enabled)
{
  bool prev = lm_op_timing_on;
  lm_op_timing_on = enabled;
  return prev;
}

bool lm_op_timing(void)
{
  return lm_op_timing_on;
}

int64_t lm_clock_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A CUDA op only queues kernels: its time is real once the device has
 * drained what came before (at the start) and what it queued (at the end). */
static int64_t clock_on(lm_device device)
{
  if (device.type == LM_DEVICE_CUDA) {
    const lm_backend *be = lm_backend_of(device);
    if (be && be->synchronize)
      be->synchronize(device.index);
  }
  return lm_clock_ns();
}

int64_t lm_op_clock(const lm_tensor *x)
{
  return x ? clock_on(x->device) : lm_clock_ns();
}

/* ---- memory profiling ----
 * An op's counts are the allocator's (lm_mem_counts) at its end less those
 * at its start. Ops may run inside ops (a backward function calls ops, an op
 * is built from ops), so the starts wait on a small per-thread stack, each
 * keyed by the value lm_op_start handed the op; an op that fails before its
 * lm_hook_forward leaves its mark behind, dropped when a mark under it is
 * taken or when the stack fills. Each mark also holds the running peak of
 * the op around it, which the inner op's peak joins when it ends. */

typedef struct {
  int64_t key;
  lm_mem_counter at[LM_MEM_SLOTS];
} mem_mark;

#define MEM_MARKS_MAX 32
static _Thread_local mem_mark mem_marks[MEM_MARKS_MAX];
static _Thread_local int n_mem_marks;
static _Thread_local int64_t mem_keys;
bool lm_op_memory_on;

bool lm_set_op_memory(bool enabled)
{
  bool prev = lm_op_memory_on;
  if (enabled && !prev)
    n_mem_marks = 0;
  lm_op_memory_on = enabled;
  return prev;
}

bool lm_op_memory(void)
{
  return lm_op_memory_on;
}

/* Marks the allocator's counts and starts each slot's peak afresh. */
static void mem_mark_take(mem_mark *m, int64_t key)
{
  m->key = key;
  for (int i = 0; i < LM_MEM_SLOTS; i++) {
    m->at[i] = lm_mem_counts[i];
    lm_mem_counts[i].peak = lm_mem_live(i);
  }
}

/* Fills ev's memory fields for an op on `device` that started at m, and
 * hands the op's peak on to the running peak of the op around it. */
static void mem_mark_end(const mem_mark *m, lm_device device, lm_hook_event *ev)
{
  int slot = lm_mem_slot(device);
  const lm_mem_counter *c = &lm_mem_counts[slot];
  ev->memory = true;
  ev->alloc_bytes = c->alloc - m->at[slot].alloc;
  ev->free_bytes = c->freed - m->at[slot].freed;
  ev->mem_after = lm_mem_live(slot);
  ev->mem_peak = c->peak > ev->mem_after ? c->peak : ev->mem_after;
  for (int i = 0; i < LM_MEM_SLOTS; i++)
    if (m->at[i].peak > lm_mem_counts[i].peak)
      lm_mem_counts[i].peak = m->at[i].peak;
}

int64_t lm_op_begin(const lm_tensor *x)
{
  int64_t t0 = lm_op_timing_on ? lm_op_clock(x) : 0;
  if (lm_op_memory_on) {
    if (!t0)
      t0 = -++mem_keys;
    if (n_mem_marks == MEM_MARKS_MAX)
      n_mem_marks = 0;
    mem_mark_take(&mem_marks[n_mem_marks++], t0);
  }
  return t0;
}

/* Pops the mark keyed t0 (and any left above it) into ev; false when none. */
static bool mem_pop(int64_t t0, lm_device device, lm_hook_event *ev)
{
  for (int i = n_mem_marks - 1; i >= 0; i--)
    if (mem_marks[i].key == t0) {
      mem_mark_end(&mem_marks[i], device, ev);
      n_mem_marks = i;
      return true;
    }
  return false;
}

void lm_hook_forward(const char *op, const lm_node *node, const lm_tensor *out, int64_t t0)
{
  lm_hook_event ev = { .phase = LM_PHASE_FORWARD };
  if (lm_op_memory_on && t0)
    mem_pop(t0, out ? out->device : LM_CPU, &ev);
  if (!n_op_hooks || hooks_mute_depth > 0 || !out)
    return;
  int64_t t1 = 0;
  if (lm_op_timing_on) {
    t1 = clock_on(out->device);
    /* an op that took no start time (timing turned on mid-op) */
    t0 = t0 > 0 ? t0 : t1;
  } else {
    t0 = 0;
  }
  ev.op = op;
  ev.node = node;
  ev.tensor = out;
  ev.start_ns = t0;
  ev.end_ns = t1;
  dispatch(&ev);
}

/* ---- nodes ---- */

lm_node *lm_node_record(lm_tensor *out, const char *op, lm_backward_fn backward, int n_inputs,
                        const lm_tensor *const *inputs)
{
  if (!out)
    return NULL;
  lm_node *n = calloc(1, sizeof *n);
  if (!n) {
    lm_error("%s: out of memory recording the autograd graph", op);
    return NULL;
  }
  n->refcount = 1;
  n->id = atomic_fetch_add(&next_node_id, 1);
  n->op = op;
  if (module_path[0])
    n->module = strdup(module_path);
  n->n_inputs = n_inputs;
  n->inputs = n_inputs <= LM_MAX_INPUTS ? n->inline_inputs : calloc((size_t)n_inputs, sizeof(lm_tensor *));
  if (!n->inputs) {
    free(n->module);
    free(n);
    lm_error("%s: out of memory recording the autograd graph", op);
    return NULL;
  }
  atomic_fetch_add(&lm_live_nodes_counter, 1);
  for (int i = 0; i < n_inputs; i++)
    n->inputs[i] = lm_tensor_retain((lm_tensor *)inputs[i]);
  n->backward = backward;
  n->out_ndim = out->ndim;
  memcpy(n->out_shape, out->shape, sizeof n->out_shape);
  n->out_dtype = out->dtype;
  n->out_device = out->device;
  if (out->grad_fn)
    lm_node_release(out->grad_fn);
  out->grad_fn = n;
  out->requires_grad = true;
  return n;
}

void lm_node_save(lm_node *node, const lm_tensor *t)
{
  if (!node)
    return;
  if (node->n_saved >= LM_MAX_SAVED) {
    lm_error("%s: more than %d saved tensors (LM_MAX_SAVED)", node->op, LM_MAX_SAVED);
    return;
  }
  node->saved[node->n_saved++] = lm_tensor_retain((lm_tensor *)t);
}

void lm_node_save_detached(lm_node *node, const lm_tensor *t)
{
  if (!node || !t)
    return;
  lm_tensor *d = lm_detach_owned(t);
  lm_node_save(node, d);
  lm_tensor_release(d);
}

bool lm_node_input_needs_grad(const lm_node *node, int i)
{
  return i >= 0 && i < node->n_inputs && node->inputs[i] && node->inputs[i]->requires_grad;
}

void lm_node_free_saved(lm_node *node)
{
  if (node->n_saved > 0)
    node->released = true;
  for (int i = 0; i < node->n_saved; i++) {
    lm_tensor_release(node->saved[i]);
    node->saved[i] = NULL;
  }
  node->n_saved = 0;
}

void lm_node_release(lm_node *n)
{
  if (!n || --n->refcount > 0)
    return;
  for (int i = 0; i < n->n_inputs; i++)
    lm_tensor_release(n->inputs[i]);
  for (int i = 0; i < n->n_saved; i++)
    lm_tensor_release(n->saved[i]);
  lm_tensor_release(n->grad_accum);
  if (n->inputs != n->inline_inputs)
    free(n->inputs);
  free(n->module);
  free(n->extra);
  free(n);
  atomic_fetch_sub(&lm_live_nodes_counter, 1);
}

uint64_t lm_node_id(const lm_node *n) { return n ? n->id : 0; }
const char *lm_node_op(const lm_node *n) { return n ? n->op : ""; }
const char *lm_node_module(const lm_node *n) { return n && n->module ? n->module : ""; }
int lm_node_num_inputs(const lm_node *n) { return n ? n->n_inputs : 0; }
const lm_tensor *lm_node_input(const lm_node *n, int i)
{
  return n && i >= 0 && i < n->n_inputs ? n->inputs[i] : NULL;
}
int lm_node_ndim(const lm_node *n) { return n ? n->out_ndim : 0; }
const int64_t *lm_node_shape(const lm_node *n) { return n ? n->out_shape : NULL; }
lm_dtype lm_node_dtype(const lm_node *n) { return n ? n->out_dtype : LM_FLOAT32; }
lm_device lm_node_device(const lm_node *n) { return n ? n->out_device : LM_CPU; }

/* ---- graph collection ---- */

typedef struct {
  lm_node **v;
  size_t n, cap;
} node_vec;

static bool vec_push(node_vec *vec, lm_node *n)
{
  if (vec->n == vec->cap) {
    size_t cap = vec->cap ? vec->cap * 2 : 64;
    lm_node **p = realloc(vec->v, cap * sizeof *p);
    if (!p)
      return false;
    vec->v = p;
    vec->cap = cap;
  }
  vec->v[vec->n++] = n;
  return true;
}

/* All nodes behind root, each once (marked through node->pending, cleared by
 * the caller via unmark()). Iterative depth-first walk. */
static bool collect(lm_node *root, node_vec *out)
{
  node_vec stack = {0};
  bool ok = vec_push(&stack, root) && vec_push(out, root);
  root->pending = 1;
  while (ok && stack.n) {
    lm_node *n = stack.v[--stack.n];
    for (int i = 0; i < n->n_inputs && ok; i++) {
      lm_tensor *t = n->inputs[i];
      if (t && t->grad_fn && !t->grad_fn->pending) {
        t->grad_fn->pending = 1;
        ok = vec_push(&stack, t->grad_fn) && vec_push(out, t->grad_fn);
      }
    }
  }
  free(stack.v);
  if (!ok)
    lm_error("autograd: out of memory walking the graph");
  return ok;
}

static void unmark(node_vec *vec)
{
  for (size_t i = 0; i < vec->n; i++)
    vec->v[i]->pending = 0;
}

static int by_id_desc(const void *a, const void *b)
{
  uint64_t x = (*(lm_node *const *)a)->id, y = (*(lm_node *const *)b)->id;
  return x < y ? 1 : x > y ? -1 : 0;
}

static int by_id_asc(const void *a, const void *b)
{
  return -by_id_desc(a, b);
}

size_t lm_graph_nodes(const lm_tensor *root, const lm_node ***nodes_out)
{
  if (!nodes_out)
    return 0;
  *nodes_out = NULL;
  if (!root || !root->grad_fn)
    return 0;
  node_vec vec = {0};
  bool ok = collect(root->grad_fn, &vec);
  unmark(&vec);
  if (!ok) {
    free(vec.v);
    return 0;
  }
  qsort(vec.v, vec.n, sizeof *vec.v, by_id_asc);
  *nodes_out = (const lm_node **)vec.v;
  return vec.n;
}

/* ---- accumulation ---- */

static bool exclusively_owned(const lm_tensor *t)
{
  return t->refcount == 1 && t->storage->refcount == 1 && !t->requires_grad;
}

/* acc += g elementwise, in place (same shapes). */
static void add_into(lm_tensor *acc, const lm_tensor *g)
{
  const lm_tensor *ops[3] = {acc, acc, g};
  lm_iter it;
  lm_iter_init(&it, acc->ndim, acc->shape, 3, ops);
  lm_backend_of(acc->device)->binary_f32(LM_BIN_ADD, &it, lm_data_ptr(acc), lm_data_ptr(acc),
                                         lm_data_ptr(g));
}

/* A fresh unscoped contiguous copy of t. */
static lm_tensor *copy_unscoped(const lm_tensor *t)
{
  lm_tensor *c = lm_tensor_new_unscoped(t->ndim, t->shape, t->dtype, t->device);
  if (!c)
    return NULL;
  const lm_tensor *ops[2] = {c, t};
  lm_iter it;
  lm_iter_init(&it, t->ndim, t->shape, 2, ops);
  lm_backend_of(t->device)->copy_strided(&it, lm_dtype_size(t->dtype), lm_data_ptr(c), lm_data_ptr(t));
  return c;
}

/* *slot += g for a node's incoming gradient; takes ownership of g. The first
 * gradient is stored as is (it may be shared, e.g. add's pass-through, or a
 * view): it is only read. A second one is added in place into whichever of
 * the two is exclusively ours, else into a fresh tensor. */
static void accumulate(lm_tensor **slot, lm_tensor *g)
{
  if (!*slot) {
    *slot = g;
    return;
  }
  lm_tensor *acc = *slot;
  if (exclusively_owned(acc) && lm_is_contiguous(acc)) {
    add_into(acc, g);
    lm_tensor_release(g);
    return;
  }
  if (exclusively_owned(g) && lm_is_contiguous(g)) {
    add_into(g, acc);
    lm_tensor_release(acc);
    *slot = g;
    return;
  }
  lm_tensor *sum = lm_tensor_new_unscoped(acc->ndim, acc->shape, LM_FLOAT32, acc->device);
  if (sum) {
    const lm_tensor *ops[3] = {sum, acc, g};
    lm_iter it;
    lm_iter_init(&it, sum->ndim, sum->shape, 3, ops);
    lm_backend_of(sum->device)->binary_f32(LM_BIN_ADD, &it, lm_data_ptr(sum), lm_data_ptr(acc),
                                           lm_data_ptr(g));
  }
  lm_tensor_release(acc);
  lm_tensor_release(g);
  *slot = sum;
}

static void accumulate_leaf(lm_tensor *leaf, lm_tensor *g)
{
  if (!leaf->grad) {
    /* .grad is the leaf's own: optimizers and later backwards update it in place. */
    if (exclusively_owned(g) && lm_is_contiguous(g)) {
      leaf->grad = g;
    } else {
      leaf->grad = copy_unscoped(g);
      lm_tensor_release(g);
    }
    return;
  }
  /* In place into the existing .grad, as PyTorch does (optimizers hold it). */
  add_into(leaf->grad, g);
  lm_tensor_release(g);
}

/* An owned, unscoped reference to g reduced to t's shape. */
static lm_tensor *reduce_to(lm_tensor *g, const lm_tensor *t)
{
  if (lm_same_shape(g, t))
    return g;
  lm_scope_begin();
  lm_tensor *r = lm_sum_to_shape(g, t->ndim, t->shape);
  lm_scope_keep(r);
  lm_scope_end();
  lm_tensor_release(g);
  return r;
}

/* ---- backward ---- */

static const char *second_backward_msg =
  "backward: trying to backward through the graph a second time (or directly access saved "
  "tensors after they have already been freed). Saved intermediate values of the graph are "
  "freed when you call lm_backward(); pass retain_graph=true if you need to backward through "
  "the graph a second time or access saved tensors after calling backward";

void lm_backward(lm_tensor *root, const lm_tensor *grad_output, bool retain_graph)
{
  if (!root)
    return;
  char b1[LM_SHAPE_STR_LEN], b2[LM_SHAPE_STR_LEN];
  if (!root->requires_grad) {
    lm_error("backward: element 0 of tensors does not require grad and does not have a grad_fn");
    return;
  }
  lm_tensor *g0;
  if (grad_output) {
    if (!lm_same_shape(root, grad_output)) {
      lm_error("backward: mismatch in shape: grad_output has shape %s and output has shape %s",
               lm_shape_str(grad_output, b1, sizeof b1), lm_shape_str(root, b2, sizeof b2));
      return;
    }
    if (!lm_check_float("backward", grad_output) ||
        !lm_check_same_device("backward", root, grad_output))
      return;
    g0 = copy_unscoped(grad_output);
  } else {
    if (lm_numel(root) != 1) {
      lm_error("backward: grad can be implicitly created only for scalar outputs (output has "
               "shape %s)", lm_shape_str(root, b1, sizeof b1));
      return;
    }
    g0 = lm_tensor_new_unscoped(root->ndim, root->shape, LM_FLOAT32, root->device);
    if (g0)
      lm_backend_of(g0->device)->fill_f32(1, 1.0f, lm_data_ptr(g0));
  }
  if (!g0)
    return;

  bool prev_grad = lm_set_grad_enabled(false);
  lm_hooks_mute();
  lm_scope_begin(); /* one scope around the per-node ones: their bookkeeping is reused */

  if (!root->grad_fn) {
    accumulate_leaf(root, g0);
    goto out;
  }

  node_vec nodes = {0};
  bool ok = collect(root->grad_fn, &nodes);
  unmark(&nodes);
  if (!ok) {
    lm_tensor_release(g0);
    free(nodes.v);
    goto out;
  }
  qsort(nodes.v, nodes.n, sizeof *nodes.v, by_id_desc);
  lm_tensor_release(root->grad_fn->grad_accum);
  root->grad_fn->grad_accum = g0;

  lm_tensor *inline_gin[LM_MAX_INPUTS];
  for (size_t k = 0; k < nodes.n; k++) {
    lm_node *node = nodes.v[k];
    if (!node->grad_accum)
      continue;
    if (node->released) {
      lm_error("%s", second_backward_msg);
      break;
    }
    lm_tensor *gout = node->grad_accum;
    node->grad_accum = NULL;
    if (!lm_is_contiguous(gout)) {
      lm_tensor *c = lm_contiguous_owned(gout);
      lm_tensor_release(gout);
      gout = c;
      if (!gout)
        break;
    }
    lm_tensor **gin = node->n_inputs <= LM_MAX_INPUTS
                        ? inline_gin
                        : calloc((size_t)node->n_inputs, sizeof(lm_tensor *));
    if (!gin) {
      lm_error("backward: out of memory");
      lm_tensor_release(gout);
      break;
    }
    for (int i = 0; i < node->n_inputs; i++)
      gin[i] = NULL;
    int64_t t0 = lm_op_timing_on ? clock_on(node->out_device) : 0;
    bool mem = lm_op_memory_on;
    mem_mark mark;
    if (mem)
      mem_mark_take(&mark, 0);
    lm_scope_begin();
    node->backward(node, gout, gin);
    for (int i = 0; i < node->n_inputs; i++)
      lm_scope_keep(gin[i]);
    lm_scope_end();

    lm_hook_event ev = {
      .phase = LM_PHASE_BACKWARD, .op = node->op, .node = node, .tensor = gout,
      .n_grad_inputs = node->n_inputs, .grad_inputs = (const lm_tensor *const *)gin,
      .start_ns = t0, .end_ns = t0 && n_op_hooks ? clock_on(node->out_device) : 0,
    };
    if (mem)
      mem_mark_end(&mark, gout->device, &ev);
    if (n_op_hooks)
      dispatch(&ev);

    for (int i = 0; i < node->n_inputs; i++) {
      lm_tensor *g = gin[i];
      lm_tensor *t = node->inputs[i];
      if (!g)
        continue;
      if (!t || !t->requires_grad) {
        lm_tensor_release(g);
        continue;
      }
      g = reduce_to(g, t);
      if (!g)
        continue;
      if (t->grad_fn)
        accumulate(&t->grad_fn->grad_accum, g);
      else
        accumulate_leaf(t, g);
    }
    if (gin != inline_gin)
      free(gin);
    lm_tensor_release(gout);
    if (!retain_graph)
      lm_node_free_saved(node);
  }
  /* Whatever is left (an error stopped us, or branches no gradient reached). */
  for (size_t k = 0; k < nodes.n; k++) {
    lm_tensor_release(nodes.v[k]->grad_accum);
    nodes.v[k]->grad_accum = NULL;
    if (!retain_graph)
      lm_node_free_saved(nodes.v[k]);
  }
  free(nodes.v);

out:
  lm_scope_end();
  lm_hooks_unmute();
  lm_set_grad_enabled(prev_grad);
}

void lm_tensor_zero_grad(lm_tensor *t)
{
  if (!t || !t->grad)
    return;
  lm_tensor_release(t->grad);
  t->grad = NULL;
}
