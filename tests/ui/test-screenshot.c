/* test-screenshot.c: screenshots show the data where the data says.
 *
 * What it checks: a window screenshot (GtkSnapshot -> GskRenderer -> PNG)
 * has the run's line colour at the pixels its points map to, and not in
 * empty parts of the chart; and `lumen --logdir DIR --screenshot FILE`
 * (the real binary, LUMEN_BIN) writes a PNG of the requested size with
 * both runs' colours in it, exits 0 (1 when the PNG cannot be written), and
 * rejects bad and unknown options with exit status 2 and a message.  Skips
 * when there is no display.
 */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph-fixture.h"
#include "lm-dashboards.h"
#include "lm-graph-page.h"
#include "lm-palette.h"
#include "lm-theme.h"
#include "ui-test-util.h"
#include "lm-window.h"
#include "lm-test-run.h"

static gboolean have_display;
static const char *lumen_bin;   /* --lumen-bin PATH, from meson */

typedef LmUiImage Image;   /* B, G, R, A (premultiplied) */

static gboolean
load_image (const char *path, Image *img)
{
  return lm_ui_image_load (path, img, NULL);
}

#define pixel_near_color lm_ui_pixel_near

static guint
count_color (const Image *img, const GdkRGBA *c, int tol)
{
  guint n = 0;

  for (int y = 0; y < img->height; y++)
    for (int x = 0; x < img->width; x++)
      if (pixel_near_color (img, x, y, 0, c, tol))
        n++;
  return n;
}

/* "up": a rising line 0..1 over steps 0..99 plus one spike; "flat": 0.2. */
static char *
make_logdir (void)
{
  char *dir = g_dir_make_tmp ("lumen-shot-XXXXXX", NULL);
  LmTestRun *up = lm_test_run_create (dir, "up");
  LmTestRun *flat = lm_test_run_create (dir, "flat");

  lm_test_run_begin (up);
  lm_test_run_begin (flat);
  for (int i = 0; i < 100; i++)
    {
      lm_test_run_add_scalar (up, "metric", i, 1.7e9 + i, i == 70 ? 1.6 : i / 99.0);
      lm_test_run_add_scalar (flat, "metric", i, 1.7e9 + i, 0.2);
    }
  lm_test_run_set_status (up, "finished");
  lm_test_run_set_status (flat, "finished");
  lm_test_run_commit (up);
  lm_test_run_commit (flat);
  lm_test_run_close (up);
  lm_test_run_close (flat);
  return dir;
}

static void
save_shot (LmWindow *win, const char *path, GError **error)
{
  lm_ui_save_screenshot (win, path, error);
}

static gboolean
settled (gpointer data)
{
  return lm_window_is_settled (data);
}

static void
test_window_pixels (void)
{
  g_autofree char *logdir = NULL, *png = NULL;
  g_autoptr (GError) error = NULL;
  LmWindow *win;
  LmChart *chart;
  LmPlot *plot;
  LmRun *up;
  GdkRGBA color;
  Image img = { 0 };
  gint64 end;
  const int steps[] = { 5, 30, 50, 70, 95 };

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  logdir = make_logdir ();
  win = lm_window_new (NULL, logdir);
  lm_chart_settings_set_smoothing (lm_window_get_settings (win), 0.0);
  gtk_window_set_default_size (GTK_WINDOW (win), 1000, 700);
  gtk_window_present (GTK_WINDOW (win));
  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!settled (win) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (settled (win));

  png = g_build_filename (logdir, "shot.png", NULL);
  save_shot (win, png, &error);
  g_assert_no_error (error);
  g_assert_true (load_image (png, &img));
  g_assert_cmpint (img.width, ==, gtk_widget_get_width (GTK_WIDGET (win)));
  /* Opaque all over (a transparent sidebar turned black on dark viewers);
   * only the rounded window corners may let the background through. */
  {
    gsize clear = 0;

    for (int y = 0; y < img.height; y++)
      for (int x = 0; x < img.width; x++)
        clear += img.pixels[y * img.stride + x * 4 + 3] != 255;
    g_assert_cmpuint (clear, <, 200);
  }

  chart = lm_scalar_card_get_chart (lm_card_grid_find_card (lm_window_get_card_grid (win), "metric"));
  plot = lm_chart_get_plot (chart);
  up = lm_run_store_find (lm_window_get_store (win), "up");
  lm_palette_color (lm_run_get_ordinal (up), &color);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      double v = steps[i] == 70 ? 1.6 : steps[i] / 99.0;
      double px, py;
      graphene_point_t in, out;

      g_assert_true (lm_plot_data_to_pixel (plot, steps[i], v, &px, &py));
      in = GRAPHENE_POINT_INIT (px, py);
      g_assert_true (gtk_widget_compute_point (GTK_WIDGET (chart), GTK_WIDGET (win), &in, &out));
      if (!pixel_near_color (&img, (int) out.x, (int) out.y, 2, &color, 40))
        g_error ("no line colour near step %d (%.0f, %.0f)", steps[i], out.x, out.y);

      /* Well above the rising line (and below the spike's top) is empty. */
      if (steps[i] != 70 && v + 0.5 < 1.5)
        {
          g_assert_true (lm_plot_data_to_pixel (plot, steps[i], v + 0.5, &px, &py));
          in = GRAPHENE_POINT_INIT (px, py);
          g_assert_true (gtk_widget_compute_point (GTK_WIDGET (chart), GTK_WIDGET (win), &in, &out));
          g_assert_false (pixel_near_color (&img, (int) out.x, (int) out.y, 1, &color, 40));
        }
    }
  g_free (img.pixels);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (logdir);
}

/* The widgets at or below root that have a CSS class, depth first. */
static void
find_by_class (GtkWidget *root, const char *css_class, GPtrArray *out)
{
  if (gtk_widget_has_css_class (root, css_class))
    g_ptr_array_add (out, root);
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    find_by_class (c, css_class, out);
}

/* Luminance (0-255, Rec. 709) of a screenshot pixel. */
static double
lum_at (const Image *img, int x, int y)
{
  const guchar *p = img->pixels + CLAMP (y, 0, img->height - 1) * img->stride + CLAMP (x, 0, img->width - 1) * 4;

  return 0.2126 * p[2] + 0.7152 * p[1] + 0.0722 * p[0];
}

/* The least and the greatest luminance inside a rectangle of the shot. */
static void
lum_range (const Image *img, const graphene_rect_t *r, double *lo, double *hi)
{
  *lo = 255, *hi = 0;
  for (int y = MAX (0, (int) r->origin.y); y < MIN (img->height, (int) (r->origin.y + r->size.height)); y++)
    for (int x = MAX (0, (int) r->origin.x); x < MIN (img->width, (int) (r->origin.x + r->size.width)); x++)
      {
        double l = lum_at (img, x, y);

        *lo = MIN (*lo, l);
        *hi = MAX (*hi, l);
      }
}

static void
wait_settled (LmWindow *win)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!settled (win) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (settled (win));
}

static void
shoot (LmWindow *win, const char *png, Image *img)
{
  g_autoptr (GError) error = NULL;

  g_free (img->pixels);
  wait_settled (win);
  lm_test_spin (500);   /* the theme's colour transitions (200 ms on buttons) */
  lm_ui_save_screenshot (win, png, &error);
  g_assert_no_error (error);
  g_assert_true (load_image (png, img));
}

/* What a scalar chart shows in the shot: the plot area's background (its
 * most common shade: the middle of the area, away from lines, is mostly
 * background) and the brightest and darkest ink of the y tick labels. */
static void
chart_pixels (const Image *img, LmWindow *win, const char *tag, double *bg, double *label_lo,
              double *label_hi)
{
  LmChart *chart = lm_scalar_card_get_chart (lm_card_grid_find_card (lm_window_get_card_grid (win), tag));
  LmRect a = lm_plot_get_area (lm_chart_get_plot (chart));
  graphene_rect_t b, labels;
  guint hist[256] = { 0 }, best = 0;

  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (chart), GTK_WIDGET (win), &b));
  for (int y = (int) (b.origin.y + a.y + 4); y < (int) (b.origin.y + a.y + a.height - 4); y++)
    for (int x = (int) (b.origin.x + a.x + 4); x < (int) (b.origin.x + a.x + a.width - 4); x++)
      hist[(int) lum_at (img, x, y)]++;
  for (int i = 0; i < 256; i++)
    if (hist[i] > hist[best])
      best = i;
  *bg = best;
  labels = GRAPHENE_RECT_INIT (b.origin.x + 2, b.origin.y + a.y, a.x - 6, a.height);
  lum_range (img, &labels, label_lo, label_hi);
}

/* The section titles, counts and the cards' flat buttons: their ink. */
static void
sheet_ink (const Image *img, LmWindow *win, gboolean dark)
{
  static const char *const classes[] = { "lm-section-title", "lm-section-count", "lm-card-button" };

  for (guint k = 0; k < G_N_ELEMENTS (classes); k++)
    {
      g_autoptr (GPtrArray) found = g_ptr_array_new ();

      find_by_class (GTK_WIDGET (win), classes[k], found);
      g_assert_cmpuint (found->len, >, 0);
      for (guint i = 0; i < found->len; i++)
        if (gtk_widget_get_mapped (found->pdata[i]))
          {
            graphene_rect_t r;
            double lo, hi;

            g_assert_true (gtk_widget_compute_bounds (found->pdata[i], GTK_WIDGET (win), &r));
            lum_range (img, &r, &lo, &hi);
            /* light ink on the dark sheet (#e8eaed at 55 % over #202124 is
             * about 140); dark ink on the light one (about 120) */
            if (dark ? hi < 130 : lo > 150)
              g_error ("%s: no %s text on the %s sheet (luminance %.0f to %.0f)", classes[k],
                       dark ? "light" : "dark", dark ? "dark" : "light", lo, hi);
          }
    }
}

/* A graph of two nodes on the graph page: the node's title must stand out
 * from its box (light text on a dark box, or dark on light), and the
 * canvas around it has the theme's background. */
static void
graph_pixels (const Image *img, LmWindow *win, double *canvas, double *contrast)
{
  LmGraphPage *page = LM_GRAPH_PAGE (lm_dashboards_get_page (lm_window_get_dashboards (win), "graph"));
  LmGraphView *view = lm_graph_page_get_view (page);
  graphene_rect_t node, b;
  double lo, hi;

  g_assert_true (lm_graph_view_get_node_rect (view, 1, &node));
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (view), GTK_WIDGET (win), &b));
  node.origin.x += b.origin.x + 3, node.origin.y += b.origin.y + 3;
  node.size.width -= 6, node.size.height -= 6;
  lum_range (img, &node, &lo, &hi);
  *contrast = hi - lo;
  *canvas = lum_at (img, (int) (b.origin.x + 4), (int) (b.origin.y + b.size.height - 4));
}

static void
load_graph (LmWindow *win)
{
  LmGraphPage *page = LM_GRAPH_PAGE (lm_dashboards_get_page (lm_window_get_dashboards (win), "graph"));
  GraphFixture *f = graph_fixture_begin ("two");
  static const gint64 shape[] = { 64, 128 };

  graph_fixture_node (f, 1, "linear", "fc1", "", 2, shape);
  graph_fixture_node (f, 2, "relu", "act", "", 2, shape);
  graph_fixture_edge (f, 1, 2, 0);
  lm_graph_view_set_graph (lm_graph_page_get_view (page), graph_fixture_end (f));
  for (gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
       !lm_graph_view_is_laid_out (lm_graph_page_get_view (page)) && g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (lm_graph_view_is_laid_out (lm_graph_page_get_view (page)));
}

/* Dark mode, as TensorBoard's: by default Lumen follows the system (here
 * GTK's prefer-dark, as GTK_THEME=Adwaita:dark or the desktop's dark
 * style give it): the sheet, the charts and the graph canvas turn dark
 * with light text (they stayed a light sheet with light grey charts, and
 * the graph canvas a white box, under a dark theme).  Appearance Light
 * gives back the light sheet with dark text at once, without a restart,
 * as the light mode always looked: white charts; Dark again goes back.
 * And the screenshot of the graph page is opaque. */
static void
test_dark_theme (void)
{
  g_autofree char *logdir = NULL, *png = NULL;
  GtkSettings *gs;
  LmWindow *win;
  Image img = { 0 };
  double bg, lo, hi, canvas, contrast;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g_assert_cmpint (lm_theme_get_mode (), ==, LM_THEME_SYSTEM);
  gs = gtk_settings_get_default ();
  g_object_set (gs, "gtk-application-prefer-dark-theme", TRUE, NULL);
  g_assert_true (lm_theme_is_dark ());
  logdir = lm_test_logdir_with_scalar ("lumen-dark-XXXXXX", "train/loss", 20);
  png = g_build_filename (logdir, "dark.png", NULL);

  win = lm_window_new (NULL, logdir);
  gtk_window_set_default_size (GTK_WINDOW (win), 1000, 700);
  gtk_window_present (GTK_WINDOW (win));
  shoot (win, png, &img);
  sheet_ink (&img, win, TRUE);
  chart_pixels (&img, win, "train/loss", &bg, &lo, &hi);
  g_test_message ("dark: chart background %.0f, tick labels %.0f to %.0f", bg, lo, hi);
  g_assert_cmpfloat (bg, <, 60);     /* #292a2d is 42 */
  g_assert_cmpfloat (hi, >, 150);    /* the labels' ink is light */

  /* Light, at run time: everything redrawn, as before there was a dark mode */
  lm_theme_set_mode (LM_THEME_LIGHT);
  g_assert_false (lm_theme_is_dark ());
  shoot (win, png, &img);
  sheet_ink (&img, win, FALSE);
  chart_pixels (&img, win, "train/loss", &bg, &lo, &hi);
  g_test_message ("light: chart background %.0f, tick labels %.0f to %.0f", bg, lo, hi);
  g_assert_cmpfloat (bg, >=, 254);   /* white */
  g_assert_cmpfloat (lo, <, 120);

  /* Dark, chosen: the graph canvas and its nodes */
  lm_theme_set_mode (LM_THEME_DARK);
  g_object_set (gs, "gtk-application-prefer-dark-theme", FALSE, NULL);   /* the system is light now */
  g_assert_true (lm_theme_is_dark ());
  lm_dashboards_set_view (lm_window_get_dashboards (win), "graph");
  load_graph (win);
  shoot (win, png, &img);
  {
    gsize clear = 0;

    for (int y = 0; y < img.height; y++)
      for (int x = 0; x < img.width; x++)
        clear += img.pixels[y * img.stride + x * 4 + 3] != 255;
    g_assert_cmpuint (clear, <, 200);
  }
  graph_pixels (&img, win, &canvas, &contrast);
  g_test_message ("dark graph: canvas %.0f, node title contrast %.0f", canvas, contrast);
  g_assert_cmpfloat (canvas, <, 50);
  g_assert_cmpfloat (contrast, >, 120);

  /* System again: the system is light now */
  lm_theme_set_mode (LM_THEME_SYSTEM);
  g_assert_false (lm_theme_is_dark ());
  shoot (win, png, &img);
  graph_pixels (&img, win, &canvas, &contrast);
  g_test_message ("light graph: canvas %.0f, node title contrast %.0f", canvas, contrast);
  g_assert_cmpfloat (canvas, >, 245);
  g_assert_cmpfloat (contrast, >, 120);
  g_free (img.pixels);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (logdir);
}

/* The CLI tests need a display and the binary; else they skip. */
static gboolean
can_run_lumen (void)
{
  if (!have_display)
    g_test_skip ("no display");
  else if (lumen_bin == NULL)
    g_test_skip ("no lumen binary (--lumen-bin PATH or LUMEN_BIN)");
  return have_display && lumen_bin != NULL;
}

static void
test_cli_screenshot (void)
{
  const char *bin = lumen_bin;
  g_autofree char *logdir = NULL, *png = NULL, *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status;
  Image img = { 0 };
  GdkRGBA c0, c1;

  if (!can_run_lumen ())
    return;
  logdir = make_logdir ();
  png = g_build_filename (logdir, "cli.png", NULL);
  {
    const char *argv[] = { bin, "--logdir", logdir, "--screenshot", png,
                           "--window-size", "900x640", "--smoothing", "0", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, &error));
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("lumen --screenshot failed: %s", err);
  g_assert_true (load_image (png, &img));
  /* exactly: the window's decoration margin is not taken out of it */
  g_assert_cmpint (img.width, ==, 900);
  g_assert_cmpint (img.height, ==, 640);
  /* Both runs' colours are drawn (ordinals follow name order: flat, up). */
  lm_palette_color (0, &c0);
  lm_palette_color (1, &c1);
  g_assert_cmpuint (count_color (&img, &c0, 30), >, 100);
  g_assert_cmpuint (count_color (&img, &c1, 30), >, 100);
  g_free (img.pixels);

  /* Saved settings apply (smoothing 0.9 from settings.ini: the faint raw
   * line shows under the smoothed one), and --smoothing 0 overrides them for
   * the session (no faint line: GApplication used to drop a 0.0 double). */
  {
    g_autofree char *cfg = g_build_filename (logdir, "cfg", NULL);
    g_autofree char *ini = g_build_filename (cfg, "lumen", "settings.ini", NULL);
    g_autofree char *ini_dir = g_path_get_dirname (ini);
    g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "XDG_CONFIG_HOME", cfg, TRUE);
    GdkRGBA faint;
    guint n_faint[2];

    g_assert_cmpint (g_mkdir_with_parents (ini_dir, 0700), ==, 0);
    g_assert_true (g_file_set_contents (ini, "[scalars]\nsmoothing=0.9\n", -1, NULL));
    faint = c1;   /* the rising run's raw line at RAW_ALPHA_SMOOTHED (0.28) over white */
    faint.red = 1 - 0.28 * (1 - c1.red);
    faint.green = 1 - 0.28 * (1 - c1.green);
    faint.blue = 1 - 0.28 * (1 - c1.blue);
    for (int with_flag = 0; with_flag < 2; with_flag++)
      {
        const char *argv[] = { bin, "--logdir", logdir, "--screenshot", png, "--window-size", "900x640",
                               with_flag ? "--smoothing" : NULL, "0", NULL };
        g_autofree char *o2 = NULL, *e2 = NULL;

        g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                                     &o2, &e2, &status, NULL));
        if (!g_spawn_check_wait_status (status, NULL))
          g_error ("lumen --screenshot failed: %s", e2);
        g_assert_true (load_image (png, &img));
        n_faint[with_flag] = count_color (&img, &faint, 6);
        g_free (img.pixels);
      }
    g_test_message ("faint raw-line pixels: %u from settings.ini, %u with --smoothing 0", n_faint[0], n_faint[1]);
    g_assert_cmpuint (n_faint[0], >, 50);
    g_assert_cmpuint (n_faint[1], <, n_faint[0] / 5);
  }

  /* A screenshot that cannot be written fails the command (it exited 0). */
  {
    g_autofree char *bad = g_build_filename (logdir, "no-such-folder", "x.png", NULL);
    const char *argv[] = { bin, "--logdir", logdir, "--screenshot", bad, NULL };
    g_autofree char *o2 = NULL, *e2 = NULL;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &o2, &e2, &status, NULL));
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 1);
    g_assert_nonnull (strstr (e2, "lumen: screenshot failed: cannot write "));
    g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
  }

  /* Bad options: exit status 2 and a message naming the problem. */
  {
    const char *argv[] = { bin, "--logdir", logdir, "--screenshot", png, "--window-size", "big", NULL };
    g_autofree char *o2 = NULL, *e2 = NULL;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &o2, &e2, &status, NULL));
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_cmpint (WEXITSTATUS (status), ==, 2);
    g_assert_nonnull (strstr (e2, "--window-size"));
  }
  {
    const char *argv[] = { bin, "--logdir", logdir, "--screenshot", png, "--tag-filter", "(", NULL };
    g_autofree char *o2 = NULL, *e2 = NULL;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &o2, &e2, &status, NULL));
    g_assert_cmpint (WEXITSTATUS (status), ==, 2);
    g_assert_nonnull (strstr (e2, "--tag-filter"));
  }
  lm_test_rm_rf (logdir);
}

/* Options lumen does not have are usage errors like the others: "lumen:",
 * the option, a pointer to --help, exit status 2 (GApplication said
 * "Unknown option --port" and exited 1); TensorBoard's server options get a
 * word on why, and --reload_interval=5 is named without its value. Checked
 * before any display is needed. */
static void
test_cli_unknown_options (void)
{
  static const struct
  {
    const char *args[3];
    const char *message;
  } cases[] = {
    { { "--logdr", "runs", NULL }, "lumen: unknown option --logdr; lumen --help lists the options\n" },
    { { "-x", NULL, NULL }, "lumen: unknown option -x; lumen --help lists the options\n" },
    { { "--reload_interval=5", NULL, NULL }, "lumen: unknown option --reload_interval; lumen --help lists the options\n" },
    { { "--port", "6006", NULL }, "lumen: --port: Lumen is a desktop app, not a server like TensorBoard" },
    { { "--bind_all", NULL, NULL }, "lumen: --bind_all: Lumen is a desktop app" },
    { { "--screenshot-timeout", "soon", NULL }, "lumen: --screenshot-timeout must be a positive number of seconds; got 'soon'\n" },
    { { "--logdir", NULL, NULL }, "lumen: Missing argument for --logdir; lumen --help" },
  };
  const char *bin = lumen_bin;

  if (bin == NULL)
    {
      g_test_skip ("no lumen binary (--lumen-bin PATH or LUMEN_BIN)");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *argv[] = { bin, cases[i].args[0], cases[i].args[1], NULL };
      g_autofree char *out = NULL, *err = NULL;
      int status;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   &out, &err, &status, NULL));
      g_test_message ("lumen %s %s: %s", cases[i].args[0], cases[i].args[1] ? cases[i].args[1] : "", err);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 2);
      if (strstr (err, cases[i].message) == NULL)
        g_error ("lumen %s: expected '%s' in '%s'", cases[i].args[0], cases[i].message, err);
    }
}

/* lumen --help names every view --view takes (it left out projector, which
 * --view accepted) and the defaults README gives (scalars, step).  Needs
 * no display. */
static void
test_cli_help (void)
{
  const char *argv[] = { lumen_bin, "--help", NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_auto (GStrv) lines = NULL;
  const char *view = NULL, *axis = NULL, *step = NULL;
  int status;

  if (lumen_bin == NULL)
    {
      g_test_skip ("no lumen binary (--lumen-bin PATH or LUMEN_BIN)");
      return;
    }
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "--view=VIEW") != NULL)
      view = lines[i];
    else if (strstr (lines[i], "--x-axis=AXIS") != NULL)
      axis = lines[i];
    else if (strstr (lines[i], "--step=N") != NULL)
      step = lines[i];
  g_assert_nonnull (view);
  g_assert_nonnull (axis);
  g_assert_nonnull (step);
  for (guint i = 0; lm_dashboard_names[i] != NULL; i++)
    {
      g_autofree char *word = g_strdup_printf (" %s", lm_dashboard_names[i]);

      if (strstr (view, word) == NULL)
        g_error ("lumen --help's --view does not name %s: %s", lm_dashboard_names[i], view);
    }
  {
    const char *const expected[][2] = {
      { view, " hparams-scatter " }, { view, " debugger" }, { view, "scalars (the default)" },
      { axis, "step (the default)" }, { out, "tooltip sorting" }, { out, "run colours and" },
      { out, "\"Color runs by\") are kept" }, { out, "step selection, link by step" },
      /* --step on the graph and profile views, which it goes with */
      { step, "with --view graph or profile" },
      /* --step on PR Curves is refused without --screenshot, as README says */
      { step, "with --screenshot on the pr_curves view" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      if (strstr (expected[i][0], expected[i][1]) == NULL)
        g_error ("lumen --help lacks '%s'", expected[i][1]);
  }
}

/* Tags and log directories are UTF-8: a filter or a folder name beyond
 * ASCII is read in the user's (UTF-8) locale; it failed with GLib's
 * "Invalid byte sequence in conversion input" (options were read before
 * the locale was set).  Here the bad regex is reported, by its name. */
static void
test_cli_utf8_options (void)
{
  const char *bin = lumen_bin;
  g_autofree char *dir = NULL, *logdir = NULL, *out = NULL, *err = NULL;
  g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "LC_ALL", "C.UTF-8", TRUE);
  int status;

  if (bin == NULL)
    {
      g_test_skip ("no lumen binary (--lumen-bin PATH or LUMEN_BIN)");
      return;
    }
  dir = g_dir_make_tmp ("lumen-utf8-XXXXXX", NULL);
  logdir = g_build_filename (dir, "expériences", NULL);
  g_assert_cmpint (g_mkdir (logdir, 0700), ==, 0);
  {
    const char *argv[] = { bin, "--logdir", logdir, "--tag-filter", "cödé/loss(", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, NULL));
  }
  g_test_message ("%s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_assert_nonnull (strstr (err, "lumen: --tag-filter: invalid regex: "));
  g_assert_nonnull (strstr (err, "cödé/loss("));
  lm_test_rm_rf (dir);
}

/* lumen --screenshot's stderr with env (its exit checked). */
static char *
screenshot_stderr (const char *const *argv, char **env)
{
  g_autofree char *out = NULL;
  char *err = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                               &status, NULL));
  g_test_message ("%s", err);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("lumen --screenshot failed: %s", err);
  return err;
}

/* Without a session bus (a bare Xvfb, a container) the app starts
 * quietly: GTK's accessibility, which finds the AT-SPI bus through the
 * session bus, printed "Gtk-WARNING: Unable to acquire session bus" at the
 * first window.  With a session bus (dbus-run-session, where installed)
 * accessibility still starts its bus, as before. */
static void
test_cli_no_session_bus (void)
{
  g_autofree char *logdir = NULL, *png = NULL, *err = NULL, *with_bus = NULL;
  g_auto (GStrv) env = g_get_environ ();
  g_autofree char *dbus_run = g_find_program_in_path ("dbus-run-session");

  if (!can_run_lumen ())
    return;
  logdir = make_logdir ();
  png = g_build_filename (logdir, "nobus.png", NULL);
  /* the tests' GTK_A11Y=none off, and a session bus that is not there */
  env = g_environ_unsetenv (env, "GTK_A11Y");
  env = g_environ_unsetenv (env, "AT_SPI_BUS_ADDRESS");
  env = g_environ_setenv (env, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/lumen-test-bus", TRUE);
  {
    const char *argv[] = { lumen_bin, "--logdir", logdir, "--screenshot", png, "--window-size", "600x400", NULL };

    err = screenshot_stderr (argv, env);
  }
  g_assert_null (strstr (err, "session bus"));
  g_assert_null (strstr (err, "WARNING"));
  g_assert_null (strstr (err, "CRITICAL"));
  g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS));

  if (dbus_run == NULL || !g_file_test ("/usr/share/dbus-1/services/org.a11y.Bus.service", G_FILE_TEST_EXISTS))
    g_test_message ("no dbus-run-session or AT-SPI bus service: the session bus case is not run");
  else
    {
      const char *argv[] = { dbus_run, "--", lumen_bin, "--logdir", logdir, "--screenshot", png,
                             "--window-size", "600x400", NULL };

      env = g_environ_unsetenv (env, "DBUS_SESSION_BUS_ADDRESS");
      with_bus = screenshot_stderr (argv, env);
      /* the session bus's log: GTK asked it for the AT-SPI bus */
      g_assert_nonnull (strstr (with_bus, "org.a11y.Bus"));
    }
  lm_test_rm_rf (logdir);
}

/* On a HiDPI screen (GDK_SCALE=2) the screenshot has the screen's pixels:
 * --window-size 860x560 is 1720x1120 pixels, charts drawn at that resolution
 * (it was 860x560, every curve and label at half the detail the user sees). */
static void
test_cli_hidpi (void)
{
  g_autofree char *logdir = NULL, *png = NULL, *err = NULL;
  g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "GDK_SCALE", "2", TRUE);
  int status;
  Image img = { 0 };
  GdkRGBA c1;

  if (!can_run_lumen ())
    return;
  logdir = make_logdir ();
  png = g_build_filename (logdir, "hidpi.png", NULL);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", logdir, TRUE);
  {
    const char *argv[] = { lumen_bin, "--logdir", logdir, "--screenshot", png,
                           "--window-size", "860x560", "--smoothing", "0", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                                 NULL, &err, &status, NULL));
  }
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("lumen --screenshot failed: %s", err);
  g_assert_true (load_image (png, &img));
  g_assert_cmpint (img.width, ==, 1720);
  g_assert_cmpint (img.height, ==, 1120);
  /* the rising run's line, two device pixels wide (a thin grey-blended
   * line at 1x upscaled would not keep the colour) */
  lm_palette_color (1, &c1);
  g_assert_cmpuint (count_color (&img, &c1, 30), >, 200);
  g_free (img.pixels);
  lm_test_rm_rf (logdir);
}

/* --window-size is the window's and the screenshot's size: 900x500 is a
 * 900x500 PNG (the sidebar scrolls; its settings and run list made it
 * 900x515).  Below what the window can be (the header bar's view buttons
 * set its width) stderr names the size used, which the PNG has. */
static void
test_cli_window_size (void)
{
  g_autofree char *logdir = NULL, *png = NULL;
  g_autoptr (GRegex) re = g_regex_new ("is smaller than the window can be here, ([0-9]+)x([0-9]+) .*; "
                                       "the window is ([0-9]+)x([0-9]+)\n", 0, 0, NULL);
  g_auto (GStrv) env = NULL;
  const char *sizes[] = { "900x500", "300x170" };

  if (!can_run_lumen ())
    return;
  logdir = make_logdir ();
  png = g_build_filename (logdir, "size.png", NULL);
  env = g_environ_setenv (g_get_environ (), "XDG_CONFIG_HOME", logdir, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      const char *argv[] = { lumen_bin, "--logdir", logdir, "--screenshot", png, "--window-size", sizes[i], NULL };
      g_autofree char *err = NULL;
      g_autoptr (GMatchInfo) m = NULL;
      int status, w, h;
      Image img = { 0 };

      g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, NULL));
      if (!g_spawn_check_wait_status (status, NULL))
        g_error ("lumen --screenshot failed: %s", err);
      g_assert_true (load_image (png, &img));
      g_test_message ("--window-size %s: %dx%d PNG; %s", sizes[i], img.width, img.height, err);
      g_free (img.pixels);
      g_assert_cmpint (sscanf (sizes[i], "%dx%d", &w, &h), ==, 2);
      if (i == 0)
        {
          g_assert_null (strstr (err, "--window-size"));
          g_assert_cmpint (img.width, ==, w);
          g_assert_cmpint (img.height, ==, h);
          continue;
        }
      /* too small: named, and the PNG is the size named */
      g_assert_true (g_regex_match (re, err, 0, &m));
      g_assert_nonnull (strstr (err, "lumen: --window-size 300x170 is smaller"));
      {
        g_autofree char *mw = g_match_info_fetch (m, 1), *mh = g_match_info_fetch (m, 2);
        g_autofree char *ww = g_match_info_fetch (m, 3), *wh = g_match_info_fetch (m, 4);

        g_assert_cmpint (atoi (mw), >, 300);
        g_assert_cmpint (atoi (ww), ==, atoi (mw));
        g_assert_cmpint (atoi (wh), ==, MAX (170, atoi (mh)));
        g_assert_cmpint (img.width, ==, atoi (ww));
        g_assert_cmpint (img.height, ==, atoi (wh));
      }
    }
  lm_test_rm_rf (logdir);
}

/* Every bad option, alone, with a screenshot (and a window size, which
 * realizes the window early) and with a view: exit status 2, the message,
 * and nothing else on stderr from GLib or GTK.  An invalid --tag-filter
 * with --screenshot --window-size printed "invalid unclassed pointer in
 * cast to 'GtkWindow'" and crashed (a window made, then destroyed, for
 * the bad regex); without --screenshot it still printed criticals. */
static void
test_cli_bad_options (void)
{
  static const struct
  {
    const char *args[6];
    const char *message;
  } cases[] = {
    { { "--tag-filter", "(", NULL }, "lumen: --tag-filter: invalid regex: " },
    { { "--run-filter", "[", NULL }, "lumen: --run-filter: invalid regex: " },
    { { "--tag-filter", "loss", "--run-filter", "a(" }, "lumen: --run-filter: invalid regex: " },
    { { "--window-size", "big", NULL }, "lumen: --window-size expects WIDTHxHEIGHT" },
    { { "--x-axis", "time", NULL }, "lumen: --x-axis must be step, relative or wall; got 'time'" },
    { { "--smoothing", "2", NULL }, "lumen: --smoothing must be between 0 and 0.999; got '2'" },
    /* GApplication dropped the 0: the window opened as if no option was given */
    { { "--screenshot-timeout", "0", NULL }, "lumen: --screenshot-timeout must be a positive number of seconds; got '0'" },
    { { "--view", "debugger", "--op", "0" }, "lumen: --op counts from 1" },
    { { "--view", "nope", NULL }, "lumen: --view must be one of " },
    /* --step alone is the scalars' step selection (test-step-selection.c) */
    { { "--op", "3", NULL }, "--op with --view debugger (or graph)" },
    { { "extra", NULL }, "lumen: unexpected argument 'extra'" },
    { { "--theme", "bogus", NULL }, "lumen: --theme must be system, light or dark; got 'bogus'" },
    { { "--logdir_spec", "a:/x", NULL }, "lumen: --logdir and --logdir_spec cannot be used together" },
    { { "--projector-method", "tsne", NULL }, "lumen: --projector-method, --tsne-iterations and --umap-epochs go with --view projector" },
    { { "--view", "projector", "--projector-method", "lda" }, "lumen: --projector-method must be pca, tsne, umap or custom; got 'lda'" },
    { { "--projector-sphereize", NULL }, "lumen: --projector-sphereize goes with --view projector and PCA" },
    { { "--view", "projector", "--projector-method", "tsne", "--projector-sphereize" }, "lumen: --projector-sphereize goes with --view projector and PCA" },
    { { "--view", "projector", "--projector-custom-x", "a,b" }, "lumen: --projector-custom-x, --projector-custom-y and --projector-custom-regex go with --view projector --projector-method custom" },
    { { "--view", "projector", "--projector-method", "custom", "--projector-custom-y", "Bag" }, "lumen: --projector-custom-y expects UP,DOWN: two label searches split at the first comma (e.g. Sneaker,Sandal); got 'Bag'" },
    { { "--view", "projector", "--projector-method", "custom", "--projector-custom-x", ",b" }, "lumen: --projector-custom-x expects LEFT,RIGHT" },
    { { "--view", "projector", "--umap-epochs", "10" }, "lumen: --umap-epochs goes with --projector-method umap" },
    { { "--projector-select", "3", NULL }, "lumen: --projector-select goes with --view projector" },
    { { "--view", "projector", "--projector-select", "" }, "lumen: --projector-select needs a point's label or number" },
    { { "--projector-color-by", "split", NULL }, "lumen: --projector-color-by goes with --view projector" },
    { { "--view", "projector", "--projector-color-by", "" }, "lumen: --projector-color-by needs a metadata column's name" },
  };
  static const char *const with[][5] = {
    { NULL },
    { "--screenshot", "PNG", "--window-size", "900x640", NULL },
    { "--view", "scalars", NULL },
    { "--view", "images", "--screenshot", "PNG", NULL },
  };
  const char *bin = lumen_bin;
  g_autofree char *logdir = NULL, *png = NULL;

  if (!can_run_lumen ())
    return;
  logdir = make_logdir ();
  png = g_build_filename (logdir, "bad.png", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint w = 0; w < G_N_ELEMENTS (with); w++)
      {
        g_autoptr (GPtrArray) argv = g_ptr_array_new ();
        g_autofree char *out = NULL, *err = NULL, *cmd = NULL;
        int status;

        g_ptr_array_add (argv, (gpointer) bin);
        g_ptr_array_add (argv, (gpointer) "--logdir");
        g_ptr_array_add (argv, logdir);
        for (guint k = 0; with[w][k] != NULL; k++)
          g_ptr_array_add (argv, (gpointer) (strcmp (with[w][k], "PNG") == 0 ? png : with[w][k]));
        for (guint k = 0; k < G_N_ELEMENTS (cases[i].args) && cases[i].args[k] != NULL; k++)
          g_ptr_array_add (argv, (gpointer) cases[i].args[k]);
        g_ptr_array_add (argv, NULL);
        cmd = g_strjoinv (" ", (char **) argv->pdata);
        g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                     &out, &err, &status, NULL));
        g_test_message ("%s: %s", cmd, err);
        if (!WIFEXITED (status) || WEXITSTATUS (status) != 2)
          g_error ("%s: expected exit status 2, got wait status %d; stderr: %s", cmd, status, err);
        if (strstr (err, cases[i].message) == NULL)
          g_error ("%s: expected '%s' in '%s'", cmd, cases[i].message, err);
        if (strstr (err, "CRITICAL") != NULL || strstr (err, "WARNING") != NULL)
          g_error ("%s: GLib/GTK complained: %s", cmd, err);
        g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
      }
  lm_test_rm_rf (logdir);
}

/* lumen --logdir_spec a:DIR,b:DIR2 (TensorBoard's): one window with the
 * runs of both, as a/<run> and b/<run>, each in its own colour; a bad spec
 * exits 2 naming the entry, with no window. */
static void
test_cli_logdir_spec (void)
{
  static const struct
  {
    const char *spec, *message;
  } bad[] = {
    { "a:", "lumen: --logdir_spec: 'a:' names no folder after the ':'" },
    { "a:x,a:y", "lumen: --logdir_spec: the name 'a' is given twice" },
    { "gs://bucket/runs", "lumen: --logdir_spec: 'gs://bucket/runs' is a URL" },
    { "a:x,,b:y", "lumen: --logdir_spec: entry 2 of 'a:x,,b:y' is empty" },
  };
  const char *bin = lumen_bin;
  g_autofree char *one = NULL, *two = NULL, *spec = NULL, *png = NULL, *out = NULL, *err = NULL;
  int status;
  Image img = { 0 };

  if (!can_run_lumen ())
    return;
  one = make_logdir ();
  two = g_dir_make_tmp ("lumen-shot-XXXXXX", NULL);
  {
    LmTestRun *other = lm_test_run_create (two, "other");

    lm_test_run_begin (other);
    for (int i = 0; i < 100; i++)
      lm_test_run_add_scalar (other, "metric", i, 1.7e9 + i, 0.9 - i / 300.0);
    lm_test_run_set_status (other, "finished");
    lm_test_run_commit (other);
    lm_test_run_close (other);
  }
  png = g_build_filename (one, "spec.png", NULL);
  spec = g_strdup_printf ("a:%s,b:%s", one, two);
  {
    const char *argv[] = { bin, "--logdir_spec", spec, "--screenshot", png, "--window-size", "900x640",
                           "--smoothing", "0", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, NULL));
  }
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("lumen --logdir_spec --screenshot failed: %s", err);
  g_assert_true (load_image (png, &img));
  /* three runs (a/flat, a/up, b/other): the three first colours are drawn,
   * where either folder alone draws two or one */
  for (guint ordinal = 0; ordinal < 3; ordinal++)
    {
      GdkRGBA c;
      guint n;

      lm_palette_color (ordinal, &c);
      n = count_color (&img, &c, 30);
      g_test_message ("run %u's colour: %u pixels", ordinal, n);
      g_assert_cmpuint (n, >, 100);
    }
  g_free (img.pixels);
  g_assert_cmpint (g_unlink (png), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *argv[] = { bin, "--logdir_spec", bad[i].spec, "--screenshot", png, NULL };
      g_autofree char *o2 = NULL, *e2 = NULL;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   &o2, &e2, &status, NULL));
      g_test_message ("--logdir_spec %s: %s", bad[i].spec, e2);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 2);
      if (strstr (e2, bad[i].message) == NULL)
        g_error ("--logdir_spec %s: expected '%s' in '%s'", bad[i].spec, bad[i].message, e2);
      g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
    }
  lm_test_rm_rf (one);
  lm_test_rm_rf (two);
}

/* lumen --logdir on a folder of TensorBoard event files (PyTorch's
 * SummaryWriter's runs/): imported in the background into the user's
 * cache and drawn like any run. */
static void
test_cli_tfevents (void)
{
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "import", "fixtures", "runs", NULL);
  g_autofree char *cache_home = g_dir_make_tmp ("lumen-cache-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (cache_home, "tb.png", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_auto (GStrv) envp = g_environ_setenv (g_get_environ (), "XDG_CACHE_HOME", cache_home, TRUE);
  const char *argv[] = { lumen_bin, "--logdir", src, "--screenshot", png, "--window-size", "900x640",
                         "--smoothing", "0", NULL };
  int status;
  Image img = { 0 };
  GdkRGBA c;

  if (!can_run_lumen ())
    return;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("lumen --logdir (event files) --screenshot failed: %s", err);
  /* the runs went to the cache named by XDG_CACHE_HOME, not next to the
   * event files */
  {
    g_autoptr (GDir) dir = NULL;
    g_autofree char *tfevents = g_build_filename (cache_home, "lumen", "tfevents", NULL);
    const char *hash;

    dir = g_dir_open (tfevents, 0, NULL);
    g_assert_nonnull (dir);
    hash = g_dir_read_name (dir);
    g_assert_nonnull (hash);
    g_autofree char *run = g_build_filename (tfevents, hash, "Nov22_10-00-00_host", "run.lumen", NULL);
    g_assert_true (g_file_test (run, G_FILE_TEST_EXISTS));
  }
  g_assert_true (load_image (png, &img));
  /* the first run's scalar lines are drawn in the first palette colour */
  lm_palette_color (0, &c);
  g_test_message ("run 0's colour: %u pixels", count_color (&img, &c, 30));
  g_assert_cmpuint (count_color (&img, &c, 30), >, 100);
  g_free (img.pixels);
  lm_test_rm_rf (cache_home);
}

int
main (int argc, char **argv)
{
  lumen_bin = lm_ui_take_lumen_bin (&argc, &argv);
  have_display = lm_ui_test_init (&argc, &argv);
  g_test_add_func ("/ui/screenshot/window-pixels", test_window_pixels);
  g_test_add_func ("/ui/screenshot/cli-tfevents", test_cli_tfevents);
  g_test_add_func ("/ui/screenshot/dark-theme", test_dark_theme);
  g_test_add_func ("/ui/screenshot/cli", test_cli_screenshot);
  g_test_add_func ("/ui/screenshot/cli-hidpi", test_cli_hidpi);
  g_test_add_func ("/ui/screenshot/cli-window-size", test_cli_window_size);
  g_test_add_func ("/ui/screenshot/cli-unknown-options", test_cli_unknown_options);
  g_test_add_func ("/ui/screenshot/cli-help", test_cli_help);
  g_test_add_func ("/ui/screenshot/cli-bad-options", test_cli_bad_options);
  g_test_add_func ("/ui/screenshot/cli-logdir-spec", test_cli_logdir_spec);
  g_test_add_func ("/ui/screenshot/cli-utf8-options", test_cli_utf8_options);
  g_test_add_func ("/ui/screenshot/cli-no-session-bus", test_cli_no_session_bus);
  {
    int rc = g_test_run ();

    /* 77: meson reports the program as skipped, not passed. */
    return have_display ? rc : 77;
  }
}
