/* lm-grad-flow.c: per-parameter gradient norms as log-scale bars (see
 * lm-grad-flow.h). Computed once per trace; drawn in snapshot with Cairo.
 */
#include "lm-grad-flow.h"
#include "lm-theme.h"

#include <math.h>

#define LABEL_H 70.0   /* rotated parameter names under the bars */
#define AXIS_W 44.0    /* decade labels left of the bars */
#define TOP 8.0

typedef struct
{
  char *name;
  double norm;
} Bar;

struct _LmGradFlow
{
  GtkWidget parent_instance;

  GArray *bars;          /* Bar */
  int lo, hi;            /* log10 range of the axis (decades) */
};

G_DEFINE_FINAL_TYPE (LmGradFlow, lm_grad_flow, GTK_TYPE_WIDGET)

static void
bar_clear (gpointer p)
{
  g_free (((Bar *) p)->name);
}

/* The norm of one parameter's gradient from its backward events. */
static double
param_norm (const LmTraceData *t, gint64 node_id, gboolean *found)
{
  const LmTraceDataEvent *last = NULL;
  double *sum = NULL;
  gint64 numel = -1;
  gboolean all_values = TRUE;
  double norm;

  for (gsize i = 0; i < t->n_events; i++)
    {
      const LmTraceDataEvent *e = &t->events[i];
      if (!e->backward || e->node_id != node_id)
        continue;
      if (last != NULL && e->numel != numel)
        all_values = FALSE;
      last = e;
      numel = e->numel;
      if (e->values == NULL || numel <= 0)
        all_values = FALSE;
      if (all_values)
        {
          if (sum == NULL)
            sum = g_new0 (double, numel);
          for (gint64 k = 0; k < numel; k++)
            sum[k] += e->values[k];
        }
    }
  *found = last != NULL;
  if (last == NULL)
    return 0;
  if (all_values && sum != NULL)
    {
      double ss = 0;
      for (gint64 k = 0; k < numel; k++)
        ss += sum[k] * sum[k];
      norm = sqrt (ss);
    }
  else if (last->nan_count > 0)
    norm = NAN;
  else if (last->inf_count > 0)
    norm = INFINITY;
  else
    norm = sqrt ((double) MAX (last->numel, 0) * (last->std * last->std + last->mean * last->mean));
  g_free (sum);
  return norm;
}

void
lm_grad_flow_set_data (LmGradFlow *self, const LmGraphData *g, const LmTraceData *t)
{
  double mn = INFINITY, mx = 0;

  g_return_if_fail (LM_IS_GRAD_FLOW (self));
  g_array_set_size (self->bars, 0);
  for (gsize i = 0; g && t && i < g->n_nodes; i++)
    {
      gboolean found;
      double n;

      if (g_strcmp0 (g->nodes[i].op, "parameter") != 0)
        continue;
      n = param_norm (t, g->nodes[i].id, &found);
      if (!found)
        continue;
      Bar b = { g_strdup (g->nodes[i].name), n };
      g_array_append_val (self->bars, b);
      if (isfinite (n) && n > 0)
        {
          mn = MIN (mn, n);
          mx = MAX (mx, n);
        }
    }
  if (mx > 0)
    {
      self->lo = (int) floor (log10 (mn));
      self->hi = (int) ceil (log10 (mx));
      if (self->hi <= self->lo)
        self->hi = self->lo + 1;
    }
  else
    {
      self->lo = -1;
      self->hi = 0;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
lm_grad_flow_get_n_bars (LmGradFlow *self)
{
  g_return_val_if_fail (LM_IS_GRAD_FLOW (self), 0);
  return self->bars->len;
}

const char *
lm_grad_flow_get_bar (LmGradFlow *self, guint i, double *norm)
{
  g_return_val_if_fail (LM_IS_GRAD_FLOW (self), NULL);
  g_return_val_if_fail (i < self->bars->len, NULL);
  *norm = g_array_index (self->bars, Bar, i).norm;
  return g_array_index (self->bars, Bar, i).name;
}

gboolean
lm_grad_flow_get_bar_rect (LmGradFlow *self, guint i, graphene_rect_t *rect)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  double plot_h = h - LABEL_H - TOP, slot, frac, n;

  g_return_val_if_fail (LM_IS_GRAD_FLOW (self), FALSE);
  if (i >= self->bars->len || plot_h <= 0 || w <= AXIS_W)
    return FALSE;
  n = g_array_index (self->bars, Bar, i).norm;
  slot = (w - AXIS_W) / self->bars->len;
  if (!isfinite (n))
    frac = 1;
  else if (n <= 0)
    frac = 0;
  else /* a norm at the bottom decade still shows as a sliver */
    frac = CLAMP ((log10 (n) - self->lo) / (self->hi - self->lo), 0.02, 1.0);
  graphene_rect_init (rect, (float) (AXIS_W + i * slot + slot * 0.15), (float) (TOP + plot_h * (1 - frac)),
                      (float) (slot * 0.7), (float) (plot_h * frac));
  return TRUE;
}

/* Decades between labels, 1, 2, 5, 10, 20, ..., for `px` pixels a decade:
 * at least 14 px (a 9 px label and a gap) from one label to the next. */
static int
axis_step (double px)
{
  static const int steps[] = { 1, 2, 5, 10, 20, 50, 100 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (px * steps[i] >= 14)
      return steps[i];
  return 100;
}

static void
lm_grad_flow_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LmGradFlow *self = LM_GRAD_FLOW (widget);
  double w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  double plot_h = h - LABEL_H - TOP;
  cairo_t *cr;
  char buf[32];

  if (w <= 0 || h <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->panel);
  cairo_paint (cr);
  cairo_set_font_size (cr, 9);
  if (self->bars->len == 0 || plot_h <= 0)
    {
      gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->plot_note);
      cairo_move_to (cr, 4, 14);
      cairo_show_text (cr, "no parameter gradients in this trace");
      cairo_destroy (cr);
      return;
    }
  /* decade grid lines, every `step` decades so that the labels (9 px text)
   * stay apart: an exploding step spans 1e-3 to 1e38, 41 decades in
   * 180 px, where one label a decade was a block of overlapping ink */
  int step = axis_step (plot_h / (self->hi - self->lo));
  for (int d = self->lo; d <= self->hi; d++)
    {
      double y = TOP + plot_h * (1 - (double) (d - self->lo) / (self->hi - self->lo));

      if (d % step != 0)
        continue;
      gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->plot_grid);
      cairo_rectangle (cr, AXIS_W, floor (y), w - AXIS_W, 1);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->plot_tick);
      g_snprintf (buf, sizeof buf, "1e%d", d);
      cairo_move_to (cr, 2, y + 3);
      cairo_show_text (cr, buf);
    }
  for (guint i = 0; i < self->bars->len; i++)
    {
      const Bar *b = &g_array_index (self->bars, Bar, i);
      graphene_rect_t r;

      lm_grad_flow_get_bar_rect (self, i, &r);
      if (isfinite (b->norm))
        gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->plot_bar);
      else
        gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->plot_bad);
      cairo_rectangle (cr, r.origin.x, r.origin.y, r.size.width, r.size.height);
      cairo_fill (cr);
      cairo_save (cr);
      gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->plot_label);
      cairo_move_to (cr, r.origin.x + r.size.width / 2 + 3, TOP + plot_h + 4);
      cairo_rotate (cr, G_PI / 2);
      cairo_show_text (cr, b->name);
      cairo_restore (cr);
    }
  cairo_destroy (cr);
}

static void
lm_grad_flow_measure (GtkWidget *widget, GtkOrientation o, int for_size, int *min, int *nat,
                      int *min_base, int *nat_base)
{
  *min = o == GTK_ORIENTATION_HORIZONTAL ? 120 : (int) (LABEL_H + TOP + 40);
  *nat = o == GTK_ORIENTATION_HORIZONTAL ? 300 : (int) (LABEL_H + TOP + 90);
}

static void
on_motion (GtkEventControllerMotion *m, double x, double y, LmGradFlow *self)
{
  for (guint i = 0; i < self->bars->len; i++)
    {
      graphene_rect_t r;
      if (lm_grad_flow_get_bar_rect (self, i, &r) && x >= r.origin.x && x < r.origin.x + r.size.width)
        {
          const Bar *b = &g_array_index (self->bars, Bar, i);
          g_autofree char *s = g_strdup_printf ("%s: ‖grad‖₂ = %.4g", b->name, b->norm);
          gtk_widget_set_tooltip_text (GTK_WIDGET (self), s);
          return;
        }
    }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), NULL);
}

static void
lm_grad_flow_finalize (GObject *object)
{
  g_array_unref (LM_GRAD_FLOW (object)->bars);
  G_OBJECT_CLASS (lm_grad_flow_parent_class)->finalize (object);
}

static void
lm_grad_flow_class_init (LmGradFlowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lm_grad_flow_finalize;
  GTK_WIDGET_CLASS (klass)->snapshot = lm_grad_flow_snapshot;
  GTK_WIDGET_CLASS (klass)->measure = lm_grad_flow_measure;
}

static void
lm_grad_flow_init (LmGradFlow *self)
{
  GtkEventController *m = gtk_event_controller_motion_new ();

  self->bars = g_array_new (FALSE, FALSE, sizeof (Bar));
  g_array_set_clear_func (self->bars, bar_clear);
  self->lo = -1;
  self->hi = 0;
  g_signal_connect (m, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self), m);
}

GtkWidget *
lm_grad_flow_new (void)
{
  return g_object_new (LM_TYPE_GRAD_FLOW, NULL);
}
