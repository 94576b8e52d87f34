/* lm-palette.h: run colours.
 *
 * What it is for: one colour per run, picked by the run's ordinal (its
 * discovery order, stable while the app runs) from a palette of distinct,
 * colour-blind-aware hues, so a run keeps its colour in the run list,
 * every chart, tooltips and exports.  A colour the user picked for a run
 * (TensorBoard's colour swatch in the run list) overrides the palette's:
 * it is kept on the run itself, so two windows on two log directories
 * never share one, and everything that draws a run asks
 * lm_palette_run_color.
 */
#pragma once

#include <gdk/gdk.h>

#include "lumen-data.h"

G_BEGIN_DECLS

#define LM_PALETTE_SIZE 12

/* The palette's colour for an ordinal (what a run has by default). */
void     lm_palette_color            (guint ordinal, GdkRGBA *color);
/* The run's colour: the user's choice, else the palette's. */
void     lm_palette_run_color        (LmRun *run, GdkRGBA *color);
/* The user's choice for the run; NULL goes back to the palette's colour.
 * The caller tells the charts (lm_run_selection_colors_changed). */
void     lm_palette_set_run_color    (LmRun *run, const GdkRGBA *color);
gboolean lm_palette_run_has_color    (LmRun *run);

/* "#rrggbb" (newly allocated) and back; FALSE for anything else. */
char    *lm_palette_to_string        (const GdkRGBA *color);
gboolean lm_palette_parse            (const char *text, GdkRGBA *color);

G_END_DECLS
