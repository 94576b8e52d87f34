/* lm-palette.c: the run colour table (see lm-palette.h).  The first hues
 * follow TensorBoard's order (orange, blue, teal, magenta...) so a user
 * switching over finds the first runs in familiar colours. */
#include "lm-palette.h"

#include <string.h>

static const guint32 palette[LM_PALETTE_SIZE] = {
  0xff7043, /* deep orange */
  0x0077bb, /* blue */
  0x009988, /* teal */
  0xee3377, /* magenta */
  0x33bbee, /* cyan */
  0xcc3311, /* red */
  0x7e57c2, /* purple */
  0xf9a825, /* amber */
  0x43a047, /* green */
  0x8d6e63, /* brown */
  0x5c6bc0, /* indigo */
  0x757575, /* grey */
};

/* Darker than #bdbdbd, the light theme's axis colour, and lighter than the
 * palette's own grey. */
#define UNGROUPED_GREY 0xa0a0a0

#define COLOR_KEY "lm-palette-color"
/* the group + 1 - LM_PALETTE_UNGROUPED, so that no data (0) is
 * LM_PALETTE_BY_ORDINAL */
#define GROUP_KEY "lm-palette-group"

static void
rgb_color (guint32 c, GdkRGBA *color)
{
  color->red = ((c >> 16) & 0xff) / 255.0f;
  color->green = ((c >> 8) & 0xff) / 255.0f;
  color->blue = (c & 0xff) / 255.0f;
  color->alpha = 1.0f;
}

void
lm_palette_color (guint ordinal, GdkRGBA *color)
{
  rgb_color (palette[ordinal % LM_PALETTE_SIZE], color);
}

void
lm_palette_ungrouped_color (GdkRGBA *color)
{
  rgb_color (UNGROUPED_GREY, color);
}

void
lm_palette_run_color (LmRun *run, GdkRGBA *color)
{
  const GdkRGBA *own = g_object_get_data (G_OBJECT (run), COLOR_KEY);
  int group = lm_palette_get_run_group (run);

  if (own != NULL)
    *color = *own;
  else if (group == LM_PALETTE_UNGROUPED)
    lm_palette_ungrouped_color (color);
  else if (group >= 0)
    lm_palette_color ((guint) group, color);
  else
    lm_palette_color (lm_run_get_ordinal (run), color);
}

void
lm_palette_set_run_group (LmRun *run, int group)
{
  g_return_if_fail (LM_IS_RUN (run));
  g_return_if_fail (group >= LM_PALETTE_UNGROUPED);
  g_object_set_data (G_OBJECT (run), GROUP_KEY, GINT_TO_POINTER (group + 1 - LM_PALETTE_UNGROUPED));
}

int
lm_palette_get_run_group (LmRun *run)
{
  int stored = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (run), GROUP_KEY));

  return stored == 0 ? LM_PALETTE_BY_ORDINAL : stored - 1 + LM_PALETTE_UNGROUPED;
}

void
lm_palette_set_run_color (LmRun *run, const GdkRGBA *color)
{
  g_return_if_fail (LM_IS_RUN (run));
  if (color == NULL)
    g_object_set_data (G_OBJECT (run), COLOR_KEY, NULL);
  else
    {
      GdkRGBA *own = gdk_rgba_copy (color);

      own->alpha = 1.0f;   /* lines and swatches are opaque */
      g_object_set_data_full (G_OBJECT (run), COLOR_KEY, own, (GDestroyNotify) gdk_rgba_free);
    }
}

gboolean
lm_palette_run_has_color (LmRun *run)
{
  return g_object_get_data (G_OBJECT (run), COLOR_KEY) != NULL;
}

char *
lm_palette_to_string (const GdkRGBA *color)
{
  return g_strdup_printf ("#%02x%02x%02x",
                          (guint) CLAMP (color->red * 255.0f + 0.5f, 0, 255),
                          (guint) CLAMP (color->green * 255.0f + 0.5f, 0, 255),
                          (guint) CLAMP (color->blue * 255.0f + 0.5f, 0, 255));
}

gboolean
lm_palette_parse (const char *text, GdkRGBA *color)
{
  guint64 v;

  if (text == NULL || text[0] != '#' || strlen (text) != 7
      || !g_ascii_string_to_unsigned (text + 1, 16, 0, 0xffffff, &v, NULL))
    return FALSE;
  rgb_color ((guint32) v, color);
  return TRUE;
}
