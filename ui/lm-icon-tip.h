/* lm-icon-tip.h: names for icon-only buttons (private to ui/).
 *
 * What it is for: an icon-only button's tooltip and the name a screen
 * reader says for it, set together (with only a tooltip it says
 * "button").  Not for buttons with a text label: GTK names those.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Sets the tooltip and the accessible label of `button`; for a
 * GtkMenuButton, its inner button (the one that takes focus) too. */
void lm_icon_tip (GtkWidget *button, const char *tip);

G_END_DECLS
