/* lm-image-card.c: image tag card (see lm-image-card.h).
 *
 * The slider holds an index into the series' items (step order).  Moving
 * it shows cached pixels at once; otherwise it starts one load and keeps
 * the previous image on screen until the new one arrives, so scrubbing
 * never flashes empty frames.  After each load the neighbours are
 * prefetched, as many as the loader's cache can keep.  A grid's layout
 * (cell labels) travels with the pixels it describes, never with the
 * slider, so labels always match the cells on screen.
 *
 * Pixels are loaded only for a card in or near the view of its scrolled
 * window, worked out after each layout (the frame clock's layout signal:
 * scrolling moves no card's allocation), and let go once it is a few
 * screens away.  Fitted, the card asks the loader for the image reduced
 * to about its size on screen; at actual size, and in the full-size
 * window, for the whole image, which nothing keeps once it is off screen.
 *
 * A video not in the cache shows its first frame (a still load, one
 * frame's decode) while all its frames load: 300 frames of 720p took
 * seconds to decode, and the card stayed empty (or on the step before)
 * meanwhile.
 */
#include "lm-image-card.h"

#include "lm-dash-util.h"
#include "lm-icon-tip.h"
#include "lm-image-canvas.h"
#include "lm-image-player.h"
#include "lm-theme.h"

#define PREFETCH 6
/* Prefetches in flight at most: more would queue ahead of the image the
 * slider is waiting for in the shared worker pool. */
#define MAX_PREFETCHING 6
/* Cards load within NEAR_VIEWS of a view's height (or width) beyond its
 * edges, and drop their pixels beyond FAR_VIEWS. */
#define NEAR_VIEWS 0.5
#define FAR_VIEWS 2.0

struct _LmImageCard
{
  GtkBox parent_instance;

  LmRecordFeed *feed;
  LmImageLoader *loader;
  char *run_name, *run_path, *tag;
  GCancellable *cancellable;

  GtkWidget *scroller, *canvas, *scale, *step_label, *caption, *fit_button, *labels_check;
  GtkWidget *boxes_check;
  GtkWidget *frame_label, *play_button;   /* a video's, hidden for stills */
  LmImagePlayer *player;
  int shown_paused;         /* the play button's state, -1 at first */
  gint64 video_id;          /* image id of the video on the player, 0 if none */
  gint64 poster_id;         /* image id of the video whose first frame is on the
                             * canvas while its frames load, 0 if none */
  int poster_frames;        /* its frames and fps, for the frame label */
  double poster_fps;
  GtkAdjustment *adj;
  double brightness, contrast;
  gboolean show_labels, show_boxes;
  guint n_steps;
  int shown_index;
  int shown_factor;         /* reduction of the pixels on screen */
  gint64 loading_id;        /* image id of the load in flight, 0 if none */
  GHashTable *prefetching;  /* image ids (gint64*) of prefetches in flight */
  char *error;
  LmDashLinked linked;      /* link by step */

  gboolean placed;          /* on_screen and far worked out since mapped */
  gboolean on_screen;       /* in or near the view: show pixels */
  gboolean in_view;         /* some of it in the view: play a video */
  gboolean far;             /* well out of it: hold none */
  GdkFrameClock *clock;     /* while mapped */
  gulong layout_id;
  guint sync_id;            /* idle bringing the pixels in line */
};

G_DEFINE_FINAL_TYPE (LmImageCard, lm_image_card, GTK_TYPE_BOX)

static LmRecordSeries *
series (LmImageCard *self)
{
  return lm_record_feed_find (self->feed, self->run_name, self->tag);
}

static LmImageMeta *
meta_at (LmImageCard *self, guint index)
{
  LmRecordSeries *s = series (self);

  return s != NULL && index < s->items->len ? s->items->pdata[index] : NULL;
}

static void show_index (LmImageCard *self, guint index);
static void queue_sync (LmImageCard *self);

/* The reduction for image `m` on the canvas as it is now: fitted, about
 * one image pixel per device pixel; at actual size, none. */
static int
want_factor (LmImageCard *self, LmImageMeta *m)
{
  int sf = gtk_widget_get_scale_factor (self->canvas);

  if (!lm_image_canvas_get_fit (LM_IMAGE_CANVAS (self->canvas)))
    return 1;
  return lm_image_reduce_factor (m->width, m->height, MAX (gtk_widget_get_width (self->canvas), 64) * sf,
                                 MAX (gtk_widget_get_height (self->canvas), 64) * sf);
}

/* Pixels reduced by `have` serve where `want` is asked: no coarser, and
 * at most twice as fine (a window resized by a few pixels loads
 * nothing). */
static gboolean
factor_serves (int have, int want)
{
  return have <= want && have * 2 > want;
}

#define CLICK_HINT "Click to open full size"

static gboolean
is_video (LmImageMeta *m)
{
  return m->n_frames > 1;
}

/* The play/pause button and "frame 3/16 · 4 fps" follow the player. */
static void
update_video_controls (LmImageCard *self)
{
  LmImageAnimation *anim = lm_image_player_get_animation (self->player);
  gboolean paused = lm_image_player_get_paused (self->player);
  LmImageMeta *m = meta_at (self, (guint) MAX (self->shown_index, 0));
  gboolean video = anim != NULL || self->poster_id != 0;
  int n = anim != NULL ? anim->n_frames : self->poster_frames;
  double fps = anim != NULL ? (m != NULL ? m->fps : 0) : self->poster_fps;
  char text[64];
  int len;

  gtk_widget_set_visible (self->frame_label, video);
  gtk_widget_set_visible (self->play_button, video);
  /* focusable while it plays a video, for Space */
  gtk_widget_set_focusable (GTK_WIDGET (self), anim != NULL);
  if (!video)
    return;
  /* as wide as its widest frame number, so that counting does not
   * resize the row */
  len = g_snprintf (text, sizeof text, "frame %d/%d", n, n);
  if (fps > 0)
    len += g_snprintf (text + len, sizeof text - len, " · %.4g fps", fps);
  gtk_label_set_width_chars (GTK_LABEL (self->frame_label), g_utf8_strlen (text, -1));
  /* a poster is the first frame */
  len = g_snprintf (text, sizeof text, "frame %d/%d", anim != NULL ? lm_image_player_get_frame (self->player) + 1 : 1, n);
  if (fps > 0)
    g_snprintf (text + len, sizeof text - len, " · %.4g fps", fps);
  gtk_label_set_text (GTK_LABEL (self->frame_label), text);
  if (paused != self->shown_paused)
    {
      self->shown_paused = paused;
      gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                                paused ? "media-playback-start-symbolic" : "media-playback-pause-symbolic");
      lm_icon_tip (self->play_button, paused ? "Play (Space)" : "Pause (Space)");
    }
}

static void
on_player_frame (LmImagePlayer *player, gpointer user_data)
{
  update_video_controls (user_data);
}

/* Pixels (NULL: self->error says why) and the grid layout of `m` on the
 * canvas together.  A video's frames (anim) go to the player, which puts
 * them on the canvas one by one. */
static void
show_pixels (LmImageCard *self, LmImageMeta *m, LmImagePixels *pixels, LmImageAnimation *anim)
{
  LmImageCanvas *canvas = LM_IMAGE_CANVAS (self->canvas);

  /* the same video at another reduction plays on where it was */
  lm_image_player_set_animation (self->player, anim, anim != NULL && self->video_id == m->id);
  self->video_id = anim != NULL ? m->id : 0;
  self->poster_id = 0;
  if (anim == NULL)
    lm_image_canvas_set_pixels (canvas, pixels, self->error);
  update_video_controls (self);
  lm_image_canvas_set_grid (canvas, pixels != NULL || anim != NULL ? m->layout : NULL);
  lm_image_canvas_set_boxes (canvas, pixels != NULL || anim != NULL ? m->boxes : NULL);
  /* A grid whose layout JSON is unusable still shows; say why it has no
   * labels where a user looking for them will hover.  Boxes likewise (a
   * line each: both can be wrong). */
  {
    GString *tip = g_string_new (CLICK_HINT);

    if ((pixels != NULL || anim != NULL) && m->grid_error != NULL)
      g_string_append_printf (tip, "\nNo cell labels: %s", m->grid_error);
    if ((pixels != NULL || anim != NULL) && m->boxes_error != NULL)
      g_string_append_printf (tip, "\nNo boxes: %s", m->boxes_error);
    lm_set_tooltip (self->canvas, tip->str);
    g_string_free (tip, TRUE);
  }
}

/* The first frame of video `m` (a still load of its row) on the canvas
 * while its frames load; the step and frame labels say which.  Nothing
 * counts it as shown (shown_index): the video's load goes on, and a
 * screenshot waits for it. */
static void
show_poster (LmImageCard *self, LmImageMeta *m, LmImagePixels *first)
{
  LmImageCanvas *canvas = LM_IMAGE_CANVAS (self->canvas);

  lm_image_player_set_animation (self->player, NULL, FALSE);
  self->video_id = 0;
  self->poster_id = m->id;
  self->poster_frames = m->n_frames;
  self->poster_fps = m->fps;
  g_clear_pointer (&self->error, g_free);
  lm_image_canvas_set_pixels (canvas, first, NULL);
  lm_image_canvas_set_grid (canvas, m->layout);
  lm_image_canvas_set_boxes (canvas, m->boxes);
  update_video_controls (self);
}

typedef struct
{
  LmImageCard *card;
  gint64 id;
  int factor;
  gboolean prefetch;
  gboolean video;   /* an animation load */
  gboolean poster;  /* a video's first frame, shown while its frames load */
} LoadCtx;

static void
prefetch (LmImageCard *self, guint index, int factor);

static void
on_loaded (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LoadCtx *ctx = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (LmImagePixels) pixels = NULL;
  g_autoptr (LmImageAnimation) anim = NULL;
  LmImageCard *self = ctx->card;
  LmImageMeta *m;
  guint index;

  if (ctx->video)
    anim = lm_image_loader_load_animation_finish (LM_IMAGE_LOADER (source), res, &error);
  else
    pixels = lm_image_loader_load_finish (LM_IMAGE_LOADER (source), res, &error);
  if (ctx->poster)
    {
      /* only while the video's frames are still on their way to the step
       * the slider is at (an error is the frames' load's to tell) */
      m = meta_at (self, (guint) gtk_adjustment_get_value (self->adj));
      if (pixels != NULL && !self->far && self->loading_id == ctx->id && m != NULL && m->id == ctx->id
          && self->video_id != ctx->id)
        show_poster (self, m, pixels);
      g_object_unref (ctx->card);
      g_free (ctx);
      return;
    }
  if (ctx->prefetch && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_hash_table_remove (self->prefetching, &ctx->id);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || ctx->prefetch)
    {
      g_object_unref (ctx->card);
      g_free (ctx);
      return;
    }
  self->loading_id = 0;
  index = (guint) gtk_adjustment_get_value (self->adj);
  m = meta_at (self, index);
  if (self->far)
    ;   /* scrolled well away while this loaded: keep nothing */
  else if (m != NULL && m->id == ctx->id)
    {
      g_clear_pointer (&self->error, g_free);
      if (pixels == NULL && anim == NULL)   /* the header names the tag and run */
        self->error = g_strdup_printf ("Step %" G_GINT64_FORMAT ": %s", m->step, error->message);
      self->shown_index = index;
      show_pixels (self, m, pixels, anim);
      self->shown_factor = ctx->factor;
      prefetch (self, index, ctx->factor);
      /* resized (or Fit toggled) while this loaded */
      if ((pixels != NULL || anim != NULL) && !factor_serves (ctx->factor, want_factor (self, m)))
        queue_sync (self);
    }
  else if (m != NULL)
    show_index (self, index);   /* the slider moved on while this loaded */
  g_object_unref (ctx->card);
  g_free (ctx);
}

static void
start_load (LmImageCard *self, LmImageMeta *m, int factor, gboolean is_prefetch)
{
  LoadCtx *ctx = g_new0 (LoadCtx, 1);

  ctx->card = g_object_ref (self);
  ctx->id = m->id;
  ctx->factor = factor;
  ctx->prefetch = is_prefetch;
  ctx->video = is_video (m);
  if (ctx->video)
    lm_image_loader_load_animation_async (self->loader, self->run_path, m->id, factor, self->cancellable,
                                          on_loaded, ctx);
  else
    lm_image_loader_load_reduced_async (self->loader, self->run_path, m->id, factor, self->cancellable,
                                        on_loaded, ctx);
}

/* A video's first frame, as a still: at once if cached, else (with
 * `load`) loaded beside its frames (a frame's decode, not all of them). */
static void
start_poster (LmImageCard *self, LmImageMeta *m, int factor, gboolean load)
{
  g_autoptr (LmImagePixels) first = NULL;
  LoadCtx *ctx;

  if (self->video_id == m->id || self->poster_id == m->id)
    return;   /* playing already (a new size loads), or shown */
  first = lm_image_loader_lookup_reduced (self->loader, self->run_path, m->id, factor);
  if (first != NULL)
    {
      show_poster (self, m, first);
      return;
    }
  if (!load)
    return;
  ctx = g_new0 (LoadCtx, 1);
  ctx->card = g_object_ref (self);
  ctx->id = m->id;
  ctx->factor = factor;
  ctx->poster = TRUE;
  lm_image_loader_load_reduced_async (self->loader, self->run_path, m->id, factor, self->cancellable, on_loaded,
                                      ctx);
}

static void
prefetch (LmImageCard *self, guint index, int factor)
{
  LmImageMeta *shown = meta_at (self, index);
  gsize each;
  int reach;

  if (shown == NULL)
    return;
  /* As many neighbours each way as half the cache holds: six steps of
   * card-sized images, none of a 4000x3000 photo at actual size (the
   * cache would not keep them). */
  each = (gsize) ((MAX (shown->width, 1) + factor - 1) / factor) * ((MAX (shown->height, 1) + factor - 1) / factor) * 4;
  reach = (int) MIN (PREFETCH, lm_image_loader_get_cache_limit (self->loader) / 2 / (2 * each));
  for (int d = 1; d <= reach; d++)
    for (int sign = -1; sign <= 1; sign += 2)
      {
        int i = (int) index + sign * d;
        LmImageMeta *m = i >= 0 ? meta_at (self, (guint) i) : NULL;
        LmImagePixels *p;

        /* a video's neighbours load when the slider gets there: all
         * their frames would crowd the stills out of the cache */
        if (m == NULL || is_video (m) || g_hash_table_contains (self->prefetching, &m->id))
          continue;
        if ((p = lm_image_loader_lookup_reduced (self->loader, self->run_path, m->id, factor)) != NULL)
          lm_image_pixels_unref (p);
        else if (g_hash_table_size (self->prefetching) < MAX_PREFETCHING)
          {
            g_hash_table_add (self->prefetching, g_memdup2 (&m->id, sizeof m->id));
            start_load (self, m, factor, TRUE);
          }
      }
}

static void
update_labels (LmImageCard *self, guint index)
{
  LmImageMeta *m = meta_at (self, index);
  g_autofree char *text = NULL, *note = NULL, *line = NULL;

  if (m == NULL)
    return;
  /* linked by step to a step with no image of its own: say so */
  note = lm_dash_linked_note (&self->linked, (int) index, m->step);
  /* the slider's screen-reader value says the step, as the audio card's */
  line = lm_dash_step_line (self->scale, m->step, note, m->wall_time);
  text = g_strdup_printf ("%s · %d×%d", line, m->width, m->height);
  gtk_label_set_text (GTK_LABEL (self->step_label), text);
  gtk_label_set_text (GTK_LABEL (self->caption), m->caption ? m->caption : "");
  lm_set_tooltip (self->caption, m->caption && g_utf8_strlen (m->caption, -1) > 36 ? m->caption : NULL);
  gtk_widget_set_visible (self->caption, m->caption != NULL && *m->caption);
}

static void
show_index (LmImageCard *self, guint index)
{
  LmImageMeta *m = meta_at (self, index);
  g_autoptr (LmImagePixels) p = NULL;
  g_autoptr (LmImageAnimation) anim = NULL;
  int factor;

  if (m == NULL)
    return;
  update_labels (self, index);
  /* Off screen the labels follow the slider; the pixels wait. */
  if (!self->placed || !self->on_screen)
    return;
  factor = want_factor (self, m);
  if (is_video (m))
    anim = lm_image_loader_lookup_animation (self->loader, self->run_path, m->id, factor);
  else
    p = lm_image_loader_lookup_reduced (self->loader, self->run_path, m->id, factor);
  if (p != NULL || anim != NULL)
    {
      g_clear_pointer (&self->error, g_free);
      self->shown_index = index;
      show_pixels (self, m, p, anim);
      self->shown_factor = factor;
      prefetch (self, index, factor);
      return;
    }
  /* One load at a time for the slider; on_loaded catches up. */
  if (self->loading_id == 0)
    {
      self->loading_id = m->id;
      start_load (self, m, factor, FALSE);
    }
  if (is_video (m))
    start_poster (self, m, factor, self->loading_id == m->id);
}

/* ------------------------------------------------------ on screen or not */

/* The selected image is not on the canvas as it should be, and no load
 * is on its way to fix that. */
static gboolean
needs_pixels (LmImageCard *self)
{
  guint index = (guint) gtk_adjustment_get_value (self->adj);
  LmImageMeta *m = meta_at (self, index);

  if (m == NULL || self->loading_id != 0)
    return FALSE;
  return self->shown_index != (int) index || !factor_serves (self->shown_factor, want_factor (self, m));
}

static gboolean
sync_now (gpointer user_data)
{
  LmImageCard *self = user_data;

  self->sync_id = 0;
  if (self->far && self->shown_index >= 0)
    {
      LmImageCanvas *canvas = LM_IMAGE_CANVAS (self->canvas);

      lm_image_player_set_animation (self->player, NULL, FALSE);
      self->video_id = 0;
      self->poster_id = 0;
      lm_image_canvas_set_pixels (canvas, NULL, NULL);
      lm_image_canvas_set_grid (canvas, NULL);
      lm_image_canvas_set_boxes (canvas, NULL);
      g_clear_pointer (&self->error, g_free);
      self->shown_index = -1;
      self->shown_factor = 0;
      update_video_controls (self);
    }
  else if (self->placed && self->on_screen && needs_pixels (self))
    show_index (self, (guint) gtk_adjustment_get_value (self->adj));
  return G_SOURCE_REMOVE;
}

static void
queue_sync (LmImageCard *self)
{
  if (self->sync_id == 0)
    self->sync_id = g_idle_add (sync_now, self);
}

/* After every layout of the window: where the card is now relative to
 * the view of the scrolled window it is in (a card in no scrolled window
 * is on screen while mapped). */
static void
on_layout (GdkFrameClock *clock, LmImageCard *self)
{
  GtkWidget *widget = GTK_WIDGET (self), *parent = gtk_widget_get_parent (widget);
  GtkWidget *view = parent != NULL ? gtk_widget_get_ancestor (parent, GTK_TYPE_SCROLLED_WINDOW) : NULL;
  graphene_rect_t b;
  gboolean near = TRUE, far = FALSE, in_view = TRUE;

  if (view != NULL && gtk_widget_compute_bounds (widget, view, &b))
    {
      double vw = gtk_widget_get_width (view), vh = gtk_widget_get_height (view);
      double x0 = b.origin.x, x1 = x0 + b.size.width, y0 = b.origin.y, y1 = y0 + b.size.height;

      near = x1 >= -NEAR_VIEWS * vw && x0 <= (1 + NEAR_VIEWS) * vw
             && y1 >= -NEAR_VIEWS * vh && y0 <= (1 + NEAR_VIEWS) * vh;
      far = x1 < -FAR_VIEWS * vw || x0 > (1 + FAR_VIEWS) * vw
            || y1 < -FAR_VIEWS * vh || y0 > (1 + FAR_VIEWS) * vh;
      in_view = x1 > 0 && x0 < vw && y1 > 0 && y0 < vh;
    }
  self->placed = TRUE;
  self->on_screen = near;
  self->far = far;
  /* a video plays only where it can be seen */
  if (in_view != self->in_view)
    {
      self->in_view = in_view;
      lm_image_player_set_visible (self->player, in_view);
    }
  if ((far && self->shown_index >= 0) || (near && needs_pixels (self)))
    queue_sync (self);
}

static void
lm_image_card_map (GtkWidget *widget)
{
  LmImageCard *self = LM_IMAGE_CARD (widget);

  GTK_WIDGET_CLASS (lm_image_card_parent_class)->map (widget);
  self->clock = g_object_ref (gtk_widget_get_frame_clock (widget));
  self->layout_id = g_signal_connect_after (self->clock, "layout", G_CALLBACK (on_layout), self);
  self->placed = FALSE;
}

static void
lm_image_card_unmap (GtkWidget *widget)
{
  LmImageCard *self = LM_IMAGE_CARD (widget);

  if (self->clock != NULL)
    g_clear_signal_handler (&self->layout_id, self->clock);
  g_clear_object (&self->clock);
  self->placed = FALSE;
  GTK_WIDGET_CLASS (lm_image_card_parent_class)->unmap (widget);
}

static void
on_value_changed (GtkAdjustment *adj, LmImageCard *self)
{
  show_index (self, (guint) gtk_adjustment_get_value (adj));
}

/* The slider to `index` (link by step; -1: it stays), its step line
 * redone either way (the note may change). */
static void
move_linked (LmImageCard *self, int index)
{
  guint value = (guint) gtk_adjustment_get_value (self->adj);

  if (index >= 0 && (guint) index != value)
    gtk_adjustment_set_value (self->adj, index);
  else
    update_labels (self, value);
}

void
lm_image_card_refresh (LmImageCard *self)
{
  LmRecordSeries *s = series (self);
  guint n = s ? s->items->len : 0, old_n = self->n_steps;
  gboolean at_end = self->n_steps == 0 || gtk_adjustment_get_value (self->adj) >= self->n_steps - 1;
  int linked;

  if (n == self->n_steps)
    return;
  self->n_steps = n;
  gtk_adjustment_configure (self->adj, gtk_adjustment_get_value (self->adj), 0, MAX (n, 1) - 1,
                            1, 10, 0);
  gtk_widget_set_sensitive (self->scale, n > 1);
  /* Follow the linked step while the slider is where it put it (a new
   * image may be nearer), else the newest image while the slider sits at
   * the end (live runs). */
  linked = lm_dash_linked_follow (&self->linked, s ? s->items : NULL, old_n,
                                  (int) gtk_adjustment_get_value (self->adj));
  if (linked >= 0)
    move_linked (self, linked);
  else if (at_end && n > 0)
    gtk_adjustment_set_value (self->adj, n - 1);
  if (self->shown_index < 0 && n > 0)
    show_index (self, (guint) gtk_adjustment_get_value (self->adj));
}

/* ------------------------------------------------------------- controls */

static void
on_fit_toggled (GtkToggleButton *b, LmImageCard *self)
{
  lm_image_card_set_fit (self, gtk_toggle_button_get_active (b));
}

static void
on_adjust (GtkRange *range, LmImageCard *self)
{
  double v = gtk_range_get_value (range);

  if (g_object_get_data (G_OBJECT (range), "contrast"))
    self->contrast = v;
  else
    self->brightness = v;
  lm_image_canvas_set_adjust (LM_IMAGE_CANVAS (self->canvas), self->brightness, self->contrast);
}

static void
on_labels_toggled (GtkCheckButton *b, LmImageCard *self)
{
  lm_image_card_set_show_labels (self, gtk_check_button_get_active (b));
}

static void
on_boxes_toggled (GtkCheckButton *b, LmImageCard *self)
{
  lm_image_card_set_show_boxes (self, gtk_check_button_get_active (b));
}

static GtkWidget *
adjust_row (LmImageCard *self, const char *label, double lo, double hi, double value, gboolean contrast)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, lo, hi, 0.05);
  GtkWidget *l = gtk_label_new (label);

  gtk_widget_set_size_request (l, 70, -1);
  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_range_set_value (GTK_RANGE (scale), value);
  gtk_scale_add_mark (GTK_SCALE (scale), value, GTK_POS_BOTTOM, NULL);
  gtk_widget_set_size_request (scale, 160, -1);
  if (contrast)
    g_object_set_data (G_OBJECT (scale), "contrast", GINT_TO_POINTER (1));
  g_signal_connect (scale, "value-changed", G_CALLBACK (on_adjust), self);
  gtk_box_append (GTK_BOX (box), l);
  gtk_box_append (GTK_BOX (box), scale);
  return box;
}

/* The full-size window's zoom: + and - step it, 0 goes back to 1:1. */
static gboolean
on_zoom_key (GtkWidget *win, GVariant *args, gpointer user_data)
{
  LmImageCanvas *canvas = g_object_get_data (G_OBJECT (win), "canvas");
  const char *base = g_object_get_data (G_OBJECT (win), "base-title");
  int step = g_variant_get_int32 (args);
  int zoom = step == 0 ? 1 : lm_image_canvas_get_zoom (canvas) + step;
  g_autofree char *title = NULL;

  lm_image_canvas_set_zoom (canvas, zoom);
  title = g_strdup_printf ("%s (×%d)", base, lm_image_canvas_get_zoom (canvas));
  gtk_window_set_title (GTK_WINDOW (win), title);
  return TRUE;
}

static void
add_zoom_key (GtkShortcutController *sc, guint keyval, int step)
{
  gtk_shortcut_controller_add_shortcut (
      sc, gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (keyval, 0),
                                           gtk_callback_action_new (on_zoom_key, NULL, NULL),
                                           "i", step));
}

/* The full-size window's load of the whole image. */
typedef struct
{
  LmImageCanvas *canvas;
  GtkWidget *note;
  int factor;   /* of the reduced copy shown meanwhile */
  gboolean video;
} FullLoad;

static void
on_full_loaded (GObject *source, GAsyncResult *res, gpointer user_data)
{
  FullLoad *fl = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (LmImagePixels) pixels = NULL;
  g_autoptr (LmImageAnimation) anim = NULL;

  if (fl->video)
    anim = lm_image_loader_load_animation_finish (LM_IMAGE_LOADER (source), res, &error);
  else
    pixels = lm_image_loader_load_finish (LM_IMAGE_LOADER (source), res, &error);
  if (pixels != NULL)
    lm_image_canvas_set_pixels (fl->canvas, pixels, NULL);
  else if (anim != NULL)   /* plays on from the frame it was at */
    lm_image_player_set_animation (g_object_get_data (G_OBJECT (fl->canvas), "lm-player"), anim, TRUE);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The reduced pixels stay, but say so: stretched, they look like
       * a blurry image rather than a copy of a sharp one. */
      g_autofree char *text = g_strdup_printf ("Showing a reduced copy (1/%d size): the full %s could "
                                               "not be loaded: %s", fl->factor, fl->video ? "video" : "image",
                                               error->message);

      gtk_label_set_text (GTK_LABEL (fl->note), text);
      gtk_widget_set_visible (fl->note, TRUE);
    }
  g_object_unref (fl->canvas);
  g_object_unref (fl->note);
  g_free (fl);
}

/* Space in the full-size window of a video. */
static gboolean
on_full_space (GtkWidget *win, GVariant *args, gpointer user_data)
{
  LmImagePlayer *player = g_object_get_data (G_OBJECT (g_object_get_data (G_OBJECT (win), "canvas")), "lm-player");

  if (player == NULL)
    return FALSE;
  lm_image_player_set_paused (player, !lm_image_player_get_paused (player));
  return TRUE;
}

GtkWidget *
lm_image_card_open_full_size (LmImageCard *self)
{
  LmImageCanvas *shown;
  LmImagePixels *p;
  LmImageMeta *m;
  LmImageAnimation *anim;
  GtkWidget *win, *scroller, *canvas, *box, *note;
  GtkEventController *sc;
  g_autofree char *title = NULL, *full_title = NULL;
  int zoom;

  g_return_val_if_fail (LM_IS_IMAGE_CARD (self), NULL);
  shown = LM_IMAGE_CANVAS (self->canvas);
  p = lm_image_canvas_get_pixels (shown);
  if (p == NULL)
    return NULL;
  /* Full size in its own window, scrollable, with the card's adjustments
   * and labels.  Small images (a grid of 28x28 samples) open magnified by
   * a whole factor, pixels kept square and crisp, so the window is about
   * a screenful; + / - / 0 change it. */
  zoom = CLAMP (MIN (1100 / p->full_width, 800 / p->full_height), 1, 8);
  title = g_strdup_printf ("%s — %s — %s", self->tag, self->run_name,
                           gtk_label_get_text (GTK_LABEL (self->step_label)));
  full_title = g_strdup_printf ("%s (×%d)", title, zoom);
  win = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (win), full_title);
  gtk_window_set_transient_for (GTK_WINDOW (win), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  gtk_window_set_destroy_with_parent (GTK_WINDOW (win), TRUE);
  canvas = lm_image_canvas_new ();
  lm_image_canvas_set_fit (LM_IMAGE_CANVAS (canvas), FALSE);
  lm_image_canvas_set_zoom (LM_IMAGE_CANVAS (canvas), zoom);
  lm_image_canvas_set_pixels (LM_IMAGE_CANVAS (canvas), p, NULL);
  lm_image_canvas_set_grid (LM_IMAGE_CANVAS (canvas), lm_image_canvas_get_grid (shown));
  lm_image_canvas_set_show_labels (LM_IMAGE_CANVAS (canvas), self->show_labels);
  lm_image_canvas_set_boxes (LM_IMAGE_CANVAS (canvas), lm_image_canvas_get_boxes (shown));
  lm_image_canvas_set_show_boxes (LM_IMAGE_CANVAS (canvas), self->show_boxes);
  lm_image_canvas_set_adjust (LM_IMAGE_CANVAS (canvas), self->brightness, self->contrast);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), canvas);
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_width (GTK_SCROLLED_WINDOW (scroller), 1200);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 900);
  /* Above the image, shown only when the whole image cannot be loaded. */
  note = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (note), 0);
  gtk_label_set_wrap (GTK_LABEL (note), TRUE);
  gtk_label_set_selectable (GTK_LABEL (note), TRUE);
  gtk_widget_add_css_class (note, "lm-warning");
  gtk_widget_set_visible (note, FALSE);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), note);
  gtk_box_append (GTK_BOX (box), scroller);
  gtk_window_set_child (GTK_WINDOW (win), box);

  g_object_set_data (G_OBJECT (win), "canvas", canvas);
  g_object_set_data (G_OBJECT (win), "lm-note", note);
  g_object_set_data_full (G_OBJECT (win), "base-title", g_steal_pointer (&title), g_free);
  sc = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (sc), GTK_SHORTCUT_SCOPE_LOCAL);
  add_zoom_key (GTK_SHORTCUT_CONTROLLER (sc), GDK_KEY_plus, 1);
  add_zoom_key (GTK_SHORTCUT_CONTROLLER (sc), GDK_KEY_equal, 1);
  add_zoom_key (GTK_SHORTCUT_CONTROLLER (sc), GDK_KEY_KP_Add, 1);
  add_zoom_key (GTK_SHORTCUT_CONTROLLER (sc), GDK_KEY_minus, -1);
  add_zoom_key (GTK_SHORTCUT_CONTROLLER (sc), GDK_KEY_KP_Subtract, -1);
  add_zoom_key (GTK_SHORTCUT_CONTROLLER (sc), GDK_KEY_0, 0);
  add_zoom_key (GTK_SHORTCUT_CONTROLLER (sc), GDK_KEY_KP_0, 0);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (sc),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, 0),
                                                          gtk_callback_action_new (on_full_space, NULL, NULL)));
  /* Escape closes it, as it closes a scalar card's larger view */
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (sc),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (win, sc);

  /* The card holds the image reduced to its size: show that stretched at
   * once, and the whole image when it is decoded.  Closing the window
   * cancels the load and lets the whole image go. */
  m = meta_at (self, (guint) MAX (self->shown_index, 0));
  anim = lm_image_player_get_animation (self->player);
  if (anim != NULL)
    {
      /* A video plays on in the window from the card's frame, paused if
       * the card is; the window's own player goes with its canvas. */
      LmImagePlayer *player = lm_image_player_new (canvas, NULL, NULL);

      g_object_set_data_full (G_OBJECT (canvas), "lm-player", player, (GDestroyNotify) lm_image_player_free);
      lm_image_player_set_paused (player, lm_image_player_get_paused (self->player));
      lm_image_player_set_animation (player, anim, FALSE);
      lm_image_player_seek (player, lm_image_player_get_frame (self->player));
    }
  if (p->factor > 1 && m != NULL)
    {
      GCancellable *cancellable = g_cancellable_new ();
      FullLoad *fl = g_new0 (FullLoad, 1);

      fl->canvas = g_object_ref (LM_IMAGE_CANVAS (canvas));
      fl->note = g_object_ref (note);
      fl->factor = p->factor;
      fl->video = anim != NULL;
      g_object_set_data_full (G_OBJECT (win), "lm-cancellable", cancellable, g_object_unref);
      g_signal_connect_object (win, "destroy", G_CALLBACK (g_cancellable_cancel), cancellable, G_CONNECT_SWAPPED);
      if (fl->video)
        lm_image_loader_load_animation_async (self->loader, self->run_path, m->id, 1, cancellable, on_full_loaded,
                                              fl);
      else
        lm_image_loader_load_async (self->loader, self->run_path, m->id, cancellable, on_full_loaded, fl);
    }
  gtk_window_present (GTK_WINDOW (win));
  return win;
}

static void
on_canvas_click (GtkGestureClick *g, int n, double x, double y, LmImageCard *self)
{
  lm_image_card_open_full_size (self);
}

static void
lm_image_card_dispose (GObject *object)
{
  LmImageCard *self = LM_IMAGE_CARD (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->sync_id, g_source_remove);
  /* before the canvas goes with the children */
  g_clear_pointer (&self->player, lm_image_player_free);
  G_OBJECT_CLASS (lm_image_card_parent_class)->dispose (object);
}

static void
lm_image_card_finalize (GObject *object)
{
  LmImageCard *self = LM_IMAGE_CARD (object);

  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->prefetching);
  g_clear_object (&self->feed);
  g_clear_object (&self->loader);
  g_free (self->run_name);
  g_free (self->run_path);
  g_free (self->tag);
  g_free (self->error);
  G_OBJECT_CLASS (lm_image_card_parent_class)->finalize (object);
}

/* A card playing a video takes the focus for Space: ringed, as the graph
 * canvas is, while it has it. */
static void
lm_image_card_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  GTK_WIDGET_CLASS (lm_image_card_parent_class)->snapshot (widget, snapshot);
  lm_theme_snapshot_focus_ring (widget, snapshot);
}

static void
lm_image_card_class_init (LmImageCardClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_image_card_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_image_card_finalize;
  GTK_WIDGET_CLASS (klass)->map = lm_image_card_map;
  GTK_WIDGET_CLASS (klass)->unmap = lm_image_card_unmap;
  GTK_WIDGET_CLASS (klass)->snapshot = lm_image_card_snapshot;
}

static void
on_play_clicked (GtkButton *button, LmImageCard *self)
{
  lm_image_card_set_playing (self, lm_image_player_get_paused (self->player));
}

/* Space on a card showing a video (its own focus, or the slider's). */
static gboolean
on_space (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  LmImageCard *self = LM_IMAGE_CARD (widget);

  if (self->player == NULL || lm_image_player_get_animation (self->player) == NULL)
    return FALSE;
  lm_image_card_set_playing (self, lm_image_player_get_paused (self->player));
  return TRUE;
}

static void
lm_image_card_init (LmImageCard *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *step_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkEventController *keys = gtk_shortcut_controller_new ();
  GtkWidget *menu = gtk_menu_button_new ();
  GtkWidget *pop_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *popover = gtk_popover_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  self->cancellable = g_cancellable_new ();
  self->prefetching = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->contrast = 1;
  self->show_labels = TRUE;
  self->show_boxes = TRUE;
  self->shown_index = -1;
  self->linked = LM_DASH_LINKED_INIT;
  self->in_view = TRUE;
  self->shown_paused = -1;
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 2);

  self->canvas = lm_image_canvas_new ();
  gtk_widget_set_cursor_from_name (self->canvas, "zoom-in");
  lm_set_tooltip (self->canvas, CLICK_HINT);
  g_signal_connect (click, "released", G_CALLBACK (on_canvas_click), self);
  gtk_widget_add_controller (self->canvas, GTK_EVENT_CONTROLLER (click));
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->canvas);
  gtk_widget_set_size_request (self->scroller, 260, 220);
  gtk_widget_set_vexpand (self->scroller, TRUE);

  self->step_label = gtk_label_new ("");
  gtk_label_set_xalign (GTK_LABEL (self->step_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->step_label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (self->step_label, TRUE);
  gtk_widget_add_css_class (self->step_label, "lm-status-line");
  gtk_widget_set_margin_start (self->step_label, 8);
  /* a video's frame, rate and play/pause, after the step */
  self->frame_label = gtk_label_new ("");
  gtk_widget_add_css_class (self->frame_label, "lm-status-line");
  gtk_widget_add_css_class (self->frame_label, "numeric");
  gtk_label_set_xalign (GTK_LABEL (self->frame_label), 1);
  gtk_widget_set_visible (self->frame_label, FALSE);
  self->play_button = gtk_button_new_from_icon_name ("media-playback-pause-symbolic");
  gtk_button_set_has_frame (GTK_BUTTON (self->play_button), FALSE);
  gtk_widget_add_css_class (self->play_button, "lm-card-button");
  gtk_widget_set_visible (self->play_button, FALSE);
  g_signal_connect (self->play_button, "clicked", G_CALLBACK (on_play_clicked), self);
  gtk_box_append (GTK_BOX (step_row), self->step_label);
  gtk_box_append (GTK_BOX (step_row), self->frame_label);
  gtk_box_append (GTK_BOX (step_row), self->play_button);
  self->player = lm_image_player_new (self->canvas, on_player_frame, self);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, 0),
                                                          gtk_callback_action_new (on_space, NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  lm_theme_redraw_on_focus (GTK_WIDGET (self));
  self->caption = gtk_label_new ("");
  gtk_label_set_wrap (GTK_LABEL (self->caption), TRUE);
  /* a long caption wraps to the card's width (at most three lines, the
   * whole text as tooltip) instead of widening every card of the grid */
  gtk_label_set_max_width_chars (GTK_LABEL (self->caption), 36);
  gtk_label_set_lines (GTK_LABEL (self->caption), 3);
  gtk_label_set_ellipsize (GTK_LABEL (self->caption), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (self->caption), 0);
  gtk_widget_set_margin_start (self->caption, 8);
  gtk_widget_set_visible (self->caption, FALSE);

  self->adj = gtk_adjustment_new (0, 0, 0, 1, 10, 0);
  g_signal_connect (self->adj, "value-changed", G_CALLBACK (on_value_changed), self);
  self->scale = gtk_scale_new (GTK_ORIENTATION_HORIZONTAL, self->adj);
  gtk_scale_set_digits (GTK_SCALE (self->scale), 0);
  gtk_scale_set_draw_value (GTK_SCALE (self->scale), FALSE);
  gtk_widget_set_hexpand (self->scale, TRUE);
  lm_set_tooltip (self->scale, "Step (every logged image)");

  self->fit_button = gtk_toggle_button_new_with_label ("Fit");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->fit_button), TRUE);
  lm_set_tooltip (self->fit_button, "Fit to the card, or show at actual size");
  gtk_widget_add_css_class (self->fit_button, "lm-card-button");
  g_signal_connect (self->fit_button, "toggled", G_CALLBACK (on_fit_toggled), self);

  gtk_box_append (GTK_BOX (pop_box), adjust_row (self, "Brightness", -1, 1, 0, FALSE));
  gtk_box_append (GTK_BOX (pop_box), adjust_row (self, "Contrast", 0, 3, 1, TRUE));
  self->labels_check = gtk_check_button_new_with_label ("Cell labels");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->labels_check), TRUE);
  lm_set_tooltip (self->labels_check,
                               "Label each image of a grid (hover names the cell either way)");
  g_signal_connect (self->labels_check, "toggled", G_CALLBACK (on_labels_toggled), self);
  gtk_box_append (GTK_BOX (pop_box), self->labels_check);
  /* TensorBoard has no such switch (its boxes are pixels): on by default */
  self->boxes_check = gtk_check_button_new_with_label ("Boxes");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->boxes_check), TRUE);
  lm_set_tooltip (self->boxes_check, "Draw the boxes logged with the image (add_image_with_boxes)");
  g_signal_connect (self->boxes_check, "toggled", G_CALLBACK (on_boxes_toggled), self);
  gtk_box_append (GTK_BOX (pop_box), self->boxes_check);
  gtk_popover_set_child (GTK_POPOVER (popover), pop_box);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (menu), popover);
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu), "display-brightness-symbolic");
  lm_icon_tip (menu, "Brightness, contrast, cell labels and boxes");
  gtk_widget_add_css_class (menu, "lm-card-button");

  gtk_box_append (GTK_BOX (row), self->scale);
  gtk_box_append (GTK_BOX (row), self->fit_button);
  gtk_box_append (GTK_BOX (row), menu);
  gtk_box_append (GTK_BOX (self), step_row);
  gtk_box_append (GTK_BOX (self), self->scroller);
  gtk_box_append (GTK_BOX (self), self->caption);
  gtk_box_append (GTK_BOX (self), row);
}

GtkWidget *
lm_image_card_new (LmRecordFeed *feed, LmImageLoader *loader, const char *run_name,
                   const char *run_path, const char *tag)
{
  LmImageCard *self = g_object_new (LM_TYPE_IMAGE_CARD, NULL);

  self->feed = g_object_ref (feed);
  self->loader = g_object_ref (loader);
  self->run_name = g_strdup (run_name);
  self->run_path = g_strdup (run_path);
  self->tag = g_strdup (tag);
  lm_image_card_refresh (self);
  return GTK_WIDGET (self);
}

void
lm_image_card_set_linked_steps (LmImageCard *self, const LmStepSelection *sel)
{
  LmRecordSeries *s;

  g_return_if_fail (LM_IS_IMAGE_CARD (self));
  s = series (self);
  move_linked (self, lm_dash_linked_set (&self->linked, sel, s ? s->items : NULL,
                                        (int) gtk_adjustment_get_value (self->adj)));
}

const char *
lm_image_card_get_step_text (LmImageCard *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_CARD (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->step_label));
}

guint
lm_image_card_get_n_steps (LmImageCard *self)
{
  return self->n_steps;
}

void
lm_image_card_set_index (LmImageCard *self, guint index)
{
  gtk_adjustment_set_value (self->adj, index);
}

guint
lm_image_card_get_index (LmImageCard *self)
{
  return (guint) gtk_adjustment_get_value (self->adj);
}

int
lm_image_card_get_shown_index (LmImageCard *self)
{
  return self->shown_index;
}

gboolean
lm_image_card_is_settled (LmImageCard *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_CARD (self), TRUE);
  if (self->n_steps == 0 || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return TRUE;
  if (!self->placed)
    return FALSE;
  return !self->on_screen || (self->shown_index == (int) lm_image_card_get_index (self) && !needs_pixels (self));
}

gboolean
lm_image_card_is_on_screen (LmImageCard *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_CARD (self), FALSE);
  return self->placed && self->on_screen;
}

const char *
lm_image_card_get_error (LmImageCard *self)
{
  return self->error;
}

void
lm_image_card_set_fit (LmImageCard *self, gboolean fit)
{
  lm_image_canvas_set_fit (LM_IMAGE_CANVAS (self->canvas), fit);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller),
                                  fit ? GTK_POLICY_NEVER : GTK_POLICY_AUTOMATIC,
                                  fit ? GTK_POLICY_NEVER : GTK_POLICY_AUTOMATIC);
  if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->fit_button)) != fit)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->fit_button), fit);
  /* the whole image at actual size, the reduced one back when fitted */
  if (self->placed && self->on_screen && needs_pixels (self))
    queue_sync (self);
}

void
lm_image_card_set_adjust (LmImageCard *self, double brightness, double contrast)
{
  self->brightness = brightness;
  self->contrast = contrast;
  lm_image_canvas_set_adjust (LM_IMAGE_CANVAS (self->canvas), brightness, contrast);
}

void
lm_image_card_set_show_labels (LmImageCard *self, gboolean show)
{
  g_return_if_fail (LM_IS_IMAGE_CARD (self));
  self->show_labels = !!show;
  lm_image_canvas_set_show_labels (LM_IMAGE_CANVAS (self->canvas), self->show_labels);
  if (gtk_check_button_get_active (GTK_CHECK_BUTTON (self->labels_check)) != self->show_labels)
    gtk_check_button_set_active (GTK_CHECK_BUTTON (self->labels_check), self->show_labels);
}

void
lm_image_card_set_show_boxes (LmImageCard *self, gboolean show)
{
  g_return_if_fail (LM_IS_IMAGE_CARD (self));
  self->show_boxes = !!show;
  lm_image_canvas_set_show_boxes (LM_IMAGE_CANVAS (self->canvas), self->show_boxes);
  if (gtk_check_button_get_active (GTK_CHECK_BUTTON (self->boxes_check)) != self->show_boxes)
    gtk_check_button_set_active (GTK_CHECK_BUTTON (self->boxes_check), self->show_boxes);
}

GtkWidget *
lm_image_card_get_full_size_note (GtkWidget *full_window)
{
  g_return_val_if_fail (GTK_IS_WINDOW (full_window), NULL);
  return g_object_get_data (G_OBJECT (full_window), "lm-note");
}

GtkWidget *
lm_image_card_get_canvas (LmImageCard *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_CARD (self), NULL);
  return self->canvas;
}

int
lm_image_card_get_video_frame (LmImageCard *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_CARD (self), -1);
  return lm_image_player_get_frame (self->player);
}

void
lm_image_card_set_video_frame (LmImageCard *self, int frame)
{
  g_return_if_fail (LM_IS_IMAGE_CARD (self));
  lm_image_player_seek (self->player, frame);
}

gboolean
lm_image_card_get_playing (LmImageCard *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_CARD (self), FALSE);
  return lm_image_player_get_animation (self->player) != NULL && !lm_image_player_get_paused (self->player);
}

void
lm_image_card_set_playing (LmImageCard *self, gboolean playing)
{
  g_return_if_fail (LM_IS_IMAGE_CARD (self));
  lm_image_player_set_paused (self->player, !playing);
  update_video_controls (self);
}

gboolean
lm_image_card_is_animating (LmImageCard *self)
{
  g_return_val_if_fail (LM_IS_IMAGE_CARD (self), FALSE);
  return lm_image_player_is_ticking (self->player);
}

void
lm_image_card_hold_videos (int frame)
{
  lm_image_player_hold_all (frame);
}
