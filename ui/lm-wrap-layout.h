/* lm-wrap-layout.h: a layout manager that lines a widget's children up
 * left to right and starts another line where the next does not fit (as
 * CSS's flex-wrap), each child at its natural width.
 *
 * What it is for: a row of controls (the projector's) that stays one row
 * in a wide window and wraps in a narrow one (the window can be 860 px
 * wide) instead of widening the window past the screen; its least width
 * is its widest child's.  Unlike GtkFlowBox it keeps no columns (a line
 * holds as many children as fit) and adds no focusable cells, so Tab
 * walks the children in order.  Children are centred in their line's
 * height.  Set it on a GtkBox with gtk_widget_set_layout_manager.
 *
 * Not for: lists of items to select or reorder (GtkFlowBox).
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LM_TYPE_WRAP_LAYOUT (lm_wrap_layout_get_type ())
G_DECLARE_FINAL_TYPE (LmWrapLayout, lm_wrap_layout, LM, WRAP_LAYOUT, GtkLayoutManager)

/* Children `spacing` pixels apart on a line, lines `line_spacing` apart. */
GtkLayoutManager *lm_wrap_layout_new (int spacing, int line_spacing);

G_END_DECLS
