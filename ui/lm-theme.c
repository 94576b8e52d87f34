/* lm-theme.c: the light and dark colour sets and the mode that picks one
 * (see lm-theme.h).  The light set is the colours the views had before
 * there was a dark one, unchanged. */
#include "lm-theme.h"

#include <string.h>

#define RGB(r, g, b) { (r), (g), (b), 1 }
#define HEX(h) { ((h) >> 16 & 0xff) / 255.0f, ((h) >> 8 & 0xff) / 255.0f, ((h) & 0xff) / 255.0f, 1 }

static const LmThemeColors light = {
  .bg = RGB (1, 1, 1),
  .panel = RGB (0.97, 0.97, 0.98),
  .placeholder = RGB (0.97, 0.97, 0.97),
  .title = RGB (0.13, 0.13, 0.13),
  .strong = RGB (0.1, 0.1, 0.1),
  .text = RGB (0.24, 0.25, 0.27),
  .muted = RGB (0.37, 0.39, 0.41),
  .faint = RGB (0.55, 0.56, 0.58),
  .grid = RGB (0.91, 0.92, 0.93),
  .axis = RGB (0.74, 0.76, 0.78),
  .ink = RGB (0, 0, 0),
  .paper = RGB (1, 1, 1),
  .tooltip_bg = { 1, 1, 1, 0.96 },
  .tooltip_border = { 0, 0, 0, 0.25 },
  .tooltip_muted = RGB (0.45, 0.47, 0.5),
  .crosshair = { 0.2, 0.2, 0.2, 0.45 },
  .accent = RGB (0.1, 0.45, 0.85),
  .error = RGB (0.77, 0.13, 0.12),
  .hparam_title = RGB (0.2, 0.2, 0.2),
  .metric_title = RGB (0.1, 0.35, 0.7),
  .plot_note = RGB (0.3, 0.3, 0.3),
  .plot_tick = RGB (0.35, 0.35, 0.35),
  .plot_label = RGB (0.2, 0.2, 0.2),
  .plot_index = RGB (0.45, 0.45, 0.45),
  .plot_grid = RGB (0.85, 0.85, 0.87),
  .plot_bar = RGB (0.25, 0.45, 0.8),
  .plot_bad = RGB (0.85, 0.1, 0.1),
  .graph_bg = RGB (0.985, 0.985, 0.99),
  .graph_frame = { 0.35, 0.5, 0.75, 0.06 },
  .graph_frame_text = RGB (0.25, 0.38, 0.6),
  .graph_edge = RGB (0.35, 0.35, 0.4),
  .graph_label = RGB (0.3, 0.3, 0.35),
  .graph_edge_hi = RGB (0.15, 0.4, 0.85),
  .graph_node_text = RGB (0.1, 0.1, 0.1),
  .graph_node_subtext = RGB (0.3, 0.3, 0.3),
  .graph_node_text_dim = RGB (0.6, 0.6, 0.6),
  .graph_node_subtext_dim = RGB (0.65, 0.65, 0.65),
  .graph_selected = RGB (0.1, 0.35, 0.85),
  .graph_node_tint = 1.0,
  /* light yellow to dark red, as TensorBoard shades compute time */
  .graph_time_lo = RGB (1.0, 0.95, 0.80),
  .graph_time_hi = RGB (0.70, 0.05, 0.05),
  .graph_time_none = RGB (0.82, 0.82, 0.82),
  .code_bg = "#eef0f2",
  .pre_bg = "#f3f4f6",
  .quote_fg = "#5f6368",
  .link_fg = "#1a73e8",
  .rule = "#d0d7de",
};

/* Google's dark surfaces (#202124 page, #292a2d cards), as TensorBoard's
 * dark mode; text #e8eaed and #9aa0a6 are over 4.5:1 on both. */
static const LmThemeColors dark = {
  .bg = HEX (0x292a2d),
  .panel = HEX (0x303134),
  .placeholder = HEX (0x303134),
  .title = HEX (0xe8eaed),
  .strong = HEX (0xf1f3f4),
  .text = HEX (0xdadce0),
  .muted = HEX (0xa8adb3),
  .faint = HEX (0x8a8f95),
  .grid = HEX (0x3a3c40),
  .axis = HEX (0x5f6368),
  .ink = RGB (1, 1, 1),
  .paper = HEX (0x292a2d),
  .tooltip_bg = { 0x3c / 255.0f, 0x40 / 255.0f, 0x43 / 255.0f, 0.97f },
  .tooltip_border = { 1, 1, 1, 0.2f },
  .tooltip_muted = HEX (0xa8adb3),
  .crosshair = { 0.85f, 0.86f, 0.88f, 0.5f },
  .accent = HEX (0x8ab4f8),
  .error = HEX (0xf28b82),
  .hparam_title = HEX (0xe8eaed),
  .metric_title = HEX (0x8ab4f8),
  .plot_note = HEX (0xbdc1c6),
  .plot_tick = HEX (0xa8adb3),
  .plot_label = HEX (0xdadce0),
  .plot_index = HEX (0x9aa0a6),
  .plot_grid = HEX (0x45474b),
  .plot_bar = HEX (0x669df6),
  .plot_bad = HEX (0xf28b82),
  .graph_bg = HEX (0x202124),
  .graph_frame = { 0.5, 0.65, 0.95, 0.07 },
  .graph_frame_text = HEX (0x9db8e6),
  .graph_edge = RGB (0.72, 0.73, 0.78),
  .graph_label = RGB (0.78, 0.79, 0.84),
  .graph_edge_hi = HEX (0x8ab4f8),
  .graph_node_text = HEX (0xf1f3f4),
  .graph_node_subtext = HEX (0xc4c7cc),
  .graph_node_text_dim = HEX (0x7c7f85),
  .graph_node_subtext_dim = HEX (0x6f7278),
  .graph_selected = HEX (0x8ab4f8),
  .graph_node_tint = 0.32,
  /* dim yellow to bright red: the light scale at the nodes' tint went
   * from L* 42 to 18, a CIELAB distance of 36 (the light scale's: 89);
   * this one goes from L* 26 to 58 with the red's chroma, 78 */
  .graph_time_lo = RGB (0.26, 0.245, 0.18),
  .graph_time_hi = RGB (0.96, 0.33, 0.24),
  .graph_time_none = RGB (0.24, 0.245, 0.255),
  .code_bg = "#35363a",
  .pre_bg = "#303134",
  .quote_fg = "#a8adb3",
  .link_fg = "#8ab4f8",
  .rule = "#5f6368",
};

/* The sheet's colours (lm-window.c keeps the rest of its CSS). */
static const char light_css[] =
  ".lm-card { background: white; border: 1px solid alpha(black, 0.10); box-shadow: 0 1px 3px alpha(black, 0.08); }"
  ".lm-card-title { color: #202124; }"
  ".lm-dashboard { background: #f1f3f4; color: #202124; }"
  ".lm-dashboard textview, .lm-dashboard textview > text { background-color: white; color: #202124; }"
  ".lm-dashboard button.flat { color: #202124; }"
  ".lm-dashboard button.flat:disabled { color: alpha(#202124, 0.5); }"
  ".lm-dashboard button.flat.lm-pin:checked { color: #1a73e8; background: alpha(#1a73e8, 0.12); }"
  ".lm-warning { color: #c5221f; }";

static const char dark_css[] =
  ".lm-card { background: #292a2d; border: 1px solid alpha(white, 0.08); box-shadow: 0 1px 3px alpha(black, 0.5); }"
  ".lm-card-title { color: #e8eaed; }"
  ".lm-dashboard { background: #202124; color: #e8eaed; }"
  ".lm-dashboard textview, .lm-dashboard textview > text { background-color: #292a2d; color: #e8eaed; }"
  ".lm-dashboard button.flat { color: #e8eaed; }"
  ".lm-dashboard button.flat:disabled { color: alpha(#e8eaed, 0.5); }"
  ".lm-dashboard button.flat.lm-pin:checked { color: #8ab4f8; background: alpha(#8ab4f8, 0.16); }"
  ".lm-dashboard entry { color: #e8eaed; }"
  ".lm-warning, .lm-status-failed, .lm-error-badge { color: #f28b82; }"
  ".lm-status-live { color: #81c995; }"
  ".lm-status-stalled { color: #fdd663; }";

struct _LmTheme
{
  GObject parent_instance;

  LmThemeMode mode;
  gboolean dark;
  gboolean system_prefer_dark;  /* GTK's setting as the system left it */
  int portal_scheme;            /* the portal's color-scheme: 0 none, 1 dark, 2 light; -1 unknown */
  int written;                  /* what Lumen last set GTK's prefer-dark to; -1: nothing */
  GtkCssProvider *css;
  GDBusConnection *bus;
  guint portal_sub;
};

enum { PROP_0, PROP_MODE, PROP_DARK, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LmTheme, lm_theme, G_TYPE_OBJECT)

static const char *const mode_names[] = { "system", "light", "dark" };

gboolean
lm_theme_mode_from_string (const char *text, LmThemeMode *out)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (mode_names); i++)
    if (g_ascii_strcasecmp (text, mode_names[i]) == 0)
      {
        *out = (LmThemeMode) i;
        return TRUE;
      }
  return FALSE;
}

const char *
lm_theme_mode_to_string (LmThemeMode mode)
{
  return mode_names[CLAMP ((int) mode, 0, (int) G_N_ELEMENTS (mode_names) - 1)];
}

const char *
lm_theme_sheet_css (gboolean is_dark)
{
  return is_dark ? dark_css : light_css;
}

/* A theme name that says it is dark: Adwaita:dark, Adwaita-dark, Yaru-dark. */
static gboolean
name_is_dark (const char *name)
{
  g_autofree char *low = name ? g_ascii_strdown (name, -1) : NULL;

  return low != NULL && (g_str_has_suffix (low, ":dark") || g_str_has_suffix (low, "-dark"));
}

static gboolean
system_is_dark (LmTheme *self)
{
  GtkSettings *gs = gtk_settings_get_default ();
  g_autofree char *theme_name = NULL;
  const char *env = g_getenv ("GTK_THEME");

  if (self->portal_scheme == 1)
    return TRUE;
  if (env != NULL && *env != '\0')
    return name_is_dark (env);
  if (gs != NULL)
    g_object_get (gs, "gtk-theme-name", &theme_name, NULL);
  return self->system_prefer_dark || name_is_dark (theme_name);
}

/* Every widget of every window draws again (their colours are read in
 * their draw functions). */
static void
queue_draw_all (GtkWidget *w)
{
  gtk_widget_queue_draw (w);
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    queue_draw_all (c);
}

static void
set_gtk_prefer_dark (LmTheme *self, gboolean value)
{
  GtkSettings *gs = gtk_settings_get_default ();
  gboolean now;

  if (gs == NULL)
    return;
  g_object_get (gs, "gtk-application-prefer-dark-theme", &now, NULL);
  self->written = value;
  if (now != value)
    g_object_set (gs, "gtk-application-prefer-dark-theme", value, NULL);
}

static void
update (LmTheme *self)
{
  gboolean is_dark = self->mode == LM_THEME_DARK || (self->mode == LM_THEME_SYSTEM && system_is_dark (self));
  GdkDisplay *display = gdk_display_get_default ();

  /* GTK's own widgets (header bar, sidebar, popovers) follow: the choice
   * made here, or what the system said when Lumen follows it. */
  if (self->mode != LM_THEME_SYSTEM || self->portal_scheme == 1)
    set_gtk_prefer_dark (self, is_dark);
  else
    {
      set_gtk_prefer_dark (self, self->system_prefer_dark);
      self->written = -1;   /* following the system again */
    }
  if (display != NULL && self->css == NULL)
    {
      self->css = gtk_css_provider_new ();
      gtk_css_provider_load_from_data (self->css, lm_theme_sheet_css (is_dark), -1);
      /* above lm-window.c's rules (one more than the application's) */
      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (self->css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);
    }
  if (is_dark == self->dark)
    return;
  self->dark = is_dark;
  if (self->css != NULL)
    gtk_css_provider_load_from_data (self->css, lm_theme_sheet_css (is_dark), -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DARK]);
  {
    GListModel *tops = gtk_window_get_toplevels ();

    for (guint i = 0; i < g_list_model_get_n_items (tops); i++)
      {
        g_autoptr (GtkWidget) w = g_list_model_get_item (tops, i);

        queue_draw_all (w);
      }
  }
}

static void
on_gtk_setting (GtkSettings *gs, GParamSpec *pspec, LmTheme *self)
{
  gboolean v;

  if (g_str_equal (pspec->name, "gtk-application-prefer-dark-theme"))
    {
      /* GTK may tell of Lumen's own change later, not while it is made:
       * only a value other than Lumen's is the system's */
      g_object_get (gs, "gtk-application-prefer-dark-theme", &v, NULL);
      if (self->written >= 0 && v == self->written)
        return;
      self->system_prefer_dark = v;
    }
  update (self);
}

/* ------------------------------------------------------------- portal */

/* org.freedesktop.appearance color-scheme: 0 no preference, 1 dark, 2 light. */
static void
portal_set (LmTheme *self, GVariant *value)
{
  while (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      GVariant *inner = g_variant_get_variant (value);

      g_variant_unref (value);
      value = inner;
    }
  if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    {
      self->portal_scheme = (int) g_variant_get_uint32 (value);
      update (self);
    }
  g_clear_pointer (&value, g_variant_unref);
}

static void
on_portal_changed (GDBusConnection *bus, const char *sender, const char *path, const char *iface,
                   const char *signal, GVariant *params, gpointer data)
{
  const char *ns, *key;
  GVariant *value;

  if (!g_variant_is_of_type (params, G_VARIANT_TYPE ("(ssv)")))
    return;
  g_variant_get (params, "(&s&sv)", &ns, &key, &value);
  if (g_str_equal (ns, "org.freedesktop.appearance") && g_str_equal (key, "color-scheme"))
    portal_set (data, value);
  else
    g_variant_unref (value);
}

static void
on_portal_read (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr (GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, NULL);
  GVariant *value = NULL;

  if (reply != NULL && g_variant_is_of_type (reply, G_VARIANT_TYPE ("(v)")))
    {
      g_variant_get (reply, "(v)", &value);
      portal_set (data, value);
    }
}

/* Only with a session bus already there: looking for one would start a
 * bus daemon under X11 (dbus-launch), for screenshots and tests too. */
static void
watch_portal (LmTheme *self)
{
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    return;
  self->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (self->bus == NULL)
    return;
  self->portal_sub = g_dbus_connection_signal_subscribe (self->bus, "org.freedesktop.portal.Desktop",
                                                         "org.freedesktop.portal.Settings", "SettingChanged",
                                                         "/org/freedesktop/portal/desktop", NULL,
                                                         G_DBUS_SIGNAL_FLAGS_NONE, on_portal_changed, self, NULL);
  g_dbus_connection_call (self->bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                          "org.freedesktop.portal.Settings", "Read",
                          g_variant_new ("(ss)", "org.freedesktop.appearance", "color-scheme"),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 2000, NULL,
                          on_portal_read, self);
}

/* ------------------------------------------------------------- object */

static void
lm_theme_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  LmTheme *self = LM_THEME (object);

  switch (id)
    {
    case PROP_MODE: g_value_set_int (value, self->mode); break;
    case PROP_DARK: g_value_set_boolean (value, self->dark); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
lm_theme_class_init (LmThemeClass *klass)
{
  G_OBJECT_CLASS (klass)->get_property = lm_theme_get_property;
  properties[PROP_MODE] = g_param_spec_int ("mode", NULL, NULL, LM_THEME_SYSTEM, LM_THEME_DARK, LM_THEME_SYSTEM,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DARK] = g_param_spec_boolean ("dark", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (G_OBJECT_CLASS (klass), N_PROPS, properties);
}

static void
lm_theme_init (LmTheme *self)
{
  self->portal_scheme = -1;
  self->written = -1;
}

LmTheme *
lm_theme_get_default (void)
{
  static LmTheme *theme;

  if (theme == NULL)
    {
      GtkSettings *gs = gtk_settings_get_default ();

      theme = g_object_new (LM_TYPE_THEME, NULL);
      if (gs != NULL)
        {
          g_object_get (gs, "gtk-application-prefer-dark-theme", &theme->system_prefer_dark, NULL);
          g_signal_connect (gs, "notify::gtk-application-prefer-dark-theme", G_CALLBACK (on_gtk_setting), theme);
          g_signal_connect (gs, "notify::gtk-theme-name", G_CALLBACK (on_gtk_setting), theme);
        }
      watch_portal (theme);
      theme->dark = !system_is_dark (theme);   /* so that update() sets everything */
      update (theme);
    }
  else if (theme->css == NULL && gdk_display_get_default () != NULL)
    update (theme);   /* the display came after the first colours were asked for */
  return theme;
}

const LmThemeColors *
lm_theme_colors (void)
{
  return lm_theme_is_dark () ? &dark : &light;
}

gboolean
lm_theme_is_dark (void)
{
  return lm_theme_get_default ()->dark;
}

LmThemeMode
lm_theme_get_mode (void)
{
  return lm_theme_get_default ()->mode;
}

void
lm_theme_set_mode (LmThemeMode mode)
{
  LmTheme *self = lm_theme_get_default ();

  g_return_if_fail (mode <= LM_THEME_DARK);
  if (self->mode == mode)
    return;
  self->mode = mode;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

void
lm_theme_set_ink (cairo_t *cr, double alpha)
{
  const GdkRGBA *c = &lm_theme_colors ()->ink;

  cairo_set_source_rgba (cr, c->red, c->green, c->blue, alpha);
}

void
lm_theme_set_paper (cairo_t *cr, double alpha)
{
  const GdkRGBA *c = &lm_theme_colors ()->paper;

  cairo_set_source_rgba (cr, c->red, c->green, c->blue, alpha);
}

void
lm_theme_snapshot_focus_ring (GtkWidget *widget, GtkSnapshot *snapshot)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  const GdkRGBA ring = LM_THEME_FOCUS_RGBA;
  const float width[4] = { 2, 2, 2, 2 };
  const GdkRGBA colors[4] = { ring, ring, ring, ring };
  GskRoundedRect r;

  if (!gtk_widget_has_visible_focus (widget) || w <= 4 || h <= 4)
    return;
  gsk_rounded_rect_init_from_rect (&r, &GRAPHENE_RECT_INIT (1, 1, w - 2, h - 2), 0);
  gtk_snapshot_append_border (snapshot, &r, width, colors);
}

static void
on_state_flags_changed (GtkWidget *widget, GtkStateFlags previous)
{
  if ((gtk_widget_get_state_flags (widget) ^ previous) & (GTK_STATE_FLAG_FOCUSED | GTK_STATE_FLAG_FOCUS_VISIBLE))
    gtk_widget_queue_draw (widget);
}

void
lm_theme_redraw_on_focus (GtkWidget *widget)
{
  g_signal_connect (widget, "state-flags-changed", G_CALLBACK (on_state_flags_changed), NULL);
}
