/* test-color-group.c: colouring runs by group, as TensorBoard's "Color
 * runs by" menu of the runs table (Experiment, Run, Regex…).
 *
 * What it checks: with runs lr0.1_seed1, lr0.1_seed2, lr0.01_seed1 and
 * baseline, regex lr([0-9.]+)_ gives both lr0.1 runs one palette colour,
 * lr0.01 the colour before it (its group comes first in the list) and
 * baseline the grey, through lm_palette_run_color, in the chart's lines
 * and the run list's dots (pixels of a screenshot); a run appearing later
 * joins its group's colour, a new group takes the next colour (the Regex…
 * dialog's preview of the regex shows it so); a colour
 * the user picked still wins; Run brings the ordinal colours back.
 * Experiment gives each --logdir_spec entry one colour.  The Regex…
 * dialog previews the groups live, names an invalid regex (GRegex's
 * message) with OK disabled, Cancel keeps the grouping and OK applies it.
 * The setting is kept per log directory in settings.ini, a bad value in
 * the file is named; `lumen --run-color-group` applies for one session
 * and exits 2 on a bad regex.  Skips without a display.
 */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "lm-color-group-dialog.h"
#include "lm-palette.h"
#include "lm-run-color-group.h"
#include "lm-run-private.h"
#include "lm-preferences.h"
#include "lm-theme.h"
#include "lm-window.h"
#include "ui-test-util.h"
#include "lm-test-run.h"

static gboolean have_display;
static const char *lumen_bin;   /* --lumen-bin PATH, from meson */

#define N_STEPS 100
#define REGEX "regex:lr([0-9.]+)_"

/* The runs and the level of their flat train/loss line (apart from the
 * chart's tick values, so no grid line lies under one). */
static const struct { const char *name; double level; } sweep[] = {
  { "lr0.1_seed1", 1.15 }, { "lr0.1_seed2", 1.85 }, { "lr0.01_seed1", 2.55 }, { "baseline", 3.25 },
};

static void
write_run (const char *logdir, const char *name, double level)
{
  LmTestRun *run = lm_test_run_create (logdir, name);

  lm_test_run_begin (run);
  for (int i = 0; i < N_STEPS; i++)
    lm_test_run_add_scalar (run, "train/loss", i, 1.7e9 + i, level);
  lm_test_run_set_status (run, "finished");
  lm_test_run_commit (run);
  lm_test_run_close (run);
}

static char *
make_sweep (void)
{
  char *dir = lm_test_tmpdir_new ("lumen-color-group-XXXXXX");

  for (guint i = 0; i < G_N_ELEMENTS (sweep); i++)
    write_run (dir, sweep[i].name, sweep[i].level);
  return dir;
}

static LmWindow *
show (LmWindow *win)
{
  lm_chart_settings_set_smoothing (lm_window_get_settings (win), 0.0);
  gtk_window_set_default_size (GTK_WINDOW (win), 1200, 800);
  gtk_window_present (GTK_WINDOW (win));
  lm_ui_wait_settled (win);
  return win;
}

static void
run_color (LmWindow *win, const char *name, GdkRGBA *color)
{
  LmRun *run = lm_run_store_find (lm_window_get_store (win), name);

  g_assert_nonnull (run);
  lm_palette_run_color (run, color);
}

static void
assert_color (LmWindow *win, const char *name, const GdkRGBA *expected)
{
  GdkRGBA c;

  run_color (win, name, &c);
  if (!gdk_rgba_equal (&c, expected))
    {
      g_autofree char *got = gdk_rgba_to_string (&c), *want = gdk_rgba_to_string (expected);

      g_error ("%s is %s, expected %s", name, got, want);
    }
}

static void
palette (guint i, GdkRGBA *c)
{
  lm_palette_color (i, c);
}

static GdkRGBA
grey (void)
{
  GdkRGBA c;

  lm_palette_ungrouped_color (&c);
  return c;
}

/* A screenshot of the window, as pixels. */
static void
shoot (LmWindow *win, const char *png, LmUiImage *img)
{
  g_autoptr (GError) error = NULL;

  /* settled and a tenth of a second more: a live run's points reach its
   * chart's range (which assert_line's positions come from) after it is
   * loaded */
  lm_ui_wait_settled (win);
  g_assert_true (lm_ui_save_screenshot (win, png, &error));
  g_assert_true (lm_ui_image_load (png, img, &error));
}

/* Whether some pixel within 2 of (x, y) is `color` laid over the chart's
 * background with an opacity of a half or more: a line's edge pixels are
 * blends, and a flat line's middle may be too (a 1.6-pixel line centred
 * between two rows covers each by 80%). */
static gboolean
line_pixel_near (const LmUiImage *img, int x, int y, const GdkRGBA *color)
{
  const GdkRGBA *bg = &lm_theme_colors ()->bg;
  double c[3] = { color->blue * 255, color->green * 255, color->red * 255 };
  double b[3] = { bg->blue * 255, bg->green * 255, bg->red * 255 };

  for (int py = y - 2; py <= y + 2; py++)
    for (int px = x - 2; px <= x + 2; px++)
      {
        const guchar *p;
        double num = 0, den = 0, a, worst = 0;

        if (px < 0 || py < 0 || px >= img->width || py >= img->height)
          continue;
        p = img->pixels + py * img->stride + px * 4;
        for (int k = 0; k < 3; k++)
          num += (p[k] - b[k]) * (c[k] - b[k]), den += (c[k] - b[k]) * (c[k] - b[k]);
        a = den > 0 ? num / den : 0;
        for (int k = 0; k < 3; k++)
          worst = MAX (worst, fabs (a * c[k] + (1 - a) * b[k] - p[k]));
        if (a >= 0.5 && a <= 1.05 && worst <= 12)
          return TRUE;
      }
  return FALSE;
}

/* The run's train/loss line is drawn in `color` at several steps. */
static void
assert_line (LmWindow *win, const LmUiImage *img, const char *name, double level, const GdkRGBA *color)
{
  LmChart *chart = lm_scalar_card_get_chart (lm_card_grid_find_card (lm_window_get_card_grid (win), "train/loss"));
  static const int steps[] = { 20, 50, 80 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      graphene_point_t in, out;
      double px, py;

      g_assert_true (lm_plot_data_to_pixel (lm_chart_get_plot (chart), steps[i], level, &px, &py));
      in = GRAPHENE_POINT_INIT (px, py);
      g_assert_true (gtk_widget_compute_point (GTK_WIDGET (chart), GTK_WIDGET (win), &in, &out));
      if (!line_pixel_near (img, (int) out.x, (int) out.y, color))
        g_error ("%s's line is not in the expected colour near step %d (%d, %d)", name, steps[i], (int) out.x,
                 (int) out.y);
    }
}

static gboolean
is_label (GtkWidget *w, gconstpointer text)
{
  return GTK_IS_LABEL (w) && g_str_equal (gtk_label_get_text (GTK_LABEL (w)), text);
}

/* The run list's dot of the run is `color` (at its centre). */
static void
assert_dot (LmWindow *win, const LmUiImage *img, const char *name, const GdkRGBA *color)
{
  GtkWidget *label = lm_ui_find_widget (GTK_WIDGET (lm_window_get_run_list (win)), is_label, name);
  GtkWidget *dot;
  graphene_point_t in, out;

  g_assert_nonnull (label);
  /* the row: check, dot button, name */
  dot = gtk_widget_get_first_child (gtk_widget_get_prev_sibling (label));
  g_assert_true (gtk_widget_has_css_class (dot, "lm-swatch"));
  in = GRAPHENE_POINT_INIT (gtk_widget_get_width (dot) / 2.0, gtk_widget_get_height (dot) / 2.0);
  g_assert_true (gtk_widget_compute_point (dot, GTK_WIDGET (win), &in, &out));
  if (!lm_ui_pixel_near (img, (int) out.x, (int) out.y, 1, color, 10))
    g_error ("%s's dot in the run list is not in the expected colour", name);
}

typedef struct
{
  LmWindow *win;
  const char *name;
} RunWait;

static gboolean
run_loaded (gpointer data)
{
  RunWait *w = data;
  LmRun *run = lm_run_store_find (lm_window_get_store (w->win), w->name);

  return run != NULL && lm_run_get_loaded (run);
}

/* Writes a run while the window is open and waits until it shows it. */
static void
write_run_live (LmWindow *win, const char *logdir, const char *name, double level)
{
  RunWait w = { win, name };

  write_run (logdir, name, level);
  g_assert_true (lm_test_wait_for (run_loaded, &w, 20000));
}

static gboolean
mapped (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

/* A Cairo image surface's pixels as an LmUiImage (borrowed): both are
 * B, G, R, A bytes, premultiplied. */
static LmUiImage
surface_image (cairo_surface_t *surface)
{
  cairo_surface_flush (surface);
  return (LmUiImage) { cairo_image_surface_get_width (surface), cairo_image_surface_get_height (surface),
                       (gsize) cairo_image_surface_get_stride (surface), cairo_image_surface_get_data (surface) };
}

/* The Regex… dialog's preview shows n groups, their dots in these
 * colours, in order. */
static void
assert_preview_dots (GtkWidget *dialog, const GdkRGBA *colors, guint n)
{
  GtkWidget *scrolled = lm_ui_find_descendant (dialog, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *box = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  guint k = 0;

  g_assert_true (lm_test_wait_for (mapped, scrolled, 10000));
  if (GTK_IS_VIEWPORT (box))
    box = gtk_viewport_get_child (GTK_VIEWPORT (box));
  /* the headings are rows of a dot and a title */
  for (GtkWidget *row = gtk_widget_get_first_child (box); row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *dot = gtk_widget_get_first_child (row);
      cairo_surface_t *surface;
      LmUiImage img;

      if (dot == NULL || !GTK_IS_DRAWING_AREA (dot) || k == n)
        continue;
      g_assert_true (lm_test_wait_for (mapped, dot, 10000));
      surface = lm_ui_snapshot_widget (dot);
      img = surface_image (surface);
      if (lm_ui_count_near (&img, &colors[k], 8) < 20)
        {
          g_autofree char *want = gdk_rgba_to_string (&colors[k]);

          g_error ("the preview's group %u is not %s", k, want);
        }
      cairo_surface_destroy (surface);
      k++;
    }
  g_assert_cmpuint (k, ==, n);
}

/* Regex groups: colours, lines, dots; runs appearing; a user's colour;
 * back to Run. */
static void
test_regex (void)
{
  g_autofree char *logdir = NULL, *png = NULL;
  g_autoptr (GError) error = NULL;
  LmWindow *win;
  LmRunList *list;
  LmUiImage img = { 0 };
  GdkRGBA c0, c1, c2, gr = grey (), green = { 0, 0.8f, 0, 1 };
  GdkRGBA ordinal[G_N_ELEMENTS (sweep)];

  if (lm_ui_test_no_display ())
    return;
  logdir = make_sweep ();
  png = g_build_filename (logdir, "shot.png", NULL);
  win = show (lm_window_new (NULL, logdir));
  list = lm_window_get_run_list (win);
  palette (0, &c0), palette (1, &c1), palette (2, &c2);

  /* Run, the default: each run its ordinal's colour */
  g_assert_cmpstr (lm_run_list_get_color_group (list), ==, "run");
  for (guint i = 0; i < G_N_ELEMENTS (sweep); i++)
    {
      palette (lm_run_get_ordinal (lm_run_store_find (lm_window_get_store (win), sweep[i].name)), &ordinal[i]);
      assert_color (win, sweep[i].name, &ordinal[i]);
    }

  /* the list shows baseline, lr0.01_seed1, lr0.1_seed1, lr0.1_seed2:
   * group 0.01 comes first */
  g_assert_true (lm_run_list_set_color_group (list, REGEX, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (lm_run_list_get_color_group (list), ==, REGEX);
  assert_color (win, "lr0.01_seed1", &c0);
  assert_color (win, "lr0.1_seed1", &c1);
  assert_color (win, "lr0.1_seed2", &c1);
  assert_color (win, "baseline", &gr);
  shoot (win, png, &img);
  assert_line (win, &img, "lr0.1_seed1", sweep[0].level, &c1);
  assert_line (win, &img, "lr0.1_seed2", sweep[1].level, &c1);
  assert_line (win, &img, "lr0.01_seed1", sweep[2].level, &c0);
  assert_line (win, &img, "baseline", sweep[3].level, &gr);
  assert_dot (win, &img, "lr0.1_seed2", &c1);
  assert_dot (win, &img, "lr0.01_seed1", &c0);
  assert_dot (win, &img, "baseline", &gr);
  g_clear_pointer (&img.pixels, g_free);

  /* runs appearing: one joins the lr0.1 group, one of a new group takes
   * the next colour though it comes first in the list */
  {
    write_run_live (win, logdir, "lr0.1_seed3", 0.5);
    write_run_live (win, logdir, "lr0.001_seed1", 0.2);
    assert_color (win, "lr0.1_seed3", &c1);
    assert_color (win, "lr0.001_seed1", &c2);
    assert_color (win, "lr0.01_seed1", &c0);
    shoot (win, png, &img);
    assert_line (win, &img, "lr0.1_seed3", 0.5, &c1);
    assert_line (win, &img, "lr0.001_seed1", 0.2, &c2);
    g_clear_pointer (&img.pixels, g_free);
  }

  /* the Regex… dialog previews the regex in use with the colours the
   * runs have: 0.001 (first in the list) has the third colour */
  {
    GtkWidget *dialog = lm_run_list_edit_color_regex (list);
    GtkWidget *entry = lm_color_group_dialog_get_entry (LM_COLOR_GROUP_DIALOG (dialog));
    GdkRGBA in_use[] = { c2, c0, c1, gr }, fresh[] = { c0, c1, c2, gr };

    assert_preview_dots (dialog, in_use, G_N_ELEMENTS (in_use));
    /* another regex: colours given afresh, in the list's order */
    gtk_editable_set_text (GTK_EDITABLE (entry), "lr([0-9.]+)_seed");
    assert_preview_dots (dialog, fresh, G_N_ELEMENTS (fresh));
    gtk_window_destroy (GTK_WINDOW (dialog));
  }

  /* a colour the user picks wins over the group's, and back */
  lm_run_list_set_run_color (list, "lr0.1_seed2", &green);
  assert_color (win, "lr0.1_seed2", &green);
  assert_color (win, "lr0.1_seed1", &c1);
  shoot (win, png, &img);
  assert_line (win, &img, "lr0.1_seed2", sweep[1].level, &green);
  g_clear_pointer (&img.pixels, g_free);
  /* switching to Run and back keeps it (TensorBoard drops it); the
   * chooser's Reset to Default gives the group's colour back */
  g_assert_true (lm_run_list_set_color_group (list, "run", NULL));
  assert_color (win, "lr0.1_seed2", &green);
  g_assert_true (lm_run_list_set_color_group (list, REGEX, NULL));
  assert_color (win, "lr0.1_seed2", &green);
  {
    LmRun *run = lm_run_store_find (lm_window_get_store (win), "lr0.1_seed2");
    GtkWidget *chooser = lm_run_list_choose_color (list, run);
    GtkWidget *reset = gtk_dialog_get_widget_for_response (GTK_DIALOG (chooser), 1);
    GdkRGBA c;

    gtk_color_chooser_get_rgba (GTK_COLOR_CHOOSER (chooser), &c);
    g_assert_true (gdk_rgba_equal (&c, &green));
    g_assert_cmpstr (gtk_widget_get_tooltip_text (reset), ==,
                     "Back to the colour of the run's group (Color runs by)");
    gtk_dialog_response (GTK_DIALOG (chooser), 1);
    g_assert_false (lm_palette_run_has_color (run));
  }
  /* (the regex chosen again numbers its groups afresh in the list's
   * order, as TensorBoard does: 0.001, 0.01, 0.1) */
  assert_color (win, "lr0.1_seed2", &c2);
  assert_color (win, "lr0.001_seed1", &c0);

  /* runs of new groups appearing while the dialog is open: its preview
   * gives them the run list's colours, lr0.5 the fourth, then 9 (first in
   * the list) the fifth */
  {
    GtkWidget *dialog = lm_run_list_edit_color_regex (list);
    GdkRGBA c3, c4;

    palette (3, &c3), palette (4, &c4);
    write_run_live (win, logdir, "lr0.5_seed1", 3.6);
    write_run_live (win, logdir, "a_lr9_seed1", 3.7);
    assert_color (win, "lr0.5_seed1", &c3);
    assert_color (win, "a_lr9_seed1", &c4);
    {
      GdkRGBA shown[] = { c4, c0, c1, c2, c3, gr };

      assert_preview_dots (dialog, shown, G_N_ELEMENTS (shown));
    }
    gtk_window_destroy (GTK_WINDOW (dialog));
  }

  /* Experiment under --logdir: one experiment, one colour */
  g_assert_true (lm_run_list_set_color_group (list, "experiment", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (sweep); i++)
    assert_color (win, sweep[i].name, &c0);

  /* Run: the ordinals' colours again */
  g_assert_true (lm_run_list_set_color_group (list, "run", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (sweep); i++)
    assert_color (win, sweep[i].name, &ordinal[i]);
  shoot (win, png, &img);
  assert_line (win, &img, "baseline", sweep[3].level, &ordinal[3]);
  g_clear_pointer (&img.pixels, g_free);

  /* bad groupings are refused, the grouping unchanged */
  {
    static const struct { const char *text, *message; } bad[] = {
      { "regex:lr(", "missing" }, { "regex:", "needs a regular expression" }, { "colour", "got 'colour'" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_false (lm_run_list_set_color_group (list, bad[i].text, &error));
        g_test_message ("%s: %s", bad[i].text, error->message);
        g_assert_nonnull (strstr (error->message, bad[i].message));
        g_clear_error (&error);
        g_assert_cmpstr (lm_run_list_get_color_group (list), ==, "run");
      }
  }
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (logdir);
}

/* A regex's groups are told apart by every capture group's value, whatever
 * the names hold: "x\x1f" and "y" are not "x" and "\x1fy" (the values
 * were joined with \x1f), an unset group is not one that matched "\x1e"
 * (an unset one was written \x1e), and an unset group is not an empty
 * one. */
static void
test_keys (void)
{
  static const struct { const char *regex, *a, *b; } apart[] = {
    { "regex:^(.*)-(.*)$", "x\x1f-y", "x-\x1fy" },
    { "regex:^(\x1e)?-(.*)$", "\x1e-b", "-b" },
    { "regex:^(?:(a*)x|y)(.*)$", "yz", "xz" },
  };
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-color-keys-XXXXXX");
  g_autoptr (LmRunStore) store = lm_run_store_new (dir);

  for (guint i = 0; i < G_N_ELEMENTS (apart); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (LmRunColorGroup) group = lm_run_color_group_new (apart[i].regex, &error);
      g_autoptr (LmRun) a = lm_run_new (apart[i].a, "/nonexistent/a", 0);
      g_autoptr (LmRun) b = lm_run_new (apart[i].b, "/nonexistent/b", 1);

      g_assert_no_error (error);
      g_assert_cmpint (lm_run_color_group_assign (group, store, a, NULL), ==, 0);
      g_assert_cmpint (lm_run_color_group_assign (group, store, b, NULL), ==, 1);
    }
  lm_test_rm_rf (dir);
}

/* Experiment: each --logdir_spec entry its colour, in the list's order. */
static void
test_experiment (void)
{
  g_autofree char *top = NULL, *a = NULL, *b = NULL, *png = NULL;
  const char *names[] = { "mnist", "cifar", NULL }, *paths[3] = { NULL };
  LmWindow *win;
  LmUiImage img = { 0 };
  GdkRGBA c0, c1;

  if (lm_ui_test_no_display ())
    return;
  top = lm_test_tmpdir_new ("lumen-color-exp-XXXXXX");
  a = g_build_filename (top, "a", NULL);
  b = g_build_filename (top, "b", NULL);
  png = g_build_filename (top, "shot.png", NULL);
  write_run (a, "lr0.1", 1.15);
  write_run (a, "lr0.01", 1.85);
  write_run (b, "lr0.1", 2.55);
  paths[0] = a, paths[1] = b;
  win = show (lm_window_new_spec (NULL, names, paths));
  palette (0, &c0), palette (1, &c1);
  g_assert_true (lm_run_list_set_color_group (lm_window_get_run_list (win), "experiment", NULL));
  /* cifar/lr0.1 comes first in the list */
  assert_color (win, "cifar/lr0.1", &c0);
  assert_color (win, "mnist/lr0.1", &c1);
  assert_color (win, "mnist/lr0.01", &c1);
  shoot (win, png, &img);
  assert_line (win, &img, "mnist/lr0.1", 1.15, &c1);
  assert_line (win, &img, "mnist/lr0.01", 1.85, &c1);
  assert_line (win, &img, "cifar/lr0.1", 2.55, &c0);
  g_free (img.pixels);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (top);
}

/* The labels of the dialog's preview, in order, "|" between them. */
static char *
preview_text (GtkWidget *dialog)
{
  GtkWidget *scrolled = lm_ui_find_descendant (dialog, GTK_TYPE_SCROLLED_WINDOW);
  GString *out = g_string_new (NULL);
  GtkWidget *w = scrolled;

  /* depth first through the scrolled window */
  while (w != NULL)
    {
      GtkWidget *next;

      if (GTK_IS_LABEL (w))
        g_string_append_printf (out, "%s%s", out->len ? "|" : "", gtk_label_get_text (GTK_LABEL (w)));
      next = gtk_widget_get_first_child (w);
      while (next == NULL && w != scrolled)
        {
          next = gtk_widget_get_next_sibling (w);
          if (next == NULL)
            w = gtk_widget_get_parent (w);
        }
      w = next;
    }
  return g_string_free (out, FALSE);
}

/* The Regex… dialog: live preview, invalid regex, Cancel, OK; the menu. */
static void
test_dialog (void)
{
  g_autofree char *logdir = NULL, *text = NULL;
  g_autoptr (GRegex) re = NULL;
  g_autoptr (GError) expected = NULL;
  LmWindow *win;
  LmRunList *list;
  GtkWidget *dialog, *entry, *ok, *scrolled, *error_label;
  GdkRGBA c0, c1, gr = grey ();

  if (lm_ui_test_no_display ())
    return;
  logdir = make_sweep ();
  win = show (lm_window_new (NULL, logdir));
  list = lm_window_get_run_list (win);
  palette (0, &c0), palette (1, &c1);

  /* the menu's Regex… item opens the dialog, the grouping unchanged */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "runs.color-group", "s", "regex"));
  dialog = NULL;
  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    if (LM_IS_COLOR_GROUP_DIALOG (l->data))
      dialog = l->data;
  g_assert_nonnull (dialog);
  g_assert_cmpstr (lm_run_list_get_color_group (list), ==, "run");
  entry = lm_color_group_dialog_get_entry (LM_COLOR_GROUP_DIALOG (dialog));
  ok = gtk_dialog_get_widget_for_response (GTK_DIALOG (dialog), GTK_RESPONSE_OK);
  /* empty: nothing to apply */
  g_assert_false (gtk_widget_get_sensitive (ok));

  gtk_editable_set_text (GTK_EDITABLE (entry), "lr([0-9.]+)_");
  text = preview_text (dialog);
  g_assert_cmpstr (text, ==, "Color group: 0.01|lr0.01_seed1|Color group: 0.1|lr0.1_seed1\nlr0.1_seed2|"
                             "Non-matching runs|baseline");
  g_clear_pointer (&text, g_free);
  g_assert_true (gtk_widget_get_sensitive (ok));
  /* the dots of the groups: their colours */
  scrolled = lm_ui_find_descendant (dialog, GTK_TYPE_SCROLLED_WINDOW);
  g_assert_true (lm_test_wait_for (mapped, scrolled, 10000));
  {
    cairo_surface_t *surface = lm_ui_snapshot_widget (scrolled);
    LmUiImage img = surface_image (surface);

    g_assert_cmpuint (lm_ui_count_near (&img, &c0, 8), >, 20);
    g_assert_cmpuint (lm_ui_count_near (&img, &c1, 8), >, 20);
    g_assert_cmpuint (lm_ui_count_near (&img, &gr, 8), >, 20);
    cairo_surface_destroy (surface);
  }

  /* no capture group: every match one group */
  gtk_editable_set_text (GTK_EDITABLE (entry), "seed1");
  text = preview_text (dialog);
  g_assert_cmpstr (text, ==, "Color group: every matching run|lr0.01_seed1\nlr0.1_seed1|"
                             "Non-matching runs|baseline\nlr0.1_seed2");
  g_clear_pointer (&text, g_free);

  /* invalid: GRegex's message, no preview, OK disabled */
  gtk_editable_set_text (GTK_EDITABLE (entry), "lr([0-9.]+_");
  re = g_regex_new ("lr([0-9.]+_", 0, 0, &expected);
  g_assert_null (re);
  error_label = lm_ui_find_widget (dialog, lm_ui_label_shows, "Invalid regular expression: ");
  g_assert_nonnull (error_label);
  g_test_message ("%s", gtk_label_get_text (GTK_LABEL (error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), expected->message));
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  g_assert_false (gtk_widget_get_sensitive (ok));
  text = preview_text (dialog);
  g_assert_cmpstr (text, ==, "");
  g_clear_pointer (&text, g_free);

  /* Cancel: the grouping as it was */
  gtk_editable_set_text (GTK_EDITABLE (entry), "lr([0-9.]+)_");
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_assert_cmpstr (lm_run_list_get_color_group (list), ==, "run");

  /* OK applies it; the dialog opens again on it */
  dialog = lm_run_list_edit_color_regex (list);
  entry = lm_color_group_dialog_get_entry (LM_COLOR_GROUP_DIALOG (dialog));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  gtk_editable_set_text (GTK_EDITABLE (entry), "lr([0-9.]+)_");
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_OK);
  g_assert_cmpstr (lm_run_list_get_color_group (list), ==, REGEX);
  assert_color (win, "lr0.1_seed2", &c1);
  assert_color (win, "baseline", &gr);
  dialog = lm_run_list_edit_color_regex (list);
  entry = lm_color_group_dialog_get_entry (LM_COLOR_GROUP_DIALOG (dialog));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "lr([0-9.]+)_");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* the menu's Experiment item applies at once, and shows as chosen */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "runs.color-group", "s", "experiment"));
  g_assert_cmpstr (lm_run_list_get_color_group (list), ==, "experiment");
  assert_color (win, "baseline", &c0);
  {
    GtkWidget *menu = lm_ui_find_descendant (GTK_WIDGET (list), GTK_TYPE_MENU_BUTTON);
    GMenuModel *model = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu));
    g_autoptr (GVariant) label = g_menu_model_get_item_attribute_value (model, 0, G_MENU_ATTRIBUTE_LABEL,
                                                                        G_VARIANT_TYPE_STRING);

    g_assert_cmpstr (g_variant_get_string (label, NULL), ==, "Color runs by");
    g_assert_cmpstr (gtk_widget_get_tooltip_text (menu), ==, "Color runs by experiment, run or regex");
  }
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (logdir);
}

/* A sweep of 150 runs: the preview lists 100 groups and 100 runs of a
 * group, then how many more (each key typed took half a second with
 * 2,000 runs each its own group). */
static void
test_dialog_many (void)
{
  g_autofree char *logdir = NULL, *text = NULL;
  LmWindow *win;
  GtkWidget *dialog, *entry;
  guint headings = 0;

  if (lm_ui_test_no_display ())
    return;
  logdir = lm_test_tmpdir_new ("lumen-color-many-XXXXXX");
  for (int i = 0; i < 150; i++)
    {
      g_autofree char *name = g_strdup_printf ("run%03d", i);
      LmTestRun *run = lm_test_run_create (logdir, name);

      lm_test_run_begin (run);
      lm_test_run_add_scalar (run, "loss", 0, 1.7e9, i);
      lm_test_run_commit (run);
      lm_test_run_close (run);
    }
  win = show (lm_window_new (NULL, logdir));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lm_window_get_store (win))), ==, 150);
  dialog = lm_run_list_edit_color_regex (lm_window_get_run_list (win));
  entry = lm_color_group_dialog_get_entry (LM_COLOR_GROUP_DIALOG (dialog));

  /* each run its group: run000 .. run099, then the rest counted */
  gtk_editable_set_text (GTK_EDITABLE (entry), "(.*)");
  text = preview_text (dialog);
  for (const char *p = text; (p = strstr (p, "Color group: ")) != NULL; p++)
    headings++;
  g_assert_cmpuint (headings, ==, 100);
  g_assert_nonnull (strstr (text, "Color group: run099|run099|"));
  g_assert_true (g_str_has_suffix (text, "|… and 50 more groups (50 runs)"));
  g_clear_pointer (&text, g_free);

  /* one group of 150 runs: the first 100 named */
  gtk_editable_set_text (GTK_EDITABLE (entry), "^run");
  text = preview_text (dialog);
  g_assert_true (g_str_has_prefix (text, "Color group: every matching run|run000\nrun001\n"));
  g_assert_true (g_str_has_suffix (text, "\nrun099\n… and 50 more"));
  g_clear_pointer (&text, g_free);
  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (logdir);
}

/* settings.ini: kept per log directory, back in a new window; a bad
 * value named. */
static void
test_settings (void)
{
  g_autofree char *logdir = NULL, *cfg = NULL, *prefs = NULL, *text = NULL;
  g_autoptr (GError) error = NULL;
  const char *regex = "regex:lr([\\d.]+)_";
  LmWindow *win;
  GdkRGBA c1, gr = grey ();

  if (lm_ui_test_no_display ())
    return;
  logdir = make_sweep ();
  cfg = lm_test_tmpdir_new ("lumen-color-group-cfg-XXXXXX");
  prefs = g_build_filename (cfg, "lumen", "settings.ini", NULL);
  palette (1, &c1);

  win = lm_window_new (NULL, logdir);
  g_assert_true (lm_preferences_load (win, prefs, &error));
  lm_preferences_track (win, prefs);
  show (win);
  g_assert_true (lm_run_list_set_color_group (lm_window_get_run_list (win), regex, NULL));
  lm_preferences_flush (win);
  g_assert_true (g_file_get_contents (prefs, &text, NULL, NULL));
  g_test_message ("%s", text);
  /* the backslash escaped, as GKeyFile writes strings */
  g_assert_nonnull (strstr (text, "run-color-group=regex:lr([\\\\d.]+)_\n"));
  g_clear_pointer (&text, g_free);
  gtk_window_destroy (GTK_WINDOW (win));

  /* a new window: the same grouping */
  win = lm_window_new (NULL, logdir);
  g_assert_true (lm_preferences_load (win, prefs, &error));
  g_assert_no_error (error);
  lm_preferences_track (win, prefs);
  show (win);
  g_assert_cmpstr (lm_run_list_get_color_group (lm_window_get_run_list (win)), ==, regex);
  assert_color (win, "lr0.1_seed1", &c1);
  assert_color (win, "baseline", &gr);

  /* back to Run, the default: the key goes */
  g_assert_true (lm_run_list_set_color_group (lm_window_get_run_list (win), "run", NULL));
  lm_preferences_flush (win);
  g_assert_true (g_file_get_contents (prefs, &text, NULL, NULL));
  g_assert_null (strstr (text, "run-color-group"));
  g_clear_pointer (&text, g_free);
  gtk_window_destroy (GTK_WINDOW (win));

  /* a bad regex in the file: named, the default kept */
  {
    g_autoptr (GKeyFile) kf = g_key_file_new ();
    g_autofree char *abs = g_canonicalize_filename (logdir, NULL);
    g_autofree char *group = g_strconcat ("logdir ", abs, NULL);

    g_key_file_set_string (kf, group, "run-color-group", "regex:lr(");
    g_assert_true (g_key_file_save_to_file (kf, prefs, NULL));
    win = lm_window_new (NULL, logdir);
    g_assert_false (lm_preferences_load (win, prefs, &error));
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "run-color-group=regex:lr( is not run, experiment or regex:REGEX"));
    g_assert_cmpstr (lm_run_list_get_color_group (lm_window_get_run_list (win)), ==, "run");
    gtk_window_destroy (GTK_WINDOW (win));
  }
  lm_test_rm_rf (cfg);
  lm_test_rm_rf (logdir);
}

/* `lumen --run-color-group`: the screenshot in the groups' colours, not
 * the ordinals'; a bad value exits 2 naming it. */
static void
test_option (void)
{
  g_autofree char *logdir = NULL, *png = NULL, *cfg = NULL;
  GdkRGBA teal, magenta, gr = grey ();
  guint plain_grey = 0;

  if (!have_display || lumen_bin == NULL)
    {
      g_test_skip (have_display ? "no lumen binary (--lumen-bin PATH or LUMEN_BIN)" : "no display");
      return;
    }
  logdir = make_sweep ();
  png = g_build_filename (logdir, "shot.png", NULL);
  /* no settings of the user's */
  cfg = lm_test_tmpdir_new ("lumen-color-group-cfg-XXXXXX");
  g_setenv ("XDG_CONFIG_HOME", cfg, TRUE);
  /* the ordinals of lr0.1_seed1 and lr0.1_seed2 (the third and fourth in
   * the list) are teal and magenta; grouped, both are blue */
  palette (2, &teal), palette (3, &magenta);
  for (int with = 0; with < 2; with++)
    {
      const char *args[] = { lumen_bin, "--logdir", logdir, "--screenshot", png, "--window-size", "1000x700",
                             "--smoothing", "0", with ? "--run-color-group" : NULL, REGEX, NULL };
      g_autofree char *err = NULL;
      LmUiImage img = { 0 };
      guint n_teal, n_magenta, n_grey;

      g_assert_cmpint (lm_ui_run_lumen (args, &err), ==, 0);
      g_assert_true (lm_ui_image_load (png, &img, NULL));
      n_teal = lm_ui_count_near (&img, &teal, 6);
      n_magenta = lm_ui_count_near (&img, &magenta, 6);
      n_grey = lm_ui_count_near (&img, &gr, 6);
      g_test_message ("%s: %u teal, %u magenta, %u grey pixels", with ? "grouped" : "by run", n_teal, n_magenta,
                      n_grey);
      if (with)
        {
          g_assert_cmpuint (n_teal, ==, 0);
          g_assert_cmpuint (n_magenta, ==, 0);
          /* baseline's line and dots (the window has greys of its own) */
          g_assert_cmpuint (n_grey, >, plain_grey + 300);
        }
      else
        {
          g_assert_cmpuint (n_teal, >, 40);
          g_assert_cmpuint (n_magenta, >, 40);
          plain_grey = n_grey;
        }
      g_free (img.pixels);
    }
  {
    static const struct { const char *value, *message; } bad[] = {
      { "regex:lr(", "lumen: --run-color-group: invalid regex: " },
      { "regex:", "lumen: --run-color-group: regex: needs a regular expression" },
      { "hue", "lumen: --run-color-group: expected run, experiment or regex:REGEX; got 'hue'" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        const char *args[] = { lumen_bin, "--logdir", logdir, "--run-color-group", bad[i].value, NULL };
        g_autofree char *err = NULL;

        g_assert_cmpint (lm_ui_run_lumen (args, &err), ==, 2);
        if (strstr (err, bad[i].message) == NULL)
          g_error ("expected '%s' in '%s'", bad[i].message, err);
      }
  }
  g_unsetenv ("XDG_CONFIG_HOME");
  lm_test_rm_rf (cfg);
  lm_test_rm_rf (logdir);
}

int
main (int argc, char **argv)
{
  lumen_bin = lm_ui_take_lumen_bin (&argc, &argv);
  have_display = lm_ui_test_init (&argc, &argv);
  g_test_add_func ("/ui/color-group/keys", test_keys);
  g_test_add_func ("/ui/color-group/regex", test_regex);
  g_test_add_func ("/ui/color-group/experiment", test_experiment);
  g_test_add_func ("/ui/color-group/dialog", test_dialog);
  g_test_add_func ("/ui/color-group/dialog-many", test_dialog_many);
  g_test_add_func ("/ui/color-group/settings", test_settings);
  g_test_add_func ("/ui/color-group/option", test_option);
  {
    int rc = g_test_run ();

    /* 77: meson reports the program as skipped, not passed. */
    return have_display ? rc : 77;
  }
}
