/* ui-test-util.c: screenshots and widget lookup for the window tests
 * (see ui-test-util.h). */
#include "ui-test-util.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static gboolean have_display;

gboolean
lm_ui_test_init (int *argc, char ***argv)
{
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  g_test_init (argc, argv, NULL);
  have_display = gtk_init_check ();
  return have_display;
}

gboolean
lm_ui_test_no_display (void)
{
  if (!have_display)
    g_test_skip ("no display");
  return !have_display;
}

void
lm_ui_image_from_texture (GdkTexture *tex, LmUiImage *img)
{
  img->width = gdk_texture_get_width (tex);
  img->height = gdk_texture_get_height (tex);
  img->stride = (gsize) img->width * 4;
  img->pixels = g_malloc (img->stride * img->height);
  gdk_texture_download (tex, img->pixels, img->stride);
}

void
lm_ui_keep_shot (GdkTexture *tex, const char *name)
{
  const char *dir = g_getenv ("LUMEN_TEST_SHOTS");
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;
  path = g_build_filename (dir, name, NULL);
  gdk_texture_save_to_png (tex, path);
}

static void
on_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GError **error = user_data;

  if (!lm_window_save_screenshot_finish (LM_WINDOW (source), result, error) && *error == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "failed without a message");
  g_object_set_data (source, "shot-done", GINT_TO_POINTER (1));
}

gboolean
lm_ui_save_screenshot (LmWindow *win, const char *path, GError **error)
{
  GError *local = NULL;

  g_object_set_data (G_OBJECT (win), "shot-done", NULL);
  lm_window_save_screenshot_async (win, path, on_saved, &local);
  while (g_object_get_data (G_OBJECT (win), "shot-done") == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (g_getenv ("LUMEN_TEST_SHOTS") != NULL)
    {
      g_autoptr (GdkTexture) tex = gdk_texture_new_from_filename (path, NULL);
      g_autofree char *base = g_path_get_basename (path);

      if (tex != NULL)
        lm_ui_keep_shot (tex, base);
    }
  return TRUE;
}

gboolean
lm_ui_pixel_near (const LmUiImage *img, int x, int y, int radius, const GdkRGBA *c, int tol)
{
  int r = (int) (c->red * 255 + 0.5), g = (int) (c->green * 255 + 0.5), b = (int) (c->blue * 255 + 0.5);

  for (int dy = -radius; dy <= radius; dy++)
    for (int dx = -radius; dx <= radius; dx++)
      {
        int px = x + dx, py = y + dy;
        const guchar *p;

        if (px < 0 || py < 0 || px >= img->width || py >= img->height)
          continue;
        p = img->pixels + py * img->stride + px * 4;
        if (abs (p[2] - r) <= tol && abs (p[1] - g) <= tol && abs (p[0] - b) <= tol)
          return TRUE;
      }
  return FALSE;
}

guint
lm_ui_count_near (const LmUiImage *img, const GdkRGBA *c, int tol)
{
  int r = (int) lrint (c->red * 255), g = (int) lrint (c->green * 255), b = (int) lrint (c->blue * 255);
  guint n = 0;

  for (int y = 0; y < img->height; y++)
    for (int x = 0; x < img->width; x++)
      {
        const guchar *p = img->pixels + y * img->stride + x * 4;

        n += abs (p[2] - r) <= tol && abs (p[1] - g) <= tol && abs (p[0] - b) <= tol;
      }
  return n;
}

int
lm_ui_run_lumen (const char *const *args, char **err)
{
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, err,
                               &status, NULL));
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

gboolean
lm_ui_image_load (const char *path, LmUiImage *img, GError **error)
{
  g_autoptr (GdkTexture) tex = gdk_texture_new_from_filename (path, error);

  if (tex == NULL)
    return FALSE;
  lm_ui_image_from_texture (tex, img);
  return TRUE;
}

GtkWidget *
lm_ui_find_widget (GtkWidget *root, LmUiMatch match, gconstpointer data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = lm_ui_find_widget (c, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_of_type (GtkWidget *widget, gconstpointer type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

GtkWidget *
lm_ui_find_descendant (GtkWidget *root, GType type)
{
  return lm_ui_find_widget (root, is_of_type, GSIZE_TO_POINTER (type));
}

cairo_surface_t *
lm_ui_snapshot_widget (GtkWidget *widget)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, gtk_widget_get_width (widget),
                                                         gtk_widget_get_height (widget));
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  cairo_t *cr = cairo_create (surface);

  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node != NULL)
    {
      gsk_render_node_draw (node, cr);
      gsk_render_node_unref (node);
    }
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

GtkEventController *
lm_ui_find_controller (GtkWidget *widget, GType type)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) c = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return GTK_EVENT_CONTROLLER (c);   /* the widget keeps it alive */
    }
  return NULL;
}

/* Runs the shortcut that `widget`'s shortcut controllers have for keyval
 * with exactly `mods`, as pressing the key would; FALSE when there is none
 * or it declined (the key then goes on to other widgets). */
gboolean
lm_ui_press_key (GtkWidget *widget, guint keyval, GdkModifierType mods)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) c = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (c))
        continue;
      for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (c)); k++)
        {
          g_autoptr (GtkShortcut) sc = g_list_model_get_item (G_LIST_MODEL (c), k);
          GtkShortcutTrigger *t = gtk_shortcut_get_trigger (sc);

          if (GTK_IS_KEYVAL_TRIGGER (t) && gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (t)) == keyval
              && gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (t)) == mods)
            return gtk_shortcut_action_activate (gtk_shortcut_get_action (sc), GTK_SHORTCUT_ACTION_EXCLUSIVE,
                                                 gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (c)),
                                                 gtk_shortcut_get_arguments (sc));
        }
    }
  return FALSE;
}

gboolean
lm_ui_shortcut_listed (GtkWidget *w, const char *title, const char *accel)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (w))
    {
      g_autofree char *t = NULL, *a = NULL;

      g_object_get (w, "title", &t, "accelerator", &a, NULL);
      if (g_strcmp0 (t, title) == 0 && g_strcmp0 (a, accel) == 0)
        return TRUE;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (lm_ui_shortcut_listed (c, title, accel))
      return TRUE;
  return FALSE;
}

LmWindow *
lm_ui_open_view (const char *logdir, const char *view, int width, int height)
{
  LmWindow *win = lm_window_new (NULL, logdir);

  gtk_window_set_default_size (GTK_WINDOW (win), width, height);
  g_assert_true (lm_dashboards_set_view (lm_window_get_dashboards (win), view));
  gtk_window_present (GTK_WINDOW (win));
  lm_ui_wait_settled (win);
  return win;
}

void
lm_ui_wait_settled (LmWindow *win)
{
  /* settled, then a tenth of a second more */
  for (gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC, after = G_MAXINT64;
       g_get_monotonic_time () < MIN (end, after);)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      if (after == G_MAXINT64 && lm_window_is_settled (win))
        after = g_get_monotonic_time () + G_USEC_PER_SEC / 10;
    }
  g_assert_true (lm_window_is_settled (win));
}

GtkWidget *
lm_ui_record_card (LmWindow *win, const char *view, const char *run, const char *tag)
{
  GtkWidget *page = lm_dashboards_get_page (lm_window_get_dashboards (win), view);
  GtkWidget *c = lm_record_dashboard_find_card (LM_RECORD_DASHBOARD (page), run, tag);

  if (c == NULL)
    g_error ("no %s card for %s %s", view, run, tag);
  return c;
}

gboolean
lm_ui_label_shows (GtkWidget *w, gconstpointer text)
{
  return GTK_IS_LABEL (w) && gtk_widget_get_mapped (w) && strstr (gtk_label_get_text (GTK_LABEL (w)), text) != NULL;
}

void
lm_ui_sql_one_row (const char *path, const char *sql)
{
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_close (db);
}

GtkWidget *
lm_ui_find_by_class (GtkWidget *root, const char *css_class)
{
  if (gtk_widget_has_css_class (root, css_class))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *w = lm_ui_find_by_class (c, css_class);

      if (w != NULL)
        return w;
    }
  return NULL;
}

const char *
lm_ui_take_lumen_bin (int *argc, char ***argv)
{
  char **v = *argv;

  for (int i = 1; i + 1 < *argc; i++)
    if (strcmp (v[i], "--lumen-bin") == 0)
      {
        const char *bin = v[i + 1];

        memmove (&v[i], &v[i + 2], (*argc - i - 1) * sizeof (char *));
        *argc -= 2;
        return bin;
      }
  return g_getenv ("LUMEN_BIN");
}

void
lm_ui_emit (gpointer instance, const char *signal, ...)
{
  guint id;
  GQuark detail;
  va_list args;

  if (!g_signal_parse_name (signal, G_TYPE_FROM_INSTANCE (instance), &id, &detail, TRUE))
    g_error ("%s has no signal %s", G_OBJECT_TYPE_NAME (instance), signal);
  va_start (args, signal);
  g_signal_emit_valist (instance, id, detail, args);
  va_end (args);
}
