/* lm-pr-curve-view.h: one PR-curve tag, every shown run, each at its step.
 *
 * What it is for: the body of a TensorBoard "PR Curves" card.  The plot
 * has recall on x and precision on y, both 0..1, and one line per shown
 * run (the run selection's runs that logged the tag) in the run's colour,
 * through the curve's (recall, precision) points in threshold order.
 * Under the plot, as in TensorBoard, each shown run has a row of its own:
 * its colour dot and name, the step its line shows with that curve's wall
 * time (the time since the run started in its tooltip), and a slider over
 * the run's steps (none when it logged one step), so runs logged at
 * different steps are compared at steps chosen for each.  A slider starts
 * at, and follows, its run's newest step until the user moves it; moving
 * one moves no other.  Hovering lists, for each run, its point nearest the
 * pointer: threshold, precision, recall, TP, FP, TN, FN, at its step.
 *
 * What it is not for: reading data (the LmRecordFeed holds it), or
 * computing curves (lumen-log does that when they are logged).
 */
#pragma once

#include <gtk/gtk.h>

#include "lumen-data.h"
#include "lm-run-selection.h"

G_BEGIN_DECLS

#define LM_TYPE_PR_CURVE_VIEW (lm_pr_curve_view_get_type ())
G_DECLARE_FINAL_TYPE (LmPrCurveView, lm_pr_curve_view, LM, PR_CURVE_VIEW, GtkBox)

GtkWidget *lm_pr_curve_view_new        (LmRecordFeed *feed, LmRunSelection *selection, const char *tag);
/* The feed or the run selection changed: re-read the steps and redraw. */
void       lm_pr_curve_view_refresh    (LmPrCurveView *self);
/* Every shown run's steps, ascending; set_step moves every shown run's
 * slider to its step nearest `step` (for --screenshot and benchmarks). */
const gint64 *lm_pr_curve_view_get_steps (LmPrCurveView *self, guint *n);
void       lm_pr_curve_view_set_step   (LmPrCurveView *self, gint64 step);
/* A shown run's row: its steps (NULL, 0 when the run has no row), the step
 * its slider selects (G_MININT64 when none), its slider (NULL when the run
 * is not shown or logged one step), its "step · wall time" label; and
 * set_run_step moves its slider to its step nearest `step` as the user
 * would (FALSE when the run has no row).  n_rows: the rows shown.  The
 * rows after the first 5 are on the card after a click on the button
 * "Show all N runs" (shown only when there are more than 5). */
const gint64 *lm_pr_curve_view_get_run_steps (LmPrCurveView *self, const char *run_name, guint *n);
gint64     lm_pr_curve_view_get_run_selected (LmPrCurveView *self, const char *run_name);
GtkWidget *lm_pr_curve_view_get_run_slider (LmPrCurveView *self, const char *run_name);
const char *lm_pr_curve_view_get_run_label (LmPrCurveView *self, const char *run_name);
gboolean   lm_pr_curve_view_set_run_step (LmPrCurveView *self, const char *run_name, gint64 step);
guint      lm_pr_curve_view_get_n_rows (LmPrCurveView *self);
GtkWidget *lm_pr_curve_view_get_more_button (LmPrCurveView *self);

/* For tests: the plot box in the plot's coordinates (FALSE when no line
 * is drawn), the plot widget, the runs whose lines the last frame drew,
 * the step a run's line shows (G_MININT64 if none), and the hover text at
 * a point of the plot (NULL when no point is near). */
gboolean   lm_pr_curve_view_get_plot_area (LmPrCurveView *self, graphene_rect_t *area);
GtkWidget *lm_pr_curve_view_get_plot   (LmPrCurveView *self);
guint      lm_pr_curve_view_get_n_drawn (LmPrCurveView *self);
gint64     lm_pr_curve_view_get_run_step (LmPrCurveView *self, const char *run_name);
/* The last frame's word on runs whose curve at the step is damaged and
 * not drawn ("1 run not drawn: b: threshold 3 of 127 has no point"), NULL
 * when it drew every run. */
const char *lm_pr_curve_view_get_note  (LmPrCurveView *self);
char      *lm_pr_curve_view_describe_at (LmPrCurveView *self, double x, double y);
/* As the pointer moving to (x, y) of the plot, and leaving it (for tests
 * and benchmarks); how often the plot has stroked its lines (a frame
 * showing the lines the last one did, at its size, paints them from an
 * image: a hover does not stroke them again). */
void       lm_pr_curve_view_set_hover  (LmPrCurveView *self, double x, double y);
void       lm_pr_curve_view_clear_hover (LmPrCurveView *self);
guint      lm_pr_curve_view_get_n_line_renders (LmPrCurveView *self);

G_END_DECLS
