/* test-image-boxes.c: boxes logged with lm_writer_add_image_with_boxes
 * drawn over the image (ui/lm-image-canvas.c, ui/lm-image-card.c), under
 * a display.
 *
 * What it checks, on the canvas's rendered pixels: red on each side of a
 * box's outline where PyTorch's 2-px line lies (lm_image_box_outline),
 * the image's own colour inside the box and outside the outline, a
 * labelled box's red label box with dark text at its bottom-left, red
 * kept red under brightness and contrast, the card's Boxes switch taking
 * them away, and the full-size window drawing the outline 2 image pixels
 * wide at its zoom.  Set LUMEN_TEST_SHOTS=DIR to keep the rendered PNGs
 * there.  Skips without a display.
 */
#include <gtk/gtk.h>
#include <stdlib.h>
#include <string.h>

#include <lumen-log.h>
#include <sqlite3.h>

#include "lm-image-canvas.h"
#include "lm-image-card.h"
#include "lm-test-records.h"
#include "lm-test-run.h"
#include "lm-window.h"
#include "ui-test-util.h"

#define RUN "b"
#define W 40
#define H 30
/* The image: one colour, far from red and from black. */
static const guint8 img_rgb[3] = { 60, 140, 220 };
/* xmin, ymin, xmax, ymax: labelled, unlabelled */
static const float boxes[] = { 6, 5, 30, 24, 22, 2, 36, 12 };

static gboolean have_display;
static char *logdir;

static void
write_fixture (void)
{
  guint8 px[W * H * 3];
  const char *labels[] = { "cat", NULL };
  lm_writer *w;

  for (int i = 0; i < W * H; i++)
    memcpy (px + 3 * i, img_rgb, 3);
  g_assert_cmpint (lm_writer_open (&w, logdir, RUN), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_image_with_boxes (w, "det", 0, px, W, H, 3, boxes, 2, labels), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
}

/* The canvas's own drawing, now, as B, G, R, A bytes. */
typedef struct
{
  int width, height, stride;
  guchar *data;
  cairo_surface_t *surface;
} Shot;

static Shot
shoot (GtkWidget *canvas, const char *name)
{
  Shot s;

  s.surface = lm_ui_snapshot_widget (canvas);
  cairo_surface_flush (s.surface);
  s.width = cairo_image_surface_get_width (s.surface);
  s.height = cairo_image_surface_get_height (s.surface);
  s.stride = cairo_image_surface_get_stride (s.surface);
  s.data = cairo_image_surface_get_data (s.surface);
  if (g_getenv ("LUMEN_TEST_SHOTS") != NULL)
    {
      g_autofree char *path = g_build_filename (g_getenv ("LUMEN_TEST_SHOTS"), name, NULL);

      cairo_surface_write_to_png (s.surface, path);
    }
  return s;
}

static void
rgb_at (const Shot *s, double x, double y, int rgb[3])
{
  int ix = (int) x, iy = (int) y;
  const guchar *p;

  g_assert_true (ix >= 0 && iy >= 0 && ix < s->width && iy < s->height);
  p = s->data + iy * s->stride + ix * 4;
  rgb[0] = p[2];
  rgb[1] = p[1];
  rgb[2] = p[0];
}

static gboolean
is_red (const Shot *s, double x, double y)
{
  int c[3];

  rgb_at (s, x, y, c);
  return c[0] > 230 && c[1] < 30 && c[2] < 30;
}

static gboolean
is_image (const Shot *s, double x, double y, const int want[3])
{
  int c[3];

  rgb_at (s, x, y, c);
  return abs (c[0] - want[0]) <= 6 && abs (c[1] - want[1]) <= 6 && abs (c[2] - want[2]) <= 6;
}

/* Screen point of image point (x, y) on the canvas, for an image of
 * iw x ih pixels. */
static void
to_screen_wh (GtkWidget *canvas, int iw, int ih, double x, double y, double *sx, double *sy)
{
  graphene_rect_t r;

  g_assert_true (lm_image_canvas_get_image_rect (LM_IMAGE_CANVAS (canvas), &r));
  *sx = r.origin.x + x * r.size.width / iw;
  *sy = r.origin.y + y * r.size.height / ih;
}

static void
to_screen (GtkWidget *canvas, double x, double y, double *sx, double *sy)
{
  to_screen_wh (canvas, W, H, x, y, sx, sy);
}

/* The first box's outline red on all four sides (PIL's line: columns 6-7
 * and 29-30, rows 4-5 and 24-25 of the image), the image inside it and
 * outside; `want` the image's colour on screen. */
static void
assert_outline (GtkWidget *canvas, const Shot *s, const int want[3], const char *what)
{
  static const struct
  {
    double x, y;
    gboolean red;
  } probes[] = {
    { 7, 15, TRUE },  { 30, 15, TRUE },  { 18, 5, TRUE },  { 18, 25, TRUE },   /* the four sides */
    { 6, 4, TRUE }, { 30, 25, TRUE },                                         /* corners */
    { 9, 15, FALSE }, { 28, 15, FALSE }, { 18, 7, FALSE }, { 18, 14, FALSE }, /* inside */
    { 5, 15, FALSE }, { 32, 18, FALSE }, { 18, 3, FALSE }, { 18, 27, FALSE }, /* outside */
  };

  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      double x, y;

      to_screen (canvas, probes[i].x + 0.5, probes[i].y + 0.5, &x, &y);
      if (probes[i].red != is_red (s, x, y) || (!probes[i].red && !is_image (s, x, y, want)))
        {
          int c[3];

          rgb_at (s, x, y, c);
          g_error ("%s: image pixel %.1f,%.1f (screen %.0f,%.0f) is %d,%d,%d, want %s", what, probes[i].x,
                   probes[i].y, x, y, c[0], c[1], c[2], probes[i].red ? "red" : "the image's colour");
        }
    }
}

/* Red and dark (text) pixels in the label box, above the first box's
 * bottom-left corner. */
static void
assert_label (GtkWidget *canvas, const Shot *s)
{
  double x0, y1;
  int red = 0, dark = 0;

  to_screen (canvas, 6, 25, &x0, &y1);
  for (int y = (int) y1 - 12; y < (int) y1; y++)
    for (int x = (int) x0 + 1; x < (int) x0 + 20; x++)
      {
        int c[3];

        rgb_at (s, x, y, c);
        red += c[0] > 200 && c[1] < 60 && c[2] < 60;
        dark += c[0] < 90 && c[1] < 60 && c[2] < 60;
      }
  g_test_message ("label box: %d red, %d dark", red, dark);
  g_assert_cmpint (red, >, 60);
  g_assert_cmpint (dark, >, 8);
}

static void
test_card (void)
{
  LmWindow *win;
  GtkWidget *page, *canvas;
  LmImageCard *card;
  LmImageBoxes *b;
  const int plain[3] = { img_rgb[0], img_rgb[1], img_rgb[2] };
  Shot s;

  if (lm_ui_test_no_display ())
    return;
  win = lm_ui_open_view (logdir, "images", 1200, 900);
  page = lm_dashboards_get_page (lm_window_get_dashboards (win), "images");
  card = LM_IMAGE_CARD (lm_record_dashboard_find_card (LM_RECORD_DASHBOARD (page), RUN, "det"));
  g_assert_nonnull (card);
  canvas = lm_image_card_get_canvas (card);
  b = lm_image_canvas_get_boxes (LM_IMAGE_CANVAS (canvas));
  g_assert_nonnull (b);
  g_assert_cmpint (b->n, ==, 2);
  g_assert_cmpstr (b->boxes[0].label, ==, "cat");

  s = shoot (canvas, "boxes-card.png");
  assert_outline (canvas, &s, plain, "card");
  assert_label (canvas, &s);
  /* the second box's outline: column 22 on its left, row 12-13 below */
  {
    double x, y;

    to_screen (canvas, 22.5, 8.5, &x, &y);
    g_assert_true (is_red (&s, x, y));
    to_screen (canvas, 34.5, 13.5, &x, &y);
    g_assert_true (is_red (&s, x, y));
  }
  cairo_surface_destroy (s.surface);

  /* brightness and contrast change the picture, not the boxes */
  lm_image_card_set_adjust (card, 0.3, 1.5);
  s = shoot (canvas, "boxes-adjusted.png");
  {
    double x, y;
    int adjusted[3];

    to_screen (canvas, 18.5, 14.5, &x, &y);
    rgb_at (&s, x, y, adjusted);
    g_assert_cmpint (abs (adjusted[0] - plain[0]) + abs (adjusted[1] - plain[1]), >, 40);
    assert_outline (canvas, &s, adjusted, "adjusted");
  }
  cairo_surface_destroy (s.surface);
  lm_image_card_set_adjust (card, 0, 1);

  /* the Boxes switch takes them away */
  lm_image_card_set_show_boxes (card, FALSE);
  g_assert_false (lm_image_canvas_get_show_boxes (LM_IMAGE_CANVAS (canvas)));
  s = shoot (canvas, "boxes-off.png");
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        double sx, sy;

        to_screen (canvas, x + 0.5, y + 0.5, &sx, &sy);
        g_assert_true (is_image (&s, sx, sy, plain));
      }
  cairo_surface_destroy (s.surface);
  lm_image_card_set_show_boxes (card, TRUE);

  /* full size: magnified, the line 2 image pixels wide */
  {
    GtkWidget *full = lm_image_card_open_full_size (card), *fc;
    int zoom;
    double x, y;

    g_assert_nonnull (full);
    fc = lm_ui_find_descendant (full, LM_TYPE_IMAGE_CANVAS);
    lm_test_spin (300);
    zoom = lm_image_canvas_get_zoom (LM_IMAGE_CANVAS (fc));
    g_assert_cmpint (zoom, >=, 8);
    g_assert_nonnull (lm_image_canvas_get_boxes (LM_IMAGE_CANVAS (fc)));
    s = shoot (fc, "boxes-full-size.png");
    assert_outline (fc, &s, plain, "full size");
    assert_label (fc, &s);
    /* columns 6 and 7 red to their edges, 5 and 8 not */
    to_screen (fc, 6.05, 15, &x, &y);
    g_assert_true (is_red (&s, x, y));
    to_screen (fc, 7.95, 15, &x, &y);
    g_assert_true (is_red (&s, x, y));
    to_screen (fc, 5.9, 15, &x, &y);
    g_assert_true (is_image (&s, x, y, plain));
    to_screen (fc, 8.1, 15, &x, &y);
    g_assert_true (is_image (&s, x, y, plain));
    cairo_surface_destroy (s.surface);
    gtk_window_destroy (GTK_WINDOW (full));
  }
  gtk_window_destroy (GTK_WINDOW (win));
}

/* A plain 800x450 picture with a labelled box in its middle and one at
 * its right edge, on a canvas alone in a window of `width` x `height`. */
static GtkWidget *
open_wide (int width, int height, gboolean fit, GtkWidget **canvas)
{
  static const float wide_boxes[] = { 300, 150, 420, 260, 740, 200, 795, 240 };
  const char *labels[] = { "person 0.98", "a long label at the right edge" };
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-boxes-wide-XXXXXX");
  g_autofree guint8 *px = g_malloc (800 * 450 * 3);
  g_autoptr (LmImagePixels) pixels = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL, *why = NULL;
  LmImageBoxes *boxes;
  GtkWidget *win = gtk_window_new ();
  lm_writer *w;
  gsize len;

  /* the picture as the loader hands it over, through a real PNG */
  for (int i = 0; i < 800 * 450; i++)
    memcpy (px + 3 * i, img_rgb, 3);
  g_assert_cmpint (lm_writer_open (&w, dir, "wide"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_image_with_boxes (w, "wide", 0, px, 800, 450, 3, wide_boxes, 2, labels), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  {
    g_autofree char *db = g_build_filename (dir, "wide", "run.lumen", NULL);
    g_autofree guint8 *png = NULL;
    sqlite3 *sq;
    sqlite3_stmt *st;

    g_assert_cmpint (sqlite3_open_v2 (db, &sq, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (sq, "SELECT png, boxes FROM images", -1, &st, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
    len = sqlite3_column_bytes (st, 0);
    png = g_memdup2 (sqlite3_column_blob (st, 0), len);
    json = g_strdup ((const char *) sqlite3_column_text (st, 1));
    sqlite3_finalize (st);
    sqlite3_close (sq);
    pixels = lm_image_decode_png (png, len, &error);
    g_assert_no_error (error);
  }
  lm_test_rm_rf (dir);
  boxes = lm_image_boxes_parse (json, &why);
  g_assert_nonnull (boxes);
  *canvas = lm_image_canvas_new ();
  lm_image_canvas_set_pixels (LM_IMAGE_CANVAS (*canvas), pixels, NULL);
  lm_image_canvas_set_boxes (LM_IMAGE_CANVAS (*canvas), boxes);
  lm_image_boxes_unref (boxes);
  lm_image_canvas_set_fit (LM_IMAGE_CANVAS (*canvas), fit);
  gtk_window_set_child (GTK_WINDOW (win), *canvas);
  gtk_window_set_default_size (GTK_WINDOW (win), width, height);
  gtk_window_present (GTK_WINDOW (win));
  lm_test_spin (300);
  return win;
}

/* Dark (text) pixels on the picture. */
static int
dark_pixels (GtkWidget *canvas, const Shot *s)
{
  graphene_rect_t r;
  int n = 0;

  g_assert_true (lm_image_canvas_get_image_rect (LM_IMAGE_CANVAS (canvas), &r));
  for (int y = MAX ((int) r.origin.y, 0); y < MIN ((int) (r.origin.y + r.size.height), s->height); y++)
    for (int x = MAX ((int) r.origin.x, 0); x < MIN ((int) (r.origin.x + r.size.width), s->width); x++)
      {
        int c[3];

        rgb_at (s, x, y, c);
        n += c[0] < 90 && c[1] < 60 && c[2] < 60;
      }
  return n;
}

/* Labels are no taller than PyTorch's burned-in ones: on an 800x450
 * picture fitted to a card's 330 px (13 image pixels are 5 on screen)
 * there are none, only the outlines; at 100% they are there, and the one
 * that would run off the right edge is moved in, whole.  Redrawing for a
 * brightness change takes the boxes as they were drawn; new boxes are
 * drawn again. */
static void
test_labels (void)
{
  GtkWidget *win, *canvas;
  Shot s;
  guint draws;

  if (lm_ui_test_no_display ())
    return;
  win = open_wide (330, 186, TRUE, &canvas);
  s = shoot (canvas, "boxes-wide-card.png");
  g_assert_cmpint (dark_pixels (canvas, &s), ==, 0);
  {
    double x, y;

    int c[3];

    /* the first box's left line (columns 300-301, under a screen pixel
     * wide, blended) is there */
    to_screen_wh (canvas, 800, 450, 301, 200, &x, &y);
    rgb_at (&s, x, y, c);
    g_assert_cmpint (c[0], >, c[2] + 60);
  }
  cairo_surface_destroy (s.surface);
  gtk_window_destroy (GTK_WINDOW (win));

  win = open_wide (900, 520, FALSE, &canvas);
  g_assert_cmpint (lm_image_canvas_get_zoom (LM_IMAGE_CANVAS (canvas)), ==, 1);
  s = shoot (canvas, "boxes-wide-full.png");
  g_assert_cmpint (dark_pixels (canvas, &s), >, 40);
  {
    double x, y, right, label_y;

    /* the right-edge box's label strip starts left of the box (x 740)
     * and ends at the picture's edge */
    to_screen_wh (canvas, 800, 450, 700.5, 236.5, &x, &label_y);
    g_assert_false (is_image (&s, x, label_y, (const int[3]) { img_rgb[0], img_rgb[1], img_rgb[2] }));
    to_screen_wh (canvas, 800, 450, 799.5, 236.5, &right, &y);
    g_assert_true (is_red (&s, right, y));
  }
  cairo_surface_destroy (s.surface);
  draws = lm_image_canvas_get_boxes_draws (LM_IMAGE_CANVAS (canvas));
  g_assert_cmpuint (draws, >=, 1);
  lm_image_canvas_set_adjust (LM_IMAGE_CANVAS (canvas), 0.2, 1.2);
  s = shoot (canvas, "boxes-wide-adjusted.png");
  g_assert_cmpint (dark_pixels (canvas, &s), >, 40);
  cairo_surface_destroy (s.surface);
  g_assert_cmpuint (lm_image_canvas_get_boxes_draws (LM_IMAGE_CANVAS (canvas)), ==, draws);
  {
    g_autoptr (LmImageBoxes) other = lm_image_boxes_parse ("[[10,10,50,50,\"dog\"]]", NULL);

    lm_image_canvas_set_boxes (LM_IMAGE_CANVAS (canvas), other);
    s = shoot (canvas, "boxes-wide-other.png");
    cairo_surface_destroy (s.surface);
    g_assert_cmpuint (lm_image_canvas_get_boxes_draws (LM_IMAGE_CANVAS (canvas)), ==, draws + 1);
  }
  gtk_window_destroy (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  int rc;

  have_display = lm_ui_test_init (&argc, &argv);
  logdir = lm_test_tmpdir_new ("lumen-boxes-XXXXXX");
  write_fixture ();
  g_test_add_func ("/ui/image-boxes/card", test_card);
  g_test_add_func ("/ui/image-boxes/labels", test_labels);
  rc = g_test_run ();
  lm_test_rm_rf (logdir);
  g_free (logdir);
  return have_display ? rc : 77;
}
