/* lm-custom-scalars.h: TensorBoard's Custom Scalars layouts, read side.
 *
 * What it is for: the layout a run logged with
 * lm_writer_add_custom_scalars (categories of Multiline and Margin charts,
 * docs/run-format.md "custom_scalar_charts"), read from a run file, the
 * layouts of several runs merged the way TensorBoard's custom_scalars
 * plugin merges them (runs in name order; a category seen again takes the
 * charts it does not have yet, in order), and which scalar tags a
 * Multiline chart draws: a tag matches when one of the chart's POSIX
 * extended regexes matches at its start (Python's re.match, what
 * TensorBoard uses).  A regex the writer did not check (another producer,
 * an edited file) that does not compile leaves its chart with `error` set
 * instead of failing the read.
 *
 * What it is not for: drawing (ui/lm-custom-scalars-view.c) or polling
 * (an LmRecordFeed of kind LM_RECORD_CUSTOM_SCALARS does that).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  LM_CUSTOM_CHART_MULTILINE,
  LM_CUSTOM_CHART_MARGIN,
} LmCustomChartKind;

typedef struct _LmCustomChart LmCustomChart;

typedef struct
{
  char *title;
  GPtrArray *charts;   /* LmCustomChart* in order */
} LmCustomCategory;

/* A layout: immutable once built, atomically reference counted, so a
 * feed's worker builds it and the main thread keeps it. */
typedef struct
{
  GPtrArray *categories;   /* LmCustomCategory* in order */
} LmCustomScalars;

LmCustomScalars   *lm_custom_scalars_new       (void);
LmCustomScalars   *lm_custom_scalars_ref       (LmCustomScalars *layout);
void               lm_custom_scalars_unref     (LmCustomScalars *layout);
/* Adds a chart (tags: regexes for MULTILINE; value, lower, upper for
 * MARGIN) to the category of that title, created at the end if new; a
 * chart equal to one the category has (kind, title, tags) is skipped.
 * Returns the chart, or NULL when skipped. */
LmCustomChart     *lm_custom_scalars_add_chart (LmCustomScalars   *layout,
                                                const char        *category,
                                                const char        *title,
                                                LmCustomChartKind  kind,
                                                const char *const *tags,
                                                guint              n_tags);
/* Appends src's categories and charts to dest (same rule). */
void               lm_custom_scalars_merge     (LmCustomScalars *dest, const LmCustomScalars *src);
/* Same categories and charts in the same order (NULL: no charts). */
gboolean           lm_custom_scalars_equal     (const LmCustomScalars *a, const LmCustomScalars *b);
guint              lm_custom_scalars_n_charts  (const LmCustomScalars *layout);

const char        *lm_custom_chart_get_title   (const LmCustomChart *chart);
LmCustomChartKind  lm_custom_chart_get_kind    (const LmCustomChart *chart);
guint              lm_custom_chart_get_n_tags  (const LmCustomChart *chart);
const char        *lm_custom_chart_get_tag     (const LmCustomChart *chart, guint i);
/* Why the chart cannot be drawn (a regex that does not compile), or NULL. */
const char        *lm_custom_chart_get_error   (const LmCustomChart *chart);
/* A Multiline chart draws this tag: one of its regexes matches at the
 * tag's start.  FALSE for a Margin chart. */
gboolean           lm_custom_chart_matches     (const LmCustomChart *chart, const char *tag);
/* The first of the chart's regexes that matches the tag, or -1. */
int                lm_custom_chart_match_index (const LmCustomChart *chart, const char *tag);
/* How many times the chart ran one of its regexes: once per regex per
 * distinct tag, as the answer is kept (for tests). */
guint              lm_custom_chart_get_n_regexec (const LmCustomChart *chart);

/* The layouts a run file holds (`db` an sqlite3*), merged in log order.
 * NULL without an error when the run has none (or a file from before
 * custom scalars); NULL with *error set when the read failed. */
LmCustomScalars   *lm_custom_scalars_read      (gpointer db, char **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmCustomScalars, lm_custom_scalars_unref)

G_END_DECLS
