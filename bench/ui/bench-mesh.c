/* bench-mesh.c: the Mesh dashboard's software renderer (ui/lm-mesh-render.c)
 * on spheres of 10k, 100k, 500k and 1M coloured points and triangles at
 * 800x600, from the initial camera and from inside (the worst case for
 * fill), with the vertices' normals summed from every face each frame or
 * from the shading kept with the mesh (as a mesh view, which makes it once:
 * its CPU time is given), a drag orbiting the mesh (a degree a frame, as a
 * mesh view draws it), the frame of the camera's first move (the shading
 * made in it, as the view did, or by a worker thread meanwhile, as it
 * does: the frame drawn without it), and the points' quick frame while a
 * drag orbits (at most 250,000 drawn).
 * Prints milliseconds per frame, wall clock and the thread's CPU time (on
 * a machine shared with other work the wall clock also counts their
 * share).  Run by hand: build/bench/ui/bench-mesh
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <glib.h>

#include "lm-mesh-render.h"

#define W 800
#define H 600

static double
now_ms (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

typedef struct {
  double wall, cpu;
} timing;

/* A UV sphere of about n_tri triangles (or its vertices as points). */
static void
make_sphere (int64_t n_tri, lm_mesh_scene *s, float **v, uint8_t **c, int32_t **f)
{
  int rings = (int) sqrt (n_tri / 2.0), segs = (int) (n_tri / 2 / rings);
  int64_t nv = (int64_t) (rings + 1) * segs, nf = (int64_t) rings * segs * 2, k = 0;

  *v = malloc (nv * 3 * sizeof (float));
  *c = malloc (nv * 3);
  *f = malloc (nf * 3 * sizeof (int32_t));
  for (int i = 0; i <= rings; i++)
    for (int j = 0; j < segs; j++, k++)
      {
        double th = M_PI * i / rings, ph = 2 * M_PI * j / segs;

        (*v)[3 * k] = sin (th) * cos (ph);
        (*v)[3 * k + 1] = cos (th);
        (*v)[3 * k + 2] = sin (th) * sin (ph);
        (*c)[3 * k] = (uint8_t) (127 + 127 * cos (ph));
        (*c)[3 * k + 1] = (uint8_t) (255 * i / rings);
        (*c)[3 * k + 2] = 180;
      }
  k = 0;
  for (int i = 0; i < rings; i++)
    for (int j = 0; j < segs; j++)
      {
        int32_t a = i * segs + j, b = i * segs + (j + 1) % segs, cc = a + segs, d = b + segs;

        (*f)[k++] = a; (*f)[k++] = b; (*f)[k++] = d;
        (*f)[k++] = a; (*f)[k++] = d; (*f)[k++] = cc;
      }
  *s = (lm_mesh_scene) { nv, nf, *v, *c, *f, { 0, 0, 0 }, 1.0f, 0, 0, NULL };
}

static timing
time_frames (lm_mesh_renderer *r, const lm_mesh_scene *s, const lm_mesh_camera *view, uint8_t *buf)
{
  int frames = 0;
  double t0 = now_ms (CLOCK_MONOTONIC), c0 = now_ms (CLOCK_THREAD_CPUTIME_ID), t;

  do
    {
      lm_mesh_render (r, s, view, buf, W, H, W * 4);
      frames++;
      t = now_ms (CLOCK_MONOTONIC) - t0;
    }
  while (t < 500 && frames < 50);
  return (timing) { t / frames, (now_ms (CLOCK_THREAD_CPUTIME_ID) - c0) / frames };
}

/* A drag orbiting the mesh: a degree of yaw a frame. */
static timing
time_drag (lm_mesh_renderer *r, const lm_mesh_scene *s, const lm_mesh_camera *view, uint8_t *buf)
{
  lm_mesh_camera v = *view;
  int frames = 0;
  double t0 = now_ms (CLOCK_MONOTONIC), c0 = now_ms (CLOCK_THREAD_CPUTIME_ID), t;

  do
    {
      v.yaw += 1;
      lm_mesh_render (r, s, &v, buf, W, H, W * 4);
      frames++;
      t = now_ms (CLOCK_MONOTONIC) - t0;
    }
  while (t < 1000 && frames < 100);
  return (timing) { t / frames, (now_ms (CLOCK_THREAD_CPUTIME_ID) - c0) / frames };
}

static void
report (const char *what, int64_t n, timing t)
{
  printf ("%-28s %9lld %9.2f %9.2f\n", what, (long long) n, t.wall, t.cpu);
}

static gpointer
make_shading (gpointer scene)
{
  return lm_mesh_shading_new (scene);
}

/* The frame of a mesh view's first camera move: the shading made in it,
 * then the frame drawn with it (before), or made by a worker while the
 * frame is drawn without it (now; the frame's own thread is timed).
 * The best of three, the renderer's buffers grown by a frame before. */
static void
time_first_move (lm_mesh_renderer *r, const lm_mesh_scene *s, const lm_mesh_camera *view, uint8_t *buf)
{
  lm_mesh_camera moved = *view;
  timing in_frame = { INFINITY, INFINITY }, worker = { INFINITY, INFINITY };

  moved.yaw += 1;
  lm_mesh_render (r, s, view, buf, W, H, W * 4);
  for (int k = 0; k < 3; k++)
    {
      lm_mesh_scene with = *s;
      double t0 = now_ms (CLOCK_MONOTONIC), c0 = now_ms (CLOCK_THREAD_CPUTIME_ID);
      lm_mesh_shading *sh = lm_mesh_shading_new (s);
      GThread *thread;

      with.shading = sh;
      lm_mesh_render (r, &with, &moved, buf, W, H, W * 4);
      in_frame.wall = fmin (in_frame.wall, now_ms (CLOCK_MONOTONIC) - t0);
      in_frame.cpu = fmin (in_frame.cpu, now_ms (CLOCK_THREAD_CPUTIME_ID) - c0);
      lm_mesh_shading_free (sh);

      t0 = now_ms (CLOCK_MONOTONIC);
      c0 = now_ms (CLOCK_THREAD_CPUTIME_ID);
      thread = g_thread_new ("shading", make_shading, (gpointer) s);
      lm_mesh_render (r, s, &moved, buf, W, H, W * 4);
      worker.wall = fmin (worker.wall, now_ms (CLOCK_MONOTONIC) - t0);
      worker.cpu = fmin (worker.cpu, now_ms (CLOCK_THREAD_CPUTIME_ID) - c0);
      lm_mesh_shading_free (g_thread_join (thread));
    }
  report ("first move, shading in it", s->n_faces, in_frame);
  report ("first move, shading worker", s->n_faces, worker);
}

int
main (void)
{
  static const int64_t sizes[] = { 10000, 100000, 500000, 1000000 };
  uint8_t *buf = malloc ((size_t) W * H * 4);
  lm_mesh_renderer *r = lm_mesh_renderer_new ();

  printf ("ms per %dx%d frame\n%-28s %9s %9s %9s\n", W, H, "", "size", "wall", "CPU");
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    {
      lm_mesh_scene s, p;
      lm_mesh_camera view, inside;
      float *v;
      uint8_t *c;
      int32_t *f;

      make_sphere (sizes[i], &s, &v, &c, &f);
      lm_mesh_camera_init (&view, &s);
      inside = view;
      inside.distance = 0.5;
      report ("triangles", s.n_faces, time_frames (r, &s, &view, buf));
      report ("triangles, camera inside", s.n_faces, time_frames (r, &s, &inside, buf));
      /* as a mesh view draws them: the shading kept with the mesh */
      {
        double t0 = now_ms (CLOCK_THREAD_CPUTIME_ID);
        lm_mesh_shading *sh = lm_mesh_shading_new (&s);

        report ("shading, once a mesh", s.n_faces, (timing) { 0, now_ms (CLOCK_THREAD_CPUTIME_ID) - t0 });
        s.shading = sh;
        report ("triangles, shading kept", s.n_faces, time_frames (r, &s, &view, buf));
        report ("triangles, dragged", s.n_faces, time_drag (r, &s, &view, buf));
        s.shading = NULL;
        lm_mesh_shading_free (sh);
      }
      time_first_move (r, &s, &view, buf);
      /* as many points as triangles */
      make_sphere (sizes[i] * 2, &p, &v, &c, &f);
      p.n_vertices = sizes[i] < p.n_vertices ? sizes[i] : p.n_vertices;
      p.n_faces = 0;
      p.faces = NULL;
      report ("points, 4 px", p.n_vertices, time_frames (r, &p, &view, buf));
      /* the quick frame a card draws while a drag orbits (lm-mesh-view.c) */
      view.max_points = 250000;
      report ("points, 4 px, dragged", p.n_vertices, time_frames (r, &p, &view, buf));
      view.max_points = 0;
      p.point_size = 0.02;
      report ("points, size 0.02", p.n_vertices, time_frames (r, &p, &view, buf));
      free ((void *) s.vertices);
      free ((void *) s.colors);
      free ((void *) s.faces);
      free (v);
      free (c);
      free (f);
    }
  lm_mesh_renderer_free (r);
  free (buf);
  return 0;
}
