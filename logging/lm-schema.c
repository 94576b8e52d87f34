/* lm-schema.c: the run-file schema (version 1) and connection settings.
 *
 * What it is for: the single source of the CREATE statements that
 * docs/run-format.md documents, and the PRAGMAs a writer connection uses.
 * The benchmark reuses both so its bare-INSERT baseline writes exactly
 * the same layout.  Not for: reading, migrations (there is one version).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lm-log-private.h"

const char lm_schema_sql[] =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
    "CREATE TABLE run (key TEXT PRIMARY KEY, value TEXT);\n"
    "CREATE TABLE tags (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL,\n"
    "  UNIQUE (name, kind));\n"
    "CREATE TABLE scalars (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  tag_id INTEGER NOT NULL REFERENCES tags(id),\n"
    "  step INTEGER NOT NULL,\n"
    "  wall_time REAL NOT NULL,\n"
    "  value REAL);\n"
    "CREATE INDEX scalars_tag_step ON scalars (tag_id, step);\n"
    LM_SCALAR_SUMMARIES_SQL
    "CREATE TABLE histograms (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  tag_id INTEGER NOT NULL REFERENCES tags(id),\n"
    "  step INTEGER NOT NULL,\n"
    "  wall_time REAL NOT NULL,\n"
    "  count REAL NOT NULL,\n"
    "  min REAL, max REAL, sum REAL, sum_squares REAL,\n"
    "  nan_count INTEGER NOT NULL DEFAULT 0,\n"
    "  bucket_count INTEGER NOT NULL,\n"
    "  edges BLOB NOT NULL,\n"
    "  counts BLOB NOT NULL);\n"
    "CREATE INDEX histograms_tag_step ON histograms (tag_id, step);\n"
    "CREATE TABLE images (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  tag_id INTEGER NOT NULL REFERENCES tags(id),\n"
    "  step INTEGER NOT NULL,\n"
    "  wall_time REAL NOT NULL,\n"
    "  width INTEGER NOT NULL, height INTEGER NOT NULL,\n"
    "  channels INTEGER NOT NULL,\n"
    "  png BLOB NOT NULL,\n"
    "  caption TEXT,\n"
    "  grid TEXT,\n"
    "  frames INTEGER, fps REAL,\n"
    "  boxes TEXT);\n"
    "CREATE INDEX images_tag_step ON images (tag_id, step);\n"
    "CREATE TABLE texts (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  tag_id INTEGER NOT NULL REFERENCES tags(id),\n"
    "  step INTEGER NOT NULL,\n"
    "  wall_time REAL NOT NULL,\n"
    "  value TEXT NOT NULL);\n"
    "CREATE INDEX texts_tag_step ON texts (tag_id, step);\n"
    LM_PR_CURVES_SQL
    LM_CUSTOM_SCALARS_SQL
    LM_AUDIO_SQL
    LM_MESHES_SQL
    "CREATE TABLE hparams (\n"
    "  name TEXT PRIMARY KEY,\n"
    "  type TEXT NOT NULL,\n"
    "  value);\n"
    "CREATE TABLE hparam_metrics (tag TEXT PRIMARY KEY);\n"
    LM_HPARAM_GROUPS_SQL
    LM_HPARAM_LABELS_SQL
    LM_HPARAM_COLUMNS_SQL
    "CREATE TABLE graphs (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  step INTEGER NOT NULL,\n"
    "  wall_time REAL NOT NULL);\n"
    "CREATE TABLE graph_nodes (\n"
    "  graph_id INTEGER NOT NULL REFERENCES graphs(id),\n"
    "  node_id INTEGER NOT NULL,\n"
    "  op TEXT NOT NULL,\n"
    "  name TEXT,\n"
    "  module TEXT,\n"
    "  shape TEXT,\n"
    "  dtype TEXT, device TEXT,\n"
    "  attrs TEXT,\n"
    "  PRIMARY KEY (graph_id, node_id));\n"
    "CREATE TABLE graph_edges (\n"
    "  graph_id INTEGER NOT NULL REFERENCES graphs(id),\n"
    "  src INTEGER NOT NULL,\n"
    "  dst INTEGER NOT NULL,\n"
    "  dst_slot INTEGER NOT NULL);\n"
    "CREATE INDEX graph_edges_graph ON graph_edges (graph_id, dst, dst_slot);\n"
    "CREATE TABLE traces (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  graph_id INTEGER REFERENCES graphs(id),\n"
    "  step INTEGER NOT NULL,\n"
    "  wall_time REAL NOT NULL,\n"
    "  dur_ns INTEGER);\n"
    "CREATE INDEX traces_graph_step ON traces (graph_id, step);\n"
    "CREATE TABLE trace_events (\n"
    "  trace_id INTEGER NOT NULL REFERENCES traces(id),\n"
    "  seq INTEGER NOT NULL,\n"
    "  node_id INTEGER NOT NULL,\n"
    "  phase TEXT NOT NULL,\n"
    "  shape TEXT,\n"
    "  numel INTEGER NOT NULL,\n"
    "  min REAL, max REAL, mean REAL, std REAL,\n"
    "  nan_count INTEGER NOT NULL, inf_count INTEGER NOT NULL,\n"
    "  zero_count INTEGER NOT NULL,\n"
    "  vals BLOB,\n"
    "  start_ns INTEGER, dur_ns INTEGER, input_shapes TEXT,\n"
    "  alloc_bytes INTEGER, free_bytes INTEGER, mem_after INTEGER,\n"
    "  mem_peak INTEGER,\n"
    "  PRIMARY KEY (trace_id, seq));\n";

/* Columns added to schema 1 after its first files were written: a writer
 * reopening an older file adds those it lacks (lm_schema_add_columns). */
static const struct {
  const char *table, *column, *type;
} added_columns[] = {
    {"traces", "dur_ns", "INTEGER"},
    {"trace_events", "start_ns", "INTEGER"},
    {"trace_events", "dur_ns", "INTEGER"},
    {"trace_events", "input_shapes", "TEXT"},
    {"trace_events", "alloc_bytes", "INTEGER"},
    {"trace_events", "free_bytes", "INTEGER"},
    {"trace_events", "mem_after", "INTEGER"},
    {"trace_events", "mem_peak", "INTEGER"},
    {"images", "frames", "INTEGER"},
    {"images", "fps", "REAL"},
    {"images", "boxes", "TEXT"},
};

static bool has_column(sqlite3 *db, const char *table, const char *column,
                       int *rc) {
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name = ?1",
           table);
  sqlite3_stmt *st = NULL;
  bool found = false;
  *rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (*rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, column, -1, SQLITE_STATIC);
    *rc = sqlite3_step(st);
    found = *rc == SQLITE_ROW;
    *rc = *rc == SQLITE_ROW || *rc == SQLITE_DONE ? SQLITE_OK : *rc;
  }
  sqlite3_finalize(st);
  return found;
}

int lm_schema_add_columns(sqlite3 *db, char *err, size_t errlen) {
  for (size_t i = 0; i < sizeof added_columns / sizeof added_columns[0]; i++) {
    int rc;
    bool have = has_column(db, added_columns[i].table, added_columns[i].column, &rc);
    char sql[160];
    snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s %s",
             added_columns[i].table, added_columns[i].column,
             added_columns[i].type);
    if (rc == SQLITE_OK && !have)
      rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
      snprintf(err, errlen, "%s: %s", sql, lm_sqlite_errmsg(db));
      return rc;
    }
  }
  return SQLITE_OK;
}

/* Page size 16 KiB: appends to the scalar table and its index split pages
 * a quarter as often as with 4 KiB pages (about 10% more rows/s), and
 * PNG blobs need fewer overflow pages.  It only takes effect on a new
 * file, which is when it is set (before journal_mode=WAL).
 * synchronous=NORMAL in WAL mode never corrupts the file and keeps every
 * commit through a process crash (SIGKILL); only a power loss may drop
 * the last commits. */
int lm_schema_configure(sqlite3 *db, char *err, size_t errlen) {
  static const char *const pragmas[] = {
      "PRAGMA page_size = 16384",
      "PRAGMA journal_mode = WAL",
      "PRAGMA synchronous = NORMAL",
      "PRAGMA cache_size = -16384",
      "PRAGMA journal_size_limit = 67108864",
      "PRAGMA foreign_keys = OFF",
  };
  sqlite3_busy_timeout(db, 10000);
  for (size_t i = 0; i < sizeof pragmas / sizeof pragmas[0]; i++) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, pragmas[i], -1, &st, NULL);
    if (rc == SQLITE_OK) {
      rc = sqlite3_step(st);
      if (rc == SQLITE_ROW && i == 1) {
        const char *mode = (const char *)sqlite3_column_text(st, 0);
        if (!mode || strcmp(mode, "wal") != 0) {
          snprintf(err, errlen, "cannot switch to WAL mode (got '%s')",
                   mode ? mode : "?");
          sqlite3_finalize(st);
          return SQLITE_ERROR;
        }
      }
      if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) {
      snprintf(err, errlen, "%s: %s", pragmas[i], lm_sqlite_errmsg(db));
      sqlite3_finalize(st);
      return rc;
    }
    sqlite3_finalize(st);
  }
  return SQLITE_OK;
}
