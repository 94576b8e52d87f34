/* lm-graph-layout-order.c: the order of the nodes within each layer and
 * their x coordinates, for lm-graph-layout.c (see the trade-offs there).
 *
 * Ordering: barycentre sweeps down and up; each layer is sorted
 * hierarchically so a cluster's members stay side by side and sibling
 * clusters keep one left-to-right order (a global key per cluster) in
 * every layer they share; a cluster with no member in a layer it spans
 * still takes its place there. The result is, per layer, a sequence of
 * tokens: nodes, and the left and right edges of clusters.
 * Placement: the tokens give separation constraints x[b] >= x[a] + d, a
 * cluster's edges being two variables shared by all its layers (its x band).
 * Gauss-Seidel passes legalise one row at a time (fast to straighten
 * chains), then passes legalise all rows at once: push-right and
 * push-left longest paths over the acyclic constraint graph are both
 * feasible, and so is their mean, which is kept.
 *
 * Not for: layering, dummy nodes, y coordinates, the boxes themselves.
 */
#include "lm-graph-layout-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SWEEPS 12
#define X_PASSES 8      /* row by row */
#define GLOBAL_PASSES 4 /* all rows at once */
#define FAR 1e15 /* "unbounded" for cluster edges during legalisation */

/* Each cluster's mean position (centred in its row) over all its layers:
 * the key that orders sibling clusters the same way in every layer. */
static void
update_gkeys (LmLayoutGraph *g)
{
  if (g->nc == 0)
    return;
  memset (g->lsum, 0, sizeof (double) * (gsize) g->nc);
  memset (g->lcnt, 0, sizeof (int) * (gsize) g->nc);
  for (int v = 0; v < g->n; v++)
    {
      double p = g->pos[v] - (g->rows[g->layer[v]]->len - 1) / 2.0;

      for (int c = g->cl[v]; c >= 0; c = g->cparent[c])
        {
          g->lsum[c] += p;
          g->lcnt[c]++;
        }
    }
  for (int c = 0; c < g->nc; c++)
    g->gkey[c] = g->lcnt[c] ? g->lsum[c] / g->lcnt[c] : 0;
  memset (g->lsum, 0, sizeof (double) * (gsize) g->nc);
  memset (g->lcnt, 0, sizeof (int) * (gsize) g->nc);
}

/* ------------------------------------------------------------ ordering */

typedef struct
{
  int id;          /* node, or cluster */
  int group;       /* parent cluster + 1 (0: top level) */
  int is_cluster;
  double val, tie;
} Item;

static int
cmp_items (const void *pa, const void *pb)
{
  const Item *a = pa, *b = pb;

  if (a->group != b->group)
    return a->group < b->group ? -1 : 1;
  if (a->val != b->val)
    return a->val < b->val ? -1 : 1;
  if (a->is_cluster != b->is_cluster)
    return a->is_cluster ? -1 : 1;
  if (a->tie != b->tie)
    return a->tie < b->tie ? -1 : 1;
  return a->id < b->id ? -1 : a->id > b->id;
}

static int
cmp_clusters (const void *pa, const void *pb, void *data)
{
  const Item *a = pa, *b = pb;
  const double *gkey = data;

  if (a->group != b->group)
    return a->group < b->group ? -1 : 1;
  if (gkey[a->id] != gkey[b->id])
    return gkey[a->id] < gkey[b->id] ? -1 : 1;
  return a->id < b->id ? -1 : a->id > b->id;
}

void
lm_layout_renumber (LmLayoutGraph *g, int layer)
{
  GArray *r = g->rows[layer];

  for (guint i = 0; i < r->len; i++)
    g->pos[g_array_index (r, int, i)] = (int) i;
}

static void
emit (LmLayoutGraph *g, const Item *items, int n_items, int start, int group, GArray *row, GArray *tokens)
{
  for (int i = start; i >= 0 && i < n_items && items[i].group == group; i++)
    {
      int id = items[i].id;

      if (!items[i].is_cluster)
        {
          g_array_append_val (row, id);
          if (tokens)
            g_array_append_val (tokens, id);
          continue;
        }
      int open = TOKEN_OPEN (id), close = TOKEN_CLOSE (id);
      if (tokens)
        g_array_append_val (tokens, open);
      emit (g, items, n_items, g->gstart[id], id + 1, row, tokens);
      if (tokens)
        g_array_append_val (tokens, close);
    }
}

/* Sorts `layer` by key (ties: the current position), keeping each present
 * cluster's members together: within one parent, clusters go by gkey and
 * take the place of the running maximum of their members' mean key, nodes
 * by their key. Fills tokens (when not NULL) with the row's nodes and box
 * edges in order. */
static void
order_row (LmLayoutGraph *g, int layer, const double *key, GArray *tokens)
{
  GArray *r = g->rows[layer];
  int p0 = g->pres_start[layer], p1 = g->pres_start[layer + 1];
  int n_nodes = (int) r->len, n_items = n_nodes + (p1 - p0);
  Item *items;

  g_array_set_size (g->items, (guint) MAX (n_items, 1));
  items = (Item *) g->items->data;
  for (int i = 0; i < n_nodes; i++)
    {
      int v = g_array_index (r, int, i);

      items[i] = (Item) { v, g->cl[v] + 1, 0, key[v], i };
      for (int c = g->cl[v]; c >= 0; c = g->cparent[c])
        {
          g->lsum[c] += key[v];
          g->lcnt[c]++;
        }
    }
  if (p1 > p0)
    {
      Item *cls = items + n_nodes;
      double run = -G_MAXDOUBLE;
      int group = -1;

      for (int k = p0; k < p1; k++)
        cls[k - p0] = (Item) { g->pres[k], g->cparent[g->pres[k]] + 1, 1, 0, 0 };
      g_qsort_with_data (cls, p1 - p0, sizeof (Item), cmp_clusters, g->gkey);
      for (int k = 0; k < p1 - p0; k++)
        {
          int c = cls[k].id;

          if (cls[k].group != group)
            {
              group = cls[k].group;
              run = -G_MAXDOUBLE;
            }
          if (g->lcnt[c] > 0)
            run = MAX (run, g->lsum[c] / g->lcnt[c]);
          cls[k].val = run;
          cls[k].tie = k;
          g->lsum[c] = 0;
          g->lcnt[c] = 0;
        }
    }
  qsort (items, (size_t) n_items, sizeof (Item), cmp_items);
  for (int i = n_items - 1; i >= 0; i--)
    if (items[i].group > 0)
      g->gstart[items[i].group - 1] = i;

  g_autoptr (GArray) out = g_array_sized_new (FALSE, FALSE, sizeof (int), (guint) n_nodes);
  if (tokens)
    g_array_set_size (tokens, 0);
  emit (g, items, n_items, n_items > 0 && items[0].group == 0 ? 0 : -1, 0, out, tokens);
  g_assert (out->len == r->len);
  memcpy (r->data, out->data, sizeof (int) * out->len);
  for (int k = p0; k < p1; k++)
    g->gstart[g->pres[k]] = -1;
  lm_layout_renumber (g, layer);
}

/* Reorders `layer` by the mean position of its neighbours in the layer
 * above (down = TRUE) or below; nodes without such neighbours keep theirs. */
static void
sweep_layer (LmLayoutGraph *g, int layer, gboolean down)
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
      g->key[v] = k1 > k0 ? s / (k1 - k0) : (double) i;
    }
  order_row (g, layer, g->key, NULL);
}

/* Crossings between layer and layer + 1 (Fenwick tree over positions). */
static long
crossings_between (LmLayoutGraph *g, int layer)
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
crossings (LmLayoutGraph *g)
{
  long c = 0;

  for (int i = 0; i + 1 < g->n_layers; i++)
    c += crossings_between (g, i);
  return c;
}

/* Every row sorted by its current positions: groups the members of each
 * cluster; with tokens, also records the rows' box edges. */
static void
order_all (LmLayoutGraph *g, gboolean with_tokens)
{
  for (int v = 0; v < g->n; v++)
    g->key[v] = g->pos[v];
  for (int i = 0; i < g->n_layers; i++)
    order_row (g, i, g->key, with_tokens ? g->tokens[i] : NULL);
}

/* Barycentre sweeps; leaves the best order found (and the cluster keys it
 * was sorted with) in place. */
long
lm_layout_order (LmLayoutGraph *g)
{
  g_autofree int *best = g_new (int, g->n + 1);
  g_autofree double *best_gkey = g_new (double, g->nc + 1);
  long best_c;

  if (g->items == NULL)
    g->items = g_array_new (FALSE, FALSE, sizeof (Item));

  update_gkeys (g);
  order_all (g, FALSE);
  best_c = crossings (g);
  memcpy (best, g->pos, sizeof (int) * (gsize) g->n);
  memcpy (best_gkey, g->gkey, sizeof (double) * (gsize) g->nc);
  for (int s = 0; s < SWEEPS && best_c > 0; s++)
    {
      gboolean down = s % 2 == 0;
      long c;

      update_gkeys (g);
      for (int k = 0; k < g->n_layers; k++)
        sweep_layer (g, down ? k : g->n_layers - 1 - k, down);
      c = crossings (g);
      if (c < best_c)
        {
          best_c = c;
          memcpy (best, g->pos, sizeof (int) * (gsize) g->n);
          memcpy (best_gkey, g->gkey, sizeof (double) * (gsize) g->nc);
        }
    }
  /* back to the best order, sorted with the keys it was made with */
  memcpy (g->pos, best, sizeof (int) * (gsize) g->n);
  memcpy (g->gkey, best_gkey, sizeof (double) * (gsize) g->nc);
  for (int v = 0; v < g->n; v++)
    g_array_index (g->rows[g->layer[v]], int, g->pos[v]) = v;
  order_all (g, TRUE);
  return crossings (g);
}

/* ------------------------------------------------------- x placement */

/* x[b] >= x[a] + d over variables: nodes, then each cluster's left and
 * right edge (n + 2c, n + 2c + 1). */
typedef struct
{
  int nv;
  int *start, *to;       /* CSR by a */
  double *d;
  int *topo;             /* a topological order of the variables */
} Constraints;

static void
constraints_free (Constraints *k)
{
  g_free (k->start);
  g_free (k->to);
  g_free (k->d);
  g_free (k->topo);
}

/* The variable of a token, and its offsets: where what follows it may
 * start, and where what precedes it must end. */
static void
token_var (const LmLayoutGraph *g, int t, int *var, double *after, double *before, gboolean *outer)
{
  if (t >= 0)
    {
      *var = t;
      *after = g->w[t] / 2;
      *before = -g->w[t] / 2;
      *outer = TRUE;
      return;
    }
  int c = TOKEN_CLUSTER (t);
  if (TOKEN_IS_OPEN (t))
    {
      *var = g->n + 2 * c;
      *after = g->pad[c];
      *before = 0;
      *outer = FALSE; /* what follows an opening edge is inside */
    }
  else
    {
      *var = g->n + 2 * c + 1;
      *after = 0;
      *before = -g->pad[c];
      *outer = TRUE;
    }
}

/* FALSE when the constraints have a cycle (which the ordering rules out;
 * the caller then drops the clusters' constraints). */
static gboolean
build_constraints (const LmLayoutGraph *g, double gap, gboolean clusters, Constraints *k)
{
  GArray *ca = g_array_new (FALSE, FALSE, sizeof (int));
  GArray *cb = g_array_new (FALSE, FALSE, sizeof (int));
  GArray *cd = g_array_new (FALSE, FALSE, sizeof (double));
  int nv = g->n + 2 * g->nc;
  gboolean ok;

  for (int i = 0; i < g->n_layers; i++)
    {
      GArray *toks = clusters ? g->tokens[i] : g->rows[i];
      int prev = 0;
      double prev_after = 0;
      gboolean prev_outer = FALSE, have_prev = FALSE;

      for (guint j = 0; j < toks->len; j++)
        {
          int var, t = g_array_index (toks, int, j);
          double after, before;
          gboolean outer;

          token_var (g, t, &var, &after, &before, &outer);
          if (have_prev)
            {
              /* (node or right edge) then (node or left edge): a gap */
              gboolean outside = prev_outer && (t >= 0 || TOKEN_IS_OPEN (t));
              double d = prev_after + (outside ? gap : 0) - before;

              g_array_append_val (ca, prev);
              g_array_append_val (cb, var);
              g_array_append_val (cd, d);
            }
          prev = var;
          prev_after = after;
          prev_outer = outer;
          have_prev = TRUE;
        }
    }

  int m = (int) ca->len;
  const int *a = (const int *) ca->data, *b = (const int *) cb->data;
  g_autofree int *indeg = g_new0 (int, nv + 1);
  k->nv = nv;
  k->start = g_new0 (int, nv + 1);
  k->to = g_new (int, m + 1);
  k->d = g_new (double, m + 1);
  k->topo = g_new (int, nv + 1);
  for (int e = 0; e < m; e++)
    {
      k->start[a[e] + 1]++;
      indeg[b[e]]++;
    }
  for (int v = 0; v < nv; v++)
    k->start[v + 1] += k->start[v];
  {
    g_autofree int *fill = g_memdup2 (k->start, sizeof (int) * (gsize) (nv + 1));
    for (int e = 0; e < m; e++)
      {
        int s = fill[a[e]]++;
        k->to[s] = b[e];
        k->d[s] = g_array_index (cd, double, e);
      }
  }
  int head = 0, tail = 0;
  for (int v = 0; v < nv; v++)
    if (indeg[v] == 0)
      k->topo[tail++] = v;
  while (head < tail)
    {
      int v = k->topo[head++];

      for (int s = k->start[v]; s < k->start[v + 1]; s++)
        if (--indeg[k->to[s]] == 0)
          k->topo[tail++] = k->to[s];
    }
  ok = tail == nv;
  g_array_unref (ca);
  g_array_unref (cb);
  g_array_unref (cd);
  return ok;
}

/* x[] for the nodes: as close to want[] as the constraints allow, by the
 * mean of the push-right and push-left solutions (both feasible). */
static void
legalise (const LmLayoutGraph *g, const Constraints *k, const double *want, double *lo, double *hi)
{
  for (int v = 0; v < k->nv; v++)
    {
      lo[v] = v < g->n ? want[v] : -FAR;
      hi[v] = v < g->n ? want[v] : FAR;
    }
  for (int i = 0; i < k->nv; i++)
    {
      int u = k->topo[i];

      for (int s = k->start[u]; s < k->start[u + 1]; s++)
        lo[k->to[s]] = MAX (lo[k->to[s]], lo[u] + k->d[s]);
    }
  for (int i = k->nv - 1; i >= 0; i--)
    {
      int u = k->topo[i];

      for (int s = k->start[u]; s < k->start[u + 1]; s++)
        hi[u] = MIN (hi[u], hi[k->to[s]] - k->d[s]);
    }
  for (int v = 0; v < g->n; v++)
    g->x[v] = (lo[v] + hi[v]) / 2;
}

/* One row legalised on its own (its box edges as free variables): the
 * fast, local step of the Gauss-Seidel passes. */
static void
legalise_row (LmLayoutGraph *g, int layer, const double *want, double gap, double *lo, double *hi)
{
  GArray *toks = g->tokens[layer];
  int n = (int) toks->len;
  g_autofree double *d = g_new (double, n + 1);
  double prev_after = 0;
  gboolean prev_outer = FALSE;

  for (int j = 0; j < n; j++)
    {
      int var, t = g_array_index (toks, int, j);
      double after, before;
      gboolean outer;

      token_var (g, t, &var, &after, &before, &outer);
      d[j] = j == 0 ? 0 : prev_after + (prev_outer && (t >= 0 || TOKEN_IS_OPEN (t)) ? gap : 0) - before;
      lo[j] = t >= 0 ? want[t] : -FAR;
      hi[j] = t >= 0 ? want[t] : FAR;
      if (j > 0)
        lo[j] = MAX (lo[j], lo[j - 1] + d[j]);
      prev_after = after;
      prev_outer = outer;
    }
  for (int j = n - 2; j >= 0; j--)
    hi[j] = MIN (hi[j], hi[j + 1] - d[j + 1]);
  for (int j = 0; j < n; j++)
    {
      int t = g_array_index (toks, int, j);
      if (t >= 0)
        g->x[t] = (lo[j] + hi[j]) / 2;
    }
}

static double
neighbour_mean (const LmLayoutGraph *g, int v)
{
  double sum = 0;
  int cnt = 0;

  for (int e = g->up_start[v]; e < g->up_start[v + 1]; e++, cnt++)
    sum += g->x[g->up[e]];
  for (int e = g->dn_start[v]; e < g->dn_start[v + 1]; e++, cnt++)
    sum += g->x[g->dn[e]];
  return cnt ? sum / cnt : g->x[v];
}

/* Gauss-Seidel passes down and up, each row pulled toward its neighbours
 * and legalised alone (quick to straighten chains), then passes that
 * legalise everything at once (what keeps a cluster's band the same in
 * all its layers). */
void
lm_layout_place_x (LmLayoutGraph *g, double gap)
{
  Constraints k = { 0 };
  g_autofree double *want = g_new (double, g->n + 1);
  g_autofree double *lo = NULL, *hi = NULL;
  guint widest = 0;

  for (int i = 0; i < g->n_layers; i++)
    widest = MAX (widest, g->tokens[i]->len);
  if (!build_constraints (g, gap, g->nc > 0, &k))
    {
      /* cannot happen (see order_row); never loop on it */
      constraints_free (&k);
      memset (&k, 0, sizeof k);
      build_constraints (g, gap, FALSE, &k);
    }
  lo = g_new (double, MAX ((guint) k.nv, widest) + 1);
  hi = g_new (double, MAX ((guint) k.nv, widest) + 1);
  /* start packed around 0 */
  for (int i = 0; i < g->n_layers; i++)
    {
      double cx = 0;
      GArray *r = g->rows[i];

      for (guint j = 0; j < r->len; j++)
        {
          int v = g_array_index (r, int, j);

          want[v] = cx + g->w[v] / 2;
          cx += g->w[v] + gap;
        }
      for (guint j = 0; j < r->len; j++)
        want[g_array_index (r, int, j)] -= cx / 2;
    }
  legalise (g, &k, want, lo, hi);
  for (int pass = 0; pass < X_PASSES; pass++)
    {
      gboolean down = pass % 2 == 0;

      for (int s = 0; s < g->n_layers; s++)
        {
          int i = down ? s : g->n_layers - 1 - s;
          GArray *r = g->rows[i];

          for (guint j = 0; j < r->len; j++)
            {
              int v = g_array_index (r, int, j);
              want[v] = neighbour_mean (g, v);
            }
          legalise_row (g, i, want, gap, lo, hi);
        }
    }
  for (int pass = 0; pass < GLOBAL_PASSES; pass++)
    {
      for (int v = 0; v < g->n; v++)
        want[v] = pass == 0 ? g->x[v] : neighbour_mean (g, v);
      legalise (g, &k, want, lo, hi);
    }
  constraints_free (&k);
}
