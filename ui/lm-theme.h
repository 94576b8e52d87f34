/* lm-theme.h: light and dark colours for everything Lumen draws itself.
 *
 * What it is for: TensorBoard's light / dark / follow-the-system setting.
 * The mode is one for the whole app (LmTheme, a singleton): "system"
 * follows GTK (a dark GTK_THEME such as Adwaita:dark, a *-dark theme name,
 * gtk-application-prefer-dark-theme) and the desktop portal's
 * color-scheme where there is a session bus; "light" and "dark" override
 * it, and set GTK's prefer-dark so the header bar and sidebar match.
 * Every custom-drawn surface (charts, axes, grid, tooltips, histograms,
 * distributions, parallel coordinates, the graph canvas, the debugger's
 * tiles and plots, the image canvas) takes its colours from
 * lm_theme_colors (); the dashboard sheet's CSS has a light and a dark
 * rule set here too.  When the colours change, every window's widgets
 * are redrawn, and "notify::dark" tells widgets that cache pixels.
 *
 * What it is not for: the run colours (lm-palette.h), which stay the same
 * in both modes, as TensorBoard's do.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  LM_THEME_SYSTEM,
  LM_THEME_LIGHT,
  LM_THEME_DARK,
} LmThemeMode;

typedef struct
{
  GdkRGBA bg;             /* charts, plots and canvases */
  GdkRGBA panel;          /* debugger tiles and plots: a shade off bg */
  GdkRGBA placeholder;    /* a view with nothing to show */
  GdkRGBA title;          /* chart titles */
  GdkRGBA strong;         /* hover read-outs and the curve under the pointer */
  GdkRGBA text;           /* legends, tooltip values, labels */
  GdkRGBA muted;          /* tick labels, tooltip headings */
  GdkRGBA faint;          /* "No data yet" and the like */
  GdkRGBA grid;
  GdkRGBA axis;
  GdkRGBA ink;            /* black in light mode, white in dark: drawn with an alpha */
  GdkRGBA paper;          /* white in light mode, bg in dark: behind text, with an alpha */
  GdkRGBA tooltip_bg;
  GdkRGBA tooltip_border;
  GdkRGBA tooltip_muted;  /* its column headings */
  GdkRGBA crosshair;
  GdkRGBA accent;         /* zoom box, selections, bars of the latest step */
  GdkRGBA error;          /* red text: invalid buckets, failed loads */
  GdkRGBA hparam_title;   /* parallel coordinates: a hyperparameter's axis title */
  GdkRGBA metric_title;   /* and a metric's */
  /* the debugger's small plots (gradient flow, value histogram, tensors) */
  GdkRGBA plot_note;
  GdkRGBA plot_tick;
  GdkRGBA plot_label;
  GdkRGBA plot_index;     /* a tensor's row and column numbers */
  GdkRGBA plot_grid;
  GdkRGBA plot_bar;
  GdkRGBA plot_bad;       /* a NaN/Inf gradient's bar */
  /* the graph canvas */
  GdkRGBA graph_bg;
  GdkRGBA graph_frame;    /* module boxes' tint (rgb; alpha = its strength) */
  GdkRGBA graph_frame_text;
  GdkRGBA graph_edge;     /* edges, mixed over graph_bg with an alpha */
  GdkRGBA graph_label;    /* edge labels and node borders, likewise */
  GdkRGBA graph_edge_hi;  /* edges into the selection */
  GdkRGBA graph_node_text;
  GdkRGBA graph_node_subtext;
  GdkRGBA graph_node_text_dim;
  GdkRGBA graph_node_subtext_dim;
  GdkRGBA graph_selected;
  double graph_node_tint; /* how much of a node kind's colour shows over graph_bg */
  /* "Color: Compute time", as painted (not tinted): the fastest box,
   * the slowest, and a box with no time (parameters, inputs) */
  GdkRGBA graph_time_lo, graph_time_hi, graph_time_none;
  /* Markdown (text dashboard), as "#rrggbb" for GtkTextTag */
  const char *code_bg, *pre_bg, *quote_fg, *link_fg, *rule;
} LmThemeColors;

#define LM_TYPE_THEME (lm_theme_get_type ())
G_DECLARE_FINAL_TYPE (LmTheme, lm_theme, LM, THEME, GObject)

/* The app's theme (made on first use; it never goes away). */
LmTheme     *lm_theme_get_default       (void);

/* The colours to draw with now. */
const LmThemeColors *lm_theme_colors    (void);
gboolean     lm_theme_is_dark           (void);

LmThemeMode  lm_theme_get_mode          (void);
/* Redraws every window at once when the colours change. */
void         lm_theme_set_mode          (LmThemeMode mode);

/* "system", "light", "dark" (case-insensitive, as in settings.ini and
 * --theme); FALSE for anything else. */
gboolean     lm_theme_mode_from_string  (const char *text, LmThemeMode *out);
const char  *lm_theme_mode_to_string    (LmThemeMode mode);

/* The dark or light rules for the dashboard sheet's CSS. */
const char  *lm_theme_sheet_css         (gboolean dark);

/* The keyboard focus ring of the canvases Lumen draws itself (the graph,
 * the hparams scatter plot matrix): Adwaita's focus blue, #3584e4, the
 * same in light and dark mode.  A GdkRGBA initializer. */
#define LM_THEME_FOCUS_RGBA { 0.208f, 0.518f, 0.894f, 1.0f }
/* A canvas that covers its whole widget (the graph, the projector) shows
 * where the keys go with that ring, 2 px inside its edge, while it has
 * visible focus; redraw_on_focus redraws it as the focus comes and goes. */
void         lm_theme_snapshot_focus_ring (GtkWidget *widget, GtkSnapshot *snapshot);
void         lm_theme_redraw_on_focus   (GtkWidget *widget);

/* ink or paper at an alpha, as a Cairo source */
void         lm_theme_set_ink           (cairo_t *cr, double alpha);
void         lm_theme_set_paper         (cairo_t *cr, double alpha);

G_END_DECLS
