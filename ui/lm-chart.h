/* lm-chart.h: the scalar chart widget.
 *
 * What it is for: an LmPlot in a GtkWidget: draws in snapshot (the plot
 * rendered once into a texture, the hover overlay drawn on top with
 * Cairo, so moving the pointer costs almost nothing), follows the run
 * selection, the shared settings and new data, and handles the mouse:
 * drag to zoom (a box, or x only for a flat drag), double-click to reset,
 * Ctrl/Alt+scroll to zoom x around the pointer (plain scroll scrolls the
 * page, as in TensorBoard), Shift/Ctrl/Alt+drag or middle-drag to pan,
 * hover for a crosshair and a tooltip with each run's step, value and
 * smoothed value.  Charts scrolled out of view skip rendering until they
 * come back.  TensorBoard's step selection: a click selects the logged
 * step nearest the pointer, Shift+click makes a range with it, a handle
 * drags; with the chart focused Left/Right move the step and Escape
 * clears it ("step-selection-changed" tells the card's data table).
 * Every selection made is handed to the shared settings; with "Link by
 * step" on the chart shows the one made last on any card
 * (lm_chart_settings_get_linked_steps), from the moment it is made.
 *
 * What it is not for: the card's title and buttons (LmScalarCard).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-chart-settings.h"
#include "lm-plot.h"
#include "lm-run-selection.h"

G_BEGIN_DECLS

#define LM_TYPE_CHART (lm_chart_get_type ())
G_DECLARE_FINAL_TYPE (LmChart, lm_chart, LM, CHART, GtkWidget)

/* The height a chart asks for (a card's chart is about this tall). */
#define LM_CHART_NATURAL_HEIGHT 240

GtkWidget  *lm_chart_new           (const char      *tag,
                                    LmRunSelection  *selection,
                                    LmChartSettings *settings);
/* A chart of a custom-scalars layout (lm_plot_set_custom); its "tag" is
 * the chart's title. */
GtkWidget  *lm_chart_new_custom    (LmCustomScalars     *layout,
                                    const LmCustomChart *chart,
                                    LmRunSelection      *selection,
                                    LmChartSettings     *settings);
const char *lm_chart_get_tag       (LmChart *self);
LmPlot     *lm_chart_get_plot      (LmChart *self);
void        lm_chart_set_log_y     (LmChart *self, gboolean log_y);
gboolean    lm_chart_get_log_y     (LmChart *self);
void        lm_chart_reset_view    (LmChart *self);

/* The scrolled window the chart lives in: rendering is skipped while the
 * chart is outside its visible area. */
void        lm_chart_set_viewport  (LmChart *self, GtkWidget *viewport);
/* Call when the viewport scrolled or resized. */
void        lm_chart_viewport_changed (LmChart *self);

/* Inside the viewport's visible area (TRUE without a viewport). */
gboolean    lm_chart_is_on_screen  (LmChart *self);
/* Some render so far showed data (not just empty axes). */
gboolean    lm_chart_has_drawn_data (LmChart *self);
/* Laid out and snapshotted since the last change: drawn if on screen,
 * or knowingly skipped while off screen. */
gboolean    lm_chart_is_settled    (LmChart *self);
/* Rendered since the last change of data, view or settings. */
gboolean    lm_chart_is_up_to_date (LmChart *self);
/* How many times its lines were matched to the shown runs (tests). */
guint       lm_chart_get_n_run_syncs (LmChart *self);

/* Hover as if the pointer were at (x, y) (widget coordinates); the
 * tooltip's rows as text, NULL when not hovering. */
void        lm_chart_set_hover     (LmChart *self, double x, double y);
void        lm_chart_clear_hover   (LmChart *self);
char       *lm_chart_dup_hover_text (LmChart *self);

/* Step selection: on only with the setting on and a Step axis. */
gboolean    lm_chart_can_select_steps (LmChart *self);
/* What a click at (x, y) (widget coordinates) does, Shift held or not. */
void        lm_chart_click         (LmChart *self, double x, double y, gboolean shift);
/* Selects a step (start == end) or a range, as logged steps or not. */
void        lm_chart_select_steps  (LmChart *self, gint64 start, gint64 end);
void        lm_chart_clear_step_selection (LmChart *self);
/* The data table as text (lm_plot_step_text); NULL without a selection. */
char       *lm_chart_dup_step_text (LmChart *self);

gboolean    lm_chart_export_png    (LmChart *self, const char *path, GError **error);
gboolean    lm_chart_export_csv    (LmChart *self, const char *path, GError **error);
gboolean    lm_chart_export_json   (LmChart *self, const char *path, GError **error);

G_END_DECLS
