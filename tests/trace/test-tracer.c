/* test-tracer.c: the engine's op-by-op step recorder (engine/trace).
 *
 * A tiny graph with hand-computed answers: loss = sum(relu(x * w)) with x
 * data and w a leaf that requires grad. Checks the execution order
 * (forward ops, then backward ops in reverse, plus w's gradient as its own
 * event), statistics and values against hand values, the values cap
 * (statistics stay exact without values), broadcast leaf gradients reduced
 * to the leaf's shape, that no-grad ops and a detached tracer record
 * nothing, and anomaly detection naming the op that made the first NaN:
 * in backward, the op whose backward returned it, as PyTorch's anomaly
 * mode does (checked against torch 1.13's answers).
 */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "lumen-engine.h"
#include "lumen-trace.h"

static void expect_op(const lm_traced_op *e, const char *op, lm_phase phase, int slot)
{
  g_assert_nonnull(e);
  g_assert_cmpstr(e->op, ==, op);
  g_assert_cmpint(e->phase, ==, phase);
  g_assert_cmpint(e->input_slot, ==, slot);
}

/* x (2,3) data, w (3) a parameter: h = x*w broadcasts, r = relu(h), sum. */
static lm_tensor *tiny_step(lm_tensor **w_out)
{
  float xv[] = { 1, -2, 3, -4, 5, -6 };
  float wv[] = { 1, 1, 1 };
  lm_tensor *x = lm_tensor_from_data(xv, LM_SHAPE(2, 3));
  lm_tensor *w = lm_scope_keep(lm_tensor_from_data(wv, LM_SHAPE(3)));
  lm_tensor_set_requires_grad(w, true);
  lm_module_path_push("layer");
  lm_tensor *r = lm_relu(lm_mul(x, w));
  lm_module_path_pop();
  lm_tensor *loss = lm_sum(r);
  *w_out = w;
  return loss;
}

static void test_order_and_stats(void)
{
  lm_tracer *tr = lm_tracer_new(LM_TRACER_DEFAULT_VALUES_CAP);
  g_assert_nonnull(tr);
  lm_tracer_attach(tr);
  lm_tracer_reset(tr, 7);
  lm_scope_begin();
  lm_tensor *w;
  lm_tensor *loss = tiny_step(&w);
  lm_backward(loss, NULL, false);
  lm_scope_end();
  lm_tracer_detach(tr);

  g_assert_cmpint(lm_tracer_step(tr), ==, 7);
  g_assert_cmpuint(lm_tracer_count(tr), ==, 7);
  expect_op(lm_tracer_event(tr, 0), "mul", LM_PHASE_FORWARD, -1);
  expect_op(lm_tracer_event(tr, 1), "relu", LM_PHASE_FORWARD, -1);
  expect_op(lm_tracer_event(tr, 2), "sum", LM_PHASE_FORWARD, -1);
  expect_op(lm_tracer_event(tr, 3), "sum", LM_PHASE_BACKWARD, -1);
  expect_op(lm_tracer_event(tr, 4), "relu", LM_PHASE_BACKWARD, -1);
  expect_op(lm_tracer_event(tr, 5), "mul", LM_PHASE_BACKWARD, -1);
  expect_op(lm_tracer_event(tr, 6), "mul", LM_PHASE_BACKWARD, 1);
  for (size_t i = 0; i < 7; i++)
    g_assert_cmpuint(lm_tracer_event(tr, i)->seq, ==, i);
  /* a node's forward and backward events share its id; module paths */
  g_assert_cmpuint(lm_tracer_event(tr, 1)->node_id, ==, lm_tracer_event(tr, 4)->node_id);
  g_assert_cmpuint(lm_tracer_event(tr, 0)->node_id, <, lm_tracer_event(tr, 1)->node_id);
  g_assert_cmpstr(lm_tracer_event(tr, 1)->module, ==, "layer");
  g_assert_cmpstr(lm_tracer_event(tr, 2)->module, ==, "");

  /* relu output [[1,0,3],[0,5,0]] */
  const lm_traced_op *r = lm_tracer_event(tr, 1);
  g_assert_cmpint(r->ndim, ==, 2);
  g_assert_cmpint(r->shape[0], ==, 2);
  g_assert_cmpint(r->shape[1], ==, 3);
  g_assert_cmpint(r->numel, ==, 6);
  g_assert_cmpfloat(r->min, ==, 0);
  g_assert_cmpfloat(r->max, ==, 5);
  g_assert_cmpfloat_with_epsilon(r->mean, 1.5, 1e-12);
  g_assert_cmpfloat_with_epsilon(r->std, sqrt(21.5 / 5), 1e-9);
  g_assert_cmpint(r->zero_count, ==, 3);
  g_assert_cmpint(r->nan_count, ==, 0);
  g_assert_cmpint(r->inf_count, ==, 0);
  float want[] = { 1, 0, 3, 0, 5, 0 };
  g_assert_nonnull(r->values);
  g_assert_cmpmem(r->values, sizeof want, want, sizeof want);

  /* gradient of relu's output is all ones; of mul's output, the relu mask */
  const lm_traced_op *gr = lm_tracer_event(tr, 4);
  g_assert_cmpfloat(gr->min, ==, 1);
  g_assert_cmpfloat(gr->max, ==, 1);
  const lm_traced_op *gm = lm_tracer_event(tr, 5);
  float mask[] = { 1, 0, 1, 0, 1, 0 };
  g_assert_cmpmem(gm->values, sizeof mask, mask, sizeof mask);

  /* w's gradient: (2,3) broadcast, reduced to w's (3): [1, 5, 3] */
  const lm_traced_op *gw = lm_tracer_event(tr, 6);
  g_assert_true(gw->leaf == w);
  g_assert_cmpint(gw->ndim, ==, 1);
  g_assert_cmpint(gw->shape[0], ==, 3);
  float gwant[] = { 1, 5, 3 };
  g_assert_cmpmem(gw->values, sizeof gwant, gwant, sizeof gwant);
  g_assert_nonnull(w->grad);
  for (int i = 0; i < 3; i++)
    g_assert_cmpfloat(lm_data_f32(w->grad)[i], ==, gwant[i]);
  g_assert_cmpint(lm_tracer_anomaly(tr), ==, -1);
  char msg[64];
  g_assert_false(lm_tracer_describe_anomaly(tr, msg, sizeof msg));
  g_assert_cmpstr(msg, ==, "");
  g_assert_cmpuint(lm_tracer_bytes(tr), >=, (6 + 6 + 1 + 1 + 6 + 6 + 3) * sizeof(float));
  g_assert_true(lm_tracer_ok(tr));

  lm_tensor_release(w);
  lm_tracer_free(tr);
}

static void count_forward(const lm_hook_event *ev, void *user_data)
{
  if (ev->phase == LM_PHASE_FORWARD && ev->node)
    (*(int *)user_data)++;
}

/* The tracer does not push the user's own hook aside (nor the other way). */
static void test_next_to_user_hook(void)
{
  lm_tracer *tr = lm_tracer_new(LM_TRACER_DEFAULT_VALUES_CAP);
  int seen = 0;
  int h = lm_add_op_hook(count_forward, &seen);
  lm_tracer_attach(tr);
  lm_tracer_attach(tr); /* twice: still one hook */
  lm_tracer_reset(tr, 1);
  lm_scope_begin();
  lm_tensor *w;
  lm_tensor *loss = tiny_step(&w);
  lm_backward(loss, NULL, false);
  lm_scope_end();
  lm_tracer_detach(tr);
  lm_tensor_release(w);
  g_assert_cmpuint(lm_tracer_count(tr), ==, 7);
  g_assert_cmpint(seen, ==, 3);

  /* Detaching the tracer leaves the user's hook in place. */
  lm_scope_begin();
  loss = tiny_step(&w);
  lm_scope_end();
  lm_tensor_release(w);
  g_assert_cmpint(seen, ==, 6);
  g_assert_cmpuint(lm_tracer_count(tr), ==, 7);
  lm_remove_op_hook(h);
  lm_tracer_free(tr);
}

static void test_values_cap(void)
{
  lm_tracer *tr = lm_tracer_new(4);
  g_assert_cmpuint(lm_tracer_values_cap(tr), ==, 4);
  lm_tracer_attach(tr);
  lm_tracer_reset(tr, 1);
  lm_scope_begin();
  lm_tensor *w;
  lm_tensor *loss = tiny_step(&w);
  lm_backward(loss, NULL, false);
  lm_scope_end();
  lm_tracer_detach(tr);
  /* relu output (6 > 4): no values, exact statistics; sum (1) and w's
   * gradient (3) keep theirs */
  const lm_traced_op *r = lm_tracer_event(tr, 1);
  g_assert_null(r->values);
  g_assert_cmpfloat(r->max, ==, 5);
  g_assert_cmpfloat_with_epsilon(r->mean, 1.5, 1e-12);
  g_assert_cmpint(r->zero_count, ==, 3);
  g_assert_nonnull(lm_tracer_event(tr, 2)->values);
  g_assert_cmpfloat(lm_tracer_event(tr, 2)->values[0], ==, 9);
  g_assert_nonnull(lm_tracer_event(tr, 6)->values);
  g_assert_cmpfloat(lm_tracer_event(tr, 6)->values[1], ==, 5);

  /* cap 0: statistics only */
  lm_tracer *none = lm_tracer_new(0);
  lm_tracer_attach(none);
  lm_scope_begin();
  lm_tensor *w2;
  loss = tiny_step(&w2);
  lm_scope_end();
  lm_tracer_detach(none);
  g_assert_cmpuint(lm_tracer_count(none), ==, 3);
  for (size_t i = 0; i < 3; i++)
    g_assert_null(lm_tracer_event(none, i)->values);
  g_assert_cmpfloat(lm_tracer_event(none, 2)->max, ==, 9);
  lm_tracer_free(none);
  lm_tensor_release(w2);
  lm_tensor_release(w);
  lm_tracer_free(tr);
}

static void test_reset_and_skips(void)
{
  lm_tracer *tr = lm_tracer_new(16);
  lm_tracer_attach(tr);
  lm_scope_begin();
  lm_tensor *w;
  lm_tensor *loss = tiny_step(&w);
  g_assert_cmpuint(lm_tracer_count(tr), ==, 3);
  lm_tracer_reset(tr, 2);
  g_assert_cmpuint(lm_tracer_count(tr), ==, 0);
  g_assert_cmpint(lm_tracer_step(tr), ==, 2);
  /* ops under no-grad (evaluation, accuracy) are not part of the step */
  bool prev = lm_set_grad_enabled(false);
  lm_tensor *e = lm_exp(w);
  lm_set_grad_enabled(prev);
  g_assert_nonnull(e);
  g_assert_cmpuint(lm_tracer_count(tr), ==, 0);
  /* paused */
  lm_tracer_set_enabled(tr, false);
  lm_tensor *y = lm_mul_scalar(w, 2);
  g_assert_nonnull(y);
  g_assert_cmpuint(lm_tracer_count(tr), ==, 0);
  lm_tracer_set_enabled(tr, true);
  /* detached */
  lm_tracer_detach(tr);
  lm_backward(loss, NULL, false);
  g_assert_cmpuint(lm_tracer_count(tr), ==, 0);
  lm_scope_end();
  g_assert_null(lm_tracer_event(tr, 0));
  lm_tensor_release(w);
  lm_tracer_free(tr);
}

static void test_anomaly(void)
{
  lm_tracer *tr = lm_tracer_new(LM_TRACER_DEFAULT_VALUES_CAP);
  lm_tracer_attach(tr);
  lm_tracer_reset(tr, 12);
  lm_scope_begin();
  float xv[] = { 2, -1, 0.5f };
  lm_tensor *x = lm_tensor_from_data(xv, LM_SHAPE(3));
  lm_tensor_set_requires_grad(x, true);
  lm_tensor *a = lm_mul_scalar(x, 3);      /* fine */
  lm_module_path_push("head");
  lm_tensor *b = lm_log(a);                /* log(-3): NaN */
  lm_module_path_pop();
  lm_tensor *loss = lm_sum(lm_exp(b));     /* NaN spreads from here on */
  lm_backward(loss, NULL, false);
  lm_scope_end();
  lm_tracer_detach(tr);

  int64_t k = lm_tracer_anomaly(tr);
  g_assert_cmpint(k, ==, 1);
  const lm_traced_op *e = lm_tracer_event(tr, (size_t)k);
  g_assert_cmpstr(e->op, ==, "log");
  g_assert_cmpint(e->phase, ==, LM_PHASE_FORWARD);
  g_assert_cmpint(e->nan_count, ==, 1);
  g_assert_true(isnan(e->values[1]));
  g_assert_cmpfloat_with_epsilon(e->values[0], log(6.0), 1e-6);
  /* statistics over the finite values only */
  g_assert_cmpfloat_with_epsilon(e->min, log(1.5), 1e-6);
  g_assert_cmpfloat_with_epsilon(e->max, log(6.0), 1e-6);
  char msg[512];
  g_assert_true(lm_tracer_describe_anomaly(tr, msg, sizeof msg));
  g_test_message("%s", msg);
  g_assert_nonnull(strstr(msg, "NaN in the output of log"));
  g_assert_nonnull(strstr(msg, "module 'head'"));
  g_assert_nonnull(strstr(msg, "step 12"));
  g_assert_nonnull(strstr(msg, "forward op 2 of 4"));
  /* the number the debugger and `lumen --op` take; no engine node id,
   * which the logged graph does not use */
  g_assert_nonnull(strstr(msg, "(op 2 of "));
  g_assert_null(strstr(msg, "node "));
  /* a small buffer is cut, not overrun */
  char tiny[8];
  g_assert_true(lm_tracer_describe_anomaly(tr, tiny, sizeof tiny));
  g_assert_cmpuint(strlen(tiny), ==, 7);
  lm_tracer_free(tr);
}

static void test_anomaly_in_backward(void)
{
  /* sqrt(0) is fine forward; its gradient 1/(2 sqrt 0) is Inf */
  lm_tracer *tr = lm_tracer_new(LM_TRACER_DEFAULT_VALUES_CAP);
  lm_tracer_attach(tr);
  lm_scope_begin();
  float xv[] = { 0, 4 };
  lm_tensor *x = lm_tensor_from_data(xv, LM_SHAPE(2));
  lm_tensor_set_requires_grad(x, true);
  lm_tensor *loss = lm_sum(lm_sqrt(x));
  lm_backward(loss, NULL, false);
  lm_scope_end();
  lm_tracer_detach(tr);
  int64_t k = lm_tracer_anomaly(tr);
  g_assert_cmpint(k, >=, 0);
  /* the op whose backward returned the Inf, as its own backward event */
  const lm_traced_op *e = lm_tracer_event(tr, (size_t)k);
  g_assert_cmpint(e->phase, ==, LM_PHASE_BACKWARD);
  g_assert_cmpstr(e->op, ==, "sqrt");
  g_assert_cmpint(e->input_slot, ==, -1);
  g_assert_cmpint(lm_tracer_anomaly_input(tr), ==, 0);
  /* x's gradient, the values themselves, is the next event */
  const lm_traced_op *leaf = lm_tracer_event(tr, (size_t)k + 1);
  g_assert_cmpint(leaf->input_slot, ==, 0);
  g_assert_cmpint(leaf->inf_count, ==, 1);
  char msg[512];
  lm_tracer_describe_anomaly(tr, msg, sizeof msg);
  g_test_message("%s", msg);
  g_assert_nonnull(strstr(msg, "Function 'SqrtBackward0' returned inf values in its 0th output"));
  g_assert_nonnull(strstr(msg, "for input 0 (a leaf)"));
  g_assert_nonnull(strstr(msg, "0 NaN, 1 Inf of 2 values"));
  lm_tracer_free(tr);
}

typedef enum { ABS_SQRT_X, ABS_SQRT_MUL, SQRT_ABS, LOG_MUL_ZERO, DIV_MUL_ZERO } pt_case;

/* x = [0, 4] requires grad; loss = sum(f(x)). */
static lm_tracer *trace_case(pt_case c)
{
  lm_tracer *tr = lm_tracer_new(LM_TRACER_DEFAULT_VALUES_CAP);
  lm_tracer_attach(tr);
  lm_tracer_reset(tr, 3);
  lm_scope_begin();
  float xv[] = { 0, 4 }, ones[] = { 1, 1 };
  lm_tensor *x = lm_tensor_from_data(xv, LM_SHAPE(2));
  lm_tensor_set_requires_grad(x, true);
  lm_tensor *y = NULL;
  switch (c) {
  case ABS_SQRT_X: y = lm_abs(lm_sqrt(x)); break;
  case ABS_SQRT_MUL: y = lm_abs(lm_sqrt(lm_mul_scalar(x, 1))); break;
  case SQRT_ABS: y = lm_sqrt(lm_abs(x)); break;
  case LOG_MUL_ZERO: y = lm_mul_scalar(lm_log(lm_mul_scalar(x, 1)), 0); break;
  case DIV_MUL_ZERO: y = lm_mul_scalar(lm_div(lm_tensor_from_data(ones, LM_SHAPE(2)), lm_mul_scalar(x, 1)), 0); break;
  }
  lm_backward(lm_sum(y), NULL, false);
  lm_scope_end();
  lm_tracer_detach(tr);
  return tr;
}

/* The op named is the one PyTorch's anomaly mode names. The answers come
 * from torch 1.13, x = torch.tensor([0., 4.], requires_grad=True) and
 * f(x).sum().backward() under torch.autograd.detect_anomaly():
 *   abs(sqrt(x))        Function 'SqrtBackward0' returned nan values in its 0th output.
 *   abs(sqrt(x * 1))    Function 'SqrtBackward0' returned nan values in its 0th output.
 *   log(x * 1) * 0      Function 'LogBackward0' returned nan values in its 0th output.
 *   div(1, x * 1) * 0   Function 'DivBackward0' returned nan values in its 1th output.
 *   sqrt(abs(x))        Function 'AbsBackward0' returned nan values in its 0th output.
 * Before the fix the tracer named the op that *received* the gradient
 * (mul_scalar for abs(sqrt(x * 1)), abs for sqrt(abs(x))). Log and div
 * already make -Inf/Inf in the forward pass, which is named first (PyTorch
 * checks backward only). In sqrt(abs(x)) sqrt's backward returns +Inf
 * before abs's turns it into NaN (Inf * sign(0)): PyTorch looks for NaN
 * only, Lumen stops at the first NaN or Inf, so it names sqrt, the op that
 * started it, and the debugger's "first NaN" names abs as PyTorch does
 * (test-graph-view). */
static void test_anomaly_names_producer(void)
{
  struct {
    pt_case c;
    const char *op;
    lm_phase phase;
    int input;
    const char *words;
  } cases[] = {
    { ABS_SQRT_X, "sqrt", LM_PHASE_BACKWARD, 0, "Function 'SqrtBackward0' returned nan values in its 0th output" },
    { ABS_SQRT_MUL, "sqrt", LM_PHASE_BACKWARD, 0, "Function 'SqrtBackward0' returned nan values in its 0th output: "
                                                  "the gradient of sqrt for input 0 (the output of mul_scalar)" },
    { LOG_MUL_ZERO, "log", LM_PHASE_FORWARD, -1, "Inf in the output of log" },
    { DIV_MUL_ZERO, "div", LM_PHASE_FORWARD, -1, "Inf in the output of div" },
    { SQRT_ABS, "sqrt", LM_PHASE_BACKWARD, 0, "Function 'SqrtBackward0' returned inf values in its 0th output: "
                                              "the gradient of sqrt for input 0 (the output of abs)" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    lm_tracer *tr = trace_case(cases[i].c);
    int64_t k = lm_tracer_anomaly(tr);
    g_assert_cmpint(k, >=, 0);
    const lm_traced_op *e = lm_tracer_event(tr, (size_t)k);
    char msg[512];
    g_assert_true(lm_tracer_describe_anomaly(tr, msg, sizeof msg));
    g_test_message("case %zu: %s", i, msg);
    g_assert_cmpstr(e->op, ==, cases[i].op);
    g_assert_cmpint(e->phase, ==, cases[i].phase);
    g_assert_cmpint(e->input_slot, ==, -1);
    g_assert_cmpint(lm_tracer_anomaly_input(tr), ==, cases[i].input);
    g_assert_nonnull(strstr(msg, cases[i].words));
    /* the op number is the event's, as the debugger counts */
    char *num = g_strdup_printf("(op %lld of ", (long long)k + 1);
    g_assert_nonnull(strstr(msg, num));
    g_free(num);
    lm_tracer_free(tr);
  }
}

/* PyTorch's CamelCase name for a snake_case op: the gradient of
 * (x * 10) * 3e38 at x = 0 is finite (3e38) until the inner mul_scalar's
 * backward multiplies it by 10 (torch names no function here: its anomaly
 * mode looks for NaN only). */
static void test_anomaly_backward_name(void)
{
  lm_tracer *tr = lm_tracer_new(0);
  lm_tracer_attach(tr);
  lm_scope_begin();
  float zv[] = { 0, 0 };
  lm_tensor *x = lm_tensor_from_data(zv, LM_SHAPE(2));
  lm_tensor_set_requires_grad(x, true);
  lm_tensor *loss = lm_sum(lm_mul_scalar(lm_mul_scalar(x, 10), 3e38f));
  lm_backward(loss, NULL, false);
  lm_scope_end();
  lm_tracer_detach(tr);
  int64_t k = lm_tracer_anomaly(tr);
  g_assert_cmpint(k, ==, 5); /* 3 forward, sum, outer mul_scalar, inner mul_scalar */
  g_assert_cmpint(lm_tracer_event(tr, (size_t)k)->inf_count, ==, 0); /* it received 3e38 */
  char msg[512];
  lm_tracer_describe_anomaly(tr, msg, sizeof msg);
  g_test_message("%s", msg);
  g_assert_nonnull(strstr(msg, "Function 'MulBackward0' returned inf values in its 0th output"));
  g_assert_nonnull(strstr(msg, "(op 6 of 7, backward op 3 of 4; 0 NaN, 2 Inf of 2 values)"));
  lm_tracer_free(tr);
}

/* Op timing (lm_set_op_timing): a 256x256 matmul takes longer than a
 * relu of 4 floats, op times follow each other without overlapping (the
 * hooks run between them), lie within the step, and every op's own event
 * carries its time and input shapes; a leaf's gradient event is no op and
 * has none. Timing off: no times. */
static void test_op_times(void)
{
  lm_tracer *tr = lm_tracer_new(0);
  lm_tracer_attach(tr);
  g_assert_false(lm_set_op_timing(true));
  lm_tracer_reset(tr, 3);
  int64_t t_step = lm_tracer_step_start_ns(tr);
  g_assert_cmpint(t_step, >, 0);
  lm_scope_begin();
  lm_tensor *a = lm_rand(LM_SHAPE(256, 256));
  lm_tensor *b = lm_scope_keep(lm_rand(LM_SHAPE(256, 256)));
  lm_tensor_set_requires_grad(b, true);
  lm_tensor *small = lm_rand(LM_SHAPE(4));
  lm_tensor_set_requires_grad(small, true);
  lm_tensor *m = lm_matmul(a, b);
  lm_tensor *r = lm_relu(small);
  lm_tensor *loss = lm_add(lm_sum(m), lm_sum(r));
  lm_backward(loss, NULL, false);
  int64_t t_end = lm_clock_ns();
  lm_scope_end();
  lm_tensor_release(b);
  g_assert_true(lm_set_op_timing(false));

  size_t n = lm_tracer_count(tr);
  g_assert_cmpuint(n, ==, 12); /* 5 forward, 5 backward, 2 leaf gradients */
  const lm_traced_op *mm = lm_tracer_event(tr, 0), *relu = lm_tracer_event(tr, 1);
  expect_op(mm, "matmul", LM_PHASE_FORWARD, -1);
  expect_op(relu, "relu", LM_PHASE_FORWARD, -1);
  g_assert_true(mm->timed && relu->timed);
  g_assert_cmpint(mm->dur_ns, >, relu->dur_ns);
  g_assert_cmpstr(mm->input_shapes, ==, "[[256, 256], [256, 256]]");
  g_assert_cmpstr(relu->input_shapes, ==, "[[4]]");
  int64_t sum = 0, prev_end = t_step;
  for (size_t i = 0; i < n; i++) {
    const lm_traced_op *e = lm_tracer_event(tr, i);
    if (e->input_slot >= 0) {
      g_assert_false(e->timed);
      g_assert_cmpint(e->dur_ns, ==, 0);
      continue;
    }
    g_assert_true(e->timed);
    g_assert_cmpint(e->dur_ns, >=, 0);
    g_assert_cmpint(e->start_ns, >=, prev_end); /* starts in order, no overlap */
    prev_end = e->start_ns + e->dur_ns;
    sum += e->dur_ns;
  }
  g_assert_cmpint(prev_end, <=, t_end);
  g_assert_cmpint(sum, <=, t_end - t_step);
  /* the matmul's backward (two 256^3 products) also beats relu's */
  const lm_traced_op *mm_back = NULL, *relu_back = NULL;
  for (size_t i = 0; i < n; i++) {
    const lm_traced_op *e = lm_tracer_event(tr, i);
    if (e->phase == LM_PHASE_BACKWARD && e->input_slot < 0 && !strcmp(e->op, "matmul"))
      mm_back = e;
    if (e->phase == LM_PHASE_BACKWARD && e->input_slot < 0 && !strcmp(e->op, "relu"))
      relu_back = e;
  }
  g_assert_nonnull(mm_back);
  g_assert_nonnull(relu_back);
  g_assert_cmpint(mm_back->dur_ns, >, relu_back->dur_ns);

  /* off: no times, no step start */
  lm_tracer_reset(tr, 4);
  g_assert_cmpint(lm_tracer_step_start_ns(tr), ==, 0);
  lm_scope_begin();
  lm_tensor *x = lm_rand(LM_SHAPE(4));
  lm_tensor_set_requires_grad(x, true);
  lm_relu(x);
  lm_scope_end();
  g_assert_cmpuint(lm_tracer_count(tr), ==, 1);
  g_assert_false(lm_tracer_event(tr, 0)->timed);
  g_assert_cmpint(lm_tracer_event(tr, 0)->start_ns, ==, 0);
  lm_tracer_free(tr);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/trace/tracer/order-and-stats", test_order_and_stats);
  g_test_add_func("/trace/tracer/values-cap", test_values_cap);
  g_test_add_func("/trace/tracer/next-to-user-hook", test_next_to_user_hook);
  g_test_add_func("/trace/tracer/reset-and-skips", test_reset_and_skips);
  g_test_add_func("/trace/tracer/anomaly", test_anomaly);
  g_test_add_func("/trace/tracer/anomaly-in-backward", test_anomaly_in_backward);
  g_test_add_func("/trace/tracer/anomaly-names-producer", test_anomaly_names_producer);
  g_test_add_func("/trace/tracer/anomaly-backward-name", test_anomaly_backward_name);
  g_test_add_func("/trace/tracer/op-times", test_op_times);
  return g_test_run();
}
