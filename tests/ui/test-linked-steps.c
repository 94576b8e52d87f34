/* test-linked-steps.c: "Link by step" (TensorBoard's linked time) across
 * scalar cards.
 *
 * What it checks: with the link on, a step or range selected on one scalar
 * card is selected on the other (its data table too), Escape clears both,
 * and a card made later starts from it; with the link off each card keeps
 * its own, and turning it on again brings every card to the selection
 * made last.  The Settings check and [scalars] link-by-step in
 * settings.ini.  Skips when there is no display.
 */
#include <gtk/gtk.h>
#include <string.h>

#include <lumen-log.h>

#include "lm-preferences.h"
#include "lm-scalar-card.h"
#include "lm-window.h"
#include "ui-test-util.h"
#include "lm-test-run.h"

static gboolean have_display;
static const char *lumen_bin;   /* --lumen-bin PATH, from meson */

#define IMG 16
#define HIST_TAG "w"
#define IMAGE_TAG "img"

/* Image colours by step 0, 20, 40, 60, 80: red, green, blue, yellow, cyan. */
static const guint8 image_rgb[5][3] = { { 255, 0, 0 }, { 0, 200, 0 }, { 0, 0, 255 }, { 255, 255, 0 },
                                        { 0, 255, 255 } };

static void
check (int rc)
{
  if (rc != LM_OK)
    g_error ("lumen-log: %s", lm_log_last_error ());
}

/* One run "a": scalars "loss" and "acc" and histogram "w" at steps 0, 10,
 * ..., 90 (step s's 64 values evenly over [s/10, s/10 + 1), so each
 * step's curve stands over its own part of the value axis), and image
 * "img" at steps 0, 20, ..., 80 (image_rgb). */
static char *
make_logdir (void)
{
  char *dir = g_dir_make_tmp ("lumen-linked-XXXXXX", NULL);
  lm_writer *w;

  check (lm_writer_open (&w, dir, "a"));
  for (int s = 0; s < 100; s += 10)
    {
      float values[64];

      check (lm_writer_add_scalar (w, "loss", s, 1.0 / (1 + s)));
      check (lm_writer_add_scalar (w, "acc", s, s / 100.0));
      for (int i = 0; i < 64; i++)
        values[i] = (float) (s / 10.0 + i / 64.0);
      check (lm_writer_add_histogram_uniform (w, HIST_TAG, s, values, 64, 30));
      if (s % 20 == 0)
        {
          guint8 px[IMG * IMG * 3];

          for (int i = 0; i < IMG * IMG; i++)
            memcpy (px + i * 3, image_rgb[s / 20], 3);
          check (lm_writer_add_image (w, IMAGE_TAG, s, px, IMG, IMG, 3));
        }
    }
  check (lm_writer_close (w));
  return dir;
}

static LmChart *
chart_of (LmWindow *win, const char *tag)
{
  LmScalarCard *card = lm_card_grid_find_card (lm_window_get_card_grid (win), tag);

  g_assert_nonnull (card);
  return lm_scalar_card_get_chart (card);
}

static void
click_step (LmChart *chart, double step, gboolean shift)
{
  LmRect a = lm_plot_get_area (lm_chart_get_plot (chart));
  double x;

  g_assert_true (lm_plot_data_to_pixel (lm_chart_get_plot (chart), step, 0.5, &x, NULL));
  lm_chart_click (chart, x, a.y + a.height / 2, shift);
}

/* "active range start end" of a chart's selection, for messages. */
static char *
selection_of (LmChart *chart)
{
  LmStepSelection s = lm_plot_get_step_selection (lm_chart_get_plot (chart));

  return s.active ? g_strdup_printf ("%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, s.range ? "range" : "step",
                                     s.start, s.end)
                  : g_strdup ("none");
}

static void
assert_selection (LmChart *chart, const char *want)
{
  g_autofree char *have = selection_of (chart);

  if (!g_str_equal (have, want))
    g_error ("%s: selection '%s', expected '%s'", lm_chart_get_tag (chart), have, want);
}

/* Scalar cards: one selection for all while linked, each its own while
 * not; a chart made later starts linked. */
static void
test_scalars (void)
{
  g_autofree char *logdir = NULL, *table = NULL;
  LmWindow *win;
  LmChartSettings *settings;
  LmChart *loss, *acc, *later;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  logdir = make_logdir ();
  win = lm_ui_open_view (logdir, "scalars", 1200, 800);
  settings = lm_window_get_settings (win);
  loss = chart_of (win, "loss");
  acc = chart_of (win, "acc");
  g_assert_false (lm_chart_settings_get_link_by_step (settings));   /* TensorBoard's default */

  /* off: a click selects on its own card only */
  click_step (loss, 30, FALSE);
  assert_selection (loss, "step 30 30");
  assert_selection (acc, "none");

  /* on: every card shows the selection made last, and follows */
  lm_chart_settings_set_link_by_step (settings, TRUE);
  assert_selection (acc, "step 30 30");
  click_step (acc, 50, FALSE);
  assert_selection (loss, "step 50 50");
  table = lm_chart_dup_step_text (loss);
  g_assert_nonnull (strstr (table, "\t50\t"));
  click_step (loss, 80, TRUE);
  assert_selection (acc, "range 50 80");

  /* a chart made now (a new card) starts with it */
  later = LM_CHART (g_object_ref_sink (lm_chart_new ("acc", lm_window_get_selection (win), settings)));
  assert_selection (later, "range 50 80");
  g_object_unref (later);

  /* Escape on one clears all */
  g_assert_true (lm_ui_press_key (GTK_WIDGET (acc), GDK_KEY_Escape, 0));
  assert_selection (loss, "none");
  assert_selection (acc, "none");

  /* off again: the cards keep what they show, then go their own ways */
  click_step (loss, 20, FALSE);
  lm_chart_settings_set_link_by_step (settings, FALSE);
  assert_selection (acc, "step 20 20");
  click_step (acc, 60, FALSE);
  assert_selection (loss, "step 20 20");
  assert_selection (acc, "step 60 60");

  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (logdir);
}

/* The Settings check (off by default, greyed out without step selection)
 * and [scalars] link-by-step in settings.ini: read, written, a bad value
 * named. */
static void
test_setting (void)
{
  g_autofree char *cfg = NULL, *path = NULL, *logdir = NULL, *text = NULL;
  g_autoptr (GError) error = NULL;
  LmWindow *win;
  LmChartSettings *settings;
  GtkWidget *check;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  cfg = lm_test_tmpdir_new ("lumen-linked-cfg-XXXXXX");
  path = g_build_filename (cfg, "settings.ini", NULL);
  logdir = make_logdir ();

  win = lm_ui_open_view (logdir, "scalars", 1000, 700);
  settings = lm_window_get_settings (win);
  check = lm_ui_find_by_class (GTK_WIDGET (win), "lm-link-by-step-check");
  g_assert_nonnull (check);
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  g_assert_true (gtk_widget_get_sensitive (check));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
  g_assert_true (lm_chart_settings_get_link_by_step (settings));
  lm_chart_settings_set_step_selection (settings, FALSE);
  g_assert_false (gtk_widget_get_sensitive (check));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (check), "needs step selection"));
  lm_chart_settings_set_step_selection (settings, TRUE);
  gtk_window_destroy (GTK_WINDOW (win));

  g_assert_true (g_file_set_contents (path, "[scalars]\nlink-by-step=true\n", -1, NULL));
  win = lm_ui_open_view (logdir, "scalars", 1000, 700);
  settings = lm_window_get_settings (win);
  g_assert_true (lm_preferences_load (win, path, &error));
  g_assert_true (lm_chart_settings_get_link_by_step (settings));
  g_assert_true (gtk_check_button_get_active (
    GTK_CHECK_BUTTON (lm_ui_find_by_class (GTK_WIDGET (win), "lm-link-by-step-check"))));
  lm_preferences_track (win, path);
  lm_chart_settings_set_link_by_step (settings, FALSE);
  lm_preferences_flush (win);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "link-by-step=false"));
  gtk_window_destroy (GTK_WINDOW (win));

  g_assert_true (g_file_set_contents (path, "[scalars]\nlink-by-step=yes please\n", -1, NULL));
  win = lm_ui_open_view (logdir, "scalars", 1000, 700);
  g_assert_false (lm_preferences_load (win, path, &error));
  g_assert_nonnull (strstr (error->message, "[scalars] link-by-step=yes please is not true or false"));
  g_assert_false (lm_chart_settings_get_link_by_step (lm_window_get_settings (win)));
  gtk_window_destroy (GTK_WINDOW (win));

  lm_test_rm_rf (logdir);
  lm_test_rm_rf (cfg);
}

int
main (int argc, char **argv)
{
  lumen_bin = lm_ui_take_lumen_bin (&argc, &argv);
  have_display = lm_ui_test_init (&argc, &argv);
  g_test_add_func ("/ui/linked/scalars", test_scalars);
  g_test_add_func ("/ui/linked/setting", test_setting);
  {
    int rc = g_test_run ();

    /* 77: meson reports the program as skipped, not passed. */
    return have_display ? rc : 77;
  }
}
