/* lm-distribution-view.c: percentile bands over steps (see lm-distribution-view.h).
 *
 * A card far outside its scrolled window's view is neither drawn nor reads
 * its percentiles until it comes near it (lm_dash_offscreen_skip).
 */
#include "lm-distribution-view.h"

#include <math.h>

#include "lm-dash-util.h"
#include "lm-theme.h"

#define MARGIN_L 54
#define MARGIN_R 12
#define MARGIN_T 10
#define MARGIN_B 22

typedef struct
{
  gint64 step;
  double t;           /* where on the x axis: step, or seconds */
  const LmHistogram *h;
  double p[LM_N_PERCENTILES];
} Point;

struct _LmDistributionView
{
  GtkWidget parent_instance;

  LmRecordFeed *feed;
  char *run_name, *tag;
  GdkRGBA color;
  LmXAxis x_axis;

  guint64 version;
  gboolean valid;
  GArray *points;     /* Point, step order; usable steps only */
  double lo, hi;
  char *error;

  gboolean hover;
  double mx;
  guint n_drawn;
  LmDashOffscreen offscreen;
};

G_DEFINE_FINAL_TYPE (LmDistributionView, lm_distribution_view, GTK_TYPE_WIDGET)

static void
ensure_points (LmDistributionView *self)
{
  LmRecordSeries *s = lm_record_feed_find (self->feed, self->run_name, self->tag);

  if (self->valid && s != NULL && s->version == self->version)
    return;
  self->valid = TRUE;
  self->version = s ? s->version : 0;
  g_array_set_size (self->points, 0);
  g_clear_pointer (&self->error, g_free);
  self->lo = INFINITY;
  self->hi = -INFINITY;
  for (guint i = 0; s != NULL && i < s->items->len; i++)
    {
      LmHistogram *h = s->items->pdata[i];
      double t0 = ((LmHistogram *) s->items->pdata[0])->wall_time;
      Point pt = { .step = h->step, .h = h };

      /* TensorBoard's step / relative / wall axis; relative counts from
       * the series' first histogram. */
      pt.t = self->x_axis == LM_X_RELATIVE ? h->wall_time - t0
             : self->x_axis == LM_X_WALL ? h->wall_time : (double) h->step;
      if (h->error != NULL)
        {
          if (self->error == NULL)
            self->error = g_strdup_printf ("step %" G_GINT64_FORMAT ": %s", h->step, h->error);
          continue;
        }
      lm_histogram_percentiles (h, pt.p);
      self->lo = MIN (self->lo, pt.p[0]);
      self->hi = MAX (self->hi, pt.p[LM_N_PERCENTILES - 1]);
      g_array_append_val (self->points, pt);
    }
  if (self->points->len > 0 && !(self->hi > self->lo))
    {
      self->lo -= 0.5;
      self->hi += 0.5;
    }
}

static void
box (LmDistributionView *self, double *x, double *y, double *w, double *h)
{
  *x = MARGIN_L;
  *y = MARGIN_T;
  *w = MAX (10, gtk_widget_get_width (GTK_WIDGET (self)) - MARGIN_L - MARGIN_R);
  *h = MAX (10, gtk_widget_get_height (GTK_WIDGET (self)) - MARGIN_T - MARGIN_B);
}

static void
step_range (LmDistributionView *self, double *s0, double *s1)
{
  *s0 = INFINITY;
  *s1 = -INFINITY;
  for (guint i = 0; i < self->points->len; i++)
    {
      *s0 = MIN (*s0, g_array_index (self->points, Point, i).t);
      *s1 = MAX (*s1, g_array_index (self->points, Point, i).t);
    }
  if (*s1 <= *s0)
    {
      *s0 -= 1;
      *s1 += 1;
    }
}

/* The point nearest to px along the x axis (a scan: wall times need not
 * grow with the step). */
static guint
nearest (LmDistributionView *self, double px)
{
  double x, y, w, h, s0, s1, t, best_d = INFINITY;
  guint best = 0;

  box (self, &x, &y, &w, &h);
  step_range (self, &s0, &s1);
  t = s0 + (px - x) / w * (s1 - s0);
  for (guint i = 0; i < self->points->len; i++)
    {
      double d = fabs (g_array_index (self->points, Point, i).t - t);

      if (d < best_d)
        {
          best_d = d;
          best = i;
        }
    }
  return best;
}

static LmAxisKind
axis_kind (LmXAxis axis)
{
  return axis == LM_X_RELATIVE ? LM_AXIS_RELATIVE : axis == LM_X_WALL ? LM_AXIS_WALL : LM_AXIS_STEP;
}

char *
lm_distribution_view_describe_at (LmDistributionView *self, double px)
{
  GString *s;
  Point *pt;
  char buf[48];
  g_autofree char *nonfinite = NULL;
  static const char *const names[] = { "min", "7%", "16%", "31%", "median", "69%", "84%", "93%", "max" };

  ensure_points (self);
  if (self->points->len == 0)
    return NULL;
  pt = &g_array_index (self->points, Point, nearest (self, px));
  lm_format_step (pt->step, buf, sizeof buf);
  s = g_string_new (NULL);
  g_string_append_printf (s, "step %s", buf);
  if (self->x_axis != LM_X_STEP)
    {
      if (self->x_axis == LM_X_RELATIVE)
        lm_format_duration (pt->t, buf, sizeof buf);
      else
        lm_format_wall (pt->t, buf, sizeof buf);
      g_string_append_printf (s, " (%s)", buf);
    }
  for (guint k = 0; k < LM_N_PERCENTILES; k += 2)
    {
      lm_format_value (pt->p[k], buf, sizeof buf);
      g_string_append_printf (s, " · %s %s", names[k], buf);
    }
  nonfinite = lm_histogram_describe_nonfinite ((LmHistogram *const *) &pt->h, 1);
  if (nonfinite != NULL)
    g_string_append_printf (s, " · %s", nonfinite);
  return g_string_free (s, FALSE);
}

static void
draw (LmDistributionView *self, cairo_t *cr, int width, int height)
{
  double x, y, w, h, s0, s1;
  guint n;

  ensure_points (self);
  n = self->n_drawn = self->points->len;
  if (n == 0)
    {
      lm_dash_placeholder (cr, width, height,
                           self->error ? "Cannot draw this distribution" : "No histograms yet",
                           self->error);
      return;
    }
  box (self, &x, &y, &w, &h);
  step_range (self, &s0, &s1);
  lm_dash_x_axis (cr, x, y, w, h, axis_kind (self->x_axis), s0, s1);
  lm_dash_y_axis (cr, x, y, w, h, LM_AXIS_VALUE_SI, self->lo, self->hi);

#define PX(st) (x + ((st) - s0) / (s1 - s0) * w)
#define PY(v) (y + h - ((v) - self->lo) / (self->hi - self->lo) * h)
  /* Bands from the outside in, each drawn over the last, so the band
   * between percentiles k and k+1 (and its mirror) shows in the run's
   * colour at TensorBoard's opacity, made opaque over the card: its
   * (b[k+1] - b[k]) / 2500 over the points 0, 228, 1587, 3085, 5000
   * (min to 7% 0.09, faint; 7-16% 0.54; 16-31% 0.60; 31-50% 0.77). */
  for (guint k = 0; k < LM_N_PERCENTILES / 2; k++)
    {
      static const double opacity[LM_N_PERCENTILES / 2] = { 0.0912, 0.5436, 0.5992, 0.766 };
      GdkRGBA c;

      lm_dash_tint (&self->color, 1 - opacity[k], &c);
      cairo_set_source_rgb (cr, c.red, c.green, c.blue);
      cairo_new_path (cr);   /* the axis labels leave a current point */
      if (n == 1)
        {
          Point *pt = &g_array_index (self->points, Point, 0);

          cairo_rectangle (cr, x + w / 2 - 3, PY (pt->p[LM_N_PERCENTILES - 1 - k]), 6,
                           PY (pt->p[k]) - PY (pt->p[LM_N_PERCENTILES - 1 - k]));
        }
      else
        {
          for (guint i = 0; i < n; i++)
            {
              Point *pt = &g_array_index (self->points, Point, i);

              cairo_line_to (cr, PX (pt->t), PY (pt->p[LM_N_PERCENTILES - 1 - k]));
            }
          for (guint i = n; i-- > 0;)
            {
              Point *pt = &g_array_index (self->points, Point, i);

              cairo_line_to (cr, PX (pt->t), PY (pt->p[k]));
            }
          cairo_close_path (cr);
        }
      cairo_fill (cr);
    }
  /* the median: a shade darker than the run's colour, or on a dark
   * background the colour itself */
  {
    double k = lm_theme_is_dark () ? 1.0 : 0.8;

    cairo_set_source_rgb (cr, self->color.red * k, self->color.green * k, self->color.blue * k);
  }
  cairo_set_line_width (cr, 1.5);
  cairo_new_path (cr);
  if (n == 1)
    {
      /* The median across the single step's bar: a line of one point
       * draws nothing, and a constant's bands have no height, so a
       * constant logged once showed an empty card. */
      double my = PY (g_array_index (self->points, Point, 0).p[LM_N_PERCENTILES / 2]);

      cairo_move_to (cr, x + w / 2 - 6, my);
      cairo_line_to (cr, x + w / 2 + 6, my);
    }
  for (guint i = 0; n > 1 && i < n; i++)
    {
      Point *pt = &g_array_index (self->points, Point, i);

      cairo_line_to (cr, PX (pt->t), PY (pt->p[LM_N_PERCENTILES / 2]));
    }
  cairo_stroke (cr);

  if (self->hover)
    {
      g_autofree char *text = lm_distribution_view_describe_at (self, self->mx);
      Point *pt = &g_array_index (self->points, Point, nearest (self, self->mx));
      double px = n == 1 ? x + w / 2 : PX (pt->t);

      lm_theme_set_ink (cr, 0.5);
      cairo_set_line_width (cr, 1);
      cairo_move_to (cr, floor (px) + 0.5, y);
      cairo_line_to (cr, floor (px) + 0.5, y + h);
      cairo_stroke (cr);
      lm_theme_set_paper (cr, 0.9);
      cairo_rectangle (cr, x + 2, y, w - 4, 16);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->strong);
      lm_dash_text (cr, x + 6, y + 8, text, LM_ALIGN_START, LM_ALIGN_CENTER, 10);
    }
#undef PX
#undef PY
  if (self->error != NULL)
    {
      gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->error);
      lm_dash_text (cr, x + w, y + h - 2, "some steps have invalid buckets", LM_ALIGN_END, LM_ALIGN_END, 10);
    }
}

static void
lm_distribution_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LmDistributionView *self = LM_DISTRIBUTION_VIEW (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (lm_dash_offscreen_skip (&self->offscreen, widget))
    {
      self->n_drawn = 0;
      return;
    }
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  draw (self, cr, w, h);
  cairo_destroy (cr);
}

static void
on_motion (GtkEventControllerMotion *c, double x, double y, LmDistributionView *self)
{
  self->hover = TRUE;
  self->mx = x;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *c, LmDistributionView *self)
{
  self->hover = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
lm_distribution_view_measure (GtkWidget *widget, GtkOrientation o, int for_size,
                              int *min, int *nat, int *min_base, int *nat_base)
{
  *min = o == GTK_ORIENTATION_HORIZONTAL ? 200 : 150;
  *nat = o == GTK_ORIENTATION_HORIZONTAL ? 320 : 260;   /* a card as wide as a scalar card */
}

static void
lm_distribution_view_unmap (GtkWidget *widget)
{
  lm_dash_offscreen_unmap (&LM_DISTRIBUTION_VIEW (widget)->offscreen);
  GTK_WIDGET_CLASS (lm_distribution_view_parent_class)->unmap (widget);
}

static void
lm_distribution_view_finalize (GObject *object)
{
  LmDistributionView *self = LM_DISTRIBUTION_VIEW (object);

  g_clear_object (&self->feed);
  g_free (self->run_name);
  g_free (self->tag);
  g_array_unref (self->points);
  g_free (self->error);
  G_OBJECT_CLASS (lm_distribution_view_parent_class)->finalize (object);
}

static void
lm_distribution_view_class_init (LmDistributionViewClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lm_distribution_view_finalize;
  GTK_WIDGET_CLASS (klass)->snapshot = lm_distribution_view_snapshot;
  GTK_WIDGET_CLASS (klass)->measure = lm_distribution_view_measure;
  GTK_WIDGET_CLASS (klass)->unmap = lm_distribution_view_unmap;
}

static void
lm_distribution_view_init (LmDistributionView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->points = g_array_new (FALSE, FALSE, sizeof (Point));
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

GtkWidget *
lm_distribution_view_new (LmRecordFeed *feed, const char *run_name, const char *tag, const GdkRGBA *color)
{
  LmDistributionView *self = g_object_new (LM_TYPE_DISTRIBUTION_VIEW, NULL);

  self->feed = g_object_ref (feed);
  self->run_name = g_strdup (run_name);
  self->tag = g_strdup (tag);
  self->color = *color;
  return GTK_WIDGET (self);
}

void
lm_distribution_view_set_x_axis (LmDistributionView *self, LmXAxis axis)
{
  g_return_if_fail (LM_IS_DISTRIBUTION_VIEW (self));
  if (self->x_axis == axis)
    return;
  self->x_axis = axis;
  self->valid = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
lm_distribution_view_axis_to_x (LmDistributionView *self, double t)
{
  double x, y, w, h, s0, s1;

  g_return_val_if_fail (LM_IS_DISTRIBUTION_VIEW (self), NAN);
  ensure_points (self);
  if (self->points->len == 0)
    return NAN;
  box (self, &x, &y, &w, &h);
  step_range (self, &s0, &s1);
  return x + (t - s0) / (s1 - s0) * w;
}

double
lm_distribution_view_value_to_y (LmDistributionView *self, double v)
{
  double x, y, w, h;

  g_return_val_if_fail (LM_IS_DISTRIBUTION_VIEW (self), NAN);
  ensure_points (self);
  if (self->points->len == 0)
    return NAN;
  box (self, &x, &y, &w, &h);
  return y + h - (v - self->lo) / (self->hi - self->lo) * h;
}

void
lm_distribution_view_refresh (LmDistributionView *self)
{
  LmRecordSeries *s = lm_record_feed_find (self->feed, self->run_name, self->tag);

  if (s == NULL || s->version != self->version)
    {
      self->valid = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

guint
lm_distribution_view_get_n_steps (LmDistributionView *self)
{
  ensure_points (self);
  return self->points->len;
}

guint
lm_distribution_view_get_n_drawn (LmDistributionView *self)
{
  g_return_val_if_fail (LM_IS_DISTRIBUTION_VIEW (self), 0);
  return self->n_drawn;
}
