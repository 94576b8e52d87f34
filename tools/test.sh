#!/bin/sh
# Configures, builds and runs every test: the normal build under Xvfb, then the
# sanitizer build (ASan + UBSan). Exits non-zero if anything fails.
#   tools/test.sh [--no-sanitize]
set -eu
cd "$(dirname "$0")/.."

run_suite() {
  dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@"
  fi
  meson compile -C "$dir"
  # Display tests need an X server: xvfb-run gives them one.
  xvfb-run -a -s "-screen 0 1920x1200x24" \
    meson test -C "$dir" --print-errorlogs --num-processes 2
}

run_suite build
if [ "${1:-}" != "--no-sanitize" ]; then
  run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false \
    -Ddebug=true -Doptimization=1
fi
echo "test.sh: all suites passed"
