/* models.c: the tutorial models of the engine issue, built from nn modules.
 *
 * Both are nn.Sequential containers, so their parameter names are the ones
 * PyTorch gives the same Sequential ("1.weight", "10.bias"), which is what
 * makes a checkpoint loadable into the PyTorch twin of the model.
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

lm_module *lm_model_by_name(const char *name, char **error)
{
  if (name && strcmp(name, "mlp") == 0)
    return lm_model_mlp();
  if (name && strcmp(name, "cnn") == 0)
    return lm_model_cnn();
  lm_train_set_error(error, "unknown model '%s': expected 'mlp' or 'cnn'", name ? name : "(null)");
  return NULL;
}
