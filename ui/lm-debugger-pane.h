/* lm-debugger-pane.h: step through a traced training step op by op.
 *
 * What it is for: the execution list of one trace (forward ops, then
 * backward ops, each with a NaN/Inf badge, and "returned NaN" on the op
 * whose backward made one), an alerts list (first NaN, first Inf, first
 * value above 1e6 in magnitude; in backward named by the op that made it,
 * as PyTorch's anomaly mode does), stepping one op forward or back, to the
 * start or the end, and to the first anomaly. Ops are numbered as stored
 * (seq + 1); a note says which are missing when the trace has gaps. A
 * values blob that does not match its shape is reported as damaged. The current
 * op is selected in the LmGraphView it is given (its node and everything
 * it depends on highlighted, the view scrolled to it), and a tensor
 * inspector shows the op's output (forward) or the gradient of its output
 * (backward): shape, statistics and a histogram of the stored values.
 *
 * Breakpoints: persistent ones on a node or an op type (toggled from the
 * pane on the current op; kept by the LmGraphView, which marks them with
 * a red dot, as does the execution list), and "run to" the next (or
 * previous) op matching a condition: any breakpoint, any NaN/Inf, the
 * current op's type, the current node.
 *
 * Under the histogram: the values as a heatmap (or, for a 4-D activation,
 * one tile per channel of sample 0) and a value grid (lm-tensor-view.h),
 * then the step's gradient flow, one log-scale bar per parameter
 * (lm-grad-flow.h).
 *
 * Above the op's line, the execution timeline (Debugger V2's): every op of
 * the step in one strip, forward blue, backward orange, the NaN/Inf ones
 * red (2 px at least, among thousands), the current one outlined; a click
 * goes to an op, the pointer names it.
 *
 * Graph structure (TensorBoard Debugger V2's panel): the current node's
 * inputs, in slot order, and the ops that consume its output, each a
 * button to that node's op in the same pass (forward: the op that made
 * the input, the op that used the output; backward: where the gradient
 * goes next, where it came from), with its NaN/Inf badges.
 *
 * Keys (wherever the focus is, while the pane is shown): N steps forward,
 * P back, A goes to the first NaN/Inf, I to an input's op, C to a
 * consumer's (the first holding a NaN/Inf, else the first), F8 / Shift+F8
 * run to the next / previous match; the letters not while a text entry
 * has the focus.
 *
 * What it is not for: loading traces (the graph page does, with values).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-graph-view.h"

G_BEGIN_DECLS

#define LM_TYPE_DEBUGGER_PANE (lm_debugger_pane_get_type ())
G_DECLARE_FINAL_TYPE (LmDebuggerPane, lm_debugger_pane, LM, DEBUGGER_PANE, GtkBox)

GtkWidget *lm_debugger_pane_new           (LmGraphView    *view);
/* Re-reads the view's trace (call after lm_graph_view_set_trace); the
 * current op goes to the first anomaly, else to the first op. */
void       lm_debugger_pane_reload        (LmDebuggerPane *self);
/* -1 when there is no trace. */
gssize     lm_debugger_pane_get_current   (LmDebuggerPane *self);
void       lm_debugger_pane_set_current   (LmDebuggerPane *self,
                                           gssize          index);
void       lm_debugger_pane_step          (LmDebuggerPane *self,
                                           int             delta);
/* Goes to the op that made the first NaN/Inf (lm_trace_data_first_anomaly:
 * in backward, the op whose backward returned it, as PyTorch's anomaly mode
 * names it); FALSE when there is none. */
gboolean   lm_debugger_pane_first_anomaly (LmDebuggerPane *self);
/* Goes to op number `op` (from 1, the stored numbering that `lumen --op`
 * and lumen-train's messages use); FALSE when the trace has no such op
 * (out of range, or missing from the run file). */
gboolean   lm_debugger_pane_set_current_op (LmDebuggerPane *self,
                                            gint64          op);
typedef enum {
  LM_BREAK_ANOMALY,   /* an op whose tensor has a NaN or an Inf */
  LM_BREAK_OP_TYPE,   /* the same op as the current one ("linear") */
  LM_BREAK_NODE,      /* the current node again (its backward event) */
  LM_BREAK_BREAKPOINTS, /* an op whose node breaks (lm_graph_view_breaks_at) */
} LmBreakKind;
/* Moves to the next op after the current one that matches; FALSE (and no
 * move) when there is none. Either way the status line says what happened. */
gboolean   lm_debugger_pane_run_to        (LmDebuggerPane *self,
                                           LmBreakKind     kind);
/* The same, backwards: the nearest matching op before the current one. */
gboolean   lm_debugger_pane_run_to_previous (LmDebuggerPane *self,
                                             LmBreakKind     kind);
/* The kind chosen in the pane's dropdown ("breakpoints" once any is set). */
LmBreakKind lm_debugger_pane_get_break_kind (LmDebuggerPane *self);
/* The status line under "Run to": where the last run stopped, or that
 * nothing matched. */
const char *lm_debugger_pane_get_status   (LmDebuggerPane *self);
/* The histogram shown for the current op: counts per bin (NULL when the
 * op's values were not stored). */
const guint *lm_debugger_pane_get_histogram (LmDebuggerPane *self,
                                             guint          *n_bins,
                                             double         *lo,
                                             double         *hi);
/* What the pane says, as plain text: the notice about ops missing from
 * the trace (NULL when none is), the current op's line ("op 5 of 12 ·
 * backward · sqrt"), the inspector, the alerts (one per line), and
 * execution-list row `index` (NULL past the end; free the last two). */
const char  *lm_debugger_pane_get_notice        (LmDebuggerPane *self);
const char  *lm_debugger_pane_get_position_text (LmDebuggerPane *self);
const char  *lm_debugger_pane_get_inspector_text (LmDebuggerPane *self);
char        *lm_debugger_pane_get_alerts_text   (LmDebuggerPane *self);
char        *lm_debugger_pane_get_row_text      (LmDebuggerPane *self,
                                                 gsize           index);
/* Goes to an input's op (consumer FALSE) or a consumer's: the first whose
 * tensor holds a NaN/Inf, else the first that has an op in the trace;
 * FALSE when none has. */
gboolean     lm_debugger_pane_follow (LmDebuggerPane *self,
                                      gboolean        consumer);
/* The box of the current op's input (consumers FALSE) or consumer
 * buttons, each a GtkButton whose child is a GtkLabel, or a dim label
 * when there is none. */
GtkWidget   *lm_debugger_pane_get_links (LmDebuggerPane *self,
                                         gboolean        consumers);
/* The execution timeline: the step's ops left to right, a click goes to
 * the one under the pointer (a GtkGestureClick's "pressed"). */
GtkWidget   *lm_debugger_pane_get_timeline (LmDebuggerPane *self);
/* The inspector's LmTensorView and the LmGradFlow chart. */
GtkWidget   *lm_debugger_pane_get_tensor_view (LmDebuggerPane *self);
GtkWidget   *lm_debugger_pane_get_grad_flow   (LmDebuggerPane *self);

G_END_DECLS
