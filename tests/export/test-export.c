/* test-export.c: lumen-export (app/export) end to end.  A run logged with
 * lumen-log is exported, its event file compared byte for byte with what
 * PyTorch's SummaryWriter writes (expected-records.h, from
 * make-expected.py); a run with every kind is exported and imported back
 * with lumen-import and every row compared; an embedding's metadata
 * columns go out as PyTorch's metadata.tsv (header line and tab-joined
 * rows) and come back as columns; then a damaged run file,
 * --overwrite, --runs and the command line. */
#include "lm-tb-export.h"
#include "lm-tb-import.h"
#include "lm-tfevents.h"
#include "../import/tb-messages.h"
#include "../logging/log-test-util.h"

#include <fcntl.h>
#include <math.h>
#include <png.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expected-records.h"

#define T0 1669111200.0

static guint
export_dir (const char *src, const char *dst, LmTbExportFlags flags, const char *runs,
            Messages *m)
{
  messages_init (m);
  LmTbExportOptions o = { .flags = flags, .runs = runs, .message = collect, .message_data = m };
  guint errors = lm_tb_export (src, dst, &o);
  for (guint i = 0; i < m->errors->len; i++)
    g_test_message ("error: %s", (const char *) m->errors->pdata[i]);
  return errors;
}

/* The one event file in dir (asserted), its name into *name. */
/* lumen-import of the run folder src into dst: its errors, its messages
 * in m. */
static guint
import_dir (const char *src, const char *dst, Messages *m)
{
  LmTbImport *imp = lm_tb_import_new (src, dst, LM_TB_IMPORT_QUIET);
  guint errors;

  messages_init (m);
  lm_tb_import_set_message_func (imp, collect, m);
  lm_tb_import_poll (imp);
  errors = lm_tb_import_finish (imp, FALSE);
  lm_tb_import_free (imp);
  return errors;
}

static char *
event_file (const char *dir, char **name)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *n;
  char *found = NULL;

  g_assert_nonnull (d);
  while ((n = g_dir_read_name (d)) != NULL)
    if (strstr (n, "tfevents"))
      {
        g_assert_null (found);
        found = g_build_filename (dir, n, NULL);
        if (name)
          *name = g_strdup (n);
      }
  g_assert_nonnull (found);
  return found;
}

/* One scalar, a zero, a histogram, a text and two audio clips: the file
 * must be what SummaryWriter writes (file_version first, the first
 * event's time); a clip with a label is the audio plugin's tensor. */
static void
test_bytes (void)
{
  g_autofree char *src = tmpdir_new (), *dst = tmpdir_new ();
  lm_writer *w = writer_open (src, "run");
  const double edges[] = { -1, 0, 2, 3.5 }, counts[] = { 2, 3, 1 };
  lm_histogram h = { .count = 6, .min = -1, .max = 3, .sum = 5, .sum_squares = 15,
                     .bucket_count = 3, .edges = edges, .counts = counts };
  Messages m;

  assert_ok (lm_writer_set_wall_time (w, T0 + 1.5));
  assert_ok (lm_writer_add_scalar (w, "loss", 3, 0.25));
  assert_ok (lm_writer_set_wall_time (w, T0 + 2.5));
  assert_ok (lm_writer_add_scalar (w, "loss", 4, 0.0));
  assert_ok (lm_writer_set_wall_time (w, T0 + 4));
  assert_ok (lm_writer_add_histogram_buckets (w, "w", 5, &h));
  assert_ok (lm_writer_set_wall_time (w, T0 + 6));
  assert_ok (lm_writer_add_text (w, "note", 6, "**hi**"));
  assert_ok (lm_writer_set_wall_time (w, T0 + 7));
  assert_ok (lm_writer_add_audio_wav (w, "sound", 7, pytorch_wav, sizeof pytorch_wav, NULL));
  assert_ok (lm_writer_set_wall_time (w, T0 + 8));
  assert_ok (lm_writer_add_audio_wav (w, "voice", 8, pytorch_wav, sizeof pytorch_wav, "**hi**"));
  assert_ok (lm_writer_close (w));

  g_autofree char *run_dir = g_build_filename (src, "run", NULL);
  g_assert_cmpuint (export_dir (run_dir, dst, 0, NULL, &m), ==, 0);
  g_autofree char *out = g_build_filename (dst, "run", NULL);
  g_autofree char *name = NULL;
  g_autofree char *file = event_file (out, &name);
  g_autofree char *want_name = g_strdup_printf ("events.out.tfevents.1669111201.%s.%d.0",
                                                g_get_host_name (), (int) getpid ());
  g_assert_cmpstr (name, ==, want_name);
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (file, &data, &len, NULL));
  g_assert_cmpmem (data, len, expected_records, sizeof expected_records);
  g_assert_cmpuint (m.infos->len, ==, 1);
  g_assert_nonnull (strstr (m.infos->pdata[0], ": exported 2 scalars, 1 histogram, 2 audio clips, "
                                               "1 text"));
  messages_clear (&m);
  tmpdir_free (g_steal_pointer (&src));
  tmpdir_free (g_steal_pointer (&dst));
}

/* A coloured mesh with faces and a config, then a point cloud without
 * colours or config: each one Event as PyTorch 1.13's add_mesh writes it
 * for B = 1 (expected_mesh_records, from make-expected.py). */
static void
test_mesh_bytes (void)
{
  g_autofree char *src = tmpdir_new (), *dst = tmpdir_new ();
  lm_writer *w = writer_open (src, "run");
  static const float tetra[] = { 1, 1, 1, -1, -1, 1, 1, -1, -1, -1, 1, -1 };
  static const guint8 rgb[] = { 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 255 };
  static const gint32 faces[] = { 0, 2, 3, 0, 3, 1, 0, 1, 2, 1, 3, 2 };
  static const float cloud[] = { 0.5f, -0.25f, 2, 0.125f, 0, -1 };
  Messages m;

  assert_ok (lm_writer_set_wall_time (w, T0 + 1.5));
  assert_ok (lm_writer_add_mesh (w, "my_mesh", 3, tetra, 4, rgb, faces, 4,
                                 "{\"camera\": {\"cls\": \"PerspectiveCamera\", \"fov\": 75}, "
                                 "\"material\": {\"cls\": \"MeshStandardMaterial\"}}"));
  assert_ok (lm_writer_set_wall_time (w, T0 + 2.5));
  assert_ok (lm_writer_add_mesh (w, "cloud", 4, cloud, 2, NULL, NULL, 0, NULL));
  assert_ok (lm_writer_close (w));

  g_autofree char *run_dir = g_build_filename (src, "run", NULL);
  g_assert_cmpuint (export_dir (run_dir, dst, 0, NULL, &m), ==, 0);
  g_autofree char *out = g_build_filename (dst, "run", NULL);
  g_autofree char *file = event_file (out, NULL);
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (file, &data, &len, NULL));
  g_assert_cmpmem (data, len, expected_mesh_records, sizeof expected_mesh_records);
  g_assert_cmpuint (m.infos->len, ==, 1);
  g_assert_nonnull (strstr (m.infos->pdata[0], ": exported 0 scalars, 2 meshes"));
  messages_clear (&m);
  tmpdir_free (g_steal_pointer (&src));
  tmpdir_free (g_steal_pointer (&dst));
}

/* A damaged mesh row whose counts times 12 wrap around to its blobs'
 * sizes (n_vertices 2^62 + 1 over a 12-byte blob, n_faces 2^62 with no
 * faces blob) is named and left out, the other mesh exported. */
static void
test_mesh_damaged (void)
{
  g_autofree char *src = tmpdir_new (), *dst = tmpdir_new ();
  lm_writer *w = writer_open (src, "run");
  static const float one[] = { 1, 2, 3 };
  Messages m;

  assert_ok (lm_writer_add_mesh (w, "wrap_v", 1, one, 1, NULL, NULL, 0, NULL));
  assert_ok (lm_writer_add_mesh (w, "wrap_f", 1, one, 1, NULL, NULL, 0, NULL));
  assert_ok (lm_writer_add_mesh (w, "fine", 1, one, 1, NULL, NULL, 0, NULL));
  g_autofree char *db_path = g_strdup (lm_writer_file_path (w));
  assert_ok (lm_writer_close (w));
  {
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE meshes SET n_vertices = 4611686018427387905 WHERE tag_id = "
                                       "(SELECT id FROM tags WHERE name = 'wrap_v');"
                                       "UPDATE meshes SET n_faces = 4611686018427387904 WHERE tag_id = "
                                       "(SELECT id FROM tags WHERE name = 'wrap_f')", NULL, NULL, NULL),
                     ==, SQLITE_OK);
    sqlite3_close (db);
  }
  g_autofree char *run_dir = g_build_filename (src, "run", NULL);
  g_assert_cmpuint (export_dir (run_dir, dst, 0, NULL, &m), ==, 2);
  g_assert_cmpuint (m.errors->len, ==, 2);
  g_assert_nonnull (strstr (m.errors->pdata[0], "run.lumen: mesh 'wrap_v' at step 1 not exported: "
                                                "4611686018427387905 vertices and 0 faces but 12 vertex, "
                                                "0 colour and 0 face bytes"));
  g_assert_nonnull (strstr (m.errors->pdata[1], "run.lumen: mesh 'wrap_f' at step 1 not exported: "
                                                "1 vertices and 4611686018427387904 faces but 12 vertex, "
                                                "0 colour and 0 face bytes"));
  g_assert_nonnull (strstr (m.infos->pdata[m.infos->len - 1], ": exported 0 scalars, 1 mesh"));
  messages_clear (&m);
  tmpdir_free (g_steal_pointer (&src));
  tmpdir_free (g_steal_pointer (&dst));
}

/* --------------------------------------------------------- round trip */

static void
log_everything (lm_writer *w)
{
  /* scalars: float-exact and not, NaN, +-Inf, a negative step */
  static const double loss[] = { 2.5, 0.1, NAN, INFINITY, -INFINITY, 1e-3 };
  for (int i = 0; i < 6; i++)
    {
      assert_ok (lm_writer_set_wall_time (w, T0 + i + 0.125));
      assert_ok (lm_writer_add_scalar (w, "train/loss", i - 1, loss[i]));
      assert_ok (lm_writer_add_scalar (w, "lr", (i + 1) * 1000000000LL, 0.5 / (i + 1)));
    }
  /* histograms: TensorFlow's default buckets, and the caller's */
  float vals[50];
  for (int i = 0; i < 50; i++)
    vals[i] = (float) sin (i * 0.7) * 3;
  assert_ok (lm_writer_set_wall_time (w, T0 + 10));
  assert_ok (lm_writer_add_histogram (w, "fc1/weight", 1, vals, 50));
  assert_ok (lm_writer_add_histogram_uniform (w, "fc1/bias", 2, vals, 50, 7));
  /* images: grey, RGB, RGBA */
  guint8 px[4 * 3 * 4];
  for (guint i = 0; i < sizeof px; i++)
    px[i] = (guint8) (i * 37);
  assert_ok (lm_writer_set_wall_time (w, T0 + 11));
  assert_ok (lm_writer_add_image (w, "grey", 1, px, 4, 3, 1));
  assert_ok (lm_writer_add_image (w, "rgb", 2, px, 4, 3, 3));
  assert_ok (lm_writer_add_image (w, "rgba", 3, px, 4, 3, 4));
  /* videos: grey at NTSC's 29.97 fps (delay 100/2997), RGB at
   * add_video's 4, RGBA at 1000 (frames of 4x3 from px, shifted) */
  guint8 frames[3 * sizeof px];
  for (guint i = 0; i < sizeof frames; i++)
    frames[i] = (guint8) (i * 11 + i / sizeof px);
  assert_ok (lm_writer_add_video (w, "grey_video", 1, frames, 2, 4, 3, 1, 29.97));
  assert_ok (lm_writer_add_video (w, "rgb_video", 2, frames, 3, 4, 3, 3, 4));
  assert_ok (lm_writer_add_video (w, "rgba_video", 3, frames, 3, 4, 3, 4, 1000));
  assert_ok (lm_writer_set_wall_time (w, T0 + 12));
  assert_ok (lm_writer_add_text (w, "notes", 3, "# Title\n\n| a | b |\n|---|---|\n| 1 | é |"));
  /* a PR curve */
  const guint8 labels[] = { 1, 0, 1, 1, 0, 0, 1, 0 };
  const float preds[] = { 0.9f, 0.1f, 0.65f, 0.3f, 0.45f, 0.8f, 0.99f, 0.05f };
  assert_ok (lm_writer_set_wall_time (w, T0 + 13));
  assert_ok (lm_writer_add_pr_curve (w, "pr/cat", 4, labels, preds, 8, 11, NULL));
  /* hparams */
  lm_hparam hp[] = { LM_HP_NUMBER ("lr", 0.01), LM_HP_STRING ("opt", "adam"),
                     LM_HP_BOOL ("nesterov", false), LM_HP_NUMBER ("layers", 0) };
  const char *metrics[] = { "train/loss" };
  assert_ok (lm_writer_add_hparams (w, hp, 4, metrics, 1));
  /* two custom scalars layouts */
  lm_custom_layout *l;
  const char *tags[] = { "train/loss$", "val/(loss|acc)$" };
  assert_ok (lm_custom_layout_new (&l));
  assert_ok (lm_custom_layout_add_multiline (l, "Overview", "Loss", tags, 2));
  assert_ok (lm_custom_layout_add_margin (l, "Overview", "Band", "lr", "lr_lo", "lr_hi"));
  assert_ok (lm_custom_layout_add_multiline (l, "Other", "LR", tags, 1));
  assert_ok (lm_writer_set_wall_time (w, T0 + 14));
  assert_ok (lm_writer_add_custom_scalars (w, l));
  lm_custom_layout_free (l);
  assert_ok (lm_writer_set_wall_time (w, T0 + 15));
  assert_ok (lm_writer_add_custom_scalars_multilinechart (w, tags + 1, 1, NULL, NULL));
  /* a graph, and a trace of it (not exported) */
  lm_graph *g;
  const int64_t s_in[] = { 4, 784 }, s_w[] = { 128, 784 }, s_out[] = { 4, 128 };
  assert_ok (lm_graph_new (&g, "train_step"));
  lm_graph_node nodes[] = {
    { .id = 0, .op = "input", .name = "x", .module = "", .shape = s_in, .ndim = 2,
      .dtype = "float32", .device = "cpu" },
    { .id = 1, .op = "parameter", .name = "fc1.weight", .module = "fc1", .shape = s_w, .ndim = 2,
      .dtype = "float32" },
    { .id = 2, .op = "linear", .module = "fc1", .shape = s_out, .ndim = 2, .dtype = "float32" },
    { .id = 3, .op = "relu", .module = "", .shape = s_out, .ndim = 2 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (nodes); i++)
    assert_ok (lm_graph_add_node (g, &nodes[i]));
  assert_ok (lm_graph_add_edge (g, 0, 2, 0));
  assert_ok (lm_graph_add_edge (g, 1, 2, 1));
  assert_ok (lm_graph_add_edge (g, 2, 3, 0));
  int64_t gid;
  assert_ok (lm_writer_set_wall_time (w, T0 + 16));
  assert_ok (lm_writer_add_graph (w, 5, g, &gid));
  lm_graph_free (g);
  lm_trace *t;
  const float tv[] = { 1, 2 };
  const int64_t ts[] = { 2 };
  assert_ok (lm_trace_new (&t, gid, 5));
  assert_ok (lm_trace_add_event (t, 3, LM_PHASE_FORWARD, ts, 1, tv, 2));
  assert_ok (lm_writer_add_trace (w, t, NULL));
  lm_trace_free (t);
  /* an embedding with labels and RGB thumbnails */
  float mat[4 * 3], thumbs[4 * 3 * 2 * 2];
  for (int i = 0; i < 12; i++)
    mat[i] = (float) (i * 0.3 - 1.7);
  for (int i = 0; i < 48; i++)
    thumbs[i] = (float) ((i * 53) % 256) / 255.0f;
  const char *names[] = { "a", "b c", "d", "e" };
  assert_ok (lm_writer_add_embedding (w, "feat/x", 7, mat, 4, 3, names, thumbs, 3, 2, 2));
  /* audio: a mono clip at PyTorch's default rate, and two stereo clips
   * at one step, one with a Markdown label */
  float clip[2 * 5];
  for (int i = 0; i < 10; i++)
    clip[i] = (float) sin (i * 0.9);
  assert_ok (lm_writer_set_wall_time (w, T0 + 17));
  assert_ok (lm_writer_add_audio (w, "speech", 1, clip, 10, 1, 44100));
  assert_ok (lm_writer_set_wall_time (w, T0 + 18));
  assert_ok (lm_writer_add_audio_label (w, "stereo", 2, clip, 5, 2, 22050, "*left* | right"));
  assert_ok (lm_writer_add_audio (w, "stereo", 2, clip + 2, 4, 2, 22050));
  /* meshes: a coloured tetrahedron with a config, a cloud without either
   * at two steps (coordinates not float-exact in decimal) */
  static const float tetra[] = { 1, 1, 1, -1, -1, 1, 1, -1, -1, -1, 1, -1 };
  static const guint8 rgb[] = { 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 255 };
  static const gint32 faces[] = { 0, 2, 3, 0, 3, 1, 0, 1, 2, 1, 3, 2 };
  float cloud[5 * 3];
  for (int i = 0; i < 15; i++)
    cloud[i] = (float) cos (i * 1.3) * 0.1f;
  assert_ok (lm_writer_set_wall_time (w, T0 + 19));
  assert_ok (lm_writer_add_mesh (w, "shape/tetra", 3, tetra, 4, rgb, faces, 4,
                                 "{\"camera\": {\"cls\": \"PerspectiveCamera\", \"fov\": 50}}"));
  assert_ok (lm_writer_set_wall_time (w, T0 + 20));
  assert_ok (lm_writer_add_mesh (w, "cloud", 3, cloud, 5, NULL, NULL, 0, NULL));
  assert_ok (lm_writer_add_mesh (w, "cloud", 4, cloud, 4, NULL, NULL, 0, NULL));
}

/* The rows of a query as text: reals exactly, or in float32 precision
 * where the column's name starts with f_ (what an event file holds). */
/* Every histogram's buckets as "edge [count] edge ...", as TensorBoard
 * would show them (tb_view: empty buckets at the ends dropped, the outer
 * edges at min and max) or as stored. */
static char *
histogram_buckets (sqlite3 *db, gboolean tb_view)
{
  sqlite3_stmt *st = db_query (db, "SELECT h.bucket_count, h.edges, h.counts, h.min, h.max "
                                   "FROM histograms h JOIN tags t ON t.id = h.tag_id "
                                   "ORDER BY t.name, h.step");
  GString *s = g_string_new (NULL);

  while (sqlite3_step (st) == SQLITE_ROW)
    {
      int k = sqlite3_column_int (st, 0), first = 0, last;
      const double *edges = sqlite3_column_blob (st, 1), *counts = sqlite3_column_blob (st, 2);

      g_assert_cmpint (sqlite3_column_bytes (st, 1), ==, (k + 1) * (int) sizeof (double));
      g_assert_cmpint (sqlite3_column_bytes (st, 2), ==, k * (int) sizeof (double));
      last = k;
      if (tb_view)
        {
          while (first < k && !(counts[first] > 0))
            first++;
          while (last > first && !(counts[last - 1] > 0))
            last--;
        }
      for (int i = first; i <= last; i++)
        {
          double e = edges[i];

          if (tb_view && i == first)
            e = sqlite3_column_double (st, 3);
          else if (tb_view && i == last)
            e = sqlite3_column_double (st, 4);
          g_string_append_printf (s, "%.17g", e);
          if (i < last)
            g_string_append_printf (s, " [%.17g] ", counts[i]);
        }
      g_string_append_c (s, '\n');
    }
  sqlite3_finalize (st);
  return g_string_free (s, FALSE);
}

static char *
dump (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *st = db_query (db, sql);
  GString *s = g_string_new (NULL);

  while (sqlite3_step (st) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (st); i++)
        {
          gboolean f32 = g_str_has_prefix (sqlite3_column_name (st, i), "f_");
          switch (sqlite3_column_type (st, i))
            {
            case SQLITE_NULL: g_string_append (s, "NULL"); break;
            case SQLITE_INTEGER:
              g_string_append_printf (s, "%lld", (long long) sqlite3_column_int64 (st, i));
              break;
            case SQLITE_FLOAT:
              if (f32)
                g_string_append_printf (s, "%.9g", (double) (float) sqlite3_column_double (st, i));
              else
                g_string_append_printf (s, "%.17g", sqlite3_column_double (st, i));
              break;
            default: g_string_append (s, (const char *) sqlite3_column_text (st, i)); break;
            }
          g_string_append_c (s, '|');
        }
      g_string_append_c (s, '\n');
    }
  sqlite3_finalize (st);
  return g_string_free (s, FALSE);
}

static void
test_round_trip (void)
{
  g_autofree char *src = tmpdir_new (), *mid = tmpdir_new (), *back = tmpdir_new ();
  lm_writer *w = writer_open (src, "exp/a");
  Messages m;

  log_everything (w);
  assert_ok (lm_writer_close (w));
  g_assert_cmpuint (export_dir (src, mid, 0, NULL, &m), ==, 0);
  g_assert_cmpuint (m.infos->len, ==, 1);
  g_assert_nonnull (strstr (m.infos->pdata[0],
                            ": exported 12 scalars, 2 histograms, 3 images, 3 videos, 3 audio clips, 1 text, "
                            "1 PR curve, "
                            "1 graph, 2 custom scalars layouts, 1 hparams set, 1 embedding, "
                            "3 meshes; "
                            "skipped 1 trace (no TensorBoard form)"));
  messages_clear (&m);
  /* the projector's files, as add_embedding names them */
  g_autofree char *pbtxt_path = g_build_filename (mid, "exp/a/projector_config.pbtxt", NULL);
  g_autofree char *pbtxt = NULL;
  g_assert_true (g_file_get_contents (pbtxt_path, &pbtxt, NULL, NULL));
  g_assert_cmpstr (pbtxt, ==,
                   "embeddings {\n  tensor_name: \"feat/x:00007\"\n"
                   "  tensor_path: \"00007/feat%2fx/tensors.tsv\"\n"
                   "  metadata_path: \"00007/feat%2fx/metadata.tsv\"\n"
                   "  sprite {\n    image_path: \"00007/feat%2fx/sprite.png\"\n"
                   "    single_image_dim: 2\n    single_image_dim: 2\n  }\n}\n");

  g_autofree char *mid_run = g_build_filename (mid, "exp/a", NULL);
  g_assert_cmpuint (import_dir (mid_run, back, &m), ==, 0);
  g_assert_cmpuint (m.infos->len, ==, 1);
  g_assert_null (strstr (m.infos->pdata[0], "skipped"));
  messages_clear (&m);

  g_autofree char *p1 = g_build_filename (src, "exp/a/run.lumen", NULL);
  g_autofree char *p2 = g_build_filename (back, "a/run.lumen", NULL);
  sqlite3 *a = db_open_ro (p1), *b = db_open_ro (p2);
  static const char *const queries[] = {
    "SELECT t.name, s.step, s.wall_time, s.value AS f_v FROM scalars s JOIN tags t "
    "ON t.id = s.tag_id ORDER BY t.name, s.step, s.id",
    "SELECT t.name, h.step, h.wall_time, h.count, h.min, h.max, h.sum, h.sum_squares "
    "FROM histograms h JOIN tags t ON t.id = h.tag_id ORDER BY t.name, h.step",
    "SELECT t.name, i.step, i.wall_time, i.width, i.height, i.channels, i.frames, i.fps, "
    "hex(i.png) FROM images i JOIN tags t ON t.id = i.tag_id ORDER BY t.name, i.step",
    "SELECT t.name, x.step, x.wall_time, x.value FROM texts x JOIN tags t ON t.id = x.tag_id "
    "ORDER BY t.name, x.step",
    "SELECT t.name, p.step, p.wall_time, p.num_thresholds, q.i, q.threshold AS f_th, "
    "q.tp AS f_tp, q.fp AS f_fp, q.tn AS f_tn, q.fn AS f_fn, q.precision AS f_p, "
    "q.recall AS f_r FROM pr_curves p JOIN tags t ON t.id = p.tag_id "
    "JOIN pr_curve_points q ON q.curve_id = p.id ORDER BY t.name, p.step, q.i",
    "SELECT name, type, value FROM hparams ORDER BY name",
    "SELECT tag FROM hparam_metrics ORDER BY tag",
    "SELECT c.wall_time, c.category, c.title, c.kind, t.i, t.tag FROM custom_scalar_charts c "
    "JOIN custom_scalar_tags t ON t.chart_id = c.id ORDER BY c.id, t.i",
    "SELECT g.step, g.wall_time, n.node_id, n.op, n.module, n.shape, n.dtype, n.device "
    "FROM graphs g JOIN graph_nodes n ON n.graph_id = g.id ORDER BY g.id, n.node_id",
    "SELECT src, dst, dst_slot FROM graph_edges ORDER BY graph_id, dst, dst_slot",
    "SELECT tag, step, n, d, hex(tensor), hex(sprite), thumb_width, thumb_height, "
    "thumb_channels, sprite_cols FROM embeddings ORDER BY id",
    "SELECT i, label FROM embedding_metadata ORDER BY embedding_id, i",
    "SELECT t.name, t.kind, a.step, a.wall_time, a.sample_rate, a.channels, a.frames, hex(a.wav), "
    "a.label FROM audio a JOIN tags t ON t.id = a.tag_id ORDER BY a.id",
    /* a mesh without a config comes back with add_mesh's "{}" */
    "SELECT t.name, t.kind, m.step, m.wall_time, m.n_vertices, m.n_faces, hex(m.vertices), "
    "hex(m.colors), hex(m.faces), ifnull(m.config, '{}') FROM meshes m "
    "JOIN tags t ON t.id = m.tag_id ORDER BY m.id",
  };
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *want = dump (a, queries[i]), *got = dump (b, queries[i]);
      g_test_message ("%s", queries[i]);
      g_assert_cmpstr (want, !=, "");
      g_assert_cmpstr (got, ==, want);
    }
  /* the buckets come back as TensorBoard shows them: from the first
   * non-empty bucket to the last, the outer edges at min and max */
  {
    g_autofree char *want = histogram_buckets (a, TRUE), *got = histogram_buckets (b, FALSE);

    g_assert_cmpstr (want, !=, "");
    g_assert_cmpstr (got, ==, want);
  }
  sqlite3_close (a);
  sqlite3_close (b);
  tmpdir_free (g_steal_pointer (&src));
  tmpdir_free (g_steal_pointer (&mid));
  tmpdir_free (g_steal_pointer (&back));
}

/* A video is a Summary.Image of its stored APNG, as add_video's holds its
 * GIF: width, height, colorspace = channels (as PyTorch writes them). */
/* add_embedding(metadata=rows, metadata_header=["label", "split"]) in
 * PyTorch 1.13 writes metadata.tsv as
 *   "\n".join(["\t".join(str(e) for e in l) for l in [header] + rows]) + "\n"
 * and one column as a value a line, without the header. */
static void
test_embedding_columns (void)
{
  g_autofree char *src = tmpdir_new (), *mid = tmpdir_new (), *back = tmpdir_new ();
  lm_writer *w = writer_open (src, "cols");
  Messages m;
  const float mat[3 * 2] = { 0.5f, 1, 2, 3, 4, 5 };
  const char *header[2] = { "label", "split" };
  const char *meta[3 * 2] = { "cat", "train", "dog", "test", "cat ✓", "" };
  const char *one[1] = { "digit" };
  const char *digits[3] = { "7", "2", "1" };

  assert_ok (lm_writer_add_embedding_columns (w, "two", 1, mat, 3, 2, header, 2, meta, NULL, 0, 0, 0));
  assert_ok (lm_writer_add_embedding_columns (w, "one", 1, mat, 3, 2, one, 1, digits, NULL, 0, 0, 0));
  assert_ok (lm_writer_close (w));
  g_assert_cmpuint (export_dir (src, mid, 0, NULL, &m), ==, 0);
  messages_clear (&m);
  g_autofree char *two_path = g_build_filename (mid, "cols/00001/two/metadata.tsv", NULL);
  g_autofree char *one_path = g_build_filename (mid, "cols/00001/one/metadata.tsv", NULL);
  g_autofree char *two = NULL, *one_tsv = NULL;
  g_assert_true (g_file_get_contents (two_path, &two, NULL, NULL));
  g_assert_cmpstr (two, ==, "label\tsplit\ncat\ttrain\ndog\ttest\ncat ✓\t\n");
  g_assert_true (g_file_get_contents (one_path, &one_tsv, NULL, NULL));
  g_assert_cmpstr (one_tsv, ==, "7\n2\n1\n");

  /* back: the header's columns, the empty last value too */
  g_autofree char *mid_run = g_build_filename (mid, "cols", NULL);
  g_assert_cmpuint (import_dir (mid_run, back, &m), ==, 0);
  messages_clear (&m);
  g_autofree char *p1 = g_build_filename (src, "cols/run.lumen", NULL);
  g_autofree char *p2 = g_build_filename (back, "cols/run.lumen", NULL);
  sqlite3 *a = db_open_ro (p1), *b = db_open_ro (p2);
  static const char *const rows =
    "SELECT e.tag, m.i, m.label, v.col, v.value FROM embeddings e JOIN embedding_metadata m ON "
    "m.embedding_id = e.id LEFT JOIN embedding_values v ON v.embedding_id = e.id AND v.i = m.i "
    "WHERE e.tag = 'two' ORDER BY m.i";
  static const char *const names =
    "SELECT c.name FROM embedding_columns c JOIN embeddings e ON e.id = c.embedding_id "
    "WHERE e.tag = 'two' ORDER BY c.col";
  g_autofree char *want = dump (a, rows), *got = dump (b, rows);
  g_assert_cmpstr (want, !=, "");
  g_assert_cmpstr (got, ==, want);
  g_autofree char *cols = dump (b, names), *want_cols = dump (a, names);
  g_assert_cmpstr (cols, ==, want_cols);
  g_assert_nonnull (strstr (cols, "split"));
  sqlite3_close (a);
  sqlite3_close (b);

  /* lines short of the header's columns have the rest missing, as
   * TensorBoard's projector reads them, and are named on a line */
  g_assert_true (g_file_set_contents (two_path, "label\tsplit\ncat\ttrain\ndog\ncat\n", -1, NULL));
  g_autofree char *back2 = tmpdir_new ();
  g_assert_cmpuint (import_dir (mid_run, back2, &m), ==, 0);
  gboolean named = FALSE;
  for (guint i = 0; i < m.infos->len; i++)
    named |= strstr (m.infos->pdata[i], "embedding 'two:00001': ") != NULL
             && strstr (m.infos->pdata[i], "metadata.tsv: 2 lines (the first line 3) have fewer fields than "
                                           "the header's 2: the missing values are empty") != NULL;
  g_assert_true (named);
  g_autofree char *p3 = g_build_filename (back2, "cols/run.lumen", NULL);
  sqlite3 *c = db_open_ro (p3);
  g_autofree char *short_rows = dump (c, rows);
  sqlite3_close (c);
  g_assert_cmpstr (short_rows, ==, "two|0|cat|1|train|\ntwo|1|dog|1||\ntwo|2|cat|1||\n");
  messages_clear (&m);
  tmpdir_free (g_steal_pointer (&src));
  tmpdir_free (g_steal_pointer (&mid));
  tmpdir_free (g_steal_pointer (&back));
  tmpdir_free (g_steal_pointer (&back2));
}

static void
test_video (void)
{
  g_autofree char *src = tmpdir_new (), *dst = tmpdir_new ();
  lm_writer *w = writer_open (src, "run");
  guint8 frames[2 * 5 * 2];
  Messages m;

  for (guint i = 0; i < sizeof frames; i++)
    frames[i] = (guint8) (i * 25);
  assert_ok (lm_writer_add_video (w, "clip", 7, frames, 2, 5, 2, 1, 4));
  assert_ok (lm_writer_close (w));
  g_autofree char *run_dir = g_build_filename (src, "run", NULL);
  g_assert_cmpuint (export_dir (run_dir, dst, 0, NULL, &m), ==, 0);
  g_assert_nonnull (strstr (m.infos->pdata[0], ": exported 0 scalars, 1 video"));
  messages_clear (&m);

  g_autofree char *db_path = g_build_filename (run_dir, "run.lumen", NULL);
  sqlite3 *db = db_open_ro (db_path);
  sqlite3_stmt *st = db_query (db, "SELECT png FROM images");
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_autoptr (GBytes) apng = g_bytes_new (sqlite3_column_blob (st, 0),
                                          (gsize) sqlite3_column_bytes (st, 0));
  sqlite3_finalize (st);
  sqlite3_close (db);

  g_autofree char *out = g_build_filename (dst, "run", NULL);
  g_autofree char *file = event_file (out, NULL);
  int fd = open (file, O_RDONLY);
  guint64 offset = 0;
  g_autoptr (GByteArray) rec = g_byte_array_new ();
  guint images = 0;
  g_assert_cmpint (fd, >=, 0);
  while (lm_tfrecord_read (fd, file, &offset, rec, NULL) == LM_TFRECORD_OK)
    {
      LmTfEvent ev;
      g_assert_true (lm_tf_event_parse (rec->data, rec->len, &ev));
      if (ev.summary == NULL)
        continue;
      g_assert_cmpint (ev.step, ==, 7);
      LmPb pb, pv, pi;
      LmPbField f, g, h;
      gboolean bad = FALSE;
      lm_pb_init (&pb, ev.summary, ev.summary_len);
      while (lm_pb_next (&pb, &f, &bad)) /* Summary.value 1 */
        {
          lm_pb_init (&pv, f.data, f.len);
          while (lm_pb_next (&pv, &g, &bad))
            {
              if (g.field != 4) /* Value.image 4 */
                continue;
              guint64 hw[4] = { 0 };
              lm_pb_init (&pi, g.data, g.len);
              while (lm_pb_next (&pi, &h, &bad))
                if (h.field == 4)
                  g_assert_cmpmem (h.data, h.len, g_bytes_get_data (apng, NULL),
                                   g_bytes_get_size (apng));
                else if (h.field <= 3)
                  hw[h.field] = h.varint;
              g_assert_cmpuint (hw[1], ==, 2); /* height */
              g_assert_cmpuint (hw[2], ==, 5); /* width */
              g_assert_cmpuint (hw[3], ==, 1); /* colorspace */
              images++;
            }
        }
      g_assert_false (bad);
    }
  close (fd);
  g_assert_cmpuint (images, ==, 1);
  tmpdir_free (g_steal_pointer (&src));
  tmpdir_free (g_steal_pointer (&dst));
}

/* ------------------------------------------------------------- boxes */

/* The red pixels PyTorch's add_image_with_boxes burns into a 40x30 image
 * for boxes (6, 5, 30, 24), (22, 2, 36, 12) and (-5, 27, 12, 40), labels
 * aside; from /usr/bin/python3 with Pillow 9.4, as summary.py's
 * _draw_single_box draws them:
 *   d = ImageDraw.Draw(im); d.line([(l,t),(l,b),(r,b),(r,t),(l,t)],
 *                                  width=2, fill='Red')
 * ('#': (255, 0, 0)). */
static const char *const burned_mask[30] = {
  "........................................",
  "......................###############...",
  "......................###############...",
  "......................##...........##...",
  "......#########################....##...",
  "......#########################....##...",
  "......##..............##.....##....##...",
  "......##..............##.....##....##...",
  "......##..............##.....##....##...",
  "......##..............##.....##....##...",
  "......##..............##.....##....##...",
  "......##..............##.....##....##...",
  "......##..............###############...",
  "......##..............###############...",
  "......##.....................##.........",
  "......##.....................##.........",
  "......##.....................##.........",
  "......##.....................##.........",
  "......##.....................##.........",
  "......##.....................##.........",
  "......##.....................##.........",
  "......##.....................##.........",
  "......##.....................##.........",
  "......##.....................##.........",
  "......#########################.........",
  "......#########################.........",
  "#############...........................",
  "#############...........................",
  "...........##...........................",
  "...........##...........................",
};

/* The PNGs of the event file's images, tag -> GBytes, and their
 * colorspace (Summary.Image field 3) -> "tag/channels" keys. */
static GHashTable *
exported_images (const char *file, GHashTable *channels)
{
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  int fd = open (file, O_RDONLY);
  guint64 offset = 0;
  g_autoptr (GByteArray) rec = g_byte_array_new ();

  g_assert_cmpint (fd, >=, 0);
  while (lm_tfrecord_read (fd, file, &offset, rec, NULL) == LM_TFRECORD_OK)
    {
      LmTfEvent ev;
      LmPb pb, pv, pi;
      LmPbField f, g, h;
      gboolean bad = FALSE;

      g_assert_true (lm_tf_event_parse (rec->data, rec->len, &ev));
      if (ev.summary == NULL)
        continue;
      lm_pb_init (&pb, ev.summary, ev.summary_len);
      while (lm_pb_next (&pb, &f, &bad))
        {
          g_autofree char *tag = NULL;
          GBytes *png = NULL;
          guint64 colorspace = 0;

          lm_pb_init (&pv, f.data, f.len);
          while (lm_pb_next (&pv, &g, &bad))
            if (g.field == 1)
              tag = g_strndup ((const char *) g.data, g.len);
            else if (g.field == 4)
              {
                lm_pb_init (&pi, g.data, g.len);
                while (lm_pb_next (&pi, &h, &bad))
                  if (h.field == 4)
                    png = g_bytes_new (h.data, h.len);
                  else if (h.field == 3)
                    colorspace = h.varint;
              }
          if (tag != NULL && png != NULL)
            {
              g_hash_table_insert (channels, g_strdup (tag), GUINT_TO_POINTER ((guint) colorspace));
              g_hash_table_insert (out, g_steal_pointer (&tag), png);
            }
          else if (png != NULL)
            g_bytes_unref (png);
        }
      g_assert_false (bad);
    }
  close (fd);
  return out;
}

/* RGB pixels of a PNG (g_free). */
static guint8 *
png_rgb (GBytes *png, int *w, int *h)
{
  png_image img;
  guint8 *buf;

  memset (&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  g_assert_true (png_image_begin_read_from_memory (&img, g_bytes_get_data (png, NULL), g_bytes_get_size (png)));
  img.format = PNG_FORMAT_RGB;
  buf = g_malloc (PNG_IMAGE_SIZE (img));
  g_assert_true (png_image_finish_read (&img, NULL, buf, 0, NULL));
  *w = (int) img.width;
  *h = (int) img.height;
  return buf;
}

/* Images with boxes are exported with the boxes burned in where PyTorch
 * burns them (the mask above), the label black on red at the first box's
 * bottom-left, every other pixel untouched; a grey image's boxes are red
 * (exported as RGB); a still without boxes and one whose boxes JSON was
 * damaged are exported as they are, the damaged one named. */
static void
test_boxes (void)
{
  g_autofree char *src = tmpdir_new (), *dst = tmpdir_new ();
  lm_writer *w = writer_open (src, "run");
  const guint8 rgb[3] = { 60, 140, 220 };
  guint8 px[30 * 40 * 3], grey[30 * 40];
  const float boxes[] = { 6, 5, 30, 24, 22, 2, 36, 12, -5, 27, 12, 40 };
  const char *labels[] = { "cat", NULL, NULL };
  Messages m;

  for (int i = 0; i < 30 * 40; i++)
    {
      memcpy (px + 3 * i, rgb, 3);
      grey[i] = 90;
    }
  assert_ok (lm_writer_add_image_with_boxes (w, "det", 1, px, 40, 30, 3, boxes, 3, labels));
  assert_ok (lm_writer_add_image_with_boxes (w, "grey", 1, grey, 40, 30, 1, boxes, 3, NULL));
  assert_ok (lm_writer_add_image_with_boxes (w, "damaged", 1, px, 40, 30, 3, boxes, 3, NULL));
  assert_ok (lm_writer_add_image (w, "plain", 1, px, 40, 30, 3));
  g_autofree char *db_path = g_strdup (lm_writer_file_path (w));
  assert_ok (lm_writer_close (w));
  {
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE images SET boxes = '[[1,2' WHERE tag_id = "
                                       "(SELECT id FROM tags WHERE name = 'damaged')", NULL, NULL, NULL),
                     ==, SQLITE_OK);
    sqlite3_close (db);
  }
  g_autofree char *run_dir = g_build_filename (src, "run", NULL);
  g_assert_cmpuint (export_dir (run_dir, dst, 0, NULL, &m), ==, 0);
  g_assert_nonnull (strstr (m.infos->pdata[m.infos->len - 1], ": exported 0 scalars, 4 images"));
  {
    gboolean named = FALSE;

    for (guint i = 0; i < m.infos->len; i++)
      named |= strstr (m.infos->pdata[i], "run.lumen: image 'damaged' at step 1 exported without its boxes: "
                                          "boxes JSON: expected ',' at the end of the text (byte 5)")
               != NULL;
    g_assert_true (named);
  }
  messages_clear (&m);

  g_autofree char *out = g_build_filename (dst, "run", NULL);
  g_autofree char *file = event_file (out, NULL);
  g_autoptr (GHashTable) chans = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) pngs = exported_images (file, chans);
  const char *tags[] = { "det", "grey" };

  for (int k = 0; k < 2; k++)
    {
      int iw, ih, red = 0, dark = 0;
      g_autofree guint8 *dec = png_rgb (g_hash_table_lookup (pngs, tags[k]), &iw, &ih);
      guint8 want = k ? 90 : 0;

      g_assert_cmpint (iw, ==, 40);
      g_assert_cmpint (ih, ==, 30);
      if (g_getenv ("LUMEN_TEST_SHOTS") != NULL)
        {
          g_autofree char *name = g_strdup_printf ("export-boxes-%s.png", tags[k]);
          g_autofree char *path = g_build_filename (g_getenv ("LUMEN_TEST_SHOTS"), name, NULL);
          GBytes *png = g_hash_table_lookup (pngs, tags[k]);

          g_assert_true (g_file_set_contents (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png), NULL));
        }
      g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (chans, tags[k])), ==, 3);
      for (int y = 0; y < 30; y++)
        for (int x = 0; x < 40; x++)
          {
            const guint8 *p = dec + (y * 40 + x) * 3;
            /* the label's box: from the first box's bottom-left (6, 25)
             * up and right */
            gboolean in_label = k == 0 && x >= 6 && x < 6 + 30 && y >= 25 - 16 && y < 25;

            if (in_label)
              {
                red += p[0] == 255 && p[1] == 0 && p[2] == 0;
                dark += p[0] < 80 && p[1] < 80 && p[2] < 80;
                continue;
              }
            if (burned_mask[y][x] == '#')
              {
                if (!(p[0] == 255 && p[1] == 0 && p[2] == 0))
                  g_error ("%s: pixel %d,%d is %d,%d,%d, want red", tags[k], x, y, p[0], p[1], p[2]);
              }
            else if (k == 0 ? memcmp (p, rgb, 3) != 0 : (p[0] != want || p[1] != want || p[2] != want))
              g_error ("%s: pixel %d,%d is %d,%d,%d, want the image's", tags[k], x, y, p[0], p[1], p[2]);
          }
      if (k == 0)
        {
          g_test_message ("label: %d red, %d dark pixels", red, dark);
          g_assert_cmpint (red, >, 40);
          g_assert_cmpint (dark, >, 8);
        }
    }
  /* untouched: the damaged one and the plain one */
  for (int k = 0; k < 2; k++)
    {
      int iw, ih;
      g_autofree guint8 *dec = png_rgb (g_hash_table_lookup (pngs, k ? "plain" : "damaged"), &iw, &ih);

      g_assert_cmpmem (dec, sizeof px, px, sizeof px);
    }
  tmpdir_free (g_steal_pointer (&src));
  tmpdir_free (g_steal_pointer (&dst));
}

/* A translucent RGBA image with boxes: the box and label pixels are
 * opaque red (or the label's black) and every other pixel is the
 * image's, byte for byte, as PIL leaves them; through cairo's
 * premultiplied ARGB32 they changed colour (pixel 0,0, 0,200,5 at
 * alpha 1, came back 0,255,0). */
static void
test_boxes_translucent (void)
{
  g_autofree char *src = tmpdir_new (), *dst = tmpdir_new ();
  lm_writer *w = writer_open (src, "run");
  guint8 px[30 * 40 * 4];
  const float boxes[] = { 6, 5, 30, 24, 22, 2, 36, 12, -5, 27, 12, 40 };
  const char *labels[] = { "cat", NULL, NULL };
  Messages m;
  png_image img;
  int inked = 0;

  for (int i = 0; i < 30 * 40; i++)
    {
      px[4 * i] = (guint8) (7 * i);
      px[4 * i + 1] = (guint8) (200 - i % 50);
      px[4 * i + 2] = (guint8) (13 * i + 5);
      px[4 * i + 3] = (guint8) (1 + i % 254); /* 1 to 254: all translucent */
    }
  assert_ok (lm_writer_add_image_with_boxes (w, "rgba", 1, px, 40, 30, 4, boxes, 3, labels));
  assert_ok (lm_writer_close (w));
  g_autofree char *run_dir = g_build_filename (src, "run", NULL);
  g_assert_cmpuint (export_dir (run_dir, dst, 0, NULL, &m), ==, 0);
  messages_clear (&m);

  g_autofree char *out = g_build_filename (dst, "run", NULL);
  g_autofree char *file = event_file (out, NULL);
  g_autoptr (GHashTable) chans = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) pngs = exported_images (file, chans);
  GBytes *png = g_hash_table_lookup (pngs, "rgba");

  g_assert_nonnull (png);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (chans, "rgba")), ==, 4);
  memset (&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  g_assert_true (png_image_begin_read_from_memory (&img, g_bytes_get_data (png, NULL), g_bytes_get_size (png)));
  g_assert_cmpuint (img.width, ==, 40);
  g_assert_cmpuint (img.height, ==, 30);
  img.format = PNG_FORMAT_RGBA;
  g_autofree guint8 *dec = g_malloc (PNG_IMAGE_SIZE (img));
  g_assert_true (png_image_finish_read (&img, NULL, dec, 0, NULL));
  for (int y = 0; y < 30; y++)
    for (int x = 0; x < 40; x++)
      {
        const guint8 *p = dec + (y * 40 + x) * 4, *q = px + (y * 40 + x) * 4;
        gboolean in_label = x >= 6 && x < 6 + 30 && y >= 25 - 16 && y < 25;

        if (in_label)
          {
            /* drawn over, opaque, or the image's own */
            if (memcmp (p, q, 4) != 0)
              {
                g_assert_cmpuint (p[3], ==, 255);
                inked++;
              }
            continue;
          }
        if (burned_mask[y][x] == '#')
          {
            if (!(p[0] == 255 && p[1] == 0 && p[2] == 0 && p[3] == 255))
              g_error ("pixel %d,%d is %d,%d,%d,%d, want opaque red", x, y, p[0], p[1], p[2], p[3]);
          }
        else if (memcmp (p, q, 4) != 0)
          g_error ("pixel %d,%d is %d,%d,%d,%d, want the image's %d,%d,%d,%d", x, y, p[0], p[1], p[2],
                   p[3], q[0], q[1], q[2], q[3]);
      }
  g_test_message ("label: %d pixels drawn", inked);
  g_assert_cmpint (inked, >, 40);
  tmpdir_free (g_steal_pointer (&src));
  tmpdir_free (g_steal_pointer (&dst));
}

/* ------------------------------------------------------ command line */

static int
run_export (const char *const *args, char **err)
{
  const char *exe = g_getenv ("LUMEN_EXPORT");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  int status;

  g_assert_nonnull (exe);
  g_ptr_array_add (argv, (gpointer) exe);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                               NULL, NULL, err, &status, NULL));
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
small_run (const char *dir, const char *name, double v)
{
  lm_writer *w = writer_open (dir, name);
  assert_ok (lm_writer_add_scalar (w, "loss", 1, v));
  assert_ok (lm_writer_close (w));
}

static gboolean
exported (const char *dst, const char *run)
{
  g_autofree char *dir = g_build_filename (dst, run, NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *n;

  while (d && (n = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (n, "events.out.tfevents."))
      return TRUE;
  return FALSE;
}

/* A damaged run file is named, the others are exported, exit 1. */
static void
test_damaged (void)
{
  g_autofree char *src = tmpdir_new (), *dst = tmpdir_new ();
  g_autofree char *err = NULL;

  small_run (src, "a", 1);
  small_run (src, "b", 2);
  small_run (src, "c", 3);
  g_autofree char *bad = g_build_filename (src, "b", "run.lumen", NULL);
  g_assert_true (g_file_set_contents (bad, "this is not a database, it was damaged........"
                                      "................................................", -1,
                                      NULL));
  const char *args[] = { src, dst, NULL };
  g_assert_cmpint (run_export (args, &err), ==, 1);
  g_assert_nonnull (strstr (err, bad));
  g_assert_nonnull (strstr (err, "not a Lumen run file"));
  g_assert_true (exported (dst, "a"));
  g_assert_false (exported (dst, "b"));
  g_assert_true (exported (dst, "c"));
  tmpdir_free (g_steal_pointer (&src));
  tmpdir_free (g_steal_pointer (&dst));
}

/* A symlink back up the tree (r/up -> SRC) is walked once: one run,
 * exported once.  Before, the walk went down r/up/r/up/... to the depth
 * limit, exporting the run again at each level. */
static void
test_symlink_loop (void)
{
  g_autofree char *src = tmpdir_new (), *dst = tmpdir_new ();
  g_autofree char *err = NULL;
  g_autofree char *up = NULL, *looped = NULL;

  small_run (src, "r", 1);
  up = g_build_filename (src, "r", "up", NULL);
  looped = g_build_filename (dst, "r", "up", NULL);
  g_assert_cmpint (symlink (src, up), ==, 0);
  const char *args[] = { src, dst, NULL };
  g_assert_cmpint (run_export (args, &err), ==, 0);
  g_test_message ("%s", err);
  g_assert_true (exported (dst, "r"));
  g_assert_null (strstr (err, "/up/"));
  g_assert_false (g_file_test (looped, G_FILE_TEST_EXISTS));
  tmpdir_free (g_steal_pointer (&src));
  tmpdir_free (g_steal_pointer (&dst));
}

/* In the child: a 64 KiB file size limit (ulimit -f 64), and SIGXFSZ as a
 * shell leaves it (meson's Python ignores it, and exec passes that on). */
static void
limit_file_size (gpointer data)
{
  struct rlimit rl = { 64 * 1024, 64 * 1024 };

  (void) data;
  setrlimit (RLIMIT_FSIZE, &rl);
  signal (SIGXFSZ, SIG_DFL);
}

/* A run whose event file reaches a file size limit is named with the
 * system's reason and not called exported; the runs after it are still
 * exported, exit 1.  Before, SIGXFSZ killed lumen-export at that file
 * without a word, leaving the other runs unexported. */
static void
test_file_size_limit (void)
{
  g_autofree char *src = tmpdir_new (), *dst = tmpdir_new ();
  g_autofree char *out = NULL, *err = NULL;
  lm_writer *w = writer_open (src, "big");
  const char *argv[] = { g_getenv ("LUMEN_EXPORT"), src, dst, NULL };
  int status = -1;

  for (int i = 0; i < 5000; i++)
    assert_ok (lm_writer_add_scalar (w, "loss", i, 1.0 / (i + 1)));
  assert_ok (lm_writer_close (w));
  small_run (src, "small", 1);
  g_assert_nonnull (argv[0]);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, limit_file_size, NULL, &out,
                               &err, &status, NULL));
  g_test_message ("%s%s", out, err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "failed: File too large; run not exported whole\n"));
  g_assert_null (strstr (err, "big/run.lumen -> "));
  g_assert_nonnull (strstr (err, "small/run.lumen -> "));
  g_assert_true (exported (dst, "small"));
  tmpdir_free (g_steal_pointer (&src));
  tmpdir_free (g_steal_pointer (&dst));
}

/* --runs picks runs; existing output is refused without --overwrite
 * and replaced (one event file left) with it; bad arguments exit 2. */
static void
test_options (void)
{
  g_autofree char *src = tmpdir_new (), *dst = tmpdir_new ();
  g_autofree char *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL, *e5 = NULL;

  small_run (src, "lr0.1", 1);
  small_run (src, "lr0.01", 2);
  const char *only[] = { src, dst, "--runs", "0\\.1$", NULL };
  g_assert_cmpint (run_export (only, &e1), ==, 0);
  g_assert_true (exported (dst, "lr0.1"));
  g_assert_false (exported (dst, "lr0.01"));
  const char *again[] = { src, dst, NULL };
  g_assert_cmpint (run_export (again, &e2), ==, 1);
  g_assert_nonnull (strstr (e2, "already exists; run not exported (--overwrite replaces it)"));
  g_assert_true (exported (dst, "lr0.01"));
  const char *over[] = { src, dst, "--overwrite", "-q", NULL };
  g_assert_cmpint (run_export (over, &e3), ==, 0);
  g_assert_cmpstr (e3, ==, "");
  g_autofree char *dir = g_build_filename (dst, "lr0.1", NULL);
  g_autofree char *one = event_file (dir, NULL); /* asserts there is one */
  const char *bad_re[] = { src, dst, "--runs", "(", NULL };
  g_assert_cmpint (run_export (bad_re, &e4), ==, 2);
  g_assert_nonnull (strstr (e4, "--runs '(' is not a valid regular expression"));
  const char *none[] = { src, dst, "--runs", "nothing", NULL };
  g_assert_cmpint (run_export (none, &e5), ==, 1);
  g_assert_nonnull (strstr (e5, "no Lumen runs (run.lumen) matching --runs found"));
  tmpdir_free (g_steal_pointer (&src));
  tmpdir_free (g_steal_pointer (&dst));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/export/bytes", test_bytes);
  g_test_add_func ("/export/mesh-bytes", test_mesh_bytes);
  g_test_add_func ("/export/mesh-damaged", test_mesh_damaged);
  g_test_add_func ("/export/round-trip", test_round_trip);
  g_test_add_func ("/export/embedding-columns", test_embedding_columns);
  g_test_add_func ("/export/video", test_video);
  g_test_add_func ("/export/boxes", test_boxes);
  g_test_add_func ("/export/boxes-translucent", test_boxes_translucent);
  g_test_add_func ("/export/damaged", test_damaged);
  g_test_add_func ("/export/file-size-limit", test_file_size_limit);
  g_test_add_func ("/export/symlink-loop", test_symlink_loop);
  g_test_add_func ("/export/options", test_options);
  return g_test_run ();
}
