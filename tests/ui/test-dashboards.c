/* test-dashboards.c: the histogram, distribution, image, text and hparams
 * dashboards in the Lumen window, under a display (Xvfb).
 *
 * What it checks: each view loads the fixture runs (lm-test-records.h) and
 * shows a card per run and tag; the histogram card draws every step and
 * its hover names the step, bucket range and count, and a step range
 * narrows it; the distribution hover gives the median computed by hand;
 * the image slider reaches every step; Markdown renders with heading tags
 * and falls back to plain text; PR curves draw a line per run in its
 * colour at the slider's step (each run's nearest), hover names a point's
 * threshold, precision, recall and counts, and the page says how to log
 * one when there are none; the hparams table sorts by a column,
 * filters, and selecting a row highlights the run for the scalar charts;
 * NaN and infinite values read "NaN", "+Inf", "-Inf" (not "–", which is
 * a missing value), sort before missing values in either direction, and
 * sit in labelled slots off their parallel-coordinates axis; integers are
 * written in full, bool axes false/true, and no axis title or label runs
 * into another or off the widget; the scatter plot matrix has a plot per
 * hparam and metric with each run's point where its values put it (and
 * none for NaN or missing), hover and click pick the run under the
 * pointer, and the left pane's value checkboxes, min/max intervals and
 * column checkboxes take runs and columns out of every view;
 * bad rows (zero buckets, NaN edge, corrupt PNG, invalid UTF-8) show
 * placeholders while the rest works.  Unevenly spaced steps: each offset
 * curve sits at its step (or relative / wall time, following the sidebar
 * live), where the tick labels' scale puts it, and hover agrees; the
 * distribution x axis follows the setting too; a constant's bands are
 * all the constant; NaN/Inf counts in the card badge and the hover, the
 * x range from the finite values.  As TensorBoard draws them: 120 steps
 * draw 50 offset curves, the newest filled in the run's colour;
 * distribution bands at TensorBoard's opacities; "View larger" opens a
 * card's chart, live, in a window of its own.  Pixels: a histogram's peak
 * is drawn over its bucket, a logged image's colour is on screen, and `lumen
 * --view V --screenshot` works for every view.  A 1200 px window shows
 * histogram, distribution and image cards in two columns or more.  The
 * Distributions page, hidden behind Histograms, builds its cards only once
 * shown; histogram and distribution cards far below the view are drawn
 * only once a scroll or the tag filter brings them near it; a card's
 * tooltips (scalar and image cards' too) cost no X request.  Skips
 * without a display.
 */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <sqlite3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lumen-log.h>

#include "lm-window.h"
#include "ui-test-util.h"
#include "lm-axis.h"
#include "lm-dash-util.h"
#include "lm-distribution-view.h"
#include "lm-histogram-view.h"
#include "lm-hparams-private.h"
#include "lm-image-card.h"
#include "lm-markdown.h"
#include "lm-palette.h"
#include "lm-pins.h"
#include "lm-pr-curve-view.h"
#include "lm-scalar-card.h"
#include "lm-text-card.h"
#include "lm-theme.h"
#include "lm-test-records.h"
#include "lm-test-run.h"

#include <lumen-log.h>

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

static gboolean have_display;
static const char *lumen_bin;
static char *logdir;


static gboolean
settled (gpointer data)
{
  return lm_window_is_settled (data);
}


/* The histogram view drew exactly three steps. */
static gboolean
drew_three (gpointer data)
{
  return lm_histogram_view_get_n_drawn (data) == 3;
}

static LmWindow *
open_window_sized (const char *dir, const char *view, int width, int height)
{
  LmWindow *win = lm_window_new (NULL, dir);

  gtk_window_set_default_size (GTK_WINDOW (win), width, height);
  g_assert_true (lm_dashboards_set_view (lm_window_get_dashboards (win), view));
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  lm_test_spin (100);   /* a frame or two */
  return win;
}

static LmWindow *
open_window_at (const char *dir, const char *view)
{
  return open_window_sized (dir, view, 1280, 900);
}

static LmWindow *
open_window (const char *view)
{
  return open_window_at (logdir, view);
}

static GtkWidget *
card (LmWindow *win, const char *view, const char *run, const char *tag)
{
  GtkWidget *page = lm_dashboards_get_page (lm_window_get_dashboards (win), view);
  GtkWidget *body = lm_record_dashboard_find_card (LM_RECORD_DASHBOARD (page), run, tag);

  g_assert_nonnull (body);
  return body;
}

/* ------------------------------------------------------------ pixels */

typedef LmUiImage Image;   /* B, G, R, A */

static void
load_image (const char *path, Image *img)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (lm_ui_image_load (path, img, &error));
  g_assert_no_error (error);
}

static gboolean
is_rgb (const Image *img, int x, int y, int r, int g, int b, int tol)
{
  const guchar *p;

  if (x < 0 || y < 0 || x >= img->width || y >= img->height)
    return FALSE;
  p = img->pixels + y * img->stride + x * 4;
  return abs (p[2] - r) <= tol && abs (p[1] - g) <= tol && abs (p[0] - b) <= tol;
}

static guint
count_rgb (const Image *img, const guint8 rgb[3], int tol)
{
  guint n = 0;

  for (int y = 0; y < img->height; y++)
    for (int x = 0; x < img->width; x++)
      n += is_rgb (img, x, y, rgb[0], rgb[1], rgb[2], tol);
  return n;
}

static void
shoot (LmWindow *win, const char *path, Image *img)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (lm_ui_save_screenshot (win, path, &error));
  load_image (path, img);
}

/* --------------------------------------------------------------- tests */

static void
test_histograms (void)
{
  LmWindow *win;
  LmHistogramView *view;
  graphene_rect_t area;
  g_autofree char *text = NULL, *shot = g_build_filename (logdir, "hist.png", NULL);
  graphene_point_t origin;
  double x6, x7;
  int peak_x = -1, peak_y = G_MAXINT;
  GdkRGBA color;
  Image img;
  gint64 lo, hi;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  win = open_window ("histograms");
  view = LM_HISTOGRAM_VIEW (card (win, "histograms", "a", LM_TR_HIST_TAG));
  g_assert_true (lm_histogram_view_get_plot_area (view, &area));
  g_assert_cmpuint (lm_histogram_view_get_n_drawn (view), ==, LM_TR_HIST_STEPS);

  /* Hover over the peak of the newest (front, bottom) curve. */
  x6 = lm_histogram_view_value_to_x (view, 6);
  x7 = lm_histogram_view_value_to_x (view, 7);
  text = lm_histogram_view_describe_at (view, (x6 + x7) / 2, area.origin.y + area.size.height - 3);
  g_assert_nonnull (text);
  g_test_message ("hover: %s", text);
  g_assert_true (g_str_has_prefix (text, "step 9 · [6.3333, 6.6667) · count "));
  /* bucket [6,7) holds 109 at step 9; a third of it per display bin */
  g_assert_nonnull (strstr (text, "count 36.333"));

  /* Bad rows: a placeholder, no curves; the rest of the page works. */
  g_assert_false (lm_histogram_view_get_plot_area (LM_HISTOGRAM_VIEW (card (win, "histograms", "a", "bad/empty")), &area));
  g_assert_false (lm_histogram_view_get_plot_area (LM_HISTOGRAM_VIEW (card (win, "histograms", "a", "bad/nan")), &area));

  /* Pixels: the topmost pixel in the run's full colour (the newest curve,
   * drawn in front) lies over bucket [6, 7). */
  shoot (win, shot, &img);
  lm_histogram_view_get_plot_area (view, &area);
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (view), GTK_WIDGET (win),
                                           &GRAPHENE_POINT_INIT (0, 0), &origin));
  {
    LmRun *run = lm_run_store_find (lm_window_get_store (win), "a");

    lm_palette_color (lm_run_get_ordinal (run), &color);
  }
  for (int y = (int) (origin.y + area.origin.y); y < origin.y + area.origin.y + area.size.height; y++)
    for (int x = (int) (origin.x + area.origin.x); x < origin.x + area.origin.x + area.size.width; x++)
      if (y < peak_y && is_rgb (&img, x, y, (int) (color.red * 255 + .5), (int) (color.green * 255 + .5),
                                (int) (color.blue * 255 + .5), 6))
        {
          peak_x = x;
          peak_y = y;
        }
  g_test_message ("peak pixel at %d,%d; bucket [6,7) spans x %.1f..%.1f", peak_x, peak_y,
                  origin.x + x6, origin.x + x7);
  g_assert_cmpint (peak_x, >=, (int) floor (origin.x + x6));
  g_assert_cmpint (peak_x, <=, (int) ceil (origin.x + x7));
  g_free (img.pixels);

  /* A step range keeps only those steps; overlay mode draws them too. */
  lm_histogram_view_set_step_range (view, 3, 5);
  lm_test_spin (50);
  g_assert_true (lm_histogram_view_get_step_range (view, &lo, &hi));
  lm_record_dashboard_set_histogram_mode (LM_RECORD_DASHBOARD (lm_dashboards_get_page (lm_window_get_dashboards (win), "histograms")),
                                          LM_HISTOGRAM_OVERLAY);
  gtk_widget_queue_draw (GTK_WIDGET (view));
  /* the redraw may come late on a loaded machine */
  g_assert_true (lm_test_wait_for (drew_three, view, 5000));
  g_assert_cmpuint (lm_histogram_view_get_n_drawn (view), ==, 3);

  /* The shared tag filter hides cards. */
  g_assert_true (lm_card_grid_set_filter (lm_window_get_card_grid (win), "^weights", NULL));
  lm_test_spin (500);   /* search entries wait 150 ms after the last change */
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (LM_RECORD_DASHBOARD (lm_dashboards_get_page (lm_window_get_dashboards (win), "histograms"))), ==, 2);
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_distributions (void)
{
  LmWindow *win;
  LmDistributionView *view;
  g_autofree char *text = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  win = open_window ("distributions");
  view = LM_DISTRIBUTION_VIEW (card (win, "distributions", "b", LM_TR_HIST_TAG));
  g_assert_cmpuint (lm_distribution_view_get_n_steps (view), ==, LM_TR_HIST_STEPS);
  text = lm_distribution_view_describe_at (view, gtk_widget_get_width (GTK_WIDGET (view)) - 1);
  g_test_message ("hover: %s", text);
  /* Step 9: 45 values at 5 per bucket, 109 in [6,7): the median is
   * 6 + (5000 - 10000*30/154) / (10000*109/154) = 6.4312 (by hand). */
  g_assert_true (g_str_has_prefix (text, "step 9 · min 0 · "));
  g_assert_nonnull (strstr (text, "median 6.4312"));
  g_assert_nonnull (strstr (text, "max 10"));
  g_assert_cmpuint (lm_distribution_view_get_n_steps (LM_DISTRIBUTION_VIEW (card (win, "distributions", "a", "bad/nan"))), ==, 0);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* Widgets of `type` in the tree under `w`, counted without asking the
 * dashboard (whose accessors bring its cards up to date). */
static guint
count_widgets (GtkWidget *w, GType type)
{
  guint n = G_TYPE_CHECK_INSTANCE_TYPE (w, type);

  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    n += count_widgets (c, type);
  return n;
}

/* Histograms and Distributions share one feed: the page off screen builds
 * no cards (500 of them doubled the Histograms view's first frame) and
 * catches up, run list changes included, when it is shown. */
static void
test_offscreen_page_deferred (void)
{
  LmWindow *win;
  GtkWidget *hist, *dist;
  guint n;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  win = open_window ("histograms");
  hist = lm_dashboards_get_page (lm_window_get_dashboards (win), "histograms");
  dist = lm_dashboards_get_page (lm_window_get_dashboards (win), "distributions");
  n = count_widgets (hist, LM_TYPE_HISTOGRAM_VIEW);
  g_assert_cmpuint (n, >, 2);
  g_assert_cmpuint (n, ==, lm_record_dashboard_get_n_cards (LM_RECORD_DASHBOARD (hist)));
  g_assert_cmpuint (count_widgets (dist, LM_TYPE_DISTRIBUTION_VIEW), ==, 0);

  /* a run hidden meanwhile: the shown page follows now, the other later */
  lm_run_set_visible (lm_run_store_find (lm_window_get_store (win), "b"), FALSE);
  g_assert_null (lm_record_dashboard_find_card (LM_RECORD_DASHBOARD (hist), "b", LM_TR_HIST_TAG));
  n = count_widgets (hist, LM_TYPE_HISTOGRAM_VIEW);
  g_assert_cmpuint (count_widgets (dist, LM_TYPE_DISTRIBUTION_VIEW), ==, 0);

  lm_dashboards_set_view (lm_window_get_dashboards (win), "distributions");
  lm_test_spin (100);
  g_assert_cmpuint (count_widgets (dist, LM_TYPE_DISTRIBUTION_VIEW), ==, n);
  g_assert_null (lm_record_dashboard_find_card (LM_RECORD_DASHBOARD (dist), "b", LM_TR_HIST_TAG));
  g_assert_cmpuint (lm_distribution_view_get_n_steps (LM_DISTRIBUTION_VIEW (card (win, "distributions", "a", LM_TR_HIST_TAG))),
                    ==, LM_TR_HIST_STEPS);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* Pixels of `view`'s run colour inside its bounds in `img`. */
static guint
count_card_color (LmWindow *win, GtkWidget *view, const Image *img, const GdkRGBA *color)
{
  graphene_rect_t b;
  guint n = 0;

  g_assert_true (gtk_widget_compute_bounds (view, GTK_WIDGET (win), &b));
  for (int y = MAX (0, (int) b.origin.y); y < MIN (img->height, b.origin.y + b.size.height); y++)
    for (int x = MAX (0, (int) b.origin.x); x < MIN (img->width, b.origin.x + b.size.width); x++)
      n += is_rgb (img, x, y, (int) (color->red * 255 + .5), (int) (color->green * 255 + .5),
                   (int) (color->blue * 255 + .5), 6);
  return n;
}

/* Steps a histogram or distribution card drew in its last frame. */
static guint
n_drawn (GtkWidget *view)
{
  return LM_IS_HISTOGRAM_VIEW (view) ? lm_histogram_view_get_n_drawn (LM_HISTOGRAM_VIEW (view))
                                     : lm_distribution_view_get_n_drawn (LM_DISTRIBUTION_VIEW (view));
}

/* Forty histogram or distribution cards (ten rows; the view is the test's
 * data): those far below the view are not drawn until they come near it,
 * and then they are, in the frame that brings them there, whether a scroll
 * or the tag filter moved them.  A histogram card is drawn in its run's
 * colour, a distribution's 31%-69% band in its tint. */
static void
test_offscreen_cards_skipped (gconstpointer data)
{
  const char *view = data;
  gboolean hist = strcmp (view, "histograms") == 0;
  g_autofree char *dir = NULL, *shot = NULL;
  LmWindow *win;
  GtkWidget *page, *first, *last, *t30, *sw;
  GtkAdjustment *adj;
  GdkRGBA color;
  float v[100];
  lm_writer *w;
  Image img;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = lm_test_tmpdir_new ("lumen-many-XXXXXX");
  shot = g_build_filename (dir, "shot.png", NULL);
  g_assert_cmpint (lm_writer_open (&w, dir, "r"), ==, LM_OK);
  for (int i = 0; i < 100; i++)
    v[i] = (float) (i % 10 + i / 10);
  for (int t = 0; t < 40; t++)
    for (int st = 0; st < 2; st++)
      {
        g_autofree char *tag = g_strdup_printf ("t%02d", t);

        g_assert_cmpint (lm_writer_add_histogram_uniform (w, tag, st, v, 100, 30), ==, LM_OK);
      }
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);

  win = open_window_at (dir, view);
  page = lm_dashboards_get_page (lm_window_get_dashboards (win), view);
  first = card (win, view, "r", "t00");
  last = card (win, view, "r", "t39");
  t30 = card (win, view, "r", "t30");
  lm_palette_run_color (lm_run_store_find (lm_window_get_store (win), "r"), &color);
  if (!hist)
    lm_dash_tint (&color, 0.8 - 0.17 * 3, &color);
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (LM_RECORD_DASHBOARD (page)), ==, 40);
  g_assert_cmpuint (n_drawn (first), ==, 2);
  g_assert_cmpuint (n_drawn (last), ==, 0);
  g_assert_cmpuint (n_drawn (t30), ==, 0);

  /* scrolled to the bottom: the last card draws, on screen */
  sw = gtk_widget_get_ancestor (last, GTK_TYPE_SCROLLED_WINDOW);
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (sw));
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  lm_test_spin (100);
  g_assert_cmpuint (n_drawn (last), ==, 2);
  shoot (win, shot, &img);
  g_assert_cmpuint (count_card_color (win, last, &img, &color), >, 200);
  g_free (img.pixels);

  /* back at the top, a filter brings t30 (not drawn since) to the top */
  gtk_adjustment_set_value (adj, 0);
  lm_test_spin (100);
  g_assert_true (lm_dashboards_set_tag_filter (lm_window_get_dashboards (win), "^t3", NULL));
  lm_test_spin (100);
  g_assert_cmpuint (n_drawn (t30), ==, 2);
  shoot (win, shot, &img);
  g_assert_cmpuint (count_card_color (win, t30, &img, &color), >, 200);
  g_free (img.pixels);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* A card's header and pin button, built before they are in a window, set
 * their tooltips without a request to the X server: GTK's tooltip query
 * (where is the pointer?) cost a round trip a tooltip, three a card, and
 * 1,500 of them made up a good part of 500 histogram cards' build. */
static void
test_card_tooltips_quiet (void)
{
#ifdef GDK_WINDOWING_X11
  GdkDisplay *display = gdk_display_get_default ();
  GdkRGBA color = { 0.2f, 0.4f, 0.6f, 1 };
  GtkWidget *header, *pin, *title, *chip;
  Display *x;
  unsigned long before;

  if (!have_display || !GDK_IS_X11_DISPLAY (display))
    {
      g_test_skip ("no X11 display");
      return;
    }
  x = gdk_x11_display_get_xdisplay (display);
  before = NextRequest (x);
  header = g_object_ref_sink (lm_dash_card_header ("layer0/weight", "run00", &color));
  pin = g_object_ref_sink (lm_pin_button_new ());
  g_assert_cmpuint (NextRequest (x), ==, before);

  title = gtk_widget_get_first_child (header);
  chip = gtk_widget_get_last_child (header);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (title), ==, "layer0/weight");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (chip), ==, "run00");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (pin), ==, "Pin this card to the top");
  g_assert_true (gtk_widget_get_visible (title) && gtk_widget_get_visible (chip) && gtk_widget_get_visible (pin));
  g_assert_true (gtk_widget_get_has_tooltip (title) && gtk_widget_get_has_tooltip (pin));
  g_object_unref (header);
  g_object_unref (pin);
#else
  g_test_skip ("no X11 backend");
#endif
}

static gboolean
has_tooltip_text (GtkWidget *w, gconstpointer text)
{
  return g_strcmp0 (gtk_widget_get_tooltip_text (w), text) == 0 && gtk_widget_get_has_tooltip (w);
}

/* Scalar and image cards as they are built, before they are in a window,
 * set their tooltips (title, log scale, pin; the image, step slider, Fit,
 * cell labels) without a request to the X server, as the histogram
 * cards' headers do: each was a round trip, seven an image card. */
static void
test_scalar_image_tooltips_quiet (void)
{
#ifdef GDK_WINDOWING_X11
  GdkDisplay *display = gdk_display_get_default ();
  g_autoptr (LmRunStore) store = NULL;
  g_autoptr (LmRunSelection) selection = NULL;
  g_autoptr (LmChartSettings) settings = NULL;
  g_autoptr (LmRecordFeed) feed = NULL;
  g_autoptr (LmImageLoader) loader = NULL;
  GtkWidget *scalar, *image;
  Display *x;
  unsigned long before, after_scalar;

  if (!have_display || !GDK_IS_X11_DISPLAY (display))
    {
      g_test_skip ("no X11 display");
      return;
    }
  store = lm_run_store_new (logdir);
  selection = lm_run_selection_new (store);
  settings = lm_chart_settings_new ();
  feed = lm_record_feed_new (store, LM_RECORD_IMAGE);
  loader = lm_image_loader_new (1 << 20);
  x = gdk_x11_display_get_xdisplay (display);
  before = NextRequest (x);
  scalar = g_object_ref_sink (lm_scalar_card_new ("train/loss", selection, settings));
  after_scalar = NextRequest (x);
  image = g_object_ref_sink (lm_image_card_new (feed, loader, "run_a", NULL, "samples"));
  g_assert_cmpuint (after_scalar, ==, before);
  g_assert_cmpuint (NextRequest (x), ==, after_scalar);

  g_assert_nonnull (lm_ui_find_widget (scalar, has_tooltip_text, "train/loss"));
  g_assert_nonnull (lm_ui_find_widget (scalar, has_tooltip_text, "Log scale for the y axis"));
  g_assert_nonnull (lm_ui_find_widget (scalar, has_tooltip_text, "Pin this card to the top"));
  g_assert_nonnull (lm_ui_find_widget (image, has_tooltip_text, "Click to open full size"));
  g_assert_nonnull (lm_ui_find_widget (image, has_tooltip_text, "Step (every logged image)"));
  g_assert_nonnull (lm_ui_find_widget (image, has_tooltip_text, "Fit to the card, or show at actual size"));
  g_assert_true (gtk_widget_get_visible (lm_ui_find_widget (image, has_tooltip_text, "Click to open full size")));
  g_object_unref (scalar);
  g_object_unref (image);
#else
  g_test_skip ("no X11 backend");
#endif
}

/* Columns of cards in the first row of `view`'s flow box (children at the
 * top row's y), and the narrowest card's width. */
static guint
count_columns (LmWindow *win, const char *view, int *narrowest)
{
  GtkWidget *page = lm_dashboards_get_page (lm_window_get_dashboards (win), view);
  GtkWidget *flow = lm_ui_find_by_class (page, "lm-cards");   /* not the Pinned section's */
  graphene_rect_t b;
  double top = G_MAXDOUBLE;
  guint n = 0;

  g_assert_nonnull (flow);
  *narrowest = G_MAXINT;
  for (GtkWidget *c = gtk_widget_get_first_child (flow); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (gtk_widget_get_child_visible (c) && gtk_widget_compute_bounds (c, flow, &b))
      top = MIN (top, b.origin.y);
  for (GtkWidget *c = gtk_widget_get_first_child (flow); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (gtk_widget_get_child_visible (c) && gtk_widget_compute_bounds (c, flow, &b))
      {
        n += b.origin.y == top;
        *narrowest = MIN (*narrowest, (int) b.size.width);
      }
  return n;
}

/* A 1200 px window (the sidebar takes some 290 px) shows the histogram
 * and distribution cards in two columns, as TensorBoard does, no narrower
 * than their charts ask; so do image cards. */
static void
test_columns (void)
{
  const char *views[] = { "histograms", "distributions", "images" };

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      LmWindow *win = lm_window_new (NULL, logdir);
      int narrowest, min_w;
      guint n;

      gtk_window_set_default_size (GTK_WINDOW (win), 1200, 800);
      g_assert_true (lm_dashboards_set_view (lm_window_get_dashboards (win), views[i]));
      gtk_window_present (GTK_WINDOW (win));
      g_assert_true (lm_test_wait_for (settled, win, 20000));
      lm_test_spin (100);
      n = count_columns (win, views[i], &narrowest);
      g_test_message ("%s at 1200 px: %u columns, cards %d px wide", views[i], n, narrowest);
      g_assert_cmpuint (n, >=, 2);
      if (i < 2)
        {
          gtk_widget_measure (card (win, views[i], "a", LM_TR_HIST_TAG), GTK_ORIENTATION_HORIZONTAL, -1,
                              &min_w, NULL, NULL, NULL);
          g_assert_cmpint (gtk_widget_get_width (card (win, views[i], "a", LM_TR_HIST_TAG)), >=, min_w);
        }
      gtk_window_destroy (GTK_WINDOW (win));
    }
}

/* A run for the offset axis and NaN/Inf checks: "w/uneven" at steps
 * 0..9 one minute apart and step 1000 an hour after the first (values
 * around 0, step 1000's around 5); "n/mixed" with 2 NaN, one +Inf and
 * one -Inf among 996 values in [-5, 5); "c/three" a constant 3.0 in
 * lm_writer_add_histogram_uniform's 30 buckets; "n/twice" n/mixed's values at
 * two steps in 30 equal buckets; "c/once" a constant 3.0 at one step. */
static char *
write_uneven_run (void)
{
  char *dir = lm_test_tmpdir_new ("lumen-uneven-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "u", "run.lumen", NULL);
  const int steps[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1000 };
  double v[200];
  float f[1000];
  lm_writer *w;
  sqlite3 *db;

  g_assert_cmpint (lm_writer_open (&w, dir, "u"), ==, LM_OK);
  for (guint k = 0; k < G_N_ELEMENTS (steps); k++)
    {
      for (int i = 0; i < 200; i++)
        v[i] = (i - 100) / 40.0 * (1 - abs (i - 100) / 200.0) + (steps[k] == 1000 ? 5 : 0);
      g_assert_cmpint (lm_writer_add_histogram_f64 (w, "w/uneven", steps[k], v, 200), ==, LM_OK);
    }
  for (int i = 0; i < 996; i++)
    f[i] = (float) (i / 99.6 - 5);
  f[996] = f[997] = NAN;
  f[998] = INFINITY;
  f[999] = -INFINITY;
  g_assert_cmpint (lm_writer_add_histogram (w, "n/mixed", 0, f, 1000), ==, LM_OK);
  for (int st = 0; st < 2; st++)
    g_assert_cmpint (lm_writer_add_histogram_uniform (w, "n/twice", st, f, 1000, 30), ==, LM_OK);
  for (int i = 0; i < 1000; i++)
    f[i] = 3.0f;
  for (int st = 0; st < 2; st++)
    g_assert_cmpint (lm_writer_add_histogram_uniform (w, "c/three", st, f, 1000, 30), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_histogram (w, "c/once", 0, f, 1000), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE histograms SET wall_time = 1700000000 + "
                                     "CASE WHEN step = 1000 THEN 3600 ELSE step * 60 END",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  return dir;
}

static void
test_offset_axis (void)
{
  g_autofree char *dir = NULL;
  LmWindow *win;
  LmHistogramView *view;
  graphene_rect_t area;
  double b0, b9, b1000, x0;
  g_autofree char *at_300 = NULL, *at_700 = NULL, *rel = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = write_uneven_run ();
  win = open_window_at (dir, "histograms");
  view = LM_HISTOGRAM_VIEW (card (win, "histograms", "u", "w/uneven"));
  g_assert_true (lm_histogram_view_get_plot_area (view, &area));
  g_assert_cmpuint (lm_histogram_view_get_n_drawn (view), ==, 11);

  /* Each curve sits at its step: steps 0..9 packed at the top (9/1000 of
   * the way), step 1000 at the bottom, and the tick labels' scale puts
   * step 5 where its curve is (spread by index, 9 would be 9/10 down). */
  b0 = lm_histogram_view_get_baseline (view, 0);
  b9 = lm_histogram_view_get_baseline (view, 9);
  b1000 = lm_histogram_view_get_baseline (view, 1000);
  g_test_message ("baselines: step 0 %.1f, step 9 %.1f, step 1000 %.1f", b0, b9, b1000);
  g_assert_cmpfloat (b1000 - b0, >, 50);
  g_assert_cmpfloat_with_epsilon ((b9 - b0) / (b1000 - b0), 0.009, 1e-6);
  g_assert_cmpfloat_with_epsilon (lm_histogram_view_get_baseline (view, 5),
                                  lm_histogram_view_axis_to_y (view, 5), 1e-9);
  g_assert_cmpfloat_with_epsilon (b1000, lm_histogram_view_axis_to_y (view, 1000), 1e-9);

  /* Hover follows the same places: below the packed curves, over empty
   * space at value 0, the nearest baseline is step 9's, then step 1000's. */
  x0 = lm_histogram_view_value_to_x (view, 0);
  at_300 = lm_histogram_view_describe_at (view, x0, lm_histogram_view_axis_to_y (view, 300));
  at_700 = lm_histogram_view_describe_at (view, x0, lm_histogram_view_axis_to_y (view, 700));
  g_test_message ("hover at step 300: %s; at 700: %s", at_300, at_700);
  g_assert_true (g_str_has_prefix (at_300, "step 9 · "));
  g_assert_true (g_str_has_prefix (at_700, "step 1k · ") || g_str_has_prefix (at_700, "step 1000 · "));

  /* The sidebar's horizontal axis moves the curves, live: relative time
   * puts step 9 at 540 s of 3600. */
  lm_chart_settings_set_x_axis (lm_window_get_settings (win), LM_X_RELATIVE);
  lm_test_spin (50);
  b0 = lm_histogram_view_get_baseline (view, 0);
  b9 = lm_histogram_view_get_baseline (view, 9);
  b1000 = lm_histogram_view_get_baseline (view, 1000);
  g_assert_cmpfloat_with_epsilon ((b9 - b0) / (b1000 - b0), 540 / 3600.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (lm_histogram_view_get_baseline (view, 5),
                                  lm_histogram_view_axis_to_y (view, 300), 1e-9);
  rel = lm_histogram_view_describe_at (view, x0, b9 + 2);
  g_test_message ("relative hover: %s", rel);
  g_assert_true (g_str_has_prefix (rel, "step 9 (9m 00s) · "));
  lm_chart_settings_set_x_axis (lm_window_get_settings (win), LM_X_STEP);
  lm_test_spin (50);
  g_assert_cmpfloat_with_epsilon ((lm_histogram_view_get_baseline (view, 9) - lm_histogram_view_get_baseline (view, 0))
                                  / (lm_histogram_view_get_baseline (view, 1000) - lm_histogram_view_get_baseline (view, 0)),
                                  0.009, 1e-6);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* The toplevel window titled `title`, or NULL. */
static GtkWidget *
window_titled (const char *title)
{
  GListModel *tops = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (tops); i++)
    {
      g_autoptr (GtkWidget) w = g_list_model_get_item (tops, i);

      if (g_strcmp0 (gtk_window_get_title (GTK_WINDOW (w)), title) == 0)
        return w;
    }
  return NULL;
}

/* The histogram view drew as many steps as its "want-drawn". */
static gboolean
drew_wanted (gpointer data)
{
  return lm_histogram_view_get_n_drawn (data) == GPOINTER_TO_UINT (g_object_get_data (data, "want-drawn"));
}

/* Clicks "View larger" on u's w/uneven histogram card: the view in the
 * window that opens (*larger), once it has drawn the run's 11 steps. */
static LmHistogramView *
open_larger (LmWindow *win, GtkWidget **larger)
{
  GtkWidget *button = lm_record_dashboard_get_larger_button (card (win, "histograms", "u", "w/uneven"));
  LmHistogramView *view;

  g_assert_nonnull (button);
  g_assert_null (window_titled ("w/uneven · u"));
  g_signal_emit_by_name (button, "clicked");
  *larger = window_titled ("w/uneven · u");
  g_assert_nonnull (*larger);
  view = LM_HISTOGRAM_VIEW (lm_ui_find_descendant (*larger, LM_TYPE_HISTOGRAM_VIEW));
  g_assert_nonnull (view);
  g_object_set_data (G_OBJECT (view), "want-drawn", GUINT_TO_POINTER (11));
  g_assert_true (lm_test_wait_for (drew_wanted, view, 5000));
  return view;
}

/* Logs a 12th step of u's w/uneven and waits for `view` to draw it. */
static void
log_step_and_wait (const char *dir, LmWindow *win, LmHistogramView *view)
{
  double v[200];
  lm_writer *w;

  g_assert_cmpint (lm_writer_open (&w, dir, "u"), ==, LM_OK);
  for (int i = 0; i < 200; i++)
    v[i] = i / 40.0;
  g_assert_cmpint (lm_writer_add_histogram_f64 (w, "w/uneven", 2000, v, 200), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  lm_run_store_reload (lm_window_get_store (win));
  g_object_set_data (G_OBJECT (view), "want-drawn", GUINT_TO_POINTER (12));
  g_assert_true (lm_test_wait_for (drew_wanted, view, 10000));
}

/* TensorBoard's full size toggle on histogram and distribution cards:
 * "View larger" opens the card's chart in a window of its own, titled
 * "tag · run", that follows the sidebar's axis and the histogram mode
 * and draws a step logged after it opened. */
static void
test_view_larger (void)
{
  g_autofree char *dir = NULL;
  LmWindow *win;
  GtkWidget *larger;
  LmHistogramView *view;
  LmRecordDashboard *page;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = write_uneven_run ();
  win = open_window_at (dir, "histograms");
  page = LM_RECORD_DASHBOARD (lm_dashboards_get_page (lm_window_get_dashboards (win), "histograms"));
  view = open_larger (win, &larger);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (view)), >, 400);

  /* the axis: step 9 at 540 s of 3600 on relative time, as on the card */
  lm_chart_settings_set_x_axis (lm_window_get_settings (win), LM_X_RELATIVE);
  lm_test_spin (50);
  g_assert_cmpfloat_with_epsilon ((lm_histogram_view_get_baseline (view, 9) - lm_histogram_view_get_baseline (view, 0))
                                  / (lm_histogram_view_get_baseline (view, 1000) - lm_histogram_view_get_baseline (view, 0)),
                                  540 / 3600.0, 1e-6);
  lm_chart_settings_set_x_axis (lm_window_get_settings (win), LM_X_STEP);
  /* overlay: every curve on one baseline */
  lm_record_dashboard_set_histogram_mode (page, LM_HISTOGRAM_OVERLAY);
  g_assert_cmpfloat (lm_histogram_view_get_baseline (view, 0), ==, lm_histogram_view_get_baseline (view, 1000));
  lm_record_dashboard_set_histogram_mode (page, LM_HISTOGRAM_OFFSET);
  g_assert_cmpfloat (lm_histogram_view_get_baseline (view, 0), <, lm_histogram_view_get_baseline (view, 1000));

  /* live: a step logged now is drawn there too */
  log_step_and_wait (dir, win, view);

  /* the distribution card has one too */
  g_assert_nonnull (lm_record_dashboard_get_larger_button (card (win, "distributions", "u", "w/uneven")));
  gtk_window_destroy (GTK_WINDOW (larger));
  lm_test_spin (50);
  g_assert_null (window_titled ("w/uneven · u"));
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

static gboolean
feed_inactive (gpointer feed)
{
  return !lm_record_feed_get_active (feed);
}

/* A larger view stays live while the main window shows another page: the
 * histogram feed polls while anything shows it (the page or a larger
 * view), where the Histograms page going off screen stopped it, and stops
 * once the larger view closes too. */
static void
test_view_larger_other_page (void)
{
  g_autofree char *dir = NULL;
  LmWindow *win;
  GtkWidget *larger;
  LmHistogramView *view;
  LmRecordFeed *feed;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = write_uneven_run ();
  win = open_window_at (dir, "histograms");
  feed = lm_record_dashboard_get_feed (LM_RECORD_DASHBOARD (lm_dashboards_get_page (lm_window_get_dashboards (win),
                                                                                    "histograms")));
  view = open_larger (win, &larger);

  /* the main window on Scalars: the larger view still follows the run */
  g_assert_true (lm_dashboards_set_view (lm_window_get_dashboards (win), "scalars"));
  lm_test_spin (50);
  g_assert_true (lm_record_feed_get_active (feed));
  log_step_and_wait (dir, win, view);

  /* nothing shows the feed any more: it stops */
  gtk_window_destroy (GTK_WINDOW (larger));
  g_assert_true (lm_test_wait_for (feed_inactive, feed, 5000));
  /* and Distributions, on the same feed, starts it again */
  g_assert_true (lm_dashboards_set_view (lm_window_get_dashboards (win), "distributions"));
  lm_test_spin (50);
  g_assert_true (lm_record_feed_get_active (feed));
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* A page closed while something else still shows its feed (the
 * Distributions page shares the Histograms page's, a larger view holds
 * it) leaves the feed polling for the others. */
static void
test_dispose_keeps_shared_feed (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (LmRunStore) store = NULL;
  g_autoptr (LmRunSelection) selection = NULL;
  g_autoptr (LmRecordFeed) feed = NULL;
  GtkWidget *window;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = write_uneven_run ();
  store = lm_run_store_new (dir);
  selection = lm_run_selection_new (store);
  feed = lm_record_feed_new (store, LM_RECORD_HISTOGRAM);
  lm_record_feed_hold (feed);   /* the other page, on screen */
  window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (window),
                        lm_record_dashboard_new (LM_DASHBOARD_HISTOGRAMS, selection, feed, NULL));
  gtk_window_present (GTK_WINDOW (window));
  lm_test_spin (50);
  g_assert_true (lm_record_feed_get_active (feed));
  gtk_window_destroy (GTK_WINDOW (window));
  lm_test_spin (50);
  g_assert_true (lm_record_feed_get_active (feed));
  lm_record_feed_release (feed);
  g_assert_false (lm_record_feed_get_active (feed));
  lm_test_rm_rf (dir);
}

/* A pixel of a snapshot (B, G, R, A premultiplied, over an opaque
 * card) within tol of c. */
static gboolean
snapshot_pixel_is (cairo_surface_t *s, double x, double y, const GdkRGBA *c, int tol)
{
  const guchar *p = cairo_image_surface_get_data (s) + (int) y * cairo_image_surface_get_stride (s) + (int) x * 4;

  return abs (p[2] - (int) (c->red * 255 + .5)) <= tol && abs (p[1] - (int) (c->green * 255 + .5)) <= tol
         && abs (p[0] - (int) (c->blue * 255 + .5)) <= tol;
}

/* The PyTorch tutorial's weights, 120 steps of a narrowing normal: the
 * offset view draws 50 curves, as TensorBoard draws its 50 samples, the
 * first and last steps among them; the newest is filled in the run's
 * colour and each is outlined in the background's, so a column through
 * the stack crosses ridges of the run's hue rather than one block. */
static void
test_offset_look (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-ridges-XXXXXX");
  LmWindow *win;
  LmHistogramView *view;
  cairo_surface_t *s;
  graphene_rect_t area;
  GdkRGBA color;
  double v[400], bottom, x_peak;
  lm_writer *w;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g_assert_cmpint (lm_writer_open (&w, dir, "t"), ==, LM_OK);
  for (int st = 0; st < 120; st++)
    {
      for (int i = 0; i < 400; i++)
        v[i] = st / 60.0 + (i - 200) / 100.0 * (1.0 - st / 150.0) * (1 - abs (i - 200) / 400.0);
      g_assert_cmpint (lm_writer_add_histogram_f64 (w, "w/fc1", st, v, 400), ==, LM_OK);
    }
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  win = open_window_at (dir, "histograms");
  view = LM_HISTOGRAM_VIEW (card (win, "histograms", "t", "w/fc1"));
  g_assert_true (lm_histogram_view_get_plot_area (view, &area));
  g_assert_cmpfloat (area.size.height, >, 150);   /* room for 60 rows and more */
  g_assert_cmpuint (lm_histogram_view_get_n_drawn (view), ==, 50);
  g_assert_false (isnan (lm_histogram_view_get_baseline (view, 0)));
  bottom = lm_histogram_view_get_baseline (view, 119);
  g_assert_false (isnan (bottom));

  /* Just above the newest curve's baseline, under its peak (about 119/60):
   * the run's colour, filled. */
  lm_palette_run_color (lm_run_store_find (lm_window_get_store (win), "t"), &color);
  x_peak = lm_histogram_view_value_to_x (view, 119 / 60.0);
  s = lm_ui_snapshot_widget (GTK_WIDGET (view));
  g_assert_true (snapshot_pixel_is (s, x_peak, bottom - 3, &color, 12));
  cairo_surface_destroy (s);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* The distribution bands in the run's colour at TensorBoard's opacities
 * over the card (values uniform on 0..1000, so min to 7% is 0..67 and
 * 31% to the median 309..500): 0.09 at the edge, 0.77 in the middle. */
static void
test_distribution_bands (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-bands-XXXXXX");
  const GdkRGBA *bg;
  LmWindow *win;
  LmDistributionView *view;
  cairo_surface_t *s;
  GdkRGBA color, edge, middle;
  float v[1001];
  double x;
  lm_writer *w;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  for (int i = 0; i <= 1000; i++)
    v[i] = i;
  g_assert_cmpint (lm_writer_open (&w, dir, "t"), ==, LM_OK);
  for (int st = 0; st <= 10; st += 10)
    g_assert_cmpint (lm_writer_add_histogram_uniform (w, "w/uniform", st, v, 1001, 100), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  win = open_window_at (dir, "distributions");
  view = LM_DISTRIBUTION_VIEW (card (win, "distributions", "t", "w/uniform"));
  g_assert_cmpuint (lm_distribution_view_get_n_steps (view), ==, 2);
  lm_palette_run_color (lm_run_store_find (lm_window_get_store (win), "t"), &color);
  bg = &lm_theme_colors ()->bg;
  edge = middle = color;
  edge.red = bg->red + (color.red - bg->red) * 0.0912;
  edge.green = bg->green + (color.green - bg->green) * 0.0912;
  edge.blue = bg->blue + (color.blue - bg->blue) * 0.0912;
  middle.red = bg->red + (color.red - bg->red) * 0.766;
  middle.green = bg->green + (color.green - bg->green) * 0.766;
  middle.blue = bg->blue + (color.blue - bg->blue) * 0.766;
  x = lm_distribution_view_axis_to_x (view, 5);
  s = lm_ui_snapshot_widget (GTK_WIDGET (view));
  g_assert_true (snapshot_pixel_is (s, x, lm_distribution_view_value_to_y (view, 30), &edge, 4));
  g_assert_true (snapshot_pixel_is (s, x, lm_distribution_view_value_to_y (view, 970), &edge, 4));
  g_assert_true (snapshot_pixel_is (s, x, lm_distribution_view_value_to_y (view, 400), &middle, 4));
  g_assert_true (snapshot_pixel_is (s, x, lm_distribution_view_value_to_y (view, 600), &middle, 4));
  cairo_surface_destroy (s);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

static void
test_distribution_axis (void)
{
  g_autofree char *dir = NULL;
  LmWindow *win;
  LmDistributionView *view;
  g_autofree char *step_hover = NULL, *rel_hover = NULL, *wall_hover = NULL, *three = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = write_uneven_run ();
  win = open_window_at (dir, "distributions");
  view = LM_DISTRIBUTION_VIEW (card (win, "distributions", "u", "w/uneven"));

  /* By step, step 12 is nearest step 9... */
  step_hover = lm_distribution_view_describe_at (view, lm_distribution_view_axis_to_x (view, 12));
  g_assert_true (g_str_has_prefix (step_hover, "step 9 · "));
  /* ...by relative time, 8 minutes in is step 8, live on the setting. */
  lm_chart_settings_set_x_axis (lm_window_get_settings (win), LM_X_RELATIVE);
  lm_test_spin (50);
  rel_hover = lm_distribution_view_describe_at (view, lm_distribution_view_axis_to_x (view, 480));
  g_test_message ("relative: %s", rel_hover);
  g_assert_true (g_str_has_prefix (rel_hover, "step 8 ("));
  /* The x of step 8's time is 480/3600 of the way, not 8/1000. */
  {
    double xa = lm_distribution_view_axis_to_x (view, 0), xb = lm_distribution_view_axis_to_x (view, 3600);

    g_assert_cmpfloat (xb - xa, >, 100);
    rel_hover = (g_free (rel_hover), lm_distribution_view_describe_at (view, xa + (xb - xa) * 0.5));
    g_assert_true (g_str_has_prefix (rel_hover, "step 9 (") || g_str_has_prefix (rel_hover, "step 1k ("));
  }
  lm_chart_settings_set_x_axis (lm_window_get_settings (win), LM_X_WALL);
  lm_test_spin (50);
  wall_hover = lm_distribution_view_describe_at (view, lm_distribution_view_axis_to_x (view, 1700000000 + 3600));
  g_test_message ("wall: %s", wall_hover);
  g_assert_true (g_str_has_prefix (wall_hover, "step 1k (") || g_str_has_prefix (wall_hover, "step 1000 ("));

  /* A constant logged with equal-width buckets: every band is 3. */
  three = lm_distribution_view_describe_at (LM_DISTRIBUTION_VIEW (card (win, "distributions", "u", "c/three")), 0);
  g_test_message ("constant: %s", three);
  g_assert_nonnull (strstr (three, " · min 3 · 16% 3 · median 3 · 84% 3 · max 3"));

  /* A constant logged once: its median is drawn (a short dash at 3), where
   * the card showed nothing at all (bands of no height, a line of one
   * point).  Its plot holds nothing else in the run's (orange) colours. */
  {
    g_autofree char *shot = g_build_filename (dir, "once.png", NULL);
    graphene_rect_t b;
    Image img;
    guint n = 0;

    g_assert_true (gtk_widget_compute_bounds (card (win, "distributions", "u", "c/once"), GTK_WIDGET (win), &b));
    shoot (win, shot, &img);
    for (int y = (int) b.origin.y; y < b.origin.y + b.size.height && y < img.height; y++)
      for (int x = (int) b.origin.x; x < b.origin.x + b.size.width && x < img.width; x++)
        {
          const guchar *px = img.pixels + y * img.stride + x * 4;   /* B, G, R, A */

          n += px[2] - px[0] > 60;
        }
    g_test_message ("orange pixels of c/once: %u", n);
    g_assert_cmpuint (n, >=, 8);
    g_free (img.pixels);
  }
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

static void
test_nonfinite (void)
{
  g_autofree char *dir = NULL;
  LmWindow *win;
  LmHistogramView *view;
  GtkWidget *page;
  graphene_rect_t area;
  double unit;
  g_autofree char *hover = NULL, *dhover = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = write_uneven_run ();
  win = open_window_at (dir, "histograms");
  page = lm_dashboards_get_page (lm_window_get_dashboards (win), "histograms");
  view = LM_HISTOGRAM_VIEW (card (win, "histograms", "u", "n/mixed"));
  g_assert_true (lm_histogram_view_get_plot_area (view, &area));
  /* The x axis spans the finite data (about -5..5), not +-1e20: one unit
   * of value is more than a twelfth of the plot. */
  unit = lm_histogram_view_value_to_x (view, 1) - lm_histogram_view_value_to_x (view, 0);
  g_test_message ("1.0 is %.1f px of %.1f", unit, area.size.width);
  g_assert_cmpfloat (unit, >, area.size.width / 12);
  /* The header badge and the hover give the counts. */
  g_assert_cmpstr (lm_record_dashboard_get_badge (LM_RECORD_DASHBOARD (page), "u", "n/mixed"), ==,
                   "2 NaN, 1 +Inf, 1 −Inf");
  g_assert_null (lm_record_dashboard_get_badge (LM_RECORD_DASHBOARD (page), "u", "w/uneven"));
  /* A long badge leaves the card's title readable: "4 NaN, ≥2 +Inf, ≥2
   * −Inf in 2 steps" took the whole header and the title read "…". */
  {
    GtkWidget *body = card (win, "histograms", "u", "n/twice");
    GtkWidget *title;

    gtk_window_set_default_size (GTK_WINDOW (win), 1400, 900);   /* three cards a row */
    lm_test_spin (200);
    title = gtk_widget_get_first_child (gtk_widget_get_first_child (gtk_widget_get_parent (body)));

    g_assert_cmpstr (lm_record_dashboard_get_badge (LM_RECORD_DASHBOARD (page), "u", "n/twice"), ==,
                     "4 NaN, ≥2 +Inf, ≥2 −Inf in 2 steps");
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (title)), ==, "n/twice");
    g_test_message ("title %d px of a %d px header", gtk_widget_get_width (title),
                    gtk_widget_get_width (gtk_widget_get_parent (title)));
    g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (title))));
  }
  hover = lm_histogram_view_describe_at (view, area.origin.x + area.size.width / 2, area.origin.y + area.size.height - 2);
  g_assert_true (g_str_has_suffix (hover, " · 2 NaN, 1 +Inf, 1 −Inf"));
  page = lm_dashboards_get_page (lm_window_get_dashboards (win), "distributions");
  g_assert_cmpstr (lm_record_dashboard_get_badge (LM_RECORD_DASHBOARD (page), "u", "n/mixed"), ==,
                   "2 NaN, 1 +Inf, 1 −Inf");
  dhover = lm_distribution_view_describe_at (LM_DISTRIBUTION_VIEW (card (win, "distributions", "u", "n/mixed")), 0);
  g_test_message ("distribution: %s", dhover);
  g_assert_nonnull (strstr (dhover, "max 5.0998 · 2 NaN"));   /* the finite bucket's edge */
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

static gboolean
image_shown (gpointer data)
{
  return lm_image_card_get_shown_index (data) == (int) lm_image_card_get_index (data);
}

static void
test_images (void)
{
  LmWindow *win;
  LmImageCard *img_card, *bad;
  g_autofree char *shot = g_build_filename (logdir, "images.png", NULL);
  Image img;
  guint8 rgb[3];

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  win = open_window ("images");
  img_card = LM_IMAGE_CARD (card (win, "images", "a", LM_TR_IMAGE_TAG));
  g_assert_cmpuint (lm_image_card_get_n_steps (img_card), ==, LM_TR_IMAGE_STEPS);
  g_assert_cmpint (lm_image_card_get_index (img_card), ==, LM_TR_IMAGE_STEPS - 1);   /* newest first */
  g_assert_null (lm_image_card_get_error (img_card));

  /* The newest image's colour is on screen, in quantity (a fitted 16x16
   * image half coloured covers thousands of pixels). */
  shoot (win, shot, &img);
  lm_test_records_image_color (LM_TR_IMAGE_STEPS - 1, rgb);
  g_assert_cmpuint (count_rgb (&img, rgb, 2), >, 2 * 4000);   /* two runs' cards */
  g_free (img.pixels);

  /* Every step is reachable; step 0's colour replaces it. */
  for (guint i = 0; i < LM_TR_IMAGE_STEPS; i++)
    {
      lm_image_card_set_index (img_card, i);
      g_assert_true (lm_test_wait_for (image_shown, img_card, 5000));
    }
  lm_image_card_set_index (img_card, 0);
  g_assert_true (lm_test_wait_for (image_shown, img_card, 5000));
  lm_test_spin (100);
  shoot (win, shot, &img);
  lm_test_records_image_color (0, rgb);
  g_assert_cmpuint (count_rgb (&img, rgb, 2), >, 4000);
  g_free (img.pixels);

  /* Brightness and contrast change the pixels on screen. */
  lm_image_card_set_adjust (img_card, 0.3, 1.0);
  lm_test_spin (100);
  shoot (win, shot, &img);
  g_assert_cmpuint (count_rgb (&img, rgb, 2), <, 100);
  g_free (img.pixels);

  bad = LM_IMAGE_CARD (card (win, "images", "a", "bad/blob"));
  g_assert_true (lm_test_wait_for (image_shown, bad, 5000));
  g_test_message ("%s", lm_image_card_get_error (bad));
  g_assert_true (g_str_has_prefix (lm_image_card_get_error (bad), "Step 0: "));
  g_assert_nonnull (strstr (lm_image_card_get_error (bad), "PNG"));
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
has_tag_at_start (GtkTextBuffer *buf, const char *name)
{
  GtkTextIter it;
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buf), name);

  gtk_text_buffer_get_start_iter (buf, &it);
  return tag != NULL && gtk_text_iter_has_tag (&it, tag);
}

static char *
buffer_text (GtkTextBuffer *buf)
{
  GtkTextIter a, b;

  gtk_text_buffer_get_bounds (buf, &a, &b);
  return gtk_text_buffer_get_text (buf, &a, &b, FALSE);
}

static void
test_text (void)
{
  LmWindow *win;
  LmTextCard *tc;
  GtkTextBuffer *buf;
  g_autofree char *rendered = NULL, *plain = NULL, *first = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  win = open_window ("text");
  tc = LM_TEXT_CARD (card (win, "text", "a", LM_TR_TEXT_TAG));
  buf = lm_text_card_get_buffer (tc);
  g_assert_cmpuint (lm_text_card_get_n_steps (tc), ==, 2);
  rendered = buffer_text (buf);
  g_assert_true (g_str_has_prefix (rendered, "Results\n•  loss went down\n"));
  g_assert_nonnull (strstr (rendered, "metric │ value"));
  g_assert_true (has_tag_at_start (buf, "h2"));
  lm_text_card_set_markdown (tc, FALSE);
  plain = buffer_text (buf);
  g_assert_true (g_str_has_prefix (plain, "## Results\n- loss *went down*"));
  lm_text_card_set_markdown (tc, TRUE);
  lm_text_card_set_index (tc, 0);
  first = buffer_text (buf);
  g_assert_cmpstr (first, ==, "Notes\nplain bold and code");
  g_assert_true (has_tag_at_start (buf, "h1"));
  g_assert_nonnull (strstr (lm_text_card_get_error (LM_TEXT_CARD (card (win, "text", "a", "bad/utf8"))), "UTF-8"));

  /* Links: the text shows, carrying its URL; an unclosed one stays as typed. */
  {
    g_autoptr (GtkTextBuffer) lb = gtk_text_buffer_new (NULL);
    g_autofree char *lt = NULL;
    GtkTextIter it;
    GSList *tags;

    lm_markdown_render (lb, "see [the docs](https://example.org/x) and [broken](no close", FALSE);
    lt = buffer_text (lb);
    g_assert_cmpstr (lt, ==, "see the docs and [broken](no close");
    gtk_text_buffer_get_iter_at_offset (lb, &it, 5);
    g_assert_cmpstr (lm_markdown_link_at_iter (&it), ==, "https://example.org/x");
    gtk_text_buffer_get_iter_at_offset (lb, &it, 20);
    g_assert_null (lm_markdown_link_at_iter (&it));
    /* only the whole text's tag: no link, no emphasis */
    tags = gtk_text_iter_get_tags (&it);
    g_assert_cmpuint (g_slist_length (tags), ==, 1);
    {
      g_autofree char *name = NULL;

      g_object_get (tags->data, "name", &name, NULL);
      g_assert_cmpstr (name, ==, "text");
    }
    g_slist_free (tags);
  }
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_hparams (void)
{
  LmWindow *win;
  LmHparamsView *hp;
  GtkSelectionModel *model;
  g_autofree char *c0 = NULL, *c1 = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  win = open_window ("hparams");
  hp = LM_HPARAMS_VIEW (lm_dashboards_get_page (lm_window_get_dashboards (win), "hparams"));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 2);
  /* Columns: run, augment, lr, optimizer, then the metric. */
  lm_hparams_view_sort_by (hp, 2, TRUE);
  c0 = lm_hparams_view_get_cell (hp, 0, 0);
  c1 = lm_hparams_view_get_cell (hp, 0, 4);
  g_assert_cmpstr (c0, ==, "a");            /* lr 0.1 first when descending */
  g_assert_cmpstr (c1, ==, "0.9");
  g_clear_pointer (&c0, g_free);
  lm_hparams_view_sort_by (hp, 4, FALSE);   /* by final accuracy */
  c0 = lm_hparams_view_get_cell (hp, 0, 0);
  g_assert_cmpstr (c0, ==, "b");

  /* Selecting a row highlights the run for every chart. */
  model = gtk_column_view_get_model (lm_hparams_view_get_column_view (hp));
  gtk_selection_model_select_item (model, 1, TRUE);
  g_assert_cmpstr (lm_run_selection_get_highlighted (lm_window_get_selection (win)), ==, "a");
  lm_run_selection_set_highlighted (lm_window_get_selection (win), "b");
  g_assert_true (gtk_selection_model_is_selected (model, 0));

  /* Axes of positive values over two decades or more (a learning rate
   * sweep) are logarithmic in the parallel coordinates. */
  {
    LmHpColumn lr = { .name = "lr", .numeric = TRUE, .lo = 0.001, .hi = 0.1 };
    LmHpColumn narrow = { .name = "x", .numeric = TRUE, .lo = 0.01, .hi = 0.1 };
    LmHpColumn signed_col = { .name = "y", .numeric = TRUE, .lo = -1, .hi = 100 };
    LmHpColumn text = { .name = "z", .numeric = FALSE, .lo = 1, .hi = 1000 };

    g_assert_true (lm_hp_column_is_log (&lr));
    g_assert_false (lm_hp_column_is_log (&narrow));
    g_assert_false (lm_hp_column_is_log (&signed_col));
    g_assert_false (lm_hp_column_is_log (&text));
  }

  g_assert_true (lm_hparams_view_set_filter (hp, "sgd", NULL));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 1);
  g_assert_false (lm_hparams_view_set_filter (hp, "(", NULL));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 1);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* ------------------------------------------------------ hparams: values */

typedef struct
{
  const char *run;
  double loss;       /* -1: never logged */
  double dropout;    /* -1: not an hparam of the run */
  double params;
  int augment;
} HpRun;

static const HpRun hp_runs[] = {
  { "fine", 0.5, 0.1, 101770, 1 },
  { "diverged", NAN, NAN, 1234567, 0 },
  { "exploded", INFINITY, 0.2, 42, 1 },
  { "imploded", -INFINITY, 0.3, 7, 0 },
  { "silent", -1, -1, 8, 1 },
  { "better", 0.25, 0.4, 9, 0 },
};

static char *
write_hp_runs (void)
{
  char *dir = lm_test_tmpdir_new ("lumen-hp-XXXXXX");
  const char *metrics[] = { "final/loss" };

  for (guint i = 0; i < G_N_ELEMENTS (hp_runs); i++)
    {
      const HpRun *r = &hp_runs[i];
      lm_writer *w;
      lm_hparam hp[3] = { LM_HP_NUMBER ("parameters", r->params), LM_HP_BOOL ("augment", r->augment),
                          LM_HP_NUMBER ("dropout", r->dropout) };

      g_assert_cmpint (lm_writer_open (&w, dir, r->run), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_hparams (w, hp, r->dropout == -1 ? 2 : 3, metrics, 1), ==, LM_OK);
      if (r->loss != -1)
        {
          g_assert_cmpint (lm_writer_add_scalar (w, "final/loss", 0, 2.0), ==, LM_OK);
          g_assert_cmpint (lm_writer_add_scalar (w, "final/loss", 10, r->loss), ==, LM_OK);
        }
      g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
    }
  return dir;
}

/* The runs of column `column` from the top of the table, joined by spaces. */
static char *
column_order (LmHparamsView *hp, guint column)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < lm_hparams_view_get_n_rows (hp); i++)
    {
      g_autofree char *run = lm_hparams_view_get_cell (hp, i, 0);
      g_autofree char *text = lm_hparams_view_get_cell (hp, i, column);

      g_string_append_printf (out, "%s%s=%s", i ? " " : "", run, text);
    }
  return g_string_free (out, FALSE);
}

static gboolean
rects_overlap (const graphene_rect_t *a, const graphene_rect_t *b)
{
  return a->origin.x < b->origin.x + b->size.width && b->origin.x < a->origin.x + a->size.width
         && a->origin.y < b->origin.y + b->size.height && b->origin.y < a->origin.y + a->size.height;
}

/* Every label inside width x height and off every other; returns them. */
static GPtrArray *
check_labels (LmParallelCoords *pc, int width, int height)
{
  GPtrArray *labels = lm_parallel_coords_layout_labels (pc, width, height);

  g_assert_cmpuint (labels->len, >, 0);
  for (guint i = 0; i < labels->len; i++)
    {
      LmPcLabel *a = labels->pdata[i];

      if (a->rect.origin.x < 0 || a->rect.origin.y < 0 || a->rect.origin.x + a->rect.size.width > width
          || a->rect.origin.y + a->rect.size.height > height)
        g_error ("label '%s' (%g,%g %gx%g) leaves the %dx%d widget", a->text, a->rect.origin.x, a->rect.origin.y,
                 a->rect.size.width, a->rect.size.height, width, height);
      for (guint j = i + 1; j < labels->len; j++)
        {
          LmPcLabel *b = labels->pdata[j];

          if (rects_overlap (&a->rect, &b->rect))
            g_error ("labels '%s' (axis %u) and '%s' (axis %u) overlap", a->text, a->axis, b->text, b->axis);
        }
    }
  return labels;
}

/* The value labels of axis `axis`, top to bottom, joined by spaces. */
static char *
axis_labels (GPtrArray *labels, guint axis)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < labels->len; i++)
    {
      LmPcLabel *l = labels->pdata[i];

      if (l->axis == axis && !l->is_title)
        g_string_append_printf (out, "%s%s", out->len ? " " : "", l->text);
    }
  return g_string_free (out, FALSE);
}

static GtkLabel *
find_label (GtkWidget *w, const char *suffix)
{
  if (GTK_IS_LABEL (w) && g_str_has_suffix (gtk_label_get_text (GTK_LABEL (w)), suffix))
    return GTK_LABEL (w);
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkLabel *l = find_label (c, suffix);

      if (l != NULL)
        return l;
    }
  return NULL;
}

static void
test_hparams_values (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *asc = NULL, *desc = NULL, *dropout = NULL, *params = NULL, *by_dropout = NULL;
  g_autoptr (GPtrArray) labels = NULL;
  LmWindow *win;
  LmHparamsView *hp;
  LmParallelCoords *pc;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = write_hp_runs ();
  win = open_window_at (dir, "hparams");
  hp = LM_HPARAMS_VIEW (lm_dashboards_get_page (lm_window_get_dashboards (win), "hparams"));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, G_N_ELEMENTS (hp_runs));

  /* Columns: run, augment, dropout, parameters, final/loss.  A NaN loss is
   * "NaN", not the "–" of the run that logged none; infinities are signed;
   * NaN and missing stay last whichever way the column is sorted. */
  lm_hparams_view_sort_by (hp, 4, FALSE);
  asc = column_order (hp, 4);
  g_assert_cmpstr (asc, ==, "imploded=-Inf better=0.25 fine=0.5 exploded=+Inf diverged=NaN silent=–");
  lm_hparams_view_sort_by (hp, 4, TRUE);
  desc = column_order (hp, 4);
  g_assert_cmpstr (desc, ==, "exploded=+Inf fine=0.5 better=0.25 imploded=-Inf diverged=NaN silent=–");
  lm_hparams_view_sort_by (hp, 2, TRUE);
  by_dropout = column_order (hp, 2);
  g_assert_cmpstr (by_dropout, ==, "better=0.4 imploded=0.3 exploded=0.2 fine=0.1 diverged=NaN silent=–");
  /* Integers in full, not 1.0177e+05 or 1.23457e+06. */
  lm_hparams_view_sort_by (hp, 0, FALSE);
  params = column_order (hp, 3);
  g_assert_cmpstr (params, ==, "better=9 diverged=1234567 exploded=42 fine=101770 imploded=7 silent=8");
  /* Run names are cut in the middle, as in the run list, so names that
   * differ only at the start or end still differ. */
  lm_test_spin (100);
  g_assert_nonnull (find_label (GTK_WIDGET (lm_hparams_view_get_column_view (hp)), " imploded"));
  g_assert_cmpint (gtk_label_get_ellipsize (find_label (GTK_WIDGET (lm_hparams_view_get_column_view (hp)), " imploded")),
                   ==, PANGO_ELLIPSIZE_MIDDLE);

  /* The parallel coordinates: NaN and infinities in labelled slots off the
   * ends of the axis (+Inf above, -Inf then NaN below), runs there placed
   * in them; bools labelled as the table writes them. */
  pc = LM_PARALLEL_COORDS (lm_hparams_view_get_parallel_coords (hp));
  labels = check_labels (pc, 900, 300);
  {
    g_autofree char *augment = axis_labels (labels, 0);
    g_autofree char *parameters = axis_labels (labels, 2);
    g_autofree char *loss = axis_labels (labels, 3);

    dropout = axis_labels (labels, 1);
    g_assert_cmpstr (augment, ==, "true false");
    g_assert_cmpstr (dropout, ==, "0.4 0.1 NaN");
    g_assert_cmpstr (parameters, ==, "1234567 7");
    g_assert_cmpstr (loss, ==, "0.5 0.25 +Inf -Inf NaN");
  }
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* A hyperparameter logged as a number by some runs and as a string by
 * another (batch_size 32, 128, "auto") is categorical; its axis keeps the
 * order the table sorts it in, 32 below 128 (text order put "128" below
 * "32"). */
static void
test_hparams_mixed_types (void)
{
  static const struct { const char *run; double batch; const char *text; } runs[] = {
    { "small", 32, NULL }, { "large", 128, NULL }, { "auto", 0, "auto" },
  };
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-hp-XXXXXX");
  g_autofree char *order = NULL, *axis = NULL;
  g_autoptr (GPtrArray) labels = NULL;
  LmWindow *win;
  LmHparamsView *hp;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      lm_writer *w;
      lm_hparam h[2] = { runs[i].text ? LM_HP_STRING ("batch_size", runs[i].text)
                                      : LM_HP_NUMBER ("batch_size", runs[i].batch),
                         LM_HP_NUMBER ("lr", 0.1 * (i + 1)) };

      g_assert_cmpint (lm_writer_open (&w, dir, runs[i].run), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_hparams (w, h, 2, NULL, 0), ==, LM_OK);
      g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
    }
  win = open_window_at (dir, "hparams");
  hp = LM_HPARAMS_VIEW (lm_dashboards_get_page (lm_window_get_dashboards (win), "hparams"));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, G_N_ELEMENTS (runs));
  lm_hparams_view_sort_by (hp, 1, FALSE);
  order = column_order (hp, 1);
  g_assert_cmpstr (order, ==, "small=32 large=128 auto=auto");
  labels = check_labels (LM_PARALLEL_COORDS (lm_hparams_view_get_parallel_coords (hp)), 600, 300);
  axis = axis_labels (labels, 0);
  g_assert_cmpstr (axis, ==, "auto 128 32");   /* top to bottom: the table's order, reversed */
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* ------------------------------------------- hparams: filters, scatter */

/* The left pane's filters without the view: discrete values by their table
 * text (a run without the value passes), numeric intervals inclusive (once
 * a bound is set, a run without a number there, or NaN, fails). */
static void
test_hparams_filter_logic (void)
{
  LmHpColumn act = { .name = "act", .numeric = FALSE, .filter = lm_hp_filter_new () };
  LmHpColumn acc = { .name = "acc", .is_metric = TRUE, .numeric = TRUE, .filter = lm_hp_filter_new () };
  LmHpColumn flag = { .name = "augment", .numeric = TRUE, .boolean = TRUE };
  g_autoptr (LmHparamsRow) relu = lm_hparams_row_new ("relu", 0, 2);
  g_autoptr (LmHparamsRow) none = lm_hparams_row_new ("none", 1, 2);
  g_autoptr (LmHparamsRow) nan_row = lm_hparams_row_new ("nan", 2, 2);

  relu->present[0] = relu->present[1] = relu->is_number[1] = TRUE;
  relu->text[0] = g_strdup ("relu");
  relu->number[1] = 0.75;
  relu->text[1] = g_strdup ("0.75");
  nan_row->present[1] = nan_row->is_number[1] = TRUE;
  nan_row->number[1] = NAN;
  nan_row->text[1] = g_strdup ("NaN");

  g_assert_true (lm_hp_column_is_discrete (&act));
  g_assert_true (lm_hp_column_is_discrete (&flag));
  g_assert_false (lm_hp_column_is_discrete (&acc));
  g_assert_true (lm_hp_filter_accepts (&flag, relu, 0));   /* no filter */
  /* discrete: unticking relu drops that run only */
  g_assert_true (lm_hp_filter_accepts (&act, relu, 0));
  g_hash_table_add (act.filter->unchecked, g_strdup ("relu"));
  g_assert_false (lm_hp_filter_accepts (&act, relu, 0));
  g_assert_true (lm_hp_filter_accepts (&act, none, 0));
  /* numeric: open until a bound is set; bounds inclusive */
  g_assert_true (lm_hp_filter_accepts (&acc, none, 1));
  g_assert_true (lm_hp_filter_accepts (&acc, nan_row, 1));
  acc.filter->min = 0.75;
  g_assert_true (lm_hp_filter_accepts (&acc, relu, 1));
  g_assert_false (lm_hp_filter_accepts (&acc, none, 1));
  g_assert_false (lm_hp_filter_accepts (&acc, nan_row, 1));
  acc.filter->max = 0.7;
  g_assert_false (lm_hp_filter_accepts (&acc, relu, 1));
  acc.filter->min = NAN;
  acc.filter->max = 0.8;
  g_assert_true (lm_hp_filter_accepts (&acc, relu, 1));
  lm_hp_filter_free (act.filter);
  lm_hp_filter_free (acc.filter);
}

/* r1 sits inside both ranges (width 1/3 of 10..40, acc 1/4 of 0.5..0.9);
 * r2's loss is NaN and r3 logged none: not plotted in the loss row. */
static const struct { const char *run; double width; const char *act; double acc, loss; } sc_runs[] = {
  { "r0", 10, "relu", 0.5, 1.0 },
  { "r1", 20, "gelu", 0.6, 0.8 },
  { "r2", 30, "tanh", 0.8, NAN },
  { "r3", 40, "relu", 0.9, -1 },
};

/* Columns: 1 act, 2 width, 3 acc, 4 loss (hparams, then metrics, by name). */
static char *
write_scatter_runs (void)
{
  char *dir = lm_test_tmpdir_new ("lumen-hp-XXXXXX");
  const char *metrics[] = { "acc", "loss" };

  for (guint i = 0; i < G_N_ELEMENTS (sc_runs); i++)
    {
      lm_writer *w;
      lm_hparam h[2] = { LM_HP_NUMBER ("width", sc_runs[i].width), LM_HP_STRING ("act", sc_runs[i].act) };

      g_assert_cmpint (lm_writer_open (&w, dir, sc_runs[i].run), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_hparams (w, h, 2, metrics, 2), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_scalar (w, "acc", 5, sc_runs[i].acc), ==, LM_OK);
      if (sc_runs[i].loss != -1)
        g_assert_cmpint (lm_writer_add_scalar (w, "loss", 5, sc_runs[i].loss), ==, LM_OK);
      g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
    }
  return dir;
}

static const LmHpPlot *
find_plot (GArray *plots, guint x_column, guint y_column)
{
  for (guint i = 0; i < plots->len; i++)
    {
      const LmHpPlot *p = &g_array_index (plots, LmHpPlot, i);

      if (p->x_column == x_column && p->y_column == y_column)
        return p;
    }
  g_error ("no plot of column %u against column %u", x_column, y_column);
  return NULL;
}

static guint
run_ordinal (LmHparamsView *hp, const char *run)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (lm_hparams_view_get_column_view (hp)));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (LmHparamsRow) row = g_list_model_get_item (model, i);

      if (strcmp (row->run_name, run) == 0)
        return row->ordinal;
    }
  g_error ("no row for run %s", run);
  return 0;
}

/* The scatter matrix drawn at w x h on an image surface. */
static cairo_surface_t *
draw_scatter (LmHparamsScatter *sc, int w, int h)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create (surface);

  lm_hparams_scatter_draw (sc, cr, w, h);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

/* Whether the pixel at (x, y) is within tol of a point of run colour
 * `ordinal` as drawn (90% over white). */
static gboolean
is_point_color (cairo_surface_t *s, double x, double y, guint ordinal, int tol)
{
  const guchar *p = cairo_image_surface_get_data (s) + (int) floor (y) * cairo_image_surface_get_stride (s)
                    + (int) floor (x) * 4;
  GdkRGBA c;

  lm_palette_color (ordinal, &c);
  return abs (p[2] - (int) lround ((0.9 * c.red + 0.1) * 255)) <= tol
         && abs (p[1] - (int) lround ((0.9 * c.green + 0.1) * 255)) <= tol
         && abs (p[0] - (int) lround ((0.9 * c.blue + 0.1) * 255)) <= tol;
}

static int
pixel_luma (cairo_surface_t *s, double x, double y)
{
  const guchar *p = cairo_image_surface_get_data (s) + (int) floor (y) * cairo_image_surface_get_stride (s)
                    + (int) floor (x) * 4;

  return (p[0] + p[1] + p[2]) / 3;
}

/* WCAG contrast of markup's first foreground colour on GTK's tooltip
 * (white text on 80% black, in its light and dark styles alike), taken
 * over a white window: the lighter, harder case. */
static double
tooltip_contrast (const char *markup)
{
  const char *at = strstr (markup, "foreground='#");
  g_autofree char *hex = NULL;
  double rgb[3], lum[2];
  guint64 v;

  g_assert_nonnull (at);
  hex = g_strndup (at + 13, 6);
  g_assert_true (g_ascii_string_to_unsigned (hex, 16, 0, 0xffffff, &v, NULL));
  for (int i = 0; i < 3; i++)
    rgb[i] = ((v >> (16 - 8 * i)) & 0xff) / 255.0;
  for (int k = 0; k < 2; k++)
    {
      double l = 0;

      for (int i = 0; i < 3; i++)
        {
          double c = k == 0 ? rgb[i] : 0.2;   /* 80% black over white */

          c = c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
          l += (i == 0 ? 0.2126 : i == 1 ? 0.7152 : 0.0722) * c;
        }
      lum[k] = l;
    }
  return (lum[0] + 0.05) / (lum[1] + 0.05);
}

/* The left pane of column filters keeps its width in a wide window (as
 * TensorBoard's): the table and the plots take the room.  Its min/max
 * entries expand to fill it, which made the pane expand with the window
 * (a third of 2560 pixels). */
static double
hparams_pane_width (LmWindow *win)
{
  GtkWidget *page = lm_dashboards_get_page (lm_window_get_dashboards (win), "hparams");
  GtkWidget *title = lm_ui_find_by_class (page, "lm-section-title");

  g_assert_nonnull (title);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (title)), ==, "Hyperparameters");
  return gtk_widget_get_width (gtk_widget_get_ancestor (title, GTK_TYPE_SCROLLED_WINDOW));
}

static void
test_hparams_pane_width (void)
{
  g_autofree char *dir = NULL;
  LmWindow *win;
  double narrow, wide;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = write_scatter_runs ();
  win = open_window_at (dir, "hparams");
  narrow = hparams_pane_width (win);
  gtk_window_destroy (GTK_WINDOW (win));
  win = open_window_sized (dir, "hparams", 1900, 900);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (win)), >, 1800);
  wide = hparams_pane_width (win);
  g_assert_cmpfloat (narrow, >=, 180);
  g_assert_cmpfloat (wide, ==, narrow);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* TensorBoard's scatter plot matrix: a plot per hparam and metric, each
 * run a point in its colour where its values put it; hover rings the run
 * in every plot, a click selects it in the table; the left pane's
 * filters take runs out of every view, hiding a column takes its plot. */
static void
test_hparams_scatter (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (GArray) plots = NULL;
  LmWindow *win;
  LmHparamsView *hp;
  LmHparamsScatter *sc;
  GtkEventController *motion, *click;
  const LmHpPlot *p;
  cairo_surface_t *s;
  double x, y;
  guint r1;
  int w, h;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = write_scatter_runs ();
  win = open_window_at (dir, "hparams");
  hp = LM_HPARAMS_VIEW (lm_dashboards_get_page (lm_window_get_dashboards (win), "hparams"));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 4);
  g_assert_cmpstr (lm_hparams_view_get_plot (hp), ==, "parallel");
  g_assert_true (lm_hparams_view_set_plot (hp, "scatter"));
  g_assert_false (lm_hparams_view_set_plot (hp, "table3d"));
  g_assert_cmpstr (lm_hparams_view_get_plot (hp), ==, "scatter");
  lm_test_spin (200);
  sc = LM_HPARAMS_SCATTER (lm_hparams_view_get_scatter (hp));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (sc)));
  w = gtk_widget_get_width (GTK_WIDGET (sc));
  h = gtk_widget_get_height (GTK_WIDGET (sc));
  g_assert_cmpint (w, >, 400);
  motion = lm_ui_find_controller (GTK_WIDGET (sc), GTK_TYPE_EVENT_CONTROLLER_MOTION);
  click = lm_ui_find_controller (GTK_WIDGET (sc), GTK_TYPE_GESTURE_CLICK);

  /* 2 hparams x 2 metrics; the loss row leaves out NaN and missing */
  plots = lm_hparams_scatter_layout (sc, w, h);
  g_assert_cmpuint (plots->len, ==, 4);
  /* the smallest plot (a 190 x 150 cell: 116 x 108 px of data) still gets
   * labels enough to read a value off: 0.5 to 6.5 across one had a single
   * tick, "5" */
  {
    LmTick ticks[LM_AXIS_MAX_TICKS];

    g_assert_cmpuint (lm_axis_ticks (LM_AXIS_VALUE, FALSE, 0.5, 6.5, lm_dash_axis_tick_target (116, TRUE), ticks),
                      >=, 3);
    g_assert_cmpuint (lm_axis_ticks (LM_AXIS_VALUE, FALSE, 0.5, 6.5, lm_dash_axis_tick_target (108, FALSE), ticks),
                      >=, 3);
  }
  g_assert_cmpuint (find_plot (plots, 1, 2)->n_plotted, ==, 4);
  g_assert_cmpuint (find_plot (plots, 1, 3)->n_plotted, ==, 2);

  /* r1's point: width 20 a third of the way across 10..40, acc 0.6 a
   * quarter of the way up 0.5..0.9 */
  r1 = run_ordinal (hp, "r1");
  p = find_plot (plots, 1, 2);
  x = p->data.origin.x + p->data.size.width / 3;
  y = p->data.origin.y + p->data.size.height * 0.75;
  s = draw_scatter (sc, w, h);
  g_assert_true (is_point_color (s, x, y, r1, 8));
  g_assert_false (is_point_color (s, x, p->data.origin.y + p->data.size.height * 0.25, r1, 8));
  /* act: gelu, relu, tanh in equal bands; r1 (gelu) in the first */
  p = find_plot (plots, 0, 2);
  g_assert_true (is_point_color (s, p->frame.origin.x + p->frame.size.width / 6, y, r1, 8));
  cairo_surface_destroy (s);

  /* hover names r1 and rings it in every plot (here, act x loss) */
  p = find_plot (plots, 1, 2);
  g_assert_cmpstr (lm_hparams_scatter_pick (sc, w, h, x + 2, y - 2), ==, "r1");
  g_assert_null (lm_hparams_scatter_pick (sc, w, h, x + 30, y - 30));
  /* its tooltip names it and its values, the metrics in a blue that reads
   * on GTK's dark tooltip (#1a59b3 there was 1.9:1) */
  {
    g_autofree char *tip = lm_hparams_scatter_tooltip (sc, w, h, x + 2, y - 2);

    g_assert_nonnull (tip);
    g_assert_true (g_str_has_prefix (tip, "<b>r1</b>"));
    g_assert_nonnull (strstr (tip, ">acc</span>: 0.6"));
    g_assert_cmpfloat (tooltip_contrast (tip), >=, 4.5);
    g_assert_null (lm_hparams_scatter_tooltip (sc, w, h, 2, 2));
  }
  /* off the points of width x loss: the runs it leaves out, and why */
  {
    const LmHpPlot *q = find_plot (plots, 1, 3);
    g_autofree char *tip = lm_hparams_scatter_tooltip (sc, w, h, q->frame.origin.x + q->frame.size.width / 2,
                                                       q->frame.origin.y + q->frame.size.height / 2);

    g_assert_nonnull (tip);
    g_assert_true (g_str_has_prefix (tip, "Not plotted (no value, NaN or ±Inf):\n<b>r2</b>\nwidth: 30\n"));
    g_assert_nonnull (strstr (tip, ">loss</span>: NaN\n<b>r3</b>\nwidth: 40\n"));
    g_assert_true (g_str_has_suffix (tip, ">loss</span>: –"));
  }
  lm_ui_emit (motion, "motion", x + 2, y - 2);
  g_assert_cmpstr (lm_hparams_scatter_get_hovered (sc), ==, "r1");
  {
    const LmHpPlot *q = find_plot (plots, 0, 3);
    /* loss 0.8 of 0.8..1.0: the bottom of the data box */
    double qx = q->frame.origin.x + q->frame.size.width / 6, qy = q->data.origin.y + q->data.size.height;
    int ring_dx = 7;   /* RADIUS + 4, rounded down to the ring's pixel */

    s = draw_scatter (sc, w, h);
    g_assert_true (is_point_color (s, qx, qy, r1, 8));
    g_assert_cmpint (pixel_luma (s, qx + ring_dx + 0.5, qy), <, 100);
    cairo_surface_destroy (s);
    lm_ui_emit (motion, "leave");
    g_assert_null (lm_hparams_scatter_get_hovered (sc));
    s = draw_scatter (sc, w, h);
    g_assert_cmpint (pixel_luma (s, qx + ring_dx + 0.5, qy), >, 200);
    cairo_surface_destroy (s);
  }
  /* a click selects r1: the run selection and the table's row */
  lm_ui_emit (click, "released", 1, x, y);
  g_assert_cmpstr (lm_run_selection_get_highlighted (lm_window_get_selection (win)), ==, "r1");
  {
    GtkSelectionModel *model = gtk_column_view_get_model (lm_hparams_view_get_column_view (hp));
    LmHparamsRow *row = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (model));

    g_assert_nonnull (row);
    g_assert_cmpstr (row->run_name, ==, "r1");
  }
  lm_ui_emit (click, "released", 1, x + 30, y - 30);
  g_assert_null (lm_run_selection_get_highlighted (lm_window_get_selection (win)));

  /* unticking gelu takes r1 out of the table and the plots */
  g_assert_true (lm_hparams_view_set_value_shown (hp, 1, "gelu", FALSE));
  g_assert_false (lm_hparams_view_set_value_shown (hp, 1, "swish", FALSE));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 3);
  g_clear_pointer (&plots, g_array_unref);
  plots = lm_hparams_scatter_layout (sc, w, h);
  g_assert_cmpuint (find_plot (plots, 1, 2)->n_plotted, ==, 3);
  s = draw_scatter (sc, w, h);
  g_assert_false (is_point_color (s, x, y, r1, 8));
  cairo_surface_destroy (s);
  g_assert_true (lm_hparams_view_set_value_shown (hp, 1, "gelu", TRUE));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 4);

  /* acc in [0.55, 0.85]: r1 and r2; a bound that is not a number is
   * marked and leaves that end open */
  g_assert_true (lm_hparams_view_set_interval (hp, 3, "0.55", "0.85"));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 2);
  g_clear_pointer (&plots, g_array_unref);
  plots = lm_hparams_scatter_layout (sc, w, h);
  g_assert_cmpuint (find_plot (plots, 1, 2)->n_plotted, ==, 2);
  g_assert_true (lm_hparams_view_set_interval (hp, 3, "0.55", "lots"));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 3);
  g_assert_false (lm_hparams_view_set_interval (hp, 1, "0", "1"));   /* act has checkboxes */
  /* loss >= 0.9: only r0 (NaN and missing fail a bound) */
  g_assert_true (lm_hparams_view_set_interval (hp, 3, NULL, NULL));
  g_assert_true (lm_hparams_view_set_interval (hp, 4, "0.9", ""));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 1);
  g_assert_true (lm_hparams_view_set_interval (hp, 4, "", ""));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 4);
  /* the regex still applies on top */
  g_assert_true (lm_hparams_view_set_filter (hp, "relu", NULL));
  g_assert_true (lm_hparams_view_set_value_shown (hp, 1, "relu", TRUE));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 2);
  g_assert_true (lm_hparams_view_set_filter (hp, "", NULL));

  /* hiding width takes its plots, its table column and its axis */
  g_assert_true (lm_hparams_view_set_column_visible (hp, 2, FALSE));
  g_clear_pointer (&plots, g_array_unref);
  plots = lm_hparams_scatter_layout (sc, w, h);
  g_assert_cmpuint (plots->len, ==, 2);
  g_assert_cmpuint (g_array_index (plots, LmHpPlot, 0).x_column, ==, 0);
  {
    GListModel *cols = gtk_column_view_get_columns (lm_hparams_view_get_column_view (hp));
    g_autoptr (GtkColumnViewColumn) width_col = g_list_model_get_item (cols, 2);
    g_autoptr (GtkColumnViewColumn) act_col = g_list_model_get_item (cols, 1);
    g_autoptr (GPtrArray) labels = check_labels (LM_PARALLEL_COORDS (lm_hparams_view_get_parallel_coords (hp)), 900, 300);

    g_assert_cmpstr (gtk_column_view_column_get_title (width_col), ==, "width");
    g_assert_false (gtk_column_view_column_get_visible (width_col));
    g_assert_true (gtk_column_view_column_get_visible (act_col));
    for (guint i = 0; i < labels->len; i++)
      g_assert_cmpstr (((LmPcLabel *) labels->pdata[i])->text, !=, "width");
  }
  /* hiding every metric leaves a note instead of plots */
  g_assert_true (lm_hparams_view_set_column_visible (hp, 3, FALSE));
  g_assert_true (lm_hparams_view_set_column_visible (hp, 4, FALSE));
  g_clear_pointer (&plots, g_array_unref);
  plots = lm_hparams_scatter_layout (sc, w, h);
  g_assert_cmpuint (plots->len, ==, 0);
  g_assert_true (lm_hparams_view_set_column_visible (hp, 2, TRUE));
  g_assert_true (lm_hparams_view_set_column_visible (hp, 3, TRUE));
  g_clear_pointer (&plots, g_array_unref);
  plots = lm_hparams_scatter_layout (sc, w, h);
  g_assert_cmpuint (plots->len, ==, 2);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* The window's hparams page (*hp) switched to its scatter plot matrix. */
static LmHparamsScatter *
show_scatter (LmWindow *win, LmHparamsView **hp)
{
  *hp = LM_HPARAMS_VIEW (lm_dashboards_get_page (lm_window_get_dashboards (win), "hparams"));
  g_assert_true (lm_hparams_view_set_plot (*hp, "scatter"));
  lm_test_spin (200);
  return LM_HPARAMS_SCATTER (lm_hparams_view_get_scatter (*hp));
}

/* Whether a and b have the same pixels in plot p's cell (its frame and
 * the room for its ticks around it). */
static gboolean
same_cell (cairo_surface_t *a, cairo_surface_t *b, const LmHpPlot *p)
{
  int stride = cairo_image_surface_get_stride (a);
  int x0 = (int) p->frame.origin.x - 40, x1 = (int) (p->frame.origin.x + p->frame.size.width) + 8;
  int y0 = (int) p->frame.origin.y - 16, y1 = (int) (p->frame.origin.y + p->frame.size.height) + 18;

  g_assert_cmpint (x0, >=, 0);
  g_assert_cmpint (x1, <=, cairo_image_surface_get_width (a));
  g_assert_cmpint (y1, <=, cairo_image_surface_get_height (a));
  for (int y = y0; y < y1; y++)
    if (memcmp (cairo_image_surface_get_data (a) + y * stride + x0 * 4,
                cairo_image_surface_get_data (b) + y * stride + x0 * 4, (x1 - x0) * 4) != 0)
      return FALSE;
  return TRUE;
}

static gboolean
is_entry_with_text (GtkWidget *w, gconstpointer text)
{
  return GTK_IS_ENTRY (w) && strcmp (gtk_editable_get_text (GTK_EDITABLE (w)), text) == 0;
}

/* A min above the max in the left pane passes no run: both entries are
 * marked and say why (the table just emptied, with nothing marked). */
static void
test_hparams_interval_crossed (void)
{
  g_autofree char *dir = NULL;
  LmWindow *win;
  LmHparamsView *hp;
  GtkWidget *lo, *hi;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = write_scatter_runs ();
  win = open_window_at (dir, "hparams");
  hp = LM_HPARAMS_VIEW (lm_dashboards_get_page (lm_window_get_dashboards (win), "hparams"));
  g_assert_true (lm_hparams_view_set_interval (hp, 3, "0.85", "0.55"));   /* acc */
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 0);
  lo = lm_ui_find_widget (GTK_WIDGET (hp), is_entry_with_text, "0.85");
  hi = lm_ui_find_widget (GTK_WIDGET (hp), is_entry_with_text, "0.55");
  g_assert_nonnull (lo);
  g_assert_nonnull (hi);
  g_assert_true (gtk_widget_has_css_class (lo, "error"));
  g_assert_true (gtk_widget_has_css_class (hi, "error"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (lo), ==,
                   "The smallest value kept, 0.85, is above the largest, 0.55: no run passes");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (hi), ==, gtk_widget_get_tooltip_text (lo));
  /* raising the max clears both */
  gtk_editable_set_text (GTK_EDITABLE (hi), "0.95");
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 1);   /* r3, acc 0.9 */
  g_assert_false (gtk_widget_has_css_class (lo, "error"));
  g_assert_false (gtk_widget_has_css_class (hi, "error"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (hi), ==, "Largest value kept (empty: no bound)");
  /* a bound that is not a number names itself, not the interval */
  gtk_editable_set_text (GTK_EDITABLE (hi), "lots");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (hi), ==, "'lots' is not a number: no upper bound");
  g_assert_false (gtk_widget_has_css_class (lo, "error"));
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* A table wider than the window, as a sweep of a dozen hparams makes it:
 * numbers were cut to their first characters ("0.07…" of 0.0794328, which
 * reads as another value) and a long hparam name made its column 400 px
 * wide, pushing the metrics off screen.  Numbers stay whole, a long title
 * is cut in the middle with the whole name in its tooltip, short titles
 * and long string values as before. */
static void
test_hparams_table_widths (void)
{
  static const char long_name[] = "model.encoder.layers.attention.dropout_probability";
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-hp-XXXXXX");
  const char *metrics[] = { "acc" };
  GtkWidget *cv;
  GtkLabel *l;
  LmWindow *win;

  if (!have_display)
    {
      g_test_skip ("no display");
      lm_test_rm_rf (dir);
      return;
    }
  for (guint r = 0; r < 4; r++)
    {
      g_autofree char *run = g_strdup_printf ("t%u", r);
      lm_hparam h[12];
      char names[10][8];
      lm_writer *w;

      for (guint k = 0; k < 10; k++)
        {
          g_snprintf (names[k], sizeof names[k], "p%u", k);
          h[k] = (lm_hparam) LM_HP_NUMBER (names[k], 0.0794328 + r + k * 1e-7);
        }
      h[10] = (lm_hparam) LM_HP_NUMBER (long_name, r / 10.0);
      h[11] = (lm_hparam) LM_HP_STRING ("opt", r ? "adamw" : "sgd_with_nesterov_momentum_and_weight_decay");
      g_assert_cmpint (lm_writer_open (&w, dir, run), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_hparams (w, h, 12, metrics, 1), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_scalar (w, "acc", 1, 0.5 + r * 0.123456), ==, LM_OK);
      g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
    }
  win = open_window_at (dir, "hparams");
  cv = GTK_WIDGET (lm_hparams_view_get_column_view (
    LM_HPARAMS_VIEW (lm_dashboards_get_page (lm_window_get_dashboards (win), "hparams"))));
  /* the table is wider than its room: columns get their minimum widths */
  {
    GtkAdjustment *h = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (cv));

    g_assert_cmpfloat (gtk_adjustment_get_upper (h), >, gtk_adjustment_get_page_size (h));
  }
  l = find_label (cv, "0.0794329");   /* p1 of t0 */
  g_assert_nonnull (l);
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (l)));
  l = find_label (cv, "sgd_with_nesterov_momentum_and_weight_decay");
  g_assert_nonnull (l);
  g_assert_true (pango_layout_is_ellipsized (gtk_label_get_layout (l)));
  /* the long title: cut, whole in the tooltip, its column under 200 px */
  l = find_label (cv, long_name);
  g_assert_nonnull (l);
  g_assert_true (pango_layout_is_ellipsized (gtk_label_get_layout (l)));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (l)), ==, long_name);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (l)), <, 200);
  l = find_label (cv, "opt");
  g_assert_nonnull (l);
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (l)));
  g_assert_null (gtk_widget_get_tooltip_text (GTK_WIDGET (l)));
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* The header label (in the column view's "header" node) titled `text`, or
 * NULL. */
static GtkLabel *
find_header_label (GtkWidget *w, const char *text, gboolean in_header)
{
  in_header = in_header || g_strcmp0 (gtk_widget_get_css_name (w), "header") == 0;
  if (in_header && GTK_IS_LABEL (w) && strcmp (gtk_label_get_text (GTK_LABEL (w)), text) == 0)
    return GTK_LABEL (w);
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkLabel *l = find_header_label (c, text, in_header);

      if (l != NULL)
        return l;
    }
  return NULL;
}

/* Whether the parallel coordinates draw an axis titled `text`. */
static gboolean
has_axis_title (GPtrArray *labels, const char *text)
{
  for (guint i = 0; i < labels->len; i++)
    {
      LmPcLabel *l = labels->pdata[i];

      if (l->is_title && strcmp (l->text, text) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Display names (TensorBoard's HParamInfo and MetricInfo display_name)
 * title the table's columns, the parallel coordinates' axes, the scatter
 * matrix's plots and the left pane's checks, where the names were; the
 * header's tooltip has the name and the description.  A column without
 * one keeps its name and no tooltip. */
static void
test_hparams_display_names (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-hp-XXXXXX");
  g_autoptr (GPtrArray) labels = NULL;
  g_autofree char *focus = NULL;
  LmHparamsView *hp;
  GtkWidget *cv;
  GtkLabel *l;
  LmWindow *win;

  if (!have_display)
    {
      g_test_skip ("no display");
      lm_test_rm_rf (dir);
      return;
    }
  for (guint r = 0; r < 3; r++)
    {
      g_autofree char *run = g_strdup_printf ("r%u", r);
      lm_hparam h[] = { LM_HP_NUMBER ("lr", 0.001 * (r + 1)), LM_HP_NUMBER ("width", 16 * (r + 1)) };
      lm_hparam_metric m[] = { LM_HP_METRIC ("acc", NULL) };
      lm_writer *w;

      h[0].display_name = "Learning rate";
      h[0].description = "Adam's step size";
      m[0].display_name = "Val. accuracy";
      g_assert_cmpint (lm_writer_open (&w, dir, run), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_hparams_ex (w, h, 2, m, 1), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_scalar (w, "acc", 1, 0.5 + r * 0.1), ==, LM_OK);
      g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
    }
  win = open_window_at (dir, "hparams");
  hp = LM_HPARAMS_VIEW (lm_dashboards_get_page (lm_window_get_dashboards (win), "hparams"));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 3);
  cv = GTK_WIDGET (lm_hparams_view_get_column_view (hp));
  l = find_header_label (cv, "Learning rate", FALSE);
  g_assert_nonnull (l);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (l)), ==, "lr\nAdam's step size");
  g_assert_null (find_header_label (cv, "lr", FALSE));
  l = find_header_label (cv, "Val. accuracy", FALSE);
  g_assert_nonnull (l);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (l)), ==, "acc");
  l = find_header_label (cv, "width", FALSE);
  g_assert_nonnull (l);
  g_assert_null (gtk_widget_get_tooltip_text (GTK_WIDGET (l)));
  /* the left pane's checks */
  g_assert_nonnull (find_label (GTK_WIDGET (hp), "Learning rate"));
  /* the parallel coordinates' axes */
  labels = check_labels (LM_PARALLEL_COORDS (lm_hparams_view_get_parallel_coords (hp)), 600, 300);
  g_assert_true (has_axis_title (labels, "Learning rate"));
  g_assert_true (has_axis_title (labels, "Val. accuracy"));
  g_assert_true (has_axis_title (labels, "width"));
  g_assert_false (has_axis_title (labels, "lr"));
  /* the scatter matrix: its first plot, the metric against lr */
  g_assert_true (lm_hparams_view_set_plot (hp, "scatter"));
  lm_test_spin (100);
  focus = lm_hparams_scatter_get_focus_text (LM_HPARAMS_SCATTER (lm_hparams_view_get_scatter (hp)));
  g_assert_nonnull (focus);
  g_assert_true (g_str_has_prefix (focus, "Plot of Val. accuracy against Learning rate:"));
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* The hparams table's column titles after the run's, joined by spaces. */
static char *
column_titles (LmHparamsView *hp)
{
  GListModel *cols = gtk_column_view_get_columns (lm_hparams_view_get_column_view (hp));
  GString *out = g_string_new (NULL);

  for (guint i = 1; i < g_list_model_get_n_items (cols); i++)
    {
      g_autoptr (GtkColumnViewColumn) col = g_list_model_get_item (cols, i);

      if (gtk_column_view_column_get_visible (col))
        g_string_append_printf (out, "%s%s", out->len ? " " : "", gtk_column_view_column_get_title (col));
    }
  return g_string_free (out, FALSE);
}

/* With an experiment's hparam list (TensorBoard's hparam_infos), its
 * hparams are the columns, in its order, as TensorBoard shows them: one
 * no run logged shows "–", one a run logged outside it is left out;
 * without a list every hparam shows, by name. */
static void
test_hparams_experiment_columns (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-hp-XXXXXX");
  g_autofree char *titles = NULL, *cell = NULL;
  const char *cols[] = { "width", "lr", "dropout" };
  LmHparamsView *hp;
  LmWindow *win;

  if (!have_display)
    {
      g_test_skip ("no display");
      lm_test_rm_rf (dir);
      return;
    }
  for (guint r = 0; r < 2; r++)
    {
      g_autofree char *run = g_strdup_printf ("r%u", r);
      lm_hparam h[] = { LM_HP_NUMBER ("lr", 0.01 * (r + 1)), LM_HP_NUMBER ("seed", r),
                        LM_HP_NUMBER ("width", 32 * (r + 1)) };
      const char *acc[] = { "acc" };
      lm_writer *w;

      g_assert_cmpint (lm_writer_open (&w, dir, run), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_hparams (w, h, 3, acc, 1), ==, LM_OK);
      if (r == 0)
        g_assert_cmpint (lm_writer_set_hparam_columns (w, cols, 3), ==, LM_OK);
      g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
    }
  win = open_window_at (dir, "hparams");
  hp = LM_HPARAMS_VIEW (lm_dashboards_get_page (lm_window_get_dashboards (win), "hparams"));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 2);
  titles = column_titles (hp);
  g_assert_cmpstr (titles, ==, "width lr dropout acc");
  cell = lm_hparams_view_get_cell (hp, 0, 3);   /* dropout */
  g_assert_cmpstr (cell, ==, "–");
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* Hover is drawn over the matrix's texture, which stays: at 300 runs x 18
 * plots every hover change redrew every plot (75-190 ms).  A hover changes
 * the pixels of the plots the run is in and no others; the texture is
 * drawn anew for what it shows: the highlighted run, the filters, the
 * theme, the run colours, the size. */
static void
test_hparams_scatter_hover_cache (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (GArray) plots = NULL;
  LmWindow *win;
  LmHparamsView *hp;
  LmHparamsScatter *sc;
  GtkEventController *motion;
  cairo_surface_t *before, *after;
  const LmHpPlot *p;
  LmThemeMode mode = lm_theme_get_mode ();
  double x, y;
  guint renders;
  int w;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = write_scatter_runs ();
  win = open_window_at (dir, "hparams");
  sc = show_scatter (win, &hp);
  w = gtk_widget_get_width (GTK_WIDGET (sc));
  plots = lm_hparams_scatter_layout (sc, w, gtk_widget_get_height (GTK_WIDGET (sc)));
  g_assert_cmpuint (plots->len, ==, 4);
  motion = lm_ui_find_controller (GTK_WIDGET (sc), GTK_TYPE_EVENT_CONTROLLER_MOTION);
  /* only the motions emitted here: the UI tests share an X server, and
   * other tests' windows coming and going under the pointer move it over
   * this one's points */
  gtk_event_controller_set_propagation_phase (motion, GTK_PHASE_NONE);
  lm_ui_emit (motion, "leave");
  before = lm_ui_snapshot_widget (GTK_WIDGET (sc));
  renders = lm_hparams_scatter_get_n_renders (sc);
  g_assert_cmpuint (renders, >=, 1);

  /* r2 (width 30, acc 0.8) is in the acc row; its loss is NaN, so it is
   * in no plot of the loss row */
  p = find_plot (plots, 1, 2);
  x = p->data.origin.x + p->data.size.width * 2 / 3;
  y = p->data.origin.y + p->data.size.height * 0.25;
  lm_ui_emit (motion, "motion", x, y);
  g_assert_cmpstr (lm_hparams_scatter_get_hovered (sc), ==, "r2");
  after = lm_ui_snapshot_widget (GTK_WIDGET (sc));
  g_assert_cmpuint (lm_hparams_scatter_get_n_renders (sc), ==, renders);
  g_assert_true (same_cell (before, after, find_plot (plots, 0, 3)));
  g_assert_true (same_cell (before, after, find_plot (plots, 1, 3)));
  g_assert_false (same_cell (before, after, find_plot (plots, 1, 2)));
  g_assert_false (same_cell (before, after, find_plot (plots, 0, 2)));
  /* the ring round r2's point (RADIUS + 4 out, dark on white) */
  g_assert_cmpint (pixel_luma (before, x + 7.5, y), >, 200);
  g_assert_cmpint (pixel_luma (after, x + 7.5, y), <, 100);
  cairo_surface_destroy (after);
  /* off it: as before, still from the same texture */
  lm_ui_emit (motion, "leave");
  after = lm_ui_snapshot_widget (GTK_WIDGET (sc));
  for (guint i = 0; i < plots->len; i++)
    g_assert_true (same_cell (before, after, &g_array_index (plots, LmHpPlot, i)));
  g_assert_cmpuint (lm_hparams_scatter_get_n_renders (sc), ==, renders);
  cairo_surface_destroy (after);

  /* the highlighted run (drawn large, the rest faded) */
  lm_run_selection_set_highlighted (lm_window_get_selection (win), "r1");
  after = lm_ui_snapshot_widget (GTK_WIDGET (sc));
  g_assert_cmpuint (lm_hparams_scatter_get_n_renders (sc), ==, ++renders);
  g_assert_false (same_cell (before, after, find_plot (plots, 1, 3)));
  cairo_surface_destroy (after);
  lm_run_selection_set_highlighted (lm_window_get_selection (win), NULL);
  after = lm_ui_snapshot_widget (GTK_WIDGET (sc));
  g_assert_cmpuint (lm_hparams_scatter_get_n_renders (sc), ==, ++renders);
  g_assert_true (same_cell (before, after, find_plot (plots, 1, 3)));
  cairo_surface_destroy (after);
  /* a filter: r2 (tanh) leaves the acc row */
  g_assert_true (lm_hparams_view_set_value_shown (hp, 1, "tanh", FALSE));
  after = lm_ui_snapshot_widget (GTK_WIDGET (sc));
  g_assert_cmpuint (lm_hparams_scatter_get_n_renders (sc), ==, ++renders);
  g_assert_false (same_cell (before, after, find_plot (plots, 1, 2)));
  g_assert_cmpint (pixel_luma (after, x, y), >, 200);
  cairo_surface_destroy (after);
  g_assert_true (lm_hparams_view_set_value_shown (hp, 1, "tanh", TRUE));
  /* a run's colour: r0 (width 10, acc 0.5) in red */
  {
    GListModel *runs = G_LIST_MODEL (lm_window_get_store (win));
    GdkRGBA red = { 1, 0, 0, 1 };

    for (guint i = 0; i < g_list_model_get_n_items (runs); i++)
      {
        g_autoptr (LmRun) run = g_list_model_get_item (runs, i);

        if (strcmp (lm_run_get_name (run), "r0") == 0)
          lm_palette_set_run_color (run, &red);
      }
    lm_run_selection_colors_changed (lm_window_get_selection (win));
    p = find_plot (plots, 1, 2);
    after = lm_ui_snapshot_widget (GTK_WIDGET (sc));
    g_assert_cmpuint (lm_hparams_scatter_get_n_renders (sc), ==, ++renders);   /* once for both changes */
    {
      const guchar *px = cairo_image_surface_get_data (after)
                         + (int) (p->data.origin.y + p->data.size.height) * cairo_image_surface_get_stride (after)
                         + (int) p->data.origin.x * 4;

      g_assert_cmpint (px[2], >, 200);   /* B, G, R: 90% red over white */
      g_assert_cmpint (px[1], <, 60);
    }
    cairo_surface_destroy (after);
  }
  /* the theme: the dark background */
  lm_theme_set_mode (LM_THEME_DARK);
  after = lm_ui_snapshot_widget (GTK_WIDGET (sc));
  g_assert_cmpuint (lm_hparams_scatter_get_n_renders (sc), ==, ++renders);
  g_assert_cmpint (pixel_luma (after, 2, 2), <, 80);
  cairo_surface_destroy (after);
  lm_theme_set_mode (mode);
  /* the size */
  gtk_window_set_default_size (GTK_WINDOW (win), 1400, 900);
  for (int i = 0; i < 40 && gtk_widget_get_width (GTK_WIDGET (sc)) == w; i++)
    lm_test_spin (50);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (sc)), !=, w);
  after = lm_ui_snapshot_widget (GTK_WIDGET (sc));
  g_assert_cmpuint (lm_hparams_scatter_get_n_renders (sc), >, renders);
  g_assert_cmpint (cairo_image_surface_get_width (after), ==, gtk_widget_get_width (GTK_WIDGET (sc)));
  cairo_surface_destroy (after);
  cairo_surface_destroy (before);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* A hyperparameter with one value in every run (a fixed seed) is left out
 * of the scatter matrix, as of the parallel coordinates, with a line above
 * the plots saying so; with every varying one hidden, the constant ones are
 * plotted after all. */
static void
test_hparams_scatter_constant (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (GArray) plots = NULL;
  const char *metrics[] = { "acc" };
  LmWindow *win;
  LmHparamsView *hp;
  LmHparamsScatter *sc;
  GListModel *cols;
  double top_with_note;
  int w, h;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = lm_test_tmpdir_new ("lumen-hp-XXXXXX");
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *run = g_strdup_printf ("lr%u", i);
      lm_hparam hps[2] = { LM_HP_NUMBER ("lr", 0.1 / (1 + i)), LM_HP_NUMBER ("seed", 7) };
      lm_writer *wr;

      g_assert_cmpint (lm_writer_open (&wr, dir, run), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_hparams (wr, hps, 2, metrics, 1), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_scalar (wr, "acc", 1, 0.5 + 0.1 * i), ==, LM_OK);
      g_assert_cmpint (lm_writer_close (wr), ==, LM_OK);
    }
  win = open_window_at (dir, "hparams");
  hp = LM_HPARAMS_VIEW (lm_dashboards_get_page (lm_window_get_dashboards (win), "hparams"));
  g_assert_cmpuint (lm_hparams_view_get_n_rows (hp), ==, 3);
  g_assert_true (lm_hparams_view_set_plot (hp, "scatter"));
  lm_test_spin (200);
  cols = gtk_column_view_get_columns (lm_hparams_view_get_column_view (hp));
  {
    g_autoptr (GtkColumnViewColumn) lr = g_list_model_get_item (cols, 1);
    g_autoptr (GtkColumnViewColumn) seed = g_list_model_get_item (cols, 2);

    g_assert_cmpstr (gtk_column_view_column_get_title (lr), ==, "lr");
    g_assert_cmpstr (gtk_column_view_column_get_title (seed), ==, "seed");
  }
  sc = LM_HPARAMS_SCATTER (lm_hparams_view_get_scatter (hp));
  w = gtk_widget_get_width (GTK_WIDGET (sc));
  h = gtk_widget_get_height (GTK_WIDGET (sc));
  plots = lm_hparams_scatter_layout (sc, w, h);
  g_assert_cmpuint (plots->len, ==, 1);   /* lr x acc; seed left out */
  g_assert_cmpuint (g_array_index (plots, LmHpPlot, 0).x_column, ==, 0);
  g_assert_cmpuint (g_array_index (plots, LmHpPlot, 0).y_column, ==, 2);
  g_assert_cmpuint (g_array_index (plots, LmHpPlot, 0).n_plotted, ==, 3);
  top_with_note = g_array_index (plots, LmHpPlot, 0).frame.origin.y;

  /* lr hidden: seed is all there is, so it is plotted, and no note */
  g_assert_true (lm_hparams_view_set_column_visible (hp, 1, FALSE));
  g_clear_pointer (&plots, g_array_unref);
  plots = lm_hparams_scatter_layout (sc, w, h);
  g_assert_cmpuint (plots->len, ==, 1);
  g_assert_cmpuint (g_array_index (plots, LmHpPlot, 0).x_column, ==, 1);
  g_assert_cmpfloat (g_array_index (plots, LmHpPlot, 0).frame.origin.y, <, top_with_note - 10);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* Axis titles and labels without the view: long names, long string
 * values, many narrow axes, many categories. */
static void
test_parallel_coords_labels (void)
{
  g_autoptr (GListStore) store = g_list_store_new (LM_TYPE_HPARAMS_ROW);
  g_autoptr (GPtrArray) columns = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) long_values = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) many_values = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) empty = g_ptr_array_new ();
  g_autofree char *long_title = g_strnfill (90, 'h');
  g_autofree char *long_metric = g_strdup_printf ("metric/%s_top5", long_title);
  GtkWidget *pc;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  pc = g_object_ref_sink (lm_parallel_coords_new (G_LIST_MODEL (store)));
  for (int i = 0; i < 3; i++)
    {
      char *v = g_strnfill (300, 'v');

      v[5] = '0' + i;
      g_ptr_array_add (long_values, v);
    }
  for (int i = 0; i < 100; i++)
    g_ptr_array_add (many_values, g_strdup_printf ("value%03d", i));

  /* lumen-train's columns at the width of a 1400-pixel window: 19 axes,
   * "parameters" 101770 next to "seed" 42 */
  for (int i = 0; i < 19; i++)
    {
      LmHpColumn *c = g_new0 (LmHpColumn, 1);

      c->name = i == 10 ? "parameters" : i == 11 ? "seed" : i % 2 ? "train_examples" : "weight_decay";
      c->is_metric = i >= 15;
      c->numeric = TRUE;
      c->lo = c->hi = i == 10 ? 101770 : i == 11 ? 42 : 0.68424;
      c->boolean = i == 8;
      c->categories = empty;
      g_ptr_array_add (columns, c);
    }
  lm_parallel_coords_set_columns (LM_PARALLEL_COORDS (pc), columns);
  {
    g_autoptr (GPtrArray) labels = check_labels (LM_PARALLEL_COORDS (pc), 1050, 400);
    g_autofree char *params = axis_labels (labels, 10);
    g_autofree char *seed = axis_labels (labels, 11);
    g_autofree char *normalize = axis_labels (labels, 8);

    g_assert_cmpstr (params, ==, "101770");
    g_assert_cmpstr (seed, ==, "42");
    g_assert_cmpstr (normalize, ==, "true");
  }
  g_ptr_array_unref (check_labels (LM_PARALLEL_COORDS (pc), 300, 180));   /* too narrow for most */

  /* Long names and values: cut to fit, the whole text kept for the tooltip. */
  g_ptr_array_set_size (columns, 0);
  for (int i = 0; i < 4; i++)
    {
      LmHpColumn *c = g_new0 (LmHpColumn, 1);

      c->name = i == 0 ? long_title : i == 3 ? long_metric : i == 1 ? "long_string_value" : "many";
      c->is_metric = i == 3;
      c->numeric = i == 0 || i == 3;
      c->lo = 1000;
      c->hi = 1002;
      c->has_nan = i == 3;
      c->categories = i == 1 ? long_values : i == 2 ? many_values : empty;
      g_ptr_array_add (columns, c);
    }
  lm_parallel_coords_set_columns (LM_PARALLEL_COORDS (pc), columns);
  for (int width = 400; width <= 1400; width += 500)
    {
      g_autoptr (GPtrArray) labels = check_labels (LM_PARALLEL_COORDS (pc), width, 300);
      guint n_many = 0;

      for (guint i = 0; i < labels->len; i++)
        {
          LmPcLabel *l = labels->pdata[i];

          if ((l->is_title && l->axis == 0) || (l->is_title && l->axis == 3))
            {
              g_assert_true (pango_layout_is_ellipsized (l->layout));
              g_assert_cmpstr (l->text, ==, l->axis == 0 ? long_title : long_metric);
            }
          if (!l->is_title && l->axis == 1)
            {
              g_assert_true (pango_layout_is_ellipsized (l->layout));
              g_assert_cmpuint (strlen (l->text), ==, 300);
            }
          n_many += !l->is_title && l->axis == 2;
        }
      /* 100 values on a short axis: some labelled, not all */
      g_assert_cmpuint (n_many, >, 2);
      g_assert_cmpuint (n_many, <, 100);
    }
  lm_parallel_coords_set_columns (LM_PARALLEL_COORDS (pc), NULL);
  g_object_unref (pc);
}

static gboolean
pr_feed_complete (gpointer page)
{
  return lm_record_feed_get_complete (lm_record_dashboard_get_feed (page));
}

/* The window on PR Curves over dir, every curve read. */
static LmWindow *
open_pr_curves (const char *dir, LmRecordDashboard **page)
{
  LmWindow *win = open_window_at (dir, "pr_curves");

  *page = LM_RECORD_DASHBOARD (lm_dashboards_get_page (lm_window_get_dashboards (win), "pr_curves"));
  g_assert_true (lm_test_wait_for (pr_feed_complete, *page, 10000));
  lm_test_spin (100);
  return win;
}

static gboolean
is_true (gpointer flag)
{
  return *(gboolean *) flag;
}

/* The feed stopped as soon as a curve is pending (its points not read). */
static void
stop_when_pending (LmRecordFeed *feed, gboolean *stopped)
{
  LmRecordSeries *s = lm_record_feed_find (feed, "a", "pr/cat");

  for (guint i = 0; s != NULL && i < s->items->len && !*stopped; i++)
    if (((LmPrCurve *) s->items->pdata[i])->pending)
      {
        lm_record_feed_set_active (feed, FALSE);
        *stopped = TRUE;
      }
}

/* A card draws each tag's newest curves as soon as they are read, before
 * the older steps' points: at a step whose curve is still being read a run
 * is not drawn (not an error, no note), and is drawn once it comes.
 * Before, nothing was drawn until every step of every run was read. */
static void
test_pr_curves_newest_first (void)
{
  g_autofree char *dir = NULL;
  LmWindow *win;
  LmRecordDashboard *page;
  LmRecordFeed *feed;
  LmPrCurveView *view;
  gboolean stopped = FALSE;
  guint n_steps = 0;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = lm_test_tmpdir_new ("lumen-pr-XXXXXX");
  lm_test_records_append_pr_curves (dir, "a", "pr/cat", 0, 5, 3, 0);   /* steps 0, 5, 10 */
  lm_test_records_append_pr_curves (dir, "b", "pr/cat", 0, 4, 2, 0);   /* steps 0, 4 */
  win = lm_window_new (NULL, dir);
  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 900);
  g_assert_true (lm_dashboards_set_view (lm_window_get_dashboards (win), "pr_curves"));
  page = LM_RECORD_DASHBOARD (lm_dashboards_get_page (lm_window_get_dashboards (win), "pr_curves"));
  feed = lm_record_dashboard_get_feed (page);
  g_signal_connect (feed, "changed", G_CALLBACK (stop_when_pending), &stopped);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (lm_test_wait_for (is_true, &stopped, 20000));
  lm_test_spin (200);
  g_assert_false (lm_record_feed_get_complete (feed));

  /* the newest step: a's 10 and b's 4, read first */
  view = LM_PR_CURVE_VIEW (lm_record_dashboard_find_card (page, "", "pr/cat"));
  lm_pr_curve_view_get_steps (view, &n_steps);
  g_assert_cmpuint (n_steps, ==, 4);
  g_assert_cmpint (lm_pr_curve_view_get_run_selected (view, "a"), ==, 10);
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 2);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "a"), ==, 10);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "b"), ==, 4);
  /* a's slider at 5: its curve there is still to be read; b stays at 4 */
  g_assert_true (lm_pr_curve_view_set_run_step (view, "a", 5));
  lm_test_spin (100);
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 1);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "a"), ==, G_MININT64);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "b"), ==, 4);
  g_assert_null (lm_pr_curve_view_get_note (view));
  /* every slider at 0: neither (the placeholder says Loading…) */
  lm_pr_curve_view_set_step (view, 0);
  lm_test_spin (100);
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 0);
  g_assert_null (lm_pr_curve_view_get_note (view));

  /* the rest read: both drawn at step 0, with no redraw asked by the test */
  lm_record_feed_set_active (feed, TRUE);
  g_assert_true (lm_test_wait_for (pr_feed_complete, page, 10000));
  lm_test_spin (100);
  g_assert_cmpint (lm_pr_curve_view_get_run_selected (view, "a"), ==, 0);
  g_assert_cmpint (lm_pr_curve_view_get_run_selected (view, "b"), ==, 0);
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 2);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "a"), ==, 0);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "b"), ==, 0);

  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

static gboolean
pr_has_rows (gpointer view)
{
  return lm_pr_curve_view_get_n_rows (view) == GPOINTER_TO_UINT (g_object_get_data (view, "want-rows"));
}

static gboolean
pr_has_note (gpointer view)
{
  return lm_pr_curve_view_get_note (view) != NULL;
}

static gboolean
pr_has_no_note (gpointer view)
{
  return lm_pr_curve_view_get_note (view) == NULL;
}

static gboolean
pr_drew_none (gpointer view)
{
  return lm_pr_curve_view_get_n_drawn (view) == 0;
}

static gboolean
pr_a_at_15 (gpointer view)
{
  return lm_pr_curve_view_get_run_selected (view, "a") == 15;
}

/* The run's curve at `step`: its "step · time of day" label ("step 10 ·
 * 09:14:03"; the full date squeezed the run's name on a narrow card),
 * or (full) the date and time its tooltip gives. */
static char *
pr_want_time (LmRecordDashboard *page, const char *run, gint64 step, gboolean full)
{
  LmRecordSeries *s = lm_record_feed_find (lm_record_dashboard_get_feed (page), run, "pr/cat");
  char st[32];

  for (guint i = 0; s != NULL && i < s->items->len; i++)
    {
      const LmPrCurve *c = s->items->pdata[i];

      if (c->step == step)
        {
          g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local ((gint64) floor (c->wall_time));
          g_autofree char *when = g_date_time_format (dt, full ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S");

          if (full)
            return g_steal_pointer (&when);
          lm_format_step (step, st, sizeof st);
          return g_strdup_printf ("step %s · %s", st, when);
        }
    }
  return NULL;
}

static char *
pr_want_label (LmRecordDashboard *page, const char *run, gint64 step)
{
  return pr_want_time (page, run, step, FALSE);
}

static gboolean
label_says (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

/* A slider per shown run, as TensorBoard's PR Curves: runs logged at
 * different steps each at a step of their own.  Moving one run's slider
 * moves only that run's line; a run of one step has a row with no slider;
 * a hidden run has no row (and is back where it was when shown again); a
 * run added live gets a row at its newest step and the others stay put.
 * Before, one slider per card moved every run to its step nearest the
 * slider's. */
static void
test_pr_curves_run_sliders (void)
{
  g_autofree char *dir = NULL, *want = NULL;
  LmWindow *win;
  LmRecordDashboard *page;
  LmPrCurveView *view;
  GtkWidget *slider_b;
  const gint64 *steps;
  guint n;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = lm_test_tmpdir_new ("lumen-pr-XXXXXX");
  lm_test_records_append_pr_curves (dir, "a", "pr/cat", 0, 5, 3, 0);   /* steps 0, 5, 10 */
  lm_test_records_append_pr_curves (dir, "b", "pr/cat", 0, 4, 2, 0);   /* steps 0, 4 */
  lm_test_records_append_pr_curves (dir, "c", "pr/cat", 7, 1, 1, 0);   /* step 7 */
  win = open_pr_curves (dir, &page);
  view = LM_PR_CURVE_VIEW (lm_record_dashboard_find_card (page, "", "pr/cat"));

  /* a row per run, each over its own steps, at its newest */
  g_assert_cmpuint (lm_pr_curve_view_get_n_rows (view), ==, 3);
  steps = lm_pr_curve_view_get_run_steps (view, "b", &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (steps[0], ==, 0);
  g_assert_cmpint (steps[1], ==, 4);
  g_assert_cmpint (lm_pr_curve_view_get_run_selected (view, "a"), ==, 10);
  g_assert_cmpint (lm_pr_curve_view_get_run_selected (view, "b"), ==, 4);
  g_assert_cmpint (lm_pr_curve_view_get_run_selected (view, "c"), ==, 7);
  want = pr_want_label (page, "a", 10);
  g_assert_cmpstr (lm_pr_curve_view_get_run_label (view, "a"), ==, want);
  g_clear_pointer (&want, g_free);
  /* c logged one step: its row says which, with no slider */
  g_assert_null (lm_pr_curve_view_get_run_slider (view, "c"));
  want = pr_want_label (page, "c", 7);
  g_assert_cmpstr (lm_pr_curve_view_get_run_label (view, "c"), ==, want);
  g_clear_pointer (&want, g_free);
  /* the row gives the time of day, its tooltip the date too */
  {
    GtkWidget *label = lm_ui_find_widget (GTK_WIDGET (view), label_says,
                                          lm_pr_curve_view_get_run_label (view, "a"));
    const char *tip;

    g_assert_nonnull (label);
    tip = gtk_widget_get_tooltip_text (label);
    want = pr_want_time (page, "a", 10, TRUE);
    g_assert_null (strstr (gtk_label_get_text (GTK_LABEL (label)), want));
    g_assert_nonnull (tip);
    g_assert_nonnull (strstr (tip, want));
    g_assert_true (g_str_has_prefix (tip, "a: step 10, logged "));
    g_clear_pointer (&want, g_free);
  }

  /* the user drags b's slider to its first stop: only b's line moves */
  slider_b = lm_pr_curve_view_get_run_slider (view, "b");
  g_assert_nonnull (slider_b);
  g_assert_true (slider_b != lm_pr_curve_view_get_run_slider (view, "a"));
  gtk_range_set_value (GTK_RANGE (slider_b), 0);
  lm_test_spin (50);
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 3);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "b"), ==, 0);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "a"), ==, 10);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "c"), ==, 7);
  want = pr_want_label (page, "b", 0);
  g_assert_cmpstr (lm_pr_curve_view_get_run_label (view, "b"), ==, want);
  g_clear_pointer (&want, g_free);
  /* the hover names each run's point at its own step */
  {
    graphene_rect_t area;
    g_autofree char *text = NULL;

    g_assert_true (lm_pr_curve_view_get_plot_area (view, &area));
    text = lm_pr_curve_view_describe_at (view, area.origin.x + area.size.width / 2, area.origin.y + 4);
    g_assert_nonnull (text);
    g_assert_nonnull (strstr (text, " · step 10\nb: "));
    g_assert_nonnull (strstr (text, " · step 0\nc: "));
    g_assert_true (g_str_has_suffix (text, " · step 7"));
  }

  /* b hidden in the run list: no row, no line; shown again, where it was */
  lm_run_set_visible (lm_run_store_find (lm_window_get_store (win), "b"), FALSE);
  lm_test_spin (50);
  g_assert_cmpuint (lm_pr_curve_view_get_n_rows (view), ==, 2);
  g_assert_null (lm_pr_curve_view_get_run_slider (view, "b"));
  g_assert_false (lm_pr_curve_view_set_run_step (view, "b", 4));
  gtk_widget_queue_draw (lm_pr_curve_view_get_plot (view));
  lm_test_spin (100);
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 2);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "b"), ==, G_MININT64);
  lm_run_set_visible (lm_run_store_find (lm_window_get_store (win), "b"), TRUE);
  lm_test_spin (50);
  g_assert_cmpuint (lm_pr_curve_view_get_n_rows (view), ==, 3);
  g_assert_true (lm_pr_curve_view_get_run_slider (view, "b") == slider_b);
  g_assert_cmpint (lm_pr_curve_view_get_run_selected (view, "b"), ==, 0);

  /* live: run d appears (steps 0, 3) and a logs step 15.  d comes at its
   * newest step; a, left at its newest, follows it; b stays at 0 */
  lm_test_records_append_pr_curves (dir, "d", "pr/cat", 0, 3, 2, 0);
  lm_test_records_append_pr_curves (dir, "a", "pr/cat", 15, 1, 1, 0);
  lm_run_store_reload (lm_window_get_store (win));
  g_object_set_data (G_OBJECT (view), "want-rows", GUINT_TO_POINTER (4));
  g_assert_true (lm_test_wait_for (pr_has_rows, view, 10000));
  g_assert_true (lm_test_wait_for (pr_a_at_15, view, 10000));
  g_assert_true (lm_test_wait_for (pr_feed_complete, page, 10000));
  lm_test_spin (100);
  g_assert_cmpint (lm_pr_curve_view_get_run_selected (view, "d"), ==, 3);
  g_assert_cmpint (lm_pr_curve_view_get_run_selected (view, "b"), ==, 0);
  g_assert_cmpint (lm_pr_curve_view_get_run_selected (view, "c"), ==, 7);
  g_assert_nonnull (lm_pr_curve_view_get_run_slider (view, "d"));
  gtk_widget_queue_draw (lm_pr_curve_view_get_plot (view));
  lm_test_spin (100);
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 4);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "a"), ==, 15);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "b"), ==, 0);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "d"), ==, 3);

  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* Whether the plot draws now the pixels of `want`. */
static gboolean
plot_shows (GtkWidget *plot, cairo_surface_t *want)
{
  cairo_surface_t *shot = lm_ui_snapshot_widget (plot);
  gboolean same = cairo_image_surface_get_height (shot) == cairo_image_surface_get_height (want)
                  && cairo_image_surface_get_stride (shot) == cairo_image_surface_get_stride (want)
                  && memcmp (cairo_image_surface_get_data (shot), cairo_image_surface_get_data (want),
                             (size_t) cairo_image_surface_get_stride (want)
                               * cairo_image_surface_get_height (want)) == 0;

  cairo_surface_destroy (shot);
  return same;
}

/* A PR card keeps its lines as an image between frames: the pointer
 * moving over it paints that image and the read-out, without stroking
 * every run's curve again (fifty runs made a hover frame cost 12-20 ms,
 * now 6-9).  What it shows is what stroking anew shows, and a run's
 * step, colour or visibility changed draws the new lines. */
static void
test_pr_curves_lines_cached (void)
{
  g_autofree char *dir = NULL;
  LmWindow *win;
  LmRecordDashboard *page;
  LmPrCurveView *view;
  GtkWidget *plot;
  LmRun *run_b;
  cairo_surface_t *first;
  graphene_rect_t area;
  GdkRGBA red = { 1, 0, 0, 1 };
  guint renders;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = lm_test_tmpdir_new ("lumen-pr-XXXXXX");
  lm_test_records_append_pr_curves (dir, "a", "pr/cat", 0, 5, 3, 0);   /* steps 0, 5, 10 */
  lm_test_records_append_pr_curves (dir, "b", "pr/cat", 0, 4, 2, 0);   /* steps 0, 4 */
  win = open_pr_curves (dir, &page);
  view = LM_PR_CURVE_VIEW (lm_record_dashboard_find_card (page, "", "pr/cat"));
  plot = lm_pr_curve_view_get_plot (view);
  run_b = lm_run_store_find (lm_window_get_store (win), "b");
  g_assert_true (lm_pr_curve_view_get_plot_area (view, &area));

  first = lm_ui_snapshot_widget (plot);
  renders = lm_pr_curve_view_get_n_line_renders (view);
  g_assert_cmpuint (renders, >=, 1);
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 2);
  /* drawn again as it was: the same pixels, the lines not stroked again */
  g_assert_true (plot_shows (plot, first));
  g_assert_cmpuint (lm_pr_curve_view_get_n_line_renders (view), ==, renders);

  /* the pointer over the plot: the read-out drawn, the lines kept */
  lm_pr_curve_view_set_hover (view, area.origin.x + area.size.width / 2, area.origin.y + 4);
  g_assert_false (plot_shows (plot, first));
  lm_pr_curve_view_set_hover (view, area.origin.x + area.size.width / 2 + 3, area.origin.y + 6);
  g_assert_false (plot_shows (plot, first));
  g_assert_cmpuint (lm_pr_curve_view_get_n_line_renders (view), ==, renders);
  lm_pr_curve_view_clear_hover (view);
  g_assert_true (plot_shows (plot, first));

  /* b's slider to step 0: b's line there, stroked anew; back at step 4,
   * the first frame's pixels */
  g_assert_true (lm_pr_curve_view_set_run_step (view, "b", 0));
  g_assert_false (plot_shows (plot, first));
  g_assert_cmpuint (lm_pr_curve_view_get_n_line_renders (view), ==, ++renders);
  g_assert_true (lm_pr_curve_view_set_run_step (view, "b", 4));
  g_assert_true (plot_shows (plot, first));
  g_assert_cmpuint (lm_pr_curve_view_get_n_line_renders (view), ==, ++renders);

  /* b in red, then its own colour again */
  lm_palette_set_run_color (run_b, &red);
  lm_run_selection_colors_changed (lm_window_get_selection (win));
  lm_test_spin (50);
  g_assert_false (plot_shows (plot, first));
  lm_palette_set_run_color (run_b, NULL);
  lm_run_selection_colors_changed (lm_window_get_selection (win));
  lm_test_spin (50);
  g_assert_true (plot_shows (plot, first));

  /* b hidden: only a's line; shown again: both */
  lm_run_set_visible (run_b, FALSE);
  lm_test_spin (50);
  g_assert_false (plot_shows (plot, first));
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 1);
  lm_run_set_visible (run_b, TRUE);
  lm_test_spin (50);
  g_assert_true (plot_shows (plot, first));
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 2);

  /* another view shown lets the image go; back on PR Curves, the lines
   * are stroked again, as they were */
  renders = lm_pr_curve_view_get_n_line_renders (view);
  g_assert_true (lm_dashboards_set_view (lm_window_get_dashboards (win), "scalars"));
  lm_test_spin (50);
  g_assert_false (gtk_widget_get_mapped (plot));
  g_assert_true (lm_dashboards_set_view (lm_window_get_dashboards (win), "pr_curves"));
  lm_test_spin (50);
  g_assert_true (plot_shows (plot, first));
  g_assert_cmpuint (lm_pr_curve_view_get_n_line_renders (view), ==, renders + 1);

  cairo_surface_destroy (first);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* PR curves of a sweep: a card shows the sliders of the first
 * PR_SLIDERS_SHOWN runs and a "Show all N runs" button, which shows the
 * others (and then "Show the first 5 runs"); every run's line is drawn
 * either way.  Before, 50 runs made a card of 50 slider rows, 2,650 px
 * under its 240 px chart. */
static void
test_pr_curves_many_runs (void)
{
  g_autofree char *dir = NULL;
  LmWindow *win;
  LmRecordDashboard *page;
  LmPrCurveView *view;
  GtkWidget *more;
  int nat_few, nat_all;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = lm_test_tmpdir_new ("lumen-pr-XXXXXX");
  for (int r = 0; r < 12; r++)
    {
      char run[16];

      g_snprintf (run, sizeof run, "run%02d", r);
      lm_test_records_append_pr_curves (dir, run, "pr/cat", 0, 5, 2, 0);
    }
  win = open_pr_curves (dir, &page);
  view = LM_PR_CURVE_VIEW (lm_record_dashboard_find_card (page, "", "pr/cat"));
  g_assert_cmpuint (lm_pr_curve_view_get_n_rows (view), ==, 12);

  /* the first 5 runs' sliders, then the button */
  g_assert_true (gtk_widget_is_visible (lm_pr_curve_view_get_run_slider (view, "run00")));
  g_assert_true (gtk_widget_is_visible (lm_pr_curve_view_get_run_slider (view, "run04")));
  g_assert_false (gtk_widget_is_visible (lm_pr_curve_view_get_run_slider (view, "run05")));
  g_assert_false (gtk_widget_is_visible (lm_pr_curve_view_get_run_slider (view, "run11")));
  more = lm_pr_curve_view_get_more_button (view);
  g_assert_true (gtk_widget_is_visible (more));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (more)), ==, "Show all 12 runs");
  gtk_widget_measure (GTK_WIDGET (view), GTK_ORIENTATION_VERTICAL, 400, NULL, &nat_few, NULL, NULL);
  /* the chart (240) and five rows of about 50 px with the button */
  g_assert_cmpint (nat_few, <, 600);
  gtk_widget_queue_draw (lm_pr_curve_view_get_plot (view));
  lm_test_spin (100);
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 12);

  /* all of them, and back */
  lm_ui_emit (more, "clicked");
  lm_test_spin (50);
  g_assert_true (gtk_widget_is_visible (lm_pr_curve_view_get_run_slider (view, "run11")));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (more)), ==, "Show the first 5 runs");
  gtk_widget_measure (GTK_WIDGET (view), GTK_ORIENTATION_VERTICAL, 400, NULL, &nat_all, NULL, NULL);
  g_assert_cmpint (nat_all, >, nat_few + 6 * 30);
  lm_ui_emit (more, "clicked");
  lm_test_spin (50);
  g_assert_false (gtk_widget_is_visible (lm_pr_curve_view_get_run_slider (view, "run05")));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (more)), ==, "Show all 12 runs");

  /* runs hidden in the run list leave 5: no button; the next run takes a
   * hidden run's place among the first 5 */
  for (int r = 5; r < 12; r++)
    {
      char run[16];

      g_snprintf (run, sizeof run, "run%02d", r);
      lm_run_set_visible (lm_run_store_find (lm_window_get_store (win), run), FALSE);
    }
  lm_test_spin (50);
  g_assert_false (gtk_widget_is_visible (more));
  lm_run_set_visible (lm_run_store_find (lm_window_get_store (win), "run00"), FALSE);
  lm_run_set_visible (lm_run_store_find (lm_window_get_store (win), "run07"), TRUE);
  lm_test_spin (50);
  g_assert_true (gtk_widget_is_visible (lm_pr_curve_view_get_run_slider (view, "run07")));
  g_assert_false (gtk_widget_is_visible (more));

  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* PR curves: a card per tag with a line per run in the run's colour at
 * the step of its slider, the hover read-out of a point, the run
 * list's toggles and the tag filter, and the empty state. */
static void
test_pr_curves (void)
{
  g_autofree char *dir = NULL, *shot = NULL;
  g_autofree char *text = NULL;
  LmWindow *win;
  GtkWidget *page, *empty;
  LmPrCurveView *view;
  LmRecordSeries *s;
  const LmPrCurve *c;
  graphene_rect_t area;
  graphene_point_t origin;
  const gint64 *steps;
  guint n;
  double px, py;
  GdkRGBA color_a, color_b;
  Image img;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  /* the shared fixture has no PR curves: the page says how to log one */
  win = open_window ("pr_curves");
  page = lm_dashboards_get_page (lm_window_get_dashboards (win), "pr_curves");
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (LM_RECORD_DASHBOARD (page)), ==, 0);
  empty = lm_ui_find_by_class (page, "lm-status-line");
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (empty)), "No PR curves logged yet."));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (empty)), "lm_writer_add_pr_curve()"));
  /* it wraps to the page: its line of 90 characters was 620 px wide at
   * least, cut at both ends in a 900 px window, and pushed the tag filter
   * past the window's right edge */
  {
    int min_w;

    gtk_widget_measure (empty, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
    g_assert_cmpint (min_w, <=, 300);
  }
  gtk_window_destroy (GTK_WINDOW (win));

  dir = lm_test_tmpdir_new ("lumen-pr-XXXXXX");
  lm_test_records_append_pr_curves (dir, "a", "pr/cat", 0, 5, 3, 0);   /* steps 0, 5, 10 */
  lm_test_records_append_pr_curves (dir, "b", "pr/cat", 0, 4, 2, 0);   /* steps 0, 4 */
  lm_test_records_append_pr_curves (dir, "b", "pr/dog", 0, 1, 1, 0);
  win = open_window_at (dir, "pr_curves");
  page = lm_dashboards_get_page (lm_window_get_dashboards (win), "pr_curves");
  /* the older steps' points follow the newest's: all read */
  g_assert_true (lm_test_wait_for (pr_feed_complete, page, 10000));
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (LM_RECORD_DASHBOARD (page)), ==, 2);
  view = LM_PR_CURVE_VIEW (lm_record_dashboard_find_card (LM_RECORD_DASHBOARD (page), "", "pr/cat"));
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 2);
  steps = lm_pr_curve_view_get_steps (view, &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpint (steps[0], ==, 0);
  g_assert_cmpint (steps[1], ==, 4);
  g_assert_cmpint (steps[3], ==, 10);
  /* each run's newest step first */
  g_assert_cmpint (lm_pr_curve_view_get_run_selected (view, "a"), ==, 10);
  g_assert_cmpint (lm_pr_curve_view_get_run_selected (view, "b"), ==, 4);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "a"), ==, 10);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "b"), ==, 4);
  /* a's slider asked for step 4: a shows its nearest, 5 (its second stop) */
  g_assert_true (lm_pr_curve_view_set_run_step (view, "a", 4));
  g_assert_cmpfloat (gtk_range_get_value (GTK_RANGE (lm_pr_curve_view_get_run_slider (view, "a"))), ==, 1);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "a"), ==, 5);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "b"), ==, 4);

  /* hover on a's point at threshold 0.5 (index 63 of 127) */
  s = lm_record_feed_find (lm_record_dashboard_get_feed (LM_RECORD_DASHBOARD (page)), "a", "pr/cat");
  c = s->items->pdata[1];
  g_assert_cmpint (c->step, ==, 5);
  g_assert_true (lm_pr_curve_view_get_plot_area (view, &area));
  px = area.origin.x + c->recall[63] * area.size.width;
  py = area.origin.y + (1 - c->precision[63]) * area.size.height;
  text = lm_pr_curve_view_describe_at (view, px, py);
  g_assert_nonnull (text);
  g_test_message ("hover: %s", text);
  {
    /* thresholds with no sample between them share a point: the hover
     * names the lowest of them */
    guint k = 63;
    g_autofree char *want = NULL;

    while (k > 0 && c->recall[k - 1] == c->recall[63] && c->precision[k - 1] == c->precision[63])
      k--;
    want = g_strdup_printf ("a: threshold %.3f · precision %.4f · recall %.4f · TP %g · FP %g · "
                            "TN %g · FN %g · step 5\nb: ",
                            k / 126.0, c->precision[k], c->recall[k], c->tp[k], c->fp[k], c->tn[k], c->fn[k]);

    g_assert_true (g_str_has_prefix (text, want));
  }
  /* far from every line: nothing */
  g_clear_pointer (&text, g_free);
  g_assert_null (lm_pr_curve_view_describe_at (view, area.origin.x + area.size.width - 2, area.origin.y + 2));

  /* pixels: each run's colour where its line passes */
  lm_test_spin (50);
  shot = g_build_filename (dir, "pr.png", NULL);
  shoot (win, shot, &img);
  g_assert_true (gtk_widget_compute_point (lm_pr_curve_view_get_plot (view), GTK_WIDGET (win),
                                           &GRAPHENE_POINT_INIT (0, 0), &origin));
  lm_palette_run_color (lm_run_store_find (lm_window_get_store (win), "a"), &color_a);
  lm_palette_run_color (lm_run_store_find (lm_window_get_store (win), "b"), &color_b);
  g_assert_false (gdk_rgba_equal (&color_a, &color_b));
  g_assert_true (lm_ui_pixel_near (&img, (int) (origin.x + px), (int) (origin.y + py), 2, &color_a, 30));
  s = lm_record_feed_find (lm_record_dashboard_get_feed (LM_RECORD_DASHBOARD (page)), "b", "pr/cat");
  c = s->items->pdata[1];
  g_assert_true (lm_ui_pixel_near (&img, (int) (origin.x + area.origin.x + c->recall[63] * area.size.width),
                                   (int) (origin.y + area.origin.y + (1 - c->precision[63]) * area.size.height), 2,
                                   &color_b, 30));
  g_free (img.pixels);

  /* the pointer on a's point: the read-out box is drawn above it, in the
   * tooltip colour */
  {
    GtkEventController *motion = lm_ui_find_controller (lm_pr_curve_view_get_plot (view),
                                                        GTK_TYPE_EVENT_CONTROLLER_MOTION);
    double by;

    g_assert_nonnull (motion);
    lm_ui_emit (motion, "motion", px, py);
    lm_test_spin (50);
    shoot (win, shot, &img);
    by = MAX (2, py - (16 * 4 + 6) - 8);   /* two rows a run */
    g_assert_true (lm_ui_pixel_near (&img, (int) (origin.x + 8), (int) (origin.y + by + 4), 1,
                                     &lm_theme_colors ()->tooltip_bg, 8));
    g_free (img.pixels);
    lm_ui_emit (motion, "leave");
  }

  /* run b filtered out of the run list: one line, and the steps are a's */
  g_assert_true (lm_run_selection_set_filter (lm_window_get_selection (win), "^a$", NULL));
  lm_test_spin (50);
  steps = lm_pr_curve_view_get_steps (view, &n);
  g_assert_cmpuint (n, ==, 3);
  gtk_widget_queue_draw (lm_pr_curve_view_get_plot (view));
  lm_test_spin (100);
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 1);
  g_assert_cmpint (lm_pr_curve_view_get_run_step (view, "b"), ==, G_MININT64);
  /* b's only tag has no card while b is not shown; the filter keeps one tag */
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (LM_RECORD_DASHBOARD (page)), ==, 1);
  g_assert_true (lm_run_selection_set_filter (lm_window_get_selection (win), "", NULL));
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (LM_RECORD_DASHBOARD (page)), ==, 2);
  g_assert_true (lm_dashboards_set_tag_filter (lm_window_get_dashboards (win), "dog", NULL));
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (LM_RECORD_DASHBOARD (page)), ==, 1);
  g_assert_nonnull (lm_record_dashboard_find_card (LM_RECORD_DASHBOARD (page), "", "pr/dog"));

  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

static void
test_cli_views (void)
{
  const char *views[] = { "histograms", "distributions", "images", "text", "pr_curves", "hparams", "hparams-scatter" };

  if (!have_display || lumen_bin == NULL)
    {
      g_test_skip (have_display ? "no lumen binary" : "no display");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *png = g_strdup_printf ("%s/cli-%s.png", logdir, views[i]);
      const char *argv[] = { lumen_bin, "--logdir", logdir, "--view", views[i], "--window-size", "1200x800",
                             "--screenshot", png, NULL };
      g_autofree char *err = NULL;
      int status;
      Image img;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   NULL, &err, &status, NULL));
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_null (strstr (err, "taking the screenshot anyway"));
      load_image (png, &img);
      g_assert_cmpint (img.width, >, 600);
      if (strcmp (views[i], "images") == 0)
        {
          guint8 rgb[3];

          lm_test_records_image_color (LM_TR_IMAGE_STEPS - 1, rgb);
          g_assert_cmpuint (count_rgb (&img, rgb, 2), >, 4000);
        }
      g_free (img.pixels);
    }
  {
    const char *argv[] = { lumen_bin, "--logdir", logdir, "--view", "graphs", "--screenshot", "/dev/null", NULL };
    g_autofree char *err = NULL;
    int status;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, NULL));
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (err, "--view must be one of"));
  }
}

/* Runs lumen on `dir`'s Histograms with --histogram-mode `mode` into
 * `png`; returns its exit status and stderr. */
static int
run_histogram_screenshot (const char *dir, const char *mode, const char *png, char **err)
{
  const char *argv[] = { lumen_bin, "--logdir", dir, "--view", "histograms", "--window-size", "1000x700",
                         "--histogram-mode", mode, "--screenshot", png, NULL };
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, err, &status, NULL));
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* lumen --view histograms --histogram-mode overlay --screenshot: every
 * card in overlay mode (curves drawn as lines, none filled in the run's
 * colour, where offset fills the newest); a mode other than offset or
 * overlay exits 2 saying so. */
static void
test_cli_histogram_mode (void)
{
  g_autofree char *dir = NULL, *png = NULL, *err = NULL;
  guint8 rgb[3];
  guint n_offset, n_overlay;
  GdkRGBA c;
  Image img;

  if (!have_display || lumen_bin == NULL)
    {
      g_test_skip (have_display ? "no lumen binary" : "no display");
      return;
    }
  dir = write_uneven_run ();
  png = g_build_filename (dir, "mode.png", NULL);
  lm_palette_color (0, &c);
  rgb[0] = (guint8) (c.red * 255 + .5), rgb[1] = (guint8) (c.green * 255 + .5), rgb[2] = (guint8) (c.blue * 255 + .5);
  g_assert_cmpint (run_histogram_screenshot (dir, "offset", png, &err), ==, 0);
  load_image (png, &img);
  n_offset = count_rgb (&img, rgb, 6);
  g_free (img.pixels);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_histogram_screenshot (dir, "overlay", png, &err), ==, 0);
  load_image (png, &img);
  n_overlay = count_rgb (&img, rgb, 6);
  g_free (img.pixels);
  g_clear_pointer (&err, g_free);
  g_test_message ("pixels in the run's colour: offset %u, overlay %u", n_offset, n_overlay);
  g_assert_cmpuint (n_offset, >, 2000);
  g_assert_cmpuint (n_overlay * 4, <, n_offset);

  g_assert_cmpint (run_histogram_screenshot (dir, "ridge", png, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--histogram-mode must be offset or overlay; got 'ridge'"));
  lm_test_rm_rf (dir);
}

/* Runs lumen on `dir`'s PR Curves with `step` (NULL: none) into `png`;
 * returns its exit status and stderr. */
static int
run_pr_screenshot (const char *dir, const char *step, const char *png, char **err)
{
  const char *argv[] = { lumen_bin, "--logdir", dir, "--view", "pr_curves", "--window-size", "1000x700",
                         png ? "--screenshot" : "--step", png ? png : step, step ? "--step" : NULL, step, NULL };
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, err, &status, NULL));
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* lumen --view pr_curves --step N --screenshot: every run's slider at its
 * step nearest N (a at 10 and b at 4 is what the window opens on: the
 * same pixels; step 0 moves both); a bad N, or --step without
 * --screenshot, exits 2 saying so. */
static void
test_cli_pr_step (void)
{
  g_autofree char *dir = NULL;
  static const char *const steps[] = { NULL, "10", "0" };
  GBytes *bytes[3];

  if (!have_display || lumen_bin == NULL)
    {
      g_test_skip (have_display ? "no lumen binary" : "no display");
      return;
    }
  dir = lm_test_tmpdir_new ("lumen-pr-XXXXXX");
  lm_test_records_append_pr_curves (dir, "a", "pr/cat", 0, 5, 3, 0);   /* steps 0, 5, 10 */
  lm_test_records_append_pr_curves (dir, "b", "pr/cat", 0, 4, 2, 0);   /* steps 0, 4 */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *err = NULL, *data = NULL, *png = g_strdup_printf ("%s/pr-%u.png", dir, i);
      gsize len;

      g_assert_cmpint (run_pr_screenshot (dir, steps[i], png, &err), ==, 0);
      g_assert_null (strstr (err, "taking the screenshot anyway"));
      g_assert_true (g_file_get_contents (png, &data, &len, NULL));
      bytes[i] = g_bytes_new_take (g_steal_pointer (&data), len);
    }
  g_assert_true (g_bytes_equal (bytes[0], bytes[1]));
  g_assert_false (g_bytes_equal (bytes[0], bytes[2]));
  for (guint i = 0; i < 3; i++)
    g_bytes_unref (bytes[i]);
  {
    g_autofree char *err = NULL, *bad = g_strdup_printf ("%s/bad.png", dir);

    g_assert_cmpint (run_pr_screenshot (dir, "x", bad, &err), ==, 2);
    g_assert_nonnull (strstr (err, "lumen: --step on the PR Curves view must be a step N"));
    g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_pr_screenshot (dir, "4", NULL, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--step on the PR Curves view sets each run's slider for --screenshot"));
  }
  lm_test_rm_rf (dir);
}

/* A run whose histogram pages are damaged part-way: the histograms read
 * before the damage stay, and the page says the run could not be read. */
static void
test_damaged_run (void)
{
  g_autofree char *dir = NULL, *path = NULL, *bytes = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  gint64 page = 0;
  GArray *pages = g_array_new (FALSE, FALSE, sizeof (gint64));
  gsize len = 0;
  LmWindow *win;
  GtkWidget *dash;

  if (!have_display)
    {
      g_test_skip ("no display");
      g_array_unref (pages);
      return;
    }
  dir = lm_test_tmpdir_new ("lumen-dash-damaged-XXXXXX");
  lm_test_records_write (dir, "damaged", 0.1, "adam", 0.9, TRUE);
  path = g_build_filename (dir, "damaged", "run.lumen", NULL);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  /* enough histogram rows for several leaf pages */
  for (int i = 0; i < 6; i++)
    g_assert_cmpint (sqlite3_exec (db, "INSERT INTO histograms (tag_id, step, wall_time, count, min, max, sum, "
                                       "sum_squares, nan_count, bucket_count, edges, counts) "
                                       "SELECT tag_id, step + (SELECT max(step) + 1 FROM histograms), wall_time, "
                                       "count, min, max, sum, sum_squares, nan_count, bucket_count, edges, counts "
                                       "FROM histograms", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA page_size", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  page = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  if (sqlite3_prepare_v2 (db, "SELECT pageno FROM dbstat WHERE name = 'histograms' AND pagetype = 'leaf' "
                              "ORDER BY pageno", -1, &st, NULL) == SQLITE_OK)
    while (sqlite3_step (st) == SQLITE_ROW)
      {
        gint64 p = sqlite3_column_int64 (st, 0);
        g_array_append_val (pages, p);
      }
  sqlite3_finalize (st);
  sqlite3_close (db);
  if (pages->len < 3)
    {
      g_test_skip ("no dbstat table in this SQLite: cannot aim the damage");
      g_array_unref (pages);
      lm_test_rm_rf (dir);
      return;
    }
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  for (guint i = pages->len / 2; i < pages->len; i++)
    memset (bytes + (g_array_index (pages, gint64, i) - 1) * page, 0x5a, (gsize) page);
  g_assert_true (g_file_set_contents (path, bytes, (gssize) len, NULL));
  g_array_unref (pages);

  win = lm_window_new (NULL, dir);
  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 900);
  g_assert_true (lm_dashboards_set_view (lm_window_get_dashboards (win), "histograms"));
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  lm_test_spin (300);
  dash = lm_dashboards_get_page (lm_window_get_dashboards (win), "histograms");
  g_test_message ("%s", lm_record_dashboard_get_run_errors (LM_RECORD_DASHBOARD (dash)));
  g_assert_nonnull (strstr (lm_record_dashboard_get_run_errors (LM_RECORD_DASHBOARD (dash)),
                            "damaged: cannot read its histograms"));
  g_assert_nonnull (strstr (lm_record_dashboard_get_run_errors (LM_RECORD_DASHBOARD (dash)), "corrupt"));
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* A run whose PR rows are damaged (a threshold's point deleted) on a card
 * with a good run: the good line is drawn and the card's note names the
 * run and what is wrong; with only the damaged run shown, the placeholder
 * does.  Before, the note said "1 run not drawn" without the run. */
static void
test_pr_curves_damaged (void)
{
  g_autofree char *dir = NULL, *path = NULL;
  LmWindow *win;
  GtkWidget *page;
  LmPrCurveView *view;
  sqlite3 *db = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = lm_test_tmpdir_new ("lumen-pr-bad-XXXXXX");
  lm_test_records_append_pr_curves (dir, "a", "pr/cat", 0, 1, 2, 0);
  lm_test_records_append_pr_curves (dir, "b", "pr/cat", 0, 1, 2, 0);
  path = g_build_filename (dir, "b", "run.lumen", NULL);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM pr_curve_points WHERE i = 3", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  win = open_window_at (dir, "pr_curves");
  page = lm_dashboards_get_page (lm_window_get_dashboards (win), "pr_curves");
  view = LM_PR_CURVE_VIEW (lm_record_dashboard_find_card (LM_RECORD_DASHBOARD (page), "", "pr/cat"));
  g_assert_nonnull (view);
  /* each time, the redraw that follows the change (it may come late on a
   * loaded machine, where a fixed 100 ms was not always enough) */
  gtk_widget_queue_draw (lm_pr_curve_view_get_plot (view));
  g_assert_true (lm_test_wait_for (pr_has_note, view, 10000));
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 1);
  g_assert_cmpstr (lm_pr_curve_view_get_note (view), ==, "1 run not drawn: b: threshold 3 of 127 has no point");
  /* the good run alone: no note */
  g_assert_true (lm_run_selection_set_filter (lm_window_get_selection (win), "^a$", NULL));
  gtk_widget_queue_draw (lm_pr_curve_view_get_plot (view));
  g_assert_true (lm_test_wait_for (pr_has_no_note, view, 10000));
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 1);
  g_assert_null (lm_pr_curve_view_get_note (view));
  /* the damaged run alone: the placeholder, the same words */
  g_assert_true (lm_run_selection_set_filter (lm_window_get_selection (win), "^b$", NULL));
  gtk_widget_queue_draw (lm_pr_curve_view_get_plot (view));
  g_assert_true (lm_test_wait_for (pr_drew_none, view, 10000));
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (view), ==, 0);
  g_assert_cmpstr (lm_pr_curve_view_get_note (view), ==, "1 run not drawn: b: threshold 3 of 127 has no point");

  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  int rc;

  lumen_bin = lm_ui_take_lumen_bin (&argc, &argv);
  have_display = lm_ui_test_init (&argc, &argv);
  logdir = lm_test_tmpdir_new ("lumen-dash-XXXXXX");
  lm_test_records_write (logdir, "a", 0.1, "adam", 0.9, TRUE);
  lm_test_records_write (logdir, "b", 0.01, "sgd", 0.7, FALSE);
  g_test_add_func ("/ui/dashboards/histograms", test_histograms);
  g_test_add_func ("/ui/dashboards/distributions", test_distributions);
  g_test_add_func ("/ui/dashboards/offscreen-page-deferred", test_offscreen_page_deferred);
  g_test_add_func ("/ui/dashboards/card-tooltips-quiet", test_card_tooltips_quiet);
  g_test_add_func ("/ui/dashboards/scalar-image-tooltips-quiet", test_scalar_image_tooltips_quiet);
  g_test_add_data_func ("/ui/dashboards/offscreen-cards-skipped", "histograms", test_offscreen_cards_skipped);
  g_test_add_data_func ("/ui/dashboards/offscreen-distributions-skipped", "distributions",
                        test_offscreen_cards_skipped);
  g_test_add_func ("/ui/dashboards/columns", test_columns);
  g_test_add_func ("/ui/dashboards/offset-axis", test_offset_axis);
  g_test_add_func ("/ui/dashboards/offset-look", test_offset_look);
  g_test_add_func ("/ui/dashboards/view-larger", test_view_larger);
  g_test_add_func ("/ui/dashboards/view-larger-other-page", test_view_larger_other_page);
  g_test_add_func ("/ui/dashboards/dispose-keeps-shared-feed", test_dispose_keeps_shared_feed);
  g_test_add_func ("/ui/dashboards/distribution-axis", test_distribution_axis);
  g_test_add_func ("/ui/dashboards/distribution-bands", test_distribution_bands);
  g_test_add_func ("/ui/dashboards/nonfinite", test_nonfinite);
  g_test_add_func ("/ui/dashboards/images", test_images);
  g_test_add_func ("/ui/dashboards/text", test_text);
  g_test_add_func ("/ui/dashboards/pr-curves", test_pr_curves);
  g_test_add_func ("/ui/dashboards/pr-curves-newest-first", test_pr_curves_newest_first);
  g_test_add_func ("/ui/dashboards/pr-curves-run-sliders", test_pr_curves_run_sliders);
  g_test_add_func ("/ui/dashboards/pr-curves-many-runs", test_pr_curves_many_runs);
  g_test_add_func ("/ui/dashboards/pr-curves-lines-cached", test_pr_curves_lines_cached);
  g_test_add_func ("/ui/dashboards/cli-pr-step", test_cli_pr_step);
  g_test_add_func ("/ui/dashboards/pr-curves-damaged", test_pr_curves_damaged);
  g_test_add_func ("/ui/dashboards/hparams", test_hparams);
  g_test_add_func ("/ui/dashboards/hparams-values", test_hparams_values);
  g_test_add_func ("/ui/dashboards/hparams-mixed-types", test_hparams_mixed_types);
  g_test_add_func ("/ui/dashboards/parallel-coords-labels", test_parallel_coords_labels);
  g_test_add_func ("/ui/dashboards/hparams-filter-logic", test_hparams_filter_logic);
  g_test_add_func ("/ui/dashboards/hparams-scatter", test_hparams_scatter);
  g_test_add_func ("/ui/dashboards/hparams-pane-width", test_hparams_pane_width);
  g_test_add_func ("/ui/dashboards/hparams-scatter-constant", test_hparams_scatter_constant);
  g_test_add_func ("/ui/dashboards/hparams-scatter-hover-cache", test_hparams_scatter_hover_cache);
  g_test_add_func ("/ui/dashboards/hparams-table-widths", test_hparams_table_widths);
  g_test_add_func ("/ui/dashboards/hparams-display-names", test_hparams_display_names);
  g_test_add_func ("/ui/dashboards/hparams-experiment-columns", test_hparams_experiment_columns);
  g_test_add_func ("/ui/dashboards/hparams-interval-crossed", test_hparams_interval_crossed);
  g_test_add_func ("/ui/dashboards/cli", test_cli_views);
  g_test_add_func ("/ui/dashboards/cli-histogram-mode", test_cli_histogram_mode);
  g_test_add_func ("/ui/dashboards/damaged-run", test_damaged_run);
  rc = g_test_run ();
  lm_test_rm_rf (logdir);
  g_free (logdir);
  return have_display ? rc : 77;
}
