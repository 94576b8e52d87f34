/* test-image-grid.c: per-cell labels of image grids in the images
 * dashboard (ui/lm-image-canvas.c, ui/lm-image-card.c), under a display.
 *
 * What it checks, on pixels of the rendered window: a labelled grid
 * (lm_writer_add_images_grid with labels) has a dark label strip with
 * white text at the bottom of every cell and the rest of each cell
 * untouched; a grid without labels, and a grid whose JSON is malformed,
 * have no strip (the malformed one still shows its image, and its tooltip
 * says why there are no labels); "pred P / true T" labels get a green
 * strip when right and a red one when wrong; cells drawn smaller than
 * LM_IMAGE_CANVAS_MIN_LABEL_CELL get no strip but are still named on
 * hover; hover text is "image k: label"; the card's label switch removes
 * the strips; the full-size window opens magnified with the same labels.
 * Set LUMEN_TEST_SHOTS=DIR to keep the rendered PNGs there.  Skips
 * without a display.
 */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include <lumen-log.h>

#include "lm-image-canvas.h"
#include "ui-test-util.h"
#include "lm-image-card.h"
#include "lm-window.h"
#include "lm-test-records.h"
#include "lm-test-run.h"

#define RUN "g"
#define CELL 28
/* Every cell is this colour: bright, and never white-ish (blue is low). */
static const guint8 cell_rgb[3] = { 240, 200, 40 };
static const char *const labels4[4] = { "Coat", "Bag", "Ankle boot", "T-shirt/top" };

static gboolean have_display;
static char *logdir;

/* ------------------------------------------------------------ fixture */

static void
check (int rc, const char *what)
{
  if (rc != LM_OK)
    g_error ("%s: %s", what, lm_log_last_error ());
}

static void
write_fixture (void)
{
  guint8 *px = g_malloc (64 * CELL * CELL * 3);
  const char *small_labels[64], *pred_labels[2] = { "pred Bag / true Bag", "pred Bag / true Coat" };
  char names[64][8];
  g_autofree char *path = g_build_filename (logdir, RUN, "run.lumen", NULL);
  lm_writer *w;
  sqlite3 *db;

  for (int i = 0; i < 64 * CELL * CELL; i++)
    memcpy (px + 3 * i, cell_rgb, 3);
  for (int i = 0; i < 64; i++)
    {
      g_snprintf (names[i], sizeof names[i], "c%d", i);
      small_labels[i] = names[i];
    }
  check (lm_writer_open (&w, logdir, RUN), "open");
  /* 2x2 cells of 28x28 with padding 2: a 62x62 image. */
  check (lm_writer_add_images_grid (w, "grid/labelled", 0, px, 4, CELL, CELL, 3, 2, 2, 0, labels4), "grid");
  check (lm_writer_add_images_grid (w, "grid/plain", 0, px, 4, CELL, CELL, 3, 2, 2, 0, NULL), "grid");
  check (lm_writer_add_images_grid (w, "grid/bad", 0, px, 4, CELL, CELL, 3, 2, 2, 0, labels4), "grid");
  check (lm_writer_add_images_grid (w, "grid/pred", 0, px, 2, CELL, CELL, 3, 2, 2, 0, pred_labels), "grid");
  /* 8x8 cells of 8x8: far below the label threshold when fitted. */
  check (lm_writer_add_images_grid (w, "grid/small", 0, px, 64, 8, 8, 3, 8, 2, 0, small_labels), "grid");
  check (lm_writer_close (w), "close");
  g_free (px);

  /* Damage one grid's JSON after the fact, as a buggy writer might. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE images SET grid = '{\"n\":4,\"nrow\":2,\"rows\":2,\"labels\":[\"Coat\",' "
                                     "WHERE tag_id = (SELECT id FROM tags WHERE name = 'grid/bad')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  /* and its boxes, cut short too */
  g_assert_cmpint (sqlite3_exec (db, "UPDATE images SET boxes = '[{\"x0\":1,' "
                                     "WHERE tag_id = (SELECT id FROM tags WHERE name = 'grid/bad')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* ------------------------------------------------------------ helpers */

static gboolean
settled (gpointer win)
{
  return lm_window_is_settled (win);
}

typedef LmUiImage Image;   /* B, G, R, A (GDK_MEMORY_DEFAULT) */

static void
shoot (LmWindow *win, const char *name, Image *img)
{
  g_autofree char *path = g_build_filename (logdir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (lm_ui_save_screenshot (win, path, &error));
  g_assert_true (lm_ui_image_load (path, img, &error));
}

/* Counts of pixel kinds in a rectangle of img. */
typedef struct
{
  guint total, cell, dark, white, green, red;
} Census;

static Census
census (const Image *img, double x0, double y0, double x1, double y1)
{
  Census c = { 0 };

  for (int y = (int) y0; y < (int) y1; y++)
    for (int x = (int) x0; x < (int) x1; x++)
      {
        const guchar *p;
        int r, g, b;

        g_assert_true (x >= 0 && y >= 0 && x < img->width && y < img->height);
        p = img->pixels + y * img->stride + x * 4;
        r = p[2];
        g = p[1];
        b = p[0];
        c.total++;
        c.cell += abs (r - cell_rgb[0]) <= 8 && abs (g - cell_rgb[1]) <= 8 && abs (b - cell_rgb[2]) <= 8;
        c.dark += r < 130 && g < 110;
        c.white += r > 200 && g > 200 && b > 200;
        c.green += g > r + 40;
        c.red += r > g + 60 && r > 90;
      }
  return c;
}

static LmImageCard *
find_card (LmWindow *win, const char *tag)
{
  GtkWidget *page = lm_dashboards_get_page (lm_window_get_dashboards (win), "images");
  GtkWidget *card = lm_record_dashboard_find_card (LM_RECORD_DASHBOARD (page), RUN, tag);

  g_assert_nonnull (card);
  return LM_IMAGE_CARD (card);
}

static LmImageCanvas *
canvas_of (LmImageCard *card)
{
  return LM_IMAGE_CANVAS (lm_image_card_get_canvas (card));
}

/* Cell k of a card's canvas in window coordinates. */
static graphene_rect_t
cell_in (LmWindow *win, LmImageCard *card, int k)
{
  GtkWidget *canvas = lm_image_card_get_canvas (card);
  graphene_rect_t r;
  graphene_point_t o;

  g_assert_true (lm_image_canvas_get_cell_rect (LM_IMAGE_CANVAS (canvas), k, &r));
  g_assert_true (gtk_widget_compute_point (canvas, GTK_WIDGET (win), &GRAPHENE_POINT_INIT (0, 0), &o));
  r.origin.x += o.x;
  r.origin.y += o.y;
  return r;
}

/* The bottom rows of a cell (inside any label strip) and its upper part
 * (above any strip), each inset by 2 px from the cell's edges. */
static Census
bottom_of (const Image *img, graphene_rect_t r)
{
  return census (img, r.origin.x + 2, r.origin.y + r.size.height - 9, r.origin.x + r.size.width - 2,
                 r.origin.y + r.size.height - 2);
}

static Census
top_of (const Image *img, graphene_rect_t r)
{
  return census (img, r.origin.x + 2, r.origin.y + 2, r.origin.x + r.size.width - 2,
                 r.origin.y + r.size.height * 0.5);
}

static void
assert_strip (const Image *img, graphene_rect_t r, const char *what)
{
  Census bottom = bottom_of (img, r), top = top_of (img, r);

  g_test_message ("%s: cell %.0fx%.0f at %.0f,%.0f; bottom %u px: %u dark, %u white, %u cell colour; "
                  "top %u px: %u cell colour", what, r.size.width, r.size.height, r.origin.x, r.origin.y,
                  bottom.total, bottom.dark, bottom.white, bottom.cell, top.total, top.cell);
  /* Mostly dark strip, some white text, none of the cell's colour... */
  g_assert_cmpuint (bottom.dark, >, bottom.total / 2);
  g_assert_cmpuint (bottom.white, >=, 5);
  g_assert_cmpuint (bottom.cell, <, bottom.total / 20);
  /* ...and the picture above it untouched. */
  g_assert_cmpuint (top.cell, >, top.total * 98 / 100);
}

static void
assert_no_strip (const Image *img, graphene_rect_t r, const char *what)
{
  Census bottom = bottom_of (img, r);

  g_test_message ("%s: bottom %u px: %u cell colour, %u white", what, bottom.total, bottom.cell, bottom.white);
  g_assert_cmpuint (bottom.cell, >, bottom.total * 98 / 100);
  g_assert_cmpuint (bottom.white, ==, 0);
}

static LmWindow *
open_window (void)
{
  LmWindow *win = lm_window_new (NULL, logdir);

  gtk_window_set_default_size (GTK_WINDOW (win), 1500, 1000);
  g_assert_true (lm_dashboards_set_view (lm_window_get_dashboards (win), "images"));
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  lm_test_spin (150);
  return win;
}

/* --------------------------------------------------------------- tests */

static void
test_card_labels (void)
{
  LmWindow *win;
  LmImageCard *labelled, *plain, *bad, *pred, *small;
  Image img;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  win = open_window ();
  labelled = find_card (win, "grid/labelled");
  plain = find_card (win, "grid/plain");
  bad = find_card (win, "grid/bad");
  pred = find_card (win, "grid/pred");
  small = find_card (win, "grid/small");
  for (guint i = 0; i < 5; i++)
    {
      LmImageCard *c = (LmImageCard *[]) { labelled, plain, bad, pred, small }[i];

      g_assert_cmpint (lm_image_card_get_shown_index (c), ==, 0);
      g_assert_null (lm_image_card_get_error (c));   /* every image shows, the bad grid's too */
    }
  g_assert_nonnull (lm_image_canvas_get_grid (canvas_of (labelled)));
  g_assert_true (lm_image_canvas_get_labels_drawn (canvas_of (labelled)));
  g_assert_false (lm_image_canvas_get_labels_drawn (canvas_of (plain)));
  g_assert_null (lm_image_canvas_get_grid (canvas_of (bad)));
  g_assert_false (lm_image_canvas_get_labels_drawn (canvas_of (bad)));
  g_assert_nonnull (lm_image_canvas_get_grid (canvas_of (small)));
  g_assert_false (lm_image_canvas_get_labels_drawn (canvas_of (small)));

  shoot (win, "grid-card.png", &img);
  for (int k = 0; k < 4; k++)
    {
      g_autofree char *what = g_strdup_printf ("labelled cell %d", k);

      assert_strip (&img, cell_in (win, labelled, k), what);
      assert_no_strip (&img, cell_in (win, plain, k), "plain");
    }
  /* The bad grid has no layout, so check where its cells would be: the
   * same place as the plain grid's, relative to its canvas. */
  {
    GtkWidget *bad_canvas = lm_image_card_get_canvas (bad), *plain_canvas = lm_image_card_get_canvas (plain);
    graphene_point_t pb, pp;
    graphene_rect_t r = cell_in (win, plain, 3);

    g_assert_true (gtk_widget_compute_point (bad_canvas, GTK_WIDGET (win), &GRAPHENE_POINT_INIT (0, 0), &pb));
    g_assert_true (gtk_widget_compute_point (plain_canvas, GTK_WIDGET (win), &GRAPHENE_POINT_INIT (0, 0), &pp));
    /* Cards in one row may differ by a pixel of allocation. */
    g_assert_cmpint (ABS (gtk_widget_get_width (bad_canvas) - gtk_widget_get_width (plain_canvas)), <=, 1);
    r.origin.x += pb.x - pp.x;
    r.origin.y += pb.y - pp.y;
    assert_no_strip (&img, r, "malformed grid JSON");
    g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (bad_canvas), "No cell labels: grid JSON"));
    /* both said, a line each (the boxes' reason was left out) */
    g_test_message ("%s", gtk_widget_get_tooltip_text (bad_canvas));
    g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (bad_canvas), "\nNo boxes: "));
    g_assert_null (lm_image_canvas_get_boxes (LM_IMAGE_CANVAS (bad_canvas)));
  }
  /* A right prediction on green, a wrong one on red. */
  {
    Census right = bottom_of (&img, cell_in (win, pred, 0)), wrong = bottom_of (&img, cell_in (win, pred, 1));

    g_test_message ("pred: right %u/%u green, wrong %u/%u red", right.green, right.total, wrong.red, wrong.total);
    g_assert_cmpuint (right.green, >, right.total / 2);
    g_assert_cmpuint (right.red, ==, 0);
    g_assert_cmpuint (wrong.red, >, wrong.total / 2);
    g_assert_cmpuint (wrong.green, ==, 0);
  }
  /* Small cells: no strips anywhere on the image, no white. */
  {
    graphene_rect_t first = cell_in (win, small, 0), last = cell_in (win, small, 63);
    Census all = census (&img, first.origin.x, first.origin.y, last.origin.x + last.size.width,
                         last.origin.y + last.size.height);

    g_test_message ("small cells %.1f px high", first.size.height);
    g_assert_cmpfloat (first.size.height, <, LM_IMAGE_CANVAS_MIN_LABEL_CELL);
    g_assert_cmpuint (all.white, ==, 0);
    for (int k = 0; k < 64; k++)
      {
        Census cell = bottom_of (&img, cell_in (win, small, k));

        g_assert_cmpuint (cell.cell, >, cell.total * 98 / 100);
      }
  }
  g_free (img.pixels);

  /* The label switch takes the strips away, and brings them back. */
  lm_image_card_set_show_labels (labelled, FALSE);
  lm_test_spin (100);
  shoot (win, "grid-card-off.png", &img);
  for (int k = 0; k < 4; k++)
    assert_no_strip (&img, cell_in (win, labelled, k), "labels off");
  g_free (img.pixels);
  lm_image_card_set_show_labels (labelled, TRUE);
  g_assert_true (lm_image_canvas_get_labels_drawn (canvas_of (labelled)));
  gtk_window_destroy (GTK_WINDOW (win));
}

static char *
describe_centre (LmImageCanvas *canvas, int k)
{
  graphene_rect_t r;

  g_assert_true (lm_image_canvas_get_cell_rect (canvas, k, &r));
  return lm_image_canvas_describe_at (canvas, r.origin.x + r.size.width / 2, r.origin.y + r.size.height / 2);
}

static void
test_hover (void)
{
  LmWindow *win;
  LmImageCanvas *labelled, *plain, *small, *bad;
  graphene_rect_t r0, r1;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  win = open_window ();
  labelled = canvas_of (find_card (win, "grid/labelled"));
  plain = canvas_of (find_card (win, "grid/plain"));
  small = canvas_of (find_card (win, "grid/small"));
  bad = canvas_of (find_card (win, "grid/bad"));
  for (int k = 0; k < 4; k++)
    {
      g_autofree char *text = describe_centre (labelled, k), *want = g_strdup_printf ("image %d: %s", k, labels4[k]);
      g_autofree char *bare = describe_centre (plain, k), *want_bare = g_strdup_printf ("image %d", k);

      g_assert_cmpstr (text, ==, want);
      g_assert_cmpstr (bare, ==, want_bare);
    }
  {
    g_autofree char *text = describe_centre (small, 42);

    g_assert_cmpstr (text, ==, "image 42: c42");
  }
  /* The padding between cells and the margin around the picture name
   * nothing (the tooltip falls back to the card's hint). */
  g_assert_true (lm_image_canvas_get_cell_rect (labelled, 0, &r0));
  g_assert_true (lm_image_canvas_get_cell_rect (labelled, 1, &r1));
  g_assert_null (lm_image_canvas_describe_at (labelled, (r0.origin.x + r0.size.width + r1.origin.x) / 2,
                                              r0.origin.y + 10));
  g_assert_null (lm_image_canvas_describe_at (labelled, 1, 1));
  g_assert_null (lm_image_canvas_describe_at (bad, gtk_widget_get_width (GTK_WIDGET (bad)) / 2.0,
                                              gtk_widget_get_height (GTK_WIDGET (bad)) / 2.0));

  /* The pointer over cell 1 outlines it in white (on the black padding
   * around it); leaving takes the outline away. */
  {
    GtkEventController *motion = lm_ui_find_controller (GTK_WIDGET (labelled), GTK_TYPE_EVENT_CONTROLLER_MOTION);
    graphene_rect_t cell = cell_in (win, find_card (win, "grid/labelled"), 1);
    Census left;
    Image img;

    g_assert_nonnull (motion);
    lm_ui_emit (motion, "motion", r1.origin.x + r1.size.width / 2, r1.origin.y + r1.size.height / 2);
    lm_test_spin (100);
    shoot (win, "grid-hover.png", &img);
    left = census (&img, cell.origin.x - 3, cell.origin.y + 10, cell.origin.x, cell.origin.y + cell.size.height - 10);
    g_test_message ("hover outline: %u of %u px white left of cell 1", left.white, left.total);
    g_assert_cmpuint (left.white, >=, (guint) (cell.size.height - 20));
    g_free (img.pixels);
    lm_ui_emit (motion, "leave");
    lm_test_spin (100);
    shoot (win, "grid-hover-left.png", &img);
    left = census (&img, cell.origin.x - 3, cell.origin.y + 10, cell.origin.x, cell.origin.y + cell.size.height - 10);
    g_assert_cmpuint (left.white, ==, 0);
    g_free (img.pixels);
  }
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_full_size (void)
{
  LmWindow *win;
  LmImageCard *card;
  GtkWidget *full, *canvas;
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GdkTexture) tex = NULL;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  graphene_rect_t r;
  Image img;
  int w, h;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  win = open_window ();
  card = find_card (win, "grid/labelled");
  full = lm_image_card_open_full_size (card);
  g_assert_nonnull (full);
  canvas = lm_ui_find_descendant (full, LM_TYPE_IMAGE_CANVAS);
  g_assert_nonnull (canvas);
  lm_test_spin (300);
  g_assert_true (gtk_widget_get_mapped (canvas));
  /* A 62x62 grid opens magnified 8 times, pixels crisp. */
  g_assert_cmpint (lm_image_canvas_get_zoom (LM_IMAGE_CANVAS (canvas)), ==, 8);
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (full)), "(×8)"));
  g_assert_true (lm_image_canvas_get_labels_drawn (LM_IMAGE_CANVAS (canvas)));
  {
    g_autofree char *text = describe_centre (LM_IMAGE_CANVAS (canvas), 3);

    g_assert_cmpstr (text, ==, "image 3: T-shirt/top");
  }

  /* Render the canvas alone and look at cell 2's strip. */
  w = gtk_widget_get_width (canvas);
  h = gtk_widget_get_height (canvas);
  paintable = gtk_widget_paintable_new (canvas);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  tex = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (full)), node,
                                     &GRAPHENE_RECT_INIT (0, 0, w, h));
  gsk_render_node_unref (node);
  lm_ui_keep_shot (tex, "grid-full-size.png");
  lm_ui_image_from_texture (tex, &img);
  for (int k = 0; k < 4; k++)
    {
      g_assert_true (lm_image_canvas_get_cell_rect (LM_IMAGE_CANVAS (canvas), k, &r));
      g_assert_cmpfloat_with_epsilon (r.size.height, CELL * 8, 0.01);
      assert_strip (&img, r, "full size");
    }
  g_free (img.pixels);
  gtk_window_destroy (GTK_WINDOW (full));
  gtk_window_destroy (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  int rc;

  have_display = lm_ui_test_init (&argc, &argv);
  logdir = lm_test_tmpdir_new ("lumen-dash-XXXXXX");
  write_fixture ();
  g_test_add_func ("/ui/image-grid/card-labels", test_card_labels);
  g_test_add_func ("/ui/image-grid/hover", test_hover);
  g_test_add_func ("/ui/image-grid/full-size", test_full_size);
  rc = g_test_run ();
  lm_test_rm_rf (logdir);
  g_free (logdir);
  return have_display ? rc : 77;
}
