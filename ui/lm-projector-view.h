/* lm-projector-view.h: the projector's 3D scatter of an embedding.
 *
 * What it is for: drawing n points placed by their first three principal
 * components (from lm_embedding_pca) or by t-SNE (lm-tsne.h), coloured by a metadata column (the label
 * by default) with a legend, or as their thumbnails; drag rotates (pans in 2D), scroll zooms, hovering a
 * point shows its label (the Label by column) and thumbnail, a search highlights the points
 * whose value in a column matches, and a selection (the inspector's point and its
 * neighbours) is drawn larger with the rest dimmed.  Like TensorBoard's
 * projector scatter plot.  A click on a point, or Enter on the hovered
 * one, emits "point-activated" (the page selects it); a click on empty
 * space or Escape emits it with -1.
 * Focused (Tab, or a click), it takes the graph view's keys: the arrow
 * keys rotate by 10 degrees (pan in 2D), Ctrl +/- zoom, Ctrl 0 resets.
 *
 * What it is not for: loading or PCA (lm-projector-page.c does that off
 * the main thread and hands the results here).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-embedding.h"

G_BEGIN_DECLS

#define LM_TYPE_PROJECTOR_VIEW (lm_projector_view_get_type ())
G_DECLARE_FINAL_TYPE (LmProjectorView, lm_projector_view, LM, PROJECTOR_VIEW, GtkWidget)

GtkWidget *lm_projector_view_new (void);
/* Shows embedding e (taken) placed by coords (taken: n x 3, the PCA
 * scores); NULL clears. Resets rotation, zoom and hover. */
void       lm_projector_view_set_data      (LmProjectorView *self, LmEmbedding *e, float *coords);
/* As set_data, for a newer step of the same tensor: keeps rotation, zoom,
 * pan and 2D (the hover and search go: the page sets its search again). */
void       lm_projector_view_update_data   (LmProjectorView *self, LmEmbedding *e, float *coords);
/* As update_data, but the data shown until now is handed back (the
 * caller frees it with lm_embedding_free) instead of freed: the page
 * keeps the whole tensor while it shows an isolated part. */
LmEmbedding *lm_projector_view_swap_data   (LmProjectorView *self, LmEmbedding *e, float *coords);
/* New places for the same points (n x 3, copied; a t-SNE or UMAP layout
 * as it forms), re-normalised as TensorBoard's projector does each time
 * a layout's positions change: each axis from its own min and max onto
 * [-1, 1], so the layout is centred and fills the view whatever its
 * scale (UMAP's spans tens of units, t-SNE's grows as it runs); an axis
 * with no extent (a 2D layout's third) stays 0, and a 3D layout is then
 * scaled into the unit sphere so no turn takes it out of view.  The
 * camera, hover and search stay. */
void       lm_projector_view_set_coords    (LmProjectorView *self, const float *coords);
/* The points' places as drawn: n x 3, in [-1, 1] (NaN or infinite for a
 * point that has no place: it is left out of the framing, not drawn and
 * not picked). */
const float *lm_projector_view_get_coords  (LmProjectorView *self);
/* How many points are not drawn for a NaN or infinite coordinate. */
gsize        lm_projector_view_get_n_hidden (LmProjectorView *self);
const LmEmbedding *lm_projector_view_get_embedding (LmProjectorView *self);

void       lm_projector_view_set_2d        (LmProjectorView *self, gboolean flat);
gboolean   lm_projector_view_get_2d        (LmProjectorView *self);
void       lm_projector_view_set_thumbnails (LmProjectorView *self, gboolean on);
gboolean   lm_projector_view_get_thumbnails (LmProjectorView *self);
/* Rotation in radians about the vertical axis (yaw) then the horizontal
 * one (pitch); zoom 1 fits the cloud. */
void       lm_projector_view_set_rotation  (LmProjectorView *self, double yaw, double pitch);
void       lm_projector_view_get_rotation  (LmProjectorView *self, double *yaw, double *pitch);
void       lm_projector_view_set_zoom      (LmProjectorView *self, double zoom);
double     lm_projector_view_get_zoom      (LmProjectorView *self);
/* The opening view: its rotation, zoom 1, no pan (Ctrl+0). */
void       lm_projector_view_reset_camera  (LmProjectorView *self);
/* Highlights the points whose value in the search column (see
 * set_search_by; the label by default) holds `text` (case-insensitive);
 * returns how many match (0 for an empty text, which clears). */
guint      lm_projector_view_set_search    (LmProjectorView *self, const char *text);

/* The selection: the chosen point (-1: none, as for a search's matches)
 * and the n points idx (its neighbours), drawn larger, the rest dimmed;
 * it wins over the search's highlight.  -1 and n = 0 clear it.  New
 * data clears it. */
void       lm_projector_view_set_selection (LmProjectorView *self, int chosen, const guint32 *idx, gsize n);
int        lm_projector_view_get_selected  (LmProjectorView *self);

/* How point i is drawn now (for tests). */
typedef enum
{
  LM_PROJECTOR_MARK_PLAIN,      /* no selection or search */
  LM_PROJECTOR_MARK_DIMMED,     /* outside them */
  LM_PROJECTOR_MARK_SELECTED,   /* in them: larger */
  LM_PROJECTOR_MARK_CHOSEN,     /* the selected point: larger still, ringed, labelled */
} LmProjectorMark;
LmProjectorMark lm_projector_view_get_mark (LmProjectorView *self, guint i);

/* Where point i is drawn in a width x height view (its centre). */
void       lm_projector_view_project       (LmProjectorView *self, guint i, int width, int height,
                                            double *x, double *y);
/* The point nearest (x, y) within `radius` pixels, or -1. */
int        lm_projector_view_pick          (LmProjectorView *self, double x, double y, int width,
                                            int height, double radius);
/* The hovered point (-1: none); set by the pointer or by tests. */
void       lm_projector_view_set_hover     (LmProjectorView *self, int i);
int        lm_projector_view_get_hover     (LmProjectorView *self);
/* The Color by column's distinct values in legend order and the colour
 * each is drawn in (none unless it is coloured by categories); point i's
 * category (-1 without). */
guint      lm_projector_view_get_n_classes (LmProjectorView *self);
const char *lm_projector_view_get_class    (LmProjectorView *self, guint c, GdkRGBA *color);
int        lm_projector_view_get_point_class (LmProjectorView *self, guint i);

/* TensorBoard's limit on a categorical colour map (NUM_COLORS_COLOR_MAP). */
#define LM_PROJECTOR_MAX_CATEGORIES 50

/* How the Color by column colours the points. */
typedef enum
{
  LM_PROJECTOR_COLOR_NONE,        /* "No color", or no metadata */
  LM_PROJECTOR_COLOR_CATEGORIES,  /* a colour a value, with the legend */
  LM_PROJECTOR_COLOR_GRADIENT,    /* numbers: #ffffdd (min) to #1f2d86 (max) */
  LM_PROJECTOR_COLOR_TOO_MANY,    /* too many distinct strings: no colour, a note */
} LmProjectorColoring;

/* Colour by metadata column `column` (an index into e->columns; -1: no
 * colour, TensorBoard's "No color map").  At most
 * LM_PROJECTOR_MAX_CATEGORIES distinct values: categories with the
 * legend; more, all numbers: the gradient with its range in the legend;
 * more strings: no colour, the legend says why (get_color_note).  An
 * empty value is missing: not a distinct value, not a string (the
 * gradient draws it in the theme's muted colour); "nan" is not a string
 * either (the gradient draws it as a gap).  New
 * data keeps the column (the first when it has fewer).  The default is
 * column 0, the label. */
void       lm_projector_view_set_color_by  (LmProjectorView *self, int column);
int        lm_projector_view_get_color_by  (LmProjectorView *self);
LmProjectorColoring lm_projector_view_get_coloring (LmProjectorView *self);
/* The too-many note (newly allocated), NULL otherwise. */
char      *lm_projector_view_get_color_note (LmProjectorView *self);
/* The colour point i is drawn in (before any dimming); FALSE (and the
 * theme's accent) when the points are not coloured. */
gboolean   lm_projector_view_get_point_color (LmProjectorView *self, guint i, GdkRGBA *color);
/* Label by: the column the hover box and the chosen point show (0 by
 * default); point i's value in it, NULL without metadata. */
void       lm_projector_view_set_label_by  (LmProjectorView *self, guint column);
guint      lm_projector_view_get_label_by  (LmProjectorView *self);
const char *lm_projector_view_get_point_label (LmProjectorView *self, guint i);
/* The column lm_projector_view_set_search looks in (0 by default); the
 * next set_search applies it. */
void       lm_projector_view_set_search_by (LmProjectorView *self, guint column);

/* Draws the view into cr (what snapshot does; for benchmarks and tests). */
void       lm_projector_view_draw          (LmProjectorView *self, cairo_t *cr, int width, int height);

G_END_DECLS
