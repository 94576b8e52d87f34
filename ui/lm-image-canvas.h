/* lm-image-canvas.h: draws decoded pixels, fitted or at actual size
 * (private to ui/).
 *
 * What it is for: the picture inside an image card and the full-size
 * window: nearest-neighbour scaling (a 28x28 sample stays crisp), a
 * brightness/contrast colour matrix, and a placeholder message.
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
void       lm_image_canvas_set_fit    (LmImageCanvas *self, gboolean fit);
/* brightness -1..1 (added), contrast 0..3 (scaled about mid-grey). */
void       lm_image_canvas_set_adjust (LmImageCanvas *self, double brightness, double contrast);

G_END_DECLS
