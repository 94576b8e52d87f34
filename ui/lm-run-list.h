/* lm-run-list.h: the sidebar list of runs.
 *
 * What it is for: every run of the log directory with its colour, a
 * visibility toggle, its name (folder path), a live/finished/failed
 * marker and an error badge whose tooltip says what is wrong with the
 * file; a regex filter (invalid regex: warning, last good filter kept)
 * and show-all / hide-all buttons.  Rows are recycled by GtkListView, so
 * hundreds of runs cost no more than a screenful.
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-run-selection.h"

G_BEGIN_DECLS

#define LM_TYPE_RUN_LIST (lm_run_list_get_type ())
G_DECLARE_FINAL_TYPE (LmRunList, lm_run_list, LM, RUN_LIST, GtkBox)

GtkWidget *lm_run_list_new              (LmRunSelection *selection);
GtkWidget *lm_run_list_get_filter_entry (LmRunList *self);
/* Sets the entry text too.  FALSE (and *error) for an invalid regex. */
gboolean   lm_run_list_set_filter       (LmRunList *self, const char *regex, GError **error);

G_END_DECLS
