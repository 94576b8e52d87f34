#!/bin/sh
# The main job: build, start a live training run in the background and open
# the workbench on it. Falls back to what is built when parts are switched off.
#   tools/main.sh [extra lumen-train options]
set -eu
cd "$(dirname "$0")/.."

if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release
fi
meson compile -C build

LOGDIR=${LUMEN_LOGDIR:-runs}
mkdir -p "$LOGDIR"

if [ -x build/app/train/lumen-train ] && [ -x build/app/lumen ]; then
  build/app/train/lumen-train --logdir "$LOGDIR" "$@" &
  TRAIN_PID=$!
  # Ctrl-C in the trainer writes a checkpoint and marks the run 'stopped'.
  trap 'kill -INT $TRAIN_PID 2>/dev/null || true' EXIT INT TERM
  build/app/lumen --logdir "$LOGDIR"
elif [ -x build/app/lumen ]; then
  build/examples/log-scalars "$LOGDIR"
  build/app/lumen --logdir "$LOGDIR"
else
  build/examples/log-scalars "$LOGDIR"
fi
