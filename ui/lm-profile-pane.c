/* lm-profile-pane.c: the Profile pane (see lm-profile-pane.h).
 *
 * The table is a list box of fixed-width label rows under a row of heading
 * buttons, rebuilt whenever the trace, the grouping or the sort changes:
 * at most MAX_ROWS of them, as key_averages().table() prints its top 100
 * rows by default (a 4,000-op step's every row took 4 s to sort and 3 s to
 * show), with a line above them saying how many more there are and a
 * button showing them all (table(row_limit=-1)) or the first 100 again;
 * the choice stays for other sorts, groupings and steps.
 * The timeline is a drawing area over the step's span; under it, for a
 * step profiled with memory, the memory curve over the same span (bytes
 * allocated at each op's start and end, the step's peak marked with a dot),
 * as the PyTorch Profiler plugin's Memory view draws it. The table's two
 * memory columns show only then, as torch's table has them only with
 * profile_memory=True.
 *
 * Keyboard, as the scalar charts and the HParams matrix: Tab focuses the
 * timeline (a ring marks it); Left/Right move to the previous/next op in
 * time order (by start; a parent before the ops nested in it; a forward
 * op before a backward one starting with it), Home/End to the first and
 * last.  That op's bar is drawn as the hovered one is, its tooltip text
 * is the timeline's accessible description and its keyboard tooltip, and
 * Enter or space selects its node as a click on the bar does.
 */
#include "lm-profile-pane.h"

#include "lm-chrome-trace.h"
#include "lm-theme.h"

#include <math.h>
#include <unistd.h>

#define MAX_ROWS 100

struct _LmProfilePane
{
  GtkBox parent_instance;

  LmGraphView *view;            /* a reference: siblings may go first */
  LmProfile *profile;
  LmProfileGroup group;
  LmProfileSort sort;
  char *summary;
  GtkWidget *summary_label, *group_drop, *timeline, *list, *more, *all_button;
  GtkWidget *memory_label, *memory;
  GtkWidget *export_button, *export_label;
  char *run_name;               /* for the export's file name; may be NULL */
  double memory_x;              /* the pointer over the memory curve, -1: away */
  gboolean show_all;            /* every row, not the first MAX_ROWS */
  GtkWidget *heads[10];
  guint *order;                 /* the trace's timed events in time order */
  guint n_order;
  int focus;                    /* the keys' op, in order; -1: none yet */
  struct
  {
    gint64 node_id, start_ns, dur_ns;
    gboolean backward;
  } focus_was;                  /* the keys' op, found again after a reload */
  gssize hover;                 /* the event under the pointer, or -1 */
};

G_DEFINE_FINAL_TYPE (LmProfilePane, lm_profile_pane, GTK_TYPE_BOX)

/* The columns: heading, the sort it asks for, width in characters. */
static const struct
{
  const char *title, *tip;
  LmProfileSort sort;
  int chars;
} columns[] = {
  { "Op", "Op and module, or input shapes (sort by name)", LM_PROFILE_SORT_NAME, 14 },
  { "Calls", "Calls of the op, as key_averages() counts them: its forward calls (each one's backward "
    "belongs to it); in an imported torch.profiler trace, its calls in backward too", LM_PROFILE_SORT_CALLS, 5 },
  { "Fwd", "Forward time", LM_PROFILE_SORT_FORWARD, 7 },
  { "Bwd", "Backward time (the op's backward function)", LM_PROFILE_SORT_BACKWARD, 7 },
  { "Total", "Forward + backward time", LM_PROFILE_SORT_TOTAL, 7 },
  { "Self", "Total less the ops nested inside it", LM_PROFILE_SORT_SELF, 7 },
  { "Mean", "Total per call", LM_PROFILE_SORT_MEAN, 7 },
  { "%", "Total as a share of the step's wall time", LM_PROFILE_SORT_TOTAL, 4 },
  { "CPU Mem", "Bytes allocated less bytes freed by the op and the ops nested in it (profile_memory)",
    LM_PROFILE_SORT_MEM, 10 },
  { "Self CPU Mem", "Bytes allocated less bytes freed by the op alone", LM_PROFILE_SORT_SELF_MEM, 12 },
};
#define FIRST_MEM_COLUMN 8

static GtkWidget *
cell (const char *text, int chars, gboolean left)
{
  GtkWidget *l = gtk_label_new (text);

  gtk_label_set_width_chars (GTK_LABEL (l), chars);
  gtk_label_set_max_width_chars (GTK_LABEL (l), chars);
  gtk_label_set_ellipsize (GTK_LABEL (l), left ? PANGO_ELLIPSIZE_MIDDLE : PANGO_ELLIPSIZE_NONE);
  gtk_label_set_xalign (GTK_LABEL (l), left ? 0 : 1);
  gtk_widget_add_css_class (l, "numeric");
  return l;
}

static void
fill_rows (LmProfilePane *self)
{
  GtkWidget *child;
  gsize n_rows = self->profile ? self->profile->n_rows : 0;
  gboolean mem = self->profile != NULL && self->profile->has_memory;

  while ((child = gtk_widget_get_first_child (self->list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->list), child);
  for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
    {
      g_autofree char *t = g_strdup_printf ("%s%s", columns[c].title,
                                            c != 7 && columns[c].sort == self->sort ? " ▾" : "");
      gtk_label_set_text (GTK_LABEL (self->heads[c]), t);
      gtk_widget_set_visible (self->heads[c], c < FIRST_MEM_COLUMN || mem);
    }
  for (gsize i = 0; i < (self->show_all ? n_rows : MIN (n_rows, MAX_ROWS)); i++)
    {
      const LmProfileRow *r = &self->profile->rows[i];
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      char b[5][32];
      g_autofree char *name = *r->module ? g_strdup_printf ("%s  %s", r->op, r->module)
                              : *r->input_shapes ? g_strdup_printf ("%s  %s", r->op, r->input_shapes)
                              : r->nodes > 1 ? g_strdup_printf ("%s ×%u", r->op, r->nodes)
                                             : g_strdup (r->op);
      g_autofree char *calls = g_strdup_printf ("%u", r->calls);
      g_autofree char *pc = g_strdup_printf ("%.1f", r->percent);

      GtkWidget *name_cell = cell (name, columns[0].chars, TRUE);

      gtk_widget_set_tooltip_text (name_cell, name);
      gtk_box_append (GTK_BOX (row), name_cell);
      gtk_box_append (GTK_BOX (row), cell (calls, columns[1].chars, FALSE));
      gtk_box_append (GTK_BOX (row), cell (lm_profile_time_text ((double) r->forward_ns, b[0], 32), 7, FALSE));
      gtk_box_append (GTK_BOX (row), cell (lm_profile_time_text ((double) r->backward_ns, b[1], 32), 7, FALSE));
      gtk_box_append (GTK_BOX (row), cell (lm_profile_time_text ((double) r->total_ns, b[2], 32), 7, FALSE));
      gtk_box_append (GTK_BOX (row), cell (lm_profile_time_text ((double) r->self_ns, b[3], 32), 7, FALSE));
      gtk_box_append (GTK_BOX (row), cell (lm_profile_time_text (r->mean_ns, b[4], 32), 7, FALSE));
      gtk_box_append (GTK_BOX (row), cell (pc, columns[7].chars, FALSE));
      if (mem)
        {
          char m[2][32];
          gtk_box_append (GTK_BOX (row), cell (lm_profile_bytes_text (r->mem_bytes, m[0], 32), columns[8].chars, FALSE));
          gtk_box_append (GTK_BOX (row),
                          cell (lm_profile_bytes_text (r->self_mem_bytes, m[1], 32), columns[9].chars, FALSE));
        }
      gtk_widget_set_tooltip_text (row, name);
      gtk_list_box_append (GTK_LIST_BOX (self->list), row);
    }
  if (n_rows > MAX_ROWS)
    {
      g_autofree char *more = g_strdup_printf ("The first %d of %zu rows in this order: %zu more (%s); sort by "
                                               "another column, group by op type, or show them all.",
                                               MAX_ROWS, n_rows, n_rows - MAX_ROWS,
                                               self->sort == LM_PROFILE_SORT_NAME ? "later names" : "smaller");
      g_autofree char *all = g_strdup_printf ("Show all %zu rows", n_rows);

      gtk_label_set_text (GTK_LABEL (self->more), more);
      gtk_button_set_label (GTK_BUTTON (self->all_button),
                            self->show_all ? "Show the first " G_STRINGIFY (MAX_ROWS) " rows" : all);
    }
  gtk_widget_set_visible (self->more, n_rows > MAX_ROWS && !self->show_all);
  gtk_widget_set_visible (self->all_button, n_rows > MAX_ROWS);
  gtk_widget_queue_draw (self->timeline);
  gtk_widget_queue_draw (self->memory);
}

static int
compare_events (gconstpointer a, gconstpointer b, gpointer data)
{
  const LmTraceData *t = data;
  const LmTraceDataEvent *ea = &t->events[*(const guint *) a];
  const LmTraceDataEvent *eb = &t->events[*(const guint *) b];

  if (ea->start_ns != eb->start_ns)
    return ea->start_ns < eb->start_ns ? -1 : 1;
  if (ea->dur_ns != eb->dur_ns)   /* the parent before what is nested in it */
    return ea->dur_ns > eb->dur_ns ? -1 : 1;
  if (ea->backward != eb->backward)
    return ea->backward ? 1 : -1;
  return *(const guint *) a < *(const guint *) b ? -1 : 1;
}

static void update_accessible (LmProfilePane *self);
static char *event_name (LmProfilePane *self, gssize i);

/* The keys' order over t's timed events; they stay on their op where t
 * has it (another grouping, the same step again), else start from none. */
static void
fill_order (LmProfilePane *self, const LmTraceData *t)
{
  gboolean had = self->focus >= 0;

  g_clear_pointer (&self->order, g_free);
  self->n_order = 0;
  self->focus = -1;
  self->hover = -1;
  if (t != NULL)
    {
      self->order = g_new (guint, MAX (t->n_events, 1));
      for (gsize i = 0; i < t->n_events; i++)
        if (t->events[i].dur_ns >= 0)
          self->order[self->n_order++] = (guint) i;
      g_qsort_with_data (self->order, (gint) self->n_order, sizeof *self->order, compare_events, (gpointer) t);
      for (guint k = 0; had && k < self->n_order; k++)
        {
          const LmTraceDataEvent *e = &t->events[self->order[k]];
          if (e->node_id == self->focus_was.node_id && e->backward == self->focus_was.backward
              && e->start_ns == self->focus_was.start_ns && e->dur_ns == self->focus_was.dur_ns)
            self->focus = (int) k;
        }
    }
  update_accessible (self);
}

void
lm_profile_pane_reload (LmProfilePane *self)
{
  const LmTraceData *t;
  char a[32], b[32], c[32], d[32];

  g_return_if_fail (LM_IS_PROFILE_PANE (self));
  g_clear_pointer (&self->profile, lm_profile_free);
  g_clear_pointer (&self->summary, g_free);
  t = self->view ? lm_graph_view_get_trace (self->view) : NULL;
  if (t != NULL)
    self->profile = lm_profile_compute (t, lm_graph_view_get_graph (self->view), self->group);
  if (self->profile != NULL)
    {
      const LmProfile *p = self->profile;
      lm_profile_sort (self->profile, self->sort);
      if (p->step_measured)
        self->summary = g_strdup_printf ("Step %" G_GINT64_FORMAT ": %u ops took %s of a %s step (%.0f%%): "
                                         "forward %s, backward %s. The rest: data, optimizer, "
                                         "autograd's bookkeeping, recording.",
                                         t->step, p->n_timed, lm_profile_time_text ((double) p->ops_ns, a, 32),
                                         lm_profile_time_text ((double) p->step_ns, b, 32),
                                         100.0 * (double) p->ops_ns / (double) p->step_ns,
                                         lm_profile_time_text ((double) p->forward_ns, c, 32),
                                         lm_profile_time_text ((double) p->backward_ns, d, 32));
      else
        self->summary = g_strdup_printf ("Step %" G_GINT64_FORMAT ": %u ops took %s: forward %s, backward %s.",
                                         t->step, p->n_timed, lm_profile_time_text ((double) p->ops_ns, a, 32),
                                         lm_profile_time_text ((double) p->forward_ns, c, 32),
                                         lm_profile_time_text ((double) p->backward_ns, d, 32));
    }
  if (self->profile != NULL && self->profile->has_memory && self->profile->mem_peak_event >= 0)
    {
      g_autofree char *op = event_name (self, self->profile->mem_peak_event);
      g_autofree char *with = g_strdup_printf ("%s Memory peaked at %s during %s (%s).", self->summary,
                                               lm_profile_bytes_text (self->profile->mem_peak_bytes, a, 32), op,
                                               t->events[self->profile->mem_peak_event].backward ? "backward"
                                                                                                 : "forward");
      g_free (self->summary);
      self->summary = g_steal_pointer (&with);
    }
  else if (self->profile == NULL && t != NULL)
    self->summary = g_strdup_printf ("The trace of step %" G_GINT64_FORMAT " has no op times. Profile steps "
                                     "with: lumen-train --profile-steps 10,11,12 (or --profile).", t->step);
  else if (t == NULL)
    self->summary = g_strdup ("No trace. Profile steps with: lumen-train --profile-steps 10,11,12 "
                              "(or --profile).");
  gtk_label_set_text (GTK_LABEL (self->summary_label), self->summary);
  gtk_widget_set_visible (self->timeline, self->profile != NULL);
  gtk_widget_set_visible (self->export_button, self->profile != NULL);
  gtk_widget_set_visible (self->export_label, FALSE);
  gtk_widget_set_visible (self->memory_label, self->profile != NULL && self->profile->has_memory);
  gtk_widget_set_visible (self->memory, self->profile != NULL && self->profile->has_memory);
  fill_order (self, self->profile != NULL ? t : NULL);
  fill_rows (self);
}

void
lm_profile_pane_set_sort (LmProfilePane *self, LmProfileSort sort)
{
  g_return_if_fail (LM_IS_PROFILE_PANE (self));
  self->sort = sort;
  if (self->profile)
    lm_profile_sort (self->profile, sort);
  fill_rows (self);
}

void
lm_profile_pane_set_group (LmProfilePane *self, LmProfileGroup group)
{
  g_return_if_fail (LM_IS_PROFILE_PANE (self));
  if (gtk_drop_down_get_selected (GTK_DROP_DOWN (self->group_drop)) != (guint) group)
    gtk_drop_down_set_selected (GTK_DROP_DOWN (self->group_drop), (guint) group);
  if (self->group == group)
    return;
  self->group = group;
  lm_profile_pane_reload (self);
}

const LmProfile *
lm_profile_pane_get_profile (LmProfilePane *self)
{
  g_return_val_if_fail (LM_IS_PROFILE_PANE (self), NULL);
  return self->profile;
}

const char *
lm_profile_pane_get_more (LmProfilePane *self)
{
  g_return_val_if_fail (LM_IS_PROFILE_PANE (self), NULL);
  return gtk_widget_get_visible (self->more) ? gtk_label_get_text (GTK_LABEL (self->more)) : NULL;
}

GtkWidget *
lm_profile_pane_get_all_button (LmProfilePane *self)
{
  g_return_val_if_fail (LM_IS_PROFILE_PANE (self), NULL);
  return self->all_button;
}

static void
on_all_clicked (LmProfilePane *self)
{
  self->show_all = !self->show_all;
  fill_rows (self);
}

guint
lm_profile_pane_get_n_shown (LmProfilePane *self)
{
  guint n = 0;

  g_return_val_if_fail (LM_IS_PROFILE_PANE (self), 0);
  for (GtkWidget *c = gtk_widget_get_first_child (self->list); c; c = gtk_widget_get_next_sibling (c))
    n++;
  return n;
}

const char *
lm_profile_pane_get_summary (LmProfilePane *self)
{
  g_return_val_if_fail (LM_IS_PROFILE_PANE (self), NULL);
  return self->summary;
}

void
lm_profile_pane_activate_row (LmProfilePane *self, guint i)
{
  g_return_if_fail (LM_IS_PROFILE_PANE (self));
  if (self->profile == NULL || i >= self->profile->n_rows)
    return;
  lm_graph_view_select (self->view, self->profile->rows[i].node_id);
}

static void
on_row_activated (GtkListBox *box, GtkListBoxRow *row, LmProfilePane *self)
{
  lm_profile_pane_activate_row (self, (guint) gtk_list_box_row_get_index (row));
}

static void
on_head_clicked (GtkGestureClick *click, int n_press, double x, double y, LmProfilePane *self)
{
  GtkWidget *head = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (click));

  for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
    if (self->heads[c] == head)
      lm_profile_pane_set_sort (self, columns[c].sort);
}

static void
on_group_selected (GtkDropDown *drop, GParamSpec *pspec, LmProfilePane *self)
{
  lm_profile_pane_set_group (self, (LmProfileGroup) gtk_drop_down_get_selected (drop));
}

/* The span of the step's timed events: FALSE when it has none. */
static gboolean
timeline_span (const LmTraceData *t, gint64 *t0, gint64 *t1)
{
  *t0 = G_MAXINT64, *t1 = 0;
  for (gsize i = 0; i < t->n_events; i++)
    if (t->events[i].dur_ns >= 0)
      {
        *t0 = MIN (*t0, t->events[i].start_ns);
        *t1 = MAX (*t1, t->events[i].start_ns + t->events[i].dur_ns);
      }
  return *t1 > *t0;
}

/* The event the keys are on, or -1. */
static gssize
focus_event (LmProfilePane *self)
{
  const LmTraceData *t = self->view ? lm_graph_view_get_trace (self->view) : NULL;

  if (t == NULL || self->focus < 0 || (guint) self->focus >= self->n_order
      || self->order[self->focus] >= t->n_events)
    return -1;
  return (gssize) self->order[self->focus];
}

/* The step's ops as bars over its span: forward blue, backward orange;
 * the selected node's bars outlined; the bar under the pointer, and the
 * keys' bar while the focus shows, lighter and edged in ink; the focus
 * ring round it all. */
static void
draw_timeline (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  LmProfilePane *self = data;
  const LmThemeColors *tc = lm_theme_colors ();

  if (self->view == NULL)
    return;
  const LmTraceData *t = lm_graph_view_get_trace (self->view);
  gint64 t0, t1, sel = lm_graph_view_get_selected (self->view);

  gdk_cairo_set_source_rgba (cr, &tc->panel);
  cairo_paint (cr);
  if (t == NULL || self->profile == NULL)
    return;
  if (!timeline_span (t, &t0, &t1))
    return;
  double sx = (width - 8) / (double) (t1 - t0);
  gboolean keys = gtk_widget_has_visible_focus (self->timeline);
  gssize focus = keys ? focus_event (self) : -1;
  for (int pass = 0; pass < 3; pass++)
    for (gsize i = 0; i < t->n_events; i++)
      {
        const LmTraceDataEvent *e = &t->events[i];
        gboolean lit = (gssize) i == self->hover || (gssize) i == focus;
        /* plain bars, then the selected node's, then the lit ones on top */
        if (e->dur_ns < 0 || pass != (lit ? 2 : e->node_id == sel ? 1 : 0))
          continue;
        double x = 4 + (double) (e->start_ns - t0) * sx, w = MAX ((double) e->dur_ns * sx, 1.0);
        double y = e->backward ? height / 2.0 + 2 : 4, h = height / 2.0 - 6;
        double k = lit ? 0.45 : 0;   /* towards white */
        if (e->backward)
          cairo_set_source_rgb (cr, 0.93 + 0.07 * k, 0.55 + 0.45 * k, 0.15 + 0.85 * k);
        else
          cairo_set_source_rgb (cr, 0.25 + 0.75 * k, 0.50 + 0.50 * k, 0.85 + 0.15 * k);
        cairo_rectangle (cr, x, y, w, h);
        cairo_fill (cr);
        if (e->node_id == sel)
          {
            gdk_cairo_set_source_rgba (cr, &tc->strong);
            cairo_set_line_width (cr, 2);
            cairo_rectangle (cr, x - 1, y - 1, w + 2, h + 2);
            cairo_stroke (cr);
          }
        if (lit)
          {
            lm_theme_set_ink (cr, 0.85);
            cairo_set_line_width (cr, 1);
            cairo_rectangle (cr, x - 0.5, y - 0.5, w + 1, h + 1);
            cairo_stroke (cr);
          }
      }
  if (keys)
    {
      const GdkRGBA ring = LM_THEME_FOCUS_RGBA;

      gdk_cairo_set_source_rgba (cr, &ring);
      cairo_set_line_width (cr, 2);
      cairo_rectangle (cr, 1, 1, width - 2, height - 2);
      cairo_stroke (cr);
    }
}

/* The timed event under (x, y) of the timeline, -1 for none: the bars'
 * geometry as draw_timeline lays them out; a bar under 3 px is hit 1 px
 * either side. */
static gssize
event_at (LmProfilePane *self, double x, double y)
{
  const LmTraceData *t = self->view ? lm_graph_view_get_trace (self->view) : NULL;
  int width = gtk_widget_get_width (self->timeline), height = gtk_widget_get_height (self->timeline);
  gint64 t0, t1;
  gssize best = -1;

  if (t == NULL || self->profile == NULL)
    return -1;
  if (!timeline_span (t, &t0, &t1))
    return -1;
  double sx = (width - 8) / (double) (t1 - t0);
  gboolean backward = y >= height / 2.0;
  for (gsize i = 0; i < t->n_events; i++)
    {
      const LmTraceDataEvent *e = &t->events[i];
      if (e->dur_ns < 0 || e->backward != backward)
        continue;
      double x0 = 4 + (double) (e->start_ns - t0) * sx, w = MAX ((double) e->dur_ns * sx, 1.0);
      /* the shortest bar under the pointer: a nested op over its parent */
      if (x >= x0 - (w < 3 ? 1 : 0) && x <= x0 + w + (w < 3 ? 1 : 0)
          && (best < 0 || e->dur_ns < t->events[best].dur_ns))
        best = (gssize) i;
    }
  return best;
}

/* Event i's op and module, "linear  fc1" ("node 7" without a graph). */
static char *
event_name (LmProfilePane *self, gssize i)
{
  const LmTraceDataEvent *e = &lm_graph_view_get_trace (self->view)->events[i];
  const LmGraphData *g = lm_graph_view_get_graph (self->view);
  gssize ni = g ? lm_graph_data_find (g, e->node_id) : -1;

  return ni < 0 ? g_strdup_printf ("node %" G_GINT64_FORMAT, e->node_id)
         : *g->nodes[ni].module ? g_strdup_printf ("%s  %s", g->nodes[ni].op, g->nodes[ni].module)
                                : g_strdup (g->nodes[ni].op);
}

/* Event i's tooltip text: its op, direction, time and start. */
static char *
event_text (LmProfilePane *self, gssize i)
{
  if (i < 0)
    return NULL;
  const LmTraceData *t = lm_graph_view_get_trace (self->view);
  const LmTraceDataEvent *e = &t->events[i];
  gint64 t0, t1;
  char d[32], at[32];

  timeline_span (t, &t0, &t1);
  g_autofree char *name = event_name (self, i);
  return g_strdup_printf ("%s, %s: %s at %s", name, e->backward ? "backward" : "forward",
                          lm_profile_time_text ((double) e->dur_ns, d, sizeof d),
                          lm_profile_time_text ((double) (e->start_ns - t0), at, sizeof at));
}

char *
lm_profile_pane_timeline_text (LmProfilePane *self, double x, double y)
{
  g_return_val_if_fail (LM_IS_PROFILE_PANE (self), NULL);
  return event_text (self, event_at (self, x, y));
}

char *
lm_profile_pane_get_focus_text (LmProfilePane *self)
{
  g_return_val_if_fail (LM_IS_PROFILE_PANE (self), NULL);
  return event_text (self, focus_event (self));
}

/* The accessible description says where the keys are: their op as its
 * tooltip names it, or how to get there. */
static void
update_accessible (LmProfilePane *self)
{
  gssize i = focus_event (self);
  g_autofree char *text = event_text (self, i);

  if (i >= 0)
    {
      const LmTraceDataEvent *e = &lm_graph_view_get_trace (self->view)->events[i];
      self->focus_was.node_id = e->node_id;
      self->focus_was.start_ns = e->start_ns;
      self->focus_was.dur_ns = e->dur_ns;
      self->focus_was.backward = e->backward;
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->timeline), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text != NULL ? text
                                  : self->n_order > 0 ? "No op chosen: Left, Right, Home or End moves to one"
                                                      : "No timed ops",
                                  -1);
}

GtkWidget *
lm_profile_pane_get_timeline (LmProfilePane *self)
{
  g_return_val_if_fail (LM_IS_PROFILE_PANE (self), NULL);
  return self->timeline;
}

/* ---- the memory curve ---- */

/* Its geometry, as the timeline's x: FALSE when there is nothing to draw. */
static gboolean
memory_scale (LmProfilePane *self, int width, int height, gint64 *t0, double *sx, double *sy)
{
  const LmTraceData *t = self->view ? lm_graph_view_get_trace (self->view) : NULL;
  gint64 t1;

  if (t == NULL || self->profile == NULL || self->profile->n_mem_points == 0 || !timeline_span (t, t0, &t1))
    return FALSE;
  *sx = (width - 8) / (double) (t1 - *t0);
  /* room above the peak for its dot */
  *sy = (height - 10) / (double) MAX (self->profile->mem_peak_bytes, 1);
  return TRUE;
}

/* The peak's dot, on the curve: where the op it happened in held it. */
static void
memory_peak_at (LmProfilePane *self, int height, gint64 t0, double sx, double sy, double *x, double *y)
{
  *x = 4 + (lm_profile_memory_peak_t_ns (self->profile, lm_graph_view_get_trace (self->view)) - t0) * sx;
  *y = height - 2 - (double) self->profile->mem_peak_bytes * sy;
}

/* Allocated bytes as a filled line (each op's start and end, and the
 * middle of an op whose own peak is higher), the step's peak as a red dot,
 * and under the pointer a rule. */
static void
draw_memory (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  LmProfilePane *self = data;
  const LmThemeColors *tc = lm_theme_colors ();
  gint64 t0;
  double sx, sy, px, py;

  gdk_cairo_set_source_rgba (cr, &tc->panel);
  cairo_paint (cr);
  if (!memory_scale (self, width, height, &t0, &sx, &sy))
    return;
  const LmProfile *p = self->profile;
  double base = height - 2;
  gsize nv;
  g_autofree LmProfileMemVertex *v = lm_profile_memory_outline (p, lm_graph_view_get_trace (self->view), &nv);
  cairo_move_to (cr, 4 + (v[0].t_ns - t0) * sx, base);
  for (gsize i = 0; i < nv; i++)
    cairo_line_to (cr, 4 + (v[i].t_ns - t0) * sx, base - (double) v[i].bytes * sy);
  cairo_line_to (cr, 4 + (double) (p->mem_points[p->n_mem_points - 1].t_ns - t0) * sx, base);
  cairo_close_path (cr);
  cairo_set_source_rgba (cr, 0.30, 0.62, 0.35, 0.35);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.20, 0.52, 0.25);
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);
  if (p->mem_peak_event >= 0)
    {
      memory_peak_at (self, height, t0, sx, sy, &px, &py);
      cairo_set_source_rgb (cr, 0.85, 0.15, 0.15);
      cairo_arc (cr, px, py, 3.5, 0, 2 * G_PI);
      cairo_fill (cr);
      /* its bytes beside it: on its left, where the curve is no higher,
       * unless the step starts there */
      char b[32];
      g_autoptr (PangoLayout) pl = gtk_widget_create_pango_layout (
        GTK_WIDGET (area), lm_profile_bytes_text (p->mem_peak_bytes, b, sizeof b));
      int tw, th;
      pango_layout_get_pixel_size (pl, &tw, &th);
      lm_theme_set_ink (cr, 0.85);
      cairo_move_to (cr, px - 6 - tw >= 0 ? px - 6 - tw : px + 6, MAX (py - th / 2.0, 0));
      pango_cairo_show_layout (cr, pl);
    }
  if (self->memory_x >= 0)
    {
      lm_theme_set_ink (cr, 0.5);
      cairo_set_line_width (cr, 1);
      cairo_move_to (cr, floor (self->memory_x) + 0.5, 0);
      cairo_line_to (cr, floor (self->memory_x) + 0.5, height);
      cairo_stroke (cr);
    }
}

char *
lm_profile_pane_memory_text (LmProfilePane *self, double x, double y)
{
  int width = gtk_widget_get_width (self->memory), height = gtk_widget_get_height (self->memory);
  gint64 t0;
  double sx, sy, px, py;
  char b[32], at[32];

  g_return_val_if_fail (LM_IS_PROFILE_PANE (self), NULL);
  if (!memory_scale (self, width, height, &t0, &sx, &sy))
    return NULL;
  const LmProfile *p = self->profile;
  const LmTraceData *t = lm_graph_view_get_trace (self->view);
  if (p->mem_peak_event >= 0)
    {
      memory_peak_at (self, height, t0, sx, sy, &px, &py);
      if (fabs (x - px) <= 5 && fabs (y - py) <= 8)
        {
          const LmTraceDataEvent *e = &t->events[p->mem_peak_event];
          g_autofree char *name = event_name (self, p->mem_peak_event);
          return g_strdup_printf ("Peak: %s allocated during %s, %s (at %s)",
                                  lm_profile_bytes_text (p->mem_peak_bytes, b, sizeof b), name,
                                  e->backward ? "backward" : "forward",
                                  lm_profile_time_text ((double) (e->start_ns - t0), at, sizeof at));
        }
    }
  /* the last point at or before x: what was allocated there */
  gssize k = -1;
  for (gsize i = 0; i < p->n_mem_points; i++)
    if (4 + (double) (p->mem_points[i].t_ns - t0) * sx <= x + 0.5)
      k = (gssize) i;
  if (k < 0)
    return NULL;
  const LmProfileMemPoint *m = &p->mem_points[k];
  g_autofree char *name = event_name (self, (gssize) m->event);
  return g_strdup_printf ("%s allocated %s %s, %s (at %s)", lm_profile_bytes_text (m->bytes, b, sizeof b),
                          m->end ? "after" : "before", name, t->events[m->event].backward ? "backward" : "forward",
                          lm_profile_time_text ((double) (m->t_ns - t0), at, sizeof at));
}

GtkWidget *
lm_profile_pane_get_memory (LmProfilePane *self)
{
  g_return_val_if_fail (LM_IS_PROFILE_PANE (self), NULL);
  return self->memory;
}

static gboolean
on_memory_tooltip (GtkWidget *w, int x, int y, gboolean keyboard, GtkTooltip *tip, LmProfilePane *self)
{
  g_autofree char *text = lm_profile_pane_memory_text (self, x, y);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tip, text);
  return TRUE;
}

static void
on_memory_motion (GtkEventControllerMotion *motion, double x, double y, LmProfilePane *self)
{
  if (x != self->memory_x)
    {
      self->memory_x = x;
      gtk_widget_queue_draw (self->memory);
    }
}

static void
on_memory_leave (GtkEventControllerMotion *motion, LmProfilePane *self)
{
  on_memory_motion (motion, -1, -1, self);
}

/* Under the pointer, its bar's op; from the keyboard (Ctrl+F1), the keys' op. */
static gboolean
on_timeline_tooltip (GtkWidget *w, int x, int y, gboolean keyboard, GtkTooltip *tip, LmProfilePane *self)
{
  g_autofree char *text = keyboard ? event_text (self, focus_event (self)) : event_text (self, event_at (self, x, y));

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tip, text);
  return TRUE;
}

/* The keys go to event i (-1: none). */
static void
set_focus_event (LmProfilePane *self, gssize i)
{
  self->focus = -1;
  for (guint k = 0; i >= 0 && k < self->n_order; k++)
    if (self->order[k] == (guint) i)
      self->focus = (int) k;
  update_accessible (self);
  gtk_widget_queue_draw (self->timeline);
}

/* A click on a bar selects its node, as a click on a table row does, and
 * leaves the keys on it. */
static void
on_timeline_click (GtkGestureClick *click, int n_press, double x, double y, LmProfilePane *self)
{
  gssize i = event_at (self, x, y);

  gtk_widget_grab_focus (self->timeline);
  if (i < 0)
    return;
  set_focus_event (self, i);
  lm_graph_view_select (self->view, lm_graph_view_get_trace (self->view)->events[i].node_id);
}

static void
on_timeline_motion (GtkEventControllerMotion *motion, double x, double y, LmProfilePane *self)
{
  gssize i = event_at (self, x, y);

  if (i != self->hover)
    {
      self->hover = i;
      gtk_widget_queue_draw (self->timeline);
    }
}

static void
on_timeline_leave (GtkEventControllerMotion *motion, LmProfilePane *self)
{
  on_timeline_motion (motion, -1, -1, self);
}

enum { KEY_PREVIOUS = -1, KEY_NEXT = 1, KEY_FIRST = -2, KEY_LAST = 2, KEY_ACTIVATE = 10 };

static gboolean
on_timeline_key (GtkWidget *widget, GVariant *args, gpointer data)
{
  LmProfilePane *self = data;
  int key = g_variant_get_int32 (args);
  gssize i;

  if (self->n_order == 0)
    return FALSE;
  if (key == KEY_ACTIVATE)
    {
      if ((i = focus_event (self)) < 0)
        return FALSE;
      lm_graph_view_select (self->view, lm_graph_view_get_trace (self->view)->events[i].node_id);
      return TRUE;
    }
  if (key == KEY_FIRST)
    self->focus = 0;
  else if (key == KEY_LAST)
    self->focus = (int) self->n_order - 1;
  else if (self->focus < 0)   /* from none, the first or the last */
    self->focus = key > 0 ? 0 : (int) self->n_order - 1;
  else
    self->focus = CLAMP (self->focus + key, 0, (int) self->n_order - 1);
  update_accessible (self);
  gtk_widget_queue_draw (self->timeline);
  return TRUE;
}

/* The ring and the keys' bar show with the focus. */
static void
on_timeline_state (GtkWidget *widget, GtkStateFlags old, LmProfilePane *self)
{
  if ((old ^ gtk_widget_get_state_flags (widget)) & (GTK_STATE_FLAG_FOCUS_VISIBLE | GTK_STATE_FLAG_FOCUSED))
    gtk_widget_queue_draw (widget);
}

static void
on_selection_changed (LmGraphView *view, LmProfilePane *self)
{
  gtk_widget_queue_draw (self->timeline);
}

void
lm_profile_pane_set_run_name (LmProfilePane *self, const char *run_name)
{
  g_return_if_fail (LM_IS_PROFILE_PANE (self));
  g_free (self->run_name);
  self->run_name = g_strdup (run_name);
}

char *
lm_profile_pane_get_export_name (LmProfilePane *self)
{
  const LmTraceData *t;
  g_autofree char *run = NULL;

  g_return_val_if_fail (LM_IS_PROFILE_PANE (self), NULL);
  t = self->view ? lm_graph_view_get_trace (self->view) : NULL;
  if (self->profile == NULL || t == NULL)
    return NULL;
  /* a nested run's name ("mnist/lr0.1") in one file name */
  run = g_strdup (self->run_name && *self->run_name ? self->run_name : "lumen");
  g_strdelimit (run, "/\\", '_');
  return g_strdup_printf ("%s.step%" G_GINT64_FORMAT ".pt.trace.json", run, t->step);
}

gboolean
lm_profile_pane_export (LmProfilePane *self, const char *path, char **error)
{
  const LmTraceData *t;
  LmChromeTraceOptions o = { g_get_host_name (), 0, self->run_name };
  g_autofree char *msg = NULL;
  gboolean ok;

  g_return_val_if_fail (LM_IS_PROFILE_PANE (self), FALSE);
  t = self->view ? lm_graph_view_get_trace (self->view) : NULL;
  if (self->profile == NULL || t == NULL)
    {
      msg = g_strdup ("This step has no op times to export.");
      ok = FALSE;
    }
  else
    {
      o.pid = getpid ();
      ok = lm_chrome_trace_write (path, t, lm_graph_view_get_graph (self->view), &o, &msg);
    }
  if (ok)
    msg = g_strdup_printf ("Saved step %" G_GINT64_FORMAT " (%u ops) to %s", t->step, self->profile->n_timed,
                           path);
  gtk_label_set_text (GTK_LABEL (self->export_label), msg);
  gtk_widget_set_visible (self->export_label, TRUE);
  if (!ok && error)
    *error = g_steal_pointer (&msg);
  return ok;
}

static void
on_export_response (GtkNativeDialog *dialog, int response, LmProfilePane *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        lm_profile_pane_export (self, path, NULL);
      else
        {
          gtk_label_set_text (GTK_LABEL (self->export_label), "Only local files can be written.");
          gtk_widget_set_visible (self->export_label, TRUE);
        }
    }
  g_object_unref (self);
  g_object_unref (dialog);
}

static void
on_export_clicked (LmProfilePane *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *name = lm_profile_pane_get_export_name (self);
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  GtkFileChooserNative *dialog;

  if (name == NULL)
    return;
  dialog = gtk_file_chooser_native_new ("Export Chrome trace",
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, "_Export", "_Cancel");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_file_filter_set_name (filter, "Chrome traces (*.json)");
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

GtkWidget *
lm_profile_pane_get_export_button (LmProfilePane *self)
{
  g_return_val_if_fail (LM_IS_PROFILE_PANE (self), NULL);
  return self->export_button;
}

static void
lm_profile_pane_dispose (GObject *object)
{
  LmProfilePane *self = LM_PROFILE_PANE (object);

  if (self->view)
    g_signal_handlers_disconnect_by_data (self->view, self);
  g_clear_object (&self->view);
  G_OBJECT_CLASS (lm_profile_pane_parent_class)->dispose (object);
}

static void
lm_profile_pane_finalize (GObject *object)
{
  LmProfilePane *self = LM_PROFILE_PANE (object);

  lm_profile_free (self->profile);
  g_free (self->summary);
  g_free (self->order);
  g_free (self->run_name);
  G_OBJECT_CLASS (lm_profile_pane_parent_class)->finalize (object);
}

static void
lm_profile_pane_class_init (LmProfilePaneClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_profile_pane_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_profile_pane_finalize;
}

static void
lm_profile_pane_init (LmProfilePane *self)
{
  static const char *const groups[] = { "By node", "By op type", "By op type and input shape", NULL };
  GtkWidget *heads = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *tl_label = gtk_label_new ("Timeline: forward (top), backward (bottom)");
  static const struct { guint keyval; int key; } bindings[] = {
    { GDK_KEY_Left, KEY_PREVIOUS }, { GDK_KEY_Right, KEY_NEXT }, { GDK_KEY_Home, KEY_FIRST },
    { GDK_KEY_End, KEY_LAST }, { GDK_KEY_Return, KEY_ACTIVATE }, { GDK_KEY_KP_Enter, KEY_ACTIVATE },
    { GDK_KEY_space, KEY_ACTIVATE },
  };

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);
  gtk_widget_set_margin_start (GTK_WIDGET (self), 8);
  gtk_widget_set_margin_end (GTK_WIDGET (self), 8);
  gtk_widget_set_margin_top (GTK_WIDGET (self), 6);
  self->sort = LM_PROFILE_SORT_TOTAL;
  self->focus = -1;
  self->hover = -1;

  self->summary_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->summary_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->summary_label), 0);
  gtk_label_set_max_width_chars (GTK_LABEL (self->summary_label), 40);
  gtk_box_append (GTK_BOX (self), self->summary_label);

  self->export_button = gtk_button_new_with_mnemonic ("_Export Chrome trace…");
  gtk_widget_set_tooltip_text (self->export_button,
                               "Save this step as torch.profiler's export_chrome_trace() does "
                               "(.pt.trace.json: chrome://tracing, ui.perfetto.dev, TensorBoard's "
                               "PyTorch Profiler)");
  gtk_widget_set_halign (self->export_button, GTK_ALIGN_START);
  g_signal_connect_swapped (self->export_button, "clicked", G_CALLBACK (on_export_clicked), self);
  gtk_box_append (GTK_BOX (self), self->export_button);
  self->export_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->export_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->export_label), 0);
  gtk_label_set_max_width_chars (GTK_LABEL (self->export_label), 40);
  gtk_label_set_selectable (GTK_LABEL (self->export_label), TRUE);
  gtk_widget_add_css_class (self->export_label, "dim-label");
  gtk_widget_set_visible (self->export_label, FALSE);
  gtk_box_append (GTK_BOX (self), self->export_label);

  self->group_drop = gtk_drop_down_new_from_strings (groups);
  gtk_widget_set_tooltip_text (self->group_drop, "One row per graph node, per op type (key_averages), or per op type and input shapes "
                               "(group_by_input_shape, TensorBoard's Operator + Input Shape)");
  gtk_widget_set_halign (self->group_drop, GTK_ALIGN_START);
  g_signal_connect (self->group_drop, "notify::selected", G_CALLBACK (on_group_selected), self);
  gtk_box_append (GTK_BOX (self), self->group_drop);

  gtk_label_set_xalign (GTK_LABEL (tl_label), 0);
  gtk_widget_add_css_class (tl_label, "dim-label");
  gtk_box_append (GTK_BOX (self), tl_label);
  self->timeline = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->timeline), 44);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->timeline), draw_timeline, self, NULL);
  gtk_widget_set_has_tooltip (self->timeline, TRUE);
  g_signal_connect (self->timeline, "query-tooltip", G_CALLBACK (on_timeline_tooltip), self);
  GtkGesture *bar_click = gtk_gesture_click_new ();
  g_signal_connect (bar_click, "released", G_CALLBACK (on_timeline_click), self);
  gtk_widget_add_controller (self->timeline, GTK_EVENT_CONTROLLER (bar_click));
  GtkEventController *motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_timeline_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_timeline_leave), self);
  gtk_widget_add_controller (self->timeline, motion);
  GtkEventController *keys = gtk_shortcut_controller_new ();
  for (guint i = 0; i < G_N_ELEMENTS (bindings); i++)
    {
      GtkShortcut *sc = gtk_shortcut_new (gtk_keyval_trigger_new (bindings[i].keyval, 0),
                                          gtk_callback_action_new (on_timeline_key, self, NULL));

      gtk_shortcut_set_arguments (sc, g_variant_new_int32 (bindings[i].key));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys), sc);
    }
  gtk_widget_add_controller (self->timeline, keys);
  gtk_widget_set_focusable (self->timeline, TRUE);
  g_signal_connect (self->timeline, "state-flags-changed", G_CALLBACK (on_timeline_state), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->timeline), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Timeline of the profiled step", -1);
  gtk_box_append (GTK_BOX (self), self->timeline);

  self->memory_label = gtk_label_new ("Memory: bytes allocated over the step (red dot: the peak)");
  gtk_label_set_xalign (GTK_LABEL (self->memory_label), 0);
  gtk_widget_add_css_class (self->memory_label, "dim-label");
  gtk_box_append (GTK_BOX (self), self->memory_label);
  self->memory_x = -1;
  self->memory = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->memory), 56);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->memory), draw_memory, self, NULL);
  gtk_widget_set_has_tooltip (self->memory, TRUE);
  g_signal_connect (self->memory, "query-tooltip", G_CALLBACK (on_memory_tooltip), self);
  GtkEventController *mem_motion = gtk_event_controller_motion_new ();
  g_signal_connect (mem_motion, "motion", G_CALLBACK (on_memory_motion), self);
  g_signal_connect (mem_motion, "leave", G_CALLBACK (on_memory_leave), self);
  gtk_widget_add_controller (self->memory, mem_motion);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->memory), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Memory allocated over the profiled step", -1);
  gtk_box_append (GTK_BOX (self), self->memory);

  /* above the table, so that Tab reaches the button before the rows (each
   * row takes a Tab) and it stays at hand with every row shown */
  self->more = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->more), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->more), 0);
  gtk_label_set_max_width_chars (GTK_LABEL (self->more), 40);
  gtk_widget_add_css_class (self->more, "dim-label");
  gtk_widget_set_visible (self->more, FALSE);
  gtk_box_append (GTK_BOX (self), self->more);
  self->all_button = gtk_button_new ();
  gtk_widget_set_halign (self->all_button, GTK_ALIGN_START);
  gtk_widget_set_visible (self->all_button, FALSE);
  g_signal_connect_swapped (self->all_button, "clicked", G_CALLBACK (on_all_clicked), self);
  gtk_box_append (GTK_BOX (self), self->all_button);

  for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
    {
      /* labels as wide as the rows' cells, so the columns line up; a
       * click sorts by the column */
      GtkWidget *l = cell (columns[c].title, columns[c].chars, c == 0);
      GtkGesture *click = gtk_gesture_click_new ();
      gtk_widget_add_css_class (l, "dim-label");
      gtk_widget_set_tooltip_text (l, columns[c].tip);
      gtk_widget_set_cursor_from_name (l, "pointer");
      g_signal_connect (click, "released", G_CALLBACK (on_head_clicked), self);
      gtk_widget_add_controller (l, GTK_EVENT_CONTROLLER (click));
      self->heads[c] = l;
      gtk_box_append (GTK_BOX (heads), l);
    }
  gtk_box_append (GTK_BOX (self), heads);

  self->list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_SINGLE);
  gtk_list_box_set_activate_on_single_click (GTK_LIST_BOX (self->list), TRUE);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (on_row_activated), self);
  /* the page scrolls the pane as a whole */
  gtk_box_append (GTK_BOX (self), self->list);
}

GtkWidget *
lm_profile_pane_new (LmGraphView *view)
{
  LmProfilePane *self = g_object_new (LM_TYPE_PROFILE_PANE, NULL);

  g_return_val_if_fail (LM_IS_GRAPH_VIEW (view), NULL);
  self->view = g_object_ref (view);
  g_signal_connect (view, "selection-changed", G_CALLBACK (on_selection_changed), self);
  lm_profile_pane_reload (self);
  return GTK_WIDGET (self);
}
