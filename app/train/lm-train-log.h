/* lm-train-log.h: the glue between the engine and the logging library.
 *
 * lumen-log knows nothing of tensors and the engine knows nothing of run
 * files (DESIGN.md); these few functions turn engine objects into lumen-log
 * records: the autograd graph (through the engine's graph walk), histograms
 * of parameters and gradients, a grid of sample images with predicted and
 * true labels, the model's printout. lumen-train uses them, and so can any
 * C program that links lumen-train-log (it depends on both libraries; neither
 * library depends on it).
 *
 * Tags follow what TensorBoard users see from PyTorch scripts:
 *   parameters/<name>, gradients/<name>   histograms ("0.weight")
 *   samples                               image grid, labels per cell
 *   model/structure                       text: print(model)
 */
#pragma once

#include <stdint.h>

#include "lumen-log.h"
#include "lumen-train.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Builds the graph behind root (usually the loss): one node per recorded op
 * (op name, module path such as "features.3", output shape, dtype, device),
 * one "parameter" node per leaf that is a parameter of model (named by its
 * parameter name, "features.0.weight", module "features.0"), one "input"
 * node per other leaf ("input", or "target" for integer labels), and an edge
 * for every op input. model may be NULL (then every leaf is an input).
 * Returns NULL when out of memory. Free with lm_graph_free(). */
lm_graph *lm_train_build_graph(const lm_tensor *root, const lm_module *model, const char *name);

/* Builds and logs that graph; *graph_id (may be NULL) gets its id. */
int lm_train_log_graph(lm_writer *w, int64_t step, const char *name, const lm_tensor *root,
                       const lm_module *model, int64_t *graph_id);

/* A histogram of every parameter ("parameters/<name>") and, where it has
 * one, of its gradient ("gradients/<name>"). Returns the first error. */
int lm_train_log_histograms(lm_writer *w, int64_t step, const lm_module *model,
                            bool parameters, bool gradients);

/* n images of ds (by index) as one grid image under tag, 8 per row, each
 * cell labelled "pred <class> / true <class>" (pred may be NULL: true labels
 * only). class_names may be NULL (class numbers are used). */
int lm_train_log_image_grid(lm_writer *w, const char *tag, int64_t step, const lm_dataset *ds,
                            const int64_t *indices, int n, const int64_t *pred,
                            const char *const *class_names, int num_class_names);

/* TensorBoard's Fashion-MNIST tutorial's PR curves: for each class c, a
 * curve "pr/<class name>" of the softmax probability of c (from logits
 * (N, classes), one row per example of ds) against label == c, with
 * add_pr_curve's 127 thresholds.  class_names may be NULL (class numbers
 * are used).  Returns the first error. */
int lm_train_log_pr_curves(lm_writer *w, int64_t step, const lm_tensor *logits, const lm_dataset *ds,
                           const char *const *class_names, int num_class_names);

/* SummaryWriter.add_embedding as PyTorch's TensorBoard tutorial calls it:
 * n images of ds (by index) with their raw pixels scaled to [0, 1] as the
 * features (c x h x w of them), two metadata columns, "label" (their
 * class names, or numbers) and "index" (their index in ds, as
 * metadata_header=["label", "index"]), and the images themselves as
 * thumbnails. */
int lm_train_log_embedding(lm_writer *w, const char *tag, int64_t step, const lm_dataset *ds,
                           const int64_t *indices, int n, const char *const *class_names,
                           int num_class_names);

/* print(model) as a text record (in a Markdown code block). */
int lm_train_log_model_text(lm_writer *w, const char *tag, int64_t step, const lm_module *model);

/* The label text of one grid cell: "pred Bag / true Coat". */
void lm_train_cell_label(char *buf, size_t len, int64_t pred, int64_t truth,
                         const char *const *class_names, int num_class_names);

#ifdef __cplusplus
}
#endif
