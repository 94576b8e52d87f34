/* lm-store.c: the writer thread, the only code that writes the run file.
 *
 * What it is for: draining the queue into SQLite in transactions that
 * commit at least every flush_interval_ms (and on flush/close), keeping
 * the heartbeat fresh, and turning SQLite faults (disk full, I/O errors)
 * into a sticky error the logging calls report.
 *
 * Scalars are the volume case.  Rather than one INSERT statement per row,
 * a chunk of queued scalars is inserted by one statement,
 *   INSERT INTO scalars(...) SELECT ... FROM lm_scalar_batch(?1)
 * where lm_scalar_batch is a table-valued function over the ring itself
 * (the chunk is handed over with sqlite3_bind_pointer).  This skips the
 * per-row statement reset/bind/step overhead: about 1.4x the rows/s of a
 * prepared single-row INSERT loop into the same table.
 * Each chunk also feeds the scalar summaries (one row per tag per
 * LM_SUMMARY_BLOCK scalars, open blocks rewritten before every commit),
 * which let the app draw a complete first frame of a huge run at once.
 * Not for: building records (lm-queue.c, lm-records.c).
 */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lm-log-private.h"

enum {
  ST_SCALARS,
  ST_TAG,
  ST_HIST,
  ST_IMAGE,
  ST_TEXT,
  ST_KV,
  ST_HPARAM,
  ST_HMETRIC,
  ST_HGMETRIC,
  ST_HLABEL,
  ST_HCOLS_CLEAR,
  ST_HCOL,
  ST_BEGIN,
  ST_COMMIT,
  ST_SUMMARY,
  ST_SUMMARY_NEXT,
  ST_PR,
  ST_PR_POINT,
  ST_CS_CHART,
  ST_CS_TAG,
  ST_AUDIO,
  ST_MESH,
  ST_N
};
_Static_assert(ST_N <= sizeof(((lm_writer *)0)->stmts) / sizeof(sqlite3_stmt *),
               "lm_writer.stmts has a slot per statement");

/* Records handled per lock hand-off: small enough that tail advances
 * (and waiting producers resume) often, big enough to amortise. */
#define LM_CHUNK 8192
/* An idle run still refreshes its heartbeat this often. */
#define LM_HEARTBEAT_NS 5000000000ull

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------ lm_scalar_batch vtab */

typedef struct {
  const lm_rec *ring;
  uint64_t mask, from, to;
} lm_batch_view;

typedef struct {
  sqlite3_vtab_cursor base;
  const lm_batch_view *v;
  uint64_t i;
} batch_cursor;

static void cursor_skip(batch_cursor *c) {
  while (c->i < c->v->to && c->v->ring[c->i & c->v->mask].kind != LM_REC_SCALAR)
    c->i++;
}

static int batch_connect(sqlite3 *db, void *aux, int argc,
                         const char *const *argv, sqlite3_vtab **out,
                         char **err) {
  int rc = sqlite3_declare_vtab(
      db, "CREATE TABLE x(tag_id, step, wall_time, value, chunk HIDDEN)");
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_vtab *t = sqlite3_malloc(sizeof *t);
  if (!t)
    return SQLITE_NOMEM;
  memset(t, 0, sizeof *t);
  *out = t;
  return SQLITE_OK;
}

static int batch_disconnect(sqlite3_vtab *t) {
  sqlite3_free(t);
  return SQLITE_OK;
}

static int batch_best_index(sqlite3_vtab *t, sqlite3_index_info *info) {
  for (int i = 0; i < info->nConstraint; i++) {
    if (info->aConstraint[i].iColumn == 4 && info->aConstraint[i].usable &&
        info->aConstraint[i].op == SQLITE_INDEX_CONSTRAINT_EQ) {
      info->aConstraintUsage[i].argvIndex = 1;
      info->aConstraintUsage[i].omit = 1;
      info->estimatedCost = 1;
      return SQLITE_OK;
    }
  }
  return SQLITE_CONSTRAINT; /* only usable with its chunk argument */
}

static int batch_open(sqlite3_vtab *t, sqlite3_vtab_cursor **out) {
  batch_cursor *c = sqlite3_malloc(sizeof *c);
  if (!c)
    return SQLITE_NOMEM;
  memset(c, 0, sizeof *c);
  *out = &c->base;
  return SQLITE_OK;
}

static int batch_close(sqlite3_vtab_cursor *c) {
  sqlite3_free(c);
  return SQLITE_OK;
}

static int batch_filter(sqlite3_vtab_cursor *cur, int idx, const char *s,
                        int argc, sqlite3_value **argv) {
  batch_cursor *c = (batch_cursor *)cur;
  c->v = argc ? sqlite3_value_pointer(argv[0], "lm_batch_view") : NULL;
  c->i = c->v ? c->v->from : 0;
  if (c->v)
    cursor_skip(c);
  return SQLITE_OK;
}

static int batch_next(sqlite3_vtab_cursor *cur) {
  batch_cursor *c = (batch_cursor *)cur;
  c->i++;
  cursor_skip(c);
  return SQLITE_OK;
}

static int batch_eof(sqlite3_vtab_cursor *cur) {
  batch_cursor *c = (batch_cursor *)cur;
  return !c->v || c->i >= c->v->to;
}

static int batch_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx,
                        int col) {
  batch_cursor *c = (batch_cursor *)cur;
  const lm_rec *r = &c->v->ring[c->i & c->v->mask];
  switch (col) {
  case 0: sqlite3_result_int64(ctx, r->tag_id); break;
  case 1: sqlite3_result_int64(ctx, r->step); break;
  case 2: sqlite3_result_double(ctx, r->wall_time); break;
  case 3:
    if (isnan(r->u.value))
      sqlite3_result_null(ctx); /* the schema's spelling of NaN */
    else
      sqlite3_result_double(ctx, r->u.value);
    break;
  default: sqlite3_result_null(ctx); break;
  }
  return SQLITE_OK;
}

static int batch_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid) {
  *rowid = (sqlite3_int64)((batch_cursor *)cur)->i;
  return SQLITE_OK;
}

static const sqlite3_module batch_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous-only: a table-valued function */
    .xConnect = batch_connect,
    .xBestIndex = batch_best_index,
    .xDisconnect = batch_disconnect,
    .xOpen = batch_open,
    .xClose = batch_close,
    .xFilter = batch_filter,
    .xNext = batch_next,
    .xEof = batch_eof,
    .xColumn = batch_column,
    .xRowid = batch_rowid,
};

/* ----------------------------------------------------------- statements */

int lm_store_prepare(lm_writer *w, char *err, size_t errlen) {
  static const char *const sql[ST_N] = {
      [ST_SCALARS] = "INSERT INTO scalars(tag_id, step, wall_time, value) "
                     "SELECT tag_id, step, wall_time, value "
                     "FROM lm_scalar_batch(?1)",
      [ST_TAG] = "INSERT INTO tags(id, name, kind) VALUES (?1, ?2, ?3)",
      [ST_HIST] = "INSERT INTO histograms(tag_id, step, wall_time, count, "
                  "min, max, sum, sum_squares, nan_count, bucket_count, "
                  "edges, counts) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
                  "?11,?12)",
      [ST_IMAGE] = "INSERT INTO images(tag_id, step, wall_time, width, "
                   "height, channels, png, caption, grid, frames, fps, "
                   "boxes) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
      [ST_TEXT] = "INSERT INTO texts(tag_id, step, wall_time, value) "
                  "VALUES (?1,?2,?3,?4)",
      [ST_KV] = "INSERT OR REPLACE INTO run(key, value) VALUES (?1, ?2)",
      [ST_HPARAM] = "INSERT OR REPLACE INTO hparams(name, type, value) "
                    "VALUES (?1, ?2, ?3)",
      [ST_HMETRIC] = "INSERT OR IGNORE INTO hparam_metrics(tag) VALUES (?1)",
      [ST_HGMETRIC] = "INSERT OR IGNORE INTO hparam_group_metrics(grp, tag) "
                      "VALUES (?1, ?2)",
      [ST_HLABEL] = "INSERT OR REPLACE INTO hparam_labels(kind, grp, name, "
                    "display_name, description) VALUES (?1, ?2, ?3, ?4, ?5)",
      [ST_HCOLS_CLEAR] = "DELETE FROM hparam_columns",
      [ST_HCOL] = "INSERT INTO hparam_columns(i, name) VALUES (?1, ?2)",
      [ST_BEGIN] = "BEGIN",
      [ST_COMMIT] = "COMMIT",
      [ST_SUMMARY] = "INSERT OR REPLACE INTO scalar_summaries(tag_id, block, "
                     "count, nan_count, first_step, first_wall, first_value, "
                     "last_step, last_wall, last_value, min_step, min_wall, "
                     "min_value, max_step, max_wall, max_value, nan_step, "
                     "nan_wall) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,"
                     "?12,?13,?14,?15,?16,?17,?18)",
      [ST_SUMMARY_NEXT] = "SELECT COALESCE(MAX(block), -1) + 1 FROM "
                          "scalar_summaries WHERE tag_id = ?1",
      [ST_PR] = "INSERT INTO pr_curves(tag_id, step, wall_time, "
                "num_thresholds) VALUES (?1,?2,?3,?4)",
      [ST_PR_POINT] = "INSERT INTO pr_curve_points(curve_id, i, threshold, "
                      "tp, fp, tn, fn, precision, recall) VALUES "
                      "(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
      [ST_CS_CHART] = "INSERT INTO custom_scalar_charts(wall_time, category, "
                      "title, kind) VALUES (?1,?2,?3,?4)",
      [ST_CS_TAG] = "INSERT INTO custom_scalar_tags(chart_id, i, tag) "
                    "VALUES (?1,?2,?3)",
      [ST_AUDIO] = "INSERT INTO audio(tag_id, step, wall_time, sample_rate, "
                   "channels, frames, wav, label) VALUES "
                   "(?1,?2,?3,?4,?5,?6,?7,?8)",
      [ST_MESH] = "INSERT INTO meshes(tag_id, step, wall_time, n_vertices, "
                  "n_faces, vertices, colors, faces, config) VALUES "
                  "(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
  };
  int rc = sqlite3_create_module(w->db, "lm_scalar_batch", &batch_module,
                                 NULL);
  for (int i = 0; rc == SQLITE_OK && i < ST_N; i++)
    rc = sqlite3_prepare_v3(w->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                            &w->stmts[i], NULL);
  if (rc != SQLITE_OK)
    snprintf(err, errlen, "preparing statements: %s", lm_sqlite_errmsg(w->db));
  return rc;
}

void lm_store_finalize(lm_writer *w) {
  for (int i = 0; i < ST_N; i++) {
    sqlite3_finalize(w->stmts[i]);
    w->stmts[i] = NULL;
  }
}

static int run_stmt(sqlite3_stmt *st) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static void bind_real(sqlite3_stmt *st, int i, double v) {
  if (isnan(v))
    sqlite3_bind_null(st, i);
  else
    sqlite3_bind_double(st, i, v);
}

/* Blobs are little-endian float64 arrays; on a big-endian host the bytes
 * would need swapping, which this x86/ARM-LE project does not build for. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "lumen-log writes little-endian blobs; add byte swapping for this host"
#endif

/* A row of hparam_labels where a display name or description is given
 * (group NULL: none); a later call with neither leaves an earlier one. */
static int store_hparam_label(lm_writer *w, const char *kind,
                              const char *group, const char *name,
                              const char *display_name,
                              const char *description) {
  if (!display_name && !description)
    return SQLITE_OK;
  sqlite3_stmt *st = w->stmts[ST_HLABEL];
  sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, group ? group : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, display_name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, description, -1, SQLITE_STATIC);
  return run_stmt(st);
}

static int store_one(lm_writer *w, const lm_rec *r) {
  sqlite3_stmt *st;
  switch (r->kind) {
  case LM_REC_TAG: {
    const lm_tag_payload *p = r->u.payload;
    st = w->stmts[ST_TAG];
    sqlite3_bind_int64(st, 1, r->tag_id);
    sqlite3_bind_text(st, 2, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, lm_tag_kind_name(p->kind), -1, SQLITE_STATIC);
    return run_stmt(st);
  }
  case LM_REC_HISTOGRAM: {
    const lm_hist_payload *p = r->u.payload;
    st = w->stmts[ST_HIST];
    sqlite3_bind_int64(st, 1, r->tag_id);
    sqlite3_bind_int64(st, 2, r->step);
    sqlite3_bind_double(st, 3, r->wall_time);
    sqlite3_bind_double(st, 4, p->count);
    bind_real(st, 5, p->min);
    bind_real(st, 6, p->max);
    bind_real(st, 7, p->sum);
    bind_real(st, 8, p->sum_squares);
    sqlite3_bind_int64(st, 9, p->nan_count);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)p->bucket_count);
    sqlite3_bind_blob64(st, 11, p->edges,
                        p->bucket_count ? (p->bucket_count + 1) * 8 : 0,
                        SQLITE_STATIC);
    sqlite3_bind_blob64(st, 12, p->counts, p->bucket_count * 8,
                        SQLITE_STATIC);
    return run_stmt(st);
  }
  case LM_REC_IMAGE: {
    const lm_image_payload *p = r->u.payload;
    st = w->stmts[ST_IMAGE];
    sqlite3_bind_int64(st, 1, r->tag_id);
    sqlite3_bind_int64(st, 2, r->step);
    sqlite3_bind_double(st, 3, r->wall_time);
    sqlite3_bind_int(st, 4, p->width);
    sqlite3_bind_int(st, 5, p->height);
    sqlite3_bind_int(st, 6, p->channels);
    sqlite3_bind_blob64(st, 7, p->png, p->png_len, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, p->caption, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, p->grid, -1, SQLITE_STATIC);
    if (p->n_frames > 0) {
      sqlite3_bind_int(st, 10, p->n_frames);
      sqlite3_bind_double(st, 11, p->fps);
    } else {
      sqlite3_bind_null(st, 10);
      sqlite3_bind_null(st, 11);
    }
    sqlite3_bind_text(st, 12, p->boxes, -1, SQLITE_STATIC);
    return run_stmt(st);
  }
  case LM_REC_AUDIO: {
    const lm_audio_payload *p = r->u.payload;
    st = w->stmts[ST_AUDIO];
    sqlite3_bind_int64(st, 1, r->tag_id);
    sqlite3_bind_int64(st, 2, r->step);
    sqlite3_bind_double(st, 3, r->wall_time);
    sqlite3_bind_double(st, 4, p->sample_rate);
    sqlite3_bind_int(st, 5, p->channels);
    sqlite3_bind_int64(st, 6, p->frames);
    sqlite3_bind_blob64(st, 7, p->wav, p->wav_len, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, p->label, -1, SQLITE_STATIC);
    return run_stmt(st);
  }
  case LM_REC_MESH: {
    const lm_mesh_payload *p = r->u.payload;
    st = w->stmts[ST_MESH];
    sqlite3_bind_int64(st, 1, r->tag_id);
    sqlite3_bind_int64(st, 2, r->step);
    sqlite3_bind_double(st, 3, r->wall_time);
    sqlite3_bind_int64(st, 4, p->n_vertices);
    sqlite3_bind_int64(st, 5, p->n_faces);
    sqlite3_bind_blob64(st, 6, p->vertices, (sqlite3_uint64)p->n_vertices * 12,
                        SQLITE_STATIC);
    if (p->colors)
      sqlite3_bind_blob64(st, 7, p->colors, (sqlite3_uint64)p->n_vertices * 3,
                          SQLITE_STATIC);
    else
      sqlite3_bind_null(st, 7);
    if (p->faces)
      sqlite3_bind_blob64(st, 8, p->faces, (sqlite3_uint64)p->n_faces * 12,
                          SQLITE_STATIC);
    else
      sqlite3_bind_null(st, 8);
    sqlite3_bind_text(st, 9, p->config, -1, SQLITE_STATIC);
    return run_stmt(st);
  }
  case LM_REC_TEXT: {
    const lm_text_payload *p = r->u.payload;
    st = w->stmts[ST_TEXT];
    sqlite3_bind_int64(st, 1, r->tag_id);
    sqlite3_bind_int64(st, 2, r->step);
    sqlite3_bind_double(st, 3, r->wall_time);
    sqlite3_bind_text(st, 4, p->text, -1, SQLITE_STATIC);
    return run_stmt(st);
  }
  case LM_REC_RUN_KV: {
    const lm_kv_payload *p = r->u.payload;
    st = w->stmts[ST_KV];
    sqlite3_bind_text(st, 1, p->key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->value, -1, SQLITE_STATIC);
    return run_stmt(st);
  }
  case LM_REC_HPARAMS: {
    const lm_hparams_payload *p = r->u.payload;
    static const char *const types[] = {"number", "string", "bool"};
    int rc = SQLITE_OK;
    if (p->set_columns)
      rc = run_stmt(w->stmts[ST_HCOLS_CLEAR]);
    for (size_t i = 0; rc == SQLITE_OK && i < p->n_columns; i++) {
      st = w->stmts[ST_HCOL];
      sqlite3_bind_int64(st, 1, (sqlite3_int64)i);
      sqlite3_bind_text(st, 2, p->columns[i], -1, SQLITE_STATIC);
      rc = run_stmt(st);
    }
    for (size_t i = 0; rc == SQLITE_OK && i < p->n; i++) {
      const lm_hparam *h = &p->hps[i];
      st = w->stmts[ST_HPARAM];
      sqlite3_bind_text(st, 1, h->name, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 2, types[h->type], -1, SQLITE_STATIC);
      if (h->type == LM_HPARAM_NUMBER)
        bind_real(st, 3, h->number);
      else if (h->type == LM_HPARAM_STRING)
        sqlite3_bind_text(st, 3, h->string, -1, SQLITE_STATIC);
      else
        sqlite3_bind_int(st, 3, h->boolean ? 1 : 0);
      rc = run_stmt(st);
      if (rc == SQLITE_OK)
        rc = store_hparam_label(w, "hparam", NULL, h->name, h->display_name,
                                h->description);
    }
    for (size_t i = 0; rc == SQLITE_OK && i < p->n_metrics; i++) {
      st = w->stmts[p->metric_groups[i] ? ST_HGMETRIC : ST_HMETRIC];
      if (p->metric_groups[i])
        sqlite3_bind_text(st, 1, p->metric_groups[i], -1, SQLITE_STATIC);
      sqlite3_bind_text(st, p->metric_groups[i] ? 2 : 1, p->metric_tags[i], -1,
                        SQLITE_STATIC);
      rc = run_stmt(st);
      if (rc == SQLITE_OK)
        rc = store_hparam_label(w, "metric", p->metric_groups[i],
                                p->metric_tags[i], p->metric_labels[2 * i],
                                p->metric_labels[2 * i + 1]);
    }
    return rc;
  }
  case LM_REC_CUSTOM_SCALARS: {
    const lm_custom_payload *p = r->u.payload;
    int rc = SQLITE_OK;
    for (size_t c = 0; rc == SQLITE_OK && c < p->n; c++) {
      const lm_custom_chart *ch = &p->charts[c];
      st = w->stmts[ST_CS_CHART];
      sqlite3_bind_double(st, 1, r->wall_time);
      sqlite3_bind_text(st, 2, ch->category, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 3, ch->title, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 4,
                        ch->kind == LM_CUSTOM_MARGIN ? "margin" : "multiline",
                        -1, SQLITE_STATIC);
      rc = run_stmt(st);
      sqlite3_int64 chart_id = sqlite3_last_insert_rowid(w->db);
      st = w->stmts[ST_CS_TAG];
      for (size_t i = 0; rc == SQLITE_OK && i < ch->n_tags; i++) {
        sqlite3_bind_int64(st, 1, chart_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_text(st, 3, ch->tags[i], -1, SQLITE_STATIC);
        rc = run_stmt(st);
      }
    }
    return rc;
  }
  case LM_REC_PR_CURVE: {
    const lm_pr_payload *p = r->u.payload;
    size_t nt = p->num_thresholds;
    st = w->stmts[ST_PR];
    sqlite3_bind_int64(st, 1, r->tag_id);
    sqlite3_bind_int64(st, 2, r->step);
    sqlite3_bind_double(st, 3, r->wall_time);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)nt);
    int rc = run_stmt(st);
    sqlite3_int64 curve_id = sqlite3_last_insert_rowid(w->db);
    st = w->stmts[ST_PR_POINT];
    for (size_t i = 0; rc == SQLITE_OK && i < nt; i++) {
      sqlite3_bind_int64(st, 1, curve_id);
      sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
      sqlite3_bind_double(st, 3, (double)i / (double)(nt - 1));
      for (int k = 0; k < 6; k++)
        sqlite3_bind_double(st, 4 + k, p->v[(size_t)k * nt + i]);
      rc = run_stmt(st);
    }
    return rc;
  }
  case LM_REC_GRAPH: {
    const lm_graph_payload *p = r->u.payload;
    return lm_graph_store(w->db, p->graph_id, r->step, r->wall_time,
                          p->graph);
  }
  case LM_REC_TRACE: {
    const lm_trace_payload *p = r->u.payload;
    return lm_trace_store(w->db, p->trace_id, r->wall_time, p->trace);
  }
  case LM_REC_EMBEDDING:
    return lm_embedding_store(w->db, r->step, r->wall_time, r->u.payload);
  default:
    return SQLITE_INTERNAL;
  }
}

/* ------------------------------------------------------ scalar summaries */

_Static_assert(ST_N <= sizeof(((lm_writer *)0)->stmts) / sizeof(sqlite3_stmt *),
               "lm_writer.stmts is too small");

/* The open block of a tag, growing the table as tag ids appear; NULL when
 * out of memory. */
static lm_summary_acc *summary_acc(lm_writer *w, uint32_t tag_id) {
  if (tag_id >= w->n_sums) {
    size_t n = w->n_sums ? w->n_sums : 16;
    while (n <= tag_id)
      n *= 2;
    lm_summary_acc *grown = realloc(w->sums, n * sizeof *grown);
    if (!grown)
      return NULL;
    for (size_t i = w->n_sums; i < n; i++)
      grown[i] = (lm_summary_acc){.block = -1};
    w->sums = grown;
    w->n_sums = n;
  }
  return &w->sums[tag_id];
}

static void bind_point(sqlite3_stmt *st, int i, const lm_summary_point *p,
                       bool with_value) {
  sqlite3_bind_int64(st, i, p->step);
  sqlite3_bind_double(st, i + 1, p->wall);
  if (with_value)
    bind_real(st, i + 2, p->value);
}

/* Writes (or rewrites) the row of a tag's open block. */
static int summary_write(lm_writer *w, uint32_t tag_id, lm_summary_acc *a) {
  sqlite3_stmt *st = w->stmts[ST_SUMMARY];
  sqlite3_bind_int64(st, 1, tag_id);
  sqlite3_bind_int64(st, 2, a->block);
  sqlite3_bind_int64(st, 3, a->count);
  sqlite3_bind_int64(st, 4, a->nan_count);
  bind_point(st, 5, &a->first, true);
  bind_point(st, 8, &a->last, true);
  if (a->have_minmax) {
    bind_point(st, 11, &a->min, true);
    bind_point(st, 14, &a->max, true);
  }
  if (a->nan_count)
    bind_point(st, 17, &a->nan, false);
  a->dirty = false;
  return run_stmt(st);
}

/* Adds one scalar to its tag's open block, writing the block out when it
 * is full. */
static int summary_add(lm_writer *w, const lm_rec *r) {
  lm_summary_acc *a = summary_acc(w, r->tag_id);
  if (!a)
    return SQLITE_NOMEM;
  if (a->block < 0) {
    /* First scalar of this tag in this session: continue after the blocks
     * an earlier session wrote (a resumed run). */
    sqlite3_stmt *st = w->stmts[ST_SUMMARY_NEXT];
    sqlite3_bind_int64(st, 1, r->tag_id);
    int rc = sqlite3_step(st);
    a->block = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW)
      return rc;
  }
  lm_summary_point p = {r->step, r->wall_time, r->u.value};
  if (a->count == 0)
    a->first = p;
  a->last = p;
  a->count++;
  a->dirty = true;
  if (isnan(p.value)) {
    if (a->nan_count++ == 0)
      a->nan = p;
  } else if (!a->have_minmax) {
    a->min = a->max = p;
    a->have_minmax = true;
  } else if (p.value < a->min.value) {
    a->min = p;
  } else if (p.value > a->max.value) {
    a->max = p;
  }
  if (a->count < LM_SUMMARY_BLOCK)
    return SQLITE_OK;
  int rc = summary_write(w, r->tag_id, a);
  *a = (lm_summary_acc){.block = a->block + 1};
  return rc;
}

/* Writes every partly filled block that changed (before a commit, so the
 * summaries always cover exactly the committed rows). */
static int summary_flush(lm_writer *w) {
  int rc = SQLITE_OK;
  for (size_t i = 0; rc == SQLITE_OK && i < w->n_sums; i++)
    if (w->sums[i].dirty)
      rc = summary_write(w, (uint32_t)i, &w->sums[i]);
  return rc;
}

int lm_store_records(lm_writer *w, uint64_t from, size_t n, char *err,
                     size_t errlen) {
  size_t scalars = 0;
  int rc = SQLITE_OK;
  for (uint64_t i = from; i < from + n; i++) {
    const lm_rec *r = &w->ring[i & w->mask];
    if (r->kind == LM_REC_SCALAR) {
      scalars++;
      continue;
    }
    rc = store_one(w, r);
    if (rc != SQLITE_OK) {
      snprintf(err, errlen, "%s", lm_sqlite_errmsg(w->db));
      return rc;
    }
  }
  if (scalars) {
    lm_batch_view v = {w->ring, w->mask, from, from + n};
    sqlite3_stmt *st = w->stmts[ST_SCALARS];
    sqlite3_bind_pointer(st, 1, &v, "lm_batch_view", NULL);
    rc = run_stmt(st);
    for (uint64_t i = from; rc == SQLITE_OK && i < from + n; i++) {
      const lm_rec *r = &w->ring[i & w->mask];
      if (r->kind == LM_REC_SCALAR)
        rc = summary_add(w, r);
    }
    if (rc != SQLITE_OK)
      snprintf(err, errlen, "%s", lm_sqlite_errmsg(w->db));
  }
  return rc;
}

/* -------------------------------------------------------- writer thread */

/* Records a background failure once; later calls on the writer return it.
 * Must hold w->mu. */
static void set_bg_error_locked(lm_writer *w, int rc, const char *what,
                                const char *detail) {
  if (w->bg_error)
    return;
  int code = lm_error_from_sqlite(w->db, rc);
  if (code == LM_OK)
    code = LM_ERR_SQLITE;
  const char *kind = code == LM_ERR_DISK_FULL ? "the disk is full"
                     : code == LM_ERR_IO      ? "an I/O error"
                                              : "an SQLite error";
  snprintf(w->bg_msg, sizeof w->bg_msg,
           "run '%s': %s while %s '%s' (%s); data logged since the last "
           "commit is lost and this writer accepts no more data",
           w->run_name, kind, what, w->path, detail);
  w->bg_error = code;
  pthread_cond_broadcast(&w->space_cond);
  pthread_cond_broadcast(&w->done_cond);
}

static int begin_txn(lm_writer *w) { return run_stmt(w->stmts[ST_BEGIN]); }

/* Commits the open transaction with a fresh heartbeat; on failure rolls
 * back.  Called without the mutex. */
static int commit_txn(lm_writer *w, char *err, size_t errlen) {
  char beat[64];
  snprintf(beat, sizeof beat, "%.6f", lm_now());
  sqlite3_stmt *st = w->stmts[ST_KV];
  sqlite3_bind_text(st, 1, "heartbeat", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, beat, -1, SQLITE_TRANSIENT);
  int rc = summary_flush(w);
  if (rc == SQLITE_OK)
    rc = run_stmt(st);
  if (rc == SQLITE_OK)
    rc = run_stmt(w->stmts[ST_COMMIT]);
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "%s", lm_sqlite_errmsg(w->db));
    if (!sqlite3_get_autocommit(w->db))
      sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
  }
  return rc;
}

static void free_payloads(lm_writer *w, uint64_t from, size_t n,
                          size_t *bytes) {
  size_t total = 0;
  for (uint64_t i = from; i < from + n; i++) {
    lm_rec *r = &w->ring[i & w->mask];
    if (r->kind != LM_REC_SCALAR) {
      total += ((lm_payload *)r->u.payload)->bytes;
      lm_payload_free(r->kind, r->u.payload);
      r->u.payload = NULL;
    }
  }
  *bytes = total;
}

void *lm_writer_thread_main(void *arg) {
  lm_writer *w = arg;
  const uint64_t interval = (uint64_t)w->flush_interval_ms * 1000000u;
  bool txn = false;
  uint64_t txn_start = 0, last_commit = mono_ns();
  char err[256];

  /* A file size limit (ulimit -f) is then the write error this thread
   * reports ("File too large"), as in Python, which ignores SIGXFSZ; by
   * default the signal would end the process.  Blocked in this thread
   * alone. */
  sigset_t xfsz;
  sigemptyset(&xfsz);
  sigaddset(&xfsz, SIGXFSZ);
  pthread_sigmask(SIG_BLOCK, &xfsz, NULL);

  pthread_mutex_lock(&w->mu);
  for (;;) {
    uint64_t now = mono_ns();
    size_t avail = (size_t)(w->head - w->tail);
    bool flush_wanted = w->flush_target > w->committed;
    /* Commit once the queue is drained (light load: records waited at
     * most one timer period to be picked up), or every interval while
     * producers keep the queue busy, or when a flush is waiting. */
    bool commit_due = txn && (avail == 0 || now >= txn_start + interval ||
                              (flush_wanted && w->tail >= w->flush_target));

    if (commit_due) {
      pthread_mutex_unlock(&w->mu);
      int rc = commit_txn(w, err, sizeof err);
      txn = false;
      last_commit = mono_ns();
      pthread_mutex_lock(&w->mu);
      if (rc != SQLITE_OK) {
        set_bg_error_locked(w, rc, "committing to", err);
      } else {
        w->committed = w->tail;
        w->commits++;
        pthread_cond_broadcast(&w->done_cond);
      }
      continue;
    }

    if (avail == 0) {
      if (!txn && flush_wanted) {
        /* Nothing uncommitted: everything processed is on disk (or was
         * dropped after a sticky error, which flushers see). */
        w->committed = w->tail;
        pthread_cond_broadcast(&w->done_cond);
        continue;
      }
      if (w->stopping)
        break;
      if (!txn && !w->bg_error && now >= last_commit + LM_HEARTBEAT_NS) {
        /* Idle: a heartbeat-only commit tells readers we are alive. */
        pthread_mutex_unlock(&w->mu);
        int rc = begin_txn(w);
        pthread_mutex_lock(&w->mu);
        if (rc != SQLITE_OK) {
          set_bg_error_locked(w, rc, "writing", lm_sqlite_errmsg(w->db));
        } else {
          txn = true;
          txn_start = now - interval; /* due at once */
        }
        continue;
      }
      /* Idle: wake every interval to pick up what was logged meanwhile
       * (producers do not signal below a quarter-full queue, so a call
       * never pays for a wake-up). */
      uint64_t deadline = now + interval;
      if (deadline > last_commit + LM_HEARTBEAT_NS)
        deadline = last_commit + LM_HEARTBEAT_NS;
      struct timespec ts = {(time_t)(deadline / 1000000000u),
                            (long)(deadline % 1000000000u)};
      w->writer_waiting = true;
      pthread_cond_timedwait(&w->work_cond, &w->mu, &ts);
      w->writer_waiting = false;
      continue;
    }

    size_t n = avail < LM_CHUNK ? avail : LM_CHUNK;
    uint64_t from = w->tail;
    bool failed = w->bg_error != 0;
    pthread_mutex_unlock(&w->mu);

    int rc = SQLITE_OK;
    if (!failed) {
      if (!txn) {
        rc = begin_txn(w);
        if (rc == SQLITE_OK) {
          txn = true;
          txn_start = mono_ns();
        } else {
          snprintf(err, sizeof err, "%s", lm_sqlite_errmsg(w->db));
        }
      }
      if (rc == SQLITE_OK)
        rc = lm_store_records(w, from, n, err, sizeof err);
      if (rc != SQLITE_OK && txn) {
        sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
        txn = false;
      }
    }
    size_t freed;
    free_payloads(w, from, n, &freed);

    pthread_mutex_lock(&w->mu);
    if (rc != SQLITE_OK)
      set_bg_error_locked(w, rc, "writing", err);
    w->tail += n;
    w->pending_bytes -= freed < w->pending_bytes ? freed : w->pending_bytes;
    if (w->space_waiters)
      pthread_cond_broadcast(&w->space_cond);
  }
  w->thread_exited = true; /* the exit handler waits for this, bounded */
  pthread_cond_broadcast(&w->done_cond);
  pthread_mutex_unlock(&w->mu);
  return NULL;
}
