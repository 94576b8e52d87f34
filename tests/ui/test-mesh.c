/* test-mesh.c: the Mesh dashboard (ui/lm-mesh-card.c, ui/lm-mesh-view.c,
 * LM_DASHBOARD_MESH in ui/lm-record-dashboard.c), under a display.
 *
 * What it checks: the view lists a card per run and tag of a log
 * directory written with lm_writer_add_mesh (two runs), each saying its
 * step and size ("200 points", "4 vertices · 4 faces"); the rendered
 * frame shows the mesh in its colours in the middle and the background
 * at the corners, a mesh without colours in grey; the slider reaches
 * every mesh and the size follows it; the camera turns and zooms, the
 * Reset button brings it back, and a redraw with nothing changed renders
 * nothing again; cards far off screen neither load nor render (a theme
 * change renders those on screen again); a mesh damaged after it was
 * logged shows why on its card; pins and the tag filter; an empty log directory says how to log
 * meshes; `lumen --view mesh --screenshot [--mesh-camera]` draws the view,
 * and a bad --mesh-camera is refused by name.  Set LUMEN_TEST_SHOTS=DIR to
 * keep the screenshot.  Skips without a display.
 */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include <lumen-log.h>

#include "lm-mesh-card.h"
#include "lm-mesh-view.h"
#include "lm-palette.h"
#include "lm-record-dashboard.h"
#include "lm-theme.h"
#include "lm-test-run.h"
#include "lm-window.h"
#include "ui-test-util.h"

static gboolean have_display;
static const char *lumen_bin;
static char *logdir, *empty_dir, *scratch_dir, *many_dir;

static void
check (int rc, const char *what)
{
  if (rc != LM_OK)
    g_error ("%s: %s", what, lm_log_last_error ());
}

/* n points on a unit sphere (a Fibonacci spiral) */
static float *
sphere_points (int n)
{
  float *v = g_new (float, 3 * n);

  for (int i = 0; i < n; i++)
    {
      double z = 1 - 2.0 * (i + 0.5) / n, r = sqrt (1 - z * z), phi = i * 2.399963;

      v[3 * i] = (float) (r * cos (phi));
      v[3 * i + 1] = (float) (r * sin (phi));
      v[3 * i + 2] = (float) z;
    }
  return v;
}

static const float tetra_v[] = { 1, 1, 1, -1, -1, 1, -1, 1, -1, 1, -1, -1 };
static const gint32 tetra_f[] = { 0, 1, 2, 0, 3, 1, 0, 2, 3, 1, 3, 2 };
static const guint8 tetra_red[] = { 220, 30, 30, 220, 30, 30, 220, 30, 30, 220, 30, 30 };

static void
write_fixture (void)
{
  lm_writer *w;

  /* run a: cloud/points at steps 0 and 5 (100, then 200 green points of
   * TensorBoard's point size 0.1), a red tetrahedron, one to be damaged */
  check (lm_writer_open (&w, logdir, "a"), "open");
  for (int i = 0; i < 2; i++)
    {
      int n = 100 * (i + 1);
      g_autofree float *v = sphere_points (n);
      g_autofree guint8 *c = g_new (guint8, 3 * n);

      for (int k = 0; k < n; k++)
        c[3 * k] = 20, c[3 * k + 1] = 200, c[3 * k + 2] = 40;
      check (lm_writer_add_mesh (w, "cloud/points", i * 5, v, n, c, NULL, 0,
                                 "{\"material\":{\"cls\":\"PointsMaterial\",\"size\":0.1}}"),
             "mesh");
    }
  check (lm_writer_add_mesh (w, "shape/tetra", 3, tetra_v, 4, tetra_red, tetra_f, 4, NULL), "mesh");
  check (lm_writer_add_mesh (w, "shape/broken", 0, tetra_v, 4, NULL, tetra_f, 4, NULL), "mesh");
  check (lm_writer_close (w), "close");

  /* run b: shape/tetra without colours */
  check (lm_writer_open (&w, logdir, "b"), "open");
  check (lm_writer_add_mesh (w, "shape/tetra", 7, tetra_v, 4, NULL, tetra_f, 4,
                             "{\"camera\":{\"cls\":\"PerspectiveCamera\",\"fov\":60}}"),
         "mesh");
  /* a config lumen-log stores but the view cannot use (size 0, fov 180) */
  check (lm_writer_add_mesh (w, "shape/badconfig", 2, tetra_v, 4, tetra_red, tetra_f, 4,
                             "{\"material\":{\"size\":0},\"camera\":{\"fov\":180}}"),
         "mesh");
  check (lm_writer_close (w), "close");

  /* many_dir: 40 tags of one tetrahedron, most far below the view */
  check (lm_writer_open (&w, many_dir, "c"), "open");
  for (int i = 0; i < 40; i++)
    {
      g_autofree char *tag = g_strdup_printf ("t%02d", i);

      check (lm_writer_add_mesh (w, tag, 0, tetra_v, 4, tetra_red, tetra_f, 4, NULL), "mesh");
    }
  check (lm_writer_close (w), "close");

  /* damage shape/broken after the fact: a vertex blob cut short */
  {
    g_autofree char *path = g_build_filename (logdir, "a", "run.lumen", NULL);

    lm_ui_sql_one_row (path, "UPDATE meshes SET vertices = X'0000803F' WHERE tag_id = "
                             "(SELECT id FROM tags WHERE name = 'shape/broken')");
  }
}

/* ------------------------------------------------------------ helpers */

static LmWindow *
open_window (const char *dir)
{
  return lm_ui_open_view (dir, "mesh", 1400, 1000);
}

static LmRecordDashboard *
page_of (LmWindow *win)
{
  return LM_RECORD_DASHBOARD (lm_dashboards_get_page (lm_window_get_dashboards (win), "mesh"));
}

static LmMeshCard *
card_of (LmWindow *win, const char *run, const char *tag)
{
  GtkWidget *c = lm_ui_record_card (win, "mesh", run, tag);

  g_assert_true (LM_IS_MESH_CARD (c));
  return LM_MESH_CARD (c);
}

static LmMeshView *
view_of (LmMeshCard *card)
{
  return LM_MESH_VIEW (lm_mesh_card_get_view (card));
}

/* The frame's pixel at (fx, fy), fractions of its size: 0xAARRGGBB. */
static guint32
frame_pixel (LmMeshView *view, double fx, double fy)
{
  cairo_surface_t *s = lm_mesh_view_get_surface (view);
  int w, h, x, y;

  g_assert_nonnull (s);
  w = cairo_image_surface_get_width (s);
  h = cairo_image_surface_get_height (s);
  x = CLAMP ((int) (fx * w), 0, w - 1);
  y = CLAMP ((int) (fy * h), 0, h - 1);
  return *(guint32 *) (void *) (cairo_image_surface_get_data (s) + (gsize) y * cairo_image_surface_get_stride (s)
                                + 4 * x);
}

#define A(p) ((p) >> 24)
#define R(p) (((p) >> 16) & 0xff)
#define G(p) (((p) >> 8) & 0xff)
#define B(p) ((p) & 0xff)

static guint
count_drawn (LmMeshView *view)
{
  cairo_surface_t *s = lm_mesh_view_get_surface (view);
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);
  guint n = 0;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      n += A (*(guint32 *) (void *) (cairo_image_surface_get_data (s) + (gsize) y * cairo_image_surface_get_stride (s)
                                     + 4 * x))
           != 0;
  return n;
}

/* ------------------------------------------------------------ tests */

static gboolean
has_new_card (gpointer win)
{
  return lm_record_dashboard_find_card (page_of (win), "b", "cloud/points") != NULL;
}

static void
test_cards (void)
{
  LmWindow *win;
  LmMeshCard *card;

  if (lm_ui_test_no_display ())
    return;
  win = open_window (logdir);
  /* a: cloud/points, shape/tetra, shape/broken; b: shape/tetra, shape/badconfig */
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (page_of (win)), ==, 5);
  card = card_of (win, "a", "cloud/points");
  g_assert_cmpuint (lm_mesh_card_get_n_steps (card), ==, 2);
  g_assert_cmpuint (lm_mesh_card_get_index (card), ==, 1);   /* the newest first */
  g_assert_true (g_str_has_prefix (lm_mesh_card_get_step_text (card), "step 5 · "));
  g_assert_cmpstr (lm_mesh_card_get_info_text (card), ==, "200 points");
  g_assert_null (lm_mesh_card_get_error (card));

  card = card_of (win, "b", "shape/tetra");
  g_assert_true (g_str_has_prefix (lm_mesh_card_get_step_text (card), "step 7 · "));
  g_assert_cmpstr (lm_mesh_card_get_info_text (card), ==, "4 vertices · 4 faces");
  g_assert_nonnull (lm_mesh_view_get_mesh (view_of (card)));
  g_assert_cmpfloat (lm_mesh_view_get_mesh (view_of (card))->fov, ==, 60);

  /* pins and the tag filter, as on every record dashboard */
  g_assert_true (lm_record_dashboard_set_pinned (page_of (win), "a", "shape/tetra", TRUE));
  g_assert_cmpuint (lm_record_dashboard_get_n_pinned_shown (page_of (win)), ==, 1);
  g_assert_true (LM_IS_MESH_CARD (lm_record_dashboard_find_pinned_card (page_of (win), "a", "shape/tetra")));
  g_assert_true (lm_record_dashboard_set_pinned (page_of (win), "a", "shape/tetra", FALSE));
  g_assert_true (lm_record_dashboard_set_filter (page_of (win), "^shape/", NULL));
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (page_of (win)), ==, 4);
  g_assert_true (lm_record_dashboard_set_filter (page_of (win), "", NULL));

  /* live: a mesh logged now shows, and the slider follows it */
  {
    lm_writer *w;
    g_autofree float *v = sphere_points (300);

    check (lm_writer_open (&w, logdir, "b"), "open");
    check (lm_writer_add_mesh (w, "cloud/points", 9, v, 300, NULL, NULL, 0, NULL), "mesh");
    check (lm_writer_close (w), "close");
    g_assert_true (lm_test_wait_for (has_new_card, win, 10000));
    lm_ui_wait_settled (win);
    card = card_of (win, "b", "cloud/points");
    g_assert_cmpstr (lm_mesh_card_get_info_text (card), ==, "300 points");
  }
  gtk_window_destroy (GTK_WINDOW (win));
}

/* The frame: the mesh's colours in the middle, transparent (the card's
 * background) at the corners; grey without colours; points too. */
static void
test_pixels (void)
{
  LmWindow *win;
  LmMeshView *view;
  guint32 p;

  if (lm_ui_test_no_display ())
    return;
  win = open_window (logdir);
  lm_ui_wait_settled (win);

  view = view_of (card_of (win, "a", "shape/tetra"));
  g_assert_cmpuint (lm_mesh_view_get_n_renders (view), >=, 1);
  p = frame_pixel (view, 0.5, 0.5);
  g_test_message ("tetra centre 0x%08x", p);
  g_assert_cmpuint (A (p), ==, 255);
  g_assert_cmpuint (R (p), >, 100);
  g_assert_cmpuint (R (p), >, 3 * G (p));
  g_assert_cmpuint (R (p), >, 3 * B (p));
  for (int c = 0; c < 4; c++)
    g_assert_cmpuint (frame_pixel (view, c & 1 ? 0.99 : 0.01, c & 2 ? 0.99 : 0.01), ==, 0);

  view = view_of (card_of (win, "b", "shape/tetra"));
  p = frame_pixel (view, 0.5, 0.5);
  g_assert_cmpuint (A (p), ==, 255);
  g_assert_cmpuint (R (p), ==, G (p));
  g_assert_cmpuint (G (p), ==, B (p));
  g_assert_cmpuint (R (p), >, 40);

  /* points: 200 green discs, each a few pixels, none at the corners */
  view = view_of (card_of (win, "a", "cloud/points"));
  {
    guint n = count_drawn (view);

    g_test_message ("cloud: %u pixels", n);
    g_assert_cmpuint (n, >, 200 * 4);
    g_assert_cmpuint (frame_pixel (view, 0.01, 0.01), ==, 0);
  }
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_slider (void)
{
  LmWindow *win;
  LmMeshCard *card;
  LmMeshView *view;

  if (lm_ui_test_no_display ())
    return;
  win = open_window (logdir);
  card = card_of (win, "a", "cloud/points");
  view = view_of (card);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *label = g_strdup_printf ("%u points", 100 * (i + 1));
      g_autofree char *step = g_strdup_printf ("step %u · ", i * 5);

      lm_mesh_card_set_index (card, i);
      lm_ui_wait_settled (win);
      g_assert_cmpuint (lm_mesh_card_get_index (card), ==, i);
      g_assert_cmpstr (lm_mesh_card_get_info_text (card), ==, label);
      g_assert_true (g_str_has_prefix (lm_mesh_card_get_step_text (card), step));
      /* the view shows that step's mesh, not the one before */
      g_assert_cmpint (lm_mesh_view_get_mesh (view)->n_vertices, ==, 100 * (i + 1));
    }
  gtk_window_destroy (GTK_WINDOW (win));
}

/* Orbit and zoom render a new frame; Reset brings back the first one; a
 * redraw with nothing changed renders nothing. */
static void
test_camera (void)
{
  LmWindow *win;
  LmMeshCard *card;
  LmMeshView *view;
  double yaw, pitch, dist, yaw0, pitch0, dist0;
  guint n, drawn0;

  if (lm_ui_test_no_display ())
    return;
  win = open_window (logdir);
  lm_ui_wait_settled (win);
  card = card_of (win, "a", "shape/tetra");
  view = view_of (card);
  lm_mesh_view_get_camera (view, &yaw0, &pitch0, &dist0);
  g_assert_cmpfloat (yaw0, ==, 30);
  g_assert_cmpfloat (pitch0, ==, 20);
  drawn0 = count_drawn (view);

  n = lm_mesh_view_get_n_renders (view);
  gtk_widget_queue_draw (GTK_WIDGET (view));
  lm_test_spin (100);
  g_assert_cmpuint (lm_mesh_view_get_n_renders (view), ==, n);

  /* zoomed out to twice the distance: about a quarter of the pixels */
  lm_mesh_view_set_camera (view, yaw0 + 90, pitch0, dist0 * 2);
  lm_test_spin (100);
  g_assert_cmpuint (lm_mesh_view_get_n_renders (view), ==, n + 1);
  g_assert_cmpuint (count_drawn (view), <, drawn0 / 2);
  g_assert_cmpuint (count_drawn (view), >, drawn0 / 8);

  /* the arrow keys orbit, Ctrl+minus zooms out */
  g_assert_true (lm_ui_press_key (GTK_WIDGET (view), GDK_KEY_Left, 0));
  lm_mesh_view_get_camera (view, &yaw, &pitch, &dist);
  g_assert_cmpfloat_with_epsilon (yaw, yaw0 + 100, 1e-9);
  g_assert_true (lm_ui_press_key (GTK_WIDGET (view), GDK_KEY_Down, 0));
  g_assert_true (lm_ui_press_key (GTK_WIDGET (view), GDK_KEY_minus, GDK_CONTROL_MASK));
  lm_mesh_view_get_camera (view, &yaw, &pitch, &dist);
  g_assert_cmpfloat_with_epsilon (pitch, pitch0 + 10, 1e-9);
  g_assert_cmpfloat_with_epsilon (dist, dist0 * 2 * 1.1, 1e-9);

  /* the card's Reset button */
  lm_ui_emit (lm_mesh_card_get_reset_button (card), "clicked");
  lm_mesh_view_get_camera (view, &yaw, &pitch, &dist);
  g_assert_cmpfloat (yaw, ==, yaw0);
  g_assert_cmpfloat (pitch, ==, pitch0);
  g_assert_cmpfloat (dist, ==, dist0);

  /* the mouse: a drag 40 px right and 20 px down orbits by half a degree
   * a pixel (the camera goes left and up, as OrbitControls'), a wheel
   * step down zooms out by 10%, a double-click resets */
  {
    GtkEventController *drag = lm_ui_find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_DRAG);
    GtkEventController *scroll = lm_ui_find_controller (GTK_WIDGET (view), GTK_TYPE_EVENT_CONTROLLER_SCROLL);
    GtkEventController *click = lm_ui_find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_CLICK);
    gboolean handled = FALSE;

    g_assert_nonnull (drag);
    g_assert_nonnull (scroll);
    g_assert_nonnull (click);
    lm_ui_emit (drag, "drag-begin", 100.0, 100.0);
    lm_ui_emit (drag, "drag-update", 40.0, 20.0);
    lm_mesh_view_get_camera (view, &yaw, &pitch, &dist);
    g_assert_cmpfloat_with_epsilon (yaw, yaw0 - 20, 1e-9);
    g_assert_cmpfloat_with_epsilon (pitch, pitch0 + 10, 1e-9);
    lm_ui_emit (scroll, "scroll", 0.0, 1.0, &handled);
    g_assert_true (handled);
    lm_mesh_view_get_camera (view, NULL, NULL, &dist);
    g_assert_cmpfloat_with_epsilon (dist, dist0 * 1.1, 1e-9);
    lm_ui_emit (click, "pressed", 2, 10.0, 10.0);
    lm_mesh_view_get_camera (view, &yaw, &pitch, &dist);
    g_assert_cmpfloat (yaw, ==, yaw0);
    g_assert_cmpfloat (pitch, ==, pitch0);
    g_assert_cmpfloat (dist, ==, dist0);
  }
  lm_test_spin (100);
  g_assert_cmpuint (count_drawn (view), ==, drawn0);
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
has_mesh (gpointer view)
{
  return lm_mesh_view_get_mesh (view) != NULL;
}

static gboolean
has_shading (gpointer view)
{
  return lm_mesh_view_get_shading_bytes (view) > 0;
}

typedef struct
{
  LmMeshView *view;
  guint n;
} RendersCond;

static gboolean
rendered_again (gpointer data)
{
  RendersCond *c = data;

  return lm_mesh_view_get_n_renders (c->view) > c->n;
}

/* Cards far below the view neither load nor render their mesh; scrolled
 * to, they do, and the cards scrolled away give up their shading. */
static void
test_offscreen (void)
{
  LmWindow *win;
  LmMeshView *top, *bottom;
  LmThemeMode mode;
  guint n;

  if (lm_ui_test_no_display ())
    return;
  win = open_window (many_dir);
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (page_of (win)), ==, 40);
  top = view_of (card_of (win, "c", "t00"));
  bottom = view_of (card_of (win, "c", "t39"));
  n = lm_mesh_view_get_n_renders (top);
  g_assert_cmpuint (n, >=, 1);
  g_assert_nonnull (lm_mesh_view_get_mesh (top));
  g_assert_cmpuint (lm_mesh_view_get_n_renders (bottom), ==, 0);
  g_assert_null (lm_mesh_view_get_mesh (bottom));
  /* a theme change renders the cards on screen again, not the others */
  mode = lm_theme_get_mode ();
  lm_theme_set_mode (LM_THEME_DARK);
  /* late on a slow machine (the sanitizer pass); then no second one */
  g_assert_true (lm_test_wait_for (rendered_again, &(RendersCond) { top, n }, 10000));
  lm_test_spin (200);
  g_assert_cmpuint (lm_mesh_view_get_n_renders (top), ==, n + 1);
  g_assert_cmpuint (lm_mesh_view_get_n_renders (bottom), ==, 0);
  lm_theme_set_mode (mode);
  /* the top card's camera turned: it makes its shading */
  g_assert_cmpuint (lm_mesh_view_get_shading_bytes (top), ==, 0);
  lm_mesh_view_set_camera (top, 45, 10, 0);
  g_assert_true (lm_test_wait_for (has_shading, top, 10000));
  /* scrolled to the end: the last card loads and draws */
  {
    GtkScrolledWindow *sw = GTK_SCROLLED_WINDOW (lm_ui_find_descendant (GTK_WIDGET (page_of (win)),
                                                                          GTK_TYPE_SCROLLED_WINDOW));
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (sw);

    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
  }
  /* the scroll reaches the card in a later frame: until then the window
   * is settled with it off screen */
  g_assert_true (lm_test_wait_for (has_mesh, bottom, 10000));
  lm_ui_wait_settled (win);
  g_assert_cmpuint (lm_mesh_view_get_n_renders (bottom), >=, 1);
  g_assert_nonnull (lm_mesh_view_get_mesh (bottom));
  /* turned, it makes its shading and drops the top card's, far off
   * screen now (each card would keep its own: 26 MB for a million
   * triangles) */
  lm_mesh_view_set_camera (bottom, 45, 10, 0);
  g_assert_true (lm_test_wait_for (has_shading, bottom, 10000));
  g_assert_cmpuint (lm_mesh_view_get_shading_bytes (top), ==, 0);
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_broken (void)
{
  LmWindow *win;
  LmMeshCard *card;

  if (lm_ui_test_no_display ())
    return;
  win = open_window (logdir);
  lm_ui_wait_settled (win);
  card = card_of (win, "a", "shape/broken");
  g_assert_nonnull (lm_mesh_card_get_error (card));
  g_test_message ("%s", lm_mesh_card_get_error (card));
  g_assert_true (g_str_has_prefix (lm_mesh_card_get_error (card), "Step 0: "));
  g_assert_cmpuint (strlen (lm_mesh_card_get_error (card)), >, strlen ("Step 0: ") + 5);
  g_assert_null (lm_mesh_view_get_mesh (view_of (card)));
  g_assert_cmpstr (lm_mesh_card_get_message (card), ==, lm_mesh_card_get_error (card));
  /* the others still draw */
  g_assert_null (lm_mesh_card_get_error (card_of (win, "a", "shape/tetra")));
  g_assert_null (lm_mesh_card_get_message (card_of (win, "a", "shape/tetra")));

  /* a screen reader's names: the view is a picture named after its run
   * and tag, saying how to turn it; the slider says its step */
  {
    LmMeshCard *tetra = card_of (win, "a", "shape/tetra");
    GtkAccessible *view = GTK_ACCESSIBLE (view_of (tetra));
    GtkAccessible *slider = GTK_ACCESSIBLE (lm_mesh_card_get_slider (tetra));
    g_autofree char *e1 = gtk_test_accessible_check_property (view, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                              "3-D view of a in shape/tetra");
    g_autofree char *e2 = gtk_test_accessible_check_property (
      view, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
      "Drag or arrow keys to orbit, scroll or Ctrl+plus and Ctrl+minus to zoom, double-click or Ctrl+0 to reset "
      "the camera");
    g_autofree char *e3 = gtk_test_accessible_check_property (slider, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                              "Step of a in shape/tetra");

    g_assert_cmpint (gtk_accessible_get_accessible_role (view), ==, GTK_ACCESSIBLE_ROLE_IMG);
    g_assert_null (e1);
    g_assert_null (e2);
    g_assert_null (e3);
    g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (view)));

    /* a mesh after an error: the description is the help again (it kept
     * saying the error) */
    {
      LmMesh *mesh = lm_mesh_ref (lm_mesh_view_get_mesh (LM_MESH_VIEW (view)));
      g_autofree char *e4 = NULL;

      lm_mesh_view_set_error (LM_MESH_VIEW (view), "Step 0: unreadable");
      g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (view)), ==, "Step 0: unreadable");
      lm_mesh_view_set_mesh (LM_MESH_VIEW (view), mesh);
      e4 = gtk_test_accessible_check_property (
        view, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
        "Drag or arrow keys to orbit, scroll or Ctrl+plus and Ctrl+minus to zoom, double-click or Ctrl+0 to reset "
        "the camera");
      g_assert_null (e4);
      lm_mesh_unref (mesh);
    }
  }

  /* a config it cannot use: the mesh drawn with the defaults, and why */
  card = card_of (win, "b", "shape/badconfig");
  g_assert_null (lm_mesh_card_get_error (card));
  g_assert_nonnull (lm_mesh_view_get_mesh (view_of (card)));
  g_assert_cmpfloat (lm_mesh_view_get_mesh (view_of (card))->fov, ==, 75);
  g_assert_cmpuint (lm_mesh_view_get_n_renders (view_of (card)), >, 0);
  g_assert_cmpstr (lm_mesh_card_get_message (card), ==,
                   "Step 2: mesh config: material.size is 0, must be > 0, camera.fov is 180, must be between 0 "
                   "and 180 degrees; drawn with the defaults");
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_empty (void)
{
  LmWindow *win;

  if (lm_ui_test_no_display ())
    return;
  win = open_window (empty_dir);
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (page_of (win)), ==, 0);
  g_assert_nonnull (lm_ui_find_widget (GTK_WIDGET (win), lm_ui_label_shows, "No meshes logged yet."));
  g_assert_nonnull (lm_ui_find_widget (GTK_WIDGET (win), lm_ui_label_shows, "lm_writer_add_mesh()"));
  gtk_window_destroy (GTK_WINDOW (win));
}

/* lumen --logdir dir --view mesh --screenshot scratch/mesh.png at
 * 1400x900 and GDK_SCALE scale (NULL: as set), extra arguments after. */
static int
run_lumen_in (const char *dir, const char *scale, const char *const *extra, char **err)
{
  g_autofree char *png = g_build_filename (scratch_dir, "mesh.png", NULL);
  g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "XDG_CONFIG_HOME", scratch_dir, TRUE);
  GPtrArray *argv = g_ptr_array_new ();
  int status;

  g_ptr_array_add (argv, (char *) lumen_bin);
  if (scale != NULL)
    env = g_environ_setenv (env, "GDK_SCALE", scale, TRUE);
  for (const char *const *a = (const char *const[]) { "--logdir", dir, "--view", "mesh", "--screenshot", png,
                                                      "--window-size", "1400x900", NULL };
       *a; a++)
    g_ptr_array_add (argv, (char *) *a);
  for (; extra != NULL && *extra; extra++)
    g_ptr_array_add (argv, (char *) *extra);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, NULL, err, &status,
                               NULL));
  g_ptr_array_free (argv, TRUE);
  return status;
}

static int
run_lumen (const char *const *extra, char **err)
{
  return run_lumen_in (logdir, NULL, extra, err);
}

/* lumen --view mesh --screenshot: exit 0, the window's size, the red
 * tetrahedron on screen; --mesh-camera turns it; a bad one is refused. */
static void
test_cli_view (void)
{
  static const char *const cam[] = { "--mesh-camera", "-60,45", NULL };
  static const char *const bad[] = { "--mesh-camera", "30", NULL };
  g_autofree char *png = NULL, *err = NULL, *err2 = NULL, *err3 = NULL;
  g_autoptr (GError) error = NULL;
  LmUiImage img = { 0 };
  int status;

  if (!have_display || lumen_bin == NULL)
    {
      g_test_skip (have_display ? "no lumen binary (--lumen-bin PATH or LUMEN_BIN)" : "no display");
      return;
    }
  png = g_build_filename (scratch_dir, "mesh.png", NULL);
  status = run_lumen (NULL, &err);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("lumen --view mesh --screenshot failed: %s", err);
  if (!lm_ui_image_load (png, &img, &error))
    g_error ("%s", error->message);
  g_assert_cmpint (img.width, ==, 1400);
  g_assert_cmpint (img.height, ==, 900);
  if (g_getenv ("LUMEN_TEST_SHOTS") != NULL)
    {
      g_autofree char *keep = g_build_filename (g_getenv ("LUMEN_TEST_SHOTS"), "mesh.png", NULL);
      g_autofree char *data = NULL;
      gsize len;

      if (g_file_get_contents (png, &data, &len, NULL))
        g_file_set_contents (keep, data, len, NULL);
    }
  {
    guint reds = 0;

    /* shaded, so any clear red: B, G, R bytes */
    for (int y = 0; y < img.height; y++)
      for (int x = 0; x < img.width; x++)
        {
          const guchar *p = img.pixels + (gsize) y * img.stride + 4 * x;

          reds += p[2] > 80 && p[2] > 3 * p[1] && p[2] > 3 * p[0];
        }
    g_test_message ("%u red pixels", reds);
    g_assert_cmpuint (reds, >, 10000);
  }
  g_free (img.pixels);

  status = run_lumen (cam, &err2);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("lumen --view mesh --mesh-camera -60,45 failed: %s", err2);

  status = run_lumen (bad, &err3);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_assert_nonnull (strstr (err3, "lumen: --mesh-camera expects YAW,PITCH in degrees"));
  g_assert_nonnull (strstr (err3, "got '30'"));
  g_unlink (png);
}

/* While a drag orbits, a big cloud draws a quarter of its points at most
 * (here: 50 of 200), and all of them when the drag ends. */
static void
test_drag_points (void)
{
  LmWindow *win;
  LmMeshView *view;
  GtkEventController *drag;
  guint all, n;

  if (lm_ui_test_no_display ())
    return;
  lm_mesh_view_set_drag_points (50);
  win = open_window (logdir);
  lm_ui_wait_settled (win);
  view = view_of (card_of (win, "a", "cloud/points"));
  g_assert_cmpint (lm_mesh_view_get_mesh (view)->n_vertices, ==, 200);
  all = count_drawn (view);
  n = lm_mesh_view_get_n_renders (view);
  drag = lm_ui_find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_DRAG);
  lm_ui_emit (drag, "drag-begin", 100.0, 100.0);
  lm_ui_emit (drag, "drag-update", 0.0, 0.0);
  lm_test_spin (100);
  g_assert_cmpuint (lm_mesh_view_get_n_renders (view), ==, n + 1);
  g_test_message ("%u pixels of 200 points, %u while dragging", all, count_drawn (view));
  g_assert_cmpuint (count_drawn (view), <, all * 2 / 5);
  g_assert_cmpuint (count_drawn (view), >, all / 8);
  lm_ui_emit (drag, "drag-end", 0.0, 0.0);
  lm_test_spin (100);
  g_assert_cmpuint (lm_mesh_view_get_n_renders (view), ==, n + 2);
  g_assert_cmpuint (count_drawn (view), ==, all);
  /* a mesh with faces is drawn whole while dragged; only shown, it made
   * no shading */
  view = view_of (card_of (win, "a", "shape/tetra"));
  all = count_drawn (view);
  g_assert_cmpuint (lm_mesh_view_get_n_shading_passes (view), ==, 0);
  lm_ui_emit (lm_ui_find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_DRAG), "drag-begin", 10.0, 10.0);
  lm_ui_emit (lm_ui_find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_DRAG), "drag-update", 0.0, 0.0);
  lm_test_spin (100);
  g_assert_cmpuint (count_drawn (view), ==, all);
  /* its shading (each vertex's faces and their normals' sum) is made once
   * for the mesh when the camera first moves (not for a mesh only shown:
   * its frame is quicker without), not each frame */
  n = lm_mesh_view_get_n_renders (view);
  for (int i = 1; i <= 3; i++)
    {
      lm_ui_emit (lm_ui_find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_DRAG), "drag-update",
                  10.0 * i, 0.0);
      lm_test_spin (50);
    }
  g_assert_cmpuint (lm_mesh_view_get_n_renders (view), ==, n + 3);
  g_assert_cmpuint (lm_mesh_view_get_n_shading_passes (view), ==, 1);
  lm_ui_emit (lm_ui_find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_DRAG), "drag-end", 30.0, 0.0);
  lm_mesh_view_set_drag_points (0);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* A UV sphere of rings x segs x 2 triangles (radius 1, centred), in
 * colours that change across it. */
static void
add_sphere (lm_writer *w, const char *tag, gint64 step, int rings, int segs)
{
  int nv = (rings + 1) * segs, nf = rings * segs * 2, k = 0;
  g_autofree float *v = g_new (float, 3 * nv);
  g_autofree guint8 *c = g_new (guint8, 3 * nv);
  g_autofree gint32 *f = g_new (gint32, 3 * nf);

  for (int i = 0; i <= rings; i++)
    for (int j = 0; j < segs; j++, k++)
      {
        double th = G_PI * i / rings, ph = 2 * G_PI * j / segs;

        v[3 * k] = (float) (sin (th) * cos (ph));
        v[3 * k + 1] = (float) cos (th);
        v[3 * k + 2] = (float) (sin (th) * sin (ph));
        c[3 * k] = (guint8) (127 + 127 * cos (ph));
        c[3 * k + 1] = (guint8) (255 * i / rings);
        c[3 * k + 2] = 180;
      }
  k = 0;
  for (int i = 0; i < rings; i++)
    for (int j = 0; j < segs; j++)
      {
        gint32 a = i * segs + j, b = i * segs + (j + 1) % segs;

        f[k++] = a, f[k++] = b, f[k++] = b + segs;
        f[k++] = a, f[k++] = b + segs, f[k++] = a + segs;
      }
  check (lm_writer_add_mesh (w, tag, step, v, nv, c, f, nf, NULL), "mesh");
}

static gboolean
no_workers (gpointer data)
{
  return lm_mesh_view_get_n_shading_workers () == 0;
}

typedef struct
{
  LmMeshView *view;
  guint n;
  gint64 n_vertices;
} Shown;

static gboolean
drawn_mesh (gpointer data)
{
  Shown *s = data;
  LmMesh *m = lm_mesh_view_get_mesh (s->view);

  return m != NULL && m->n_vertices == s->n_vertices && lm_mesh_view_get_n_renders (s->view) > s->n;
}

/* Moves the card's slider and waits for a frame of that mesh of
 * n_vertices (a camera that moves from then on is its first move). */
static void
show_step (LmMeshCard *card, guint index, gint64 n_vertices)
{
  Shown s = { view_of (card), lm_mesh_view_get_n_renders (view_of (card)), n_vertices };

  lm_mesh_card_set_index (card, index);
  g_assert_true (lm_test_wait_for (drawn_mesh, &s, 10000));
}

/* Moves the camera and iterates the main loop until the view rendered
 * that frame, and no further: a worker's result is handed to the main
 * loop, so it cannot arrive in the iteration that drew the frame. */
static void
move_camera (LmMeshView *view, double yaw, double pitch)
{
  Shown s = { view, lm_mesh_view_get_n_renders (view), lm_mesh_view_get_mesh (view)->n_vertices };

  lm_mesh_view_set_camera (view, yaw, pitch, 0);
  g_assert_true (lm_test_wait_for (drawn_mesh, &s, 10000));
}

/* The last frame's pixels, row by row. */
static GBytes *
frame_bytes (LmMeshView *view)
{
  cairo_surface_t *s = lm_mesh_view_get_surface (view);
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);
  GByteArray *b = g_byte_array_sized_new ((guint) (w * h * 4));

  for (int y = 0; y < h; y++)
    g_byte_array_append (b, cairo_image_surface_get_data (s) + (gsize) y * cairo_image_surface_get_stride (s),
                         (guint) w * 4);
  return g_byte_array_free_to_bytes (b);
}

/* The shading is made by a worker when the camera first moves: that
 * frame is drawn at once without it, in the pixels it gives once there;
 * a worker whose mesh was replaced, or whose card was hidden (as one
 * scrolled far off), leaves nothing; one whose window is destroyed comes
 * back to nothing. */
static void
test_shading_worker (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (GBytes) plain = NULL, shaded = NULL;
  LmWindow *win;
  LmMeshCard *card;
  LmMeshView *view;
  gsize bytes;
  lm_writer *w;

  if (lm_ui_test_no_display ())
    return;
  dir = g_dir_make_tmp ("lumen-mesh-worker-XXXXXX", NULL);
  check (lm_writer_open (&w, dir, "x"), "open");
  add_sphere (w, "shape/sphere", 0, 60, 120);   /* 14,400 triangles */
  add_sphere (w, "shape/sphere", 1, 40, 80);    /* the same size: the camera stays */
  check (lm_writer_close (w), "close");
  win = open_window (dir);
  lm_ui_wait_settled (win);
  card = card_of (win, "x", "shape/sphere");
  view = view_of (card);
  /* both steps shown once, so that the loader has them: the slider
   * replaces the mesh at once */
  show_step (card, 0, 61 * 120);
  g_assert_cmpuint (lm_mesh_view_get_n_shading_passes (view), ==, 0);

  /* the first move: drawn without waiting for the shading, which a
   * worker makes meanwhile */
  move_camera (view, 75, 25);
  g_assert_false (lm_mesh_view_get_frame_shaded (view));
  g_assert_true (lm_mesh_view_get_shading_pending (view));
  g_assert_cmpuint (lm_mesh_view_get_n_shading_passes (view), ==, 1);
  g_assert_cmpuint (lm_mesh_view_get_shading_bytes (view), ==, 0);
  plain = frame_bytes (view);
  g_assert_true (lm_test_wait_for (has_shading, view, 10000));
  g_assert_false (lm_mesh_view_get_shading_pending (view));
  bytes = lm_mesh_view_get_shading_bytes (view);
  /* with it, the same camera draws the same pixels, and a drag makes no
   * other */
  move_camera (view, 80, 25);
  g_assert_true (lm_mesh_view_get_frame_shaded (view));
  move_camera (view, 75, 25);
  g_assert_true (lm_mesh_view_get_frame_shaded (view));
  shaded = frame_bytes (view);
  g_assert_true (g_bytes_equal (plain, shaded));
  g_assert_cmpuint (count_drawn (view), >, 1000);
  g_assert_cmpuint (lm_mesh_view_get_n_shading_passes (view), ==, 1);

  /* the mesh replaced (the slider) while its shading is made: the worker
   * is cancelled, and what it made is not taken for the new mesh */
  show_step (card, 1, 41 * 80);
  move_camera (view, 60, 25);
  g_assert_true (lm_mesh_view_get_shading_pending (view));
  {
    Shown a = { view, lm_mesh_view_get_n_renders (view), 61 * 120 };

    lm_mesh_card_set_index (card, 0);   /* loaded: at once */
    g_assert_cmpint (lm_mesh_view_get_mesh (view)->n_vertices, ==, 61 * 120);
    g_assert_false (lm_mesh_view_get_shading_pending (view));
    g_assert_cmpuint (lm_mesh_view_get_n_shading_workers (), ==, 1);
    g_assert_true (lm_test_wait_for (drawn_mesh, &a, 10000));
  }
  g_assert_true (lm_test_wait_for (no_workers, NULL, 10000));
  g_assert_cmpuint (lm_mesh_view_get_shading_bytes (view), ==, 0);

  /* hidden (as a card scrolled far off) while it is made: dropped */
  move_camera (view, 50, 25);
  g_assert_true (lm_mesh_view_get_shading_pending (view));
  gtk_widget_set_visible (GTK_WIDGET (card), FALSE);
  g_assert_true (lm_test_wait_for (no_workers, NULL, 10000));
  g_assert_cmpuint (lm_mesh_view_get_shading_bytes (view), ==, 0);
  gtk_widget_set_visible (GTK_WIDGET (card), TRUE);
  lm_ui_wait_settled (win);
  move_camera (view, 40, 25);
  g_assert_true (lm_test_wait_for (has_shading, view, 10000));
  g_assert_cmpuint (lm_mesh_view_get_shading_bytes (view), ==, bytes);

  /* the window destroyed while a worker runs: the view is freed before
   * the worker comes back, to nothing (the ASan build, run with
   * G_SLICE=always-malloc for GLib 2.74, sees anything freed touched) */
  show_step (card, 1, 41 * 80);
  move_camera (view, 30, 25);
  g_assert_true (lm_mesh_view_get_shading_pending (view));
  g_object_add_weak_pointer (G_OBJECT (view), (gpointer *) &view);
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_null (view);
  g_assert_cmpuint (lm_mesh_view_get_n_shading_workers (), ==, 1);
  g_assert_true (lm_test_wait_for (no_workers, NULL, 10000));
  lm_test_rm_rf (dir);
}

/* A point cloud without colours is drawn in its run's colour, as
 * TensorBoard's viewer does (a mesh with faces stays grey); a mesh whose
 * faces all have zero area shows its vertices as points; the views
 * share one renderer's scratch buffers, sized for the largest frame and
 * mesh, not one set each. */
static void
test_run_color (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lumen-mesh-color-XXXXXX", NULL);
  g_autofree float *v = sphere_points (500);
  LmWindow *win;
  LmMeshView *cloud, *tetra, *small;
  GdkRGBA run;
  guint32 want, p = 0;
  gsize px = 0;
  lm_writer *w;

  if (!have_display)
    {
      g_test_skip ("no display");
      lm_test_rm_rf (dir);
      return;
    }
  check (lm_writer_open (&w, dir, "x"), "open");
  check (lm_writer_add_mesh (w, "cloud/plain", 0, v, 500, NULL, NULL, 0, NULL), "mesh");
  check (lm_writer_add_mesh (w, "cloud/small", 0, v, 50, NULL, NULL, 0, NULL), "mesh");
  check (lm_writer_add_mesh (w, "shape/plain", 0, tetra_v, 4, NULL, tetra_f, 4, NULL), "mesh");
  /* a face of three corners in a line: nothing to fill */
  check (lm_writer_add_mesh (w, "shape/flat", 4, (const float[]) { 0, 0, 0, 1, 1, 1, 2, 2, 2 }, 3, NULL,
                             (const gint32[]) { 0, 1, 2 }, 1, NULL),
         "mesh");
  check (lm_writer_close (w), "close");
  win = open_window (dir);
  lm_ui_wait_settled (win);
  cloud = view_of (card_of (win, "x", "cloud/plain"));
  small = view_of (card_of (win, "x", "cloud/small"));
  tetra = view_of (card_of (win, "x", "shape/plain"));

  lm_palette_color (0, &run);   /* the first run's colour */
  want = 0xff000000u | (guint32) lround (run.red * 255) << 16 | (guint32) lround (run.green * 255) << 8
         | (guint32) lround (run.blue * 255);
  for (double f = 0.3; f < 0.7 && p == 0; f += 0.002)
    p = frame_pixel (cloud, f, f);
  g_test_message ("cloud pixel 0x%08x, run colour 0x%08x", p, want);
  g_assert_cmpuint (p, ==, want);
  p = frame_pixel (tetra, 0.5, 0.5);
  g_assert_cmpuint (R (p), ==, G (p));
  g_assert_cmpuint (G (p), ==, B (p));

  /* a mesh whose faces all have zero area: its vertices, as points, and why */
  {
    LmMeshCard *card = card_of (win, "x", "shape/flat");

    g_assert_cmpstr (lm_mesh_card_get_message (card), ==, "Step 4: its face has zero area; drawn as points");
    g_assert_cmpuint (count_drawn (view_of (card)), >=, 3 * 9);
    g_assert_null (lm_mesh_card_get_message (card_of (win, "x", "shape/plain")));
  }

  /* the largest frame's depth, and 20 + 16 bytes a vertex of the largest
   * cloud and mesh (proj for 500 points, normals for the tetrahedron's
   * 4), and 16 a face of the largest mesh drawn without its shading (the
   * tetrahedron's 4: only shown, it has none) */
  for (LmMeshView **it = (LmMeshView *[]) { cloud, small, tetra, view_of (card_of (win, "x", "shape/flat")), NULL };
       *it; it++)
    {
      cairo_surface_t *s = lm_mesh_view_get_surface (*it);

      g_assert_nonnull (s);
      px = MAX (px, (gsize) cairo_image_surface_get_width (s) * cairo_image_surface_get_height (s));
    }
  g_assert_cmpuint (lm_mesh_view_get_scratch_bytes (), ==, px * 4 + 500 * 20 + 4 * 16 + 4 * 16);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* Link (TensorBoard's shared camera): every card's view takes the camera
 * of the one linked from, and turns with any of them; unlinked, each is
 * its own again.  Every card's Link button shows the state. */
static void
test_linked (void)
{
  LmWindow *win;
  LmMeshCard *a, *b;
  LmMeshView *va, *vb;
  double yaw, pitch, dist, dist_a0, dist_b0;
  GtkEventController *drag;

  if (lm_ui_test_no_display ())
    return;
  win = open_window (logdir);
  lm_ui_wait_settled (win);
  a = card_of (win, "a", "shape/tetra");
  b = card_of (win, "b", "shape/tetra");
  va = view_of (a);
  vb = view_of (b);
  lm_mesh_view_get_camera (va, NULL, NULL, &dist_a0);
  lm_mesh_view_get_camera (vb, NULL, NULL, &dist_b0);
  g_assert_cmpfloat (dist_a0, <, dist_b0);   /* b's camera.fov is 60 */
  lm_mesh_view_set_camera (va, 100, -30, 2);
  lm_mesh_view_get_camera (vb, &yaw, NULL, NULL);
  g_assert_cmpfloat (yaw, ==, 30);   /* not linked yet */

  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (lm_mesh_card_get_link_button (a)), TRUE);
  g_assert_true (lm_mesh_view_get_linked ());
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (lm_mesh_card_get_link_button (b))));
  lm_mesh_view_get_camera (vb, &yaw, &pitch, &dist);
  g_assert_cmpfloat (yaw, ==, 100);
  g_assert_cmpfloat (pitch, ==, -30);
  g_assert_cmpfloat (dist, ==, 2);

  /* a drag on b turns a; b's Reset resets both */
  drag = lm_ui_find_controller (GTK_WIDGET (vb), GTK_TYPE_GESTURE_DRAG);
  lm_ui_emit (drag, "drag-begin", 50.0, 50.0);
  lm_ui_emit (drag, "drag-update", 20.0, 0.0);
  lm_ui_emit (drag, "drag-end", 20.0, 0.0);
  lm_mesh_view_get_camera (va, &yaw, &pitch, NULL);
  g_assert_cmpfloat_with_epsilon (yaw, 90, 1e-9);
  g_assert_cmpfloat (pitch, ==, -30);
  lm_ui_emit (lm_mesh_card_get_reset_button (b), "clicked");
  lm_mesh_view_get_camera (va, &yaw, &pitch, &dist);
  g_assert_cmpfloat (yaw, ==, 30);
  g_assert_cmpfloat (pitch, ==, 20);
  g_assert_cmpfloat (dist, ==, dist_a0);   /* each fits its own field of view */
  lm_mesh_view_get_camera (vb, NULL, NULL, &dist);
  g_assert_cmpfloat (dist, ==, dist_b0);

  /* unlinked from b: a stays where it is */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (lm_mesh_card_get_link_button (b)), FALSE);
  g_assert_false (lm_mesh_view_get_linked ());
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (lm_mesh_card_get_link_button (a))));
  lm_mesh_view_set_camera (vb, 200, 0, 3);
  lm_mesh_view_get_camera (va, &yaw, NULL, NULL);
  g_assert_cmpfloat (yaw, ==, 30);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* A linked view dragged and then removed (its card refreshed away) gets
 * no drag-end: the views that followed it leave their quick frames all
 * the same. */
static void
test_linked_dispose (void)
{
  LmMeshView *va, *vb;
  GtkEventController *drag;

  if (lm_ui_test_no_display ())
    return;
  va = LM_MESH_VIEW (g_object_ref_sink (lm_mesh_view_new ()));
  vb = LM_MESH_VIEW (g_object_ref_sink (lm_mesh_view_new ()));
  lm_mesh_view_set_linked (va, TRUE);
  drag = lm_ui_find_controller (GTK_WIDGET (vb), GTK_TYPE_GESTURE_DRAG);
  lm_ui_emit (drag, "drag-begin", 50.0, 50.0);
  lm_ui_emit (drag, "drag-update", 20.0, 0.0);
  g_assert_true (lm_mesh_view_get_dragging (vb));
  g_assert_true (lm_mesh_view_get_dragging (va));
  g_object_unref (vb);
  g_assert_false (lm_mesh_view_get_dragging (va));
  lm_mesh_view_set_linked (va, FALSE);
  g_object_unref (va);
}

/* Pixels of exactly this colour (0xRRGGBB) in the last screenshot. */
static guint
count_shot_color (guint32 rgb)
{
  g_autofree char *png = g_build_filename (scratch_dir, "mesh.png", NULL);
  g_autoptr (GError) error = NULL;
  LmUiImage img = { 0 };
  guint n = 0;

  if (!lm_ui_image_load (png, &img, &error))
    g_error ("%s", error->message);
  for (int y = 0; y < img.height; y++)
    for (int x = 0; x < img.width; x++)
      {
        const guchar *p = img.pixels + (gsize) y * img.stride + 4 * x;   /* B, G, R, A */

        n += p[2] == R (rgb) && p[1] == G (rgb) && p[0] == B (rgb);
      }
  g_free (img.pixels);
  return n;
}

/* HiDPI: a point of the default size is 4 px of the screen, so at
 * GDK_SCALE=2 it covers four times the device pixels (it was 4 device
 * pixels, half as wide as at scale 1). */
static void
test_hidpi_points (void)
{
  static const float one[] = { 0, 0, 0 };
  static const guint8 green[] = { 10, 250, 10 };
  static const char *const size[] = { "--window-size", "700x500", NULL };
  g_autofree char *dir = NULL, *err1 = NULL, *err2 = NULL;
  guint n1, n2;
  lm_writer *w;

  if (!have_display || lumen_bin == NULL)
    {
      g_test_skip (have_display ? "no lumen binary (--lumen-bin PATH or LUMEN_BIN)" : "no display");
      return;
    }
  dir = g_build_filename (scratch_dir, "hidpi", NULL);
  check (lm_writer_open (&w, dir, "x"), "open");
  check (lm_writer_add_mesh (w, "cloud/one", 0, one, 1, green, NULL, 0, NULL), "mesh");
  check (lm_writer_close (w), "close");
  if (!g_spawn_check_wait_status (run_lumen_in (dir, "1", size, &err1), NULL))
    g_error ("lumen at scale 1 failed: %s", err1);
  n1 = count_shot_color (0x0afa0a);
  if (!g_spawn_check_wait_status (run_lumen_in (dir, "2", size, &err2), NULL))
    g_error ("lumen at scale 2 failed: %s", err2);
  n2 = count_shot_color (0x0afa0a);
  g_test_message ("one point: %u device pixels at scale 1, %u at scale 2", n1, n2);
  g_assert_cmpuint (n1, >=, 10);
  g_assert_cmpuint (n1, <=, 20);
  g_assert_cmpuint (n2, >=, 3 * n1);
  g_assert_cmpuint (n2, <=, 5 * n1);
  lm_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  int rc;

  /* GTK's test accessibility backend: the screen reader's names are read */
  g_setenv ("GTK_A11Y", "test", TRUE);
  scratch_dir = lm_test_tmpdir_new ("lumen-mesh-scratch-XXXXXX");
  lumen_bin = lm_ui_take_lumen_bin (&argc, &argv);
  have_display = lm_ui_test_init (&argc, &argv);
  logdir = lm_test_tmpdir_new ("lumen-mesh-XXXXXX");
  empty_dir = lm_test_tmpdir_new ("lumen-mesh-empty-XXXXXX");
  many_dir = lm_test_tmpdir_new ("lumen-mesh-many-XXXXXX");
  write_fixture ();
  g_test_add_func ("/ui/mesh/cards", test_cards);
  g_test_add_func ("/ui/mesh/pixels", test_pixels);
  g_test_add_func ("/ui/mesh/slider", test_slider);
  g_test_add_func ("/ui/mesh/camera", test_camera);
  g_test_add_func ("/ui/mesh/offscreen", test_offscreen);
  g_test_add_func ("/ui/mesh/broken", test_broken);
  g_test_add_func ("/ui/mesh/empty", test_empty);
  g_test_add_func ("/ui/mesh/cli-view", test_cli_view);
  g_test_add_func ("/ui/mesh/run-color", test_run_color);
  g_test_add_func ("/ui/mesh/drag-points", test_drag_points);
  g_test_add_func ("/ui/mesh/shading-worker", test_shading_worker);
  g_test_add_func ("/ui/mesh/hidpi-points", test_hidpi_points);
  g_test_add_func ("/ui/mesh/linked", test_linked);
  g_test_add_func ("/ui/mesh/linked-dispose", test_linked_dispose);
  rc = g_test_run ();
  lm_test_rm_rf (logdir);
  lm_test_rm_rf (empty_dir);
  lm_test_rm_rf (many_dir);
  g_free (many_dir);
  lm_test_rm_rf (scratch_dir);
  g_free (logdir);
  g_free (empty_dir);
  g_free (scratch_dir);
  return have_display ? rc : 77;
}
