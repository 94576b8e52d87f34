#!/bin/sh
# The main job: configure (release), build, start a live training run in the
# background and open the workbench on it. Closing the window stops the
# trainer the way Ctrl-C does (checkpoint written, run marked 'stopped'), and
# so does an app that fails to start. Without a display it starts nothing.
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
# No display: say so before a trainer starts that nobody would watch.
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "main.sh: no display (DISPLAY or WAYLAND_DISPLAY is unset), so lumen cannot open its window;" >&2
  echo "  train alone with: $TRAIN --logdir $LOGDIR $*" >&2
  echo "  and look later:   xvfb-run -a $APP --logdir $LOGDIR --screenshot runs.png" >&2
  exit 1
fi

# Its own session: a Ctrl-C in this terminal reaches the app and this script,
# whose trap then stops the trainer with exactly one SIGTERM (a second one
# would make it quit at once, without its checkpoint). SIGTERM, not SIGINT:
# a background job of a script starts with SIGINT ignored, and a SIGINT that
# lands before lumen-train has installed its handler would be lost; a SIGTERM
# that early simply ends it (nothing trained yet), a later one stops it after
# the current step.
setsid "$TRAIN" --logdir "$LOGDIR" --no-progress "$@" &
TRAIN_PID=$!
stop_trainer() {
  if kill -0 "$TRAIN_PID" 2>/dev/null; then
    kill -TERM "$TRAIN_PID" 2>/dev/null || true
    wait "$TRAIN_PID" 2>/dev/null || true
  fi
}
trap stop_trainer EXIT INT TERM
echo "main.sh: training in the background (pid $TRAIN_PID), logging to $LOGDIR/"
"$APP" --logdir "$LOGDIR"
