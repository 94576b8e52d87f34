/* lm-chart.c: the chart widget (see lm-chart.h). */
#include "lm-chart.h"
#include "lm-theme.h"

#include <math.h>

typedef enum {
  DRAG_NONE,
  DRAG_ZOOM,
  DRAG_PAN,
  DRAG_HANDLE,                /* a step selector's handle */
} DragMode;

enum
{
  SIGNAL_STEP_SELECTION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* How near (logical pixels) a press must be to a selector to drag it. */
#define HANDLE_REACH 5

struct _LmChart
{
  GtkWidget parent_instance;

  char *tag;
  LmPlot *plot;
  gboolean custom;            /* a custom-scalars chart (lm_chart_new_custom) */
  guint n_run_syncs;          /* times its lines were matched to the runs (for tests) */
  LmRunSelection *selection;
  LmChartSettings *settings;
  GtkWidget *viewport;        /* weak */

  GdkTexture *texture;
  int tex_w, tex_h, tex_scale;
  gboolean dirty;
  gboolean skipped;           /* last snapshot was off screen */
  gboolean seen;              /* snapshotted since the last change */
  gboolean drew_data;         /* some render so far had data in view */
  gint64 last_render_us;
  guint throttle_id;
  gboolean steps_unsent;      /* a linked selection not told to the table yet (off screen) */
  LmStepSelection hidden;     /* the selection kept while another axis than Step is shown */
  guint steps_idle_id;        /* tells it, once on screen */

  gboolean hovering;
  double hx, hy;
  DragMode drag;
  double drag_x, drag_y, drag_ox, drag_oy;
  gboolean drag_moved;        /* past the few pixels a click may wobble */
  gboolean drag_shift;        /* primary button with Shift only: a Shift+click unless it moves */
  gboolean drag_end_handle;   /* DRAG_HANDLE: the range's end, else its start */
  gboolean keys_move_end;     /* Left/Right move the range's end handle */
};

G_DEFINE_FINAL_TYPE (LmChart, lm_chart, GTK_TYPE_WIDGET)

static void
invalidate (LmChart *self)
{
  self->dirty = TRUE;
  self->seen = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* While a log directory is loading, data arrives in a stream of batches:
 * redraw for them at most every LM_CHART_LOADING_REDRAW_MS so the main
 * thread leaves the cores to the readers.  Everything the user does
 * redraws at once, and so does the end of loading. */
#define LM_CHART_LOADING_REDRAW_MS 150

static gboolean
on_throttle (gpointer user_data)
{
  LmChart *self = user_data;

  self->throttle_id = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

static void
invalidate_data (LmChart *self)
{
  LmRunStore *store = lm_run_selection_get_store (self->selection);
  gint64 since_ms = (g_get_monotonic_time () - self->last_render_us) / 1000;

  self->dirty = TRUE;
  self->seen = FALSE;
  if (!lm_run_store_get_loading (store) || since_ms >= LM_CHART_LOADING_REDRAW_MS)
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  if (self->throttle_id == 0)
    self->throttle_id = g_timeout_add ((guint) (LM_CHART_LOADING_REDRAW_MS - since_ms), on_throttle, self);
}

static void
on_loading_changed (LmRunStore *store, GParamSpec *pspec, LmChart *self)
{
  if (!lm_run_store_get_loading (store))
    {
      g_clear_handle_id (&self->throttle_id, g_source_remove);
      if (self->dirty)
        gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static gboolean
can_select_steps (LmChart *self)
{
  return lm_chart_settings_get_step_selection (self->settings)
         && lm_chart_settings_get_x_axis (self->settings) == LM_X_STEP;
}

static void
emit_step_selection (LmChart *self)
{
  self->steps_unsent = FALSE;
  g_clear_handle_id (&self->steps_idle_id, g_source_remove);
  g_signal_emit (self, signals[SIGNAL_STEP_SELECTION_CHANGED], 0);
}

static void
step_selection_shown (LmChart *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  emit_step_selection (self);
}

static gboolean
on_steps_idle (gpointer data)
{
  LmChart *self = data;

  self->steps_idle_id = 0;
  emit_step_selection (self);
  return G_SOURCE_REMOVE;
}

/* The selection shown moved, or the smoothing under it changed, by way of
 * the shared settings (a handle dragged on another card, the smoothing
 * slider): a card off screen (or on a view not shown) keeps its table as
 * it is until it is drawn (lm_chart_snapshot), where 100 tables redone
 * took 90 ms a pointer motion.  A table that appears, goes or changes its
 * columns (`same_shape` FALSE) is told at once: the card's height depends
 * on it. */
static void
step_selection_moved (LmChart *self, gboolean same_shape)
{
  if (same_shape && !lm_chart_is_on_screen (self))
    {
      self->steps_unsent = TRUE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  else
    step_selection_shown (self);
}

/* The user (or the settings) changed this chart's selection: the shared
 * settings keep it as the last one made, which every card shows while
 * linked by step. */
static void
step_selection_changed (LmChart *self)
{
  LmStepSelection sel = lm_plot_get_step_selection (self->plot);

  step_selection_shown (self);
  lm_chart_settings_set_linked_steps (self->settings, &sel);
}

/* Link by step: the chart shows the linked selection (none included);
 * with the link off it keeps its own. */
static void
follow_linked_steps (LmChart *self)
{
  LmStepSelection want, have = lm_plot_get_step_selection (self->plot);

  if (!lm_chart_settings_get_link_by_step (self->settings) || !can_select_steps (self))
    return;
  want = lm_chart_settings_get_linked_steps (self->settings);
  if (lm_step_selection_equal (&want, &have))
    return;
  lm_plot_set_step_selection (self->plot, &want);
  self->keys_move_end = want.range;
  step_selection_moved (self, have.active && want.active && have.range == want.range);
}

static void
on_linked_steps_changed (LmChartSettings *settings, LmChart *self)
{
  follow_linked_steps (self);
}

/* The table shows values under the selection: they change with the data,
 * the runs shown and the smoothing too. */
static void
step_values_changed (LmChart *self)
{
  if (lm_plot_get_step_selection (self->plot).active)
    emit_step_selection (self);
}

static void
sync_runs (LmChart *self)
{
  self->n_run_syncs++;
  lm_plot_set_runs (self->plot, lm_run_selection_get_shown (self->selection));
}

static void
on_selection_changed (LmRunSelection *selection, LmChart *self)
{
  sync_runs (self);
  invalidate (self);
  step_values_changed (self);
}

static void
on_highlight_changed (LmRunSelection *selection, LmChart *self)
{
  lm_plot_set_highlight (self->plot, lm_run_selection_get_highlighted (selection));
  invalidate (self);
}

static void
on_run_data_changed (LmRunSelection *selection, LmRun *run, LmChart *self)
{
  GPtrArray *shown = lm_run_selection_get_shown (self->selection);
  gboolean drawn = FALSE;

  /* Only runs drawn here (a hidden run's lines are matched when it is
   * shown again), and only if they have this tag; a custom chart's lines
   * follow the run's tags, which may be new. */
  for (guint i = 0; i < shown->len && !drawn; i++)
    drawn = g_ptr_array_index (shown, i) == run;
  if (!drawn)
    return;
  if (self->custom)
    sync_runs (self);
  else if (lm_run_get_series (run, self->tag) == NULL && !lm_plot_has_data (self->plot))
    return;
  invalidate_data (self);
  step_values_changed (self);
}

static void
sync_settings (LmChart *self)
{
  lm_plot_set_smoothing (self->plot, lm_chart_settings_get_smoothing (self->settings));
  lm_plot_set_x_axis (self->plot, lm_chart_settings_get_x_axis (self->settings));
  lm_plot_set_ignore_outliers (self->plot, lm_chart_settings_get_ignore_outliers (self->settings));
  lm_plot_set_tooltip_sort (self->plot, lm_chart_settings_get_tooltip_sort (self->settings));
}

/* Step selection works on a Step axis only, as in TensorBoard: another
 * axis hides the selection, which comes back with the Step axis (and
 * stays the linked one meanwhile); turning step selection off clears it. */
static void
on_settings_changed (LmChartSettings *settings, GParamSpec *pspec, LmChart *self)
{
  LmStepSelection sel = lm_plot_get_step_selection (self->plot);
  gboolean had = sel.active, hid = self->hidden.active, now;

  sync_settings (self);
  if (!lm_chart_settings_get_step_selection (settings))
    self->hidden = (LmStepSelection) { 0 };
  else if (!can_select_steps (self) && had)
    self->hidden = sel;
  else if (can_select_steps (self) && hid)
    {
      lm_plot_set_step_selection (self->plot, &self->hidden);
      self->keys_move_end = self->hidden.range;
      self->hidden = (LmStepSelection) { 0 };
    }
  if (!can_select_steps (self))
    lm_plot_set_step_selection (self->plot, NULL);
  invalidate (self);
  now = lm_plot_get_step_selection (self->plot).active;
  /* only a selection the settings cleared is news for the other cards */
  if ((had || hid) && !now && !self->hidden.active)
    step_selection_changed (self);
  else if (had != now)
    step_selection_moved (self, FALSE);
  else if (had)
    step_selection_moved (self, TRUE);
}

/* ------------------------------------------------------------ drawing */

static gboolean
on_screen (LmChart *self)
{
  graphene_rect_t b;
  int vw, vh;

  if (self->viewport == NULL || !gtk_widget_get_mapped (self->viewport))
    return TRUE;
  if (!gtk_widget_compute_bounds (GTK_WIDGET (self), self->viewport, &b))
    return TRUE;
  vw = gtk_widget_get_width (self->viewport);
  vh = gtk_widget_get_height (self->viewport);
  return b.origin.y < vh && b.origin.y + b.size.height > 0
         && b.origin.x < vw && b.origin.x + b.size.width > 0;
}

static void
render_texture (LmChart *self, int width, int height, int scale)
{
  cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale, height * scale);
  GBytes *bytes;

  lm_plot_render (self->plot, img, width, height, scale);
  self->drew_data |= lm_plot_has_data (self->plot);
  self->last_render_us = g_get_monotonic_time ();
  bytes = g_bytes_new (cairo_image_surface_get_data (img),
                       (gsize) cairo_image_surface_get_stride (img) * height * scale);
  g_clear_object (&self->texture);
  self->texture = gdk_memory_texture_new (width * scale, height * scale, GDK_MEMORY_DEFAULT,
                                          bytes, cairo_image_surface_get_stride (img));
  g_bytes_unref (bytes);
  cairo_surface_destroy (img);
  self->tex_w = width, self->tex_h = height, self->tex_scale = scale;
  self->dirty = FALSE;
}

static void
draw_overlay (LmChart *self, cairo_t *cr, int width, int height)
{
  if (self->drag == DRAG_ZOOM && self->drag_moved)
    {
      LmRect a = lm_plot_get_area (self->plot);
      double x0 = MIN (self->drag_x, self->drag_x + self->drag_ox);
      double x1 = MAX (self->drag_x, self->drag_x + self->drag_ox);
      double y0 = MIN (self->drag_y, self->drag_y + self->drag_oy);
      double y1 = MAX (self->drag_y, self->drag_y + self->drag_oy);

      /* A flat drag zooms x only: show the full-height band. */
      if (fabs (self->drag_oy) <= 4)
        y0 = a.y, y1 = a.y + a.height;
      x0 = CLAMP (x0, a.x, a.x + a.width);
      x1 = CLAMP (x1, a.x, a.x + a.width);
      y0 = CLAMP (y0, a.y, a.y + a.height);
      y1 = CLAMP (y1, a.y, a.y + a.height);
      cairo_rectangle (cr, x0, y0, x1 - x0, y1 - y0);
      const GdkRGBA *accent = &lm_theme_colors ()->accent;

      cairo_set_source_rgba (cr, accent->red, accent->green, accent->blue, 0.12);
      cairo_fill_preserve (cr);
      cairo_set_source_rgba (cr, accent->red, accent->green, accent->blue, 0.7);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);
    }
  lm_plot_render_steps (self->plot, cr);
  if (self->hovering && (self->drag == DRAG_NONE || (self->drag == DRAG_PAN && !self->drag_moved)))
    lm_plot_render_hover (self->plot, cr, self->hx, self->hy, width, height);
}

static void
lm_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LmChart *self = LM_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, width, height);

  if (width <= 0 || height <= 0)
    return;
  self->seen = TRUE;
  if (!on_screen (self))
    {
      /* Off screen: render when scrolled into view (viewport_changed). */
      self->skipped = TRUE;
      return;
    }
  self->skipped = FALSE;
  /* on screen again: the table catches up (not while snapshotting) */
  if (self->steps_unsent && self->steps_idle_id == 0)
    self->steps_idle_id = g_idle_add (on_steps_idle, self);
  if (self->dirty || self->texture == NULL || self->tex_w != width
      || self->tex_h != height || self->tex_scale != scale)
    render_texture (self, width, height, scale);
  gtk_snapshot_append_texture (snapshot, self->texture, &bounds);

  if (self->hovering || self->drag != DRAG_NONE || lm_plot_get_step_selection (self->plot).active)
    {
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &bounds);

      draw_overlay (self, cr, width, height);
      cairo_destroy (cr);
    }
}

/* ------------------------------------------------------------- input */

static void
on_motion (GtkEventControllerMotion *ctl, double x, double y, LmChart *self)
{
  self->hovering = TRUE;
  self->hx = x, self->hy = y;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *ctl, LmChart *self)
{
  self->hovering = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The selector under x (within HANDLE_REACH), if any: 0 none, 1 the
 * start, 2 the end of a range. */
static int
selector_at (LmChart *self, double x, double y)
{
  LmStepSelection sel = lm_plot_get_step_selection (self->plot);
  LmRect a = lm_plot_get_area (self->plot);
  double d0, d1;

  /* the handles sit on the x axis, under the plot area */
  if (!sel.active || y < a.y || y > a.y + a.height + 20)
    return 0;
  d0 = fabs (lm_plot_step_to_pixel (self->plot, sel.start) - x);
  d1 = sel.range ? fabs (lm_plot_step_to_pixel (self->plot, sel.end) - x) : INFINITY;
  if (MIN (d0, d1) > HANDLE_REACH)
    return 0;
  return d1 < d0 ? 2 : 1;
}

/* A click at x: the nearest logged step becomes the selection; with
 * extend (Shift) it becomes the other end of a range from the step
 * selected before. */
static void
click_step (LmChart *self, double x, double y, gboolean extend)
{
  LmStepSelection sel = lm_plot_get_step_selection (self->plot);
  LmRect a = lm_plot_get_area (self->plot);
  gint64 step;

  if (!can_select_steps (self) || x < a.x || x > a.x + a.width || y < a.y || y > a.y + a.height
      || !lm_plot_step_at_pixel (self->plot, x, &step))
    return;
  if (extend && sel.active)
    {
      /* the end nearer the click moves; a single step becomes a range */
      gboolean move_start = sel.range && llabs (step - sel.start) < llabs (step - sel.end);

      if (sel.range && move_start)
        sel.start = step;
      else
        sel.end = step;
      sel.range = sel.start != sel.end;
      self->keys_move_end = !move_start;
    }
  else
    {
      sel = (LmStepSelection) { .active = TRUE, .start = step, .end = step };
      self->keys_move_end = FALSE;
    }
  lm_plot_set_step_selection (self->plot, &sel);
  /* Left/Right/Escape act on the chart clicked */
  gtk_widget_grab_focus (GTK_WIDGET (self));
  step_selection_changed (self);
}

static void
drag_handle (LmChart *self, double x)
{
  LmStepSelection sel = lm_plot_get_step_selection (self->plot);
  gint64 step, *end;

  if (!lm_plot_step_at_pixel (self->plot, x, &step))
    return;
  end = self->drag_end_handle ? &sel.end : &sel.start;
  if (*end == step)
    return;
  *end = step;
  if (sel.range && sel.start > sel.end)
    {
      /* dragged past the other handle: it is the other end now */
      self->drag_end_handle = !self->drag_end_handle;
    }
  if (!sel.range)
    sel.end = sel.start;
  lm_plot_set_step_selection (self->plot, &sel);
  step_selection_changed (self);
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, LmChart *self)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  LmRect a = lm_plot_get_area (self->plot);
  int handle;

  self->drag_x = x, self->drag_y = y;
  self->drag_ox = self->drag_oy = 0;
  self->drag_moved = FALSE;
  self->drag_shift = button == GDK_BUTTON_PRIMARY
                     && (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)) == GDK_SHIFT_MASK;
  if (button == GDK_BUTTON_PRIMARY && (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)) == 0
      && (handle = selector_at (self, x, y)) != 0)
    {
      self->drag = DRAG_HANDLE;
      self->drag_end_handle = handle == 2;
      self->keys_move_end = handle == 2;
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "col-resize");
      gtk_widget_grab_focus (GTK_WIDGET (self));
    }
  else if (button == GDK_BUTTON_MIDDLE
      || (button == GDK_BUTTON_PRIMARY
          && (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK))))
    {
      self->drag = DRAG_PAN;
      lm_plot_pan_begin (self->plot);
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
    }
  else if (button == GDK_BUTTON_PRIMARY && x >= a.x && x <= a.x + a.width
           && y >= a.y && y <= a.y + a.height)
    self->drag = DRAG_ZOOM;
  else
    {
      self->drag = DRAG_NONE;
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
on_drag_update (GtkGestureDrag *gesture, double ox, double oy, LmChart *self)
{
  self->drag_ox = ox, self->drag_oy = oy;
  /* a click that wobbles a pixel or two neither pans nor zooms */
  self->drag_moved |= fabs (ox) > 4 || fabs (oy) > 4;
  if (self->drag == DRAG_HANDLE)
    drag_handle (self, self->drag_x + ox);
  else if (self->drag == DRAG_PAN && self->drag_moved)
    {
      lm_plot_pan_move (self->plot, ox, oy);
      invalidate (self);
    }
  else if (self->drag == DRAG_ZOOM)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_end (GtkGestureDrag *gesture, double ox, double oy, LmChart *self)
{
  /* a press that did not move: a click (zoom only starts with the
   * primary button), or a Shift+click */
  if (!self->drag_moved && (self->drag == DRAG_ZOOM || (self->drag == DRAG_PAN && self->drag_shift)))
    click_step (self, self->drag_x, self->drag_y, self->drag_shift);
  else if (self->drag == DRAG_ZOOM && fabs (ox) > 4)
    {
      if (fabs (oy) > 4)
        lm_plot_zoom_box (self->plot, self->drag_x, self->drag_y,
                          self->drag_x + ox, self->drag_y + oy);
      else
        lm_plot_zoom_x_range (self->plot, self->drag_x, self->drag_x + ox);
      self->dirty = TRUE;
    }
  self->drag = DRAG_NONE;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "crosshair");
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, LmChart *self)
{
  if (n_press == 2)
    lm_chart_reset_view (self);
}

/* Enter (TensorBoard has no key for it): with nothing selected, selects
 * the last step any shown run logged, for Left/Right to move from there.
 * Left/Right: the selected step (or the range's last moved end) to the
 * previous/next logged step of any shown run; Escape clears the
 * selection.  Without a selection the keys go on to the page. */
#define STEP_KEY_START 2

static gboolean
on_step_key (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  LmChart *self = LM_CHART (widget);
  LmStepSelection sel = lm_plot_get_step_selection (self->plot);
  int dir = g_variant_get_int32 (args);
  gint64 *moving = sel.range && self->keys_move_end ? &sel.end : &sel.start;

  if (dir == STEP_KEY_START)
    {
      gint64 last;

      if (sel.active || !can_select_steps (self) || !lm_plot_adjacent_step (self->plot, G_MAXINT64, -1, &last))
        return FALSE;
      sel = (LmStepSelection) { .active = TRUE, .start = last, .end = last };
      self->keys_move_end = FALSE;
      lm_plot_set_step_selection (self->plot, &sel);
      step_selection_changed (self);
      return TRUE;
    }
  if (!sel.active)
    return FALSE;
  if (dir == 0)
    {
      lm_plot_set_step_selection (self->plot, NULL);
      step_selection_changed (self);
      return TRUE;
    }
  if (!lm_plot_adjacent_step (self->plot, *moving, dir, moving))
    return TRUE;   /* at the first or last step: stay */
  if (sel.range && sel.start > sel.end)
    self->keys_move_end = !self->keys_move_end;
  if (!sel.range)
    sel.end = sel.start;
  lm_plot_set_step_selection (self->plot, &sel);
  step_selection_changed (self);
  return TRUE;
}

static gboolean
on_scroll (GtkEventControllerScroll *ctl, double dx, double dy, LmChart *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (ctl));

  /* Plain scrolling scrolls the page of cards; with Ctrl or Alt it zooms
   * the x axis around the pointer. */
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) == 0 || dy == 0)
    return FALSE;
  lm_plot_zoom_x_at (self->plot, self->hx, pow (1.2, dy));
  invalidate (self);
  return TRUE;
}

/* ------------------------------------------------------------ object */

static void
lm_chart_dispose (GObject *object)
{
  LmChart *self = LM_CHART (object);

  g_clear_handle_id (&self->throttle_id, g_source_remove);
  g_clear_handle_id (&self->steps_idle_id, g_source_remove);
  if (self->selection)
    {
      g_signal_handlers_disconnect_by_data (self->selection, self);
      g_signal_handlers_disconnect_by_data (lm_run_selection_get_store (self->selection), self);
    }
  if (self->settings)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->settings);
  g_clear_object (&self->texture);
  g_clear_weak_pointer (&self->viewport);
  G_OBJECT_CLASS (lm_chart_parent_class)->dispose (object);
}

static void
lm_chart_finalize (GObject *object)
{
  LmChart *self = LM_CHART (object);

  lm_plot_free (self->plot);
  g_free (self->tag);
  G_OBJECT_CLASS (lm_chart_parent_class)->finalize (object);
}

static void
lm_chart_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                  int *minimum, int *natural, int *min_baseline, int *nat_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 140;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 320 : LM_CHART_NATURAL_HEIGHT;
}

static void
lm_chart_class_init (LmChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lm_chart_dispose;
  object_class->finalize = lm_chart_finalize;
  widget_class->snapshot = lm_chart_snapshot;
  widget_class->measure = lm_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "lmchart");

  /* The step selection, or the values the table shows under it, changed. */
  signals[SIGNAL_STEP_SELECTION_CHANGED] =
    g_signal_new ("step-selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lm_chart_init (LmChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkEventController *keys = gtk_shortcut_controller_new ();
  static const struct { guint key; int dir; } step_keys[] = {
    { GDK_KEY_Left, -1 }, { GDK_KEY_Right, 1 }, { GDK_KEY_Escape, 0 },
    { GDK_KEY_Return, STEP_KEY_START }, { GDK_KEY_KP_Enter, STEP_KEY_START },
  };

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), 0);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  for (guint i = 0; i < G_N_ELEMENTS (step_keys); i++)
    {
      GtkShortcut *sc = gtk_shortcut_new (gtk_keyval_trigger_new (step_keys[i].key, 0),
                                          gtk_callback_action_new (on_step_key, NULL, NULL));

      gtk_shortcut_set_arguments (sc, g_variant_new_int32 (step_keys[i].dir));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys), sc);
    }
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);

  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "crosshair");
  /* the cached chart is drawn in the old colours */
  g_signal_connect_object (lm_theme_get_default (), "notify::dark", G_CALLBACK (invalidate), self,
                           G_CONNECT_SWAPPED);
  self->dirty = TRUE;
}

static LmChart *
chart_new (const char *tag, LmCustomScalars *layout, const LmCustomChart *custom,
           LmRunSelection *selection, LmChartSettings *settings)
{
  LmChart *self = g_object_new (LM_TYPE_CHART, NULL);

  self->tag = g_strdup (tag);
  self->plot = lm_plot_new (tag);
  if (custom != NULL)
    {
      lm_plot_set_custom (self->plot, layout, custom);
      self->custom = TRUE;
    }
  self->selection = g_object_ref (selection);
  self->settings = g_object_ref (settings);
  g_signal_connect (selection, "changed", G_CALLBACK (on_selection_changed), self);
  g_signal_connect (selection, "run-data-changed", G_CALLBACK (on_run_data_changed), self);
  g_signal_connect (selection, "highlight-changed", G_CALLBACK (on_highlight_changed), self);
  lm_plot_set_highlight (self->plot, lm_run_selection_get_highlighted (selection));
  g_signal_connect (settings, "notify", G_CALLBACK (on_settings_changed), self);
  g_signal_connect (settings, "linked-steps-changed", G_CALLBACK (on_linked_steps_changed), self);
  g_signal_connect (lm_run_selection_get_store (selection), "notify::loading",
                    G_CALLBACK (on_loading_changed), self);
  sync_runs (self);
  sync_settings (self);
  /* a card made while linked (a new tag, another view) starts linked */
  follow_linked_steps (self);
  return self;
}

GtkWidget *
lm_chart_new (const char *tag, LmRunSelection *selection, LmChartSettings *settings)
{
  g_return_val_if_fail (tag != NULL, NULL);
  g_return_val_if_fail (LM_IS_RUN_SELECTION (selection), NULL);
  g_return_val_if_fail (LM_IS_CHART_SETTINGS (settings), NULL);

  return GTK_WIDGET (chart_new (tag, NULL, NULL, selection, settings));
}

GtkWidget *
lm_chart_new_custom (LmCustomScalars *layout, const LmCustomChart *chart,
                     LmRunSelection *selection, LmChartSettings *settings)
{
  g_return_val_if_fail (layout != NULL && chart != NULL, NULL);
  g_return_val_if_fail (LM_IS_RUN_SELECTION (selection), NULL);
  g_return_val_if_fail (LM_IS_CHART_SETTINGS (settings), NULL);

  return GTK_WIDGET (chart_new (lm_custom_chart_get_title (chart), layout, chart, selection,
                                settings));
}

const char *
lm_chart_get_tag (LmChart *self)
{
  g_return_val_if_fail (LM_IS_CHART (self), NULL);
  return self->tag;
}

LmPlot *
lm_chart_get_plot (LmChart *self)
{
  g_return_val_if_fail (LM_IS_CHART (self), NULL);
  return self->plot;
}

void
lm_chart_set_log_y (LmChart *self, gboolean log_y)
{
  g_return_if_fail (LM_IS_CHART (self));
  if (lm_plot_get_log_y (self->plot) == !!log_y)
    return;
  lm_plot_set_log_y (self->plot, log_y);
  invalidate (self);
}

gboolean
lm_chart_get_log_y (LmChart *self)
{
  g_return_val_if_fail (LM_IS_CHART (self), FALSE);
  return lm_plot_get_log_y (self->plot);
}

void
lm_chart_reset_view (LmChart *self)
{
  g_return_if_fail (LM_IS_CHART (self));
  lm_plot_reset_view (self->plot);
  invalidate (self);
}

void
lm_chart_set_viewport (LmChart *self, GtkWidget *viewport)
{
  g_return_if_fail (LM_IS_CHART (self));
  g_set_weak_pointer (&self->viewport, viewport);
}

void
lm_chart_viewport_changed (LmChart *self)
{
  g_return_if_fail (LM_IS_CHART (self));
  if (self->skipped && on_screen (self))
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
lm_chart_is_on_screen (LmChart *self)
{
  g_return_val_if_fail (LM_IS_CHART (self), FALSE);
  return gtk_widget_get_mapped (GTK_WIDGET (self)) && on_screen (self);
}

gboolean
lm_chart_has_drawn_data (LmChart *self)
{
  g_return_val_if_fail (LM_IS_CHART (self), FALSE);
  return self->drew_data;
}

gboolean
lm_chart_is_settled (LmChart *self)
{
  g_return_val_if_fail (LM_IS_CHART (self), FALSE);
  return gtk_widget_get_mapped (GTK_WIDGET (self))
         && gtk_widget_get_width (GTK_WIDGET (self)) > 0
         && self->seen
         && (self->skipped || !self->dirty);
}

guint
lm_chart_get_n_run_syncs (LmChart *self)
{
  g_return_val_if_fail (LM_IS_CHART (self), 0);
  return self->n_run_syncs;
}

gboolean
lm_chart_is_up_to_date (LmChart *self)
{
  g_return_val_if_fail (LM_IS_CHART (self), FALSE);
  return !self->dirty && self->texture != NULL && !self->skipped;
}

void
lm_chart_set_hover (LmChart *self, double x, double y)
{
  g_return_if_fail (LM_IS_CHART (self));
  on_motion (NULL, x, y, self);
}

void
lm_chart_clear_hover (LmChart *self)
{
  g_return_if_fail (LM_IS_CHART (self));
  on_leave (NULL, self);
}

char *
lm_chart_dup_hover_text (LmChart *self)
{
  g_return_val_if_fail (LM_IS_CHART (self), NULL);
  if (!self->hovering)
    return NULL;
  return lm_plot_hover_text (self->plot, self->hx, self->hy);
}

gboolean
lm_chart_export_png (LmChart *self, const char *path, GError **error)
{
  int w = MAX (gtk_widget_get_width (GTK_WIDGET (self)), 480);
  int h = MAX (gtk_widget_get_height (GTK_WIDGET (self)), 320);

  g_return_val_if_fail (LM_IS_CHART (self), FALSE);
  return lm_plot_write_png (self->plot, path, w, h + 30, error);
}

gboolean
lm_chart_export_csv (LmChart *self, const char *path, GError **error)
{
  g_return_val_if_fail (LM_IS_CHART (self), FALSE);
  return lm_plot_write_csv (self->plot, path, error);
}

gboolean
lm_chart_export_json (LmChart *self, const char *path, GError **error)
{
  g_return_val_if_fail (LM_IS_CHART (self), FALSE);
  return lm_plot_write_json (self->plot, path, error);
}

void
lm_chart_click (LmChart *self, double x, double y, gboolean shift)
{
  g_return_if_fail (LM_IS_CHART (self));
  click_step (self, x, y, shift);
}

gboolean
lm_chart_can_select_steps (LmChart *self)
{
  g_return_val_if_fail (LM_IS_CHART (self), FALSE);
  return can_select_steps (self);
}

void
lm_chart_select_steps (LmChart *self, gint64 start, gint64 end)
{
  LmStepSelection sel = { .active = TRUE, .range = start != end, .start = start, .end = end };

  g_return_if_fail (LM_IS_CHART (self));
  if (!can_select_steps (self))
    return;
  lm_plot_set_step_selection (self->plot, &sel);
  self->keys_move_end = sel.range;
  step_selection_changed (self);
}

void
lm_chart_clear_step_selection (LmChart *self)
{
  g_return_if_fail (LM_IS_CHART (self));
  if (!lm_plot_get_step_selection (self->plot).active)
    return;
  lm_plot_set_step_selection (self->plot, NULL);
  step_selection_changed (self);
}

char *
lm_chart_dup_step_text (LmChart *self)
{
  g_return_val_if_fail (LM_IS_CHART (self), NULL);
  return lm_plot_step_text (self->plot);
}
