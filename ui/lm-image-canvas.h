/* lm-image-canvas.h: draws decoded pixels, fitted or at actual size
 * (private to ui/).
 *
 * What it is for: the picture inside an image card and the full-size
 * window: nearest-neighbour scaling (a 28x28 sample stays crisp), a
 * brightness/contrast colour matrix, and a placeholder message.  The
 * pixels may be a reduced copy (LmImagePixels.factor): the picture is
 * laid out at the image's logged size either way.  Fitted, each side
 * keeps at least one device pixel (a 1000x1 image is a thin strip).  For an
 * image grid (lm_writer_add_images_grid) it also labels the cells: a
 * strip at the bottom of each cell, dark and semi-transparent with white
 * text elided to the cell's width, drawn when cells are at least
 * LM_IMAGE_CANVAS_MIN_LABEL_CELL pixels high on screen; hovering a cell
 * outlines it and the tooltip names it ("image k: label") at any size.
 * Labels of the form "pred P / true T" (lumen-train's sample grid) show P
 * when the whole label does not fit, on a green strip when P is T and a
 * red one when not, like the PyTorch TensorBoard tutorial's figure.
 * Labels are not affected by brightness and contrast.  An image logged
 * with boxes (add_image_with_boxes) has them drawn over it.
 */
#pragma once

#include <gtk/gtk.h>

#include "lumen-data.h"

G_BEGIN_DECLS

#define LM_TYPE_IMAGE_CANVAS (lm_image_canvas_get_type ())
G_DECLARE_FINAL_TYPE (LmImageCanvas, lm_image_canvas, LM, IMAGE_CANVAS, GtkWidget)

GtkWidget *lm_image_canvas_new        (void);
/* NULL pixels with a message shows the placeholder. */
void       lm_image_canvas_set_pixels (LmImageCanvas *self, LmImagePixels *pixels, const char *error);
LmImagePixels *lm_image_canvas_get_pixels (LmImageCanvas *self);
/* The premultiplied copy of `pixels` the canvas draws from (a new
 * surface).  A video's player makes each frame's once, and hands it over
 * with the frame: showing it again costs no conversion. */
cairo_surface_t *lm_image_pixels_to_surface (LmImagePixels *pixels);
/* set_pixels with `surface` (NULL: made here) from
 * lm_image_pixels_to_surface (pixels); the canvas keeps a reference. */
void       lm_image_canvas_set_pixels_with_surface (LmImageCanvas *self, LmImagePixels *pixels,
                                                    cairo_surface_t *surface, const char *error);
/* The surface drawn from now (NULL without pixels; for tests). */
cairo_surface_t *lm_image_canvas_get_surface (LmImageCanvas *self);
void       lm_image_canvas_set_fit    (LmImageCanvas *self, gboolean fit);
gboolean   lm_image_canvas_get_fit    (LmImageCanvas *self);
/* brightness -1..1 (added), contrast 0..3 (scaled about mid-grey). */
void       lm_image_canvas_set_adjust (LmImageCanvas *self, double brightness, double contrast);
/* Integer magnification when not fitted (1: actual size). */
void       lm_image_canvas_set_zoom   (LmImageCanvas *self, int zoom);
int        lm_image_canvas_get_zoom   (LmImageCanvas *self);

/* Cells drawn smaller than this (pixels high or wide) get no label strip. */
#define LM_IMAGE_CANVAS_MIN_LABEL_CELL 24

/* The layout of the pixels on screen when they are a grid (NULL: not a
 * grid, or its layout is unknown).  Set it with, or right after, the
 * pixels it describes.  The canvas keeps a reference. */
void         lm_image_canvas_set_grid  (LmImageCanvas *self, LmImageGrid *grid);
LmImageGrid *lm_image_canvas_get_grid  (LmImageCanvas *self);
/* Label strips on (default) or off; tooltips name cells either way. */
void         lm_image_canvas_set_show_labels (LmImageCanvas *self, gboolean show);
gboolean     lm_image_canvas_get_show_labels (LmImageCanvas *self);
/* An image's boxes (lm_writer_add_image_with_boxes; NULL: none), drawn
 * over the picture as PyTorch burns them in: red outlines 2 image pixels
 * wide (at least one device pixel), labels black on red at each box's
 * bottom-left (no taller than PyTorch's, none where too small to read,
 * kept inside the picture), not affected by brightness and contrast.  Set them with
 * the pixels they belong to.  The canvas keeps a reference. */
void          lm_image_canvas_set_boxes      (LmImageCanvas *self, LmImageBoxes *boxes);
LmImageBoxes *lm_image_canvas_get_boxes      (LmImageCanvas *self);
/* Boxes on (default) or off. */
void          lm_image_canvas_set_show_boxes (LmImageCanvas *self, gboolean show);
gboolean      lm_image_canvas_get_show_boxes (LmImageCanvas *self);
/* How many times the boxes have been drawn (not taken from the last
 * drawing): for tests and benchmarks. */
guint         lm_image_canvas_get_boxes_draws (LmImageCanvas *self);
/* Label strips are on screen at the current size. */
gboolean     lm_image_canvas_get_labels_drawn (LmImageCanvas *self);
/* Where cell k is drawn, in widget coordinates; FALSE when there is no
 * such cell on screen. */
gboolean     lm_image_canvas_get_cell_rect (LmImageCanvas *self, int k, graphene_rect_t *rect);
/* Where the whole picture is drawn, in widget coordinates; FALSE without
 * pixels. */
gboolean     lm_image_canvas_get_image_rect (LmImageCanvas *self, graphene_rect_t *rect);
/* The cell under widget point (x, y): "image k: label" ("image k" without
 * labels), or NULL off the cells.  What the tooltip shows. */
char        *lm_image_canvas_describe_at (LmImageCanvas *self, double x, double y);

G_END_DECLS
