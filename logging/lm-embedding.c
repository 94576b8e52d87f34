/* lm-embedding.c: embeddings for the projector (SummaryWriter.add_embedding).
 *
 * What it is for: lm_writer_add_embedding and _columns check an n x d
 * float32 matrix, its optional metadata (one label per point, or several
 * named columns, add_embedding's metadata_header) and thumbnails, pack
 * them into one queue payload (the thumbnails already tiled into a sprite
 * PNG, as TensorBoard's make_sprite does) and, on the writer thread,
 * store them as one `embeddings` row, one `embedding_metadata` row per
 * point (its first column), and with a header its names in
 * `embedding_columns` and the other columns in `embedding_values`.
 * Not for: projecting (PCA lives in the app's data side), reading back.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lm-log-private.h"

/* SQLite's default SQLITE_MAX_LENGTH: no blob may be longer. */
#define LM_EMBEDDING_MAX_BLOB 1000000000u
#define LM_EMBEDDING_MAX_SIDE 1000000u

/* The sprite's columns: TensorBoard's make_sprite tiles the thumbnails in
 * a square grid of ceil(sqrt(n)) a side. */
static size_t sprite_cols(size_t n) {
  size_t c = (size_t)ceil(sqrt((double)n));
  while (c * c < n)
    c++;
  while (c > 1 && (c - 1) * (c - 1) >= n)
    c--;
  return c;
}

static int check_args(lm_writer *w, const char *tag, const float *mat,
                      size_t n, size_t d, const float *label_img, int c,
                      int h, int w_px) {
  int rc = lm_check_name(w, "embedding tag", tag);
  if (rc)
    return rc;
  if (!mat)
    return lm_fail(w, LM_ERR_INVALID_ARG, "embedding '%s': mat is NULL", tag);
  if (n == 0 || d == 0)
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "embedding '%s': mat is %zu x %zu; it needs at least one "
                   "point (n) and one dimension (d)",
                   tag, n, d);
  if (d > LM_EMBEDDING_MAX_BLOB / sizeof(float) / n)
    return lm_fail(w, LM_ERR_TOO_LARGE,
                   "embedding '%s': mat is %zu x %zu float32, over the %u "
                   "bytes one run-file blob holds",
                   tag, n, d, LM_EMBEDDING_MAX_BLOB);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++)
      if (!isfinite(mat[i * d + j]))
        return lm_fail(w, LM_ERR_INVALID_ARG,
                       "embedding '%s': mat[%zu][%zu] is %s; every "
                       "coordinate must be finite",
                       tag, i, j, isnan(mat[i * d + j]) ? "NaN" : "Inf");
  if (label_img) {
    if (c != 1 && c != 3)
      return lm_fail(w, LM_ERR_INVALID_ARG,
                     "embedding '%s': label_img has %d channels; it must be "
                     "1 (grey) or 3 (RGB)",
                     tag, c);
    if (h <= 0 || w_px <= 0)
      return lm_fail(w, LM_ERR_INVALID_ARG,
                     "embedding '%s': label_img is %dx%d; height and width "
                     "must be > 0",
                     tag, h, w_px);
    size_t cols = sprite_cols(n), rows = (n + cols - 1) / cols;
    if ((size_t)w_px > LM_EMBEDDING_MAX_SIDE / cols ||
        (size_t)h > LM_EMBEDDING_MAX_SIDE / rows)
      return lm_fail(w, LM_ERR_TOO_LARGE,
                     "embedding '%s': the sprite of %zu thumbnails of %dx%d "
                     "would be over %u pixels a side",
                     tag, n, w_px, h, LM_EMBEDDING_MAX_SIDE);
    size_t sw = cols * (size_t)w_px, sh = rows * (size_t)h;
    if (sw * sh > w->max_image_bytes / (size_t)c)
      return lm_fail(w, LM_ERR_TOO_LARGE,
                     "embedding '%s': the sprite of %zu thumbnails is "
                     "%zux%zux%d, over the cap of %zu bytes "
                     "(lm_writer_options.max_image_bytes)",
                     tag, n, sw, sh, c, w->max_image_bytes);
  } else if (c || h || w_px) {
    return lm_fail(w, LM_ERR_INVALID_ARG,
                   "embedding '%s': label_img is NULL but its size is "
                   "%dx%dx%d (pass 0, 0, 0 without thumbnails)",
                   tag, c, h, w_px);
  }
  return LM_OK;
}

/* Where a string holds a tab or a line break (metadata.tsv could not
 * hold it: TensorBoard splits its lines on them), or NULL. */
static const char *tsv_break(const char *s) {
  const char *p = strpbrk(s, "\t\n\r");
  return !p ? NULL : *p == '\t' ? "a tab" : "a line break";
}

/* The header (NULL: one label a point, as lm_writer_add_embedding) and
 * the n x k values (or NULL); the names' and the values' sizes with their
 * NULs go to *header_bytes and *value_bytes. */
static int check_metadata(lm_writer *w, const char *tag, size_t n,
                          const char *const *header, size_t k,
                          const char *const *metadata, size_t *header_bytes,
                          size_t *value_bytes) {
  char what[128];
  const char *brk;
  int rc;

  *header_bytes = *value_bytes = 0;
  for (size_t j = 0; header && j < k; j++) {
    snprintf(what, sizeof what, "embedding '%.40s': header[%zu]", tag, j);
    if ((rc = lm_check_text(w, what, header[j], false)))
      return rc;
    if (!*header[j])
      return lm_fail(w, LM_ERR_INVALID_ARG, "%s is empty; every column "
                     "needs a name", what);
    if ((brk = tsv_break(header[j])))
      return lm_fail(w, LM_ERR_INVALID_ARG, "%s '%s' holds %s, which "
                     "metadata.tsv cannot hold", what, header[j], brk);
    for (size_t o = 0; o < j; o++)
      if (strcmp(header[o], header[j]) == 0)
        return lm_fail(w, LM_ERR_INVALID_ARG, "%s '%s' repeats header[%zu]; "
                       "column names must differ", what, header[j], o);
    *header_bytes += strlen(header[j]) + 1;
  }
  for (size_t i = 0; metadata && i < n; i++)
    for (size_t j = 0; j < k; j++) {
      const char *v = metadata[i * k + j];
      if (header)
        snprintf(what, sizeof what, "embedding '%.40s': metadata[%zu][%zu]",
                 tag, i, j);
      else
        snprintf(what, sizeof what, "embedding '%.40s': metadata[%zu]", tag,
                 i);
      if ((rc = lm_check_text(w, what, v, false)))
        return rc;
      /* one label a point is free text, as before columns came */
      if (header && (brk = tsv_break(v)))
        return lm_fail(w, LM_ERR_INVALID_ARG, "%s (column '%s') holds %s, "
                       "which metadata.tsv cannot hold", what, header[j],
                       brk);
      *value_bytes += strlen(v) + 1;
    }
  return LM_OK;
}

/* Tiles n CHW float thumbnails into a sprite (HWC bytes), black where the
 * grid has no image, and encodes it to PNG. */
static int make_sprite(lm_writer *w, const char *tag, const float *img,
                       size_t n, int c, int h, int w_px, unsigned char **png,
                       size_t *png_len) {
  size_t cols = sprite_cols(n), rows = (n + cols - 1) / cols;
  size_t sw = cols * (size_t)w_px, sh = rows * (size_t)h, nc = (size_t)c;
  size_t cell = (size_t)w_px * (size_t)h * nc;
  uint8_t *pix = calloc(sw * sh, nc);
  uint8_t *tmp = malloc(cell);
  if (!pix || !tmp) {
    free(pix);
    free(tmp);
    return lm_fail(w, LM_ERR_NOMEM, "embedding '%s': out of memory for the "
                   "sprite", tag);
  }
  for (size_t i = 0; i < n; i++) {
    lm_image_from_f32(img + i * cell, w_px, h, c, LM_CHW, tmp);
    size_t x0 = (i % cols) * (size_t)w_px, y0 = (i / cols) * (size_t)h;
    for (int y = 0; y < h; y++)
      memcpy(pix + ((y0 + (size_t)y) * sw + x0) * nc,
             tmp + (size_t)y * (size_t)w_px * nc, (size_t)w_px * nc);
  }
  free(tmp);
  char err[256];
  int rc = lm_png_encode(pix, (int)sw, (int)sh, c, png, png_len, err,
                         sizeof err);
  free(pix);
  if (rc)
    return lm_fail(w, rc, "embedding '%s': %s", tag, err);
  return LM_OK;
}

/* Copies the count strings v, NULs included, back to back into s;
 * returns the end. */
static char *pack_strings(char *s, const char *const *v, size_t count) {
  for (size_t i = 0; i < count; i++) {
    size_t l = strlen(v[i]) + 1;
    memcpy(s, v[i], l);
    s += l;
  }
  return s;
}

/* Both calls: header NULL is one label a point (k 1). */
static int add_embedding(lm_writer *w, const char *tag, int64_t step,
                         const float *mat, size_t n, size_t d,
                         const char *const *header, size_t k,
                         const char *const *metadata, const float *label_img,
                         int c, int h, int w_px) {
  if (!w)
    return lm_fail(NULL, LM_ERR_INVALID_ARG, "writer is NULL");
  if (!tag)
    tag = "default"; /* add_embedding's default tag */
  size_t label_bytes = 0, header_bytes = 0;
  int rc = check_args(w, tag, mat, n, d, label_img, c, h, w_px);
  if (rc)
    return rc;
  if ((rc = check_metadata(w, tag, n, header, k, metadata, &header_bytes,
                           &label_bytes)))
    return rc;
  unsigned char *png = NULL;
  size_t png_len = 0;
  if (label_img &&
      (rc = make_sprite(w, tag, label_img, n, c, h, w_px, &png, &png_len)))
    return rc;

  size_t tag_len = strlen(tag) + 1, mat_bytes = n * d * sizeof(float);
  size_t bytes = sizeof(lm_embedding_payload) + mat_bytes + png_len +
                 header_bytes + label_bytes + tag_len;
  lm_embedding_payload *p = malloc(bytes);
  if (!p) {
    free(png);
    return lm_fail(w, LM_ERR_NOMEM,
                   "embedding '%s': out of memory for %zu bytes", tag, bytes);
  }
  *p = (lm_embedding_payload){
      .hdr.bytes = bytes, .n = n, .d = d, .png_len = png_len,
      .n_columns = k, .channels = label_img ? c : 0,
      .thumb_height = label_img ? h : 0, .thumb_width = label_img ? w_px : 0,
      .sprite_cols = label_img ? sprite_cols(n) : 0};
  char *s = (char *)(p + 1);
  p->mat = memcpy(s, mat, mat_bytes); /* float32 LE, the blob as it is */
  s += mat_bytes;
  if (png) {
    p->png = memcpy(s, png, png_len);
    s += png_len;
    free(png);
  }
  if (header) {
    p->header = s;
    s = pack_strings(s, header, k);
  }
  if (metadata) {
    p->labels = s;
    s = pack_strings(s, metadata, n * k);
  }
  p->tag = memcpy(s, tag, tag_len);
  return lm_queue_payload(w, LM_REC_EMBEDDING, NULL, 0, step, lm_writer_now(w), p);
}

int lm_writer_add_embedding(lm_writer *w, const char *tag, int64_t step,
                            const float *mat, size_t n, size_t d,
                            const char *const *metadata,
                            const float *label_img, int c, int h, int w_px) {
  return add_embedding(w, tag, step, mat, n, d, NULL, 1, metadata, label_img,
                       c, h, w_px);
}

int lm_writer_add_embedding_columns(lm_writer *w, const char *tag,
                                    int64_t step, const float *mat, size_t n,
                                    size_t d, const char *const *header,
                                    size_t n_columns,
                                    const char *const *metadata,
                                    const float *label_img, int c, int h,
                                    int w_px) {
  const char *t = tag ? tag : "default";
  if (w && !header)
    return lm_fail(w, LM_ERR_INVALID_ARG, "embedding '%s': header is NULL; "
                   "name the columns (add_embedding's metadata_header)", t);
  if (w && n_columns == 0)
    return lm_fail(w, LM_ERR_INVALID_ARG, "embedding '%s': n_columns is 0; "
                   "give at least one column", t);
  if (w && !metadata)
    return lm_fail(w, LM_ERR_INVALID_ARG, "embedding '%s': metadata is NULL; "
                   "give n x n_columns values (lm_writer_add_embedding logs "
                   "an embedding without them)", t);
  return add_embedding(w, tag, step, mat, n, d, header, n_columns, metadata,
                       label_img, c, h, w_px);
}

/* Steps an INSERT and resets it: SQLITE_OK when it was done. */
static int step_reset(sqlite3_stmt *st) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int lm_embedding_store(sqlite3 *db, int64_t step, double wall_time,
                       const lm_embedding_payload *p) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(
      db,
      "INSERT INTO embeddings(tag, step, wall_time, n, d, tensor, sprite, "
      "thumb_width, thumb_height, thumb_channels, sprite_cols) VALUES "
      "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
      -1, &st, NULL);
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_text(st, 1, p->tag, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, step);
  sqlite3_bind_double(st, 3, wall_time);
  sqlite3_bind_int64(st, 4, (sqlite3_int64)p->n);
  sqlite3_bind_int64(st, 5, (sqlite3_int64)p->d);
  sqlite3_bind_blob64(st, 6, p->mat, p->n * p->d * sizeof(float),
                      SQLITE_STATIC);
  if (p->png) {
    sqlite3_bind_blob64(st, 7, p->png, p->png_len, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, p->thumb_width);
    sqlite3_bind_int(st, 9, p->thumb_height);
    sqlite3_bind_int(st, 10, p->channels);
    sqlite3_bind_int64(st, 11, (sqlite3_int64)p->sprite_cols);
  }
  rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return rc;
  if (!p->labels)
    return SQLITE_OK;
  sqlite3_int64 id = sqlite3_last_insert_rowid(db);
  sqlite3_stmt *meta = NULL, *name = NULL, *value = NULL;
  rc = sqlite3_prepare_v2(db,
                          "INSERT INTO embedding_metadata(embedding_id, i, "
                          "label) VALUES (?1,?2,?3)",
                          -1, &meta, NULL);
  if (rc == SQLITE_OK && p->header)
    rc = sqlite3_prepare_v2(db,
                            "INSERT INTO embedding_columns(embedding_id, col, "
                            "name) VALUES (?1,?2,?3)",
                            -1, &name, NULL);
  if (rc == SQLITE_OK && p->n_columns > 1)
    rc = sqlite3_prepare_v2(db,
                            "INSERT INTO embedding_values(embedding_id, i, "
                            "col, value) VALUES (?1,?2,?3,?4)",
                            -1, &value, NULL);
  const char *s = p->header;
  for (size_t j = 0; name && rc == SQLITE_OK && j < p->n_columns; j++) {
    sqlite3_bind_int64(name, 1, id);
    sqlite3_bind_int64(name, 2, (sqlite3_int64)j);
    sqlite3_bind_text(name, 3, s, -1, SQLITE_STATIC);
    s += strlen(s) + 1;
    rc = step_reset(name);
  }
  /* column 0 is the label older readers know; the rest are values */
  s = p->labels;
  for (size_t i = 0; rc == SQLITE_OK && i < p->n; i++)
    for (size_t j = 0; rc == SQLITE_OK && j < p->n_columns; j++) {
      sqlite3_stmt *st1 = j == 0 ? meta : value;
      sqlite3_bind_int64(st1, 1, id);
      sqlite3_bind_int64(st1, 2, (sqlite3_int64)i);
      if (j == 0) {
        sqlite3_bind_text(st1, 3, s, -1, SQLITE_STATIC);
      } else {
        sqlite3_bind_int64(st1, 3, (sqlite3_int64)j);
        sqlite3_bind_text(st1, 4, s, -1, SQLITE_STATIC);
      }
      s += strlen(s) + 1;
      rc = step_reset(st1);
    }
  sqlite3_finalize(meta);
  sqlite3_finalize(name);
  sqlite3_finalize(value);
  return rc;
}
