/* lm-color-group-dialog.h: TensorBoard's "Color runs by Regex" dialog.
 *
 * What it is for: an entry for the regex and, live as it is typed, the
 * groups it makes of the store's runs (each group's colour, its capture
 * groups' values and its runs) and the runs it does not match (grey); a
 * regex GRegex cannot compile shows GRegex's message and disables OK, as
 * does an empty one.  The preview follows runs that appear meanwhile; it
 * lists the first 100 groups and 100 runs of each, then how many more.
 *
 * What it is not for: applying the regex; the caller reads it on OK
 * (lm-run-list.c).  Cancel changes nothing.
 */
#pragma once

#include <gtk/gtk.h>

#include "lumen-data.h"
#include "lm-run-color-group.h"

G_BEGIN_DECLS

#define LM_TYPE_COLOR_GROUP_DIALOG (lm_color_group_dialog_get_type ())
G_DECLARE_FINAL_TYPE (LmColorGroupDialog, lm_color_group_dialog, LM, COLOR_GROUP_DIALOG, GtkDialog)

/* A modal dialog over parent (may be NULL), not yet shown.  current (may
 * be NULL) is how the runs are coloured now: its regex, if any, is in the
 * entry, and the preview of that regex shows the colours the runs have
 * (a group that appeared after the others has the next colour, not the
 * one of its place in the list).  The dialog keeps a copy, which gives a
 * group appearing while it is open the colour the run list gives it. */
GtkWidget  *lm_color_group_dialog_new       (GtkWindow       *parent,
                                             LmRunStore      *store,
                                             LmRunColorGroup *current);
/* The entry's text: a regex that compiles whenever OK can be pressed. */
const char *lm_color_group_dialog_get_regex (LmColorGroupDialog *self);
GtkWidget  *lm_color_group_dialog_get_entry (LmColorGroupDialog *self);

G_END_DECLS
