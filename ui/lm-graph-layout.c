/* lm-graph-layout.c: the layered layout of lm-graph-layout.h.
 *
 * Trade-offs: longest-path layering is fast and predictable but makes wide
 * layers on graphs with many sources; moving sources next to their first
 * consumer fixes the common case (parameters). Ordering uses barycentres
 * (not medians) and a fixed number of sweeps; x placement is a simple
 * pull-then-separate relaxation instead of Brandes-Köpf, which is enough
 * for the chain-like graphs of neural networks and stays linear per pass.
 */
#include "lm-graph-layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SWEEPS 12
#define X_PASSES 8

LmGraphLayout *
lm_graph_layout_new (int n_nodes, int n_edges)
{
  LmGraphLayout *l = g_new0 (LmGraphLayout, 1);

  l->n_nodes = MAX (n_nodes, 0);
  l->n_edges = MAX (n_edges, 0);
  l->nodes = g_new0 (LmLayoutNode, l->n_nodes + 1);
  l->edges = g_new0 (LmLayoutEdge, l->n_edges + 1);
  l->hgap = 24;
  l->vgap = 40;
  return l;
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
  g_free (l);
}

/* The graph being laid out: real nodes then dummies; edges only between
 * adjacent layers (a -> b with layer[b] == layer[a] + 1). */
typedef struct
{
  int n;                 /* virtual nodes */
  int *layer;
  double *w, *h, *x;
  double *key;
  GArray *va, *vb;       /* virtual edges (ints) */
  int *up_start, *up;    /* CSR: neighbours one layer up */
  int *dn_start, *dn;    /* CSR: neighbours one layer down */
  int n_layers;
  GArray **rows;         /* per layer: node ids in order */
  int *pos;              /* index within its row */
} vgraph;

static int
add_virtual (vgraph *g, int layer, GArray *layers, GArray *ws)
{
  int id = g->n++;
  double zero = 0;

  g_array_append_val (layers, layer);
  g_array_append_val (ws, zero);
  return id;
}

static void
build_csr (vgraph *g)
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

static int
cmp_key (gconstpointer pa, gconstpointer pb, gpointer data)
{
  const double *key = data;
  int a = *(const int *) pa, b = *(const int *) pb;

  return key[a] < key[b] ? -1 : key[a] > key[b];
}

static void
renumber (vgraph *g, int layer)
{
  GArray *r = g->rows[layer];

  for (guint i = 0; i < r->len; i++)
    g->pos[g_array_index (r, int, i)] = (int) i;
}

/* Reorders `layer` by the mean position of its neighbours in the layer
 * above (down = TRUE) or below; nodes without such neighbours keep theirs. */
static void
sweep_layer (vgraph *g, int layer, gboolean down)
{
  GArray *r = g->rows[layer];

  for (guint i = 0; i < r->len; i++)
    {
      int v = g_array_index (r, int, i);
      const int *start = down ? g->up_start : g->dn_start;
      const int *adj = down ? g->up : g->dn;
      int k0 = start[v], k1 = start[v + 1];
      double s = 0;

      for (int k = k0; k < k1; k++)
        s += g->pos[adj[k]];
      /* ties broken by the current position: sorting is stable in effect */
      g->key[v] = (k1 > k0 ? s / (k1 - k0) : (double) i) + i * 1e-6;
    }
  g_array_sort_with_data (r, cmp_key, g->key);
  renumber (g, layer);
}

/* Crossings between layer and layer + 1 (Fenwick tree over positions). */
static long
crossings_between (vgraph *g, int layer)
{
  GArray *r = g->rows[layer];
  int width = (int) g->rows[layer + 1]->len;
  g_autofree int *tree = g_new0 (int, width + 1);
  long total = 0, seen = 0;

  /* edges in order of top position, then bottom position */
  for (guint i = 0; i < r->len; i++)
    {
      int v = g_array_index (r, int, i);
      int k0 = g->dn_start[v], k1 = g->dn_start[v + 1];
      g_autofree int *bots = g_new (int, MAX (k1 - k0, 1));

      for (int k = k0; k < k1; k++)
        bots[k - k0] = g->pos[g->dn[k]];
      /* insertion sort: out-degrees are small */
      for (int a = 1; a < k1 - k0; a++)
        for (int b = a; b > 0 && bots[b - 1] > bots[b]; b--)
          {
            int t = bots[b];
            bots[b] = bots[b - 1];
            bots[b - 1] = t;
          }
      for (int k = 0; k < k1 - k0; k++)
        {
          int p = bots[k] + 1, le = 0;

          for (int q = p; q > 0; q -= q & -q)
            le += tree[q];
          total += seen - le; /* earlier edges ending to the right of p */
          for (int q = p; q <= width; q += q & -q)
            tree[q]++;
          seen++;
        }
    }
  return total;
}

static long
crossings (vgraph *g)
{
  long c = 0;

  for (int i = 0; i + 1 < g->n_layers; i++)
    c += crossings_between (g, i);
  return c;
}

static void
save_order (vgraph *g, int *best)
{
  for (int v = 0; v < g->n; v++)
    best[v] = g->pos[v];
}

static void
restore_order (vgraph *g, const int *best)
{
  for (int i = 0; i < g->n_layers; i++)
    {
      GArray *r = g->rows[i];

      for (guint k = 0; k < r->len; k++)
        g->key[g_array_index (r, int, k)] = best[g_array_index (r, int, k)];
      g_array_sort_with_data (r, cmp_key, g->key);
      renumber (g, i);
    }
}

/* Places one row: each node wants x = want[v]; order and gaps are kept. */
static void
place_row (vgraph *g, GArray *r, const double *want, double gap)
{
  double shift = 0;
  int n = (int) r->len;

  for (int i = 0; i < n; i++)
    {
      int v = g_array_index (r, int, i);
      double x = want[v];

      if (i > 0)
        {
          int u = g_array_index (r, int, i - 1);
          double min = g->x[u] + (g->w[u] + g->w[v]) / 2 + gap;

          if (x < min)
            x = min;
        }
      g->x[v] = x;
      shift += g->x[v] - want[v];
    }
  /* the left-to-right push only moves nodes right: re-centre the row */
  if (n > 0)
    for (int i = 0; i < n; i++)
      g->x[g_array_index (r, int, i)] -= shift / n;
}

static void
place_x (vgraph *g, double gap)
{
  g_autofree double *want = g_new (double, g->n + 1);

  /* start packed */
  for (int i = 0; i < g->n_layers; i++)
    {
      double cx = 0;
      GArray *r = g->rows[i];

      for (guint k = 0; k < r->len; k++)
        {
          int v = g_array_index (r, int, k);

          g->x[v] = cx + g->w[v] / 2;
          cx += g->w[v] + gap;
        }
      for (guint k = 0; k < r->len; k++)
        g->x[g_array_index (r, int, k)] -= cx / 2;
    }
  for (int pass = 0; pass < X_PASSES; pass++)
    {
      gboolean down = pass % 2 == 0;

      for (int s = 0; s < g->n_layers; s++)
        {
          int i = down ? s : g->n_layers - 1 - s;
          GArray *r = g->rows[i];

          for (guint k = 0; k < r->len; k++)
            {
              int v = g_array_index (r, int, k);
              double sum = 0;
              int cnt = 0;

              for (int e = g->up_start[v]; e < g->up_start[v + 1]; e++, cnt++)
                sum += g->x[g->up[e]];
              for (int e = g->dn_start[v]; e < g->dn_start[v + 1]; e++, cnt++)
                sum += g->x[g->dn[e]];
              want[v] = cnt ? sum / cnt : g->x[v];
            }
          place_row (g, r, want, gap);
        }
    }
}

void
lm_graph_layout_run (LmGraphLayout *l)
{
  int n = l->n_nodes;
  vgraph g = { 0 };
  g_autofree int *indeg = g_new0 (int, n + 1);
  g_autofree int *order = g_new (int, n + 1);
  g_autofree int *real_layer = g_new0 (int, n + 1);
  g_autofree int *min_succ = g_new (int, n + 1);
  g_autofree gboolean *valid = g_new0 (gboolean, l->n_edges + 1);
  GArray *layers, *ws;
  int head = 0, tail = 0;

  if (n == 0)
    {
      l->width = l->height = 0;
      l->n_layers = 0;
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

  /* 2. longest-path layers, then sources pulled down to their consumers */
  for (int i = 0; i < n; i++)
    {
      int v = order[i];

      for (int k = out_start[v]; k < out_start[v + 1]; k++)
        if (real_layer[out[k]] < real_layer[v] + 1)
          real_layer[out[k]] = real_layer[v] + 1;
    }
  g_autofree gboolean *has_pred = g_new0 (gboolean, n + 1);
  for (int e = 0; e < l->n_edges; e++)
    if (valid[e])
      has_pred[l->edges[e].dst] = TRUE;
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

  /* 3. virtual graph with dummies on long edges */
  layers = g_array_new (FALSE, FALSE, sizeof (int));
  ws = g_array_new (FALSE, FALSE, sizeof (double));
  g.va = g_array_new (FALSE, FALSE, sizeof (int));
  g.vb = g_array_new (FALSE, FALSE, sizeof (int));
  for (int v = 0; v < n; v++)
    {
      g_array_append_val (layers, real_layer[v]);
      g_array_append_val (ws, l->nodes[v].w);
      g.n++;
    }
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
          int d = add_virtual (&g, k, layers, ws);

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
  g.h = NULL;
  g.x = g_new0 (double, g.n + 1);
  g.key = g_new0 (double, g.n + 1);
  g.pos = g_new0 (int, g.n + 1);
  build_csr (&g);

  /* 4. initial order: real nodes in topological order, dummies after */
  g.rows = g_new (GArray *, g.n_layers);
  for (int i = 0; i < g.n_layers; i++)
    g.rows[i] = g_array_new (FALSE, FALSE, sizeof (int));
  for (int i = 0; i < n; i++)
    g_array_append_val (g.rows[g.layer[order[i]]], order[i]);
  for (int v = n; v < g.n; v++)
    g_array_append_val (g.rows[g.layer[v]], v);
  for (int i = 0; i < g.n_layers; i++)
    renumber (&g, i);

  g_autofree int *best = g_new (int, g.n + 1);
  long best_c = crossings (&g);
  save_order (&g, best);
  for (int s = 0; s < SWEEPS && best_c > 0; s++)
    {
      gboolean down = s % 2 == 0;
      long c;

      for (int k = 1; k < g.n_layers; k++)
        sweep_layer (&g, down ? k : g.n_layers - 1 - k, down);
      c = crossings (&g);
      if (c < best_c)
        {
          best_c = c;
          save_order (&g, best);
        }
    }
  restore_order (&g, best);
  l->crossings = (int) MIN (best_c, G_MAXINT);

  /* 5. coordinates */
  place_x (&g, l->hgap);
  double minx = G_MAXDOUBLE, maxx = -G_MAXDOUBLE;
  for (int v = 0; v < g.n; v++)
    {
      minx = MIN (minx, g.x[v] - g.w[v] / 2);
      maxx = MAX (maxx, g.x[v] + g.w[v] / 2);
    }
  g_autofree double *top = g_new0 (double, g.n_layers + 1);
  g_autofree double *lh = g_new0 (double, g.n_layers + 1);
  for (int v = 0; v < n; v++)
    lh[real_layer[v]] = MAX (lh[real_layer[v]], l->nodes[v].h);
  for (int i = 1; i <= g.n_layers; i++)
    top[i] = top[i - 1] + lh[i - 1] + l->vgap;
  for (int v = 0; v < n; v++)
    {
      l->nodes[v].x = g.x[v] - minx;
      l->nodes[v].y = top[real_layer[v]] + lh[real_layer[v]] / 2;
      l->nodes[v].layer = real_layer[v];
    }
  l->width = maxx - minx;
  l->height = top[g.n_layers] - l->vgap;
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
          int dl = g.layer[dv];

          ed->points[k++] = g.x[dv] - minx;
          ed->points[k++] = top[dl] + lh[dl] / 2;
        }
      ed->points[k++] = l->nodes[b].x;
      ed->points[k++] = l->nodes[b].y + (lb >= la ? -l->nodes[b].h / 2 : l->nodes[b].h / 2);
    }

  for (int i = 0; i < g.n_layers; i++)
    g_array_unref (g.rows[i]);
  g_free (g.rows);
  g_array_unref (g.va);
  g_array_unref (g.vb);
  g_free (g.layer);
  g_free (g.w);
  g_free (g.x);
  g_free (g.key);
  g_free (g.pos);
  g_free (g.up_start);
  g_free (g.up);
  g_free (g.dn_start);
  g_free (g.dn);
}
