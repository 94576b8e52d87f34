/* lm-mesh-render.c: the Mesh dashboard's software renderer (see
 * lm-mesh-render.h).
 *
 * Vertices are moved to camera space (in bounding radii, so that a mesh
 * of coordinates near FLT_MAX stays finite) and projected once per frame, and
 * lit once when there are faces: from each vertex's sum of its faces'
 * normals, made once per mesh (lm_mesh_shading) and summed again for the
 * frame only at the silhouette, where the eye sees a vertex's faces from
 * both sides (vertex_light_kept), or from every face's (vertex_light,
 * without it); each triangle whose box holds a pixel centre is
 * then filled row by row over the span its edge functions allow (both
 * windings: a clockwise triangle is turned round), the depth test on
 * 1/z, which is linear in screen space.  A triangle that
 * crosses the near plane is clipped there in camera space (Sutherland-
 * Hodgman against one plane gives at most a quad, drawn as two
 * triangles).  Colours (lit) are interpolated in perspective, as a GPU
 * does: their values over z and 1/z are linear across the screen, and a
 * pixel's colour is their quotient, so that a triangle shades the same
 * whole, cut at the near plane or cut to the guard band (interpolated
 * across the screen, a triangle reaching from the eye to the far side
 * was up to 28 levels off, and changed as it was cut).  A triangle with a
 * corner projected beyond MAX_SCREEN (a floor under the camera, a narrow
 * field of view) is cut to a guard band around the buffer, in
 * perspective (draw_beyond), rather than rasterised whole.
 *
 * Anything not finite is dropped, and no loop runs over more than the
 * buffer.
 */
#include "lm-mesh-render.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct lm_mesh_renderer
{
  float *depth;          /* 1/z per pixel, 0: nothing drawn */
  size_t depth_len;
  float *proj;           /* per vertex: camera x, y, z, screen x, y */
  size_t proj_len;
  float *normals;        /* per vertex: the normal (world axes, summed without shading), its light */
  size_t normals_len;
  float *planes;         /* per face, for a scene without shading */
  size_t planes_len;
  int64_t n_summed;      /* the last frame's faces summed one by one, at each of their vertices */
};

#define MIN3(a, b, c) ((a) < (b) ? ((a) < (c) ? (a) : (c)) : ((b) < (c) ? (b) : (c)))
#define MAX3(a, b, c) ((a) > (b) ? ((a) > (c) ? (a) : (c)) : ((b) > (c) ? (b) : (c)))

/* Projected coordinates beyond this many pixels are not rasterised: a
 * triangle with a corner beyond them is cut to the guard band, the buffer
 * and GUARD_PX around it (where the sides it is cut along are not seen),
 * at most MAX_CORNERS corners (four cut by four sides). */
#define MAX_SCREEN 1.0e6
#define GUARD_PX 16.0
#define MAX_CORNERS 8
/* The largest point disc drawn, in pixels. */
#define MAX_POINT_PX 512.0

typedef struct {
  double right[3], up[3], fwd[3], eye[3];
  double focal;            /* pixels per unit at depth 1 */
  double near;
  double unit;             /* the bounding radius: proj holds camera space in these */
  double cx, cy;           /* the buffer's centre */
  double point_scale;      /* Three.js' sizeAttenuation: height / 2 */
} camera;

typedef struct {
  double x, y, z;          /* camera space */
  double r, g, b;          /* 0..255 */
} cvert;

typedef struct {
  double x, y, iz;         /* screen, 1/z */
  double r, g, b;
} svert;

typedef struct {
  uint32_t *pixels;
  int width, height, stride_px;
  float *depth;
  int64_t written;
} target;

double
lm_mesh_fit_distance (double fov)
{
  if (!(fov > 0 && fov < 180))
    fov = LM_MESH_DEFAULT_FOV;
  /* a little margin so that the silhouette does not touch the edges */
  return 1.05 / sin (fov * M_PI / 360.0);
}

void
lm_mesh_camera_init (lm_mesh_camera *view, const lm_mesh_scene *scene)
{
  memset (view, 0, sizeof *view);
  view->yaw = LM_MESH_DEFAULT_YAW;
  view->pitch = LM_MESH_DEFAULT_PITCH;
  view->distance = lm_mesh_fit_distance (scene != NULL ? scene->fov : 0);
  view->default_color[0] = view->default_color[1] = view->default_color[2] = 0xa0;
  view->default_point_px = LM_MESH_DEFAULT_POINT_PX;
  view->ambient = 0.45;
}

lm_mesh_renderer *
lm_mesh_renderer_new (void)
{
  return calloc (1, sizeof (lm_mesh_renderer));
}

size_t
lm_mesh_renderer_get_bytes (const lm_mesh_renderer *r)
{
  if (r == NULL)
    return 0;
  return (r->depth_len + r->proj_len * 5 + r->normals_len * 4 + r->planes_len * 4) * sizeof (float);
}

int64_t
lm_mesh_renderer_get_n_summed (const lm_mesh_renderer *r)
{
  return r != NULL ? r->n_summed : 0;
}

void
lm_mesh_renderer_free (lm_mesh_renderer *r)
{
  if (r == NULL)
    return;
  free (r->depth);
  free (r->proj);
  free (r->normals);
  free (r->planes);
  free (r);
}

static void
camera_setup (camera *cam, const lm_mesh_scene *scene, const lm_mesh_camera *view, int width, int height)
{
  double fov = scene->fov > 0 && scene->fov < 180 ? scene->fov : LM_MESH_DEFAULT_FOV;
  double pitch = fmin (fmax (isfinite (view->pitch) ? view->pitch : 0, -89.0), 89.0) * M_PI / 180.0;
  double yaw = (isfinite (view->yaw) ? view->yaw : 0) * M_PI / 180.0;
  double radius = scene->radius > 0 && isfinite (scene->radius) ? scene->radius : 1.0;
  double dist = isfinite (view->distance) ? fmin (fmax (view->distance, LM_MESH_MIN_DISTANCE), LM_MESH_MAX_DISTANCE)
                                          : lm_mesh_fit_distance (fov);
  double e[3] = { cos (pitch) * sin (yaw), sin (pitch), cos (pitch) * cos (yaw) };
  double len;

  dist *= radius;
  for (int i = 0; i < 3; i++)
    {
      cam->eye[i] = scene->center[i] + dist * e[i];
      cam->fwd[i] = -e[i];
    }
  /* right = fwd x (0, 1, 0); pitch is kept off the poles so it is not 0 */
  cam->right[0] = -cam->fwd[2];
  cam->right[1] = 0;
  cam->right[2] = cam->fwd[0];
  len = hypot (cam->right[0], cam->right[2]);
  cam->right[0] /= len;
  cam->right[2] /= len;
  /* up = right x fwd */
  cam->up[0] = cam->right[1] * cam->fwd[2] - cam->right[2] * cam->fwd[1];
  cam->up[1] = cam->right[2] * cam->fwd[0] - cam->right[0] * cam->fwd[2];
  cam->up[2] = cam->right[0] * cam->fwd[1] - cam->right[1] * cam->fwd[0];

  cam->cx = width / 2.0;
  cam->cy = height / 2.0;
  cam->focal = (height / 2.0) / tan (fov * M_PI / 360.0);
  cam->point_scale = height / 2.0;
  /* just in front of the bounding sphere, never at the eye */
  cam->near = fmax (dist - radius * 1.001, radius * 0.01);
  cam->unit = radius;
}

static inline void
to_camera (const camera *cam, const float *v, double out[3])
{
  double d[3] = { v[0] - cam->eye[0], v[1] - cam->eye[1], v[2] - cam->eye[2] };

  out[0] = d[0] * cam->right[0] + d[1] * cam->right[1] + d[2] * cam->right[2];
  out[1] = d[0] * cam->up[0] + d[1] * cam->up[1] + d[2] * cam->up[2];
  out[2] = d[0] * cam->fwd[0] + d[1] * cam->fwd[1] + d[2] * cam->fwd[2];
}

static inline int
project (const camera *cam, double x, double y, double z, double *sx, double *sy)
{
  *sx = cam->cx + x * cam->focal / z;
  *sy = cam->cy - y * cam->focal / z;
  return isfinite (*sx) && isfinite (*sy) && fabs (*sx) < MAX_SCREEN && fabs (*sy) < MAX_SCREEN;
}

static inline uint32_t
pack (double r, double g, double b)
{
  int ri = (int) (r + 0.5), gi = (int) (g + 0.5), bi = (int) (b + 0.5);

  ri = ri < 0 ? 0 : ri > 255 ? 255 : ri;
  gi = gi < 0 ? 0 : gi > 255 ? 255 : gi;
  bi = bi < 0 ? 0 : bi > 255 ? 255 : bi;
  return 0xff000000u | (uint32_t) ri << 16 | (uint32_t) gi << 8 | (uint32_t) bi;
}

/* ceil and floor of x, |x| < 2^31: x86-64's SSE2 has no rounding
 * instruction, and the library's were a sixth of a frame */
static inline int
ceil_int (double x)
{
  int i = (int) x;

  return i + (i < x);
}

static inline int
floor_int (double x)
{
  int i = (int) x;

  return i - (i > x);
}

/* The pixels whose centres (i + 0.5) the triangle's bounding box holds,
 * clipped to the target; FALSE when there are none.  A sliver between two
 * centres costs nothing more (coordinates are finite and within
 * MAX_SCREEN here, so plain comparisons and ceil_int do: fmin and fmax
 * were a tenth of a frame). */
static inline bool
pixel_bounds (const target *t, const svert *a, const svert *b, const svert *c, int *x0, int *x1, int *y0,
              int *y1)
{
  int minx = ceil_int (MIN3 (a->x, b->x, c->x) - 0.5);
  int maxx = floor_int (MAX3 (a->x, b->x, c->x) - 0.5);
  int miny = ceil_int (MIN3 (a->y, b->y, c->y) - 0.5);
  int maxy = floor_int (MAX3 (a->y, b->y, c->y) - 0.5);

  minx = minx < 0 ? 0 : minx;
  miny = miny < 0 ? 0 : miny;
  maxx = maxx > t->width - 1 ? t->width - 1 : maxx;
  maxy = maxy > t->height - 1 ? t->height - 1 : maxy;
  if (!(minx <= maxx && miny <= maxy))
    return false;
  *x0 = minx;
  *x1 = maxx;
  *y0 = miny;
  *y1 = maxy;
  return true;
}

/* The span [*i0, *i1] of a row of n + 1 pixels inside all three edges,
 * solved rather than searched: e[k] + edx[k] * i >= 0, so i >= -e / edx
 * (its ceiling) where edx > 0, i <= it (its floor) where edx < 0; a bound
 * past the row's ends empties it before it is rounded.  false when
 * empty. */
static inline bool
row_span (const double e[3], const double edx[3], const double inv_edx[3], int n, int *i0, int *i1)
{
  int lo = 0, hi = n;

  for (int k = 0; k < 3; k++)
    {
      double x = -e[k] * inv_edx[k];

      if (edx[k] > 0)
        {
          if (x > lo)
            {
              if (x > n)
                return false;
              lo = ceil_int (x);
            }
        }
      else if (edx[k] < 0)
        {
          if (x < hi)
            {
              if (x < 0)
                return false;
              hi = floor_int (x);
            }
        }
      else if (e[k] < 0)
        return false;
    }
  if (lo > hi)
    return false;
  *i0 = lo;
  *i1 = hi;
  return true;
}

/* Fills a screen-space triangle with depth and colours interpolated in
 * perspective: its corners hold r, g, b over z (their colours times iz,
 * set_color), linear across the screen as iz is, and each pixel's colour
 * is them divided by its iz. */
static void
fill_triangle (target *t, svert a, svert b, svert c)
{
  double area = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
  double inv;
  int x0, x1, y0, y1;

  /* degenerate (or NaN): a sliver of under a thousandth of a pixel is
   * rounding noise of three points in a line, which would otherwise
   * light the pixel centres along it */
  if (!(fabs (area) > 1e-3))
    return;
  if (area < 0)
    {
      svert tmp = b;

      b = c;
      c = tmp;
      area = -area;
    }
  if (!pixel_bounds (t, &a, &b, &c, &x0, &x1, &y0, &y1))
    return;
  inv = 1.0 / area;

  /* edge functions at the first pixel centre and their steps:
   * w0 opposite a (edge b->c), w1 opposite b (c->a), w2 opposite c (a->b) */
  double px = x0 + 0.5, py = y0 + 0.5;
  double w0r = (c.x - b.x) * (py - b.y) - (c.y - b.y) * (px - b.x);
  double w1r = (a.x - c.x) * (py - c.y) - (a.y - c.y) * (px - c.x);
  double w2r = (b.x - a.x) * (py - a.y) - (b.y - a.y) * (px - a.x);
  double w0dx = -(c.y - b.y), w0dy = c.x - b.x;
  double w1dx = -(a.y - c.y), w1dy = a.x - c.x;
  double w2dx = -(b.y - a.y), w2dy = b.x - a.x;
  /* attribute = a + (b - a) * w1 / area + (c - a) * w2 / area */
  double dz1 = (b.iz - a.iz) * inv, dz2 = (c.iz - a.iz) * inv;
  double dr1 = (b.r - a.r) * inv, dr2 = (c.r - a.r) * inv;
  double dg1 = (b.g - a.g) * inv, dg2 = (c.g - a.g) * inv;
  double db1 = (b.b - a.b) * inv, db2 = (c.b - a.b) * inv;

  /* every attribute is linear across the screen: its step along x */
  double zdx = dz1 * w1dx + dz2 * w2dx, rdx = dr1 * w1dx + dr2 * w2dx;
  double gdx = dg1 * w1dx + dg2 * w2dx, bdx = db1 * w1dx + db2 * w2dx;
  double edx[3] = { w0dx, w1dx, w2dx }, inv_edx[3] = { 0, 0, 0 };
  int n = x1 - x0;

  /* a box one pixel wide (most of a million-triangle frame's) needs no
   * span: its pixel is in when every edge function is >= 0, which is what
   * row_span finds of a row of one */
  if (n > 0)
    for (int k = 0; k < 3; k++)
      inv_edx[k] = edx[k] != 0 ? 1 / edx[k] : 0;

  for (int y = y0; y <= y1; y++)
    {
      double e[3] = { w0r, w1r, w2r };
      uint32_t *row = t->pixels + (size_t) y * t->stride_px + x0;
      float *drow = t->depth + (size_t) y * t->width + x0;
      int i0, i1;

      if (n == 0 ? (i0 = i1 = 0, e[0] >= 0 && e[1] >= 0 && e[2] >= 0) : row_span (e, edx, inv_edx, n, &i0, &i1))
        {
          double z = a.iz + dz1 * w1r + dz2 * w2r + zdx * i0;
          double rr = a.r + dr1 * w1r + dr2 * w2r + rdx * i0;
          double gg = a.g + dg1 * w1r + dg2 * w2r + gdx * i0;
          double bb = a.b + db1 * w1r + db2 * w2r + bdx * i0;

          for (int i = i0; i <= i1; i++, z += zdx, rr += rdx, gg += gdx, bb += bdx)
            if ((float) z > drow[i])
              {
                double w = 1.0 / z;

                drow[i] = (float) z;
                row[i] = pack (rr * w, gg * w, bb * w);
                t->written++;
              }
        }
      w0r += w0dy;
      w1r += w1dy;
      w2r += w2dy;
    }
}

/* A corner's colour as fill_triangle takes it: over z (times its iz). */
static inline void
set_color (svert *s, double r, double g, double b)
{
  s->r = r * s->iz;
  s->g = g * s->iz;
  s->b = b * s->iz;
}

static int
to_screen (const camera *cam, const cvert *v, svert *s)
{
  if (!project (cam, v->x, v->y, v->z, &s->x, &s->y))
    return 0;
  s->iz = 1.0 / v->z;
  set_color (s, v->r, v->g, v->b);
  return 1;
}

static cvert
lerp (const cvert *p, const cvert *q, double near)
{
  double f = (near - p->z) / (q->z - p->z);
  cvert o = {
    p->x + (q->x - p->x) * f, p->y + (q->y - p->y) * f, near,
    p->r + (q->r - p->r) * f, p->g + (q->g - p->g) * f, p->b + (q->b - p->b) * f,
  };
  return o;
}

/* A triangle with a corner behind the near plane: clipped there (at most
 * a quad, drawn as two triangles).  FALSE, with nothing drawn, when a
 * corner of what is left projects beyond MAX_SCREEN. */
static bool
draw_clipped (target *t, const camera *cam, const cvert in[3])
{
  cvert out[4];
  svert s[4];
  int n = 0;

  for (int i = 0; i < 3; i++)
    {
      const cvert *p = &in[i], *q = &in[(i + 1) % 3];
      int pin = p->z >= cam->near, qin = q->z >= cam->near;

      if (pin)
        out[n++] = *p;
      if (pin != qin)
        out[n++] = lerp (p, q, cam->near);
    }
  for (int i = 0; i < n; i++)
    if (!to_screen (cam, &out[i], &s[i]))
      return false;
  if (n >= 3)
    fill_triangle (t, s[0], s[1], s[2]);
  if (n == 4)
    fill_triangle (t, s[0], s[2], s[3]);
  return true;
}

/* a x + b y + c >= 0: the side of a line on the screen kept */
typedef struct {
  double a, b, c;
} half_plane;

static inline double
side (const half_plane *h, double x, double y)
{
  return h->a * x + h->b * y + h->c;
}

/* Sutherland-Hodgman in screen space: the convex polygon in[n] (x, y of
 * each) cut to the side of h kept, into out (at most n + 1 corners). */
static int
clip_side (const double (*in)[2], int n, const half_plane *h, double (*out)[2])
{
  int m = 0;

  for (int i = 0; i < n; i++)
    {
      const double *p = in[i], *q = in[(i + 1) % n];
      double dp = side (h, p[0], p[1]), dq = side (h, q[0], q[1]);

      if (dp >= 0)
        {
          out[m][0] = p[0];
          out[m++][1] = p[1];
        }
      if ((dp >= 0) != (dq >= 0))
        {
          double f = dp / (dp - dq);

          out[m][0] = p[0] + (q[0] - p[0]) * f;
          out[m++][1] = p[1] + (q[1] - p[1]) * f;
        }
    }
  return m;
}

/* A triangle (cv, lit) with a corner beyond MAX_SCREEN, even after the
 * near plane's clipping: a floor of two huge triangles under the camera,
 * or a narrow field of view.  Its corners may be 1e30 radii away, where
 * a point cut from an edge between two of them (as the near plane's
 * clipping does) is off by an ulp of 1e30; so the other way round: the
 * guard band, the buffer and GUARD_PX around it, is cut to the triangle,
 * in screen space where the band's corners are small numbers.  Each of the triangle's
 * edges and the eye make a plane, N = P x Q of its corners in camera
 * space (whatever their size, N's direction is exact to a few ulps), and
 * a pixel's ray r = ((x - cx) / focal, (cy - y) / focal, 1) is inside
 * when r . N has the sign of D, the triple product of the corners (with
 * the eye, six times the volume of the tetrahedron).  The depth is
 * another side: z = D / (r . (N0 + N1 + N2)) >= near.  The corners of
 * what is left get the depth and colours of the triangle's points they
 * show, in perspective (r . Ni / r . sum N are their barycentric
 * coordinates), and are filled as a fan of triangles, as any other. */
static void
draw_beyond (target *t, const camera *cam, const lm_mesh_scene *scene, const int32_t *idx, const cvert cv[3])
{
  double p[3][3], n[3][3], sum[3], d, sgn, g = GUARD_PX;
  double poly[2][MAX_CORNERS][2] = { { { -g, -g }, { t->width + g, -g }, { t->width + g, t->height + g },
                                       { -g, t->height + g } } };
  half_plane h[4];
  svert s[MAX_CORNERS];
  int m = 4, cur = 0;

  for (int k = 0; k < 3; k++)
    {
      to_camera (cam, scene->vertices + 3 * (int64_t) idx[k], p[k]);
      for (int j = 0; j < 3; j++)
        p[k][j] /= cam->unit;
    }
  for (int k = 0; k < 3; k++)
    {
      const double *a = p[(k + 1) % 3], *b = p[(k + 2) % 3];

      n[k][0] = a[1] * b[2] - a[2] * b[1];
      n[k][1] = a[2] * b[0] - a[0] * b[2];
      n[k][2] = a[0] * b[1] - a[1] * b[0];
    }
  d = p[0][0] * n[0][0] + p[0][1] * n[0][1] + p[0][2] * n[0][2];
  /* edge-on (the eye in the triangle's plane) or not finite: nothing */
  if (!(d != 0 && isfinite (d)))
    return;
  sgn = d > 0 ? 1 : -1;
  /* r . N as a x + b y + c, times sgn */
  for (int k = 0; k < 3; k++)
    {
      h[k].a = sgn * n[k][0] / cam->focal;
      h[k].b = -sgn * n[k][1] / cam->focal;
      h[k].c = sgn * n[k][2] - h[k].a * cam->cx - h[k].b * cam->cy;
    }
  /* near: |d| - near * sgn * r . sum >= 0 */
  for (int j = 0; j < 3; j++)
    sum[j] = n[0][j] + n[1][j] + n[2][j];
  h[3].a = -cam->near * sgn * sum[0] / cam->focal;
  h[3].b = cam->near * sgn * sum[1] / cam->focal;
  h[3].c = fabs (d) - cam->near * sgn * sum[2] - h[3].a * cam->cx - h[3].b * cam->cy;
  for (int k = 0; k < 4 && m >= 3; k++, cur ^= 1)
    {
      if (!(isfinite (h[k].a) && isfinite (h[k].b) && isfinite (h[k].c)))
        return;
      m = clip_side (poly[cur], m, &h[k], poly[cur ^ 1]);
    }
  if (m < 3)
    return;
  for (int i = 0; i < m; i++)
    {
      double x = poly[cur][i][0], y = poly[cur][i][1], w[3], total;

      for (int k = 0; k < 3; k++)
        w[k] = fmax (side (&h[k], x, y), 0);
      total = w[0] + w[1] + w[2];
      if (!(total > 0))
        return;
      s[i].x = x;
      s[i].y = y;
      s[i].iz = total / fabs (d);
      /* the colour (the barycentric mean, w / total) times iz */
      s[i].r = (w[0] * cv[0].r + w[1] * cv[1].r + w[2] * cv[2].r) / fabs (d);
      s[i].g = (w[0] * cv[0].g + w[1] * cv[1].g + w[2] * cv[2].g) / fabs (d);
      s[i].b = (w[0] * cv[0].b + w[1] * cv[1].b + w[2] * cv[2].b) / fabs (d);
    }
  for (int i = 1; i + 1 < m; i++)
    fill_triangle (t, s[0], s[i], s[i + 1]);
}

static inline int
face_ok (const lm_mesh_scene *scene, const int32_t *idx)
{
  return idx[0] >= 0 && idx[0] < scene->n_vertices && idx[1] >= 0 && idx[1] < scene->n_vertices && idx[2] >= 0
         && idx[2] < scene->n_vertices;
}

/* The bounding radius, the unit of camera space and of the faces' planes */
static inline double
scene_unit (const lm_mesh_scene *scene)
{
  return scene->radius > 0 && isfinite (scene->radius) ? scene->radius : 1.0;
}

/* Vertex i in radii about the centre: coordinates near FLT_MAX stay finite */
static inline void
to_radii (const lm_mesh_scene *scene, double unit, int64_t i, double q[3])
{
  for (int j = 0; j < 3; j++)
    q[j] = (scene->vertices[3 * i + j] - (double) scene->center[j]) / unit;
}

/* The plane of a face (its indices in range), about the centre in radii:
 * the normal, as long as twice the face's area, and its offset. */
static void
face_plane (const lm_mesh_scene *scene, double unit, const int32_t *idx, float pl[4])
{
  double q[3][3], e1[3], e2[3], n[3];

  for (int k = 0; k < 3; k++)
    to_radii (scene, unit, idx[k], q[k]);
  for (int j = 0; j < 3; j++)
    {
      e1[j] = q[1][j] - q[0][j];
      e2[j] = q[2][j] - q[0][j];
    }
  n[0] = e1[1] * e2[2] - e1[2] * e2[1];
  n[1] = e1[2] * e2[0] - e1[0] * e2[2];
  n[2] = e1[0] * e2[1] - e1[1] * e2[0];
  for (int j = 0; j < 3; j++)
    pl[j] = (float) n[j];
  pl[3] = (float) (n[0] * q[0][0] + n[1] * q[0][1] + n[2] * q[0][2]);
}

/* Every face's plane (n_faces x 4), zeros for a face out of range. */
static void
face_planes (const lm_mesh_scene *scene, float *planes)
{
  double unit = scene_unit (scene);

  for (int64_t f = 0; f < scene->n_faces; f++)
    {
      const int32_t *idx = scene->faces + 3 * f;
      float *pl = planes + 4 * f;

      if (face_ok (scene, idx))
        face_plane (scene, unit, idx, pl);
      else
        pl[0] = pl[1] = pl[2] = pl[3] = 0;
    }
}

/* A face's normal turned towards the eye: its sign. */
static inline float
towards (const float *pl, const double eye[3])
{
  return pl[0] * eye[0] + pl[1] * eye[1] + pl[2] * eye[2] - pl[3] < 0 ? -1.0f : 1.0f;
}

/* A normal w (world axes) on the camera's axes, as proj's vertices are. */
static inline void
camera_axes (const camera *cam, const float w[3], double n[3])
{
  n[0] = w[0] * cam->right[0] + w[1] * cam->right[1] + w[2] * cam->right[2];
  n[1] = w[0] * cam->up[0] + w[1] * cam->up[1] + w[2] * cam->up[2];
  n[2] = w[0] * cam->fwd[0] + w[1] * cam->fwd[1] + w[2] * cam->fwd[2];
}

/* Lambert's light plus ambient at a vertex v (camera space) of normal n
 * (camera axes, any length, either sign), n . v and v . v given. */
static inline float
shade_with (double ambient, const double n[3], double nv, double vv)
{
  double nl = sqrt (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
  double vl = sqrt (vv);
  /* finite, and positive (never NaN): a comparison does what fmin did */
  double lambert = nl > 0 && vl > 0 && isfinite (nl * vl) ? fabs (nv) / (nl * vl) : 1.0;

  return (float) (ambient + (1 - ambient) * (lambert < 1.0 ? lambert : 1.0));
}

static inline double
dot_v (const double n[3], const float *v)
{
  return n[0] * v[0] + n[1] * v[1] + n[2] * v[2];
}

static inline double
length2_v (const float *v)
{
  return (double) v[0] * v[0] + (double) v[1] * v[1] + (double) v[2] * v[2];
}

/* The light at a vertex v (camera space) of normal w (world axes). */
static inline float
shade (const camera *cam, double ambient, const float w[3], const float *v)
{
  double n[3];

  camera_axes (cam, w, n);
  return shade_with (ambient, n, dot_v (n, v), length2_v (v));
}

static inline int
behind_near_plane (const camera *cam, const float *proj, const int32_t *idx)
{
  return proj[5 * (int64_t) idx[0] + 2] < cam->near && proj[5 * (int64_t) idx[1] + 2] < cam->near
         && proj[5 * (int64_t) idx[2] + 2] < cam->near;
}

/* Smooth shading, as Three.js' computeVertexNormals gives TensorBoard's
 * meshes: each vertex's normal is the sum of its faces' (weighted by
 * their area), and its light is Lambert's from a light at the eye plus
 * ambient.  Both sides are lit: each face's normal is first turned
 * towards the eye, so a mesh of mixed winding shades as a consistent one
 * (a closed mesh's far side, whose normals turn too, is hidden anyway).
 * The faces' normals are their planes': a frame only chooses their
 * signs.  Faces wholly behind the near plane are left out, which is
 * looked for only when a vertex is behind it (behind_near).  This is the
 * frame of a scene without shading (lm_mesh_shading): over every face. */
static void
vertex_light (const camera *cam, const lm_mesh_scene *scene, double ambient, const double eye[3],
              const float *planes, int behind_near, const float *proj, float *nrm)
{
  memset (nrm, 0, (size_t) scene->n_vertices * 4 * sizeof (float));
  for (int64_t f = 0; f < scene->n_faces; f++)
    {
      const int32_t *idx = scene->faces + 3 * f;
      const float *pl = planes + 4 * f;
      float sign;

      if (!face_ok (scene, idx) || (behind_near && behind_near_plane (cam, proj, idx)))
        continue;
      sign = towards (pl, eye);
      for (int k = 0; k < 3; k++)
        for (int j = 0; j < 3; j++)
          nrm[4 * (int64_t) idx[k] + j] += sign * pl[j];
    }
  for (int64_t i = 0; i < scene->n_vertices; i++)
    nrm[4 * i + 3] = shade (cam, ambient, nrm + 4 * i, proj + 5 * i);
}

/* What a vertex's faces allow of any frame (see lm_mesh_shading_new):
 * n, the sum of their normals each turned to agree with the first; the
 * eye sees them all from one side (all turn one way, so that the sum is
 * +-n) where, d from the vertex to the eye, |d|^2 > m2 and
 * (d . n)^2 >= k |d|^2. */
typedef struct {
  float n[3], k, m2;
} vertex_cone;

struct lm_mesh_shading
{
  int64_t n_vertices, n_faces;   /* of the mesh it was made for */
  vertex_cone *cones;            /* per vertex */
  int64_t *first;                /* n_vertices + 1: vertex i's faces are faces[first[i] .. first[i + 1]) */
  int32_t *faces;                /* in order, a face twice at a vertex it has twice */
};

/* The margin of the cone test, an angle: the eye within this of a face's
 * plane, as seen from the vertex, is summed face by face. */
#define CONE_MARGIN 1e-3

static float
float_above (double x)
{
  float f = (float) x;

  return (double) f < x ? nextafterf (f, INFINITY) : f;
}

/* The sign that turns pl to agree with ref (the vertex's first face with
 * a normal): +1 for a face without one. */
static inline float
agree (const float *pl, const float *ref)
{
  return (double) pl[0] * ref[0] + (double) pl[1] * ref[1] + (double) pl[2] * ref[2] < 0 ? -1.0f : 1.0f;
}

/* Vertex i's cone from its faces' planes.  Its faces' normals, turned to
 * agree, are all within theta of n; then for d with (d . n)^2 >= |d|^2
 * |n|^2 sin^2 (theta + margin) the eye is at least |d| sin (margin) in
 * front of (or behind) every face's plane through the vertex, which is
 * more than the float planes are off at the vertex and the frame's
 * rounding (r, over m2), so that every face turns as its sign says (as
 * vertex_light would turn it) and the frame's sum is +-n to the bit.  A
 * frame takes d from proj's floats, off by 1e-7 of its length at most:
 * half the margin is kept for that. */
static void
make_cone (const float *planes, const int32_t *fs, int64_t n_fs, const double q[3], vertex_cone *c)
{
  const float *ref = NULL;
  double ql = sqrt (q[0] * q[0] + q[1] * q[1] + q[2] * q[2]), nl, lowest = 1, r = 0, sine;
  int finite = isfinite (ql);

  c->n[0] = c->n[1] = c->n[2] = 0;
  c->k = c->m2 = INFINITY;   /* summed face by face */
  for (int64_t a = 0; a < n_fs; a++)
    {
      const float *pl = planes + 4 * (int64_t) fs[a];
      float sign;

      finite = finite && isfinite (pl[0]) && isfinite (pl[1]) && isfinite (pl[2]) && isfinite (pl[3]);
      if (ref == NULL && (pl[0] != 0 || pl[1] != 0 || pl[2] != 0))
        ref = pl;
      sign = ref != NULL ? agree (pl, ref) : 1.0f;
      for (int j = 0; j < 3; j++)
        c->n[j] += sign * pl[j];
    }
  nl = sqrt ((double) c->n[0] * c->n[0] + (double) c->n[1] * c->n[1] + (double) c->n[2] * c->n[2]);
  if (!finite || !(nl > 0) || !isfinite (nl))
    return;
  for (int64_t a = 0; a < n_fs; a++)
    {
      const float *pl = planes + 4 * (int64_t) fs[a];
      double pn = sqrt ((double) pl[0] * pl[0] + (double) pl[1] * pl[1] + (double) pl[2] * pl[2]);
      double off = (double) pl[0] * q[0] + (double) pl[1] * q[1] + (double) pl[2] * q[2] - pl[3];

      if (pn == 0)
        continue;
      lowest = fmin (lowest, agree (pl, ref) * ((double) pl[0] * c->n[0] + (double) pl[1] * c->n[1]
                                                + (double) pl[2] * c->n[2]) / (pn * nl));
      /* the plane's float offset at the vertex, and a frame's rounding
       * (the eye is at most LM_MESH_MAX_DISTANCE + 1 radii out) */
      r = fmax (r, (fabs (off) + 1e-12 * (pn * (ql + 2 * LM_MESH_MAX_DISTANCE) + fabs (pl[3]))) / pn);
    }
  /* sin (theta + margin), theta + margin < 90 degrees: cos (theta) >
   * sin (margin) */
  lowest = fmin (lowest, 1);
  if (!(lowest > sin (CONE_MARGIN)) || !isfinite (r))
    return;
  sine = sqrt (1 - lowest * lowest) * cos (CONE_MARGIN) + lowest * sin (CONE_MARGIN);
  c->k = float_above (sine * sine * nl * nl * (1 + 1e-6));
  r /= sin (CONE_MARGIN / 2);
  c->m2 = float_above (r * r * (1 + 1e-6));
}

lm_mesh_shading *
lm_mesh_shading_new (const lm_mesh_scene *scene)
{
  lm_mesh_shading *sh;
  float *planes;
  double unit;
  int64_t nv, nf;

  if (scene == NULL || scene->vertices == NULL || scene->faces == NULL || scene->n_vertices <= 0
      || scene->n_faces <= 0)
    return NULL;
  nv = scene->n_vertices;
  nf = scene->n_faces;
  if ((uint64_t) nf > SIZE_MAX / (4 * sizeof (float)) / 3 || (uint64_t) nv > SIZE_MAX / sizeof (vertex_cone) - 1)
    return NULL;
  sh = calloc (1, sizeof *sh);
  planes = malloc ((size_t) nf * 4 * sizeof (float));
  if (sh == NULL || planes == NULL
      || (sh->cones = malloc ((size_t) nv * sizeof (vertex_cone))) == NULL
      || (sh->first = calloc ((size_t) nv + 1, sizeof (int64_t))) == NULL)
    goto fail;
  sh->n_vertices = nv;
  sh->n_faces = nf;
  /* each vertex's faces, in order: counted, then placed with first[i] as
   * a cursor, which leaves it at the next vertex's start */
  for (int64_t f = 0; f < nf; f++)
    if (face_ok (scene, scene->faces + 3 * f))
      for (int k = 0; k < 3; k++)
        sh->first[scene->faces[3 * f + k] + 1]++;
  for (int64_t i = 0; i < nv; i++)
    sh->first[i + 1] += sh->first[i];
  if ((sh->faces = malloc ((size_t) sh->first[nv] * sizeof (int32_t) + 1)) == NULL)
    goto fail;
  for (int64_t f = 0; f < nf; f++)
    if (face_ok (scene, scene->faces + 3 * f))
      for (int k = 0; k < 3; k++)
        sh->faces[sh->first[scene->faces[3 * f + k]]++] = (int32_t) f;
  memmove (sh->first + 1, sh->first, (size_t) nv * sizeof (int64_t));
  sh->first[0] = 0;

  face_planes (scene, planes);
  unit = scene_unit (scene);
  for (int64_t i = 0; i < nv; i++)
    {
      double q[3];

      to_radii (scene, unit, i, q);
      make_cone (planes, sh->faces + sh->first[i], sh->first[i + 1] - sh->first[i], q, sh->cones + i);
    }
  free (planes);
  return sh;

fail:
  free (planes);
  lm_mesh_shading_free (sh);
  return NULL;
}

void
lm_mesh_shading_free (lm_mesh_shading *sh)
{
  if (sh == NULL)
    return;
  free (sh->cones);
  free (sh->first);
  free (sh->faces);
  free (sh);
}

size_t
lm_mesh_shading_get_bytes (const lm_mesh_shading *sh)
{
  if (sh == NULL)
    return 0;
  return sizeof *sh + (size_t) sh->n_vertices * (sizeof (vertex_cone) + sizeof (int64_t)) + sizeof (int64_t)
         + (size_t) sh->first[sh->n_vertices] * sizeof (int32_t);
}

/* vertex_light's frame from a mesh's shading: a vertex whose faces the
 * eye sees all from one side (its cone says so, from its place in camera
 * space, proj's) takes its sum as it is; the others (the silhouette's,
 * and those behind the near plane) are summed face by face, in
 * vertex_light's order, from the faces' planes computed again: the same
 * floats either way. */
static void
vertex_light_kept (const camera *cam, const lm_mesh_scene *scene, const lm_mesh_shading *sh, double ambient,
                   const double eye[3], int behind_near, const float *proj, float *nrm, int64_t *n_summed)
{
  double unit = scene_unit (scene);
  int64_t summed = 0;

  for (int64_t i = 0; i < scene->n_vertices; i++)
    {
      const vertex_cone *c = sh->cones + i;
      const float *v = proj + 5 * i;
      float sum[3];

      if (!(behind_near && v[2] < cam->near))
        {
          double n[3], nv, vv;

          camera_axes (cam, c->n, n);
          nv = dot_v (n, v);
          vv = length2_v (v);
          /* the eye is at 0: d = -v */
          if (vv > c->m2 && nv * nv >= c->k * vv)
            {
              nrm[4 * i + 3] = shade_with (ambient, n, nv, vv);
              continue;
            }
        }
      sum[0] = sum[1] = sum[2] = 0;
      for (int64_t a = sh->first[i]; a < sh->first[i + 1]; a++)
        {
          const int32_t *idx = scene->faces + 3 * (int64_t) sh->faces[a];
          float pl[4], sign;

          if (behind_near && behind_near_plane (cam, proj, idx))
            continue;
          face_plane (scene, unit, idx, pl);
          sign = towards (pl, eye);
          for (int j = 0; j < 3; j++)
            sum[j] += sign * pl[j];
        }
      summed += sh->first[i + 1] - sh->first[i];
      nrm[4 * i + 3] = shade (cam, ambient, sum, v);
    }
  *n_summed = summed;
}

/* A face's corner k, lit: its colour (or the default) times its light. */
static inline void
lit_corner (const lm_mesh_scene *scene, const lm_mesh_camera *view, const float *nrm, int32_t i, double rgb[3])
{
  const uint8_t *c = scene->colors != NULL ? scene->colors + 3 * (int64_t) i : view->default_color;
  double light = nrm[4 * (int64_t) i + 3];

  rgb[0] = c[0] * light;
  rgb[1] = c[1] * light;
  rgb[2] = c[2] * light;
}

static void
draw_faces (target *t, const camera *cam, const lm_mesh_scene *scene, const lm_mesh_camera *view, const float *proj,
            const float *nrm)
{
  for (int64_t f = 0; f < scene->n_faces; f++)
    {
      const int32_t *idx = scene->faces + 3 * f;
      const float *p[3];
      cvert cv[3];
      int in = 0;

      if (!face_ok (scene, idx))
        continue;
      for (int k = 0; k < 3; k++)
        {
          p[k] = proj + 5 * (int64_t) idx[k];
          in += p[k][2] >= cam->near;
        }
      if (in == 0)
        continue;   /* wholly behind the near plane */
      if (in == 3 && isfinite (p[0][3]) && isfinite (p[1][3]) && isfinite (p[2][3]))
        {
          svert s[3];
          int x0, x1, y0, y1;

          for (int k = 0; k < 3; k++)
            {
              s[k].x = p[k][3];
              s[k].y = p[k][4];
            }
          /* no pixel centre in its box (a third of a million-triangle
           * sphere's faces): its colours are not looked up */
          if (!pixel_bounds (t, &s[0], &s[1], &s[2], &x0, &x1, &y0, &y1))
            continue;
          for (int k = 0; k < 3; k++)
            {
              double rgb[3];

              lit_corner (scene, view, nrm, idx[k], rgb);
              s[k].iz = 1.0 / p[k][2];
              set_color (&s[k], rgb[0], rgb[1], rgb[2]);
            }
          fill_triangle (t, s[0], s[1], s[2]);
          continue;
        }
      for (int k = 0; k < 3; k++)
        {
          double rgb[3];

          lit_corner (scene, view, nrm, idx[k], rgb);
          cv[k].x = p[k][0];
          cv[k].y = p[k][1];
          cv[k].z = p[k][2];
          cv[k].r = rgb[0];
          cv[k].g = rgb[1];
          cv[k].b = rgb[2];
        }
      if (in == 3 || !draw_clipped (t, cam, cv))
        draw_beyond (t, cam, scene, idx, cv);
    }
}

/* 1, or the stride that keeps a point cloud to view->max_points. */
static int64_t
point_stride (const lm_mesh_scene *scene, const lm_mesh_camera *view)
{
  if (scene->n_faces > 0 && scene->faces != NULL)
    return 1;
  return view->max_points > 0 && scene->n_vertices > view->max_points
         ? (scene->n_vertices + view->max_points - 1) / view->max_points : 1;
}

/* Points every `every` vertices (the others are not projected). */
static void
draw_points (target *t, const camera *cam, const lm_mesh_scene *scene, const lm_mesh_camera *view, const float *proj,
             int64_t every)
{
  double fixed_px = view->default_point_px > 0 && isfinite (view->default_point_px) ? view->default_point_px
                                                                                    : LM_MESH_DEFAULT_POINT_PX;
  int sized = scene->point_size > 0 && isfinite (scene->point_size);

  for (int64_t i = 0; i < scene->n_vertices; i += every)
    {
      const float *p = proj + 5 * i;
      const uint8_t *c = scene->colors != NULL ? scene->colors + 3 * i : view->default_color;
      double sx = p[3], sy = p[4], d, r, r2;
      float iz;
      uint32_t px;
      int x0, x1, y0, y1, hit = 0;

      if (!(p[2] >= cam->near) || !isfinite (sx))
        continue;
      d = sized ? scene->point_size * cam->point_scale / (p[2] * cam->unit) : fixed_px;
      d = d < 1.0 ? 1.0 : d > MAX_POINT_PX ? MAX_POINT_PX : d;
      r = d / 2;
      r2 = r * r;
      if (sx + r < 0 || sy + r < 0 || sx - r > t->width || sy - r > t->height)
        continue;
      /* the pixels whose centres the disc's bounding box holds */
      x0 = (int) ceil (sx - r - 0.5);
      x1 = (int) floor (sx + r - 0.5);
      y0 = (int) ceil (sy - r - 0.5);
      y1 = (int) floor (sy + r - 0.5);
      x0 = x0 < 0 ? 0 : x0;
      y0 = y0 < 0 ? 0 : y0;
      x1 = x1 > t->width - 1 ? t->width - 1 : x1;
      y1 = y1 > t->height - 1 ? t->height - 1 : y1;
      iz = (float) (1.0 / p[2]);
      px = pack (c[0], c[1], c[2]);
      for (int y = y0; y <= y1; y++)
        {
          double dy = y + 0.5 - sy;

          for (int x = x0; x <= x1; x++)
            {
              double dx = x + 0.5 - sx;

              if (dx * dx + dy * dy > r2)
                continue;
              hit = 1;
              if (iz > t->depth[(size_t) y * t->width + x])
                {
                  t->depth[(size_t) y * t->width + x] = iz;
                  t->pixels[(size_t) y * t->stride_px + x] = px;
                  t->written++;
                }
            }
        }
      /* a disc smaller than a pixel still shows as the pixel it falls in */
      if (!hit && sx >= 0 && sy >= 0 && sx < t->width && sy < t->height)
        {
          size_t k = (size_t) sy * t->width + (size_t) sx;

          if (iz > t->depth[k])
            {
              t->depth[k] = iz;
              t->pixels[(size_t) sy * t->stride_px + (size_t) sx] = px;
              t->written++;
            }
        }
    }
}

/* Makes *buf hold at least n items of `per` floats; 0 when memory ran out. */
static int
grow (float **buf, size_t *len, size_t n, size_t per)
{
  float *b;

  if (*len >= n)
    return 1;
  b = n > SIZE_MAX / (per * sizeof (float)) ? NULL : realloc (*buf, n * per * sizeof (float));
  if (b == NULL)
    return 0;
  *buf = b;
  *len = n;
  return 1;
}

int64_t
lm_mesh_render (lm_mesh_renderer *r, const lm_mesh_scene *scene, const lm_mesh_camera *view, uint8_t *pixels,
                int width, int height, int stride)
{
  camera cam;
  target t;
  size_t npx;
  int64_t every, behind = 0;
  double per_unit;

  if (r == NULL || pixels == NULL || width <= 0 || height <= 0 || stride < 4 * width || stride % 4 != 0)
    return -1;
  for (int y = 0; y < height; y++)
    memset (pixels + (size_t) y * stride, 0, (size_t) width * 4);
  if (scene == NULL || view == NULL || scene->n_vertices <= 0 || scene->vertices == NULL)
    return 0;

  npx = (size_t) width * height;
  if (!grow (&r->depth, &r->depth_len, npx, 1))
    return -1;
  memset (r->depth, 0, npx * sizeof (float));   /* 1/z = 0: infinitely far */
  if (!grow (&r->proj, &r->proj_len, (size_t) scene->n_vertices, 5))
    return -1;

  camera_setup (&cam, scene, view, width, height);
  every = point_stride (scene, view);
  per_unit = 1.0 / cam.unit;
  for (int64_t i = 0; i < scene->n_vertices; i += every)
    {
      double c[3], sx = NAN, sy = NAN;
      float *p = r->proj + 5 * i;

      to_camera (&cam, scene->vertices + 3 * i, c);
      behind += !(c[2] >= cam.near);
      if (!(c[2] >= cam.near) || !project (&cam, c[0], c[1], c[2], &sx, &sy))
        sx = sy = NAN;
      /* in radii: coordinates near FLT_MAX stay finite as floats */
      p[0] = (float) (c[0] * per_unit);
      p[1] = (float) (c[1] * per_unit);
      p[2] = isfinite (c[2]) ? (float) (c[2] * per_unit) : -INFINITY;
      p[3] = (float) sx;
      p[4] = (float) sy;
    }
  cam.near /= cam.unit;   /* from here on, as proj: in radii */

  t.pixels = (uint32_t *) (void *) pixels;
  t.width = width;
  t.height = height;
  t.stride_px = stride / 4;
  t.depth = r->depth;
  t.written = 0;
  r->n_summed = 0;
  if (scene->n_faces > 0 && scene->faces != NULL)
    {
      const lm_mesh_shading *sh = scene->shading;
      double ambient = fmin (fmax (isfinite (view->ambient) ? view->ambient : 0.45, 0), 1);
      double eye[3];

      for (int j = 0; j < 3; j++)
        eye[j] = (cam.eye[j] - scene->center[j]) / cam.unit;
      if (!grow (&r->normals, &r->normals_len, (size_t) scene->n_vertices, 4))
        return -1;
      if (sh != NULL && sh->n_vertices == scene->n_vertices && sh->n_faces == scene->n_faces)
        vertex_light_kept (&cam, scene, sh, ambient, eye, behind > 0, r->proj, r->normals, &r->n_summed);
      else
        {
          if (!grow (&r->planes, &r->planes_len, (size_t) scene->n_faces, 4))
            return -1;
          face_planes (scene, r->planes);
          vertex_light (&cam, scene, ambient, eye, r->planes, behind > 0, r->proj, r->normals);
          r->n_summed = scene->n_faces * 3;
        }
      draw_faces (&t, &cam, scene, view, r->proj, r->normals);
    }
  else
    draw_points (&t, &cam, scene, view, r->proj, every);
  return t.written;
}
