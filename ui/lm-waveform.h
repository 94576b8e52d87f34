/* lm-waveform.h: an audio clip drawn as its waveform.
 *
 * What it is for: the Audio dashboard's picture of a clip.  Each pixel
 * column shows the smallest and largest sample of the frames it covers
 * (per channel: a click of one sample is never lost, as Lumen's charts
 * keep a spike), in the run's colour, the channels stacked top to bottom,
 * over a time axis in seconds; a playhead line marks a position, and a
 * click (or drag) asks to move it there ("seek").  It draws from a
 * clip's peak summary (per block of frames, its least and greatest
 * sample), never from every sample.  An error text, when
 * set, is drawn in place of the waveform.  Signals: "seek" (double
 * seconds), "wants-samples" (drawn near the view with neither samples
 * nor an error: time to load them).
 *
 * What it is not for: decoding or playing (lm-audio-card.c does both).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-audio.h"

G_BEGIN_DECLS

#define LM_TYPE_WAVEFORM (lm_waveform_get_type ())
G_DECLARE_FINAL_TYPE (LmWaveform, lm_waveform, LM, WAVEFORM, GtkWidget)

GtkWidget *lm_waveform_new          (void);
/* A clip's peak summary (lm-audio.h), its arrays not copied: `owner`
 * keeps them alive until `free_owner` (may be NULL) is called on it,
 * when other peaks replace them or the widget goes.  peaks NULL:
 * nothing to draw. */
void       lm_waveform_set_peaks    (LmWaveform *self, const LmAudioPeaks *peaks, GDestroyNotify free_owner,
                                     gpointer owner);
void       lm_waveform_set_color    (LmWaveform *self, const GdkRGBA *color);
void       lm_waveform_get_color    (LmWaveform *self, GdkRGBA *color);
/* Drawn instead of the waveform (NULL: none). */
void       lm_waveform_set_error    (LmWaveform *self, const char *error);
/* The playhead, in seconds from the start; negative: none. */
void       lm_waveform_set_playhead (LmWaveform *self, double seconds);
double     lm_waveform_get_playhead (LmWaveform *self);
double     lm_waveform_get_duration (LmWaveform *self);
/* Drawn near its scrolled window's view (far off screen it is not drawn:
 * lm_dash_offscreen_skip); *known: drawn at all since mapped. */
gboolean   lm_waveform_is_near_view (LmWaveform *self, gboolean *known);
/* Where channel `channel`'s waveform lies in the widget, and the time
 * at x (for tests, and for the clicks). */
gboolean   lm_waveform_get_lane     (LmWaveform *self, int channel, graphene_rect_t *lane);
double     lm_waveform_time_at      (LmWaveform *self, double x);

G_END_DECLS
