/* lm-pr-curve-view.c: the PR Curves card body (see lm-pr-curve-view.h).
 *
 * Each run's slider keeps its steps and the one selected: a frame looks
 * up each shown run's series and its curve nearest that run's step (a
 * scan of one curve per logged step: an epoch's worth), so a live update
 * or a run toggled in the run list needs only a refresh of the steps and
 * a redraw, and that only when what the card draws changed
 * (frame_signature).  A curve whose points are still being read (pending)
 * is not drawn.  The lines are stroked into an image kept while that
 * signature and the plot's size stay: a hover frame (the pointer moving
 * over fifty runs' lines) paints the image and the read-out, and the
 * read-out's rows are measured once each.
 *
 * A run's slider row is made the first time the run shows a curve of the
 * tag and kept, hidden while the run is not shown: shown again, it comes
 * back at the step it was left at, as TensorBoard's does.  Only the first
 * PR_SLIDERS_SHOWN shown runs' rows are on the card unless the user asks
 * for all of them: a sweep of 50 runs made every card 2,650 px tall.
 */
#include "lm-pr-curve-view.h"

#include <math.h>
#include <string.h>

#include "lm-dash-util.h"
#include "lm-icon-tip.h"
#include "lm-palette.h"
#include "lm-theme.h"

#define MARGIN_L 50
#define MARGIN_R 12
#define MARGIN_T 10
#define MARGIN_B 34
/* a hover names points this close to the pointer (pixels) */
#define HOVER_PX 40.0
/* slider rows on a card before "Show all N runs" */
#define PR_SLIDERS_SHOWN 5

struct _LmPrCurveView
{
  GtkBox parent_instance;

  LmRecordFeed *feed;
  LmRunSelection *selection;
  char *tag;
  GtkWidget *plot, *sliders, *more;
  gboolean show_all;        /* every shown run's row, not the first few */

  GArray *steps;            /* gint64, ascending, unique: every shown run's */
  GHashTable *runs;         /* run name -> RunSlider* */
  guint n_rows;             /* rows shown: runs shown with a curve of the tag */

  double mx, my;
  gboolean hover;
  guint n_drawn;
  char *note;               /* the last frame's runs it could not draw, or NULL */
  guint64 drawn_sig;        /* what the last frame drew (frame_signature) */
  gboolean drawn;

  /* The lines as last drawn, on a transparent image of the plot's size:
   * a hover frame paints it instead of stroking every run's curve again
   * (fifty runs of 127 points took most of a frame) */
  cairo_surface_t *lines_img;
  guint64 lines_sig;        /* frame_signature of what it holds */
  int lines_w, lines_h, lines_scale;
  guint n_line_renders;
  GHashTable *row_widths;   /* a read-out row's text -> its width measured */
};

G_DEFINE_FINAL_TYPE (LmPrCurveView, lm_pr_curve_view, GTK_TYPE_BOX)

/* One run's row under the plot: its colour dot and name, the step shown
 * and its wall time, and a slider over the run's own steps (none when it
 * logged one step). */
typedef struct
{
  LmPrCurveView *view;
  char *run_name;
  GtkWidget *row, *dot, *name, *time, *scale;
  GArray *steps;            /* gint64, ascending, unique: this run's */
  gint64 step;              /* selected; G_MININT64: none */
  gboolean follow_latest;   /* the slider sits on the newest step */
  gboolean syncing;         /* the slider is being moved by code */
  gboolean listed;          /* shown in the last refresh */
  double start_time;        /* the run's, for the relative time; 0: unknown */
  GdkRGBA color;
  gint64 labelled_id;       /* the curve the labels describe; -1: none */
} RunSlider;

/* One run's line in a frame. */
typedef struct
{
  LmRun *run;
  GdkRGBA color;
  const LmPrCurve *curve;
} Line;

static void
plot_box (LmPrCurveView *self, double *x, double *y, double *w, double *h)
{
  *x = MARGIN_L;
  *y = MARGIN_T;
  *w = MAX (10, gtk_widget_get_width (self->plot) - MARGIN_L - MARGIN_R);
  *h = MAX (10, gtk_widget_get_height (self->plot) - MARGIN_T - MARGIN_B);
}

/* The curve of s nearest to step: the earlier step on a tie, the last
 * logged of several at one step; NULL when s has none.  Items are in
 * (step, id) order. */
static const LmPrCurve *
nearest_curve (LmRecordSeries *s, gint64 step)
{
  const LmPrCurve *best = NULL;
  guint64 best_d = G_MAXUINT64;

  for (guint i = 0; i < s->items->len; i++)
    {
      const LmPrCurve *c = s->items->pdata[i];
      guint64 d = c->step > step ? (guint64) c->step - (guint64) step : (guint64) step - (guint64) c->step;

      if (d < best_d || (best != NULL && c->step == best->step))
        {
          best = c;
          best_d = d;
        }
    }
  return best;
}

/* The shown runs that logged the tag, in the run list's order, each at its
 * slider's step (a run with no slider yet, before the refresh that makes
 * it, has no line); those whose
 * curve is damaged are counted in n_bad, those whose curve is still being
 * read (pending) in n_loading. */
static GArray *
collect_lines (LmPrCurveView *self, guint *n_bad, const char **bad_error, LmRun **bad_run, guint *n_loading)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (Line));
  GPtrArray *shown = lm_run_selection_get_shown (self->selection);

  *n_bad = 0;
  *bad_error = NULL;
  if (n_loading != NULL)
    *n_loading = 0;
  for (guint i = 0; i < shown->len; i++)
    {
      LmRun *run = shown->pdata[i];
      RunSlider *rs = g_hash_table_lookup (self->runs, lm_run_get_name (run));
      LmRecordSeries *s;
      Line line = { .run = run };

      if (rs == NULL || rs->step == G_MININT64
          || (s = lm_record_feed_find (self->feed, rs->run_name, self->tag)) == NULL
          || (line.curve = nearest_curve (s, rs->step)) == NULL)
        continue;
      if (line.curve->pending)
        {
          /* its points come within the second, with "changed" */
          if (n_loading != NULL)
            (*n_loading)++;
          continue;
        }
      if (line.curve->error != NULL)
        {
          if ((*n_bad)++ == 0)
            {
              *bad_error = line.curve->error;
              if (bad_run != NULL)
                *bad_run = run;
            }
          continue;
        }
      lm_palette_run_color (run, &line.color);
      g_array_append_val (lines, line);
    }
  return lines;
}

static guint64
mix (guint64 h, guint64 v)
{
  return (h ^ v) * 0x100000001b3ull;
}

/* What a frame draws, short of the widget's size and the pointer: each
 * line's run, colour and curve (a curve's points never change once read;
 * one read again is a new curve),
 * the damaged and still-loading runs.  A refresh that leaves it as it was
 * (new steps of other tags, a pending curve of another step read) does
 * not redraw the card. */
static guint64
frame_signature (GArray *lines, guint n_bad, LmRun *bad_run, guint n_loading)
{
  guint64 h = mix (mix (mix (0xcbf29ce484222325ull, n_bad), (guintptr) bad_run), n_loading);

  for (guint l = 0; l < lines->len; l++)
    {
      const Line *line = &g_array_index (lines, Line, l);

      h = mix (mix (mix (h, (guintptr) line->run), (guint64) line->curve->id), (guintptr) line->curve);
      h = mix (mix (h, (guint64) (line->color.red * 65535)), (guint64) (line->color.green * 65535));
      h = mix (mix (h, (guint64) (line->color.blue * 65535)), (guint64) (line->color.alpha * 65535));
    }
  return h;
}

static void
to_xy (double recall, double precision, double x, double y, double w, double h, double *px, double *py)
{
  *px = x + recall * w;
  *py = y + (1 - precision) * h;
}

/* Each line's point nearest (px, py); FALSE when none is within HOVER_PX. */
static gboolean
hover_points (LmPrCurveView *self, GArray *lines, double px, double py, guint *idx)
{
  double x, y, w, h, best_all = INFINITY;

  plot_box (self, &x, &y, &w, &h);
  for (guint l = 0; l < lines->len; l++)
    {
      const LmPrCurve *c = g_array_index (lines, Line, l).curve;
      double best = INFINITY;

      idx[l] = 0;
      for (guint i = 0; i < c->n_thresholds; i++)
        {
          double qx, qy, d;

          to_xy (c->recall[i], c->precision[i], x, y, w, h, &qx, &qy);
          d = hypot (qx - px, qy - py);
          if (d < best)
            {
              best = d;
              idx[l] = i;
            }
        }
      best_all = MIN (best_all, best);
    }
  return best_all <= HOVER_PX;
}

static char *
describe_point (const Line *line, guint i)
{
  const LmPrCurve *c = line->curve;
  char st[32];

  lm_format_step (c->step, st, sizeof st);
  return g_strdup_printf ("%s: threshold %.3f · precision %.4f · recall %.4f · TP %g · FP %g · TN %g · FN %g"
                          " · step %s",
                          lm_run_get_name (line->run), c->thresholds[i], c->precision[i], c->recall[i], c->tp[i],
                          c->fp[i], c->tn[i], c->fn[i], st);
}

static char *
describe (LmPrCurveView *self, GArray *lines, double px, double py)
{
  g_autofree guint *idx = g_new0 (guint, lines->len + 1);
  GString *text;

  if (lines->len == 0 || !hover_points (self, lines, px, py, idx))
    return NULL;
  text = g_string_new (NULL);
  for (guint l = 0; l < lines->len; l++)
    {
      g_autofree char *row = describe_point (&g_array_index (lines, Line, l), idx[l]);

      g_string_append_printf (text, "%s%s", l ? "\n" : "", row);
    }
  return g_string_free (text, FALSE);
}

static void
draw_tooltip (LmPrCurveView *self, cairo_t *cr, GArray *lines, int width, int height)
{
  g_autofree guint *idx = g_new0 (guint, lines->len + 1);
  const LmThemeColors *tc = lm_theme_colors ();
  double x, y, w, h, bx, by, bw = 0, bh;
  g_auto (GStrv) rows = NULL;
  PangoLayout *layout = NULL;

  if (!hover_points (self, lines, self->mx, self->my, idx))
    return;
  plot_box (self, &x, &y, &w, &h);
  for (guint l = 0; l < lines->len; l++)
    {
      const Line *line = &g_array_index (lines, Line, l);
      double qx, qy;

      to_xy (line->curve->recall[idx[l]], line->curve->precision[idx[l]], x, y, w, h, &qx, &qy);
      cairo_arc (cr, qx, qy, 4, 0, 2 * G_PI);
      gdk_cairo_set_source_rgba (cr, &line->color);
      cairo_fill_preserve (cr);
      gdk_cairo_set_source_rgba (cr, &tc->strong);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);
    }
  /* two rows a run, short labels, so a narrow card shows it whole:
   * "a · step 5 · threshold 0.500" and "P 0.7265 · R 0.8500 · TP 85 ..." */
  rows = g_new0 (char *, 2 * lines->len + 1);
  for (guint l = 0; l < lines->len; l++)
    {
      const Line *line = &g_array_index (lines, Line, l);
      const LmPrCurve *c = line->curve;
      guint i = idx[l];
      char st[32];

      lm_format_step (c->step, st, sizeof st);
      rows[2 * l] = g_strdup_printf ("%s · step %s · threshold %.3f", lm_run_get_name (line->run), st,
                                     c->thresholds[i]);
      rows[2 * l + 1] = g_strdup_printf ("P %.4f · R %.4f · TP %g · FP %g · TN %g · FN %g", c->precision[i],
                                         c->recall[i], c->tp[i], c->fp[i], c->tn[i], c->fn[i]);
    }
  /* the box fits the widest row, shown or not: each row measured once
   * (fifty runs' 100 rows shaped anew took a third of a hover's frame),
   * by one layout (a layout a row made a Pango context a row) */
  if (g_hash_table_size (self->row_widths) > 4096)
    g_hash_table_remove_all (self->row_widths);
  for (guint r = 0; rows[r] != NULL; r++)
    {
      gpointer known;
      int tw, th;

      if (g_hash_table_lookup_extended (self->row_widths, rows[r], NULL, &known))
        tw = GPOINTER_TO_INT (known);
      else
        {
          if (layout == NULL)
            layout = pango_cairo_create_layout (cr);
          pango_layout_set_text (layout, rows[r], -1);
          pango_layout_get_pixel_size (layout, &tw, &th);
          g_hash_table_insert (self->row_widths, g_strdup (rows[r]), GINT_TO_POINTER (tw));
        }
      bw = MAX (bw, tw * 10.0 / 12 + 24);   /* lm_dash_text draws at 10 px; a swatch */
    }
  g_clear_object (&layout);
  bh = 16.0 * g_strv_length (rows) + 6;
  bw = MIN (bw, width - 4);
  bx = self->mx + 12 + bw > width ? MAX (2, self->mx - 12 - bw) : self->mx + 12;
  by = CLAMP (self->my - bh - 8, 2, MAX (2, height - bh - 2));
  gdk_cairo_set_source_rgba (cr, &tc->tooltip_bg);
  cairo_rectangle (cr, bx, by, bw, bh);
  cairo_fill_preserve (cr);
  gdk_cairo_set_source_rgba (cr, &tc->tooltip_border);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  cairo_save (cr);
  cairo_rectangle (cr, bx, by, bw, bh);
  cairo_clip (cr);
  for (guint r = 0; rows[r] != NULL; r++)
    {
      const Line *line = &g_array_index (lines, Line, r / 2);
      double ry = by + 3 + 16 * r + 8;

      /* fifty runs' rows run far below the plot: those past its edge
       * would draw nothing */
      if (ry - 16 > height)
        break;
      if (r % 2 == 0)
        {
          gdk_cairo_set_source_rgba (cr, &line->color);
          cairo_arc (cr, bx + 9, ry, 4, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      gdk_cairo_set_source_rgba (cr, r % 2 ? &tc->muted : &tc->text);
      lm_dash_text (cr, bx + 18, ry, rows[r], LM_ALIGN_START, LM_ALIGN_CENTER, 10);
    }
  cairo_restore (cr);
}

/* Each line through its curve's points, clipped to the plot box. */
static void
stroke_lines (LmPrCurveView *self, cairo_t *cr, GArray *lines)
{
  double x, y, w, h;

  plot_box (self, &x, &y, &w, &h);
  cairo_rectangle (cr, x - 2, y - 2, w + 4, h + 4);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_width (cr, 2);
  for (guint l = 0; l < lines->len; l++)
    {
      const Line *line = &g_array_index (lines, Line, l);
      const LmPrCurve *c = line->curve;

      for (guint i = 0; i < c->n_thresholds; i++)
        {
          double px, py;

          to_xy (c->recall[i], c->precision[i], x, y, w, h, &px, &py);
          if (i == 0)
            cairo_move_to (cr, px, py);
          else
            cairo_line_to (cr, px, py);
        }
      gdk_cairo_set_source_rgba (cr, &line->color);
      cairo_stroke (cr);
    }
}

/* Every line, from the image of the last frame's when it shows the same
 * lines at the same size (the axes and text around them are drawn on cr
 * each frame: they are few, and text drawn through an image would not be
 * hinted as the frame's). */
static void
draw_lines (LmPrCurveView *self, cairo_t *cr, GArray *lines, int width, int height)
{
  int scale = gtk_widget_get_scale_factor (self->plot);
  guint64 sig = frame_signature (lines, 0, NULL, 0);
  double x, y, w, h;

  if (self->lines_img == NULL || self->lines_sig != sig || self->lines_w != width || self->lines_h != height
      || self->lines_scale != scale)
    {
      cairo_t *icr;

      g_clear_pointer (&self->lines_img, cairo_surface_destroy);
      self->lines_img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale, height * scale);
      cairo_surface_set_device_scale (self->lines_img, scale, scale);
      icr = cairo_create (self->lines_img);
      stroke_lines (self, icr, lines);
      cairo_destroy (icr);
      self->lines_sig = sig;
      self->lines_w = width;
      self->lines_h = height;
      self->lines_scale = scale;
      self->n_line_renders++;
    }
  /* the clip also ends the path of the text drawn before, as stroking
   * the lines did (or the read-out's first arc would join it) */
  plot_box (self, &x, &y, &w, &h);
  cairo_save (cr);
  cairo_rectangle (cr, x - 2, y - 2, w + 4, h + 4);
  cairo_clip (cr);
  cairo_set_source_surface (cr, self->lines_img, 0, 0);
  cairo_paint (cr);
  cairo_restore (cr);
}

static void
draw_plot (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  LmPrCurveView *self = data;
  guint n_bad, n_loading;
  const char *bad_error;
  LmRun *bad_run = NULL;
  g_autoptr (GArray) lines = collect_lines (self, &n_bad, &bad_error, &bad_run, &n_loading);
  double x, y, w, h;

  self->n_drawn = lines->len;
  self->drawn_sig = frame_signature (lines, n_bad, bad_run, n_loading);
  self->drawn = TRUE;
  /* which run: with fifty runs on a card, "1 run not drawn" alone left
   * the user to guess */
  g_clear_pointer (&self->note, g_free);
  if (n_bad > 0)
    self->note = g_strdup_printf ("%u run%s not drawn: %s: %s%s", n_bad, n_bad == 1 ? "" : "s",
                                  lm_run_get_name (bad_run), bad_error, n_bad > 1 ? ", …" : "");
  if (lines->len == 0)
    {
      if (n_bad > 0)
        lm_dash_placeholder (cr, width, height, "Cannot draw this PR curve", strstr (self->note, ": ") + 2);
      else if (n_loading > 0)
        lm_dash_placeholder (cr, width, height, "Loading…", NULL);
      else
        lm_dash_placeholder (cr, width, height, "No PR curve for the shown runs", NULL);
      return;
    }
  plot_box (self, &x, &y, &w, &h);
  lm_dash_x_axis (cr, x, y, w, h, LM_AXIS_VALUE, 0, 1);
  lm_dash_y_axis (cr, x, y, w, h, LM_AXIS_VALUE, 0, 1);
  lm_theme_set_ink (cr, 0.3);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, x + 0.5, y + 0.5, w - 1, h - 1);
  cairo_stroke (cr);
  lm_theme_set_ink (cr, 0.6);
  lm_dash_text (cr, x + w / 2, y + h + 17, "Recall", LM_ALIGN_CENTER, LM_ALIGN_START, 10);
  cairo_save (cr);
  cairo_translate (cr, 10, y + h / 2);
  cairo_rotate (cr, -G_PI / 2);
  lm_dash_text (cr, 0, 0, "Precision", LM_ALIGN_CENTER, LM_ALIGN_CENTER, 10);
  cairo_restore (cr);

  draw_lines (self, cr, lines, width, height);
  if (n_bad > 0)
    {
      gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->error);
      lm_dash_text (cr, x + 4, y + 2, self->note, LM_ALIGN_START, LM_ALIGN_START, 10);
    }
  if (self->hover)
    draw_tooltip (self, cr, lines, width, height);
}

/* ---------------------------------------------------------------- steps */

static guint
step_index (GArray *steps, gint64 step)
{
  guint best = 0;

  for (guint i = 0; i < steps->len; i++)
    if (llabs (g_array_index (steps, gint64, i) - step) < llabs (g_array_index (steps, gint64, best) - step))
      best = i;
  return best;
}

/* The row's labels for the curve at its step: "step 10 · 09:14:03", the
 * time of day only (the full date squeezed the run's name to a few
 * letters on a 340 px card), the date and the time since the run started
 * in the tooltip (TensorBoard's relative time); the slider's value is an
 * index into the steps, so a screen reader is told the step instead. */
static void
show_step (RunSlider *rs)
{
  LmRecordSeries *s = lm_record_feed_find (rs->view->feed, rs->run_name, rs->view->tag);
  const LmPrCurve *c = s != NULL && rs->step != G_MININT64 ? nearest_curve (s, rs->step) : NULL;
  char st[32], wall[64], rel[48];
  const char *clock;
  g_autofree char *text = NULL, *value = NULL, *tip = NULL;

  if (c == NULL || c->id == rs->labelled_id)
    return;
  rs->labelled_id = c->id;
  lm_format_step (c->step, st, sizeof st);
  lm_format_wall (c->wall_time, wall, sizeof wall);
  /* "2026-11-22 09:14:03": the part after the date */
  clock = strchr (wall, ' ');
  text = g_strdup_printf ("step %s · %s", st, clock != NULL ? clock + 1 : wall);
  value = g_strdup_printf ("step %s", st);
  gtk_label_set_text (GTK_LABEL (rs->time), text);
  if (rs->start_time > 0 && c->wall_time >= rs->start_time)
    {
      lm_format_duration (c->wall_time - rs->start_time, rel, sizeof rel);
      tip = g_strdup_printf ("%s: step %s, logged %s after the run started (%s)", rs->run_name, st, rel, wall);
    }
  else
    tip = g_strdup_printf ("%s: step %s, logged %s", rs->run_name, st, wall);
  lm_set_tooltip (rs->time, tip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (rs->scale), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, value, -1);
}

static void
sync_slider (RunSlider *rs)
{
  guint n = rs->steps->len;

  rs->syncing = TRUE;
  gtk_range_set_range (GTK_RANGE (rs->scale), 0, MAX (1, (double) n - 1));
  gtk_range_set_value (GTK_RANGE (rs->scale), n ? step_index (rs->steps, rs->step) : 0);
  /* one step: nothing to choose, the label says which */
  gtk_widget_set_visible (rs->scale, n > 1);
  rs->syncing = FALSE;
  show_step (rs);
}

static void
on_scale_changed (GtkRange *range, RunSlider *rs)
{
  guint n = rs->steps->len, i;

  if (rs->syncing || n == 0)
    return;
  i = (guint) CLAMP (lround (gtk_range_get_value (range)), 0, (long) n - 1);
  rs->step = g_array_index (rs->steps, gint64, i);
  rs->follow_latest = i == n - 1;
  show_step (rs);
  gtk_widget_queue_draw (rs->view->plot);
}

static void
set_dot_color (RunSlider *rs, const GdkRGBA *color)
{
  g_autofree char *markup = NULL;

  if (gdk_rgba_equal (color, &rs->color))
    return;
  rs->color = *color;
  markup = g_markup_printf_escaped ("<span foreground='#%02x%02x%02x'>●</span>", (int) (color->red * 255),
                                    (int) (color->green * 255), (int) (color->blue * 255));
  gtk_label_set_markup (GTK_LABEL (rs->dot), markup);
}

static void
run_slider_free (RunSlider *rs)
{
  g_free (rs->run_name);
  g_array_unref (rs->steps);
  g_free (rs);
}

/* A run's row, made at its newest step and following it. */
static RunSlider *
run_slider_new (LmPrCurveView *self, const char *run_name)
{
  RunSlider *rs = g_new0 (RunSlider, 1);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  g_autofree char *name = g_strdup_printf ("Step of %s in %s", run_name, self->tag);

  rs->view = self;
  rs->run_name = g_strdup (run_name);
  rs->steps = g_array_new (FALSE, FALSE, sizeof (gint64));
  rs->step = G_MININT64;
  rs->follow_latest = TRUE;
  rs->labelled_id = -1;
  rs->color.alpha = -1;   /* no colour yet */

  rs->dot = gtk_label_new (NULL);
  /* the name takes what the step and time leave, cut at its start (its
   * end tells runs apart), and never widens the card */
  rs->name = gtk_label_new (run_name);
  gtk_label_set_xalign (GTK_LABEL (rs->name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (rs->name), PANGO_ELLIPSIZE_START);
  gtk_label_set_max_width_chars (GTK_LABEL (rs->name), 1);
  gtk_widget_set_hexpand (rs->name, TRUE);
  lm_set_tooltip (rs->name, run_name);
  rs->time = gtk_label_new ("step –");
  gtk_label_set_xalign (GTK_LABEL (rs->time), 1);
  gtk_widget_add_css_class (rs->time, "lm-subtitle");
  gtk_box_append (GTK_BOX (top), rs->dot);
  gtk_box_append (GTK_BOX (top), rs->name);
  gtk_box_append (GTK_BOX (top), rs->time);

  rs->scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 1);
  gtk_scale_set_draw_value (GTK_SCALE (rs->scale), FALSE);
  gtk_range_set_round_digits (GTK_RANGE (rs->scale), 0);
  gtk_widget_set_hexpand (rs->scale, TRUE);
  gtk_widget_set_tooltip_text (rs->scale, "The step of this run's curve");
  gtk_accessible_update_property (GTK_ACCESSIBLE (rs->scale), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_signal_connect (rs->scale, "value-changed", G_CALLBACK (on_scale_changed), rs);

  rs->row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (rs->row), top);
  gtk_box_append (GTK_BOX (rs->row), rs->scale);
  return rs;
}

/* The run's steps re-read from its series; its step kept (or the newest,
 * when it follows it). */
static void
run_slider_update (RunSlider *rs, LmRun *run, LmRecordSeries *s)
{
  GdkRGBA color;

  g_array_set_size (rs->steps, 0);
  for (guint k = 0; k < s->items->len; k++)
    {
      gint64 step = ((LmPrCurve *) s->items->pdata[k])->step;

      /* items are in step order */
      if (rs->steps->len == 0 || g_array_index (rs->steps, gint64, rs->steps->len - 1) != step)
        g_array_append_val (rs->steps, step);
    }
  if (rs->steps->len == 0)
    rs->step = G_MININT64;
  else if (rs->follow_latest || rs->step == G_MININT64)
    rs->step = g_array_index (rs->steps, gint64, rs->steps->len - 1);
  else
    rs->step = g_array_index (rs->steps, gint64, step_index (rs->steps, rs->step));
  rs->start_time = lm_run_get_start_time (run);
  lm_palette_run_color (run, &color);
  set_dot_color (rs, &color);
  sync_slider (rs);
}

static int
compare_steps (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

void
lm_pr_curve_view_refresh (LmPrCurveView *self)
{
  GPtrArray *shown;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  GHashTableIter it;
  RunSlider *rs;
  GtkWidget *prev = NULL;

  g_return_if_fail (LM_IS_PR_CURVE_VIEW (self));
  shown = lm_run_selection_get_shown (self->selection);
  g_array_set_size (self->steps, 0);
  g_hash_table_iter_init (&it, self->runs);
  while (g_hash_table_iter_next (&it, NULL, (gpointer *) &rs))
    rs->listed = FALSE;
  self->n_rows = 0;
  for (guint i = 0; i < shown->len; i++)
    {
      LmRun *run = shown->pdata[i];
      LmRecordSeries *s = lm_record_feed_find (self->feed, lm_run_get_name (run), self->tag);

      if (s == NULL || s->items->len == 0)
        continue;
      if ((rs = g_hash_table_lookup (self->runs, lm_run_get_name (run))) == NULL)
        {
          /* a run new to the card (read live, or shown for the first
           * time): its own slider, the others stay where they are */
          rs = run_slider_new (self, lm_run_get_name (run));
          g_hash_table_insert (self->runs, rs->run_name, rs);
          gtk_box_append (GTK_BOX (self->sliders), rs->row);
        }
      run_slider_update (rs, run, s);
      rs->listed = TRUE;
      gtk_widget_set_visible (rs->row, self->show_all || self->n_rows < PR_SLIDERS_SHOWN);
      self->n_rows++;
      /* in the run list's order */
      gtk_box_reorder_child_after (GTK_BOX (self->sliders), rs->row, prev);
      prev = rs->row;
      for (guint k = 0; k < rs->steps->len; k++)
        {
          gint64 step = g_array_index (rs->steps, gint64, k);

          if (!g_hash_table_contains (seen, &step))
            {
              g_hash_table_add (seen, g_memdup2 (&step, sizeof step));
              g_array_append_val (self->steps, step);
            }
        }
    }
  g_hash_table_iter_init (&it, self->runs);
  while (g_hash_table_iter_next (&it, NULL, (gpointer *) &rs))
    if (!rs->listed)
      gtk_widget_set_visible (rs->row, FALSE);
  if (self->n_rows > PR_SLIDERS_SHOWN)
    {
      g_autofree char *all = g_strdup_printf ("Show all %u runs", self->n_rows);

      gtk_button_set_label (GTK_BUTTON (self->more),
                            self->show_all ? "Show the first " G_STRINGIFY (PR_SLIDERS_SHOWN) " runs" : all);
    }
  gtk_widget_set_visible (self->more, self->n_rows > PR_SLIDERS_SHOWN);
  g_array_sort (self->steps, compare_steps);
  {
    guint n_bad, n_loading;
    const char *bad_error;
    LmRun *bad_run = NULL;
    g_autoptr (GArray) lines = collect_lines (self, &n_bad, &bad_error, &bad_run, &n_loading);

    if (!self->drawn || frame_signature (lines, n_bad, bad_run, n_loading) != self->drawn_sig)
      gtk_widget_queue_draw (self->plot);
  }
}

/* ---------------------------------------------------------------- input */

static void
on_more_clicked (GtkButton *button, LmPrCurveView *self)
{
  self->show_all = !self->show_all;
  lm_pr_curve_view_refresh (self);
}

/* Off screen (another view shown), the lines' image is let go: a card
 * holds 300 KB of it (four times that at scale 2), and a sweep may log
 * many tags. */
static void
on_plot_unmap (GtkWidget *plot, LmPrCurveView *self)
{
  g_clear_pointer (&self->lines_img, cairo_surface_destroy);
}

static void
on_motion (GtkEventControllerMotion *c, double x, double y, LmPrCurveView *self)
{
  self->mx = x;
  self->my = y;
  self->hover = TRUE;
  gtk_widget_queue_draw (self->plot);
}

static void
on_leave (GtkEventControllerMotion *c, LmPrCurveView *self)
{
  self->hover = FALSE;
  gtk_widget_queue_draw (self->plot);
}

/* --------------------------------------------------------------- object */

static void
lm_pr_curve_view_dispose (GObject *object)
{
  LmPrCurveView *self = LM_PR_CURVE_VIEW (object);

  g_clear_object (&self->feed);
  g_clear_object (&self->selection);
  G_OBJECT_CLASS (lm_pr_curve_view_parent_class)->dispose (object);
}

static void
lm_pr_curve_view_finalize (GObject *object)
{
  LmPrCurveView *self = LM_PR_CURVE_VIEW (object);

  g_free (self->tag);
  g_free (self->note);
  g_clear_pointer (&self->lines_img, cairo_surface_destroy);
  g_array_unref (self->steps);
  g_hash_table_unref (self->runs);
  g_hash_table_unref (self->row_widths);
  G_OBJECT_CLASS (lm_pr_curve_view_parent_class)->finalize (object);
}

static void
lm_pr_curve_view_class_init (LmPrCurveViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_pr_curve_view_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_pr_curve_view_finalize;
}

static void
lm_pr_curve_view_init (LmPrCurveView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->steps = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->runs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) run_slider_free);
  self->row_widths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  self->plot = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (self->plot), 300);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->plot), 240);
  gtk_widget_set_vexpand (self->plot, TRUE);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->plot), draw_plot, self, NULL);
  g_signal_connect (self->plot, "unmap", G_CALLBACK (on_plot_unmap), self);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (self->plot, motion);

  /* a row per shown run, as TensorBoard's run sliders under the chart */
  self->sliders = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_margin_start (self->sliders, 8);
  gtk_widget_set_margin_end (self->sliders, 4);
  self->more = gtk_button_new ();
  gtk_widget_add_css_class (self->more, "flat");
  gtk_widget_set_halign (self->more, GTK_ALIGN_START);
  gtk_widget_set_margin_start (self->more, 4);
  gtk_widget_set_tooltip_text (self->more, "Every line is drawn; this shows or folds the step sliders of the "
                                           "runs after the first " G_STRINGIFY (PR_SLIDERS_SHOWN));
  gtk_widget_set_visible (self->more, FALSE);
  g_signal_connect (self->more, "clicked", G_CALLBACK (on_more_clicked), self);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_append (GTK_BOX (self), self->plot);
  gtk_box_append (GTK_BOX (self), self->sliders);
  gtk_box_append (GTK_BOX (self), self->more);
}

GtkWidget *
lm_pr_curve_view_new (LmRecordFeed *feed, LmRunSelection *selection, const char *tag)
{
  LmPrCurveView *self = g_object_new (LM_TYPE_PR_CURVE_VIEW, NULL);

  self->feed = g_object_ref (feed);
  self->selection = g_object_ref (selection);
  self->tag = g_strdup (tag);
  lm_pr_curve_view_refresh (self);
  return GTK_WIDGET (self);
}

const gint64 *
lm_pr_curve_view_get_steps (LmPrCurveView *self, guint *n)
{
  g_return_val_if_fail (LM_IS_PR_CURVE_VIEW (self), NULL);
  *n = self->steps->len;
  return (const gint64 *) (gpointer) self->steps->data;
}

/* The run's row when it is shown, else NULL. */
static RunSlider *
listed_run (LmPrCurveView *self, const char *run_name)
{
  RunSlider *rs = g_hash_table_lookup (self->runs, run_name);

  return rs != NULL && rs->listed ? rs : NULL;
}

/* As the user moving the slider would. */
static void
move_slider (RunSlider *rs, gint64 step)
{
  if (rs->steps->len == 0)
    return;
  gtk_range_set_value (GTK_RANGE (rs->scale), step_index (rs->steps, step));
  on_scale_changed (GTK_RANGE (rs->scale), rs);
}

void
lm_pr_curve_view_set_step (LmPrCurveView *self, gint64 step)
{
  GHashTableIter it;
  RunSlider *rs;

  g_return_if_fail (LM_IS_PR_CURVE_VIEW (self));
  g_hash_table_iter_init (&it, self->runs);
  while (g_hash_table_iter_next (&it, NULL, (gpointer *) &rs))
    if (rs->listed)
      move_slider (rs, step);
}

gboolean
lm_pr_curve_view_set_run_step (LmPrCurveView *self, const char *run_name, gint64 step)
{
  RunSlider *rs;

  g_return_val_if_fail (LM_IS_PR_CURVE_VIEW (self), FALSE);
  if ((rs = listed_run (self, run_name)) == NULL)
    return FALSE;
  move_slider (rs, step);
  return TRUE;
}

const gint64 *
lm_pr_curve_view_get_run_steps (LmPrCurveView *self, const char *run_name, guint *n)
{
  RunSlider *rs;

  g_return_val_if_fail (LM_IS_PR_CURVE_VIEW (self), NULL);
  rs = listed_run (self, run_name);
  *n = rs != NULL ? rs->steps->len : 0;
  return rs != NULL ? (const gint64 *) (gpointer) rs->steps->data : NULL;
}

gint64
lm_pr_curve_view_get_run_selected (LmPrCurveView *self, const char *run_name)
{
  RunSlider *rs;

  g_return_val_if_fail (LM_IS_PR_CURVE_VIEW (self), G_MININT64);
  rs = listed_run (self, run_name);
  return rs != NULL ? rs->step : G_MININT64;
}

GtkWidget *
lm_pr_curve_view_get_run_slider (LmPrCurveView *self, const char *run_name)
{
  RunSlider *rs;

  g_return_val_if_fail (LM_IS_PR_CURVE_VIEW (self), NULL);
  rs = listed_run (self, run_name);
  return rs != NULL && gtk_widget_get_visible (rs->scale) ? rs->scale : NULL;
}

const char *
lm_pr_curve_view_get_run_label (LmPrCurveView *self, const char *run_name)
{
  RunSlider *rs;

  g_return_val_if_fail (LM_IS_PR_CURVE_VIEW (self), NULL);
  rs = listed_run (self, run_name);
  return rs != NULL ? gtk_label_get_text (GTK_LABEL (rs->time)) : NULL;
}

guint
lm_pr_curve_view_get_n_rows (LmPrCurveView *self)
{
  g_return_val_if_fail (LM_IS_PR_CURVE_VIEW (self), 0);
  return self->n_rows;
}

GtkWidget *
lm_pr_curve_view_get_more_button (LmPrCurveView *self)
{
  g_return_val_if_fail (LM_IS_PR_CURVE_VIEW (self), NULL);
  return self->more;
}

GtkWidget *
lm_pr_curve_view_get_plot (LmPrCurveView *self)
{
  return self->plot;
}

gboolean
lm_pr_curve_view_get_plot_area (LmPrCurveView *self, graphene_rect_t *area)
{
  double x, y, w, h;
  guint n_bad;
  const char *bad_error;
  g_autoptr (GArray) lines = collect_lines (self, &n_bad, &bad_error, NULL, NULL);

  plot_box (self, &x, &y, &w, &h);
  graphene_rect_init (area, x, y, w, h);
  return lines->len > 0;
}

guint
lm_pr_curve_view_get_n_drawn (LmPrCurveView *self)
{
  return self->n_drawn;
}

const char *
lm_pr_curve_view_get_note (LmPrCurveView *self)
{
  g_return_val_if_fail (LM_IS_PR_CURVE_VIEW (self), NULL);
  return self->note;
}

gint64
lm_pr_curve_view_get_run_step (LmPrCurveView *self, const char *run_name)
{
  guint n_bad;
  const char *bad_error;
  g_autoptr (GArray) lines = collect_lines (self, &n_bad, &bad_error, NULL, NULL);

  for (guint l = 0; l < lines->len; l++)
    if (g_strcmp0 (lm_run_get_name (g_array_index (lines, Line, l).run), run_name) == 0)
      return g_array_index (lines, Line, l).curve->step;
  return G_MININT64;
}

char *
lm_pr_curve_view_describe_at (LmPrCurveView *self, double x, double y)
{
  guint n_bad;
  const char *bad_error;
  g_autoptr (GArray) lines = collect_lines (self, &n_bad, &bad_error, NULL, NULL);

  g_return_val_if_fail (LM_IS_PR_CURVE_VIEW (self), NULL);
  return describe (self, lines, x, y);
}

void
lm_pr_curve_view_set_hover (LmPrCurveView *self, double x, double y)
{
  g_return_if_fail (LM_IS_PR_CURVE_VIEW (self));
  on_motion (NULL, x, y, self);
}

void
lm_pr_curve_view_clear_hover (LmPrCurveView *self)
{
  g_return_if_fail (LM_IS_PR_CURVE_VIEW (self));
  on_leave (NULL, self);
}

guint
lm_pr_curve_view_get_n_line_renders (LmPrCurveView *self)
{
  g_return_val_if_fail (LM_IS_PR_CURVE_VIEW (self), 0);
  return self->n_line_renders;
}
