/* log-mesh.c: point clouds and a triangle mesh for the Mesh dashboard, the
 * way a 3-D model's training script logs them with SummaryWriter.add_mesh.
 *
 * A made-up shape model learns to turn a sphere into a torus: every 10
 * steps it logs its 2,000 output points (a sphere morphing into a torus,
 * coloured by height from blue to red) under mesh/cloud, with a point
 * size and camera in the config, and once a shaded icosphere (42
 * vertices, 80 triangles) under mesh/icosphere, plus the loss as a scalar.
 * In lumen the cloud reshapes as you move the step slider.
 *
 *   # the Python original
 *   config = {"material": {"cls": "PointsMaterial", "size": 0.03},
 *             "camera": {"cls": "PerspectiveCamera", "fov": 60}}
 *   writer.add_mesh("mesh/icosphere", vertices=ico_v, colors=ico_c, faces=ico_f)
 *   for step in range(100):
 *       writer.add_scalar("train/loss", loss, step)
 *       if step % 10 == 0:
 *           writer.add_mesh("mesh/cloud", vertices=points, colors=colors,
 *                           config_dict=config, global_step=step)
 *
 * Not for: anything beyond the public header.  Built against the installed
 * pkg-config file by the install test:
 *
 *   cc log-mesh.c $(pkg-config --cflags --libs lumen-log) -lm -o log-mesh
 *   ./log-mesh --logdir runs --run mesh
 */
#include <lumen-log.h>
#include "example-util.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static void check(int rc, const char *what) { example_check("log-mesh", rc, what); }

enum { POINTS = 2000, STEPS = 100, EVERY = 10 };
#define PI 3.141592653589793

/* Height z in [-1, 1] as blue (low) to red (high). */
static void height_color(float z, uint8_t rgb[3]) {
  double t = fmin(1.0, fmax(0.0, (z + 1.0) / 2.0));
  rgb[0] = (uint8_t)lrint(255 * t);
  rgb[1] = (uint8_t)lrint(255 * (1.0 - fabs(2.0 * t - 1.0)) * 0.8);
  rgb[2] = (uint8_t)lrint(255 * (1.0 - t));
}

/* Point i of the cloud at morph t (0: the unit sphere, 1: a torus of
 * radii 1 and 0.4): both drawn from the same angles, a Fibonacci spiral
 * over the sphere. */
static void cloud_point(int i, double t, float xyz[3]) {
  double v = acos(1.0 - 2.0 * (i + 0.5) / POINTS); /* 0..pi from the top */
  double u = PI * (3.0 - sqrt(5.0)) * i;           /* golden-angle turns */
  double sphere[3] = {sin(v) * cos(u), sin(v) * sin(u), cos(v)};
  double w = 2.0 * v, ring = 1.0 + 0.4 * cos(w);
  double torus[3] = {ring * cos(u), ring * sin(u), 0.4 * sin(w)};
  for (int k = 0; k < 3; k++)
    xyz[k] = (float)((1.0 - t) * sphere[k] + t * torus[k]);
}

/* An icosahedron subdivided once, on the unit sphere. */
enum { ICO_V = 42, ICO_F = 80 };
static float ico_v[ICO_V][3];
static int32_t ico_f[ICO_F][3];
static int ico_nv;

static int ico_add(double x, double y, double z) {
  double n = sqrt(x * x + y * y + z * z);
  ico_v[ico_nv][0] = (float)(x / n);
  ico_v[ico_nv][1] = (float)(y / n);
  ico_v[ico_nv][2] = (float)(z / n);
  return ico_nv++;
}

/* The vertex halfway along edge (a, b), made once and shared by both
 * triangles of the edge. */
static int ico_mid(int a, int b) {
  static int ends[ICO_V][2], mids[ICO_V], n;
  for (int i = 0; i < n; i++)
    if ((ends[i][0] == a && ends[i][1] == b) || (ends[i][0] == b && ends[i][1] == a))
      return mids[i];
  ends[n][0] = a;
  ends[n][1] = b;
  mids[n] = ico_add(ico_v[a][0] + ico_v[b][0], ico_v[a][1] + ico_v[b][1],
                    ico_v[a][2] + ico_v[b][2]);
  return mids[n++];
}

static void icosphere(void) {
  static const int base[20][3] = {
      {0, 11, 5}, {0, 5, 1},  {0, 1, 7},   {0, 7, 10}, {0, 10, 11}, {1, 5, 9}, {5, 11, 4},
      {11, 10, 2}, {10, 7, 6}, {7, 1, 8},  {3, 9, 4},  {3, 4, 2},   {3, 2, 6}, {3, 6, 8},
      {3, 8, 9},  {4, 9, 5},  {2, 4, 11},  {6, 2, 10}, {8, 6, 7},   {9, 8, 1}};
  double p = (1.0 + sqrt(5.0)) / 2.0;
  const double corners[12][3] = {{-1, p, 0}, {1, p, 0}, {-1, -p, 0}, {1, -p, 0},
                                 {0, -1, p}, {0, 1, p}, {0, -1, -p}, {0, 1, -p},
                                 {p, 0, -1}, {p, 0, 1}, {-p, 0, -1}, {-p, 0, 1}};
  for (int i = 0; i < 12; i++)
    ico_add(corners[i][0], corners[i][1], corners[i][2]);
  int nf = 0;
  for (int f = 0; f < 20; f++) {
    int a = base[f][0], b = base[f][1], c = base[f][2];
    int ab = ico_mid(a, b), bc = ico_mid(b, c), ca = ico_mid(c, a);
    const int32_t tris[4][3] = {{a, ab, ca}, {b, bc, ab}, {c, ca, bc}, {ab, bc, ca}};
    memcpy(ico_f[nf], tris, sizeof tris);
    nf += 4;
  }
}

int main(int argc, char **argv) {
  const char *logdir, *run;
  int status = example_parse_run_args(argc, argv, &logdir, &run, "mesh");
  if (status >= 0)
    return status;

  lm_writer *w;
  check(lm_writer_open(&w, logdir, run), "opening the run");

  /* writer.add_mesh("mesh/icosphere", vertices=ico_v, colors=ico_c, faces=ico_f) */
  icosphere();
  static uint8_t ico_c[ICO_V][3];
  for (int i = 0; i < ICO_V; i++)
    height_color(ico_v[i][2], ico_c[i]);
  check(lm_writer_add_mesh(w, "mesh/icosphere", 0, &ico_v[0][0], ICO_V, &ico_c[0][0],
                           &ico_f[0][0], ICO_F, NULL),
        "logging mesh/icosphere");

  static const char config[] =
      "{\"material\":{\"cls\":\"PointsMaterial\",\"size\":0.03},"
      "\"camera\":{\"cls\":\"PerspectiveCamera\",\"fov\":60}}";
  static float points[POINTS][3];
  static uint8_t colors[POINTS][3];
  int clouds = 0;
  for (int step = 0; step < STEPS; step++) {
    double t = (double)step / (STEPS - 1), left = 1.0 - t;
    check(lm_writer_add_scalar(w, "train/loss", step, left * left + 0.001 * example_uniform01()),
          "logging train/loss");
    if (step % EVERY == 0) {
      for (int i = 0; i < POINTS; i++) {
        cloud_point(i, t, points[i]);
        height_color(points[i][2], colors[i]);
      }
      /* writer.add_mesh("mesh/cloud", vertices=points, colors=colors,
       *                 config_dict=config, global_step=step) */
      check(lm_writer_add_mesh(w, "mesh/cloud", step, &points[0][0], POINTS, &colors[0][0],
                               NULL, 0, config),
            "logging mesh/cloud");
      clouds++;
    }
  }

  char path[4096];
  snprintf(path, sizeof path, "%s", lm_writer_file_path(w));
  check(lm_writer_close(w), "closing the run");
  printf("wrote %s: %d scalars, %d point clouds of %d points, 1 mesh of %d vertices and %d "
         "triangles\n",
         path, STEPS, clouds, POINTS, ICO_V, ICO_F);
  return 0;
}
