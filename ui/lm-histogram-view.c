/* lm-histogram-view.c: offset/overlay histogram drawing (see lm-histogram-view.h).
 *
 * Layout (which steps, the shared value range, the re-binned counts, each
 * curve's place on the step/time axis) is computed once per data version,
 * step range, axis and height, and reused by every frame and every hover;
 * drawing is one Cairo path per shown step.
 *
 * A card far outside its scrolled window's view is not drawn until it
 * comes near it (lm_dash_offscreen_skip).
 */
#include "lm-histogram-view.h"

#include <math.h>

#include "lm-dash-util.h"
#include "lm-theme.h"

#define MARGIN_L 54
#define MARGIN_R 12
#define MARGIN_T 10
#define MARGIN_B 22
/* TensorBoard keeps 50 histograms per tag (reservoir sampling) and its
 * offset view draws them all: as many here, evenly spaced. */
#define MAX_SLICES 50

struct _LmHistogramView
{
  GtkWidget parent_instance;

  LmRecordFeed *feed;
  char *run_name, *tag;
  GdkRGBA color;
  LmHistogramMode mode;
  LmXAxis x_axis;
  gint64 range_lo, range_hi;     /* lo > hi: all */
  LmStepSelection linked;        /* link by step: the steps emphasised */

  /* layout cache */
  guint64 version;
  int layout_h;
  gboolean layout_valid;
  GArray *slices;                /* LmHistogram* shown, oldest first */
  double *bins;                  /* slices->len * LM_HISTOGRAM_BINS */
  double *pos;                   /* per slice: 0 (top, oldest) .. 1 (bottom) */
  double t_lo, t_hi;             /* the offset axis: step or seconds */
  double lo, hi, max_count;
  guint n_total, n_invalid;
  char *error;                   /* every row is bad: why */
  LmHistogram *linked_hg;        /* a linked single step: its histogram (shown) */

  /* interaction */
  double mx, my;
  gboolean hover;
  gboolean dragging;
  double drag_y0, drag_y1;
  guint n_drawn;
  LmDashOffscreen offscreen;
};

G_DEFINE_FINAL_TYPE (LmHistogramView, lm_histogram_view, GTK_TYPE_WIDGET)

static void
invalidate (LmHistogramView *self)
{
  self->layout_valid = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
plot_box (LmHistogramView *self, double *x, double *y, double *w, double *h)
{
  *x = MARGIN_L;
  *y = MARGIN_T;
  *w = MAX (10, gtk_widget_get_width (GTK_WIDGET (self)) - MARGIN_L - MARGIN_R);
  *h = MAX (10, gtk_widget_get_height (GTK_WIDGET (self)) - MARGIN_T - MARGIN_B);
}

static double
ridge_height (LmHistogramView *self, double plot_h, guint n)
{
  if (self->mode == LM_HISTOGRAM_OVERLAY || n <= 1)
    return plot_h;
  return plot_h * 0.38;
}

/* Where a step's curve goes on the offset axis: its step, or seconds
 * since the series' first histogram, or its wall time. */
static double
axis_value (LmHistogramView *self, LmRecordSeries *s, const LmHistogram *hg)
{
  switch (self->x_axis)
    {
    case LM_X_RELATIVE:
      return hg->wall_time - ((LmHistogram *) s->items->pdata[0])->wall_time;
    case LM_X_WALL:
      return hg->wall_time;
    case LM_X_STEP:
    default:
      return (double) hg->step;
    }
}

static LmAxisKind
axis_kind (LmXAxis axis)
{
  return axis == LM_X_RELATIVE ? LM_AXIS_RELATIVE : axis == LM_X_WALL ? LM_AXIS_WALL : LM_AXIS_STEP;
}

/* Which of valid's histograms (in step order) the linked selection
 * names: -1 for a range with steps of this card in it. */
static gint64
linked_index (const LmStepSelection *linked, GPtrArray *valid)
{
  guint at = 0;
  gint64 best = G_MAXINT64;

  if (linked->range)
    {
      gint64 first = ((LmHistogram *) valid->pdata[0])->step;
      gint64 last = ((LmHistogram *) valid->pdata[valid->len - 1])->step;

      if (linked->start > last)
        return valid->len - 1;
      return linked->end >= first ? -1 : 0;
    }
  for (guint i = 0; i < valid->len; i++)
    {
      gint64 d = ABS (((LmHistogram *) valid->pdata[i])->step - linked->start);

      if (d < best)
        best = d, at = i;
    }
  return at;
}

/* linked_hg among the slices shown: in the place of the shown step
 * nearest it when it is not one of them; NULL when there is no place. */
static void
show_linked (LmHistogramView *self)
{
  guint n = self->slices->len, nearest = 0;
  gint64 best = G_MAXINT64;

  for (guint k = 0; k < n; k++)
    {
      LmHistogram *hg = g_array_index (self->slices, LmHistogram *, k);
      gint64 d = ABS (hg->step - self->linked_hg->step);

      if (hg == self->linked_hg)
        return;
      /* the first and last shown stay (they span the offset axis) */
      if (k > 0 && k + 1 < n && d < best)
        best = d, nearest = k;
    }
  if (best != G_MAXINT64)
    g_array_index (self->slices, LmHistogram *, nearest) = self->linked_hg;
  else
    self->linked_hg = NULL;
}

/* Link by step, as TensorBoard's histogram cards: one step's histogram
 * is the one nearest it (the earlier of two as near), a step past this
 * card's first or last step included; a range is clipped to the card's
 * steps, so one wholly before or after them has the first or last
 * histogram, and otherwise every step in it is emphasised (none when it
 * falls between two).  The one histogram is drawn even where the rows
 * are too few for every step: it takes the place of the shown step
 * nearest it. */
static void
keep_linked_step (LmHistogramView *self, GPtrArray *valid)
{
  gint64 index;

  if (!self->linked.active || valid->len == 0)
    return;
  index = linked_index (&self->linked, valid);
  if (index < 0)
    return;
  self->linked_hg = valid->pdata[index];
  show_linked (self);
}

/* Link by step: slice k's histogram is a selected one. */
static gboolean
emphasised (LmHistogramView *self, guint k)
{
  LmHistogram *hg = g_array_index (self->slices, LmHistogram *, k);

  if (self->linked_hg != NULL || !self->linked.range)
    return hg == self->linked_hg;
  return hg->step >= self->linked.start && hg->step <= self->linked.end;
}

/* The histograms of s in the step range that can be drawn, into valid,
 * their value range in lo and hi; the others counted (and the first's
 * problem kept in error). */
static void
collect_valid (LmHistogramView *self, LmRecordSeries *s, GPtrArray *valid)
{
  for (guint i = 0; i < s->items->len; i++)
    {
      LmHistogram *hg = s->items->pdata[i];
      double l, r;

      if (self->range_lo <= self->range_hi && (hg->step < self->range_lo || hg->step > self->range_hi))
        continue;
      self->n_total++;
      if (!lm_histogram_range (hg, &l, &r))
        {
          self->n_invalid++;
          if (self->error == NULL)
            self->error = g_strdup_printf ("step %" G_GINT64_FORMAT ": %s", hg->step, hg->error);
          continue;
        }
      self->lo = MIN (self->lo, l);
      self->hi = MAX (self->hi, r);
      g_ptr_array_add (valid, hg);
    }
}

/* Each slice rebinned over lo..hi into bins, and the largest count. */
static void
rebin_slices (LmHistogramView *self)
{
  guint n = self->slices->len;

  self->bins = g_new (double, (gsize) n * LM_HISTOGRAM_BINS);
  for (guint k = 0; k < n; k++)
    {
      double *b = self->bins + (gsize) k * LM_HISTOGRAM_BINS;

      lm_histogram_rebin (g_array_index (self->slices, LmHistogram *, k), self->lo, self->hi,
                          LM_HISTOGRAM_BINS, b);
      for (guint j = 0; j < LM_HISTOGRAM_BINS; j++)
        self->max_count = MAX (self->max_count, b[j]);
    }
  if (self->max_count <= 0)
    self->max_count = 1;
}

/* Each curve sits at its own step (or time) on the offset axis, as in
 * TensorBoard, so unevenly spaced steps stay where their labels are. */
static void
place_slices (LmHistogramView *self, LmRecordSeries *s)
{
  guint n = self->slices->len;

  self->pos = g_new (double, n);
  self->t_lo = INFINITY;
  self->t_hi = -INFINITY;
  for (guint k = 0; k < n; k++)
    {
      double t = axis_value (self, s, g_array_index (self->slices, LmHistogram *, k));

      self->pos[k] = t;
      self->t_lo = MIN (self->t_lo, t);
      self->t_hi = MAX (self->t_hi, t);
    }
  /* All at one time (wall clock too coarse): spread by order instead. */
  for (guint k = 0; k < n; k++)
    self->pos[k] = self->t_hi > self->t_lo ? (self->pos[k] - self->t_lo) / (self->t_hi - self->t_lo)
                   : n > 1 ? (double) k / (n - 1) : 1;
}

static void
ensure_layout (LmHistogramView *self)
{
  LmRecordSeries *s = lm_record_feed_find (self->feed, self->run_name, self->tag);
  int h = gtk_widget_get_height (GTK_WIDGET (self));
  g_autoptr (GPtrArray) valid = g_ptr_array_new ();
  guint max_slices, n;

  if (self->layout_valid && s != NULL && s->version == self->version && h == self->layout_h)
    return;
  self->layout_valid = TRUE;
  self->version = s ? s->version : 0;
  self->layout_h = h;
  g_array_set_size (self->slices, 0);
  g_clear_pointer (&self->bins, g_free);
  g_clear_pointer (&self->pos, g_free);
  g_clear_pointer (&self->error, g_free);
  self->linked_hg = NULL;
  self->n_total = self->n_invalid = 0;
  self->lo = INFINITY;
  self->hi = -INFINITY;
  self->max_count = 0;
  if (s == NULL)
    return;

  collect_valid (self, s, valid);
  if (valid->len == 0)
    return;
  g_clear_pointer (&self->error, g_free);
  if (!(self->hi > self->lo))
    {
      self->lo -= 0.5;
      self->hi += 0.5;
    }

  /* More steps than MAX_SLICES or the rows can show: evenly spaced ones,
   * first and last kept. */
  max_slices = MIN (MAX_SLICES, (guint) MAX (2, (h - MARGIN_T - MARGIN_B) / 2));
  n = MIN (valid->len, max_slices);
  for (guint k = 0; k < n; k++)
    {
      guint idx = n == 1 ? valid->len - 1 : (guint) llround ((double) k * (valid->len - 1) / (n - 1));
      gpointer hg = valid->pdata[idx];

      g_array_append_val (self->slices, hg);
    }
  keep_linked_step (self, valid);
  rebin_slices (self);
  place_slices (self, s);
}

static double
baseline (LmHistogramView *self, guint k, double y, double h)
{
  guint n = self->slices->len;
  double rh = ridge_height (self, h, n);

  if (self->mode == LM_HISTOGRAM_OVERLAY || n <= 1)
    return y + h;
  return y + rh + (h - rh) * self->pos[k];
}

/* The offset slice whose baseline is nearest to py. */
static guint
nearest_slice (LmHistogramView *self, double py, double y, double h)
{
  guint best = 0;
  double best_d = INFINITY;

  for (guint k = 0; k < self->slices->len; k++)
    {
      double d = fabs (baseline (self, k, y, h) - py);

      if (d <= best_d)
        {
          best_d = d;
          best = k;
        }
    }
  return best;
}

/* The y of offset-axis value t (a step, or seconds). */
static double
time_to_y (LmHistogramView *self, double t, double y, double h)
{
  double rh = ridge_height (self, h, self->slices->len);

  if (!(self->t_hi > self->t_lo))
    return y + h;
  return y + rh + (h - rh) * (t - self->t_lo) / (self->t_hi - self->t_lo);
}

static double
bin_y (LmHistogramView *self, guint k, guint j, double y, double h)
{
  double rh = ridge_height (self, h, self->slices->len);

  return baseline (self, k, y, h) - self->bins[(gsize) k * LM_HISTOGRAM_BINS + j] / self->max_count * rh;
}

/* The slice and bin under (px, py), FALSE when none. */
static gboolean
hit (LmHistogramView *self, double px, double py, guint *k_out, guint *j_out)
{
  double x, y, w, h, bw;
  guint n, j, best = 0;
  double best_d = INFINITY;

  ensure_layout (self);
  n = self->slices->len;
  plot_box (self, &x, &y, &w, &h);
  if (n == 0 || px < x || px > x + w || py < y - 4 || py > y + h + 4)
    return FALSE;
  bw = w / LM_HISTOGRAM_BINS;
  j = CLAMP ((int) ((px - x) / bw), 0, LM_HISTOGRAM_BINS - 1);
  if (self->mode == LM_HISTOGRAM_OFFSET && n > 1)
    {
      gboolean inside = FALSE;

      /* The front-most (newest) curve whose filled area holds the
       * pointer is the one seen there; else the nearest baseline. */
      for (guint k = n; k-- > 0 && !inside;)
        if (bin_y (self, k, j, y, h) <= py && py <= baseline (self, k, y, h))
          {
            best = k;
            inside = TRUE;
          }
      if (!inside)
        best = nearest_slice (self, py, y, h);
    }
  else
    for (guint k = 0; k < n; k++)
      {
        double d = fabs (bin_y (self, k, j, y, h) - py);

        if (d <= best_d)
          {
            best_d = d;
            best = k;
          }
      }
  *k_out = best;
  *j_out = j;
  return TRUE;
}

char *
lm_histogram_view_describe_at (LmHistogramView *self, double px, double py)
{
  guint k, j;
  char a[32], b[32], c[32], st[32];
  LmHistogram *hg;
  double bw;

  g_return_val_if_fail (LM_IS_HISTOGRAM_VIEW (self), NULL);
  if (!hit (self, px, py, &k, &j))
    return NULL;
  hg = g_array_index (self->slices, LmHistogram *, k);
  bw = (self->hi - self->lo) / LM_HISTOGRAM_BINS;
  lm_format_value (self->lo + j * bw, a, sizeof a);
  lm_format_value (self->lo + (j + 1) * bw, b, sizeof b);
  lm_format_value (self->bins[(gsize) k * LM_HISTOGRAM_BINS + j], c, sizeof c);
  lm_format_step (hg->step, st, sizeof st);
  {
    g_autofree char *nonfinite = lm_histogram_describe_nonfinite (&hg, 1);
    char when[48] = "";

    if (self->x_axis == LM_X_RELATIVE)
      {
        LmRecordSeries *s = lm_record_feed_find (self->feed, self->run_name, self->tag);

        if (s == NULL)
          return NULL;
        when[0] = ' ';
        when[1] = '(';
        lm_format_duration (axis_value (self, s, hg), when + 2, sizeof when - 3);
        g_strlcat (when, ")", sizeof when);
      }
    else if (self->x_axis == LM_X_WALL)
      {
        when[0] = ' ';
        when[1] = '(';
        lm_format_wall (hg->wall_time, when + 2, sizeof when - 3);
        g_strlcat (when, ")", sizeof when);
      }
    return g_strdup_printf ("step %s%s · [%s, %s) · count %s%s%s", st, when, a, b, c,
                            nonfinite ? " · " : "", nonfinite ? nonfinite : "");
  }
}

static void
curve_path (LmHistogramView *self, cairo_t *cr, guint k, double x, double y, double w, double h)
{
  double bw = w / LM_HISTOGRAM_BINS, base = baseline (self, k, y, h);

  cairo_move_to (cr, x, base);
  for (guint j = 0; j < LM_HISTOGRAM_BINS; j++)
    cairo_line_to (cr, x + (j + 0.5) * bw, bin_y (self, k, j, y, h));
  cairo_line_to (cr, x + w, base);
}

/* Link by step: one step's curve drawn again over the curves in front
 * of it, filled in offset mode (in overlay mode, over the rest), and what
 * is selected named at the top right, "step 120 (nearest to 125)" when
 * this run logged no histogram at the step itself. */
static void
draw_linked (LmHistogramView *self, cairo_t *cr, double x, double y, double w, double h)
{
  g_autofree char *text = NULL;
  char a[32], b[32];

  if (!self->linked.active)
    return;
  for (guint k = 0; k < self->slices->len && self->linked_hg != NULL; k++)
    if (emphasised (self, k))
      {
        curve_path (self, cr, k, x, y, w, h);
        if (self->mode == LM_HISTOGRAM_OFFSET)
          {
            gdk_cairo_set_source_rgba (cr, &self->color);
            cairo_fill_preserve (cr);
          }
        gdk_cairo_set_source_rgba (cr, &self->color);
        cairo_set_line_width (cr, 2);
        cairo_stroke (cr);
      }
  lm_format_step (self->linked.start, a, sizeof a);
  lm_format_step (self->linked.end, b, sizeof b);
  if (self->linked_hg != NULL)
    {
      g_autofree char *note = lm_dash_nearest_note (self->linked_hg->step, self->linked.start, self->linked.end);

      lm_format_step (self->linked_hg->step, b, sizeof b);
      text = g_strdup_printf ("step %s%s", b, note);
    }
  else if (self->linked.range)
    text = g_strdup_printf ("steps %s–%s", a, b);
  else
    text = g_strdup_printf ("step %s", a);
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->accent);
  /* under the dragged step range's note, when there is one */
  lm_dash_text (cr, x + w, y + (self->range_lo <= self->range_hi ? 13 : 0), text, LM_ALIGN_END,
                LM_ALIGN_START, 10);
}

/* The value axis below, and the step (time) axis at the left in offset
 * mode, else the count axis. */
static void
draw_axes (LmHistogramView *self, cairo_t *cr, guint n, double x, double y, double w, double h)
{
  lm_dash_x_axis (cr, x, y, w, h, LM_AXIS_VALUE_SI, self->lo, self->hi);
  if (self->mode == LM_HISTOGRAM_OFFSET && n > 1)
    {
      double rh = ridge_height (self, h, n);
      LmTick ticks[LM_AXIS_MAX_TICKS];
      guint nt = self->t_hi > self->t_lo
                 ? lm_axis_ticks (axis_kind (self->x_axis), FALSE, self->t_lo, self->t_hi,
                                  MAX (2, (guint) ((h - rh) / 40)), ticks) : 0;

      /* Labels on the same scale as the baselines: oldest at the top,
       * newest at the bottom. */
      lm_theme_set_ink (cr, 0.6);
      for (guint i = 0; i < nt; i++)
        lm_dash_text (cr, x - 4, time_to_y (self, ticks[i].value, y, h),
                      ticks[i].label, LM_ALIGN_END, LM_ALIGN_CENTER, 10);
    }
  else
    lm_dash_y_axis (cr, x, y, w, h, LM_AXIS_VALUE_SI, 0, self->max_count);
}

/* Every slice's curve, oldest first, faded by age or, linked by step,
 * the selected steps in the run's colour and the others faded.  Offset
 * curves are filled, as TensorBoard's: the newest in the run's colour,
 * older ones paler, each outlined in the background's colour so the
 * ridges stay apart where they crowd (outlined in the run's colour, the
 * baselines of 100 steps ran together into a solid block). */
static void
draw_curves (LmHistogramView *self, cairo_t *cr, guint n, double x, double y, double w, double h)
{
  const GdkRGBA *bg = &lm_theme_colors ()->bg;

  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint k = 0; k < n; k++)
    {
      double age = n > 1 ? 1.0 - (double) k / (n - 1) : 0;   /* 1 = oldest */
      gboolean emph = self->linked.active && emphasised (self, k);
      GdkRGBA c;

      curve_path (self, cr, k, x, y, w, h);
      if (self->mode == LM_HISTOGRAM_OFFSET)
        {
          /* Opaque fill so newer (lower) curves hide the ones behind;
           * linked by step, the selected steps in the run's colour. */
          lm_dash_tint (&self->color, !self->linked.active ? 0.6 * age : emph ? 0 : 0.82, &c);
          gdk_cairo_set_source_rgba (cr, &c);
          cairo_fill_preserve (cr);
          /* a selected step outlined in the run's colour, as it stands out */
          if (emph)
            gdk_cairo_set_source_rgba (cr, &self->color);
          else
            cairo_set_source_rgba (cr, bg->red, bg->green, bg->blue, 0.6);
          cairo_set_line_width (cr, emph ? 2 : 1);
          cairo_stroke (cr);
          continue;
        }
      lm_dash_tint (&self->color, !self->linked.active ? 0.75 * age : emph ? 0 : 0.82, &c);
      cairo_set_source_rgba (cr, c.red, c.green, c.blue, emph ? 1.0 : self->linked.active ? 0.5 : 0.8);
      cairo_set_line_width (cr, emph ? 2 : 1.2);
      cairo_stroke (cr);
    }
}

/* The hovered slice (hk) drawn strong, its bin (hj) marked and described
 * in a box beside it. */
static void
draw_hover (LmHistogramView *self, cairo_t *cr, int width, guint hk, guint hj, double x, double y, double w,
            double h)
{
  g_autofree char *text = lm_histogram_view_describe_at (self, self->mx, self->my);
  double bx = x + (hj + 0.5) * w / LM_HISTOGRAM_BINS, by = bin_y (self, hk, hj, y, h);
  PangoLayout *layout;
  int tw, th;

  curve_path (self, cr, hk, x, y, w, h);
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->strong);
  cairo_set_line_width (cr, 2);
  cairo_stroke (cr);
  cairo_arc (cr, bx, by, 3.5, 0, 2 * G_PI);
  cairo_fill (cr);
  layout = pango_cairo_create_layout (cr);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &tw, &th);
  g_object_unref (layout);
  tw = tw * 10 / 12 + 10;   /* lm_dash_text draws at 10 px */
  lm_theme_set_paper (cr, 0.92);
  cairo_rectangle (cr, MIN (bx + 8, width - tw - 2), MAX (2, by - 24), tw, 18);
  cairo_fill (cr);
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->strong);
  lm_dash_text (cr, MIN (bx + 8, width - tw - 2) + 5, MAX (2, by - 24) + 9, text,
                LM_ALIGN_START, LM_ALIGN_CENTER, 10);
}

static void
draw (LmHistogramView *self, cairo_t *cr, int width, int height)
{
  double x, y, w, h;
  guint n, hk = 0, hj = 0;
  gboolean hovering;

  ensure_layout (self);
  n = self->slices->len;
  self->n_drawn = n;
  if (n == 0)
    {
      if (self->error != NULL)
        lm_dash_placeholder (cr, width, height, "Cannot draw this histogram", self->error);
      else
        lm_dash_placeholder (cr, width, height, "No histograms in this step range", NULL);
      return;
    }
  plot_box (self, &x, &y, &w, &h);
  draw_axes (self, cr, n, x, y, w, h);
  draw_curves (self, cr, n, x, y, w, h);
  draw_linked (self, cr, x, y, w, h);

  if (self->range_lo <= self->range_hi)
    {
      g_autofree char *t = g_strdup_printf ("steps %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT
                                            " (double-click for all)", self->range_lo, self->range_hi);

      lm_theme_set_ink (cr, 0.55);
      lm_dash_text (cr, x + w, y, t, LM_ALIGN_END, LM_ALIGN_START, 10);
    }
  if (self->dragging)
    {
      const GdkRGBA *accent = &lm_theme_colors ()->accent;

      cairo_set_source_rgba (cr, accent->red, accent->green, accent->blue, 0.15);
      cairo_rectangle (cr, x, MIN (self->drag_y0, self->drag_y1), w, fabs (self->drag_y1 - self->drag_y0));
      cairo_fill (cr);
    }

  hovering = self->hover && !self->dragging && hit (self, self->mx, self->my, &hk, &hj);
  if (hovering)
    draw_hover (self, cr, width, hk, hj, x, y, w, h);
  if (self->n_invalid > 0)
    {
      g_autofree char *t = g_strdup_printf ("%u step%s not drawn (invalid buckets)",
                                            self->n_invalid, self->n_invalid == 1 ? "" : "s");

      gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->error);
      lm_dash_text (cr, x + 2, y, t, LM_ALIGN_START, LM_ALIGN_START, 10);
    }
}

static void
lm_histogram_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LmHistogramView *self = LM_HISTOGRAM_VIEW (widget);
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

/* ---------------------------------------------------------------- input */

static void
on_motion (GtkEventControllerMotion *c, double x, double y, LmHistogramView *self)
{
  self->mx = x;
  self->my = y;
  self->hover = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *c, LmHistogramView *self)
{
  self->hover = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_begin (GtkGestureDrag *g, double x, double y, LmHistogramView *self)
{
  if (self->mode != LM_HISTOGRAM_OFFSET || self->slices->len < 2)
    {
      gtk_gesture_set_state (GTK_GESTURE (g), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  self->drag_y0 = self->drag_y1 = y;
}

static void
on_drag_update (GtkGestureDrag *g, double dx, double dy, LmHistogramView *self)
{
  self->dragging = fabs (dy) > 4;
  self->drag_y1 = self->drag_y0 + dy;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_end (GtkGestureDrag *g, double dx, double dy, LmHistogramView *self)
{
  double x, y, w, h;
  guint n = self->slices->len, k0, k1;

  if (!self->dragging || n < 2)
    return;
  self->dragging = FALSE;
  plot_box (self, &x, &y, &w, &h);
  /* The curves whose baselines are nearest the drag's ends. */
  k0 = nearest_slice (self, MIN (self->drag_y0, self->drag_y0 + dy), y, h);
  k1 = nearest_slice (self, MAX (self->drag_y0, self->drag_y0 + dy), y, h);
  if (k0 > k1)
    {
      guint t = k0;

      k0 = k1;
      k1 = t;
    }
  lm_histogram_view_set_step_range (self, g_array_index (self->slices, LmHistogram *, k0)->step,
                                    g_array_index (self->slices, LmHistogram *, k1)->step);
}

static void
on_click (GtkGestureClick *g, int n_press, double x, double y, LmHistogramView *self)
{
  if (n_press == 2)
    lm_histogram_view_set_step_range (self, 1, 0);
}

/* --------------------------------------------------------------- object */

static void
lm_histogram_view_finalize (GObject *object)
{
  LmHistogramView *self = LM_HISTOGRAM_VIEW (object);

  g_clear_object (&self->feed);
  g_free (self->run_name);
  g_free (self->tag);
  g_array_unref (self->slices);
  g_free (self->bins);
  g_free (self->pos);
  g_free (self->error);
  G_OBJECT_CLASS (lm_histogram_view_parent_class)->finalize (object);
}

static void
lm_histogram_view_measure (GtkWidget *widget, GtkOrientation o, int for_size,
                           int *min, int *nat, int *min_base, int *nat_base)
{
  *min = o == GTK_ORIENTATION_HORIZONTAL ? 200 : 150;
  *nat = o == GTK_ORIENTATION_HORIZONTAL ? 320 : 260;   /* a card as wide as a scalar card */
}

static void
lm_histogram_view_size_allocate (GtkWidget *widget, int w, int h, int baseline)
{
  invalidate (LM_HISTOGRAM_VIEW (widget));
}

static void
lm_histogram_view_unmap (GtkWidget *widget)
{
  lm_dash_offscreen_unmap (&LM_HISTOGRAM_VIEW (widget)->offscreen);
  GTK_WIDGET_CLASS (lm_histogram_view_parent_class)->unmap (widget);
}

static void
lm_histogram_view_class_init (LmHistogramViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = lm_histogram_view_finalize;
  widget_class->snapshot = lm_histogram_view_snapshot;
  widget_class->measure = lm_histogram_view_measure;
  widget_class->size_allocate = lm_histogram_view_size_allocate;
  widget_class->unmap = lm_histogram_view_unmap;
}

static void
lm_histogram_view_init (LmHistogramView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  self->slices = g_array_new (FALSE, FALSE, sizeof (LmHistogram *));
  self->range_lo = 1;
  self->range_hi = 0;
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (click, "pressed", G_CALLBACK (on_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

GtkWidget *
lm_histogram_view_new (LmRecordFeed *feed, const char *run_name, const char *tag, const GdkRGBA *color)
{
  LmHistogramView *self = g_object_new (LM_TYPE_HISTOGRAM_VIEW, NULL);

  self->feed = g_object_ref (feed);
  self->run_name = g_strdup (run_name);
  self->tag = g_strdup (tag);
  self->color = *color;
  return GTK_WIDGET (self);
}

gboolean
lm_histogram_mode_from_string (const char *text, LmHistogramMode *mode)
{
  if (g_ascii_strcasecmp (text, "offset") == 0)
    *mode = LM_HISTOGRAM_OFFSET;
  else if (g_ascii_strcasecmp (text, "overlay") == 0)
    *mode = LM_HISTOGRAM_OVERLAY;
  else
    return FALSE;
  return TRUE;
}

const char *
lm_histogram_mode_to_string (LmHistogramMode mode)
{
  return mode == LM_HISTOGRAM_OVERLAY ? "overlay" : "offset";
}

void
lm_histogram_view_set_mode (LmHistogramView *self, LmHistogramMode mode)
{
  g_return_if_fail (LM_IS_HISTOGRAM_VIEW (self));
  if (self->mode == mode)
    return;
  self->mode = mode;
  invalidate (self);
}

void
lm_histogram_view_set_x_axis (LmHistogramView *self, LmXAxis axis)
{
  g_return_if_fail (LM_IS_HISTOGRAM_VIEW (self));
  if (self->x_axis == axis)
    return;
  self->x_axis = axis;
  invalidate (self);
}

void
lm_histogram_view_set_step_range (LmHistogramView *self, gint64 lo, gint64 hi)
{
  g_return_if_fail (LM_IS_HISTOGRAM_VIEW (self));
  self->range_lo = lo;
  self->range_hi = hi;
  invalidate (self);
}

void
lm_histogram_view_set_linked_steps (LmHistogramView *self, const LmStepSelection *sel)
{
  LmStepSelection want = lm_step_selection_normalize (sel);

  g_return_if_fail (LM_IS_HISTOGRAM_VIEW (self));
  if (lm_step_selection_equal (&want, &self->linked))
    return;
  self->linked = want;
  invalidate (self);
}

gboolean
lm_histogram_view_get_step_range (LmHistogramView *self, gint64 *lo, gint64 *hi)
{
  *lo = self->range_lo;
  *hi = self->range_hi;
  return self->range_lo <= self->range_hi;
}

void
lm_histogram_view_refresh (LmHistogramView *self)
{
  LmRecordSeries *s = lm_record_feed_find (self->feed, self->run_name, self->tag);

  if (s == NULL || s->version != self->version || !self->layout_valid)
    invalidate (self);
}

gboolean
lm_histogram_view_get_plot_area (LmHistogramView *self, graphene_rect_t *area)
{
  double x, y, w, h;

  plot_box (self, &x, &y, &w, &h);
  graphene_rect_init (area, x, y, w, h);
  ensure_layout (self);
  return self->slices->len > 0;
}

double
lm_histogram_view_value_to_x (LmHistogramView *self, double value)
{
  double x, y, w, h;

  ensure_layout (self);
  plot_box (self, &x, &y, &w, &h);
  return x + (value - self->lo) / (self->hi - self->lo) * w;
}

guint
lm_histogram_view_get_n_drawn (LmHistogramView *self)
{
  return self->n_drawn;
}

double
lm_histogram_view_get_baseline (LmHistogramView *self, gint64 step)
{
  double x, y, w, h;

  ensure_layout (self);
  plot_box (self, &x, &y, &w, &h);
  for (guint k = 0; k < self->slices->len; k++)
    if (g_array_index (self->slices, LmHistogram *, k)->step == step)
      return baseline (self, k, y, h);
  return NAN;
}

double
lm_histogram_view_axis_to_y (LmHistogramView *self, double t)
{
  double x, y, w, h;

  ensure_layout (self);
  plot_box (self, &x, &y, &w, &h);
  return time_to_y (self, t, y, h);
}
