/* lm-image-card.h: one run's image tag with a step slider.
 *
 * What it is for: TensorBoard's image card, better: the slider reaches
 * every logged step (no sampling), the step and wall time are shown with
 * the caption, the image is drawn fitted to the card or at actual size
 * (crisp pixels, no smoothing), brightness and contrast apply on the GPU
 * as a colour matrix, and a click opens the image full size in its own
 * window.  An image grid (lm_writer_add_images_grid) gets its per-cell
 * labels drawn over each cell, and its cells named on hover, in the card
 * and in the full-size window (LmImageCanvas).  Pixels come from
 * LmImageLoader (decoded off the main thread, cached; neighbouring steps
 * are prefetched so scrubbing is instant).  Memory follows what is on
 * screen: a card loads its image only when it is in or near the view of
 * its scrolled window, fitted it holds the image reduced to about its
 * size on screen, and a card scrolled a few screens away lets its pixels
 * go.  The whole image is decoded for actual size and the full-size
 * window only; when that fails, the window keeps the reduced copy and
 * says so above it, with the reason.  A blob that is not a PNG shows a
 * placeholder naming the problem.
 *
 * A video (lm_writer_add_video, an animated PNG) plays in a loop at its
 * frame delays, as TensorBoard's Images dashboard plays add_video's GIF,
 * drawn as a still is (fitted or actual size, adjusted, reduced to the
 * card); the step line says "frame 3/16 · 4 fps" beside a play/pause
 * button, and Space plays or pauses the focused card.  Pausing keeps the
 * frame.  It plays only while some of it is in view of a mapped card,
 * and the full-size window plays it whole.  A video that cannot be
 * decoded shows the reason as a bad PNG does.
 *
 * Link by step (lm-chart-settings.h): the slider moves as TensorBoard's
 * image cards' (lm_dash_linked_set): to the image at the selected step,
 * or one within a tenth of the gap around it, the step line saying "step
 * 120 (nearest to 121)"; otherwise it stays, "(none at 125)".
 *
 * What it is not for: reading files (the feed and the loader do).
 */
#pragma once

#include <gtk/gtk.h>

#include "lumen-data.h"
#include "lm-plot.h"

G_BEGIN_DECLS

#define LM_TYPE_IMAGE_CARD (lm_image_card_get_type ())
G_DECLARE_FINAL_TYPE (LmImageCard, lm_image_card, LM, IMAGE_CARD, GtkBox)

GtkWidget *lm_image_card_new        (LmRecordFeed *feed, LmImageLoader *loader,
                                     const char *run_name, const char *run_path,
                                     const char *tag);
void       lm_image_card_refresh    (LmImageCard *self);
guint      lm_image_card_get_n_steps (LmImageCard *self);
/* Link by step: the slider to the selected step (NULL or !active: the
 * slider stays where it is, its note goes). */
void       lm_image_card_set_linked_steps (LmImageCard *self, const LmStepSelection *sel);
/* The step line: "step 40 · 2024-03-03 14:05:09 · 16×16". */
const char *lm_image_card_get_step_text (LmImageCard *self);
/* Moves the slider to the index-th logged image (step order). */
void       lm_image_card_set_index  (LmImageCard *self, guint index);
guint      lm_image_card_get_index  (LmImageCard *self);
/* The index whose pixels are on screen now (or whose error is), -1 if none. */
int        lm_image_card_get_shown_index (LmImageCard *self);
/* In or near the view, so its pixels are loaded (worked out after each
 * layout of the mapped card). */
gboolean   lm_image_card_is_on_screen (LmImageCard *self);
/* A card on screen shows the selected image, at the size it needs; one
 * off screen (or not mapped) has nothing to wait for. */
gboolean   lm_image_card_is_settled (LmImageCard *self);
/* Why the selected image cannot be shown, or NULL. */
const char *lm_image_card_get_error (LmImageCard *self);
void       lm_image_card_set_fit    (LmImageCard *self, gboolean fit);
void       lm_image_card_set_adjust (LmImageCard *self, double brightness, double contrast);
/* Grid cell label strips on (default) or off. */
void       lm_image_card_set_show_labels (LmImageCard *self, gboolean show);
/* An image's boxes (add_image_with_boxes) on (default) or off. */
void       lm_image_card_set_show_boxes (LmImageCard *self, gboolean show);
/* Opens the shown image full size (what a click does); returns the new
 * GtkWindow, or NULL when no image is on screen yet. */
GtkWidget *lm_image_card_open_full_size (LmImageCard *self);
/* The full-size window's note above the image (a GtkLabel), visible only
 * while it shows the card's reduced copy because the whole image could
 * not be loaded: "Showing a reduced copy (1/F size): the full image could
 * not be loaded: REASON".  NULL for other windows. */
GtkWidget *lm_image_card_get_full_size_note (GtkWidget *full_window);
/* The LmImageCanvas that draws the image (lm-image-canvas.h; for tests). */
GtkWidget *lm_image_card_get_canvas (LmImageCard *self);

/* The video frame on the canvas, from 0; -1 when the selected image is
 * not a video (or not loaded). */
int        lm_image_card_get_video_frame (LmImageCard *self);
/* Shows frame `frame` (from 0, clamped) of the video; playing goes on
 * from there. */
void       lm_image_card_set_video_frame (LmImageCard *self, int frame);
/* A video is shown and not paused (it may still wait off screen). */
gboolean   lm_image_card_get_playing     (LmImageCard *self);
void       lm_image_card_set_playing     (LmImageCard *self, gboolean playing);
/* A timer is set to show the video's next frame: FALSE for a still, a
 * paused video, and one off screen or not mapped. */
gboolean   lm_image_card_is_animating    (LmImageCard *self);
/* For `lumen --screenshot` (its own process): frame > 0 makes every video
 * shown from now on, on any card or full-size window, start paused on
 * that frame (from 1; the last one if it has fewer), so screenshots do not
 * depend on timing; 0 plays them (the default). */
void       lm_image_card_hold_videos     (int frame);

G_END_DECLS
