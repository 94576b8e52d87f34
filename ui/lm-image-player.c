/* lm-image-player.c: a video's frames on a canvas (see lm-image-player.h).
 *
 * Time is kept as the monotonic time at which the frame on screen is due
 * to give way (due_us).  A timeout wakes at that time, steps past every
 * frame whose time is over (a video of 120 fps, or a busy main loop,
 * skips frames and keeps its speed) and sleeps until the next one is due,
 * but never less than MIN_TICK_US, about one display frame.  Nothing runs
 * between frames, so a 4 fps video wakes the main loop four times a
 * second, and a paused, hidden or off-screen one not at all.
 *
 * Each frame's premultiplied surface (what the canvas draws from) is
 * made the first time the frame is shown and kept for the next loops,
 * for videos of up to SURFACE_CACHE_BYTES, until the video stops (paused,
 * hidden, out of view): converting and allocating a surface every frame
 * took some 30% of what playing cost (six 256x256 videos at 30 fps in
 * view).
 */
#include "lm-image-player.h"

#include "lm-image-canvas.h"

/* One display frame at 60 Hz: showing frames faster than that is not
 * seen, so they are skipped instead. */
#define MIN_TICK_US 16000
/* A delay of zero (APNG allows it) is played as 1/100 s, as browsers do. */
#define MIN_DELAY_US 10000
/* Surfaces kept for a video whose frames take no more (a card's videos;
 * a big one in the full-size window is converted frame by frame). */
#define SURFACE_CACHE_BYTES (16u << 20)

struct _LmImagePlayer
{
  GtkWidget *canvas;               /* not owned: the player lives in its owner */
  LmImagePlayerFrameFunc on_frame;
  gpointer user_data;
  gulong map_id, unmap_id;

  LmImageAnimation *anim;
  cairo_surface_t **surfaces;      /* per frame, made when first shown; NULL: none kept */
  int frame;
  int plays;                       /* loops finished, for num_plays */
  gint64 due_us;                   /* when the frame on screen gives way */
  gint64 left_us;                  /* of it, while stopped; -1: all */
  gboolean paused, visible;
  guint timer_id;
};

static int hold_frame;

void
lm_image_player_hold_all (int frame)
{
  hold_frame = MAX (frame, 0);
}

static gint64
delay_us (LmImagePlayer *self, int frame)
{
  return MAX ((gint64) (self->anim->delays[frame] * G_USEC_PER_SEC), MIN_DELAY_US);
}

static gboolean
can_run (LmImagePlayer *self)
{
  return self->anim != NULL && self->anim->n_frames > 1 && !self->paused && self->visible
         && gtk_widget_get_mapped (self->canvas);
}

static void
show_frame (LmImagePlayer *self)
{
  LmImagePixels *p = self->anim->frames[self->frame];
  cairo_surface_t *surface = NULL;

  if (self->surfaces != NULL)
    {
      if (self->surfaces[self->frame] == NULL)
        self->surfaces[self->frame] = lm_image_pixels_to_surface (p);
      surface = self->surfaces[self->frame];
    }
  lm_image_canvas_set_pixels_with_surface (LM_IMAGE_CANVAS (self->canvas), p, surface, NULL);
  if (self->on_frame != NULL)
    self->on_frame (self, self->user_data);
}

static void update_timer (LmImagePlayer *self);

/* Lets the kept surfaces go (the canvas holds the one it shows). */
static void
clear_surfaces (LmImagePlayer *self, int n)
{
  if (self->surfaces != NULL)
    for (int i = 0; i < n; i++)
      g_clear_pointer (&self->surfaces[i], cairo_surface_destroy);
}

static gboolean
on_timer (gpointer user_data)
{
  LmImagePlayer *self = user_data;
  gint64 now = g_get_monotonic_time ();
  int n = self->anim->n_frames, start = self->frame;

  self->timer_id = 0;
  /* A minute behind (a suspended laptop): carry on from the next frame
   * rather than step through all the missed ones. */
  if (now - self->due_us > 60 * G_USEC_PER_SEC)
    self->due_us = now;
  while (self->due_us <= now)
    {
      if (self->frame == n - 1 && self->anim->num_plays > 0 && ++self->plays >= self->anim->num_plays)
        {
          /* played as often as asked: rest on the last frame, paused, so
           * that Play starts it again */
          self->paused = TRUE;
          self->plays = 0;
          break;
        }
      self->frame = (self->frame + 1) % n;
      self->due_us += delay_us (self, self->frame);
    }
  if (self->frame != start)
    show_frame (self);
  else if (self->paused && self->on_frame != NULL)
    self->on_frame (self, self->user_data);   /* the play button */
  update_timer (self);
  return G_SOURCE_REMOVE;
}

/* A timeout while the video can play, none otherwise; what is left of
 * the frame on screen is kept across a stop. */
static void
update_timer (LmImagePlayer *self)
{
  gint64 now = g_get_monotonic_time ();

  if (!can_run (self))
    {
      if (self->timer_id != 0)
        {
          self->left_us = MAX (self->due_us - now, 0);
          g_clear_handle_id (&self->timer_id, g_source_remove);
          clear_surfaces (self, self->anim->n_frames);
        }
      return;
    }
  if (self->timer_id != 0)
    return;
  if (self->left_us >= 0)
    self->due_us = now + self->left_us;
  else
    self->due_us = now + delay_us (self, self->frame);
  self->left_us = -1;
  self->timer_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) (MAX (self->due_us - now, MIN_TICK_US) / 1000),
                                       on_timer, self, NULL);
}

static void
on_map_changed (GtkWidget *canvas, LmImagePlayer *self)
{
  update_timer (self);
}

LmImagePlayer *
lm_image_player_new (GtkWidget *canvas, LmImagePlayerFrameFunc on_frame, gpointer user_data)
{
  LmImagePlayer *self = g_new0 (LmImagePlayer, 1);

  g_return_val_if_fail (LM_IS_IMAGE_CANVAS (canvas), NULL);
  self->canvas = canvas;
  self->on_frame = on_frame;
  self->user_data = user_data;
  self->visible = TRUE;
  self->frame = -1;
  self->left_us = -1;
  self->map_id = g_signal_connect_after (canvas, "map", G_CALLBACK (on_map_changed), self);
  self->unmap_id = g_signal_connect_after (canvas, "unmap", G_CALLBACK (on_map_changed), self);
  return self;
}

static void
drop_surfaces (LmImagePlayer *self, int n)
{
  clear_surfaces (self, n);
  g_clear_pointer (&self->surfaces, g_free);
}

/* A surface cache for self->anim if its frames are small enough. */
static void
keep_surfaces (LmImagePlayer *self)
{
  guint64 bytes = 0;

  for (int i = 0; i < self->anim->n_frames; i++)
    bytes += (guint64) self->anim->frames[i]->width * self->anim->frames[i]->height * 4;
  if (self->anim->n_frames > 1 && bytes <= SURFACE_CACHE_BYTES)
    self->surfaces = g_new0 (cairo_surface_t *, self->anim->n_frames);
}

void
lm_image_player_free (LmImagePlayer *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  /* freed with the canvas's data (the full-size window's player), its
   * handlers are gone already */
  if (g_signal_handler_is_connected (self->canvas, self->map_id))
    g_signal_handler_disconnect (self->canvas, self->map_id);
  if (g_signal_handler_is_connected (self->canvas, self->unmap_id))
    g_signal_handler_disconnect (self->canvas, self->unmap_id);
  if (self->anim != NULL)
    drop_surfaces (self, self->anim->n_frames);
  g_clear_pointer (&self->anim, lm_image_animation_unref);
  g_free (self);
}

void
lm_image_player_set_animation (LmImagePlayer *self, LmImageAnimation *anim, gboolean keep_frame)
{
  LmImageAnimation *old = self->anim;

  if (anim != NULL && anim == old)
    return;
  keep_frame = keep_frame && anim != NULL && old != NULL && old->n_frames == anim->n_frames;
  if (old != NULL)
    drop_surfaces (self, old->n_frames);
  self->anim = anim != NULL ? lm_image_animation_ref (anim) : NULL;
  g_clear_pointer (&old, lm_image_animation_unref);
  if (anim != NULL)
    keep_surfaces (self);
  if (!keep_frame)
    {
      g_clear_handle_id (&self->timer_id, g_source_remove);
      self->left_us = -1;
      self->plays = 0;
      self->frame = anim != NULL ? 0 : -1;
      if (anim != NULL && hold_frame > 0)
        {
          self->frame = MIN (hold_frame, anim->n_frames) - 1;
          self->paused = TRUE;
        }
    }
  if (anim == NULL)
    {
      g_clear_handle_id (&self->timer_id, g_source_remove);
      return;
    }
  show_frame (self);
  update_timer (self);
}

LmImageAnimation *
lm_image_player_get_animation (LmImagePlayer *self)
{
  return self->anim;
}

void
lm_image_player_set_visible (LmImagePlayer *self, gboolean visible)
{
  self->visible = !!visible;
  update_timer (self);
}

void
lm_image_player_set_paused (LmImagePlayer *self, gboolean paused)
{
  paused = !!paused;
  if (paused == self->paused)
    return;
  self->paused = paused;
  update_timer (self);
  if (self->on_frame != NULL && self->anim != NULL)
    self->on_frame (self, self->user_data);
}

gboolean
lm_image_player_get_paused (LmImagePlayer *self)
{
  return self->paused;
}

int
lm_image_player_get_frame (LmImagePlayer *self)
{
  return self->anim != NULL ? self->frame : -1;
}

void
lm_image_player_seek (LmImagePlayer *self, int frame)
{
  if (self->anim == NULL)
    return;
  self->frame = CLAMP (frame, 0, self->anim->n_frames - 1);
  self->left_us = -1;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  show_frame (self);
  update_timer (self);
}

gboolean
lm_image_player_is_ticking (LmImagePlayer *self)
{
  return self->timer_id != 0;
}
