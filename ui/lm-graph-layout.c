/* lm-graph-layout.c: the layered layout of lm-graph-layout.h.
 *
 * Trade-offs: longest-path layering is fast and predictable but makes wide
 * layers on graphs with many sources; moving sources next to their first
 * consumer fixes the common case (parameters). Ordering uses barycentres
 * (not medians) and a fixed number of sweeps.
 *
 * Clusters (module boxes) are kept apart from non-members by construction,
 * not by moving boxes after the fact:
 *   - ordering sorts each layer hierarchically: a cluster's members are
 *     side by side, and sibling clusters are ordered by one global key, so
 *     two clusters sharing layers keep the same left-to-right order in all
 *     of them. A cluster "present" in a layer (inside its layer range) but
 *     without a member there still takes a place in that layer's order:
 *     that is what keeps a non-member from sitting inside its box there.
 *   - x placement is a set of separation constraints x[b] >= x[a] + d
 *     between neighbours in each layer's order, where a cluster's left and
 *     right edges are two more variables shared by all its layers. The
 *     constraint graph is acyclic; each pass pulls nodes toward their
 *     neighbours' mean, then legalises: a left-to-right longest-path pass
 *     (pushing right) and a right-to-left one (pushing left) are both
 *     feasible, and so is their mean, which is what is kept. That is
 *     simpler than Brandes-Köpf and linear per pass, and enough for the
 *     chain-like graphs of neural networks.
 *   - the gaps between layers grow where boxes start or end, so margins
 *     and titles never reach into the next layer's nodes.
 * Edges' dummy nodes belong to the innermost cluster around either end that
 * spans their layer: an edge enters a box through its top and leaves by its
 * bottom, and goes around the boxes it has nothing to do with.
 * This file: layers, dummy nodes, y, the boxes and the edges' routes; the
 * order within layers and x are in lm-graph-layout-order.c.
 */
#include "lm-graph-layout-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

LmGraphLayout *
lm_graph_layout_new (int n_nodes, int n_edges)
{
  LmGraphLayout *l = g_new0 (LmGraphLayout, 1);

  l->n_nodes = MAX (n_nodes, 0);
  l->n_edges = MAX (n_edges, 0);
  l->nodes = g_new0 (LmLayoutNode, l->n_nodes + 1);
  l->edges = g_new0 (LmLayoutEdge, l->n_edges + 1);
  for (int i = 0; i < l->n_nodes; i++)
    l->nodes[i].cluster = -1;
  l->hgap = 24;
  l->vgap = 40;
  return l;
}

void
lm_graph_layout_set_clusters (LmGraphLayout *l, int n_clusters)
{
  g_return_if_fail (l != NULL);
  g_free (l->clusters);
  l->n_clusters = MAX (n_clusters, 0);
  l->clusters = g_new0 (LmLayoutCluster, l->n_clusters + 1);
  for (int c = 0; c < l->n_clusters; c++)
    {
      l->clusters[c].parent = -1;
      l->clusters[c].pad = 8;
      l->clusters[c].header = 16;
    }
}

void
lm_graph_layout_free (LmGraphLayout *l)
{
  if (l == NULL)
    return;
  for (int i = 0; i < l->n_edges; i++)
    g_free (l->edges[i].points);
  g_free (l->nodes);
  g_free (l->edges);
  g_free (l->clusters);
  g_free (l);
}

static int
add_virtual (LmLayoutGraph *g, int layer, int cluster, GArray *layers, GArray *ws, GArray *cls)
{
  int id = g->n++;
  double zero = 0;

  g_array_append_val (layers, layer);
  g_array_append_val (ws, zero);
  g_array_append_val (cls, cluster);
  return id;
}

static void
build_csr (LmLayoutGraph *g)
{
  int m = (int) g->va->len;
  const int *a = (const int *) g->va->data, *b = (const int *) g->vb->data;

  g->up_start = g_new0 (int, g->n + 1);
  g->dn_start = g_new0 (int, g->n + 1);
  g->up = g_new (int, m + 1);
  g->dn = g_new (int, m + 1);
  for (int e = 0; e < m; e++)
    {
      g->dn_start[a[e] + 1]++;
      g->up_start[b[e] + 1]++;
    }
  for (int v = 0; v < g->n; v++)
    {
      g->dn_start[v + 1] += g->dn_start[v];
      g->up_start[v + 1] += g->up_start[v];
    }
  g_autofree int *fd = g_memdup2 (g->dn_start, sizeof (int) * (gsize) (g->n + 1));
  g_autofree int *fu = g_memdup2 (g->up_start, sizeof (int) * (gsize) (g->n + 1));
  for (int e = 0; e < m; e++)
    {
      g->dn[fd[a[e]]++] = b[e];
      g->up[fu[b[e]]++] = a[e];
    }
}

/* ------------------------------------------------------------ clusters */

/* Parents as given, minus invalid indices and cycles; depths. */
static void
prepare_clusters (LmLayoutGraph *g, const LmGraphLayout *l)
{
  int nc = l->clusters ? l->n_clusters : 0;

  g->nc = nc;
  g->cparent = g_new (int, nc + 1);
  g->cdepth = g_new0 (int, nc + 1);
  g->pad = g_new (double, nc + 1);
  g->header = g_new (double, nc + 1);
  g->gkey = g_new0 (double, nc + 1);
  g->lsum = g_new0 (double, nc + 1);
  g->lcnt = g_new0 (int, nc + 1);
  g->gstart = g_new (int, nc + 1);
  for (int c = 0; c < nc; c++)
    {
      int p = l->clusters[c].parent;

      g->cparent[c] = p >= 0 && p < nc && p != c ? p : -1;
      g->pad[c] = isfinite (l->clusters[c].pad) ? CLAMP (l->clusters[c].pad, 0, 1000) : 0;
      g->header[c] = isfinite (l->clusters[c].header) ? CLAMP (l->clusters[c].header, 0, 1000) : 0;
      g->gstart[c] = -1;
    }
  /* a walk up from c that comes back to c is a cycle: cut it there */
  for (int c = 0; c < nc; c++)
    {
      int steps = 0;

      for (int a = g->cparent[c]; a >= 0 && steps <= nc; a = g->cparent[a], steps++)
        if (a == c)
          {
            g->cparent[c] = -1;
            break;
          }
    }
  for (int c = 0; c < nc; c++)
    for (int a = g->cparent[c]; a >= 0; a = g->cparent[a])
      g->cdepth[c]++;
}

/* The innermost cluster holding both a and b (-1: none). */
static int
common_cluster (const LmLayoutGraph *g, int a, int b)
{
  while (a >= 0 && b >= 0 && a != b)
    {
      if (g->cdepth[a] >= g->cdepth[b])
        a = g->cparent[a];
      else
        b = g->cparent[b];
    }
  return a == b ? a : -1;
}

/* The innermost of c and the clusters around it whose layers (lo..hi)
 * include layer; -1: none. */
static int
deepest_holding (const LmLayoutGraph *g, int c, int layer, const int *lo, const int *hi)
{
  for (; c >= 0; c = g->cparent[c])
    if (lo[c] <= layer && layer <= hi[c])
      return c;
  return -1;
}

/* Layer ranges of the clusters, and which clusters each layer crosses. */
static void
cluster_ranges (LmLayoutGraph *g)
{
  int nc = g->nc;

  g->clo = g_new (int, nc + 1);
  g->chi = g_new (int, nc + 1);
  for (int c = 0; c < nc; c++)
    {
      g->clo[c] = G_MAXINT;
      g->chi[c] = -1;
    }
  for (int v = 0; v < g->n; v++)
    for (int c = g->cl[v]; c >= 0; c = g->cparent[c])
      {
        g->clo[c] = MIN (g->clo[c], g->layer[v]);
        g->chi[c] = MAX (g->chi[c], g->layer[v]);
      }
  g->pres_start = g_new0 (int, g->n_layers + 1);
  for (int c = 0; c < nc; c++)
    for (int i = g->clo[c]; i <= g->chi[c]; i++)
      g->pres_start[i + 1]++;
  for (int i = 0; i < g->n_layers; i++)
    g->pres_start[i + 1] += g->pres_start[i];
  g->pres = g_new (int, g->pres_start[g->n_layers] + 1);
  g_autofree int *fill = g_memdup2 (g->pres_start, sizeof (int) * (gsize) (g->n_layers + 1));
  for (int c = 0; c < nc; c++)
    for (int i = g->clo[c]; i <= g->chi[c]; i++)
      g->pres[fill[i]++] = c;
}

/* ------------------------------------------------------- y and boxes */

/* Room each layer needs above (titles and margins of boxes starting
 * there) and below (margins of boxes ending there). */
static void
box_room (const LmLayoutGraph *g, double *need_top, double *need_bot)
{
  g_autofree int *by_depth = g_new (int, g->nc + 1);
  g_autofree double *tin = g_new0 (double, g->nc + 1);
  g_autofree double *bin = g_new0 (double, g->nc + 1);
  int max_depth = 0, k = 0;

  for (int c = 0; c < g->nc; c++)
    max_depth = MAX (max_depth, g->cdepth[c]);
  for (int d = max_depth; d >= 0; d--)
    for (int c = 0; c < g->nc; c++)
      if (g->cdepth[c] == d)
        by_depth[k++] = c;
  for (int i = 0; i < g->nc; i++)
    {
      int c = by_depth[i], p = g->cparent[c];
      double t, b;

      if (g->chi[c] < 0)
        continue;
      t = tin[c] + g->pad[c] + g->header[c];
      b = bin[c] + g->pad[c];
      need_top[g->clo[c]] = MAX (need_top[g->clo[c]], t);
      need_bot[g->chi[c]] = MAX (need_bot[g->chi[c]], b);
      if (p >= 0 && g->clo[p] == g->clo[c])
        tin[p] = MAX (tin[p], t);
      if (p >= 0 && g->chi[p] == g->chi[c])
        bin[p] = MAX (bin[p], b);
    }
}

/* Boxes from their members' rectangles (and the x of their dummies),
 * inner boxes first. Coordinates as in l->nodes, before any shift. */
static void
cluster_boxes (const LmLayoutGraph *g, LmGraphLayout *l, const double *layer_y)
{
  g_autofree double *bx0 = g_new (double, g->nc + 1);
  g_autofree double *by0 = g_new (double, g->nc + 1);
  g_autofree double *bx1 = g_new (double, g->nc + 1);
  g_autofree double *by1 = g_new (double, g->nc + 1);
  int max_depth = 0;

  for (int c = 0; c < g->nc; c++)
    {
      bx0[c] = by0[c] = G_MAXDOUBLE;
      bx1[c] = by1[c] = -G_MAXDOUBLE;
      max_depth = MAX (max_depth, g->cdepth[c]);
    }
  for (int v = 0; v < g->n; v++)
    {
      int c = g->cl[v];
      double hw = g->w[v] / 2, y0, y1;

      if (c < 0)
        continue;
      if (v < l->n_nodes)
        {
          y0 = l->nodes[v].y - l->nodes[v].h / 2;
          y1 = l->nodes[v].y + l->nodes[v].h / 2;
        }
      else
        y0 = y1 = layer_y[g->layer[v]];
      bx0[c] = MIN (bx0[c], g->x[v] - hw);
      bx1[c] = MAX (bx1[c], g->x[v] + hw);
      by0[c] = MIN (by0[c], y0);
      by1[c] = MAX (by1[c], y1);
    }
  for (int d = max_depth; d >= 0; d--)
    for (int c = 0; c < g->nc; c++)
      {
        LmLayoutCluster *k = &l->clusters[c];
        int p = g->cparent[c];

        if (g->cdepth[c] != d)
          continue;
        if (g->chi[c] < 0 || bx0[c] > bx1[c])
          {
            k->x0 = 1;
            k->x1 = k->y0 = k->y1 = 0;
            continue;
          }
        k->x0 = bx0[c] - g->pad[c];
        k->x1 = bx1[c] + g->pad[c];
        k->y0 = by0[c] - g->pad[c] - g->header[c];
        k->y1 = by1[c] + g->pad[c];
        if (p >= 0)
          {
            bx0[p] = MIN (bx0[p], k->x0);
            bx1[p] = MAX (bx1[p], k->x1);
            by0[p] = MIN (by0[p], k->y0);
            by1[p] = MAX (by1[p], k->y1);
          }
      }
}

/* ----------------------------------------------------------- the run */

static void
vgraph_free (LmLayoutGraph *g)
{
  for (int i = 0; g->rows && i < g->n_layers; i++)
    g_array_unref (g->rows[i]);
  for (int i = 0; g->tokens && i < g->n_layers; i++)
    g_array_unref (g->tokens[i]);
  g_free (g->rows);
  g_free (g->tokens);
  g_array_unref (g->va);
  g_array_unref (g->vb);
  if (g->items)
    g_array_unref (g->items);
  g_free (g->layer);
  g_free (g->w);
  g_free (g->x);
  g_free (g->key);
  g_free (g->cl);
  g_free (g->pos);
  g_free (g->up_start);
  g_free (g->up);
  g_free (g->dn_start);
  g_free (g->dn);
  g_free (g->cparent);
  g_free (g->cdepth);
  g_free (g->clo);
  g_free (g->chi);
  g_free (g->pad);
  g_free (g->header);
  g_free (g->gkey);
  g_free (g->pres_start);
  g_free (g->pres);
  g_free (g->lsum);
  g_free (g->lcnt);
  g_free (g->gstart);
}

void
lm_graph_layout_run (LmGraphLayout *l)
{
  int n = l->n_nodes;
  LmLayoutGraph g = { 0 };
  g_autofree int *indeg = g_new0 (int, n + 1);
  g_autofree int *order = g_new (int, n + 1);
  g_autofree int *real_layer = g_new0 (int, n + 1);
  g_autofree int *min_succ = g_new (int, n + 1);
  g_autofree gboolean *valid = g_new0 (gboolean, l->n_edges + 1);
  GArray *layers, *ws, *cls;
  int head = 0, tail = 0;

  if (n == 0)
    {
      l->width = l->height = 0;
      l->n_layers = 0;
      l->crossings = 0;
      for (int c = 0; l->clusters && c < l->n_clusters; c++)
        {
          l->clusters[c].x0 = 1;
          l->clusters[c].x1 = l->clusters[c].y0 = l->clusters[c].y1 = 0;
        }
      return;
    }
  /* 1. topological order (Kahn); nodes on cycles go last */
  for (int e = 0; e < l->n_edges; e++)
    {
      LmLayoutEdge *ed = &l->edges[e];

      valid[e] = ed->src >= 0 && ed->src < n && ed->dst >= 0 && ed->dst < n && ed->src != ed->dst;
      if (valid[e])
        indeg[ed->dst]++;
    }
  g_autofree int *out_start = g_new0 (int, n + 1);
  g_autofree int *out = g_new (int, l->n_edges + 1);
  for (int e = 0; e < l->n_edges; e++)
    if (valid[e])
      out_start[l->edges[e].src + 1]++;
  for (int v = 0; v < n; v++)
    out_start[v + 1] += out_start[v];
  {
    g_autofree int *fill = g_memdup2 (out_start, sizeof (int) * (gsize) (n + 1));
    for (int e = 0; e < l->n_edges; e++)
      if (valid[e])
        out[fill[l->edges[e].src]++] = l->edges[e].dst;
  }
  g_autofree gboolean *placed = g_new0 (gboolean, n + 1);
  for (int v = 0; v < n; v++)
    if (indeg[v] == 0)
      order[tail++] = v, placed[v] = TRUE;
  while (head < tail)
    {
      int v = order[head++];

      for (int k = out_start[v]; k < out_start[v + 1]; k++)
        if (--indeg[out[k]] == 0)
          order[tail++] = out[k], placed[out[k]] = TRUE;
    }
  for (int v = 0; v < n; v++)
    if (!placed[v])
      order[tail++] = v;

  /* 2. longest-path layers, then sources pulled down to their consumers.
   * An edge into a cluster whose own sources (its parameters) feed the
   * target counts two layers: those sources then sit in a layer of their
   * own, and the cluster's box starts below the one the edge comes from
   * instead of beside it (consecutive modules stack). */
  prepare_clusters (&g, l);
  g_autofree int *node_cl = g_new (int, n + 1);
  g_autofree int *src_cl = g_new (int, n + 1);
  g_autofree gboolean *has_pred = g_new0 (gboolean, n + 1);
  for (int v = 0; v < n; v++)
    {
      node_cl[v] = l->nodes[v].cluster >= 0 && l->nodes[v].cluster < g.nc ? l->nodes[v].cluster : -1;
      src_cl[v] = -1;
    }
  for (int e = 0; e < l->n_edges; e++)
    if (valid[e])
      has_pred[l->edges[e].dst] = TRUE;
  for (int e = 0; e < l->n_edges; e++)
    if (valid[e] && !has_pred[l->edges[e].src] && node_cl[l->edges[e].src] >= 0)
      src_cl[l->edges[e].dst] = node_cl[l->edges[e].src];
  for (int i = 0; i < n; i++)
    {
      int v = order[i];

      for (int k = out_start[v]; k < out_start[v + 1]; k++)
        {
          int t = out[k], w = 1;

          if (has_pred[v] && src_cl[t] >= 0 && common_cluster (&g, src_cl[t], node_cl[v]) != src_cl[t])
            w = 2;
          if (real_layer[t] < real_layer[v] + w)
            real_layer[t] = real_layer[v] + w;
        }
    }
  for (int v = 0; v < n; v++)
    {
      min_succ[v] = G_MAXINT;
      for (int k = out_start[v]; k < out_start[v + 1]; k++)
        min_succ[v] = MIN (min_succ[v], real_layer[out[k]]);
      if (!has_pred[v] && min_succ[v] != G_MAXINT && min_succ[v] - 1 > real_layer[v])
        real_layer[v] = min_succ[v] - 1;
    }
  g.n_layers = 0;
  for (int v = 0; v < n; v++)
    g.n_layers = MAX (g.n_layers, real_layer[v] + 1);

  /* 3. virtual graph with dummies on long edges, in the innermost
   * cluster holding both ends */
  layers = g_array_new (FALSE, FALSE, sizeof (int));
  ws = g_array_new (FALSE, FALSE, sizeof (double));
  cls = g_array_new (FALSE, FALSE, sizeof (int));
  for (int v = 0; v < n; v++)
    {
      int c = l->nodes[v].cluster >= 0 && l->nodes[v].cluster < g.nc ? l->nodes[v].cluster : -1;

      g_array_append_val (layers, real_layer[v]);
      g_array_append_val (ws, l->nodes[v].w);
      g_array_append_val (cls, c);
      g.n++;
    }
  g_autofree int *rlo = g_new (int, g.nc + 1);
  g_autofree int *rhi = g_new (int, g.nc + 1);
  for (int c = 0; c < g.nc; c++)
    {
      rlo[c] = G_MAXINT;
      rhi[c] = -1;
    }
  for (int v = 0; v < n; v++)
    for (int c = node_cl[v]; c >= 0; c = g.cparent[c])
      {
        rlo[c] = MIN (rlo[c], real_layer[v]);
        rhi[c] = MAX (rhi[c], real_layer[v]);
      }
  g.va = g_array_new (FALSE, FALSE, sizeof (int));
  g.vb = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree int *chain_start = g_new (int, l->n_edges + 1);
  for (int e = 0; e < l->n_edges; e++)
    {
      int a, b, la, lb;

      chain_start[e] = -1;
      if (!valid[e])
        continue;
      a = l->edges[e].src;
      b = l->edges[e].dst;
      la = real_layer[a];
      lb = real_layer[b];
      if (lb <= la)
        {
          /* an edge against the order (a cycle): route it as b -> a */
          int t = a; a = b; b = t;
          t = la; la = lb; lb = t;
          if (lb == la)
            continue;
        }
      int prev = a;
      for (int k = la + 1; k < lb; k++)
        {
          /* in the deepest box around either end that spans this layer:
           * an edge enters a box through its top, leaves by its bottom */
          int ca = deepest_holding (&g, node_cl[a], k, rlo, rhi), cb = deepest_holding (&g, node_cl[b], k, rlo, rhi);
          int c = cb < 0 || (ca >= 0 && g.cdepth[ca] > g.cdepth[cb]) ? ca : cb;
          int d = add_virtual (&g, k, c, layers, ws, cls);

          if (chain_start[e] < 0)
            chain_start[e] = d;
          g_array_append_val (g.va, prev);
          g_array_append_val (g.vb, d);
          prev = d;
        }
      g_array_append_val (g.va, prev);
      g_array_append_val (g.vb, b);
    }
  g.layer = (int *) g_array_free (layers, FALSE);
  g.w = (double *) g_array_free (ws, FALSE);
  g.cl = (int *) g_array_free (cls, FALSE);
  g.x = g_new0 (double, g.n + 1);
  g.key = g_new0 (double, g.n + 1);
  g.pos = g_new0 (int, g.n + 1);
  build_csr (&g);
  cluster_ranges (&g);

  /* 4. initial order: real nodes in topological order, dummies after;
   * then the sweeps */
  g.rows = g_new (GArray *, g.n_layers);
  g.tokens = g_new (GArray *, g.n_layers);
  for (int i = 0; i < g.n_layers; i++)
    {
      g.rows[i] = g_array_new (FALSE, FALSE, sizeof (int));
      g.tokens[i] = g_array_new (FALSE, FALSE, sizeof (int));
    }
  for (int i = 0; i < n; i++)
    g_array_append_val (g.rows[g.layer[order[i]]], order[i]);
  for (int v = n; v < g.n; v++)
    g_array_append_val (g.rows[g.layer[v]], v);
  for (int i = 0; i < g.n_layers; i++)
    lm_layout_renumber (&g, i);
  l->crossings = (int) MIN (lm_layout_order (&g), G_MAXINT);

  /* 5. coordinates */
  lm_layout_place_x (&g, l->hgap);
  g_autofree double *top = g_new0 (double, g.n_layers + 1);
  g_autofree double *lh = g_new0 (double, g.n_layers + 1);
  g_autofree double *need_top = g_new0 (double, g.n_layers + 1);
  g_autofree double *need_bot = g_new0 (double, g.n_layers + 1);
  g_autofree double *mid = g_new0 (double, g.n_layers + 1);
  box_room (&g, need_top, need_bot);
  for (int v = 0; v < n; v++)
    lh[real_layer[v]] = MAX (lh[real_layer[v]], l->nodes[v].h);
  top[0] = need_top[0];
  for (int i = 1; i < g.n_layers; i++)
    top[i] = top[i - 1] + lh[i - 1] + MAX (l->vgap, need_bot[i - 1] + need_top[i] + 6);
  for (int i = 0; i < g.n_layers; i++)
    mid[i] = top[i] + lh[i] / 2;
  for (int v = 0; v < n; v++)
    {
      l->nodes[v].x = g.x[v];
      l->nodes[v].y = mid[real_layer[v]];
      l->nodes[v].layer = real_layer[v];
    }
  if (g.nc > 0)
    cluster_boxes (&g, l, mid);
  double minx = G_MAXDOUBLE, maxx = -G_MAXDOUBLE;
  for (int v = 0; v < g.n; v++)
    {
      minx = MIN (minx, g.x[v] - g.w[v] / 2);
      maxx = MAX (maxx, g.x[v] + g.w[v] / 2);
    }
  for (int c = 0; c < g.nc; c++)
    if (l->clusters[c].x0 <= l->clusters[c].x1)
      {
        minx = MIN (minx, l->clusters[c].x0);
        maxx = MAX (maxx, l->clusters[c].x1);
      }
  for (int v = 0; v < n; v++)
    l->nodes[v].x -= minx;
  for (int c = 0; c < g.nc; c++)
    if (l->clusters[c].x0 <= l->clusters[c].x1)
      {
        l->clusters[c].x0 -= minx;
        l->clusters[c].x1 -= minx;
      }
  l->width = maxx - minx;
  l->height = top[g.n_layers - 1] + lh[g.n_layers - 1] + need_bot[g.n_layers - 1];
  l->n_layers = g.n_layers;

  /* 6. routes: bottom of src, the dummies' centres, top of dst */
  for (int e = 0; e < l->n_edges; e++)
    {
      LmLayoutEdge *ed = &l->edges[e];
      int a, b, la, lb, k = 0;

      g_clear_pointer (&ed->points, g_free);
      ed->n_points = 0;
      if (!valid[e])
        continue;
      a = ed->src;
      b = ed->dst;
      la = real_layer[a];
      lb = real_layer[b];
      int n_dummies = lb > la ? lb - la - 1 : (la > lb ? la - lb - 1 : 0);
      ed->n_points = 2 + n_dummies;
      ed->points = g_new (double, 2 * ed->n_points);
      ed->points[k++] = l->nodes[a].x;
      ed->points[k++] = l->nodes[a].y + (lb >= la ? l->nodes[a].h / 2 : -l->nodes[a].h / 2);
      /* dummies were created from the upper end downward */
      for (int d = 0; d < n_dummies; d++)
        {
          int dv = chain_start[e] + (lb > la ? d : n_dummies - 1 - d);

          ed->points[k++] = g.x[dv] - minx;
          ed->points[k++] = mid[g.layer[dv]];
        }
      ed->points[k++] = l->nodes[b].x;
      ed->points[k++] = l->nodes[b].y + (lb >= la ? -l->nodes[b].h / 2 : l->nodes[b].h / 2);
    }
  vgraph_free (&g);
}
