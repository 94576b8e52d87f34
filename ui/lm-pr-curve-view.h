/* lm-pr-curve-view.h: one PR-curve tag, every shown run, at one step.
 *
 * What it is for: the body of a TensorBoard "PR Curves" card.  The plot
 * has recall on x and precision on y, both 0..1, and one line per shown
 * run (the run selection's runs that logged the tag) in the run's colour,
 * through the curve's (recall, precision) points in threshold order.  A
 * step slider under the plot picks the step: its stops are the steps any
 * shown run logged, and each run draws its curve at the step nearest the
 * slider's (TensorBoard has a slider per run; one per card, nearest step
 * per run, keeps a card small).  The slider starts at, and follows, the
 * newest step until the user moves it.  Hovering lists, for each run, its
 * point nearest the pointer: threshold, precision, recall, TP, FP, TN, FN.
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
/* The slider's steps (every shown run's, ascending) and the one selected
 * (G_MININT64 when there are none); set_step moves the slider to the
 * nearest stop. */
const gint64 *lm_pr_curve_view_get_steps (LmPrCurveView *self, guint *n);
gint64     lm_pr_curve_view_get_step   (LmPrCurveView *self);
void       lm_pr_curve_view_set_step   (LmPrCurveView *self, gint64 step);
GtkWidget *lm_pr_curve_view_get_slider (LmPrCurveView *self);

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

G_END_DECLS
