/* lm-graph-page.h: the Graph view of the window.
 *
 * What it is for: choosing a run (and one of its traced steps), loading
 * its logged autograd graph and that trace in the background, and showing
 * them in an LmGraphView with a toolbar (search, fit, zoom, collapse or
 * expand every module box) and a details pane for the selected node (op,
 * module, shapes, parameter count, the traced statistics).
 *
 * The side pane switches between the node details and the op-by-op
 * debugger (lm-debugger-pane.c) of the shown trace.
 *
 * What it is not for: drawing the graph (lm-graph-view.c), stepping
 * (lm-debugger-pane.c).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-debugger-pane.h"
#include "lm-graph-view.h"
#include "lm-profile-pane.h"
#include "lm-run-store.h"

G_BEGIN_DECLS

#define LM_TYPE_GRAPH_PAGE (lm_graph_page_get_type ())
G_DECLARE_FINAL_TYPE (LmGraphPage, lm_graph_page, LM, GRAPH_PAGE, GtkBox)

/* Shows the first run of store (by name) that has a graph until another is
 * chosen. */
GtkWidget   *lm_graph_page_new        (LmRunStore  *store);
/* FALSE when the store has no run of that name. */
gboolean     lm_graph_page_set_run    (LmGraphPage *self,
                                       const char  *run_name);
LmGraphView *lm_graph_page_get_view   (LmGraphPage *self);
GtkWidget   *lm_graph_page_get_search_entry (LmGraphPage *self);
/* The "Graph" drop-down (a GtkDropDown of strings), visible when the shown
 * run has more than one graph. */
GtkWidget   *lm_graph_page_get_graph_drop (LmGraphPage *self);
/* The traced-step drop-down ("trace: step N"), the Profile pane's steps. */
GtkWidget   *lm_graph_page_get_trace_drop (LmGraphPage *self);
/* The side pane: node details (FALSE) or the step-through debugger. */
void         lm_graph_page_show_debugger (LmGraphPage *self,
                                          gboolean     debugger);
LmDebuggerPane *lm_graph_page_get_debugger (LmGraphPage *self);
/* The side pane's Profile (the op-time table of a profiled trace) with the
 * nodes coloured by compute time; the next load without a target step
 * opens the last profiled trace (`lumen --view profile`). */
void         lm_graph_page_show_profile (LmGraphPage *self);
LmProfilePane *lm_graph_page_get_profile (LmGraphPage *self);
/* The toolbar's "Color" choice. */
void         lm_graph_page_set_color  (LmGraphPage  *self,
                                       LmGraphColor  color);
/* Once loaded, show the trace of step (-1: the default choice, the first
 * with an anomaly, else the last) with the debugger on op (1-based, as the
 * execution list numbers them; -1: its default). Applies to the next full
 * load only; a step with no trace or a missing op is reported with
 * g_message and the defaults are kept. */
void         lm_graph_page_set_target (LmGraphPage *self,
                                       gint64       step,
                                       gint64       op);
/* The shown run's graph is loaded and laid out, or the page says why there
 * is nothing to show (no runs yet counts as not settled). */
gboolean     lm_graph_page_is_settled (LmGraphPage *self);

G_END_DECLS
