/* lm-axis.h: tick positions and labels for chart axes.
 *
 * What it is for: "nice" ticks (1, 2, 5 x 10^k) for values and steps,
 * decades for log scales, and clock-friendly intervals (seconds, minutes,
 * hours, days) for relative and wall time, each with a short label; and
 * the number formats tooltips and CSV headers share.
 *
 * What it is not for: drawing (lm-plot.c places the labels).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  LM_AXIS_VALUE = 0,   /* y values: 0.25, 1.5e-05 */
  LM_AXIS_STEP,        /* integer steps: 500, 2k, 1.5M */
  LM_AXIS_RELATIVE,    /* seconds since start: 30 s, 5 min, 1.5 h */
  LM_AXIS_WALL,        /* unix seconds: 14:05, Mar 03 */
  LM_AXIS_VALUE_SI,    /* histogram values and counts: 0.25, 400k, 1.5M (d3's SI, as TensorBoard's histograms) */
} LmAxisKind;

typedef struct
{
  double value;
  char label[40];
} LmTick;

#define LM_AXIS_MAX_TICKS 32

/* Ticks inside [lo, hi], about `target` of them (fewer for log axes with
 * few decades).  Returns the count written to ticks (<= LM_AXIS_MAX_TICKS). */
guint lm_axis_ticks (LmAxisKind kind,
                     gboolean   log_scale,
                     double     lo,
                     double     hi,
                     guint      target,
                     LmTick    *ticks);

/* Where tick labels go along an axis: label i, `extents[i]` long, is
 * centred on `centers[i]` when it fits, shifted inward to lie inside
 * [lo, hi] at the ends (a wall-clock label at the right edge was cut to
 * "15:42:2"), and left out (NAN) when it cannot fit or would come within
 * `gap` of the label kept before it.  starts[i]: where label i begins.
 * Returns how many are kept. */
guint lm_axis_place_labels (const double *centers,
                            const double *extents,
                            guint         n,
                            double        lo,
                            double        hi,
                            double        gap,
                            double       *starts);

/* Number formats shared by tooltips and labels. */
void lm_format_value    (double v, char *buf, gsize len);   /* 5 significant digits */
void lm_format_step     (gint64 step, char *buf, gsize len);
char *lm_format_count   (guint64 n);   /* 12345 as "12,345" (free it) */
void lm_format_duration (double seconds, char *buf, gsize len);  /* "1h 05m", "42.5 s" */
void lm_format_wall     (double unix_seconds, char *buf, gsize len);  /* "2024-03-03 14:05:09" */

G_END_DECLS
