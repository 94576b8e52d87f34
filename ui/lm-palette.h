/* lm-palette.h: run colours.
 *
 * What it is for: one colour per run, picked by the run's ordinal (its
 * discovery order, stable while the app runs) from a palette of distinct,
 * colour-blind-aware hues, so a run keeps its colour in the run list,
 * every chart, tooltips and exports.
 */
#pragma once

#include <gdk/gdk.h>

G_BEGIN_DECLS

#define LM_PALETTE_SIZE 12

void lm_palette_color (guint ordinal, GdkRGBA *color);

G_END_DECLS
