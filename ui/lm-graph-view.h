/* lm-graph-view.h: the computation-graph canvas.
 *
 * What it is for: drawing a logged autograd graph (LmGraphData) as a
 * layered diagram, inputs at the top and the loss at the bottom like
 * torchviz: op nodes coloured by kind, parameters as leaves with their
 * names and shapes, edges labelled with tensor shapes and drawn thicker for
 * bigger tensors, nodes grouped in module boxes ("features.3") that
 * collapse into one node and expand again. Zoom (scroll, or Ctrl +/-),
 * pan (drag, or the arrow keys), fit to window (Ctrl 0), search by
 * name/op/module, click a node to select it: everything it depends on is
 * highlighted and the rest dimmed. Module boxes never hold a node of
 * another module (the layout keeps them out), and drawing stays within a
 * frame's budget on graphs of thousands of nodes (culling, cached text,
 * level of detail: lm-graph-view-draw.c).
 * The layout (lm-graph-layout.h) runs in a GTask off the main thread and
 * is redone when boxes collapse or expand.
 *
 * What it is not for: reading run files (lm-graph-data.h; the page,
 * lm-graph-page.c, loads in the background and hands data over), the
 * details pane (the page shows lm_graph_view_describe_selected()).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-graph-data.h"
#include "lm-theme.h"

G_BEGIN_DECLS

#define LM_TYPE_GRAPH_VIEW (lm_graph_view_get_type ())
G_DECLARE_FINAL_TYPE (LmGraphView, lm_graph_view, LM, GRAPH_VIEW, GtkWidget)

GtkWidget   *lm_graph_view_new              (void);
/* Takes ownership of graph (may be NULL: an empty view). Selection,
 * search and collapsed boxes are reset; the layout starts. */
void         lm_graph_view_set_graph        (LmGraphView  *self,
                                             LmGraphData  *graph);
LmGraphData *lm_graph_view_get_graph        (LmGraphView  *self);
/* Takes ownership of a trace of that graph (may be NULL): its statistics
 * appear in the details of the selected node. */
void         lm_graph_view_set_trace        (LmGraphView  *self,
                                             LmTraceData  *trace);

const LmTraceData *lm_graph_view_get_trace (LmGraphView *self);

/* What fills the boxes, as TensorBoard's graph dashboard's "Color" choice:
 * the op's kind, or (a profiled trace, lumen-train --profile-steps) the
 * node's forward + backward time in that step, light to dark red, with a
 * legend of the scale; nodes without a time are grey. */
typedef enum {
  LM_GRAPH_COLOR_STRUCTURE,
  LM_GRAPH_COLOR_COMPUTE_TIME,
} LmGraphColor;
void         lm_graph_view_set_color        (LmGraphView  *self,
                                             LmGraphColor  color);
LmGraphColor lm_graph_view_get_color        (LmGraphView  *self);
/* The time shading a node gets (forward + backward, ns), or -1 when the
 * trace has none for it; a collapsed module's is the sum of its nodes'. */
gint64       lm_graph_view_get_node_time    (LmGraphView  *self,
                                             gint64        node_id);
/* The colour a box with a time of `ns` is filled with on the current
 * scale (0..the slowest node's time; -1: no time, grey), in the current
 * theme, as painted on the canvas. */
void         lm_graph_view_time_colour      (LmGraphView  *self,
                                             gint64        ns,
                                             double        rgb[3]);

/* Module boxes: module paths such as "features" or "features.3". */
void         lm_graph_view_set_collapsed    (LmGraphView  *self,
                                             const char   *module,
                                             gboolean      collapsed);
gboolean     lm_graph_view_get_collapsed    (LmGraphView  *self,
                                             const char   *module);
void         lm_graph_view_collapse_all     (LmGraphView  *self,
                                             gboolean      collapsed);

void         lm_graph_view_fit              (LmGraphView  *self);
void         lm_graph_view_zoom             (LmGraphView  *self,
                                             double        factor);
/* Moves the drawing by (dx, dy) pixels, as dragging it does. */
void         lm_graph_view_pan              (LmGraphView  *self,
                                             double        dx,
                                             double        dy);
/* Pixels per layout unit (1: text at its natural size). */
double       lm_graph_view_get_scale        (LmGraphView  *self);
/* Selects the first node (in graph order) whose name, op or module
 * contains text (case-insensitive), centres it and marks every match;
 * returns the number of matches. "" clears the search. */
guint        lm_graph_view_search           (LmGraphView  *self,
                                             const char   *text);
/* The next (direction >= 0) or previous match of the search, after or
 * before the selected one, round the end: selected and centred.  Returns
 * its place among the matches from 1, 0 when nothing matches. */
int          lm_graph_view_search_step      (LmGraphView  *self,
                                             int           direction);
/* Selects a node by id (-1: none); a node inside a collapsed box selects
 * the box. Emits "selection-changed". */
void         lm_graph_view_select           (LmGraphView  *self,
                                             gint64        node_id);
gint64       lm_graph_view_get_selected     (LmGraphView  *self);
/* Scrolls so the node's box is in view (when it is not already). */
void         lm_graph_view_reveal           (LmGraphView  *self,
                                             gint64        node_id);
/* Pango markup for the details pane: op, module, shapes, parameter count
 * and the traced statistics; a hint when nothing is selected. */
char        *lm_graph_view_describe_selected (LmGraphView *self);

/* The layout for the current graph and boxes is done and applied. */
gboolean     lm_graph_view_is_laid_out      (LmGraphView  *self);
/* Milliseconds the last layout took in its worker thread. */
double       lm_graph_view_get_layout_ms    (LmGraphView  *self);
/* Number of boxes drawn (nodes and collapsed modules), and the box of a
 * node (or of the collapsed module holding it) in widget coordinates.
 * FALSE when it is not laid out. */
guint        lm_graph_view_get_n_boxes      (LmGraphView  *self);
gboolean     lm_graph_view_get_node_rect    (LmGraphView     *self,
                                             gint64           node_id,
                                             graphene_rect_t *rect);
/* The box drawn around an expanded module ("features.3"), in widget
 * coordinates; FALSE when it has none (collapsed, inside a collapsed
 * module, unknown) or the graph is not laid out. The layout keeps every
 * node that is not in the module out of it. */
gboolean     lm_graph_view_get_module_rect  (LmGraphView     *self,
                                             const char      *module,
                                             graphene_rect_t *rect);

/* The marker's colour (0-1 RGB), for tests that look for it. */
#define LM_GRAPH_VIEW_BREAKPOINT_RGB 0.9, 0.0, 0.2
/* The keyboard focus ring's colour, a GdkRGBA initializer (the theme's). */
#define LM_GRAPH_VIEW_FOCUS_RGBA LM_THEME_FOCUS_RGBA

/* Breakpoints, kept here so the canvas can mark them (a red dot at the
 * top-left corner of the box) and kept across set_graph/set_trace, like
 * a debugger's: every step of a run has the same node ids. A node breaks
 * when it has a breakpoint of its own or its op type ("linear") has one.
 * Emits "breakpoints-changed". */
void         lm_graph_view_set_node_breakpoint (LmGraphView *self,
                                                gint64       node_id,
                                                gboolean     on);
gboolean     lm_graph_view_get_node_breakpoint (LmGraphView *self,
                                                gint64       node_id);
void         lm_graph_view_set_op_breakpoint   (LmGraphView *self,
                                                const char  *op,
                                                gboolean     on);
gboolean     lm_graph_view_get_op_breakpoint   (LmGraphView *self,
                                                const char  *op);
/* The node (by id) breaks, by its own breakpoint or its op type's. */
gboolean     lm_graph_view_breaks_at           (LmGraphView *self,
                                                gint64       node_id);
/* Number of node and op-type breakpoints set. */
guint        lm_graph_view_get_n_breakpoints   (LmGraphView *self);
void         lm_graph_view_clear_breakpoints   (LmGraphView *self);

G_END_DECLS
