#!/bin/sh
# shellcheck disable=SC2034,SC2154  # build and c_blocks cross c-blocks.sh's sourcing
# test-readme-examples.sh: the README's C examples compile and run as
# written.  Extracts every ```c block of README.md at test time (so the
# text cannot drift from the library again), wraps each as a function in
# readme-examples.c, which gives the blocks their free variables, builds
# it with plain cc, -Wall -Wextra -Werror and `pkg-config --cflags --libs
# lumen-log` (the build's uninstalled .pc, as after `meson install`;
# c-blocks.sh), runs it and checks the run files it wrote with the sqlite3
# CLI.
#   test-readme-examples.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
. "$src/tests/logging/c-blocks.sh"
run_c_blocks readme readme-examples.c "$src/README.md"
blocks=$c_blocks
[ "$blocks" -ge 6 ] || fail "expected at least 6 \`\`\`c blocks in README.md, found $blocks"

# Block 1: 1,000 scalars, a histogram and an image at step 999, finished.
expect exp1/lr0.1 "records" "SELECT (SELECT count(*) || ' ' || max(step) FROM scalars) || ', ' ||
  (SELECT count(*) || ' ' || max(step) FROM histograms) || ', ' ||
  (SELECT count(*) || ' ' || width || 'x' || height FROM images)" "1000 999, 1 999, 1 28x28"
expect exp1/lr0.1 "status" "SELECT value FROM run WHERE key = 'status'" finished
# The others, in runs/examples: one record of each kind they log.
expect examples "tags" "SELECT group_concat(kind || ' ' || name, ', ') FROM (SELECT kind, name FROM tags ORDER BY kind, name)" \
  "audio audio/output, image episode, mesh mesh/cloud, mesh mesh/icosphere, pr_curve pr/ring"
expect examples "audio clips" "SELECT count(*) || ' ' || group_concat(coalesce(label, '-'), ' | ') FROM audio" \
  "2 - | loss **0.12**"
expect examples "the video" "SELECT frames || ' ' || width || 'x' || height || ' ' || channels || ' ' || fps
  FROM images" "40 64x48 3 15.0"
expect examples "meshes" "SELECT group_concat(n_vertices || ' ' || n_faces, ', ') FROM (SELECT * FROM meshes ORDER BY n_faces)" \
  "2000 0, 42 80"
# num_thresholds 0: TensorBoard's 127, as the block's comment says.
expect examples "the PR curve" "SELECT count(*) || ' ' || num_thresholds FROM pr_curves" "1 127"
expect examples "embedding" "SELECT n || 'x' || d || ' ' || thumb_width || 'x' || thumb_height FROM embeddings" \
  "300x16 16x16"
expect examples "Custom Scalars charts" "SELECT group_concat(category || '/' || title || ' ' || kind, ', ')
  FROM (SELECT * FROM custom_scalar_charts ORDER BY id)" \
  "Overview/Loss multiline, Overview/Val acc margin, default/untitled multiline"
echo "test-readme-examples: ok, $blocks blocks"
