#!/bin/sh
# test-run-format-schema.sh: docs/run-format.md's schema is the one
# lumen-log writes.  Takes every CREATE statement of the document's ```sql
# blocks at test time (so the text cannot drift from the writer), runs
# them into an empty database with the sqlite3 CLI, has WRITER (the
# log-scalars example) write a real run, and compares the two: every
# table with its columns in order (name, type, NOT NULL, default, primary
# key), WITHOUT ROWID, and every index with its columns.  Then the
# file-level facts the document states: user_version 1, the meta keys,
# WAL mode, 16 KiB pages.
#   test-run-format-schema.sh SOURCE_DIR WRITER
set -eu
src=$1
writer=$2
doc="$src/docs/run-format.md"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lumen-schema-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() { echo "test-run-format-schema: FAIL: $*" >&2; exit 1; }

# The CREATE statements of the top-level ```sql blocks, each from its
# CREATE line to the line that ends it with ';' (a trailing -- comment
# allowed).
awk '
  /^```sql[ \t]*$/ { inside = 1; next }
  inside && /^```/ { inside = 0; next }
  inside && /^CREATE / { stmt = 1 }
  inside && stmt { print; if ($0 ~ /;[ \t]*(--.*)?$/) stmt = 0 }' "$doc" >"$tmp/doc.sql"
n=$(grep -c '^CREATE ' "$tmp/doc.sql") || true
[ "$n" -ge 30 ] || fail "expected at least 30 CREATE statements in docs/run-format.md, found $n"
sqlite3 "$tmp/doc.db" <"$tmp/doc.sql" || fail "docs/run-format.md's CREATE statements do not run"

"$writer" --logdir "$tmp/runs" --run schema --steps 3 >/dev/null || fail "$writer did not write a run"
run="file:$tmp/runs/schema/run.lumen?mode=ro"

# One line per column and per index, in a form both files can be diffed by.
layout_sql="
SELECT line FROM (
  SELECT 'table ' || m.name || (CASE WHEN m.sql LIKE '%WITHOUT ROWID' THEN ' WITHOUT ROWID' ELSE '' END)
         || ': ' || p.cid || ' ' || p.name || ' ' || p.type
         || (CASE WHEN p.\"notnull\" THEN ' NOT NULL' ELSE '' END)
         || coalesce(' DEFAULT ' || p.dflt_value, '')
         || (CASE WHEN p.pk THEN ' pk' || p.pk ELSE '' END) AS line, 0 AS k, m.name AS t, p.cid AS c
  FROM sqlite_master m JOIN pragma_table_info(m.name) p
  WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
  UNION ALL
  SELECT 'index ' || m.name || ' ON ' || m.tbl_name || ' ('
         || (SELECT group_concat(name, ', ') FROM (SELECT name FROM pragma_index_info(m.name) ORDER BY seqno))
         || ')', 1, m.name, 0
  FROM sqlite_master m WHERE m.type = 'index' AND m.sql IS NOT NULL)
ORDER BY k, t, c;"
sqlite3 "$tmp/doc.db" "$layout_sql" >"$tmp/doc.layout"
sqlite3 "$run" "$layout_sql" >"$tmp/run.layout"
if ! diff -u "$tmp/doc.layout" "$tmp/run.layout" >"$tmp/diff"; then
  cat "$tmp/diff" >&2
  fail "docs/run-format.md's schema (-) differs from the run file lumen-log writes (+)"
fi

expect() { # expect WHAT SQL VALUE
  got=$(sqlite3 "$run" "$2")
  [ "$got" = "$3" ] || fail "$1: docs/run-format.md says '$3', the run file has '$got'"
}
expect "PRAGMA user_version" "PRAGMA user_version" 1
expect "PRAGMA page_size" "PRAGMA page_size" 16384
expect "PRAGMA journal_mode" "PRAGMA journal_mode" wal
expect "meta keys" "SELECT group_concat(key, ' ') FROM (SELECT key FROM meta ORDER BY key)" \
  "created producer run_name schema_version"
expect "meta schema_version, run_name" \
  "SELECT group_concat(value, ' ') FROM (SELECT value FROM meta WHERE key IN ('schema_version', 'run_name') ORDER BY key)" \
  "schema 1"
expect "meta producer" "SELECT value LIKE 'lumen-log %' FROM meta WHERE key = 'producer'" 1
expect "meta created" "SELECT value GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z'
  FROM meta WHERE key = 'created'" 1
expect "run status" "SELECT value FROM run WHERE key = 'status'" finished
echo "test-run-format-schema: ok, $n CREATE statements, $(wc -l <"$tmp/run.layout") columns and indexes"
