/* lm-dashboards.h: the window's dashboards behind one view switcher.
 *
 * What it is for: a GtkStack of Scalars (the scalar card grid), Histograms,
 * Distributions, Images, Audio, Text, PR Curves, HParams, Graph,
 * Projector and Mesh, and the GtkStackSwitcher the header bar shows.  All share
 * the window's run selection (run list, filter, toggles, highlighted run)
 * and one tag filter: typing in any dashboard's filter entry filters them
 * all.  Each dashboard follows its data live only while it is the
 * visible one.
 *
 * What it is not for: the window chrome (lm-window.c).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-card-grid.h"
#include "lm-chart-settings.h"
#include "lm-hparams-view.h"
#include "lm-record-dashboard.h"

G_BEGIN_DECLS

#define LM_TYPE_DASHBOARDS (lm_dashboards_get_type ())
G_DECLARE_FINAL_TYPE (LmDashboards, lm_dashboards, LM, DASHBOARDS, GtkBox)

/* Names of the views, in switcher order ("scalars", "histograms", ...). */
extern const char *const lm_dashboard_names[];

/* Takes the scalar dashboard (the window's LmCardGrid) as its first page;
 * the histogram and distribution pages follow the horizontal axis of
 * `settings` (the scalar charts'). */
GtkWidget  *lm_dashboards_new          (LmRunSelection *selection, GtkWidget *card_grid,
                                        LmChartSettings *settings);
GtkWidget  *lm_dashboards_get_switcher (LmDashboards *self);
/* FALSE for a name that is not a view. */
gboolean    lm_dashboards_set_view     (LmDashboards *self, const char *name);
const char *lm_dashboards_get_view     (LmDashboards *self);
/* A page by name: LmCardGrid, LmRecordDashboard or LmHparamsView. */
GtkWidget  *lm_dashboards_get_page     (LmDashboards *self, const char *name);
/* The visible non-scalar dashboard has loaded and drawn its data (the
 * scalar page answers TRUE: LmWindow checks the card grid itself). */
gboolean    lm_dashboards_is_settled   (LmDashboards *self);
/* The visible histograms/distributions/images/audio/text/mesh/hparams page's filter
 * entry; NULL on the other views. */
GtkWidget  *lm_dashboards_get_filter_entry (LmDashboards *self);
/* The tag filter of every dashboard (the entries share it), applied at once
 * rather than after the entries' typing delay; FALSE for an invalid regex. */
gboolean    lm_dashboards_set_tag_filter   (LmDashboards *self, const char *regex, GError **error);

G_END_DECLS
