/* test-custom-scalars.c: custom-scalar layouts on the read side: which
 * tags a Multiline chart's regexes take (TensorBoard's re.match: at the
 * start of the tag), layouts merged across runs as TensorBoard merges
 * them, a layout read back from a run file and followed live by a feed,
 * a bad regex in a file flagged on its chart, and a run file from before
 * custom scalars read without an error. */
#include <glib.h>
#include <sqlite3.h>
#include <string.h>

#include <lumen-log.h>

#include "lumen-data.h"
#include "lm-custom-scalars.h"
#include "lm-test-records.h"

/* "Category: chart[kind tags] chart[...]; Category2: ..." */
static char *
describe (const LmCustomScalars *layout)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < layout->categories->len; i++)
    {
      LmCustomCategory *cat = layout->categories->pdata[i];

      g_string_append_printf (out, "%s%s:", i ? "; " : "", cat->title);
      for (guint k = 0; k < cat->charts->len; k++)
        {
          LmCustomChart *c = cat->charts->pdata[k];

          g_string_append_printf (out, " %s[%s", lm_custom_chart_get_title (c),
                                  lm_custom_chart_get_kind (c) == LM_CUSTOM_CHART_MARGIN ? "margin" : "multi");
          for (guint t = 0; t < lm_custom_chart_get_n_tags (c); t++)
            g_string_append_printf (out, " %s", lm_custom_chart_get_tag (c, t));
          g_string_append_c (out, ']');
        }
    }
  return g_string_free (out, FALSE);
}

static void
test_matching (void)
{
  g_autoptr (LmCustomScalars) l = lm_custom_scalars_new ();
  const char *tags[] = { "loss", "(train|val)/acc$", "lr[0-9]+" };
  LmCustomChart *c = lm_custom_scalars_add_chart (l, "C", "T", LM_CUSTOM_CHART_MULTILINE, tags, 3);
  const char *margin[] = { "v", "lo", "hi" };
  LmCustomChart *m = lm_custom_scalars_add_chart (l, "C", "M", LM_CUSTOM_CHART_MARGIN, margin, 3);

  g_assert_null (lm_custom_chart_get_error (c));
  /* at the start, as Python's re.match: a prefix is enough, an inner match is not */
  g_assert_true (lm_custom_chart_matches (c, "loss"));
  g_assert_true (lm_custom_chart_matches (c, "loss/train"));
  g_assert_false (lm_custom_chart_matches (c, "train/loss"));
  g_assert_true (lm_custom_chart_matches (c, "val/acc"));
  g_assert_false (lm_custom_chart_matches (c, "val/acc_top5"));
  g_assert_false (lm_custom_chart_matches (c, "test/acc"));
  g_assert_true (lm_custom_chart_matches (c, "lr12"));
  g_assert_false (lm_custom_chart_matches (c, "lr"));
  g_assert_cmpint (lm_custom_chart_match_index (c, "val/acc"), ==, 1);
  g_assert_cmpint (lm_custom_chart_match_index (c, "lr7"), ==, 2);
  g_assert_cmpint (lm_custom_chart_match_index (c, "x"), ==, -1);
  /* margin tags are names, never patterns */
  g_assert_false (lm_custom_chart_matches (m, "v"));
}

static void
test_bad_regex (void)
{
  g_autoptr (LmCustomScalars) l = lm_custom_scalars_new ();
  const char *tags[] = { "ok", "train/(loss" };
  LmCustomChart *c = lm_custom_scalars_add_chart (l, "C", "T", LM_CUSTOM_CHART_MULTILINE, tags, 2);

  g_assert_nonnull (strstr (lm_custom_chart_get_error (c),
                            "tag regex 'train/(loss' is not a valid regular expression (POSIX extended)"));
  g_assert_false (lm_custom_chart_matches (c, "ok"));
}

/* A layout of 1000 charts is matched against every shown run's tags on
 * each data change: a chart runs its regexes once per distinct tag, then
 * keeps the answer (it ran them 1000 x 200 x 2 times for 200 tags,
 * asked 1000 times each, and the app stalled). */
static void
test_match_cached (void)
{
  g_autoptr (LmCustomScalars) l = lm_custom_scalars_new ();
  const char *tags[] = { "(train|val)/loss$", "lr" };
  LmCustomChart *c = lm_custom_scalars_add_chart (l, "C", "T", LM_CUSTOM_CHART_MULTILINE, tags, 2);
  const char *margin[] = { "v", "lo", "hi" };
  LmCustomChart *m = lm_custom_scalars_add_chart (l, "C", "M", LM_CUSTOM_CHART_MARGIN, margin, 3);

  for (guint round = 0; round < 1000; round++)
    for (guint t = 0; t < 200; t++)
      {
        g_autofree char *tag = t % 4 == 0 ? g_strdup ("train/loss")
                                          : g_strdup_printf ("%s/%u", t % 4 == 1 ? "lr" : "x", t);

        /* the answers do not change */
        g_assert_cmpint (lm_custom_chart_match_index (c, tag), ==, t % 4 == 0 ? 0 : t % 4 == 1 ? 1 : -1);
        g_assert_false (lm_custom_chart_matches (m, tag));
      }
  /* distinct tags: train/loss, 50 lr/N (one regex each: the first fails,
   * the second matches), 100 x/N (both regexes) */
  g_assert_cmpuint (lm_custom_chart_get_n_regexec (c), ==, 1 + 50 * 2 + 100 * 2);
  g_assert_cmpuint (lm_custom_chart_get_n_regexec (m), ==, 0);
}

/* TensorBoard's layout_impl: runs in name order, the first layout as it
 * is, then each category found again takes the charts it lacks, a new
 * category goes at the end. */
static void
test_merge (void)
{
  g_autoptr (LmCustomScalars) a = lm_custom_scalars_new ();
  g_autoptr (LmCustomScalars) b = lm_custom_scalars_new ();
  g_autoptr (LmCustomScalars) merged = lm_custom_scalars_new ();
  const char *loss[] = { "train/loss$", "val/loss$" }, *acc[] = { "acc" }, *other[] = { "x" };
  const char *band[] = { "v", "lo", "hi" };
  g_autofree char *text = NULL;

  lm_custom_scalars_add_chart (a, "Overview", "Loss", LM_CUSTOM_CHART_MULTILINE, loss, 2);
  lm_custom_scalars_add_chart (a, "Overview", "Band", LM_CUSTOM_CHART_MARGIN, band, 3);
  lm_custom_scalars_add_chart (b, "Other", "X", LM_CUSTOM_CHART_MULTILINE, other, 1);
  /* the same chart again is skipped; same title, other tags is kept */
  g_assert_nonnull (lm_custom_scalars_add_chart (b, "Overview", "Loss", LM_CUSTOM_CHART_MULTILINE, loss, 2));
  g_assert_null (lm_custom_scalars_add_chart (b, "Overview", "Loss", LM_CUSTOM_CHART_MULTILINE, loss, 2));
  g_assert_nonnull (lm_custom_scalars_add_chart (b, "Overview", "Loss", LM_CUSTOM_CHART_MULTILINE, acc, 1));
  lm_custom_scalars_merge (merged, a);
  lm_custom_scalars_merge (merged, b);
  lm_custom_scalars_merge (merged, a);   /* nothing new */
  text = describe (merged);
  g_assert_cmpstr (text, ==,
                   "Overview: Loss[multi train/loss$ val/loss$] Band[margin v lo hi] Loss[multi acc]; "
                   "Other: X[multi x]");
  g_assert_cmpuint (lm_custom_scalars_n_charts (merged), ==, 4);
  g_assert_false (lm_custom_scalars_equal (merged, a));
  g_assert_true (lm_custom_scalars_equal (merged, merged));
}

static void
write_layout (const char *dir, const char *run, const char *category, const char *title,
              const char *regex)
{
  lm_writer *w;

  g_assert_cmpint (lm_writer_open (&w, dir, run), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_scalar (w, "train/loss", 1, 0.5), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_custom_scalars_multilinechart (w, &regex, 1, category, title), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
}

static gboolean
has_4_charts (gpointer data)
{
  g_autoptr (LmCustomScalars) merged = lm_record_feed_merge_custom_scalars (data);

  return lm_custom_scalars_n_charts (merged) == 4;
}

static void
test_feed (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-custom-XXXXXX");
  g_autoptr (LmRunStore) store = NULL;
  g_autoptr (LmRecordFeed) feed = NULL;
  g_autoptr (LmCustomScalars) merged = NULL;
  g_autofree char *text = NULL, *text2 = NULL;
  g_autofree char *old_path = NULL;
  lm_custom_layout *l;
  lm_writer *w;
  const char *loss[] = { "train/loss$", "val/loss$" };
  sqlite3 *db;

  /* run "b" has two layouts (merged in log order), "a" repeats a chart */
  g_assert_cmpint (lm_writer_open (&w, dir, "b"), ==, LM_OK);
  g_assert_cmpint (lm_custom_layout_new (&l), ==, LM_OK);
  g_assert_cmpint (lm_custom_layout_add_multiline (l, "Overview", "Loss", loss, 2), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_custom_scalars (w, l), ==, LM_OK);
  lm_custom_layout_free (l);
  g_assert_cmpint (lm_writer_add_custom_scalars_marginchart (w, "val/acc", "val/lo", "val/hi", "Overview", "Acc"),
                   ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  write_layout (dir, "a", "Overview", "Loss", "train/loss$");
  /* a run from before custom scalars: no tables */
  write_layout (dir, "old", "X", "Y", "z");
  old_path = g_build_filename (dir, "old", "run.lumen", NULL);
  g_assert_cmpint (sqlite3_open (old_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE custom_scalar_tags; DROP TABLE custom_scalar_charts",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = lm_test_store_open (dir);
  feed = lm_test_feed_open (store, LM_RECORD_CUSTOM_SCALARS);
  g_assert_null (lm_record_feed_get_run_error (feed, "old"));
  g_assert_null (lm_record_feed_find (feed, "old", ""));

  merged = lm_record_feed_merge_custom_scalars (feed);
  text = describe (merged);
  /* "a" first (name order); its Loss differs from b's (one regex), so both */
  g_assert_cmpstr (text, ==,
                   "Overview: Loss[multi train/loss$] Loss[multi train/loss$ val/loss$] "
                   "Acc[margin val/acc val/lo val/hi]");

  /* live: a layout a run logs later shows up (the feed re-reads it) */
  g_assert_cmpint (lm_writer_open (&w, dir, "a"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_custom_scalars_marginchart (w, "v", "lo", "hi", "Later", NULL), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  g_assert_true (lm_test_wait_for (has_4_charts, feed, 10000));
  g_clear_pointer (&merged, lm_custom_scalars_unref);
  merged = lm_record_feed_merge_custom_scalars (feed);
  text2 = describe (merged);
  g_assert_cmpstr (text2, ==,
                   "Overview: Loss[multi train/loss$] Loss[multi train/loss$ val/loss$] "
                   "Acc[margin val/acc val/lo val/hi]; Later: untitled[margin v lo hi]");

  g_clear_object (&feed);
  g_clear_object (&store);
  lm_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/custom-scalars/matching", test_matching);
  g_test_add_func ("/data/custom-scalars/bad-regex", test_bad_regex);
  g_test_add_func ("/data/custom-scalars/match-cached", test_match_cached);
  g_test_add_func ("/data/custom-scalars/merge", test_merge);
  g_test_add_func ("/data/custom-scalars/feed", test_feed);
  return g_test_run ();
}
