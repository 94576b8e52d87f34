/* log-video.c: videos for the Images dashboard, the way a reinforcement-
 * learning script logs an agent's episodes with SummaryWriter.add_video.
 *
 * A made-up agent learns to keep a paddle under a ball bouncing in a box:
 * every 100 steps it plays an episode of 40 frames (64x48 RGB) and logs
 * it under "episode", a looping animation at 15 fps; early on the paddle
 * wanders, later it follows the ball.  The episode's return (frames with
 * the paddle under the ball) is a scalar, and the episode's last frame is
 * logged with boxes around the ball and the paddle, as a detector's output
 * is with add_image_with_boxes.  In lumen (`lumen --logdir runs --view
 * images`) each step's card plays its episode.
 *
 *   # the Python original
 *   for step in range(500):
 *       ...
 *       if step % 100 == 0:
 *           frames = play_episode(agent)             # T x C x H x W in [0, 1]
 *           writer.add_video("episode", frames[None], step, fps=15)
 *           writer.add_scalar("episode/return", ret, step)
 *           writer.add_image_with_boxes("episode/last", frames[-1], boxes,
 *                                       step, labels=["ball", "paddle"])
 *
 * Not for: anything beyond the public header (example-util.h only makes up
 * the noise).  Built against the installed pkg-config file by the install
 * test:
 *
 *   cc log-video.c $(pkg-config --cflags --libs lumen-log) -lm -o log-video
 *   ./log-video --logdir runs --run video
 */
#include <lumen-log.h>
#include "example-util.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static void check(int rc, const char *what) { example_check("log-video", rc, what); }

enum { W = 64, H = 48, C = 3, T = 40, FPS = 15, STEPS = 500, EVERY = 100, PADDLE = 16 };

static float frames[T][C][H][W]; /* one episode, T x C x H x W as add_video takes it */
static float last_boxes[2][4];   /* the ball and the paddle in the last frame, xyxy */

static void put(int t, int x, int y, float r, float g, float b) {
  if (x < 0 || x >= W || y < 0 || y >= H)
    return;
  frames[t][0][y][x] = r;
  frames[t][1][y][x] = g;
  frames[t][2][y][x] = b;
}

/* One episode by an agent of `skill` (0: random, 1: follows the ball
 * exactly): the frames, and the return (frames the paddle was under the
 * ball). */
static int play_episode(double skill) {
  double bx = 8 + 48 * example_uniform01(), by = 6, vx = 1.5 + example_uniform01(), vy = 1.2;
  double px = W / 2.0;
  int ret = 0;
  memset(frames, 0, sizeof frames);
  for (int t = 0; t < T; t++) {
    /* the ball bounces off the walls, the floor and the ceiling */
    bx += vx;
    by += vy;
    if (bx < 3 || bx > W - 4)
      vx = -vx, bx += 2 * vx;
    if (by < 3 || by > H - 8)
      vy = -vy, by += 2 * vy;
    /* the agent moves the paddle toward the ball, or wanders */
    double want = skill * bx + (1 - skill) * (px + 6 * example_normal());
    px += fmax(-3, fmin(3, want - px));
    px = fmax(PADDLE / 2.0, fmin(W - PADDLE / 2.0, px));
    if (fabs(px - bx) <= PADDLE / 2.0)
      ret++;
    /* a grey box, the yellow ball and the blue paddle */
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++) {
        float edge = x == 0 || y == 0 || x == W - 1 || y == H - 1;
        put(t, x, y, 0.1f + 0.6f * edge, 0.1f + 0.6f * edge, 0.12f + 0.6f * edge);
      }
    for (int dy = -3; dy <= 3; dy++)
      for (int dx = -3; dx <= 3; dx++)
        if (dx * dx + dy * dy <= 9)
          put(t, (int)lrint(bx) + dx, (int)lrint(by) + dy, 1.0f, 0.85f, 0.2f);
    for (int x = -PADDLE / 2; x < PADDLE / 2; x++)
      for (int y = H - 5; y < H - 2; y++)
        put(t, (int)lrint(px) + x, y, 0.3f, 0.55f, 1.0f);
  }
  float ball[4] = {(float)lrint(bx) - 6, (float)lrint(by) - 6, (float)lrint(bx) + 6,
                   (float)lrint(by) + 6};
  float paddle[4] = {(float)lrint(px) - PADDLE / 2 - 1, H - 6, (float)lrint(px) + PADDLE / 2, H - 2};
  memcpy(last_boxes[0], ball, sizeof ball);
  memcpy(last_boxes[1], paddle, sizeof paddle);
  return ret;
}

int main(int argc, char **argv) {
  const char *logdir, *run;
  int status = example_parse_run_args(argc, argv, &logdir, &run, "video");
  if (status >= 0)
    return status;

  lm_writer *w;
  check(lm_writer_open(&w, logdir, run), "opening the run");
  int videos = 0;
  for (int step = 0; step < STEPS; step += EVERY) {
    int ret = play_episode(fmin(1.0, (double)step / (STEPS - EVERY)));
    /* writer.add_video("episode", frames[None], step, fps=15) */
    check(lm_writer_add_video_f32(w, "episode", step, &frames[0][0][0][0], T, W, H, C, LM_CHW,
                                  FPS),
          "logging episode");
    /* writer.add_scalar("episode/return", ret, step) */
    check(lm_writer_add_scalar(w, "episode/return", step, ret), "logging episode/return");
    /* writer.add_image_with_boxes("episode/last", frames[-1], boxes, step,
     *                             labels=["ball", "paddle"]) */
    const char *labels[] = {"ball", "paddle"};
    check(lm_writer_add_image_with_boxes_f32(w, "episode/last", step, &frames[T - 1][0][0][0], W, H,
                                             C, LM_CHW, &last_boxes[0][0], 2, labels),
          "logging episode/last");
    videos++;
  }

  char path[4096];
  snprintf(path, sizeof path, "%s", lm_writer_file_path(w));
  check(lm_writer_close(w), "closing the run");
  printf("wrote %s: %d videos of %d frames (%dx%d) at %d fps\n", path, videos, T, W, H, FPS);
  return 0;
}
