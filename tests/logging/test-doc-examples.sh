#!/bin/sh
# shellcheck disable=SC2034,SC2154  # build and c_blocks cross c-blocks.sh's sourcing
# test-doc-examples.sh: the C examples of docs/run-format.md and
# docs/tensorboard.md compile and run as written.  Extracts every ```c
# block of the two documents at test time (c-blocks.sh), wraps each as a
# function in doc-examples.c, which gives the blocks their free variables,
# builds it with plain cc, -Werror and the build's lumen-log.pc, runs it,
# and checks the run files it wrote against what the documents say of
# them, with the sqlite3 CLI; then runs run-format.md's sqlite3 commands
# on them.
#   test-doc-examples.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
. "$src/tests/logging/c-blocks.sh"
run_c_blocks doc doc-examples.c \
  "$src/docs/run-format.md" "$src/docs/tensorboard.md"
[ "$c_blocks" -ge 3 ] || fail "expected at least 3 \`\`\`c blocks in docs/run-format.md and docs/tensorboard.md, found $c_blocks"

# run-format.md's first block: one record of each kind it logs, finished.
expect exp1/lr0.1 "tags" "SELECT group_concat(kind || ' ' || name, ', ') FROM (SELECT kind, name FROM tags ORDER BY kind, name)" \
  "audio speech, histogram fc1/weight, image samples, mesh cloud, pr_curve pr/cat, scalar train/loss"
expect exp1/lr0.1 "the embedding" "SELECT tag || ' ' || n || 'x' || d FROM embeddings" "features 300x16"
expect exp1/lr0.1 "the Custom Scalars chart" "SELECT category || '/' || title || ' ' || kind FROM custom_scalar_charts" \
  "Overview/Loss multiline"
expect exp1/lr0.1 "status" "SELECT value FROM run WHERE key = 'status'" finished
# Its custom scalars block, into runs/examples.
expect examples "Custom Scalars charts" "SELECT group_concat(category || '/' || title || ' ' || kind || ' ' || tags, ', ')
  FROM (SELECT c.*, (SELECT group_concat(tag, '|') FROM custom_scalar_tags WHERE chart_id = c.id) AS tags
        FROM custom_scalar_charts c ORDER BY id)" \
  "Overview/Loss multiline train/loss\$|val/loss\$, Overview/Val accuracy margin val/acc|val/acc_lo|val/acc_hi, default/untitled multiline train/acc\$|val/acc\$, Bands/v margin v|lo|hi"
# tensorboard.md's port of a SummaryWriter script: the rows its sqlite3
# block shows.
expect port "scalars" "SELECT group_concat(name || '|' || c || '|' || lo || '|' || hi, ' ') FROM
  (SELECT t.name, count(*) AS c, min(step) AS lo, max(step) AS hi FROM scalars s
   JOIN tags t ON t.id = s.tag_id GROUP BY t.name ORDER BY t.name)" "train/loss|100|0|99 val/loss|10|0|90"
expect port "histograms" "SELECT count(*) || '|' || min(step) || '|' || max(step) FROM histograms" "10|0|90"
# run-format.md's sqlite3 commands (its ```sh blocks) run without an SQL
# error on the run its first block wrote, so a query naming a column or a
# table the file does not have fails here.
awk '/^```sh[ \t]*$/ { inside = 1; next } inside && /^```/ { inside = 0; next } inside { print }' \
  "$src/docs/run-format.md" | sed 's#runs/demo/run\.lumen#runs/exp1/lr0.1/run.lumen#' >"$tmp/queries.sh"
queries=$(grep -c '^sqlite3 ' "$tmp/queries.sh") || true
[ "$queries" -ge 15 ] || fail "expected at least 15 sqlite3 commands in docs/run-format.md, found $queries"
(cd "$tmp" && sh -e queries.sh >/dev/null) || fail "a sqlite3 command of docs/run-format.md failed (above)"
echo "test-doc-examples: ok, $c_blocks blocks, $queries sqlite3 commands"
