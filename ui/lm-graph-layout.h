/* lm-graph-layout.h: a layered (Sugiyama-style) layout for DAGs, with
 * nested clusters (module boxes).
 *
 * What it is for: placing the nodes of an autograd graph top to bottom,
 * inputs first and the loss last, as torchviz/Graphviz dot draw them:
 *   1. layers by longest path from the sources, then every source (a
 *      parameter or an input) moved down to just above its first consumer
 *      so parameters sit next to the op that uses them; an edge into a
 *      cluster whose own parameters feed its target counts two layers, so
 *      consecutive modules stack instead of sharing a layer side by side;
 *   2. edges spanning several layers get invisible bend points (dummy
 *      nodes), one per layer crossed;
 *   3. the order within each layer by barycentre sweeps (down and up),
 *      keeping the order with the fewest crossings seen; the members of a
 *      cluster stay side by side in every layer, and sibling clusters keep
 *      one left-to-right order in all the layers they share;
 *   4. x positions pulled toward the neighbours' mean, then made legal:
 *      boxes never overlap, and every cluster gets one x band over all its
 *      layers that holds its members and nothing else; y from the layers'
 *      heights, with room between layers for the boxes' margins and titles.
 * Clusters are optional (a module path "features.3" is a cluster inside
 * "features"); with them, each cluster's box (out) holds its members and
 * sub-clusters, and no other node nor any other box that is not nested
 * intersects it.
 * Plain C + GLib and synchronous: the view runs it in a GTask. Fast enough
 * for thousands of nodes (bench/graph/bench-graph prints figures).
 *
 * What it is not for: drawing, building the graph (the view turns module
 * paths into clusters), graphs with cycles (edges that would close one are
 * laid out upward but still drawn).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  double w, h;       /* in: box size */
  int cluster;       /* in: innermost cluster holding the node; -1 (the
                      * default) or an invalid index: none */
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
  int parent;            /* in: enclosing cluster, -1 (the default): none;
                          * an invalid index, or one closing a cycle,
                          * counts as none */
  double pad;            /* in: margin around the members (default 8) */
  double header;         /* in: extra room above them for a title (default 16) */
  double x0, y0, x1, y1; /* out: the box; x0 > x1 when it holds no node */
} LmLayoutCluster;

typedef struct
{
  int n_nodes, n_edges, n_clusters;
  LmLayoutNode *nodes;
  LmLayoutEdge *edges;
  LmLayoutCluster *clusters; /* lm_graph_layout_set_clusters; NULL: none */
  double hgap, vgap; /* in: spacing (defaults 24, 40) */
  double width, height; /* out: bounding box of nodes and boxes, origin (0, 0) */
  int n_layers;      /* out */
  int crossings;     /* out: edge crossings between adjacent layers */
} LmGraphLayout;

LmGraphLayout *lm_graph_layout_new  (int n_nodes, int n_edges);
/* Gives the layout n_clusters clusters (parent -1, default margins),
 * replacing any it had. */
void           lm_graph_layout_set_clusters (LmGraphLayout *l, int n_clusters);
void           lm_graph_layout_free (LmGraphLayout *l);
/* Fills the out fields. Edges with out-of-range ends are ignored. */
void           lm_graph_layout_run  (LmGraphLayout *l);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmGraphLayout, lm_graph_layout_free)

G_END_DECLS
