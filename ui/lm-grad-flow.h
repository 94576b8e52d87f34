/* lm-grad-flow.h: the gradient flow of one traced step.
 *
 * What it is for: one bar per parameter (the graph's "parameter" leaves, in
 * graph order), its height the L2 norm of the gradient the trace recorded
 * for it, on a log scale, so vanishing (1e-8) and exploding (1e+4)
 * gradients show side by side, like the per-layer gradient plots PyTorch
 * users draw from p.grad.norm(). The norm comes from the stored values
 * (summed over the leaf's backward events, as autograd accumulates them),
 * or, when values were over the trace's cap, from the statistics:
 * sqrt(numel * (std² + mean²)) of the last event. A NaN/Inf norm is a
 * full-height red bar.
 *
 * What it is not for: gradients over many steps (the distributions
 * dashboard), non-leaf gradients (the debugger's op list).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-graph-data.h"

G_BEGIN_DECLS

#define LM_TYPE_GRAD_FLOW (lm_grad_flow_get_type ())
G_DECLARE_FINAL_TYPE (LmGradFlow, lm_grad_flow, LM, GRAD_FLOW, GtkWidget)

GtkWidget  *lm_grad_flow_new      (void);
/* Reads g and t now (keeps neither); either may be NULL. */
void        lm_grad_flow_set_data (LmGradFlow        *self,
                                   const LmGraphData *g,
                                   const LmTraceData *t);
guint       lm_grad_flow_get_n_bars (LmGradFlow *self);
/* Bar i's parameter name and gradient norm (NaN or Inf when the gradient
 * holds one). Parameters with no backward event in the trace get no bar. */
const char *lm_grad_flow_get_bar  (LmGradFlow *self,
                                   guint       i,
                                   double     *norm);
/* Bar i's rectangle at the widget's current size (height 0: no bar). */
gboolean    lm_grad_flow_get_bar_rect (LmGradFlow      *self,
                                       guint            i,
                                       graphene_rect_t *rect);

G_END_DECLS
