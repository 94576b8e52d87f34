#!/bin/sh
# Configures, builds and runs every test: the normal build under Xvfb, then the
# sanitizer build (ASan + UBSan). Exits non-zero if anything fails, after a
# closing line "tests: N passed, N failed, N skipped" over every pass run.
#   tools/test.sh [--no-sanitize]
set -eu
cd "$(dirname "$0")/.."

passed=0 failed=0 skipped=0

# Adds one pass's results (meson's testlog.json, a JSON object per test) to
# the totals: OK and expected failures pass; skips are skips; everything else
# (FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS) fails.
count_results() {
  log=$1/meson-logs/testlog.json
  [ -f "$log" ] || return 0
  n_ok=$(grep -c -E '"result": "(OK|EXPECTEDFAIL)"' "$log" || true)
  n_skip=$(grep -c '"result": "SKIP"' "$log" || true)
  n_all=$(grep -c '"result": "' "$log" || true)
  passed=$((passed + n_ok))
  skipped=$((skipped + n_skip))
  failed=$((failed + n_all - n_ok - n_skip))
}

summary() {
  echo "tests: $passed passed, $failed failed, $skipped skipped"
}

# run_suite DIR TIMEOUT_MULTIPLIER [SETUP_OPTIONS...]
run_suite() {
  dir=$1; mult=$2; shift 2
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@"
  fi
  meson compile -C "$dir"
  rm -f "$dir/meson-logs/testlog.json"
  # Display tests need an X server: xvfb-run gives them one.  Two workers,
  # as CI has two cores; meson starts the tests in the order of their
  # priority (tests/meson.build: the longest first), so both end together.
  if ! xvfb-run -a -s "-screen 0 1920x1200x24" \
      meson test -C "$dir" --print-errorlogs --num-processes 2 \
        --timeout-multiplier "$mult"; then
    count_results "$dir"
    # a run that stopped before recording every test still failed
    [ "$failed" -gt 0 ] || failed=1
    echo "test.sh: the suite in $dir failed"
    summary
    exit 1
  fi
  count_results "$dir"
}

run_suite build 1
# The leak checks record every allocation's whole stack (tests/meson.build):
# the sanitizer pass's tests take some five times longer than the normal
# pass's, most of it in the display tests' GTK allocations.  Its build leaves
# out the benchmark programs (-Dbench=false), which no test runs.
if [ "${1:-}" != "--no-sanitize" ]; then
  run_suite build-asan 3 -Db_sanitize=address,undefined -Db_lundef=false \
    -Ddebug=true -Doptimization=1 -Dbench=false
fi
echo "test.sh: all suites passed"
summary
