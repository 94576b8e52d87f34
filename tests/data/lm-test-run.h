/* lm-test-run.h: writing run files with plain SQL, for tests and benches.
 *
 * What it is for: fixtures that follow docs/run-format.md to the letter
 * without depending on the logging library, so the read side can be
 * tested on its own, including files no writer would produce (out-of-order
 * steps, NULL values, a schema from the future).  The writer keeps one
 * connection in WAL mode, like lumen-log.
 *
 * What it is not for: shipping.  Real programs use logging/lumen-log.h.
 */
#pragma once

#include <pthread.h>

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct _LmTestRun LmTestRun;

/* Creates <logdir>/<name>/run.lumen (folders too) with the schema, meta
 * rows and run rows (status 'running').  Aborts the test on failure. */
LmTestRun  *lm_test_run_create     (const char *logdir, const char *name);
const char *lm_test_run_path       (LmTestRun *run);
sqlite3    *lm_test_run_db         (LmTestRun *run);

void        lm_test_run_begin      (LmTestRun *run);
void        lm_test_run_commit     (LmTestRun *run);
/* value NaN is stored as NULL, like lumen-log does. */
void        lm_test_run_add_scalar (LmTestRun  *run,
                                    const char *tag,
                                    gint64      step,
                                    double      wall_time,
                                    double      value);
void        lm_test_run_set_status (LmTestRun *run, const char *status);
void        lm_test_run_close      (LmTestRun *run);

/* A fresh temporary log directory (from `pattern`) holding one finished
 * run "a" with `tag` at steps 0..n_steps-1, values 1/(step+1): the run a
 * window test needs to show a card. */
char       *lm_test_logdir_with_scalar (const char *pattern, const char *tag, int n_steps);
/* A fresh temporary folder named from `pattern` ("lumen-test-XXXXXX");
 * aborts the test on failure. */
char       *lm_test_tmpdir_new     (const char *pattern);
/* Removes a folder and everything below it (links are removed, not followed). */
void        lm_test_rm_rf          (const char *path);

/* The default main context, run until cond (data) holds: FALSE when it
 * still does not after timeout_ms.  lm_test_spin runs it for ms. */
typedef gboolean (*LmTestCond) (gpointer data);
gboolean    lm_test_wait_for       (LmTestCond cond, gpointer data, guint timeout_ms);
void        lm_test_spin           (guint ms);

/* The share of the n points (n x 3 coordinates) whose nearest other
 * point has their label: how well a projection keeps classes apart. */
double      lm_test_nn_agreement   (const float *y, gsize n, const int *labels);
/* n points in d dimensions: `k` Gaussian clusters (sd 1) whose centres
 * are `sep` apart on the axes; labels[i] (labels may be NULL) gets point
 * i's cluster.  Freed with g_free. */
float      *lm_test_clusters       (gsize n, gsize d, int k, double sep, guint32 seed, int *labels);
/* Points on `rays` random directions in d dimensions, `per_ray` on each
 * at lengths 1, 2, ... per_ray (point i on ray i % rays, at length
 * i / rays + 1), each direction jittered by 1% a point: a point's nearest
 * by cosine distance are its own ray's, while by Euclidean distance the
 * short points of every ray are nearer each other than the long ones of
 * their own.  Freed with g_free. */
float      *lm_test_rays           (gsize rays, gsize per_ray, gsize d, guint32 seed);
/* The CPU time thread `t` has used, in ms; -1 once it has ended.  What a
 * cancelled set-up (t-SNE, UMAP) costs after the cancel is measured in
 * its thread's CPU time, not on the wall clock: on a loaded machine (CI's
 * 2 cores running the sanitizer pass beside the normal one) the wall
 * clock also counts the time the thread waits for a core, and a 30 ms
 * stop once took 407 ms. */
double      lm_test_thread_cpu_ms  (pthread_t t);

/* The CREATE statements of schema version 1 (scalars part and friends). */
extern const char lm_test_run_schema[];

G_END_DECLS
