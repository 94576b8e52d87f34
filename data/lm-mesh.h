/* lm-mesh.h: meshes and point clouds of a run (the Mesh dashboard's 3-D
 * view), checked and fetched off the main thread with an LRU cache.
 *
 * What it is for: lm_mesh_new_from_blobs turns a `meshes` row's blobs
 * (docs/run-format.md, "meshes") into an LmMesh: vertices, colours and
 * faces as arrays, each face index checked, the bounding sphere a view
 * frames, and the config values TensorBoard honours (material.size,
 * camera.fov).  An LmMeshLoader reads one row on a GTask worker (a pooled
 * read-only connection per run file) and keeps the most recent meshes by
 * bytes, so a card that draws a mesh again never reads it twice.  A
 * missing row or a corrupt one fails with a message saying so.
 *
 * What it is not for: drawing (ui/), mesh metadata (LmRecordFeed of
 * LM_RECORD_MESH lists the rows as LmMeshMeta).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LM_MESH_ERROR (lm_mesh_error_quark ())
GQuark lm_mesh_error_quark (void);

typedef enum {
  LM_MESH_ERROR_BAD,       /* blob sizes, an index out of range, NaN */
  LM_MESH_ERROR_MISSING,   /* no such mesh row in the run file */
  LM_MESH_ERROR_READ,      /* the run file could not be read */
} LmMeshError;

/* TensorBoard's default PerspectiveCamera field of view, degrees. */
#define LM_MESH_DEFAULT_FOV 75.0

typedef struct
{
  gint64 n_vertices, n_faces;
  float *vertices;            /* n_vertices x 3 */
  guint8 *colors;             /* n_vertices x 3, or NULL */
  gint32 *faces;              /* n_faces x 3, indices checked < n_vertices */
  float center[3], radius;    /* bounding sphere: centre of the bounding box, largest distance to it (> 0) */
  double point_size;          /* config material.size when given (PointsMaterial), else 0 (the view's default) */
  double fov;                 /* config camera.fov in degrees when given, else 75 */
  gint64 n_flat_faces;        /* faces of zero area (a corner repeated, or in a line) */
  char *config_warning;       /* what of the config was ignored ("mesh config: material.size is 0,
                               * must be > 0; drawn with the default"), or NULL */
} LmMesh;   /* immutable, atomically refcounted */

LmMesh *lm_mesh_ref   (LmMesh *mesh);
void    lm_mesh_unref (LmMesh *mesh);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmMesh, lm_mesh_unref)

/* From blobs as stored: vertices vsize bytes of xyz float32 (at least one
 * vertex), colors csize bytes of RGB (NULL or csize 0: none), faces fsize
 * bytes of int32 index triples (NULL or fsize 0: a point cloud), config
 * the JSON object or NULL.  NULL with LM_MESH_ERROR_BAD naming what is
 * wrong (sizes not matching the counts, an index out of range, NaN).  A
 * config that does not parse, or a value of it out of range, leaves the
 * defaults and says so in config_warning: the mesh is still drawn. */
LmMesh *lm_mesh_new_from_blobs (const void *vertices, gsize vsize, const void *colors, gsize csize,
                                const void *faces, gsize fsize, const char *config, GError **error);

#define LM_TYPE_MESH_LOADER (lm_mesh_loader_get_type ())
G_DECLARE_FINAL_TYPE (LmMeshLoader, lm_mesh_loader, LM, MESH_LOADER, GObject)

/* cache_bytes: bytes of meshes kept (0: 128 MiB); a mesh over a third of
 * it is not kept (whoever asked for it holds it). */
LmMeshLoader *lm_mesh_loader_new    (gsize cache_bytes);
/* The cached mesh of row `id` of the run file at `path` (a new
 * reference), or NULL.  Main thread. */
LmMesh       *lm_mesh_loader_lookup (LmMeshLoader *self, const char *path, gint64 id);
void          lm_mesh_loader_load_async  (LmMeshLoader       *self,
                                          const char         *path,
                                          gint64              id,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
/* A new reference to the mesh (now cached), or NULL with the error. */
LmMesh       *lm_mesh_loader_load_finish (LmMeshLoader  *self,
                                          GAsyncResult  *result,
                                          GError       **error);
/* Meshes read so far (tests: a cached mesh is not read again). */
guint         lm_mesh_loader_get_n_loaded (LmMeshLoader *self);

G_END_DECLS
