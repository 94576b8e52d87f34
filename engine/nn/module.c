/* module.c: what every module shares: the tree (Sequential containers and
 * their named children), parameter names, forward with module paths,
 * train/eval, to(device), free, and print(model).
 *
 * Names. A parameter's name is its path from the module asked plus its local
 * name ("features.3" + "weight"), computed by walking the tree, so a
 * sub-module reports names relative to itself as PyTorch does. The tensor's
 * own name (lm_tensor.name, shown in graphs) is kept equal to its path from
 * the outermost container and refreshed whenever a subtree is attached.
 *
 * Not here: the layer types (layers.c), the summary (summary.c).
 */
#include "lm-nn-private.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

lm_module *lm_nn_module_new(const lm_module_class *k)
{
  lm_module *m = calloc(1, sizeof *m);
  if (!m) {
    lm_error("%s: out of memory", k->type);
    return NULL;
  }
  m->klass = k;
  m->training = true;
  return m;
}

lm_tensor *lm_nn_add_param(lm_module *m, const char *name, int ndim, const int64_t *shape,
                           float bound)
{
  if (m->n_params >= LM_NN_MAX_PARAMS)
    return NULL;
  lm_tensor *t = lm_tensor_new_unscoped(ndim, shape, LM_FLOAT32, LM_CPU);
  if (!t)
    return NULL;
  /* kaiming_uniform_(a=sqrt(5)) and the bias init both reduce to
   * U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the caller passes that bound. */
  lm_rng_uniform_fill(lm_data_f32(t), lm_numel(t), -bound, bound);
  lm_tensor_set_requires_grad(t, true);
  lm_tensor_set_name(t, name);
  m->param_names[m->n_params] = name;
  m->params[m->n_params++] = t;
  return t;
}

/* ---- initialisers ---- */

static bool init_target(const lm_tensor *t, const char *fn)
{
  if (!t) {
    lm_error("%s: tensor is NULL", fn);
    return false;
  }
  if (t->device.type != LM_DEVICE_CPU || t->dtype != LM_FLOAT32 || !lm_is_contiguous(t)) {
    lm_error("%s: %s must be a contiguous float32 tensor on the CPU (initialise before "
             "module.to(device))", fn, t->name ? t->name : "the tensor");
    return false;
  }
  return true;
}

bool lm_nn_init_xavier_uniform(lm_tensor *t, double gain)
{
  if (!init_target(t, "xavier_uniform_"))
    return false;
  if (t->ndim < 2) {
    lm_error("xavier_uniform_: fan in and fan out cannot be computed for %s with %d "
             "dimension%s (2 or more needed)", t->name ? t->name : "a tensor", t->ndim,
             t->ndim == 1 ? "" : "s");
    return false;
  }
  int64_t receptive = 1;
  for (int d = 2; d < t->ndim; d++)
    receptive *= t->shape[d];
  const double fan_in = (double)(t->shape[1] * receptive);
  const double fan_out = (double)(t->shape[0] * receptive);
  const float a = (float)(gain * sqrt(6.0 / (fan_in + fan_out)));
  lm_rng_uniform_fill(lm_data_f32(t), lm_numel(t), -a, a);
  return true;
}

bool lm_nn_init_zeros(lm_tensor *t)
{
  if (!init_target(t, "zeros_"))
    return false;
  memset(lm_data_f32(t), 0, (size_t)lm_numel(t) * sizeof(float));
  return true;
}

/* ---- paths and names ---- */

/* Path of m from the outermost container ("features.3"; "" for the root). */
static void module_path(const lm_module *m, char *buf, size_t len)
{
  if (!m->parent) {
    buf[0] = '\0';
    return;
  }
  module_path(m->parent, buf, len);
  const lm_module *p = m->parent;
  for (int i = 0; i < p->n_children; i++) {
    if (p->children[i] == m) {
      size_t used = strlen(buf);
      snprintf(buf + used, len - used, "%s%s", used ? "." : "", p->child_names[i]);
      return;
    }
  }
}

/* Refresh lm_tensor.name of every parameter under m. */
static void rename_params(lm_module *m)
{
  char path[512], full[600];
  module_path(m, path, sizeof path);
  for (int i = 0; i < m->n_params; i++) {
    snprintf(full, sizeof full, "%s%s%s", path, path[0] ? "." : "", m->param_names[i]);
    lm_tensor_set_name(m->params[i], full);
  }
  for (int i = 0; i < m->n_children; i++)
    rename_params(m->children[i]);
}

/* ---- containers ---- */

static lm_tensor *sequential_forward(lm_module *m, const lm_tensor *x)
{
  /* The children's intermediate outputs are released as soon as the last child
   * has run (the autograd graph keeps what backward needs): only the result
   * leaves this scope, and it goes to the caller's scope (or to the caller). */
  lm_scope_begin();
  const lm_tensor *cur = x;
  lm_tensor *y = NULL;
  for (int i = 0; i < m->n_children && cur; i++) {
    lm_module_path_push(m->child_names[i]);
    y = lm_module_forward(m->children[i], cur);
    lm_module_path_pop();
    cur = y;
  }
  if (m->n_children == 0)
    y = lm_tensor_retain((lm_tensor *)x);  /* nn.Sequential() is the identity */
  else if (y)
    lm_scope_keep(y);
  lm_scope_end();
  return y ? lm_scope_adopt(y) : NULL;
}

static const lm_module_class sequential_class = {
  .type = "Sequential", .forward = sequential_forward, .container = true,
};

static bool valid_child_name(const lm_module *seq, const char *name)
{
  if (!name || !name[0] || strchr(name, '.')) {
    lm_error("Sequential: child name \"%s\" must be non-empty and contain no '.'",
             name ? name : "(null)");
    return false;
  }
  for (int i = 0; i < seq->n_children; i++) {
    if (strcmp(seq->child_names[i], name) == 0) {
      lm_error("Sequential: a child named \"%s\" already exists", name);
      return false;
    }
  }
  return true;
}

bool lm_module_add(lm_module *seq, const char *name, lm_module *child)
{
  if (!seq || !child) {
    if (!child)
      lm_error("Sequential: cannot add a NULL module (did its constructor fail?)");
    else
      lm_error("Sequential: cannot add to a NULL container");
    lm_module_free(child);
    return false;
  }
  if (!seq->klass->container) {
    lm_error("%s: only Sequential containers take children", seq->klass->type);
    lm_module_free(child);
    return false;
  }
  if (child->parent || child == seq) {
    lm_error("Sequential: module \"%s\" already belongs to a container", name ? name : "");
    return false; /* not ours to free: its container owns it */
  }
  if (!valid_child_name(seq, name)) {
    lm_module_free(child);
    return false;
  }
  if (seq->n_children == seq->cap_children) {
    int cap = seq->cap_children ? seq->cap_children * 2 : 8;
    lm_module **c = realloc(seq->children, (size_t)cap * sizeof *c);
    if (c)
      seq->children = c;
    char **nm = c ? realloc(seq->child_names, (size_t)cap * sizeof *nm) : NULL;
    if (nm)
      seq->child_names = nm;
    if (!c || !nm) {
      lm_error("Sequential: out of memory");
      lm_module_free(child);
      return false;
    }
    seq->cap_children = cap;
  }
  char *copy = strdup(name);
  if (!copy) {
    lm_error("Sequential: out of memory");
    lm_module_free(child);
    return false;
  }
  seq->children[seq->n_children] = child;
  seq->child_names[seq->n_children++] = copy;
  child->parent = seq;
  rename_params(child);
  return true;
}

bool lm_module_append(lm_module *seq, lm_module *child)
{
  char name[24];
  snprintf(name, sizeof name, "%d", seq ? seq->n_children : 0);
  return lm_module_add(seq, name, child);
}

lm_module *lm_nn_sequential_new(void)
{
  return lm_nn_module_new(&sequential_class);
}

lm_module *lm_nn_sequential(lm_module *first, ...)
{
  lm_module *seq = lm_nn_module_new(&sequential_class);
  bool ok = seq != NULL;
  va_list ap;
  va_start(ap, first);
  /* Walk to the LM_NN_END sentinel; a NULL before it is a constructor that
   * failed (already reported): keep walking to free the rest, then fail. */
  int i = 0;
  for (lm_module *m = first; m != LM_NN_END; m = va_arg(ap, lm_module *), i++) {
    if (!m) {
      if (ok) {
        char cause[512]; /* copied: lm_error reuses the buffer lm_last_error returns */
        snprintf(cause, sizeof cause, "%s", lm_last_error() ? lm_last_error() : "");
        /* the last error may be this constructor's or an older one: say which it is */
        lm_error("Sequential: module %d is NULL (a layer constructor returns NULL when it fails%s%s)",
                 i, cause[0] ? "; the last engine error was: " : "", cause);
      }
      ok = false;
    } else if (ok) {
      ok = lm_module_append(seq, m);
    } else {
      lm_module_free(m);
    }
  }
  va_end(ap);
  if (!ok) {
    lm_module_free(seq);
    return NULL;
  }
  return seq;
}

/* ---- running ---- */

lm_tensor *lm_module_forward(lm_module *m, const lm_tensor *x)
{
  if (!m) {
    lm_error("module forward: module is NULL");
    return NULL;
  }
  if (!x)
    return NULL;
  lm_tensor *y = m->klass->forward(m, x);
  if (y && !m->klass->container && lm_nn_summary_active())
    lm_nn_summary_record(m, y);
  return y;
}

void lm_module_train(lm_module *m, bool mode)
{
  if (!m)
    return;
  m->training = mode;
  for (int i = 0; i < m->n_children; i++)
    lm_module_train(m->children[i], mode);
}

void lm_module_eval(lm_module *m)
{
  lm_module_train(m, false);
}

bool lm_module_is_training(const lm_module *m)
{
  return m && m->training;
}

void lm_module_free(lm_module *m)
{
  if (!m)
    return;
  for (int i = 0; i < m->n_children; i++) {
    lm_module_free(m->children[i]);
    free(m->child_names[i]);
  }
  free(m->children);
  free(m->child_names);
  for (int i = 0; i < m->n_params; i++)
    lm_tensor_release(m->params[i]);
  free(m);
}

/* ---- looking inside ---- */

const char *lm_module_type(const lm_module *m)
{
  return m ? m->klass->type : "";
}

int lm_module_num_children(const lm_module *m)
{
  return m ? m->n_children : 0;
}

lm_module *lm_module_child(const lm_module *m, int i)
{
  return m && i >= 0 && i < m->n_children ? m->children[i] : NULL;
}

const char *lm_module_child_name(const lm_module *m, int i)
{
  return m && i >= 0 && i < m->n_children ? m->child_names[i] : NULL;
}

lm_module *lm_module_get(const lm_module *m, const char *path)
{
  if (!m || !path) {
    lm_error("get_submodule: NULL module or path");
    return NULL;
  }
  const lm_module *cur = m;
  const char *p = path;
  while (*p) {
    const char *dot = strchr(p, '.');
    size_t len = dot ? (size_t)(dot - p) : strlen(p);
    const lm_module *next = NULL;
    for (int i = 0; i < cur->n_children; i++) {
      if (strlen(cur->child_names[i]) == len && strncmp(cur->child_names[i], p, len) == 0) {
        next = cur->children[i];
        break;
      }
    }
    if (!next) {
      lm_error("get_submodule: %s has no submodule \"%.*s\" (looking for \"%s\")",
               cur->klass->type, (int)len, p, path);
      return NULL;
    }
    cur = next;
    p += len;
    if (*p == '.')
      p++;
  }
  return (lm_module *)cur;
}

/* Visits every parameter under m with its name relative to m. */
typedef void (*param_visit)(const char *name, lm_tensor *t, void *data);

static void walk_params(const lm_module *m, const char *prefix, param_visit fn, void *data)
{
  char name[600];
  for (int i = 0; i < m->n_params; i++) {
    snprintf(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "." : "", m->param_names[i]);
    fn(name, m->params[i], data);
  }
  for (int i = 0; i < m->n_children; i++) {
    snprintf(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "." : "", m->child_names[i]);
    walk_params(m->children[i], name, fn, data);
  }
}

typedef struct {
  size_t count, name_bytes;
  lm_named_tensor *out;
  char *names;
  const char *want;
  lm_tensor *found;
  int64_t numel;
} param_acc;

static void count_param(const char *name, lm_tensor *t, void *data)
{
  param_acc *a = data;
  a->count++;
  a->name_bytes += strlen(name) + 1;
  a->numel += lm_numel(t);
}

static void fill_param(const char *name, lm_tensor *t, void *data)
{
  param_acc *a = data;
  size_t len = strlen(name) + 1;
  memcpy(a->names, name, len);
  a->out[a->count].name = a->names;
  a->out[a->count].tensor = t;
  a->names += len;
  a->count++;
}

static void find_param(const char *name, lm_tensor *t, void *data)
{
  param_acc *a = data;
  if (!a->found && strcmp(name, a->want) == 0)
    a->found = t;
}

size_t lm_module_named_parameters(const lm_module *m, lm_named_tensor **out)
{
  if (out)
    *out = NULL;
  if (!m || !out)
    return 0;
  param_acc a = {0};
  walk_params(m, "", count_param, &a);
  /* One block: the array, then the names it points into; free(*out) frees both. */
  size_t n = a.count;
  lm_named_tensor *arr = malloc(n * sizeof *arr + a.name_bytes + 1);
  if (!arr) {
    lm_error("named_parameters: out of memory");
    return 0;
  }
  param_acc f = {.out = arr, .names = (char *)(arr + n)};
  walk_params(m, "", fill_param, &f);
  *out = arr;
  return n;
}

lm_tensor *lm_module_parameter(const lm_module *m, const char *name)
{
  if (!m || !name) {
    lm_error("parameter: NULL module or name");
    return NULL;
  }
  param_acc a = {.want = name};
  walk_params(m, "", find_param, &a);
  if (!a.found)
    lm_error("parameter: %s has no parameter named \"%s\"", m->klass->type, name);
  return a.found;
}

int64_t lm_module_num_parameters(const lm_module *m)
{
  if (!m)
    return 0;
  param_acc a = {0};
  walk_params(m, "", count_param, &a);
  return a.numel;
}

static void zero_param(const char *name, lm_tensor *t, void *data)
{
  lm_tensor_zero_grad(t);
}

void lm_module_zero_grad(lm_module *m)
{
  if (m)
    walk_params(m, "", zero_param, NULL);
}

/* ---- devices ---- */

bool lm_nn_tensor_move(lm_tensor *t, lm_device device)
{
  if (t->device.type == device.type && t->device.index == device.index)
    return true;
  /* Copy with no graph, then swap storages: t keeps its identity and the
   * temporary takes the old storage away with it at the scope's end. */
  bool prev = lm_set_grad_enabled(false);
  lm_scope_begin();
  lm_tensor *c = lm_to(t, device);
  bool ok = c != NULL;
  if (ok) {
    lm_storage *old = t->storage;
    int64_t old_offset = t->offset;
    t->storage = c->storage;
    t->offset = c->offset;
    t->ndim = c->ndim;
    memcpy(t->shape, c->shape, sizeof t->shape);
    memcpy(t->stride, c->stride, sizeof t->stride);
    t->device = c->device;
    c->storage = old;
    c->offset = old_offset;
  }
  lm_scope_end();
  lm_set_grad_enabled(prev);
  return ok;
}

static bool move_module(lm_module *m, lm_device device)
{
  for (int i = 0; i < m->n_params; i++) {
    lm_tensor *p = m->params[i];
    if (!lm_nn_tensor_move(p, device) || (p->grad && !lm_nn_tensor_move(p->grad, device)))
      return false;
  }
  for (int i = 0; i < m->n_children; i++)
    if (!move_module(m->children[i], device))
      return false;
  return true;
}

bool lm_module_to(lm_module *m, lm_device device)
{
  if (!m) {
    lm_error("module.to: module is NULL");
    return false;
  }
  /* Check the device first so a missing GPU leaves the module untouched. */
  if (!lm_backend_of(device))
    return false;
  return move_module(m, device);
}

/* ---- print(model) ---- */

static void print_module(const lm_module *m, FILE *out, int indent)
{
  char extra[256] = "";
  if (m->klass->extra_repr)
    m->klass->extra_repr(m, extra, sizeof extra);
  if (m->n_children == 0) {
    fprintf(out, "%s(%s)", m->klass->type, extra);
    return;
  }
  fprintf(out, "%s(%s\n", m->klass->type, extra);
  for (int i = 0; i < m->n_children; i++) {
    fprintf(out, "%*s(%s): ", indent + 2, "", m->child_names[i]);
    print_module(m->children[i], out, indent + 2);
    fputc('\n', out);
  }
  fprintf(out, "%*s)", indent, "");
}

void lm_module_print(const lm_module *m, FILE *out)
{
  if (!m || !out)
    return;
  print_module(m, out, 0);
  fputc('\n', out);
}
