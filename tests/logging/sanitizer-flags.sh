# sanitizer-flags.sh: sourced by the tests that build a program with plain
# cc against the build's lumen-log.  A sanitizer build's library needs its
# users to link with the same -fsanitize flags:
#   sanflags=$(sanitizer_flags BUILD_DIR)
sanitizer_flags() {
  san=$(grep -o '{[^{}]*"name": "b_sanitize"[^{}]*}' \
          "$1/meson-info/intro-buildoptions.json" 2>/dev/null |
        sed -n 's/.*"value": "\([^"]*\)".*/\1/p')
  if [ -n "$san" ] && [ "$san" != none ]; then
    echo "-fsanitize=$san"
  fi
}
