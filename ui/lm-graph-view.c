/* lm-graph-view.c: the computation-graph canvas (see lm-graph-view.h).
 *
 * The data graph is turned into a display graph (boxes and links): a node
 * inside a collapsed module becomes that module's box, links between the
 * same two boxes merge, links inside one box vanish. Every expanded module
 * on the way to a box is a frame (a module box); frames are clusters of the
 * layout, which keeps nodes that are not members out of them. The display
 * graph is measured on the main thread (Pango) and laid out in a worker; a
 * generation counter drops results that a newer change made stale.
 * Drawing is in lm-graph-view-draw.c.
 */
#include "lm-graph-view-private.h"
#include "lm-theme.h"

#include <math.h>
#include <string.h>

#include "lm-graph-layout.h"
#include "lm-profile.h"

typedef LmGraphKind Kind;
typedef LmGraphBox Box;
typedef LmGraphLink Link;
typedef LmGraphFrame Frame;

#define PAD_X LM_GRAPH_PAD_X
#define PAD_Y LM_GRAPH_PAD_Y
#define FRAME_PAD 8.0     /* module box: margin around its members */
#define FRAME_HEADER 16.0 /* ... and room for its title */

G_DEFINE_FINAL_TYPE (LmGraphView, lm_graph_view, GTK_TYPE_WIDGET)

enum { SELECTION_CHANGED, LAID_OUT, BREAKPOINTS_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ------------------------------------------------------------ helpers */

static Kind
kind_of (const char *op)
{
  static const char *const linear[] = { "linear", "matmul", "conv2d", NULL };
  static const char *const act[] = { "relu", "sigmoid", "tanh", "gelu", "softmax", "log_softmax",
                                     "dropout", NULL };
  static const char *const pool[] = { "max_pool2d", "avg_pool2d", NULL };
  static const char *const loss[] = { "cross_entropy", "nll_loss", "mse_loss", NULL };
  static const char *const view[] = { "view", "reshape", "flatten", "transpose", "permute",
                                      "contiguous", "squeeze", "unsqueeze", "expand", NULL };

  if (g_strcmp0 (op, "parameter") == 0)
    return KIND_PARAM;
  if (g_strcmp0 (op, "input") == 0)
    return KIND_INPUT;
  if (g_strv_contains (linear, op))
    return KIND_LINEAR;
  if (g_strv_contains (act, op))
    return KIND_ACT;
  if (g_strv_contains (pool, op))
    return KIND_POOL;
  if (g_strv_contains (loss, op))
    return KIND_LOSS;
  if (g_strv_contains (view, op))
    return KIND_VIEW;
  return KIND_OP;
}

void
lm_graph_view_kind_colour (LmGraphKind k, double rgb[3])
{
  static const double c[][3] = {
    [KIND_OP] = { 0.99, 0.90, 0.78 },     [KIND_LINEAR] = { 0.78, 0.87, 0.98 },
    [KIND_ACT] = { 0.80, 0.94, 0.80 },    [KIND_POOL] = { 0.88, 0.84, 0.97 },
    [KIND_LOSS] = { 0.98, 0.80, 0.82 },   [KIND_VIEW] = { 0.96, 0.96, 0.96 },
    [KIND_PARAM] = { 0.90, 0.90, 0.90 },  [KIND_INPUT] = { 0.99, 0.96, 0.75 },
    [KIND_GROUP] = { 0.75, 0.82, 0.90 },
  };
  memcpy (rgb, c[k], sizeof c[k]);
}

static void apply_fit (LmGraphView *self);

static gboolean
is_prefix_module (const char *prefix, const char *module)
{
  size_t n = strlen (prefix);

  return n > 0 && strncmp (prefix, module, n) == 0 && (module[n] == '\0' || module[n] == '.');
}

/* The outermost collapsed module holding `module`, or NULL. */
static const char *
collapsed_owner (LmGraphView *self, const char *module, char **owned)
{
  g_auto (GStrv) parts = NULL;
  GString *s;

  *owned = NULL;
  if (module == NULL || *module == '\0' || g_hash_table_size (self->collapsed) == 0)
    return NULL;
  parts = g_strsplit (module, ".", -1);
  s = g_string_new (NULL);
  for (int i = 0; parts[i]; i++)
    {
      if (i)
        g_string_append_c (s, '.');
      g_string_append (s, parts[i]);
      if (g_hash_table_contains (self->collapsed, s->str))
        {
          *owned = g_string_free (s, FALSE);
          return *owned;
        }
    }
  g_string_free (s, TRUE);
  return NULL;
}

static void
clear_display (LmGraphView *self)
{
  for (guint i = 0; self->boxes && i < self->boxes->len; i++)
    {
      Box *b = &g_array_index (self->boxes, Box, i);
      g_free (b->module);
      g_free (b->title);
      g_free (b->subtitle);
    }
  for (guint i = 0; self->links && i < self->links->len; i++)
    {
      Link *l = &g_array_index (self->links, Link, i);
      g_free (l->label);
      g_free (l->pts);
    }
  for (guint i = 0; self->frames && i < self->frames->len; i++)
    {
      g_free (g_array_index (self->frames, Frame, i).module);
      g_clear_object (&g_array_index (self->frames, Frame, i).head_pl);
    }
  g_clear_pointer (&self->boxes, g_array_unref);
  g_clear_pointer (&self->links, g_array_unref);
  g_clear_pointer (&self->frames, g_array_unref);
  g_clear_pointer (&self->rep, g_free);
  g_clear_pointer (&self->in_start, g_free);
  g_clear_pointer (&self->in_links, g_free);
  g_clear_pointer (&self->dep, g_free);
  g_clear_pointer (&self->match, g_free);
  g_clear_pointer (&self->breaks, g_free);
  lm_graph_view_clear_index (self);
  g_clear_handle_id (&self->prefetch_id, g_source_remove);
  self->selected = -1;
  self->laid_out = FALSE;
}

static gint64
params_in_module (LmGraphData *g, const char *module)
{
  gint64 n = 0;

  for (gsize i = 0; i < g->n_nodes; i++)
    if (g_strcmp0 (g->nodes[i].op, "parameter") == 0 && g->nodes[i].numel > 0
        && (is_prefix_module (module, g->nodes[i].module)))
      n += g->nodes[i].numel;
  return n;
}

static char *
count_text (gint64 n)
{
  if (n >= 1000000)
    return g_strdup_printf ("%.2fM", n / 1e6);
  if (n >= 10000)
    return g_strdup_printf ("%.1fk", n / 1e3);
  return g_strdup_printf ("%" G_GINT64_FORMAT, n);
}

/* ----------------------------------------------------------- layout */

typedef struct
{
  guint generation;
  LmGraphLayout *layout;
  double ms;
} LayoutJob;

static void
layout_job_free (gpointer p)
{
  LayoutJob *job = p;

  lm_graph_layout_free (job->layout);
  g_free (job);
}

static void
layout_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  LayoutJob *job = data;
  gint64 t0 = g_get_monotonic_time ();

  lm_graph_layout_run (job->layout);
  job->ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_task_return_boolean (task, TRUE);
}

/* A frame for every expanded module on the way to each box (its module,
 * or for a collapsed module's box, the modules around it), outer frames
 * first; box->frame is the innermost. */
static void
build_frames (LmGraphView *self)
{
  g_autoptr (GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);

  self->frames = g_array_new (FALSE, TRUE, sizeof (Frame));
  for (guint i = 0; i < self->boxes->len; i++)
    {
      Box *b = &g_array_index (self->boxes, Box, i);
      const char *module = b->data >= 0 ? self->graph->nodes[b->data].module : b->module;
      g_auto (GStrv) parts = NULL;
      int parent = -1, n_parts;
      GString *s;

      b->frame = -1;
      if (module == NULL || *module == '\0')
        continue;
      parts = g_strsplit (module, ".", -1);
      n_parts = (int) g_strv_length (parts);
      if (b->data < 0)
        n_parts--; /* a collapsed module sits in its parent's frame */
      s = g_string_new (NULL);
      for (int d = 0; d < n_parts; d++)
        {
          gpointer v;

          if (d)
            g_string_append_c (s, '.');
          g_string_append (s, parts[d]);
          if (!g_hash_table_lookup_extended (index, s->str, NULL, &v))
            {
              Frame nf = { g_strdup (s->str), d + 1, parent, 0, 0, 0, 0, NULL };
              g_array_append_val (self->frames, nf);
              v = GUINT_TO_POINTER (self->frames->len);
              g_hash_table_insert (index, g_array_index (self->frames, Frame, self->frames->len - 1).module, v);
            }
          parent = (int) GPOINTER_TO_UINT (v) - 1;
        }
      b->frame = parent;
      g_string_free (s, TRUE);
    }
}

/* Incoming links per box, for walking back from the selection. */
static void
index_inputs (LmGraphView *self)
{
  guint nb = self->boxes->len, nl = self->links->len;

  self->in_start = g_new0 (int, nb + 1);
  self->in_links = g_new (int, MAX (nl, 1));
  for (guint i = 0; i < nl; i++)
    self->in_start[g_array_index (self->links, Link, i).b + 1]++;
  for (guint i = 0; i < nb; i++)
    self->in_start[i + 1] += self->in_start[i];
  g_autofree int *fill = g_memdup2 (self->in_start, sizeof (int) * (nb + 1));
  for (guint i = 0; i < nl; i++)
    self->in_links[fill[g_array_index (self->links, Link, i).b]++] = (int) i;
}

/* Everything the selected box depends on: a walk back along the links. */
static void
compute_dependencies (LmGraphView *self)
{
  guint n = self->boxes ? self->boxes->len : 0;
  int head = 0, tail = 0;

  g_clear_pointer (&self->dep, g_free);
  if (self->selected < 0 || n == 0 || self->in_start == NULL)
    return;
  self->dep = g_new0 (gboolean, n);
  g_autofree int *queue = g_new (int, n);
  self->dep[self->selected] = TRUE;
  queue[tail++] = self->selected;
  while (head < tail)
    {
      int v = queue[head++];

      for (int k = self->in_start[v]; k < self->in_start[v + 1]; k++)
        {
          int a = g_array_index (self->links, Link, self->in_links[k]).a;

          if (!self->dep[a])
            {
              self->dep[a] = TRUE;
              queue[tail++] = a;
            }
        }
    }
}

static void
on_layout_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LmGraphView *self = LM_GRAPH_VIEW (source);
  LayoutJob *job = g_task_get_task_data (G_TASK (res));
  LmGraphLayout *l = job->layout;

  if (job->generation != self->generation || self->boxes == NULL)
    return; /* a newer graph or box state is on its way */
  for (guint i = 0; i < self->boxes->len; i++)
    {
      Box *b = &g_array_index (self->boxes, Box, i);
      b->x = l->nodes[i].x + 40;
      b->y = l->nodes[i].y + 40;
    }
  for (guint i = 0; i < self->links->len; i++)
    {
      Link *k = &g_array_index (self->links, Link, i);
      LmLayoutEdge *e = &l->edges[i];

      g_free (k->pts);
      k->n_pts = e->n_points;
      k->pts = g_new (double, 2 * MAX (e->n_points, 1));
      for (int p = 0; p < e->n_points; p++)
        {
          k->pts[2 * p] = e->points[2 * p] + 40;
          k->pts[2 * p + 1] = e->points[2 * p + 1] + 40;
        }
    }
  for (guint i = 0; i < self->frames->len; i++)
    {
      Frame *f = &g_array_index (self->frames, Frame, i);
      LmLayoutCluster *c = &l->clusters[i];

      f->x0 = c->x0 + 40;
      f->y0 = c->y0 + 40;
      f->x1 = c->x1 + 40;
      f->y1 = c->y1 + 40;
      g_clear_object (&f->head_pl); /* its width changed */
    }
  self->world_w = l->width + 80;
  self->world_h = l->height + 80;
  self->layout_ms = job->ms;
  lm_graph_view_index (self);
  compute_dependencies (self);
  self->laid_out = TRUE;
  if (self->fit_pending)
    apply_fit (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[LAID_OUT], 0);
}

static void
measure (LmGraphView *self, PangoLayout *pl, PangoFontDescription *bold, PangoFontDescription *small,
         Box *b)
{
  int w1, h1, w2 = 0, h2 = 0;

  pango_layout_set_font_description (pl, bold);
  pango_layout_set_text (pl, b->title, -1);
  pango_layout_get_pixel_size (pl, &w1, &h1);
  if (b->subtitle)
    {
      pango_layout_set_font_description (pl, small);
      pango_layout_set_text (pl, b->subtitle, -1);
      pango_layout_get_pixel_size (pl, &w2, &h2);
    }
  b->w = MAX (w1, w2) + 2 * PAD_X;
  b->h = h1 + h2 + 2 * PAD_Y;
}

/* Boxes whose node has a NaN/Inf in the trace, and the node of the op
 * that made the first one (lm_trace_data_first_anomaly: in backward, the
 * op whose backward returned it, whose own tensor may be finite). */
static void
mark_anomalies (LmGraphView *self)
{
  LmTraceAnomaly first;
  gssize fk;

  if (self->boxes == NULL)
    return;
  for (guint i = 0; i < self->boxes->len; i++)
    {
      g_array_index (self->boxes, Box, i).anomaly = FALSE;
      g_array_index (self->boxes, Box, i).first_anomaly = FALSE;
    }
  for (gsize i = 0; self->trace && i < self->trace->n_events; i++)
    {
      LmTraceDataEvent *ev = &self->trace->events[i];
      gssize k = lm_graph_data_find (self->graph, ev->node_id);

      if (k >= 0 && ev->nan_count + ev->inf_count > 0)
        g_array_index (self->boxes, Box, self->rep[k]).anomaly = TRUE;
    }
  if (lm_trace_data_first_anomaly (self->trace, self->graph, LM_TRACE_NONFINITE, &first)
      && (fk = lm_graph_data_find (self->graph, self->trace->events[first.event].node_id)) >= 0)
    {
      Box *b = &g_array_index (self->boxes, Box, self->rep[fk]);
      b->anomaly = TRUE;
      b->first_anomaly = TRUE;
    }
}

/* Builds boxes and links for the current graph and collapsed modules, and
 * starts their layout. */
static void
rebuild (LmGraphView *self)
{
  LmGraphData *g = self->graph;
  g_autoptr (GHashTable) groups = NULL;
  g_autoptr (GHashTable) seen_links = NULL;
  PangoLayout *pl;
  PangoFontDescription *bold, *small;
  LayoutJob *job;
  GTask *task;
  gint64 keep_selected = self->selected_id;

  clear_display (self);
  self->generation++;
  if (g == NULL)
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  self->boxes = g_array_new (FALSE, TRUE, sizeof (Box));
  self->links = g_array_new (FALSE, TRUE, sizeof (Link));
  self->rep = g_new (int, MAX (g->n_nodes, 1));
  groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (gsize i = 0; i < g->n_nodes; i++)
    {
      LmGraphDataNode *n = &g->nodes[i];
      g_autofree char *owner = NULL;
      gpointer v;

      if (collapsed_owner (self, n->module, &owner))
        {
          if (!g_hash_table_lookup_extended (groups, owner, NULL, &v))
            {
              g_autofree char *pc = count_text (params_in_module (g, owner));
              Box b = { .data = -1, .module = g_strdup (owner), .kind = KIND_GROUP };

              b.title = g_strdup_printf ("▸ %s", owner);
              b.subtitle = g_strdup_printf ("module · %s params", pc);
              g_array_append_val (self->boxes, b);
              v = GUINT_TO_POINTER (self->boxes->len);
              g_hash_table_insert (groups, g_strdup (owner), v);
            }
          self->rep[i] = (int) GPOINTER_TO_UINT (v) - 1;
          continue;
        }
      Box b = { .data = (int) i, .kind = kind_of (n->op) };
      g_autofree char *shape = lm_graph_data_shape_text (n->ndim, n->shape);
      if (b.kind == KIND_PARAM || b.kind == KIND_INPUT)
        {
          b.title = g_strdup (n->name);
          b.subtitle = g_strdup (shape);
        }
      else
        {
          b.title = g_strdup (n->op);
          b.subtitle = g_strdup_printf ("%s%s%s", *n->module ? n->module : "", *n->module ? " · " : "",
                                        shape);
        }
      g_array_append_val (self->boxes, b);
      self->rep[i] = (int) self->boxes->len - 1;
    }

  seen_links = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (gsize e = 0; e < g->n_edges; e++)
    {
      gssize s = lm_graph_data_find (g, g->edges[e].src), d = lm_graph_data_find (g, g->edges[e].dst);
      int a, b;
      gint64 *key;

      if (s < 0 || d < 0)
        continue;
      a = self->rep[s];
      b = self->rep[d];
      if (a == b)
        continue;
      key = g_new (gint64, 1);
      *key = ((gint64) a << 32) | (guint32) b;
      if (g_hash_table_contains (seen_links, key))
        {
          g_free (key);
          continue;
        }
      g_hash_table_add (seen_links, key);
      Link l = { .a = a, .b = b, .numel = g->nodes[s].numel };
      l.label = lm_graph_data_shape_text (g->nodes[s].ndim, g->nodes[s].shape);
      g_array_append_val (self->links, l);
    }
  /* the hash owns nothing: free the keys */
  {
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init (&it, seen_links);
    while (g_hash_table_iter_next (&it, &k, NULL))
      g_free (k);
  }

  mark_anomalies (self);

  pl = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  bold = pango_font_description_from_string ("Sans Bold 9");
  small = pango_font_description_from_string ("Sans 7.5");
  job = g_new0 (LayoutJob, 1);
  job->generation = self->generation;
  job->layout = lm_graph_layout_new ((int) self->boxes->len, (int) self->links->len);
  for (guint i = 0; i < self->boxes->len; i++)
    {
      Box *b = &g_array_index (self->boxes, Box, i);
      measure (self, pl, bold, small, b);
      job->layout->nodes[i].w = b->w;
      job->layout->nodes[i].h = b->h;
    }
  for (guint i = 0; i < self->links->len; i++)
    {
      job->layout->edges[i].src = g_array_index (self->links, Link, i).a;
      job->layout->edges[i].dst = g_array_index (self->links, Link, i).b;
    }
  build_frames (self);
  lm_graph_layout_set_clusters (job->layout, (int) self->frames->len);
  for (guint i = 0; i < self->frames->len; i++)
    {
      job->layout->clusters[i].parent = g_array_index (self->frames, Frame, i).parent;
      job->layout->clusters[i].pad = FRAME_PAD;
      job->layout->clusters[i].header = FRAME_HEADER;
    }
  for (guint i = 0; i < self->boxes->len; i++)
    job->layout->nodes[i].cluster = g_array_index (self->boxes, Box, i).frame;
  index_inputs (self);
  job->layout->hgap = 28;
  job->layout->vgap = 44;
  pango_font_description_free (bold);
  pango_font_description_free (small);
  g_object_unref (pl);

  self->match = g_new0 (gboolean, MAX (self->boxes->len, 1));
  self->selected = -1;
  if (keep_selected >= 0)
    {
      gssize k = lm_graph_data_find (g, keep_selected);
      self->selected = k >= 0 ? self->rep[k] : -1;
    }

  task = g_task_new (self, NULL, on_layout_done, NULL);
  g_task_set_task_data (task, job, layout_job_free);
  g_task_run_in_thread (task, layout_thread);
  g_object_unref (task);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---------------------------------------------------------- drawing */

/* A box breaks when its node (or, collapsed, any node inside) does; the
 * flags are worked out once per change of breakpoints or boxes. */
gboolean
lm_graph_view_box_breaks (LmGraphView *self, int box)
{
  guint n = self->boxes ? self->boxes->len : 0;

  if (box < 0 || (guint) box >= n || self->graph == NULL
      || g_hash_table_size (self->bp_nodes) + g_hash_table_size (self->bp_ops) == 0)
    return FALSE;
  if (self->breaks == NULL)
    {
      self->breaks = g_new0 (gboolean, n);
      for (gsize i = 0; i < self->graph->n_nodes; i++)
        if (lm_graph_view_breaks_at (self, self->graph->nodes[i].id))
          self->breaks[self->rep[i]] = TRUE;
    }
  return self->breaks[box];
}

static void
lm_graph_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);

  lm_graph_view_draw (LM_GRAPH_VIEW (widget), snapshot, w, h);
  /* Keyboard focus (Tab into the graph; the arrow keys pan, Ctrl +/-/0
   * zoom): a ring inside the edge in the theme's focus blue.  The canvas
   * covers the whole widget, so nothing else showed where the keys go. */
  lm_theme_snapshot_focus_ring (widget, snapshot);
}

/* ------------------------------------------------------------ input */

static int
box_at (LmGraphView *self, double wx, double wy)
{
  if (!self->laid_out)
    return -1;
  for (int i = (int) self->boxes->len - 1; i >= 0; i--)
    {
      Box *b = &g_array_index (self->boxes, Box, i);
      if (fabs (wx - b->x) <= b->w / 2 && fabs (wy - b->y) <= b->h / 2)
        return i;
    }
  return -1;
}

static const char *
frame_header_at (LmGraphView *self, double wx, double wy)
{
  if (!self->laid_out)
    return NULL;
  for (int i = (int) self->frames->len - 1; i >= 0; i--)
    {
      Frame *f = &g_array_index (self->frames, Frame, i);
      if (wx >= f->x0 && wx <= f->x1 && wy >= f->y0 && wy <= f->y0 + 16)
        return f->module;
    }
  return NULL;
}

static void
select_box (LmGraphView *self, int box)
{
  self->selected = box;
  if (box < 0)
    self->selected_id = -1;
  else
    {
      Box *b = &g_array_index (self->boxes, Box, box);
      if (b->data >= 0)
        self->selected_id = self->graph->nodes[b->data].id;
      else
        {
          /* a collapsed module: remember its first member */
          self->selected_id = -1;
          for (gsize i = 0; i < self->graph->n_nodes; i++)
            if (self->rep[i] == box)
              {
                self->selected_id = self->graph->nodes[i].id;
                break;
              }
        }
    }
  compute_dependencies (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

static void
on_click (GtkGestureClick *gesture, int n_press, double x, double y, LmGraphView *self)
{
  double wx = (x - self->tx) / self->scale, wy = (y - self->ty) / self->scale;
  int box = box_at (self, wx, wy);
  const char *head;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (box >= 0)
    {
      Box *b = &g_array_index (self->boxes, Box, box);
      if (n_press == 2 && b->data < 0)
        {
          g_autofree char *m = g_strdup (b->module);
          lm_graph_view_set_collapsed (self, m, FALSE);
          return;
        }
      select_box (self, box);
      return;
    }
  head = frame_header_at (self, wx, wy);
  if (head)
    {
      g_autofree char *m = g_strdup (head);
      lm_graph_view_set_collapsed (self, m, TRUE);
      return;
    }
  select_box (self, -1);
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, LmGraphView *self)
{
  self->drag_tx = self->tx;
  self->drag_ty = self->ty;
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, LmGraphView *self)
{
  self->tx = self->drag_tx + dx;
  self->ty = self->drag_ty + dy;
  self->fit_pending = FALSE;
  self->reveal_pending = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The scale that fits the whole graph (1 before a layout). */
static double
fit_scale (LmGraphView *self)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));

  if (!self->laid_out || w <= 0 || h <= 0 || self->world_w <= 0 || self->world_h <= 0)
    return 1;
  return MIN (MIN (w / self->world_w, h / self->world_h), 1.25);
}

static void
zoom_at (LmGraphView *self, double factor, double x, double y)
{
  double s = CLAMP (self->scale * factor, MIN (0.02, fit_scale (self)), 8);

  factor = s / self->scale;
  self->tx = x - (x - self->tx) * factor;
  self->ty = y - (y - self->ty) * factor;
  self->scale = s;
  self->fit_pending = FALSE;
  self->reveal_pending = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
on_scroll (GtkEventControllerScroll *ctl, double dx, double dy, LmGraphView *self)
{
  double x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0, y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;

  if (self->has_pointer)
    x = self->px, y = self->py;
  zoom_at (self, exp (-dy * 0.15), x, y);
  return TRUE;
}

static void
on_motion (GtkEventControllerMotion *ctl, double x, double y, LmGraphView *self)
{
  self->px = x;
  self->py = y;
  self->has_pointer = TRUE;
}

/* Ctrl + / Ctrl - zoom around the centre, Ctrl 0 fits, the arrow keys
 * pan by a tenth of the view (as in image viewers and maps). */
static gboolean
on_key (GtkEventControllerKey *ctl, guint keyval, guint keycode, GdkModifierType state, LmGraphView *self)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  gboolean ctrl = (state & GDK_CONTROL_MASK) != 0;

  switch (keyval)
    {
    case GDK_KEY_plus:
    case GDK_KEY_equal:
    case GDK_KEY_KP_Add:
      if (!ctrl)
        return FALSE;
      lm_graph_view_zoom (self, 1.25);
      return TRUE;
    case GDK_KEY_minus:
    case GDK_KEY_KP_Subtract:
      if (!ctrl)
        return FALSE;
      lm_graph_view_zoom (self, 0.8);
      return TRUE;
    case GDK_KEY_0:
    case GDK_KEY_KP_0:
      if (!ctrl)
        return FALSE;
      lm_graph_view_fit (self);
      return TRUE;
    case GDK_KEY_Left:
      lm_graph_view_pan (self, w / 10, 0);
      return TRUE;
    case GDK_KEY_Right:
      lm_graph_view_pan (self, -w / 10, 0);
      return TRUE;
    case GDK_KEY_Up:
      lm_graph_view_pan (self, 0, h / 10);
      return TRUE;
    case GDK_KEY_Down:
      lm_graph_view_pan (self, 0, -h / 10);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
on_leave (GtkEventControllerMotion *ctl, LmGraphView *self)
{
  self->has_pointer = FALSE;
}

static void
on_resize (LmGraphView *self)
{
  if (self->fit_pending && self->laid_out)
    apply_fit (self);
}

static void
lm_graph_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  on_resize (LM_GRAPH_VIEW (widget));
}

/* ------------------------------------------------------------ GObject */

/* Edge brushes and arrow heads are textures in the old colours. */
static void
on_theme_dark (LmGraphView *self)
{
  for (int k = 0; k < LM_GRAPH_ARROW_STEPS; k++)
    for (int c = 0; c < 3; c++)
      g_clear_object (&self->arrows[k][c]);
  for (int c = 0; c < 3; c++)
    for (int k = 0; k < LM_GRAPH_BRUSH_PX; k++)
      for (int v = 0; v < 2; v++)
        g_clear_object (&self->brushes[c][k][v]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
lm_graph_view_dispose (GObject *object)
{
  LmGraphView *self = LM_GRAPH_VIEW (object);

  self->generation++;
  lm_graph_view_clear_texts (self);
  clear_display (self);
  g_clear_pointer (&self->visible, g_array_unref);
  g_clear_pointer (&self->texts_now, g_array_unref);
  g_clear_pointer (&self->texts_later, g_array_unref);
  g_clear_pointer (&self->dots, g_free);
  self->n_dots = 0;
  g_clear_object (&self->badge_pl);
  g_clear_pointer (&self->graph, lm_graph_data_free);
  g_clear_pointer (&self->trace, lm_trace_data_free);
  g_clear_pointer (&self->node_ns, g_hash_table_unref);
  G_OBJECT_CLASS (lm_graph_view_parent_class)->dispose (object);
}

static void
lm_graph_view_finalize (GObject *object)
{
  LmGraphView *self = LM_GRAPH_VIEW (object);

  g_hash_table_unref (self->collapsed);
  g_hash_table_unref (self->bp_nodes);
  g_hash_table_unref (self->bp_ops);
  G_OBJECT_CLASS (lm_graph_view_parent_class)->finalize (object);
}

static void
lm_graph_view_class_init (LmGraphViewClass *klass)
{
  GtkWidgetClass *wc = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = lm_graph_view_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_graph_view_finalize;
  wc->snapshot = lm_graph_view_snapshot;
  wc->size_allocate = lm_graph_view_size_allocate;
  signals[SELECTION_CHANGED] = g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[BREAKPOINTS_CHANGED] = g_signal_new ("breakpoints-changed", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[LAID_OUT] = g_signal_new ("laid-out", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                    NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_css_name (wc, "lm-graph-view");
}

static void
lm_graph_view_init (LmGraphView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkEventController *motion, *key;

  self->collapsed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->bp_nodes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->bp_ops = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->selected = -1;
  self->selected_id = -1;
  self->scale = 1;
  self->fit_pending = TRUE;
  self->reveal_pending = -1;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  lm_theme_redraw_on_focus (GTK_WIDGET (self));
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  g_signal_connect (click, "pressed", G_CALLBACK (on_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect_object (lm_theme_get_default (), "notify::dark", G_CALLBACK (on_theme_dark), self,
                           G_CONNECT_SWAPPED);
}

/* ------------------------------------------------------------- API */

GtkWidget *
lm_graph_view_new (void)
{
  return g_object_new (LM_TYPE_GRAPH_VIEW, NULL);
}

void
lm_graph_view_set_graph (LmGraphView *self, LmGraphData *graph)
{
  g_return_if_fail (LM_IS_GRAPH_VIEW (self));
  if (graph == self->graph)
    return;
  lm_graph_view_clear_texts (self); /* another graph, other texts */
  g_clear_pointer (&self->graph, lm_graph_data_free);
  g_clear_pointer (&self->trace, lm_trace_data_free);
  g_clear_pointer (&self->node_ns, g_hash_table_unref);
  self->max_ns = 0;
  self->graph = graph;
  self->selected_id = -1;
  g_hash_table_remove_all (self->collapsed);
  self->fit_pending = TRUE;
  self->reveal_pending = -1;
  self->fit_all = FALSE;
  rebuild (self);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

LmGraphData *
lm_graph_view_get_graph (LmGraphView *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), NULL);
  return self->graph;
}

gint64
lm_graph_view_box_time (LmGraphView *self, int box)
{
  const LmGraphBox *b;
  gint64 sum = -1;

  if (self->node_ns == NULL || self->graph == NULL || box < 0 || self->boxes == NULL
      || box >= (int) self->boxes->len)
    return -1;
  b = &g_array_index (self->boxes, LmGraphBox, box);
  if (b->data >= 0)
    {
      gint64 *ns = g_hash_table_lookup (self->node_ns, &self->graph->nodes[b->data].id);
      return ns ? *ns : -1;
    }
  /* a collapsed module: what its nodes took */
  for (gsize i = 0; self->rep != NULL && i < self->graph->n_nodes; i++)
    if (self->rep[i] == box)
      {
        gint64 *ns = g_hash_table_lookup (self->node_ns, &self->graph->nodes[i].id);
        if (ns)
          sum = MAX (sum, 0) + *ns;
      }
  return sum;
}

/* The scale's top: the slowest box as boxes are now (collapsing a module
 * makes one box of its nodes' times). */
void
lm_graph_view_update_time_scale (LmGraphView *self)
{
  self->max_ns = 0;
  for (guint i = 0; self->node_ns && self->boxes && i < self->boxes->len; i++)
    self->max_ns = MAX (self->max_ns, lm_graph_view_box_time (self, (int) i));
}

static void
update_times (LmGraphView *self)
{
  g_clear_pointer (&self->node_ns, g_hash_table_unref);
  if (self->trace)
    self->node_ns = lm_profile_node_times (self->trace);
  lm_graph_view_update_time_scale (self);
}

void
lm_graph_view_set_color (LmGraphView *self, LmGraphColor color)
{
  g_return_if_fail (LM_IS_GRAPH_VIEW (self));
  if (self->color == color)
    return;
  self->color = color;
  lm_graph_view_update_time_scale (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

LmGraphColor
lm_graph_view_get_color (LmGraphView *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), LM_GRAPH_COLOR_STRUCTURE);
  return self->color;
}

gint64
lm_graph_view_get_node_time (LmGraphView *self, gint64 node_id)
{
  gssize k;

  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), -1);
  if (self->graph == NULL || self->rep == NULL || (k = lm_graph_data_find (self->graph, node_id)) < 0)
    return -1;
  return lm_graph_view_box_time (self, self->rep[k]);
}

void
lm_graph_view_time_colour (LmGraphView *self, gint64 ns, double rgb[3])
{
  /* the theme's scale, light yellow to dark red on the light canvas as
   * TensorBoard shades compute time; the colour as painted */
  const LmThemeColors *tc = lm_theme_colors ();
  const GdkRGBA *lo = &tc->graph_time_lo, *hi = &tc->graph_time_hi;
  double f;

  g_return_if_fail (LM_IS_GRAPH_VIEW (self));
  if (ns < 0)
    {
      rgb[0] = tc->graph_time_none.red, rgb[1] = tc->graph_time_none.green, rgb[2] = tc->graph_time_none.blue;
      return;
    }
  f = self->max_ns > 0 ? CLAMP ((double) ns / (double) self->max_ns, 0, 1) : 0;
  rgb[0] = lo->red + (hi->red - lo->red) * f;
  rgb[1] = lo->green + (hi->green - lo->green) * f;
  rgb[2] = lo->blue + (hi->blue - lo->blue) * f;
}

void
lm_graph_view_set_trace (LmGraphView *self, LmTraceData *trace)
{
  g_return_if_fail (LM_IS_GRAPH_VIEW (self));
  if (trace == self->trace)
    return;
  g_clear_pointer (&self->trace, lm_trace_data_free);
  self->trace = trace;
  mark_anomalies (self);
  update_times (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

const LmTraceData *
lm_graph_view_get_trace (LmGraphView *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), NULL);
  return self->trace;
}

void
lm_graph_view_set_collapsed (LmGraphView *self, const char *module, gboolean collapsed)
{
  g_return_if_fail (LM_IS_GRAPH_VIEW (self));
  if (module == NULL || *module == '\0' || collapsed == lm_graph_view_get_collapsed (self, module))
    return;
  if (collapsed)
    g_hash_table_add (self->collapsed, g_strdup (module));
  else
    g_hash_table_remove (self->collapsed, module);
  rebuild (self);
}

gboolean
lm_graph_view_get_collapsed (LmGraphView *self, const char *module)
{
  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), FALSE);
  return module && g_hash_table_contains (self->collapsed, module);
}

void
lm_graph_view_collapse_all (LmGraphView *self, gboolean collapsed)
{
  g_return_if_fail (LM_IS_GRAPH_VIEW (self));
  g_hash_table_remove_all (self->collapsed);
  if (collapsed && self->graph)
    for (gsize i = 0; i < self->graph->n_nodes; i++)
      {
        const char *m = self->graph->nodes[i].module;
        const char *dot = strchr (m, '.');
        if (*m)
          g_hash_table_add (self->collapsed, dot ? g_strndup (m, (gsize) (dot - m)) : g_strdup (m));
      }
  self->fit_pending = TRUE;
  rebuild (self);
}

/* Below this the boxes' 13 px labels are under 9 px: unreadable. */
#define READABLE_SCALE 0.7

/* The view a new graph (or a relayout) gets: all of it when it fits at a
 * readable size, else a readable size from the top (the inputs), centred
 * or from the left, to pan and zoom from, as TensorBoard's graph opens
 * readable; the fit button still shows everything. */
static gboolean reveal_now (LmGraphView *self, gint64 node_id);

static void
apply_fit (LmGraphView *self)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  double s;

  self->fit_pending = TRUE;
  if (!self->laid_out || w <= 0 || h <= 0 || self->world_w <= 0 || self->world_h <= 0)
    return;
  s = fit_scale (self);
  if (self->fit_all || s >= READABLE_SCALE)
    {
      self->scale = s;
      self->tx = (w - self->world_w * s) / 2;
      self->ty = (h - self->world_h * s) / 2;
    }
  else
    {
      self->scale = READABLE_SCALE;
      self->tx = self->world_w * s <= w ? (w - self->world_w * READABLE_SCALE) / 2 : 0;
      self->tx = MAX (self->tx, 0);
      self->ty = 0;
    }
  if (self->reveal_pending >= 0)
    reveal_now (self, self->reveal_pending);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lm_graph_view_fit (LmGraphView *self)
{
  g_return_if_fail (LM_IS_GRAPH_VIEW (self));
  self->fit_all = TRUE;
  self->reveal_pending = -1; /* everything, as asked */
  apply_fit (self);
}

void
lm_graph_view_zoom (LmGraphView *self, double factor)
{
  g_return_if_fail (LM_IS_GRAPH_VIEW (self));
  zoom_at (self, factor, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
           gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
lm_graph_view_pan (LmGraphView *self, double dx, double dy)
{
  g_return_if_fail (LM_IS_GRAPH_VIEW (self));
  self->tx += dx;
  self->ty += dy;
  self->fit_pending = FALSE;
  self->reveal_pending = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
lm_graph_view_get_scale (LmGraphView *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), 1);
  return self->scale;
}

static gboolean
contains_ci (const char *hay, const char *needle_folded)
{
  g_autofree char *h = hay ? g_utf8_casefold (hay, -1) : NULL;
  return h && strstr (h, needle_folded) != NULL;
}

/* Selects box b and puts it in the middle of the view. */
static void
select_and_centre (LmGraphView *self, int b)
{
  select_box (self, b);
  if (self->laid_out)
    {
      Box *box = &g_array_index (self->boxes, Box, b);

      self->tx = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0 - box->x * self->scale;
      self->ty = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0 - box->y * self->scale;
      self->fit_pending = FALSE;
    }
}

guint
lm_graph_view_search (LmGraphView *self, const char *text)
{
  g_autofree char *needle = NULL;
  guint n = 0;
  int first = -1;

  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), 0);
  if (self->boxes == NULL)
    return 0;
  memset (self->match, 0, sizeof (gboolean) * MAX (self->boxes->len, 1));
  if (text == NULL || *text == '\0')
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return 0;
    }
  needle = g_utf8_casefold (text, -1);
  for (gsize i = 0; i < self->graph->n_nodes; i++)
    {
      LmGraphDataNode *nd = &self->graph->nodes[i];
      if (contains_ci (nd->name, needle) || contains_ci (nd->op, needle) || contains_ci (nd->module, needle))
        {
          int b = self->rep[i];
          if (!self->match[b])
            n++;
          self->match[b] = TRUE;
          if (first < 0)
            first = b;
        }
    }
  if (first >= 0)
    select_and_centre (self, first);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return n;
}

int
lm_graph_view_search_step (LmGraphView *self, int direction)
{
  g_autoptr (GArray) order = NULL;   /* matching boxes, in graph order */
  int at = -1;

  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), 0);
  if (self->boxes == NULL || self->graph == NULL)
    return 0;
  order = g_array_new (FALSE, FALSE, sizeof (int));
  for (gsize i = 0; i < self->graph->n_nodes; i++)
    {
      int b = self->rep[i];
      gboolean seen = FALSE;

      for (guint k = 0; k < order->len && !seen; k++)
        seen = g_array_index (order, int, k) == b;
      if (self->match[b] && !seen)
        {
          if (b == self->selected)
            at = (int) order->len;
          g_array_append_val (order, b);
        }
    }
  if (order->len == 0)
    return 0;
  if (at < 0)
    at = direction >= 0 ? 0 : (int) order->len - 1;
  else
    at = (at + (direction >= 0 ? 1 : (int) order->len - 1)) % (int) order->len;
  select_and_centre (self, g_array_index (order, int, at));
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return at + 1;
}

void
lm_graph_view_select (LmGraphView *self, gint64 node_id)
{
  gssize k;

  g_return_if_fail (LM_IS_GRAPH_VIEW (self));
  k = node_id >= 0 && self->graph ? lm_graph_data_find (self->graph, node_id) : -1;
  if (k < 0 || self->rep == NULL)
    {
      select_box (self, -1);
      return;
    }
  select_box (self, self->rep[k]);
  self->selected_id = node_id;
}

/* Brings node_id's box on screen, centred when it was off; FALSE when
 * that can't be known yet (no layout, no size). Leaves fit_pending alone. */
static gboolean
reveal_now (LmGraphView *self, gint64 node_id)
{
  graphene_rect_t r;
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));

  if (!lm_graph_view_get_node_rect (self, node_id, &r) || w <= 0 || h <= 0)
    return FALSE;
  if (r.origin.x >= 0 && r.origin.y >= 0 && r.origin.x + r.size.width <= w && r.origin.y + r.size.height <= h)
    return TRUE;
  self->tx += w / 2.0 - (r.origin.x + r.size.width / 2);
  self->ty += h / 2.0 - (r.origin.y + r.size.height / 2);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

/* While the view still follows its size (fit_pending: the user has not
 * panned or zoomed), the node is kept on screen across the first layout
 * and the window's first sizes: the debugger opened at --op K shows op K,
 * not the top of the graph. */
void
lm_graph_view_reveal (LmGraphView *self, gint64 node_id)
{
  g_return_if_fail (LM_IS_GRAPH_VIEW (self));
  if (self->fit_pending)
    {
      self->reveal_pending = node_id;
      apply_fit (self);
      return;
    }
  reveal_now (self, node_id);
}

gint64
lm_graph_view_get_selected (LmGraphView *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), -1);
  return self->selected >= 0 ? self->selected_id : -1;
}

static void
append_stats (GString *s, const LmTraceDataEvent *e)
{
  g_string_append_printf (s, "<b>%s</b>  %s\n", e->backward ? "backward (gradient)" : "forward (output)",
                          e->nan_count + e->inf_count ? "<span foreground='#c00'><b>NaN/Inf</b></span>" : "");
  char st[4][32];

  g_string_append_printf (s, "  min %s   max %s\n  mean %s   std %s\n",
                          lm_graph_data_stat_text (e->min, 4, st[0], sizeof st[0]),
                          lm_graph_data_stat_text (e->max, 4, st[1], sizeof st[1]),
                          lm_graph_data_stat_text (e->mean, 4, st[2], sizeof st[2]),
                          lm_graph_data_stat_text (e->std, 4, st[3], sizeof st[3]));
  g_string_append_printf (s, "  NaN %" G_GINT64_FORMAT "   Inf %" G_GINT64_FORMAT "   zeros %" G_GINT64_FORMAT
                          " of %" G_GINT64_FORMAT "\n",
                          e->nan_count, e->inf_count, e->zero_count, e->numel);
}

/* A profiled step's times for node id: "Time: forward 1.20 ms, backward
 * 2.41 ms (3.61 ms, 14.2% of the step)". */
static void
append_times (GString *s, const LmTraceData *t, gint64 id)
{
  gint64 fwd = 0, bwd = 0, ops = 0;
  gboolean timed = FALSE;
  char a[32], b[32], c[32];

  for (gsize i = 0; i < t->n_events; i++)
    if (t->events[i].dur_ns >= 0)
      {
        ops += t->events[i].dur_ns;
        if (t->events[i].node_id != id)
          continue;
        timed = TRUE;
        if (t->events[i].backward)
          bwd += t->events[i].dur_ns;
        else
          fwd += t->events[i].dur_ns;
      }
  if (!timed)
    return;
  gint64 step = t->dur_ns > 0 ? MAX (t->dur_ns, ops) : ops;
  g_string_append_printf (s, "<b>Time</b>: forward %s, backward %s\n(%s, %.1f%% of the step)\n",
                          lm_profile_time_text ((double) fwd, a, sizeof a),
                          lm_profile_time_text ((double) bwd, b, sizeof b),
                          lm_profile_time_text ((double) (fwd + bwd), c, sizeof c),
                          step > 0 ? 100.0 * (double) (fwd + bwd) / (double) step : 0.0);
}

char *
lm_graph_view_describe_selected (LmGraphView *self)
{
  GString *s;
  Box *b;
  LmGraphData *g;

  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), NULL);
  g = self->graph;
  if (g == NULL)
    return g_strdup ("No graph in this run.");
  if (self->selected < 0 || self->boxes == NULL)
    {
      g_autofree char *esc = g_markup_escape_text (g->name ? g->name : "graph", -1);
      g_autofree char *traced = self->trace
        ? g_strdup_printf ("Values and statistics: the trace of step %" G_GINT64_FORMAT ".\n",
                           self->trace->step)
        : g_strdup ("");
      return g_strdup_printf ("<b>%s</b>, graph logged at step %" G_GINT64_FORMAT "\n"
                              "%zu nodes, %zu edges\n%s\n"
                              "Click a node for its details and everything it depends on. Click a "
                              "module's header to collapse it; double-click a collapsed module to "
                              "expand it.",
                              esc, g->step, g->n_nodes, g->n_edges, traced);
    }
  s = g_string_new (NULL);
  b = &g_array_index (self->boxes, Box, self->selected);
  if (b->data < 0)
    {
      g_autofree char *esc = g_markup_escape_text (b->module, -1);
      g_autofree char *pc = count_text (params_in_module (g, b->module));
      int ops = 0;
      for (gsize i = 0; i < g->n_nodes; i++)
        if (self->rep[i] == self->selected && g_strcmp0 (g->nodes[i].op, "parameter") != 0)
          ops++;
      g_string_append_printf (s, "<b>module %s</b> (collapsed)\n%d ops, %s parameters\n", esc, ops, pc);
      for (guint i = 0; i < self->links->len; i++)
        {
          Link *l = &g_array_index (self->links, Link, i);
          if (l->b == self->selected)
            g_string_append_printf (s, "in: %s\n", l->label);
          if (l->a == self->selected)
            g_string_append_printf (s, "out: %s\n", l->label);
        }
      return g_string_free (s, FALSE);
    }

  LmGraphDataNode *n = &g->nodes[b->data];
  g_autofree char *shape = lm_graph_data_shape_text (n->ndim, n->shape);
  g_autofree char *name = g_markup_escape_text (n->name, -1);
  g_autofree char *op = g_markup_escape_text (n->op, -1);
  g_autofree char *mod = g_markup_escape_text (*n->module ? n->module : "(top level)", -1);
  gint64 params = 0;

  g_string_append_printf (s, "<b><big>%s</big></b>\nop <tt>%s</tt>   node %" G_GINT64_FORMAT "\nmodule %s\n",
                          name, op, n->id, mod);
  g_string_append_printf (s, "output %s   %s %s\n", shape, n->dtype ? n->dtype : "",
                          n->device ? n->device : "");
  if (g_strcmp0 (n->op, "parameter") == 0)
    params = MAX (n->numel, 0);
  for (gsize e = 0; e < g->n_edges; e++)
    if (g->edges[e].dst == n->id)
      {
        gssize k = lm_graph_data_find (g, g->edges[e].src);
        g_autofree char *is = k >= 0 ? lm_graph_data_shape_text (g->nodes[k].ndim, g->nodes[k].shape) : NULL;
        g_autofree char *iname = k >= 0 ? g_markup_escape_text (g->nodes[k].name, -1) : NULL;
        g_string_append_printf (s, "input %d: %s %s\n", g->edges[e].slot, iname ? iname : "?", is ? is : "");
        if (k >= 0 && g_strcmp0 (g->nodes[k].op, "parameter") == 0)
          params += MAX (g->nodes[k].numel, 0);
      }
  {
    g_autofree char *pc = count_text (params);
    g_string_append_printf (s, "parameters: %s\n", pc);
  }
  if (self->trace)
    {
      gboolean any = FALSE;
      g_string_append_printf (s, "\n<b>Trace of step %" G_GINT64_FORMAT "</b>\n", self->trace->step);
      for (gsize i = 0; i < self->trace->n_events; i++)
        if (self->trace->events[i].node_id == n->id)
          {
            append_stats (s, &self->trace->events[i]);
            any = TRUE;
          }
      if (!any)
        g_string_append (s, "  (no event for this node)\n");
      append_times (s, self->trace, n->id);
    }
  else
    g_string_append (s, "\nNo trace in this run (lumen-train --trace-steps 1,100 records one).\n");
  return g_string_free (s, FALSE);
}

gboolean
lm_graph_view_is_laid_out (LmGraphView *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), FALSE);
  return self->laid_out;
}

double
lm_graph_view_get_layout_ms (LmGraphView *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), 0);
  return self->layout_ms;
}

guint
lm_graph_view_get_n_boxes (LmGraphView *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), 0);
  return self->boxes ? self->boxes->len : 0;
}

gboolean
lm_graph_view_get_node_rect (LmGraphView *self, gint64 node_id, graphene_rect_t *rect)
{
  gssize k;
  Box *b;

  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), FALSE);
  if (!self->laid_out || (k = lm_graph_data_find (self->graph, node_id)) < 0)
    return FALSE;
  b = &g_array_index (self->boxes, Box, self->rep[k]);
  graphene_rect_init (rect, (b->x - b->w / 2) * self->scale + self->tx, (b->y - b->h / 2) * self->scale + self->ty,
                      b->w * self->scale, b->h * self->scale);
  return TRUE;
}

gboolean
lm_graph_view_get_module_rect (LmGraphView *self, const char *module, graphene_rect_t *rect)
{
  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), FALSE);
  g_return_val_if_fail (rect != NULL, FALSE);
  if (!self->laid_out || module == NULL)
    return FALSE;
  for (guint i = 0; i < self->frames->len; i++)
    {
      Frame *f = &g_array_index (self->frames, Frame, i);

      if (strcmp (f->module, module) == 0 && f->x0 <= f->x1)
        {
          graphene_rect_init (rect, f->x0 * self->scale + self->tx, f->y0 * self->scale + self->ty,
                              (f->x1 - f->x0) * self->scale, (f->y1 - f->y0) * self->scale);
          return TRUE;
        }
    }
  return FALSE;
}

/* ------------------------------------------------------------ breakpoints */

static void
breakpoints_changed (LmGraphView *self)
{
  g_clear_pointer (&self->breaks, g_free);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[BREAKPOINTS_CHANGED], 0);
}

void
lm_graph_view_set_node_breakpoint (LmGraphView *self, gint64 node_id, gboolean on)
{
  g_return_if_fail (LM_IS_GRAPH_VIEW (self));
  if (on)
    g_hash_table_add (self->bp_nodes, g_memdup2 (&node_id, sizeof node_id));
  else
    g_hash_table_remove (self->bp_nodes, &node_id);
  breakpoints_changed (self);
}

gboolean
lm_graph_view_get_node_breakpoint (LmGraphView *self, gint64 node_id)
{
  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), FALSE);
  return g_hash_table_contains (self->bp_nodes, &node_id);
}

void
lm_graph_view_set_op_breakpoint (LmGraphView *self, const char *op, gboolean on)
{
  g_return_if_fail (LM_IS_GRAPH_VIEW (self));
  g_return_if_fail (op != NULL);
  if (on)
    g_hash_table_add (self->bp_ops, g_strdup (op));
  else
    g_hash_table_remove (self->bp_ops, op);
  breakpoints_changed (self);
}

gboolean
lm_graph_view_get_op_breakpoint (LmGraphView *self, const char *op)
{
  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), FALSE);
  return op != NULL && g_hash_table_contains (self->bp_ops, op);
}

gboolean
lm_graph_view_breaks_at (LmGraphView *self, gint64 node_id)
{
  gssize k;

  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), FALSE);
  if (g_hash_table_contains (self->bp_nodes, &node_id))
    return TRUE;
  if (g_hash_table_size (self->bp_ops) == 0 || self->graph == NULL)
    return FALSE;
  k = lm_graph_data_find (self->graph, node_id);
  return k >= 0 && self->graph->nodes[k].op && g_hash_table_contains (self->bp_ops, self->graph->nodes[k].op);
}

guint
lm_graph_view_get_n_breakpoints (LmGraphView *self)
{
  g_return_val_if_fail (LM_IS_GRAPH_VIEW (self), 0);
  return g_hash_table_size (self->bp_nodes) + g_hash_table_size (self->bp_ops);
}

void
lm_graph_view_clear_breakpoints (LmGraphView *self)
{
  g_return_if_fail (LM_IS_GRAPH_VIEW (self));
  g_hash_table_remove_all (self->bp_nodes);
  g_hash_table_remove_all (self->bp_ops);
  breakpoints_changed (self);
}
