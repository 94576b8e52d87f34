/* test-image-grid.c: the image-grid layout parser (LmImageGrid,
 * data/lm-records-grid.c) and its use by the records feed.
 *
 * What it checks: the JSON lumen-log writes parses into the layout and
 * labels it says; keys in any order, unknown keys of any type skipped;
 * string escapes (\uXXXX, surrogate pairs) decode; every kind of bad input
 * -- each prefix of a valid text, wrong types, missing and repeated keys,
 * rows that disagree with n, labels of the wrong count, a layout larger
 * than the image, deep nesting, bad escapes, invalid UTF-8 -- gives NULL
 * and a message naming the problem (ASan runs watch for overreads); cell
 * geometry (origin and hit testing, padding excluded); the "pred P / true
 * T" label form; an image's boxes JSON (LmImageBoxes); and a run file
 * read by lm_records_read gets meta->layout for a good grid and
 * meta->grid_error, no layout, for a malformed one, meta->boxes and
 * meta->boxes_error likewise.
 */
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "lumen-data.h"

#ifdef HAVE_LUMEN_LOG
#include <lumen-log.h>
#endif

/* What lm_writer_add_images_grid writes for 5 images of 28x28, nrow 4. */
#define GOOD_JSON \
  "{\"n\":5,\"nrow\":4,\"rows\":2,\"cell_width\":28,\"cell_height\":28,\"padding\":2," \
  "\"labels\":[\"T-shirt/top\",\"Trouser\",\"pred Bag / true Coat\",\"Ankle boot\",\"Sandal\"]}"
#define GOOD_W (2 + 4 * 30)
#define GOOD_H (2 + 2 * 30)

static LmImageGrid *
parse_ok (const char *json, int w, int h)
{
  g_autofree char *error = NULL;
  LmImageGrid *g = lm_image_grid_parse (json, w, h, &error);

  if (g == NULL)
    g_error ("parse of %s failed: %s", json, error);
  g_assert_null (error);
  return g;
}

/* Fails, with a message containing `needle`. */
static void
parse_bad (const char *json, int w, int h, const char *needle)
{
  g_autofree char *error = NULL;
  LmImageGrid *g = lm_image_grid_parse (json, w, h, &error);

  if (g != NULL)
    g_error ("%s parsed, should have failed (%s)", json, needle);
  g_assert_nonnull (error);
  g_test_message ("%s -> %s", json, error);
  g_assert_true (g_str_has_prefix (error, "grid JSON: "));
  if (strstr (error, needle) == NULL)
    g_error ("error for %s is \"%s\", expected it to mention \"%s\"", json, error, needle);
}

static void
test_good (void)
{
  g_autoptr (LmImageGrid) g = parse_ok (GOOD_JSON, GOOD_W, GOOD_H);
  g_autoptr (LmImageGrid) plain = NULL;

  g_assert_cmpint (g->n, ==, 5);
  g_assert_cmpint (g->nrow, ==, 4);
  g_assert_cmpint (g->rows, ==, 2);
  g_assert_cmpint (g->cell_width, ==, 28);
  g_assert_cmpint (g->cell_height, ==, 28);
  g_assert_cmpint (g->padding, ==, 2);
  g_assert_nonnull (g->labels);
  g_assert_cmpuint (g_strv_length (g->labels), ==, 5);
  g_assert_cmpstr (lm_image_grid_get_label (g, 0), ==, "T-shirt/top");
  g_assert_cmpstr (lm_image_grid_get_label (g, 4), ==, "Sandal");
  g_assert_null (lm_image_grid_get_label (g, 5));
  g_assert_null (lm_image_grid_get_label (g, -1));

  /* No labels; whitespace everywhere; other key order. */
  plain = parse_ok (" {\n\t\"padding\" : 0 , \"cell_height\":3,\"cell_width\":4,\"rows\":1,"
                    "\"nrow\":8,\"n\":3 }\r\n", 12, 3);
  g_assert_null (plain->labels);
  g_assert_null (lm_image_grid_get_label (plain, 0));
  g_assert_cmpint (plain->nrow, ==, 8);
  g_assert_cmpint (plain->padding, ==, 0);

  /* Ref counting keeps the grid alive for a second owner. */
  {
    LmImageGrid *again = lm_image_grid_ref (g);

    g_assert_true (again == g);
    lm_image_grid_unref (again);
    g_assert_cmpstr (g->labels[1], ==, "Trouser");
  }
}

static void
test_unknown_keys_and_escapes (void)
{
  g_autoptr (LmImageGrid) g = parse_ok (
      "{\"version\":2,\"n\":2,\"extra\":{\"a\":[1,2.5e3,-0.5,true,false,null,{\"b\":\"x\\\"y\"}],\"c\":{}},"
      "\"nrow\":2,\"rows\":1,\"cell_width\":28.0,\"cell_height\":2.8e1,\"padding\":2,\"empty\":[],"
      "\"labels\":[\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" a\\/b \\\\ \\n\\t\", \"\\u00fc\\u20ac\"]}",
      62, 32);

  g_assert_cmpint (g->cell_width, ==, 28);
  g_assert_cmpint (g->cell_height, ==, 28);
  g_assert_cmpstr (g->labels[0], ==, "café 😀 \"q\" a/b \\ \n\t");
  g_assert_cmpstr (g->labels[1], ==, "ü€");
  g_assert_true (g_utf8_validate (g->labels[0], -1, NULL));

  /* Raw UTF-8 in labels passes through unchanged. */
  {
    g_autoptr (LmImageGrid) u = parse_ok ("{\"n\":1,\"nrow\":1,\"rows\":1,\"cell_width\":1,"
                                          "\"cell_height\":1,\"padding\":0,\"labels\":[\"Stiefel ü 靴\"]}",
                                          1, 1);

    g_assert_cmpstr (u->labels[0], ==, "Stiefel ü 靴");
  }
  /* "labels": null is the same as no labels. */
  {
    g_autoptr (LmImageGrid) n = parse_ok ("{\"n\":1,\"nrow\":1,\"rows\":1,\"cell_width\":1,"
                                          "\"cell_height\":1,\"padding\":0,\"labels\":null}", 1, 1);

    g_assert_null (n->labels);
  }
}

/* Every proper prefix of a valid text is refused, cleanly. */
static void
test_truncated (void)
{
  gsize len = strlen (GOOD_JSON);

  for (gsize i = 0; i < len; i++)
    {
      g_autofree char *prefix = g_strndup (GOOD_JSON, i);
      g_autofree char *error = NULL;

      g_assert_null (lm_image_grid_parse (prefix, GOOD_W, GOOD_H, &error));
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error, "grid JSON: "));
    }
  /* A NULL error pointer is allowed. */
  g_assert_null (lm_image_grid_parse ("{", 0, 0, NULL));
  g_assert_null (lm_image_grid_parse (NULL, 0, 0, NULL));
}

static void
test_malformed (void)
{
#define KEYS "\"n\":2,\"nrow\":2,\"rows\":1,\"cell_width\":4,\"cell_height\":4"
  parse_bad ("", 0, 0, "expected an object");
  parse_bad ("[1,2]", 0, 0, "expected an object");
  parse_bad ("null", 0, 0, "expected an object");
  parse_bad ("{}", 0, 0, "no \"n\"");
  parse_bad ("{" KEYS "}", 0, 0, "no \"padding\"");
  parse_bad ("{" KEYS ",\"padding\":1}x", 0, 0, "text after the object");
  parse_bad ("{" KEYS ",\"padding\":1}{}", 0, 0, "text after the object");
  parse_bad ("{" KEYS ",\"padding\":1,}", 0, 0, "expected a string");
  parse_bad ("{" KEYS " \"padding\":1}", 0, 0, "expected ',' or '}'");
  parse_bad ("{" KEYS ",\"padding\" 1}", 0, 0, "expected ':'");
  parse_bad ("{" KEYS ",padding:1}", 0, 0, "expected a string");
  parse_bad ("{'n':1}", 0, 0, "expected a string");
  /* Wrong types and values. */
  parse_bad ("{" KEYS ",\"padding\":\"2\"}", 0, 0, "\"padding\" is not a number");
  parse_bad ("{" KEYS ",\"padding\":true}", 0, 0, "\"padding\" is not a number");
  parse_bad ("{" KEYS ",\"padding\":2.5}", 0, 0, "\"padding\" is 2.5, not a whole number");
  parse_bad ("{" KEYS ",\"padding\":1e300}", 0, 0, "not a whole number");
  parse_bad ("{" KEYS ",\"padding\":99999999999999999999}", 0, 0, "not a whole number");
  parse_bad ("{" KEYS ",\"padding\":-1}", 0, 0, "\"padding\" is -1, must be at least 0");
  parse_bad ("{" KEYS ",\"padding\":+1}", 0, 0, "not a number");
  parse_bad ("{" KEYS ",\"padding\":01}", 0, 0, "expected ',' or '}'");
  parse_bad ("{" KEYS ",\"padding\":1.}", 0, 0, "expected a digit after '.'");
  parse_bad ("{" KEYS ",\"padding\":1e}", 0, 0, "expected a digit in the exponent");
  parse_bad ("{\"n\":0,\"nrow\":2,\"rows\":1,\"cell_width\":4,\"cell_height\":4,\"padding\":0}", 0, 0,
             "\"n\" is 0, must be at least 1");
  parse_bad ("{\"n\":2,\"nrow\":0,\"rows\":1,\"cell_width\":4,\"cell_height\":4,\"padding\":0}", 0, 0,
             "\"nrow\" is 0");
  parse_bad ("{" KEYS ",\"n\":3,\"padding\":1}", 0, 0, "\"n\" given twice");
  /* The layout itself. */
  parse_bad ("{\"n\":9,\"nrow\":4,\"rows\":2,\"cell_width\":4,\"cell_height\":4,\"padding\":0}", 0, 0,
             "\"rows\" is 2, but 9 images at 4 a row fill 3");
  parse_bad ("{" KEYS ",\"padding\":1,\"labels\":[\"a\"]}", 0, 0, "\"labels\" has 1 entries for 2 images");
  parse_bad ("{" KEYS ",\"padding\":1,\"labels\":[\"a\",\"b\",\"c\"]}", 0, 0, "has 3 entries");
  parse_bad ("{" KEYS ",\"padding\":1,\"labels\":[\"a\",2]}", 0, 0, "labels[1] is not a string");
  parse_bad ("{" KEYS ",\"padding\":1,\"labels\":\"a,b\"}", 0, 0, "\"labels\" is not an array");
  parse_bad ("{" KEYS ",\"padding\":1,\"labels\":[\"a\" \"b\"]}", 0, 0, "expected ',' or ']'");
  parse_bad ("{" KEYS ",\"padding\":1,\"labels\":[\"a\",\"b\"],\"labels\":null}", 0, 0,
             "\"labels\" given twice");
  /* 2 cells of 4 + padding 1 need 11x6; check against the image. */
  {
    LmImageGrid *fits = lm_image_grid_parse ("{" KEYS ",\"padding\":1}", 11, 6, NULL);

    g_assert_nonnull (fits);
    lm_image_grid_unref (fits);
  }
  parse_bad ("{" KEYS ",\"padding\":1}", 10, 6, "need a 11×6 image, this one is 10×6");
  parse_bad ("{" KEYS ",\"padding\":1}", 11, 5, "this one is 11×5");
  parse_bad ("{\"n\":2,\"nrow\":2,\"rows\":1,\"cell_width\":1048576,\"cell_height\":1048576,\"padding\":1048576}",
             640, 480, "this one is 640×480");
  /* No size, no layout: every value at its limit made cell origins past
   * an int's (2^20 cells of 2^21 a row) when a size of 0 skipped this. */
  parse_bad ("{\"n\":1048576,\"nrow\":1048576,\"rows\":1,\"cell_width\":1048576,\"cell_height\":1,"
             "\"padding\":1048576}", 0, 480, "the image is 0×480, no grid fits it");
  parse_bad ("{" KEYS ",\"padding\":1}", 11, 0, "the image is 11×0, no grid fits it");
  parse_bad ("{" KEYS ",\"padding\":1}", -11, 6, "the image is -11×6, no grid fits it");
  /* Strings. */
  parse_bad ("{" KEYS ",\"padding\":1,\"labels\":[\"a\\x\",\"b\"]}", 0, 0, "bad escape");
  parse_bad ("{" KEYS ",\"padding\":1,\"labels\":[\"a\\u12\",\"b\"]}", 0, 0, "bad \\u escape");
  parse_bad ("{" KEYS ",\"padding\":1,\"labels\":[\"\\ud83d\",\"b\"]}", 0, 0, "half a surrogate pair");
  parse_bad ("{" KEYS ",\"padding\":1,\"labels\":[\"\\ud83d\\u0041\",\"b\"]}", 0, 0, "half a surrogate pair");
  parse_bad ("{" KEYS ",\"padding\":1,\"labels\":[\"\\ude00\",\"b\"]}", 0, 0, "half a surrogate pair");
  parse_bad ("{" KEYS ",\"padding\":1,\"labels\":[\"\\u0000\",\"b\"]}", 0, 0, "NUL");
  parse_bad ("{" KEYS ",\"padding\":1,\"labels\":[\"a\nb\",\"b\"]}", 0, 0, "control character 0x0a");
  parse_bad ("{" KEYS ",\"padding\":1,\"labels\":[\"a\\", 0, 0, "bad escape");
  parse_bad ("{" KEYS ",\"padding\":1,\"labels\":[\"\xff\",\"b\"]}", 0, 0, "not valid UTF-8");
  /* Unknown values are checked too, and nesting is capped. */
  parse_bad ("{" KEYS ",\"padding\":1,\"x\":tru}", 0, 0, "unexpected text");
  parse_bad ("{" KEYS ",\"padding\":1,\"x\":[1,]}", 0, 0, "expected a number");
  parse_bad ("{" KEYS ",\"padding\":1,\"x\":{\"a\" 1}}", 0, 0, "expected ':'");
  parse_bad ("{" KEYS ",\"padding\":1,\"x\":[1 2]}", 0, 0, "expected ',' or ']'");
  {
    GString *deep = g_string_new ("{\"x\":");

    for (int i = 0; i < 200; i++)
      g_string_append_c (deep, '[');
    parse_bad (deep->str, 0, 0, "nested more than 32 deep");
    g_string_free (deep, TRUE);
  }
#undef KEYS
}

static void
test_geometry (void)
{
  g_autoptr (LmImageGrid) g = parse_ok (GOOD_JSON, GOOD_W, GOOD_H);
  int x, y;

  /* Image k at column k % 4, row k / 4. */
  g_assert_true (lm_image_grid_cell_origin (g, 0, &x, &y));
  g_assert_cmpint (x, ==, 2);
  g_assert_cmpint (y, ==, 2);
  g_assert_true (lm_image_grid_cell_origin (g, 3, &x, &y));
  g_assert_cmpint (x, ==, 2 + 3 * 30);
  g_assert_cmpint (y, ==, 2);
  g_assert_true (lm_image_grid_cell_origin (g, 4, &x, &y));
  g_assert_cmpint (x, ==, 2);
  g_assert_cmpint (y, ==, 32);
  g_assert_false (lm_image_grid_cell_origin (g, 5, &x, &y));
  g_assert_false (lm_image_grid_cell_origin (g, -1, &x, &y));

  g_assert_cmpint (lm_image_grid_cell_at (g, 2, 2), ==, 0);
  g_assert_cmpint (lm_image_grid_cell_at (g, 29.9, 29.9), ==, 0);
  g_assert_cmpint (lm_image_grid_cell_at (g, 30, 10), ==, -1);     /* padding */
  g_assert_cmpint (lm_image_grid_cell_at (g, 1.9, 10), ==, -1);    /* border */
  g_assert_cmpint (lm_image_grid_cell_at (g, 32, 10), ==, 1);
  g_assert_cmpint (lm_image_grid_cell_at (g, 2 + 3 * 30 + 27, 2 + 27), ==, 3);
  g_assert_cmpint (lm_image_grid_cell_at (g, 5, 33), ==, 4);
  g_assert_cmpint (lm_image_grid_cell_at (g, 35, 33), ==, -1);     /* past the last image */
  g_assert_cmpint (lm_image_grid_cell_at (g, 200, 10), ==, -1);
  g_assert_cmpint (lm_image_grid_cell_at (g, -5, -5), ==, -1);
  g_assert_cmpint (lm_image_grid_cell_at (g, NAN, 3), ==, -1);

  /* A grid made by hand, past any image: its last cell's origin would be
   * 2^20 + (2^20 - 1) * 2^21, over an int's (it wrapped) */
  {
    const LmImageGrid big = { .n = 1 << 20, .nrow = 1 << 20, .rows = 1, .cell_width = 1 << 20,
                              .cell_height = 1, .padding = 1 << 20 };

    x = y = -7;
    g_assert_false (lm_image_grid_cell_origin (&big, (1 << 20) - 1, &x, &y));
    g_assert_cmpint (x, ==, -7);
    g_assert_true (lm_image_grid_cell_origin (&big, 1, &x, &y));
    g_assert_cmpint (x, ==, (1 << 20) + (1 << 21));
    g_assert_cmpint (y, ==, 1 << 20);
  }
}

static void
test_prediction (void)
{
  char *p = NULL, *t = NULL;

  g_assert_true (lm_image_grid_split_prediction ("pred Bag / true Coat", &p, &t));
  g_assert_cmpstr (p, ==, "Bag");
  g_assert_cmpstr (t, ==, "Coat");
  g_clear_pointer (&p, g_free);
  g_clear_pointer (&t, g_free);
  g_assert_true (lm_image_grid_split_prediction ("pred T-shirt/top / true Ankle boot", &p, &t));
  g_assert_cmpstr (p, ==, "T-shirt/top");
  g_assert_cmpstr (t, ==, "Ankle boot");
  g_clear_pointer (&p, g_free);
  g_clear_pointer (&t, g_free);
  g_assert_false (lm_image_grid_split_prediction ("true Coat", &p, &t));
  g_assert_false (lm_image_grid_split_prediction ("Coat", &p, &t));
  g_assert_false (lm_image_grid_split_prediction ("pred  / true Coat", &p, &t));
  g_assert_false (lm_image_grid_split_prediction ("pred Bag / true ", &p, &t));
  g_assert_false (lm_image_grid_split_prediction (NULL, &p, &t));
  g_assert_null (p);
  g_assert_null (t);
}

/* The `boxes` JSON lumen-log writes: corners as given, labels decoded,
 * a box without a label or with null; malformed text refused with where. */
static void
test_boxes_parse (void)
{
  g_autoptr (LmImageBoxes) b = NULL;
  static const struct
  {
    const char *json, *error;
  } bad[] = {
    { "", "boxes JSON: expected '[' at the end of the text (byte 0)" },
    { "[[1,2,3]]", "boxes JSON: expected ',' at byte 7" },
    { "[[1,2,3,1e39]]", "boxes JSON: ymax is not a finite number at byte 8" },
    { "[[1,2,3,4,5]]", "boxes JSON: expected a string at byte 10" },
    { "[[1,2,3,4] [0,0,1,1]]", "boxes JSON: expected ',' or ']' between boxes at byte 11" },
    { "[[1,2,3,4]] x", "boxes JSON: text after the boxes at byte 12" },
    { "[[1,2,3,4,\"a", "boxes JSON: unterminated string at the end of the text (byte 12)" },
    { "{}", "boxes JSON: expected '[' at byte 0" },
  };

  b = lm_image_boxes_parse ("[[1,1,4,3,\"cat 0.97\"],[-2,0.5,10,2.25],[5,3,1,0,null],"
                            "[100,100,120,130,\"dog \\\"x\\\"\\u000a\"]]",
                            NULL);
  g_assert_nonnull (b);
  g_assert_cmpint (b->n, ==, 4);
  g_assert_cmpfloat (b->boxes[0].x0, ==, 1);
  g_assert_cmpfloat (b->boxes[0].y1, ==, 3);
  g_assert_cmpstr (b->boxes[0].label, ==, "cat 0.97");
  g_assert_cmpfloat (b->boxes[1].x0, ==, -2);
  g_assert_cmpfloat (b->boxes[1].y0, ==, 0.5);
  g_assert_cmpfloat (b->boxes[1].y1, ==, 2.25);
  g_assert_null (b->boxes[1].label);
  /* swapped corners stay as logged */
  g_assert_cmpfloat (b->boxes[2].x0, ==, 5);
  g_assert_cmpfloat (b->boxes[2].x1, ==, 1);
  g_assert_null (b->boxes[2].label);
  g_assert_cmpstr (b->boxes[3].label, ==, "dog \"x\"\n");
  g_clear_pointer (&b, lm_image_boxes_unref);
  b = lm_image_boxes_parse (" [ ] ", NULL);
  g_assert_nonnull (b);
  g_assert_cmpint (b->n, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *error = NULL;

      g_assert_null (lm_image_boxes_parse (bad[i].json, &error));
      g_assert_cmpstr (error, ==, bad[i].error);
    }
}

/* The red pixels of lm_image_box_outline, on a 36x24 image as PIL
 * clips them, against PyTorch 1.13's add_image_with_boxes (PIL 9.4's
 * _draw_single_box on a black 36x24 image, labels None): the bounding box
 * of its red pixels and their count per column and per row, in hex.
 * Corners in every order, boxes of no width, no height and no size, and
 * fractional corners, negative ones included (PIL truncates towards zero). */
static void
test_boxes_outline (void)
{
  static const struct
  {
    float box[4];
    int x0, y0, x1, y1;
    const char *cols, *rows;
  } want[] = {
    { { 4, 5, 20, 16 }, 4, 4, 20, 17, "ee4444444444444ee", "111144444444441111" },
    { { 20, 5, 4, 16 }, 3, 5, 21, 16, "cc444444444444444cc", "1313444444441313" },
    { { 4, 16, 20, 5 }, 3, 5, 21, 16, "cc444444444444444cc", "1313444444441313" },
    { { 20, 16, 4, 5 }, 4, 4, 20, 17, "ee4444444444444ee", "111144444444441111" },
    { { 10, 4, 10, 15 }, 9, 4, 11, 15, "ccc", "333333333333" },
    { { 3, 12, 17, 12 }, 3, 11, 17, 13, "333333333333333", "fff" },
    { { 9, 9, 9, 9 }, 9, 9, 9, 9, "1", "1" },
    { { -0.5, -0.7, 8.9, 6.2 }, 0, 0, 8, 7, "883333388", "94444499" },
    { { 30.6, 2.5, 22.2, 9.9 }, 21, 2, 31, 9, "88444444488", "bb4444bb" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      LmImageBox box = { want[i].box[0], want[i].box[1], want[i].box[2], want[i].box[3], NULL };
      gboolean red[24][36] = { { FALSE } };
      double r[4][4];
      int x0 = 36, y0 = 24, x1 = -1, y1 = -1;
      g_autoptr (GString) cols = g_string_new (NULL), rows = g_string_new (NULL);

      lm_image_box_outline (&box, r);
      for (int k = 0; k < 4; k++)
        for (int y = MAX ((int) r[k][1], 0); y < MIN ((int) r[k][3], 24); y++)
          for (int x = MAX ((int) r[k][0], 0); x < MIN ((int) r[k][2], 36); x++)
            {
              red[y][x] = TRUE;
              x0 = MIN (x0, x);
              y0 = MIN (y0, y);
              x1 = MAX (x1, x);
              y1 = MAX (y1, y);
            }
      for (int x = x0; x <= x1; x++)
        {
          int n = 0;

          for (int y = 0; y < 24; y++)
            n += red[y][x];
          g_string_append_printf (cols, "%x", n);
        }
      for (int y = y0; y <= y1; y++)
        {
          int n = 0;

          for (int x = 0; x < 36; x++)
            n += red[y][x];
          g_string_append_printf (rows, "%x", n);
        }
      g_test_message ("box %u: %d,%d .. %d,%d", i, x0, y0, x1, y1);
      g_assert_cmpint (x0, ==, want[i].x0);
      g_assert_cmpint (y0, ==, want[i].y0);
      g_assert_cmpint (x1, ==, want[i].x1);
      g_assert_cmpint (y1, ==, want[i].y1);
      g_assert_cmpstr (cols->str, ==, want[i].cols);
      g_assert_cmpstr (rows->str, ==, want[i].rows);
    }
}

#ifdef HAVE_LUMEN_LOG
/* Through the feed's reader: a grid written by lumen-log, one whose JSON
 * was damaged afterwards, and a single image. */
static void
test_read (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lumen-grid-XXXXXX", NULL);
  g_autofree char *path = NULL;
  g_autoptr (GHashTable) out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) g_ptr_array_unref);
  const char *labels[3] = { "Coat", "Bag", "pred Shirt / true Shirt" };
  guint8 px[3 * 28 * 28];
  g_autofree char *error = NULL;
  gint64 last_id = 0;
  lm_writer *w;
  sqlite3 *db;
  GPtrArray *rows;
  LmImageMeta *m;

  memset (px, 128, sizeof px);
  g_assert_cmpint (lm_writer_open (&w, dir, "r"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_images_grid (w, "good", 0, px, 3, 28, 28, 1, 2, 2, 0, labels), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_images_grid (w, "bad", 0, px, 3, 28, 28, 1, 2, 2, 0, labels), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_images_grid (w, "zero", 0, px, 3, 28, 28, 1, 2, 2, 0, labels), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_image (w, "single", 0, px, 28, 28, 1), ==, LM_OK);
  {
    const float boxes[] = { 2, 3, 20, 25.5f, 30, 1, 10, 5 };
    const char *box_labels[] = { "cat", NULL };

    g_assert_cmpint (lm_writer_add_image_with_boxes (w, "boxes", 0, px, 28, 28, 1, boxes, 2, box_labels),
                     ==, LM_OK);
    g_assert_cmpint (lm_writer_add_image_with_boxes (w, "badboxes", 0, px, 28, 28, 1, boxes, 2, NULL),
                     ==, LM_OK);
  }
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);

  path = g_build_filename (dir, "r", "run.lumen", NULL);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE images SET grid = substr(grid, 1, 40) WHERE tag_id = "
                                     "(SELECT id FROM tags WHERE name = 'bad')", NULL, NULL, NULL), ==, SQLITE_OK);
  /* a hand-made row: a grid of every value at its limit on an image of
   * no width */
  g_assert_cmpint (sqlite3_exec (db, "UPDATE images SET width = 0, grid = '{\"n\":1048576,\"nrow\":1048576,"
                                     "\"rows\":1,\"cell_width\":1048576,\"cell_height\":1,\"padding\":1048576}' "
                                     "WHERE tag_id = (SELECT id FROM tags WHERE name = 'zero')", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE images SET boxes = '[[1,2]]' WHERE tag_id = "
                                     "(SELECT id FROM tags WHERE name = 'badboxes')", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (lm_records_read (db, LM_RECORD_IMAGE, &last_id, out, &error));
  g_assert_null (error);

  rows = g_hash_table_lookup (out, "good");
  g_assert_nonnull (rows);
  m = rows->pdata[0];
  g_assert_nonnull (m->layout);
  g_assert_null (m->grid_error);
  g_assert_cmpint (m->layout->n, ==, 3);
  g_assert_cmpint (m->layout->nrow, ==, 2);
  g_assert_cmpint (m->layout->rows, ==, 2);
  g_assert_cmpint (m->width, ==, 2 + 2 * 30);
  g_assert_cmpstr (lm_image_grid_get_label (m->layout, 2), ==, "pred Shirt / true Shirt");

  rows = g_hash_table_lookup (out, "bad");
  m = rows->pdata[0];
  g_assert_null (m->layout);
  g_assert_nonnull (m->grid);
  g_assert_nonnull (m->grid_error);
  g_test_message ("damaged grid: %s", m->grid_error);
  g_assert_true (g_str_has_prefix (m->grid_error, "grid JSON: "));

  rows = g_hash_table_lookup (out, "zero");
  m = rows->pdata[0];
  g_assert_null (m->layout);
  g_assert_cmpint (m->width, ==, 0);
  g_assert_cmpstr (m->grid_error, ==, "grid JSON: the image is 0×62, no grid fits it");

  rows = g_hash_table_lookup (out, "single");
  m = rows->pdata[0];
  g_assert_null (m->grid);
  g_assert_null (m->layout);
  g_assert_null (m->grid_error);
  g_assert_null (m->boxes);
  g_assert_null (m->boxes_error);

  /* parsed once on the reader's side: corners and labels as logged */
  rows = g_hash_table_lookup (out, "boxes");
  m = rows->pdata[0];
  g_assert_nonnull (m->boxes);
  g_assert_null (m->boxes_error);
  g_assert_cmpint (m->boxes->n, ==, 2);
  g_assert_cmpfloat (m->boxes->boxes[0].y1, ==, 25.5);
  g_assert_cmpstr (m->boxes->boxes[0].label, ==, "cat");
  g_assert_cmpfloat (m->boxes->boxes[1].x0, ==, 30);
  g_assert_cmpfloat (m->boxes->boxes[1].x1, ==, 10);
  g_assert_null (m->boxes->boxes[1].label);
  g_assert_null (m->layout);

  rows = g_hash_table_lookup (out, "badboxes");
  m = rows->pdata[0];
  g_assert_null (m->boxes);
  g_assert_cmpstr (m->boxes_error, ==, "boxes JSON: expected ',' at byte 5");

  sqlite3_close (db);
  g_unlink (path);
  {
    g_autofree char *run = g_build_filename (dir, "r", NULL);
    g_autoptr (GDir) d = g_dir_open (run, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *f = g_build_filename (run, name, NULL);

        g_unlink (f);
      }
    g_rmdir (run);
  }
  g_rmdir (dir);
}
#endif

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/image-grid/good", test_good);
  g_test_add_func ("/data/image-grid/unknown-keys-escapes", test_unknown_keys_and_escapes);
  g_test_add_func ("/data/image-grid/truncated", test_truncated);
  g_test_add_func ("/data/image-grid/malformed", test_malformed);
  g_test_add_func ("/data/image-grid/geometry", test_geometry);
  g_test_add_func ("/data/image-grid/prediction", test_prediction);
  g_test_add_func ("/data/image-grid/boxes-parse", test_boxes_parse);
  g_test_add_func ("/data/image-grid/boxes-outline", test_boxes_outline);
#ifdef HAVE_LUMEN_LOG
  g_test_add_func ("/data/image-grid/read", test_read);
#endif
  return g_test_run ();
}
