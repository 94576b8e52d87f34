/* lm-icon-tip.h: names for icon-only buttons, and tooltips of widgets
 * being built (private to ui/).
 *
 * What it is for: an icon-only button's tooltip and the name a screen
 * reader says for it, set together (with only a tooltip it says
 * "button").  Not for buttons with a text label: GTK names those.  And a
 * tooltip set on a widget not yet in a window without GTK asking the
 * display where the pointer is (see lm_set_tooltip).
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Sets the tooltip and the accessible label of `button`; for a
 * GtkMenuButton, its inner button (the one that takes focus) too. */
void lm_icon_tip (GtkWidget *button, const char *tip);

/* gtk_widget_set_tooltip_text, less GTK 4.8's tooltip query when `widget`
 * is in no window yet: that query asks the display where the pointer is
 * (a round trip to the X server), for a widget that cannot be under it.
 * Five hundred histogram cards set 1,500 tooltips as they are built. */
void lm_set_tooltip (GtkWidget *widget, const char *text);

G_END_DECLS
