/* print.c: tensors as text, the way print(tensor) in PyTorch shows them.
 *
 * Follows torch/_tensor_str.py: one formatter for the whole tensor (4 decimals;
 * integer-valued floats as "1."; scientific "1.0000e-05" when the nonzero
 * magnitudes span more than 1000x, exceed 1e8 or go below 1e-4), values
 * right-aligned to a common width, rows wrapped at 80 columns, and past 1000
 * elements only the 3 first and last items of each dim with "...". Lumen then
 * always appends shape, dtype and device, and grad_fn or requires_grad.
 * Not for: serialisation (values are rounded).
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lm-backend.h"
#include "lm-engine-private.h"

#define LINEWIDTH 80
#define THRESHOLD 1000
#define EDGEITEMS 3
#define PRECISION 4

typedef struct {
  char *s;
  size_t len, cap;
} sbuf;

static void sb_putn(sbuf *b, const char *s, size_t n)
{
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (b->len + n + 1 > cap)
      cap *= 2;
    char *p = realloc(b->s, cap);
    if (!p)
      return;
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
  sb_putn(b, s, strlen(s));
}

static void sb_spaces(sbuf *b, int n)
{
  for (int i = 0; i < n; i++)
    sb_putn(b, " ", 1);
}

typedef struct {
  bool is_int;     /* int64 tensor */
  bool int_mode;   /* float tensor whose values are all integers */
  bool sci_mode;
  int width;
  const double *v;   /* logical-order values */
  const int64_t *iv; /* the same, exact, for int64 tensors */
  const int64_t *shape;
  int ndim;
  bool summarize;
} fmt_ctx;

/* Unpadded text of one value. */
static int format_raw(const fmt_ctx *f, int64_t i, char *out, size_t len)
{
  if (f->is_int)
    return snprintf(out, len, "%lld", (long long)f->iv[i]);
  double v = f->v[i];
  if (isnan(v))
    return snprintf(out, len, "nan");
  if (isinf(v))
    return snprintf(out, len, v > 0 ? "inf" : "-inf");
  if (f->sci_mode)
    return snprintf(out, len, "%.*e", PRECISION, v);
  if (f->int_mode)
    return snprintf(out, len, "%.0f.", v);
  return snprintf(out, len, "%.*f", PRECISION, v);
}

static void format_value(const fmt_ctx *f, int64_t i, sbuf *b)
{
  char tmp[64];
  int n = format_raw(f, i, tmp, sizeof tmp);
  sb_spaces(b, f->width - n);
  sb_puts(b, tmp);
}

/* Calls fn on every element index that the (possibly summarised) printout shows. */
static void for_shown(const fmt_ctx *f, int d, int64_t base, void (*fn)(const fmt_ctx *, int64_t, void *),
                      void *ud)
{
  if (d == f->ndim) {
    fn(f, base, ud);
    return;
  }
  int64_t n = f->shape[d], inner = 1;
  for (int i = d + 1; i < f->ndim; i++)
    inner *= f->shape[i];
  for (int64_t i = 0; i < n; i++) {
    if (f->summarize && n > 2 * EDGEITEMS && i >= EDGEITEMS && i < n - EDGEITEMS)
      continue;
    for_shown(f, d + 1, base + i * inner, fn, ud);
  }
}

typedef struct {
  double min_abs, max_abs;
  bool any;
  bool all_int;
} stats;

static void stat_fn(const fmt_ctx *f, int64_t i, void *ud)
{
  stats *s = ud;
  double v = f->v[i];
  if (!isfinite(v) || v == 0)
    return;
  double a = fabs(v);
  if (!s->any) {
    s->min_abs = s->max_abs = a;
    s->any = true;
  }
  s->min_abs = a < s->min_abs ? a : s->min_abs;
  s->max_abs = a > s->max_abs ? a : s->max_abs;
  if (v != ceil(v))
    s->all_int = false;
}

static void width_fn(const fmt_ctx *f, int64_t i, void *ud)
{
  int *w = ud;
  double v = f->v[i];
  if (!f->is_int && (!isfinite(v) || v == 0))
    return; /* PyTorch sizes the columns from the nonzero finite values only */
  char tmp[64];
  int n = format_raw(f, i, tmp, sizeof tmp);
  if (n > *w)
    *w = n;
}

static void setup_formatter(fmt_ctx *f)
{
  f->width = 1;
  f->int_mode = true;
  f->sci_mode = false;
  if (f->is_int) {
    for_shown(f, 0, 0, width_fn, &f->width);
    return;
  }
  stats s = {0, 0, false, true};
  for_shown(f, 0, 0, stat_fn, &s);
  if (!s.any)
    return; /* only zeros / non-finite: int_mode, width 1 (e.g. "0.") */
  f->int_mode = s.all_int;
  if (s.all_int)
    f->sci_mode = s.max_abs / s.min_abs > 1000.0 || s.max_abs > 1.0e8;
  else
    f->sci_mode = s.max_abs / s.min_abs > 1000.0 || s.max_abs > 1.0e8 || s.min_abs < 1.0e-4;
  for_shown(f, 0, 0, width_fn, &f->width);
}

static void vector_str(const fmt_ctx *f, int64_t base, int indent, sbuf *b)
{
  int64_t n = f->shape[f->ndim - 1];
  int element_length = f->width + 2;
  int per_line = (LINEWIDTH - indent) / element_length;
  if (per_line < 1)
    per_line = 1;
  sb_puts(b, "[");
  int on_line = 0;
  bool first = true;
  for (int64_t i = 0; i < n; i++) {
    bool ellipsis = false;
    if (f->summarize && n > 2 * EDGEITEMS) {
      if (i == EDGEITEMS)
        ellipsis = true;
      else if (i > EDGEITEMS && i < n - EDGEITEMS)
        continue;
    }
    if (!first) {
      if (on_line == per_line) {
        sb_puts(b, ",\n");
        sb_spaces(b, indent + 1);
        on_line = 0;
      } else {
        sb_puts(b, ", ");
      }
    }
    first = false;
    if (ellipsis)
      sb_puts(b, " ...");
    else
      format_value(f, base + i, b);
    on_line++;
  }
  sb_puts(b, "]");
}

static void tensor_str(const fmt_ctx *f, int d, int64_t base, int indent, sbuf *b)
{
  int dims_left = f->ndim - d;
  if (dims_left == 1) {
    vector_str(f, base, indent, b);
    return;
  }
  int64_t n = f->shape[d], inner = 1;
  for (int i = d + 1; i < f->ndim; i++)
    inner *= f->shape[i];
  sb_puts(b, "[");
  bool first = true;
  for (int64_t i = 0; i < n; i++) {
    bool ellipsis = false;
    if (f->summarize && n > 2 * EDGEITEMS) {
      if (i == EDGEITEMS)
        ellipsis = true;
      else if (i > EDGEITEMS && i < n - EDGEITEMS)
        continue;
    }
    if (!first) {
      sb_puts(b, ",");
      for (int k = 0; k < dims_left - 1; k++)
        sb_puts(b, "\n");
      sb_spaces(b, indent + 1);
    }
    first = false;
    if (ellipsis)
      sb_puts(b, "...");
    else
      tensor_str(f, d + 1, base + i * inner, indent + 1, b);
  }
  sb_puts(b, "]");
}

/* "log_softmax" -> "LogSoftmaxBackward0", as PyTorch names grad_fn classes. */
/* PyTorch's grad_fn class for an op, where ours is named otherwise
 * (x * 2 is MulBackward0 there, cross_entropy ends in NllLossBackward0). */
static const struct {
  const char *op, *torch;
} torch_grad_fns[] = {
  {"add_scalar", "AddBackward0"},
  {"sub_scalar", "SubBackward0"},
  {"mul_scalar", "MulBackward0"},
  {"div_scalar", "DivBackward0"},
  {"pow_scalar", "PowBackward0"},
  {"pow", "PowBackward1"},
  {"clamp", "ClampBackward1"},
  {"sum_dim", "SumBackward1"},
  {"mean_dim", "MeanBackward1"},
  {"max", "MaxBackward1"},
  {"max_dim", "MaxBackward0"},
  {"cross_entropy", "NllLossBackward0"},
  {"nll_loss", "NllLossBackward0"},
  {"mse_loss", "MseLossBackward0"},
  {"linear", "AddmmBackward0"},
  {"conv2d", "ConvolutionBackward0"},
  {"max_pool2d", "MaxPool2DWithIndicesBackward0"},
  {"avg_pool2d", "AvgPool2DBackward0"},
  {"dropout", "NativeDropoutBackward0"},
  {"reshape", "ViewBackward0"},
  {"flatten", "ViewBackward0"},
  {"contiguous", "CloneBackward0"},
  {"to", "ToCopyBackward0"},
};

void lm_grad_fn_name(const lm_node *node, char *out, size_t len)
{
  const char *op = node->op;
  if (strcmp(op, "matmul") == 0 && node->n_inputs == 2 && node->inputs[0] && node->inputs[1]) {
    int a = node->inputs[0]->ndim, b = node->inputs[1]->ndim;
    snprintf(out, len, "%s",
             a == 1 && b == 1   ? "DotBackward0"
             : a == 2 && b == 2 ? "MmBackward0"
             : a == 2 && b == 1 ? "MvBackward0"
                                : "UnsafeViewBackward0");
    return;
  }
  if (strcmp(op, "linear") == 0 && node->n_inputs == 2) { /* no bias */
    snprintf(out, len, "MmBackward0");
    return;
  }
  for (size_t i = 0; i < sizeof torch_grad_fns / sizeof torch_grad_fns[0]; i++)
    if (strcmp(op, torch_grad_fns[i].op) == 0) {
      snprintf(out, len, "%s", torch_grad_fns[i].torch);
      return;
    }
  /* the rest: relu -> ReluBackward0, log_softmax -> LogSoftmaxBackward0 */
  size_t k = 0;
  bool up = true;
  for (const char *p = op; *p && k + 12 < len; p++) {
    if (*p == '_') {
      up = true;
      continue;
    }
    char c = *p;
    if (up && c >= 'a' && c <= 'z')
      c = (char)(c - 'a' + 'A');
    out[k++] = c;
    up = false;
  }
  snprintf(out + k, len - k, "Backward0");
}

static void add_suffix(sbuf *b, const char *suffix, int indent, size_t *last_line_len)
{
  size_t n = strlen(suffix);
  if (*last_line_len + n + 2 > LINEWIDTH) {
    sb_puts(b, ",\n");
    sb_spaces(b, indent);
    sb_puts(b, suffix);
    *last_line_len = (size_t)indent + n;
  } else {
    sb_puts(b, ", ");
    sb_puts(b, suffix);
    *last_line_len += n + 2;
  }
}

char *lm_tensor_to_string(const lm_tensor *t)
{
  sbuf b = {0};
  if (!t) {
    sb_puts(&b, "tensor(NULL)");
    return b.s;
  }
  const char *prefix = "tensor(";
  int indent = (int)strlen(prefix);
  sb_puts(&b, prefix);
  int64_t n = lm_numel(t);
  if (n == 0) {
    sb_puts(&b, "[]");
  } else {
    double *v = malloc((size_t)n * sizeof(double));
    int64_t *iv = malloc((size_t)n * sizeof(int64_t));
    lm_tensor *c = lm_contiguous_owned(t);
    if (!v || !iv || !c) {
      sb_puts(&b, "<out of memory>");
    } else {
      const lm_backend *be = lm_backend_of(c->device);
      if (t->dtype == LM_INT64) {
        be->copy_to_host(c->device.index, iv, lm_data_ptr(c), (size_t)n * sizeof(int64_t));
        for (int64_t i = 0; i < n; i++)
          v[i] = (double)iv[i];
      } else {
        float *fv = (float *)iv; /* 8 bytes per element: room for the floats */
        be->copy_to_host(c->device.index, fv, lm_data_ptr(c), (size_t)n * sizeof(float));
        for (int64_t i = 0; i < n; i++)
          v[i] = fv[i];
      }
      fmt_ctx f = {
        .is_int = t->dtype == LM_INT64, .v = v, .iv = iv, .shape = t->shape, .ndim = t->ndim,
        .summarize = n > THRESHOLD,
      };
      setup_formatter(&f);
      if (t->ndim == 0)
        format_value(&f, 0, &b);
      else
        tensor_str(&f, 0, 0, indent, &b);
    }
    free(v);
    free(iv);
    lm_tensor_release(c);
  }
  const char *nl = b.s ? strrchr(b.s, '\n') : NULL;
  size_t last_line_len = nl ? (size_t)(b.s + b.len - nl) + 1 : b.len + 2;
  char suffix[LM_SHAPE_STR_LEN + 32];
  size_t k = (size_t)snprintf(suffix, sizeof suffix, "shape=(");
  for (int i = 0; i < t->ndim && k < sizeof suffix; i++)
    k += (size_t)snprintf(suffix + k, sizeof suffix - k, i ? ", %lld" : "%lld", (long long)t->shape[i]);
  if (k < sizeof suffix)
    snprintf(suffix + k, sizeof suffix - k, t->ndim == 1 ? ",)" : ")");
  add_suffix(&b, suffix, indent, &last_line_len);
  snprintf(suffix, sizeof suffix, "dtype=%s", lm_dtype_name(t->dtype));
  add_suffix(&b, suffix, indent, &last_line_len);
  char dev[32];
  lm_device_name(t->device, dev, sizeof dev);
  snprintf(suffix, sizeof suffix, "device=%s", dev);
  add_suffix(&b, suffix, indent, &last_line_len);
  if (t->grad_fn) {
    char name[96];
    lm_grad_fn_name(t->grad_fn, name, sizeof name);
    snprintf(suffix, sizeof suffix, "grad_fn=<%s>", name);
    add_suffix(&b, suffix, indent, &last_line_len);
  } else if (t->requires_grad) {
    add_suffix(&b, "requires_grad=True", indent, &last_line_len);
  }
  sb_puts(&b, ")");
  return b.s;
}

void lm_tensor_print(const lm_tensor *t, FILE *out)
{
  char *s = lm_tensor_to_string(t);
  if (s) {
    fprintf(out ? out : stdout, "%s\n", s);
    free(s);
  }
}
