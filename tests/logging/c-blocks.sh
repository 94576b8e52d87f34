# c-blocks.sh: sourced by the tests that compile and run the ```c blocks of
# a document (README.md, docs/*.md) as a user who copies them would, after
# they set build (the build folder) and src (the source folder).  Gives
# them tmp (a folder removed at exit), fail MESSAGE, expect RUN WHAT SQL
# VALUE (a query of tmp/runs/RUN/run.lumen and the value it must give) and
#   run_c_blocks NAME HARNESS DOC...
# which extracts every ```c block of the DOCs at test time, each as a
# function NAME_EXAMPLE(k) { <the block> } of the writer w, with #line so
# that a compiler error names the document's line, then the table
# NAME_examples[] of them, into tmp/NAME-examples.inc; builds HARNESS
# (which gives the blocks their free variables and includes that file)
# with plain cc, -Wall -Wextra -Werror and `pkg-config --cflags --libs
# lumen-log` (the build's uninstalled .pc, as after `meson install`) and
# runs it in tmp.  Sets c_blocks to the number of blocks.
# shellcheck shell=sh disable=SC2034,SC2154  # build, src and c_blocks cross the sourcing
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lumen-c-blocks.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
. "$src/tests/logging/sanitizer-flags.sh"

fail() { echo "${0##*/}: FAIL: $*" >&2; exit 1; }

expect() { # expect RUN WHAT SQL VALUE
  got=$(sqlite3 "file:$tmp/runs/$1/run.lumen?mode=ro" "$3")
  [ "$got" = "$4" ] || fail "runs/$1: expected $2 '$4', got '$got'"
}

run_c_blocks() {
  name=$1 harness=$2
  shift 2
  awk -v name="$name" '
    /^```c[ \t]*$/ {
      k++
      printf "%s_EXAMPLE(%d) {\n  (void) w;\n  {\n#line %d \"%s\"\n", toupper(name), k, FNR + 1, FILENAME
      inside = 1; next
    }
    inside && /^```/ { printf "  }\n  return 0;\n}\n"; inside = 0; next }
    inside { print }
    END {
      printf "static int (*const %s_examples[])(lm_writer *) = {", name
      for (i = 1; i <= k; i++) printf " %s_example_%d,", name, i
      printf " };\n"
    }' "$@" >"$tmp/$name-examples.inc"
  c_blocks=$(grep -c "^$(echo "$name" | tr '[:lower:]' '[:upper:]')_EXAMPLE(" "$tmp/$name-examples.inc") || true

  PKG_CONFIG_PATH="$build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  export PKG_CONFIG_PATH
  flags=$(pkg-config --cflags --libs lumen-log) || fail "pkg-config lumen-log"
  sanflags=$(sanitizer_flags "$build")
  cp "$src/tests/logging/$harness" "$src/tests/logging/checked-calls.h" "$tmp/"
  # shellcheck disable=SC2086
  cc -std=gnu11 -Wall -Wextra -Werror $sanflags -o "$tmp/$name-examples" \
    "$tmp/$harness" $flags -lm || fail "compiling the \`\`\`c blocks of $*"
  (cd "$tmp" && "./$name-examples") || fail "running the \`\`\`c blocks of $*"
}
