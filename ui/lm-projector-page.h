/* lm-projector-page.h: the Projector dashboard (TensorBoard's PROJECTOR).
 *
 * What it is for: picking a run and one of its logged embeddings (tag and
 * step), computing its PCA off the main thread, and showing it in an
 * LmProjectorView with the variance each component explains, a 2D/3D
 * toggle, a thumbnails toggle and a label search.  Or, as TensorBoard's
 * method switch offers, t-SNE: perplexity, learning rate, Re-run, Pause
 * and an iteration counter, the layout moving live as it optimises.
 * PCA can sphereize the data first; Custom, as TensorBoard's, places
 * the points on two axes, each from the mean of the points one label
 * search finds to the mean of another's.
 * Beside it TensorBoard's inspector: a clicked point's label, thumbnail
 * and its nearest neighbours in the original space (cosine or
 * Euclidean), each row hovering and selecting its point; a search lists
 * its matches; Isolate shows just the selection, projected anew.  An empty state says how
 * to log an embedding.  Live while shown: new runs and tensors join the
 * lists within a second of the writer's commit, and a view on its tag's
 * newest step moves to a newer one, keeping its rotation and zoom.
 *
 * What it is not for: drawing (lm-projector-view.c), reading the run file
 * (data/lm-embedding.c).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-projector-view.h"
#include "lm-run-store.h"

G_BEGIN_DECLS

typedef enum
{
  LM_PROJECTOR_PCA,
  LM_PROJECTOR_TSNE,
  LM_PROJECTOR_UMAP,
  LM_PROJECTOR_CUSTOM,
} LmProjectorMethod;

/* Custom's four searches: X runs from Left to Right, Y from Down to Up. */
typedef enum
{
  LM_PROJECTOR_CUSTOM_LEFT,
  LM_PROJECTOR_CUSTOM_RIGHT,
  LM_PROJECTOR_CUSTOM_UP,
  LM_PROJECTOR_CUSTOM_DOWN,
} LmProjectorCustomEnd;

/* Where a t-SNE run stops (TensorBoard's settles by then too). */
#define LM_PROJECTOR_TSNE_ITERATIONS 1000

#define LM_TYPE_PROJECTOR_PAGE (lm_projector_page_get_type ())
G_DECLARE_FINAL_TYPE (LmProjectorPage, lm_projector_page, LM, PROJECTOR_PAGE, GtkBox)

GtkWidget       *lm_projector_page_new        (LmRunStore *store);
LmProjectorView *lm_projector_page_get_view   (LmProjectorPage *self);
GtkWidget       *lm_projector_page_get_search_entry (LmProjectorPage *self);
/* Shows embedding `id` of run `run_name` (-1: its first tensor); FALSE for
 * an unknown run. */
gboolean         lm_projector_page_set_tensor (LmProjectorPage *self, const char *run_name, gint64 id);
/* The line under the controls: "PCA of 100 points × 784 dims: variance
 * described 29.1% + 17.7% + 6.0% = 52.8% (12 ms)", or why nothing shows. */
const char      *lm_projector_page_get_status (LmProjectorPage *self);
/* The last PCA's time in milliseconds (-1: none yet). */
double           lm_projector_page_get_pca_ms (LmProjectorPage *self);
/* How many of the live checks (every 250 ms while shown) found new runs,
 * tensors or steps and updated the page (for tests). */
guint64          lm_projector_page_get_n_live_updates (LmProjectorPage *self);
/* Loaded (or found nothing to load) and drawn; with t-SNE, its last
 * iteration on screen too (or its error). */
gboolean         lm_projector_page_is_settled (LmProjectorPage *self);

/* PCA, t-SNE, UMAP or Custom (the method switch); t-SNE and UMAP start
 * on the tensor shown; Custom is drawn flat. */
void             lm_projector_page_set_method (LmProjectorPage *self, LmProjectorMethod method);
LmProjectorMethod lm_projector_page_get_method (LmProjectorPage *self);
/* Custom's search at `end` (a label substring, or with regex a regular
 * expression, both case-insensitive as TensorBoard's); the projection
 * follows at once when Custom is shown.  The status line names a search
 * that matches nothing ("Left: no point matches “cat”"), whose axis is
 * then not drawn. */
void             lm_projector_page_set_custom_search (LmProjectorPage *self, LmProjectorCustomEnd end,
                                                      const char *text, gboolean regex);
/* How many of Custom's searches have run (for tests: a change to one
 * search runs that one again, the others keep their matches). */
guint            lm_projector_page_get_custom_searches_run (LmProjectorPage *self);
/* PCA's "Sphereize data" (off at first): PCA runs again. */
void             lm_projector_page_set_sphereize (LmProjectorPage *self, gboolean sphereize);
/* Where t-SNE runs stop (default LM_PROJECTOR_TSNE_ITERATIONS); a
 * running one starts again. */
void             lm_projector_page_set_tsne_iterations (LmProjectorPage *self, guint iterations);
/* Where UMAP runs stop (0, the default: lm_umap_default_epochs of the
 * points); a running one starts again. */
void             lm_projector_page_set_umap_epochs (LmProjectorPage *self, guint epochs);
/* The t-SNE iteration or UMAP epoch on screen (the counter's). */
guint            lm_projector_page_get_tsne_iteration (LmProjectorPage *self);
/* The t-SNE and UMAP worker threads this page has started, and in *live how many
 * of them are still running (for tests: changes that come faster than a
 * set-up wait for the running one to stop, only the newest is kept). */
guint            lm_projector_page_get_tsne_threads (LmProjectorPage *self, guint *live);
/* Chooses point i of the view (-1 clears, as Escape does): the inspector
 * lists its neighbours once a worker has found them (is_settled waits). */
void             lm_projector_page_select (LmProjectorPage *self, int point);
int              lm_projector_page_get_selected (LmProjectorPage *self);
/* The chosen point's neighbours as listed (nearest first), how many. */
gsize            lm_projector_page_get_neighbors (LmProjectorPage *self, const guint32 **idx, const float **dist);
/* The last neighbour search's time in milliseconds (-1: none yet). */
double           lm_projector_page_get_nearest_ms (LmProjectorPage *self);
/* Chooses the first point labelled label_or_index, else the point of that
 * number, once the tensor is on screen (lumen --projector-select); the
 * status line (and stderr) says when there is none. */
void             lm_projector_page_select_when_loaded (LmProjectorPage *self, const char *label_or_index);
/* Colours by the metadata column of that name once the tensor is on
 * screen (lumen --projector-color-by); the status line (and stderr) says
 * when there is none. */
void             lm_projector_page_color_by_when_loaded (LmProjectorPage *self, const char *column);
/* Showing only isolated points (Isolate; Show all data ends it). */
gboolean         lm_projector_page_get_isolated (LmProjectorPage *self);
/* A control, for tests: "method", "2d", "perplexity", "learning-rate",
 * "rerun", "pause", "iteration" (the counter's label), "tsne-bar" (t-SNE's
 * and UMAP's settings), "umap-neighbors" (UMAP's Neighbors),
 * "neighbors", "metric", "isolate", "show-all", "inspector" (the side
 * pane), "inspector-title", "inspector-list" (a GtkListBox), "sphereize",
 * "custom-bar", Custom's entries "left", "right", "up", "down", their
 * regex toggles "left-regex" ... and their counts "left-count" .... */
GtkWidget       *lm_projector_page_get_control (LmProjectorPage *self, const char *name);

G_END_DECLS
