/* lm-run-list.h: the sidebar list of runs.
 *
 * What it is for: every run of the log directory with its colour, a
 * visibility toggle, its name (folder path), a live/finished/failed
 * marker and an error badge whose tooltip says what is wrong with the
 * file; a regex filter (invalid regex: warning, last good filter kept)
 * and show-all / hide-all buttons.  Rows are recycled by GtkListView, so
 * hundreds of runs cost no more than a screenful.  Clicking a run's
 * colour dot opens a colour chooser (TensorBoard's colour swatch) with a
 * way back to the palette's colour; the colours chosen are kept by run
 * name, applied to runs as they appear, and saved (lm-preferences.h).
 * A menu button in the header colours runs by group instead, as
 * TensorBoard's "Color runs by": Experiment, Run (the default) or Regex…
 * (a dialog with a live preview of the groups; lm-run-color-group.h);
 * a colour picked for a run still wins over its group's.
 *
 * Signals: "colors-changed" (the user picked or reset a colour),
 * "color-group-changed" (the grouping changed).
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
/* The colour of the run named run_name, now and whenever a run of that
 * name appears; NULL goes back to the palette's colour.  Emits
 * "colors-changed". */
void       lm_run_list_set_run_color    (LmRunList *self, const char *run_name, const GdkRGBA *color);
/* Run name -> "#rrggbb" for every colour chosen (owned by the list). */
GHashTable *lm_run_list_get_run_colors  (LmRunList *self);
/* Opens the colour chooser for the run (what clicking its dot does);
 * returns the dialog. */
GtkWidget *lm_run_list_choose_color     (LmRunList *self, LmRun *run);
/* Colours runs by group: "run", "experiment" or "regex:RE"
 * (lm-run-color-group.h), every run now and each run as it appears.
 * FALSE and *error naming the problem (GRegex's message for a bad
 * regex), the grouping unchanged.  Emits "color-group-changed". */
gboolean   lm_run_list_set_color_group  (LmRunList *self, const char *text, GError **error);
/* "run", "experiment" or "regex:RE" (owned by the list). */
const char *lm_run_list_get_color_group (LmRunList *self);
/* Opens the Regex… dialog of the header's menu (the current regex in its
 * entry; OK applies it, Cancel keeps the grouping); returns the dialog. */
GtkWidget *lm_run_list_edit_color_regex (LmRunList *self);

G_END_DECLS
