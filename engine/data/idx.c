/* idx.c: reading and writing IDX files, the format of MNIST and Fashion-MNIST.
 *
 * An IDX file is a 4-byte magic number (0, 0, element type, number of
 * dimensions), one big-endian uint32 per dimension, then the elements in
 * big-endian, row-major order. The files usually ship gzip-compressed; zlib's
 * gz* functions read both forms, so compression is detected from the content.
 *
 * Everything a broken download can do (an HTML page saved under the .gz name,
 * a truncated transfer, a labels file passed as images) is reported with the
 * file name, what was expected and what was found, never a crash or a huge
 * allocation: the data buffer grows only as bytes actually arrive.
 *
 * Not here: turning IDX arrays into a data set (dataset.c) or batches (loader.c).
 */
#include "lumen-train.h"
#include "train/lm-train-private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Refuse headers promising more than this (a corrupt dimension field would
 * otherwise ask for terabytes). 16 GiB is far above any IDX data set. */
#define IDX_MAX_BYTES ((uint64_t)16 << 30)

const char *lm_idx_type_name(lm_idx_type type)
{
  switch (type) {
  case LM_IDX_U8: return "unsigned byte";
  case LM_IDX_I8: return "signed byte";
  case LM_IDX_I16: return "int16";
  case LM_IDX_I32: return "int32";
  case LM_IDX_F32: return "float32";
  case LM_IDX_F64: return "float64";
  }
  return "unknown";
}

static size_t idx_elem_size(int type)
{
  switch (type) {
  case LM_IDX_U8: case LM_IDX_I8: return 1;
  case LM_IDX_I16: return 2;
  case LM_IDX_I32: case LM_IDX_F32: return 4;
  case LM_IDX_F64: return 8;
  default: return 0;
  }
}

/* "60000x28x28" */
static void dims_str(const int64_t *dims, int ndim, char *buf, size_t len)
{
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < ndim && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, i ? "x%lld" : "%lld", (long long)dims[i]);
}

/* A byte source: either a gzFile (plain or gzip file) or a buffer. */
typedef struct {
  gzFile gz;
  const uint8_t *buf;
  size_t len, pos;
  const char *name;
  char **error;
  bool failed;
  bool cut; /* the gzip stream ended early (reported as truncation) */
} idx_source;

/* Reads up to n bytes; returns the count (short only at end of data). A
 * decompression error sets src->failed and the error message. */
static size_t src_read(idx_source *src, void *out, size_t n)
{
  if (!src->gz) {
    size_t k = src->len - src->pos < n ? src->len - src->pos : n;
    memcpy(out, src->buf + src->pos, k);
    src->pos += k;
    return k;
  }
  size_t got = 0;
  while (got < n) {
    unsigned chunk = n - got > (1u << 30) ? (1u << 30) : (unsigned)(n - got);
    int r = gzread(src->gz, (uint8_t *)out + got, chunk);
    if (r < 0) {
      int errnum = 0;
      const char *msg = gzerror(src->gz, &errnum);
      lm_train_set_error(src->error, "%s: corrupt gzip data (%s)", src->name,
                         errnum == Z_ERRNO ? strerror(errno) : msg);
      src->failed = true;
      return got;
    }
    if (r == 0) {
      /* zlib reports a cut-off gzip stream as a short read plus an error */
      int errnum = 0;
      const char *msg = gzerror(src->gz, &errnum);
      if (errnum == Z_BUF_ERROR) {
        src->cut = true;
      } else if (errnum != Z_OK && errnum != Z_STREAM_END) {
        lm_train_set_error(src->error, "%s: corrupt gzip data (%s)", src->name, msg);
        src->failed = true;
      }
      return got;
    }
    got += (size_t)r;
  }
  return got;
}

static lm_idx *idx_read_source(idx_source *src)
{
  uint8_t magic[4];
  size_t got = src_read(src, magic, 4);
  if (src->failed)
    return NULL;
  if (got == 0) {
    lm_train_set_error(src->error, "%s: empty file: expected an IDX header", src->name);
    return NULL;
  }
  if (got < 4) {
    lm_train_set_error(src->error, "%s: truncated: expected a 4-byte IDX magic number, found %zu bytes",
                       src->name, got);
    return NULL;
  }
  int type = magic[2], ndim = magic[3];
  if (magic[0] != 0 || magic[1] != 0 || idx_elem_size(type) == 0 || ndim < 1 || ndim > LM_IDX_MAX_DIMS) {
    lm_train_set_error(src->error,
                       "%s: not an IDX file: bad magic number 0x%02x%02x%02x%02x "
                       "(expected 0x0000TTDD: two zero bytes, a type code 08/09/0B/0C/0D/0E "
                       "and 1 to %d dimensions, e.g. 0x00000803 for images)",
                       src->name, magic[0], magic[1], magic[2], magic[3], LM_IDX_MAX_DIMS);
    return NULL;
  }

  uint8_t dimbuf[4 * LM_IDX_MAX_DIMS];
  got = src_read(src, dimbuf, 4 * (size_t)ndim);
  if (src->failed)
    return NULL;
  if (got < 4 * (size_t)ndim) {
    lm_train_set_error(src->error,
                       "%s: truncated: expected a %d-byte header (%d dimensions), found %zu bytes",
                       src->name, 4 + 4 * ndim, ndim, 4 + got);
    return NULL;
  }

  lm_idx *idx = calloc(1, sizeof *idx);
  if (!idx) {
    lm_train_set_error(src->error, "%s: out of memory", src->name);
    return NULL;
  }
  idx->type = (lm_idx_type)type;
  idx->ndim = ndim;
  idx->elem_size = idx_elem_size(type);
  uint64_t numel = 1;
  for (int i = 0; i < ndim; i++) {
    idx->dims[i] = lm_read_be32(dimbuf + 4 * i);
    numel *= (uint64_t)idx->dims[i];
    if (numel > IDX_MAX_BYTES) {
      char ds[160];
      dims_str(idx->dims, i + 1, ds, sizeof ds);
      lm_train_set_error(src->error, "%s: corrupt header: dimensions %s%s describe more than %llu bytes",
                         src->name, ds, i + 1 < ndim ? "x..." : "",
                         (unsigned long long)IDX_MAX_BYTES);
      free(idx);
      return NULL;
    }
  }
  idx->numel = (int64_t)numel;
  size_t header = 4 + 4 * (size_t)ndim;
  size_t want = (size_t)numel * idx->elem_size;
  if ((uint64_t)want > IDX_MAX_BYTES) {
    lm_train_set_error(src->error, "%s: corrupt header: %llu bytes of data is more than %llu",
                       src->name, (unsigned long long)want, (unsigned long long)IDX_MAX_BYTES);
    free(idx);
    return NULL;
  }

  /* Grow the buffer as data arrives so a lying header cannot make us
   * allocate what the file does not hold. */
  size_t cap = want < (1u << 20) ? want : (1u << 20), have = 0;
  uint8_t *data = malloc(cap ? cap : 1);
  while (data && have < want) {
    if (have == cap) {
      size_t ncap = cap * 2 < want ? cap * 2 : want;
      uint8_t *nd = realloc(data, ncap);
      if (!nd) {
        free(data);
        data = NULL;
        break;
      }
      data = nd;
      cap = ncap;
    }
    size_t r = src_read(src, data + have, cap - have);
    have += r;
    if (src->failed || r == 0)
      break;
  }
  if (!data) {
    lm_train_set_error(src->error, "%s: out of memory reading %zu bytes", src->name, want);
    free(idx);
    return NULL;
  }
  if (src->failed) {
    free(data);
    free(idx);
    return NULL;
  }
  char ds[160];
  dims_str(idx->dims, ndim, ds, sizeof ds);
  if (have < want) {
    lm_train_set_error(src->error,
                       "%s: truncated: expected %zu bytes (%zu-byte header + %s %s values), found %zu%s",
                       src->name, header + want, header, ds, lm_idx_type_name(idx->type), header + have,
                       src->cut ? " (the gzip stream is cut short)" : "");
    free(data);
    free(idx);
    return NULL;
  }
  uint8_t extra;
  if (src_read(src, &extra, 1) != 0 || src->failed || src->cut) {
    if (src->cut && !src->failed)
      lm_train_set_error(src->error,
                         "%s: truncated gzip stream: the %zu bytes of data are there but the "
                         "gzip trailer (checksum) is missing", src->name, header + want);
    else if (!src->failed)
      lm_train_set_error(src->error,
                         "%s: trailing data: expected %zu bytes (%zu-byte header + %s %s values), "
                         "found more (wrong dimensions in the header?)",
                         src->name, header + want, header, ds, lm_idx_type_name(idx->type));
    free(data);
    free(idx);
    return NULL;
  }

  /* big-endian -> host */
  size_t es = idx->elem_size;
  if (es > 1 && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
    for (size_t i = 0; i < (size_t)numel; i++) {
      uint8_t *p = data + i * es;
      for (size_t a = 0, b = es - 1; a < b; a++, b--) {
        uint8_t t = p[a];
        p[a] = p[b];
        p[b] = t;
      }
    }
  }
  idx->data = data;
  return idx;
}

lm_idx *lm_idx_read(const char *path, char **error)
{
  if (!path) {
    lm_train_set_error(error, "lm_idx_read: no file name given");
    return NULL;
  }
  FILE *probe = fopen(path, "rb");
  if (!probe) {
    lm_train_set_error(error, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  fclose(probe);
  gzFile gz = gzopen(path, "rb");
  if (!gz) {
    lm_train_set_error(error, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  gzbuffer(gz, 1u << 17);
  idx_source src = { .gz = gz, .name = path, .error = error };
  lm_idx *idx = idx_read_source(&src);
  gzclose(gz);
  return idx;
}

lm_idx *lm_idx_parse(const void *bytes, size_t len, const char *name, char **error)
{
  const uint8_t *b = bytes;
  name = name ? name : "(buffer)";
  if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
    /* gzip in memory: inflate it all first (small buffers: tests, fixtures) */
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK) {
      lm_train_set_error(error, "%s: cannot start gzip decompression", name);
      return NULL;
    }
    size_t cap = len * 4 + 64, have = 0;
    uint8_t *out = malloc(cap);
    zs.next_in = (Bytef *)b;
    zs.avail_in = (uInt)len;
    int r = Z_OK;
    bool cut = false;
    while (out && r != Z_STREAM_END) {
      if (have == cap) {
        uint8_t *n = cap < IDX_MAX_BYTES ? realloc(out, cap * 2) : NULL;
        if (!n) {
          free(out);
          out = NULL;
          break;
        }
        out = n;
        cap *= 2;
      }
      zs.next_out = out + have;
      zs.avail_out = (uInt)(cap - have);
      r = inflate(&zs, Z_NO_FLUSH);
      have = cap - zs.avail_out;
      if (r == Z_BUF_ERROR && zs.avail_in == 0 && zs.avail_out > 0) {
        cut = true; /* input ended before the stream did: parse what we have */
        break;
      }
      if (r != Z_OK && r != Z_STREAM_END) {
        lm_train_set_error(error, "%s: corrupt gzip data (%s)", name, zs.msg ? zs.msg : "inflate failed");
        inflateEnd(&zs);
        free(out);
        return NULL;
      }
    }
    inflateEnd(&zs);
    if (!out) {
      lm_train_set_error(error, "%s: out of memory decompressing", name);
      return NULL;
    }
    idx_source src = { .buf = out, .len = have, .name = name, .error = error, .cut = cut };
    lm_idx *idx = idx_read_source(&src);
    free(out);
    return idx;
  }
  idx_source src = { .buf = b, .len = len, .name = name, .error = error };
  return idx_read_source(&src);
}

lm_idx *lm_idx_read_expect(const char *path, lm_idx_type type, int ndim, char **error)
{
  lm_idx *idx = lm_idx_read(path, error);
  if (!idx)
    return NULL;
  if (idx->type != type) {
    lm_train_set_error(error, "%s: wrong element type: expected %s (0x%02X), found %s (0x%02X)",
                       path, lm_idx_type_name(type), type, lm_idx_type_name(idx->type), idx->type);
    lm_idx_free(idx);
    return NULL;
  }
  if (ndim >= 0 && idx->ndim != ndim) {
    char ds[160];
    dims_str(idx->dims, idx->ndim, ds, sizeof ds);
    lm_train_set_error(error, "%s: wrong dimensions: expected %d dimensions, found %d (%s)",
                       path, ndim, idx->ndim, ds);
    lm_idx_free(idx);
    return NULL;
  }
  return idx;
}

void lm_idx_free(lm_idx *idx)
{
  if (!idx)
    return;
  free(idx->data);
  free(idx);
}

double lm_idx_get(const lm_idx *idx, int64_t i)
{
  const uint8_t *p = (const uint8_t *)idx->data + (size_t)i * idx->elem_size;
  switch (idx->type) {
  case LM_IDX_U8: return *p;
  case LM_IDX_I8: return *(const int8_t *)p;
  case LM_IDX_I16: { int16_t v; memcpy(&v, p, 2); return v; }
  case LM_IDX_I32: { int32_t v; memcpy(&v, p, 4); return v; }
  case LM_IDX_F32: { float v; memcpy(&v, p, 4); return v; }
  case LM_IDX_F64: { double v; memcpy(&v, p, 8); return v; }
  }
  return 0;
}

bool lm_idx_write(const char *path, lm_idx_type type, int ndim, const int64_t *dims,
                  const void *data, bool gzip, char **error)
{
  size_t es = idx_elem_size(type);
  if (!path || es == 0 || ndim < 1 || ndim > LM_IDX_MAX_DIMS || !dims) {
    lm_train_set_error(error, "%s: lm_idx_write: invalid type or dimensions", path ? path : "(null)");
    return false;
  }
  size_t hlen = 4 + 4 * (size_t)ndim;
  uint8_t header[4 + 4 * LM_IDX_MAX_DIMS] = { 0, 0, (uint8_t)type, (uint8_t)ndim };
  size_t numel = 1;
  for (int i = 0; i < ndim; i++) {
    if (dims[i] < 0 || dims[i] > 0xffffffffLL) {
      lm_train_set_error(error, "%s: lm_idx_write: dimension %d (%lld) out of range", path, i,
                         (long long)dims[i]);
      return false;
    }
    uint32_t d = (uint32_t)dims[i];
    header[4 + 4 * i] = (uint8_t)(d >> 24);
    header[5 + 4 * i] = (uint8_t)(d >> 16);
    header[6 + 4 * i] = (uint8_t)(d >> 8);
    header[7 + 4 * i] = (uint8_t)d;
    numel *= (size_t)dims[i];
  }
  size_t nbytes = numel * es;
  uint8_t *be = malloc(nbytes ? nbytes : 1);
  if (!be) {
    lm_train_set_error(error, "%s: out of memory", path);
    return false;
  }
  if (nbytes) /* an empty set may come with data == NULL */
    memcpy(be, data, nbytes);
  if (es > 1 && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
    for (size_t i = 0; i < numel; i++)
      for (size_t a = 0, b = es - 1; a < b; a++, b--) {
        uint8_t t = be[i * es + a];
        be[i * es + a] = be[i * es + b];
        be[i * es + b] = t;
      }
  bool ok;
  if (gzip) {
    gzFile gz = gzopen(path, "wb6");
    ok = gz && gzwrite(gz, header, (unsigned)hlen) == (int)hlen;
    for (size_t off = 0; ok && off < nbytes;) {
      unsigned chunk = nbytes - off > (1u << 30) ? (1u << 30) : (unsigned)(nbytes - off);
      ok = gzwrite(gz, be + off, chunk) == (int)chunk;
      off += chunk;
    }
    if (gz && gzclose(gz) != Z_OK)
      ok = false;
  } else {
    FILE *f = fopen(path, "wb");
    ok = f && fwrite(header, 1, hlen, f) == hlen && fwrite(be, 1, nbytes, f) == nbytes;
    if (f && fclose(f) != 0)
      ok = false;
  }
  free(be);
  if (!ok)
    lm_train_set_error(error, "%s: cannot write: %s", path, strerror(errno ? errno : EIO));
  return ok;
}
