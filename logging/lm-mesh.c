/* lm-mesh.c: meshes and point clouds (SummaryWriter.add_mesh).
 *
 * What it is for: lm_writer_add_mesh checks one sample of add_mesh's
 * batch (finite vertices, face indices in range, a JSON object as config)
 * and copies it into one payload in the calling thread; the writer thread
 * only stores the bytes (lm-store.c).
 * Not for: bounding spheres, config parsing or drawing (data/lm-mesh.c,
 * ui/).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lm-log-private.h"

/* True if s is a JSON object (lm_json_valid checks the rest). */
static bool json_is_object(const char *s) {
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
    s++;
  return *s == '{';
}

/* The vertex + colour + face bytes of a mesh into *bytes; false when they
 * are over limit (each part checked against what the limit leaves, so the
 * sum cannot wrap round even with a limit of SIZE_MAX). */
static bool mesh_bytes(int64_t n_vertices, bool colors, int64_t n_faces,
                       size_t limit, size_t *bytes) {
  size_t per_vertex = colors ? 15 : 12;
  if ((uint64_t)n_vertices > limit / per_vertex)
    return false;
  size_t vb = (size_t)n_vertices * per_vertex;
  if ((uint64_t)n_faces > (limit - vb) / 12)
    return false;
  *bytes = vb + (size_t)n_faces * 12;
  return true;
}

static int check_vertices(lm_writer *w, const char *tag, const float *v,
                          int64_t n) {
  for (int64_t i = 0; i < n; i++)
    for (int k = 0; k < 3; k++)
      if (!isfinite(v[3 * i + k]))
        return lm_fail(w, LM_ERR_INVALID_ARG,
                       "mesh '%s': vertex %lld has a%s coordinate (%c = %g)",
                       tag, (long long)i,
                       isnan(v[3 * i + k]) ? " NaN" : "n infinite",
                       "xyz"[k], v[3 * i + k]);
  return LM_OK;
}

static int check_faces(lm_writer *w, const char *tag, const int32_t *f,
                       int64_t n_faces, int64_t n_vertices) {
  for (int64_t i = 0; i < n_faces; i++)
    for (int k = 0; k < 3; k++)
      if (f[3 * i + k] < 0 || f[3 * i + k] >= n_vertices)
        return lm_fail(w, LM_ERR_INVALID_ARG,
                       "mesh '%s': face %lld refers to vertex %d of %lld "
                       "(indices are 0-based, 0 <= index < n_vertices)",
                       tag, (long long)i, (int)f[3 * i + k],
                       (long long)n_vertices);
  return LM_OK;
}

int lm_writer_add_mesh(lm_writer *w, const char *tag, int64_t step,
                       const float *vertices, int64_t n_vertices,
                       const uint8_t *colors, const int32_t *faces,
                       int64_t n_faces, const char *config_json) {
  int rc = lm_check_writer_tag(w, tag);
  if (rc)
    return rc;
  if (!vertices)
    return lm_fail(w, LM_ERR_INVALID_ARG, "mesh '%s': vertices is NULL", tag);
  if (n_vertices <= 0)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "mesh '%s': n_vertices is %lld, must be > 0", tag,
                   (long long)n_vertices);
  if (n_faces < 0)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "mesh '%s': n_faces is %lld, must be >= 0 (0: a point "
                   "cloud)",
                   tag, (long long)n_faces);
  if (!faces && n_faces > 0)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "mesh '%s': faces is NULL but n_faces is %lld", tag,
                   (long long)n_faces);
  if (n_faces == 0)
    faces = NULL; /* a point cloud */
  size_t data;
  if (!mesh_bytes(n_vertices, colors != NULL, n_faces, w->max_mesh_bytes,
                  &data))
    return lm_fail(w, LM_ERR_TOO_LARGE,
                   "mesh '%s': %lld vertices%s and %lld faces are over %zu "
                   "bytes (lm_writer_options.max_mesh_bytes)",
                   tag, (long long)n_vertices, colors ? " with colours" : "",
                   (long long)n_faces, w->max_mesh_bytes);
  if ((rc = check_vertices(w, tag, vertices, n_vertices)) ||
      (rc = check_faces(w, tag, faces, n_faces, n_vertices)) ||
      (rc = lm_check_text(w, "config", config_json, true)))
    return rc;
  if (config_json && !lm_json_valid(config_json))
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "mesh '%s': config is not valid JSON (add_mesh's "
                   "config_dict as a JSON object)",
                   tag);
  if (config_json && !json_is_object(config_json))
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "mesh '%s': config is not a JSON object (add_mesh's "
                   "config_dict, e.g. {\"camera\":{\"fov\":60}})",
                   tag);
  size_t cl = config_json ? strlen(config_json) + 1 : 0;
  size_t bytes = sizeof(lm_mesh_payload) + data + cl;
  lm_mesh_payload *p = malloc(bytes);
  if (!p)
    return lm_fail(w, LM_ERR_NOMEM, "out of memory for mesh '%s' (%zu bytes)",
                   tag, bytes);
  size_t vb = (size_t)n_vertices * 12, fb = (size_t)n_faces * 12;
  p->hdr.bytes = bytes;
  p->n_vertices = n_vertices;
  p->n_faces = n_faces;
  /* vertices, then faces (both 4-byte aligned after the header), then
   * colours and config (bytes) */
  p->vertices = memcpy(p + 1, vertices, vb);
  unsigned char *next = (unsigned char *)(p + 1) + vb;
  p->faces = faces ? memcpy(next, faces, fb) : NULL;
  next += faces ? fb : 0;
  p->colors = colors ? memcpy(next, colors, (size_t)n_vertices * 3) : NULL;
  next += colors ? (size_t)n_vertices * 3 : 0;
  p->config = config_json ? memcpy(next, config_json, cl) : NULL;
  return lm_queue_payload(w, LM_REC_MESH, tag, LM_TAG_MESH, step,
                          lm_writer_now(w), p);
}
