/* lm-debugger-pane.c: the step-through debugger (see lm-debugger-pane.h).
 *
 * The execution list is a GtkListView over one markup string per event: it
 * makes widgets for the rows on screen only, so a big model's trace (tens
 * of thousands of events) steps as fast as the tutorial MLP's (a
 * GtkListBox snapshotted every row each frame: 24,000 events, 170 ms a
 * step). The histogram is recomputed when the current op changes (one
 * pass over at most the trace's values cap).
 */
#include "lm-debugger-pane.h"
#include "lm-theme.h"
#include "lm-grad-flow.h"
#include "lm-icon-tip.h"
#include "lm-tensor-view.h"

#include <math.h>
#include <string.h>

#define N_BINS 40
#define BIG_VALUE 1e6

/* What an op's backward returned that it did not receive: the NaN/Inf
 * PyTorch's anomaly mode names it for (the op that receives the gradient
 * only holds it). */
typedef struct
{
  guint8 kinds;      /* LmTraceNonfinite bits */
  int input;         /* the input the gradient was for */
  gssize seen_at;    /* the event that received it */
} Returned;

struct _LmDebuggerPane
{
  GtkBox parent_instance;

  LmGraphView *view;           /* weak: the page owns both */
  GtkWidget *position, *notice, *list, *alerts, *inspector, *hist, *break_drop;
  GtkWidget *tensor, *flow;      /* heatmap / channel tiles; gradient norms */
  GtkWidget *bp_node, *bp_op, *status; /* breakpoint toggles; "Run to" result */
  GtkWidget *nav_bar, *run_row;  /* stepping and "run to": insensitive without a trace */
  GtkWidget *inputs, *consumers; /* the current node's graph structure: buttons to their ops */
  GtkWidget *timeline;           /* the whole step at a glance: where the NaN/Inf ops are */
  GtkStringList *rows;           /* the execution list's markup, one per event */
  GtkSingleSelection *selection; /* of rows, shown by the GtkListView `list` */
  guint scroll_tick;             /* scrolls the list to the current row once it has a size */
  guint n_breakpoints;           /* last seen, to switch the dropdown */
  gssize current;
  Returned *returned;            /* per event of returned_for, NULL without one */
  const LmTraceData *returned_for;
  gboolean stats_only;           /* statistics_only (returned_for), found with it */
  gboolean updating;
  guint bins[N_BINS];
  gboolean have_hist;
  double lo, hi;
};

G_DEFINE_FINAL_TYPE (LmDebuggerPane, lm_debugger_pane, GTK_TYPE_BOX)

static const LmTraceData *
trace_of (LmDebuggerPane *self)
{
  return self->view ? lm_graph_view_get_trace (self->view) : NULL;
}

static const char *
op_name (LmDebuggerPane *self, gint64 node_id, const char **module)
{
  LmGraphData *g = lm_graph_view_get_graph (self->view);
  gssize k = lm_graph_data_find (g, node_id);

  *module = k >= 0 ? g->nodes[k].module : "";
  return k >= 0 ? g->nodes[k].name : "?";
}

/* The number an event has everywhere (execution list, "--op K", lumen-train's
 * messages): its stored seq + 1, also when earlier events are missing. */
static gint64
op_number (const LmTraceData *t, gssize i)
{
  return t->events[i].seq + 1;
}

/* NULL when the view's trace changed and the pane was not reloaded yet */
static const Returned *
returned_at (LmDebuggerPane *self, gssize i)
{
  const LmTraceData *t = trace_of (self);

  return self->returned && t == self->returned_for && i >= 0 && (gsize) i < t->n_events ? &self->returned[i]
                                                                                          : NULL;
}

static const char *
kinds_text (guint8 kinds)
{
  return kinds == LM_TRACE_NONFINITE ? "NaN and Inf" : kinds == LM_TRACE_NAN ? "NaN" : "Inf";
}

/* TRUE for a profiled step that kept no values (lumen-train's
 * --profile-steps without --trace-max-values): its missing values are
 * not over a cap the user can see in the file. */
static gboolean
statistics_only (const LmTraceData *t)
{
  if (t->dur_ns < 0)
    return FALSE;
  for (gsize i = 0; i < t->n_events; i++)
    if (t->events[i].values_bytes >= 0)
      return FALSE;
  return TRUE;
}

#define STATISTICS_ONLY_NOTE "values not stored: a profiled step keeps statistics only (lumen-train --trace-max-values N keeps values too)"

/* statistics_only for the view's trace, found once per trace load */
static gboolean
keeps_statistics_only (LmDebuggerPane *self)
{
  const LmTraceData *t = trace_of (self);

  return t != NULL && (t == self->returned_for ? self->stats_only : statistics_only (t));
}

/* Marks, for each NaN/Inf gradient, the op whose backward returned it,
 * when that op did not receive it already. */
static void
find_returned (LmDebuggerPane *self)
{
  const LmTraceData *t = trace_of (self);
  LmGraphData *g = lm_graph_view_get_graph (self->view);

  g_clear_pointer (&self->returned, g_free);
  self->returned_for = t;
  self->stats_only = t != NULL && statistics_only (t);
  if (t == NULL || t->n_events == 0)
    return;
  self->returned = g_new0 (Returned, t->n_events);
  for (gsize i = 0; i < t->n_events; i++)
    {
      const LmTraceDataEvent *e = &t->events[i];
      guint8 kinds = (e->nan_count ? LM_TRACE_NAN : 0) | (e->inf_count ? LM_TRACE_INF : 0);
      int input;
      gssize p;

      if (!e->backward || !kinds || (p = lm_trace_data_producer (t, g, i, &input, NULL)) < 0)
        continue;
      /* a gradient it received with them is passed on, not made */
      kinds &= ~((t->events[p].nan_count ? LM_TRACE_NAN : 0) | (t->events[p].inf_count ? LM_TRACE_INF : 0));
      if (kinds == 0 || (self->returned[p].kinds & kinds) == kinds)
        continue;
      if (self->returned[p].kinds == 0)
        {
          self->returned[p].input = input;
          self->returned[p].seen_at = (gssize) i;
        }
      self->returned[p].kinds |= kinds;
    }
}

static void
compute_histogram (LmDebuggerPane *self, const LmTraceDataEvent *e)
{
  memset (self->bins, 0, sizeof self->bins);
  self->have_hist = e && e->values && e->numel > 0 && isfinite (e->min) && isfinite (e->max);
  if (!self->have_hist)
    return;
  self->lo = e->min;
  self->hi = e->max > e->min ? e->max : e->min + 1;
  for (gint64 i = 0; i < e->numel; i++)
    {
      float v = e->values[i];
      if (!isfinite (v))
        continue;
      int b = (int) ((v - self->lo) / (self->hi - self->lo) * N_BINS);
      self->bins[CLAMP (b, 0, N_BINS - 1)]++;
    }
}

static void
draw_hist (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  LmDebuggerPane *self = data;
  guint max = 1;

  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->panel);
  cairo_paint (cr);
  if (!self->have_hist)
    return;
  for (int i = 0; i < N_BINS; i++)
    max = MAX (max, self->bins[i]);
  for (int i = 0; i < N_BINS; i++)
    {
      double bh = (h - 14) * (double) self->bins[i] / max;
      cairo_rectangle (cr, i * (double) w / N_BINS + 0.5, h - 14 - bh, (double) w / N_BINS - 1, bh);
    }
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->plot_bar);
  cairo_fill (cr);
  {
    char buf[64];
    gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->plot_note);
    cairo_set_font_size (cr, 9);
    g_snprintf (buf, sizeof buf, "%.3g", self->lo);
    cairo_move_to (cr, 2, h - 3);
    cairo_show_text (cr, buf);
    g_snprintf (buf, sizeof buf, "%.3g", self->hi);
    cairo_text_extents_t ext;
    cairo_text_extents (cr, buf, &ext);
    cairo_move_to (cr, w - ext.x_advance - 2, h - 3);
    cairo_show_text (cr, buf);
  }
}

/* One execution-list row: direction, number, op, shape, badges; a red
 * dot in front when its node breaks. */
static char *
row_markup (LmDebuggerPane *self, gsize i)
{
  const LmTraceDataEvent *e = &trace_of (self)->events[i];
  const char *module;
  const char *name = op_name (self, e->node_id, &module);
  g_autofree char *shape = lm_graph_data_shape_text (e->ndim, e->shape);
  const Returned *r = returned_at (self, (gssize) i);
  g_autofree char *head = g_markup_printf_escaped ("%s %s %3" G_GINT64_FORMAT "  <b>%s</b>  %s",
                                                   lm_graph_view_breaks_at (self->view, e->node_id)
                                                     ? "<span foreground='#e60033'>●</span>" : "  ",
                                                   e->backward ? "◀" : "▶", op_number (trace_of (self), (gssize) i),
                                                   name, shape);
  g_autofree char *made = r && r->kinds
                            ? g_strdup_printf ("  <span foreground='#c00'><b>returned %s</b></span>", kinds_text (r->kinds))
                            : NULL;
  return g_strconcat (head,
                      e->nan_count ? "  <span foreground='#c00'><b>NaN</b></span>" : "",
                      e->inf_count ? "  <span foreground='#c00'><b>Inf</b></span>" : "",
                      made ? made : "",
                      e->values_damaged ? "  <span foreground='#b35c00'>damaged</span>" : "",
                      NULL);
}

/* ---- Execution timeline (Debugger V2's): the whole step in one strip ----
 *
 * One slot per event, forward ones blue, backward ones orange, those
 * holding (or whose backward returned) a NaN/Inf red and at least 2 px
 * wide so a single one among thousands still shows; the current op is
 * outlined.  A click goes to the op under the pointer. */

#define TIMELINE_H 22

static gboolean
is_anomaly (LmDebuggerPane *self, gssize i)
{
  const LmTraceDataEvent *e = &trace_of (self)->events[i];
  const Returned *r = returned_at (self, i);

  return e->nan_count + e->inf_count > 0 || (r && r->kinds);
}

static void
draw_timeline (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  LmDebuggerPane *self = data;
  const LmTraceData *t = trace_of (self);
  static const GdkRGBA backward = { 0.93f, 0.55f, 0.18f, 1.0f };
  double slot;

  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->panel);
  cairo_paint (cr);
  if (t == NULL || t->n_events == 0 || w <= 0)
    return;
  slot = (double) w / t->n_events;
  /* runs of one direction as one rectangle: thousands of ops stay cheap */
  for (gsize i = 0; i < t->n_events;)
    {
      gsize j = i;
      while (j < t->n_events && t->events[j].backward == t->events[i].backward)
        j++;
      gdk_cairo_set_source_rgba (cr, t->events[i].backward ? &backward : &lm_theme_colors ()->plot_bar);
      cairo_rectangle (cr, i * slot, 4, (j - i) * slot, h - 8);
      cairo_fill (cr);
      i = j;
    }
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->plot_bad);
  for (gsize i = 0; i < t->n_events; i++)
    if (is_anomaly (self, (gssize) i))
      cairo_rectangle (cr, MIN (i * slot, w - 2.0), 0, MAX (slot, 2.0), h);
  cairo_fill (cr);
  if (self->current >= 0 && (gsize) self->current < t->n_events)
    {
      double x = MIN (self->current * slot, w - 3.0), sw = MAX (slot, 3.0);
      lm_theme_set_ink (cr, 0.9);
      cairo_set_line_width (cr, 2);
      cairo_rectangle (cr, x - 1, 1, sw + 2, h - 2);
      cairo_stroke (cr);
    }
}

/* The event under x, or -1. */
static gssize
timeline_event_at (LmDebuggerPane *self, double x)
{
  const LmTraceData *t = trace_of (self);
  int w = gtk_widget_get_width (self->timeline);

  if (t == NULL || t->n_events == 0 || w <= 0 || x < 0 || x >= w)
    return -1;
  return MIN ((gssize) (x * t->n_events / w), (gssize) t->n_events - 1);
}

static void
on_timeline_pressed (GtkGestureClick *g, int n_press, double x, double y, LmDebuggerPane *self)
{
  gssize i = timeline_event_at (self, x);

  if (i >= 0)
    lm_debugger_pane_set_current (self, i);
}

static gboolean
on_timeline_tooltip (GtkWidget *w, int x, int y, gboolean keyboard, GtkTooltip *tip, LmDebuggerPane *self)
{
  gssize i = timeline_event_at (self, x);
  const char *module;
  g_autofree char *text = NULL;

  if (i < 0)
    return FALSE;
  text = g_strdup_printf ("op %" G_GINT64_FORMAT " · %s %s%s", op_number (trace_of (self), i),
                          trace_of (self)->events[i].backward ? "backward" : "forward",
                          op_name (self, trace_of (self)->events[i].node_id, &module),
                          is_anomaly (self, i) ? " · NaN/Inf" : "");
  gtk_tooltip_set_text (tip, text);
  return TRUE;
}

/* ---- Graph structure: the current op's inputs and consumers ----
 *
 * As Debugger V2's "Graph structure" panel: each input of the current op's
 * node (in slot order) and each op that consumes its output, a button that
 * goes to that node's op in the same pass.  Forward, an input was made
 * before the current op and a consumer runs after it; backward the other
 * way round (the gradient flows from the consumers to the inputs), so the
 * nearest event in that direction is the one that made (or used) this
 * very tensor; a leaf's several gradient events too. */

/* The event of `node` nearest to `from` in the direction its role implies,
 * else any of its events in the same pass, else any; -1 when the trace has
 * none (an input or a parameter has no forward op). */
static gssize
event_of_node (const LmTraceData *t, gint64 node, gssize from, int dir)
{
  gboolean backward = t->events[from].backward;

  for (gssize i = from + dir; i >= 0 && i < (gssize) t->n_events; i += dir)
    if (t->events[i].node_id == node && t->events[i].backward == backward)
      return i;
  for (int pass = 0; pass < 2; pass++)
    for (gsize i = 0; i < t->n_events; i++)
      if (t->events[i].node_id == node && (pass == 1 || t->events[i].backward == backward))
        return (gssize) i;
  return -1;
}

/* An alert's, an input's or a consumer's button: its op (index + 1). */
static void
on_goto_clicked (GtkButton *b, LmDebuggerPane *self)
{
  gsize i = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (b), "index"));

  if (i > 0)
    lm_debugger_pane_set_current (self, (gssize) i - 1);
}

static GtkWidget *
dim_note (const char *text)
{
  GtkWidget *l = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_widget_add_css_class (l, "dim-label");
  return l;
}

/* One input's or consumer's button: "0: abs  2" or "sum  scalar (its
 * input 0)", with its op's NaN/Inf badges; insensitive when the trace has
 * no op for the node. */
static GtkWidget *
link_button (LmDebuggerPane *self, const LmTraceData *t, gint64 node, gssize at, const char *prefix,
             const char *suffix)
{
  LmGraphData *g = lm_graph_view_get_graph (self->view);
  gssize k = lm_graph_data_find (g, node);
  const LmTraceDataEvent *e = at >= 0 ? &t->events[at] : NULL;
  const LmGraphDataNode *n = k >= 0 ? &g->nodes[k] : NULL;
  g_autofree char *shape = n ? lm_graph_data_shape_text (n->ndim, n->shape) : g_strdup ("");
  g_autofree char *head = g_markup_printf_escaped ("%s<b>%s</b>%s%s  %s%s", prefix, n ? n->name : "?",
                                                   n && g_strcmp0 (n->op, n->name) ? " · " : "",
                                                   n && g_strcmp0 (n->op, n->name) ? n->op : "", shape, suffix);
  g_autofree char *markup = g_strconcat (head, e && e->nan_count ? "  <span foreground='#c00'><b>NaN</b></span>" : "",
                                         e && e->inf_count ? "  <span foreground='#c00'><b>Inf</b></span>" : "",
                                         NULL);
  g_autofree char *tip = e ? g_strdup_printf ("Go to op %" G_GINT64_FORMAT " (%s %s)", op_number (t, at),
                                              e->backward ? "backward" : "forward", n ? n->name : "?")
                           : g_strdup ("No op of this trace ran for it (an input or a parameter)");
  GtkWidget *l = gtk_label_new (NULL);
  GtkWidget *b = gtk_button_new ();

  gtk_label_set_markup (GTK_LABEL (l), markup);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_label_set_ellipsize (GTK_LABEL (l), PANGO_ELLIPSIZE_END);
  gtk_button_set_child (GTK_BUTTON (b), l);
  gtk_widget_add_css_class (b, "flat");
  gtk_widget_set_tooltip_text (b, tip);
  gtk_widget_set_sensitive (b, e != NULL);
  g_object_set_data (G_OBJECT (b), "index", GSIZE_TO_POINTER ((gsize) (at + 1)));
  g_signal_connect (b, "clicked", G_CALLBACK (on_goto_clicked), self);
  return b;
}

static void
clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)))
    gtk_box_remove (GTK_BOX (box), child);
}

static void
show_structure (LmDebuggerPane *self)
{
  const LmTraceData *t = trace_of (self);
  LmGraphData *g = lm_graph_view_get_graph (self->view);
  gboolean have = t && g && self->current >= 0 && (gsize) self->current < t->n_events;
  gint64 node = have ? t->events[self->current].node_id : -1;
  int dir = have && t->events[self->current].backward ? 1 : -1;
  guint n_in = 0, n_out = 0;

  clear_box (self->inputs);
  clear_box (self->consumers);
  for (gsize j = 0; have && j < g->n_edges; j++)
    {
      const LmGraphDataEdge *ed = &g->edges[j];
      char prefix[32];

      if (ed->dst == node)
        {
          g_snprintf (prefix, sizeof prefix, "%d: ", ed->slot);
          gtk_box_append (GTK_BOX (self->inputs),
                          link_button (self, t, ed->src, event_of_node (t, ed->src, self->current, dir), prefix, ""));
          n_in++;
        }
      if (ed->src == node)
        {
          g_snprintf (prefix, sizeof prefix, " (its input %d)", ed->slot);
          gtk_box_append (GTK_BOX (self->consumers),
                          link_button (self, t, ed->dst, event_of_node (t, ed->dst, self->current, -dir), "", prefix));
          n_out++;
        }
    }
  if (have && n_in == 0)
    gtk_box_append (GTK_BOX (self->inputs), dim_note ("none (a leaf of the graph)"));
  if (have && n_out == 0)
    gtk_box_append (GTK_BOX (self->consumers), dim_note ("none (the step's output)"));
}

/* The toggles follow the current op: its node, its op type. */
static void
sync_toggles (LmDebuggerPane *self)
{
  const LmTraceData *t = trace_of (self);
  gboolean have = t && self->current >= 0 && (gsize) self->current < t->n_events;
  LmGraphData *g = lm_graph_view_get_graph (self->view);
  gssize k = have ? lm_graph_data_find (g, t->events[self->current].node_id) : -1;
  const char *op = k >= 0 ? g->nodes[k].op : NULL;
  g_autofree char *op_label = g_strdup_printf ("Break on every %s", op ? op : "op of this type");

  self->updating = TRUE;
  gtk_widget_set_sensitive (self->bp_node, k >= 0);
  gtk_widget_set_sensitive (self->bp_op, op != NULL);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->bp_node),
                                k >= 0 && lm_graph_view_get_node_breakpoint (self->view, g->nodes[k].id));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->bp_op), lm_graph_view_get_op_breakpoint (self->view, op));
  gtk_button_set_label (GTK_BUTTON (self->bp_op), op_label);
  self->updating = FALSE;
}

/* Scrolls the list to the current row (GtkListView's "list.scroll-to-item",
 * which makes its widget when it had none).  FALSE while the list has no
 * size: it cannot place a row then. */
static gboolean
scroll_now (LmDebuggerPane *self)
{
  if (!gtk_widget_get_mapped (self->list) || gtk_widget_get_height (self->list) <= 0)
    return FALSE;
  if (self->current >= 0)
    gtk_widget_activate_action (self->list, "list.scroll-to-item", "u", (guint) self->current);
  return TRUE;
}

static gboolean
scroll_tick (GtkWidget *list, GdkFrameClock *clock, gpointer data)
{
  LmDebuggerPane *self = data;

  if (!scroll_now (self))
    return G_SOURCE_CONTINUE;
  self->scroll_tick = 0;
  return G_SOURCE_REMOVE;
}

/* The list shows the current row: now, or (opening: the list not laid out
 * yet) at its first frame with a size. */
static void
scroll_list (LmDebuggerPane *self)
{
  if (self->scroll_tick == 0 && !scroll_now (self))
    self->scroll_tick = gtk_widget_add_tick_callback (self->list, scroll_tick, self, NULL);
}

/* The inspector's text for the current event e (of node `name`, its
 * output `shape`): its statistics, then what its backward returned and
 * a note on its values where there is one. */
static char *
inspector_markup (LmDebuggerPane *self, const LmTraceData *t, const LmTraceDataEvent *e, const char *name,
                  const char *shape)
{
  const char *tensor = e->backward ? "gradient of the output" : "output";
  const Returned *r = returned_at (self, self->current);
  g_autofree char *damage = lm_trace_data_damage_text (e);
  g_autofree char *values_note = NULL, *made = NULL, *ins = NULL;
  char st[4][32];

  if (damage)
    /* a blob that does not match the shape is not one left out for size */
    values_note = g_markup_printf_escaped ("\n<span foreground='#b35c00'><b>Damaged values</b> in the run file: "
                                           "op %" G_GINT64_FORMAT " (%s %s), %s %s: %s.\n"
                                           "The statistics above are the stored ones.</span>",
                                           op_number (t, self->current), e->backward ? "backward" : "forward",
                                           name, tensor, shape, damage + strlen ("values damaged: "));
  else if (e->values == NULL && e->numel > 0)
    values_note = g_strdup (keeps_statistics_only (self) ? "\n(" STATISTICS_ONLY_NOTE ")"
                                                : "\n(values not stored: over the trace's cap)");
  if (r && r->kinds)
    {
      const char *in_module;
      const char *to = op_name (self, t->events[r->seen_at].node_id, &in_module);
      /* PyTorch: Function 'SqrtBackward0' returned nan values in its 0th output */
      made = g_markup_printf_escaped ("\n<span foreground='#c00'><b>Its backward returned %s</b> in the gradient "
                                      "for input %d (%s, op %" G_GINT64_FORMAT ")</span>",
                                      kinds_text (r->kinds), r->input, to, op_number (t, r->seen_at));
    }
  ins = g_markup_printf_escaped ("<b>%s</b> %s\nmin %s   max %s\nmean %s   std %s\n"
                                 "NaN %" G_GINT64_FORMAT "   Inf %" G_GINT64_FORMAT "   zeros %" G_GINT64_FORMAT
                                 " of %" G_GINT64_FORMAT,
                                 tensor, shape,
                                 lm_graph_data_stat_text (e->min, 5, st[0], sizeof st[0]),
                                 lm_graph_data_stat_text (e->max, 5, st[1], sizeof st[1]),
                                 lm_graph_data_stat_text (e->mean, 5, st[2], sizeof st[2]),
                                 lm_graph_data_stat_text (e->std, 5, st[3], sizeof st[3]), e->nan_count,
                                 e->inf_count, e->zero_count, e->numel);
  return g_strconcat (ins, made ? made : "", values_note ? values_note : "", NULL);
}

/* The parts that follow the current event e, or show none (NULL): the
 * toggles, the graph structure, the histogram, the timeline, the tensor. */
static void
show_event_parts (LmDebuggerPane *self, const LmTraceDataEvent *e)
{
  sync_toggles (self);
  show_structure (self);
  compute_histogram (self, e);
  gtk_widget_queue_draw (self->hist);
  gtk_widget_queue_draw (self->timeline);
  lm_tensor_view_set_missing_note (LM_TENSOR_VIEW (self->tensor),
                                   keeps_statistics_only (self) ? STATISTICS_ONLY_NOTE : NULL);
  lm_tensor_view_set_event (LM_TENSOR_VIEW (self->tensor), e);
}

static void
show_current (LmDebuggerPane *self)
{
  const LmTraceData *t = trace_of (self);
  const LmTraceDataEvent *e;
  const char *module, *name;
  g_autofree char *shape = NULL, *pos = NULL, *ins = NULL;

  if (t == NULL || self->current < 0 || (gsize) self->current >= t->n_events)
    {
      /* say how to get one: the main command trains without traces.  A
       * word joiner (U+2060) after each option's hyphens keeps "--" and
       * its name on one line when the pane wraps the sentence. */
      gtk_label_set_text (GTK_LABEL (self->position),
                          t ? "Empty trace"
                            : "No trace for this graph. To step through a training step op by op, train "
                              "with lumen-train -\u2060-\u2060trace-\u2060steps 1,100 or "
                              "-\u2060-\u2060trace-\u2060every N, or record one with lm_tracer in your "
                              "own program (docs/traces.md).");
      gtk_label_set_text (GTK_LABEL (self->inspector), "");
      show_event_parts (self, NULL);
      return;
    }
  e = &t->events[self->current];
  name = op_name (self, e->node_id, &module);
  shape = lm_graph_data_shape_text (e->ndim, e->shape);
  /* names and modules are the user's text (PyTorch allows '&' and '<') */
  pos = g_markup_printf_escaped ("op %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " · %s · <b>%s</b>%s%s",
                                 op_number (t, self->current), t->n_ops,
                                 e->backward ? "backward" : "forward", name, *module ? " in " : "", module);
  gtk_label_set_markup (GTK_LABEL (self->position), pos);
  ins = inspector_markup (self, t, e, name, shape);
  gtk_label_set_markup (GTK_LABEL (self->inspector), ins);
  show_event_parts (self, e);
  /* the list follows, and so does the graph */
  self->updating = TRUE;
  gtk_single_selection_set_selected (self->selection, (guint) self->current);
  self->updating = FALSE;
  scroll_list (self);
  /* only a shown debugger drives the graph's selection */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      lm_graph_view_select (self->view, e->node_id);
      lm_graph_view_reveal (self->view, e->node_id);
    }
}

static void
lm_debugger_pane_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (lm_debugger_pane_parent_class)->map (widget);
  show_current (LM_DEBUGGER_PANE (widget));
}

static void
on_row_selected (GtkSingleSelection *sel, GParamSpec *pspec, LmDebuggerPane *self)
{
  guint i = gtk_single_selection_get_selected (sel);

  if (self->updating || i == GTK_INVALID_LIST_POSITION || (gssize) i == self->current)
    return;
  lm_debugger_pane_set_current (self, (gssize) i);
}

/* The execution list's rows, all of them again (a reload, breakpoints
 * changed): strings only, the list view binds the few on screen. */
static void
set_rows (LmDebuggerPane *self)
{
  const LmTraceData *t = trace_of (self);
  gsize n = t ? t->n_events : 0;
  char **markup = g_new0 (char *, n + 1);

  for (gsize i = 0; i < n; i++)
    markup[i] = row_markup (self, i);
  self->updating = TRUE;
  gtk_string_list_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                          (const char *const *) markup);
  if (self->current >= 0 && (gsize) self->current < n)
    gtk_single_selection_set_selected (self->selection, (guint) self->current);
  self->updating = FALSE;
  g_strfreev (markup);
}

static void
on_row_setup (GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
  GtkWidget *l = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_list_item_set_child (item, l);
}

static void
on_row_bind (GtkSignalListItemFactory *f, GtkListItem *item, gpointer data)
{
  GtkStringObject *o = gtk_list_item_get_item (item);

  gtk_label_set_markup (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (o));
}

static void
on_start (GtkButton *b, LmDebuggerPane *self) { lm_debugger_pane_set_current (self, 0); }
static void
on_back (GtkButton *b, LmDebuggerPane *self) { lm_debugger_pane_step (self, -1); }
static void
on_forward (GtkButton *b, LmDebuggerPane *self) { lm_debugger_pane_step (self, 1); }
static void
on_end (GtkButton *b, LmDebuggerPane *self)
{
  const LmTraceData *t = trace_of (self);
  if (t && t->n_events)
    lm_debugger_pane_set_current (self, (gssize) t->n_events - 1);
}
static void
on_anomaly (GtkButton *b, LmDebuggerPane *self) { lm_debugger_pane_first_anomaly (self); }
static void
on_run_to (GtkButton *b, LmDebuggerPane *self)
{
  if (!lm_debugger_pane_run_to (self, lm_debugger_pane_get_break_kind (self)))
    gtk_widget_error_bell (GTK_WIDGET (b));
}
static void
on_run_back (GtkButton *b, LmDebuggerPane *self)
{
  if (!lm_debugger_pane_run_to_previous (self, lm_debugger_pane_get_break_kind (self)))
    gtk_widget_error_bell (GTK_WIDGET (b));
}

static void
on_bp_node_toggled (GtkToggleButton *b, LmDebuggerPane *self)
{
  const LmTraceData *t = trace_of (self);

  if (self->updating || t == NULL || self->current < 0)
    return;
  lm_graph_view_set_node_breakpoint (self->view, t->events[self->current].node_id,
                                     gtk_toggle_button_get_active (b));
}

static void
on_bp_op_toggled (GtkToggleButton *b, LmDebuggerPane *self)
{
  const LmTraceData *t = trace_of (self);
  LmGraphData *g = lm_graph_view_get_graph (self->view);
  gssize k;

  if (self->updating || t == NULL || self->current < 0)
    return;
  k = lm_graph_data_find (g, t->events[self->current].node_id);
  if (k >= 0 && g->nodes[k].op)
    lm_graph_view_set_op_breakpoint (self->view, g->nodes[k].op, gtk_toggle_button_get_active (b));
}

/* Sync the toggles with the view's breakpoints, and make "breakpoints"
 * the run-to choice when the first is set. */
static void
sync_breakpoints (LmDebuggerPane *self)
{
  guint n = lm_graph_view_get_n_breakpoints (self->view);

  if (n > 0 && self->n_breakpoints == 0)
    gtk_drop_down_set_selected (GTK_DROP_DOWN (self->break_drop), LM_BREAK_BREAKPOINTS);
  else if (n == 0 && lm_debugger_pane_get_break_kind (self) == LM_BREAK_BREAKPOINTS)
    gtk_drop_down_set_selected (GTK_DROP_DOWN (self->break_drop), LM_BREAK_ANOMALY);
  self->n_breakpoints = n;
  sync_toggles (self);
}

/* Breakpoints changed (here or elsewhere): re-mark the rows and sync. */
static void
on_breakpoints_changed (LmGraphView *view, LmDebuggerPane *self)
{
  const LmTraceData *t = trace_of (self);

  if (t && g_list_model_get_n_items (G_LIST_MODEL (self->rows)) == t->n_events)
    set_rows (self);
  sync_breakpoints (self);
}

/* The pane's keys (lm-debugger-pane.h): one per stepping button. */
enum { KEY_NEXT, KEY_PREVIOUS, KEY_ANOMALY, KEY_RUN_NEXT, KEY_RUN_PREVIOUS, KEY_INPUT, KEY_CONSUMER };

static gboolean
on_shortcut (GtkWidget *widget, GVariant *args, gpointer data)
{
  LmDebuggerPane *self = LM_DEBUGGER_PANE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
  int key = GPOINTER_TO_INT (data);

  /* Only while the pane is on screen, and the letters never while the
   * user types: a search entry or a text view keeps its keys. */
  if (!gtk_widget_get_mapped (widget) || trace_of (self) == NULL)
    return FALSE;
  if (key != KEY_RUN_NEXT && key != KEY_RUN_PREVIOUS && focus != NULL
      && (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT_VIEW (focus)))
    return FALSE;
  switch (key)
    {
    case KEY_NEXT:
      lm_debugger_pane_step (self, 1);
      break;
    case KEY_PREVIOUS:
      lm_debugger_pane_step (self, -1);
      break;
    case KEY_ANOMALY:
      if (!lm_debugger_pane_first_anomaly (self))
        gtk_widget_error_bell (widget);
      break;
    case KEY_INPUT:
    case KEY_CONSUMER:
      if (!lm_debugger_pane_follow (self, key == KEY_CONSUMER))
        gtk_widget_error_bell (widget);
      break;
    case KEY_RUN_NEXT:
    case KEY_RUN_PREVIOUS:
      if (!(key == KEY_RUN_NEXT ? lm_debugger_pane_run_to : lm_debugger_pane_run_to_previous) (
            self, lm_debugger_pane_get_break_kind (self)))
        gtk_widget_error_bell (widget);
      break;
    default:
      return FALSE;
    }
  return TRUE;
}

/* Managed scope: the window runs them wherever the focus is (the graph
 * canvas, the execution list, the header), after the focused widget had
 * its chance, so an entry's own keys are never taken. */
static void
add_shortcuts (LmDebuggerPane *self)
{
  static const struct { guint keyval; GdkModifierType mods; int key; } keys[] = {
    { GDK_KEY_n, 0, KEY_NEXT },
    { GDK_KEY_p, 0, KEY_PREVIOUS },
    { GDK_KEY_a, 0, KEY_ANOMALY },
    { GDK_KEY_i, 0, KEY_INPUT },
    { GDK_KEY_c, 0, KEY_CONSUMER },
    { GDK_KEY_F8, 0, KEY_RUN_NEXT },
    { GDK_KEY_F8, GDK_SHIFT_MASK, KEY_RUN_PREVIOUS },
  };
  GtkEventController *sc = gtk_shortcut_controller_new ();

  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (sc), GTK_SHORTCUT_SCOPE_MANAGED);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (
        GTK_SHORTCUT_CONTROLLER (sc),
        gtk_shortcut_new (gtk_keyval_trigger_new (keys[i].keyval, keys[i].mods),
                          gtk_callback_action_new (on_shortcut, GINT_TO_POINTER (keys[i].key), NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), sc);
}

static GtkWidget *
button (const char *icon, const char *tip, GCallback cb, LmDebuggerPane *self)
{
  GtkWidget *b = gtk_button_new_from_icon_name (icon);
  lm_icon_tip (b, tip);
  g_signal_connect (b, "clicked", cb, self);
  return b;
}

static void
lm_debugger_pane_finalize (GObject *object)
{
  LmDebuggerPane *self = LM_DEBUGGER_PANE (object);

  g_free (self->returned);
  g_clear_object (&self->rows);
  g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);
  G_OBJECT_CLASS (lm_debugger_pane_parent_class)->finalize (object);
}

static void
lm_debugger_pane_class_init (LmDebuggerPaneClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lm_debugger_pane_finalize;
  GTK_WIDGET_CLASS (klass)->map = lm_debugger_pane_map;
}

static GtkWidget *
heading (const char *text)
{
  GtkWidget *l = gtk_label_new (text);
  gtk_widget_add_css_class (l, "heading");
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_label_set_wrap (GTK_LABEL (l), TRUE);
  gtk_widget_set_margin_top (l, 6);
  return l;
}

static void
lm_debugger_pane_init (LmDebuggerPane *self)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *scroll = gtk_scrolled_window_new ();

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 4);
  gtk_widget_set_margin_start (GTK_WIDGET (self), 8);
  gtk_widget_set_margin_end (GTK_WIDGET (self), 8);
  self->current = -1;
  gtk_box_append (GTK_BOX (bar), button ("media-skip-backward-symbolic", "First op", G_CALLBACK (on_start), self));
  gtk_box_append (GTK_BOX (bar), button ("go-previous-symbolic", "Step back one op (P)", G_CALLBACK (on_back), self));
  gtk_box_append (GTK_BOX (bar), button ("go-next-symbolic", "Step forward one op (N)", G_CALLBACK (on_forward), self));
  gtk_box_append (GTK_BOX (bar), button ("media-skip-forward-symbolic", "Last op", G_CALLBACK (on_end), self));
  {
    GtkWidget *a = gtk_button_new_with_label ("First anomaly");
    gtk_widget_set_tooltip_text (a, "Jump to the first op whose tensor has a NaN or an Inf (A)");
    g_signal_connect (a, "clicked", G_CALLBACK (on_anomaly), self);
    gtk_box_append (GTK_BOX (bar), a);
  }
  gtk_box_append (GTK_BOX (self), bar);
  self->nav_bar = bar;
  {
    /* in LmBreakKind order */
    static const char *const kinds[] = { "any NaN/Inf", "this op type", "this node", "breakpoints", NULL };
    GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
    GtkWidget *back = gtk_button_new_with_label ("Run to previous");
    GtkWidget *run = gtk_button_new_with_label ("Run to next");
    gtk_widget_set_tooltip_text (back, "Step back to the nearest earlier op that matches the condition (Shift+F8)");
    gtk_widget_set_tooltip_text (run, "Step forward to the next op that matches the condition (F8)");
    g_signal_connect (back, "clicked", G_CALLBACK (on_run_back), self);
    g_signal_connect (run, "clicked", G_CALLBACK (on_run_to), self);
    self->break_drop = gtk_drop_down_new_from_strings (kinds);
    gtk_box_append (GTK_BOX (row), back);
    gtk_box_append (GTK_BOX (row), run);
    gtk_box_append (GTK_BOX (row), self->break_drop);
    gtk_box_append (GTK_BOX (self), row);
    self->run_row = row;
  }
  {
    GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
    self->bp_node = gtk_toggle_button_new_with_label ("● Breakpoint");
    gtk_widget_set_tooltip_text (self->bp_node, "Break at this op's node (forward and backward)");
    g_signal_connect (self->bp_node, "toggled", G_CALLBACK (on_bp_node_toggled), self);
    self->bp_op = gtk_toggle_button_new_with_label ("Break on every op of this type");
    gtk_widget_set_tooltip_text (self->bp_op, "Break at every node with this op type");
    g_signal_connect (self->bp_op, "toggled", G_CALLBACK (on_bp_op_toggled), self);
    gtk_box_append (GTK_BOX (row), self->bp_node);
    gtk_box_append (GTK_BOX (row), self->bp_op);
    gtk_box_append (GTK_BOX (self), row);
    self->status = gtk_label_new (NULL);
    gtk_label_set_xalign (GTK_LABEL (self->status), 0);
    gtk_widget_add_css_class (self->status, "dim-label");
    gtk_box_append (GTK_BOX (self), self->status);
  }
  {
    GtkGesture *click = gtk_gesture_click_new ();

    self->timeline = gtk_drawing_area_new ();
    gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->timeline), TIMELINE_H);
    gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->timeline), draw_timeline, self, NULL);
    g_signal_connect (click, "pressed", G_CALLBACK (on_timeline_pressed), self);
    gtk_widget_add_controller (self->timeline, GTK_EVENT_CONTROLLER (click));
    gtk_widget_set_has_tooltip (self->timeline, TRUE);
    g_signal_connect (self->timeline, "query-tooltip", G_CALLBACK (on_timeline_tooltip), self);
    gtk_box_append (GTK_BOX (self), self->timeline);
  }
  self->position = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->position), 0);
  gtk_label_set_wrap (GTK_LABEL (self->position), TRUE);
  gtk_box_append (GTK_BOX (self), self->position);
  /* events missing from the run file: said where the numbers jump */
  self->notice = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->notice), 0);
  gtk_label_set_wrap (GTK_LABEL (self->notice), TRUE);
  gtk_widget_add_css_class (self->notice, "error");
  gtk_widget_set_visible (self->notice, FALSE);
  gtk_box_append (GTK_BOX (self), self->notice);

  /* Debugger V2's graph structure: where the inputs came from, where the
   * output goes */
  gtk_box_append (GTK_BOX (self), heading ("Inputs (I: to the op that made one)"));
  self->inputs = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (self), self->inputs);
  gtk_box_append (GTK_BOX (self), heading ("Consumers (C: to the op that uses the output)"));
  self->consumers = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (self), self->consumers);

  gtk_box_append (GTK_BOX (self), heading ("Tensor"));
  self->inspector = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->inspector), 0);
  gtk_label_set_selectable (GTK_LABEL (self->inspector), TRUE);
  /* its notes wrap, so a long one does not widen the pane past the window */
  gtk_label_set_wrap (GTK_LABEL (self->inspector), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->inspector), PANGO_WRAP_WORD_CHAR);
  gtk_box_append (GTK_BOX (self), self->inspector);
  self->hist = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->hist), 90);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->hist), draw_hist, self, NULL);
  gtk_box_append (GTK_BOX (self), self->hist);
  self->tensor = lm_tensor_view_new ();
  gtk_box_append (GTK_BOX (self), self->tensor);
  gtk_box_append (GTK_BOX (self), lm_tensor_view_new_grid (LM_TENSOR_VIEW (self->tensor)));

  gtk_box_append (GTK_BOX (self), heading ("Gradient flow (‖grad‖₂ per parameter, log scale)"));
  self->flow = lm_grad_flow_new ();
  gtk_box_append (GTK_BOX (self), self->flow);

  gtk_box_append (GTK_BOX (self), heading ("Alerts"));
  self->alerts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (self), self->alerts);

  gtk_box_append (GTK_BOX (self), heading ("Execution"));
  {
    GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

    g_signal_connect (factory, "setup", G_CALLBACK (on_row_setup), NULL);
    g_signal_connect (factory, "bind", G_CALLBACK (on_row_bind), NULL);
    self->rows = gtk_string_list_new (NULL);
    self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->rows)));
    gtk_single_selection_set_autoselect (self->selection, FALSE);
    gtk_single_selection_set_can_unselect (self->selection, TRUE);
    g_signal_connect (self->selection, "notify::selected", G_CALLBACK (on_row_selected), self);
    self->list = gtk_list_view_new (GTK_SELECTION_MODEL (g_object_ref (self->selection)), factory);
  }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), self->list);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroll), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  /* the page scrolls the whole pane on short screens; the list keeps a few rows */
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroll), 160);
  gtk_widget_set_vexpand (scroll, TRUE);
  gtk_box_append (GTK_BOX (self), scroll);
  add_shortcuts (self);
}

GtkWidget *
lm_debugger_pane_new (LmGraphView *view)
{
  LmDebuggerPane *self = g_object_new (LM_TYPE_DEBUGGER_PANE, NULL);

  self->view = view;
  g_signal_connect_object (view, "breakpoints-changed", G_CALLBACK (on_breakpoints_changed), self, 0);
  /* the rows, marked with the breakpoints as they are now */
  lm_debugger_pane_reload (self);
  sync_breakpoints (self);
  return GTK_WIDGET (self);
}

void
lm_debugger_pane_reload (LmDebuggerPane *self)
{
  const LmTraceData *t = trace_of (self);
  gssize first_big = -1;

  g_return_if_fail (LM_IS_DEBUGGER_PANE (self));
  gtk_widget_set_sensitive (self->nav_bar, t != NULL && t->n_events > 0);
  gtk_widget_set_sensitive (self->run_row, t != NULL && t->n_events > 0);
  self->updating = TRUE;
  clear_box (self->alerts);
  self->updating = FALSE;
  find_returned (self);
  {
    g_autofree char *missing = lm_trace_data_missing_text (t);
    g_autofree char *note = missing ? g_strdup_printf ("⚠ %s: the run file lost them or they were removed. "
                                                       "Op numbers are the stored ones, as in lumen-train's "
                                                       "messages.", missing)
                                    : NULL;
    gtk_label_set_text (GTK_LABEL (self->notice), note ? note : "");
    gtk_widget_set_visible (self->notice, note != NULL);
  }
  self->current = -1;
  set_rows (self);
  for (gsize i = 0; t && i < t->n_events; i++)
    {
      const LmTraceDataEvent *e = &t->events[i];
      if (first_big < 0 && (fabs (e->min) > BIG_VALUE || fabs (e->max) > BIG_VALUE))
        first_big = (gssize) i;
    }
  {
    LmGraphData *g = lm_graph_view_get_graph (self->view);
    LmTraceAnomaly nan, inf, big = { .event = first_big, .seen_at = first_big, .input = -1 };
    struct { const LmTraceAnomaly *a; const char *what; } al[] = {
      { &nan, "first NaN" }, { &inf, "first Inf" }, { &big, "first |value| > 1e6" },
    };
    gboolean any = FALSE;

    lm_trace_data_first_anomaly (t, g, LM_TRACE_NAN, &nan);
    lm_trace_data_first_anomaly (t, g, LM_TRACE_INF, &inf);
    for (guint k = 0; k < G_N_ELEMENTS (al); k++)
      if (al[k].a->event >= 0)
        {
          const LmTraceAnomaly *a = al[k].a;
          const LmTraceDataEvent *e = &t->events[a->event];
          const char *module;
          const char *name = op_name (self, e->node_id, &module);
          g_autofree char *s = NULL;

          if (a->seen_at != a->event)
            {
              /* named by the op whose backward returned it (as PyTorch's
               * anomaly mode does), not the op that received it */
              const char *to = op_name (self, t->events[a->seen_at].node_id, &module);
              /* several ops' gradients summed: the file holds only the sum */
              g_autofree char *summed = a->n_producers > 1
                                          ? g_strdup_printf (" (or one of %u other ops whose gradients were "
                                                             "summed with it)", a->n_producers - 1)
                                          : NULL;
              s = g_strdup_printf ("⚠ %s: op %" G_GINT64_FORMAT ", backward %s%s returned it for input %d "
                                   "(%s, op %" G_GINT64_FORMAT ")",
                                   al[k].what, op_number (t, a->event), name, summed ? summed : "", a->input, to,
                                   op_number (t, a->seen_at));
            }
          else
            s = g_strdup_printf ("⚠ %s: op %" G_GINT64_FORMAT ", %s %s", al[k].what, op_number (t, a->event),
                                 e->backward ? "backward" : "forward", name);
          GtkWidget *b = gtk_button_new_with_label (s);
          gtk_widget_add_css_class (b, "flat");
          gtk_widget_set_halign (b, GTK_ALIGN_START);
          g_object_set_data (G_OBJECT (b), "index", GSIZE_TO_POINTER ((gsize) a->event + 1));
          g_signal_connect (b, "clicked", G_CALLBACK (on_goto_clicked), self);
          gtk_box_append (GTK_BOX (self->alerts), b);
          any = TRUE;
        }
    if (!any)
      gtk_box_append (GTK_BOX (self->alerts),
                      gtk_label_new (t == NULL ? ""
                                     : t->n_events == 0 ? "none: this trace has no ops"
                                                        : "none: every value is finite"));
  }
  lm_grad_flow_set_data (LM_GRAD_FLOW (self->flow), lm_graph_view_get_graph (self->view), t);
  self->current = -1;
  gtk_label_set_text (GTK_LABEL (self->status), "");
  if (!lm_debugger_pane_first_anomaly (self))
    lm_debugger_pane_set_current (self, t && t->n_events ? 0 : -1);
}

gssize
lm_debugger_pane_get_current (LmDebuggerPane *self)
{
  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), -1);
  return self->current;
}

void
lm_debugger_pane_set_current (LmDebuggerPane *self, gssize index)
{
  const LmTraceData *t;

  g_return_if_fail (LM_IS_DEBUGGER_PANE (self));
  t = trace_of (self);
  if (t == NULL || t->n_events == 0)
    index = -1;
  else
    index = CLAMP (index, 0, (gssize) t->n_events - 1);
  self->current = index;
  show_current (self);
}

void
lm_debugger_pane_step (LmDebuggerPane *self, int delta)
{
  g_return_if_fail (LM_IS_DEBUGGER_PANE (self));
  lm_debugger_pane_set_current (self, self->current + delta);
}

gboolean
lm_debugger_pane_first_anomaly (LmDebuggerPane *self)
{
  const LmTraceData *t;

  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), FALSE);
  t = trace_of (self);
  LmTraceAnomaly a;
  if (!lm_trace_data_first_anomaly (t, lm_graph_view_get_graph (self->view), LM_TRACE_NONFINITE, &a))
    return FALSE;
  lm_debugger_pane_set_current (self, a.event);
  return TRUE;
}

gboolean
lm_debugger_pane_set_current_op (LmDebuggerPane *self, gint64 op)
{
  gssize i;

  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), FALSE);
  i = lm_trace_data_find_seq (trace_of (self), op - 1);
  if (i < 0)
    return FALSE;
  lm_debugger_pane_set_current (self, i);
  return TRUE;
}

static const char *const kind_words[] = {
  "a NaN/Inf", "this op type", "this node", "a breakpoint",
};

/* The nearest op after (dir 1) or before (dir -1) the current one that
 * matches; the status line says where it stopped or that none did. */
static gboolean
run_dir (LmDebuggerPane *self, LmBreakKind kind, int dir)
{
  const LmTraceData *t;
  const LmTraceDataEvent *cur;
  LmGraphData *g;
  g_autofree char *msg = NULL;

  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), FALSE);
  t = trace_of (self);
  if (t == NULL || self->current < 0)
    return FALSE;
  if ((guint) kind >= G_N_ELEMENTS (kind_words))
    {
      gtk_label_set_text (GTK_LABEL (self->status), "Unknown breakpoint condition");
      return FALSE;
    }
  g = lm_graph_view_get_graph (self->view);
  cur = &t->events[self->current];
  gssize ci = lm_graph_data_find (g, cur->node_id);
  for (gssize i = self->current + dir; i >= 0 && i < (gssize) t->n_events; i += dir)
    {
      const LmTraceDataEvent *e = &t->events[i];
      gssize k = lm_graph_data_find (g, e->node_id);
      gboolean hit = FALSE;

      switch (kind)
        {
        case LM_BREAK_ANOMALY:
          /* what holds a NaN/Inf, and the op whose backward returned it */
          hit = e->nan_count + e->inf_count > 0 || (returned_at (self, i) && returned_at (self, i)->kinds);
          break;
        case LM_BREAK_OP_TYPE:
          hit = ci >= 0 && k >= 0 && g_strcmp0 (g->nodes[k].op, g->nodes[ci].op) == 0;
          break;
        case LM_BREAK_NODE:
          hit = e->node_id == cur->node_id;
          break;
        case LM_BREAK_BREAKPOINTS:
          hit = lm_graph_view_breaks_at (self->view, e->node_id);
          break;
        default:
          break;
        }
      if (hit)
        {
          lm_debugger_pane_set_current (self, i);
          msg = g_strdup_printf ("Stopped at op %" G_GINT64_FORMAT ": %s", op_number (t, i), kind_words[kind]);
          gtk_label_set_text (GTK_LABEL (self->status), msg);
          return TRUE;
        }
    }
  if (kind == LM_BREAK_BREAKPOINTS && lm_graph_view_get_n_breakpoints (self->view) == 0)
    msg = g_strdup_printf ("No breakpoints set: stayed at op %" G_GINT64_FORMAT, op_number (t, self->current));
  else
    msg = g_strdup_printf ("No %s op matches %s: stayed at op %" G_GINT64_FORMAT, dir > 0 ? "later" : "earlier",
                           kind_words[kind], op_number (t, self->current));
  gtk_label_set_text (GTK_LABEL (self->status), msg);
  return FALSE;
}

gboolean
lm_debugger_pane_run_to (LmDebuggerPane *self, LmBreakKind kind)
{
  return run_dir (self, kind, 1);
}

gboolean
lm_debugger_pane_run_to_previous (LmDebuggerPane *self, LmBreakKind kind)
{
  return run_dir (self, kind, -1);
}

LmBreakKind
lm_debugger_pane_get_break_kind (LmDebuggerPane *self)
{
  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), LM_BREAK_ANOMALY);
  return (LmBreakKind) gtk_drop_down_get_selected (GTK_DROP_DOWN (self->break_drop));
}

const char *
lm_debugger_pane_get_status (LmDebuggerPane *self)
{
  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->status));
}

const guint *
lm_debugger_pane_get_histogram (LmDebuggerPane *self, guint *n_bins, double *lo, double *hi)
{
  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), NULL);
  if (!self->have_hist)
    return NULL;
  *n_bins = N_BINS;
  *lo = self->lo;
  *hi = self->hi;
  return self->bins;
}

GtkWidget *
lm_debugger_pane_get_tensor_view (LmDebuggerPane *self)
{
  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), NULL);
  return self->tensor;
}

GtkWidget *
lm_debugger_pane_get_grad_flow (LmDebuggerPane *self)
{
  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), NULL);
  return self->flow;
}

const char *
lm_debugger_pane_get_notice (LmDebuggerPane *self)
{
  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), NULL);
  return gtk_widget_get_visible (self->notice) ? gtk_label_get_text (GTK_LABEL (self->notice)) : NULL;
}

const char *
lm_debugger_pane_get_position_text (LmDebuggerPane *self)
{
  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->position));
}

const char *
lm_debugger_pane_get_inspector_text (LmDebuggerPane *self)
{
  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->inspector));
}

char *
lm_debugger_pane_get_alerts_text (LmDebuggerPane *self)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), NULL);
  for (GtkWidget *c = gtk_widget_get_first_child (self->alerts); c; c = gtk_widget_get_next_sibling (c))
    {
      const char *text = GTK_IS_BUTTON (c) ? gtk_button_get_label (GTK_BUTTON (c))
                                           : GTK_IS_LABEL (c) ? gtk_label_get_text (GTK_LABEL (c)) : NULL;
      if (text)
        g_string_append_printf (s, "%s%s", s->len ? "\n" : "", text);
    }
  return g_string_free (s, FALSE);
}

char *
lm_debugger_pane_get_row_text (LmDebuggerPane *self, gsize index)
{
  char *text = NULL;

  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), NULL);
  if (index >= g_list_model_get_n_items (G_LIST_MODEL (self->rows)))
    return NULL;
  if (!pango_parse_markup (gtk_string_list_get_string (self->rows, (guint) index), -1, 0, NULL, &text, NULL, NULL))
    return NULL;
  return text;
}

gboolean
lm_debugger_pane_follow (LmDebuggerPane *self, gboolean consumer)
{
  const LmTraceData *t;
  GtkWidget *first = NULL;

  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), FALSE);
  t = trace_of (self);
  for (GtkWidget *c = gtk_widget_get_first_child (consumer ? self->consumers : self->inputs); t && c;
       c = gtk_widget_get_next_sibling (c))
    {
      gsize i = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (c), "index"));

      if (!GTK_IS_BUTTON (c) || i == 0 || i > t->n_events)
        continue;
      if (t->events[i - 1].nan_count + t->events[i - 1].inf_count > 0)
        {
          first = c;
          break;
        }
      if (first == NULL)
        first = c;
    }
  if (first == NULL)
    return FALSE;
  on_goto_clicked (GTK_BUTTON (first), self);
  return TRUE;
}

GtkWidget *
lm_debugger_pane_get_links (LmDebuggerPane *self, gboolean consumers)
{
  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), NULL);
  return consumers ? self->consumers : self->inputs;
}

GtkWidget *
lm_debugger_pane_get_timeline (LmDebuggerPane *self)
{
  g_return_val_if_fail (LM_IS_DEBUGGER_PANE (self), NULL);
  return self->timeline;
}
