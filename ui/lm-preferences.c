/* lm-preferences.c: settings.ini, read at start and written as the user
 * changes things.  See lm-preferences.h for the file's keys. */
#include "lm-preferences.h"
#include "lm-histogram-view.h"
#include "lm-palette.h"
#include "lm-record-dashboard.h"
#include "lm-theme.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#define SAVE_DELAY_MS 300
#define MIN_WIDTH 200
#define MIN_HEIGHT 150
#define MAX_SIZE 16384

enum
{
  DIRTY_SMOOTHING = 1 << 0,
  DIRTY_X_AXIS = 1 << 1,
  DIRTY_OUTLIERS = 1 << 2,
  DIRTY_TOOLTIP_SORT = 1 << 3,
  DIRTY_THEME = 1 << 4,
  DIRTY_PINS = 1 << 5,
  DIRTY_COLORS = 1 << 6,
  DIRTY_STEP_SELECTION = 1 << 7,
  DIRTY_COLOR_GROUP = 1 << 8,
  DIRTY_LINK_BY_STEP = 1 << 9,
  DIRTY_HISTOGRAM_MODE = 1 << 10,
};

/* The dashboards with pins (by view name, as the views' order may change):
 * settings.ini's key for each is "pinned-" and the name. */
static const char *const pin_lists[] = { "scalars", "histograms", "distributions", "images", "audio", "pr_curves",
                                         "mesh" };
#define N_PIN_LISTS G_N_ELEMENTS (pin_lists)
#define COLORS_KEY "run-colors"
#define COLOR_GROUP_KEY "run-color-group"

typedef struct
{
  char *path;
  LmWindow *window;          /* weak */
  LmChartSettings *settings; /* strong */
  guint dirty;
  guint save_id;
  int width, height;         /* when tracking began */
  gboolean maximized;
  gboolean warned;
  char *group;               /* the log directory's group */
  GStrv pins[N_PIN_LISTS], colors;   /* as last changed, for DIRTY_PINS / DIRTY_COLORS */
  char *color_group;         /* as last changed, for DIRTY_COLOR_GROUP */
  LmHistogramMode hist_mode; /* as last changed, for DIRTY_HISTOGRAM_MODE */
  guint pins_dirty;          /* a bit per list of pins changed */
} Tracker;

static const char *axis_names[] = { "step", "relative", "wall" };

/* "[logdir ABSOLUTE-PATH]": one group per log directory (or per
 * --logdir_spec, "[logdir NAME:PATH,...]"), for what belongs to its runs
 * and tags (pinned cards, run colours).  Brackets and line breaks cannot
 * be in a group name: written %5B, %5D, %0A. */
static char *
logdir_group (LmWindow *window)
{
  g_autofree char *abs = lm_window_dup_logdir_key (window);
  g_autofree char *escaped = g_uri_escape_string (abs, "!$&'()*+,;=:@/ ~", TRUE);

  return g_strconcat ("logdir ", escaped, NULL);
}

char *
lm_preferences_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "lumen", "settings.ini", NULL);
}

/* ------------------------------------------------------------ loading */

/* The file being read, and what was wrong in it so far. */
typedef struct
{
  GKeyFile *kf;
  const char *path;
  GString *problems;
} Reader;

static void
reject (Reader *r, const char *group, const char *key, const char *value, const char *expected)
{
  g_string_append_printf (r->problems, "%s%s: [%s] %s=%s is not %s; using the default",
                          r->problems->len ? "\n" : "", r->path, group, key, value, expected);
}

/* A key's text without surrounding blanks (NULL when absent). */
static char *
take (Reader *r, const char *group, const char *key)
{
  char *v = g_key_file_get_value (r->kf, group, key, NULL);

  return v ? g_strstrip (v) : NULL;
}

/* Each read_*: TRUE and *out when the key is there and usable; a value
 * that is there but unusable is rejected, naming what was expected. */
static gboolean
read_bool (Reader *r, const char *group, const char *key, gboolean *out)
{
  g_autofree char *v = take (r, group, key);
  g_autofree char *low = v ? g_ascii_strdown (v, -1) : NULL;

  if (v == NULL)
    return FALSE;
  if (g_str_equal (low, "true") || g_str_equal (low, "1"))
    *out = TRUE;
  else if (g_str_equal (low, "false") || g_str_equal (low, "0"))
    *out = FALSE;
  else
    {
      reject (r, group, key, v, "true or false");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_int (Reader *r, const char *group, const char *key, int lo, int hi, const char *expected, int *out)
{
  g_autofree char *v = take (r, group, key);
  gint64 n;

  if (v == NULL)
    return FALSE;
  if (!g_ascii_string_to_signed (v, 10, lo, hi, &n, NULL))
    {
      reject (r, group, key, v, expected);
      return FALSE;
    }
  *out = (int) n;
  return TRUE;
}

static gboolean
read_double (Reader *r, const char *group, const char *key, double lo, double hi, const char *expected,
             double *out)
{
  g_autofree char *v = take (r, group, key);
  char *end = NULL;
  double d;

  if (v == NULL)
    return FALSE;
  d = g_ascii_strtod (v, &end);
  if (end == v || *end != '\0' || !(d >= lo && d <= hi))
    {
      reject (r, group, key, v, expected);
      return FALSE;
    }
  *out = d;
  return TRUE;
}

/* The Histograms page, whose Offset/Overlay switch is kept. */
static LmRecordDashboard *
histograms_page (LmWindow *window)
{
  return LM_RECORD_DASHBOARD (lm_dashboards_get_page (lm_window_get_dashboards (window), "histograms"));
}

/* The scalar grid or record dashboard keeping the pins of list `i`. */
static GObject *
pin_source (LmWindow *window, guint i)
{
  if (i == 0)
    return G_OBJECT (lm_window_get_card_grid (window));
  return G_OBJECT (lm_dashboards_get_page (lm_window_get_dashboards (window), pin_lists[i]));
}

static char *
pins_key (guint i)
{
  return g_strconcat ("pinned-", pin_lists[i], NULL);
}

/* Pinned cards, run colours and colouring by group of the window's log
 * directory. */
static void
load_logdir (Reader *r, LmWindow *window)
{
  g_autofree char *group = logdir_group (window);
  g_auto (GStrv) colors = g_key_file_get_string_list (r->kf, group, COLORS_KEY, NULL, NULL);
  /* a string, not a value: a regex's backslashes are escaped in the file */
  g_autofree char *color_group = g_key_file_get_string (r->kf, group, COLOR_GROUP_KEY, NULL);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < N_PIN_LISTS; i++)
    {
      g_autofree char *key = pins_key (i);
      g_auto (GStrv) pins = g_key_file_get_string_list (r->kf, group, key, NULL, NULL);
      GObject *source = pin_source (window, i);

      if (pins == NULL)
        continue;
      if (LM_IS_CARD_GRID (source))
        lm_card_grid_set_pinned_tags (LM_CARD_GRID (source), (const char *const *) pins);
      else
        lm_record_dashboard_set_pinned_keys (LM_RECORD_DASHBOARD (source), (const char *const *) pins);
    }
  for (guint i = 0; colors != NULL && colors[i] != NULL; i++)
    {
      /* "run name=#rrggbb": the last '=' (a run name may hold one) */
      char *eq = strrchr (colors[i], '=');
      GdkRGBA color;

      if (eq == NULL || eq == colors[i] || !lm_palette_parse (eq + 1, &color))
        {
          reject (r, group, COLORS_KEY, colors[i], "a list of run=#rrggbb");
          continue;
        }
      *eq = '\0';
      lm_run_list_set_run_color (lm_window_get_run_list (window), colors[i], &color);
    }
  if (color_group != NULL && !lm_run_list_set_color_group (lm_window_get_run_list (window), color_group, &error))
    {
      g_autofree char *expected = g_strdup_printf ("run, experiment or regex:REGEX (%s)", error->message);

      reject (r, group, COLOR_GROUP_KEY, color_group, expected);
    }
}

gboolean
lm_preferences_load_logdir (LmWindow *window, const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GString) problems = g_string_new (NULL);
  Reader r = { kf, path, problems };

  g_return_val_if_fail (LM_IS_WINDOW (window), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  /* a file that cannot be read is lm_preferences_load's to report */
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL))
    return TRUE;
  load_logdir (&r, window);
  if (problems->len)
    {
      g_set_error_literal (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, problems->str);
      return FALSE;
    }
  return TRUE;
}

gboolean
lm_preferences_load (LmWindow *window, const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autoptr (GString) problems = g_string_new (NULL);
  Reader r = { kf, path, problems };
  LmChartSettings *settings;
  char *v;
  double smoothing;
  gboolean b;
  int width = -1, height = -1;

  g_return_val_if_fail (LM_IS_WINDOW (window), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s; using the default settings",
                   path, local->message);
      return FALSE;
    }
  settings = lm_window_get_settings (window);

  if (read_double (&r, "scalars", "smoothing", 0, 0.999, "a number from 0 to 0.999", &smoothing))
    lm_chart_settings_set_smoothing (settings, smoothing);
  if ((v = take (&r, "scalars", "x-axis")) != NULL)
    {
      LmXAxis axis;

      if (lm_x_axis_from_string (v, &axis))
        lm_chart_settings_set_x_axis (settings, axis);
      else
        reject (&r, "scalars", "x-axis", v, "step, relative or wall");
      g_free (v);
    }
  if (read_bool (&r, "scalars", "ignore-outliers", &b))
    lm_chart_settings_set_ignore_outliers (settings, b);
  if ((v = take (&r, "scalars", "tooltip-sort")) != NULL)
    {
      LmTooltipSort sort;

      if (lm_tooltip_sort_from_string (v, &sort))
        lm_chart_settings_set_tooltip_sort (settings, sort);
      else
        reject (&r, "scalars", "tooltip-sort", v, "default, descending, ascending or nearest");
      g_free (v);
    }
  if (read_bool (&r, "scalars", "step-selection", &b))
    lm_chart_settings_set_step_selection (settings, b);
  if (read_bool (&r, "scalars", "link-by-step", &b))
    lm_chart_settings_set_link_by_step (settings, b);
  if ((v = take (&r, "histograms", "mode")) != NULL)
    {
      LmHistogramMode mode;

      if (lm_histogram_mode_from_string (v, &mode))
        lm_record_dashboard_set_histogram_mode (histograms_page (window), mode);
      else
        reject (&r, "histograms", "mode", v, "offset or overlay");
      g_free (v);
    }
  if ((v = take (&r, "appearance", "theme")) != NULL)
    {
      LmThemeMode mode;

      if (lm_theme_mode_from_string (v, &mode))
        lm_theme_set_mode (mode);
      else
        reject (&r, "appearance", "theme", v, "system, light or dark");
      g_free (v);
    }
  read_int (&r, "window", "width", MIN_WIDTH, MAX_SIZE, "a width from 200 to 16384", &width);
  read_int (&r, "window", "height", MIN_HEIGHT, MAX_SIZE, "a height from 150 to 16384", &height);
  if (width > 0 || height > 0)
    {
      int w0, h0;

      gtk_window_get_default_size (GTK_WINDOW (window), &w0, &h0);
      gtk_window_set_default_size (GTK_WINDOW (window), width > 0 ? width : w0, height > 0 ? height : h0);
    }
  if (read_bool (&r, "window", "maximized", &b) && b)
    gtk_window_maximize (GTK_WINDOW (window));
  load_logdir (&r, window);
  if (problems->len)
    {
      g_set_error_literal (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, problems->str);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------ saving */

static void
set_or_remove (GKeyFile *kf, const char *group, const char *key, GStrv list)
{
  if (list != NULL && list[0] != NULL)
    g_key_file_set_string_list (kf, group, key, (const char *const *) list, g_strv_length (list));
  else
    g_key_file_remove_key (kf, group, key, NULL);
}

static void
save_logdir (Tracker *t, GKeyFile *kf)
{
  g_auto (GStrv) keys = NULL;

  for (guint i = 0; i < N_PIN_LISTS; i++)
    if ((t->dirty & DIRTY_PINS) && (t->pins_dirty & (1u << i)))
      {
        g_autofree char *key = pins_key (i);

        set_or_remove (kf, t->group, key, t->pins[i]);
      }
  if (t->dirty & DIRTY_COLORS)
    set_or_remove (kf, t->group, COLORS_KEY, t->colors);
  /* "run" is the default: nothing to keep */
  if ((t->dirty & DIRTY_COLOR_GROUP) && g_strcmp0 (t->color_group, "run") != 0)
    g_key_file_set_string (kf, t->group, COLOR_GROUP_KEY, t->color_group);
  else if (t->dirty & DIRTY_COLOR_GROUP)
    g_key_file_remove_key (kf, t->group, COLOR_GROUP_KEY, NULL);
  keys = g_key_file_get_keys (kf, t->group, NULL, NULL);
  if (keys != NULL && keys[0] == NULL)
    g_key_file_remove_group (kf, t->group, NULL);
}

static void
save_now (Tracker *t, gboolean with_window)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL, *target = NULL;
  const char *path;
  int width = 0, height = 0;
  gboolean maximized = FALSE, window_changed = FALSE;

  g_clear_handle_id (&t->save_id, g_source_remove);
  if (with_window && t->window != NULL)
    {
      gtk_window_get_default_size (GTK_WINDOW (t->window), &width, &height);
      maximized = gtk_window_is_maximized (GTK_WINDOW (t->window));
      window_changed = maximized != t->maximized ||
                       (!maximized && (width != t->width || height != t->height));
    }
  if (t->dirty == 0 && !window_changed)
    return;

  /* Merge into the file as it is now: another window may have saved since. */
  if (!g_key_file_load_from_file (kf, t->path, G_KEY_FILE_KEEP_COMMENTS, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          /* Never overwrite a file the user can still fix. */
          if (!t->warned)
            g_printerr ("lumen: settings not saved: %s cannot be read (%s); fix or remove it\n",
                        t->path, error->message);
          t->warned = TRUE;
          t->dirty = 0;
          t->pins_dirty = 0;
          return;
        }
      g_clear_error (&error);
    }
  if (t->dirty & DIRTY_SMOOTHING)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_key_file_set_value (kf, "scalars", "smoothing",
                            g_ascii_formatd (buf, sizeof buf, "%.3f",
                                             lm_chart_settings_get_smoothing (t->settings)));
    }
  if (t->dirty & DIRTY_X_AXIS)
    g_key_file_set_value (kf, "scalars", "x-axis", axis_names[lm_chart_settings_get_x_axis (t->settings)]);
  if (t->dirty & DIRTY_OUTLIERS)
    g_key_file_set_boolean (kf, "scalars", "ignore-outliers",
                            lm_chart_settings_get_ignore_outliers (t->settings));
  if (t->dirty & DIRTY_TOOLTIP_SORT)
    g_key_file_set_value (kf, "scalars", "tooltip-sort",
                          lm_tooltip_sort_to_string (lm_chart_settings_get_tooltip_sort (t->settings)));
  if (t->dirty & DIRTY_STEP_SELECTION)
    g_key_file_set_boolean (kf, "scalars", "step-selection",
                            lm_chart_settings_get_step_selection (t->settings));
  if (t->dirty & DIRTY_LINK_BY_STEP)
    g_key_file_set_boolean (kf, "scalars", "link-by-step", lm_chart_settings_get_link_by_step (t->settings));
  if (t->dirty & DIRTY_HISTOGRAM_MODE)
    g_key_file_set_value (kf, "histograms", "mode", lm_histogram_mode_to_string (t->hist_mode));
  if (t->dirty & DIRTY_THEME)
    g_key_file_set_value (kf, "appearance", "theme", lm_theme_mode_to_string (lm_theme_get_mode ()));
  if (t->dirty & (DIRTY_PINS | DIRTY_COLORS | DIRTY_COLOR_GROUP))
    save_logdir (t, kf);
  if (window_changed)
    {
      g_key_file_set_boolean (kf, "window", "maximized", maximized);
      if (width >= MIN_WIDTH && height >= MIN_HEIGHT)
        {
          g_key_file_set_integer (kf, "window", "width", MIN (width, MAX_SIZE));
          g_key_file_set_integer (kf, "window", "height", MIN (height, MAX_SIZE));
        }
      t->width = width, t->height = height, t->maximized = maximized;
    }
  t->dirty = 0;
  t->pins_dirty = 0;

  /* a settings.ini that links elsewhere (dotfiles kept in one folder):
   * write the file it points to, not a plain file over the link */
  target = g_file_read_link (t->path, NULL);
  if (target != NULL && !g_path_is_absolute (target))
    {
      g_autofree char *base = g_path_get_dirname (t->path);
      char *abs = g_build_filename (base, target, NULL);

      g_free (target);
      target = abs;
    }
  path = target != NULL ? target : t->path;
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      if (!t->warned)
        g_printerr ("lumen: settings not saved: cannot create %s: %s\n", dir, g_strerror (errno));
      t->warned = TRUE;
      return;
    }
  if (!g_key_file_save_to_file (kf, path, &error))
    {
      if (!t->warned)
        g_printerr ("lumen: settings not saved: %s\n", error->message);
      t->warned = TRUE;
    }
}

static gboolean
save_later_cb (gpointer data)
{
  Tracker *t = data;

  t->save_id = 0;
  save_now (t, FALSE);
  return G_SOURCE_REMOVE;
}

static void
mark_dirty (Tracker *t, guint what)
{
  t->dirty |= what;
  if (t->save_id == 0)
    t->save_id = g_timeout_add (SAVE_DELAY_MS, save_later_cb, t);
}

static void
on_setting (LmChartSettings *settings, GParamSpec *pspec, Tracker *t)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "smoothing"))
    mark_dirty (t, DIRTY_SMOOTHING);
  else if (g_str_equal (name, "x-axis"))
    mark_dirty (t, DIRTY_X_AXIS);
  else if (g_str_equal (name, "ignore-outliers"))
    mark_dirty (t, DIRTY_OUTLIERS);
  else if (g_str_equal (name, "tooltip-sort"))
    mark_dirty (t, DIRTY_TOOLTIP_SORT);
  else if (g_str_equal (name, "step-selection"))
    mark_dirty (t, DIRTY_STEP_SELECTION);
  else if (g_str_equal (name, "link-by-step"))
    mark_dirty (t, DIRTY_LINK_BY_STEP);
}

/* The lists are taken when they change: the window may be gone when
 * they are written. */
static void
on_pins_changed (GObject *source, Tracker *t)
{
  GPtrArray *pins = LM_IS_CARD_GRID (source) ? lm_card_grid_get_pinned_tags (LM_CARD_GRID (source))
                                             : lm_record_dashboard_get_pinned_keys (LM_RECORD_DASHBOARD (source));

  for (guint i = 0; i < N_PIN_LISTS; i++)
    if (pin_source (t->window, i) == source)
      {
        g_strfreev (t->pins[i]);
        t->pins[i] = g_new0 (char *, pins->len + 1);
        for (guint j = 0; j < pins->len; j++)
          t->pins[i][j] = g_strdup (pins->pdata[j]);
        t->pins_dirty |= 1u << i;
      }
  mark_dirty (t, DIRTY_PINS);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
on_colors_changed (LmRunList *list, Tracker *t)
{
  GHashTable *colors = lm_run_list_get_run_colors (list);
  guint n = 0;
  g_autofree gpointer *names = g_hash_table_get_keys_as_array (colors, &n);

  /* in name order, so the file does not change when nothing did */
  qsort (names, n, sizeof *names, compare_names);
  g_strfreev (t->colors);
  t->colors = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    t->colors[i] = g_strconcat (names[i], "=", g_hash_table_lookup (colors, names[i]), NULL);
  mark_dirty (t, DIRTY_COLORS);
}

static void
on_color_group_changed (LmRunList *list, Tracker *t)
{
  g_free (t->color_group);
  t->color_group = g_strdup (lm_run_list_get_color_group (list));
  mark_dirty (t, DIRTY_COLOR_GROUP);
}

static void
on_histogram_mode_changed (LmRecordDashboard *page, Tracker *t)
{
  t->hist_mode = lm_record_dashboard_get_histogram_mode (page);
  mark_dirty (t, DIRTY_HISTOGRAM_MODE);
}

static void
on_theme_mode (LmTheme *theme, GParamSpec *pspec, Tracker *t)
{
  mark_dirty (t, DIRTY_THEME);
}

static gboolean
on_close_request (GtkWindow *window, Tracker *t)
{
  save_now (t, TRUE);
  return FALSE; /* close */
}

static void
tracker_free (gpointer data)
{
  Tracker *t = data;

  /* The window is going: a change still waiting is written now. */
  save_now (t, FALSE);
  g_signal_handlers_disconnect_by_data (t->settings, t);
  g_signal_handlers_disconnect_by_data (lm_theme_get_default (), t);
  g_object_unref (t->settings);
  for (guint i = 0; i < N_PIN_LISTS; i++)
    g_strfreev (t->pins[i]);
  g_strfreev (t->colors);
  g_free (t->color_group);
  g_free (t->group);
  g_free (t->path);
  g_free (t);
}

void
lm_preferences_track (LmWindow *window, const char *path)
{
  Tracker *t;

  g_return_if_fail (LM_IS_WINDOW (window));
  g_return_if_fail (path != NULL);
  t = g_new0 (Tracker, 1);
  t->path = g_strdup (path);
  t->window = window;
  t->settings = g_object_ref (lm_window_get_settings (window));
  t->group = logdir_group (window);
  gtk_window_get_default_size (GTK_WINDOW (window), &t->width, &t->height);
  t->maximized = gtk_window_is_maximized (GTK_WINDOW (window));
  g_signal_connect (t->settings, "notify", G_CALLBACK (on_setting), t);
  g_signal_connect (lm_theme_get_default (), "notify::mode", G_CALLBACK (on_theme_mode), t);
  g_signal_connect (window, "close-request", G_CALLBACK (on_close_request), t);
  for (guint i = 0; i < N_PIN_LISTS; i++)
    g_signal_connect (pin_source (window, i), "pins-changed", G_CALLBACK (on_pins_changed), t);
  g_signal_connect (histograms_page (window), "histogram-mode-changed", G_CALLBACK (on_histogram_mode_changed), t);
  g_signal_connect (lm_window_get_run_list (window), "colors-changed", G_CALLBACK (on_colors_changed), t);
  g_signal_connect (lm_window_get_run_list (window), "color-group-changed", G_CALLBACK (on_color_group_changed), t);
  /* freed (and flushed) with the window */
  g_object_set_data_full (G_OBJECT (window), "lm-preferences", t, tracker_free);
}

void
lm_preferences_flush (LmWindow *window)
{
  Tracker *t;

  g_return_if_fail (LM_IS_WINDOW (window));
  t = g_object_get_data (G_OBJECT (window), "lm-preferences");
  if (t != NULL)
    save_now (t, TRUE);
}

const char *
lm_preferences_get_path (LmWindow *window)
{
  Tracker *t = g_object_get_data (G_OBJECT (window), "lm-preferences");

  return t ? t->path : NULL;
}
