/* test-natural.c: names in natural order (data/lm-natural.h).
 *
 * What it checks: digit runs compare by value (layer_2 < layer_10,
 * a1b2 < a1b10), and so do decimals and exponents as TensorBoard's
 * compareTagNames reads them (lr0.05 < lr0.1, lr1e-4 < lr3e-4), while
 * module paths and versions (blocks.1.10, 1.10.2) compare part by part;
 * leading zeros and spellings of one value tie and are then ordered so
 * the order is total, text and UTF-8 compare by code point, and the
 * comparison is a total order (antisymmetric, transitive) over every pair
 * and triple of the names below, which sort into exactly the listed order.
 */
#include <string.h>

#include "lm-natural.h"

/* In the order they must sort in. */
static const char *const sorted[] = {
  "",
  "0",
  "00",
  "01",      /* equal by value to 1: strcmp decides */
  "1",
  "2",
  "10",
  "99999999999999999999",
  "100000000000000000000",
  "a",
  "a0",
  "a1",
  "a1b2",
  "a01b3",   /* 3 between 2 and 10, whatever the zero */
  "a1b10",
  "a2",
  "a10",
  "layer",
  "layer_2",
  "layer_10",
  "layer_10/bias",
  "layer_10/weight",
  "layer_100",
  "loss",
  "metric_0",
  "metric_2",
  "metric_12",
  "metric_100",
  "metric_104",
  "train/acc",
  "train/loss",
  "z",
  "\xc3\xa9t\xc3\xa9_2",    /* été_2: past ASCII, by code point */
  "\xc3\xa9t\xc3\xa9_10",
  "\xe6\x8d\x9f\xe5\xa4\xb1", /* 损失 */
};

/* A sweep's run names and a model's tags, in the order they must sort in. */
static const char *const sorted_sweep[] = {
  "blocks.1.2.weight",
  "blocks.1.9.weight",
  "blocks.1.10.weight",    /* after a '.', an index: 10 > 9 */
  "blocks.2.0.weight",
  "lr0",
  "lr0.0",                 /* the same value: strcmp decides */
  "lr1e-5",
  "lr0.0001",
  "lr1e-4",                /* = 0.0001, spelt otherwise */
  "lr3e-4",
  "lr0.001",
  "lr0.001_bs128",
  "lr0.01_bs64",           /* 0.01 > 0.001, whatever the batch size */
  "lr0.05",
  "lr0.1",
  "lr0.25",
  "lr0.5",
  "lr1",
  "lr1E0x",                /* 1E0 = 1, then x */
  "lr1.5",
  "lr2",
  "lr10",
  "lr1e2",
  "lr1e+3",
  "lr1e3",
  "lr1e99999999999999999999",
  "run1e",                 /* no exponent digits: 1, then 'e' */
  "run1f",
  "v1.9.0",
  "v1.10.0",               /* a version: part by part */
};

static int
sign (int v)
{
  return (v > 0) - (v < 0);
}

static void
test_pairs (void)
{
  static const struct { const char *a, *b; int want; } cases[] = {
    { "layer_2", "layer_10", -1 },
    { "a1b2", "a1b10", -1 },
    { "metric_12", "metric_100", -1 },
    { "run10", "run9", 1 },
    { "x007", "x7", -1 },       /* equal by value: strcmp decides ('0' < '7') */
    { "x007", "x8", -1 },
    { "v1.10", "v1.9", -1 },     /* decimals, as TensorBoard: 1.10 < 1.9 */
    { "v1.10.0", "v1.9.0", 1 },  /* versions part by part */
    { "lr0.05", "lr0.1", -1 },
    { "lr0.001_bs128", "lr0.01_bs64", -1 },
    { "lr1e-4", "lr1e-3", -1 },
    { "lr3e-4", "lr0.001", -1 },
    { "lr2.5e-4", "lr3e-4", -1 },
    { "lr0.5", "lr0.25", 1 },
    { "lr1e-3", "lr0.001", 1 },  /* equal values: strcmp decides */
    { "layers.1.10.bias", "layers.1.9.bias", 1 },
    { "wd0.0", "wd0", 1 },
    { "abc", "abc", 0 },
    { "abc", "abd", -1 },
    { "ab", "abc", -1 },
    { "a10", "a1a", 1 },        /* 10 > 1 decides before the text after */
    { "Loss", "loss", -1 },     /* byte order, as TensorBoard */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int got = sign (lm_natural_compare (cases[i].a, cases[i].b));

      if (got != cases[i].want)
        g_error ("compare ('%s', '%s') = %d, expected %d", cases[i].a, cases[i].b, got, cases[i].want);
      g_assert_cmpint (sign (lm_natural_compare (cases[i].b, cases[i].a)), ==, -cases[i].want);
    }
  g_assert_cmpint (lm_natural_compare (NULL, "a"), <, 0);
  g_assert_cmpint (lm_natural_compare (NULL, NULL), ==, 0);
}

static void
check_total_order (const char *const *names, guint n)
{
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < n; j++)
      {
        int c = sign (lm_natural_compare (names[i], names[j]));
        int want = i < j ? -1 : i > j ? 1 : 0;

        if (c != want)
          g_error ("compare ('%s', '%s') = %d, expected %d", names[i], names[j], c, want);
        /* transitivity follows from the listed order being consistent with
         * every pair; check a chain through a third name anyway */
        for (guint k = 0; k < n; k++)
          if (c < 0 && lm_natural_compare (names[j], names[k]) < 0)
            g_assert_cmpint (lm_natural_compare (names[i], names[k]), <, 0);
      }
}

static void
test_total_order (void)
{
  check_total_order (sorted, G_N_ELEMENTS (sorted));
  check_total_order (sorted_sweep, G_N_ELEMENTS (sorted_sweep));
}

static void
test_sort (void)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  guint n = G_N_ELEMENTS (sorted);

  /* a fixed shuffle: every 11th name, wrapping (11 and n share no factor) */
  g_assert_cmpuint (n % 11, !=, 0);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (names, (gpointer) sorted[(i * 11) % n]);
  g_ptr_array_sort (names, lm_natural_compare_ptrs);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (names, i), ==, sorted[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/natural/pairs", test_pairs);
  g_test_add_func ("/data/natural/total-order", test_total_order);
  g_test_add_func ("/data/natural/sort", test_sort);
  return g_test_run ();
}
