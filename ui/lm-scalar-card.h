/* lm-scalar-card.h: one tag's card: title, buttons and chart.
 *
 * What it is for: the TensorBoard-style card around an LmChart: the tag
 * as title, a pin toggle, a log-scale toggle, reset zoom, a larger view in a window of
 * its own (TensorBoard's "toggle full size"), and a menu to export the
 * card as PNG or its data as CSV or JSON.
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-chart.h"

G_BEGIN_DECLS

#define LM_TYPE_SCALAR_CARD (lm_scalar_card_get_type ())
G_DECLARE_FINAL_TYPE (LmScalarCard, lm_scalar_card, LM, SCALAR_CARD, GtkBox)

GtkWidget  *lm_scalar_card_new       (const char      *tag,
                                      LmRunSelection  *selection,
                                      LmChartSettings *settings);
/* The card of a custom-scalars chart (TensorBoard's Custom Scalars): the
 * chart's title, a tooltip with its tags or regexes, the chart drawn by
 * lm_chart_new_custom, no pin; a chart whose regex does not compile says
 * why above its empty chart. */
GtkWidget  *lm_scalar_card_new_custom (LmCustomScalars     *layout,
                                       const LmCustomChart *chart,
                                       LmRunSelection      *selection,
                                       LmChartSettings     *settings);
const char *lm_scalar_card_get_tag   (LmScalarCard *self);
LmChart    *lm_scalar_card_get_chart (LmScalarCard *self);
/* The pin toggle in the header (active: pinned); its owner (the card
 * grid) acts on "toggled". */
GtkToggleButton *lm_scalar_card_get_pin_button (LmScalarCard *self);

G_END_DECLS
