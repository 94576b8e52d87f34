/* test-autograd.c: autograd semantics (accumulation into leaf .grad,
 * zero_grad, no-grad mode, detach, retain_graph and the second-backward
 * error, explicit grad_output), the graph walk API with module paths, and the
 * forward/backward op hooks. */
#include <math.h>
#include "engine-test.h"
#include "lm-engine-private.h"

static lm_tensor *leaf(const float *v, int ndim, const int64_t *shape)
{
  lm_tensor *t = lm_tensor_from_data(v, ndim, shape);
  lm_tensor_set_requires_grad(t, true);
  return t;
}

static void test_accumulation(void)
{
  lm_scope_begin();
  lm_tensor *x = leaf((float[]){1, 2, 3}, LM_SHAPE(3));
  g_assert_null(x->grad);
  lm_backward(lm_sum(lm_mul_scalar(x, 2)), NULL, false);
  g_assert_nonnull(x->grad);
  g_assert_false(x->grad->requires_grad);
  et_assert_values(x->grad, (float[]){2, 2, 2}, 3, 0);
  lm_tensor *g0 = x->grad;
  lm_backward(lm_sum(lm_mul(x, x)), NULL, false); /* accumulates 2x, in place */
  g_assert_true(x->grad == g0);
  et_assert_values(x->grad, (float[]){4, 6, 8}, 3, 0);
  lm_tensor_zero_grad(x);
  g_assert_null(x->grad);
  /* a tensor used twice: d(x*x + x)/dx = 2x + 1 */
  lm_backward(lm_sum(lm_add(lm_mul(x, x), x)), NULL, false);
  et_assert_values(x->grad, (float[]){3, 5, 7}, 3, 0);
  lm_tensor_zero_grad(x);
  /* broadcast bias: its gradient is summed over the batch */
  lm_tensor *b = leaf((float[]){0, 0}, LM_SHAPE(2));
  lm_backward(lm_sum(lm_add(lm_ones(LM_SHAPE(4, 2)), b)), NULL, false);
  et_assert_values(b->grad, (float[]){4, 4}, 2, 0);
  lm_tensor_zero_grad(b);
  /* non-leaf gradients are not kept */
  lm_tensor *h = lm_mul_scalar(x, 3);
  lm_backward(lm_sum(h), NULL, false);
  g_assert_null(h->grad);
  et_assert_values(x->grad, (float[]){3, 3, 3}, 3, 0);
  lm_tensor_zero_grad(x);
  /* backward on a leaf itself */
  lm_tensor *s = leaf((float[]){5}, 0, NULL);
  lm_backward(s, NULL, false);
  g_assert_cmpfloat(lm_item(s->grad), ==, 1);
  lm_tensor_zero_grad(s);
  /* explicit grad_output for a non-scalar root */
  lm_tensor *y = lm_mul_scalar(x, 3);
  lm_backward(y, lm_tensor_from_data((float[]){1, 0, -1}, LM_SHAPE(3)), false);
  et_assert_values(x->grad, (float[]){3, 0, -3}, 3, 0);
  lm_tensor_zero_grad(x);
  /* a branch that does not depend on x contributes nothing */
  lm_tensor *c = lm_ones(LM_SHAPE(3));
  lm_backward(lm_sum(lm_add(lm_mul(c, c), x)), NULL, false);
  et_assert_values(x->grad, (float[]){1, 1, 1}, 3, 0);
  lm_tensor_zero_grad(x);
  lm_scope_end();
}

/* NaN and Inf gradients through relu, abs and clamp, value for value as
 * PyTorch 1.13 gives them (a NaN gradient must not come out as a clean 0
 * where PyTorch keeps it, or the debugger hides the damage). */
static void test_nonfinite_gradients(void)
{
  static const struct {
    const char *op;
    float grad[4], want[4];
  } cases[] = {
    /* x = [nan, 0, -1, 2] */
    {"relu", {NAN, NAN, NAN, NAN}, {NAN, 0, 0, NAN}},
    {"abs", {1, INFINITY, 1, NAN}, {0, NAN, -1, NAN}},
    {"clamp", {1, NAN, NAN, 1}, {0, NAN, 0, 0}},
  };
  for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
    lm_scope_begin();
    lm_tensor *x = leaf((float[]){NAN, 0, -1, 2}, LM_SHAPE(4));
    lm_tensor *y = !strcmp(cases[c].op, "relu")  ? lm_relu(x)
                   : !strcmp(cases[c].op, "abs") ? lm_abs(x)
                                                 : lm_clamp(x, -0.5f, 1.5f);
    lm_backward(y, lm_tensor_from_data(cases[c].grad, LM_SHAPE(4)), false);
    const float *g = lm_data_f32(x->grad);
    for (int i = 0; i < 4; i++)
      if (isnan(cases[c].want[i]) ? !isnan(g[i]) : g[i] != cases[c].want[i])
        g_error("%s backward, element %d: expected %g, got %g", cases[c].op, i, cases[c].want[i], g[i]);
    lm_scope_end();
  }
}

static void test_retain_graph(void)
{
  lm_scope_begin();
  lm_tensor *x = leaf((float[]){1, 2}, LM_SHAPE(2));
  lm_tensor *loss = lm_sum(lm_mul(x, x));
  lm_backward(loss, NULL, true);
  lm_backward(loss, NULL, true);
  et_assert_values(x->grad, (float[]){4, 8}, 2, 0);
  lm_backward(loss, NULL, false); /* frees the saved tensors */
  et_assert_values(x->grad, (float[]){6, 12}, 2, 0);
  et_catch_errors();
  lm_backward(loss, NULL, false);
  et_assert_error("backward: trying to backward through the graph a second time");
  g_assert_nonnull(strstr(lm_last_error(), "retain_graph=true"));
  et_assert_values(x->grad, (float[]){6, 12}, 2, 0); /* unchanged */
  et_default_errors();
  /* Like PyTorch, a graph that saved nothing can be walked again. */
  lm_tensor_zero_grad(x);
  lm_tensor *l2 = lm_sum(lm_add_scalar(x, 1));
  lm_backward(l2, NULL, false);
  lm_backward(l2, NULL, false);
  et_assert_values(x->grad, (float[]){2, 2}, 2, 0);
  lm_tensor_zero_grad(x);
  lm_scope_end();
}

static void test_modes_and_errors(void)
{
  lm_scope_begin();
  lm_tensor *x = leaf((float[]){1, -2}, LM_SHAPE(2));
  g_assert_true(lm_grad_enabled());
  bool prev = lm_set_grad_enabled(false);
  g_assert_true(prev);
  g_assert_false(lm_grad_enabled());
  lm_tensor *y = lm_relu(lm_mul_scalar(x, 2));
  g_assert_false(y->requires_grad);
  g_assert_null(y->grad_fn);
  lm_set_grad_enabled(prev);
  lm_tensor *z = lm_relu(lm_mul_scalar(x, 2));
  g_assert_true(z->requires_grad);
  g_assert_nonnull(z->grad_fn);
  g_assert_cmpstr(lm_node_op(z->grad_fn), ==, "relu");
  /* detach cuts the graph */
  lm_tensor *d = lm_detach(z);
  g_assert_false(d->requires_grad);
  g_assert_null(d->grad_fn);
  g_assert_true(d->storage == z->storage);

  et_catch_errors();
  lm_backward(z, NULL, false);
  et_assert_error("backward: grad can be implicitly created only for scalar outputs (output has "
                  "shape (2))");
  lm_backward(lm_sum(d), NULL, false);
  et_assert_error("element 0 of tensors does not require grad and does not have a grad_fn");
  lm_backward(z, lm_ones(LM_SHAPE(3)), false);
  et_assert_error("backward: mismatch in shape: grad_output has shape (3) and output has shape (2)");
  lm_tensor_set_requires_grad(z, false);
  et_assert_error("you can only change requires_grad flags of leaf tensors");
  g_assert_null(x->grad);
  et_default_errors();
  lm_scope_end();
}

/* ---- graph walk ---- */

static void test_graph_walk(void)
{
  lm_scope_begin();
  lm_tensor *x = lm_ones(LM_SHAPE(4, 3));
  lm_tensor *w1 = leaf((float[]){1, 2, 3, 4, 5, 6}, LM_SHAPE(2, 3));
  lm_tensor *b1 = leaf((float[]){0, 0}, LM_SHAPE(2));
  lm_tensor *w2 = leaf((float[]){1, 1}, LM_SHAPE(1, 2));
  lm_module_path_push("features");
  lm_module_path_push("0");
  g_assert_cmpstr(lm_module_path(), ==, "features.0");
  lm_tensor *h = lm_linear(x, w1, b1);
  lm_module_path_pop();
  lm_module_path_push("1");
  h = lm_relu(h);
  lm_module_path_pop();
  lm_module_path_pop();
  g_assert_cmpstr(lm_module_path(), ==, "");
  lm_module_path_push("head");
  lm_tensor *out = lm_linear(h, w2, NULL);
  lm_module_path_pop();
  lm_tensor *loss = lm_mean(out);

  const lm_node **nodes;
  size_t n = lm_graph_nodes(loss, &nodes);
  g_assert_cmpuint(n, ==, 4);
  const char *ops[] = {"linear", "relu", "linear", "mean"};
  const char *mods[] = {"features.0", "features.1", "head", ""};
  int n_in[] = {3, 1, 2, 1};
  for (size_t i = 0; i < n; i++) {
    g_assert_cmpstr(lm_node_op(nodes[i]), ==, ops[i]);
    g_assert_cmpstr(lm_node_module(nodes[i]), ==, mods[i]);
    g_assert_cmpint(lm_node_num_inputs(nodes[i]), ==, n_in[i]);
    g_assert_true(lm_node_dtype(nodes[i]) == LM_FLOAT32);
    g_assert_true(lm_node_device(nodes[i]).type == LM_DEVICE_CPU);
    if (i > 0)
      g_assert_cmpuint(lm_node_id(nodes[i]), >, lm_node_id(nodes[i - 1]));
  }
  g_assert_cmpint(lm_node_ndim(nodes[0]), ==, 2);
  g_assert_cmpint(lm_node_shape(nodes[0])[0], ==, 4);
  g_assert_cmpint(lm_node_shape(nodes[0])[1], ==, 2);
  g_assert_cmpint(lm_node_ndim(nodes[3]), ==, 0);
  /* inputs: leaves have no grad_fn; the relu's input is the first linear */
  g_assert_true(lm_node_input(nodes[0], 0) == x);
  g_assert_true(lm_node_input(nodes[0], 1) == w1);
  g_assert_null(lm_node_input(nodes[0], 0)->grad_fn);
  g_assert_true(lm_node_input(nodes[1], 0)->grad_fn == nodes[0]);
  g_assert_true(lm_node_input(nodes[2], 0)->grad_fn == nodes[1]);
  g_assert_null(lm_node_input(nodes[2], 5));
  free(nodes);
  /* no graph behind a leaf */
  g_assert_cmpuint(lm_graph_nodes(x, &nodes), ==, 0);
  g_assert_null(nodes);
  lm_scope_end();
}

/* ---- hooks ---- */

typedef struct {
  GString *log;
  int n_grad_with_inputs;
} hook_log;

static void record_hook(const lm_hook_event *ev, void *user_data)
{
  hook_log *h = user_data;
  g_string_append_printf(h->log, "%s:%s:%s(", ev->phase == LM_PHASE_FORWARD ? "F" : "B", ev->op,
                         ev->node ? lm_node_module(ev->node) : "-");
  for (int i = 0; i < ev->tensor->ndim; i++)
    g_string_append_printf(h->log, i ? "x%lld" : "%lld", (long long)ev->tensor->shape[i]);
  g_string_append(h->log, ")");
  if (ev->phase == LM_PHASE_BACKWARD) {
    g_assert_true(ev->node != NULL);
    g_assert_cmpint(ev->n_grad_inputs, ==, lm_node_num_inputs(ev->node));
    for (int i = 0; i < ev->n_grad_inputs; i++)
      if (ev->grad_inputs[i]) {
        g_string_append_printf(h->log, "[%d]", i);
        h->n_grad_with_inputs++;
      }
  }
  g_string_append(h->log, " ");
}

static void test_hooks(void)
{
  lm_scope_begin();
  hook_log h = {g_string_new(NULL), 0};
  lm_tensor *x = lm_ones(LM_SHAPE(2, 3));
  lm_tensor *w = leaf((float[]){1, 2, 3, 4, 5, 6}, LM_SHAPE(2, 3));
  lm_set_op_hook(record_hook, &h);
  lm_module_path_push("fc");
  lm_tensor *y = lm_linear(x, w, NULL);
  lm_module_path_pop();
  lm_tensor *loss = lm_sum(lm_relu(y));
  lm_tensor *nograd = lm_add(x, x); /* no graph: the hook still sees it, node NULL */
  (void)nograd;
  lm_backward(loss, NULL, false);
  lm_set_op_hook(NULL, NULL);
  lm_tensor *after = lm_relu(y); /* hook removed: not logged */
  (void)after;
  g_assert_cmpstr(h.log->str, ==,
                  "F:linear:fc(2x2) F:relu:(2x2) F:sum:() F:add:-(2x3) "
                  "B:sum:()[0] B:relu:(2x2)[0] B:linear:fc(2x2)[1] ");
  g_assert_cmpint(h.n_grad_with_inputs, ==, 3);
  g_string_free(h.log, TRUE);
  lm_tensor_zero_grad(w);
  lm_scope_end();
}

typedef struct {
  int forward, backward;
  int remove_handle; /* a hook to remove from inside this one, once */
} hook_count;

static void count_hook(const lm_hook_event *ev, void *user_data)
{
  hook_count *c = user_data;
  if (ev->phase == LM_PHASE_FORWARD)
    c->forward++;
  else
    c->backward++;
  if (c->remove_handle) {
    lm_remove_op_hook(c->remove_handle);
    c->remove_handle = 0;
  }
}

/* Several hooks side by side, like several register_forward_hook calls. */
static void test_hooks_several(void)
{
  lm_scope_begin();
  hook_count a = {0}, b = {0}, s = {0};
  int ha = lm_add_op_hook(count_hook, &a);
  int hb = lm_add_op_hook(count_hook, &b);
  g_assert_cmpint(ha, >, 0);
  g_assert_cmpint(hb, >, 0);
  g_assert_cmpint(ha, !=, hb);
  lm_set_op_hook(count_hook, &s);
  lm_tensor *w = leaf((float[]){1, -2, 3, -4}, LM_SHAPE(2, 2));
  lm_tensor *loss = lm_sum(lm_relu(w)); /* 2 forward ops */
  lm_backward(loss, NULL, false);       /* 2 backward ops */
  g_assert_cmpint(a.forward, ==, 2);
  g_assert_cmpint(a.backward, ==, 2);
  g_assert_cmpint(b.forward, ==, 2);
  g_assert_cmpint(s.forward, ==, 2);
  g_assert_cmpint(s.backward, ==, 2);

  /* Removing one leaves the others; set_op_hook(NULL) removes only its own. */
  lm_remove_op_hook(ha);
  lm_remove_op_hook(ha);     /* twice: ignored */
  lm_remove_op_hook(12345);  /* unknown: ignored */
  lm_set_op_hook(NULL, NULL);
  lm_tensor *y = lm_relu(w);
  (void)y;
  g_assert_cmpint(a.forward, ==, 2);
  g_assert_cmpint(s.forward, ==, 2);
  g_assert_cmpint(b.forward, ==, 3);

  /* A hook may remove another (or itself) while ops run. */
  b.remove_handle = hb;
  y = lm_relu(w);
  y = lm_relu(w);
  g_assert_cmpint(b.forward, ==, 4);

  /* Bad calls are errors, not crashes. */
  et_catch_errors();
  g_assert_cmpint(lm_add_op_hook(NULL, NULL), ==, 0);
  et_assert_error("add_op_hook: the hook function is NULL");
  int handles[LM_OP_HOOKS_MAX];
  for (int i = 0; i < LM_OP_HOOKS_MAX; i++)
    g_assert_cmpint(handles[i] = lm_add_op_hook(count_hook, &a), >, 0);
  g_assert_cmpint(lm_add_op_hook(count_hook, &a), ==, 0);
  et_assert_error("add_op_hook: 16 hooks are installed already");
  for (int i = 0; i < LM_OP_HOOKS_MAX; i++)
    lm_remove_op_hook(handles[i]);
  et_default_errors();
  lm_tensor_zero_grad(w);
  lm_scope_end();
}

static void test_module_path_errors(void)
{
  et_catch_errors();
  lm_module_path_pop();
  et_assert_error("module_path_pop: no module path was pushed");
  lm_module_path_push("a");
  lm_module_path_push("b");
  lm_module_path_push("");
  g_assert_cmpstr(lm_module_path(), ==, "a.b");
  lm_module_path_pop();
  lm_module_path_pop();
  g_assert_cmpstr(lm_module_path(), ==, "a");
  lm_module_path_pop();
  g_assert_cmpint(et_err.count, ==, 0);
  et_default_errors();
}

/* ---- memory profiling ---- */

#define MEM_EVENTS_MAX 16
typedef struct {
  int n;
  lm_hook_event ev[MEM_EVENTS_MAX];
  const char *op[MEM_EVENTS_MAX];
} mem_log;

static void mem_hook(const lm_hook_event *ev, void *user_data)
{
  mem_log *m = user_data;
  if (m->n < MEM_EVENTS_MAX) {
    m->op[m->n] = ev->op;
    m->ev[m->n++] = *ev;
  }
}

/* A Linear(784, 128) on a batch of 64, as torch.profiler with
 * profile_memory=True counts it: the forward allocates its (64, 128)
 * output, 64*128*4 bytes, and frees nothing (x and the weight are read in
 * place); its backward allocates dx (64, 784), dW (128, 784) and db (128).
 * sum allocates its 4-byte result, and its backward the (64, 128) gradient
 * it expands. mem_after is what was allocated before plus the op's net,
 * and no op here frees a temporary, so its peak is mem_after. */
static void test_memory_profiling(void)
{
  lm_scope_begin();
  lm_tensor *x = lm_rand(LM_SHAPE(64, 784));
  lm_tensor *w = lm_rand(LM_SHAPE(128, 784));
  lm_tensor *b = lm_rand(LM_SHAPE(128));
  lm_tensor_set_requires_grad(w, true);
  lm_tensor_set_requires_grad(b, true);
  mem_log m = {0};
  int h = lm_add_op_hook(mem_hook, &m);
  g_assert_false(lm_set_op_memory(true));
  int64_t before = lm_memory_allocated(LM_CPU);
  lm_tensor *y = lm_linear(x, w, b);
  lm_tensor *loss = lm_sum(y);
  lm_backward(loss, NULL, false);
  g_assert_true(lm_set_op_memory(false));
  lm_remove_op_hook(h);

  g_assert_cmpint(m.n, ==, 4);
  g_assert_cmpstr(m.op[0], ==, "linear");
  g_assert_true(m.ev[0].memory);
  g_assert_cmpint(m.ev[0].alloc_bytes, ==, 64 * 128 * 4);
  g_assert_cmpint(m.ev[0].free_bytes, ==, 0);
  g_assert_cmpint(m.ev[0].mem_after, ==, before + 64 * 128 * 4);
  g_assert_cmpint(m.ev[0].mem_peak, ==, m.ev[0].mem_after);
  g_assert_cmpstr(m.op[1], ==, "sum");
  g_assert_cmpint(m.ev[1].alloc_bytes, ==, 4);
  g_assert_cmpint(m.ev[1].free_bytes, ==, 0);
  g_assert_cmpint(m.ev[1].mem_after, ==, m.ev[0].mem_after + 4);
  /* backward: sum's expands the ones gradient lm_backward made (4 bytes,
   * before the op) to (64, 128) */
  g_assert_cmpint(m.ev[2].phase, ==, LM_PHASE_BACKWARD);
  g_assert_cmpstr(m.op[2], ==, "sum");
  g_assert_true(m.ev[2].memory);
  g_assert_cmpint(m.ev[2].alloc_bytes, ==, 64 * 128 * 4);
  g_assert_cmpint(m.ev[3].phase, ==, LM_PHASE_BACKWARD);
  g_assert_cmpstr(m.op[3], ==, "linear");
  /* x needs no gradient: dW and db only */
  g_assert_cmpint(m.ev[3].alloc_bytes, ==, 128 * 784 * 4 + 128 * 4);
  g_assert_cmpint(m.ev[3].free_bytes, ==, 0);
  g_assert_cmpint(m.ev[3].mem_peak, >=, m.ev[3].mem_after);
  /* after it, the engine drops the (64, 128) gradient linear received */
  g_assert_cmpint(m.ev[3].mem_after, ==, lm_memory_allocated(LM_CPU) + 64 * 128 * 4);
  lm_scope_end();
}

/* Frees: a linear on a transposed x under no_grad copies x to a
 * contiguous (64, 784) buffer for the gemm and frees it before it returns:
 * allocated 64*784*4 + 64*128*4, freed 64*784*4, the peak both at once. */
static void test_memory_frees(void)
{
  lm_scope_begin();
  lm_tensor *xt = lm_rand(LM_SHAPE(784, 64));
  lm_tensor *w = lm_rand(LM_SHAPE(128, 784));
  lm_tensor *x = lm_transpose(xt, 0, 1);
  mem_log m = {0};
  int h = lm_add_op_hook(mem_hook, &m);
  bool grad = lm_set_grad_enabled(false);
  lm_set_op_memory(true);
  int64_t before = lm_memory_allocated(LM_CPU);
  lm_tensor *y = lm_linear(x, w, NULL);
  lm_set_op_memory(false);
  lm_set_grad_enabled(grad);
  lm_remove_op_hook(h);
  g_assert_nonnull(y);

  g_assert_cmpint(m.n, ==, 1);
  g_assert_cmpstr(m.op[0], ==, "linear");
  g_assert_cmpint(m.ev[0].alloc_bytes, ==, 64 * 784 * 4 + 64 * 128 * 4);
  g_assert_cmpint(m.ev[0].free_bytes, ==, 64 * 784 * 4);
  g_assert_cmpint(m.ev[0].mem_after, ==, before + 64 * 128 * 4);
  g_assert_cmpint(m.ev[0].mem_peak, ==, before + 64 * 784 * 4 + 64 * 128 * 4);
  lm_scope_end();
}

/* Off (the default), the hooks see no memory: every field 0, as they
 * would be for a build without it. */
static void test_memory_off(void)
{
  lm_scope_begin();
  g_assert_false(lm_op_memory());
  lm_tensor *x = lm_rand(LM_SHAPE(64, 784));
  lm_tensor *w = lm_rand(LM_SHAPE(128, 784));
  lm_tensor_set_requires_grad(w, true);
  mem_log m = {0};
  int h = lm_add_op_hook(mem_hook, &m);
  int64_t before = lm_memory_allocated(LM_CPU);
  lm_backward(lm_sum(lm_linear(x, w, NULL)), NULL, false);
  lm_remove_op_hook(h);
  g_assert_cmpint(m.n, ==, 4);
  for (int i = 0; i < m.n; i++) {
    g_assert_false(m.ev[i].memory);
    g_assert_cmpint(m.ev[i].alloc_bytes, ==, 0);
    g_assert_cmpint(m.ev[i].free_bytes, ==, 0);
    g_assert_cmpint(m.ev[i].mem_after, ==, 0);
    g_assert_cmpint(m.ev[i].mem_peak, ==, 0);
  }
  /* the allocator's current bytes are kept either way */
  g_assert_cmpint(lm_memory_allocated(LM_CPU), >, before);
  lm_scope_end();
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/engine/autograd/accumulation", test_accumulation);
  g_test_add_func("/engine/autograd/retain-graph", test_retain_graph);
  g_test_add_func("/engine/autograd/nonfinite-gradients", test_nonfinite_gradients);
  g_test_add_func("/engine/autograd/modes-and-errors", test_modes_and_errors);
  g_test_add_func("/engine/autograd/graph-walk", test_graph_walk);
  g_test_add_func("/engine/autograd/hooks", test_hooks);
  g_test_add_func("/engine/autograd/hooks/several", test_hooks_several);
  g_test_add_func("/engine/autograd/memory", test_memory_profiling);
  g_test_add_func("/engine/autograd/memory/frees", test_memory_frees);
  g_test_add_func("/engine/autograd/memory/off", test_memory_off);
  g_test_add_func("/engine/autograd/module-path", test_module_path_errors);
  return g_test_run();
}
