/* lumen-data.h: the read side of Lumen in one include.
 *
 * What it is for: finding runs under a log directory and following them
 * live (LmRunStore, LmRun), holding scalar series compactly (LmSeries) and
 * decimating/smoothing them for charts (lm-decimate.h).  Plain GLib/GIO
 * and SQLite; no GTK, no engine.
 */
#pragma once

#include "lm-series.h"
#include "lm-decimate.h"
#include "lm-run.h"
#include "lm-run-store.h"
#include "lm-histogram.h"
#include "lm-records.h"
#include "lm-image-loader.h"
#include "lm-audio.h"
#include "lm-mesh.h"
