#!/bin/sh
# The main job: configure (release), build, start a live training run in the
# background and open the workbench on it. Closing the window stops the
# trainer the way Ctrl-C does (checkpoint written, run marked 'stopped').
#   tools/main.sh [lumen-train options]   (default: --model cnn, 5 epochs,
#                                          a few minutes of live training)
set -eu
cd "$(dirname "$0")/.."

if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release
fi
meson compile -C build

LOGDIR=${LUMEN_LOGDIR:-runs}
TRAIN=build/app/train/lumen-train
APP=build/app/lumen/lumen
mkdir -p "$LOGDIR"
if [ $# -eq 0 ]; then
  set -- --model cnn
fi

if [ ! -x "$APP" ]; then
  echo "main.sh: the app was not built (GTK4 missing?); training without it" >&2
  exec "$TRAIN" --logdir "$LOGDIR" "$@"
fi

# Its own session: a Ctrl-C in this terminal reaches the app and this script,
# whose trap then stops the trainer with exactly one SIGINT (a second one
# would make it quit at once, without its checkpoint).
setsid "$TRAIN" --logdir "$LOGDIR" --no-progress "$@" &
TRAIN_PID=$!
stop_trainer() {
  if kill -0 "$TRAIN_PID" 2>/dev/null; then
    kill -INT "$TRAIN_PID" 2>/dev/null || true
    wait "$TRAIN_PID" 2>/dev/null || true
  fi
}
trap stop_trainer EXIT INT TERM
echo "main.sh: training in the background (pid $TRAIN_PID), logging to $LOGDIR/"
"$APP" --logdir "$LOGDIR"
