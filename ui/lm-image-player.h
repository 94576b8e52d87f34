/* lm-image-player.h: plays a video's frames on an LmImageCanvas (private
 * to ui/).
 *
 * What it is for: the image card and its full-size window showing an
 * add_video row (LmImageAnimation) as TensorBoard's Images dashboard shows
 * add_video's GIF: frame after frame at each frame's delay, looping
 * (num_plays 0) or stopping on the last frame after num_plays loops.  A
 * late wake-up skips frames rather than slowing the video down.  It costs
 * nothing while it cannot be seen: one timeout per frame shown, none while
 * paused, while the canvas is unmapped (a hidden view, a closed window) or
 * while its owner says it is off screen (lm_image_player_set_visible).
 * Screenshots are deterministic: lm_image_player_hold_all makes every
 * animation given to a player from then on start paused on one frame.
 *
 * What it is not for: loading or decoding (LmImageLoader), labels (the
 * owner listens to "frame changed" through the callback).
 */
#pragma once

#include <gtk/gtk.h>

#include "lumen-data.h"

G_BEGIN_DECLS

typedef struct _LmImagePlayer LmImagePlayer;

/* Called after the player puts a new frame on the canvas. */
typedef void (*LmImagePlayerFrameFunc) (LmImagePlayer *player, gpointer user_data);

/* A player drawing on `canvas` (an LmImageCanvas); it follows the
 * canvas's map and unmap.  Free it before the canvas goes. */
LmImagePlayer *lm_image_player_new      (GtkWidget *canvas, LmImagePlayerFrameFunc on_frame, gpointer user_data);
void           lm_image_player_free     (LmImagePlayer *self);
/* The animation to play (NULL: none; the owner puts stills on the canvas
 * itself).  With keep_frame, a copy of the same video (at another
 * reduction) goes on at the frame and time where the old one was;
 * otherwise it starts at its first frame (or the held one).  Puts the
 * current frame on the canvas. */
void           lm_image_player_set_animation (LmImagePlayer *self, LmImageAnimation *anim, gboolean keep_frame);
LmImageAnimation *lm_image_player_get_animation (LmImagePlayer *self);
/* Whether the owner shows the canvas (a card scrolled out of view does
 * not); frames advance only while visible and mapped.  TRUE at first. */
void           lm_image_player_set_visible (LmImagePlayer *self, gboolean visible);
void           lm_image_player_set_paused  (LmImagePlayer *self, gboolean paused);
gboolean       lm_image_player_get_paused  (LmImagePlayer *self);
/* The frame on the canvas, from 0; -1 without an animation. */
int            lm_image_player_get_frame   (LmImagePlayer *self);
/* Puts frame `frame` (from 0, clamped) on the canvas; playing goes on
 * from there. */
void           lm_image_player_seek        (LmImagePlayer *self, int frame);
/* A timeout is waiting to show the next frame. */
gboolean       lm_image_player_is_ticking  (LmImagePlayer *self);

/* Process-wide, for `lumen --screenshot`: frame > 0 makes every
 * animation given to a player from now on start paused on frame `frame`
 * (from 1, the last one if it has fewer); 0 plays them (the default). */
void           lm_image_player_hold_all    (int frame);

G_END_DECLS
