#!/bin/sh
# test-install.sh: proves the installed libraries are usable from outside
# the tree.  Installs the build into a temporary DESTDIR, then compiles
# examples/log-scalars.c, examples/log-classifier.c and
# examples/tensorboard-port.c with plain `cc` and
# the *installed* lumen-log.pc (pkg-config), runs them and checks their run
# files with the sqlite3 CLI; does
# the same for a small engine program (lumen-engine.pc) and
# examples/trace-capture.c (lumen-train-log.pc), and checks that every
# installed library has a .pc and every installed header compiles with one.
#   test-install.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lumen-install-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() { echo "test-install: FAIL: $*" >&2; exit 1; }

# tools/test.sh builds everything before `meson test`, so installing needs
# no rebuild.  When only some suites were built (meson test --suite
# logging), build the rest first; this test is not parallel, so no other
# test runs meanwhile.
install() {
  meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/dest" \
    >"$tmp/install.log" 2>&1
}
if ! install; then
  echo "test-install: not everything is built; building first" >&2
  meson compile -C "$build" >"$tmp/compile.log" 2>&1 ||
    { tail -n 30 "$tmp/compile.log" >&2; fail "meson compile"; }
  install || { cat "$tmp/install.log" >&2; fail "meson install"; }
fi

pc=$(find "$tmp/dest" -name lumen-log.pc | head -n 1)
[ -n "$pc" ] || fail "no lumen-log.pc installed"
prefix=$(sed -n 's/^prefix=//p' "$pc")
header=$(find "$tmp/dest" -path '*/include/lumen/lumen-log.h' | head -n 1)
[ -n "$header" ] || fail "lumen-log.h not installed under include/lumen"
find "$tmp/dest" -name 'liblumen-log.a' | grep -q . || fail "liblumen-log.a not installed"

# Point pkg-config at the installed .pc, its prefix moved into DESTDIR
# (what installing to that prefix for real would give; --define-variable
# would also move the prefix of sqlite3.pc and libpng.pc).
mkdir "$tmp/pc"
sed "s|^prefix=.*|prefix=$tmp/dest$prefix|" "$pc" >"$tmp/pc/lumen-log.pc"
export PKG_CONFIG_PATH="$tmp/pc"
cflags=$(pkg-config --cflags lumen-log) || fail "pkg-config --cflags"
libs=$(pkg-config --libs lumen-log) || fail "pkg-config --libs"
echo "cflags: $cflags"
echo "libs:   $libs"
case "$cflags" in *"$tmp/dest"*) ;; *) fail "cflags do not point into the install: $cflags" ;; esac

# A sanitizer build installs an instrumented library; its users must
# link with the same -fsanitize flags.
. "$src/tests/logging/sanitizer-flags.sh"
sanflags=$(sanitizer_flags "$build")

# Build the example exactly as a user would: only the public header.
cc -std=gnu11 -Wall -Wextra -Werror $sanflags -o "$tmp/log-scalars" \
  "$src/examples/log-scalars.c" $cflags $libs -lm || fail "compiling the example"
# Both include spellings work.
printf '#include <lumen/lumen-log.h>\nint main(void){lm_writer_options o; lm_writer_options_init(&o); return 0;}\n' >"$tmp/spell.c"
cc -std=gnu11 $sanflags -o "$tmp/spell" "$tmp/spell.c" $cflags $libs ||
  fail "#include <lumen/lumen-log.h>"

out=$("$tmp/log-scalars" --logdir "$tmp/runs" --run demo --steps 200) || fail "running the example"
echo "$out"
file="$tmp/runs/demo/run.lumen"
[ -f "$file" ] || fail "no run file at $file"
echo "$out" | grep -q "wrote $file" || fail "example did not say where the file is"

q() { sqlite3 "file:$file?mode=ro" "$1"; }
[ "$(q 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"
[ "$(q 'SELECT count(*) FROM scalars')" = 600 ] || fail "expected 600 scalars, got $(q 'SELECT count(*) FROM scalars')"
[ "$(q "SELECT count(*) FROM tags WHERE kind = 'scalar'")" = 3 ] || fail "expected 3 scalar tags"
[ "$(q 'SELECT count(*) FROM histograms')" = 3 ] || fail "expected 3 histograms"
[ "$(q 'SELECT count(*) FROM images')" = 2 ] || fail "expected 2 images"
[ "$(q "SELECT value FROM run WHERE key = 'status'")" = finished ] || fail "status not finished"
[ "$(q "SELECT hex(substr(png, 1, 8)) FROM images LIMIT 1")" = 89504E470D0A1A0A ] || fail "image is not a PNG"

# examples/log-classifier.c, built the same way: a PR curve per class
# each epoch and an embedding with labels and thumbnails.
cc -std=gnu11 -Wall -Wextra -Werror $sanflags -o "$tmp/log-classifier" \
  "$src/examples/log-classifier.c" $cflags $libs -lm || fail "compiling examples/log-classifier.c"
out=$("$tmp/log-classifier" --logdir "$tmp/runs" --run classifier --epochs 4) ||
  fail "running log-classifier"
echo "$out"
file="$tmp/runs/classifier/run.lumen"
echo "$out" | grep -q "wrote $file" || fail "log-classifier did not say where the file is"
expect() { # expect WHAT SQL VALUE
  got=$(q "$2")
  [ "$got" = "$3" ] || fail "${file#$tmp/runs/}: expected $1 $3, got $got"
}
expect "PR curve tags" "SELECT group_concat(name, ' ') FROM (SELECT name FROM tags WHERE kind = 'pr_curve' ORDER BY id)" \
  "pr/ring pr/square pr/cross"
expect "PR curves (3 classes x 4 epochs, 127 thresholds)" \
  "SELECT count(*), min(step), max(step), min(num_thresholds), max(num_thresholds) FROM pr_curves" "12|1|4|127|127"
expect "points" "SELECT count(*) FROM pr_curve_points" 1524
# At threshold 0 every point is predicted positive: recall 1, precision
# the class's share of the 300 test points (100 each), TP + FN 100.
expect "threshold-0 rows" "SELECT count(*) FROM pr_curve_points WHERE i = 0 AND recall = 1
  AND abs(precision - 1.0 / 3) < 1e-9 AND tp = 100 AND fp = 200 AND tn = 0 AND fn = 0" 12
expect "the embedding" "SELECT tag, step, n, d, thumb_width, thumb_height, thumb_channels, sprite_cols,
  hex(substr(sprite, 1, 8)) FROM embeddings" "test_points|4|300|16|16|16|1|18|89504E470D0A1A0A"
expect "labels" "SELECT group_concat(label || ' ' || c, ', ') FROM (SELECT label, count(*) AS c
  FROM embedding_metadata GROUP BY label ORDER BY label)" "cross 100, ring 100, square 100"
expect "metadata columns" "SELECT group_concat(name, ' ') FROM (SELECT name FROM embedding_columns ORDER BY col)" \
  "label predicted p_true"
expect "values (2 columns x 300 points, p_true a probability)" "SELECT count(*), sum(col = 2 AND CAST(value AS REAL)
  BETWEEN 0 AND 1) FROM embedding_values" "600|300"
expect "status" "SELECT value FROM run WHERE key = 'status'" finished

# examples/tensorboard-port.c (docs/tensorboard.md's SummaryWriter script,
# ported), built the same way: a scalar per step, val/loss and a histogram
# every 10 steps, a Custom Scalars chart over both losses.
cc -std=gnu11 -Wall -Wextra -Werror $sanflags -o "$tmp/tensorboard-port" \
  "$src/examples/tensorboard-port.c" $cflags $libs -lm || fail "compiling examples/tensorboard-port.c"
out=$("$tmp/tensorboard-port" --logdir "$tmp/runs" --run port) || fail "running tensorboard-port"
echo "$out"
file="$tmp/runs/port/run.lumen"
echo "$out" | grep -q "wrote $file" || fail "tensorboard-port did not say where the file is"
expect "scalars per tag" "SELECT group_concat(name || ' ' || c || ' ' || lo || '-' || hi, ', ') FROM
  (SELECT t.name, count(*) AS c, min(step) AS lo, max(step) AS hi FROM scalars s
   JOIN tags t ON t.id = s.tag_id GROUP BY t.name ORDER BY t.name)" "train/loss 100 0-99, val/loss 10 0-90"
expect "histograms" "SELECT count(*), min(step), max(step) FROM histograms" "10|0|90"
expect "the Custom Scalars chart" "SELECT c.category, c.title, c.kind, group_concat(t.tag, ' ')
  FROM custom_scalar_charts c JOIN custom_scalar_tags t ON t.chart_id = c.id GROUP BY c.id ORDER BY c.id" \
  'Training|Loss|multiline|train/loss$ val/loss$'
expect "status" "SELECT value FROM run WHERE key = 'status'" finished

# examples/log-audio.c: a target chord once and the "model's" output every
# 10 steps, 1 s at 16 kHz each, as 16-bit PCM WAVs with Markdown labels.
cc -std=gnu11 -Wall -Wextra -Werror $sanflags -o "$tmp/log-audio" \
  "$src/examples/log-audio.c" $cflags $libs -lm || fail "compiling examples/log-audio.c"
out=$("$tmp/log-audio" --logdir "$tmp/runs" --run audio) || fail "running log-audio"
echo "$out"
file="$tmp/runs/audio/run.lumen"
echo "$out" | grep -q "wrote $file: 100 scalars, 11 audio clips" || fail "log-audio did not say what it wrote"
expect "audio clips per tag" "SELECT group_concat(name || ' ' || c || ' ' || lo || '-' || hi, ', ') FROM
  (SELECT t.name, count(*) AS c, min(step) AS lo, max(step) AS hi FROM audio a
   JOIN tags t ON t.id = a.tag_id AND t.kind = 'audio' GROUP BY t.name ORDER BY t.name)" \
  "audio/output 10 0-90, audio/target 1 0-0"
# 16000 frames of 16-bit mono: a 44-byte header and 32000 bytes of samples.
expect "the WAVs" "SELECT min(sample_rate), max(sample_rate), min(channels), max(frames),
  min(length(wav)), max(length(wav)), count(DISTINCT hex(substr(wav, 1, 12))) FROM audio" \
  "16000.0|16000.0|1|16000|32044|32044|1"
expect "a label" "SELECT label FROM audio a JOIN tags t ON t.id = a.tag_id WHERE t.name = 'audio/target'" \
  "**Target**: A major (440, 554 and 659 Hz)"
expect "status" "SELECT value FROM run WHERE key = 'status'" finished

# examples/log-mesh.c: a sphere morphing into a torus every 10 steps (2,000
# points coloured by height, a config) and once an icosphere with faces.
cc -std=gnu11 -Wall -Wextra -Werror $sanflags -o "$tmp/log-mesh" \
  "$src/examples/log-mesh.c" $cflags $libs -lm || fail "compiling examples/log-mesh.c"
out=$("$tmp/log-mesh" --logdir "$tmp/runs" --run mesh) || fail "running log-mesh"
echo "$out"
file="$tmp/runs/mesh/run.lumen"
echo "$out" | grep -q "wrote $file: 100 scalars, 10 point clouds of 2000 points, 1 mesh of 42 vertices and 80 triangles" ||
  fail "log-mesh did not say what it wrote"
expect "meshes per tag" "SELECT group_concat(name || ' ' || c || ' ' || lo || '-' || hi, ', ') FROM
  (SELECT t.name, count(*) AS c, min(step) AS lo, max(step) AS hi FROM meshes m
   JOIN tags t ON t.id = m.tag_id AND t.kind = 'mesh' GROUP BY t.name ORDER BY t.name)" \
  "mesh/cloud 10 0-90, mesh/icosphere 1 0-0"
# xyz float32 and RGB bytes per point; the clouds have no faces
expect "the clouds" "SELECT min(n_vertices), max(n_faces), min(length(vertices)), min(length(colors)),
  count(faces), count(DISTINCT config) FROM meshes m JOIN tags t ON t.id = m.tag_id WHERE t.name = 'mesh/cloud'" \
  "2000|0|24000|6000|0|1"
expect "the icosphere" "SELECT n_vertices, n_faces, length(vertices), length(colors), length(faces),
  config IS NULL FROM meshes m JOIN tags t ON t.id = m.tag_id WHERE t.name = 'mesh/icosphere'" \
  "42|80|504|126|960|1"
expect "a config" "SELECT DISTINCT config FROM meshes WHERE config IS NOT NULL" \
  '{"material":{"cls":"PointsMaterial","size":0.03},"camera":{"cls":"PerspectiveCamera","fov":60}}'
expect "status" "SELECT value FROM run WHERE key = 'status'" finished

# examples/log-video.c: an episode every 100 steps, 40 frames of 64x48 RGB at
# 15 fps each, as animated PNGs (signature, IHDR, then acTL), and the return.
cc -std=gnu11 -Wall -Wextra -Werror $sanflags -o "$tmp/log-video" \
  "$src/examples/log-video.c" $cflags $libs -lm || fail "compiling examples/log-video.c"
out=$("$tmp/log-video" --logdir "$tmp/runs" --run video) || fail "running log-video"
echo "$out"
file="$tmp/runs/video/run.lumen"
echo "$out" | grep -q "wrote $file: 5 videos of 40 frames (64x48) at 15 fps" || fail "log-video did not say what it wrote"
expect "videos" "SELECT count(*), min(step), max(step), min(frames), max(frames), min(fps), max(fps),
  min(width), min(height), min(channels) FROM images i JOIN tags t ON t.id = i.tag_id AND
  t.name = 'episode' AND t.kind = 'image'" "5|0|400|40|40|15.0|15.0|64|48|3"
expect "an animated PNG" "SELECT DISTINCT hex(substr(png, 1, 8)) || ' ' || substr(png, 38, 4) ||
  ' ' || hex(substr(png, 42, 8)) FROM images WHERE frames IS NOT NULL" "89504E470D0A1A0A acTL 0000002800000000"
expect "last frames with boxes" "SELECT count(*), min(width), min(frames IS NULL), min(json_array_length(boxes)),
  min(boxes->>'\$[0][4]'), min(boxes->>'\$[1][4]') FROM images i JOIN tags t ON t.id = i.tag_id
  AND t.name = 'episode/last'" "5|64|1|2|ball|paddle"
expect "the returns" "SELECT count(*) FROM scalars s JOIN tags t ON t.id = s.tag_id
  WHERE t.name = 'episode/return'" 5
expect "status" "SELECT value FROM run WHERE key = 'status'" finished

# The engine is usable from outside the tree too: lumen-engine.pc and the
# installed headers build a small PyTorch-style training loop that must
# bring its loss down.
epc=$(find "$tmp/dest" -name lumen-engine.pc | head -n 1)
[ -n "$epc" ] || fail "no lumen-engine.pc installed"
eprefix=$(sed -n 's/^prefix=//p' "$epc")
sed "s|^prefix=.*|prefix=$tmp/dest$eprefix|" "$epc" >"$tmp/pc/lumen-engine.pc"
cat >"$tmp/fit.c" <<'PROG'
#include <lumen-nn.h>
#include <stdio.h>
int main(void) {
  lm_manual_seed(1);
  lm_module *model = LM_SEQUENTIAL(lm_nn_linear(4, 16), lm_nn_relu(), lm_nn_linear(16, 1));
  lm_optimizer *opt = lm_optim_adam(model, NULL);
  lm_tensor *x = lm_randn(LM_SHAPE(64, 4));
  lm_tensor *y = lm_sum_dim(x, 1, true);
  float first = 0, last = 0;
  for (int step = 0; step < 300; step++) {
    lm_scope_begin();
    lm_optimizer_zero_grad(opt);
    lm_tensor *loss = lm_mse_loss(lm_module_forward(model, x), y);
    lm_backward(loss, NULL, false);
    lm_optimizer_step(opt);
    if (step == 0) first = lm_item(loss);
    last = lm_item(loss);
    lm_scope_end();
  }
  printf("loss %.4f -> %.4f\n", first, last);
  lm_tensor_release(x);
  lm_tensor_release(y);
  lm_optimizer_free(opt);
  lm_module_free(model);
  return last < 0.1f * first ? 0 : 1;
}
PROG
ecflags=$(pkg-config --cflags lumen-engine) || fail "pkg-config --cflags lumen-engine"
elibs=$(pkg-config --libs lumen-engine) || fail "pkg-config --libs lumen-engine"
echo "engine cflags: $ecflags"
echo "engine libs:   $elibs"
cc -std=gnu11 -Wall -Wextra -Werror $sanflags -o "$tmp/fit" "$tmp/fit.c" $ecflags $elibs ||
  fail "compiling a program against lumen-engine.pc"
"$tmp/fit" || fail "the engine program's loss did not fall"

# Every installed library has its .pc (liblumen-X.a <-> lumen-X.pc), each
# moved into DESTDIR as above; a .pc requiring another finds it there.
for pcf in $(find "$tmp/dest" -name 'lumen*.pc'); do
  p=$(sed -n 's/^prefix=//p' "$pcf")
  sed "s|^prefix=.*|prefix=$tmp/dest$p|" "$pcf" >"$tmp/pc/${pcf##*/}"
done
for lib in $(find "$tmp/dest" -name 'liblumen*.a'); do
  name=${lib##*/lib}
  name=${name%.a}
  [ -f "$tmp/pc/$name.pc" ] || fail "$lib is installed without a $name.pc"
  pkg-config --exists "$name" || fail "pkg-config cannot use $name.pc: $(pkg-config --print-errors --exists "$name" 2>&1)"
done

# Every installed header compiles on its own with the flags of the package
# it belongs to (a header no package claims fails: give it one here and in
# its meson.build).
for h in $(find "$tmp/dest" -path '*/include/lumen/*.h' | sort); do
  base=${h##*/}
  case "$base" in
    lumen-log.h) owner=lumen-log ;;
    lm-train-*.h) owner=lumen-train-log ;;
    lumen-engine.h|lumen-nn.h|lumen-train.h|lumen-trace.h|lumen-cuda.h) owner=lumen-engine ;;
    *) fail "installed header $base belongs to no pkg-config package (tests/logging/test-install.sh)" ;;
  esac
  printf '#include <%s>\nint main(void) { return 0; }\n' "$base" >"$tmp/hdr.c"
  cc -std=gnu11 -Wall -Wextra -Werror -c -o "$tmp/hdr.o" "$tmp/hdr.c" $(pkg-config --cflags "$owner") ||
    fail "$base does not compile with pkg-config --cflags $owner"
done

# examples/trace-capture.c (engine + logging + the lumen-train-log glue),
# built as docs/traces.md says: pkg-config lumen-train-log alone.
tcflags=$(pkg-config --cflags lumen-train-log) || fail "pkg-config --cflags lumen-train-log"
tlibs=$(pkg-config --libs lumen-train-log) || fail "pkg-config --libs lumen-train-log"
echo "train-log cflags: $tcflags"
echo "train-log libs:   $tlibs"
cc -std=gnu11 -Wall -Wextra -Werror $sanflags -o "$tmp/trace-capture" "$src/examples/trace-capture.c" \
  $tcflags $tlibs || fail "compiling examples/trace-capture.c against lumen-train-log.pc"
"$tmp/trace-capture" "$tmp/runs" 0 || fail "running trace-capture"
tfile="$tmp/runs/trace-capture/run.lumen"
[ "$(sqlite3 "file:$tfile?mode=ro" 'SELECT count(*) FROM traces')" = 2 ] ||
  fail "expected 2 traces in $tfile, got $(sqlite3 "file:$tfile?mode=ro" 'SELECT count(*) FROM traces')"
echo "test-install: ok"
