/* test-log-threads.c: the writer thread's promises.  Many producer threads
 * lose nothing; a full queue makes callers wait (counted, reported at
 * close) instead of dropping; a reader sees rows within half a second
 * without any flush; and a logger killed with SIGKILL leaves a sound file
 * holding everything it had flushed.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log-test-util.h"

enum { N_THREADS = 4, PER_THREAD = 50000 };

typedef struct {
  lm_writer *w;
  int index;
} producer_arg;

static gpointer producer(gpointer data) {
  producer_arg *a = data;
  char own[32];
  snprintf(own, sizeof own, "thread%d/loss", a->index);
  float v[64];
  for (int i = 0; i < 64; i++)
    v[i] = (float)(i * a->index);
  for (int step = 0; step < PER_THREAD; step++) {
    assert_ok(lm_writer_add_scalar(a->w, own, step, step * 0.5));
    assert_ok(lm_writer_add_scalar(a->w, "shared", step, a->index));
    if (step % 5000 == 0)
      assert_ok(lm_writer_add_histogram(a->w, "shared/h", step, v, 64));
  }
  return NULL;
}

static void test_four_producers(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "mt");
  GThread *th[N_THREADS];
  producer_arg args[N_THREADS];
  for (int i = 0; i < N_THREADS; i++) {
    args[i] = (producer_arg){w, i};
    th[i] = g_thread_new("producer", producer, &args[i]);
  }
  for (int i = 0; i < N_THREADS; i++)
    g_thread_join(th[i]);
  char *path = g_strdup(lm_writer_file_path(w));
  lm_writer_stats st;
  assert_ok(lm_writer_close_stats(w, &st));
  g_assert_cmpuint(st.records, ==, N_THREADS * (2 * PER_THREAD + 10));

  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==,
                  N_THREADS * 2 * PER_THREAD);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM tags"), ==, N_THREADS + 2);
  for (int i = 0; i < N_THREADS; i++) {
    /* Each thread's own series: every step once, in order. */
    g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars JOIN tags ON "
                               "tags.id = tag_id WHERE name = "
                               "'thread%d/loss'",
                               i),
                    ==, PER_THREAD);
    g_assert_cmpint(db_int(db, "SELECT count(DISTINCT step) FROM scalars "
                               "JOIN tags ON tags.id = tag_id WHERE name = "
                               "'thread%d/loss' AND value = step * 0.5",
                               i),
                    ==, PER_THREAD);
    g_assert_cmpint(db_int(db, "SELECT count(*) FROM (SELECT step, "
                               "lag(step) OVER (ORDER BY scalars.id) AS prev "
                               "FROM scalars JOIN tags ON tags.id = tag_id "
                               "WHERE name = 'thread%d/loss') WHERE prev >= "
                               "step",
                               i),
                    ==, 0);
    g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars JOIN tags ON "
                               "tags.id = tag_id WHERE name = 'shared' AND "
                               "value = %d",
                               i),
                    ==, PER_THREAD);
  }
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM histograms"), ==,
                  N_THREADS * 10);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* A 16-record queue and a slow commit interval: a burst must wait, every
 * wait is counted, and nothing is dropped. */
static void test_queue_full_waits(void) {
  char *dir = tmpdir_new();
  lm_writer_options o;
  lm_writer_options_init(&o);
  o.logdir = dir;
  o.run_name = "small";
  o.queue_capacity = 16;
  o.flush_interval_ms = 1000;
  o.quiet = true;
  lm_writer *w;
  assert_ok(lm_writer_open_with(&w, &o));
  char *path = g_strdup(lm_writer_file_path(w));
  for (int i = 0; i < 20000; i++)
    assert_ok(lm_writer_add_scalar(w, "burst", i, i));
  /* A batch larger than the whole queue goes through in pieces. */
  char names[100][16];
  const char *many[100];
  double mv[100];
  for (int i = 0; i < 100; i++) {
    snprintf(names[i], sizeof names[i], "m/%d", i);
    many[i] = names[i];
    mv[i] = i;
  }
  assert_ok(lm_writer_add_scalars(w, 7, 100, many, mv));
  lm_writer_stats mid;
  lm_writer_get_stats(w, &mid);
  g_assert_cmpuint(mid.queue_waits, >, 0);
  lm_writer_stats st;
  assert_ok(lm_writer_close_stats(w, &st));
  g_assert_cmpuint(st.queue_waits, >=, mid.queue_waits);
  g_assert_cmpuint(st.queue_wait_ns, >, 0);
  sqlite3 *db = db_open_ro(path);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==, 20100);
  g_assert_cmpint(db_int(db, "SELECT sum(step) FROM scalars JOIN tags ON "
                             "tags.id = tag_id WHERE name = 'burst'"),
                  ==, (gint64)20000 * 19999 / 2);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars JOIN tags ON "
                             "tags.id = tag_id WHERE name LIKE 'm/%%' AND "
                             "step = 7 AND value = CAST(substr(name, 3) AS "
                             "REAL)"),
                  ==, 100);
  g_assert_cmpint(db_int(db, "SELECT value FROM run WHERE key = "
                             "'queue_waits'"),
                  ==, (gint64)st.queue_waits);
  sqlite3_close(db);
  g_free(path);
  tmpdir_free(dir);
}

/* Without quiet, close tells the user about the waits on stderr. */
static void test_queue_waits_reported(void) {
  if (g_test_subprocess()) {
    char *dir = tmpdir_new();
    lm_writer_options o;
    lm_writer_options_init(&o);
    o.logdir = dir;
    o.run_name = "noisy";
    o.queue_capacity = 16;
    lm_writer *w;
    assert_ok(lm_writer_open_with(&w, &o));
    for (int i = 0; i < 5000; i++)
      assert_ok(lm_writer_add_scalar(w, "burst", i, i));
    assert_ok(lm_writer_close(w));
    tmpdir_free(dir);
    return;
  }
  g_test_trap_subprocess(NULL, 30000000, 0);
  g_test_trap_assert_passed();
  g_test_trap_assert_stderr("*run 'noisy': logging calls waited * times*");
}

/* Live: a read-only reader sees a row well within 0.5 s of the call that
 * logged it, with no flush. */
static void test_live_visibility(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "live");
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  double worst = 0;
  for (int k = 0; k < 5; k++) {
    gint64 t0 = g_get_monotonic_time();
    assert_ok(lm_writer_add_scalar(w, "live", k, k * 10.0));
    for (;;) {
      gint64 n = db_int(db, "SELECT count(*) FROM scalars WHERE step = %d AND "
                            "value = %d",
                        k, k * 10);
      double dt = (double)(g_get_monotonic_time() - t0) / 1e6;
      if (n == 1) {
        worst = MAX(worst, dt);
        break;
      }
      if (dt > 2.0)
        g_error("row %d not visible after %.2f s", k, dt);
      g_usleep(5000);
    }
    g_usleep(37000 * (guint)k); /* land at different points of the cycle */
  }
  g_test_message("worst visibility delay %.3f s", worst);
  g_assert_cmpfloat(worst, <, 0.5);
  sqlite3_close(db);
  assert_ok(lm_writer_close(w));
  tmpdir_free(dir);
}

/* SIGKILL: the child logs without pause, flushing every 1000 steps and
 * telling the parent the last flushed step; the parent kills it mid-way.
 * The file must pass integrity_check and hold every flushed step. */
static void test_sigkill(void) {
  char *dir = tmpdir_new();
  int fds[2];
  g_assert_cmpint(pipe(fds), ==, 0);
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0) {
    close(fds[0]);
    lm_writer_options o;
    lm_writer_options_init(&o);
    o.logdir = dir;
    o.run_name = "killed";
    o.flush_interval_ms = 10; /* frequent commits */
    lm_writer *w;
    if (lm_writer_open_with(&w, &o) != LM_OK)
      _exit(3);
    float v[256];
    for (int i = 0; i < 256; i++)
      v[i] = (float)i;
    for (gint64 step = 0;; step++) {
      lm_writer_add_scalar(w, "loss", step, 1.0 / (double)(step + 1));
      lm_writer_add_scalar(w, "acc", step, 0.5);
      if (step % 500 == 0)
        lm_writer_add_histogram(w, "w", step, v, 256);
      if (step % 1000 == 999) {
        if (lm_writer_flush(w) != LM_OK)
          _exit(4);
        if (write(fds[1], &step, sizeof step) != sizeof step)
          _exit(5);
      }
    }
  }
  close(fds[1]);
  gint64 flushed = -1, got;
  for (int k = 0; k < 30; k++) {
    ssize_t n;
    while ((n = read(fds[0], &got, sizeof got)) < 0 && errno == EINTR)
      ;
    g_assert_cmpint(n, ==, sizeof got);
    flushed = got;
  }
  kill(pid, SIGKILL);
  int status;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  close(fds[0]);

  char *path = g_build_filename(dir, "killed", "run.lumen", NULL);
  sqlite3 *db = db_open_ro(path);
  char *s = db_text(db, "PRAGMA integrity_check");
  g_assert_cmpstr(s, ==, "ok");
  g_free(s);
  g_test_message("flushed through step %" G_GINT64_FORMAT ", file holds %"
                 G_GINT64_FORMAT " loss rows",
                 flushed,
                 db_int(db, "SELECT count(*) FROM scalars JOIN tags ON "
                            "tags.id = tag_id WHERE name = 'loss'"));
  /* Every step up to the last known flush, for both tags, exactly once. */
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars JOIN tags ON "
                             "tags.id = tag_id WHERE name = 'loss' AND "
                             "step <= %" G_GINT64_FORMAT,
                         flushed),
                  ==, flushed + 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars JOIN tags ON "
                             "tags.id = tag_id WHERE name = 'acc' AND "
                             "step <= %" G_GINT64_FORMAT,
                         flushed),
                  ==, flushed + 1);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM histograms WHERE step <= "
                             "%" G_GINT64_FORMAT,
                         flushed),
                  ==, flushed / 500 + 1);
  /* The run still says 'running': with its lock gone, that is how a
   * reader tells a crashed run. */
  s = db_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(s, ==, "running");
  g_free(s);
  sqlite3_close(db);
  /* And the run can be opened and appended to again. */
  lm_writer *w = writer_open(dir, "killed");
  assert_ok(lm_writer_close(w));
  g_free(path);
  tmpdir_free(dir);
}

/* ------------------------------------------------ writers open at exit */

enum { EXIT_ROWS = 1000 };

/* How the child ends: exit(1) with the writer open, exit(0) after
 * choosing a status, a normal close, or exit(1) while another connection
 * holds the file's write lock (the writer thread cannot make progress). */
typedef enum { END_EXIT, END_STATUS, END_CLOSE, END_STUCK } exit_end;

/* The child side: logs EXIT_ROWS scalars with a timer too slow to have
 * committed any of them, then ends as told.  The log dir comes from the
 * environment (the parent made it). */
static void exit_child(exit_end end) {
  lm_writer_options o;
  lm_writer_options_init(&o);
  o.logdir = g_getenv("LUMEN_TEST_EXIT_DIR");
  o.run_name = "r";
  o.flush_interval_ms = 60000;
  lm_writer *w;
  assert_ok(lm_writer_open_with(&w, &o));
  for (int step = 0; step < EXIT_ROWS; step++)
    assert_ok(lm_writer_add_scalar(w, "loss", step * 10, 1.0 / (step + 1)));
  if (end == END_STATUS) {
    assert_ok(lm_writer_set_status(w, LM_RUN_STOPPED));
    exit(0);
  }
  if (end == END_CLOSE) {
    assert_ok(lm_writer_close(w));
    return;
  }
  if (end == END_STUCK) {
    /* the rows are committed; one more is queued behind the lock */
    assert_ok(lm_writer_flush(w));
    sqlite3 *db = NULL;
    g_assert_cmpint(sqlite3_open(lm_writer_file_path(w), &db), ==, SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    g_assert_cmpint(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==,
                    SQLITE_OK);
    assert_ok(lm_writer_add_scalar(w, "loss", EXIT_ROWS * 10, 0));
  }
  exit(1); /* as the engine's default error handler does */
}

/* Runs this test's child; returns its run file opened read-only and its time. */
static sqlite3 *exit_run(char **dir, double *seconds) {
  *dir = tmpdir_new();
  g_setenv("LUMEN_TEST_EXIT_DIR", *dir, TRUE);
  gint64 t0 = g_get_monotonic_time();
  g_test_trap_subprocess(NULL, 60000000, 0);
  *seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
  g_unsetenv("LUMEN_TEST_EXIT_DIR");
  char *path = g_build_filename(*dir, "r", "run.lumen", NULL);
  sqlite3 *db = db_open_ro(path);
  g_free(path);
  return db;
}

static void exit_check(sqlite3 *db, gint64 rows, const char *status) {
  char *s = db_text(db, "PRAGMA integrity_check");
  g_assert_cmpstr(s, ==, "ok");
  g_free(s);
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==, rows);
  if (rows)
    g_assert_cmpint(db_int(db, "SELECT max(step) FROM scalars"), ==,
                    (EXIT_ROWS - 1) * 10);
  s = db_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(s, ==, status);
  g_free(s);
  if (strcmp(status, "running") != 0)
    g_assert_cmpint(db_int(db, "SELECT value IS NOT NULL FROM run WHERE "
                               "key = 'end_time'"), ==, 1);
}

/* How each ending must leave the run:
 * - exit(1) with the writer open: every queued row committed and the run
 *   'failed' (it said 'running' and held what the last timed commit had);
 * - a status the program chose is kept at exit;
 * - a writer closed before exit stays 'finished' (closed once, not again);
 * - a writer thread that cannot commit (another connection holds the write
 *   lock; SQLite would retry for 10 s) does not hang the exit: the handler
 *   gives up after 5 s without progress and says so; the file keeps what
 *   was committed before. */
typedef struct {
  exit_end end;
  gboolean passes; /* the child's exit status is 0 */
  const char *status;
} exit_case;

static const exit_case exit_unclosed = {END_EXIT, FALSE, "failed"};
static const exit_case exit_status_kept = {END_STATUS, TRUE, "stopped"};
static const exit_case exit_closed = {END_CLOSE, TRUE, "finished"};
static const exit_case exit_stuck = {END_STUCK, FALSE, "running"};

static void test_exit(gconstpointer data) {
  const exit_case *c = data;
  if (g_test_subprocess()) {
    exit_child(c->end);
    return;
  }
  char *dir;
  double secs;
  sqlite3 *db = exit_run(&dir, &secs);
  if (c->passes)
    g_test_trap_assert_passed();
  else
    g_test_trap_assert_failed();
  if (c->end == END_STUCK) {
    g_test_trap_assert_stderr("*run 'r': the writer made no progress for 5 s "
                              "at exit*");
    g_test_message("stuck writer: the child exited after %.1f s", secs);
    g_assert_cmpfloat(secs, <, 9.0);
  }
  exit_check(db, EXIT_ROWS, c->status);
  sqlite3_close(db);
  tmpdir_free(dir);
}

/* A forked child that calls exit() leaves the parent's writer alone: no
 * wait for a writer thread it does not have, nothing written, and the
 * parent logs on and closes as usual. */
static void test_exit_forked_child(void) {
  char *dir = tmpdir_new();
  lm_writer *w = writer_open(dir, "parent");
  assert_ok(lm_writer_add_scalar(w, "x", 0, 1));
  assert_ok(lm_writer_flush(w));
  gint64 t0 = g_get_monotonic_time();
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0)
    exit(0); /* runs the exit handlers, unlike _exit */
  int status;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  g_assert_cmpfloat((double)(g_get_monotonic_time() - t0) / 1e6, <, 2.0);
  sqlite3 *db = db_open_ro(lm_writer_file_path(w));
  char *s = db_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(s, ==, "running");
  g_free(s);
  assert_ok(lm_writer_add_scalar(w, "x", 1, 2));
  assert_ok(lm_writer_close(w));
  g_assert_cmpint(db_int(db, "SELECT count(*) FROM scalars"), ==, 2);
  s = db_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(s, ==, "finished");
  g_free(s);
  sqlite3_close(db);
  tmpdir_free(dir);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/logging/threads/four-producers", test_four_producers);
  g_test_add_func("/logging/threads/queue-full-waits", test_queue_full_waits);
  g_test_add_func("/logging/threads/queue-waits-reported",
                  test_queue_waits_reported);
  g_test_add_func("/logging/threads/live-visibility", test_live_visibility);
  g_test_add_func("/logging/threads/sigkill", test_sigkill);
  g_test_add_data_func("/logging/exit/unclosed", &exit_unclosed, test_exit);
  g_test_add_data_func("/logging/exit/status-kept", &exit_status_kept,
                       test_exit);
  g_test_add_data_func("/logging/exit/closed", &exit_closed, test_exit);
  g_test_add_data_func("/logging/exit/stuck", &exit_stuck, test_exit);
  g_test_add_func("/logging/exit/forked-child", test_exit_forked_child);
  return g_test_run();
}
