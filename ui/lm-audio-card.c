/* lm-audio-card.c: audio tag card (see lm-audio-card.h).
 *
 * The slider holds an index into the series' items (step order).  Moving
 * it shows a cached clip at once; otherwise it starts one load and keeps
 * the previous waveform until the new one arrives, as the image card
 * does.  Nothing loads before the waveform is first drawn near the view
 * ("wants-samples"): a sweep of 500 audio cards decodes the few on
 * screen.
 *
 * Playback: one GtkMediaStream per card at most, for the clip selected
 * when Play was pressed, from a temporary WAV file: a short clip's bytes
 * come with it, a long one (whose WAV the loader does not keep) is
 * written out by the loader first; the file is deleted as soon as the
 * stream has opened it, and at the latest when the slider moves on.
 */
#include "lm-audio-card.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "lm-axis.h"
#include "lm-dash-util.h"
#include "lm-icon-tip.h"
#include "lm-markdown.h"
#include "lm-theme.h"
#include "lm-waveform.h"

/* the waveform's height, time axis included */
#define WAVEFORM_HEIGHT 150
/* the label's height at most: a longer one scrolls */
#define LABEL_MAX_HEIGHT 120

#define NO_BACKEND "No playback: GTK has no media backend (install libgtk-4-media-gstreamer and " \
                   "gstreamer1.0-plugins-good)"

struct _LmAudioCard
{
  GtkBox parent_instance;

  LmRecordFeed *feed;
  LmAudioLoader *loader;
  char *run_name, *run_path, *tag;
  GdkRGBA color;
  GCancellable *cancellable;

  GtkWidget *step_label, *info_label, *waveform, *label_view, *label_box, *message, *play_button, *scale;
  GtkAdjustment *adj;
  guint n_steps;
  gint64 shown_id;      /* clip drawn (or whose error is shown), -1 if none */
  gint64 loading_id;    /* load in flight, 0 if none */
  gboolean wanted;      /* the waveform was drawn near the view */
  char *error;
  char *step_text, *info_text;
  LmDashLinked linked;  /* link by step */

  LmAudioClip *clip;    /* the one drawn */
  GtkMediaStream *media;
  gint64 media_id;
  char *media_path;     /* its temporary WAV file */
  GCancellable *saving; /* a long clip being written to media_path */
  double pending_seek;  /* seconds, applied once the stream is prepared; < 0: none */
  char *play_message;   /* "" when nothing is wrong */
  guint fit_id;         /* fit_label pending */
};

G_DEFINE_FINAL_TYPE (LmAudioCard, lm_audio_card, GTK_TYPE_BOX)

static LmAudioMeta *
meta_at (LmAudioCard *self, guint index)
{
  LmRecordSeries *s = lm_record_feed_find (self->feed, self->run_name, self->tag);

  return s != NULL && index < s->items->len ? s->items->pdata[index] : NULL;
}

static LmAudioMeta *
selected (LmAudioCard *self)
{
  return meta_at (self, (guint) gtk_adjustment_get_value (self->adj));
}

void
lm_audio_format_duration (double seconds, char *buf, gsize len)
{
  /* tenths, rounded once so that 59.96 s reads 1:00.0, not 0:60.0 */
  gint64 tenths = (gint64) llround (MAX (seconds, 0) * 10);
  gint64 s = tenths / 10, m = s / 60, h = m / 60;
  double ms = MAX (seconds, 0) * 1000;

  /* under a second, tenths say little (a frame at 8 kHz read 0:00.0, 60
   * ms 0:00.1): three significant digits in ms, in µs under 1 ms, as an
   * audio editor's selection length; 999.6 ms rounds up to 0:01.0, and
   * 999.6 µs to 1 ms */
  if (ms > 0 && ms < 0.9995)
    g_snprintf (buf, len, "%.3g µs", ms * 1000);
  else if (ms < 999.5)
    g_snprintf (buf, len, "%.3g ms", ms);
  else if (h > 0)
    g_snprintf (buf, len, "%" G_GINT64_FORMAT ":%02d:%02d.%d", h, (int) (m % 60), (int) (s % 60), (int) (tenths % 10));
  else
    g_snprintf (buf, len, "%" G_GINT64_FORMAT ":%02d.%d", m, (int) (s % 60), (int) (tenths % 10));
}

/* "44.1 kHz", "8 kHz", "22050 Hz" stays "22.05 kHz"; "500 Hz". */
static void
format_rate (double rate, char *buf, gsize len)
{
  if (rate >= 1000)
    {
      char num[32];
      char *end;

      g_snprintf (num, sizeof num, "%.3f", rate / 1000);
      end = num + strlen (num) - 1;
      while (*end == '0')
        *end-- = '\0';
      if (*end == '.')
        *end = '\0';
      g_snprintf (buf, len, "%s kHz", num);
    }
  else
    g_snprintf (buf, len, "%g Hz", rate);
}

static void
update_labels (LmAudioCard *self, LmAudioMeta *m)
{
  char dur[48], rate[48], chans[32];
  /* linked by step to a step with no clip of its own: say so */
  g_autofree char *note = lm_dash_linked_note (&self->linked, (int) gtk_adjustment_get_value (self->adj), m->step);

  g_free (self->step_text);
  self->step_text = lm_dash_step_line (self->scale, m->step, note, m->wall_time);
  gtk_label_set_text (GTK_LABEL (self->step_label), self->step_text);
  lm_audio_format_duration (m->sample_rate > 0 ? (double) m->frames / m->sample_rate : 0, dur, sizeof dur);
  format_rate (m->sample_rate, rate, sizeof rate);
  if (m->channels == 1)
    g_strlcpy (chans, "mono", sizeof chans);
  else if (m->channels == 2)
    g_strlcpy (chans, "stereo", sizeof chans);
  else
    g_snprintf (chans, sizeof chans, "%d channels", m->channels);
  g_free (self->info_text);
  self->info_text = g_strdup_printf ("%s · %s · %s", dur, rate, chans);
  gtk_label_set_text (GTK_LABEL (self->info_label), self->info_text);
  if (m->label != NULL && *m->label)
    lm_markdown_render (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->label_view)), m->label, FALSE);
  gtk_widget_set_visible (self->label_box, m->label != NULL && *m->label);
}

/* ------------------------------------------------------------ playback */

/* Under the waveform: red for a clip that failed, grey (one short line,
 * the whole text in its tooltip) for a machine that cannot play any. */
static void
set_play_message (LmAudioCard *self, const char *text)
{
  gboolean quiet = text != NULL && g_str_has_prefix (text, "No playback:");

  g_free (self->play_message);
  self->play_message = g_strdup (text ? text : "");
  /* the whole reason in the tooltip; on the card, what to install */
  gtk_label_set_text (GTK_LABEL (self->message),
                      quiet ? "No playback: needs libgtk-4-media-gstreamer" : self->play_message);
  gtk_widget_set_visible (self->message, *self->play_message != '\0');
  gtk_label_set_wrap (GTK_LABEL (self->message), !quiet);
  gtk_label_set_ellipsize (GTK_LABEL (self->message), quiet ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
  lm_set_tooltip (self->message, quiet ? self->play_message : NULL);
  if (quiet)
    {
      gtk_widget_remove_css_class (self->message, "lm-warning");
      gtk_widget_add_css_class (self->message, "lm-status-line");
    }
  else
    {
      gtk_widget_remove_css_class (self->message, "lm-status-line");
      gtk_widget_add_css_class (self->message, "lm-warning");
    }
}

static void
update_play_button (LmAudioCard *self)
{
  gboolean playing = lm_audio_card_is_playing (self);

  gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                            playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  lm_icon_tip (self->play_button, playing ? "Pause (Space)" : "Play (Space)");
  /* a screen reader going through a hundred cards says which clip */
  if (self->tag != NULL)
    {
      g_autofree char *name = g_strdup_printf ("%s %s of %s", playing ? "Pause" : "Play", self->tag, self->run_name);

      gtk_accessible_update_property (GTK_ACCESSIBLE (self->play_button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    }
}

/* GTK picks its media backend once; without one, gtk_media_file_new ()
 * gives a GtkNoMediaFile whose every file fails.  Asked once. */
static gboolean
have_media_backend (void)
{
  static int have = -1;

  if (have < 0)
    {
      GtkMediaStream *probe = gtk_media_file_new ();

      have = g_strcmp0 (G_OBJECT_TYPE_NAME (probe), "GtkNoMediaFile") != 0;
      g_object_unref (probe);
    }
  return have;
}

static void
stop_media (LmAudioCard *self)
{
  if (self->media != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->media, self);
      gtk_media_stream_pause (self->media);
      g_clear_object (&self->media);
    }
  if (self->saving != NULL)
    {
      /* the worker writes on into a file no longer named; its result goes */
      g_cancellable_cancel (self->saving);
      g_clear_object (&self->saving);
    }
  if (self->media_path != NULL)
    {
      g_unlink (self->media_path);
      g_clear_pointer (&self->media_path, g_free);
    }
  self->media_id = 0;
  self->pending_seek = -1;
  if (self->waveform != NULL)
    lm_waveform_set_playhead (LM_WAVEFORM (self->waveform), -1);
  if (self->play_button != NULL)
    update_play_button (self);
}

static void
on_media_error (GtkMediaStream *media, GParamSpec *pspec, LmAudioCard *self)
{
  const GError *error = gtk_media_stream_get_error (media);
  g_autofree char *text = NULL;

  if (error == NULL)
    return;
  text = g_strdup_printf ("Cannot play this clip: %s", error->message);
  stop_media (self);
  set_play_message (self, text);
}

static void
on_media_timestamp (GtkMediaStream *media, GParamSpec *pspec, LmAudioCard *self)
{
  if (gtk_media_stream_get_playing (media) || gtk_media_stream_get_timestamp (media) > 0)
    lm_waveform_set_playhead (LM_WAVEFORM (self->waveform), gtk_media_stream_get_timestamp (media) / 1e6);
}

static void
on_media_state (GtkMediaStream *media, GParamSpec *pspec, LmAudioCard *self)
{
  if (gtk_media_stream_get_ended (media))
    lm_waveform_set_playhead (LM_WAVEFORM (self->waveform), -1);
  update_play_button (self);
}

static void
on_media_prepared (GtkMediaStream *media, GParamSpec *pspec, LmAudioCard *self)
{
  /* the backend has the file open now (and plays it again, and seeks in
   * it, through that): its name goes, so that nothing is left behind by
   * a lumen quit with Ctrl+Q (which closes no window), killed or crashed
   * while a clip plays */
  if (gtk_media_stream_is_prepared (media) && self->media_path != NULL)
    g_unlink (self->media_path);
  if (gtk_media_stream_is_prepared (media) && self->pending_seek >= 0 && gtk_media_stream_is_seekable (media))
    {
      gtk_media_stream_seek (media, (gint64) (self->pending_seek * 1e6));
      self->pending_seek = -1;
    }
}

/* A new private file under the cache folder, open for writing: its fd,
 * *path set; or -1 with *error set. */
static int
open_temp_wav (char **path, GError **error)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "lumen", "audio", NULL);
  g_autofree char *name = NULL;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int e = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot create %s: %s", dir, g_strerror (e));
      return -1;
    }
  name = g_build_filename (dir, "clip-XXXXXX.wav", NULL);
  fd = g_mkstemp_full (name, O_RDWR, 0600);
  if (fd < 0)
    {
      int e = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot create a file in %s: %s", dir,
                   g_strerror (e));
      return -1;
    }
  *path = g_steal_pointer (&name);
  return fd;
}

/* The clip's WAV bytes into fd, which it closes. */
static gboolean
write_wav (int fd, GBytes *wav, GError **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (wav, &size);

  while (size > 0)
    {
      gssize n = write (fd, data, size);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int e = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot write the clip: %s",
                       g_strerror (e));
          close (fd);
          return FALSE;
        }
      data += n;
      size -= (gsize) n;
    }
  close (fd);
  return TRUE;
}

static void
play_failed (LmAudioCard *self, const GError *error)
{
  g_autofree char *text = g_strdup_printf ("Cannot play this clip: %s", error->message);

  stop_media (self);
  set_play_message (self, text);
}

/* Plays media_path, from pending_seek. */
static gboolean
start_media (LmAudioCard *self)
{
  self->media = gtk_media_file_new_for_filename (self->media_path);
  /* a backend that fails at once (no module, a file it cannot read) has
   * its error set already */
  if (gtk_media_stream_get_error (self->media) != NULL)
    {
      on_media_error (self->media, NULL, self);
      return FALSE;
    }
  g_signal_connect (self->media, "notify::error", G_CALLBACK (on_media_error), self);
  g_signal_connect (self->media, "notify::timestamp", G_CALLBACK (on_media_timestamp), self);
  g_signal_connect (self->media, "notify::playing", G_CALLBACK (on_media_state), self);
  g_signal_connect (self->media, "notify::ended", G_CALLBACK (on_media_state), self);
  g_signal_connect (self->media, "notify::prepared", G_CALLBACK (on_media_prepared), self);
  on_media_prepared (self->media, NULL, self);
  gtk_media_stream_play (self->media);
  update_play_button (self);
  return TRUE;
}

static void
on_saved (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LmAudioCard *self = user_data;
  g_autoptr (GError) error = NULL;

  if (!lm_audio_loader_save_finish (LM_AUDIO_LOADER (source), res, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        play_failed (self, error);
    }
  else if (self->media_path != NULL && self->media == NULL)
    {
      g_clear_object (&self->saving);
      start_media (self);
    }
  g_object_unref (self);
}

gboolean
lm_audio_card_toggle_play (LmAudioCard *self)
{
  LmAudioMeta *m;
  g_autoptr (GError) error = NULL;
  double from;
  int fd;

  g_return_val_if_fail (LM_IS_AUDIO_CARD (self), FALSE);
  if (self->media != NULL && gtk_media_stream_get_playing (self->media))
    {
      gtk_media_stream_pause (self->media);
      return TRUE;
    }
  if (!have_media_backend ())
    {
      set_play_message (self, NO_BACKEND);
      gtk_widget_set_sensitive (self->play_button, FALSE);
      return FALSE;
    }
  m = selected (self);
  if (m == NULL || self->clip == NULL || self->shown_id != m->id)
    {
      set_play_message (self, self->error ? self->error : "The clip is still loading");
      return FALSE;
    }
  if (self->media_id == m->id && (self->media != NULL || self->saving != NULL))
    {
      if (self->media != NULL)
        gtk_media_stream_play (self->media);
      return TRUE;
    }
  from = lm_waveform_get_playhead (LM_WAVEFORM (self->waveform));
  stop_media (self);
  set_play_message (self, NULL);
  fd = open_temp_wav (&self->media_path, &error);
  if (fd < 0)
    {
      play_failed (self, error);
      return FALSE;
    }
  self->media_id = m->id;
  /* where the user clicked before pressing Play */
  self->pending_seek = from > 0 ? from : -1;
  if (self->clip->wav == NULL)
    {
      /* a long clip: written out from the run file, then played */
      self->saving = g_cancellable_new ();
      lm_audio_loader_save_async (self->loader, self->run_path, m->id, fd, self->saving, on_saved,
                                  g_object_ref (self));
      return TRUE;
    }
  if (!write_wav (fd, self->clip->wav, &error))
    {
      play_failed (self, error);
      return FALSE;
    }
  return start_media (self);
}

static void
on_seek (LmWaveform *waveform, double seconds, LmAudioCard *self)
{
  gtk_widget_grab_focus (self->waveform);
  lm_waveform_set_playhead (waveform, seconds);
  if (self->media == NULL)
    return;
  if (gtk_media_stream_is_prepared (self->media) && gtk_media_stream_is_seekable (self->media))
    gtk_media_stream_seek (self->media, (gint64) (seconds * 1e6));
  else
    self->pending_seek = seconds;
}

static void
on_play_clicked (GtkButton *button, LmAudioCard *self)
{
  lm_audio_card_toggle_play (self);
}

/* Space, with the focus anywhere in the card (the slider, the waveform) */
static gboolean
on_space (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  LmAudioCard *self = LM_AUDIO_CARD (widget);

  if (gtk_widget_get_sensitive (self->play_button))
    lm_audio_card_toggle_play (self);
  return TRUE;
}

/* ------------------------------------------------------------- loading */

static void show_index (LmAudioCard *self);

static void
show_clip (LmAudioCard *self, LmAudioMeta *m, LmAudioClip *clip, const char *error)
{
  LmWaveform *wf = LM_WAVEFORM (self->waveform);

  g_clear_pointer (&self->error, g_free);
  self->shown_id = m->id;
  if (clip == NULL)
    {
      /* the header names the tag and run */
      self->error = g_strdup_printf ("Step %" G_GINT64_FORMAT ": %s", m->step, error);
      g_clear_pointer (&self->clip, lm_audio_clip_unref);
      lm_waveform_set_peaks (wf, NULL, NULL, NULL);
      lm_waveform_set_error (wf, self->error);
      return;
    }
  g_clear_pointer (&self->clip, lm_audio_clip_unref);
  self->clip = lm_audio_clip_ref (clip);
  lm_waveform_set_error (wf, NULL);
  lm_waveform_set_peaks (wf, &clip->peaks, (GDestroyNotify) lm_audio_clip_unref, lm_audio_clip_ref (clip));
}

static void
on_loaded (GObject *source, GAsyncResult *res, gpointer user_data)
{
  LmAudioCard *self = user_data;
  g_autoptr (GError) error = NULL;
  LmAudioClip *clip = lm_audio_loader_load_finish (LM_AUDIO_LOADER (source), res, &error);
  LmAudioMeta *m;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  m = selected (self);
  if (m != NULL && m->id == self->loading_id)
    {
      self->loading_id = 0;
      show_clip (self, m, clip, error ? error->message : NULL);
    }
  else
    {
      self->loading_id = 0;
      show_index (self);   /* the slider moved on while this loaded */
    }
  if (clip != NULL)
    lm_audio_clip_unref (clip);
  g_object_unref (self);
}

static void
show_index (LmAudioCard *self)
{
  LmAudioMeta *m = selected (self);
  LmAudioClip *clip;

  if (m == NULL)
    return;
  if (self->media != NULL && self->media_id != m->id)
    stop_media (self);
  update_labels (self, m);
  if (!self->wanted || m->id == self->shown_id)
    return;
  if ((clip = lm_audio_loader_lookup (self->loader, self->run_path, m->id)) != NULL)
    {
      show_clip (self, m, clip, NULL);
      lm_audio_clip_unref (clip);
      return;
    }
  if (self->loading_id == 0)
    {
      self->loading_id = m->id;
      lm_audio_loader_load_async (self->loader, self->run_path, m->id, self->cancellable, on_loaded,
                                  g_object_ref (self));
    }
}

static void
on_wants_samples (LmWaveform *waveform, LmAudioCard *self)
{
  self->wanted = TRUE;
  show_index (self);
}

static void
on_value_changed (GtkAdjustment *adj, LmAudioCard *self)
{
  show_index (self);
}

void
lm_audio_card_refresh (LmAudioCard *self)
{
  LmRecordSeries *s = lm_record_feed_find (self->feed, self->run_name, self->tag);
  guint n = s ? s->items->len : 0, old_n = self->n_steps;
  int value = (int) gtk_adjustment_get_value (self->adj), linked;

  g_return_if_fail (LM_IS_AUDIO_CARD (self));
  self->n_steps = n;
  /* follow the linked step while the slider is where it put it (a new
   * clip may be nearer), else the newest clip, as the image card does,
   * unless one plays */
  linked = n != old_n ? lm_dash_linked_follow (&self->linked, s ? s->items : NULL, old_n, value) : -1;
  if (!lm_dash_step_slider_set_count (self->adj, self->scale, old_n, n,
                                      linked < 0 && !lm_audio_card_is_playing (self)))
    return;
  if (linked >= 0 && linked != value)
    gtk_adjustment_set_value (self->adj, linked);
  show_index (self);
}

/* ------------------------------------------------------------ the widget */

static void on_label_laid_out (LmAudioCard *self);

static void
lm_audio_card_dispose (GObject *object)
{
  LmAudioCard *self = LM_AUDIO_CARD (object);

  g_cancellable_cancel (self->cancellable);
  stop_media (self);
  /* the label's adjustment can outlive the card (whoever holds it): it
   * must not queue fit_label on a card without children */
  if (self->label_box != NULL)
    g_signal_handlers_disconnect_by_func (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->label_box)),
                                          on_label_laid_out, self);
  G_OBJECT_CLASS (lm_audio_card_parent_class)->dispose (object);
  g_clear_handle_id (&self->fit_id, g_source_remove);
}

static void
lm_audio_card_finalize (GObject *object)
{
  LmAudioCard *self = LM_AUDIO_CARD (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->clip, lm_audio_clip_unref);
  g_clear_object (&self->feed);
  g_clear_object (&self->loader);
  g_free (self->run_name);
  g_free (self->run_path);
  g_free (self->tag);
  g_free (self->error);
  g_free (self->step_text);
  g_free (self->info_text);
  g_free (self->play_message);
  G_OBJECT_CLASS (lm_audio_card_parent_class)->finalize (object);
}

/* ------------------------------------------------------------ the label */

/* The label's text view, as the Text dashboard's, knows its height only
 * once it has a width: it lays its text out for the width it was last
 * allocated (whatever width it is measured for), and asks for the new
 * height from inside that allocation, where the request is lost.  In the
 * card's box it was measured before it had any width and stayed 0 px
 * high (4, its top margin) for good; the Text dashboard's view is given a
 * fixed size, so it never mattered there.  So each time the view lays its
 * text out (its adjustment changes), the card checks from an idle that
 * the label has the height of its text, and resizes it when not.  A label
 * up to LABEL_MAX_HEIGHT px high is shown whole (no scrollbar, whose own
 * minimum, 46 px, would pad a one-line label); a taller one is cut there
 * and scrolls, so that a 5,000-character label does not stretch the card
 * (and every card of the grid with it). */
static GtkPolicyType
label_policy (LmAudioCard *self)
{
  int nat;

  gtk_widget_measure (self->label_view, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (self->label_view), NULL,
                      &nat, NULL, NULL);
  return nat > LABEL_MAX_HEIGHT ? GTK_POLICY_AUTOMATIC : GTK_POLICY_NEVER;
}

static gboolean
fit_label (gpointer data)
{
  LmAudioCard *self = data;
  GtkPolicyType policy, want = label_policy (self);
  int nat;

  self->fit_id = 0;
  gtk_scrolled_window_get_policy (GTK_SCROLLED_WINDOW (self->label_box), NULL, &policy);
  if (policy != want)
    gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->label_box), GTK_POLICY_NEVER, want);
  gtk_widget_measure (self->label_box, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (self->label_box), NULL, &nat,
                      NULL, NULL);
  if (nat != gtk_widget_get_height (self->label_box))
    gtk_widget_queue_resize (self->label_box);
  return G_SOURCE_REMOVE;
}

/* The text view sets its adjustment's bounds where it lays its text out,
 * in its allocation: too late to resize there. */
static void
on_label_laid_out (LmAudioCard *self)
{
  if (self->fit_id == 0)
    self->fit_id = g_idle_add (fit_label, self);
}

static void
lm_audio_card_unmap (GtkWidget *widget)
{
  LmAudioCard *self = LM_AUDIO_CARD (widget);

  /* a hidden view (or a card filtered away) does not go on playing */
  if (self->media != NULL)
    gtk_media_stream_pause (self->media);
  GTK_WIDGET_CLASS (lm_audio_card_parent_class)->unmap (widget);
}

static void
lm_audio_card_class_init (LmAudioCardClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lm_audio_card_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_audio_card_finalize;
  GTK_WIDGET_CLASS (klass)->unmap = lm_audio_card_unmap;
}

static void
lm_audio_card_init (LmAudioCard *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkEventController *keys = gtk_shortcut_controller_new ();

  self->cancellable = g_cancellable_new ();
  self->shown_id = -1;
  self->linked = LM_DASH_LINKED_INIT;
  self->pending_seek = -1;
  self->play_message = g_strdup ("");
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 2);

  self->step_label = lm_dash_status_label ();
  self->info_label = lm_dash_status_label ();

  self->waveform = lm_waveform_new ();
  /* as high in every card: a card beside one with a taller label (cards
   * of a row are as high as its tallest) keeps its waveform's height and
   * takes the difference above its controls, which stay at the bottom */
  gtk_widget_set_size_request (self->waveform, 260, WAVEFORM_HEIGHT);
  gtk_widget_set_focusable (self->waveform, TRUE);
  lm_theme_redraw_on_focus (self->waveform);
  lm_set_tooltip (self->waveform, "Click to move the playhead; Space plays or pauses");
  g_signal_connect (self->waveform, "seek", G_CALLBACK (on_seek), self);
  g_signal_connect (self->waveform, "wants-samples", G_CALLBACK (on_wants_samples), self);

  /* the clip's label, Markdown as TensorBoard's audio labels, shown as
   * the Text dashboard shows text (see fit_label) */
  self->label_view = lm_dash_markdown_view_new ();
  self->label_box = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->label_box), GTK_POLICY_NEVER, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (self->label_box), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (self->label_box), LABEL_MAX_HEIGHT);
  /* a scrollbar that shows, not one that appears on hover: that there
   * is more to read should be seen in a screenshot too */
  gtk_scrolled_window_set_overlay_scrolling (GTK_SCROLLED_WINDOW (self->label_box), FALSE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->label_box), self->label_view);
  g_signal_connect_swapped (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->label_box)), "changed",
                            G_CALLBACK (on_label_laid_out), self);
  gtk_widget_add_css_class (self->label_box, "lm-audio-label");
  gtk_widget_set_visible (self->label_box, FALSE);

  self->message = lm_dash_warning_label ();

  self->play_button = gtk_button_new_from_icon_name ("media-playback-start-symbolic");
  gtk_widget_add_css_class (self->play_button, "lm-card-button");
  g_signal_connect (self->play_button, "clicked", G_CALLBACK (on_play_clicked), self);
  update_play_button (self);
  if (!have_media_backend ())
    {
      /* say it once per card, where the button is, and why */
      gtk_widget_set_sensitive (self->play_button, FALSE);
      set_play_message (self, NO_BACKEND);
    }

  self->scale = lm_dash_step_slider_new (&self->adj, "Step (every logged clip)");
  g_signal_connect (self->adj, "value-changed", G_CALLBACK (on_value_changed), self);

  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, 0),
                                                          gtk_callback_action_new (on_space, NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  gtk_widget_set_vexpand (row, TRUE);
  gtk_widget_set_valign (row, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (row), self->play_button);
  gtk_box_append (GTK_BOX (row), self->scale);
  gtk_box_append (GTK_BOX (self), self->step_label);
  gtk_box_append (GTK_BOX (self), self->info_label);
  gtk_box_append (GTK_BOX (self), self->waveform);
  gtk_box_append (GTK_BOX (self), self->label_box);
  gtk_box_append (GTK_BOX (self), self->message);
  gtk_box_append (GTK_BOX (self), row);
}

GtkWidget *
lm_audio_card_new (LmRecordFeed *feed, LmAudioLoader *loader, const char *run_name, const char *run_path,
                   const char *tag, const GdkRGBA *color)
{
  LmAudioCard *self = g_object_new (LM_TYPE_AUDIO_CARD, NULL);

  self->feed = g_object_ref (feed);
  self->loader = g_object_ref (loader);
  self->run_name = g_strdup (run_name);
  self->run_path = g_strdup (run_path);
  self->tag = g_strdup (tag);
  self->color = *color;
  lm_waveform_set_color (LM_WAVEFORM (self->waveform), color);
  /* named as the PR curve rows' sliders are: a screen reader tells the
   * cards of a view apart */
  {
    g_autofree char *slider = g_strdup_printf ("Step of %s in %s", run_name, tag);
    g_autofree char *wave = g_strdup_printf ("Waveform of %s in %s", run_name, tag);

    gtk_accessible_update_property (GTK_ACCESSIBLE (self->scale), GTK_ACCESSIBLE_PROPERTY_LABEL, slider, -1);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->waveform), GTK_ACCESSIBLE_PROPERTY_LABEL, wave, -1);
    update_play_button (self);
  }
  lm_audio_card_refresh (self);
  return GTK_WIDGET (self);
}

void
lm_audio_card_set_linked_steps (LmAudioCard *self, const LmStepSelection *sel)
{
  LmRecordSeries *s;
  LmAudioMeta *m;
  int index, value;

  g_return_if_fail (LM_IS_AUDIO_CARD (self));
  s = lm_record_feed_find (self->feed, self->run_name, self->tag);
  value = (int) gtk_adjustment_get_value (self->adj);
  index = lm_dash_linked_set (&self->linked, sel, s ? s->items : NULL, value);
  if (index >= 0 && index != value)
    gtk_adjustment_set_value (self->adj, index);
  else if ((m = selected (self)) != NULL)
    update_labels (self, m);   /* the note may change */
}

guint
lm_audio_card_get_n_steps (LmAudioCard *self)
{
  g_return_val_if_fail (LM_IS_AUDIO_CARD (self), 0);
  return self->n_steps;
}

void
lm_audio_card_set_index (LmAudioCard *self, guint index)
{
  g_return_if_fail (LM_IS_AUDIO_CARD (self));
  gtk_adjustment_set_value (self->adj, index);
}

guint
lm_audio_card_get_index (LmAudioCard *self)
{
  g_return_val_if_fail (LM_IS_AUDIO_CARD (self), 0);
  return (guint) gtk_adjustment_get_value (self->adj);
}

gboolean
lm_audio_card_is_settled (LmAudioCard *self)
{
  LmAudioMeta *m;
  gboolean known;

  g_return_val_if_fail (LM_IS_AUDIO_CARD (self), TRUE);
  if (self->n_steps == 0 || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return TRUE;
  if (!lm_waveform_is_near_view (LM_WAVEFORM (self->waveform), &known))
    return known;   /* drawn far off screen: nothing to wait for */
  m = selected (self);
  return m != NULL && self->shown_id == m->id && self->loading_id == 0;
}

const char *
lm_audio_card_get_error (LmAudioCard *self)
{
  g_return_val_if_fail (LM_IS_AUDIO_CARD (self), NULL);
  return self->error;
}

const char *
lm_audio_card_get_step_text (LmAudioCard *self)
{
  g_return_val_if_fail (LM_IS_AUDIO_CARD (self), "");
  return self->step_text ? self->step_text : "";
}

const char *
lm_audio_card_get_info_text (LmAudioCard *self)
{
  g_return_val_if_fail (LM_IS_AUDIO_CARD (self), "");
  return self->info_text ? self->info_text : "";
}

char *
lm_audio_card_get_label_text (LmAudioCard *self)
{
  GtkTextBuffer *buf;
  GtkTextIter a, b;

  g_return_val_if_fail (LM_IS_AUDIO_CARD (self), NULL);
  if (!gtk_widget_get_visible (self->label_box))
    return g_strdup ("");
  buf = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->label_view));
  gtk_text_buffer_get_bounds (buf, &a, &b);
  return gtk_text_buffer_get_text (buf, &a, &b, FALSE);
}

GtkWidget *
lm_audio_card_get_label_view (LmAudioCard *self)
{
  g_return_val_if_fail (LM_IS_AUDIO_CARD (self), NULL);
  return self->label_view;
}

gboolean
lm_audio_card_is_playing (LmAudioCard *self)
{
  g_return_val_if_fail (LM_IS_AUDIO_CARD (self), FALSE);
  return self->media != NULL && gtk_media_stream_get_playing (self->media);
}

const char *
lm_audio_card_get_playback_message (LmAudioCard *self)
{
  g_return_val_if_fail (LM_IS_AUDIO_CARD (self), "");
  return self->play_message;
}

GtkWidget *
lm_audio_card_get_play_button (LmAudioCard *self)
{
  g_return_val_if_fail (LM_IS_AUDIO_CARD (self), NULL);
  return self->play_button;
}

GtkWidget *
lm_audio_card_get_waveform (LmAudioCard *self)
{
  g_return_val_if_fail (LM_IS_AUDIO_CARD (self), NULL);
  return self->waveform;
}

GtkWidget *
lm_audio_card_get_slider (LmAudioCard *self)
{
  g_return_val_if_fail (LM_IS_AUDIO_CARD (self), NULL);
  return self->scale;
}
