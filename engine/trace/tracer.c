/* tracer.c: the in-memory op-by-op recorder of lumen-trace.h.
 *
 * Values live in a chunked arena that is kept across steps: after the first
 * traced step a tracer allocates nothing more for a model whose step looks
 * the same, and event pointers stay valid while later events are added
 * (chunks never move). Tensors over the values cap are still copied, into a
 * scratch buffer, because their statistics need every value.
 *
 * Not here: writing traces (app/train/train-trace.c), choosing which steps
 * to keep (the caller).
 */
#include "lumen-trace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lm-engine-private.h"

#define CHUNK_FLOATS ((size_t)1 << 20)

typedef struct {
  float *data;
  size_t cap, used;
} chunk;

struct lm_tracer {
  size_t values_cap;
  bool attached, enabled, ok;
  int hook_handle; /* from lm_add_op_hook while attached */
  int64_t step;
  int64_t step_start_ns;
  lm_traced_op *ev;
  size_t n, cap;
  chunk *chunks;
  size_t n_chunks, cur;
  float *scratch;
  size_t scratch_cap;
  float *wide;           /* a broadcast leaf gradient before its reduction */
  size_t wide_cap;
  size_t value_bytes;
  int64_t anomaly;
  /* where the anomaly's NaN/Inf are: -1, in event `anomaly`'s own tensor;
   * >= 0, in the gradient that op's backward returned for that input */
  int anomaly_input;
  int64_t anomaly_nan, anomaly_inf, anomaly_numel;
  char anomaly_what[160]; /* that input: "the output of abs", "leaf 'w'" */
  char anomaly_fn[64];    /* the op's grad_fn class: "SqrtBackward0" */
};

lm_tracer *lm_tracer_new(size_t values_cap)
{
  lm_tracer *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  t->values_cap = values_cap;
  t->enabled = true;
  t->ok = true;
  t->anomaly = -1;
  t->anomaly_input = -1;
  return t;
}

static void forget_events(lm_tracer *t)
{
  for (size_t i = 0; i < t->n; i++) {
    free((char *)t->ev[i].module);
    free((char *)t->ev[i].leaf_name);
    free((char *)t->ev[i].input_shapes);
  }
  t->n = 0;
  for (size_t c = 0; c < t->n_chunks; c++)
    t->chunks[c].used = 0;
  t->cur = 0;
  t->value_bytes = 0;
  t->anomaly = -1;
  t->anomaly_input = -1;
  t->ok = true;
}

void lm_tracer_free(lm_tracer *t)
{
  if (!t)
    return;
  lm_tracer_detach(t);
  forget_events(t);
  for (size_t c = 0; c < t->n_chunks; c++)
    free(t->chunks[c].data);
  free(t->chunks);
  free(t->ev);
  free(t->scratch);
  free(t->wide);
  free(t);
}

size_t lm_tracer_values_cap(const lm_tracer *t)
{
  return t ? t->values_cap : 0;
}

void lm_tracer_set_enabled(lm_tracer *t, bool enabled)
{
  if (t)
    t->enabled = enabled;
}

void lm_tracer_reset(lm_tracer *t, int64_t step)
{
  if (!t)
    return;
  forget_events(t);
  t->step = step;
  t->step_start_ns = lm_op_timing() ? lm_clock_ns() : 0;
}

int64_t lm_tracer_step(const lm_tracer *t)
{
  return t ? t->step : 0;
}

int64_t lm_tracer_step_start_ns(const lm_tracer *t)
{
  return t ? t->step_start_ns : 0;
}

size_t lm_tracer_count(const lm_tracer *t)
{
  return t ? t->n : 0;
}

const lm_traced_op *lm_tracer_event(const lm_tracer *t, size_t i)
{
  return t && i < t->n ? &t->ev[i] : NULL;
}

size_t lm_tracer_bytes(const lm_tracer *t)
{
  return t ? t->n * sizeof *t->ev + t->value_bytes : 0;
}

bool lm_tracer_ok(const lm_tracer *t)
{
  return t && t->ok;
}

int64_t lm_tracer_anomaly(const lm_tracer *t)
{
  return t ? t->anomaly : -1;
}

int lm_tracer_anomaly_input(const lm_tracer *t)
{
  return t && t->anomaly >= 0 ? t->anomaly_input : -1;
}

/* ---- recording ---- */

/* Room for n floats that stays put until the next reset. */
static float *arena_alloc(lm_tracer *t, size_t n)
{
  while (t->cur < t->n_chunks && t->chunks[t->cur].cap - t->chunks[t->cur].used < n)
    t->cur++;
  if (t->cur == t->n_chunks) {
    chunk *nc = realloc(t->chunks, (t->n_chunks + 1) * sizeof *nc);
    if (!nc)
      return NULL;
    t->chunks = nc;
    size_t cap = n > CHUNK_FLOATS ? n : CHUNK_FLOATS;
    float *d = malloc(cap * sizeof(float));
    if (!d)
      return NULL;
    t->chunks[t->n_chunks++] = (chunk){ d, cap, 0 };
  }
  chunk *c = &t->chunks[t->cur];
  float *p = c->data + c->used;
  c->used += n;
  return p;
}

/* One pass: sums of (x - shift) in double, shifted by the first finite
 * value so the variance keeps its precision for large means. */
static void stats_careful(const float *v, size_t n, lm_traced_op *e);

/* Fast path first: no NaN/Inf checks per element (a NaN or an Inf shows in
 * the sums or the extremes, and then the careful pass runs). */
static void stats(const float *v, size_t n, lm_traced_op *e)
{
  if (n == 0) {
    stats_careful(v, n, e);
    return;
  }
  float mn = v[0], mx = v[0];
  double shift = v[0], s1 = 0, s2 = 0;
  int64_t zero = 0;
  for (size_t i = 0; i < n; i++) {
    float x = v[i];
    mn = x < mn ? x : mn;
    mx = x > mx ? x : mx;
    zero += x == 0.0f;
    double d = (double)x - shift;
    s1 += d;
    s2 += d * d;
  }
  if (!isfinite(s1) || !isfinite(s2) || !isfinite(mn) || !isfinite(mx) || !isfinite(shift)) {
    stats_careful(v, n, e);
    return;
  }
  e->min = mn;
  e->max = mx;
  e->mean = shift + s1 / (double)n;
  double var = n > 1 ? (s2 - s1 * s1 / (double)n) / (double)(n - 1) : NAN;
  e->std = n > 1 ? sqrt(var > 0 ? var : 0) : NAN;
  e->nan_count = 0;
  e->inf_count = 0;
  e->zero_count = zero;
}

static void stats_careful(const float *v, size_t n, lm_traced_op *e)
{
  double mn = INFINITY, mx = -INFINITY, shift = 0, s1 = 0, s2 = 0;
  int64_t nan = 0, inf = 0, zero = 0, fin = 0;
  for (size_t i = 0; i < n; i++) {
    float x = v[i];
    if (isnan(x)) {
      nan++;
    } else if (isinf(x)) {
      inf++;
    } else {
      if (fin == 0)
        shift = x;
      zero += x == 0.0f;
      fin++;
      mn = x < mn ? x : mn;
      mx = x > mx ? x : mx;
      double d = (double)x - shift;
      s1 += d;
      s2 += d * d;
    }
  }
  e->min = fin ? mn : NAN;
  e->max = fin ? mx : NAN;
  e->mean = fin ? shift + s1 / (double)fin : NAN;
  double var = fin > 1 ? (s2 - s1 * s1 / (double)fin) / (double)(fin - 1) : NAN;
  e->std = fin > 1 ? sqrt(var > 0 ? var : 0) : NAN;
  e->nan_count = nan;
  e->inf_count = inf;
  e->zero_count = zero;
}

/* The common case (a contiguous float32 CPU tensor) is one memcpy. */
static void copy_values(const lm_tensor *x, float *out)
{
  if (x->dtype == LM_FLOAT32 && x->device.type == LM_DEVICE_CPU && lm_is_contiguous(x))
    memcpy(out, lm_data_f32(x), (size_t)lm_numel(x) * sizeof(float));
  else
    lm_tensor_copy_to_host(x, out);
}

static bool grow(float **buf, size_t *cap, size_t n)
{
  if (n <= *cap)
    return true;
  float *b = realloc(*buf, n * sizeof(float));
  if (!b)
    return false;
  *buf = b;
  *cap = n;
  return true;
}

/* Sums a gradient of broadcast shape g (gn dims) into shape l (ln dims, its
 * dims right-aligned with g's and of size 1 or g's size): what the autograd
 * engine does before accumulating into a leaf. out has numel(l) floats. */
static void reduce_to_shape(const float *in, int gn, const int64_t *g, float *out, int ln,
                            const int64_t *l)
{
  int64_t on = 1, total = 1;
  for (int i = 0; i < ln; i++)
    on *= l[i];
  for (int i = 0; i < gn; i++)
    total *= g[i];
  memset(out, 0, (size_t)on * sizeof(float));
  int64_t idx[LM_MAX_DIMS] = { 0 };
  for (int64_t k = 0; k < total; k++) {
    int64_t o = 0;
    for (int d = gn - ln; d < gn; d++) {
      int ld = d - (gn - ln);
      o = o * l[ld] + (l[ld] == 1 ? 0 : idx[d]);
    }
    out[o] += in[k];
    for (int d = gn - 1; d >= 0; d--) {
      if (++idx[d] < g[d])
        break;
      idx[d] = 0;
    }
  }
}

static bool same_shape(const lm_tensor *a, const lm_tensor *b)
{
  if (a->ndim != b->ndim)
    return false;
  for (int i = 0; i < a->ndim; i++)
    if (a->shape[i] != b->shape[i])
      return false;
  return true;
}

/* "[[64, 784], [128, 784], [128]]": malloc'd, NULL when out of memory. */
static char *input_shapes_of(const lm_node *node)
{
  size_t cap = 64, len = 0;
  char *s = malloc(cap);
  int n = lm_node_num_inputs(node);
  for (int i = -1; s && i <= n; i++) {
    char part[LM_MAX_DIMS * 22 + 8];
    size_t pl = 0;
    if (i < 0 || i == n) {
      part[pl++] = i < 0 ? '[' : ']';
    } else {
      const lm_tensor *in = lm_node_input(node, i);
      pl += (size_t)snprintf(part, sizeof part, "%s[", i ? ", " : "");
      for (int d = 0; in && d < in->ndim; d++)
        pl += (size_t)snprintf(part + pl, sizeof part - pl, "%s%lld", d ? ", " : "",
                               (long long)in->shape[d]);
      part[pl++] = ']';
    }
    if (len + pl + 1 > cap) {
      cap = (len + pl + 1) * 2;
      char *ns = realloc(s, cap);
      if (!ns) {
        free(s);
        return NULL;
      }
      s = ns;
    }
    memcpy(s + len, part, pl);
    len += pl;
    s[len] = '\0';
  }
  return s;
}

static void record(lm_tracer *t, lm_phase phase, const char *op, const lm_node *node, int slot,
                   const lm_tensor *leaf, const lm_tensor *x, int64_t start_ns, int64_t end_ns)
{
  if (!x)
    return;
  if (t->n == t->cap) {
    size_t nc = t->cap ? t->cap * 2 : 64;
    lm_traced_op *ne = realloc(t->ev, nc * sizeof *ne);
    if (!ne) {
      t->ok = false;
      return;
    }
    t->ev = ne;
    t->cap = nc;
  }
  lm_traced_op *e = &t->ev[t->n];
  memset(e, 0, sizeof *e);
  e->seq = t->n;
  e->phase = phase;
  e->op = op ? op : lm_node_op(node);
  e->node_id = lm_node_id(node);
  e->module = strdup(lm_node_module(node) ? lm_node_module(node) : "");
  e->input_slot = slot;
  e->leaf = leaf;
  e->leaf_name = leaf && leaf->name ? strdup(leaf->name) : NULL;
  e->timed = slot < 0 && end_ns > 0;
  e->start_ns = e->timed ? start_ns : 0;
  e->dur_ns = e->timed ? end_ns - start_ns : 0;
  e->input_shapes = input_shapes_of(node);
  /* a leaf's gradient is shown as the leaf will receive it */
  const lm_tensor *shape_of = leaf && leaf->ndim <= x->ndim && !same_shape(leaf, x) ? leaf : x;
  e->ndim = shape_of->ndim;
  memcpy(e->shape, shape_of->shape, sizeof e->shape);
  e->numel = lm_numel(shape_of);
  if (!e->module || !e->input_shapes) {
    free((char *)e->module);
    free((char *)e->leaf_name);
    free((char *)e->input_shapes);
    t->ok = false;
    return;
  }
  size_t n = (size_t)e->numel;
  float *buf;
  if (n <= t->values_cap) {
    buf = n ? arena_alloc(t, n) : NULL;
    if (n && !buf) {
      free((char *)e->module);
      free((char *)e->leaf_name);
      free((char *)e->input_shapes);
      t->ok = false;
      return;
    }
    e->values = buf;
    t->value_bytes += n * sizeof(float);
  } else {
    if (!grow(&t->scratch, &t->scratch_cap, n)) {
      free((char *)e->module);
      free((char *)e->leaf_name);
      free((char *)e->input_shapes);
      t->ok = false;
      return;
    }
    buf = t->scratch;
  }
  if (n && shape_of != x) {
    size_t wn = (size_t)lm_numel(x);
    if (!grow(&t->wide, &t->wide_cap, wn)) {
      free((char *)e->module);
      free((char *)e->leaf_name);
      free((char *)e->input_shapes);
      t->ok = false;
      return;
    }
    copy_values(x, t->wide);
    reduce_to_shape(t->wide, x->ndim, x->shape, buf, shape_of->ndim, shape_of->shape);
  } else if (n) {
    copy_values(x, buf);
  }
  stats(buf, n, e);
  /* a leaf's gradient is what its op's backward returned: on_op blames
   * that op. An op's incoming gradient with NaN/Inf that no earlier
   * backward returned (the caller's grad_output, or a sum of finite
   * gradients that overflowed) is blamed where it is seen. */
  if (t->anomaly < 0 && slot < 0 && (e->nan_count || e->inf_count)) {
    t->anomaly = (int64_t)t->n;
    t->anomaly_input = -1;
    t->anomaly_nan = e->nan_count;
    t->anomaly_inf = e->inf_count;
    t->anomaly_numel = e->numel;
  }
  t->n++;
}

/* NaN and Inf in a tensor (any dtype, any device); false when its values
 * cannot be read (out of memory). */
static bool count_nonfinite(lm_tracer *t, const lm_tensor *x, int64_t *nan, int64_t *inf)
{
  size_t n = (size_t)lm_numel(x);
  const float *v;
  *nan = *inf = 0;
  if (x->dtype == LM_FLOAT32 && x->device.type == LM_DEVICE_CPU && lm_is_contiguous(x)) {
    v = lm_data_f32(x);
  } else {
    if (!grow(&t->scratch, &t->scratch_cap, n))
      return false;
    copy_values(x, t->scratch);
    v = t->scratch;
  }
  float probe = 0;
  for (size_t i = 0; i < n; i++)
    probe += v[i] * 0.0f; /* stays 0 unless some value is NaN or Inf */
  if (probe == 0)
    return true;
  for (size_t i = 0; i < n; i++) {
    *nan += isnan(v[i]) != 0;
    *inf += isinf(v[i]) != 0;
  }
  return true;
}

/* PyTorch's anomaly mode names the function whose backward returned NaN
 * ("Function 'SqrtBackward0' returned nan values in its 0th output"); the
 * op that receives that gradient only passes it on. Called after op_ev
 * (the op's own backward event) and its leaf events were recorded. */
static void blame_backward(lm_tracer *t, const lm_hook_event *ev, size_t op_ev, size_t first_leaf_ev)
{
  if (t->anomaly >= 0 || op_ev >= t->n)
    return;
  size_t leaf_ev = first_leaf_ev;
  for (int i = 0; i < ev->n_grad_inputs && i < lm_node_num_inputs(ev->node); i++) {
    const lm_tensor *in = lm_node_input(ev->node, i);
    const lm_tensor *g = ev->grad_inputs ? ev->grad_inputs[i] : NULL;
    if (!g || !in || !in->requires_grad)
      continue;
    int64_t nan = 0, inf = 0, numel = lm_numel(g);
    if (!in->grad_fn) {
      /* its event holds the gradient as the leaf receives it */
      while (leaf_ev < t->n && t->ev[leaf_ev].input_slot != i)
        leaf_ev++;
      if (leaf_ev == t->n)
        continue;
      nan = t->ev[leaf_ev].nan_count;
      inf = t->ev[leaf_ev].inf_count;
      numel = t->ev[leaf_ev].numel;
    } else if (!count_nonfinite(t, g, &nan, &inf)) {
      t->ok = false;
      continue;
    }
    if (!nan && !inf)
      continue;
    t->anomaly = (int64_t)op_ev;
    t->anomaly_input = i;
    t->anomaly_nan = nan;
    t->anomaly_inf = inf;
    t->anomaly_numel = numel;
    lm_grad_fn_name(ev->node, t->anomaly_fn, sizeof t->anomaly_fn);
    if (in->grad_fn)
      snprintf(t->anomaly_what, sizeof t->anomaly_what, "the output of %s", lm_node_op(in->grad_fn));
    else if (in->name)
      snprintf(t->anomaly_what, sizeof t->anomaly_what, "leaf '%s'", in->name);
    else
      snprintf(t->anomaly_what, sizeof t->anomaly_what, "a leaf");
    return;
  }
}

static void on_op(const lm_hook_event *ev, void *user_data)
{
  lm_tracer *t = user_data;
  if (!t->enabled || !ev->node)
    return;
  /* the copies below run engine code: keep it out of the trace and the graph */
  lm_hooks_mute();
  bool prev = lm_set_grad_enabled(false);
  size_t op_ev = t->n;
  record(t, ev->phase, ev->op, ev->node, -1, NULL, ev->tensor, ev->start_ns, ev->end_ns);
  if (t->n > op_ev && ev->memory) {
    lm_traced_op *e = &t->ev[op_ev];
    e->memory = true;
    e->alloc_bytes = ev->alloc_bytes;
    e->free_bytes = ev->free_bytes;
    e->mem_after = ev->mem_after;
    e->mem_peak = ev->mem_peak;
  }
  if (ev->phase == LM_PHASE_BACKWARD) {
    size_t first_leaf_ev = t->n;
    for (int i = 0; i < ev->n_grad_inputs && i < lm_node_num_inputs(ev->node); i++) {
      const lm_tensor *in = lm_node_input(ev->node, i);
      const lm_tensor *g = ev->grad_inputs ? ev->grad_inputs[i] : NULL;
      if (g && in && !in->grad_fn && in->requires_grad)
        record(t, LM_PHASE_BACKWARD, ev->op, ev->node, i, in, g, 0, 0);
    }
    if (t->n > op_ev && t->ev[op_ev].input_slot < 0)
      blame_backward(t, ev, op_ev, first_leaf_ev);
  }
  lm_set_grad_enabled(prev);
  lm_hooks_unmute();
}

void lm_tracer_attach(lm_tracer *t)
{
  if (!t)
    return;
  if (t->attached)
    return;
  t->hook_handle = lm_add_op_hook(on_op, t);
  t->attached = t->hook_handle != 0;
}

void lm_tracer_detach(lm_tracer *t)
{
  if (!t || !t->attached)
    return;
  lm_remove_op_hook(t->hook_handle);
  t->hook_handle = 0;
  t->attached = false;
}

bool lm_tracer_describe_anomaly(const lm_tracer *t, char *buf, size_t len)
{
  if (!buf || !len)
    return false;
  buf[0] = '\0';
  if (!t || t->anomaly < 0)
    return false;
  const lm_traced_op *e = &t->ev[t->anomaly];
  size_t same_phase = 0, k = 0;
  for (size_t i = 0; i < t->n; i++)
    if (t->ev[i].phase == e->phase) {
      same_phase++;
      if (i <= (size_t)t->anomaly)
        k++;
    }
  char mod[300] = "";
  /* "op N of M" counts every event, as the debugger's execution list and
   * `lumen --op N` do; engine node ids are not the logged graph's, so none
   * is named */
  if (e->module[0])
    snprintf(mod, sizeof mod, " (module '%s')", e->module);
  char where[200];
  snprintf(where, sizeof where, "at step %lld (op %zu of %zu, %s op %zu of %zu; %lld NaN, %lld Inf of %lld values)",
           (long long)t->step, (size_t)t->anomaly + 1, t->n,
           e->phase == LM_PHASE_FORWARD ? "forward" : "backward", k, same_phase,
           (long long)t->anomaly_nan, (long long)t->anomaly_inf, (long long)t->anomaly_numel);
  if (t->anomaly_input >= 0) {
    /* PyTorch's words: Function 'SqrtBackward0' returned nan values in its 0th output */
    snprintf(buf, len, "Function '%s' returned %s values in its %dth output: the gradient of %s%s for input "
             "%d (%s) %s",
             t->anomaly_fn, t->anomaly_nan && t->anomaly_inf ? "nan and inf" : t->anomaly_nan ? "nan" : "inf",
             t->anomaly_input, e->op, mod, t->anomaly_input, t->anomaly_what, where);
    return true;
  }
  const char *what = t->anomaly_nan ? "NaN" : "Inf";
  snprintf(buf, len, "%s in %s %s%s %s", what,
           e->phase == LM_PHASE_FORWARD ? "the output of" : "the gradient of the output of", e->op, mod, where);
  return true;
}
