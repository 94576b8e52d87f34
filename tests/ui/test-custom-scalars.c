/* test-custom-scalars.c: TensorBoard's Custom Scalars at the top of the
 * Scalars view.
 *
 * What it checks: the runs' layouts (lumen-log's lm_writer_add_custom_scalars)
 * show as one group per category above the tag groups, merged across
 * runs; a Multiline chart draws a line per (run, matching tag), in the
 * run's colour with a dash per tag, and its tooltip names run and tag; a Margin chart fills a band per run between
 * its lower and upper tags (a draw counter and the band's colour in the
 * rendered pixels); a chart whose regex does not compile (written by
 * SQL, as another producer might) says why on its card; hiding a run in the run list drops its lines and band;
 * a layout logged later shows up, keeping the categories the user folded
 * folded; Ctrl+Home resets their zoom as the tag cards', and that of
 * charts viewed larger (in the main window or in a larger view).  Skips
 * without a display.
 */
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include <lumen-log.h>
#include <sqlite3.h>

#include "lm-card-grid.h"
#include "lm-custom-scalars-view.h"
#include "lm-palette.h"
#include "lm-scalar-card.h"
#include "lm-theme.h"
#include "lm-window.h"
#include "ui-test-util.h"
#include "lm-test-run.h"

static gboolean have_display;

static gboolean
settled (gpointer data)
{
  return lm_window_is_settled (data);
}

/* alpha logs train/loss, val/loss and the margin tags; beta train/loss
 * and the margin tags.  Both log the same layout (merged to one). */
static void
write_run (const char *dir, const char *run, gboolean with_val)
{
  lm_writer *w;
  lm_custom_layout *l;
  const char *loss[] = { "train/loss$", "val/loss$" };

  g_assert_cmpint (lm_writer_open (&w, dir, run), ==, LM_OK);
  g_assert_cmpint (lm_custom_layout_new (&l), ==, LM_OK);
  g_assert_cmpint (lm_custom_layout_add_multiline (l, "Overview", "Loss", loss, 2), ==, LM_OK);
  g_assert_cmpint (lm_custom_layout_add_margin (l, "Bands", "Accuracy", "val/acc", "val/acc_lo", "val/acc_hi"),
                   ==, LM_OK);
  g_assert_cmpint (lm_writer_add_custom_scalars (w, l), ==, LM_OK);
  lm_custom_layout_free (l);
  for (int i = 0; i < 50; i++)
    {
      g_assert_cmpint (lm_writer_add_scalar (w, "train/loss", i, 2 - i / 50.0), ==, LM_OK);
      /* train/loss_ema: "train/loss$" must not take it */
      g_assert_cmpint (lm_writer_add_scalar (w, "train/loss_ema", i, 1), ==, LM_OK);
      if (with_val)
        g_assert_cmpint (lm_writer_add_scalar (w, "val/loss", i, 2.5 - i / 50.0), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_scalar (w, "val/acc", i, 0.5), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_scalar (w, "val/acc_lo", i, 0.2), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_scalar (w, "val/acc_hi", i, 0.8), ==, LM_OK);
    }
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
}

/* A 1300 x 900 window on dir, once it has read every run. */
static LmWindow *
open_settled (const char *dir, guint timeout_ms)
{
  LmWindow *win = lm_window_new (NULL, dir);

  gtk_window_set_default_size (GTK_WINDOW (win), 1300, 900);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (lm_test_wait_for (settled, win, timeout_ms));
  return win;
}

static gboolean
has_4_cards (gpointer data)
{
  return lm_custom_scalars_view_get_n_cards (data) == 4;
}

/* Renders the card's plot offscreen; the pixel at data (x, y). */
static void
pixel_at (LmPlot *plot, double x, double y, guchar out[3])
{
  cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 260);
  double px, py;
  guchar *row;

  lm_plot_render (plot, img, 400, 260, 1.0);
  g_assert_true (lm_plot_data_to_pixel (plot, x, y, &px, &py));
  row = cairo_image_surface_get_data (img) + (int) py * cairo_image_surface_get_stride (img);
  out[0] = row[4 * (int) px + 2];   /* ARGB32 little-endian: B G R A */
  out[1] = row[4 * (int) px + 1];
  out[2] = row[4 * (int) px + 0];
  cairo_surface_destroy (img);
}

static void
test_custom_scalars (void)
{
  g_autofree char *dir = NULL;
  LmWindow *win;
  LmCardGrid *grid;
  LmCustomScalarsView *view;
  LmScalarCard *loss_card, *band_card;
  LmChart *chart;
  LmPlot *plot;
  LmRect area;
  g_autofree char *hover = NULL;
  guchar band[3];
  GdkRGBA color;
  const GdkRGBA *bg;
  LmRun *beta;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = lm_test_tmpdir_new ("lumen-custom-XXXXXX");
  write_run (dir, "alpha", TRUE);
  write_run (dir, "beta", FALSE);
  /* a regex no writer of ours lets through (another producer, a hand edit) */
  {
    g_autofree char *path = g_build_filename (dir, "beta", "run.lumen", NULL);
    sqlite3 *db;

    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db,
                                   "INSERT INTO custom_scalar_charts(id, wall_time, category, title, kind) "
                                   "VALUES (100, 1.7e9, 'Bands', 'Broken', 'multiline');"
                                   "INSERT INTO custom_scalar_tags VALUES (100, 0, 'train/(loss');",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }

  win = lm_window_new (NULL, dir);
  lm_chart_settings_set_smoothing (lm_window_get_settings (win), 0.0);
  gtk_window_set_default_size (GTK_WINDOW (win), 1300, 900);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (lm_test_wait_for (settled, win, 20000));

  grid = lm_window_get_card_grid (win);
  view = LM_CUSTOM_SCALARS_VIEW (lm_card_grid_get_custom_scalars (grid));
  lm_custom_scalars_view_set_poll_interval (view, 50);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (view)));
  /* the two runs' identical layouts merged: two categories, Loss in one,
   * Accuracy and beta's broken chart in the other */
  g_assert_cmpuint (lm_custom_scalars_view_get_layout (view)->categories->len, ==, 2);
  g_assert_cmpuint (lm_custom_scalars_view_get_n_cards (view), ==, 3);
  /* the broken chart says why, and draws nothing */
  {
    LmScalarCard *broken = lm_custom_scalars_view_get_card (view, 2);
    GtkWidget *error = lm_ui_find_by_class (GTK_WIDGET (broken), "error");

    g_assert_cmpstr (lm_scalar_card_get_tag (broken), ==, "Broken");
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error)),
                              "tag regex 'train/(loss' is not a valid regular expression"));
    g_assert_cmpuint (lm_plot_get_n_runs (lm_chart_get_plot (lm_scalar_card_get_chart (broken))), ==, 0);
  }
  loss_card = lm_custom_scalars_view_get_card (view, 0);
  band_card = lm_custom_scalars_view_get_card (view, 1);
  g_assert_cmpstr (lm_scalar_card_get_tag (loss_card), ==, "Loss");
  g_assert_cmpstr (lm_scalar_card_get_tag (band_card), ==, "Accuracy");
  /* above the tag groups: the section comes before the first tag card */
  {
    graphene_point_t p0 = GRAPHENE_POINT_INIT (0, 0), a, b;

    g_assert_true (gtk_widget_compute_point (GTK_WIDGET (band_card), GTK_WIDGET (grid), &p0, &a));
    g_assert_true (gtk_widget_compute_point (GTK_WIDGET (lm_card_grid_find_card (grid, "train/loss")),
                                             GTK_WIDGET (grid), &p0, &b));
    g_assert_cmpfloat (a.y, <, b.y);
  }

  /* Multiline: alpha's train/loss and val/loss, beta's train/loss; not
   * train/loss_ema */
  chart = lm_scalar_card_get_chart (loss_card);
  plot = lm_chart_get_plot (chart);
  g_assert_cmpuint (lm_plot_get_n_runs (plot), ==, 3);
  area = lm_plot_get_area (plot);
  g_assert_cmpfloat (area.width, >, 0);
  lm_chart_set_hover (chart, area.x + area.width / 2, area.y + area.height / 2);
  hover = lm_chart_dup_hover_text (chart);
  g_assert_nonnull (strstr (hover, "alpha · train/loss\tstep "));
  g_assert_nonnull (strstr (hover, "alpha · val/loss\tstep "));
  g_assert_nonnull (strstr (hover, "beta · train/loss\tstep "));
  g_assert_null (strstr (hover, "loss_ema"));
  lm_chart_clear_hover (chart);
  /* each line in its run's colour, a dash per tag: train/loss (the first
   * regex's) solid in both runs, val/loss dashed */
  {
    g_autoptr (GArray) rows = lm_plot_hover_rows (plot, area.x + area.width / 2, area.y + 10);

    g_assert_cmpuint (rows->len, ==, 3);
    for (guint i = 0; i < rows->len; i++)
      {
        LmHoverRow *r = &g_array_index (rows, LmHoverRow, i);
        GdkRGBA run_color;

        lm_palette_run_color (r->run, &run_color);
        g_assert_true (gdk_rgba_equal (&r->color, &run_color));
        g_assert_cmpuint (r->dash, ==, g_str_has_suffix (r->label, "val/loss") ? 1 : 0);
      }
  }

  /* The legend on a narrow card: three "run · tag" entries do not fit,
   * yet the first still shows, shortened in the middle, before "+2 more"
   * (it used to show "+3 more" alone); on a card too narrow for even a
   * shortened name, "+3 more" alone, not the whole name over the edge */
  {
    const int widths[] = { 700, 190, 150 };
    const guint named[] = { 3, 1, 0 };

    for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
      {
        cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, widths[i], 260);

        lm_plot_render (plot, img, widths[i], 260, 1.0);
        g_test_message ("legend at %d px: %u named", widths[i], lm_plot_get_n_legend_named (plot));
        g_assert_cmpuint (lm_plot_get_n_legend_named (plot), ==, named[i]);
        cairo_surface_destroy (img);
      }
  }

  /* Margin: a line and a band per run, the band in the run's colour at a
   * fifth of its opacity over the background, between 0.2 and 0.8 */
  plot = lm_chart_get_plot (lm_scalar_card_get_chart (band_card));
  g_assert_cmpuint (lm_plot_get_n_runs (plot), ==, 2);
  g_assert_cmpuint (lm_plot_get_n_bands_drawn (plot), ==, 2);
  pixel_at (plot, 22.5, 0.35, band);
  g_assert_cmpuint (lm_plot_get_n_bands_drawn (plot), ==, 2);
  bg = &lm_theme_colors ()->bg;
  /* both runs' bands overlap there: two layers of 20% */
  lm_palette_run_color (lm_run_store_find (lm_window_get_store (win), "alpha"), &color);
  {
    GdkRGBA c2;
    double exp[3];

    lm_palette_run_color (lm_run_store_find (lm_window_get_store (win), "beta"), &c2);
    exp[0] = (bg->red * 0.8 + color.red * 0.2) * 0.8 + c2.red * 0.2;
    exp[1] = (bg->green * 0.8 + color.green * 0.2) * 0.8 + c2.green * 0.2;
    exp[2] = (bg->blue * 0.8 + color.blue * 0.2) * 0.8 + c2.blue * 0.2;
    for (int k = 0; k < 3; k++)
      g_assert_cmpint (abs (band[k] - (int) round (exp[k] * 255)), <=, 3);
  }

  /* hiding beta in the run list drops its line and band */
  beta = lm_run_store_find (lm_window_get_store (win), "beta");
  lm_run_set_visible (beta, FALSE);
  g_assert_cmpuint (lm_plot_get_n_runs (lm_chart_get_plot (chart)), ==, 2);
  g_assert_cmpuint (lm_plot_get_n_runs (plot), ==, 1);
  pixel_at (plot, 22.5, 0.35, band);
  g_assert_cmpuint (lm_plot_get_n_bands_drawn (plot), ==, 1);
  g_assert_cmpint (abs (band[0] - (int) round ((bg->red * 0.8 + color.red * 0.2) * 255)), <=, 3);
  g_assert_cmpint (abs (band[1] - (int) round ((bg->green * 0.8 + color.green * 0.2) * 255)), <=, 3);
  g_assert_cmpint (abs (band[2] - (int) round ((bg->blue * 0.8 + color.blue * 0.2) * 255)), <=, 3);
  /* new data in hidden beta leaves the charts alone; in alpha, shown,
   * they match their lines to the runs again (a new tag may match) */
  {
    LmRunStore *store = lm_window_get_store (win);
    guint syncs = lm_chart_get_n_run_syncs (chart);

    lm_ui_emit (store, "run-data-changed", beta);
    g_assert_cmpuint (lm_chart_get_n_run_syncs (chart), ==, syncs);
    lm_ui_emit (store, "run-data-changed", lm_run_store_find (store, "alpha"));
    g_assert_cmpuint (lm_chart_get_n_run_syncs (chart), ==, syncs + 1);
    g_assert_cmpuint (lm_plot_get_n_runs (lm_chart_get_plot (chart)), ==, 2);
  }
  lm_run_set_visible (beta, TRUE);

  /* the user folds Bands: its cards go */
  {
    GtkWidget *bands = lm_custom_scalars_view_get_category_header (view, "Bands");

    g_assert_nonnull (bands);
    g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (bands)));
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (bands), FALSE);
    lm_test_spin (50);
    g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (band_card)));
  }

  /* live: a run logging a new chart later */
  {
    lm_writer *w;
    const char *lr[] = { "lr" };

    g_assert_cmpint (lm_writer_open (&w, dir, "gamma"), ==, LM_OK);
    g_assert_cmpint (lm_writer_add_scalar (w, "lr", 0, 0.1), ==, LM_OK);
    g_assert_cmpint (lm_writer_add_custom_scalars_multilinechart (w, lr, 1, "Overview", "Learning rate"), ==, LM_OK);
    g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  }
  g_assert_true (lm_test_wait_for (has_4_cards, view, 20000));
  g_assert_cmpstr (lm_scalar_card_get_tag (lm_custom_scalars_view_get_card (view, 1)), ==, "Learning rate");
  /* rebuilt with the new chart, Bands stays folded and Overview open
   * (before, every category came back open) */
  g_assert_false (gtk_toggle_button_get_active (
    GTK_TOGGLE_BUTTON (lm_custom_scalars_view_get_category_header (view, "Bands"))));
  g_assert_true (gtk_toggle_button_get_active (
    GTK_TOGGLE_BUTTON (lm_custom_scalars_view_get_category_header (view, "Overview"))));
  lm_test_spin (50);
  g_assert_cmpstr (lm_scalar_card_get_tag (lm_custom_scalars_view_get_card (view, 2)), ==, "Accuracy");
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (lm_custom_scalars_view_get_card (view, 2))));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (lm_custom_scalars_view_get_card (view, 0))));

  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* A margin chart of a long run: the band's outline has a vertex per
 * pixel column at most (100,000 steps drew 200,000 vertices each frame),
 * still between the lower and upper values, and zoomed in on a few
 * steps it follows them exactly. */
static void
test_long_band (void)
{
  g_autofree char *dir = NULL;
  lm_writer *w;
  LmWindow *win;
  LmCustomScalarsView *view;
  LmPlot *plot;
  cairo_surface_t *img;
  guchar in[3], band[3];

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = lm_test_tmpdir_new ("lumen-custom-XXXXXX");
  g_assert_cmpint (lm_writer_open (&w, dir, "long"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_custom_scalars_marginchart (w, "acc", "acc_lo", "acc_hi", "Bands", "Acc"), ==,
                   LM_OK);
  for (int i = 0; i < 100000; i++)
    {
      /* a band whose width wiggles from step to step */
      g_assert_cmpint (lm_writer_add_scalar (w, "acc", i, 0.5), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_scalar (w, "acc_lo", i, i % 2 ? 0.3 : 0.2), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_scalar (w, "acc_hi", i, i % 2 ? 0.7 : 0.8), ==, LM_OK);
    }
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);

  win = open_settled (dir, 60000);
  view = LM_CUSTOM_SCALARS_VIEW (lm_card_grid_get_custom_scalars (lm_window_get_card_grid (win)));
  g_assert_cmpuint (lm_custom_scalars_view_get_n_cards (view), ==, 1);
  plot = lm_chart_get_plot (lm_scalar_card_get_chart (lm_custom_scalars_view_get_card (view, 0)));

  img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 260);
  lm_plot_render (plot, img, 400, 260, 1.0);
  cairo_surface_destroy (img);
  g_assert_cmpuint (lm_plot_get_n_bands_drawn (plot), ==, 1);
  g_test_message ("band vertices at 400 px: %u", lm_plot_get_n_band_vertices (plot));
  g_assert_cmpuint (lm_plot_get_n_band_vertices (plot), <=, 2 * (400 + 4));
  /* the band spans the outer values (0.2 to 0.8): at 0.75 and 0.25 (where
   * it alternates from step to step) as at its core, 0.45 */
  pixel_at (plot, 50000, 0.45, band);
  g_assert_cmpint (abs (band[0] - 255) + abs (band[1] - 255) + abs (band[2] - 255), >, 12);
  pixel_at (plot, 50000, 0.75, in);
  g_assert_cmpint (abs (in[0] - band[0]) + abs (in[1] - band[1]) + abs (in[2] - band[2]), <=, 6);
  pixel_at (plot, 50000, 0.25, in);
  g_assert_cmpint (abs (in[0] - band[0]) + abs (in[1] - band[1]) + abs (in[2] - band[2]), <=, 6);

  /* zoomed in on steps 100 to 110: every point, plus one past each edge */
  {
    double ax, ay, bx, by;

    g_assert_true (lm_plot_data_to_pixel (plot, 100, 1, &ax, &ay));
    g_assert_true (lm_plot_data_to_pixel (plot, 110, 0, &bx, &by));
    lm_plot_zoom_box (plot, ax, ay, bx, by);
  }
  img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 260);
  lm_plot_render (plot, img, 400, 260, 1.0);
  cairo_surface_destroy (img);
  g_test_message ("band vertices zoomed in: %u", lm_plot_get_n_band_vertices (plot));
  g_assert_cmpuint (lm_plot_get_n_band_vertices (plot), >=, 2 * 11);
  g_assert_cmpuint (lm_plot_get_n_band_vertices (plot), <=, 2 * (11 + 6));
  /* at step 101 the band is 0.3 to 0.7: 0.75 is outside it, 0.65 in */
  pixel_at (plot, 101, 0.45, band);
  pixel_at (plot, 101, 0.65, in);
  g_assert_cmpint (abs (in[0] - band[0]) + abs (in[1] - band[1]) + abs (in[2] - band[2]), <=, 6);
  pixel_at (plot, 101, 0.75, in);
  g_assert_cmpint (abs (in[0] - band[0]) + abs (in[1] - band[1]) + abs (in[2] - band[2]), >, 12);

  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* Runs in one folder (a sweep: sweep/alpha, sweep/beta): a Multiline
 * chart's legend drops the folder as a tag's chart does ("alpha ·
 * train/loss" beside "alpha"), where it said "sweep/alpha · train/loss",
 * which on a card of 50 runs left room for one entry. */
static void
test_folder_legend (void)
{
  g_autofree char *dir = NULL;
  LmWindow *win;
  LmCustomScalarsView *view;
  cairo_surface_t *img;
  LmPlot *plot;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = lm_test_tmpdir_new ("lumen-custom-XXXXXX");
  write_run (dir, "sweep/alpha", TRUE);
  write_run (dir, "sweep/beta", FALSE);
  win = open_settled (dir, 20000);
  view = LM_CUSTOM_SCALARS_VIEW (lm_card_grid_get_custom_scalars (lm_window_get_card_grid (win)));
  g_assert_cmpuint (lm_custom_scalars_view_get_n_cards (view), >=, 1);

  img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 700, 260);
  plot = lm_chart_get_plot (lm_scalar_card_get_chart (lm_card_grid_find_card (lm_window_get_card_grid (win),
                                                                              "train/loss")));
  lm_plot_render (plot, img, 700, 260, 1.0);
  g_assert_cmpstr (lm_plot_get_legend_text (plot), ==, "alpha\nbeta");
  plot = lm_chart_get_plot (lm_scalar_card_get_chart (lm_custom_scalars_view_get_card (view, 0)));
  lm_plot_render (plot, img, 700, 260, 1.0);
  g_assert_cmpstr (lm_plot_get_legend_text (plot), ==, "alpha · train/loss\nalpha · val/loss\nbeta · train/loss");
  cairo_surface_destroy (img);

  /* one run shown: its full name, as a tag's chart keeps it */
  lm_run_set_visible (lm_run_store_find (lm_window_get_store (win), "sweep/beta"), FALSE);
  lm_test_spin (50);
  img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 700, 260);
  lm_plot_render (plot, img, 700, 260, 1.0);
  g_assert_cmpstr (lm_plot_get_legend_text (plot), ==, "sweep/alpha · train/loss\nsweep/alpha · val/loss");
  cairo_surface_destroy (img);

  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* lumen-train's "Loss" chart (train/loss$, val/loss$, test/loss$): its
 * legend lists the lines in the layout's order, as their dashes go (solid,
 * dashed, dotted), not by name (test/loss came first). */
static void
test_layout_order (void)
{
  g_autofree char *dir = NULL;
  LmWindow *win;
  LmCustomScalarsView *view;
  cairo_surface_t *img;
  LmPlot *plot;
  lm_writer *w;
  lm_custom_layout *l;
  const char *loss[] = { "train/loss$", "val/loss$", "test/loss$" };

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = lm_test_tmpdir_new ("lumen-custom-XXXXXX");
  g_assert_cmpint (lm_writer_open (&w, dir, "mlp"), ==, LM_OK);
  g_assert_cmpint (lm_custom_layout_new (&l), ==, LM_OK);
  g_assert_cmpint (lm_custom_layout_add_multiline (l, "Overview", "Loss", loss, 3), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_custom_scalars (w, l), ==, LM_OK);
  lm_custom_layout_free (l);
  for (int i = 0; i < 10; i++)
    {
      g_assert_cmpint (lm_writer_add_scalar (w, "test/loss", i, 1.1), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_scalar (w, "train/loss", i, 1), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_scalar (w, "val/loss", i, 1.2), ==, LM_OK);
    }
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  win = open_settled (dir, 20000);
  view = LM_CUSTOM_SCALARS_VIEW (lm_card_grid_get_custom_scalars (lm_window_get_card_grid (win)));
  g_assert_cmpuint (lm_custom_scalars_view_get_n_cards (view), ==, 1);
  plot = lm_chart_get_plot (lm_scalar_card_get_chart (lm_custom_scalars_view_get_card (view, 0)));
  img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1400, 260);
  lm_plot_render (plot, img, 1400, 260, 1.0);
  g_assert_cmpstr (lm_plot_get_legend_text (plot), ==, "mlp · train/loss\nmlp · val/loss\nmlp · test/loss");
  cairo_surface_destroy (img);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* The windows of cards viewed larger (card.enlarge opened them) that go
 * with `win`, and their plots. */
static guint
larger_plots (LmWindow *win, GtkWindow **windows, LmPlot **plots, guint max)
{
  GListModel *tops = gtk_window_get_toplevels ();
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (tops) && n < max; i++)
    {
      g_autoptr (GtkWindow) w = g_list_model_get_item (tops, i);

      if (LM_IS_SCALAR_CARD (gtk_window_get_child (w)) && gtk_window_get_transient_for (w) == GTK_WINDOW (win))
        {
          windows[n] = w;
          plots[n++] = lm_chart_get_plot (lm_scalar_card_get_chart (LM_SCALAR_CARD (gtk_window_get_child (w))));
        }
    }
  return n;
}

/* `window` has Ctrl+Home bound to the action `name`. */
static gboolean
has_ctrl_home (GtkWidget *window, const char *name)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (window);
  g_autoptr (GtkShortcutTrigger) want = gtk_keyval_trigger_new (GDK_KEY_Home, GDK_CONTROL_MASK);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) c = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (c))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (c)); j++)
        {
          g_autoptr (GtkShortcut) sc = g_list_model_get_item (G_LIST_MODEL (c), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (sc);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (sc), want) && GTK_IS_NAMED_ACTION (action)
              && g_str_equal (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), name))
            return TRUE;
        }
    }
  return FALSE;
}

static void
zoom_plots (LmPlot *const *plots, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 260);

      lm_plot_render (plots[i], img, 400, 260, 1.0);
      cairo_surface_destroy (img);
      lm_plot_zoom_x_at (plots[i], 200, 0.5);
      g_assert_true (lm_plot_is_zoomed (plots[i]));
    }
}

/* Ctrl+Home (win.reset-zoom) resets every chart's zoom, the Custom
 * Scalars charts' too (it reset the tag cards only), and those of cards
 * viewed larger in windows of their own, where Ctrl+Home does the same
 * (it reached neither). */
static void
test_reset_zoom (void)
{
  g_autofree char *dir = NULL;
  LmWindow *win;
  LmCustomScalarsView *view;
  LmPlot *plots[4];
  GtkWindow *larger[2];

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  dir = lm_test_tmpdir_new ("lumen-custom-XXXXXX");
  write_run (dir, "alpha", TRUE);
  win = open_settled (dir, 20000);
  view = LM_CUSTOM_SCALARS_VIEW (lm_card_grid_get_custom_scalars (lm_window_get_card_grid (win)));
  g_assert_cmpuint (lm_custom_scalars_view_get_n_cards (view), >=, 1);
  plots[0] = lm_chart_get_plot (lm_scalar_card_get_chart (lm_card_grid_find_card (lm_window_get_card_grid (win),
                                                                                  "train/loss")));
  plots[1] = lm_chart_get_plot (lm_scalar_card_get_chart (lm_custom_scalars_view_get_card (view, 0)));
  /* a tag card and a Custom Scalars chart viewed larger */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (lm_card_grid_find_card (lm_window_get_card_grid (win),
                                                                                 "train/loss")),
                                             "card.enlarge", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (lm_custom_scalars_view_get_card (view, 0)), "card.enlarge",
                                             NULL));
  g_assert_cmpuint (larger_plots (win, larger, plots + 2, 2), ==, 2);
  zoom_plots (plots, G_N_ELEMENTS (plots));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.reset-zoom", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (plots); i++)
    g_assert_false (lm_plot_is_zoomed (plots[i]));

  /* Ctrl+Home in a larger view: every chart again, its own included */
  zoom_plots (plots, G_N_ELEMENTS (plots));
  g_assert_true (has_ctrl_home (GTK_WIDGET (larger[1]), "larger.reset-zoom"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (larger[1]), "larger.reset-zoom", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (plots); i++)
    g_assert_false (lm_plot_is_zoomed (plots[i]));
  gtk_window_destroy (larger[0]);
  gtk_window_destroy (larger[1]);

  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  have_display = lm_ui_test_init (&argc, &argv);
  g_test_add_func ("/ui/custom-scalars", test_custom_scalars);
  g_test_add_func ("/ui/custom-scalars/long-band", test_long_band);
  g_test_add_func ("/ui/custom-scalars/layout-order", test_layout_order);
  g_test_add_func ("/ui/custom-scalars/folder-legend", test_folder_legend);
  g_test_add_func ("/ui/custom-scalars/reset-zoom", test_reset_zoom);
  return g_test_run ();
}
