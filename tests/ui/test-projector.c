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
 * error for a perplexity the points cannot reach); the inspector lists a
 * clicked point's true neighbours under either metric, its rows hover
 * and walk, Enter/Escape and the search select, Isolate shows just the
 * selection and Show all data everything again; a 10,000 x 784 tensor's
 * neighbours come from a worker.  Metadata columns: Color by a second
 * column recolours the points (pixels), "No color" and a numeric
 * column's gradient too, a column of too many strings gets a note; Label
 * by changes the points' labels and the inspector's, which lists every
 * column; the search looks in the column chosen.  Custom places the
 * points on the axes its label searches make (by hand) and names a
 * search that matches nothing; Sphereize data changes the PCA; a tensor
 * with a NaN row, one past float32's range and one of identical points
 * say what is wrong and draw what they can.
 * Skips without a display.
 */
#include <float.h>
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


/* How long a layout may take to finish: t-SNE's 1,000 iterations on 900
 * points take about 40 s in the sanitizer build, longer on a busy
 * 2-core machine. */
#define SETTLE_MS 150000

static gboolean have_display;

/* Six points in four dimensions, three labels far apart. */
static const float points[6 * 4] = {
  6, 0, 0, 0,   6, 0.3f, 0, 0.1f,    /* cat */
  -6, 0, 0, 0,  -6, 0, 0.4f, 0,      /* dog */
  0, 4, 1, 0,   0, -4, -1, 0,        /* bird */
};
static const char *labels[6] = { "cat", "cat", "dog", "dog", "bird", "bird" };

/* A new log directory (its path into *dir) with run "run" open. */
static lm_writer *
open_run (char **dir)
{
  lm_writer_options o;
  lm_writer *w = NULL;

  *dir = g_dir_make_tmp ("lm-proj-XXXXXX", NULL);
  lm_writer_options_init (&o);
  o.logdir = *dir;
  o.run_name = "run";
  o.quiet = TRUE;
  g_assert_cmpint (lm_writer_open_with (&w, &o), ==, LM_OK);
  return w;
}

static char *
make_logdir (gboolean with_embedding)
{
  char *dir = NULL;
  lm_writer *w = open_run (&dir);
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
  /* long enough for a 10,000 x 784 PCA in a sanitizer build */
  g_assert_true (lm_test_wait_for (page_settled, page, SETTLE_MS));
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
  if (lm_ui_test_no_display ())
    return;
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
  if (lm_ui_test_no_display ())
    return;
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
  if (lm_ui_test_no_display ())
    return;
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
/* The page's status line holds `text`. */
static void
assert_status_has (LmProjectorPage *pp, const char *text)
{
  const char *status = lm_projector_page_get_status (pp);

  if (strstr (status, text) == NULL)
    g_error ("status “%s” lacks “%s”", status, text);
}

/* A run of the six points (values `mat` put in the run file's blob as
 * they are: a NaN there as a user's own SQLite might). */
static char *
make_logdir_with (const float *mat)
{
  char *dir = make_logdir (TRUE);
  g_autofree char *path = g_build_filename (dir, "run", "run.lumen", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE embeddings SET tensor = ?1", -1, &st, NULL), ==, SQLITE_OK);
  sqlite3_bind_blob (st, 1, mat, 6 * 4 * sizeof (float), SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return dir;
}

/* Custom's four searches, as substrings. */
static void
set_searches (LmProjectorPage *pp, const char *left, const char *right, const char *up, const char *down)
{
  lm_projector_page_set_custom_search (pp, LM_PROJECTOR_CUSTOM_LEFT, left, FALSE);
  lm_projector_page_set_custom_search (pp, LM_PROJECTOR_CUSTOM_RIGHT, right, FALSE);
  lm_projector_page_set_custom_search (pp, LM_PROJECTOR_CUSTOM_UP, up, FALSE);
  lm_projector_page_set_custom_search (pp, LM_PROJECTOR_CUSTOM_DOWN, down, FALSE);
}

/* Custom, as TensorBoard's: X from the cats' mean (6, .15, 0, .05) to
 * the dogs' (-6, 0, .2, 0), Y from the cats' to the birds' (0, 0, 0, 0).
 * By hand, the dot products with (-12, -.15, .2, -.05) and (-6, -.15, 0,
 * -.05) (each axis's length cancels in the view's framing, which puts
 * each axis's [min, max] onto [-1, 1]): */
static const double custom_x[6] = { -72, -72.05, 72, 72.08, -0.4, 0.4 };
static const double custom_y[6] = { -36, -36.05, 36, 36, -0.6, 0.6 };

static void
test_custom (void)
{
  if (lm_ui_test_no_display ())
    return;
  g_autofree char *dir = make_logdir (TRUE);
  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);
  LmProjectorView *view = lm_projector_page_get_view (pp);
  GtkWidget *bar = lm_projector_page_get_control (pp, "custom-bar");
  const int w = 400, h = 300;

  g_assert_false (gtk_widget_get_visible (bar));
  lm_projector_page_set_custom_search (pp, LM_PROJECTOR_CUSTOM_LEFT, "CAT", FALSE);
  lm_projector_page_set_custom_search (pp, LM_PROJECTOR_CUSTOM_RIGHT, "dog", FALSE);
  lm_projector_page_set_custom_search (pp, LM_PROJECTOR_CUSTOM_UP, "^b", TRUE);
  lm_projector_page_set_custom_search (pp, LM_PROJECTOR_CUSTOM_DOWN, "cat", FALSE);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (lm_projector_page_get_control (pp, "method")), 3);
  g_assert_cmpint (lm_projector_page_get_method (pp), ==, LM_PROJECTOR_CUSTOM);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_true (gtk_widget_get_visible (bar));
  g_assert_false (gtk_widget_get_visible (lm_projector_page_get_control (pp, "tsne-bar")));
  g_assert_false (gtk_widget_get_visible (lm_projector_page_get_control (pp, "sphereize")));
  /* flat, as TensorBoard's custom projection */
  g_assert_true (lm_projector_view_get_2d (view));
  g_assert_false (gtk_widget_get_sensitive (lm_projector_page_get_control (pp, "2d")));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (lm_projector_page_get_control (pp, "left-count"))), ==,
                   "2 matches");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (lm_projector_page_get_control (pp, "up-count"))), ==,
                   "2 matches");
  g_assert_cmpstr (lm_projector_page_get_status (pp), ==,
                   "Custom projection of 6 points × 4 dims: X from Left to Right, Y from Down to Up; cosine "
                   "similarity of the axes 1.000");
  /* a keystroke in one search runs that search again, the other three
   * keep their matches (each keystroke ran all four), the points where
   * they were */
  {
    guint runs = lm_projector_page_get_custom_searches_run (pp);
    float before[6 * 3];
    GtkEditable *right = GTK_EDITABLE (lm_projector_page_get_control (pp, "right"));

    int at = 2;

    memcpy (before, lm_projector_view_get_coords (view), sizeof before);
    /* Backspace, then "g" again */
    gtk_editable_delete_text (right, 2, 3);
    gtk_editable_insert_text (right, "g", 1, &at);
    g_assert_cmpstr (gtk_editable_get_text (right), ==, "dog");
    g_assert_cmpuint (lm_projector_page_get_custom_searches_run (pp) - runs, ==, 2);
    g_assert_cmpmem (lm_projector_view_get_coords (view), sizeof before, before, sizeof before);
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (lm_projector_page_get_control (pp, "right-count"))), ==,
                     "2 matches");
  }

  const float *p = lm_projector_view_get_coords (view);
  cairo_surface_t *s = draw_view (view, w, h);
  const GdkRGBA *bg = &lm_theme_colors ()->bg;

  for (int i = 0; i < 6; i++)
    {
      double want_x = (custom_x[i] - (72.08 - 72.05) / 2) / ((72.08 + 72.05) / 2);
      double want_y = (custom_y[i] - (36 - 36.05) / 2) / ((36 + 36.05) / 2);
      double x, y, rgb[3];
      GdkRGBA c;

      g_assert_cmpfloat_with_epsilon (p[i * 3], want_x, 1e-5);
      g_assert_cmpfloat_with_epsilon (p[i * 3 + 1], want_y, 1e-5);
      g_assert_cmpfloat (p[i * 3 + 2], ==, 0);
      /* drawn there, in its label's colour: Y up the screen */
      lm_projector_view_project (view, (guint) i, w, h, &x, &y);
      g_assert_cmpfloat_with_epsilon (x, w / 2.0 + want_x * 0.42 * h, 1e-3);
      g_assert_cmpfloat_with_epsilon (y, h / 2.0 - want_y * 0.42 * h, 1e-3);
      lm_projector_view_get_class (view, (guint) lm_projector_view_get_point_class (view, (guint) i), &c);
      /* the two cats (and the two dogs) overlap: one dot's alpha or two */
      pixel_at (s, (int) x, (int) y, rgb);
      const double want[3] = { c.red, c.green, c.blue }, back[3] = { bg->red, bg->green, bg->blue };

      for (int k = 0; k < 3; k++)
        if (fabs (rgb[k] - (0.85 * want[k] + 0.15 * back[k])) > 0.03)
          g_assert_cmpfloat_with_epsilon (rgb[k], 0.9775 * want[k] + 0.0225 * back[k], 0.03);
    }
  cairo_surface_destroy (s);

  /* a search that matches nothing is named, its axis not drawn */
  gtk_editable_set_text (GTK_EDITABLE (lm_projector_page_get_control (pp, "left")), "cow");
  g_assert_cmpstr (lm_projector_page_get_status (pp), ==,
                   "Custom projection of 6 points × 4 dims: Left: no point matches “cow”; the X axis is not drawn");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (lm_projector_page_get_control (pp, "left-count"))), ==,
                   "no match");
  for (int i = 0; i < 6; i++)
    {
      g_assert_cmpfloat (p[i * 3], ==, 0);
      g_assert_cmpfloat_with_epsilon (p[i * 3 + 1], (custom_y[i] + 0.025) / 36.025, 1e-5);
    }
  /* the regex toggle: "c.t" as a regex matches the cats again */
  gtk_editable_set_text (GTK_EDITABLE (lm_projector_page_get_control (pp, "left")), "^c.t$");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (lm_projector_page_get_control (pp, "left-count"))), ==,
                   "no match");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (lm_projector_page_get_control (pp, "left-regex")), TRUE);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (lm_projector_page_get_control (pp, "left-count"))), ==,
                   "2 matches");
  g_assert_cmpfloat_with_epsilon (p[0], (custom_x[0] - 0.015) / 72.065, 1e-5);
  /* a bad regex and the same points at both ends say so */
  gtk_editable_set_text (GTK_EDITABLE (lm_projector_page_get_control (pp, "left")), "(");
  assert_status_has (pp, "Left: invalid regex “(”");
  lm_projector_page_set_custom_search (pp, LM_PROJECTOR_CUSTOM_LEFT, "dog", FALSE);
  assert_status_has (pp, "X axis: Left and Right have the same mean vector, so the axis has no direction; the X "
                         "axis is not drawn");

  /* Isolate: the chosen cat and its 3 nearest (the other cat and the
   * birds, by cosine), projected by the same searches on their own */
  lm_projector_page_set_custom_search (pp, LM_PROJECTOR_CUSTOM_LEFT, "cat", FALSE);
  lm_projector_page_set_custom_search (pp, LM_PROJECTOR_CUSTOM_RIGHT, "bird", FALSE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (lm_projector_page_get_control (pp, "neighbors")), 3);
  lm_projector_page_select (pp, 0);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  lm_ui_emit (lm_projector_page_get_control (pp, "isolate"), "clicked");
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_true (lm_projector_page_get_isolated (pp));
  g_assert_cmpstr (lm_projector_page_get_status (pp), ==,
                   "Custom projection of 4 isolated points × 4 dims (searched in all 6): X from Left to Right, Y "
                   "from Down to Up; cosine similarity of the axes 1.000");
  g_assert_true (lm_projector_view_get_2d (view));
  p = lm_projector_view_get_coords (view);
  /* the isolated points: the cats, then the birds (x -36.05 the least,
   * 0.6 the most, as above) */
  g_assert_cmpfloat_with_epsilon (p[1 * 3], -1, 1e-5);
  g_assert_cmpfloat_with_epsilon (p[3 * 3], 1, 1e-5);
  /* as TensorBoard's, the searches look in the whole tensor: the dogs,
   * not among the isolated points, still make Right's end.  Cat to dog
   * is (-12, -0.15, 0.2, -0.05): the cats at -72 and -72.05 on it, the
   * birds at -0.4 and 0.4 */
  lm_projector_page_set_custom_search (pp, LM_PROJECTOR_CUSTOM_RIGHT, "dog", FALSE);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (lm_projector_page_get_control (pp, "right-count"))), ==,
                   "2 matches");
  g_assert_true (g_str_has_prefix (lm_projector_page_get_status (pp),
                                   "Custom projection of 4 isolated points × 4 dims (searched in all 6): X from "
                                   "Left to Right, Y from Down to Up"));
  g_assert_cmpfloat_with_epsilon (p[0 * 3], (-72 + 35.825) / 36.225, 1e-4);
  g_assert_cmpfloat_with_epsilon (p[1 * 3], -1, 1e-5);
  g_assert_cmpfloat_with_epsilon (p[2 * 3], (-0.4 + 35.825) / 36.225, 1e-4);
  g_assert_cmpfloat_with_epsilon (p[3 * 3], 1, 1e-5);

  /* back to PCA: 3D again */
  lm_projector_page_set_method (pp, LM_PROJECTOR_PCA);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_false (lm_projector_view_get_2d (view));
  g_assert_true (gtk_widget_get_sensitive (lm_projector_page_get_control (pp, "2d")));
  g_assert_false (gtk_widget_get_visible (bar));
  g_assert_true (g_str_has_prefix (lm_projector_page_get_status (pp), "PCA of 4 isolated points"));
  close_page (page, store, dir);
}

/* Custom on a tensor logged without labels: nothing to search, said. */
static void
test_custom_no_labels (void)
{
  if (lm_ui_test_no_display ())
    return;
  g_autofree char *dir = g_dir_make_tmp ("lm-proj-XXXXXX", NULL);
  lm_writer *w = open_writer (dir, "run");
  LmRunStore *store = NULL;

  g_assert_cmpint (lm_writer_add_embedding (w, "features", 1, points, 6, 4, NULL, NULL, 0, 0, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);

  GtkWidget *page = show_page (dir, &store);
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);

  lm_projector_page_set_method (pp, LM_PROJECTOR_CUSTOM);
  g_assert_cmpstr (lm_projector_page_get_status (pp), ==,
                   "Custom projection of 6 points × 4 dims: the X axis is not drawn (type a label in Left and "
                   "Right); the Y axis is not drawn (type a label in Down and Up)");
  lm_projector_page_set_custom_search (pp, LM_PROJECTOR_CUSTOM_LEFT, "cat", FALSE);
  assert_status_has (pp, "Left: this tensor has no labels to search");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (lm_projector_page_get_control (pp, "left-count"))), ==,
                   "no labels");
  for (int i = 0; i < 6 * 3; i++)
    g_assert_cmpfloat (lm_projector_view_get_coords (lm_projector_page_get_view (pp))[i], ==, 0);
  close_page (page, store, dir);
}

/* A tensor of one point: "PCA of 1 point", not "1 points". */
static void
test_one_point (void)
{
  if (lm_ui_test_no_display ())
    return;
  char *dir = NULL;
  lm_writer *w = open_run (&dir);
  g_assert_cmpint (lm_writer_add_embedding (w, "features", 3, points, 1, 4, labels, NULL, 0, 0, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);

  assert_status_has (LM_PROJECTOR_PAGE (page), "PCA of 1 point × 4 dims");
  close_page (page, store, dir);
  g_free (dir);
}

/* Sphereize data, PCA's check: the PCA of the sphereized points (each
 * centred on the mean and made unit norm), said in the status line. */
static void
test_sphereize (void)
{
  if (lm_ui_test_no_display ())
    return;
  g_autofree char *dir = make_logdir (TRUE);
  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);
  LmProjectorView *view = lm_projector_page_get_view (pp);
  GtkWidget *check = lm_projector_page_get_control (pp, "sphereize");
  g_autofree float *plain = g_memdup2 (lm_projector_view_get_coords (view), 6 * 3 * sizeof (float));
  float sphered[6 * 4], want[6 * 3];
  double explained[3];
  char *error = NULL;

  g_assert_true (gtk_widget_get_visible (check));
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  assert_status_has (pp, "PCA of 6 points × 4 dims, sphereized: variance described");
  /* by hand: the mean is (0, 0.05, 0.1, 1/60); each row less it, over its norm */
  for (int i = 0; i < 6; i++)
    {
      const double mean[4] = { 0, 0.3 / 6, 0.4 / 6, 0.1 / 6 };
      double norm = 0;

      for (int j = 0; j < 4; j++)
        norm += (points[i * 4 + j] - mean[j]) * (points[i * 4 + j] - mean[j]);
      for (int j = 0; j < 4; j++)
        sphered[i * 4 + j] = (float) ((points[i * 4 + j] - mean[j]) / sqrt (norm));
    }
  g_assert_true (lm_embedding_pca (sphered, 6, 4, 3, want, explained, NULL, &error));
  g_autofree char *line = g_strdup_printf ("variance described %.1f%% + %.1f%% + %.1f%%", 100 * explained[0],
                                           100 * explained[1], 100 * explained[2]);
  assert_status_has (pp, line);
  /* the view's places are those scores, scaled to the largest */
  float big = 0;
  const float *p = lm_projector_view_get_coords (view);

  for (int i = 0; i < 18; i++)
    big = MAX (big, fabsf (want[i]));
  for (int i = 0; i < 18; i++)
    g_assert_cmpfloat_with_epsilon (p[i], want[i] / big, 1e-4);
  g_assert_true (memcmp (plain, p, sizeof (float) * 18) != 0);
  /* off again: the plain PCA */
  lm_projector_page_set_sphereize (pp, FALSE);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_cmpmem (plain, 18 * sizeof (float), lm_projector_view_get_coords (view), 18 * sizeof (float));
  close_page (page, store, dir);
}

/* Points with no place: a NaN in a row (a run file written by hand),
 * values past float32's range (the writer takes FLT_MAX), all points the
 * same: the status line says what is wrong; the rest are drawn. */
static void
test_nonfinite (void)
{
  if (lm_ui_test_no_display ())
    return;
  float mat[6 * 4];

  memcpy (mat, points, sizeof mat);
  mat[2 * 4 + 1] = NAN;
  {
    g_autofree char *dir = make_logdir_with (mat);
    LmRunStore *store = NULL;
    GtkWidget *page = show_page (dir, &store);
    LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);
    LmProjectorView *view = lm_projector_page_get_view (pp);
    const int w = 400, h = 300;
    cairo_surface_t *s;
    const GdkRGBA *bg = &lm_theme_colors ()->bg;

    assert_status_has (pp, "PCA of 6 points × 4 dims: variance described");
    assert_status_has (pp, " — 1 of 6 points not drawn: NaN or infinite coordinates (1 vector holds NaN or "
                           "infinite values, the first #2)");
    g_assert_cmpuint (lm_projector_view_get_n_hidden (view), ==, 1);
    /* the other five are drawn in their colours, spread out */
    s = draw_view (view, w, h);
    for (guint i = 0; i < 6; i++)
      {
        double x, y, rgb[3];
        GdkRGBA c;

        lm_projector_view_project (view, i, w, h, &x, &y);
        if (i == 2)
          {
            g_assert_true (isnan (x));
            continue;
          }
        g_assert_true (x > 0 && x < w && y > 0 && y < h);
        lm_projector_view_get_class (view, (guint) lm_projector_view_get_point_class (view, i), &c);
        pixel_at (s, (int) round (x), (int) round (y), rgb);
        g_assert_cmpfloat_with_epsilon (rgb[0], 0.85 * c.red + 0.15 * bg->red, 0.03);
      }
    cairo_surface_destroy (s);
    g_assert_cmpint (lm_projector_view_pick (view, -1, -1, w, h, 1e6), !=, 2);
    /* Custom: the NaN row is left out of the means and not drawn */
    set_searches (pp, "cat", "dog", "bird", "cat");
    lm_projector_page_set_method (pp, LM_PROJECTOR_CUSTOM);
    assert_status_has (pp, "X from Left to Right, Y from Down to Up; cosine similarity of the axes");
    assert_status_has (pp, "1 of 6 points not drawn");
    g_assert_cmpfloat_with_epsilon (lm_projector_view_get_coords (view)[3 * 3], 1, 1e-5);
    close_page (page, store, dir);
  }
  /* past float32: the scores of +-FLT_MAX rows are infinite */
  for (int i = 0; i < 6 * 4; i++)
    mat[i] = i / 4 == 1 ? FLT_MAX : i / 4 == 4 ? -FLT_MAX : points[i];
  {
    g_autofree char *dir = make_logdir_with (mat);
    LmRunStore *store = NULL;
    GtkWidget *page = show_page (dir, &store);
    LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);

    assert_status_has (pp, "points not drawn: NaN or infinite coordinates (the projection passes float32's "
                           "range)");
    g_assert_cmpuint (lm_projector_view_get_n_hidden (lm_projector_page_get_view (pp)), >, 0);
    g_assert_cmpuint (lm_projector_view_get_n_hidden (lm_projector_page_get_view (pp)), <, 6);
    close_page (page, store, dir);
  }
  /* every point the same: PCA has nothing to show, and says so */
  for (int i = 0; i < 6 * 4; i++)
    mat[i] = 0.5f;
  {
    g_autofree char *dir = make_logdir_with (mat);
    LmRunStore *store = NULL;
    GtkWidget *page = show_page (dir, &store);
    LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);

    assert_status_has (pp, "PCA of 6 points × 4 dims: every point is the same vector, so all sit at the centre");
    g_assert_cmpuint (lm_projector_view_get_n_hidden (lm_projector_page_get_view (pp)), ==, 0);
    set_searches (pp, "cat", "dog", "", "");
    lm_projector_page_set_method (pp, LM_PROJECTOR_CUSTOM);
    assert_status_has (pp, "X axis: Left and Right have the same mean vector");
    close_page (page, store, dir);
  }
}

static void
test_damaged (void)
{
  if (lm_ui_test_no_display ())
    return;
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
  if (lm_ui_test_no_display ())
    return;
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
  char *dir = NULL;
  g_autoptr (GRand) r = g_rand_new_with_seed (3);
  g_autofree float *x = g_new (float, n * 20);
  g_autofree const char **names = g_new (const char *, n);
  static const char *classes[3] = { "ant", "bee", "cow" };

  for (gsize i = 0; i < n; i++)
    {
      for (gsize j = 0; j < 20; j++)
        x[i * 20 + j] = (float) (g_rand_double_range (r, -1.7, 1.7) + (j == i % 3 ? 10 : 0));
      names[i] = classes[i % 3];
    }
  lm_writer *w = open_run (&dir);
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

/* A first layout past iteration `above`, the counter saying "<what>:
 * <it>", then a later, different one; returns the first's iteration. */
static guint
check_layout_moves (LmProjectorPage *pp, gsize n, guint above, const char *what)
{
  LmProjectorView *view = lm_projector_page_get_view (pp);
  GtkWidget *counter = lm_projector_page_get_control (pp, "iteration");
  IterWait w = { pp, above };

  g_assert_true (lm_test_wait_for (iteration_above, &w, 20000));
  guint first = lm_projector_page_get_tsne_iteration (pp);
  g_autofree float *early = g_memdup2 (lm_projector_view_get_coords (view), n * 3 * sizeof (float));
  g_autofree char *label = g_strdup_printf ("%s: %u", what, first);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (counter)), label));
  w.above = first;
  g_assert_true (lm_test_wait_for (iteration_above, &w, 20000));
  g_assert_cmpuint (lm_projector_page_get_tsne_iteration (pp), >, first);
  g_assert_true (memcmp (early, lm_projector_view_get_coords (view), n * 3 * sizeof (float)) != 0);
  return first;
}

/* The layout on screen framed as TensorBoard frames one (each axis's
 * [min, max] onto [-1, 1]): centred on each axis; flat, x and y each
 * spanning [-1, 1] and z 0; in 3D, the farthest point at 1 (in view at
 * any turn).  (UMAP's was centred on its mean and scaled by its largest
 * coordinate: off centre, and out of view at some turns.) */
static void
check_framed (LmProjectorView *view, gsize n, gboolean flat)
{
  const float *p = lm_projector_view_get_coords (view);
  double far = 0;

  for (int c = 0; c < 3; c++)
    {
      float lo = INFINITY, hi = -INFINITY;

      for (gsize i = 0; i < n; i++)
        {
          lo = MIN (lo, p[i * 3 + c]);
          hi = MAX (hi, p[i * 3 + c]);
        }
      g_test_message ("axis %d: [%.4f, %.4f]", c, lo, hi);
      g_assert_cmpfloat_with_epsilon ((lo + hi) / 2, 0, 1e-5);
      if (flat)
        g_assert_cmpfloat_with_epsilon (hi, c < 2 ? 1 : 0, 1e-6);
      else
        g_assert_cmpfloat (hi - lo, >, 0.1);
    }
  for (gsize i = 0; i < n; i++)
    far = MAX (far, sqrt (p[i * 3] * p[i * 3] + p[i * 3 + 1] * p[i * 3 + 1] + p[i * 3 + 2] * p[i * 3 + 2]));
  if (!flat)
    g_assert_cmpfloat_with_epsilon (far, 1, 1e-5);
}

/* Six points under `method` at its defaults, too few: `message` said and
 * PCA's places kept; `control` set to `value`, it runs to `iterations`
 * and the status begins with `status` (when not NULL). */
static void
check_too_few_points (LmProjectorMethod method, const char *message, const char *control, double value,
                      guint iterations, const char *status)
{
  g_autofree char *dir = make_logdir (TRUE);
  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);
  LmProjectorView *view = lm_projector_page_get_view (pp);
  g_autofree float *pca = g_memdup2 (lm_projector_view_get_coords (view), 6 * 3 * sizeof (float));

  lm_projector_page_set_method (pp, method);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_cmpstr (lm_projector_page_get_status (pp), ==, message);
  g_assert_cmpmem (pca, 6 * 3 * sizeof (float), lm_projector_view_get_coords (view), 6 * 3 * sizeof (float));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (lm_projector_page_get_control (pp, control)), value);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_cmpuint (lm_projector_page_get_tsne_iteration (pp), ==, iterations);
  if (status != NULL)
    g_assert_true (g_str_has_prefix (lm_projector_page_get_status (pp), status));
  close_page (page, store, dir);
}

/* How many of the view's points have a nearest neighbour of their own
 * cluster (point i in cluster i % 3, as make_cluster_logdir writes). */
static double
cluster_agreement (LmProjectorView *view, gsize n)
{
  g_autofree int *cls = g_new (int, n);

  for (gsize i = 0; i < n; i++)
    cls[i] = (int) (i % 3);
  return lm_test_nn_agreement (lm_projector_view_get_coords (view), n, cls);
}

/* The method switch and t-SNE's controls; t-SNE moves the points live
 * (the counter rising, the coordinates changing between posts), pauses,
 * ends with the clusters apart, and PCA comes back as it was. */
static void
test_tsne (void)
{
  if (lm_ui_test_no_display ())
    return;
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
  g_assert_cmpuint (g_list_model_get_n_items (methods), ==, 4);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (methods), 0), ==, "PCA");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (methods), 1), ==, "t-SNE");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (methods), 2), ==, "UMAP");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (methods), 3), ==, "Custom");
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
  g_assert_cmpuint (check_layout_moves (pp, n, 0, "Iteration"), <, LM_PROJECTOR_TSNE_ITERATIONS);

  /* Pause holds the counter; Resume goes on to the end */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (pause), TRUE);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (pause)), ==, "Resume");
  lm_test_spin (150);
  guint held = lm_projector_page_get_tsne_iteration (pp);
  /* the iterations in flight when Pause was pressed may still land on a
   * loaded machine: wait for the counter to stop (it never does unpaused) */
  for (int i = 0; i < 50; i++)
    {
      guint before = held;

      lm_test_spin (100);
      held = lm_projector_page_get_tsne_iteration (pp);
      if (held == before)
        break;
    }
  lm_test_spin (300);
  g_assert_cmpuint (lm_projector_page_get_tsne_iteration (pp), ==, held);
  g_assert_false (lm_projector_page_is_settled (pp));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (pause), FALSE);
  g_assert_true (lm_test_wait_for (page_settled, page, SETTLE_MS));
  g_assert_cmpuint (lm_projector_page_get_tsne_iteration (pp), ==, LM_PROJECTOR_TSNE_ITERATIONS);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (counter)), ==, "Iteration: 1000 (done)");

  /* the layout on screen: each point's nearest neighbour has its label */
  g_assert_cmpfloat (cluster_agreement (view, n), >, 0.95);

  /* 2D runs it again in two dimensions: z is 0 */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (lm_projector_page_get_control (pp, "2d")), TRUE);
  g_assert_true (lm_test_wait_for (page_settled, page, SETTLE_MS));
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
  g_assert_true (lm_test_wait_for (page_settled, page, SETTLE_MS));
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

  /* six points cannot have a perplexity of 30: said, PCA stays; a
   * perplexity it can reach runs */
  check_too_few_points (LM_PROJECTOR_TSNE,
                        "t-SNE perplexity 30 needs at least 31 points; this embedding has 6 (set the perplexity to "
                        "at most 5)", "perplexity", 2, LM_PROJECTOR_TSNE_ITERATIONS,
                        "t-SNE of 6 points × 4 dims: perplexity 2");
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
  if (lm_ui_test_no_display ())
    return;
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
  g_assert_true (lm_test_wait_for (page_settled, page, SETTLE_MS));
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
  g_assert_true (lm_test_wait_for (page_settled, page, SETTLE_MS));
  g_assert_nonnull (strstr (lm_projector_page_get_status (pp), "perplexity 59,"));
  g_assert_cmpuint (lm_projector_page_get_tsne_iteration (pp), ==, 2);
  close_page (page, store, dir);
}

/* Seven points in 3D, each its own label, where the two metrics order the
 * neighbours of "a" differently.  The distances are PyTorch's (1.13,
 * float64): n = torch.nn.functional.normalize(x, dim=1); cosine 1 - n @ n[0],
 * euclidean (x - x[0]).norm(dim=1), sorted by (distance, index). */
static const float nn_points[7 * 3] = {
  1, 0, 0,   2, 0, 0,   10, 0.5f, 0,   1, 1, 0,   0, 1.2f, 0,   -3, 0, 0.1f,   0.5f, 0, 0.6f,
};
static const char *nn_labels[7] = { "a", "b", "c", "d", "e", "f", "g" };
static const guint32 a_cosine[6] = { 1, 2, 3, 6, 4, 5 };
static const double a_cosine_dist[6] = { 0, 0.001248, 0.292893, 0.359816, 1, 1.999445 };
static const guint32 a_euclidean[6] = { 6, 1, 3, 4, 5, 2 };
static const double a_euclidean_dist[6] = { 0.781025, 1, 1, 1.56205, 4.00125, 9.013878 };

static char *
make_nn_logdir (void)
{
  char *dir = NULL;
  lm_writer *w = open_run (&dir);
  g_assert_cmpint (lm_writer_add_embedding (w, "features", 1, nn_points, 7, 3, nn_labels, NULL, 0, 0, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  return dir;
}

/* The page on make_nn_logdir's run, or NULL (the test skipped) without
 * a display. */
static GtkWidget *
show_nn_page (char **dir, LmRunStore **store)
{
  if (lm_ui_test_no_display ())
    return NULL;
  *dir = make_nn_logdir ();
  return show_page (*dir, store);
}

/* The inspector's list as "label distance" lines. */
static char *
list_text (LmProjectorPage *page)
{
  GtkWidget *list = lm_projector_page_get_control (page, "inspector-list");
  GString *out = g_string_new (NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
      GtkWidget *name = gtk_widget_get_first_child (box), *value = gtk_widget_get_next_sibling (name);

      g_string_append_printf (out, "%s%s %s", out->len ? ", " : "", gtk_label_get_text (GTK_LABEL (name)),
                              gtk_label_get_text (GTK_LABEL (value)));
    }
  return g_string_free (out, FALSE);
}

static GtkWidget *
list_row (LmProjectorPage *page, int k)
{
  return GTK_WIDGET (gtk_list_box_get_row_at_index (
    GTK_LIST_BOX (lm_projector_page_get_control (page, "inspector-list")), k));
}

static void
assert_neighbours (LmProjectorPage *page, const guint32 *want, const double *want_dist, gsize n)
{
  const guint32 *idx;
  const float *dist;

  g_assert_cmpuint (lm_projector_page_get_neighbors (page, &idx, &dist), ==, n);
  for (gsize k = 0; k < n; k++)
    {
      g_assert_cmpuint (idx[k], ==, want[k]);
      g_assert_cmpfloat_with_epsilon (dist[k], want_dist[k], 1e-5);
    }
}

static gboolean
widget_has_size (gpointer widget)
{
  return gtk_widget_get_width (widget) > 0 && gtk_widget_get_height (widget) > 0;
}

/* A click on "a" lists its neighbours in the original space, nearest
 * first with 3 decimals; the metric switch reorders them; the count
 * trims them; the view draws them larger and the rest dimmed; a row's
 * hover highlights its point and a click on it walks there. */
static void
test_inspector (void)
{
  g_autofree char *dir = NULL;
  LmRunStore *store = NULL;
  GtkWidget *page = show_nn_page (&dir, &store);

  if (page == NULL)
    return;
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);
  LmProjectorView *view = lm_projector_page_get_view (pp);
  GtkWidget *vw = GTK_WIDGET (view);
  GtkEventController *click = lm_ui_find_controller (vw, GTK_TYPE_GESTURE_CLICK);
  int w, h;
  double x, y;

  g_assert_true (gtk_widget_get_visible (lm_projector_page_get_control (pp, "inspector")));
  g_assert_cmpint (lm_projector_page_get_selected (pp), ==, -1);
  g_assert_false (gtk_widget_get_sensitive (lm_projector_page_get_control (pp, "isolate")));
  /* a click on point 0 (its place on screen), once the view has its size
   * (a fixed 100 ms left it 0 x 0 on a loaded machine) */
  g_assert_true (lm_test_wait_for (widget_has_size, vw, 10000));
  w = gtk_widget_get_width (vw);
  h = gtk_widget_get_height (vw);
  g_assert_nonnull (click);
  lm_projector_view_set_2d (view, TRUE);
  lm_projector_view_project (view, 0, w, h, &x, &y);
  g_assert_cmpint (lm_projector_view_pick (view, x, y, w, h, 10), ==, 0);
  lm_ui_emit (click, "released", 1, x + 1, y - 1);
  g_assert_cmpint (lm_projector_page_get_selected (pp), ==, 0);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  assert_neighbours (pp, a_cosine, a_cosine_dist, 6);
  g_autofree char *cos_rows = list_text (pp);
  g_assert_cmpstr (cos_rows, ==, "b 0.000, c 0.001, d 0.293, g 0.360, e 1.000, f 1.999");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (lm_projector_page_get_control (pp, "inspector-title"))), ==,
                   "a  #0");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (lm_projector_page_get_control (pp, "isolate"))), ==,
                   "Isolate 7 points");
  g_assert_cmpint (lm_projector_view_get_mark (view, 0), ==, LM_PROJECTOR_MARK_CHOSEN);
  g_assert_cmpint (lm_projector_view_get_mark (view, 5), ==, LM_PROJECTOR_MARK_SELECTED);

  /* Euclidean: another order (g, the farthest by angle but one, is now
   * the nearest; c, cosine's second, the farthest) */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (lm_projector_page_get_control (pp, "metric")), 1);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  assert_neighbours (pp, a_euclidean, a_euclidean_dist, 6);
  g_autofree char *eu_rows = list_text (pp);
  g_assert_cmpstr (eu_rows, ==, "g 0.781, b 1.000, d 1.000, e 1.562, f 4.001, c 9.014");

  /* three neighbours: the rest of the points dimmed */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (lm_projector_page_get_control (pp, "neighbors")), 3);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  assert_neighbours (pp, a_euclidean, a_euclidean_dist, 3);
  g_assert_cmpint (lm_projector_view_get_mark (view, 6), ==, LM_PROJECTOR_MARK_SELECTED);
  g_assert_cmpint (lm_projector_view_get_mark (view, 3), ==, LM_PROJECTOR_MARK_SELECTED);
  g_assert_cmpint (lm_projector_view_get_mark (view, 2), ==, LM_PROJECTOR_MARK_DIMMED);
  g_assert_cmpint (lm_projector_view_get_mark (view, 4), ==, LM_PROJECTOR_MARK_DIMMED);
  /* drawn so: the chosen point larger (its colour 5 px out), a dimmed
   * one faint */
  {
    cairo_surface_t *s = draw_view (view, 600, 400);
    const GdkRGBA *bg = &lm_theme_colors ()->bg;
    double px, py, rgb[3];
    GdkRGBA c;

    lm_projector_view_get_class (view, (guint) lm_projector_view_get_point_class (view, 0), &c);
    lm_projector_view_project (view, 0, 600, 400, &px, &py);
    pixel_at (s, (int) round (px) + 5, (int) round (py), rgb);
    g_assert_cmpfloat_with_epsilon (rgb[1], 0.85 * c.green + 0.15 * bg->green, 0.03);
    lm_projector_view_get_class (view, (guint) lm_projector_view_get_point_class (view, 2), &c);
    lm_projector_view_project (view, 2, 600, 400, &px, &py);
    pixel_at (s, (int) round (px), (int) round (py), rgb);
    g_assert_cmpfloat_with_epsilon (rgb[1], 0.15 * c.green + 0.85 * bg->green, 0.03);
    cairo_surface_destroy (s);
  }

  /* hovering the second row ("b") highlights b in the view */
  GtkWidget *row = list_row (pp, 1);
  GtkEventController *motion = lm_ui_find_controller (row, GTK_TYPE_EVENT_CONTROLLER_MOTION);
  lm_ui_emit (motion, "enter", 5.0, 5.0);
  g_assert_cmpint (lm_projector_view_get_hover (view), ==, 1);
  lm_ui_emit (motion, "leave");
  g_assert_cmpint (lm_projector_view_get_hover (view), ==, -1);
  /* a click on it chooses b: b's neighbours now (a first, at 1) */
  lm_ui_emit (lm_projector_page_get_control (pp, "inspector-list"), "row-activated", row);
  g_assert_cmpint (lm_projector_page_get_selected (pp), ==, 1);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  const guint32 *idx;
  g_assert_cmpuint (lm_projector_page_get_neighbors (pp, &idx, NULL), ==, 3);
  g_assert_cmpuint (idx[0], ==, 0);
  g_assert_cmpint (lm_projector_view_get_mark (view, 1), ==, LM_PROJECTOR_MARK_CHOSEN);
  /* a click on empty space clears */
  lm_ui_emit (click, "released", 1, 2.0, 2.0);
  g_assert_cmpint (lm_projector_page_get_selected (pp), ==, -1);
  g_assert_cmpuint (lm_projector_page_get_neighbors (pp, NULL, NULL), ==, 0);
  g_assert_cmpint (lm_projector_view_get_mark (view, 1), ==, LM_PROJECTOR_MARK_PLAIN);
  close_page (page, store, dir);
}

/* Enter on the hovered point selects it, Escape clears; the search lists
 * its matches and Enter in it chooses the first. */
static void
test_inspector_keys (void)
{
  g_autofree char *dir = NULL;
  LmRunStore *store = NULL;
  GtkWidget *page = show_nn_page (&dir, &store);

  if (page == NULL)
    return;
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);
  LmProjectorView *view = lm_projector_page_get_view (pp);
  GtkWidget *search = lm_projector_page_get_search_entry (pp);

  /* nothing hovered, nothing selected: the keys go on */
  g_assert_false (lm_ui_press_key (GTK_WIDGET (view), GDK_KEY_Return, 0));
  g_assert_false (lm_ui_press_key (GTK_WIDGET (view), GDK_KEY_Escape, 0));
  lm_projector_view_set_hover (view, 3);
  g_assert_true (lm_ui_press_key (GTK_WIDGET (view), GDK_KEY_Return, 0));
  g_assert_cmpint (lm_projector_page_get_selected (pp), ==, 3);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_cmpuint (lm_projector_page_get_neighbors (pp, NULL, NULL), ==, 6);
  g_assert_true (lm_ui_press_key (GTK_WIDGET (view), GDK_KEY_Escape, 0));
  g_assert_cmpint (lm_projector_page_get_selected (pp), ==, -1);

  /* a search for "b" or "d": both listed, the rest dimmed */
  lm_projector_view_set_hover (view, -1);
  gtk_editable_set_text (GTK_EDITABLE (search), "d");
  lm_ui_emit (search, "search-changed");
  g_autofree char *rows = list_text (pp);
  g_assert_cmpstr (rows, ==, "d #3");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (lm_projector_page_get_control (pp, "inspector-title"))), ==,
                   "1 point matches “d”");
  g_assert_cmpint (lm_projector_view_get_mark (view, 3), ==, LM_PROJECTOR_MARK_SELECTED);
  g_assert_cmpint (lm_projector_view_get_mark (view, 0), ==, LM_PROJECTOR_MARK_DIMMED);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (lm_projector_page_get_control (pp, "isolate"))), ==,
                   "Isolate 1 point");
  lm_ui_emit (search, "activate");
  g_assert_cmpint (lm_projector_page_get_selected (pp), ==, 3);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_cmpint (lm_projector_view_get_mark (view, 3), ==, LM_PROJECTOR_MARK_CHOSEN);

  /* lumen --projector-select: a label, else a point's number; neither
   * is named on the status line */
  lm_projector_page_select_when_loaded (pp, "g");
  g_assert_cmpint (lm_projector_page_get_selected (pp), ==, 6);
  lm_projector_page_select_when_loaded (pp, "5");
  g_assert_cmpint (lm_projector_page_get_selected (pp), ==, 5);
  lm_projector_page_select_when_loaded (pp, "zebra");
  g_assert_cmpint (lm_projector_page_get_selected (pp), ==, 5);
  g_assert_cmpstr (lm_projector_page_get_status (pp), ==, "No point is labelled “zebra” (--projector-select takes a "
                                                          "label or a point number from 0 to 6)");
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  close_page (page, store, dir);
}

static gsize
view_n (LmProjectorView *view)
{
  const LmEmbedding *e = lm_projector_view_get_embedding (view);

  return e != NULL ? e->n : 0;
}

/* Isolate shows only the chosen point and its neighbours, PCA run on
 * them alone; Show all data brings every point back, the point still
 * chosen.  With t-SNE, the same. */
static void
test_isolate (void)
{
  g_autofree char *dir = NULL;
  LmRunStore *store = NULL;
  GtkWidget *page = show_nn_page (&dir, &store);

  if (page == NULL)
    return;
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);
  LmProjectorView *view = lm_projector_page_get_view (pp);
  GtkWidget *isolate = lm_projector_page_get_control (pp, "isolate");
  GtkWidget *show_all = lm_projector_page_get_control (pp, "show-all");
  const LmEmbedding *e;

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (lm_projector_page_get_control (pp, "neighbors")), 3);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (lm_projector_page_get_control (pp, "metric")), 1);
  lm_projector_page_select (pp, 0);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_false (gtk_widget_get_sensitive (show_all));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (isolate)), ==, "Isolate 4 points");
  lm_ui_emit (isolate, "clicked");
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_true (lm_projector_page_get_isolated (pp));
  e = lm_projector_view_get_embedding (view);
  g_assert_cmpuint (e->n, ==, 4);
  /* a and its three Euclidean nearest: g, b, d */
  g_assert_cmpstr (e->labels[0], ==, "a");
  g_assert_cmpstr (e->labels[1], ==, "g");
  g_assert_cmpstr (e->labels[2], ==, "b");
  g_assert_cmpstr (e->labels[3], ==, "d");
  g_assert_nonnull (strstr (lm_projector_page_get_status (pp), "PCA of 4 isolated points × 3 dims"));
  g_assert_cmpint (lm_projector_page_get_selected (pp), ==, 0);
  g_assert_true (gtk_widget_get_sensitive (show_all));
  /* the view shows just those: its points are in [-1, 1] among them */
  const float *pos = lm_projector_view_get_coords (view);
  float big = 0;
  for (gsize i = 0; i < 4 * 3; i++)
    big = MAX (big, fabsf (pos[i]));
  g_assert_cmpfloat_with_epsilon (big, 1, 1e-6);

  /* t-SNE on the isolated points, and back to their PCA */
  lm_projector_page_set_tsne_iterations (pp, 20);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (lm_projector_page_get_control (pp, "perplexity")), 2);
  lm_projector_page_set_method (pp, LM_PROJECTOR_TSNE);
  g_assert_true (lm_test_wait_for (page_settled, page, 20000));
  g_assert_cmpuint (view_n (view), ==, 4);
  lm_projector_page_set_method (pp, LM_PROJECTOR_PCA);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_cmpuint (view_n (view), ==, 4);
  g_assert_true (lm_projector_page_get_isolated (pp));

  /* walk to g (point 1 here), then show all: g (6) stays chosen */
  lm_projector_page_select (pp, 1);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  lm_ui_emit (show_all, "clicked");
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_false (lm_projector_page_get_isolated (pp));
  g_assert_cmpuint (view_n (view), ==, 7);
  g_assert_cmpint (lm_projector_page_get_selected (pp), ==, 6);
  g_assert_false (gtk_widget_get_sensitive (show_all));
  close_page (page, store, dir);
}

/* UMAP from the method switch: its Neighbors in place of t-SNE's
 * settings, the points moving between epochs, the clusters apart at the
 * end; Neighbors runs it again; Isolate runs it on the isolated points;
 * too few points for the neighbours is said. */
static void
test_umap (void)
{
  if (lm_ui_test_no_display ())
    return;
  const gsize n = 300;
  g_autofree char *dir = make_cluster_logdir (n);
  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);
  LmProjectorView *view = lm_projector_page_get_view (pp);
  GtkWidget *method = lm_projector_page_get_control (pp, "method");
  GtkWidget *nbrs = lm_projector_page_get_control (pp, "umap-neighbors");
  GtkWidget *counter = lm_projector_page_get_control (pp, "iteration");
  guint started, live;
  double lo, hi;

  /* TensorBoard's Neighbors: 15, from 5 to 50; hidden under t-SNE */
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (nbrs)), ==, 15);
  gtk_spin_button_get_range (GTK_SPIN_BUTTON (nbrs), &lo, &hi);
  g_assert_cmpfloat (lo, ==, 5);
  g_assert_cmpfloat (hi, ==, 50);
  lm_projector_page_set_tsne_iterations (pp, 2);
  lm_projector_page_set_method (pp, LM_PROJECTOR_TSNE);
  g_assert_false (gtk_widget_is_visible (nbrs));
  g_assert_true (gtk_widget_is_visible (lm_projector_page_get_control (pp, "perplexity")));

  /* the switch, as a click on it would */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (method), 2);
  g_assert_cmpint (lm_projector_page_get_method (pp), ==, LM_PROJECTOR_UMAP);
  g_assert_true (gtk_widget_is_visible (nbrs));
  g_assert_false (gtk_widget_is_visible (lm_projector_page_get_control (pp, "perplexity")));
  g_assert_false (gtk_widget_is_visible (lm_projector_page_get_control (pp, "learning-rate")));
  g_assert_true (gtk_widget_is_visible (lm_projector_page_get_control (pp, "rerun")));
  g_assert_cmpstr (lm_projector_page_get_status (pp), ==,
                   "UMAP of 300 points × 20 dims: 15 neighbors, 500 epochs, 3D");

  /* a first layout past the start, then a later, different one, each
   * framed as TensorBoard frames it, while it forms and at the end */
  check_layout_moves (pp, n, 1, "Epoch");
  check_framed (view, n, FALSE);
  g_assert_true (lm_test_wait_for (page_settled, page, SETTLE_MS));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (counter)), ==, "Epoch: 500 (done)");
  g_assert_cmpfloat (cluster_agreement (view, n), ==, 1);
  check_framed (view, n, FALSE);

  /* Neighbors runs it again, with a worker of its own */
  started = lm_projector_page_get_tsne_threads (pp, &live);
  g_autofree float *early = g_memdup2 (lm_projector_view_get_coords (view), n * 3 * sizeof (float));
  lm_projector_page_set_umap_epochs (pp, 50);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (nbrs), 30);
  g_assert_cmpstr (lm_projector_page_get_status (pp), ==,
                   "UMAP of 300 points × 20 dims: 30 neighbors, 50 epochs, 3D");
  g_assert_true (lm_test_wait_for (page_settled, page, SETTLE_MS));
  g_assert_cmpuint (lm_projector_page_get_tsne_threads (pp, &live), >, started);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (counter)), ==, "Epoch: 50 (done)");
  g_assert_true (memcmp (early, lm_projector_view_get_coords (view), n * 3 * sizeof (float)) != 0);

  /* in 2D it fills the square */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (lm_projector_page_get_control (pp, "2d")), TRUE);
  g_assert_true (lm_test_wait_for (page_settled, page, SETTLE_MS));
  g_assert_nonnull (strstr (lm_projector_page_get_status (pp), "2D"));
  check_framed (view, n, TRUE);

  /* the inspector and Isolate: point 0 and its 30 nearest, UMAP of them */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (lm_projector_page_get_control (pp, "neighbors")), 30);
  lm_projector_page_select (pp, 0);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_cmpuint (lm_projector_page_get_neighbors (pp, NULL, NULL), ==, 30);
  lm_ui_emit (lm_projector_page_get_control (pp, "isolate"), "clicked");
  g_assert_true (lm_test_wait_for (page_settled, page, 20000));
  g_assert_true (lm_projector_page_get_isolated (pp));
  g_assert_cmpuint (view_n (view), ==, 31);
  g_assert_cmpint (lm_projector_page_get_selected (pp), ==, 0);
  g_assert_true (g_str_has_prefix (lm_projector_page_get_status (pp), "UMAP of 31 points × 20 dims: 30 neighbors"));
  close_page (page, store, dir);

  /* six points cannot have 15 neighbours: said, PCA stays; 5 runs */
  check_too_few_points (LM_PROJECTOR_UMAP,
                        "UMAP with 15 neighbors needs at least 16 points; this embedding has 6 (set Neighbors to at "
                        "most 5)", "umap-neighbors", 5, 500, NULL);
}

/* A 10,000 x 784 tensor (a logged case): the neighbours come from a
 * worker, so the main loop runs meanwhile, and in a few tens of ms. */
static void
test_inspector_big (void)
{
  if (lm_ui_test_no_display ())
    return;
  const gsize n = 10000, d = 784;
  char *dir = NULL;
  g_autoptr (GRand) r = g_rand_new_with_seed (5);
  g_autofree float *x = g_new (float, n * d);

  for (gsize i = 0; i < n * d; i++)
    x[i] = (float) g_rand_double (r);
  /* point 9999 a copy of point 42, scaled: its nearest under both */
  for (gsize j = 0; j < d; j++)
    x[9999 * d + j] = 2 * x[42 * d + j];
  lm_writer *w = open_run (&dir);
  g_assert_cmpint (lm_writer_add_embedding (w, "features", 1, x, n, d, NULL, NULL, 0, 0, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);

  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);
  const guint32 *idx;
  const float *dist;

  lm_projector_page_select (pp, 42);
  /* back at once: the search runs in a worker */
  g_assert_false (lm_projector_page_is_settled (pp));
  g_assert_true (lm_test_wait_for (page_settled, page, 20000));
  g_assert_cmpuint (lm_projector_page_get_neighbors (pp, &idx, &dist), ==, 100);
  g_assert_cmpuint (idx[0], ==, 9999);
  g_assert_cmpfloat_with_epsilon (dist[0], 0, 1e-6);
  g_test_message ("10,000 x 784, one query: %.1f ms", lm_projector_page_get_nearest_ms (pp));
  g_assert_cmpfloat (lm_projector_page_get_nearest_ms (pp), <, 2000);
  /* a newer selection while one runs: only the newest is shown */
  lm_projector_page_select (pp, 9999);
  lm_projector_page_select (pp, 42);
  g_assert_true (lm_test_wait_for (page_settled, page, 20000));
  g_assert_cmpint (lm_projector_page_get_selected (pp), ==, 42);
  g_assert_cmpuint (lm_projector_page_get_neighbors (pp, &idx, NULL), ==, 100);
  g_assert_cmpuint (idx[0], ==, 9999);
  close_page (page, store, dir);
  g_free (dir);
}

/* The points[] again with a second column that cuts across the labels,
 * and a tensor of 60 points with a numeric and a string column of 60
 * distinct values each. */
static const char *split[6] = { "train", "test", "train", "test", "train", "test" };

static char *
make_columns_logdir (void)
{
  char *dir = NULL;
  const char *header[2] = { "label", "split" };
  const char *meta[6 * 2];
  float many[60 * 2];
  char *many_meta[60 * 2];

  for (int i = 0; i < 6; i++)
    {
      meta[i * 2] = labels[i];
      meta[i * 2 + 1] = split[i];
    }
  for (int i = 0; i < 60; i++)
    {
      many[i * 2] = (float) cos (i * 0.3) * (1 + i * 0.1f);
      many[i * 2 + 1] = (float) sin (i * 0.3) * (1 + i * 0.1f);
      many_meta[i * 2] = g_strdup_printf ("%d", i * 3 - 20);
      many_meta[i * 2 + 1] = g_strdup_printf ("word %d", i);
    }
  lm_writer *w = open_run (&dir);
  g_assert_cmpint (lm_writer_add_embedding_columns (w, "features", 3, points, 6, 4, header, 2, meta, NULL, 0, 0, 0),
                   ==, LM_OK);
  g_assert_cmpint (lm_writer_add_embedding_columns (w, "spiral", 3, many, 60, 2,
                                                    (const char *const[]) { "index", "word" }, 2,
                                                    (const char *const *) many_meta, NULL, 0, 0, 0),
                   ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  for (int i = 0; i < 120; i++)
    g_free (many_meta[i]);
  return dir;
}

/* Point i's centre pixel is `c` at the dots' alpha over the background. */
static void
assert_point_pixel (cairo_surface_t *s, LmProjectorView *view, guint i, const GdkRGBA *c)
{
  const GdkRGBA *bg = &lm_theme_colors ()->bg;
  double x, y, rgb[3];

  lm_projector_view_project (view, i, 600, 400, &x, &y);
  pixel_at (s, (int) round (x), (int) round (y), rgb);
  g_assert_cmpfloat_with_epsilon (rgb[0], 0.85 * c->red + 0.15 * bg->red, 0.03);
  g_assert_cmpfloat_with_epsilon (rgb[1], 0.85 * c->green + 0.15 * bg->green, 0.03);
  g_assert_cmpfloat_with_epsilon (rgb[2], 0.85 * c->blue + 0.15 * bg->blue, 0.03);
}

static gboolean
same_rgb (const GdkRGBA *a, const GdkRGBA *b)
{
  return fabs (a->red - b->red) < 0.01 && fabs (a->green - b->green) < 0.01 && fabs (a->blue - b->blue) < 0.01;
}

/* Custom's searches look in the Search by column, as the label search */
static void
test_custom_search_by (void)
{
  if (lm_ui_test_no_display ())
    return;
  g_autofree char *dir = make_columns_logdir ();
  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);
  GtkWidget *left = lm_projector_page_get_control (pp, "left-count");

  set_searches (pp, "train", "test", "", "");
  lm_projector_page_set_method (pp, LM_PROJECTOR_CUSTOM);
  assert_status_has (pp, "Left: no point matches “train”");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (left)), ==, "no match");
  g_assert_cmpstr (gtk_entry_get_placeholder_text (GTK_ENTRY (lm_projector_page_get_control (pp, "left"))), ==,
                   "Search labels");
  /* by split: the even points are "train", the odd "test"; the search
   * boxes say which column they look in */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (lm_projector_page_get_control (pp, "search-by")), 1);
  g_assert_cmpstr (gtk_entry_get_placeholder_text (GTK_ENTRY (lm_projector_page_get_control (pp, "left"))), ==,
                   "Search split");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (lm_projector_page_get_control (pp, "up")), ==,
                   "Points whose split matches this are the Y axis's top end (their mean)");
  {
    g_autofree char *hint = NULL;

    g_object_get (lm_projector_page_get_search_entry (pp), "placeholder-text", &hint, NULL);
    g_assert_cmpstr (hint, ==, "Search split");
  }
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (left)), ==, "3 matches");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (lm_projector_page_get_control (pp, "right-count"))), ==,
                   "3 matches");
  assert_status_has (pp, "Custom projection of 6 points × 4 dims: the Y axis is not drawn (type a label in Down "
                         "and Up)");
  close_page (page, store, dir);
}

static void
test_columns (void)
{
  if (lm_ui_test_no_display ())
    return;
  g_autofree char *dir = make_columns_logdir ();
  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);
  LmProjectorView *view = lm_projector_page_get_view (pp);
  GtkWidget *color_by = lm_projector_page_get_control (pp, "color-by");
  GtkWidget *label_by = lm_projector_page_get_control (pp, "label-by");
  GtkWidget *search_by = lm_projector_page_get_control (pp, "search-by");
  GtkWidget *search = lm_projector_page_get_search_entry (pp);
  GdkRGBA c0, c1, want;
  cairo_surface_t *s;

  /* the first tensor ("features"): coloured and labelled by the label,
   * as a tensor of one column */
  g_assert_cmpuint (lm_projector_view_get_embedding (view)->n_columns, ==, 2);
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (color_by)));
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (label_by)));
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (search_by)));
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (color_by)), ==, 1);
  g_assert_cmpuint (lm_projector_view_get_n_classes (view), ==, 3);
  assert_points_coloured (view, 600, 400);
  lm_projector_view_get_point_color (view, 0, &c0);
  lm_projector_view_get_point_color (view, 1, &c1);
  g_assert_true (same_rgb (&c0, &c1)); /* both "cat" */

  /* Color by split: two colours, points 0 and 1 now apart, the legend
   * the split's values */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (color_by), 2);
  g_assert_cmpint (lm_projector_view_get_coloring (view), ==, LM_PROJECTOR_COLOR_CATEGORIES);
  g_assert_cmpuint (lm_projector_view_get_n_classes (view), ==, 2);
  g_assert_cmpstr (lm_projector_view_get_class (view, 0, NULL), ==, "test");
  g_assert_cmpstr (lm_projector_view_get_class (view, 1, NULL), ==, "train");
  s = draw_view (view, 600, 400);
  for (guint i = 0; i < 6; i++)
    {
      lm_projector_view_get_class (view, i % 2 == 0 ? 1 : 0, &want);
      g_assert_true (lm_projector_view_get_point_color (view, i, &c0));
      g_assert_true (same_rgb (&c0, &want));
      assert_point_pixel (s, view, i, &want);
    }
  cairo_surface_destroy (s);
  lm_projector_view_get_point_color (view, 0, &c0);
  lm_projector_view_get_point_color (view, 1, &c1);
  g_assert_false (same_rgb (&c0, &c1));
  /* No color: every point the theme's accent, no legend */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (color_by), 0);
  g_assert_cmpint (lm_projector_view_get_coloring (view), ==, LM_PROJECTOR_COLOR_NONE);
  g_assert_cmpuint (lm_projector_view_get_n_classes (view), ==, 0);
  s = draw_view (view, 600, 400);
  for (guint i = 0; i < 6; i++)
    assert_point_pixel (s, view, i, &lm_theme_colors ()->accent);
  cairo_surface_destroy (s);

  /* Label by split: the points' labels and the inspector's title; the
   * inspector lists both columns */
  g_assert_cmpstr (lm_projector_view_get_point_label (view, 0), ==, "cat");
  lm_projector_view_set_hover (view, 0);
  cairo_surface_t *hover_cat = draw_view (view, 600, 400);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (label_by), 1);
  g_assert_cmpstr (lm_projector_view_get_point_label (view, 0), ==, "train");
  /* the hover box says "train  #0" now, not "cat  #0" */
  s = draw_view (view, 600, 400);
  guint changed = 0;
  for (int y = 0; y < 400; y++)
    changed += memcmp (cairo_image_surface_get_data (s) + y * cairo_image_surface_get_stride (s),
                       cairo_image_surface_get_data (hover_cat) + y * cairo_image_surface_get_stride (s),
                       600 * 4) != 0;
  g_assert_cmpuint (changed, >, 3);
  cairo_surface_destroy (hover_cat);
  cairo_surface_destroy (s);
  lm_projector_view_set_hover (view, -1);
  g_assert_cmpstr (lm_projector_view_get_point_label (view, 3), ==, "test");
  lm_projector_page_select (pp, 3);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (lm_projector_page_get_control (pp, "inspector-title"))), ==,
                   "test  #3");
  GtkWidget *cols = lm_projector_page_get_control (pp, "inspector-columns");
  g_assert_true (gtk_widget_get_visible (cols));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cols)), ==, "label: dog\nsplit: test");
  lm_projector_page_select (pp, -1);
  /* lumen --projector-color-by: a column by its name; another is named
   * on the status line */
  lm_projector_page_color_by_when_loaded (pp, "split");
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (color_by)), ==, 2);
  lm_projector_page_color_by_when_loaded (pp, "colour");
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (color_by)), ==, 2);
  g_assert_cmpstr (lm_projector_page_get_status (pp), ==, "No metadata column is named “colour” "
                                                          "(--projector-color-by takes one of: label, split)");

  /* the search looks in the label, then in split */
  gtk_editable_set_text (GTK_EDITABLE (search), "t");
  lm_ui_emit (search, "search-changed");
  for (guint i = 0; i < 6; i++) /* "cat" */
    g_assert_cmpint (lm_projector_view_get_mark (view, i), ==,
                     i < 2 ? LM_PROJECTOR_MARK_SELECTED : LM_PROJECTOR_MARK_DIMMED);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (search_by), 1);
  gtk_editable_set_text (GTK_EDITABLE (search), "te");
  lm_ui_emit (search, "search-changed");
  for (guint i = 0; i < 6; i++) /* "test" */
    g_assert_cmpint (lm_projector_view_get_mark (view, i), ==,
                     i % 2 == 1 ? LM_PROJECTOR_MARK_SELECTED : LM_PROJECTOR_MARK_DIMMED);
  gtk_editable_set_text (GTK_EDITABLE (search), "");
  lm_ui_emit (search, "search-changed");

  /* the spiral: 60 numbers get TensorBoard's gradient, #ffffdd at the
   * minimum (point 0, -20) to #1f2d86 at the maximum (point 59, 157) */
  const LmEmbeddingInfo *spiral = NULL;
  g_autoptr (GPtrArray) list = lm_embedding_list (lm_run_get_path (lm_run_store_find (store, "run")), NULL);
  for (guint i = 0; i < list->len; i++)
    if (g_strcmp0 (((LmEmbeddingInfo *) list->pdata[i])->tag, "spiral") == 0)
      spiral = list->pdata[i];
  g_assert_nonnull (spiral);
  lm_projector_page_set_tensor (pp, "run", spiral->id);
  g_assert_true (lm_test_wait_for (page_settled, page, SETTLE_MS));
  g_assert_cmpuint (lm_projector_view_get_embedding (view)->n, ==, 60);
  /* other columns: back to the defaults */
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (color_by)), ==, 1);
  g_assert_cmpint (lm_projector_view_get_coloring (view), ==, LM_PROJECTOR_COLOR_GRADIENT);
  g_assert_cmpuint (lm_projector_view_get_n_classes (view), ==, 0);
  /* half size: the cloud clear of the legend in the corner */
  lm_projector_view_set_zoom (view, 0.5);
  s = draw_view (view, 600, 400);
  want = (GdkRGBA) { 0xff / 255.0, 0xff / 255.0, 0xdd / 255.0, 1 };
  g_assert_true (lm_projector_view_get_point_color (view, 0, &c0));
  g_assert_true (same_rgb (&c0, &want));
  assert_point_pixel (s, view, 0, &want);
  want = (GdkRGBA) { 0x1f / 255.0, 0x2d / 255.0, 0x86 / 255.0, 1 };
  g_assert_true (lm_projector_view_get_point_color (view, 59, &c0));
  g_assert_true (same_rgb (&c0, &want));
  assert_point_pixel (s, view, 59, &want);
  cairo_surface_destroy (s);
  /* 60 distinct words: not coloured, the note says why */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (color_by), 2);
  g_assert_cmpint (lm_projector_view_get_coloring (view), ==, LM_PROJECTOR_COLOR_TOO_MANY);
  g_assert_false (lm_projector_view_get_point_color (view, 0, &c0));
  g_autofree char *note = lm_projector_view_get_color_note (view);
  g_assert_cmpstr (note, ==, "“word” has 60 distinct values, too many to colour by (50 at most, unless all are "
                             "numbers)");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (color_by), ==, note);
  close_page (page, store, dir);
}

/* A numeric column with missing (empty) values, as a metadata.tsv with
 * gaps: 54 numbers and 6 gaps get the gradient over the numbers, a gap
 * drawn in the muted colour; a column of words and gaps lists the gap as
 * "(no value)" without counting it, so 50 words and gaps are coloured; a
 * column of numbers and "nan" gets the gradient, "nan" a gap. */
static void
test_missing_values (void)
{
  if (lm_ui_test_no_display ())
    return;
  char *dir = NULL;
  float mat[60 * 2];
  char *meta[60 * 4];
  int words = 0;

  for (int i = 0; i < 60; i++)
    {
      mat[i * 2] = (float) cos (i * 0.3) * (1 + i * 0.1f);
      mat[i * 2 + 1] = (float) sin (i * 0.3) * (1 + i * 0.1f);
      meta[i * 4] = g_strdup_printf ("p%d", i);
      meta[i * 4 + 1] = i % 10 == 0 ? g_strdup ("") : g_strdup_printf ("%d", i * 2 - 30);
      meta[i * 4 + 2] = i % 6 == 0 ? g_strdup ("") : g_strdup_printf ("w%d", words++);
      /* a loss as Python writes it: "nan" now and then */
      meta[i * 4 + 3] = i % 10 == 5 ? g_strdup ("nan") : g_strdup_printf ("%g", 0.5 + i * 0.25);
    }
  lm_writer *w = open_run (&dir);
  g_assert_cmpint (lm_writer_add_embedding_columns (w, "gaps", 1, mat, 60, 2,
                                                    (const char *const[]) { "label", "score", "word", "loss" }, 4,
                                                    (const char *const *) meta, NULL, 0, 0, 0),
                   ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  for (int i = 0; i < 60 * 4; i++)
    g_free (meta[i]);

  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);
  LmProjectorView *view = lm_projector_page_get_view (LM_PROJECTOR_PAGE (page));
  GtkWidget *color_by = lm_projector_page_get_control (LM_PROJECTOR_PAGE (page), "color-by");
  GdkRGBA c, want;
  cairo_surface_t *s;

  gtk_drop_down_set_selected (GTK_DROP_DOWN (color_by), 2);
  g_assert_cmpint (lm_projector_view_get_coloring (view), ==, LM_PROJECTOR_COLOR_GRADIENT);
  lm_projector_view_set_zoom (view, 0.5);
  s = draw_view (view, 600, 400);
  /* the numbers run from -28 (point 1) to 88 (point 59) */
  want = (GdkRGBA) { 0xff / 255.0, 0xff / 255.0, 0xdd / 255.0, 1 };
  g_assert_true (lm_projector_view_get_point_color (view, 1, &c));
  g_assert_true (same_rgb (&c, &want));
  assert_point_pixel (s, view, 1, &want);
  want = (GdkRGBA) { 0x1f / 255.0, 0x2d / 255.0, 0x86 / 255.0, 1 };
  g_assert_true (lm_projector_view_get_point_color (view, 59, &c));
  g_assert_true (same_rgb (&c, &want));
  /* a gap: the muted colour */
  g_assert_true (lm_projector_view_get_point_color (view, 30, &c));
  g_assert_true (same_rgb (&c, &lm_theme_colors ()->muted));
  assert_point_pixel (s, view, 30, &lm_theme_colors ()->muted);
  cairo_surface_destroy (s);

  /* 50 words and a gap: categories, the gap one of them */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (color_by), 3);
  g_assert_cmpint (lm_projector_view_get_coloring (view), ==, LM_PROJECTOR_COLOR_CATEGORIES);
  g_assert_cmpuint (lm_projector_view_get_n_classes (view), ==, 51);
  /* 54 losses and "nan" six times: the gradient, a "nan" drawn as a gap */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (color_by), 4);
  g_assert_cmpint (lm_projector_view_get_coloring (view), ==, LM_PROJECTOR_COLOR_GRADIENT);
  g_assert_true (lm_projector_view_get_point_color (view, 5, &c));
  g_assert_true (same_rgb (&c, &lm_theme_colors ()->muted));
  want = (GdkRGBA) { 0x1f / 255.0, 0x2d / 255.0, 0x86 / 255.0, 1 };
  g_assert_true (lm_projector_view_get_point_color (view, 59, &c));
  g_assert_true (same_rgb (&c, &want));
  close_page (page, store, dir);
  g_free (dir);
}

static gboolean
page_is_narrow (gpointer data)
{
  return gtk_widget_get_width (data) == 560;
}

static gboolean
page_is_wide (gpointer data)
{
  return gtk_widget_get_width (data) == 1400;
}

/* The page in a narrow window (860 px, less the 290 px side bar): every
 * method's rows wrap instead of widening the page (it asked 813 px with
 * its control rows on one line, 808 for the empty state's code line),
 * Custom's Right under its Left; Tab still walks the controls in order,
 * each named for a screen reader. */
static void
test_narrow (void)
{
  if (lm_ui_test_no_display ())
    return;
  g_autofree char *dir = make_columns_logdir ();
  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);
  GtkWidget *win = GTK_WIDGET (gtk_widget_get_root (page));
  GtkWidget *left = lm_projector_page_get_control (pp, "left");
  GtkWidget *right = lm_projector_page_get_control (pp, "right");
  graphene_rect_t lb, rb;

  for (int m = LM_PROJECTOR_PCA; m <= LM_PROJECTOR_CUSTOM; m++)
    {
      int min;

      lm_projector_page_set_method (pp, m);
      g_assert_true (lm_test_wait_for (page_settled, page, SETTLE_MS));
      gtk_widget_measure (page, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
      g_assert_cmpint (min, <=, 560);
    }
  gtk_window_set_default_size (GTK_WINDOW (win), 560, 600);
  g_assert_true (lm_test_wait_for (page_is_narrow, page, 10000));
  g_assert_true (gtk_widget_compute_bounds (left, page, &lb));
  g_assert_true (gtk_widget_compute_bounds (right, page, &rb));
  g_assert_cmpfloat (rb.origin.y, >=, lb.origin.y + lb.size.height);
  g_assert_cmpfloat (rb.origin.x + rb.size.width, <=, 560);
  /* wide: Right beside Left again */
  gtk_window_set_default_size (GTK_WINDOW (win), 1400, 600);
  g_assert_true (lm_test_wait_for (page_is_wide, page, 10000));
  g_assert_true (gtk_widget_compute_bounds (left, page, &lb));
  g_assert_true (gtk_widget_compute_bounds (right, page, &rb));
  g_assert_cmpfloat (rb.origin.y, ==, lb.origin.y);
  g_assert_cmpfloat (rb.origin.x, >, lb.origin.x + lb.size.width);
  /* named for a screen reader by their captions, not ".*" */
  {
    g_autofree char *e1 = gtk_test_accessible_check_property (GTK_ACCESSIBLE (left), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                              "Left search");
    g_autofree char *e2 = gtk_test_accessible_check_property (
      GTK_ACCESSIBLE (lm_projector_page_get_control (pp, "right-regex")), GTK_ACCESSIBLE_PROPERTY_LABEL,
      "Right search is a regex");
    g_autofree char *e3 = gtk_test_accessible_check_property (
      GTK_ACCESSIBLE (lm_projector_page_get_control (pp, "color-by")), GTK_ACCESSIBLE_PROPERTY_LABEL, "Color by");

    g_assert_null (e1);
    g_assert_null (e2);
    g_assert_null (e3);
  }
  /* Tab: Left's entry, its regex toggle, then Right's entry */
  gtk_widget_grab_focus (left);
  g_assert_true (gtk_widget_child_focus (win, GTK_DIR_TAB_FORWARD));
  g_assert_true (gtk_widget_is_focus (lm_projector_page_get_control (pp, "left-regex")));
  g_assert_true (gtk_widget_child_focus (win, GTK_DIR_TAB_FORWARD));
  g_assert_true (gtk_widget_get_focus_child (right) != NULL || gtk_widget_has_focus (right));
  close_page (page, store, dir);
}

/* Custom on a tensor of one point: it matches Left and Down, the status
 * line counts it as one point ("1 point", not "1 points"). */
static void
test_custom_one_point (void)
{
  if (lm_ui_test_no_display ())
    return;
  char *dir = NULL;
  lm_writer *w = open_run (&dir);
  g_assert_cmpint (lm_writer_add_embedding (w, "one", 1, points, 1, 4, labels, NULL, 0, 0, 0), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);

  set_searches (pp, "cat", "dog", "", "");
  lm_projector_page_set_method (pp, LM_PROJECTOR_CUSTOM);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (lm_projector_page_get_control (pp, "left-count"))), ==,
                   "1 match");
  assert_status_has (pp, "Custom projection of 1 point × 4 dims: Right: no point matches “dog”");
  close_page (page, store, dir);
  g_free (dir);
}

static gboolean
inspector_fits (gpointer data)
{
  LmProjectorPage *pp = data;

  return gtk_widget_get_width (data) == 800
         && gtk_widget_get_width (lm_projector_page_get_control (pp, "inspector")) <= 420
         && gtk_widget_get_width (GTK_WIDGET (lm_projector_page_get_view (pp))) >= 360;
}

/* Labels of 300 characters without a space: the chosen point's title,
 * its columns and its neighbours' rows are cut short inside the
 * inspector, which stays as wide as with short labels; the view keeps
 * its place (the inspector took the whole width and the view none); the
 * legend and the hover box cut them short too. */
static void
test_long_labels (void)
{
  if (lm_ui_test_no_display ())
    return;
  char *dir = NULL;
  char *meta[6 * 2];

  for (int i = 0; i < 6; i++)
    {
      meta[i * 2] = g_strnfill (300, (char) ('a' + i));
      meta[i * 2 + 1] = g_strnfill (300, 'z');
    }
  lm_writer *w = open_run (&dir);
  g_assert_cmpint (lm_writer_add_embedding_columns (w, "long", 1, points, 6, 4,
                                                    (const char *const[]) { "label", "note" }, 2,
                                                    (const char *const *) meta, NULL, 0, 0, 0),
                   ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  for (int i = 0; i < 6 * 2; i++)
    g_free (meta[i]);
  LmRunStore *store = NULL;
  GtkWidget *page = show_page (dir, &store);
  LmProjectorPage *pp = LM_PROJECTOR_PAGE (page);
  GtkWidget *side = lm_projector_page_get_control (pp, "inspector");

  lm_projector_page_select (pp, 0);
  g_assert_true (lm_test_wait_for (page_settled, page, 10000));
  g_assert_true (gtk_widget_get_visible (lm_projector_page_get_control (pp, "inspector-columns")));
  g_assert_nonnull (gtk_widget_get_first_child (lm_projector_page_get_control (pp, "inspector-list")));
  /* laid out with the long texts in: the window's 800 px shared */
  if (!lm_test_wait_for (inspector_fits, page, 5000))
    g_error ("the inspector is %d px wide, the view %d px (of %d)", gtk_widget_get_width (side),
             gtk_widget_get_width (GTK_WIDGET (lm_projector_page_get_view (pp))), gtk_widget_get_width (page));

  /* the legend cuts each value short: nothing of it right of 450 px,
   * where 300 characters ran across the whole view (the points, zoomed
   * out, sit around the centre, under the legend's six rows) */
  LmProjectorView *view = lm_projector_page_get_view (pp);
  const GdkRGBA *bg = &lm_theme_colors ()->bg;

  lm_projector_page_select (pp, -1);
  g_assert_cmpuint (lm_projector_view_get_n_classes (view), ==, 6);
  lm_projector_view_set_zoom (view, 0.2);
  cairo_surface_t *s = draw_view (view, 800, 400);
  for (int y = 4; y < 12 + 17 * 6; y++)
    for (int x = 450; x < 800; x++)
      {
        double rgb[3];

        pixel_at (s, x, y, rgb);
        if (fabs (rgb[0] - bg->red) + fabs (rgb[1] - bg->green) + fabs (rgb[2] - bg->blue) > 0.05)
          g_error ("the legend reaches (%d, %d)", x, y);
      }
  cairo_surface_destroy (s);
  /* the hover box too: beside its point (at x 428), where one of 300
   * characters covered the view from its left edge */
  double px, py, rgb[3];

  lm_projector_view_set_hover (view, 0);
  lm_projector_view_project (view, 0, 800, 400, &px, &py);
  s = draw_view (view, 800, 400);
  pixel_at (s, 20, (int) py, rgb);
  g_assert_cmpfloat (fabs (rgb[0] - bg->red) + fabs (rgb[1] - bg->green) + fabs (rgb[2] - bg->blue), <, 0.05);
  cairo_surface_destroy (s);
  close_page (page, store, dir);
  g_free (dir);
}

int
main
 (int argc, char **argv)
{
  /* accessible properties are read back (the narrow test's names) */
  g_setenv ("GTK_A11Y", "test", TRUE);
  have_display = lm_ui_test_init (&argc, &argv);
  g_test_add_func ("/ui/projector/points", test_points);
  g_test_add_func ("/ui/projector/empty", test_empty);
  g_test_add_func ("/ui/projector/live", test_live);
  g_test_add_func ("/ui/projector/damaged", test_damaged);
  g_test_add_func ("/ui/projector/keys", test_keys);
  g_test_add_func ("/ui/projector/tsne", test_tsne);
  g_test_add_func ("/ui/projector/tsne-coalesce", test_tsne_coalesce);
  g_test_add_func ("/ui/projector/inspector", test_inspector);
  g_test_add_func ("/ui/projector/inspector-keys", test_inspector_keys);
  g_test_add_func ("/ui/projector/isolate", test_isolate);
  g_test_add_func ("/ui/projector/umap", test_umap);
  g_test_add_func ("/ui/projector/inspector-big", test_inspector_big);
  g_test_add_func ("/ui/projector/columns", test_columns);
  g_test_add_func ("/ui/projector/missing-values", test_missing_values);
  g_test_add_func ("/ui/projector/custom", test_custom);
  g_test_add_func ("/ui/projector/custom-no-labels", test_custom_no_labels);
  g_test_add_func ("/ui/projector/custom-search-by", test_custom_search_by);
  g_test_add_func ("/ui/projector/sphereize", test_sphereize);
  g_test_add_func ("/ui/projector/one-point", test_one_point);
  g_test_add_func ("/ui/projector/nonfinite", test_nonfinite);
  g_test_add_func ("/ui/projector/narrow", test_narrow);
  g_test_add_func ("/ui/projector/custom-one-point", test_custom_one_point);
  g_test_add_func ("/ui/projector/long-labels", test_long_labels);
  return g_test_run ();
}
