/* bench-ui-util.h: what the UI benchmarks share.
 *
 * What it is for: the `--dir DIR` command line, and rendering a widget
 * the way a frame would (its render nodes, drawn to a texture by the
 * window's renderer) and timing it.
 * What it is not for: fixtures (each benchmark writes its own).
 */
#pragma once

#include <gtk/gtk.h>
#include <lumen-log.h>

/* Milliseconds since some fixed point. */
double bench_now_ms        (void);
/* Snapshots `widget` and renders the nodes with `renderer`; milliseconds. */
double bench_render_widget (GtkWidget *widget, GskRenderer *renderer);
/* Opens `win` (1400 x 900) on dashboard `view` and runs the main loop
 * until the first frame after which done(win) holds; milliseconds since
 * the window was made (t0), or -1 after 60 s.  The frame handler stays
 * connected: *painted tells whether a frame was painted since it was last
 * set to FALSE (for timing a move until the window's next frame). */
double bench_first_frame (GtkWindow *win, const char *view, double t0,
                          gboolean (*done) (GtkWindow *win), gboolean *painted);
/* Whether every card of dashboard `view` in the window's first 800 px
 * has drawn (drawn(card)); FALSE until the window is settled with
 * n_cards cards, or while none is on screen.  nth_card(page, i), i <
 * n_cards, names them. */
gboolean bench_screen_drawn (GtkWindow *win, const char *view, guint n_cards,
                             GtkWidget *(*nth_card) (GtkWidget *page, guint i),
                             gboolean (*drawn) (GtkWidget *card));
/* A sweep's fixture, unless its last run is there already: runs run00,
 * run01, ... under `dir`, each step's tags in turn written by add(w, run,
 * tag, step, seed), seed a start for a generator of its own; then a line
 * with how many `what` took how long. */
void bench_write_sweep (const char *dir, int n_runs, int n_tags, int n_steps, const char *what,
                        void (*add) (lm_writer *w, int run, int tag, int step, guint32 seed));
/* The fixtures' folder: `--dir DIR`, else `fallback`; exits with the
 * usage on anything else. */
const char *bench_parse_dir (int argc, char **argv, const char *fallback);
