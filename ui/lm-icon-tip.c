/* lm-icon-tip.c: names for icon-only buttons (see lm-icon-tip.h). */
#include "lm-icon-tip.h"

void
lm_icon_tip (GtkWidget *button, const char *tip)
{
  GtkWidget *inner;

  g_return_if_fail (GTK_IS_WIDGET (button) && tip != NULL);
  gtk_widget_set_tooltip_text (button, tip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tip, -1);
  inner = GTK_IS_MENU_BUTTON (button) ? gtk_widget_get_first_child (button) : NULL;
  if (GTK_IS_BUTTON (inner))
    gtk_accessible_update_property (GTK_ACCESSIBLE (inner), GTK_ACCESSIBLE_PROPERTY_LABEL, tip, -1);
}
