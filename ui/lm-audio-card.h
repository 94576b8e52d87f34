/* lm-audio-card.h: one run's audio tag with a step slider and a player.
 *
 * What it is for: TensorBoard's audio card: the slider reaches every
 * logged clip (no sampling), the step and wall time, the duration
 * ("0:02.5", "250 ms"), sample rate and channels are shown with the
 * clip's label (Markdown, rendered as the Text dashboard renders text,
 * one taller than 120 px scrolling), the clip is drawn as its waveform
 * (per pixel column min and max of each channel, in the run's colour)
 * and played through GTK's media API, a playhead moving across the
 * waveform; a click on the waveform seeks, Space plays or pauses while
 * the card has the focus.  Clips come from LmAudioLoader (decoded off
 * the main thread, cached), loaded once the card is drawn near the view.
 *
 * Playback needs a file (GStreamer's backend plays URIs): the clip's WAV
 * bytes go to a private temporary file under the user's cache folder
 * (lumen/audio/), deleted when the card stops playing that clip.  Without
 * a GTK media backend the Play button is insensitive and the card says
 * why; a clip that cannot be played or decoded says so on the card, and
 * the waveform of a clip that decodes is shown either way.
 *
 * Link by step (lm-chart-settings.h): the slider moves as the image
 * card's (lm_dash_linked_set): to the clip at the selected step, or one
 * within a tenth of the gap around it, the step line saying "step 120
 * (nearest to 121)"; otherwise it stays, "(none at 125)".
 *
 * What it is not for: reading files (the feed and the loader do).
 */
#pragma once

#include <gtk/gtk.h>

#include "lumen-data.h"
#include "lm-audio.h"
#include "lm-plot.h"

G_BEGIN_DECLS

#define LM_TYPE_AUDIO_CARD (lm_audio_card_get_type ())
G_DECLARE_FINAL_TYPE (LmAudioCard, lm_audio_card, LM, AUDIO_CARD, GtkBox)

GtkWidget  *lm_audio_card_new          (LmRecordFeed *feed, LmAudioLoader *loader, const char *run_name,
                                        const char *run_path, const char *tag, const GdkRGBA *color);
void        lm_audio_card_refresh      (LmAudioCard *self);
guint       lm_audio_card_get_n_steps  (LmAudioCard *self);
/* Link by step: the slider to the selected step (NULL or !active: the
 * slider stays where it is, its note goes). */
void        lm_audio_card_set_linked_steps (LmAudioCard *self, const LmStepSelection *sel);
/* Moves the slider to the index-th logged clip (step order). */
void        lm_audio_card_set_index    (LmAudioCard *self, guint index);
guint       lm_audio_card_get_index    (LmAudioCard *self);
/* The selected clip is drawn (or its error shown), or the card is off
 * screen and waits for nothing. */
gboolean    lm_audio_card_is_settled   (LmAudioCard *self);
/* Why the selected clip cannot be shown, or NULL. */
const char *lm_audio_card_get_error    (LmAudioCard *self);
/* "step 20 · 2024-03-03 14:05:09" and "0:02.5 · 44.1 kHz · mono". */
const char *lm_audio_card_get_step_text (LmAudioCard *self);
const char *lm_audio_card_get_info_text (LmAudioCard *self);
/* The label as shown (Markdown rendered to text), "" if none. */
char       *lm_audio_card_get_label_text (LmAudioCard *self);
/* The label's GtkTextView (the Text dashboard's view, lm_markdown_render's
 * buffer), in a GtkScrolledWindow of CSS class "lm-audio-label". */
GtkWidget  *lm_audio_card_get_label_view (LmAudioCard *self);
/* Play or pause the selected clip (what the button and Space do).  FALSE
 * when it cannot play: lm_audio_card_get_playback_message says why. */
gboolean    lm_audio_card_toggle_play  (LmAudioCard *self);
gboolean    lm_audio_card_is_playing   (LmAudioCard *self);
/* Why playback is not possible or failed ("" when nothing is wrong). */
const char *lm_audio_card_get_playback_message (LmAudioCard *self);
GtkWidget  *lm_audio_card_get_play_button (LmAudioCard *self);
GtkWidget  *lm_audio_card_get_waveform (LmAudioCard *self);
GtkWidget  *lm_audio_card_get_slider (LmAudioCard *self);
/* "0:02.5", "1:05.0", "1:02:03.5"; under a second "250 ms", "1.5 ms",
 * "125 µs" (a frame at 8 kHz). */
void        lm_audio_format_duration   (double seconds, char *buf, gsize len);

G_END_DECLS
