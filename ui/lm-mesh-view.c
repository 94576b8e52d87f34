/* lm-mesh-view.c: a mesh card's 3-D view (see lm-mesh-view.h).
 *
 * One cairo image surface per view holds the last frame, in device
 * pixels; snapshot renders a new one only when what it shows changed
 * (the mesh, the camera, the size, the scale, the theme), so scrolling
 * past a card or a live update of another card costs a blit.
 *
 * The renderer's scratch buffers (36 bytes a vertex: 36 MB for a cloud of
 * a million points, and a depth buffer) are shared by every view: frames
 * are rendered one at a time on the main thread, and 40 cards of big
 * clouds would otherwise hold 40 copies.  What shading needs of a mesh's
 * faces whatever the camera (lm_mesh_shading: each vertex's faces and the
 * sum of their normals, 28 bytes a vertex and 12 a face) is each view's,
 * made once per mesh when its camera first moves: a drag of a
 * 500,000-triangle mesh summed its faces' normals again for every
 * frame.  Only the views near the visible part
 * keep it: a view making one drops those of views far off screen or
 * unmapped (26 MB for a million triangles, more than the mesh: a scroll
 * through 40 such cards kept a gigabyte), and makes it again if drawn
 * again with another camera.
 *
 * The shading is made by a worker thread (GTask), from the LmMesh
 * (immutable, its reference shared: no copy), so that the first move of
 * the camera does not wait for it (a tenth of a second for a million
 * triangles, which stalled the first frame of a drag); the frames drawn
 * meanwhile sum every face's normals, as a mesh only shown does, which
 * gives the same pixels.  The worker touches nothing but the mesh and
 * what it makes; the view cancels it when its mesh is replaced, when it
 * is disposed, or when it is found far off screen (its shading would be
 * dropped), and a shading made for a cancelled worker is freed unseen.
 */
#include "lm-mesh-view.h"

#include <math.h>
#include <string.h>

#include "lm-dash-util.h"
#include "lm-icon-tip.h"
#include "lm-mesh-render.h"
#include "lm-theme.h"

/* degrees of orbit per pixel dragged: a drag across a card's 260-px view
 * turns it about a third of a turn (Three.js' OrbitControls, which
 * TensorBoard's viewer uses, turns a whole turn per view height, whatever
 * the height) */
#define ORBIT_DEG_PER_PX 0.5
/* the wheel: one step zooms by 10% */
#define ZOOM_STEP 1.1
/* While a drag orbits, a point cloud draws at most this many points (a
 * million 4-px points took 60 to 80 ms a card-sized frame, 12 to 16 a
 * second; a quarter of them keeps the drag near 60 and, overdrawn about
 * 40 times at that size, looks the same); all of them when it ends. */
#define DRAG_POINTS 250000
/* the tooltip, and so the description a screen reader gives */
#define HELP "Drag or arrow keys to orbit, scroll or Ctrl+plus and Ctrl+minus to zoom, double-click or Ctrl+0 " \
             "to reset the camera"

/* What a frame shows: another one renders again.  Zeroed before it is
 * filled, so that it compares as bytes. */
typedef struct
{
  LmMesh *mesh;
  double yaw, pitch, distance;
  int width, height, dark, coarse, scale;
} FrameKey;

struct _LmMeshView
{
  GtkWidget parent_instance;

  LmMesh *mesh;
  char *error;
  double yaw, pitch, distance;     /* distance 0: fit the field of view */
  double drag_yaw, drag_pitch;
  gboolean dragging;
  guint8 point_color[3];
  gboolean has_point_color;
  cairo_surface_t *surface;
  FrameKey drawn_key;              /* what surface shows */
  guint n_renders;
  lm_mesh_shading *shading;        /* of mesh, NULL until made */
  GCancellable *making;            /* the worker making shading, NULL when none */
  guint n_shading_passes;
  gboolean frame_shaded;           /* surface was drawn with shading */
  guint want_id;
  LmDashOffscreen offscreen;
};

enum
{
  WANTS_MESH,
  LINKED_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];
/* shared by all views (see the top), freed with the last of them */
static lm_mesh_renderer *renderer;
static guint n_views;
/* every view, for linked cameras (TensorBoard's shared camera): while
 * linked, a camera change of one is every view's */
static GPtrArray *all_views;
static gboolean linked, following;
static double default_yaw = LM_MESH_DEFAULT_YAW, default_pitch = LM_MESH_DEFAULT_PITCH;
static gint64 drag_points = DRAG_POINTS;
/* shading workers not yet back, cancelled ones too */
static guint n_workers;

G_DEFINE_FINAL_TYPE (LmMeshView, lm_mesh_view, GTK_TYPE_WIDGET)

static void
fill_scene (LmMesh *m, lm_mesh_scene *s)
{
  s->n_vertices = m->n_vertices;
  s->n_faces = m->n_faces;
  s->vertices = m->vertices;
  s->colors = m->colors;
  s->faces = m->faces;
  /* faces that all have zero area would draw nothing: their vertices as
   * points instead (the card says so) */
  if (m->n_faces > 0 && m->n_flat_faces == m->n_faces)
    {
      s->n_faces = 0;
      s->faces = NULL;
    }
  for (int i = 0; i < 3; i++)
    s->center[i] = m->center[i];
  s->radius = m->radius;
  s->point_size = m->point_size;
  s->fov = m->fov;
  s->shading = NULL;
}

static double
current_distance (LmMeshView *self)
{
  return self->distance > 0 ? self->distance : lm_mesh_fit_distance (self->mesh != NULL ? self->mesh->fov : 0);
}

static gboolean
is_far (LmMeshView *self)
{
  return !gtk_widget_get_mapped (GTK_WIDGET (self)) || !lm_dash_is_near_view (GTK_WIDGET (self));
}

/* Drops the shading, and cancels the worker making it. */
static void
drop_shading (LmMeshView *self)
{
  if (self->making != NULL)
    {
      g_cancellable_cancel (self->making);
      g_clear_object (&self->making);
    }
  g_clear_pointer (&self->shading, lm_mesh_shading_free);
}

/* Frees the shading of every other view far off screen (or unmapped). */
static void
drop_far_shading (LmMeshView *self)
{
  for (guint i = 0; i < all_views->len; i++)
    {
      LmMeshView *v = g_ptr_array_index (all_views, i);

      if (v != self && (v->shading != NULL || v->making != NULL) && is_far (v))
        drop_shading (v);
    }
}

/* The worker: the shading of the mesh (task_data, a reference of its
 * own), nothing else touched. */
static void
make_shading (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  lm_mesh_scene scene;

  if (g_task_return_error_if_cancelled (task))
    return;
  fill_scene (task_data, &scene);
  g_task_return_pointer (task, lm_mesh_shading_new (&scene), (GDestroyNotify) lm_mesh_shading_free);
}

/* Back on the main thread.  A cancelled worker's view may be gone (it is
 * cancelled when disposed): its shading is freed with the task.  One not
 * cancelled is its view's making (a new worker cancels none, it starts
 * when there is none).  The frame on screen is what the shading would
 * draw: nothing to draw again; the next camera uses it. */
static void
on_shading_made (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = G_TASK (res);
  LmMeshView *self = user_data;
  lm_mesh_shading *sh;

  n_workers--;
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return;
  g_return_if_fail (self->making == g_task_get_cancellable (task));
  sh = g_task_propagate_pointer (task, NULL);
  g_clear_object (&self->making);
  /* scrolled far off meanwhile: dropped, as those of far cards are */
  if (is_far (self))
    lm_mesh_shading_free (sh);
  else
    self->shading = sh;   /* NULL (out of memory): the next move tries again */
}

/* Starts a worker making the shading of self's mesh.  The task has no
 * source object: it would hold the view, whose last reference could
 * then be dropped on the worker's thread. */
static void
start_shading (LmMeshView *self)
{
  GTask *task;

  drop_far_shading (self);
  self->making = g_cancellable_new ();
  task = g_task_new (NULL, self->making, on_shading_made, self);
  g_task_set_source_tag (task, start_shading);
  g_task_set_task_data (task, lm_mesh_ref (self->mesh), (GDestroyNotify) lm_mesh_unref);
  g_task_run_in_thread (task, make_shading);
  g_object_unref (task);
  n_workers++;
  self->n_shading_passes++;
}

/* The shading pays from the second camera of a mesh on (a drag, a zoom,
 * linked views turned): a mesh only shown, or shown again in another
 * theme or size (key), is drawn without it, and keeps no memory for it.
 * The frame does not wait for it (a million triangles: 57 ms of CPU
 * without it, where making it and drawing with it took 90 + 43). */
static gboolean
shading_pays (LmMeshView *self, const FrameKey *key)
{
  const FrameKey *drawn = &self->drawn_key;

  return self->dragging
         || (drawn->mesh == self->mesh
             && (key->yaw != drawn->yaw || key->pitch != drawn->pitch || key->distance != drawn->distance));
}

/* Renders the frame into self->surface unless it shows this already. */
static void
ensure_frame (LmMeshView *self, int width, int height, int scale)
{
  lm_mesh_scene scene;
  lm_mesh_camera view;
  FrameKey key;
  int dark = lm_theme_is_dark ();
  int coarse = self->dragging && self->mesh->n_faces == 0 && self->mesh->n_vertices > drag_points;

  memset (&key, 0, sizeof key);
  key.mesh = self->mesh;
  key.yaw = self->yaw;
  key.pitch = self->pitch;
  key.distance = self->distance;
  key.width = width;
  key.height = height;
  key.dark = dark;
  key.coarse = coarse;
  key.scale = scale;
  if (self->surface != NULL && memcmp (&key, &self->drawn_key, sizeof key) == 0)
    return;
  if (self->surface == NULL || cairo_image_surface_get_width (self->surface) != width
      || cairo_image_surface_get_height (self->surface) != height)
    {
      g_clear_pointer (&self->surface, cairo_surface_destroy);
      self->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
    }
  if (renderer == NULL)
    renderer = lm_mesh_renderer_new ();
  fill_scene (self->mesh, &scene);
  if (scene.n_faces > 0 && self->shading == NULL && self->making == NULL && shading_pays (self, &key))
    start_shading (self);
  scene.shading = self->shading;   /* NULL (being made, out of memory): every face, every frame */
  lm_mesh_camera_init (&view, &scene);
  view.yaw = self->yaw;
  view.pitch = self->pitch;
  view.distance = current_distance (self);
  view.max_points = coarse ? drag_points : 0;
  /* the default point is 4 px of the screen, 8 device pixels at scale 2
   * (a configured size, in world units, scales with the frame already) */
  view.default_point_px = LM_MESH_DEFAULT_POINT_PX * scale;
  /* a mesh without colours: a neutral grey that reads on either background */
  view.default_color[0] = view.default_color[1] = view.default_color[2] = dark ? 0xb0 : 0x98;
  if (self->has_point_color && scene.n_faces == 0)
    memcpy (view.default_color, self->point_color, 3);
  cairo_surface_flush (self->surface);
  if (renderer == NULL
      || lm_mesh_render (renderer, &scene, &view, cairo_image_surface_get_data (self->surface), width, height,
                         cairo_image_surface_get_stride (self->surface)) < 0)
    g_warning ("lm-mesh-view: out of memory rendering a %dx%d frame", width, height);
  cairo_surface_mark_dirty (self->surface);
  self->n_renders++;
  self->frame_shaded = scene.shading != NULL;
  memcpy (&self->drawn_key, &key, sizeof key);   /* its padding too */
}

static gboolean
emit_wants_mesh (gpointer user_data)
{
  LmMeshView *self = user_data;

  self->want_id = 0;
  if (self->mesh == NULL && self->error == NULL)
    g_signal_emit (self, signals[WANTS_MESH], 0);
  return G_SOURCE_REMOVE;
}

static void
lm_mesh_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LmMeshView *self = LM_MESH_VIEW (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;
  if (lm_dash_offscreen_skip (&self->offscreen, widget))
    return;
  if (self->mesh == NULL && self->error == NULL && self->want_id == 0)
    self->want_id = g_idle_add (emit_wants_mesh, self);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_cairo_set_source_rgba (cr, &lm_theme_colors ()->bg);
  cairo_paint (cr);
  if (self->mesh == NULL)
    {
      /* the card says why under the view, wrapped */
      if (self->error != NULL)
        lm_dash_placeholder (cr, width, height, "Cannot show this mesh", NULL);
      else
        lm_dash_placeholder (cr, width, height, "Loading…", NULL);
    }
  else
    {
      ensure_frame (self, width * scale, height * scale, scale);
      cairo_scale (cr, 1.0 / scale, 1.0 / scale);
      cairo_set_source_surface (cr, self->surface, 0, 0);
      cairo_paint (cr);
    }
  cairo_destroy (cr);
  lm_theme_snapshot_focus_ring (widget, snapshot);
}

static void
lm_mesh_view_unmap (GtkWidget *widget)
{
  LmMeshView *self = LM_MESH_VIEW (widget);

  lm_dash_offscreen_unmap (&self->offscreen);
  GTK_WIDGET_CLASS (lm_mesh_view_parent_class)->unmap (widget);
}

static void
lm_mesh_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum, int *natural,
                      int *min_baseline, int *nat_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = 160, *natural = 300;
  else
    *minimum = 160, *natural = 260;
}

static void
on_drag_begin (GtkGestureDrag *g, double x, double y, LmMeshView *self)
{
  self->drag_yaw = self->yaw;
  self->drag_pitch = self->pitch;
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

/* The drag of self is over: it, and the views that followed it, draw
 * every point again. */
static void
end_drag (LmMeshView *self)
{
  for (guint i = 0; i < all_views->len; i++)
    {
      LmMeshView *v = all_views->pdata[i];

      if (v == self || (linked && v->dragging))
        {
          v->dragging = FALSE;
          gtk_widget_queue_draw (GTK_WIDGET (v));
        }
    }
}

static void
on_drag_end (GtkGestureDrag *g, double dx, double dy, LmMeshView *self)
{
  end_drag (self);
}

static void
on_drag_update (GtkGestureDrag *g, double dx, double dy, LmMeshView *self)
{
  self->dragging = TRUE;
  lm_mesh_view_set_camera (self, self->drag_yaw - dx * ORBIT_DEG_PER_PX, self->drag_pitch + dy * ORBIT_DEG_PER_PX,
                           self->distance);
}

static gboolean
on_scroll (GtkEventControllerScroll *c, double dx, double dy, LmMeshView *self)
{
  if (self->mesh == NULL || dy == 0)
    return FALSE;
  lm_mesh_view_set_camera (self, self->yaw, self->pitch, current_distance (self) * pow (ZOOM_STEP, dy));
  return TRUE;
}

static void
on_pressed (GtkGestureClick *g, int n_press, double x, double y, LmMeshView *self)
{
  if (n_press == 2)
    lm_mesh_view_reset_camera (self);
}

/* Keys while the view has the focus, as the Projector's: the arrows orbit
 * by 10 degrees the way a drag would, Ctrl +/- zoom, Ctrl 0 resets. */
static gboolean
on_key (GtkWidget *widget, GVariant *args, gpointer data)
{
  LmMeshView *self = LM_MESH_VIEW (widget);
  const char *key = g_variant_get_string (args, NULL);
  double d = current_distance (self);

  switch (key[0])
    {
    case 'l': lm_mesh_view_set_camera (self, self->yaw + 10, self->pitch, self->distance); break;
    case 'r': lm_mesh_view_set_camera (self, self->yaw - 10, self->pitch, self->distance); break;
    case 'u': lm_mesh_view_set_camera (self, self->yaw, self->pitch - 10, self->distance); break;
    case 'd': lm_mesh_view_set_camera (self, self->yaw, self->pitch + 10, self->distance); break;
    case '+': lm_mesh_view_set_camera (self, self->yaw, self->pitch, d / ZOOM_STEP); break;
    case '-': lm_mesh_view_set_camera (self, self->yaw, self->pitch, d * ZOOM_STEP); break;
    default: lm_mesh_view_reset_camera (self); break;
    }
  return TRUE;
}

static void
add_keys (LmMeshView *self)
{
  static const struct { guint keyval; GdkModifierType mods; const char *key; } keys[] = {
    { GDK_KEY_Left, 0, "l" }, { GDK_KEY_Right, 0, "r" }, { GDK_KEY_Up, 0, "u" }, { GDK_KEY_Down, 0, "d" },
    { GDK_KEY_plus, GDK_CONTROL_MASK, "+" }, { GDK_KEY_equal, GDK_CONTROL_MASK, "+" },
    { GDK_KEY_minus, GDK_CONTROL_MASK, "-" }, { GDK_KEY_0, GDK_CONTROL_MASK, "0" },
  };
  GtkEventController *c = gtk_shortcut_controller_new ();

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (
      GTK_SHORTCUT_CONTROLLER (c),
      gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (keys[i].keyval, keys[i].mods),
                                       gtk_callback_action_new (on_key, NULL, NULL), "s", keys[i].key));
  gtk_widget_add_controller (GTK_WIDGET (self), c);
}

static void
on_theme (LmTheme *theme, GParamSpec *pspec, LmMeshView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
lm_mesh_view_dispose (GObject *object)
{
  LmMeshView *self = LM_MESH_VIEW (object);

  g_clear_handle_id (&self->want_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (lm_theme_get_default (), self);
  /* a card removed while dragged gets no drag-end: the views linked to
   * it would draw their quick frames for good */
  if (self->dragging)
    end_drag (self);
  drop_shading (self);
  g_ptr_array_remove (all_views, self);
  G_OBJECT_CLASS (lm_mesh_view_parent_class)->dispose (object);
}

static void
lm_mesh_view_finalize (GObject *object)
{
  LmMeshView *self = LM_MESH_VIEW (object);

  g_clear_pointer (&self->mesh, lm_mesh_unref);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  drop_shading (self);
  if (--n_views == 0)
    g_clear_pointer (&renderer, lm_mesh_renderer_free);
  g_free (self->error);
  G_OBJECT_CLASS (lm_mesh_view_parent_class)->finalize (object);
}

static void
lm_mesh_view_class_init (LmMeshViewClass *klass)
{
  GtkWidgetClass *wc = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = lm_mesh_view_dispose;
  G_OBJECT_CLASS (klass)->finalize = lm_mesh_view_finalize;
  wc->snapshot = lm_mesh_view_snapshot;
  wc->unmap = lm_mesh_view_unmap;
  wc->measure = lm_mesh_view_measure;
  /* a picture to a screen reader, as the audio card's waveform; the card
   * names it, the description says how to turn it */
  gtk_widget_class_set_accessible_role (wc, GTK_ACCESSIBLE_ROLE_IMG);
  signals[WANTS_MESH] = g_signal_new ("wants-mesh", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                      NULL, G_TYPE_NONE, 0);
  /* lm_mesh_view_set_linked: on every view (a card's toggle follows) */
  signals[LINKED_CHANGED] = g_signal_new ("linked-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                          NULL, NULL, G_TYPE_NONE, 0);
}

static void
lm_mesh_view_init (LmMeshView *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);

  n_views++;
  if (all_views == NULL)
    all_views = g_ptr_array_new ();
  g_ptr_array_add (all_views, self);
  self->yaw = default_yaw;
  self->pitch = default_pitch;
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  add_keys (self);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  lm_set_tooltip (GTK_WIDGET (self), HELP);   /* also its accessible description */
  lm_theme_redraw_on_focus (GTK_WIDGET (self));
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grab");
  g_signal_connect (lm_theme_get_default (), "notify::dark", G_CALLBACK (on_theme), self);
}

GtkWidget *
lm_mesh_view_new (void)
{
  return g_object_new (LM_TYPE_MESH_VIEW, NULL);
}

void
lm_mesh_view_set_mesh (LmMeshView *self, LmMesh *mesh)
{
  g_return_if_fail (LM_IS_MESH_VIEW (self));
  if (mesh == self->mesh)
    return;
  /* another object (not the same one at another step): its own camera */
  if (mesh != NULL && self->mesh != NULL && fabsf (mesh->radius - self->mesh->radius) > 1e-3f * self->mesh->radius)
    self->distance = 0;
  if (mesh != NULL)
    lm_mesh_ref (mesh);
  g_clear_pointer (&self->mesh, lm_mesh_unref);
  drop_shading (self);
  self->mesh = mesh;
  if (mesh != NULL && self->error != NULL)
    {
      g_clear_pointer (&self->error, g_free);
      lm_set_tooltip (GTK_WIDGET (self), HELP);   /* no longer the error */
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

LmMesh *
lm_mesh_view_get_mesh (LmMeshView *self)
{
  g_return_val_if_fail (LM_IS_MESH_VIEW (self), NULL);
  return self->mesh;
}

void
lm_mesh_view_set_error (LmMeshView *self, const char *error)
{
  g_return_if_fail (LM_IS_MESH_VIEW (self));
  g_clear_pointer (&self->mesh, lm_mesh_unref);
  drop_shading (self);
  g_free (self->error);
  self->error = g_strdup (error);
  lm_set_tooltip (GTK_WIDGET (self), error != NULL ? error : HELP);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The other views take self's camera (quick frames too while self is
 * dragged). */
static void
follow (LmMeshView *self)
{
  if (following)
    return;
  following = TRUE;
  for (guint i = 0; i < all_views->len; i++)
    {
      LmMeshView *v = all_views->pdata[i];

      if (v == self)
        continue;
      v->dragging = self->dragging;
      lm_mesh_view_set_camera (v, self->yaw, self->pitch, self->distance);
    }
  following = FALSE;
}

void
lm_mesh_view_set_camera (LmMeshView *self, double yaw, double pitch, double distance)
{
  g_return_if_fail (LM_IS_MESH_VIEW (self));
  if (!isfinite (yaw) || !isfinite (pitch) || !isfinite (distance))
    return;
  yaw = fmod (yaw, 360.0);
  if (yaw < 0)
    yaw += 360.0;
  /* off the poles, as OrbitControls keeps the camera's up */
  pitch = CLAMP (pitch, -89.0, 89.0);
  distance = distance > 0 ? CLAMP (distance, LM_MESH_MIN_DISTANCE, LM_MESH_MAX_DISTANCE) : 0;
  if (yaw == self->yaw && pitch == self->pitch && distance == self->distance)
    return;
  self->yaw = yaw;
  self->pitch = pitch;
  self->distance = distance;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (linked)
    follow (self);
}

void
lm_mesh_view_set_linked (LmMeshView *self, gboolean on)
{
  g_return_if_fail (LM_IS_MESH_VIEW (self));
  on = !!on;
  if (on == linked)
    return;
  linked = on;
  if (linked)
    follow (self);   /* everyone takes this view's camera */
  for (guint i = 0; i < all_views->len; i++)
    g_signal_emit (all_views->pdata[i], signals[LINKED_CHANGED], 0);
}

gboolean
lm_mesh_view_get_linked (void)
{
  return linked;
}

void
lm_mesh_view_get_camera (LmMeshView *self, double *yaw, double *pitch, double *distance)
{
  g_return_if_fail (LM_IS_MESH_VIEW (self));
  if (yaw != NULL)
    *yaw = self->yaw;
  if (pitch != NULL)
    *pitch = self->pitch;
  if (distance != NULL)
    *distance = current_distance (self);
}

void
lm_mesh_view_reset_camera (LmMeshView *self)
{
  g_return_if_fail (LM_IS_MESH_VIEW (self));
  lm_mesh_view_set_camera (self, default_yaw, default_pitch, 0);
}

void
lm_mesh_view_set_default_angles (double yaw, double pitch)
{
  default_yaw = yaw;
  default_pitch = CLAMP (pitch, -89.0, 89.0);
}

gboolean
lm_mesh_view_is_near_view (LmMeshView *self, gboolean *known)
{
  g_return_val_if_fail (LM_IS_MESH_VIEW (self), FALSE);
  return lm_dash_offscreen_is_near (&self->offscreen, known);
}

gsize
lm_mesh_view_get_shading_bytes (LmMeshView *self)
{
  g_return_val_if_fail (LM_IS_MESH_VIEW (self), 0);
  return lm_mesh_shading_get_bytes (self->shading);
}

guint
lm_mesh_view_get_n_shading_passes (LmMeshView *self)
{
  g_return_val_if_fail (LM_IS_MESH_VIEW (self), 0);
  return self->n_shading_passes;
}

gboolean
lm_mesh_view_get_shading_pending (LmMeshView *self)
{
  g_return_val_if_fail (LM_IS_MESH_VIEW (self), FALSE);
  return self->making != NULL;
}

guint
lm_mesh_view_get_n_shading_workers (void)
{
  return n_workers;
}

gboolean
lm_mesh_view_get_frame_shaded (LmMeshView *self)
{
  g_return_val_if_fail (LM_IS_MESH_VIEW (self), FALSE);
  return self->frame_shaded;
}

gboolean
lm_mesh_view_get_dragging (LmMeshView *self)
{
  g_return_val_if_fail (LM_IS_MESH_VIEW (self), FALSE);
  return self->dragging;
}

guint
lm_mesh_view_get_n_renders (LmMeshView *self)
{
  g_return_val_if_fail (LM_IS_MESH_VIEW (self), 0);
  return self->n_renders;
}

void
lm_mesh_view_set_point_color (LmMeshView *self, const GdkRGBA *color)
{
  g_return_if_fail (LM_IS_MESH_VIEW (self));
  self->has_point_color = color != NULL;
  if (color != NULL)
    {
      self->point_color[0] = (guint8) lround (CLAMP (color->red, 0, 1) * 255);
      self->point_color[1] = (guint8) lround (CLAMP (color->green, 0, 1) * 255);
      self->point_color[2] = (guint8) lround (CLAMP (color->blue, 0, 1) * 255);
    }
  g_clear_pointer (&self->surface, cairo_surface_destroy);   /* render again */
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lm_mesh_view_set_drag_points (gint64 max_points)
{
  drag_points = max_points > 0 ? max_points : DRAG_POINTS;
}

gsize
lm_mesh_view_get_scratch_bytes (void)
{
  return lm_mesh_renderer_get_bytes (renderer);
}

cairo_surface_t *
lm_mesh_view_get_surface (LmMeshView *self)
{
  g_return_val_if_fail (LM_IS_MESH_VIEW (self), NULL);
  return self->surface;
}
