/* lm-waveform.c: a clip's waveform (see lm-waveform.h).
 *
 * The per-column minima and maxima are worked out once for a width and
 * kept until the width or the clip change, from the clip's peak summary
 * (at most LM_AUDIO_MAX_PEAKS blocks, not its samples): a snapshot only
 * draws rectangles, so a playhead moving 60 times a second costs no pass
 * over anything, and a new width a pass over the summary.
 */
#include "lm-waveform.h"

#include <math.h>
#include <string.h>

#include "lm-dash-util.h"
#include "lm-theme.h"

#define PAD_X 6.0
#define PAD_TOP 4.0
#define AXIS_H 16.0
#define LANE_GAP 6.0

struct _LmWaveform
{
  GtkWidget parent_instance;

  LmAudioPeaks peaks;   /* arrays owned by `owner`; min NULL: none */
  gint64 frames;
  int channels;
  double rate;
  GDestroyNotify free_owner;
  gpointer owner;

  GdkRGBA color;
  char *error;
  double playhead;

  /* per column and channel: [col * channels + ch] */
  float *col_min, *col_max;
  int cols;

  LmDashOffscreen offscreen;
  guint want_id;        /* idle emitting "wants-samples" */
};

enum
{
  SEEK,
  WANTS_SAMPLES,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LmWaveform, lm_waveform, GTK_TYPE_WIDGET)

static void
drop_columns (LmWaveform *self)
{
  g_clear_pointer (&self->col_min, g_free);
  g_clear_pointer (&self->col_max, g_free);
  self->cols = 0;
}

/* The box the lanes share (the axis below it). */
static void
plot_box (LmWaveform *self, double *x0, double *y0, double *w, double *h)
{
  *x0 = PAD_X;
  *y0 = PAD_TOP;
  *w = MAX (gtk_widget_get_width (GTK_WIDGET (self)) - 2 * PAD_X, 1);
  *h = MAX (gtk_widget_get_height (GTK_WIDGET (self)) - PAD_TOP - AXIS_H, 1);
}

gboolean
lm_waveform_get_lane (LmWaveform *self, int channel, graphene_rect_t *lane)
{
  double x0, y0, w, h, lh;
  int n;

  g_return_val_if_fail (LM_IS_WAVEFORM (self), FALSE);
  n = MAX (self->channels, 1);
  if (channel < 0 || channel >= n)
    return FALSE;
  plot_box (self, &x0, &y0, &w, &h);
  lh = (h - (n - 1) * LANE_GAP) / n;
  graphene_rect_init (lane, (float) x0, (float) (y0 + channel * (lh + LANE_GAP)), (float) w, (float) MAX (lh, 1));
  return TRUE;
}

static void
compute_columns (LmWaveform *self, int cols)
{
  int c = self->channels;

  drop_columns (self);
  self->cols = cols;
  self->col_min = g_new (float, (gsize) cols * c);
  self->col_max = g_new (float, (gsize) cols * c);
  /* a column takes every block its frames touch: a block straddling two
   * columns shows in both, so a click is never lost */
  for (int i = 0; i < cols; i++)
    {
      gint64 f0 = (gint64) ((double) i * self->frames / cols);
      gint64 f1 = MAX ((gint64) ((double) (i + 1) * self->frames / cols), f0 + 1);
      gint64 b0, b1;

      f1 = MIN (f1, self->frames);
      b0 = f0 / self->peaks.block;
      b1 = f1 > f0 ? (f1 - 1) / self->peaks.block + 1 : b0;
      for (int ch = 0; ch < c; ch++)
        {
          float lo = 0, hi = 0;

          if (b0 < b1)
            {
              lo = self->peaks.min[b0 * c + ch];
              hi = self->peaks.max[b0 * c + ch];
            }
          for (gint64 b = b0 + 1; b < b1; b++)
            {
              lo = MIN (lo, self->peaks.min[b * c + ch]);
              hi = MAX (hi, self->peaks.max[b * c + ch]);
            }
          self->col_min[(gsize) i * c + ch] = CLAMP (lo, -1.f, 1.f);
          self->col_max[(gsize) i * c + ch] = CLAMP (hi, -1.f, 1.f);
        }
    }
}

static gboolean
emit_wants_samples (gpointer user_data)
{
  LmWaveform *self = user_data;

  self->want_id = 0;
  if (self->peaks.min == NULL && self->error == NULL)
    g_signal_emit (self, signals[WANTS_SAMPLES], 0);
  return G_SOURCE_REMOVE;
}

static void
lm_waveform_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LmWaveform *self = LM_WAVEFORM (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  double x0, y0, w, h, dur = lm_waveform_get_duration (self);
  cairo_t *cr;
  int cols;

  if (width <= 0 || height <= 0)
    return;
  if (lm_dash_offscreen_skip (&self->offscreen, widget))
    return;
  /* near the view with nothing to draw: ask for it, after this frame */
  if (self->peaks.min == NULL && self->error == NULL && self->want_id == 0)
    self->want_id = g_idle_add (emit_wants_samples, self);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->bg);
  cairo_paint (cr);
  if (self->error != NULL || self->peaks.min == NULL || self->frames <= 0)
    {
      if (self->error != NULL)
        lm_dash_placeholder (cr, width, height, "Cannot show this clip", self->error);
      cairo_destroy (cr);
      lm_theme_snapshot_focus_ring (widget, snapshot);
      return;
    }
  plot_box (self, &x0, &y0, &w, &h);
  lm_dash_x_axis (cr, x0, y0, w, h, LM_AXIS_RELATIVE, 0, dur);
  cols = MAX ((int) w, 1);
  if (cols != self->cols)
    compute_columns (self, cols);
  for (int ch = 0; ch < self->channels; ch++)
    {
      graphene_rect_t lane;
      double mid, half;

      lm_waveform_get_lane (self, ch, &lane);
      mid = lane.origin.y + lane.size.height / 2.0;
      half = lane.size.height / 2.0;
      /* the zero line, and the full-scale band faintly */
      lm_theme_set_ink (cr, 0.04);
      cairo_rectangle (cr, lane.origin.x, lane.origin.y, lane.size.width, lane.size.height);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, &self->color);
      for (int i = 0; i < cols; i++)
        {
          double top = mid - self->col_max[(gsize) i * self->channels + ch] * half;
          double bottom = mid - self->col_min[(gsize) i * self->channels + ch] * half;

          /* silence is a line one pixel high, not nothing */
          if (bottom - top < 1)
            {
              top = floor ((top + bottom) / 2);
              bottom = top + 1;
            }
          cairo_rectangle (cr, x0 + i, top, 1, bottom - top);
        }
      cairo_fill (cr);
    }
  if (self->playhead >= 0 && dur > 0)
    {
      double x = x0 + MIN (self->playhead / dur, 1.0) * w;

      lm_theme_set_ink (cr, 0.85);
      cairo_rectangle (cr, floor (x) - 0.5, y0, 2, h);
      cairo_fill (cr);
    }
  cairo_destroy (cr);
  lm_theme_snapshot_focus_ring (widget, snapshot);
}

static void
lm_waveform_unmap (GtkWidget *widget)
{
  LmWaveform *self = LM_WAVEFORM (widget);

  lm_dash_offscreen_unmap (&self->offscreen);
  GTK_WIDGET_CLASS (lm_waveform_parent_class)->unmap (widget);
}

static void
lm_waveform_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  LmWaveform *self = LM_WAVEFORM (widget);

  if (self->cols != MAX ((int) (width - 2 * PAD_X), 1))
    drop_columns (self);
}

static void
lm_waveform_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                     int *minimum, int *natural, int *min_baseline, int *nat_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = 120, *natural = 300;
  else
    *minimum = 60, *natural = 110;
}

double
lm_waveform_time_at (LmWaveform *self, double x)
{
  double x0, y0, w, h;

  g_return_val_if_fail (LM_IS_WAVEFORM (self), 0);
  plot_box (self, &x0, &y0, &w, &h);
  return CLAMP ((x - x0) / w, 0.0, 1.0) * lm_waveform_get_duration (self);
}

static void
seek_to (LmWaveform *self, double x)
{
  if (self->peaks.min == NULL || self->frames <= 0)
    return;
  g_signal_emit (self, signals[SEEK], 0, lm_waveform_time_at (self, x));
}

static void
on_pressed (GtkGestureClick *g, int n, double x, double y, LmWaveform *self)
{
  seek_to (self, x);
}

static void
on_drag (GtkGestureDrag *g, double dx, double dy, LmWaveform *self)
{
  double sx, sy;

  if (gtk_gesture_drag_get_start_point (g, &sx, &sy))
    seek_to (self, sx + dx);
}

static void
lm_waveform_dispose (GObject *object)
{
  LmWaveform *self = LM_WAVEFORM (object);

  lm_waveform_set_peaks (self, NULL, NULL, NULL);
  g_clear_handle_id (&self->want_id, g_source_remove);
  G_OBJECT_CLASS (lm_waveform_parent_class)->dispose (object);
}

static void
lm_waveform_finalize (GObject *object)
{
  LmWaveform *self = LM_WAVEFORM (object);

  drop_columns (self);
  g_free (self->error);
  G_OBJECT_CLASS (lm_waveform_parent_class)->finalize (object);
}

static void
lm_waveform_class_init (LmWaveformClass *klass)
{
  GtkWidgetClass *wc = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = lm_waveform_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_waveform_finalize;
  wc->snapshot = lm_waveform_snapshot;
  wc->measure = lm_waveform_measure;
  wc->size_allocate = lm_waveform_size_allocate;
  wc->unmap = lm_waveform_unmap;
  /* "seek" (double seconds): the user clicked or dragged there */
  signals[SEEK] = g_signal_new ("seek", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                G_TYPE_NONE, 1, G_TYPE_DOUBLE);
  /* "wants-samples": drawn near the view with neither samples nor an error */
  signals[WANTS_SAMPLES] = g_signal_new ("wants-samples", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                         NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_accessible_role (wc, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lm_waveform_init (LmWaveform *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *drag = gtk_gesture_drag_new ();

  self->playhead = -1;
  self->color = (GdkRGBA) { 0.2f, 0.4f, 0.8f, 1.0f };
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "text");
}

GtkWidget *
lm_waveform_new (void)
{
  return g_object_new (LM_TYPE_WAVEFORM, NULL);
}

void
lm_waveform_set_peaks (LmWaveform *self, const LmAudioPeaks *peaks, GDestroyNotify free_owner, gpointer owner)
{
  gboolean some;

  g_return_if_fail (LM_IS_WAVEFORM (self));
  some = peaks != NULL && peaks->min != NULL && peaks->max != NULL && peaks->frames > 0 && peaks->channels > 0
         && peaks->block >= 1 && peaks->n_peaks >= (peaks->frames + peaks->block - 1) / peaks->block;
  if (self->free_owner != NULL && self->owner != NULL)
    self->free_owner (self->owner);
  memset (&self->peaks, 0, sizeof self->peaks);
  if (some)
    self->peaks = *peaks;
  self->frames = some ? peaks->frames : 0;
  self->channels = some ? peaks->channels : 0;
  self->rate = some && peaks->sample_rate > 0 ? peaks->sample_rate : 1;
  self->free_owner = free_owner;
  self->owner = owner;
  drop_columns (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lm_waveform_set_color (LmWaveform *self, const GdkRGBA *color)
{
  g_return_if_fail (LM_IS_WAVEFORM (self));
  self->color = *color;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lm_waveform_get_color (LmWaveform *self, GdkRGBA *color)
{
  g_return_if_fail (LM_IS_WAVEFORM (self));
  *color = self->color;
}

void
lm_waveform_set_error (LmWaveform *self, const char *error)
{
  g_return_if_fail (LM_IS_WAVEFORM (self));
  if (g_strcmp0 (error, self->error) == 0)
    return;
  g_free (self->error);
  self->error = g_strdup (error);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lm_waveform_set_playhead (LmWaveform *self, double seconds)
{
  g_return_if_fail (LM_IS_WAVEFORM (self));
  if (seconds == self->playhead)
    return;
  self->playhead = seconds;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
lm_waveform_get_playhead (LmWaveform *self)
{
  g_return_val_if_fail (LM_IS_WAVEFORM (self), -1);
  return self->playhead;
}

gboolean
lm_waveform_is_near_view (LmWaveform *self, gboolean *known)
{
  g_return_val_if_fail (LM_IS_WAVEFORM (self), FALSE);
  return lm_dash_offscreen_is_near (&self->offscreen, known);
}

double
lm_waveform_get_duration (LmWaveform *self)
{
  g_return_val_if_fail (LM_IS_WAVEFORM (self), 0);
  return self->peaks.min != NULL ? (double) self->frames / self->rate : 0;
}
