/* test-audio.c: the Audio dashboard (ui/lm-audio-card.c, ui/lm-waveform.c,
 * LM_DASHBOARD_AUDIO in ui/lm-record-dashboard.c), under a display.
 *
 * What it checks: the view lists a card per run and tag of a log
 * directory written with lm_writer_add_audio (two runs), each saying its
 * step, duration, sample rate and channels, and its label rendered as
 * Markdown, pinned like other cards, and following a clip logged while
 * the window is open; the waveform of a clip loud in its first half and silent in
 * its second has tall bars in the run's colour over the first half of
 * the card's waveform and a flat line over the second; a stereo clip has
 * two lanes; the slider reaches every clip and the duration follows it;
 * a clip whose WAV was damaged after it was logged shows why on its
 * card; with no GTK media backend (GTK_MEDIA=none, as on a CI machine
 * without one) Play is refused without a crash, the card says why and
 * its button is insensitive, and Space does the same; with the media
 * backend installed (libgtk-4-media-gstreamer; skipped without), Play
 * plays from a temporary file (the playhead moves) or says why not, the
 * file's name gone once the stream has it open, and the stream gone once
 * the slider moves on; a clip too long for the
 * loader to keep its WAV plays too, and closing the window as it plays
 * leaves no file; labels with a heading, a link, code, a list and a
 * table render in the Text dashboard's view, as high as their text, a
 * 5,000-character one scrolling in at most 120 px; durations under a
 * second in ms or µs (a clip of one frame); the
 * slider and waveform have screen-reader names; an empty log
 * directory says how to log audio; `lumen --view audio --screenshot`
 * draws the view.  Set LUMEN_TEST_SHOTS=DIR to keep the screenshot.
 * Skips without a display.
 */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include <lumen-log.h>

#include "lm-audio-card.h"
#include "lm-markdown.h"
#include "lm-record-dashboard.h"
#include "lm-test-run.h"
#include "lm-waveform.h"
#include "lm-window.h"
#include "ui-test-util.h"

#define RATE 8000

static gboolean have_display;
static const char *lumen_bin;
static char *logdir, *empty_dir, *scratch_dir;

static void
check (int rc, const char *what)
{
  if (rc != LM_OK)
    g_error ("%s: %s", what, lm_log_last_error ());
}

/* A clip of `seconds` at `rate` Hz: a 440 Hz sine of amplitude `amp`
 * over its first `loud` fraction, silence after (the second channel at
 * half the amplitude). */
static float *
clip_at (double rate, double seconds, double amp, double loud, int channels, gint64 *frames)
{
  gint64 n = (gint64) (seconds * rate);
  float *s = g_new0 (float, (gsize) n * channels);

  for (gint64 i = 0; i < n; i++)
    for (int c = 0; c < channels; c++)
      s[i * channels + c] = i < loud * n ? (float) (amp * sin (2 * G_PI * 440 * i / rate) * (c == 0 ? 1 : 0.5)) : 0;
  *frames = n;
  return s;
}

static float *
clip (double seconds, double amp, double loud, int channels, gint64 *frames)
{
  return clip_at (RATE, seconds, amp, loud, channels, frames);
}

static void
write_fixture (void)
{
  const double lengths[] = { 1.0, 2.5, 0.5 };
  lm_writer *w;
  gint64 n;

  /* run a: speech/clean at three steps (1 s, 2.5 s, 0.5 s), a
   * half-loud clip, a stereo one, and one to be damaged */
  check (lm_writer_open (&w, logdir, "a"), "open");
  for (int i = 0; i < 3; i++)
    {
      g_autofree float *s = clip (lengths[i], 0.5, 1, 1, &n);
      g_autofree char *label = g_strdup_printf ("**utterance** %d", i);

      check (lm_writer_add_audio_label (w, "speech/clean", i * 10, s, n, 1, RATE, label), "audio");
    }
  {
    g_autofree float *s = clip (2.0, 0.9, 0.5, 1, &n);

    check (lm_writer_add_audio (w, "wave/half", 0, s, n, 1, RATE), "audio");
  }
  {
    g_autofree float *s = clip_at (44100, 1.0, 0.9, 1, 2, &n);

    check (lm_writer_add_audio (w, "wave/stereo", 0, s, n, 2, 44100), "audio");
  }
  {
    g_autofree float *s = clip (0.5, 0.5, 1, 1, &n);

    check (lm_writer_add_audio (w, "wave/broken", 0, s, n, 1, RATE), "audio");
  }
  check (lm_writer_close (w), "close");

  /* run b: speech/clean once */
  check (lm_writer_open (&w, logdir, "b"), "open");
  {
    g_autofree float *s = clip_at (16000, 1.5, 0.3, 1, 1, &n);

    check (lm_writer_add_audio (w, "speech/clean", 5, s, n, 1, 16000), "audio");
  }
  check (lm_writer_close (w), "close");

  /* damage wave/broken's WAV after the fact: a RIFF header cut short */
  {
    g_autofree char *path = g_build_filename (logdir, "a", "run.lumen", NULL);

    lm_ui_sql_one_row (path, "UPDATE audio SET wav = X'52494646' WHERE tag_id = "
                             "(SELECT id FROM tags WHERE name = 'wave/broken')");
  }
}

/* ------------------------------------------------------------ helpers */

static gboolean
settled (gpointer win)
{
  return lm_window_is_settled (win);
}

static LmWindow *
open_window (const char *dir)
{
  return lm_ui_open_view (dir, "audio", 1400, 1000);
}

static LmRecordDashboard *
page_of (LmWindow *win)
{
  return LM_RECORD_DASHBOARD (lm_dashboards_get_page (lm_window_get_dashboards (win), "audio"));
}

static LmAudioCard *
card_of (LmWindow *win, const char *run, const char *tag)
{
  GtkWidget *c = lm_ui_record_card (win, "audio", run, tag);

  g_assert_true (LM_IS_AUDIO_CARD (c));
  return LM_AUDIO_CARD (c);
}

static void
wait_settled (LmWindow *win)
{
  g_assert_true (lm_test_wait_for (settled, win, 30000));
  lm_test_spin (50);
}

/* ------------------------------------------------------------ tests */

static gboolean
two_clips (gpointer card)
{
  return lm_audio_card_get_n_steps (card) == 2;
}

static void
test_cards (void)
{
  LmWindow *win;
  LmAudioCard *card;
  g_autofree char *label = NULL;

  if (lm_ui_test_no_display ())
    return;
  win = open_window (logdir);
  /* a: speech/clean, wave/half, wave/stereo, wave/broken; b: speech/clean */
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (page_of (win)), ==, 5);
  card = card_of (win, "b", "speech/clean");
  g_assert_cmpuint (lm_audio_card_get_n_steps (card), ==, 1);
  g_assert_true (g_str_has_prefix (lm_audio_card_get_step_text (card), "step 5 · "));
  g_assert_cmpstr (lm_audio_card_get_info_text (card), ==, "0:01.5 · 16 kHz · mono");
  g_assert_null (lm_audio_card_get_error (card));

  /* the newest clip is shown first, its label Markdown: no asterisks */
  card = card_of (win, "a", "speech/clean");
  g_assert_cmpuint (lm_audio_card_get_n_steps (card), ==, 3);
  g_assert_cmpuint (lm_audio_card_get_index (card), ==, 2);
  g_assert_cmpstr (lm_audio_card_get_info_text (card), ==, "500 ms · 8 kHz · mono");
  label = lm_audio_card_get_label_text (card);
  g_assert_cmpstr (g_strstrip (label), ==, "utterance 2");
  /* and on screen, a line high (a GtkTextView there stayed 0 px high) */
  g_assert_cmpint (gtk_widget_get_height (lm_ui_find_by_class (GTK_WIDGET (card), "lm-audio-label")), >=, 12);

  card = card_of (win, "a", "wave/stereo");
  g_assert_cmpstr (lm_audio_card_get_info_text (card), ==, "0:01.0 · 44.1 kHz · stereo");

  /* a pinned audio card goes to the Pinned section, an audio card too */
  g_assert_true (lm_record_dashboard_set_pinned (page_of (win), "a", "wave/half", TRUE));
  g_assert_cmpuint (lm_record_dashboard_get_n_pinned_shown (page_of (win)), ==, 1);
  g_assert_true (LM_IS_AUDIO_CARD (lm_record_dashboard_find_pinned_card (page_of (win), "a", "wave/half")));
  g_assert_true (lm_record_dashboard_set_pinned (page_of (win), "a", "wave/half", FALSE));

  /* live: a clip logged now shows, and the slider follows it */
  {
    lm_writer *w;
    gint64 n;
    g_autofree float *s = clip_at (16000, 0.25, 0.3, 1, 1, &n);

    card = card_of (win, "b", "speech/clean");
    check (lm_writer_open (&w, logdir, "b"), "open");
    check (lm_writer_add_audio (w, "speech/clean", 6, s, n, 1, 16000), "audio");
    check (lm_writer_close (w), "close");
    g_assert_true (lm_test_wait_for (two_clips, card, 10000));
    wait_settled (win);
    g_assert_cmpuint (lm_audio_card_get_index (card), ==, 1);
    g_assert_cmpstr (lm_audio_card_get_info_text (card), ==, "250 ms · 16 kHz · mono");
  }

  /* the tag filter applies */
  g_assert_true (lm_record_dashboard_set_filter (page_of (win), "^wave/", NULL));
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (page_of (win)), ==, 3);
  g_assert_true (lm_record_dashboard_set_filter (page_of (win), "", NULL));
  gtk_window_destroy (GTK_WINDOW (win));
}

/* Colour of a pixel (B, G, R, A bytes, opaque) within tol of c. */
static gboolean
is_color (const guchar *p, const GdkRGBA *c, int tol)
{
  return abs (p[2] - (int) lround (c->red * 255)) <= tol && abs (p[1] - (int) lround (c->green * 255)) <= tol
         && abs (p[0] - (int) lround (c->blue * 255)) <= tol;
}

/* Pixels of colour c in column x between y0 and y1 of the surface. */
static int
column_count (cairo_surface_t *s, int x, int y0, int y1, const GdkRGBA *c)
{
  const guchar *data = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s), n = 0;

  for (int y = MAX (y0, 0); y < MIN (y1, cairo_image_surface_get_height (s)); y++)
    n += is_color (data + (gsize) y * stride + 4 * x, c, 30);
  return n;
}

static void
test_waveform_pixels (void)
{
  LmWindow *win;
  LmAudioCard *card;
  LmWaveform *wf;
  graphene_rect_t lane, lane2;
  cairo_surface_t *s;
  GdkRGBA color;
  int x0, x1, mid, tall = 0, flat = 0, n_left = 0, n_right = 0;

  if (lm_ui_test_no_display ())
    return;
  win = open_window (logdir);
  card = card_of (win, "a", "wave/half");
  g_assert_null (lm_audio_card_get_error (card));
  wf = LM_WAVEFORM (lm_audio_card_get_waveform (card));
  g_assert_cmpfloat_with_epsilon (lm_waveform_get_duration (wf), 2.0, 1e-9);
  lm_waveform_get_color (wf, &color);
  g_assert_true (lm_waveform_get_lane (wf, 0, &lane));
  g_assert_false (lm_waveform_get_lane (wf, 1, &lane2));   /* mono: one lane */
  s = lm_ui_snapshot_widget (GTK_WIDGET (wf));
  x0 = (int) lane.origin.x;
  x1 = (int) (lane.origin.x + lane.size.width);
  mid = (x0 + x1) / 2;
  /* amplitude 0.9 fills 90 % of the lane's height: at least 70 % per
   * column over the loud half (4 columns kept off the edge and the
   * middle); silence is a line of a pixel or two */
  for (int x = x0 + 4; x < x1 - 4; x++)
    {
      int n = column_count (s, x, (int) lane.origin.y, (int) (lane.origin.y + lane.size.height), &color);

      if (x < mid - 4)
        {
          n_left++;
          tall += n >= 0.7 * lane.size.height;
        }
      else if (x > mid + 4)
        {
          n_right++;
          flat += n >= 1 && n <= 2;
        }
    }
  g_test_message ("lane %gx%g: %d/%d tall columns, %d/%d flat", lane.size.width, lane.size.height, tall, n_left,
                  flat, n_right);
  g_assert_cmpint (n_left, >, 50);
  g_assert_cmpint (tall, ==, n_left);
  g_assert_cmpint (flat, ==, n_right);
  cairo_surface_destroy (s);

  /* stereo: two lanes, the second channel at half the first's amplitude */
  card = card_of (win, "a", "wave/stereo");
  wf = LM_WAVEFORM (lm_audio_card_get_waveform (card));
  g_assert_true (lm_waveform_get_lane (wf, 0, &lane));
  g_assert_true (lm_waveform_get_lane (wf, 1, &lane2));
  g_assert_cmpfloat (lane2.origin.y, >=, lane.origin.y + lane.size.height);
  s = lm_ui_snapshot_widget (GTK_WIDGET (wf));
  {
    int x = (int) (lane.origin.x + lane.size.width / 2);
    int n0 = column_count (s, x, (int) lane.origin.y, (int) (lane.origin.y + lane.size.height), &color);
    int n1 = column_count (s, x, (int) lane2.origin.y, (int) (lane2.origin.y + lane2.size.height), &color);

    g_test_message ("stereo column: %d and %d pixels", n0, n1);
    g_assert_cmpint (n0, >=, 0.8 * lane.size.height);
    g_assert_cmpint (n1, >=, 0.35 * lane2.size.height);
    g_assert_cmpint (n1, <=, 0.6 * lane2.size.height);
  }
  cairo_surface_destroy (s);
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_slider (void)
{
  static const char *const want[] = { "0:01.0 · 8 kHz · mono", "0:02.5 · 8 kHz · mono", "500 ms · 8 kHz · mono" };
  LmWindow *win;
  LmAudioCard *card;
  LmWaveform *wf;

  if (lm_ui_test_no_display ())
    return;
  win = open_window (logdir);
  card = card_of (win, "a", "speech/clean");
  wf = LM_WAVEFORM (lm_audio_card_get_waveform (card));
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *label = NULL;
      g_autofree char *step = g_strdup_printf ("step %u · ", i * 10);

      lm_audio_card_set_index (card, i);
      wait_settled (win);
      g_assert_cmpuint (lm_audio_card_get_index (card), ==, i);
      g_assert_cmpstr (lm_audio_card_get_info_text (card), ==, want[i]);
      g_assert_true (g_str_has_prefix (lm_audio_card_get_step_text (card), step));
      /* the waveform is the clip's, not the one before */
      g_assert_cmpfloat_with_epsilon (lm_waveform_get_duration (wf), i == 0 ? 1.0 : i == 1 ? 2.5 : 0.5, 1e-9);
      label = lm_audio_card_get_label_text (card);
      g_assert_cmpuint (strlen (g_strstrip (label)), ==, strlen ("utterance 0"));
      /* each clip's label a line high on screen */
      g_assert_cmpint (gtk_widget_get_height (lm_ui_find_by_class (GTK_WIDGET (card), "lm-audio-label")), >=, 16);
    }
  gtk_window_destroy (GTK_WINDOW (win));
}

/* Whether `tag` covers the first occurrence of `text` in buf. */
static gboolean
tagged (GtkTextBuffer *buf, const char *tag, const char *text)
{
  GtkTextTag *t = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buf), tag);
  GtkTextIter start, a, b;

  gtk_text_buffer_get_start_iter (buf, &start);
  if (t == NULL || !gtk_text_iter_forward_search (&start, text, 0, &a, &b, NULL))
    return FALSE;
  gtk_text_iter_backward_char (&b);
  return gtk_text_iter_has_tag (&a, t) && gtk_text_iter_has_tag (&b, t);
}

/* the label's height at most, as lm-audio-card.c's */
#define LABEL_MAX_HEIGHT 120

#define LABEL_MD "# Sample 3\n\nSee [the paper](https://example.com/a?b=1&c=2), prompt `<s> & </s>`\n\n" \
                 "- clean\n- noisy\n\n| metric | value |\n|---|--:|\n| WER | 0.12 |\n| CER | 0.045 |\n"

/* Labels as speech engineers write them, rendered as the Text dashboard
 * renders text (its GtkTextView, as lm_markdown_render fills it): a
 * heading, a link that opens, code that holds markup characters, a list
 * and a table (the Pango-markup label there before had its table as
 * plain lines and no link on hover).  The view was 0 px high in the card
 * (4, its top margin): it has its text's height, and a long transcript
 * (5,000 characters) scrolls in at most 120 px, all of it there. */
/* The card fits its label to the text's height from an idle, once the
 * view has laid the text out: on a slow machine (the sanitizer pass) that
 * may come after the window has settled, so the tests wait for it. */
static gboolean
label_fitted (gpointer data)
{
  GtkWidget *box = data;
  GtkWidget *view = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (box));
  int nat;

  gtk_widget_measure (view, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (view), NULL, &nat, NULL, NULL);
  return gtk_widget_get_height (box) == MIN (nat, LABEL_MAX_HEIGHT);
}

static void
test_label_markdown (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-audio-labels-XXXXXX");
  g_autofree char *text = NULL, *whole = NULL;
  LmWindow *win;
  LmAudioCard *card;
  GtkWidget *box, *view;
  GtkTextBuffer *buf;
  GtkAdjustment *adj;
  lm_writer *w;
  gint64 n;
  int nat, short_card;
  g_autofree float *s = clip (0.25, 0.5, 1, 1, &n);
  GString *long_text = g_string_new (NULL);

  if (!have_display)
    {
      g_test_skip ("no display");
      g_string_free (long_text, TRUE);
      return;
    }
  check (lm_writer_open (&w, dir, "r"), "open");
  check (lm_writer_add_audio_label (w, "tts", 0, s, n, 1, RATE, LABEL_MD), "audio");
  check (lm_writer_add_audio_label (w, "short", 0, s, n, 1, RATE, "utterance"), "audio");
  for (int i = 0; long_text->len < 5000; i++)
    g_string_append_printf (long_text, "%sword%d", i ? " " : "", i);
  check (lm_writer_add_audio_label (w, "transcript", 0, s, n, 1, RATE, long_text->str), "audio");
  check (lm_writer_close (w), "close");
  win = open_window (dir);

  card = card_of (win, "r", "tts");
  view = lm_audio_card_get_label_view (card);
  g_assert_true (GTK_IS_TEXT_VIEW (view));
  g_assert_cmpint (gtk_text_view_get_wrap_mode (GTK_TEXT_VIEW (view)), ==, GTK_WRAP_WORD_CHAR);
  g_assert_false (gtk_text_view_get_editable (GTK_TEXT_VIEW (view)));
  buf = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  text = lm_audio_card_get_label_text (card);
  g_assert_cmpstr (text, ==, "Sample 3\n\nSee the paper, prompt <s> & </s>\n\n•  clean\n•  noisy\n\n"
                             "metric │ value\n───────┼──────\nWER    │  0.12\nCER    │ 0.045\n");
  /* the same buffer as the Text dashboard's for that text */
  {
    g_autoptr (GtkTextBuffer) ref = gtk_text_buffer_new (NULL);
    GtkTextIter a, b;
    g_autofree char *want = NULL;

    lm_markdown_render (ref, LABEL_MD, FALSE);
    gtk_text_buffer_get_bounds (ref, &a, &b);
    want = gtk_text_buffer_get_text (ref, &a, &b, FALSE);
    g_assert_cmpstr (text, ==, want);
  }
  g_assert_true (tagged (buf, "h1", "Sample 3"));
  g_assert_true (tagged (buf, "link", "the paper"));
  g_assert_true (tagged (buf, "code", "<s> & </s>"));
  g_assert_true (tagged (buf, "list", "•  clean"));
  g_assert_true (tagged (buf, "table-header", "metric │ value"));
  g_assert_true (tagged (buf, "table", "CER    │ 0.045"));
  {
    GtkTextIter it, end;

    gtk_text_buffer_get_start_iter (buf, &it);
    g_assert_true (gtk_text_iter_forward_search (&it, "paper", 0, &it, &end, NULL));
    g_assert_cmpstr (lm_markdown_link_at_iter (&it), ==, "https://example.com/a?b=1&c=2");
  }
  /* on screen, as high as its twelve lines (up to the cap), not 0 px */
  box = lm_ui_find_by_class (GTK_WIDGET (card), "lm-audio-label");
  g_assert_true (GTK_IS_SCROLLED_WINDOW (box));
  g_assert_true (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (box)) == view);
  g_assert_true (lm_test_wait_for (label_fitted, box, 10000));
  gtk_widget_measure (view, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (view), NULL, &nat, NULL, NULL);
  g_test_message ("label: %d px of text in %d px", nat, gtk_widget_get_height (box));
  g_assert_cmpint (nat, >=, 12 * 12);
  g_assert_cmpint (gtk_widget_get_height (box), ==, MIN (nat, LABEL_MAX_HEIGHT));

  /* one line: its line's height, not a scrollbar's (46 px) */
  card = card_of (win, "r", "short");
  box = lm_ui_find_by_class (GTK_WIDGET (card), "lm-audio-label");
  view = lm_audio_card_get_label_view (card);
  g_assert_true (lm_test_wait_for (label_fitted, box, 10000));
  gtk_widget_measure (view, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (view), NULL, &nat, NULL, NULL);
  g_assert_cmpint (nat, >=, 16);
  g_assert_cmpint (nat, <, 40);
  g_assert_cmpint (gtk_widget_get_height (box), ==, nat);
  gtk_widget_measure (GTK_WIDGET (card), GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (GTK_WIDGET (card)), NULL,
                      &short_card, NULL, NULL);

  /* 5,000 characters: at most LABEL_MAX_HEIGHT px, the rest scrolls; the
   * card's height (and every card's in the grid) is bounded by it */
  card = card_of (win, "r", "transcript");
  box = lm_ui_find_by_class (GTK_WIDGET (card), "lm-audio-label");
  view = lm_audio_card_get_label_view (card);
  whole = lm_audio_card_get_label_text (card);
  g_assert_cmpstr (whole, ==, long_text->str);
  g_assert_true (lm_test_wait_for (label_fitted, box, 10000));
  gtk_widget_measure (view, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (view), NULL, &nat, NULL, NULL);
  g_test_message ("transcript: %d px of text in %d px", nat, gtk_widget_get_height (box));
  g_assert_cmpint (nat, >, 20 * LABEL_MAX_HEIGHT / 2);
  g_assert_cmpint (gtk_widget_get_height (box), ==, LABEL_MAX_HEIGHT);
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (box));
  g_assert_cmpfloat (gtk_adjustment_get_upper (adj), >=, nat);
  g_assert_cmpfloat (gtk_adjustment_get_page_size (adj), <=, LABEL_MAX_HEIGHT);
  {
    int long_card;

    gtk_widget_measure (GTK_WIDGET (card), GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (GTK_WIDGET (card)), NULL,
                        &long_card, NULL, NULL);
    g_test_message ("card: %d px with a one-line label, %d px with 5,000 characters", short_card, long_card);
    g_assert_cmpint (long_card, <=, short_card + LABEL_MAX_HEIGHT);
    g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (card)), <=, short_card + LABEL_MAX_HEIGHT);
  }
  /* cards of a row are as high as its tallest: every waveform keeps its
   * height (the one-line label's card had 80 px beside the tall labels'
   * 160) and the controls stay at the cards' bottom, level in the row */
  {
    static const char *const tags[3] = { "short", "transcript", "tts" };
    graphene_point_t top[3], play[3];
    int wave[3], same_row = 0;

    for (int i = 0; i < 3; i++)
      {
        GtkWidget *c = GTK_WIDGET (card_of (win, "r", tags[i]));
        GtkWidget *b = lm_ui_find_descendant (c, GTK_TYPE_BUTTON);

        g_assert_true (gtk_widget_compute_point (c, GTK_WIDGET (win), &GRAPHENE_POINT_INIT (0, 0), &top[i]));
        g_assert_true (gtk_widget_compute_point (b, GTK_WIDGET (win), &GRAPHENE_POINT_INIT (0, 0), &play[i]));
        wave[i] = gtk_widget_get_height (lm_audio_card_get_waveform (LM_AUDIO_CARD (c)));
        g_test_message ("%s: waveform %d px, play button at y %.0f", tags[i], wave[i], play[i].y);
      }
    for (int i = 0; i < 3; i++)
      {
        g_assert_cmpint (wave[i], ==, wave[0]);
        for (int j = i + 1; j < 3; j++)
          if (top[i].y == top[j].y)
            {
              same_row++;
              g_assert_cmpfloat (play[i].y, ==, play[j].y);
            }
      }
    g_assert_cmpint (same_row, >=, 1);
  }
  /* the adjustment can outlive its card: once the card is gone, a change
   * of it no longer queues the card's resize check (which measured the
   * freed label) */
  g_object_ref (adj);
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_spin (50);
  g_assert_false (g_signal_has_handler_pending (adj, g_signal_lookup ("changed", GTK_TYPE_ADJUSTMENT), 0, FALSE));
  gtk_adjustment_configure (adj, 0, 0, 1000, 1, 10, 100);
  lm_test_spin (50);
  g_object_unref (adj);
  lm_test_rm_rf (dir);
  g_string_free (long_text, TRUE);
}

/* Durations: as before from a second up (m:ss.t, h:mm:ss.t); under it
 * tenths said 0:00.0 for a frame or anything under 50 ms, so three
 * significant digits in ms, or µs under 1 ms. */
static void
test_duration_format (void)
{
  static const struct
  {
    double seconds;
    const char *want;
  } cases[] = {
    { 1.0 / 8000, "125 µs" },          /* a frame at 8 kHz */
    { 1.0 / 44100, "22.7 µs" },
    { 1.0 / 48000, "20.8 µs" },
    { 1.0 / 4294967295.0, "0.000233 µs" }, /* a frame at the highest rate a WAV holds */
    { 0.0009996, "1 ms" },             /* not "1e+03 µs" */
    { 0.001, "1 ms" },
    { 0.0015, "1.5 ms" },
    { 0.02, "20 ms" },
    { 0.049, "49 ms" },
    { 0.0625, "62.5 ms" },
    { 0.25, "250 ms" },
    { 0.9994, "999 ms" },
    { 0.9996, "0:01.0" },              /* not "1e+03 ms" */
    { 1.0, "0:01.0" },
    { 2.5, "0:02.5" },
    { 59.96, "1:00.0" },
    { 3723.5, "1:02:03.5" },
    { 36000, "10:00:00.0" },
    { 0, "0 ms" },
    { -1, "0 ms" },
  };
  char buf[48];

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      lm_audio_format_duration (cases[i].seconds, buf, sizeof buf);
      g_assert_cmpstr (buf, ==, cases[i].want);
    }
}

/* A clip of one frame, and of 20 ms, on their cards. */
static void
test_short_clips (void)
{
  g_autofree char *dir = lm_test_tmpdir_new ("lumen-audio-short-XXXXXX");
  const float one[] = { 0.5f };
  gint64 n;
  g_autofree float *s = clip (0.02, 0.5, 1, 1, &n);
  LmWindow *win;
  LmAudioCard *card;
  lm_writer *w;

  if (lm_ui_test_no_display ())
    return;
  check (lm_writer_open (&w, dir, "r"), "open");
  check (lm_writer_add_audio (w, "frame", 0, one, 1, 1, RATE), "audio");
  check (lm_writer_add_audio (w, "blip", 0, s, n, 1, RATE), "audio");
  check (lm_writer_close (w), "close");
  win = open_window (dir);
  card = card_of (win, "r", "frame");
  wait_settled (win);
  g_assert_null (lm_audio_card_get_error (card));
  g_assert_cmpstr (lm_audio_card_get_info_text (card), ==, "125 µs · 8 kHz · mono");
  card = card_of (win, "r", "blip");
  g_assert_cmpstr (lm_audio_card_get_info_text (card), ==, "20 ms · 8 kHz · mono");
  gtk_window_destroy (GTK_WINDOW (win));
  lm_test_rm_rf (dir);
}

/* A screen reader tells cards apart: the slider is named as the PR curve
 * rows' are and says the step, not the index; the waveform and the Play
 * button name their clip. */
static void
test_accessible_names (void)
{
  LmWindow *win;
  LmAudioCard *card;
  GtkAccessible *slider, *wave;

  if (lm_ui_test_no_display ())
    return;
  win = open_window (logdir);
  card = card_of (win, "a", "speech/clean");
  slider = GTK_ACCESSIBLE (lm_audio_card_get_slider (card));
  wave = GTK_ACCESSIBLE (lm_audio_card_get_waveform (card));
  {
    g_autofree char *e1 = gtk_test_accessible_check_property (slider, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                              "Step of a in speech/clean");
    g_autofree char *e2 = gtk_test_accessible_check_property (slider, GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, "step 20");
    g_autofree char *e3 = gtk_test_accessible_check_property (wave, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                              "Waveform of a in speech/clean");
    g_autofree char *e4 = gtk_test_accessible_check_property (GTK_ACCESSIBLE (lm_audio_card_get_play_button (card)),
                                                              GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                              "Play speech/clean of a");

    g_assert_null (e1);
    g_assert_null (e2);
    g_assert_null (e3);
    g_assert_null (e4);
  }
  lm_audio_card_set_index (card, 1);
  {
    g_autofree char *e = gtk_test_accessible_check_property (slider, GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, "step 10");

    g_assert_null (e);
  }
  gtk_window_destroy (GTK_WINDOW (win));
}

static void
test_broken_clip (void)
{
  LmWindow *win;
  LmAudioCard *card;

  if (lm_ui_test_no_display ())
    return;
  win = open_window (logdir);
  card = card_of (win, "a", "wave/broken");
  g_assert_nonnull (lm_audio_card_get_error (card));
  g_test_message ("broken clip: %s", lm_audio_card_get_error (card));
  g_assert_true (g_str_has_prefix (lm_audio_card_get_error (card), "Step 0: "));
  /* its labels still say what was logged */
  g_assert_cmpstr (lm_audio_card_get_info_text (card), ==, "500 ms · 8 kHz · mono");
  /* and nothing to play */
  g_assert_false (lm_audio_card_toggle_play (card));
  gtk_window_destroy (GTK_WINDOW (win));
}

/* main () sets GTK_MEDIA=none: GTK's "no media" backend, what a machine
 * without libgtk-4-media-gstreamer has. */
static void
test_no_playback (void)
{
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "lumen", "audio", NULL);
  LmWindow *win;
  LmAudioCard *card;
  GtkWidget *button;

  if (lm_ui_test_no_display ())
    return;
  win = open_window (logdir);
  card = card_of (win, "a", "wave/half");
  button = lm_audio_card_get_play_button (card);
  /* said before anyone presses it */
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_nonnull (strstr (lm_audio_card_get_playback_message (card), "GTK has no media backend"));
  g_assert_nonnull (strstr (lm_audio_card_get_playback_message (card), "libgtk-4-media-gstreamer"));
  g_assert_false (lm_audio_card_toggle_play (card));
  g_assert_false (lm_audio_card_is_playing (card));
  g_assert_nonnull (strstr (lm_audio_card_get_playback_message (card), "GTK has no media backend"));
  /* Space on the card: handled, nothing plays, nothing crashes */
  gtk_widget_grab_focus (lm_audio_card_get_waveform (card));
  g_assert_true (lm_ui_press_key (GTK_WIDGET (card), GDK_KEY_space, 0));
  g_assert_false (lm_audio_card_is_playing (card));
  /* a click on the waveform moves the playhead all the same */
  lm_ui_emit (lm_audio_card_get_waveform (card), "seek", 0.5);
  g_assert_cmpfloat_with_epsilon (lm_waveform_get_playhead (LM_WAVEFORM (lm_audio_card_get_waveform (card))), 0.5,
                                  1e-9);
  /* and no temporary clip was left behind */
  if (g_file_test (cache, G_FILE_TEST_IS_DIR))
    {
      GDir *d = g_dir_open (cache, 0, NULL);

      g_assert_null (g_dir_read_name (d));
      g_dir_close (d);
    }
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
cache_is_empty (void)
{
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "lumen", "audio", NULL);
  GDir *d = g_dir_open (cache, 0, NULL);
  gboolean empty = d == NULL || g_dir_read_name (d) == NULL;

  if (d != NULL)
    g_dir_close (d);
  return empty;
}

static gboolean
played_or_failed (gpointer card)
{
  return lm_waveform_get_playhead (LM_WAVEFORM (lm_audio_card_get_waveform (card))) > 0.05
         || *lm_audio_card_get_playback_message (card) != '\0';
}

/* With GTK's own media backend (GStreamer, when installed; run in a
 * subprocess without GTK_MEDIA=none): Play starts the clip from a
 * temporary file, and on a machine without audio output either plays it
 * to no sink, the playhead moving, or says why it cannot; either way
 * nothing crashes, and the file goes when the slider moves on. */
static void
playback_child (void)
{
  LmWindow *win = open_window (logdir);
  LmAudioCard *card = card_of (win, "a", "speech/clean");
  GtkMediaStream *probe = gtk_media_file_new ();
  gboolean none = g_str_equal (G_OBJECT_TYPE_NAME (probe), "GtkNoMediaFile");

  g_object_unref (probe);
  if (none)
    {
      g_printerr ("no GTK media backend: nothing to play with\n");
      gtk_window_destroy (GTK_WINDOW (win));
      return;
    }
  lm_audio_card_set_index (card, 1);   /* 2.5 s */
  wait_settled (win);
  g_assert_true (gtk_widget_get_sensitive (lm_audio_card_get_play_button (card)));
  g_assert_cmpstr (lm_audio_card_get_playback_message (card), ==, "");
  if (lm_audio_card_toggle_play (card))
    g_assert_false (cache_is_empty ());
  g_assert_true (lm_test_wait_for (played_or_failed, card, 10000));
  /* once the stream has it open, the file's name is gone: a lumen
   * quit with Ctrl+Q or killed as it plays leaves nothing behind */
  if (lm_audio_card_is_playing (card))
    g_assert_true (cache_is_empty ());
  g_printerr ("playhead %.2f s, message '%s'\n",
           lm_waveform_get_playhead (LM_WAVEFORM (lm_audio_card_get_waveform (card))),
           lm_audio_card_get_playback_message (card));
  if (*lm_audio_card_get_playback_message (card) != '\0')
    g_assert_true (g_str_has_prefix (lm_audio_card_get_playback_message (card), "Cannot play this clip: "));
  else
    {
      g_assert_true (lm_audio_card_is_playing (card));
      /* Space pauses, and plays on from the file still open */
      g_assert_true (lm_ui_press_key (GTK_WIDGET (card), GDK_KEY_space, 0));
      g_assert_false (lm_audio_card_is_playing (card));
      g_assert_true (lm_ui_press_key (GTK_WIDGET (card), GDK_KEY_space, 0));
      g_assert_true (lm_audio_card_is_playing (card));
      lm_test_spin (200);
      g_assert_cmpstr (lm_audio_card_get_playback_message (card), ==, "");
    }
  /* another clip: the stream and its file go */
  lm_audio_card_set_index (card, 0);
  g_assert_false (lm_audio_card_is_playing (card));
  g_assert_true (cache_is_empty ());
  gtk_window_destroy (GTK_WINDOW (win));

  /* a clip too long for the loader to keep its WAV (30 s of 44.1 kHz
   * stereo, 5.3 MB) plays all the same, written out from the run file;
   * closing the window as it plays leaves no file behind */
  {
    g_autofree char *dir = lm_test_tmpdir_new ("lumen-audio-long-XXXXXX");
    g_autofree float *s = NULL;
    lm_writer *w;
    gint64 n;

    s = clip_at (44100, 30, 0.5, 1, 2, &n);
    check (lm_writer_open (&w, dir, "r"), "open");
    check (lm_writer_add_audio (w, "music", 0, s, n, 2, 44100), "audio");
    check (lm_writer_close (w), "close");
    win = open_window (dir);
    card = card_of (win, "r", "music");
    wait_settled (win);
    g_assert_cmpstr (lm_audio_card_get_info_text (card), ==, "0:30.0 · 44.1 kHz · stereo");
    g_assert_true (lm_audio_card_toggle_play (card));
    g_assert_true (lm_test_wait_for (played_or_failed, card, 10000));
    g_printerr ("long clip: playhead %.2f s, message '%s'\n",
                lm_waveform_get_playhead (LM_WAVEFORM (lm_audio_card_get_waveform (card))),
                lm_audio_card_get_playback_message (card));
    g_assert_cmpstr (lm_audio_card_get_playback_message (card), ==, "");
    g_assert_true (lm_audio_card_is_playing (card));
    g_assert_true (cache_is_empty ());
    gtk_window_destroy (GTK_WINDOW (win));
    lm_test_spin (50);
    g_assert_true (cache_is_empty ());
    lm_test_rm_rf (dir);
  }
}

static void
test_playback (void)
{
  if (lm_ui_test_no_display ())
    return;
  if (g_test_subprocess ())
    {
      playback_child ();
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static gboolean
has_hint (GtkWidget *w, gconstpointer data)
{
  return GTK_IS_LABEL (w) && strstr (gtk_label_get_text (GTK_LABEL (w)), data) != NULL && gtk_widget_get_mapped (w);
}

static void
test_empty (void)
{
  LmWindow *win;

  if (lm_ui_test_no_display ())
    return;
  win = open_window (empty_dir);
  g_assert_cmpuint (lm_record_dashboard_get_n_cards (page_of (win)), ==, 0);
  g_assert_nonnull (lm_ui_find_widget (GTK_WIDGET (win), has_hint, "No audio clips logged yet."));
  g_assert_nonnull (lm_ui_find_widget (GTK_WIDGET (win), has_hint, "lm_writer_add_audio()"));
  gtk_window_destroy (GTK_WINDOW (win));
}

/* lumen --view audio --screenshot: exit 0, the window's size, and the
 * runs' colours in the waveforms. */
static void
test_cli_view (void)
{
  g_autofree char *png = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "GTK_MEDIA", "none", TRUE);
  LmUiImage img = { 0 };
  int status;

  if (!have_display || lumen_bin == NULL)
    {
      g_test_skip (have_display ? "no lumen binary (--lumen-bin PATH or LUMEN_BIN)" : "no display");
      return;
    }
  png = g_build_filename (scratch_dir, "audio.png", NULL);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", scratch_dir, TRUE);
  {
    const char *argv[] = { lumen_bin, "--logdir", logdir, "--view", "audio", "--screenshot", png,
                           "--window-size", "1400x900", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, NULL));
  }
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("lumen --view audio --screenshot failed: %s", err);
  if (!lm_ui_image_load (png, &img, &error))
    g_error ("%s", error->message);
  g_assert_cmpint (img.width, ==, 1400);
  g_assert_cmpint (img.height, ==, 900);
  g_free (img.pixels);
  g_unlink (png);
}

int
main (int argc, char **argv)
{
  gboolean real_media = FALSE;
  int rc;

  /* GTK's media backend without sound: deterministic, whatever is
   * installed; and a cache folder of our own, where clips to play go */
  for (int i = 1; i < argc; i++)
    real_media |= g_str_equal (argv[i], "--GTestSubprocess");
  if (real_media)
    g_unsetenv ("GTK_MEDIA");   /* set by the parent */
  else
    g_setenv ("GTK_MEDIA", "none", TRUE);
  /* GTK's in-process accessibility backend, as test-keyboard.c uses: it
   * keeps the names set on widgets for gtk_test_accessible_check_property */
  g_setenv ("GTK_A11Y", "test", TRUE);
  scratch_dir = lm_test_tmpdir_new ("lumen-audio-scratch-XXXXXX");
  g_setenv ("XDG_CACHE_HOME", scratch_dir, TRUE);
  lumen_bin = lm_ui_take_lumen_bin (&argc, &argv);
  have_display = lm_ui_test_init (&argc, &argv);
  logdir = lm_test_tmpdir_new ("lumen-audio-XXXXXX");
  empty_dir = lm_test_tmpdir_new ("lumen-audio-empty-XXXXXX");
  write_fixture ();
  g_test_add_func ("/ui/audio/cards", test_cards);
  g_test_add_func ("/ui/audio/waveform-pixels", test_waveform_pixels);
  g_test_add_func ("/ui/audio/slider", test_slider);
  g_test_add_func ("/ui/audio/label-markdown", test_label_markdown);
  g_test_add_func ("/ui/audio/duration-format", test_duration_format);
  g_test_add_func ("/ui/audio/short-clips", test_short_clips);
  g_test_add_func ("/ui/audio/accessible-names", test_accessible_names);
  g_test_add_func ("/ui/audio/broken-clip", test_broken_clip);
  g_test_add_func ("/ui/audio/no-playback", test_no_playback);
  g_test_add_func ("/ui/audio/playback", test_playback);
  g_test_add_func ("/ui/audio/empty", test_empty);
  g_test_add_func ("/ui/audio/cli-view", test_cli_view);
  rc = g_test_run ();
  lm_test_rm_rf (logdir);
  lm_test_rm_rf (empty_dir);
  lm_test_rm_rf (scratch_dir);
  g_free (logdir);
  g_free (empty_dir);
  g_free (scratch_dir);
  return have_display ? rc : 77;
}
