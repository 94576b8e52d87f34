/* safetensors.c: reading and writing the safetensors file format on plain
 * buffers.
 *
 * Layout: u64 little-endian header length N, N bytes of UTF-8 JSON (padded
 * with spaces so the data starts 8-byte aligned, as the reference writer
 * does), then every tensor's bytes, little-endian, packed in offset order.
 * The reader applies the reference implementation's checks (header size cap,
 * valid JSON, known dtypes, byte ranges matching shapes, no holes or overlaps,
 * file length equal to the last offset) so anything it accepts loads in
 * Python's safetensors too, and anything broken is refused with a message
 * saying what is wrong where.
 *
 * Not here: which tensors a model or an optimizer has (checkpoint.c).
 */
#include "lumen-train.h"
#include "train/lm-json.h"
#include "train/lm-train-private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The reference implementation refuses headers above 100 MB. */
#define ST_MAX_HEADER 100000000ull

static const struct { const char *name; size_t size; } st_dtypes[] = {
  [LM_ST_BOOL] = { "BOOL", 1 }, [LM_ST_U8] = { "U8", 1 }, [LM_ST_I8] = { "I8", 1 },
  [LM_ST_I16] = { "I16", 2 }, [LM_ST_U16] = { "U16", 2 }, [LM_ST_F16] = { "F16", 2 },
  [LM_ST_BF16] = { "BF16", 2 }, [LM_ST_I32] = { "I32", 4 }, [LM_ST_U32] = { "U32", 4 },
  [LM_ST_F32] = { "F32", 4 }, [LM_ST_F64] = { "F64", 8 }, [LM_ST_I64] = { "I64", 8 },
  [LM_ST_U64] = { "U64", 8 },
};
#define ST_NDTYPES ((int)(sizeof st_dtypes / sizeof st_dtypes[0]))

const char *lm_st_dtype_name(lm_st_dtype dtype)
{
  return (int)dtype >= 0 && (int)dtype < ST_NDTYPES ? st_dtypes[dtype].name : "?";
}

size_t lm_st_dtype_size(lm_st_dtype dtype)
{
  return (int)dtype >= 0 && (int)dtype < ST_NDTYPES ? st_dtypes[dtype].size : 0;
}

/* Swaps each element of a buffer between host order and little-endian
 * (a no-op on little-endian hosts). */
static void to_from_le(void *data, size_t nbytes, size_t es)
{
  if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ || es < 2)
    return;
  uint8_t *p = data;
  for (size_t i = 0; i + es <= nbytes; i += es)
    for (size_t a = 0, b = es - 1; a < b; a++, b--) {
      uint8_t t = p[i + a];
      p[i + a] = p[i + b];
      p[i + b] = t;
    }
}

/* ------------------------------------------------------------------ reader */

struct lm_safetensors {
  uint8_t *bytes; /* the whole file */
  size_t len;
  size_t count;
  lm_st_tensor *tensors;
  char **names;
  size_t n_meta;
  char **meta_keys, **meta_values;
};

void lm_safetensors_free(lm_safetensors *st)
{
  if (!st)
    return;
  for (size_t i = 0; i < st->count; i++)
    free(st->names[i]);
  for (size_t i = 0; i < st->n_meta; i++) {
    free(st->meta_keys[i]);
    free(st->meta_values[i]);
  }
  free(st->names);
  free(st->tensors);
  free(st->meta_keys);
  free(st->meta_values);
  free(st->bytes);
  free(st);
}

static int cmp_begin(const void *a, const void *b)
{
  const lm_st_tensor *x = *(lm_st_tensor *const *)a, *y = *(lm_st_tensor *const *)b;
  uintptr_t px = (uintptr_t)x->data, py = (uintptr_t)y->data;
  if (px != py)
    return px < py ? -1 : 1;
  return x->nbytes < y->nbytes ? -1 : x->nbytes > y->nbytes;
}

static void shape_text(const lm_st_tensor *t, char *buf, size_t len)
{
  size_t used = (size_t)snprintf(buf, len, "(");
  for (int i = 0; i < t->ndim && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, i ? ", %lld" : "%lld", (long long)t->shape[i]);
  if (used < len)
    snprintf(buf + used, len - used, ")");
}

/* Takes ownership of bytes. */
static lm_safetensors *st_parse_owned(uint8_t *bytes, size_t len, const char *name, char **error)
{
  lm_safetensors *st = calloc(1, sizeof *st);
  if (!st) {
    free(bytes);
    lm_train_set_error(error, "%s: out of memory", name);
    return NULL;
  }
  st->bytes = bytes;
  st->len = len;
  lm_json *root = NULL;
  lm_st_tensor **sorted = NULL;

  if (len < 8) {
    lm_train_set_error(error, "%s: not a safetensors file: expected an 8-byte header length, found %zu bytes",
                       name, len);
    goto fail;
  }
  uint64_t hlen = lm_read_le64(bytes);
  if (hlen > ST_MAX_HEADER) {
    lm_train_set_error(error,
                       "%s: not a safetensors file (or corrupt): header length %llu is over the %llu-byte limit",
                       name, (unsigned long long)hlen, ST_MAX_HEADER);
    goto fail;
  }
  if (hlen > len - 8) {
    lm_train_set_error(error, "%s: truncated: expected a %llu-byte JSON header, found %zu bytes after the length",
                       name, (unsigned long long)hlen, len - 8);
    goto fail;
  }
  if (hlen < 2 || bytes[8] != '{') {
    lm_train_set_error(error, "%s: not a safetensors file: the header does not start with a JSON object", name);
    goto fail;
  }
  char jerr[128];
  root = lm_json_parse((const char *)bytes + 8, (size_t)hlen, jerr, sizeof jerr);
  if (!root) {
    lm_train_set_error(error, "%s: corrupt header: invalid JSON %s", name, jerr);
    goto fail;
  }
  if (root->type != LM_JSON_OBJECT) {
    lm_train_set_error(error, "%s: corrupt header: expected a JSON object", name);
    goto fail;
  }
  size_t data_start = 8 + (size_t)hlen, data_len = len - data_start;
  st->tensors = calloc(root->n ? root->n : 1, sizeof *st->tensors);
  st->names = calloc(root->n ? root->n : 1, sizeof *st->names);
  st->meta_keys = calloc(1, sizeof *st->meta_keys);
  st->meta_values = calloc(1, sizeof *st->meta_values);
  if (!st->tensors || !st->names || !st->meta_keys || !st->meta_values) {
    lm_train_set_error(error, "%s: out of memory", name);
    goto fail;
  }

  for (size_t i = 0; i < root->n; i++) {
    const char *key = root->keys[i];
    const lm_json *v = root->items[i];
    if (strcmp(key, "__metadata__") == 0) {
      if (v->type != LM_JSON_OBJECT) {
        lm_train_set_error(error, "%s: corrupt header: __metadata__ must be an object of strings", name);
        goto fail;
      }
      char **nk = realloc(st->meta_keys, (v->n ? v->n : 1) * sizeof *nk);
      if (nk)
        st->meta_keys = nk;
      char **nv = nk ? realloc(st->meta_values, (v->n ? v->n : 1) * sizeof *nv) : NULL;
      if (nv)
        st->meta_values = nv;
      if (!nk || !nv) {
        lm_train_set_error(error, "%s: out of memory", name);
        goto fail;
      }
      for (size_t m = 0; m < v->n; m++) {
        if (v->items[m]->type != LM_JSON_STRING) {
          lm_train_set_error(error, "%s: corrupt header: __metadata__ value '%s' is not a string",
                             name, v->keys[m]);
          goto fail;
        }
        st->meta_keys[st->n_meta] = strdup(v->keys[m]);
        st->meta_values[st->n_meta] = strdup(v->items[m]->str);
        st->n_meta++;
        if (!st->meta_keys[st->n_meta - 1] || !st->meta_values[st->n_meta - 1]) {
          lm_train_set_error(error, "%s: out of memory", name);
          goto fail;
        }
      }
      continue;
    }
    const lm_json *dt = lm_json_get(v, "dtype"), *sh = lm_json_get(v, "shape"),
                  *off = lm_json_get(v, "data_offsets");
    if (v->type != LM_JSON_OBJECT || !dt || !sh || !off) {
      lm_train_set_error(error, "%s: corrupt header: tensor '%s' needs dtype, shape and data_offsets",
                         name, key);
      goto fail;
    }
    lm_st_tensor *t = &st->tensors[st->count];
    st->names[st->count] = strdup(key);
    t->name = st->names[st->count];
    st->count++;
    if (!t->name) {
      lm_train_set_error(error, "%s: out of memory", name);
      goto fail;
    }
    int d = -1;
    for (int k = 0; dt->type == LM_JSON_STRING && k < ST_NDTYPES; k++)
      if (strcmp(dt->str, st_dtypes[k].name) == 0)
        d = k;
    if (d < 0) {
      lm_train_set_error(error, "%s: tensor '%s': unknown dtype %s%s%s", name, key,
                         dt->type == LM_JSON_STRING ? "'" : "",
                         dt->type == LM_JSON_STRING ? dt->str : "(not a string)",
                         dt->type == LM_JSON_STRING ? "'" : "");
      goto fail;
    }
    t->dtype = (lm_st_dtype)d;
    if (sh->type != LM_JSON_ARRAY || sh->n > LM_MAX_DIMS) {
      lm_train_set_error(error, "%s: tensor '%s': shape must be an array of at most %d sizes",
                         name, key, LM_MAX_DIMS);
      goto fail;
    }
    t->ndim = (int)sh->n;
    uint64_t numel = 1;
    for (size_t k = 0; k < sh->n; k++) {
      if (!sh->items[k]->is_uint || sh->items[k]->uint > (1ull << 40)) {
        lm_train_set_error(error, "%s: tensor '%s': shape entry %zu is not a valid size", name, key, k);
        goto fail;
      }
      t->shape[k] = (int64_t)sh->items[k]->uint;
      numel *= sh->items[k]->uint;
      if (numel > (1ull << 40)) {
        lm_train_set_error(error, "%s: tensor '%s': shape too large", name, key);
        goto fail;
      }
    }
    t->numel = (int64_t)numel;
    if (off->type != LM_JSON_ARRAY || off->n != 2 || !off->items[0]->is_uint || !off->items[1]->is_uint ||
        off->items[0]->uint > off->items[1]->uint) {
      lm_train_set_error(error, "%s: tensor '%s': data_offsets must be [begin, end] with begin <= end",
                         name, key);
      goto fail;
    }
    uint64_t b = off->items[0]->uint, e = off->items[1]->uint;
    uint64_t need = numel * st_dtypes[d].size;
    if (e - b != need) {
      char s[128];
      shape_text(t, s, sizeof s);
      lm_train_set_error(error, "%s: tensor '%s': shape %s of %s needs %llu bytes, data_offsets [%llu, %llu] give %llu",
                         name, key, s, st_dtypes[d].name, (unsigned long long)need,
                         (unsigned long long)b, (unsigned long long)e, (unsigned long long)(e - b));
      goto fail;
    }
    if (e > data_len) {
      lm_train_set_error(error, "%s: truncated: tensor '%s' ends at data byte %llu, the file holds %zu bytes of data",
                         name, key, (unsigned long long)e, data_len);
      goto fail;
    }
    t->data = bytes + data_start + b;
    t->nbytes = (size_t)need;
  }

  /* the byte ranges must tile the data section exactly */
  sorted = malloc((st->count ? st->count : 1) * sizeof *sorted);
  if (!sorted) {
    lm_train_set_error(error, "%s: out of memory", name);
    goto fail;
  }
  for (size_t i = 0; i < st->count; i++)
    sorted[i] = &st->tensors[i];
  qsort(sorted, st->count, sizeof *sorted, cmp_begin);
  size_t expect = 0;
  for (size_t i = 0; i < st->count; i++) {
    size_t b = (size_t)((const uint8_t *)sorted[i]->data - (bytes + data_start));
    if (b != expect) {
      lm_train_set_error(error, "%s: corrupt header: tensor '%s' starts at data byte %zu, expected %zu (%s)",
                         name, sorted[i]->name, b, expect,
                         b < expect ? "it overlaps the previous tensor" : "there is a hole before it");
      goto fail;
    }
    expect = b + sorted[i]->nbytes;
  }
  if (expect != data_len) {
    lm_train_set_error(error, "%s: %zu bytes of data after the last tensor (expected the file to end at byte %zu)",
                       name, data_len - expect, data_start + expect);
    goto fail;
  }
  free(sorted);
  lm_json_free(root);
  return st;

fail:
  free(sorted);
  lm_json_free(root);
  lm_safetensors_free(st);
  return NULL;
}

lm_safetensors *lm_safetensors_parse(const void *bytes, size_t len, const char *name, char **error)
{
  name = name ? name : "(buffer)";
  if (!bytes && len > 0) {
    lm_train_set_error(error, "%s: no bytes (NULL) to parse", name);
    return NULL;
  }
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy) {
    lm_train_set_error(error, "%s: out of memory", name);
    return NULL;
  }
  memcpy(copy, bytes, len);
  return st_parse_owned(copy, len, name, error);
}

lm_safetensors *lm_safetensors_read(const char *path, char **error)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    lm_train_set_error(error, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  size_t cap = 1 << 16, len = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    if (len == cap) {
      uint8_t *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
    size_t r = fread(buf + len, 1, cap - len, f);
    len += r;
    if (r == 0)
      break;
  }
  bool io_error = ferror(f);
  fclose(f);
  if (!buf || io_error) {
    free(buf);
    lm_train_set_error(error, "%s: %s", path, io_error ? "read error" : "out of memory");
    return NULL;
  }
  return st_parse_owned(buf, len, path, error);
}

size_t lm_safetensors_count(const lm_safetensors *st) { return st ? st->count : 0; }

const lm_st_tensor *lm_safetensors_tensor(const lm_safetensors *st, size_t i)
{
  return st && i < st->count ? &st->tensors[i] : NULL;
}

const lm_st_tensor *lm_safetensors_find(const lm_safetensors *st, const char *name)
{
  if (!st || !name)
    return NULL;
  for (size_t i = 0; i < st->count; i++)
    if (strcmp(st->tensors[i].name, name) == 0)
      return &st->tensors[i];
  return NULL;
}

size_t lm_safetensors_metadata_count(const lm_safetensors *st) { return st ? st->n_meta : 0; }

void lm_safetensors_metadata_at(const lm_safetensors *st, size_t i, const char **key, const char **value)
{
  *key = st && i < st->n_meta ? st->meta_keys[i] : NULL;
  *value = st && i < st->n_meta ? st->meta_values[i] : NULL;
}

const char *lm_safetensors_metadata(const lm_safetensors *st, const char *key)
{
  if (!st || !key)
    return NULL;
  for (size_t i = 0; i < st->n_meta; i++)
    if (strcmp(st->meta_keys[i], key) == 0)
      return st->meta_values[i];
  return NULL;
}

/* ------------------------------------------------------------------ writer */

typedef struct {
  char *name;
  lm_st_dtype dtype;
  int ndim;
  int64_t shape[LM_MAX_DIMS];
  uint8_t *data; /* little-endian */
  size_t nbytes;
} st_entry;

struct lm_st_writer {
  st_entry *entries;
  size_t count, cap;
  char **meta_keys, **meta_values;
  size_t n_meta, meta_cap;
};

lm_st_writer *lm_st_writer_new(void)
{
  return calloc(1, sizeof(lm_st_writer));
}

void lm_st_writer_free(lm_st_writer *w)
{
  if (!w)
    return;
  for (size_t i = 0; i < w->count; i++) {
    free(w->entries[i].name);
    free(w->entries[i].data);
  }
  for (size_t i = 0; i < w->n_meta; i++) {
    free(w->meta_keys[i]);
    free(w->meta_values[i]);
  }
  free(w->entries);
  free(w->meta_keys);
  free(w->meta_values);
  free(w);
}

bool lm_st_writer_add(lm_st_writer *w, const char *name, lm_st_dtype dtype,
                      int ndim, const int64_t *shape, const void *data, char **error)
{
  if (!w || (ndim > 0 && !shape)) {
    lm_train_set_error(error, "safetensors: %s is NULL", w ? "shape" : "the writer");
    return false;
  }
  if (!name || !*name || strcmp(name, "__metadata__") == 0) {
    lm_train_set_error(error, "safetensors: invalid tensor name '%s'", name ? name : "(null)");
    return false;
  }
  if ((int)dtype < 0 || (int)dtype >= ST_NDTYPES || ndim < 0 || ndim > LM_MAX_DIMS) {
    lm_train_set_error(error, "safetensors: tensor '%s': invalid dtype or rank", name);
    return false;
  }
  for (size_t i = 0; i < w->count; i++)
    if (strcmp(w->entries[i].name, name) == 0) {
      lm_train_set_error(error, "safetensors: duplicate tensor name '%s'", name);
      return false;
    }
  if (w->count == w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 16;
    st_entry *ne = realloc(w->entries, cap * sizeof *ne);
    if (!ne) {
      lm_train_set_error(error, "safetensors: out of memory");
      return false;
    }
    w->entries = ne;
    w->cap = cap;
  }
  st_entry *e = &w->entries[w->count];
  memset(e, 0, sizeof *e);
  size_t numel = 1;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0) {
      lm_train_set_error(error, "safetensors: tensor '%s': negative size", name);
      return false;
    }
    e->shape[i] = shape[i];
    numel *= (size_t)shape[i];
  }
  e->ndim = ndim;
  e->dtype = dtype;
  e->nbytes = numel * st_dtypes[dtype].size;
  if (!data && e->nbytes) {
    lm_train_set_error(error, "safetensors: tensor '%s': data is NULL", name);
    return false;
  }
  e->name = strdup(name);
  e->data = malloc(e->nbytes ? e->nbytes : 1);
  if (!e->name || !e->data) {
    free(e->name);
    free(e->data);
    lm_train_set_error(error, "safetensors: out of memory");
    return false;
  }
  if (e->nbytes)
    memcpy(e->data, data, e->nbytes);
  to_from_le(e->data, e->nbytes, st_dtypes[dtype].size);
  w->count++;
  return true;
}

bool lm_st_writer_add_tensor(lm_st_writer *w, const char *name, const lm_tensor *t, char **error)
{
  if (!t) {
    lm_train_set_error(error, "safetensors: tensor '%s' is NULL", name ? name : "(null)");
    return false;
  }
  if (t->dtype == LM_INT64 && t->device.type == LM_DEVICE_CPU && lm_is_contiguous(t))
    return lm_st_writer_add(w, name, LM_ST_I64, t->ndim, t->shape, lm_data_i64(t), error);
  if (t->dtype != LM_FLOAT32) {
    lm_train_set_error(error, "safetensors: tensor '%s': dtype %s is not supported here", name,
                       lm_dtype_name(t->dtype));
    return false;
  }
  int64_t n = lm_numel(t);
  float *host = malloc((size_t)(n ? n : 1) * sizeof *host);
  if (!host) {
    lm_train_set_error(error, "safetensors: out of memory");
    return false;
  }
  lm_tensor_copy_to_host(t, host);
  bool ok = lm_st_writer_add(w, name, LM_ST_F32, t->ndim, t->shape, host, error);
  free(host);
  return ok;
}

void lm_st_writer_set_metadata(lm_st_writer *w, const char *key, const char *value)
{
  if (!key || !value)
    return;
  for (size_t i = 0; i < w->n_meta; i++)
    if (strcmp(w->meta_keys[i], key) == 0) {
      char *v = strdup(value);
      if (v) {
        free(w->meta_values[i]);
        w->meta_values[i] = v;
      }
      return;
    }
  if (w->n_meta == w->meta_cap) {
    size_t cap = w->meta_cap ? w->meta_cap * 2 : 16;
    char **nk = realloc(w->meta_keys, cap * sizeof *nk);
    if (nk)
      w->meta_keys = nk;
    char **nv = nk ? realloc(w->meta_values, cap * sizeof *nv) : NULL;
    if (nv)
      w->meta_values = nv;
    if (!nk || !nv)
      return;
    w->meta_cap = cap;
  }
  char *k = strdup(key), *v = strdup(value);
  if (!k || !v) {
    free(k);
    free(v);
    return;
  }
  w->meta_keys[w->n_meta] = k;
  w->meta_values[w->n_meta] = v;
  w->n_meta++;
}

void *lm_st_writer_serialize(const lm_st_writer *w, size_t *len)
{
  lm_sbuf h = { 0 };
  lm_sbuf_append(&h, "{", 1);
  bool first = true;
  if (w->n_meta) {
    lm_sbuf_append(&h, "\"__metadata__\":{", 16);
    for (size_t i = 0; i < w->n_meta; i++) {
      if (i)
        lm_sbuf_append(&h, ",", 1);
      lm_sbuf_json_string(&h, w->meta_keys[i]);
      lm_sbuf_append(&h, ":", 1);
      lm_sbuf_json_string(&h, w->meta_values[i]);
    }
    lm_sbuf_append(&h, "}", 1);
    first = false;
  }
  size_t off = 0;
  for (size_t i = 0; i < w->count; i++) {
    const st_entry *e = &w->entries[i];
    if (!first)
      lm_sbuf_append(&h, ",", 1);
    first = false;
    lm_sbuf_json_string(&h, e->name);
    lm_sbuf_printf(&h, ":{\"dtype\":\"%s\",\"shape\":[", st_dtypes[e->dtype].name);
    for (int d = 0; d < e->ndim; d++)
      lm_sbuf_printf(&h, d ? ",%lld" : "%lld", (long long)e->shape[d]);
    lm_sbuf_printf(&h, "],\"data_offsets\":[%zu,%zu]}", off, off + e->nbytes);
    off += e->nbytes;
  }
  lm_sbuf_append(&h, "}", 1);
  while (!h.oom && h.len % 8 != 0)
    lm_sbuf_append(&h, " ", 1);
  if (h.oom) {
    free(h.buf);
    return NULL;
  }
  size_t total = 8 + h.len + off;
  uint8_t *out = malloc(total);
  if (out) {
    lm_write_le64(out, h.len);
    memcpy(out + 8, h.buf, h.len);
    size_t p = 8 + h.len;
    for (size_t i = 0; i < w->count; i++) {
      if (w->entries[i].nbytes)
        memcpy(out + p, w->entries[i].data, w->entries[i].nbytes);
      p += w->entries[i].nbytes;
    }
    *len = total;
  }
  free(h.buf);
  return out;
}

bool lm_st_writer_save(const lm_st_writer *w, const char *path, char **error)
{
  if (!w || !path) {
    lm_train_set_error(error, "safetensors: %s is NULL", w ? "the path" : "the writer");
    return false;
  }
  size_t len = 0;
  uint8_t *bytes = lm_st_writer_serialize(w, &len);
  if (!bytes) {
    lm_train_set_error(error, "%s: out of memory serialising", path);
    return false;
  }
  size_t plen = strlen(path);
  char *tmp = malloc(plen + 5);
  if (!tmp) {
    free(bytes);
    lm_train_set_error(error, "%s: out of memory", path);
    return false;
  }
  memcpy(tmp, path, plen);
  memcpy(tmp + plen, ".tmp", 5);
  FILE *f = fopen(tmp, "wb");
  bool ok = f && fwrite(bytes, 1, len, f) == len && fflush(f) == 0 && fsync(fileno(f)) == 0;
  int err = errno;
  if (f && fclose(f) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (ok && rename(tmp, path) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    lm_train_set_error(error, "%s: cannot write: %s", f ? path : tmp, strerror(err));
    unlink(tmp);
  }
  free(tmp);
  free(bytes);
  return ok;
}
