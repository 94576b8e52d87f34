/* test-projector.c: the Projector dashboard under a display (Xvfb).
 *
 * What it checks: a run with an embedding loads off the main thread and
 * the view shows every point in its label's colour (pixels read back from
 * the view's drawing) with the legend's labels; rotating moves the points
 * (and the 2D toggle ignores rotation); hover and the label search pick
 * the right points; the status line gives the variance PCA explains; a run
 * without embeddings shows the empty state that says how to log one; the
 * page follows an open writer live, keeping the camera; a damaged tensor
 * is named in the view's place; the keys turn, zoom, reset and pan; the
 * method switch runs t-SNE live (its controls, counter, pause, 2D, and its
 * error for a perplexity the points cannot reach).
 * Skips without a display.
 */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <sqlite3.h>

#include <lumen-log.h>

#include "lm-projector-page.h"
#include "lm-tsne.h"
#include "lm-palette.h"
#include "lm-run-store.h"
#include "lm-test-run.h"
#include "lm-theme.h"
#include "ui-test-util.h"

static gboolean have_display;

/* Six points in four dimensions, three labels far apart. */
static const float points[6 * 4] = {
  6, 0, 0, 0,   6, 0.3f, 0, 0.1f,    /* cat */
  -6, 0, 0, 0,  -6, 0, 0.4f, 0,      /* dog */
  0, 4, 1, 0,   0, -4, -1, 0,        /* bird */
};
static const char *labels[6] = { "cat", "cat", "dog", "dog", "bird", "bird" };

static char *
make_logdir (gboolean with_embedding)
{
  char *dir = g_dir_make_tmp ("lm-proj-XXXXXX", NULL);
  lm_writer_options o;
  lm_writer *w = NULL;

  lm_writer_options_init (&o);
  o.logdir = dir;
  o.run_name = "run";
  o.quiet = TRUE;
  g_assert_cmpint (lm_writer_open_with (&w, &o), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_scalar (w, "loss", 0, 1), ==, LM_OK);
  if (with_embedding)
    g_assert_cmpint (lm_writer_add_embedding (w, "features", 3, points, 6, 4, labels, NULL, 0, 0, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  return dir;
}

static gboolean
page_settled (gpointer data)
{
  return lm_projector_page_is_settled (data);
}

static gboolean
has_run (gpointer data)
{
  return g_list_model_get_n_items (data) >= 1;
}

static GtkWidget *
show_page (const char *dir, LmRunStore **store_out)
{
  LmRunStore *store = lm_run_store_new (dir);
  GtkWidget *win = gtk_window_new ();
  GtkWidget *page;

  lm_run_store_start (store);
  g_assert_true (lm_test_wait_for (has_run, store, 10000));
  page = lm_projector_page_new (store);
  gtk_window_set_child (GTK_WINDOW (win), page);
  gtk_window_set_default_size (GTK_WINDOW (win), 800, 600);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  *store_out = store;
  return page;
}

static void
close_page (GtkWidget *page, LmRunStore *store, const char *dir)
{
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (page)));
  g_object_unref (store);
  lm_test_rm_rf (dir);
}

/* The colour of the view's pixel at (x, y) after drawing it w x h. */
static void
pixel_at (cairo_surface_t *s, int x, int y, double rgb[3])
{
  const guint8 *p = cairo_image_surface_get_data (s) + y * cairo_image_surface_get_stride (s) + x * 4;

  rgb[0] = p[2] / 255.0;
  rgb[1] = p[1] / 255.0;
  rgb[2] = p[0] / 255.0;
}

static cairo_surface_t *
draw_view (LmProjectorView *view, int w, int h)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create (s);

  lm_projector_view_draw (view, cr, w, h);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  return s;
}

/* Every point's centre pixel is its label's colour at the dots' alpha
 * (0.85) over the background. */
static void
assert_points_coloured (LmProjectorView *view, int w, int h)
{
  cairo_surface_t *s = draw_view (view, w, h);
  const GdkRGBA *bg = &lm_theme_colors ()->bg;

  for (guint i = 0; i < 6; i++)
    {
      double x, y, rgb[3];
      GdkRGBA c;
      int cls = lm_projector_view_get_point_class (view, i);

      g_assert_cmpint (cls, >=, 0);
      g_assert_cmpstr (lm_projector_view_get_class (view, (guint) cls, &c), ==, labels[i]);
      lm_projector_view_project (view, i, w, h, &x, &y);
      g_assert_cmpfloat (x, >, 0);
      g_assert_cmpfloat (x, <, w);
      pixel_at (s, (int) round (x), (int) round (y), rgb);
      g_assert_cmpfloat_with_epsilon (rgb[0], 0.85 * c.red + 0.15 * bg->red, 0.03);
      g_assert_cmpfloat_with_epsilon (rgb[1], 0.85 * c.green + 0.15 * bg->green, 0.03);
      g_assert_cmpfloat_with_epsilon (rgb[2], 0.85 * c.blue + 0.15 * bg->blue, 0.03);
    }
  cairo_surface_destroy (s);
}

static void
test_points (void)
{
  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g_autofree char *dir = make_logdir (TRUE);
  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);
  LmProjectorView *view = lm_projector_page_get_view (LM_PROJECTOR_PAGE (page));
  const int W = 600, H = 400;

  g_assert_nonnull (lm_projector_view_get_embedding (view));
  g_assert_cmpuint (lm_projector_view_get_embedding (view)->n, ==, 6);
  /* legend: the three labels, in natural order */
  g_assert_cmpuint (lm_projector_view_get_n_classes (view), ==, 3);
  g_assert_cmpstr (lm_projector_view_get_class (view, 0, NULL), ==, "bird");
  g_assert_cmpstr (lm_projector_view_get_class (view, 2, NULL), ==, "dog");
  /* the status gives the explained variance: PC1 (cat vs dog, +-6) holds
   * most of it */
  g_assert_nonnull (strstr (lm_projector_page_get_status (LM_PROJECTOR_PAGE (page)),
                            "PCA of 6 points × 4 dims: variance described"));
  g_assert_cmpfloat (lm_projector_page_get_pca_ms (LM_PROJECTOR_PAGE (page)), >=, 0);
  assert_points_coloured (view, W, H);

  /* Face on (no rotation), x is PC1: cat and dog at opposite sides. */
  double x0, y0, x2, y2, x0r, y0r;
  lm_projector_view_set_rotation (view, 0, 0);
  lm_projector_view_project (view, 0, W, H, &x0, &y0);
  lm_projector_view_project (view, 2, W, H, &x2, &y2);
  g_assert_cmpfloat (fabs (x0 - x2), >, 0.6 * 0.42 * H * 2);
  g_assert_cmpfloat_with_epsilon (y0, y2, 10);
  /* A quarter turn about the vertical axis puts PC1 along the depth: cat
   * and dog come together on screen. */
  lm_projector_view_set_rotation (view, G_PI / 2, 0);
  lm_projector_view_project (view, 0, W, H, &x0r, &y0r);
  lm_projector_view_project (view, 2, W, H, &x2, &y2);
  g_assert_cmpfloat (fabs (x0r - x2), <, 15);
  g_assert_cmpfloat (fabs (x0r - x0), >, 50);
  assert_points_coloured (view, W, H);
  /* 2D: the first two components, rotation ignored. */
  lm_projector_view_set_2d (view, TRUE);
  lm_projector_view_project (view, 0, W, H, &x2, &y2);
  g_assert_cmpfloat_with_epsilon (x2, x0, 0.5);
  lm_projector_view_set_2d (view, FALSE);

  /* Hover: the point under the pointer. */
  lm_projector_view_project (view, 4, W, H, &x2, &y2);
  g_assert_cmpint (lm_projector_view_pick (view, x2 + 3, y2 - 2, W, H, 10), ==, 4);
  g_assert_cmpint (lm_projector_view_pick (view, 2, 2, W, H, 10), ==, -1);
  /* Search: case-insensitive, through the page's entry. */
  g_assert_cmpuint (lm_projector_view_set_search (view, "DO"), ==, 2);
  g_assert_cmpuint (lm_projector_view_set_search (view, "zebra"), ==, 0);
  g_assert_cmpuint (lm_projector_view_set_search (view, ""), ==, 0);

  close_page (page, store, dir);
}

static void
test_empty (void)
{
  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g_autofree char *dir = make_logdir (FALSE);
  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);
  LmProjectorView *view = lm_projector_page_get_view (LM_PROJECTOR_PAGE (page));

  g_assert_null (lm_projector_view_get_embedding (view));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (view)));
  GtkWidget *empty = lm_ui_find_by_class (page, "lm-projector-empty");
  g_assert_nonnull (empty);
  g_assert_true (gtk_widget_get_mapped (empty));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (empty)), "No embeddings to project"));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (empty)), "lm_writer_add_embedding"));
  close_page (page, store, dir);
}

static gboolean
tooltip_starts (GtkWidget *w, gconstpointer prefix)
{
  const char *tip = gtk_widget_get_tooltip_text (w);

  return GTK_IS_DROP_DOWN (w) && tip != NULL && g_str_has_prefix (tip, prefix);
}

static guint
n_listed (GtkWidget *page, const char *tooltip)
{
  GtkWidget *drop = lm_ui_find_widget (page, tooltip_starts, tooltip);

  g_assert_nonnull (drop);
  return g_list_model_get_n_items (gtk_drop_down_get_model (GTK_DROP_DOWN (drop)));
}

typedef struct
{
  GtkWidget *page;
  gint64 step;
  guint n_tensors, n_runs;
} LiveWait;

static gboolean
shows_step (gpointer data)
{
  LiveWait *lw = data;
  const LmEmbedding *e = lm_projector_view_get_embedding (lm_projector_page_get_view (LM_PROJECTOR_PAGE (lw->page)));

  return e != NULL && e->step == lw->step;
}

static gboolean
lists_grew (gpointer data)
{
  LiveWait *lw = data;

  return n_listed (lw->page, "Tensor") == lw->n_tensors && n_listed (lw->page, "Run") == lw->n_runs;
}

static lm_writer *
open_writer (const char *dir, const char *name)
{
  lm_writer_options o;
  lm_writer *w = NULL;

  lm_writer_options_init (&o);
  o.logdir = dir;
  o.run_name = name;
  o.quiet = TRUE;
  g_assert_cmpint (lm_writer_open_with (&w, &o), ==, LM_OK);
  return w;
}

/* Live: a writer still open logs a newer step of the shown tensor, another
 * tag and another run while the page is shown.  The view follows the new
 * step within a second or so of the commit, keeping the user's rotation;
 * the lists grow without reloading the view.  Before, nothing changed
 * until the page was shown again. */
static void
test_live (void)
{
  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g_autofree char *dir = g_dir_make_tmp ("lm-proj-XXXXXX", NULL);
  lm_writer *w = open_writer (dir, "run");
  float moved[6 * 4];
  LmRunStore *store = NULL;

  g_assert_cmpint (lm_writer_add_scalar (w, "loss", 0, 1), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_embedding (w, "features", 1, points, 6, 4, labels, NULL, 0, 0, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_flush (w), ==, LM_OK);
  GtkWidget *page = show_page (dir, &store);
  LmProjectorView *view = lm_projector_page_get_view (LM_PROJECTOR_PAGE (page));
  LiveWait lw = { page, 1, 1, 1 };

  g_assert_true (shows_step (&lw));
  lm_projector_view_set_rotation (view, 1.25, -0.5);
  gtk_editable_set_text (GTK_EDITABLE (lm_projector_page_get_search_entry (LM_PROJECTOR_PAGE (page))), "dog");
  lm_test_spin (400);

  /* a newer step of the shown tag: followed, the camera and search kept */
  for (guint i = 0; i < G_N_ELEMENTS (moved); i++)
    moved[i] = points[i] * 2;
  gint64 t0 = g_get_monotonic_time ();
  g_assert_cmpint (lm_writer_add_embedding (w, "features", 2, moved, 6, 4, labels, NULL, 0, 0, 0), ==, LM_OK);
  lw.step = 2;
  lw.n_tensors = 2;
  g_assert_true (lm_test_wait_for (shows_step, &lw, 5000));
  g_test_message ("new step shown %.0f ms after it was logged", (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_true (lists_grew (&lw));
  double yaw, pitch;
  lm_projector_view_get_rotation (view, &yaw, &pitch);
  g_assert_cmpfloat_with_epsilon (yaw, 1.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (pitch, -0.5, 1e-9);
  g_assert_cmpuint (lm_projector_view_set_search (view, "dog"), ==, 2);

  /* another tag and another run: listed, the view stays on step 2 (the
   * same tensor: not reloaded) */
  const LmEmbedding *shown = lm_projector_view_get_embedding (view);
  g_assert_cmpint (lm_writer_add_embedding (w, "logits", 2, points, 6, 4, labels, NULL, 0, 0, 0), ==, LM_OK);
  lm_writer *w2 = open_writer (dir, "run2");
  g_assert_cmpint (lm_writer_add_embedding (w2, "features", 5, points, 6, 4, NULL, NULL, 0, 0, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_flush (w2), ==, LM_OK);
  lw.n_tensors = 3;
  lw.n_runs = 2;
  g_assert_true (lm_test_wait_for (lists_grew, &lw, 5000));
  g_assert_true (shows_step (&lw));
  g_assert_cmpstr (lm_projector_view_get_embedding (view)->tag, ==, "features");
  g_assert_true (lm_projector_view_get_embedding (view) == shown);
  lm_projector_view_get_rotation (view, &yaw, &pitch);
  g_assert_cmpfloat_with_epsilon (yaw, 1.25, 1e-9);

  /* a poll that finds nothing new changes nothing */
  guint64 n = lm_projector_page_get_n_live_updates (LM_PROJECTOR_PAGE (page));
  lm_test_spin (800);
  g_assert_cmpuint (lm_projector_page_get_n_live_updates (LM_PROJECTOR_PAGE (page)), ==, n);

  g_assert_cmpint (lm_writer_close (w2), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  close_page (page, store, dir);
}

static gboolean
view_has_data (gpointer data)
{
  return lm_projector_view_get_embedding (data) != NULL;
}

/* A tensor whose matrix blob was cut short: the view's place says which
 * tensor and why (not the "No embeddings" how-to it showed before), the
 * lists still offer the run's other steps, which load fine, and the live
 * checks do not reload the damaged one over and over. */
static void
test_damaged (void)
{
  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g_autofree char *dir = g_dir_make_tmp ("lm-proj-XXXXXX", NULL);
  lm_writer *w = open_writer (dir, "run");
  g_autofree char *path = g_build_filename (dir, "run", "run.lumen", NULL);
  LmRunStore *store = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (lm_writer_add_embedding (w, "features", 1, points, 6, 4, labels, NULL, 0, 0, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_embedding (w, "features", 2, points, 6, 4, labels, NULL, 0, 0, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE embeddings SET tensor = substr (tensor, 1, 10) WHERE step = 2", NULL,
                                 NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  GtkWidget *page = show_page (dir, &store);
  LmProjectorView *view = lm_projector_page_get_view (LM_PROJECTOR_PAGE (page));
  GtkWidget *damaged = lm_ui_find_by_class (page, "lm-projector-damaged");

  g_assert_null (lm_projector_view_get_embedding (view));
  g_assert_nonnull (damaged);
  g_assert_true (gtk_widget_get_mapped (damaged));
  const char *text = gtk_label_get_text (GTK_LABEL (damaged));
  g_assert_nonnull (strstr (text, "This tensor cannot be shown"));
  g_assert_nonnull (strstr (text, "run: embedding 'features' at step 2: its tensor holds 10 bytes, not 6 x 4 "
                                  "float32 (the row is damaged)\n\nPick another tensor or run above."));
  g_assert_cmpuint (n_listed (page, "Tensor"), ==, 2);
  guint64 n = lm_projector_page_get_n_live_updates (LM_PROJECTOR_PAGE (page));
  lm_test_spin (800);
  g_assert_cmpuint (lm_projector_page_get_n_live_updates (LM_PROJECTOR_PAGE (page)), ==, n);
  g_assert_true (gtk_widget_get_mapped (damaged));

  /* step 1 is fine */
  g_assert_true (lm_projector_page_set_tensor (LM_PROJECTOR_PAGE (page), "run", 1));
  g_assert_true (lm_test_wait_for (view_has_data, view, 5000));
  g_assert_cmpint (lm_projector_view_get_embedding (view)->step, ==, 1);
  g_assert_false (gtk_widget_get_mapped (damaged));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));

  close_page (page, store, dir);
}

/* The projector without a mouse: it had no keys at all.  Focusable (a
 * click focuses it), the graph view's keys: the arrow keys turn the cloud
 * by 10 degrees the way a drag would, Ctrl +/- zoom, Ctrl 0 resets; in 2D
 * the arrow keys pan, moving every point by a tenth of the view. */
static void
test_keys (void)
{
  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g_autofree char *dir = make_logdir (TRUE);
  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);
  LmProjectorView *view = lm_projector_page_get_view (LM_PROJECTOR_PAGE (page));
  GtkWidget *w = GTK_WIDGET (view);
  double yaw0, pitch0, yaw, pitch, x0, y0, x1, y1;

  g_assert_true (gtk_widget_get_focusable (w));
  lm_projector_view_get_rotation (view, &yaw0, &pitch0);
  g_assert_true (lm_ui_press_key (w, GDK_KEY_Right, 0));
  g_assert_true (lm_ui_press_key (w, GDK_KEY_Right, 0));
  g_assert_true (lm_ui_press_key (w, GDK_KEY_Up, 0));
  lm_projector_view_get_rotation (view, &yaw, &pitch);
  g_assert_cmpfloat_with_epsilon (yaw, yaw0 + 2 * G_PI / 18, 1e-9);
  g_assert_cmpfloat_with_epsilon (pitch, pitch0 - G_PI / 18, 1e-9);
  g_assert_true (lm_ui_press_key (w, GDK_KEY_plus, GDK_CONTROL_MASK));
  g_assert_cmpfloat_with_epsilon (lm_projector_view_get_zoom (view), 1.25, 1e-9);
  g_assert_true (lm_ui_press_key (w, GDK_KEY_minus, GDK_CONTROL_MASK));
  g_assert_true (lm_ui_press_key (w, GDK_KEY_minus, GDK_CONTROL_MASK));
  g_assert_cmpfloat_with_epsilon (lm_projector_view_get_zoom (view), 0.8, 1e-9);
  g_assert_true (lm_ui_press_key (w, GDK_KEY_0, GDK_CONTROL_MASK));
  lm_projector_view_get_rotation (view, &yaw, &pitch);
  g_assert_cmpfloat_with_epsilon (yaw, yaw0, 1e-9);
  g_assert_cmpfloat_with_epsilon (pitch, pitch0, 1e-9);
  g_assert_cmpfloat_with_epsilon (lm_projector_view_get_zoom (view), 1, 1e-9);
  /* 2D: Left pans, showing what lies to the left (points move right) */
  lm_projector_view_set_2d (view, TRUE);
  lm_projector_view_project (view, 0, 600, 400, &x0, &y0);
  gtk_widget_set_size_request (w, 600, 400);
  lm_test_spin (200);
  int vw = gtk_widget_get_width (w);
  g_assert_true (lm_ui_press_key (w, GDK_KEY_Left, 0));
  lm_projector_view_project (view, 0, 600, 400, &x1, &y1);
  g_assert_cmpfloat_with_epsilon (x1 - x0, vw / 10.0, 0.5);
  g_assert_cmpfloat_with_epsilon (y1, y0, 1e-6);
  lm_projector_view_get_rotation (view, &yaw, &pitch);
  g_assert_cmpfloat_with_epsilon (yaw, yaw0, 1e-9);

  close_page (page, store, dir);
}

/* A logdir whose run holds n points of 20 dimensions in three labelled
 * Gaussian clusters (sd 1, centres 10 apart). */
static char *
make_cluster_logdir (gsize n)
{
  char *dir = g_dir_make_tmp ("lm-proj-XXXXXX", NULL);
  g_autoptr (GRand) r = g_rand_new_with_seed (3);
  g_autofree float *x = g_new (float, n * 20);
  g_autofree const char **names = g_new (const char *, n);
  static const char *classes[3] = { "ant", "bee", "cow" };
  lm_writer_options o;
  lm_writer *w = NULL;

  for (gsize i = 0; i < n; i++)
    {
      for (gsize j = 0; j < 20; j++)
        x[i * 20 + j] = (float) (g_rand_double_range (r, -1.7, 1.7) + (j == i % 3 ? 10 : 0));
      names[i] = classes[i % 3];
    }
  lm_writer_options_init (&o);
  o.logdir = dir;
  o.run_name = "run";
  o.quiet = TRUE;
  g_assert_cmpint (lm_writer_open_with (&w, &o), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_embedding (w, "features", 1, x, n, 20, names, NULL, 0, 0, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  return dir;
}

typedef struct
{
  LmProjectorPage *page;
  guint above;
} IterWait;

static gboolean
iteration_above (gpointer data)
{
  IterWait *w = data;

  return lm_projector_page_get_tsne_iteration (w->page) > w->above;
}

/* The method switch and t-SNE's controls; t-SNE moves the points live
 * (the counter rising, the coordinates changing between posts), pauses,
 * ends with the clusters apart, and PCA comes back as it was. */
static void
test_tsne (void)
{
  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  const gsize n = 900;
  g_autofree char *dir = make_cluster_logdir (n);
  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);
  LmProjectorView *view = lm_projector_page_get_view (pp);
  GtkWidget *method = lm_projector_page_get_control (pp, "method");
  GtkWidget *perp = lm_projector_page_get_control (pp, "perplexity");
  GtkWidget *lr = lm_projector_page_get_control (pp, "learning-rate");
  GtkWidget *pause = lm_projector_page_get_control (pp, "pause");
  GtkWidget *counter = lm_projector_page_get_control (pp, "iteration");
  GListModel *methods = gtk_drop_down_get_model (GTK_DROP_DOWN (method));
  GListModel *rates = gtk_drop_down_get_model (GTK_DROP_DOWN (lr));
  double lo, hi;

  g_assert_cmpuint (lm_projector_view_get_embedding (view)->n, ==, n);
  g_autofree float *pca = g_memdup2 (lm_projector_view_get_coords (view), n * 3 * sizeof (float));

  /* TensorBoard's controls and defaults */
  g_assert_cmpuint (g_list_model_get_n_items (methods), ==, 2);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (methods), 0), ==, "PCA");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (methods), 1), ==, "t-SNE");
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (method)), ==, 0);
  g_assert_false (gtk_widget_get_visible (lm_projector_page_get_control (pp, "tsne-bar")));
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (perp)), ==, 30);
  gtk_spin_button_get_range (GTK_SPIN_BUTTON (perp), &lo, &hi);
  g_assert_cmpfloat (lo, ==, 2);
  g_assert_cmpfloat (hi, ==, 100);
  g_assert_cmpuint (g_list_model_get_n_items (rates), ==, 5);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (rates), 0), ==, "1");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (rates), 4), ==, "10000");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (rates),
                                               gtk_drop_down_get_selected (GTK_DROP_DOWN (lr))), ==, "10");
  g_assert_true (GTK_IS_BUTTON (lm_projector_page_get_control (pp, "rerun")));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (pause)), ==, "Pause");

  /* the switch, as a click on it would */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (method), 1);
  g_assert_cmpint (lm_projector_page_get_method (pp), ==, LM_PROJECTOR_TSNE);
  g_assert_true (gtk_widget_get_visible (lm_projector_page_get_control (pp, "tsne-bar")));
  g_assert_nonnull (strstr (lm_projector_page_get_status (pp), "t-SNE of 900 points × 20 dims: perplexity 30"));

  /* a first layout past the start, then a later, different one */
  IterWait w = { pp, 0 };
  g_assert_true (lm_test_wait_for (iteration_above, &w, 20000));
  guint first = lm_projector_page_get_tsne_iteration (pp);
  g_autofree float *early = g_memdup2 (lm_projector_view_get_coords (view), n * 3 * sizeof (float));
  g_autofree char *label = g_strdup_printf ("Iteration: %u", first);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (counter)), label));
  g_assert_cmpuint (first, <, LM_PROJECTOR_TSNE_ITERATIONS);
  w.above = first;
  g_assert_true (lm_test_wait_for (iteration_above, &w, 20000));
  g_assert_cmpuint (lm_projector_page_get_tsne_iteration (pp), >, first);
  g_assert_true (memcmp (early, lm_projector_view_get_coords (view), n * 3 * sizeof (float)) != 0);

  /* Pause holds the counter; Resume goes on to the end */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (pause), TRUE);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (pause)), ==, "Resume");
  lm_test_spin (150);
  guint held = lm_projector_page_get_tsne_iteration (pp);
  lm_test_spin (300);
  g_assert_cmpuint (lm_projector_page_get_tsne_iteration (pp), ==, held);
  g_assert_false (lm_projector_page_is_settled (pp));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (pause), FALSE);
  g_assert_true (lm_test_wait_for (page_settled, page, 60000));
  g_assert_cmpuint (lm_projector_page_get_tsne_iteration (pp), ==, LM_PROJECTOR_TSNE_ITERATIONS);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (counter)), ==, "Iteration: 1000 (done)");

  /* the layout on screen: each point's nearest neighbour has its label */
  g_autofree int *cls = g_new (int, n);
  for (gsize i = 0; i < n; i++)
    cls[i] = (int) (i % 3);
  g_assert_cmpfloat (lm_test_nn_agreement (lm_projector_view_get_coords (view), n, cls), >, 0.95);

  /* 2D runs it again in two dimensions: z is 0 */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (lm_projector_page_get_control (pp, "2d")), TRUE);
  g_assert_true (lm_test_wait_for (page_settled, page, 60000));
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (lm_projector_view_get_coords (view)[i * 3 + 2], ==, 0);
  g_assert_nonnull (strstr (lm_projector_page_get_status (pp), "2D"));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (lm_projector_page_get_control (pp, "2d")), FALSE);

  /* back to PCA: the same places as before */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (method), 0);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_false (gtk_widget_get_visible (lm_projector_page_get_control (pp, "tsne-bar")));
  g_assert_cmpmem (pca, n * 3 * sizeof (float), lm_projector_view_get_coords (view), n * 3 * sizeof (float));
  g_assert_true (g_str_has_prefix (lm_projector_page_get_status (pp), "PCA of 900 points"));
  close_page (page, store, dir);
  g_free (dir);

  /* over LM_TSNE_MAX_POINTS: a random sample, said, and shown alone (two
   * iterations are enough to see it) */
  dir = make_cluster_logdir (LM_TSNE_MAX_POINTS + 100);
  page = show_page (dir, &store);
  pp = LM_PROJECTOR_PAGE (page);
  view = lm_projector_page_get_view (pp);
  lm_projector_page_set_tsne_iterations (pp, 2);
  lm_projector_page_set_method (pp, LM_PROJECTOR_TSNE);
  g_assert_true (lm_test_wait_for (page_settled, page, 60000));
  g_assert_true (g_str_has_prefix (lm_projector_page_get_status (pp),
                                   "t-SNE on 5,000 of 5,100 points (a random sample) × 20 dims"));
  g_assert_cmpuint (lm_projector_view_get_embedding (view)->n, ==, LM_TSNE_MAX_POINTS);
  g_assert_cmpuint (lm_projector_view_get_n_classes (view), ==, 3);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (lm_projector_page_get_control (pp, "iteration"))), ==,
                   "Iteration: 2 (done)");
  lm_projector_page_set_method (pp, LM_PROJECTOR_PCA);
  g_assert_true (lm_test_wait_for (page_settled, page, 20000));
  g_assert_cmpuint (lm_projector_view_get_embedding (view)->n, ==, LM_TSNE_MAX_POINTS + 100);
  close_page (page, store, dir);
  g_free (dir);

  /* six points cannot have a perplexity of 30: said, PCA stays */
  dir = make_logdir (TRUE);
  page = show_page (dir, &store);
  pp = LM_PROJECTOR_PAGE (page);
  view = lm_projector_page_get_view (pp);
  g_free (pca);
  pca = g_memdup2 (lm_projector_view_get_coords (view), 6 * 3 * sizeof (float));
  lm_projector_page_set_method (pp, LM_PROJECTOR_TSNE);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_cmpstr (lm_projector_page_get_status (pp), ==,
                   "t-SNE perplexity 30 needs at least 31 points; this embedding has 6 (set the perplexity to at "
                   "most 5)");
  g_assert_cmpmem (pca, 6 * 3 * sizeof (float), lm_projector_view_get_coords (view), 6 * 3 * sizeof (float));
  /* a perplexity it can reach: it runs */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (lm_projector_page_get_control (pp, "perplexity")), 2);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_cmpuint (lm_projector_page_get_tsne_iteration (pp), ==, LM_PROJECTOR_TSNE_ITERATIONS);
  g_assert_true (g_str_has_prefix (lm_projector_page_get_status (pp), "t-SNE of 6 points × 4 dims: perplexity 2"));
  close_page (page, store, dir);
}

static gboolean
no_tsne_thread (gpointer data)
{
  guint live;

  lm_projector_page_get_tsne_threads (data, &live);
  return live == 0;
}

/* Holding the perplexity arrow on 5,000 points: twenty changes, faster
 * than a set-up, keep one worker at a time (the running one told to stop,
 * the newest waiting), and the last value is the one that runs.  (Before,
 * each change started a thread of its own that ran its whole set-up: 21
 * threads alive at once.) */
static void
test_tsne_coalesce (void)
{
  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  LmRunStore *store = NULL;
  g_autofree char *dir = make_cluster_logdir (LM_TSNE_MAX_POINTS);
  GtkWidget *page = show_page (dir, &store);
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);
  GtkWidget *perp = lm_projector_page_get_control (pp, "perplexity");
  guint live = 0, started;

  lm_projector_page_set_tsne_iterations (pp, 2);
  lm_projector_page_set_method (pp, LM_PROJECTOR_TSNE);
  g_assert_cmpuint (lm_projector_page_get_tsne_threads (pp, &live), ==, 1);
  g_assert_cmpuint (live, ==, 1);
  /* twenty changes back to back (no time for a set-up in between) */
  for (int i = 0; i < 20; i++)
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (perp), 10 + i);
  started = lm_projector_page_get_tsne_threads (pp, &live);
  g_test_message ("back to back: %u started, %u live", started, live);
  g_assert_cmpuint (started, ==, 1);
  g_assert_cmpuint (live, <=, 1);
  g_assert_true (lm_test_wait_for (page_settled, page, 60000));
  /* the worker that finished exits just after its last layout */
  g_assert_true (lm_test_wait_for (no_tsne_thread, pp, 5000));
  g_assert_cmpuint (lm_projector_page_get_tsne_threads (pp, &live), ==, 2);
  g_assert_nonnull (strstr (lm_projector_page_get_status (pp), "perplexity 29,"));

  /* as an arrow held down repeats: a change every 10 ms, never two
   * workers at once */
  for (int i = 0; i < 20; i++)
    {
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (perp), 40 + i);
      lm_test_spin (10);
      lm_projector_page_get_tsne_threads (pp, &live);
      g_assert_cmpuint (live, <=, 1);
    }
  g_assert_true (lm_test_wait_for (page_settled, page, 60000));
  g_assert_nonnull (strstr (lm_projector_page_get_status (pp), "perplexity 59,"));
  g_assert_cmpuint (lm_projector_page_get_tsne_iteration (pp), ==, 2);
  close_page (page, store, dir);
}

int
main (int argc, char **argv)
{
  have_display = lm_ui_test_init (&argc, &argv);
  g_test_add_func ("/ui/projector/points", test_points);
  g_test_add_func ("/ui/projector/empty", test_empty);
  g_test_add_func ("/ui/projector/live", test_live);
  g_test_add_func ("/ui/projector/damaged", test_damaged);
  g_test_add_func ("/ui/projector/keys", test_keys);
  g_test_add_func ("/ui/projector/tsne", test_tsne);
  g_test_add_func ("/ui/projector/tsne-coalesce", test_tsne_coalesce);
  return g_test_run ();
}
