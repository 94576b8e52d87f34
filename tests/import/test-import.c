/* test-import.c: lumen-import (app/import) end to end: the fixtures that
 * make-fixtures.py writes (event files as PyTorch's SummaryWriter and
 * tf.summary write them) are converted and the run files are checked row
 * by row: steps, values, wall times, buckets, pixels, text, PR points,
 * hparams, embeddings, meshes; then the faults (a bad CRC mid-file, a record cut
 * short, an empty file, a file that is not an event file), --follow, and
 * the command line. */
#include "lm-tb-import.h"
#include "lm-tb-import-private.h"
#include "lm-tfevents.h"
#include "tb-messages.h"
#include "../logging/log-test-util.h"

#include <png.h>
#include <regex.h>
#include <zlib.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#define T0 1669111200.0

/* The fixtures' WAV files (make-fixtures.py's SOUND_WAV, SOUND8K_WAV: what
 * PyTorch 1.13's add_audio encodes for [0, .5, -.5, 1, -1, .25] at 44100 Hz
 * and [.125, -.125, 0] at 8000 Hz; TF2_WAV0, TF2_WAV1: stereo 32-bit float
 * and WAVE_FORMAT_EXTENSIBLE 24-bit PCM), printed by a few lines of Python
 * importing it. */
static const guint8 sound_wav[56] = {
  0x52, 0x49, 0x46, 0x46, 0x30, 0x00, 0x00, 0x00, 0x57, 0x41, 0x56, 0x45,
  0x66, 0x6d, 0x74, 0x20, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
  0x44, 0xac, 0x00, 0x00, 0x88, 0x58, 0x01, 0x00, 0x02, 0x00, 0x10, 0x00,
  0x64, 0x61, 0x74, 0x61, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x3f,
  0x01, 0xc0, 0xff, 0x7f, 0x01, 0x80, 0xff, 0x1f,
};
static const guint8 sound8k_wav[50] = {
  0x52, 0x49, 0x46, 0x46, 0x2a, 0x00, 0x00, 0x00, 0x57, 0x41, 0x56, 0x45,
  0x66, 0x6d, 0x74, 0x20, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
  0x40, 0x1f, 0x00, 0x00, 0x80, 0x3e, 0x00, 0x00, 0x02, 0x00, 0x10, 0x00,
  0x64, 0x61, 0x74, 0x61, 0x06, 0x00, 0x00, 0x00, 0xff, 0x0f, 0x01, 0xf0,
  0x00, 0x00,
};
static const guint8 tf2_wav0[60] = {
  0x52, 0x49, 0x46, 0x46, 0x34, 0x00, 0x00, 0x00, 0x57, 0x41, 0x56, 0x45,
  0x66, 0x6d, 0x74, 0x20, 0x10, 0x00, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00,
  0x80, 0x3e, 0x00, 0x00, 0x00, 0xf4, 0x01, 0x00, 0x08, 0x00, 0x20, 0x00,
  0x64, 0x61, 0x74, 0x61, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f,
  0x00, 0x00, 0x00, 0xbf, 0x00, 0x00, 0x80, 0x3e, 0x00, 0x00, 0x80, 0xbe,
};
static const guint8 tf2_wav1[80] = {
  0x52, 0x49, 0x46, 0x46, 0x48, 0x00, 0x00, 0x00, 0x57, 0x41, 0x56, 0x45,
  0x66, 0x6d, 0x74, 0x20, 0x28, 0x00, 0x00, 0x00, 0xfe, 0xff, 0x02, 0x00,
  0x80, 0x3e, 0x00, 0x00, 0x00, 0x77, 0x01, 0x00, 0x06, 0x00, 0x18, 0x00,
  0x16, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
  0x64, 0x61, 0x74, 0x61, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00,
  0x00, 0xc0, 0x00, 0x00, 0x00, 0xff, 0xff, 0x7f,
};

static char *
fixtures (void)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", NULL);
}

/* Imports the folder src into a new temporary folder (returned, for
 * tmpdir_free), the messages into m; the number of errors in *errors. */
static char *
import_folder (const char *src, Messages *m, guint *errors)
{
  char *dst = tmpdir_new ();

  *errors = tb_import_once (src, dst, m);
  return dst;
}

/* The same for fixtures/<folder>. */
static char *
import_fixture (const char *folder, Messages *m, guint *errors)
{
  g_autofree char *all = fixtures ();
  g_autofree char *src = g_build_filename (all, folder, NULL);

  return import_folder (src, m, errors);
}

static sqlite3 *
open_run (const char *dst, const char *name)
{
  g_autofree char *path = g_build_filename (dst, name, "run.lumen", NULL);

  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  return db_open_ro (path);
}

static void
test_crc32c (void)
{
  /* the known check value of CRC-32C (Castagnoli) */
  g_assert_cmphex (lm_crc32c ("123456789", 9), ==, 0xE3069283u);
  /* ((c >> 15) | (c << 17)) + 0xa282ead8 */
  guint32 c = 0xE3069283u;
  g_assert_cmphex (lm_crc32c_masked ("123456789", 9), ==, ((c >> 15) | (c << 17)) + 0xa282ead8u);
}

/* TensorBoard's tag regexes (Python re) in POSIX extended: the spelling,
 * and on sample tags the same answers as Python's re.match. */
static void
test_regex (void)
{
  static const struct
  {
    const char *python, *posix, *matches;
  } ok[] = {
    { "loss/\\d+$", "loss/[0-9]+$", "10000000000000000" },
    { "lr.*?/(?:head|tail)", "lr.*/(head|tail)", "00110000000000000" },
    { "a\\.b\\/c{,2}", "a\\.b/c{0,2}", "00001100000000000" },
    { "[\\w\\-]+/x\\s", "[[:alnum:]_-]+/x[[:space:]]", "00000001000000000" },
    { "(?P<split>train|val)/acc\\D", "(train|val)/acc[^0-9]", "00000000010000000" },
    { "x{2", "x\\{2", "00000000000100000" },
    { "[^^]a", "[^^]a", "00000000001001000" },
    { "[.]b", "[.]b", "00000000000000010" },
  };
  /* the matches columns: Python 3's re.match(pattern, tag) on these tags
   * (/usr/bin/python3, printed as 0/1 per tag) */
  static const char *const tags[] = { "loss/12", "loss/1a", "lr0/head", "lr/tail/x", "a.b/cc",
                                      "a.b/ccc", "axb/c", "a-b_c/x ", "a b/x ", "train/acc!",
                                      "val/acc1", "x{2", "xx", "ba", "^a", ".b", "xb" };
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autofree char *why = NULL;
      g_autofree char *posix = lm_tb_regex_to_posix (ok[i].python, &why);
      g_assert_cmpstr (posix, ==, ok[i].posix);
      g_assert_null (why);
      regex_t re;
      g_assert_cmpint (regcomp (&re, posix, REG_EXTENDED), ==, 0);
      for (guint t = 0; t < G_N_ELEMENTS (tags); t++)
        {
          regmatch_t m;
          gboolean hit = regexec (&re, tags[t], 1, &m, 0) == 0 && m.rm_so == 0;
          if (hit != (ok[i].matches[t] == '1'))
            g_error ("'%s' as '%s' on '%s': %d, Python %c", ok[i].python, posix, tags[t], hit,
                     ok[i].matches[t]);
        }
      regfree (&re);
    }
  /* what would mean something else: refused, naming the part */
  static const struct
  {
    const char *python, *why;
  } refused[] = {
    { "\\bloss", "'\\b' (no POSIX extended equivalent)" },
    { "(?i)loss", "'(?i)' (no POSIX extended equivalent)" },
    { "loss(?=/train)", "'(?=/train)' (no POSIX extended equivalent)" },
    { "(a)\\1", "'\\1' (no POSIX extended equivalent)" },
    { "[[:alpha:]]", "'[:' inside a set" },
    { "[a\\\\]", "'\\\\' inside a set" },
    { "a*+", "'*+' (a possessive quantifier" },
    { "[abc", "a '[' set that is never closed" },
    { "loss\\", "a '\\' at the end" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *why = NULL;
      g_autofree char *posix = lm_tb_regex_to_posix (refused[i].python, &why);
      g_assert_null (posix);
      g_assert_nonnull (why);
      if (!g_str_has_prefix (why, refused[i].why))
        g_error ("'%s': '%s', wanted '%s...'", refused[i].python, why, refused[i].why);
    }
}

/* add_custom_scalars' Layout: categories and charts in order, regexes in
 * POSIX, a margin chart per series, 'untitled' for no title; a chart whose
 * regex has no POSIX spelling is left out, counted and named. */
static void
test_custom_scalars (void)
{
  Messages m;
  guint errors;
  char *dst = import_fixture ("custom", &m, &errors);

  g_assert_cmpuint (errors, ==, 0);
  g_assert_nonnull (find_message (m.infos, "custom scalars chart 'Words' in 'Odd' at step 0 not "
                                  "imported: tag regex '\\bloss': '\\b' (no POSIX extended "
                                  "equivalent)", NULL));
  g_assert_nonnull (find_message (m.infos, "run.lumen: imported 1 scalar, 1 custom scalars layout; "
                                  "skipped 1 custom scalars chart (a tag regex with no POSIX "
                                  "equivalent)", NULL));

  sqlite3 *db = open_run (dst, "custom");
  g_autofree char *charts = db_text (db, "SELECT group_concat(x, '\n') FROM (SELECT c.category || "
                                         "'/' || c.title || ' ' || c.kind || ': ' || (SELECT "
                                         "group_concat(tag, ' ; ') FROM (SELECT tag FROM "
                                         "custom_scalar_tags WHERE chart_id = c.id ORDER BY i)) "
                                         "AS x FROM custom_scalar_charts c ORDER BY c.id)");
  g_assert_cmpstr (charts, ==,
                   "Training/Loss multiline: loss/[0-9]+$ ; val/loss\n"
                   "Training/Accuracy margin: acc ; acc_lo ; acc_hi\n"
                   "Training/Accuracy (acc2) margin: acc2 ; acc2_lo ; acc2_hi\n"
                   "Training/Lazy multiline: lr.*/(head|tail) ; a\\.b/c{0,2}\n"
                   "Odd/Sets multiline: [[:alnum:]_-]+/x[[:space:]]\n"
                   "Odd/untitled multiline: untitled/.*");
  g_assert_cmpfloat (db_double (db, "SELECT min(wall_time) FROM custom_scalar_charts"), ==, T0 + 1);
  sqlite3_close (db);
  messages_clear (&m);
  tmpdir_free (dst);
}

/* PyTorch's add_graph of a 2-layer MLP: every NodeDef a node (ops without
 * "aten::", parameters as leaves named as named_parameters(), the IO
 * nodes), inputs as edges in slot order, _output_shapes as shapes, name
 * scopes as module paths; the step stats beside it are skipped. */
static void
test_graph (void)
{
  Messages m;
  guint errors;
  char *dst = import_fixture ("graph", &m, &errors);

  g_assert_cmpuint (errors, ==, 0);
  g_assert_nonnull (find_message (m.infos, "run.lumen: imported 0 scalars, 1 graph; skipped 1 run "
                                  "metadata record (step stats and profiles are not supported)",
                                  NULL));

  sqlite3 *db = open_run (dst, "graph");
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM graphs WHERE name = 'graph' AND step = 0"), ==, 1);
  sqlite3_stmt *st = db_query (db, "SELECT node_id, op, name, module, ifnull(shape, '-'), "
                                   "ifnull(attrs, '-') FROM graph_nodes ORDER BY node_id");
  static const char *const want[9][6] = {
    { "0", "input", "x", "", "[2,4]", "-" },
    { "1", "output", "output.1", "", "[2,3]", "-" },
    { "2", "parameter", "fc1.bias", "fc1", "-", "{\"attr\":\"{ name :  bias }\"}" },
    { "3", "parameter", "fc1.weight", "fc1", "-", "{\"attr\":\"{ name :  weight }\"}" },
    { "4", "linear", "Net/Linear[fc1]/31", "fc1", "[2,8]", "-" },
    { "5", "relu", "Net/input", "", "[2,8]", "-" },
    { "6", "parameter", "fc2.bias", "fc2", "-", "{\"attr\":\"{ name :  bias }\"}" },
    { "7", "parameter", "fc2.weight", "fc2", "-", "{\"attr\":\"{ name :  weight }\"}" },
    { "8", "linear", "Net/Linear[fc2]/34", "fc2", "[2,3]", "-" },
  };
  for (int i = 0; i < 9; i++)
    {
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
      for (int c = 0; c < 6; c++)
        g_assert_cmpstr ((const char *) sqlite3_column_text (st, c), ==, want[i][c]);
    }
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
  sqlite3_finalize (st);
  /* input x, weight, bias into each linear; the GetAttrs' input (the
   * module object) is not a node and draws nothing */
  g_autofree char *edges = db_text (db, "SELECT group_concat(e, ' ') FROM (SELECT src || '>' || "
                                        "dst || ':' || dst_slot AS e FROM graph_edges "
                                        "ORDER BY dst, dst_slot)");
  g_assert_cmpstr (edges, ==, "8>1:0 0>4:0 3>4:1 2>4:2 4>5:0 5>8:0 7>8:1 6>8:2");
  sqlite3_close (db);
  messages_clear (&m);
  tmpdir_free (dst);
}

/* One mesh row of tag: its step, wall time, counts, blobs and config
 * against what the fixture's add_mesh wrote (colors, faces NULL: none;
 * config "-": NULL). */
static void
check_mesh (sqlite3 *db, const char *tag, gint64 step, double wall_time, const float *vertices,
            gint64 n, const guint8 *colors, const gint32 *faces, gint64 nf, const char *config)
{
  sqlite3_stmt *st = db_query (db, "SELECT m.step, m.wall_time, m.n_vertices, m.n_faces, "
                                   "m.vertices, m.colors, m.faces, ifnull(m.config, '-') "
                                   "FROM meshes m JOIN tags t ON t.id = m.tag_id "
                                   "WHERE t.name = ?1 AND t.kind = 'mesh'");
  sqlite3_bind_text (st, 1, tag, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int64 (st, 0), ==, step);
  g_assert_cmpfloat (sqlite3_column_double (st, 1), ==, wall_time);
  g_assert_cmpint (sqlite3_column_int64 (st, 2), ==, n);
  g_assert_cmpint (sqlite3_column_int64 (st, 3), ==, nf);
  g_assert_cmpmem (sqlite3_column_blob (st, 4), sqlite3_column_bytes (st, 4), vertices,
                   (gsize) n * 3 * sizeof (float));
  if (colors)
    g_assert_cmpmem (sqlite3_column_blob (st, 5), sqlite3_column_bytes (st, 5), colors, (gsize) n * 3);
  else
    g_assert_cmpint (sqlite3_column_type (st, 5), ==, SQLITE_NULL);
  if (faces)
    g_assert_cmpmem (sqlite3_column_blob (st, 6), sqlite3_column_bytes (st, 6), faces,
                     (gsize) nf * 3 * sizeof (gint32));
  else
    g_assert_cmpint (sqlite3_column_type (st, 6), ==, SQLITE_NULL);
  g_assert_cmpstr ((const char *) sqlite3_column_text (st, 7), ==, config);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
  sqlite3_finalize (st);
}

/* add_mesh's VERTEX, FACE and COLOR tensors (fixtures/mesh, as
 * make-fixtures.py's mesh_values writes them): a coloured cloud with its
 * config kept, a tetrahedron's faces, a batch of two as name/0 and
 * name/1, a face past the last vertex counted and named, faces without
 * their vertices counted, tensor_content and an unpacked shape read, the
 * parts of one mesh in two events gathered, colours past 255 or of
 * another shape than the vertices refused by name. */
static void
test_mesh (void)
{
  Messages m;
  guint errors;
  char *dst = import_fixture ("mesh", &m, &errors);
  static const float cloud[] = { 0, 0, 0, 1, 0, 0, 0, 1.5f, 0, 0, 0, -2.25f };
  static const guint8 cloud_rgb[] = { 255, 0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 128 };
  static const float tetra[] = { 1, 1, 1, -1, -1, 1, 1, -1, -1, -1, 1, -1 };
  static const gint32 tetra_faces[] = { 0, 2, 3, 0, 3, 1, 0, 1, 2, 1, 3, 2 };
  static const float batch0[] = { 0, 0, 0, 1, 0, 0, 0, 1, 0 };
  static const float batch1[] = { 0, 0, 1, 2, 0, 1, 0, 0.5f, 1 };
  static const guint8 batch0_rgb[] = { 10, 20, 30, 40, 50, 60, 70, 80, 90 };
  static const guint8 batch1_rgb[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  static const gint32 batch0_faces[] = { 0, 1, 2 }, batch1_faces[] = { 2, 1, 0 };

  g_assert_cmpuint (errors, ==, 0);
  g_assert_nonnull (find_message (m.infos, "run.lumen: imported 0 scalars, 6 meshes; skipped "
                                  "1 mesh ('bad' at step 4: face 0 refers to vertex 9 of 4 "
                                  "(indices are 0-based, 0 <= index < n_vertices)), 1 mesh ('hot' at "
                                  "step 8: vertex 0 has colour component 300, not in 0..255), "
                                  "1 mesh ('odd' at step 9: its COLOR tensor is [2, 3, 3], its "
                                  "VERTEX tensor [1, 4, 3]), 1 mesh FACE tensor (without the "
                                  "mesh's VERTEX tensor)", NULL));
  sqlite3 *db = open_run (dst, "mesh");
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM meshes"), ==, 6);
  check_mesh (db, "cloud", 1, T0 + 1, cloud, 4, cloud_rgb, NULL, 0,
              "{\"camera\": {\"cls\": \"PerspectiveCamera\", \"fov\": 60}, \"material\": "
              "{\"cls\": \"PointsMaterial\", \"size\": 0.05}}");
  check_mesh (db, "tetra", 2, T0 + 2, tetra, 4, NULL, tetra_faces, 4, "{}");
  check_mesh (db, "batch/0", 3, T0 + 3, batch0, 3, batch0_rgb, batch0_faces, 1, "{}");
  check_mesh (db, "batch/1", 3, T0 + 3, batch1, 3, batch1_rgb, batch1_faces, 1, "{}");
  check_mesh (db, "tf", 6, T0 + 6, cloud, 4, NULL, NULL, 0, "{}");
  check_mesh (db, "split", 7, T0 + 7, cloud, 4, cloud_rgb, NULL, 0, "{}");
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM tags WHERE name IN ('bad', 'orphan', 'hot', "
                              "'odd')"), ==, 0);
  sqlite3_close (db);
  messages_clear (&m);
  tmpdir_free (dst);
}

/* GraphDefs that are not graphs Lumen can store: the message says why. */
static void
test_graph_bad (void)
{
  static const struct
  {
    const char *bytes;
    size_t len;
    const char *why;
  } bad[] = {
    { "\x0a\x02\x12\x01", 4, "its bytes are not a GraphDef" },   /* cut short */
    { "\x0a\x03\x12\x01x", 5, "node 1 has no name" },           /* op only */
    { "\x0a\x03\x0a\x01x", 5, "node 'x' has no op" },           /* name only */
    { "\x0a\x06\x0a\x01x\x12\x01y\x0a\x06\x0a\x01x\x12\x01z", 16, "two nodes are named 'x'" },
    { "\x22\x02\x08\x16", 4, "the GraphDef has no nodes" },     /* versions only */
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      lm_graph *g = lm_tb_graph_from_graphdef ((const guint8 *) bad[i].bytes, bad[i].len, "graph",
                                               &error);
      g_assert_null (g);
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, bad[i].why);
    }
  /* TensorFlow's scopes and inputs: "dense/MatMul" in module "dense", a
   * second output "a:1" is node a, a control input is listed, not drawn */
  static const char tf[] = "\x0a\x10\x0a\x01" "a" "\x12\x0b" "Placeholder"
                           "\x0a\x1f\x0a\x0c" "dense/MatMul" "\x12\x06" "MatMul"
                           "\x1a\x03" "a:1" "\x1a\x02" "^a";
  g_autoptr (GError) error = NULL;
  lm_graph *g = lm_tb_graph_from_graphdef ((const guint8 *) tf, sizeof tf - 1, "graph", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lm_graph_node_count (g), ==, 2);
  g_assert_cmpuint (lm_graph_edge_count (g), ==, 1);
  char *dir = tmpdir_new ();
  lm_writer *w = NULL;
  g_assert_cmpint (lm_writer_open (&w, dir, "tf"), ==, LM_OK);
  g_assert_cmpint (lm_writer_add_graph (w, 3, g, NULL), ==, LM_OK);
  g_assert_cmpint (lm_writer_close (w), ==, LM_OK);
  lm_graph_free (g);
  sqlite3 *db = open_run (dir, "tf");
  g_autofree char *nodes = db_text (db, "SELECT group_concat(x, ' ; ') FROM (SELECT op || ' ' || "
                                        "name || ' [' || module || '] ' || ifnull(attrs, '-') AS x "
                                        "FROM graph_nodes ORDER BY node_id)");
  g_assert_cmpstr (nodes, ==, "Placeholder a [] - ; MatMul dense/MatMul [dense] "
                              "{\"control_inputs\":[\"a\"]}");
  g_autofree char *edges = db_text (db, "SELECT src || '>' || dst || ':' || dst_slot FROM graph_edges");
  g_assert_cmpstr (edges, ==, "0>1:0");
  sqlite3_close (db);
  tmpdir_free (dir);
}

/* Imports the whole fixtures folder once; every run is checked. */
static void
test_fixtures (void)
{
  g_autofree char *src = fixtures ();
  char *dst = tmpdir_new ();
  Messages m;

  messages_init (&m);
  LmTbImport *imp = lm_tb_import_new (src, dst, 0);
  lm_tb_import_set_message_func (imp, collect, &m);
  g_assert_cmpuint (lm_tb_import_poll (imp), >, 0);
  guint errors = lm_tb_import_finish (imp, FALSE);
  lm_tb_import_free (imp);

  /* the bad CRC, the text file and a GraphDef whose node has no name;
   * the cut tail and the empty file are not errors */
  for (guint i = 0; i < m.errors->len; i++)
    g_test_message ("error: %s", (char *) m.errors->pdata[i]);
  g_assert_cmpuint (errors, ==, 3);
  g_assert_nonnull (find_message (m.errors, "host.100.0: graph at byte 735 (step 0) not imported: "
                                  "node 1 has no name", NULL));
  g_assert_nonnull (find_message (m.errors, "bad/events.out.tfevents", "bad CRC of the record data at byte 79"));
  g_assert_nonnull (find_message (m.errors, "garbage/events.out.tfevents", "bad CRC of the record length at byte 0"));

  const char *line = find_message (m.infos, "runs/Nov22_10-00-00_host ->", NULL);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, ": imported 7 scalars, 2 histograms, 2 images, 4 audio clips, 2 texts, "
                                  "1 PR curve, 1 embedding; skipped 1 audio clip (only WAV audio is read), "
                                  "1 value of plugin 'custom_plugin' (not supported)"));

  sqlite3 *db = open_run (dst, "runs/Nov22_10-00-00_host");
  /* scalars: steps, values and the events' wall times */
  sqlite3_stmt *st = db_query (db, "SELECT s.step, s.value, s.wall_time FROM scalars s JOIN tags t "
                                   "ON t.id = s.tag_id WHERE t.name = 'loss' ORDER BY s.id");
  const double loss[3] = { 1.0, 0.5, 0.25 };
  for (int i = 0; i < 3; i++)
    {
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int64 (st, 0), ==, i);
      g_assert_cmpfloat (sqlite3_column_double (st, 1), ==, loss[i]);
      g_assert_cmpfloat (sqlite3_column_double (st, 2), ==, T0 + 1.5 + i);
    }
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
  sqlite3_finalize (st);
  g_assert_cmpfloat (db_double (db, "SELECT value FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                    "WHERE t.name = 'lr' AND step = 2"), ==, 0.125);
  /* TF2 tensors: float tensor_content, double, half_val; the second file
   * is read after the first */
  st = db_query (db, "SELECT s.step, s.value, s.wall_time FROM scalars s JOIN tags t "
                     "ON t.id = s.tag_id WHERE t.name = 'tf2/acc' ORDER BY s.id");
  const double acc[3] = { 0.875, 0.9375, 1.0 };
  for (int i = 0; i < 3; i++)
    {
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int64 (st, 0), ==, 10 + i);
      g_assert_cmpfloat (sqlite3_column_double (st, 1), ==, acc[i]);
      g_assert_cmpfloat (sqlite3_column_double (st, 2), ==, T0 + 21 + i);
    }
  sqlite3_finalize (st);
  g_assert_cmpint (db_int (db, "SELECT max(s.id) FROM scalars s JOIN tags t ON t.id = s.tag_id "
                               "WHERE t.name = 'loss'"), <,
                   db_int (db, "SELECT min(s.id) FROM scalars s JOIN tags t ON t.id = s.tag_id "
                               "WHERE t.name = 'tf2/acc'"));

  /* histograms: HistogramProto limits 0, 2, DBL_MAX with min -1, max 3 ->
   * edges -1, 0, 2, 3 (TensorBoard's buckets); TF2 [k, 3] */
  st = db_query (db, "SELECT h.step, h.wall_time, h.count, h.min, h.max, h.sum, h.sum_squares, "
                     "h.bucket_count, h.edges, h.counts FROM histograms h JOIN tags t "
                     "ON t.id = h.tag_id WHERE t.name = 'weights'");
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int64 (st, 0), ==, 2);
  g_assert_cmpfloat (sqlite3_column_double (st, 1), ==, T0 + 4);
  g_assert_cmpfloat (sqlite3_column_double (st, 2), ==, 6);
  g_assert_cmpfloat (sqlite3_column_double (st, 3), ==, -1);
  g_assert_cmpfloat (sqlite3_column_double (st, 4), ==, 3);
  g_assert_cmpfloat (sqlite3_column_double (st, 5), ==, 5);
  g_assert_cmpfloat (sqlite3_column_double (st, 6), ==, 15);
  g_assert_cmpint (sqlite3_column_int (st, 7), ==, 3);
  {
    const double want_e[4] = { -1, 0, 2, 3 }, want_c[3] = { 2, 3, 1 };
    g_assert_cmpint (sqlite3_column_bytes (st, 8), ==, sizeof want_e);
    g_assert_cmpmem (sqlite3_column_blob (st, 8), sizeof want_e, want_e, sizeof want_e);
    g_assert_cmpmem (sqlite3_column_blob (st, 9), sqlite3_column_bytes (st, 9), want_c, sizeof want_c);
  }
  sqlite3_finalize (st);
  st = db_query (db, "SELECT h.count, h.min, h.max, h.edges, h.counts FROM histograms h "
                     "JOIN tags t ON t.id = h.tag_id WHERE t.name = 'tf2/hist'");
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpfloat (sqlite3_column_double (st, 0), ==, 10);
  g_assert_cmpfloat (sqlite3_column_double (st, 1), ==, 0);
  g_assert_cmpfloat (sqlite3_column_double (st, 2), ==, 2);
  {
    const double want_e[3] = { 0, 1, 2 }, want_c[2] = { 4, 6 };
    g_assert_cmpmem (sqlite3_column_blob (st, 3), sqlite3_column_bytes (st, 3), want_e, sizeof want_e);
    g_assert_cmpmem (sqlite3_column_blob (st, 4), sqlite3_column_bytes (st, 4), want_c, sizeof want_c);
  }
  sqlite3_finalize (st);

  /* images: the PNG's pixels (red, green / blue, white), both forms */
  st = db_query (db, "SELECT t.name, i.step, i.width, i.height, i.channels, i.png FROM images i "
                     "JOIN tags t ON t.id = i.tag_id ORDER BY i.id");
  const char *const img_tags[2] = { "input", "tf2/img" };
  const int img_steps[2] = { 3, 12 };
  for (int k = 0; k < 2; k++)
    {
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (st, 0), ==, img_tags[k]);
      g_assert_cmpint (sqlite3_column_int (st, 1), ==, img_steps[k]);
      g_assert_cmpint (sqlite3_column_int (st, 2), ==, 2);
      g_assert_cmpint (sqlite3_column_int (st, 3), ==, 2);
      g_assert_cmpint (sqlite3_column_int (st, 4), ==, 3);
      png_image img = { .version = PNG_IMAGE_VERSION };
      g_assert_true (png_image_begin_read_from_memory (&img, sqlite3_column_blob (st, 5),
                                                       (size_t) sqlite3_column_bytes (st, 5)));
      img.format = PNG_FORMAT_RGB;
      guint8 px[12];
      g_assert_cmpuint (PNG_IMAGE_SIZE (img), ==, sizeof px);
      g_assert_true (png_image_finish_read (&img, NULL, px, 0, NULL));
      const guint8 want[12] = { 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255 };
      g_assert_cmpmem (px, sizeof px, want, sizeof want);
    }
  sqlite3_finalize (st);

  /* audio: PyTorch's Summary.Audio (no label) and TF2's [2, 2] tensor (two
   * clips at one step, in order: TensorBoard's samples 0 and 1), the WAV
   * bytes as they were; the second clip has no label of its own and gets
   * the tag's description; the MP3 is not there */
  st = db_query (db, "SELECT t.name, t.kind, a.step, a.wall_time, a.sample_rate, a.channels, a.frames, "
                     "a.wav, a.label FROM audio a JOIN tags t ON t.id = a.tag_id ORDER BY a.id");
  {
    const struct
    {
      const char *tag;
      gint64 step;
      double wall_time, rate;
      int channels, frames;
      const guint8 *wav;
      size_t wav_len;
      const char *label;
    } want[4] = {
      { "sound", 7, T0 + 10, 44100, 1, 6, sound_wav, sizeof sound_wav, NULL },
      { "sound", 8, T0 + 10.5, 8000, 1, 3, sound8k_wav, sizeof sound8k_wav, NULL },
      { "tf2/voice", 13, T0 + 26, 16000, 2, 2, tf2_wav0, sizeof tf2_wav0, "**first** clip" },
      { "tf2/voice", 13, T0 + 26, 16000, 2, 2, tf2_wav1, sizeof tf2_wav1, "two clips" },
    };
    for (int k = 0; k < 4; k++)
      {
        g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
        g_assert_cmpstr ((const char *) sqlite3_column_text (st, 0), ==, want[k].tag);
        g_assert_cmpstr ((const char *) sqlite3_column_text (st, 1), ==, "audio");
        g_assert_cmpint (sqlite3_column_int64 (st, 2), ==, want[k].step);
        g_assert_cmpfloat (sqlite3_column_double (st, 3), ==, want[k].wall_time);
        g_assert_cmpfloat (sqlite3_column_double (st, 4), ==, want[k].rate);
        g_assert_cmpint (sqlite3_column_int (st, 5), ==, want[k].channels);
        g_assert_cmpint (sqlite3_column_int64 (st, 6), ==, want[k].frames);
        g_assert_cmpmem (sqlite3_column_blob (st, 7), sqlite3_column_bytes (st, 7), want[k].wav,
                         want[k].wav_len);
        g_assert_cmpstr ((const char *) sqlite3_column_text (st, 8), ==, want[k].label);
      }
    g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
  }
  sqlite3_finalize (st);

  /* text: a scalar string as it is, a 2x2 string tensor as a table */
  g_autofree char *note = db_text (db, "SELECT value FROM texts x JOIN tags t ON t.id = x.tag_id "
                                       "WHERE t.name = 'note' AND step = 4");
  g_assert_cmpstr (note, ==, "**hello** world");
  g_autofree char *table = db_text (db, "SELECT value FROM texts x JOIN tags t ON t.id = x.tag_id "
                                        "WHERE t.name = 'table' AND step = 5");
  g_assert_cmpstr (table, ==, "| | |\n|---|---|\n| a | b\\|c |\n| d | e |\n");

  /* PR curve: [6, 3] rows TP, FP, TN, FN, precision, recall */
  g_assert_cmpint (db_int (db, "SELECT num_thresholds FROM pr_curves WHERE step = 6"), ==, 3);
  st = db_query (db, "SELECT threshold, tp, fp, tn, fn, precision, recall FROM pr_curve_points "
                     "ORDER BY i");
  const double pr[3][7] = { { 0, 3, 1, 0, 0, 0.75, 1 },
                            { 0.5, 2, 0, 1, 1, 1, (float) (2.0 / 3) },
                            { 1, 0, 0, 2, 3, 1, 0 } };
  for (int i = 0; i < 3; i++)
    {
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
      for (int c = 0; c < 7; c++)
        g_assert_cmpfloat_with_epsilon (sqlite3_column_double (st, c), pr[i][c], 1e-12);
    }
  sqlite3_finalize (st);

  /* embedding: projector_config.pbtxt, tensors.tsv, metadata.tsv, sprite */
  st = db_query (db, "SELECT id, tag, step, n, d, tensor, thumb_width, thumb_height FROM embeddings");
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  gint64 eid = sqlite3_column_int64 (st, 0);
  g_assert_cmpstr ((const char *) sqlite3_column_text (st, 1), ==, "default");
  g_assert_cmpint (sqlite3_column_int (st, 2), ==, 0);
  g_assert_cmpint (sqlite3_column_int (st, 3), ==, 3);
  g_assert_cmpint (sqlite3_column_int (st, 4), ==, 2);
  {
    const float want[6] = { 1, 2, 3, 4, 5.5f, -6 };
    g_assert_cmpmem (sqlite3_column_blob (st, 5), sqlite3_column_bytes (st, 5), want, sizeof want);
  }
  g_assert_cmpint (sqlite3_column_int (st, 6), ==, 2);
  g_assert_cmpint (sqlite3_column_int (st, 7), ==, 1);
  sqlite3_finalize (st);
  g_autofree char *labels = db_text (db, "SELECT group_concat(label, ',') FROM (SELECT label FROM "
                                         "embedding_metadata WHERE embedding_id = %" G_GINT64_FORMAT
                                         " ORDER BY i)", eid);
  g_assert_cmpstr (labels, ==, "cat,dog,bird");
  g_autofree char *status = db_text (db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr (status, ==, "finished");
  sqlite3_close (db);

  /* add_hparams' sub-folder: a run with the hparams and its metric */
  db = open_run (dst, "runs/Nov22_10-00-00_host/1669111230.5");
  g_assert_cmpfloat (db_double (db, "SELECT value FROM hparams WHERE name = 'lr'"), ==, 0.01);
  g_autofree char *optim = db_text (db, "SELECT type || '=' || value FROM hparams WHERE name = 'optim'");
  g_assert_cmpstr (optim, ==, "string=adam");
  g_autofree char *nesterov = db_text (db, "SELECT type FROM hparams WHERE name = 'nesterov'");
  g_assert_cmpstr (nesterov, ==, "bool");
  g_assert_cmpint (db_int (db, "SELECT value FROM hparams WHERE name = 'nesterov'"), ==, 1);
  g_autofree char *metric = db_text (db, "SELECT group_concat(tag) FROM hparam_metrics");
  g_assert_cmpstr (metric, ==, "hparam/accuracy");
  g_assert_cmpfloat (db_double (db, "SELECT value FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                    "WHERE t.name = 'hparam/accuracy'"), ==, 0.75);
  sqlite3_close (db);

  /* a bad CRC in the third record: the one before it is kept */
  db = open_run (dst, "bad");
  g_autofree char *xs = db_text (db, "SELECT group_concat(step || ':' || value) FROM scalars");
  g_assert_cmpstr (xs, ==, "1:1.0");
  sqlite3_close (db);
  /* a record cut short at the end: what came before is there */
  db = open_run (dst, "tail");
  g_autofree char *ys = db_text (db, "SELECT group_concat(step || ':' || value) FROM (SELECT * FROM "
                                     "scalars ORDER BY id)");
  g_assert_cmpstr (ys, ==, "1:1.0,2:2.0");
  sqlite3_close (db);
  /* ...and said, not an error: the summary's counts alone made the file
   * look whole; the bad CRC's file (not read on) gets no such note */
  g_assert_nonnull (find_message (m.infos, "tail/events.out.tfevents.1669111200.host.2.0: its last 19 bytes "
                                  "are a record cut short (still being written, or the file was truncated); "
                                  "not read", NULL));
  g_assert_null (find_message (m.infos, "bad/events.out.tfevents", "cut short"));
  /* an empty event file: an empty run; notes.txt is not read */
  db = open_run (dst, "empty");
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM scalars"), ==, 0);
  sqlite3_close (db);

  messages_clear (&m);
  tmpdir_free (dst);
}

/* A run already in dst is refused unless overwrite; overwriting does not
 * double the rows. */
static void
test_existing (void)
{
  g_autofree char *all = fixtures ();
  g_autofree char *src = g_build_filename (all, "tail", NULL);
  char *dst = tmpdir_new ();
  Messages m;

  messages_init (&m);
  for (int round = 0; round < 3; round++)
    {
      LmTbImport *imp = lm_tb_import_new (src, dst, round == 2 ? LM_TB_IMPORT_OVERWRITE : 0);
      lm_tb_import_set_message_func (imp, collect, &m);
      lm_tb_import_poll (imp);
      guint errors = lm_tb_import_finish (imp, FALSE);
      lm_tb_import_free (imp);
      g_assert_cmpuint (errors, ==, round == 1 ? 1 : 0);
    }
  g_assert_cmpuint (m.errors->len, ==, 1);
  g_assert_nonnull (find_message (m.errors, "tail/run.lumen already exists", "--overwrite"));
  sqlite3 *db = open_run (dst, "tail");
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM scalars"), ==, 2);
  sqlite3_close (db);
  messages_clear (&m);
  tmpdir_free (dst);
}

/* A symlink back up the tree (a/loop -> .., a/up -> SRC) is walked once:
 * one run, imported once.  Before, the walk went down a/loop/a/loop/...
 * to the depth limit, 2^32 paths, writing a run file at each (23 GB in
 * ten minutes) until killed. */
static void
test_symlink_loop (void)
{
  g_autofree char *all = fixtures ();
  g_autofree char *tail = g_build_filename (all, "tail", "events.out.tfevents.1669111200.host.2.0", NULL);
  char *src = tmpdir_new (), *dst = tmpdir_new ();
  g_autofree char *a = g_build_filename (src, "a", NULL);
  g_autofree char *events = g_build_filename (a, "events.out.tfevents.1669111200.host.2.0", NULL);
  g_autofree char *loop = g_build_filename (a, "loop", NULL);
  g_autofree char *up = g_build_filename (a, "up", NULL);
  g_autofree char *text = NULL;
  g_autofree char *looped = g_build_filename (dst, "a", "loop", NULL);
  gsize len = 0;
  Messages m;

  g_assert_cmpint (g_mkdir (a, 0700), ==, 0);
  g_assert_true (g_file_get_contents (tail, &text, &len, NULL));
  g_assert_true (g_file_set_contents (events, text, (gssize) len, NULL));
  g_assert_cmpint (symlink ("..", loop), ==, 0);
  g_assert_cmpint (symlink (src, up), ==, 0);
  g_assert_true (lm_tb_has_event_files (src));
  g_assert_cmpuint (tb_import_once (src, dst, &m), ==, 0);
  for (guint i = 0; i < m.infos->len; i++)
    g_test_message ("%s", (const char *) m.infos->pdata[i]);
  g_assert_nonnull (find_message (m.infos, "a/run.lumen: imported 2 scalars", NULL));
  g_assert_null (find_message (m.infos, "loop", NULL));
  g_assert_false (g_file_test (looped, G_FILE_TEST_EXISTS));
  messages_clear (&m);
  tmpdir_free (src);
  tmpdir_free (dst);
}

static void
append_file (const char *path, const char *data, gsize len)
{
  FILE *f = fopen (path, "ab");
  g_assert_nonnull (f);
  g_assert_cmpuint (fwrite (data, 1, len, f), ==, len);
  fclose (f);
}

/* ------------------------------------------ event files written here */

/* The cases below write their event files here, as make-fixtures.py
 * does (the same field numbers), one Summary.Value an event. */
static void
pb_varint (GByteArray *b, guint64 v)
{
  do
    {
      guint8 c = v & 0x7f;
      v >>= 7;
      if (v)
        c |= 0x80;
      g_byte_array_append (b, &c, 1);
    }
  while (v);
}

static void
pb_int (GByteArray *b, guint32 field, guint64 v)
{
  pb_varint (b, (guint64) field << 3);
  pb_varint (b, v);
}

static void
pb_bytes (GByteArray *b, guint32 field, const void *data, gsize n)
{
  pb_varint (b, (guint64) field << 3 | 2);
  pb_varint (b, n);
  g_byte_array_append (b, data, (guint) n);
}

static void
pb_string (GByteArray *b, guint32 field, const char *s)
{
  pb_bytes (b, field, s, strlen (s));
}

/* Appends message m (and frees it) as field. */
static void
pb_message (GByteArray *b, guint32 field, GByteArray *m)
{
  pb_bytes (b, field, m->data, m->len);
  g_byte_array_unref (m);
}

static void
pb_float (GByteArray *b, guint32 field, float x)
{
  pb_varint (b, (guint64) field << 3 | 5);
  g_byte_array_append (b, (const guint8 *) &x, 4);
}

static void
pb_double (GByteArray *b, guint32 field, double d)
{
  guint8 le[8];
  guint64 u;

  memcpy (&u, &d, 8);
  for (int k = 0; k < 8; k++)
    le[k] = (guint8) (u >> (8 * k));
  pb_varint (b, (guint64) field << 3 | 1);
  g_byte_array_append (b, le, 8);
}

/* A TensorProto's tensor_shape 2 {dim 2 {size 1}...} of n dims. */
static void
pb_shape (GByteArray *t, const gint64 *dims, int n)
{
  GByteArray *shape = g_byte_array_new ();

  for (int d = 0; d < n; d++)
    {
      GByteArray *dim = g_byte_array_new ();
      pb_int (dim, 1, (guint64) dims[d]);
      pb_message (shape, 2, dim);
    }
  pb_message (t, 2, shape);
}

/* Appends the TFRecord of the Event ev to out. */
static void
frame_record (GByteArray *out, GByteArray *ev)
{
  guint8 head[12], tail[4];
  guint32 crc;

  for (int k = 0; k < 8; k++)
    head[k] = (guint8) ((guint64) ev->len >> (8 * k));
  crc = lm_crc32c_masked (head, 8);
  for (int k = 0; k < 4; k++)
    head[8 + k] = (guint8) (crc >> (8 * k));
  crc = lm_crc32c_masked (ev->data, ev->len);
  for (int k = 0; k < 4; k++)
    tail[k] = (guint8) (crc >> (8 * k));
  g_byte_array_append (out, head, sizeof head);
  g_byte_array_append (out, ev->data, ev->len);
  g_byte_array_append (out, tail, sizeof tail);
}

/* Appends the TFRecord of the Event ev to the file at path. */
static void
write_record (const char *path, GByteArray *ev)
{
  g_autoptr (GByteArray) rec = g_byte_array_new ();

  frame_record (rec, ev);
  append_file (path, (const char *) rec->data, rec->len);
}

/* Appends the record of Event {wall_time T0 + step, step, summary
 * {value}} to the file at path; value is freed. */
static void
write_event (const char *path, gint64 step, GByteArray *value)
{
  GByteArray *summary = g_byte_array_new ();
  g_autoptr (GByteArray) ev = g_byte_array_new ();

  pb_message (summary, 1, value);
  pb_double (ev, 1, T0 + (double) step);
  pb_int (ev, 2, (guint64) step);
  pb_message (ev, 5, summary);
  write_record (path, ev);
}

/* Appends Event {step, file_version "brain.Event:2"} or, with status
 * > 0, Event {step, session_log {status}} (SummaryWriter(purge_step)
 * writes both, START = 1). */
static void
write_session_event (const char *path, gint64 step, int status)
{
  g_autoptr (GByteArray) ev = g_byte_array_new ();

  pb_double (ev, 1, T0 + (double) step);
  pb_int (ev, 2, (guint64) step);
  if (status == 0)
    pb_string (ev, 3, "brain.Event:2");
  else
    {
      GByteArray *log = g_byte_array_new ();
      pb_int (log, 1, (guint64) status);
      pb_message (ev, 7, log);
    }
  write_record (path, ev);
}

/* A Summary.Value with tag and, unless NULL, plugin_name. */
static GByteArray *
value_new (const char *tag, const char *plugin)
{
  GByteArray *v = g_byte_array_new ();

  pb_string (v, 1, tag);
  if (plugin != NULL)
    {
      GByteArray *pd = g_byte_array_new (), *md = g_byte_array_new ();
      pb_string (pd, 1, plugin);
      pb_message (md, 1, pd);
      pb_message (v, 9, md);
    }
  return v;
}

/* A folder "run" in a new temporary folder (returned) and the path of
 * its event file in *file. */
static char *
events_dir_new (char **file)
{
  char *src = tmpdir_new ();
  g_autofree char *run = g_build_filename (src, "run", NULL);

  g_assert_cmpint (g_mkdir (run, 0755), ==, 0);
  *file = g_build_filename (run, "events.out.tfevents.1669111200.host.1.0", NULL);
  return src;
}

/* Imports src, which gives no errors, into *dst and opens its run "run". */
static sqlite3 *
import_run (const char *src, Messages *m, char **dst)
{
  guint errors;

  *dst = import_folder (src, m, &errors);
  g_assert_cmpuint (errors, ==, 0);
  return open_run (*dst, "run");
}

/* Imports src into *dst, which gives n_errors errors (logged for a
 * failing test to show), and opens its run "run". */
static sqlite3 *
import_run_with_errors (const char *src, Messages *m, char **dst, guint n_errors)
{
  guint errors;

  *dst = import_folder (src, m, &errors);
  for (guint i = 0; i < m->errors->len; i++)
    g_test_message ("error: %s", (char *) m->errors->pdata[i]);
  g_assert_cmpuint (errors, ==, n_errors);
  return open_run (*dst, "run");
}

/* Frees what events_dir_new and import_run gave. */
static void
events_done (sqlite3 *db, Messages *m, char *dst, char *src, char *file)
{
  sqlite3_close (db);
  messages_clear (m);
  tmpdir_free (dst);
  tmpdir_free (src);
  g_free (file);
}

/* A Summary.Value {tag, simple_value x}. */
static GByteArray *
value_scalar (const char *tag, float x)
{
  GByteArray *v = value_new (tag, NULL);

  pb_float (v, 2, x);
  return v;
}

/* Ctrl-C (or SIGTERM) during a long first read (a big event file) stops
 * lumen-import at the next record, where it was taken only once
 * everything was read: the run written so far is whole (integrity_check)
 * and marked stopped, a line says it was interrupted and the exit status
 * is 130 (143), as a shell reports a program that SIGINT ended. */
#define BIG_EVENTS 2000000

/* Scalars committed to the run file at path so far; 0 while it cannot be
 * read yet (being created). */
static gint64
scalars_committed (const char *path)
{
  g_autofree char *uri = g_strdup_printf ("file:%s?mode=ro", path);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  gint64 n = 0;

  if (sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) == SQLITE_OK
      && sqlite3_prepare_v2 (db, "SELECT count(*) FROM scalars", -1, &st, NULL) == SQLITE_OK
      && sqlite3_step (st) == SQLITE_ROW)
    n = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return n;
}

/* Runs lumen-import SRC INTO, sends it sig once run (a run file it
 * writes) holds a scalar, and waits for it: its exit status, its stderr
 * into err (size bytes), the seconds from the signal to its end in *took. */
static int
interrupt_import (const char *src, const char *into, const char *run, int sig, char *err, gsize size,
                  double *took)
{
  const char *exe = g_getenv ("LUMEN_IMPORT");
  const char *argv[] = { exe, src, into, NULL };
  GPid pid;
  int err_fd, status = 0;
  GError *gerr = NULL;
  gsize n = 0;
  ssize_t got;

  g_assert_nonnull (exe);
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD
                                           | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid, NULL,
                                           NULL, &err_fd, &gerr));
  g_assert_no_error (gerr);
  /* reading (its handlers set): records reach the run file */
  gint64 t0 = g_get_monotonic_time ();
  while (!g_file_test (run, G_FILE_TEST_EXISTS) || scalars_committed (run) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time () - t0, <, 30 * G_USEC_PER_SEC);
      g_usleep (10000);
    }
  kill (pid, sig);
  gint64 sent = g_get_monotonic_time ();
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  *took = (double) (g_get_monotonic_time () - sent) / G_USEC_PER_SEC;
  g_spawn_close_pid (pid);
  while (n < size - 1 && (got = read (err_fd, err + n, size - 1 - n)) > 0)
    n += (gsize) got;
  err[n] = '\0';
  close (err_fd);
  g_test_message ("%s: stopped %.2f s after the signal\n%s", g_strsignal (sig), *took, err);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_interrupted (void)
{
  char *src = tmpdir_new (), *dst = tmpdir_new ();
  g_autofree char *dir = g_build_filename (src, "big", NULL);
  g_autofree char *file = g_build_filename (dir, "events.out.tfevents.1669111200.host.1.0", NULL);
  g_autoptr (GByteArray) all = g_byte_array_new ();
  g_autoptr (GByteArray) value = g_byte_array_new ();
  g_autoptr (GByteArray) summary = g_byte_array_new ();
  g_autoptr (GByteArray) ev = g_byte_array_new ();

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  /* The same three buffers for every event: under the sanitizers each
   * allocation records its whole stack, and new arrays for two million
   * events took more than a minute there. */
  for (gint64 step = 0; step < BIG_EVENTS; step++)
    {
      g_byte_array_set_size (value, 0);
      pb_string (value, 1, "loss");
      pb_float (value, 2, (float) step);
      g_byte_array_set_size (summary, 0);
      pb_bytes (summary, 1, value->data, value->len);
      g_byte_array_set_size (ev, 0);
      pb_double (ev, 1, T0 + (double) step);
      pb_int (ev, 2, (guint64) step);
      pb_bytes (ev, 5, summary->data, summary->len);
      frame_record (all, ev);
    }
  g_assert_true (g_file_set_contents (file, (const char *) all->data, all->len, NULL));
  for (int i = 0; i < 2; i++)
    {
      int sig = i == 0 ? SIGINT : SIGTERM;
      g_autofree char *into = g_build_filename (dst, i == 0 ? "int" : "term", NULL);
      g_autofree char *run = g_build_filename (into, "big", "run.lumen", NULL);
      char err[4096] = "";
      double took;

      g_assert_cmpint (interrupt_import (src, into, run, sig, err, sizeof err, &took), ==, 128 + sig);
      g_assert_cmpfloat (took, <, 3.0);
      g_autofree char *said = g_strdup_printf ("lumen-import: %s: interrupted before the end of %s; the runs "
                                               "written so far are closed, the one being read marked stopped",
                                               i == 0 ? "SIGINT" : "SIGTERM", src);
      g_assert_nonnull (strstr (err, said));
      g_assert_nonnull (strstr (err, "; the rest of this file is not read"));
      g_assert_nonnull (strstr (err, "interrupted before the end of its event files (marked stopped)"));
      g_assert_null (strstr (err, "a record cut short"));

      sqlite3 *db = db_open_ro (run);
      g_autofree char *check = db_text (db, "PRAGMA integrity_check");
      g_autofree char *state = db_text (db, "SELECT value FROM run WHERE key = 'status'");
      gint64 rows = db_int (db, "SELECT count(*) FROM scalars");
      g_test_message ("%" G_GINT64_FORMAT " of %d scalars imported", rows, BIG_EVENTS);
      g_assert_cmpstr (check, ==, "ok");
      g_assert_cmpstr (state, ==, "stopped");
      g_assert_cmpint (rows, >, 0);
      g_assert_cmpint (rows, <, BIG_EVENTS);
      g_assert_cmpint (db_int (db, "SELECT max(step) FROM scalars"), ==, rows - 1);
      sqlite3_close (db);
    }
  tmpdir_free (src);
  tmpdir_free (dst);
}

/* The same in a big torch.profiler trace (1,000,000 ops, 90 MB, some
 * seconds to parse): the read stops within a few thousand events of the
 * signal, where the whole file was read and its steps written before the
 * import stopped.  A small event file beside it is read first, so that
 * its scalar in the run file says the trace is being read. */
#define BIG_TRACE_OPS 1000000

static void
test_interrupted_trace (void)
{
  char *src = tmpdir_new (), *dst = tmpdir_new ();
  g_autofree char *dir = g_build_filename (src, "prof", NULL);
  g_autofree char *events = g_build_filename (dir, "events.out.tfevents.1669111200.host.1.0", NULL);
  g_autofree char *trace = g_build_filename (dir, "w.1700000000000.pt.trace.json", NULL);
  g_autofree char *into = g_build_filename (dst, "int", NULL);
  g_autofree char *run = g_build_filename (into, "prof", "run.lumen", NULL);
  g_autoptr (GByteArray) rec = g_byte_array_new ();
  g_autoptr (GString) text = g_string_new ("{\"traceEvents\": [\n");
  GByteArray *summary = g_byte_array_new ();
  g_autoptr (GByteArray) ev = g_byte_array_new ();
  char err[4096] = "";
  double took;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  pb_message (summary, 1, value_scalar ("loss", 1));
  pb_double (ev, 1, T0);
  pb_int (ev, 2, 0);
  pb_message (ev, 5, summary);
  frame_record (rec, ev);
  g_assert_true (g_file_set_contents (events, (const char *) rec->data, rec->len, NULL));
  for (int i = 0; i < BIG_TRACE_OPS; i++)
    g_string_append_printf (text, "%s{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"aten::add\", "
                                  "\"pid\": 1, \"tid\": 1, \"ts\": %d, \"dur\": 1}\n",
                            i ? "," : "", 2 * i);
  g_string_append (text, "]}\n");
  g_assert_true (g_file_set_contents (trace, text->str, (gssize) text->len, NULL));

  g_assert_cmpint (interrupt_import (src, into, run, SIGINT, err, sizeof err, &took), ==, 130);
  g_assert_cmpfloat (took, <, 3.0);
  g_autofree char *said = g_strdup_printf ("%s: interrupted at byte ", trace);
  g_autofree char *rest = g_strdup_printf (" of %zu; the rest of this file is not read", text->len);
  g_assert_nonnull (strstr (err, said));
  g_assert_nonnull (strstr (err, rest));
  g_assert_nonnull (strstr (err, "interrupted before the end of its event files (marked stopped)"));

  sqlite3 *db = db_open_ro (run);
  g_autofree char *check = db_text (db, "PRAGMA integrity_check");
  g_autofree char *state = db_text (db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr (check, ==, "ok");
  g_assert_cmpstr (state, ==, "stopped");
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM scalars"), ==, 1);
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM traces"), ==, 0);
  sqlite3_close (db);
  tmpdir_free (src);
  tmpdir_free (dst);
}

/* Without --follow (LM_TB_IMPORT_ONCE) a run read to its end is closed,
 * finished, during the poll, so that a Ctrl-C in a tree of 1,500 runs has
 * one run to close (0.02 s), where every run stayed open until the end
 * (14 ms each to close); a file ending in a record cut short keeps its run
 * open until lumen_tb_import_finish, as before. */
static void
test_once_closes_runs (void)
{
  g_autofree char *all = fixtures ();
  char *src = tmpdir_new (), *dst = tmpdir_new ();
  static const char *const names[] = { "custom", "tail" };
  static const char *const want[] = { "finished", "running" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *from = g_build_filename (all, names[i], NULL);
      g_autofree char *to = g_build_filename (src, names[i], NULL);
      g_autoptr (GDir) dir = g_dir_open (from, 0, NULL);
      const char *name;

      g_assert_cmpint (g_mkdir (to, 0700), ==, 0);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *a = g_build_filename (from, name, NULL);
          g_autofree char *b = g_build_filename (to, name, NULL);
          g_autofree char *text = NULL;
          gsize len;

          g_assert_true (g_file_get_contents (a, &text, &len, NULL));
          g_assert_true (g_file_set_contents (b, text, (gssize) len, NULL));
        }
    }
  Messages m;

  messages_init (&m);
  LmTbImport *imp = lm_tb_import_new (src, dst, LM_TB_IMPORT_ONCE);
  lm_tb_import_set_message_func (imp, collect, &m);
  lm_tb_import_poll (imp);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *run = g_build_filename (dst, names[i], "run.lumen", NULL);
      sqlite3 *db = db_open_ro (run);
      g_autofree char *state = db_text (db, "SELECT value FROM run WHERE key = 'status'");

      g_assert_cmpstr (state, ==, want[i]);
      sqlite3_close (db);
    }
  g_assert_cmpuint (lm_tb_import_finish (imp, FALSE), ==, 0);
  lm_tb_import_free (imp);
  messages_clear (&m);
  tmpdir_free (src);
  tmpdir_free (dst);
}

/* A HistogramProto as TensorFlow 1's C++ Histogram writes it: the empty
 * buckets before the first value and after the last one collapse into
 * one each (the last up to DBL_MAX).  TensorBoard (data_compat.py
 * _migrate_histogram) keeps the buckets from the first non-empty one to
 * the last, the first starting at min and the last ending at max. */
static void
test_histogram_empty_ends (void)
{
  char *file = NULL;
  char *src = events_dir_new (&file);
  const double limits[4] = { 0.4, 0.6, 1.0, G_MAXDOUBLE }, counts[4] = { 0, 3, 2, 0 };
  const double empty[2] = { 0, 0 };
  Messages m;
  char *dst = NULL;

  for (int k = 0; k < 2; k++)
    {
      GByteArray *v = value_new (k == 0 ? "w" : "none", NULL), *h = g_byte_array_new ();
      pb_double (h, 1, k == 0 ? 0.5 : 0);
      pb_double (h, 2, k == 0 ? 0.93 : 0);
      pb_double (h, 3, k == 0 ? 5 : 0);
      pb_double (h, 4, k == 0 ? 3.5 : 0);
      pb_double (h, 5, k == 0 ? 2.7 : 0);
      pb_bytes (h, 6, limits + 2 * k, (k == 0 ? 4 : 2) * sizeof (double));
      pb_bytes (h, 7, k == 0 ? counts : empty, (k == 0 ? 4 : 2) * sizeof (double));
      pb_message (v, 5, h);
      write_event (file, 7, v);
    }
  sqlite3 *db = import_run (src, &m, &dst);
  sqlite3_stmt *st = db_query (db, "SELECT h.count, h.min, h.max, h.bucket_count, h.edges, "
                                   "h.counts FROM histograms h JOIN tags t ON t.id = h.tag_id "
                                   "WHERE t.name = 'w' AND h.step = 7");
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpfloat (sqlite3_column_double (st, 0), ==, 5);
  g_assert_cmpfloat (sqlite3_column_double (st, 1), ==, 0.5);
  g_assert_cmpfloat (sqlite3_column_double (st, 2), ==, 0.93);
  g_assert_cmpint (sqlite3_column_int (st, 3), ==, 2);
  {
    const double want_e[3] = { 0.5, 0.6, 0.93 }, want_c[2] = { 3, 2 };
    g_assert_cmpmem (sqlite3_column_blob (st, 4), sqlite3_column_bytes (st, 4), want_e, sizeof want_e);
    g_assert_cmpmem (sqlite3_column_blob (st, 5), sqlite3_column_bytes (st, 5), want_c, sizeof want_c);
  }
  sqlite3_finalize (st);
  /* only empty buckets: no buckets, as TensorBoard's [0, 3] */
  g_assert_cmpint (db_int (db, "SELECT h.bucket_count FROM histograms h JOIN tags t ON t.id = "
                               "h.tag_id WHERE t.name = 'none'"), ==, 0);
  events_done (db, &m, dst, src, file);
}

static void
png_write_mem (png_structp p, png_bytep data, png_size_t n)
{
  g_byte_array_append (png_get_io_ptr (p), data, (guint) n);
}

static void
png_flush_mem (png_structp p)
{
  (void) p;
}

/* A PNG of one row of w pixels: raw holds the row's bytes as PNG stores
 * them (16-bit samples big-endian; palette indices). */
static GByteArray *
png_row_new (int w, int color_type, int depth, gboolean interlace, const guint8 *raw,
             const png_color *palette, int n_palette, const guint8 *trns, int n_trns)
{
  png_structp p = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (p);
  GByteArray *out = g_byte_array_new ();

  if (setjmp (png_jmpbuf (p)) != 0)
    g_error ("libpng could not write the test image");
  png_set_write_fn (p, out, png_write_mem, png_flush_mem);
  png_set_IHDR (p, info, (png_uint_32) w, 1, depth, color_type,
                interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                PNG_FILTER_TYPE_DEFAULT);
  if (palette != NULL)
    png_set_PLTE (p, info, palette, n_palette);
  if (trns != NULL)
    png_set_tRNS (p, info, trns, n_trns, NULL);
  png_write_info (p, info);
  int passes = png_set_interlace_handling (p);
  for (int pass = 0; pass < passes; pass++)
    png_write_row (p, raw);
  png_write_end (p, NULL);
  png_destroy_write_struct (&p, &info);
  return out;
}

/* PNGs as other writers than PIL make them: 16-bit (no gAMA chunk: a
 * browser, so TensorBoard, shows 0x8080 as 128, not gamma-brightened),
 * a palette with transparency, grey + alpha, interlaced.  Each is stored
 * as it was in the event file, its channels 1 (grey), 3 (RGB) or 4 (with
 * alpha), and decodes (as lumen decodes it) to the pixels TensorBoard
 * shows. */
static void
test_png_variants (void)
{
  static const guint8 gray16[] = { 0x80, 0x80, 0xff, 0xff };
  static const guint8 rgba16[] = { 0x80, 0x80, 0, 0, 0xff, 0xff, 0x80, 0x80,
                                   0, 0, 0x40, 0x40, 0x20, 0x20, 0xff, 0xff };
  static const guint8 indices[] = { 0, 1 }, trns[] = { 128, 255 };
  static const png_color palette[] = { { 255, 0, 0 }, { 0, 0, 255 } };
  static const guint8 gray_alpha[] = { 200, 100, 50, 255 };
  static const guint8 rgb[] = { 10, 20, 30, 40, 50, 60 };
  static const struct
  {
    const char *tag;
    int channels;
    guint8 rgba[8];
  } want[] = {
    { "gray16", 1, { 128, 128, 128, 255, 255, 255, 255, 255 } },
    { "rgba16", 4, { 128, 0, 255, 128, 0, 64, 32, 255 } },
    { "palette", 4, { 255, 0, 0, 128, 0, 0, 255, 255 } },
    { "gray_alpha", 4, { 200, 200, 200, 100, 50, 50, 50, 255 } },
    { "interlaced", 3, { 10, 20, 30, 255, 40, 50, 60, 255 } },
  };
  GByteArray *png[G_N_ELEMENTS (want)] = {
    png_row_new (2, PNG_COLOR_TYPE_GRAY, 16, FALSE, gray16, NULL, 0, NULL, 0),
    png_row_new (2, PNG_COLOR_TYPE_RGBA, 16, FALSE, rgba16, NULL, 0, NULL, 0),
    png_row_new (2, PNG_COLOR_TYPE_PALETTE, 8, FALSE, indices, palette, 2, trns, 2),
    png_row_new (2, PNG_COLOR_TYPE_GRAY_ALPHA, 8, FALSE, gray_alpha, NULL, 0, NULL, 0),
    png_row_new (2, PNG_COLOR_TYPE_RGB, 8, TRUE, rgb, NULL, 0, NULL, 0),
  };
  char *file = NULL, *dst = NULL;
  char *src = events_dir_new (&file);
  Messages m;

  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      GByteArray *v = value_new (want[i].tag, NULL), *img = g_byte_array_new ();
      pb_int (img, 1, 1);                       /* height */
      pb_int (img, 2, 2);                       /* width */
      pb_int (img, 3, (guint64) want[i].channels); /* colorspace */
      pb_bytes (img, 4, png[i]->data, png[i]->len); /* encoded_image_string */
      pb_message (v, 4, img);
      write_event (file, 1, v);
    }
  sqlite3 *db = import_run (src, &m, &dst);
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT i.width, i.height, i.channels, i.png FROM "
                                              "images i JOIN tags t ON t.id = i.tag_id WHERE "
                                              "t.name = '%s'", want[i].tag);
      sqlite3_stmt *st = db_query (db, sql);
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int (st, 0), ==, 2);
      g_assert_cmpint (sqlite3_column_int (st, 1), ==, 1);
      g_assert_cmpint (sqlite3_column_int (st, 2), ==, want[i].channels);
      g_assert_cmpmem (sqlite3_column_blob (st, 3), sqlite3_column_bytes (st, 3), png[i]->data, png[i]->len);
      png_image img = { .version = PNG_IMAGE_VERSION };
      g_assert_true (png_image_begin_read_from_memory (&img, sqlite3_column_blob (st, 3),
                                                       (size_t) sqlite3_column_bytes (st, 3)));
      img.format = PNG_FORMAT_RGBA;
      img.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;   /* as data/lm-image-loader.c */
      guint8 px[8];
      g_assert_cmpuint (PNG_IMAGE_SIZE (img), ==, sizeof px);
      g_assert_true (png_image_finish_read (&img, NULL, px, 0, NULL));
      if (memcmp (px, want[i].rgba, sizeof px) != 0)
        g_error ("%s: %u %u %u %u, %u %u %u %u", want[i].tag, px[0], px[1], px[2], px[3], px[4],
                 px[5], px[6], px[7]);
      sqlite3_finalize (st);
      g_byte_array_unref (png[i]);
    }
  events_done (db, &m, dst, src, file);
}

/* tf.summary.image's tensor tagged tag: DT_STRING of shape [n], its
 * strings the width, the height and the PNGs given (NULL-terminated;
 * fewer or more than the shape holds). */
static GByteArray *
value_image_strings (const char *tag, gint64 n, gboolean size, GByteArray *const *pngs)
{
  GByteArray *v = value_new (tag, "images"), *t = g_byte_array_new ();

  pb_int (t, 1, LM_DT_STRING);
  pb_shape (t, &n, 1);
  if (size)
    {
      pb_string (t, 8, "2");
      pb_string (t, 8, "1");
    }
  for (int i = 0; pngs[i] != NULL; i++)
    pb_bytes (t, 8, pngs[i]->data, pngs[i]->len);
  pb_message (v, 8, t);
  return v;
}

/* An image tensor holding fewer strings than its shape, read as
 * TensorBoard reads it (make_ndarray): [5] of width, height and two PNGs
 * is three images, the last PNG twice more (only the two given were
 * imported).  One with no image among its strings (none at all, or the
 * width and height alone), one with more strings than its shape and one
 * whose filling out would give 100,000 images are named and skipped; [2]
 * (a batch of none) is no image and no error. */
static void
test_image_tensor_partial (void)
{
  static const guint8 red[] = { 255, 0, 0, 0, 0, 255 }, green[] = { 0, 255, 0, 9, 9, 9 };
  g_autoptr (GByteArray) a = png_row_new (2, PNG_COLOR_TYPE_RGB, 8, FALSE, red, NULL, 0, NULL, 0);
  g_autoptr (GByteArray) b = png_row_new (2, PNG_COLOR_TYPE_RGB, 8, FALSE, green, NULL, 0, NULL, 0);
  char *file = NULL;
  char *src = events_dir_new (&file);
  Messages m;

  write_event (file, 1, value_image_strings ("part", 5, TRUE, (GByteArray *[]) { a, b, NULL }));
  write_event (file, 2, value_image_strings ("none", 4, FALSE, (GByteArray *[]) { NULL }));
  write_event (file, 3, value_image_strings ("size", 3, TRUE, (GByteArray *[]) { NULL }));
  write_event (file, 4, value_image_strings ("over", 3, TRUE, (GByteArray *[]) { a, b, NULL }));
  write_event (file, 5, value_image_strings ("huge", 100002, TRUE, (GByteArray *[]) { a, NULL }));
  write_event (file, 6, value_image_strings ("empty", 2, TRUE, (GByteArray *[]) { NULL }));
  char *dst = NULL;
  sqlite3 *db = import_run_with_errors (src, &m, &dst, 4);
  static const char *const want_errors[][2] = {
    { "image 'none' at step 2 not imported: its tensor [4] holds 0 strings, no encoded image "
      "(make_ndarray would fill the 2 images its shape says with empty strings)", NULL },
    { "image 'size' at step 3 not imported: its tensor [3] holds 2 strings, no encoded image "
      "(make_ndarray would fill the 1 image its shape says with its height)", NULL },
    { "image 'over' at step 4 not imported: its tensor [3] holds 4 strings, over the 3 its shape holds",
      NULL },
    { "image 'huge' at step 5 not imported: its tensor [100002] of 3 strings repeats the last one (",
      " bytes) 99999 times to 100000 images, over lumen-import's cap of 65536 of them or 67108864 "
      "bytes (64 MiB)" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (want_errors); i++)
    g_assert_nonnull (find_message (m.errors, want_errors[i][0], want_errors[i][1]));
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM images"), ==, 3);
  sqlite3_stmt *st = db_query (db, "SELECT i.step, i.png FROM images i JOIN tags t ON t.id = i.tag_id "
                                   "WHERE t.name = 'part' ORDER BY i.id");
  GByteArray *want[3] = { a, b, b };
  for (int i = 0; i < 3; i++)
    {
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int (st, 0), ==, 1);
      g_assert_cmpmem (sqlite3_column_blob (st, 1), sqlite3_column_bytes (st, 1), want[i]->data,
                       want[i]->len);
    }
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
  sqlite3_finalize (st);
  events_done (db, &m, dst, src, file);
}

/* One PNG chunk (length, type, data, CRC) onto b. */
static void
png_chunk (GByteArray *b, const char *type, const guint8 *data, guint32 len)
{
  guint8 be[4] = { len >> 24, len >> 16, len >> 8, len };
  uLong crc = crc32 (0, (const Bytef *) type, 4);

  if (len > 0) /* zlib's crc32 restarts on a NULL buffer */
    crc = crc32 (crc, data, len);

  g_byte_array_append (b, be, 4);
  g_byte_array_append (b, (const guint8 *) type, 4);
  g_byte_array_append (b, data, len);
  be[0] = crc >> 24, be[1] = crc >> 16, be[2] = crc >> 8, be[3] = crc;
  g_byte_array_append (b, be, 4);
}

/* An APNG of a few hundred bytes whose header says 17 4096x4096 RGBA
 * frames (1.06 GiB decoded) is refused by its size before it is decoded,
 * as a GIF over the same cap is; it was decoded first (a 64 MiB canvas
 * and a 64 MiB frame) and failed on its data.  The image after it is
 * imported. */
static void
test_apng_too_big (void)
{
  static const guint8 ihdr[13] = { 0, 0, 0x10, 0, 0, 0, 0x10, 0, 8, 6, 0, 0, 0 };
  static const guint8 actl[8] = { 0, 0, 0, 17, 0, 0, 0, 0 };
  guint8 fctl[26] = { 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x10, 0, [21] = 1, [23] = 4 };
  static const guint8 idat[4] = { 0x78, 0x9c, 0x03, 0x00 };
  guint8 fdat[8] = { 0, 0, 0, 2, 0x78, 0x9c, 0x03, 0x00 };
  GByteArray *apng = g_byte_array_new ();
  char *file = NULL, *dst = NULL;
  char *src = events_dir_new (&file);
  Messages m;
  guint errors;

  g_byte_array_append (apng, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  png_chunk (apng, "IHDR", ihdr, sizeof ihdr);
  png_chunk (apng, "acTL", actl, sizeof actl);
  png_chunk (apng, "fcTL", fctl, sizeof fctl);
  png_chunk (apng, "IDAT", idat, sizeof idat);
  for (guint8 seq = 1; seq < 33; seq += 2)
    {
      fctl[3] = seq; /* sequence numbers */
      fdat[3] = (guint8) (seq + 1);
      png_chunk (apng, "fcTL", fctl, sizeof fctl);
      png_chunk (apng, "fdAT", fdat, sizeof fdat);
    }
  png_chunk (apng, "IEND", NULL, 0);
  {
    GByteArray *v = value_new ("huge", NULL), *img = g_byte_array_new ();
    pb_int (img, 1, 4096);
    pb_int (img, 2, 4096);
    pb_int (img, 3, 4);
    pb_message (img, 4, apng);
    pb_message (v, 4, img);
    write_event (file, 5, v);
  }
  write_event (file, 6, value_scalar ("loss", 0.5f));
  dst = import_folder (src, &m, &errors);
  for (guint i = 0; i < m.errors->len; i++)
    g_test_message ("error: %s", (char *) m.errors->pdata[i]);
  g_assert_cmpuint (errors, ==, 1);
  g_assert_nonnull (find_message (m.errors, "video 'huge' at step 5 not imported: 17 "
                                  "frames of 4096x4096x4, 1141 MB decoded as RGBA, over the cap of "
                                  "1073741824 bytes (lm_writer_options.max_video_bytes)", NULL));
  sqlite3 *db = open_run (dst, "run");
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM images"), ==, 0);
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM scalars"), ==, 1);
  events_done (db, &m, dst, src, file);
}

/* A Summary.Audio value {tag, audio {content_type, encoded_audio_string}}. */
static GByteArray *
value_audio (const char *tag, const char *type, const void *wav, gsize len)
{
  GByteArray *v = value_new (tag, NULL), *a = g_byte_array_new ();

  pb_bytes (a, 4, wav, len);
  pb_string (a, 5, type);
  pb_message (v, 6, a);
  return v;
}

/* A Summary.Audio whose summary_description (its label) is not UTF-8
 * (Latin-1 bytes) is imported with U+FFFD for the bad byte, as an audio
 * tensor's label is; it was refused whole ("label is not valid UTF-8"). */
static void
test_audio_latin1_description (void)
{
  char *file = NULL, *dst = NULL;
  char *src = events_dir_new (&file);
  GByteArray *v = value_audio ("clip", "audio/wav", sound_wav, sizeof sound_wav),
             *md = g_byte_array_new ();
  Messages m;

  pb_string (md, 3, "caf\xe9 noise");
  pb_message (v, 9, md);
  write_event (file, 1, v);
  sqlite3 *db = import_run (src, &m, &dst);
  g_autofree char *label = db_text (db, "SELECT label FROM audio");
  g_assert_cmpstr (label, ==, "caf\xef\xbf\xbd noise");
  events_done (db, &m, dst, src, file);
}

/* A WAV that lumen-log refuses (a 12-bit fmt chunk), and audio plugin
 * tensors that are not [k, 2] or hold no strings: each named in an error
 * with its tag and step (the tensors with their shape and strings), and
 * the clips around them imported.  A [k, 2] tensor short of its 2k
 * strings is read as TensorBoard reads it (dataclass_compat keeps its
 * clips, string_val[::2], then make_ndarray fills them out): clip, label,
 * clip is two clips, the second without a label; it was refused. */
static void
test_audio_bad (void)
{
  char *file = NULL, *dst = NULL;
  char *src = events_dir_new (&file);
  guint8 bad[sizeof sound_wav];
  Messages m;

  memcpy (bad, sound_wav, sizeof bad);
  bad[34] = 12; /* bits per sample */
  write_event (file, 1, value_audio ("clip", "audio/wav", sound_wav, sizeof sound_wav));
  write_event (file, 2, value_audio ("clip", "audio/wav", bad, sizeof bad));
  {
    GByteArray *v = value_new ("tensor", "audio"), *t = g_byte_array_new (),
               *shape = g_byte_array_new (), *dim = g_byte_array_new ();
    pb_int (t, 1, LM_DT_STRING);
    pb_int (dim, 1, 2);
    pb_message (shape, 2, dim);
    pb_message (t, 2, shape);
    pb_bytes (t, 8, sound_wav, sizeof sound_wav);
    pb_string (t, 8, "label");
    pb_message (v, 8, t); /* shape [2]: a clip and its label, not [1, 2] */
    write_event (file, 3, v);
  }
  write_event (file, 4, value_audio ("clip", "AUDIO/X-WAV", sound_wav, sizeof sound_wav));
  {
    /* [3, 2] with clip, label, clip: clips 0 and 1, and 1 again */
    static const gint64 dims[2] = { 3, 2 };
    GByteArray *v = value_new ("short", "audio"), *t = g_byte_array_new ();
    pb_int (t, 1, LM_DT_STRING);
    pb_shape (t, dims, 2);
    pb_bytes (t, 8, sound_wav, sizeof sound_wav);
    pb_string (t, 8, "label");
    pb_bytes (t, 8, sound8k_wav, sizeof sound8k_wav);
    pb_message (v, 8, t);
    write_event (file, 5, v);
  }
  {
    static const gint64 dims[2] = { 2, 2 };
    GByteArray *v = value_new ("none", "audio"), *t = g_byte_array_new ();
    pb_int (t, 1, LM_DT_STRING);
    pb_shape (t, dims, 2);
    pb_message (v, 8, t);
    write_event (file, 6, v);
  }
  sqlite3 *db = import_run_with_errors (src, &m, &dst, 3);
  const char *msg = find_message (m.errors, "audio clip 'clip' at step 2 not imported: ", NULL);
  g_assert_nonnull (msg);
  g_assert_cmpuint (strlen (strstr (msg, "imported: ")), >, strlen ("imported: "));
  g_assert_nonnull (find_message (m.errors, "audio 'tensor' at step 3 not imported: its tensor is "
                                  "not [k, 2] strings (clip, label): [2], 2 strings", NULL));
  g_assert_nonnull (find_message (m.errors, "audio 'none' at step 6 not imported: its tensor [2, 2] "
                                  "holds no strings (make_ndarray would fill its 2 clips with empty ones)",
                                  NULL));
  const char *line = find_message (m.infos, "run ->", NULL);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, ": imported 0 scalars, 5 audio clips"));
  g_autofree char *steps = db_text (db, "SELECT group_concat(step) FROM (SELECT step FROM audio ORDER BY id)");
  g_assert_cmpstr (steps, ==, "1,4,5,5,5");
  g_autofree char *short_clips = db_text (db, "SELECT group_concat(sample_rate || ':' || "
                                              "coalesce(label, '-'), ',') FROM (SELECT * FROM audio "
                                              "WHERE step = 5 ORDER BY id)");
  g_assert_cmpstr (short_clips, ==, "44100.0:label,8000.0:-,8000.0:-");
  events_done (db, &m, dst, src, file);
}

/* A string tensor of more than two dimensions: TensorBoard's text plugin
 * (text_plugin.py reduce_to_2d) shows its first 2-D slice, arr[0, ..., :,
 * :], as a table of the last two dimensions. */
static void
test_text_3d (void)
{
  char *file = NULL;
  char *src = events_dir_new (&file);
  GByteArray *v = value_new ("t3", "text"), *t = g_byte_array_new ();
  const gint64 dims[3] = { 2, 2, 3 };
  Messages m;
  char *dst = NULL;

  pb_int (t, 1, 7); /* DT_STRING */
  pb_shape (t, dims, 3);
  for (int i = 0; i < 12; i++)
    {
      g_autofree char *s = g_strdup_printf ("a%d", i);
      pb_string (t, 8, s);
    }
  pb_message (v, 8, t);
  write_event (file, 3, v);
  sqlite3 *db = import_run (src, &m, &dst);
  g_autofree char *table = db_text (db, "SELECT value FROM texts WHERE step = 3");
  g_assert_cmpstr (table, ==, "| | | |\n|---|---|---|\n| a0 | a1 | a2 |\n| a3 | a4 | a5 |\n\n"
                              "*(the first 2 x 3 slice of a 3-D tensor)*\n");
  events_done (db, &m, dst, src, file);
}

/* A DT_FLOAT tensor of plugin's tagged tag, of shape dims, with the n
 * float_vals given (fewer than the shape holds, or none). */
static GByteArray *
value_tensor_vals (const char *tag, const char *plugin, const gint64 *dims, int ndim,
                   const float *x, int n)
{
  GByteArray *v = value_new (tag, plugin), *t = g_byte_array_new ();

  pb_int (t, 1, 1); /* DT_FLOAT */
  pb_shape (t, dims, ndim);
  for (int i = 0; i < n; i++)
    {
      pb_varint (t, 5 << 3 | 5);
      g_byte_array_append (t, (const guint8 *) &x[i], 4);
    }
  pb_message (v, 8, t);
  return v;
}

/* A DT_STRING tensor of the text plugin tagged tag, of shape dims, with
 * the strings given (NULL-terminated; fewer than the shape holds). */
static GByteArray *
value_text_strings (const char *tag, const gint64 *dims, int ndim, const char *const *strings)
{
  GByteArray *v = value_new (tag, "text"), *t = g_byte_array_new ();

  pb_int (t, 1, 7); /* DT_STRING */
  pb_shape (t, dims, ndim);
  for (int i = 0; strings[i] != NULL; i++)
    pb_string (t, 8, strings[i]);
  pb_message (v, 8, t);
  return v;
}

/* A tensor's *_val fields as TensorFlow's MakeNdarray reads them: fewer
 * than its shape holds are followed by the last one repeated (a [6, 2]
 * PR curve of 9 values: its recall row and the rest of precision are the
 * last value), none are zeros (a scalar without a value is 0), more than
 * the shape holds are refused. A [3] string tensor of two strings is a
 * table of three rows, the last one repeated; a [2] of none is a table of
 * two empty rows (it was refused as "not a string tensor"). These were all refused
 * ("tensor holds 9 values, its shape 12") but one value or all of them. */
static void
test_tensor_partial_vals (void)
{
  static const gint64 pr[2] = { 6, 2 }, none[1] = { 0 }, two[1] = { 2 }, three[1] = { 3 };
  static const float vals[9] = { 4, 2, 1, 0, 0, 2, 0, 2, 0.8f };
  char *file = NULL;
  char *src = events_dir_new (&file);
  Messages m;

  write_event (file, 1, value_tensor_vals ("curve", "pr_curves", pr, 2, vals, 9));
  write_event (file, 2, value_tensor_vals ("loss", "scalars", none, 0, NULL, 0));
  write_event (file, 3, value_tensor_vals ("loss", "scalars", two, 1, vals, 3));
  write_event (file, 4, value_text_strings ("names", three, 1, (const char *[]) { "a", "b", NULL }));
  write_event (file, 5, value_text_strings ("blank", two, 1, (const char *[]) { NULL }));
  char *dst = NULL;
  sqlite3 *db = import_run_with_errors (src, &m, &dst, 1);
  g_assert_nonnull (find_message (m.errors, "scalar 'loss' at step 3 not imported: tensor holds 3 "
                                  "values, its shape 2", NULL));
  g_autofree char *points = db_text (db, "SELECT group_concat(p, ' ') FROM (SELECT tp || ',' || fp "
                                         "|| ',' || tn || ',' || fn || ',' || precision || ',' || "
                                         "recall AS p FROM pr_curve_points ORDER BY i)");
  g_assert_cmpstr (points, ==, "4.0,1.0,0.0,0.0,0.800000011920929,0.800000011920929 "
                               "2.0,0.0,2.0,2.0,0.800000011920929,0.800000011920929");
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM scalars"), ==, 1);
  g_assert_cmpfloat (db_double (db, "SELECT value FROM scalars WHERE step = 2"), ==, 0.0);
  g_autofree char *table = db_text (db, "SELECT value FROM texts WHERE step = 4");
  g_assert_cmpstr (table, ==, "| |\n|---|\n| a |\n| b |\n| b |\n");
  g_autofree char *blank = db_text (db, "SELECT value FROM texts WHERE step = 5");
  g_assert_cmpstr (blank, ==, "| |\n|---|\n|  |\n|  |\n");
  events_done (db, &m, dst, src, file);
}

/* add_mesh's VERTEX tensor tagged `tag`: [b, n, 3] DT_FLOAT filled with
 * x (one float_val, TensorFlow's fill), MeshPluginData {name 2,
 * content_type 3 VERTEX, components 7 (VERTEX only)}. */
static GByteArray *
value_mesh_vertices (const char *tag, const char *name, gint64 b, gint64 n, float x)
{
  GByteArray *v = g_byte_array_new (), *t = g_byte_array_new ();
  GByteArray *md = g_byte_array_new (), *pd = g_byte_array_new (), *mesh = g_byte_array_new ();
  const gint64 dims[3] = { b, n, 3 };

  pb_string (v, 1, tag);
  pb_int (t, 1, 1); /* DT_FLOAT */
  pb_shape (t, dims, 3);
  pb_varint (t, 5 << 3 | 5);
  g_byte_array_append (t, (const guint8 *) &x, 4);
  pb_message (v, 8, t);
  pb_string (mesh, 2, name);
  pb_int (mesh, 3, 1);
  pb_int (mesh, 7, 1 << 1);
  pb_string (pd, 1, "mesh");
  pb_message (pd, 2, mesh);
  pb_message (md, 1, pd);
  pb_message (v, 9, md);
  return v;
}

/* import_folder under a limit of 1.5 GiB of address space, where an
 * allocation of gigabytes fails (an abort). */
static char *
import_folder_in_1536_mib (const char *src, Messages *m, guint *errors)
{
  struct rlimit saved, low;

  g_assert_cmpint (getrlimit (RLIMIT_AS, &saved), ==, 0);
#ifndef __SANITIZE_ADDRESS__ /* ASan reserves terabytes of address space */
  low = saved;
  low.rlim_cur = (rlim_t) 1536 << 20;
  g_assert_cmpint (setrlimit (RLIMIT_AS, &low), ==, 0);
#else
  (void) low;
#endif
  char *dst = import_folder (src, m, errors);
  g_assert_cmpint (setrlimit (RLIMIT_AS, &saved), ==, 0);
  return dst;
}

/* A string tensor filled out with its last string past 64 MiB is refused,
 * naming the tag and the sizes: [65536] of "a" and 64 KiB of "x" would
 * be a table of 4 GiB (an abort under the limit on address space below)
 * from an event of 64 KiB.  The text after it is imported. */
static void
test_text_padding_too_large (void)
{
  static const gint64 cells[1] = { 65536 }, two[1] = { 2 };
  char *file = NULL;
  char *src = events_dir_new (&file);
  g_autofree char *big = g_strnfill (65536, 'x');
  Messages m;
  guint errors;

  write_event (file, 1, value_text_strings ("huge", cells, 1, (const char *[]) { "a", big, NULL }));
  write_event (file, 2, value_text_strings ("names", two, 1, (const char *[]) { "a", NULL }));
  char *dst = import_folder_in_1536_mib (src, &m, &errors);
  for (guint i = 0; i < m.errors->len; i++)
    g_test_message ("error: %s", (char *) m.errors->pdata[i]);
  g_assert_cmpuint (errors, ==, 1);
  g_assert_nonnull (find_message (m.errors, "text 'huge' at step 1 not imported: its 65536 cells repeat the "
                                  "last of its 2 strings (65536 bytes) to 4294901761 bytes, over lumen-import's "
                                  "cap of 67108864 (64 MiB) on a table so filled", NULL));
  sqlite3 *db = open_run (dst, "run");
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM texts"), ==, 1);
  g_autofree char *table = db_text (db, "SELECT value FROM texts WHERE step = 2");
  g_assert_cmpstr (table, ==, "| |\n|---|\n| a |\n| a |\n");
  events_done (db, &m, dst, src, file);
}

/* A text tensor with more strings than its shape holds, which
 * TensorBoard's make_ndarray cannot reshape (its text plugin shows nothing
 * of the tag), one string in a shape of 0 cells too: named with its run,
 * tag, step and both counts, and skipped, where its first string was
 * shown; the record before it is imported. */
static void
test_text_too_many_strings (void)
{
  static const gint64 two[1] = { 2 };
  char *file = NULL;
  char *src = events_dir_new (&file);
  Messages m;
  char *dst = NULL;

  write_event (file, 1, value_text_strings ("notes", two, 1, (const char *[]) { "a", "b", NULL }));
  write_event (file, 2, value_text_strings ("notes", two, 1, (const char *[]) { "a", "b", "c", NULL }));
  write_event (file, 3, value_text_strings ("scalar", NULL, 0, (const char *[]) { "x", "y", NULL }));
  /* one string in a shape of 0 cells: numpy cannot reshape it to [0]
   * either (TensorBoard's text plugin shows nothing), where it was shown */
  write_event (file, 4, value_text_strings ("empty", (const gint64[]) { 0 }, 1, (const char *[]) { "z", NULL }));
  write_event (file, 5, value_text_strings ("empty", (const gint64[]) { 3, 0 }, 2, (const char *[]) { "z", NULL }));
  sqlite3 *db = import_run_with_errors (src, &m, &dst, 4);
  g_assert_nonnull (find_message (m.errors, "text 'notes' at step 2 not imported: its tensor [2] holds "
                                  "3 strings, over the 2 its shape holds", NULL));
  g_assert_nonnull (find_message (m.errors, "text 'scalar' at step 3 not imported: its tensor [] holds "
                                  "2 strings, over the 1 its shape holds", NULL));
  g_assert_nonnull (find_message (m.errors, "text 'empty' at step 4 not imported: its tensor [0] holds "
                                  "1 string, over the 0 its shape holds", NULL));
  g_assert_nonnull (find_message (m.errors, "text 'empty' at step 5 not imported: its tensor [3, 0] holds "
                                  "1 string, over the 0 its shape holds", NULL));
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM texts"), ==, 1);
  g_autofree char *table = db_text (db, "SELECT value FROM texts WHERE step = 1");
  g_assert_cmpstr (table, ==, "| |\n|---|\n| a |\n| b |\n");
  events_done (db, &m, dst, src, file);
}

/* Writes the projector's files for one embedding of 4 points:
 * tensors.tsv and metadata.tsv (meta) into the folder assets, and into
 * the folder run a projector_config.pbtxt naming them (relative to run
 * when assets is run, else by their absolute paths). */
static void
write_projector (const char *run, const char *assets, const char *meta)
{
  g_autofree char *pbtxt = g_build_filename (run, "projector_config.pbtxt", NULL);
  g_autofree char *tensors = g_build_filename (assets, "tensors.tsv", NULL);
  g_autofree char *metadata = g_build_filename (assets, "metadata.tsv", NULL);
  gboolean here = strcmp (run, assets) == 0;
  g_autofree char *config = g_strdup_printf ("embeddings {\n  tensor_name: \"words:00003\"\n"
                                             "  tensor_path: \"%s\"\n  metadata_path: \"%s\"\n}\n",
                                             here ? "tensors.tsv" : tensors,
                                             here ? "metadata.tsv" : metadata);

  g_assert_true (g_file_set_contents (pbtxt, config, -1, NULL));
  g_assert_true (g_file_set_contents (tensors, "1\t2\n3\t4\n5\t6\n7\t8\n", -1, NULL));
  g_assert_true (g_file_set_contents (metadata, meta, -1, NULL));
}

/* metadata.tsv as TensorBoard's projector (vz-projector's parseMetadata)
 * shows it, where lumen-log refuses it and the embedding was dropped: a
 * header that repeats a name (the columns become "label", "label (2)",
 * each with its own values, noted naming the file) or leaves one empty
 * ("column 4"); a line short of the header's fields (missing values) or
 * past them (dropped); bytes that are not UTF-8 (U+FFFD). */
static void
test_embedding_metadata (void)
{
  char *file = NULL, *dst = NULL;
  char *src = events_dir_new (&file);
  g_autofree char *run = g_path_get_dirname (file);
  Messages m;

  write_event (file, 1, value_scalar ("loss", 1));
  write_projector (run, run, "label\tlabel\tsplit\t\n"
                        "cat\tfelis\ttrain\tx\n"
                        "dog\tcanis\n"
                        "bird\taves\ttest\ty\textra\n"
                        "caf\xe9\tz\tval\tw\n");
  sqlite3 *db = import_run (src, &m, &dst);
  /* the column names / the labels (column 0) / the other columns' values */
  g_autofree char *columns = db_text (db, "SELECT (SELECT group_concat(name, ',') FROM (SELECT name FROM "
                                          "embedding_columns ORDER BY col)) || ' / ' || (SELECT "
                                          "group_concat(label, ',') FROM (SELECT label FROM "
                                          "embedding_metadata ORDER BY i)) || ' / ' || (SELECT "
                                          "group_concat(col || ':' || value, ',') FROM (SELECT * FROM "
                                          "embedding_values ORDER BY i, col))");
  g_assert_cmpstr (columns, ==, "label,label (2),split,column 4 / cat,dog,bird,caf\xef\xbf\xbd / "
                                "1:felis,2:train,3:x,1:canis,2:,3:,1:aves,2:test,3:y,1:z,2:val,3:w");
  g_assert_cmpint (db_int (db, "SELECT step FROM embeddings WHERE tag = 'words'"), ==, 3);
  g_assert_nonnull (find_message (m.infos, "embedding 'words:00003': ", "metadata.tsv: column 2 repeats "
                                  "the name 'label': imported as 'label (2)'"));
  g_assert_nonnull (find_message (m.infos, "metadata.tsv: column 4 has no name: imported as 'column 4'",
                                  NULL));
  g_assert_nonnull (find_message (m.infos, "metadata.tsv: line 3 has fewer fields than the header's 4: "
                                  "the missing values are empty", NULL));
  g_assert_nonnull (find_message (m.infos, "metadata.tsv: line 4 has more fields than the header's 4: "
                                  "the fields past them are dropped", NULL));
  g_assert_nonnull (find_message (m.infos, "metadata.tsv: not UTF-8", NULL));
  sqlite3_close (db);
  messages_clear (&m);
  tmpdir_free (dst);

  /* one column: a line's first field is its label */
  write_projector (run, run, "cat\ndog\tx\nbird\nfish\n");
  db = import_run (src, &m, &dst);
  g_autofree char *one = db_text (db, "SELECT group_concat(label, ',') FROM (SELECT label FROM "
                                      "embedding_metadata ORDER BY i)");
  g_assert_cmpstr (one, ==, "cat,dog,bird,fish");
  events_done (db, &m, dst, src, file);
}

/* projector_config.pbtxt's absolute paths (TensorFlow's tutorials write
 * os.path.join(log_dir, "metadata.tsv")) are taken as they are, as
 * TensorBoard's projector takes them; they were read under the run's
 * folder, and the embedding was not imported.  An embedding whose values
 * are in a TensorFlow checkpoint is counted on the run's line, where it
 * was left out without a word. */
static void
test_embedding_absolute_paths (void)
{
  char *file = NULL, *dst = NULL;
  char *src = events_dir_new (&file);
  g_autofree char *run = g_path_get_dirname (file);
  char *assets = tmpdir_new ();
  Messages m;

  write_event (file, 1, value_scalar ("loss", 1));
  write_projector (run, assets, "cat\ndog\nbird\nfish\n");
  /* and one in a checkpoint (no tensor_path), which is counted */
  g_autofree char *pbtxt = g_build_filename (run, "projector_config.pbtxt", NULL);
  const char *more = "embeddings {\n  tensor_name: \"emb/weights\"\n}\n";
  append_file (pbtxt, more, strlen (more));
  sqlite3 *db = import_run (src, &m, &dst);
  g_assert_nonnull (find_message (m.infos, "run.lumen: imported 1 scalar, 1 embedding; skipped 1 embedding "
                                  "(in a TensorFlow checkpoint, not a tensors.tsv: not supported)", NULL));
  g_autofree char *labels = db_text (db, "SELECT group_concat(label, ',') FROM (SELECT label FROM "
                                         "embedding_metadata ORDER BY i)");
  g_assert_cmpstr (labels, ==, "cat,dog,bird,fish");
  g_assert_cmpint (db_int (db, "SELECT n * 10 + d FROM embeddings WHERE tag = 'words'"), ==, 42);
  tmpdir_free (assets);
  events_done (db, &m, dst, src, file);
}

/* projector_config.pbtxt's paths starting "~/" are under $HOME, as
 * TensorBoard's projector expands them (os.path.expanduser), where they
 * were read under the run's folder and the embedding was not imported:
 * tensor_path, metadata_path and the sprite's image_path. */
static void
test_embedding_home_paths (void)
{
  static const char *const names[] = { "tensors.tsv", "metadata.tsv", "sprite.png" };
  char *file = NULL, *dst = NULL;
  char *src = events_dir_new (&file);
  g_autofree char *run = g_path_get_dirname (file);
  char *home = tmpdir_new ();
  g_autofree char *emb = g_build_filename (home, "emb", NULL);
  g_autofree char *all = fixtures ();
  g_autofree char *from = g_build_filename (all, "runs", "Nov22_10-00-00_host", "00000", "default", NULL);
  g_autofree char *pbtxt = g_build_filename (run, "projector_config.pbtxt", NULL);
  g_autofree char *saved = g_strdup (g_getenv ("HOME"));
  Messages m;

  g_assert_cmpint (g_mkdir_with_parents (emb, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *in = g_build_filename (from, names[i], NULL);
      g_autofree char *out = g_build_filename (emb, names[i], NULL);
      g_autofree char *data = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (in, &data, &len, NULL));
      g_assert_true (g_file_set_contents (out, data, (gssize) len, NULL));
    }
  g_assert_true (g_file_set_contents (pbtxt, "embeddings {\n  tensor_name: \"default:00000\"\n"
                                      "  tensor_path: \"~/emb/tensors.tsv\"\n"
                                      "  metadata_path: \"~/emb/metadata.tsv\"\n"
                                      "  sprite {\n    image_path: \"~/emb/sprite.png\"\n"
                                      "    single_image_dim: 2\n    single_image_dim: 1\n  }\n}\n", -1, NULL));
  write_event (file, 1, value_scalar ("loss", 1));
  g_setenv ("HOME", home, TRUE);
  sqlite3 *db = import_run (src, &m, &dst);
  if (saved)
    g_setenv ("HOME", saved, TRUE);
  else
    g_unsetenv ("HOME");
  g_assert_cmpint (db_int (db, "SELECT n * 10 + d FROM embeddings WHERE tag = 'default'"), ==, 32);
  g_assert_cmpint (db_int (db, "SELECT thumb_width * 10 + thumb_height FROM embeddings"), ==, 21);
  g_autofree char *labels = db_text (db, "SELECT group_concat(label, ',') FROM (SELECT label FROM "
                                         "embedding_metadata ORDER BY i)");
  g_assert_cmpstr (labels, ==, "cat,dog,bird");
  tmpdir_free (home);
  events_done (db, &m, dst, src, file);
}

/* A mesh tensor whose shape is over lumen-log's cap is refused by its
 * shape, before its values are read: a 40-byte event filling
 * [1, 100000000, 3] would otherwise take 2.4 GB of doubles (the limit
 * on address space below makes that an abort), and a batch of small
 * meshes over 1 GiB likewise; the mesh after them is imported. */
static void
test_mesh_too_large (void)
{
  char *file = NULL;
  char *src = events_dir_new (&file);
  Messages m;
  guint errors;

  write_event (file, 1, value_mesh_vertices ("huge_VERTEX", "huge", 1, 100000000, 0.5f));
  write_event (file, 2, value_mesh_vertices ("many_VERTEX", "many", 100000000, 1, 0.5f));
  write_event (file, 3, value_mesh_vertices ("small_VERTEX", "small", 1, 2, 0.5f));
  char *dst = import_folder_in_1536_mib (src, &m, &errors);
  g_assert_cmpuint (errors, ==, 0);
  g_assert_nonnull (find_message (m.infos, "run.lumen: imported 0 scalars, 1 mesh; skipped 1 mesh ('huge' at "
                                  "step 1: its VERTEX tensor [1, 100000000, 3] is over 268435456 bytes a mesh "
                                  "or 1073741824 a batch (lm_writer_options.max_mesh_bytes)), 1 mesh ('many' "
                                  "at step 2: its VERTEX tensor [100000000, 1, 3] is over 268435456 bytes a "
                                  "mesh or 1073741824 a batch (lm_writer_options.max_mesh_bytes))", NULL));
  sqlite3 *db = open_run (dst, "run");
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM meshes"), ==, 1);
  g_assert_cmpint (db_int (db, "SELECT n_vertices FROM meshes WHERE step = 3"), ==, 2);
  events_done (db, &m, dst, src, file);
}

/* A DT_FLOAT tensor of plugin's tagged tag, of shape dims filled with x
 * (one float_val, TensorFlow's fill). */
static GByteArray *
value_tensor_fill (const char *tag, const char *plugin, const gint64 *dims, int ndim, float x)
{
  GByteArray *v = value_new (tag, plugin), *t = g_byte_array_new ();

  pb_int (t, 1, 1); /* DT_FLOAT */
  pb_shape (t, dims, ndim);
  pb_varint (t, 5 << 3 | 5);
  g_byte_array_append (t, (const guint8 *) &x, 4);
  pb_message (v, 8, t);
  return v;
}

/* Every tensor expanded to its values (scalars, histograms, PR curves)
 * is refused by its shape over 2^28 values, before anything is
 * allocated: a 40-byte scalar event filling [1, 100000000, 3] took
 * 2.4 GB of doubles (an abort under the limit on address space below).
 * Each is named with its tag and shape; the scalar after them is
 * imported. */
static void
test_tensor_too_large (void)
{
  static const gint64 scalar[3] = { 1, 100000000, 3 }, histo[2] = { 100000000, 3 },
                      pr[2] = { 6, 50000000 }, over[3] = { 1 << 30, 1 << 30, 1 << 30 };
  static const char *const said[] = {
    "scalar 'big' at step 1 not imported: its tensor [1, 100000000, 3]",
    "histogram 'wide' at step 2 not imported: its tensor [100000000, 3]",
    "PR curve 'curve' at step 3 not imported: its tensor [6, 50000000]",
    "scalar 'overflow' at step 4 not imported: its tensor [1073741824, 1073741824, 1073741824]",
  };
  char *file = NULL;
  char *src = events_dir_new (&file);
  Messages m;
  guint errors;

  write_event (file, 1, value_tensor_fill ("big", "scalars", scalar, 3, 0.5f));
  write_event (file, 2, value_tensor_fill ("wide", "histograms", histo, 2, 0.5f));
  write_event (file, 3, value_tensor_fill ("curve", "pr_curves", pr, 2, 0.5f));
  write_event (file, 4, value_tensor_fill ("overflow", "scalars", over, 3, 0.5f));
  write_event (file, 5, value_scalar ("loss", 0.25f));
  char *dst = import_folder_in_1536_mib (src, &m, &errors);
  for (guint i = 0; i < m.errors->len; i++)
    g_test_message ("error: %s", (char *) m.errors->pdata[i]);
  g_assert_cmpuint (errors, ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (said); i++)
    {
      g_autofree char *line = g_strconcat (said[i], " is over 268435456 values (lumen-import's cap "
                                           "on a tensor)", NULL);
      g_assert_nonnull (find_message (m.errors, line, NULL));
    }
  sqlite3 *db = open_run (dst, "run");
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM scalars"), ==, 1);
  g_assert_cmpint (db_int (db, "SELECT step FROM scalars"), ==, 5);
  events_done (db, &m, dst, src, file);
}

/* MeshPluginData's name given but empty: the tag less its "_VERTEX"
 * names the mesh (the empty name freed: found leaking by fuzzing under
 * LeakSanitizer). */
static void
test_mesh_empty_name (void)
{
  char *file = NULL;
  char *src = events_dir_new (&file);
  Messages m;
  char *dst = NULL;

  write_event (file, 1, value_mesh_vertices ("pts_VERTEX", "", 1, 2, 0.25f));
  sqlite3 *db = import_run (src, &m, &dst);
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM meshes m JOIN tags t ON t.id = m.tag_id "
                               "WHERE t.name = 'pts' AND m.n_vertices = 2"), ==, 1);
  events_done (db, &m, dst, src, file);
}

/* Runs whose event files have not changed for a minute are closed once
 * read (finished), so a folder of many finished runs does not hold a
 * writer (a thread and four file descriptors) per run: 40 runs import
 * under a limit of 64 open files.  A closed run that grows is opened
 * again and appended to. */
static void
test_idle_runs (void)
{
  char *src = tmpdir_new ();
  g_autofree char *first = NULL;
  struct rlimit saved, low;
  Messages m;
  guint errors;

  for (int i = 0; i < 40; i++)
    {
      g_autofree char *run = g_strdup_printf ("%s/run%02d", src, i);
      g_autofree char *file = g_build_filename (run, "events.out.tfevents.1669111200.host.1.0", NULL);
      g_assert_cmpint (g_mkdir (run, 0755), ==, 0);
      write_event (file, 1, value_scalar ("loss", 0.5f));
      struct utimbuf old = { (time_t) T0, (time_t) T0 };
      g_assert_cmpint (utime (file, &old), ==, 0);
      if (i == 0)
        first = g_strdup (file);
    }
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  low = saved;
  low.rlim_cur = 64;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &low), ==, 0);
  char *dst = import_folder (src, &m, &errors);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  for (guint i = 0; i < m.errors->len; i++)
    g_test_message ("error: %s", (char *) m.errors->pdata[i]);
  g_assert_cmpuint (errors, ==, 0);
  g_assert_cmpuint (m.infos->len, ==, 40);
  g_assert_nonnull (find_message (m.infos, "run39/run.lumen: imported 1 scalar", NULL));
  sqlite3 *db = open_run (dst, "run39");
  g_assert_cmpfloat (db_double (db, "SELECT value FROM scalars WHERE step = 1"), ==, 0.5);
  sqlite3_close (db);
  messages_clear (&m);
  tmpdir_free (dst);

  /* following: closed once read, opened again when the file grows */
  dst = tmpdir_new ();
  messages_init (&m);
  LmTbImport *imp = lm_tb_import_new (src, dst, 0);
  lm_tb_import_set_message_func (imp, collect, &m);
  g_assert_cmpuint (lm_tb_import_poll (imp), ==, 40);
  db = open_run (dst, "run00");
  g_autofree char *idle = db_text (db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr (idle, ==, "finished");
  sqlite3_close (db);
  write_event (first, 2, value_scalar ("loss", 0.25f));
  g_assert_cmpuint (lm_tb_import_poll (imp), ==, 1);
  g_assert_cmpuint (lm_tb_import_poll (imp), ==, 0);
  lm_tb_import_flush (imp);
  db = open_run (dst, "run00");
  g_autofree char *running = db_text (db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr (running, ==, "running");
  g_autofree char *xs = db_text (db, "SELECT group_concat(step || ':' || value) FROM (SELECT * "
                                     "FROM scalars ORDER BY id)");
  g_assert_cmpstr (xs, ==, "1:0.5,2:0.25");
  sqlite3_close (db);
  g_assert_cmpuint (lm_tb_import_finish (imp, TRUE), ==, 0);
  lm_tb_import_free (imp);
  db = open_run (dst, "run00");
  g_autofree char *stopped = db_text (db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr (stopped, ==, "stopped");
  sqlite3_close (db);
  messages_clear (&m);
  tmpdir_free (dst);
  tmpdir_free (src);
}

/* Following: a file that grows (a record completed), a new file, a new
 * folder; ended as 'stopped'. */
static void
test_follow (void)
{
  g_autofree char *all = fixtures ();
  g_autofree char *tail = g_build_filename (all, "tail", "events.out.tfevents.1669111200.host.2.0", NULL);
  g_autofree char *bad = g_build_filename (all, "bad", "events.out.tfevents.1669111200.host.1.0", NULL);
  g_autofree char *data = NULL;
  gsize len;
  char *src = tmpdir_new (), *dst = tmpdir_new ();
  Messages m;

  g_assert_true (g_file_get_contents (tail, &data, &len, NULL));
  g_autofree char *run = g_build_filename (src, "exp", NULL);
  g_mkdir (run, 0755);
  g_autofree char *file = g_build_filename (run, "events.out.tfevents.1.host.1.0", NULL);
  /* the first 60 bytes: the file_version record and part of step 1 */
  append_file (file, data, 60);

  messages_init (&m);
  LmTbImport *imp = lm_tb_import_new (src, dst, 0);
  lm_tb_import_set_message_func (imp, collect, &m);
  g_assert_cmpuint (lm_tb_import_poll (imp), ==, 0);
  append_file (file, data + 60, len - 60);
  g_assert_cmpuint (lm_tb_import_poll (imp), ==, 2);
  g_assert_cmpuint (lm_tb_import_poll (imp), ==, 0);
  /* a new folder, with the first good records of 'bad' */
  g_autofree char *bad_data = NULL;
  gsize bad_len;
  g_assert_true (g_file_get_contents (bad, &bad_data, &bad_len, NULL));
  g_autofree char *run2 = g_build_filename (src, "exp", "later", NULL);
  g_mkdir (run2, 0755);
  g_autofree char *file2 = g_build_filename (run2, "events.out.tfevents.2.host.1.0", NULL);
  append_file (file2, bad_data, 79);
  g_assert_cmpuint (lm_tb_import_poll (imp), ==, 1);
  /* visible to readers before the end */
  lm_tb_import_flush (imp);
  sqlite3 *db = open_run (dst, "exp/later");
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM scalars"), ==, 1);
  g_autofree char *running = db_text (db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr (running, ==, "running");
  sqlite3_close (db);
  g_assert_cmpuint (lm_tb_import_finish (imp, TRUE), ==, 0);
  lm_tb_import_free (imp);

  db = open_run (dst, "exp");
  g_autofree char *ys = db_text (db, "SELECT group_concat(step || ':' || value) FROM (SELECT * FROM "
                                     "scalars ORDER BY id)");
  g_assert_cmpstr (ys, ==, "1:1.0,2:2.0");
  g_autofree char *status = db_text (db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr (status, ==, "stopped");
  sqlite3_close (db);
  g_assert_cmpuint (m.errors->len, ==, 0);
  messages_clear (&m);
  tmpdir_free (src);
  tmpdir_free (dst);
}

/* fixtures/restart (or a copy) as imported into dst: steps 0..4 of the
 * crashed file (loss = step, histogram w's max = step), then 5..7 of
 * the resumed one (100 + step), as TensorBoard shows it. */
static void
assert_restart_run (const char *dst, const char *name)
{
  sqlite3 *db = open_run (dst, name);
  g_autofree char *loss = db_text (db, "SELECT group_concat(step || ':' || value) FROM (SELECT "
                                       "s.* FROM scalars s JOIN tags t ON t.id = s.tag_id WHERE "
                                       "t.name = 'loss' ORDER BY s.step, s.id)");
  g_autofree char *w = db_text (db, "SELECT group_concat(step || ':' || max) FROM (SELECT h.* "
                                    "FROM histograms h JOIN tags t ON t.id = h.tag_id WHERE "
                                    "t.name = 'w' ORDER BY h.step, h.id)");
  g_autofree char *times = db_text (db, "SELECT group_concat(wall_time - 1669111200) FROM (SELECT "
                                        "* FROM scalars ORDER BY step, id)");

  g_assert_cmpstr (loss, ==, "0:0.0,1:1.0,2:2.0,3:3.0,4:4.0,5:105.0,6:106.0,7:107.0");
  g_assert_cmpstr (w, ==, "0:0.0,1:1.0,2:2.0,3:3.0,4:4.0,5:105.0,6:106.0,7:107.0");
  g_assert_cmpstr (times, ==, "0.0,1.0,2.0,3.0,4.0,105.0,106.0,107.0");
  sqlite3_close (db);
}

/* SummaryWriter(purge_step=5) after a crash at step 9: the new file's
 * SessionLog START at step 5 purges the steps >= 5 of the first file
 * (TensorBoard's event accumulator, _CheckForRestartAndMaybePurge). */
static void
test_restart (void)
{
  Messages m;
  guint errors;
  char *dst = import_fixture ("restart", &m, &errors);

  g_assert_cmpuint (errors, ==, 0);
  g_assert_nonnull (find_message (m.infos, "host.7.0: restarted at step 5 (SessionLog START at "
                                  "byte ", "): steps >= 5 imported before are purged"));
  assert_restart_run (dst, "restart");
  messages_clear (&m);
  tmpdir_free (dst);
}

/* The same when following: the resumed run's file appears later (and
 * records of the crashed file that come after it stay purged). */
static void
test_restart_follow (void)
{
  g_autofree char *all = fixtures ();
  char *src = tmpdir_new (), *dst = tmpdir_new ();
  const char *names[2] = { "events.out.tfevents.1669111200.host.7.0",
                           "events.out.tfevents.1669111300.host.7.0" };
  g_autofree char *run = g_build_filename (src, "restart", NULL);
  g_autofree char *crashed = g_build_filename (run, names[0], NULL);
  Messages m;

  g_assert_cmpint (g_mkdir (run, 0755), ==, 0);
  messages_init (&m);
  LmTbImport *imp = lm_tb_import_new (src, dst, 0);
  lm_tb_import_set_message_func (imp, collect, &m);
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *from = g_build_filename (all, "restart", names[i], NULL);
      g_autofree char *to = g_build_filename (run, names[i], NULL);
      g_autofree char *data = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (from, &data, &len, NULL));
      append_file (to, data, len);
      /* 10 steps of a scalar and a histogram, then 3 */
      g_assert_cmpuint (lm_tb_import_poll (imp), ==, i == 0 ? 20 : 6);
      lm_tb_import_flush (imp);
      if (i == 0)
        {
          sqlite3 *db = open_run (dst, "restart");
          g_assert_cmpint (db_int (db, "SELECT count(*) FROM scalars WHERE step >= 5"), ==, 5);
          sqlite3_close (db);
        }
    }
  assert_restart_run (dst, "restart");
  /* a late record of the crashed run, of a purged step */
  write_event (crashed, 8, value_scalar ("loss", 8.0f));
  g_assert_cmpuint (lm_tb_import_poll (imp), ==, 0);
  g_assert_cmpuint (lm_tb_import_finish (imp, FALSE), ==, 0);
  lm_tb_import_free (imp);
  assert_restart_run (dst, "restart");
  g_assert_nonnull (find_message (m.infos, "skipped 1 record (of a step a later file's restart "
                                  "purged)", NULL));
  messages_clear (&m);
  tmpdir_free (src);
  tmpdir_free (dst);
}

/* A START in a run's first file (a writer given purge_step on a new
 * folder) has nothing before it to purge; STOP and CHECKPOINT are no
 * restarts, and a file without file_version 2 has no START purge in
 * TensorBoard either. */
static void
test_restart_not (void)
{
  char *file = NULL, *dst = NULL;
  char *src = events_dir_new (&file);
  Messages m;

  write_session_event (file, 0, 0);
  write_session_event (file, 0, 1); /* START */
  for (int s = 0; s < 3; s++)
    write_event (file, s, value_scalar ("loss", (float) s));
  write_session_event (file, 1, 2); /* STOP */
  write_session_event (file, 1, 3); /* CHECKPOINT */
  /* a run whose files have no file_version record: TensorBoard purges by
   * out-of-order steps there, not by START */
  g_autofree char *old = g_build_filename (src, "old", NULL);
  g_autofree char *old1 = g_build_filename (old, "events.out.tfevents.1.host.2.0", NULL);
  g_autofree char *old2 = g_build_filename (old, "events.out.tfevents.2.host.2.0", NULL);
  g_assert_cmpint (g_mkdir (old, 0755), ==, 0);
  write_event (old1, 1, value_scalar ("loss", 1.0f));
  write_event (old1, 2, value_scalar ("loss", 2.0f));
  write_session_event (old2, 1, 1);
  write_event (old2, 3, value_scalar ("loss", 3.0f));
  sqlite3 *db = import_run (src, &m, &dst);
  g_autofree char *loss = db_text (db, "SELECT group_concat(step || ':' || value) FROM (SELECT * "
                                       "FROM scalars ORDER BY id)");
  g_assert_cmpstr (loss, ==, "0:0.0,1:1.0,2:2.0");
  sqlite3 *db_old = open_run (dst, "old");
  g_autofree char *loss_old = db_text (db_old, "SELECT group_concat(step || ':' || value) FROM "
                                               "(SELECT * FROM scalars ORDER BY id)");
  g_assert_cmpstr (loss_old, ==, "1:1.0,2:2.0,3:3.0");
  sqlite3_close (db_old);
  g_assert_null (find_message (m.infos, "restarted", NULL));
  events_done (db, &m, dst, src, file);
}

/* The command line: exit status, messages, --help. */
static void
test_cli (void)
{
  const char *exe = g_getenv ("LUMEN_IMPORT");
  g_autofree char *src = fixtures ();
  char *dst = tmpdir_new ();
  g_autofree char *out = NULL, *err = NULL;
  int status;

  g_assert_nonnull (exe);
  const char *argv[] = { exe, src, dst, NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, NULL));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1); /* the bad CRC */
  g_assert_nonnull (strstr (err, "bad CRC of the record data at byte 79 (23 bytes of data); the rest of this file is not read"));
  g_assert_nonnull (strstr (err, "runs/Nov22_10-00-00_host/run.lumen: imported 7 scalars"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* again: refused, naming --overwrite */
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, NULL));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "already exists; not imported (--overwrite replaces it)"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  const char *help[] = { exe, "--help", NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) help, NULL, 0, NULL, NULL, &out, &err, &status, NULL));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_nonnull (strstr (out, "--follow"));
  g_assert_nonnull (strstr (out, "--overwrite"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  const char *missing[] = { exe, "/nonexistent-lumen-src", dst, NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) missing, NULL, 0, NULL, NULL, &out, &err, &status, NULL));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_assert_nonnull (strstr (err, "SRC /nonexistent-lumen-src is not a folder"));
  /* 0 is refused by a message that does not call it "between 0 and 3600" */
  for (guint i = 0; i < 2; i++)
    {
      const char *value = i == 0 ? "0" : "7200";
      const char *interval[] = { exe, "--follow", "--interval", value, src, dst, NULL };
      g_autofree char *want = g_strdup_printf ("lumen-import: --interval must be more than 0 and at most 3600 "
                                               "seconds; got %s\n", value);

      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_true (g_spawn_sync (NULL, (char **) interval, NULL, 0, NULL, NULL, &out, &err, &status, NULL));
      g_assert_cmpint (WEXITSTATUS (status), ==, 2);
      g_assert_cmpstr (err, ==, want);
    }
  tmpdir_free (dst);
}

/* SRC and DST typed with a trailing slash, as the shell completes folders
 * (the README's `lumen-import runs/ lumen-runs/`): the summary lines name
 * "DST/Nov22_10-00-00_host/run.lumen", not "DST//Nov22_10-00-00_host",
 * and a SRC that is itself a run is named without its slash. */
static void
test_trailing_slashes (void)
{
  g_autofree char *runs = g_test_build_filename (G_TEST_DIST, "fixtures", "runs", NULL);
  g_autofree char *run = g_build_filename (runs, "Nov22_10-00-00_host", NULL);
  const char *srcs[] = { runs, run };

  for (guint k = 0; k < G_N_ELEMENTS (srcs); k++)
    {
      char *dst = tmpdir_new ();
      g_autofree char *src_slash = g_strconcat (srcs[k], "/", NULL);
      g_autofree char *dst_slash = g_strconcat (dst, "//", NULL);
      LmTbImport *imp = lm_tb_import_new (src_slash, dst_slash, 0);
      Messages m;

      messages_init (&m);
      lm_tb_import_set_message_func (imp, collect, &m);
      lm_tb_import_poll (imp);
      lm_tb_import_finish (imp, FALSE);
      lm_tb_import_free (imp);
      g_autofree char *want = g_strdup_printf ("%s -> %s/Nov22_10-00-00_host/run.lumen: imported 7 scalars",
                                               run, dst);
      for (guint i = 0; i < m.infos->len; i++)
        g_test_message ("info: %s", (char *) m.infos->pdata[i]);
      g_assert_nonnull (find_message (m.infos, want, NULL));
      g_assert_null (find_message (m.infos, "//", NULL));
      g_assert_null (find_message (m.errors, "//", NULL));
      messages_clear (&m);
      tmpdir_free (dst);
    }
}

/* A SRC that is not there yet (lumen --logdir runs before training made
 * it): said once, not at every look; said again when it goes after it
 * was there. */
static void
test_missing_src_said_once (void)
{
  char *top = tmpdir_new ();
  g_autofree char *src = g_build_filename (top, "runs", NULL);
  g_autofree char *dst = g_build_filename (top, "out", NULL);
  LmTbImport *imp = lm_tb_import_new (src, dst, LM_TB_IMPORT_QUIET);
  Messages m;

  messages_init (&m);
  lm_tb_import_set_message_func (imp, collect, &m);
  for (int i = 0; i < 3; i++)
    lm_tb_import_poll (imp);
  g_assert_cmpuint (m.errors->len, ==, 1);
  g_assert_nonnull (strstr (m.errors->pdata[0], "No such file or directory"));
  g_assert_cmpint (g_mkdir (src, 0755), ==, 0);
  lm_tb_import_poll (imp);
  g_assert_cmpuint (m.errors->len, ==, 1);
  g_assert_cmpint (g_rmdir (src), ==, 0);
  lm_tb_import_poll (imp);
  lm_tb_import_poll (imp);
  g_assert_cmpuint (m.errors->len, ==, 2);
  lm_tb_import_finish (imp, FALSE);
  lm_tb_import_free (imp);
  messages_clear (&m);
  tmpdir_free (top);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/import/crc32c", test_crc32c);
  g_test_add_func ("/import/regex", test_regex);
  g_test_add_func ("/import/custom-scalars", test_custom_scalars);
  g_test_add_func ("/import/graph", test_graph);
  g_test_add_func ("/import/graph-bad", test_graph_bad);
  g_test_add_func ("/import/mesh", test_mesh);
  g_test_add_func ("/import/mesh-too-large", test_mesh_too_large);
  g_test_add_func ("/import/mesh-empty-name", test_mesh_empty_name);
  g_test_add_func ("/import/tensor-too-large", test_tensor_too_large);
  g_test_add_func ("/import/fixtures", test_fixtures);
  g_test_add_func ("/import/existing", test_existing);
  g_test_add_func ("/import/symlink-loop", test_symlink_loop);
  g_test_add_func ("/import/follow", test_follow);
  g_test_add_func ("/import/restart", test_restart);
  g_test_add_func ("/import/restart-follow", test_restart_follow);
  g_test_add_func ("/import/restart-not", test_restart_not);
  g_test_add_func ("/import/cli", test_cli);
  g_test_add_func ("/import/interrupted", test_interrupted);
  g_test_add_func ("/import/interrupted-trace", test_interrupted_trace);
  g_test_add_func ("/import/once-closes-runs", test_once_closes_runs);
  g_test_add_func ("/import/histogram-empty-ends", test_histogram_empty_ends);
  g_test_add_func ("/import/png-variants", test_png_variants);
  g_test_add_func ("/import/image-tensor-partial", test_image_tensor_partial);
  g_test_add_func ("/import/text-3d", test_text_3d);
  g_test_add_func ("/import/tensor-partial-vals", test_tensor_partial_vals);
  g_test_add_func ("/import/text-padding-too-large", test_text_padding_too_large);
  g_test_add_func ("/import/text-too-many-strings", test_text_too_many_strings);
  g_test_add_func ("/import/audio-bad", test_audio_bad);
  g_test_add_func ("/import/embedding-metadata", test_embedding_metadata);
  g_test_add_func ("/import/embedding-absolute-paths", test_embedding_absolute_paths);
  g_test_add_func ("/import/embedding-home-paths", test_embedding_home_paths);
  g_test_add_func ("/import/audio-latin1-description", test_audio_latin1_description);
  g_test_add_func ("/import/apng-too-big", test_apng_too_big);
  g_test_add_func ("/import/idle-runs", test_idle_runs);
  g_test_add_func ("/import/missing-src-said-once", test_missing_src_said_once);
  g_test_add_func ("/import/trailing-slashes", test_trailing_slashes);
  return g_test_run ();
}
