/* lm-mesh.c: a `meshes` row as an LmMesh, and the loader that fetches one
 * off the main thread (lm-mesh.h).
 *
 * What it is for: checking stored blobs before a view draws them (sizes,
 * face indices, finite coordinates: a corrupt or hand-made file gives a
 * message, never a read out of bounds), the bounding sphere a view frames,
 * the config values TensorBoard's mesh viewer honours, and a cache of
 * recent meshes by bytes on lm-lru-cache.c.
 * What it is not for: drawing (ui/), the rows' metadata (lm-records-read.c).
 */
#include "lm-mesh.h"

#include <math.h>
#include <string.h>
#include <sqlite3.h>

#include "lm-json-private.h"
#include "lm-lru-cache.h"
#include "lm-reader-private.h"

#define DEFAULT_CACHE_BYTES ((gsize) 128 << 20)

G_DEFINE_QUARK (lm-mesh-error-quark, lm_mesh_error)

static void
mesh_clear (gpointer data)
{
  LmMesh *mesh = data;

  g_free (mesh->vertices);
  g_free (mesh->colors);
  g_free (mesh->faces);
  g_free (mesh->config_warning);
}

LmMesh *
lm_mesh_ref (LmMesh *mesh)
{
  return g_atomic_rc_box_acquire (mesh);
}

void
lm_mesh_unref (LmMesh *mesh)
{
  if (mesh != NULL)
    g_atomic_rc_box_release_full (mesh, mesh_clear);
}

/* ---------------------------------------------------------------- config */

/* A number value of key `path` ("material.size") into *out. */
static gboolean
config_number (LmJsonParser *ps, const char *path, double *out)
{
  const char *at;

  lm_json_skip_ws (ps);
  at = ps->p;
  if (!((*at >= '0' && *at <= '9') || *at == '-'))
    return lm_json_fail (ps, "%s is not a number", path);
  if (!lm_json_parse_number (ps, out))
    return FALSE;
  if (!isfinite (*out))
    {
      ps->p = at;
      return lm_json_fail (ps, "%s is out of range", path);
    }
  return TRUE;
}

/* The one number read from an object (material's size, camera's fov). */
typedef struct
{
  const char *key, *path;   /* "size", "material.size" */
  double value;             /* kept when not given */
  gboolean seen;
} ConfigNumber;

static gboolean
number_member (LmJsonParser *ps, const char *key, gpointer data)
{
  ConfigNumber *n = data;

  if (strcmp (key, n->key) != 0)
    return lm_json_skip_value (ps, 1);
  n->seen = TRUE;
  return config_number (ps, n->path, &n->value);
}

/* config[0]: material.size, config[1]: camera.fov */
static gboolean
config_member (LmJsonParser *ps, const char *key, gpointer data)
{
  ConfigNumber *config = data;

  if (strcmp (key, "material") == 0)
    return lm_json_parse_object (ps, "material is not an object", number_member, &config[0]);
  if (strcmp (key, "camera") == 0)
    return lm_json_parse_object (ps, "camera is not an object", number_member, &config[1]);
  return lm_json_skip_value (ps, 1);
}

/* add_mesh's config_dict: material.size and camera.fov, the rest (cls,
 * lights, ...) skipped.  A value out of range is replaced by its default
 * and a config that does not parse gives both defaults: lumen-log stores
 * any JSON object, and a typo in a config should not hide the vertices
 * (TensorBoard's viewer draws them too).  Returns what was wrong, or NULL. */
static char *
parse_config (const char *json, double *point_size, double *fov)
{
  LmJsonParser ps = { json, json, NULL, "mesh config" };
  ConfigNumber c[2] = { { "size", "material.size", 0, FALSE },
                        { "fov", "camera.fov", LM_MESH_DEFAULT_FOV, FALSE } };
  g_autofree char *size_error = NULL, *fov_error = NULL;

  *point_size = 0;
  *fov = LM_MESH_DEFAULT_FOV;
  if (!lm_json_parse_object (&ps, "not a JSON object", config_member, c))
    goto fail;
  lm_json_skip_ws (&ps);
  if (*ps.p != '\0')
    {
      lm_json_fail (&ps, "text after the object");
      goto fail;
    }
  if (c[0].seen && !(c[0].value > 0))
    size_error = g_strdup_printf ("material.size is %g, must be > 0", c[0].value);
  else
    *point_size = c[0].value;
  if (c[1].seen && !(c[1].value > 0 && c[1].value < 180))
    fov_error = g_strdup_printf ("camera.fov is %g, must be between 0 and 180 degrees", c[1].value);
  else
    *fov = c[1].value;
  if (size_error != NULL || fov_error != NULL)
    return g_strdup_printf ("mesh config: %s%s%s; drawn with the default%s", size_error ? size_error : "",
                            size_error && fov_error ? ", " : "", fov_error ? fov_error : "",
                            size_error && fov_error ? "s" : "");
  return NULL;

fail:
  size_error = g_strdup_printf ("%s; drawn with the defaults", ps.error);
  g_free (ps.error);
  return g_steal_pointer (&size_error);
}

/* ----------------------------------------------------------------- blobs */

static LmMesh *
bad (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static LmMesh *
bad (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, LM_MESH_ERROR, LM_MESH_ERROR_BAD, msg);
  return NULL;
}

/* The bounding sphere: the centre of the bounding box and the largest
 * distance from it to a vertex; a single point (radius 0) gets 1, so a
 * view still has a scale to frame, and a mesh spanning the whole float
 * range (a distance past FLT_MAX) gets FLT_MAX rather than infinity,
 * which a view could not frame. */
static void
bounding_sphere (LmMesh *m)
{
  double lo[3], hi[3], r2 = 0;

  for (int k = 0; k < 3; k++)
    lo[k] = hi[k] = m->vertices[k];
  for (gint64 i = 1; i < m->n_vertices; i++)
    for (int k = 0; k < 3; k++)
      {
        double v = m->vertices[3 * i + k];

        lo[k] = MIN (lo[k], v);
        hi[k] = MAX (hi[k], v);
      }
  for (int k = 0; k < 3; k++)
    m->center[k] = (float) ((lo[k] + hi[k]) / 2);
  for (gint64 i = 0; i < m->n_vertices; i++)
    {
      double d2 = 0;

      for (int k = 0; k < 3; k++)
        {
          double d = (double) m->vertices[3 * i + k] - m->center[k];

          d2 += d * d;
        }
      r2 = MAX (r2, d2);
    }
  /* coordinates near FLT_MAX: a distance past it would be infinite as a
   * float, and a view would frame a sphere of 1 instead */
  m->radius = r2 > 0 ? (float) MIN (sqrt (r2), (double) G_MAXFLOAT) : 1.0f;
}

/* Faces of zero area: a repeated corner, or three corners in a line. */
static gint64
count_flat_faces (const LmMesh *m)
{
  gint64 n = 0;

  for (gint64 f = 0; f < m->n_faces; f++)
    {
      const float *a = m->vertices + 3 * (gint64) m->faces[3 * f];
      const float *b = m->vertices + 3 * (gint64) m->faces[3 * f + 1];
      const float *c = m->vertices + 3 * (gint64) m->faces[3 * f + 2];
      double e1[3], e2[3], x, y, z;

      for (int k = 0; k < 3; k++)
        {
          e1[k] = (double) b[k] - a[k];
          e2[k] = (double) c[k] - a[k];
        }
      x = e1[1] * e2[2] - e1[2] * e2[1];
      y = e1[2] * e2[0] - e1[0] * e2[2];
      z = e1[0] * e2[1] - e1[1] * e2[0];
      n += x == 0 && y == 0 && z == 0;
    }
  return n;
}

LmMesh *
lm_mesh_new_from_blobs (const void *vertices, gsize vsize, const void *colors, gsize csize,
                        const void *faces, gsize fsize, const char *config, GError **error)
{
  g_autoptr (LmMesh) m = NULL;
  g_autofree char *config_warning = NULL;
  double point_size = 0, fov = LM_MESH_DEFAULT_FOV;
  gint64 n;

  if (vertices == NULL || vsize == 0)
    return bad (error, "the mesh has no vertices");
  if (vsize % 12 != 0)
    return bad (error, "the vertices blob is %" G_GSIZE_FORMAT " bytes, not a whole number of xyz "
                "float32 triples (12 bytes each)", vsize);
  n = (gint64) (vsize / 12);
  if (colors == NULL)
    csize = 0;
  if (csize != 0 && csize != vsize / 4)
    return bad (error, "the colors blob is %" G_GSIZE_FORMAT " bytes; %" G_GINT64_FORMAT
                " vertices need %" G_GSIZE_FORMAT " (3 per vertex)", csize, n, vsize / 4);
  if (faces == NULL)
    fsize = 0;
  if (fsize % 12 != 0)
    return bad (error, "the faces blob is %" G_GSIZE_FORMAT " bytes, not a whole number of int32 "
                "index triples (12 bytes each)", fsize);
  if (config != NULL)
    config_warning = parse_config (config, &point_size, &fov);

  m = g_atomic_rc_box_new0 (LmMesh);
  m->n_vertices = n;
  m->n_faces = (gint64) (fsize / 12);
  m->point_size = point_size;
  m->fov = fov;
  m->config_warning = g_steal_pointer (&config_warning);
  /* copies: a blob's bytes need not be aligned for float or int32 */
  m->vertices = g_try_malloc (vsize);
  m->colors = csize ? g_try_malloc (csize) : NULL;
  m->faces = fsize ? g_try_malloc (fsize) : NULL;
  if (m->vertices == NULL || (csize && m->colors == NULL) || (fsize && m->faces == NULL))
    return bad (error, "out of memory for a mesh of %" G_GINT64_FORMAT " vertices and %" G_GINT64_FORMAT
                " faces", n, m->n_faces);
  memcpy (m->vertices, vertices, vsize);
  if (csize)
    memcpy (m->colors, colors, csize);
  if (fsize)
    memcpy (m->faces, faces, fsize);
  for (gint64 i = 0; i < 3 * n; i++)
    if (!isfinite (m->vertices[i]))
      return bad (error, "vertex %" G_GINT64_FORMAT " has a%s coordinate", i / 3,
                  isnan (m->vertices[i]) ? " NaN" : "n infinite");
  for (gint64 i = 0; i < 3 * m->n_faces; i++)
    if (m->faces[i] < 0 || m->faces[i] >= n)
      return bad (error, "face %" G_GINT64_FORMAT " refers to vertex %d of %" G_GINT64_FORMAT, i / 3,
                  (int) m->faces[i], n);
  bounding_sphere (m);
  m->n_flat_faces = count_flat_faces (m);
  return g_steal_pointer (&m);
}

static gsize
mesh_bytes (const LmMesh *m)
{
  return sizeof *m + (gsize) m->n_vertices * (m->colors ? 15 : 12) + (gsize) m->n_faces * 12;
}

/* ---------------------------------------------------------------- loader */

struct _LmMeshLoader
{
  GObject parent_instance;

  LmLruCache *cache;     /* "path\nid" -> LmMesh* */
  LmReaderPool *pool;
  guint n_loaded;
};

G_DEFINE_FINAL_TYPE (LmMeshLoader, lm_mesh_loader, G_TYPE_OBJECT)

typedef struct
{
  char *path;
  gint64 id;
} MeshRequest;

static void
mesh_request_free (gpointer data)
{
  MeshRequest *r = data;

  g_free (r->path);
  g_free (r);
}

static gsize
column_size (sqlite3_stmt *st, int col)
{
  return sqlite3_column_type (st, col) == SQLITE_NULL ? 0 : (gsize) sqlite3_column_bytes (st, col);
}

/* A blob of `bytes` holds exactly `count` items of `each` bytes (counted
 * by division: a damaged count times `each` may wrap round to the size). */
static gboolean
blob_holds (gsize bytes, gint64 count, gsize each)
{
  return count >= 0 && bytes % each == 0 && bytes / each == (guint64) count;
}

/* Row r->id as a mesh, or NULL with *error set.  The row's counts must
 * match its blobs. */
static LmMesh *
read_mesh (sqlite3 *db, const MeshRequest *r, GError **error)
{
  static const char sql[] = "SELECT n_vertices, n_faces, vertices, colors, faces, config "
                            "FROM meshes WHERE id = ?1";
  g_autoptr (GError) local = NULL;
  sqlite3_stmt *st = NULL;
  LmMesh *m = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &st, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (st, 1, r->id);
      rc = sqlite3_step (st);
    }
  if (rc == SQLITE_ROW)
    {
      gint64 nv = sqlite3_column_int64 (st, 0), nf = sqlite3_column_int64 (st, 1);
      const void *v = sqlite3_column_blob (st, 2);
      gsize vsize = column_size (st, 2);
      const void *c = sqlite3_column_blob (st, 3);
      gsize csize = column_size (st, 3);
      const void *f = sqlite3_column_blob (st, 4);
      gsize fsize = column_size (st, 4);
      const char *config = (const char *) sqlite3_column_text (st, 5);

      if (!blob_holds (vsize, nv, 12))
        g_set_error (error, LM_MESH_ERROR, LM_MESH_ERROR_BAD,
                     "mesh row %" G_GINT64_FORMAT ": n_vertices is %" G_GINT64_FORMAT
                     " but the vertices blob is %" G_GSIZE_FORMAT " bytes", r->id, nv, vsize);
      else if (!blob_holds (fsize, nf, 12))
        g_set_error (error, LM_MESH_ERROR, LM_MESH_ERROR_BAD,
                     "mesh row %" G_GINT64_FORMAT ": n_faces is %" G_GINT64_FORMAT
                     " but the faces blob is %" G_GSIZE_FORMAT " bytes", r->id, nf, fsize);
      else if ((m = lm_mesh_new_from_blobs (v, vsize, c, csize, f, fsize, config, &local)) == NULL)
        g_set_error (error, LM_MESH_ERROR, local->code, "mesh row %" G_GINT64_FORMAT ": %s", r->id,
                     local->message);
    }
  else if (rc == SQLITE_DONE || (rc != SQLITE_OK && strstr (sqlite3_errmsg (db), "no such table")))
    g_set_error (error, LM_MESH_ERROR, LM_MESH_ERROR_MISSING,
                 "mesh row %" G_GINT64_FORMAT " is not in the run file", r->id);
  else
    {
      g_autofree char *text = lm_reader_describe_error (db, rc, "reading a mesh", NULL);

      g_set_error_literal (error, LM_MESH_ERROR, LM_MESH_ERROR_READ, text);
    }
  sqlite3_finalize (st);
  return m;
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LmMeshLoader *self = source;
  MeshRequest *r = task_data;
  GError *error = NULL;
  g_autofree char *msg = NULL;
  sqlite3 *db = lm_reader_pool_take (self->pool, r->path, &msg);
  LmMesh *mesh;

  if (db == NULL)
    {
      g_task_return_new_error (task, LM_MESH_ERROR, LM_MESH_ERROR_READ, "%s: %s", r->path, msg);
      return;
    }
  mesh = read_mesh (db, r, &error);
  lm_reader_pool_give (self->pool, r->path, db);
  if (mesh != NULL)
    g_task_return_pointer (task, mesh, (GDestroyNotify) lm_mesh_unref);
  else
    g_task_return_error (task, error);
}

static char *
cache_key (const char *path, gint64 id)
{
  return g_strdup_printf ("%s\n%" G_GINT64_FORMAT, path, id);
}

LmMesh *
lm_mesh_loader_lookup (LmMeshLoader *self, const char *path, gint64 id)
{
  g_autofree char *key = NULL;
  LmMesh *mesh;

  g_return_val_if_fail (LM_IS_MESH_LOADER (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  key = cache_key (path, id);
  mesh = lm_lru_cache_lookup (self->cache, key);
  return mesh ? lm_mesh_ref (mesh) : NULL;
}

void
lm_mesh_loader_load_async (LmMeshLoader *self, const char *path, gint64 id, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  MeshRequest *r;
  GTask *task;

  g_return_if_fail (LM_IS_MESH_LOADER (self));
  g_return_if_fail (path != NULL);
  r = g_new0 (MeshRequest, 1);
  task = g_task_new (self, cancellable, callback, user_data);
  r->path = g_strdup (path);
  r->id = id;
  g_task_set_task_data (task, r, mesh_request_free);
  g_task_run_in_thread (task, load_thread);
  g_object_unref (task);
}

LmMesh *
lm_mesh_loader_load_finish (LmMeshLoader *self, GAsyncResult *result, GError **error)
{
  MeshRequest *r = g_task_get_task_data (G_TASK (result));
  LmMesh *mesh = g_task_propagate_pointer (G_TASK (result), error);

  if (mesh != NULL)
    {
      g_autofree char *key = cache_key (r->path, r->id);

      self->n_loaded++;
      lm_lru_cache_insert (self->cache, key, lm_mesh_ref (mesh), mesh_bytes (mesh),
                           (GDestroyNotify) lm_mesh_unref);
    }
  return mesh;
}

guint
lm_mesh_loader_get_n_loaded (LmMeshLoader *self)
{
  g_return_val_if_fail (LM_IS_MESH_LOADER (self), 0);
  return self->n_loaded;
}

static void
lm_mesh_loader_finalize (GObject *object)
{
  LmMeshLoader *self = LM_MESH_LOADER (object);

  lm_lru_cache_free (self->cache);
  lm_reader_pool_free (self->pool);
  G_OBJECT_CLASS (lm_mesh_loader_parent_class)->finalize (object);
}

static void
lm_mesh_loader_class_init (LmMeshLoaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lm_mesh_loader_finalize;
}

static void
lm_mesh_loader_init (LmMeshLoader *self)
{
  self->pool = lm_reader_pool_new ();
}

LmMeshLoader *
lm_mesh_loader_new (gsize cache_bytes)
{
  LmMeshLoader *self = g_object_new (LM_TYPE_MESH_LOADER, NULL);

  self->cache = lm_lru_cache_new (cache_bytes ? cache_bytes : DEFAULT_CACHE_BYTES);
  return self;
}
