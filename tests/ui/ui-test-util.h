/* ui-test-util.h: what the window tests share: a screenshot of a window,
 * taken and read back as pixels, and a widget found by type.
 *
 * Not for: assertions on what the pixels show (each test knows its own).
 */
#pragma once

#include <gtk/gtk.h>

#include "lm-window.h"

G_BEGIN_DECLS

/* A screenshot's pixels as gdk_texture_download gives them: B, G, R, A
 * bytes (premultiplied), rows `stride` bytes apart.  g_free (pixels). */
typedef struct
{
  int width, height;
  gsize stride;
  guchar *pixels;
} LmUiImage;

/* g_test_init, then GTK with the cairo renderer and no OpenGL probe (Xvfb
 * has no GPU, and the software GL driver leaks a little when it is
 * unloaded, which LeakSanitizer would fail the test for).  FALSE without
 * a display: the tests skip. */
gboolean   lm_ui_test_init       (int *argc, char ***argv);
/* TRUE, the test marked skipped, when lm_ui_test_init found no display:
 * a test that needs one starts with `if (lm_ui_test_no_display ()) return;` */
gboolean   lm_ui_test_no_display (void);

/* lm_window_save_screenshot_async to path, waited for in the main loop.
 * With LUMEN_TEST_SHOTS=DIR set, a copy goes to DIR as well. */
gboolean   lm_ui_save_screenshot (LmWindow *win, const char *path, GError **error);
/* A texture's pixels (g_free img->pixels). */
void       lm_ui_image_from_texture (GdkTexture *tex, LmUiImage *img);
/* With LUMEN_TEST_SHOTS=DIR set, a copy of tex goes to DIR/name. */
void       lm_ui_keep_shot       (GdkTexture *tex, const char *name);
/* Some pixel within radius of (x, y) has colour c, each channel within
 * tol (0-255); B, G, R bytes as gdk_texture_download gives them. */
gboolean   lm_ui_pixel_near      (const LmUiImage *img, int x, int y, int radius, const GdkRGBA *c, int tol);
/* How many pixels have colour c, each channel within tol. */
guint      lm_ui_count_near      (const LmUiImage *img, const GdkRGBA *c, int tol);
/* Runs args (the lumen binary and its options), its stdout dropped and
 * its stderr in *err; its exit status (-1 when it did not exit). */
int        lm_ui_run_lumen       (const char *const *args, char **err);
/* Reads a PNG; FALSE (and *error) when it cannot be read. */
gboolean   lm_ui_image_load      (const char *path, LmUiImage *img, GError **error);
/* Runs the shortcut widget's own shortcut controllers have for keyval with
 * exactly mods, as pressing the key would; FALSE when none does or it
 * declined. */
gboolean   lm_ui_press_key       (GtkWidget *widget, guint keyval, GdkModifierType mods);
/* The first widget of `type` at or below root (depth first), or NULL. */
GtkWidget *lm_ui_find_descendant (GtkWidget *root, GType type);
/* The first widget at or below root (depth first) that match says is the
 * one, or NULL. */
typedef gboolean (*LmUiMatch) (GtkWidget *widget, gconstpointer data);
GtkWidget *lm_ui_find_widget     (GtkWidget *root, LmUiMatch match, gconstpointer data);
/* What the widget draws itself, now: its snapshot (not the last frame's)
 * drawn as GTK's Cairo renderer draws a frame, on a surface of the
 * widget's size. */
cairo_surface_t *lm_ui_snapshot_widget (GtkWidget *widget);
/* widget's first event controller of `type` (the widget owns it), or NULL. */
GtkEventController *lm_ui_find_controller (GtkWidget *widget, GType type);
/* Whether a GtkShortcutsShortcut at or below w has title and accel. */
gboolean   lm_ui_shortcut_listed (GtkWidget *w, const char *title, const char *accel);
/* A window on logdir showing `view` (a name of lm_dashboard_names), of
 * width x height, presented, settled (lm_window_is_settled: fails the
 * test after 30 s) and a tenth of a second later. */
LmWindow  *lm_ui_open_view       (const char *logdir, const char *view, int width, int height);
/* The card body of run and tag on the record dashboard `view` (fails the
 * test when there is none). */
GtkWidget *lm_ui_record_card     (LmWindow *win, const char *view, const char *run, const char *tag);
/* Waits as lm_ui_open_view does: settled (fails after 30 s), then a tenth
 * of a second more. */
void       lm_ui_wait_settled    (LmWindow *win);
/* An LmUiMatch: a label on screen whose text holds `text` (a char *). */
gboolean   lm_ui_label_shows     (GtkWidget *w, gconstpointer text);
/* Runs sql on the run file at path (damage done to a record after it was
 * logged), which must change exactly one row. */
void       lm_ui_sql_one_row     (const char *path, const char *sql);
/* The first widget with css_class at or below root (depth first), or NULL. */
GtkWidget *lm_ui_find_by_class   (GtkWidget *root, const char *css_class);
/* The lumen binary the tests that run it use: "--lumen-bin PATH" (meson
 * passes it; taken out of argv before GLib's test options are parsed),
 * else $LUMEN_BIN, else NULL. */
const char *lm_ui_take_lumen_bin (int *argc, char ***argv);

/* g_signal_emit_by_name for the input a test simulates (a click, a drag,
 * a search): the leaks our handlers make there show this function in their
 * stack, where tests/lsan.supp hides g_signal_emit_by_name's (GTK's X11
 * event handling). */
void       lm_ui_emit            (gpointer instance, const char *signal, ...);

G_END_DECLS
