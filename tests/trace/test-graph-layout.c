/* test-graph-layout.c: the layered layout (ui/lm-graph-layout.c), without
 * a display.
 *
 * Checks on a torchviz-like MLP graph and on random DAGs: every edge goes
 * down (layer of src < layer of dst), boxes never overlap, parameters sit
 * one layer above their consumer, routes start at the source's bottom and
 * end at the target's top, a crossing-free chain stays crossing-free, and a
 * 2,000-node graph lays out in well under a second.
 * With clusters (module boxes): every box holds its members and nested
 * boxes, no node that is not a member intersects a box, and boxes that are
 * not nested do not intersect each other, on graphs whose modules
 * interleave (alternating along a chain, shared by two branches, nested,
 * parameters feeding another module's op) and on random clustered DAGs;
 * bad cluster input (unknown parents, parent cycles) is survived.
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

/* ------------------------------------------------------------ clusters */

static gboolean
in_cluster (const LmGraphLayout *l, int c, int anc)
{
  for (int k = 0; c >= 0 && k <= l->n_clusters; c = l->clusters[c].parent, k++)
    if (c == anc)
      return TRUE;
  return FALSE;
}

/* a and b overlap by more than a hair (touching is fine) */
static gboolean
overlap (double ax0, double ay0, double ax1, double ay1, double bx0, double by0, double bx1, double by1)
{
  return MIN (ax1, bx1) - MAX (ax0, bx0) > 1e-6 && MIN (ay1, by1) - MAX (ay0, by0) > 1e-6;
}

/* The guarantees of lm-graph-layout.h about clusters; returns the number
 * of (box, non-member node) pairs checked. */
static int
assert_clusters (const LmGraphLayout *l)
{
  int checked = 0;

  for (int c = 0; c < l->n_clusters; c++)
    {
      const LmLayoutCluster *k = &l->clusters[c];
      gboolean any = FALSE;

      for (int i = 0; i < l->n_nodes; i++)
        {
          const LmLayoutNode *p = &l->nodes[i];
          double x0 = p->x - p->w / 2, x1 = p->x + p->w / 2, y0 = p->y - p->h / 2, y1 = p->y + p->h / 2;

          if (in_cluster (l, p->cluster, c))
            {
              any = TRUE;
              if (x0 < k->x0 - 1e-6 || x1 > k->x1 + 1e-6 || y0 < k->y0 - 1e-6 || y1 > k->y1 + 1e-6)
                g_error ("node %d (%g,%g %gx%g) sticks out of its box %d (%g,%g)-(%g,%g)", i, p->x, p->y, p->w,
                         p->h, c, k->x0, k->y0, k->x1, k->y1);
              /* the margin and the title's room are there */
              g_assert_cmpfloat (y0 - k->y0, >=, l->clusters[c].header + l->clusters[c].pad - 1e-6);
            }
          else
            {
              if (overlap (x0, y0, x1, y1, k->x0, k->y0, k->x1, k->y1))
                g_error ("node %d (%g,%g %gx%g, cluster %d) is inside box %d (%g,%g)-(%g,%g)", i, p->x, p->y, p->w,
                         p->h, p->cluster, c, k->x0, k->y0, k->x1, k->y1);
              checked++;
            }
        }
      if (!any)
        {
          g_assert_cmpfloat (k->x0, >, k->x1); /* empty */
          continue;
        }
      g_assert_cmpfloat (k->x0, >=, -1e-6);
      g_assert_cmpfloat (k->x1, <=, l->width + 1e-6);
      g_assert_cmpfloat (k->y0, >=, -1e-6);
      g_assert_cmpfloat (k->y1, <=, l->height + 1e-6);
      for (int d = 0; d < l->n_clusters; d++)
        {
          const LmLayoutCluster *o = &l->clusters[d];

          if (d == c || o->x0 > o->x1)
            continue;
          if (in_cluster (l, d, c))
            g_assert_true (o->x0 >= k->x0 && o->x1 <= k->x1 && o->y0 >= k->y0 && o->y1 <= k->y1);
          else if (!in_cluster (l, c, d) && overlap (k->x0, k->y0, k->x1, k->y1, o->x0, o->y0, o->x1, o->y1))
            g_error ("boxes %d and %d overlap and neither holds the other", c, d);
        }
    }
  return checked;
}

/* Two branches whose ops alternate between modules a and b, a module
 * used by both branches, nested modules (enc > enc.0 > enc.0.conv), a
 * parameter of b feeding an op of a, top-level inputs and ops between
 * them: the graph a naive layout draws with a non-member inside a box. */
static void test_clusters_interleaved (void)
{
  enum { A, B, SHARED, ENC, ENC0, ENC0CONV, ENC1, HEAD, NC };
  static const int parents[NC] = { -1, -1, -1, -1, ENC, ENC0, ENC, -1 };
  /* node: cluster */
  static const int cl[] = {
    -1, -1, A, B, ENC0CONV, HEAD, HEAD, -1,  /* 0 x, 1 z, 2 a.w, 3 b.s, 4 enc.0.conv.w, 5 head.w, 6 head.b, 7 target */
    A, B, A, B, SHARED, -1,                   /* 8 a.0, 9 b.0, 10 a.1, 11 b.1, 12 shared, 13 add (top) */
    ENC0CONV, ENC0, A, SHARED, ENC1,          /* 14 conv, 15 relu, 16 a (branch 2), 17 shared, 18 enc.1 */
    -1, HEAD, -1,                             /* 19 join, 20 head, 21 loss */
  };
  static const int edges[][2] = {
    { 0, 8 }, { 2, 8 }, { 8, 9 }, { 9, 10 }, { 2, 10 }, { 3, 10 }, { 10, 11 }, { 3, 11 }, { 11, 12 },
    { 9, 13 }, { 1, 13 }, { 1, 14 }, { 4, 14 }, { 14, 15 }, { 15, 16 }, { 2, 16 }, { 16, 17 }, { 17, 18 },
    { 12, 19 }, { 18, 19 }, { 13, 19 }, { 19, 20 }, { 5, 20 }, { 6, 20 }, { 20, 21 }, { 7, 21 },
  };
  int n = G_N_ELEMENTS (cl);
  g_autoptr (LmGraphLayout) l = lm_graph_layout_new (n, G_N_ELEMENTS (edges));

  lm_graph_layout_set_clusters (l, NC);
  for (int c = 0; c < NC; c++)
    l->clusters[c].parent = parents[c];
  for (int i = 0; i < n; i++)
    {
      l->nodes[i].w = 60 + 13 * (i % 5);
      l->nodes[i].h = 30 + 4 * (i % 3);
      l->nodes[i].cluster = cl[i];
    }
  for (guint e = 0; e < G_N_ELEMENTS (edges); e++)
    {
      l->edges[e].src = edges[e][0];
      l->edges[e].dst = edges[e][1];
    }
  lm_graph_layout_run (l);
  assert_sound (l);
  g_assert_cmpint (assert_clusters (l), >, 50);
  /* a's and b's boxes share layers, so they sit side by side */
  g_assert_true (l->clusters[A].x1 <= l->clusters[B].x0 || l->clusters[B].x1 <= l->clusters[A].x0);
}

/* Random DAGs with random (so badly interleaved) module membership, two
 * levels deep, and a few unclustered nodes. */
static void test_clusters_random (void)
{
  for (guint32 seed = 1; seed <= 12; seed++)
    {
      LmGraphLayout *l;
      GRand *r = g_rand_new_with_seed (seed * 7919);
      int nc = g_rand_int_range (r, 2, 9);

      random_dag (&l, g_rand_int_range (r, 20, 90), g_rand_int_range (r, 5, 40), seed);
      lm_graph_layout_set_clusters (l, nc);
      for (int c = 0; c < nc; c++)
        l->clusters[c].parent = c >= nc / 2 ? g_rand_int_range (r, 0, MAX (nc / 2, 1)) : -1;
      for (int i = 0; i < l->n_nodes; i++)
        l->nodes[i].cluster = g_rand_int_range (r, 0, 5) == 0 ? -1 : g_rand_int_range (r, 0, nc);
      lm_graph_layout_run (l);
      assert_sound (l);
      assert_clusters (l);
      lm_graph_layout_free (l);
      g_rand_free (r);
    }
}

/* Unknown parents and parent cycles count as top level; out-of-range
 * node clusters as none; an empty cluster has an empty box. */
static void test_clusters_bad_input (void)
{
  g_autoptr (LmGraphLayout) l = lm_graph_layout_new (6, 5);

  lm_graph_layout_set_clusters (l, 5);
  l->clusters[0].parent = 1;   /* 0 <-> 1: a cycle */
  l->clusters[1].parent = 0;
  l->clusters[2].parent = 42;  /* unknown */
  l->clusters[3].parent = 3;   /* itself */
  /* cluster 4: no member */
  for (int i = 0; i < 6; i++)
    {
      l->nodes[i].w = 50;
      l->nodes[i].h = 20;
      l->nodes[i].cluster = i % 4;
      l->edges[i < 5 ? i : 0] = (LmLayoutEdge) { .src = i < 5 ? i : 0, .dst = i < 5 ? i + 1 : 1 };
    }
  l->nodes[5].cluster = 99;
  lm_graph_layout_run (l);
  assert_sound (l);
  g_assert_cmpfloat (l->clusters[4].x0, >, l->clusters[4].x1);
  /* the boxes still keep non-members out, whatever nesting survived */
  for (int c = 0; c < 4; c++)
    for (int i = 0; i < 6; i++)
      {
        const LmLayoutNode *p = &l->nodes[i];
        const LmLayoutCluster *k = &l->clusters[c];
        gboolean member = p->cluster == c || (c <= 1 && p->cluster <= 1);

        if (!member)
          g_assert_false (overlap (p->x - p->w / 2, p->y - p->h / 2, p->x + p->w / 2, p->y + p->h / 2, k->x0,
                                   k->y0, k->x1, k->y1));
      }

  /* no clusters after all: the plain layout */
  lm_graph_layout_set_clusters (l, 0);
  lm_graph_layout_run (l);
  assert_sound (l);
}

int main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/trace/layout/mlp", test_mlp);
  g_test_add_func ("/trace/layout/random", test_random);
  g_test_add_func ("/trace/layout/chain-and-edge-cases", test_chain_and_edge_cases);
  g_test_add_func ("/trace/layout/2000-nodes", test_big);
  g_test_add_func ("/trace/layout/clusters-interleaved", test_clusters_interleaved);
  g_test_add_func ("/trace/layout/clusters-random", test_clusters_random);
  g_test_add_func ("/trace/layout/clusters-bad-input", test_clusters_bad_input);
  return g_test_run ();
}
