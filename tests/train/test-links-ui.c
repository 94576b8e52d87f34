/* test-links-ui.c: lumen-train's code and the GTK widgets in one program.
 *
 * What it checks: both define a duration formatter, each with its own
 * format ("1:02:05" on the progress bar, "1h 02m" on a chart axis); they
 * were both named lm_format_duration, so nothing could link the two (an
 * app showing training progress next to charts failed with a duplicate
 * symbol).  Linking this program is most of the test.
 */
#include <glib.h>

#include "lm-axis.h"
#include "lm-train-progress.h"

static void
test_both_formatters (void)
{
  char bar[32], axis[32];

  lm_progress_format_duration (3725, bar, sizeof bar);
  lm_format_duration (3725, axis, sizeof axis);
  g_assert_cmpstr (bar, ==, "1:02:05");
  g_assert_cmpstr (axis, !=, bar);
  g_assert_true (g_str_has_prefix (axis, "1h"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/train/links-with-ui/duration", test_both_formatters);
  return g_test_run ();
}
