/* lm-mesh-card.h: one run's mesh tag with a step slider and a 3-D view.
 *
 * What it is for: TensorBoard's Mesh dashboard card: the slider reaches
 * every logged mesh (no sampling), the step and wall time and the size
 * ("12,345 points", "2,562 vertices · 5,120 faces") are shown above an
 * LmMeshView (drag: orbit, wheel: zoom, double-click or the Reset button:
 * the initial camera).  Meshes come from LmMeshLoader (read off the main
 * thread, cached), loaded once the view is drawn near the visible part;
 * until then the view says "Loading…", and a mesh that cannot be read
 * shows the loader's message.  The camera stays where the user put it
 * while the slider moves through the steps of one object.
 *
 * What it is not for: reading files (the feed and the loader do).
 */
#pragma once

#include <gtk/gtk.h>

#include "lumen-data.h"
#include "lm-mesh.h"

G_BEGIN_DECLS

#define LM_TYPE_MESH_CARD (lm_mesh_card_get_type ())
G_DECLARE_FINAL_TYPE (LmMeshCard, lm_mesh_card, LM, MESH_CARD, GtkBox)

/* color: the run's, for point clouds logged without colours (or NULL) */
GtkWidget  *lm_mesh_card_new           (LmRecordFeed *feed, LmMeshLoader *loader, const char *run_name,
                                        const char *run_path, const char *tag, const GdkRGBA *color);
void        lm_mesh_card_refresh       (LmMeshCard *self);
guint       lm_mesh_card_get_n_steps   (LmMeshCard *self);
/* Moves the slider to the index-th logged mesh (step order). */
void        lm_mesh_card_set_index     (LmMeshCard *self, guint index);
guint       lm_mesh_card_get_index     (LmMeshCard *self);
/* The selected mesh is drawn (or its error shown), or the card is off
 * screen and waits for nothing. */
gboolean    lm_mesh_card_is_settled    (LmMeshCard *self);
/* Why the selected mesh cannot be shown, or NULL. */
const char *lm_mesh_card_get_error     (LmMeshCard *self);
/* The line under the view: the error, or what of the config was ignored
 * while the mesh is drawn with the defaults; NULL when hidden. */
const char *lm_mesh_card_get_message   (LmMeshCard *self);
/* "step 20 · 2024-03-03 14:05:09" and "12,345 points" or
 * "2,562 vertices · 5,120 faces". */
const char *lm_mesh_card_get_step_text (LmMeshCard *self);
const char *lm_mesh_card_get_info_text (LmMeshCard *self);
GtkWidget  *lm_mesh_card_get_view      (LmMeshCard *self);
GtkWidget  *lm_mesh_card_get_slider    (LmMeshCard *self);
/* "Link": every card's camera turns together (lm_mesh_view_set_linked). */
GtkWidget  *lm_mesh_card_get_link_button (LmMeshCard *self);
GtkWidget  *lm_mesh_card_get_reset_button (LmMeshCard *self);

G_END_DECLS
