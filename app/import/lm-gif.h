/* lm-gif.h: a GIF decoder for lumen-import.
 *
 * What it is for: the animated GIFs PyTorch's SummaryWriter.add_video
 * puts in a Summary.Image (moviepy/imageio: a global palette, a
 * NETSCAPE2.0 loop, a delay per frame), and any other GIF87a/GIF89a a
 * writer may have stored there: local palettes, sub-rectangle frames,
 * interlacing, transparency and the disposal methods, composed the way a
 * browser (so TensorBoard) shows them.  Each frame comes out as the
 * whole canvas in 8-bit RGBA.
 *
 * What it is not for: writing GIFs, or showing one progressively; a
 * damaged GIF is refused as a whole with a message naming what is wrong
 * rather than half-shown.
 */
#ifndef LM_GIF_H
#define LM_GIF_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  int width, height;  /* the logical screen (canvas) */
  int n_frames;
  guint8 **frames;    /* n_frames canvases, height x width x 4 (RGBA) */
  double *delays;     /* seconds; a delay under 0.02 s plays as 0.1 s, as
                       * browsers play it */
  int num_plays;      /* NETSCAPE2.0 loop count: 0 forever; 1 without one */
  gboolean has_alpha; /* a pixel of some frame is not opaque */
} LmGif;

/* Decodes a whole GIF; NULL with error (LM_GIF_ERROR) naming what is wrong
 * (the frame, the block) when it is not one.  max_bytes caps the decoded
 * frames' total (n_frames * width * height * 4), 0 for no cap. */
LmGif *lm_gif_decode (const guint8 *data, gsize len, gsize max_bytes, GError **error);
void lm_gif_free (LmGif *gif);
/* How many frames (image descriptors) the GIF's blocks hold, found by
 * walking them without decoding any: for naming a GIF that does not
 * decode a video or an image.  *whole: the walk reached the trailer or
 * the end of the data after a frame, so no frame can be left uncounted. */
int lm_gif_count_frames (const guint8 *data, gsize len, gboolean *whole);
/* Mean delay of the frames as frames per second (the video keeps its
 * length when its delays differ). */
double lm_gif_fps (const LmGif *gif);

#define LM_GIF_ERROR (lm_gif_error_quark ())
GQuark lm_gif_error_quark (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LmGif, lm_gif_free)

G_END_DECLS

#endif
