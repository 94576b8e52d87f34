/* graph-fixture.c: in-memory graphs for the graph-view tests and bench
 * (see graph-fixture.h). */
#include "graph-fixture.h"

#include <string.h>

struct GraphFixture
{
  LmGraphData *g;
  GArray *nodes, *edges;
};

GraphFixture *
graph_fixture_begin (const char *name)
{
  GraphFixture *f = g_new0 (GraphFixture, 1);

  f->g = g_new0 (LmGraphData, 1);
  f->g->name = g_strdup (name);
  f->g->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  f->nodes = g_array_new (FALSE, TRUE, sizeof (LmGraphDataNode));
  f->edges = g_array_new (FALSE, TRUE, sizeof (LmGraphDataEdge));
  return f;
}

void
graph_fixture_node (GraphFixture *f, gint64 id, const char *op, const char *name, const char *module,
                    int ndim, const gint64 *shape)
{
  LmGraphDataNode n = { .id = id, .ndim = ndim, .numel = ndim < 0 ? -1 : 1 };

  n.op = g_strdup (op);
  n.name = g_strdup (name ? name : op);
  n.module = g_strdup (module ? module : "");
  n.dtype = g_strdup ("float32");
  n.device = g_strdup ("cpu");
  for (int d = 0; d < ndim && d < LM_GRAPH_DATA_MAX_DIMS; d++)
    {
      n.shape[d] = shape[d];
      n.numel *= shape[d];
    }
  g_array_append_val (f->nodes, n);
}

void
graph_fixture_edge (GraphFixture *f, gint64 src, gint64 dst, int slot)
{
  LmGraphDataEdge e = { src, dst, slot };

  g_array_append_val (f->edges, e);
}

LmGraphData *
graph_fixture_end (GraphFixture *f)
{
  LmGraphData *g = f->g;

  g->n_nodes = f->nodes->len;
  g->nodes = (LmGraphDataNode *) g_array_free (f->nodes, FALSE);
  g->n_edges = f->edges->len;
  g->edges = (LmGraphDataEdge *) g_array_free (f->edges, FALSE);
  for (gsize i = 0; i < g->n_nodes; i++)
    g_hash_table_insert (g->by_id, g_memdup2 (&g->nodes[i].id, sizeof (gint64)), GSIZE_TO_POINTER (i + 1));
  g_free (f);
  return g;
}

LmGraphData *
graph_fixture_synthetic (int n_ops)
{
  static const char *const ops[] = { "conv2d", "relu", "max_pool2d", "linear" };
  GraphFixture *f = graph_fixture_begin ("synthetic");

  for (int i = 0; i < n_ops; i++)
    {
      g_autofree char *module = g_strdup_printf ("blocks.%d", i / 10);
      gint64 shape[2] = { 32, 64 + i % 7 };

      graph_fixture_node (f, i + 1, ops[i % 4], NULL, module, 2, shape);
      if (i > 0)
        graph_fixture_edge (f, i, i + 1, 0);
      if (i >= 3 && i % 3 == 0)
        graph_fixture_edge (f, i - 2, i + 1, 1);
      if (i % 4 == 0)
        {
          g_autofree char *pname = g_strdup_printf ("blocks.%d.weight", i / 10);
          gint64 pshape[2] = { 64, 64 };

          graph_fixture_node (f, 100000 + i, "parameter", pname, module, 2, pshape);
          graph_fixture_edge (f, 100000 + i, i + 1, 2);
        }
    }
  return graph_fixture_end (f);
}

LmGraphData *
graph_fixture_interleaved (void)
{
  GraphFixture *f = graph_fixture_begin ("interleaved");
  const gint64 act[4] = { 8, 16, 14, 14 }, w[4] = { 16, 16, 3, 3 }, vec[1] = { 16 };
  const gint64 flat[2] = { 8, 3136 }, hw[2] = { 10, 3136 }, hb[1] = { 10 }, out[2] = { 8, 10 };
  const gint64 lbl[1] = { 8 };

  /* inputs and parameters */
  graph_fixture_node (f, 1, "input", "x", "", 4, act);
  graph_fixture_node (f, 2, "input", "z", "", 4, act);
  graph_fixture_node (f, 3, "parameter", "a.weight", "a", 4, w);
  graph_fixture_node (f, 4, "parameter", "b.scale", "b", 1, vec);
  graph_fixture_node (f, 5, "parameter", "enc.0.conv.weight", "enc.0.conv", 4, w);
  graph_fixture_node (f, 6, "parameter", "enc.1.conv.weight", "enc.1.conv", 4, w);
  graph_fixture_node (f, 7, "parameter", "head.weight", "head", 2, hw);
  graph_fixture_node (f, 8, "parameter", "head.bias", "head", 1, hb);
  graph_fixture_node (f, 9, "input", "target", "", 1, lbl);
  /* branch 1: a and b alternate along the chain; b's parameter feeds an
   * op of a; a top-level op in the middle */
  graph_fixture_node (f, 10, "conv2d", NULL, "a", 4, act);
  graph_fixture_node (f, 11, "relu", NULL, "b", 4, act);
  graph_fixture_node (f, 12, "conv2d", NULL, "a", 4, act);
  graph_fixture_node (f, 13, "mul", NULL, "b", 4, act);
  graph_fixture_node (f, 15, "add", NULL, "", 4, act);
  graph_fixture_node (f, 14, "relu", NULL, "shared", 4, act);
  /* branch 2: nested modules, a (shared weights) and shared again */
  graph_fixture_node (f, 20, "conv2d", NULL, "enc.0.conv", 4, act);
  graph_fixture_node (f, 22, "relu", NULL, "enc.0", 4, act);
  graph_fixture_node (f, 23, "conv2d", NULL, "a", 4, act);
  graph_fixture_node (f, 24, "relu", NULL, "shared", 4, act);
  graph_fixture_node (f, 25, "conv2d", NULL, "enc.1.conv", 4, act);
  graph_fixture_node (f, 26, "relu", NULL, "enc.1", 4, act);
  /* the join and the head */
  graph_fixture_node (f, 27, "add", NULL, "", 4, act);
  graph_fixture_node (f, 28, "flatten", NULL, "", 2, flat);
  graph_fixture_node (f, 30, "linear", NULL, "head", 2, out);
  graph_fixture_node (f, 34, "cross_entropy", NULL, "", 0, NULL);

  graph_fixture_edge (f, 1, 10, 0);
  graph_fixture_edge (f, 3, 10, 1);
  graph_fixture_edge (f, 10, 11, 0);
  graph_fixture_edge (f, 11, 12, 0);
  graph_fixture_edge (f, 3, 12, 1);
  graph_fixture_edge (f, 4, 12, 2);
  graph_fixture_edge (f, 12, 13, 0);
  graph_fixture_edge (f, 4, 13, 1);
  graph_fixture_edge (f, 11, 15, 0);
  graph_fixture_edge (f, 2, 15, 1);
  graph_fixture_edge (f, 13, 14, 0);
  graph_fixture_edge (f, 2, 20, 0);
  graph_fixture_edge (f, 5, 20, 1);
  graph_fixture_edge (f, 20, 22, 0);
  graph_fixture_edge (f, 22, 23, 0);
  graph_fixture_edge (f, 3, 23, 1);
  graph_fixture_edge (f, 23, 24, 0);
  graph_fixture_edge (f, 24, 25, 0);
  graph_fixture_edge (f, 6, 25, 1);
  graph_fixture_edge (f, 25, 26, 0);
  graph_fixture_edge (f, 14, 27, 0);
  graph_fixture_edge (f, 26, 27, 1);
  graph_fixture_edge (f, 15, 27, 2);
  graph_fixture_edge (f, 27, 28, 0);
  graph_fixture_edge (f, 28, 30, 0);
  graph_fixture_edge (f, 7, 30, 1);
  graph_fixture_edge (f, 8, 30, 2);
  graph_fixture_edge (f, 30, 34, 0);
  graph_fixture_edge (f, 9, 34, 1);
  return graph_fixture_end (f);
}
