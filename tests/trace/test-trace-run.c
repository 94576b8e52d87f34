/* test-trace-run.c: op-by-op traces in real lumen-train run files.
 *
 * Runs lumen-train's code (lm_train_app_run) on the small synthetic IDX
 * fixture and reads the run file with SQLite:
 *   - --trace-steps 1,3 and --trace-every 5: exactly the traces of steps 1,
 *     3 and 5, each one forward ops then backward ops, every event's node in
 *     the run's single graph, one backward event per parameter gradient on
 *     its "parameter" node, stored values that agree with the stored stats;
 *   - --trace-max-values: big tensors keep statistics but no values;
 *   - --trace-on-anomaly with a learning rate that blows the MLP up: the run
 *     stops at the first NaN/Inf, names the op, is marked failed, exits 1,
 *     and its anomalous step's trace holds the NaN/Inf;
 *   - the command-line parsing of the four options.
 */
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lm-train-app.h"
#include "lumen-log.h"
#include "train-fixture.h"

static char *tmpdir;
static char *data;

static void base_cli(lm_train_cli *cli, const char *run)
{
  lm_train_cli_defaults(cli);
  cli->data_dir = data;
  cli->epochs = 1;
  cli->set_epochs = true;
  cli->no_progress = true;
  cli->logdir = tmpdir;
  cli->run = run;
  cli->val_split = 0;
  cli->set_val_split = true;
}

static char *run_path(const char *run)
{
  return g_build_filename(tmpdir, run, "run.lumen", NULL);
}

static void test_chosen_steps(void)
{
  lm_train_cli cli;
  base_cli(&cli, "traced");
  cli.trace_steps[0] = 1;
  cli.trace_steps[1] = 3;
  cli.n_trace_steps = 2;
  cli.trace_every = 5;
  cli.stop_after_steps_set = true;
  cli.stop_after_steps = 6;
  lm_train_result res;
  FILE *out = tmpfile();
  int rc = lm_train_app_run(&cli, out, stderr, &res);
  fclose(out);
  g_assert_cmpint(rc, ==, 0);
  g_assert_cmpint(res.steps_done, ==, 6);

  char *path = run_path("traced");
  sqlite3 *db = train_fixture_open_run(path);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM graphs"), ==, 1);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM traces"), ==, 3);
  char *steps = train_fixture_text(db, "SELECT group_concat(step) FROM (SELECT step FROM traces ORDER BY step)");
  g_assert_cmpstr(steps, ==, "1,3,5");
  g_free(steps);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM traces WHERE graph_id IS NOT "
                                        "(SELECT id FROM graphs)"), ==, 0);
  /* the MLP's step: flatten? linear relu linear cross_entropy forward, the
   * same backward, plus 4 parameter gradients; the same count every step */
  int64_t n1 = train_fixture_int(db, "SELECT count(*) FROM trace_events e JOIN traces t ON t.id = e.trace_id "
                                     "WHERE t.step = 1");
  g_assert_cmpint(n1, >=, 2 * 4 + 4);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(DISTINCT n) FROM (SELECT count(*) AS n FROM trace_events "
                                        "GROUP BY trace_id)"), ==, 1);
  /* forward first, then backward, in every trace */
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM traces t WHERE "
                                        "(SELECT max(seq) FROM trace_events WHERE trace_id = t.id AND phase = 'forward') >= "
                                        "(SELECT min(seq) FROM trace_events WHERE trace_id = t.id AND phase = 'backward')"),
                  ==, 0);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events WHERE phase = 'forward'"), >, 0);
  /* seq is 0..n-1 */
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM traces t WHERE (SELECT max(seq) + 1 FROM trace_events "
                                        "WHERE trace_id = t.id) != (SELECT count(*) FROM trace_events WHERE trace_id = t.id)"),
                  ==, 0);
  /* every event points at a node of the graph */
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events e JOIN traces t ON t.id = e.trace_id "
                                        "LEFT JOIN graph_nodes n ON n.graph_id = t.graph_id AND n.node_id = e.node_id "
                                        "WHERE n.op IS NULL"), ==, 0);
  /* the first forward event is the first op of the graph; the loss is the
   * last forward event and the first backward one */
  char *first = train_fixture_text(db, "SELECT n.op FROM trace_events e JOIN traces t ON t.id = e.trace_id "
                                       "JOIN graph_nodes n ON n.graph_id = t.graph_id AND n.node_id = e.node_id "
                                       "WHERE t.step = 3 ORDER BY e.seq LIMIT 1");
  char *lastf = train_fixture_text(db, "SELECT n.op FROM trace_events e JOIN traces t ON t.id = e.trace_id "
                                       "JOIN graph_nodes n ON n.graph_id = t.graph_id AND n.node_id = e.node_id "
                                       "WHERE t.step = 3 AND e.phase = 'forward' ORDER BY e.seq DESC LIMIT 1");
  char *firstb = train_fixture_text(db, "SELECT n.op FROM trace_events e JOIN traces t ON t.id = e.trace_id "
                                        "JOIN graph_nodes n ON n.graph_id = t.graph_id AND n.node_id = e.node_id "
                                        "WHERE t.step = 3 AND e.phase = 'backward' ORDER BY e.seq LIMIT 1");
  g_test_message("first %s, last forward %s, first backward %s", first, lastf, firstb);
  g_assert_cmpstr(lastf, ==, firstb);
  g_assert_cmpstr(lastf, ==, "cross_entropy");
  g_assert_true(strcmp(first, "flatten") == 0 || strcmp(first, "linear") == 0 ||
                strcmp(first, "view") == 0 || strcmp(first, "reshape") == 0);
  g_free(first);
  g_free(lastf);
  g_free(firstb);
  /* every parameter gets its gradient, shaped like it, in every trace */
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events e JOIN traces t ON t.id = e.trace_id "
                                        "JOIN graph_nodes n ON n.graph_id = t.graph_id AND n.node_id = e.node_id "
                                        "WHERE n.op = 'parameter' AND e.phase = 'backward' AND e.shape = n.shape"),
                  ==, 4 * 3);
  char *wshape = train_fixture_text(db, "SELECT e.shape FROM trace_events e JOIN traces t ON t.id = e.trace_id "
                                        "JOIN graph_nodes n ON n.graph_id = t.graph_id AND n.node_id = e.node_id "
                                        "WHERE n.name = '1.weight' AND t.step = 1");
  g_assert_cmpstr(wshape, ==, "[128,784]");
  g_free(wshape);
  /* default cap keeps everything of the MLP */
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events WHERE vals IS NULL AND numel > 0"), ==, 0);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events WHERE length(vals) != 4 * numel"), ==, 0);
  /* stored values agree with the stored statistics: check one blob by hand */
  sqlite3_stmt *st;
  g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT e.vals, e.min, e.max, e.mean, e.zero_count, e.numel "
                                         "FROM trace_events e JOIN traces t ON t.id = e.trace_id "
                                         "JOIN graph_nodes n ON n.graph_id = t.graph_id AND n.node_id = e.node_id "
                                         "WHERE t.step = 5 AND n.op = 'relu' AND e.phase = 'forward'", -1, &st, NULL),
                  ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
  const float *v = sqlite3_column_blob(st, 0);
  int64_t numel = sqlite3_column_int64(st, 5);
  g_assert_cmpint(numel, ==, 64 * 128);
  double mn = INFINITY, mx = -INFINITY, sum = 0;
  int64_t zeros = 0;
  for (int64_t i = 0; i < numel; i++) {
    mn = fmin(mn, v[i]);
    mx = fmax(mx, v[i]);
    sum += v[i];
    zeros += v[i] == 0;
  }
  g_assert_cmpfloat(mn, ==, 0); /* relu */
  g_assert_cmpfloat(sqlite3_column_double(st, 1), ==, mn);
  g_assert_cmpfloat(sqlite3_column_double(st, 2), ==, mx);
  g_assert_cmpfloat_with_epsilon(sqlite3_column_double(st, 3), sum / (double)numel, 1e-6);
  g_assert_cmpint(sqlite3_column_int64(st, 4), ==, zeros);
  sqlite3_finalize(st);
  sqlite3_close(db);
  g_free(path);
}

static void test_values_cap(void)
{
  lm_train_cli cli;
  base_cli(&cli, "capped");
  cli.trace_steps[0] = 2;
  cli.n_trace_steps = 1;
  cli.trace_max_values = 1000;
  cli.stop_after_steps_set = true;
  cli.stop_after_steps = 2;
  FILE *out = tmpfile();
  int rc = lm_train_app_run(&cli, out, stderr, NULL);
  fclose(out);
  g_assert_cmpint(rc, ==, 0);
  char *path = run_path("capped");
  sqlite3 *db = train_fixture_open_run(path);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM traces"), ==, 1);
  g_assert_cmpint(train_fixture_int(db, "SELECT step FROM traces"), ==, 2);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events WHERE numel > 1000"), >, 0);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events WHERE numel > 1000 AND vals IS NOT NULL"),
                  ==, 0);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events WHERE numel > 1000 AND "
                                        "(min IS NULL OR max IS NULL OR mean IS NULL OR std IS NULL)"), ==, 0);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events WHERE numel <= 1000 AND vals IS NULL"),
                  ==, 0);
  /* the relu's statistics are still those of all 8192 values: zeros counted */
  g_assert_cmpint(train_fixture_int(db, "SELECT e.zero_count FROM trace_events e JOIN graph_nodes n "
                                        "ON n.node_id = e.node_id WHERE n.op = 'relu' AND e.phase = 'forward'"), >, 100);
  sqlite3_close(db);
  g_free(path);
}

static void test_anomaly(void)
{
  lm_train_cli cli;
  base_cli(&cli, "diverged");
  cli.optimizer = "sgd";
  cli.set_optimizer = true;
  cli.lr = 1e6;
  cli.set_lr = true;
  cli.trace_on_anomaly = true;
  lm_train_result res;
  FILE *out = tmpfile();
  FILE *err = tmpfile();
  int rc = lm_train_app_run(&cli, out, err, &res);
  fclose(out);
  char msg[2048] = "";
  rewind(err);
  size_t got = fread(msg, 1, sizeof msg - 1, err);
  msg[got] = '\0';
  fclose(err);
  g_test_message("%s", msg);
  g_assert_cmpint(rc, ==, 1);
  g_assert_cmpint(res.status, ==, LM_RUN_FAILED);
  g_assert_nonnull(strstr(msg, "lumen-train: anomaly: "));
  g_assert_true(strstr(msg, "NaN in") || strstr(msg, "Inf in"));
  g_assert_nonnull(strstr(msg, "trace is in the run"));
  g_assert_cmpint(res.steps_done, >, 1); /* the first step is sane */
  g_assert_cmpint(res.steps_done, <, 100);

  char *path = run_path("diverged");
  sqlite3 *db = train_fixture_open_run(path);
  char *status = train_fixture_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(status, ==, "failed");
  g_free(status);
  /* exactly one trace: the anomalous step, in full, with its NaN/Inf */
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM traces"), ==, 1);
  char *sql = g_strdup_printf("SELECT count(*) FROM traces WHERE step = %lld", (long long)res.steps_done);
  g_assert_cmpint(train_fixture_int(db, sql), ==, 1);
  g_free(sql);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events WHERE nan_count + inf_count > 0"), >, 0);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events WHERE phase = 'backward'"), >, 0);
  /* the op the message names is that of the first anomalous event */
  char *op = train_fixture_text(db, "SELECT n.op FROM trace_events e JOIN traces t ON t.id = e.trace_id "
                                    "JOIN graph_nodes n ON n.graph_id = t.graph_id AND n.node_id = e.node_id "
                                    "WHERE e.nan_count + e.inf_count > 0 ORDER BY e.seq LIMIT 1");
  char *needle = g_strdup_printf(" %s (", op);
  g_assert_nonnull(strstr(msg, needle));
  g_free(needle);
  g_free(op);
  sqlite3_close(db);
  g_free(path);
}

/* --profile-steps 2,4: exactly those steps' traces, every op event timed
 * (start_ns, dur_ns, input_shapes), parameter gradient events not; times
 * in execution order within the step's wall time; statistics only (no
 * values) when profiling alone. --profile: steps 2-4. */
static void test_profile_steps(void)
{
  lm_train_cli cli;
  base_cli(&cli, "profiled");
  char *argv[] = { "lumen-train", "--profile-steps", "2,4", NULL };
  FILE *null = fopen("/dev/null", "w");
  g_assert_cmpint(lm_train_cli_parse(&cli, 3, argv, null, null), ==, LM_CLI_RUN);
  cli.stop_after_steps_set = true;
  cli.stop_after_steps = 5;
  int rc = lm_train_app_run(&cli, null, stderr, NULL);
  g_assert_cmpint(rc, ==, 0);
  char *path = run_path("profiled");
  sqlite3 *db = train_fixture_open_run(path);
  g_assert_cmpint(train_fixture_int(db, "SELECT group_concat(step) = '2,4' FROM traces"), ==, 1);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM traces WHERE dur_ns IS NULL OR dur_ns <= 0"), ==, 0);
  /* op events (not a parameter's gradient) are timed, with input shapes */
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events e JOIN traces t ON t.id = e.trace_id "
                                        "JOIN graph_nodes n ON n.graph_id = t.graph_id AND n.node_id = e.node_id "
                                        "WHERE n.op != 'parameter' AND (e.dur_ns IS NULL OR e.input_shapes IS NULL)"),
                  ==, 0);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events e JOIN traces t ON t.id = e.trace_id "
                                        "JOIN graph_nodes n ON n.graph_id = t.graph_id AND n.node_id = e.node_id "
                                        "WHERE n.op = 'parameter' AND e.dur_ns IS NOT NULL"),
                  ==, 0);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events WHERE dur_ns IS NOT NULL"), >, 10);
  /* each op starts after the one before it ended; all of them inside the step */
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events a JOIN trace_events b "
                                        "ON a.trace_id = b.trace_id AND b.seq > a.seq "
                                        "WHERE a.dur_ns IS NOT NULL AND b.dur_ns IS NOT NULL "
                                        "AND b.start_ns < a.start_ns + a.dur_ns"), ==, 0);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM traces t WHERE (SELECT sum(dur_ns) FROM "
                                        "trace_events e WHERE e.trace_id = t.id) > t.dur_ns"), ==, 0);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM traces t WHERE (SELECT max(start_ns + dur_ns) FROM "
                                        "trace_events e WHERE e.trace_id = t.id) > t.dur_ns"), ==, 0);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events WHERE vals IS NOT NULL"), ==, 0);
  sqlite3_close(db);
  g_free(path);

  base_cli(&cli, "profiled-default");
  char *argv2[] = { "lumen-train", "--profile", NULL };
  g_assert_cmpint(lm_train_cli_parse(&cli, 2, argv2, null, null), ==, LM_CLI_RUN);
  cli.stop_after_steps_set = true;
  cli.stop_after_steps = 6;
  g_assert_cmpint(lm_train_app_run(&cli, null, stderr, NULL), ==, 0);
  path = run_path("profiled-default");
  db = train_fixture_open_run(path);
  g_assert_cmpint(train_fixture_int(db, "SELECT group_concat(step) = '2,3,4' FROM traces"), ==, 1);
  sqlite3_close(db);
  g_free(path);

  /* a bad list is named */
  char *bad[] = { "lumen-train", "--profile-steps", "2,zero", NULL };
  FILE *err = tmpfile();
  lm_train_cli_defaults(&cli);
  g_assert_cmpint(lm_train_cli_parse(&cli, 3, bad, null, err), ==, LM_CLI_USAGE);
  char buf[512] = "";
  rewind(err);
  buf[fread(buf, 1, sizeof buf - 1, err)] = '\0';
  fclose(err);
  g_assert_nonnull(strstr(buf, "--profile-steps: expected step numbers >= 1"));
  g_assert_nonnull(strstr(buf, "'2,zero'"));
  fclose(null);
}

/* --profile-memory: the profiled steps' op events carry the bytes they
 * allocated and freed and what was allocated after them and at the most;
 * parameter gradient events do not. The MLP's first Linear(784, 128) on a
 * batch of 64 allocates its output, 64*128*4 bytes, and frees nothing in
 * its forward; its backward allocates dW and db (x needs no gradient).
 * --profile-steps alone records no memory. */
static void test_profile_memory(void)
{
  lm_train_cli cli;
  FILE *null = fopen("/dev/null", "w");
  base_cli(&cli, "profiled-memory");
  char *argv[] = { "lumen-train", "--profile-memory", NULL };
  g_assert_cmpint(lm_train_cli_parse(&cli, 2, argv, null, null), ==, LM_CLI_RUN);
  cli.stop_after_steps_set = true;
  cli.stop_after_steps = 4;
  g_assert_cmpint(lm_train_app_run(&cli, null, stderr, NULL), ==, 0);
  char *path = run_path("profiled-memory");
  sqlite3 *db = train_fixture_open_run(path);
  g_assert_cmpint(train_fixture_int(db, "SELECT group_concat(step) = '2,3,4' FROM traces"), ==, 1);
  const char *join = "FROM trace_events e JOIN traces t ON t.id = e.trace_id "
                     "JOIN graph_nodes n ON n.graph_id = t.graph_id AND n.node_id = e.node_id ";
  g_autofree char *unmeasured = g_strdup_printf ("SELECT count(*) %s WHERE n.op != 'parameter' AND "
                                                 "(e.alloc_bytes IS NULL OR e.free_bytes IS NULL OR "
                                                 "e.mem_after IS NULL OR e.mem_peak < e.mem_after)", join);
  g_assert_cmpint(train_fixture_int(db, unmeasured), ==, 0);
  g_autofree char *params = g_strdup_printf ("SELECT count(*) %s WHERE n.op = 'parameter' AND "
                                             "e.alloc_bytes IS NOT NULL", join);
  g_assert_cmpint(train_fixture_int(db, params), ==, 0);
  g_autofree char *fc1 = g_strdup_printf ("SELECT group_concat(e.alloc_bytes || '/' || e.free_bytes) %s "
                                          "WHERE n.op = 'linear' AND e.input_shapes LIKE '[[64, 784],%%' "
                                          "AND e.phase = 'forward'", join);
  g_autofree char *fc1_text = train_fixture_text(db, fc1);
  g_assert_cmpstr(fc1_text, ==, "32768/0,32768/0,32768/0");
  g_autofree char *fc1_back = g_strdup_printf ("SELECT group_concat(e.alloc_bytes) %s WHERE n.op = 'linear' "
                                               "AND n.node_id = (SELECT min(n2.node_id) FROM graph_nodes n2 "
                                               "WHERE n2.graph_id = t.graph_id AND n2.op = 'linear') "
                                               "AND e.phase = 'backward' AND e.dur_ns IS NOT NULL", join);
  g_autofree char *fc1_back_text = train_fixture_text(db, fc1_back);
  g_assert_cmpstr(fc1_back_text, ==, "401920,401920,401920"); /* 128*784*4 + 128*4 */
  sqlite3_close(db);
  g_free(path);

  base_cli(&cli, "profiled-time-only");
  char *argv2[] = { "lumen-train", "--profile-steps", "2", NULL };
  g_assert_cmpint(lm_train_cli_parse(&cli, 3, argv2, null, null), ==, LM_CLI_RUN);
  cli.stop_after_steps_set = true;
  cli.stop_after_steps = 2;
  g_assert_cmpint(lm_train_app_run(&cli, null, stderr, NULL), ==, 0);
  path = run_path("profiled-time-only");
  db = train_fixture_open_run(path);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events WHERE dur_ns IS NOT NULL"), >, 0);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM trace_events WHERE alloc_bytes IS NOT NULL "
                                        "OR mem_after IS NOT NULL"), ==, 0);
  sqlite3_close(db);
  g_free(path);
  fclose(null);
}

static void test_cli(void)
{
  lm_train_cli cli;
  FILE *null = fopen("/dev/null", "w");
  char *ok[] = { "lumen-train", "--trace-steps", "1,100,500", "--trace-every", "50", "--trace-on-anomaly",
                 "--trace-max-values", "0", NULL };
  lm_train_cli_defaults(&cli);
  g_assert_cmpint(cli.trace_max_values, ==, -1);
  g_assert_cmpint(lm_train_cli_parse(&cli, 8, ok, null, null), ==, LM_CLI_RUN);
  g_assert_cmpint(cli.n_trace_steps, ==, 3);
  g_assert_cmpint(cli.trace_steps[2], ==, 500);
  g_assert_cmpint(cli.trace_every, ==, 50);
  g_assert_true(cli.trace_on_anomaly);
  g_assert_cmpint(cli.trace_max_values, ==, 0);
  const char *bad[][3] = {
    { "--trace-steps", "1,x", "expected step numbers" },
    { "--trace-steps", "0", "expected step numbers" },
    { "--trace-steps", "1,,2", "expected step numbers" },
    { "--trace-every", "-1", "--trace-every" },
    { "--trace-max-values", "many", "--trace-max-values" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    char *argv[] = { "lumen-train", (char *)bad[i][0], (char *)bad[i][1], NULL };
    FILE *err = tmpfile();
    lm_train_cli_defaults(&cli);
    g_assert_cmpint(lm_train_cli_parse(&cli, 3, argv, null, err), ==, LM_CLI_USAGE);
    char buf[512] = "";
    rewind(err);
    buf[fread(buf, 1, sizeof buf - 1, err)] = '\0';
    fclose(err);
    g_assert_nonnull(strstr(buf, bad[i][2]));
    g_assert_nonnull(strstr(buf, bad[i][1]));
  }
  /* --help lists them */
  char *help = NULL;
  size_t len = 0;
  FILE *h = open_memstream(&help, &len);
  lm_train_cli_print_help(h);
  fclose(h);
  g_assert_nonnull(strstr(help, "--trace-on-anomaly"));
  g_assert_nonnull(strstr(help, "--trace-steps LIST"));
  g_assert_nonnull(strstr(help, "--profile-memory"));
  free(help);
  /* --profile counts memory too; --profile-memory alone profiles
   * --profile's steps; with --profile-steps, those */
  char *prof[] = { "lumen-train", "--profile", NULL };
  lm_train_cli_defaults(&cli);
  g_assert_false(cli.profile_memory);
  g_assert_cmpint(lm_train_cli_parse(&cli, 2, prof, null, null), ==, LM_CLI_RUN);
  g_assert_true(cli.profile && cli.profile_memory);
  char *mem[] = { "lumen-train", "--profile-memory", NULL };
  lm_train_cli_defaults(&cli);
  g_assert_cmpint(lm_train_cli_parse(&cli, 2, mem, null, null), ==, LM_CLI_RUN);
  g_assert_true(cli.profile && cli.profile_memory);
  char *steps[] = { "lumen-train", "--profile-memory", "--profile-steps", "7", NULL };
  lm_train_cli_defaults(&cli);
  g_assert_cmpint(lm_train_cli_parse(&cli, 4, steps, null, null), ==, LM_CLI_RUN);
  g_assert_true(!cli.profile && cli.profile_memory);
  g_assert_cmpint(cli.n_profile_steps, ==, 1);
  char *time_only[] = { "lumen-train", "--profile-steps", "7", NULL };
  lm_train_cli_defaults(&cli);
  g_assert_cmpint(lm_train_cli_parse(&cli, 3, time_only, null, null), ==, LM_CLI_RUN);
  g_assert_false(cli.profile_memory);
  fclose(null);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp("lumen-trace-XXXXXX", NULL);
  data = train_fixture_make_data(tmpdir, 1200, 100);
  g_test_add_func("/trace/run/cli", test_cli);
  g_test_add_func("/trace/run/chosen-steps", test_chosen_steps);
  g_test_add_func("/trace/run/values-cap", test_values_cap);
  g_test_add_func("/trace/run/anomaly", test_anomaly);
  g_test_add_func("/trace/run/profile-steps", test_profile_steps);
  g_test_add_func("/trace/run/profile-memory", test_profile_memory);
  int rc = g_test_run();
  train_fixture_rmdir(tmpdir);
  g_free(data);
  g_free(tmpdir);
  return rc;
}
