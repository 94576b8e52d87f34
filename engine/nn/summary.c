/* summary.c: lm_module_summary(), Keras' model.summary() for a module tree.
 *
 * The output shapes come from running the model once, not from per-layer
 * shape rules: one forward on zeros (no grad, eval mode so Dropout draws no
 * random numbers, the modules' modes restored afterwards), during which
 * lm_module_forward reports each leaf layer's output here. Layers that the
 * forward does not reach are not listed; their parameters still count in the
 * totals, as in Keras.
 *
 * Not here: print(model) (module.c).
 */
#include "lm-nn-private.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  char name[200];
  const char *type;
  int ndim;
  int64_t shape[LM_MAX_DIMS];
  int64_t params;
} summary_row;

static _Thread_local struct {
  bool active;
  bool oom;
  summary_row *rows;
  int n, cap;
} rec;

bool lm_nn_summary_active(void)
{
  return rec.active;
}

void lm_nn_summary_record(const lm_module *m, const lm_tensor *out)
{
  if (rec.n == rec.cap) {
    int cap = rec.cap ? rec.cap * 2 : 16;
    summary_row *r = realloc(rec.rows, (size_t)cap * sizeof *r);
    if (!r) {
      rec.oom = true;
      return;
    }
    rec.rows = r;
    rec.cap = cap;
  }
  summary_row *row = &rec.rows[rec.n++];
  const char *path = lm_module_path();
  snprintf(row->name, sizeof row->name, "%s", path && path[0] ? path : "(root)");
  row->type = m->klass->type;
  row->ndim = out->ndim;
  memcpy(row->shape, out->shape, sizeof row->shape);
  row->params = 0;
  for (int i = 0; i < m->n_params; i++)
    row->params += lm_numel(m->params[i]);
}

/* Training flags of the tree in visiting order, to put them back afterwards. */
static int save_modes(const lm_module *m, bool *flags, int i)
{
  if (flags)
    flags[i] = m->training;
  i++;
  for (int c = 0; c < m->n_children; c++)
    i = save_modes(m->children[c], flags, i);
  return i;
}

static int restore_modes(lm_module *m, const bool *flags, int i)
{
  m->training = flags[i++];
  for (int c = 0; c < m->n_children; c++)
    i = restore_modes(m->children[c], flags, i);
  return i;
}

static void shape_text(int ndim, const int64_t *shape, char *buf, size_t len)
{
  size_t used = (size_t)snprintf(buf, len, "(");
  for (int i = 0; i < ndim && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, "%s%lld", i ? ", " : "", (long long)shape[i]);
  if (used < len)
    snprintf(buf + used, len - used, ndim == 1 ? ",)" : ")");
}

/* 421642 -> "421,642" */
static void thousands(int64_t v, char *buf, size_t len)
{
  char digits[32];
  int n = snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v));
  size_t o = 0;
  if (v < 0 && o + 1 < len)
    buf[o++] = '-';
  for (int i = 0; i < n && o + 1 < len; i++) {
    if (i > 0 && (n - i) % 3 == 0 && o + 1 < len)
      buf[o++] = ',';
    if (o + 1 < len)
      buf[o++] = digits[i];
  }
  buf[o] = '\0';
}

static void rule(FILE *out, char c, int width)
{
  for (int i = 0; i < width; i++)
    fputc(c, out);
  fputc('\n', out);
}

bool lm_module_summary(lm_module *m, int ndim, const int64_t *input_shape, FILE *out)
{
  if (!m || !input_shape || ndim <= 0 || ndim > LM_MAX_DIMS || !out) {
    lm_error("summary: needs a module, an input shape of 1 to %d dims and a FILE", LM_MAX_DIMS);
    return false;
  }
  int n_modules = save_modes(m, NULL, 0);
  bool *flags = malloc((size_t)n_modules * sizeof *flags);
  if (!flags) {
    lm_error("summary: out of memory");
    return false;
  }
  save_modes(m, flags, 0);
  lm_module_eval(m);

  /* The input goes where the parameters are. */
  lm_device device = LM_CPU;
  lm_named_tensor *params = NULL;
  size_t n_params = lm_module_named_parameters(m, &params);
  int64_t total = 0, trainable = 0;
  for (size_t i = 0; i < n_params; i++) {
    if (i == 0)
      device = params[i].tensor->device;
    total += lm_numel(params[i].tensor);
    if (params[i].tensor->requires_grad)
      trainable += lm_numel(params[i].tensor);
  }
  free(params);

  bool prev_grad = lm_set_grad_enabled(false);
  lm_scope_begin();
  rec.n = 0;
  rec.oom = false;
  rec.active = true;
  lm_tensor *x = lm_zeros(ndim, input_shape);
  if (x && (device.type != LM_DEVICE_CPU))
    x = lm_to(x, device);
  bool ran = x && lm_module_forward(m, x) != NULL;
  rec.active = false;
  lm_scope_end();
  lm_set_grad_enabled(prev_grad);
  restore_modes(m, flags, 0);
  free(flags);

  bool ok = ran && !rec.oom;
  if (rec.oom)
    lm_error("summary: out of memory");
  if (ok) {
    char in_text[200], sh[200], num[40];
    shape_text(ndim, input_shape, in_text, sizeof in_text);
    /* Column widths from the content, at least Keras' header widths. */
    int w_name = (int)strlen("Layer (type)"), w_shape = (int)strlen("Output Shape");
    for (int i = 0; i < rec.n; i++) {
      int wn = (int)(strlen(rec.rows[i].name) + strlen(rec.rows[i].type) + 3);
      shape_text(rec.rows[i].ndim, rec.rows[i].shape, sh, sizeof sh);
      if (wn > w_name) w_name = wn;
      if ((int)strlen(sh) > w_shape) w_shape = (int)strlen(sh);
    }
    w_name += 3;
    w_shape += 3;
    int width = w_name + w_shape + 12;
    fprintf(out, "Model: \"%s\"  input %s\n", m->klass->type, in_text);
    rule(out, '_', width);
    fprintf(out, "%-*s%-*s%s\n", w_name, "Layer (type)", w_shape, "Output Shape", "Param #");
    rule(out, '=', width);
    for (int i = 0; i < rec.n; i++) {
      char name[260];
      snprintf(name, sizeof name, "%s (%s)", rec.rows[i].name, rec.rows[i].type);
      shape_text(rec.rows[i].ndim, rec.rows[i].shape, sh, sizeof sh);
      thousands(rec.rows[i].params, num, sizeof num);
      fprintf(out, "%-*s%-*s%s\n", w_name, name, w_shape, sh, num);
    }
    rule(out, '=', width);
    thousands(total, num, sizeof num);
    fprintf(out, "Total params: %s\n", num);
    thousands(trainable, num, sizeof num);
    fprintf(out, "Trainable params: %s\n", num);
    thousands(total - trainable, num, sizeof num);
    fprintf(out, "Non-trainable params: %s\n", num);
    fprintf(out, "Params size (MB): %.2f\n", (double)total * 4.0 / (1024.0 * 1024.0));
    rule(out, '_', width);
  }
  free(rec.rows);
  rec.rows = NULL;
  rec.n = rec.cap = 0;
  return ok;
}
