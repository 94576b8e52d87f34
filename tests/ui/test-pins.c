/* test-pins.c: pinned cards and run colours the user picks, as in
 * TensorBoard's Time Series dashboard and run list.
 *
 * What it checks: a card's pin button puts a second card in the Pinned
 * section above the groups (in the order pinned) and the tag into
 * settings.ini under the log directory; a new window on the same log
 * directory shows it pinned; a pinned tag no run has yet waits and shows
 * when a run logs it; the tag filter does not hide pinned cards;
 * unpinning from the pinned card removes it.  A colour picked in the run
 * list's colour chooser is what the chart draws the run's line in (pixels
 * of a screenshot), is saved and comes back in a new window, and "Reset
 * to Default" brings the palette's colour back.  Histogram and image
 * cards pin the same way, per (tag, run), each dashboard under a key of
 * its own.  Skips without a display.
 */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "lm-palette.h"
#include "lm-image-card.h"
#include "lm-preferences.h"
#include "lm-pr-curve-view.h"
#include "lm-record-dashboard.h"
#include "lm-window.h"
#include "ui-test-util.h"
#include "lm-test-run.h"
#include "lm-test-records.h"

static gboolean have_display;

#define N_POINTS 100

static gboolean
settled (gpointer data)
{
  return lm_window_is_settled (data);
}

/* alpha: train/loss = 2 - i/100; beta: 1 + i/100; both train/acc and
 * eval/score (steps 0..99). */
static char *
make_logdir (void)
{
  char *dir = lm_test_tmpdir_new ("lumen-pins-XXXXXX");

  for (int r = 0; r < 2; r++)
    {
      LmTestRun *run = lm_test_run_create (dir, r == 0 ? "alpha" : "beta");

      lm_test_run_begin (run);
      for (int i = 0; i < N_POINTS; i++)
        {
          lm_test_run_add_scalar (run, "train/loss", i, 1.7e9 + i, r == 0 ? 2 - i / 100.0 : 1 + i / 100.0);
          lm_test_run_add_scalar (run, "train/acc", i, 1.7e9 + i, 0.5);
          lm_test_run_add_scalar (run, "eval/score", i, 1.7e9 + i, 0.25);
        }
      lm_test_run_set_status (run, "finished");
      lm_test_run_commit (run);
      lm_test_run_close (run);
    }
  return dir;
}

/* A window as `lumen` makes one: settings loaded, then tracked. */
static LmWindow *
open_window (const char *logdir, const char *prefs)
{
  LmWindow *win = lm_window_new (NULL, logdir);
  g_autoptr (GError) error = NULL;

  g_assert_true (lm_preferences_load (win, prefs, &error));
  g_assert_no_error (error);
  lm_preferences_track (win, prefs);
  lm_chart_settings_set_smoothing (lm_window_get_settings (win), 0.0);
  gtk_window_set_default_size (GTK_WINDOW (win), 1300, 900);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  return win;
}

static char *
file_text (const char *path)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* The tags of the Pinned section's cards, in the order shown. */
static char *
pinned_order (LmCardGrid *grid, const char *any_pinned_tag)
{
  LmScalarCard *card = lm_card_grid_find_pinned_card (grid, any_pinned_tag);
  GtkWidget *flow = gtk_widget_get_parent (gtk_widget_get_parent (GTK_WIDGET (card)));
  GString *out = g_string_new (NULL);

  for (int i = 0; gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (flow), i) != NULL; i++)
    {
      GtkWidget *c = gtk_flow_box_child_get_child (gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (flow), i));

      g_string_append_printf (out, "%s%s", out->len ? "," : "", lm_scalar_card_get_tag (LM_SCALAR_CARD (c)));
    }
  return g_string_free (out, FALSE);
}

static double
y_in_grid (LmCardGrid *grid, LmScalarCard *card)
{
  graphene_point_t in = GRAPHENE_POINT_INIT (0, 0), out;

  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (card), GTK_WIDGET (grid), &in, &out));
  return out.y;
}

typedef struct
{
  LmCardGrid *grid;
  const char *tag;
} PinWait;

static gboolean
pinned_card_shown (gpointer data)
{
  PinWait *w = data;

  return lm_card_grid_find_pinned_card (w->grid, w->tag) != NULL;
}

static void
test_pins (void)
{
  g_autofree char *logdir = NULL, *cfg = NULL, *prefs = NULL, *text = NULL, *order = NULL;
  g_autofree char *abs = NULL, *group_line = NULL;
  LmWindow *win;
  LmCardGrid *grid;
  LmScalarCard *card, *pinned, *group_card;
  GtkToggleButton *pin;
  g_autofree char *label = NULL;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  logdir = make_logdir ();
  cfg = lm_test_tmpdir_new ("lumen-pins-cfg-XXXXXX");
  prefs = g_build_filename (cfg, "lumen", "settings.ini", NULL);
  abs = g_canonicalize_filename (logdir, NULL);
  group_line = g_strdup_printf ("[logdir %s]\n", abs);

  win = open_window (logdir, prefs);
  grid = lm_window_get_card_grid (win);
  card = lm_card_grid_find_card (grid, "eval/score");
  g_assert_nonnull (card);
  g_assert_null (lm_card_grid_find_pinned_card (grid, "eval/score"));

  /* the header's pin button, named for screen readers */
  pin = lm_scalar_card_get_pin_button (card);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (pin)));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (pin)), ==, "Pin this card to the top");

  /* pin from the group's card: a card in the Pinned section, above every
   * group (eval sorts after train), the group keeps its own */
  gtk_toggle_button_set_active (pin, TRUE);
  pinned = lm_card_grid_find_pinned_card (grid, "eval/score");
  g_assert_nonnull (pinned);
  g_assert_true (pinned != card);
  g_assert_true (lm_card_grid_find_card (grid, "eval/score") == card);
  g_assert_true (gtk_toggle_button_get_active (lm_scalar_card_get_pin_button (pinned)));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (pin)), ==, "Unpin this card");
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  g_assert_cmpfloat (y_in_grid (grid, pinned), <, y_in_grid (grid, lm_card_grid_find_card (grid, "train/loss")));

  /* a tag no run has: kept, not shown; then one more, shown after the first */
  g_assert_true (lm_card_grid_set_pinned (grid, "later/tag", TRUE));
  g_assert_null (lm_card_grid_find_pinned_card (grid, "later/tag"));
  g_assert_true (lm_card_grid_set_pinned (grid, "train/loss", TRUE));
  g_assert_false (lm_card_grid_set_pinned (grid, "train/loss", TRUE));
  g_assert_cmpuint (lm_card_grid_get_n_pinned_shown (grid), ==, 2);
  order = pinned_order (grid, "eval/score");
  g_assert_cmpstr (order, ==, "eval/score,train/loss");

  /* saved under the log directory */
  lm_preferences_flush (win);
  text = file_text (prefs);
  g_assert_nonnull (strstr (text, group_line));
  g_assert_nonnull (strstr (text, "pinned-scalars=eval/score;later/tag;train/loss;\n"));
  g_clear_pointer (&text, g_free);

  /* a filter that hides the eval group leaves the pinned card on screen */
  g_assert_true (lm_card_grid_set_filter (grid, "^train/acc$", NULL));
  g_assert_cmpuint (lm_card_grid_get_n_shown (grid), ==, 1);
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (card)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (pinned)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (lm_card_grid_find_pinned_card (grid, "train/loss"))));
  /* only pinned cards match nothing else: the cards page, not "no tags match" */
  g_assert_true (lm_card_grid_set_filter (grid, "^nothing$", NULL));
  g_assert_cmpuint (lm_card_grid_get_n_shown (grid), ==, 0);
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (pinned)));
  gtk_window_destroy (GTK_WINDOW (win));

  /* a restart: the same pins, in order, the group cards' buttons on */
  win = open_window (logdir, prefs);
  grid = lm_window_get_card_grid (win);
  g_assert_true (lm_card_grid_is_pinned (grid, "later/tag"));
  pinned = lm_card_grid_find_pinned_card (grid, "eval/score");
  g_assert_nonnull (pinned);
  g_clear_pointer (&order, g_free);
  order = pinned_order (grid, "eval/score");
  g_assert_cmpstr (order, ==, "eval/score,train/loss");
  group_card = lm_card_grid_find_card (grid, "eval/score");
  g_assert_true (gtk_toggle_button_get_active (lm_scalar_card_get_pin_button (group_card)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (pinned)));

  /* a run that logs the waiting tag later: its pinned card appears, in
   * pin order (between the two) */
  {
    LmTestRun *run = lm_test_run_create (logdir, "gamma");
    PinWait w = { grid, "later/tag" };

    lm_test_run_begin (run);
    lm_test_run_add_scalar (run, "later/tag", 0, 1.7e9, 1.0);
    lm_test_run_set_status (run, "finished");
    lm_test_run_commit (run);
    lm_test_run_close (run);
    g_assert_true (lm_test_wait_for (pinned_card_shown, &w, 20000));
    g_clear_pointer (&order, g_free);
    order = pinned_order (grid, "eval/score");
    g_assert_cmpstr (order, ==, "eval/score,later/tag,train/loss");
  }

  /* unpin from the pinned card: gone from the section, the group's card
   * unpinned too, and from the file */
  gtk_toggle_button_set_active (lm_scalar_card_get_pin_button (pinned), FALSE);
  g_assert_null (lm_card_grid_find_pinned_card (grid, "eval/score"));
  g_assert_false (lm_card_grid_is_pinned (grid, "eval/score"));
  g_assert_false (gtk_toggle_button_get_active (lm_scalar_card_get_pin_button (group_card)));
  label = g_strdup (gtk_widget_get_tooltip_text (GTK_WIDGET (lm_scalar_card_get_pin_button (group_card))));
  g_assert_cmpstr (label, ==, "Pin this card to the top");
  lm_preferences_flush (win);
  text = file_text (prefs);
  g_assert_nonnull (strstr (text, "pinned-scalars=later/tag;train/loss;\n"));
  g_clear_pointer (&text, g_free);

  /* everything unpinned: the section goes, and the log directory's group */
  lm_card_grid_set_pinned (grid, "later/tag", FALSE);
  lm_card_grid_set_pinned (grid, "train/loss", FALSE);
  g_assert_cmpuint (lm_card_grid_get_n_pinned_shown (grid), ==, 0);
  lm_preferences_flush (win);
  text = file_text (prefs);
  g_assert_null (strstr (text, "[logdir"));
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (cfg);
  lm_test_rm_rf (logdir);
}

/* Where train/loss of alpha at `step` is on a screenshot of the window. */
static void
line_point (LmWindow *win, int step, int *x, int *y)
{
  LmChart *chart = lm_scalar_card_get_chart (lm_card_grid_find_card (lm_window_get_card_grid (win), "train/loss"));
  graphene_point_t in, out;
  double px, py;

  g_assert_true (lm_plot_data_to_pixel (lm_chart_get_plot (chart), step, 2 - step / 100.0, &px, &py));
  in = GRAPHENE_POINT_INIT (px, py);
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (chart), GTK_WIDGET (win), &in, &out));
  *x = (int) out.x;
  *y = (int) out.y;
}

/* alpha's line is drawn in `color` (and, unless same, not in `other`)
 * at several of its points. */
static void
assert_line_color (LmWindow *win, const char *png, const GdkRGBA *color, const GdkRGBA *other)
{
  static const int steps[] = { 10, 40, 70 };
  LmUiImage img = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_true (lm_test_wait_for (settled, win, 20000));
  g_assert_true (lm_ui_save_screenshot (win, png, &error));
  g_assert_true (lm_ui_image_load (png, &img, &error));
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      int x, y;

      line_point (win, steps[i], &x, &y);
      if (!lm_ui_pixel_near (&img, x, y, 2, color, 40))
        g_error ("no line in the expected colour near step %d (%d, %d)", steps[i], x, y);
      if (other != NULL)
        g_assert_false (lm_ui_pixel_near (&img, x, y, 2, other, 40));
    }
  g_free (img.pixels);
}

static void
test_run_colors (void)
{
  g_autofree char *logdir = NULL, *cfg = NULL, *prefs = NULL, *text = NULL, *png = NULL;
  LmWindow *win;
  LmRunList *list;
  LmRun *alpha, *beta;
  GtkWidget *dialog;
  GdkRGBA palette, green = { 0, 0.8f, 0, 1 }, c;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  logdir = make_logdir ();
  cfg = lm_test_tmpdir_new ("lumen-colors-cfg-XXXXXX");
  prefs = g_build_filename (cfg, "lumen", "settings.ini", NULL);
  png = g_build_filename (cfg, "shot.png", NULL);

  win = open_window (logdir, prefs);
  list = lm_window_get_run_list (win);
  alpha = lm_run_store_find (lm_window_get_store (win), "alpha");
  beta = lm_run_store_find (lm_window_get_store (win), "beta");
  lm_palette_color (lm_run_get_ordinal (alpha), &palette);
  assert_line_color (win, png, &palette, &green);

  /* the colour chooser the dot opens: starts at the run's colour; OK
   * recolours the line, the beta run keeps its colour */
  dialog = lm_run_list_choose_color (list, alpha);
  gtk_color_chooser_get_rgba (GTK_COLOR_CHOOSER (dialog), &c);
  g_assert_true (gdk_rgba_equal (&c, &palette));
  gtk_color_chooser_set_rgba (GTK_COLOR_CHOOSER (dialog), &green);
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_OK);
  lm_palette_run_color (alpha, &c);
  g_assert_true (gdk_rgba_equal (&c, &green));
  g_assert_false (lm_palette_run_has_color (beta));
  assert_line_color (win, png, &green, &palette);

  lm_preferences_flush (win);
  text = file_text (prefs);
  g_assert_nonnull (strstr (text, "run-colors=alpha=#00cc00;\n"));
  g_clear_pointer (&text, g_free);
  gtk_window_destroy (GTK_WINDOW (win));

  /* a restart: still green */
  win = open_window (logdir, prefs);
  list = lm_window_get_run_list (win);
  alpha = lm_run_store_find (lm_window_get_store (win), "alpha");
  lm_palette_run_color (alpha, &c);
  g_assert_true (gdk_rgba_equal (&c, &green));
  assert_line_color (win, png, &green, &palette);

  /* "Reset to Default": the palette's colour, and nothing saved */
  dialog = lm_run_list_choose_color (list, alpha);
  gtk_dialog_response (GTK_DIALOG (dialog), 1);
  g_assert_false (lm_palette_run_has_color (alpha));
  assert_line_color (win, png, &palette, &green);
  lm_preferences_flush (win);
  text = file_text (prefs);
  g_assert_null (strstr (text, "run-colors"));
  g_clear_pointer (&text, g_free);

  /* a bad colour in the file is named and skipped */
  {
    g_autoptr (GKeyFile) kf = g_key_file_new ();
    g_autoptr (GError) error = NULL;
    g_autofree char *abs = g_canonicalize_filename (logdir, NULL);
    g_autofree char *group = g_strconcat ("logdir ", abs, NULL);
    const char *bad[] = { "alpha=#zzz", "beta=#0000ff" };
    LmWindow *w2;

    g_key_file_set_string_list (kf, group, "run-colors", bad, 2);
    g_assert_true (g_key_file_save_to_file (kf, prefs, NULL));
    w2 = lm_window_new (NULL, logdir);
    g_assert_false (lm_preferences_load (w2, prefs, &error));
    g_assert_nonnull (strstr (error->message, "run-colors=alpha=#zzz is not a list of run=#rrggbb"));
    g_assert_cmpstr (g_hash_table_lookup (lm_run_list_get_run_colors (lm_window_get_run_list (w2)), "beta"),
                     ==, "#0000ff");
    gtk_window_destroy (GTK_WINDOW (w2));
  }
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (cfg);
  lm_test_rm_rf (logdir);
}

/* ------------------------------------------------ histogram and image pins */

static LmRecordDashboard *
record_page (LmWindow *win, const char *name)
{
  return LM_RECORD_DASHBOARD (lm_dashboards_get_page (lm_window_get_dashboards (win), name));
}

/* The "tag@run" of the Pinned section's cards, in the order shown. */
static char *
record_pinned_order (GtkWidget *any_pinned)
{
  /* body -> card box -> flow box child -> flow box */
  GtkWidget *flow = gtk_widget_get_parent (gtk_widget_get_parent (gtk_widget_get_parent (any_pinned)));
  GString *out = g_string_new (NULL);

  for (int i = 0; gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (flow), i) != NULL; i++)
    {
      const char *key = g_object_get_data (G_OBJECT (gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (flow), i)),
                                           "lm-key");
      g_autofree char *k = g_strdup (key);

      *strchr (k, '\n') = '@';
      g_string_append_printf (out, "%s%s", out->len ? "," : "", k);
    }
  return g_string_free (out, FALSE);
}

static double
y_in (GtkWidget *widget, GtkWidget *page)
{
  graphene_point_t in = GRAPHENE_POINT_INIT (0, 0), out;

  g_assert_true (gtk_widget_compute_point (widget, page, &in, &out));
  return out.y;
}

/* A window on the histograms. */
static LmWindow *
open_histograms (const char *logdir, const char *prefs, LmDashboards **dash, LmRecordDashboard **hist,
                 LmRecordDashboard **images)
{
  LmWindow *win = open_window (logdir, prefs);

  *dash = lm_window_get_dashboards (win);
  *hist = record_page (win, "histograms");
  *images = record_page (win, "images");
  g_assert_true (lm_dashboards_set_view (*dash, "histograms"));
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  return win;
}

typedef struct
{
  LmRecordDashboard *page;
  const char *run, *tag;
} RecordPinWait;

static gboolean
record_pinned_shown (gpointer data)
{
  RecordPinWait *w = data;

  return lm_record_dashboard_find_pinned_card (w->page, w->run, w->tag) != NULL;
}

static void
test_record_pins (void)
{
  g_autofree char *logdir = NULL, *cfg = NULL, *prefs = NULL, *text = NULL, *order = NULL;
  LmWindow *win;
  LmDashboards *dash;
  LmRecordDashboard *hist, *images;
  GtkWidget *card, *pinned, *image_card, *image_pinned;
  GtkToggleButton *pin;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  logdir = lm_test_tmpdir_new ("lumen-pins-records-XXXXXX");
  lm_test_records_write (logdir, "a", 0.1, "adam", 0.9, FALSE);
  lm_test_records_write (logdir, "b", 0.01, "sgd", 0.7, FALSE);
  cfg = lm_test_tmpdir_new ("lumen-pins-cfg-XXXXXX");
  prefs = g_build_filename (cfg, "lumen", "settings.ini", NULL);

  win = open_histograms (logdir, prefs, &dash, &hist, &images);

  /* the histogram card's pin button, as a scalar card's */
  card = lm_record_dashboard_find_card (hist, "b", LM_TR_HIST_TAG);
  g_assert_nonnull (card);
  pin = lm_record_dashboard_get_pin_button (card);
  g_assert_nonnull (pin);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (pin)));
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (pin)), ==, "view-pin-symbolic");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (pin)), ==, "Pin this card to the top");
  g_assert_null (lm_record_dashboard_find_pinned_card (hist, "b", LM_TR_HIST_TAG));

  /* pinned: a second card above every card (b sorts after a) */
  gtk_toggle_button_set_active (pin, TRUE);
  pinned = lm_record_dashboard_find_pinned_card (hist, "b", LM_TR_HIST_TAG);
  g_assert_nonnull (pinned);
  g_assert_true (pinned != card);
  g_assert_true (lm_record_dashboard_find_card (hist, "b", LM_TR_HIST_TAG) == card);
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (hist), ==, 2);
  g_assert_true (gtk_toggle_button_get_active (lm_record_dashboard_get_pin_button (pinned)));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (pin)), ==, "Unpin this card");
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  lm_test_spin (300);   /* laid out */
  g_assert_cmpfloat (y_in (pinned, GTK_WIDGET (hist)), <,
                     y_in (lm_record_dashboard_find_card (hist, "a", LM_TR_HIST_TAG), GTK_WIDGET (hist)));
  /* the distributions dashboard has pins of its own */
  g_assert_false (lm_record_dashboard_is_pinned (record_page (win, "distributions"), "b", LM_TR_HIST_TAG));

  /* a tag no run has yet: kept, not shown */
  g_assert_true (lm_record_dashboard_set_pinned (hist, "a", "later/hist", TRUE));
  g_assert_false (lm_record_dashboard_set_pinned (hist, "a", "later/hist", TRUE));
  g_assert_null (lm_record_dashboard_find_pinned_card (hist, "a", "later/hist"));
  g_assert_cmpuint (lm_record_dashboard_get_n_pinned_shown (hist), ==, 1);

  /* an image card */
  g_assert_true (lm_dashboards_set_view (dash, "images"));
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  image_card = lm_record_dashboard_find_card (images, "a", LM_TR_IMAGE_TAG);
  g_assert_nonnull (image_card);
  gtk_toggle_button_set_active (lm_record_dashboard_get_pin_button (image_card), TRUE);
  image_pinned = lm_record_dashboard_find_pinned_card (images, "a", LM_TR_IMAGE_TAG);
  g_assert_nonnull (image_pinned);
  g_assert_true (LM_IS_IMAGE_CARD (image_pinned));

  /* saved under the log directory, a key per dashboard */
  lm_preferences_flush (win);
  text = file_text (prefs);
  g_assert_nonnull (strstr (text, "pinned-histograms=weights/peak\\nb;later/hist\\na;\n"));
  g_assert_nonnull (strstr (text, "pinned-images=samples/pattern\\na;\n"));
  g_assert_null (strstr (text, "pinned-distributions"));
  g_assert_null (strstr (text, "pinned-scalars"));
  g_clear_pointer (&text, g_free);

  /* a filter that matches nothing: the pinned cards stay on screen */
  g_assert_true (lm_dashboards_set_tag_filter (dash, "^nothing$", NULL));
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (images), ==, 0);
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  g_assert_true (gtk_widget_get_mapped (image_pinned));
  g_assert_true (lm_dashboards_set_view (dash, "histograms"));
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (hist), ==, 0);
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  g_assert_true (gtk_widget_get_mapped (pinned));
  gtk_window_destroy (GTK_WINDOW (win));

  /* a restart: the same pins, the cards' buttons on */
  win = open_histograms (logdir, prefs, &dash, &hist, &images);
  g_assert_true (lm_record_dashboard_is_pinned (hist, "a", "later/hist"));
  pinned = lm_record_dashboard_find_pinned_card (hist, "b", LM_TR_HIST_TAG);
  g_assert_nonnull (pinned);
  card = lm_record_dashboard_find_card (hist, "b", LM_TR_HIST_TAG);
  g_assert_true (gtk_toggle_button_get_active (lm_record_dashboard_get_pin_button (card)));
  g_assert_false (gtk_toggle_button_get_active (
    lm_record_dashboard_get_pin_button (lm_record_dashboard_find_card (hist, "a", LM_TR_HIST_TAG))));

  /* the waiting tag logged: its pinned card appears, in pin order */
  {
    RecordPinWait w = { hist, "a", "later/hist" };

    lm_test_records_append_histograms (logdir, "a", "later/hist", 0, 3);
    g_assert_true (lm_test_wait_for (record_pinned_shown, &w, 20000));
    order = record_pinned_order (pinned);
    g_assert_cmpstr (order, ==, "weights/peak@b,later/hist@a");
  }

  /* unpinned from the pinned image card: gone, the other card's button
   * off, and the key out of the file */
  g_assert_true (lm_dashboards_set_view (dash, "images"));
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  image_pinned = lm_record_dashboard_find_pinned_card (images, "a", LM_TR_IMAGE_TAG);
  g_assert_nonnull (image_pinned);
  gtk_toggle_button_set_active (lm_record_dashboard_get_pin_button (image_pinned), FALSE);
  g_assert_null (lm_record_dashboard_find_pinned_card (images, "a", LM_TR_IMAGE_TAG));
  image_card = lm_record_dashboard_find_card (images, "a", LM_TR_IMAGE_TAG);
  g_assert_false (gtk_toggle_button_get_active (lm_record_dashboard_get_pin_button (image_card)));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (lm_record_dashboard_get_pin_button (image_card))), ==,
                   "Pin this card to the top");
  lm_preferences_flush (win);
  text = file_text (prefs);
  g_assert_null (strstr (text, "pinned-images"));
  g_assert_nonnull (strstr (text, "pinned-histograms=weights/peak\\nb;later/hist\\na;\n"));
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (cfg);
  lm_test_rm_rf (logdir);
}

/* PR curve cards (one per tag, a line per run) pin as the others do: a
 * pin button, a second card above the rest that the tag filter leaves,
 * "pinned-pr_curves" in settings.ini, pinned again after a restart.
 * Before, PR curve cards had no pin button and set_pinned refused. */
static void
test_pr_curve_pins (void)
{
  g_autofree char *logdir = NULL, *cfg = NULL, *prefs = NULL, *text = NULL;
  LmWindow *win;
  LmDashboards *dash;
  LmRecordDashboard *pr;
  GtkWidget *card, *pinned;
  GtkToggleButton *pin;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  logdir = lm_test_tmpdir_new ("lumen-pins-pr-XXXXXX");
  lm_test_records_append_pr_curves (logdir, "a", "pr/cat", 0, 1, 2, 0);
  lm_test_records_append_pr_curves (logdir, "b", "pr/cat", 0, 1, 2, 0);
  lm_test_records_append_pr_curves (logdir, "b", "pr/dog", 0, 1, 2, 0);
  cfg = lm_test_tmpdir_new ("lumen-pins-cfg-XXXXXX");
  prefs = g_build_filename (cfg, "lumen", "settings.ini", NULL);

  win = open_window (logdir, prefs);
  dash = lm_window_get_dashboards (win);
  pr = record_page (win, "pr_curves");
  g_assert_true (lm_dashboards_set_view (dash, "pr_curves"));
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (pr), ==, 2);
  card = lm_record_dashboard_find_card (pr, "", "pr/dog");
  g_assert_nonnull (card);
  pin = lm_record_dashboard_get_pin_button (card);
  g_assert_nonnull (pin);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (pin)));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (pin)), ==, "Pin this card to the top");

  gtk_toggle_button_set_active (pin, TRUE);
  pinned = lm_record_dashboard_find_pinned_card (pr, "", "pr/dog");
  g_assert_nonnull (pinned);
  g_assert_true (LM_IS_PR_CURVE_VIEW (pinned));
  g_assert_true (pinned != card);
  g_assert_true (lm_record_dashboard_is_pinned (pr, "any run", "pr/dog"));
  g_assert_true (gtk_toggle_button_get_active (lm_record_dashboard_get_pin_button (pinned)));
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  lm_test_spin (300);   /* laid out */
  g_assert_cmpfloat (y_in (pinned, GTK_WIDGET (pr)), <,
                     y_in (lm_record_dashboard_find_card (pr, "", "pr/cat"), GTK_WIDGET (pr)));
  guint n_steps = 0;
  lm_pr_curve_view_get_steps (LM_PR_CURVE_VIEW (pinned), &n_steps);
  g_assert_cmpuint (n_steps, ==, 2);
  g_assert_cmpuint (lm_pr_curve_view_get_n_drawn (LM_PR_CURVE_VIEW (pinned)), ==, 1);

  lm_preferences_flush (win);
  text = file_text (prefs);
  g_assert_nonnull (strstr (text, "pinned-pr_curves=pr/dog\\n;\n"));
  g_clear_pointer (&text, g_free);

  /* the tag filter leaves the pinned card */
  g_assert_true (lm_dashboards_set_tag_filter (dash, "^nothing$", NULL));
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (pr), ==, 0);
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  g_assert_true (gtk_widget_get_mapped (pinned));
  gtk_window_destroy (GTK_WINDOW (win));

  /* a restart: still pinned; unpinned from the pinned card */
  win = open_window (logdir, prefs);
  dash = lm_window_get_dashboards (win);
  pr = record_page (win, "pr_curves");
  g_assert_true (lm_dashboards_set_view (dash, "pr_curves"));
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  pinned = lm_record_dashboard_find_pinned_card (pr, "", "pr/dog");
  g_assert_nonnull (pinned);
  g_assert_true (gtk_toggle_button_get_active (
    lm_record_dashboard_get_pin_button (lm_record_dashboard_find_card (pr, "", "pr/dog"))));
  gtk_toggle_button_set_active (lm_record_dashboard_get_pin_button (pinned), FALSE);
  g_assert_null (lm_record_dashboard_find_pinned_card (pr, "", "pr/dog"));
  lm_preferences_flush (win);
  text = file_text (prefs);
  g_assert_null (strstr (text, "pinned-pr_curves"));
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (cfg);
  lm_test_rm_rf (logdir);
}

int
main (int argc, char **argv)
{
  /* the colour chooser keeps its custom colours in GSettings: not the
   * user's dconf (there is none under the test runner) */
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  have_display = lm_ui_test_init (&argc, &argv);
  g_test_add_func ("/ui/pins/pin-unpin-restart", test_pins);
  g_test_add_func ("/ui/pins/records", test_record_pins);
  g_test_add_func ("/ui/pins/pr-curves", test_pr_curve_pins);
  g_test_add_func ("/ui/colors/pick-save-reset", test_run_colors);
  return g_test_run ();
}
