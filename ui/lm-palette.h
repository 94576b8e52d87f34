/* lm-palette.h: run colours.
 *
 * What it is for: one colour per run, picked by the run's ordinal (its
 * discovery order, stable while the app runs) from a palette of distinct,
 * colour-blind-aware hues, so a run keeps its colour in the run list,
 * every chart, tooltips and exports.  A colour the user picked for a run
 * (TensorBoard's colour swatch in the run list) overrides the palette's:
 * it is kept on the run itself, so two windows on two log directories
 * never share one, and everything that draws a run asks
 * lm_palette_run_color.  Runs coloured by group (TensorBoard's "Color
 * runs by" Experiment or Regex, lm-run-color-group.h) take their group's
 * palette colour instead of their ordinal's, or a grey when no group
 * holds them; a colour the user picked still wins.
 */
#pragma once

#include <gdk/gdk.h>

#include "lumen-data.h"

G_BEGIN_DECLS

#define LM_PALETTE_SIZE 12

/* lm_palette_set_run_group's groups besides 0, 1, ...: the run's own
 * ordinal colour (no grouping, the default), or the grey of runs that no
 * group holds (a regex that does not match their name). */
#define LM_PALETTE_BY_ORDINAL (-1)
#define LM_PALETTE_UNGROUPED  (-2)

/* The palette's colour for an ordinal (what a run has by default). */
void     lm_palette_color            (guint ordinal, GdkRGBA *color);
/* The grey of runs that no group holds: apart from the palette's colours
 * (its own grey is darker) and from the chart axes, on light and dark
 * backgrounds. */
void     lm_palette_ungrouped_color  (GdkRGBA *color);
/* The run's colour: the user's choice, else its group's, else the
 * palette's colour for its ordinal. */
void     lm_palette_run_color        (LmRun *run, GdkRGBA *color);
/* The run's group: palette colour `group` (0, 1, ...), or
 * LM_PALETTE_BY_ORDINAL or LM_PALETTE_UNGROUPED.  The caller tells the
 * charts (lm_run_selection_colors_changed). */
void     lm_palette_set_run_group    (LmRun *run, int group);
int      lm_palette_get_run_group    (LmRun *run);
/* The user's choice for the run; NULL goes back to the palette's colour.
 * The caller tells the charts (lm_run_selection_colors_changed). */
void     lm_palette_set_run_color    (LmRun *run, const GdkRGBA *color);
gboolean lm_palette_run_has_color    (LmRun *run);

/* "#rrggbb" (newly allocated) and back; FALSE for anything else. */
char    *lm_palette_to_string        (const GdkRGBA *color);
gboolean lm_palette_parse            (const char *text, GdkRGBA *color);

G_END_DECLS
