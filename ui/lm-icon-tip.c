/* lm-icon-tip.c: names for icon-only buttons, quiet tooltips (see
 * lm-icon-tip.h). */
#include "lm-icon-tip.h"

void
lm_set_tooltip (GtkWidget *widget, const char *text)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  if (gtk_widget_get_root (widget) != NULL || !gtk_widget_get_visible (widget))
    {
      gtk_widget_set_tooltip_text (widget, text);
      return;
    }
  /* GTK queries the tooltip only for a visible widget */
  gtk_widget_set_visible (widget, FALSE);
  gtk_widget_set_tooltip_text (widget, text);
  gtk_widget_set_visible (widget, TRUE);
}

void
lm_icon_tip (GtkWidget *button, const char *tip)
{
  GtkWidget *inner;

  g_return_if_fail (GTK_IS_WIDGET (button) && tip != NULL);
  lm_set_tooltip (button, tip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tip, -1);
  inner = GTK_IS_MENU_BUTTON (button) ? gtk_widget_get_first_child (button) : NULL;
  if (GTK_IS_BUTTON (inner))
    gtk_accessible_update_property (GTK_ACCESSIBLE (inner), GTK_ACCESSIBLE_PROPERTY_LABEL, tip, -1);
}
