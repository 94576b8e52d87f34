/* lm-graph-layout-private.h: what lm-graph-layout.c (layers, dummy nodes,
 * coordinates, cluster boxes) and lm-graph-layout-order.c (the order
 * within layers, x placement) share. Not a public API: nothing else
 * includes it.
 */
#pragma once

#include "lm-graph-layout.h"

G_BEGIN_DECLS

/* The graph being laid out: real nodes then dummies; edges only between
 * adjacent layers (a -> b with layer[b] == layer[a] + 1). */
typedef struct
{
  int n;                 /* virtual nodes */
  int *layer;
  double *w, *x;
  double *key;
  int *cl;               /* innermost cluster per virtual node, -1 */
  GArray *va, *vb;       /* virtual edges (ints) */
  int *up_start, *up;    /* CSR: neighbours one layer up */
  int *dn_start, *dn;    /* CSR: neighbours one layer down */
  int n_layers;
  GArray **rows;         /* per layer: node ids in order */
  GArray **tokens;       /* per layer, once ordered: nodes and box edges */
  int *pos;              /* index within its row */
  /* clusters */
  int nc;
  int *cparent, *cdepth;
  int *clo, *chi;        /* layer range (chi < 0: no member) */
  double *pad, *header;
  double *gkey;          /* global order of sibling clusters */
  int *pres_start, *pres; /* CSR: clusters present in each layer */
  double *lsum;          /* scratch per cluster */
  int *lcnt, *gstart;
  GArray *items;         /* scratch for order_row */
} LmLayoutGraph;

/* Row tokens: a node id (>= 0), or a cluster's left/right edge. */
#define TOKEN_OPEN(c) (-2 * (c) - 2)
#define TOKEN_CLOSE(c) (-2 * (c) - 3)
#define TOKEN_CLUSTER(t) ((-(t) - 2) / 2)
#define TOKEN_IS_OPEN(t) ((-(t) - 2) % 2 == 0)

void lm_layout_renumber (LmLayoutGraph *g, int layer);
/* Barycentre sweeps keeping clusters together; leaves the order with the
 * fewest crossings in g->rows, each row's tokens in g->tokens, and
 * returns its crossings. Needs the clusters' ranges (pres_start, pres). */
long lm_layout_order    (LmLayoutGraph *g);
/* x of every virtual node: pulled toward the neighbours, separated as the
 * rows' tokens say (after lm_layout_order). */
void lm_layout_place_x  (LmLayoutGraph *g, double gap);

G_END_DECLS
