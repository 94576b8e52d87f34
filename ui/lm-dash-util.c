/* lm-dash-util.c: shared drawing helpers (see lm-dash-util.h). */
#include "lm-dash-util.h"
#include "lm-icon-tip.h"
#include "lm-markdown.h"
#include "lm-theme.h"

#include <math.h>
#include <pango/pangocairo.h>

static PangoLayout *
text_layout (cairo_t *cr, const char *text, double size_pt, int *w, int *h)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string ("Sans");

  pango_font_description_set_absolute_size (font, size_pt * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, w, h);
  pango_font_description_free (font);
  return layout;
}

void
lm_dash_text (cairo_t *cr, double x, double y, const char *text,
              LmAlign halign, LmAlign valign, double size_pt)
{
  int w, h;
  PangoLayout *layout = text_layout (cr, text, size_pt, &w, &h);

  cairo_move_to (cr, x - (halign == LM_ALIGN_CENTER ? w / 2.0 : halign == LM_ALIGN_END ? w : 0),
                 y - (valign == LM_ALIGN_CENTER ? h / 2.0 : valign == LM_ALIGN_END ? h : 0));
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

/* Where v falls between lo (0) and hi (1). */
static double
axis_fraction (double v, double lo, double hi, gboolean log_scale)
{
  return log_scale ? log (v / lo) / log (hi / lo) : (v - lo) / (hi - lo);
}

guint
lm_dash_axis_tick_target (double length, gboolean horizontal)
{
  return MAX (3, (guint) (length / (horizontal ? 90 : 45)));
}

void
lm_dash_axis (cairo_t *cr, double x0, double y0, double w, double h,
              LmAxisKind kind, gboolean log_scale, double lo, double hi, gboolean horizontal)
{
  LmTick ticks[LM_AXIS_MAX_TICKS];
  double at[LM_AXIS_MAX_TICKS], size[LM_AXIS_MAX_TICKS], start[LM_AXIS_MAX_TICKS];
  double cx0, cy0, cx1, cy1;
  guint n;

  if (!(hi > lo))
    return;
  log_scale = log_scale && lo > 0;
  n = lm_axis_ticks (kind, log_scale, lo, hi, lm_dash_axis_tick_target (horizontal ? w : h, horizontal), ticks);
  /* labels at the ends move inward to stay inside what is drawn */
  for (guint i = 0; i < n; i++)
    {
      double f = axis_fraction (ticks[i].value, lo, hi, log_scale);
      int tw, th;

      g_object_unref (text_layout (cr, ticks[i].label, 10, &tw, &th));
      at[i] = horizontal ? x0 + f * w : y0 + h - f * h;
      size[i] = horizontal ? tw : th;
    }
  cairo_clip_extents (cr, &cx0, &cy0, &cx1, &cy1);
  lm_axis_place_labels (at, size, n, horizontal ? cx0 + 1 : cy0, horizontal ? cx1 - 1 : cy1, horizontal ? 8 : 0, start);
  for (guint i = 0; i < n; i++)
    {
      double f = axis_fraction (ticks[i].value, lo, hi, log_scale);

      lm_theme_set_ink (cr, 0.08);
      cairo_set_line_width (cr, 1);
      if (horizontal)
        {
          double x = x0 + f * w;

          cairo_move_to (cr, floor (x) + 0.5, y0);
          cairo_line_to (cr, floor (x) + 0.5, y0 + h);
          cairo_stroke (cr);
          lm_theme_set_ink (cr, 0.6);
          if (!isnan (start[i]))
            lm_dash_text (cr, start[i], y0 + h + 3, ticks[i].label, LM_ALIGN_START, LM_ALIGN_START, 10);
        }
      else
        {
          double y = y0 + h - f * h;

          cairo_move_to (cr, x0, floor (y) + 0.5);
          cairo_line_to (cr, x0 + w, floor (y) + 0.5);
          cairo_stroke (cr);
          lm_theme_set_ink (cr, 0.6);
          if (!isnan (start[i]))
            lm_dash_text (cr, x0 - 4, start[i], ticks[i].label, LM_ALIGN_END, LM_ALIGN_START, 10);
        }
    }
}

void
lm_dash_x_axis (cairo_t *cr, double x0, double y0, double w, double h,
                LmAxisKind kind, double lo, double hi)
{
  lm_dash_axis (cr, x0, y0, w, h, kind, FALSE, lo, hi, TRUE);
}

void
lm_dash_y_axis (cairo_t *cr, double x0, double y0, double w, double h,
                LmAxisKind kind, double lo, double hi)
{
  lm_dash_axis (cr, x0, y0, w, h, kind, FALSE, lo, hi, FALSE);
}

void
lm_dash_placeholder (cairo_t *cr, int width, int height, const char *title, const char *detail)
{
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->placeholder);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->error);
  lm_dash_text (cr, width / 2.0, height / 2.0 - 2, title, LM_ALIGN_CENTER, LM_ALIGN_END, 13);
  if (detail != NULL)
    {
      int w, h;
      PangoLayout *layout = text_layout (cr, detail, 11, &w, &h);

      /* wrapped to the card, not cut off at both sides */
      pango_layout_set_width (layout, MAX (width - 16, 1) * PANGO_SCALE);
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
      lm_theme_set_ink (cr, 0.6);
      cairo_move_to (cr, 8, height / 2.0 + 2);
      pango_cairo_show_layout (cr, layout);
      g_object_unref (layout);
    }
}

void
lm_dash_tint (const GdkRGBA *in, double mix, GdkRGBA *out)
{
  const GdkRGBA *bg = &lm_theme_colors ()->bg;

  /* towards the background: white in light mode, as it always was */
  out->red = in->red + (bg->red - in->red) * mix;
  out->green = in->green + (bg->green - in->green) * mix;
  out->blue = in->blue + (bg->blue - in->blue) * mix;
  out->alpha = in->alpha;
}

/* Ctrl+Home in a larger view: the main window's "reset every chart's
 * zoom", which reaches the larger views' charts too (lm-card-grid.c). */
static void
larger_reset_zoom (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkWindow *parent = gtk_window_get_transient_for (user_data);

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.reset-zoom", NULL);
}

GtkWidget *
lm_dash_larger_window (GtkWidget *from, const char *title)
{
  static const GActionEntry entries[] = { { "reset-zoom", larger_reset_zoom, NULL, NULL, NULL, { 0 } } };
  GtkRoot *root = gtk_widget_get_root (from);
  GtkWidget *window = gtk_window_new ();
  GtkEventController *keys = gtk_shortcut_controller_new ();
  GSimpleActionGroup *actions = g_simple_action_group_new ();

  gtk_window_set_title (GTK_WINDOW (window), title);
  if (GTK_IS_WINDOW (root))
    {
      gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
      gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
    }
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  /* the sheet's colours (lm-theme.c), as in the window: the text and flat
   * buttons follow the Appearance, not a GTK theme that says otherwise */
  gtk_widget_add_css_class (window, "lm-dashboard");
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("window.close")));
  g_action_map_add_action_entries (G_ACTION_MAP (actions), entries, G_N_ELEMENTS (entries), window);
  gtk_widget_insert_action_group (window, "larger", G_ACTION_GROUP (actions));
  g_object_unref (actions);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Home, GDK_CONTROL_MASK),
                                                          gtk_named_action_new ("larger.reset-zoom")));
  gtk_widget_add_controller (window, keys);
  return window;
}

GtkWidget *
lm_dash_card_header (const char *title, const char *run_name, const GdkRGBA *color)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *dot = gtk_label_new (NULL), *name = gtk_label_new (run_name);
  g_autofree char *markup = NULL;

  /* A natural width of one character: the title takes whatever the chip
   * leaves (it expands), and never widens the card. */
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 1);
  gtk_widget_set_hexpand (label, TRUE);
  lm_set_tooltip (label, title);
  gtk_widget_add_css_class (label, "lm-card-title");

  /* The dot stays when the name is cut short (so it is a label of its
   * own); the end of a name is what tells runs apart. */
  markup = g_markup_printf_escaped ("<span foreground='#%02x%02x%02x'>●</span>", (int) (color->red * 255),
                                    (int) (color->green * 255), (int) (color->blue * 255));
  gtk_label_set_markup (GTK_LABEL (dot), markup);
  gtk_label_set_xalign (GTK_LABEL (name), 1);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_START);
  gtk_label_set_max_width_chars (GTK_LABEL (name), LM_DASH_RUN_CHIP_CHARS);
  gtk_widget_add_css_class (chip, "lm-subtitle");
  lm_set_tooltip (chip, run_name);
  gtk_widget_set_margin_end (chip, 6);
  gtk_box_append (GTK_BOX (chip), dot);
  gtk_box_append (GTK_BOX (chip), name);

  gtk_box_append (GTK_BOX (header), label);
  gtk_box_append (GTK_BOX (header), chip);
  return header;
}

void
lm_dash_feed_follow_mapped (GtkWidget *widget, LmRecordFeed *feed)
{
  /* a count, not a switch: the Histograms page going off screen leaves
   * the feed on for Distributions or a card's larger view */
  g_signal_connect_object (widget, "map", G_CALLBACK (lm_record_feed_hold), feed, G_CONNECT_SWAPPED);
  g_signal_connect_object (widget, "unmap", G_CALLBACK (lm_record_feed_release), feed, G_CONNECT_SWAPPED);
}

gboolean
lm_dash_is_near_view (GtkWidget *widget)
{
  GtkWidget *sw = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t b;
  double margin;

  if (sw == NULL || !gtk_widget_compute_bounds (widget, sw, &b))
    return TRUE;
  margin = gtk_widget_get_height (sw) / 2.0;
  return b.origin.y + b.size.height >= -margin && b.origin.y <= gtk_widget_get_height (sw) + margin;
}

static void
offscreen_stop (LmDashOffscreen *o)
{
  if (o->layout_id != 0)
    g_signal_handler_disconnect (o->clock, o->layout_id);
  o->layout_id = 0;
  o->clock = NULL;
}

/* Layout is done for this frame: a card skipped off screen that is near
 * the view now draws in this frame's paint. */
static void
offscreen_on_layout (LmDashOffscreen *o)
{
  if (lm_dash_is_near_view (o->widget))
    {
      offscreen_stop (o);
      gtk_widget_queue_draw (o->widget);
    }
}

gboolean
lm_dash_offscreen_skip (LmDashOffscreen *o, GtkWidget *widget)
{
  o->drawn = TRUE;
  if (lm_dash_is_near_view (widget))
    {
      offscreen_stop (o);
      return o->skipped = FALSE;
    }
  o->widget = widget;
  if (o->layout_id == 0 && (o->clock = gtk_widget_get_frame_clock (widget)) != NULL)
    o->layout_id = g_signal_connect_swapped (o->clock, "layout", G_CALLBACK (offscreen_on_layout), o);
  return o->skipped = TRUE;
}

gboolean
lm_dash_offscreen_is_near (const LmDashOffscreen *o, gboolean *known)
{
  if (known != NULL)
    *known = o->drawn;
  return o->drawn && !o->skipped;
}

void
lm_dash_offscreen_unmap (LmDashOffscreen *o)
{
  /* mapped again, a card skipped is drawn if near the view */
  if (o->layout_id != 0)
    gtk_widget_queue_draw (o->widget);
  offscreen_stop (o);
  o->drawn = FALSE;
}

void
lm_dash_release_sources (gpointer owner, LmRecordFeed **feed, LmRunSelection **selection)
{
  /* no lm_record_feed_set_active (FALSE) here: the feed is shared (the
   * Histograms and Distributions pages, larger views), and the owner's
   * unmap already gave back its hold (lm_dash_feed_follow_mapped) */
  if (*feed != NULL)
    g_signal_handlers_disconnect_by_data (*feed, owner);
  if (*selection != NULL)
    g_signal_handlers_disconnect_by_data (*selection, owner);
  g_clear_object (feed);
  g_clear_object (selection);
}

/* Links open in the default browser, as TensorBoard's text dashboard's do. */
static void
on_markdown_click (GtkGestureClick *click, int n_press, double x, double y, gpointer user_data)
{
  GtkWidget *view = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (click));
  const char *url = lm_markdown_link_at (GTK_TEXT_VIEW (view), x, y);
  g_autoptr (GError) error = NULL;

  if (url != NULL && !g_app_info_launch_default_for_uri (url, NULL, &error))
    g_message ("cannot open %s: %s", url, error->message);
}

static void
on_markdown_motion (GtkEventControllerMotion *motion, double x, double y, gpointer user_data)
{
  GtkWidget *view = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (motion));
  const char *url = lm_markdown_link_at (GTK_TEXT_VIEW (view), x, y);

  gtk_widget_set_cursor_from_name (view, url ? "pointer" : NULL);
  gtk_widget_set_tooltip_text (view, url);
}

GtkWidget *
lm_dash_markdown_view_new (void)
{
  GtkWidget *view = gtk_text_view_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();

  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 4);
  g_signal_connect (click, "released", G_CALLBACK (on_markdown_click), NULL);
  g_signal_connect (motion, "motion", G_CALLBACK (on_markdown_motion), NULL);
  gtk_widget_add_controller (view, GTK_EVENT_CONTROLLER (click));
  gtk_widget_add_controller (view, motion);
  return view;
}

GtkWidget *
lm_dash_status_label (void)
{
  GtkWidget *l = gtk_label_new ("");

  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_label_set_ellipsize (GTK_LABEL (l), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (l, "lm-status-line");
  gtk_widget_set_margin_start (l, 8);
  return l;
}

GtkWidget *
lm_dash_warning_label (void)
{
  GtkWidget *l = gtk_label_new ("");

  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_label_set_wrap (GTK_LABEL (l), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (l), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (l), 40);
  gtk_widget_add_css_class (l, "lm-warning");
  gtk_widget_set_margin_start (l, 8);
  gtk_widget_set_visible (l, FALSE);
  return l;
}

GtkWidget *
lm_dash_step_slider_new (GtkAdjustment **adj, const char *tooltip)
{
  GtkWidget *scale;

  *adj = gtk_adjustment_new (0, 0, 0, 1, 10, 0);
  scale = gtk_scale_new (GTK_ORIENTATION_HORIZONTAL, *adj);
  gtk_scale_set_digits (GTK_SCALE (scale), 0);
  gtk_scale_set_draw_value (GTK_SCALE (scale), FALSE);
  gtk_widget_set_hexpand (scale, TRUE);
  lm_set_tooltip (scale, tooltip);
  return scale;
}

gboolean
lm_dash_step_slider_set_count (GtkAdjustment *adj, GtkWidget *scale, guint old_n, guint n, gboolean follow)
{
  gboolean at_end = old_n == 0 || gtk_adjustment_get_value (adj) >= old_n - 1;

  if (n == old_n)
    return FALSE;
  gtk_adjustment_configure (adj, MIN (gtk_adjustment_get_value (adj), MAX (n, 1) - 1), 0, MAX (n, 1) - 1, 1, 10,
                            0);
  gtk_widget_set_sensitive (scale, n > 1);
  if (follow && at_end && n > 0)
    gtk_adjustment_set_value (adj, n - 1);
  return TRUE;
}

char *
lm_dash_step_line (GtkWidget *scale, gint64 step, const char *note, double wall_time)
{
  char s[32], wall[64];
  g_autofree char *value = NULL;

  lm_format_step (step, s, sizeof s);
  lm_format_wall (wall_time, wall, sizeof wall);
  value = g_strdup_printf ("step %s", s);
  gtk_accessible_update_property (GTK_ACCESSIBLE (scale), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, value, -1);
  return g_strdup_printf ("step %s%s · %s", s, note, wall);
}

typedef struct
{
  gint64 id, step;
} StepRecord;   /* the beginning of LmImageMeta, LmAudioMeta, LmMeshMeta */

/* The step of record i. */
static gint64
step_of (GPtrArray *items, guint i)
{
  return ((const StepRecord *) items->pdata[i])->step;
}

/* How many records come before step (with `at`, at it too): they are in
 * step order. */
static guint
count_before (GPtrArray *items, gint64 step, gboolean at)
{
  guint lo = 0, hi = items->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (step_of (items, mid) < step || (at && step_of (items, mid) == step))
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* The last record at or before step; -1 when none is. */
static int
index_at_or_before (GPtrArray *items, gint64 step)
{
  return (int) count_before (items, step, TRUE) - 1;
}

/* The first record at or after step; items->len when none is. */
static guint
index_at_or_after (GPtrArray *items, gint64 step)
{
  return count_before (items, step, FALSE);
}

/* One step, as TensorBoard's image cards: the record at it, else one of
 * the two around it when the step is within a tenth of the gap between
 * them from it (TensorBoard's DISTANCE_RATIO); -1 otherwise, the step
 * before the first record or after the last included. */
static int
index_at_step (GPtrArray *items, gint64 step)
{
  guint next = index_at_or_after (items, step);
  gint64 before, after;
  double near;

  if (next < items->len && step_of (items, next) == step)
    return (int) next;
  if (next == 0 || next >= items->len)
    return -1;
  before = step_of (items, next - 1);
  after = step_of (items, next);
  near = (after - before) * 0.1;
  if (step - before <= near)
    return (int) next - 1;
  if (after - step <= near)
    return (int) next;
  return -1;
}

/* A range, as TensorBoard's image cards: the record shown (`value`)
 * stays while it is in the range, else the slider goes to the range's
 * record nearest it (its first or last); -1 with none in the range. */
static int
index_in_range (GPtrArray *items, gint64 lo, gint64 hi, int value)
{
  guint first = index_at_or_after (items, lo);
  int last = index_at_or_before (items, hi);

  if (first >= items->len || (int) first > last)
    return -1;
  if (value < (int) first)
    return (int) first;
  return MIN (value, last);
}

/* Where l puts the slider over `items`, it at `value`: l->index. */
static int
place (LmDashLinked *l, GPtrArray *items, int value)
{
  if (items == NULL || items->len == 0)
    l->index = -1;
  else if (l->range)
    l->index = index_in_range (items, l->lo, l->hi, value);
  else
    l->index = index_at_step (items, l->lo);
  return l->index;
}

int
lm_dash_linked_set (LmDashLinked *l, const LmStepSelection *sel, GPtrArray *items, int value)
{
  LmStepSelection want = lm_step_selection_normalize (sel);

  *l = LM_DASH_LINKED_INIT;
  if (!want.active)
    return -1;
  l->active = TRUE;
  l->range = want.range;
  l->lo = want.start;
  l->hi = want.end;
  return place (l, items, value);
}

int
lm_dash_linked_follow (LmDashLinked *l, GPtrArray *items, guint old_n, int value)
{
  /* the user moved the slider off the record the link chose */
  if (!l->active || (l->index >= 0 && old_n > 0 && value != l->index))
    return -1;
  return place (l, items, value);
}

/* " (words 125)", or for a range " (words 100–125)" (free it). */
static char *
steps_note (const char *words, gint64 lo, gint64 hi, gboolean range)
{
  char a[32], b[32];

  lm_format_step (lo, a, sizeof a);
  if (!range)
    return g_strdup_printf (" (%s %s)", words, a);
  lm_format_step (hi, b, sizeof b);
  return g_strdup_printf (" (%s %s\u2013%s)", words, a, b);
}

char *
lm_dash_nearest_note (gint64 shown, gint64 lo, gint64 hi)
{
  if (shown >= lo && shown <= hi)
    return g_strdup ("");
  return steps_note ("nearest to", lo, hi, lo != hi);
}

char *
lm_dash_linked_note (const LmDashLinked *l, int index, gint64 shown)
{
  if (!l->active)
    return g_strdup ("");
  if (l->index >= 0)
    return index == l->index ? lm_dash_nearest_note (shown, l->lo, l->hi) : g_strdup ("");
  /* none at the step (or near it) or in the range: the slider stayed */
  return steps_note (l->range ? "none in" : "none at", l->lo, l->hi, l->range);
}
