/* layers.c: the layer types of lumen-nn.h (Linear, Conv2d, MaxPool2d,
 * AvgPool2d, ReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax, Dropout,
 * Flatten): their
 * constructors with PyTorch's defaults and initialisation, their forward
 * (one functional op each) and how print(model) shows them.
 *
 * Not here: the tree, names and modes (module.c); the ops themselves
 * (engine/ops/).
 */
#include "lm-nn-private.h"

#include <math.h>

/* iargs of each class */
enum { LIN_IN, LIN_OUT };
enum { CONV_IN, CONV_OUT, CONV_KH, CONV_KW, CONV_SH, CONV_SW, CONV_PH, CONV_PW };
enum { POOL_KH, POOL_KW, POOL_SH, POOL_SW, POOL_PH, POOL_PW, POOL_CEIL, POOL_EXCL };
/* AvgPool2d's divisor_override (0: None) is kept in fargs[0]: iargs is full */
enum { FLAT_START, FLAT_END };
enum { SOFTMAX_DIM };
/* Conv dilation lives in fargs (iargs are full): fargs[0] = dh, fargs[1] = dw. */

static bool positive(const char *type, const char *what, int64_t a, int64_t b)
{
  if (a > 0 && b > 0)
    return true;
  lm_error("%s: %s must be positive, got %lld and %lld", type, what, (long long)a, (long long)b);
  return false;
}

/* ---- Linear ---- */

static lm_tensor *linear_forward(lm_module *m, const lm_tensor *x)
{
  return lm_linear(x, m->params[0], m->n_params > 1 ? m->params[1] : NULL);
}

static void linear_repr(const lm_module *m, char *buf, size_t len)
{
  snprintf(buf, len, "in_features=%lld, out_features=%lld, bias=%s",
           (long long)m->iargs[LIN_IN], (long long)m->iargs[LIN_OUT],
           m->n_params > 1 ? "True" : "False");
}

static const lm_module_class linear_class = {
  .type = "Linear", .forward = linear_forward, .extra_repr = linear_repr,
};

lm_module *lm_nn_linear_ex(int64_t in_features, int64_t out_features, bool bias)
{
  if (!positive("Linear", "in_features and out_features", in_features, out_features))
    return NULL;
  lm_module *m = lm_nn_module_new(&linear_class);
  if (!m)
    return NULL;
  m->iargs[LIN_IN] = in_features;
  m->iargs[LIN_OUT] = out_features;
  float bound = 1.0f / sqrtf((float)in_features);
  if (!lm_nn_add_param(m, "weight", 2, (int64_t[]){out_features, in_features}, bound) ||
      (bias && !lm_nn_add_param(m, "bias", 1, (int64_t[]){out_features}, bound))) {
    lm_module_free(m);
    return NULL;
  }
  return m;
}

lm_module *lm_nn_linear(int64_t in_features, int64_t out_features)
{
  return lm_nn_linear_ex(in_features, out_features, true);
}

/* ---- Conv2d ---- */

static lm_tensor *conv2d_forward(lm_module *m, const lm_tensor *x)
{
  const int64_t *a = m->iargs;
  return lm_conv2d(x, m->params[0], m->n_params > 1 ? m->params[1] : NULL, (int)a[CONV_SH],
                   (int)a[CONV_SW], (int)a[CONV_PH], (int)a[CONV_PW], (int)m->fargs[0],
                   (int)m->fargs[1]);
}

static void conv2d_repr(const lm_module *m, char *buf, size_t len)
{
  const int64_t *a = m->iargs;
  int n = snprintf(buf, len, "%lld, %lld, kernel_size=(%lld, %lld), stride=(%lld, %lld)",
                   (long long)a[CONV_IN], (long long)a[CONV_OUT], (long long)a[CONV_KH],
                   (long long)a[CONV_KW], (long long)a[CONV_SH], (long long)a[CONV_SW]);
  /* Like PyTorch: padding and dilation only when not the default. */
  if (n > 0 && (size_t)n < len && (a[CONV_PH] || a[CONV_PW]))
    n += snprintf(buf + n, len - (size_t)n, ", padding=(%lld, %lld)", (long long)a[CONV_PH],
                  (long long)a[CONV_PW]);
  if (n > 0 && (size_t)n < len && (m->fargs[0] != 1 || m->fargs[1] != 1))
    n += snprintf(buf + n, len - (size_t)n, ", dilation=(%d, %d)", (int)m->fargs[0],
                  (int)m->fargs[1]);
  if (n > 0 && (size_t)n < len && m->n_params < 2)
    snprintf(buf + n, len - (size_t)n, ", bias=False");
}

static const lm_module_class conv2d_class = {
  .type = "Conv2d", .forward = conv2d_forward, .extra_repr = conv2d_repr,
};

lm_module *lm_nn_conv2d_ex(int64_t in_channels, int64_t out_channels, int kernel_h,
                           int kernel_w, const lm_conv2d_options *o)
{
  lm_conv2d_options d = {0};
  if (!o)
    o = &d;
  int sh = o->stride_h ? o->stride_h : 1, sw = o->stride_w ? o->stride_w : 1;
  int dh = o->dilation_h ? o->dilation_h : 1, dw = o->dilation_w ? o->dilation_w : 1;
  if (!positive("Conv2d", "in_channels and out_channels", in_channels, out_channels) ||
      !positive("Conv2d", "kernel sizes", kernel_h, kernel_w) ||
      !positive("Conv2d", "strides", sh, sw) || !positive("Conv2d", "dilations", dh, dw))
    return NULL;
  if (o->padding_h < 0 || o->padding_w < 0) {
    lm_error("Conv2d: padding must be non-negative, got (%d, %d)", o->padding_h, o->padding_w);
    return NULL;
  }
  lm_module *m = lm_nn_module_new(&conv2d_class);
  if (!m)
    return NULL;
  int64_t *a = m->iargs;
  a[CONV_IN] = in_channels;
  a[CONV_OUT] = out_channels;
  a[CONV_KH] = kernel_h;
  a[CONV_KW] = kernel_w;
  a[CONV_SH] = sh;
  a[CONV_SW] = sw;
  a[CONV_PH] = o->padding_h;
  a[CONV_PW] = o->padding_w;
  m->fargs[0] = dh;
  m->fargs[1] = dw;
  int64_t fan_in = in_channels * kernel_h * kernel_w;
  float bound = 1.0f / sqrtf((float)fan_in);
  if (!lm_nn_add_param(m, "weight", 4,
                       (int64_t[]){out_channels, in_channels, kernel_h, kernel_w}, bound) ||
      (!o->no_bias && !lm_nn_add_param(m, "bias", 1, (int64_t[]){out_channels}, bound))) {
    lm_module_free(m);
    return NULL;
  }
  return m;
}

lm_module *lm_nn_conv2d(int64_t in_channels, int64_t out_channels, int kernel_size, int stride,
                        int padding)
{
  if (stride <= 0) {
    lm_error("Conv2d: stride must be positive, got %d", stride);
    return NULL;
  }
  lm_conv2d_options o = {.stride_h = stride, .stride_w = stride, .padding_h = padding,
                         .padding_w = padding};
  return lm_nn_conv2d_ex(in_channels, out_channels, kernel_size, kernel_size, &o);
}

/* ---- pooling ---- */

static lm_tensor *max_pool_forward(lm_module *m, const lm_tensor *x)
{
  const int64_t *a = m->iargs;
  return lm_max_pool2d_ex(x, (int)a[POOL_KH], (int)a[POOL_KW], (int)a[POOL_SH], (int)a[POOL_SW],
                          (int)a[POOL_PH], (int)a[POOL_PW], a[POOL_CEIL] != 0);
}

static lm_tensor *avg_pool_forward(lm_module *m, const lm_tensor *x)
{
  const int64_t *a = m->iargs;
  const lm_pool2d_options o = {
    .stride_h = (int)a[POOL_SH], .stride_w = (int)a[POOL_SW], .padding_h = (int)a[POOL_PH],
    .padding_w = (int)a[POOL_PW], .ceil_mode = a[POOL_CEIL] != 0,
    .no_count_include_pad = a[POOL_EXCL] != 0, .divisor_override = (int)m->fargs[0]};
  return lm_avg_pool2d_opts(x, (int)a[POOL_KH], (int)a[POOL_KW], &o);
}

/* "name=v" for a square pair, "name=(h, w)" otherwise, as PyTorch prints an
 * int or a tuple argument. Appends at *n. */
static void repr_pair(char *buf, size_t len, int *n, const char *name, int64_t h, int64_t w)
{
  if (*n < 0 || (size_t)*n >= len)
    return;
  int k = h == w ? snprintf(buf + *n, len - (size_t)*n, "%s%s=%lld", *n ? ", " : "", name,
                            (long long)h)
                 : snprintf(buf + *n, len - (size_t)*n, "%s%s=(%lld, %lld)", *n ? ", " : "",
                            name, (long long)h, (long long)w);
  *n = k < 0 ? k : *n + k;
}

/* kernel_size, stride, padding: all AvgPool2d prints */
static int pool_repr(const lm_module *m, char *buf, size_t len)
{
  const int64_t *a = m->iargs;
  int n = 0;
  if (len)
    buf[0] = '\0';
  repr_pair(buf, len, &n, "kernel_size", a[POOL_KH], a[POOL_KW]);
  repr_pair(buf, len, &n, "stride", a[POOL_SH], a[POOL_SW]);
  repr_pair(buf, len, &n, "padding", a[POOL_PH], a[POOL_PW]);
  return n;
}

static void max_pool_repr(const lm_module *m, char *buf, size_t len)
{
  int n = pool_repr(m, buf, len);
  if (n > 0 && (size_t)n < len)
    snprintf(buf + n, len - (size_t)n, ", dilation=1, ceil_mode=%s",
             m->iargs[POOL_CEIL] ? "True" : "False");
}

static void avg_pool_repr(const lm_module *m, char *buf, size_t len)
{
  pool_repr(m, buf, len);
}

static const lm_module_class max_pool_class = {
  .type = "MaxPool2d", .forward = max_pool_forward, .extra_repr = max_pool_repr,
};
static const lm_module_class avg_pool_class = {
  .type = "AvgPool2d", .forward = avg_pool_forward, .extra_repr = avg_pool_repr,
};

static lm_module *pool_new(const lm_module_class *k, int kh, int kw, const lm_pool2d_options *o)
{
  lm_pool2d_options d = {0};
  if (!o)
    o = &d;
  int sh = o->stride_h ? o->stride_h : kh, sw = o->stride_w ? o->stride_w : kw; /* stride=None */
  int ph = o->padding_h, pw = o->padding_w;
  if (kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || ph < 0 || pw < 0) {
    if (kh == kw && sh == sw && ph == pw)
      lm_error("%s: kernel_size (%d) and stride (%d) must be positive and padding (%d) "
               "non-negative", k->type, kh, sh, ph);
    else
      lm_error("%s: kernel_size (%d, %d) and stride (%d, %d) must be positive and padding "
               "(%d, %d) non-negative", k->type, kh, kw, sh, sw, ph, pw);
    return NULL;
  }
  if (ph > kh / 2 || pw > kw / 2) {
    if (kh == kw && ph == pw)
      lm_error("%s: pad should be at most half of kernel size, but got pad=%d and "
               "kernel_size=%d", k->type, ph, kh);
    else
      lm_error("%s: pad should be at most half of kernel size, but got pad=(%d, %d) and "
               "kernel_size=(%d, %d)", k->type, ph, pw, kh, kw);
    return NULL;
  }
  lm_module *m = lm_nn_module_new(k);
  if (m) {
    int64_t *a = m->iargs;
    a[POOL_KH] = kh;
    a[POOL_KW] = kw;
    a[POOL_SH] = sh;
    a[POOL_SW] = sw;
    a[POOL_PH] = ph;
    a[POOL_PW] = pw;
    a[POOL_CEIL] = o->ceil_mode;
    a[POOL_EXCL] = k == &avg_pool_class && o->no_count_include_pad;
    m->fargs[0] = k == &avg_pool_class ? o->divisor_override : 0;
  }
  return m;
}

lm_module *lm_nn_max_pool2d_ex(int kernel_h, int kernel_w, const lm_pool2d_options *options)
{
  return pool_new(&max_pool_class, kernel_h, kernel_w, options);
}

lm_module *lm_nn_avg_pool2d_ex(int kernel_h, int kernel_w, const lm_pool2d_options *options)
{
  return pool_new(&avg_pool_class, kernel_h, kernel_w, options);
}

lm_module *lm_nn_max_pool2d(int kernel_size, int stride, int padding)
{
  lm_pool2d_options o = {.stride_h = stride, .stride_w = stride, .padding_h = padding,
                         .padding_w = padding};
  return pool_new(&max_pool_class, kernel_size, kernel_size, &o);
}

lm_module *lm_nn_avg_pool2d(int kernel_size, int stride, int padding)
{
  lm_pool2d_options o = {.stride_h = stride, .stride_w = stride, .padding_h = padding,
                         .padding_w = padding};
  return pool_new(&avg_pool_class, kernel_size, kernel_size, &o);
}

/* ---- activations ---- */

static lm_tensor *relu_forward(lm_module *m, const lm_tensor *x) { return lm_relu(x); }
static lm_tensor *sigmoid_forward(lm_module *m, const lm_tensor *x) { return lm_sigmoid(x); }
static lm_tensor *tanh_forward(lm_module *m, const lm_tensor *x) { return lm_tanh(x); }
static lm_tensor *gelu_forward(lm_module *m, const lm_tensor *x) { return lm_gelu(x); }

static void gelu_repr(const lm_module *m, char *buf, size_t len)
{
  snprintf(buf, len, "approximate='none'");
}

static const lm_module_class relu_class = {.type = "ReLU", .forward = relu_forward};
static const lm_module_class sigmoid_class = {.type = "Sigmoid", .forward = sigmoid_forward};
static const lm_module_class tanh_class = {.type = "Tanh", .forward = tanh_forward};
static const lm_module_class gelu_class = {
  .type = "GELU", .forward = gelu_forward, .extra_repr = gelu_repr,
};

lm_module *lm_nn_relu(void) { return lm_nn_module_new(&relu_class); }
lm_module *lm_nn_sigmoid(void) { return lm_nn_module_new(&sigmoid_class); }
lm_module *lm_nn_tanh(void) { return lm_nn_module_new(&tanh_class); }
lm_module *lm_nn_gelu(void) { return lm_nn_module_new(&gelu_class); }

/* ---- Softmax, LogSoftmax ---- */

static lm_tensor *softmax_forward(lm_module *m, const lm_tensor *x)
{
  return lm_softmax(x, (int)m->iargs[SOFTMAX_DIM]);
}

static lm_tensor *log_softmax_forward(lm_module *m, const lm_tensor *x)
{
  return lm_log_softmax(x, (int)m->iargs[SOFTMAX_DIM]);
}

static void softmax_repr(const lm_module *m, char *buf, size_t len)
{
  snprintf(buf, len, "dim=%d", (int)m->iargs[SOFTMAX_DIM]);
}

static const lm_module_class softmax_class = {
  .type = "Softmax", .forward = softmax_forward, .extra_repr = softmax_repr,
};
static const lm_module_class log_softmax_class = {
  .type = "LogSoftmax", .forward = log_softmax_forward, .extra_repr = softmax_repr,
};

static lm_module *softmax_new(const lm_module_class *k, int dim)
{
  lm_module *m = lm_nn_module_new(k);
  if (m)
    m->iargs[SOFTMAX_DIM] = dim;
  return m;
}

lm_module *lm_nn_softmax(int dim) { return softmax_new(&softmax_class, dim); }
lm_module *lm_nn_log_softmax(int dim) { return softmax_new(&log_softmax_class, dim); }

/* ---- Dropout ---- */

static lm_tensor *dropout_forward(lm_module *m, const lm_tensor *x)
{
  return lm_dropout(x, (float)m->fargs[0], m->training);
}

static void dropout_repr(const lm_module *m, char *buf, size_t len)
{
  snprintf(buf, len, "p=%g, inplace=False", m->fargs[0]);
}

static const lm_module_class dropout_class = {
  .type = "Dropout", .forward = dropout_forward, .extra_repr = dropout_repr,
};

lm_module *lm_nn_dropout(float p)
{
  if (!(p >= 0.0f && p <= 1.0f)) {
    lm_error("Dropout: dropout probability has to be between 0 and 1, but got %g", (double)p);
    return NULL;
  }
  lm_module *m = lm_nn_module_new(&dropout_class);
  if (m)
    m->fargs[0] = p;
  return m;
}

/* ---- Flatten ---- */

static lm_tensor *flatten_forward(lm_module *m, const lm_tensor *x)
{
  return lm_flatten(x, (int)m->iargs[FLAT_START], (int)m->iargs[FLAT_END]);
}

static void flatten_repr(const lm_module *m, char *buf, size_t len)
{
  snprintf(buf, len, "start_dim=%d, end_dim=%d", (int)m->iargs[FLAT_START],
           (int)m->iargs[FLAT_END]);
}

static const lm_module_class flatten_class = {
  .type = "Flatten", .forward = flatten_forward, .extra_repr = flatten_repr,
};

lm_module *lm_nn_flatten_ex(int start_dim, int end_dim)
{
  lm_module *m = lm_nn_module_new(&flatten_class);
  if (m) {
    m->iargs[FLAT_START] = start_dim;
    m->iargs[FLAT_END] = end_dim;
  }
  return m;
}

lm_module *lm_nn_flatten(void)
{
  return lm_nn_flatten_ex(1, -1);
}
