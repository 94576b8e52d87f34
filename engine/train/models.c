/* models.c: the tutorial models of the engine issue, built from nn modules,
 * and the models of PyTorch's and Keras' MNIST examples.
 *
 * All are nn.Sequential containers, so their parameter names are the ones
 * PyTorch gives the same Sequential ("1.weight", "10.bias"), or, with named
 * children, the example's own module ("conv1.weight"), which is what makes a
 * checkpoint loadable into the PyTorch twin of the model.
 *
 * Not here: training (fit.c), saving (checkpoint.c).
 */
#include "lumen-train.h"
#include "train/lm-train-private.h"

#include <string.h>

lm_module *lm_model_mlp_ex(int64_t in_features, int64_t hidden, int64_t classes)
{
  return LM_SEQUENTIAL(lm_nn_flatten(),
                       lm_nn_linear(in_features, hidden),
                       lm_nn_relu(),
                       lm_nn_linear(hidden, classes));
}

lm_module *lm_model_mlp(void)
{
  return lm_model_mlp_ex(784, 128, 10);
}

lm_module *lm_model_cnn(void)
{
  return LM_SEQUENTIAL(lm_nn_conv2d(1, 32, 3, 1, 1), lm_nn_relu(), lm_nn_max_pool2d(2, 0, 0),
                       lm_nn_conv2d(32, 64, 3, 1, 1), lm_nn_relu(), lm_nn_max_pool2d(2, 0, 0),
                       lm_nn_flatten(),
                       lm_nn_linear(3136, 128), lm_nn_relu(), lm_nn_dropout(0.5f),
                       lm_nn_linear(128, 10));
}

/* Sequential(OrderedDict(...)): a child named as the example names it */
static bool add(lm_module *seq, const char *name, lm_module *child)
{
  return seq && lm_module_add(seq, name, child);
}

lm_module *lm_model_mnist_net(void)
{
  lm_module *m = lm_nn_sequential_new();
  if (add(m, "conv1", lm_nn_conv2d(1, 32, 3, 1, 0)) && add(m, "relu1", lm_nn_relu()) &&
      add(m, "conv2", lm_nn_conv2d(32, 64, 3, 1, 0)) && add(m, "relu2", lm_nn_relu()) &&
      add(m, "max_pool2d", lm_nn_max_pool2d(2, 0, 0)) && add(m, "dropout1", lm_nn_dropout(0.25f)) &&
      add(m, "flatten", lm_nn_flatten()) && add(m, "fc1", lm_nn_linear(9216, 128)) &&
      add(m, "relu3", lm_nn_relu()) && add(m, "dropout2", lm_nn_dropout(0.5f)) &&
      add(m, "fc2", lm_nn_linear(128, 10)) && add(m, "log_softmax", lm_nn_log_softmax(1)))
    return m;
  lm_module_free(m);
  return NULL;
}

/* Keras' defaults: glorot_uniform kernels, zero biases */
static bool keras_init(lm_module *m, const char *layer)
{
  char name[64];
  snprintf(name, sizeof name, "%s.weight", layer);
  lm_tensor *w = lm_module_parameter(m, name);
  snprintf(name, sizeof name, "%s.bias", layer);
  lm_tensor *b = lm_module_parameter(m, name);
  return w && b && lm_nn_init_xavier_uniform(w, 1.0) && lm_nn_init_zeros(b);
}

lm_module *lm_model_keras_convnet(void)
{
  lm_module *m = lm_nn_sequential_new();
  if (add(m, "conv2d", lm_nn_conv2d(1, 32, 3, 1, 0)) && add(m, "relu", lm_nn_relu()) &&
      add(m, "max_pooling2d", lm_nn_max_pool2d(2, 0, 0)) &&
      add(m, "conv2d_1", lm_nn_conv2d(32, 64, 3, 1, 0)) && add(m, "relu_1", lm_nn_relu()) &&
      add(m, "max_pooling2d_1", lm_nn_max_pool2d(2, 0, 0)) && add(m, "flatten", lm_nn_flatten()) &&
      add(m, "dropout", lm_nn_dropout(0.5f)) && add(m, "dense", lm_nn_linear(1600, 10)) &&
      add(m, "softmax", lm_nn_softmax(1)) && keras_init(m, "conv2d") &&
      keras_init(m, "conv2d_1") && keras_init(m, "dense"))
    return m;
  lm_module_free(m);
  return NULL;
}

/* The models by name, each with the loss its output takes */
static const struct {
  const char *name;
  lm_module *(*make)(void);
  lm_loss_kind loss;
} models[] = {
  { "mlp", lm_model_mlp, LM_LOSS_CROSS_ENTROPY },
  { "cnn", lm_model_cnn, LM_LOSS_CROSS_ENTROPY },
  { "net", lm_model_mnist_net, LM_LOSS_NLL },
  { "mnist-net", lm_model_mnist_net, LM_LOSS_NLL },
  { "keras-cnn", lm_model_keras_convnet, LM_LOSS_CATEGORICAL_CROSSENTROPY },
};

static int model_index(const char *name)
{
  for (size_t i = 0; name && i < sizeof models / sizeof models[0]; i++)
    if (strcmp(name, models[i].name) == 0)
      return (int)i;
  return -1;
}

lm_module *lm_model_by_name(const char *name, char **error)
{
  int i = model_index(name);
  if (i >= 0)
    return models[i].make();
  lm_train_set_error(error, "unknown model '%s': expected 'mlp', 'cnn', 'net' or 'keras-cnn'",
                     name ? name : "(null)");
  return NULL;
}

lm_loss_kind lm_model_loss(const char *name)
{
  int i = model_index(name);
  return i >= 0 ? models[i].loss : LM_LOSS_CROSS_ENTROPY;
}
