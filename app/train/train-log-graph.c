/* train-log-graph.c: the engine's autograd graph as an lm_graph.
 *
 * The engine lists the nodes behind a tensor in topological order with
 * their op, module path and output shape (lm_graph_nodes); their inputs are
 * either other nodes' outputs (an edge) or leaves. Leaves get nodes of their
 * own here so the graph view can show where parameters enter: a leaf that
 * is one of the model's parameters becomes op "parameter" named like
 * "features.0.weight" in module "features.0"; any other leaf is the data
 * ("input", or "target" for integer class labels). Leaf ids are numbered
 * after the largest op id, so they never collide with op nodes.
 *
 * Not here: writing anything but the graph (train-log.c).
 */
#include "lm-train-log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const lm_tensor *tensor;
  int64_t id;
} leaf_entry;

static int64_t leaf_id(leaf_entry **leaves, size_t *n, size_t *cap, const lm_tensor *t,
                       int64_t next_id, bool *is_new)
{
  for (size_t i = 0; i < *n; i++)
    if ((*leaves)[i].tensor == t) {
      *is_new = false;
      return (*leaves)[i].id;
    }
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 16;
    leaf_entry *nl = realloc(*leaves, nc * sizeof *nl);
    if (!nl)
      return -1;
    *leaves = nl;
    *cap = nc;
  }
  (*leaves)[*n] = (leaf_entry){ t, next_id };
  (*n)++;
  *is_new = true;
  return next_id;
}

lm_graph *lm_train_build_graph(const lm_tensor *root, const lm_module *model, const char *name)
{
  lm_graph *g = NULL;
  if (!root || lm_graph_new(&g, name ? name : "train_step") != LM_OK)
    return NULL;
  const lm_node **nodes = NULL;
  size_t nn = lm_graph_nodes(root, &nodes);
  lm_named_tensor *params = NULL;
  size_t np = model ? lm_module_named_parameters(model, &params) : 0;
  leaf_entry *leaves = NULL;
  size_t nleaves = 0, cap = 0;
  bool ok = true;
  char dev[32];

  int64_t next_id = 0;
  for (size_t i = 0; i < nn; i++)
    if ((int64_t)lm_node_id(nodes[i]) >= next_id)
      next_id = (int64_t)lm_node_id(nodes[i]) + 1;

  int inputs_named = 0;
  for (size_t i = 0; ok && i < nn; i++) {
    const lm_node *n = nodes[i];
    lm_device_name(lm_node_device(n), dev, sizeof dev);
    lm_graph_node gn = {
      .id = (int64_t)lm_node_id(n), .op = lm_node_op(n), .name = lm_node_op(n),
      .module = lm_node_module(n), .shape = lm_node_shape(n), .ndim = lm_node_ndim(n),
      .dtype = lm_dtype_name(lm_node_dtype(n)), .device = dev,
    };
    ok = lm_graph_add_node(g, &gn) == LM_OK;
    for (int k = 0; ok && k < lm_node_num_inputs(n); k++) {
      const lm_tensor *in = lm_node_input(n, k);
      if (!in)
        continue;
      int64_t src;
      if (in->grad_fn) {
        src = (int64_t)lm_node_id(in->grad_fn);
      } else {
        bool is_new = false;
        src = leaf_id(&leaves, &nleaves, &cap, in, next_id, &is_new);
        if (src < 0) {
          ok = false;
          break;
        }
        if (is_new) {
          next_id++;
          const char *pname = NULL;
          for (size_t p = 0; p < np && !pname; p++)
            if (params[p].tensor == in)
              pname = params[p].name;
          char label[64], module[256] = "";
          if (pname) {
            const char *dot = strrchr(pname, '.');
            size_t ml = dot ? (size_t)(dot - pname) : 0;
            if (ml >= sizeof module)
              ml = sizeof module - 1;
            memcpy(module, pname, ml);
            module[ml] = '\0';
          } else if (in->dtype == LM_INT64) {
            snprintf(label, sizeof label, "target");
          } else {
            inputs_named++;
            if (inputs_named == 1)
              snprintf(label, sizeof label, "input");
            else
              snprintf(label, sizeof label, "input_%d", inputs_named);
          }
          char ldev[32];
          lm_device_name(in->device, ldev, sizeof ldev);
          lm_graph_node ln = {
            .id = src, .op = pname ? "parameter" : "input", .name = pname ? pname : label,
            .module = module, .shape = in->shape, .ndim = in->ndim,
            .dtype = lm_dtype_name(in->dtype), .device = ldev,
          };
          ok = lm_graph_add_node(g, &ln) == LM_OK;
        }
      }
      ok = ok && lm_graph_add_edge(g, src, (int64_t)lm_node_id(n), k) == LM_OK;
    }
  }
  free(leaves);
  free(params);
  free(nodes);
  if (!ok) {
    lm_graph_free(g);
    return NULL;
  }
  return g;
}

int lm_train_log_graph(lm_writer *w, int64_t step, const char *name, const lm_tensor *root,
                       const lm_module *model, int64_t *graph_id)
{
  lm_graph *g = lm_train_build_graph(root, model, name);
  if (!g)
    return LM_ERR_NOMEM;
  int rc = lm_writer_add_graph(w, step, g, graph_id);
  lm_graph_free(g);
  return rc;
}
