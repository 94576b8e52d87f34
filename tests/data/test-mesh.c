/* test-mesh.c: meshes and point clouds on the read side: blobs as
 * lumen-log stores them back to arrays, the bounding sphere, the config
 * values (material.size, camera.fov) and their defaults, corrupt blobs and
 * rows refused with messages, the record feed listing two runs' meshes in
 * (step, id) order and following new rows live (an older file without
 * the table has none), and the loader's cache. */
#include <math.h>
#include <string.h>
#include <sqlite3.h>

#include "lm-mesh.h"
#include "lm-records.h"
#include "lm-test-records.h"
#include "lumen-log.h"

/* A unit tetrahedron: 4 vertices, 4 faces, a colour each. */
static const float tet_v[12] = { 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1 };
static const gint32 tet_f[12] = { 0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3 };
static const guint8 tet_c[12] = { 255, 0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 128 };

/* m holds tet_v, tet_c and tet_f as they are. */
static void
assert_tetrahedron (const LmMesh *m)
{
  g_assert_cmpint (m->n_vertices, ==, 4);
  g_assert_cmpint (m->n_faces, ==, 4);
  g_assert_cmpmem (m->vertices, 48, tet_v, 48);
  g_assert_cmpmem (m->colors, 12, tet_c, 12);
  g_assert_cmpmem (m->faces, 48, tet_f, 48);
}

static void
test_blobs (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LmMesh) m = lm_mesh_new_from_blobs (tet_v, sizeof tet_v, tet_c, sizeof tet_c, tet_f,
                                                 sizeof tet_f, NULL, &error);

  g_assert_no_error (error);
  assert_tetrahedron (m);
  /* the bounding box's centre, and the distance to its corners' vertices */
  for (int k = 0; k < 3; k++)
    g_assert_cmpfloat (m->center[k], ==, 0.5f);
  g_assert_cmpfloat_with_epsilon (m->radius, sqrt (0.75), 1e-6);
  /* no config: the view's point size, TensorBoard's 75 degree camera */
  g_assert_cmpfloat (m->point_size, ==, 0);
  g_assert_cmpfloat (m->fov, ==, 75);
  g_assert_true (lm_mesh_ref (m) == m);
  lm_mesh_unref (m);

  /* a point cloud without colours, from an unaligned copy of its blob:
   * bounding box x -2..4, y 0..1, z 0..3, centre (1, 0.5, 1.5); the
   * farthest vertices are sqrt(9 + 0.25 + 2.25) away */
  {
    const float cloud[9] = { -2, 0, 0, 4, 1, 0, 0, 0, 3 };
    guint8 *raw = g_malloc (sizeof cloud + 1);
    g_autoptr (LmMesh) c = NULL;

    memcpy (raw + 1, cloud, sizeof cloud);
    c = lm_mesh_new_from_blobs (raw + 1, sizeof cloud, NULL, 0, NULL, 0, "{}", &error);
    g_free (raw);
    g_assert_no_error (error);
    g_assert_cmpint (c->n_vertices, ==, 3);
    g_assert_cmpint (c->n_faces, ==, 0);
    g_assert_null (c->colors);
    g_assert_null (c->faces);
    g_assert_cmpfloat (c->center[0], ==, 1);
    g_assert_cmpfloat (c->center[1], ==, 0.5f);
    g_assert_cmpfloat (c->center[2], ==, 1.5f);
    g_assert_cmpfloat_with_epsilon (c->radius, 3.391164991562634, 1e-6);
  }
  /* corners at +-3e38: the distance to them, 5.2e38, is past FLT_MAX; the
   * radius is FLT_MAX, not infinity, so a view can still frame it */
  {
    const float huge[6] = { -3e38f, -3e38f, -3e38f, 3e38f, 3e38f, 3e38f };
    g_autoptr (LmMesh) h = lm_mesh_new_from_blobs (huge, sizeof huge, NULL, 0, NULL, 0, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpfloat (h->center[0], ==, 0);
    g_assert_cmpfloat (h->radius, ==, G_MAXFLOAT);
  }
  /* one point: a radius of 1, so a view still has a scale */
  {
    const float one[3] = { 7, -1, 2 };
    g_autoptr (LmMesh) p = lm_mesh_new_from_blobs (one, 12, NULL, 0, NULL, 0, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpfloat (p->center[0], ==, 7);
    g_assert_cmpfloat (p->center[1], ==, -1);
    g_assert_cmpfloat (p->center[2], ==, 2);
    g_assert_cmpfloat (p->radius, ==, 1);
  }
}

/* Faces of zero area are counted: a corner repeated, three in a line. */
static void
test_flat_faces (void)
{
  static const float v[] = { 0, 0, 0, 1, 0, 0, 0, 1, 0, 2, 0, 0 };
  static const gint32 f[] = { 0, 1, 2, 0, 0, 1, 0, 1, 3, 2, 1, 0, 2, 2, 2 };
  g_autoptr (GError) error = NULL;
  g_autoptr (LmMesh) m = lm_mesh_new_from_blobs (v, sizeof v, NULL, 0, f, sizeof f, NULL, &error);
  g_autoptr (LmMesh) t = lm_mesh_new_from_blobs (tet_v, sizeof tet_v, NULL, 0, tet_f, sizeof tet_f, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (m->n_faces, ==, 5);
  g_assert_cmpint (m->n_flat_faces, ==, 3);
  g_assert_cmpint (t->n_flat_faces, ==, 0);
}

/* Coordinates near FLT_MAX: the bounding radius stays finite (the
 * largest float), so a view frames them rather than a sphere of 1. */
static void
test_huge_coordinates (void)
{
  static const float huge[] = { 3e38f, 0, 0, -3e38f, 0, 0, 0, 3e38f, 0, 0, 0, 3e38f };
  static const float big[] = { 1e30f, 0, 0, -1e30f, 0, 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (LmMesh) m = lm_mesh_new_from_blobs (huge, sizeof huge, NULL, 0, NULL, 0, NULL, &error);
  g_autoptr (LmMesh) b = lm_mesh_new_from_blobs (big, sizeof big, NULL, 0, NULL, 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpfloat (m->radius, ==, G_MAXFLOAT);
  g_assert_cmpfloat (m->center[1], ==, 1.5e38f);
  g_assert_cmpfloat (b->radius, ==, 1e30f);
}

static void
test_config (void)
{
  static const struct
  {
    const char *json;
    double size, fov;
  } good[] = {
    { "{\"material\":{\"cls\":\"PointsMaterial\",\"size\":0.05},"
      "\"camera\":{\"cls\":\"PerspectiveCamera\",\"fov\":60}}", 0.05, 60 },
    { "{\"material\":{\"size\":2}}", 2, 75 },
    { " {\"camera\": {\"fov\": 45.5, \"near\": 0.1}, \"lights\": [{\"cls\": \"AmbientLight\", "
      "\"color\": \"#ffffff\", \"intensity\": 0.75}]} ", 0, 45.5 },
    { "{\"material\":{\"cls\":\"MeshStandardMaterial\",\"roughness\":1e0}}", 0, 75 },
    { "{}", 0, 75 },
  };
  /* lumen-log stores any JSON object: what cannot be used is said, and
   * the mesh is drawn with the defaults in its place */
  static const struct
  {
    const char *json, *message;
    double size, fov;
  } bad[] = {
    { "[1]", "mesh config: not a JSON object at byte 0; drawn with the defaults", 0, 75 },
    { "{\"camera\":{\"fov\":60}", "mesh config: expected ',' or '}' at the end of the text (byte 20); drawn "
      "with the defaults", 0, 75 },
    { "{\"material\":{\"size\":\"big\"}}", "mesh config: material.size is not a number at byte 20; drawn "
      "with the defaults", 0, 75 },
    { "{\"material\":3}", "mesh config: material is not an object at byte 12; drawn with the defaults", 0, 75 },
    { "{\"material\":{\"size\":-1}}", "mesh config: material.size is -1, must be > 0; drawn with the default",
      0, 75 },
    { "{\"material\":{\"size\":0},\"camera\":{\"fov\":60}}",
      "mesh config: material.size is 0, must be > 0; drawn with the default", 0, 60 },
    { "{\"material\":{\"size\":0.5},\"camera\":{\"fov\":180}}",
      "mesh config: camera.fov is 180, must be between 0 and 180 degrees; drawn with the default", 0.5, 75 },
    { "{\"material\":{\"size\":0},\"camera\":{\"fov\":0}}",
      "mesh config: material.size is 0, must be > 0, camera.fov is 0, must be between 0 and 180 degrees; drawn "
      "with the defaults", 0, 75 },
    { "{\"camera\":{\"fov\":1e999}}", "mesh config: camera.fov is out of range at byte 17; drawn with the "
      "defaults", 0, 75 },
    { "{} x", "mesh config: text after the object at byte 3; drawn with the defaults", 0, 75 },
    { "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
      "mesh config: nested more than 32 deep", 0, 75 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (LmMesh) m = lm_mesh_new_from_blobs (tet_v, 48, NULL, 0, NULL, 0, good[i].json, &error);

      g_assert_no_error (error);
      g_assert_cmpfloat (m->point_size, ==, good[i].size);
      g_assert_cmpfloat (m->fov, ==, good[i].fov);
      g_assert_null (m->config_warning);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (LmMesh) m = lm_mesh_new_from_blobs (tet_v, 48, NULL, 0, NULL, 0, bad[i].json, &error);

      g_assert_no_error (error);
      g_assert_nonnull (m);
      g_assert_cmpint (m->n_vertices, ==, 4);
      g_assert_cmpfloat (m->point_size, ==, bad[i].size);
      g_assert_cmpfloat (m->fov, ==, bad[i].fov);
      if (m->config_warning == NULL || !g_str_has_prefix (m->config_warning, bad[i].message))
        g_error ("%s: \"%s\", expected \"%s\"", bad[i].json, m->config_warning, bad[i].message);
    }
}

/* error: where the call put its error (read after the call). */
static void
assert_bad (LmMesh *m, GError **error, const char *message)
{
  g_assert_null (m);
  g_assert_error (*error, LM_MESH_ERROR, LM_MESH_ERROR_BAD);
  g_assert_cmpstr ((*error)->message, ==, message);
  g_clear_error (error);
}

static void
test_corrupt_blobs (void)
{
  GError *e = NULL;
  float v[12];
  gint32 f[12];

  assert_bad (lm_mesh_new_from_blobs (tet_v, 0, NULL, 0, NULL, 0, NULL, &e), &e, "the mesh has no vertices");
  assert_bad (lm_mesh_new_from_blobs (NULL, 12, NULL, 0, NULL, 0, NULL, &e), &e, "the mesh has no vertices");
  assert_bad (lm_mesh_new_from_blobs (tet_v, 13, NULL, 0, NULL, 0, NULL, &e), &e,
              "the vertices blob is 13 bytes, not a whole number of xyz float32 triples (12 bytes each)");
  assert_bad (lm_mesh_new_from_blobs (tet_v, 48, tet_c, 11, NULL, 0, NULL, &e), &e,
              "the colors blob is 11 bytes; 4 vertices need 12 (3 per vertex)");
  assert_bad (lm_mesh_new_from_blobs (tet_v, 36, tet_c, 12, NULL, 0, NULL, &e), &e,
              "the colors blob is 12 bytes; 3 vertices need 9 (3 per vertex)");
  assert_bad (lm_mesh_new_from_blobs (tet_v, 48, NULL, 0, tet_f, 47, NULL, &e), &e,
              "the faces blob is 47 bytes, not a whole number of int32 index triples (12 bytes each)");
  memcpy (f, tet_f, sizeof f);
  f[10] = 9;
  assert_bad (lm_mesh_new_from_blobs (tet_v, 48, NULL, 0, f, 48, NULL, &e), &e,
              "face 3 refers to vertex 9 of 4");
  f[10] = 2;
  f[1] = -7;
  assert_bad (lm_mesh_new_from_blobs (tet_v, 48, NULL, 0, f, 48, NULL, &e), &e,
              "face 0 refers to vertex -7 of 4");
  /* the faces of a 3-vertex prefix: vertex 3 is out of range */
  assert_bad (lm_mesh_new_from_blobs (tet_v, 36, NULL, 0, tet_f, 48, NULL, &e), &e,
              "face 1 refers to vertex 3 of 3");
  memcpy (v, tet_v, sizeof v);
  v[5] = NAN;
  assert_bad (lm_mesh_new_from_blobs (v, 48, NULL, 0, NULL, 0, NULL, &e), &e, "vertex 1 has a NaN coordinate");
  v[5] = INFINITY;
  assert_bad (lm_mesh_new_from_blobs (v, 48, NULL, 0, NULL, 0, NULL, &e), &e,
              "vertex 1 has an infinite coordinate");
}

/* ------------------------------------------------------------- the feed */

/* Logs a tetrahedron (coloured, with faces) per step under tag "tet", and
 * a point cloud of step + 1 points under "cloud/points" at each step. */
static void
log_meshes (const char *dir, const char *run, const int *steps, int n)
{
  lm_writer *w;

  g_assert_cmpint (lm_writer_open (&w, dir, run), ==, LM_OK);
  for (int k = 0; k < n; k++)
    {
      g_assert_cmpint (lm_writer_add_mesh (w, "tet", steps[k], tet_v, 4, tet_c, tet_f, 4, NULL), ==, LM_OK);
      g_assert_cmpint (lm_writer_add_mesh (w, "cloud/points", steps[k], tet_v, MIN (steps[k] + 1, 4), NULL,
                                           NULL, 0, "{\"material\":{\"size\":0.5}}"),
                       ==, LM_OK);
    }
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
}

static gboolean
has_5_meshes (gpointer data)
{
  LmRecordSeries *s = lm_record_feed_find (data, "b", "tet");

  return s != NULL && s->items->len == 5;
}

static void
test_feed (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-mesh-XXXXXX");
  g_autofree char *old = NULL;
  g_autoptr (LmRunStore) store = NULL;
  g_autoptr (LmRecordFeed) feed = NULL;
  const int steps_a[3] = { 5, 1, 3 }, steps_b[2] = { 2, 2 }, more_b[3] = { 0, 9, 2 };
  const gint64 want_b[5] = { 0, 2, 2, 2, 9 };
  LmRecordSeries *s;
  LmMeshMeta *m;
  lm_writer *w;
  sqlite3 *db;

  log_meshes (dir, "a", steps_a, 3);
  log_meshes (dir, "b", steps_b, 2);
  /* an older run file: a scalar, no meshes table */
  g_assert_cmpint (lm_writer_open (&w, dir, "c"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_scalar (w, "loss", 0, 1), ==, LM_OK);
  old = g_strdup (lm_writer_file_path (w));
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  g_assert_cmpint (sqlite3_open (old, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE meshes", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = lm_test_store_open (dir);
  feed = lm_test_feed_open (store, LM_RECORD_MESH);
  g_assert_cmpstr (lm_record_kind_to_string (LM_RECORD_MESH), ==, "mesh");
  g_assert_cmpuint (lm_record_feed_get_series (feed)->len, ==, 4);   /* 2 runs x 2 tags */
  g_assert_null (lm_record_feed_get_run_error (feed, "c"));

  s = lm_record_feed_find (feed, "a", "tet");
  g_assert_cmpint (s->kind, ==, LM_RECORD_MESH);
  g_assert_cmpuint (s->items->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      m = s->items->pdata[i];
      g_assert_cmpint (m->step, ==, 1 + 2 * i);   /* 1, 3, 5: in step order */
      g_assert_cmpint (m->n_vertices, ==, 4);
      g_assert_cmpint (m->n_faces, ==, 4);
      g_assert_true (m->has_colors);
      g_assert_null (m->config);
      g_assert_cmpfloat (m->wall_time, >, 1.6e9);
    }
  /* step 1 was the second call: rows 1 (tet 5), 2 (cloud 5), 3 (tet 1) */
  g_assert_cmpint (((LmMeshMeta *) s->items->pdata[0])->id, ==, 3);
  s = lm_record_feed_find (feed, "a", "cloud/points");
  m = s->items->pdata[0];
  g_assert_cmpint (m->step, ==, 1);
  g_assert_cmpint (m->n_vertices, ==, 2);
  g_assert_cmpint (m->n_faces, ==, 0);
  g_assert_false (m->has_colors);
  g_assert_cmpstr (m->config, ==, "{\"material\":{\"size\":0.5}}");

  /* live: new meshes (one at an earlier step) are merged in (step, id) order */
  log_meshes (dir, "b", more_b, 3);
  g_assert_true (lm_test_wait_for (has_5_meshes, feed, 10000));
  s = lm_record_feed_find (feed, "b", "tet");
  for (guint i = 0; i < 5; i++)
    {
      m = s->items->pdata[i];
      g_assert_cmpint (m->step, ==, want_b[i]);
      if (i > 0 && m->step == ((LmMeshMeta *) s->items->pdata[i - 1])->step)
        g_assert_cmpint (m->id, >, ((LmMeshMeta *) s->items->pdata[i - 1])->id);
    }

  g_clear_object (&feed);
  g_clear_object (&store);
  lm_test_rm_rf (dir);
}

/* ----------------------------------------------------------- the loader */

static void
keep_result (GObject *source, GAsyncResult *res, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (res);
}

static gboolean
have_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* One load, waited for on the main loop (where its result is cached). */
static LmMesh *
load_mesh (LmMeshLoader *loader, const char *path, gint64 id, GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;

  lm_mesh_loader_load_async (loader, path, id, NULL, keep_result, &res);
  g_assert_true (lm_test_wait_for (have_result, &res, 10000));
  return lm_mesh_loader_load_finish (loader, res, error);
}

static void
test_loader (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-mesh-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "a", "run.lumen", NULL);
  const int steps[2] = { 0, 3 };
  /* a tetrahedron is its struct, 4 x 15 vertex and colour bytes and
   * 4 x 12 face bytes; room for three */
  gsize tet_bytes = sizeof (LmMesh) + 60 + 48;
  g_autoptr (LmMeshLoader) loader = lm_mesh_loader_new (3 * tet_bytes);
  GError *error = NULL;
  LmMesh *m, *cached;
  sqlite3 *db;

  log_meshes (dir, "a", steps, 2);   /* rows 1, 3: tet; 2, 4: clouds of 1 and 4 points */
  m = load_mesh (loader, path, 1, &error);
  g_assert_no_error (error);
  assert_tetrahedron (m);
  g_assert_cmpfloat_with_epsilon (m->radius, sqrt (0.75), 1e-6);
  g_assert_cmpuint (lm_mesh_loader_get_n_loaded (loader), ==, 1);
  cached = lm_mesh_loader_lookup (loader, path, 1);
  g_assert_true (cached == m);   /* the same mesh, not read again */
  lm_mesh_unref (cached);
  lm_mesh_unref (m);

  m = load_mesh (loader, path, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpint (m->n_vertices, ==, 4);
  g_assert_null (m->colors);
  g_assert_null (m->faces);
  g_assert_cmpfloat (m->point_size, ==, 0.5);
  g_assert_cmpfloat (m->fov, ==, 75);
  lm_mesh_unref (m);

  /* two more tetrahedra's worth: the first is evicted */
  for (gint64 id = 2; id <= 3; id++)
    {
      m = load_mesh (loader, path, id, &error);
      g_assert_no_error (error);
      lm_mesh_unref (m);
    }
  g_assert_cmpuint (lm_mesh_loader_get_n_loaded (loader), ==, 4);
  g_assert_null (lm_mesh_loader_lookup (loader, path, 1));
  cached = lm_mesh_loader_lookup (loader, path, 3);
  g_assert_nonnull (cached);
  lm_mesh_unref (cached);

  /* a missing row, and rows damaged by hand: messages, not crashes */
  m = load_mesh (loader, path, 99, &error);
  g_assert_null (m);
  g_assert_error (error, LM_MESH_ERROR, LM_MESH_ERROR_MISSING);
  g_assert_cmpstr (error->message, ==, "mesh row 99 is not in the run file");
  g_clear_error (&error);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "UPDATE meshes SET n_vertices = 5 WHERE id = 1;"
                                 /* 12 x (2^62 + 1) wraps round to 12, the blob's size */
                                 "UPDATE meshes SET n_vertices = 4611686018427387905 WHERE id = 2;"
                                 "UPDATE meshes SET faces = substr(faces, 1, 40) WHERE id = 3;"
                                 "UPDATE meshes SET config = '{\"camera\":{\"fov\":-5}}' WHERE id = 4;"
                                 "INSERT INTO meshes (tag_id, step, wall_time, n_vertices, n_faces, vertices, "
                                 "faces) SELECT tag_id, 7, wall_time, 4, 1, vertices, x'000000000100000004000000' "
                                 "FROM meshes WHERE id = 1",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  {
    g_autoptr (LmMeshLoader) fresh = lm_mesh_loader_new (0);
    static const char *const want[] = {
      "mesh row 1: n_vertices is 5 but the vertices blob is 48 bytes",
      "mesh row 2: n_vertices is 4611686018427387905 but the vertices blob is 12 bytes",
      "mesh row 3: n_faces is 4 but the faces blob is 40 bytes",
      "mesh row 5: face 0 refers to vertex 4 of 4",
    };
    const gint64 ids[] = { 1, 2, 3, 5 };

    for (gsize i = 0; i < G_N_ELEMENTS (ids); i++)
      {
        m = load_mesh (fresh, path, ids[i], &error);
        g_assert_null (m);
        g_assert_error (error, LM_MESH_ERROR, LM_MESH_ERROR_BAD);
        g_assert_cmpstr (error->message, ==, want[i]);
        g_clear_error (&error);
      }
    g_assert_cmpuint (lm_mesh_loader_get_n_loaded (fresh), ==, 0);
    /* a camera.fov out of range: the mesh, at the default fov, saying so */
    m = load_mesh (fresh, path, 4, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat (m->fov, ==, 75);
    g_assert_cmpstr (m->config_warning, ==,
                     "mesh config: camera.fov is -5, must be between 0 and 180 degrees; drawn with the default");
    lm_mesh_unref (m);
  }
  /* a file that is not there */
  {
    g_autofree char *nowhere = g_build_filename (dir, "none", "run.lumen", NULL);

    m = load_mesh (loader, nowhere, 1, &error);
    g_assert_null (m);
    g_assert_error (error, LM_MESH_ERROR, LM_MESH_ERROR_READ);
    g_assert_true (strstr (error->message, nowhere) != NULL);
    g_clear_error (&error);
  }
  lm_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/mesh/blobs", test_blobs);
  g_test_add_func ("/data/mesh/config", test_config);
  g_test_add_func ("/data/mesh/huge-coordinates", test_huge_coordinates);
  g_test_add_func ("/data/mesh/flat-faces", test_flat_faces);
  g_test_add_func ("/data/mesh/corrupt-blobs", test_corrupt_blobs);
  g_test_add_func ("/data/mesh/feed", test_feed);
  g_test_add_func ("/data/mesh/loader", test_loader);
  return g_test_run ();
}
