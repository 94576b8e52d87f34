/* matmul.c: torch.matmul semantics (1-D dot, 2-D mm, 1-D/2-D promotion,
 * batched with broadcast batch dims) on top of the backend's strided-batched
 * sgemm.
 *
 * No copies for transposed contiguous operands: a matrix whose columns are
 * contiguous is passed with the transpose flag instead (this is how backward's
 * g @ b^T and a^T @ g run). A batched operand against a plain matrix folds the
 * batch into the rows: one large gemm instead of many small ones.
 * Not for: linear (linear.c), which fuses the bias.
 */
#include <string.h>

#include "lm-backend.h"
#include "lm-engine-private.h"

bool lm_matrix_layout(int64_t rows, int64_t cols, int64_t srow, int64_t scol, bool *trans,
                      int64_t *ld)
{
  int64_t c1 = cols > 1 ? cols : 1, r1 = rows > 1 ? rows : 1;
  if ((scol == 1 || cols == 1) && (rows == 1 || srow >= c1)) {
    *trans = false;
    *ld = rows == 1 ? c1 : srow;
    return true;
  }
  if ((srow == 1 || rows == 1) && (cols == 1 || scol >= r1)) {
    *trans = true;
    *ld = cols == 1 ? r1 : scol;
    return true;
  }
  return false;
}

typedef struct {
  int64_t rows, cols, srow, scol; /* the (promoted) matrix */
  int nbatch;
  const int64_t *bshape, *bstride;
} mat_desc;

static void describe(const lm_tensor *t, bool is_left, mat_desc *d)
{
  if (t->ndim == 1) {
    if (is_left) { /* (K) -> (1, K) */
      d->rows = 1;
      d->cols = t->shape[0];
      d->srow = t->shape[0] * t->stride[0];
      d->scol = t->stride[0];
    } else { /* (K) -> (K, 1) */
      d->rows = t->shape[0];
      d->cols = 1;
      d->srow = t->stride[0];
      d->scol = 1;
    }
    d->nbatch = 0;
  } else {
    d->rows = t->shape[t->ndim - 2];
    d->cols = t->shape[t->ndim - 1];
    d->srow = t->stride[t->ndim - 2];
    d->scol = t->stride[t->ndim - 1];
    d->nbatch = t->ndim - 2;
  }
  d->bshape = t->shape;
  d->bstride = t->stride;
}

static void matmul_backward(lm_node *node, const lm_tensor *g, lm_tensor **gin)
{
  const lm_tensor *a = node->saved[0], *b = node->saved[1];
  bool need_a = lm_node_input_needs_grad(node, 0), need_b = lm_node_input_needs_grad(node, 1);
  if (a->ndim == 1 && b->ndim == 1) {
    if (need_a)
      gin[0] = lm_mul(g, b);
    if (need_b)
      gin[1] = lm_mul(g, a);
    return;
  }
  const lm_tensor *g2 = g, *a2 = a, *b2 = b;
  if (a->ndim == 1) {
    a2 = lm_unsqueeze(a, 0);
    g2 = lm_unsqueeze(g2, -2);
  }
  if (b->ndim == 1) {
    b2 = lm_unsqueeze(b, -1);
    g2 = lm_unsqueeze(g2, -1);
  }
  if (need_a) {
    lm_tensor *ga = lm_matmul(g2, lm_transpose(b2, -1, -2)); /* (batch.., M, K) */
    gin[0] = a->ndim == 1 ? lm_squeeze(ga, -2) : ga;
  }
  if (need_b) {
    lm_tensor *gb = lm_matmul(lm_transpose(a2, -1, -2), g2); /* (batch.., K, N) */
    gin[1] = b->ndim == 1 ? lm_squeeze(gb, -1) : gb;
  }
}

lm_tensor *lm_matmul(const lm_tensor *a, const lm_tensor *b)
{
  int64_t t0 = lm_op_start(a);
  static const char *op = "matmul";
  if (!a || !b)
    return NULL;
  if (!lm_check_float(op, a) || !lm_check_float(op, b) || !lm_check_same_device(op, a, b))
    return NULL;
  char b1[LM_SHAPE_STR_LEN], b2[LM_SHAPE_STR_LEN];
  if (a->ndim == 0 || b->ndim == 0) {
    lm_error("matmul: both arguments need at least 1 dimension, got %s and %s",
             lm_shape_str(a, b1, sizeof b1), lm_shape_str(b, b2, sizeof b2));
    return NULL;
  }
  mat_desc da, db;
  describe(a, true, &da);
  describe(b, false, &db);
  if (da.cols != db.rows) {
    lm_error("matmul: mat1 and mat2 shapes cannot be multiplied (%s and %s)",
             lm_shape_str_bare(a, b1, sizeof b1), lm_shape_str_bare(b, b2, sizeof b2));
    return NULL;
  }
  int64_t M = da.rows, K = da.cols, N = db.cols;

  /* Broadcast batch dims. */
  int nb = da.nbatch > db.nbatch ? da.nbatch : db.nbatch;
  lm_iter it;
  memset(&it, 0, sizeof it);
  it.ndim = nb;
  for (int i = 0; i < nb; i++) {
    int ia = da.nbatch - nb + i, ib = db.nbatch - nb + i;
    int64_t sa = ia >= 0 ? da.bshape[ia] : 1, sb = ib >= 0 ? db.bshape[ib] : 1;
    if (sa != sb && sa != 1 && sb != 1) {
      lm_error("matmul: batch dimensions of %s and %s cannot be broadcast (size %lld vs %lld at "
               "dim %d)", lm_shape_str(a, b1, sizeof b1), lm_shape_str(b, b2, sizeof b2),
               (long long)sa, (long long)sb, i);
      return NULL;
    }
    it.shape[i] = sa == 1 ? sb : sa;
    it.stride[1][i] = (ia >= 0 && sa != 1) ? da.bstride[ia] : 0;
    it.stride[2][i] = (ib >= 0 && sb != 1) ? db.bstride[ib] : 0;
  }
  int64_t out_shape[LM_MAX_DIMS];
  int out_nd = 0;
  for (int i = 0; i < nb; i++)
    out_shape[out_nd++] = it.shape[i];
  if (a->ndim > 1)
    out_shape[out_nd++] = M;
  if (b->ndim > 1)
    out_shape[out_nd++] = N;
  /* Output batch strides (contiguous, M*N per matrix). */
  {
    int64_t s = M * N;
    for (int i = nb - 1; i >= 0; i--) {
      it.stride[0][i] = s;
      s *= it.shape[i];
    }
  }

  /* Matrix layouts; copy an operand only when gemm cannot read it as is. */
  lm_tensor *ac = NULL, *bc = NULL;
  const lm_tensor *A = a, *B = b;
  bool ta, tb;
  int64_t lda, ldb;
  if (!lm_matrix_layout(M, K, da.srow, da.scol, &ta, &lda)) {
    ac = lm_contiguous_owned(a);
    if (!ac)
      return NULL;
    A = ac;
    describe(ac, true, &da);
    lm_matrix_layout(M, K, da.srow, da.scol, &ta, &lda);
    for (int i = 0; i < nb; i++) {
      int ia = da.nbatch - nb + i;
      it.stride[1][i] = (ia >= 0 && da.bshape[ia] != 1) ? da.bstride[ia] : 0;
    }
  }
  if (!lm_matrix_layout(K, N, db.srow, db.scol, &tb, &ldb)) {
    bc = lm_contiguous_owned(b);
    if (!bc) {
      lm_tensor_release(ac);
      return NULL;
    }
    B = bc;
    describe(bc, false, &db);
    lm_matrix_layout(K, N, db.srow, db.scol, &tb, &ldb);
    for (int i = 0; i < nb; i++) {
      int ib = db.nbatch - nb + i;
      it.stride[2][i] = (ib >= 0 && db.bshape[ib] != 1) ? db.bstride[ib] : 0;
    }
  }

  lm_tensor *out = lm_tensor_new_out(out_nd, out_shape, LM_FLOAT32, a->device);
  if (out) {
    const lm_backend *be = lm_backend_of(a->device);
    const float *pa = lm_data_ptr(A), *pb = lm_data_ptr(B);
    float *pc = lm_data_ptr(out);
    lm_iter_collapse(&it, 3);
    if (it.ndim == 0) {
      be->gemm_f32(ta, tb, M, N, K, 1.0f, pa, lda, 0, pb, ldb, 0, 0.0f, pc, N, 0, 1);
    } else if (it.ndim == 1 && it.stride[2][0] == 0 && !ta && it.stride[1][0] == M * lda) {
      /* Batched left operand against one matrix: fold the batch into the rows. */
      be->gemm_f32(false, tb, it.shape[0] * M, N, K, 1.0f, pa, lda, 0, pb, ldb, 0, 0.0f, pc, N, 0, 1);
    } else {
      int last = it.ndim - 1;
      int64_t rows = 1;
      for (int d = 0; d < last; d++)
        rows *= it.shape[d];
      int64_t idx[LM_MAX_DIMS] = {0};
      int64_t po = 0, pa_off = 0, pb_off = 0;
      for (int64_t r = 0; r < rows; r++) {
        be->gemm_f32(ta, tb, M, N, K, 1.0f, pa + pa_off, lda, it.stride[1][last], pb + pb_off, ldb,
                     it.stride[2][last], 0.0f, pc + po, N, it.stride[0][last], it.shape[last]);
        for (int d = last - 1; d >= 0; d--) {
          po += it.stride[0][d];
          pa_off += it.stride[1][d];
          pb_off += it.stride[2][d];
          if (++idx[d] < it.shape[d])
            break;
          po -= it.stride[0][d] * it.shape[d];
          pa_off -= it.stride[1][d] * it.shape[d];
          pb_off -= it.stride[2][d] * it.shape[d];
          idx[d] = 0;
        }
      }
    }
  }
  lm_tensor_release(ac);
  lm_tensor_release(bc);
  if (!out)
    return NULL;
  lm_node *node = NULL;
  if (lm_needs_grad(a, b)) {
    const lm_tensor *in[2] = {a, b};
    node = lm_node_record(out, op, matmul_backward, 2, in);
    lm_node_save(node, a);
    lm_node_save(node, b);
  }
  lm_hook_forward(op, node, out, t0);
  return out;
}
