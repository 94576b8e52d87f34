/* lm-dash-util.h: drawing helpers shared by the histogram, distribution
 * and hparams views (private to ui/).
 *
 * What it is for: text placement with Pango in a Cairo context, axis tick
 * labels along a box, the "this card cannot be drawn" placeholder, and
 * a run colour lightened towards white, the header of a dashboard card
 * (title and run chip), keeping a record feed polling only while its
 * dashboard is on screen, and not drawing a card far off screen; the
 * step slider and status lines of the cards that step through records
 * one at a time (audio, mesh), and their link by step (images, audio);
 * the Markdown view of the text and audio cards.  Not a widget.
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-axis.h"
#include "lm-plot.h"
#include "lm-records.h"
#include "lm-run-selection.h"

G_BEGIN_DECLS

typedef enum { LM_ALIGN_START, LM_ALIGN_CENTER, LM_ALIGN_END } LmAlign;

/* Draws text with its box aligned at (x, y): halign along x, valign along y. */
void lm_dash_text (cairo_t *cr, double x, double y, const char *text,
                   LmAlign halign, LmAlign valign, double size_pt);
/* Tick labels and faint grid lines: horizontal axis below the box (x
 * ticks) or vertical axis left of it (y ticks), mapping [lo, hi]. */
void lm_dash_x_axis (cairo_t *cr, double x0, double y0, double w, double h,
                     LmAxisKind kind, double lo, double hi);
void lm_dash_y_axis (cairo_t *cr, double x0, double y0, double w, double h,
                     LmAxisKind kind, double lo, double hi);
/* How many ticks such an axis asks lm_axis_ticks for along length pixels:
 * one per 90 px across, 45 px up, and at least 3, so a small plot (a cell
 * of the hparams scatter matrix) still gets more than one label. */
guint lm_dash_axis_tick_target (double length, gboolean horizontal);
/* Either of those, on a log scale (decades) when log_scale and lo > 0. */
void lm_dash_axis   (cairo_t *cr, double x0, double y0, double w, double h,
                     LmAxisKind kind, gboolean log_scale, double lo, double hi, gboolean horizontal);
/* A centred grey message for a card whose data cannot be drawn, the
 * detail wrapped to the width. */
void lm_dash_placeholder (cairo_t *cr, int width, int height, const char *title, const char *detail);
/* mix 0 = colour, 1 = the background (white in light mode). */
void lm_dash_tint (const GdkRGBA *in, double mix, GdkRGBA *out);
/* A card's header: the title on the left, the run's colour dot and name
 * on the right.  Names of any length are ellipsized (title in the
 * middle, run name at its start), whole in their tooltips, and ask for
 * little width, so the card's body, never a name, sets the width of the
 * card (and so of every card in a homogeneous grid). */
GtkWidget *lm_dash_card_header (const char *title, const char *run_name, const GdkRGBA *color);
/* A card's larger view (TensorBoard's "toggle full size"): a window
 * titled `title`, transient for the window `from` is in and closed with
 * it, 1100 x 700, in the sheet's colours (lm-theme.c); Escape closes it,
 * Ctrl+Home ("larger.reset-zoom") is the main window's reset every
 * chart's zoom.
 * The caller gives it its child and presents it. */
GtkWidget *lm_dash_larger_window (GtkWidget *from, const char *title);
/* Characters of run name a card's chip shows before it ellipsizes. */
#define LM_DASH_RUN_CHIP_CHARS 18
/* Makes `feed` poll its run files while `widget` is mapped (a hidden
 * dashboard costs nothing): it holds the feed (lm_record_feed_hold), so a
 * feed that several widgets show polls while any of them is mapped; the
 * connection ends with either object. */
void lm_dash_feed_follow_mapped (GtkWidget *widget, LmRecordFeed *feed);
/* A card far outside its scrolled window's view is not drawn (a sweep's
 * 500 cards took a third of the first frame, a dozen of them on screen).
 * A card's snapshot returns at once when lm_dash_offscreen_skip says so:
 * the card then watches the frame clock's layout phase, and draws in the
 * frame that brings it within half a view of the visible part, whatever
 * moved it there (a scroll, a resize, a filter or a pin).  Its unmap calls
 * lm_dash_offscreen_unmap.  Zeroed with the widget. */
typedef struct
{
  GtkWidget *widget;
  GdkFrameClock *clock;    /* while skipped */
  gulong layout_id;
  gboolean drawn;          /* a snapshot since mapped, near the view or not */
  gboolean skipped;        /* the last one was far off screen */
} LmDashOffscreen;

/* Within half a view of its scrolled window's visible part (or in none):
 * what lm_dash_offscreen_skip draws. */
gboolean lm_dash_is_near_view (GtkWidget *widget);
gboolean lm_dash_offscreen_skip  (LmDashOffscreen *o, GtkWidget *widget);
void     lm_dash_offscreen_unmap (LmDashOffscreen *o);
/* Drawn since mapped (*known) and, the last time, near the view: what a
 * card that loads its data once near the view waits for. */
gboolean lm_dash_offscreen_is_near (const LmDashOffscreen *o, gboolean *known);
/* A read-only view of Markdown that lm_markdown_render fills, as the
 * Text dashboard shows it (the audio card's labels too): wrapped at words
 * (within one too long for a line), 8-px margins, a link opens in the
 * default browser on a click and shows a pointer and its URL over it. */
GtkWidget *lm_dash_markdown_view_new (void);
/* The small grey line a card says its step or size in. */
GtkWidget *lm_dash_status_label (void);
/* Where a card says what went wrong under its picture: the whole text,
 * wrapped (within a word too long for a line), hidden until set. */
GtkWidget *lm_dash_warning_label (void);
/* A card's step slider over the index of its records (no value drawn):
 * the scale, its adjustment in *adj (owned by the scale). */
GtkWidget *lm_dash_step_slider_new (GtkAdjustment **adj, const char *tooltip);
/* The slider now reaches n records (it reached old_n): insensitive below
 * two, kept where it was, or moved to the newest when `follow` and it was
 * at the end (TensorBoard's slider follows new steps).  FALSE when n is
 * old_n (nothing done). */
gboolean   lm_dash_step_slider_set_count (GtkAdjustment *adj, GtkWidget *scale, guint old_n, guint n,
                                          gboolean follow);
/* "step 20 · 2024-03-03 14:05:09" (free it), `note` after the step
 * ("step 20 (nearest to 25) · ..."); the slider's screen-reader value
 * says the step, its value being an index. */
char      *lm_dash_step_line (GtkWidget *scale, gint64 step, const char *note, double wall_time);
/* Link by step on a card that steps through its records with a slider
 * (image and audio cards): the steps selected (lo == hi for one step)
 * and the record the link moved the slider to, -1 where it left the
 * slider where it was (LM_DASH_LINKED_INIT: not linked). */
typedef struct
{
  gint64 lo, hi;
  gboolean active, range;
  int index;
} LmDashLinked;
#define LM_DASH_LINKED_INIT ((LmDashLinked) { 0, 0, FALSE, FALSE, -1 })
/* Links to sel (NULL or !active: unlinks) over `items`, the card's
 * records in step order, of a kind whose struct begins `gint64 id, step`
 * (LmImageMeta, LmAudioMeta, LmMeshMeta), the slider at index `value`:
 * the index the slider goes to, or -1 when it stays where it is.  As
 * TensorBoard's image cards: one step, the record at it, or the one
 * before or after it when the step is within a tenth of the gap between
 * them from that record; none otherwise (the slider stays).  A range:
 * the record shown while it is in the range, else the range's first or
 * last record, whichever is nearer; none when the range holds none. */
int        lm_dash_linked_set    (LmDashLinked *l, const LmStepSelection *sel, GPtrArray *items, int value);
/* The records grew from old_n, the slider at index `value`: the index it
 * goes to so as to stay linked (a new record may be at the step), or -1
 * when it does not (not linked, none fits, or the user moved it off the
 * linked record since). */
int        lm_dash_linked_follow (LmDashLinked *l, GPtrArray *items, guint old_n, int value);
/* The step line's note for the record at `index` (at step `shown`):
 * " (nearest to 125)" (a range: " (nearest to 100–125)") when it is the
 * one linked to and not at the step or in the range, " (none at 125)"
 * (" (none in 100–125)") when no record fits the link; "" otherwise
 * (free it). */
char      *lm_dash_linked_note   (const LmDashLinked *l, int index, gint64 shown);
/* " (nearest to 125)" when shown is not lo (== hi), " (nearest to
 * 100–125)" when it is not in the range lo..hi, else "" (free it). */
char      *lm_dash_nearest_note  (gint64 shown, gint64 lo, gint64 hi);
/* For a dashboard's dispose: disconnects `owner`'s handlers from the feed
 * and the run selection, stops the feed polling and drops both. */
void lm_dash_release_sources (gpointer owner, LmRecordFeed **feed, LmRunSelection **selection);

G_END_DECLS
