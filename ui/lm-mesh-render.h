/* lm-mesh-render.h: a small software renderer for the Mesh dashboard.
 *
 * What it is for: drawing one logged mesh or point cloud (SummaryWriter.
 * add_mesh's vertices, optional colours, optional faces) as TensorBoard's
 * Three.js view does, into a premultiplied ARGB32 buffer (cairo's
 * CAIRO_FORMAT_ARGB32, native-endian 32-bit words) with a depth buffer and
 * a transparent background:
 *   - an orbit camera (yaw and pitch in degrees, distance in bounding
 *     radii) looking at the bounding sphere's centre, y up, with a
 *     perspective of the mesh's vertical field of view (Three.js'
 *     PerspectiveCamera, default 75 degrees), near and far planes from the
 *     bounding sphere;
 *   - triangles (faces) filled with the vertex colours interpolated across
 *     them in perspective (as a GPU does, whether or not a triangle is
 *     cut at the near plane or to the view), smooth (per-vertex normals, as Three.js' computeVertexNormals)
 *     Lambert shading from a light at the camera plus ambient, both sides
 *     lit (PyTorch meshes come in either winding), clipped against the
 *     near plane and, when a corner is far outside the view, to the view
 *     (a huge floor under the camera covers the pixels it should);
 *   - points (no faces) as round, unlit discs: `point_size` world units
 *     attenuated with distance as Three.js' PointsMaterial (a diameter of
 *     size * height / 2 / depth pixels), or `default_point_px` pixels when
 *     no size is configured.
 * Nothing is written outside the buffer, whatever the input.
 *
 * What it is not for: GTK (it has no GTK or GLib dependency, so that it can
 * be tested alone), reading run files or checking input (LmMesh's indices
 * are checked when it is read; out-of-range indices are skipped here).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lm_mesh_shading lm_mesh_shading;

/* What to draw: an LmMesh's fields, borrowed. */
typedef struct {
  int64_t n_vertices, n_faces;
  const float *vertices;      /* n_vertices x 3 */
  const uint8_t *colors;      /* n_vertices x 3 RGB, or NULL */
  const int32_t *faces;       /* n_faces x 3 vertex indices, or NULL */
  float center[3], radius;    /* bounding sphere (radius > 0) */
  double point_size;          /* world units (PointsMaterial size), 0: default_point_px */
  double fov;                 /* vertical field of view in degrees, 0: 75 */
  const lm_mesh_shading *shading;   /* lm_mesh_shading_new's of this mesh (kept with it), or NULL:
                                     * every face's normal summed for every frame */
} lm_mesh_scene;

/* How to look at it. */
typedef struct {
  double yaw, pitch;          /* degrees: yaw about y (0: looking down -z), pitch up (clamped to +-89) */
  double distance;            /* from the centre, in bounding radii */
  uint8_t default_color[3];   /* the colour of a mesh without colours */
  double default_point_px;    /* a point's diameter in pixels when point_size is 0 */
  double ambient;             /* 0..1: the light of a face seen edge-on */
  int64_t max_points;         /* > 0: a point cloud of more points draws every k-th of them, k the
                               * smallest that keeps to this many (a quick frame while the camera
                               * moves); 0: all.  Faces are always all drawn. */
} lm_mesh_camera;

/* Three.js' PerspectiveCamera default, as data/lm-mesh.h's */
#ifndef LM_MESH_DEFAULT_FOV
#define LM_MESH_DEFAULT_FOV 75.0
#endif
#define LM_MESH_DEFAULT_YAW 30.0
#define LM_MESH_DEFAULT_PITCH 20.0
#define LM_MESH_DEFAULT_POINT_PX 4.0
/* The closest and farthest the orbit camera goes, in bounding radii. */
#define LM_MESH_MIN_DISTANCE 0.05
#define LM_MESH_MAX_DISTANCE 100.0

/* The initial view of a scene: the default angles, the distance at which
 * the bounding sphere just fits the field of view, grey, the default point
 * size and an ambient of 0.45 (a face seen edge-on keeps about half its
 * colour, as under the ambient light of TensorBoard's viewer). */
void lm_mesh_camera_init (lm_mesh_camera *view, const lm_mesh_scene *scene);
/* The distance (in radii) at which the bounding sphere fits fov degrees. */
double lm_mesh_fit_distance (double fov);

/* What smooth shading needs of a mesh's faces whatever the camera, made
 * once per mesh (NULL for a scene without faces, or when memory ran
 * out): each vertex's faces and the sum of their normals, turned to agree
 * with each other, with the cone they lie in.  A frame of a scene that
 * holds it (shading) takes a vertex's sum as it is where the eye sees
 * all its faces from one side, and sums face by face only the others
 * (the silhouette's): the same pixels as without it, for a fraction of
 * the work (a frame of 500,000 triangles summed 1.5 million normals).
 * 28 bytes a vertex and 12 a face; it holds no pointer into the mesh,
 * and one made for another (of other sizes) is ignored. */
lm_mesh_shading *lm_mesh_shading_new (const lm_mesh_scene *scene);
void lm_mesh_shading_free (lm_mesh_shading *sh);
size_t lm_mesh_shading_get_bytes (const lm_mesh_shading *sh);

typedef struct lm_mesh_renderer lm_mesh_renderer;

/* Scratch buffers (depth, projected vertices) kept between frames: one
 * frame at a time (a renderer per thread); a shading, once made, is only
 * read, by any number of frames at once. */
lm_mesh_renderer *lm_mesh_renderer_new (void);
void lm_mesh_renderer_free (lm_mesh_renderer *r);
/* The bytes of those buffers: 4 a pixel, 36 a vertex of the largest
 * frame and mesh drawn so far, and 16 a face of the largest mesh drawn
 * without shading. */
size_t lm_mesh_renderer_get_bytes (const lm_mesh_renderer *r);
/* The faces the last frame summed one by one into its vertices' normals,
 * once for each of their corners: 3 a face without shading. */
int64_t lm_mesh_renderer_get_n_summed (const lm_mesh_renderer *r);

/* Clears the width x height buffer (stride in bytes, a multiple of 4) to
 * transparent and draws the scene.  Returns the number of pixels written
 * (a pixel drawn over counts again), or -1 when the arguments are unusable
 * (no buffer, a size <= 0, a stride too small) or memory ran out; the
 * buffer is left cleared where it can be. */
int64_t lm_mesh_render (lm_mesh_renderer *r, const lm_mesh_scene *scene, const lm_mesh_camera *view,
                        uint8_t *pixels, int width, int height, int stride);

#ifdef __cplusplus
}
#endif
