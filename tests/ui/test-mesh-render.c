/* test-mesh-render.c: the Mesh dashboard's software renderer
 * (ui/lm-mesh-render.c) alone, without a display: triangles facing the
 * camera, the depth test, both windings lit, point discs of the
 * configured size, meshes behind the camera or far outside, triangles
 * around the view whose corners are far outside it, degenerate
 * input, and no write outside the buffer.
 */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "lm-mesh-render.h"

#define W 200
#define H 150
/* bytes after each row that must stay untouched */
#define PAD 16
#define STRIDE (W * 4 + PAD)
#define GUARD 0xab
#define MIN3(a, b, c) MIN (MIN (a, b), c)

typedef struct {
  uint8_t buf[STRIDE * H];
  lm_mesh_renderer *r;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  memset (f->buf, GUARD, sizeof f->buf);
  f->r = lm_mesh_renderer_new ();
  g_assert_nonnull (f->r);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  /* whatever was drawn, the bytes past each row are as they were */
  for (int y = 0; y < H; y++)
    for (int i = 0; i < PAD; i++)
      g_assert_cmpint (f->buf[y * STRIDE + W * 4 + i], ==, GUARD);
  lm_mesh_renderer_free (f->r);
}

static guint32
pixel (Fixture *f, int x, int y)
{
  guint32 v;

  memcpy (&v, f->buf + (gsize) y * STRIDE + x * 4, 4);
  return v;
}

#define ALPHA(p) ((p) >> 24)
#define RED(p) (((p) >> 16) & 0xff)
#define GREEN(p) (((p) >> 8) & 0xff)
#define BLUE(p) ((p) & 0xff)

static guint
count_drawn (Fixture *f)
{
  guint n = 0;

  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      n += ALPHA (pixel (f, x, y)) != 0;
  return n;
}

/* The bounding sphere as LmMesh computes it: the centre of the bounding
 * box, the largest distance to it. */
static void
bound (lm_mesh_scene *s)
{
  float lo[3] = { INFINITY, INFINITY, INFINITY }, hi[3] = { -INFINITY, -INFINITY, -INFINITY };
  double r2 = 0;

  for (gint64 i = 0; i < s->n_vertices; i++)
    for (int k = 0; k < 3; k++)
      {
        lo[k] = MIN (lo[k], s->vertices[3 * i + k]);
        hi[k] = MAX (hi[k], s->vertices[3 * i + k]);
      }
  for (int k = 0; k < 3; k++)
    s->center[k] = (lo[k] + hi[k]) / 2;
  for (gint64 i = 0; i < s->n_vertices; i++)
    {
      double d = 0;

      for (int k = 0; k < 3; k++)
        d += (s->vertices[3 * i + k] - s->center[k]) * (s->vertices[3 * i + k] - s->center[k]);
      r2 = MAX (r2, d);
    }
  s->radius = r2 > 0 ? sqrt (r2) : 1;
}

static gint64
render_front (Fixture *f, lm_mesh_scene *s, double yaw)
{
  lm_mesh_camera v;

  lm_mesh_camera_init (&v, s);
  v.yaw = yaw;
  v.pitch = 0;
  return lm_mesh_render (f->r, s, &v, f->buf, W, H, STRIDE);
}

static const float tri[] = { -1, -1, 0, 1, -1, 0, 0, 1, 0 };
static const guint8 red3[] = { 230, 20, 20, 230, 20, 20, 230, 20, 20 };

/* A red triangle facing the camera covers the centre in red, not the
 * corners; either winding, seen from the front or the back. */
static void
test_triangle_faces_camera (Fixture *f, gconstpointer data)
{
  static const gint32 ccw[] = { 0, 1, 2 }, cw[] = { 0, 2, 1 };
  const gint32 *windings[] = { ccw, cw };
  double yaws[] = { 0, 180 };

  for (guint w = 0; w < G_N_ELEMENTS (windings); w++)
    for (guint k = 0; k < G_N_ELEMENTS (yaws); k++)
      {
        lm_mesh_scene s = { 3, 1, tri, red3, windings[w], { 0 }, 0, 0, 0, NULL };
        guint32 c;

        bound (&s);
        g_assert_cmpint (render_front (f, &s, yaws[k]), >, 100);
        c = pixel (f, W / 2, H / 2);
        g_assert_cmpuint (ALPHA (c), ==, 255);
        g_assert_cmpuint (RED (c), >, 180);   /* facing the light: almost its full colour */
        g_assert_cmpuint (GREEN (c), <, 40);
        g_assert_cmpuint (BLUE (c), <, 40);
        g_assert_cmpuint (pixel (f, 0, 0), ==, 0);
        g_assert_cmpuint (pixel (f, W - 1, 0), ==, 0);
        g_assert_cmpuint (pixel (f, 0, H - 1), ==, 0);
        g_assert_cmpuint (pixel (f, W - 1, H - 1), ==, 0);
      }
}

/* A triangle seen at a slant is darker than one facing the camera, but
 * never darker than the ambient light. */
static void
test_lambert (Fixture *f, gconstpointer data)
{
  static const gint32 face[] = { 0, 1, 2 };
  lm_mesh_scene s = { 3, 1, tri, red3, face, { 0 }, 0, 0, 0, NULL };
  lm_mesh_camera v;
  guint32 front, slant;

  bound (&s);
  render_front (f, &s, 0);
  front = pixel (f, W / 2, H / 2);
  lm_mesh_camera_init (&v, &s);
  v.yaw = 70;
  v.pitch = 0;
  lm_mesh_render (f->r, &s, &v, f->buf, W, H, STRIDE);
  slant = pixel (f, W / 2, H / 2);
  g_assert_cmpuint (ALPHA (slant), ==, 255);
  /* ambient 0.45 + 0.55 cos 70 deg = 0.64 of the colour */
  g_assert_cmpuint (RED (slant), <, RED (front) * 0.7);
  g_assert_cmpuint (RED (slant), >, RED (front) * 0.58);
}

/* A near blue triangle hides a far red one, whichever is drawn first. */
static void
test_depth (Fixture *f, gconstpointer data)
{
  static const float v[] = {
    -2, -2, -0.5, 2, -2, -0.5, 0, 2, -0.5,   /* far, red */
    -1, -1, 0.5, 1, -1, 0.5, 0, 1, 0.5,      /* near, blue */
  };
  static const guint8 c[] = { 255, 0, 0, 255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255, 0, 0, 255 };
  static const gint32 red_first[] = { 0, 1, 2, 3, 4, 5 }, blue_first[] = { 3, 4, 5, 0, 1, 2 };
  const gint32 *orders[] = { red_first, blue_first };

  for (guint o = 0; o < G_N_ELEMENTS (orders); o++)
    {
      lm_mesh_scene s = { 6, 2, v, c, orders[o], { 0 }, 0, 0, 0, NULL };
      guint32 centre, below;

      bound (&s);
      render_front (f, &s, 0);
      centre = pixel (f, W / 2, H / 2);
      g_assert_cmpuint (BLUE (centre), >, 180);
      g_assert_cmpuint (RED (centre), <, 40);
      /* the far triangle still shows where the near one is not */
      below = pixel (f, W / 2, H / 2 + 30);
      g_assert_cmpuint (ALPHA (below), ==, 255);
      g_assert_cmpuint (RED (below), >, 150);
    }
}

/* Colours are interpolated between the corners. */
static void
test_vertex_colors (Fixture *f, gconstpointer data)
{
  static const guint8 rgb[] = { 255, 0, 0, 0, 255, 0, 0, 0, 255 };
  static const gint32 face[] = { 0, 1, 2 };
  lm_mesh_scene s = { 3, 1, tri, rgb, face, { 0 }, 0, 0, 0, NULL };
  guint32 c;

  bound (&s);
  render_front (f, &s, 0);
  /* towards the bottom-left corner (vertex 0, red) */
  for (int x = 0; x < W / 2; x++)
    {
      c = pixel (f, x, H - 40);
      if (ALPHA (c))
        break;
    }
  g_assert_cmpuint (RED (c), >, GREEN (c));
  g_assert_cmpuint (RED (c), >, BLUE (c));
  /* the top (vertex 2, blue) */
  for (int y = 0; y < H / 2; y++)
    {
      c = pixel (f, W / 2, y);
      if (ALPHA (c))
        break;
    }
  g_assert_cmpuint (BLUE (c), >, RED (c));
  g_assert_cmpuint (BLUE (c), >, GREEN (c));
}

static void
row_extent (Fixture *f, int y, int *first, int *last)
{
  *first = -1;
  *last = -1;
  for (int x = 0; x < W; x++)
    if (ALPHA (pixel (f, x, y)))
      {
        if (*first < 0)
          *first = x;
        *last = x;
      }
}

/* A point is a disc of size * height / 2 / depth pixels (Three.js'
 * PointsMaterial with sizeAttenuation), or of the default size. */
static void
test_point_disc (Fixture *f, gconstpointer data)
{
  static const float one[] = { 0, 0, 0 };
  static const guint8 green[] = { 0, 200, 0 };
  lm_mesh_scene s = { 1, 0, one, green, NULL, { 0, 0, 0 }, 1.0f, 0, 0, NULL };
  lm_mesh_camera v;
  double depth;
  int first, last;
  guint n;

  lm_mesh_camera_init (&v, &s);
  depth = v.distance * s.radius;
  s.point_size = 20.0 * depth / (H / 2.0);   /* 20 px across */
  g_assert_cmpint (lm_mesh_render (f->r, &s, &v, f->buf, W, H, STRIDE), >, 0);
  n = count_drawn (f);
  g_assert_cmpuint (n, >, 0.9 * G_PI * 100);
  g_assert_cmpuint (n, <, 1.1 * G_PI * 100);
  row_extent (f, H / 2, &first, &last);
  g_assert_cmpint (last - first + 1, >=, 19);
  g_assert_cmpint (last - first + 1, <=, 21);
  g_assert_cmpuint (GREEN (pixel (f, W / 2, H / 2)), ==, 200);   /* unlit */
  /* round: the corners of its bounding square are not drawn */
  g_assert_cmpuint (pixel (f, first, H / 2 - 9), ==, 0);

  /* twice as far, half the size */
  v.distance *= 2;
  lm_mesh_render (f->r, &s, &v, f->buf, W, H, STRIDE);
  row_extent (f, H / 2, &first, &last);
  g_assert_cmpint (last - first + 1, >=, 9);
  g_assert_cmpint (last - first + 1, <=, 11);

  /* no size configured: the view's default, whatever the distance */
  s.point_size = 0;
  v.default_point_px = 6;
  lm_mesh_render (f->r, &s, &v, f->buf, W, H, STRIDE);
  row_extent (f, H / 2, &first, &last);
  g_assert_cmpint (last - first + 1, ==, 6);
  g_assert_cmpuint (count_drawn (f), >, 0.8 * G_PI * 9);
  g_assert_cmpuint (count_drawn (f), <, 1.2 * G_PI * 9 + 4);
}

/* The nearer of two overlapping points wins, in either order; without
 * colours, the view's default colour. */
static void
test_point_depth (Fixture *f, gconstpointer data)
{
  static const float two[] = { 0, 0, -0.5, 0, 0, 0.5 };
  static const guint8 far_near[] = { 255, 0, 0, 0, 0, 255 };
  static const float two_swapped[] = { 0, 0, 0.5, 0, 0, -0.5 };
  static const guint8 near_far[] = { 0, 0, 255, 255, 0, 0 };
  lm_mesh_scene a = { 2, 0, two, far_near, NULL, { 0 }, 0, 0, 0, NULL };
  lm_mesh_scene b = { 2, 0, two_swapped, near_far, NULL, { 0 }, 0, 0, 0, NULL };
  lm_mesh_scene *scenes[] = { &a, &b };

  for (guint i = 0; i < 2; i++)
    {
      bound (scenes[i]);
      render_front (f, scenes[i], 0);
      g_assert_cmpuint (BLUE (pixel (f, W / 2, H / 2)), ==, 255);
      g_assert_cmpuint (RED (pixel (f, W / 2, H / 2)), ==, 0);
    }
  a.colors = NULL;
  render_front (f, &a, 0);
  g_assert_cmpuint (pixel (f, W / 2, H / 2), ==, 0xffa0a0a0);
}

/* max_points (a drag's quick frame): a cloud of more points draws every
 * k-th, k the smallest that keeps to max_points; faces are all drawn. */
static void
test_max_points (Fixture *f, gconstpointer data)
{
  float grid[100 * 3];
  lm_mesh_scene s = { 100, 0, grid, NULL, NULL, { 0 }, 0, 0, 0, NULL };
  lm_mesh_scene t = { 3, 1, tri, red3, (const gint32[]) { 0, 1, 2 }, { 0 }, 0, 0, 0, NULL };
  static const struct { gint64 max_points; guint drawn; } cases[] = {
    { 0, 100 }, { 100, 100 }, { 1000, 100 }, { 99, 50 }, { 50, 50 }, { 30, 25 }, { 25, 25 }, { 1, 1 },
  };
  lm_mesh_camera v;
  guint all;

  /* a 10 x 10 grid facing the camera, points of 1 px far apart */
  for (int i = 0; i < 100; i++)
    {
      grid[3 * i] = (float) (i % 10) / 9 * 2 - 1;
      grid[3 * i + 1] = (float) (i / 10) / 9 * 2 - 1;
      grid[3 * i + 2] = 0;
    }
  bound (&s);
  lm_mesh_camera_init (&v, &s);
  v.yaw = v.pitch = 0;
  v.default_point_px = 1;
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      v.max_points = cases[i].max_points;
      lm_mesh_render (f->r, &s, &v, f->buf, W, H, STRIDE);
      g_assert_cmpuint (count_drawn (f), ==, cases[i].drawn);
    }

  bound (&t);
  lm_mesh_camera_init (&v, &t);
  lm_mesh_render (f->r, &t, &v, f->buf, W, H, STRIDE);
  all = count_drawn (f);
  g_assert_cmpuint (all, >, 100);
  v.max_points = 1;
  lm_mesh_render (f->r, &t, &v, f->buf, W, H, STRIDE);
  g_assert_cmpuint (count_drawn (f), ==, all);
}

/* Coordinates near FLT_MAX draw as the same shape at scale 1 does: the
 * camera is 4.7e38 from the triangle, past FLT_MAX (it drew nothing). */
static void
test_huge_scale (Fixture *f, gconstpointer data)
{
  float big[9];
  lm_mesh_scene s = { 3, 1, tri, red3, (const gint32[]) { 0, 1, 2 }, { 0 }, 0, 0, 0, NULL };
  guint drawn;

  bound (&s);
  render_front (f, &s, 0);
  drawn = count_drawn (f);
  g_assert_cmpuint (drawn, >, 1000);
  for (int i = 0; i < 9; i++)
    big[i] = tri[i] * 2e38f;
  s.vertices = big;
  /* bound()'s float squares would overflow: the sphere scaled by hand */
  g_assert_cmpfloat (s.center[0], ==, 0);
  g_assert_cmpfloat (s.center[1], ==, 0);
  s.radius = (float) (s.radius * 2e38);
  g_assert_true (isfinite (s.radius));
  g_assert_cmpint (render_front (f, &s, 0), >, 0);
  g_assert_cmpuint (count_drawn (f), ==, drawn);
  /* and as points */
  s.n_faces = 0;
  s.faces = NULL;
  g_assert_cmpint (render_front (f, &s, 0), >, 0);
  g_assert_cmpuint (count_drawn (f), >=, 3);
}

/* A mesh behind the camera or far outside the view draws nothing; one
 * crossing the camera's plane draws only what is in front; a triangle
 * whose corners are all far outside, around the view, covers it. */
static void
test_outside (Fixture *f, gconstpointer data)
{
  static const gint32 face[] = { 0, 1, 2 };
  static const float behind[] = { -1, -1, 50, 1, -1, 50, 0, 1, 50 };
  static const float aside[] = { 1e6, 0, 0, 1e6 + 1, 0, 0, 1e6, 1, 0 };
  static const float huge[] = { -1e30f, -1e30f, 0, 1e30f, -1e30f, 0, 0, 1e30f, 0 };
  static const float across[] = { -1, -1, -1, 1, -1, -1, 0, 1, 20 };
  const float *cases[] = { behind, aside };
  lm_mesh_scene s = { 3, 1, NULL, red3, face, { 0, 0, 0 }, 1.0f, 0, 0, NULL };
  gint64 n;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      s.vertices = cases[i];
      s.faces = face;
      s.n_faces = 1;
      g_assert_cmpint (render_front (f, &s, 0), ==, 0);
      g_assert_cmpuint (count_drawn (f), ==, 0);
      /* as points */
      s.faces = NULL;
      s.n_faces = 0;
      g_assert_cmpint (render_front (f, &s, 0), ==, 0);
      g_assert_cmpuint (count_drawn (f), ==, 0);
    }

  /* corners at 1e30 around the view: every pixel, lit head-on (it was
   * dropped); as points, nothing */
  s.vertices = huge;
  s.faces = face;
  s.n_faces = 1;
  g_assert_cmpint (render_front (f, &s, 0), ==, W * H);
  g_assert_cmpuint (pixel (f, 0, 0), ==, 0xffe61414);
  g_assert_cmpuint (pixel (f, W - 1, H - 1), ==, 0xffe61414);
  s.faces = NULL;
  s.n_faces = 0;
  g_assert_cmpint (render_front (f, &s, 0), ==, 0);

  /* one corner far behind the camera: the rest is clipped at the near plane */
  s.vertices = across;
  s.faces = face;
  s.n_faces = 1;
  n = render_front (f, &s, 0);
  g_assert_cmpint (n, >, 0);
  g_assert_cmpuint (count_drawn (f), <=, W * H);
  /* what is in front rises from y = -1 to -0.81 at the near plane: below the middle */
  g_assert_cmpuint (ALPHA (pixel (f, W / 2, H - 1)), ==, 255);
  g_assert_cmpuint (ALPHA (pixel (f, W / 2, H / 2)), ==, 0);

  /* the camera inside the mesh, every angle */
  for (int yaw = 0; yaw < 360; yaw += 45)
    {
      lm_mesh_camera v;

      lm_mesh_camera_init (&v, &s);
      v.yaw = yaw;
      v.pitch = yaw - 180;   /* clamped to +-89 */
      v.distance = LM_MESH_MIN_DISTANCE / 2;
      g_assert_cmpint (lm_mesh_render (f->r, &s, &v, f->buf, W, H, STRIDE), >=, 0);
    }
}

/* A floor of two triangles 1e7 radii wide under the camera (their
 * corners far beyond the buffer, two behind the camera: they were
 * dropped, leaving the background) covers every pixel below its horizon,
 * from any side, seam included, in the colour of the points it shows:
 * halfway between its red left and blue right corners, at the ambient
 * light of a floor seen from afar (0.45), in perspective (across the
 * screen, the near pixels would take the colour of far corners).  Its
 * depth is right: a tile just above it shows, one just below is hidden. */
static void
test_beyond (Fixture *f, gconstpointer data)
{
  static const float v[] = {
    -5e6, -1, -5e6, 5e6, -1, -5e6, 5e6, -1, 5e6, -5e6, -1, 5e6,   /* the floor */
    -0.2f, -0.95f, -0.2f, 0.2f, -0.95f, -0.2f, 0, -0.95f, 0.2f,   /* a tile above it */
  };
  static const guint8 c[] = { 230, 20, 20, 20, 20, 230, 20, 20, 230, 230, 20, 20, 0, 255, 0, 0, 255, 0, 0, 255, 0 };
  static const gint32 faces[] = { 0, 1, 2, 0, 2, 3, 4, 5, 6 };
  static const double yaws[] = { 0, 30, 135, 260 };
  float below[G_N_ELEMENTS (v)];
  lm_mesh_scene s = { 7, 3, v, c, faces, { 0, 0, 0 }, 1.0f, 0, 0, NULL };
  lm_mesh_camera view;
  /* the horizon of a floor this wide: pitch 20 above the middle */
  double horizon = H / 2.0 - H / 2.0 / tan (LM_MESH_DEFAULT_FOV * G_PI / 360) * tan (20 * G_PI / 180);
  guint green = 0;

  lm_mesh_camera_init (&view, &s);
  for (guint i = 0; i < G_N_ELEMENTS (yaws); i++)
    {
      view.yaw = yaws[i];
      g_assert_cmpint (lm_mesh_render (f->r, &s, &view, f->buf, W, H, STRIDE), >, 0);
      for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
          {
            guint32 p = pixel (f, x, y);

            if (y < horizon - 1)
              g_assert_cmpuint (p, ==, 0);
            else if (y > horizon + 1 && GREEN (p) < 100)
              {
                g_assert_cmpuint (ALPHA (p), ==, 255);
                g_assert_cmpint (abs ((int) RED (p) - 56), <=, 1);
                g_assert_cmpint (abs ((int) GREEN (p) - 9), <=, 1);
                g_assert_cmpint (abs ((int) BLUE (p) - 56), <=, 1);
              }
            else if (GREEN (p) >= 100)
              green++;
          }
    }
  g_assert_cmpuint (green, >, 4 * 100);

  /* the tile 0.05 below the floor: hidden */
  memcpy (below, v, sizeof v);
  for (int k = 4; k < 7; k++)
    below[3 * k + 1] = -1.05f;
  s.vertices = below;
  view.yaw = 0;
  lm_mesh_render (f->r, &s, &view, f->buf, W, H, STRIDE);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      g_assert_cmpuint (GREEN (pixel (f, x, y)), <, 100);
}

/* A floor triangle of red, green and blue corners, lit evenly (ambient
 * 1), seen from half a radius out (inside its bounding sphere): cut at
 * the near plane (a corner behind the eye), and whole (from 0.5 to 8
 * ahead), each pixel shows the colour of the point its centre's ray hits,
 * the corners' colours weighted by that point's barycentric coordinates,
 * within a level.  Interpolated across the screen they were up to 28
 * levels off: the near part's colour spread over the far part. */
static void
test_perspective (Fixture *f, gconstpointer data)
{
  /* the eye is at (0, 0, 2), looking down -z: the floor is 0.5 below it */
  static const float cut[] = { -4, -0.5f, 3, 4, -0.5f, 3, 0, -0.5f, -6 };
  static const float whole[] = { -4, -0.5f, 1.5f, 4, -0.5f, 1.5f, 0, -0.5f, -6 };
  static const guint8 rgb[] = { 255, 0, 0, 0, 255, 0, 0, 0, 255 };
  static const gint32 face[] = { 0, 1, 2 };
  const float *cases[] = { cut, whole };
  lm_mesh_scene s = { 3, 1, NULL, rgb, face, { 0, 0, 0 }, 4.0f, 0, 0, NULL };
  double focal = H / 2.0 / tan (LM_MESH_DEFAULT_FOV * G_PI / 360);
  lm_mesh_camera view;

  lm_mesh_camera_init (&view, &s);
  view.yaw = 0;
  view.pitch = 0;
  view.distance = 0.5;
  view.ambient = 1;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const float *v = cases[i];
      guint checked = 0;
      int worst = 0;

      s.vertices = v;
      g_assert_cmpint (lm_mesh_render (f->r, &s, &view, f->buf, W, H, STRIDE), >, 0);
      for (int y = H / 2 + 2; y < H; y += 3)
        for (int x = 0; x < W; x += 3)
          {
            /* the ray through the pixel's centre meets the floor t ahead */
            double rx = (x + 0.5 - W / 2.0) / focal, ry = (H / 2.0 - (y + 0.5)) / focal;
            double t = -0.5 / ry, px = rx * t, pz = 2 - t;
            /* its barycentric coordinates in the floor's x, z */
            double det = (v[3] - v[0]) * (v[8] - v[2]) - (v[6] - v[0]) * (v[5] - v[2]);
            double b1 = ((px - v[0]) * (v[8] - v[2]) - (v[6] - v[0]) * (pz - v[2])) / det;
            double b2 = ((v[3] - v[0]) * (pz - v[2]) - (px - v[0]) * (v[5] - v[2])) / det;
            double b0 = 1 - b1 - b2;
            guint32 p = pixel (f, x, y);

            /* well inside (its edges may fall either way) */
            if (MIN3 (b0, b1, b2) < 0.01)
              continue;
            g_assert_cmpuint (ALPHA (p), ==, 255);
            worst = MAX (worst, abs ((int) RED (p) - (int) lround (255 * b0)));
            worst = MAX (worst, abs ((int) GREEN (p) - (int) lround (255 * b1)));
            worst = MAX (worst, abs ((int) BLUE (p) - (int) lround (255 * b2)));
            checked++;
          }
      g_test_message ("%s: %u pixels, at most %d levels off", i == 0 ? "cut" : "whole", checked, worst);
      g_assert_cmpuint (checked, >, 500);
      g_assert_cmpint (worst, <=, 1);
    }
}

/* The triangle scaled by 2^127 (corners at +-1.7e38, the camera 4e38
 * away: past FLT_MAX) draws the same pixels as at scale 1, as a face and
 * as points. */
static void
test_any_scale (Fixture *f, gconstpointer data)
{
  static const gint32 face[] = { 0, 1, 2 };
  float big[9];
  lm_mesh_scene s = { 3, 1, tri, red3, face, { 0, 0, 0 }, 1.0f, 0, 0, NULL };
  g_autofree guint8 *want = NULL;

  for (int i = 0; i < 9; i++)
    big[i] = ldexpf (tri[i], 127);
  for (int faces = 1; faces >= 0; faces--)
    {
      s.n_faces = faces;
      /* the bounding sphere, centre (0, 0, 0), as LmMesh gives it (bound()
       * squares in float, which overflows at 2^127) */
      s.vertices = tri;
      s.radius = (float) G_SQRT2;
      g_assert_cmpint (render_front (f, &s, 0), >, 0);
      g_free (want);
      want = g_memdup2 (f->buf, sizeof f->buf);
      s.vertices = big;
      s.radius = ldexpf ((float) G_SQRT2, 127);
      g_assert_cmpint (render_front (f, &s, 0), >, 0);
      g_assert_cmpmem (f->buf, sizeof f->buf, want, sizeof f->buf);
    }
}

/* Degenerate triangles draw nothing, out-of-range indices are skipped,
 * a one-vertex cloud is a disc in the middle. */
static void
test_degenerate (Fixture *f, gconstpointer data)
{
  static const float v[] = { 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2 };
  static const gint32 faces[] = { 0, 1, 1, 0, 2, 3, 0, 0, 0, 0, 1, 7, -1, 0, 2 };
  static const float one[] = { 5, -3, 2 };
  lm_mesh_scene s = { 4, 5, v, NULL, faces, { 0 }, 0, 0, 0, NULL };
  lm_mesh_camera view;

  bound (&s);
  g_assert_cmpint (render_front (f, &s, 0), ==, 0);
  g_assert_cmpuint (count_drawn (f), ==, 0);

  s = (lm_mesh_scene) { 1, 0, one, NULL, NULL, { 5, -3, 2 }, 1.0f, 0, 0, NULL };
  g_assert_cmpint (render_front (f, &s, 0), >, 0);
  g_assert_cmpuint (ALPHA (pixel (f, W / 2, H / 2)), ==, 255);
  g_assert_cmpuint (count_drawn (f), <, 30);

  /* bad arguments */
  lm_mesh_camera_init (&view, &s);
  g_assert_cmpint (lm_mesh_render (f->r, &s, &view, f->buf, 0, H, STRIDE), ==, -1);
  g_assert_cmpint (lm_mesh_render (f->r, &s, &view, f->buf, W, H, W * 2), ==, -1);
  g_assert_cmpint (lm_mesh_render (f->r, &s, &view, NULL, W, H, STRIDE), ==, -1);
  s.n_vertices = 0;
  g_assert_cmpint (lm_mesh_render (f->r, &s, &view, f->buf, W, H, STRIDE), ==, 0);
}

/* A UV sphere: rings x segs quads as two triangles each, wound
 * consistently, or every other triangle the other way round. */
static void
uv_sphere (int rings, int segs, gboolean mixed, float **v, gint32 **f, gint64 *nv, gint64 *nf)
{
  gint64 k = 0;

  *nv = (gint64) (rings + 1) * segs;
  *nf = (gint64) rings * segs * 2;
  *v = g_new (float, 3 * *nv);
  *f = g_new (gint32, 3 * *nf);
  for (int i = 0; i <= rings; i++)
    for (int j = 0; j < segs; j++, k++)
      {
        double th = G_PI * i / rings, ph = 2 * G_PI * j / segs;

        (*v)[3 * k] = sin (th) * cos (ph);
        (*v)[3 * k + 1] = cos (th);
        (*v)[3 * k + 2] = sin (th) * sin (ph);
      }
  k = 0;
  for (int i = 0; i < rings; i++)
    for (int j = 0; j < segs; j++)
      {
        gint32 a = i * segs + j, b = i * segs + (j + 1) % segs;
        gint32 tri[2][3] = { { a, b, b + segs }, { a, b + segs, a + segs } };

        for (int t = 0; t < 2; t++, k++)
          {
            gboolean flip = mixed && (k % 2 == 0);

            (*f)[3 * k] = tri[t][0];
            (*f)[3 * k + 1] = flip ? tri[t][2] : tri[t][1];
            (*f)[3 * k + 2] = flip ? tri[t][1] : tri[t][2];
          }
      }
}

/* Smooth, either winding: a sphere is brightest where it faces the camera
 * and darkens smoothly towards its rim, and one with every other
 * triangle wound the other way looks the same, pixel for pixel. */
static void
test_smooth_any_winding (Fixture *f, gconstpointer data)
{
  float *v;
  gint32 *faces;
  gint64 nv, nf;
  guint32 *same;
  guint32 centre, rim = 0;
  int differ = 0, first = -1, last = -1, step = 0;

  uv_sphere (24, 48, FALSE, &v, &faces, &nv, &nf);
  {
    lm_mesh_scene s = { nv, nf, v, NULL, faces, { 0 }, 1.0f, 0, 0, NULL };

    render_front (f, &s, 0);
  }
  same = g_memdup2 (f->buf, sizeof f->buf);
  centre = pixel (f, W / 2, H / 2);
  /* the grey 0xa0 times the light: full facing the camera */
  g_assert_cmpuint (GREEN (centre), >=, 0x9c);
  /* near the rim on the horizontal line, seen at a slant: darker */
  for (int x = 0; x < W / 2; x++)
    if (ALPHA (pixel (f, x, H / 2)))
      {
        rim = pixel (f, x + 2, H / 2);
        break;
      }
  g_assert_cmpuint (GREEN (rim), <, GREEN (centre) * 0.7);
  /* and smoothly: no steps between neighbouring faces (flat shading had
   * steps of 10 levels near the rim) */
  row_extent (f, H / 2, &first, &last);
  for (int x = first + 3; x < last - 3; x++)
    step = MAX (step, abs ((int) GREEN (pixel (f, x + 1, H / 2)) - (int) GREEN (pixel (f, x, H / 2))));
  g_test_message ("largest step between neighbouring pixels: %d", step);
  g_assert_cmpint (step, <=, 4);
  g_free (v);
  g_free (faces);

  uv_sphere (24, 48, TRUE, &v, &faces, &nv, &nf);
  {
    lm_mesh_scene s = { nv, nf, v, NULL, faces, { 0 }, 1.0f, 0, 0, NULL };

    render_front (f, &s, 0);
  }
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      differ += pixel (f, x, y) != same[(y * STRIDE) / 4 + x];
  g_assert_cmpint (differ, ==, 0);
  g_free (same);
  g_free (v);
  g_free (faces);
}

/* The shading kept with the mesh (lm_mesh_shading_new, as a view keeps
 * it) shades every frame as summing every face's normal does, to the
 * pixel, from outside and inside the sphere (faces behind the near plane
 * left out), round and along the silhouette, either winding and mixed,
 * with a face out of range, a degenerate face and a vertex of none, and a
 * flat grid seen edge-on; and
 * it sums face by face only at the silhouette: from outside this coarse
 * sphere, at most a sixth of the faces (they were all summed for every
 * frame). */
static void
test_kept_shading (Fixture *f, gconstpointer data)
{
  static const double distances[] = { 0, 1.02, 0.5 };
  guint8 *own = g_malloc (sizeof f->buf);
  gint64 frames = 0;

  lm_mesh_shading *sh;

  for (int mixed = 0; mixed <= 1; mixed++)
    {
      float *v;
      gint32 *faces;
      gint64 nv, nf;

      uv_sphere (24, 48, mixed, &v, &faces, &nv, &nf);
      faces[0] = (gint32) nv;   /* out of range: skipped */
      faces[3 * 5 + 1] = faces[3 * 5];   /* degenerate */
      v[3 * (nv - 1)] = 0.5f;   /* the last vertex, on no face (a pole's), inside */
      {
        lm_mesh_scene s = { nv, nf, v, NULL, faces, { 0 }, 1.0f, 0, 0, NULL };

        sh = lm_mesh_shading_new (&s);
        g_assert_nonnull (sh);
        g_assert_cmpuint (lm_mesh_shading_get_bytes (sh), >=, 28 * nv + 12 * (nf - 1));
        for (double yaw = 0; yaw < 360; yaw += 7.5)
          for (guint d = 0; d < G_N_ELEMENTS (distances); d++)
            {
              lm_mesh_camera view;

              lm_mesh_camera_init (&view, &s);
              view.yaw = yaw;
              view.pitch = yaw / 4 - 45;
              if (distances[d] > 0)
                view.distance = distances[d];
              s.shading = NULL;
              g_assert_cmpint (lm_mesh_render (f->r, &s, &view, f->buf, W, H, STRIDE), >, 0);
              g_assert_cmpint (lm_mesh_renderer_get_n_summed (f->r), ==, 3 * nf);
              memcpy (own, f->buf, sizeof f->buf);
              s.shading = sh;
              g_assert_cmpint (lm_mesh_render (f->r, &s, &view, f->buf, W, H, STRIDE), >, 0);
              g_assert_cmpmem (f->buf, sizeof f->buf, own, sizeof f->buf);
              /* from outside, only the silhouette's vertices */
              if (distances[d] != 0.5)
                g_assert_cmpint (lm_mesh_renderer_get_n_summed (f->r), <, 3 * nf / 6);
              frames++;
            }
        /* one made for another mesh is not used */
        s.n_faces--;
        lm_mesh_render (f->r, &s, &(lm_mesh_camera) { .distance = 3, .ambient = 0.45 }, f->buf, W, H, STRIDE);
        g_assert_cmpint (lm_mesh_renderer_get_n_summed (f->r), ==, 3 * (nf - 1));
      }
      lm_mesh_shading_free (sh);
      g_free (v);
      g_free (faces);
    }
  g_assert_cmpint (frames, ==, 2 * 48 * 3);

  /* a flat grid seen edge-on, the eye in its faces' planes (where a face's
   * sign is the rounding's), and barely above or below it */
  {
    enum { N = 9 };
    float grid[3 * N * N];
    gint32 cells[6 * (N - 1) * (N - 1)];
    lm_mesh_scene s = { N * N, 2 * (N - 1) * (N - 1), grid, NULL, cells, { 0 }, 1.0f, 0, 0, NULL };
    static const double pitches[] = { 0, 1e-9, -1e-9, 1e-4, -1e-4, 0.5, -3 };
    int k = 0;

    for (int i = 0; i < N * N; i++)
      {
        grid[3 * i] = (float) (i % N) / (N - 1) - 0.5f;
        grid[3 * i + 1] = 0;
        grid[3 * i + 2] = (float) (i / N) / (N - 1) - 0.5f;
      }
    for (int y = 0; y + 1 < N; y++)
      for (int x = 0; x + 1 < N; x++)
        {
          gint32 a = y * N + x, quad[6] = { a, a + 1, a + N + 1, a, a + N + 1, a + N };

          memcpy (cells + k, quad, sizeof quad);
          k += 6;
        }
    bound (&s);
    sh = lm_mesh_shading_new (&s);
    for (guint i = 0; i < G_N_ELEMENTS (pitches); i++)
      for (double yaw = 0; yaw < 360; yaw += 40)
        {
          lm_mesh_camera view;

          lm_mesh_camera_init (&view, &s);
          view.yaw = yaw;
          view.pitch = pitches[i];
          s.shading = NULL;
          lm_mesh_render (f->r, &s, &view, f->buf, W, H, STRIDE);
          memcpy (own, f->buf, sizeof f->buf);
          s.shading = sh;
          lm_mesh_render (f->r, &s, &view, f->buf, W, H, STRIDE);
          g_assert_cmpmem (f->buf, sizeof f->buf, own, sizeof f->buf);
        }
    lm_mesh_shading_free (sh);
  }
  /* nothing to shade */
  g_assert_null (lm_mesh_shading_new (&(lm_mesh_scene) { 3, 0, tri, NULL, NULL, { 0 }, 1.0f, 0, 0, NULL }));
  g_free (own);
}

/* The initial camera fits the bounding sphere: a sphere of points fills
 * most of the height without leaving the buffer; a narrower fov comes
 * from farther away, to the same size. */
static void
test_fit (Fixture *f, gconstpointer data)
{
  enum { N = 2000 };
  static float v[3 * N];
  lm_mesh_scene s = { N, 0, v, NULL, NULL, { 0 }, 0, 0, 0, NULL };
  lm_mesh_camera view;
  int top = -1, bottom = -1;

  for (int i = 0; i < N; i++)
    {
      double z = 1 - 2.0 * (i + 0.5) / N, r = sqrt (1 - z * z), phi = i * 2.399963;

      v[3 * i] = r * cos (phi);
      v[3 * i + 1] = r * sin (phi);
      v[3 * i + 2] = z;
    }
  bound (&s);
  for (double fov = 30; fov <= 90; fov += 45)
    {
      s.fov = fov;
      lm_mesh_camera_init (&view, &s);
      g_assert_cmpfloat (view.distance, >, 1);
      lm_mesh_render (f->r, &s, &view, f->buf, W, H, STRIDE);
      top = bottom = -1;
      for (int y = 0; y < H; y++)
        {
          int first, last;

          row_extent (f, y, &first, &last);
          if (first >= 0 && top < 0)
            top = y;
          if (first >= 0)
            bottom = y;
        }
      g_assert_cmpint (top, >, 0);
      g_assert_cmpint (bottom, <, H - 1);
      g_assert_cmpint (bottom - top, >, H * 0.7);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/mesh-render/triangle-faces-camera", test_triangle_faces_camera);
  ADD ("/mesh-render/lambert", test_lambert);
  ADD ("/mesh-render/depth", test_depth);
  ADD ("/mesh-render/smooth-any-winding", test_smooth_any_winding);
  ADD ("/mesh-render/kept-shading", test_kept_shading);
  ADD ("/mesh-render/vertex-colors", test_vertex_colors);
  ADD ("/mesh-render/point-disc", test_point_disc);
  ADD ("/mesh-render/point-depth", test_point_depth);
  ADD ("/mesh-render/max-points", test_max_points);
  ADD ("/mesh-render/huge-scale", test_huge_scale);
  ADD ("/mesh-render/outside", test_outside);
  ADD ("/mesh-render/beyond", test_beyond);
  ADD ("/mesh-render/perspective", test_perspective);
  ADD ("/mesh-render/any-scale", test_any_scale);
  ADD ("/mesh-render/degenerate", test_degenerate);
  ADD ("/mesh-render/fit", test_fit);
  return g_test_run ();
}
