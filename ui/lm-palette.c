/* lm-palette.c: the run colour table (see lm-palette.h).  The first hues
 * follow TensorBoard's order (orange, blue, teal, magenta...) so a user
 * switching over finds the first runs in familiar colours. */
#include "lm-palette.h"

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

void
lm_palette_color (guint ordinal, GdkRGBA *color)
{
  guint32 c = palette[ordinal % LM_PALETTE_SIZE];

  color->red = ((c >> 16) & 0xff) / 255.0f;
  color->green = ((c >> 8) & 0xff) / 255.0f;
  color->blue = (c & 0xff) / 255.0f;
  color->alpha = 1.0f;
}
