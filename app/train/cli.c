/* cli.c: parsing lumen-train's command line (getopt_long) and its --help.
 *
 * Defaults follow what a PyTorch/TensorBoard user expects: batch 64 (32 for
 * the CNN, as in the engine issue's benchmark), Adam at lr 1e-3 (SGD 0.01
 * with momentum 0.9), logs under ./runs with a SummaryWriter-style run name. Every number is checked strictly: "10x" or
 * "-3" for --epochs is an error naming the option and the bad value, not a
 * silent 10 or a crash later.
 */
#include "lm-train-cli.h"
#include "lumen-log.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lumen-train.h"

#ifndef LUMEN_VERSION
#define LUMEN_VERSION "0.1.0"
#endif

void lm_train_cli_defaults(lm_train_cli *cli)
{
  memset(cli, 0, sizeof *cli);
  cli->model = "mlp";
  cli->data_dir = LM_FASHION_MNIST_DIR;
  cli->optimizer = "adam";
  cli->momentum = -1;
  cli->weight_decay = -1;
  cli->lr_scheduler = "step";
  cli->lr_step = -1;
  cli->lr_patience = -1;
  cli->lr_gamma = -1;
  cli->seed = 42;
  cli->device = "cpu";
  cli->program = "lumen-train";
  cli->logdir = "runs";
  cli->log_every = 50;
  cli->test_batch_size = 1000; /* what lumen-train evaluated with before, and main.py's default */
  cli->embedding_samples = 100;
  cli->val_split = 0.1;
  cli->normalize = true;
  cli->trace_max_values = -1;
}

void lm_train_cli_print_help(FILE *out)
{
  fputs(
    "Usage: lumen-train [OPTION]...\n"
    "Train the tutorial MLP or CNN, or the model of PyTorch's or Keras' MNIST\n"
    "example, on an IDX image data set (Fashion-MNIST by default), with a\n"
    "progress bar, checkpoints and a run file for `lumen`.\n"
    "\n"
    "Model and data:\n"
    "  --model mlp|cnn|net|keras-cnn                                [mlp]\n"
    "                         mlp: Flatten-Linear(784,128)-ReLU-Linear(128,10);\n"
    "                         cnn: Conv(1,32,3,p1)-ReLU-MaxPool(2)-Conv(32,64,3,p1)-\n"
    "                         ReLU-MaxPool(2)-Flatten-Linear(3136,128)-ReLU-\n"
    "                         Dropout(0.5)-Linear(128,10);\n"
    "                         net (or mnist-net): pytorch/examples mnist/main.py's\n"
    "                         Net (conv1, conv2, fc1, fc2; log_softmax, nll_loss)\n"
    "                         with main.py's defaults: 14 epochs, batch 64,\n"
    "                         Adadelta lr 1.0, StepLR(1, 0.7), seed 1, all 60,000\n"
    "                         training images (--val-split 0);\n"
    "                         keras-cnn: keras.io's Simple MNIST convnet (softmax,\n"
    "                         categorical cross-entropy, Glorot init) with its\n"
    "                         settings: 15 epochs, batch 128, Adam lr 1e-3 eps 1e-7,\n"
    "                         constant (--lr-step 0), pixels only scaled to [0,1]\n"
    "                         (--no-normalize)\n"
    "  --data DIR             folder with train-/t10k-{images-idx3,labels-idx1}-ubyte[.gz]\n"
    "                         [" LM_FASHION_MNIST_DIR "]\n"
    "  --val-split F          last fraction of the training set held out for\n"
    "                         validation, as Keras' validation_split\n"
    "                         [0.1; 0 for net]\n"
    "  --no-normalize         only scale pixels to [0,1] (default: then subtract the\n"
    "                         training set's mean and divide by its std; off\n"
    "                         for keras-cnn)\n"
    "  --limit-train N        use only the first N training examples (quick runs)\n"
    "  --limit-test N         use only the first N test examples\n"
    "\n"
    "Training:\n"
    "  --epochs N             [10 for mlp, 5 for cnn, 14 for net, 15 for keras-cnn]\n"
    "  --batch-size N         [64 for mlp and net, 32 for cnn, 128 for keras-cnn]\n"
    "  --optimizer sgd|adam|adamw|adadelta          [adam; adadelta for net]\n"
    "                         adadelta: lr 1.0, StepLR step 1, gamma 0.7 unless\n"
    "                         given (PyTorch's MNIST example)\n"
    "  --lr LR                learning rate [1e-3 for adam/adamw, 0.01 for sgd,\n"
    "                         1.0 for adadelta]\n"
    "  --lr-scheduler step|exponential|cosine|plateau               [step]\n"
    "                         step: StepLR(--lr-step, --lr-gamma); exponential:\n"
    "                         ExponentialLR(--lr-gamma); cosine:\n"
    "                         CosineAnnealingLR(T_max=--epochs); plateau:\n"
    "                         ReduceLROnPlateau(factor=--lr-gamma, patience=\n"
    "                         --lr-patience) on the validation loss; stepped per epoch\n"
    "  --lr-step N            StepLR: multiply the lr by --lr-gamma every N epochs\n"
    "                         [70% of --epochs, rounded; 1 for adadelta; 0: constant lr]\n"
    "  --lr-patience N        plateau: multiply the lr by --lr-gamma after N epochs\n"
    "                         without improvement (ReduceLROnPlateau's patience) [10]\n"
    "  --lr-gamma G           StepLR/ExponentialLR gamma [0.1 for step, 0.9 for\n"
    "                         exponential, 0.7 for adadelta]\n"
    "  --momentum M           SGD momentum                           [0.9]\n"
    "  --weight-decay W       [0; 0.01 for adamw, as in PyTorch]\n"
    "  --seed N               seeds initialisation, shuffling and dropout\n"
    "                         [42; 1 for net, as main.py]\n"
    "  --device DEVICE        cpu, cuda or cuda:N (torch.device)     [cpu]\n"
    "  --allow-tf32           cuda: TF32 tensor cores for matmul, linear and conv2d\n"
    "                         (torch.backends.cuda.matmul.allow_tf32; default off:\n"
    "                         full float32, as on the CPU)\n"
    "  --resume CHECKPOINT    continue from a .safetensors checkpoint written by\n"
    "                         lumen-train (same results as an uninterrupted run)\n"
    "\n"
    "Logging (view with: lumen --logdir DIR):\n"
    "  --logdir DIR           [runs]\n"
    "  --run NAME             run name, may be nested (exp1/lr0.1); a new one\n"
    "                         (continue a run with --resume)\n"
    "                         [like SummaryWriter: Nov21_07-45-12_HOST_MODEL]\n"
    "  --log-every N          log train loss/accuracy every N steps   [50]\n"
    "  --hist-every N         also log parameter/gradient histograms every N\n"
    "                         steps (they are always logged each epoch) [0: off]\n"
    "  --embedding-samples N  at the end, log N random test images for the\n"
    "                         projector (lumen --view projector): their raw\n"
    "                         pixels as features, class names as labels, the\n"
    "                         images as thumbnails, like add_embedding in\n"
    "                         PyTorch's TensorBoard tutorial  [100; 0: off]\n"
    "  --no-log               write no run file (checkpoints still go to --logdir)\n"
    "  --no-progress          no progress bar, only the per-epoch lines\n"
    "  --no-pr-curves         log no per-class PR curves of the test set (by\n"
    "                         default one per class each epoch, pr/<class>)\n"
    "  --stop-after-steps N   behave as if Ctrl-C were pressed after N steps\n"
    "\n"
    "Op-by-op traces (step through them with: lumen --view graph):\n"
    "  --trace-every N        trace every Nth step: each forward and backward op\n"
    "                         with statistics and values              [0: off]\n"
    "  --trace-steps LIST     trace these steps, e.g. 1,100,500\n"
    "  --trace-on-anomaly     check every step for NaN/Inf; at the first one, write\n"
    "                         that step's trace, name the op, stop, mark the run\n"
    "                         failed and exit 1 (torch.autograd.detect_anomaly)\n"
    "  --trace-max-values N   keep the values of tensors up to N elements, only\n"
    "                         statistics for bigger ones  [1048576: all of mlp/cnn]\n"
    "\n"
    "Op profiling (torch.profiler; see it in: lumen --view profile):\n"
    "  --profile-steps LIST   time every forward and backward op of these steps,\n"
    "                         e.g. 10,11,12; written as traces with times and\n"
    "                         statistics (values only with --trace-max-values)\n"
    "  --profile              the same for steps 2, 3 and 4 of this run (step 1\n"
    "                         warms up: first allocations, BLAS threads), with\n"
    "                         --profile-memory\n"
    "  --profile-memory       also count the bytes each profiled op allocates and\n"
    "                         frees, and what is allocated after it (torch.profiler's\n"
    "                         profile_memory=True); alone, profiles steps 2, 3, 4\n"
    "\n"
    "PyTorch mnist/main.py names (pytorch/examples; --batch-size, --epochs, --lr and\n"
    "--seed are the same there):\n"
    "  --test-batch-size N    batch size for evaluating the test set: it changes\n"
    "                         the speed, not the test loss or accuracy   [1000]\n"
    "  --gamma G              --lr-gamma G\n"
    "  --log-interval N       --log-every N\n"
    "  --no-cuda              --device cpu (refused with --device cuda)\n"
    "  --no-mps               accepted for main.py's command line; no effect here\n"
    "                         (Apple GPUs, which lumen-train does not use)\n"
    "  --dry-run              quickly check a single pass: each epoch trains on one\n"
    "                         batch (the first of the epoch's shuffled order, a\n"
    "                         different one each epoch), then evaluates and logs\n"
    "                         as usual\n"
    "  --save-model           at the end of a finished run, also write the final\n"
    "                         parameters (no optimizer state) to the run folder as\n"
    "                         mnist_MODEL.safetensors (main.py's mnist_cnn.pt;\n"
    "                         mnist_cnn.safetensors for net, Net's state_dict;\n"
    "                         load with safetensors.torch.load_file)\n"
    "\n"
    "  -h, --help             show this help and exit\n"
    "  -V, --version          show the version and exit\n"
    "\n"
    "Ctrl-C (or SIGTERM, as a job scheduler sends) finishes the current step,\n"
    "writes a checkpoint, marks the run 'stopped' and exits 0. Checkpoints (parameters + optimizer state, in the\n"
    "safetensors format) are written to the run folder after every epoch.\n",
    out);
}

/* Whether s is a number as written in decimal: an optional sign, digits
 * with at most one '.' among them, then (unless integral) an optional
 * exponent, e or E, a sign and digits. strtod alone also takes hex ("0x10"
 * is 16), inf, nan and leading spaces, strtoll leading spaces. */
static bool is_decimal(const char *s, bool integral)
{
  const char *p = s + (*s == '+' || *s == '-');
  int digits = 0;
  bool dot = false;
  for (;; p++) {
    if (*p >= '0' && *p <= '9')
      digits++;
    else if (*p == '.' && !dot && !integral)
      dot = true;
    else
      break;
  }
  if (!digits)
    return false;
  if (!integral && (*p == 'e' || *p == 'E')) {
    p += 1 + (p[1] == '+' || p[1] == '-');
    if (!(*p >= '0' && *p <= '9'))
      return false;
    while (*p >= '0' && *p <= '9')
      p++;
  }
  return *p == '\0';
}

static bool parse_int(const char *opt, const char *s, int64_t min, int64_t max, int64_t *out, FILE *err)
{
  char *end = NULL;
  errno = 0;
  long long v = is_decimal(s, true) ? strtoll(s, &end, 10) : 0;
  if (!end || errno || *end || v < min || v > max) {
    if (max == INT32_MAX || max == INT64_MAX)
      fprintf(err, "lumen-train: %s: expected an integer >= %lld, found '%s'\n", opt, (long long)min, s);
    else
      fprintf(err, "lumen-train: %s: expected an integer from %lld to %lld, found '%s'\n", opt,
              (long long)min, (long long)max, s);
    return false;
  }
  *out = v;
  return true;
}

/* s as a double when it is a decimal number a double holds, refused with a
 * message naming opt otherwise: hex, inf and nan, and a value out of a
 * double's range ("1e-400" would be 0, "1e400" inf). */
static bool parse_decimal(const char *opt, const char *s, double *out, FILE *err)
{
  if (!is_decimal(s, false)) {
    fprintf(err, "lumen-train: %s: '%s' is not a decimal number\n", opt, s);
    return false;
  }
  errno = 0;
  const double v = strtod(s, NULL);
  if (errno == ERANGE && fabs(v) < 1) {
    fprintf(err, "lumen-train: %s: '%s' is too close to 0 for a double (under about 2.2e-308)\n", opt, s);
    return false;
  }
  if (errno == ERANGE || !isfinite(v)) {
    fprintf(err, "lumen-train: %s: '%s' is too large for a double (over about 1.8e308)\n", opt, s);
    return false;
  }
  *out = v;
  return true;
}

static bool parse_real(const char *opt, const char *s, double min, bool min_open, double *out, FILE *err)
{
  double v;
  if (!parse_decimal(opt, s, &v, err))
    return false;
  if (v < min || (min_open && v == min)) {
    fprintf(err, "lumen-train: %s: expected a number %s %g, found '%s'\n", opt, min_open ? ">" : ">=", min, s);
    return false;
  }
  *out = v;
  return true;
}

const char *lm_train_cli_model_name(const char *name)
{
  static const char *const names[] = { "mlp", "cnn", "net", "keras-cnn" };
  if (name && strcmp(name, "mnist-net") == 0)
    return "net";
  for (size_t i = 0; name && i < sizeof names / sizeof *names; i++)
    if (strcmp(name, names[i]) == 0)
      return names[i];
  return NULL;
}

/* The defaults that follow the example a model comes from, for the options
 * not given: main.py's for net, the Keras example's for keras-cnn (epochs
 * and batch size are lm_train_cli_resolve's). */
static void model_defaults(lm_train_cli *cli)
{
  if (strcmp(cli->model, "net") == 0) {
    if (!cli->set_optimizer)
      cli->optimizer = "adadelta";
    if (!cli->set_seed)
      cli->seed = 1;
    if (!cli->set_val_split)
      cli->val_split = 0; /* main.py trains on all 60,000 and tests */
  } else if (strcmp(cli->model, "keras-cnn") == 0 && !cli->set_normalize) {
    cli->normalize = false; /* x_train.astype("float32") / 255 */
  }
}

static bool one_of(const char *opt, const char *s, const char *const *choices, FILE *err)
{
  for (int i = 0; choices[i]; i++)
    if (strcmp(s, choices[i]) == 0)
      return true;
  fprintf(err, "lumen-train: %s: expected ", opt);
  for (int i = 0; choices[i]; i++)
    fprintf(err, "%s%s", i ? (choices[i + 1] ? ", " : " or ") : "", choices[i]);
  fprintf(err, ", found '%s'\n", s);
  return false;
}

enum {
  OPT_MODEL = 256, OPT_DATA, OPT_EPOCHS, OPT_BATCH, OPT_LR, OPT_OPTIM, OPT_MOMENTUM, OPT_WD,
  OPT_SEED, OPT_DEVICE, OPT_LOGDIR, OPT_RUN, OPT_LOG_EVERY, OPT_HIST_EVERY, OPT_EMBEDDING_SAMPLES, OPT_VAL_SPLIT,
  OPT_NO_NORMALIZE, OPT_RESUME, OPT_NO_LOG, OPT_NO_PROGRESS, OPT_NO_PR_CURVES, OPT_LIMIT_TRAIN, OPT_LIMIT_TEST,
  OPT_STOP_AFTER, OPT_LR_STEP, OPT_LR_PATIENCE, OPT_LR_GAMMA, OPT_LR_SCHED,
  OPT_TRACE_EVERY, OPT_TRACE_STEPS, OPT_TRACE_ON_ANOMALY, OPT_TRACE_MAX_VALUES, OPT_ALLOW_TF32,
  OPT_PROFILE_STEPS, OPT_PROFILE, OPT_PROFILE_MEMORY,
  /* pytorch/examples' mnist/main.py names */
  OPT_GAMMA, OPT_LOG_INTERVAL, OPT_NO_CUDA, OPT_NO_MPS, OPT_TEST_BATCH, OPT_DRY_RUN, OPT_SAVE_MODEL,
};

/* "1,100,500" into steps[] (at most LM_CLI_MAX_TRACE_STEPS): strictly
 * increasing is not required, duplicates are fine. */
static bool parse_steps(const char *opt, const char *s, int64_t *steps, int *n_steps, FILE *err)
{
  const char *p = s;
  *n_steps = 0;
  for (;;) {
    char *end = NULL;
    errno = 0;
    long long v = *p >= '0' && *p <= '9' ? strtoll(p, &end, 10) : 0;
    if (!end || errno || v < 1 || (*end && *end != ',')) {
      fprintf(err, "lumen-train: %s: expected step numbers >= 1 separated by commas "
              "(like 1,100,500), found '%s'\n", opt, s);
      return false;
    }
    if (*n_steps == LM_CLI_MAX_TRACE_STEPS) {
      fprintf(err, "lumen-train: %s: at most %d steps\n", opt, LM_CLI_MAX_TRACE_STEPS);
      return false;
    }
    steps[(*n_steps)++] = v;
    if (!*end)
      return true;
    p = end + 1;
  }
}

lm_cli_result lm_train_cli_parse(lm_train_cli *cli, int argc, char **argv, FILE *out, FILE *err)
{
  static const struct option opts[] = {
    { "model", required_argument, NULL, OPT_MODEL },
    { "data", required_argument, NULL, OPT_DATA },
    { "epochs", required_argument, NULL, OPT_EPOCHS },
    { "batch-size", required_argument, NULL, OPT_BATCH },
    { "lr", required_argument, NULL, OPT_LR },
    { "optimizer", required_argument, NULL, OPT_OPTIM },
    { "momentum", required_argument, NULL, OPT_MOMENTUM },
    { "lr-step", required_argument, NULL, OPT_LR_STEP },
    { "lr-patience", required_argument, NULL, OPT_LR_PATIENCE },
    { "lr-gamma", required_argument, NULL, OPT_LR_GAMMA },
    { "lr-scheduler", required_argument, NULL, OPT_LR_SCHED },
    { "weight-decay", required_argument, NULL, OPT_WD },
    { "seed", required_argument, NULL, OPT_SEED },
    { "device", required_argument, NULL, OPT_DEVICE },
    { "allow-tf32", no_argument, NULL, OPT_ALLOW_TF32 },
    { "logdir", required_argument, NULL, OPT_LOGDIR },
    { "run", required_argument, NULL, OPT_RUN },
    { "log-every", required_argument, NULL, OPT_LOG_EVERY },
    { "hist-every", required_argument, NULL, OPT_HIST_EVERY },
    { "embedding-samples", required_argument, NULL, OPT_EMBEDDING_SAMPLES },
    { "val-split", required_argument, NULL, OPT_VAL_SPLIT },
    { "no-normalize", no_argument, NULL, OPT_NO_NORMALIZE },
    { "resume", required_argument, NULL, OPT_RESUME },
    { "no-log", no_argument, NULL, OPT_NO_LOG },
    { "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
    { "no-pr-curves", no_argument, NULL, OPT_NO_PR_CURVES },
    { "limit-train", required_argument, NULL, OPT_LIMIT_TRAIN },
    { "limit-test", required_argument, NULL, OPT_LIMIT_TEST },
    { "stop-after-steps", required_argument, NULL, OPT_STOP_AFTER },
    { "trace-every", required_argument, NULL, OPT_TRACE_EVERY },
    { "trace-steps", required_argument, NULL, OPT_TRACE_STEPS },
    { "trace-on-anomaly", no_argument, NULL, OPT_TRACE_ON_ANOMALY },
    { "trace-max-values", required_argument, NULL, OPT_TRACE_MAX_VALUES },
    { "profile-steps", required_argument, NULL, OPT_PROFILE_STEPS },
    { "profile", no_argument, NULL, OPT_PROFILE },
    { "profile-memory", no_argument, NULL, OPT_PROFILE_MEMORY },
    { "gamma", required_argument, NULL, OPT_GAMMA },
    { "log-interval", required_argument, NULL, OPT_LOG_INTERVAL },
    { "no-cuda", no_argument, NULL, OPT_NO_CUDA },
    { "no-mps", no_argument, NULL, OPT_NO_MPS },
    { "test-batch-size", required_argument, NULL, OPT_TEST_BATCH },
    { "dry-run", no_argument, NULL, OPT_DRY_RUN },
    { "save-model", no_argument, NULL, OPT_SAVE_MODEL },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { 0 },
  };
  static const char *const models[] = { "mlp", "cnn", "net", "mnist-net", "keras-cnn", NULL };
  static const char *const optims[] = { "sgd", "adam", "adamw", "adadelta", NULL };
  static const char *const scheds[] = { "step", "exponential", "cosine", "plateau", NULL };

  /* The name hints such as "Resume with:" give: the path it was run as
   * when that has a slash (build/app/train/lumen-train is not on PATH),
   * as git does. */
  if (argc > 0 && argv[0] && strchr(argv[0], '/'))
    cli->program = argv[0];
  /* getopt keeps global state; reset it so tests can parse many times */
  optind = 0;
  opterr = 0;
  int c;
  int64_t iv;
  const char *cuda_device = NULL; /* a --device cuda[:N] given, against --no-cuda */
  while ((c = getopt_long(argc, argv, ":hV", opts, NULL)) != -1) {
    switch (c) {
    case OPT_MODEL:
      if (!one_of("--model", optarg, models, err)) return LM_CLI_USAGE;
      cli->model = lm_train_cli_model_name(optarg);
      cli->set_model = true;
      break;
    case OPT_DATA:
      if (!*optarg) {
        fprintf(err, "lumen-train: --data: expected a folder, found ''\n");
        return LM_CLI_USAGE;
      }
      cli->data_dir = optarg;
      cli->set_data_dir = true;
      break;
    case OPT_EPOCHS:
      if (!parse_int("--epochs", optarg, 1, 1000000, &iv, err)) return LM_CLI_USAGE;
      cli->epochs = (int)iv;
      cli->set_epochs = true;
      break;
    case OPT_BATCH:
      if (!parse_int("--batch-size", optarg, 1, 1 << 20, &iv, err)) return LM_CLI_USAGE;
      cli->batch_size = (int)iv;
      cli->set_batch_size = true;
      break;
    case OPT_LR:
      if (!parse_real("--lr", optarg, 0, true, &cli->lr, err)) return LM_CLI_USAGE;
      cli->set_lr = true;
      break;
    case OPT_OPTIM:
      if (!one_of("--optimizer", optarg, optims, err)) return LM_CLI_USAGE;
      cli->optimizer = optarg;
      cli->set_optimizer = true;
      break;
    case OPT_LR_SCHED:
      if (!one_of("--lr-scheduler", optarg, scheds, err)) return LM_CLI_USAGE;
      cli->lr_scheduler = optarg;
      cli->set_lr_scheduler = true;
      break;
    case OPT_LR_STEP:
      if (!parse_int("--lr-step", optarg, 0, INT32_MAX, &iv, err)) return LM_CLI_USAGE;
      cli->lr_step = (int)iv;
      cli->set_lr_step = true;
      break;
    case OPT_LR_PATIENCE:
      if (!parse_int("--lr-patience", optarg, 0, INT32_MAX, &iv, err)) return LM_CLI_USAGE;
      cli->lr_patience = (int)iv;
      cli->set_lr_patience = true;
      break;
    case OPT_LR_GAMMA:
    case OPT_GAMMA: /* main.py's name */
      if (!parse_real(c == OPT_GAMMA ? "--gamma" : "--lr-gamma", optarg, 0, false, &cli->lr_gamma, err))
        return LM_CLI_USAGE;
      cli->set_lr_gamma = true;
      break;
    case OPT_MOMENTUM:
      if (!parse_real("--momentum", optarg, 0, false, &cli->momentum, err)) return LM_CLI_USAGE;
      cli->set_momentum = true;
      break;
    case OPT_WD:
      if (!parse_real("--weight-decay", optarg, 0, false, &cli->weight_decay, err)) return LM_CLI_USAGE;
      cli->set_weight_decay = true;
      break;
    case OPT_SEED:
      if (!parse_int("--seed", optarg, 0, INT64_MAX, &iv, err)) return LM_CLI_USAGE;
      cli->seed = (uint64_t)iv;
      cli->set_seed = true;
      break;
    case OPT_DEVICE: {
      lm_device dev; /* whether cuda:N exists is checked when the run starts */
      if (!lm_device_parse(optarg, &dev)) {
        fprintf(err, "lumen-train: --device: expected cpu, cuda or cuda:N (as torch.device), found '%s'\n",
                optarg);
        return LM_CLI_USAGE;
      }
      cli->device = optarg;
      cuda_device = dev.type == LM_DEVICE_CUDA ? optarg : NULL;
      break;
    }
    case OPT_NO_CUDA: cli->no_cuda = true; break;
    case OPT_NO_MPS: break; /* Apple GPUs: lumen-train has no MPS backend to turn off */
    case OPT_LOGDIR:
      if (!*optarg) {
        fprintf(err, "lumen-train: --logdir: expected a folder, found ''\n");
        return LM_CLI_USAGE;
      }
      cli->logdir = optarg;
      cli->set_logdir = true;
      break;
    case OPT_RUN:
      if (!*optarg) {
        fprintf(err, "lumen-train: --run: expected a run name, found ''\n");
        return LM_CLI_USAGE;
      }
      if (lm_writer_check_run_name(optarg) != LM_OK) {
        fprintf(err, "lumen-train: --run: %s\n", lm_log_last_error());
        return LM_CLI_USAGE;
      }
      cli->run = optarg;
      break;
    case OPT_LOG_EVERY:
    case OPT_LOG_INTERVAL: /* main.py's name */
      if (!parse_int(c == OPT_LOG_INTERVAL ? "--log-interval" : "--log-every", optarg, 1, INT32_MAX, &iv, err))
        return LM_CLI_USAGE;
      cli->log_every = (int)iv;
      cli->set_log_every = true;
      break;
    case OPT_TEST_BATCH:
      if (!parse_int("--test-batch-size", optarg, 1, 1 << 20, &iv, err)) return LM_CLI_USAGE;
      cli->test_batch_size = (int)iv;
      break;
    case OPT_DRY_RUN: cli->dry_run = true; break;
    case OPT_SAVE_MODEL: cli->save_model = true; break;
    case OPT_HIST_EVERY:
      if (!parse_int("--hist-every", optarg, 0, INT32_MAX, &iv, err)) return LM_CLI_USAGE;
      cli->hist_every = (int)iv;
      cli->set_hist_every = true;
      break;
    case OPT_EMBEDDING_SAMPLES:
      if (!parse_int("--embedding-samples", optarg, 0, 10000, &iv, err)) return LM_CLI_USAGE;
      cli->embedding_samples = (int)iv;
      break;
    case OPT_VAL_SPLIT: {
      double v;
      if (!parse_decimal("--val-split", optarg, &v, err))
        return LM_CLI_USAGE;
      if (!(v >= 0 && v < 1)) {
        fprintf(err, "lumen-train: --val-split: expected a fraction >= 0 and < 1, found '%s'\n", optarg);
        return LM_CLI_USAGE;
      }
      cli->val_split = v;
      cli->set_val_split = true;
      break;
    }
    case OPT_NO_NORMALIZE:
      cli->normalize = false;
      cli->set_normalize = true;
      break;
    case OPT_ALLOW_TF32: cli->allow_tf32 = true; break;
    case OPT_RESUME:
      if (!*optarg) {
        fprintf(err, "lumen-train: --resume: expected a checkpoint file, found ''\n");
        return LM_CLI_USAGE;
      }
      cli->resume = optarg;
      break;
    case OPT_NO_LOG: cli->no_log = true; break;
    case OPT_NO_PROGRESS: cli->no_progress = true; break;
    case OPT_NO_PR_CURVES: cli->no_pr_curves = true; break;
    case OPT_LIMIT_TRAIN:
      if (!parse_int("--limit-train", optarg, 1, INT64_MAX, &cli->limit_train, err)) return LM_CLI_USAGE;
      cli->set_limit_train = true;
      break;
    case OPT_LIMIT_TEST:
      if (!parse_int("--limit-test", optarg, 1, INT64_MAX, &cli->limit_test, err)) return LM_CLI_USAGE;
      cli->set_limit_test = true;
      break;
    case OPT_STOP_AFTER:
      if (!parse_int("--stop-after-steps", optarg, 1, INT64_MAX, &cli->stop_after_steps, err))
        return LM_CLI_USAGE;
      cli->stop_after_steps_set = true;
      break;
    case OPT_TRACE_EVERY:
      if (!parse_int("--trace-every", optarg, 0, INT64_MAX, &cli->trace_every, err)) return LM_CLI_USAGE;
      break;
    case OPT_TRACE_STEPS:
      if (!parse_steps("--trace-steps", optarg, cli->trace_steps, &cli->n_trace_steps, err))
        return LM_CLI_USAGE;
      break;
    case OPT_PROFILE_STEPS:
      if (!parse_steps("--profile-steps", optarg, cli->profile_steps, &cli->n_profile_steps, err))
        return LM_CLI_USAGE;
      cli->profile = false;
      break;
    case OPT_PROFILE:
      cli->profile = true;
      cli->n_profile_steps = 0;
      break;
    case OPT_PROFILE_MEMORY: cli->profile_memory = true; break;
    case OPT_TRACE_ON_ANOMALY: cli->trace_on_anomaly = true; break;
    case OPT_TRACE_MAX_VALUES:
      if (!parse_int("--trace-max-values", optarg, 0, (int64_t)1 << 40, &cli->trace_max_values, err))
        return LM_CLI_USAGE;
      break;
    case 'h':
      lm_train_cli_print_help(out);
      return LM_CLI_EXIT_OK;
    case 'V':
      fprintf(out, "lumen-train %s\n", LUMEN_VERSION);
      return LM_CLI_EXIT_OK;
    case ':':
      fprintf(err, "lumen-train: %s needs a value (see --help)\n", argv[optind - 1]);
      return LM_CLI_USAGE;
    default:
      fprintf(err, "lumen-train: unknown option '%s' (see --help)\n", argv[optind - 1]);
      return LM_CLI_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(err, "lumen-train: unexpected argument '%s' (options start with --; see --help)\n", argv[optind]);
    return LM_CLI_USAGE;
  }
  if (cli->no_cuda && cuda_device) {
    fprintf(err, "lumen-train: --no-cuda and --device %s contradict each other: --no-cuda is "
                 "--device cpu (give one of them)\n", cuda_device);
    return LM_CLI_USAGE;
  }
  if (cli->no_cuda)
    cli->device = "cpu";
  model_defaults(cli);
  /* profile_memory is mostly used with a profile: --profile counts memory
   * too, and --profile-memory alone profiles --profile's steps */
  if (cli->profile)
    cli->profile_memory = true;
  else if (cli->profile_memory && cli->n_profile_steps == 0)
    cli->profile = true;
  /* a resumed run's scheduler is the checkpoint's unless given: the app
   * checks once it has adopted it */
  if (cli->resume && !cli->set_lr_scheduler)
    return LM_CLI_RUN;
  return lm_train_cli_check(cli, err) ? LM_CLI_RUN : LM_CLI_USAGE;
}

bool lm_train_cli_check(const lm_train_cli *cli, FILE *err)
{
  const bool plateau = strcmp(cli->lr_scheduler, "plateau") == 0;
  if (plateau && cli->set_lr_step) {
    fprintf(err, "lumen-train: --lr-step is StepLR's step size; ReduceLROnPlateau's patience "
                 "(--lr-scheduler plateau) is --lr-patience\n");
    return false;
  }
  if (!plateau && cli->set_lr_patience) {
    fprintf(err, "lumen-train: --lr-patience is ReduceLROnPlateau's patience: it needs "
                 "--lr-scheduler plateau (this run's scheduler is %s)\n", cli->lr_scheduler);
    return false;
  }
  /* options the schedule would ignore are refused, as PyTorch's
   * constructors refuse arguments they do not take */
  if (strcmp(cli->lr_scheduler, "cosine") == 0 && (cli->set_lr_step || cli->set_lr_gamma)) {
    fprintf(err, "lumen-train: %s does not apply to --lr-scheduler cosine, "
                 "CosineAnnealingLR(T_max=--epochs), which has no step size or gamma\n",
            cli->set_lr_step ? "--lr-step" : "--lr-gamma");
    return false;
  }
  if (strcmp(cli->lr_scheduler, "exponential") == 0 && cli->set_lr_step) {
    fprintf(err, "lumen-train: --lr-step is StepLR's step size; ExponentialLR "
                 "(--lr-scheduler exponential) multiplies the lr by --lr-gamma every epoch\n");
    return false;
  }
  return true;
}

void lm_train_cli_resolve(lm_train_cli *cli)
{
  const bool cnn = strcmp(cli->model, "cnn") == 0, net = strcmp(cli->model, "net") == 0,
             keras = strcmp(cli->model, "keras-cnn") == 0;
  if (cli->epochs == 0)
    cli->epochs = cnn ? 5 : net ? 14 : keras ? 15 : 10;
  if (cli->batch_size == 0)
    cli->batch_size = cnn ? 32 : keras ? 128 : 64;
  const bool adadelta = strcmp(cli->optimizer, "adadelta") == 0;
  if (cli->lr == 0)
    cli->lr = strcmp(cli->optimizer, "sgd") == 0 ? 0.01 : adadelta ? 1.0 : 1e-3;
  if (cli->momentum < 0)
    cli->momentum = strcmp(cli->optimizer, "sgd") == 0 ? 0.9 : 0;
  if (cli->weight_decay < 0)
    cli->weight_decay = strcmp(cli->optimizer, "adamw") == 0 ? 0.01 : 0;
  if (cli->lr_patience < 0)
    cli->lr_patience = 10; /* ReduceLROnPlateau's */
  if (cli->lr_step < 0) /* the Keras example keeps Adam's lr constant */
    cli->lr_step = adadelta ? 1 : keras ? 0 : (int)(0.7 * cli->epochs + 0.5);
  if (cli->lr_gamma < 0)
    cli->lr_gamma = adadelta ? 0.7 : strcmp(cli->lr_scheduler, "exponential") == 0 ? 0.9 : 0.1;
}
