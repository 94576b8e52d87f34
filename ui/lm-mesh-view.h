/* lm-mesh-view.h: the interactive 3-D view of one mesh or point cloud.
 *
 * What it is for: TensorBoard's mesh viewer inside a Mesh card: it draws
 * an LmMesh with lm-mesh-render.h (triangles shaded, or points), the
 * camera orbiting the mesh's bounding sphere: drag to orbit, the wheel to
 * zoom, a double-click (or lm_mesh_view_reset_camera, the card's Reset
 * button) for the initial camera.  The frame is rendered on the main
 * thread, only when the mesh, the camera, the size or the theme changed,
 * and not at all while the view is far off screen; what shading needs of
 * a mesh whatever the camera is made by a worker thread when the camera
 * first moves, the frames until then drawn without it (the same pixels,
 * not held up).  Without a mesh it shows a loading note, or an error.
 *
 * Signals: "wants-mesh" (drawn near the view without a mesh or an error:
 * time to load one).
 *
 * What it is not for: loading meshes (the card asks LmMeshLoader).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-mesh.h"

G_BEGIN_DECLS

#define LM_TYPE_MESH_VIEW (lm_mesh_view_get_type ())
G_DECLARE_FINAL_TYPE (LmMeshView, lm_mesh_view, LM, MESH_VIEW, GtkWidget)

GtkWidget *lm_mesh_view_new          (void);
/* Takes a reference; NULL clears.  The camera is kept when the new mesh's
 * bounding sphere is the same size (a slider moving through the steps of
 * one object), else reset. */
void       lm_mesh_view_set_mesh     (LmMeshView *self, LmMesh *mesh);
LmMesh    *lm_mesh_view_get_mesh     (LmMeshView *self);
/* What to say without a mesh: NULL for "Loading…", else the error. */
void       lm_mesh_view_set_error    (LmMeshView *self, const char *error);
/* Degrees, and the distance in bounding radii (0: the initial one). */
void       lm_mesh_view_set_camera   (LmMeshView *self, double yaw, double pitch, double distance);
void       lm_mesh_view_get_camera   (LmMeshView *self, double *yaw, double *pitch, double *distance);
void       lm_mesh_view_reset_camera (LmMeshView *self);
/* The initial camera of every view made from now on (lumen --mesh-camera). */
void       lm_mesh_view_set_default_angles (double yaw, double pitch);
/* Drawn since mapped (known) and near the view. */
gboolean   lm_mesh_view_is_near_view (LmMeshView *self, gboolean *known);
/* Frames rendered so far (a redraw of an unchanged frame reuses it). */
guint      lm_mesh_view_get_n_renders (LmMeshView *self);
/* The times it set a worker thread making its mesh's shading
 * (lm_mesh_shading_new): once a mesh, when its camera first moves (a
 * mesh only shown has none), however many frames, while it stays near
 * the visible part. */
guint      lm_mesh_view_get_n_shading_passes (LmMeshView *self);
/* A worker is making the shading: frames meanwhile are drawn without it
 * (the same pixels), not held up. */
gboolean   lm_mesh_view_get_shading_pending (LmMeshView *self);
/* Workers of every view not back yet, those cancelled included. */
guint      lm_mesh_view_get_n_shading_workers (void);
/* The last rendered frame was drawn with the shading. */
gboolean   lm_mesh_view_get_frame_shaded (LmMeshView *self);
/* The bytes of the shading it keeps: 0 until its worker made it, and
 * once another view dropped it (it was far off screen). */
gsize      lm_mesh_view_get_shading_bytes (LmMeshView *self);
/* A drag orbits it, its own or (linked) another view's: quick frames. */
gboolean   lm_mesh_view_get_dragging (LmMeshView *self);
/* Linked cameras, as TensorBoard's "share" camera: while linked, orbiting,
 * zooming or resetting any view does the same to every other (each keeps
 * framing its own object: the distance is in its bounding radii).
 * Linking starts every view at self's camera; "linked-changed" is
 * emitted on every view. */
void       lm_mesh_view_set_linked (LmMeshView *self, gboolean linked);
gboolean   lm_mesh_view_get_linked (void);
/* While a drag orbits, a point cloud of more than max_points points draws
 * every k-th, keeping to max_points (<= 0: the default, 250,000); the
 * drag's end draws them all. */
void       lm_mesh_view_set_drag_points (gint64 max_points);
/* The bytes of scratch buffers all mesh views hold together (one shared
 * renderer's: a depth buffer of the largest frame, 36 bytes a vertex of
 * the largest mesh). */
gsize      lm_mesh_view_get_scratch_bytes (void);
/* The colour of a point cloud logged without colours, as TensorBoard's
 * viewer draws one in its run's colour (a mesh with faces and no colours
 * stays grey, as there). */
void       lm_mesh_view_set_point_color (LmMeshView *self, const GdkRGBA *color);
/* The last rendered frame (premultiplied ARGB32, device pixels), or NULL. */
cairo_surface_t *lm_mesh_view_get_surface (LmMeshView *self);

G_END_DECLS
