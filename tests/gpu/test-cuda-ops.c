/* test-cuda-ops.c: every op of lumen-engine.h on cuda tensors against the same
 * op on the CPU, forward and backward through autograd (suite 'gpu').
 *
 * Where test-cuda-kernels.c checks the backend table entry by entry, this
 * program goes through the public API as a user does: the op's checks, its
 * dispatch, the views and broadcasting that build lm_iters, the autograd
 * engine's gradient accumulation and lm_to in both directions, including a
 * graph that crosses devices. Each case makes random leaves on the CPU, the
 * same values on cuda:0, runs the op on both, compares the outputs, then
 * backpropagates sum(out * r) for a random r and compares every gradient
 * (relative error < 1e-5, TF32 off; GPU memory starts poisoned with NaN).
 *
 * Without a GPU every test skips with "no CUDA GPU: <reason>".
 */
#include "gpu-test.h"

#include "lumen-nn.h"

#define MAX_IN 4

typedef struct {
  int ndim;
  int64_t shape[4];
  float lo, hi;
  int classes;       /* > 0: int64 labels in [0, classes), no gradient */
} in_spec;

typedef lm_tensor *(*op_fn)(lm_tensor *const *in);

static lm_tensor *make_input(const in_spec *s, lm_device dev, const float *vals)
{
  int64_t n = 1;
  for (int d = 0; d < s->ndim; d++)
    n *= s->shape[d];
  lm_tensor *t;
  if (s->classes > 0) {
    int64_t *lab = malloc((size_t)(n ? n : 1) * sizeof *lab);
    for (int64_t i = 0; i < n; i++)
      lab[i] = (int64_t)vals[i];
    t = lm_tensor_from_int64(lab, s->ndim, s->shape);
    free(lab);
  } else {
    t = lm_tensor_from_data(vals, s->ndim, s->shape);
  }
  if (dev.type == LM_DEVICE_CUDA)
    t = lm_to(t, dev);
  gt_assert(t != NULL);
  if (s->classes == 0)
    lm_tensor_set_requires_grad(t, true);
  return t;
}

static float *host_values(const lm_tensor *t)
{
  int64_t n = lm_numel(t);
  float *v = malloc((size_t)(n ? n : 1) * sizeof(float));
  lm_tensor_copy_to_host(t, v);
  return v;
}

/* Runs op on the CPU and on cuda:0 with the same inputs and compares the
 * outputs and, when `backward`, the gradients of every float input. */
static void check_op(const char *name, int nin, const in_spec *specs, op_fn op, bool backward,
                     uint64_t seed)
{
  lm_scope_begin();
  float *vals[MAX_IN];
  lm_tensor *cin[MAX_IN], *gin[MAX_IN];
  for (int i = 0; i < nin; i++) {
    int64_t n = 1;
    for (int d = 0; d < specs[i].ndim; d++)
      n *= specs[i].shape[d];
    vals[i] = specs[i].classes > 0 ? malloc((size_t)(n ? n : 1) * sizeof(float))
                                   : gt_random(n, specs[i].lo, specs[i].hi);
    for (int64_t j = 0; specs[i].classes > 0 && j < n; j++)
      vals[i][j] = (float)(gt_rand_u32() % (uint32_t)specs[i].classes);
    cin[i] = make_input(&specs[i], LM_CPU, vals[i]);
    gin[i] = make_input(&specs[i], LM_CUDA0, vals[i]);
  }
  lm_manual_seed(seed); /* dropout: the same draws on both devices */
  lm_tensor *oc = op(cin);
  lm_manual_seed(seed);
  lm_tensor *og = op(gin);
  if (!oc || !og)
    gt_fail("%s: op returned NULL (cpu %p, cuda %p): %s", name, (void *)oc, (void *)og,
            lm_last_error());
  gt_assert(og->device.type == LM_DEVICE_CUDA);
  gt_assert(oc->ndim == og->ndim && lm_numel(oc) == lm_numel(og) && oc->dtype == og->dtype);
  float *vc = host_values(oc), *vg = host_values(og);
  char what[160];
  snprintf(what, sizeof what, "%s forward", name);
  gt_check_close(what, vg, vc, lm_numel(oc), GT_TOL);
  free(vc);
  free(vg);

  if (backward && oc->dtype == LM_FLOAT32) {
    float *r = gt_random(lm_numel(oc), -1, 1);
    lm_tensor *rc = lm_tensor_from_data(r, oc->ndim, oc->shape);
    lm_tensor *rg = lm_to(rc, LM_CUDA0);
    free(r);
    lm_backward(lm_sum(lm_mul(oc, rc)), NULL, false);
    lm_backward(lm_sum(lm_mul(og, rg)), NULL, false);
    for (int i = 0; i < nin; i++) {
      if (specs[i].classes > 0)
        continue;
      if (!cin[i]->grad || !gin[i]->grad)
        gt_fail("%s: input %d has no gradient (cpu %p, cuda %p)", name, i, (void *)cin[i]->grad,
                (void *)gin[i]->grad);
      gt_assert(gin[i]->grad->device.type == LM_DEVICE_CUDA);
      float *gc = host_values(cin[i]->grad), *gg = host_values(gin[i]->grad);
      snprintf(what, sizeof what, "%s: gradient of input %d", name, i);
      gt_check_close(what, gg, gc, lm_numel(cin[i]), GT_TOL);
      free(gc);
      free(gg);
    }
  }
  for (int i = 0; i < nin; i++)
    free(vals[i]);
  lm_scope_end();
}

static bool setup(void)
{
  if (!gt_need_gpu())
    return false;
  lm_cuda_set_allow_tf32(false);
  return true;
}

#define SPEC(nd, lo, hi, ...) {nd, {__VA_ARGS__}, lo, hi, 0}
#define LABELS(n, c) {1, {n}, 0, 0, c}

/* ---- elementwise ---- */

static lm_tensor *op_add(lm_tensor *const *in) { return lm_add(in[0], in[1]); }
static lm_tensor *op_sub(lm_tensor *const *in) { return lm_sub(in[0], in[1]); }
static lm_tensor *op_mul(lm_tensor *const *in) { return lm_mul(in[0], in[1]); }
static lm_tensor *op_div(lm_tensor *const *in) { return lm_div(in[0], in[1]); }
static lm_tensor *op_pow(lm_tensor *const *in) { return lm_pow(in[0], in[1]); }
static lm_tensor *op_scalars(lm_tensor *const *in)
{
  lm_tensor *x = lm_add_scalar(in[0], 0.5f);
  x = lm_mul_scalar(lm_sub_scalar(x, 0.25f), 1.5f);
  return lm_pow_scalar(lm_div_scalar(x, 3.0f), 3.0f);
}
static lm_tensor *op_neg(lm_tensor *const *in) { return lm_neg(in[0]); }
static lm_tensor *op_exp(lm_tensor *const *in) { return lm_exp(in[0]); }
static lm_tensor *op_log(lm_tensor *const *in) { return lm_log(in[0]); }
static lm_tensor *op_sqrt(lm_tensor *const *in) { return lm_sqrt(in[0]); }
static lm_tensor *op_abs(lm_tensor *const *in) { return lm_abs(in[0]); }
static lm_tensor *op_clamp(lm_tensor *const *in) { return lm_clamp(in[0], -0.5f, 0.75f); }
static lm_tensor *op_relu(lm_tensor *const *in) { return lm_relu(in[0]); }
static lm_tensor *op_sigmoid(lm_tensor *const *in) { return lm_sigmoid(in[0]); }
static lm_tensor *op_tanh(lm_tensor *const *in) { return lm_tanh(in[0]); }
static lm_tensor *op_gelu(lm_tensor *const *in) { return lm_gelu(in[0]); }

static void test_elementwise(void)
{
  if (!setup())
    return;
  const in_spec same[2] = {SPEC(2, -2, 2, 7, 9), SPEC(2, 0.5f, 2, 7, 9)};
  const in_spec bcast[2] = {SPEC(3, -2, 2, 4, 7, 9), SPEC(2, 0.5f, 2, 1, 9)};
  const in_spec bcast2[2] = {SPEC(2, 0.5f, 2, 7, 1), SPEC(3, -2, 2, 3, 1, 9)};
  const in_spec powin[2] = {SPEC(2, 0.3f, 2, 7, 9), SPEC(1, -1.5f, 2, 9)};
  const op_fn bins[] = {op_add, op_sub, op_mul, op_div};
  const char *bnames[] = {"add", "sub", "mul", "div"};
  char name[64];
  for (int i = 0; i < 4; i++) {
    snprintf(name, sizeof name, "%s same shape", bnames[i]);
    check_op(name, 2, same, bins[i], true, 1);
    snprintf(name, sizeof name, "%s broadcast (4x7x9, 1x9)", bnames[i]);
    check_op(name, 2, bcast, bins[i], true, 1);
    snprintf(name, sizeof name, "%s broadcast (7x1, 3x1x9)", bnames[i]);
    check_op(name, 2, bcast2, bins[i], true, 1);
  }
  check_op("pow broadcast", 2, powin, op_pow, true, 1);
  const in_spec one[1] = {SPEC(2, -3, 3, 33, 65)};
  const in_spec pos[1] = {SPEC(2, 0.1f, 4, 33, 65)};
  check_op("scalar ops", 1, one, op_scalars, true, 1);
  const op_fn uns[] = {op_neg, op_exp, op_abs, op_clamp, op_relu, op_sigmoid, op_tanh, op_gelu};
  const char *unames[] = {"neg", "exp", "abs", "clamp", "relu", "sigmoid", "tanh", "gelu"};
  for (int i = 0; i < 8; i++)
    check_op(unames[i], 1, one, uns[i], true, 1);
  check_op("log", 1, pos, op_log, true, 1);
  check_op("sqrt", 1, pos, op_sqrt, true, 1);
}

/* ---- reductions ---- */

static lm_tensor *op_sum(lm_tensor *const *in) { return lm_sum(in[0]); }
static lm_tensor *op_mean(lm_tensor *const *in) { return lm_mean(in[0]); }
static lm_tensor *op_max(lm_tensor *const *in) { return lm_max(in[0]); }
/* many tied maxima (every element above 1.5): the gradient is split among them */
static lm_tensor *op_max_ties(lm_tensor *const *in) { return lm_max(lm_clamp(in[0], -INFINITY, 1.5f)); }
static lm_tensor *op_sum_dim0(lm_tensor *const *in) { return lm_sum_dim(in[0], 0, false); }
static lm_tensor *op_sum_dim1k(lm_tensor *const *in) { return lm_sum_dim(in[0], 1, true); }
static lm_tensor *op_mean_dim2(lm_tensor *const *in) { return lm_mean_dim(in[0], -1, false); }
static lm_tensor *op_max_dim1(lm_tensor *const *in) { return lm_max_dim(in[0], 1, false); }
static lm_tensor *op_max_dim2k(lm_tensor *const *in) { return lm_max_dim(in[0], 2, true); }
static lm_tensor *op_argmax1(lm_tensor *const *in) { return lm_argmax(in[0], 1, false); }
static lm_tensor *op_sum_t(lm_tensor *const *in) { return lm_sum_dim(lm_transpose(in[0], 0, 2), 1, false); }

static void test_reductions(void)
{
  if (!setup())
    return;
  const in_spec x3[1] = {SPEC(3, -2, 2, 6, 35, 17)};
  const in_spec big[1] = {SPEC(2, -1, 1, 300, 700)};
  check_op("sum", 1, x3, op_sum, true, 1);
  check_op("sum (210000 elements)", 1, big, op_sum, true, 1);
  check_op("mean", 1, x3, op_mean, true, 1);
  check_op("max", 1, x3, op_max, true, 1);
  check_op("max with ties", 1, x3, op_max_ties, true, 1);
  check_op("max with ties (210000 elements)", 1, big, op_max_ties, true, 1);
  check_op("sum_dim 0", 1, x3, op_sum_dim0, true, 1);
  check_op("sum_dim 1 keepdim", 1, x3, op_sum_dim1k, true, 1);
  check_op("mean_dim -1", 1, x3, op_mean_dim2, true, 1);
  check_op("max_dim 1", 1, x3, op_max_dim1, true, 1);
  check_op("max_dim 2 keepdim", 1, x3, op_max_dim2k, true, 1);
  check_op("argmax 1", 1, x3, op_argmax1, false, 1);
  check_op("sum_dim of a transposed view", 1, x3, op_sum_t, true, 1);
}

/* ---- linear algebra and nn functional ---- */

static lm_tensor *op_matmul(lm_tensor *const *in) { return lm_matmul(in[0], in[1]); }
static lm_tensor *op_matmul_tb(lm_tensor *const *in) { return lm_matmul(in[0], lm_transpose(in[1], 0, 1)); }
static lm_tensor *op_linear(lm_tensor *const *in) { return lm_linear(in[0], in[1], in[2]); }
static lm_tensor *op_linear_nb(lm_tensor *const *in) { return lm_linear(in[0], in[1], NULL); }
static lm_tensor *op_softmax1(lm_tensor *const *in) { return lm_softmax(in[0], 1); }
static lm_tensor *op_softmax_last(lm_tensor *const *in) { return lm_softmax(in[0], -1); }
static lm_tensor *op_log_softmax1(lm_tensor *const *in) { return lm_log_softmax(in[0], 1); }
static lm_tensor *op_log_softmax_last(lm_tensor *const *in) { return lm_log_softmax(in[0], -1); }
static lm_tensor *op_ce(lm_tensor *const *in) { return lm_cross_entropy(in[0], in[1]); }
static lm_tensor *op_nll(lm_tensor *const *in) { return lm_nll_loss(lm_log_softmax(in[0], 1), in[1]); }
static lm_tensor *op_ce_sum(lm_tensor *const *in) { return lm_cross_entropy_ex(in[0], in[1], LM_REDUCTION_SUM); }
static lm_tensor *op_ce_none(lm_tensor *const *in) { return lm_cross_entropy_ex(in[0], in[1], LM_REDUCTION_NONE); }
static lm_tensor *op_nll_sum(lm_tensor *const *in)
{
  return lm_nll_loss_ex(lm_log_softmax(in[0], 1), in[1], LM_REDUCTION_SUM);
}
static lm_tensor *op_nll_none(lm_tensor *const *in)
{
  return lm_nll_loss_ex(lm_log_softmax(in[0], 1), in[1], LM_REDUCTION_NONE);
}
/* PyTorch's loss options: class weights on the input's device, class 3
 * ignored (so some rows are), label smoothing for cross_entropy */
static lm_tensor *loss_opts(const lm_tensor *like, lm_reduction r, double smoothing,
                            lm_loss_options *o)
{
  static const float w[10] = {0.5f, 2, 1, 1.5f, 0.25f, 3, 1, 0.75f, 1.25f, 2.5f};
  *o = LM_LOSS_DEFAULTS;
  o->reduction = r;
  o->ignore_index = 3;
  o->label_smoothing = smoothing;
  o->weight = lm_to(lm_tensor_from_data(w, LM_SHAPE(10)), like->device);
  return (lm_tensor *)like;
}
static lm_tensor *op_ce_opts(lm_tensor *const *in, lm_reduction r)
{
  lm_loss_options o;
  return lm_cross_entropy_opts(loss_opts(in[0], r, 0.1, &o), in[1], &o);
}
static lm_tensor *op_ce_opts_mean(lm_tensor *const *in) { return op_ce_opts(in, LM_REDUCTION_MEAN); }
static lm_tensor *op_ce_opts_sum(lm_tensor *const *in) { return op_ce_opts(in, LM_REDUCTION_SUM); }
static lm_tensor *op_ce_opts_none(lm_tensor *const *in) { return op_ce_opts(in, LM_REDUCTION_NONE); }
static lm_tensor *op_nll_opts(lm_tensor *const *in, lm_reduction r)
{
  lm_loss_options o;
  return lm_nll_loss_opts(lm_log_softmax(loss_opts(in[0], r, 0.0, &o), 1), in[1], &o);
}
static lm_tensor *op_nll_opts_mean(lm_tensor *const *in) { return op_nll_opts(in, LM_REDUCTION_MEAN); }
static lm_tensor *op_nll_opts_none(lm_tensor *const *in) { return op_nll_opts(in, LM_REDUCTION_NONE); }
static lm_tensor *op_mse(lm_tensor *const *in) { return lm_mse_loss(in[0], in[1]); }
/* class-probability targets: in[1] is a float (N, C) target (with a gradient) */
static lm_tensor *op_ce_prob_opts(lm_tensor *const *in, lm_reduction r)
{
  lm_loss_options o;
  loss_opts(in[0], r, 0.1, &o);
  o.ignore_index = LM_IGNORE_INDEX_DEFAULT;
  return lm_cross_entropy_opts(in[0], in[1], &o);
}
static lm_tensor *op_ce_prob_mean(lm_tensor *const *in) { return op_ce_prob_opts(in, LM_REDUCTION_MEAN); }
static lm_tensor *op_ce_prob_sum(lm_tensor *const *in) { return op_ce_prob_opts(in, LM_REDUCTION_SUM); }
static lm_tensor *op_ce_prob_none(lm_tensor *const *in) { return op_ce_prob_opts(in, LM_REDUCTION_NONE); }
static lm_tensor *op_ce_onehot(lm_tensor *const *in)
{
  return lm_cross_entropy(in[0], lm_to_categorical(in[1], 10));
}
static lm_tensor *op_one_hot(lm_tensor *const *in) { return lm_one_hot(in[0], 10); }
static lm_tensor *op_one_hot_auto(lm_tensor *const *in) { return lm_one_hot(in[0], -1); }
static lm_tensor *op_to_categorical(lm_tensor *const *in) { return lm_to_categorical(in[0], 12); }
static lm_tensor *op_to_float(lm_tensor *const *in) { return lm_to_dtype(in[0], LM_FLOAT32); }
static lm_tensor *op_to_int(lm_tensor *const *in)
{
  return lm_to_dtype(lm_mul_scalar(in[0], 100.0f), LM_INT64);
}

static void test_nn_functional(void)
{
  if (!setup())
    return;
  const in_spec mm[2] = {SPEC(2, -1, 1, 33, 70), SPEC(2, -1, 1, 70, 21)};
  const in_spec bmm[2] = {SPEC(3, -1, 1, 4, 9, 16), SPEC(3, -1, 1, 4, 16, 5)};
  const in_spec bmm_b[2] = {SPEC(3, -1, 1, 3, 9, 16), SPEC(2, -1, 1, 16, 5)};
  const in_spec bmm_bc[2] = {SPEC(4, -1, 1, 2, 1, 6, 8), SPEC(3, -1, 1, 3, 8, 4)};
  const in_spec mv[2] = {SPEC(2, -1, 1, 12, 30), SPEC(1, -1, 1, 30)};
  const in_spec vm[2] = {SPEC(1, -1, 1, 30), SPEC(2, -1, 1, 30, 12)};
  const in_spec mt[2] = {SPEC(2, -1, 1, 33, 70), SPEC(2, -1, 1, 21, 70)};
  check_op("matmul 2-d", 2, mm, op_matmul, true, 1);
  check_op("matmul batched", 2, bmm, op_matmul, true, 1);
  check_op("matmul batched x 2-d", 2, bmm_b, op_matmul, true, 1);
  check_op("matmul broadcast batch", 2, bmm_bc, op_matmul, true, 1);
  check_op("matmul matrix-vector", 2, mv, op_matmul, true, 1);
  check_op("matmul vector-matrix", 2, vm, op_matmul, true, 1);
  check_op("matmul with a transposed view", 2, mt, op_matmul_tb, true, 1);
  const in_spec lin[3] = {SPEC(2, -1, 1, 64, 784), SPEC(2, -0.05f, 0.05f, 128, 784),
                          SPEC(1, -0.05f, 0.05f, 128)};
  const in_spec lin3[3] = {SPEC(3, -1, 1, 2, 5, 20), SPEC(2, -0.3f, 0.3f, 7, 20),
                           SPEC(1, -0.3f, 0.3f, 7)};
  check_op("linear (64x784 -> 128)", 3, lin, op_linear, true, 1);
  check_op("linear 3-d input", 3, lin3, op_linear, true, 1);
  check_op("linear without bias", 2, lin, op_linear_nb, true, 1);
  const in_spec logits[1] = {SPEC(2, -5, 5, 64, 10)};
  const in_spec x3[1] = {SPEC(3, -5, 5, 4, 6, 5)};
  check_op("softmax dim 1", 1, logits, op_softmax1, true, 1);
  check_op("softmax dim -1 of 3-d", 1, x3, op_softmax_last, true, 1);
  check_op("softmax dim 1 of 3-d (inner > 1)", 1, x3, op_softmax1, true, 1);
  check_op("log_softmax dim 1", 1, logits, op_log_softmax1, true, 1);
  check_op("log_softmax dim -1 of 3-d", 1, x3, op_log_softmax_last, true, 1);
  check_op("log_softmax dim 1 of 3-d", 1, x3, op_log_softmax1, true, 1);
  const in_spec ce[2] = {SPEC(2, -5, 5, 64, 10), LABELS(64, 10)};
  const in_spec mse[2] = {SPEC(2, -2, 2, 33, 9), SPEC(2, -2, 2, 33, 9)};
  check_op("cross_entropy", 2, ce, op_ce, true, 1);
  check_op("nll_loss(log_softmax)", 2, ce, op_nll, true, 1);
  check_op("cross_entropy, reduction sum", 2, ce, op_ce_sum, true, 1);
  check_op("cross_entropy, reduction none", 2, ce, op_ce_none, true, 1);
  check_op("nll_loss, reduction sum", 2, ce, op_nll_sum, true, 1);
  check_op("nll_loss, reduction none", 2, ce, op_nll_none, true, 1);
  check_op("cross_entropy, weight, ignore_index, label_smoothing", 2, ce, op_ce_opts_mean, true, 1);
  check_op("cross_entropy, weight, ignore_index, label_smoothing, sum", 2, ce, op_ce_opts_sum,
           true, 1);
  check_op("cross_entropy, weight, ignore_index, label_smoothing, none", 2, ce, op_ce_opts_none,
           true, 1);
  check_op("nll_loss, weight, ignore_index", 2, ce, op_nll_opts_mean, true, 1);
  check_op("nll_loss, weight, ignore_index, none", 2, ce, op_nll_opts_none, true, 1);
  const in_spec ce_prob[2] = {SPEC(2, -5, 5, 64, 10), SPEC(2, 0, 1, 64, 10)};
  const in_spec ce_prob1[2] = {SPEC(1, -5, 5, 10), SPEC(1, 0, 1, 10)};
  const in_spec ce_prob_wide[2] = {SPEC(2, -5, 5, 3, 2500), SPEC(2, 0, 1, 3, 2500)};
  check_op("cross_entropy, probability target", 2, ce_prob, op_ce, true, 1);
  check_op("cross_entropy, probability target, weight, label_smoothing", 2, ce_prob,
           op_ce_prob_mean, true, 1);
  check_op("cross_entropy, probability target, weight, label_smoothing, sum", 2, ce_prob,
           op_ce_prob_sum, true, 1);
  check_op("cross_entropy, probability target, weight, label_smoothing, none", 2, ce_prob,
           op_ce_prob_none, true, 1);
  check_op("cross_entropy, probability target of one sample", 2, ce_prob1, op_ce, true, 1);
  check_op("cross_entropy, probability target, 2500 classes (a block per row)", 2, ce_prob_wide,
           op_ce, true, 1);
  check_op("cross_entropy, to_categorical target", 2, ce, op_ce_onehot, true, 1);
  /* PyTorch's K-dimensional form (N, C, d1, d2): int64 (N, d1, d2) labels or
   * probabilities of the input's shape, 'none' giving (N, d1, d2) */
  const in_spec ce_nd[2] = {SPEC(4, -5, 5, 4, 10, 5, 6), {3, {4, 5, 6}, 0, 0, 10}};
  const in_spec ce_nd_prob[2] = {SPEC(4, -5, 5, 4, 10, 5, 6), SPEC(4, 0, 1, 4, 10, 5, 6)};
  check_op("cross_entropy (N, C, d1, d2)", 2, ce_nd, op_ce, true, 1);
  check_op("nll_loss(log_softmax) (N, C, d1, d2)", 2, ce_nd, op_nll, true, 1);
  check_op("cross_entropy (N, C, d1, d2), weight, ignore_index, label_smoothing, none", 2, ce_nd,
           op_ce_opts_none, true, 1);
  check_op("nll_loss (N, C, d1, d2), weight, ignore_index", 2, ce_nd, op_nll_opts_mean, true, 1);
  check_op("cross_entropy (N, C, d1, d2), probability target, weight, label_smoothing, sum", 2,
           ce_nd_prob, op_ce_prob_sum, true, 1);
  check_op("cross_entropy (N, C, d1, d2), probability target, none", 2, ce_nd_prob,
           op_ce_prob_none, true, 1);
  const in_spec labels[1] = {LABELS(64, 10)};
  const in_spec labels2[1] = {{2, {8, 5}, 0, 0, 12}};
  check_op("one_hot", 1, labels, op_one_hot, false, 1);
  check_op("one_hot, num_classes -1", 1, labels, op_one_hot_auto, false, 1);
  check_op("to_categorical of 2-d labels", 1, labels2, op_to_categorical, false, 1);
  check_op("to_dtype int64 -> float32", 1, labels, op_to_float, false, 1);
  check_op("to_dtype float32 -> int64", 1, mse, op_to_int, false, 1);
  const in_spec mse_b[2] = {SPEC(2, -2, 2, 33, 9), SPEC(1, -2, 2, 9)};
  check_op("mse_loss", 2, mse, op_mse, true, 1);
  check_op("mse_loss broadcast target", 2, mse_b, op_mse, true, 1);
}

/* ---- conv, pooling, dropout ---- */

static lm_tensor *op_conv(lm_tensor *const *in) { return lm_conv2d(in[0], in[1], in[2], 1, 1, 1, 1, 1, 1); }
static lm_tensor *op_conv_s2(lm_tensor *const *in) { return lm_conv2d(in[0], in[1], NULL, 2, 1, 0, 2, 1, 2); }
static lm_tensor *op_maxpool(lm_tensor *const *in) { return lm_max_pool2d(in[0], 2, 2, 2, 2, 0, 0); }
static lm_tensor *op_maxpool3(lm_tensor *const *in) { return lm_max_pool2d(in[0], 3, 3, 2, 2, 1, 1); }
static lm_tensor *op_avgpool(lm_tensor *const *in) { return lm_avg_pool2d(in[0], 3, 3, 2, 2, 1, 1); }
static lm_tensor *op_avgpool_div(lm_tensor *const *in)
{
  return lm_avg_pool2d_opts(in[0], 3, 2, &(lm_pool2d_options){.stride_h = 2, .stride_w = 1,
                                                              .padding_h = 1, .ceil_mode = true,
                                                              .divisor_override = 7});
}
static lm_tensor *op_maxpool_ceil(lm_tensor *const *in)
{
  return lm_max_pool2d_ex(in[0], 2, 3, 2, 2, 0, 1, true);
}
static lm_tensor *op_avgpool_ceil(lm_tensor *const *in)
{
  return lm_avg_pool2d_ex(in[0], 3, 2, 2, 3, 1, 0, true, false);
}
static lm_tensor *op_dropout(lm_tensor *const *in) { return lm_dropout(in[0], 0.4f, true); }
static lm_tensor *op_dropout_eval(lm_tensor *const *in) { return lm_dropout(in[0], 0.4f, false); }

static void test_conv_pool_dropout(void)
{
  if (!setup())
    return;
  const in_spec conv[3] = {SPEC(4, -1, 1, 4, 3, 12, 11), SPEC(4, -0.3f, 0.3f, 8, 3, 3, 3),
                           SPEC(1, -0.3f, 0.3f, 8)};
  const in_spec conv_u[3] = {SPEC(3, -1, 1, 3, 12, 11), SPEC(4, -0.3f, 0.3f, 8, 3, 3, 3),
                             SPEC(1, -0.3f, 0.3f, 8)};
  const in_spec conv2[2] = {SPEC(4, -1, 1, 2, 4, 13, 10), SPEC(4, -0.3f, 0.3f, 5, 4, 3, 2)};
  check_op("conv2d 3x3 pad 1", 3, conv, op_conv, true, 1);
  check_op("conv2d unbatched input", 3, conv_u, op_conv, true, 1);
  check_op("conv2d stride (2,1) pad (0,2) dilation (1,2), no bias", 2, conv2, op_conv_s2, true, 1);
  const in_spec img[1] = {SPEC(4, -2, 2, 4, 3, 14, 14)};
  const in_spec odd[1] = {SPEC(4, -2, 2, 2, 3, 9, 11)};
  check_op("max_pool2d 2x2", 1, img, op_maxpool, true, 1);
  check_op("max_pool2d 3x3 stride 2 pad 1", 1, odd, op_maxpool3, true, 1);
  check_op("avg_pool2d 3x3 stride 2 pad 1", 1, odd, op_avgpool, true, 1);
  check_op("max_pool2d (2,3) stride 2 pad (0,1) ceil_mode", 1, odd, op_maxpool_ceil, true, 1);
  check_op("avg_pool2d (3,2) stride (2,3) pad (1,0) ceil_mode, count_include_pad=False", 1, odd,
           op_avgpool_ceil, true, 1);
  check_op("avg_pool2d (3,2) stride (2,1) pad (1,0) ceil_mode, divisor_override=7", 1, odd,
           op_avgpool_div, true, 1);
  const in_spec act[1] = {SPEC(2, -2, 2, 32, 128)};
  check_op("dropout (same seed, same mask)", 1, act, op_dropout, true, 99);
  check_op("dropout in eval mode", 1, act, op_dropout_eval, true, 99);
}

/* ---- views and layout ---- */

static lm_tensor *op_views(lm_tensor *const *in)
{
  /* permute, slice with a step, select, unsqueeze/squeeze, contiguous, reshape */
  lm_tensor *x = lm_permute(in[0], (const int[]){2, 0, 1});       /* (5, 4, 6) */
  x = lm_slice(x, 2, 1, 6, 2);                                      /* (5, 4, 3) */
  x = lm_unsqueeze(lm_select(x, 0, 3), 0);                          /* (1, 4, 3) */
  x = lm_squeeze(lm_mul_scalar(x, 2.0f), 0);                        /* (4, 3) */
  return lm_reshape(lm_contiguous(lm_transpose(x, 0, 1)), LM_SHAPE(12));
}
static lm_tensor *op_expand_cat(lm_tensor *const *in)
{
  lm_tensor *e = lm_expand(in[1], LM_SHAPE(4, 6, 5));               /* (1, 6, 5) -> (4, 6, 5) */
  lm_tensor *parts[3] = {lm_transpose(in[0], 1, 2), e, lm_exp(e)};
  return lm_cat(parts, 3, 0);                                       /* (12, 6, 5) */
}
static lm_tensor *op_flatten_clone(lm_tensor *const *in)
{
  return lm_clone(lm_flatten(lm_transpose(in[0], 0, 2), 1, 2));
}

static void test_views(void)
{
  if (!setup())
    return;
  const in_spec x[1] = {SPEC(3, -2, 2, 4, 6, 5)};
  const in_spec xe[2] = {SPEC(3, -2, 2, 4, 5, 6), SPEC(3, -2, 2, 1, 6, 5)};
  check_op("permute/slice/select/squeeze/reshape", 1, x, op_views, true, 1);
  check_op("expand + cat", 2, xe, op_expand_cat, true, 1);
  check_op("flatten + clone of a transposed view", 1, x, op_flatten_clone, true, 1);
}

/* ---- to(device) ---- */

static void test_to_round_trip(void)
{
  if (!setup())
    return;
  lm_scope_begin();
  /* float, contiguous: CPU -> GPU -> CPU gives the same bits */
  float *v = gt_random(1000, -100, 100);
  lm_tensor *c = lm_tensor_from_data(v, LM_SHAPE(10, 100));
  lm_tensor *g = lm_to(c, LM_CUDA0);
  gt_assert(g && g->device.type == LM_DEVICE_CUDA && g->device.index == 0);
  gt_assert(lm_to(g, LM_CUDA0) == g); /* already there: the same tensor */
  lm_tensor *back = lm_to(g, LM_CPU);
  gt_assert(back->device.type == LM_DEVICE_CPU);
  gt_check_identical("to(cuda) then to(cpu)", lm_data_f32(back), v, 1000);
  /* a transposed (non-contiguous) view goes over in logical order */
  lm_tensor *t = lm_transpose(c, 0, 1);
  float *want = malloc(1000 * sizeof(float)), *got = malloc(1000 * sizeof(float));
  lm_tensor_copy_to_host(t, want);
  lm_tensor *tg = lm_to(t, LM_CUDA0);
  gt_assert(tg->shape[0] == 100 && tg->shape[1] == 10);
  lm_tensor_copy_to_host(tg, got);
  gt_check_identical("to(cuda) of a transposed view", got, want, 1000);
  /* strided view of a GPU tensor read back in logical order */
  lm_tensor *tv = lm_transpose(g, 0, 1);
  lm_tensor_copy_to_host(tv, got);
  gt_check_identical("copy_to_host of a transposed cuda view", got, want, 1000);
  /* int64 */
  int64_t lab[7] = {0, 5, -3, 1ll << 40, 9, 2, 7};
  lm_tensor *li = lm_to(lm_tensor_from_int64(lab, LM_SHAPE(7)), LM_CUDA0);
  lm_tensor *lb = lm_to(li, LM_CPU);
  for (int i = 0; i < 7; i++)
    gt_assert(lm_data_i64(lb)[i] == lab[i]);
  /* item, get and printing of cuda tensors */
  gt_assert(lm_item(lm_sum(lm_to(lm_ones(LM_SHAPE(3, 4)), LM_CUDA0))) == 12.0f);
  gt_assert(lm_get(g, (const int64_t[]){3, 7}) == v[307]);
  char *s = lm_tensor_to_string(g);
  gt_assert(strstr(s, "device=cuda:0") != NULL);
  free(s);
  /* a graph that crosses devices: x (cpu) -> cuda -> relu * 3 -> cpu -> sum */
  lm_tensor *x = lm_tensor_from_data(v, LM_SHAPE(1000));
  lm_tensor_set_requires_grad(x, true);
  lm_tensor *y = lm_to(lm_mul_scalar(lm_relu(lm_to(x, LM_CUDA0)), 3.0f), LM_CPU);
  lm_backward(lm_sum(y), NULL, false);
  gt_assert(x->grad && x->grad->device.type == LM_DEVICE_CPU);
  for (int i = 0; i < 1000; i++)
    gt_assert(lm_data_f32(x->grad)[i] == (v[i] > 0 ? 3.0f : 0.0f));
  free(v), free(want), free(got);
  lm_scope_end();
}

static void test_device_mismatch(void)
{
  if (!setup())
    return;
  lm_set_error_handler(count_error, NULL);
  lm_scope_begin();
  lm_tensor *a = lm_ones(LM_SHAPE(3));
  lm_tensor *b = lm_to(lm_ones(LM_SHAPE(3)), LM_CUDA0);
  n_errors = 0;
  gt_assert(lm_add(a, b) == NULL);
  gt_assert(n_errors == 1 && strstr(last_msg, "same device") && strstr(last_msg, "cuda:0"));
  n_errors = 0;
  char dev[16];
  snprintf(dev, sizeof dev, "cuda:%d", lm_cuda_device_count());
  gt_assert(lm_to(a, (lm_device){LM_DEVICE_CUDA, lm_cuda_device_count()}) == NULL);
  gt_assert(n_errors == 1 && strstr(last_msg, dev) && strstr(last_msg, "does not exist"));
  /* a bad class label on the GPU: found on the device, reported by the next
   * read of a value (as PyTorch's device-side assert) with the op's message,
   * the loss NaN; nothing crashes */
  n_errors = 0;
  lm_tensor *logits = lm_to(lm_zeros(LM_SHAPE(4, 3)), LM_CUDA0);
  lm_tensor *target = lm_to(lm_tensor_from_int64((const int64_t[]){0, 2, 3, 1}, LM_SHAPE(4)),
                            LM_CUDA0);
  lm_tensor *loss = lm_cross_entropy(logits, target);
  gt_assert(loss != NULL && n_errors == 0);
  gt_assert(isnan(lm_item(loss)));
  gt_assert(n_errors == 1 &&
            strstr(last_msg, "cross_entropy: target 3 is out of bounds for 3 classes") &&
            strstr(last_msg, "position 2"));
  n_errors = 0;
  loss = lm_nll_loss(lm_log_softmax(logits, 1), target);
  gt_assert(loss != NULL);
  lm_cuda_synchronize(0);
  gt_assert(n_errors == 1 && strstr(last_msg, "nll_loss: target 3 is out of bounds for 3 classes"));
  lm_scope_end();
  lm_set_error_handler(NULL, NULL);
}

/* Losses over no value: zero classes (C = 0), every target ignored, or
 * class probabilities of no class. PyTorch 1.13: mean NaN, sum 0, 'none'
 * zeros; a target that is not ignored is out of bounds. The GPU gave an
 * out-of-bounds error for ignored targets of C = 0 and 0 for the mean over
 * probabilities of no class. */
static void test_empty_losses(void)
{
  if (!setup())
    return;
  lm_set_error_handler(count_error, NULL);
  lm_scope_begin();
  lm_tensor *x = lm_to(lm_zeros(LM_SHAPE(2, 0)), LM_CUDA0);
  lm_tensor *ign = lm_to(lm_tensor_from_int64((const int64_t[]){-100, -100}, LM_SHAPE(2)), LM_CUDA0);
  lm_tensor *prob = lm_to(lm_zeros(LM_SHAPE(2, 0)), LM_CUDA0);
  n_errors = 0;
  gt_assert(isnan(lm_item(lm_cross_entropy(x, ign))));
  gt_assert(isnan(lm_item(lm_nll_loss(x, ign))));
  gt_assert(lm_item(lm_cross_entropy_ex(x, ign, LM_REDUCTION_SUM)) == 0.0f);
  lm_tensor *none = lm_to(lm_cross_entropy_ex(x, ign, LM_REDUCTION_NONE), LM_CPU);
  gt_assert(none->ndim == 1 && none->shape[0] == 2);
  gt_assert(lm_get(none, (const int64_t[]){0}) == 0.0f && lm_get(none, (const int64_t[]){1}) == 0.0f);
  gt_assert(isnan(lm_item(lm_cross_entropy(x, prob))));
  gt_assert(lm_item(lm_cross_entropy_ex(x, prob, LM_REDUCTION_SUM)) == 0.0f);
  none = lm_to(lm_cross_entropy_ex(x, prob, LM_REDUCTION_NONE), LM_CPU);
  gt_assert(none->ndim == 1 && none->shape[0] == 2);
  gt_assert(lm_get(none, (const int64_t[]){0}) == 0.0f && lm_get(none, (const int64_t[]){1}) == 0.0f);
  /* a loss over all-ignored targets of C = 3: NaN mean, zero gradient */
  lm_tensor *x3 = lm_to(lm_zeros(LM_SHAPE(2, 3)), LM_CUDA0);
  lm_tensor_set_requires_grad(x3, true);
  lm_tensor *l3 = lm_cross_entropy(x3, ign);
  gt_assert(isnan(lm_item(l3)));
  lm_backward(l3, NULL, false);
  float g[6];
  lm_tensor_copy_to_host(x3->grad, g);
  for (int i = 0; i < 6; i++)
    gt_assert(g[i] == 0.0f);
  gt_assert(n_errors == 0);
  /* C = 0 with a target that is not ignored: the op's error, at the next read */
  lm_tensor *t0 = lm_to(lm_tensor_from_int64((const int64_t[]){-100, 0}, LM_SHAPE(2)), LM_CUDA0);
  lm_tensor *bad = lm_cross_entropy(x, t0);
  gt_assert(bad != NULL);
  gt_assert(isnan(lm_item(bad)));
  gt_assert(n_errors == 1 &&
            strstr(last_msg, "cross_entropy: target 0 is out of bounds for 0 classes") &&
            strstr(last_msg, "position 1"));
  lm_scope_end();
  lm_set_error_handler(NULL, NULL);
}

/* Memory profiling (lm_set_op_memory) on cuda:0: an op counts the bytes
 * it asked the caching allocator for, not the cache's blocks (sum's 4-byte
 * result comes from a bigger cached block: 4), and what is allocated after
 * it on the GPU; the CPU's bytes are another count, which the GPU ops leave
 * alone. */
typedef struct {
  int n;
  lm_hook_event ev[4];
} gpu_mem_log;

static void gpu_mem_hook(const lm_hook_event *ev, void *user_data)
{
  gpu_mem_log *m = user_data;
  if (m->n < 4)
    m->ev[m->n++] = *ev;
}

static void test_memory_profiling(void)
{
  if (!setup())
    return;
  lm_scope_begin();
  lm_tensor *x = lm_to(lm_rand(LM_SHAPE(64, 784)), LM_CUDA0);
  lm_tensor *w = lm_to(lm_rand(LM_SHAPE(128, 784)), LM_CUDA0);
  lm_tensor *b = lm_to(lm_rand(LM_SHAPE(128)), LM_CUDA0);
  gpu_mem_log m = {0};
  int h = lm_add_op_hook(gpu_mem_hook, &m);
  lm_set_op_memory(true);
  int64_t cpu_before = lm_memory_allocated(LM_CPU), gpu_before = lm_memory_allocated(LM_CUDA0);
  lm_tensor *y = lm_linear(x, w, b);
  lm_tensor *s = lm_sum(y);
  lm_set_op_memory(false);
  lm_remove_op_hook(h);
  gt_assert(s != NULL);
  gt_assert(m.n == 2);
  gt_assert(m.ev[0].memory && m.ev[0].alloc_bytes == 64 * 128 * 4 && m.ev[0].free_bytes == 0);
  gt_assert(m.ev[0].mem_after == gpu_before + 64 * 128 * 4);
  gt_assert(m.ev[1].alloc_bytes == 4 && m.ev[1].mem_after == gpu_before + 64 * 128 * 4 + 4);
  gt_assert(lm_memory_allocated(LM_CUDA0) == m.ev[1].mem_after);
  gt_assert(lm_memory_allocated(LM_CPU) == cpu_before);
  lm_scope_end();
}

int main(int argc, char **argv)
{
  gt_poison_gpu_memory();
  gt_init(&argc, &argv);
  gt_add("/cuda/ops/elementwise", test_elementwise);
  gt_add("/cuda/ops/reductions", test_reductions);
  gt_add("/cuda/ops/nn-functional", test_nn_functional);
  gt_add("/cuda/ops/conv-pool-dropout", test_conv_pool_dropout);
  gt_add("/cuda/ops/views", test_views);
  gt_add("/cuda/ops/to-round-trip", test_to_round_trip);
  gt_add("/cuda/ops/device-errors", test_device_mismatch);
  gt_add("/cuda/ops/empty-losses", test_empty_losses);
  gt_add("/cuda/ops/memory-profiling", test_memory_profiling);
  return gt_run();
}
