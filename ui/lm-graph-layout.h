/* lm-graph-layout.h: a layered (Sugiyama-style) layout for DAGs.
 *
 * What it is for: placing the nodes of an autograd graph top to bottom,
 * inputs first and the loss last, as torchviz/Graphviz dot draw them:
 *   1. layers by longest path from the sources, then every source (a
 *      parameter or an input) moved down to just above its first consumer
 *      so parameters sit next to the op that uses them;
 *   2. edges spanning several layers get invisible bend points (dummy
 *      nodes), one per layer crossed;
 *   3. the order within each layer by barycentre sweeps (down and up),
 *      keeping the order with the fewest crossings seen;
 *   4. x positions pulled toward the neighbours' mean, then pushed apart
 *      so boxes never overlap; y from the layers' heights.
 * Plain C + GLib and synchronous: the view runs it in a GTask. Fast enough
 * for thousands of nodes (bench/graph/bench-graph-layout prints figures).
 *
 * What it is not for: drawing, grouping into module boxes (the view builds
 * the graph it asks to lay out), graphs with cycles (edges that would close
 * one are laid out upward but still drawn).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  double w, h;       /* in: box size */
  double x, y;       /* out: box centre */
  int layer;         /* out */
} LmLayoutNode;

typedef struct
{
  int src, dst;      /* in: node indices */
  int n_points;      /* out: route from src's bottom to dst's top */
  double *points;    /* out: x, y pairs (2 * n_points doubles) */
} LmLayoutEdge;

typedef struct
{
  int n_nodes, n_edges;
  LmLayoutNode *nodes;
  LmLayoutEdge *edges;
  double hgap, vgap; /* in: spacing (defaults 24, 40) */
  double width, height; /* out: bounding box, origin at (0, 0) */
  int n_layers;      /* out */
  int crossings;     /* out: edge crossings between adjacent layers */
} LmGraphLayout;

LmGraphLayout *lm_graph_layout_new  (int n_nodes, int n_edges);
void           lm_graph_layout_free (LmGraphLayout *l);
/* Fills the out fields. Edges with out-of-range ends are ignored. */
void           lm_graph_layout_run  (LmGraphLayout *l);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmGraphLayout, lm_graph_layout_free)

G_END_DECLS
