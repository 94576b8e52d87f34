/* test-gif.c: lumen-import's GIF decoder (app/import/lm-gif.c) on the GIFs
 * make-gif-fixtures.py writes: every frame equals the RGBA canvas Pillow
 * 9.4 decodes it to (gif/NAME.rgba; the script also checks that
 * it is what it meant to draw), with the delays, loop and alpha; corrupt
 * GIFs (truncated, a bad LZW code, a frame outside the canvas, every
 * prefix and every flipped byte of a good one) give messages, not
 * crashes. */
#include "lm-gif.h"

#include <string.h>

static GBytes *
fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "gif", name, NULL);
  g_autoptr (GError) error = NULL;
  char *data;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  return g_bytes_new_take (data, len);
}

static LmGif *
decode (GBytes *b, GError **error)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);

  return lm_gif_decode (d, len, 0, error);
}

typedef struct
{
  const char *name;
  int width, height, n_frames;
  double delays[4];
  int num_plays;
  gboolean has_alpha;
  double fps;
} Expect;

/* The delays as the GIFs hold them (1/100 s; still.gif has none: 0, which
 * browsers play as 1/10 s). */
static const Expect expected[] = {
  /* add_video(fps=4) of 3 videos: PyTorch's grid of 1 row of 4 (the 4th
   * black), 4 frames of 40x8, 25/100 s each, loop 0 */
  { "torch", 40, 8, 4, { 0.25, 0.25, 0.25, 0.25 }, 0, FALSE, 4.0 },
  { "interlace", 13, 19, 2, { 0.07, 0.07 }, 0, FALSE, 1 / 0.07 },
  { "dispose", 12, 10, 4, { 0.2, 0.2, 0.4, 0.2 }, 0, TRUE, 4.0 },
  { "lzw12", 96, 96, 2, { 0.1, 0.1 }, 0, FALSE, 10.0 },
  { "still", 5, 3, 1, { 0.1 }, 1, FALSE, 10.0 },
};

static void
test_frames (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const Expect *e = &expected[i];
      g_autofree char *gif_name = g_strconcat (e->name, ".gif", NULL);
      g_autofree char *rgba_name = g_strconcat (e->name, ".rgba", NULL);
      g_autoptr (GBytes) b = fixture (gif_name);
      g_autoptr (GBytes) want = fixture (rgba_name);
      g_autoptr (GError) error = NULL;
      g_autoptr (LmGif) gif = decode (b, &error);
      gsize frame = (gsize) e->width * e->height * 4, n;
      const guint8 *px = g_bytes_get_data (want, &n);

      g_test_message ("%s", e->name);
      g_assert_no_error (error);
      g_assert_nonnull (gif);
      g_assert_cmpint (gif->width, ==, e->width);
      g_assert_cmpint (gif->height, ==, e->height);
      g_assert_cmpint (gif->n_frames, ==, e->n_frames);
      g_assert_cmpint (gif->num_plays, ==, e->num_plays);
      g_assert_cmpint (gif->has_alpha, ==, e->has_alpha);
      g_assert_cmpfloat_with_epsilon (lm_gif_fps (gif), e->fps, 1e-9);
      g_assert_cmpuint (n, ==, frame * (gsize) e->n_frames);
      for (int f = 0; f < e->n_frames; f++)
        {
          g_assert_cmpfloat_with_epsilon (gif->delays[f], e->delays[f], 1e-12);
          g_assert_cmpmem (gif->frames[f], frame, px + frame * (gsize) f, frame);
        }
    }
}

static void
assert_fails (const char *name, gsize cut, const char *message)
{
  g_autoptr (GBytes) b = fixture (name);
  g_autoptr (GError) error = NULL;
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  g_autoptr (LmGif) gif = lm_gif_decode (d, cut ? cut : len, 0, &error);

  g_assert_null (gif);
  g_assert_error (error, LM_GIF_ERROR, 0);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_corrupt (void)
{
  /* interlace.gif less its last 20 bytes */
  assert_fails ("truncated.gif", 0, "truncated in frame 2's image data");
  /* clear, 1, then 7 where the table has 6 entries */
  assert_fails ("badcode.gif", 0, "frame 1: bad LZW code 7 (the table has 6)");
  assert_fails ("outside.gif", 0, "frame 2 (3x2 at 4,2) lies outside the 6x4 canvas");
  assert_fails ("still.gif", 5, "not a GIF (no GIF87a/GIF89a header)");
  assert_fails ("still.gif", 25, "truncated before its first frame");
  assert_fails ("interlace.gif", 17, "truncated in the global colour table");
  /* the image data cut short inside a whole sub-block: the pixels
   * that are missing are counted */
  {
    static const guint8 g[] = { 'G', 'I', 'F', '8', '9', 'a', 2, 0, 2, 0, 0x80, 0, 0,
                                0, 0, 0, 255, 255, 255,
                                0x2c, 0, 0, 0, 0, 2, 0, 2, 0, 0,
                                2, 1, 0x04 /* clear, 0, and no end code */, 0, 0x3b };
    g_autoptr (GError) error = NULL;
    g_autoptr (LmGif) gif = lm_gif_decode (g, sizeof g, 0, &error);
    g_assert_null (gif);
    g_assert_cmpstr (error->message, ==, "frame 1: its image data ends after 1 of 4 pixels");
  }
  /* the cap on the decoded bytes: 96*96*4 = 36864 a frame */
  {
    g_autoptr (GBytes) b = fixture ("lzw12.gif");
    g_autoptr (GError) error = NULL;
    gsize len;
    const guint8 *d = g_bytes_get_data (b, &len);
    g_autoptr (LmGif) gif = lm_gif_decode (d, len, 36864 * 2 - 1, &error);
    g_assert_null (gif);
    g_assert_cmpstr (error->message, ==,
                     "its frames are over 73727 bytes decoded (2 frames of 96x96)");
    g_clear_error (&error);
    gif = lm_gif_decode (d, len, 36864 * 2, &error);
    g_assert_no_error (error);
    g_assert_cmpint (gif->n_frames, ==, 2);
  }
}

static int
count (const char *name, gsize cut, gboolean *whole)
{
  g_autoptr (GBytes) b = fixture (name);
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);

  return lm_gif_count_frames (d, cut ? cut : len, whole);
}

/* Frames counted without decoding (lumen-import names a GIF that does
 * not decode by them: a video, an image, or "image or video"). */
static void
test_count (void)
{
  gboolean whole = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *name = g_strconcat (expected[i].name, ".gif", NULL);
      g_test_message ("%s", name);
      whole = FALSE;
      g_assert_cmpint (count (name, 0, &whole), ==, expected[i].n_frames);
      g_assert_true (whole);
    }
  /* frames that do not decode are counted all the same */
  g_assert_cmpint (count ("badcode.gif", 0, &whole), ==, 1);
  g_assert_true (whole);
  g_assert_cmpint (count ("outside.gif", 0, &whole), ==, 2);
  g_assert_true (whole);
  /* cut in frame 2's data: 2 at least, perhaps more */
  g_assert_cmpint (count ("truncated.gif", 0, &whole), ==, 2);
  g_assert_false (whole);
  /* cut in the header, the global palette, the first frame */
  g_assert_cmpint (count ("still.gif", 5, &whole), ==, 0);
  g_assert_false (whole);
  g_assert_cmpint (count ("interlace.gif", 17, &whole), ==, 0);
  g_assert_false (whole);
  g_assert_cmpint (count ("still.gif", 25, &whole), ==, 0);
  g_assert_false (whole);
}

/* Every prefix and every byte flipped: a GIF or a message, never a crash
 * or a read past the end (ASan). */
static void
test_fuzz (void)
{
  const char *names[] = { "dispose.gif", "interlace.gif", "torch.gif" };

  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      g_autoptr (GBytes) b = fixture (names[k]);
      gsize len;
      const guint8 *d = g_bytes_get_data (b, &len);
      g_autofree guint8 *copy = g_memdup2 (d, len);

      for (gsize cut = 0; cut < len; cut++)
        {
          g_autofree guint8 *part = g_memdup2 (d, cut ? cut : 1);
          g_autoptr (GError) error = NULL;
          g_autoptr (LmGif) gif = lm_gif_decode (part, cut, 0, &error);
          gboolean whole;
          g_assert_cmpint (lm_gif_count_frames (part, cut, &whole), <=, 4);
          /* a cut between blocks is a GIF without its trailer (as
           * browsers take it): fewer frames */
          g_assert_true ((gif == NULL) == (error != NULL));
          if (gif == NULL)
            g_assert_cmpuint (strlen (error->message), >, 0);
          if (cut == len - 1)
            g_assert_nonnull (gif);
        }
      for (gsize i = 0; i < len; i++)
        for (int bit = 0; bit < 8; bit += 3)
          {
            g_autoptr (GError) error = NULL;
            copy[i] ^= (guint8) (1 << bit);
            g_autoptr (LmGif) gif = lm_gif_decode (copy, len, 1 << 24, &error);
            gboolean whole;
            g_assert_cmpint (lm_gif_count_frames (copy, len, &whole), >=, 0);
            g_assert_true ((gif == NULL) == (error != NULL));
            copy[i] ^= (guint8) (1 << bit);
          }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gif/frames", test_frames);
  g_test_add_func ("/gif/corrupt", test_corrupt);
  g_test_add_func ("/gif/count", test_count);
  g_test_add_func ("/gif/fuzz", test_fuzz);
  return g_test_run ();
}
