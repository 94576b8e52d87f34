/* checkpoint.c: saving and loading training checkpoints as safetensors files.
 *
 * The tensor names follow PyTorch's state_dict conventions (see
 * lumen-train.h), so the parameters load into the PyTorch twin of a model,
 * and everything needed to continue a run bit for bit (optimizer moments and
 * step counts, the engine generator's position, where training stood) rides
 * along. Loading is two-phase: every name, dtype and shape is checked first,
 * and only then is anything copied, so a refused checkpoint leaves the model
 * and optimizer exactly as they were.
 *
 * Not here: the file format itself (safetensors.c).
 */
#include "lumen-train.h"
#include "lm-backend.h"
#include "lm-engine-private.h"
#include "nn/lm-nn-private.h"
#include "train/lm-train-private.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CK_FORMAT "lumen-checkpoint"
#define CK_VERSION "1"
#define CK_OPT_PREFIX "optimizer."

static void shape_text(int ndim, const int64_t *shape, char *buf, size_t len)
{
  size_t used = (size_t)snprintf(buf, len, "(");
  for (int i = 0; i < ndim && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, i ? ", %lld" : "%lld", (long long)shape[i]);
  if (ndim == 1 && used < len)
    used += (size_t)snprintf(buf + used, len - used, ",");
  if (used < len)
    snprintf(buf + used, len - used, ")");
}

static bool same_shape(int an, const int64_t *a, int bn, const int64_t *b)
{
  if (an != bn)
    return false;
  for (int i = 0; i < an; i++)
    if (a[i] != b[i])
      return false;
  return true;
}

/* Index of t among the model's named parameters, or -1. */
static long find_param(const lm_named_tensor *named, size_t n, const lm_tensor *t)
{
  for (size_t i = 0; i < n; i++)
    if (named[i].tensor == t)
      return (long)i;
  return -1;
}

bool lm_checkpoint_save(const char *path, const lm_module *model, const lm_optimizer *opt,
                        const lm_checkpoint_info *info, char **error)
{
  if (!path || !model) {
    lm_train_set_error(error, "lm_checkpoint_save: path and model are required");
    return false;
  }
  lm_st_writer *w = lm_st_writer_new();
  lm_named_tensor *named = NULL;
  size_t n = lm_module_named_parameters(model, &named);
  bool ok = w != NULL;
  for (size_t i = 0; ok && i < n; i++)
    ok = lm_st_writer_add_tensor(w, named[i].name, named[i].tensor, error);

  char name[512], val[64];
  if (ok && opt) {
    const char *const *slots;
    int nslots = lm_optimizer_state_names(opt, &slots);
    for (size_t i = 0; ok && i < lm_optimizer_num_params(opt); i++) {
      long k = find_param(named, n, lm_optimizer_param(opt, i));
      if (k < 0) {
        lm_train_set_error(error, "%s: optimizer parameter %zu is not a parameter of the model", path, i);
        ok = false;
        break;
      }
      for (int s = 0; ok && s < nslots; s++) {
        lm_tensor *buf = lm_optimizer_state(opt, i, s);
        if (!buf)
          continue;
        snprintf(name, sizeof name, CK_OPT_PREFIX "%s.%s", named[k].name, slots[s]);
        ok = lm_st_writer_add_tensor(w, name, buf, error);
      }
      int64_t step = lm_optimizer_state_step(opt, i);
      snprintf(name, sizeof name, CK_OPT_PREFIX "%s.step", named[k].name);
      ok = ok && lm_st_writer_add(w, name, LM_ST_I64, 0, NULL, &step, error);
    }
    lm_st_writer_set_metadata(w, "optimizer", lm_optimizer_name(opt));
    snprintf(val, sizeof val, "%.17g", lm_optimizer_get_lr(opt));
    lm_st_writer_set_metadata(w, "lr", val);
    char hk[8][16], hv[8][64];
    int nh = lm_optimizer_hparams(opt, hk, hv, 8);
    for (int h = 0; h < nh; h++)
      lm_st_writer_set_metadata(w, hk[h], hv[h]);
  }
  if (ok) {
    lm_st_writer_set_metadata(w, "format", CK_FORMAT);
    lm_st_writer_set_metadata(w, "format_version", CK_VERSION);
    lm_st_writer_set_metadata(w, "producer", "lumen-engine");
    if (info && info->model)
      lm_st_writer_set_metadata(w, "model", info->model);
    lm_train_state st = info ? info->state : (lm_train_state){ 0 };
    snprintf(val, sizeof val, "%" PRId64, st.epoch);
    lm_st_writer_set_metadata(w, "epoch", val);
    snprintf(val, sizeof val, "%" PRId64, st.step);
    lm_st_writer_set_metadata(w, "step", val);
    snprintf(val, sizeof val, "%" PRId64, st.batch);
    lm_st_writer_set_metadata(w, "batch_in_epoch", val);
    snprintf(val, sizeof val, "%.17g", st.loss_sum);
    lm_st_writer_set_metadata(w, "epoch_loss_sum", val);
    snprintf(val, sizeof val, "%" PRId64, st.correct);
    lm_st_writer_set_metadata(w, "epoch_correct", val);
    snprintf(val, sizeof val, "%" PRId64, st.seen);
    lm_st_writer_set_metadata(w, "epoch_seen", val);
    snprintf(val, sizeof val, "%" PRIu64, info ? info->seed : 0);
    lm_st_writer_set_metadata(w, "seed", val);
    lm_rng_state rng = lm_rng_reserve(0); /* reads the position without moving it */
    snprintf(val, sizeof val, "%" PRIu64, rng.key);
    lm_st_writer_set_metadata(w, "rng_key", val);
    snprintf(val, sizeof val, "%" PRIu64, rng.counter);
    lm_st_writer_set_metadata(w, "rng_counter", val);
    for (size_t i = 0; info && i < info->n_extra; i++)
      lm_st_writer_set_metadata(w, info->extra_keys[i], info->extra_values[i]);
    ok = lm_st_writer_save(w, path, error);
  }
  if (!w)
    lm_train_set_error(error, "%s: out of memory", path);
  free(named);
  lm_st_writer_free(w);
  return ok;
}

lm_safetensors *lm_checkpoint_read(const char *path, const char *expected_model, char **error)
{
  lm_safetensors *ck = lm_safetensors_read(path, error);
  if (!ck)
    return NULL;
  const char *fmt = lm_safetensors_metadata(ck, "format");
  if (fmt && strcmp(fmt, CK_FORMAT) == 0) {
    const char *ver = lm_safetensors_metadata(ck, "format_version");
    if (!ver || strcmp(ver, CK_VERSION) != 0) {
      lm_train_set_error(error, "%s: checkpoint format version %s is not supported (expected %s)",
                         path, ver ? ver : "(missing)", CK_VERSION);
      lm_safetensors_free(ck);
      return NULL;
    }
  }
  const char *model = lm_safetensors_metadata(ck, "model");
  if (expected_model && model && strcmp(model, expected_model) != 0) {
    lm_train_set_error(error, "%s: checkpoint is for model '%s', not '%s'", path, model, expected_model);
    lm_safetensors_free(ck);
    return NULL;
  }
  return ck;
}

/* Phase one for the model: every parameter is there as F32 with its shape,
 * and every non-optimizer tensor in the file is a parameter. */
static bool check_model(const lm_safetensors *ck, const lm_named_tensor *named, size_t n, char **error)
{
  char a[128], b[128];
  for (size_t i = 0; i < n; i++) {
    const lm_st_tensor *t = lm_safetensors_find(ck, named[i].name);
    if (!t) {
      lm_train_set_error(error, "checkpoint has no tensor '%s' (a parameter of the model): "
                         "is it for another model?", named[i].name);
      return false;
    }
    const lm_tensor *p = named[i].tensor;
    if (t->dtype != LM_ST_F32) {
      lm_train_set_error(error, "checkpoint tensor '%s' is %s, expected F32", t->name, lm_st_dtype_name(t->dtype));
      return false;
    }
    if (!same_shape(t->ndim, t->shape, p->ndim, p->shape)) {
      shape_text(t->ndim, t->shape, a, sizeof a);
      shape_text(p->ndim, p->shape, b, sizeof b);
      lm_train_set_error(error, "size mismatch for %s: the checkpoint has shape %s, the model has %s",
                         t->name, a, b);
      return false;
    }
  }
  for (size_t i = 0; i < lm_safetensors_count(ck); i++) {
    const lm_st_tensor *t = lm_safetensors_tensor(ck, i);
    if (strncmp(t->name, CK_OPT_PREFIX, strlen(CK_OPT_PREFIX)) == 0)
      continue;
    bool known = false;
    for (size_t k = 0; k < n && !known; k++)
      known = strcmp(named[k].name, t->name) == 0;
    if (!known) {
      lm_train_set_error(error, "unexpected tensor '%s' in the checkpoint: the model has no such "
                         "parameter (is it for another model?)", t->name);
      return false;
    }
  }
  return true;
}

static void copy_into(lm_tensor *p, const void *le_bytes)
{
  size_t nbytes = (size_t)lm_numel(p) * sizeof(float);
  float *tmp = malloc(nbytes ? nbytes : 1);
  if (!tmp)
    return;
  memcpy(tmp, le_bytes, nbytes); /* file data need not be aligned */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
  for (size_t i = 0; i < nbytes / 4; i++)
    tmp[i] = __builtin_bswap32(tmp[i]);
#endif
  const lm_backend *be = lm_backend_of(p->device);
  if (be)
    be->copy_from_host(p->device.index, lm_data_ptr(p), tmp, nbytes);
  free(tmp);
}

bool lm_checkpoint_load_model(const lm_safetensors *ck, lm_module *model, char **error)
{
  lm_named_tensor *named = NULL;
  size_t n = lm_module_named_parameters(model, &named);
  bool ok = check_model(ck, named, n, error);
  for (size_t i = 0; ok && i < n; i++)
    copy_into(named[i].tensor, lm_safetensors_find(ck, named[i].name)->data);
  free(named);
  return ok;
}

/* Phase one for the optimizer: same kind, every tensor under "optimizer."
 * names a parameter and a state buffer of this optimizer with the
 * parameter's shape. */
static bool check_optimizer(const lm_safetensors *ck, const lm_optimizer *opt,
                            const lm_named_tensor *named, size_t n, char **error)
{
  const char *kind = lm_safetensors_metadata(ck, "optimizer");
  if (!kind) {
    lm_train_set_error(error, "checkpoint holds no optimizer state (saved without an optimizer?)");
    return false;
  }
  if (strcmp(kind, lm_optimizer_name(opt)) != 0) {
    lm_train_set_error(error, "checkpoint holds %s optimizer state, this run uses %s",
                       kind, lm_optimizer_name(opt));
    return false;
  }
  const char *const *slots;
  int nslots = lm_optimizer_state_names(opt, &slots);
  char a[128], b[128];
  size_t plen = strlen(CK_OPT_PREFIX);
  for (size_t i = 0; i < lm_safetensors_count(ck); i++) {
    const lm_st_tensor *t = lm_safetensors_tensor(ck, i);
    if (strncmp(t->name, CK_OPT_PREFIX, plen) != 0)
      continue;
    const char *rest = t->name + plen;
    const char *dot = strrchr(rest, '.');
    long k = -1;
    for (size_t p = 0; dot && p < n && k < 0; p++)
      if (strlen(named[p].name) == (size_t)(dot - rest) && strncmp(named[p].name, rest, (size_t)(dot - rest)) == 0)
        k = (long)p;
    if (k < 0) {
      lm_train_set_error(error, "unexpected tensor '%s' in the checkpoint: no parameter of the model "
                         "has that optimizer state", t->name);
      return false;
    }
    const char *slot = dot + 1;
    if (strcmp(slot, "step") == 0) {
      if (t->dtype != LM_ST_I64 || t->numel != 1) {
        lm_train_set_error(error, "checkpoint tensor '%s' must be a single I64 step count", t->name);
        return false;
      }
      continue;
    }
    int s = -1;
    for (int j = 0; j < nslots; j++)
      if (strcmp(slots[j], slot) == 0)
        s = j;
    if (s < 0) {
      lm_train_set_error(error, "unexpected tensor '%s' in the checkpoint: %s has no state '%s'",
                         t->name, lm_optimizer_name(opt), slot);
      return false;
    }
    const lm_tensor *p = named[k].tensor;
    if (t->dtype != LM_ST_F32 || !same_shape(t->ndim, t->shape, p->ndim, p->shape)) {
      shape_text(t->ndim, t->shape, a, sizeof a);
      shape_text(p->ndim, p->shape, b, sizeof b);
      lm_train_set_error(error, "size mismatch for %s: the checkpoint has %s %s, the parameter is F32 %s",
                         t->name, lm_st_dtype_name(t->dtype), a, b);
      return false;
    }
  }
  for (size_t i = 0; i < lm_optimizer_num_params(opt); i++)
    if (find_param(named, n, lm_optimizer_param(opt, i)) < 0) {
      lm_train_set_error(error, "optimizer parameter %zu is not a parameter of the model", i);
      return false;
    }
  return true;
}

static bool load_optimizer(const lm_safetensors *ck, lm_optimizer *opt, const lm_named_tensor *named,
                           size_t n, char **error)
{
  const char *const *slots;
  int nslots = lm_optimizer_state_names(opt, &slots);
  char name[512];
  for (size_t i = 0; i < lm_optimizer_num_params(opt); i++) {
    long k = find_param(named, n, lm_optimizer_param(opt, i));
    const float *bufs[4] = { NULL, NULL, NULL, NULL };
    float *owned[4] = { NULL, NULL, NULL, NULL };
    for (int s = 0; s < nslots && s < 4; s++) {
      snprintf(name, sizeof name, CK_OPT_PREFIX "%s.%s", named[k].name, slots[s]);
      const lm_st_tensor *t = lm_safetensors_find(ck, name);
      if (!t)
        continue;
      owned[s] = malloc(t->nbytes ? t->nbytes : 1);
      if (owned[s])
        memcpy(owned[s], t->data, t->nbytes);
      bufs[s] = owned[s];
    }
    int64_t step = 0;
    snprintf(name, sizeof name, CK_OPT_PREFIX "%s.step", named[k].name);
    const lm_st_tensor *st = lm_safetensors_find(ck, name);
    if (st)
      memcpy(&step, st->data, sizeof step);
    bool ok = lm_optimizer_load_state(opt, i, step, bufs);
    for (int s = 0; s < 4; s++)
      free(owned[s]);
    if (!ok) {
      lm_train_set_error(error, "cannot restore the optimizer state of %s: %s", named[k].name, lm_last_error());
      return false;
    }
  }
  const char *lr = lm_safetensors_metadata(ck, "lr");
  if (lr)
    lm_optimizer_set_lr(opt, strtod(lr, NULL));
  return true;
}

bool lm_checkpoint_load_optimizer(const lm_safetensors *ck, const lm_module *model, lm_optimizer *opt,
                                  char **error)
{
  lm_named_tensor *named = NULL;
  size_t n = lm_module_named_parameters(model, &named);
  bool ok = check_optimizer(ck, opt, named, n, error) && load_optimizer(ck, opt, named, n, error);
  free(named);
  return ok;
}

static bool parse_u64(const lm_safetensors *ck, const char *key, uint64_t *out, bool required, char **error)
{
  const char *v = lm_safetensors_metadata(ck, key);
  if (!v) {
    if (required)
      lm_train_set_error(error, "checkpoint metadata has no '%s'", key);
    return !required;
  }
  char *end = NULL;
  unsigned long long u = strtoull(v, &end, 10);
  if (!*v || *end || v[0] == '-') {
    lm_train_set_error(error, "checkpoint metadata '%s' is '%s', expected a non-negative integer", key, v);
    return false;
  }
  *out = u;
  return true;
}

bool lm_checkpoint_load_rng(const lm_safetensors *ck, char **error)
{
  uint64_t key = 0, counter = 0;
  if (!ck) {
    lm_train_set_error(error, "checkpoint is NULL (did reading it fail?)");
    return false;
  }
  if (!parse_u64(ck, "rng_key", &key, true, error) || !parse_u64(ck, "rng_counter", &counter, true, error))
    return false;
  lm_manual_seed(key);
  /* advance to the saved position: the counter counts blocks of 4 draws */
  while (counter > 0) {
    uint64_t chunk = counter > ((uint64_t)1 << 60) ? ((uint64_t)1 << 60) : counter;
    lm_rng_reserve((int64_t)(chunk * 4));
    counter -= chunk;
  }
  return true;
}

bool lm_checkpoint_get_info(const lm_safetensors *ck, lm_checkpoint_info *info, char **error)
{
  if (!info)
    return false;
  memset(info, 0, sizeof *info);
  if (!ck) {
    lm_train_set_error(error, "checkpoint is NULL (did reading it fail?)");
    return false;
  }
  uint64_t epoch = 0, step = 0, batch = 0, correct = 0, seen = 0, seed = 0;
  if (!parse_u64(ck, "epoch", &epoch, false, error) || !parse_u64(ck, "step", &step, false, error) ||
      !parse_u64(ck, "batch_in_epoch", &batch, false, error) ||
      !parse_u64(ck, "epoch_correct", &correct, false, error) ||
      !parse_u64(ck, "epoch_seen", &seen, false, error) || !parse_u64(ck, "seed", &seed, false, error))
    return false;
  const char *ls = lm_safetensors_metadata(ck, "epoch_loss_sum");
  info->seed = seed;
  info->state = (lm_train_state){ .epoch = (int64_t)epoch, .batch = (int64_t)batch, .step = (int64_t)step,
                                  .loss_sum = ls ? strtod(ls, NULL) : 0, .correct = (int64_t)correct,
                                  .seen = (int64_t)seen };
  info->model = lm_safetensors_metadata(ck, "model");
  return true;
}

bool lm_checkpoint_load(const char *path, const char *expected_model, lm_module *model,
                        lm_optimizer *opt, lm_checkpoint_info *info, char **error)
{
  lm_safetensors *ck = lm_checkpoint_read(path, expected_model, error);
  if (!ck)
    return false;
  lm_named_tensor *named = NULL;
  size_t n = lm_module_named_parameters(model, &named);
  char *why = NULL;
  lm_checkpoint_info tmp;
  bool ok = check_model(ck, named, n, &why) && (!opt || check_optimizer(ck, opt, named, n, &why)) &&
            lm_checkpoint_get_info(ck, &tmp, &why);
  if (ok && lm_safetensors_metadata(ck, "rng_key")) {
    uint64_t dummy;
    ok = parse_u64(ck, "rng_key", &dummy, true, &why) && parse_u64(ck, "rng_counter", &dummy, true, &why);
  }
  if (ok) {
    for (size_t i = 0; i < n; i++)
      copy_into(named[i].tensor, lm_safetensors_find(ck, named[i].name)->data);
    ok = (!opt || load_optimizer(ck, opt, named, n, &why)) &&
         (!lm_safetensors_metadata(ck, "rng_key") || lm_checkpoint_load_rng(ck, &why));
  }
  if (ok && info) {
    *info = tmp;
    info->model = NULL; /* the handle is freed below */
  }
  if (!ok) {
    lm_train_set_error(error, "%s: %s", path, why ? why : "cannot load");
  }
  free(why);
  free(named);
  lm_safetensors_free(ck);
  return ok;
}
