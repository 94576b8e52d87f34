#!/bin/sh
# Installs the Debian packages Lumen needs to build, test and run, skipping
# those already installed. Uses sudo when not run as root.
#   tools/install-deps.sh            build + run + test packages
#   tools/install-deps.sh --dev      also python3-torch (fixtures, benchmarks)
set -eu

PKGS="build-essential meson ninja-build pkg-config
      libsqlite3-dev sqlite3 libpng-dev zlib1g-dev libopenblas-dev
      libglib2.0-dev libgtk-4-dev fonts-dejavu-core
      libgtk-4-media-gstreamer gstreamer1.0-plugins-good
      xvfb xauth dataset-fashion-mnist"
if [ "${1:-}" = "--dev" ]; then
  PKGS="$PKGS python3-torch python3-numpy valgrind"
fi

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "install-deps: need root or sudo to install:$missing" >&2
  exit 1
fi

echo "install-deps: installing:$missing"
$SUDO apt-get update -q
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
