/* lm-preferences.h: the app's settings kept from one session to the next.
 *
 * What it is for: TensorBoard keeps its settings (smoothing, horizontal
 * axis, ignore outliers, tooltip sorting, step selection, link by step,
 * histogram mode, light/dark theme) in the browser, so they are still there the next time; Lumen
 * keeps them, and the window size, in a key file:
 *
 *   $XDG_CONFIG_HOME/lumen/settings.ini   (usually ~/.config/lumen/settings.ini)
 *
 *   [scalars]
 *   smoothing=0.6
 *   x-axis=step            (step, relative or wall)
 *   ignore-outliers=false
 *   tooltip-sort=default   (default, descending, ascending or nearest)
 *   step-selection=true    (step selection and data table on scalar cards)
 *   link-by-step=false     (a step selected on one card selects it on every
 *                           scalar, histogram and image card)
 *   [histograms]
 *   mode=offset            (offset or overlay: the Histograms page's switch)
 *   [appearance]
 *   theme=system           (system, light or dark; lm-theme.h)
 *   [window]
 *   width=1400
 *   height=900
 *   maximized=false
 *   [logdir ABSOLUTE-PATH]   (one group per log directory; [ ] and line
 *                             breaks in the path written %5B %5D %0A)
 *   pinned-scalars=train/loss;val/acc;      (pinned cards, in order)
 *   pinned-histograms=fc1/weight\nexp1;     (pinned histogram, distribution
 *   pinned-distributions=...; pinned-images=...  and image cards: tag, a line
 *                                            break (written \n), run)
 *   run-colors=exp1=#ff0000;sweep/lr_0.1=#00aa00;   (colours chosen)
 *   run-color-group=regex:lr([0-9.]+)_   ("Color runs by": run (the
 *                             default, not written), experiment or
 *                             regex:REGEX, as TensorBoard's runColorGroup)
 *
 * Only what the user changes is written, merged into the file as it is at
 * that moment (other windows, other keys and comments are kept), so
 * command-line options such as --smoothing or --histogram-mode apply to
 * one session and are not saved.  A value that cannot be used is skipped with a message
 * naming the file and the key; the others still apply.
 *
 * What it is not for: per-card state (zoom, log scale) or the filters,
 * which TensorBoard does not keep either.  (Pins and run colours it
 * keeps, in the browser, per experiment, and the colouring by group in
 * the page's URL: here per log directory.)
 */
#pragma once

#include "lm-window.h"

G_BEGIN_DECLS

/* The file above (newly allocated). */
char     *lm_preferences_default_path (void);

/* Applies the saved settings to the window.  A missing file is not an
 * error.  FALSE with an error naming the file (and the key) when the file
 * cannot be read or parsed, or when a value is out of range; every usable
 * value is applied all the same. */
gboolean  lm_preferences_load         (LmWindow   *window,
                                       const char *path,
                                       GError    **error);

/* Only the window's log directory's group (pinned cards, run colours):
 * what a window opened with File > Open takes.  FALSE with an error
 * naming the file and key for a value that cannot be used. */
gboolean  lm_preferences_load_logdir  (LmWindow   *window,
                                       const char *path,
                                       GError    **error);

/* From now on, writes every setting the user changes to path (after a
 * short pause, and at the latest when the window closes), and the window
 * size when the window closes, if it changed.  A failed write is reported
 * once on stderr and the window goes on. */
void      lm_preferences_track        (LmWindow   *window,
                                       const char *path);

/* The file the window's changes go to (NULL when not tracked); a window
 * opened from this one (File > Open) shares it. */
const char *lm_preferences_get_path (LmWindow *window);

/* Writes any change still waiting now (what closing the window does). */
void      lm_preferences_flush        (LmWindow   *window);

G_END_DECLS
