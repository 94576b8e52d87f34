/* tensor.c: tensor and storage lifetime, creation and inspection.
 *
 * Tensors are refcounted headers (shape, strides, offset) over refcounted
 * storage; views share storage. Freeing is iterative: releasing the last
 * reference to a loss can free a graph of thousands of nodes, so dead objects
 * are queued on a per-thread worklist instead of freed recursively.
 * Scopes (which tensors a step owns) live in scope.c; printing in print.c.
 * Not for: ops (engine/ops/) or kernels (engine/cpu/).
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lm-backend.h"
#include "lm-core.h"

/* ---- live counts ---- */

static _Atomic int64_t live_tensors, live_storages;
/* storage bytes by device slot (lm_mem_slot): CPU, CUDA */
static _Atomic int64_t live_bytes[LM_MEM_SLOTS];
_Atomic int64_t lm_live_nodes_counter;
_Thread_local lm_mem_counter lm_mem_counts[LM_MEM_SLOTS];

int64_t lm_mem_live(int slot)
{
  return atomic_load(&live_bytes[slot]);
}

int64_t lm_memory_allocated(lm_device device)
{
  return lm_mem_live(lm_mem_slot(device));
}

lm_live_counts lm_debug_live(void)
{
  lm_live_counts c = {
    .tensors = atomic_load(&live_tensors),
    .storages = atomic_load(&live_storages),
    .nodes = atomic_load(&lm_live_nodes_counter),
    .storage_bytes = atomic_load(&live_bytes[0]) + atomic_load(&live_bytes[1]),
  };
  return c;
}

/* ---- storage ---- */

static lm_storage *storage_new(size_t nbytes, lm_device device)
{
  const lm_backend *be = lm_backend_of(device);
  if (!be)
    return NULL;
  lm_storage *s = malloc(sizeof *s);
  if (!s) {
    lm_error("out of memory allocating a tensor");
    return NULL;
  }
  /* Never zero bytes: keeps data non-NULL so pointer arithmetic stays defined. */
  size_t alloc_bytes = nbytes ? nbytes : 64;
  s->data = be->alloc(device.index, alloc_bytes);
  if (!s->data) {
    char dev[32];
    lm_device_name(device, dev, sizeof dev);
    lm_error("out of memory: could not allocate %zu bytes on %s", nbytes, dev);
    free(s);
    return NULL;
  }
  s->refcount = 1;
  s->nbytes = alloc_bytes;
  atomic_fetch_add(&live_storages, 1);
  int slot = lm_mem_slot(device);
  int64_t now = atomic_fetch_add(&live_bytes[slot], (int64_t)alloc_bytes) + (int64_t)alloc_bytes;
  if (lm_op_memory_on) {
    lm_mem_counter *c = &lm_mem_counts[slot];
    c->alloc += (int64_t)alloc_bytes;
    if (now > c->peak)
      c->peak = now;
  }
  s->device = device;
  return s;
}

static void storage_release(lm_storage *s)
{
  if (!s || --s->refcount > 0)
    return;
  const lm_backend *be = lm_backend_of(s->device);
  if (be)
    be->free(s->device.index, s->data, s->nbytes);
  atomic_fetch_sub(&live_storages, 1);
  atomic_fetch_sub(&live_bytes[lm_mem_slot(s->device)], (int64_t)s->nbytes);
  if (lm_op_memory_on)
    lm_mem_counts[lm_mem_slot(s->device)].freed += (int64_t)s->nbytes;
  free(s);
}

/* ---- iterative release ---- */

static _Thread_local bool draining;
static _Thread_local lm_tensor *dead_small[64];
static _Thread_local lm_tensor **dead_heap;
static _Thread_local size_t n_dead, cap_dead_heap;

static void dead_push(lm_tensor *t)
{
  if (n_dead < 64) {
    dead_small[n_dead++] = t;
    return;
  }
  size_t i = n_dead - 64;
  if (i >= cap_dead_heap) {
    size_t cap = cap_dead_heap ? cap_dead_heap * 2 : 256;
    lm_tensor **p = realloc(dead_heap, cap * sizeof *p);
    if (!p)
      abort(); /* cannot even queue a free: nothing sensible left to do */
    dead_heap = p;
    cap_dead_heap = cap;
  }
  dead_heap[i] = t;
  n_dead++;
}

static lm_tensor *dead_pop(void)
{
  n_dead--;
  return n_dead < 64 ? dead_small[n_dead] : dead_heap[n_dead - 64];
}

static void tensor_destroy(lm_tensor *t)
{
  storage_release(t->storage);
  if (t->grad)
    lm_tensor_release(t->grad);
  if (t->grad_fn)
    lm_node_release(t->grad_fn);
  free(t->name);
  free(t);
  atomic_fetch_sub(&live_tensors, 1);
}

lm_tensor *lm_tensor_retain(lm_tensor *t)
{
  if (t)
    t->refcount++;
  return t;
}

void lm_tensor_release(lm_tensor *t)
{
  if (!t || --t->refcount > 0)
    return;
  if (draining) {
    dead_push(t);
    return;
  }
  draining = true;
  tensor_destroy(t);
  while (n_dead)
    tensor_destroy(dead_pop());
  draining = false;
  free(dead_heap);
  dead_heap = NULL;
  cap_dead_heap = 0;
}

/* ---- geometry helpers ---- */

size_t lm_dtype_size(lm_dtype dtype)
{
  switch (dtype) {
  case LM_FLOAT32: return 4;
  case LM_FLOAT16: return 2;
  case LM_BFLOAT16: return 2;
  case LM_INT64: return 8;
  }
  return 4;
}

void lm_contiguous_strides(int ndim, const int64_t *shape, int64_t *stride)
{
  int64_t s = 1;
  for (int i = ndim - 1; i >= 0; i--) {
    stride[i] = s;
    s *= shape[i] > 1 ? shape[i] : 1;
  }
}

int64_t lm_shape_numel(int ndim, const int64_t *shape)
{
  int64_t n = 1;
  for (int i = 0; i < ndim; i++)
    n *= shape[i];
  return n;
}

int64_t lm_numel(const lm_tensor *t)
{
  return t ? lm_shape_numel(t->ndim, t->shape) : 0;
}

bool lm_is_contiguous(const lm_tensor *t)
{
  if (!t)
    return false;
  int64_t s = 1;
  for (int i = t->ndim - 1; i >= 0; i--) {
    if (t->shape[i] == 1)
      continue;
    if (t->stride[i] != s)
      return false;
    s *= t->shape[i];
  }
  return true;
}

void *lm_data_ptr(const lm_tensor *t)
{
  return (char *)t->storage->data + (size_t)t->offset * lm_dtype_size(t->dtype);
}

float *lm_data_f32(const lm_tensor *t)
{
  if (!t)
    return NULL;
  if (t->dtype != LM_FLOAT32) {
    lm_error("data_f32: tensor has dtype %s, not float32", lm_dtype_name(t->dtype));
    return NULL;
  }
  return lm_data_ptr(t);
}

int64_t *lm_data_i64(const lm_tensor *t)
{
  if (!t)
    return NULL;
  if (t->dtype != LM_INT64) {
    lm_error("data_i64: tensor has dtype %s, not int64", lm_dtype_name(t->dtype));
    return NULL;
  }
  return lm_data_ptr(t);
}

/* ---- allocation ---- */

static bool check_shape(const char *op, int ndim, const int64_t *shape)
{
  if (ndim < 0 || ndim > LM_MAX_DIMS) {
    lm_error("%s: %d dims requested, at most %d are supported", op, ndim, LM_MAX_DIMS);
    return false;
  }
  if (ndim > 0 && !shape) {
    lm_error("%s: shape is NULL", op);
    return false;
  }
  int64_t n = 1;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0) {
      char buf[LM_SHAPE_STR_LEN];
      lm_error("%s: negative dimension in shape %s", op, lm_shape_str_n(ndim, shape, buf, sizeof buf));
      return false;
    }
    if (shape[i] && n > INT64_MAX / 8 / shape[i]) {
      lm_error("%s: shape too large", op);
      return false;
    }
    n *= shape[i];
  }
  return true;
}

lm_tensor *lm_tensor_new_unscoped(int ndim, const int64_t *shape, lm_dtype dtype, lm_device device)
{
  if (!check_shape("empty", ndim, shape))
    return NULL;
  if (dtype != LM_FLOAT32 && dtype != LM_INT64) {
    lm_error("empty: dtype %s is not implemented yet", lm_dtype_name(dtype));
    return NULL;
  }
  lm_tensor *t = calloc(1, sizeof *t);
  if (!t) {
    lm_error("out of memory allocating a tensor");
    return NULL;
  }
  t->ndim = ndim;
  for (int i = 0; i < ndim; i++)
    t->shape[i] = shape[i];
  lm_contiguous_strides(ndim, shape, t->stride);
  t->dtype = dtype;
  t->device = device;
  t->refcount = 1;
  t->storage = storage_new((size_t)lm_shape_numel(ndim, shape) * lm_dtype_size(dtype), device);
  if (!t->storage) {
    free(t);
    return NULL;
  }
  atomic_fetch_add(&live_tensors, 1);
  return t;
}

lm_tensor *lm_tensor_new_out(int ndim, const int64_t *shape, lm_dtype dtype, lm_device device)
{
  return lm_scope_adopt(lm_tensor_new_unscoped(ndim, shape, dtype, device));
}

static lm_tensor *view_alloc(const lm_tensor *t, int ndim, const int64_t *shape,
                             const int64_t *stride, int64_t offset)
{
  lm_tensor *v = calloc(1, sizeof *v);
  if (!v) {
    lm_error("out of memory allocating a tensor");
    return NULL;
  }
  v->ndim = ndim;
  for (int i = 0; i < ndim; i++) {
    v->shape[i] = shape[i];
    v->stride[i] = stride[i];
  }
  v->offset = offset;
  v->dtype = t->dtype;
  v->device = t->device;
  v->storage = t->storage;
  v->storage->refcount++;
  v->refcount = 1;
  atomic_fetch_add(&live_tensors, 1);
  return v;
}

lm_tensor *lm_tensor_new_view(const lm_tensor *t, int ndim, const int64_t *shape,
                              const int64_t *stride, int64_t offset)
{
  return lm_scope_adopt(view_alloc(t, ndim, shape, stride, offset));
}

lm_tensor *lm_detach_owned(const lm_tensor *t)
{
  return t ? view_alloc(t, t->ndim, t->shape, t->stride, t->offset) : NULL;
}

/* ---- creation ---- */

lm_tensor *lm_empty(int ndim, const int64_t *shape)
{
  return lm_tensor_new_out(ndim, shape, LM_FLOAT32, LM_CPU);
}

lm_tensor *lm_full(int ndim, const int64_t *shape, float value)
{
  lm_tensor *t = lm_tensor_new_out(ndim, shape, LM_FLOAT32, LM_CPU);
  if (t)
    lm_backend_of(t->device)->fill_f32(lm_numel(t), value, lm_data_ptr(t));
  return t;
}

lm_tensor *lm_zeros(int ndim, const int64_t *shape)
{
  return lm_full(ndim, shape, 0.0f);
}

lm_tensor *lm_ones(int ndim, const int64_t *shape)
{
  return lm_full(ndim, shape, 1.0f);
}

static lm_tensor *full_like(const lm_tensor *t, float value)
{
  if (!t)
    return NULL;
  lm_tensor *o = lm_tensor_new_out(t->ndim, t->shape, t->dtype, t->device);
  if (!o)
    return NULL;
  const lm_backend *be = lm_backend_of(o->device);
  if (o->dtype == LM_INT64)
    be->fill_i64(lm_numel(o), (int64_t)value, lm_data_ptr(o));
  else
    be->fill_f32(lm_numel(o), value, lm_data_ptr(o));
  return o;
}

lm_tensor *lm_zeros_like(const lm_tensor *t)
{
  return full_like(t, 0.0f);
}

lm_tensor *lm_ones_like(const lm_tensor *t)
{
  return full_like(t, 1.0f);
}

lm_tensor *lm_tensor_from_data(const float *data, int ndim, const int64_t *shape)
{
  if (!data) {
    lm_error("tensor_from_data: data is NULL");
    return NULL;
  }
  lm_tensor *t = lm_tensor_new_out(ndim, shape, LM_FLOAT32, LM_CPU);
  if (t)
    lm_backend_of(t->device)->copy_from_host(0, lm_data_ptr(t), data, (size_t)lm_numel(t) * 4);
  return t;
}

lm_tensor *lm_tensor_from_int64(const int64_t *data, int ndim, const int64_t *shape)
{
  if (!data) {
    lm_error("tensor_from_int64: data is NULL");
    return NULL;
  }
  lm_tensor *t = lm_tensor_new_out(ndim, shape, LM_INT64, LM_CPU);
  if (t)
    lm_backend_of(t->device)->copy_from_host(0, lm_data_ptr(t), data, (size_t)lm_numel(t) * 8);
  return t;
}

lm_tensor *lm_arange(double start, double end, double step)
{
  if (step == 0 || !isfinite(start) || !isfinite(end) || !isfinite(step)) {
    lm_error("arange: step must be nonzero and bounds finite (got start=%g, end=%g, step=%g)",
             start, end, step);
    return NULL;
  }
  if ((step > 0 && end < start) || (step < 0 && end > start)) {
    lm_error("arange: upper bound and larger bound inconsistent with step sign "
             "(start=%g, end=%g, step=%g)", start, end, step);
    return NULL;
  }
  int64_t n = (int64_t)ceil((end - start) / step);
  lm_tensor *t = lm_tensor_new_out(1, &n, LM_FLOAT32, LM_CPU);
  if (t)
    lm_backend_of(t->device)->arange_f32(n, start, step, lm_data_ptr(t));
  return t;
}

lm_tensor *lm_rand(int ndim, const int64_t *shape)
{
  lm_tensor *t = lm_tensor_new_out(ndim, shape, LM_FLOAT32, LM_CPU);
  if (t) {
    lm_rng_state st = lm_rng_reserve(lm_numel(t));
    lm_backend_of(t->device)->rand_uniform_f32(lm_numel(t), st.key, st.counter, 0.0f, 1.0f,
                                               lm_data_ptr(t));
  }
  return t;
}

lm_tensor *lm_randn(int ndim, const int64_t *shape)
{
  lm_tensor *t = lm_tensor_new_out(ndim, shape, LM_FLOAT32, LM_CPU);
  if (t) {
    lm_rng_state st = lm_rng_reserve(lm_numel(t));
    lm_backend_of(t->device)->rand_normal_f32(lm_numel(t), st.key, st.counter, 0.0f, 1.0f,
                                              lm_data_ptr(t));
  }
  return t;
}

/* ---- inspection ---- */

const char *lm_dtype_name(lm_dtype dtype)
{
  switch (dtype) {
  case LM_FLOAT32: return "float32";
  case LM_FLOAT16: return "float16";
  case LM_BFLOAT16: return "bfloat16";
  case LM_INT64: return "int64";
  }
  return "unknown";
}

void lm_device_name(lm_device device, char *buf, size_t len)
{
  if (device.type == LM_DEVICE_CPU)
    snprintf(buf, len, "cpu");
  else
    snprintf(buf, len, "cuda:%d", device.index);
}

bool lm_device_parse(const char *text, lm_device *device)
{
  if (!text)
    return false;
  if (strcmp(text, "cpu") == 0) {
    *device = LM_CPU;
    return true;
  }
  if (strncmp(text, "cuda", 4) != 0)
    return false;
  const char *p = text + 4;
  if (*p == '\0') {
    *device = LM_CUDA0;
    return true;
  }
  /* cuda:N, decimal digits only (no sign, no spaces), N < 2^31 */
  if (*p++ != ':' || *p == '\0')
    return false;
  long long index = 0;
  for (; *p; p++) {
    if (*p < '0' || *p > '9' || index > INT32_MAX / 10)
      return false;
    index = index * 10 + (*p - '0');
  }
  if (index > INT32_MAX)
    return false;
  *device = (lm_device){ LM_DEVICE_CUDA, (int)index };
  return true;
}

/* Reads one element at a storage position as float. */
static float read_element(const lm_tensor *t, int64_t pos)
{
  const lm_backend *be = lm_backend_of(t->device);
  size_t es = lm_dtype_size(t->dtype);
  const char *src = (const char *)t->storage->data + (size_t)pos * es;
  if (t->dtype == LM_INT64) {
    int64_t v;
    be->copy_to_host(t->device.index, &v, src, 8);
    return (float)v;
  }
  float v;
  be->copy_to_host(t->device.index, &v, src, 4);
  return v;
}

float lm_item(const lm_tensor *t)
{
  if (!t)
    return NAN;
  int64_t n = lm_numel(t);
  if (n != 1) {
    lm_error("item: a tensor with %lld elements cannot be converted to a scalar", (long long)n);
    return NAN;
  }
  return read_element(t, t->offset);
}

float lm_get(const lm_tensor *t, const int64_t *index)
{
  if (!t)
    return NAN;
  int64_t pos = t->offset;
  for (int i = 0; i < t->ndim; i++) {
    if (index[i] < 0 || index[i] >= t->shape[i]) {
      char buf[LM_SHAPE_STR_LEN];
      lm_error("get: index %lld is out of bounds for dim %d with size %lld (tensor %s)",
               (long long)index[i], i, (long long)t->shape[i], lm_shape_str(t, buf, sizeof buf));
      return NAN;
    }
    pos += index[i] * t->stride[i];
  }
  return read_element(t, pos);
}

void lm_tensor_copy_to_host(const lm_tensor *t, float *out)
{
  if (!t || !out)
    return;
  lm_tensor *c = lm_contiguous_owned(t);
  if (!c)
    return;
  const lm_backend *be = lm_backend_of(c->device);
  int64_t n = lm_numel(c);
  if (c->dtype == LM_FLOAT32) {
    be->copy_to_host(c->device.index, out, lm_data_ptr(c), (size_t)n * 4);
  } else {
    int64_t *tmp = malloc((size_t)(n ? n : 1) * 8);
    if (tmp) {
      be->copy_to_host(c->device.index, tmp, lm_data_ptr(c), (size_t)n * 8);
      for (int64_t i = 0; i < n; i++)
        out[i] = (float)tmp[i];
      free(tmp);
    }
  }
  lm_tensor_release(c);
}

void lm_tensor_set_name(lm_tensor *t, const char *name)
{
  if (!t)
    return;
  free(t->name);
  t->name = name ? strdup(name) : NULL;
}

void lm_tensor_set_requires_grad(lm_tensor *t, bool requires_grad)
{
  if (!t)
    return;
  if (t->grad_fn) {
    if (!requires_grad)
      lm_error("set_requires_grad: you can only change requires_grad flags of leaf tensors "
               "(use lm_detach() to get a tensor that does not require grad)");
    return;
  }
  if (requires_grad && t->dtype != LM_FLOAT32) {
    lm_error("set_requires_grad: only tensors of floating point dtype can require gradients "
             "(got %s)", lm_dtype_name(t->dtype));
    return;
  }
  t->requires_grad = requires_grad;
}
