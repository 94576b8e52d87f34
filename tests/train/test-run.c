/* test-run.c: a real lumen-train run and everything its run file must hold.
 *
 * A few hundred MLP steps (a Fashion-MNIST subset when installed, else the
 * synthetic fixture), through the same code as the lumen-train CLI; then
 * the run file is opened with SQLite and every kind of record the training
 * issue lists is looked for: train loss/accuracy every N steps (and the
 * loss falls), learning rate, examples/s and step time, validation and test
 * loss/accuracy per epoch, a histogram of every parameter and gradient per
 * epoch and every --hist-every steps, the sample grid with predicted/true
 * labels, the graph with named parameter leaves, hparams with their metric
 * tags, the model text, run metadata and the final status. A few CNN steps
 * check the CNN's graph (conv2d, pooling, dropout with their module paths).
 */
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lm-train-app.h"
#include "lumen-log.h"
#include "train-fixture.h"

static char *tmpdir;

static int64_t count_tag(sqlite3 *db, const char *table, const char *tag)
{
  char *sql = sqlite3_mprintf("SELECT count(*) FROM %s x JOIN tags t ON t.id = x.tag_id WHERE t.name = %Q",
                              table, tag);
  int64_t n = train_fixture_int(db, sql);
  sqlite3_free(sql);
  return n;
}

static void test_mlp_run(void)
{
  lm_train_cli cli;
  lm_train_cli_defaults(&cli);
  char *data = NULL;
  gboolean fashion = train_fixture_have_fashion();
  if (fashion) {
    cli.limit_train = 8000; /* 7200 train / 800 val: 113 steps per epoch */
    cli.limit_test = 1000;
  } else {
    data = train_fixture_make_data(tmpdir, 8000, 500);
    cli.data_dir = data;
  }
  cli.epochs = 3;
  cli.set_epochs = true;
  cli.log_every = 10;
  cli.hist_every = 100;
  cli.no_progress = true;
  cli.logdir = tmpdir;
  cli.run = "mlp-run";
  lm_train_result res;
  FILE *out = tmpfile();
  int rc = lm_train_app_run(&cli, out, stderr, &res);
  fclose(out);
  g_assert_cmpint(rc, ==, 0);
  g_assert_cmpint(res.status, ==, LM_RUN_FINISHED);
  g_assert_cmpint(res.epochs_done, ==, 3);
  int64_t steps = res.steps_done;
  g_test_message("%lld steps, test accuracy %.4f", (long long)steps, res.test_accuracy);
  g_assert_cmpint(steps, >=, 300);
  g_assert_cmpfloat(res.test_accuracy, >, fashion ? 0.75 : 0.95);

  char *path = g_build_filename(tmpdir, "mlp-run", "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(path);
  char *ok = train_fixture_text(db, "PRAGMA integrity_check");
  g_assert_cmpstr(ok, ==, "ok");
  g_free(ok);

  /* train loss and accuracy every 10 steps; the loss falls */
  g_assert_cmpint(count_tag(db, "scalars", "train/loss"), ==, steps / 10);
  g_assert_cmpint(count_tag(db, "scalars", "train/accuracy"), ==, steps / 10);
  double first = train_fixture_double(db, "SELECT value FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                          "WHERE t.name = 'train/loss' ORDER BY step LIMIT 1");
  double last = train_fixture_double(db, "SELECT avg(value) FROM (SELECT value FROM scalars s JOIN tags t "
                                         "ON t.id = s.tag_id WHERE t.name = 'train/loss' ORDER BY step DESC LIMIT 5)");
  g_test_message("train/loss: first %.4f, last %.4f", first, last);
  g_assert_cmpfloat(last, <, first * 0.6);
  double acc = train_fixture_double(db, "SELECT value FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                        "WHERE t.name = 'train/accuracy' ORDER BY step DESC LIMIT 1");
  g_assert_true(acc > 0.5 && acc <= 1.0);
  g_assert_cmpint(train_fixture_int(db, "SELECT min(step) FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                        "WHERE t.name = 'train/loss'"), ==, 10);
  /* lr, speed */
  g_assert_cmpint(count_tag(db, "scalars", "train/lr"), ==, steps / 10);
  g_assert_cmpfloat(train_fixture_double(db, "SELECT value FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                             "WHERE t.name = 'train/lr' ORDER BY step LIMIT 1"), ==, 1e-3);
  g_assert_cmpint(count_tag(db, "scalars", "perf/examples_per_sec"), ==, steps / 10);
  g_assert_cmpint(count_tag(db, "scalars", "perf/step_time_ms"), ==, steps / 10);
  g_assert_cmpfloat(train_fixture_double(db, "SELECT min(value) FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                             "WHERE t.name = 'perf/examples_per_sec'"), >, 0);
  /* per epoch: validation, test, epoch summaries */
  const char *per_epoch[] = { "val/loss", "val/accuracy", "test/loss", "test/accuracy", "epoch/train_loss",
                              "epoch/train_accuracy", "epoch/lr", "epoch", "perf/epoch_seconds" };
  for (size_t i = 0; i < G_N_ELEMENTS(per_epoch); i++)
    g_assert_cmpint(count_tag(db, "scalars", per_epoch[i]), ==, 3);
  double test_acc = train_fixture_double(db, "SELECT value FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                             "WHERE t.name = 'test/accuracy' ORDER BY step DESC LIMIT 1");
  g_assert_cmpfloat_with_epsilon(test_acc, res.test_accuracy, 1e-12);
  /* histograms of every parameter and gradient: per epoch + every 100 steps */
  const char *params[] = { "1.weight", "1.bias", "3.weight", "3.bias" };
  int64_t hist_rows = 3 + steps / 100;
  for (size_t i = 0; i < G_N_ELEMENTS(params); i++) {
    char tag[64];
    snprintf(tag, sizeof tag, "parameters/%s", params[i]);
    g_assert_cmpint(count_tag(db, "histograms", tag), ==, hist_rows);
    snprintf(tag, sizeof tag, "gradients/%s", params[i]);
    g_assert_cmpint(count_tag(db, "histograms", tag), ==, hist_rows);
  }
  g_assert_cmpint(train_fixture_int(db, "SELECT count FROM histograms h JOIN tags t ON t.id = h.tag_id "
                                        "WHERE t.name = 'parameters/1.weight' LIMIT 1"), ==, 128 * 784);
  /* the sample grid, each epoch, with predicted and true labels */
  g_assert_cmpint(count_tag(db, "images", "samples"), ==, 3);
  char *grid = train_fixture_text(db, "SELECT grid FROM images ORDER BY step DESC LIMIT 1");
  g_assert_nonnull(grid);
  g_assert_nonnull(strstr(grid, "\"labels\":[\"pred "));
  g_assert_nonnull(strstr(grid, " / true "));
  g_free(grid);
  g_assert_cmpint(train_fixture_int(db, "SELECT substr(hex(png), 1, 8) = '89504E47' FROM images LIMIT 1"), ==, 1);
  g_assert_cmpint(train_fixture_int(db, "SELECT width FROM images LIMIT 1"), ==, 8 * 30 + 2);
  /* a PR curve per class of the test set each epoch, as TensorBoard's
   * Fashion-MNIST tutorial: pr/<class name> (digits for MNIST) */
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM tags WHERE kind = 'pr_curve'"), ==, 10);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM pr_curves"), ==, 30);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM pr_curve_points"), ==, 30 * 127);
  g_assert_cmpint(count_tag(db, "pr_curves", fashion ? "pr/T-shirt/top" : "pr/0"), ==, 3);
  g_assert_cmpint(count_tag(db, "pr_curves", fashion ? "pr/Ankle boot" : "pr/9"), ==, 3);
  {
    int64_t n_test = fashion ? 1000 : 500, last_step = train_fixture_int(db, "SELECT max(step) FROM pr_curves");
    char *sql = sqlite3_mprintf("SELECT sum(tp) FROM pr_curve_points p JOIN pr_curves c ON c.id = p.curve_id "
                                "WHERE p.i = 0 AND c.step = %lld", (long long)last_step);
    /* at threshold 0 every example is predicted positive: the TP of all
     * classes count each test example once, every recall is 1 */
    g_assert_cmpint(train_fixture_int(db, sql), ==, n_test);
    sqlite3_free(sql);
    g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM pr_curve_points WHERE i = 0 AND recall != 1"), ==, 0);
    g_assert_cmpint(train_fixture_int(db, "SELECT min(tp + fp + tn + fn) = max(tp + fp + tn + fn) FROM "
                                          "pr_curve_points"), ==, 1);
    g_assert_cmpint(last_step, ==, steps);
    /* a trained model: precision at threshold 0.5, over all classes, well above chance */
    sql = sqlite3_mprintf("SELECT sum(tp) / sum(tp + fp) FROM pr_curve_points p JOIN pr_curves c ON "
                          "c.id = p.curve_id WHERE p.i = 63 AND c.step = %lld", (long long)last_step);
    g_assert_cmpfloat(train_fixture_double(db, sql), >, 0.5);
    sqlite3_free(sql);
  }
  /* the graph: once, ops with module paths, parameters as named leaves */
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM graphs"), ==, 1);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM graph_nodes WHERE op = 'parameter'"), ==, 4);
  char *mod = train_fixture_text(db, "SELECT module FROM graph_nodes WHERE op = 'parameter' AND name = '3.weight'");
  g_assert_cmpstr(mod, ==, "3");
  g_free(mod);
  char *shape = train_fixture_text(db, "SELECT shape FROM graph_nodes WHERE name = '1.weight'");
  g_assert_cmpstr(shape, ==, "[128,784]");
  g_free(shape);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM graph_nodes WHERE op = 'relu' AND module = '2'"), ==, 1);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM graph_nodes WHERE op = 'cross_entropy'"), ==, 1);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM graph_nodes WHERE name = 'target'"), ==, 1);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM graph_edges e JOIN graph_nodes s ON "
                                        "s.node_id = e.src AND s.graph_id = e.graph_id WHERE s.name = '1.weight'"), ==, 1);
  /* hparams with their metrics, the model text, run metadata and status */
  g_assert_cmpfloat(train_fixture_double(db, "SELECT value FROM hparams WHERE name = 'lr'"), ==, 1e-3);
  char *m = train_fixture_text(db, "SELECT value FROM hparams WHERE name = 'model'");
  g_assert_cmpstr(m, ==, "mlp");
  g_free(m);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM hparam_metrics WHERE tag IN "
                                        "('test/accuracy', 'test/loss', 'val/accuracy', 'val/loss')"), ==, 4);
  /* the Custom Scalars layout: train, val and test on one chart each, and
   * every pattern names a scalar tag the run logged */
  char *cs = train_fixture_text(db, "SELECT group_concat(c.category || '/' || c.title || ':' || t.tag, ' ') "
                                    "FROM custom_scalar_charts c JOIN (SELECT * FROM custom_scalar_tags "
                                    "ORDER BY chart_id, i) t ON t.chart_id = c.id");
  g_assert_cmpstr(cs, ==, "Overview/Loss:train/loss$ Overview/Loss:val/loss$ Overview/Loss:test/loss$ "
                          "Overview/Accuracy:train/accuracy$ Overview/Accuracy:val/accuracy$ "
                          "Overview/Accuracy:test/accuracy$");
  g_free(cs);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM custom_scalar_tags c WHERE NOT EXISTS "
                                        "(SELECT 1 FROM tags WHERE kind = 'scalar' AND name || '$' = c.tag)"), ==, 0);
  char *txt = train_fixture_text(db, "SELECT value FROM texts x JOIN tags t ON t.id = x.tag_id "
                                     "WHERE t.name = 'model/structure'");
  g_assert_nonnull(txt);
  g_assert_nonnull(strstr(txt, "Linear(in_features=784, out_features=128"));
  g_free(txt);
  g_assert_cmpint(count_tag(db, "texts", "run/config"), ==, 1);
  /* the projector's embedding, as PyTorch's TensorBoard tutorial logs it:
   * 100 test images at the last step, raw pixels as features (784 of them,
   * in [0, 1]), class names as labels, the images as a 10 x 10 sprite */
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM embeddings"), ==, 1);
  g_assert_cmpint(train_fixture_int(db, "SELECT n * 1000 + d FROM embeddings WHERE tag = 'test_images'"), ==,
                  100 * 1000 + 784);
  g_assert_cmpint(train_fixture_int(db, "SELECT step FROM embeddings"), ==, steps);
  g_assert_cmpint(train_fixture_int(db, "SELECT length(tensor) FROM embeddings"), ==, 100 * 784 * 4);
  g_assert_cmpint(train_fixture_int(db, "SELECT thumb_width * 100 + thumb_height FROM embeddings"), ==, 2828);
  g_assert_cmpint(train_fixture_int(db, "SELECT sprite_cols FROM embeddings"), ==, 10);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM embedding_metadata"), ==, 100);
  /* and each image's index in the test set, a second column */
  char *names = train_fixture_text(db, "SELECT group_concat(name, ' ') FROM (SELECT name FROM embedding_columns "
                                       "ORDER BY col)");
  g_assert_cmpstr(names, ==, "label index");
  g_free(names);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(DISTINCT value) FROM embedding_values WHERE col = 1 AND "
                                        "CAST(value AS INTEGER) >= 0 AND CAST(CAST(value AS INTEGER) AS TEXT) = "
                                        "value"), ==, 100);
  if (fashion)
    g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM embedding_metadata WHERE label IN ('T-shirt/top', "
                                          "'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', "
                                          "'Bag', 'Ankle boot')"), ==, 100);
  char *status = train_fixture_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(status, ==, "finished");
  g_free(status);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM run WHERE key IN "
                                        "('command_line', 'host', 'pid', 'start_time', 'end_time')"), ==, 5);
  sqlite3_close(db);

  /* a checkpoint per epoch in the run folder */
  for (int e = 1; e <= 3; e++) {
    char *ck = g_strdup_printf("%s/mlp-run/checkpoint-epoch-%03d.safetensors", tmpdir, e);
    g_assert_true(g_file_test(ck, G_FILE_TEST_EXISTS));
    g_free(ck);
  }
  g_assert_true(g_str_has_suffix(res.checkpoint, "checkpoint-epoch-003.safetensors"));
  g_free(path);
  g_free(data);
}

static void test_cnn_graph(void)
{
  char *data = train_fixture_make_data(tmpdir, 200, 40);
  lm_train_cli cli;
  lm_train_cli_defaults(&cli);
  cli.model = "cnn";
  cli.data_dir = data;
  cli.epochs = 1;
  cli.set_epochs = true;
  cli.no_progress = true;
  cli.logdir = tmpdir;
  cli.run = "cnn-run";
  cli.no_pr_curves = true;   /* --no-pr-curves */
  lm_train_result res;
  FILE *out = tmpfile();
  g_assert_cmpint(lm_train_app_run(&cli, out, stderr, &res), ==, 0);
  fclose(out);
  char *path = g_build_filename(tmpdir, "cnn-run", "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(path);
  struct { const char *op, *module; } want[] = {
    { "conv2d", "0" }, { "relu", "1" }, { "max_pool2d", "2" }, { "conv2d", "3" }, { "max_pool2d", "5" },
    { "linear", "7" }, { "dropout", "9" }, { "linear", "10" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
    char *sql = sqlite3_mprintf("SELECT count(*) FROM graph_nodes WHERE op = %Q AND module = %Q", want[i].op,
                                want[i].module);
    if (train_fixture_int(db, sql) != 1)
      g_error("no %s node in module %s", want[i].op, want[i].module);
    sqlite3_free(sql);
  }
  char *shape = train_fixture_text(db, "SELECT shape FROM graph_nodes WHERE op = 'conv2d' AND module = '3'");
  g_assert_cmpstr(shape, ==, "[32,64,14,14]"); /* batch 32, the CNN default */
  g_free(shape);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM graph_nodes WHERE op = 'parameter'"), ==, 8);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM histograms h JOIN tags t ON t.id = h.tag_id "
                                        "WHERE t.name LIKE 'gradients/%'"), ==, 8);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM pr_curves"), ==, 0);
  sqlite3_close(db);
  g_free(path);
  g_free(data);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp("lumen-test-run-XXXXXX", NULL);
  g_test_add_func("/train/run/mlp", test_mlp_run);
  g_test_add_func("/train/run/cnn-graph", test_cnn_graph);
  int rc = g_test_run();
  train_fixture_rmdir(tmpdir);
  g_free(tmpdir);
  return rc;
}
