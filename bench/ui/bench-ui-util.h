/* bench-ui-util.h: what the UI benchmarks share.
 *
 * What it is for: the `--dir DIR` command line, and rendering a widget
 * the way a frame would (its render nodes, drawn to a texture by the
 * window's renderer) and timing it.
 * What it is not for: fixtures (each benchmark writes its own).
 */
#pragma once

#include <gtk/gtk.h>

/* Milliseconds since some fixed point. */
double bench_now_ms        (void);
/* Snapshots `widget` and renders the nodes with `renderer`; milliseconds. */
double bench_render_widget (GtkWidget *widget, GskRenderer *renderer);
/* The fixtures' folder: `--dir DIR`, else `fallback`; exits with the
 * usage on anything else. */
const char *bench_parse_dir (int argc, char **argv, const char *fallback);
