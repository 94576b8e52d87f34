/* test-cli.c: the lumen-train command line.
 *
 * Parsing (defaults a PyTorch user expects, every option of the issue, bad
 * values refused with a message naming the option), the progress bar's
 * text, and the real executable end to end on a small fixture: a run, the
 * help, bad data, a missing GPU, and Ctrl-C (SIGINT mid-training: exit 0,
 * checkpoint written, run marked 'stopped', and the run resumes from it),
 * and SIGTERM the same way, even while lumen-train is starting.
 */
#define _GNU_SOURCE /* posix_openpt, grantpt, unlockpt, ptsname */
#include <fcntl.h>
#include <glib.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cuda/lumen-cuda.h"
#include "lm-train-app.h"
#include "lm-train-cli.h"
#include "lm-train-progress.h"
#include "lumen-log.h"
#include "lumen-train.h"
#include "train-fixture.h"

static char *tmpdir, *data;

/* Parses a command line given as one string; returns the result and the
 * text printed to err. */
static lm_cli_result parse(lm_train_cli *cli, const char *cmdline, char **err_text)
{
  gchar **argv = NULL;
  gint argc = 0;
  char *full = g_strconcat("lumen-train ", cmdline, NULL);
  g_assert_true(g_shell_parse_argv(full, &argc, &argv, NULL));
  g_free(full);
  lm_train_cli_defaults(cli);
  char *obuf = NULL, *ebuf = NULL;
  size_t olen = 0, elen = 0;
  FILE *out = open_memstream(&obuf, &olen), *err = open_memstream(&ebuf, &elen);
  lm_cli_result r = lm_train_cli_parse(cli, argc, argv, out, err);
  fclose(out);
  fclose(err);
  if (r == LM_CLI_RUN)
    lm_train_cli_resolve(cli);
  if (err_text)
    *err_text = g_strconcat(ebuf, obuf, NULL);
  free(obuf);
  free(ebuf);
  /* the cli keeps pointers into argv; the tests below use them at once,
   * so the vector is leaked only until the next parse */
  static gchar **last;
  g_strfreev(last);
  last = argv;
  return r;
}

static void test_defaults(void)
{
  lm_train_cli c;
  g_assert_cmpint(parse(&c, "", NULL), ==, LM_CLI_RUN);
  g_assert_false(c.no_pr_curves);   /* PR curves on by default */
  g_assert_cmpstr(c.model, ==, "mlp");
  g_assert_cmpstr(c.data_dir, ==, LM_FASHION_MNIST_DIR);
  g_assert_cmpint(c.epochs, ==, 10);
  g_assert_cmpint(c.batch_size, ==, 64);
  g_assert_cmpfloat(c.lr, ==, 1e-3);
  g_assert_cmpstr(c.optimizer, ==, "adam");
  g_assert_cmpuint(c.seed, ==, 42);
  g_assert_cmpstr(c.device, ==, "cpu");
  g_assert_cmpstr(c.program, ==, "lumen-train"); /* argv[0] without a slash: the name on PATH */
  g_assert_false(c.allow_tf32);
  g_assert_cmpstr(c.logdir, ==, "runs");
  g_assert_null(c.run);
  g_assert_cmpint(c.log_every, ==, 50);
  g_assert_cmpint(c.embedding_samples, ==, 100);
  g_assert_null(c.resume);
  g_assert_cmpint(c.lr_step, ==, 7);
  g_assert_cmpfloat(c.weight_decay, ==, 0);
  g_assert_cmpint(parse(&c, "--model cnn", NULL), ==, LM_CLI_RUN);
  g_assert_cmpint(c.epochs, ==, 5);
  g_assert_cmpint(c.batch_size, ==, 32);
  g_assert_cmpint(c.lr_step, ==, 4);
  g_assert_cmpint(parse(&c, "--optimizer sgd", NULL), ==, LM_CLI_RUN);
  g_assert_cmpfloat(c.lr, ==, 0.01);
  g_assert_cmpfloat(c.momentum, ==, 0.9);
  g_assert_cmpint(parse(&c, "--optimizer adamw", NULL), ==, LM_CLI_RUN);
  g_assert_cmpfloat(c.weight_decay, ==, 0.01);
  g_assert_cmpstr(c.lr_scheduler, ==, "step");
  g_assert_cmpfloat(c.lr_gamma, ==, 0.1);
  /* PyTorch's MNIST example: Adadelta(lr=1.0), StepLR(step_size=1, gamma=0.7) */
  g_assert_cmpint(parse(&c, "--optimizer adadelta", NULL), ==, LM_CLI_RUN);
  g_assert_cmpstr(c.optimizer, ==, "adadelta");
  g_assert_cmpfloat(c.lr, ==, 1.0);
  g_assert_cmpint(c.lr_step, ==, 1);
  g_assert_cmpfloat(c.lr_gamma, ==, 0.7);
  g_assert_cmpfloat(c.weight_decay, ==, 0);
  g_assert_cmpint(parse(&c, "--optimizer adadelta --lr 0.5 --lr-step 3 --lr-gamma 0.5", NULL), ==,
                  LM_CLI_RUN);
  g_assert_cmpfloat(c.lr, ==, 0.5);
  g_assert_cmpint(c.lr_step, ==, 3);
  g_assert_cmpfloat(c.lr_gamma, ==, 0.5);
  g_assert_cmpint(parse(&c, "--lr-scheduler exponential", NULL), ==, LM_CLI_RUN);
  g_assert_cmpstr(c.lr_scheduler, ==, "exponential");
  g_assert_cmpfloat(c.lr_gamma, ==, 0.9);
  g_assert_cmpint(parse(&c, "--lr-scheduler cosine", NULL), ==, LM_CLI_RUN);
  g_assert_cmpstr(c.lr_scheduler, ==, "cosine");
  /* ReduceLROnPlateau: factor --lr-gamma, patience --lr-patience, PyTorch's
   * 0.1 and 10 (--lr-patience, not --lr-step as before: that is StepLR's) */
  g_assert_cmpint(parse(&c, "--lr-scheduler plateau", NULL), ==, LM_CLI_RUN);
  g_assert_cmpstr(c.lr_scheduler, ==, "plateau");
  g_assert_cmpint(c.lr_patience, ==, 10);
  g_assert_cmpfloat(c.lr_gamma, ==, 0.1);
  g_assert_cmpint(parse(&c, "--lr-scheduler plateau --lr-patience 2 --lr-gamma 0.5", NULL), ==,
                  LM_CLI_RUN);
  g_assert_cmpint(c.lr_patience, ==, 2);
  g_assert_cmpfloat(c.lr_gamma, ==, 0.5);
  g_assert_cmpint(parse(&c, "--lr-patience 0 --lr-scheduler plateau", NULL), ==, LM_CLI_RUN);
  g_assert_cmpint(c.lr_patience, ==, 0);
  char *err = NULL;
  g_assert_cmpint(parse(&c, "--lr-scheduler onecycle", &err), ==, LM_CLI_USAGE);
  g_assert_nonnull(strstr(err, "--lr-scheduler"));
  g_assert_nonnull(strstr(err, "onecycle"));
  g_free(err);
}

static void test_all_options(void)
{
  lm_train_cli c;
  g_assert_cmpint(parse(&c, "--model cnn --data /d --epochs 3 --batch-size 128 --lr 0.05 --optimizer sgd "
                            "--seed 7 --device cuda --logdir L --run exp1/a --log-every 5 --resume ck.st "
                            "--hist-every 9 --no-log --val-split 0 --lr-step 0 --momentum 0.5 "
                            "--weight-decay 1e-4 --limit-train 100 --limit-test 50 --no-progress "
                            "--no-normalize --stop-after-steps 3 --allow-tf32 --no-pr-curves --embedding-samples 0",
                            NULL), ==, LM_CLI_RUN);
  g_assert_cmpint(c.embedding_samples, ==, 0);
  g_assert_cmpstr(c.model, ==, "cnn");
  g_assert_cmpstr(c.data_dir, ==, "/d");
  g_assert_cmpint(c.epochs, ==, 3);
  g_assert_cmpint(c.batch_size, ==, 128);
  g_assert_cmpfloat(c.lr, ==, 0.05);
  g_assert_cmpstr(c.optimizer, ==, "sgd");
  g_assert_cmpuint(c.seed, ==, 7);
  g_assert_cmpstr(c.device, ==, "cuda");
  g_assert_true(c.allow_tf32);
  g_assert_cmpstr(c.logdir, ==, "L");
  g_assert_cmpstr(c.run, ==, "exp1/a");
  g_assert_cmpint(c.log_every, ==, 5);
  g_assert_cmpstr(c.resume, ==, "ck.st");
  g_assert_cmpint(c.hist_every, ==, 9);
  g_assert_true(c.no_log);
  g_assert_cmpfloat(c.val_split, ==, 0);
  g_assert_cmpint(c.lr_step, ==, 0);
  g_assert_cmpfloat(c.momentum, ==, 0.5);
  g_assert_cmpfloat(c.weight_decay, ==, 1e-4);
  g_assert_cmpint(c.limit_train, ==, 100);
  g_assert_cmpint(c.limit_test, ==, 50);
  g_assert_true(c.no_progress);
  g_assert_true(c.no_pr_curves);
  g_assert_false(c.normalize);
  g_assert_cmpint(c.stop_after_steps, ==, 3);
  g_assert_true(c.set_batch_size && c.set_seed && c.set_model && c.set_optimizer);

  /* torch.device's spellings; whether cuda:N exists is checked at the start */
  g_assert_cmpint(parse(&c, "--device cuda:0", NULL), ==, LM_CLI_RUN);
  g_assert_cmpstr(c.device, ==, "cuda:0");
  g_assert_cmpint(parse(&c, "--device cuda:3", NULL), ==, LM_CLI_RUN);
  g_assert_cmpstr(c.device, ==, "cuda:3");
  g_assert_cmpint(parse(&c, "--device=cpu", NULL), ==, LM_CLI_RUN);
  g_assert_cmpstr(c.device, ==, "cpu");
}

/* The program name hints print: argv[0] when it is a path (not on PATH). */
static void test_program_name(void)
{
  lm_train_cli c;
  char *argv[] = { "build/app/train/lumen-train", "--epochs", "2", NULL };
  lm_train_cli_defaults(&c);
  g_assert_cmpint(lm_train_cli_parse(&c, 3, argv, stdout, stderr), ==, LM_CLI_RUN);
  g_assert_cmpstr(c.program, ==, "build/app/train/lumen-train");
  char *bare[] = { "lumen-train", NULL };
  lm_train_cli_defaults(&c);
  g_assert_cmpint(lm_train_cli_parse(&c, 1, bare, stdout, stderr), ==, LM_CLI_RUN);
  g_assert_cmpstr(c.program, ==, "lumen-train");
}

static void expect_usage(const char *cmdline, const char *frag)
{
  lm_train_cli c;
  char *err = NULL;
  g_assert_cmpint(parse(&c, cmdline, &err), ==, LM_CLI_USAGE);
  g_test_message("%s -> %s", cmdline, err);
  if (!strstr(err, frag))
    g_error("'%s': message \"%s\" lacks \"%s\"", cmdline, err, frag);
  g_free(err);
}

/* Numbers are taken as written in decimal: strtod's hex, inf and nan, and a
 * value a double cannot hold, are refused naming the option and the value
 * ("--lr 0x10" ran at lr 16, "--val-split 1e-400" with no validation set). */
static void test_decimal_numbers(void)
{
  expect_usage("--lr 0x10", "lumen-train: --lr: '0x10' is not a decimal number\n");
  expect_usage("--lr inf", "lumen-train: --lr: 'inf' is not a decimal number\n");
  expect_usage("--lr nan", "lumen-train: --lr: 'nan' is not a decimal number\n");
  expect_usage("--lr ' 0.1'", "lumen-train: --lr: ' 0.1' is not a decimal number\n");
  expect_usage("--lr 0.1x", "lumen-train: --lr: '0.1x' is not a decimal number\n");
  expect_usage("--lr 1e", "lumen-train: --lr: '1e' is not a decimal number\n");
  expect_usage("--lr .", "lumen-train: --lr: '.' is not a decimal number\n");
  expect_usage("--lr 1e400", "lumen-train: --lr: '1e400' is too large for a double (over about 1.8e308)\n");
  expect_usage("--lr 1e-400", "lumen-train: --lr: '1e-400' is too close to 0 for a double");
  expect_usage("--val-split 1e-400",
               "lumen-train: --val-split: '1e-400' is too close to 0 for a double (under about 2.2e-308)\n");
  expect_usage("--val-split 0x0.1", "lumen-train: --val-split: '0x0.1' is not a decimal number\n");
  expect_usage("--val-split INFINITY", "lumen-train: --val-split: 'INFINITY' is not a decimal number\n");
  expect_usage("--val-split ''", "lumen-train: --val-split: '' is not a decimal number\n");
  expect_usage("--momentum 0X1p-1", "lumen-train: --momentum: '0X1p-1' is not a decimal number\n");
  expect_usage("--weight-decay 1e-310", "lumen-train: --weight-decay: '1e-310' is too close to 0");
  expect_usage("--lr-scheduler step --lr-gamma -nan", "lumen-train: --lr-gamma: '-nan' is not a decimal number\n");
  /* integers: decimal digits only, no leading space */
  expect_usage("--epochs 0x10", "--epochs: expected an integer from 1 to 1000000, found '0x10'");
  expect_usage("--epochs ' 5'", "--epochs: expected an integer from 1 to 1000000, found ' 5'");
  expect_usage("--seed 99999999999999999999", "--seed: expected an integer >= 0, found '99999999999999999999'");
  expect_usage("--limit-train 1e3", "--limit-train: expected an integer >= 1, found '1e3'");
  expect_usage("--trace-steps ' 5'", "--trace-steps: expected step numbers >= 1 separated by commas");
  expect_usage("--trace-steps 1,' 5'", "found '1, 5'");
  expect_usage("--profile-steps 3,+4", "--profile-steps: expected step numbers >= 1 separated by commas");
  expect_usage("--profile-steps 99999999999999999999", "found '99999999999999999999'");

  /* what a user writes in decimal still parses, to the value torch's float() gives */
  lm_train_cli c;
  g_assert_cmpint(parse(&c, "--lr 1E-3 --momentum .9 --weight-decay 5e-4 --val-split 0.1", NULL), ==,
                  LM_CLI_RUN);
  g_assert_cmpfloat(c.lr, ==, 1e-3);
  g_assert_cmpfloat(c.momentum, ==, 0.9);
  g_assert_cmpfloat(c.weight_decay, ==, 5e-4);
  g_assert_cmpfloat(c.val_split, ==, 0.1);
  g_assert_cmpint(parse(&c, "--lr +2. --val-split 0e-999 --lr-scheduler step --lr-gamma 1e+0 --epochs +3", NULL), ==,
                  LM_CLI_RUN);
  g_assert_cmpfloat(c.lr, ==, 2.0);
  g_assert_cmpfloat(c.val_split, ==, 0.0);
  g_assert_cmpfloat(c.lr_gamma, ==, 1.0);
  g_assert_cmpint(c.epochs, ==, 3);
  g_assert_cmpint(parse(&c, "--lr 2.3e-308 --trace-steps 1,100", NULL), ==, LM_CLI_RUN);
  g_assert_cmpfloat(c.lr, ==, 2.3e-308);
  g_assert_cmpint(c.n_trace_steps, ==, 2);
  g_assert_cmpint(c.trace_steps[1], ==, 100);
}

static void test_bad_usage(void)
{
  expect_usage("--epochs 0", "--epochs: expected an integer from 1 to 1000000, found '0'");
  /* an empty path is named as such, not "lumen-train: : no such data directory" */
  expect_usage("--data ''", "lumen-train: --data: expected a folder, found ''");
  expect_usage("--resume ''", "lumen-train: --resume: expected a checkpoint file, found ''");
  expect_usage("--epochs 10x", "found '10x'");
  expect_usage("--batch-size -5", "--batch-size");
  expect_usage("--model resnet", "--model: expected mlp, cnn, net, mnist-net or keras-cnn, found 'resnet'");
  expect_usage("--optimizer rmsprop", "--optimizer: expected sgd, adam, adamw or adadelta, found 'rmsprop'");
  expect_usage("--lr-scheduler onecycle",
               "--lr-scheduler: expected step, exponential, cosine or plateau, found 'onecycle'");
  expect_usage("--lr-scheduler plateau --lr-step 2",
               "lumen-train: --lr-step is StepLR's step size; ReduceLROnPlateau's patience "
               "(--lr-scheduler plateau) is --lr-patience\n");
  expect_usage("--lr-patience 3", "lumen-train: --lr-patience is ReduceLROnPlateau's patience: it "
                                  "needs --lr-scheduler plateau (this run's scheduler is step)\n");
  expect_usage("--lr-scheduler cosine --lr-patience 3", "(this run's scheduler is cosine)");
  /* a schedule's ignored options are refused (they were silently dropped) */
  expect_usage("--lr-scheduler cosine --lr-step 2",
               "lumen-train: --lr-step does not apply to --lr-scheduler cosine, "
               "CosineAnnealingLR(T_max=--epochs), which has no step size or gamma\n");
  expect_usage("--lr-scheduler cosine --lr-gamma 0.5", "--lr-gamma does not apply to --lr-scheduler cosine");
  expect_usage("--lr-scheduler exponential --lr-step 2",
               "lumen-train: --lr-step is StepLR's step size; ExponentialLR (--lr-scheduler exponential) "
               "multiplies the lr by --lr-gamma every epoch\n");
  {
    lm_train_cli ok;
    g_assert_cmpint(parse(&ok, "--lr-scheduler exponential --lr-gamma 0.5", NULL), ==, LM_CLI_RUN);
    g_assert_cmpint(parse(&ok, "--lr-scheduler step --lr-step 2 --lr-gamma 0.5", NULL), ==, LM_CLI_RUN);
  }
  expect_usage("--resume ck.safetensors --lr-scheduler step --lr-patience 3",
               "(this run's scheduler is step)");
  /* with --resume alone the scheduler is the checkpoint's, maybe plateau:
   * the run checks once it has read it (this was refused as "step") */
  lm_train_cli rc;
  g_assert_cmpint(parse(&rc, "--resume ck.safetensors --lr-patience 3", NULL), ==, LM_CLI_RUN);
  expect_usage("--lr-scheduler plateau --lr-patience -1",
               "--lr-patience: expected an integer >= 0, found '-1'");
  expect_usage("--device tpu", "--device: expected cpu, cuda or cuda:N (as torch.device), found 'tpu'");
  expect_usage("--device cuda:", "found 'cuda:'");
  expect_usage("--device cuda:-1", "found 'cuda:-1'");
  expect_usage("--device cuda:1x", "found 'cuda:1x'");
  expect_usage("--device cuda0", "found 'cuda0'");
  expect_usage("--device CUDA", "found 'CUDA'");
  expect_usage("--device cuda:99999999999", "found 'cuda:99999999999'");
  expect_usage("--lr 0", "--lr: expected a number > 0, found '0'");
  expect_usage("--lr nan", "--lr");
  expect_usage("--val-split 1", "--val-split: expected a fraction >= 0 and < 1, found '1'");
  expect_usage("--seed -1", "--seed");
  expect_usage("--log-every 0", "--log-every");
  expect_usage("--embedding-samples -1", "--embedding-samples");
  expect_usage("--embedding-samples 10001", "--embedding-samples");
  expect_usage("--frobnicate", "unknown option '--frobnicate'");
  expect_usage("--epochs", "--epochs needs a value");
  expect_usage("train.py", "unexpected argument 'train.py'");
  expect_usage("--logdir ''", "--logdir: expected a folder");
  expect_usage("--run ../escape", "--run: run name '../escape' has an empty, '.' or '..' component");
  expect_usage("--run /abs/x", "must be relative to the log directory");
  expect_usage("--run a//b", "empty, '.' or '..' component");

  lm_train_cli c;
  char *text = NULL;
  g_assert_cmpint(parse(&c, "--help", &text), ==, LM_CLI_EXIT_OK);
  const char *opts[] = { "--model mlp|cnn", "--data DIR", "--epochs", "--batch-size", "--lr", "--optimizer sgd|adam|adamw|adadelta",
                         "--lr-scheduler step|exponential|cosine|plateau", "1.0 for adadelta", "0.7 for adadelta",
                         "--lr-patience N", "patience=\n                         --lr-patience)",
                         "--seed", "--device DEVICE", "cpu, cuda or cuda:N", "--logdir", "--run", "--log-every", "--resume CHECKPOINT",
                         "[10 for mlp, 5 for cnn, 14 for net, 15 for keras-cnn]",
                         "[64 for mlp and net, 32 for cnn, 128 for keras-cnn]", "net (or mnist-net)", "keras-cnn:", "[runs]", "Ctrl-C" };
  for (size_t i = 0; i < G_N_ELEMENTS(opts); i++)
    if (!strstr(text, opts[i]))
      g_error("--help lacks %s", opts[i]);
  g_free(text);
  g_assert_cmpint(parse(&c, "--version", &text), ==, LM_CLI_EXIT_OK);
  g_assert_true(g_str_has_prefix(text, "lumen-train "));
  g_free(text);
}

/* The text of a bar (tty or not) updated every 1 ms for 136 of 1000 steps,
 * then closed at step 137 as a stopped run closes it. */
static char *progress_stopped_at_137(int tty)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  lm_progress p;
  lm_progress_init(&p, f, tty);
  lm_progress_begin(&p, 1, 1, 1000, 0, 0.0);
  for (int s = 1; s < 137; s++)
    lm_progress_update(&p, s, 0.5, 0.5, 100, s * 0.001);
  lm_progress_close(&p, 137, 0.25, 0.75, 100, 0.137);
  lm_progress_end(&p);
  fclose(f);
  return text;
}

static void test_progress(void)
{
  char buf[320];
  lm_progress_format_duration(75, buf, sizeof buf);
  g_assert_cmpstr(buf, ==, "1:15");
  lm_progress_format_duration(3725, buf, sizeof buf);
  g_assert_cmpstr(buf, ==, "1:02:05");

  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  lm_progress p;
  lm_progress_init(&p, f, 0);
  lm_progress_begin(&p, 3, 10, 100, 0, 0.0);
  /* 40 of 100 steps in 8 s: 12 s left */
  lm_progress_format(&p, 40, 0.3521, 0.873, 5234, 8.0, buf, sizeof buf);
  g_assert_cmpstr(buf, ==, "Epoch 3/10 [========>           ] 40/100 ETA 0:12 loss 0.3521 acc 87.3% 5234 ex/s");
  /* not a terminal: one line per 10% of the epoch, not per step */
  for (int s = 1; s <= 100; s++)
    lm_progress_update(&p, s, 0.5, 0.5, 100, s * 0.1);
  lm_progress_end(&p);
  fclose(f);
  int lines = 0;
  for (char *c = text; *c; c++)
    lines += *c == '\n';
  g_assert_cmpint(lines, ==, 10);
  g_assert_null(strchr(text, '\r'));
  g_assert_nonnull(strstr(text, "100/100 ETA 0:00"));
  free(text);

  /* a terminal: redrawn in place with \r, throttled */
  text = NULL;
  f = open_memstream(&text, &len);
  lm_progress_init(&p, f, 1);
  lm_progress_begin(&p, 1, 1, 1000, 0, 0.0);
  for (int s = 1; s <= 1000; s++)
    lm_progress_update(&p, s, 0.5, 0.5, 100, s * 0.001); /* 1 s in all */
  lm_progress_end(&p);
  fclose(f);
  int redraws = 0;
  for (char *c = text; *c; c++)
    redraws += *c == '\r';
  g_assert_cmpint(redraws, >=, 5);
  g_assert_cmpint(redraws, <=, 15);
  g_assert_null(strchr(text, '\n'));
  free(text);

  /* stopped mid-epoch (Ctrl-C, --stop-after-steps): close() draws the step
   * it stopped at at once, throttle or not, and leaves it on its own line,
   * as tqdm's close(); end() then clears nothing */
  text = progress_stopped_at_137(1);
  g_assert_true(g_str_has_suffix(text, "\rEpoch 1/1 [==>               ] 137/1000 ETA 0:01 "
                                       "loss 0.2500 acc 75.0% 100 ex/s\033[K\n"));
  free(text);
  /* not a terminal: a last line at the stop, between the 10% lines */
  text = progress_stopped_at_137(0);
  g_assert_true(g_str_has_suffix(text, "] 100/1000 ETA 0:01 loss 0.5000 acc 50.0% 100 ex/s\n"
                                       "Epoch 1/1 [==>                 ] 137/1000 ETA 0:01 loss 0.2500 "
                                       "acc 75.0% 100 ex/s\n"));
  free(text);
}

/* The bar of a real run stopped by --stop-after-steps, on a terminal (a
 * pseudo-terminal here, raw so that "\n" stays "\n") and into a file: the
 * last bar shows the step it stopped at (it showed step 1 on a terminal,
 * then was cleared, and step 6 of 29 in a file, the last 10% line). */
static void test_progress_at_stop(void)
{
  for (int tty = 0; tty < 2; tty++) {
    int master = -1;
    FILE *out;
    char *text = NULL;
    size_t len = 0;
    if (tty) {
      master = posix_openpt(O_RDWR | O_NOCTTY);
      g_assert_cmpint(master, >=, 0);
      g_assert_cmpint(grantpt(master), ==, 0);
      g_assert_cmpint(unlockpt(master), ==, 0);
      int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
      g_assert_cmpint(slave, >=, 0);
      struct termios tio;
      g_assert_cmpint(tcgetattr(slave, &tio), ==, 0);
      cfmakeraw(&tio);
      g_assert_cmpint(tcsetattr(slave, TCSANOW, &tio), ==, 0);
      struct winsize ws = {.ws_row = 24, .ws_col = 100};
      g_assert_cmpint(ioctl(slave, TIOCSWINSZ, &ws), ==, 0);
      out = fdopen(slave, "w");
    } else {
      out = open_memstream(&text, &len);
    }
    lm_train_cli c;
    char *args = g_strdup_printf("--data '%s' --epochs 1 --logdir '%s' --run stop-bar-%d --no-log "
                                 "--stop-after-steps 7", data, tmpdir, tty);
    g_assert_cmpint(parse(&c, args, NULL), ==, LM_CLI_RUN);
    FILE *err = tmpfile();
    lm_train_result res;
    g_assert_cmpint(lm_train_app_run(&c, out, err, &res), ==, 0);
    fclose(err);
    fclose(out);
    g_assert_cmpint(res.steps_done, ==, 7);
    if (tty) {
      /* well under the pseudo-terminal's buffer: all of it is there to read */
      GString *s = g_string_new(NULL);
      char buf[4096];
      ssize_t n;
      int fl = fcntl(master, F_GETFL);
      fcntl(master, F_SETFL, fl | O_NONBLOCK);
      while ((n = read(master, buf, sizeof buf)) > 0)
        g_string_append_len(s, buf, n);
      close(master);
      text = g_string_free(s, FALSE);
    }
    g_test_message("%s", text);
    const char *stop = strstr(text, "Stopped at epoch 1, step 7.");
    g_assert_nonnull(stop);
    /* the line before it: the bar at 7 of ceil(1800 / 64) = 29 steps */
    const char *bar = g_strrstr_len(text, stop - text, "Epoch 1/1 [");
    g_assert_nonnull(bar);
    char *last = g_strndup(bar, stop - bar);
    g_test_message("last bar: %s", last);
    g_assert_nonnull(strstr(last, "] 7/29 ETA "));
    g_assert_true(g_str_has_suffix(last, tty ? "\033[K\n" : " ex/s\n"));
    g_free(last);
    if (tty)
      g_free(text);
    else
      free(text);
    g_free(args);
  }
}

/* Runs lumen-train with the given arguments; returns the exit status. */
static int run_exe(const char *args, char **out, char **err)
{
  char *cmd = g_strdup_printf("'%s' %s", LM_TRAIN_EXE, args);
  int status = -1;
  GError *gerr = NULL;
  g_assert_true(g_spawn_command_line_sync(cmd, out, err, &status, &gerr));
  g_assert_no_error(gerr);
  g_free(cmd);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_exe(void)
{
  char *out, *err;
  char *args = g_strdup_printf("--data '%s' --epochs 2 --logdir '%s' --run cli-run --log-every 2", data, tmpdir);
  g_assert_cmpint(run_exe(args, &out, &err), ==, 0);
  g_test_message("%s%s", out, err);
  g_assert_nonnull(strstr(out, "Epoch 1/2: loss "));
  g_assert_nonnull(strstr(out, "Epoch 2/2: loss "));
  g_assert_nonnull(strstr(out, "val loss"));
  g_assert_nonnull(strstr(out, "ex/s"));
  g_assert_nonnull(strstr(out, "Test accuracy: "));
  g_assert_nonnull(strstr(out, "ETA")); /* the progress lines */
  char *runfile = g_build_filename(tmpdir, "cli-run", "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(runfile);
  char *status = train_fixture_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(status, ==, "finished");
  char *cmdline = train_fixture_text(db, "SELECT value FROM run WHERE key = 'command_line'");
  g_assert_nonnull(strstr(cmdline, "--run cli-run"));
  sqlite3_close(db);
  g_free(status);
  g_free(cmdline);
  g_free(runfile);
  g_free(out);
  g_free(err);
  g_free(args);

  /* --no-log: no run file, but the checkpoints still go to the run folder */
  args = g_strdup_printf("--data '%s' --epochs 1 --logdir '%s' --run quiet-run --no-log --no-progress", data, tmpdir);
  g_assert_cmpint(run_exe(args, &out, &err), ==, 0);
  g_assert_nonnull(strstr(out, "(not logged: --no-log)"));
  g_assert_nonnull(strstr(out, ", 1 epoch, seed ")); /* not "1 epochs" */
  g_assert_nonnull(strstr(out, ") after 1 epoch\n"));
  g_assert_null(strstr(out, "ETA"));
  char *f = g_build_filename(tmpdir, "quiet-run", "run.lumen", NULL);
  g_assert_false(g_file_test(f, G_FILE_TEST_EXISTS));
  g_free(f);
  f = g_build_filename(tmpdir, "quiet-run", "checkpoint-epoch-001.safetensors", NULL);
  g_assert_true(g_file_test(f, G_FILE_TEST_EXISTS));
  g_free(f);
  g_free(out);
  g_free(err);
  g_free(args);

  g_assert_cmpint(run_exe("--epochs zero", &out, &err), ==, 2);
  g_assert_nonnull(strstr(err, "--epochs"));
  g_free(out);
  g_free(err);

  args = g_strdup_printf("--data /nonexistent-data --logdir '%s'", tmpdir);
  g_assert_cmpint(run_exe(args, &out, &err), ==, 1);
  /* the message names the option, as a bad value's does */
  g_assert_nonnull(strstr(err, "lumen-train: --data: /nonexistent-data: no such data directory"));
  g_free(out);
  g_free(err);
  g_free(args);

  /* a log directory that cannot be made (even by root: /proc takes no new
   * folder), with or without --run: the message names --logdir */
  for (int named = 0; named < 2; named++) {
    args = g_strdup_printf("--data '%s' --logdir /proc/lumen-no-logdir %s --no-progress", data,
                           named ? "--run r" : "");
    g_assert_cmpint(run_exe(args, &out, &err), ==, 1);
    g_test_message("%s", err);
    g_assert_true(g_str_has_prefix(err, "lumen-train: --logdir: "));
    g_assert_nonnull(strstr(err, "cannot create log directory '/proc/lumen-no-logdir'"));
    g_assert_null(strstr(out, "Epoch 1/"));
    g_free(out);
    g_free(err);
    g_free(args);
  }

  /* a file given as --data exists: it is not a directory */
  char *file = g_build_filename(data, "train-labels-idx1-ubyte.gz", NULL);
  g_assert_true(g_file_test(file, G_FILE_TEST_IS_REGULAR));
  args = g_strdup_printf("--data '%s' --logdir '%s'", file, tmpdir);
  g_assert_cmpint(run_exe(args, &out, &err), ==, 1);
  g_test_message("%s", err);
  g_assert_nonnull(strstr(err, "train-labels-idx1-ubyte.gz is a file, not a directory: a data set is the folder "
                               "that holds train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]"));
  g_assert_null(strstr(err, "no such"));
  g_free(out);
  g_free(err);
  g_free(args);
  g_free(file);

  if (!lm_cuda_is_available()) {
    const char *devs[] = { "cuda", "cuda:0" };
    for (size_t i = 0; i < G_N_ELEMENTS(devs); i++) {
      args = g_strdup_printf("--data '%s' --device %s --logdir '%s'", data, devs[i], tmpdir);
      g_assert_cmpint(run_exe(args, &out, &err), ==, 1);
      char *want = g_strdup_printf("--device %s: %s; use --device cpu", devs[i], lm_cuda_unavailable_reason());
      g_assert_nonnull(strstr(err, want)); /* the one clear reason */
      g_free(want);
      g_free(out);
      g_free(err);
      g_free(args);
    }
  } else {
    /* one past the last GPU is refused, naming the ones there are */
    int n = lm_cuda_device_count();
    args = g_strdup_printf("--data '%s' --device cuda:%d --logdir '%s' --run no-such-gpu", data, n, tmpdir);
    g_assert_cmpint(run_exe(args, &out, &err), ==, 1);
    g_test_message("%s", err);
    char *want = n == 1 ? g_strdup("--device cuda:1: no such GPU; this machine has one, cuda:0\n")
                        : g_strdup_printf("--device cuda:%d: no such GPU; this machine has %d, cuda:0 to cuda:%d\n",
                                          n, n, n - 1);
    g_assert_nonnull(strstr(err, want));
    g_free(want);
    g_free(out);
    g_free(err);
    g_free(args);
    /* and cuda:0 trains on the GPU */
    args = g_strdup_printf("--data '%s' --device cuda:0 --epochs 1 --logdir '%s' --run gpu0 --no-progress",
                           data, tmpdir);
    g_assert_cmpint(run_exe(args, &out, &err), ==, 0);
    g_assert_nonnull(strstr(out, "Test accuracy: "));
    g_free(out);
    g_free(err);
    g_free(args);
  }
}

static void test_sigint(void)
{
  char *epochs_arg = g_strdup_printf("--data=%s", data);
  char *logdir_arg = g_strdup_printf("--logdir=%s", tmpdir);
  char *argv[] = { (char *)LM_TRAIN_EXE, epochs_arg, logdir_arg, "--run=interrupted", "--model=cnn", "--epochs=1000",
                   "--log-every=1", NULL };
  GPid pid;
  int out_fd;
  GError *gerr = NULL;
  g_assert_true(g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, NULL,
                                         &out_fd, NULL, &gerr));
  g_assert_no_error(gerr);
  FILE *out = fdopen(out_fd, "r");
  char line[1024];
  GString *all = g_string_new(NULL);
  bool sent = false;
  while (fgets(line, sizeof line, out)) {
    g_string_append(all, line);
    /* interrupt in the middle of the second epoch (a CNN epoch of 29
     * steps takes long enough for the signal to land inside it) */
    if (!sent && strstr(line, "Epoch 2/1000 [")) {
      kill(pid, SIGINT);
      sent = true;
    }
  }
  fclose(out);
  int status = 0;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_spawn_close_pid(pid);
  g_test_message("%s", all->str);
  g_assert_true(sent);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 0);
  g_assert_nonnull(strstr(all->str, "Stopped at epoch 2, step "));
  /* run as a path (not on PATH): the hint gives that path */
  char *hint = g_strdup_printf("Resume with: %s --resume ", LM_TRAIN_EXE);
  g_assert_nonnull(strstr(all->str, hint));
  g_free(hint);
  g_assert_null(strstr(all->str, "Epoch 3/1000"));

  char *runfile = g_build_filename(tmpdir, "interrupted", "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(runfile);
  char *st = train_fixture_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(st, ==, "stopped");
  g_free(st);
  int64_t last_step = train_fixture_int(db, "SELECT max(step) FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                            "WHERE t.name = 'train/loss'");
  sqlite3_close(db);
  char *ck = g_strdup_printf("%s/interrupted/checkpoint-step-%06lld.safetensors", tmpdir, (long long)last_step);
  g_assert_true(g_file_test(ck, G_FILE_TEST_EXISTS));

  /* the run file or the run folder given to --resume: named as such, with
   * the checkpoint to give instead (the newest), not a safetensors parse error */
  char *folder = g_build_filename(tmpdir, "interrupted", NULL);
  const char *wrong[] = { runfile, folder };
  for (size_t i = 0; i < G_N_ELEMENTS(wrong); i++) {
    char *bad = g_strdup_printf("--resume '%s'", wrong[i]);
    char *bo, *be;
    g_assert_cmpint(run_exe(bad, &bo, &be), ==, 1);
    g_test_message("%s", be);
    char *want = g_strdup_printf("lumen-train: cannot resume: %s is %s, not a checkpoint; checkpoints are the "
                                 "checkpoint-*.safetensors files in the run folder, e.g. the newest: --resume %s\n",
                                 wrong[i], i == 0 ? "a run file (run.lumen, an SQLite database)" : "a folder", ck);
    g_assert_cmpstr(be, ==, want);
    g_free(want);
    g_free(bo);
    g_free(be);
    g_free(bad);
  }
  g_free(folder);

  /* --lr-patience is checked against the checkpoint's scheduler (StepLR) */
  char *pargs = g_strdup_printf("--resume '%s' --lr-patience 3", ck);
  char *po, *pe;
  g_assert_cmpint(run_exe(pargs, &po, &pe), ==, 1);
  g_assert_nonnull(strstr(pe, "--lr-patience is ReduceLROnPlateau's patience: it needs --lr-scheduler "
                              "plateau (this run's scheduler is step)"));
  g_free(pargs);
  g_free(po);
  g_free(pe);

  /* and it resumes from there, finishing the interrupted epoch */
  /* Only the checkpoint: its data folder and log folder come with it, so the
   * same run file continues (a missing --logdir must not start ./runs). */
  char *args = g_strdup_printf("--resume '%s' --epochs 2 --no-progress", ck);
  char *o, *e;
  g_assert_cmpint(run_exe(args, &o, &e), ==, 0);
  g_test_message("%s%s", o, e);
  /* the epoch as "Stopped at" named it (1-based; it said epoch 1, 0-based) */
  char *resuming = g_strdup_printf("Resuming from %s: epoch 2, step %lld\n", ck, (long long)last_step);
  g_assert_nonnull(strstr(o, resuming));
  g_free(resuming);
  g_assert_nonnull(strstr(o, "Epoch 2/2: loss "));
  g_assert_null(strstr(o, "Epoch 1/2: loss "));
  g_assert_nonnull(strstr(o, "Test accuracy: "));
  /* the same run without the interruption ends (nearly) the same: several
   * threads sum conv2d gradients in scheduling order, so not bit for bit */
  char *args2 = g_strdup_printf("--data '%s' --logdir '%s' --run straight --model cnn --epochs 2 --lr-step 700 "
                                "--no-progress", data, tmpdir);
  char *o2, *e2;
  g_assert_cmpint(run_exe(args2, &o2, &e2), ==, 0);
  double acc1 = 0, loss1 = 0, acc2 = 0, loss2 = 0;
  g_assert_cmpint(sscanf(strstr(o, "Test accuracy: "), "Test accuracy: %lf%% (loss %lf)", &acc1, &loss1), ==, 2);
  g_assert_cmpint(sscanf(strstr(o2, "Test accuracy: "), "Test accuracy: %lf%% (loss %lf)", &acc2, &loss2), ==, 2);
  g_test_message("resumed: %.2f%% loss %.4f; uninterrupted: %.2f%% loss %.4f", acc1, loss1, acc2, loss2);
  g_assert_cmpfloat(fabs(loss1 - loss2), <=, 2e-3 * loss2 + 1e-4);
  g_assert_cmpfloat(fabs(acc1 - acc2), <=, 1.0);
  g_free(o2);
  g_free(e2);
  g_free(args2);
  db = train_fixture_open_run(runfile);
  st = train_fixture_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(st, ==, "finished");
  sqlite3_close(db);
  g_free(st);
  g_free(o);
  g_free(e);
  g_free(args);
  g_free(ck);
  g_free(runfile);
  g_string_free(all, TRUE);
  g_free(epochs_arg);
  g_free(logdir_arg);
}

/* Whether pid has a handler for sig (SigCgt in /proc/PID/status). */
static gboolean catches_signal(GPid pid, int sig)
{
  char *path = g_strdup_printf("/proc/%d/status", (int)pid), *text = NULL;
  gboolean yes = FALSE;
  if (g_file_get_contents(path, &text, NULL, NULL)) {
    const char *p = strstr(text, "\nSigCgt:");
    if (p)
      yes = (g_ascii_strtoull(p + 8, NULL, 16) >> (sig - 1)) & 1;
  }
  g_free(text);
  g_free(path);
  return yes;
}

/* SIGTERM (a job scheduler's, tools/main.sh's) is Ctrl-C: stop after the
 * step, checkpoint, run 'stopped', exit 0. Sent while lumen-train is still
 * starting (its handler installed, data not loaded yet), it is not lost:
 * training stops after its first step. */
static void test_sigterm(void)
{
  char *data_arg = g_strdup_printf("--data=%s", data);
  char *logdir_arg = g_strdup_printf("--logdir=%s", tmpdir);
  char *argv[] = { (char *)LM_TRAIN_EXE, data_arg, logdir_arg, "--run=terminated", "--model=cnn", "--epochs=1000", "--log-every=1",
                   "--no-progress", NULL };
  GPid pid;
  int out_fd, err_fd;
  GError *gerr = NULL;
  g_assert_true(g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, NULL,
                                         &out_fd, &err_fd, &gerr));
  g_assert_no_error(gerr);
  gint64 t0 = g_get_monotonic_time();
  while (!catches_signal(pid, SIGTERM)) {
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 30 * G_USEC_PER_SEC);
    g_usleep(200);
  }
  kill(pid, SIGTERM);
  gint64 t_sent = g_get_monotonic_time();
  int status = 0;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  double took = (double)(g_get_monotonic_time() - t_sent) / 1e6;
  g_spawn_close_pid(pid);
  char out[4096] = "", err[4096] = "";
  ssize_t n = read(out_fd, out, sizeof out - 1);
  out[n > 0 ? n : 0] = '\0';
  n = read(err_fd, err, sizeof err - 1);
  err[n > 0 ? n : 0] = '\0';
  close(out_fd);
  close(err_fd);
  g_test_message("stopped %.2f s after SIGTERM\n%s%s", took, out, err);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 0);
  g_assert_nonnull(strstr(err, "lumen-train: SIGTERM: stopping after this step"));
  g_assert_nonnull(strstr(out, "Stopped at epoch 1, step 1. Checkpoint: "));

  char *runfile = g_build_filename(tmpdir, "terminated", "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(runfile);
  char *st = train_fixture_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(st, ==, "stopped");
  g_assert_cmpint(train_fixture_int(db, "SELECT max(step) FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                        "WHERE t.name = 'train/loss'"), ==, 1);
  sqlite3_close(db);
  char *ck = g_strdup_printf("%s/terminated/checkpoint-step-000001.safetensors", tmpdir);
  g_assert_true(g_file_test(ck, G_FILE_TEST_EXISTS));
  g_free(ck);
  g_free(st);
  g_free(runfile);
  g_free(data_arg);
  g_free(logdir_arg);
}

/* Runs without --run get SummaryWriter's default name (Nov21_07-45-12_host_mlp);
 * one started in a second whose name is taken gets NAME_2, not the other
 * run's file. The names of the next few seconds are taken beforehand, so
 * whichever second lumen-train starts in, its name is taken. */
static void test_default_run_name(void)
{
  char *logdir = g_build_filename(tmpdir, "default-names", NULL);
  g_assert_cmpint(g_mkdir_with_parents(logdir, 0755), ==, 0);
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  char names[8][512];
  time_t t0 = time(NULL);
  for (int i = 0; i < 8; i++) {
    time_t t = t0 + i;
    struct tm tm;
    localtime_r(&t, &tm);
    char stamp[64];
    strftime(stamp, sizeof stamp, "%b%d_%H-%M-%S", &tm);
    snprintf(names[i], sizeof names[i], "%s_%s_mlp", stamp, host);
    char *dir = g_build_filename(logdir, names[i], NULL);
    g_assert_cmpint(mkdir(dir, 0755), ==, 0);
    g_free(dir);
  }
  char *args = g_strdup_printf("--data '%s' --epochs 1 --logdir '%s' --no-progress", data, logdir);
  char *out, *err;
  g_assert_cmpint(run_exe(args, &out, &err), ==, 0);
  g_assert_cmpint(time(NULL), <, t0 + 8);
  int found = 0;
  for (int i = 0; i < 8; i++) {
    char *taken = g_build_filename(logdir, names[i], "run.lumen", NULL);
    g_assert_false(g_file_test(taken, G_FILE_TEST_EXISTS)); /* nothing written into another's folder */
    char *second = g_strdup_printf("%s/%s_2/run.lumen", logdir, names[i]);
    if (g_file_test(second, G_FILE_TEST_EXISTS)) {
      found++;
      g_assert_nonnull(strstr(out, names[i]));
    }
    g_free(taken);
    g_free(second);
  }
  g_assert_cmpint(found, ==, 1);
  g_free(out);
  g_free(err);
  g_free(args);
  g_free(logdir);
}

/* The run file of run `name` under tmpdir, open, its status and `error`
 * key asserted: "<what> not written: <path>: cannot write: Is a directory"
 * (a folder in the file's way); the caller closes it. */
static sqlite3 *open_run_missing(const char *name, const char *status, const char *what, const char *path)
{
  char *runfile = g_build_filename(tmpdir, name, "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(runfile);
  char *st = train_fixture_text(db, "SELECT value FROM run WHERE key = 'status'");
  char *why = train_fixture_text(db, "SELECT value FROM run WHERE key = 'error'");
  char *want = g_strdup_printf("%s not written: %s: cannot write: Is a directory", what, path);
  g_assert_cmpstr(st, ==, status);
  g_assert_cmpstr(why, ==, want);
  g_free(want);
  g_free(why);
  g_free(st);
  g_free(runfile);
  return db;
}

/* A Ctrl-C stop (--stop-after-steps) whose checkpoint cannot be written:
 * the run is still 'stopped' (everything it logged is there), its `error`
 * names the missing checkpoint, and the resume command offered is the
 * last checkpoint written, or none, never the one that does not exist. */
static void stop_without_checkpoint(const char *name, int epochs, int stop_after, const char *want_out,
                                    const char *resume_from)
{
  char *file = g_strdup_printf("checkpoint-step-%06d.safetensors", stop_after);
  char *blocked = g_build_filename(tmpdir, name, file, NULL);
  g_assert_cmpint(g_mkdir_with_parents(blocked, 0755), ==, 0); /* a folder in the file's way */
  /* 128 examples, batch 64: 2 steps an epoch */
  char *args = g_strdup_printf("--data '%s' --epochs %d --limit-train 128 --val-split 0 --stop-after-steps %d "
                               "--log-every 1 --logdir '%s' --run %s --no-progress --no-pr-curves "
                               "--embedding-samples 0",
                               data, epochs, stop_after, tmpdir, name);
  char *out, *err;
  g_assert_cmpint(run_exe(args, &out, &err), ==, 1);
  g_test_message("%s%s", out, err);
  g_assert_nonnull(strstr(out, want_out));
  g_assert_null(strstr(out, file)); /* the missing checkpoint is not offered */
  if (resume_from) {
    char *ck = g_build_filename(tmpdir, name, resume_from, NULL);
    char *line = g_strdup_printf(" --resume %s\n", ck);
    g_assert_nonnull(strstr(out, line));
    g_assert_true(g_file_test(ck, G_FILE_TEST_IS_REGULAR));
    g_free(line);
    g_free(ck);
  } else {
    g_assert_null(strstr(out, "--resume"));
  }
  g_assert_nonnull(strstr(err, "lumen-train: cannot write checkpoint: "));
  g_assert_nonnull(strstr(err, "stopped, but 1 checkpoint failed (see the messages above)"));

  sqlite3 *db = open_run_missing(name, "stopped", "checkpoint", blocked);
  g_assert_cmpint(train_fixture_int(db, "SELECT max(step) FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                        "WHERE t.name = 'train/loss'"), ==, stop_after);
  sqlite3_close(db);
  g_free(out);
  g_free(err);
  g_free(args);
  g_free(blocked);
  g_free(file);
}

static void test_stop_checkpoint_not_written(void)
{
  /* no checkpoint at all: nothing to resume from */
  stop_without_checkpoint("stop-ckfail", 1, 1,
                          "Stopped at epoch 1, step 1. Its checkpoint was not written (see above).\n"
                          "No checkpoint was written: there is nothing to resume from.\n", NULL);
  /* the first epoch's checkpoint is there: resume from it */
  stop_without_checkpoint("stop-ckfail-2", 2, 3,
                          "Stopped at epoch 2, step 3. Its checkpoint was not written (see above).\n"
                          "Resume from the last checkpoint, step 2, with: ", "checkpoint-epoch-001.safetensors");
}

/* A checkpoint that cannot be written does not stop the training, but the
 * exit status says something the user asked for is missing; an empty test
 * set is refused up front, naming it. */
static void test_write_failure_and_empty_test(void)
{
  char *blocked = g_build_filename(tmpdir, "ckfail", "checkpoint-epoch-001.safetensors", NULL);
  g_assert_cmpint(g_mkdir_with_parents(blocked, 0755), ==, 0); /* a folder in the file's way */
  char *args = g_strdup_printf("--data '%s' --epochs 1 --logdir '%s' --run ckfail --no-progress", data, tmpdir);
  char *out, *err;
  g_assert_cmpint(run_exe(args, &out, &err), ==, 1);
  g_test_message("%s%s", out, err);
  g_assert_nonnull(strstr(out, "Test accuracy: ")); /* the training itself went through */
  g_assert_nonnull(strstr(err, "cannot write checkpoint"));
  g_assert_nonnull(strstr(err, "finished, but 1 checkpoint failed (see the messages above)"));
  /* the run file says so too: its data is whole ('finished'), and the
   * `error` the app shows beside the status names the missing file */
  sqlite3 *db = open_run_missing("ckfail", "finished", "checkpoint", blocked);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                        "WHERE t.name = 'test/accuracy'"), ==, 1);
  sqlite3_close(db);
  g_free(out);
  g_free(err);
  g_free(args);
  g_free(blocked);

  char *parent = g_build_filename(tmpdir, "no-test-set", NULL);
  char *d = train_fixture_make_data(parent, 64, 0);
  args = g_strdup_printf("--data '%s' --epochs 1 --logdir '%s' --run empty-test", d, tmpdir);
  g_assert_cmpint(run_exe(args, &out, &err), ==, 1);
  g_assert_nonnull(strstr(err, "the test set (t10k-images) has no images"));
  char *runfile = g_build_filename(tmpdir, "empty-test", "run.lumen", NULL);
  g_assert_false(g_file_test(runfile, G_FILE_TEST_EXISTS));
  g_free(runfile);
  g_free(out);
  g_free(err);
  g_free(args);
  g_free(d);
  g_free(parent);
}

/* --lr-scheduler plateau steps on the val loss: with no validation
 * example (--val-split 0, or a split too small for the data) every epoch
 * would count as bad and the lr would fall each epoch (it halved 3 times in
 * 4 epochs of 300 examples with --val-split 0.001); lumen-train refuses. */
static void test_plateau_needs_val(void)
{
  char *out, *err;
  char *args = g_strdup_printf("--data '%s' --limit-train 300 --val-split 0.001 --epochs 2 "
                               "--lr-scheduler plateau --lr-patience 0 --lr-gamma 0.5 --logdir '%s' "
                               "--run plateau-noval --no-progress", data, tmpdir);
  g_assert_cmpint(run_exe(args, &out, &err), ==, 1);
  g_test_message("%s%s", out, err);
  g_assert_nonnull(strstr(err, "lumen-train: --lr-scheduler plateau steps on the validation loss, "
                               "but --val-split 0.001 of 300 examples leaves no validation "
                               "example\n"));
  g_assert_null(strstr(out, "Epoch 1/2"));
  g_free(out);
  g_free(err);
  g_free(args);
  args = g_strdup_printf("--data '%s' --val-split 0 --lr-scheduler plateau --logdir '%s' "
                         "--run plateau-noval --no-progress", data, tmpdir);
  g_assert_cmpint(run_exe(args, &out, &err), ==, 1);
  g_assert_nonnull(strstr(err, "it needs --val-split > 0"));
  g_free(out);
  g_free(err);
  g_free(args);
}

/* Resuming a finished run from its first epoch retrains the second: the
 * run file then holds each step once (what came after the checkpoint is
 * purged, as SummaryWriter(purge_step=...) does), not twice. */
static void test_resume_purges_later_steps(void)
{
  char *args = g_strdup_printf("--data '%s' --epochs 2 --logdir '%s' --run again --no-progress --log-every 1",
                               data, tmpdir);
  char *out, *err;
  g_assert_cmpint(run_exe(args, &out, &err), ==, 0);
  g_free(out);
  g_free(err);
  g_free(args);
  char *runfile = g_build_filename(tmpdir, "again", "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(runfile);
  int64_t n_loss = train_fixture_int(db, "SELECT count(*) FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                         "WHERE t.name = 'train/loss'");
  sqlite3_close(db);
  g_assert_cmpint(n_loss, >, 0);

  args = g_strdup_printf("--resume '%s/again/checkpoint-epoch-001.safetensors' --no-progress", tmpdir);
  g_assert_cmpint(run_exe(args, &out, &err), ==, 0);
  g_assert_nonnull(strstr(out, "-epoch-001.safetensors: after epoch 1, step ")); /* was "epoch 1" */
  db = train_fixture_open_run(runfile);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                        "WHERE t.name = 'train/loss'"), ==, n_loss);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) - count(DISTINCT step) FROM scalars s JOIN tags t "
                                        "ON t.id = s.tag_id WHERE t.name = 'test/accuracy'"), ==, 0);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                        "WHERE t.name = 'test/accuracy'"), ==, 2);
  char *st = train_fixture_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(st, ==, "finished");
  g_free(st);
  sqlite3_close(db);
  g_free(runfile);
  g_free(out);
  g_free(err);
  g_free(args);
}

/* A new run given the --run name of a run that already holds a run file
 * and checkpoints is refused, naming the checkpoint to --resume: it would
 * have logged step 1 onwards a second time into that run file and
 * overwritten its checkpoints (the first run's epoch-1 checkpoint was
 * silently replaced). Nothing of the first run changes. */
static void test_run_name_taken(void)
{
  char *args = g_strdup_printf("--data '%s' --epochs 1 --logdir '%s' --run taken --no-progress "
                               "--log-every 1", data, tmpdir);
  char *out, *err;
  g_assert_cmpint(run_exe(args, &out, &err), ==, 0);
  g_free(out);
  g_free(err);
  char *ck = g_build_filename(tmpdir, "taken", "checkpoint-epoch-001.safetensors", NULL);
  char *runfile = g_build_filename(tmpdir, "taken", "run.lumen", NULL);
  char *ck_before = NULL;
  gsize ck_len = 0;
  g_assert_true(g_file_get_contents(ck, &ck_before, &ck_len, NULL));
  sqlite3 *db = train_fixture_open_run(runfile);
  const char *count = "SELECT count(*) FROM scalars";
  int64_t n_scalars = train_fixture_int(db, count);
  sqlite3_close(db);

  for (int no_log = 0; no_log < 2; no_log++) {
    char *again = g_strdup_printf("%s --seed 7%s", args, no_log ? " --no-log" : "");
    g_assert_cmpint(run_exe(again, &out, &err), ==, 1);
    g_test_message("%s", err);
    char *want = g_strdup_printf("lumen-train: --run taken: %s/taken already holds a run (a run file "
                                 "and checkpoints); a new run there would overwrite its checkpoints%s. "
                                 "Continue it with --resume %s, or choose another --run name\n",
                                 tmpdir, no_log ? "" : " and log its steps a second time into its run file",
                                 ck);
    g_assert_cmpstr(err, ==, want);
    g_assert_null(strstr(out, "Epoch 1/1"));
    g_free(want);
    g_free(again);
    g_free(out);
    g_free(err);
  }
  char *ck_after = NULL;
  gsize ck_after_len = 0;
  g_assert_true(g_file_get_contents(ck, &ck_after, &ck_after_len, NULL));
  g_assert_cmpmem(ck_after, ck_after_len, ck_before, ck_len);
  db = train_fixture_open_run(runfile);
  g_assert_cmpint(train_fixture_int(db, count), ==, n_scalars);
  sqlite3_close(db);
  /* --resume continues it, into the same folder */
  char *resume = g_strdup_printf("--resume '%s' --epochs 2 --no-progress", ck);
  g_assert_cmpint(run_exe(resume, &out, &err), ==, 0);
  g_assert_nonnull(strstr(out, "Epoch 2/2"));
  g_free(out);
  g_free(err);
  g_free(resume);
  g_free(ck_before);
  g_free(ck_after);
  g_free(runfile);
  g_free(ck);
  g_free(args);
}

/* In the child: a 1 MB file size limit (ulimit -f 1000), and SIGXFSZ as a
 * shell leaves it (meson's Python ignores it, and exec passes that on). */
static void limit_file_size(gpointer data)
{
  (void)data;
  struct rlimit rl = { 1000 * 1024, 1000 * 1024 };
  setrlimit(RLIMIT_FSIZE, &rl);
  signal(SIGXFSZ, SIG_DFL);
}

/* A file size limit reached while writing (the mlp's checkpoints are
 * 1.2 MB) is a write error lumen-train names and survives, as a Python
 * trainer's OSError "File too large": training goes on, the run file stays
 * sound with what it committed and the exit status is 1. Before, SIGXFSZ killed it
 * without a word at the first checkpoint. */
static void test_file_size_limit(void)
{
  char *cmd = g_strdup_printf("'%s' --data '%s' --epochs 1 --logdir '%s' --run fsize --no-progress "
                              "--embedding-samples 0 --no-pr-curves", LM_TRAIN_EXE, data, tmpdir);
  char **argv = NULL, *out = NULL, *err = NULL;
  int status = -1;
  GError *gerr = NULL;
  g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
  g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, limit_file_size, NULL, &out, &err, &status,
                             &gerr));
  g_assert_no_error(gerr);
  g_test_message("%s%s", out, err);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 1);
  char *want = g_strdup_printf("lumen-train: cannot write checkpoint: %s/fsize/checkpoint-epoch-001.safetensors: "
                               "cannot write: File too large\n", tmpdir);
  g_assert_nonnull(strstr(err, want));
  g_assert_nonnull(strstr(out, "Test accuracy: "));
  char *runfile = g_build_filename(tmpdir, "fsize", "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(runfile);
  char *check = train_fixture_text(db, "PRAGMA integrity_check");
  g_assert_cmpstr(check, ==, "ok");
  /* the run file reached the limit too: the run is 'failed', not
   * 'finished', with the write error beside it */
  g_assert_nonnull(strstr(err, "lumen-train: the run file may be incomplete: "));
  char *state = train_fixture_text(db, "SELECT value FROM run WHERE key = 'status'");
  char *why = train_fixture_text(db, "SELECT value FROM run WHERE key = 'error'");
  g_assert_cmpstr(state, ==, "failed");
  g_assert_nonnull(why);
  g_assert_nonnull(strstr(why, "File too large"));
  g_free(state);
  g_free(why);
  sqlite3_close(db);
  g_free(check);
  g_free(runfile);
  g_free(want);
  g_free(out);
  g_free(err);
  g_strfreev(argv);
  g_free(cmd);
}

/* The --run name of a run another process is training now (its writer
 * holds run.lumen.lock) is refused naming that process, not with advice
 * to remove the folder (which would lose that process's run) or to
 * resume it; once the writer is closed the usual refusal comes back. */
static void test_run_name_busy(void)
{
  lm_writer *w = NULL;
  g_assert_cmpint(lm_writer_open(&w, tmpdir, "busy"), ==, LM_OK);
  g_assert_cmpint(lm_writer_add_scalar(w, "loss", 0, 1.0), ==, LM_OK);
  g_assert_cmpint(lm_writer_flush(w), ==, LM_OK);
  char host[256] = "";
  g_assert_cmpint(gethostname(host, sizeof host - 1), ==, 0);
  char *args = g_strdup_printf("--data '%s' --epochs 1 --logdir '%s' --run busy --no-progress", data, tmpdir);
  char *out, *err;
  g_assert_cmpint(run_exe(args, &out, &err), ==, 1);
  g_test_message("%s", err);
  char *want = g_strdup_printf("lumen-train: --run busy: %s/busy is being written now by another process "
                               "(pid %ld on %s); choose another --run name (or, once that process has "
                               "ended, continue the run with --resume)\n",
                               tmpdir, (long)getpid(), host);
  g_assert_cmpstr(err, ==, want);
  g_assert_null(strstr(out, "Epoch 1/1"));
  g_free(want);
  g_free(out);
  g_free(err);
  g_assert_cmpint(lm_writer_close(w), ==, LM_OK);
  g_assert_cmpint(run_exe(args, &out, &err), ==, 1);
  g_assert_nonnull(strstr(err, "/busy already holds a run (a run file)"));
  g_free(out);
  g_free(err);
  g_free(args);
}

/* pytorch/examples' mnist/main.py flags are lumen-train's own options under
 * main.py's names: each parses to what its lumen-train name gives. */
/* Every lumen-train command of the docs' ```sh blocks (README.md,
 * docs/training.md, docs/traces.md), read at test time, parses as it is
 * written: an option renamed or a value refused fails here, not for the
 * user who copies the line.  A line ending in a backslash goes on. */
static void test_doc_examples(void)
{
  static const char *const docs[] = { "README.md", "docs/training.md", "docs/traces.md" };
  int n_examples = 0;
  for (size_t d = 0; d < G_N_ELEMENTS(docs); d++) {
    char *path = g_build_filename(g_test_get_dir(G_TEST_DIST), "..", docs[d], NULL);
    char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    char **lines = g_strsplit(text, "\n", -1);
    bool in_sh = false;
    GString *cmd = g_string_new(NULL);
    for (int i = 0; lines[i]; i++) {
      if (g_str_has_prefix(lines[i], "```")) {
        in_sh = !in_sh && g_str_has_prefix(lines[i], "```sh");
        continue;
      }
      if (!in_sh)
        continue;
      g_string_append(cmd, lines[i]);
      if (g_str_has_suffix(cmd->str, "\\")) {
        g_string_truncate(cmd, cmd->len - 1);
        continue;
      }
      char *line = g_strstrip(g_strdup(cmd->str));
      g_string_truncate(cmd, 0);
      const char *args = NULL;
      if (g_str_has_prefix(line, "lumen-train"))
        args = line + strlen("lumen-train");
      else if (g_str_has_prefix(line, "build/app/train/lumen-train"))
        args = line + strlen("build/app/train/lumen-train");
      if (args && (*args == ' ' || *args == '\0')) {
        lm_train_cli c;
        char *err = NULL;
        lm_cli_result r = parse(&c, args, &err);
        if (r == LM_CLI_USAGE)
          g_error("%s:%d: '%s' is refused: %s", docs[d], i + 1, line, err);
        g_assert_cmpint(r, ==, strstr(args, "--help") ? LM_CLI_EXIT_OK : LM_CLI_RUN);
        g_free(err);
        n_examples++;
      }
      g_free(line);
    }
    g_string_free(cmd, TRUE);
    g_strfreev(lines);
    g_free(text);
    g_free(path);
  }
  g_test_message("%d lumen-train commands of the docs parsed", n_examples);
  g_assert_cmpint(n_examples, >=, 25);
}

static void test_main_py_names(void)
{
  lm_train_cli a, b;
  g_assert_cmpint(parse(&a, "--gamma 0.5 --log-interval 7 --no-cuda", NULL), ==, LM_CLI_RUN);
  g_assert_cmpint(parse(&b, "--lr-gamma 0.5 --log-every 7 --device cpu", NULL), ==, LM_CLI_RUN);
  g_assert_cmpfloat(a.lr_gamma, ==, 0.5);
  g_assert_cmpfloat(a.lr_gamma, ==, b.lr_gamma);
  g_assert_true(a.set_lr_gamma && b.set_lr_gamma);
  g_assert_cmpint(a.log_every, ==, 7);
  g_assert_cmpint(a.log_every, ==, b.log_every);
  g_assert_true(a.set_log_every && b.set_log_every);
  g_assert_cmpstr(a.device, ==, "cpu");
  g_assert_cmpstr(a.device, ==, b.device);
  /* the Adadelta recipe as main.py spells it */
  g_assert_cmpint(parse(&a, "--optimizer adadelta --lr 1.0 --gamma 0.7 --batch-size 64 --epochs 14 --seed 1",
                        NULL), ==, LM_CLI_RUN);
  g_assert_cmpfloat(a.lr_gamma, ==, 0.7);
  g_assert_cmpint(a.lr_step, ==, 1);
  /* --no-mps changes nothing; --no-cuda after --device cuda is --device cpu too */
  g_assert_cmpint(parse(&a, "--no-mps", NULL), ==, LM_CLI_RUN);
  g_assert_cmpint(parse(&b, "", NULL), ==, LM_CLI_RUN);
  g_assert_cmpint(memcmp(&a, &b, sizeof a), ==, 0);
  g_assert_cmpint(parse(&a, "--device cuda --device cpu --no-cuda", NULL), ==, LM_CLI_RUN);
  g_assert_cmpstr(a.device, ==, "cpu");
  /* --test-batch-size: 1000 (main.py's, and what lumen-train evaluated with) */
  g_assert_cmpint(b.test_batch_size, ==, 1000);
  g_assert_false(b.dry_run);
  g_assert_false(b.save_model);
  g_assert_cmpint(parse(&a, "--test-batch-size 250 --dry-run --save-model", NULL), ==, LM_CLI_RUN);
  g_assert_cmpint(a.test_batch_size, ==, 250);
  g_assert_true(a.dry_run);
  g_assert_true(a.save_model);

  /* messages name the option as typed */
  expect_usage("--no-cuda --device cuda", "lumen-train: --no-cuda and --device cuda contradict each other: "
                                          "--no-cuda is --device cpu (give one of them)\n");
  expect_usage("--device cuda:1 --no-cuda", "--no-cuda and --device cuda:1 contradict each other");
  expect_usage("--gamma x", "lumen-train: --gamma: 'x' is not a decimal number\n");
  expect_usage("--log-interval 0", "lumen-train: --log-interval: expected an integer >= 1, found '0'\n");
  expect_usage("--test-batch-size 0",
               "lumen-train: --test-batch-size: expected an integer from 1 to 1048576, found '0'\n");
  expect_usage("--test-batch-size", "--test-batch-size needs a value");

  char *help = NULL;
  g_assert_cmpint(parse(&a, "--help", &help), ==, LM_CLI_EXIT_OK);
  const char *group = strstr(help, "PyTorch mnist/main.py names");
  g_assert_nonnull(group);
  const char *names[] = { "--test-batch-size N", "--gamma G", "--log-interval N", "--no-cuda",
                          "--no-mps", "--dry-run", "--save-model" };
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    if (!strstr(group, names[i]))
      g_error("--help's main.py group lacks %s", names[i]);
  g_assert_nonnull(strstr(group, "no effect here"));
  g_free(help);
}

/* Runs lumen-train in this process on the fixture with a command line;
 * returns the exit status, stdout's text in *out_text. */
static int run_app(const char *cmdline, lm_train_result *res, char **out_text)
{
  lm_train_cli cli;
  char *args = g_strdup_printf("--data '%s' --logdir '%s' --no-progress %s", data, tmpdir, cmdline);
  g_assert_cmpint(parse(&cli, args, NULL), ==, LM_CLI_RUN);
  g_free(args);
  char *obuf = NULL;
  size_t olen = 0;
  FILE *out = open_memstream(&obuf, &olen);
  int rc = lm_train_app_run(&cli, out, stderr, res);
  fclose(out);
  g_test_message("%s: %s", cmdline, obuf);
  *out_text = obuf;
  return rc;
}

static int64_t count_scalars(sqlite3 *db, const char *tag)
{
  char *sql = sqlite3_mprintf("SELECT count(*) FROM scalars s JOIN tags t ON t.id = s.tag_id "
                              "WHERE t.name = %Q", tag);
  int64_t n = train_fixture_int(db, sql);
  sqlite3_free(sql);
  return n;
}

/* --dry-run, as main.py's: every epoch trains one batch, the first of its
 * shuffled order over the whole training split (a different one each
 * epoch: lm_fit's max_batches, checked in test-fit), then evaluates the
 * whole validation and test sets, logs and checkpoints as usual.  (It
 * trained the split's first 32 examples every epoch, the split cut to
 * them: "(32 train, ...)".) */
static void test_dry_run(void)
{
  lm_train_result res;
  char *out = NULL;
  g_assert_cmpint(run_app("--run dry --epochs 3 --batch-size 32 --log-interval 1 --dry-run", &res, &out), ==, 0);
  g_assert_cmpint(res.status, ==, LM_RUN_FINISHED);
  g_assert_cmpint(res.epochs_done, ==, 3);
  g_assert_cmpint(res.steps_done, ==, 3);
  g_assert_cmpint(res.train_examples, ==, 3 * 32);
  g_assert_false(isnan(res.test_accuracy) || isnan(res.val_accuracy));
  g_assert_nonnull(strstr(out, "(1800 train, 200 val, 200 test)"));
  g_assert_nonnull(strstr(out, "Dry run (--dry-run): each epoch trains on one batch of 32 examples, the first of "
                               "its shuffled order\n"));
  g_assert_nonnull(strstr(out, "Epoch 3/3: loss "));
  free(out);
  char *runfile = g_build_filename(tmpdir, "dry", "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(runfile);
  /* one logged step per epoch (--log-interval 1): steps 1, 2, 3 */
  g_assert_cmpint(count_scalars(db, "train/loss"), ==, 3);
  g_assert_cmpint(train_fixture_int(db, "SELECT max(step) FROM scalars s JOIN tags t ON t.id = s.tag_id "
                                        "WHERE t.name = 'train/loss'"), ==, 3);
  g_assert_cmpint(count_scalars(db, "test/accuracy"), ==, 3);
  g_assert_cmpint(count_scalars(db, "val/loss"), ==, 3);
  char *status = train_fixture_text(db, "SELECT value FROM run WHERE key = 'status'");
  g_assert_cmpstr(status, ==, "finished");
  g_free(status);
  sqlite3_close(db);
  g_free(runfile);
  char *ck = g_build_filename(tmpdir, "dry", "checkpoint-epoch-003.safetensors", NULL);
  g_assert_true(g_file_test(ck, G_FILE_TEST_IS_REGULAR));
  g_free(ck);
}

/* --model net and --model keras-cnn: the MNIST examples' own models, with
 * their examples' defaults for the options not given, named as the
 * examples name them. */
static void test_example_model_defaults(void)
{
  lm_train_cli c;
  g_assert_cmpint(parse(&c, "--model net", NULL), ==, LM_CLI_RUN);
  g_assert_cmpstr(c.model, ==, "net");
  g_assert_cmpint(c.epochs, ==, 14);
  g_assert_cmpint(c.batch_size, ==, 64);
  g_assert_cmpint(c.test_batch_size, ==, 1000);
  g_assert_cmpstr(c.optimizer, ==, "adadelta");
  g_assert_cmpfloat(c.lr, ==, 1.0);
  g_assert_cmpstr(c.lr_scheduler, ==, "step");
  g_assert_cmpint(c.lr_step, ==, 1);
  g_assert_cmpfloat(c.lr_gamma, ==, 0.7);
  g_assert_cmpuint(c.seed, ==, 1);
  g_assert_cmpfloat(c.val_split, ==, 0);
  g_assert_true(c.normalize);
  g_assert_cmpint(parse(&c, "--model mnist-net", NULL), ==, LM_CLI_RUN);
  g_assert_cmpstr(c.model, ==, "net");
  g_assert_cmpint(parse(&c, "--model net --seed 3 --optimizer adam --val-split 0.2 --epochs 2", NULL), ==,
                  LM_CLI_RUN);
  g_assert_cmpuint(c.seed, ==, 3);
  g_assert_cmpstr(c.optimizer, ==, "adam");
  g_assert_cmpfloat(c.lr, ==, 1e-3);
  g_assert_cmpfloat(c.val_split, ==, 0.2);
  g_assert_cmpint(c.epochs, ==, 2);

  g_assert_cmpint(parse(&c, "--model keras-cnn", NULL), ==, LM_CLI_RUN);
  g_assert_cmpstr(c.model, ==, "keras-cnn");
  g_assert_cmpint(c.epochs, ==, 15);
  g_assert_cmpint(c.batch_size, ==, 128);
  g_assert_cmpstr(c.optimizer, ==, "adam");
  g_assert_cmpfloat(c.lr, ==, 1e-3);
  g_assert_cmpfloat(c.val_split, ==, 0.1);
  g_assert_false(c.normalize);
  g_assert_cmpuint(c.seed, ==, 42);
  g_assert_cmpint(c.lr_step, ==, 0); /* the example's lr is constant */
  g_assert_cmpint(parse(&c, "--model keras-cnn --lr-step 3", NULL), ==, LM_CLI_RUN);
  g_assert_cmpint(c.lr_step, ==, 3);

  char *err = NULL;
  g_assert_cmpint(parse(&c, "--model resnet", &err), ==, LM_CLI_USAGE);
  g_assert_cmpstr(err, ==, "lumen-train: --model: expected mlp, cnn, net, mnist-net or keras-cnn, found 'resnet'\n");
  g_free(err);
}

/* A short run of main.py's Net: main.py's defaults, the graph and the
 * histograms under Net's names, --save-model's mnist_cnn.safetensors as
 * Net's state_dict, and a resume that ends on the same parameters. */
static void test_net_run(void)
{
  lm_train_result res;
  char *out = NULL;
  g_assert_cmpint(run_app("--run net --model net --epochs 2 --dry-run --log-interval 1 --save-model", &res, &out),
                  ==, 0);
  g_assert_cmpint(res.status, ==, LM_RUN_FINISHED);
  g_assert_cmpint(res.steps_done, ==, 2);
  g_assert_cmpint(res.train_examples, ==, 2 * 64);
  g_assert_nonnull(strstr(out, "(2000 train, 0 val, 200 test)"));
  g_assert_false(isnan(res.test_accuracy));
  free(out);
  char *runfile = g_build_filename(tmpdir, "net", "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(runfile);
  g_assert_cmpint(count_scalars(db, "train/loss"), ==, 2);
  g_assert_cmpint(count_scalars(db, "test/accuracy"), ==, 2);
  g_assert_cmpint(count_scalars(db, "val/loss"), ==, 0);
  /* Adadelta lr 1.0, then StepLR(1, 0.7) */
  g_assert_cmpfloat_with_epsilon(train_fixture_double(db, "SELECT value FROM scalars s JOIN tags t ON "
                                                          "t.id = s.tag_id WHERE t.name = 'epoch/lr' "
                                                          "ORDER BY step DESC LIMIT 1"), 0.7, 1e-12);
  char *v = train_fixture_text(db, "SELECT value FROM hparams WHERE name = 'optimizer'");
  g_assert_cmpstr(v, ==, "adadelta");
  g_free(v);
  g_assert_cmpfloat(train_fixture_double(db, "SELECT value FROM hparams WHERE name = 'seed'"), ==, 1);
  g_assert_cmpfloat(train_fixture_double(db, "SELECT value FROM hparams WHERE name = 'parameters'"), ==, 1199882);
  const char *modules[] = { "conv1", "relu1", "conv2", "max_pool2d", "dropout1", "fc1", "dropout2", "fc2",
                            "log_softmax" };
  for (size_t i = 0; i < G_N_ELEMENTS(modules); i++) {
    char *sql = sqlite3_mprintf("SELECT count(*) FROM graph_nodes WHERE module = %Q AND op != 'parameter'",
                                modules[i]);
    if (train_fixture_int(db, sql) != 1)
      g_error("the graph has no op of module %s", modules[i]);
    sqlite3_free(sql);
  }
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM graph_nodes WHERE op = 'nll_loss'"), ==, 1);
  char *shape = train_fixture_text(db, "SELECT shape FROM graph_nodes WHERE op = 'parameter' AND name = 'fc1.weight'");
  g_assert_cmpstr(shape, ==, "[128,9216]");
  g_free(shape);
  g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM histograms h JOIN tags t ON t.id = h.tag_id "
                                        "WHERE t.name = 'gradients/conv2.weight'"), ==, 2);
  sqlite3_close(db);
  g_free(runfile);

  /* main.py's torch.save(model.state_dict(), "mnist_cnn.pt") */
  char *file = g_build_filename(tmpdir, "net", "mnist_cnn.safetensors", NULL);
  g_assert_cmpstr(res.model_file, ==, file);
  char *error = NULL;
  lm_safetensors *m = lm_safetensors_read(file, &error);
  g_assert_nonnull(m);
  const char *names[] = { "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                          "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" };
  g_assert_cmpuint(lm_safetensors_count(m), ==, G_N_ELEMENTS(names));
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    if (!lm_safetensors_find(m, names[i]))
      g_error("%s lacks %s", file, names[i]);
  g_assert_cmpint(lm_safetensors_find(m, "conv2.weight")->shape[1], ==, 32);
  lm_module *model = lm_model_mnist_net();
  g_assert_true(lm_checkpoint_load_model(m, model, &error));
  lm_module_free(model);

  /* resumed from epoch 1, it ends on the same parameters */
  char *ck = g_build_filename(tmpdir, "net", "checkpoint-epoch-001.safetensors", NULL);
  char *cmd = g_strdup_printf("--resume '%s' --epochs 2 --dry-run --save-model", ck);
  lm_train_result res2;
  g_assert_cmpint(run_app(cmd, &res2, &out), ==, 0);
  free(out);
  g_assert_cmpfloat(res2.test_loss, ==, res.test_loss);
  lm_safetensors *m2 = lm_safetensors_read(file, &error);
  g_assert_nonnull(m2);
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    const lm_st_tensor *a = lm_safetensors_find(m, names[i]), *b = lm_safetensors_find(m2, names[i]);
    g_assert_cmpuint(a->nbytes, ==, b->nbytes);
    g_assert_cmpint(memcmp(a->data, b->data, a->nbytes), ==, 0);
  }
  lm_safetensors_free(m2);
  lm_safetensors_free(m);
  g_free(cmd);
  g_free(ck);
  g_free(file);
}

/* A short run of the Keras convnet: its settings, Keras' layer names in the
 * graph, a validation split, and (on a Fashion-MNIST subset, where 28 steps
 * make it confident) PR curves of its softmax outputs as they are, not a
 * softmax of them, which would squeeze every score between 0.09 and 0.23. */
static void test_keras_run(void)
{
  lm_train_result res;
  char *out = NULL;
  const gboolean fashion = train_fixture_have_fashion();
  g_assert_cmpint(run_app(fashion ? "--run keras --model keras-cnn --epochs 1 --limit-train 4000 --limit-test 500 "
                                    "--data " LM_FASHION_MNIST_DIR
                                  : "--run keras --model keras-cnn --epochs 2",
                          &res, &out), ==, 0);
  g_assert_cmpint(res.status, ==, LM_RUN_FINISHED);
  g_assert_nonnull(strstr(out, fashion ? "(3600 train, 400 val, 500 test)" : "(1800 train, 200 val, 200 test)"));
  g_assert_cmpint(res.steps_done, ==, fashion ? 29 : 2 * 15); /* ceil(3600 / 128), ceil(1800 / 128) */
  g_test_message("keras-cnn test accuracy %.4f, loss %.4f", res.test_accuracy, res.test_loss);
  g_assert_true(isfinite(res.test_loss) && res.test_loss > 0);
  free(out);
  char *runfile = g_build_filename(tmpdir, "keras", "run.lumen", NULL);
  sqlite3 *db = train_fixture_open_run(runfile);
  g_assert_cmpint(count_scalars(db, "val/loss"), ==, fashion ? 1 : 2);
  g_assert_cmpint(count_scalars(db, "test/accuracy"), ==, fashion ? 1 : 2);
  g_assert_cmpfloat(train_fixture_double(db, "SELECT value FROM hparams WHERE name = 'parameters'"), ==, 34826);
  g_assert_cmpfloat(train_fixture_double(db, "SELECT value FROM hparams WHERE name = 'normalize'"), ==, 0);
  const char *modules[] = { "conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "flatten", "dropout",
                            "dense", "softmax" };
  for (size_t i = 0; i < G_N_ELEMENTS(modules); i++) {
    char *sql = sqlite3_mprintf("SELECT count(*) FROM graph_nodes WHERE module = %Q AND op != 'parameter'",
                                modules[i]);
    if (train_fixture_int(db, sql) < 1)
      g_error("the graph has no op of module %s", modules[i]);
    sqlite3_free(sql);
  }
  char *shape = train_fixture_text(db, "SELECT shape FROM graph_nodes WHERE op = 'parameter' AND name = 'dense.weight'");
  g_assert_cmpstr(shape, ==, "[10,1600]");
  g_free(shape);
  /* Keras' Adam: eps 1e-7, lr 1e-3 kept after every epoch */
  char *ck = g_build_filename(tmpdir, "keras", fashion ? "checkpoint-epoch-001.safetensors"
                                                       : "checkpoint-epoch-002.safetensors", NULL);
  char *error = NULL;
  lm_safetensors *st = lm_safetensors_read(ck, &error);
  g_assert_nonnull(st);
  g_assert_cmpstr(lm_safetensors_metadata(st, "eps"), ==, "1e-07");
  g_assert_cmpstr(lm_safetensors_metadata(st, "lr"), ==, "0.001");
  lm_safetensors_free(st);
  g_free(ck);
  if (fashion) /* some test image scores above 0.5 for some class */
    g_assert_cmpint(train_fixture_int(db, "SELECT count(*) FROM pr_curve_points p JOIN pr_curves c ON "
                                          "c.id = p.curve_id WHERE p.threshold > 0.5 AND p.tp + p.fp > 0"), >, 0);
  else
    g_test_message("Fashion-MNIST is not installed: the PR curves' scores are not checked");
  sqlite3_close(db);
  g_free(runfile);
}

/* --save-model writes the final parameters, as the state_dict main.py
 * saves: the same tensors as the last checkpoint's, without the optimizer
 * state, loadable into the model. */
static void test_save_model(void)
{
  lm_train_result res;
  char *out = NULL;
  g_assert_cmpint(run_app("--run saved --epochs 2 --limit-train 500 --save-model", &res, &out), ==, 0);
  char *file = g_build_filename(tmpdir, "saved", "mnist_mlp.safetensors", NULL);
  g_assert_cmpstr(res.model_file, ==, file);
  char *line = g_strdup_printf("Test accuracy: %.2f%% (loss %.4f) after 2 epochs\nModel saved (--save-model): %s\n",
                               100 * res.test_accuracy, res.test_loss, file);
  g_assert_nonnull(strstr(out, line));
  g_free(line);
  free(out);
  char *ckpath = g_build_filename(tmpdir, "saved", "checkpoint-epoch-002.safetensors", NULL);
  char *error = NULL;
  lm_safetensors *m = lm_safetensors_read(file, &error), *ck = lm_safetensors_read(ckpath, &error);
  g_assert_nonnull(m);
  g_assert_nonnull(ck);
  size_t params = 0;
  for (size_t i = 0; i < lm_safetensors_count(ck); i++) {
    const lm_st_tensor *t = lm_safetensors_tensor(ck, i);
    if (g_str_has_prefix(t->name, "optimizer."))
      continue;
    params++;
    const lm_st_tensor *u = lm_safetensors_find(m, t->name);
    if (!u)
      g_error("%s lacks %s", file, t->name);
    g_assert_cmpint(u->dtype, ==, LM_ST_F32);
    g_assert_cmpint(u->ndim, ==, t->ndim);
    for (int d = 0; d < t->ndim; d++)
      g_assert_cmpint(u->shape[d], ==, t->shape[d]);
    g_assert_cmpuint(u->nbytes, ==, t->nbytes);
    g_assert_cmpint(memcmp(u->data, t->data, t->nbytes), ==, 0);
  }
  /* PyTorch's nn.Sequential twin names them so (tests/train/load_checkpoint.py) */
  g_assert_cmpuint(params, ==, 4);
  g_assert_cmpuint(lm_safetensors_count(m), ==, 4);
  g_assert_nonnull(lm_safetensors_find(m, "1.weight"));
  g_assert_nonnull(lm_safetensors_find(m, "3.bias"));
  g_assert_cmpstr(lm_safetensors_metadata(m, "step"), ==, lm_safetensors_metadata(ck, "step"));
  lm_module *model = lm_model_mlp();
  g_assert_true(lm_checkpoint_load_model(m, model, &error));
  lm_module_free(model);
  lm_safetensors_free(m);
  lm_safetensors_free(ck);
  g_free(ckpath);
  g_free(file);

  /* a file that cannot be written: the run finishes, the exit status and a message say so */
  char *blocked = g_build_filename(tmpdir, "save-blocked", "mnist_mlp.safetensors", NULL);
  g_assert_cmpint(g_mkdir_with_parents(blocked, 0755), ==, 0); /* a folder in the file's way */
  char *args = g_strdup_printf("--data '%s' --epochs 1 --limit-train 300 --logdir '%s' --run save-blocked "
                               "--no-progress --save-model", data, tmpdir);
  char *eout, *err;
  g_assert_cmpint(run_exe(args, &eout, &err), ==, 1);
  g_test_message("%s%s", eout, err);
  g_assert_nonnull(strstr(eout, "Test accuracy: "));
  char *msg = g_strdup_printf("lumen-train: --save-model: %s: cannot write: ", blocked);
  g_assert_nonnull(strstr(err, msg));
  g_assert_nonnull(strstr(err, "finished, but the --save-model file failed"));
  sqlite3_close(open_run_missing("save-blocked", "finished", "--save-model file", blocked));
  g_free(msg);
  g_free(eout);
  g_free(err);
  g_free(args);
  g_free(blocked);
}

/* --test-batch-size changes only how fast the test set is evaluated: the
 * test accuracy is that of the default 1000, also with a last batch smaller
 * than the others (200 = 28 x 7 + 4), and the loss too but for the rounding
 * of each batch's float32 mean (1.8585722446 and 1.8585722649 here, 1e-8
 * apart: the same 1.8586 printed, as in PyTorch). Validation and training
 * do not change. */
static void test_test_batch_size(void)
{
  lm_train_result r1, r2;
  char *out = NULL;
  g_assert_cmpint(run_app("--run tbs-1000 --epochs 1 --limit-train 600", &r1, &out), ==, 0);
  free(out);
  g_assert_cmpint(run_app("--run tbs-7 --epochs 1 --limit-train 600 --test-batch-size 7", &r2, &out), ==, 0);
  free(out);
  g_assert_cmpfloat(r1.test_accuracy, ==, r2.test_accuracy);
  g_test_message("test loss %.17g and %.17g", r1.test_loss, r2.test_loss);
  g_assert_cmpfloat_with_epsilon(r1.test_loss, r2.test_loss, 1e-6 * r1.test_loss);
  g_assert_cmpfloat(r1.val_loss, ==, r2.val_loss);
  g_assert_cmpfloat(r1.train_loss, ==, r2.train_loss);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp("lumen-test-cli-XXXXXX", NULL);
  data = train_fixture_make_data(tmpdir, 2000, 200);
  g_test_add_func("/train/cli/defaults", test_defaults);
  g_test_add_func("/train/cli/all-options", test_all_options);
  g_test_add_func("/train/cli/program-name", test_program_name);
  g_test_add_func("/train/cli/bad-usage", test_bad_usage);
  g_test_add_func("/train/cli/decimal-numbers", test_decimal_numbers);
  g_test_add_func("/train/cli/progress", test_progress);
  g_test_add_func("/train/cli/progress-at-stop", test_progress_at_stop);
  g_test_add_func("/train/cli/exe", test_exe);
  g_test_add_func("/train/cli/default-run-name", test_default_run_name);
  g_test_add_func("/train/cli/write-failure-and-empty-test", test_write_failure_and_empty_test);
  g_test_add_func("/train/cli/stop-checkpoint-not-written", test_stop_checkpoint_not_written);
  g_test_add_func("/train/cli/plateau-needs-val", test_plateau_needs_val);
  g_test_add_func("/train/cli/run-name-taken", test_run_name_taken);
  g_test_add_func("/train/cli/run-name-busy", test_run_name_busy);
  g_test_add_func("/train/cli/file-size-limit", test_file_size_limit);
  g_test_add_func("/train/cli/resume-purges-later-steps", test_resume_purges_later_steps);
  g_test_add_func("/train/cli/doc-examples", test_doc_examples);
  g_test_add_func("/train/cli/main-py-names", test_main_py_names);
  g_test_add_func("/train/cli/dry-run", test_dry_run);
  g_test_add_func("/train/cli/save-model", test_save_model);
  g_test_add_func("/train/cli/example-model-defaults", test_example_model_defaults);
  g_test_add_func("/train/cli/net-run", test_net_run);
  g_test_add_func("/train/cli/keras-run", test_keras_run);
  g_test_add_func("/train/cli/test-batch-size", test_test_batch_size);
  g_test_add_func("/train/cli/sigint", test_sigint);
  g_test_add_func("/train/cli/sigterm", test_sigterm);
  int rc = g_test_run();
  train_fixture_rmdir(tmpdir);
  g_free(data);
  g_free(tmpdir);
  return rc;
}
