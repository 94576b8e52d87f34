#!/bin/sh
# run-emu.sh: every GPU test program on the CUDA emulator, the long ones
# included. `meson test --suite gpu-emu` (part of the normal test run) leaves
# out the two training tests that run hundreds of steps (about 150 s
# emulated); this runs the suite, then those two, with and without the
# caching allocator. Development tool: only a real GPU (tests/gpu/run-all.sh)
# checks numerics and speed.
#
# Usage: tests/gpu/emu/run-emu.sh [MESON_BUILD_DIR]   (default: build)
# The build dir must be a configured build with tests and no sanitizer.
set -eu
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac

meson compile -C "$BUILD"
EXE=$BUILD/tests/gpu/emu/test-cuda-train-emu
if [ ! -x "$EXE" ]; then
  echo "run-emu: $EXE was not built (sanitizer build, or no C++ compiler?)" >&2
  exit 1
fi
meson test -C "$BUILD" --suite gpu-emu --print-errorlogs

status=0
for caching in 0 1; do
  for t in /cuda/train/fit /cuda/train/memory-flat; do
    label="$t (emulated GPU)"
    [ $caching = 1 ] && label="$t (emulated GPU, no caching)"
    printf '%-58s' "$label"
    log=$BUILD/tests/gpu/emu/run-emu-$(basename "$t")-$caching.log
    if LUMEN_CUDA_NO_CACHING=$caching "$EXE" --tap -p "$t" >"$log" 2>&1; then
      if grep -q '# SKIP' "$log"; then
        echo "skipped: $(grep -m1 '# SKIP' "$log")"
      else
        echo ok
      fi
    else
      echo FAILED
      tail -20 "$log"
      status=1
    fi
  done
done
exit $status
