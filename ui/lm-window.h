/* lm-window.h: the Lumen main window for one log directory.
 *
 * What it is for: header bar (log directory, open, reload, menu), the
 * sidebar (chart settings, run list, loading progress) and the scalar
 * dashboard, keyboard shortcuts with a shortcuts window, and a screenshot
 * of itself (GtkSnapshot -> GskRenderer -> PNG) for `lumen --screenshot`.
 *
 * What it is not for: command-line handling (app/lumen).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-card-grid.h"
#include "lm-dashboards.h"
#include "lm-run-list.h"

G_BEGIN_DECLS

#define LM_TYPE_WINDOW (lm_window_get_type ())
G_DECLARE_FINAL_TYPE (LmWindow, lm_window, LM, WINDOW, GtkApplicationWindow)

/* Starts watching logdir at once. */
LmWindow        *lm_window_new          (GtkApplication *app, const char *logdir);
/* Several log directories, as lm_run_store_new_spec takes them. */
LmWindow        *lm_window_new_spec     (GtkApplication *app, const char *const *names,
                                         const char *const *paths);
/* Takes the store, not started yet (lm_run_store_add_root() may have
 * given it more roots); the window starts it. */
LmWindow        *lm_window_new_for_store (GtkApplication *app, LmRunStore *store);
/* How a window for another log directory is made (Open Log Directory,
 * Ctrl+O): lm_window_new unless the app sets its own (app/lumen's also
 * imports the TensorBoard event files there).  NULL: lm_window_new. */
typedef LmWindow *(*LmWindowNewFunc) (GtkApplication *app, const char *logdir);
void             lm_window_set_new_func (LmWindowNewFunc func);
/* What Open Log Directory does with the folder the user picked: a new
 * window on path, this one's size, chart settings and settings file, shown. */
LmWindow        *lm_window_open_logdir  (LmWindow *self, const char *path);
/* What the window shows and keeps settings by: the log directory as an
 * absolute path, or the spec "name:path,..." */
char            *lm_window_dup_logdir_key (LmWindow *window);
LmRunStore      *lm_window_get_store    (LmWindow *self);
LmRunSelection  *lm_window_get_selection (LmWindow *self);
LmChartSettings *lm_window_get_settings (LmWindow *self);
LmCardGrid      *lm_window_get_card_grid (LmWindow *self);
LmRunList       *lm_window_get_run_list (LmWindow *self);
/* The view stack (scalars, histograms, distributions, images, text, hparams). */
LmDashboards    *lm_window_get_dashboards (LmWindow *self);
/* The footer's text ("2 runs · 400 scalar points · 1 live"), a refresh
 * still pending made first. */
const char      *lm_window_get_status   (LmWindow *self);

/* Every run found so far is loaded and every card on screen shows it. */
gboolean         lm_window_is_settled   (LmWindow *self);
/* Like settled, but runs still reading their rows count when their charts
 * already show every point through the file's summaries: the first
 * complete frame. */
gboolean         lm_window_is_complete  (LmWindow *self);
/* Renders the window into a PNG right after its next frame is painted
 * (when layout is done and every node is fresh). */
void             lm_window_save_screenshot_async  (LmWindow            *self,
                                                   const char          *path,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean         lm_window_save_screenshot_finish (LmWindow     *self,
                                                   GAsyncResult *result,
                                                   GError      **error);

/* Sets up accelerators for the window actions (once per application). */
void             lm_window_install_accels (GtkApplication *app);

G_END_DECLS
