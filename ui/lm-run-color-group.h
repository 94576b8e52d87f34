/* lm-run-color-group.h: which runs share a colour (TensorBoard's "Color
 * runs by" in the runs table's menu).
 *
 * What it is for: the three groupings of TensorBoard 2.11, by the names
 * its URL keeps them under (runColorGroup=run|experiment|regex:RE):
 *
 *   run         every run its own colour, by its ordinal (the default)
 *   experiment  the runs of one --logdir_spec entry share a colour
 *               (lm_run_store_get_experiment; under --logdir all runs
 *               are one experiment, as in TensorBoard with one logdir)
 *   regex:RE    runs whose name RE matches (searched anywhere in the
 *               name, case-sensitive, as JavaScript's name.match(re))
 *               are grouped by the values of its capture groups, all
 *               of them together; with no capture group every matching
 *               run is one group; the others are grey
 *
 * Each group takes the next palette colour the first time one of its runs
 * is assigned, and keeps it while the grouping lives: runs assigned in the
 * run list's order get colours in the order their groups first appear
 * there, and a run appearing later joins its group's colour.  GRegex
 * (PCRE) is as close to JavaScript's regexes as GLib has.
 *
 * What it is not for: drawing, or remembering the setting (the run list
 * and lm-preferences.h do that).
 */
#pragma once

#include <glib.h>

#include "lumen-data.h"

G_BEGIN_DECLS

typedef enum
{
  LM_RUN_COLOR_GROUP_RUN,
  LM_RUN_COLOR_GROUP_EXPERIMENT,
  LM_RUN_COLOR_GROUP_REGEX,
} LmRunColorGroupBy;

typedef struct _LmRunColorGroup LmRunColorGroup;

/* "run", "experiment" or "regex:RE".  NULL and *error naming the problem
 * for anything else or an empty RE (G_IO_ERROR), or GRegex's error for an
 * RE it cannot compile (G_REGEX_ERROR). */
LmRunColorGroup  *lm_run_color_group_new      (const char *text, GError **error);
void              lm_run_color_group_free     (LmRunColorGroup *group);
/* The same grouping with the colours its groups have been given so far:
 * its runs are assigned the same colours, a new group the next one. */
LmRunColorGroup  *lm_run_color_group_copy     (LmRunColorGroup *group);
LmRunColorGroupBy lm_run_color_group_get_by   (LmRunColorGroup *group);
/* The regex of regex:RE, else NULL. */
const char       *lm_run_color_group_get_regex (LmRunColorGroup *group);
/* "run", "experiment" or "regex:RE", as lm_run_color_group_new takes it. */
const char       *lm_run_color_group_to_string (LmRunColorGroup *group);

/* The number of run's group, its palette colour (0, 1, ... in the order
 * the groups are first met; lm_palette_color wraps it), LM_PALETTE_UNGROUPED for a run the regex does
 * not match, LM_PALETTE_BY_ORDINAL when grouping by run.  label (may be
 * NULL) receives the group's name for people (the capture groups' values,
 * the experiment's name), NULL for those two; g_free it. */
int               lm_run_color_group_assign   (LmRunColorGroup *group,
                                               LmRunStore      *store,
                                               LmRun           *run,
                                               char           **label);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmRunColorGroup, lm_run_color_group_free)

G_END_DECLS
