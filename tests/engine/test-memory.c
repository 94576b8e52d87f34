/* test-memory.c: the memory model. Scopes free everything a step made,
 * lm_scope_keep moves a tensor out, graphs hold what backward needs, unscoped
 * code owns its references, deep graphs free without recursion, and failing
 * ops leak nothing. Live tensor/storage/node counts must come back to their
 * baseline (ASan and valgrind check the rest). */
#include "engine-test.h"
#include "lm-engine-private.h"

static void assert_live(lm_live_counts base)
{
  lm_live_counts now = lm_debug_live();
  if (now.tensors != base.tensors || now.storages != base.storages || now.nodes != base.nodes ||
      now.storage_bytes != base.storage_bytes)
    g_error("live objects: %" G_GINT64_FORMAT " tensors, %" G_GINT64_FORMAT " storages, %"
            G_GINT64_FORMAT " nodes, %" G_GINT64_FORMAT " bytes; baseline %" G_GINT64_FORMAT
            ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT,
            (gint64)now.tensors, (gint64)now.storages, (gint64)now.nodes,
            (gint64)now.storage_bytes, (gint64)base.tensors, (gint64)base.storages,
            (gint64)base.nodes, (gint64)base.storage_bytes);
}

/* Unscoped parameters, as nn modules make them. */
static lm_tensor *param(int ndim, const int64_t *shape, float scale)
{
  lm_tensor *t = lm_tensor_new_unscoped(ndim, shape, LM_FLOAT32, LM_CPU);
  lm_rng_uniform_fill(lm_data_f32(t), lm_numel(t), -scale, scale);
  lm_tensor_set_requires_grad(t, true);
  return t;
}

static void sgd(lm_tensor *p, float lr)
{
  float *d = lm_data_f32(p), *g = lm_data_f32(p->grad);
  for (int64_t i = 0; i < lm_numel(p); i++)
    d[i] -= lr * g[i];
  lm_tensor_zero_grad(p);
}

static void test_training_steps(void)
{
  lm_manual_seed(3);
  lm_tensor *w1 = param(LM_SHAPE(32, 20), 0.2f), *b1 = param(LM_SHAPE(32), 0.2f);
  lm_tensor *w2 = param(LM_SHAPE(5, 32), 0.2f), *b2 = param(LM_SHAPE(5), 0.2f);
  lm_tensor *x = lm_randn(LM_SHAPE(16, 20)); /* unscoped: owned here */
  int64_t labels[16];
  for (int i = 0; i < 16; i++)
    labels[i] = i % 5;
  lm_tensor *y = lm_tensor_from_int64(labels, LM_SHAPE(16));
  lm_live_counts base = lm_debug_live();
  float first = 0, last = 0;
  for (int step = 0; step < 300; step++) {
    lm_scope_begin();
    lm_tensor *h = lm_relu(lm_linear(x, w1, b1));
    lm_tensor *loss = lm_cross_entropy(lm_linear(h, w2, b2), y);
    lm_backward(loss, NULL, false);
    if (step == 0)
      first = lm_item(loss);
    last = lm_item(loss);
    lm_scope_end();
    sgd(w1, 0.5f);
    sgd(b1, 0.5f);
    sgd(w2, 0.5f);
    sgd(b2, 0.5f);
    assert_live(base); /* nothing a step made survives it */
  }
  g_assert_cmpfloat(last, <, first * 0.2f); /* and it learned */
  lm_tensor *all[] = {w1, b1, w2, b2, x, y};
  for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
    lm_tensor_release(all[i]);
}

static void test_keep_and_nesting(void)
{
  lm_live_counts base = lm_debug_live();
  lm_scope_begin();
  lm_tensor *a = lm_ones(LM_SHAPE(3));
  lm_tensor *kept = lm_scope_keep(lm_mul_scalar(a, 2));
  lm_scope_begin();
  lm_tensor *inner = lm_add(a, kept);
  lm_tensor *inner_kept = lm_scope_keep(lm_add_scalar(inner, 1));
  lm_scope_end(); /* frees inner, not a */
  et_assert_values(a, (float[]){1, 1, 1}, 3, 0);
  g_assert_cmpint(a->refcount, ==, 1);
  lm_scope_end();
  et_assert_values(kept, (float[]){2, 2, 2}, 3, 0);
  et_assert_values(inner_kept, (float[]){4, 4, 4}, 3, 0);
  g_assert_cmpint(kept->refcount, ==, 1);
  lm_tensor_release(kept);
  lm_tensor_release(inner_kept);
  assert_live(base);
  /* keep of a tensor the innermost scope does not own leaves outer scopes alone */
  lm_scope_begin();
  lm_tensor *outer = lm_ones(LM_SHAPE(2));
  lm_scope_begin();
  g_assert_true(lm_scope_keep(outer) == outer);
  lm_scope_end();
  lm_scope_end();
  assert_live(base);
  /* a kept graph keeps what backward needs */
  lm_tensor *w = lm_tensor_new_unscoped(LM_SHAPE(2), LM_FLOAT32, LM_CPU);
  lm_data_f32(w)[0] = 1;
  lm_data_f32(w)[1] = 2;
  lm_tensor_set_requires_grad(w, true);
  lm_scope_begin();
  lm_tensor *loss = lm_scope_keep(lm_sum(lm_mul(w, lm_exp(w))));
  lm_scope_end();
  lm_backward(loss, NULL, false); /* x e^x: gradient (1 + x) e^x */
  et_assert_values(w->grad, (float[]){2 * 2.7182818f, 3 * 7.3890561f}, 2, 1e-6);
  lm_tensor_release(loss);
  lm_tensor_release(w);
  assert_live(base);
}

static void test_unscoped(void)
{
  lm_live_counts base = lm_debug_live();
  g_assert_false(lm_scope_active());
  lm_tensor *x = lm_ones(LM_SHAPE(4));
  lm_tensor_set_requires_grad(x, true);
  lm_tensor *y = lm_mul_scalar(x, 3);
  lm_tensor *t = lm_transpose(lm_reshape(y, LM_SHAPE(2, 2)), 0, 1); /* the reshape is ours too */
  lm_tensor *r = lm_tensor_retain(t->grad_fn->inputs[0]);           /* (the reshape output) */
  lm_tensor *loss = lm_sum(t);
  /* Release everything but the loss: the graph keeps what it needs. */
  lm_tensor_release(y);
  lm_tensor_release(t);
  lm_tensor_release(r); /* our retain */
  lm_tensor_release(r); /* the reference lm_reshape returned */
  lm_backward(loss, NULL, false);
  et_assert_values(x->grad, (float[]){3, 3, 3, 3}, 4, 0);
  lm_tensor_release(loss);
  lm_tensor_release(x); /* also frees x->grad */
  assert_live(base);
}

static void test_deep_graph(void)
{
  lm_live_counts base = lm_debug_live();
  lm_tensor *x = lm_ones(LM_SHAPE(2));
  lm_tensor_set_requires_grad(x, true);
  lm_scope_begin();
  lm_tensor *h = x;
  for (int i = 0; i < 50000; i++)
    h = lm_add_scalar(h, 0.001f);
  lm_tensor *loss = lm_sum(h);
  const lm_node **nodes;
  g_assert_cmpuint(lm_graph_nodes(loss, &nodes), ==, 50001);
  free(nodes);
  lm_backward(loss, NULL, false);
  et_assert_values(x->grad, (float[]){1, 1}, 2, 0);
  lm_scope_end();
  /* and without a scope: releasing the root frees the whole chain iteratively */
  h = lm_tensor_retain(x);
  for (int i = 0; i < 50000; i++) {
    lm_tensor *next = lm_add_scalar(h, 0.001f);
    lm_tensor_release(h);
    h = next;
  }
  lm_tensor_release(h);
  lm_tensor_release(x);
  assert_live(base);
}

static void test_errors_do_not_leak(void)
{
  lm_live_counts base = lm_debug_live();
  et_catch_errors();
  lm_tensor *a = lm_ones(LM_SHAPE(2, 3));
  lm_tensor_set_requires_grad(a, true);
  lm_tensor *target = lm_tensor_from_int64((int64_t[]){0, 7}, LM_SHAPE(2));
  g_assert_null(lm_matmul(a, a));
  g_assert_null(lm_cross_entropy(a, target));
  g_assert_null(lm_nll_loss(a, target));
  g_assert_null(lm_linear(a, a, target));
  g_assert_cmpint(et_err.count, ==, 4);
  et_err.count = 0;
  lm_scope_end();
  et_assert_error("scope_end: no scope is open");
  et_default_errors();
  lm_tensor_release(a);
  lm_tensor_release(target);
  assert_live(base);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/engine/memory/training-steps", test_training_steps);
  g_test_add_func("/engine/memory/keep-and-nesting", test_keep_and_nesting);
  g_test_add_func("/engine/memory/unscoped", test_unscoped);
  g_test_add_func("/engine/memory/deep-graph", test_deep_graph);
  g_test_add_func("/engine/memory/errors", test_errors_do_not_leak);
  return g_test_run();
}
