/* lm-profile-pane.h: where a profiled step's time went, next to the graph.
 *
 * What it is for: torch.profiler's key_averages() table for the trace the
 * LmGraphView shows (lumen-train --profile-steps): one row per node, or per
 * op type, with calls, forward, backward, total and self time, mean per
 * call and share of the step, sorted by total time (click a column's
 * heading to sort by it); a timeline of the step's ops as bars by start and
 * duration (forward blue, backward orange); a summary line. A step
 * profiled with memory (lumen-train --profile-memory, --profile) adds
 * torch's "CPU Mem" and "Self CPU Mem" columns and a curve of the bytes
 * allocated over the step under the timeline, its peak marked. Clicking a row
 * selects its node in the graph (for an op type, its slowest node), as
 * clicking a bar does; the timeline takes the keyboard focus, Left/Right
 * (Home/End) step through its ops in time order and Enter or space
 * selects the op's node. "Export Chrome trace…" saves the step as
 * torch.profiler's export_chrome_trace() would.
 *
 * What it is not for: loading (the graph page does), the sums themselves
 * (data/lm-profile.h).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-graph-view.h"
#include "lm-profile.h"

G_BEGIN_DECLS

#define LM_TYPE_PROFILE_PANE (lm_profile_pane_get_type ())
G_DECLARE_FINAL_TYPE (LmProfilePane, lm_profile_pane, LM, PROFILE_PANE, GtkBox)

GtkWidget       *lm_profile_pane_new         (LmGraphView    *view);
/* The view's trace changed: the table is built again. */
void             lm_profile_pane_reload      (LmProfilePane  *self);
void             lm_profile_pane_set_sort    (LmProfilePane  *self,
                                              LmProfileSort   sort);
void             lm_profile_pane_set_group   (LmProfilePane  *self,
                                              LmProfileGroup  group);
/* The table as shown (NULL: the trace has no op times). */
const LmProfile *lm_profile_pane_get_profile (LmProfilePane  *self);
/* The summary line ("Step 3: 32 ops, ..."), or why there is no table. */
const char      *lm_profile_pane_get_summary (LmProfilePane  *self);
/* The table's rows on screen: the first 100 of the profile's in its
 * order, or all of them once its "Show all N rows" button is clicked (it
 * then reads "Show the first 100 rows"; the button is there only for a
 * table of more than 100 rows); get_more is the line above them saying
 * how many are left out (NULL when none is). */
guint            lm_profile_pane_get_n_shown (LmProfilePane *self);
const char      *lm_profile_pane_get_more    (LmProfilePane *self);
GtkWidget       *lm_profile_pane_get_all_button (LmProfilePane *self);
/* As a click on row i: selects its node in the graph. */
void             lm_profile_pane_activate_row (LmProfilePane *self,
                                               guint          i);
/* The timeline's tooltip at (x, y) in its own pixels: the op under the
 * pointer, its direction, time and start ("linear  fc1, backward: 12.0 µs
 * at 1.20 ms"); NULL between bars. Free with g_free. */
char            *lm_profile_pane_timeline_text (LmProfilePane *self,
                                                double         x,
                                                double         y);
/* The tooltip text of the timeline's op the keys are on (Left, Right,
 * Home, End), NULL before they are on one; it is the timeline's
 * accessible description. */
char            *lm_profile_pane_get_focus_text (LmProfilePane *self);
/* The timeline's drawing area (for tests). */
GtkWidget       *lm_profile_pane_get_timeline (LmProfilePane *self);
/* The memory curve (a step profiled with memory only): its tooltip at
 * (x, y), the peak's near its red dot ("Peak: 2.00 MB allocated during
 * linear  0, backward (at 1.20 ms)"), else the bytes allocated at the
 * last op start or end left of x ("1.50 MB allocated after relu, forward
 * (at 0.40 ms)"); NULL left of the curve. Free with g_free. */
char            *lm_profile_pane_memory_text (LmProfilePane *self,
                                              double         x,
                                              double         y);
GtkWidget       *lm_profile_pane_get_memory (LmProfilePane *self);
/* "Export Chrome trace…" (shown with a profiled step): a file chooser
 * offering get_export_name, "<run>.step<N>.pt.trace.json" (the run's '/'
 * as '_'; NULL without a profiled step), then export: the step as
 * torch.profiler's export_chrome_trace() writes it
 * (data/lm-chrome-trace.h), saying under the button where it went or
 * why not (FALSE with *error, which may be NULL). */
void             lm_profile_pane_set_run_name (LmProfilePane *self,
                                               const char    *run_name);
char            *lm_profile_pane_get_export_name (LmProfilePane *self);
gboolean         lm_profile_pane_export       (LmProfilePane *self,
                                               const char    *path,
                                               char         **error);
GtkWidget       *lm_profile_pane_get_export_button (LmProfilePane *self);

G_END_DECLS
