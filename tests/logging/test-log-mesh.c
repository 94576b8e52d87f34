/* test-log-mesh.c: meshes and point clouds (lm_writer_add_mesh): the rows
 * and the exact blob bytes, NULL colours, faces and config, the config
 * JSON check, bad input refused by name with nothing logged, the
 * max_mesh_bytes cap, an older file getting the table, and purge_step. */
#include <math.h>

#include "log-test-util.h"

/* The blob of column `col` of the meshes row `id` into *len (g_free it);
 * NULL for SQL NULL. */
static guint8 *mesh_blob(sqlite3 *db, const char *col, gint64 id, gsize *len) {
  char *sql = g_strdup_printf("SELECT %s FROM meshes WHERE id = %" G_GINT64_FORMAT,
                              col, id);
  sqlite3_stmt *st = db_query(db, sql);
  g_free(sql);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  guint8 *b = NULL;
  *len = 0;
  if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
    *len = (gsize)sqlite3_column_bytes(st, 0);
    b = g_memdup2(sqlite3_column_blob(st, 0), *len);
  }
  sqlite3_finalize(st);
  return b;
}

/* A unit tetrahedron: 4 vertices, 4 faces, a colour each. */
static const float tet_v[12] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
static const int32_t tet_f[12] = {0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3};
static const uint8_t tet_c[12] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 128};

/* Little-endian bytes of the blobs, written out by hand. */
static const guint8 tet_v_le[48] = {
    0, 0, 0, 0,    0, 0, 0, 0,    0, 0, 0, 0,    0, 0, 0x80, 0x3f,
    0, 0, 0, 0,    0, 0, 0, 0,    0, 0, 0, 0,    0, 0, 0x80, 0x3f,
    0, 0, 0, 0,    0, 0, 0, 0,    0, 0, 0, 0,    0, 0, 0x80, 0x3f};
static const guint8 tet_f_le[48] = {
    0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0,
    0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0};

static void test_rows_and_bytes(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "run");
  const char *config = "{\"material\":{\"cls\":\"PointsMaterial\",\"size\":0.05},"
                       "\"camera\":{\"cls\":\"PerspectiveCamera\",\"fov\":60}}";
  /* a coloured cloud with a config, a bare mesh, a cloud whose faces
   * pointer is given with n_faces 0 (stored as no faces) */
  assert_ok(lm_writer_add_mesh(w, "cloud", 3, tet_v, 4, tet_c, NULL, 0, config));
  assert_ok(lm_writer_add_mesh(w, "tet", 5, tet_v, 4, NULL, tet_f, 4, NULL));
  assert_ok(lm_writer_add_mesh(w, "cloud", 4, tet_v, 2, NULL, tet_f, 0, "{}"));
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));

  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM tags WHERE kind = 'mesh'"),
                  ==, 2);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM meshes"), ==, 3);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM meshes m JOIN tags t ON "
                             "t.id = m.tag_id WHERE t.name = 'cloud' AND "
                             "t.kind = 'mesh'"),
                  ==, 2);
  g_assert_cmpint(db_int(db, "SELECT step FROM meshes WHERE id = 1"), ==, 3);
  g_assert_cmpint(db_int(db, "SELECT n_vertices FROM meshes WHERE id = 1"), ==, 4);
  g_assert_cmpint(db_int(db, "SELECT n_faces FROM meshes WHERE id = 1"), ==, 0);
  g_assert_cmpfloat(db_double(db, "SELECT wall_time FROM meshes WHERE id = 1"),
                    >, 1.6e9);
  char *cfg = db_text(db, "SELECT config FROM meshes WHERE id = 1");
  g_assert_cmpstr(cfg, ==, config);
  g_free(cfg);
  gsize len;
  guint8 *b = mesh_blob(db, "vertices", 1, &len);
  g_assert_cmpmem(b, len, tet_v_le, sizeof tet_v_le);
  g_free(b);
  b = mesh_blob(db, "colors", 1, &len);
  g_assert_cmpmem(b, len, tet_c, sizeof tet_c);
  g_free(b);
  g_assert_null(mesh_blob(db, "faces", 1, &len));

  g_assert_cmpint(db_int(db, "SELECT step FROM meshes WHERE id = 2"), ==, 5);
  g_assert_cmpint(db_int(db, "SELECT n_faces FROM meshes WHERE id = 2"), ==, 4);
  g_assert_null(mesh_blob(db, "colors", 2, &len));
  g_assert_cmpint(db_int(db, "SELECT config IS NULL FROM meshes WHERE id = 2"),
                  ==, 1);
  b = mesh_blob(db, "faces", 2, &len);
  g_assert_cmpmem(b, len, tet_f_le, sizeof tet_f_le);
  g_free(b);

  g_assert_cmpint(db_int(db, "SELECT n_vertices FROM meshes WHERE id = 3"), ==, 2);
  g_assert_cmpint(db_int(db, "SELECT n_faces FROM meshes WHERE id = 3"), ==, 0);
  g_assert_cmpint(db_int(db, "SELECT length(vertices) FROM meshes WHERE id = 3"),
                  ==, 24);
  g_assert_null(mesh_blob(db, "faces", 3, &len));
  cfg = db_text(db, "SELECT config FROM meshes WHERE id = 3");
  g_assert_cmpstr(cfg, ==, "{}");
  g_free(cfg);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

static void test_bad_input(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "bad");
  float v[12];
  memcpy(v, tet_v, sizeof v);
  assert_fails(lm_writer_add_mesh(NULL, "m", 0, v, 4, NULL, NULL, 0, NULL),
               LM_ERR_INVALID_ARG, "writer is NULL");
  assert_fails(lm_writer_add_mesh(w, NULL, 0, v, 4, NULL, NULL, 0, NULL),
               LM_ERR_INVALID_ARG, "tag is NULL");
  assert_fails(lm_writer_add_mesh(w, "", 0, v, 4, NULL, NULL, 0, NULL),
               LM_ERR_INVALID_ARG, "tag is empty");
  assert_fails(lm_writer_add_mesh(w, "m", 0, NULL, 4, NULL, NULL, 0, NULL),
               LM_ERR_INVALID_ARG, "mesh 'm': vertices is NULL");
  assert_fails(lm_writer_add_mesh(w, "m", 0, v, 0, NULL, NULL, 0, NULL),
               LM_ERR_INVALID_ARG, "mesh 'm': n_vertices is 0, must be > 0");
  assert_fails(lm_writer_add_mesh(w, "m", 0, v, -2, NULL, NULL, 0, NULL),
               LM_ERR_INVALID_ARG, "n_vertices is -2, must be > 0");
  assert_fails(lm_writer_add_mesh(w, "m", 0, v, 4, NULL, tet_f, -1, NULL),
               LM_ERR_INVALID_ARG, "mesh 'm': n_faces is -1, must be >= 0");
  assert_fails(lm_writer_add_mesh(w, "m", 0, v, 4, NULL, NULL, 4, NULL),
               LM_ERR_INVALID_ARG, "mesh 'm': faces is NULL but n_faces is 4");

  v[7] = NAN; /* vertex 2, y */
  assert_fails(lm_writer_add_mesh(w, "m", 0, v, 4, NULL, NULL, 0, NULL),
               LM_ERR_INVALID_ARG,
               "mesh 'm': vertex 2 has a NaN coordinate (y = nan)");
  v[7] = 1;
  v[9] = -INFINITY; /* vertex 3, x */
  assert_fails(lm_writer_add_mesh(w, "m", 0, v, 4, NULL, NULL, 0, NULL),
               LM_ERR_INVALID_ARG,
               "mesh 'm': vertex 3 has an infinite coordinate (x = -inf)");
  v[9] = 0;

  int32_t f[12];
  memcpy(f, tet_f, sizeof f);
  f[10] = 9; /* face 3 */
  assert_fails(lm_writer_add_mesh(w, "m", 0, v, 4, NULL, f, 4, NULL),
               LM_ERR_INVALID_ARG, "mesh 'm': face 3 refers to vertex 9 of 4");
  f[10] = 4; /* one past the end */
  assert_fails(lm_writer_add_mesh(w, "m", 0, v, 4, NULL, f, 4, NULL),
               LM_ERR_INVALID_ARG, "face 3 refers to vertex 4 of 4");
  f[10] = 2;
  f[0] = -1;
  assert_fails(lm_writer_add_mesh(w, "m", 0, v, 4, NULL, f, 4, NULL),
               LM_ERR_INVALID_ARG, "face 0 refers to vertex -1 of 4");
  /* only the first n_faces faces count: face 3 is bad, 3 faces are fine
   * below once face 0 is mended */
  f[0] = 0;
  f[10] = 9;

  /* config: JSON, and an object (add_mesh's config_dict) */
  static const char *const not_json[] = {
      "",        "{",           "{\"a\":}",    "{\"a\":1,}", "{'a':1}",
      "{} {}",   "{\"a\":NaN}", "{\"a\":01}",  "{a:1}",      "{\"a\":\"\x01\"}",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(not_json); i++)
    assert_fails(lm_writer_add_mesh(w, "m", 0, v, 4, NULL, NULL, 0, not_json[i]),
                 LM_ERR_INVALID_ARG, "mesh 'm': config is not valid JSON");
  static const char *const not_object[] = {"[1, 2]", "\"x\"", "75", "null",
                                           " true "};
  for (size_t i = 0; i < G_N_ELEMENTS(not_object); i++)
    assert_fails(lm_writer_add_mesh(w, "m", 0, v, 4, NULL, NULL, 0,
                                    not_object[i]),
                 LM_ERR_INVALID_ARG, "mesh 'm': config is not a JSON object");
  assert_fails(lm_writer_add_mesh(w, "m", 0, v, 4, NULL, NULL, 0,
                                  "{\"a\":\"\xff\"}"),
               LM_ERR_UTF8, "config is not valid UTF-8");

  char *path = g_strdup(lm_writer_file_path(w));
  /* nothing was logged by the refused calls; these valid ones are */
  assert_ok(lm_writer_add_mesh(w, "ok", 0, v, 4, NULL, f, 3,
                               " {\"a\": [1, -2.5e3, {\"b\": null}], \"c\": "
                               "\"\\u00e9\\n\"} "));
  assert_ok(lm_writer_close(w));
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM meshes"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT n_faces FROM meshes"), ==, 3);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM tags"), ==, 1);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* max_mesh_bytes counts 12 bytes a vertex, 3 more with colours, 12 a
 * face; the default (256 MiB) refuses absurd counts before reading. */
static void test_too_large(void) {
  char *dir = tmpdir_new();
  lm_writer_options o;
  lm_writer_options_init(&o);
  o.logdir = dir;
  o.run_name = "small";
  o.quiet = TRUE;
  o.max_mesh_bytes = 1000;
  lm_writer *w = NULL;
  assert_ok(lm_writer_open_with(&w, &o));
  float *v = g_new0(float, 3 * 100);
  uint8_t *c = g_new0(uint8_t, 3 * 100);
  int32_t *f = g_new0(int32_t, 3 * 100);
  assert_ok(lm_writer_add_mesh(w, "m", 0, v, 83, NULL, NULL, 0, NULL)); /* 996 */
  assert_fails(lm_writer_add_mesh(w, "m", 1, v, 84, NULL, NULL, 0, NULL),
               LM_ERR_TOO_LARGE,
               "mesh 'm': 84 vertices and 0 faces are over 1000 bytes "
               "(lm_writer_options.max_mesh_bytes)");
  assert_ok(lm_writer_add_mesh(w, "m", 2, v, 66, c, NULL, 0, NULL)); /* 990 */
  assert_fails(lm_writer_add_mesh(w, "m", 3, v, 67, c, NULL, 0, NULL),
               LM_ERR_TOO_LARGE, "67 vertices with colours and 0 faces");
  assert_ok(lm_writer_add_mesh(w, "m", 4, v, 40, NULL, f, 43, NULL)); /* 996 */
  assert_fails(lm_writer_add_mesh(w, "m", 5, v, 40, NULL, f, 44, NULL),
               LM_ERR_TOO_LARGE, "40 vertices and 44 faces are over 1000");
  char *path = g_strdup(lm_writer_file_path(w));
  assert_ok(lm_writer_close(w));
  g_free(v);
  g_free(c);
  g_free(f);

  w = writer_open(dir, "default");
  float one[3] = {0};
  assert_fails(lm_writer_add_mesh(w, "m", 0, one, (gint64)1 << 40, NULL, NULL,
                                  0, NULL),
               LM_ERR_TOO_LARGE, "over 268435456 bytes");
  assert_fails(lm_writer_add_mesh(w, "m", 0, one, 1, NULL, (int32_t *)one,
                                  G_MAXINT64, NULL),
               LM_ERR_TOO_LARGE, "over 268435456 bytes");
  assert_ok(lm_writer_close(w));

  /* no cap (SIZE_MAX, PyTorch has none): 15 x (SIZE_MAX / 15) vertex and
   * colour bytes plus a face's 12 wrap round to 11, refused, not read */
  lm_writer_options_init(&o);
  o.logdir = dir;
  o.run_name = "uncapped";
  o.quiet = TRUE;
  o.max_mesh_bytes = SIZE_MAX;
  assert_ok(lm_writer_open_with(&w, &o));
  uint8_t rgb[3] = {0};
  int32_t face[3] = {0};
  assert_fails(lm_writer_add_mesh(w, "m", 0, one, (int64_t)(SIZE_MAX / 15),
                                  rgb, face, 1, NULL),
               LM_ERR_TOO_LARGE,
               "mesh 'm': 1229782938247303441 vertices with colours and 1 "
               "faces are over 18446744073709551615 bytes");
  assert_ok(lm_writer_close(w));

  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM meshes"), ==, 3);
  char *steps = db_text(db, "SELECT group_concat(step) FROM meshes");
  g_assert_cmpstr(steps, ==, "0,2,4");
  g_free(steps);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* A run file from before meshes gets the table and its index when
 * reopened, and purge_step drops the meshes of the steps it drops. */
static void test_old_file_and_purge(void) {
  char *dir = tmpdir_new();
  char *path = old_run_file(dir, "old", "DROP TABLE meshes");
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM sqlite_master WHERE "
                             "name = 'meshes'"),
                  ==, 0);
  sqlite3_close(db);
  lm_writer *w = writer_open(dir, "old");
  for (int step = 0; step < 5; step++)
    assert_ok(lm_writer_add_mesh(w, "m", step, tet_v, 4, tet_c, tet_f, 4, NULL));
  assert_ok(lm_writer_close(w));
  db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==, 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM meshes"), ==, 5);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM sqlite_master WHERE "
                             "name = 'meshes_tag_step'"),
                  ==, 1);
  sqlite3_close(db);

  writer_purge(dir, "old", 3);
  db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM meshes"), ==, 3);
  g_assert_cmpint(db_int(db, "SELECT max(step) FROM meshes"), ==, 2);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/logging/mesh/rows-and-bytes", test_rows_and_bytes);
  g_test_add_func("/logging/mesh/bad-input", test_bad_input);
  g_test_add_func("/logging/mesh/too-large", test_too_large);
  g_test_add_func("/logging/mesh/old-file-and-purge", test_old_file_and_purge);
  return g_test_run();
}
