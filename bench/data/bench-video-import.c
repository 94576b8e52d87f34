/* bench-video-import.c: what importing animated PNGs costs.
 *
 * 20 videos of 100 frames (210x160 RGB, Atari-sized, 15 fps) are logged
 * with lumen-log and exported with lumen-export as TensorBoard event
 * files holding their APNGs; then it prints
 *  1. lumen-import of those event files, end to end (wall and CPU time);
 *  2. per video, what lumen-import did before storing APNGs as they are
 *     (lm_image_decode_apng, the frames to RGB, lm_writer_add_video's
 *     encoding) against what it does now (lm_writer_add_video_png's
 *     checks: every frame inflated by libpng, no encoding).
 *
 * Not a test: it is built with the project and run by hand:
 *   build/bench/data/bench-video-import
 * With BENCH_KEEP=1 the event files are kept (their folder is printed),
 * to time another lumen-import on them.
 * Figures depend on the machine and on what else it is running.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <time.h>

#include "lm-image-loader.h"
#include "lm-tb-export.h"
#include "lm-tb-import.h"
#include "lumen-log.h"

#define N_VIDEOS 20
#define N_FRAMES 100
#define W 210
#define H 160

static double now_s(void) {
  return (double)g_get_monotonic_time() / G_USEC_PER_SEC;
}

static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static lm_writer *open_run(const char *dir, const char *run) {
  lm_writer_options o;
  lm_writer_options_init(&o);
  o.logdir = dir;
  o.run_name = run;
  o.quiet = 1;
  lm_writer *w = NULL;
  if (lm_writer_open_with(&w, &o) != LM_OK)
    g_error("opening %s/%s: %s", dir, run, lm_log_last_error());
  return w;
}

/* A ball bouncing over a gradient, moving a little each frame: frames
 * that compress as game footage does. */
static guint8 *make_frames(int v) {
  guint8 *f = g_malloc((gsize)N_FRAMES * W * H * 3), *p = f;
  for (int t = 0; t < N_FRAMES; t++) {
    int bx = (t * 3 + v * 17) % (W - 10), by = (t * 2 + v * 5) % (H - 10);
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++, p += 3) {
        gboolean ball = x >= bx && x < bx + 10 && y >= by && y < by + 10;
        p[0] = ball ? 255 : (guint8)(x / 2);
        p[1] = ball ? 255 : (guint8)(y + v);
        p[2] = ball ? 255 : 90;
      }
  }
  return f;
}

static void rm_rf(const char *path) {
  GDir *d = g_dir_open(path, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    g_autofree char *sub = g_build_filename(path, name, NULL);
    if (g_file_test(sub, G_FILE_TEST_IS_DIR))
      rm_rf(sub);
    else
      g_unlink(sub);
  }
  if (d)
    g_dir_close(d);
  g_rmdir(path);
}

static void quiet(const char *message, gboolean is_error, gpointer data) {
  (void)data;
  if (is_error)
    g_printerr("%s\n", message);
}

int main(void) {
  g_autofree char *root = g_dir_make_tmp("bench-video-import-XXXXXX", NULL);
  g_autofree char *logged = g_build_filename(root, "logged", NULL);
  g_autofree char *events = g_build_filename(root, "events", NULL);
  g_autofree char *imported = g_build_filename(root, "imported", NULL);
  g_autofree char *redo = g_build_filename(root, "redo", NULL);

  lm_writer *w = open_run(logged, "run");
  for (int v = 0; v < N_VIDEOS; v++) {
    g_autofree guint8 *f = make_frames(v);
    g_autofree char *tag = g_strdup_printf("episode/%02d", v);
    if (lm_writer_add_video(w, tag, 0, f, N_FRAMES, W, H, 3, 15) != LM_OK)
      g_error("%s", lm_log_last_error());
  }
  lm_writer_close(w);
  LmTbExportOptions eo = {.message = quiet};
  if (lm_tb_export(logged, events, &eo) != 0)
    g_error("lumen-export failed");

  /* 1. lumen-import end to end */
  double t0 = now_s(), c0 = cpu_s();
  LmTbImport *imp = lm_tb_import_new(events, imported, 0);
  lm_tb_import_set_message_func(imp, quiet, NULL);
  lm_tb_import_poll(imp);
  guint errors = lm_tb_import_finish(imp, FALSE);
  lm_tb_import_free(imp);
  double wall = now_s() - t0, cpu = cpu_s() - c0;
  if (errors)
    g_error("lumen-import: %u errors", errors);
  printf("lumen-import of %d APNG videos of %d frames (%dx%d RGB): %.3f s "
         "wall, %.3f s CPU\n",
         N_VIDEOS, N_FRAMES, W, H, wall, cpu);

  /* 2. the two ways of storing each APNG */
  g_autofree char *path = g_build_filename(logged, "run", "run.lumen", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT png FROM images ORDER BY id", -1, &st,
                         NULL) != SQLITE_OK)
    g_error("reading %s", path);
  GPtrArray *blobs =
      g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
  while (sqlite3_step(st) == SQLITE_ROW)
    g_ptr_array_add(blobs, g_bytes_new(sqlite3_column_blob(st, 0),
                                       (gsize)sqlite3_column_bytes(st, 0)));
  sqlite3_finalize(st);
  sqlite3_close(db);

  w = open_run(redo, "decode-encode");
  t0 = now_s();
  c0 = cpu_s();
  for (guint i = 0; i < blobs->len; i++) {
    gsize len;
    const guint8 *d = g_bytes_get_data(blobs->pdata[i], &len);
    g_autoptr(GError) error = NULL;
    g_autoptr(LmImageAnimation) a = lm_image_decode_apng(d, len, 1, &error);
    if (!a)
      g_error("%s", error->message);
    g_autofree guint8 *rgb = g_malloc((gsize)a->n_frames * W * H * 3);
    guint8 *out = rgb;
    for (int f = 0; f < a->n_frames; f++) {
      const guint8 *px = g_bytes_get_data(a->frames[f]->rgba, NULL);
      for (gsize k = 0; k < (gsize)W * H; k++, out += 3)
        memcpy(out, px + 4 * k, 3);
    }
    if (lm_writer_add_video(w, "v", (int64_t)i, rgb, a->n_frames, W, H, 3,
                            15) != LM_OK)
      g_error("%s", lm_log_last_error());
  }
  lm_writer_close(w);
  double before = (now_s() - t0) / blobs->len,
         before_cpu = (cpu_s() - c0) / blobs->len;

  w = open_run(redo, "as-is");
  t0 = now_s();
  c0 = cpu_s();
  for (guint i = 0; i < blobs->len; i++) {
    gsize len;
    const guint8 *d = g_bytes_get_data(blobs->pdata[i], &len);
    if (lm_writer_add_video_png(w, "v", (int64_t)i, d, len) != LM_OK)
      g_error("%s", lm_log_last_error());
  }
  lm_writer_close(w);
  double after = (now_s() - t0) / blobs->len,
         after_cpu = (cpu_s() - c0) / blobs->len;
  printf("per video, stored in a run: decoded and encoded again (lumen-import "
         "before) %.1f ms wall, %.1f ms CPU; lm_writer_add_video_png (now) "
         "%.1f ms wall, %.1f ms CPU: %.1fx less CPU\n",
         before * 1e3, before_cpu * 1e3, after * 1e3, after_cpu * 1e3,
         before_cpu / after_cpu);

  g_ptr_array_unref(blobs);
  if (g_getenv("BENCH_KEEP"))
    printf("the event files: %s (BENCH_KEEP set: kept)\n", events);
  else
    rm_rf(root);
  return 0;
}
