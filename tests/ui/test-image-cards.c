/* test-image-cards.c: what image cards hold and how they are laid out
 * (ui/lm-image-card.c, ui/lm-image-canvas.c, ui/lm-dash-util.c), under a
 * display.
 *
 * What it checks: memory follows the screen: a fitted card holds its
 * image reduced to about its size on screen (a 1200x900 image in a card
 * some 300 pixels wide is not kept whole), cards a few screens below the
 * view hold no pixels until scrolled to, and those scrolled away let
 * theirs go; actual size and the full-size window get the whole image,
 * and Fit goes back to the reduced one; the slider still reaches every
 * step.  Very elongated images (1000x1, 1x1000) are drawn fitted as
 * strips at least one pixel thick, in their colour.  A long tag name and a
 * long run name are ellipsized (whole in tooltips) and leave the card as
 * wide as any other, so the grid keeps its columns.  A full-size window
 * whose whole image cannot be loaded (its PNG damaged after the card
 * read it) keeps the reduced copy and says so above it, with the reason;
 * one that loads says nothing.
 *
 * Videos, on a run with one of three solid frames, red, green and blue
 * (lm_writer_add_video, 4 fps), a still after it and a second video
 * (cyan, magenta at 10 fps): held on frame 1 (as a screenshot holds it)
 * the card draws red and says "frame 1/3 · 4 fps"; playing, it goes on to
 * green; paused it keeps its frame; Space on the card plays and pauses;
 * the slider to the still stops the animation (no timer left, no frame
 * counter) and to the other video starts that one at its first frame; a
 * card in a hidden view, or scrolled out of view, sets no timer and plays
 * again when back; the full-size window plays on its own and Space
 * pauses it there; a video whose animated PNG is cut short shows the
 * reason on the card as a bad PNG does; `lumen --screenshot` draws the
 * first frame, `--video-frame 2` the second, and a bad --video-frame is
 * refused by name.  Set
 * LUMEN_TEST_SHOTS=DIR to keep the rendered PNGs there.  Skips without a
 * display.
 */
#include <gtk/gtk.h>
#include <sqlite3.h>
#include <string.h>

#include <lumen-log.h>

#include "lm-image-canvas.h"
#include "ui-test-util.h"
#include "lm-image-card.h"
#include "lm-record-dashboard.h"
#include "lm-window.h"
#include "lm-test-run.h"

#define BIG_W 1200
#define BIG_H 900
/* Enough cards that the last rows are more than three views down. */
#define N_BIG_TAGS 60
#define N_STEPS 12
#define LONG_TAG "a/very/deeply/nested/tag/name/that/keeps/going/and/going/until/it/is/far/too/long/for/a/card/title"
#define LONG_RUN "a_run_with_a_rather_long_name_for_the_legend_chip_xxxxxxxx"
/* Videos: VW x VH frames of solid colours. */
#define VW 64
#define VH 48
/* Still cards after the videos (tags sort after "video/"), enough rows
 * that the last ones are well below a 1000-pixel view. */
#define N_FILLERS 40

#define RED     0xff0000
#define GREEN   0x00ff00
#define BLUE    0x0000ff
#define YELLOW  0xffff00
#define CYAN    0x00ffff
#define MAGENTA 0xff00ff

static gboolean have_display;
static char *big_dir, *strip_dir, *names_dir, *broken_dir, *video_dir, *shot_dir, *long_dir;
/* video/long's frames: more than the loader's cache keeps of one video
 * (a third of 64 MiB: 2000 frames of VW x VH RGBA are 24.6 MB) */
#define LONG_FRAMES 2000
static const char *lumen_bin;

/* ------------------------------------------------------------ fixture */

static void
check (int rc, const char *what)
{
  if (rc != LM_OK)
    g_error ("%s: %s", what, lm_log_last_error ());
}

static void
fill (guint8 *px, int n, guint8 r, guint8 g, guint8 b)
{
  for (int i = 0; i < n; i++)
    {
      px[3 * i] = r;
      px[3 * i + 1] = g;
      px[3 * i + 2] = b;
    }
}

static void
write_fixture (void)
{
  g_autofree guint8 *px = g_malloc ((gsize) BIG_W * BIG_H * 3);
  lm_writer *w;

  /* big: N_BIG_TAGS tags of one 1200x900 image, and one tag of N_STEPS. */
  check (lm_writer_open (&w, big_dir, "big"), "open");
  for (int t = 0; t < N_BIG_TAGS; t++)
    {
      g_autofree char *tag = g_strdup_printf ("big/tag%02d", t);

      fill (px, BIG_W * BIG_H, 40 + t * 3, 90, 160);
      check (lm_writer_add_image (w, tag, 0, px, BIG_W, BIG_H, 3), "image");
    }
  for (int s = 0; s < N_STEPS; s++)
    {
      fill (px, BIG_W * BIG_H, 200, 20 + s * 10, 30);
      check (lm_writer_add_image (w, "a/steps", s, px, BIG_W, BIG_H, 3), "image");
    }
  check (lm_writer_close (w), "close");

  /* strips */
  check (lm_writer_open (&w, strip_dir, "r"), "open");
  fill (px, 1000, 255, 0, 0);
  check (lm_writer_add_image (w, "tiny/1000x1", 0, px, 1000, 1, 3), "image");
  fill (px, 1000, 0, 0, 255);
  check (lm_writer_add_image (w, "tiny/1x1000", 0, px, 1, 1000, 3), "image");
  check (lm_writer_close (w), "close");

  /* names: a long tag, and a run with a long name */
  check (lm_writer_open (&w, names_dir, "r"), "open");
  fill (px, 256, 0, 160, 0);
  check (lm_writer_add_image (w, LONG_TAG, 0, px, 16, 16, 3), "image");
  check (lm_writer_add_image (w, "short/a", 0, px, 16, 16, 3), "image");
  check (lm_writer_add_image (w, "short/c", 0, px, 16, 16, 3), "image");
  check (lm_writer_add_image (w, "short/d", 0, px, 16, 16, 3), "image");
  check (lm_writer_close (w), "close");
  check (lm_writer_open (&w, names_dir, LONG_RUN), "open");
  check (lm_writer_add_image (w, "short/b", 0, px, 16, 16, 3), "image");
  check (lm_writer_close (w), "close");

  /* broken: two big images, one to be damaged once its card shows it */
  check (lm_writer_open (&w, broken_dir, "r"), "open");
  fill (px, BIG_W * BIG_H, 30, 160, 90);
  check (lm_writer_add_image (w, "photo/good", 0, px, BIG_W, BIG_H, 3), "image");
  check (lm_writer_add_image (w, "photo/bad", 0, px, BIG_W, BIG_H, 3), "image");
  check (lm_writer_close (w), "close");
}

/* n frames of VW x VH RGB, frame i all colours[i]. */
static guint8 *
solid_frames (const guint32 *colours, int n)
{
  guint8 *px = g_malloc ((gsize) n * VW * VH * 3);

  for (int f = 0; f < n; f++)
    for (int i = 0; i < VW * VH; i++)
      {
        guint8 *p = px + ((gsize) f * VW * VH + i) * 3;

        p[0] = colours[f] >> 16;
        p[1] = (colours[f] >> 8) & 0xff;
        p[2] = colours[f] & 0xff;
      }
  return px;
}

static void
write_video_fixture (void)
{
  static const guint32 rgb[] = { RED, GREEN, BLUE }, cm[] = { CYAN, MAGENTA }, yellow[] = { YELLOW };
  g_autofree guint8 *v1 = solid_frames (rgb, 3), *v2 = solid_frames (cm, 2), *still = solid_frames (yellow, 1);
  lm_writer *w;

  /* video/rgb: a video at step 0, a still at 1, another video at 2 */
  check (lm_writer_open (&w, video_dir, "r"), "open");
  check (lm_writer_add_video (w, "video/rgb", 0, v1, 3, VW, VH, 3, 4), "video");
  check (lm_writer_add_image (w, "video/rgb", 1, still, VW, VH, 3), "image");
  check (lm_writer_add_video (w, "video/rgb", 2, v2, 2, VW, VH, 3, 10), "video");
  /* video/bad: cut short once written */
  check (lm_writer_add_video (w, "video/bad", 0, v1, 3, VW, VH, 3, 4), "video");
  /* video/big: BIG_W x BIG_H, red then blue at 2 fps, reduced on its card */
  {
    g_autofree guint8 *big = g_malloc ((gsize) 2 * BIG_W * BIG_H * 3);

    fill (big, BIG_W * BIG_H, 255, 0, 0);
    fill (big + (gsize) BIG_W * BIG_H * 3, BIG_W * BIG_H, 0, 0, 255);
    check (lm_writer_add_video (w, "video/big", 0, big, 2, BIG_W, BIG_H, 3, 2), "video");
  }
  for (int i = 0; i < N_FILLERS; i++)
    {
      g_autofree char *tag = g_strdup_printf ("zz/still%02d", i);

      check (lm_writer_add_image (w, tag, 0, still, VW, VH, 3), "image");
    }
  check (lm_writer_close (w), "close");

  /* video/long: green, then LONG_FRAMES - 1 blue frames; a still after */
  {
    g_autofree guint32 *colours = g_new (guint32, LONG_FRAMES);
    g_autofree guint8 *frames = NULL;

    for (int i = 0; i < LONG_FRAMES; i++)
      colours[i] = i ? BLUE : GREEN;
    frames = solid_frames (colours, LONG_FRAMES);
    check (lm_writer_open (&w, long_dir, "r"), "open");
    check (lm_writer_add_video (w, "video/long", 0, frames, LONG_FRAMES, VW, VH, 3, 4), "video");
    check (lm_writer_add_image (w, "video/long", 1, still, VW, VH, 3), "image");
    check (lm_writer_close (w), "close");
  }

  /* for the screenshots: the video alone */
  check (lm_writer_open (&w, shot_dir, "r"), "open");
  check (lm_writer_add_video (w, "video/rgb", 0, v1, 3, VW, VH, 3, 4), "video");
  check (lm_writer_close (w), "close");
}

/* ------------------------------------------------------------ helpers */

static gboolean
settled (gpointer win)
{
  return lm_window_is_settled (win);
}

static LmWindow *
open_window (const char *dir)
{
  return lm_ui_open_view (dir, "images", 1500, 1000);
}

static LmRecordDashboard *
page_of (LmWindow *win)
{
  return LM_RECORD_DASHBOARD (lm_dashboards_get_page (lm_window_get_dashboards (win), "images"));
}

static LmImageCard *
find_card (LmWindow *win, const char *run, const char *tag)
{
  GtkWidget *card = lm_record_dashboard_find_card (page_of (win), run, tag);

  g_assert_nonnull (card);
  return LM_IMAGE_CARD (card);
}

static LmImagePixels *
pixels_of (LmImageCard *card)
{
  return lm_image_canvas_get_pixels (LM_IMAGE_CANVAS (lm_image_card_get_canvas (card)));
}

/* The pixels held are no more than twice the canvas each way (in device
 * pixels), and are a reduced copy of the image. */
static void
assert_card_sized (LmImageCard *card, const char *what)
{
  GtkWidget *canvas = lm_image_card_get_canvas (card);
  LmImagePixels *p = pixels_of (card);
  int sf = gtk_widget_get_scale_factor (canvas);

  g_assert_nonnull (p);
  g_test_message ("%s: %dx%d held (factor %d) for a %dx%d canvas", what, p->width, p->height, p->factor,
                  gtk_widget_get_width (canvas), gtk_widget_get_height (canvas));
  g_assert_cmpint (p->full_width, ==, BIG_W);
  g_assert_cmpint (p->full_height, ==, BIG_H);
  g_assert_cmpint (p->factor, >, 1);
  g_assert_cmpint (p->width, <=, 2 * gtk_widget_get_width (canvas) * sf);
  g_assert_cmpint (p->height, <=, 2 * gtk_widget_get_height (canvas) * sf);
  /* and not coarser than the screen */
  g_assert_cmpint (p->width, >=, MIN (gtk_widget_get_width (canvas) * sf, BIG_W * gtk_widget_get_height (canvas) * sf / BIG_H) - 1);
}

static GtkAdjustment *
view_adjustment (LmImageCard *card)
{
  GtkWidget *view = gtk_widget_get_ancestor (gtk_widget_get_parent (GTK_WIDGET (card)), GTK_TYPE_SCROLLED_WINDOW);

  g_assert_nonnull (view);
  return gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (view));
}

typedef struct
{
  LmImageCard *card;
  int factor;   /* 0: any */
} Want;

static gboolean
shows (gpointer data)
{
  Want *w = data;
  LmImagePixels *p = pixels_of (w->card);

  return lm_image_card_get_shown_index (w->card) == (int) lm_image_card_get_index (w->card) && p != NULL
         && (w->factor == 0 || p->factor == w->factor);
}

static gboolean
full_loaded (gpointer canvas)
{
  LmImagePixels *p = lm_image_canvas_get_pixels (canvas);

  return p != NULL && p->factor == 1;
}

static gboolean
on_screen (gpointer card)
{
  return lm_image_card_is_on_screen (card);
}

static gboolean
reduced (gpointer data)
{
  LmImagePixels *p = pixels_of (data);

  return p != NULL && p->factor > 1;
}

/* ---------------------------------------------------------------- videos */

/* The colour (0xRRGGBB) of pixel (0, 0) of what `canvas` shows; -1 for
 * nothing. */
static int
colour_of (GtkWidget *canvas)
{
  LmImagePixels *p = lm_image_canvas_get_pixels (LM_IMAGE_CANVAS (canvas));
  const guint8 *px;

  if (p == NULL)
    return -1;
  px = g_bytes_get_data (p->rgba, NULL);
  return (px[0] << 16) | (px[1] << 8) | px[2];
}

static int
card_colour (LmImageCard *card)
{
  return colour_of (lm_image_card_get_canvas (card));
}

/* What the canvas draws at its centre (0xRRGGBB), from its snapshot. */
static int
drawn_colour (LmImageCard *card)
{
  GtkWidget *canvas = lm_image_card_get_canvas (card);
  cairo_surface_t *s = lm_ui_snapshot_widget (canvas);
  int x = cairo_image_surface_get_width (s) / 2, y = cairo_image_surface_get_height (s) / 2;
  const guint8 *p = cairo_image_surface_get_data (s) + y * cairo_image_surface_get_stride (s) + x * 4;
  int c = (p[2] << 16) | (p[1] << 8) | p[0];   /* B, G, R, A */

  cairo_surface_destroy (s);
  return c;
}

static gboolean
is_frame_label (GtkWidget *w, gconstpointer data)
{
  return GTK_IS_LABEL (w) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (w)), "frame ");
}

/* The card's "frame k/n · f fps", or NULL while hidden. */
static const char *
frame_text (LmImageCard *card)
{
  GtkWidget *l = lm_ui_find_widget (GTK_WIDGET (card), is_frame_label, NULL);

  return l != NULL && gtk_widget_get_visible (l) ? gtk_label_get_text (GTK_LABEL (l)) : NULL;
}

/* The slider at `index`, and its image (or video) on the canvas. */
static void
show_step (LmImageCard *card, int index)
{
  Want w = { card, 0 };

  lm_image_card_set_index (card, index);
  g_assert_true (lm_test_wait_for (shows, &w, 10000));
}

static gboolean
at_frame_1 (gpointer card)
{
  return lm_image_card_get_video_frame (card) == 1;
}

static gboolean
animating (gpointer card)
{
  return lm_image_card_is_animating (card);
}

static gboolean
not_animating (gpointer card)
{
  return !lm_image_card_is_animating (card);
}

typedef struct
{
  GtkWidget *canvas;
  int first;
} Change;

static gboolean
colour_changed (gpointer data)
{
  Change *c = data;

  return colour_of (c->canvas) >= 0 && colour_of (c->canvas) != c->first;
}

/* ---------------------------------------------------------- screenshots */

typedef LmUiImage Image;   /* B, G, R, A */

static void
shoot (LmWindow *win, const char *dir, const char *name, Image *img)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (lm_ui_save_screenshot (win, path, &error));
  g_assert_true (lm_ui_image_load (path, img, &error));
}

/* Pixels of colour (r, g, b) (within 30 each) in a rectangle of the
 * window, and the rows and columns they span. */
static guint
count_colour (const Image *img, graphene_rect_t r, int red, int green, int blue, int *n_rows, int *n_cols)
{
  int x0 = MAX ((int) r.origin.x, 0), y0 = MAX ((int) r.origin.y, 0);
  int x1 = MIN ((int) (r.origin.x + r.size.width), img->width), y1 = MIN ((int) (r.origin.y + r.size.height), img->height);
  g_autofree gboolean *cols = g_new0 (gboolean, img->width);
  guint n = 0;

  *n_rows = *n_cols = 0;
  for (int y = y0; y < y1; y++)
    {
      gboolean row = FALSE;

      for (int x = x0; x < x1; x++)
        {
          const guchar *p = img->pixels + y * img->stride + x * 4;

          if (ABS (p[2] - red) <= 30 && ABS (p[1] - green) <= 30 && ABS (p[0] - blue) <= 30)
            {
              n++;
              row = TRUE;
              if (!cols[x])
                (*n_cols)++;
              cols[x] = TRUE;
            }
        }
      *n_rows += row;
    }
  return n;
}

/* --------------------------------------------------------------- tests */

static void
test_memory (void)
{
  LmWindow *win;
  LmImageCard *first, *last, *steps;
  GtkAdjustment *adj;
  guint n_held = 0, n_on_screen = 0;
  Want want;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  win = open_window (big_dir);
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (page_of (win)), ==, N_BIG_TAGS + 1);
  first = find_card (win, "big", "a/steps");
  last = find_card (win, "big", "big/tag59");

  /* Cards on screen show their image reduced; the far ones hold nothing. */
  for (int t = 0; t < N_BIG_TAGS; t++)
    {
      g_autofree char *tag = g_strdup_printf ("big/tag%02d", t);
      LmImageCard *card = find_card (win, "big", tag);

      if (lm_image_card_is_on_screen (card))
        {
          n_on_screen++;
          assert_card_sized (card, tag);
        }
      n_held += pixels_of (card) != NULL;
    }
  g_test_message ("%u cards of %d on screen, %u hold pixels", n_on_screen, N_BIG_TAGS, n_held);
  g_assert_cmpuint (n_on_screen, >=, 6);
  g_assert_cmpuint (n_held, ==, n_on_screen);
  g_assert_true (lm_image_card_is_on_screen (first));
  g_assert_false (lm_image_card_is_on_screen (last));
  g_assert_null (pixels_of (last));
  g_assert_cmpint (lm_image_card_get_shown_index (last), ==, -1);

  /* Scrolled to the end: the last card loads, the first lets go. */
  adj = view_adjustment (last);
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
  g_assert_true (lm_test_wait_for (on_screen, last, 5000));   /* after the next layout */
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  assert_card_sized (last, "last card, scrolled to");
  g_assert_false (lm_image_card_is_on_screen (first));
  g_assert_null (pixels_of (first));

  /* And back. */
  gtk_adjustment_set_value (adj, 0);
  g_assert_true (lm_test_wait_for (on_screen, first, 5000));
  g_assert_true (lm_test_wait_for (settled, win, 20000));
  g_assert_null (pixels_of (last));
  steps = first;
  want.card = steps;
  want.factor = 0;
  g_assert_true (lm_test_wait_for (shows, &want, 10000));
  assert_card_sized (steps, "steps, back");

  /* The slider reaches every step, each one reduced. */
  for (guint i = 0; i < N_STEPS; i++)
    {
      lm_image_card_set_index (steps, i);
      g_assert_true (lm_test_wait_for (shows, &want, 10000));
      assert_card_sized (steps, "step");
    }

  /* Actual size takes the whole image; Fit goes back to a reduced one. */
  lm_image_card_set_fit (steps, FALSE);
  want.factor = 1;
  g_assert_true (lm_test_wait_for (shows, &want, 10000));
  g_assert_cmpint (pixels_of (steps)->width, ==, BIG_W);
  lm_image_card_set_fit (steps, TRUE);
  g_assert_true (lm_test_wait_for (reduced, steps, 10000));
  assert_card_sized (steps, "fitted again");

  /* The full-size window shows the whole image once it is decoded. */
  {
    GtkWidget *full = lm_image_card_open_full_size (steps);
    GtkWidget *canvas = lm_ui_find_descendant (full, LM_TYPE_IMAGE_CANVAS);
    LmImagePixels *p = NULL;
    gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    g_assert_true (LM_IS_IMAGE_CANVAS (canvas));
    while (g_get_monotonic_time () < end
           && ((p = lm_image_canvas_get_pixels (LM_IMAGE_CANVAS (canvas))) == NULL || p->factor != 1))
      g_main_context_iteration (NULL, FALSE);
    g_assert_nonnull (p);
    g_assert_cmpint (p->factor, ==, 1);
    g_assert_cmpint (p->width, ==, BIG_W);
    lm_test_spin (100);
    g_assert_cmpint (gtk_widget_get_width (canvas), ==, BIG_W);
    gtk_window_destroy (GTK_WINDOW (full));
    /* the card keeps its reduced copy */
    assert_card_sized (steps, "after the full-size window");
  }
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_strips (void)
{
  LmWindow *win;
  Image img;
  const struct
  {
    const char *tag;
    int r, g, b;
    gboolean wide;
  } strips[] = { { "tiny/1000x1", 255, 0, 0, TRUE }, { "tiny/1x1000", 0, 0, 255, FALSE } };

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  win = open_window (strip_dir);
  shoot (win, strip_dir, "strips.png", &img);
  for (guint i = 0; i < G_N_ELEMENTS (strips); i++)
    {
      GtkWidget *canvas = lm_image_card_get_canvas (find_card (win, "r", strips[i].tag));
      graphene_rect_t r, in_win;
      graphene_point_t o;
      int rows, cols;
      guint n;

      g_assert_true (lm_image_canvas_get_image_rect (LM_IMAGE_CANVAS (canvas), &r));
      g_test_message ("%s drawn at %.1fx%.1f", strips[i].tag, r.size.width, r.size.height);
      g_assert_cmpfloat (MIN (r.size.width, r.size.height), >=, 1.0 / gtk_widget_get_scale_factor (canvas));
      g_assert_true (gtk_widget_compute_point (canvas, GTK_WIDGET (win), &GRAPHENE_POINT_INIT (0, 0), &o));
      graphene_rect_init (&in_win, o.x, o.y, gtk_widget_get_width (canvas), gtk_widget_get_height (canvas));
      n = count_colour (&img, in_win, strips[i].r, strips[i].g, strips[i].b, &rows, &cols);
      g_test_message ("%s: %u pixels of its colour, %d rows, %d columns", strips[i].tag, n, rows, cols);
      /* A strip across the canvas, one or two pixels thick. */
      if (strips[i].wide)
        {
          g_assert_cmpint (cols, >=, gtk_widget_get_width (canvas) * 9 / 10);
          g_assert_cmpint (rows, >=, 1);
          g_assert_cmpint (rows, <=, 2);
        }
      else
        {
          g_assert_cmpint (rows, >=, gtk_widget_get_height (canvas) * 9 / 10);
          g_assert_cmpint (cols, >=, 1);
          g_assert_cmpint (cols, <=, 2);
        }
    }
  g_free (img.pixels);
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
visible (gpointer widget)
{
  return gtk_widget_get_visible (widget);
}

/* The full-size window as drawn (LUMEN_TEST_SHOTS=DIR keeps it there). */
static void
keep_window_shot (GtkWidget *win, const char *name)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (win);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) tex = NULL;

  lm_test_spin (200);
  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (win), gtk_widget_get_height (win));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return;
  tex = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (win)), node, NULL);
  lm_ui_keep_shot (tex, name);
}

/* A full-size window whose whole image fails to load says it shows the
 * reduced copy, and why; one whose image loads says nothing. */
static void
test_full_size_fails (void)
{
  g_autofree char *path = g_build_filename (broken_dir, "r", "run.lumen", NULL);
  LmWindow *win;
  LmImageCard *good, *bad;
  GtkWidget *full, *note, *canvas;
  LmImagePixels *p;
  const char *text;
  sqlite3 *db;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  win = open_window (broken_dir);
  good = find_card (win, "r", "photo/good");
  bad = find_card (win, "r", "photo/bad");
  g_assert_true (lm_test_wait_for (reduced, good, 10000));
  g_assert_true (lm_test_wait_for (reduced, bad, 10000));

  /* Loaded: the whole image, no note. */
  full = lm_image_card_open_full_size (good);
  canvas = lm_ui_find_descendant (full, LM_TYPE_IMAGE_CANVAS);
  note = lm_image_card_get_full_size_note (full);
  g_assert_true (GTK_IS_LABEL (note));
  g_assert_true (lm_test_wait_for (full_loaded, canvas, 10000));
  lm_test_spin (100);
  g_assert_false (gtk_widget_get_visible (note));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (note)), ==, "");
  /* Escape closes it, as it closes a scalar card's larger view (it had
   * no key to close it: a keyboard user was stuck in it) */
  g_object_add_weak_pointer (G_OBJECT (full), (gpointer *) &full);
  g_assert_true (lm_ui_press_key (full, GDK_KEY_Escape, 0));
  lm_test_spin (50);
  g_assert_null (full);

  /* The PNG cut short after the card read it (a run file rewritten or
   * damaged while it is open): the reduced copy stays, and says so. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE images SET png = substr(png, 1, length(png) * 6 / 10) "
                                     "WHERE tag_id = (SELECT id FROM tags WHERE name = 'photo/bad')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  full = lm_image_card_open_full_size (bad);
  canvas = lm_ui_find_descendant (full, LM_TYPE_IMAGE_CANVAS);
  note = lm_image_card_get_full_size_note (full);
  g_assert_true (lm_test_wait_for (visible, note, 10000));
  text = gtk_label_get_text (GTK_LABEL (note));
  g_test_message ("note: %s", text);
  p = lm_image_canvas_get_pixels (LM_IMAGE_CANVAS (canvas));
  g_assert_nonnull (p);
  g_assert_cmpint (p->factor, >, 1);
  {
    g_autofree char *head = g_strdup_printf ("Showing a reduced copy (1/%d size): the full image could not be "
                                             "loaded: invalid PNG (%dx%d): ", p->factor, BIG_W, BIG_H);

    g_assert_true (g_str_has_prefix (text, head));
  }
  g_assert_nonnull (strstr (text, "truncated"));
  keep_window_shot (full, "full-size-failed.png");
  gtk_window_destroy (GTK_WINDOW (full));
  gtk_window_destroy (GTK_WINDOW (win));
}

static GtkWidget *
header_of (LmImageCard *card)
{
  return gtk_widget_get_first_child (gtk_widget_get_parent (GTK_WIDGET (card)));
}

static void
test_long_names (void)
{
  LmWindow *win;
  const char *const runs[] = { "r", "r", "r", "r", LONG_RUN };
  const char *const tags[] = { LONG_TAG, "short/a", "short/c", "short/d", "short/b" };
  GtkWidget *long_tag, *long_run, *title, *chip;
  g_autoptr (GHashTable) columns = g_hash_table_new (NULL, NULL);
  int width = -1, nat, pin_w;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  win = open_window (names_dir);
  for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
    {
      GtkWidget *card = gtk_widget_get_parent (GTK_WIDGET (find_card (win, runs[i], tags[i])));
      graphene_point_t o;

      g_assert_true (gtk_widget_compute_point (card, GTK_WIDGET (win), &GRAPHENE_POINT_INIT (0, 0), &o));
      g_hash_table_add (columns, GINT_TO_POINTER ((int) o.x));
      if (width < 0)
        width = gtk_widget_get_width (card);
      g_assert_cmpint (ABS (gtk_widget_get_width (card) - width), <=, 1);
    }
  /* Five cards in a window 1500 wide: at least three a row, as with
   * short names (one long name used to make every card full-width). */
  g_test_message ("cards %d px wide, %u columns", width, g_hash_table_size (columns));
  g_assert_cmpint (width, <, 500);
  g_assert_cmpuint (g_hash_table_size (columns), >=, 3);

  /* Names ask for little width, are cut short, and are whole in tooltips. */
  long_tag = header_of (find_card (win, "r", LONG_TAG));
  long_run = header_of (find_card (win, LONG_RUN, "short/b"));
  /* (beside the pin button, which does not shrink) */
  gtk_widget_measure (gtk_widget_get_last_child (long_tag), GTK_ORIENTATION_HORIZONTAL, -1, NULL, &pin_w, NULL, NULL);
  gtk_widget_measure (long_tag, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &nat, NULL, NULL);
  g_assert_cmpint (nat - pin_w, <, 200);
  gtk_widget_measure (long_run, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &nat, NULL, NULL);
  g_assert_cmpint (nat - pin_w, <, 200);
  title = gtk_widget_get_first_child (long_tag);
  g_assert_true (GTK_IS_LABEL (title));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (title)), ==, LONG_TAG);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (title), ==, LONG_TAG);
  g_assert_true (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (title))));
  chip = gtk_widget_get_prev_sibling (gtk_widget_get_last_child (long_run));   /* before the pin */
  g_assert_cmpstr (gtk_widget_get_tooltip_text (chip), ==, LONG_RUN);
  g_assert_true (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (gtk_widget_get_last_child (chip)))));
  gtk_window_destroy (GTK_WINDOW (win));
}

/* The window on the video run, videos held on `hold` (0: playing), and
 * the card of video/rgb at its first step. */
static LmImageCard *
open_video_card (int hold, LmWindow **win)
{
  LmImageCard *card;

  lm_image_card_hold_videos (hold);
  *win = open_window (video_dir);
  card = find_card (*win, "r", "video/rgb");
  g_assert_cmpuint (lm_image_card_get_n_steps (card), ==, 3);
  show_step (card, 0);
  return card;
}

/* Held, playing, paused, Space, and the slider to a still and back. */
static void
test_video_play (void)
{
  LmWindow *win;
  LmImageCard *card;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  /* as `lumen --screenshot` holds videos: paused on the first frame */
  card = open_video_card (1, &win);
  g_assert_cmpint (lm_image_card_get_video_frame (card), ==, 0);
  g_assert_cmphex (card_colour (card), ==, RED);
  g_assert_cmphex (drawn_colour (card), ==, RED);
  g_assert_cmpstr (frame_text (card), ==, "frame 1/3 · 4 fps");
  g_assert_false (lm_image_card_get_playing (card));
  g_assert_false (lm_image_card_is_animating (card));
  lm_test_spin (600);   /* held: still red */
  g_assert_cmphex (card_colour (card), ==, RED);

  /* Play: the second frame, green, a quarter of a second later. */
  lm_image_card_hold_videos (0);
  lm_image_card_set_playing (card, TRUE);
  g_assert_true (lm_image_card_is_animating (card));
  g_assert_true (lm_test_wait_for (at_frame_1, card, 5000));
  g_assert_cmphex (card_colour (card), ==, GREEN);
  g_assert_cmphex (drawn_colour (card), ==, GREEN);
  g_assert_cmpstr (frame_text (card), ==, "frame 2/3 · 4 fps");

  /* Pause keeps the frame, with no timer left. */
  lm_image_card_set_playing (card, FALSE);
  g_assert_false (lm_image_card_is_animating (card));
  lm_test_spin (700);
  g_assert_cmpint (lm_image_card_get_video_frame (card), ==, 1);
  g_assert_cmphex (card_colour (card), ==, GREEN);
  /* brightness applies to a video's frames as to a still */
  lm_image_card_set_adjust (card, -0.5, 1);
  {
    int c = drawn_colour (card);

    g_test_message ("green at brightness -0.5: %06x", c);
    g_assert_cmpint (c >> 16, ==, 0);
    g_assert_cmpint (ABS (((c >> 8) & 0xff) - 0x80), <=, 2);
  }
  lm_image_card_set_adjust (card, 0, 1);

  /* Space on the card plays and pauses it. */
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (card)));
  g_assert_true (lm_ui_press_key (GTK_WIDGET (card), GDK_KEY_space, 0));
  g_assert_true (lm_image_card_get_playing (card));
  g_assert_true (lm_image_card_is_animating (card));
  g_assert_true (lm_ui_press_key (GTK_WIDGET (card), GDK_KEY_space, 0));
  g_assert_false (lm_image_card_get_playing (card));
  g_assert_false (lm_image_card_is_animating (card));
  lm_image_card_set_video_frame (card, 2);
  g_assert_cmphex (card_colour (card), ==, BLUE);
  g_assert_cmpstr (frame_text (card), ==, "frame 3/3 · 4 fps");
  /* a frame shown again is drawn from the surface made the first time */
  {
    LmImageCanvas *canvas = LM_IMAGE_CANVAS (lm_image_card_get_canvas (card));
    cairo_surface_t *blue = cairo_surface_reference (lm_image_canvas_get_surface (canvas));

    lm_image_card_set_video_frame (card, 0);
    g_assert_true (lm_image_canvas_get_surface (canvas) != blue);
    lm_image_card_set_video_frame (card, 2);
    g_assert_true (lm_image_canvas_get_surface (canvas) == blue);
    cairo_surface_destroy (blue);
  }

  /* The slider to the still: no animation, no frame counter, yellow. */
  lm_image_card_set_playing (card, TRUE);
  g_assert_true (lm_image_card_is_animating (card));
  show_step (card, 1);
  g_assert_cmphex (card_colour (card), ==, YELLOW);
  g_assert_cmpint (lm_image_card_get_video_frame (card), ==, -1);
  g_assert_false (lm_image_card_is_animating (card));
  g_assert_null (frame_text (card));
  g_assert_false (gtk_widget_get_focusable (GTK_WIDGET (card)));
  g_assert_false (lm_ui_press_key (GTK_WIDGET (card), GDK_KEY_space, 0));
  lm_test_spin (400);
  g_assert_cmphex (card_colour (card), ==, YELLOW);

  /* To the other video: its first frame, its own rate, playing on. */
  show_step (card, 2);
  g_assert_cmphex (card_colour (card), ==, CYAN);
  g_assert_cmpstr (frame_text (card), ==, "frame 1/2 · 10 fps");
  g_assert_true (lm_image_card_is_animating (card));
  {
    Change c = { lm_image_card_get_canvas (card), CYAN };

    g_assert_true (lm_test_wait_for (colour_changed, &c, 5000));
    g_assert_cmphex (card_colour (card), ==, MAGENTA);
  }
  /* and back to the first video, from its first frame */
  lm_image_card_set_playing (card, FALSE);
  show_step (card, 0);
  g_assert_cmpint (lm_image_card_get_video_frame (card), ==, 0);
  g_assert_cmphex (card_colour (card), ==, RED);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* A hidden view or a card scrolled out of view sets no timer; back in
 * view, the video plays on. */
static void
test_video_off_screen (void)
{
  LmWindow *win;
  LmImageCard *card;
  LmDashboards *dash;
  GtkAdjustment *adj;
  graphene_rect_t b;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  card = open_video_card (0, &win);
  dash = lm_window_get_dashboards (win);
  lm_image_card_set_playing (card, TRUE);
  g_assert_true (lm_test_wait_for (animating, card, 5000));

  /* Another view: the card is unmapped, the timer gone. */
  g_assert_true (lm_dashboards_set_view (dash, "text"));
  lm_test_spin (50);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (card)));
  g_assert_false (lm_image_card_is_animating (card));
  lm_test_spin (600);
  g_assert_false (lm_image_card_is_animating (card));
  g_assert_true (lm_dashboards_set_view (dash, "images"));
  g_assert_true (lm_test_wait_for (animating, card, 5000));
  g_assert_true (lm_image_card_get_playing (card));

  /* Scrolled just past it: its frames are kept (it is near the view),
   * but no timer runs. */
  adj = view_adjustment (card);
  g_assert_cmpfloat (gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj), >, 1500);
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (card), gtk_widget_get_ancestor (GTK_WIDGET (card), GTK_TYPE_SCROLLED_WINDOW), &b));
  gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + b.origin.y + b.size.height + 30);
  g_assert_true (lm_test_wait_for (not_animating, card, 5000));
  g_assert_true (lm_image_card_is_on_screen (card));
  g_assert_cmpint (lm_image_card_get_video_frame (card), >=, 0);
  g_assert_true (lm_image_card_get_playing (card));
  lm_test_spin (600);
  g_assert_false (lm_image_card_is_animating (card));
  gtk_adjustment_set_value (adj, 0);
  g_assert_true (lm_test_wait_for (animating, card, 5000));

  /* Scrolled to the bottom, past forty still cards: nothing held, no
   * timer; back at the top it plays again. */
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
  g_assert_true (lm_test_wait_for (not_animating, card, 5000));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (card)));
  lm_test_spin (600);
  g_assert_false (lm_image_card_is_animating (card));
  gtk_adjustment_set_value (adj, 0);
  g_assert_true (lm_test_wait_for (animating, card, 5000));
  gtk_window_destroy (GTK_WINDOW (win));
}

/* The full-size window plays, from the card's frame, and Space pauses it. */
static void
test_video_full_size (void)
{
  LmWindow *win;
  LmImageCard *card;
  GtkWidget *full, *canvas;
  Change c;
  int paused_at, shown;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  card = open_video_card (0, &win);
  lm_image_card_set_playing (card, FALSE);
  lm_image_card_set_video_frame (card, 2);
  lm_image_card_set_playing (card, TRUE);
  full = lm_image_card_open_full_size (card);
  g_assert_nonnull (full);
  canvas = lm_ui_find_descendant (full, LM_TYPE_IMAGE_CANVAS);
  g_assert_cmphex (colour_of (canvas), ==, BLUE);   /* where the card was */
  /* the whole video, 64x48 at actual size */
  g_assert_cmpint (lm_image_canvas_get_pixels (LM_IMAGE_CANVAS (canvas))->width, ==, VW);
  /* Looped round from the last frame: red, or green where a busy main
   * loop made the player skip red (it keeps the video's speed, and under
   * the sanitizers on a loaded machine a frame's 250 ms can go by). */
  c = (Change) { canvas, BLUE };
  g_assert_true (lm_test_wait_for (colour_changed, &c, 5000));
  shown = colour_of (canvas);
  g_assert_true (shown == RED || shown == GREEN);
  c.first = shown;
  g_assert_true (lm_test_wait_for (colour_changed, &c, 5000));
  shown = colour_of (canvas);
  g_assert_true (shown == RED || shown == GREEN || shown == BLUE);
  /* the card pauses; the window plays on */
  lm_image_card_set_playing (card, FALSE);
  c.first = shown;
  g_assert_true (lm_test_wait_for (colour_changed, &c, 5000));
  /* Space there pauses it */
  g_assert_true (lm_ui_press_key (full, GDK_KEY_space, 0));
  paused_at = colour_of (canvas);
  lm_test_spin (700);
  g_assert_cmphex (colour_of (canvas), ==, paused_at);
  g_object_add_weak_pointer (G_OBJECT (full), (gpointer *) &full);
  gtk_window_destroy (GTK_WINDOW (full));
  lm_test_spin (50);
  g_assert_null (full);
  gtk_window_destroy (GTK_WINDOW (win));
}

/* A video bigger than its card: frames reduced to the card, as a still's
 * are; actual size and the full-size window load them whole and go on at
 * the frame shown. */
static void
test_video_big (void)
{
  LmWindow *win;
  LmImageCard *card;
  GtkWidget *full, *canvas;
  LmImagePixels *p;
  Change c;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  lm_image_card_hold_videos (2);   /* paused on the second frame, blue */
  win = open_window (video_dir);
  card = find_card (win, "r", "video/big");
  g_assert_true (lm_test_wait_for (reduced, card, 10000));
  assert_card_sized (card, "video");
  g_assert_cmpint (lm_image_card_get_video_frame (card), ==, 1);
  g_assert_cmphex (card_colour (card), ==, BLUE);
  g_assert_cmphex (drawn_colour (card), ==, BLUE);
  g_assert_false (lm_image_card_get_playing (card));
  lm_image_card_hold_videos (0);

  /* Actual size: the whole frames, still on the second. */
  lm_image_card_set_fit (card, FALSE);
  g_assert_true (lm_test_wait_for (full_loaded, lm_image_card_get_canvas (card), 10000));
  g_assert_cmpint (lm_image_card_get_video_frame (card), ==, 1);
  g_assert_cmphex (card_colour (card), ==, BLUE);
  lm_image_card_set_fit (card, TRUE);
  g_assert_true (lm_test_wait_for (reduced, card, 10000));
  g_assert_cmpint (lm_image_card_get_video_frame (card), ==, 1);

  /* Full size: the card's reduced frame at once, then the whole video,
   * paused as the card is; Space plays it. */
  full = lm_image_card_open_full_size (card);
  canvas = lm_ui_find_descendant (full, LM_TYPE_IMAGE_CANVAS);
  g_assert_cmphex (colour_of (canvas), ==, BLUE);
  g_assert_true (lm_test_wait_for (full_loaded, canvas, 10000));
  p = lm_image_canvas_get_pixels (LM_IMAGE_CANVAS (canvas));
  g_assert_cmpint (p->width, ==, BIG_W);
  g_assert_cmphex (colour_of (canvas), ==, BLUE);
  lm_test_spin (700);
  g_assert_cmphex (colour_of (canvas), ==, BLUE);
  g_assert_true (lm_ui_press_key (full, GDK_KEY_space, 0));
  c = (Change) { canvas, BLUE };
  g_assert_true (lm_test_wait_for (colour_changed, &c, 5000));
  g_assert_cmphex (colour_of (canvas), ==, RED);
  g_assert_false (lm_image_card_get_playing (card));   /* the card's own */
  gtk_window_destroy (GTK_WINDOW (full));
  gtk_window_destroy (GTK_WINDOW (win));
}

/* A video cut short shows why on its card, as a bad PNG does. */
static void
test_video_bad (void)
{
  g_autofree char *path = g_build_filename (video_dir, "r", "run.lumen", NULL);
  LmWindow *win;
  LmImageCard *card;
  const char *error;
  sqlite3 *db;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE images SET png = substr(png, 1, length(png) * 8 / 10) "
                                     "WHERE tag_id = (SELECT id FROM tags WHERE name = 'video/bad')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  lm_image_card_hold_videos (0);
  win = open_window (video_dir);
  card = find_card (win, "r", "video/bad");
  error = lm_image_card_get_error (card);
  g_assert_nonnull (error);
  g_test_message ("error: %s", error);
  g_assert_true (g_str_has_prefix (error, "Step 0: "));
  g_assert_cmpint (card_colour (card), ==, -1);
  g_assert_cmpint (lm_image_card_get_video_frame (card), ==, -1);
  g_assert_false (lm_image_card_is_animating (card));
  g_assert_null (frame_text (card));
  gtk_window_destroy (GTK_WINDOW (win));
}

/* ---------------------------------------------------------- screenshots */

/* lumen on the screenshot run: `--screenshot png` (png NULL: none) and
 * `--video-frame frame` (NULL: none); its exit status and stderr. */
static int
run_lumen (const char *png, const char *frame, char **err)
{
  const char *argv[] = { lumen_bin, "--logdir", shot_dir, "--view", "images", "--window-size", "900x700",
                         png ? "--screenshot" : "--video-frame", png ? png : frame,
                         png && frame ? "--video-frame" : NULL, frame, NULL };
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, err, &status, NULL));
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static guint
count_exact (const LmUiImage *img, int rgb)
{
  guint n = 0;

  for (int y = 0; y < img->height; y++)
    for (int x = 0; x < img->width; x++)
      {
        const guchar *p = img->pixels + y * img->stride + x * 4;

        n += ((p[2] << 16) | (p[1] << 8) | p[0]) == rgb;
      }
  return n;
}

static void
test_video_screenshot (void)
{
  static const char *const frames[] = { NULL, "2", "3" };
  static const int colours[] = { RED, GREEN, BLUE };

  if (!have_display || lumen_bin == NULL)
    {
      g_test_skip (have_display ? "no lumen binary" : "no display");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (frames); i++)
    {
      g_autofree char *png = g_strdup_printf ("%s/video-frame-%s.png", shot_dir, frames[i] ? frames[i] : "none");
      g_autofree char *err = NULL;
      g_autoptr (GError) error = NULL;
      LmUiImage img;

      g_assert_cmpint (run_lumen (png, frames[i], &err), ==, 0);
      g_assert_true (lm_ui_image_load (png, &img, &error));
      g_test_message ("--video-frame %s: %u red, %u green, %u blue pixels", frames[i] ? frames[i] : "(none)",
                      count_exact (&img, RED), count_exact (&img, GREEN), count_exact (&img, BLUE));
      /* the frame, fitted in a card some 300 pixels wide: thousands of
       * pixels, and none of the other frames */
      for (guint k = 0; k < G_N_ELEMENTS (colours); k++)
        if (k == i)
          g_assert_cmpuint (count_exact (&img, colours[k]), >, 10000);
        else
          g_assert_cmpuint (count_exact (&img, colours[k]), ==, 0);
      g_free (img.pixels);
    }
  {
    g_autofree char *png = g_strdup_printf ("%s/bad.png", shot_dir);
    g_autofree char *err = NULL, *err2 = NULL;

    g_assert_cmpint (run_lumen (png, "0", &err), ==, 2);
    g_assert_nonnull (strstr (err, "--video-frame counts frames from 1; got '0'"));
    g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
    g_assert_cmpint (run_lumen (NULL, "2", &err2), ==, 2);
    g_assert_nonnull (strstr (err2, "--video-frame picks the frame videos show in a --screenshot"));
  }
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static gboolean
video_on_player (gpointer card)
{
  return lm_image_card_get_video_frame (card) >= 0;
}

/* A video the cache cannot keep (its frames load again each time the
 * slider comes back to it) shows its first frame, a still load the
 * cache keeps, at once with "frame 1/2000", while its frames load; then
 * plays.  Before, the card showed the step before (a yellow still)
 * until every frame was decoded: seconds for 300 frames of 720p. */
static void
test_video_poster (void)
{
  g_autofree char *label = g_strdup_printf ("frame 1/%d · 4 fps", LONG_FRAMES);
  LmWindow *win;
  LmImageCard *card;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  lm_image_card_hold_videos (1);
  win = open_window (long_dir);
  card = find_card (win, "r", "video/long");
  g_assert_cmpuint (lm_image_card_get_n_steps (card), ==, 2);
  show_step (card, 0);
  g_assert_true (lm_test_wait_for (video_on_player, card, 10000));
  show_step (card, 1);
  g_assert_cmpint (card_colour (card), ==, YELLOW);
  g_assert_null (frame_text (card));
  /* the first frame's still load, started beside the frames', is done */
  lm_test_wait_for (never, NULL, 500);

  lm_image_card_set_index (card, 0);
  g_assert_cmpint (card_colour (card), ==, GREEN);
  g_assert_cmpint (lm_image_card_get_video_frame (card), ==, -1);   /* no frames yet */
  g_assert_cmpstr (frame_text (card), ==, label);
  g_assert_false (lm_image_card_is_settled (card));   /* a screenshot waits for the video */
  /* then the video itself, held on its first frame */
  g_assert_true (lm_test_wait_for (video_on_player, card, 10000));
  g_assert_cmpint (lm_image_card_get_video_frame (card), ==, 0);
  g_assert_cmpint (card_colour (card), ==, GREEN);
  g_assert_cmpstr (frame_text (card), ==, label);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_image_card_hold_videos (0);
}

/* A card's error as the loader words it for a PNG too big for memory
 * is wrapped to the card's width, not cut off at both sides ("ough memory
 * to decode the 20000x20000 image (1526"): its grey text keeps off the
 * canvas's left and right edges and takes more than one line. */
static void
test_error_wraps (void)
{
  GtkWidget *win, *canvas;
  cairo_surface_t *shot;
  int w, h, stride, left, right, rows = 0, top = -1;
  const guchar *data;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  win = gtk_window_new ();
  canvas = lm_image_canvas_new ();
  lm_image_canvas_set_pixels (LM_IMAGE_CANVAS (canvas), NULL,
                              "Step 0: not enough memory to decode the 20000x20000 image (1526 MiB as RGBA)");
  gtk_window_set_child (GTK_WINDOW (win), canvas);
  gtk_window_set_default_size (GTK_WINDOW (win), 316, 220);
  gtk_window_present (GTK_WINDOW (win));
  lm_test_spin (200);
  shot = lm_ui_snapshot_widget (canvas);
  cairo_surface_flush (shot);
  w = cairo_image_surface_get_width (shot);
  h = cairo_image_surface_get_height (shot);
  stride = cairo_image_surface_get_stride (shot);
  data = cairo_image_surface_get_data (shot);
  left = w;
  right = -1;
  /* the detail's ink: grey, below the red title at the middle */
  for (int y = h / 2 + 2; y < h; y++)
    {
      gboolean ink = FALSE;

      for (int x = 0; x < w; x++)
        {
          const guchar *p = data + y * stride + 4 * x;

          if (p[3] > 0 && p[0] < 150 && abs (p[0] - p[2]) < 20)
            {
              left = MIN (left, x);
              right = MAX (right, x);
              ink = TRUE;
            }
        }
      if (ink && top < 0)
        top = y;
      rows += ink;
    }
  g_test_message ("detail: columns %d .. %d of %d, %d rows of ink from %d", left, right, w, rows, top);
  g_assert_cmpint (w, >=, 300);
  g_assert_cmpint (left, >=, 4);
  g_assert_cmpint (right, <=, w - 5);
  /* two lines of 11-px text at least */
  g_assert_cmpint (rows, >, 16);
  cairo_surface_destroy (shot);
  gtk_window_destroy (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  int rc;

  lumen_bin = lm_ui_take_lumen_bin (&argc, &argv);
  have_display = lm_ui_test_init (&argc, &argv);
  big_dir = lm_test_tmpdir_new ("lumen-imgcards-XXXXXX");
  strip_dir = lm_test_tmpdir_new ("lumen-imgcards-XXXXXX");
  names_dir = lm_test_tmpdir_new ("lumen-imgcards-XXXXXX");
  broken_dir = lm_test_tmpdir_new ("lumen-imgcards-XXXXXX");
  video_dir = lm_test_tmpdir_new ("lumen-imgcards-XXXXXX");
  shot_dir = lm_test_tmpdir_new ("lumen-imgcards-XXXXXX");
  long_dir = lm_test_tmpdir_new ("lumen-imgcards-XXXXXX");
  write_fixture ();
  write_video_fixture ();
  g_test_add_func ("/ui/image-cards/memory", test_memory);
  g_test_add_func ("/ui/image-cards/strips", test_strips);
  g_test_add_func ("/ui/image-cards/long-names", test_long_names);
  g_test_add_func ("/ui/image-cards/full-size-fails", test_full_size_fails);
  g_test_add_func ("/ui/image-cards/error-wraps", test_error_wraps);
  g_test_add_func ("/ui/image-cards/video-play", test_video_play);
  g_test_add_func ("/ui/image-cards/video-off-screen", test_video_off_screen);
  g_test_add_func ("/ui/image-cards/video-full-size", test_video_full_size);
  g_test_add_func ("/ui/image-cards/video-big", test_video_big);
  g_test_add_func ("/ui/image-cards/video-bad", test_video_bad);
  g_test_add_func ("/ui/image-cards/video-poster", test_video_poster);
  g_test_add_func ("/ui/image-cards/video-screenshot", test_video_screenshot);
  rc = g_test_run ();
  lm_test_rm_rf (big_dir);
  lm_test_rm_rf (strip_dir);
  lm_test_rm_rf (names_dir);
  lm_test_rm_rf (broken_dir);
  lm_test_rm_rf (video_dir);
  lm_test_rm_rf (shot_dir);
  lm_test_rm_rf (long_dir);
  g_free (big_dir);
  g_free (strip_dir);
  g_free (names_dir);
  g_free (broken_dir);
  g_free (video_dir);
  g_free (shot_dir);
  g_free (long_dir);
  return have_display ? rc : 77;
}
