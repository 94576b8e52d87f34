#!/bin/sh
# fetch-debs.sh: downloads, on a Debian machine with apt, the packages that a
# bare GPU machine (CUDA toolkit, compiler, meson, ninja, python3 + PyTorch,
# no apt, no network) lacks to build and check Lumen's engine: OpenBLAS and
# its Fortran runtime, and the zlib headers. They land in tests/gpu/debs/
# (git-ignored); carry that folder to the GPU machine, where
# tests/gpu/run-all.sh unpacks them (dpkg -x, no installation scripts) into
# tests/gpu/debs/root and points pkg-config and the loader there.
#
# Usage: tests/gpu/fetch-debs.sh [PACKAGE...]   (extra packages, e.g. to also
#        build the logging library: libsqlite3-dev libsqlite3-0 libpng-dev libpng16-16)
set -eu
DIR=$(cd "$(dirname "$0")" && pwd)/debs
mkdir -p "$DIR"
cd "$DIR"
# apt's sandbox user may not write here; download as the caller.
apt-get -q -o APT::Sandbox::User=root download \
  libopenblas0-pthread libopenblas-pthread-dev libopenblas-dev libgfortran5 \
  zlib1g-dev zlib1g "$@"
ls -l "$DIR"
du -sh "$DIR"
