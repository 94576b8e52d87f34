#!/bin/sh
# run-emu.sh: build the engine with its CUDA backend on the CUDA emulator
# (lm-cuda-emu.hpp) and run the GPU test programs against it, on a machine
# without a GPU. Development tool: it checks the backend's logic (indexing,
# reductions, the row-major -> cuBLAS mapping, allocator, dispatch, host code
# never touching device memory, no out-of-bounds access) and the tests
# themselves; only a real GPU (tests/gpu/run-all.sh) checks numerics and speed.
#
# Usage: tests/gpu/emu/run-emu.sh [MESON_BUILD_DIR]   (default build-cuda)
# The build dir must be configured (any -Dcuda setting): its introspection
# gives the engine's source list. Output goes to MESON_BUILD_DIR/cuda-emu/.
set -eu
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=${1:-build-cuda}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
OUT=$BUILD/cuda-emu
EMU=$SRC/tests/gpu/emu
mkdir -p "$OUT/obj"

sources=$(cd "$BUILD" && meson introspect --targets | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if t["name"] == "lumen-engine":
        for s in t["target_sources"]:
            for f in s["sources"]:
                print(f)
' | sort -u)

CFLAGS="-std=gnu11 -O1 -g -Wall -Wextra -Wno-unused-parameter -fno-strict-aliasing -pthread \
  -DLM_ENGINE_INTERNAL -DLM_HAVE_CUDA_BACKEND=1 -I$SRC/engine $(pkg-config --cflags openblas 2>/dev/null || true)"
CXXFLAGS="-std=c++17 -O1 -g -Wall -Wextra -Wno-unused-parameter -Wno-unknown-pragmas -pthread \
  -DLM_ENGINE_INTERNAL -I$EMU/include -I$SRC/engine -I$SRC/engine/cuda"

objs=""
compile() { # src obj compiler flags...
  src=$1 obj=$2
  shift 2
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$EMU/lm-cuda-emu.hpp" -nt "$obj" ]; then
    echo "  CC $(basename "$src")"
    "$@" -c "$src" -o "$obj"
  fi
}
for f in $sources; do
  case $f in
  *.cu)
    cpp=$OUT/obj/$(basename "$f" .cu).cu.cpp
    python3 "$EMU/cu2cpp.py" "$f" "$cpp.new"
    if ! cmp -s "$cpp.new" "$cpp" 2>/dev/null; then mv "$cpp.new" "$cpp"; else rm "$cpp.new"; fi
    obj=$OUT/obj/$(basename "$f").o
    [ "$cpp" -nt "$obj" ] && rm -f "$obj"
    compile "$cpp" "$obj" g++ $CXXFLAGS
    ;;
  *.c)
    obj=$OUT/obj/$(echo "$f" | sed "s|$SRC/||; s|/|_|g").o
    compile "$f" "$obj" gcc $CFLAGS
    ;;
  *) continue ;;
  esac
  objs="$objs $obj"
done
compile "$EMU/cuda-emu.cpp" "$OUT/obj/cuda-emu.o" g++ $CXXFLAGS
objs="$objs $OUT/obj/cuda-emu.o"

LIBS="$(pkg-config --libs openblas 2>/dev/null || echo -lblas) -lz -lm -pthread"
GLIB_CFLAGS=$(pkg-config --cflags glib-2.0)
GLIB_LIBS=$(pkg-config --libs glib-2.0)
status=0
for t in test-cuda-unavailable test-cuda-kernels test-cuda-ops test-cuda-train; do
  compile "$SRC/tests/gpu/$t.c" "$OUT/obj/$t.o" gcc $CFLAGS -DLM_GPU_TEST_GLIB \
    -DLM_TEST_HAVE_CUDA=1 -I"$SRC/tests/gpu" $GLIB_CFLAGS
  g++ -o "$OUT/$t" "$OUT/obj/$t.o" $objs $LIBS $GLIB_LIBS
done

run() { # label env... -- prog
  label=$1
  shift
  printf '%-58s' "$label"
  if env "$@" >"$OUT/last.log" 2>&1; then
    echo "ok ($(grep -c '^ok' "$OUT/last.log") tests, $(grep -c SKIP "$OUT/last.log") skipped)"
  else
    echo "FAILED"
    tail -20 "$OUT/last.log"
    status=1
  fi
}
for t in test-cuda-kernels test-cuda-ops test-cuda-train; do
  run "$t (emulated GPU)" "$OUT/$t"
  run "$t (emulated GPU, no caching)" LUMEN_CUDA_NO_CACHING=1 "$OUT/$t"
done
run "test-cuda-unavailable (emulated GPU)" "$OUT/test-cuda-unavailable"
run "test-cuda-unavailable (emulated driver, no device)" LUMEN_EMU_NO_GPU=1 "$OUT/test-cuda-unavailable"
exit $status
